#!/usr/bin/python3
"""
tests/test_sqlite_utils.py - the README's sqlite-utils example, run for real.

    /usr/bin/python3 tests/test_sqlite_utils.py       # standalone: starts its own mock
    /usr/bin/python3 tests/test_sqlite_utils.py -v    # also print a line per passing test

Run by `make test` as an `--also` program of tests/run.py, which passes TEST_MOCK_PORT,
TEST_API_KEY, TEST_EXT, TEST_ROOT, SETTER_API_KEY and SETTER_BASE_URL (tests/README.md).
Without TEST_MOCK_PORT it starts tests/mock_api.py itself and stops it at the end.

It takes the `sqlite-utils query crm.db ...` command from the README's "Examples" section (the
first sh block that holds it) and the JSON block shown after it, runs the command with the
arguments split as a shell would (no shell), in a fresh directory (crm.db is created there),
with `dist/setter.so` replaced by the extension under test (TEST_EXT + ".so"), and checks
that it prints exactly that JSON. It also checks the error case the README describes.
Needs the `sqlite-utils` command (Debian package sqlite-utils; `scripts/install-deps.sh test`).

Output: one `FAIL name` block per failing test, then, last and alone on its line,
`N passed, N failed`. Exit status 0 when nothing failed, else 1. The key is never printed.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

ROOT = os.environ.get("TEST_ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_KEY = "test-key-0123456789abcdef"
README_EXT = "dist/setter.so"

KEY = None
EXT_SO = None


def redact(text):
    return text.replace(KEY, "<API-KEY>") if KEY else text


def start_mock():
    return harness.start_mock(KEY)


stop_mocks = harness.stop_mocks


def setup_environment():
    global KEY, EXT_SO
    EXT_SO = (os.environ.get("TEST_EXT") or os.path.join(ROOT, "dist", "setter")) + ".so"
    if os.environ.get("TEST_MOCK_PORT"):
        KEY = os.environ.get("TEST_API_KEY") or DEFAULT_KEY
        port = int(os.environ["TEST_MOCK_PORT"])
    else:
        KEY = DEFAULT_KEY
        for name in list(os.environ):
            if name.startswith("SETTER_") or name.lower().endswith("_proxy"):
                del os.environ[name]
        port = start_mock()
    os.environ["SETTER_API_KEY"] = KEY
    os.environ["SETTER_BASE_URL"] = "http://127.0.0.1:%d" % port


def readme_example():
    """(argv, expected JSON text) of the sqlite-utils example in README.md."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    blocks = re.findall(r"^```(\w*)\n(.*?)^```", text, re.S | re.M)
    for index, (lang, body) in enumerate(blocks):
        if lang != "sh" or "sqlite-utils query crm.db" not in body or "sqlite_setter" in body:
            continue
        command = [line for line in body.splitlines() if line.startswith("sqlite-utils query")]
        if len(command) != 1 or index + 1 >= len(blocks) or blocks[index + 1][0] != "json":
            raise AssertionError("README: the sqlite-utils block must hold one command line "
                                 "and be followed by a json block")
        return shlex.split(command[0]), blocks[index + 1][1]
    raise AssertionError("README.md has no sh block with `sqlite-utils query crm.db`")


def run_sqlite_utils(argv, env):
    argv = [EXT_SO if a == README_EXT else
            a.replace("=" + README_EXT, "=" + EXT_SO) for a in argv]
    with tempfile.TemporaryDirectory(prefix="setter-sqlite-utils-") as tmp:
        return subprocess.run(argv, cwd=tmp, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=60)


# ---- the tests -----------------------------------------------------------------------------

def test_readme_command_prints_the_readme_json():
    argv, expected = readme_example()
    assert argv[:3] == ["sqlite-utils", "query", "crm.db"], argv
    assert "--load-extension=" + README_EXT in argv, argv
    proc = run_sqlite_utils(argv, dict(os.environ))
    assert proc.returncode == 0, "exit %d: %s" % (proc.returncode, proc.stderr)
    assert json.loads(proc.stdout) == json.loads(expected), proc.stdout
    # The shown text is what it prints, line for line.
    assert proc.stdout.strip() == expected.strip(), proc.stdout


def test_readme_command_without_key_fails_with_the_extension_message():
    argv, _ = readme_example()
    env = dict(os.environ)
    del env["SETTER_API_KEY"]
    proc = run_sqlite_utils(argv, env)
    assert proc.returncode == 1, "exit %d" % proc.returncode
    assert proc.stdout == "", proc.stdout
    assert proc.stderr.startswith("Error: setter_conversations: no API key"), proc.stderr


def test_setter_phone_works_through_sqlite_utils():
    argv, _ = readme_example()
    sql = "SELECT setter_phone('+1 (555) 010-0001') AS number"
    argv = argv[:3] + [sql] + [a for a in argv[4:] if a.startswith("--load-extension")]
    proc = run_sqlite_utils(argv, dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [{"number": "15550100001"}], proc.stdout


TESTS = [test_readme_command_prints_the_readme_json,
         test_readme_command_without_key_fails_with_the_extension_message,
         test_setter_phone_works_through_sqlite_utils]


def main(argv):
    verbose = "-v" in argv
    passed = failed = 0
    if shutil.which("sqlite-utils") is None:
        print("FAIL setup: no sqlite-utils command (install the Debian package sqlite-utils: "
              "sh scripts/install-deps.sh test)")
        print("0 passed, 1 failed")
        return 1
    try:
        setup_environment()
        for test in TESTS:
            try:
                test()
            except Exception as e:  # noqa: BLE001 - every failure is reported the same way
                failed += 1
                print("FAIL %s\n    %s: %s" % (test.__name__, type(e).__name__,
                                                redact(str(e))))
            else:
                passed += 1
                if verbose:
                    print("ok   %s" % test.__name__)
    finally:
        stop_mocks()
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
