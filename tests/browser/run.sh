#!/bin/sh
# run.sh: the browser tests of the web interface (ui.test.mjs): a fresh
# store with the example case, `refuge serve` on a loopback port, and
# playwright-core driving Debian's chromium headless. Screenshots go to
# $REFUGE_BUILD/browser-output. Exits 77 (skipped) only when node or
# chromium is missing.
set -u
: "${REFUGE:?}" "${REFUGE_SOURCE:?}" "${REFUGE_BUILD:?}"
HERE="$REFUGE_SOURCE/tests/browser"
CHROMIUM="${CHROMIUM:-$(command -v chromium || true)}"
if ! command -v node >/dev/null || [ -z "$CHROMIUM" ]; then
    echo "skipped: node or chromium is not installed"
    exit 77
fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
    echo "playwright-core needs Node.js 20 or later; this is $(node --version)"
    exit 1
fi
if [ ! -d "$HERE/node_modules/playwright-core" ] || [ ! -d "$HERE/node_modules/axe-core" ]; then
    (cd "$HERE" && npm ci --no-audit --no-fund) || { echo "npm ci failed"; exit 1; }
fi
OUT="$REFUGE_BUILD/browser-output"
rm -rf "$OUT"
mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/refuge-browser.XXXXXX")
SERVER=""
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
export REFUGE_DB="$TMP/ui.db"
# An encrypted store, as users get by default, with the cheapest key
# derivation (docs/security.md) so that each command unlocks at once.
(umask 077; printf 'browser test passphrase\n' >"$TMP/.passphrase")
export REFUGE_PASSPHRASE_FILE="$TMP/.passphrase" REFUGE_KDF_COST=8,1
"$REFUGE" import "$REFUGE_SOURCE/examples/kazakhstan-2019.json" >/dev/null || exit 1
printf 'web interface test\n' | "$REFUGE" user add admin --role admin >/dev/null || exit 1
printf 'a researcher password\n' | "$REFUGE" user add rita --role researcher >/dev/null || exit 1
# One recorded check run, so that the case has a history of findings.
"$REFUGE" check >/dev/null || exit 1
"$REFUGE" serve --listen 127.0.0.1:0 --port-file "$TMP/port" 2>"$OUT/server.log" &
SERVER=$!
for _ in $(seq 1 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
[ -s "$TMP/port" ] || { echo "the server did not start"; cat "$OUT/server.log"; exit 1; }
BASE="http://127.0.0.1:$(cat "$TMP/port")" USER_NAME=admin USER_PASSWORD='web interface test' \
    PASSPHRASE='browser test passphrase' \
    OUT="$OUT" CHROMIUM="$CHROMIUM" \
    node "$HERE/ui.test.mjs"
