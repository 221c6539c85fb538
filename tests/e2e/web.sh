# web.sh: the embedded web interface and the API routes it needs, against a
# real `refuge serve`: static files with strong ETags, 304, content types and
# security headers; /api/me, /api/dashboard, users, case assignment, the
# findings history and a person's appearances, each with its role rules.
. "$(dirname "$0")/lib.sh"

need curl jq

export REFUGE_DB="$TMP/w.db"
"$REFUGE" import "$EXAMPLE" >/dev/null 2>&1 || { echo "Bail out! cannot import"; exit 1; }
printf 'correct horse battery staple\n' | "$REFUGE" user add alice --role admin >/dev/null 2>&1
printf 'researcher password 1\n' | "$REFUGE" user add rita --role researcher >/dev/null 2>&1
printf 'coordinator pass 1\n' | "$REFUGE" user add cora --role coordinator >/dev/null 2>&1
# Two more open cases: one whose worst finding is high, one with none.
cat >more.json <<'JSON'
{"format": "refuge-bundle/1",
 "persons": [{"id": "p-high", "names": [{"full": "Aziz Karimov", "kind": "primary"}]},
             {"id": "p-none", "names": [{"full": "Olga Ivanova", "kind": "primary"}]}],
 "cases": [{"id": "a-high", "title": "Held while seeking asylum", "state": "KZ", "subjects": ["p-high"], "status": "open"},
           {"id": "b-none", "title": "Nothing known yet", "state": "KZ", "subjects": ["p-none"], "status": "open"},
           {"id": "c-closed", "title": "Closed", "state": "KZ", "subjects": ["p-none"], "status": "closed"}],
 "events": [{"id": "e-app", "type": "asylum_application", "date": "2020-01", "state": "KZ", "persons": ["p-high"]},
            {"id": "e-det", "type": "detention", "date": "2020-02", "kind": "immigration", "persons": ["p-high"]}]}
JSON
"$REFUGE" import more.json >/dev/null 2>&1 || { echo "Bail out! cannot import more.json"; exit 1; }
"$REFUGE" check >/dev/null 2>&1

# The interface language of an account, set from the command line.
printf 'viewer password 123\n' | "$REFUGE" user add victor --role viewer >/dev/null 2>&1
"$REFUGE" user lang victor ru >cli.out 2>&1 && grep -q 'victor is ru' cli.out &&
    ok "refuge user lang sets a user's language" || not_ok "refuge user lang sets a user's language" "$(cat cli.out)"
"$REFUGE" user lang victor de >/dev/null 2>cli.err; rc=$?
[ "$rc" -ne 0 ] && grep -q 'en or ru' cli.err && ok "refuge user lang refuses another language (exit $rc)" || not_ok "refuge user lang refuses another language" "$rc $(cat cli.err)"
"$REFUGE" user lang nobody en >/dev/null 2>cli.err && not_ok "refuge user lang refuses an unknown user" || ok "refuge user lang refuses an unknown user"
"$REFUGE" audit --json 2>/dev/null | jq -e 'map(select(.action == "user.lang" and .id == "victor" and .detail == "ru")) | length == 1' >/dev/null \
    && ok "and records the change in the audit trail" || not_ok "and records the change in the audit trail"

"$REFUGE" serve --listen 127.0.0.1:0 --port-file port 2>server.log &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$TMP"' EXIT
for i in $(seq 1 300); do [ -s port ] && break; sleep 0.1; done
BASE="http://127.0.0.1:$(cat port)"
C=case/kz-2019-xuar-asylum-seekers

header() { grep -i "^$1:" hdr | head -1 | cut -d' ' -f2- | tr -d '\r'; }
# login NAME PASSWORD: sets COOKIE and CSRF.
login() {
    http POST /api/session -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"$2\"}"
    COOKIE=$(grep -i '^Set-Cookie:' hdr | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r')
    CSRF=$(jq -r .csrf body)
}

# ---- static files ----
http GET /
expect_code 200 "/ serves the app shell without signing in"
case "$(header Content-Type)" in text/html*) ok "as HTML" ;; *) not_ok "as HTML" "$(header Content-Type)" ;; esac
ETAG=$(header ETag)
echo "$ETAG" | grep -Eq '^"[0-9a-f]{32}"$' && ok "with a strong ETag (content hash)" || not_ok "with a strong ETag (content hash)" "$ETAG"
header Content-Security-Policy | grep -q "script-src 'self'" && ! header Content-Security-Policy | grep -q unsafe-inline \
    && ok "and a CSP without inline scripts or styles" || not_ok "and a CSP without inline scripts or styles"
[ "$(header X-Content-Type-Options)" = nosniff ] && [ "$(header X-Frame-Options)" = DENY ] && ok "and the API's security headers" || not_ok "and the API's security headers"
[ "$(header Cache-Control)" = no-cache ] && ok "revalidated on every use (no-cache)" || not_ok "revalidated on every use" "$(header Cache-Control)"
grep -q '<script' body && ! grep -Eq '<script>|<script [^>]*>[^<]' body && ! grep -q 'style=' body \
    && ok "the shell has no inline script or style" || not_ok "the shell has no inline script or style"
http GET / -H "If-None-Match: $ETAG"
expect_code 304 "If-None-Match with the ETag gives 304"
[ ! -s body ] && ok "with no body" || not_ok "with no body"
http GET / -H 'If-None-Match: "0000"'
expect_code 200 "another ETag gives the file"
http GET /js/app.js
expect_code 200 "a module is served"
case "$(header Content-Type)" in text/javascript*) ok "as JavaScript" ;; *) not_ok "as JavaScript" "$(header Content-Type)" ;; esac
[ "$(header ETag)" != "$ETAG" ] && ok "each file has its own ETag" || not_ok "each file has its own ETag"
http GET /style.css
case "$(header Content-Type)" in text/css*) ok "the stylesheet is text/css" ;; *) not_ok "the stylesheet is text/css" ;; esac
http GET /no/such/page
expect_code 404 "an unknown path outside /api is 404"
http GET /../CMakeLists.txt --path-as-is
[ "$code" = 404 ] || [ "$code" = 400 ] && ok "no way out of the embedded files" || not_ok "no way out of the embedded files" "$code"
http POST / -d x
expect_code 405 "the web interface answers only GET and HEAD"
http GET /api/nothing
expect_code 404 "unknown API paths stay JSON 404s"
jq -e '.error.code == "E_NOT_FOUND"' body >/dev/null && ok "in the error shape" || not_ok "in the error shape"
# First page weight: the shell, the stylesheet and every module it imports.
total=0
for f in / /style.css /js/app.js /js/api.js /js/dom.js /js/i18n.js /js/forms.js; do
    n=$(curl -s "$BASE$f" | wc -c)
    total=$((total + n))
done
[ "$total" -lt 153600 ] && ok "the first page weighs $total bytes (< 150 KB)" || not_ok "the first page weighs under 150 KB" "$total bytes"

# ---- the API for the interface ----
http GET /api/me
expect_code 401 "/api/me needs a session"
login alice 'correct horse battery staple'
http GET /api/me -H "Cookie: $COOKIE"
expect_code 200 "/api/me"
jq -e --arg c "$CSRF" '.user == "alice" and .role == "admin" and .can_admin == true and .csrf == $c' body >/dev/null \
    && ok "names the user, the role, and the session's CSRF token" || not_ok "names the user, the role, and the session's CSRF token" "$(cat body)"
http GET /api/dashboard -H "Cookie: $COOKIE"
expect_code 200 "the dashboard"
jq -e '[.open_cases[].id] == ["kz-2019-xuar-asylum-seekers", "a-high", "b-none"] and .open_total == 3' body >/dev/null \
    && ok "lists the open cases, most severe finding first, closed ones left out" || not_ok "lists the open cases, most severe finding first" "$(cat body)"
jq -e '.open_cases[0].top == {"rule": "refoulement-risk", "severity": "critical", "status": "established"} and .open_cases[1].top.rule == "detention-of-asylum-seeker" and .open_cases[1].top.severity == "high" and .open_cases[2].top == null and .open_cases[2].findings == 0' body >/dev/null \
    && ok "each with its most severe current finding" || not_ok "each with its most severe current finding" "$(cat body)"
jq -e '.open_cases[1].title == "Held while seeking asylum" and .open_cases[1].status == "open" and .open_cases[2].title == "Nothing known yet"' body >/dev/null \
    && ok "with their titles and status" || not_ok "with their titles and status" "$(cat body)"
jq -e '(.recent | length) == 4 and .deadlines == []' body >/dev/null && ok "and the recently changed cases" || not_ok "and the recently changed cases" "$(cat body)"
http GET /api/cases/kz-2019-xuar-asylum-seekers/history -H "Cookie: $COOKIE"
expect_code 200 "the findings history"
jq -e 'length > 0 and (map(.rule) | index("refoulement-risk")) != null' body >/dev/null && ok "holds the recorded run" || not_ok "holds the recorded run" "$(head -c 300 body)"
http GET /api/persons/kaster-musakhanuly/appearances -H "Cookie: $COOKIE"
expect_code 200 "a person's appearances"
jq -e '.cases[0].id == "kz-2019-xuar-asylum-seekers" and (.events | map(.id) | index("ev-crossing")) != null' body >/dev/null \
    && ok "list the cases and events naming them" || not_ok "list the cases and events naming them" "$(head -c 300 body)"
http GET /api/users -H "Cookie: $COOKIE"
jq -e '.items | map(.name) == ["alice", "cora", "rita", "victor"]' body >/dev/null && ok "administrators list users" || not_ok "administrators list users" "$(cat body)"
http POST /api/users -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' -d '{"name":"vera","role":"viewer","password":"short"}'
expect_code 400 "a short password is refused"
jq -e '.error.path == "password"' body >/dev/null && ok "with the field's path" || not_ok "with the field's path" "$(cat body)"
http POST /api/users -H "Cookie: $COOKIE" -H 'Content-Type: application/json' -d '{"name":"vera","role":"viewer","password":"a long enough password"}'
expect_code 403 "adding a user needs the CSRF token"
http POST /api/users -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' -d '{"name":"vera","role":"viewer","password":"a long enough password"}'
expect_code 201 "an administrator adds a user"
http POST /api/users -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' -d '{"name":"vera","role":"viewer","password":"a long enough password"}'
expect_code 409 "a name is taken once"
http DELETE /api/users/alice -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF"
expect_code 409 "an administrator cannot disable their own account"
login vera 'a long enough password'
V_COOKIE=$COOKIE
login alice 'correct horse battery staple'
http DELETE /api/users/vera -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF"
expect_code 204 "an administrator disables an account"
http GET /api/me -H "Cookie: $V_COOKIE"
expect_code 401 "its session ends at once"
http GET /api/users -H "Cookie: $COOKIE"
jq -e '.items[] | select(.name == "vera") | .disabled' body >/dev/null && ok "and it is listed as disabled" || not_ok "and it is listed as disabled" "$(cat body)"
http DELETE /api/users/nobody -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF"
expect_code 404 "disabling an unknown account is 404"
http PUT /api/cases/kz-2019-xuar-asylum-seekers/assignees/nobody -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF"
expect_code 404 "assigning to an unknown user is 404"
http PUT /api/cases/kz-2019-xuar-asylum-seekers/assignees/rita -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF"
expect_code 204 "an administrator assigns a case"
http GET /api/cases/kz-2019-xuar-asylum-seekers/assignees -H "Cookie: $COOKIE"
jq -e '.items | map(.name) == ["rita"]' body >/dev/null && ok "and sees who has it" || not_ok "and sees who has it" "$(cat body)"
"$REFUGE" audit --json 2>/dev/null | jq -e 'map(select(.action == "case.assign" and .user == "alice")) | length == 1' >/dev/null \
    && ok "the assignment is audited" || not_ok "the assignment is audited"

login rita 'researcher password 1'
R_COOKIE=$COOKIE
R_CSRF=$CSRF
http GET /api/users -H "Cookie: $R_COOKIE"
expect_code 403 "a researcher cannot list users"
http GET /api/cases/kz-2019-xuar-asylum-seekers/assignees -H "Cookie: $R_COOKIE"
expect_code 403 "nor see who has a case"
http PUT /api/cases/kz-2019-xuar-asylum-seekers/assignees/rita -H "Cookie: $R_COOKIE" -H "X-CSRF-Token: $R_CSRF"
expect_code 403 "nor assign one"
http GET /api/dashboard -H "Cookie: $R_COOKIE"
jq -e '[.open_cases[].id] == ["kz-2019-xuar-asylum-seekers"] and [.recent[].id] == ["kz-2019-xuar-asylum-seekers"]' body >/dev/null && ok "the researcher's dashboard shows the assigned case only" || not_ok "the researcher's dashboard shows the assigned case only" "$(cat body)"
login alice 'correct horse battery staple'
http DELETE /api/cases/kz-2019-xuar-asylum-seekers/assignees/rita -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF"
expect_code 204 "an administrator takes the case back"
http GET /api/dashboard -H "Cookie: $R_COOKIE"
jq -e '.open_cases == [] and .recent == []' body >/dev/null && ok "and it leaves the researcher's dashboard" || not_ok "and it leaves the researcher's dashboard" "$(cat body)"
http GET /api/cases/kz-2019-xuar-asylum-seekers/history -H "Cookie: $R_COOKIE"
[ "$code" = 403 ] || [ "$code" = 404 ] && ok "and its history" || not_ok "and its history" "$code"
http GET /api/persons/kaster-musakhanuly/appearances -H "Cookie: $R_COOKIE"
[ "$code" = 403 ] || [ "$code" = 404 ] && ok "and its subjects' appearances" || not_ok "and its subjects' appearances" "$code"

login cora 'coordinator pass 1'
http PUT /api/cases/kz-2019-xuar-asylum-seekers/assignees/rita -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF"
expect_code 204 "a coordinator assigns cases"
http GET /api/users -H "Cookie: $COOKIE"
expect_code 403 "but does not manage users"
http DELETE /api/users/rita -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF"
expect_code 403 "nor disable them"

# A deadline ahead appears on the dashboard.
next=$(date -u -d '+10 days' +%Y-%m-%d)
http POST /api/events -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
    -d "{\"id\":\"ev-order\",\"type\":\"removal_ordered\",\"date\":\"2019-12-20\",\"to_country\":\"CN\",\"appeal_until\":\"$next\",\"persons\":[\"murager-alimuly\"]}"
expect_code 201 "an order with an appeal deadline is recorded"
http GET /api/dashboard -H "Cookie: $COOKIE"
jq -e --arg d "$next" '.deadlines == [{"case":"kz-2019-xuar-asylum-seekers","event":"ev-order","type":"removal_ordered","until":$d}]' body >/dev/null \
    && ok "the dashboard lists the deadline" || not_ok "the dashboard lists the deadline" "$(cat body)"
# ---- the interface language, a per-user preference ----
J='Content-Type: application/json'
login alice 'correct horse battery staple'
A_COOKIE=$COOKIE
A_CSRF=$CSRF
http GET /api/me -H "Cookie: $COOKIE"
[ "$code" = 200 ] && jq -e '.user == "alice" and .lang == null' body >/dev/null && ok "/api/me: no language chosen yet is null" || not_ok "/api/me: no language chosen yet is null" "$(cat body)"
http PUT /api/me -H "Cookie: $COOKIE" -H "$J" -d '{"lang":"ru"}'
expect_code 403 "setting the language with a cookie session needs the CSRF token"
for bad in '{"lang":"de"}' '{"lang":"RU"}' '{"lang":1}' '{"lang":null}' '{}' '[]' '"ru"' '{"lang":"ru","x":1}' '{"lang":"ru"'; do
    http PUT /api/me -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" -H "$J" -d "$bad"
    if [ "$code" = 400 ] && jq -e '.error.path == "lang"' body >/dev/null; then ok "PUT /api/me $bad is 400 with path lang"; else not_ok "PUT /api/me $bad is 400 with path lang" "$code $(head -c 200 body)"; fi
done
http GET /api/me -H "Cookie: $COOKIE"
[ "$code" = 200 ] && jq -e '.lang == null' body >/dev/null && ok "and nothing was stored" || not_ok "and nothing was stored" "$(cat body)"
http PUT /api/me -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" -H "$J" -d '{"lang":"ru"}'
expect_code 200 "a user sets their language"
jq -e '.lang == "ru"' body >/dev/null && ok "the answer names it" || not_ok "the answer names it" "$(cat body)"
login alice 'correct horse battery staple'
http GET /api/me -H "Cookie: $COOKIE"
[ "$code" = 200 ] && jq -e '.lang == "ru"' body >/dev/null && ok "a new session of the user gets it from /api/me" || not_ok "a new session gets it" "$(cat body)"
http GET '/api/audit?user=alice' -H "Cookie: $COOKIE"
jq -e 'map(select(.action == "user.lang" and .id == "alice" and .detail == "ru")) | length == 1' body >/dev/null \
    && ok "the change is audited" || not_ok "the change is audited" "$(tail -c 400 body)"
login victor 'viewer password 123'
http GET /api/me -H "Cookie: $COOKIE"
[ "$code" = 200 ] && jq -e '.user == "victor" and .lang == "ru"' body >/dev/null && ok "the language set by refuge user lang is the account's" || not_ok "the language set by refuge user lang is the account's" "$(cat body)"
http PUT /api/me -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" -H "$J" -d '{"lang":"en"}'
expect_code 200 "a viewer sets their own language"
http GET /api/me -H "Cookie: $COOKIE"
[ "$code" = 200 ] && jq -e '.lang == "en"' body >/dev/null && ok "and reads it back" || not_ok "and reads it back" "$(cat body)"
http GET /api/me -H "Cookie: $A_COOKIE"
jq -e '.user == "alice" and .lang == "ru"' body >/dev/null && ok "another user's choice is left alone" || not_ok "another user's choice is left alone" "$(cat body)"
TOK=$("$REFUGE" token add t-free --role viewer 2>/dev/null | grep -o 'rfg_[A-Za-z0-9_-]*' | head -1)
http GET /api/me -H "Authorization: Bearer $TOK"
[ "$code" = 200 ] && jq -e '.kind == "token" and .lang == null' body >/dev/null && ok "a token for no account has no language" || not_ok "a token for no account has no language" "$code $(cat body)"
http PUT /api/me -H "Authorization: Bearer $TOK" -H "$J" -d '{"lang":"ru"}'
expect_code 403 "and cannot set one"
finish
