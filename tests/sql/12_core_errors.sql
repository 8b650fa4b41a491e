-- Core: every failure is an SQL error with clear text, prefixed
-- "setter_conversations: ", naming the input and, for HTTP errors, the status and the API's own
-- message (tests/MOCK.md: bot 404, bot 403, bot 9 faults, the 401 of a wrong key). Each case
-- uses count(*) or shows that no row is printed: an error must never look like an empty result.

-- case: missing bot_integration_id is an error naming it, and nothing is sent
-- requests: 0
.mode list
SELECT count(*) FROM setter_conversations WHERE user_number = '1234567890';
-- expect-re:
-- Error: setter_conversations: bot_integration_id is required.*

-- case: missing user_number and session_id is an error naming both, and nothing is sent
-- requests: 0
.mode list
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 123;
SELECT count(*) FROM setter_conversations(123);
-- expect-re:
-- Error: setter_conversations: user_number or session_id is required.*
-- Error: setter_conversations: user_number or session_id is required.*

-- case: no constraint at all is an error naming bot_integration_id
-- requests: 0
.mode list
SELECT count(*) FROM setter_conversations;
-- expect-re:
-- Error: setter_conversations: bot_integration_id is required.*

-- case: an operator the API cannot answer on an input is named in the error, nothing is sent
-- requests: 0
.mode list
SELECT count(*) FROM setter_conversations WHERE bot_integration_id > 100 AND user_number = '1234567890';
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 123 AND user_number LIKE '123%';
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 123 AND user_number GLOB '123*';
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 123 AND user_number < '2';
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 123 AND user_number != '2';
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 5 AND session_id >= 42;
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 123 AND trim(user_number) = '1234567890';
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 123 AND user_number = 'a' AND session_id > 3;
-- expect:
-- Error: setter_conversations: bot_integration_id > cannot be sent to the API: use = or IN
-- Error: setter_conversations: user_number LIKE cannot be sent to the API: use = or IN
-- Error: setter_conversations: user_number GLOB cannot be sent to the API: use = or IN
-- Error: setter_conversations: user_number < cannot be sent to the API: use = or IN
-- Error: setter_conversations: user_number != cannot be sent to the API: use = or IN
-- Error: setter_conversations: session_id >= cannot be sent to the API: use = or IN
-- Error: setter_conversations: user_number or session_id is required: add AND user_number = '<number>' (WhatsApp, SMS) or AND session_id = <id> (Playground, Embed); a function of them, such as trim(user_number) = '...', or a join condition applied after this table (RIGHT or CROSS JOIN), cannot be sent to the API
-- Error: setter_conversations: session_id > cannot be sent to the API: use = or IN

-- case: IS works like = on an input; an operator next to a usable = is checked by SQLite on the rows
-- requests: 2
.mode list
SELECT count(*) FROM setter_conversations WHERE bot_integration_id IS 123 AND user_number IS '1234567890';
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 123 AND user_number = '1234567890' AND user_number LIKE '12%';
-- expect:
-- 3
-- 3

-- case: an operator that is false for the = value ends the statement before any request
-- sqlite: >= 3.40.0 (SQLite puts '1234567890' into the LIKE and finds it false before it reads the table; 3.34.1 reads the rows first: the next case)
-- requests: 0
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 123 AND user_number = '1234567890' AND user_number LIKE '9%';
-- expect:
-- 0

-- case: an operator that is false for the = value filters the rows it fetched: one request, no row
-- sqlite: < 3.40.0 (from 3.40.1 SQLite finds the LIKE false before reading the table: the previous case)
-- requests: 1
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 123 AND user_number = '1234567890' AND user_number LIKE '9%';
-- expect:
-- 0

-- case: HTTP 400 from the API is an error with the status and the API's message, not retried
-- requests: 1
.mode list
SELECT count(*) FROM setter_conversations(9, 'big-2000000000');
-- expect:
-- Error: setter_conversations: HTTP 400 for bot_integration_id 9, user_number 'big-2000000000': big-N: N is at most 1073741824

-- case: HTTP 400 (status-400 fixture) is an error with the status and the API's message
-- requests: 1
.mode list
SELECT count(*) FROM setter_conversations(9, 'status-400');
-- expect:
-- Error: setter_conversations: HTTP 400 for bot_integration_id 9, user_number 'status-400': mock status 400

-- case: HTTP 401 (wrong key) gives 401 and the API's message, never the key
-- requests: 1
.mode list
SELECT setter_config('api_key', 'wrong-key-123456789') IS NOT NULL;
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect-re:
-- 1
-- Error: setter_conversations: HTTP 401 for bot_integration_id 123, user_number '1234567890': Invalid API key.*

-- case: HTTP 401 message does not contain the wrong key, not even in part
-- requests: 1
.mode list
SELECT setter_config('api_key', 'wrong-key-zyxwvutsrq') IS NOT NULL;
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect-re:
-- 1
-- (?!.*wrong-key)(?!.*zyxwvu)(?!.*tsrq)Error: setter_conversations: .*\b401\b.*

-- case: HTTP 403 gives the status and the API's message
-- requests: 1
.mode list
SELECT count(*) FROM setter_conversations(403, '1234567890');
-- expect:
-- Error: setter_conversations: HTTP 403 for bot_integration_id 403, user_number '1234567890': You do not have access to this bot integration

-- case: HTTP 404 (unknown bot integration) gives the status and the API's message, not zero rows
-- requests: 1
.mode list
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 404 AND user_number = '1234567890';
-- expect:
-- Error: setter_conversations: HTTP 404 for bot_integration_id 404, user_number '1234567890': Bot integration not found

-- case: HTTP 404 for a session lookup names the session_id
-- requests: 1
.mode list
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 404 AND session_id = 42;
-- expect:
-- Error: setter_conversations: HTTP 404 for bot_integration_id 404, session_id 42: Bot integration not found

-- case: HTTP 500 gives the status and the API's message (max_retries 0: one request)
-- requests: 1
.mode list
SELECT setter_config('max_retries', 0);
SELECT count(*) FROM setter_conversations(9, 'status-500');
-- expect:
-- 0
-- Error: setter_conversations: HTTP 500 for bot_integration_id 9, user_number 'status-500': mock status 500

-- case: HTTP 503 gives the status and the API's message
-- requests: 1
.mode list
SELECT setter_config('max_retries', 0);
SELECT * FROM setter_conversations(9, 'status-503');
-- expect:
-- 0
-- Error: setter_conversations: HTTP 503 for bot_integration_id 9, user_number 'status-503': mock status 503

-- case: HTTP 502 with a text/plain body quotes the body
-- requests: 1
.mode list
SELECT setter_config('max_retries', 0);
SELECT count(*) FROM setter_conversations(9, 'error-plain');
-- expect:
-- 0
-- Error: setter_conversations: HTTP 502 for bot_integration_id 9, user_number 'error-plain': upstream connect error

-- case: no key configured: error names SETTER_API_KEY and setter_config, nothing is sent
-- env: -SETTER_API_KEY
-- requests: 0
.mode list
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect-re:
-- Error: setter_conversations: .*SETTER_API_KEY.*setter_config.*

-- case: key removed with setter_config('api_key', NULL): same no-key error, nothing is sent
-- requests: 0
.mode list
SELECT setter_config('api_key', NULL);
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect-re:
-- 
-- Error: setter_conversations: .*SETTER_API_KEY.*setter_config.*

-- case: an error in an IN list names the failing contact and returns no rows of the others
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
-- requests: <= 4
.mode list
SELECT message_id FROM setter_conversations
WHERE bot_integration_id IN (123, 404) AND user_number = '1234567890';
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id IN (123, 404) AND user_number = '1234567890';
-- expect:
-- Error: setter_conversations: HTTP 404 for bot_integration_id 404, user_number '1234567890': Bot integration not found
-- Error: setter_conversations: HTTP 404 for bot_integration_id 404, user_number '1234567890': Bot integration not found

-- case: a failing user_number in an IN list fails the whole statement, even after a good one
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
-- requests: 2
.mode list
SELECT setter_config('max_retries', 0);
SELECT content FROM setter_conversations
WHERE bot_integration_id = 9 AND user_number IN ('big-200', 'status-500');
-- expect:
-- 0
-- Error: setter_conversations: HTTP 500 for bot_integration_id 9, user_number 'status-500': mock status 500

-- case: an error for one lead of a join is a statement error, not a lead with zero messages
-- requests: 2
.mode list
SELECT setter_config('max_retries', 0);
CREATE TABLE leads(name TEXT, phone TEXT);
INSERT INTO leads VALUES ('Good', 'big-200'), ('Bad', 'status-500');
SELECT l.name, count(c.message_id) FROM leads l
LEFT JOIN setter_conversations c ON c.bot_integration_id = 9 AND c.user_number = l.phone
GROUP BY l.name;
-- expect:
-- 0
-- Error: setter_conversations: HTTP 500 for bot_integration_id 9, user_number 'status-500': mock status 500

-- case: invalid inputs are errors naming the column and quoting the value, nothing is sent
-- requests: 0
.mode list
SELECT count(*) FROM setter_conversations('12a', '1234567890');
SELECT count(*) FROM setter_conversations(0, '1234567890');
SELECT count(*) FROM setter_conversations(123, 'a' || char(1));
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 5 AND session_id = 'abc';
-- expect:
-- Error: setter_conversations: bot_integration_id must be an integer, not '12a'
-- Error: setter_conversations: bot_integration_id must be a positive integer, not 0
-- Error: setter_conversations: user_number must not contain control characters
-- Error: setter_conversations: session_id must be an integer, not 'abc'
