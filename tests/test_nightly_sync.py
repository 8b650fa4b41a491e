#!/usr/bin/python3
"""
tests/test_nightly_sync.py - sql/nightly_sync.py (the README's "Nightly sync" recipe) run as
cron would run it: a subprocess with the key in SETTER_API_KEY_FILE, against the mock.

    /usr/bin/python3 tests/test_nightly_sync.py       # standalone: starts its own mock

Run by `make test` as an `--also` program of tests/run.py (TEST_MOCK_PORT, TEST_API_KEY,
TEST_EXT). The leads: five contacts of bot 777 (the mock answers each with its own message
ids) and two of bot 9, where `flaky-500-1-TAG` fails once (HTTP 500) and then answers and
`status-404-TAG` always fails. One batch is every bot x every number: 14 requests.

Checks: the first run stores the good contacts' messages and writes the two failures to
sync_failures (exit status 0, progress lines on stderr); `--retry-failed` asks only for the
two failed contacts (the mock's log), stores the recovered one and keeps the other in
sync_failures; a second full run adds no message; without a key the run fails with exit
status 1 and writes nothing. Ends with `nightly_sync: N passed, N failed`.
"""

import os
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check  # noqa: E402

ROOT = harness.ROOT
KEY = os.environ.get("TEST_API_KEY") or "test-key-0123456789abcdef"
EXT = os.environ.get("TEST_EXT") or os.path.join(ROOT, "dist", "setter")
TAG = "ns%d" % os.getpid()
GOOD = ["+1555%s%d" % (TAG[2:], i) for i in range(5)]
FLAKY = "flaky-500-1-" + TAG
BAD = "status-404-" + TAG


def run(db, port, key_file, *extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SETTER_")}
    env.update(SETTER_BASE_URL="http://127.0.0.1:%d" % port, SETTER_EXTENSION=EXT,
               SETTER_MAX_RETRIES="0")
    if key_file:
        env["SETTER_API_KEY_FILE"] = key_file
    return subprocess.run([sys.executable, os.path.join(ROOT, "sql", "nightly_sync.py"), db]
                          + list(extra), env=env, capture_output=True, text=True,
                          timeout=120)


def state(db):
    conn = sqlite3.connect(db)
    try:
        messages = conn.execute("SELECT count(*), count(DISTINCT user_number) FROM messages"
                                " WHERE bot_integration_id = 777").fetchone()
        failures = conn.execute("SELECT user_number, error FROM sync_failures ORDER BY 1"
                                ).fetchall()
        return messages, failures
    finally:
        conn.close()


def asked(port, since=0):
    """The API requests in the mock's log from entry `since` on, as 'BOT QUERY'."""
    return sorted(e["path"].split("/")[4] + " " + e["query"]
                  for e in harness.mock(port, "/__mock/log")[since:]
                  if "/conversations" in e["path"])


def main():
    own_mock = not os.environ.get("TEST_MOCK_PORT")
    port = harness.start_mock(KEY) if own_mock else int(os.environ["TEST_MOCK_PORT"])
    try:
        with tempfile.TemporaryDirectory() as tmp:
            key_file = os.path.join(tmp, "key")
            with open(key_file, "w") as f:
                f.write(KEY + "\n")
            db = os.path.join(tmp, "crm.db")
            conn = sqlite3.connect(db)
            conn.execute("CREATE TABLE leads(bot_integration_id INTEGER, phone TEXT)")
            conn.executemany("INSERT INTO leads VALUES (?, ?)",
                             [(777, p) for p in GOOD] + [(9, FLAKY), (9, BAD)])
            conn.commit()
            conn.close()

            harness.mock(port, "/__mock/reset", "POST")
            p = run(db, port, key_file)
            messages, failures = state(db)
            check(p.returncode == 0, "first run: exit status 0", p.stdout + p.stderr)
            check("lookups done" in p.stderr, "first run: progress = 1 prints progress lines",
                  p.stderr)
            check(messages[1] == 5, "first run: the 5 good contacts' messages are stored",
                  repr(messages))
            check([u for u, _ in failures] == sorted([FLAKY, BAD]) and
                  "HTTP 500" in dict(failures)[FLAKY] and "HTTP 404" in dict(failures)[BAD],
                  "first run: both failures are in sync_failures with their errors",
                  repr(failures))
            check(len(asked(port)) == 14, "first run: one batch of 2 bots x 7 numbers",
                  repr(asked(port)))

            since = len(harness.mock(port, "/__mock/log"))  # (a reset would reset flaky too)
            p = run(db, port, key_file, "--retry-failed")
            check(p.returncode == 0, "retry run: exit status 0", p.stdout + p.stderr)
            check(asked(port, since) == sorted(["9 userNumber=" + BAD, "9 userNumber=" + FLAKY]),
                  "retry run: asks only for the contacts in sync_failures",
                  repr(asked(port, since)))
            check(state(db)[1] and [u for u, _ in state(db)[1]] == [BAD] and
                  "1 messages added" in p.stdout,
                  "retry run: the recovered contact is stored, the one that still fails stays "
                  "in sync_failures", p.stdout + repr(state(db)))

            p = run(db, port, key_file)
            check(p.returncode == 0 and "0 messages added" in p.stdout and
                  state(db)[0] == messages,
                  "a second full run adds nothing: the upsert is keyed on "
                  "(bot_integration_id, message_id)", p.stdout + p.stderr + repr(state(db)))

            before = state(db)
            p = run(db, port, None)
            check(p.returncode == 1 and "no API key" in p.stderr and state(db) == before,
                  "without a key: exit status 1, nothing written", p.stdout + p.stderr)
    finally:
        if own_mock:
            harness.stop_mocks()
    return harness.report("nightly_sync")


if __name__ == "__main__":
    sys.exit(main())
