#!/usr/bin/python3
"""
bindings/build.py - the Python wheels and npm packages, built around a finished extension.

    bindings/build.py version                       print the version (from ext/version.h)
    bindings/build.py wheel PLATFORM BINARY OUTDIR  one wheel for PLATFORM into OUTDIR
    bindings/build.py npm PLATFORM BINARY OUTDIR    the npm package of PLATFORM's binary
    bindings/build.py npm main - OUTDIR             the npm package `sqlite-setter`

PLATFORM is one of PLATFORMS below (linux-x64, linux-arm64, windows-x64); BINARY the built
extension for it (dist/setter.so, dist/linux-arm64/setter.so, dist/windows-x64/setter.dll).
Run by `make wheel` and `make npm` (mk/packages.mk), which build the binaries first.

The version of every package is SETTER_VERSION of ext/version.h, the one place it is written:
setter_version() returns it, and this script copies it into the wheel's metadata and
sqlite_setter/_build.py, and into each package.json (also the optionalDependencies pins).

Everything is staged under build/packages/ (a fresh copy per run) and packed from there:
the wheel by setup.py bdist_wheel (Debian's python3-setuptools and python3-wheel, no network),
the npm tarballs by `npm pack`. Output: the path of each file written, one a line.
"""

import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STAGE = os.path.join(ROOT, "build", "packages")

# PLATFORM -> (wheel platform tag, npm os, npm cpu, file name in the packages)
PLATFORMS = {
    "linux-x64": ("linux_x86_64", "linux", "x64", "setter.so"),
    "linux-arm64": ("linux_aarch64", "linux", "arm64", "setter.so"),
    "windows-x64": ("win_amd64", "win32", "x64", "setter.dll"),
}

# Libraries every Linux system has: not worth a check at import time.
BASE_LIBRARIES = re.compile(r"^(libc|libm|libdl|libpthread|librt|ld-linux[-\w.]*)\.so(\.\d+)*$")


def version():
    with open(os.path.join(ROOT, "ext", "version.h"), encoding="utf-8") as f:
        match = re.search(r'^#define SETTER_VERSION "([^"]+)"$', f.read(), re.M)
    if not match:
        sys.exit("build.py: no `#define SETTER_VERSION \"...\"` line in ext/version.h")
    return match.group(1)


def needed_libraries(binary):
    """The shared libraries an ELF file names (DT_NEEDED), less the C library's own."""
    out = subprocess.run(["readelf", "-d", binary], check=True, capture_output=True,
                         text=True).stdout
    names = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)
    return [n for n in names if not BASE_LIBRARIES.match(n)]


def fresh(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def place_binary(binary, dest):
    """Copies the extension into a package, without its debugging sections (a `make` build
    has them: -g)."""
    shutil.copy(binary, dest)
    if subprocess.run(["objdump", "-h", dest], capture_output=True, text=True).stdout.find(
            " .debug_") >= 0:
        subprocess.run(["strip", "--strip-debug", dest], check=True)


def build_wheel(platform, binary, outdir):
    tag, _, _, filename = PLATFORMS[platform]
    stage = fresh(os.path.join(STAGE, "python", platform))
    src = os.path.join(ROOT, "bindings", "python")
    shutil.copy(os.path.join(src, "setup.py"), stage)
    shutil.copy(os.path.join(src, "README.md"), stage)
    package = os.path.join(stage, "sqlite_setter")
    shutil.copytree(os.path.join(src, "sqlite_setter"), package,
                    ignore=shutil.ignore_patterns("__pycache__", "_build.py", "setter.*"))
    place_binary(binary, os.path.join(package, filename))
    needs = needed_libraries(binary) if filename.endswith(".so") else []
    with open(os.path.join(package, "_build.py"), "w", encoding="utf-8") as f:
        f.write('"""Written by bindings/build.py when the wheel was built."""\n'
                "VERSION = %r\nFILE = %r\nNEEDS = %r\n" % (version(), filename, tuple(needs)))
    env = dict(os.environ, SETTER_WHEEL_VERSION=version(), SETTER_WHEEL_FILE=filename)
    before = set(os.listdir(outdir))
    proc = subprocess.run([sys.executable, "setup.py", "-q", "bdist_wheel", "--plat-name", tag,
                           "--dist-dir", os.path.abspath(outdir)], cwd=stage, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:  # its warnings (setup.py install is deprecated...) only then
        sys.exit("build.py: setup.py bdist_wheel failed:\n" + proc.stdout + proc.stderr)
    made = sorted(set(os.listdir(outdir)) - before) or [
        "sqlite_setter-%s-py3-none-%s.whl" % (version(), tag)]
    for name in made:
        print(os.path.join(outdir, name))


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2)
        f.write("\n")


def npm_pack(stage, outdir):
    out = subprocess.run(["npm", "pack", "--silent", "--pack-destination",
                          os.path.abspath(outdir)], cwd=stage, check=True,
                         capture_output=True, text=True).stdout
    print(os.path.join(outdir, out.strip().splitlines()[-1]))


def build_npm_main(outdir):
    stage = fresh(os.path.join(STAGE, "npm", "sqlite-setter"))
    src = os.path.join(ROOT, "bindings", "node", "sqlite-setter")
    with open(os.path.join(src, "package.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    manifest["version"] = version()
    manifest["optionalDependencies"] = {
        "sqlite-setter-" + p: version() for p in PLATFORMS}
    write_json(os.path.join(stage, "package.json"), manifest)
    for name in manifest["files"] + ["README.md"]:
        shutil.copy(os.path.join(src, name), stage)
    npm_pack(stage, outdir)


def build_npm_platform(platform, binary, outdir):
    _, os_name, cpu, filename = PLATFORMS[platform]
    name = "sqlite-setter-" + platform
    stage = fresh(os.path.join(STAGE, "npm", name))
    manifest = {
        "name": name,
        "version": version(),
        "description": "The sqlite-setter SQLite extension built for %s (%s). "
                       "Installed by the package sqlite-setter; use that one." % (platform, filename),
        "os": [os_name],
        "cpu": [cpu],
        "files": [filename],
    }
    if os_name == "linux":
        manifest["libc"] = ["glibc"]
    write_json(os.path.join(stage, "package.json"), manifest)
    place_binary(binary, os.path.join(stage, filename))
    with open(os.path.join(stage, "README.md"), "w", encoding="utf-8") as f:
        f.write("# %s\n\nThe sqlite-setter SQLite extension (`%s`) for %s, version %s.\n"
                "Install the package `sqlite-setter` instead: it depends on this one on %s\n"
                "and finds the file (`getLoadablePath()`, `load(db)`).\n"
                % (name, filename, platform, version(), platform))
    npm_pack(stage, outdir)


def main(argv):
    if argv == ["version"]:
        print(version())
        return 0
    if len(argv) != 4 or argv[0] not in ("wheel", "npm"):
        sys.exit(__doc__)
    kind, platform, binary, outdir = argv
    os.makedirs(outdir, exist_ok=True)
    if kind == "npm" and platform == "main":
        build_npm_main(outdir)
        return 0
    if platform not in PLATFORMS:
        sys.exit("build.py: unknown platform %r (one of %s)" % (platform, ", ".join(PLATFORMS)))
    if not os.path.isfile(binary):
        sys.exit("build.py: %s does not exist (build it first)" % binary)
    if kind == "wheel":
        build_wheel(platform, binary, outdir)
    else:
        build_npm_platform(platform, binary, outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
