-- Security: where the key goes and where it never appears.
-- * setter_config is SQLITE_DIRECTONLY: views, triggers, CHECK constraints and DEFAULT clauses
--   (in this database, an attached one, or a database file opened later) cannot change the
--   base_url or the key. The "evil" mock on {EVIL_PORT} records what it receives; every case
--   here expects it to see nothing (the runner's default `-- evil-requests: 0`) unless the
--   case itself points base_url there.
-- * CREATE VIRTUAL TABLE ... USING setter_conversations(args) never configures anything.
-- * base_url: https only, plain http only to loopback; no user info, query or fragment.
-- * The key never appears in errors, setter_requests or setter_config('api_key'); server text
--   that happens to contain it is redacted. Redirects are not followed.

-- ---- SQLITE_DIRECTONLY: views and triggers ----

-- case: a view calling setter_config('base_url', evil) fails as unsafe, base_url is unchanged and nothing reaches the evil server
-- requests: 1
-- evil-requests: 0
CREATE VIEW v AS SELECT setter_config('base_url', 'http://127.0.0.1:{EVIL_PORT}') AS u;
SELECT * FROM v;
SELECT count(*) FROM v;
SELECT setter_config('base_url') = 'http://127.0.0.1:{PORT}';
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect:
-- Error: unsafe use of setter_config()
-- Error: unsafe use of setter_config()
-- 1
-- 3

-- case: a view cannot read settings either (the masked key, the base_url)
-- requests: 0
CREATE VIEW k AS SELECT setter_config('api_key') AS key, setter_config('base_url') AS url;
SELECT * FROM k;
-- expect:
-- Error: unsafe use of setter_config()

-- case: a trigger calling setter_config('base_url', evil) fails the INSERT as unsafe, the row is not inserted, base_url is unchanged
-- requests: 1
-- evil-requests: 0
CREATE TABLE t(x);
CREATE TRIGGER tr AFTER INSERT ON t BEGIN
  SELECT setter_config('base_url', 'http://127.0.0.1:{EVIL_PORT}');
END;
INSERT INTO t VALUES (1);
SELECT count(*) FROM t;
SELECT setter_config('base_url') = 'http://127.0.0.1:{PORT}';
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect:
-- Error: unsafe use of setter_config()
-- 0
-- 1
-- 3

-- case: a trigger cannot set the key either (and the key stays usable)
-- requests: 1
CREATE TABLE t(x);
CREATE TRIGGER tr BEFORE INSERT ON t BEGIN
  SELECT setter_config('api_key', 'attacker-key-0000000000');
END;
INSERT INTO t VALUES (1);
SELECT setter_config('api_key');
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect:
-- Error: unsafe use of setter_config()
-- ****cdef
-- 3

-- case: a hostile database FILE whose view, trigger and DEFAULT clause call setter_config is refused on use after .open, also when attached
-- requests: 1
-- evil-requests: 0
.open {TMP}/hostile.db
.load {EXT}
CREATE VIEW v AS SELECT setter_config('base_url', 'http://127.0.0.1:{EVIL_PORT}') AS u;
CREATE TABLE t(x);
CREATE TRIGGER tr AFTER INSERT ON t BEGIN
  SELECT setter_config('base_url', 'http://127.0.0.1:{EVIL_PORT}');
END;
CREATE TABLE d(a, b DEFAULT (setter_config('base_url', 'http://127.0.0.1:{EVIL_PORT}')));
.open {TMP}/hostile.db
.load {EXT}
PRAGMA trusted_schema = ON;
SELECT * FROM v;
INSERT INTO t VALUES (1);
INSERT INTO d(a) VALUES (1);
SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM d);
SELECT setter_config('base_url') = 'http://127.0.0.1:{PORT}';
.open :memory:
.load {EXT}
ATTACH '{TMP}/hostile.db' AS h;
SELECT * FROM h.v;
INSERT INTO h.t VALUES (2);
SELECT setter_config('base_url') = 'http://127.0.0.1:{PORT}';
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect:
-- Error: unsafe use of setter_config()
-- Error: unsafe use of setter_config()
-- Error: unsafe use of setter_config()
-- 0|0
-- 1
-- Error: unsafe use of setter_config()
-- Error: unsafe use of setter_config()
-- 1
-- 3

-- The next two cases accept either defence: SQLite refusing the schema ("malformed database
-- schema ... unsafe use of setter_config()", as with SQLite >= 3.50 or a DETERMINISTIC
-- registration of the 2-argument form) or setter_config refusing the change at run time.
-- What they pin: base_url unchanged and nothing sent to the evil server.

-- case: a hostile database FILE whose CHECK constraint calls setter_config('base_url', evil) cannot redirect the key (crafted with writable_schema)
-- requests: <= 1
-- evil-requests: 0
.open {TMP}/hostile.db
CREATE TABLE c(a CHECK (1));
.output /dev/null
.dbconfig defensive off
.output
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = 'CREATE TABLE c(a CHECK (setter_config(''base_url'', ''http://127.0.0.1:{EVIL_PORT}'') IS NOT NULL))'
WHERE name = 'c';
PRAGMA writable_schema = OFF;
.open {TMP}/hostile.db
.load {EXT}
INSERT INTO c VALUES (1);
SELECT setter_config('base_url') = 'http://127.0.0.1:{PORT}';
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect-re:
-- Error: (malformed database schema \(c\) - unsafe use of setter_config\(\).*|setter_config: settings can be changed only .*)
-- 1
-- (3|Error: malformed database schema \(c\) - unsafe use of setter_config\(\).*)

-- case: the hostile CHECK cannot redirect the key even when the user's INSERT mentions setter_config in a string value
-- requests: <= 1
-- evil-requests: 0
.open {TMP}/hostile.db
CREATE TABLE c(a CHECK (1));
.output /dev/null
.dbconfig defensive off
.output
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = 'CREATE TABLE c(a CHECK (setter_config(''base_url'', ''http://127.0.0.1:{EVIL_PORT}'') IS NOT NULL))'
WHERE name = 'c';
PRAGMA writable_schema = OFF;
.open {TMP}/hostile.db
.load {EXT}
INSERT INTO c VALUES ('see setter_config in the README');
SELECT setter_config('base_url') = 'http://127.0.0.1:{PORT}';
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect-re:
-- Error: (malformed database schema \(c\) - unsafe use of setter_config\(\).*|setter_config: settings can be changed only .*)
-- 1
-- (3|Error: malformed database schema \(c\) - unsafe use of setter_config\(\).*)

-- case: a hostile database FILE with setter_config in a generated column, a partial index or an index expression (crafted) is refused
-- requests: 1
-- evil-requests: 0
.open {TMP}/g.db
CREATE TABLE g(a, b AS (a));
.output /dev/null
.dbconfig defensive off
.output
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = 'CREATE TABLE g(a, b AS (setter_config(''base_url'', ''http://127.0.0.1:{EVIL_PORT}'')))' WHERE name = 'g';
PRAGMA writable_schema = OFF;
.open {TMP}/p.db
CREATE TABLE p(a);
CREATE INDEX pi ON p(a) WHERE a > 0;
.output /dev/null
.dbconfig defensive off
.output
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = 'CREATE INDEX pi ON p(a) WHERE setter_config(''base_url'', ''http://127.0.0.1:{EVIL_PORT}'') IS NOT NULL' WHERE name = 'pi';
PRAGMA writable_schema = OFF;
.open {TMP}/e.db
CREATE TABLE e(a);
CREATE INDEX ei ON e(abs(a));
.output /dev/null
.dbconfig defensive off
.output
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = 'CREATE INDEX ei ON e(setter_config(''base_url'', a))' WHERE name = 'ei';
PRAGMA writable_schema = OFF;
.open :memory:
.load {EXT}
ATTACH '{TMP}/g.db' AS g;
INSERT INTO g.g(a) VALUES (1);
ATTACH '{TMP}/p.db' AS p;
INSERT INTO p.p VALUES (1);
ATTACH '{TMP}/e.db' AS e;
INSERT INTO e.e VALUES ('http://127.0.0.1:{EVIL_PORT}');
SELECT setter_config('base_url') = 'http://127.0.0.1:{PORT}';
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect-re:
-- Error: malformed database schema \(g\) - .*
-- Error: no such table: g\.g
-- Error: malformed database schema \(pi\) - .*
-- Error: no such table: p\.p
-- Error: malformed database schema \(ei\) - .*
-- Error: no such table: e\.e
-- 1
-- 3

-- ---- CREATE VIRTUAL TABLE arguments ----

-- case: the tables are eponymous only: CREATE VIRTUAL TABLE is refused, with or without arguments, and nothing is stored
-- requests: 0
CREATE VIRTUAL TABLE t1 USING setter_conversations(base_url='http://127.0.0.1:{EVIL_PORT}');
CREATE VIRTUAL TABLE t2 USING setter_conversations(api_key='attacker-key-0000000000');
CREATE VIRTUAL TABLE t3 USING setter_conversations('http://127.0.0.1:{EVIL_PORT}');
CREATE VIRTUAL TABLE mine USING setter_conversations;
CREATE VIRTUAL TABLE r USING setter_requests;
CREATE VIRTUAL TABLE s USING setter_settings;
SELECT count(*) FROM sqlite_schema;
-- expect:
-- Error: no such module: setter_conversations
-- Error: no such module: setter_conversations
-- Error: no such module: setter_conversations
-- Error: no such module: setter_conversations
-- Error: no such module: setter_requests
-- Error: no such module: setter_settings
-- 0

-- case: a hostile database file whose schema holds setter_conversations(base_url=evil) (written with writable_schema) is refused on use and sends nothing
-- requests: 1
-- evil-requests: 0
.open {TMP}/hostile.db
CREATE TABLE plain(x);
.output /dev/null
.dbconfig defensive off
.output
PRAGMA writable_schema = ON;
INSERT INTO sqlite_schema(type, name, tbl_name, rootpage, sql) VALUES ('table', 'evil', 'evil', 0,
  'CREATE VIRTUAL TABLE evil USING setter_conversations(base_url=''http://127.0.0.1:{EVIL_PORT}'', api_key=''attacker-key-0000000000'')');
PRAGMA writable_schema = OFF;
.open {TMP}/hostile.db
.load {EXT}
SELECT count(*) FROM evil WHERE bot_integration_id = 123 AND user_number = '1234567890';
SELECT count(*) FROM evil(123, '1234567890');
SELECT setter_config('base_url') = 'http://127.0.0.1:{PORT}', setter_config('api_key');
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect:
-- Error: setter_conversations: takes no arguments: settings come from the SETTER_* environment or setter_config()
-- Error: setter_conversations: takes no arguments: settings come from the SETTER_* environment or setter_config()
-- 1|****cdef
-- 3

-- ---- base_url rules ----

-- case: base_url http://example.com is refused with an error saying https is required, and base_url is unchanged
-- requests: 0
SELECT setter_config('base_url', 'http://example.com');
SELECT setter_config('base_url', 'http://example.com:80/');
SELECT setter_config('base_url') = 'http://127.0.0.1:{PORT}';
-- expect:
-- Error: setter_config: base_url must use https (plain http is allowed only to loopback addresses such as 127.0.0.1): 'http://example.com'
-- Error: setter_config: base_url must use https (plain http is allowed only to loopback addresses such as 127.0.0.1): 'http://example.com:80/'
-- 1

-- case: an https base_url is accepted (trailing slashes dropped), and NULL restores the default
-- requests: 0
SELECT setter_config('base_url', 'https://example.com');
SELECT setter_config('base_url', 'https://api.example.com:8443/prefix/');
SELECT setter_config('base_url', NULL);
-- expect:
-- https://example.com
-- https://api.example.com:8443/prefix
-- https://chat.trysetter.com

-- case: plain http to localhost is accepted and works
-- requests: 1
SELECT setter_config('base_url', 'http://localhost:{PORT}');
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect:
-- http://localhost:{PORT}
-- 3

-- case: plain http to other loopback forms is accepted: [::1], 127.x.y.z, 127.1
-- requests: 0
SELECT setter_config('base_url', 'http://[::1]:{PORT}');
SELECT setter_config('base_url', 'http://127.8.9.10:{PORT}');
SELECT setter_config('base_url', 'http://127.1:{PORT}');
-- expect:
-- http://[::1]:{PORT}
-- http://127.8.9.10:{PORT}
-- http://127.1:{PORT}

-- case: look-alike hosts are not loopback: 127.0.0.1.evil.example, localhost.evil.example, 0.0.0.0, ::ffff:127.0.0.1
-- requests: 0
SELECT setter_config('base_url', 'http://127.0.0.1.evil.example');
SELECT setter_config('base_url', 'http://localhost.evil.example');
SELECT setter_config('base_url', 'http://0.0.0.0:{EVIL_PORT}');
SELECT setter_config('base_url', 'http://[::ffff:127.0.0.1]:{EVIL_PORT}');
SELECT setter_config('base_url') = 'http://127.0.0.1:{PORT}';
-- expect:
-- Error: setter_config: base_url must use https (plain http is allowed only to loopback addresses such as 127.0.0.1): 'http://127.0.0.1.evil.example'
-- Error: setter_config: base_url must use https (plain http is allowed only to loopback addresses such as 127.0.0.1): 'http://localhost.evil.example'
-- Error: setter_config: base_url must use https (plain http is allowed only to loopback addresses such as 127.0.0.1): 'http://0.0.0.0:{EVIL_PORT}'
-- Error: setter_config: base_url must use https (plain http is allowed only to loopback addresses such as 127.0.0.1): 'http://[::ffff:127.0.0.1]:{EVIL_PORT}'
-- 1

-- case: other schemes (ftp, file, gopher, one no libcurl knows) and scheme-less text are refused, whatever protocols libcurl was built with
-- requests: 0
SELECT setter_config('base_url', 'ftp://127.0.0.1/');
SELECT setter_config('base_url', 'gopher://127.0.0.1:{EVIL_PORT}/');
SELECT setter_config('base_url', 'setter://127.0.0.1/');
SELECT setter_config('base_url', 'file:///etc/passwd');
SELECT setter_config('base_url', 'chat.trysetter.com');
SELECT setter_config('base_url') = 'http://127.0.0.1:{PORT}';
-- expect:
-- Error: setter_config: base_url must be an https URL: 'ftp://127.0.0.1/'
-- Error: setter_config: base_url must be an https URL: 'gopher://127.0.0.1:{EVIL_PORT}/'
-- Error: setter_config: base_url must be an https URL: 'setter://127.0.0.1/'
-- Error: setter_config: base_url is not a valid URL: 'file:///etc/passwd'
-- Error: setter_config: base_url is not a valid URL: 'chat.trysetter.com'
-- 1

-- case: a base_url with user:pass@, a user@ that hides another host, a query or a fragment is refused
-- requests: 0
SELECT setter_config('base_url', 'https://user:pass@example.com');
SELECT setter_config('base_url', 'http://127.0.0.1@evil.example');
SELECT setter_config('base_url', 'https://example.com/?x=1');
SELECT setter_config('base_url', 'https://example.com/?');
SELECT setter_config('base_url', 'https://example.com/#frag');
SELECT setter_config('base_url', 'https://example.com\@evil.example');
SELECT setter_config('base_url') = 'http://127.0.0.1:{PORT}';
-- expect:
-- Error: setter_config: base_url must not contain a user name, query or fragment: 'https://user:pass@example.com'
-- Error: setter_config: base_url must not contain a user name, query or fragment: 'http://127.0.0.1@evil.example'
-- Error: setter_config: base_url must not contain a user name, query or fragment: 'https://example.com/?x=1'
-- Error: setter_config: base_url must not contain a user name, query or fragment: 'https://example.com/?'
-- Error: setter_config: base_url must not contain a user name, query or fragment: 'https://example.com/#frag'
-- Error: setter_config: base_url must not contain a user name, query or fragment: 'https://example.com\@evil.example'
-- 1

-- case: an empty fragment ('#' alone) is refused like any fragment (else every API path would become a fragment)
-- requests: 0
SELECT setter_config('base_url', 'https://example.com/#');
SELECT setter_config('base_url') = 'http://127.0.0.1:{PORT}';
-- expect:
-- Error: setter_config: base_url must not contain a user name, query or fragment: 'https://example.com/#'
-- 1

-- case: a base_url with white space or a control character is refused, and the error shows no raw control character
-- requests: 0
SELECT setter_config('base_url', 'https://exa mple.com');
SELECT setter_config('base_url', 'http://127.0.0.1:{PORT}/' || char(13) || char(10) || 'X-Injected: 1');
SELECT 'next';
-- expect-re:
-- Error: setter_config: base_url is not a valid URL: 'https://exa mple\.com'
-- Error: setter_config: base_url is not a valid URL: [^\x00-\x1f\x7f]*
-- next

-- case: an https base_url pointed at a plain-http server fails the TLS handshake with a clear error (no plaintext fallback)
-- timeout: 20
SELECT setter_config('base_url', 'https://127.0.0.1:{PORT}'), setter_config('max_retries', 0);
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect-re:
-- https://127\.0\.0\.1:\d+\|0
-- Error: setter_conversations: request for bot_integration_id 123, user_number '1234567890' failed: .*(SSL|TLS|ssl|tls).*

-- ---- the key never appears ----

-- case: setter_config('api_key') reads back masked: the last 4 characters of a long key, **** for a short one
-- requests: 0
SELECT setter_config('api_key');
SELECT setter_config('api_key', 'short-key');
SELECT setter_config('api_key', NULL);
-- expect:
-- ****cdef
-- ****
--

-- case: a 401 from a server that rejects our key (the evil mock) names the status and hints at the key, without the key
-- requests: 0
-- evil-requests: 1
SELECT setter_config('base_url', 'http://127.0.0.1:{EVIL_PORT}');
SELECT count(*) FROM setter_conversations(123, '1234567890');
SELECT id, method, url, status, attempt, cached, error FROM setter_requests;
-- expect:
-- http://127.0.0.1:{EVIL_PORT}
-- Error: setter_conversations: HTTP 401 for bot_integration_id 123, user_number '1234567890': Invalid API key (check the API key: SETTER_API_KEY or setter_config('api_key', ...))
-- 1|GET|/api/v1/bot-integrations/123/conversations?userNumber=1234567890|401|1|0|

-- case: setter_requests never holds the key, in any column, after successes, HTTP errors and transport failures
-- requests: 3
SELECT setter_config('max_retries', 0), setter_config('timeout_ms', {SCALED:300});
SELECT count(*) FROM setter_conversations(123, '1234567890');
SELECT count(*) FROM setter_conversations(9, 'status-403');
SELECT count(*) FROM setter_conversations(9, 'stall');
SELECT count(*), sum(instr(id || started_at || method || url || coalesce(status, '') || attempt
                           || elapsed_ms || bytes || cached || coalesce(error, ''), '{KEY}') > 0),
       sum(instr(lower(coalesce(error, '') || url), 'bearer') > 0)
FROM setter_requests;
SELECT url, status FROM setter_requests ORDER BY id;
-- expect-re:
-- 0\|{SCALED:300}
-- 3
-- Error: setter_conversations: HTTP 403 for bot_integration_id 9, user_number 'status-403': mock status 403
-- Error: setter_conversations: request for bot_integration_id 9, user_number 'stall' failed: request timed out .*
-- 3\|0\|0
-- /api/v1/bot-integrations/123/conversations\?userNumber=1234567890\|200
-- /api/v1/bot-integrations/9/conversations\?userNumber=status-403\|403
-- /api/v1/bot-integrations/9/conversations\?userNumber=stall\|

-- case: a user_number that contains the key is logged in setter_requests.url with the key as ****, also when percent-encoded
-- requests: 2
SELECT setter_config('max_retries', 0);
SELECT count(*) FROM setter_conversations(123, 'x{KEY}y');
SELECT setter_config('api_key', 'key with spaces&more!') IS NOT NULL;
SELECT count(*) FROM setter_conversations(123, 'a key with spaces&more! b');
SELECT url FROM setter_requests ORDER BY id;
-- expect:
-- 0
-- 0
-- 1
-- Error: setter_conversations: HTTP 401 for bot_integration_id 123, user_number 'a **** b': Invalid API key (check the API key: SETTER_API_KEY or setter_config('api_key', ...))
-- /api/v1/bot-integrations/123/conversations?userNumber=x****y
-- /api/v1/bot-integrations/123/conversations?userNumber=a%20****%20b

-- case: server text that contains the key is redacted from the error (key 'Invalid API key' meets the mock's 401 message)
-- requests: 1
SELECT setter_config('api_key', 'Invalid API key');
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect:
-- ****
-- Error: setter_conversations: HTTP 401 for bot_integration_id 123, user_number '1234567890': **** (check the API key: SETTER_API_KEY or setter_config('api_key', ...))

-- case: a key with CR/LF (header injection) or other control characters is refused and the old key stays in use
-- requests: 1
SELECT setter_config('api_key', 'abc' || char(13) || char(10) || 'X-Injected: 1');
SELECT setter_config('api_key', 'abc' || char(10));
SELECT setter_config('api_key', 'abc' || char(9) || 'def');
SELECT setter_config('api_key', 'abc' || char(127));
SELECT setter_config('api_key');
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect:
-- Error: setter_config: api_key must be 8 to 4096 bytes without control characters
-- Error: setter_config: api_key must be 8 to 4096 bytes without control characters
-- Error: setter_config: api_key must be 8 to 4096 bytes without control characters
-- Error: setter_config: api_key must be 8 to 4096 bytes without control characters
-- ****cdef
-- 3

-- case: a key or base_url with an embedded NUL is refused, not silently cut at the NUL
-- requests: 1
SELECT setter_config('api_key', 'abc' || char(0) || 'def');
SELECT setter_config('base_url', 'http://127.0.0.1:{PORT}' || char(0) || '.evil.example');
SELECT setter_config('api_key'), setter_config('base_url') = 'http://127.0.0.1:{PORT}';
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect-re:
-- Error: setter_config: api_key must be 8 to 4096 bytes without control characters
-- Error: setter_config: base_url [^\x00-\x1f\x7f]*
-- \*\*\*\*cdef\|1
-- 3

-- case: an api_key_file holding CR/LF inside the key is refused without quoting the file content
-- requests: 0
-- env: -SETTER_API_KEY
SELECT writefile('{TMP}/key', 'abc' || char(13) || char(10) || 'X-Injected: 1' || char(10)) > 0;
SELECT setter_config('api_key_file', '{TMP}/key');
SELECT setter_config('api_key');
-- expect:
-- 1
-- Error: setter_config: api_key_file '{TMP}/key' does not hold a key (one line of 8 to 4096 bytes, no control characters)
--

-- case: an api_key_file with the key and a trailing newline works, and reads back masked
-- requests: 1
-- env: -SETTER_API_KEY
SELECT writefile('{TMP}/key', '{KEY}' || char(10)) > 0;
SELECT setter_config('api_key_file', '{TMP}/key') = '{TMP}/key', setter_config('api_key');
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect:
-- 1
-- 1|****cdef
-- 3

-- case: SETTER_API_KEY_FILE naming a FIFO does not block loading: the query fails at once, naming the variable
-- posix-only: makes a FIFO and a big file with mkfifo, head and tr through `.system`; Windows has no FIFOs of this kind
-- env: -SETTER_API_KEY
-- env: SETTER_API_KEY_FILE={TMP}/fifo
-- requests: 0
-- timeout: 20
.system mkfifo {TMP}/fifo
.open :memory:
.load {EXT}
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect:
-- Error: setter_conversations: SETTER_API_KEY_FILE: api_key_file '{TMP}/fifo' is not a regular file; fix the variable, or run SELECT setter_config('api_key_file', ...)

-- case: an api_key_file or ca_bundle that is a FIFO, a directory or a device is refused at once, and a big file is read only up to the bound
-- posix-only: makes a FIFO and a big file with mkfifo, head and tr through `.system`; Windows has no FIFOs of this kind
-- env: -SETTER_API_KEY
-- requests: 0
-- timeout: 20
.system mkfifo {TMP}/fifo
.system head -c 300000 /dev/zero | tr '\000' k > {TMP}/big
SELECT setter_config('api_key_file', '{TMP}/fifo');
SELECT setter_config('api_key_file', '{TMP}');
SELECT setter_config('api_key_file', '/dev/zero');
SELECT setter_config('api_key_file', '{TMP}/big');
SELECT setter_config('ca_bundle', '{TMP}/fifo');
SELECT setter_config('ca_bundle', '/dev/zero');
SELECT setter_config('api_key_file'), setter_config('ca_bundle');
-- expect:
-- Error: setter_config: api_key_file '{TMP}/fifo' is not a regular file
-- Error: setter_config: api_key_file '{TMP}' is not a regular file
-- Error: setter_config: api_key_file '/dev/zero' is not a regular file
-- Error: setter_config: api_key_file '{TMP}/big' is too large to be a key
-- Error: setter_config: ca_bundle '{TMP}/fifo' is not a regular file
-- Error: setter_config: ca_bundle '/dev/zero' is not a regular file
-- |

-- ---- redirects ----

-- case: a redirect to another host is not followed: the error names the Location, 1 request, nothing elsewhere
-- requests: 1
-- evil-requests: 0
SELECT count(*) FROM setter_conversations(9, 'redirect');
-- expect:
-- Error: setter_conversations: HTTP 302 for bot_integration_id 9, user_number 'redirect': redirect to 'http://127.0.0.1:1/elsewhere' not followed (the API key is sent only to base_url)

-- case: a redirect to the same origin is not followed either (an error, never the other contact's rows)
-- requests: 1
SELECT count(*) FROM setter_conversations(9, 'redirect-same');
-- expect:
-- Error: setter_conversations: HTTP 302 for bot_integration_id 9, user_number 'redirect-same': redirect to 'http://127.0.0.1:{PORT}/api/v1/bot-integrations/123/conversations?userNumber=1234567890' not followed (the API key is sent only to base_url)

-- case: a hostile CHECK in a schema that was read BEFORE the extension was loaded cannot change settings either, also when the user's own INSERT reads a setting with setter_config(name)
-- requests: 1
-- evil-requests: 0
.open {TMP}/hostile2.db
CREATE TABLE c(a CHECK (1));
.output /dev/null
.dbconfig defensive off
.output
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = 'CREATE TABLE c(a CHECK (setter_config(''base_url'', ''http://127.0.0.1:{EVIL_PORT}'') IS NOT NULL))'
WHERE name = 'c';
PRAGMA writable_schema = OFF;
.open {TMP}/hostile2.db
SELECT count(*) FROM sqlite_schema;
.load {EXT}
INSERT INTO c VALUES ('see setter_config(...) in the README'); -- setter_config( only in a string
INSERT INTO c VALUES (1); /* setter_config('x', 1) only in a comment */
INSERT INTO c VALUES (setter_config('timeout_ms'));
SELECT setter_config('base_url') = 'http://127.0.0.1:{PORT}';
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect:
-- 1
-- Error: setter_config: settings can be changed only by a SELECT or VALUES statement that names no table (no FROM, no IN), while no other statement of this connection is running (never from a CHECK constraint, DEFAULT, generated column, index, view or trigger)
-- Error: setter_config: settings can be changed only by a SELECT or VALUES statement that names no table (no FROM, no IN), while no other statement of this connection is running (never from a CHECK constraint, DEFAULT, generated column, index, view or trigger)
-- Error: setter_config: settings can be changed only by a SELECT or VALUES statement that names no table (no FROM, no IN), while no other statement of this connection is running (never from a CHECK constraint, DEFAULT, generated column, index, view or trigger)
-- 1
-- 3

-- case: the key can be set from a file in the shell with readfile(), a statement of its own that names no table
-- env: -SETTER_API_KEY
-- requests: 1
SELECT writefile('{TMP}/key.txt', '{KEY}') > 0;
SELECT setter_config('api_key', readfile('{TMP}/key.txt')) IS NOT NULL;
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect:
-- 1
-- 1
-- 3

-- case: setter_config called directly still works when its name is quoted or spaced out
SELECT "setter_config" ('timeout_ms', 1234);
SELECT setter_config  ('timeout_ms');
-- expect:
-- 1234
-- 1234

-- case: a key made of its own mask ('********') is redacted from errors without looping forever
-- env: SETTER_API_KEY=********
-- requests: 1
-- timeout: 10
SELECT count(*) FROM setter_conversations(403, '********');
-- expect:
-- Error: setter_conversations: HTTP 401 for bot_integration_id 403, user_number '****': Invalid API key (check the API key: SETTER_API_KEY or setter_config('api_key', ...))

-- case: a database file can shadow the extension's tables with its own view or table (fake rows, no request); the README's check lists such names
-- sqlite: >= 3.37.0 (pragma_table_list is SQLite 3.37+)
-- requests: 0
.open {TMP}/shadow.db
CREATE VIEW setter_conversations AS
  SELECT 123 AS bot_integration_id, '1234567890' AS user_number, 'fake' AS content;
CREATE TABLE setter_requests(url TEXT);
.open {TMP}/shadow.db
.load {EXT}
SELECT content FROM setter_conversations WHERE bot_integration_id = 123 AND user_number = '1234567890';
SELECT schema, name, type FROM pragma_table_list
WHERE name IN ('setter_conversations', 'setter_requests', 'setter_settings') ORDER BY name;
-- expect:
-- fake
-- main|setter_conversations|view
-- main|setter_requests|table

-- case: the shadowing check lists nothing for a database that does not shadow the tables (the extension's own tables are not listed)
-- sqlite: >= 3.37.0 (pragma_table_list is SQLite 3.37+)
-- requests: 1
SELECT count(*) FROM setter_conversations(123, '1234567890');
SELECT count(*) FROM setter_requests;
SELECT count(*) FROM pragma_table_list
WHERE name IN ('setter_conversations', 'setter_requests', 'setter_settings');
-- expect:
-- 3
-- 1
-- 0

-- case: with trusted_schema off (the sqlite3 shell's default from SQLite 3.46 at the latest), a trigger or view of the user's schema cannot read setter_conversations, and nothing is sent
-- requests: 0
PRAGMA trusted_schema = OFF;
CREATE TABLE t(id);
CREATE TRIGGER tr AFTER INSERT ON t BEGIN
  SELECT count(*) FROM setter_conversations(777, 'b');
END;
INSERT INTO t VALUES (1);
CREATE VIEW v AS SELECT count(*) FROM setter_conversations(777, 'b');
SELECT * FROM v;
-- expect:
-- Error: unsafe use of virtual table "setter_conversations"
-- Error: unsafe use of virtual table "setter_conversations"

-- case: the key given by mistake as another setting's value is not echoed by setter_config's error
-- requests: 0
SELECT setter_config('timeout_ms', '{KEY}');
SELECT setter_config('api_key_file', '{KEY}');
-- expect-re:
-- Error: setter_config: timeout_ms must be an integer from 1 to 3600000, not '\*\*\*\*'
-- Error: setter_config: cannot read api_key_file '\*\*\*\*': .*

-- case: a refused SETTER_TIMEOUT_MS holding the key reads back masked in setter_settings, as it is in the query error
-- env: SETTER_TIMEOUT_MS={KEY}
-- requests: 0
SELECT value FROM setter_settings WHERE name = 'timeout_ms';
SELECT setter_config('timeout_ms');
-- expect:
-- ****
-- ****

-- case: a view or trigger in a database file cannot read setter_settings or setter_requests (as it cannot read setter_config(name))
-- requests: 1
SELECT count(*) FROM setter_conversations(777, 'b');
CREATE VIEW s AS SELECT name, value FROM setter_settings WHERE name IN ('api_key', 'base_url');
CREATE VIEW r AS SELECT url FROM setter_requests;
SELECT * FROM s;
SELECT * FROM r;
-- expect-re:
-- 3
-- Error: .*unsafe use of virtual table "setter_settings".*
-- Error: .*unsafe use of virtual table "setter_requests".*
