# mk/packages.mk - Python wheels and npm packages of the extension (included by the Makefile).
#
#   make wheel          one wheel per platform into dist/: sqlite_setter-VERSION-py3-none-TAG.whl
#   make npm            npm pack into dist/: sqlite-setter-VERSION.tgz and one
#                       sqlite-setter-PLATFORM-VERSION.tgz per platform
#   make package-test   both, then tests/test_wheel.py and tests/test_npm.py: each installs the
#                       packages into a fresh place (venv, npm project) and queries the mock
#                       (--timeout-scale 2: npm compiles better-sqlite3, minutes on a busy machine)
#
# VERSION is SETTER_VERSION of ext/version.h (bindings/build.py reads it). The packages carry
# the release builds of mk/cross.mk, the binaries of the `make dist` archives:
# PACKAGE_PLATFORMS lists them as PLATFORM=BINARY (bindings/build.py names the platforms).
# linux-x64 is dist/linux-x86_64/setter.so (cJSON built in: needs only libcurl4), not the
# development build dist/setter.so (which also needs libcjson1).

# `make wheel PACKAGE_PLATFORMS=linux-x64=dist/linux-x86_64/setter.so` builds only that one.

PACKAGE_PLATFORMS := linux-x64=$(X64_SO) linux-arm64=$(ARM_SO) windows-x64=$(WIN_DLL)
PACKAGE_BINARIES := $(foreach p,$(PACKAGE_PLATFORMS),$(word 2,$(subst =, ,$(p))))

.PHONY: wheel npm package-test package-deps package-binaries

package-deps:
	@sh scripts/install-deps.sh build package
	@sh scripts/install-deps.sh node || \
	  echo "packages.mk: could not install nodejs and npm: make npm fails, tests/test_npm.py skips"

package-binaries: cross-deps
	@$(MAKE) --no-print-directory $(PACKAGE_BINARIES)

wheel: package-deps package-binaries
	@mkdir -p dist
	rm -f dist/sqlite_setter-*.whl
	$(foreach p,$(PACKAGE_PLATFORMS),$(PYTHON) bindings/build.py wheel $(subst =, ,$(p)) dist &&) true

npm: package-deps package-binaries
	@mkdir -p dist
	rm -f dist/sqlite-setter-*.tgz
	$(PYTHON) bindings/build.py npm main - dist
	$(foreach p,$(PACKAGE_PLATFORMS),$(PYTHON) bindings/build.py npm $(subst =, ,$(p)) dist &&) true

package-test:
	@sh scripts/install-deps.sh build test package
	@$(MAKE) --no-print-directory wheel npm
	$(PYTHON) tests/run.py tests/sql/00_runner_selftest.sql --ext dist/linux-x86_64/setter \
	  --timeout-scale 2 --also "$(PYTHON) tests/test_wheel.py" --also "$(PYTHON) tests/test_npm.py"
