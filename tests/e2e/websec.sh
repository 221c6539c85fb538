# websec.sh: web security checks generated from THE route table
# (`refuge test-routes --flags`) against a real `refuge serve` on loopback
# (reliability.md section D, docs/security.md "Web security checks"):
#   D3  every state-changing route refuses a cookie session's request without
#       X-CSRF-Token, with a foreign Origin, with Sec-Fetch-Site: cross-site,
#       and cannot be reached as GET;
#   D4  every response (every route, and 401 403 404 405 409 413 415 428 429
#       errors) carries CSP (object-src, base-uri, frame-ancestors 'none'),
#       nosniff, Referrer-Policy and Cache-Control: no-store;
#   D8  role x route x record: admin, coordinator, a researcher assigned to
#       case A, one assigned to nothing, a viewer; cases, sensitive and other
#       persons, events, actions: no unexpected 2xx, no unexpected refusal,
#       and no 2xx body naming a person the role may not see;
#   D1  session cookie attributes (and __Host- with Secure behind TLS), no
#       fixation; D2 logout, disabled account and password change end
#       sessions; D7 a login storm is throttled and the victim gets back in;
#   D10 no error body (of these and of 2,000 malformed requests) shows SQL,
#       SQLite or file paths.
# Prints RESULT lines per check and the usual TAP summary.
. "$(dirname "$0")/lib.sh"

need curl jq

CASE_A=kz-2019-xuar-asylum-seekers
export REFUGE_DB="$TMP/w.db"
# Case B: a second case whose sensitive subject has a name to look for.
cat > b.json <<'EOF'
{"format": "refuge-bundle/1",
 "persons": [{"id": "pb-secret", "names": [{"full": "Zorab Secretname", "script": "Latn", "lang": "en"}], "sensitive": true}],
 "cases": [{"id": "case-b", "title": "Second case", "state": "KZ", "subjects": ["pb-secret"], "opened": "2020-01-01", "status": "open"}],
 "events": [{"id": "ev-b", "type": "detention", "date": "2020-01", "persons": ["pb-secret"], "description": "Held."},
            {"id": "ev-free", "type": "other", "date": "2020-02", "persons": ["darhan-dilmanov"], "description": "Spoke."}],
 "actions": [{"id": "act-b", "case": "case-b", "kind": "public_statement", "date": "2020-02"}]}
EOF
{ "$REFUGE" import "$EXAMPLE" && "$REFUGE" import b.json; } >/dev/null 2>import.err ||
    { echo "Bail out! cannot import: $(head -c 300 import.err)"; exit 1; }
adduser() { printf '%s\n' "$3" | "$REFUGE" user add "$1" --role "$2" >/dev/null 2>&1; }
adduser alice admin "admin password 1"
adduser cora coordinator "coordinator pass 1"
adduser rita researcher "researcher password 1"
adduser randy researcher "researcher password 2"
adduser victor viewer "viewer password 123"
adduser vic researcher "victim password 1"
adduser dora researcher "disabled password 1"
adduser una researcher "assignee password 1" # assigned and unassigned by D8
"$REFUGE" case assign "$CASE_A" rita >/dev/null 2>&1
token() { "$REFUGE" token add "t-$1" --role "$2" --user "$1" 2>/dev/null | grep -o 'rfg_[A-Za-z0-9_-]*' | head -1; }
T_admin=$(token alice admin)
T_coordinator=$(token cora coordinator)
T_rita=$(token rita researcher)
T_randy=$(token randy researcher)
T_viewer=$(token victor viewer)
T_dora=$(token dora researcher)
[ -n "$T_admin" ] && [ -n "$T_viewer" ] && [ -n "$T_rita" ] || { echo "Bail out! cannot make tokens"; exit 1; }

"$REFUGE" test-routes --flags > routes 2>/dev/null
# POST /api/lock locks the server's key (tests/e2e/keylock.sh checks it): its
# forgeries are tried below with the rest, but the checks that send valid
# requests leave it out, or the server would lock under them.
grep -v '^POST /api/lock ' routes > routes.open
[ "$(wc -l < routes)" -gt 10 ] && ok "the route table lists $(wc -l < routes) routes with their flags" ||
    not_ok "the route table lists its routes" "$(head -c 300 routes)"

"$REFUGE" serve --listen 127.0.0.1:0 --port-file port --max-body 64K --threads 2 2>server.log &
SERVER=$!
# A second server on the same store: TLS behind a trusted proxy, a short
# login window (for the end of a lockout).
"$REFUGE" serve --listen 127.0.0.1:0 --port-file port2 --threads 1 --trust-proxy-tls --login-window 6 2>server2.log &
SERVER2=$!
trap 'kill $SERVER $SERVER2 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT
for i in $(seq 1 100); do [ -s port ] && [ -s port2 ] && break; sleep 0.1; done
BASE="http://127.0.0.1:$(cat port)"
BASE2="http://127.0.0.1:$(cat port2)"

# ---- every response goes through `http`, which checks D4 and D10 ----
hdr_fail=0
leak_fail=0
# What an error body must never show: SQLite's own words, source positions,
# database file names, and the directories this run really uses (the store's,
# the source tree's, the binary's), whatever machine it runs on.
ere_quote() { printf '%s' "$1" | sed 's/[][\\.^$*+?(){}|]/\\&/g'; }
LEAK='sqlite|SQL logic|no such (table|column)|syntax error|fts5|\.db\b|\.c:[0-9]'
for dir in "$TMP" "$REFUGE_SOURCE" "$(dirname "$REFUGE")" "${TMPDIR:-/tmp}"; do
    LEAK="$LEAK|$(ere_quote "$dir")"
done
n_resp=0
: > statuses
# check_resp PATH: the headers in hdr and the body in body of one response.
check_resp() {
    n_resp=$((n_resp + 1))
    echo "$code" >> statuses
    # One awk for every header check (this runs for each of some 600 responses).
    miss=$(awk -v api="$(case $1 in /api/*) echo 1 ;; esac)" '
        { l = tolower($0); sub(/\r$/, "", l) }
        l ~ /^content-security-policy:/ { csp = l }
        l ~ /^x-content-type-options: nosniff/ { ns = 1 }
        l ~ /^referrer-policy: / { rp = 1 }
        l ~ /^cache-control: no-store/ { cc = 1 }
        END {
            m = ""
            if (!index(csp, "object-src \047none\047")) m = m " object-src"
            if (!index(csp, "base-uri \047none\047")) m = m " base-uri"
            if (!index(csp, "frame-ancestors \047none\047")) m = m " frame-ancestors"
            if (!ns) m = m " nosniff"
            if (!rp) m = m " Referrer-Policy"
            if (api && !cc) m = m " no-store"
            print m
        }' hdr)
    if [ -n "$miss" ]; then
        hdr_fail=$((hdr_fail + 1))
        [ "$hdr_fail" -le 5 ] && echo "# D4: $1 -> $code lacks:$miss"
    fi
    if [ "${code:-0}" -ge 400 ] && grep -qiE "$LEAK" body; then
        leak_fail=$((leak_fail + 1))
        [ "$leak_fail" -le 5 ] && echo "# D10: $1 -> $code: $(head -c 200 body)"
    fi
}
# http METHOD PATH [curl args...]: sets $code; body in `body`, headers in `hdr`.
http() {
    m=$1; p=$2; shift 2
    code=$(curl -s -o body -D hdr -w '%{http_code}' -X "$m" "$BASE$p" "$@")
    check_resp "$p"
}
http2() {
    m=$1; p=$2; shift 2
    code=$(curl -s -o body -D hdr -w '%{http_code}' -X "$m" "$BASE2$p" "$@")
    check_resp "$p"
}
is2xx() { case $1 in 2??) return 0 ;; esac; return 1; }
cookie_of() { grep -i '^Set-Cookie:' hdr | head -1 | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r'; }
J='Content-Type: application/json'
# login USER PASSWORD: sets COOKIE and CSRF (main server).
login() {
    http POST /api/session -H "$J" --data "{\"username\": \"$1\", \"password\": \"$2\"}"
    COOKIE=$(cookie_of)
    CSRF=$(jq -r .csrf body 2>/dev/null)
}

# An id of each kind for {id} in routes.
id_of() {
    case $1 in
    case) echo "$CASE_A" ;;
    person) echo darhan-dilmanov ;;
    organization) echo kz-knb ;;
    event) echo ev-free ;;
    source) echo ai-eur57-2019 ;;
    risk) echo risk-cn-xj-2017 ;;
    action) echo act-ps-2019-12 ;;
    *) echo x ;;
    esac
}

echo "# $(date +%T) D3"
# ---- D3: CSRF on every state-changing route ----
login alice "admin password 1"
ADMIN_COOKIE=$COOKIE
ADMIN_CSRF=$CSRF
[ -n "$ADMIN_COOKIE" ] && [ "$ADMIN_CSRF" != null ] && ok "an administrator signs in" || not_ok "an administrator signs in" "$(cat body)"
forged=0
tried=0
controls_bad=0
n_write=0
while read -r method pattern flags kind; do
    case $method in GET | HEAD | OPTIONS) continue ;; esac
    n_write=$((n_write + 1))
    path=$(echo "$pattern" | sed "s/{id}/$(id_of "$kind")/")
    public=no
    case ",$flags," in *,public,*) public=yes ;; esac
    for variant in no-token foreign-origin cross-site same-site null-origin; do
        set -- -H "Cookie: $ADMIN_COOKIE" -H "$J" -H 'If-Match: "999"' --data '{}'
        case $variant in
        no-token) [ $public = yes ] && continue ;;
        foreign-origin) set -- "$@" -H "X-CSRF-Token: $ADMIN_CSRF" -H 'Origin: http://evil.example' ;;
        cross-site) set -- "$@" -H "X-CSRF-Token: $ADMIN_CSRF" -H 'Sec-Fetch-Site: cross-site' ;;
        same-site) set -- "$@" -H "X-CSRF-Token: $ADMIN_CSRF" -H 'Sec-Fetch-Site: same-site' ;;
        null-origin) set -- "$@" -H "X-CSRF-Token: $ADMIN_CSRF" -H 'Origin: null' ;;
        esac
        tried=$((tried + 1))
        http "$method" "$path" "$@"
        if [ "$code" != 403 ]; then
            forged=$((forged + 1))
            echo "# D3: $method $path ($variant) -> $code: $(head -c 200 body)"
        fi
    done
    # As GET: either no GET route at this path (405), or one that is not a write.
    get_flags=$(awk -v p="$pattern" '$1 == "GET" && $2 == p {print $3}' routes)
    tried=$((tried + 1))
    case ",$get_flags," in
    *,write,*) forged=$((forged + 1)); echo "# D3: GET $pattern is a write route" ;;
    ,,)
        http GET "$path" -H "Cookie: $ADMIN_COOKIE"
        if [ "$code" != 405 ]; then forged=$((forged + 1)); echo "# D3: GET $path -> $code, not 405"; fi
        ;;
    esac
    # Control: the same request from this origin, with the token, gets past
    # the CSRF checks (it then fails validation or the version check).
    [ "$pattern" = /api/session ] || [ "$pattern" = /api/lock ] && continue
    http "$method" "$path" -H "Cookie: $ADMIN_COOKIE" -H "$J" -H 'If-Match: "999"' \
        -H "X-CSRF-Token: $ADMIN_CSRF" -H "Origin: $BASE" -H 'Sec-Fetch-Site: same-origin' --data '{}'
    case $code in 401 | 403) controls_bad=$((controls_bad + 1)); echo "# D3 control: $method $path -> $code: $(head -c 200 body)" ;; esac
done < routes
echo "RESULT name=csrf routes=$n_write attempts=$tried accepted_forgeries=$forged"
[ "$forged" -eq 0 ] && ok "D3: $tried forged requests on all $n_write state-changing routes refused" ||
    not_ok "D3: forged requests refused" "$forged accepted"
[ "$controls_bad" -eq 0 ] && [ "$n_write" -gt 0 ] && ok "D3: the same requests from this origin with the token pass the CSRF checks" ||
    not_ok "D3: same-origin requests pass" "$controls_bad refused"
# A bearer token is not a browser credential, but a cross-site browser request
# carrying one is refused too.
http POST /api/sources -H "Authorization: Bearer $T_admin" -H "$J" -H 'Sec-Fetch-Site: cross-site' --data '{"id": "s-x", "title": "x"}'
[ "$code" = 403 ] && ok "D3: cross-site requests are refused with bearer tokens too" || not_ok "D3: cross-site bearer" "$code"
http POST /api/sources -H "Authorization: Bearer $T_admin" -H "$J" --data '{"id": "s-script", "title": "x"}'
[ "$code" = 201 ] && ok "D3: a script's request (no Origin, no Sec-Fetch-Site) is accepted" || not_ok "D3: script request" "$code $(cat body)"

echo "# $(date +%T) D4:"
# ---- D4: every route answered, and the error statuses ----
while read -r method pattern flags kind; do
    path=$(echo "$pattern" | sed "s/{id}/$(id_of "$kind")/")
    for who in none admin; do
        if [ $who = none ]; then set --; else set -- -H "Authorization: Bearer $T_admin"; fi
        case $method in
        GET) http GET "$path" "$@"; http HEAD "$path" "$@" ;;
        *) http "$method" "$path" "$@" -H "$J" --data '{' ;;
        esac
    done
done < routes.open
http GET /nothing/here
http GET /api/cases/no-such-case -H "Authorization: Bearer $T_admin"
http PATCH /api/cases -H "Authorization: Bearer $T_admin"
http POST /api/sources -H "Authorization: Bearer $T_admin" -H 'Content-Type: text/plain' --data 'x'
head -c 70000 /dev/zero | tr '\0' 'a' > big.txt
http POST /api/sources -H "Authorization: Bearer $T_admin" -H "$J" --data-binary @big.txt
http PUT "/api/sources/ai-eur57-2019" -H "Authorization: Bearer $T_admin" -H "$J" --data '{"id": "ai-eur57-2019", "title": "t"}'
http GET /api/audit -H "Authorization: Bearer $T_viewer"
http GET "/api/cases?limit=0" -H "Authorization: Bearer $T_admin"
http OPTIONS /api/cases
seen=$(sort -u statuses | tr '\n' ' ')
for s in 200 204 400 401 403 404 405 413 415 428; do
    grep -qx "$s" statuses || not_ok "D4: a $s response was checked" "seen: $seen"
done

echo "# $(date +%T) D8"
# ---- D8: role x route x record ----
# The policy (docs/security.md, "Roles"), written out for this data:
#   rita   researcher assigned to case A; randy researcher assigned to nothing.
#   kaster-musakhanuly: sensitive subject of A; pb-secret: sensitive subject of B;
#   darhan-dilmanov: not sensitive. ev-crossing names A's subjects, ev-b pb-secret,
#   ev-free darhan. act-ps-2019-12 is on A, act-b on B.
# may_read ROLE KIND ID -> yes/no
may_read() {
    case $1 in admin | coordinator) echo yes; return ;; esac
    case "$1 $2 $3" in
    "rita case $CASE_A" | "rita person kaster-musakhanuly" | "rita event ev-crossing" | "rita action act-ps-2019-12") echo yes ;;
    "viewer case "* | "viewer action "*) echo yes ;;
    *" person darhan-dilmanov" | *" event ev-free") echo yes ;;
    *) echo no ;;
    esac
}
may_write() {
    case $1 in admin | coordinator) echo yes; return ;; viewer) echo no; return ;; esac
    may_read "$@"
}
# A case in full (timeline, findings, statement): the case and every subject.
may_full() {
    case "$1 $2" in admin* | coordinator* | "rita $CASE_A") echo yes ;; *) echo no ;; esac
}
# Names a role may not see, looked for in every 2xx body.
hidden_names() {
    case $1 in
    admin | coordinator) ;;
    rita) echo "pb-secret Secretname" ;;
    *) echo "pb-secret Secretname kaster-musakhanuly Kaster Musakhanuly Кастер" ;;
    esac
}
records="case:$CASE_A case:case-b person:kaster-musakhanuly person:pb-secret person:darhan-dilmanov event:ev-crossing event:ev-b event:ev-free action:act-ps-2019-12 action:act-b"
unexpected_2xx=0
unexpected_refusal=0
disclosed=0
cases=0
# verdict ROLE WANT(yes/no) WHAT: compares $code with the policy.
verdict() {
    cases=$((cases + 1))
    if is2xx "$code" || [ "$code" = 409 ]; then
        got=yes
    else
        got=no
    fi
    case $code in 400 | 428 | 5??) got=error ;; esac
    if [ "$got" = yes ] && [ "$2" = no ]; then
        unexpected_2xx=$((unexpected_2xx + 1)); echo "# D8: $1 $3 -> $code (must be refused)"
    elif [ "$got" != yes ] && [ "$2" = yes ]; then
        unexpected_refusal=$((unexpected_refusal + 1)); echo "# D8: $1 $3 -> $code (must be allowed): $(head -c 150 body)"
    fi
    if is2xx "$code"; then
        names=$(hidden_names "$1")
        if [ -n "$names" ]; then
            shown=$(echo "$names" | tr ' ' '\n' | grep -oFf - body | sort -u | tr '\n' ' ')
            if [ -n "$shown" ]; then
                disclosed=$((disclosed + 1)); echo "# D8: $1 $3 shows $shown"
            fi
        fi
    fi
}
for role in admin coordinator rita randy viewer; do
    case $role in
    admin) T=$T_admin ;; coordinator) T=$T_coordinator ;; rita) T=$T_rita ;; randy) T=$T_randy ;; viewer) T=$T_viewer ;;
    esac
    A="Authorization: Bearer $T"
    while read -r method pattern flags kind; do
        case $pattern in *"{id}"*) ;; *) continue ;; esac
        for rec in $records; do
            k=${rec%%:*}
            id=${rec#*:}
            [ "$k" = "$kind" ] || continue
            path=$(echo "$pattern" | sed "s/{id}/$id/")
            path=$(echo "$path" | sed "s/{user}/una/")
            case "$method $pattern" in
            *" /api/cases/{id}/assignees"*)
                # Who has a case, and assigning it: administrators and coordinators.
                http "$method" "$path" -H "$A"
                case $role in admin | coordinator) want=yes ;; *) want=no ;; esac
                verdict $role $want "$method $path"
                ;;
            "GET /api/cases/{id}/"*)
                http GET "$path" -H "$A"
                verdict $role "$(may_full $role "$id")" "GET $path"
                ;;
            GET*)
                http GET "$path" -H "$A"
                verdict $role "$(may_read $role "$k" "$id")" "GET $path"
                ;;
            PUT*)
                # The stored object as the body; If-Match "999": allowed
                # writes end in 409 (nothing changes), refused ones in 403/404.
                curl -s -H "Authorization: Bearer $T_admin" "$BASE$path" > obj.json
                http PUT "$path" -H "$A" -H "$J" -H 'If-Match: "999"' --data-binary @obj.json
                verdict $role "$(may_write $role "$k" "$id")" "PUT $path"
                ;;
            DELETE*)
                # Deleting is the admin verb: administrators and coordinators.
                http DELETE "$path" -H "$A" -H 'If-Match: "999"'
                case $role in admin | coordinator) want=yes ;; *) want=no ;; esac
                verdict $role $want "DELETE $path"
                ;;
            esac
        done
    done < routes.open
    # Lists, search and export: what they show is checked for hidden names.
    for p in /api/cases /api/persons /api/events /api/actions "/api/search?q=Secretname" \
        "/api/search?q=Musakhanuly" "/api/search?q=detention&type=text" "/api/export?case=case-b" \
        "/api/export?case=$CASE_A" /api/export /api/audit; do
        http GET "$p" -H "$A"
        case "$role $p" in
        "admin /api/export" | "coordinator /api/export" | "admin /api/audit") want=yes ;;
        *" /api/audit") want=no ;;
        *" /api/export"*) want=$(case "$role $p" in admin* | coordinator* | "rita /api/export?case=$CASE_A") echo yes ;; *) echo no ;; esac) ;;
        *) want=yes ;;
        esac
        verdict $role $want "GET $p"
    done
    # Creating: an event naming B's sensitive subject; a source.
    http POST /api/events -H "$A" -H "$J" --data "{\"id\": \"ev-new-$role\", \"type\": \"other\", \"date\": \"2021\", \"persons\": [\"pb-secret\"]}"
    verdict $role "$(case $role in admin | coordinator) echo yes ;; *) echo no ;; esac)" "POST an event naming pb-secret"
    http POST /api/sources -H "$A" -H "$J" --data "{\"id\": \"s-new-$role\", \"title\": \"x\"}"
    verdict $role "$(case $role in viewer) echo no ;; *) echo yes ;; esac)" "POST a source"
    http POST /api/cases -H "$A" -H "$J" --data "{\"id\": \"c-new-$role\", \"title\": \"x\", \"state\": \"KZ\", \"subjects\": [], \"opened\": \"2021\", \"status\": \"open\"}"
    verdict $role "$(case $role in admin | coordinator) echo yes ;; *) echo no ;; esac)" "POST a case"
done
echo "RESULT name=authz_matrix cases=$cases unexpected_2xx=$unexpected_2xx unexpected_refusals=$unexpected_refusal field_disclosures=$disclosed"
[ "$unexpected_2xx" -eq 0 ] && ok "D8: no unexpected 2xx in $cases role x route x record cases" || not_ok "D8: no unexpected 2xx" "$unexpected_2xx"
[ "$disclosed" -eq 0 ] && ok "D8: no 2xx body names a person the role may not see" || not_ok "D8: no disclosure" "$disclosed"
[ "$unexpected_refusal" -eq 0 ] && ok "D8: every access the policy grants works" || not_ok "D8: granted access works" "$unexpected_refusal refused"

echo "# $(date +%T) D1"
# ---- D1: the session cookie ----
login rita "researcher password 1"
set_cookie=$(grep -i '^Set-Cookie:' hdr | tr -d '\r')
v=0
for attr in HttpOnly 'SameSite=Strict' 'Path=/'; do
    echo "$set_cookie" | grep -qi "; *$attr" || { v=$((v + 1)); echo "# D1: no $attr: $set_cookie"; }
done
echo "$set_cookie" | grep -qi 'Domain=' && { v=$((v + 1)); echo "# D1: a Domain attribute"; }
echo "$set_cookie" | grep -q '^Set-Cookie: refuge_session=' || { v=$((v + 1)); echo "# D1: plain HTTP cookie name: $set_cookie"; }
tok=${COOKIE#*=}
[ "${#tok}" -ge 43 ] || { v=$((v + 1)); echo "# D1: a session id of ${#tok} characters"; }
# Behind TLS: __Host- prefix, Secure.
http2 POST /api/session -H "$J" -H 'X-Forwarded-Proto: https' --data '{"username": "rita", "password": "researcher password 1"}'
set_cookie2=$(grep -i '^Set-Cookie:' hdr | tr -d '\r')
echo "$set_cookie2" | grep -q '^Set-Cookie: __Host-refuge_session=' || { v=$((v + 1)); echo "# D1: TLS cookie: $set_cookie2"; }
echo "$set_cookie2" | grep -qi '; *Secure' || { v=$((v + 1)); echo "# D1: TLS cookie not Secure"; }
SEC_COOKIE=$(echo "$set_cookie2" | sed 's/^[^:]*: //; s/;.*//')
http2 GET /api/cases -H 'X-Forwarded-Proto: https' -H "Cookie: $SEC_COOKIE"
[ "$code" = 200 ] || { v=$((v + 1)); echo "# D1: the __Host- cookie does not authenticate: $code"; }
http2 GET /api/cases -H 'X-Forwarded-Proto: https' -H "Cookie: refuge_session=${SEC_COOKIE#*=}"
[ "$code" = 401 ] || { v=$((v + 1)); echo "# D1: the unprefixed name is accepted over TLS: $code"; }
# Fixation: a cookie the client brings to the login is never its session.
PLANTED=rs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
http POST /api/session -H "$J" -H "Cookie: refuge_session=$PLANTED" --data '{"username": "rita", "password": "researcher password 1"}'
NEW=$(cookie_of)
[ "$NEW" != "refuge_session=$PLANTED" ] || { v=$((v + 1)); echo "# D1: the planted id was kept"; }
http GET /api/cases -H "Cookie: refuge_session=$PLANTED"
[ "$code" = 401 ] || { v=$((v + 1)); echo "# D1: the planted id authenticates: $code"; }
# Signing in again with a live session gives a new id and ends the old one.
OLD=$NEW
http POST /api/session -H "$J" -H "Cookie: $OLD" --data '{"username": "rita", "password": "researcher password 1"}'
NEW=$(cookie_of)
[ "$NEW" != "$OLD" ] || { v=$((v + 1)); echo "# D1: the session id did not change"; }
http GET /api/cases -H "Cookie: $OLD"
[ "$code" = 401 ] || { v=$((v + 1)); echo "# D1: the pre-login session still works: $code"; }
# Ids are distinct.
: > ids
for i in 1 2 3 4 5 6 7 8; do login randy "researcher password 2"; echo "$COOKIE" >> ids; done
[ "$(sort -u ids | wc -l)" -eq 8 ] || { v=$((v + 1)); echo "# D1: duplicate session ids"; }
echo "RESULT name=session_cookie violations=$v"
[ "$v" -eq 0 ] && ok "D1: cookie attributes, __Host- behind TLS, no fixation, fresh ids" || not_ok "D1: session cookie" "$v violations"

echo "# $(date +%T) D2"
# ---- D2: sessions end ----
v=0
login rita "researcher password 1"
http DELETE /api/session -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF"
[ "$code" = 204 ] || { v=$((v + 1)); echo "# D2: sign out -> $code"; }
grep -i '^Set-Cookie:' hdr | grep -qi 'Max-Age=0' || { v=$((v + 1)); echo "# D2: the cookie is not cleared"; }
http GET /api/cases -H "Cookie: $COOKIE"
[ "$code" = 401 ] || { v=$((v + 1)); echo "# D2: a signed-out session works: $code"; }
login dora "disabled password 1"
DORA=$COOKIE
http GET /api/cases -H "Cookie: $DORA"
[ "$code" = 200 ] || { v=$((v + 1)); echo "# D2: dora's session: $code"; }
"$REFUGE" user disable dora >/dev/null 2>&1
http GET /api/cases -H "Cookie: $DORA"
[ "$code" = 401 ] || { v=$((v + 1)); echo "# D2: a disabled account's session works: $code"; }
http GET /api/cases -H "Authorization: Bearer $T_dora"
[ "$code" = 401 ] || { v=$((v + 1)); echo "# D2: a disabled account's token works: $code"; }
login randy "researcher password 2"
RANDY=$COOKIE
printf 'a new password 22\n' | "$REFUGE" user passwd randy >/dev/null 2>&1
http GET /api/cases -H "Cookie: $RANDY"
[ "$code" = 401 ] || { v=$((v + 1)); echo "# D2: a session survives a password change: $code"; }
echo "RESULT name=session_end violations=$v"
[ "$v" -eq 0 ] && ok "D2: sign-out, disabling and a password change end sessions" || not_ok "D2: sessions end" "$v violations"

echo "# $(date +%T) D10"
# ---- D10: malformed requests ----
printf '{"id": "x", "names": [{"full": "A"}], "sensitive": "yes", "birth": "2019-02-30"}' > m1
printf '{"id": "x'"'"'; DROP TABLE persons; --", "title": "%s"}' "$(head -c 3000 /dev/zero | tr '\0' 'x')" > m2
printf '{"id": "\377\376", "title": "\300\200"}' > m3
printf '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[' > m4
printf '{"id": 1e999, "date": -0, "persons": [null, 5, {}]}' > m5
printf '{"id": "a", "id": "b"}' > m6
printf '{"id": "\\u0000", "title": "\\ud800"}' > m7
printf '{"format": "refuge-bundle/1", "events": [{"id": "e", "type": "nope", "persons": ["missing"]}]}' > m8
: > curl.cfg
n=0
for route in $(awk '{print $1 "@" $2 "@" $4}' routes.open); do
    method=${route%%@*}; rest=${route#*@}; pattern=${rest%@*}; kind=${rest#*@}
    for idv in "$(id_of "$kind")" "x%27%20OR%201%3D1--" "..%2F..%2Fetc%2Fpasswd" "%00" "a%22b" "$(head -c 300 /dev/zero | tr '\0' 'z')"; do
        path=$(echo "$pattern" | sed "s/{id}/$idv/")
        for q in "" "?limit=-1&cursor=%27" "?q=%22unterminated&type=text" "?q=NEAR(a&as_of=2019-99" "?kind=zz&lang=..&format=%2Fetc&to=x" "?since=%27&after=x&case=%25"; do
            for m in m1 m2 m3 m4 m5 m6 m7 m8; do
                n=$((n + 1))
                [ $((n % 3)) -eq 0 ] || continue
                printf 'url = "%s%s%s"\nrequest = "%s"\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\ndata-binary = "@%s"\noutput = "r/%s.b"\ndump-header = "r/%s.h"\nnext\n' \
                    "$BASE" "$path" "$q" "$method" "$T_admin" "$m" "$n" "$n" >> curl.cfg
            done
        done
    done
done
mkdir -p r
sent=$(grep -c '^url' curl.cfg)
curl -s -K curl.cfg >/dev/null 2>&1
got=$(find r -name '*.h' | wc -l)
awk 'FNR == 1 && $2 ~ /^5/ && $2 != 503 {print FILENAME ": " $2}' r/*.h > server_errors
errs=$(wc -l < server_errors)
grep -liE "$LEAK" r/*.b > leaked || true
leaks=$(wc -l < leaked)
head -3 server_errors | sed 's/^/# D10: /'
for f in $(head -3 leaked); do echo "# D10: $f: $(head -c 200 "$f")"; done
echo "RESULT name=error_hygiene malformed_requests=$sent answered=$got leaks=$leaks server_errors=$errs"
[ "$got" -ge $((sent * 9 / 10)) ] && [ "$leaks" -eq 0 ] && [ "$errs" -eq 0 ] &&
    ok "D10: $got malformed requests answered without SQL, SQLite, paths or 500s" ||
    not_ok "D10: malformed requests" "sent $sent, answered $got, leaks $leaks, 500s $errs"
kill -0 $SERVER 2>/dev/null && ok "the server is still up" || not_ok "the server is still up"

echo "# $(date +%T) D7"
# ---- D7: a login storm ----
n401=0
n429=0
for i in $(seq 1 30); do
    http POST /api/session -H "$J" --data '{"username": "vic", "password": "guess number '"$i"'"}'
    case $code in 401) n401=$((n401 + 1)) ;; 429) n429=$((n429 + 1)) ;; esac
done
retry=$(grep -i '^Retry-After:' hdr | tr -d '\r' | awk '{print $2}')
http POST /api/session -H "$J" --data '{"username": "vic", "password": "victim password 1"}'
victim_now=$code
echo "RESULT name=login_storm attempts=30 checked_guesses=$n401 refused=$n429 retry_after=${retry:-none} guesses_per_15min=$n401"
[ "$n401" -le 5 ] && [ "$n429" -ge 25 ] && [ -n "$retry" ] &&
    ok "D7: a storm gets $n401 guesses checked, then 429 with Retry-After (<= 10 a minute)" ||
    not_ok "D7: storm throttled" "401s $n401, 429s $n429, Retry-After ${retry:-none}"
[ "$victim_now" = 429 ] && ok "D7: during the storm the victim's own login waits too (no password oracle)" ||
    not_ok "D7: victim during the storm" "$victim_now"
# The lockout ends with the window (6 s on the second server): never permanent.
# The guesses go in parallel so that they fall within one window.
pids=""
for i in 1 2 3 4 5 6; do
    curl -s -o /dev/null -H "$J" --data '{"username": "vic", "password": "wrong guess again"}' "$BASE2/api/session" &
    pids="$pids $!"
done
for p in $pids; do wait "$p"; done
http2 POST /api/session -H "$J" --data '{"username": "vic", "password": "victim password 1"}'
[ "$code" = 429 ] && ok "D7: the second server locks after its limit" || not_ok "D7: second server locks" "$code"
sleep 7
http2 POST /api/session -H "$J" --data '{"username": "vic", "password": "victim password 1"}'
[ "$code" = 200 ] && ok "D7: after the window the victim signs in" || not_ok "D7: victim recovers" "$code $(cat body)"

echo "# $(date +%T) D4 a"
# ---- D4 and D10 over everything above ----
echo "RESULT name=headers responses=$n_resp missing=$hdr_fail statuses=$(sort -u statuses | tr '\n' ',' | sed 's/,$//')"
[ "$hdr_fail" -eq 0 ] && ok "D4: all $n_resp responses carry CSP, nosniff, Referrer-Policy and no-store" ||
    not_ok "D4: security headers" "$hdr_fail responses lack some"
[ "$leak_fail" -eq 0 ] && ok "D10: no error body among them shows SQL, SQLite or paths" ||
    not_ok "D10: error bodies" "$leak_fail leaks"
grep -q 'ERROR\|AddressSanitizer\|runtime error' server.log server2.log && not_ok "the servers logged no sanitizer errors" "$(grep -m3 'ERROR\|runtime error' server.log server2.log)" || ok "the servers logged no sanitizer errors"
finish
