-- setter_requests, setter_version(), progress reporting, make install / uninstall.

-- case: setter_requests has the documented columns in order
SELECT group_concat(name, ',') FROM pragma_table_info('setter_requests');
-- expect:
-- id,started_at,method,url,status,attempt,elapsed_ms,bytes,cached,messages,error,bot_integration_id,user_number,session_id

-- case: a successful request is logged with path and query, status, attempt, body bytes, no error
-- requests: 1
SELECT count(*) FROM setter_conversations(123, '1234567890');
.mode quote
SELECT id, method, url, status, attempt, bytes, cached, error FROM setter_requests;
SELECT elapsed_ms >= 0, started_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'
FROM setter_requests;
-- expect:
-- 3
-- 1,'GET','/api/v1/bot-integrations/123/conversations?userNumber=1234567890',200,1,1142,0,NULL
-- 1,1

-- case: the log shows every attempt of a retried lookup with its status, and the failed one with its error
-- requests: 3
SELECT setter_config('max_retries', 1) IS NOT NULL;
SELECT count(*) FROM setter_conversations(9, 'flaky-503-1-log');
SELECT count(*) FROM setter_conversations(9, 'status-404');
.mode quote
SELECT attempt, status, url, error IS NULL FROM setter_requests ORDER BY id;
-- expect:
-- 1
-- 1
-- Error: setter_conversations: HTTP 404 for bot_integration_id 9, user_number 'status-404': mock status 404
-- 1,503,'/api/v1/bot-integrations/9/conversations?userNumber=flaky-503-1-log',1
-- 2,200,'/api/v1/bot-integrations/9/conversations?userNumber=flaky-503-1-log',1
-- 1,404,'/api/v1/bot-integrations/9/conversations?userNumber=status-404',1

-- case: a transport failure is logged without a status and with its error text
-- requests: 1
SELECT setter_config('max_retries', 0) IS NOT NULL;
SELECT count(*) FROM setter_conversations(9, 'drop');
.mode quote
SELECT attempt, status, error IS NOT NULL, bytes FROM setter_requests;
-- expect-re:
-- 1
-- Error: setter_conversations: request for bot_integration_id 9, user_number 'drop' failed: .*
-- 1,NULL,1,0

-- case: the log keeps the last 1,000 requests, oldest first, with increasing ids
-- requests: 1005
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 123 AND user_number IN (
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1005)
  SELECT 'nobody-' || i FROM n);
SELECT count(*), min(id), max(id), count(DISTINCT url) FROM setter_requests;
SELECT count(*) FROM setter_requests AS a JOIN setter_requests AS b ON b.id = a.id + 1;
-- expect:
-- 0
-- 1000|6|1005|1000
-- 999

-- case: setter_requests shows only the path and query, never the scheme, host or key
-- requests: 1
SELECT count(*) FROM setter_conversations(5) WHERE session_id = 42;
SELECT url, instr(url, '127.0.0.1'), instr(url, 'http') FROM setter_requests;
-- expect:
-- 2
-- /api/v1/bot-integrations/5/conversations?sessionId=42|0|0

-- case: setter_requests is eponymous only: CREATE VIRTUAL TABLE is refused
CREATE VIRTUAL TABLE r USING setter_requests(x);
-- expect:
-- Error: no such module: setter_requests

-- case: setter_version() is the semantic version also sent in the User-Agent
SELECT setter_version() GLOB '[0-9]*.[0-9]*.[0-9]*', typeof(setter_version());
-- expect:
-- 1|text

-- case: SETTER_PROGRESS=1 reports bulk progress on stderr and the progress setting reads back 1
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
-- env: SETTER_PROGRESS=1
-- requests: 3
SELECT setter_config('progress');
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 777 AND user_number IN ('p1', 'p2', 'p3');
-- expect-re:
-- 1
-- (?*)setter: [0-2]/3 lookups done
-- setter: 3/3 lookups done
-- \d+

-- case: without SETTER_PROGRESS nothing is written to stderr by a bulk lookup
-- requests: 3
SELECT count(*) > 0 FROM setter_conversations
WHERE bot_integration_id = 777 AND user_number IN ('p1', 'p2', 'p3');
-- expect:
-- 1

-- case: make install copies a working extension under DESTDIR/PREFIX/lib, .load of its full path works, and make uninstall removes it
-- posix-only: make install/uninstall and sh tests through .system
-- native-only: make install installs the host's own build (dist/setter.so), which a cross-built shell cannot load
-- requests: 1
.system make -s -C {ROOT} install DESTDIR={TMP} PREFIX=/usr >/dev/null && test -f {TMP}/usr/lib/setter.so && echo installed
.system sqlite3 :memory: '.load {TMP}/usr/lib/setter' "SELECT count(*) FROM setter_conversations(123, '1234567890')"
.system cd {TMP}/usr/lib && sqlite3 :memory: '.load setter' 2>&1 | grep -c 'cannot open shared object file'
.system make -s -C {ROOT} uninstall DESTDIR={TMP} PREFIX=/usr >/dev/null && test ! -e {TMP}/usr/lib/setter.so && echo uninstalled
-- expect:
-- installed
-- 3
-- 1
-- uninstalled

-- case: loading the extension again into the same connection keeps its settings and state
-- requests: 1
SELECT setter_config('timeout_ms', 5000), setter_config('api_key', 'other-key-abcdefghijkl');
SELECT count(*) FROM setter_conversations(123, 'nobody');
.load {EXT}
SELECT setter_config('timeout_ms'), setter_config('api_key'), (SELECT count(*) FROM setter_requests);
-- expect:
-- 5000|****ijkl
-- Error: setter_conversations: HTTP 401 for bot_integration_id 123, user_number 'nobody': Invalid API key (check the API key: SETTER_API_KEY or setter_config('api_key', ...))
-- 5000|****ijkl|1

-- case: setter_requests.messages is the number of messages in each answer (0 for a contact that matched nothing), NULL when the request failed; cached answers show theirs
-- requests: 3
.mode quote
SELECT setter_config('max_retries', 0) IS NOT NULL, setter_config('cache_ttl', 60);
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 123 AND user_number IN ('1234567890', 'nobody');
SELECT count(*) FROM setter_conversations(9, 'status-404');
SELECT count(*) FROM setter_conversations(123, '1234567890');
SELECT url, status, cached, messages FROM setter_requests ORDER BY cached, url;
-- expect:
-- 1,60
-- 3
-- Error: setter_conversations: HTTP 404 for bot_integration_id 9, user_number 'status-404': mock status 404
-- 3
-- '/api/v1/bot-integrations/123/conversations?userNumber=1234567890',200,0,3
-- '/api/v1/bot-integrations/123/conversations?userNumber=nobody',200,0,0
-- '/api/v1/bot-integrations/9/conversations?userNumber=status-404',404,0,NULL
-- '/api/v1/bot-integrations/123/conversations?userNumber=1234567890',200,1,3

-- case: the leads whose conversation came back empty, from setter_requests.messages
-- requests: 3
CREATE TABLE leads(name TEXT, phone TEXT);
INSERT INTO leads VALUES ('Ann', '1234567890'), ('Bob', 'nobody'), ('Cy', 'unicode');
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 123 AND user_number IN (SELECT phone FROM leads);
SELECT l.name FROM leads l JOIN setter_requests r
  ON r.url = '/api/v1/bot-integrations/123/conversations?userNumber=' || l.phone
WHERE r.messages = 0;
-- expect:
-- 9
-- Bob

-- case: a plain join that fetches one contact at a time says once, on stderr (progress 1), that an IN list fetches them in parallel
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
-- requests: 12
SELECT setter_config('progress', 1);
CREATE TABLE leads(phone TEXT);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 12)
INSERT INTO leads SELECT 'lead-' || i FROM s;
SELECT count(*) FROM leads l LEFT JOIN setter_conversations c
  ON c.bot_integration_id = 123 AND c.user_number = l.phone;
-- expect:
-- 1
-- setter: this statement fetches one contact at a time (a join); add AND c.user_number IN (SELECT ...) to fetch them in parallel
-- 12

-- case: with progress 0 (and with auto when stderr is not a terminal) the serial-join hint is not printed
-- requests: 24
CREATE TABLE leads(phone TEXT);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 12)
INSERT INTO leads SELECT 'lead-' || i FROM s;
SELECT count(*) FROM leads l LEFT JOIN setter_conversations c
  ON c.bot_integration_id = 123 AND c.user_number = l.phone;
SELECT setter_config('progress', 0);
SELECT count(*) FROM leads l LEFT JOIN setter_conversations c
  ON c.bot_integration_id = 123 AND c.user_number = l.phone;
-- expect:
-- 12
-- 0
-- 12

-- case: setter_requests names each lookup: bot_integration_id, user_number decoded as the query gave it ('+', spaces, '&'), session_id
-- requests: 4
.mode quote
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 123 AND user_number IN ('1234567890', 'echo+1 a&b%2B');
SELECT count(*) FROM setter_conversations(5) WHERE session_id = 42;
SELECT count(*) FROM setter_conversations(777, 1234567);
SELECT url, bot_integration_id, user_number, session_id, typeof(user_number) FROM setter_requests ORDER BY url;
-- expect:
-- 4
-- 2
-- 2
-- '/api/v1/bot-integrations/123/conversations?userNumber=1234567890',123,'1234567890',NULL,'text'
-- '/api/v1/bot-integrations/123/conversations?userNumber=echo%2B1%20a%26b%252B',123,'echo+1 a&b%2B',NULL,'text'
-- '/api/v1/bot-integrations/5/conversations?sessionId=42',5,NULL,42,'null'
-- '/api/v1/bot-integrations/777/conversations?userNumber=1234567',777,'1234567',NULL,'text'

-- case: the leads that came back empty: a join of leads with setter_requests on (bot_integration_id, user_number), also for numbers with '+'
-- requests: 4
.mode list
CREATE TABLE leads(name TEXT, phone TEXT);
INSERT INTO leads VALUES ('Ann', '1234567890'), ('Ben', '+15550100099'), ('Cy', 'echo+1 555'),
                         ('Dee', '+1 555 010 0098');
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 123 AND user_number IN (SELECT phone FROM leads);
SELECT l.name, l.phone FROM leads l JOIN setter_requests r
  ON r.bot_integration_id = 123 AND r.user_number = l.phone
WHERE r.messages = 0 ORDER BY l.name;
-- expect:
-- 4
-- Ben|+15550100099
-- Dee|+1 555 010 0098
