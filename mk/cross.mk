# mk/cross.mk - release builds for other systems, made on Debian (included by the Makefile).
#
#   make windows       dist/windows-x64/setter.dll, self-contained: libcurl 7.88.1 (Schannel,
#                      zlib), cJSON and the mingw runtime linked in; imports only Windows' own
#                      DLLs, exports only sqlite3_setter_init.  Also build/windows/sqlite3.exe.
#   make linux-arm64   dist/linux-arm64/setter.so (cJSON linked in, needs libcurl4) and
#                      build/linux-arm64/bin/sqlite3, Debian's arm64 shell run by qemu.
#   make linux-x86_64  dist/linux-x86_64/setter.so, the release build: cJSON linked in, so its
#                      only dependency is libcurl4.
#   make dist          dist/release/sqlite-setter-<version>-<platform>.{tar.gz,zip} of the
#                      three, with licenses, a README and SHA256SUMS.
#   make cross-test    both cross builds, their properties (tests/test_cross.py), and
#                      the SQL cases under Wine and under qemu; a smoke run of linux-x86_64.
#
# Third-party sources are Debian's source packages, fetched at build time into build/src by
# scripts/fetch-source.sh (once per version); the static libcurl for Windows is built once
# into build/windows/curl.  Rebuilding after a change in ext/ recompiles only the extension.

MINGW := x86_64-w64-mingw32
AARCH64 := aarch64-linux-gnu
CROSS_SRC := build/src
VERSION := $(shell sed -n 's/^\#define SETTER_VERSION "\(.*\)"/\1/p' ext/version.h)

# cJSON, compiled into every release build from its source package.  CJSON_HIDE_SYMBOLS keeps
# its functions out of the DLL's exports (on Linux -fvisibility=hidden does that).
CJSON_DIR := build/cjson
CJSON_FLAGS := -O2 -DCJSON_HIDE_SYMBOLS
RELEASE_CFLAGS := -O2 -DCJSON_HIDE_SYMBOLS -I$(CJSON_DIR)/include

.PHONY: windows linux-arm64 linux-x86_64 dist cross-test cross-deps

cross-deps:
	@sh scripts/install-deps.sh build cross

$(CJSON_DIR)/cJSON.c:
	@src=$$(sh scripts/fetch-source.sh cjson $(CROSS_SRC)) && \
	  mkdir -p $(CJSON_DIR)/include/cjson && \
	  cp $$src/cJSON.h $(CJSON_DIR)/ && cp $$src/cJSON.h $(CJSON_DIR)/include/cjson/ && \
	  cp $$src/debian/copyright $(CJSON_DIR)/copyright && cp $$src/cJSON.c $@

# ---- Windows x64 ----

WIN_DIR := build/windows
WIN_CURL := $(WIN_DIR)/curl
WIN_DLL := dist/windows-x64/setter.dll
WIN_SQLITE3 := $(WIN_DIR)/sqlite3.exe
WIN_LIBS := $(WIN_CURL)/lib/libcurl.a -lz -lws2_32 -lcrypt32 -lbcrypt -ladvapi32 -lpthread
# HTTP(S) only; Schannel is Windows' TLS and trust store.  No HTTP/2: curl 7.88.1 enables
# ALPN with Schannel only when built with MSVC, so nghttp2 would never be used.
CURL_WIN_CONFIGURE := --host=$(MINGW) --disable-shared --enable-static --with-schannel \
  --enable-threaded-resolver --disable-pthreads --with-zlib=/usr/$(MINGW) \
  --without-libpsl --without-brotli --without-zstd --without-libidn2 --without-libssh2 \
  --without-librtmp --without-libgsasl --without-nghttp2 --without-ngtcp2 --without-nghttp3 \
  --disable-ldap --disable-ldaps --disable-ftp --disable-file --disable-rtsp --disable-dict \
  --disable-telnet --disable-tftp --disable-pop3 --disable-imap --disable-smb --disable-smtp \
  --disable-gopher --disable-mqtt --disable-manual --disable-docs

windows: cross-deps
	@$(MAKE) --no-print-directory $(WIN_DLL) $(WIN_SQLITE3)

$(WIN_CURL)/lib/libcurl.a:
	@src=$$(sh scripts/fetch-source.sh curl $(CROSS_SRC)) && \
	  rm -rf $(WIN_DIR)/curl-build $(WIN_CURL) && mkdir -p $(WIN_DIR)/curl-build && \
	  echo "configure libcurl for Windows ($$src)" && \
	  cd $(WIN_DIR)/curl-build && $(CURDIR)/$$src/configure $(CURL_WIN_CONFIGURE) \
	    --prefix=$(CURDIR)/$(WIN_CURL) >configure.log 2>&1 || { tail -30 configure.log; exit 1; }
	$(MAKE) -C $(WIN_DIR)/curl-build/lib >$(WIN_DIR)/curl-build/make.log 2>&1 || \
	  { tail -30 $(WIN_DIR)/curl-build/make.log; exit 1; }
	$(MAKE) -C $(WIN_DIR)/curl-build/lib install >/dev/null
	$(MAKE) -C $(WIN_DIR)/curl-build/include install >/dev/null
	@cp "$$(sh scripts/fetch-source.sh curl $(CROSS_SRC))/debian/copyright" $(WIN_CURL)/copyright

# The amalgamation (sqlite3.c, sqlite3.h, sqlite3ext.h, shell.c) is generated natively with
# tclsh; its headers also compile the DLL, so the DLL never sees the host's /usr/include.
$(WIN_DIR)/sqlite/sqlite3.c:
	@src=$$(sh scripts/fetch-source.sh sqlite3 $(CROSS_SRC)) && \
	  rm -rf $(WIN_DIR)/sqlite && mkdir -p $(WIN_DIR)/sqlite && cd $(WIN_DIR)/sqlite && \
	  $(CURDIR)/$$src/configure --disable-tcl >configure.log 2>&1 && \
	  $(MAKE) sqlite3.c shell.c >make.log 2>&1 || { tail -30 make.log; exit 1; }

$(WIN_SQLITE3): $(WIN_DIR)/sqlite/sqlite3.c
	$(MINGW)-gcc -O2 -DSQLITE_ENABLE_MATH_FUNCTIONS -DSQLITE_ENABLE_FTS5 \
	  -DSQLITE_ENABLE_DBSTAT_VTAB -I$(WIN_DIR)/sqlite -static -s -o $@ \
	  $(WIN_DIR)/sqlite/shell.c $(WIN_DIR)/sqlite/sqlite3.c

$(WIN_DIR)/cJSON.o: $(CJSON_DIR)/cJSON.c
	@mkdir -p $(@D)
	$(MINGW)-gcc $(CJSON_FLAGS) -c -o $@ $<

$(WIN_DLL): $(SOURCES) $(HEADERS) $(WIN_DIR)/cJSON.o $(WIN_CURL)/lib/libcurl.a $(WIN_DIR)/sqlite/sqlite3.c
	@mkdir -p $(@D)
	$(MINGW)-gcc $(BASE_CFLAGS) $(EXT_CFLAGS) $(RELEASE_CFLAGS) -DCURL_STATICLIB \
	  -I$(WIN_CURL)/include -I$(WIN_DIR)/sqlite -shared -static -s -o $@ \
	  $(SOURCES) $(WIN_DIR)/cJSON.o $(WIN_LIBS)

# ---- Linux arm64 ----

ARM_DIR := build/linux-arm64
ARM_SO := dist/linux-arm64/setter.so
ARM_SQLITE3 := $(ARM_DIR)/bin/sqlite3

linux-arm64: cross-deps
	@$(MAKE) --no-print-directory $(ARM_SO) $(ARM_SQLITE3)

$(ARM_DIR)/cJSON.o: $(CJSON_DIR)/cJSON.c
	@mkdir -p $(@D)
	$(AARCH64)-gcc $(CJSON_FLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

$(ARM_SO): $(SOURCES) $(HEADERS) $(ARM_DIR)/cJSON.o
	@mkdir -p $(@D)
	$(AARCH64)-gcc $(BASE_CFLAGS) $(EXT_CFLAGS) $(RELEASE_CFLAGS) -shared -s -o $@ \
	  $(SOURCES) $(ARM_DIR)/cJSON.o -lcurl -lpthread

# Debian's arm64 sqlite3 shell, unpacked (it cannot be installed next to the amd64 one), run by
# qemu-aarch64-static without binfmt.  The sysroot given to qemu (-L) holds only the arm64
# libstdbuf.so at the path of the amd64 one, so that `stdbuf -oL` (tests/run.py) preloads a
# library the guest can load; every other file falls through to / (the :arm64 packages).
$(ARM_SQLITE3):
	@rm -rf $(ARM_DIR)/deb $(ARM_DIR)/root $(ARM_DIR)/sysroot && mkdir -p $(ARM_DIR)/deb $(@D)
	cd $(ARM_DIR)/deb && apt-get download sqlite3:arm64 coreutils:arm64 >/dev/null
	dpkg -x $(ARM_DIR)/deb/sqlite3_*_arm64.deb $(ARM_DIR)/root
	dpkg -x $(ARM_DIR)/deb/coreutils_*_arm64.deb $(ARM_DIR)/deb/coreutils
	mkdir -p $(ARM_DIR)/sysroot/usr/libexec/coreutils
	cp $(ARM_DIR)/deb/coreutils/usr/libexec/coreutils/libstdbuf.so \
	  $(ARM_DIR)/sysroot/usr/libexec/coreutils/
	printf '%s\n' '#!/bin/sh' '# Debian'"'"'s arm64 sqlite3 shell under qemu (mk/cross.mk).' \
	  'dir=$$(cd "$$(dirname "$$0")/.." && pwd)' \
	  'exec qemu-aarch64-static -L "$$dir/sysroot" "$$dir/root/usr/bin/sqlite3" "$$@"' >$@
	chmod +x $@

# ---- Linux x86_64 release build ----

X64_DIR := build/linux-x86_64
X64_SO := dist/linux-x86_64/setter.so

linux-x86_64: cross-deps
	@$(MAKE) --no-print-directory $(X64_SO)

$(X64_DIR)/cJSON.o: $(CJSON_DIR)/cJSON.c
	@mkdir -p $(@D)
	$(CC) $(CJSON_FLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

$(X64_SO): $(SOURCES) $(HEADERS) $(X64_DIR)/cJSON.o
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(EXT_CFLAGS) $(RELEASE_CFLAGS) -shared -s -o $@ \
	  $(SOURCES) $(X64_DIR)/cJSON.o -lcurl -lpthread

# ---- release archives ----

dist: cross-deps
	@$(MAKE) --no-print-directory $(WIN_DLL) $(ARM_SO) $(X64_SO)
	sh scripts/make-release.sh $(VERSION)

# ---- tests under Wine and qemu ----

# Wine's services start before the runner: started by the first case they would inherit its
# stdout pipe and the runner would wait for them forever.  The prefix lives under build/.
WINE_ENV := WINEPREFIX=$(CURDIR)/build/wine WINEDEBUG=-all WINEDLLOVERRIDES=mscoree,mshtml=

cross-test: cross-deps
	@$(MAKE) --no-print-directory $(WIN_DLL) $(WIN_SQLITE3) $(ARM_SO) $(ARM_SQLITE3) $(X64_SO)
	@mkdir -p build/wine
	$(WINE_ENV) wineserver -p 2>/dev/null || true  # fails when one already runs for the prefix
	$(WINE_ENV) wine wineboot </dev/null >/dev/null 2>&1
	$(WINE_ENV) $(PYTHON) tests/run.py -j 2 --not-posix --not-native --timeout-scale 3 --wrap wine \
	  --sqlite3 $(WIN_SQLITE3) --ext dist/windows-x64/setter \
	  --also "$(PYTHON) tests/test_cross.py windows wine $(WIN_SQLITE3)"; \
	  rc=$$?; $(WINE_ENV) wineserver -k; exit $$rc
	PATH=$(CURDIR)/$(ARM_DIR)/bin:$$PATH $(PYTHON) tests/run.py -j 2 --not-native --timeout-scale 3 \
	  --sqlite3 $(ARM_SQLITE3) --ext dist/linux-arm64/setter \
	  --also "$(PYTHON) tests/test_cross.py linux-arm64 $(ARM_SQLITE3)"
	$(PYTHON) tests/run.py tests/sql/10_core_columns.sql --ext dist/linux-x86_64/setter \
	  --also "$(PYTHON) tests/test_cross.py linux-x86_64 sqlite3"
