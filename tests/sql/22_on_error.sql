-- on_error: 'fail' (default) fails the statement on a failed lookup; 'row' gives that lookup one
-- row with its inputs, NULL message columns and the error in the hidden column lookup_error.
-- With cache_ttl, the good answers of a failed statement are kept, so a rerun asks only for what
-- failed. The interrupt case is in tests/test_interrupt.py.

-- case: on_error is 'fail' by default, listed by setter_settings, set to 'row' by setter_config or SETTER_ON_ERROR, anything else refused
-- requests: 0
-- env: SETTER_ON_ERROR=row
.mode list
SELECT name, value, default_value, source FROM setter_settings WHERE name = 'on_error';
SELECT setter_config('on_error', NULL), setter_config('on_error', 'row'), setter_config('on_error');
SELECT setter_config('on_error', 'skip');
SELECT setter_config('on_error');
-- expect:
-- on_error|row|fail|environment
-- fail|row|row
-- Error: setter_config: on_error must be 'fail' or 'row', not 'skip'
-- row

-- case: a bad SETTER_ON_ERROR fails setter_conversations queries, naming the variable
-- requests: 0
-- env: SETTER_ON_ERROR=rows
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect:
-- Error: setter_conversations: SETTER_ON_ERROR: on_error must be 'fail' or 'row', not 'rows'; fix the variable, or run SELECT setter_config('on_error', ...)

-- case: lookup_error is the last column, hidden, after raw_json
-- requests: 0
SELECT group_concat(name || ':' || hidden, ' ') FROM pragma_table_xinfo('setter_conversations')
WHERE cid >= 16;
-- expect:
-- raw_json:1 lookup_error:1

-- case: on_error 'row': a failed single lookup is one row with its inputs, every message column NULL, and lookup_error the very text of the error under 'fail'; the statement succeeds
-- requests: 2
.mode quote
SELECT * FROM setter_conversations(9, 'status-404');
SELECT setter_config('on_error', 'row');
SELECT bot_integration_id, user_number, session_id, message_id, sender_type, content, created_at,
       latest_status, failure_reason, error_code, error_title, error_message, error_details,
       platform_resource_id, context_starts_at, in_context, raw_json, lookup_error
FROM setter_conversations(9, 'status-404');
SELECT 'the statement succeeded';
-- expect:
-- Error: setter_conversations: HTTP 404 for bot_integration_id 9, user_number 'status-404': mock status 404
-- 'row'
-- 9,'status-404',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,'setter_conversations: HTTP 404 for bot_integration_id 9, user_number ''status-404'': mock status 404'
-- 'the statement succeeded'

-- case: on_error 'row': the good lookups of an IN list have their rows with lookup_error NULL, each failure (HTTP error after retries, transport failure, bad answer) one row; one request per attempt
-- requests: 8
.mode quote
SELECT setter_config('on_error', 'row'), setter_config('max_retries', 1);
SELECT user_number, count(*), count(message_id), lookup_error FROM setter_conversations
WHERE bot_integration_id = 9
  AND user_number IN ('status-500-inlist', 'invalid', 'flaky-503-1-inlist', 'big-100-ok')
GROUP BY user_number ORDER BY user_number;
SELECT setter_config('max_retries', 0);
SELECT user_number, count(*), count(message_id), lookup_error FROM setter_conversations
WHERE bot_integration_id = 9 AND user_number IN ('short-body', 'big-100-ok')
GROUP BY user_number ORDER BY user_number;
-- expect:
-- 'row',1
-- 'big-100-ok',1,1,NULL
-- 'flaky-503-1-inlist',1,1,NULL
-- 'invalid',1,0,'setter_conversations: bad response for bot_integration_id 9, user_number ''invalid'': expected a member name at byte 24, in data[0]'
-- 'status-500-inlist',1,0,'setter_conversations: HTTP 500 for bot_integration_id 9, user_number ''status-500-inlist'' after 2 attempts: mock status 500'
-- 0
-- 'big-100-ok',1,1,NULL
-- 'short-body',1,0,'setter_conversations: request for bot_integration_id 9, user_number ''short-body'' failed: connection closed before the whole response arrived (transfer closed with 4900 bytes remaining to read)'

-- case: on_error 'row' in a plain join (one lookup per outer row): the earlier and later leads keep their rows, the failing lead has one row; a LEFT JOIN too
-- requests: 6
.mode list
CREATE TABLE leads(name TEXT, bot INTEGER, phone TEXT);
INSERT INTO leads VALUES ('Ann', 123, '1234567890'), ('Bad', 9, 'status-503-join'),
                         ('Cy', 123, 'echo-cy');
SELECT setter_config('on_error', 'row'), setter_config('max_retries', 0);
SELECT l.name, c.message_id, c.lookup_error
FROM leads l JOIN setter_conversations c ON c.bot_integration_id = l.bot AND c.user_number = l.phone
ORDER BY l.rowid, c.message_id;
SELECT l.name, count(c.message_id), max(c.lookup_error IS NOT NULL)
FROM leads l LEFT JOIN setter_conversations c
  ON c.bot_integration_id = l.bot AND c.user_number = l.phone
GROUP BY l.rowid;
-- expect:
-- row|0
-- Ann|789|
-- Ann|790|
-- Ann|791|
-- Bad||setter_conversations: HTTP 503 for bot_integration_id 9, user_number 'status-503-join': mock status 503
-- Cy|1|
-- Ann|3|0
-- Bad|0|1
-- Cy|1|0

-- case: on_error 'row' in a join with the parallel IN form: one batch, the failing lead's row, no contact asked twice
-- requests: 3
.mode list
CREATE TABLE leads(name TEXT, phone TEXT);
INSERT INTO leads VALUES ('Ann', 'big-100-ann'), ('Bad', 'status-502-joinin'), ('Cy', 'big-100-cy');
SELECT setter_config('on_error', 'row'), setter_config('max_retries', 0);
SELECT l.name, count(c.message_id), max(c.lookup_error)
FROM leads l JOIN setter_conversations c
  ON c.bot_integration_id = 9 AND c.user_number = l.phone
 AND c.user_number IN (SELECT phone FROM leads)
GROUP BY l.rowid;
-- expect:
-- row|0
-- Ann|1|
-- Bad|0|setter_conversations: HTTP 502 for bot_integration_id 9, user_number 'status-502-joinin': mock status 502
-- Cy|1|

-- case: on_error 'row': a failed lookup is asked once per statement, also from two references to it
-- requests: 1
.mode list
SELECT setter_config('on_error', 'row'), setter_config('max_retries', 0);
SELECT (SELECT count(*) FROM setter_conversations(9, 'status-404')),
       (SELECT lookup_error FROM setter_conversations(9, 'status-404'));
-- expect:
-- row|0
-- 1|setter_conversations: HTTP 404 for bot_integration_id 9, user_number 'status-404': mock status 404

-- case: on_error 'row': errors of the statement as a whole still fail it (no key, max_lookups, a bad setting, a bad input)
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
-- requests: 0
-- env: SETTER_ON_ERROR=row
SELECT setter_config('max_lookups', 2);
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 123 AND user_number IN ('a', 'b', 'c');
SELECT setter_config('max_lookups', NULL);
SELECT count(*) FROM setter_conversations(-1, 'a');
SELECT setter_config('api_key', NULL);
SELECT count(*) FROM setter_conversations(123, 'a');
-- expect-re:
-- 2
-- Error: setter_conversations: 3 lookups \(1 bot_integration_id x 3 user_number\) is more than max_lookups \(2\).*
-- 100000
-- Error: setter_conversations: bot_integration_id must be a positive integer.*
-- 
-- Error: setter_conversations: no API key.*

-- case: on_error 'row': a bad SETTER_* value still fails the statement
-- requests: 0
-- env: SETTER_ON_ERROR=row
-- env: SETTER_TIMEOUT_MS=abc
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect:
-- Error: setter_conversations: SETTER_TIMEOUT_MS: timeout_ms must be an integer from 1 to 3600000, not 'abc'; fix the variable, or run SELECT setter_config('timeout_ms', ...)

-- case: with cache_ttl, a failed statement keeps its good answers: the rerun asks only for the lookup that failed, and no contact is asked twice
-- requests: 5
.mode list
SELECT setter_config('cache_ttl', 60), setter_config('max_retries', 0);
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 9
  AND user_number IN ('big-100-a', 'big-100-b', 'flaky-500-1-rerun', 'big-100-c');
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 9
  AND user_number IN ('big-100-a', 'big-100-b', 'flaky-500-1-rerun', 'big-100-c');
SELECT user_number, group_concat(CASE WHEN cached THEN 'cache' ELSE status END, ' ') FROM setter_requests
GROUP BY user_number ORDER BY user_number;
-- expect:
-- 60|0
-- Error: setter_conversations: HTTP 500 for bot_integration_id 9, user_number 'flaky-500-1-rerun': mock status 500
-- 4
-- big-100-a|200 cache
-- big-100-b|200 cache
-- big-100-c|200 cache
-- flaky-500-1-rerun|500 200

-- case: without cache_ttl a failed statement keeps nothing: the rerun asks again
-- requests: >= 4
.mode list
SELECT setter_config('max_retries', 0);
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 9
  AND user_number IN ('big-100-a', 'status-500-nocache');
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 9
  AND user_number IN ('big-100-a', 'status-500-nocache');
SELECT count(*) FROM setter_requests WHERE cached = 1;
-- expect:
-- 0
-- Error: setter_conversations: HTTP 500 for bot_integration_id 9, user_number 'status-500-nocache': mock status 500
-- Error: setter_conversations: HTTP 500 for bot_integration_id 9, user_number 'status-500-nocache': mock status 500
-- 0

-- case: on_error 'row' with cache_ttl: the error row is not kept across statements (the rerun asks again), the good answers are
-- requests: 3
.mode list
SELECT setter_config('cache_ttl', 60), setter_config('max_retries', 0), setter_config('on_error', 'row');
SELECT count(*), count(lookup_error) FROM setter_conversations WHERE bot_integration_id = 9
  AND user_number IN ('big-100-a', 'flaky-500-1-row');
SELECT count(*), count(lookup_error) FROM setter_conversations WHERE bot_integration_id = 9
  AND user_number IN ('big-100-a', 'flaky-500-1-row');
SELECT user_number, group_concat(CASE WHEN cached THEN 'cache' ELSE status END, ' ') FROM setter_requests
GROUP BY user_number ORDER BY user_number;
-- expect:
-- 60|0|row
-- 2|1
-- 2|0
-- big-100-a|200 cache
-- flaky-500-1-row|500 200

-- case: on_error 'row' with a number given both as TEXT and as INTEGER: the failed lookup is asked once and gives one row under each form given, as a good lookup gives its rows under each (so every lead of the IN + join form finds its failure row)
-- sqlite: >= 3.38.0 (before 3.38 an IN list is fetched one value at a time)
-- requests: 1
.mode quote
CREATE TABLE leads(name TEXT, phone);
INSERT INTO leads VALUES ('Ann', '1234567890'), ('Bob', 1234567890);
SELECT setter_config('on_error', 'row');
SELECT l.name, typeof(c.user_number), c.message_id, c.lookup_error
FROM leads l JOIN setter_conversations c
  ON c.bot_integration_id = 404 AND c.user_number = l.phone
 AND c.user_number IN (SELECT phone FROM leads) ORDER BY l.name;
-- expect:
-- 'row'
-- 'Ann','text',NULL,'setter_conversations: HTTP 404 for bot_integration_id 404, user_number ''1234567890'': Bot integration not found'
-- 'Bob','integer',NULL,'setter_conversations: HTTP 404 for bot_integration_id 404, user_number ''1234567890'': Bot integration not found'
