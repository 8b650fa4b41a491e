#!/usr/bin/python3
"""test_makefile.py - what the Makefile promises to someone who builds or packages the extension.

    /usr/bin/python3 tests/test_makefile.py      (make test runs it through tests/run.py --also)

Reads the commands `make -n` would run (nothing is compiled) and runs one real `make install`
into a temporary DESTDIR. What it proves:

  1. a plain `make` does not turn warnings into errors; WERROR=1 and `make test` do;
  2. CPPFLAGS and LDFLAGS reach the compiler and the linker;
  3. libcurl's flags come from pkg-config, and without pkg-config the build links -lcurl;
  4. LIBDIR names the install directory itself (PREFIX=/usr -> /usr/lib: the make install case
     of tests/sql/50_requests_log.sql);
  5. `make sanitize` preloads the ASan runtime of the machine's architecture (not a fixed
     x86_64 name), and that file exists.

The last line is `N passed, N failed`; the exit status is 1 when something failed.
"""
import os
import platform
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check  # noqa: E402
import harness  # noqa: E402

ROOT = harness.ROOT


def make(*args):
    """Runs make in the repository without the settings of a make that runs this test."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "WERROR")}
    return subprocess.run(["make", "--no-print-directory", "-C", ROOT] + list(args),
                          capture_output=True, text=True, timeout=120, env=env)


def build_line(*args):
    """The command that `make` would run to build the extension."""
    out = make("-n", "-B", "dist/setter.so", *args).stdout
    lines = [l for l in out.splitlines() if " -o dist/setter." in l]
    return lines[0] if lines else ""


def test_werror():
    plain = build_line()
    check(plain and "-Wall" in plain and "-Werror" not in plain,
          "a plain make warns without -Werror", plain)
    strict = build_line("WERROR=1")
    check("-Werror" in strict, "make WERROR=1 builds with -Werror", strict)
    out = make("-n", "test").stdout
    check("WERROR=1" in out, "make test builds with WERROR=1", out[:400])


def test_flags():
    line = build_line("CPPFLAGS=-DSETTER_TEST_CPP", "LDFLAGS=-L/setter-test-ld")
    check("-DSETTER_TEST_CPP" in line and "-L/setter-test-ld" in line,
          "CPPFLAGS and LDFLAGS reach the build of the extension", line)


def test_curl_flags():
    if shutil.which("pkg-config"):
        libs = subprocess.run(["pkg-config", "--libs", "libcurl"], capture_output=True,
                              text=True).stdout.split()
        line = build_line()
        check(libs and all(w in line.split() for w in libs),
              "libcurl's flags come from pkg-config", "%r not all in %r" % (libs, line))
    else:
        check(False, "pkg-config is installed (scripts/install-deps.sh build)")
    line = build_line("PKG_CONFIG=false")
    check("-lcurl" in line.split(), "without pkg-config the extension links -lcurl", line)


def test_install():
    # PREFIX=/usr -> DESTDIR/usr/lib is tests/sql/50_requests_log.sql's case, with a .load
    with tempfile.TemporaryDirectory() as d:
        r = make("install", "LIBDIR=/opt/setter", "DESTDIR=" + d)
        found = [os.path.relpath(os.path.join(p, f), d) for p, _, fs in os.walk(d) for f in fs]
        check(r.returncode == 0 and found == ["opt/setter/setter.so"],
              "make install LIBDIR=/opt/setter installs into that directory alone",
              "%r %s" % (found, r.stderr[-300:]))


def test_sanitize_runtime():
    if shutil.which("clang") is None:
        check(False, "clang is installed (scripts/install-deps.sh sanitize)")
        return
    out = make("-n", "sanitize").stdout
    preload = [w for w in out.split() if w.startswith("LD_PRELOAD=")]
    arch = {"i686": "i386", "amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine(),
                                                                       platform.machine())
    path = preload[0].split("=", 1)[1] if preload else ""
    check(os.path.basename(path) == "libclang_rt.asan-%s.so" % arch and os.path.isfile(path),
          "make sanitize preloads the ASan runtime of this machine (%s)" % arch, repr(preload))


def main():
    for test in (test_werror, test_flags, test_curl_flags, test_install, test_sanitize_runtime):
        try:
            test()
        except Exception as e:      # a crash of the test itself counts as one failure
            check(False, "a test ran to the end", "%s: %s" % (type(e).__name__, e))
    return harness.report("makefile")


if __name__ == "__main__":
    sys.exit(main())
