#!/bin/sh
# soak.sh: a bounded mixed load on `refuge serve` over loopback, sampling the
# server's resident memory, open file descriptors and WAL size every 10 s
# (reliability.md F4).
#
#   bench/soak.sh [DB] [SECONDS]
#   bench/soak.sh --report [SECONDS]   (the figures of the last run again)
#
# One wrk run (2 threads, 16 connections, a Lua script) sends a fixed mix:
# of every 20 requests 16 are reads (80%: one case, a page of 50 cases, a
# case's findings, one event, one person), 3 are writes (15%: a small bundle
# imported with POST /api/import, each changing one event's description) and
# 1 is a search (5%: GET /api/search, names and words in turn). Every
# response that is not 2xx counts as an error, by kind. The database is
# copied first (DB is left as it was). Stops by itself after SECONDS
# (default 600); the first 60 s are the warm-up. REFUGE names the binary to
# use (default: a Release build in build-release).
#
# RSS growth compares the mean of the six samples after the warm-up with the
# mean of the last six under load (single samples swing by some MiB with the
# requests in flight); the floor (lowest sample) of each minute is shown too.
# Prints the samples, then
#   RESULT name=soak secs=... requests=... reads=... writes=... searches=...
#          errors=... rss_warm_kib=... rss_end_kib=... rss_max_kib=...
#          rss_floor_warm_kib=... rss_floor_end_kib=... rss_growth_pct=... fd_warm=...
#          fd_end=... fd_delta=... fd_after_load=... wal_max_bytes=...
# and exits non-zero when a target is missed (RSS growth after warm-up
# above 5%, an fd delta, or any error).
set -eu
cd "$(dirname "$0")/.."
OUT=bench/out/soak
REPORT=no
if [ "${1:-}" = --report ]; then
    REPORT=yes
    SECS=${2:-600}
else
    SRC_DB=${1:-bench/out/import.db}
    SECS=${2:-600}
fi
WARM=60
[ "$SECS" -gt "$WARM" ] || WARM=$((SECS / 2))
mkdir -p "$OUT"
if [ "$REPORT" = no ]; then
[ -f "$SRC_DB" ] || { echo "no database $SRC_DB: run bench/import.sh first"; exit 1; }
command -v wrk >/dev/null || { echo "soak.sh needs wrk (apt-get install wrk)"; exit 1; }
if [ -z "${REFUGE:-}" ]; then
    cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build-release -j2 --target refuge >/dev/null
fi
R=${REFUGE:-build-release/refuge}
DB=$OUT/soak.db
rm -f "$DB" "$DB-wal" "$DB-shm"
sqlite3 "$SRC_DB" ".backup '$DB'"
export REFUGE_DB="$DB"
TOKEN=$($R token add "soak-$$" --role admin 2>/dev/null | grep -o 'rfg_[A-Za-z0-9_-]*' | head -1)
CASE=$($R cases --json | jq -r '.[0].id')
$R export --case "$CASE" > "$OUT/case.json"
PERSON=$(jq -r '.cases[0].subjects[0]' "$OUT/case.json")
EVENT=$(jq -r '.events[0].id' "$OUT/case.json")
NAME=$(jq -r --arg p "$PERSON" '.persons[] | select(.id == $p) | .names[0].full' "$OUT/case.json" | jq -Rr @uri)
WORD=$(jq -r '.events[0].description // "court"' "$OUT/case.json" | tr -cs 'A-Za-z' '\n' | awk 'length > 4' | head -1)
[ -n "$WORD" ] || WORD=court

rm -f "$OUT/port"
$R serve --listen 127.0.0.1:0 --port-file "$OUT/port" --threads 2 2>"$OUT/serve.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; true' EXIT
for i in $(seq 1 1200); do [ -s "$OUT/port" ] && break; sleep 0.1; done # quick_check of a large store first
PORT=$(cat "$OUT/port")

cat > "$OUT/mix.lua" <<LUA
-- 20-request cycle: 16 reads, 3 writes, 1 search (80/15/5).
local auth = "Bearer $TOKEN"
local reads = {"/api/cases/$CASE", "/api/cases?limit=50", "/api/cases/$CASE/findings",
               "/api/events/$EVENT", "/api/persons/$PERSON"}
local searches = {"/api/search?q=$NAME", "/api/search?q=$WORD&type=text"}
-- Counters are globals: done() reads them from each thread with get().
i, n_read, n_write, n_search, e_read, e_write, e_search = 0, 0, 0, 0, 0, 0, 0
local kinds = {}
local threads = {}
local tid = 0

function setup(thread)
    tid = tid + 1
    thread:set("tid", tid)
    table.insert(threads, thread)
end

function init(args)
    i = tid * 7
end

request = function()
    i = i + 1
    local slot = i % 20
    local kind, req
    if slot < 16 then
        kind = 1
        req = wrk.format("GET", reads[(i % #reads) + 1], {["Authorization"] = auth})
    elseif slot < 19 then
        kind = 2
        local body = string.format('{"format": "refuge-bundle/1", "events": [{"id": "$EVENT", ' ..
            '"type": "other", "date": "2020-01-01", "persons": ["$PERSON"], ' ..
            '"description": "soak write %d-%d"}]}', tid, i)
        req = wrk.format("POST", "/api/import", {["Authorization"] = auth,
            ["Content-Type"] = "application/json"}, body)
    else
        kind = 3
        req = wrk.format("GET", searches[(i % #searches) + 1], {["Authorization"] = auth})
    end
    table.insert(kinds, kind)
    return req
end

response = function(status, headers, body)
    local kind = table.remove(kinds, 1) or 1
    local bad = status < 200 or status > 299
    if kind == 1 then n_read = n_read + 1; if bad then e_read = e_read + 1 end
    elseif kind == 2 then n_write = n_write + 1; if bad then e_write = e_write + 1 end
    else n_search = n_search + 1; if bad then e_search = e_search + 1 end end
    if bad and (e_read + e_write + e_search) <= 5 then
        io.stderr:write(string.format("kind %d status %d: %s\n", kind, status, string.sub(body, 1, 200)))
    end
end

done = function(summary, latency, requests)
    local t = {0, 0, 0, 0, 0, 0}
    for _, th in ipairs(threads) do
        t[1] = t[1] + th:get("n_read"); t[2] = t[2] + th:get("n_write")
        t[3] = t[3] + th:get("n_search"); t[4] = t[4] + th:get("e_read")
        t[5] = t[5] + th:get("e_write"); t[6] = t[6] + th:get("e_search")
    end
    local sock = summary.errors.connect + summary.errors.read + summary.errors.write +
        summary.errors.timeout
    io.write(string.format("MIX reads=%d writes=%d searches=%d read_errors=%d write_errors=%d " ..
        "search_errors=%d socket_errors=%d p50_ms=%.2f p99_ms=%.2f\n", t[1], t[2], t[3], t[4], t[5], t[6],
        sock, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
# One connection's requests are answered in order (no pipelining), so the
# queue of kinds in `response` matches the requests.
wrk -t2 -c16 -d"${SECS}s" --timeout 10s --latency -s "$OUT/mix.lua" "http://127.0.0.1:$PORT" \
    > "$OUT/wrk.txt" 2>"$OUT/wrk.err" &
WRK=$!

: > "$OUT/samples.txt"
sample() {
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")
    fds=$(ls "/proc/$SERVER/fd" | wc -l)
    wal=$(stat -c %s "$DB-wal" 2>/dev/null || echo 0)
    echo "$1 $rss $fds $wal" >> "$OUT/samples.txt"
    printf '%5ss  rss %6s KiB  fds %4s  wal %10s bytes\n' "$1" "$rss" "$fds" "$wal"
}
start=$(date +%s)
sample 0
next=10
while [ "$next" -lt "$SECS" ]; do
    now=$(($(date +%s) - start))
    if [ "$now" -lt "$next" ]; then
        sleep 1
        continue
    fi
    sample "$next"
    next=$((next + 10))
done
wait $WRK || true
sleep 1
sample after
cat "$OUT/wrk.txt"
[ -s "$OUT/wrk.err" ] && head -5 "$OUT/wrk.err"

fi
mix=$(grep '^MIX' "$OUT/wrk.txt" || echo "MIX reads=0 writes=0 searches=0 read_errors=1")
val() { echo "$mix" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
errors=$(($(val read_errors) + $(val write_errors) + $(val search_errors) + $(val socket_errors)))
requests=$(($(val reads) + $(val writes) + $(val searches)))
# Warm-up ends at the first sample at or after WARM seconds; the end is the
# last sample taken under load ("after" is taken once wrk has closed its
# connections, for information).
awk -v warm="$WARM" -v reqs="$requests" -v errs="$errors" -v secs="$SECS" \
    -v r="$(val reads)" -v w="$(val writes)" -v s="$(val searches)" '
    $4 > walmax { walmax = $4 }
    $1 == "after" { fa = $3; next }
    $1 + 0 >= warm { n++; t[n] = $2; f[n] = $3; if ($2 > rmax) rmax = $2 }
    END {
        k = n < 6 ? n : 6
        for (i = 1; i <= k; i++) {
            a += t[i]; b += t[n - k + i]
            if (i == 1 || t[i] < fa1) fa1 = t[i]
            if (i == 1 || t[n - k + i] < fb1) fb1 = t[n - k + i]
        }
        rw = k ? a / k : 0; re = k ? b / k : 0
        g = rw ? 100 * (re - rw) / rw : 0
        fw = f[1]; fe = f[n]
        printf "RESULT name=soak secs=%d requests=%d reads=%d writes=%d searches=%d errors=%d rss_warm_kib=%d rss_end_kib=%d rss_max_kib=%d rss_floor_warm_kib=%d rss_floor_end_kib=%d rss_growth_pct=%.1f fd_warm=%d fd_end=%d fd_delta=%d fd_after_load=%d wal_max_bytes=%d\n",
            secs, reqs, r, w, s, errs, rw, re, rmax, fa1, fb1, g, fw, fe, fe - fw, fa, walmax
        fail = (g > 5) + (fe != fw) + (errs != 0) + (reqs == 0)
        printf "%d passed, %d failed\n", 4 - fail, fail
        exit fail ? 1 : 0
    }' "$OUT/samples.txt"
