#!/usr/bin/python3
"""test_demo_server.py - `make demo-server` (scripts/demo.sh --server) works as documented.

Run by tests/run.py as an --also program (Python 3 standard library only), or alone:

    /usr/bin/python3 tests/run.py --also "/usr/bin/python3 tests/test_demo_server.py"
    /usr/bin/python3 tests/test_demo_server.py

What it proves, each time with the server started as a user starts it (its own process
group, as in a terminal) and always stopped at the end:
  1. `scripts/demo.sh --server` prints `export SETTER_BASE_URL=http://127.0.0.1:PORT` and
     `export SETTER_API_KEY=demo-key` lines, and the one setter_config statement for DB Browser;
  2. with exactly those variables (every other SETTER_* removed), the first query of README.md
     run by the real `sqlite3` shell returns the 3 messages of contact 1234567890;
  3. Ctrl-C (SIGINT to the process group, as a terminal sends it) stops it: exit status 0,
     `demo server stopped`, and the port no longer accepts connections;
  4. SIGINT or SIGTERM to the script alone (kill PID) also stops the server, exit status 0;
  5. `make demo-server` prints the same lines, and Ctrl-C leaves no server behind (make itself
     reports the interrupt, as make does).

It uses TEST_EXT (the extension, without suffix) when the runner sets it, else dist/setter.
The last line is `N passed, N failed`; the exit status is 1 when something failed.
"""
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check  # noqa: E402
import harness  # noqa: E402

ROOT = os.environ.get("TEST_ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXT = os.environ.get("TEST_EXT") or os.path.join(ROOT, "dist", "setter")
README_QUERY = ("SELECT sender_type, created_at, latest_status, content\n"
                "FROM setter_conversations\n"
                "WHERE bot_integration_id = 123 AND user_number = '1234567890';")
FIRST_ROW = "user|2024-01-15T14:30:00.000Z|delivered|Hi! I'd like to book an appointment."
START_TIMEOUT_S = 30      # the make case may first check packages and the build
# How long a stop may take before the test calls it hung: the stop itself is immediate (a
# signal), but a loaded machine (a valgrind run beside this one) can take seconds to schedule
# make, the shell and Python's exit. Scaled by --timeout-scale.
STOP_TIMEOUT_S = harness.bound(30)



def clean_env():
    """The caller's environment without SETTER_*, proxies or a preloaded sanitizer runtime."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SETTER_") and k != "LD_PRELOAD"
           and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    # A nested `make` must not inherit the flags of a `make test` around us.
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(k, None)
    return env


class Server:
    """A demo server command started in its own session (= process group), like a terminal job."""

    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=clean_env(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.out = b""

    def read(self):
        try:
            chunk = self.proc.stdout.read()
        except (BlockingIOError, ValueError):
            chunk = None
        if chunk:
            self.out += chunk
        return self.out.decode("utf-8", "replace")

    def wait_for(self, pattern, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.read(), re.M)
            if m:
                return m
            if self.proc.poll() is not None:
                time.sleep(0.1)
                return re.search(pattern, self.read(), re.M)
            time.sleep(0.05)
        return None

    def exports(self):
        """{name: value} of the printed `export NAME=VALUE` lines."""
        result = {}
        for line in self.read().splitlines():
            if line.startswith("export "):
                for word in shlex.split(line)[1:]:
                    name, _, value = word.partition("=")
                    result[name] = value
        return result

    def signal_group(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def signal_pid(self, sig):
        try:
            os.kill(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.signal_group(signal.SIGKILL)
            self.proc.wait()
        else:
            self.signal_group(signal.SIGKILL)     # stragglers of the group, if any
        self.read()
        self.proc.stdout.close()


def port_of(url):
    m = re.fullmatch(r"http://127\.0\.0\.1:(\d+)", url or "")
    return int(m.group(1)) if m else None


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_port_closed(port, timeout=STOP_TIMEOUT_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not port_open(port):
            return True
        time.sleep(0.1)
    return False


def script_argv():
    return ["sh", os.path.join(ROOT, "scripts", "demo.sh"), "--server"]


def test_script_and_ctrl_c():
    srv = Server(script_argv())
    try:
        found = srv.wait_for(r"^export SETTER_API_KEY=", START_TIMEOUT_S)
        env_lines = srv.exports()
        url = env_lines.get("SETTER_BASE_URL")
        check(found is not None and port_of(url) is not None
              and env_lines.get("SETTER_API_KEY") == "demo-key",
              "demo.sh --server prints export SETTER_BASE_URL=http://127.0.0.1:PORT and "
              "export SETTER_API_KEY=demo-key", srv.read())
        if port_of(url) is None:
            return
        check(("setter_config('base_url', '%s')" % url) in srv.read()
              and "setter_config('api_key', 'demo-key')" in srv.read(),
              "it prints the DB Browser setter_config statement with the same URL and key",
              srv.read())

        env = clean_env()
        env.update(env_lines)
        sqlite3 = shutil.which(harness.SQLITE3)
        if sqlite3 is None:
            check(False, "the README query in the sqlite3 shell", "no sqlite3 shell (apt-get install sqlite3)")
        else:
            r = subprocess.run([sqlite3, "-batch", "-init", "/dev/null", ":memory:",
                                "-cmd", ".load %s" % EXT, README_QUERY],
                               env=env, cwd=ROOT, capture_output=True, text=True, timeout=30)
            rows = r.stdout.splitlines()
            check(r.returncode == 0 and r.stderr == "" and len(rows) == 3
                  and rows[0] == FIRST_ROW and all(row.startswith("bot|") for row in rows[1:]),
                  "with those two variables, the first README query in sqlite3 returns the 3 "
                  "messages of 1234567890",
                  "exit %s\nstdout: %s\nstderr: %s" % (r.returncode, r.stdout, r.stderr))

        srv.signal_group(signal.SIGINT)                 # what Ctrl-C in a terminal does
        rc = srv.wait(STOP_TIMEOUT_S)
        check(rc == 0 and "demo server stopped" in srv.read(),
              "Ctrl-C (SIGINT to the process group) stops it with exit status 0",
              "exit status %s; output:\n%s" % (rc, srv.read()))
        check(wait_port_closed(port_of(url)), "after Ctrl-C the port is closed (server gone)")
    finally:
        srv.kill()


def test_signal_to_script_only(sig):
    name = signal.Signals(sig).name
    srv = Server(script_argv())
    try:
        srv.wait_for(r"^export SETTER_API_KEY=", START_TIMEOUT_S)
        port = port_of(srv.exports().get("SETTER_BASE_URL"))
        if port is None:
            check(False, "%s to the script: the server started" % name, srv.read())
            return
        srv.signal_pid(sig)
        rc = srv.wait(STOP_TIMEOUT_S)
        check(rc == 0 and wait_port_closed(port),
              "%s to the script alone (kill PID) stops the server too, exit status 0" % name,
              "exit status %s, port %s open: %s; output:\n%s"
              % (rc, port, port_open(port), srv.read()))
    finally:
        srv.kill()


def group_processes(srv):
    """What is left of the server's process group (ps), to say what did not stop."""
    try:
        lines = subprocess.run(["ps", "-eo", "pgid=,pid=,stat=,etime=,args="], capture_output=True,
                               text=True, timeout=10).stdout.splitlines()
    except (OSError, subprocess.SubprocessError) as e:
        return "(ps failed: %s)" % e
    return "\n".join(l for l in lines if l.split(None, 1)[0] == str(srv.proc.pid))


def test_make_target():
    make = shutil.which("make")
    if make is None:
        print("skip make demo-server: no make")
        return
    srv = Server([make, "--no-print-directory", "-s", "demo-server"])
    try:
        srv.wait_for(r"^export SETTER_API_KEY=", START_TIMEOUT_S * 4)
        env_lines = srv.exports()
        port = port_of(env_lines.get("SETTER_BASE_URL"))
        check(port is not None and env_lines.get("SETTER_API_KEY") == "demo-key" and port_open(port),
              "make demo-server prints the export lines and the server answers", srv.read())
        if port is None:
            return
        srv.signal_group(signal.SIGINT)
        rc = srv.wait(STOP_TIMEOUT_S)
        check(rc is not None and "demo server stopped" in srv.read() and wait_port_closed(port),
              "make demo-server: Ctrl-C stops the server (make itself ends %s)"
              % ("by SIGINT" if rc == -signal.SIGINT else "with status %s" % rc),
              srv.read() + ("" if rc is not None else "\nstill running:\n" + group_processes(srv)))
    finally:
        srv.kill()


def main():
    for test in (test_script_and_ctrl_c,
                 lambda: test_signal_to_script_only(signal.SIGINT),
                 lambda: test_signal_to_script_only(signal.SIGTERM),
                 test_make_target):
        try:
            test()
        except Exception as e:          # a crash of the test itself counts as one failure
            check(False, "the demo-server test ran to the end", "%s: %s" % (type(e).__name__, e))
    return harness.report("demo_server")


if __name__ == "__main__":
    sys.exit(main())
