-- The README's "Phone numbers" and "Querying" examples, run against the demo server
-- (tests/mock_api.py --demo, tests/demo_data.py) with the output the README shows. The prelude
-- starts a demo server for the case and points base_url and api_key at it, so the runner's mock
-- sees no request. The case's last line kills the server (SIGKILL to the child of the
-- `timeout` whose pid the prelude saved); `timeout 60` ends it anyway if a case dies first.
.system env -u LD_PRELOAD timeout 60 /usr/bin/python3 tests/mock_api.py --demo --port 0 --port-file {TMP}/port --quiet </dev/null >/dev/null 2>&1 & echo $! >{TMP}/pid
.system timeout 10 sh -c "until test -s {TMP}/port; do sleep 0.05; done"
.output /dev/null
SELECT setter_config('api_key', 'demo-key'),
       setter_config('base_url', 'http://127.0.0.1:' || trim(CAST(readfile('{TMP}/port') AS TEXT), char(10)));
.output
CREATE TABLE leads (name TEXT, phone TEXT);
INSERT INTO leads VALUES
  ('Grace Lee',    '+1 (555) 010-0011'),
  ('Oliver Brown', '555.010.0012'),
  ('Emma Wilson',  '+44 (0)20 7946 0018'),
  ('Lucas Martin', '1-555-010-0013'),
  ('Chloe Dubois', '555-010-0014 ext 2'),
  ('Ethan Park',   '+1 555 010 0015');

-- case: demo server: the prelude reaches it
-- posix-only: the prelude starts and stops its own demo server through .system (sh, timeout, pkill)
-- requests: 0
SELECT count(*) FROM setter_conversations(123, '15550100011');
SELECT setter_config('base_url') GLOB 'http://127.0.0.1:[0-9]*';
.system env -u LD_PRELOAD pkill -KILL -P $(cat {TMP}/pid)
-- expect:
-- 4
-- 1

-- case: README Phone numbers: as typed, not one of the leads finds a conversation
-- posix-only: the prelude starts and stops its own demo server through .system (sh, timeout, pkill)
-- sqlite: < 3.53.0 (the sqlite3 shell of 3.53 draws .mode box otherwise: rounded corners, numbers aligned right)
-- requests: 0
.mode box
SELECT count(*) AS messages FROM setter_conversations
WHERE bot_integration_id = 123 AND user_number IN (SELECT phone FROM leads);
.system env -u LD_PRELOAD pkill -KILL -P $(cat {TMP}/pid)
-- expect:
-- ┌──────────┐
-- │ messages │
-- ├──────────┤
-- │ 0        │
-- └──────────┘

-- case: README Phone numbers: the UPDATE rewrites the numbers it can read and leaves the others as typed
-- posix-only: the prelude starts and stops its own demo server through .system (sh, timeout, pkill)
-- requests: 0
UPDATE leads SET phone = setter_phone(phone) WHERE setter_phone(phone) IS NOT NULL;
SELECT name, phone FROM leads;
.system env -u LD_PRELOAD pkill -KILL -P $(cat {TMP}/pid)
-- expect:
-- Grace Lee|15550100011
-- Oliver Brown|5550100012
-- Emma Wilson|442079460018
-- Lucas Martin|15550100013
-- Chloe Dubois|555-010-0014 ext 2
-- Ethan Park|15550100015

-- case: README Phone numbers: a generated column setter_phone(phone, '1') adds the country code to national numbers, with an index on it
-- posix-only: the prelude starts and stops its own demo server through .system (sh, timeout, pkill)
-- sqlite: < 3.53.0 (the sqlite3 shell of 3.53 draws .mode box otherwise: rounded corners, numbers aligned right)
-- requests: 0
ALTER TABLE leads ADD COLUMN number TEXT AS (setter_phone(phone, '1'));
CREATE INDEX leads_number ON leads(number);
.mode box
SELECT name, phone, number FROM leads;
.mode list
EXPLAIN QUERY PLAN SELECT name FROM leads WHERE number = '15550100012';
.system env -u LD_PRELOAD pkill -KILL -P $(cat {TMP}/pid)
-- expect:
-- ┌──────────────┬─────────────────────┬──────────────┐
-- │     name     │        phone        │    number    │
-- ├──────────────┼─────────────────────┼──────────────┤
-- │ Grace Lee    │ +1 (555) 010-0011   │ 15550100011  │
-- │ Oliver Brown │ 555.010.0012        │ 15550100012  │
-- │ Emma Wilson  │ +44 (0)20 7946 0018 │ 442079460018 │
-- │ Lucas Martin │ 1-555-010-0013      │ 15550100013  │
-- │ Chloe Dubois │ 555-010-0014 ext 2  │              │
-- │ Ethan Park   │ +1 555 010 0015     │ 15550100015  │
-- └──────────────┴─────────────────────┴──────────────┘
-- QUERY PLAN
-- `--SEARCH leads USING INDEX leads_number (number=?)

-- case: README Phone numbers: the LEFT JOIN on the parallel form lists the leads that matched nothing
-- posix-only: the prelude starts and stops its own demo server through .system (sh, timeout, pkill)
-- sqlite: < 3.53.0 (the sqlite3 shell of 3.53 draws .mode box otherwise: rounded corners, numbers aligned right)
-- sqlite: >= 3.35.0 (AS MATERIALIZED is SQLite 3.35+)
-- requests: 0
ALTER TABLE leads ADD COLUMN number TEXT AS (setter_phone(phone, '1'));
CREATE INDEX leads_number ON leads(number);
.mode box
WITH c AS MATERIALIZED (
  SELECT user_number, message_id FROM setter_conversations
  WHERE bot_integration_id = 123 AND user_number IN (SELECT number FROM leads))
SELECT l.name, l.phone, l.number, count(c.message_id) AS messages
FROM leads AS l LEFT JOIN c ON c.user_number = l.number
GROUP BY l.rowid
HAVING count(c.message_id) = 0;
.mode list
-- and the others did match: their message counts, from one request per distinct number
WITH c AS MATERIALIZED (
  SELECT user_number, message_id FROM setter_conversations
  WHERE bot_integration_id = 123 AND user_number IN (SELECT number FROM leads))
SELECT l.name, count(c.message_id) FROM leads AS l LEFT JOIN c ON c.user_number = l.number
GROUP BY l.rowid;
SELECT count(*) FROM setter_requests WHERE cached = 0;
.system env -u LD_PRELOAD pkill -KILL -P $(cat {TMP}/pid)
-- expect:
-- ┌──────────────┬────────────────────┬─────────────┬──────────┐
-- │     name     │       phone        │   number    │ messages │
-- ├──────────────┼────────────────────┼─────────────┼──────────┤
-- │ Chloe Dubois │ 555-010-0014 ext 2 │             │ 0        │
-- │ Ethan Park   │ +1 555 010 0015    │ 15550100015 │ 0        │
-- └──────────────┴────────────────────┴─────────────┴──────────┘
-- Grace Lee|4
-- Oliver Brown|2
-- Emma Wilson|5
-- Lucas Martin|3
-- Chloe Dubois|0
-- Ethan Park|0
-- 10

-- case: README Phone numbers: a contact the bot knows with its + is found as '+' || setter_phone(phone)
-- posix-only: the prelude starts and stops its own demo server through .system (sh, timeout, pkill)
-- requests: 0
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 123 AND user_number = setter_phone('+1 555 010 0001');
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 123 AND user_number = '+' || setter_phone('+1 555 010 0001');
.system env -u LD_PRELOAD pkill -KILL -P $(cat {TMP}/pid)
-- expect:
-- 0
-- 6

-- case: README Phone numbers: the recipe's country code leaves the API's own example 1234567890 as it is
-- posix-only: the prelude starts and stops its own demo server through .system (sh, timeout, pkill)
-- requests: 0
INSERT INTO leads(name, phone) VALUES ('API example', '1234567890');
ALTER TABLE leads ADD COLUMN number TEXT AS (setter_phone(phone, '1'));
SELECT number FROM leads WHERE name = 'API example';
SELECT count(*) FROM setter_conversations(123, (SELECT number FROM leads WHERE name = 'API example'));
.system env -u LD_PRELOAD pkill -KILL -P $(cat {TMP}/pid)
-- expect:
-- 1234567890
-- 3

-- case: README Phone numbers: which form a bot knows (messages in setter_requests), and both forms in one IN list
-- posix-only: the prelude starts and stops its own demo server through .system (sh, timeout, pkill)
-- sqlite: < 3.53.0 (the sqlite3 shell of 3.53 draws .mode box otherwise: rounded corners, numbers aligned right)
-- sqlite: >= 3.35.0 (AS MATERIALIZED is SQLite 3.35+)
-- requests: 0
.mode list
ALTER TABLE leads ADD COLUMN number TEXT AS (setter_phone(phone, '1'));
SELECT count(*) FROM setter_conversations
WHERE bot_integration_id = 123 AND user_number IN ('15550100001', '+15550100001');
SELECT user_number, messages FROM setter_requests
WHERE user_number IN ('15550100001', '+15550100001') ORDER BY user_number;
.mode box
WITH c AS MATERIALIZED (
  SELECT user_number, message_id FROM setter_conversations
  WHERE bot_integration_id = 123
    AND user_number IN (SELECT number FROM leads UNION ALL SELECT '+' || number FROM leads))
SELECT l.name, c.user_number, count(c.message_id) AS messages
FROM leads AS l LEFT JOIN c ON c.user_number IN (l.number, '+' || l.number)
GROUP BY l.rowid, c.user_number;
.system env -u LD_PRELOAD pkill -KILL -P $(cat {TMP}/pid)
-- expect:
-- 6
-- +15550100001|6
-- 15550100001|0
-- ┌──────────────┬──────────────┬──────────┐
-- │     name     │ user_number  │ messages │
-- ├──────────────┼──────────────┼──────────┤
-- │ Grace Lee    │ 15550100011  │ 4        │
-- │ Oliver Brown │ 15550100012  │ 2        │
-- │ Emma Wilson  │ 442079460018 │ 5        │
-- │ Lucas Martin │ 15550100013  │ 3        │
-- │ Chloe Dubois │              │ 0        │
-- │ Ethan Park   │              │ 0        │
-- └──────────────┴──────────────┴──────────┘

-- case: README Querying: the inner join with IN (SELECT ...) and the LEFT JOIN on a materialized batch, as shown
-- posix-only: the prelude starts and stops its own demo server through .system (sh, timeout, pkill)
-- sqlite: >= 3.35.0 (AS MATERIALIZED is SQLite 3.35+)
-- requests: 0
DROP TABLE leads;
CREATE TABLE leads (name TEXT, phone TEXT);
INSERT INTO leads VALUES ('James Carter', '+15550100002'), ('Sofia Rossi', '+15550100005');
SELECT l.name, c.created_at, c.content
FROM leads l JOIN setter_conversations c
  ON c.bot_integration_id = 123 AND c.user_number = l.phone
 AND c.user_number IN (SELECT phone FROM leads);
SELECT '--';
WITH c AS MATERIALIZED (
  SELECT user_number, created_at, content FROM setter_conversations
  WHERE bot_integration_id = 123 AND user_number IN (SELECT phone FROM leads))
SELECT l.name, c.created_at, c.content
FROM leads l LEFT JOIN c ON c.user_number = l.phone;
SELECT '--';
SELECT user_number, count(*) AS messages, sum(latest_status = 'failed') AS failed
FROM setter_conversations
WHERE bot_integration_id = 123 AND user_number IN (SELECT phone FROM leads)
GROUP BY user_number;
.system env -u LD_PRELOAD pkill -KILL -P $(cat {TMP}/pid)
-- expect:
-- James Carter|2024-03-05T17:40:00.000Z|How much is teeth whitening?
-- James Carter|2024-03-05T17:40:03.000Z|In-office whitening is $349 and takes about 90 minutes. Would you like to book a free consultation first?
-- James Carter|2024-03-05T17:45:00.000Z|Let me think about it.
-- James Carter|2024-03-07T19:40:00.000Z|Hi James, just checking in: would you like to book your free whitening consultation?
-- --
-- James Carter|2024-03-05T17:40:00.000Z|How much is teeth whitening?
-- James Carter|2024-03-05T17:40:03.000Z|In-office whitening is $349 and takes about 90 minutes. Would you like to book a free consultation first?
-- James Carter|2024-03-05T17:45:00.000Z|Let me think about it.
-- James Carter|2024-03-07T19:40:00.000Z|Hi James, just checking in: would you like to book your free whitening consultation?
-- Sofia Rossi||
-- --
-- +15550100002|4|1

-- case: sql/sync.sql reads leads and bots and asks about every (bot, lead) pair: 24 requests for 2 bots x 12 leads
-- posix-only: the prelude starts and stops its own demo server through .system (sh, timeout, pkill)
-- sqlite: < 3.53.0 (the sqlite3 shell of 3.53 draws .mode box otherwise: rounded corners, numbers aligned right)
-- requests: 0
DROP TABLE leads;
.read sql/sync.sql
.mode list
SELECT count(*), sum(status = 200) FROM setter_requests;
SELECT count(*) FROM bots;
SELECT count(*) FROM leads;
.system env -u LD_PRELOAD pkill -KILL -P $(cat {TMP}/pid)
-- expect-re:
-- Sync runs so far \(UTC\)
-- ┌─────┬─────────────────────┬──────────────┬────────────────┬────────────────┐
-- │ run │     finished_at     │ new_messages │ status_updates │ total_messages │
-- ├─────┼─────────────────────┼──────────────┼────────────────┼────────────────┤
-- │ 1   │ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d │ 47           │ 0              │ 47             │
-- └─────┴─────────────────────┴──────────────┴────────────────┴────────────────┘
--
-- The local messages table
-- ┌─────┬──────────┬──────────┬────────┬──────────────────────────┐
-- │ bot │ contacts │ messages │ failed │      latest_message      │
-- ├─────┼──────────┼──────────┼────────┼──────────────────────────┤
-- │ 123 │ 6        │ 28       │ 3      │ 2024-03-08T16:31:40\.000Z │
-- │ 456 │ 4        │ 19       │ 2      │ 2024-03-13T13:15:04\.000Z │
-- └─────┴──────────┴──────────┴────────┴──────────────────────────┘
-- 24\|24
-- 2
-- 12

-- case: sql/sync.sql adds no demo leads or bots when base_url is not a local server
-- posix-only: the prelude starts and stops its own demo server through .system (sh, timeout, pkill)
-- sqlite: < 3.53.0 (the sqlite3 shell of 3.53 draws .mode box otherwise: rounded corners, numbers aligned right)
-- requests: 0
.output /dev/null
SELECT setter_config('base_url', 'https://example.invalid');
.output
DROP TABLE leads;
.bail off
.read sql/sync.sql
.mode list
SELECT count(*) FROM bots;
SELECT count(*) FROM leads;
SELECT count(*) FROM messages;
.system env -u LD_PRELOAD pkill -KILL -P $(cat {TMP}/pid)
-- expect-re:
-- Sync runs so far \(UTC\)
-- ┌─────┬─────────────────────┬──────────────┬────────────────┬────────────────┐
-- │ run │     finished_at     │ new_messages │ status_updates │ total_messages │
-- ├─────┼─────────────────────┼──────────────┼────────────────┼────────────────┤
-- │ 1   │ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d │ 0            │ 0              │ 0              │
-- └─────┴─────────────────────┴──────────────┴────────────────┴────────────────┘
--
-- The local messages table
-- 0
-- 0
-- 0

-- case: README Examples: the abridged first report of sql/leads_join.sql, as shown
-- posix-only: the prelude starts and stops its own demo server through .system (sh, timeout, pkill)
-- sqlite: < 3.53.0 (the sqlite3 shell of 3.53 draws .mode box otherwise: rounded corners, numbers aligned right)
-- sqlite: >= 3.35.0 (AS MATERIALIZED is SQLite 3.35+)
-- requests: 0
DROP TABLE leads;
CREATE TEMP TABLE leads (name TEXT NOT NULL, phone TEXT PRIMARY KEY);
INSERT INTO leads VALUES
  ('Maria Lopez',  '+15550100001'), ('James Carter', '+15550100002'),
  ('Aisha Khan',   '+15550100003'), ('Tom Becker',   '+15550100004'),
  ('Sofia Rossi',  '+15550100005'), ('Daniel Kim',   '+15550100006'),
  ('Noah Fischer', '+15550100007');
.mode box
WITH c AS MATERIALIZED (
  SELECT user_number, message_id, sender_type, latest_status FROM setter_conversations
  WHERE bot_integration_id = 123 AND user_number IN (SELECT phone FROM leads))
SELECT l.name, l.phone, count(c.message_id) AS messages,
       count(CASE WHEN c.sender_type = 'user' THEN 1 END) AS from_lead,
       count(CASE WHEN c.sender_type = 'bot' THEN 1 END) AS from_bot,
       count(CASE WHEN c.latest_status = 'failed' THEN 1 END) AS failed
FROM leads AS l LEFT JOIN c ON c.user_number = l.phone
GROUP BY l.phone ORDER BY messages DESC, l.name;
.system env -u LD_PRELOAD pkill -KILL -P $(cat {TMP}/pid)
-- expect:
-- ┌──────────────┬──────────────┬──────────┬───────────┬──────────┬────────┐
-- │     name     │    phone     │ messages │ from_lead │ from_bot │ failed │
-- ├──────────────┼──────────────┼──────────┼───────────┼──────────┼────────┤
-- │ Aisha Khan   │ +15550100003 │ 8        │ 4         │ 4        │ 0      │
-- │ Maria Lopez  │ +15550100001 │ 6        │ 3         │ 3        │ 0      │
-- │ Daniel Kim   │ +15550100006 │ 5        │ 3         │ 2        │ 0      │
-- │ James Carter │ +15550100002 │ 4        │ 2         │ 2        │ 1      │
-- │ Tom Becker   │ +15550100004 │ 2        │ 0         │ 2        │ 2      │
-- │ Noah Fischer │ +15550100007 │ 0        │ 0         │ 0        │ 0      │
-- │ Sofia Rossi  │ +15550100005 │ 0        │ 0         │ 0        │ 0      │
-- └──────────────┴──────────────┴──────────┴───────────┴──────────┴────────┘
