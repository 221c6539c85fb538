#!/bin/sh
# test.sh: installs what is missing, builds refuge three times (a debug build
# and a Release build, with warnings as errors, and an AddressSanitizer +
# UndefinedBehaviorSanitizer build) and runs the whole test suite on the debug
# and sanitizer builds (the browser tests on the debug build); then builds
# the libFuzzer targets (fuzz/, clang-14), replays every committed corpus and
# fuzzes each target for a few seconds. Exits non-zero on any failure.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
# The browser tests' npm packages, exactly as tests/browser/package-lock.json
# pins them; reinstalled only when the lock file changed.
if ! cmp -s tests/browser/package-lock.json tests/browser/node_modules/.refuge-lock 2>/dev/null; then
    (cd tests/browser && npm ci --no-audit --no-fund && cp package-lock.json node_modules/.refuge-lock)
fi

jobs=$(nproc 2>/dev/null || echo 2)

echo "== format (clang-format, the repository's .clang-format)"
git ls-files 'src/*.c' 'src/*.h' 'tools/*.c' 'tests/unit/*.c' 'tests/trial/*.c' 'bench/*.c' 'fuzz/*.c' 'fuzz/*.h' |
    xargs clang-format --dry-run -Werror

echo "== build (Debug, warnings as errors)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build -j "$jobs"
echo "== tests"
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== build (Release: the optimiser finds warnings a debug build does not)"
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j "$jobs"

echo "== build (ASan + UBSan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DREFUGE_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$jobs"
echo "== tests under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs"

echo "== fuzz targets (clang-14, libFuzzer + ASan + UBSan): corpora replayed, then ${FUZZ_CI_SECONDS:-8} s each"
CC=clang-14 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DREFUGE_FUZZ=ON >/dev/null
cmake --build build-fuzz -j "$jobs" --target fuzzers
ctest --test-dir build-fuzz --output-on-failure -j "$jobs"
FUZZ_COVERAGE=0 sh bench/fuzz.sh "${FUZZ_CI_SECONDS:-8}"
