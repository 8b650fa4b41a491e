#!/usr/bin/python3
"""
tests/test_npm.py - the npm packages as a user gets them: the README's `npm install` of the
packed tarballs plus better-sqlite3 from the registry, in a fresh directory, then
tests/npm_check.js and the README's worker-thread server against the mock.

    make npm && /usr/bin/python3 tests/test_npm.py     # standalone: starts its own mock

Run by `make package-test` as an `--also` program of tests/run.py (TEST_MOCK_PORT,
TEST_API_KEY, TEST_ROOT: tests/README.md); without TEST_MOCK_PORT it starts tests/mock_api.py.
Needs dist/sqlite-setter-*.tgz (`make npm`), `node` and `npm` (scripts/install-deps.sh node),
and the npm registry for better-sqlite3, which compiles its addon on install (about
2 minutes of CPU). Without `node` or `npm` it prints why and counts nothing (`npm: 0 passed,
0 failed`). What it checks:
- the tarballs are named with ext/version.h's version, and so are the package.json files
  inside them, the main package's optionalDependencies pins and the README's install command;
- getLoadablePath() is the setter.so of sqlite-setter-linux-x64; load(db) with better-sqlite3
  then a query returns the mock's rows; setter_version() is the version; an error of the
  extension arrives as SqliteError with its message; load() of something else is a TypeError;
  the ESM import has both functions; node:sqlite where Node has it (else the reason is shown);
- the README's server: a conversation as JSON, /health answered while a slow lookup runs in
  the worker, an error as status 500 with the extension's message.
Output: `ok`/`FAIL` lines, then `npm: N passed, N failed`. The key is never printed.
"""
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

ROOT = harness.ROOT
check = harness.check
DEFAULT_KEY = "test-key-0123456789abcdef"
PLATFORMS = ("linux-x64", "linux-arm64", "windows-x64")
BINARY = {"linux-x64": "setter.so", "linux-arm64": "setter.so", "windows-x64": "setter.dll"}
SLOW_MS = 1500  # the API latency of the server test's own mock


def run(argv, timeout=900, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, **kw)


def readme_blocks():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        return re.findall(r"^```(\w*)\n(.*?)^```", f.read(), re.S | re.M)


def readme_npm_install():
    """The README's `npm install ./dist/sqlite-setter-...` command, split as a shell would."""
    for lang, body in readme_blocks():
        for line in body.splitlines():
            if lang == "sh" and line.startswith("npm install ./dist/sqlite-setter-"):
                return shlex.split(line)
    raise AssertionError("README.md has no `npm install ./dist/sqlite-setter-...` line")


def readme_server():
    for lang, body in readme_blocks():
        if lang == "js" and body.startswith("// server.js"):
            return body
    raise AssertionError("README.md has no js block starting with `// server.js`")


def manifest_of(tgz):
    with tarfile.open(tgz) as t:
        return json.load(t.extractfile("package/package.json")), t.getnames()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path, timeout=30):
    """(status, body text, seconds) of a GET to the server under test."""
    start = time.monotonic()
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path),
                                    timeout=timeout) as r:
            return r.status, r.read().decode(), time.monotonic() - start
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), time.monotonic() - start


def check_tarballs(version):
    dist = os.path.join(ROOT, "dist")
    main_tgz = os.path.join(dist, "sqlite-setter-%s.tgz" % version)
    check(os.path.isfile(main_tgz), "make npm wrote %s" % os.path.relpath(main_tgz, ROOT))
    if not os.path.isfile(main_tgz):
        return False
    manifest, _ = manifest_of(main_tgz)
    check(manifest["version"] == version and manifest["optionalDependencies"] ==
          {"sqlite-setter-" + p: version for p in PLATFORMS},
          "sqlite-setter's package.json has version %s and pins each platform package to it"
          % version, json.dumps(manifest))
    for platform in PLATFORMS:
        tgz = os.path.join(dist, "sqlite-setter-%s-%s.tgz" % (platform, version))
        if not os.path.isfile(tgz):
            print("     (no %s: its binary is not built by this Makefile)"
                  % os.path.basename(tgz))
            continue
        manifest, names = manifest_of(tgz)
        check(manifest["name"] == "sqlite-setter-" + platform and manifest["version"] == version
              and "package/" + BINARY[platform] in names,
              "%s: version %s, carries %s" % (os.path.basename(tgz), version, BINARY[platform]),
              json.dumps(manifest) + " " + repr(names))
    argv = readme_npm_install()
    named = [a for a in argv if a.startswith("./dist/")]
    check(named == ["./dist/sqlite-setter-%s.tgz" % version,
                    "./dist/sqlite-setter-linux-x64-%s.tgz" % version],
          "the README's npm install names this version's tarballs", " ".join(argv))
    return True


def check_server(project, env, key):
    slow_port = harness.start_mock(key, ["--latency-ms", str(SLOW_MS)])
    with open(os.path.join(project, "server.js"), "w", encoding="utf-8") as f:
        f.write(readme_server())
    port = free_port()
    senv = dict(env, PORT=str(port), SETTER_BASE_URL="http://127.0.0.1:%d" % slow_port)
    server = subprocess.Popen(["node", "server.js"], cwd=project, env=senv,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        up = False
        while time.monotonic() < deadline and server.poll() is None and not up:
            try:
                up = get(port, "/health", timeout=2)[1] == "ok"
            except OSError:
                time.sleep(0.1)
        check(up, "the README's server.js starts and answers /health",
              "" if server.poll() is None else server.stdout.read())
        if not up:
            return
        slow = {}
        thread = threading.Thread(target=lambda: slow.update(
            result=get(port, "/conversation?bot=123&user=1234567890")))
        thread.start()
        time.sleep(0.3)
        health = get(port, "/health")
        pending = thread.is_alive()
        thread.join(60)
        status, body, seconds = slow.get("result", (None, "", 0))
        try:
            ids = [r["message_id"] for r in json.loads(body)]
        except (ValueError, TypeError, KeyError):
            ids = None
        check(status == 200 and ids == [789, 790, 791] and seconds >= SLOW_MS / 1000,
              "server.js: /conversation returns the conversation as JSON (lookup %.2f s)"
              % seconds, "%s %s" % (status, body))
        check(health[:2] == (200, "ok") and health[2] < 0.5 and pending,
              "server.js: /health answers in %.3f s while the lookup (%d ms) runs in the worker"
              % (health[2], SLOW_MS), "%r, lookup still running: %s" % (health, pending))
        status, body, _ = get(port, "/conversation?bot=404&user=1234567890")
        try:
            error = json.loads(body)["error"]
        except (ValueError, TypeError, KeyError):
            error = ""
        check(status == 500 and error.startswith("setter_conversations: HTTP 404 for ")
              and error.endswith("Bot integration not found"),
              "server.js: an error of the extension is status 500 with its message",
              "%s %s" % (status, body))
    finally:
        server.terminate()
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main():
    version = harness.version()
    if shutil.which("node") is None or shutil.which("npm") is None:
        print("SKIP npm: no `node` or `npm` command here, and scripts/install-deps.sh node "
              "could not install Debian's nodejs and npm")
        return
    if not check_tarballs(version):
        return
    # node talks to the mock on 127.0.0.1 without proxy; npm install keeps the environment
    key, env = harness.client_environment(DEFAULT_KEY)

    with tempfile.TemporaryDirectory(prefix="setter-npm-") as tmp:
        project = os.path.join(tmp, "project")
        os.makedirs(os.path.join(project, "dist"))
        for name in os.listdir(os.path.join(ROOT, "dist")):
            if name.startswith("sqlite-setter-") and name.endswith(".tgz"):
                shutil.copy(os.path.join(ROOT, "dist", name), os.path.join(project, "dist"))
        proc = run(["npm", "init", "-y"], cwd=project)
        argv = readme_npm_install() + ["--no-audit", "--no-fund"]
        start = time.monotonic()
        proc = run(argv, cwd=project)
        check(proc.returncode == 0, "the README's npm install in a fresh directory (%.0f s)"
              % (time.monotonic() - start), proc.stdout + proc.stderr)
        if proc.returncode != 0:
            return
        shutil.copy(os.path.join(ROOT, "tests", "npm_check.js"), project)
        proc = run(["node", "npm_check.js"], cwd=project, env=env, timeout=120)
        try:
            seen = json.loads(proc.stdout)
        except ValueError:
            seen = {"crash": proc.stdout + proc.stderr}
        check("crash" not in seen, "npm_check.js ran (%s)" % seen.get("node"),
              seen.get("crash", ""))
        if "crash" in seen:
            return
        installed = os.path.join(project, "node_modules", "sqlite-setter-linux-x64", "setter.so")
        check(seen["path"] == installed and seen["pathExists"],
              "getLoadablePath() is setter.so of the installed sqlite-setter-linux-x64",
              seen["path"])
        check(seen["rows"] == [{"message_id": 789, "sender_type": "user"},
                               {"message_id": 790, "sender_type": "bot"},
                               {"message_id": 791, "sender_type": "bot"}],
              "load(db) with better-sqlite3, then a query returns the mock's conversation",
              json.dumps(seen["rows"]))
        check(seen["version"] == version,
              "setter_version() through the npm package is ext/version.h's %s" % version,
              seen["version"])
        error = seen["error"] or {}
        check(error.get("isSqliteError") and error.get("code") == "SQLITE_ERROR"
              and error.get("message", "").startswith("setter_conversations: HTTP 401"),
              "an error of the extension arrives as SqliteError with its message",
              json.dumps(error))
        check((seen["badArgument"] or "").startswith("TypeError: sqlite-setter: load(db) takes"),
              "load() of something that is not a database is a TypeError saying what it takes",
              str(seen["badArgument"]))
        check(seen["esm"] == {"getLoadablePath": "function", "load": "function"},
              "import('sqlite-setter') has getLoadablePath and load", json.dumps(seen["esm"]))
        nsq = seen["nodeSqlite"]
        if "unavailable" in nsq:
            print("     (node:sqlite not tested: %s)" % nsq["unavailable"])
        else:
            check(nsq.get("rows") == [789, 790, 791],
                  "load(db) with node:sqlite (allowExtension), then a query", json.dumps(nsq))
            check("allowExtension: true" in (nsq.get("withoutAllow") or ""),
                  "node:sqlite without allowExtension: the error says how to open it",
                  json.dumps(nsq))
        check_server(project, env, key)


if __name__ == "__main__":
    sys.exit(harness.run_main(main, "npm"))
