#!/usr/bin/env bash
# Starts and stops a throw-away MariaDB server for the tests.
#
#   scripts/mariadb-test-server.sh start DIR   installs a data directory, starts
#                                              the server on a free loopback port;
#                                              writes DIR/conninfo (ODBC keys:
#                                              Server=...;Port=...;Database=...;Uid=...;Pwd=...)
#   scripts/mariadb-test-server.sh stop DIR    stops it and removes its data
#
# Uses Debian's mariadb-server binaries. As root the server runs as the system
# user `databus-test` (created when missing), like scripts/pg-test-server.sh;
# when that user cannot reach DIR the data lives under /tmp and DIR/cluster
# names it. The tests log in over TCP with a password (written to
# DIR/conninfo only); root is reached over the server's socket alone.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$2
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] ||
  { echo "mariadb-test-server: no MariaDB server (apt-get install mariadb-server)" >&2; exit 1; }
server=$(command -v mariadbd || echo /usr/sbin/mariadbd)

owner=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
  owner=databus-test
  if ! id -u "$owner" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
  fi
fi

cluster_file="$dir/cluster"

stop() {
  [ -f "$cluster_file" ] || return 0
  local cluster
  cluster=$(cat "$cluster_file")
  if [ -f "$cluster/server.pid" ]; then
    local pid
    pid=$(cat "$cluster/server.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 120); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
  fi
  rm -rf "$cluster"
  rm -f "$cluster_file" "$dir/conninfo"
}

start() {
  stop  # A server left over from an interrupted run.
  local cluster="$dir/mariadb-cluster"
  rm -rf "$cluster"
  mkdir -p "$cluster"
  if [ "$owner" != "$(id -un)" ]; then
    chown "$owner" "$cluster"
    if ! runuser -u "$owner" -- test -w "$cluster"; then
      rmdir "$cluster"
      cluster=$(mktemp -d /tmp/databus-mariadb-XXXXXX)
      chown "$owner" "$cluster"
    fi
  fi
  chmod 755 "$cluster"
  echo "$cluster" > "$cluster_file"

  mariadb-install-db --no-defaults --datadir="$cluster/data" --user="$owner" \
    --auth-root-authentication-method=socket --skip-test-db >"$cluster/install.log" 2>&1 ||
    { cat "$cluster/install.log" >&2; exit 1; }

  local password port socket="$cluster/server.sock"
  password="test-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
  for attempt in $(seq 1 20); do
    port=$(( 20000 + RANDOM % 20000 ))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi  # Taken.
    "$server" --no-defaults --datadir="$cluster/data" --user="$owner" --socket="$socket" \
      --port="$port" --bind-address=127.0.0.1 --pid-file="$cluster/server.pid" \
      --log-error="$cluster/server.log" --innodb-buffer-pool-size=64M \
      --max-connections=200 >/dev/null 2>&1 &
    for _ in $(seq 1 120); do
      if mariadb-admin --no-defaults --socket="$socket" -uroot ping >/dev/null 2>&1; then break; fi
      kill -0 $! 2>/dev/null || break
      sleep 0.5
    done
    if mariadb-admin --no-defaults --socket="$socket" -uroot ping >/dev/null 2>&1; then
      mariadb --no-defaults --socket="$socket" -uroot <<SQL
CREATE DATABASE databus_test;
CREATE USER 'databus'@'127.0.0.1' IDENTIFIED BY '$password';
CREATE USER 'databus'@'localhost' IDENTIFIED BY '$password';
GRANT ALL ON databus_test.* TO 'databus'@'127.0.0.1';
GRANT ALL ON databus_test.* TO 'databus'@'localhost';
SQL
      (umask 077 && printf 'Server=127.0.0.1;Port=%s;Database=databus_test;Uid=databus;Pwd=%s\n' \
        "$port" "$password" > "$dir/conninfo")
      echo "mariadb-test-server: running on 127.0.0.1:$port, data in $cluster/data"
      return 0
    fi
  done
  cat "$cluster/server.log" >&2 || true
  echo "mariadb-test-server: could not start a server" >&2
  exit 1
}

case "$action" in
  start) start ;;
  stop) stop; echo "mariadb-test-server: stopped" ;;
  *) usage ;;
esac
