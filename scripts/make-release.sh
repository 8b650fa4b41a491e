#!/bin/sh
# make-release.sh - the release archives, from the builds of mk/cross.mk (`make dist`).
#
#   scripts/make-release.sh VERSION
#
# Writes dist/release/sqlite-setter-VERSION-PLATFORM.tar.gz for linux-x86_64 and linux-arm64,
# dist/release/sqlite-setter-VERSION-windows-x64.zip, and dist/release/SHA256SUMS.  Each
# archive holds one directory with the library, README.txt, and under licenses/ the
# copyright files of what is linked into that library (Debian's, from the source packages):
# cJSON everywhere; curl and zlib in the Windows DLL too.  The Linux libraries load the
# system's libcurl4, which is not shipped.  File dates and owners are fixed, so the same
# builds give the same archives.
set -eu
version=$1
out=dist/release
stage=build/release
rm -rf "$out" "$stage"
mkdir -p "$out" "$stage"
stamp=$(git log -1 --format=%cI 2>/dev/null || echo 2026-01-01T00:00:00Z)

readme() { # PLATFORM FILE
  cat <<EOF
sqlite-setter $version for $1

A SQLite extension that turns the Setter AI "Get Conversation History" API into the virtual
table setter_conversations.  Documentation: the README of the project's repository.

Load it in the sqlite3 shell with   .load /path/to/setter   (the path without "$2"'s suffix),
or add $2 in DB Browser for SQLite under Preferences > Extensions.

Set the API key in the environment variable SETTER_API_KEY before starting the program, or
run SELECT setter_config('api_key', '...') (or 'api_key_file') in each connection.
EOF
  case $1 in
    windows-x64) cat <<'EOF'

Windows: setter.dll needs nothing but Windows (libcurl with Windows' own TLS, Schannel, and
its trust store; cJSON and zlib are built in).  Set the key for programs started from the
Start menu with   setx SETTER_API_KEY "your-key"   and restart the program.  HTTP/2 is not
used on Windows (HTTP/1.1 with keep-alive).
EOF
      ;;
    *) cat <<'EOF'

Linux: setter.so needs libcurl4 (apt-get install libcurl4); cJSON is built in.  It is built
on Debian 12 (glibc 2.34 symbols, Debian's OpenSSL flavour of libcurl) and wants libcurl 7.85
or newer: Debian 12 or newer and Ubuntu 24.04 or newer fit.
EOF
      ;;
  esac
}

package() { # PLATFORM LIBRARY LICENSE-FILES...
  platform=$1 lib=$2
  shift 2
  name=sqlite-setter-$version-$platform
  dir=$stage/$name
  mkdir -p "$dir/licenses"
  cp "$lib" "$dir/"
  readme "$platform" "$(basename "$lib")" >"$dir/README.txt"
  for pair in "$@"; do
    cp "${pair#*=}" "$dir/licenses/${pair%%=*}.txt"
  done
  find "$dir" -exec touch -d "$stamp" {} +
  case $platform in
    windows-*)
      (cd "$stage" && find "$name" | sort | TZ=UTC zip -X -q -@ "../../$out/$name.zip") ;;
    *)
      tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="$stamp" \
        -cf - "$name" | gzip -n -9 >"$out/$name.tar.gz" ;;
  esac
}

cjson=build/cjson/copyright
package linux-x86_64 dist/linux-x86_64/setter.so "cJSON=$cjson"
package linux-arm64 dist/linux-arm64/setter.so "cJSON=$cjson"
package windows-x64 dist/windows-x64/setter.dll "cJSON=$cjson" \
  "curl=build/windows/curl/copyright" "zlib=/usr/share/doc/libz-mingw-w64-dev/copyright"
(cd "$out" && sha256sum -- *.tar.gz *.zip >SHA256SUMS)
ls -l "$out"
