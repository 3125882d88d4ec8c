#!/usr/bin/env bash
# Installs the Debian packages Databus needs to build, test and format,
# asking apt only for those that are missing. Debian 12 (bookworm).
set -euo pipefail

packages=(
  build-essential
  cmake
  ninja-build
  nlohmann-json3-dev
  libcli11-dev
  libgtest-dev
  libgmock-dev
  libbenchmark-dev
  clang-format
  pkg-config
  # Web interface (issue 3): HTTP(S) server, password hashing, TLS; the
  # browser tests drive Debian's chromium.
  libcpp-httplib-dev
  libsodium-dev
  libssl-dev
  chromium
  # SQL engines (issue 4): SQLite, the PostgreSQL client library, and the
  # PostgreSQL server the tests start themselves (scripts/pg-test-server.sh).
  libsqlite3-dev
  libpq-dev
  postgresql
  # Connectors (issue 6): zip archives for databus.processor.unzip.
  libarchive-dev
  # HTTP connectors (issue 6): the client library.
  libcurl4-openssl-dev
  # E-mail connectors (issue 6): MIME parsing and writing; the IMAP server
  # and the SMTP server the tests start themselves (scripts/mail-test-server.sh,
  # whose certificate openssl, listed below, makes).
  libgmime-3.0-dev
  dovecot-imapd
  python3-aiosmtpd
  # The HTTPS connector test makes a self-signed certificate with openssl.
  openssl
  # SQL connectors (issue 19): unixODBC and Debian's ODBC drivers for
  # PostgreSQL, SQLite and MariaDB, and the MariaDB server the tests start
  # themselves (scripts/mariadb-test-server.sh).
  unixodbc-dev
  odbc-postgresql
  libsqliteodbc
  odbc-mariadb
  mariadb-server
  # The databus program's allocator (issue 5): tcmalloc_minimal.
  libgoogle-perftools-dev
  # Monitoring (issue 16): the process log through spdlog; promtool (in
  # prometheus) checks GET /metrics in the tests.
  libspdlog-dev
  prometheus
  # Compiler cache: repeated builds (and CI's fresh clone) reuse objects.
  ccache
  # Fuzzing (make fuzz, make fuzz-ci): Clang with libFuzzer and the
  # sanitizer runtimes (Debian 12: clang-14, libclang-rt-14-dev).
  clang
  libclang-rt-14-dev
  # Running as a service and the Debian package (issue 17): sd_notify from
  # libsystemd; the man page from --help (help2man), the package's
  # dependencies (dpkg-dev) and its lint (lintian); the maintainer scripts
  # make the databus user with adduser.
  libsystemd-dev
  help2man
  dpkg-dev
  lintian
  adduser
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg -s "$package" >/dev/null 2>&1; then
    missing+=("$package")
  fi
done
# The browser tests install playwright-core with npm. A machine with Node.js
# from elsewhere (e.g. NodeSource, whose nodejs bundles npm) keeps it.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-deps: not root and no sudo; install as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
