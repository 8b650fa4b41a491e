-- The join forms the README's "Querying" section leads with: a plain join hands the
-- table one lead at a time, so it fetches serially; adding `AND c.user_number IN (SELECT ...)`
-- to an inner join, or fetching a `WITH ... AS MATERIALIZED (... IN (SELECT ...))` batch
-- before a LEFT JOIN, fetches in parallel. The serial case reads bot 9's `big-N-TAG` contacts
-- (N-byte bodies); the parallel cases read its `overlap-TAG` contacts, which answer only once
-- two requests have been in flight at once, so the overlap the mock counts does not depend on
-- how fast this machine is (tests/MOCK.md).
CREATE TABLE leads(name TEXT, phone TEXT);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 12)
INSERT INTO leads SELECT 'Lead ' || i, 'big-2000000-join' || i FROM s;
INSERT INTO leads VALUES ('No conversation', 'nobody');
CREATE TABLE pleads(name TEXT, phone TEXT);
INSERT INTO pleads SELECT name, replace(phone, 'big-2000000-join', 'overlap-join') FROM leads;

-- case: a plain inner join fetches one lead at a time (never two requests in flight)
-- requests: 13
-- max-in-flight: 1
SELECT count(*), count(DISTINCT l.name)
FROM leads l JOIN setter_conversations c
  ON c.bot_integration_id = 9 AND c.user_number = l.phone;
-- expect:
-- 12|12

-- case: the same inner join with AND c.user_number IN (SELECT phone FROM leads) fetches in parallel, same rows
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
-- requests: 13
-- max-in-flight: > 1
SELECT count(*), count(DISTINCT l.name), sum(c.content = 'overlapped')
FROM pleads l JOIN setter_conversations c
  ON c.bot_integration_id = 9 AND c.user_number = l.phone
 AND c.user_number IN (SELECT phone FROM pleads);
-- expect:
-- 12|12|12

-- case: a LEFT JOIN on a WITH ... AS MATERIALIZED batch fetches in parallel and keeps the lead without a conversation
-- sqlite: >= 3.35.0 (AS MATERIALIZED is SQLite 3.35+)
-- requests: 13
-- max-in-flight: > 1
WITH c AS MATERIALIZED (
  SELECT user_number, message_id FROM setter_conversations
  WHERE bot_integration_id = 9 AND user_number IN (SELECT phone FROM pleads))
SELECT count(*), count(c.message_id), sum(c.message_id IS NULL)
FROM pleads l LEFT JOIN c ON c.user_number = l.phone;
-- expect:
-- 13|12|1

-- case: bot_integration_id IN (SELECT ...) AND user_number IN (SELECT ...) is one batch of every pair, fetched in parallel
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
-- requests: 26
-- max-in-flight: > 1
CREATE TABLE bots(bot_integration_id INTEGER);
INSERT INTO bots VALUES (9), (123);
SELECT bot_integration_id, count(*) FROM setter_conversations
WHERE bot_integration_id IN (SELECT bot_integration_id FROM bots)
  AND user_number IN (SELECT phone FROM pleads)
GROUP BY bot_integration_id;
-- expect:
-- 9|12
