#!/bin/sh
# fuzz.sh: runs every libFuzzer target (fuzz/fuzz_*.c) for a set time and
# reports executions per second, new coverage, crashes and the line coverage
# of the files it parses with (reliability.md E1).
#
#   bench/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS per target (default 60; 0 only reports the coverage of the
# working corpora as they are). Builds build-fuzz (clang-14, ASan + UBSan
# + libFuzzer) and, for the coverage figures, build-fuzz-cov (clang
# source-based coverage); each target runs on a working corpus in
# bench/out/fuzz/corpus/<name> that starts from fuzz/corpus/<name> and keeps
# what the run found (delete the directory to start afresh). Then the
# coverage build replays the working corpus and llvm-cov-14 reports the line
# coverage of the files named on the "Coverage files:" line of the target's
# header comment (all of src/ when there is none). Crash inputs are kept as
# bench/out/fuzz/crash-<name>-*; add a fixed one to fuzz/corpus/<name>/ as a
# regression seed.
#
# Environment: FUZZ_COVERAGE=0 skips the coverage build and report (CI);
# FUZZ_JOBS build jobs (default 2).
#
# Prints one line per target
#   RESULT target=NAME secs=S execs=N execs_per_s=N cov_start=N cov_end=N new_cov=N
#          crashes=N line_cov=P%
# and a final "N passed, N failed" (a target fails on any crash). Exits
# non-zero when any target crashed.
set -eu
cd "$(dirname "$0")/.."
SECS=${1:-60}
[ $# -gt 0 ] && shift
COVERAGE=${FUZZ_COVERAGE:-1}
JOBS=${FUZZ_JOBS:-2}
OUT=bench/out/fuzz
mkdir -p "$OUT/corpus" "$OUT/logs"
CC=${FUZZ_CC:-clang-14}
command -v "$CC" >/dev/null || { echo "fuzz.sh needs $CC (scripts/install-deps.sh)"; exit 1; }

echo "== build (fuzzers: $CC, ASan + UBSan + libFuzzer)"
CC=$CC cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DREFUGE_FUZZ=ON >/dev/null
cmake --build build-fuzz -j "$JOBS" --target fuzzers >"$OUT/logs/build.log" 2>&1 ||
    { tail -30 "$OUT/logs/build.log"; exit 1; }
if [ "$COVERAGE" = 1 ]; then
    echo "== build (coverage: $CC -fprofile-instr-generate -fcoverage-mapping)"
    CC=$CC cmake -S . -B build-fuzz-cov -DCMAKE_BUILD_TYPE=Debug -DREFUGE_FUZZ=ON \
        -DREFUGE_FUZZ_COVERAGE=ON >/dev/null
    cmake --build build-fuzz-cov -j "$JOBS" --target fuzzers >"$OUT/logs/build-cov.log" 2>&1 ||
        { tail -30 "$OUT/logs/build-cov.log"; exit 1; }
fi

if [ $# -gt 0 ]; then
    targets="$*"
else
    targets=$(for f in fuzz/fuzz_*.c; do basename "$f" .c | sed 's/^fuzz_//'; done)
fi

passed=0
failed=0
# The targets that need a store make it under TMPDIR; a crashing target
# cannot remove it, so each run gets a directory of its own, removed here.
FUZZ_TMP=$(mktemp -d "${TMPDIR:-/tmp}/refuge-fuzz-run.XXXXXX")
trap 'rm -rf "$FUZZ_TMP"' EXIT
for name in $targets; do
    bin=build-fuzz/fuzz/fuzz_$name
    seeds=fuzz/corpus/$name
    work=$OUT/corpus/$name
    mkdir -p "$work" "$seeds"
    dict=""
    [ -f "fuzz/$name.dict" ] && dict="-dict=fuzz/$name.dict"
    log=$OUT/logs/$name.log
    rm -f "$OUT"/crash-"$name"-* "$OUT"/leak-"$name"-* "$OUT"/timeout-"$name"-* "$OUT"/oom-"$name"-*
    echo "== fuzz $name (${SECS}s)"
    # -rss_limit_mb: the HTTP and search targets keep a store and ICU open.
    rc=0
    if [ "$SECS" -gt 0 ]; then
        set +e
        # shellcheck disable=SC2086
        TMPDIR=$FUZZ_TMP "$bin" -max_total_time="$SECS" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix="$OUT/crash-$name-" $dict "$work" "$seeds" >"$log" 2>&1
        rc=$?
        set -e
    else
        : >"$log"
    fi
    # Artifacts are named crash-, leak-, timeout- or oom- by libFuzzer; the
    # prefix above puts them all under crash-NAME-.
    crashes=$(find "$OUT" -maxdepth 1 -name "crash-$name-*" | wc -l)
    if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
        crashes=1
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov0=$(grep -m1 'INITED' "$log" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    cov1=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    : "${execs:=0}" "${eps:=0}" "${cov0:=0}" "${cov1:=$cov0}"
    line_cov=n/a
    if [ "$COVERAGE" = 1 ]; then
        prof=$OUT/$name.profraw
        rm -f "$prof"
        # Replays the working corpus (and seeds) once; crash inputs are not replayed.
        TMPDIR=$FUZZ_TMP LLVM_PROFILE_FILE=$prof build-fuzz-cov/fuzz/fuzz_$name -runs=0 "$work" "$seeds" \
            >"$OUT/logs/$name.cov.log" 2>&1 || true
        if [ -s "$prof" ]; then
            llvm-profdata-14 merge -sparse "$prof" -o "$OUT/$name.profdata"
            # The "Coverage files:" line of the header comment and its continuation lines.
            files=$(awk '/^ \* Coverage files: / { sub(/^ \* Coverage files: /, ""); on = 1; print; next }
                         on && /^ \* src\// { sub(/^ \* /, ""); print; next } { on = 0 }' "fuzz/fuzz_$name.c" | tr '\n' ' ')
            [ -n "$files" ] || files=src
            # shellcheck disable=SC2086
            line_cov=$(llvm-cov-14 export -summary-only -instr-profile="$OUT/$name.profdata" \
                "build-fuzz-cov/fuzz/fuzz_$name" $files |
                jq -r '.data[0].totals.lines.percent | . * 10 | round / 10 | tostring + "%"')
            # shellcheck disable=SC2086
            llvm-cov-14 report -instr-profile="$OUT/$name.profdata" \
                "build-fuzz-cov/fuzz/fuzz_$name" $files >"$OUT/logs/$name.cov.txt" 2>&1 || true
        fi
    fi
    echo "RESULT target=$name secs=$SECS execs=$execs execs_per_s=$eps cov_start=$cov0 cov_end=$cov1 new_cov=$((cov1 - cov0)) crashes=$crashes line_cov=$line_cov"
    if [ "$crashes" -eq 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        grep -E 'ERROR|SUMMARY|^[^#].*->|abort|Test unit written' "$log" | head -8 | sed 's/^/#   /'
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
