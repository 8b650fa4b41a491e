-- export_csv.sql - export conversations to a CSV file (for a spreadsheet or a CRM import)
-- with the sqlite3 shell's `.headers on`, `.mode csv` and `.once FILE`, then show the first
-- lines of the file and read it back to check it.
--
-- Run it by hand, with the key in SETTER_API_KEY (and SETTER_BASE_URL for the demo server):
--   sqlite3 :memory: -cmd '.load dist/setter' < sql/export_csv.sql
-- `make demo` runs it against the bundled demo server (scripts/demo.sh writes into its own
-- temporary directory in place of /tmp/setter_export.csv, and deletes it afterwards).
--
-- Your own data: change the bot id and the numbers in the query, and the file name in the
-- `.once` line and the two lines after the export (dot-commands take no parameters, so the
-- path is written out). A relative name is relative to the directory you start sqlite3 in.
-- `.once` sends only the next query's output to the file; `.output FILE` would send all
-- output until `.output` alone. Fields with commas, quotes or newlines are quoted as RFC 4180
-- says; the full message text is exported, not cut.

.headers on
.mode csv
.once /tmp/setter_export.csv
SELECT user_number, message_id, created_at, sender_type, latest_status, error_code, content
FROM setter_conversations
WHERE bot_integration_id = 456
  AND user_number IN ('+15550200001', '+15550200002', '+15550200003', '+15550200005')
ORDER BY user_number, created_at;

-- The first lines of the file, cut to 96 columns (`.shell` runs a command; on Windows use
-- `.shell more`).
.print 'The first lines of the file:'
.shell head -n 6 /tmp/setter_export.csv | cut -c 1-96

-- Read it back into a table: the header line gives the column names.
.print "\nRead back with .import --csv: rows per contact"
.import --csv /tmp/setter_export.csv exported
.mode box
SELECT user_number, count(*) AS rows_in_csv, sum(latest_status = 'failed') AS failed
FROM exported
GROUP BY user_number;
