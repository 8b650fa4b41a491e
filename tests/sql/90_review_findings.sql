-- Adversarial review (branch review): each case fails on the reviewed build and pins the
-- behaviour the contract (design.md, README.md) promises.  bot 777: 'b' -> 981,982,983.

-- case: review: a trigger that reads raw_json shares its statement's fetch (one request per lookup per statement)
-- requests: 1
-- (a trigger may read the table only with trusted_schema on: 40_security.sql)
PRAGMA trusted_schema = ON;
CREATE TABLE t(id, content);
CREATE TABLE audit(id, raw);
CREATE TRIGGER tr AFTER INSERT ON t BEGIN
  INSERT INTO audit SELECT message_id, json_extract(raw_json, '$.content')
  FROM setter_conversations(777, 'b') WHERE message_id = new.id;
END;
INSERT INTO t SELECT message_id, content FROM setter_conversations(777, 'b');
SELECT count(*) FROM t JOIN audit USING (id) WHERE t.content = audit.raw;
-- expect:
-- 3

-- case: review: a hostile CHECK cannot redirect the key when the user's own INSERT reads a setting with setter_config(name)
-- requests: 1
-- evil-requests: 0
.open {TMP}/hostile3.db
CREATE TABLE c(a CHECK (1));
.output /dev/null
.dbconfig defensive off
.output
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = 'CREATE TABLE c(a CHECK (setter_config(''base_url'', ''http://127.0.0.1:{EVIL_PORT}'') IS NOT NULL))'
WHERE name = 'c';
PRAGMA writable_schema = OFF;
.open {TMP}/hostile3.db
SELECT count(*) FROM sqlite_schema;
.load {EXT}
INSERT INTO c VALUES (setter_config('timeout_ms'));
SELECT setter_config('base_url') = 'http://127.0.0.1:{PORT}';
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect:
-- 1
-- Error: setter_config: settings can be changed only by a statement that itself calls setter_config (not from a CHECK constraint, DEFAULT, view or trigger)
-- 1
-- 3

-- case: review: the key given by mistake as another setting's value is not echoed by setter_config's error
-- requests: 0
SELECT setter_config('timeout_ms', '{KEY}');
SELECT setter_config('api_key_file', '{KEY}');
-- expect-re:
-- Error: setter_config: timeout_ms must be an integer from 1 to 3600000, not '\*\*\*\*'
-- Error: setter_config: cannot read api_key_file '\*\*\*\*': .*

-- case: review: a refused SETTER_TIMEOUT_MS holding the key reads back masked in setter_settings, as it is in the query error
-- env: SETTER_TIMEOUT_MS={KEY}
-- requests: 0
SELECT value FROM setter_settings WHERE name = 'timeout_ms';
SELECT setter_config('timeout_ms');
-- expect:
-- ****
-- ****

-- case: review: a view or trigger in a database file cannot read setter_settings or setter_requests (as it cannot read setter_config(name))
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

-- case: review: an empty SETTER_API_KEY does not throw away the key of a valid SETTER_API_KEY_FILE (empty means unset, as for every other SETTER_* variable)
-- env: SETTER_API_KEY=
-- env: SETTER_API_KEY_FILE={TMP}/key
-- requests: 1
SELECT writefile('{TMP}/key', '{KEY}' || char(10)) > 0;
.open :memory:
.load {EXT}
SELECT count(*) FROM setter_conversations(777, 'b');
-- expect:
-- 1
-- 3
