#!/usr/bin/python3
"""
tests/test_interrupt.py - sqlite3_interrupt() ends a running fetch quickly, and the progress
display of the sqlite3 shell.

    /usr/bin/python3 tests/test_interrupt.py [-v] [-k PATTERN]

Run by `make test` as an `--also` program of tests/run.py (like tests/test_python.py, whose
mock handling, connect() and runner it reuses; standalone it starts its own mocks). It starts
one more mock with --latency-ms 500 for the slow IN lists.

Interrupts (the contract: a statement ends within 0.25 s of sqlite3_interrupt(), times the
runner's --timeout-scale; the interrupt is sent when the mock says the request arrived, not
after a sleep); each test prints the measured latency:
  - Python conn.interrupt() from a thread during an IN list of 64 contacts at 500 ms latency,
    during a stalled request (bot 9 `stall`), during a Retry-After: 30 wait (max_retries 3);
    the connection still works afterwards, and conn.close() succeeds; with on_error 'row' the
    interrupt still fails the statement;
  - SIGINT to a sqlite3 shell process running such a query: it prints `interrupted`.
Progress (setting `progress`: 0, 1, auto):
  - the shell with stderr on a pseudo-terminal (Python pty), default `auto`: a slow IN list
    shows `\\rsetter: N/M lookups ...` and the line is cleared with `\\r\\033[K` at the end;
  - stderr not a terminal and `auto`: nothing on stderr; with 1: plain `setter: N/M lookups
    done` lines.

Output: one `FAIL name` block per failing test, then `N passed, N failed` alone on the last line.
"""

import os
import pty
import select
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (bound(), wait_for_request())
import test_python as base  # noqa: E402  (mocks, connect(), runner)
import test_fork  # noqa: E402  (start_slow_mock, run_module)
import harness  # noqa: E402
from harness import SQLITE3  # noqa: E402  (the run's sqlite3 shell)

LATENCY_MS = 500
BOUND_S = 0.25
SLOW_PORT = None


def in_list_sql(n, prefix="c"):
    return ("SELECT count(*) FROM setter_conversations WHERE bot_integration_id = 777"
            " AND user_number IN (%s)" % ",".join("'%s%d'" % (prefix, i) for i in range(n)))


# Before SQLite 3.38 an IN list is fetched one lookup at a time (why set only there): no
# batch with a failed lookup and a stalled one in flight together, and no progress line of a
# bulk fetch.
SERIAL_IN = harness.needs_sqlite((3, 38, 0), "an IN list reaches the table whole")


class InterruptTest(unittest.TestCase):
    def setUp(self):
        base.mock_reset()

    def interrupt_after(self, conn, sql, ready, params=()):
        """Runs sql, calls conn.interrupt() from a thread once ready() returns (it waits for the
        mock to say the request arrived: an event, not a sleep); returns the seconds from the
        interrupt to the end of the statement, and the exception."""
        when = []

        def fire():
            ready()
            when.append(time.monotonic())
            conn.interrupt()
        t = threading.Thread(target=fire)
        t.start()
        error = None
        try:
            conn.execute(sql, params).fetchall()
        except sqlite3.Error as e:
            error = e
        end = time.monotonic()
        t.join()
        self.assertTrue(when, "the interrupt never fired")
        latency = end - when[0]
        self.assertGreater(latency, 0, "the statement ended before the interrupt")
        print("    %s: statement ended %.3f s after the interrupt" % (self._testMethodName,
                                                                     latency), flush=True)
        return latency, error

    def check(self, conn, sql, ready):
        latency, error = self.interrupt_after(conn, sql, ready)
        self.assertIsInstance(error, sqlite3.OperationalError)
        self.assertIn("interrupt", str(error))
        self.assertLess(latency, harness.bound(BOUND_S))
        # The connection still works, and closes cleanly.
        self.assertEqual(conn.execute("SELECT count(*) FROM setter_conversations"
                                      "(123, 'echo-after')").fetchone(), (1,))
        conn.close()

    def test_interrupt_during_in_list_of_64_contacts_at_500ms_latency(self):
        conn = base.connect()
        conn.execute("SELECT setter_config('base_url', ?)", ("http://127.0.0.1:%d" % SLOW_PORT,))
        n0 = harness.mock(SLOW_PORT, "/__mock/stats")["requests"]
        # the first 8 are in flight (500 ms each), and 8 more after them
        self.check(conn, in_list_sql(64), lambda: harness.wait_for_request(SLOW_PORT, n0 + 16))

    def test_interrupt_during_a_stalled_request(self):
        conn = base.connect()
        self.check(conn, "SELECT * FROM setter_conversations(9, 'stall')",
                   lambda: harness.wait_for_request(base.PORT, 1, in_flight=1))

    def test_interrupt_during_a_retry_after_30_wait(self):
        conn = base.connect()
        conn.execute("SELECT setter_config('max_retries', 3)")
        tag = "retry-after-30-int%d" % os.getpid()
        # the 429 was answered (nothing in flight): the fetch now waits for its Retry-After
        self.check(conn, "SELECT * FROM setter_conversations(9, '%s')" % tag,
                   lambda: harness.wait_for_request(base.PORT, 1, in_flight=0))

    @unittest.skipIf(SERIAL_IN, SERIAL_IN)
    def test_interrupt_with_on_error_row_still_fails_the_statement(self):
        # on_error 'row' turns a failed lookup into a row, never an interrupt: the statement
        # fails with 'interrupted' and returns no row of the lookup that had failed already.
        conn = base.connect()
        conn.execute("SELECT setter_config('on_error', 'row'), setter_config('max_retries', 0)")
        tag = "status-404-int%d" % os.getpid()
        self.check(conn, "SELECT user_number, lookup_error FROM setter_conversations"
                   " WHERE bot_integration_id = 9 AND user_number IN ('stall', '%s')" % tag,
                   lambda: harness.wait_for_request(base.PORT, 2, in_flight=1))

    def test_close_after_queries_and_an_interrupt_succeeds(self):
        conn = base.connect()
        conn.execute("SELECT count(*) FROM setter_conversations(123, 'echo-1')").fetchall()
        latency, error = self.interrupt_after(
            conn, "SELECT * FROM setter_conversations(9, 'stall')",
            lambda: harness.wait_for_request(base.PORT, 1, in_flight=1))
        self.assertIsInstance(error, sqlite3.OperationalError)
        conn.execute("SELECT count(*) FROM setter_conversations(123, 'echo-2')").fetchall()
        conn.close()  # raises if a statement of the extension were left unfinalized
        with self.assertRaises(sqlite3.ProgrammingError):
            conn.execute("SELECT 1")

    def test_a_progress_handler_that_asks_to_stop_ends_a_stalled_fetch(self):
        # Datasette's time limit: a handler every 1,000 VM steps (also 100 and 1) that returns
        # 1 once told to stop; the stop is given when the mock has the request in flight.
        for every in (1000, 100, 1):
            base.mock_reset()
            conn = base.connect()
            stop_at = []
            conn.set_progress_handler(
                lambda: 1 if stop_at and time.monotonic() >= stop_at[0] else 0, every)

            def stop_when_in_flight():
                harness.wait_for_request(base.PORT, 1, in_flight=1)
                stop_at.append(time.monotonic())
            t = threading.Thread(target=stop_when_in_flight)
            t.start()
            error = None
            try:
                conn.execute("SELECT * FROM setter_conversations(9, 'stall')").fetchall()
            except sqlite3.Error as e:
                error = e
            end = time.monotonic()
            t.join()
            self.assertTrue(stop_at, "the request never reached the mock")
            latency = end - stop_at[0]
            print("    progress handler every %d steps: statement ended %.3f s after it asked "
                  "to stop" % (every, latency), flush=True)
            self.assertIsInstance(error, sqlite3.OperationalError)
            self.assertIn("interrupt", str(error))
            self.assertLess(latency, harness.bound(BOUND_S))
            conn.set_progress_handler(None, 0)
            self.assertEqual(conn.execute("SELECT count(*) FROM setter_conversations"
                                          "(123, 'echo-after')").fetchone(), (1,))
            conn.close()

    def test_sigint_to_the_sqlite3_shell_ends_the_query_and_prints_interrupted(self):
        # The shell's SIGINT handler calls sqlite3_interrupt(), as on Ctrl-C.
        env = dict(os.environ, SETTER_BASE_URL="http://127.0.0.1:%d" % SLOW_PORT)
        p = subprocess.Popen([SQLITE3, "-init", "/dev/null", ":memory:"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, env=env)
        os.set_blocking(p.stdout.fileno(), False)
        p.stdin.write((".load %s\nSELECT 'started';\n%s;\nSELECT 'next';\n"
                       % (base.EXT, in_list_sql(64))).encode())
        p.stdin.flush()
        out = b""
        deadline = time.monotonic() + 10
        while b"started" not in out and time.monotonic() < deadline:
            select.select([p.stdout], [], [], 0.1)
            out += p.stdout.read() or b""
        time.sleep(1.0)
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        while b"interrupted" not in out and time.monotonic() < t0 + 10:
            select.select([p.stdout], [], [], 0.01)
            out += p.stdout.read() or b""
        latency = time.monotonic() - t0
        print("    sqlite3 shell: 'interrupted' printed %.3f s after SIGINT" % latency, flush=True)
        try:
            rest, _ = p.communicate(timeout=10)  # closes stdin: the shell ends
        except subprocess.TimeoutExpired:
            p.kill()
            rest, _ = p.communicate()
        out += rest or b""
        text = out.decode("utf-8", "replace")
        self.assertIn("interrupted", text)
        self.assertLess(latency, harness.bound(BOUND_S))
        self.assertRegex(text, r"(?m)^(Error|Runtime error).*: interrupted( \(9\))?$")
        # (reading from a pipe, the shell stops after an interrupt: no 'next')
        self.assertEqual(p.returncode, 1)


def run_shell_with_stderr(sql, stderr_tty, env_extra=None):
    """Runs `sqlite3 :memory: .load... sql` with stderr on a pseudo-terminal (or a pipe);
    returns (stdout text, stderr bytes)."""
    env = dict(os.environ, SETTER_BASE_URL="http://127.0.0.1:%d" % SLOW_PORT)
    env.update(env_extra or {})
    args = [SQLITE3, "-init", "/dev/null", ":memory:", ".load %s" % base.EXT, sql]
    if not stderr_tty:
        p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, env=env,
                           timeout=60)
        return p.stdout.decode(), p.stderr
    master, slave = pty.openpty()
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave,
                         env=env)
    os.close(slave)
    err = b""
    while True:
        r, _, _ = select.select([master], [], [], 30)
        if not r:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the shell closed the terminal
            break
        if not chunk:
            break
        err += chunk
    os.close(master)
    out = p.stdout.read().decode()
    p.wait(30)
    return out, err


class ProgressTest(unittest.TestCase):
    SQL = in_list_sql(24, "progress")  # 3 rounds of 8 at 500 ms: about 1.5 s

    @unittest.skipIf(SERIAL_IN, SERIAL_IN)
    def test_terminal_shows_a_progress_line_and_clears_it_by_default(self):
        out, err = run_shell_with_stderr(self.SQL, True)
        self.assertEqual(out.strip(), "48")
        self.assertRegex(err, rb"\rsetter: \d+/24 lookups")
        # The last thing written is the clearing of the line, and nothing else was printed.
        self.assertTrue(err.endswith(b"\r\x1b[K"), repr(err[-80:]))
        self.assertNotIn(b"\n", err)
        self.assertIn(b"retries", err)

    def test_terminal_with_progress_0_shows_nothing(self):
        out, err = run_shell_with_stderr(self.SQL, True, {"SETTER_PROGRESS": "0"})
        self.assertEqual(out.strip(), "48")
        self.assertEqual(err, b"")

    def test_not_a_terminal_and_auto_prints_nothing(self):
        out, err = run_shell_with_stderr(self.SQL, False, {"SETTER_PROGRESS": "auto"})
        self.assertEqual(out.strip(), "48")
        self.assertEqual(err, b"")

    @unittest.skipIf(SERIAL_IN, SERIAL_IN)
    def test_not_a_terminal_and_1_prints_plain_lines(self):
        out, err = run_shell_with_stderr(self.SQL, False, {"SETTER_PROGRESS": "1"})
        self.assertEqual(out.strip(), "48")
        lines = err.decode().splitlines()
        self.assertTrue(lines, "no progress lines")
        for line in lines:
            self.assertRegex(line, r"^setter: \d+/24 lookups done")
        self.assertEqual(lines[-1], "setter: 24/24 lookups done")

    def test_progress_setting_reads_back_0_1_auto(self):
        conn = base.connect()
        self.assertEqual(conn.execute("SELECT setter_config('progress')").fetchone(), ("auto",))
        for value, back in (("0", 0), ("1", 1), ("auto", "auto"), (1, 1), (0, 0)):
            conn.execute("SELECT setter_config('progress', ?)", (value,))
            self.assertEqual(conn.execute("SELECT setter_config('progress')").fetchone(), (back,))
        with self.assertRaises(sqlite3.OperationalError) as cm:
            conn.execute("SELECT setter_config('progress', 2)")
        self.assertIn("auto", str(cm.exception))
        conn.close()


def main(argv):
    global SLOW_PORT
    try:
        base.setup_environment()
        SLOW_PORT = test_fork.start_slow_mock(LATENCY_MS)
    except Exception as e:
        print("FAIL setup: %s" % base.redact(str(e)))
        base.stop_mocks()
        print("0 passed, 1 failed")
        return 1
    try:
        return test_fork.run_module(sys.modules[__name__], argv)
    finally:
        base.stop_mocks()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
