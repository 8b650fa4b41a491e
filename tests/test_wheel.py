#!/usr/bin/python3
"""
tests/test_wheel.py - the Python wheel as a user gets it: installed into a fresh venv with
`pip install --no-index`, loaded with sqlite_setter.load(), querying the mock.

    make wheel && /usr/bin/python3 tests/test_wheel.py     # standalone: starts its own mock

Run by `make package-test` as an `--also` program of tests/run.py (TEST_MOCK_PORT,
TEST_API_KEY, TEST_ROOT: tests/README.md); without TEST_MOCK_PORT it starts tests/mock_api.py.
Needs dist/sqlite_setter-VERSION-py3-none-linux_x86_64.whl (`make wheel`) and Debian's
python3-venv. What it checks:
- every wheel in dist/ is named with ext/version.h's version and carries the binary of its tag
  (Linux: needing only libcurl.so.4), and so are the release archives of dist/release, if any;
- in a venv of /usr/bin/python3: the install, load() (extension loading is off again after
  it), the mock's rows, setter_version() == __version__ == the installed distribution's version,
  the extension's errors as sqlite3.OperationalError;
- the README's sqlite-utils command (the sh block with sqlite_setter.loadable_path()), run by
  sh with the venv first on PATH, prints the JSON block shown after it;
- on a Python whose sqlite3 cannot load extensions (pyenv builds, when there is one; otherwise
  a connection object without enable_load_extension), load() raises NotSupportedError naming
  the fix;
- the import-time check: with a library that cannot be loaded in _build.NEEDS, import raises
  ImportError naming it and what to install;
- a load() that fails (a binary that is not there) leaves extension loading disabled.
Output: `ok`/`FAIL` lines, then `wheel: N passed, N failed`. The key is never printed.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

ROOT = harness.ROOT
check = harness.check
DEFAULT_KEY = "test-key-0123456789abcdef"
BINARY_OF_TAG = {"linux_x86_64": "setter.so", "linux_aarch64": "setter.so",
                 "win_amd64": "setter.dll"}


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL, **kw)


def make_venv(python, where):
    proc = run([python, "-m", "venv", where])
    if proc.returncode != 0:
        return None, proc.stderr
    return os.path.join(where, "bin", "python"), ""


# Runs inside the venv: loads the package, queries the mock, prints what it saw as JSON.
LOAD_SCRIPT = r"""
import importlib.metadata, json, os, sqlite3, sys
import sqlite_setter
out = {"path": sqlite_setter.loadable_path(), "version": sqlite_setter.__version__,
       "dist_version": importlib.metadata.version("sqlite-setter")}
conn = sqlite3.connect(":memory:")
sqlite_setter.load(conn)
out["setter_version"] = conn.execute("SELECT setter_version()").fetchone()[0]
out["rows"] = conn.execute(
    "SELECT message_id, sender_type FROM setter_conversations"
    " WHERE bot_integration_id = ? AND user_number = ?", (123, "1234567890")).fetchall()
try:
    conn.execute("SELECT load_extension(?)", (sqlite_setter.loadable_path(),))
    out["loading_after"] = "allowed"
except sqlite3.OperationalError as e:
    out["loading_after"] = str(e)
conn.execute("SELECT setter_config('api_key', 'not-the-key')")
try:
    conn.execute("SELECT * FROM setter_conversations(123, '1234567890')").fetchall()
    out["error"] = None
except sqlite3.Error as e:
    out["error"] = [type(e).__name__, str(e)]
print(json.dumps(out))
"""

NO_LOADING_SCRIPT = r"""
import sqlite3, sys
import sqlite_setter
class Connection:  # what sqlite3.connect() gives on such a Python: no enable_load_extension
    def load_extension(self, path):
        raise AssertionError("load() must not get here")
conn = Connection() if sys.argv[1] == "stand-in" else sqlite3.connect(":memory:")
try:
    sqlite_setter.load(conn)
    print("loaded")
except sqlite3.NotSupportedError as e:
    print(e)
"""


FAILED_LOAD_SCRIPT = r"""
import sqlite3
import sqlite_setter
conn = sqlite3.connect(":memory:")
try:
    sqlite_setter.load(conn)
except sqlite3.Error as e:
    print(type(e).__name__)
try:
    conn.execute("SELECT load_extension('absent')")
except sqlite3.Error as e:
    print(e)
"""


def python_without_loading():
    """A Python 3.7+ on this machine whose sqlite3 cannot load extensions, or None."""
    candidates = [shutil.which("python3")] + sorted(
        glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python3")))
    for python in candidates:
        if not python or os.path.realpath(python) == os.path.realpath("/usr/bin/python3"):
            continue
        proc = run([python, "-c", "import sys, sqlite3; assert sys.version_info >= (3, 7); "
                    "print(hasattr(sqlite3.Connection, 'enable_load_extension'))"])
        if proc.returncode == 0 and proc.stdout.strip() == "False":
            return python
    return None


def readme_sqlite_utils_example():
    """(shell command, expected JSON) of the README block that uses loadable_path()."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        blocks = re.findall(r"^```(\w*)\n(.*?)^```", f.read(), re.S | re.M)
    for index, (lang, body) in enumerate(blocks):
        if lang == "sh" and "sqlite_setter.loadable_path()" in body and "sqlite-utils" in body:
            lines = [l for l in body.replace("\\\n", " ").splitlines()
                     if l.startswith("sqlite-utils ")]
            assert len(lines) == 1 and blocks[index + 1][0] == "json", \
                "README: the block must hold one sqlite-utils command and a json block after it"
            return lines[0], blocks[index + 1][1]
    raise AssertionError("README.md has no sh block with sqlite-utils and loadable_path()")


def main():
    key, env = harness.client_environment(DEFAULT_KEY)
    version = harness.version()

    wheels = sorted(glob.glob(os.path.join(ROOT, "dist", "sqlite_setter-*.whl")))
    check(bool(wheels), "make wheel wrote wheels into dist/", "none in dist/")
    for wheel in wheels:
        name = os.path.basename(wheel)
        match = re.match(r"sqlite_setter-(.+)-py3-none-(\w+)\.whl$", name)
        tag = match.group(2) if match else None
        with zipfile.ZipFile(wheel) as z:
            names = z.namelist()
            build = z.read("sqlite_setter/_build.py").decode() if \
                "sqlite_setter/_build.py" in names else ""
        check(match is not None and match.group(1) == version and tag in BINARY_OF_TAG,
              "%s: named with ext/version.h's version (%s) and a known platform" % (name, version))
        binary = BINARY_OF_TAG.get(tag)
        check(("sqlite_setter/%s" % binary) in names and "VERSION = %r" % version in build,
              "%s carries sqlite_setter/%s and version %s" % (name, binary, version),
              "%s\n%s" % (names, build))
        if tag == "win_amd64":
            check("NEEDS = ()" in build, "%s: the DLL needs no library to be checked" % name,
                  build)
        else:
            check("NEEDS = ('libcurl.so.4',)" in build,
                  "%s: the only library its setter.so needs (and import checks) is libcurl.so.4"
                  % name, build)
    archives = sorted(glob.glob(os.path.join(ROOT, "dist", "release", "sqlite-setter-*")))
    for archive in archives:
        name = os.path.basename(archive)
        check(name.startswith("sqlite-setter-%s-" % version),
              "release archive %s is named with ext/version.h's version" % name)
    if not archives:
        print("     (no release archives in dist/release to compare: make dist)")
    linux = os.path.join(ROOT, "dist", "sqlite_setter-%s-py3-none-linux_x86_64.whl" % version)
    if not os.path.exists(linux):
        check(False, "the linux_x86_64 wheel exists", linux)
        return

    with tempfile.TemporaryDirectory(prefix="setter-wheel-") as tmp:
        python, err = make_venv("/usr/bin/python3", os.path.join(tmp, "venv"))
        check(python is not None, "a fresh venv of /usr/bin/python3", err)
        if python is None:
            return
        proc = run([python, "-m", "pip", "install", "--no-index", "-q", linux])
        check(proc.returncode == 0, "pip install --no-index of the wheel into the venv",
              proc.stdout + proc.stderr)
        proc = run([python, "-c", LOAD_SCRIPT], cwd=tmp, env=env)
        try:
            seen = json.loads(proc.stdout)
        except ValueError:
            check(False, "the venv loads the package and queries the mock",
                  proc.stdout + proc.stderr)
            return
        site = os.path.join(tmp, "venv", "lib")
        check(seen["path"].startswith(site) and seen["path"].endswith("/sqlite_setter/setter.so")
              and os.path.isfile(seen["path"]),
              "loadable_path() is the setter.so installed in the venv", seen["path"])
        check(seen["rows"] == [[789, "user"], [790, "bot"], [791, "bot"]],
              "load(conn) then a query returns the mock's conversation", repr(seen["rows"]))
        check(seen["setter_version"] == seen["version"] == seen["dist_version"] == version,
              "setter_version(), __version__, the installed distribution and ext/version.h "
              "agree (%s)" % version, repr(seen))
        check(seen["loading_after"] == "not authorized",
              "load() leaves extension loading disabled", seen["loading_after"])
        check(seen["error"] is not None and seen["error"][0] == "OperationalError"
              and seen["error"][1].startswith("setter_conversations: HTTP 401"),
              "the extension's errors arrive as sqlite3.OperationalError with its message",
              repr(seen["error"]))

        # sqlite-utils, as the README writes it
        command, expected = readme_sqlite_utils_example()
        uenv = dict(env, PATH=os.path.join(tmp, "venv", "bin") + os.pathsep + env["PATH"])
        work = os.path.join(tmp, "work")
        os.mkdir(work)
        proc = run(["sh", "-c", command], cwd=work, env=uenv)
        ok = proc.returncode == 0
        try:
            ok = ok and json.loads(proc.stdout) == json.loads(expected)
        except ValueError:
            ok = False
        check(ok, "the README's sqlite-utils command with loadable_path() prints its JSON",
              "exit %d\n%s%s" % (proc.returncode, proc.stdout, proc.stderr))

        # A Python that cannot load extensions
        other = python_without_loading()
        if other:
            opython, err = make_venv(other, os.path.join(tmp, "venv-noload"))
            proc = run([opython, "-m", "pip", "install", "--no-index", "-q", linux]) \
                if opython else None
            check(proc is not None and proc.returncode == 0,
                  "the wheel installs into a venv of %s" % other,
                  err if proc is None else proc.stdout + proc.stderr)
            argv = [opython or other, "-c", NO_LOADING_SCRIPT, "real"]
            what = other
        else:
            argv = [python, "-c", NO_LOADING_SCRIPT, "stand-in"]
            what = "a stand-in connection (no Python without extension loading found here)"
        proc = run(argv, cwd=tmp, env=env)
        out = proc.stdout.strip()
        check(proc.returncode == 0 and "cannot load extensions" in out
              and "/usr/bin/python3" in out and "--enable-loadable-sqlite-extensions" in out,
              "load() on a Python whose sqlite3 cannot load extensions names the fix: %s" % what,
              proc.stdout + proc.stderr)

        # The import-time check of the libraries the binary needs
        copy = os.path.join(tmp, "copy")
        installed = os.path.dirname(seen["path"])
        shutil.copytree(installed, os.path.join(copy, "sqlite_setter"))
        with open(os.path.join(copy, "sqlite_setter", "_build.py"), "a", encoding="utf-8") as f:
            f.write("NEEDS = ('libcurl.so.4', 'libsetter-test-absent.so.7')\n")
        proc = run([python, "-c", "import sqlite_setter"], cwd=copy)
        check(proc.returncode == 1 and "ImportError: sqlite_setter needs the system library "
              "libsetter-test-absent.so.7, which cannot be loaded" in proc.stderr
              and "libcurl.so.4" not in proc.stderr.splitlines()[-1],
              "import names the library that cannot be loaded (and only that one)", proc.stderr)
        with open(os.path.join(copy, "sqlite_setter", "_build.py"), "a", encoding="utf-8") as f:
            f.write("NEEDS = ('libcurl.so.4',)\n")
        proc = run([python, "-c", "import sqlite_setter, sys; "
                    "sys.stdout.write(sqlite_setter.__file__)"], cwd=copy)
        check(proc.returncode == 0 and proc.stdout.startswith(copy),
              "the same copy imports when every library loads", proc.stdout + proc.stderr)
        with open(os.path.join(copy, "sqlite_setter", "_build.py"), "a", encoding="utf-8") as f:
            f.write("FILE = 'absent.so'\n")
        proc = run([python, "-c", FAILED_LOAD_SCRIPT], cwd=copy)
        check(proc.returncode == 0 and proc.stdout.splitlines() == [
            "OperationalError", "not authorized"],
              "a load() that fails raises SQLite's error and leaves extension loading disabled",
              proc.stdout + proc.stderr)


if __name__ == "__main__":
    sys.exit(harness.run_main(main, "wheel"))
