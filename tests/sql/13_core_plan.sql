-- Core: xBestIndex. Plans with both keys (= or IN) are cheap. A key given but not usable
-- in this order of the join answers SQLITE_CONSTRAINT, so SQLite picks an order that supplies it;
-- plans where a key is absent altogether get a huge cost (SQLITE_CONSTRAINT everywhere would give
-- "no query solution") and the error as idxStr, which xFilter reports at run time.
-- An IN list is handed over whole (sqlite3_vtab_in) and fetched in one batch.
-- The idxNum printed after INDEX is the extension's own business, so it is matched with \d+;
-- the idxStr after it names the inputs used and whether each is a whole IN list.
CREATE TABLE leads(name TEXT, phone TEXT);
INSERT INTO leads VALUES ('A', 'a'), ('B', 'b'), ('A again', 'a');

-- case: plan: the join puts leads outer and setter_conversations inner, with an index plan
-- requests: 0
EXPLAIN QUERY PLAN
SELECT l.name, c.content FROM leads l JOIN setter_conversations c
  ON c.bot_integration_id = 123 AND c.user_number = l.phone;
-- expect-re:
-- QUERY PLAN
-- \|--SCAN l
-- `--SCAN c VIRTUAL TABLE INDEX \d+:bot_integration_id= user_number=

-- case: plan: leads stays outer even when setter_conversations is written first
-- requests: 0
EXPLAIN QUERY PLAN
SELECT l.name, c.content FROM setter_conversations c, leads l
WHERE c.bot_integration_id = 123 AND c.user_number = l.phone;
-- expect-re:
-- QUERY PLAN
-- \|--SCAN l
-- `--SCAN c VIRTUAL TABLE INDEX \d+:bot_integration_id= user_number=

-- case: plan: a LEFT JOIN uses the index plan for setter_conversations inside
-- sqlite: >= 3.39.0 (EXPLAIN QUERY PLAN marks LEFT-JOIN from 3.39)
-- requests: 0
EXPLAIN QUERY PLAN
SELECT l.name, c.content FROM leads l LEFT JOIN setter_conversations c
  ON c.bot_integration_id = 123 AND c.user_number = l.phone;
-- expect-re:
-- QUERY PLAN
-- \|--SCAN l
-- `--SCAN c VIRTUAL TABLE INDEX \d+:bot_integration_id= user_number= LEFT-JOIN

-- case: the planned join runs: one request per distinct phone, rows for every lead
-- requests: 2
.mode list
SELECT l.name, count(*) FROM setter_conversations c, leads l
WHERE c.bot_integration_id = 777 AND c.user_number = l.phone
GROUP BY l.rowid ORDER BY l.rowid;
-- expect:
-- A|2
-- B|3
-- A again|2

-- case: plan: an IN list is a single scan of the vtab's index
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
-- requests: 0
EXPLAIN QUERY PLAN
SELECT * FROM setter_conversations WHERE bot_integration_id = 123 AND user_number IN ('1', '2');
-- expect-re:
-- QUERY PLAN
-- `--SCAN setter_conversations VIRTUAL TABLE INDEX \d+:bot_integration_id= user_number IN

-- case: plan: IN (SELECT phone FROM leads) is a single scan of the vtab's index with a list subquery
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
-- requests: 0
EXPLAIN QUERY PLAN
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 777 AND user_number IN (SELECT phone FROM leads);
-- expect-re:
-- QUERY PLAN
-- \|--SCAN setter_conversations VIRTUAL TABLE INDEX \d+:bot_integration_id= user_number IN
-- `--LIST SUBQUERY 1
--    `--SCAN leads

-- case: IN list is one batch: a failing value stops the statement before any row of a value sorted earlier
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
-- requests: <= 2
.mode list
SELECT message_id FROM setter_conversations
WHERE bot_integration_id IN (123, 404) AND user_number = '1234567890';
-- expect:
-- Error: setter_conversations: HTTP 404 for bot_integration_id 404, user_number '1234567890': Bot integration not found

-- case: IN list is one batch: all distinct values are requested, in flight together
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
-- requests: 2
-- max-in-flight: >= 2
.mode list
SELECT user_number, content FROM setter_conversations
WHERE bot_integration_id = 9 AND user_number IN ('overlap-plan-a', 'overlap-plan-b')
ORDER BY user_number;
SELECT count(*), count(DISTINCT url), sum(status = 200) FROM setter_requests;
-- expect:
-- overlap-plan-a|overlapped
-- overlap-plan-b|overlapped
-- 2|2|2

-- case: IN list: one request per distinct value, seen in setter_requests
-- requests: 3
.mode list
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 777 AND user_number IN ('a', 'b', 'c', 'b', 'a');
SELECT url FROM setter_requests ORDER BY url;
-- expect:
-- 6
-- /api/v1/bot-integrations/777/conversations?userNumber=a
-- /api/v1/bot-integrations/777/conversations?userNumber=b
-- /api/v1/bot-integrations/777/conversations?userNumber=c

-- case: plan: a query without keys still plans, with the error as its readable idxStr, then fails naming bot_integration_id
-- requests: 0
EXPLAIN QUERY PLAN SELECT * FROM setter_conversations;
SELECT * FROM setter_conversations;
-- expect-re:
-- QUERY PLAN
-- `--SCAN setter_conversations VIRTUAL TABLE INDEX \d+:bot_integration_id is required: add WHERE .*
-- Error: setter_conversations: bot_integration_id is required: add WHERE .*

-- case: plan: a query without a contact still plans, then fails naming user_number or session_id
-- requests: 0
EXPLAIN QUERY PLAN SELECT * FROM setter_conversations WHERE bot_integration_id = 123;
SELECT * FROM setter_conversations WHERE bot_integration_id = 123;
-- expect-re:
-- QUERY PLAN
-- `--SCAN setter_conversations VIRTUAL TABLE INDEX \d+:user_number or session_id is required: .*
-- Error: setter_conversations: user_number or session_id is required: .*

-- case: plan: a join whose ON gives no contact still plans, then fails with the named column
-- requests: 0
EXPLAIN QUERY PLAN
SELECT l.name, c.content FROM leads l JOIN setter_conversations c ON c.bot_integration_id = 123;
SELECT l.name, c.content FROM leads l JOIN setter_conversations c ON c.bot_integration_id = 123;
-- expect-re:
-- QUERY PLAN
-- \|--SCAN c VIRTUAL TABLE INDEX \d+:user_number or session_id is required: .*
-- `--SCAN l
-- Error: setter_conversations: user_number or session_id is required: .*

-- case: plan: a range constraint on the bot is not a key: plans, then fails naming the operator
-- requests: 0
EXPLAIN QUERY PLAN
SELECT * FROM setter_conversations WHERE bot_integration_id > 100 AND user_number = '1234567890';
SELECT * FROM setter_conversations WHERE bot_integration_id > 100 AND user_number = '1234567890';
-- expect-re:
-- QUERY PLAN
-- `--SCAN setter_conversations VIRTUAL TABLE INDEX \d+:bot_integration_id > cannot be sent to the API: use = or IN
-- Error: setter_conversations: bot_integration_id > cannot be sent to the API: use = or IN

-- case: plan: a self-join where SQLite carries the keys over to both references; one request serves both
-- requests: 1
EXPLAIN QUERY PLAN
SELECT count(*) FROM setter_conversations b JOIN setter_conversations a
  ON b.bot_integration_id = a.bot_integration_id AND b.user_number = a.user_number
WHERE a.bot_integration_id = 777 AND a.user_number = 'b';
SELECT count(*), count(DISTINCT a.message_id || '-' || b.content) FROM setter_conversations b
JOIN setter_conversations a
  ON b.bot_integration_id = a.bot_integration_id AND b.user_number = a.user_number
WHERE a.bot_integration_id = 777 AND a.user_number = 'b';
-- expect-re:
-- QUERY PLAN
-- \|--SCAN b VIRTUAL TABLE INDEX \d+:bot_integration_id= user_number=
-- `--SCAN a VIRTUAL TABLE INDEX \d+:bot_integration_id= user_number=
-- 9\|9

-- case: a join with both an IN list and a join key on user_number: each lead gets its rows, one request per value
-- requests: 2
.mode list
SELECT l.name, c.message_id FROM leads l, setter_conversations c
WHERE c.bot_integration_id = 777 AND c.user_number IN ('a', 'b') AND l.phone = c.user_number
ORDER BY l.rowid, c.message_id;
-- expect:
-- A|971
-- A|972
-- B|981
-- B|982
-- B|983
-- A again|971
-- A again|972

-- case: plan: two references whose keys only come from each other have no order that supplies them: a clear error at run time, not "no query solution"
-- requests: 0
SELECT count(*) FROM setter_conversations a JOIN setter_conversations b
  ON a.user_number = b.user_number AND a.bot_integration_id = b.bot_integration_id;
-- expect-re:
-- Error: setter_conversations: (bot_integration_id|user_number) comes from a table that this join reads after setter_conversations \(each side waiting for the other, or a RIGHT or CROSS JOIN\): name the table that gives it first, or use (bot_integration_id|user_number) IN \(SELECT \.\.\.\)

-- case: plan: a join whose keys both come from leads still puts leads first (nothing usable in the other order is not an error)
-- requests: 2
CREATE TABLE leads2(bot INTEGER, phone TEXT);
INSERT INTO leads2 VALUES (777, 'a'), (777, 'b');
SELECT l.phone, count(c.message_id) FROM setter_conversations c JOIN leads2 l
  ON c.bot_integration_id = l.bot AND c.user_number = l.phone GROUP BY l.phone;
-- expect:
-- a|2
-- b|3

-- case: plan: a CROSS JOIN that puts the table first cannot use the contact from the table after it, and the error says so
-- requests: 0
SELECT count(*) FROM setter_conversations c CROSS JOIN leads l
WHERE c.bot_integration_id = 777 AND c.user_number = l.phone;
-- expect-re:
-- Error: setter_conversations: user_number or session_id is required: .*or a join condition applied after this table \(RIGHT or CROSS JOIN\), cannot be sent to the API
