# Databus developer entry points. On a fresh Debian 12 machine `make run` and
# `make test` do all the set-up (missing packages are installed first).
#
#   make deps     install missing Debian packages (scripts/install-deps.sh)
#   make build    configure (CMake, Ninja) and build into ./build
#   make run      build, then run Databus with ./data/json_db
#   make test     build, run every test, install into build/install-prefix and
#                 build + run the embedded example against that installation
#   make install  install into PREFIX (default /usr/local)
#   make format   clang-format every C++ file
#   make bench    build the Google Benchmark micro-benchmarks and run them
#                 (whole-drive figures: ./build/databus bench, docs/performance.md)
#   make clean    remove ./build

PREFIX ?= /usr/local
BUILD_DIR := build
JOBS ?= 2
TEST_PREFIX := $(CURDIR)/$(BUILD_DIR)/install-prefix
EXAMPLE_BUILD := $(BUILD_DIR)/embedded_app

.PHONY: deps build run test install format clean bench

deps:
	bash scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja
	ninja -C $(BUILD_DIR) -j$(JOBS)

run: build
	./$(BUILD_DIR)/databus run

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)
	$(MAKE) --no-print-directory install PREFIX=$(TEST_PREFIX)
	cmake -S examples/embedded_app -B $(EXAMPLE_BUILD) -G Ninja \
	  -DCMAKE_PREFIX_PATH=$(TEST_PREFIX)
	ninja -C $(EXAMPLE_BUILD) -j$(JOBS)
	./$(EXAMPLE_BUILD)/embedded_app

install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

format:
	find src include tests examples -name '*.h' -o -name '*.cc' | xargs -r clang-format -i

bench: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DDATABUS_BUILD_BENCHMARKS=ON
	ninja -C $(BUILD_DIR) -j$(JOBS) databus_benchmarks databus_cli
	./$(BUILD_DIR)/benchmarks/databus_benchmarks

clean:
	rm -rf $(BUILD_DIR)
