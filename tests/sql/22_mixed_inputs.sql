-- The same number stored as TEXT in one row and as INTEGER in another (a CSV import, pandas
-- to_sql), and the bot as '123' and 123: every form of a query the README recommends returns
-- the same rows as the plain join, and one distinct number is one request. A user_number reads
-- back as given: a number given both as TEXT and as INTEGER returns its rows under each, so
-- SQLite's own check of a join condition it did not hand to the table (c.user_number =
-- l.phone, compared without conversion against a column without a type) holds for each input.
-- bot_integration_id and session_id read back as INTEGER (INTEGER affinity: '123' = 123).
CREATE TABLE leads(name TEXT, phone, bot);
INSERT INTO leads VALUES ('Ann', '1234567890', 123), ('Bob', 1234567890, '123'),
                         ('Cy', '1234567890', '123'), ('Dee', 1234567890, 123);

-- case: mixed types: the plain join finds every lead and fetches the number once
-- requests: 1
SELECT l.name, count(c.message_id) FROM leads l JOIN setter_conversations c
  ON c.bot_integration_id = 123 AND c.user_number = l.phone GROUP BY l.rowid;
-- expect:
-- Ann|3
-- Bob|3
-- Cy|3
-- Dee|3

-- case: mixed types: the IN + join form returns the plain join's rows with one request
-- requests: 1
SELECT l.name, count(c.message_id) FROM leads l JOIN setter_conversations c
  ON c.bot_integration_id = 123 AND c.user_number = l.phone
 AND c.user_number IN (SELECT phone FROM leads) GROUP BY l.rowid;
-- expect:
-- Ann|3
-- Bob|3
-- Cy|3
-- Dee|3

-- case: mixed types: the MATERIALIZED LEFT JOIN form of the README (a CTE stores user_number as TEXT, so both sides compare as TEXT) returns the plain join's rows with one request
-- sqlite: >= 3.35.0 (AS MATERIALIZED is SQLite 3.35+)
-- requests: 1
WITH c AS MATERIALIZED (
  SELECT user_number, message_id FROM setter_conversations
  WHERE bot_integration_id = 123 AND user_number IN (SELECT CAST(phone AS TEXT) FROM leads))
SELECT l.name, count(c.message_id)
FROM leads l LEFT JOIN c ON c.user_number = CAST(l.phone AS TEXT) GROUP BY l.rowid;
-- expect:
-- Ann|3
-- Bob|3
-- Cy|3
-- Dee|3

-- case: mixed types: an IN list with the number as INTEGER and as TEXT returns the rows under each value with one request
-- requests: 2
.mode quote
SELECT user_number, typeof(user_number), count(*) FROM setter_conversations
WHERE bot_integration_id = 123 AND user_number IN (SELECT phone FROM leads) GROUP BY user_number;
SELECT count(*), count(DISTINCT message_id) FROM setter_conversations
WHERE bot_integration_id = 123 AND user_number IN (SELECT setter_phone(phone) FROM leads);
-- expect:
-- 1234567890,'integer',3
-- '1234567890','text',3
-- 3,3

-- case: mixed types: bot_integration_id given as '123' and 123 from the leads: plain join and IN + join agree
-- requests: 2
SELECT 'plain', l.name, count(c.message_id) FROM leads l JOIN setter_conversations c
  ON c.bot_integration_id = l.bot AND c.user_number = l.phone GROUP BY l.rowid;
SELECT 'in', l.name, count(c.message_id) FROM leads l JOIN setter_conversations c
  ON c.bot_integration_id = l.bot AND c.user_number = l.phone
 AND c.bot_integration_id IN (SELECT bot FROM leads)
 AND c.user_number IN (SELECT phone FROM leads) GROUP BY l.rowid;
-- expect:
-- plain|Ann|3
-- plain|Bob|3
-- plain|Cy|3
-- plain|Dee|3
-- in|Ann|3
-- in|Bob|3
-- in|Cy|3
-- in|Dee|3

-- case: mixed types: the lead order does not matter (INTEGER first, then TEXT), IN + join
-- requests: 1
CREATE TABLE leads2(name TEXT, phone);
INSERT INTO leads2 VALUES ('Int', 1234567890), ('Txt', '1234567890');
SELECT l.name, count(c.message_id) FROM leads2 l JOIN setter_conversations c
  ON c.bot_integration_id = '123' AND c.user_number = l.phone
 AND c.user_number IN (SELECT phone FROM leads2) GROUP BY l.rowid;
-- expect:
-- Int|3
-- Txt|3

-- case: mixed types: a leads table whose phone column is INTEGER (numeric affinity) joins in every form
-- requests: 2
CREATE TABLE nums(name TEXT, phone INTEGER);
INSERT INTO nums VALUES ('N1', 1234567890), ('N2', '1234567890');
SELECT 'plain', l.name, count(c.message_id) FROM nums l JOIN setter_conversations c
  ON c.bot_integration_id = 123 AND c.user_number = l.phone GROUP BY l.rowid;
SELECT 'in', l.name, count(c.message_id) FROM nums l JOIN setter_conversations c
  ON c.bot_integration_id = 123 AND c.user_number = l.phone
 AND c.user_number IN (SELECT phone FROM nums) GROUP BY l.rowid;
-- expect:
-- plain|N1|3
-- plain|N2|3
-- in|N1|3
-- in|N2|3

-- case: the rows carry user_number as given and bot_integration_id and session_id as INTEGER, whatever the input type
-- requests: 3
.mode quote
SELECT DISTINCT bot_integration_id, typeof(bot_integration_id), user_number, typeof(user_number)
FROM setter_conversations WHERE bot_integration_id = '123' AND user_number = 1234567890;
SELECT DISTINCT bot_integration_id, typeof(bot_integration_id), user_number, typeof(user_number)
FROM setter_conversations WHERE bot_integration_id IN (123, '123', 123.0)
  AND user_number IN ('1234567890', 1234567890, '1234567890');
SELECT DISTINCT bot_integration_id, typeof(bot_integration_id), session_id, typeof(session_id)
FROM setter_conversations WHERE bot_integration_id = 5.0 AND session_id = '42';
-- expect:
-- 123,'integer',1234567890,'integer'
-- 123,'integer','1234567890','text'
-- 5,'integer',42,'integer'
