#!/usr/bin/env python3
"""bench.py - how fast is setter_conversations against what a user would write instead?

Usage (from the repository root; `make bench` builds the extension first):

    /usr/bin/python3 bench/bench.py [--reps 3] [--ext dist/setter] [--sqlite3 sqlite3]
                                    [--out bench/results/latest.md]

A benchmark, not a test: it never fails on a slow figure (exit status 0 unless something could
not run or a method returned wrong rows). Python 3 standard library only; needs the `sqlite3`
shell and `curl` (`make bench` installs them). It starts two mock servers (tests/mock_api.py):
one with --latency-ms 50 for the many-contacts and join rows, one without latency for the
100,000-message history, and prints one Markdown report whose rows are all measured in this
run, side by side; it also writes it to bench/results/latest.md (git-ignored).

Every figure is the median of --reps runs (default 3); the runs of a section are interleaved
(method A, B, C, then A, B, C again...) so that a slow moment of the machine hits all methods.

Sections:
  1. 200 contacts of bot 777 at concurrency 8: the extension through the `sqlite3` shell
     (`CREATE TABLE history AS SELECT ... WHERE user_number IN (SELECT phone FROM leads)`),
     a Python ThreadPoolExecutor of 8 workers (http.client, one keep-alive connection per
     thread, rows inserted into a sqlite3 table), a serial Python loop (one keep-alive
     connection), the ideal ceil(200/8) x 50 ms, and for reference `curl --parallel
     --parallel-max 8` (the transfers alone).
  2. the 100,000-message history (bot 100, `big-history`, about 33 MB): the extension's
     `count(*), sum(length(content))` and a `SELECT *` scan, against `curl -o file` +
     SQLite's own `json_each(readfile(...))`: wall time and peak RSS of each process
     (GNU time's %M; see GNU_TIME below for why not os.wait4 alone).
  2b. the JSON reader alone on that body (bench/reader.c, built by make bench against this
     tree and against the reader of BENCH_BASE): MB/s for validation only, count(*), content,
     every column + raw_json, before and after; and the end-to-end count(*) against curl.
  3. a join of 200 leads (one lookup per lead: xFilter once per outer row), with the cache
     off, then the same join rewritten with `AND c.user_number IN (SELECT phone FROM leads)`
     (the planner makes it one batch), then the join twice after
     `setter_config('cache_ttl', 60)`; requests per run from the mock's /__mock/stats.

  4. 20,000 distinct lookups in one IN list (a recursive CTE), no latency: wall time and the
     CPU time (user + system) of the sqlite3 process; the mock's own speed bounds the wall
     time, the CPU time shows the extension's scheduling cost.
  5. sqlite3_interrupt(): Python's conn.interrupt() from a thread, time from the interrupt to
     the end of the statement, during an IN list of 200 contacts at 50 ms latency and during a
     stalled request (bot 9 `stall`); and a progress handler that asks to stop (Datasette's
     time limit: Python's set_progress_handler, called every 1,000 VM steps, returns 1 once
     the deadline has passed), time from the deadline to the end of the statement during a
     stalled request; median of 10.  The moments are spread over one POLL_MS period (0.5 s +
     2.5, 7.5 ... 47.5 ms): a stalled fetch looks for a stop every 50 ms from its start, so a
     fixed 0.5 s would always land just before a look and measure only the luckiest phase.
  6. on_error 'row': an IN list of 200 contacts of bot 9 at 50 ms latency, all good, against
     the same with one failing (HTTP 503, max_retries 3), and the failing lookup alone.

Internal: `bench.py --baseline pool|serial --port P --key K --count N --workers W` is the
Python baseline, run as its own process so that its wall time and memory are measured the
same way as the sqlite3 shell's; it prints one JSON line.
"""

import argparse
import concurrent.futures
import ctypes
import ctypes.util
import datetime
import http.client
import json
import math
import os
import platform
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MOCK = os.path.join(ROOT, "tests", "mock_api.py")
KEY = "test-key-0123456789abcdef"          # the mock's default test key (not a secret)
LATENCY_MS = 50
CONTACTS = 200
CONCURRENCY = 8
BULK_BOT = 777
POLL_MS = 50        # SETTER_FETCH_POLL_MS (ext/fetch.h): how often a stalled fetch looks for a stop
BIG_BOT = 100
BIG_USER = "big-history"
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy",
              "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")

# The leads: '+15550200001' .. '+15550200200'; bot 777 answers each by a fixed rule.
LEADS_SQL = ("CREATE TABLE leads(name TEXT, phone TEXT);\n"
             "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %d)\n"
             "INSERT INTO leads SELECT 'Lead ' || i, printf('+1555020%%04d', i) FROM s;\n")
COLUMNS = ("user_number, message_id, sender_type, content, created_at, latest_status, "
           "failure_reason, error_code, error_title, error_message, error_details, "
           "platform_resource_id")
TIMER_RE = re.compile(r"^Run Time: real ([0-9.]+)")


class BenchError(Exception):
    pass


# ------------------------------------------------------------------------------------------
# Python baselines (run in a child process: bench.py --baseline ...)
# ------------------------------------------------------------------------------------------

def baseline_main(args):
    """What a user writes instead of the extension: GET every lead, insert the rows."""
    phones = ["+1555020%04d" % i for i in range(1, args.count + 1)]
    db = sqlite3.connect(":memory:")
    db.executescript(LEADS_SQL % args.count)
    db.execute("CREATE TABLE history(%s)" % COLUMNS)
    local = threading.local()
    headers = {"Authorization": "Bearer " + args.key, "Accept": "application/json"}

    def connection():
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        return conn

    def fetch(phone):
        path = "/api/v1/bot-integrations/%d/conversations?userNumber=%s" % (
            BULK_BOT, urllib.parse.quote(phone, safe=""))
        conn = connection()
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise RuntimeError("HTTP %d for %s" % (resp.status, phone))
        rows = []
        for m in json.loads(body)["data"]:
            details = m.get("errorDetails")
            rows.append((phone, m.get("messageId"), m.get("senderType"), m.get("content"),
                         m.get("createdAt"), m.get("latestStatus"), m.get("failureReason"),
                         m.get("errorCode"), m.get("errorTitle"), m.get("errorMessage"),
                         None if details is None else json.dumps(details, separators=(",", ":")),
                         m.get("platformResourceId")))
        return rows

    insert = "INSERT INTO history VALUES (%s)" % ",".join("?" * 12)
    t0 = time.perf_counter()
    leads = [r[0] for r in db.execute("SELECT phone FROM leads")]
    if args.baseline == "pool":
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.workers) as pool:
            for rows in pool.map(fetch, leads):
                db.executemany(insert, rows)
    else:
        for phone in leads:
            db.executemany(insert, fetch(phone))
    db.commit()
    elapsed = time.perf_counter() - t0
    count, total = db.execute("SELECT count(*), sum(message_id) FROM history").fetchone()
    print(json.dumps({"elapsed": elapsed, "count": count, "sum": total}))
    return 0


# ------------------------------------------------------------------------------------------
# Processes and mocks
# ------------------------------------------------------------------------------------------

def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SETTER_") and k not in PROXY_VARS}
    env.update(extra or {})
    return env


# Peak RSS: Linux carries the parent's peak RSS over into a child's ru_maxrss across
# fork/vfork + exec, so os.wait4 on a child of this (30 MB) Python process can never report
# less than that. GNU time (package `time`) forks from a small process and reports the
# child's own peak (%M, KiB); without it, wait4's figure is used and flagged.
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run_measured(argv, stdin_text=None, env=None, stdout_path=None, timeout=600):
    """Runs argv; returns (wall seconds, peak RSS in KiB, stdout text, stderr text)."""
    with tempfile.TemporaryFile() as fin, tempfile.TemporaryFile() as ferr, \
            (open(stdout_path, "wb") if stdout_path else tempfile.TemporaryFile()) as fout, \
            tempfile.NamedTemporaryFile(prefix="bench-time-") as ftime:
        if stdin_text is not None:
            fin.write(stdin_text.encode())
            fin.seek(0)
        run_argv = list(argv)
        if GNU_TIME:
            run_argv = [GNU_TIME, "-f", "%M", "-o", ftime.name] + run_argv
        t0 = time.perf_counter()
        proc = subprocess.Popen(run_argv, stdin=fin, stdout=fout, stderr=ferr, env=env, cwd=ROOT,
                                start_new_session=True)
        timer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        rss = usage.ru_maxrss
        if GNU_TIME:
            lines = ftime.read().decode("utf-8", "replace").split()
            rss = int(lines[-1]) if lines and lines[-1].isdigit() else -1
        out = ""
        if not stdout_path:
            fout.seek(0)
            out = fout.read().decode("utf-8", "replace")
        ferr.seek(0)
        err = ferr.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise BenchError("%s exited with %d: %s%s" % (os.path.basename(argv[0]), proc.returncode,
                                                        err.strip()[-500:], out.strip()[-300:]))
    return wall, rss, out, err


class Mock:
    def __init__(self, tmpdir, name, latency_ms=0):
        self.tmpdir, self.name, self.latency_ms = tmpdir, name, latency_ms
        self.proc = None
        self.port = None

    def start(self):
        port_file = os.path.join(self.tmpdir, self.name + ".port")
        argv = [sys.executable, MOCK, "--port", "0", "--port-file", port_file, "--quiet"]
        if self.latency_ms:
            argv += ["--latency-ms", str(self.latency_ms)]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, cwd=ROOT,
                                     env=clean_env())
        deadline = time.monotonic() + 15
        while self.port is None:
            try:
                with open(port_file) as f:
                    text = f.read().strip()
                if text:
                    self.port = int(text)
            except (OSError, ValueError):
                pass
            if self.proc.poll() is not None:
                raise BenchError("the mock %s exited before listening" % self.name)
            if time.monotonic() > deadline:
                raise BenchError("the mock %s did not start within 15 s" % self.name)
            time.sleep(0.02)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self.port

    def control(self, what, method="GET"):
        req = urllib.request.Request(self.base_url + "/__mock/" + what, method=method)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(req, timeout=30) as resp:
            return json.loads(resp.read())

    def reset(self):
        return self.control("reset", "POST")

    def stats(self):
        return self.control("stats")


class ShellSession:
    """One sqlite3 shell process fed statement by statement (one connection, so the
    extension's cache lives across statements); each call returns its output lines."""
    MARK = "@@bench-done@@"

    def __init__(self, sqlite3_bin, env):
        argv = [sqlite3_bin, "-batch", "-init", os.devnull, ":memory:"]
        if shutil.which("stdbuf"):
            argv = ["stdbuf", "-oL"] + argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=env, cwd=ROOT,
                                     text=True, bufsize=1)

    def run(self, sql):
        self.proc.stdin.write(sql.rstrip() + "\n.print " + self.MARK + "\n")
        self.proc.stdin.flush()
        lines = []
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise BenchError("sqlite3 ended early: %s" % "".join(lines)[-500:])
            if line.rstrip("\n") == self.MARK:
                return lines
            lines.append(line.rstrip("\n"))

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(30)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()


def timer_seconds(lines):
    times = [float(m.group(1)) for m in map(TIMER_RE.match, lines) if m]
    if not times:
        raise BenchError("no '.timer' line in the output: %s" % lines[-5:])
    return times[-1]


def data_lines(lines):
    return [l for l in lines if not TIMER_RE.match(l)]


# ------------------------------------------------------------------------------------------
# Formatting
# ------------------------------------------------------------------------------------------

def med(values):
    return statistics.median(values) if values else None


def fmt_s(values):
    """'1.31 s (1.30-1.33)': median of the runs, with the range."""
    if not values:
        return "-"
    m = med(values)
    if len(values) == 1 or max(values) - min(values) < 0.005:
        return "%.2f s" % m
    return "%.2f s (%.2f-%.2f)" % (m, min(values), max(values))


def fmt_mb(kib_values):
    if not kib_values:
        return "-"
    return "%.1f MB" % (med(kib_values) * 1024 / 1e6)


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |")
    return "\n".join(out)


# ------------------------------------------------------------------------------------------
# Environment facts
# ------------------------------------------------------------------------------------------

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def libcurl_version():
    name = ctypes.util.find_library("curl")
    try:
        lib = ctypes.CDLL(name or "libcurl.so.4")
        lib.curl_version.restype = ctypes.c_char_p
        return lib.curl_version().decode().split()[0].replace("/", " ")
    except (OSError, AttributeError):
        return "unknown"


def first_line(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30,
                              env=clean_env()).stdout.splitlines()[0].strip()
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


# ------------------------------------------------------------------------------------------
# The sections
# ------------------------------------------------------------------------------------------

def section_contacts(opts, mock, env, tmpdir):
    """200 contacts at concurrency 8: extension vs Python pool vs serial loop vs ideal, and
    curl --parallel as a reference for the transfers alone (no JSON, no SQL)."""
    curl_cfg = os.path.join(tmpdir, "contacts.curl")
    with open(curl_cfg, "w") as f:
        for i in range(1, CONTACTS + 1):
            f.write('url = "%s/api/v1/bot-integrations/%d/conversations?userNumber=%s"\n'
                    'output = "/dev/null"\n'
                    % (mock.base_url, BULK_BOT, urllib.parse.quote("+1555020%04d" % i, safe="")))
    ext_script = (".load %s\n" % opts.ext + LEADS_SQL % CONTACTS +
                  ".timer on\n"
                  "CREATE TABLE history AS SELECT %s FROM setter_conversations\n"
                  " WHERE bot_integration_id = %d AND user_number IN (SELECT phone FROM leads);\n"
                  ".timer off\n"
                  "SELECT count(*) || '|' || sum(message_id) FROM history;\n"
                  % (COLUMNS, BULK_BOT))
    ext_env = dict(env, SETTER_CONCURRENCY=str(CONCURRENCY))
    methods = ["ext", "pool", "serial", "curl"]
    res = {m: {"wall": [], "inner": [], "rss": [], "requests": [], "mif": [], "rows": set()}
           for m in methods}
    for rep in range(opts.reps):
        for m in methods:
            mock.reset()
            if m == "ext":
                wall, rss, out, _ = run_measured([opts.sqlite3, "-batch", "-init", os.devnull,
                                                  ":memory:"], ext_script, ext_env)
                lines = out.splitlines()
                inner = timer_seconds(lines)
                rows = data_lines(lines)[-1]
            elif m == "curl":
                wall, rss, _, _ = run_measured(
                    [opts.curl, "-s", "-S", "--noproxy", "*", "--parallel", "--parallel-max",
                     str(CONCURRENCY), "-H", "Authorization: Bearer " + KEY, "-K", curl_cfg],
                    None, env)
                inner, rows = wall, None
            else:
                wall, rss, out, _ = run_measured(
                    [sys.executable, os.path.abspath(__file__), "--baseline", m,
                     "--port", str(mock.port), "--key", KEY, "--count", str(CONTACTS),
                     "--workers", str(CONCURRENCY)], None, env)
                info = json.loads(out.strip().splitlines()[-1])
                inner, rows = info["elapsed"], "%d|%d" % (info["count"], info["sum"])
            stats = mock.stats()
            r = res[m]
            r["wall"].append(wall)
            r["inner"].append(inner)
            r["rss"].append(rss)
            r["requests"].append(stats["requests"])
            r["mif"].append(stats["max_in_flight"])
            if rows is not None:
                r["rows"].add(rows)
            print("  contacts rep %d %-6s %.2f s, %d requests, max in flight %d"
                  % (rep + 1, m, wall, stats["requests"], stats["max_in_flight"]),
                  file=sys.stderr)
    return res


def section_big(opts, mock, env, tmpdir):
    """The 100,000-message history: extension vs curl + json_each."""
    info = mock.control("warm", "POST")
    body_bytes = info.get("big_history_bytes", 0)
    url = "%s/api/v1/bot-integrations/%d/conversations?userNumber=%s" % (
        mock.base_url, BIG_BOT, BIG_USER)
    body_file = os.path.join(tmpdir, "big.json")
    scan_file = os.path.join(tmpdir, "scan.txt")
    count_sql = ("SELECT count(*), sum(length(content)) FROM setter_conversations "
                 "WHERE bot_integration_id = %d AND user_number = '%s';" % (BIG_BOT, BIG_USER))
    star_sql = ("SELECT * FROM setter_conversations "
                "WHERE bot_integration_id = %d AND user_number = '%s';" % (BIG_BOT, BIG_USER))
    json_sql = ("SELECT count(*), sum(length(json_extract(value,'$.content'))) "
                "FROM json_each(readfile('%s'), '$.data')" % body_file)
    arrow_sql = ("SELECT count(*), sum(length(value->>'content')) "
                 "FROM json_each(readfile('%s'), '$.data')" % body_file)
    shell = [opts.sqlite3, "-batch", "-init", os.devnull, ":memory:"]
    keys = ["ext_count", "ext_star", "curl", "json_each", "json_arrow"]
    res = {k: {"wall": [], "rss": [], "out": set()} for k in keys}
    for rep in range(opts.reps):
        for k in keys:
            if k == "ext_count":
                wall, rss, out, _ = run_measured(shell, ".load %s\n%s\n" % (opts.ext, count_sql), env)
                out = out.strip()
            elif k == "ext_star":
                wall, rss, _, _ = run_measured(shell, ".load %s\n%s\n" % (opts.ext, star_sql), env,
                                               stdout_path=scan_file)
                with open(scan_file, "rb") as f:
                    out = "%d lines" % sum(1 for _ in f)
            elif k == "curl":
                if os.path.exists(body_file):
                    os.unlink(body_file)
                wall, rss, _, _ = run_measured(
                    [opts.curl, "-s", "-S", "--noproxy", "*", "-H", "Authorization: Bearer " + KEY,
                     "-o", body_file, url], None, env)
                out = "%d bytes" % os.path.getsize(body_file)
            else:
                wall, rss, out, _ = run_measured(
                    [opts.sqlite3, ":memory:", json_sql if k == "json_each" else arrow_sql], None, env)
                out = out.strip()
            res[k]["wall"].append(wall)
            res[k]["rss"].append(rss)
            res[k]["out"].add(out)
            print("  history rep %d %-10s %.2f s, %.1f MB" % (rep + 1, k, wall, rss / 1000.0),
                  file=sys.stderr)
    return res, body_bytes


READER_MEASURES = [("validate", "validation only (`setterJsonScan`)", 1000),
                   ("count", "`count(*)` (no field kept)", None),
                   ("content", "`content`", 600),
                   ("all", "every column + `raw_json`", 300)]


def section_reader(opts, body_file):
    """The JSON reader alone on the big body: this tree's and BENCH_BASE's, interleaved."""
    progs = [("base", opts.reader_base), ("new", opts.reader)]
    res = {name: {k: [] for k, _, _ in READER_MEASURES} for name, _ in progs}
    for rep in range(opts.reps):
        for name, prog in progs:
            if not prog or not os.path.exists(prog):
                continue
            r = subprocess.run([prog, body_file, "5"], capture_output=True, text=True)
            if r.returncode != 0:
                raise BenchError("%s failed: %s" % (prog, r.stderr.strip()))
            figures = dict(line.split() for line in r.stdout.splitlines())
            if figures.get("rows") != "100000":
                raise BenchError("%s read %s rows, not 100000" % (prog, figures.get("rows")))
            for k, _, _ in READER_MEASURES:
                res[name][k].append(float(figures[k]))
            print("  reader rep %d %-4s %s" % (rep + 1, name, r.stdout.replace("\n", " ")),
                  file=sys.stderr)
    return res


def report_reader(opts, reader, big, body_bytes):
    def fig(values):
        if not values:
            return "-"
        return "%.0f (%.0f-%.0f)" % (med(values), min(values), max(values))

    rows = []
    for k, label, goal in READER_MEASURES:
        after = reader["new"][k]
        met = "-" if goal is None or not after else ("yes" if med(after) >= goal else "no")
        rows.append([label, fig(reader["base"][k]), fig(after),
                     ">= %d" % goal if goal else "-", met])
    ext, curl = med(big["ext_count"]["wall"]), med(big["curl"]["wall"])
    out = ["## 2b. The JSON reader alone on the same %.1f MB body, MB/s" % (body_bytes / 1e6), "",
           md_table(["what is read", "before (%s)" % opts.bench_base, "after (this tree)", "goal",
                     "met"], rows), "",
           "`bench/reader.c`: each figure is the best of 5 parses in one process, in that "
           "process's CPU time (so a busy machine's waits for a core do not count), the body "
           "copied in before the clock starts; median of %d such runs, min-max in parentheses. "
           "Before: the same program built against the reader of %s." % (opts.reps,
                                                                        opts.bench_base), "",
           "End to end (section 2, wall time): the extension's `count(*)` statement %.2f s, "
           "`curl -o file` of the same body %.2f s: %.1fx (goal: within 2x)." % (
               ext, curl, ext / curl if curl else float("nan")), ""]
    return "\n".join(out)


def section_join(opts, mock, env):
    """Join of 200 leads: cache off; rewritten with IN; cache on (fill, then cached)."""
    join_sql = ("SELECT count(*) || '|' || sum(c.message_id) FROM leads l\n"
                "JOIN setter_conversations c ON c.bot_integration_id = %d "
                "AND c.user_number = l.phone" % BULK_BOT)
    runs = [("off", join_sql + ";"),
            ("in", join_sql + "\nWHERE c.user_number IN (SELECT phone FROM leads);"),
            ("fill", None),
            ("cached", None)]
    res = {k: {"wall": [], "requests": [], "mif": [], "cached": [], "rows": set()}
           for k, _ in runs}
    eqp = {}
    for rep in range(opts.reps):
        sh = ShellSession(opts.sqlite3, dict(env, SETTER_CONCURRENCY=str(CONCURRENCY)))
        try:
            sh.run(".load %s\n%s" % (opts.ext, LEADS_SQL % CONTACTS))
            if rep == 0:
                eqp["off"] = sh.run("EXPLAIN QUERY PLAN " + join_sql + ";")
                eqp["in"] = sh.run("EXPLAIN QUERY PLAN " + runs[1][1])
            for name, sql in runs:
                if name == "fill":
                    sh.run("SELECT setter_config('cache_ttl', 60);")
                sql = sql or join_sql + ";"
                before = int(data_lines(sh.run("SELECT count(*) FROM setter_requests "
                                               "WHERE cached = 1;"))[-1])
                mock.reset()
                lines = sh.run(".timer on\n%s\n.timer off" % sql)
                stats = mock.stats()
                after = int(data_lines(sh.run("SELECT count(*) FROM setter_requests "
                                              "WHERE cached = 1;"))[-1])
                r = res[name]
                r["wall"].append(timer_seconds(lines))
                r["requests"].append(stats["requests"])
                r["mif"].append(stats["max_in_flight"])
                r["cached"].append(after - before)
                r["rows"].add(data_lines(lines)[-1])
                print("  join rep %d %-6s %.2f s, %d requests, %d cached"
                      % (rep + 1, name, r["wall"][-1], stats["requests"], after - before),
                      file=sys.stderr)
        finally:
            sh.close()
    return res, eqp


# ------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------

BULK_LOOKUPS = 20000


def run_cpu(argv, stdin_text, env):
    """Runs argv; returns (wall seconds, user + system CPU seconds, stdout text)."""
    with tempfile.TemporaryFile() as fin, tempfile.TemporaryFile() as fout:
        fin.write(stdin_text.encode())
        fin.seek(0)
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=fin, stdout=fout, stderr=subprocess.STDOUT, env=env,
                                cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        fout.seek(0)
        out = fout.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise BenchError("sqlite3 exited with %d: %s" % (os.waitstatus_to_exitcode(status),
                                                          out.strip()[-500:]))
    return wall, usage.ru_utime + usage.ru_stime, out


def section_bulk(opts, mock, env):
    """20,000 distinct lookups in one IN list, no latency; returns Markdown."""
    sql = (".load %s\nSELECT count(*) FROM setter_conversations WHERE bot_integration_id = %d"
           " AND user_number IN (WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s"
           " WHERE i < %d) SELECT 'u' || i FROM s);\n" % (opts.ext, BULK_BOT, BULK_LOOKUPS))
    walls, cpus, outs = [], [], set()
    for _ in range(opts.reps):
        mock.reset()
        wall, cpu, out = run_cpu([opts.sqlite3, "-batch", "-init", os.devnull, ":memory:"],
                                 sql, env)
        walls.append(wall)
        cpus.append(cpu)
        outs.add(out.strip())
    return "\n".join([
        "## 4. %d distinct lookups in one IN list, no latency, concurrency 8" % BULK_LOOKUPS, "",
        md_table(["query", "wall (sqlite3 process)", "CPU user+sys (sqlite3 process)", "rows"],
                 [["`user_number IN (WITH RECURSIVE ... 'u' || i ...)`", fmt_s(walls),
                   fmt_s(cpus), " / ".join(sorted(outs))]]), "",
        "The mock (Python, one thread per connection) bounds the wall time; the CPU time is "
        "the extension's own cost (scheduling, parsing, SQLite).", ""])


def interrupt_latency(opts, base_url, sql, delay):
    """Seconds from conn.interrupt() (in a thread, after `delay`) to the end of sql."""
    conn = sqlite3.connect(":memory:")
    conn.enable_load_extension(True)
    conn.load_extension(opts.ext)
    conn.execute("SELECT setter_config('api_key', ?)", (KEY,))
    conn.execute("SELECT setter_config('base_url', ?)", (base_url,))
    fired = []

    def fire():
        time.sleep(delay)
        fired.append(time.perf_counter())
        conn.interrupt()
    t = threading.Thread(target=fire)
    t.start()
    try:
        conn.execute(sql).fetchall()
    except sqlite3.OperationalError:
        pass
    end = time.perf_counter()
    t.join()
    conn.close()
    if not fired:
        raise BenchError("the statement ended before the interrupt: %s" % sql[:80])
    return end - fired[0]


def progress_latency(opts, base_url, sql, delay):
    """Seconds from a deadline `delay` after the start of sql to its end, sql stopped by a
    progress handler called every 1,000 VM steps that returns 1 once the deadline has passed
    (Datasette's time limit)."""
    conn = sqlite3.connect(":memory:")
    conn.enable_load_extension(True)
    conn.load_extension(opts.ext)
    conn.execute("SELECT setter_config('api_key', ?)", (KEY,))
    conn.execute("SELECT setter_config('base_url', ?)", (base_url,))
    deadline = time.perf_counter() + delay
    conn.set_progress_handler(lambda: 1 if time.perf_counter() >= deadline else 0, 1000)
    error = None
    try:
        conn.execute(sql).fetchall()
    except sqlite3.OperationalError as e:
        error = str(e)
    end = time.perf_counter()
    conn.close()
    if error != "interrupted" or end < deadline:
        raise BenchError("the progress handler did not stop the statement (%s): %s"
                         % (error or "no error", sql[:80]))
    return end - deadline


def section_interrupt(opts, slow, fast):
    """Interrupt latency, median of 10 (at least --reps); returns Markdown."""
    n = max(10, opts.reps)
    in_list = ("SELECT count(*) FROM setter_conversations WHERE bot_integration_id = %d AND "
               "user_number IN (%s)" % (BULK_BOT, ",".join("'i%d'" % i for i in range(CONTACTS))))
    stall = "SELECT * FROM setter_conversations(9, 'stall')"
    cases = [("`conn.interrupt()`", "IN list of %d contacts at %d ms latency" % (CONTACTS,
              LATENCY_MS), slow, in_list, interrupt_latency),
             ("`conn.interrupt()`", "a stalled request (bot 9 `stall`)", fast, stall,
              interrupt_latency),
             ("a progress handler every 1,000 VM steps returns 1 after its deadline (Datasette)",
              "a stalled request (bot 9 `stall`)", fast, stall, progress_latency)]
    rows = []
    for how, label, mock, sql, measure in cases:
        values = []
        for i in range(n):
            mock.reset()
            values.append(measure(opts, mock.base_url, sql, 0.5 + POLL_MS * (i + 0.5) / n / 1000))
        rows.append([how, label, "%.3f s" % med(values),
                     "%.3f-%.3f s" % (min(values), max(values))])
    return "\n".join([
        "## 5. `sqlite3_interrupt()` or a progress handler to the end of the statement",
        "", "From the interrupt (or the progress handler's deadline) to the end of the statement;"
        " the interrupts (deadlines) come 0.5 s after the start plus 0 to %d ms, evenly spread"
        " over the time between two looks of a stalled fetch for a stop." % POLL_MS,
        "", md_table(["stopped by", "during", "median (%d runs)" % n, "range"], rows), ""])


def section_on_error(opts, mock, env):
    """on_error 'row': 200 contacts at 50 ms with one failing (HTTP 503 after max_retries 3)
    against the same 200 all good, and the failing lookup alone; returns Markdown."""
    def batch(failing, tag):
        phones = ["'onerr-%04d'" % i for i in range(1, CONTACTS + 1)]
        if failing:
            phones[CONTACTS // 2] = "'status-503-%s'" % tag
        return ("SELECT count(*) || ' / ' || count(lookup_error) FROM setter_conversations"
                " WHERE bot_integration_id = 9 AND user_number IN (%s);" % ",".join(phones))
    cases = [("%d contacts, all good" % CONTACTS, lambda t: batch(False, t)),
             ("%d contacts, 1 failing (HTTP 503, 4 attempts), `on_error` `row`" % CONTACTS,
              lambda t: batch(True, t)),
             ("the failing lookup alone (its own retries)",
              lambda t: "SELECT count(*) || ' / ' || count(lookup_error) FROM "
                        "setter_conversations(9, 'status-503-%s');" % t)]
    rows = []
    for label, make_sql in cases:
        walls, outs, reqs = [], set(), []
        for rep in range(opts.reps):
            mock.reset()
            script = (".load %s\nSELECT setter_config('on_error', 'row');\n.timer on\n%s\n"
                      ".timer off\n" % (opts.ext, make_sql("b%d" % rep)))
            _, _, out, _ = run_measured([opts.sqlite3, "-batch", "-init", os.devnull,
                                         ":memory:"], script, env)
            lines = out.splitlines()
            walls.append(timer_seconds(lines))
            outs.add(data_lines(lines)[-1])
            reqs.append(mock.stats()["requests"])
        rows.append([label, fmt_s(walls), " / ".join(sorted(outs)), str(med(reqs))])
    return "\n".join([
        "## 6. `on_error` `row`: %d contacts at %d ms latency, concurrency %d, max_retries 3"
        % (CONTACTS, LATENCY_MS, CONCURRENCY), "",
        md_table(["batch", "statement time", "rows / lookup_error rows", "requests"], rows), "",
        "The 200 contacts are unknown to bot 9 (an empty history each: a request, no row). The "
        "failing contact sorts last in the IN list, so its first attempt starts as the others "
        "end: the batch takes about the good batch plus the failing lookup's own retries, and "
        "no more.", ""])


def report(opts, facts, contacts, big, body_bytes, join, eqp, total_s):
    ideal = math.ceil(CONTACTS / CONCURRENCY) * LATENCY_MS / 1000.0
    out = []
    out.append("# sqlite-setter benchmark")
    out.append("")
    out.append("- date: %s" % facts["date"])
    out.append("- machine: %s CPUs (nproc), %s, Linux %s" % (facts["nproc"], facts["cpu"],
                                                            facts["kernel"]))
    out.append("- versions: setter_version() %s; SQLite %s (`sqlite3` shell %s); %s (as loaded "
               "by the extension); curl CLI %s; Python %s"
               % (facts["setter"], facts["sqlite_lib"], facts["sqlite_shell"], facts["libcurl"],
                  facts["curl_cli"], facts["python"]))
    out.append("- every figure: median of %d runs, measured in this run, methods interleaved; "
               "ranges in parentheses are min-max" % opts.reps)
    out.append("")

    # 1
    out.append("## 1. %d contacts (bot %d), %d ms latency a request, concurrency %d"
               % (CONTACTS, BULK_BOT, LATENCY_MS, CONCURRENCY))
    out.append("")
    names = {"ext": "extension: `sqlite3` shell, `CREATE TABLE history AS SELECT ... "
                    "user_number IN (SELECT phone FROM leads)`",
             "pool": "Python ThreadPoolExecutor, %d workers, http.client keep-alive per thread, "
                     "rows into sqlite3" % CONCURRENCY,
             "serial": "Python serial loop, one keep-alive connection, rows into sqlite3"}
    rows = []
    for m in ("ext", "pool", "serial"):
        r = contacts[m]
        rows.append([names[m], fmt_s(r["wall"]), fmt_s(r["inner"]),
                     "%.2fx" % (med(r["wall"]) / ideal), "%.2fx" % (med(r["inner"]) / ideal),
                     fmt_mb(r["rss"]), max(r["requests"]), max(r["mif"]),
                     " / ".join(sorted(r["rows"]))])
    r = contacts["curl"]
    rows.append(["(reference) `curl --parallel --parallel-max %d`, bodies to /dev/null: "
                 "transfers only, no JSON, no SQL" % CONCURRENCY, fmt_s(r["wall"]), "-",
                 "%.2fx" % (med(r["wall"]) / ideal), "-", fmt_mb(r["rss"]), max(r["requests"]),
                 max(r["mif"]), "-"])
    rows.append(["ideal: ceil(%d/%d) x %d ms" % (CONTACTS, CONCURRENCY, LATENCY_MS),
                 "%.2f s" % ideal, "%.2f s" % ideal, "1.00x", "1.00x", "-", CONTACTS,
                 CONCURRENCY, "-"])
    out.append(md_table(["method", "wall, whole process", "fetch + insert (in process)",
                         "wall / ideal", "in process / ideal", "peak RSS", "requests",
                         "max in flight", "rows / sum(message_id)"], rows))
    out.append("")
    out.append("In process: the shell's `.timer` for the `CREATE TABLE ... AS SELECT` statement; "
               "for Python, from reading the leads to the commit. Requests and max in flight: "
               "the mock's `/__mock/stats` of each run (the highest over the runs).")
    out.append("")

    # 2
    mb = body_bytes / 1e6
    out.append("## 2. The %s-message history (bot %d, `%s`): %s bytes (%.1f MB), no latency"
               % ("{:,}".format(100000), BIG_BOT, BIG_USER, "{:,}".format(body_bytes), mb))
    out.append("")
    b = big
    cj_wall = [a + c for a, c in zip(b["curl"]["wall"], b["json_each"]["wall"])]
    ca_wall = [a + c for a, c in zip(b["curl"]["wall"], b["json_arrow"]["wall"])]
    cj_rss = [max(a, c) for a, c in zip(b["curl"]["rss"], b["json_each"]["rss"])]
    ca_rss = [max(a, c) for a, c in zip(b["curl"]["rss"], b["json_arrow"]["rss"])]

    def ratio(kib):
        return "%.2fx" % (med(kib) * 1024 / body_bytes) if body_bytes else "-"

    rows = [
        ["extension: `SELECT count(*), sum(length(content))` (sqlite3 process)",
         fmt_s(b["ext_count"]["wall"]), fmt_mb(b["ext_count"]["rss"]), ratio(b["ext_count"]["rss"]),
         " / ".join(sorted(b["ext_count"]["out"]))],
        ["`curl -s -o file` + `sqlite3 json_each(readfile(file))` with `json_extract` (sum of both; "
         "peak = the larger)", fmt_s(cj_wall), fmt_mb(cj_rss), ratio(cj_rss),
         " / ".join(sorted(b["json_each"]["out"]))],
        ["&nbsp;&nbsp;of which curl", fmt_s(b["curl"]["wall"]), fmt_mb(b["curl"]["rss"]),
         ratio(b["curl"]["rss"]), " / ".join(sorted(b["curl"]["out"]))],
        ["&nbsp;&nbsp;of which sqlite3 json_each", fmt_s(b["json_each"]["wall"]),
         fmt_mb(b["json_each"]["rss"]), ratio(b["json_each"]["rss"]), ""],
        ["(information) curl + json_each with `value->>'content'`", fmt_s(ca_wall), fmt_mb(ca_rss),
         ratio(ca_rss), " / ".join(sorted(b["json_arrow"]["out"]))],
        ["(information) extension: `SELECT *` to a file", fmt_s(b["ext_star"]["wall"]),
         fmt_mb(b["ext_star"]["rss"]), ratio(b["ext_star"]["rss"]),
         " / ".join(sorted(b["ext_star"]["out"]))],
    ]
    out.append(md_table(["method", "wall", "peak RSS", "RSS / body", "result"], rows))
    out.append("")
    out.append("Wall time and peak RSS of whole processes (%s), including the transfer "
               "from the local mock." % ("GNU time `%M`" if GNU_TIME else
                                         "`os.wait4` ru_maxrss: **floored at the benchmark's own "
                                         "RSS**, install the `time` package"))
    out.append("")

    # 3
    out.append("## 3. Join of %d leads (one lookup per lead), %d ms latency"
               % (CONTACTS, LATENCY_MS))
    out.append("")
    labels = {
        "off": "`FROM leads l JOIN setter_conversations c ON c.bot_integration_id = %d AND "
               "c.user_number = l.phone`, cache off" % BULK_BOT,
        "in": "same join + `WHERE c.user_number IN (SELECT phone FROM leads)`, cache off",
        "fill": "same join as the first row, after `setter_config('cache_ttl', 60)`: 1st run",
        "cached": "same join again, same connection: 2nd run with cache_ttl 60",
    }
    rows = []
    for name in ("off", "in", "fill", "cached"):
        r = join[name]
        rows.append([labels[name], fmt_s(r["wall"]),
                     "/".join(str(x) for x in r["requests"]),
                     "/".join(str(x) for x in r["cached"]),
                     max(r["mif"]), " / ".join(sorted(r["rows"]))])
    rows.append(["(reference) serial: %d x %d ms" % (CONTACTS, LATENCY_MS),
                 "%.2f s" % (CONTACTS * LATENCY_MS / 1000.0), "", "", "", ""])
    out.append(md_table(["query", "time (`.timer`)", "requests per run (mock)",
                         "cached lookups per run (setter_requests)", "max in flight",
                         "rows / sum(message_id)"], rows))
    out.append("")
    out.append("Plans (`EXPLAIN QUERY PLAN`): plain join `%s`; with the IN filter `%s`."
               % (" ".join(l.strip("|`- ") for l in eqp.get("off", [])[1:]),
                  " ".join(l.strip("|`- ") for l in eqp.get("in", [])[1:])))
    out.append("A join calls xFilter once per outer row, so its lookups run one after another; "
               "adding the IN filter lets SQLite hand the whole list to one xFilter "
               "(virtual table as the outer loop).")
    out.append("")

    # targets
    ext, pool = contacts["ext"], contacts["pool"]
    checks = [
        ("200 contacts: extension within 1.5x of ideal (whole process)",
         med(ext["wall"]) <= 1.5 * ideal, "%.2f s vs %.2f s" % (med(ext["wall"]), 1.5 * ideal)),
        ("200 contacts: extension no slower than the Python pool (whole process)",
         med(ext["wall"]) <= med(pool["wall"]),
         "%.2f s vs %.2f s" % (med(ext["wall"]), med(pool["wall"]))),
        ("200 contacts: extension no slower than the Python pool (in process)",
         med(ext["inner"]) <= med(pool["inner"]),
         "%.2f s vs %.2f s" % (med(ext["inner"]), med(pool["inner"]))),
        ("200 contacts: max in flight <= %d" % CONCURRENCY, max(ext["mif"]) <= CONCURRENCY,
         "%d" % max(ext["mif"])),
        ("history: peak RSS < 2.5x body", med(big["ext_count"]["rss"]) * 1024 < 2.5 * body_bytes,
         "%s vs %.1f MB" % (fmt_mb(big["ext_count"]["rss"]), 2.5 * mb)),
        ("history: faster than curl + json_each", med(big["ext_count"]["wall"]) < med(cj_wall),
         "%.2f s vs %.2f s" % (med(big["ext_count"]["wall"]), med(cj_wall))),
        ("join with cache_ttl 60: 2nd run makes 0 requests", max(join["cached"]["requests"]) == 0,
         "/".join(str(x) for x in join["cached"]["requests"])),
    ]
    out.append("## Targets")
    out.append("")
    out.append(md_table(["target", "met", "figures"],
                        [[c, "yes" if ok else "**no**", fig] for c, ok, fig in checks]))
    out.append("")
    out.append("Whole benchmark: %.0f s." % total_s)
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(description="sqlite-setter benchmark (see the file header)")
    p.add_argument("--reps", type=int, default=3, help="runs per measurement (median)")
    p.add_argument("--ext", default=os.path.join(ROOT, "dist", "setter"),
                   help="extension path without suffix")
    p.add_argument("--sqlite3", default=shutil.which("sqlite3") or "sqlite3")
    p.add_argument("--curl", default=shutil.which("curl") or "curl")
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "latest.md"))
    p.add_argument("--reader", default=os.path.join(ROOT, "build", "bench", "reader"),
                   help="bench/reader.c built against this tree (make bench builds it)")
    p.add_argument("--reader-base", default=os.path.join(ROOT, "build", "bench", "reader-base"),
                   help="bench/reader.c built against --bench-base's reader")
    p.add_argument("--bench-base", default=os.environ.get("BENCH_BASE", "f32722d"),
                   help="the commit whose reader --reader-base holds (for the report)")
    p.add_argument("--baseline", choices=["pool", "serial"], help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, help=argparse.SUPPRESS)
    p.add_argument("--key", default=KEY, help=argparse.SUPPRESS)
    p.add_argument("--count", type=int, default=CONTACTS, help=argparse.SUPPRESS)
    p.add_argument("--workers", type=int, default=CONCURRENCY, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv):
    opts = parse_args(argv)
    if opts.baseline:
        return baseline_main(opts)
    if opts.reps < 1:
        print("bench.py: --reps must be at least 1", file=sys.stderr)
        return 2
    suffix = {"Darwin": ".dylib", "Windows": ".dll"}.get(platform.system(), ".so")
    if not os.path.exists(opts.ext + suffix):
        print("bench.py: %s%s not found; run `make` first" % (opts.ext, suffix), file=sys.stderr)
        return 2
    for tool in (opts.sqlite3, opts.curl):
        if not shutil.which(tool):
            print("bench.py: %s not found (make bench installs it)" % tool, file=sys.stderr)
            return 2

    t_start = time.monotonic()
    facts = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "kernel": platform.release(),
        "sqlite_shell": first_line([opts.sqlite3, "--version"]).split(" ")[0],
        "libcurl": libcurl_version(),
        "curl_cli": first_line([opts.curl, "--version"]).split(" ")[1],
        "python": platform.python_version(),
    }
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
        if nproc:
            facts["nproc"] = nproc
    except OSError:
        pass

    tmpdir = tempfile.mkdtemp(prefix="setter-bench-")
    slow, fast = Mock(tmpdir, "latency", LATENCY_MS), Mock(tmpdir, "fast")
    try:
        slow.start()
        fast.start()
        env_slow = clean_env({"SETTER_API_KEY": KEY, "SETTER_BASE_URL": slow.base_url})
        env_fast = clean_env({"SETTER_API_KEY": KEY, "SETTER_BASE_URL": fast.base_url})
        _, _, out, _ = run_measured([opts.sqlite3, "-batch", "-init", os.devnull, ":memory:"],
                                    ".load %s\nSELECT setter_version() || '|' || sqlite_version();\n"
                                    % opts.ext, env_slow)
        facts["setter"], facts["sqlite_lib"] = out.strip().split("|")

        print("bench: %d contacts, %d ms latency ..." % (CONTACTS, LATENCY_MS), file=sys.stderr)
        contacts = section_contacts(opts, slow, env_slow, tmpdir)
        print("bench: 100,000-message history ...", file=sys.stderr)
        big, body_bytes = section_big(opts, fast, env_fast, tmpdir)
        print("bench: the JSON reader alone ...", file=sys.stderr)
        reader = section_reader(opts, os.path.join(tmpdir, "big.json"))
        print("bench: join of %d leads ..." % CONTACTS, file=sys.stderr)
        join, eqp = section_join(opts, slow, env_slow)
        print("bench: %d lookups, no latency ..." % BULK_LOOKUPS, file=sys.stderr)
        extra = section_bulk(opts, fast, env_fast)
        print("bench: interrupt latency ...", file=sys.stderr)
        extra += "\n" + section_interrupt(opts, slow, fast)
        print("bench: on_error row ...", file=sys.stderr)
        extra += "\n" + section_on_error(opts, slow, env_slow)
    except BenchError as e:
        print("bench.py: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        slow.stop()
        fast.stop()
        shutil.rmtree(tmpdir, ignore_errors=True)

    text = report(opts, facts, contacts, big, body_bytes, join, eqp, time.monotonic() - t_start)
    text += "\n" + report_reader(opts, reader, big, body_bytes)
    text += "\n" + extra
    print(text)
    os.makedirs(os.path.dirname(opts.out), exist_ok=True)
    with open(opts.out, "w") as f:
        f.write(text)
    print("(written to %s)" % os.path.relpath(opts.out, ROOT), file=sys.stderr)

    # Wrong rows are a failure even in a benchmark: a fast wrong answer means nothing.
    bad = [m for m in ("ext", "pool", "serial") if len(contacts[m]["rows"]) != 1]
    answers = {next(iter(contacts[m]["rows"])) for m in ("ext", "pool", "serial")
               if contacts[m]["rows"]}
    joins = set().union(*(join[k]["rows"] for k in join))
    if bad or len(answers) != 1 or joins != answers or \
            any(len(big[k]["out"]) != 1 for k in ("ext_count", "json_each", "json_arrow")) or \
            big["ext_count"]["out"] != big["json_each"]["out"]:
        print("bench.py: the methods did not all return the same rows (see the table)",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
