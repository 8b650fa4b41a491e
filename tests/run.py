#!/usr/bin/python3
"""Test runner for sqlite-setter: SQL cases with expected output, plus other test programs.

Usage:
    /usr/bin/python3 tests/run.py [options] [FILE.sql[:LINE] ...]

What it does:
  1. Starts two mock API servers on 127.0.0.1 (tests/mock_api.py): the API mock ({PORT}, key
     {KEY}) and an "evil" one ({EVIL_PORT}, another key) that security cases use to prove that
     nothing was sent there. They are always stopped at the end (also on Ctrl-C or failure).
  2. Runs every case of tests/sql/*.sql (sorted), each in a fresh
     `stdbuf -oL [WRAP] sqlite3 -batch -init /dev/null :memory:` with stdin
     `.load {EXT}` + the file's prelude + the case's SQL, stdout and stderr merged, and compares
     the normalised output with the case's expected output. See tests/README.md for the format.
  3. Runs each `--also CMD` and adds the counts from its `N passed, N failed` line.
  4. Prints one `FAIL file:LINE title` block per failing case and, last, alone on a line:
     `tests: N passed, N failed`. Exit status 0 = all passed, 1 = failures, 2 = setup error
     (extension or mock missing, mock does not start, no case matches), 130 = interrupted.

Options: run with --help. Python 3 standard library only.
"""

import argparse
import atexit
import difflib
import glob
import http.client
import json
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SQL_DIR = os.path.join(ROOT, "tests", "sql")
API_KEY = "test-key-0123456789abcdef"
EVIL_KEY = "evil-key-fedcba9876543210"
MOCK_START_TIMEOUT = 10.0
DEFAULT_CASE_TIMEOUT = 60.0
DEFAULT_ALSO_TIMEOUT = 600.0
MAX_DIFF_LINES = 30
MAX_SHOWN_LINES = 60

# Variables removed from every case's environment (besides SETTER_*): a proxy setting in the
# developer's shell must not reroute requests meant for the loopback mocks.
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy",
              "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")

HEADER_DIRECTIVES = ("env", "requests", "max-in-flight", "evil-requests", "timeout", "posix-only",
                     "native-only", "sqlite")
EXPECT_DIRECTIVES = ("expect", "expect-re")

CASE_RE = re.compile(r"^--\s*case:(.*)$")
DIRECTIVE_RE = re.compile(r"^--\s*([a-z][a-z-]*):(.*)$")
BOUND_RE = re.compile(r"^(<=|>=|==|=|<|>)?\s*(\d+)$")
VERSION_BOUND_RE = re.compile(r"^(<=|>=|==|=|<|>)\s*(\d+)\.(\d+)\.(\d+)(?:\s+\((.+)\))?$")
VERSION_RE = re.compile(r"\b(\d+)\.(\d+)\.(\d+)\b")
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# sqlite3 shell error prefixes, by version: "Parse error near line 3: ", "Runtime error near
# line 3: ", "Error: near line 3: ", "Error near line 3: " (3.5x). All become "Error: ".
ERROR_PREFIX_RE = re.compile(r"^(?:(?:Parse|Runtime) error near line \d+|Error:? near line \d+): ")
# EXPLAIN QUERY PLAN before SQLite 3.36 says "SCAN TABLE leads AS l", "SEARCH TABLE leads":
# both become "SCAN l", "SEARCH leads", as 3.36 and later print them.
PLAN_TABLE_RE = re.compile(r"^([|` ]*(?:\|--|`--)(?:SCAN|SEARCH)) TABLE (?:\S+ AS )?")
# The shell's error position (3.38 and later): the SQL, then "   ^--- error here" below it.
ERROR_HERE_RE = re.compile(r"^\s+(?:\^--- error here|error here ---\^)$")
# Lines written by valgrind (==PID==) and the sanitizers (==PID==ERROR: ...).
TOOL_LINE_RE = re.compile(r"^==\d+==")
SANITIZER_RE = re.compile(r"ERROR: (?:Address|Leak|Memory|Thread|UndefinedBehavior)Sanitizer"
                          r"|^\S+:\d+:\d+: runtime error: ", re.M)
COUNTS_RE = re.compile(r"^(\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?")
PLACEHOLDER_RE = re.compile(r"\{(PORT|EVIL_PORT|EXT|TMP|ROOT|KEY|SCALED:[0-9]+(?:\.[0-9]+)?)\}")


class SetupError(Exception):
    """Something the whole run depends on is missing or broken (exit status 2)."""


# --------------------------------------------------------------------------------------------
# Case files
# --------------------------------------------------------------------------------------------

class Case:
    def __init__(self, path, line, title):
        self.path = path            # path relative to ROOT, e.g. tests/sql/10_lookup.sql
        self.line = line            # 1-based line of "-- case:"
        self.title = title
        self.prelude = ""
        self.sql = ""
        self.env = []               # list of (name, value or None to remove)
        self.requests = None        # (op, n) bounds on the mocks' stats
        self.max_in_flight = None
        self.evil_requests = None
        self.timeout = None
        self.posix_only = None      # why the case needs a POSIX shell (skipped by --not-posix)
        self.sqlite = []            # (op, (major, minor, patch), why): run only on such SQLite
        self.native_only = None     # why it needs the host's own build (skipped by --not-native)
        self.expect = []            # expected lines (raw, before placeholder substitution)
        self.regex = False
        self.error = None           # format error: the case fails with this message

    @property
    def where(self):
        return "%s:%d" % (self.path, self.line)


def parse_bound(value):
    m = BOUND_RE.match(value.strip())
    if not m:
        raise ValueError("expected N, = N, <= N, >= N, < N or > N, got %r" % value.strip())
    op = m.group(1) or "="
    return ("=" if op == "==" else op, int(m.group(2)))


def parse_version_bound(value):
    m = VERSION_BOUND_RE.match(value.strip())
    if not m:
        raise ValueError("expected an operator, a version and the reason, e.g. >= 3.38.0 "
                         "(sqlite3_vtab_in), got %r" % value.strip())
    if not m.group(5):
        raise ValueError("say why in parentheses after the version, e.g. >= 3.38.0 "
                         "(sqlite3_vtab_in)")
    op = "=" if m.group(1) == "==" else m.group(1)
    return (op, tuple(int(m.group(k)) for k in (2, 3, 4)), m.group(5))


def version_text(v):
    return "%d.%d.%d" % v


def check_bound(bound, actual):
    op, n = bound
    return {"=": actual == n, "<=": actual <= n, ">=": actual >= n,
            "<": actual < n, ">": actual > n}[op]


def strip_expect_line(line):
    if line.startswith("-- "):
        return line[3:]
    return line[2:]


def parse_file(path):
    """Returns the list of Case of one .sql file (format errors are stored in Case.error)."""
    rel = os.path.relpath(path, ROOT)
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    starts = [i for i, l in enumerate(lines) if CASE_RE.match(l)]
    if not starts:
        c = Case(rel, 1, "(file has no '-- case:' line)")
        c.error = "no '-- case:' line in this file"
        return [c]
    prelude = "".join(l + "\n" for l in lines[:starts[0]])
    cases = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        c = Case(rel, start + 1, CASE_RE.match(lines[start]).group(1).strip())
        c.prelude = prelude
        try:
            parse_case(c, lines, start + 1, end)
        except ValueError as e:
            c.error = str(e)
        cases.append(c)
    return cases


def parse_case(c, lines, i, end):
    if not c.title:
        raise ValueError("line %d: '-- case:' needs a title" % (i,))
    # Header: directive lines right below "-- case:".
    while i < end:
        m = DIRECTIVE_RE.match(lines[i])
        if not m:
            break
        name, value = m.group(1), m.group(2).strip()
        if name in EXPECT_DIRECTIVES:
            break
        if name not in HEADER_DIRECTIVES:
            raise ValueError("line %d: unknown directive '-- %s:' (known: %s, expect, expect-re)"
                             % (i + 1, name, ", ".join(HEADER_DIRECTIVES)))
        try:
            if name == "env":
                if value.startswith("-"):
                    key, val = value[1:].strip(), None
                elif "=" in value:
                    key, val = value.split("=", 1)
                    key = key.strip()
                else:
                    raise ValueError("expected NAME=VALUE or -NAME, got %r" % value)
                if not ENV_NAME_RE.match(key):
                    raise ValueError("bad variable name %r" % key)
                c.env.append((key, val))
            elif name in ("posix-only", "native-only"):
                if not value:
                    raise ValueError("needs the reason the case cannot run everywhere")
                setattr(c, name.replace("-", "_"), value)
            elif name == "sqlite":
                c.sqlite.append(parse_version_bound(value))
            elif name == "timeout":
                c.timeout = float(value)
                if c.timeout <= 0:
                    raise ValueError("timeout must be > 0")
            else:
                setattr(c, name.replace("-", "_"), parse_bound(value))
        except ValueError as e:
            raise ValueError("line %d: '-- %s:' %s" % (i + 1, name, e))
        i += 1
    # SQL: everything up to "-- expect:" / "-- expect-re:".
    sql = []
    while i < end:
        m = DIRECTIVE_RE.match(lines[i])
        if m and m.group(1) in EXPECT_DIRECTIVES:
            if m.group(2).strip():
                raise ValueError("line %d: nothing may follow '-- %s:' on its line; put the "
                                 "expected lines below it" % (i + 1, m.group(1)))
            c.regex = m.group(1) == "expect-re"
            break
        if m and m.group(1) in HEADER_DIRECTIVES:
            raise ValueError("line %d: directive '-- %s:' inside the SQL; directives go right "
                             "below '-- case:'" % (i + 1, m.group(1)))
        sql.append(lines[i])
        i += 1
    else:
        raise ValueError("no '-- expect:' or '-- expect-re:' line in this case")
    if not any(l.strip() and not l.lstrip().startswith("--") for l in sql):
        raise ValueError("the case has no SQL")
    c.sql = "".join(l + "\n" for l in sql)
    i += 1
    # Expected output: the "--" lines right below, up to the first line not starting with "--".
    while i < end and lines[i].startswith("--"):
        c.expect.append(strip_expect_line(lines[i]))
        i += 1
    # After that, until the next case: only blank lines and comments.
    while i < end:
        if lines[i].strip() and not lines[i].lstrip().startswith("--"):
            raise ValueError("line %d: SQL after the expected output (missing '-- case:'?)"
                             % (i + 1,))
        i += 1
    if c.regex:
        for n, pat in enumerate(c.expect):
            try:
                body = pat[len(REPEAT_MARK):] if pat.startswith(REPEAT_MARK) else pat
                values = dict.fromkeys(("PORT", "EVIL_PORT", "EXT", "TMP", "ROOT", "KEY"), "x")
                re.compile(subst(body, dict(values, SCALE=1.0), regex=True))
            except re.error as e:
                raise ValueError("expected line %d is not a valid regex: %s" % (n + 1, e))


def scaled(number, scale):
    """{SCALED:N}: N times the run's timeout scale, as an integer when it is one."""
    v = float(number) * scale
    return str(int(round(v))) if abs(v - round(v)) < 1e-9 else "%.3f" % v


def subst(text, values, regex=False):
    """Replaces {PORT}, {EVIL_PORT}, {EXT}, {TMP}, {ROOT}, {KEY} and {SCALED:N} (values["SCALE"]
    is the timeout scale); other braces stay as they are."""
    def repl(m):
        name = m.group(1)
        if name.startswith("SCALED:"):
            v = scaled(name[len("SCALED:"):], values["SCALE"])
        else:
            v = values[name]
        return re.escape(v) if regex else v
    return PLACEHOLDER_RE.sub(repl, text)


# --------------------------------------------------------------------------------------------
# Processes: every child we start is registered so that cleanup can always reach it
# --------------------------------------------------------------------------------------------

_children_lock = threading.Lock()
_children = set()
_stopping = False       # set by cleanup: no new process may start after it


def start_process(argv, **kw):
    kw.setdefault("start_new_session", True)   # own process group: Ctrl-C and killpg are ours
    with _children_lock:
        if _stopping:
            raise SetupError("the run is stopping")
        proc = subprocess.Popen(argv, **kw)
        _children.add(proc)
    return proc


def forget_process(proc):
    with _children_lock:
        _children.discard(proc)



def communicate(proc, data, timeout):
    """Feeds data, waits at most timeout s (then kills the process group);
    returns (output bytes, timed_out) and forgets the process."""
    try:
        out, _ = proc.communicate(data, timeout=timeout)
        return out, False
    except subprocess.TimeoutExpired:
        kill_group(proc)
        out, _ = proc.communicate()
        return out, True
    finally:
        forget_process(proc)

def kill_group(proc, sig=signal.SIGKILL):
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def stop_process(proc, grace=3.0):
    """SIGTERM, wait up to `grace` seconds, then SIGKILL (to the whole process group)."""
    if proc.poll() is None:
        kill_group(proc, signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            kill_group(proc, signal.SIGKILL)
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                pass
    forget_process(proc)


def stop_all_children():
    global _stopping
    with _children_lock:
        _stopping = True
        procs = list(_children)
    for p in procs:
        stop_process(p)


def describe_status(rc):
    if rc is None:
        return "still running"
    if rc < 0:
        try:
            return "killed by signal %s" % signal.Signals(-rc).name
        except ValueError:
            return "killed by signal %d" % -rc
    return "exit status %d" % rc


# --------------------------------------------------------------------------------------------
# Mock servers
# --------------------------------------------------------------------------------------------

class Mock:
    def __init__(self, script, key, name, tmpdir):
        self.script, self.key, self.name, self.tmpdir = script, key, name, tmpdir
        self.proc = None
        self.port = None
        self.log_path = None

    def start(self):
        fd, port_file = tempfile.mkstemp(prefix=self.name + "-port-", dir=self.tmpdir)
        os.close(fd)
        os.unlink(port_file)    # the mock creates it once it listens
        self.log_path = port_file + ".log"
        argv = [sys.executable, self.script, "--port", "0", "--port-file", port_file,
                "--key", self.key, "--quiet"]
        with open(self.log_path, "wb") as log:
            self.proc = start_process(argv, stdin=subprocess.DEVNULL, stdout=log,
                                      stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + MOCK_START_TIMEOUT
        while True:
            try:
                with open(port_file) as f:
                    text = f.read().strip()
                if text:
                    self.port = int(text)
                    break
            except (OSError, ValueError):
                pass
            if self.proc.poll() is not None:
                raise SetupError("the %s mock (%s) exited before listening (%s)%s"
                                 % (self.name, " ".join(argv), describe_status(self.proc.returncode),
                                    self.log_tail()))
            if time.monotonic() > deadline:
                self.stop()
                raise SetupError("the %s mock (%s) did not write its port file within %g s%s"
                                 % (self.name, " ".join(argv), MOCK_START_TIMEOUT, self.log_tail()))
            time.sleep(0.02)

    def log_tail(self, n=20):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()[-n:]
        except OSError:
            return ""
        return "".join("\n    " + l for l in lines) if lines else ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is not None:
            stop_process(self.proc)

    def call(self, method, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=b"" if method == "POST" else None)
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200:
                raise OSError("%s %s -> HTTP %d" % (method, path, resp.status))
            return json.loads(body) if body.strip() else None
        finally:
            conn.close()

    def reset(self):
        self.call("POST", "/__mock/reset")

    def stats(self):
        return self.call("GET", "/__mock/stats")

    def log(self):
        return self.call("GET", "/__mock/log")


# --------------------------------------------------------------------------------------------
# Running one case
# --------------------------------------------------------------------------------------------

class Result:
    def __init__(self, case):
        self.case = case
        self.ok = True
        self.messages = []      # short reasons, one per line
        self.diff = []          # unified diff lines (already capped)
        self.extra = []         # other output to show (tool output, output tail)
        self.elapsed = 0.0
        self.skipped = None     # why the case did not run (a -- sqlite: bound)

    def fail(self, msg):
        self.ok = False
        self.messages.append(msg)


def normalise(text):
    lines = [PLAN_TABLE_RE.sub(r"\1 ", ERROR_PREFIX_RE.sub("Error: ", l)).rstrip()
             for l in text.splitlines()]
    lines = drop_error_position(lines)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def drop_error_position(lines):
    """Without the shell's error position lines (the SQL and "^--- error here" below it)."""
    out = []
    for l in lines:
        if ERROR_HERE_RE.match(l) and out and out[-1].startswith("  "):
            out.pop()
        else:
            out.append(l)
    return out


def clean_expected(lines, regex=False):
    lines = [l.rstrip() for l in lines]
    if not regex:
        lines = drop_error_position(lines)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def capped(lines, limit, what="lines"):
    if len(lines) <= limit:
        return list(lines)
    return list(lines[:limit]) + ["... (%d more %s)" % (len(lines) - limit, what)]


def make_diff(expected, actual, regex):
    """Unified diff expected -> actual. For regex cases, a pattern that matches its actual line
    is shown as that line, so only the mismatching lines appear in the diff."""
    if regex:
        shown = []
        for n, pat in enumerate(expected):
            if n < len(actual) and re.fullmatch(pat, actual[n]):
                shown.append(actual[n])
            else:
                shown.append(pat)
        expected = shown
    diff = list(difflib.unified_diff(expected, actual, "expected", "actual", n=2, lineterm=""))
    return capped(diff, MAX_DIFF_LINES, "diff lines")


# An expect-re line that starts with this matches zero or more output lines (each matching the
# rest of the pattern): for lines whose number depends on time, such as progress lines.
REPEAT_MARK = "(?*)"


def output_matches(expected, actual, regex):
    if not regex:
        return expected == actual

    def match(i, j):
        while i < len(expected):
            pat = expected[i]
            if pat.startswith(REPEAT_MARK):
                body = pat[len(REPEAT_MARK):]
                while not match(i + 1, j):
                    if j < len(actual) and re.fullmatch(body, actual[j]):
                        j += 1
                    else:
                        return False
                return True
            if j >= len(actual) or not re.fullmatch(pat, actual[j]):
                return False
            i += 1
            j += 1
        return j == len(actual)
    return match(0, 0)


def run_case(case, worker, opts, base_env):
    res = Result(case)
    if case.error:
        res.fail("format error: " + case.error)
        return res
    unmet = [b for b in case.sqlite
             if opts.sqlite_version and not check_bound(b[:2], opts.sqlite_version)]
    if unmet:
        res.skipped = "SQLite %s, not %s: %s" % (
            version_text(opts.sqlite_version),
            " and ".join("%s %s" % (op, version_text(v)) for op, v, _ in unmet),
            "; ".join(why for _, _, why in unmet))
        return res
    tmp = tempfile.mkdtemp(prefix="case-", dir=opts.run_tmp)
    try:
        values = {"PORT": str(worker.api.port), "EVIL_PORT": str(worker.evil.port),
                  "EXT": opts.ext, "TMP": tmp, "ROOT": ROOT, "KEY": API_KEY,
                  "SCALE": opts.timeout_scale}
        env = dict(base_env)
        env["SETTER_API_KEY"] = API_KEY
        env["SETTER_BASE_URL"] = "http://127.0.0.1:%d" % worker.api.port
        for name, val in opts.env + case.env:
            if val is None:
                env.pop(name, None)
            else:
                env[name] = subst(val, values)
        ext_arg = opts.ext if not re.search(r"[\s'\"]", opts.ext) else '"%s"' % opts.ext
        script = ".load %s\n" % ext_arg + subst(case.prelude + case.sql, values)
        expected = clean_expected([subst(l, values, regex=case.regex) for l in case.expect],
                                  case.regex)
        timeout = (case.timeout or DEFAULT_CASE_TIMEOUT) * opts.timeout_scale

        try:
            worker.api.reset()
            worker.evil.reset()
        except (OSError, ValueError, http.client.HTTPException) as e:
            res.fail("could not reset the mock servers before the case: %s" % e)
            return res

        argv = opts.stdbuf + opts.wrap + [opts.sqlite3, "-batch", "-init", os.devnull, ":memory:"]
        t0 = time.monotonic()
        proc = start_process(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, cwd=ROOT, env=env)
        out, timed_out = communicate(proc, script.encode("utf-8"), timeout)
        res.elapsed = time.monotonic() - t0
        text = out.decode("utf-8", errors="replace")
        rc = proc.returncode

        lines = text.splitlines()
        tool = [l for l in lines if TOOL_LINE_RE.match(l)]
        actual = normalise("\n".join(l for l in lines if not TOOL_LINE_RE.match(l)))

        if timed_out:
            res.fail("timed out after %g s (killed)" % timeout)
        elif rc < 0:
            res.fail("sqlite3 crashed: %s" % describe_status(rc))
        elif rc not in (0, 1):
            res.fail("sqlite3 %s (0 or 1 expected; %s)" % (
                describe_status(rc),
                "99 = valgrind found errors" if rc == 99 and opts.wrap else
                "a wrapper or sanitizer reported a problem, or a signal in a child"))
        if SANITIZER_RE.search(text):
            res.fail("sanitizer report in the output")
        if API_KEY in text:
            res.fail("the output contains the API key %r: it must never be printed" % API_KEY)
        if not output_matches(expected, actual, case.regex):
            res.fail("output differs from the expected output")
            res.diff = make_diff(expected, actual, case.regex)
        if (timed_out or rc not in (0, 1)) and not res.diff and actual:
            res.extra += ["output:"] + capped(actual, MAX_DIFF_LINES)
        if tool and not res.ok:
            res.extra += ["tool output:"] + capped(tool, MAX_SHOWN_LINES)
        if not res.ok and not timed_out:
            res.extra.append("sqlite3 exited with status %d after %.2f s%s" % (
                rc, res.elapsed, "" if text.strip() else ", printing nothing at all"))

        # Request counts seen by the mocks.
        try:
            api_stats = worker.api.stats()
            evil_stats = worker.evil.stats()
        except (OSError, ValueError, http.client.HTTPException) as e:
            res.fail("could not read the mock statistics after the case: %s%s" % (
                e, "" if worker.api.alive() and worker.evil.alive() else " (a mock server died)"))
            return res
        checks = [("requests", case.requests, api_stats.get("requests")),
                  ("max-in-flight", case.max_in_flight, api_stats.get("max_in_flight")),
                  ("evil-requests", case.evil_requests or ("=", 0), evil_stats.get("requests"))]
        for name, bound, got in checks:
            if bound is None:
                continue
            if not isinstance(got, int) or not check_bound(bound, got):
                res.fail("%s: expected %s%d, the mock saw %s" % (
                    name, "" if bound[0] == "=" else bound[0] + " ", bound[1], got))
                mock = worker.evil if name == "evil-requests" else worker.api
                res.extra += request_log(mock, name)
        return res
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def request_log(mock, name):
    """A few lines describing what the mock received (never the Authorization value)."""
    try:
        log = mock.log()
    except (OSError, ValueError, http.client.HTTPException):
        return []
    if not isinstance(log, list):
        return []
    out = ["%s mock request log (%d):" % ("evil" if name == "evil-requests" else "API", len(log))]
    for r in log[:10]:
        if isinstance(r, dict):
            q = r.get("query")
            q = "" if not q else ("?" + q if isinstance(q, str) else " " + json.dumps(q))
            out.append("  %s %s%s" % (r.get("method"), r.get("path"), q))
    if len(log) > 10:
        out.append("  ... (%d more)" % (len(log) - 10))
    return out


# --------------------------------------------------------------------------------------------
# Workers: each with its own pair of mocks
# --------------------------------------------------------------------------------------------

class Worker:
    def __init__(self, opts, n):
        self.opts = opts
        self.api = Mock(opts.mock, API_KEY, "api%d" % n, opts.run_tmp)
        self.evil = Mock(opts.mock, EVIL_KEY, "evil%d" % n, opts.run_tmp)

    def start(self):
        self.api.start()
        self.evil.start()

    def ensure_mocks(self):
        for m in (self.api, self.evil):
            if not m.alive() and not _stopping:
                print("warning: the %s mock had stopped (%s); restarting it%s"
                      % (m.name, describe_status(m.proc.returncode), m.log_tail()),
                      file=sys.stderr, flush=True)
                m.start()

    def stop(self):
        self.api.stop()
        self.evil.stop()


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------

def indent(lines, prefix="    "):
    return "".join(prefix + l + "\n" for l in lines)


def report_case(res, verbose):
    c = res.case
    if res.skipped:
        sys.stdout.write("skip %s %s (%s)\n" % (c.where, c.title, res.skipped))
    elif res.ok:
        if verbose:
            sys.stdout.write("ok   %s %s (%.2fs)\n" % (c.where, c.title, res.elapsed))
    else:
        sys.stdout.write("FAIL %s %s\n" % (c.where, c.title))
        sys.stdout.write(indent(res.messages + res.diff + res.extra))
    sys.stdout.flush()


# --------------------------------------------------------------------------------------------
# --also commands
# --------------------------------------------------------------------------------------------

def run_also(cmd, opts, env):
    """Returns (passed, failed, skipped)."""
    try:
        argv = shlex.split(cmd)
    except ValueError as e:
        print("FAIL --also %s\n    cannot parse the command: %s" % (cmd, e), flush=True)
        return 0, 1, 0
    timeout = DEFAULT_ALSO_TIMEOUT * opts.timeout_scale
    t0 = time.monotonic()
    try:
        proc = start_process(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    except OSError as e:
        print("FAIL --also %s\n    cannot start: %s" % (cmd, e), flush=True)
        return 0, 1, 0
    out, timed_out = communicate(proc, None, timeout)
    elapsed = time.monotonic() - t0
    text = out.decode("utf-8", errors="replace")
    rc = proc.returncode
    counts = None
    for line in text.splitlines():
        m = COUNTS_RE.match(line)
        if m:
            counts = (int(m.group(2)), int(m.group(3)), int(m.group(4) or 0))
    problems = []
    passed, failed, skipped = counts if counts else (0, 0, 0)
    if timed_out:
        problems.append("timed out after %g s (killed)" % timeout)
    elif rc < 0:
        problems.append("crashed: %s" % describe_status(rc))
    if counts is None:
        problems.append("no 'N passed, N failed' line in its output")
    elif rc != 0 and not timed_out and rc > 0 and failed == 0:
        problems.append("%s although it reported 0 failed" % describe_status(rc))
    if API_KEY in text:
        problems.append("its output contains the API key %r" % API_KEY)
    failed += len(problems)
    if failed or opts.verbose:
        head = "FAIL" if failed else "ok  "
        print("%s --also %s (%d passed, %d failed, %s, %.2fs)"
              % (head, cmd, passed, failed, describe_status(rc), elapsed))
        lines = text.splitlines()
        shown = lines if opts.verbose else lines[-MAX_SHOWN_LINES:]
        if len(shown) < len(lines):
            shown = ["... (%d earlier lines)" % (len(lines) - len(shown))] + shown
        sys.stdout.write(indent(problems + shown))
        sys.stdout.flush()
    return passed, failed, skipped


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="tests/run.py",
        description="Run the SQL cases of tests/sql/*.sql against mock API servers, plus other "
                    "test programs (--also). See tests/README.md.")
    p.add_argument("files", nargs="*", metavar="FILE[:LINE]",
                   help="only these .sql files (default: tests/sql/*.sql); FILE:LINE selects "
                        "the case whose '-- case:' line is LINE")
    p.add_argument("-k", dest="pattern", metavar="PATTERN",
                   help="only cases whose file name or title contains PATTERN (case-insensitive)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="print every case, and the output of --also commands")
    p.add_argument("--ext", default=os.path.join(ROOT, "dist", "setter"),
                   help="extension path without suffix (default: %(default)s)")
    p.add_argument("--sqlite3", default=None,
                   help="sqlite3 shell (default: DIR/bin/sqlite3 with --sqlite, else sqlite3)")
    p.add_argument("--sqlite", dest="sqlite_dir", metavar="DIR",
                   help="the SQLite of the whole run, as scripts/build-sqlite.sh builds it: the "
                        "shell DIR/bin/sqlite3, and DIR/lib first in LD_LIBRARY_PATH for every "
                        "case and --also command (Python's sqlite3 module)")
    p.add_argument("--wrap", default="", metavar='"CMD ARGS"',
                   help="prefix put before sqlite3, e.g. \"valgrind --error-exitcode=99 -q\"")
    p.add_argument("--env", action="append", default=[], metavar="K=V",
                   help="extra environment for every case and --also command (repeatable); "
                        "-K removes K")
    p.add_argument("-j", dest="jobs", type=int, default=1, metavar="N",
                   help="parallel workers, each with its own pair of mocks (default: 1)")
    p.add_argument("--timeout-scale", type=float, default=1.0, metavar="F",
                   help="multiply every timeout by F (e.g. 10 under valgrind)")
    p.add_argument("--also", action="append", default=[], metavar="CMD",
                   help="another test program to run (repeatable); its output must contain a "
                        "line '[name: ]N passed, N failed'")
    p.add_argument("--not-native", action="store_true",
                   help="the extension and shell are not the host's own build (a cross build "
                        "under qemu or Wine): skip the cases marked '-- native-only:'")
    p.add_argument("--not-posix", action="store_true",
                   help="the shell is not a POSIX program (sqlite3.exe under Wine): skip the "
                        "cases marked '-- posix-only:' and say how many")
    p.add_argument("--mock", default=os.path.join(ROOT, "tests", "mock_api.py"),
                   help="mock server script (default: %(default)s)")
    opts = p.parse_args(argv)
    if opts.jobs < 1:
        p.error("-j must be >= 1")
    if opts.timeout_scale <= 0:
        p.error("--timeout-scale must be > 0")
    env = []
    for item in opts.env:
        if item.startswith("-") and ENV_NAME_RE.match(item[1:]):
            env.append((item[1:], None))
        elif "=" in item and ENV_NAME_RE.match(item.split("=", 1)[0]):
            env.append(tuple(item.split("=", 1)))
        else:
            p.error("--env expects K=V or -K, got %r" % item)
    opts.env = env
    try:
        opts.wrap = shlex.split(opts.wrap)
    except ValueError as e:
        p.error("--wrap: %s" % e)
    return opts


def check_setup(opts):
    ext = os.path.abspath(os.path.join(ROOT, opts.ext))
    for suffix in (".so", ".dylib", ".dll"):
        if ext.endswith(suffix):
            ext = ext[:-len(suffix)]
    if not any(os.path.isfile(ext + s) for s in ("", ".so", ".dylib", ".dll")):
        raise SetupError("the extension %s.so does not exist: run `make` first, or pass --ext PATH"
                         % ext)
    opts.ext = ext
    if opts.sqlite_dir:
        lib = os.path.abspath(os.path.join(opts.sqlite_dir, "lib"))
        if not os.path.isfile(os.path.join(lib, "libsqlite3.so.0")):
            raise SetupError("--sqlite %s: no lib/libsqlite3.so.0 there (build it with "
                             "scripts/build-sqlite.sh VERSION)" % opts.sqlite_dir)
        if opts.sqlite3 is None:
            opts.sqlite3 = os.path.abspath(os.path.join(opts.sqlite_dir, "bin", "sqlite3"))
        for name, first in (("LD_LIBRARY_PATH", lib),
                            ("PATH", os.path.abspath(os.path.join(opts.sqlite_dir, "bin")))):
            rest = dict(opts.env).get(name, os.environ.get(name))
            opts.env.append((name, first + (":" + rest if rest else "")))
    if opts.sqlite3 is None:
        opts.sqlite3 = "sqlite3"
    sqlite3 = shutil.which(opts.sqlite3)
    if not sqlite3:
        raise SetupError("sqlite3 shell not found: %s (pass --sqlite3 PATH)" % opts.sqlite3)
    opts.sqlite3 = sqlite3
    if opts.wrap and not shutil.which(opts.wrap[0]):
        raise SetupError("--wrap command not found: %s" % opts.wrap[0])
    stdbuf = shutil.which("stdbuf")
    if stdbuf:
        opts.stdbuf = [stdbuf, "-oL"]
    else:
        print("warning: stdbuf not found; rows and error lines may come out of order",
              file=sys.stderr)
        opts.stdbuf = []
    if not os.path.isfile(opts.mock):
        raise SetupError("mock server not found: %s" % opts.mock)
    opts.sqlite_version = shell_version(opts)
    if opts.sqlite_dir:
        if opts.sqlite_version is None:
            raise SetupError("%s -version printed no version" % opts.sqlite3)
        print("SQLite %s (%s)" % (version_text(opts.sqlite_version), opts.sqlite3), flush=True)


def shell_version(opts):
    """The shell's SQLite version as (major, minor, patch), or None if it cannot be told."""
    env = dict(os.environ)
    for name, val in opts.env:
        if val is None:
            env.pop(name, None)
        else:
            env[name] = val
    try:
        out = subprocess.run(opts.wrap + [opts.sqlite3, "-version"], stdin=subprocess.DEVNULL,
                             capture_output=True, timeout=60 * opts.timeout_scale,
                             env=env).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = VERSION_RE.search(out.decode("utf-8", "replace"))
    return tuple(int(m.group(k)) for k in (1, 2, 3)) if m else None


def select_cases(opts):
    if opts.files:
        paths, lines = [], {}
        for spec in opts.files:
            m = re.match(r"^(.*?):(\d+)$", spec)
            path, line = (m.group(1), int(m.group(2))) if m else (spec, None)
            full = os.path.abspath(path)
            if not os.path.isfile(full):
                full = os.path.join(ROOT, path)
            if not os.path.isfile(full):
                raise SetupError("no such file: %s" % path)
            if full not in paths:
                paths.append(full)
            if line is not None:
                lines.setdefault(full, set()).add(line)
    else:
        paths, lines = sorted(glob.glob(os.path.join(SQL_DIR, "*.sql"))), {}
    cases = []
    for path in paths:
        for c in parse_file(path):
            if path in lines and c.line not in lines[path]:
                continue
            if opts.pattern and opts.pattern.lower() not in (c.path + "\0" + c.title).lower():
                continue
            cases.append(c)
    for path, wanted in lines.items():
        found = {c.line for c in cases if os.path.normpath(os.path.join(ROOT, c.path)) == path}
        for line in sorted(wanted - found):
            if not opts.pattern:
                raise SetupError("%s:%d is not a '-- case:' line"
                                 % (os.path.relpath(path, ROOT), line))
    if not cases and (opts.pattern or opts.files):
        raise SetupError("no case matches the selection")
    return cases


def base_environment(opts):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SETTER_") and k not in PROXY_VARS}
    return env


def run_cases(cases, opts, base_env, workers):
    """Runs the cases on the workers; prints results in case order.
    Returns (passed, failed, skipped)."""
    results = [None] * len(cases)
    todo = queue.Queue()
    for n in range(len(cases)):
        todo.put(n)
    done = threading.Condition()

    def work(worker):
        while not _stopping:
            try:
                n = todo.get_nowait()
            except queue.Empty:
                return
            try:
                worker.ensure_mocks()
                res = run_case(cases[n], worker, opts, base_env)
            except SetupError as e:
                res = Result(cases[n])
                res.fail(str(e))
            except Exception as e:     # a runner bug must not hang the run
                res = Result(cases[n])
                res.fail("runner error: %r" % (e,))
            with done:
                results[n] = res
                done.notify_all()

    threads = [threading.Thread(target=work, args=(w,), daemon=True) for w in workers]
    for t in threads:
        t.start()
    passed = failed = skipped = 0
    nxt = 0
    while nxt < len(cases):
        with done:
            while results[nxt] is None:
                done.wait(0.2)      # short waits keep Ctrl-C responsive
        res = results[nxt]
        report_case(res, opts.verbose)
        if res.skipped:
            skipped += 1
        elif res.ok:
            passed += 1
        else:
            failed += 1
        nxt += 1
    for t in threads:
        t.join()
    return passed, failed, skipped


def main(argv):
    opts = parse_args(argv)
    workers = []
    opts.run_tmp = tempfile.mkdtemp(prefix="setter-tests-")

    def cleanup():
        stop_all_children()
        for w in workers:
            w.stop()
        shutil.rmtree(opts.run_tmp, ignore_errors=True)

    atexit.register(cleanup)

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGINT, signal.default_int_handler)   # even if our parent ignored it
    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGHUP, on_sigterm)

    try:
        check_setup(opts)
        cases = select_cases(opts)
        cross_skipped = [(c, c.posix_only if opts.not_posix and c.posix_only else c.native_only)
                   for c in cases if not c.error and ((opts.not_posix and c.posix_only) or
                                                      (opts.not_native and c.native_only))]
        if cross_skipped:
            cases = [c for c in cases if c not in [s for s, _ in cross_skipped]]
            print("skipped %d case%s (--not-posix, --not-native):" % (
                len(cross_skipped), "" if len(cross_skipped) == 1 else "s"), flush=True)
            for c, why in cross_skipped:
                print("  skip %s %s: %s" % (c.where, c.title, why), flush=True)
            if not cases and not opts.also:
                raise SetupError("every selected case is skipped (--not-posix, --not-native)")
        njobs = max(1, min(opts.jobs, len(cases)))
        for n in range(njobs):
            w = Worker(opts, n)
            workers.append(w)
            w.start()
        base_env = base_environment(opts)
        passed, failed, skipped = run_cases(cases, opts, base_env, workers)
        skipped += len(cross_skipped)
        if opts.also:
            w = workers[0]
            w.ensure_mocks()
            env = dict(base_env)
            env.update({"SETTER_API_KEY": API_KEY,
                        "SETTER_BASE_URL": "http://127.0.0.1:%d" % w.api.port,
                        "TEST_MOCK_PORT": str(w.api.port), "TEST_EVIL_PORT": str(w.evil.port),
                        "TEST_API_KEY": API_KEY, "TEST_EXT": opts.ext, "TEST_ROOT": ROOT,
                        "TEST_SQLITE3": opts.sqlite3,
                        "TEST_TIMEOUT_SCALE": repr(opts.timeout_scale)})
            if opts.sqlite_version:
                env["TEST_SQLITE_VERSION"] = version_text(opts.sqlite_version)
            for name, val in opts.env:
                if val is None:
                    env.pop(name, None)
                else:
                    env[name] = val
            for cmd in opts.also:
                try:
                    w.api.reset()
                    w.evil.reset()
                except (OSError, ValueError, http.client.HTTPException):
                    pass
                p, f, k = run_also(cmd, opts, env)
                passed += p
                failed += f
                skipped += k
        print("tests: %d passed, %d failed%s" % (passed, failed,
                                                  ", %d skipped" % skipped if skipped else ""),
              flush=True)
        return 0 if failed == 0 else 1
    except SetupError as e:
        print("error: %s" % e, file=sys.stderr, flush=True)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr, flush=True)
        return 130
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
