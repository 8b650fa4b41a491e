-- Memory bounds: max_response_bytes bounds the rows built from one
-- answer as well as its body; the 64 MiB cache_ttl cache counts every byte an entry keeps; a raw
-- control character inside a JSON string (or between tokens) is a bad response, never rows whose
-- raw_json or error_details SQLite's json functions then refuse. Fixtures: bot 9 of
-- tests/MOCK.md: empty-N / empty-gzip-N (N empty messages), big-N (one N-byte body),
-- bigcontext-M (a contextStartsAt of M MiB), control-in-string, control-in-details.

-- case: 200,000 empty messages (600 kB on the wire) read with four columns pass a 1 MB max_response_bytes once decoded into rows: an error naming the setting, no rows
-- requests: 1
SELECT setter_config('max_response_bytes', 1000000);
SELECT count(message_id), count(content), count(created_at), count(sender_type)
FROM setter_conversations(9, 'empty-200000');
-- expect:
-- 1000000
-- Error: setter_conversations: response for bot_integration_id 9, user_number 'empty-200000' is larger than max_response_bytes (1000000 bytes) once decoded into rows

-- case: the same messages gzip-encoded (Content-Encoding: gzip, 667 bytes on the wire) hit the same bound
-- requests: 1
SELECT setter_config('max_response_bytes', 1000000);
SELECT count(message_id), count(content), count(created_at), count(sender_type)
FROM setter_conversations(9, 'empty-gzip-200000');
-- expect:
-- 1000000
-- Error: setter_conversations: response for bot_integration_id 9, user_number 'empty-gzip-200000' is larger than max_response_bytes (1000000 bytes) once decoded into rows

-- case: count(*) reads no column, so its rows hold no cells and stay within the same bound; the default bound takes the four columns
-- requests: 2
SELECT setter_config('max_response_bytes', 1000000);
SELECT count(*) FROM setter_conversations(9, 'empty-200000');
SELECT setter_config('max_response_bytes', 268435456);
SELECT count(*), count(message_id), count(content), count(created_at), count(sender_type)
FROM setter_conversations(9, 'empty-gzip-200000');
-- expect:
-- 1000000
-- 200000
-- 268435456
-- 200000|0|0|0|0

-- case: strings count too: a 600 kB content fits 1 MB, content and raw_json together do not
-- requests: 2
SELECT setter_config('max_response_bytes', 1000000);
SELECT message_id, length(content) FROM setter_conversations(9, 'big-600000');
SELECT length(content), length(raw_json) FROM setter_conversations(9, 'big-600000');
-- expect:
-- 1000000
-- 1|599906
-- Error: setter_conversations: response for bot_integration_id 9, user_number 'big-600000' is larger than max_response_bytes (1000000 bytes) once decoded into rows

-- case: an answer refused as too large is not cached: the next statement fetches again
-- requests: 2
SELECT setter_config('cache_ttl', 60);
SELECT setter_config('max_response_bytes', 1000000);
SELECT count(content) FROM setter_conversations(9, 'empty-200000');
SELECT setter_config('cache');
SELECT count(content) FROM setter_conversations(9, 'empty-200000');
-- expect:
-- 60
-- 1000000
-- Error: setter_conversations: response for bot_integration_id 9, user_number 'empty-200000' is larger than max_response_bytes (1000000 bytes) once decoded into rows
-- 0
-- Error: setter_conversations: response for bot_integration_id 9, user_number 'empty-200000' is larger than max_response_bytes (1000000 bytes) once decoded into rows

-- case: the 64 MiB cache_ttl cache counts the contextStartsAt of an answer: five answers with a 20 MiB one leave 3 entries
-- requests: 6
SELECT setter_config('cache_ttl', 60);
SELECT count(*) FROM setter_conversations(9, 'bigcontext-20-1');
SELECT count(*) FROM setter_conversations(9, 'bigcontext-20-2');
SELECT count(*) FROM setter_conversations(9, 'bigcontext-20-3');
SELECT count(*) FROM setter_conversations(9, 'bigcontext-20-4');
SELECT count(*) FROM setter_conversations(9, 'bigcontext-20-5');
SELECT setter_config('cache');
SELECT count(*) FROM setter_conversations(9, 'bigcontext-20-5');
SELECT count(*) FROM setter_conversations(9, 'bigcontext-20-1');
SELECT cached, count(*) FROM setter_requests GROUP BY cached ORDER BY cached;
-- expect:
-- 60
-- 0
-- 0
-- 0
-- 0
-- 0
-- 3
-- 0
-- 0
-- 0|6
-- 1|1

-- case: a raw newline inside a JSON string is a bad response naming the byte, not a row whose raw_json json_extract refuses
-- requests: 1
SELECT message_id, json_extract(raw_json, '$.content') FROM setter_conversations(9, 'control-in-string');
-- expect:
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'control-in-string': invalid JSON at byte 40, in data[0]: control character 0x0a inside a string

-- case: a control byte other than space, tab, CR, LF between the tokens of error_details is a bad response naming the byte
-- requests: 1
SELECT message_id, json_valid(error_details) FROM setter_conversations(9, 'control-in-details');
-- expect:
-- Error: setter_conversations: bad response for bot_integration_id 9, user_number 'control-in-details': invalid JSON at byte 44, in data[0]: control character 0x0b
