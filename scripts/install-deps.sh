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
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg -s "$package" >/dev/null 2>&1; then
    missing+=("$package")
  fi
done

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
