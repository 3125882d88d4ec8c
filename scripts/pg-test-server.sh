#!/usr/bin/env bash
# Starts and stops a throw-away PostgreSQL server for the tests.
#
#   scripts/pg-test-server.sh start DIR   initdb + start on a free loopback port;
#                                         writes DIR/conninfo (a libpq string)
#   scripts/pg-test-server.sh stop DIR    stops it and removes its data
#
# Uses the binaries of Debian's postgresql package. PostgreSQL refuses to run
# as root, so as root the server runs as the system user `databus-test`
# (created when missing). When that user cannot reach DIR (a build tree under
# a private home), the cluster lives in a directory under /tmp instead and
# DIR/cluster names it. Password authentication over TCP is on, so the tests
# exercise the password path; the password is written to DIR/conninfo only.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$2
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

bindir=${PG_BINDIR:-}
if [ -z "$bindir" ]; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
[ -x "$bindir/pg_ctl" ] || { echo "pg-test-server: no PostgreSQL server binaries (apt-get install postgresql)" >&2; exit 1; }

run_as=()
owner=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
  owner=databus-test
  if ! id -u "$owner" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
  fi
  run_as=(runuser -u "$owner" --)
fi

cluster_file="$dir/cluster"

stop() {
  [ -f "$cluster_file" ] || return 0
  local cluster
  cluster=$(cat "$cluster_file")
  if [ -f "$cluster/data/postmaster.pid" ]; then
    "${run_as[@]}" "$bindir/pg_ctl" -D "$cluster/data" -m fast -w -t 60 stop >/dev/null || true
  fi
  rm -rf "$cluster"
  rm -f "$cluster_file" "$dir/conninfo"
}

start() {
  stop  # A server left over from an interrupted run.
  local cluster="$dir/pg-cluster"
  rm -rf "$cluster"
  mkdir -p "$cluster"
  if [ ${#run_as[@]} -gt 0 ]; then
    chown "$owner" "$cluster"
    if ! "${run_as[@]}" test -w "$cluster"; then
      rmdir "$cluster"
      cluster=$(mktemp -d /tmp/databus-pg-XXXXXX)
      chown "$owner" "$cluster"
    fi
  fi
  echo "$cluster" > "$cluster_file"

  local password
  password="test-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
  "${run_as[@]}" bash -c "umask 077 && printf '%s\n' '$password' > '$cluster/pwfile'"
  "${run_as[@]}" "$bindir/initdb" -D "$cluster/data" -U databus --pwfile="$cluster/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 \
    >"$cluster/initdb.log" 2>&1 || { cat "$cluster/initdb.log" >&2; exit 1; }

  # A free loopback port: try random ones until the server comes up.
  local port
  for attempt in $(seq 1 20); do
    port=$(( 20000 + RANDOM % 20000 ))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi  # Taken.
    if "${run_as[@]}" "$bindir/pg_ctl" -D "$cluster/data" -w -t 60 -l "$cluster/server.log" \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $cluster -c fsync=on -c max_connections=200" \
        start >/dev/null; then
      printf 'host=127.0.0.1 port=%s dbname=postgres user=databus password=%s\n' \
        "$port" "$password" > "$dir/conninfo"
      echo "pg-test-server: running on 127.0.0.1:$port, data in $cluster/data"
      return 0
    fi
  done
  cat "$cluster/server.log" >&2 || true
  echo "pg-test-server: could not start a server" >&2
  exit 1
}

case "$action" in
  start) start ;;
  stop) stop; echo "pg-test-server: stopped" ;;
  *) usage ;;
esac
