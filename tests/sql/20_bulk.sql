-- Bulk lookups: an IN list (or a join) on the input columns is taken as one batch by one
-- xFilter, fetched in parallel with at most `concurrency` transfers in flight, each distinct
-- (bot, contact) once per statement.
--
-- Fixtures (tests/MOCK.md):
--   bot 777  answers every contact by a rule: n = sum of the code points of user_number
--            (|session_id| for a session); (n % 3) + 1 messages i = 1.., message_id n*10+i,
--            message 2 failed with error_code 470. The view expected_777 computes it in SQL.
--   bot 9    `big-N-TAG` answers a valid body of exactly N bytes (content = N - 94 bytes).
--            A body of a few MB cannot be written before the client has read most of it, so
--            such requests stay in flight long enough for the mock's max_in_flight to see
--            overlapping requests even though the test mock has no --latency-ms.
-- 50 leads, '+15550100001' .. '+15550100050': 101 messages, sum(message_id) 600629,
-- 34 failed, sum(length(content)) 2222 (computed independently in Python from the rule).
CREATE TABLE leads(name TEXT, phone TEXT);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 50)
INSERT INTO leads SELECT 'Lead ' || i, printf('+1555010%04d', i) FROM s;
CREATE VIEW lead_n(phone, n) AS
  WITH RECURSIVE c(phone, k, n) AS (
    SELECT phone, 1, 0 FROM leads
    UNION ALL
    SELECT phone, k + 1, n + unicode(substr(phone, k, 1)) FROM c WHERE k <= length(phone))
  SELECT phone, max(n) FROM c GROUP BY phone;
CREATE VIEW expected_777 AS
  SELECT 777 AS bot_integration_id, phone AS user_number, n * 10 + i AS message_id,
         CASE i % 2 WHEN 1 THEN 'user' ELSE 'bot' END AS sender_type,
         'msg ' || i || ' for ' || phone AS content,
         '2024-02-01T10:00:0' || i || '.000Z' AS created_at,
         CASE i WHEN 2 THEN 'failed' ELSE 'delivered' END AS latest_status,
         CASE i WHEN 2 THEN 'Re-engagement message' END AS failure_reason,
         CASE i WHEN 2 THEN 470 END AS error_code,
         CASE i WHEN 2 THEN 'Re-engagement message' END AS error_title,
         CASE i WHEN 2 THEN 'Message failed to send because more than 24 hours have passed '
                            || 'since the customer last replied.' END AS error_message,
         CASE i WHEN 2 THEN '{"code":470}' END AS error_details,
         'bulk.' || n || '.' || i AS platform_resource_id,
         NULL AS context_starts_at, NULL AS in_context
  FROM lead_n JOIN (SELECT 1 AS i UNION ALL SELECT 2 UNION ALL SELECT 3) ON i <= n % 3 + 1;
-- 16 slow-to-drain contacts on bot 9: 4,000,000-byte bodies (unbounded, 5 to 8 of them overlap)
CREATE TABLE slow(tag TEXT);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 16)
INSERT INTO slow SELECT 'big-4000000-bulk' || i FROM s;
-- 16 contacts that answer only once two requests have been in flight at once (tests/MOCK.md)
CREATE TABLE overlapping(tag TEXT);
INSERT INTO overlapping SELECT replace(tag, 'big-4000000-bulk', 'overlap-bulk') FROM slow;

-- case: an IN list of 50 contacts is fetched with exactly 50 requests and every row is right
-- requests: 50
-- max-in-flight: <= 8
CREATE TEMP TABLE got AS
  SELECT bot_integration_id, user_number, message_id, sender_type, content, created_at,
         latest_status, failure_reason, error_code, error_title, error_message, error_details,
         platform_resource_id, context_starts_at, in_context
  FROM setter_conversations
  WHERE bot_integration_id = 777 AND user_number IN (SELECT phone FROM leads);
SELECT count(*), sum(message_id), sum(latest_status = 'failed'), sum(length(content)),
       count(DISTINCT user_number)
FROM got;
-- every row as the rule says, and no row missing (EXCEPT both ways; NULLs compare equal)
SELECT (SELECT count(*) FROM (SELECT * FROM got EXCEPT SELECT * FROM expected_777)),
       (SELECT count(*) FROM (SELECT * FROM expected_777 EXCEPT SELECT * FROM got)),
       (SELECT count(*) FROM expected_777);
SELECT count(*), count(DISTINCT url), sum(status = 200), sum(cached) FROM setter_requests;
-- expect:
-- 101|600629|34|2222|50
-- 0|0|101
-- 50|50|50|0

-- case: messages of each contact of an IN list come in API order
-- requests: 3
SELECT user_number, group_concat(message_id, ',')
FROM setter_conversations
WHERE bot_integration_id = 777 AND user_number IN ('a', 'b', 'c')
GROUP BY user_number ORDER BY user_number;
-- expect:
-- a|971,972
-- b|981,982,983
-- c|991

-- case: a literal IN list with repeated and NULL values makes one request per distinct contact
-- requests: 2
SELECT count(*), sum(message_id)
FROM setter_conversations
WHERE bot_integration_id = 777 AND user_number IN ('a', 'b', 'a', NULL, 'b', 'a');
-- expect:
-- 5|4889

-- case: IN (SELECT phone FROM ...) with repeated phones makes one request per distinct phone
-- requests: 3
CREATE TABLE dup_leads(phone TEXT);
INSERT INTO dup_leads VALUES ('a'), ('b'), ('a'), ('c'), ('b'), ('a'), (NULL);
SELECT user_number, count(*)
FROM setter_conversations
WHERE bot_integration_id = 777 AND user_number IN (SELECT phone FROM dup_leads)
GROUP BY user_number ORDER BY user_number;
-- expect:
-- a|2
-- b|3
-- c|1

-- case: an IN list that is empty or all NULL makes no request and gives no rows
-- requests: 0
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 777 AND user_number IN (SELECT phone FROM leads WHERE 0);
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 777 AND user_number IN (NULL, NULL);
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id IN (SELECT NULL) AND user_number IN ('a', 'b');
-- expect:
-- 0
-- 0
-- 0

-- case: bot_integration_id IN x user_number IN is the cross product, one request per pair
-- requests: 6
-- (123|a and 123|b are empty histories: requested, no rows)
SELECT bot_integration_id, user_number, count(message_id), group_concat(message_id, ',')
FROM setter_conversations
WHERE bot_integration_id IN (123, 777) AND user_number IN ('1234567890', 'a', 'b')
GROUP BY 1, 2 ORDER BY 1, 2;
-- expect:
-- 123|1234567890|3|789,790,791
-- 777|1234567890|1|5251
-- 777|a|2|971,972
-- 777|b|3|981,982,983

-- case: bot_integration_id IN with one user_number, and one bot given three ways, dedupes by value
-- requests: 3
SELECT bot_integration_id, count(*) FROM setter_conversations
WHERE bot_integration_id IN (123, 777) AND user_number = '1234567890'
GROUP BY 1 ORDER BY 1;
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id IN (777, '777', 777.0) AND user_number = 'b';
-- expect:
-- 123|3
-- 777|1
-- 3

-- case: session_id IN is fetched in one batch, crossed with bot_integration_id IN
-- requests: 7
-- (bot 5 session 2 is an empty history: requested, no rows)
SELECT session_id, group_concat(message_id, ','), min(content)
FROM setter_conversations
WHERE bot_integration_id = 777 AND session_id IN (1, 2, 3)
GROUP BY session_id ORDER BY session_id;
SELECT bot_integration_id, session_id, count(message_id), group_concat(message_id, ',')
FROM setter_conversations
WHERE bot_integration_id IN (5, 777) AND session_id IN (42, 2)
GROUP BY 1, 2 ORDER BY 1, 2;
-- expect:
-- 1|11,12|msg 1 for session 1
-- 2|21,22,23|msg 1 for session 2
-- 3|31|msg 1 for session 3
-- 5|42|2|5001,5002
-- 777|2|3|21,22,23
-- 777|42|1|421

-- case: a join whose outer table repeats a phone fetches each phone once per statement
-- requests: 3
CREATE TABLE crm(name TEXT, phone TEXT);
INSERT INTO crm VALUES ('Ann', 'a'), ('Bob', 'b'), ('Ann again', 'a'), ('Cy', 'c'),
                       ('Bob again', 'b'), ('Ann thrice', 'a');
SELECT l.name, count(*), sum(c.message_id)
FROM crm l JOIN setter_conversations c ON c.bot_integration_id = 777 AND c.user_number = l.phone
GROUP BY l.rowid ORDER BY l.rowid;
SELECT count(*), sum(cached) FROM setter_requests;
-- expect:
-- Ann|2|1943
-- Bob|3|2946
-- Ann again|2|1943
-- Cy|1|991
-- Bob again|3|2946
-- Ann thrice|2|1943
-- 3|0

-- case: the same join as two statements fetches each phone twice when cache_ttl is 0
-- requests: 6
CREATE TABLE crm(name TEXT, phone TEXT);
INSERT INTO crm VALUES ('Ann', 'a'), ('Bob', 'b'), ('Ann again', 'a'), ('Cy', 'c');
SELECT setter_config('cache_ttl');
SELECT count(*) FROM crm l
JOIN setter_conversations c ON c.bot_integration_id = 777 AND c.user_number = l.phone;
SELECT count(*) FROM crm l
JOIN setter_conversations c ON c.bot_integration_id = 777 AND c.user_number = l.phone;
-- expect:
-- 0
-- 8
-- 8

-- case: a join of 50 leads through a per-row lookup gives the same rows as the IN batch
-- requests: 50
SELECT count(*), sum(c.message_id), count(DISTINCT l.name)
FROM leads l JOIN setter_conversations c ON c.bot_integration_id = 777 AND c.user_number = l.phone;
-- expect:
-- 101|600629|50

-- case: concurrency 3 keeps at most 3 transfers in flight on slow-to-drain bodies
-- requests: 16
-- max-in-flight: <= 3
SELECT setter_config('concurrency', 3);
SELECT count(*), sum(length(content)) FROM setter_conversations
WHERE bot_integration_id = 9 AND user_number IN (SELECT tag FROM slow);
-- expect:
-- 3
-- 16|63998496

-- case: concurrency 3 keeps at most 3 transfers in flight on 50 contacts
-- requests: 50
-- max-in-flight: <= 3
SELECT setter_config('concurrency', 3);
SELECT count(*), sum(message_id) FROM setter_conversations
WHERE bot_integration_id = 777 AND user_number IN (SELECT phone FROM leads);
-- expect:
-- 3
-- 101|600629

-- case: concurrency 1 fetches an IN list one request at a time
-- requests: 16
-- max-in-flight: 1
SELECT setter_config('concurrency', 1);
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 9 AND user_number IN (SELECT tag FROM slow);
-- expect:
-- 1
-- 16

-- case: an IN list is one batch: with the default concurrency 8, requests overlap
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
-- requests: 16
-- max-in-flight: > 1
SELECT setter_config('concurrency');
SELECT count(*), sum(content = 'overlapped') FROM setter_conversations
WHERE bot_integration_id = 9 AND user_number IN (SELECT tag FROM overlapping);
-- expect:
-- 8
-- 16|16

-- case: SETTER_CONCURRENCY from the environment bounds the transfers in flight
-- env: SETTER_CONCURRENCY=2
-- requests: 16
-- max-in-flight: <= 2
SELECT setter_config('concurrency');
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 9 AND user_number IN (SELECT tag FROM slow);
-- expect:
-- 2
-- 16

-- case: one failed lookup in a batch fails the statement, names that contact, and gives no rows
-- requests: <= 3
-- env: SETTER_MAX_RETRIES=0
SELECT user_number, count(*) FROM setter_conversations
WHERE bot_integration_id = 9 AND user_number IN ('a', 'status-400-bulk', 'b')
GROUP BY user_number;
SELECT 'next statement runs';
-- expect:
-- Error: setter_conversations: HTTP 400 for bot_integration_id 9, user_number 'status-400-bulk': mock status 400
-- next statement runs

-- case: EXPLAIN QUERY PLAN: a join with a local table uses the virtual table as the inner loop
SELECT 'leads first';
EXPLAIN QUERY PLAN
SELECT l.name, c.content
FROM leads l JOIN setter_conversations c ON c.bot_integration_id = 777 AND c.user_number = l.phone;
SELECT 'virtual table first in FROM';
EXPLAIN QUERY PLAN
SELECT l.name, c.content
FROM setter_conversations c JOIN leads l ON c.bot_integration_id = 777 AND c.user_number = l.phone;
SELECT 'WHERE form';
EXPLAIN QUERY PLAN
SELECT l.name, c.content FROM setter_conversations c, leads l
WHERE c.user_number = l.phone AND c.bot_integration_id = 777;
-- expect-re:
-- leads first
-- QUERY PLAN
-- \|--SCAN l
-- `--SCAN c VIRTUAL TABLE INDEX \d+:.*
-- virtual table first in FROM
-- QUERY PLAN
-- \|--SCAN l
-- `--SCAN c VIRTUAL TABLE INDEX \d+:.*
-- WHERE form
-- QUERY PLAN
-- \|--SCAN l
-- `--SCAN c VIRTUAL TABLE INDEX \d+:.*

-- case: EXPLAIN QUERY PLAN: an IN list is one scan of the virtual table fed by a list
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
SELECT 'IN subquery';
EXPLAIN QUERY PLAN
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 777 AND user_number IN (SELECT phone FROM leads);
SELECT 'IN literal list';
EXPLAIN QUERY PLAN
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id IN (123, 777) AND user_number IN ('a', 'b');
-- expect-re:
-- IN subquery
-- QUERY PLAN
-- \|--SCAN setter_conversations VIRTUAL TABLE INDEX \d+:.*
-- `--LIST SUBQUERY \d+
--    `--SCAN leads
-- IN literal list
-- QUERY PLAN
-- `--SCAN setter_conversations VIRTUAL TABLE INDEX \d+:.*

-- case: a join restricted with user_number IN (SELECT ...) becomes one batch, virtual table outer
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
-- requests: 50
-- max-in-flight: <= 8
EXPLAIN QUERY PLAN
SELECT l.name, c.content
FROM leads l JOIN setter_conversations c ON c.bot_integration_id = 777 AND c.user_number = l.phone
WHERE c.user_number IN (SELECT phone FROM leads);
SELECT count(*), sum(c.message_id), count(DISTINCT l.name)
FROM leads l JOIN setter_conversations c ON c.bot_integration_id = 777 AND c.user_number = l.phone
WHERE c.user_number IN (SELECT phone FROM leads);
-- expect-re:
-- QUERY PLAN
-- \|--SCAN c VIRTUAL TABLE INDEX \d+:.*
-- \|--LIST SUBQUERY \d+
-- \|  `--SCAN leads
-- `--(SCAN l|SEARCH l USING AUTOMATIC .*)
-- 101\|600629\|50

-- case: a LEFT JOIN over a materialized IN batch keeps leads without a conversation, in one batch
-- sqlite: >= 3.35.0 (AS MATERIALIZED is SQLite 3.35+)
-- requests: 2
CREATE TABLE few(name TEXT, phone TEXT);
INSERT INTO few VALUES ('Ann', '1234567890'), ('Bob', 'a'), ('Cy', NULL), ('Ann again', '1234567890');
WITH c AS MATERIALIZED (
  SELECT user_number, message_id FROM setter_conversations
  WHERE bot_integration_id = 123 AND user_number IN (SELECT phone FROM few))
SELECT l.name, count(c.message_id), group_concat(c.message_id, ',')
FROM few l LEFT JOIN c ON c.user_number = l.phone
GROUP BY l.rowid ORDER BY l.rowid;
-- expect:
-- Ann|3|789,790,791
-- Bob|0|
-- Cy|0|
-- Ann again|3|789,790,791

-- case: a correlated subquery fetches each distinct phone once per statement (the statement cache is shared by the cursors SQLite reopens)
-- requests: 2
CREATE TABLE crm(p TEXT);
INSERT INTO crm VALUES ('a'), ('b'), ('a'), ('a');
SELECT p, (SELECT count(*) FROM setter_conversations c
           WHERE c.bot_integration_id = 777 AND c.user_number = l.p) FROM crm l;
-- expect:
-- a|2
-- b|3
-- a|2
-- a|2

-- case: the same lookup named twice in one statement (UNION ALL) is fetched once
-- requests: 1
SELECT count(*) FROM (
  SELECT message_id FROM setter_conversations(777, 'a')
  UNION ALL
  SELECT message_id FROM setter_conversations(777, 'a'));
-- expect:
-- 4

-- case: the statement cache ends with the statement: the next statement fetches again
-- requests: 2
SELECT count(*) FROM setter_conversations(777, 'a');
SELECT count(*) FROM setter_conversations(777, 'a');
-- expect:
-- 2
-- 2
