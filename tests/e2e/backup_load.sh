# backup_load.sh: a backup taken while the server writes (reliability.md A9):
# `refuge backup` copies through SQLite's backup API while a client keeps
# writing through the API; the copy must be encrypted, restorable, sound
# (integrity, full-text index, audit chain, stored texts) and hold every
# write acknowledged before the backup began, and the server must answer
# every write meanwhile.
. "$(dirname "$0")/lib.sh"

need curl

export REFUGE_DB="$TMP/live.db"
"$REFUGE" import "$EXAMPLE" >/dev/null 2>&1 || { echo "Bail out! cannot import"; exit 1; }
TOKEN=$(admin_token script)
# Some bulk, so that the copy takes several steps of the backup API.
{
    printf '{"format": "refuge-bundle/1", "persons": ['
    for i in $(seq 1 1500); do
        [ "$i" -gt 1 ] && printf ','
        printf '{"id": "bulk-%s", "names": [{"full": "Bulk Person %s Serikovna"}], "notes": "%s"}' \
            "$i" "$i" "$(head -c 600 /dev/zero | tr '\0' 'x')"
    done
    printf ']}'
} >bulk.json
"$REFUGE" import bulk.json >/dev/null 2>&1 || { echo "Bail out! cannot import the bulk"; exit 1; }

start_server --threads 2
WRITER=
trap 'kill $WRITER 2>/dev/null; stop_server; rm -rf "$TMP"' EXIT

# The writer: persons w-1, w-2, ... one after the other, each acknowledged
# (201) or not, recorded in acks as "N CODE".
(
    i=0
    while [ ! -e stop ]; do
        i=$((i + 1))
        code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/api/persons" \
            -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
            --data "{\"id\": \"w-$i\", \"names\": [{\"full\": \"Written During Backup $i\"}]}")
        echo "$i $code" >>acks
    done
) &
WRITER=$!
for i in $(seq 1 100); do [ -s acks ] && [ "$(wc -l <acks)" -ge 20 ] && break; sleep 0.1; done
before=$(awk '$2 == 201 {n = $1} END {print n + 0}' acks)
run backup copy.db
backup_status=$status
after=$(awk '$2 == 201 {n = $1} END {print n + 0}' acks)
for i in $(seq 1 20); do sleep 0.1; done
touch stop
wait $WRITER
WRITER=

[ "$backup_status" -eq 0 ] && ok "the backup completes while writes go on" || not_ok "backup under load" "$(cat err)"
total=$(wc -l <acks)
bad=$(awk '$2 != 201' acks | wc -l)
[ "$bad" -eq 0 ] && ok "every write during the backup was answered 201 ($total writes, $((after - before)) while it ran)" ||
    not_ok "writes during the backup" "$bad of $total not 201: $(awk '$2 != 201' acks | head -3)"
head -c 16 copy.db | grep -qa "SQLite format" && not_ok "the copy is encrypted" || ok "the copy is encrypted"

run --db restored.db restore copy.db
expect_status 0 "the copy restores"
run --db restored.db doctor
expect_status 0 "the restored copy is sound (integrity, full-text index, audit chain, stored texts)"
"$REFUGE" --db restored.db export 2>/dev/null | grep -o '"id": *"\(w\|bulk\)-[0-9]*"' |
    sed 's/.*"\([a-z]*-[0-9]*\)"/\1/' >persons.txt
missing=0
i=1
while [ "$i" -le "$before" ]; do
    grep -qx "w-$i" persons.txt || missing=$((missing + 1))
    i=$((i + 1))
done
[ "$missing" -eq 0 ] && ok "it holds all $before writes acknowledged before the backup began" ||
    not_ok "acknowledged writes in the copy" "$missing of $before missing"
n_bulk=$(grep -c "^bulk-" persons.txt)
[ "$n_bulk" -eq 1500 ] && ok "and all 1500 bulk persons" || not_ok "bulk persons in the copy" "$n_bulk"
run --db restored.db search "Written During Backup 1" --persons
expect_out "w-1" "its search index finds what was written"

finish
