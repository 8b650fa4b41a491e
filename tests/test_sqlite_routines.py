#!/usr/bin/python3
"""tests/test_sqlite_routines.py - no SQLite routine newer than the oldest supported SQLite is
called outside ext/compat.h.

    /usr/bin/python3 tests/test_sqlite_routines.py [MIN_SQLITEEXT_H [BUILD_SQLITEEXT_H]]

The extension calls SQLite through the host's sqlite3_api_routines table; a routine the host
does not have lies past the end of its table (ext/compat.h).  This reads every `sqlite3_x(`
of ext/*.c and ext/*.h but compat.h, keeps those that the build's sqlite3ext.h routes through
the table (`#define sqlite3_x sqlite3_api->x`), and checks each against the sqlite3ext.h of
the minimum version (SETTER_SQLITE_MIN_TEXT in compat.h), as scripts/build-sqlite.sh leaves it
in build/sqlite-VERSION/include.  Prints `routines: N passed, N failed`.
"""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROUTINE_RE = re.compile(r"^#define\s+(sqlite3_\w+)\s+sqlite3_api->", re.M)
CALL_RE = re.compile(r"\b(sqlite3_\w+)\s*\(")


def routines(header):
    with open(header) as f:
        return set(ROUTINE_RE.findall(f.read()))


def main(argv):
    with open(os.path.join(ROOT, "ext", "compat.h")) as f:
        minimum = re.search(r'#define SETTER_SQLITE_MIN_TEXT "([\d.]+)"', f.read()).group(1)
    old_h = argv[1] if len(argv) > 1 else os.path.join(ROOT, "build", "sqlite-" + minimum,
                                                        "include", "sqlite3ext.h")
    new_h = argv[2] if len(argv) > 2 else "/usr/include/sqlite3ext.h"
    passed = failed = 0
    for h in (old_h, new_h):
        if not os.path.isfile(h):
            print("FAIL no %s (build SQLite %s with scripts/build-sqlite.sh %s)"
                  % (h, minimum, minimum))
            print("routines: 0 passed, 1 failed")
            return 1
    old, new = routines(old_h), routines(new_h)
    used = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "ext", "*.[ch]"))):
        if os.path.basename(path) == "compat.h":
            continue
        with open(path) as f:
            for n, line in enumerate(f, 1):
                for name in CALL_RE.findall(line):
                    if name in new:
                        used.setdefault(name, "%s:%d" % (os.path.relpath(path, ROOT), n))
    for name in sorted(used):
        if name in old:
            passed += 1
        else:
            failed += 1
            print("FAIL %s (%s) is not in SQLite %s's routine table: call it through "
                  "ext/compat.h, behind sqlite3_libversion_number()" % (name, used[name], minimum))
    if not failed:
        print("ok   %d routines called outside compat.h, all in SQLite %s's table (%s)"
              % (passed, minimum, old_h))
    print("routines: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
