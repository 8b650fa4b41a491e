#!/usr/bin/python3
"""test_library.py - the extension as a shared library in a process.

    /usr/bin/python3 tests/run.py --also "/usr/bin/python3 tests/test_library.py COPY"

COPY is a second build of the extension, without suffix, made with another version
(`make unit` builds build/tests/copy/setter.so with SETTER_VERSION "9.9.9-copy"). Uses the
--also environment of tests/run.py: TEST_MOCK_PORT, TEST_API_KEY, TEST_EXT. What it proves:

  1. `nm -D` of the library lists one defined symbol: sqlite3_setter_init;
  2. two builds in one process (SQLite loads extensions with RTLD_GLOBAL), each in its own
     connection, run their own code: each sends its own User-Agent version and reports its
     own setter_version();
  3. loading the second build into a connection that has the first keeps the first's state:
     settings changed with setter_config stay, setter_version() stays, queries still work.

The last line is `N passed, N failed`; the exit status is 1 when something failed.
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check  # noqa: E402
import harness  # noqa: E402

PORT = int(os.environ["TEST_MOCK_PORT"])
KEY = os.environ["TEST_API_KEY"]
EXT = os.environ["TEST_EXT"]


def mock(path, method="GET"):
    return harness.mock(PORT, path, method)


def test_exports():
    nm = shutil.which("nm")
    if nm is None:
        check(False, "nm is installed (binutils)")
        return
    out = subprocess.run([nm, "-D", "--defined-only", EXT + ".so"], capture_output=True,
                         text=True, timeout=30).stdout.split()
    symbols = sorted(word for word in out if not all(c in "0123456789abcdef" for c in word)
                     and len(word) > 1)
    check(symbols == ["sqlite3_setter_init"], "the library exports sqlite3_setter_init alone",
          repr(symbols[:10]))


def user_agents():
    return [e["user_agent"] for e in mock("/__mock/log")]


def test_two_builds_in_one_process(copy):
    mock("/__mock/reset", "POST")
    first, second = harness.connect(EXT), harness.connect(copy)
    v1 = first.execute("SELECT setter_version()").fetchone()[0]
    v2 = second.execute("SELECT setter_version()").fetchone()[0]
    check(v1 != v2 and v2 == "9.9.9-copy", "each connection reports its own build's version",
          "%r %r" % (v1, v2))
    n2 = second.execute("SELECT count(*) FROM setter_conversations(123, '1234567890')").fetchone()[0]
    agents2 = user_agents()
    n1 = first.execute("SELECT count(*) FROM setter_conversations(123, 'bigids')").fetchone()[0]
    agents = user_agents()
    check(n1 == 3 and n2 == 3, "both connections answer", "%r %r" % (n1, n2))
    check(agents2 == ["sqlite-setter/9.9.9-copy"],
          "the second build sends its own User-Agent (its own code, not the first build's)",
          repr(agents2))
    check(agents == ["sqlite-setter/9.9.9-copy", "sqlite-setter/" + v1],
          "the first build sends its own User-Agent", repr(agents))
    first.close()
    second.close()


def test_second_build_into_the_same_connection(copy):
    db = harness.connect(EXT)
    db.execute("SELECT setter_config('timeout_ms', 1234)").fetchall()
    db.load_extension(copy)
    db.load_extension(EXT)
    values = db.execute("SELECT setter_version(), setter_config('timeout_ms'),"
                        " (SELECT source FROM setter_settings WHERE name = 'timeout_ms')").fetchone()
    check(values[1:] == (1234, "setter_config") and values[0] != "9.9.9-copy",
          "loading another build (and this one again) into a connection keeps its settings and "
          "its code", repr(values))
    n = db.execute("SELECT count(*) FROM setter_conversations(123, '1234567890')").fetchone()[0]
    check(n == 3, "queries still work after the second load", repr(n))
    db.close()


def main():
    copy = sys.argv[1] if len(sys.argv) > 1 else None
    tests = [test_exports]
    if copy and os.path.exists(copy + ".so"):
        tests += [lambda: test_two_builds_in_one_process(copy),
                  lambda: test_second_build_into_the_same_connection(copy)]
    else:
        check(False, "the second build exists (make unit builds build/tests/copy/setter.so)",
              repr(copy))
    for test in tests:
        try:
            test()
        except Exception as e:      # a crash of the test itself counts as one failure
            check(False, "a test ran to the end", "%s: %s" % (type(e).__name__, e))
    return harness.report("library")


if __name__ == "__main__":
    sys.exit(main())
