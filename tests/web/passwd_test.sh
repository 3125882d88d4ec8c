#!/usr/bin/env bash
# `databus passwd CLIENT USER` stores an Argon2id hash read from stdin, backs
# the configuration up first, and refuses unknown users and short passwords.
#   passwd_test.sh DATABUS_BINARY
set -euo pipefail
databus=$1
dir=$(mktemp -d "${TMPDIR:-/tmp}/databus-passwd-XXXXXX")
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAILED: $*"; exit 1; }

"$databus" init --demo --data-dir "$dir/data" >/dev/null
config="$dir/data/clients/demo/config.json"
grep -q '"password": "demo"' "$config" || fail "the fresh demo user has no plaintext password"

printf 'a long new password\n' | "$databus" passwd demo demo --data-dir "$dir/data" >"$dir/out"
grep -q 'Argon2id' "$dir/out" || fail "no confirmation: $(cat "$dir/out")"
grep -q '"password": "\$argon2id\$' "$config" || fail "not stored as an Argon2id hash"
ls "$dir/data/clients/demo/backup/" | grep -q '__databus__' || fail "no backup written"

status=0
printf 'a long new password\n' | "$databus" passwd demo nobody --data-dir "$dir/data" \
  >/dev/null 2>"$dir/err" || status=$?
[ "$status" -eq 2 ] || fail "unknown user: exit $status"
grep -q nobody "$dir/err" || fail "the error does not name the user"

status=0
printf 'short\n' | "$databus" passwd demo demo --data-dir "$dir/data" >/dev/null 2>&1 || status=$?
[ "$status" -eq 2 ] || fail "short password: exit $status"
echo "passwd tests passed"
