#!/bin/sh
# bench/faultsweep.sh [STRIDE] [io|oom|http]: the full I/O-error injection
# sweep (reliability.md A5; CTest's trial.faultsweep_* run every 5th / 23rd
# point), or the allocation-failure sweeps (A6: oom on the store's write
# path, http through the server's router, readers and writer).
# tests/trial/faultsweep (built Release) fails every file operation of a
# 50-transaction workload on refuge's write path in turn (STRIDE 1, the
# default: every one), once and then persistently, on an encrypted and on a
# plaintext store; after each, the store is reopened without faults and
# verified. Prints the sweep's RESULT lines and "N passed, N failed".
# Runs in $TMPDIR (default /dev/shm: the faults are injected, the disk's
# fsync would only slow the sweep down).
set -u
STRIDE=${1:-1}
MODE=${2:-io}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${BENCH_BUILD_DIR:-build-release}
mkdir -p bench/out
if ! { cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release &&
    cmake --build "$BUILD" -j2 --target faultsweep; } >bench/out/faultsweep-build.log 2>&1; then
    tail -n 30 bench/out/faultsweep-build.log >&2
    exit 1
fi
export TMPDIR=${TMPDIR:-/dev/shm}
passed=0
failed=0
for store in enc plain; do
    echo "== faultsweep $store $STRIDE $MODE"
    "$BUILD/faultsweep" "$store" "$STRIDE" "$MODE" >"bench/out/faultsweep.$$.txt" 2>&1
    rc=$?
    grep -E '^(RESULT|#)' "bench/out/faultsweep.$$.txt" | head -n 40
    p=$(awk '/passed, .* failed$/ { print $1 }' "bench/out/faultsweep.$$.txt")
    f=$(awk '/passed, .* failed$/ { print $3 }' "bench/out/faultsweep.$$.txt")
    if [ -z "$p" ]; then
        echo "# faultsweep $store ended without a summary (exit $rc): a crash"
        f=1
        p=0
    fi
    passed=$((passed + p))
    failed=$((failed + f))
done
rm -f "bench/out/faultsweep.$$.txt"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
