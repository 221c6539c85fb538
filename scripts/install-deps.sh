#!/bin/sh
# install-deps.sh: installs the Debian 12 packages refuge needs to build and
# test, if they are missing, and the browser tests' npm packages (exact
# versions from tests/browser/package-lock.json, with `npm ci`). Needs root
# (or sudo) only when a Debian package is missing.
set -eu
cd "$(dirname "$0")/.."

PACKAGES="build-essential cmake pkg-config
libsqlite3-dev libjansson-dev libyajl-dev libicu-dev libsodium-dev libmicrohttpd-dev
libcmocka-dev iso-codes sqlite3 ca-certificates jq curl clang-format
nodejs chromium"

# The browser tests' tools (playwright-core, axe-core): reinstalled only when
# the lock file changed since the last `npm ci`.
npm_ci() {
    command -v npm >/dev/null || { echo "install-deps: npm is missing (it comes with nodejs >= 20)" >&2; exit 1; }
    if ! cmp -s tests/browser/package-lock.json tests/browser/node_modules/.refuge-lock 2>/dev/null; then
        (cd tests/browser && npm ci --no-audit --no-fund && cp package-lock.json node_modules/.refuge-lock)
    fi
}

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -z "$missing" ]; then
    npm_ci
    exit 0
fi

echo "installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
npm_ci
