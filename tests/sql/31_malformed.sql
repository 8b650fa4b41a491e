-- Malformed answers: HTML pages, truncated or invalid JSON, wrong shapes, trailing
-- garbage, absurd nesting, hostile error text. Each is a clear error naming the contact, never
-- rows (not even the valid messages before the damage), never a crash. A malformed 200 is not
-- retried (default max_retries 3, yet 1 request per statement). Fixtures: bot 9 of tests/MOCK.md.

-- case: an HTML maintenance page with status 200 is an error that quotes its start, not rows
-- requests: 1
SELECT message_id FROM setter_conversations(9, 'html');
-- expect-re:
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'html': response is not a JSON object \(it starts with '<!DOCTYPE html> <html><head><title>Down for maintenance</title>[^\x00-\x1f\x7f]*'\)

-- case: an HTML maintenance page with status 503 is an HTTP error quoting the page on one line (retried, then given up)
-- requests: 2
SELECT setter_config('max_retries', 1);
SELECT message_id FROM setter_conversations(9, 'html-503');
-- expect-re:
-- 1
-- Error: setter_conversations: HTTP 503 for bot_integration_id 9, user_number 'html-503' after 2 attempts: <!DOCTYPE html> <html><head><title>Down for maintenance</title>[^\x00-\x1f\x7f]*

-- case: a truncated JSON body (Content-Length matches) is an error and no rows, not retried (1 request per statement)
-- requests: 2
SELECT message_id FROM setter_conversations(9, 'truncated');
SELECT count(*) FROM setter_conversations(9, 'truncated');
-- expect-re:
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'truncated': [^\x00-\x1f\x7f]+
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'truncated': [^\x00-\x1f\x7f]+

-- case: invalid JSON (a trailing comma in a message) is an error naming the place
-- requests: 1
SELECT message_id FROM setter_conversations(9, 'invalid');
-- expect:
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'invalid': expected a member name at byte 24, in data[0]

-- case: a JSON array in place of the object is an error
-- requests: 1
SELECT message_id FROM setter_conversations(9, 'not-object');
-- expect:
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'not-object': response is not a JSON object (it starts with '[1,2]')

-- case: an object without "data" is an error, not an empty history
-- requests: 1
SELECT count(*) FROM setter_conversations(9, 'no-data');
-- expect:
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'no-data': response has no "data" array

-- case: "data" that is not an array is an error, not an empty history
-- requests: 1
SELECT count(*) FROM setter_conversations(9, 'data-not-array');
-- expect:
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'data-not-array': "data" is not an array

-- case: an item of "data" that is not an object is an error
-- requests: 1
SELECT count(*) FROM setter_conversations(9, 'data-item-not-object');
-- expect:
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'data-item-not-object': data[0] is not an object

-- case: a valid body followed by garbage is an error, not the valid messages
-- requests: 1
SELECT message_id FROM setter_conversations(9, 'trailing-garbage');
-- expect:
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'trailing-garbage': unexpected text after the JSON at byte 1142

-- case: three valid messages and then an invalid one give no partial rows, whatever the columns
-- requests: 3
SELECT message_id FROM setter_conversations(9, 'valid-then-invalid');
SELECT count(*) FROM setter_conversations(9, 'valid-then-invalid');
SELECT raw_json FROM setter_conversations(9, 'valid-then-invalid');
SELECT 'after';
-- expect:
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'valid-then-invalid': expected a member name at byte 1117, in data[3]
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'valid-then-invalid': expected a member name at byte 1117, in data[3]
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'valid-then-invalid': expected a member name at byte 1117, in data[3]
-- after

-- case: an answer found malformed is not read further: the statement fails at once, though the server announced a megabyte more and then sends nothing
-- requests: 1
SELECT setter_config('timeout_ms', {SCALED:10000}), setter_config('max_retries', 0);
SELECT content FROM setter_conversations(9, 'invalid-then-stall');
SELECT status, bytes < 2000, elapsed_ms < {SCALED:2000} FROM setter_requests;
-- expect:
-- {SCALED:10000}|0
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'invalid-then-stall': expected a member name at byte 1117, in data[3]
-- 200|1|1

-- case: in a parallel IN list, the malformed answer that is not read further fails the statement at once
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
-- requests: 2
SELECT setter_config('timeout_ms', {SCALED:10000}), setter_config('max_retries', 0);
SELECT user_number, message_id FROM setter_conversations
WHERE bot_integration_id = 9 AND user_number IN ('flaky-200-0-good', 'invalid-then-stall');
SELECT count(*), max(elapsed_ms) < {SCALED:2000} FROM setter_requests;
-- expect:
-- {SCALED:10000}|0
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'invalid-then-stall': expected a member name at byte 1117, in data[3]
-- 2|1

-- case: an error in a long message that arrived in two reads is still the answer when the server then stalls: the malformed answer, not the timeout, and not retried
-- requests: 1
SELECT setter_config('timeout_ms', {SCALED:1000}), setter_config('max_retries', 2);
SELECT content FROM setter_conversations(9, 'long-invalid-then-stall');
SELECT status, bytes, error IS NULL FROM setter_requests;
-- expect:
-- {SCALED:1000}|2
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'long-invalid-then-stall': expected a member name at byte 100037, in data[0]
-- 200|100040|1

-- case: a malformed answer larger than max_response_bytes, without a Content-Length, is refused for its error when that lies in its first max_response_bytes bytes, however the bytes arrived
-- requests: 1
SELECT setter_config('max_response_bytes', 2048), setter_config('max_retries', 0);
SELECT content FROM setter_conversations(9, 'invalid-then-more');
SELECT status, bytes <= 2048 FROM setter_requests;
-- expect:
-- 2048|0
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'invalid-then-more': expected a member name at byte 1117, in data[3]
-- 200|1

-- case: a malformed answer in an IN list fails the whole statement: no rows of the good contacts
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
-- requests: <= 2
SELECT user_number, message_id FROM setter_conversations
WHERE bot_integration_id = 9 AND user_number IN ('flaky-200-0-good', 'valid-then-invalid');
-- expect:
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'valid-then-invalid': expected a member name at byte 1117, in data[3]

-- case: 100000 nested arrays do not crash: a clear error, whether or not the nested column is read
-- requests: 3
SELECT message_id FROM setter_conversations(9, 'deep');
SELECT error_details FROM setter_conversations(9, 'deep');
SELECT raw_json FROM setter_conversations(9, 'deep');
-- expect-re:
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'deep': [^\x00-\x1f\x7f]+
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'deep': [^\x00-\x1f\x7f]+
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'deep': [^\x00-\x1f\x7f]+

-- case: control characters in the server's error text (ESC, CR, LF, BEL) never reach the error message
-- requests: 1
SELECT setter_config('max_retries', 0);
SELECT message_id FROM setter_conversations(9, 'control-chars');
SELECT 'next line';
-- expect-re:
-- 0
-- Error: setter_conversations: HTTP 500 for bot_integration_id 9, user_number 'control-chars': [^\x00-\x1f\x7f]*line1 line2[^\x00-\x1f\x7f]*
-- next line

-- case: the API's message is quoted whole, past an escaped NUL (\u0000 shows as a space, as other control characters)
-- requests: 1
SELECT setter_config('max_retries', 0);
SELECT message_id FROM setter_conversations(9, 'error-nul');
-- expect:
-- 0
-- Error: setter_conversations: HTTP 500 for bot_integration_id 9, user_number 'error-nul': before after

-- case: a plain-text error body is quoted as the message
-- requests: 1
SELECT setter_config('max_retries', 0);
SELECT message_id FROM setter_conversations(9, 'error-plain');
-- expect:
-- 0
-- Error: setter_conversations: HTTP 502 for bot_integration_id 9, user_number 'error-plain': upstream connect error

-- case: a malformed answer is not cached: with cache_ttl on, the next statement asks again
-- requests: 2
SELECT setter_config('cache_ttl', 60);
SELECT count(*) FROM setter_conversations(9, 'invalid');
SELECT count(*) FROM setter_conversations(9, 'invalid');
SELECT setter_config('cache');
-- expect:
-- 60
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'invalid': expected a member name at byte 24, in data[0]
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'invalid': expected a member name at byte 24, in data[0]
-- 0

-- case: an HTTP error is not cached either: with cache_ttl on, the next statement asks again
-- requests: 2
SELECT setter_config('cache_ttl', 60);
SELECT count(*) FROM setter_conversations(9, 'status-404');
SELECT count(*) FROM setter_conversations(9, 'status-404');
-- expect:
-- 60
-- Error: setter_conversations: HTTP 404 for bot_integration_id 9, user_number 'status-404': mock status 404
-- Error: setter_conversations: HTTP 404 for bot_integration_id 9, user_number 'status-404': mock status 404

-- case: duplicate member names are not malformed: the first occurrence wins, so content agrees with json_extract(raw_json), and the first contextStartsAt of the first metadata counts
-- requests: 1
.mode list
.nullvalue NULL
SELECT message_id, content, json_extract(raw_json, '$.content'),
       content IS json_extract(raw_json, '$.content'), created_at, context_starts_at, in_context,
       raw_json
FROM setter_conversations(9, 'duplicate-members');
-- expect:
-- 1|first|first|1|2024-01-01T00:00:00.000Z|2023-12-31T00:00:00.000Z|1|{"messageId":1,"content":"first","createdAt":"2024-01-01T00:00:00.000Z","content":"second"}

-- case: a member name written with escapes is the decoded name ("cont\u0065nt" is content, the first wins); json_extract(raw_json, '$.content') agrees exactly on an SQLite whose json_extract decodes names too (3.46.1 and later do, 3.40.1 does not: it finds B and NULL)
-- requests: 1
.mode list
.nullvalue NULL
SELECT message_id, content,
       (content IS json_extract(raw_json, '$.content'))
         = (json_extract('{"cont\u0065nt":1}', '$.content') IS 1),
       raw_json
FROM setter_conversations(9, 'escaped-member-names');
-- expect:
-- 1|A|1|{"messageId":1,"cont\u0065nt":"A","content":"B"}
-- 2|C|1|{"messageId":2,"cont\u0065nt":"C"}
