# Thin wrappers around CMake. `make run` and `make test` install what is missing first.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
SANITIZE ?= OFF
JOBS ?= 2
HOST ?= 127.0.0.1
PORT ?= 5000

export CCACHE_SLOPPINESS := pch_defines,time_macros,include_file_mtime,include_file_ctime

.PHONY: deps test-deps configure build run test clean bench fuzz

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DSEXTANT_SANITIZE=$(SANITIZE) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/sextant server --host $(HOST) --port $(PORT) \
	  --backend-store-uri sqlite:///mlflow.db --artifacts-destination ./mlartifacts

# What the tests need besides the build: the OIDC provider processes of the auth tests (npm,
# pinned in tests/oidc), the HCL parser of the Terraform check (tests/deploy), the browser tests'
# Chromium (Debian's) and playwright-core (web/, pinned; no browser download), and moto's S3
# server for the S3 tests (in the image's Python; pip is tried when it is missing).
test-deps:
	@bash scripts/install-deps.sh --with-browser
	@[ -d tests/oidc/node_modules/oauth2-mock-server ] && [ -d tests/oidc/node_modules/oidc-provider ] || \
	  npm ci --prefix tests/oidc --no-audit --no-fund
	@[ -d tests/deploy/node_modules/@cdktf/hcl2json ] || npm ci --prefix tests/deploy --no-audit --no-fund
	@[ -d web/node_modules/playwright-core ] || npm ci --prefix web --no-audit --no-fund
	@python3 -c 'import moto.server, boto3' 2>/dev/null || bash scripts/install-deps.sh --with-moto

test: test-deps build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The libFuzzer targets (tests/fuzz, clang, their own build dir): FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 600
fuzz: deps
	bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: build
	bash bench/run.sh $(BUILD_DIR)/sextant

clean:
	rm -rf $(BUILD_DIR)
