#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ (docs/security.md, "Fuzzing"), one
# after the other, each for SECONDS: first over its whole corpus (the seeds
# kept in fuzz/corpus/<target> and what earlier runs found), then mutating.
#
#   scripts/run-fuzz.sh BUILD_DIR SECONDS [TARGET...]
#
# TARGET is a name like passenger_json (default: every target). New inputs
# go to BUILD_DIR/fuzz-corpus/<target>, never into the repository; a crash is
# written to BUILD_DIR/fuzz-crashes/<target>/ and fails the run (exit 1)
# after the remaining targets have run. To keep a found input as a seed,
# minimise it (<target>_fuzzer -minimize_crash=1 / -merge=1) and copy it into
# fuzz/corpus/<target>/.
#
# With FUZZ_RUNS=N in the environment (make fuzz-ci), each target instead
# runs its corpus and then N mutated inputs from a fixed seed, starting from
# an empty work folder: the same code gives the same inputs on every machine,
# so CI repeats what passed here instead of finding something new at random
# (finding new things is what `make fuzz` is for).
set -uo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS [TARGET...]" >&2
  exit 2
fi
build=$1
seconds=$2
shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(passenger_json original_data client_config mime_message zip_archive http_request)
fi

# Stack traces for UBSan reports too (ASan prints them anyway).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

failed=()
for target in "${targets[@]}"; do
  program=$build/fuzz/${target}_fuzzer
  seeds=$here/fuzz/corpus/$target
  work=$build/fuzz-corpus/$target
  crashes=$build/fuzz-crashes/$target
  if [ ! -x "$program" ]; then
    echo "run-fuzz: $program is not built (make fuzz builds it)" >&2
    exit 2
  fi
  mkdir -p "$crashes"
  options=(-timeout=30 -rss_limit_mb=4096 -max_len=65536
           -print_final_stats=1 -artifact_prefix="$crashes/")
  if [ -n "${FUZZ_RUNS:-}" ]; then
    work=$build/fuzz-ci-corpus/$target
    rm -rf "$work"
    options+=(-runs="$FUZZ_RUNS" -seed=1)
  else
    options+=(-max_total_time="$seconds")
  fi
  mkdir -p "$work"
  if [ -f "$here/fuzz/$target.dict" ]; then
    options+=(-dict="$here/fuzz/$target.dict")
  fi
  if [ -n "${FUZZ_RUNS:-}" ]; then
    echo "run-fuzz: $target, its corpus and $FUZZ_RUNS inputs from seed 1"
  else
    echo "run-fuzz: $target for ${seconds}s"
  fi
  if ! "$program" "${options[@]}" "$work" "$seeds" 2> "$build/fuzz-$target.log"; then
    echo "run-fuzz: $target FAILED; the input is in $crashes, the report in $build/fuzz-$target.log" >&2
    grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz check failed|.*runtime error)' "$build/fuzz-$target.log" | head -5 >&2
    failed+=("$target")
  else
    grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$build/fuzz-$target.log" |
      tr '\n' ' '
    echo
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "run-fuzz: crashes in ${failed[*]}" >&2
  exit 1
fi
echo "run-fuzz: ${#targets[@]} targets, no crash"
