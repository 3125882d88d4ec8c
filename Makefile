# Databus developer entry points. On a fresh Debian 12 machine `make run` and
# `make test` do all the set-up (missing packages are installed first).
#
#   make deps     install missing Debian packages (scripts/install-deps.sh)
#   make build    configure (CMake, Ninja) and build into ./build
#   make run      build, then run Databus with ./data/json_db, a developer's
#                 store (--demo: root/root and demo/demo)
#   make test     build, run every test, install into build/install-prefix and
#                 build + run the embedded example against that installation
#   make install  install into PREFIX (default /usr/local)
#   make package  build the Debian package into ./build/package
#                 (scripts/build-deb.sh; docs/operations.md)
#   make format   clang-format every C++ file
#   make docs     regenerate docs/connectors.md's settings tables from the
#                 component specs (a test fails while they differ)
#   make bench    build the Google Benchmark micro-benchmarks and run them
#                 (whole-drive figures: ./build/databus bench, docs/performance.md)
#   make fuzz     build the libFuzzer targets (clang, ASan + UBSan, ./build-fuzz)
#                 and run each for FUZZ_SECONDS (default 60); docs/security.md,
#                 "Fuzzing"
#   make fuzz-ci  the same, each over its corpus plus FUZZ_CI_RUNS (2000)
#                 inputs from a fixed seed, repeatable; run by `make test`
#   make test-sanitize  build everything with g++ under ASan + UBSan into
#                 ./build-sanitize and run ctest there (a full build, 20+
#                 minutes; not part of `make test`)
#   make clean    remove ./build, ./build-fuzz and ./build-sanitize

PREFIX ?= /usr/local
BUILD_DIR := build
JOBS ?= 2
TEST_PREFIX := $(CURDIR)/$(BUILD_DIR)/install-prefix
EXAMPLE_BUILD := $(BUILD_DIR)/embedded_app

.PHONY: deps build run test install package format docs clean bench test-sanitize fuzz fuzz-build fuzz-ci

deps:
	bash scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja
	ninja -C $(BUILD_DIR) -j$(JOBS)

# --demo: a developer's store (root/root, demo/demo, served by the web
# interface); docs/operations.md, "A safe first start".
run: build
	./$(BUILD_DIR)/databus run --demo

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)
	$(MAKE) --no-print-directory install PREFIX=$(TEST_PREFIX)
	cmake -S examples/embedded_app -B $(EXAMPLE_BUILD) -G Ninja \
	  -DCMAKE_PREFIX_PATH=$(TEST_PREFIX)
	ninja -C $(EXAMPLE_BUILD) -j$(JOBS)
	./$(EXAMPLE_BUILD)/embedded_app
	$(MAKE) --no-print-directory fuzz-ci

install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

package: build
	bash scripts/build-deb.sh $(BUILD_DIR) $(BUILD_DIR)/package

docs: build
	ninja -C $(BUILD_DIR) docs-settings

format:
	find src include tests examples fuzz -name '*.h' -o -name '*.cc' | xargs -r clang-format -i

bench: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DDATABUS_BUILD_BENCHMARKS=ON
	ninja -C $(BUILD_DIR) -j$(JOBS) databus_benchmarks databus_cli
	./$(BUILD_DIR)/benchmarks/databus_benchmarks

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR) $(SANITIZE_DIR)

# The unit tests built with g++ under AddressSanitizer and UBSan, in their own
# build directory (a full build: some 20+ minutes on two cores). Any report
# fails the test that caused it (-fno-sanitize-recover, halt_on_error). Tests
# labelled no_sanitize (e.g. ones that measure memory or time) are left out;
# docs/security.md, "Fuzzing", lists them and why. Not part of `make test`.
SANITIZE_DIR := build-sanitize
SANITIZE_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
  -fno-sanitize-recover=undefined
SANITIZE_ENV := ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/lsan-suppressions.txt:print_suppressions=0

test-sanitize: deps
	cmake -S . -B $(SANITIZE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_CXX_FLAGS="$(SANITIZE_FLAGS)" -DDATABUS_TCMALLOC=OFF
	ninja -C $(SANITIZE_DIR) -j$(JOBS)
	cd $(SANITIZE_DIR) && $(SANITIZE_ENV) ctest --output-on-failure -j$(JOBS) -LE no_sanitize

# The libFuzzer targets (fuzz/, docs/security.md "Fuzzing"), built with Clang
# under ASan and UBSan in their own build directory. `make fuzz` runs each
# for FUZZ_SECONDS; `make fuzz-ci` (part of `make test`) runs each over its
# corpus plus FUZZ_CI_RUNS inputs from a fixed seed, so CI repeats exactly
# what passed before (scripts/run-fuzz.sh).
FUZZ_DIR := build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_CI_RUNS ?= 2000

fuzz-build: deps
	cmake -S . -B $(FUZZ_DIR) -G Ninja -DDATABUS_FUZZ=ON -DDATABUS_BUILD_TESTS=OFF \
	  -DCMAKE_CXX_COMPILER=clang++ \
	  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1"
	ninja -C $(FUZZ_DIR) -j$(JOBS) databus_fuzzers

fuzz: fuzz-build
	bash scripts/run-fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

fuzz-ci: fuzz-build
	FUZZ_RUNS=$(FUZZ_CI_RUNS) bash scripts/run-fuzz.sh $(FUZZ_DIR) 0
