#!/usr/bin/python3
"""test_cross.py - checks of a cross build that the SQL cases cannot make (make cross-test).

Run by tests/run.py as an --also program (Python 3 standard library only):

    tests/run.py --wrap wine --sqlite3 build/windows/sqlite3.exe --ext dist/windows-x64/setter \\
        --also "/usr/bin/python3 tests/test_cross.py windows wine build/windows/sqlite3.exe"
    tests/run.py --sqlite3 build/linux-arm64/bin/sqlite3 --ext dist/linux-arm64/setter \\
        --also "/usr/bin/python3 tests/test_cross.py linux-arm64 build/linux-arm64/bin/sqlite3"
    tests/run.py --ext dist/linux-x86_64/setter \\
        --also "/usr/bin/python3 tests/test_cross.py linux-x86_64 sqlite3"

The first argument is the platform, the others the command that runs that platform's sqlite3
shell. The extension is TEST_EXT (set by the runner), without its suffix. What it proves:

  1. the library is what the release promises:
     windows: setter.dll imports only Windows' own DLLs (no libcurl, zlib, cJSON, libgcc or
     winpthread DLL to ship) and exports only sqlite3_setter_init (objdump -p);
     linux-arm64, linux-x86_64 (the release build): setter.so is built for that machine, its
     NEEDED entries hold libcurl but no libcjson (cJSON is linked in), and its only exported
     function is sqlite3_setter_init;
  2. HTTPS through that platform's TLS (Schannel under Wine, OpenSSL under qemu): with
     ca_bundle naming the CA of a `localhost` certificate the request succeeds; with another
     CA it is refused and the server receives no request. The certificate names `localhost`
     because Schannel matches DNS names only, not IP addresses. Wine's Schannel does not
     check the default trust store as Windows does, so that case is not tested here.
     Needs the `openssl` command; skipped (and said so) without it.
  3. windows: `.load 'Z:\\...\\setter'` (single quotes, backslashes, no suffix) and
     `.load Z:/.../setter` work, and api_key_file takes a Windows path to a key file with a
     CRLF line end (the mock answers only with the key).

The last line is `cross: N passed, N failed`.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import check  # noqa: E402
import harness  # noqa: E402
from test_security import RecordingHandler, TlsServer  # noqa: E402

EXT = os.environ["TEST_EXT"]

# What a Windows installation has; anything else would have to be shipped next to the DLL.
WINDOWS_DLLS = {"advapi32.dll", "bcrypt.dll", "crypt32.dll", "kernel32.dll", "msvcrt.dll",
                "ws2_32.dll"}


def tool_output(argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=60).stdout


def test_windows_dll():
    dump = tool_output(["x86_64-w64-mingw32-objdump", "-p", EXT + ".dll"])
    imports = {m.lower() for m in re.findall(r"^\s*DLL Name: (\S+)", dump, re.M)}
    check(imports and imports <= WINDOWS_DLLS,
          "setter.dll imports only Windows' own DLLs: %s" % ", ".join(sorted(imports)),
          "unexpected: %s" % ", ".join(sorted(imports - WINDOWS_DLLS)))
    table = dump.split("[Ordinal/Name Pointer] Table", 1)
    exports = re.findall(r"^\s*\[\s*\d+\]\s+(\S+)", table[1], re.M) if len(table) == 2 else []
    check(exports == ["sqlite3_setter_init"], "setter.dll exports only sqlite3_setter_init",
          "exports: %r" % exports[:20])


def windows_path(path):
    """The path as a Windows program names it: Wine maps drive Z: to /."""
    return "Z:" + os.path.abspath(path).replace("/", "\\")


def test_windows_paths(shell):
    tmp = tempfile.mkdtemp(prefix="setter-cross-key-")
    try:
        key_file = os.path.join(tmp, "setter.key")
        with open(key_file, "w") as f:
            f.write(os.environ["TEST_API_KEY"] + "\r\n")
        env = {k: v for k, v in os.environ.items() if k != "SETTER_API_KEY"}
        sql = ("SELECT setter_config('api_key_file', '%s');\n"
               "SELECT count(*) > 0 FROM setter_conversations(123, '1234567890');\n"
               % windows_path(key_file))
        # The shell reads backslashes in an unquoted argument as escapes: single quotes.
        out = run_shell(shell, sql, ext="'%s'" % windows_path(EXT), env=env)
        check(out.splitlines()[1:] == ["1"],
              ".load 'C:\\path\\setter' (single quotes, backslashes, no suffix) and an "
              "api_key_file with a Windows path (CRLF line end) work: the mock, which wants "
              "the key, answered", repr(out[-600:]))
        out = run_shell(shell, "SELECT setter_version() <> '';\n",
                        ext=windows_path(EXT).replace("\\", "/"))
        check(out.splitlines() == ["1"], ".load C:/path/setter (forward slashes) works",
              repr(out[-600:]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_linux_so(machine, prefix):
    header = tool_output([prefix + "readelf", "-h", EXT + ".so"])
    check(re.search(r"Machine:\s+%s" % machine, header) is not None,
          "setter.so is built for %s" % machine, header)
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.*?)\]",
                        tool_output([prefix + "readelf", "-d", EXT + ".so"]))
    check(any(n.startswith("libcurl") for n in needed) and
          not any("cjson" in n.lower() for n in needed),
          "setter.so needs libcurl and not libcjson (cJSON is linked in): %s" % " ".join(needed),
          repr(needed))
    syms = tool_output([prefix + "readelf", "--dyn-syms", "-W", EXT + ".so"])
    exported = sorted({f[7] for f in (l.split() for l in syms.splitlines())
                       if len(f) >= 8 and f[3] == "FUNC" and f[4] in ("GLOBAL", "WEAK")
                       and f[6] != "UND"})
    check(exported == ["sqlite3_setter_init"], "setter.so exports only sqlite3_setter_init",
          repr(exported[:20]))


def run_shell(shell, sql, ext=EXT, env=None):
    script = ".load %s\n%s" % (ext, sql)
    p = subprocess.run(shell + ["-batch", "-init", os.devnull, ":memory:"], input=script,
                       capture_output=True, text=True, timeout=180, env=env)
    return (p.stdout + p.stderr).replace("\r\n", "\n")


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, capture_output=True, timeout=60)


def make_ca(tmp, name):
    key, crt = os.path.join(tmp, name + ".key"), os.path.join(tmp, name + ".crt")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            "/CN=sqlite-setter test CA " + name, "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", key, "-out", crt)
    return key, crt


def make_localhost_cert(tmp, ca_key, ca_crt):
    key, csr, crt = (os.path.join(tmp, "localhost" + s) for s in (".key", ".csr", ".crt"))
    ext = os.path.join(tmp, "ext.cnf")
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n"
                "basicConstraints=CA:FALSE\n")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", key,
            "-out", csr)
    openssl("x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial",
            "-days", "2", "-extfile", ext, "-out", crt)
    return key, crt


def test_tls(shell, label):
    if shutil.which("openssl") is None:
        print("skip TLS checks: no openssl command to make the certificates")
        return
    tmp = tempfile.mkdtemp(prefix="setter-cross-tls-")
    try:
        ca_key, ca_crt = make_ca(tmp, "right")
        _, wrong_crt = make_ca(tmp, "wrong")
        key, crt = make_localhost_cert(tmp, ca_key, ca_crt)
        server = TlsServer(key, crt)
        try:
            setup = ("SELECT setter_config('base_url', 'https://localhost:%d'), "
                     "setter_config('max_retries', 0), setter_config('ca_bundle', '%%s');\n"
                     "SELECT content FROM setter_conversations(123, '1234567890');\n"
                     % server.port)
            RecordingHandler.seen = []
            out = run_shell(shell, setup % ca_crt)
            lines = out.splitlines()
            check(lines[-1:] == ["over tls"] and RecordingHandler.seen == [
                      ("/api/v1/bot-integrations/123/conversations?userNumber=1234567890", True)],
                  "%s: HTTPS to localhost works with ca_bundle naming its CA" % label,
                  "output %r, server saw %r" % (out[-600:], RecordingHandler.seen))
            RecordingHandler.seen = []
            out = run_shell(shell, setup % wrong_crt)
            check("over tls" not in out and "setter_conversations: " in out
                  and not RecordingHandler.seen,
                  "%s: with ca_bundle naming another CA the server is refused and gets no "
                  "request" % label,
                  "output %r, server saw %r" % (out[-600:], RecordingHandler.seen))
        finally:
            server.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("windows", "linux-arm64", "linux-x86_64"):
        print("usage: test_cross.py windows|linux-arm64|linux-x86_64 SHELL-COMMAND...",
              file=sys.stderr)
        return 2
    platform, shell = sys.argv[1], sys.argv[2:]
    tests = [(test_windows_paths, (shell,))] if platform == "windows" else []
    tests += [(test_windows_dll, ()) if platform == "windows" else
             (test_linux_so, ("AArch64", "aarch64-linux-gnu-")) if platform == "linux-arm64" else
             (test_linux_so, ("Advanced Micro Devices X86-64", "")),
             (test_tls, (shell, platform))]
    for test, args in tests:
        try:
            test(*args)
        except Exception as e:      # a crash of the test itself counts as one failure
            check(False, "%s ran to the end" % test.__name__, "%s: %s" % (type(e).__name__, e))
    return harness.report("cross")


if __name__ == "__main__":
    sys.exit(main())
