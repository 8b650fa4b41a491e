#!/usr/bin/python3
"""nightly_sync.py - the README's "Nightly sync" recipe as a script: pull the conversation of
every lead into a local table keyed on (bot_integration_id, message_id), in one transaction,
with on_error 'row': a contact that fails is written to the state table sync_failures instead
of failing the run, and `--retry-failed` asks again for those only.

    SETTER_API_KEY_FILE=~/.setter-key /usr/bin/python3 sql/nightly_sync.py crm.db
    SETTER_API_KEY_FILE=~/.setter-key /usr/bin/python3 sql/nightly_sync.py crm.db --retry-failed

The database file needs a table leads(bot_integration_id INTEGER, phone TEXT) with the numbers
as the bot knows them (see the README, "Phone numbers"). All pairs go in one parallel batch of
every bot x every number (bot_integration_id IN (...) AND user_number IN (...)); with several
bots, a pair that is not in leads costs a request and is then left out. The extension is loaded from SETTER_EXTENSION (default
dist/setter). Progress goes to stderr (progress = 1). Exit status 0 when the run was stored
(failed contacts included: see sync_failures), 1 when the statement failed as a whole (no key,
a bad setting, an interrupt): then nothing was written. Python standard library only.
"""

import os
import sqlite3
import sys

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
  bot_integration_id INTEGER NOT NULL,
  message_id         INTEGER NOT NULL,
  user_number        TEXT,
  sender_type        TEXT,
  content            TEXT,
  created_at         TEXT,
  latest_status      TEXT,
  PRIMARY KEY (bot_integration_id, message_id)
);
CREATE TABLE IF NOT EXISTS sync_failures (
  bot_integration_id INTEGER NOT NULL,
  user_number        TEXT NOT NULL,
  error              TEXT,
  failed_at          TEXT,
  PRIMARY KEY (bot_integration_id, user_number)
);
"""

# temp.todo holds the (bot, number) pairs to ask for: every lead, or the failures of earlier runs.
SYNC = """
CREATE TEMP TABLE fetched AS
  SELECT c.bot_integration_id, c.user_number, c.message_id, c.sender_type, c.content,
         c.created_at, c.latest_status, c.lookup_error
  FROM setter_conversations AS c
  WHERE c.bot_integration_id IN (SELECT bot FROM temp.todo)
    AND c.user_number IN (SELECT number FROM temp.todo);
DELETE FROM temp.fetched WHERE NOT EXISTS (SELECT 1 FROM temp.todo AS t
  WHERE t.bot = fetched.bot_integration_id AND t.number = fetched.user_number);
INSERT INTO messages (bot_integration_id, message_id, user_number, sender_type, content,
                      created_at, latest_status)
  SELECT bot_integration_id, message_id, user_number, sender_type, content, created_at,
         latest_status
  FROM temp.fetched WHERE lookup_error IS NULL AND message_id IS NOT NULL
  ON CONFLICT (bot_integration_id, message_id) DO UPDATE SET latest_status = excluded.latest_status;
DELETE FROM sync_failures WHERE EXISTS (SELECT 1 FROM temp.todo AS t
  WHERE t.bot = sync_failures.bot_integration_id AND t.number = sync_failures.user_number);
INSERT INTO sync_failures (bot_integration_id, user_number, error, failed_at)
  SELECT bot_integration_id, user_number, lookup_error, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
  FROM temp.fetched WHERE lookup_error IS NOT NULL;
DROP TABLE temp.fetched;
"""


def sync(db_path, retry_failed=False, extension=None):
    """One run; returns (messages added, contacts in sync_failures)."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        conn.enable_load_extension(True)
        conn.load_extension(extension or os.environ.get("SETTER_EXTENSION", "dist/setter"))
        conn.enable_load_extension(False)
        conn.execute("SELECT setter_config('on_error', 'row'), setter_config('progress', 1)")
        conn.executescript(SCHEMA)
        source = ("SELECT bot_integration_id, user_number FROM sync_failures" if retry_failed
                  else "SELECT bot_integration_id, phone FROM leads")
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TEMP TABLE todo(bot INTEGER, number TEXT)")
            conn.execute("INSERT INTO temp.todo " + source)
            before = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
            for statement in SYNC.strip().rstrip(";").split(";\n"):
                conn.execute(statement)
            added = conn.execute("SELECT count(*) FROM messages").fetchone()[0] - before
            failed = conn.execute("SELECT count(*) FROM sync_failures").fetchone()[0]
            conn.execute("DROP TABLE temp.todo")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return added, failed
    finally:
        conn.close()


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 1 or any(a != "--retry-failed" for a in argv if a.startswith("--")):
        print("usage: nightly_sync.py DATABASE [--retry-failed]", file=sys.stderr)
        return 2
    try:
        added, failed = sync(args[0], "--retry-failed" in argv)
    except sqlite3.Error as e:
        print("nightly_sync: %s" % e, file=sys.stderr)
        return 1
    print("nightly_sync: %d messages added, %d contacts failed (in sync_failures)"
          % (added, failed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
