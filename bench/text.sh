#!/bin/sh
# bench/text.sh [N] [Q]: the full-text search benchmark (see bench/README.md).
#
# Builds the libraries in Release and bench/out/text_bench from
# bench/text_bench.c, generates N documents (default 200000), imports them
# (the text index is written with them) and times Q top-10 queries of each
# class (rare word, common word, two terms; default 300) through refuge's
# text search, next to FTS5's stock ranking; then, on the same documents and
# queries, PostgreSQL tsvector/GIN (bench/text_pg.sh) and Lucene
# (bench/TextBench.java; Debian's liblucene8-java is installed with apt-get
# when missing, which needs root).
#
# Environment (optional):
#   BENCH_BUILD_DIR   build directory (default build-bench-search)
#   BENCH_PG=0        leave PostgreSQL out;  BENCH_LUCENE=0  leave Lucene out
set -eu

N=${1:-200000}
Q=${2:-300}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=bench/out
BUILD=${BENCH_BUILD_DIR:-build-bench-search}
mkdir -p "$OUT"

cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >"$OUT/text-build.log" 2>&1
cmake --build "$BUILD" -j2 --target refuge >>"$OUT/text-build.log" 2>&1
L="$BUILD/src"
# shellcheck disable=SC2046
cc -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -Isrc -I"$L" bench/text_bench.c \
    "$L/librefuge_service.a" "$L/librefuge_store.a" "$L/librefuge_bundle.a" \
    "$L/librefuge_check.a" "$L/librefuge_text.a" "$L/librefuge_domain.a" \
    "$L/librefuge_refdata_files.a" "$L/librefuge_core.a" \
    $(pkg-config --libs sqlite3 libsodium jansson yajl icu-i18n icu-uc) -lm -lpthread \
    -o "$OUT/text_bench"

echo "text benchmark: $N documents, $Q queries per class ($(nproc) cores)"
echo "refuge (SQLite FTS5):"
"$OUT/text_bench" "$N" "$Q" "$OUT/text.db" "$OUT/text-docs.tsv" "$OUT/text-queries.tsv"
rm -f "$OUT/text.db" "$OUT/text.db-wal" "$OUT/text.db-shm"

if [ "${BENCH_PG:-1}" = 1 ]; then
    echo "PostgreSQL tsvector/GIN, ts_rank:"
    sh bench/text_pg.sh "$OUT/text-docs.tsv" "$OUT/text-queries.tsv"
fi

if [ "${BENCH_LUCENE:-1}" = 1 ]; then
    if ! ls /usr/share/java/lucene-core-8*.jar >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
            liblucene8-java >"$OUT/text-apt.log" 2>&1
    fi
    CP=$(ls /usr/share/java/lucene-core-8*.jar /usr/share/java/lucene-analyzers-common-8*.jar \
        /usr/share/java/lucene-queryparser-8*.jar | tr '\n' ':')
    mkdir -p "$OUT/java"
    javac -d "$OUT/java" -cp "$CP" bench/TextBench.java
    echo "Lucene (BM25, in memory):"
    java -Xmx2g -cp "$OUT/java:$CP" TextBench "$OUT/text-docs.tsv" "$OUT/text-queries.tsv"
fi
