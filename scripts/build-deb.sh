#!/usr/bin/env bash
# Builds the Debian package of Databus from a built tree (`make package`):
#   build-deb.sh BUILD_DIR OUT_DIR
# The package installs /usr/bin/databus, the systemd unit, /etc/databus
# (flags file and secrets file, both conffiles), a man page made from
# --help by help2man, and the docs; its maintainer scripts make the databus
# user and /var/lib/databus (packaging/debian, docs/operations.md). Prints
# the path of the .deb it wrote.
set -euo pipefail

build=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pkg="$here/packaging/debian"
binary="$build/databus"
[ -x "$binary" ] || { echo "build-deb: no $binary; build first (make build)" >&2; exit 2; }

version=$("$binary" --version | sed -n 's/^databus \([0-9][^ ]*\)$/\1/p')
[ -n "$version" ] || { echo "build-deb: cannot read the version of $binary" >&2; exit 2; }
arch=$(dpkg --print-architecture)
work="$build/deb"
root="$work/root"
rm -rf "$work"
mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/databus" \
  "$root/usr/share/man/man1" "$root/usr/share/doc/databus/img" "$root/usr/share/lintian/overrides"

install -m 0755 "$binary" "$root/usr/bin/databus"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/databus"
install -m 0644 "$pkg/databus.service" "$root/lib/systemd/system/databus.service"
install -m 0644 "$pkg/databus.conf" "$root/etc/databus/databus.conf"
install -m 0600 "$pkg/environment" "$root/etc/databus/environment"
install -m 0644 "$pkg/lintian-overrides" "$root/usr/share/lintian/overrides/databus"

# The man page: the program's --help, and each command's below it.
include="$work/commands.h2m"
{
  echo "[COMMANDS]"
  for command in $("$binary" --help | sed -n '/^Subcommands:/,/^$/s/^  \([a-z]\+\) .*/\1/p'); do
    echo ".SS \"databus $command\""
    echo ".nf"
    "$binary" "$command" --help | sed 's/\\/\\\\/g; s/^\./\\\&./'
    echo ".fi"
  done
  echo "[FILES]"
  echo "/etc/databus/databus.conf, /etc/databus/environment, /var/lib/databus,"
  echo "/usr/share/doc/databus/operations.md"
} >"$include"
help2man --no-info --no-discard-stderr --section 1 --source "Databus $version" \
  --name "asynchronous integration middleware" --include "$include" \
  --output "$work/databus.1" "$binary"
gzip -9n -c "$work/databus.1" >"$root/usr/share/man/man1/databus.1.gz"

doc="$root/usr/share/doc/databus"
install -m 0644 "$pkg/copyright" "$doc/copyright"
install -m 0644 "$here/README.md" "$here"/docs/*.md "$doc/"
install -m 0644 "$here"/docs/img/*.png "$doc/img/"
# A native package's changelog, dated by the last commit (reproducible).
date=$(git -C "$here" log -1 --format=%aD 2>/dev/null || date -R)
printf 'databus (%s) unstable; urgency=medium\n\n  * Built from the Databus repository; see its history.\n\n -- Databus maintainers <maintainers@databus.example.org>  %s\n' \
  "$version" "$date" | gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"

install -m 0755 "$pkg/postinst" "$pkg/prerm" "$pkg/postrm" "$root/DEBIAN/"
printf '/etc/databus/databus.conf\n/etc/databus/environment\n' >"$root/DEBIAN/conffiles"

# The shared libraries' packages, as dpkg-shlibdeps finds them (it wants a
# debian/control beside it).
mkdir -p "$work/shlibs/debian"
printf 'Source: databus\n\nPackage: databus\nArchitecture: any\n' >"$work/shlibs/debian/control"
depends=$(cd "$work/shlibs" && dpkg-shlibdeps -O "$root/usr/bin/databus" 2>/dev/null |
  sed -n 's/^shlibs:Depends=//p')
size=$(du -k -s --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: databus
Version: $version
Architecture: $arch
Maintainer: Databus maintainers <maintainers@databus.example.org>
Installed-Size: $size
Depends: adduser, $depends
Section: net
Priority: optional
Description: asynchronous integration middleware
 Databus pulls passengers (e-mails, orders, files with their attachments)
 from source systems, queues them durably, processes them (filter, convert,
 validate) and pushes them to target systems, on a schedule, for many
 independent clients at once.
 .
 This package runs it as a hardened systemd service (databus.service) with
 its data in /var/lib/databus and a web interface on 127.0.0.1:5000.
CONTROL
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z |
  xargs -0 md5sum >DEBIAN/md5sums)
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

deb="$out/databus_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
