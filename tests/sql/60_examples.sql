-- The sql/ examples, run for real. The runner's mock serves the test fixtures, not the demo
-- data the examples are written for, so `scripts/demo.sh --check` starts its own demo server
-- (ignoring the SETTER_* variables the runner sets), runs every example file through the
-- sqlite3 shell, and fails a run that exits non-zero, prints an error, or misses a line it
-- must print. On failure it prints what went wrong, which then shows in the diff below.

-- case: every sql/ example runs against the demo server without an error (demo.sh --check)
-- posix-only: runs scripts/demo.sh, a POSIX shell script, through .system
-- sqlite: < 3.53.0 (the sqlite3 shell of 3.53 draws .mode box otherwise: rounded corners, numbers aligned right)
-- sqlite: >= 3.35.0 (AS MATERIALIZED is SQLite 3.35+)
-- requests: 0
-- timeout: 120
.system sh {ROOT}/scripts/demo.sh --check --ext {EXT} 2>&1
-- expect:
-- demo.sh --check: all 6 example runs ok

-- case: with SETTER_API_KEY set, demo.sh shows the real conversation named by SETTER_DEMO_BOT and SETTER_DEMO_USER_NUMBER
-- posix-only: runs scripts/demo.sh, a POSIX shell script, through .system
-- sqlite: < 3.53.0 (the sqlite3 shell of 3.53 draws .mode box otherwise: rounded corners, numbers aligned right)
-- env: SETTER_DEMO_BOT=123
-- env: SETTER_DEMO_USER_NUMBER=1234567890
-- requests: 1
.system sh {ROOT}/scripts/demo.sh --ext {EXT} 2>&1
-- expect:
-- Using the real API at http://127.0.0.1:{PORT}: bot 123, contact 1234567890
--
-- ==== sql/demo.sql - your conversation: sender, time, status, text
--
-- ┌────────┬──────────────────┬───────────┬─────────────────────────────────────────┐
-- │ sender │    time (UTC)    │  status   │                 content                 │
-- ├────────┼──────────────────┼───────────┼─────────────────────────────────────────┤
-- │ user   │ 2024-01-15 14:30 │ delivered │ Hi! I'd like to book an appointment.    │
-- │ bot    │ 2024-01-15 14:30 │ read      │ Sure! What day works for you?           │
-- │ bot    │ 2024-01-16 09:00 │ failed    │ Reminder: your appointment is tomorrow. │
-- └────────┴──────────────────┴───────────┴─────────────────────────────────────────┘

-- case: with SETTER_API_KEY set but no SETTER_DEMO_BOT / SETTER_DEMO_USER_NUMBER, demo.sh says which to set and sends nothing
-- posix-only: runs scripts/demo.sh, a POSIX shell script, through .system
-- requests: 0
.system sh {ROOT}/scripts/demo.sh --ext {EXT} 2>&1; echo "exit status $?"
-- expect:
-- demo.sh: SETTER_API_KEY is set, so the demo runs against the real API and shows one of your
-- conversations. Tell it which one:
--   export SETTER_DEMO_BOT=123                    # your bot integration id
--   export SETTER_DEMO_USER_NUMBER=+15551234567   # a contact of that bot, as the bot knows it
-- Not set now: SETTER_DEMO_BOT SETTER_DEMO_USER_NUMBER
-- To see the bundled demo data instead, run it without the key:  SETTER_API_KEY= make demo
-- exit status 2
