# Shared by the test scripts that need npm packages (sourced, not run):
#   skip REASON             exit 77 (ctest: skipped), or 1 under CI, where
#                           `make test` installed node and npm, so that a
#                           broken set-up cannot pass as "skipped".
#   npm_deps SRC_DIR WORK   installs SRC_DIR's package.json, pinned by its
#                           package-lock.json, into WORK/npm (again only when
#                           the lock file changed or WORK/npm/node_modules is
#                           gone); skips when node, npm or the registry is missing.
# The caller sets `label` (what is skipped) before calling either.

skip() {
  echo "$label skipped: $1"
  if [ -n "${CI:-}" ]; then echo "(CI is set: failing instead)"; exit 1; fi
  exit 77
}

npm_deps() {
  local src=$1 work=$2 tool
  for tool in node npm; do
    command -v "$tool" >/dev/null 2>&1 || skip "no $tool"
  done
  mkdir -p "$work/npm"
  if ! cmp -s "$src/package-lock.json" "$work/npm/package-lock.json" ||
     [ ! -d "$work/npm/node_modules" ]; then
    cp "$src/package.json" "$src/package-lock.json" "$work/npm/"
    if ! (cd "$work/npm" && npm ci --no-audit --no-fund --loglevel=error); then
      rm -f "$work/npm/package-lock.json"  # Try again next time.
      skip "npm ci failed (is the npm registry reachable?)"
    fi
  fi
}
