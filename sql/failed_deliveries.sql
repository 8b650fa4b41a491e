-- failed_deliveries.sql - messages that never reached the contact, with their error fields,
-- then grouped by error code: how often each error happens, to how many contacts, and one
-- example contact per code.
--
-- Run it by hand, with the key in SETTER_API_KEY (and SETTER_BASE_URL for the demo server):
--   sqlite3 :memory: -cmd '.load dist/setter' < sql/failed_deliveries.sql
-- `make demo` runs it against the bundled demo server: a WhatsApp bot (123) and an SMS bot
-- (456), whose errors come from the WhatsApp Cloud API and from Twilio.
--
-- Your own data: put your bot ids and contacts in the two IN lists (or use
-- `user_number IN (SELECT phone FROM leads)`). An IN list is fetched in parallel, up to
-- setter_config('concurrency') requests at a time (default 8).
--
-- error_code keeps its JSON type: WhatsApp sends integers (131026), Twilio may send strings
-- ('30007'). The report groups by CAST(error_code AS TEXT) so that 30007 and '30007' would
-- land in the same group.

.mode box

-- Fetch once into a temp table; both reports read it without new requests.
CREATE TEMP TABLE failed AS
SELECT bot_integration_id AS bot, user_number, message_id, created_at, content,
       failure_reason, error_code, error_title, error_message, error_details
FROM setter_conversations
WHERE bot_integration_id = 123
  AND user_number IN ('1234567890', '+15550100001', '+15550100002', '+15550100003',
                      '+15550100004', '+15550100005', '+15550100006')
  AND latest_status = 'failed'
UNION ALL
SELECT bot_integration_id, user_number, message_id, created_at, content,
       failure_reason, error_code, error_title, error_message, error_details
FROM setter_conversations
WHERE bot_integration_id = 456
  AND user_number IN ('+15550200001', '+15550200002', '+15550200003', '+15550200004',
                      '+15550200005')
  AND latest_status = 'failed';

-- 1. Every failed message, with its error fields.
.print '1. Failed messages'
SELECT bot, user_number AS contact,
       replace(substr(created_at, 1, 16), 'T', ' ') AS "sent (UTC)",
       error_code AS code, typeof(error_code) AS type, error_title
FROM failed
ORDER BY created_at;

-- What the platform said: WhatsApp puts the useful text in error_details (JSON text, read
-- with json_extract), Twilio in error_message.
.print "\nWhat the platform said"
SELECT message_id,
       CASE WHEN length(detail) > 60 THEN substr(detail, 1, 57) || '...'
            ELSE detail END AS detail
FROM (SELECT message_id, created_at,
             coalesce(json_extract(error_details, '$.details'), error_message) AS detail
      FROM failed)
ORDER BY created_at;

-- 2. Grouped by error code.
.print "\n2. By error code"
SELECT CAST(error_code AS TEXT) AS code,
       min(error_title) AS title,
       count(*) AS messages,
       count(DISTINCT user_number) AS contacts,
       min(user_number) AS example_contact
FROM failed
GROUP BY CAST(error_code AS TEXT)
ORDER BY messages DESC, code;
