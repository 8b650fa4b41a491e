#!/usr/bin/python3
"""check_includes.py - no file of ext/ includes a header of a file above it in the data flow.

    /usr/bin/python3 tests/check_includes.py [EXT_DIR]     (make test runs it through --also)

LAYERS below is the flow, top (the entry point) first; docs/architecture.md explains each
layer. A module is a .c file and its .h (vtab.c + vtab.h). A file may include the header of its
own module and the headers of modules in lower layers only: never one of its own layer or of a
layer above. That keeps the include graph free of circles, and the file list readable top to
bottom. A file of ext/ that is not in LAYERS is an error too (place it when you add it).

Prints `ok   FILE` or `FAIL FILE includes HEADER ...` per file, then `N passed, N failed`; exit
status 1 when something failed.
"""
import os
import re
import sys

LAYERS = [
    ["setter"],                       # entry point: registers everything
    ["vtab", "phone"],                # SQL surface: setter_conversations, setter_phone()
    ["config", "resolve"],            # settings + setter_config/setter_settings; lookups -> rows
    ["lookup", "scope"],              # inputs -> lookups; the statement a cursor serves
    ["requests"],                     # the request log and setter_requests
    ["listtable"],                    # shared methods of the two list tables
    ["connection"],                   # the per-connection state and its lifetime
    ["progress", "cache", "parse"],   # progress line; answer caches; response body -> rows
    ["fetch", "json", "rows"],        # libcurl transfers; JSON reader; rows in memory
    ["sanitize", "timestamp", "guard"],  # safe error text; time; who may change a setting
    ["alloc", "compat", "utf8", "version"],  # allocator, SQLite versions, UTF-8, version string
]

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def main():
    ext = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "ext")
    layer = {m: i for i, mods in enumerate(LAYERS) for m in mods}
    passed = failed = 0
    for name in sorted(os.listdir(ext)):
        if not name.endswith((".c", ".h")):
            continue
        module = name[:-2]
        with open(os.path.join(ext, name), encoding="utf-8") as f:
            headers = INCLUDE_RE.findall(f.read())
        problems = []
        if module not in layer:
            problems.append("is not in LAYERS of tests/check_includes.py")
        for h in headers:
            other = os.path.basename(h)[:-2] if h.endswith(".h") else h
            if other == module:
                continue
            if other not in layer:
                problems.append('includes "%s", which is not in LAYERS' % h)
            elif module in layer and layer[other] <= layer[module]:
                problems.append('includes "%s" (layer %d: %s), not below its own layer %d (%s)'
                                % (h, layer[other], " ".join(LAYERS[layer[other]]),
                                   layer[module], " ".join(LAYERS[layer[module]])))
        if problems:
            failed += 1
            print("FAIL ext/%s %s" % (name, "; ".join(problems)))
        else:
            passed += 1
            print("ok   ext/%s" % name)
    print("includes: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
