-- SQLite before 3.38 (3.34.1 to 3.37.x: DB Browser for SQLite 3.12.2 ships 3.35.5, and
-- 3.34.1 in its SQLCipher build) has no sqlite3_vtab_in: it hands an IN list to a virtual
-- table one value at a time, running xFilter once per value, as for the outer rows of a join.
-- The extension answers every value, one request per distinct lookup per statement, only one
-- after the other; an IN list is then not all or nothing (like a join); and with progress shown
-- it says once why.  These cases run only on such a SQLite (make test-sqlite-versions); on
-- 3.38 and later the same queries are one parallel batch (13_core_plan.sql, 20_bulk.sql).
CREATE TABLE leads(name TEXT, phone TEXT);
INSERT INTO leads VALUES ('A', 'a'), ('B', 'b'), ('A again', 'a');

-- case: old SQLite: the plan takes an IN list as = (one value per xFilter)
-- sqlite: < 3.38.0 (from 3.38 an IN list reaches the table whole: 13_core_plan.sql)
-- requests: 0
EXPLAIN QUERY PLAN
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 777 AND user_number IN (SELECT phone FROM leads);
-- expect-re:
-- QUERY PLAN
-- \|--SCAN setter_conversations VIRTUAL TABLE INDEX \d+:bot_integration_id= user_number=
-- `--LIST SUBQUERY 1
--    `--SCAN leads

-- case: old SQLite: an IN list gets the rows of every value, one request per distinct value, one at a time
-- sqlite: < 3.38.0 (from 3.38 an IN list is one parallel batch: 20_bulk.sql)
-- requests: 2
-- max-in-flight: 1
.mode list
SELECT user_number, count(*) FROM setter_conversations
WHERE bot_integration_id = 777 AND user_number IN (SELECT phone FROM leads)
GROUP BY user_number ORDER BY user_number;
SELECT count(*), count(DISTINCT url) FROM setter_requests;
-- expect:
-- a|2
-- b|3
-- 2|2

-- case: old SQLite: a join with IN gives each lead its rows, one request per distinct phone
-- sqlite: < 3.38.0 (from 3.38 the same join is one parallel batch: 72_parallel_joins.sql)
-- requests: 2
-- max-in-flight: 1
.mode list
SELECT l.name, count(c.message_id) FROM leads l JOIN setter_conversations c
  ON c.bot_integration_id = 777 AND c.user_number = l.phone
 AND c.user_number IN (SELECT phone FROM leads)
GROUP BY l.rowid ORDER BY l.rowid;
-- expect:
-- A|2
-- B|3
-- A again|2

-- case: old SQLite: an IN list is not all or nothing: rows of a value fetched before a failing one come first
-- sqlite: < 3.38.0 (from 3.38 a failing value stops the statement before any row: 13_core_plan.sql)
-- requests: 2
.mode list
SELECT message_id FROM setter_conversations
WHERE bot_integration_id IN (123, 404) AND user_number = '1234567890';
-- expect:
-- 789
-- 790
-- 791
-- Error: setter_conversations: HTTP 404 for bot_integration_id 404, user_number '1234567890': Bot integration not found

-- case: old SQLite: with progress shown, an IN list fetched one value at a time says so once, naming the version
-- sqlite: < 3.38.0 (from 3.38 only a plain join fetches one at a time: 50_requests_log.sql)
-- requests: 12
SELECT setter_config('progress', 1);
CREATE TABLE many(phone TEXT);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 12)
INSERT INTO many SELECT 'lead-' || i FROM s;
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 123 AND user_number IN (SELECT phone FROM many);
-- expect-re:
-- 1
-- setter: this statement fetches one contact at a time: SQLite 3\.3[4-7]\.\d+ hands a virtual table IN lists and joins one value at a time \(3\.38 or newer fetches an IN list in parallel\)
-- \d+
