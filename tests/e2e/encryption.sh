# encryption.sh: encrypted stores from the command line: init, unlocking
# (file, descriptor, never arguments), wrong passphrases, the recovery code,
# passwd (also interrupted by kill -9), rekey, backup and restore, wipe,
# doctor, plaintext canaries in every file refuge writes, and tampering.
. "$(dirname "$0")/lib.sh"

CASE=kz-2019-xuar-asylum-seekers
# Canaries: names and places of the example bundle, and strings written
# through the CLI and the API below.
CANARIES="Kazakh Musakhanuly Canaryperson-Zhanargul +77015550123 43.2389N"

# scan FILES...: prints the number of canary hits in the files.
scan() {
    hits=0
    for c in $CANARIES; do
        for f in "$@"; do
            [ -f "$f" ] || continue
            n=$(grep -caF -- "$c" "$f")
            hits=$((hits + n))
        done
    done
    echo "$hits"
}

# --- init ---
run --db enc.db init --kdf-memory 8 --kdf-ops 1
expect_status 0 "init makes an encrypted database"
expect_out "recovery code" "init prints the recovery code once"
code=$(grep -o '[A-Z2-7]\{4\}\(-[A-Z2-7]\{4\}\)\{7\}' out | head -1)
[ -n "$code" ] && ok "the recovery code has the documented form" || not_ok "recovery code form" "$(cat out)"
[ -f enc.db.keys ] && ok "the keyring sits beside the database" || not_ok "keyring beside the database"
head -1 enc.db.keys | grep -qx "refuge-keyring 1" && ok "the keyring is versioned" || not_ok "keyring version line"
perms=$(stat -c %a enc.db.keys)
[ "$perms" = 600 ] && ok "the keyring is private (0600)" || not_ok "keyring mode" "mode $perms"
head -c 16 enc.db | grep -qa "SQLite format" && not_ok "the file has no SQLite header" || ok "the file has no SQLite header"
run --db enc.db init
expect_status 1 "init refuses an existing database"
run --db low.db init --kdf-memory 4
expect_status 64 "init refuses a KDF cost below the floor"
[ ! -e low.db ] && [ ! -e low.db.keys ] && ok "and writes nothing" || not_ok "and writes nothing"

# --- use, and plaintext canaries after import, CLI writes and errors ---
run --db enc.db import "$EXAMPLE"
expect_status 0 "import into the encrypted store"
printf 'a long enough password\n' | "$REFUGE" --db enc.db user add Canaryperson-Zhanargul --role admin >out 2>err
[ $? -eq 0 ] && ok "user add on the encrypted store" || not_ok "user add" "$(cat err)"
printf 'Witness Canaryperson-Zhanargul, phone +77015550123, met at 43.2389N 76.8897E\n' >canary.txt
run --db enc.db source-text ai-eur57-2019 canary.txt
expect_status 0 "source text (full-text indexed) on the encrypted store"
run --db enc.db import /nonexistent.json
expect_status 66 "an import error"
run --db enc.db show "$CASE"
expect_out "Kazakh" "reading decrypts"
run --db enc.db search Canaryperson --text
expect_out "ai-eur57-2019" "full-text search on the encrypted store finds it"
hits=$(scan enc.db enc.db-wal enc.db-shm enc.db.keys)
[ "$hits" -eq 0 ] && ok "0 plaintext canaries in the database, WAL, shm and keyring" || not_ok "canaries found" "$hits hits"

# The same on a plaintext store: the scan is able to find them.
run --db plain.db init --plaintext
run --db plain.db import "$EXAMPLE"
hits=$(scan plain.db plain.db-wal)
[ "$hits" -gt 0 ] && ok "control: the scan finds canaries in a plaintext store" || not_ok "control scan"

# kill -9 during writes, then the scan and a full check.
i=0
while [ $i -lt 5 ]; do
    "$REFUGE" --db enc.db reindex >/dev/null 2>&1 &
    pid=$!
    sleep 0.0$((i * 2))
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    i=$((i + 1))
done
hits=$(scan enc.db enc.db-wal enc.db-shm enc.db.keys)
[ "$hits" -eq 0 ] && ok "0 canaries after kill -9 during writes" || not_ok "canaries after kill" "$hits hits"
run --db enc.db doctor
expect_status 0 "doctor passes after the kills"
expect_out "integrity_check: ok" "doctor ran integrity_check"
expect_out "full-text index: ok" "doctor checked the full-text index"
expect_out "audit chain: ok" "doctor checked the audit chain"

# --- unlocking ---
REFUGE_PASSPHRASE_FILE= "$REFUGE" --db enc.db cases </dev/null >out 2>err
status=$?
expect_status 77 "no passphrase source: refused"
expect_err "REFUGE_PASSPHRASE_FILE" "and says where a passphrase can come from"
printf 'e2e passphrase\n' >pp2
REFUGE_PASSPHRASE_FILE= "$REFUGE" --db enc.db --passphrase-fd 3 cases 3<pp2 >out 2>err
status=$?
expect_status 0 "--passphrase-fd unlocks"
wrong=0
i=0
while [ $i -lt 20 ]; do
    head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' >wrongpp
    REFUGE_PASSPHRASE_FILE=$PWD/wrongpp "$REFUGE" --db enc.db cases >out 2>err
    [ $? -eq 0 ] && wrong=$((wrong + 1))
    i=$((i + 1))
done
[ $wrong -eq 0 ] && ok "20 random passphrases: 0 accepted" || not_ok "false accepts" "$wrong"
expect_err "wrong passphrase" "a wrong passphrase is named as such"
printf '%s\n' "$code" >codefile
REFUGE_PASSPHRASE_FILE=$PWD/codefile "$REFUGE" --db enc.db cases >out 2>err
status=$?
expect_status 0 "the recovery code unlocks"

# the terminal (a pseudo-terminal from script(1)): asked twice at init, echo off
if command -v script >/dev/null 2>&1; then
    # refuge discards what was typed before each prompt (TCSAFLUSH, as
    # getpass does), so the lines wait long enough for a loaded machine.
    (sleep 2; printf 'typed pass phrase\n'; sleep 2; printf 'typed pass phrase\n'; sleep 2) |
        env -u REFUGE_PASSPHRASE_FILE script -qc "\"$REFUGE\" --db tty.db init --kdf-memory 8 --kdf-ops 1" /dev/null >out 2>&1
    grep -q "Repeat it" out && [ -f tty.db.keys ] && ok "init asks twice on a terminal" || not_ok "init on a terminal" "$(cat out)"
    grep -q "typed pass phrase" out && not_ok "the passphrase is not echoed" || ok "the passphrase is not echoed"
    (sleep 2; printf 'typed pass phrase\n'; sleep 2) |
        env -u REFUGE_PASSPHRASE_FILE script -qc "\"$REFUGE\" --db tty.db cases" /dev/null >out 2>&1
    grep -q "no cases" out && ok "the terminal unlocks" || not_ok "terminal unlock" "$(cat out)"
else
    ok "# SKIP no script(1) for a pseudo-terminal"
fi

# --- passwd ---
printf 'second passphrase\n' >new
run --db enc.db passwd --new-passphrase-file new
expect_status 0 "passwd"
run --db enc.db cases
expect_status 77 "the old passphrase no longer works"
REFUGE_PASSPHRASE_FILE=$PWD/new "$REFUGE" --db enc.db cases >out 2>err
status=$?
expect_status 0 "the new one does"
# the recovery code resets a forgotten passphrase
REFUGE_PASSPHRASE_FILE=$PWD/codefile "$REFUGE" --db enc.db passwd --new-passphrase-file "$REFUGE_PASSPHRASE_FILE" >out 2>err
status=$?
expect_status 0 "the recovery code resets the passphrase"
run --db enc.db cases
expect_status 0 "which then unlocks"

# passwd interrupted by kill -9: never a lockout
lockouts=0
cp "$REFUGE_PASSPHRASE_FILE" cur
i=0
while [ $i -lt 15 ]; do
    printf 'pass-%d\n' $((i + 1)) >next
    REFUGE_PASSPHRASE_FILE=$PWD/cur "$REFUGE" --db enc.db passwd --new-passphrase-file next >/dev/null 2>&1 &
    pid=$!
    sleep 0.0$((i % 5))
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    if REFUGE_PASSPHRASE_FILE=$PWD/next "$REFUGE" --db enc.db cases >/dev/null 2>&1; then
        cp next cur
    elif ! REFUGE_PASSPHRASE_FILE=$PWD/cur "$REFUGE" --db enc.db cases >/dev/null 2>&1; then
        lockouts=$((lockouts + 1))
    fi
    i=$((i + 1))
done
[ $lockouts -eq 0 ] && ok "15 passwd runs killed at random: 0 lockouts" || not_ok "lockouts" "$lockouts"
cp cur "$REFUGE_PASSPHRASE_FILE"

# --- backup, rekey, restore ---
run --db enc.db backup bk.db
expect_status 0 "backup"
[ -f bk.db.keys ] && ok "the backup has its keyring" || not_ok "backup keyring"
head -c 16 bk.db | grep -qa "SQLite format" && not_ok "the backup is encrypted" || ok "the backup is encrypted"
[ "$(scan bk.db)" -eq 0 ] && ok "0 canaries in the backup" || not_ok "canaries in the backup"
run --db enc.db backup bk.db
expect_status 1 "backup does not overwrite"
cp enc.db.keys old.keys
run --db enc.db rekey
expect_status 0 "rekey"
expect_out "recovery code" "rekey prints the new recovery code"
cmp -s enc.db.keys old.keys && not_ok "rekey replaced the keyring" || ok "rekey replaced the keyring"
[ ! -e enc.db.rekey ] && [ ! -e enc.db.rekey.keys ] && ok "rekey leaves no temporary files" || not_ok "rekey leftovers"
run --db enc.db show "$CASE"
expect_out "Kazakh" "the data survives rekey"
REFUGE_PASSPHRASE_FILE=$PWD/codefile "$REFUGE" --db enc.db cases >out 2>err
status=$?
expect_status 77 "the old recovery code no longer works"
cp old.keys enc.db.keys
run --db enc.db cases
expect_status 1 "the old keyring does not open the rekeyed database"
run --db enc.db cases
expect_err "authentication" "and says pages failed authentication"
run --db enc.db restore bk.db
expect_status 1 "restore refuses to overwrite"
run --db back.db restore bk.db
expect_status 0 "restore into a new path"
[ ! -e bk.db-wal ] && [ ! -e bk.db-shm ] && ok "restore leaves the backup as it was" || not_ok "restore left files beside the backup"
run --db back.db show "$CASE"
expect_out "Kazakh" "the restored copy reads"

# interrupted rekey: new files left beside the old ones are cleaned up
cp bk.db back2.db && cp bk.db.keys back2.db.keys
cp bk.db back2.db.rekey && cp bk.db.keys back2.db.rekey.keys
run --db back2.db cases
expect_status 0 "a rekey interrupted before the switch rolls back"
[ ! -e back2.db.rekey.keys ] && ok "and removes its leftovers" || not_ok "rekey leftovers"

# --- tampering: a flipped byte in a page is detected ---
cp back.db t.db && cp back.db.keys t.db.keys
size=$(stat -c %s t.db)
printf 'X' | dd of=t.db bs=1 seek=$((size - 5000)) conv=notrunc 2>/dev/null
run --db t.db doctor
[ "$status" -ne 0 ] && ok "doctor fails on a tampered page" || not_ok "tamper undetected" "$(cat out)"

# --- a new database without init: encrypted under the unlock passphrase ---
run --db fresh.db import "$EXAMPLE"
expect_status 0 "import creates a missing database"
expect_err "recovery code" "and shows its recovery code"
[ -f fresh.db.keys ] && ok "the new database is encrypted" || not_ok "implicit creation encrypted"
REFUGE_PASSPHRASE_FILE= "$REFUGE" --db fresh2.db import "$EXAMPLE" </dev/null >out 2>err
status=$?
[ "$status" -ne 0 ] && [ ! -e fresh2.db ] && [ ! -e fresh2.db.keys ] && ok "without a passphrase nothing is created" || not_ok "created without passphrase" "$status"
expect_err "refuge init" "and points at init"

# a plaintext database with a stray keyring, and an encrypted one without
cp plain.db.keys x 2>/dev/null
cp enc.db.keys plain.db.keys
run --db plain.db cases
expect_err "plaintext database" "a plaintext file with a keyring is refused"
rm plain.db.keys
mv back.db.keys back.keys.away
run --db back.db cases
expect_err "keyring" "an encrypted file without its keyring says what is missing"
mv back.keys.away back.db.keys

# --- a damaged or altered keyring is refused with where and why ---
cp back.db k2.db && cp back.db.keys k2.db.keys
sed -i '3s/^entry owner/entry 0wner!/' k2.db.keys
run --db k2.db cases
expect_status 65 "a damaged keyring line is refused"
expect_err "line 3 is damaged" "naming the line"
cp back.db.keys k2.db.keys
sed -i '3s/argon2id13 1 /argon2id13 2 /' k2.db.keys
run --db k2.db cases
expect_status 77 "a keyring entry with altered cost no longer opens"
cp back.db.keys k2.db.keys
sed -i '1s/1$/9/' k2.db.keys
run --db k2.db cases
expect_err "version" "an unknown keyring version is refused"

# --- format golden files: a store made by the first version still opens ---
cp "$REFUGE_SOURCE/tests/data/encrypted/format-v1.db" golden.db
cp "$REFUGE_SOURCE/tests/data/encrypted/format-v1.db.keys" golden.db.keys
printf 'golden passphrase\n' >goldenpp
REFUGE_PASSPHRASE_FILE=$PWD/goldenpp "$REFUGE" --db golden.db show "$CASE" >out 2>err
status=$?
expect_status 0 "the version-1 golden store opens"
expect_out "Musakhanuly" "and reads back"
REFUGE_PASSPHRASE_FILE=$PWD/goldenpp "$REFUGE" --db golden.db doctor >out 2>err
status=$?
expect_status 0 "and passes doctor"

# --- wipe ---
run --db back.db wipe
expect_status 64 "wipe wants --yes"
run --db back.db wipe --yes
expect_status 0 "wipe"
expect_out "wear-levelling" "wipe is honest about flash"
[ ! -e back.db ] && [ ! -e back.db.keys ] && ok "wipe removes the database and keyring" || not_ok "wipe leftovers"

finish
