# diskfull.sh: no space left (reliability.md A7). A file-size limit
# (RLIMIT_FSIZE, set on the running server with prlimit) stands in for a
# full disk: writes past it must get a clean 503 while reads go on, nothing
# half-written may remain, and once the limit is raised (space returns)
# writes succeed again without a restart. The same for a CLI import: a
# clear error, a non-zero exit, the store unchanged.
. "$(dirname "$0")/lib.sh"

need curl jq prlimit

export REFUGE_DB="$TMP/d.db"
"$REFUGE" import "$EXAMPLE" >/dev/null 2>&1 || { echo "Bail out! cannot import"; exit 1; }
TOKEN=$(admin_token script)
start_server --threads 2

# person N SIZE: a person with a name of about SIZE random characters.
person() {
    printf '{"id": "p%s", "names": [{"full": "Person %s %s"}]}' "$1" "$1" \
        "$(head -c "$2" /dev/urandom | base64 -w0 | tr -d '+/=' | head -c "$2")" >p.json
}
post() {
    code=$(curl -s -o body -w '%{http_code}' -X POST "$BASE/api/persons" \
        -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data-binary @p.json)
}

# Leave room for a few writes only (the soft limit; the hard one stays, so
# it can be raised again without privileges).
size=$(( $(stat -c %s d.db) + $(stat -c %s d.db-wal 2>/dev/null || echo 0) ))
prlimit --pid "$SERVER" --fsize=$((size + 150000)):unlimited ||
    { echo "1..0 # SKIP cannot set a file-size limit on the server"; exit 0; }
created=0
refused=0
other=0
for i in $(seq 1 40); do
    person "$i" 3000
    post
    case $code in
    201) created=$((created + 1)) ;;
    503) refused=$((refused + 1)) ;;
    *) other=$((other + 1)); echo "# write $i: $code $(head -c 200 body)" ;;
    esac
done
kill -0 "$SERVER" 2>/dev/null && ok "the server survives writes past the limit (no SIGXFSZ death)" ||
    not_ok "the server survives writes past the limit"
[ "$refused" -gt 0 ] && [ "$other" -eq 0 ] && ok "writes past the limit get 503 ($created created, $refused refused, 0 other)" ||
    not_ok "writes past the limit get 503" "$created created, $refused refused, $other other"
jq -e '.error.code == "E_STORAGE"' body >/dev/null && ok "with E_STORAGE and a message" || not_ok "E_STORAGE" "$(cat body)"
grep -qi "sqlite\|disk I/O\|/d.db" body && not_ok "the answer says nothing of SQLite or paths" "$(cat body)" ||
    ok "the answer says nothing of SQLite or paths"
code=$(curl -s -o body -w '%{http_code}' "$BASE/api/cases/kz-2019-xuar-asylum-seekers" -H "Authorization: Bearer $TOKEN")
[ "$code" = 200 ] && ok "reads go on while writes cannot" || not_ok "reads go on" "$code"

# Space returns.
prlimit --pid "$SERVER" --fsize=unlimited:unlimited
person 100 100
post
[ "$code" = 201 ] && ok "once the limit is raised, writes succeed again without a restart" || not_ok "writes after the limit" "$code $(cat body)"
code=$(curl -s -o body -w '%{http_code}' "$BASE/api/persons?limit=500" -H "Authorization: Bearer $TOKEN")
n=$(jq '[.items[] | select(.id | startswith("p"))] | length' body)
[ "$n" -eq $((created + 1)) ] && ok "exactly the acknowledged persons are there ($n)" || not_ok "acknowledged persons" "$n, expected $((created + 1))"
stop_server
run doctor
expect_status 0 "doctor: the store is sound (integrity, full-text index, audit chain)"

# The CLI: an import larger than the room left.
before=$("$REFUGE" list persons 2>/dev/null | wc -l)
{
    printf '{"format": "refuge-bundle/1", "persons": ['
    for i in $(seq 1 200); do
        [ "$i" -gt 1 ] && printf ','
        printf '{"id": "bulk%s", "names": [{"full": "Bulk %s %s"}]}' "$i" "$i" "$(head -c 2000 /dev/urandom | base64 -w0 | tr -d '+/=')"
    done
    printf ']}'
} >bulk.json
size=$(( $(stat -c %s d.db) + $(stat -c %s d.db-wal 2>/dev/null || echo 0) ))
prlimit --fsize=$((size + 100000)):unlimited "$REFUGE" import bulk.json >out 2>err
status=$?
[ "$status" -ne 0 ] && [ "$status" -lt 128 ] && ok "an import past the limit fails with an exit status ($status), not a signal" ||
    not_ok "import past the limit" "status $status: $(cat err)"
[ -s err ] && ok "and says why: $(head -1 err)" || not_ok "the import says why"
after=$("$REFUGE" list persons 2>/dev/null | wc -l)
[ "$before" -eq "$after" ] && ok "and nothing of it was kept" || not_ok "nothing kept" "$before before, $after after"
run doctor
expect_status 0 "doctor after the failed import"

finish
