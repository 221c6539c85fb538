# accounts.sh: accounts, tokens, case assignment and the audit trail from
# the command line, and detection of a database whose audit log was edited.
. "$(dirname "$0")/lib.sh"

CASE=kz-2019-xuar-asylum-seekers
# A plaintext store: the tampering below edits it with the sqlite3 shell, to
# test the audit chain itself (encryption.sh tests the page encryption).
run --db a.db init --plaintext
expect_err "will NOT be encrypted" "init --plaintext says what it gives up"
run --db a.db import "$EXAMPLE"
expect_status 0 "the example bundle imports"

printf 'a long enough password\n' | "$REFUGE" --db a.db user add alice --role admin >out 2>err
status=$?
expect_status 0 "user add reads the password from standard input"
expect_out "added alice (admin)" "and says who was added"

printf 'too short\n' | "$REFUGE" --db a.db user add bob --role viewer >out 2>err
status=$?
expect_status 65 "a password under 12 characters is refused"
expect_err "at least 12 characters" "and the reason is given"

printf 'another fine password\n' | "$REFUGE" --db a.db user add rob --role researcher >out 2>err
status=$?
expect_status 0 "a researcher is added"

printf 'a long enough password\n' | "$REFUGE" --db a.db user add alice --role viewer >out 2>err
status=$?
expect_status 1 "a name cannot be taken twice"

run --db a.db user add carol --role boss </dev/null
expect_status 64 "an unknown role is a usage error"

run --db a.db user list
expect_status 0 "user list"
expect_out "alice	admin	active" "lists alice as an active admin"
expect_out "rob	researcher	active" "lists rob"
if grep -q argon2 out; then not_ok "user list never shows password hashes"; else ok "user list never shows password hashes"; fi

run --db a.db user list --json
expect_out '"name": "rob", "role": "researcher", "disabled": false' "user list --json"

run --db a.db user disable rob
expect_status 0 "user disable"
run --db a.db user list
expect_out "rob	researcher	disabled" "the account shows as disabled"
run --db a.db user disable nobody
expect_status 1 "disabling an unknown user fails"

printf 'a brand new password\n' | "$REFUGE" --db a.db user passwd alice >out 2>err
status=$?
expect_status 0 "user passwd"

run --db a.db token add backup --role viewer
expect_status 0 "token add"
token=$(cat out)
case "$token" in
rfg_???????????????????????????????????????????) ok "the token is printed once, with its prefix" ;;
*) not_ok "the token is printed once, with its prefix" "got: $token" ;;
esac
expect_err "shown only this once" "and the user is told it will not be shown again"
if ! cat a.db* | grep -qaF "${token#rfg_}"; then
    ok "the token itself is not stored"
else
    not_ok "the token itself is not stored"
fi
run --db a.db token list
expect_out "backup	viewer" "token list shows the token"
if grep -qF "$token" out; then not_ok "token list never shows the secret"; else ok "token list never shows the secret"; fi
run --db a.db token revoke backup
expect_status 0 "token revoke"
run --db a.db token list
expect_out "revoked" "the token shows as revoked"

run --db a.db case assign "$CASE" rob
expect_status 0 "case assign"
expect_out "assigned $CASE to rob" "says what was assigned"
run --db a.db case assign no-such-case rob
expect_status 1 "assigning an unknown case fails"
run --db a.db case assign "$CASE" nobody
expect_status 1 "assigning to an unknown user fails"
run --db a.db case unassign "$CASE" rob
expect_status 0 "case unassign"
run --db a.db case assign "$CASE" rob
expect_status 0 "case assign again"

run --db a.db audit
expect_status 0 "audit lists the trail"
for action in user.add user.disable user.passwd token.add token.revoke case.assign case.unassign; do
    expect_out "	cli	local	$action	" "the trail records $action by cli"
done
expect_out "case:$CASE" "entries name the object"
run --db a.db audit --user cli --json
expect_out '"action": "case.assign"' "audit --json"
run --db a.db audit --user nobody
expect_status 0 "audit --user with no entries"
[ ! -s out ] && ok "lists nothing for an unknown user" || not_ok "lists nothing for an unknown user"
run --db a.db audit --since 2000-01-01
expect_out "user.add" "audit --since"
run --db a.db audit --since soon
expect_status 65 "a malformed date is refused"

run --db a.db audit verify
expect_status 0 "audit verify passes on an untouched log"
expect_out "audit log intact" "and says so"
checkpoint=$(sed -n 's/^checkpoint //p' out)

# Tampering through the sqlite3 shell: the triggers refuse plain edits...
if sqlite3 a.db "UPDATE audit_log SET user_name = 'someone' WHERE seq = 2" 2>/dev/null; then
    not_ok "the schema refuses to change audit entries"
else
    ok "the schema refuses to change audit entries"
fi
if sqlite3 a.db "DELETE FROM audit_log WHERE seq = 2" 2>/dev/null; then
    not_ok "the schema refuses to delete audit entries"
else
    ok "the schema refuses to delete audit entries"
fi
run --db a.db audit verify
expect_status 0 "the refused edits left the log intact"

# ...and verify finds edits made by dropping them.
cp a.db b.db
sqlite3 b.db "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET user_name = 'someone' WHERE seq = 2"
run --db b.db audit verify
expect_status 1 "audit verify fails after an entry was changed"
expect_err "entry 2 was changed" "and names the changed entry"
expect_err "first bad entry: 2" "and the first bad entry"

cp a.db c.db
sqlite3 c.db "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 3"
run --db c.db audit verify
expect_status 1 "audit verify fails after an entry was deleted"
expect_err "entry 3 is missing" "and names the missing entry"

cp a.db d.db
last=$(sqlite3 d.db "SELECT max(seq) FROM audit_log")
sqlite3 d.db "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = $last"
run --db d.db audit verify
expect_status 1 "audit verify fails after the last entry was deleted"
expect_err "first bad entry: $last" "and points at it"

# Deleting the tail and moving the head back passes verify, but not the checkpoint.
cp a.db e.db
sqlite3 e.db "DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_head_only_advances;
    DELETE FROM audit_log WHERE seq = $last;
    UPDATE audit_head SET seq = $last - 1, hash = (SELECT hash FROM audit_log WHERE seq = $last - 1)"
run --db e.db audit verify --checkpoint "$checkpoint"
expect_status 1 "a checkpoint taken earlier exposes a rewritten tail"
run --db a.db audit verify --checkpoint "$checkpoint"
expect_status 0 "the checkpoint matches the untouched log"
expect_out "checkpoint matches" "and says so"

finish
