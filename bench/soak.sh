#!/bin/sh
# soak.sh: a bounded mixed load on `refuge serve` over loopback, sampling the
# server's resident memory, open file descriptors and WAL size every 10 s.
#
#   bench/soak.sh [DB] [SECONDS]
#
# Reads (one case, a page of cases, a case's findings, the health check) come
# from wrk with 16 connections; writes (a small bundle imported once a
# second, so every import changes an event) come from a loop of curl. Stops by
# itself after SECONDS (default 600). REFUGE names the binary to use.
set -eu
cd "$(dirname "$0")/.."
DB=${1:-bench/out/import.db}
SECS=${2:-600}
OUT=bench/out/soak
mkdir -p "$OUT"
[ -f "$DB" ] || { echo "no database $DB: run bench/import.sh first"; exit 1; }
if [ -z "${REFUGE:-}" ]; then
    cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build-rel -j2 --target refuge >/dev/null
fi
R=${REFUGE:-build-rel/refuge}
export REFUGE_DB="$DB"
TOKEN=$($R token add "soak-$$" --role admin 2>/dev/null | grep -o 'rfg_[A-Za-z0-9_-]*' | head -1)
CASE=$($R cases --json | jq -r '.[0].id')
PERSON=$($R export --case "$CASE" | jq -r '.cases[0].subjects[0]')

rm -f "$OUT/port"
$R serve --listen 127.0.0.1:0 --port-file "$OUT/port" --threads 2 2>"$OUT/serve.log" &
SERVER=$!
for i in $(seq 1 100); do [ -s "$OUT/port" ] && break; sleep 0.1; done
PORT=$(cat "$OUT/port")
trap 'kill $SERVER 2>/dev/null; true' EXIT

cat > "$OUT/mix.lua" <<LUA
local paths = {"/api/cases/$CASE", "/api/cases?limit=50", "/api/cases/$CASE/findings", "/api/health"}
local i = 0
request = function()
    i = i + 1
    return wrk.format("GET", paths[(i % #paths) + 1], {["Authorization"] = "Bearer $TOKEN"})
end
LUA
wrk -t1 -c16 -d"${SECS}s" -s "$OUT/mix.lua" "http://127.0.0.1:$PORT" > "$OUT/wrk.txt" 2>&1 &
WRK=$!

writes=0
fails=0
sample() {
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")
    fds=$(ls "/proc/$SERVER/fd" | wc -l)
    wal=$(stat -c %s "$DB-wal" 2>/dev/null || echo 0)
    printf '%5ss  rss %6s KiB  fds %4s  wal %10s bytes  writes %s (failed %s)\n' "$1" "$rss" "$fds" "$wal" "$writes" "$fails"
}
start=$(date +%s)
next=0
while :; do
    now=$(($(date +%s) - start))
    [ "$now" -ge "$SECS" ] && break
    if [ "$now" -ge "$next" ]; then
        sample "$now"
        next=$((next + 10))
    fi
    printf '{"format": "refuge-bundle/1", "events": [{"id": "soak-ev", "type": "other", "date": "2020-01-01", "persons": ["%s"], "description": "write %s"}]}' "$PERSON" "$writes" > "$OUT/w.json"
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data-binary @"$OUT/w.json" "http://127.0.0.1:$PORT/api/import")
    writes=$((writes + 1))
    [ "$code" = 200 ] || fails=$((fails + 1))
    sleep 1
done
sample "$SECS"
wait $WRK || true
grep -E "Requests/sec|requests in|Non-2xx|Socket errors" "$OUT/wrk.txt" || true
$R token revoke "soak-$$" >/dev/null 2>&1 || true
