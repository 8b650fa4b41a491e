#!/usr/bin/python3
"""test_http2.py - a bulk lookup over https is multiplexed on ONE HTTP/2 connection.

Run by tests/run.py as an --also program (Python 3 standard library only), or alone:

    /usr/bin/python3 tests/run.py --also "/usr/bin/python3 tests/test_http2.py"
    /usr/bin/python3 tests/test_http2.py

Setup, all on 127.0.0.1 and all stopped at the end:
  - a private certificate for IP 127.0.0.1, made with the `openssl` command in a temp dir;
  - its own mock API (tests/mock_api.py --latency-ms 50), so that requests overlap in time
    (the runner's mock, TEST_MOCK_PORT, has no latency); key TEST_API_KEY, or a random one;
  - `nghttpx` (Debian package nghttp2-proxy) as a TLS + HTTP/2 frontend in front of that
    mock, writing an access log of `$remote_port $alpn $status $request` per request.

Then, on one SQLite connection with base_url https://127.0.0.1:<nghttpx>, ca_bundle = the
certificate and concurrency 8, a `user_number IN (24 numbers)` lookup on bot 777 proves:
  1. the row count follows the bot 777 rule of tests/MOCK.md ((n % 3) + 1 messages each);
  2. all 24 requests were HTTP/2 (alpn h2) from ONE client port: one TCP connection,
     multiplexed, not 8 parallel connections;
  3. the concurrency bound holds over HTTP/2: the mock saw at most 8 requests in flight, and
     more than 1 (the streams really overlapped);
  4. it takes about ceil(24/8) x 50 ms, less than the 1.2 s of a serial fetch (times the
     runner's --timeout-scale: the overlap of 3. is what proves parallel fetching);
  5. a second statement on the same SQLite connection reuses that same TCP connection.

Needs `openssl` and `nghttpx`; without them it says so and counts one failure (a missing
tool must not pass silently). It never prints the API key. The last line is
`N passed, N failed`; the exit status is 1 when something failed.
"""
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (the run's SQLite: needs_sqlite, skip)

ROOT = os.environ.get("TEST_ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXT = os.environ.get("TEST_EXT") or os.path.join(ROOT, "dist", "setter")
KEY = os.environ.get("TEST_API_KEY") or "h2-" + secrets.token_hex(16)
LATENCY_MS = 50
CONCURRENCY = 8
N_LOOKUPS = 24
SERIAL_S = N_LOOKUPS * LATENCY_MS / 1000.0      # 1.2 s
TIME_LIMIT_S = SERIAL_S   # times the runner's --timeout-scale (harness.bound)
START_TIMEOUT_S = 15
ACCESSLOG_FORMAT = "$remote_port $alpn $status $request"
SBIN = "/usr/local/sbin:/usr/sbin:/sbin"     # nghttpx is in /usr/sbin, often not in a user's PATH

passed = failed = 0


def check(ok, title, expected="", got=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   %s" % title)
    else:
        failed += 1
        line = "FAIL %s: expected %s got %s" % (title, expected, got)
        print(line.replace(KEY, "<the key>"))
    sys.stdout.flush()


def bulk_messages(number):
    """Messages the mock answers for one userNumber on bot 777 (tests/MOCK.md)."""
    return sum(map(ord, number)) % 3 + 1


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def can_connect(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            return " | ".join(f.read().splitlines()[-n:]).replace(KEY, "<the key>")
    except OSError:
        return "(no log)"


def stop(proc):
    """Stops a process this test started (by its own Popen handle)."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def make_cert(directory):
    key, crt = os.path.join(directory, "local.key"), os.path.join(directory, "local.crt")
    subprocess.run([find_tool("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-days", "2", "-subj", "/CN=sqlite-setter h2 test",
                    "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", crt], check=True, capture_output=True, timeout=60)
    return key, crt


def start_mock(tmp):
    port_file = os.path.join(tmp, "mock.port")
    log_path = os.path.join(tmp, "mock.log")
    argv = [sys.executable, os.path.join(ROOT, "tests", "mock_api.py"), "--port", "0",
            "--port-file", port_file, "--key", KEY, "--quiet", "--latency-ms", str(LATENCY_MS)]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            with open(port_file) as f:
                text = f.read().strip()
            if text:
                return proc, int(text)
        except (OSError, ValueError):
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    stop(proc)
    raise RuntimeError("the mock did not start: %s" % tail(log_path))


def find_tool(name):
    return shutil.which(name) or shutil.which(name, path=SBIN)


def nghttpx_argv(port, mock_port, key, crt, tmp):
    return [find_tool("nghttpx"), "--conf=/dev/null",          # not /etc/nghttpx/nghttpx.conf
            "--frontend=127.0.0.1,%d" % port,
            "--backend=127.0.0.1,%d" % mock_port,
            "--single-process", "--workers=1", "--no-ocsp",
            "--errorlog-file=" + os.path.join(tmp, "nghttpx-error.log"),
            "--accesslog-file=" + os.path.join(tmp, "nghttpx-access.log"),
            "--accesslog-format=" + ACCESSLOG_FORMAT,
            key, crt]


def start_nghttpx(mock_port, key, crt, tmp):
    """Starts nghttpx on a free port; retries if another process took the port first."""
    last = ""
    for _ in range(3):
        port = free_port()
        argv = nghttpx_argv(port, mock_port, key, crt, tmp)
        with open(os.path.join(tmp, "nghttpx-stderr.log"), "wb") as log:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, cwd=tmp)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and proc.poll() is None:
            if can_connect(port):
                return proc, port
            time.sleep(0.05)
        last = "%s %s" % (tail(os.path.join(tmp, "nghttpx-error.log")),
                          tail(os.path.join(tmp, "nghttpx-stderr.log")))
        stop(proc)
    raise RuntimeError("nghttpx did not start listening: %s" % last)


def mock(port, path, method="GET"):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method,
                                 data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def read_accesslog(path, want, timeout=3.0):
    """Access log lines as (remote_port, alpn, status, request); waits for `want` lines."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with open(path) as f:
                lines = [l.split(" ", 3) for l in f.read().splitlines() if l.strip()]
        except OSError:
            lines = []
        if len(lines) >= want or time.monotonic() > deadline:
            return [tuple(l) for l in lines if len(l) == 4]
        time.sleep(0.05)


def connect(base_url, crt):
    db = sqlite3.connect(":memory:")
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.enable_load_extension(False)
    for name, value in (("api_key", KEY), ("base_url", base_url), ("ca_bundle", crt),
                        ("concurrency", CONCURRENCY), ("max_retries", 0), ("cache_ttl", 0),
                        ("timeout_ms", 10000)):
        db.execute("SELECT setter_config(?, ?)", (name, value)).fetchall()
    return db


def bulk_query(db, numbers):
    sql = ("SELECT count(*), count(DISTINCT user_number) FROM setter_conversations "
           "WHERE bot_integration_id = 777 AND user_number IN (%s)" % ",".join("?" * len(numbers)))
    t0 = time.monotonic()
    row = db.execute(sql, numbers).fetchone()
    return row, time.monotonic() - t0


def run_checks(tmp):
    key, crt = make_cert(tmp)
    mock_proc = proxy = None
    try:
        mock_proc, mock_port = start_mock(tmp)
        proxy, port = start_nghttpx(mock_port, key, crt, tmp)
        print("nghttpx on 127.0.0.1:%d (h2 + TLS) -> mock on 127.0.0.1:%d, %d ms latency"
              % (port, mock_port, LATENCY_MS))
        accesslog = os.path.join(tmp, "nghttpx-access.log")
        db = connect("https://127.0.0.1:%d" % port, crt)

        # ---- statement 1: 24 lookups on a fresh connection ----
        numbers = ["+1555010%04d" % i for i in range(1, N_LOOKUPS + 1)]
        expected = (sum(bulk_messages(n) for n in numbers), N_LOOKUPS)
        mock(mock_port, "/__mock/reset", "POST")
        row, elapsed = bulk_query(db, numbers)
        stats = mock(mock_port, "/__mock/stats")
        check(row == expected, "%d lookups over https return the bot 777 rows (count, contacts)"
              % N_LOOKUPS, repr(expected), repr(row))
        check(stats["requests"] == N_LOOKUPS, "the mock saw one request per lookup",
              N_LOOKUPS, stats["requests"])

        log1 = read_accesslog(accesslog, N_LOOKUPS)
        check(len(log1) == N_LOOKUPS, "nghttpx logged one request per lookup",
              N_LOOKUPS, len(log1))
        alpns = sorted(set(l[1] for l in log1))
        check(alpns == ["h2"], "every request was HTTP/2 (ALPN h2)", "['h2']", repr(alpns))
        statuses = sorted(set(l[2] for l in log1))
        check(statuses == ["200"], "every request was answered 200", "['200']", repr(statuses))
        ports1 = sorted(set(l[0] for l in log1))
        check(len(ports1) == 1, "all requests came from ONE client port (one TCP connection)",
              "1 port", "%d: %r" % (len(ports1), ports1))
        floor = -(-N_LOOKUPS // CONCURRENCY) * LATENCY_MS / 1000.0
        print("time: %d lookups, %d ms each, concurrency %d: %.3f s (floor %.2f s, serial %.1f s)"
              % (N_LOOKUPS, LATENCY_MS, CONCURRENCY, elapsed, floor, SERIAL_S))
        serial = harness.needs_sqlite((3, 38, 0), "an IN list reaches the table whole")
        if serial:
            harness.skip("the streams overlap and the bulk lookup is parallel", serial)
        else:
            check(1 < stats["max_in_flight"] <= CONCURRENCY,
                  "the streams overlapped within the bound (1 < max_in_flight <= %d; was %s)"
                  % (CONCURRENCY, stats["max_in_flight"]),
                  "2..%d" % CONCURRENCY, stats["max_in_flight"])
            # The overlap above (the mock's max_in_flight) is what proves parallel fetching;
            # the clock only checks it is faster than a serial fetch, scaled by the runner's
            # --timeout-scale (make bench holds the tight figure).
            check(elapsed < harness.bound(TIME_LIMIT_S),
                  "the bulk lookup is faster than a serial one (< %.1f s x timeout scale %g; "
                  "serial is %.1f s)" % (TIME_LIMIT_S, harness.TIMEOUT_SCALE, SERIAL_S),
                  "< %.2f s" % harness.bound(TIME_LIMIT_S), "%.3f s" % elapsed)

        # ---- statement 2: other numbers, same SQLite connection ----
        numbers2 = ["+1555020%04d" % i for i in range(1, N_LOOKUPS + 1)]
        expected2 = (sum(bulk_messages(n) for n in numbers2), N_LOOKUPS)
        mock(mock_port, "/__mock/reset", "POST")
        row2, elapsed2 = bulk_query(db, numbers2)
        stats2 = mock(mock_port, "/__mock/stats")
        check(row2 == expected2, "a second statement returns its bot 777 rows",
              repr(expected2), repr(row2))
        log2 = read_accesslog(accesslog, 2 * N_LOOKUPS)[len(log1):]
        ports2 = sorted(set(l[0] for l in log2))
        alpns2 = sorted(set(l[1] for l in log2))
        check(len(log2) == N_LOOKUPS and alpns2 == ["h2"] and ports2 == ports1,
              "the second statement reuses the same HTTP/2 connection (same client port)",
              "%d h2 requests from port %r" % (N_LOOKUPS, ports1),
              "%d requests, alpn %r, ports %r" % (len(log2), alpns2, ports2))
        if serial:
            harness.skip("the second statement's streams overlap", serial)
        else:
            check(1 < stats2["max_in_flight"] <= CONCURRENCY,
                  "the second statement also stays within the bound (max_in_flight %s)"
                  % stats2["max_in_flight"],
                  "2..%d" % CONCURRENCY, stats2["max_in_flight"])
        print("time: second statement %.3f s" % elapsed2)
        db.close()
    finally:
        stop(proxy)
        stop(mock_proc)


def main():
    missing = [tool for tool in ("openssl", "nghttpx") if find_tool(tool) is None]
    if missing:
        packages = {"openssl": "openssl", "nghttpx": "nghttp2-proxy"}
        print("FAIL http2 test cannot run: missing %s (install the Debian packages %s)"
              % (" and ".join(missing), " and ".join(packages[t] for t in missing)))
        print("0 passed, 1 failed")
        return 1
    # A standalone run must not go through a proxy (tests/run.py removes these already).
    for name in list(os.environ):
        if name.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
            del os.environ[name]
    tmp = tempfile.mkdtemp(prefix="setter-h2-")
    try:
        run_checks(tmp)
    except Exception as e:          # a crash of the test itself counts as one failure
        check(False, "the http2 test ran to the end", "no exception",
              "%s: %s" % (type(e).__name__, e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed%s" % (passed, failed, ", %d skipped" % harness.skipped
                                      if harness.skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
