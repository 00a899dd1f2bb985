#!/usr/bin/env bash
# Installs what Patron needs to build, test and run on a fresh Debian 12
# (bookworm), as root or through sudo. Idempotent: packages already present
# are left alone, and `apt-get update` runs only when something is missing.
#
#   ./scripts/setup.sh         # as root, or a user with sudo
set -euo pipefail

PACKAGES=(
  build-essential cmake git pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev
  libnats-dev nats-server liblmdb-dev libspdlog-dev catch2 libtomlplusplus-dev
  libhowardhinnant-date-dev tzdata ca-certificates python3
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "setup: missing packages (${missing[*]}); run as root or install sudo" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
