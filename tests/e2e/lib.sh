# lib.sh: a small TAP harness for end-to-end tests of the refuge binary.
# Each script sources this file, calls the helpers and ends with `finish`.
# $REFUGE is the binary under test; every script gets its own temporary
# directory as the working directory.

set -u
: "${REFUGE:?REFUGE must name the refuge binary}"
: "${REFUGE_SOURCE:?REFUGE_SOURCE must name the source tree}"
EXAMPLE="$REFUGE_SOURCE/examples/kazakhstan-2019.json"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/refuge-e2e.XXXXXX")
trap 'stop_server; rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
# Every store the tests create is encrypted: the passphrase comes from a
# file (never an argument), and the key derivation is cheap (the floor, so
# that hundreds of runs stay fast; real stores use the calibrated default).
printf 'e2e passphrase\n' > "$TMP/.passphrase"
REFUGE_PASSPHRASE_FILE="$TMP/.passphrase"
REFUGE_KDF_COST=8,1
export REFUGE_PASSPHRASE_FILE REFUGE_KDF_COST
n_tests=0
n_failed=0

ok() {
    n_tests=$((n_tests + 1))
    echo "ok $n_tests - $1"
}

not_ok() {
    n_tests=$((n_tests + 1))
    n_failed=$((n_failed + 1))
    echo "not ok $n_tests - $1"
    shift
    for line in "$@"; do
        echo "#   $line"
    done
}

# run CMD...: runs refuge with the arguments; sets $status, out and err files.
run() {
    "$REFUGE" "$@" >out 2>err
    status=$?
}

# expect_status N DESC: the last run exited with N.
expect_status() {
    if [ "$status" -eq "$1" ]; then
        ok "$2"
    else
        not_ok "$2" "expected exit status $1, got $status" "stderr: $(head -c 600 err)"
    fi
}

# expect_err TEXT DESC: stderr of the last run contains TEXT (fixed string).
expect_err() {
    if grep -qF -- "$1" err; then
        ok "$2"
    else
        not_ok "$2" "stderr lacks: $1" "stderr: $(head -c 800 err)"
    fi
}

# expect_out TEXT DESC: stdout of the last run contains TEXT.
expect_out() {
    if grep -qF -- "$1" out; then
        ok "$2"
    else
        not_ok "$2" "stdout lacks: $1" "stdout: $(head -c 800 out)"
    fi
}

# need TOOL...: skips the whole script (TAP plan 1..0) when a tool is missing.
need() {
    for _need_tool in "$@"; do
        command -v "$_need_tool" >/dev/null || { echo "1..0 # SKIP $_need_tool is not installed"; exit 0; }
    done
}

# admin_token NAME [REFUGE OPTIONS...]: a new admin API token named NAME
# (`refuge [OPTIONS] token add NAME --role admin`), printed alone.
admin_token() {
    _token_name=$1
    shift
    "$REFUGE" "$@" token add "$_token_name" --role admin 2>/dev/null | grep -o 'rfg_[A-Za-z0-9_-]*' | head -1
}

# SQL that undoes migration 0009 (what the checks read), for tests
# that take a store back to an older schema: a migration run again must not
# find what it creates already there.
UNDO_0009="DROP INDEX case_check_scan; DROP INDEX person_check_scan; DROP TABLE event_scan;"

# same_files A B DESC
same_files() {
    if cmp -s "$1" "$2"; then
        ok "$3"
    else
        not_ok "$3" "$1 and $2 differ"
    fi
}

# start_server [SERVE OPTIONS...]: `refuge serve` on a free loopback port,
# in the background (its log appended to server.log); sets SERVER (its pid)
# and BASE once it listens (30 s at most: machines running tests are busy).
# The exit trap stops it.
SERVER=
start_server() {
    rm -f port
    "$REFUGE" serve --listen 127.0.0.1:0 --port-file port "$@" 2>>server.log &
    SERVER=$!
    for _ in $(seq 1 300); do [ -s port ] && break; sleep 0.1; done
    BASE="http://127.0.0.1:$(cat port 2>/dev/null)"
}

# stop_server: SIGTERM to the server, and waits for it to finish.
stop_server() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    SERVER=
}

# http METHOD PATH [curl args...]: a request to the server at $BASE; sets
# $code, the body in the file `body` and the headers in `hdr`.
http() {
    m=$1; p=$2; shift 2
    rm -f body
    code=$(curl -s -o body -D hdr -w '%{http_code}' -X "$m" "$BASE$p" "$@")
}

# expect_code STATUS DESCRIPTION: the last http answered STATUS.
expect_code() {
    if [ "$code" = "$1" ]; then ok "$2"; else not_ok "$2" "expected $1, got $code" "$(head -c 300 body)"; fi
}

finish() {
    echo "1..$n_tests"
    echo "$((n_tests - n_failed)) passed, $n_failed failed"
    [ "$n_failed" -eq 0 ]
}
