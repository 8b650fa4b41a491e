-- Bad input: a bot_integration_id or session_id that is not a positive 64-bit
-- integer, an empty, over-long or control-character user_number: each is a clear error that
-- names the column, raised before anything is sent (requests: 0). Odd but legal user numbers
-- are sent percent-encoded: the mock's `echo` fixture returns the raw query it received as
-- platform_resource_id, so these cases show exactly what went over the wire.

-- ---- bot_integration_id ----

-- case: bot_integration_id as non-numeric text is an error naming the column and the value, nothing sent
-- requests: 0
SELECT count(*) FROM setter_conversations('abc', '1234567890');
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 'abc' AND user_number = '1234567890';
-- expect:
-- Error: setter_conversations: bot_integration_id must be an integer, not 'abc'
-- Error: setter_conversations: bot_integration_id must be an integer, not 'abc'

-- case: bot_integration_id as a fractional real is an error, nothing sent
-- requests: 0
SELECT count(*) FROM setter_conversations(1.5, '1234567890');
-- expect:
-- Error: setter_conversations: bot_integration_id must be an integer, not 1.5

-- case: bot_integration_id as a blob is an error, nothing sent
-- requests: 0
SELECT count(*) FROM setter_conversations(x'01', '1234567890');
SELECT count(*) FROM setter_conversations(CAST('123' AS BLOB), '1234567890');
-- expect:
-- Error: setter_conversations: bot_integration_id must be an integer, not a blob
-- Error: setter_conversations: bot_integration_id must be an integer, not a blob

-- case: bot_integration_id out of the int64 range (1e30, -9.3e18, 2^63 and 20 digits as text) is an error, nothing sent
-- requests: 0
SELECT count(*) FROM setter_conversations(1e30, '1234567890');
SELECT count(*) FROM setter_conversations(-9.3e18, '1234567890');
SELECT count(*) FROM setter_conversations('9223372036854775808', '1234567890');
SELECT count(*) FROM setter_conversations('99999999999999999999', '1234567890');
-- expect:
-- Error: setter_conversations: bot_integration_id must be an integer, not 1.0e+30
-- Error: setter_conversations: bot_integration_id must be an integer, not -9.3e+18
-- Error: setter_conversations: bot_integration_id must be an integer, not '9223372036854775808'
-- Error: setter_conversations: bot_integration_id must be an integer, not '99999999999999999999'

-- case: bot_integration_id zero or negative is an error, nothing sent
-- requests: 0
SELECT count(*) FROM setter_conversations(0, '1234567890');
SELECT count(*) FROM setter_conversations(-1, '1234567890');
SELECT count(*) FROM setter_conversations(-9223372036854775808, '1234567890');
SELECT count(*) FROM setter_conversations('-5', '1234567890');
-- expect:
-- Error: setter_conversations: bot_integration_id must be a positive integer, not 0
-- Error: setter_conversations: bot_integration_id must be a positive integer, not -1
-- Error: setter_conversations: bot_integration_id must be a positive integer, not -9223372036854775808
-- Error: setter_conversations: bot_integration_id must be an integer, not '-5'

-- case: bot_integration_id text with white space or a control character is an error quoting it as given (no control characters)
-- requests: 0
SELECT count(*) FROM setter_conversations(' 123', '1234567890');
SELECT count(*) FROM setter_conversations('123 ', '1234567890');
SELECT count(*) FROM setter_conversations('12' || char(10) || '3', '1234567890');
SELECT count(*) FROM setter_conversations('1' || char(27) || '[2J', '1234567890');
-- expect-re:
-- Error: setter_conversations: bot_integration_id must be an integer, not ' 123'
-- Error: setter_conversations: bot_integration_id must be an integer, not '123 '
-- Error: setter_conversations: bot_integration_id must be an integer, not '12[^\x00-\x1f\x7f]3'
-- Error: setter_conversations: bot_integration_id must be an integer, not '1[^\x00-\x1f\x7f]*\[2J'

-- case: integral values of other types are accepted: the text '123', the real 123.0, and int64 max as text
-- requests: 3
SELECT count(*) FROM setter_conversations('123', '1234567890');
SELECT count(*) FROM setter_conversations(123.0, '1234567890');
SELECT count(*) FROM setter_conversations('9223372036854775807', '1234567890');
SELECT url FROM setter_requests ORDER BY id;
-- expect:
-- 3
-- 3
-- 0
-- /api/v1/bot-integrations/123/conversations?userNumber=1234567890
-- /api/v1/bot-integrations/123/conversations?userNumber=1234567890
-- /api/v1/bot-integrations/9223372036854775807/conversations?userNumber=1234567890

-- case: one bad bot_integration_id in an IN list fails the statement before anything is sent
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
-- requests: 0
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id IN (123, 'abc') AND user_number = '1234567890';
-- expect:
-- Error: setter_conversations: bot_integration_id must be an integer, not 'abc'

-- ---- session_id ----

-- case: session_id as text, real, blob, out of range, zero or negative is an error naming the column, nothing sent
-- requests: 0
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 5 AND session_id = 'abc';
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 5 AND session_id = 1.5;
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 5 AND session_id = x'2a';
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 5 AND session_id = 1e30;
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 5 AND session_id = '99999999999999999999';
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 5 AND session_id = 0;
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 5 AND session_id = -42;
-- expect:
-- Error: setter_conversations: session_id must be an integer, not 'abc'
-- Error: setter_conversations: session_id must be an integer, not 1.5
-- Error: setter_conversations: session_id must be an integer, not a blob
-- Error: setter_conversations: session_id must be an integer, not 1.0e+30
-- Error: setter_conversations: session_id must be an integer, not '99999999999999999999'
-- Error: setter_conversations: session_id must be a positive integer, not 0
-- Error: setter_conversations: session_id must be a positive integer, not -42

-- case: session_id as the text '42' is accepted and sent as a plain integer
-- requests: 1
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 5 AND session_id = '42';
SELECT url FROM setter_requests;
-- expect:
-- 2
-- /api/v1/bot-integrations/5/conversations?sessionId=42

-- case: user_number and session_id together is an error, nothing sent
-- requests: 0
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 5 AND session_id = 42 AND user_number = '1234567890';
-- expect:
-- Error: setter_conversations: give user_number or session_id, not both

-- ---- user_number ----

-- case: a blank user_number ('' as .import stores a blank CSV cell, or only spaces) matches nothing, like NULL: zero rows, no request, no error
-- requests: 0
SELECT count(*) FROM setter_conversations(123, '');
SELECT count(*) FROM setter_conversations(123, '   ');
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = '' AND user_number = '1234567890';
SELECT count(*) FROM setter_conversations(5) WHERE session_id = ' ';
-- expect:
-- 0
-- 0
-- 0
-- 0

-- case: a 10,000-character user_number is an error naming the column and the limit, nothing sent
-- requests: 0
SELECT count(*) FROM setter_conversations(123, printf('%.*c', 10000, '1'));
-- expect:
-- Error: setter_conversations: user_number is too long (10000 bytes, at most 256)

-- case: user_number at the 256-byte limit is sent; one byte more is refused
-- requests: 1
SELECT count(*) FROM setter_conversations(123, printf('%.*c', 256, '1'));
SELECT count(*) FROM setter_conversations(123, printf('%.*c', 257, '1'));
-- expect:
-- 0
-- Error: setter_conversations: user_number is too long (257 bytes, at most 256)

-- case: control characters in user_number (LF, CR, TAB, NUL, ESC, DEL) are errors, nothing sent
-- requests: 0
SELECT count(*) FROM setter_conversations(123, '12' || char(10) || '34');
SELECT count(*) FROM setter_conversations(123, '12' || char(13) || char(10) || 'X-Injected: 1');
SELECT count(*) FROM setter_conversations(123, '12' || char(9) || '34');
SELECT count(*) FROM setter_conversations(123, '12' || char(0) || '34');
SELECT count(*) FROM setter_conversations(123, '12' || char(27) || '[31m');
SELECT count(*) FROM setter_conversations(123, '12' || char(127));
-- expect:
-- Error: setter_conversations: user_number must not contain control characters
-- Error: setter_conversations: user_number must not contain control characters
-- Error: setter_conversations: user_number must not contain control characters
-- Error: setter_conversations: user_number must not contain control characters
-- Error: setter_conversations: user_number must not contain control characters
-- Error: setter_conversations: user_number must not contain control characters

-- case: user_number as a real or a blob is an error naming the column, nothing sent
-- requests: 0
SELECT count(*) FROM setter_conversations(123, 1.5);
SELECT count(*) FROM setter_conversations(123, x'31');
-- expect:
-- Error: setter_conversations: user_number must be text, not a real number
-- Error: setter_conversations: user_number must be text, not a blob

-- case: one bad user_number in an IN list fails the statement before anything is sent; blank ones are skipped
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
-- requests: 2
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 123 AND user_number IN ('1234567890', 'x' || char(10));
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 123 AND user_number IN ('1234567890', 'b', '', '  ');
-- expect:
-- Error: setter_conversations: user_number must not contain control characters
-- 3

-- ---- odd but legal user numbers are encoded ----

-- case: a user_number with / ? .. & = # + % and spaces is sent percent-encoded and comes back unchanged
-- requests: 1
SELECT user_number, content, platform_resource_id
FROM setter_conversations(123, 'echo/../?a=b&c=%00#frag+x y');
-- expect:
-- echo/../?a=b&c=%00#frag+x y|echo/../?a=b&c=%00#frag+x y|userNumber=echo%2F..%2F%3Fa%3Db%26c%3D%2500%23frag%2Bx%20y

-- case: a user_number cannot add a query parameter (&sessionId=) or change the path
-- requests: 2
SELECT content, platform_resource_id FROM setter_conversations(123, 'echo&sessionId=7');
SELECT content, platform_resource_id FROM setter_conversations(123, 'echo/../../404/conversations');
SELECT url FROM setter_requests ORDER BY id;
-- expect:
-- echo&sessionId=7|userNumber=echo%26sessionId%3D7
-- echo/../../404/conversations|userNumber=echo%2F..%2F..%2F404%2Fconversations
-- /api/v1/bot-integrations/123/conversations?userNumber=echo%26sessionId%3D7
-- /api/v1/bot-integrations/123/conversations?userNumber=echo%2F..%2F..%2F404%2Fconversations

-- case: quotes, backslash, angle brackets, non-ASCII and a C1 control (U+0085) are sent as UTF-8 percent-encoding
-- requests: 1
SELECT content = 'echo café "q" '' \ <>' || char(133), platform_resource_id
FROM setter_conversations(123, 'echo café "q" '' \ <>' || char(133));
-- expect:
-- 1|userNumber=echo%20caf%C3%A9%20%22q%22%20%27%20%5C%20%3C%3E%C2%85

-- case: an integer user_number is sent as its decimal text and reads back as given
-- requests: 1
SELECT user_number, typeof(user_number), count(*) FROM setter_conversations(123, 1234567890);
-- expect:
-- 1234567890|integer|3

-- case: a long bad input is quoted cut to 200 bytes on a UTF-8 character boundary, with "..."
-- requests: 0
SELECT count(*) FROM setter_conversations('a' || replace(hex(zeroblob(150)), '00', 'é'), '1');
-- expect:
-- Error: setter_conversations: bot_integration_id must be an integer, not 'aééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé...'

-- case: max_lookups bounds the distinct lookups of one table reference before anything is built or sent, naming the setting and the number asked for
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
-- requests: 2
-- timeout: 20
SELECT setter_config('max_lookups');
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id IN (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) SELECT i FROM n)
  AND user_number IN (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) SELECT 'u' || i FROM n);
SELECT setter_config('max_lookups', 3);
SELECT count(*) FROM setter_conversations WHERE bot_integration_id IN (123, 124) AND user_number IN ('a', 'b');
-- duplicates and blanks do not count: 2 distinct contacts x 1 bot
SELECT count(*) FROM setter_conversations WHERE bot_integration_id IN (123, '123', 123.0) AND user_number IN ('x1', 'x1', '', NULL, 'x2');
-- expect:
-- 100000
-- Error: setter_conversations: 4000000 lookups (2000 bot_integration_id x 2000 user_number) is more than max_lookups (100000); raise it with SELECT setter_config('max_lookups', ...)
-- 3
-- Error: setter_conversations: 4 lookups (2 bot_integration_id x 2 user_number) is more than max_lookups (3); raise it with SELECT setter_config('max_lookups', ...)
-- 0

-- case: without a key, a bulk lookup fails before any lookup is built: fast, and nothing is sent
-- env: -SETTER_API_KEY
-- requests: 0
-- timeout: 20
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id IN (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) SELECT i FROM n)
  AND user_number IN (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) SELECT 'u' || i FROM n);
-- expect:
-- Error: setter_conversations: no API key: set the SETTER_API_KEY environment variable, or run SELECT setter_config('api_key', '...')
