# mk/versions.mk - the tests against other versions of SQLite (included by the Makefile).
#
#   make test-sqlite-versions    the SQL cases and the Python client tests against each SQLite
#                                of SQLITE_VERSIONS, each built from Debian's sqlite3 source
#                                package by scripts/build-sqlite.sh into build/sqlite-VERSION
#                                (kept: a second run builds nothing)
#
# 3.34.1 is the oldest the extension loads into (ext/compat.h: DB Browser for SQLite 3.12.2's
# SQLCipher build), 3.46.1 what DB4S 3.13.1 ships, "current" the newest in Debian unstable.
# Debian 12's own 3.40.1 is what `make test` uses.  A case or check that cannot hold on an
# older SQLite says so (`-- sqlite:` in tests/sql, harness.needs_sqlite) and is counted as
# skipped, never as passed.

SQLITE_VERSIONS ?= 3.34.1 3.46.1 current
VERSIONS_ALSO := $(foreach t,python security http2 sqlite_utils demo_server fork interrupt big_values,\
                   --also "$(PYTHON) tests/test_$(t).py")

.PHONY: test-sqlite-versions

test-sqlite-versions:
	@sh scripts/install-deps.sh build test versions
	@$(MAKE) --no-print-directory all
	@status=0; for v in $(SQLITE_VERSIONS); do \
	  dir=$$(sh scripts/build-sqlite.sh $$v | tail -n 1) || { status=1; continue; }; \
	  echo "== SQLite $$v ($$dir)"; \
	  $(PYTHON) tests/run.py -j 2 --sqlite $$dir $(VERSIONS_ALSO) || status=1; \
	done; exit $$status
