-- Faults: what is transient is retried (429, 500, 502, 503, 504, timeouts, dropped
-- or reset connections, short bodies) up to max_retries with backoff or Retry-After; everything
-- else fails at once with a clear error. Never rows in place of an error, never partial rows.
-- Fixtures: bot 9 of tests/mock_api.py (tests/MOCK.md, "bot 9: faults"). The mock is reset
-- before each case, so flaky counters start at 0; a TAG suffix keeps contacts apart anyway.
-- Backoff is 250 ms doubling with jitter; cases keep max_retries small to stay fast.

-- ---- transient statuses are retried ----

-- case: 429 then success is retried: 2 requests and the recovered rows
-- requests: 2
SELECT message_id, sender_type, content FROM setter_conversations(9, 'flaky-429-1-a');
-- expect:
-- 1|bot|recovered after 1

-- case: 503 twice then success: 3 requests, and setter_requests shows each attempt
-- requests: 3
SELECT content FROM setter_conversations(9, 'flaky-503-2-a');
SELECT attempt, status, url FROM setter_requests ORDER BY id;
-- expect:
-- recovered after 2
-- 1|503|/api/v1/bot-integrations/9/conversations?userNumber=flaky-503-2-a
-- 2|503|/api/v1/bot-integrations/9/conversations?userNumber=flaky-503-2-a
-- 3|200|/api/v1/bot-integrations/9/conversations?userNumber=flaky-503-2-a

-- case: 500 twice then success is retried: 3 requests
-- requests: 3
SELECT content FROM setter_conversations(9, 'flaky-500-2-a');
-- expect:
-- recovered after 2

-- case: 502 twice then success is retried: 3 requests
-- requests: 3
SELECT content FROM setter_conversations(9, 'flaky-502-2-a');
-- expect:
-- recovered after 2

-- case: 504 twice then success is retried: 3 requests
-- requests: 3
SELECT content FROM setter_conversations(9, 'flaky-504-2-a');
-- expect:
-- recovered after 2

-- case: a retry without Retry-After waits a backoff (at least half the 250 ms base)
-- requests: 2
SELECT content FROM setter_conversations(9, 'flaky-503-1-backoff');
SELECT count(*),
       (julianday(max(started_at)) - julianday(min(started_at))) * 86400.0 >= 0.12
FROM setter_requests;
-- expect:
-- recovered after 1
-- 2|1

-- case: flaky contacts in one IN list are each retried and all rows come back
-- requests: 6
SELECT user_number, content FROM setter_conversations
WHERE bot_integration_id = 9 AND user_number IN ('flaky-429-1-in', 'flaky-503-2-in', 'flaky-500-0-in')
ORDER BY user_number;
-- expect:
-- flaky-429-1-in|recovered after 1
-- flaky-500-0-in|recovered after 0
-- flaky-503-2-in|recovered after 2

-- ---- retries run out ----

-- case: retries exhausted: max_retries 2 makes exactly 3 requests, then an error naming HTTP 503, the contact and the attempts
-- requests: 3
SELECT setter_config('max_retries', 2);
SELECT content FROM setter_conversations(9, 'status-503');
-- expect:
-- 2
-- Error: setter_conversations: HTTP 503 for bot_integration_id 9, user_number 'status-503' after 3 attempts: mock status 503

-- case: max_retries 0 means one request and an error without an attempt count
-- requests: 1
SELECT setter_config('max_retries', 0);
SELECT content FROM setter_conversations(9, 'status-503');
-- expect:
-- 0
-- Error: setter_conversations: HTTP 503 for bot_integration_id 9, user_number 'status-503': mock status 503

-- case: 429 without Retry-After is retried with backoff until max_retries runs out
-- requests: 2
SELECT setter_config('max_retries', 1);
SELECT content FROM setter_conversations(9, 'status-429');
-- expect:
-- 1
-- Error: setter_conversations: HTTP 429 for bot_integration_id 9, user_number 'status-429' after 2 attempts: mock status 429

-- case: the default max_retries is 3: 4 requests for an always-failing 502
-- requests: 4
SELECT setter_config('max_retries');
SELECT content FROM setter_conversations(9, 'status-502');
-- expect:
-- 3
-- Error: setter_conversations: HTTP 502 for bot_integration_id 9, user_number 'status-502' after 4 attempts: mock status 502

-- ---- other statuses are never retried ----

-- case: 403 is not retried: exactly 1 request per statement and the API's message
-- requests: 2
SELECT content FROM setter_conversations(9, 'status-403');
SELECT content FROM setter_conversations(403, '1234567890');
-- expect:
-- Error: setter_conversations: HTTP 403 for bot_integration_id 9, user_number 'status-403': mock status 403
-- Error: setter_conversations: HTTP 403 for bot_integration_id 403, user_number '1234567890': You do not have access to this bot integration

-- case: 404 is not retried and is an error, not an empty result
-- requests: 2
SELECT count(*) FROM setter_conversations(9, 'status-404');
SELECT count(*) FROM setter_conversations(404, '1234567890');
-- expect:
-- Error: setter_conversations: HTTP 404 for bot_integration_id 9, user_number 'status-404': mock status 404
-- Error: setter_conversations: HTTP 404 for bot_integration_id 404, user_number '1234567890': Bot integration not found

-- case: 400, 401, 409, 422 and 501 are not retried: one request each
-- requests: 5
SELECT count(*) FROM setter_conversations(9, 'status-400');
SELECT count(*) FROM setter_conversations(9, 'status-401');
SELECT count(*) FROM setter_conversations(9, 'status-409');
SELECT count(*) FROM setter_conversations(9, 'status-422');
SELECT count(*) FROM setter_conversations(9, 'status-501');
-- expect:
-- Error: setter_conversations: HTTP 400 for bot_integration_id 9, user_number 'status-400': mock status 400
-- Error: setter_conversations: HTTP 401 for bot_integration_id 9, user_number 'status-401': mock status 401 (check the API key: SETTER_API_KEY or setter_config('api_key', ...))
-- Error: setter_conversations: HTTP 409 for bot_integration_id 9, user_number 'status-409': mock status 409
-- Error: setter_conversations: HTTP 422 for bot_integration_id 9, user_number 'status-422': mock status 422
-- Error: setter_conversations: HTTP 501 for bot_integration_id 9, user_number 'status-501': mock status 501

-- case: a 2xx other than 200 (204 No Content) is an error, not an empty history
-- requests: 1
SELECT count(*) FROM setter_conversations(9, 'status-204');
-- expect-re:
-- Error: setter_conversations: HTTP 204 for bot_integration_id 9, user_number 'status-204'.*

-- ---- Retry-After ----

-- case: Retry-After in seconds is honoured: the second attempt starts at least 1 s after the first
-- requests: 2
-- timeout: 20
SELECT content FROM setter_conversations(9, 'retry-after-1-a');
SELECT count(*),
       (julianday(max(started_at)) - julianday(min(started_at))) * 86400.0 BETWEEN 0.99 AND {SCALED:2.5}
FROM setter_requests;
-- expect:
-- recovered after 1
-- 2|1

-- case: Retry-After as an HTTP date is honoured: the retry waits until that date (2-3 s)
-- requests: 2
-- timeout: 20
SELECT content FROM setter_conversations(9, 'retry-after-date-a');
SELECT count(*),
       (julianday(max(started_at)) - julianday(min(started_at))) * 86400.0 BETWEEN 1.9 AND {SCALED:4.5}
FROM setter_requests;
-- expect:
-- recovered after 1
-- 2|1

-- case: Retry-After 120 (more than the 60 s cap) is an error that says so, after 1 request and without waiting
-- requests: 1
-- timeout: 10
SELECT content FROM setter_conversations(9, 'retry-after-120-a');
-- expect:
-- Error: setter_conversations: request for bot_integration_id 9, user_number 'retry-after-120-a' failed: the server asked to retry after 120 s, longer than the 60 s this extension waits

-- ---- timeouts ----

-- case: a stalled server gives a "timed out" error within timeout_ms (500 ms), with max_retries 0
-- requests: 1
-- timeout: 10
SELECT setter_config('timeout_ms', {SCALED:500}), setter_config('max_retries', 0);
SELECT content FROM setter_conversations(9, 'stall');
SELECT attempt, status IS NULL, elapsed_ms BETWEEN {SCALED:400} AND {SCALED:3000},
       error LIKE '%timed out%'
FROM setter_requests;
-- expect-re:
-- {SCALED:500}\|0
-- Error: setter_conversations: request for bot_integration_id 9, user_number 'stall' failed: request timed out \(.*\)
-- 1\|1\|1\|1

-- case: a timeout is retried: timeout_ms 300 and max_retries 1 make 2 requests, then the error
-- requests: 2
-- timeout: 10
SELECT setter_config('timeout_ms', {SCALED:300}), setter_config('max_retries', 1);
SELECT content FROM setter_conversations(9, 'stall');
-- expect-re:
-- {SCALED:300}\|1
-- Error: setter_conversations: request for bot_integration_id 9, user_number 'stall' failed after 2 attempts: request timed out \(.*\)

-- case: a body that stalls after the headers times out too and gives no rows
-- requests: 1
-- timeout: 10
SELECT setter_config('timeout_ms', {SCALED:500}), setter_config('max_retries', 0);
SELECT content FROM setter_conversations(9, 'stall-body');
-- expect-re:
-- {SCALED:500}\|0
-- Error: setter_conversations: request for bot_integration_id 9, user_number 'stall-body' failed: request timed out \(.*\)

-- ---- broken connections ----

-- case: a connection closed without an answer is a clear error (max_retries 0: 1 request)
-- requests: 1
SELECT setter_config('max_retries', 0);
SELECT content FROM setter_conversations(9, 'drop');
-- expect-re:
-- 0
-- Error: setter_conversations: request for bot_integration_id 9, user_number 'drop' failed: .*([Nn]othing|[Ee]mpty).*

-- case: a connection closed without an answer is retried: max_retries 2 makes 3 requests
-- requests: 3
SELECT setter_config('max_retries', 2);
SELECT content FROM setter_conversations(9, 'drop');
-- expect-re:
-- 2
-- Error: setter_conversations: request for bot_integration_id 9, user_number 'drop' failed after 3 attempts: .*

-- case: a connection reset is a clear error (max_retries 0: 1 request)
-- posix-only: expects the reset wording of a POSIX socket; under Wine the reset arrives as an end of stream (curl: "Empty reply from server")
-- requests: 1
SELECT setter_config('max_retries', 0);
SELECT content FROM setter_conversations(9, 'reset');
-- expect-re:
-- 0
-- Error: setter_conversations: request for bot_integration_id 9, user_number 'reset' failed: .*[Rr]eset.*

-- case: a connection reset is retried: max_retries 1 makes 2 requests
-- requests: 2
SELECT setter_config('max_retries', 1);
SELECT content FROM setter_conversations(9, 'reset');
-- expect-re:
-- 1
-- Error: setter_conversations: request for bot_integration_id 9, user_number 'reset' failed after 2 attempts: .*

-- case: a body shorter than its Content-Length is an error, not rows (max_retries 0: 1 request)
-- requests: 1
SELECT setter_config('max_retries', 0);
SELECT content FROM setter_conversations(9, 'short-body');
-- expect-re:
-- 0
-- Error: setter_conversations: request for bot_integration_id 9, user_number 'short-body' failed: connection closed before the whole response arrived .*

-- case: a body shorter than its Content-Length is retried: max_retries 2 makes 3 requests
-- requests: 3
SELECT setter_config('max_retries', 2);
SELECT content FROM setter_conversations(9, 'short-body');
-- expect-re:
-- 2
-- Error: setter_conversations: request for bot_integration_id 9, user_number 'short-body' failed after 3 attempts: connection closed before the whole response arrived .*

-- case: a body cut after two whole messages and retried gives the rows of the retry alone
-- requests: 2
SELECT setter_config('max_retries', 1);
SELECT message_id, content FROM setter_conversations(9, 'short-then-whole-1');
-- expect:
-- 1
-- 789|Hi! I'd like to book an appointment.
-- 790|Sure! What day works for you?
-- 791|Reminder: your appointment is tomorrow.

-- case: a body whose bytes stop for a while inside a top-level number ("total":15, then 0) is read whole
-- requests: 1
SELECT message_id, content FROM setter_conversations(9, 'split-number');
-- expect:
-- 789|Hi! I'd like to book an appointment.
-- 790|Sure! What day works for you?
-- 791|Reminder: your appointment is tomorrow.

-- case: a server that is down (connection refused) is a clear error and sends nothing anywhere
-- requests: 0
SELECT setter_config('base_url', 'http://127.0.0.1:1'), setter_config('max_retries', 0);
SELECT content FROM setter_conversations(9, 'anything');
-- expect-re:
-- http://127\.0\.0\.1:1\|0
-- Error: setter_conversations: request for bot_integration_id 9, user_number 'anything' failed: .*

-- ---- size limit ----

-- case: a body larger than max_response_bytes is an error naming the setting, not retried
-- requests: 1
SELECT setter_config('max_response_bytes', 1024);
SELECT length(content) FROM setter_conversations(9, 'big-5000');
-- expect:
-- 1024
-- Error: setter_conversations: request for bot_integration_id 9, user_number 'big-5000' failed: response is larger than max_response_bytes (1024 bytes)

-- case: max_response_bytes is inclusive: a body of exactly the limit is read, one byte more is refused
-- requests: 2
SELECT setter_config('max_response_bytes', 1024);
SELECT count(*) FROM setter_conversations(9, 'big-1024');
SELECT count(*) FROM setter_conversations(9, 'big-1025');
-- expect:
-- 1024
-- 1
-- Error: setter_conversations: request for bot_integration_id 9, user_number 'big-1025' failed: response is larger than max_response_bytes (1024 bytes)

-- case: the 1.5 MB huge fixture is refused under a 1 MB limit and read under the default
-- requests: 2
SELECT setter_config('max_response_bytes', 1048576);
SELECT length(content) FROM setter_conversations(123, 'huge');
SELECT setter_config('max_response_bytes', NULL);
SELECT length(content) FROM setter_conversations(123, 'huge');
-- expect:
-- 1048576
-- Error: setter_conversations: request for bot_integration_id 123, user_number 'huge' failed: response is larger than max_response_bytes (1048576 bytes)
-- 268435456
-- 1500000

-- ---- failures inside statements ----

-- case: an INSERT ... SELECT whose fetch fails (IN list with a good and a failing contact) leaves the local table unchanged
-- requests: <= 2
CREATE TABLE local(content TEXT);
INSERT INTO local VALUES ('kept');
INSERT INTO local SELECT content FROM setter_conversations
WHERE bot_integration_id = 9 AND user_number IN ('flaky-200-0-good', 'status-404-bad');
SELECT count(*), group_concat(content) FROM local;
-- expect:
-- Error: setter_conversations: HTTP 404 for bot_integration_id 9, user_number 'status-404-bad': mock status 404
-- 1|kept

-- case: an INSERT ... SELECT over a join whose second lookup fails after the first one's rows were inserted leaves the local table unchanged
-- requests: 2
CREATE TABLE leads(bot INTEGER, phone TEXT);
INSERT INTO leads VALUES (123, '1234567890'), (9, 'status-404-late');
CREATE TABLE local(content TEXT);
INSERT INTO local VALUES ('kept');
INSERT INTO local SELECT c.content FROM leads l JOIN setter_conversations c
  ON c.bot_integration_id = l.bot AND c.user_number = l.phone ORDER BY l.rowid;
SELECT count(*), group_concat(content) FROM local;
-- expect:
-- Error: setter_conversations: HTTP 404 for bot_integration_id 9, user_number 'status-404-late': mock status 404
-- 1|kept

-- case: an IN list where one contact fails gives an error naming that contact and no rows
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
-- requests: <= 6
SELECT user_number, content FROM setter_conversations
WHERE bot_integration_id = 9 AND user_number IN ('flaky-200-0-x', 'status-403-bad', 'big-200-y');
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 9 AND user_number IN ('flaky-200-0-x', 'status-403-bad', 'big-200-y');
-- expect:
-- Error: setter_conversations: HTTP 403 for bot_integration_id 9, user_number 'status-403-bad': mock status 403
-- Error: setter_conversations: HTTP 403 for bot_integration_id 9, user_number 'status-403-bad': mock status 403

-- case: after a failed statement the connection keeps working (next statement gets its rows)
-- requests: 2
SELECT count(*) FROM setter_conversations(9, 'status-404');
SELECT count(*) FROM setter_conversations(123, '1234567890');
-- expect:
-- Error: setter_conversations: HTTP 404 for bot_integration_id 9, user_number 'status-404': mock status 404
-- 3
