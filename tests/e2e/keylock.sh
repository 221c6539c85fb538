# keylock.sh: the lock of a serving process's key (reliability.md B8, key
# hygiene): core dumps off and the process not dumpable; the data key found
# in the server's memory while open (the scanner's positive control) and
# not found after a lock by API, by SIGUSR1 and by the idle time-out;
# answers while locked; unlocking (wrong passphrases, their limit, the
# recovery code); sessions surviving a lock; the audit trail; and a
# plaintext store, which has nothing to lock.
. "$(dirname "$0")/lib.sh"

need curl jq
KEYSCAN="${REFUGE_BUILD:-}/keyscan"

export REFUGE_DB="$TMP/k.db"
"$REFUGE" init >init.out 2>&1 || { echo "Bail out! cannot init"; cat init.out; exit 1; }
RECOVERY=$(grep -o '[A-Z2-7]\{4\}\(-[A-Z2-7]\{4\}\)\{7\}' init.out | head -1)
"$REFUGE" import "$EXAMPLE" >/dev/null 2>&1 || { echo "Bail out! cannot import"; exit 1; }
printf 'correct horse battery staple\n' | "$REFUGE" user add alice --role admin >/dev/null 2>&1
printf 'viewer password 123\n' | "$REFUGE" user add victor --role viewer >/dev/null 2>&1
TOKEN=$(admin_token script)
CASE=kz-2019-xuar-asylum-seekers
# A name that is in the store and nowhere in the binary: plaintext residue.
CANARY=Lockcanary-Qarlygash
printf '{"id":"lock-canary","names":[{"full":"%s Nurlanqyzy"}]}' "$CANARY" >canary.json


auth() { echo "Authorization: Bearer $TOKEN"; }
json() { echo "Content-Type: application/json"; }

# scan: runs the key scanner on the server; sets dek, part, pass, canary
# (empty when the memory cannot be read).
scan() {
    dek=; part=; pass=; canary=
    "$KEYSCAN" "$REFUGE_DB" "$SERVER" "$CANARY" >scan.out 2>scan.err
    scan_status=$?
    [ $scan_status -eq 0 ] || return
    dek=$(awk '$1 == "dek" {print $2}' scan.out)
    part=$(awk '$1 == "dek_part" {print $2}' scan.out)
    pass=$(awk '$1 == "pass" {print $2}' scan.out)
    canary=$(awk '$1 == "str" {print $2}' scan.out)
}

# wait_locked WANT: waits (5 s at most) until GET /api/lock says locked == WANT.
wait_locked() {
    for i in $(seq 1 50); do
        http GET /api/lock
        [ "$(jq -r .locked body 2>/dev/null)" = "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

start_server --threads 2

# --- production hardening ---
core=$(awk '/^Max core file size/ {print $5 " " $6}' "/proc/$SERVER/limits")
[ "$core" = "0 0" ] && ok "core dumps are off (RLIMIT_CORE 0)" || not_ok "core dumps are off" "$core"
# A process that is not dumpable has its /proc files owned by root.
if [ "$(id -u)" -ne 0 ]; then
    [ "$(stat -c %u "/proc/$SERVER/mem")" -eq 0 ] && ok "the server is not dumpable" \
        || not_ok "the server is not dumpable" "/proc/$SERVER/mem is owned by $(stat -c %u "/proc/$SERVER/mem")"
fi

# --- open: the key is in memory (the scanner's positive control) ---
http GET /api/lock
expect_code 200 "the lock's state is public"
jq -e '.encrypted == true and .locked == false' body >/dev/null && ok "an open encrypted store" || not_ok "an open encrypted store" "$(cat body)"
http POST /api/persons -H "$(auth)" -H "$(json)" --data-binary @canary.json
expect_code 201 "a write while open"
http GET /api/persons/lock-canary -H "$(auth)"
expect_code 200 "a read while open"
http GET "/api/cases/$CASE" -H "$(auth)"
scan
if [ $scan_status -eq 77 ]; then
    ok "# SKIP the scanner cannot read the server's memory (needs CAP_SYS_PTRACE: the server is not dumpable)"
    SCAN=no
else
    SCAN=yes
    [ "${dek:-0}" -ge 1 ] && ok "control: the scanner finds the key in the open server ($dek copies)" \
        || not_ok "control: the scanner finds the key" "$(cat scan.out scan.err)"
    [ "${canary:-0}" -ge 1 ] && ok "control: and the canary name ($canary copies)" \
        || not_ok "control: and the canary name" "$(cat scan.out)"
    [ "${pass:-1}" -eq 0 ] && ok "the passphrase is not kept while serving" || not_ok "the passphrase is not kept" "$pass copies"
fi

# --- lock by API ---
http POST /api/lock
expect_code 401 "locking needs a signed-in user"
http POST /api/lock -H "$(auth)"
expect_code 202 "a signed-in user locks the key"
wait_locked true && ok "the store is locked" || not_ok "the store is locked" "$(cat body)"
http GET "/api/cases/$CASE" -H "$(auth)"
expect_code 423 "reads are refused while locked"
jq -e '.error.code == "E_LOCKED"' body >/dev/null && ok "with E_LOCKED" || not_ok "with E_LOCKED" "$(cat body)"
http POST /api/persons -H "$(auth)" -H "$(json)" --data-binary @canary.json
expect_code 423 "writes are refused while locked"
http GET /api/health
expect_code 200 "health answers while locked"
jq -e '.status == "locked"' body >/dev/null && ok "and says locked" || not_ok "health says locked" "$(cat body)"
http GET /
expect_code 200 "the web interface loads while locked (to ask for the passphrase)"
if [ $SCAN = yes ]; then
    scan
    [ "$dek" = 0 ] && [ "$part" = 0 ] && ok "after the lock: 0 copies of the key, 0 partial copies" \
        || not_ok "the key is gone after the lock" "$(cat scan.out)"
    [ "$pass" = 0 ] && ok "after the lock: 0 copies of the passphrase" || not_ok "no passphrase after the lock" "$pass"
    echo "# plaintext residue after the lock: $canary copies of a name read before it (freed memory; see docs/security.md)"
fi

# --- unlock ---
http POST /api/unlock -H "$(json)" --data-binary '{"passphrase": "not the passphrase"}'
expect_code 401 "a wrong passphrase does not unlock"
http POST /api/unlock -H "$(json)" --data-binary '{"pass": 1}'
expect_code 400 "a malformed unlock request is 400"
http POST /api/unlock -H "$(json)" -H "Origin: http://evil.example" --data-binary '{"passphrase": "e2e passphrase"}'
expect_code 403 "an unlock from another origin is refused"
http POST /api/unlock -H "$(json)" --data-binary '{"passphrase": "e2e passphrase"}'
expect_code 200 "the passphrase unlocks"
http GET "/api/cases/$CASE" -H "$(auth)"
expect_code 200 "reads work again"
http POST /api/unlock -H "$(json)" --data-binary '{"passphrase": "e2e passphrase"}'
expect_code 409 "unlocking an open store is a conflict"
if [ $SCAN = yes ]; then
    scan
    [ "${dek:-0}" -ge 1 ] && ok "the key is back in memory after the unlock" || not_ok "the key is back" "$(cat scan.out)"
fi

# A signed-in browser session survives a lock.
http POST /api/session -H "$(json)" -c jar --data-binary '{"username":"victor","password":"viewer password 123"}'
expect_code 200 "a viewer signs in"
CSRF=$(jq -r .csrf body)
http POST /api/lock -b jar -H "X-CSRF-Token: $CSRF"
expect_code 202 "a viewer may lock the key too"
wait_locked true || not_ok "locked by the viewer"
http POST /api/unlock -H "$(json)" --data-binary "{\"passphrase\": \"$RECOVERY\"}"
expect_code 200 "the recovery code unlocks"
http GET /api/me -b jar
expect_code 200 "the session survives the lock"

# --- SIGUSR1 ---
kill -USR1 "$SERVER"
wait_locked true && ok "SIGUSR1 locks" || not_ok "SIGUSR1 locks"
if [ $SCAN = yes ]; then
    scan
    [ "$dek" = 0 ] && [ "$part" = 0 ] && ok "after SIGUSR1: 0 copies of the key" || not_ok "key after SIGUSR1" "$(cat scan.out)"
fi

# --- too many wrong passphrases ---
for i in 1 2 3 4 5; do
    http POST /api/unlock -H "$(json)" --data-binary '{"passphrase": "guess"}'
done
expect_code 401 "the fifth wrong passphrase is still checked"
http POST /api/unlock -H "$(json)" --data-binary '{"passphrase": "e2e passphrase"}'
expect_code 429 "after five wrong ones even the right one waits"
grep -qi '^Retry-After: [1-9]' hdr && ok "with Retry-After" || not_ok "with Retry-After" "$(cat hdr)"
stop_server
grep -q "locked (signal)" server.log && ok "the log says why it locked" || not_ok "the log says why" "$(cat server.log)"

# --- the idle time-out ---
start_server --threads 2 --idle-lock 2s
http GET "/api/cases/$CASE" -H "$(auth)"
expect_code 200 "a fresh server is open"
wait_locked false
sleep 3
wait_locked true && ok "the key locks after 2 s without use" || not_ok "idle lock" "$(cat body)"
if [ $SCAN = yes ]; then
    scan
    [ "$dek" = 0 ] && [ "$part" = 0 ] && ok "after the idle lock: 0 copies of the key" || not_ok "key after the idle lock" "$(cat scan.out)"
fi
http POST /api/unlock -H "$(json)" --data-binary '{"passphrase": "e2e passphrase"}'
expect_code 200 "unlocked after the idle lock"
stop_server
grep -q "locked (idle for 2 s)" server.log && ok "the log says it was idle" || not_ok "idle in the log" "$(cat server.log)"

# --- the audit trail ---
"$REFUGE" audit --action store.lock >audit.out 2>&1 || "$REFUGE" audit >audit.out 2>&1
n_lock=$(grep -c 'store\.lock' audit.out)
n_unlock=$(grep -c 'store\.unlock' audit.out)
[ "$n_lock" -eq 4 ] && [ "$n_unlock" -eq 3 ] && ok "4 locks and 3 unlocks are in the audit trail" \
    || not_ok "locks and unlocks audited" "locks $n_lock, unlocks $n_unlock" "$(tail -5 audit.out)"
"$REFUGE" doctor >/dev/null 2>&1 && ok "the store is sound after locks and unlocks" || not_ok "doctor after locks"

# --- a plaintext store has nothing to lock ---
export REFUGE_DB="$TMP/p.db"
"$REFUGE" init --plaintext >/dev/null 2>&1
run serve --idle-lock 5
expect_status 64 "--idle-lock on a plaintext store is a usage error"
printf 'correct horse battery staple\n' | "$REFUGE" user add alice --role admin >/dev/null 2>&1
TOKEN=$(admin_token script)
start_server
http GET /api/lock
jq -e '.encrypted == false and .locked == false' body >/dev/null && ok "a plaintext store says so" || not_ok "plaintext lock state" "$(cat body)"
http POST /api/lock -H "$(auth)"
expect_code 409 "locking a plaintext store is a conflict"
stop_server

finish
