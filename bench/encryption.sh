#!/bin/sh
# bench/encryption.sh [N] [RUNS]: what encryption at rest costs (see
# bench/README.md and docs/security.md; plan: reliability.md B12).
#
# Builds refuge (Release) and bench/out/synth, generates a bundle of N cases
# (default 7000: 21,000 persons, 70,000 events, with their full-text rows),
# then RUNS times (default 3), alternating, imports it into a fresh
# plaintext store (init --plaintext) and a fresh encrypted one (init, KDF at
# the floor so that key derivation does not count), and exports each (every
# page read and decrypted). Reports the best time of each, rows/s, the
# encrypted/plaintext ratios and the file sizes, with the targets' verdicts
# (insert speed >= 80% of plaintext, size <= +3%). Speed is judged on CPU
# time (user + system, GNU time): on a shared machine the wall-clock time of
# the same import varies by more than the difference being measured; wall
# times are printed too.
set -eu

N=${1:-7000}
RUNS=${2:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=bench/out
mkdir -p "$OUT"
BUILD=${BENCH_BUILD_DIR:-build-release}
if ! { cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release &&
    cmake --build "$BUILD" -j2 --target refuge; } >"$OUT/enc-build.log" 2>&1; then
    tail -n 30 "$OUT/enc-build.log" >&2
    exit 1
fi
# shellcheck disable=SC2046 # pkg-config prints separate words
cc -O2 -Wall -Wextra -o "$OUT/synth" bench/synth.c $(pkg-config --cflags --libs sqlite3)
R=$BUILD/refuge
"$OUT/synth" json "$N" >"$OUT/enc-bundle.json"
CANARY=$(jq -r '.persons[0].names[0].full' "$OUT/enc-bundle.json")
printf 'bench passphrase\n' >"$OUT/enc-pass"
export REFUGE_PASSPHRASE_FILE="$ROOT/$OUT/enc-pass"

rmdb() {
    rm -f "$1" "$1-wal" "$1-shm" "$1.keys"
}

# now: seconds since the epoch with nanoseconds
now() {
    date +%s.%N
}

best_plain_imp=999999
best_enc_imp=999999
best_plain_exp=999999
best_enc_exp=999999
best_plain_wall=999999
best_enc_wall=999999
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench/encryption.sh: needs GNU time (apt-get install time)" >&2; exit 1; }

# min A B: the smaller number
min() {
    awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'
}

# cpu FILE: user + system seconds from a GNU time "%e %U %S" file
cpu() {
    tail -n 1 "$1" | awk '{ print $2 + $3 }'
}
i=0
while [ "$i" -lt "$RUNS" ]; do
    for mode in plain enc; do
        db="$OUT/enc-$mode.db"
        rmdb "$db"
        if [ "$mode" = plain ]; then
            "$R" --db "$db" init --plaintext >/dev/null 2>&1
        else
            "$R" --db "$db" init --kdf-memory 8 --kdf-ops 1 >/dev/null
        fi
        sync
        t0=$(now)
        "$TIME" -f '%e %U %S' -o "$OUT/enc-imp.time" "$R" --db "$db" import -q "$OUT/enc-bundle.json" >/dev/null
        t1=$(now)
        "$TIME" -f '%e %U %S' -o "$OUT/enc-exp.time" "$R" --db "$db" export >"$OUT/enc-export.json"
        wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
        imp=$(cpu "$OUT/enc-imp.time")
        exp=$(cpu "$OUT/enc-exp.time")
        size=$(stat -c %s "$db")
        echo "run $((i + 1)) $mode: import ${wall}s wall ${imp}s CPU, export ${exp}s CPU, size $size bytes"
        if [ "$mode" = plain ]; then
            best_plain_wall=$(min "$wall" "$best_plain_wall")
            best_plain_imp=$(min "$imp" "$best_plain_imp")
            best_plain_exp=$(min "$exp" "$best_plain_exp")
            plain_size=$size
        else
            best_enc_wall=$(min "$wall" "$best_enc_wall")
            best_enc_imp=$(min "$imp" "$best_enc_imp")
            best_enc_exp=$(min "$exp" "$best_enc_exp")
            enc_size=$size
            hits=$(cat "$db" "$db-wal" 2>/dev/null | grep -caF -- "$CANARY" || true)
        fi
    done
    i=$((i + 1))
done
rmdb "$OUT/enc-plain.db"
rmdb "$OUT/enc-enc.db"
rm -f "$OUT/enc-export.json"

awk -v n="$N" -v pi="$best_plain_imp" -v ei="$best_enc_imp" -v pe="$best_plain_exp" \
    -v ee="$best_enc_exp" -v ps="$plain_size" -v es="$enc_size" -v hits="$hits" \
    -v pw="$best_plain_wall" -v ew="$best_enc_wall" '
function verdict(ok) { return ok ? "PASS" : "FAIL" }
BEGIN {
    speed = ei > 0 ? pi / ei : 0
    rspeed = ee > 0 ? pe / ee : 0
    grow = ps > 0 ? (es - ps) / ps * 100 : 0
    wspeed = ew > 0 ? pw / ew : 0
    printf "N=%d cases (%d persons, %d events)\n", n, 3 * n, 10 * n
    printf "best of the runs:\n"
    printf "%-10s %14s %14s %14s %14s\n", "store", "import wall s", "import CPU s", "export CPU s", "file bytes"
    printf "%-10s %14.2f %14.2f %14.2f %14d\n", "plaintext", pw, pi, pe, ps
    printf "%-10s %14.2f %14.2f %14.2f %14d\n", "encrypted", ew, ei, ee, es
    printf "RESULT name=enc_overhead cases=%d import_speed_ratio_cpu=%.3f import_speed_ratio_wall=%.3f export_speed_ratio_cpu=%.3f size_growth_pct=%.2f\n", n, speed, wspeed, rspeed, grow
    printf "insert speed enc/plain %5.1f%% of CPU time (target >= 80%%)  %s\n", speed * 100, verdict(speed >= 0.8)
    printf "file size growth      %+5.2f%% (target <= +3%%)  %s\n", grow, verdict(grow <= 3)
    printf "hits of a person name in the encrypted files: %d\n", hits
}'
