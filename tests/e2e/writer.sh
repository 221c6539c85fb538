# writer.sh: the server's single writer with group commit (docs/api.md,
# "Serving"). Many writes at once, some of which fail (a duplicate id: 409;
# a reference to nothing: 400; an unknown person's delete: 404), interleaved
# with reads: every successful write is acknowledged and there, no failed
# one left anything, the audit trail has one entry per successful write in a
# chain that verifies, and the server says how many transactions it used.
. "$(dirname "$0")/lib.sh"

need curl jq

export REFUGE_DB="$TMP/w.db"
"$REFUGE" import "$EXAMPLE" >/dev/null 2>&1 || { echo "Bail out! cannot import"; exit 1; }
TOKEN=$(admin_token writer)
start_server --threads 2
PERSON=$(jq -r '.persons[0].id' "$EXAMPLE")
audit_before=$("$REFUGE" audit --json | jq length)

post() { # post N PATH BODY: answer code into code.N
    curl -s -o "body.$1" -w '%{http_code}' -X POST "$BASE$2" -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/json' --data "$3" >"code.$1"
}
# 60 requests at once: 30 new events (201), 10 repeats of them (409),
# 10 naming a person that does not exist (400), 5 deletes of nothing (404),
# 5 reads (200)
pids=""
for i in $(seq 1 30); do
    post "$i" /api/events "{\"id\": \"w-$i\", \"type\": \"arrest\", \"date\": \"2019-10-07\", \"persons\": [\"$PERSON\"]}" &
    pids="$pids $!"
done
for i in $(seq 31 40); do
    post "$i" /api/events "{\"id\": \"w-$((i - 30))\", \"type\": \"arrest\", \"date\": \"2019-10-07\", \"persons\": [\"$PERSON\"]}" &
    pids="$pids $!"
done
for i in $(seq 41 50); do
    post "$i" /api/events "{\"id\": \"bad-$i\", \"type\": \"arrest\", \"date\": \"2019-10-07\", \"persons\": [\"nobody-$i\"]}" &
    pids="$pids $!"
done
for i in $(seq 51 55); do
    curl -s -o "body.$i" -w '%{http_code}' -X DELETE "$BASE/api/persons/nobody-$i" \
        -H "Authorization: Bearer $TOKEN" -H 'If-Match: "1"' >"code.$i" &
    pids="$pids $!"
done
for i in $(seq 56 60); do
    curl -s -o "body.$i" -w '%{http_code}' "$BASE/api/cases?limit=5" \
        -H "Authorization: Bearer $TOKEN" >"code.$i" &
    pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids

count() { # count CODE FROM TO
    n=0
    for i in $(seq "$2" "$3"); do [ "$(cat "code.$i")" = "$1" ] && n=$((n + 1)); done
    echo "$n"
}
created=$(count 201 1 40)
conflicts=$(count 409 1 40)
[ "$created" -eq 30 ] && [ "$conflicts" -eq 10 ] && ok "30 creates and 10 repeats: 30 x 201, 10 x 409" ||
    not_ok "30 creates and 10 repeats: 30 x 201, 10 x 409" "201: $created, 409: $conflicts"
[ "$(count 400 41 50)" -eq 10 ] && ok "10 writes naming nobody: 400 each" ||
    not_ok "10 writes naming nobody: 400 each" "$(cat code.41) $(head -c 200 body.41)"
[ "$(count 404 51 55)" -eq 5 ] && ok "5 deletes of nothing: 404 each" ||
    not_ok "5 deletes of nothing: 404 each" "$(cat code.51)"
[ "$(count 200 56 60)" -eq 5 ] && ok "reads meanwhile: 200 each" || not_ok "reads meanwhile: 200 each"
missing=0
for i in $(seq 1 30); do
    c=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/events/w-$i" -H "Authorization: Bearer $TOKEN")
    [ "$c" = 200 ] || missing=$((missing + 1))
done
[ "$missing" -eq 0 ] && ok "every acknowledged event is there" ||
    not_ok "every acknowledged event is there" "$missing missing"
c=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/events/bad-41" -H "Authorization: Bearer $TOKEN")
[ "$c" = 404 ] && ok "a refused write left nothing" || not_ok "a refused write left nothing" "$c"

stop_server
line=$(grep -o '[0-9]* writes in [0-9]* transactions.*' server.log)
[ -n "$line" ] && ok "the server reports its writes: $line" ||
    not_ok "the server reports its writes" "$(tail -n 3 server.log)"
audit_after=$("$REFUGE" audit --json | jq length)
[ $((audit_after - audit_before)) -eq 30 ] && ok "one audit entry per successful write (30)" ||
    not_ok "one audit entry per successful write (30)" "$((audit_after - audit_before))"
run audit verify
expect_status 0 "the audit chain verifies"
run doctor
expect_status 0 "doctor: the store is sound"

finish
