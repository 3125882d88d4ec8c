#!/usr/bin/env bash
# The example plugin (examples/plugin) end to end: Databus is installed into a
# scratch prefix, the plugin is built against that installation's SDK and
# installed, and the installed `databus` loads it with --plugin-dir, lists
# its components with their origin, checks a configuration using them and
# drives a passenger through its puller, processor and pusher. Plugins built
# for another ABI, and shared libraries that are no plugin, are refused.
#   plugin_example_test.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$1
source=$2
work=$3
fail() { echo "FAILED: $*"; exit 1; }

rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
databus="$prefix/bin/databus"

cmake -S "$source/examples/plugin" -B "$work/plugin-build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/plugin-build" >/dev/null
cmake --install "$work/plugin-build" --prefix "$work/plugin-prefix" >/dev/null
plugin=$(find "$work/plugin-prefix" -name note_plugin.so)
[ -n "$plugin" ] || fail "note_plugin.so was not installed"
plugins=$(dirname "$plugin")

# The catalog names the plugin each component came from.
"$databus" components --plugin-dir "$plugins" >"$work/components"
grep -qx "puller example.puller.counter  (plugin $plugin)" "$work/components" ||
  fail "components does not show the plugin's puller: $(grep example "$work/components")"
grep -q "puller databus.puller.directory  (built in)" "$work/components" ||
  fail "components does not show the built-ins"
"$databus" components --json --plugin-dir "$plugins" >"$work/components.json"
grep -q "\"plugin\": \"$plugin\"" "$work/components.json" || fail "components --json lacks the plugin"

# A client whose passenger uses the plugin's components.
out="$work/out"
mkdir -p "$out" "$work/data/clients/notes"
cat >"$work/data/clients/notes/config.json" <<JSON
{"passengers": [{"name": "example.passenger.note",
  "pullers": [{"module": "example.puller.counter", "count": 2, "prefix": "n"}],
  "processors": ["example.processor.stamp"],
  "pushers": [{"module": "example.pusher.folder", "path": "$out"}]}],
 "users": [{"username": "admin", "password": "a long password"}]}
JSON
"$databus" check --config "$work/data/clients/notes/config.json" --plugin-dir "$plugins" \
  >"$work/check" || fail "check --config with the plugin: $(cat "$work/check")"
status=0
"$databus" check --config "$work/data/clients/notes/config.json" >"$work/check" || status=$?
[ "$status" -eq 1 ] || fail "check --config without the plugin: exit $status"
grep -q "unknown puller module 'example.puller.counter'" "$work/check" ||
  fail "without the plugin, the puller is not reported unknown: $(cat "$work/check")"

"$databus" drive --data-dir "$work/data" --plugin-dir "$plugins" notes example.passenger.note \
  >"$work/drive" || fail "the drive failed: $(cat "$work/drive")"
[ "$(cat "$out/n-1.txt")" = "note n-1 (stamped)" ] || fail "n-1.txt: $(cat "$out/n-1.txt" 2>&1)"
[ "$(cat "$out/n-2.txt")" = "note n-2 (stamped)" ] || fail "n-2.txt: $(cat "$out/n-2.txt" 2>&1)"
[ ! -e "$out/n-3.txt" ] || fail "count 2 made a third note"

# A plugin built for another ABI: refused with a clear error, exit 2.
mkdir -p "$work/bad-abi" "$work/not-plugin"
cat >"$work/bad.c" <<'C'
int databus_plugin_abi_version(void) { return 999; }
const char* databus_plugin_sdk_version(void) { return "9.9.9"; }
void databus_plugin_register(void* registry) { (void)registry; }
C
cc -shared -fPIC -o "$work/bad-abi/bad.so" "$work/bad.c"
status=0
"$databus" components --plugin-dir "$work/bad-abi" >/dev/null 2>"$work/err" || status=$?
[ "$status" -eq 2 ] || fail "a plugin of another ABI: exit $status"
grep -q "bad.so was built for plugin ABI 999 (Databus 9.9.9); this databus has ABI" "$work/err" ||
  fail "the ABI error does not say so: $(cat "$work/err")"
grep -q "rebuild it" "$work/err" || fail "the ABI error gives no remedy: $(cat "$work/err")"

echo 'int unrelated(void) { return 1; }' >"$work/other.c"
cc -shared -fPIC -o "$work/not-plugin/other.so" "$work/other.c"
status=0
"$databus" run --no-web --data-dir "$work/data" --plugin-dir "$work/not-plugin" \
  >/dev/null 2>"$work/err" || status=$?
[ "$status" -eq 2 ] || fail "run with a library that is no plugin: exit $status"
grep -q "other.so is not a Databus plugin" "$work/err" || fail "no clear error: $(cat "$work/err")"

status=0
"$databus" run --no-web --data-dir "$work/data" --plugin-dir "$work/missing" \
  >/dev/null 2>"$work/err" || status=$?
[ "$status" -eq 2 ] || fail "run with a missing plugin folder: exit $status"
grep -q "plugin directory $work/missing does not exist" "$work/err" ||
  fail "no clear error: $(cat "$work/err")"
echo "plugin tests passed"
