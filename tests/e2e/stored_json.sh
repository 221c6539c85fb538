# stored_json.sh: each object's JSON text kept in its row (migration 0007):
# the API serves the same lists and objects whether the text is stored or
# must be built from the columns; `refuge doctor` finds a text that differs
# from its columns and names the object; `refuge reindex` rewrites it; a
# store from before 0007 gets every text when it is opened.
. "$(dirname "$0")/lib.sh"

need curl jq sqlite3

# Plaintext, so that the rows can be changed through the sqlite3 shell.
run --db p.db init --plaintext
run --db p.db import "$EXAMPLE"
expect_status 0 "the example imports"
TOKEN=$(admin_token script --db p.db)
N=$(sqlite3 p.db "SELECT (SELECT count(*) FROM source) + (SELECT count(*) FROM person)
    + (SELECT count(*) FROM organization) + (SELECT count(*) FROM case_file)
    + (SELECT count(*) FROM event) + (SELECT count(*) FROM risk) + (SELECT count(*) FROM action)")
MISSING=$(sqlite3 p.db "SELECT count(*) FROM case_file WHERE json IS NULL")
[ "$MISSING" = 0 ] && ok "an import stores the text of every case" || not_ok "an import stores the text of every case" "$MISSING without"
run --db p.db doctor
expect_status 0 "doctor passes"
expect_out "stored JSON text: ok ($N objects)" "doctor compares the text of every object"

SERVER=
trap 'kill $SERVER 2>/dev/null; rm -rf "$TMP"' EXIT
serve() {
    rm -f port
    "$REFUGE" --db p.db serve --listen 127.0.0.1:0 --port-file port --threads 2 2>server.log &
    SERVER=$!
    for i in $(seq 1 300); do [ -s port ] && break; sleep 0.1; done
    PORT=$(cat port)
}
stop() {
    kill "$SERVER" 2>/dev/null
    wait "$SERVER" 2>/dev/null
}
# fetch DIR: every list (one page of 1000 and pages of 1) and every object
fetch() {
    mkdir -p "$1"
    for kind in cases persons organizations events sources risks actions; do
        curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/$kind?limit=1000" >"$1/$kind.json"
        curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/$kind?limit=1" >"$1/$kind.1.json"
        next=$(jq -r '.next // empty' "$1/$kind.1.json")
        curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/$kind?limit=1&cursor=$next" >"$1/$kind.2.json"
        for id in $(jq -r '.items[].id' "$1/$kind.json"); do
            curl -s -D "$1/$kind.$id.hdr" -H "Authorization: Bearer $TOKEN" \
                "http://127.0.0.1:$PORT/api/$kind/$id" >"$1/$kind.$id.json"
            grep -i '^ETag:' "$1/$kind.$id.hdr" >"$1/$kind.$id.etag"
            rm "$1/$kind.$id.hdr"
        done
    done
}

serve
fetch stored
stop
jq -e '.items | length == 1' stored/cases.json >/dev/null && ok "the case list has the case" || not_ok "the case list has the case"
jq -e '.items[0].names | length > 0' stored/persons.json >/dev/null && ok "persons are listed with their names" || not_ok "persons are listed with their names"

# Rows without text (a store written by a program without the encoder): the
# answers are built from the columns and are the same, byte for byte.
sqlite3 p.db "UPDATE case_file SET json = NULL; UPDATE person SET json = NULL; UPDATE event SET json = NULL;
    UPDATE source SET json = NULL; UPDATE organization SET json = NULL; UPDATE risk SET json = NULL;
    UPDATE action SET json = NULL;"
serve
fetch built
stop
if diff -r stored built >diff.out; then ok "lists and objects without stored text are the same"; else not_ok "lists and objects without stored text are the same" "$(head -c 600 diff.out)"; fi
run --db p.db doctor
expect_status 0 "doctor passes when texts are missing"
expect_out "$N of $N objects have none" "and says how many have none"

run --db p.db reindex
expect_status 0 "reindex runs"
expect_out "stored the JSON text of $N of $N objects ($N missing, 0 differing)" "reindex stores the missing texts"

# A text that differs from its columns is found and named.
sqlite3 p.db "UPDATE case_file SET json = '{\"id\":\"kz-2019-xuar-asylum-seekers\",\"title\":\"changed\"}'"
run --db p.db doctor
expect_status 1 "doctor fails on a stored text that differs"
expect_out "stored JSON text: FAILED: 1 of $N objects differ" "and counts it"
expect_out "case kz-2019-xuar-asylum-seekers" "and names it"
run --db p.db reindex
expect_out "stored the JSON text of 1 of $N objects (0 missing, 1 differing)" "reindex rewrites it"
run --db p.db doctor
expect_status 0 "doctor passes again"
serve
fetch again
stop
if diff -r stored again >diff.out; then ok "and the API answers as before"; else not_ok "and the API answers as before" "$(head -c 600 diff.out)"; fi

# A store from before migration 0007: opening it adds the columns and
# stores every text in the same transaction.
sqlite3 p.db "$UNDO_0009 ALTER TABLE source DROP COLUMN json; ALTER TABLE person DROP COLUMN json;
    ALTER TABLE organization DROP COLUMN json; ALTER TABLE case_file DROP COLUMN json;
    ALTER TABLE event DROP COLUMN json; ALTER TABLE risk DROP COLUMN json;
    ALTER TABLE action DROP COLUMN json; PRAGMA user_version = 6;"
run --db p.db doctor
expect_status 0 "a schema 6 store opens and passes doctor"
expect_out "stored JSON text: ok ($N objects)" "with the text of every object stored by the migration"
expect_err "refuge: upgrading the store" "and it says on stderr that it is upgrading, before the long work"
run --db p.db doctor
if grep -q "upgrading" err; then not_ok "the next open says nothing of an upgrade" "$(head -c 300 err)"; else ok "the next open says nothing of an upgrade"; fi
[ "$(sqlite3 p.db 'PRAGMA user_version')" -ge 7 ] && ok "the store is at schema 7 or later" || not_ok "the store is at schema 7 or later"
serve
fetch migrated
stop
if diff -r stored migrated >diff.out; then ok "and the API answers as before the migration"; else not_ok "and the API answers as before the migration" "$(head -c 600 diff.out)"; fi

finish
