#!/bin/sh
# bench/trials.sh [KILL] [POWER] [PASSWD] [WRONG]: the long storage and key
# trials (reliability.md A1-A4, A8, B1, B2, B6, B7; the quick variants run in
# CTest as trial.*). Defaults: 2000 kill -9 trials, 5000 power-loss trials,
# 500 interrupted passphrase changes, 10000 wrong passphrases; a count of 0
# skips that step.
#
# Runs tests/trial/crashtrial (built Release) on encrypted and plaintext
# stores, with FULL (the contract), NORMAL, and OFF (the negative control),
# then drives the refuge binary for the key trials. Every step prints RESULT
# lines; the last line sums "N passed, N failed". Trials run in $TMPDIR
# (default /dev/shm: the crashes are simulated, the disk's fsync would only
# slow them down).
set -u

KILL=${1:-2000}
POWER=${2:-5000}
PASSWD=${3:-500}
WRONG=${4:-10000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${BENCH_BUILD_DIR:-build-release}
mkdir -p bench/out
if ! { cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release &&
    cmake --build "$BUILD" -j2 --target crashtrial refuge; } >bench/out/trials-build.log 2>&1; then
    tail -n 30 bench/out/trials-build.log >&2
    exit 1
fi
export TMPDIR=${TMPDIR:-/dev/shm}
CT=$BUILD/crashtrial
R=$ROOT/$BUILD/refuge
passed=0
failed=0

step() {
    case " $* " in
    *" 0 "*) return ;; # a count of 0 skips the step
    esac
    echo "== crashtrial $*"
    "$CT" "$@" >"bench/out/trial.$$.txt" 2>"bench/out/trial.$$.err"
    grep -E '^RESULT' "bench/out/trial.$$.txt"
    p=$(awk '/ passed, / { print $1 }' "bench/out/trial.$$.txt")
    f=$(awk '/ passed, / { print $3 }' "bench/out/trial.$$.txt")
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-1}))
}

SEED=$(date +%s)
step kill enc FULL "$KILL" "$SEED"
step kill plain FULL 100 "$SEED"
step power enc FULL "$POWER" "$SEED"
step power plain FULL 300 "$SEED"
step power enc NORMAL 300 "$SEED"
step power enc OFF 150 "$SEED"
step power plain OFF 150 "$SEED"
step compound enc FULL 500 "$SEED"
step compound plain FULL 500 "$SEED"
step tamper enc 1000 "$SEED"
step tamper plain 400 "$SEED"

# Key trials on a small encrypted store (KDF at the floor: the trials count
# outcomes, not seconds).
DIR=$(mktemp -d "$TMPDIR/refuge-keys.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
cd "$DIR"
printf 'start passphrase\n' >cur
export REFUGE_PASSPHRASE_FILE="$DIR/cur" REFUGE_KDF_COST=8,1 REFUGE_DB="$DIR/k.db"
"$R" init >/dev/null
"$R" import "$ROOT/examples/kazakhstan-2019.json" >/dev/null

[ "$PASSWD" -gt 0 ] && echo "== passwd interrupted by kill -9 at a random point, $PASSWD times"
lockouts=0
changed=0
i=0
while [ "$i" -lt "$PASSWD" ]; do
    printf 'pass-%d\n' "$i" >next
    "$R" passwd --new-passphrase-file next >/dev/null 2>&1 &
    pid=$!
    # 0-49 ms: key derivation at the floor takes about 20-40 ms here
    sleep "0.0$(awk -v s="$i" 'BEGIN { srand(s); printf "%02d", int(rand() * 50) }')"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if REFUGE_PASSPHRASE_FILE=$DIR/next "$R" cases >/dev/null 2>&1; then
        cp next cur
        changed=$((changed + 1))
    elif ! "$R" cases >/dev/null 2>&1; then
        lockouts=$((lockouts + 1))
    fi
    i=$((i + 1))
done
echo "RESULT name=passwd_kill trials=$PASSWD completed=$changed lockouts=$lockouts"
[ "$lockouts" -eq 0 ] && passed=$((passed + 1)) || failed=$((failed + 1))

echo "== rekey interrupted by kill -9 at a random point, $((PASSWD / 5)) times"
rk_lockouts=0
rk_loss=0
want=$("$R" cases | wc -l)
i=0
while [ "$i" -lt $((PASSWD / 5)) ]; do
    "$R" rekey >/dev/null 2>&1 &
    pid=$!
    sleep "0.$(awk -v s="$i" 'BEGIN { srand(s + 7); printf "%03d", int(rand() * 300) }')"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if ! got=$("$R" cases 2>/dev/null | wc -l) || ! "$R" cases >/dev/null 2>&1; then
        rk_lockouts=$((rk_lockouts + 1))
    elif [ "$got" != "$want" ] || ! "$R" doctor >/dev/null 2>&1; then
        rk_loss=$((rk_loss + 1))
    fi
    i=$((i + 1))
done
echo "RESULT name=rekey_kill trials=$((PASSWD / 5)) lockouts=$rk_lockouts data_loss=$rk_loss"
[ "$rk_lockouts" -eq 0 ] && [ "$rk_loss" -eq 0 ] && passed=$((passed + 1)) || failed=$((failed + 1))

echo "== $WRONG wrong passphrases"
accepts=0
i=0
start=$(date +%s.%N)
while [ "$i" -lt "$WRONG" ]; do
    head -c 15 /dev/urandom | base64 >wrong
    if REFUGE_PASSPHRASE_FILE=$DIR/wrong "$R" cases >/dev/null 2>&1; then
        accepts=$((accepts + 1))
    fi
    i=$((i + 1))
done
end=$(date +%s.%N)
echo "RESULT name=wrong_passphrase trials=$WRONG false_accepts=$accepts seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')"
[ "$accepts" -eq 0 ] && passed=$((passed + 1)) || failed=$((failed + 1))

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
