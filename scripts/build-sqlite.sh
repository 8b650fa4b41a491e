#!/bin/sh
# build-sqlite.sh - build a given SQLite from Debian's source package, for testing against it.
#
#   scripts/build-sqlite.sh VERSION      VERSION: 3.34.1, 3.46.1, ... or "current"
#
# Prints the directory it built (or found built) as its last line of stdout:
#   build/sqlite-VERSION/bin/sqlite3          the shell (SQLite linked in statically)
#   build/sqlite-VERSION/lib/libsqlite3.so.0  the library, for LD_LIBRARY_PATH (Python's
#                                             sqlite3 module, sqlite-utils)
# Run the tests against it with `tests/run.py --sqlite build/sqlite-VERSION`.
#
# The source is the upstream tarball of Debian's `sqlite3` source package (its .orig.tar.xz,
# without Debian's patches), fetched with `apt-get source --download-only` into build/apt/.
# apt runs there with its own sources list and state (deb-src lines for bullseye, bookworm,
# trixie and sid), so the machine's apt configuration is neither needed nor changed, and no
# root is needed.  VERSION is looked up in those suites (bullseye has 3.34.1, bookworm 3.40.1,
# trixie 3.46.1); "current" is the newest that sid carries.  A version already built is reused
# without any network access.
#
# The compile options are those a client program needs from its SQLite: JSON functions
# (built in from 3.38, an option before), sqlite3_serialize (Python's sqlite3 module links
# it; an option before 3.36), extension loading, FTS5, math functions, column metadata.
# Needs: cc, make, tclsh (the `tcl` package: it generates the amalgamation), xz, apt-get.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)

die() { echo "build-sqlite.sh: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: scripts/build-sqlite.sh VERSION|current"
want=$1
case "$want" in
  current) ;;
  [0-9]*.[0-9]*.[0-9]*) ;;
  *) die "VERSION must look like 3.34.1, or be 'current', not '$want'" ;;
esac

built() { [ -x "$1/bin/sqlite3" ] && [ -f "$1/lib/libsqlite3.so.0" ] && [ -f "$1/.built" ]; }

if [ "$want" != current ] && built "build/sqlite-$want"; then
  echo "$root/build/sqlite-$want"
  exit 0
fi

# ---- find the source package ----
APT_DIR=$root/build/apt
mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/src"
cat >"$APT_DIR/sources.list" <<'EOF'
deb-src http://deb.debian.org/debian bullseye main
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian trixie main
deb-src http://deb.debian.org/debian sid main
EOF
apt_opts="-o Dir::Etc::SourceList=$APT_DIR/sources.list -o Dir::Etc::SourceParts=/nonexistent
  -o Dir::State::Lists=$APT_DIR/lists -o Dir::Cache=$APT_DIR/cache
  -o Dir::State::Status=/dev/null -o Debug::NoLocking=1 -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get -qq $apt_opts update >&2 || die "apt-get update (deb-src of bullseye..sid) failed"

# Debian versions of the sqlite3 source package, newest first: "3.46.1-7+deb13u2" ...
# shellcheck disable=SC2086
versions=$(apt-cache $apt_opts showsrc sqlite3 2>/dev/null | sed -n 's/^Version: //p' |
  sort -r -V -u)
[ -n "$versions" ] || die "no sqlite3 source package found in bullseye..sid"
debver=""
for v in $versions; do
  upstream=${v%-*}
  upstream=${upstream#*:}
  if [ "$want" = current ] || [ "$upstream" = "$want" ]; then
    debver=$v
    break
  fi
done
[ -n "$debver" ] || die "SQLite $want is in no suite from bullseye to sid (they have:
$(echo "$versions" | sed 's/^/  /'))"
version=${debver%-*}
version=${version#*:}
out=build/sqlite-$version
if built "$out"; then
  echo "$root/$out"
  exit 0
fi

# ---- fetch and build ----
echo "build-sqlite.sh: SQLite $version from Debian's sqlite3 $debver source package" >&2
src=$APT_DIR/src/$version
rm -rf "$src" "$out"
mkdir -p "$src"
# shellcheck disable=SC2086
(cd "$src" && apt-get -qq $apt_opts source --download-only "sqlite3=$debver" >&2) ||
  die "apt-get source sqlite3=$debver failed"
tar -xJf "$src/sqlite3_$version.orig.tar.xz" -C "$src"
tree=$src/sqlite3-$version
[ -f "$tree/configure" ] || die "unexpected layout of sqlite3_$version.orig.tar.xz"
# The amalgamation (sqlite3.c, sqlite3.h) and the shell's source (shell.c), as SQLite's own
# build makes them; the tcl bindings are not built.
(cd "$tree" && ./configure --disable-tcl >"$src/configure.log" 2>&1 &&
  make sqlite3.c shell.c >"$src/make.log" 2>&1) ||
  die "generating the amalgamation failed: see $src/configure.log and $src/make.log"

OPTIONS="-DSQLITE_ENABLE_JSON1 -DSQLITE_ENABLE_DESERIALIZE -DSQLITE_ENABLE_FTS5
  -DSQLITE_ENABLE_MATH_FUNCTIONS -DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_ENABLE_RTREE
  -DSQLITE_THREADSAFE=1 -DSQLITE_MAX_VARIABLE_NUMBER=250000"
CC=${CC:-cc}
mkdir -p "$out/bin" "$out/lib" "$out/include"
# shellcheck disable=SC2086
$CC -O2 -g -fPIC $OPTIONS -c "$tree/sqlite3.c" -o "$src/sqlite3.o"
$CC -shared -Wl,-soname,libsqlite3.so.0 -o "$out/lib/libsqlite3.so.0" "$src/sqlite3.o" \
  -lpthread -ldl -lm
ln -sf libsqlite3.so.0 "$out/lib/libsqlite3.so"
# shellcheck disable=SC2086
$CC -O2 -g $OPTIONS -I"$tree" -o "$out/bin/sqlite3" "$tree/shell.c" "$src/sqlite3.o" \
  -lpthread -ldl -lm
cp "$tree/sqlite3.h" "$tree/sqlite3ext.h" "$out/include/"
got=$("$out/bin/sqlite3" -version | cut -d' ' -f1)
[ "$got" = "$version" ] || die "the shell built from $debver says it is SQLite $got"
echo "$debver" >"$out/.built"
rm -rf "$src"
echo "$root/$out"
