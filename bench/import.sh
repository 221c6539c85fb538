#!/bin/sh
# bench/import.sh [N]: the import/export benchmark (see bench/README.md).
#
# Builds refuge (Release; only the refuge target, the benchmark needs
# nothing else) and bench/out/synth, generates a bundle of N cases
# (default 100000: 3N persons, 10N events), then, one after the other:
#   floor   synth inserts the same rows into the same schema with prepared
#           statements in one transaction
#   import  refuge --db bench/out/import.db import bench/out/bundle.json
#   export  refuge --db bench/out/import.db export > bench/out/export.json
# and prints seconds, rows/s and peak resident memory for each, with the
# ratios import/floor and export/import and the targets' verdicts.
#
# Run nothing else heavy on the machine meanwhile: the figures are only
# comparable within one run.
#
# Environment (optional):
#   BENCH_BUILD_DIR   build directory (default build-release)
#   BENCH_CMAKE_ARGS  extra arguments for the configure step, e.g.
#                     -DREFUGE_WERROR=OFF; use with a BENCH_BUILD_DIR of its
#                     own so that build-release's cache is left alone
set -eu

N=${1:-100000}
case $N in
'' | *[!0-9]*)
    echo "usage: bench/import.sh [N]  (N cases, default 100000)" >&2
    exit 2
    ;;
esac

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=bench/out
mkdir -p "$OUT"
TIME=/usr/bin/time
if [ ! -x "$TIME" ]; then
    echo "bench/import.sh: needs GNU time at $TIME (Debian: apt-get install time)" >&2
    exit 1
fi

BUILD=${BENCH_BUILD_DIR:-build-release}
echo "== building refuge (Release, $BUILD) and synth"
# shellcheck disable=SC2086 # BENCH_CMAKE_ARGS is a list of words
if ! { cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release ${BENCH_CMAKE_ARGS:-} &&
    cmake --build "$BUILD" -j2 --target refuge; } >"$OUT/build.log" 2>&1; then
    tail -n 30 "$OUT/build.log" >&2
    echo "bench/import.sh: the Release build failed (full log: $OUT/build.log)" >&2
    exit 1
fi
# shellcheck disable=SC2046 # pkg-config prints separate words
cc -O2 -Wall -Wextra -o "$OUT/synth" bench/synth.c $(pkg-config --cflags --libs sqlite3)
REFUGE=$BUILD/refuge

rmdb() {
    rm -f "$1" "$1-wal" "$1-shm" "$1-journal"
}

# Rows in all tables of a database (with the sqlite3 shell, if installed).
count_rows() {
    if command -v sqlite3 >/dev/null 2>&1; then
        sqlite3 "$1" "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'" |
            while read -r t; do sqlite3 "$1" "SELECT count(*) FROM \"$t\""; done |
            awk '{ n += $1 } END { print n + 0 }'
    else
        echo "?"
    fi
}

# measure NAME OUTFILE CMD...: runs CMD under GNU time with stdout to OUTFILE;
# leaves "seconds peak_kib" in $OUT/NAME.time.
measure() {
    name=$1
    dest=$2
    shift 2
    if ! "$TIME" -f '%e %M' -o "$OUT/$name.time" "$@" >"$dest" 2>"$OUT/$name.err"; then
        head -n 40 "$OUT/$name.err" >&2
        echo "bench/import.sh: $name failed (stderr: $OUT/$name.err)" >&2
        exit 1
    fi
    # GNU time may print a line about the exit status before the figures.
    tail -n 1 "$OUT/$name.time" >"$OUT/$name.time.tmp" && mv "$OUT/$name.time.tmp" "$OUT/$name.time"
}

echo "== generating $N cases into $OUT/bundle.json"
"$OUT/synth" json "$N" >"$OUT/bundle.json"
BUNDLE_MIB=$(du -m "$OUT/bundle.json" | cut -f1)
sync

echo "== floor"
rmdb "$OUT/floor.db"
measure floor "$OUT/floor.txt" "$OUT/synth" floor "$N" "$OUT/floor.db"
ROWS=$(awk '$1 == "rows" { print $2 }' "$OUT/floor.txt")
FLOOR_INSERT_RATE=$(awk '$1 == "insert_rows_per_second" { print $2 }' "$OUT/floor.txt")
FLOOR_STORED=$(count_rows "$OUT/floor.db")
rmdb "$OUT/floor.db"
sync

echo "== import"
rmdb "$OUT/import.db"
rm -f "$OUT/import.db.keys"
# A plaintext store, so that the figures compare with the floor's plain
# SQLite and the sqlite3 shell can count rows (bench/encryption.sh measures
# what encryption costs).
"$REFUGE" --db "$OUT/import.db" init --plaintext >/dev/null 2>&1
measure import "$OUT/import.txt" "$REFUGE" --db "$OUT/import.db" import "$OUT/bundle.json"
sync

IMPORT_STORED=$(count_rows "$OUT/import.db")

echo "== export"
measure export "$OUT/export.json" "$REFUGE" --db "$OUT/import.db" export
EXPORT_MIB=$(du -m "$OUT/export.json" | cut -f1)
rmdb "$OUT/import.db"

read -r FLOOR_S FLOOR_KIB <"$OUT/floor.time"
read -r IMPORT_S IMPORT_KIB <"$OUT/import.time"
read -r EXPORT_S EXPORT_KIB <"$OUT/export.time"

echo
echo "N=$N cases, $((3 * N)) persons, $((10 * N)) events; $ROWS rows in all tables;" \
    "bundle ${BUNDLE_MIB} MiB, export ${EXPORT_MIB} MiB"
echo "rows stored: floor $FLOOR_STORED, import $IMPORT_STORED;" \
    "floor insert loop alone: $FLOOR_INSERT_RATE rows/s"
awk -v rows="$ROWS" \
    -v fs="$FLOOR_S" -v fk="$FLOOR_KIB" \
    -v is="$IMPORT_S" -v ik="$IMPORT_KIB" \
    -v es="$EXPORT_S" -v ek="$EXPORT_KIB" '
function rate(s) { return s > 0 ? rows / s : 0 }
function verdict(ok) { return ok ? "PASS" : "FAIL" }
BEGIN {
    printf "%-8s %10s %12s %10s\n", "step", "seconds", "rows/s", "peak MiB"
    printf "%-8s %10.2f %12.0f %10.1f\n", "floor", fs, rate(fs), fk / 1024
    printf "%-8s %10.2f %12.0f %10.1f\n", "import", is, rate(is), ik / 1024
    printf "%-8s %10.2f %12.0f %10.1f\n", "export", es, rate(es), ek / 1024
    ri = fs > 0 ? is / fs : 0
    re = is > 0 ? es / is : 0
    printf "\n"
    printf "import/floor  %5.2fx  (target <= 2.00x)     %s\n", ri, verdict(ri <= 2)
    printf "import memory %5.1f MiB (target < 256 MiB) %s\n", ik / 1024, verdict(ik < 256 * 1024)
    printf "export/import %5.2fx  (target <= 2.00x)     %s\n", re, verdict(re <= 2)
}'
