#!/usr/bin/python3
"""
tests/test_fork.py - the extension and its process: fork(), the libcurl check at load, and
response bodies allocated through SQLite.

    /usr/bin/python3 tests/test_fork.py [-v] [-k PATTERN]

Run by `make test` as an `--also` program of tests/run.py (like tests/test_python.py, whose
mock handling, connect() and runner it reuses: standalone it starts its own mocks). It also
starts one mock of its own with --latency-ms, so a request is still in flight when a process is
killed.

What it proves:
  - fork(): after a connection has made requests (so libcurl keeps a connection alive), a
    forked child and its parent querying different contacts at the same time never get each
    other's answers (the `echo...` fixture names the contact in every answer), and a child
    killed in the middle of a request does not hand its answer to the parent's next query;
    the parent keeps working after its child closed the inherited connection; over https with
    HTTP/2 (nghttpx in front of a mock, the setup of tests/test_http2.py), a child that queries
    and closes its connection leaves the parent's TLS connection alone: the parent's next query
    still comes from the same client port.  (A child that only closes its copy did not disturb
    the parent even before the fix, with libcurl 7.88 and nghttpx, so no test claims that.)
  - the libcurl check at load: an LD_PRELOAD shim (built here with cc) makes curl_version_info
    report an old libcurl or one without a needed feature; `.load` then fails with one clear
    message naming what is needed and what was found.
  - libcurl's multi interface failing in the middle of an IN list (a shim makes
    curl_multi_poll, curl_multi_perform or curl_multi_add_handle return CURLM_OUT_OF_MEMORY once
    lookup 0 got its answer): the statement fails with `libcurl multi interface failed (CALL):
    Out of memory`, naming no contact, with no rows, also with on_error 'row'; lookup 0 stays
    logged as answered, and with cache_ttl a rerun takes its answer from the cache.
  - response bodies come from SQLite's allocator: under `PRAGMA hard_heap_limit` a body that
    does not fit is SQLITE_NOMEM ("out of memory"), not a transport error and not rows; a
    body read as it arrives need not fit, with or without white space before its object.

Output: one `FAIL name` block per failing test, then `N passed, N failed` alone on the last line.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_python as base  # noqa: E402  (mocks, connect(), runner)
from harness import SQLITE3  # noqa: E402  (the run's sqlite3 shell)

LATENCY_MS = 400
SLOW_PORT = None   # a mock with --latency-ms LATENCY_MS, started in main()


def echo_contents(conn, contacts):
    """{contact: content} of one query over the echo fixture of bot 123."""
    marks = ",".join("?" * len(contacts))
    rows = conn.execute(
        "SELECT user_number, content FROM setter_conversations"
        " WHERE bot_integration_id = 123 AND user_number IN (%s)" % marks, contacts).fetchall()
    return dict(rows)


def query_loop(conn, who, count):
    """Runs `count` queries of fresh echo contacts; returns a list of problems (text)."""
    problems = []
    for i in range(count):
        contact = "echo-%s-%d" % (who, i)
        try:
            got = echo_contents(conn, [contact])
        except sqlite3.Error as e:
            problems.append("%s: error %s" % (contact, e))
            continue
        if got != {contact: contact}:
            problems.append("%s: answer labelled %r" % (contact, got))
    return problems


def fork_child(body):
    """Forks; the child runs body() -> list of problems, writes them to a pipe and _exits.
    Returns (pid, read end)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        code = 0
        try:
            problems = body()
            os.write(w, ("\n".join(problems)).encode("utf-8", "replace"))
        except BaseException as e:  # anything at all: report it, never return into unittest
            os.write(w, ("child raised %r" % e).encode("utf-8", "replace"))
            code = 1
        finally:
            os.close(w)
            os._exit(code)
    os.close(w)
    return pid, r


def read_all(fd):
    chunks = []
    while True:
        b = os.read(fd, 65536)
        if not b:
            break
        chunks.append(b)
    os.close(fd)
    return b"".join(chunks).decode("utf-8", "replace")


class ForkTest(unittest.TestCase):
    def setUp(self):
        base.mock_reset()

    def connect(self, port):
        conn = base.connect()
        conn.execute("SELECT setter_config('base_url', ?)", ("http://127.0.0.1:%d" % port,))
        conn.execute("SELECT setter_config('timeout_ms', 3000)")
        conn.execute("SELECT setter_config('max_retries', 0)")
        return conn

    def test_parent_and_child_querying_at_once_never_get_each_others_answers(self):
        for rnd in range(3):
            conn = self.connect(base.PORT)
            # Used before the fork: libcurl keeps this connection alive.
            self.assertEqual(echo_contents(conn, ["echo-warm"]), {"echo-warm": "echo-warm"})

            def child():
                problems = query_loop(conn, "child%d" % rnd, 60)
                conn.close()  # must not disturb the parent's connection
                return problems

            pid, fd = fork_child(child)
            problems = query_loop(conn, "parent%d" % rnd, 60)
            child_report = read_all(fd)
            _, status = os.waitpid(pid, 0)
            # The parent keeps working after the child closed its copy of the connection.
            problems += query_loop(conn, "after%d" % rnd, 5)
            conn.close()
            self.assertEqual(status, 0, "child: %s" % child_report)
            self.assertEqual(problems, [], "parent's answers")
            self.assertEqual(child_report, "", "child's answers")

    def test_child_killed_in_the_middle_of_a_request_does_not_answer_the_parents_query(self):
        conn = self.connect(SLOW_PORT)
        self.assertEqual(echo_contents(conn, ["echo-warm"]), {"echo-warm": "echo-warm"})
        problems = []
        for i in range(3):
            contact = "echo-victim-%d" % i
            n0 = base.harness.mock(SLOW_PORT, "/__mock/stats")["requests"]
            pid, fd = fork_child(lambda: query_loop(conn, "killed%d" % i, 1))
            # the mock says when the child's request is in flight (an event, not a sleep)
            base.harness.wait_for_request(SLOW_PORT, n0 + 1, in_flight=1)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(fd)
            try:
                got = echo_contents(conn, [contact])
                if got != {contact: contact}:
                    problems.append("%s: answer labelled %r" % (contact, got))
            except sqlite3.Error as e:
                problems.append("%s: error %s" % (contact, e))
        conn.close()
        self.assertEqual(problems, [])


class ForkOverHttp2Test(unittest.TestCase):
    """The parent's HTTP/2 + TLS connection survives what a child does with its copy."""

    @classmethod
    def setUpClass(cls):
        import test_http2 as h2
        cls.h2 = h2
        cls.tmp = tempfile.mkdtemp(prefix="setter-forkh2-")
        cls.mock_proc = cls.proxy = None
        missing = [t for t in ("openssl", "nghttpx") if h2.find_tool(t) is None]
        if missing:
            raise RuntimeError("missing %s (Debian packages openssl, nghttp2-proxy)" % missing)
        key, cls.crt = h2.make_cert(cls.tmp)
        cls.mock_proc, mock_port = h2.start_mock(cls.tmp)
        cls.proxy, port = h2.start_nghttpx(mock_port, key, cls.crt, cls.tmp)
        cls.base_url = "https://127.0.0.1:%d" % port
        cls.accesslog = os.path.join(cls.tmp, "nghttpx-access.log")

    @classmethod
    def tearDownClass(cls):
        cls.h2.stop(cls.proxy)
        cls.h2.stop(cls.mock_proc)
        import shutil
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def client_port_of(self, contact):
        for port, _, _, request in reversed(self.h2.read_accesslog(self.accesslog, 1)):
            if "userNumber=" + contact in request:
                return port
        return None

    def check_child(self, child_body):
        db = self.h2.connect(self.base_url, self.crt)
        tag = "%s-%d" % (child_body.__name__, os.getpid())
        self.assertEqual(echo_contents(db, ["echo-a" + tag]), {"echo-a" + tag: "echo-a" + tag})
        pid, fd = fork_child(lambda: child_body(db, tag))
        report = read_all(fd)
        _, status = os.waitpid(pid, 0)
        self.assertEqual((status, report), (0, ""))
        got = echo_contents(db, ["echo-b" + tag])
        db.close()
        self.assertEqual(got, {"echo-b" + tag: "echo-b" + tag})
        time.sleep(0.2)  # nghttpx writes its access log after the response
        first, second = self.client_port_of("echo-a" + tag), self.client_port_of("echo-b" + tag)
        self.assertIsNotNone(first)
        self.assertEqual(second, first, "the parent had to open a new connection")

    def test_child_querying_over_https_leaves_the_parents_http2_connection_alone(self):
        def query_then_close(db, tag):
            problems = query_loop(db, "child" + tag, 3)
            db.close()
            return problems
        self.check_child(query_then_close)


SHIM_C = r"""
#define _GNU_SOURCE
#include <curl/curl.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
/* curl_version_info as the real one, altered by SHIM_MODE: old | no-async | no-threadsafe */
curl_version_info_data *curl_version_info(CURLversion v) {
  static curl_version_info_data copy;
  curl_version_info_data *(*real)(CURLversion) =
      (curl_version_info_data * (*)(CURLversion)) dlsym(RTLD_NEXT, "curl_version_info");
  const char *mode = getenv("SHIM_MODE");
  memcpy(&copy, real(v), sizeof copy);
  if (mode && strcmp(mode, "old") == 0) {
    copy.version = "7.74.0";
    copy.version_num = 0x074a00;
  } else if (mode && strcmp(mode, "no-async") == 0) {
    copy.features &= ~CURL_VERSION_ASYNCHDNS;
  } else if (mode && strcmp(mode, "no-threadsafe") == 0) {
    copy.features &= ~CURL_VERSION_THREADSAFE;
  }
  return &copy;
}
"""


class ShimTest(unittest.TestCase):
    """A base: builds SHIM (C source) into an LD_PRELOAD library, self.shim, for its tests."""
    SHIM = None
    shim = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="setter-shim-")
        src = os.path.join(cls.tmp, "shim.c")
        with open(src, "w") as f:
            f.write(cls.SHIM)
        cls.shim = os.path.join(cls.tmp, "shim.so")
        subprocess.run(["cc", "-shared", "-fPIC", "-o", cls.shim, src, "-ldl"], check=True)

    @classmethod
    def tearDownClass(cls):
        for name in os.listdir(cls.tmp):
            os.unlink(os.path.join(cls.tmp, name))
        os.rmdir(cls.tmp)

    def preload(self):
        # After any preload already there (a sanitizer runtime must stay first).
        return (os.environ.get("LD_PRELOAD", "") + " " + self.shim).strip()


class LibcurlCheckTest(ShimTest):
    SHIM = SHIM_C

    def load(self, mode):
        env = dict(os.environ, LD_PRELOAD=self.preload(), SHIM_MODE=mode)
        p = subprocess.run([SQLITE3, "-batch", "-init", "/dev/null", ":memory:"],
                           input=".load %s\nSELECT setter_version() IS NOT NULL;\n" % base.EXT,
                           env=env, capture_output=True, text=True, timeout=30)
        return p.stdout + p.stderr

    def test_loads_with_the_real_libcurl(self):
        self.assertEqual(self.load("none").strip(), "1")

    def test_old_libcurl_is_refused_at_load_with_its_version(self):
        out = self.load("old")
        self.assertIn("setter: needs libcurl 7.85 or newer with", out)
        self.assertIn("this is 7.74.0", out)
        self.assertNotIn("\n1", "\n" + out)

    def test_libcurl_without_async_resolver_is_refused_at_load(self):
        out = self.load("no-async")
        self.assertIn("setter: needs libcurl 7.85 or newer with", out)
        self.assertIn("asynchronous DNS", out)
        self.assertNotIn("\n1", "\n" + out)

    def test_libcurl_without_thread_safe_init_is_refused_at_load(self):
        out = self.load("no-threadsafe")
        self.assertIn("setter: needs libcurl 7.85 or newer with", out)
        self.assertIn("thread-safe", out)
        self.assertNotIn("\n1", "\n" + out)


VERSION_SHIM_C = r"""
/* Preloaded before libsqlite3: the SQLite that loads the extension says it is 3.34.0, one
** release older than the oldest it accepts (ext/compat.h). */
int sqlite3_libversion_number(void) { return 3034000; }
const char *sqlite3_libversion(void) { return "3.34.0"; }
"""

LOAD_PY = r"""
import sqlite3, sys
db = sqlite3.connect(":memory:")
db.enable_load_extension(True)
try:
    db.load_extension(sys.argv[1])
    print("loaded")
except sqlite3.Error as e:
    print(e)
"""


class SqliteVersionCheckTest(unittest.TestCase):
    """The load check: an SQLite older than 3.34.1 is refused, naming its version."""

    def test_sqlite_older_than_the_minimum_is_refused_at_load_with_its_version(self):
        tmp = tempfile.mkdtemp(prefix="setter-vshim-")
        try:
            src, shim = os.path.join(tmp, "vshim.c"), os.path.join(tmp, "vshim.so")
            with open(src, "w") as f:
                f.write(VERSION_SHIM_C)
            subprocess.run(["cc", "-shared", "-fPIC", "-o", shim, src], check=True)
            preload = (os.environ.get("LD_PRELOAD", "") + " " + shim).strip()
            out = [subprocess.run([sys.executable, "-c", LOAD_PY, base.EXT], env=env,
                                  capture_output=True, text=True, timeout=30).stdout.strip()
                   for env in (dict(os.environ, LD_PRELOAD=preload), dict(os.environ))]
            self.assertRegex(out[0], r"^(error during initialization: )?"
                                     r"setter: needs SQLite 3\.34\.1 or newer, this is 3\.34\.0$")
            self.assertEqual(out[1], "loaded")   # the same program without the shim
        finally:
            for name in os.listdir(tmp):
                os.unlink(os.path.join(tmp, name))
            os.rmdir(tmp)


class BodyMemoryTest(unittest.TestCase):
    def shell(self, sql):
        p = subprocess.run([SQLITE3, "-batch", "-init", "/dev/null", ":memory:"],
                           input=".load %s\n%s" % (base.EXT, sql), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=60)
        return p.stdout

    def test_body_over_the_hard_heap_limit_is_out_of_memory(self):
        out = self.shell("PRAGMA hard_heap_limit = 8000000;\n"
                         "SELECT count(*) FROM setter_conversations(9, 'big-20000000');\n"
                         "SELECT count(*) FROM setter_conversations(9, 'big-2000');\n")
        lines = out.strip().splitlines()
        self.assertEqual(lines[0], "8000000")
        self.assertRegex(lines[1], r"^(Runtime error|Error).*: out of memory( \(7\))?$")
        self.assertEqual(lines[2:], ["1"])  # a body that fits still works

    def test_a_content_length_is_not_trusted_for_memory(self):
        # a 500 whose Content-Length announces 100 MB sends a short error and closes: the
        # buffer grows with what arrives, so the error is the broken connection, not memory
        out = self.shell("PRAGMA hard_heap_limit = 8000000;\n"
                         "SELECT setter_config('max_retries', 0);\n"
                         "SELECT count(*) FROM setter_conversations(9, 'error-claims-big');\n")
        lines = out.strip().splitlines()
        self.assertEqual(lines[:2], ["8000000", "0"])
        self.assertRegex(lines[2], r"^(Runtime error|Error).*user_number 'error-claims-big' "
                                   r"failed: connection closed before the whole response arrived")

    def test_a_body_read_as_it_arrives_need_not_fit(self):
        # 9 MB bodies of 3,000,000 empty messages, read while they arrive: only the part not
        # read yet is held, whether or not white space comes before the object
        out = self.shell("PRAGMA hard_heap_limit = 8000000;\n"
                         "SELECT count(*) FROM setter_conversations(9, 'empty-3000000');\n"
                         "SELECT count(*) FROM setter_conversations(9, 'spaced-empty-3000000');\n")
        self.assertEqual(out.strip().splitlines(), ["8000000", "3000000", "3000000"])


MULTI_SHIM_C = r"""
#define _GNU_SOURCE
#include <curl/curl.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
/* libcurl's multi interface failing in the middle of a batch.  SHIM_MULTI_FAIL unset: libcurl
** as it is.  SHIM_MULTI_FAIL=WHICH:RUN (WHICH poll, perform, add_handle or easy_init, RUN any
** label): once a finished transfer has been read with curl_multi_info_read since RUN was set,
** every call of curl_multi_WHICH fails with CURLM_OUT_OF_MEMORY (easy_init: curl_easy_init
** returns NULL, as it does without memory).  A new RUN starts the count again. */
static int nDone;
static char zRun[256];

static int failing(const char *zWhich) {
  const char *zMode = getenv("SHIM_MULTI_FAIL");
  size_t n = strlen(zWhich);
  if (zMode == NULL || strncmp(zMode, zWhich, n) != 0 || zMode[n] != ':') return 0;
  return nDone > 0 && strcmp(zRun, zMode) == 0;
}

CURLMsg *curl_multi_info_read(CURLM *m, int *pnLeft) {
  CURLMsg *(*real)(CURLM *, int *) =
      (CURLMsg * (*)(CURLM *, int *)) dlsym(RTLD_NEXT, "curl_multi_info_read");
  const char *zMode = getenv("SHIM_MULTI_FAIL");
  CURLMsg *pMsg = real(m, pnLeft);
  if (zMode && strcmp(zRun, zMode) != 0) {
    strncpy(zRun, zMode, sizeof zRun - 1);
    nDone = 0;
  }
  if (zMode && pMsg && pMsg->msg == CURLMSG_DONE) nDone++;
  return pMsg;
}

CURLMcode curl_multi_perform(CURLM *m, int *pnRunning) {
  CURLMcode (*real)(CURLM *, int *) =
      (CURLMcode(*)(CURLM *, int *))dlsym(RTLD_NEXT, "curl_multi_perform");
  return failing("perform") ? CURLM_OUT_OF_MEMORY : real(m, pnRunning);
}

CURLMcode curl_multi_add_handle(CURLM *m, CURL *e) {
  CURLMcode (*real)(CURLM *, CURL *) =
      (CURLMcode(*)(CURLM *, CURL *))dlsym(RTLD_NEXT, "curl_multi_add_handle");
  return failing("add_handle") ? CURLM_OUT_OF_MEMORY : real(m, e);
}

CURL *curl_easy_init(void) {
  CURL *(*real)(void) = (CURL * (*)(void)) dlsym(RTLD_NEXT, "curl_easy_init");
  return failing("easy_init") ? NULL : real();
}

CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd *aFd, unsigned int nFd, int ms, int *pn) {
  CURLMcode (*real)(CURLM *, struct curl_waitfd *, unsigned int, int, int *) =
      (CURLMcode(*)(CURLM *, struct curl_waitfd *, unsigned int, int, int *))dlsym(
          RTLD_NEXT, "curl_multi_poll");
  return failing("poll") ? CURLM_OUT_OF_MEMORY : real(m, aFd, nFd, ms, pn);
}
"""

MULTI_PY = r"""
import json, os, sqlite3, sys
ext, which, tag, on_error, concurrency = sys.argv[1:6]
fast, slow = "counter-" + tag, "stall"   # lookup 0 sorts first and answers at once
db = sqlite3.connect(":memory:")
db.enable_load_extension(True)
db.load_extension(ext)
for name, value in (("cache_ttl", 600), ("max_retries", 0), ("timeout_ms", 60000),
                    ("on_error", on_error), ("concurrency", int(concurrency))):
    db.execute("SELECT setter_config(?, ?)", (name, value))
out = {}
os.environ["SHIM_MULTI_FAIL"] = which + ":" + tag
try:
    out["rows"] = db.execute(
        "SELECT user_number, content, lookup_error FROM setter_conversations"
        " WHERE bot_integration_id = 9 AND user_number IN (?, ?)", (fast, slow)).fetchall()
except sqlite3.Error as e:
    out["error"] = str(e)
except MemoryError:     # how Python's sqlite3 module raises SQLITE_NOMEM
    out["error"] = "MemoryError"
del os.environ["SHIM_MULTI_FAIL"]
out["log"] = db.execute("SELECT user_number, status, cached, error FROM setter_requests"
                        " ORDER BY id").fetchall()
# libcurl works again: lookup 0's answer comes from the cache, not from a new request
out["rerun"] = db.execute("SELECT content FROM setter_conversations(9, ?)", (fast,)).fetchall()
out["rerun_log"] = db.execute("SELECT user_number, cached FROM setter_requests"
                              " ORDER BY id DESC LIMIT 1").fetchall()
print(json.dumps(out))
"""

SERIAL_IN = base.harness.needs_sqlite((3, 38, 0), "an IN list reaches the table whole")


class MultiFailureTest(ShimTest):
    """libcurl's multi interface failing after lookup 0 got its answer (an LD_PRELOAD shim makes
    curl_multi_poll, _perform or _add_handle return CURLM_OUT_OF_MEMORY): the statement fails with
    one error that blames no lookup, whatever on_error says, and lookup 0's answer stays good."""
    SHIM = MULTI_SHIM_C

    def run_child(self, which, on_error, concurrency):
        tag = "%s-%s-%d" % (which, on_error, os.getpid())
        p = subprocess.run([sys.executable, "-c", MULTI_PY, base.EXT, which, tag, on_error,
                            str(concurrency)],
                           env=dict(os.environ, LD_PRELOAD=self.preload()), capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, base.redact(p.stdout + p.stderr))
        self.assertNotIn(base.KEY, p.stdout + p.stderr)
        return tag, json.loads(p.stdout)

    def check(self, which, on_error, concurrency=8):
        tag, out = self.run_child(which, on_error, concurrency)
        fast = "counter-" + tag
        self.assertNotIn("rows", out, "no rows, not even lookup 0's")
        self.assertRegex(out.get("error", ""), r"^setter_conversations: libcurl multi interface "
                         r"failed \(curl_multi_%s\): Out of memory$" % which)
        # lookup 0 got its answer and is logged so; a transfer still running was cancelled
        self.assertEqual(out["log"][0], [fast, 200, 0, None])
        if concurrency > 1:
            self.assertEqual([r[0] for r in out["log"]], [fast, "stall"])
            self.assertIn("libcurl multi interface failed", out["log"][1][3] or "")
        else:
            self.assertEqual(len(out["log"]), 1, "lookup 1 never started")
        # the rerun asks for nothing: lookup 0's first answer was kept (cache_ttl)
        self.assertEqual(out["rerun"], [["answer 1"]])
        self.assertEqual(out["rerun_log"], [[fast, 1]])

    @unittest.skipIf(SERIAL_IN, SERIAL_IN)
    def test_multi_poll_failing_after_lookup_0_answered_fails_the_statement_blaming_no_lookup(self):
        self.check("poll", "fail")

    @unittest.skipIf(SERIAL_IN, SERIAL_IN)
    def test_multi_perform_failing_after_lookup_0_answered_fails_the_statement_blaming_no_lookup(
            self):
        self.check("perform", "fail")

    @unittest.skipIf(SERIAL_IN, SERIAL_IN)
    def test_multi_failure_with_on_error_row_fails_the_statement_not_one_contact(self):
        self.check("poll", "row")

    @unittest.skipIf(SERIAL_IN, SERIAL_IN)
    def test_multi_add_handle_refusing_lookup_1_fails_the_statement_blaming_no_lookup(self):
        self.check("add_handle", "row", concurrency=1)
        self.check("add_handle", "fail", concurrency=1)

    @unittest.skipIf(SERIAL_IN, SERIAL_IN)
    def test_no_memory_to_start_lookup_1_is_out_of_memory_blaming_no_lookup(self):
        # curl_easy_init fails only for lack of memory: that is no contact's fault, so not a
        # lookup_error row with on_error 'row' but SQLITE_NOMEM, and lookup 0's answer is kept
        for on_error in ("row", "fail"):
            tag, out = self.run_child("easy_init", on_error, 1)
            fast = "counter-" + tag
            self.assertNotIn("rows", out, on_error)
            self.assertEqual(out.get("error"), "MemoryError", on_error)
            self.assertEqual(out["log"], [[fast, 200, 0, None]], "lookup 1 never started")
            self.assertEqual(out["rerun"], [["answer 1"]])
            self.assertEqual(out["rerun_log"], [[fast, 1]], "the rerun asks for nothing")


def main(argv):
    global SLOW_PORT
    try:
        base.setup_environment()
        SLOW_PORT = start_slow_mock()
    except Exception as e:
        print("FAIL setup: %s" % base.redact(str(e)))
        base.stop_mocks()
        print("0 passed, 1 failed")
        return 1
    try:
        return run_module(sys.modules[__name__], argv)
    finally:
        base.stop_mocks()


def run_module(module, argv):
    """test_python's runner over this module's tests: -v, -k PATTERN, `N passed, N failed`."""
    verbose = "-v" in argv
    pattern = argv[argv.index("-k") + 1] if "-k" in argv[:-1] else None
    suite = unittest.defaultTestLoader.loadTestsFromModule(module)

    def keep(s):
        out = unittest.TestSuite()
        for t in s:
            if isinstance(t, unittest.TestSuite):
                out.addTests(keep(t))
            elif pattern is None or pattern.lower() in t.id().lower():
                out.addTest(t)
        return out
    result = base.CountingResult(verbose)
    keep(suite).run(result)
    print(result.counts(), flush=True)
    return 0 if result.failed == 0 else 1


def start_slow_mock(latency_ms=LATENCY_MS):
    """A mock of our own with latency."""
    return base.harness.start_mock(base.KEY, ["--latency-ms", str(latency_ms)])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
