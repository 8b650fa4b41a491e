#!/usr/bin/python3
"""tests/test_sqlite_routines.py - no SQLite routine newer than the oldest supported SQLite is
called outside ext/compat.h.

    /usr/bin/python3 tests/test_sqlite_routines.py [BUILD_SQLITEEXT_H]

The extension calls SQLite through the host's sqlite3_api_routines table; a routine the host
does not have lies past the end of its table (ext/compat.h).  This reads every `sqlite3_x(`
of ext/*.c and ext/*.h but compat.h, keeps those that the build's sqlite3ext.h (default
/usr/include/sqlite3ext.h) routes through the table (`#define sqlite3_x sqlite3_api->x`), and
checks each against the minimum version (SETTER_SQLITE_MIN_TEXT in compat.h) two ways: the
"Version 3.N.M and later" comments of the build's header, and, when
scripts/build-sqlite.sh has built the minimum (build/sqlite-VERSION/include), that version's
own sqlite3ext.h.  Prints `routines: N passed, N failed`.
"""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFINE_RE = re.compile(r"^#define\s+(sqlite3_\w+)\s+sqlite3_api->")
SINCE_RE = re.compile(r"^/\*\s*Version\s+(\d+)\.(\d+)\.(\d+)\s+and later\s*\*/")
CALL_RE = re.compile(r"\b(sqlite3_\w+)\s*\(")


def routines(header):
    """{routine: (major, minor, patch) of the "Version ... and later" group it is in}."""
    out, since = {}, (3, 0, 0)
    with open(header) as f:
        for line in f:
            if line.startswith("#if !defined(SQLITE_CORE)"):
                since = (3, 0, 0)   # the #define list starts again from the first routines
            m = SINCE_RE.match(line.strip())
            if m:
                since = tuple(int(m.group(k)) for k in (1, 2, 3))
            m = DEFINE_RE.match(line)
            if m:
                out[m.group(1)] = since
    return out


def main(argv):
    with open(os.path.join(ROOT, "ext", "compat.h")) as f:
        text = f.read()
    minimum = re.search(r'#define SETTER_SQLITE_MIN_TEXT "([\d.]+)"', text).group(1)
    min_v = tuple(int(x) for x in minimum.split("."))
    new_h = argv[1] if len(argv) > 1 else "/usr/include/sqlite3ext.h"
    old_h = os.path.join(ROOT, "build", "sqlite-" + minimum, "include", "sqlite3ext.h")
    if not os.path.isfile(new_h):
        print("FAIL no %s (the libsqlite3-dev package)" % new_h)
        print("routines: 0 passed, 1 failed")
        return 1
    new = routines(new_h)
    old = routines(old_h) if os.path.isfile(old_h) else None
    used = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "ext", "*.[ch]"))):
        if os.path.basename(path) == "compat.h":
            continue
        with open(path) as f:
            for n, line in enumerate(f, 1):
                for name in CALL_RE.findall(line):
                    if name in new:
                        used.setdefault(name, "%s:%d" % (os.path.relpath(path, ROOT), n))
    passed = failed = 0
    for name in sorted(used):
        if new[name] > min_v or (old is not None and name not in old):
            failed += 1
            print("FAIL %s (%s) is newer than SQLite %s (its table ends before it): call it "
                  "through ext/compat.h, behind sqlite3_libversion_number()"
                  % (name, used[name], minimum))
        else:
            passed += 1
    if not failed:
        print("ok   %d routines called outside compat.h, all in SQLite %s's table (%s%s)"
              % (passed, minimum, new_h, " and " + old_h if old else ""))
    print("routines: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
