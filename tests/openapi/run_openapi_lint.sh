#!/usr/bin/env bash
# Lints docs/openapi.yaml with Redocly CLI (npm, pinned by package-lock.json)
# against redocly.yaml beside this script. Called by ctest:
#   run_openapi_lint.sh OPENAPI_FILE WORK_DIR
# WORK_DIR keeps the npm installation between runs. Exits 77 (skipped) when
# node or npm is missing or the package cannot be installed, except under CI
# (CI set), where `make test` installed them: there it is a failure.
set -euo pipefail

spec=$1
work=$2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/npm_deps.sh
. "$here/../lib/npm_deps.sh"
label="OpenAPI lint"
npm_deps "$here" "$work"

# No telemetry, no update notice: the lint talks to nobody.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
"$work/npm/node_modules/.bin/redocly" lint --config "$here/redocly.yaml" "$spec"
