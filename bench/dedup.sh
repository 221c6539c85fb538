#!/bin/sh
# bench/dedup.sh [N]: `refuge dedup` against DuckDB (see bench/README.md,
# "Duplicates").
#
# Builds the libraries and refuge in Release and bench/out/search_bench, then
# generates N synthetic persons (default 1000000) of whom about 2% are planted
# twins written another way, imports them, and times `refuge dedup --json`
# (wall, CPU, peak RSS). The same stored keys and the blocks refuge's dedup
# uses are exported to CSV and DuckDB (npm @duckdb/node-api, pinned below, installed into
# bench/out/node_modules) runs the same blocking and Jaro-Winkler scoring;
# bench/dedup_duckdb.js prints its time and both systems' precision and
# recall on the planted pairs.
#
# Environment (optional):
#   BENCH_BUILD_DIR   build directory (default build-bench-search)
#   BENCH_THRESHOLD   dedup threshold for both systems (default 0.85)
#   DEDUP_DUCKDB_MEMORY  DuckDB's memory limit (e.g. 6GB; default: DuckDB's own)
#   DEDUP_DUCKDB_DISK    the most DuckDB may spill to disk (e.g. 40GB; default: DuckDB's own)
#   DEDUP_DUCKDB_TIMEOUT seconds after which DuckDB's step (loading and query) is
#                    stopped, or Kx: K times refuge's wall time plus 300 s for loading
#                    (default: none); the report then gives the time DuckDB's query
#                    ran unfinished as a lower bound
#   DEDUP_DB, DEDUP_TRUTH  an existing store and its truth file (written by
#                    `search_bench dedup N DB TRUTH` before): nothing is generated
#                    or imported and the store is kept (it is opened as refuge
#                    dedup opens it; a stale name index would be rebuilt in it)
set -eu

N=${1:-1000000}
THRESHOLD=${BENCH_THRESHOLD:-0.85}
CAP=5000 # DEDUP_CODE_MAX in src/service/search.c: no block is larger (for the report)
DUCKDB_VERSION=1.5.6-r.1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=bench/out
BUILD=${BENCH_BUILD_DIR:-build-bench-search}
mkdir -p "$OUT"

cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >"$OUT/dedup-build.log" 2>&1
cmake --build "$BUILD" -j2 --target refuge >>"$OUT/dedup-build.log" 2>&1
L="$BUILD/src"
# shellcheck disable=SC2046
cc -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -Isrc -I"$L" bench/search_bench.c \
    "$L/librefuge_service.a" "$L/librefuge_store.a" "$L/librefuge_bundle.a" \
    "$L/librefuge_check.a" "$L/librefuge_proof.a" "$L/librefuge_text.a" "$L/librefuge_domain.a" \
    "$L/librefuge_refdata_files.a" "$L/librefuge_core.a" \
    $(pkg-config --libs sqlite3 libsodium jansson yajl icu-i18n icu-uc) -lm -lpthread \
    -o "$OUT/search_bench"
if [ ! -d "$OUT/node_modules/@duckdb/node-api" ]; then
    npm install --prefix "$OUT" --no-save "@duckdb/node-api@$DUCKDB_VERSION" >"$OUT/dedup-npm.log" 2>&1
fi

echo "dedup benchmark: $N persons, threshold $THRESHOLD ($(nproc) cores)"
if [ -n "${DEDUP_DB:-}" ]; then
    DB=$DEDUP_DB
    cp "${DEDUP_TRUTH:?DEDUP_TRUTH: the truth file of DEDUP_DB}" "$OUT/dedup-truth.tsv"
    echo "store $DB, truth $DEDUP_TRUTH ($(wc -l <"$OUT/dedup-truth.tsv") persons)"
else
    DB="$OUT/dedup.db"
    rm -f "$DB" "$DB-wal" "$DB-shm"
    "$OUT/search_bench" dedup "$N" "$DB" "$OUT/dedup-truth.tsv"
fi

/usr/bin/time -f '%e %U %S %M' -o "$OUT/dedup-time.txt" \
    "$BUILD/refuge" --db "$DB" dedup --json --threshold "$THRESHOLD" >"$OUT/dedup-refuge.json"
read -r wall user sys rss <"$OUT/dedup-time.txt"
echo "refuge   dedup $wall s wall, $(awk "BEGIN { print $user + $sys }") s CPU, peak RSS $((rss / 1024)) MiB"

sqlite3 -csv "$DB" "SELECT kid, person, replace(key, char(10), '|') FROM name_key" \
    >"$OUT/dedup-keys.csv"
# The blocks refuge's dedup compares within (computed from the keys as it
# does, by the same code: service_dedup_blocks), not timed.
"$OUT/search_bench" blocks "$DB" "$OUT/dedup-blocks.csv"

# refuge's output (536 MB of JSON at 300,000 persons) and DuckDB's pairs are
# read whole: give Node a larger heap.
rm -f "$OUT/dedup-duckdb-seconds.txt" "$OUT/dedup-duckdb-started.txt"
rm -rf "$OUT/duckdb.tmp"
status=0
limit=${DEDUP_DUCKDB_TIMEOUT:-}
case $limit in
*x) limit=$(awk "BEGIN { printf \"%d\", ${limit%x} * $wall + 300 }") ;;
esac
if [ -n "$limit" ]; then
    echo "duckdb   stopped if not done in $limit s"
    timeout "$limit" \
        node --max-old-space-size=12288 bench/dedup_duckdb.js "$OUT" "$THRESHOLD" "$CAP" || status=$?
else
    node --max-old-space-size=12288 bench/dedup_duckdb.js "$OUT" "$THRESHOLD" "$CAP" || status=$?
fi
rm -rf "$OUT/duckdb.tmp"
if [ -s "$OUT/dedup-duckdb-seconds.txt" ]; then
    duck=$(cat "$OUT/dedup-duckdb-seconds.txt")
    echo "time ratio refuge/duckdb (wall) $(awk "BEGIN { printf \"%.2f\", $wall / $duck }")"
elif [ "$status" = 124 ] && [ -s "$OUT/dedup-duckdb-started.txt" ]; then
    ran=$(($(date +%s) - $(cat "$OUT/dedup-duckdb-started.txt")))
    echo "duckdb   query stopped unfinished after $ran s (DEDUP_DUCKDB_TIMEOUT):" \
        "time ratio refuge/duckdb (wall) below $(awk "BEGIN { printf \"%.2f\", $wall / $ran }")"
    # refuge's precision and recall all the same (no DuckDB).
    DEDUP_QUALITY_ONLY=1 node --max-old-space-size=12288 bench/dedup_duckdb.js "$OUT" "$THRESHOLD" "$CAP"
else
    echo "duckdb   failed (exit $status)" >&2
    exit 1
fi
if [ -z "${DEDUP_DB:-}" ]; then
    rm -f "$DB" "$DB-wal" "$DB-shm"
fi
