#!/bin/sh
# install-deps.sh - install the Debian packages a make target needs, if missing.
#
#   scripts/install-deps.sh build|test|demo|memcheck|sanitize|fuzz|bench|gui ...
#
# Checks each package with dpkg-query and runs `apt-get update` and
# `apt-get install -y` only for what is missing (as root, or through sudo).
# On a machine without apt-get it prints the packages to install and exits 0,
# so that the build can still try with what is there.
set -eu

packages_for() {
  case "$1" in
    build) echo "gcc make libc6-dev libsqlite3-dev libcurl4-openssl-dev libcjson-dev" ;;
    test) echo "sqlite3 python3 coreutils openssl nghttp2-proxy sqlite-utils" ;;
    demo) echo "sqlite3 python3 coreutils" ;;
    memcheck) echo "valgrind" ;;
    sanitize|fuzz) echo "clang libclang-rt-14-dev" ;;
    bench) echo "curl time" ;;
    gui) echo "sqlitebrowser xvfb x11-apps imagemagick xdotool sqlite3 curl" ;;
    *) echo "install-deps.sh: unknown target '$1'" >&2; exit 2 ;;
  esac
}

wanted=""
for target in "$@"; do
  wanted="$wanted $(packages_for "$target")"
done

missing=""
for pkg in $wanted; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
  fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps.sh: please install:$missing" >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1; then
  sudo="sudo"
else
  echo "install-deps.sh: missing packages:$missing (run as root to install them)" >&2
  exit 1
fi
echo "install-deps.sh: installing$missing" >&2
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
# shellcheck disable=SC2086
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
