-- One statement, one request per lookup and one version of each conversation, also in the
-- triggers it fires (each trigger run closes its cursors), and max_lookups bounds the lookups
-- of the whole statement, not of one xFilter call. The `counter-TAG` contacts of bot 9 answer
-- `answer N`, N counting the requests for that contact: a second request shows.
PRAGMA trusted_schema = ON;  -- our own triggers (the shell turns it off from SQLite 3.46)
CREATE TABLE log(k TEXT, v TEXT);
CREATE TABLE t(x);
CREATE TRIGGER t_before BEFORE INSERT ON t BEGIN
  INSERT INTO log SELECT 'before ' || new.x, content FROM setter_conversations(9, 'counter-trig');
END;
CREATE TRIGGER t_after AFTER INSERT ON t BEGIN
  INSERT INTO log SELECT 'after ' || new.x, content FROM setter_conversations(9, 'counter-trig');
END;
CREATE TABLE leads(name TEXT, phone TEXT);
INSERT INTO leads VALUES ('A', 'a'), ('B', 'b'), ('C', 'c'), ('D', 'd'), ('E', 'e'), ('F', 'f');

-- case: a one-row INSERT whose BEFORE and AFTER triggers read the same contact makes one request and sees one version
-- requests: 1
INSERT INTO t VALUES (1);
SELECT k, v FROM log;
-- expect:
-- before 1|answer 1
-- after 1|answer 1

-- case: INSERT ... SELECT of 3 rows fires the triggers 6 times with one request; the next statement asks again
-- requests: 2
INSERT INTO t SELECT column1 FROM (VALUES (1), (2), (3));
INSERT INTO t VALUES (4);
SELECT k, v FROM log;
-- expect:
-- before 1|answer 1
-- after 1|answer 1
-- before 2|answer 1
-- after 2|answer 1
-- before 3|answer 1
-- after 3|answer 1
-- before 4|answer 2
-- after 4|answer 2

-- case: a trigger and the statement that fires it share the statement's answer
-- requests: 1
INSERT INTO t SELECT content FROM setter_conversations(9, 'counter-trig');
SELECT k, v FROM log;
-- expect:
-- before answer 1|answer 1
-- after answer 1|answer 1

-- case: max_lookups counts every lookup of a statement: a plain join of 6 leads fails at the 3rd with max_lookups 2
-- requests: 2
SELECT setter_config('max_lookups', 2);
SELECT count(*) FROM leads l JOIN setter_conversations c
  ON c.bot_integration_id = 777 AND c.user_number = l.phone;
-- expect:
-- 2
-- Error: setter_conversations: 3 lookups in this statement is more than max_lookups (2); raise it with SELECT setter_config('max_lookups', ...)

-- case: max_lookups: a lookup met again in the same statement is not counted twice (IN + join of 6 leads, max_lookups 6)
-- requests: 6
SELECT setter_config('max_lookups', 6);
SELECT count(*) FROM leads l JOIN setter_conversations c
  ON c.bot_integration_id = 777 AND c.user_number = l.phone
 AND c.user_number IN (SELECT phone FROM leads);
-- expect:
-- 6
-- 12

-- case: max_lookups: the IN + join form with one lookup too many fails before any request
-- sqlite: >= 3.38.0 (before 3.38 SQLite hands an IN list to a virtual table one value at a time, as a join)
-- requests: 0
SELECT setter_config('max_lookups', 5);
SELECT count(*) FROM leads l JOIN setter_conversations c
  ON c.bot_integration_id = 777 AND c.user_number = l.phone
 AND c.user_number IN (SELECT phone FROM leads);
-- expect-re:
-- 5
-- Error: setter_conversations: 6 lookups \(1 bot_integration_id x 6 user_number\) is more than max_lookups \(5\); .*

-- case: max_lookups: correlated subqueries of one statement add up; the next statement starts again from 0
-- requests: 4
SELECT setter_config('max_lookups', 2);
SELECT (SELECT count(*) FROM setter_conversations(777, 'a')), (SELECT count(*) FROM setter_conversations(777, 'b'));
SELECT l.name, (SELECT count(*) FROM setter_conversations(777, l.phone)) FROM leads l;
-- expect:
-- 2
-- 2|3
-- A|2
-- B|3
-- Error: setter_conversations: 3 lookups in this statement is more than max_lookups (2); raise it with SELECT setter_config('max_lookups', ...)
