-- Core: how the inputs reach the API. The `echo` fixture of bot 123 (tests/MOCK.md)
-- answers one message whose content is the decoded userNumber and whose platform_resource_id is
-- the raw query string exactly as sent; session 7 of bot 5 echoes its raw query the same way.
-- Bot 777 answers (n % 3) + 1 messages, n = sum of the code points of the decoded userNumber.
CREATE TABLE leads(name TEXT, phone TEXT);
INSERT INTO leads VALUES ('A1', 'a'), ('B1', 'b'), ('A2', 'a'), ('None', NULL), ('B2', 'b');

-- case: percent-encoding: + space & # % arrive exactly as written, encoded as %2B %20 %26 %23 %25
-- requests: 1
.mode quote
SELECT content, platform_resource_id
FROM setter_conversations(123, 'echo+1 a&b#c%d');
-- expect:
-- 'echo+1 a&b#c%d','userNumber=echo%2B1%20a%26b%23c%25d'

-- case: percent-encoding: a leading + of a phone number is sent as %2B, not as a space
-- requests: 1
.mode quote
SELECT content, platform_resource_id
FROM setter_conversations(123, 'echo+15550100001');
-- expect:
-- 'echo+15550100001','userNumber=echo%2B15550100001'

-- case: percent-encoding: = / ? arrive exactly as written and the query stays one parameter
-- requests: 1
.mode quote
SELECT content, platform_resource_id GLOB 'userNumber=echo*',
       platform_resource_id GLOB '*[&#+ ]*', platform_resource_id
FROM setter_conversations(123, 'echo=x/y?z');
-- expect:
-- 'echo=x/y?z',1,0,'userNumber=echo%3Dx%2Fy%3Fz'

-- case: percent-encoding: a literal %2B in the input is sent as %252B and arrives as %2B
-- requests: 1
.mode quote
SELECT content, platform_resource_id FROM setter_conversations(123, 'echo%2B');
-- expect:
-- 'echo%2B','userNumber=echo%252B'

-- case: percent-encoding: unicode is sent as percent-encoded UTF-8 and arrives unchanged
-- requests: 1
.mode quote
SELECT content, content = 'echoé日😀', platform_resource_id
FROM setter_conversations(123, 'echoé日😀');
-- expect:
-- 'echoé日😀',1,'userNumber=echo%C3%A9%E6%97%A5%F0%9F%98%80'

-- case: percent-encoding: quotes, semicolons and brackets arrive exactly as written
-- requests: 1
.mode quote
SELECT content FROM setter_conversations(123, 'echo''"<>;:@$,[]{}|\^`');
-- expect:
-- 'echo''"<>;:@$,[]{}|\^`'

-- case: percent-encoding: a + in an IN list changes the bulk answer (n of '+15550100001' is 589)
-- requests: 2
.mode list
SELECT user_number, message_id FROM setter_conversations
WHERE bot_integration_id = 777 AND user_number IN ('+15550100001', '+15550100002')
ORDER BY message_id;
-- expect:
-- +15550100001|5891
-- +15550100001|5892
-- +15550100002|5901
-- +15550100002|5902
-- +15550100002|5903

-- case: session_id is sent as an integer query parameter (sessionId=7)
-- requests: 1
.mode quote
SELECT content, platform_resource_id, session_id, typeof(session_id)
FROM setter_conversations WHERE bot_integration_id = 5 AND session_id = 7;
-- expect:
-- 'session 7','sessionId=7',7,'integer'

-- case: session_id given as integral text or real is still sent as sessionId=7
-- requests: 1
.mode quote
SELECT platform_resource_id FROM setter_conversations
WHERE bot_integration_id = 5 AND session_id IN ('7', 7.0);
-- expect:
-- 'sessionId=7'

-- case: bot_integration_id is sent as an integer in the path
-- requests: 1
.mode list
SELECT url FROM setter_requests;
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = '123' AND user_number = '1234567890';
SELECT url FROM setter_requests;
-- expect:
-- 3
-- /api/v1/bot-integrations/123/conversations?userNumber=1234567890

-- case: NULL bot_integration_id: zero rows and no request
-- requests: 0
.mode list
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = NULL AND user_number = '1234567890';
SELECT count(*) FROM setter_conversations(NULL, '1234567890');
-- expect:
-- 0
-- 0

-- case: NULL user_number: zero rows and no request
-- requests: 0
.mode list
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 123 AND user_number = NULL;
SELECT count(*) FROM setter_conversations(123, NULL);
-- expect:
-- 0
-- 0

-- case: NULL session_id: zero rows and no request
-- requests: 0
.mode list
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 5 AND session_id = NULL;
-- expect:
-- 0

-- case: NULL inputs need no API key: zero rows, no error, no request
-- env: -SETTER_API_KEY
-- requests: 0
.mode list
SELECT count(*) FROM setter_conversations(NULL, '1234567890');
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 5 AND session_id = NULL;
-- expect:
-- 0
-- 0

-- case: a NULL in an IN list is skipped while the other values are fetched
-- requests: 2
.mode list
SELECT user_number, count(*) FROM setter_conversations
WHERE bot_integration_id = 777 AND user_number IN ('a', NULL, 'b')
GROUP BY user_number ORDER BY user_number;
SELECT url FROM setter_requests ORDER BY url;
-- expect:
-- a|2
-- b|3
-- /api/v1/bot-integrations/777/conversations?userNumber=a
-- /api/v1/bot-integrations/777/conversations?userNumber=b

-- case: an IN list of only NULLs gives zero rows and no request
-- requests: 0
.mode list
SELECT count(*) FROM setter_conversations WHERE bot_integration_id IN (NULL) AND user_number = 'a';
SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 777 AND user_number IN (NULL, NULL);
-- expect:
-- 0
-- 0

-- case: a lead with a NULL phone gets no request and, in a LEFT JOIN, a NULL row
-- requests: 2
.mode list
SELECT l.name, count(c.message_id) FROM leads l
LEFT JOIN setter_conversations c ON c.bot_integration_id = 777 AND c.user_number = l.phone
GROUP BY l.rowid ORDER BY l.rowid;
-- expect:
-- A1|2
-- B1|3
-- A2|2
-- None|0
-- B2|3

-- case: both user_number and session_id given is an error naming both, and nothing is sent
-- requests: 0
.mode list
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 5 AND user_number = '1234567890' AND session_id = 42;
-- expect-re:
-- Error: setter_conversations: .*user_number.*session_id.*

-- case: duplicated values in an IN list are fetched once and give their rows once
-- requests: 2
.mode list
SELECT user_number, count(*) FROM setter_conversations
WHERE bot_integration_id = 777 AND user_number IN ('a', 'b', 'a', 'b', 'a')
GROUP BY user_number ORDER BY user_number;
-- expect:
-- a|2
-- b|3

-- case: the same contact given as INTEGER and as TEXT in one IN list is one lookup, rows once
-- requests: 1
.mode list
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 123 AND user_number IN (1234567890, '1234567890');
-- expect:
-- 3

-- case: duplicated bot ids in an IN list are fetched once
-- requests: 1
.mode list
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id IN (777, 777) AND user_number = 'b';
-- expect:
-- 3

-- case: IN on bot_integration_id and on user_number fetches every distinct pair once
-- requests: 4
.mode list
SELECT bot_integration_id, user_number, count(*) FROM setter_conversations
WHERE bot_integration_id IN (777, 123) AND user_number IN ('b', '1234567890', 'b')
GROUP BY 1, 2 ORDER BY 1, 2;
-- expect:
-- 123|1234567890|3
-- 777|1234567890|1
-- 777|b|3

-- case: IN on session_id fetches each distinct session once
-- requests: 2
.mode list
SELECT session_id, message_id FROM setter_conversations
WHERE bot_integration_id = 5 AND session_id IN (42, 7, 42)
ORDER BY session_id, message_id;
-- expect:
-- 7|1
-- 42|5001
-- 42|5002

-- case: repeated join keys are fetched once per distinct key, every lead still gets its rows
-- requests: 2
.mode list
SELECT l.name, c.message_id FROM leads l
JOIN setter_conversations c ON c.bot_integration_id = 777 AND c.user_number = l.phone
ORDER BY l.rowid, c.message_id;
-- expect:
-- A1|971
-- A1|972
-- B1|981
-- B1|982
-- B1|983
-- A2|971
-- A2|972
-- B2|981
-- B2|982
-- B2|983

-- case: IN (SELECT ...) over repeated lead phones fetches each distinct phone once
-- requests: 2
.mode list
SELECT user_number, count(*) FROM setter_conversations
WHERE bot_integration_id = 777 AND user_number IN (SELECT phone FROM leads)
GROUP BY user_number ORDER BY user_number;
-- expect:
-- a|2
-- b|3
