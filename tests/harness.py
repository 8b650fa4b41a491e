"""harness.py - what the Python test programs share (standard library only).

    import harness
    harness.check(ok, "what it proves", "detail shown when it failed")
    port = harness.start_mock(key, ["--latency-ms", "50"])   # a mock of one's own
    key, env = harness.client_environment(default_key)   # the run's mock, or one of its own
    ...
    harness.stop_mocks()
    sys.exit(harness.report("security"))      # prints "security: N passed, N failed"

check() never prints the API key of the run (TEST_API_KEY): it is replaced in every detail.

The SQLite of the run comes from one place, tests/run.py (--sqlite DIR, --sqlite3 PATH):
SQLITE3 is the shell to run, and Python's sqlite3 module loads the libsqlite3 that run.py put
first in LD_LIBRARY_PATH.  Importing this module checks that the two agree
(TEST_SQLITE_VERSION, the shell's version): a test must never try one SQLite in the shell and
another in Python without saying so.
"""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.environ.get("TEST_ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SQLITE3 = os.environ.get("TEST_SQLITE3") or "sqlite3"
SQLITE_VERSION = sqlite3.sqlite_version_info   # the SQLite of Python's sqlite3 module

_shell_version = os.environ.get("TEST_SQLITE_VERSION")
if _shell_version and _shell_version != sqlite3.sqlite_version:
    sys.exit("harness: Python's sqlite3 module uses SQLite %s (%s), but the run's sqlite3 "
             "shell is %s (%s): pass the SQLite to tests/run.py with --sqlite DIR, which sets "
             "both" % (sqlite3.sqlite_version, os.environ.get("LD_LIBRARY_PATH", "no "
                       "LD_LIBRARY_PATH"), _shell_version, SQLITE3))

# tests/run.py --timeout-scale F (for valgrind, a loaded machine): every wall-clock bound a test
# checks is multiplied by it. Benchmarks hold the tight figures; tests hold behaviour.
TIMEOUT_SCALE = float(os.environ.get("TEST_TIMEOUT_SCALE") or 1)

passed = failed = skipped = 0
_started = []  # mock processes started by start_mock()


def check(ok, title, detail=""):
    """Counts one check and prints `ok   title` or `FAIL title` with the detail below it."""
    global passed, failed
    key = os.environ.get("TEST_API_KEY")
    if key:
        detail = detail.replace(key, "<the key>")
    if ok:
        passed += 1
        print("ok   %s" % title)
    else:
        failed += 1
        print("FAIL %s%s" % (title, ("\n     " + detail.replace("\n", "\n     ")) if detail else ""))
    sys.stdout.flush()


def needs_sqlite(version, why):
    """None if Python's SQLite is at least version (a tuple), else the reason to skip a check
    that holds only there: "needs SQLite 3.38.0 (why), this is 3.34.1"."""
    if SQLITE_VERSION >= version:
        return None
    return "needs SQLite %s (%s), this is %s" % (".".join(map(str, version)), why,
                                                 sqlite3.sqlite_version)


def skip(title, why):
    """Counts one check that cannot hold on this SQLite (see needs_sqlite) and says so."""
    global skipped
    skipped += 1
    print("skip %s: %s" % (title, why))
    sys.stdout.flush()


def run_main(main, label):
    """Runs main() of a test program to its report: an exception is one failure, the mocks it
    started are stopped either way. Returns the exit status (the report's)."""
    try:
        main()
    except Exception as e:  # noqa: BLE001 - reported as one failure
        check(False, "%s tests ran to the end" % label, "%s: %s" % (type(e).__name__, e))
    finally:
        stop_mocks()
    return report(label)


def report(label):
    """Prints the closing `label: N passed, N failed[, N skipped]` (label one word, as
    tests/run.py reads it); returns the exit status."""
    print("%s: %d passed, %d failed%s" % (label, passed, failed,
                                          ", %d skipped" % skipped if skipped else ""))
    return 1 if failed else 0


def start_mock(key, extra_args=()):
    """Starts tests/mock_api.py on a free port with this key; returns the port."""
    fd, port_file = tempfile.mkstemp(prefix="setter-test-port-")
    os.close(fd)
    os.unlink(port_file)
    proc = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "tests", "mock_api.py"), "--port", "0",
         "--port-file", port_file, "--key", key, "--quiet"] + list(extra_args),
        stdin=subprocess.DEVNULL, cwd=ROOT)
    _started.append(proc)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with open(port_file) as f:
                text = f.read()
            if text.endswith("\n"):
                return int(text)
        except OSError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("mock_api.py exited with status %s" % proc.returncode)
        time.sleep(0.05)
    raise RuntimeError("mock_api.py did not write its port file within 15 s")


def client_environment(default_key):
    """(key, env) for a client program of the mock: the run's mock (TEST_MOCK_PORT, key
    TEST_API_KEY) when tests/run.py started this program, else one started now with
    default_key; env is os.environ without SETTER_* and proxy variables, plus SETTER_API_KEY
    and SETTER_BASE_URL."""
    if os.environ.get("TEST_MOCK_PORT"):
        key = os.environ.get("TEST_API_KEY") or default_key
        port = int(os.environ["TEST_MOCK_PORT"])
    else:
        key = default_key
        port = start_mock(key)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SETTER_") and not k.lower().endswith("_proxy")}
    env.update(SETTER_API_KEY=key, SETTER_BASE_URL="http://127.0.0.1:%d" % port)
    return key, env


def version():
    """SETTER_VERSION of ext/version.h, the version of the extension and its packages."""
    with open(os.path.join(ROOT, "ext", "version.h"), encoding="utf-8") as f:
        text = f.read()
    return text.split('#define SETTER_VERSION "', 1)[1].split('"', 1)[0]


def stop_mocks():
    """Stops every mock start_mock() started."""
    for proc in _started:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def mock(port, path, method="GET"):
    """The JSON answer of a mock control endpoint (/__mock/log, /__mock/reset...)."""
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method,
                                 data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def bound(seconds):
    """A wall-clock bound of a test, scaled by --timeout-scale."""
    return seconds * TIMEOUT_SCALE


def wait_for_request(port, count=1, in_flight=None, timeout=10):
    """Waits until the mock on `port` has seen `count` API requests since its last reset (and,
    with in_flight, has that many still unanswered): the event a test synchronises on instead
    of sleeping "so that the request is in flight". Raises if it does not happen in time."""
    deadline = time.monotonic() + bound(timeout)
    while True:
        stats = mock(port, "/__mock/stats")
        if stats["requests"] >= count and (in_flight is None or stats["in_flight"] == in_flight):
            return stats
        if time.monotonic() > deadline:
            raise RuntimeError("the mock did not see %d request(s) (in flight: %s) within %s s: %r"
                               % (count, in_flight, timeout, stats))
        time.sleep(0.005)


def connect(ext, path=":memory:"):
    """A connection with the extension loaded (extension loading left on)."""
    db = sqlite3.connect(path)
    db.enable_load_extension(True)
    db.load_extension(ext)
    return db


def error_of(db, sql, args=()):
    """The error text of a statement that must fail (None if it did not fail)."""
    try:
        db.execute(sql, args).fetchall()
    except sqlite3.Error as e:
        return str(e)
    return None
