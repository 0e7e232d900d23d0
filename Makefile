# Thin wrappers around CMake. `make run` and `make test` install what is missing first.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
SANITIZE ?= OFF
JOBS ?= 2
HOST ?= 127.0.0.1
PORT ?= 5000

export CCACHE_SLOPPINESS := pch_defines,time_macros,include_file_mtime,include_file_ctime

.PHONY: deps test-deps configure build run test clean bench

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DSEXTANT_SANITIZE=$(SANITIZE) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/sextant server --host $(HOST) --port $(PORT) \
	  --backend-store-uri sqlite:///mlflow.db --artifacts-destination ./mlartifacts

# The OIDC provider processes the auth tests run (npm packages pinned in tests/oidc) and the
# HCL parser the Terraform check uses (tests/deploy).
test-deps:
	@command -v node >/dev/null || bash scripts/install-deps.sh --with-node
	@[ -d tests/oidc/node_modules/oauth2-mock-server ] && [ -d tests/oidc/node_modules/oidc-provider ] || \
	  npm ci --prefix tests/oidc --no-audit --no-fund
	@[ -d tests/deploy/node_modules/@cdktf/hcl2json ] || npm ci --prefix tests/deploy --no-audit --no-fund

test: test-deps build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	bash bench/run.sh $(BUILD_DIR)/sextant

clean:
	rm -rf $(BUILD_DIR)
