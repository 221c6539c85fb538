#!/bin/sh
# install-deps.sh: installs the Debian 12 packages refuge needs to build and
# test, if they are missing (nodejs and chromium for the browser tests, whose
# npm packages scripts/test.sh installs with `npm ci`). Needs root (or sudo)
# only when something is missing.
set -eu

PACKAGES="build-essential cmake pkg-config
libsqlite3-dev libjansson-dev libyajl-dev libicu-dev libsodium-dev libmicrohttpd-dev
libcmocka-dev iso-codes sqlite3 ca-certificates jq curl clang-format nodejs openssl chromium
clang-14 libclang-rt-14-dev llvm-14 wrk linux-perf"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
