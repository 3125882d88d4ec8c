#!/usr/bin/env bash
# Runs the browser tests (tests/web/browser) against a `databus run` on a
# fresh data directory and a free port. Called by ctest:
#   run_browser_tests.sh DATABUS_BINARY WORK_DIR [SCREENSHOT_DIR]
# WORK_DIR keeps the npm installation between runs. Exits 77 (skipped) when
# chromium, node or npm is missing or playwright-core cannot be installed,
# except under CI (CI set), where `make test` installed them: there a missing
# piece is a failure, so a broken set-up cannot pass as "skipped".
set -euo pipefail

skip() {
  echo "browser tests skipped: $1"
  if [ -n "${CI:-}" ]; then echo "(CI is set: failing instead)"; exit 1; fi
  exit 77
}

databus=$1
work=$2
shots=${3:-}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

for tool in node npm; do
  command -v "$tool" >/dev/null 2>&1 || skip "no $tool"
done
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || skip "no chromium"

# playwright-core from npm, pinned by package-lock.json; reinstalled only when
# the lock file changes.
mkdir -p "$work/npm"
if ! cmp -s "$here/browser/package-lock.json" "$work/npm/package-lock.json" ||
   [ ! -d "$work/npm/node_modules/playwright-core" ]; then
  cp "$here/browser/package.json" "$here/browser/package-lock.json" "$work/npm/"
  if ! (cd "$work/npm" && npm ci --no-audit --no-fund --loglevel=error); then
    rm -f "$work/npm/package-lock.json"  # Try again next time.
    skip "npm ci failed (is the npm registry reachable?)"
  fi
fi

run_dir=$(mktemp -d "${TMPDIR:-/tmp}/databus-browser-XXXXXX")
databus_pid=""
cleanup() {
  if [ -n "$databus_pid" ]; then
    kill -TERM "$databus_pid" 2>/dev/null || true
    wait "$databus_pid" 2>/dev/null || true
  fi
  rm -rf "$run_dir"
}
trap cleanup EXIT

"$databus" run --demo --data-dir "$run_dir/data" --port 0 --alias "Browser test" --workers 2 \
  --cycle-ms 200 >"$run_dir/out" 2>"$run_dir/err" &
databus_pid=$!

# The port is printed once the web interface listens (bounded wait).
url=""
for _ in $(seq 1 200); do
  url=$(sed -n 's|^web interface: \(http://[^ ]*\)/$|\1|p' "$run_dir/out" | head -n 1)
  [ -n "$url" ] && break
  if ! kill -0 "$databus_pid" 2>/dev/null; then
    echo "databus run exited early:"; cat "$run_dir/err"; exit 1
  fi
  sleep 0.1
done
[ -n "$url" ] || { echo "databus run did not report its web address"; cat "$run_dir/err"; exit 1; }

NODE_PATH="$work/npm/node_modules" node "$here/browser/browser_test.js" "$url" $shots
