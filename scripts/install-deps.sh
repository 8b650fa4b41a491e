#!/bin/sh
# install-deps.sh - install the Debian packages a make target needs, if missing.
#
#   scripts/install-deps.sh build|test|demo|memcheck|sanitize|fuzz|bench|gui|cross|versions|package|node ...
#
# `cross` (mk/cross.mk: Windows and Linux arm64 builds, tests under Wine and
# qemu) also enables the arm64 architecture and, when no deb-src entry for
# bookworm exists, adds one, because the builds fetch curl, cJSON and SQLite
# with `apt-get source`.
# Checks each package with dpkg-query and runs `apt-get update` and
# `apt-get install -y` only for what is missing (as root, or through sudo).
# On a machine without apt-get it prints the packages to install and exits 0,
# so that the build can still try with what is there.
set -eu

packages_for() {
  case "$1" in
    build) echo "gcc make pkg-config libc6-dev libsqlite3-dev libcurl4-openssl-dev libcjson-dev" ;;
    test) echo "sqlite3 python3 coreutils openssl nghttp2-proxy sqlite-utils" ;;
    demo) echo "sqlite3 python3 coreutils" ;;
    memcheck) echo "valgrind" ;;
    sanitize|fuzz) echo "clang libclang-rt-14-dev" ;;
    bench) echo "curl time" ;;
    gui) echo "sqlitebrowser xvfb x11-apps imagemagick xdotool sqlite3 curl" ;;
    cross) echo "dpkg-dev tcl zip gcc-mingw-w64-x86-64 libz-mingw-w64-dev binutils-mingw-w64-x86-64 wine wine64" \
             "gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev:arm64 qemu-user-static libcurl4-openssl-dev:arm64" \
             "libreadline8:arm64 libsqlite3-0:arm64 sqlite3 python3 coreutils openssl" ;;
    versions) echo "tcl xz-utils" ;;  # scripts/build-sqlite.sh
    package) echo "python3 python3-setuptools python3-wheel python3-venv binutils" ;;
    # Node.js and npm only where no `npm` command exists (a Node.js from elsewhere, such as
    # NodeSource's nodejs, conflicts with Debian's npm package).
    node) command -v npm >/dev/null 2>&1 || echo "nodejs npm" ;;
    *) echo "install-deps.sh: unknown target '$1'" >&2; exit 2 ;;
  esac
}

wanted=""
cross=""
for target in "$@"; do
  [ "$target" = cross ] && cross=1
  wanted="$wanted $(packages_for "$target")"
done

# Root's changes to the apt configuration the cross target needs (see above).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "install-deps.sh: run as root: $*" >&2; return 1; fi
}
apt_changed=""
if [ -n "$cross" ] && command -v dpkg >/dev/null 2>&1; then
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    as_root dpkg --add-architecture arm64
    apt_changed=1
  fi
  if ! grep -rqsE '^(deb-src .* bookworm |Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm' \
      'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' |
      as_root tee /etc/apt/sources.list.d/sqlite-setter-deb-src.sources >/dev/null
    apt_changed=1
  fi
fi

missing=""
for pkg in $wanted; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
  fi
done
if [ -n "$apt_changed" ] && [ -z "$missing" ]; then
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 update -qq >&2
fi
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
$sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 update -qq >&2
# shellcheck disable=SC2086
$sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends $missing >&2
