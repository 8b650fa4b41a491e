-- demo.sql - one conversation, message by message: who wrote it, when, its delivery status
-- and the text (cut to 50 characters so that it fits a terminal).
--
-- Run it by hand, with the key in SETTER_API_KEY (and SETTER_BASE_URL for the demo server):
--   sqlite3 :memory: -cmd '.load dist/setter' < sql/demo.sql
-- `make demo` does this for you: without SETTER_API_KEY it starts the bundled demo server
-- (tests/mock_api.py --demo, key demo-key) and shows James Carter, a contact of the demo
-- dental practice's WhatsApp bot (bot 123).
--
-- Your own data: the contact comes from the temp table demo_contact. scripts/demo.sh creates
-- it from SETTER_DEMO_BOT and SETTER_DEMO_USER_NUMBER when SETTER_API_KEY is set; by hand,
-- create it before this file runs (or change the defaults below):
--   sqlite3 :memory: -cmd '.load dist/setter' \
--     -cmd "CREATE TEMP TABLE demo_contact AS SELECT 123 AS bot, '+15551234567' AS user_number" \
--     < sql/demo.sql
-- The number must be written exactly as the bot knows it (with its + and country code).
-- For a Playground/Embed bot use `session_id = 42` in place of `user_number = ...`.

.mode box

-- Defaults, used only when demo_contact does not exist yet.
CREATE TEMP TABLE IF NOT EXISTS demo_contact AS
  SELECT 123 AS bot, '+15550100002' AS user_number;

SELECT sender_type AS sender,
       replace(substr(created_at, 1, 16), 'T', ' ') AS "time (UTC)",
       latest_status AS status,
       CASE WHEN length(content) > 50
            THEN substr(replace(content, char(10), ' '), 1, 47) || '...'
            ELSE replace(content, char(10), ' ') END AS content
FROM setter_conversations
WHERE bot_integration_id = (SELECT bot FROM demo_contact)
  AND user_number = (SELECT user_number FROM demo_contact);
