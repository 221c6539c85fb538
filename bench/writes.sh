#!/bin/sh
# bench/writes.sh [RATE] [SECONDS]: write latency of `refuge serve` at a
# constant rate with concurrent readers (reliability.md A11/F3), on an
# encrypted store and on a plaintext one in the same run.
#
# For each store: a fresh database with the example case and an API token,
# `refuge serve --threads 4` on a free loopback port, wrk (1 thread, 8
# connections) reading a case, its findings and the case list for the whole
# time, and bench/writes.py sending RATE (default 200) new events per second
# for SECONDS (default 20), open loop. Prints RESULT lines for writes and
# reads; the target is write p99 <= 50 ms with 0 errors.
set -eu
RATE=${1:-200}
SECS=${2:-20}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${BENCH_BUILD_DIR:-build-release}
OUT=bench/out
mkdir -p "$OUT"
if [ -z "${REFUGE:-}" ]; then
    cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$BUILD" -j2 --target refuge >/dev/null
fi
R=${REFUGE:-$ROOT/$BUILD/refuge}
command -v wrk >/dev/null || { echo "bench/writes.sh: needs wrk" >&2; exit 1; }
DIR=$(mktemp -d "${TMPDIR:-/tmp}/refuge-writes.XXXXXX")
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
printf 'bench passphrase\n' >"$DIR/pass"
export REFUGE_PASSPHRASE_FILE="$DIR/pass"
CASE=kz-2019-xuar-asylum-seekers
for mode in enc plain; do
    export REFUGE_DB="$DIR/$mode.db"
    if [ "$mode" = plain ]; then
        "$R" init --plaintext >/dev/null 2>&1
    else
        "$R" init --kdf-memory 8 --kdf-ops 1 >/dev/null
    fi
    "$R" import -q examples/kazakhstan-2019.json
    TOKEN=$("$R" token add "w-$mode" --role admin 2>/dev/null | grep -o 'rfg_[A-Za-z0-9_-]*' | head -1)
    rm -f "$DIR/port"
    "$R" serve --listen 127.0.0.1:0 --port-file "$DIR/port" --threads 4 2>"$DIR/serve.log" &
    SERVER=$!
    i=0
    while [ ! -s "$DIR/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    PORT=$(cat "$DIR/port")
    cat >"$DIR/read.lua" <<LUA
local paths = {"/api/cases/$CASE", "/api/cases?limit=50", "/api/cases/$CASE/findings"}
local i = 0
request = function()
    i = i + 1
    return wrk.format("GET", paths[(i % #paths) + 1], {["Authorization"] = "Bearer $TOKEN"})
end
LUA
    wrk -t1 -c8 -d"$((SECS + 2))s" --latency -s "$DIR/read.lua" "http://127.0.0.1:$PORT" >"$DIR/wrk.txt" 2>&1 &
    WRK=$!
    echo "== $mode"
    python3 bench/writes.py "$PORT" "$TOKEN" "$RATE" "$SECS" kaster-musakhanuly "w$mode" |
        sed "s/name=writes/name=writes mode=$mode/"
    wait $WRK
    reads=$(awk '/Requests\/sec/ { print $2 }' "$DIR/wrk.txt")
    rp99=$(awk '$1 == "99%" { print $2 }' "$DIR/wrk.txt")
    echo "RESULT name=reads mode=$mode requests_per_s=$reads p99=$rp99"
    kill -TERM $SERVER
    wait $SERVER || true
    SERVER=
done
