-- leads_join.sql - a local table of leads (a CRM export) joined with their conversations:
-- message counts per lead (from the lead / from the bot), the last message of each lead,
-- leads the bot has not (successfully) answered, and leads with no conversation at all.
--
-- Run it by hand, with the key in SETTER_API_KEY (and SETTER_BASE_URL for the demo server):
--   sqlite3 :memory: -cmd '.load dist/setter' < sql/leads_join.sql
-- `make demo` runs it against the bundled demo server (bot 123, a dental practice).
--
-- Your own data: fill `leads` from your CRM instead of the INSERT below, e.g.
--   .import --csv leads.csv leads          (a CSV file with a header line: name,phone)
-- write the numbers exactly as the bot knows them, and change the bot integration id 123
-- below (the only place it appears). Numbers typed as people type them (`+1 (555) 010-0001`)
-- find nothing: normalise them with setter_phone() first (README, "Phone numbers").
--
-- How it works: the WITH ... AS MATERIALIZED batch hands every lead's number to
-- setter_conversations at once (`user_number IN (SELECT phone FROM leads)`), so the lookups
-- run in parallel, one per distinct number; the LEFT JOIN then keeps a lead without a
-- conversation as one row with NULL message columns. (A plain `leads LEFT JOIN
-- setter_conversations ON ... = l.phone` gives the same rows, one lookup after the other.)
-- The result goes into the temp table lead_messages; the reports read that local copy, so
-- they make no more requests. (A view in its place would fetch again for every report.)

.mode box

CREATE TEMP TABLE leads (name TEXT NOT NULL, phone TEXT PRIMARY KEY);
INSERT INTO leads VALUES
  ('Maria Lopez',  '+15550100001'),
  ('James Carter', '+15550100002'),
  ('Aisha Khan',   '+15550100003'),
  ('Tom Becker',   '+15550100004'),
  ('Sofia Rossi',  '+15550100005'),   -- in the CRM, but never wrote to the bot
  ('Daniel Kim',   '+15550100006'),
  ('Noah Fischer', '+15550100007');   -- a new lead, not contacted yet

CREATE TEMP TABLE lead_messages AS
WITH c AS MATERIALIZED (
  SELECT user_number, message_id, sender_type, created_at, latest_status, content
  FROM setter_conversations
  WHERE bot_integration_id = 123 AND user_number IN (SELECT phone FROM leads))
SELECT l.name, l.phone, c.message_id, c.sender_type, c.created_at, c.latest_status, c.content
FROM leads AS l
LEFT JOIN c ON c.user_number = l.phone;

-- 1. Message counts per lead: written by the lead, by the bot, and failed deliveries.
.print '1. Messages per lead'
SELECT name, phone,
       count(message_id) AS messages,
       count(CASE WHEN sender_type = 'user' THEN 1 END) AS from_lead,
       count(CASE WHEN sender_type = 'bot' THEN 1 END) AS from_bot,
       count(CASE WHEN latest_status = 'failed' THEN 1 END) AS failed
FROM lead_messages
GROUP BY phone
ORDER BY messages DESC, name;

-- 2. The last message of each lead (window function; the API returns messages in order).
.print "\n2. The last message of each lead"
SELECT name,
       sender_type AS last_from,
       replace(substr(created_at, 1, 16), 'T', ' ') AS "at (UTC)",
       CASE WHEN length(content) > 44
            THEN substr(replace(content, char(10), ' '), 1, 41) || '...'
            ELSE replace(content, char(10), ' ') END AS last_message
FROM (SELECT *, row_number() OVER (PARTITION BY phone
                                   ORDER BY created_at DESC, message_id DESC) AS rn
      FROM lead_messages
      WHERE message_id IS NOT NULL)
WHERE rn = 1
ORDER BY created_at DESC;

-- 3. No reply from the bot: the lead wrote last, or no bot message ever reached them.
.print "\n3. Leads without a reply from the bot"
SELECT name, phone,
       CASE WHEN delivered_from_bot = 0 THEN 'no bot message was delivered'
            ELSE 'the lead wrote last, no bot reply since' END AS why
FROM (SELECT name, phone,
             count(CASE WHEN sender_type = 'bot' AND latest_status IS NOT 'failed'
                        THEN 1 END) AS delivered_from_bot,
             max(CASE WHEN sender_type = 'user' THEN created_at END) AS last_from_lead,
             max(CASE WHEN sender_type = 'bot' THEN created_at END) AS last_from_bot
      FROM lead_messages
      WHERE message_id IS NOT NULL
      GROUP BY phone)
WHERE delivered_from_bot = 0 OR last_from_lead > coalesce(last_from_bot, '')
ORDER BY name;

-- 4. No conversation at all (the LEFT JOIN found no message for them).
.print "\n4. Leads with no conversation at all"
SELECT name, phone
FROM lead_messages
WHERE message_id IS NULL
ORDER BY name;

-- The API requests made: one per lead, all by the CREATE TABLE above.
.print "\nAPI requests made (setter_requests)"
SELECT count(*) AS api_requests, sum(status = 200) AS ok FROM setter_requests;
