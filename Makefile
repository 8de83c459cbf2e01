# Thin wrapper over CMake for the two README one-liners:
#   make demo   installs what is missing, builds, runs a mock call and the reports
#   make test   installs what is missing, builds, runs the whole test suite
BUILD ?= build
JOBS ?= 2
DEBIAN_PACKAGES = cmake g++ make pkg-config libcli11-dev libcurl4-openssl-dev \
  nlohmann-json3-dev libspdlog-dev libsqlite3-dev doctest-dev libssl-dev \
  libcpp-httplib-dev libre2-dev libvalijson-dev json-schema-test-suite jq sqlite3 curl
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build demo test clean

deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
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

clean:
	rm -rf $(BUILD)
