#!/bin/sh
# bench/search.sh [N] [Q]: the person search benchmark (see bench/README.md).
#
# Builds the libraries in Release and bench/out/search_bench from
# bench/search_bench.c, then generates N synthetic persons (default
# 100000), imports them (keys built on the way), rebuilds the keys alone,
# and searches Q planted variants (default 1000): recall@1, recall@10 and
# query latency. With PostgreSQL's pg_trgm available (BENCH_PG=1 and psql
# reaching a server through the usual PG* variables), the same persons and
# queries are run there too, for comparison.
#
# Environment (optional):
#   BENCH_BUILD_DIR   build directory (default build-bench-search)
set -eu

N=${1:-100000}
Q=${2:-1000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=bench/out
BUILD=${BENCH_BUILD_DIR:-build-bench-search}
mkdir -p "$OUT"

cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >"$OUT/search-build.log" 2>&1
cmake --build "$BUILD" -j2 --target refuge >>"$OUT/search-build.log" 2>&1
L="$BUILD/src"
# shellcheck disable=SC2046
cc -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -Isrc -I"$L" bench/search_bench.c \
    "$L/librefuge_service.a" "$L/librefuge_store.a" "$L/librefuge_bundle.a" \
    "$L/librefuge_check.a" "$L/librefuge_proof.a" "$L/librefuge_text.a" "$L/librefuge_domain.a" \
    "$L/librefuge_refdata_files.a" "$L/librefuge_core.a" \
    $(pkg-config --libs sqlite3 libsodium jansson yajl icu-i18n icu-uc) -lm -lpthread \
    -o "$OUT/search_bench"

echo "search benchmark: $N persons, $Q queries ($(nproc) cores)"
"$OUT/search_bench" "$N" "$Q" "$OUT/search.db" "$OUT/search-persons.tsv" "$OUT/search-queries.tsv"
rm -f "$OUT/search.db" "$OUT/search.db-wal" "$OUT/search.db-shm"

if [ "${BENCH_PG:-0}" = 1 ] && command -v psql >/dev/null 2>&1; then
    echo "PostgreSQL pg_trgm on the same data:"
    sh bench/search_pg.sh "$OUT/search-persons.tsv" "$OUT/search-queries.tsv"
else
    echo "PostgreSQL comparison skipped (set BENCH_PG=1 with a reachable server and psql)"
fi
