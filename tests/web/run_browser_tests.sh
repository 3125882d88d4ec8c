#!/usr/bin/env bash
# Runs the browser tests (tests/web/browser) against a `databus run` on a
# fresh data directory and a free port. Called by ctest:
#   run_browser_tests.sh DATABUS_BINARY WORK_DIR [SCREENSHOT_DIR]
# WORK_DIR keeps the npm installation between runs. Exits 77 (skipped) when
# chromium, node or npm is missing or playwright-core cannot be installed,
# except under CI (CI set), where `make test` installed them: there a missing
# piece is a failure, so a broken set-up cannot pass as "skipped".
set -euo pipefail

databus=$1
work=$2
shots=${3:-}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# shellcheck source=../lib/npm_deps.sh
. "$here/../lib/npm_deps.sh"
label="browser tests"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || skip "no chromium"
# playwright-core from npm, pinned by package-lock.json.
npm_deps "$here/browser" "$work"

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
