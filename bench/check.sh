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

# t LABEL OUTFILE CMD...: runs CMD with its output in OUTFILE and prints
# LABEL with the wall seconds and peak KB of CMD.
t() {
    label=$1
    file=$2
    shift 2
    /usr/bin/time -f '%e %M' -o "$OUT/check.time" "$@" >"$file"
    echo "$label (s, KB): $(cat "$OUT/check.time")"
}

echo "cases: $($R --db "$DB" cases --json | jq length)"
t "floor SELECT count(*) FROM event" /dev/null sqlite3 "$DB" 'SELECT count(*) FROM event'
t "check --json, all cases" "$OUT/findings.json" $R --db "$DB" check --json --no-record --as-of 2026-01-01
echo "findings: $(jq length "$OUT/findings.json")"
CASE=$($R --db "$DB" cases --json | jq -r '.[length / 2 | floor].id')
for i in 1 2 3; do
    t "check --case $CASE" /dev/null $R --db "$DB" check --case "$CASE" --json --no-record --as-of 2026-01-01
done
t "process start alone, refuge version" /dev/null $R version
