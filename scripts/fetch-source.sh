#!/bin/sh
# fetch-source.sh - the Debian source package PKG, unpacked (Debian patches
# applied) under DIR, fetched once per version.
#
#   scripts/fetch-source.sh PKG DIR      prints the unpacked tree's path
#
# The version is the one `apt-get source` would fetch today (it needs a
# deb-src entry: scripts/install-deps.sh cross adds one).  The tree is
# DIR/PKG_VERSION/src; when it already exists nothing is downloaded, so a
# rebuild reuses it, and a new Debian revision lands in a new directory.
set -eu
pkg=$1
dir=$2
mkdir -p "$dir"
dsc=$(apt-get source --print-uris "$pkg" 2>/dev/null | awk '$2 ~ /\.dsc$/ { print $2; exit }')
if [ -z "$dsc" ]; then
  echo "fetch-source.sh: apt-get source knows no '$pkg' (is there a deb-src entry? run" \
    "scripts/install-deps.sh cross)" >&2
  exit 1
fi
tree="$dir/${dsc%.dsc}"
if [ ! -f "$tree/.unpacked" ]; then
  rm -rf "$tree"
  mkdir -p "$tree"
  (cd "$tree" && apt-get source --download-only "$pkg" >/dev/null 2>&1 &&
    dpkg-source -x "$dsc" src >/dev/null 2>&1) || {
    echo "fetch-source.sh: could not fetch or unpack $dsc into $tree" >&2
    exit 1
  }
  touch "$tree/.unpacked"
fi
echo "$tree/src"
