# sqlite-setter - SQLite extension for the Setter AI conversation history API.
#
#   make            build dist/setter.so (.dylib on macOS, .dll on Windows)
#   make demo       build, then run sql/demo.sql (bundled demo server unless SETTER_API_KEY is set)
#   make demo-server  build, then run the bundled demo server in the foreground and print the
#                   `export SETTER_...` lines for another terminal (Ctrl-C stops it; DEMO_PORT=N
#                   for a fixed port, default a free one)
#   make test       build, then run every test (SQL cases, C unit tests, Python client tests)
#   make bench      benchmark against baselines (prints a table); BENCH_BASE=<commit> is the
#                   JSON reader it compares this tree's with (default: the one before its
#                   speed work)
#   make memcheck   the tests under valgrind
#   make sanitize   the tests with an ASan + UBSan build (clang); leaks: LeakSanitizer in the
#                   unit tests, valgrind (make memcheck) for the extension in the sqlite3 shell,
#                   whose exit LeakSanitizer cannot stop reliably while libcurl threads run
#   make tsan       the thread test (tests/unit/thread_test.c) against a ThreadSanitizer build of
#                   the extension (clang -fsanitize=thread, build/tsan); suppressions in
#                   tests/tsan.supp.  libcurl, libcjson and libsqlite3 are not instrumented: TSan
#                   sees the extension's own memory only
#   make fuzz       libFuzzer on the response parser (FUZZ_SECONDS, default 60)
#   make test-sqlite-versions  the SQL cases and Python tests against other SQLite versions,
#                   built from Debian source packages (mk/versions.mk)
#   make install    copy the extension to $(DESTDIR)$(LIBDIR)   (LIBDIR=$(PREFIX)/lib,
#                   PREFIX=/usr/local)
#   make uninstall / make clean
#
# test, demo and the other targets first install missing Debian packages
# (scripts/install-deps.sh).
#
# The build takes CPPFLAGS, CFLAGS and LDFLAGS, and libcurl's flags from pkg-config (-lcurl
# without it).  Warnings fail the build (-Werror) only where the project checks itself: make
# test, memcheck, sanitize, tsan, fuzz (so CI), or any build with WERROR=1.  A plain `make`
# with a newer compiler prints a new warning and goes on.

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
CC ?= cc
PYTHON ?= /usr/bin/python3
FUZZ_SECONDS ?= 60

UNAME_S := $(shell uname -s 2>/dev/null || echo unknown)
ifeq ($(UNAME_S),Darwin)
  SO := dylib
else ifneq (,$(findstring MINGW,$(UNAME_S)))
  SO := dll
else
  SO := so
endif

WERROR ?=
WARNINGS = -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror)
BASE_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -fPIC $(WARNINGS) $(CPPFLAGS)
# The targets that check the project build with -Werror (see above); the builds they start
# get WERROR=1 on their command line.
test memcheck sanitize tsan fuzz: WERROR = 1
# Only sqlite3_setter_init is exported (setter.c marks it): see setter.c.
EXT_CFLAGS := -fvisibility=hidden
CFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config
ifndef CURL_LIBS
  CURL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libcurl 2>/dev/null)
  CURL_LIBS := $(shell $(PKG_CONFIG) --libs libcurl 2>/dev/null || echo -lcurl)
endif
# CURL_CFLAGS go on the native builds only (mk/cross.mk brings its own libcurl).
LIBS := $(CURL_LIBS) -lcjson -lpthread
# macOS: Homebrew's curl, cjson and sqlite (sqlite3ext.h); curl is keg-only, so it is not on
# the default paths. Not built by CI.
ifeq ($(UNAME_S),Darwin)
  BREW_PREFIX := $(shell brew --prefix 2>/dev/null)
  ifneq ($(BREW_PREFIX),)
    BASE_CFLAGS += $(foreach f,curl cjson sqlite,-I$(BREW_PREFIX)/opt/$(f)/include)
    LIBS := $(foreach f,curl cjson sqlite,-L$(BREW_PREFIX)/opt/$(f)/lib) $(LIBS)
  endif
endif

SOURCES := ext/setter.c ext/connection.c ext/vtab.c ext/resolve.c ext/fetch.c ext/json.c ext/parse.c ext/rows.c ext/config.c \
           ext/cache.c ext/requests.c ext/timestamp.c ext/sanitize.c \
           ext/lookup.c ext/scope.c ext/phone.c ext/progress.c ext/listtable.c \
           ext/guard.c
HEADERS := $(wildcard ext/*.h)
EXTENSION := dist/setter.$(SO)

# Parts that do not depend on SQLite, for unit tests and the fuzz target.
# Built alone they allocate with libc (ext/alloc.h), in the extension with SQLite.
CORE_SOURCES := ext/json.c ext/parse.c ext/rows.c ext/timestamp.c ext/cache.c
STANDALONE := -DSETTER_STANDALONE

.PHONY: all deps test node-deps demo demo-server bench bench-reader-base memcheck sanitize tsan fuzz install uninstall clean unit

all: $(EXTENSION)

deps:
	@sh scripts/install-deps.sh build

$(EXTENSION): $(SOURCES) $(HEADERS) Makefile
	@mkdir -p dist
	$(CC) $(BASE_CFLAGS) $(EXT_CFLAGS) $(CURL_CFLAGS) $(CFLAGS) $(LDFLAGS) -shared -o $@ $(SOURCES) $(LIBS)

include mk/cross.mk

# ---- tests ----

UNIT_TESTS := build/tests/unit_parse build/tests/unit_cache build/tests/unit_timestamp
THREAD_TEST := build/tests/thread_test
API_TEST := build/tests/api_test

build/tests/unit_%: tests/unit/unit_%.c tests/unit/unit.h $(CORE_SOURCES) $(HEADERS)
	@mkdir -p build/tests
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(LDFLAGS) $(STANDALONE) -Iext -o $@ $< $(CORE_SOURCES) -lcjson

$(THREAD_TEST): tests/unit/thread_test.c tests/unit/unit.h
	@mkdir -p build/tests
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< -lsqlite3 -lpthread

# A second build of the extension with another version, for tests/test_library.py.
COPY_EXTENSION := build/tests/copy/setter.$(SO)

$(COPY_EXTENSION): $(SOURCES) $(HEADERS) Makefile
	@mkdir -p build/tests/copy
	$(CC) $(BASE_CFLAGS) $(EXT_CFLAGS) $(CURL_CFLAGS) $(CFLAGS) $(LDFLAGS) '-DSETTER_VERSION="9.9.9-copy"' -shared -o $@ $(SOURCES) $(LIBS)

$(API_TEST): tests/unit/api_test.c tests/unit/unit.h
	@mkdir -p build/tests
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< -lsqlite3

unit: $(UNIT_TESTS) $(THREAD_TEST) $(API_TEST) $(COPY_EXTENSION)

ALSO := $(foreach t,$(UNIT_TESTS),--also $(t)) --also "$(THREAD_TEST) $(CURDIR)/dist/setter" \
        --also "$(API_TEST) $(CURDIR)/dist/setter" \
        --also "$(PYTHON) tests/test_python.py" --also "$(PYTHON) tests/test_security.py" \
        --also "$(PYTHON) tests/test_http2.py" --also "$(PYTHON) tests/test_sqlite_utils.py" \
        --also "$(PYTHON) tests/test_demo_server.py" --also "$(PYTHON) tests/test_fork.py" \
        --also "$(PYTHON) tests/test_interrupt.py" --also "$(PYTHON) tests/test_big_values.py" \
        --also "$(PYTHON) tests/test_nightly_sync.py" --also "$(PYTHON) tests/test_node.py" \
        --also "$(PYTHON) tests/test_phone.py" \
        --also "$(PYTHON) tests/test_sqlite_routines.py" \
        --also "$(PYTHON) tests/test_guard.py" \
        --also "$(PYTHON) tests/test_library.py $(CURDIR)/build/tests/copy/setter" \
        --also "$(PYTHON) tests/test_makefile.py" --also "$(PYTHON) tests/check_includes.py"

# better-sqlite3 for tests/test_node.py: installed once into build/node with npm when node 20
# or newer and npm are there (version 12: 13 crashes on Node 20); else the test says why it is
# skipped.  The first install compiles the addon (minutes); later runs find it in build/node.
NODE_MODULE := build/node/node_modules/better-sqlite3/package.json

node-deps:
	@if [ -f $(NODE_MODULE) ]; then :; \
	elif command -v npm >/dev/null 2>&1 && node -e 'process.exit(parseInt(process.versions.node) >= 20 ? 0 : 1)' 2>/dev/null; then \
	  mkdir -p build/node && echo "node-deps: npm install better-sqlite3@12 into build/node" && \
	  (npm install --prefix build/node --no-audit --no-fund better-sqlite3@12 >build/node/npm.log 2>&1 || \
	   echo "node-deps: npm install failed (build/node/npm.log): tests/test_node.py is skipped"); \
	fi

test:
	@sh scripts/install-deps.sh build test
	@$(MAKE) --no-print-directory WERROR=$(WERROR) all unit node-deps
	$(PYTHON) tests/run.py -j 2 $(ALSO)

demo:
	@sh scripts/install-deps.sh build demo
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh

DEMO_PORT ?= 0

demo-server:
	@sh scripts/install-deps.sh build demo
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh --server --port $(DEMO_PORT)

# The JSON reader alone (bench/reader.c), built against this tree's reader and against the one
# of BENCH_BASE (the reader before its speed work), side by side in bench.py's report.
BENCH_BASE ?= f32722d
BENCH_DIR := build/bench

$(BENCH_DIR)/reader: bench/reader.c $(CORE_SOURCES) $(HEADERS)
	@mkdir -p $(BENCH_DIR)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) $(STANDALONE) -Iext -o $@ bench/reader.c $(CORE_SOURCES) -lcjson

bench-reader-base:
	@rm -rf $(BENCH_DIR)/base && mkdir -p $(BENCH_DIR)/base
	git archive $(BENCH_BASE) ext | tar -x -C $(BENCH_DIR)/base
	cd $(BENCH_DIR)/base/ext && $(CC) $(BASE_CFLAGS) $(CFLAGS) $(STANDALONE) -I. \
	  -o ../../reader-base $(CURDIR)/bench/reader.c $$(ls json.c 2>/dev/null) parse.c rows.c -lcjson

bench:
	@sh scripts/install-deps.sh build test bench
	@$(MAKE) --no-print-directory all $(BENCH_DIR)/reader
	@$(MAKE) --no-print-directory bench-reader-base || echo "bench: no baseline reader ($(BENCH_BASE))"
	$(PYTHON) bench/bench.py

VALGRIND := valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
            --show-leak-kinds=definite -q

memcheck:
	@sh scripts/install-deps.sh build test memcheck
	@$(MAKE) --no-print-directory WERROR=$(WERROR) all unit
	$(PYTHON) tests/run.py -j 2 --timeout-scale 10 --wrap "$(VALGRIND)" \
	  $(foreach t,$(UNIT_TESTS),--also "$(VALGRIND) $(t)") --also "$(VALGRIND) $(THREAD_TEST) $(CURDIR)/dist/setter" \
	  --also "$(VALGRIND) $(API_TEST) $(CURDIR)/dist/setter 5000 9"

SANITIZE_DIR := build/sanitize
SANITIZE_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
# The ASan runtime preloaded under the sqlite3 shell, named for clang's target architecture
# (libclang_rt.asan-x86_64.so, -aarch64.so, -i386.so ...).
ASAN_ARCH = $(patsubst i%86,i386,$(firstword $(subst -, ,$(shell clang -dumpmachine))))
ASAN_RUNTIME = $(shell clang -print-file-name=libclang_rt.asan-$(ASAN_ARCH).so)

sanitize:
	@sh scripts/install-deps.sh build test sanitize
	@$(MAKE) --no-print-directory WERROR=$(WERROR) $(THREAD_TEST) $(API_TEST)
	@mkdir -p $(SANITIZE_DIR)
	clang $(BASE_CFLAGS) $(EXT_CFLAGS) $(CURL_CFLAGS) $(SANITIZE_FLAGS) $(LDFLAGS) -shared -o $(SANITIZE_DIR)/setter.so $(SOURCES) $(LIBS)
	$(foreach t,parse cache timestamp,clang $(BASE_CFLAGS) $(SANITIZE_FLAGS) $(LDFLAGS) $(STANDALONE) -Iext -o $(SANITIZE_DIR)/unit_$(t) tests/unit/unit_$(t).c $(CORE_SOURCES) -lcjson &&) true
	ASAN_OPTIONS=detect_leaks=0 $(PYTHON) tests/run.py -j 2 --timeout-scale 3 --ext $(CURDIR)/$(SANITIZE_DIR)/setter \
	  --env LD_PRELOAD=$(ASAN_RUNTIME) \
	  --env ASAN_OPTIONS=exitcode=99:detect_leaks=0 --env UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(foreach t,parse cache timestamp,--also "env -u LD_PRELOAD ASAN_OPTIONS=exitcode=99:detect_leaks=1 $(SANITIZE_DIR)/unit_$(t)") \
	  --also "$(THREAD_TEST) $(CURDIR)/$(SANITIZE_DIR)/setter" --also "$(API_TEST) $(CURDIR)/$(SANITIZE_DIR)/setter"

TSAN_DIR := build/tsan
TSAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=thread

# The SQL case file only gives tests/run.py its mocks (the sqlite3 shell cannot load a TSan
# build); the thread test, itself built with TSan, loads build/tsan/setter.so.  TSan exits 66
# after any report, which fails the --also run even when every check passed.
tsan:
	@sh scripts/install-deps.sh build test sanitize
	@$(MAKE) --no-print-directory WERROR=$(WERROR) all
	@mkdir -p $(TSAN_DIR)
	clang $(BASE_CFLAGS) $(EXT_CFLAGS) $(CURL_CFLAGS) $(TSAN_FLAGS) $(LDFLAGS) -shared -o $(TSAN_DIR)/setter.so $(SOURCES) $(LIBS)
	clang $(BASE_CFLAGS) $(TSAN_FLAGS) $(LDFLAGS) -o $(TSAN_DIR)/thread_test tests/unit/thread_test.c \
	  -lsqlite3 -lpthread
	$(PYTHON) tests/run.py tests/sql/00_runner_selftest.sql --timeout-scale 5 \
	  --env TSAN_OPTIONS=exitcode=66:suppressions=$(CURDIR)/tests/tsan.supp \
	  --also "$(TSAN_DIR)/thread_test $(CURDIR)/$(TSAN_DIR)/setter"

include mk/versions.mk

FUZZ_DIR := build/fuzz

fuzz:
	@sh scripts/install-deps.sh build fuzz
	@mkdir -p $(FUZZ_DIR) $(FUZZ_DIR)/corpus
	clang $(BASE_CFLAGS) $(LDFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined $(STANDALONE) -Iext -o $(FUZZ_DIR)/fuzz_parse \
	  tests/fuzz/fuzz_parse.c $(CORE_SOURCES) -lcjson
	$(FUZZ_DIR)/fuzz_parse -artifact_prefix=$(FUZZ_DIR)/ -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	  -dict=tests/fuzz/json.dict $(FUZZ_DIR)/corpus tests/fuzz/corpus

install: $(EXTENSION)
	install -d $(DESTDIR)$(LIBDIR)
	install -m 0644 $(EXTENSION) $(DESTDIR)$(LIBDIR)/setter.$(SO)

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/setter.$(SO)

clean:
	rm -rf dist build

include mk/packages.mk
