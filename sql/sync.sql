-- sync.sql - incremental sync of conversations into a local `messages` table (keyed on
-- message_id), safe to run again and again: each run adds only the messages it has not seen
-- and updates latest_status of the ones it has (sent -> delivered -> read, or failed). Each
-- run is logged in `sync_runs`.
--
-- Run it against your own database file; run it again and it adds 0 messages:
--   sqlite3 crm.db -cmd '.load dist/setter' < sql/sync.sql
-- (`sqlite3 :memory: ...` works too, but forgets everything at exit.) `make demo` runs it
-- twice on one temporary database file against the bundled demo server.
-- In cron: the key in SETTER_API_KEY or SETTER_API_KEY_FILE; `.bail on` below makes an API
-- error stop the run (exit status 1) with nothing half-written and no run logged.
--
-- Your own data: the contacts come from the table `leads` (name, phone) and the bots from
-- `bots` (bot_integration_id, name), both in the database file: fill them once from your CRM,
-- e.g. `.import --csv leads.csv leads`, with the numbers as the bot knows them (typed numbers
-- such as `+1 (555) 010-0001` find nothing: see README, "Phone numbers", for setter_phone()).
-- The rows below fill them with the demo contacts only when base_url is a local server (the
-- demo server of `make demo`); with the real API they add nothing. For a fixed set of bots,
-- `c.bot_integration_id IN (123, 456)` in place of the bots table does the same.
--
-- How it works: `bot_integration_id IN (SELECT ... FROM bots) AND user_number IN (SELECT
-- phone FROM leads)` is one batch of every (bot, lead) pair, fetched in parallel (setting
-- `concurrency`, default 8): 2 bots x 12 leads = 24 lookups here, where a pair the bot does
-- not know costs one request and gives no rows. The API always returns a contact's whole
-- history; ON CONFLICT keeps the local table free of duplicates. Playground/Embed sessions:
-- use `session_id IN (SELECT ...)` instead of user_number.
--
-- Note the `WHERE` before `ON CONFLICT`: in an INSERT ... SELECT, SQLite cannot always tell
-- the upsert's ON from a join's ON, so its manual asks for a WHERE clause (`WHERE true` if you
-- have no condition). Here it also skips messages without an id, which INTEGER PRIMARY KEY
-- would otherwise number itself, inserting them again at every run.

.bail on
.mode box

CREATE TABLE IF NOT EXISTS bots (
  bot_integration_id INTEGER PRIMARY KEY,
  name               TEXT
);
CREATE TABLE IF NOT EXISTS leads (
  name  TEXT,
  phone TEXT PRIMARY KEY
);
-- Demo contacts, only against a local (demo) server.
INSERT OR IGNORE INTO bots
SELECT * FROM (VALUES (123, 'Bright Smile Dental (WhatsApp)'), (456, 'Sunset Realty (SMS)'))
WHERE setter_config('base_url') GLOB 'http://127.0.0.1:*';
INSERT OR IGNORE INTO leads
SELECT * FROM (VALUES
  ('Sample Contact', '1234567890'),  ('Maria Lopez', '+15550100001'),
  ('James Carter', '+15550100002'),  ('Aisha Khan', '+15550100003'),
  ('Tom Becker', '+15550100004'),    ('Sofia Rossi', '+15550100005'),
  ('Daniel Kim', '+15550100006'),    ('Emily Nguyen', '+15550200001'),
  ('Robert Silva', '+15550200002'),  ('Hannah Wright', '+15550200003'),
  ('Carlos Mendez', '+15550200004'), ('Priya Patel', '+15550200005'))
WHERE setter_config('base_url') GLOB 'http://127.0.0.1:*';

CREATE TABLE IF NOT EXISTS messages (
  message_id         INTEGER PRIMARY KEY,
  bot_integration_id INTEGER NOT NULL,
  user_number        TEXT,
  sender_type        TEXT,
  content            TEXT,
  created_at         TEXT,
  latest_status      TEXT,
  error_code,                          -- integer or text, as the API sends it
  error_title        TEXT,
  raw_json           TEXT,             -- the whole message: every field, also future ones
  synced_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE IF NOT EXISTS sync_runs (
  run              INTEGER PRIMARY KEY,
  finished_at      TEXT NOT NULL,
  new_messages     INTEGER NOT NULL,
  status_updates   INTEGER NOT NULL,
  total_messages   INTEGER NOT NULL
);

BEGIN;
DROP TABLE IF EXISTS temp.sync_before;
CREATE TEMP TABLE sync_before AS SELECT count(*) AS n FROM messages;

INSERT INTO messages (message_id, bot_integration_id, user_number, sender_type, content,
                      created_at, latest_status, error_code, error_title, raw_json)
SELECT c.message_id, c.bot_integration_id, c.user_number, c.sender_type, c.content,
       c.created_at, c.latest_status, c.error_code, c.error_title, c.raw_json
FROM setter_conversations AS c
WHERE c.bot_integration_id IN (SELECT bot_integration_id FROM bots)
  AND c.user_number IN (SELECT phone FROM leads)
  AND c.message_id IS NOT NULL
ON CONFLICT (message_id) DO UPDATE
  SET latest_status = excluded.latest_status,
      error_code = excluded.error_code,
      error_title = excluded.error_title,
      raw_json = excluded.raw_json
  WHERE latest_status IS NOT excluded.latest_status;

-- changes() = rows the INSERT above inserted or updated; the new ones are the growth in count.
INSERT INTO sync_runs (finished_at, new_messages, status_updates, total_messages)
SELECT strftime('%Y-%m-%d %H:%M:%S', 'now'), now.n - before.n, changes() - (now.n - before.n),
       now.n
FROM sync_before AS before, (SELECT count(*) AS n FROM messages) AS now;
COMMIT;

-- The runs so far (times in UTC), and what the local table holds: read locally, no API call.
.print 'Sync runs so far (UTC)'
SELECT * FROM sync_runs ORDER BY run;
.print "\nThe local messages table"

SELECT bot_integration_id AS bot,
       count(DISTINCT user_number) AS contacts,
       count(*) AS messages,
       sum(latest_status = 'failed') AS failed,
       max(created_at) AS latest_message
FROM messages
GROUP BY bot_integration_id;
