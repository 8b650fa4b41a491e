#!/usr/bin/python3
"""
tests/test_node.py - runs tests/node/better_sqlite3_test.js (the README's Node.js section)
when `node` and better-sqlite3 are installed, else prints why it is skipped.

    /usr/bin/python3 tests/test_node.py

Run by `make test` as an `--also` program of tests/run.py. `make test` first runs `make
node-deps`, which installs better-sqlite3 12 into build/node with npm (once; it stays there)
when node 20 or newer and npm are present. better-sqlite3 is looked up in build/node, then
wherever node finds it. Starts a second mock with --latency-ms 500 for the event-loop checks.
Prints the JavaScript test's lines and its closing `node: N passed, N failed`; when skipped,
`node: skipped: REASON` and `node: 0 passed, 0 failed`.
"""

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

ROOT = harness.ROOT
KEY = os.environ.get("TEST_API_KEY") or "test-key-0123456789abcdef"
LOCAL = os.path.join(ROOT, "build", "node", "node_modules", "better-sqlite3")


def skip(reason):
    print("node: skipped: %s" % reason)
    print("node: 0 passed, 0 failed")
    return 0


def main():
    node = shutil.which("node")
    if node is None:
        return skip("no node command")
    module = LOCAL if os.path.isdir(LOCAL) else "better-sqlite3"
    probe = subprocess.run([node, "-e", "require(process.argv[1])", module],
                           capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        return skip("better-sqlite3 is not installed (make node-deps installs it into "
                    "build/node with npm)")
    own = not os.environ.get("TEST_MOCK_PORT")
    try:
        port = harness.start_mock(KEY) if own else int(os.environ["TEST_MOCK_PORT"])
        slow = harness.start_mock(KEY, ["--latency-ms", "500"])
        env = {k: v for k, v in os.environ.items() if not k.startswith("SETTER_")}
        env.update(SETTER_API_KEY=KEY, SETTER_BASE_URL="http://127.0.0.1:%d" % port,
                   SLOW_BASE_URL="http://127.0.0.1:%d" % slow, BETTER_SQLITE3=module,
                   TEST_EXT=os.environ.get("TEST_EXT") or os.path.join(ROOT, "dist", "setter"))
        p = subprocess.run([node, os.path.join(ROOT, "tests", "node", "better_sqlite3_test.js")],
                           env=env, capture_output=True, text=True, timeout=300)
        out = (p.stdout + p.stderr).replace(KEY, "<API-KEY>")
        print(out, end="")
        if "node: " not in p.stdout:
            print("node: 0 passed, 1 failed")
            return 1
        return p.returncode
    finally:
        harness.stop_mocks()


if __name__ == "__main__":
    sys.exit(main())
