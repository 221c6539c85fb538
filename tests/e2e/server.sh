# server.sh: the JSON API against a real `refuge serve` on a loopback port:
# authentication, CSRF, roles and per-case access, If-Match conflicts, every
# error status, bad and oversized bodies, slow and many concurrent clients,
# the audit trail, and a clean stop on SIGTERM.
. "$(dirname "$0")/lib.sh"

need curl jq

export REFUGE_DB="$TMP/s.db"
"$REFUGE" import "$EXAMPLE" >/dev/null 2>&1 || { echo "Bail out! cannot import"; exit 1; }
printf 'correct horse battery staple\n' | "$REFUGE" user add alice --role admin >/dev/null 2>&1
printf 'researcher password 1\n' | "$REFUGE" user add rita --role researcher >/dev/null 2>&1
printf 'viewer password 123\n' | "$REFUGE" user add victor --role viewer >/dev/null 2>&1
printf 'coordinator pass 1\n' | "$REFUGE" user add cora --role coordinator >/dev/null 2>&1
ADMIN_TOKEN=$(admin_token script)
[ -n "$ADMIN_TOKEN" ] && ok "an API token is printed once" || not_ok "an API token is printed once"

"$REFUGE" serve --listen 127.0.0.1:0 --port-file port --max-body 2M --threads 4 2>server.log &
SERVER=$!
for i in $(seq 1 300); do [ -s port ] && break; sleep 0.1; done
PORT=$(cat port)
BASE="http://127.0.0.1:$PORT"
trap 'kill $SERVER 2>/dev/null; rm -rf "$TMP"' EXIT

auth() { echo "Authorization: Bearer $ADMIN_TOKEN"; }

http GET /api/health
expect_code 200 "health answers without authentication"
grep -qi '^Content-Security-Policy:' hdr && grep -qi '^X-Content-Type-Options: nosniff' hdr && grep -qi '^Referrer-Policy: no-referrer' hdr \
    && ok "security headers are sent" || not_ok "security headers are sent"

http GET /api/cases
expect_code 401 "lists need authentication"
jq -e '.error.code == "E_AUTH" and (.error.message | length) > 0' body >/dev/null && ok "errors have one JSON shape" || not_ok "errors have one JSON shape"

http GET /api/cases -H "$(auth)"
expect_code 200 "a bearer token lists cases"
jq -e '.items[0].id == "kz-2019-xuar-asylum-seekers" and .next == null' body >/dev/null && ok "the list holds the case" || not_ok "the list holds the case"
grep -qi '^Cache-Control: no-store' hdr && ok "API responses are not cached" || not_ok "API responses are not cached"

http GET /api/cases/kz-2019-xuar-asylum-seekers -H "$(auth)"
expect_code 200 "read one case"
ETAG=$(grep -i '^ETag:' hdr | cut -d' ' -f2 | tr -d '\r')
[ "$ETAG" = '"1"' ] && ok "the ETag is the version" || not_ok "the ETag is the version" "$ETAG"

http GET /api/cases/nope -H "$(auth)"
expect_code 404 "an unknown case is 404"
http PATCH /api/cases/kz-2019-xuar-asylum-seekers -H "$(auth)"
expect_code 405 "an unknown method is 405"
grep -qi '^Allow: GET, PUT, DELETE' hdr && ok "405 lists the allowed methods" || not_ok "405 lists the allowed methods" "$(cat hdr)"
http GET /api/nothing-here -H "$(auth)"
expect_code 404 "an unknown path is 404"

# Writes and conflicts.
jq '.cases[0] | .summary = "changed"' "$EXAMPLE" > case.json
http PUT /api/cases/kz-2019-xuar-asylum-seekers -H "$(auth)" -H 'Content-Type: application/json' --data-binary @case.json
expect_code 428 "a write without If-Match is refused"
http PUT /api/cases/kz-2019-xuar-asylum-seekers -H "$(auth)" -H 'Content-Type: application/json' -H 'If-Match: "1"' --data-binary @case.json
expect_code 200 "a write with the current version succeeds"
grep -qi '^ETag: "2"' hdr && ok "and returns the new version" || not_ok "and returns the new version"
http PUT /api/cases/kz-2019-xuar-asylum-seekers -H "$(auth)" -H 'Content-Type: application/json' -H 'If-Match: "1"' --data-binary @case.json
expect_code 409 "a stale write is a conflict"
grep -qi '^ETag: "2"' hdr && ok "the conflict gives the current version" || not_ok "the conflict gives the current version"
http PUT /api/cases/kz-2019-xuar-asylum-seekers -H "$(auth)" -H 'Content-Type: text/plain' -H 'If-Match: "2"' --data-binary @case.json
expect_code 415 "a body that is not JSON is 415"
printf '{"id": "kz-2019-xuar-asylum-seekers", "state": "KZ", "opened": "2019-13-01"}' > bad.json
http PUT /api/cases/kz-2019-xuar-asylum-seekers -H "$(auth)" -H 'Content-Type: application/json' -H 'If-Match: "2"' --data-binary @bad.json
expect_code 400 "an invalid field is 400"
jq -e '.error.path == "opened" and (.error.message | contains("is not a calendar date"))' body >/dev/null && ok "with the field's path and the import's message" || not_ok "with the field's path and the import's message" "$(cat body)"
printf '{"id": "x", ' > trunc.json
http POST /api/cases -H "$(auth)" -H 'Content-Type: application/json' --data-binary @trunc.json
expect_code 400 "invalid JSON is 400"
printf '{"id": "e9", "type": "arrest", "persons": ["ghost"]}' > ev.json
http POST /api/events -H "$(auth)" -H 'Content-Type: application/json' --data-binary @ev.json
expect_code 400 "a dangling reference is 400"
jq -e '.error.path == "persons[0]"' body >/dev/null && ok "naming the reference" || not_ok "naming the reference" "$(cat body)"
printf '{"id": "e9", "type": "arrest", "date": "2019-10-07", "persons": ["kaster-musakhanuly"]}' > ev.json
http POST /api/events -H "$(auth)" -H 'Content-Type: application/json' --data-binary @ev.json
expect_code 201 "an event is created"
http POST /api/events -H "$(auth)" -H 'Content-Type: application/json' --data-binary @ev.json
expect_code 409 "creating it twice is a conflict"
http DELETE /api/persons/kaster-musakhanuly -H "$(auth)" -H 'If-Match: "1"'
expect_code 409 "deleting a referenced person is a conflict"
http DELETE /api/events/e9 -H "$(auth)" -H 'If-Match: "1"'
expect_code 204 "an event is deleted"
# A canary written through the API (checked in the files after the stop).
http POST /api/sources -H "$(auth)" -H 'Content-Type: application/json' --data '{"id": "s-canary", "title": "Canaryapi Zhanargul +77015550123"}'
expect_code 201 "a source is created through the API"

head -c 3000000 /dev/zero | tr '\0' ' ' > big.json
http POST /api/import -H "$(auth)" -H 'Content-Type: application/json' --data-binary @big.json
expect_code 413 "a body over the limit is 413"
http POST /api/import -H "$(auth)" -H 'Content-Type: application/json' --data-binary @"$EXAMPLE"
expect_code 200 "a bundle imports over HTTP"
http GET /api/cases/kz-2019-xuar-asylum-seekers/findings?as_of=2019-12-10 -H "$(auth)"
expect_code 200 "findings over HTTP"
jq -e 'length == 8' body >/dev/null && ok "the example's eight findings" || not_ok "the example's eight findings"
http GET /api/export -H "$(auth)"
expect_code 200 "export over HTTP"
jq -e '.format == "refuge-bundle/1"' body >/dev/null && ok "is a bundle" || not_ok "is a bundle"

# Sessions and CSRF.
http POST /api/session -H 'Content-Type: application/json' --data '{"username": "alice", "password": "wrong password here"}'
expect_code 401 "a wrong password is 401"
http POST /api/session -H 'Content-Type: application/json' --data '{"username": "alice", "password": "correct horse battery staple"}'
expect_code 200 "sign in"
COOKIE=$(grep -i '^Set-Cookie:' hdr | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r')
CSRF=$(jq -r .csrf body)
grep -i '^Set-Cookie:' hdr | grep -qi 'HttpOnly' && grep -i '^Set-Cookie:' hdr | grep -qi 'SameSite=Strict' && ok "the cookie is HttpOnly and SameSite=Strict" || not_ok "the cookie is HttpOnly and SameSite=Strict"
http GET /api/cases -H "Cookie: $COOKIE"
expect_code 200 "the session cookie authenticates"
http POST /api/events -H "Cookie: $COOKIE" -H 'Content-Type: application/json' --data-binary @ev.json
expect_code 403 "a cookie write without X-CSRF-Token is 403"
http POST /api/events -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' --data-binary @ev.json
expect_code 201 "with the CSRF token it succeeds"
http DELETE /api/session -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF"
expect_code 204 "sign out"
http GET /api/cases -H "Cookie: $COOKIE"
expect_code 401 "the session is gone after signing out"

# Roles.
login() { # login USER PASSWORD: sets COOKIE and CSRF
    http POST /api/session -H 'Content-Type: application/json' --data "{\"username\": \"$1\", \"password\": \"$2\"}"
    COOKIE=$(grep -i '^Set-Cookie:' hdr | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r')
    CSRF=$(jq -r .csrf body)
}
login rita "researcher password 1"
http GET /api/cases -H "Cookie: $COOKIE"
jq -e '.items | length == 0' body >/dev/null && ok "a researcher sees no unassigned case" || not_ok "a researcher sees no unassigned case" "$(cat body)"
http GET /api/cases/kz-2019-xuar-asylum-seekers -H "Cookie: $COOKIE"
expect_code 403 "nor can read it"
http GET /api/persons/kaster-musakhanuly -H "Cookie: $COOKIE"
expect_code 403 "nor its sensitive subjects"
http GET /api/persons/darhan-dilmanov -H "Cookie: $COOKIE"
expect_code 200 "but can read a person who is not sensitive"
"$REFUGE" case assign kz-2019-xuar-asylum-seekers rita >/dev/null 2>&1
http GET /api/cases -H "Cookie: $COOKIE"
jq -e '.items | length == 1' body >/dev/null && ok "once assigned, the researcher sees the case" || not_ok "once assigned, the researcher sees the case" "$(cat body)"
http GET /api/persons/kaster-musakhanuly -H "Cookie: $COOKIE"
expect_code 200 "and its subjects"
http GET /api/audit -H "Cookie: $COOKIE"
expect_code 403 "the audit trail is for administrators"
login victor "viewer password 123"
http GET /api/persons/kaster-musakhanuly -H "Cookie: $COOKIE"
expect_code 403 "a viewer never sees a sensitive person"
http POST /api/sources -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' --data '{"id": "s-new", "title": "x"}'
expect_code 403 "a viewer cannot write"
http GET /api/cases/kz-2019-xuar-asylum-seekers/timeline -H "Cookie: $COOKIE"
expect_code 403 "a viewer cannot see the timeline of a case with sensitive subjects"
http GET /api/cases/kz-2019-xuar-asylum-seekers/findings -H "Cookie: $COOKIE"
expect_code 403 "nor its findings, which name them"
http GET "/api/cases/kz-2019-xuar-asylum-seekers/statement?kind=public_statement" -H "Cookie: $COOKIE"
expect_code 403 "nor draft a statement naming them"
http GET /api/export -H "Cookie: $COOKIE"
expect_code 403 "a viewer cannot export"
http POST /api/import -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' --data-binary @"$EXAMPLE"
expect_code 403 "a viewer cannot import"
login rita "researcher password 1"
http GET /api/export -H "Cookie: $COOKIE"
expect_code 403 "a researcher cannot export the whole store"
http GET "/api/export?case=kz-2019-xuar-asylum-seekers" -H "Cookie: $COOKIE"
expect_code 200 "but can export an assigned case"
http GET /api/cases/kz-2019-xuar-asylum-seekers/timeline -H "Cookie: $COOKIE"
expect_code 200 "and read its timeline"
http POST /api/import -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' --data-binary @"$EXAMPLE"
expect_code 403 "a researcher cannot import"
login victor "viewer password 123"

# Login storms are rate-limited.
for i in 1 2 3 4 5 6; do
    http POST /api/session -H 'Content-Type: application/json' --data '{"username": "cora", "password": "not the password"}'
done
expect_code 429 "repeated failed logins are rate-limited"

# The audit trail.
http GET /api/audit -H "$(auth)"
expect_code 200 "an administrator reads the audit trail"
jq -e '[.[] | select(.action == "person.read" and .id == "kaster-musakhanuly")] | length >= 1' body >/dev/null && ok "reads of sensitive persons are audited" || not_ok "reads of sensitive persons are audited"
jq -e '[.[] | select(.action == "event.create" and .id == "e9")] | length >= 1' body >/dev/null && ok "writes are audited" || not_ok "writes are audited"
"$REFUGE" audit verify >/dev/null 2>&1 && ok "the audit chain verifies" || not_ok "the audit chain verifies"

# A slow client does not block others; many clients at once are served.
printf '{"username": "nobody", "password": "xxxxxxxxxxxxxx"}' > slow.json
curl -s -o /dev/null --limit-rate 10 -H 'Content-Type: application/json' --data-binary @slow.json "$BASE/api/session" &
SLOW=$!
sleep 0.5
start=$(date +%s)
http GET /api/health
end=$(date +%s)
[ "$code" = 200 ] && [ $((end - start)) -lt 2 ] && ok "a slow client does not block another" || not_ok "a slow client does not block another"
kill $SLOW 2>/dev/null
wait $SLOW 2>/dev/null
pids=""
for i in $(seq 1 200); do
    curl -s -o /dev/null -w '%{http_code}\n' "$BASE/api/cases" -H "$(auth)" >> codes &
    pids="$pids $!"
done
for p in $pids; do wait "$p"; done
[ "$(grep -c '^200$' codes)" = 200 ] && ok "200 concurrent clients are all served" || not_ok "200 concurrent clients are all served" "$(sort codes | uniq -c)"

# Search: names across scripts and text; only what the requester may read.
http GET /api/search -G --data-urlencode "q=Кастер Мусаханулы" -H "$(auth)"
expect_code 200 "search answers"
jq -e '.items[0].type == "person" and .items[0].id == "kaster-musakhanuly" and (.items[0].why | length) > 0' body >/dev/null \
    && ok "search finds a person by another spelling, explained" || not_ok "search finds a person by another spelling, explained" "$(head -c 300 body)"
http GET /api/search -G --data-urlencode "q=detention" --data-urlencode "type=text" -H "$(auth)"
jq -e '[.items[] | select(.id == "ev-detention")] | length == 1' body >/dev/null \
    && ok "search finds events by text" || not_ok "search finds events by text" "$(head -c 300 body)"
http GET /api/search -G --data-urlencode "q=Kaster Musakhanuly" -H "Cookie: $COOKIE"
expect_code 200 "a viewer may search"
jq -e '[.items[] | select(.id == "kaster-musakhanuly")] | length == 0' body >/dev/null \
    && ok "but does not see a sensitive person in the results" || not_ok "but does not see a sensitive person in the results" "$(head -c 300 body)"
http GET /api/search -H "$(auth)"
expect_code 400 "search without q is refused"

kill -TERM $SERVER
wait $SERVER
status=$?
[ "$status" = 0 ] && ok "SIGTERM stops the server cleanly" || not_ok "SIGTERM stops the server cleanly" "status $status"
"$REFUGE" check --no-record >/dev/null 2>&1 && ok "the store is usable after the stop" || not_ok "the store is usable after the stop"
hits=$(cat "$REFUGE_DB" "$REFUGE_DB"-wal "$REFUGE_DB"-shm "$REFUGE_DB".keys 2>/dev/null | grep -caE 'Canaryapi|Zhanargul|77015550123|Musakhanuly')
[ "$hits" -eq 0 ] && ok "0 plaintext canaries in the server's files (encrypted store)" || not_ok "canaries in the server's files" "$hits"

finish
