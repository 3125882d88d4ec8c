#!/usr/bin/env bash
# The Debian package end to end: builds it from the built tree
# (scripts/build-deb.sh), lints it (no lintian error), installs it on this
# machine, checks what it installed and made (the databus user, the data
# directory, the unit), runs `databus --version` and `databus init` as the
# databus user, purges it and checks the machine is as before.
#   package_test.sh BUILD_DIR WORK_DIR
# Exits 77 (skipped) when not root or when a databus package or user already
# exists here (it would be changed); under CI (CI set) a missing tool fails.
set -euo pipefail

skip() {
  echo "package test skipped: $1"
  if [ -n "${CI:-}" ] && [ "${2:-}" != "always" ]; then echo "(CI is set: failing instead)"; exit 1; fi
  exit 77
}
fail() { echo "FAILED: $*"; exit 1; }

build=$1
work=$2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

[ "$(id -u)" -eq 0 ] || skip "not root (the test installs the package)" always
for tool in dpkg-deb dpkg-shlibdeps help2man lintian apt-get runuser; do
  command -v "$tool" >/dev/null 2>&1 || skip "no $tool (scripts/install-deps.sh installs it)"
done
if dpkg-query -W -f='${Status}' databus 2>/dev/null | grep -q installed; then
  skip "a databus package is installed here; the test would replace it" always
fi
getent passwd databus >/dev/null && skip "a databus user exists here" always
owned_paths=(/usr/bin/databus /lib/systemd/system/databus.service /etc/databus /var/lib/databus
  /var/log/databus /usr/share/doc/databus /usr/share/man/man1/databus.1.gz
  /etc/systemd/system/databus.service
  /var/lib/systemd/deb-systemd-helper-enabled/databus.service.dsh-also
  /var/lib/systemd/deb-systemd-helper-masked/databus.service
  /usr/share/lintian/overrides/databus)
for path in "${owned_paths[@]}"; do
  [ -e "$path" ] && skip "$path exists here" always
done

rm -rf "$work"
mkdir -p "$work"
deb=$("$here/scripts/build-deb.sh" "$build" "$work")
echo "built $deb"

# No lintian error (warnings and notes are printed, not failed on).
lintian --fail-on error --tag-display-limit 0 "$deb" | tee "$work/lintian.txt" ||
  fail "lintian reports errors"

# dpkg waits for a lock another apt holds, up to 5 minutes.
dpkg_tool() { apt-get -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends "$@"; }
installed=""
cleanup() {
  if [ -n "$installed" ]; then dpkg_tool purge databus >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
installed=yes
dpkg_tool install "$deb" >"$work/install.txt" 2>&1 || { cat "$work/install.txt"; fail "install"; }

uid=$(id -u databus) || fail "no databus user after the install"
[ "$uid" -lt 1000 ] || fail "databus is no system user (uid $uid)"
[ "$(stat -c '%U:%G %a' /var/lib/databus)" = "databus:databus 750" ] ||
  fail "/var/lib/databus: $(stat -c '%U:%G %a' /var/lib/databus)"
[ "$(stat -c '%U:%G %a' /etc/databus/environment)" = "root:root 600" ] ||
  fail "/etc/databus/environment: $(stat -c '%U:%G %a' /etc/databus/environment)"
for path in /usr/bin/databus /lib/systemd/system/databus.service /etc/databus/databus.conf \
  /usr/share/man/man1/databus.1.gz /usr/share/doc/databus/operations.md \
  /usr/share/doc/databus/copyright; do
  [ -f "$path" ] || fail "$path not installed"
done
zcat /usr/share/man/man1/databus.1.gz | grep -q 'databus init' || fail "the man page lacks the commands"

# The unit as systemd reads it (both work without systemd as PID 1).
if command -v systemd-analyze >/dev/null 2>&1; then
  systemd-analyze verify /lib/systemd/system/databus.service 2>&1 | tee "$work/verify.txt"
  grep -q 'databus.service' "$work/verify.txt" && fail "systemd-analyze verify complains"
  systemd-analyze security --offline=true --threshold=30 /lib/systemd/system/databus.service \
    >"$work/security.txt" 2>&1 || { cat "$work/security.txt"; fail "exposure above 3.0"; }
  tail -n 1 "$work/security.txt"
fi

version=$(cd /var/lib/databus && runuser -u databus -- databus --version)
[ "$version" = "$("$build/databus" --version)" ] || fail "installed version: $version"
(cd /var/lib/databus && runuser -u databus -- databus init --data-dir /var/lib/databus) \
  >"$work/init.txt" || { cat "$work/init.txt"; fail "databus init as databus"; }
cat "$work/init.txt"
grep -Eq 'client root: created \(user root, password [0-9a-f]{32} ' "$work/init.txt" ||
  fail "init printed no random root password"
grep -q demo "$work/init.txt" && fail "a production init created the demo"
[ "$(stat -c %U /var/lib/databus/clients/root/config.json)" = databus ] ||
  fail "the store is not the databus user's"
grep -q '"password": "\$argon2id\$' /var/lib/databus/clients/root/config.json ||
  fail "the root password is not stored hashed"
(cd /var/lib/databus && runuser -u databus -- databus check --data-dir /var/lib/databus) >/dev/null ||
  fail "databus check on the fresh store"

dpkg_tool purge databus >"$work/purge.txt" 2>&1 || { cat "$work/purge.txt"; fail "purge"; }
installed=""
for path in "${owned_paths[@]}"; do
  [ -e "$path" ] && fail "$path is left after the purge"
done
getent passwd databus >/dev/null && fail "the databus user is left after the purge"
getent group databus >/dev/null && fail "the databus group is left after the purge"
echo "package test passed"
