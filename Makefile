# Thin wrapper over CMake for the README one-liners:
#   make demo      installs what is missing, builds, runs a mock call and the reports
#   make test      installs what is missing, builds, runs the whole test suite
#   make install   builds and installs under PREFIX (default /usr/local; DESTDIR honoured)
#   make package   builds the Debian package (build/llmctl_VERSION_ARCH.deb)
#   make format-check  fails when a C++ file differs from .clang-format's style
BUILD ?= build
JOBS ?= 2
PREFIX ?= /usr/local
DEBIAN_PACKAGES = cmake g++ make pkg-config libcli11-dev libcurl4-openssl-dev \
  nlohmann-json3-dev libspdlog-dev libsqlite3-dev doctest-dev libssl-dev \
  libcpp-httplib-dev libre2-dev libvalijson-dev json-schema-test-suite libtomlplusplus-dev \
  libhiredis-dev redis-server unicode-data jq sqlite3 curl
# What CI needs beyond the build: the fuzzing compiler and runtime, the
# linters, and dpkg-shlibdeps for the package's dependencies.
CI_PACKAGES = clang-15 libfuzzer-15-dev clang-format shellcheck dpkg-dev file
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps ci-deps install-packages build demo test install package format-check clean

deps:
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(DEBIAN_PACKAGES)"

ci-deps:
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(DEBIAN_PACKAGES) $(CI_PACKAGES)"

install-packages:
	@missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/llmctl complete -p mock "Say hello to llmctl"
	$(BUILD)/llmctl cost-report
	$(BUILD)/llmctl latency-stats

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

package: build
	cd $(BUILD) && cpack -G DEB

format-check:
	tests/format_check.sh

clean:
	rm -rf $(BUILD)
