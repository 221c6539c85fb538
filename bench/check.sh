#!/bin/sh
# check.sh: `refuge check --json` over every case of a large store, and over
# one case, side by side with the floor `SELECT count(*) FROM event`.
#
#   bench/check.sh [DB]
#
# DB defaults to bench/out/check.db; when missing it is made from
# `bench/out/synth json 100000` (see bench/import.sh, which builds synth).
set -eu
cd "$(dirname "$0")/.."
DB=${1:-bench/out/check.db}
OUT=bench/out
mkdir -p "$OUT"
if [ -z "${REFUGE:-}" ]; then
    cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build-rel -j2 --target refuge >/dev/null
fi
R=${REFUGE:-build-rel/refuge}
if [ ! -f "$DB" ]; then
    [ -x "$OUT/synth" ] || cc -O2 -Wall -Wextra -o "$OUT/synth" bench/synth.c $(pkg-config --cflags --libs sqlite3)
    [ -f "$OUT/bundle-100000.json" ] || "$OUT/synth" json 100000 > "$OUT/bundle-100000.json"
    $R --db "$DB" init --plaintext >/dev/null 2>&1 # the floor below reads it with sqlite3
    $R --db "$DB" import -q "$OUT/bundle-100000.json"
fi
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 shell for the floor"; exit 1; }
command -v perf >/dev/null || { echo "needs perf (Debian: linux-perf) for the means"; exit 1; }

# t LABEL OUTFILE CMD...: runs CMD with its output in OUTFILE and prints
# LABEL with the wall seconds, the CPU seconds (user + system) and peak KB
# of CMD. On a shared machine the CPU seconds are the figure to compare.
t() {
    label=$1
    file=$2
    shift 2
    /usr/bin/time -f '%e %U %S %M' -o "$OUT/check.time" "$@" >"$file"
    awk -v l="$label" '{ printf "%s (s wall, s CPU, KB): %s %.2f %s\n", l, $1, $2 + $3, $4 }' "$OUT/check.time"
}

# mean LABEL N CMD...: runs CMD N times (output discarded) with perf stat
# and prints the mean wall and CPU (task-clock) milliseconds.
mean() {
    label=$1
    n=$2
    shift 2
    perf stat -r "$n" -e task-clock -o "$OUT/check.perf" "$@" >/dev/null
    awk -v l="$label" -v n="$n" '/task-clock/ { c = $1 } /seconds time elapsed/ { w = $1 * 1000 }
        END { printf "%s, mean of %d (ms wall, ms CPU): %.1f %.1f\n", l, n, w, c }' "$OUT/check.perf"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "cases: $($R --db "$DB" cases --json | jq length)"
t "floor SELECT count(*) FROM event" /dev/null sqlite3 "$DB" 'SELECT count(*) FROM event'
t "check --json, all cases" "$OUT/findings.json" $R --db "$DB" check --json --no-record --as-of 2026-01-01
echo "findings: $(jq length "$OUT/findings.json")"
CASE=$($R --db "$DB" cases --json | jq -r '.[length / 2 | floor].id')
mean "floor SELECT count(*) FROM event" 20 sqlite3 "$DB" 'SELECT count(*) FROM event'
mean "check --case $CASE --json" 20 $R --db "$DB" check --case "$CASE" --json --no-record --as-of 2026-01-01
mean "process start alone, refuge version" 20 $R version
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
