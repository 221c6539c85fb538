# statement.sh: `refuge statement` on the reference case (golden files for
# each kind, the facts, law and demands the reference statement carries),
# on cases with one and five subjects, an incomplete finding, a target with
# no title, hostile text in every field, template overrides, and actions
# (`action add|done`, `statement --record`, round trip through bundles).
. "$(dirname "$0")/lib.sh"

GOLDEN="$REFUGE_SOURCE/tests/data/golden"
CASE=kz-2019-xuar-asylum-seekers
"$REFUGE" --db a.db import "$EXAMPLE" >/dev/null 2>&1 || { echo "Bail out! cannot import the example"; exit 1; }

# golden NAME ARGS...: the statement equals tests/data/golden/NAME
# (REFUGE_UPDATE_GOLDEN=1 rewrites the file instead).
golden() {
    name=$1
    shift
    run --db a.db statement "$CASE" --as-of 2019-12-10 "$@"
    if [ "${REFUGE_UPDATE_GOLDEN:-}" = 1 ]; then
        cp out "$GOLDEN/$name"
    fi
    if [ "$status" -eq 0 ] && cmp -s out "$GOLDEN/$name"; then
        ok "golden $name"
    else
        not_ok "golden $name" "status $status" "$(diff "$GOLDEN/$name" out | head -20)"
    fi
}

golden public_statement.en.md
golden public_statement.ru.md --lang ru
golden urgent_action.en.md --kind urgent_action
golden urgent_action.ru.md --kind urgent_action --lang ru
golden appeal.en.md --kind appeal --to kz-knb-border-service
golden appeal.ru.md --kind appeal --lang ru --to kz-knb-border-service
golden public_statement.en.html --format html
golden public_statement.en.txt --format text

# What the reference statement carries, in the English public statement.
run --db a.db statement "$CASE" --as-of 2019-12-10
cp out ps.md
has() {
    if grep -qF -- "$1" ps.md; then ok "statement: $2"; else not_ok "statement: $2" "lacks: $1"; fi
}
has "# Kazakhstan must not return asylum-seekers to China" "headline of the main demand and the state"
has "Kaster Musakhanuly and Murager Alimuly" "names both men"
has "Darhan Dilmanov, Director of the Border Service of the Committee of National Security" "names the official with his title"
has "On 6 December 2019 Darhan Dilmanov" "the announcement's date in words"
has "On 6 October 2019 Kaster Musakhanuly and Murager Alimuly crossed irregularly into Kazakhstan from China" "the crossing's date in words"
has "applied for asylum in Kazakhstan" "they applied for asylum"
has "where they are still detained" "they are detained"
has "charged with illegal crossing of the state border" "they are charged with illegal border crossing"
has "Risk in China (Xinjiang" "the documented risk in Xinjiang"
has "https://www.amnesty.org/en/documents/asa17/9113/2018/en/" "the 2018 report's URL"
has "article 33(1) of the 1951 Convention relating to the Status of Refugees: binding on Kazakhstan since" "art. 33(1) binding on Kazakhstan"
has "article 3 of the Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment: binding on Kazakhstan since" "CAT art. 3 binding on Kazakhstan"
has "It remains to be established whether they presented themselves to the authorities without delay; if so" "asks about art. 31's condition instead of asserting a breach"
has "- not return Kaster Musakhanuly and Murager Alimuly to China" "demands no return"
has "- release Kaster Musakhanuly and Murager Alimuly immediately" "demands release"
has "- stop the prosecution of Kaster Musakhanuly and Murager Alimuly" "demands an end to the prosecution"
has "full access to a fair and effective asylum procedure" "demands access to asylum"
has "adequate legal assistance" "demands legal assistance"
has "2. Amnesty International, China: Where are they?" "numbered source notes"
if grep -q "prosecution of Kaster Musakhanuly and Murager Alimuly .*breaches" ps.md; then
    not_ok "art. 31 is not asserted as breached"
else
    ok "art. 31 is not asserted as breached"
fi
n=$(grep -c '^- \(not return\|release\|stop\|ensure\)' ps.md)
[ "$n" -eq 5 ] && ok "each demand once" || not_ok "each demand once" "$n demand lines"
awk '/^- not return/{a=NR} /^- release/{b=NR} /^- stop/{c=NR} /asylum procedure;$/{d=NR} /legal assistance/{e=NR} END{exit !(a<b && b<c && c<d && d<e)}' ps.md \
    && ok "demands in the fixed order" || not_ok "demands in the fixed order"

run --db a.db statement "$CASE" --as-of 2019-12-10 --kind appeal --lang ru --to kz-knb-border-service
expect_out "Уважаемый господин Дилманов!" "the Russian appeal greets the official"
expect_out "6 декабря 2019 года" "Russian dates in the genitive"
expect_out "Примерно в октябре 2019 года" "approximate month in the prepositional"
expect_out "Кастер Мұсаханұлы и Мұрагер Әлімұлы" "Cyrillic names joined with и"
expect_out "С уважением," "a Russian letter's closing"
run --db a.db statement "$CASE" --as-of 2019-12-10 --kind urgent_action
expect_out "Please take action as soon as possible until 21 January 2020." "take action until six weeks after --as-of"
run --db a.db statement "$CASE" --as-of 2019-12-10 --kind appeal --to nobody
expect_status 1 "an unknown --to is not found"
run --db a.db statement "$CASE" --kind letter
expect_status 64 "an unknown kind is a usage error"
run --db a.db statement nope
expect_status 1 "an unknown case is not found"

# Template overrides: a file of the same name replaces the embedded one.
mkdir tpl
printf '{{state}} / {{#demands}}{{code}} {{/demands}}\n' > tpl/headline.en.mustache
run --db a.db statement "$CASE" --as-of 2019-12-10 --templates tpl
expect_out "# Kazakhstan / no\\_return release stop\\_prosecution asylum\\_access legal\\_assistance" "--templates overrides a partial by name"
expect_out "On 6 December 2019" "and the other templates stay embedded"
printf '{{#demands}}oops\n' > tpl/headline.en.mustache
run --db a.db statement "$CASE" --as-of 2019-12-10 --templates tpl
expect_status 65 "a malformed template is reported"
expect_err "headline.en:1" "with the template's name and line"

# One subject; and five, with no recorded title for the official.
cat > one.json <<'JSON'
{"format": "refuge-bundle/1",
 "organizations": [{"id": "tr-dgmm", "name": "Directorate General of Migration Management", "country": "TR", "kind": "state_authority"}],
 "persons": [{"id": "p1", "names": [{"full": "Aylin Demir"}], "sex": "female", "profiles": ["journalist"]},
             {"id": "off1", "names": [{"full": "Mehmet Kaya"}], "sex": "male", "positions": [{"organization": "tr-dgmm"}]}],
 "cases": [{"id": "c1", "title": "One journalist", "state": "TR", "subjects": ["p1"], "status": "open"}],
 "events": [{"id": "e1", "type": "asylum_application", "date": "2020-01-05", "state": "TR", "persons": ["p1"]},
            {"id": "e2", "type": "detention", "date": "2020-01-06", "kind": "immigration", "persons": ["p1"]},
            {"id": "e3", "type": "removal_ordered", "date": "2020-01-20", "to_country": "IR", "by": "tr-dgmm", "official": "off1", "persons": ["p1"]}],
 "risks": [{"id": "r1", "country": "IR", "profiles": ["journalist"], "harms": ["torture"], "from": "2019"}]}
JSON
run --db b.db import one.json
run --db b.db statement c1 --as-of 2020-02-01
expect_out "# Türkiye must not return an asylum-seeker to Iran" "one subject: singular headline"
expect_out "Aylin Demir was placed in immigration detention, where she is still detained" "one woman: singular, feminine wording"
run --db b.db statement c1 --as-of 2020-02-01 --kind appeal --to tr-dgmm
expect_out "Dear Mr Kaya," "an official with no title is greeted by name"
run --db b.db statement c1 --as-of 2020-02-01 --kind appeal --to tr-dgmm --lang ru
expect_out "Уважаемый господин Кая!" "and in Russian, transliterated"
expect_out "Aylin Demir должна быть немедленно освобождена." "Russian agreement with one woman"

{
    printf '{"format": "refuge-bundle/1", "persons": ['
    for i in 1 2 3 4 5; do
        [ "$i" -gt 1 ] && printf ','
        printf '{"id": "s%s", "names": [{"full": "Person %s"}], "profiles": ["uighur"]}' "$i" "$i"
    done
    printf '], "cases": [{"id": "c5", "state": "KZ", "subjects": ["s1","s2","s3","s4","s5"], "status": "open"}],'
    printf ' "events": [{"id": "x1", "type": "removal_announced", "date": "2020-03-01", "to_country": "CN", "persons": ["s1","s2","s3","s4","s5"]},'
    printf ' {"id": "x2", "type": "asylum_application", "date": "2020-02", "state": "KZ", "persons": ["s1","s2","s3","s4","s5"]}],'
    printf ' "risks": [{"id": "rx", "country": "CN", "profiles": ["uighur"], "harms": ["arbitrary_detention"]}]}'
} > five.json
run --db c.db import five.json
run --db c.db statement c5 --as-of 2020-03-02
expect_out "Person 1, Person 2, Person 3, Person 4 and Person 5" "five subjects: a list with ICU's rules"
expect_out "In February 2020 Person 1, Person 2, Person 3, Person 4 and Person 5 applied for asylum in Kazakhstan" "a month in words"
run --db c.db statement c5 --as-of 2020-03-02 --lang ru
expect_out "Person 1, Person 2, Person 3, Person 4 и Person 5" "five subjects in Russian"
expect_out "В феврале 2020 года" "a Russian month in the prepositional"
run --db c.db statement c5 --as-of 2020-03-02 --kind urgent_action
expect_out "Please write to the authorities of Kazakhstan before 13 April 2020" "no recorded target: the state's authorities"

# An incomplete finding: a removal with no known destination.
cat > inc.json <<'JSON'
{"format": "refuge-bundle/1", "persons": [{"id": "q1", "names": [{"full": "Omar Haddad"}], "sex": "male"}],
 "cases": [{"id": "c9", "state": "TR", "subjects": ["q1"], "status": "open"}],
 "events": [{"id": "f1", "type": "removal_ordered", "date": "2020-01-01", "persons": ["q1"]}]}
JSON
run --db d.db import inc.json
run --db d.db statement c9 --as-of 2020-02-01
expect_out "Whether returning Omar Haddad would breach them depends on whether they are at risk in the country of destination" "an incomplete finding asks instead of asserting"
expect_out "- not return Omar Haddad in any manner whatsoever, at least until it has been established whether they are at risk" "and its demand is conditional"
if grep -q "would breach these obligations" out; then not_ok "no breach asserted on an incomplete finding"; else ok "no breach asserted on an incomplete finding"; fi

# Hostile text in every field.
LONG=$(head -c 2000 /dev/zero | tr '\0' 'W')
cat > hostile.json <<JSON
{"format": "refuge-bundle/1",
 "sources": [{"id": "h-src", "title": "<script>alert('t')</script>", "publisher": "{{publisher}} & *co*", "url": "https://example.org/?a=<b>&c={{d}}"}],
 "organizations": [{"id": "h-org", "name": "<img src=x onerror=alert(1)> {{#x}}Org{{/x}}", "country": "KZ", "kind": "state_authority"}],
 "persons": [{"id": "h1", "names": [{"full": "<script>alert(1)</script>"}], "sex": "male", "profiles": ["x"]},
             {"id": "h2", "names": [{"full": "{{mustache}} {{{triple}}} #heading"}], "profiles": ["x"]},
             {"id": "h3", "names": [{"full": "محمد عبد الله"}], "profiles": ["x"]},
             {"id": "h4", "names": [{"full": "$LONG"}], "profiles": ["x"]},
             {"id": "h-off", "names": [{"full": "</p><h1>Evil</h1>"}], "positions": [{"organization": "h-org", "title": "<b>Chief</b>\\n# injected"}]}],
 "cases": [{"id": "h", "title": "<title>{{x}}</title>", "summary": "\\n\\n# Injected heading", "state": "KZ", "subjects": ["h1","h2","h3","h4"], "status": "open"}],
 "events": [{"id": "hx1", "type": "charge", "date": "2020-01-02", "offence": "<u>{{offence}}</u>\\n- injected", "entry_related": true, "persons": ["h1","h2","h3","h4"], "sources": ["h-src"], "place": {"country": "KZ", "name": "<i>place</i>"}},
            {"id": "hx2", "type": "removal_announced", "date": "2020-01-03", "to_country": "CN", "by": "h-org", "official": "h-off", "description": "<script>x</script>", "persons": ["h1","h2","h3","h4"], "sources": ["h-src"]}],
 "risks": [{"id": "h-risk", "country": "CN", "region": "<b>r</b>", "profiles": ["x"], "harms": ["<evil>"], "sources": ["h-src"]}]}
JSON
run --db h.db import hostile.json
expect_status 0 "the hostile case imports"
for fmt in html md text; do
    for kind in public_statement urgent_action appeal; do
        "$REFUGE" --db h.db statement h --as-of 2020-01-10 --kind $kind --format $fmt > "h.$kind.$fmt" 2>err
        [ $? -eq 0 ] || not_ok "hostile $kind $fmt drafts" "$(cat err)"
    done
done
bad=0
for f in h.*.html; do
    if grep -q '<script\|<img\|<b>\|<u>\|<i>\|<evil\|</p><h1>\|<title><title>\|{{' "$f"; then bad=1; echo "# unescaped in $f"; fi
done
[ $bad -eq 0 ] && ok "html: every value from the case is escaped" || not_ok "html: every value from the case is escaped"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' h.public_statement.html && ok "html shows the markup as text" || not_ok "html shows the markup as text"
grep -q 'محمد عبد الله' h.public_statement.html && ok "html keeps right-to-left names" || not_ok "html keeps right-to-left names"
grep -q "$LONG" h.public_statement.html && ok "html keeps a 2000-character name whole" || not_ok "html keeps a 2000-character name whole"
[ "$(grep -c '<h1>' h.public_statement.html)" -eq 1 ] && ok "html: one heading, none injected" || not_ok "html: one heading, none injected"
bad=0
for f in h.*.md; do
    if grep -q '[^\\]<script\|^# Injected\|^- injected\|^# injected\|[^\\]{{' "$f"; then bad=1; echo "# broken in $f"; fi
done
[ $bad -eq 0 ] && ok "md: markup and template syntax escaped, no injected lines" || not_ok "md: markup and template syntax escaped, no injected lines"
[ "$(grep -c '^# ' h.public_statement.md)" -eq 1 ] && ok "md: one heading" || not_ok "md: one heading"
grep -q '\\{\\{mustache\\}\\}' h.public_statement.md && ok "md: template syntax in a name is shown, not run" || not_ok "md: template syntax in a name is shown, not run"
grep -q "$LONG" h.public_statement.md && ok "md keeps a 2000-character name whole" || not_ok "md keeps a 2000-character name whole"
grep -q '{{mustache}}' h.public_statement.text && ok "text shows values as recorded" || not_ok "text shows values as recorded"

# Actions: add, done, --record, and the round trip through bundles.
run --db a.db action add "$CASE" --kind letter --date 2019-12-11 --targets kz-knb-border-service,darhan-dilmanov --demands release,no_return
expect_status 0 "action add"
expect_out "act-letter-2019-12-11" "prints the new action's id"
run --db a.db action add "$CASE" --kind letter --demands nonsense
expect_status 65 "action add rejects an unknown demand"
run --db a.db action done act-letter-2019-12-11 --outcome "reply received: under review"
expect_status 0 "action done"
run --db a.db action done nope --outcome x
expect_status 1 "action done on an unknown action"
run --db a.db statement "$CASE" --as-of 2019-12-10 --kind urgent_action --record
expect_status 0 "statement --record"
expect_err "recorded action act-urgent_action-2019-12-10" "names the recorded action"
run --db a.db export --case "$CASE"
cp out export1.json
jq -e '.actions[] | select(.id == "act-urgent_action-2019-12-10") | .kind == "urgent_action" and .demands == ["no_return","release","stop_prosecution","asylum_access","legal_assistance"] and (.targets | index("darhan-dilmanov")) != null' export1.json >/dev/null \
    && ok "the recorded statement is an action with its demands and targets" || not_ok "the recorded statement is an action with its demands and targets" "$(jq -c .actions export1.json)"
jq -e '.actions[] | select(.id == "act-letter-2019-12-11") | .outcome == "reply received: under review" and .targets == ["kz-knb-border-service","darhan-dilmanov"]' export1.json >/dev/null \
    && ok "the outcome is kept" || not_ok "the outcome is kept"
"$REFUGE" --db e.db import export1.json >/dev/null 2>&1
run --db e.db export --case "$CASE"
same_files export1.json out "actions round-trip through the bundle format"
run --db a.db audit --json
jq -e '[.[] | select(.action == "action.add" or .action == "action.done")] | length >= 3' out >/dev/null \
    && ok "action writes are audited" || not_ok "action writes are audited" "$(head -c 300 out)"

# Over HTTP: GET /api/cases/{id}/statement (case read access).
if command -v curl >/dev/null; then
    TOKEN=$(admin_token stmt --db a.db)
    "$REFUGE" --db a.db serve --listen 127.0.0.1:0 --port-file port 2>server.log &
    SERVER=$!
    trap 'kill $SERVER 2>/dev/null; rm -rf "$TMP"' EXIT
    for i in $(seq 1 300); do [ -s port ] && break; sleep 0.1; done
    BASE="http://127.0.0.1:$(cat port)/api/cases/$CASE/statement"
    code=$(curl -s -o body -D hdr -w '%{http_code}' "$BASE?as_of=2019-12-10")
    [ "$code" = 401 ] && ok "http: the statement needs authentication" || not_ok "http: the statement needs authentication" "$code"
    code=$(curl -s -o body -D hdr -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE?as_of=2019-12-10")
    [ "$code" = 200 ] && cmp -s body "$GOLDEN/public_statement.en.md" && grep -qi '^Content-Type: text/markdown' hdr \
        && ok "http: the statement in Markdown" || not_ok "http: the statement in Markdown" "$code $(head -c 200 body)"
    code=$(curl -s -o body -D hdr -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE?as_of=2019-12-10&kind=appeal&lang=ru&to=kz-knb-border-service")
    [ "$code" = 200 ] && cmp -s body "$GOLDEN/appeal.ru.md" && ok "http: the Russian appeal" || not_ok "http: the Russian appeal" "$code"
    code=$(curl -s -o body -D hdr -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE?as_of=2019-12-10&format=html")
    [ "$code" = 200 ] && grep -qi '^Content-Type: text/html' hdr && ok "http: HTML" || not_ok "http: HTML" "$code"
    code=$(curl -s -o body -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE?kind=letter")
    [ "$code" = 400 ] && ok "http: a bad kind is 400" || not_ok "http: a bad kind is 400" "$code"
    code=$(curl -s -o body -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$(cat port)/api/cases/nope/statement")
    [ "$code" = 404 ] && ok "http: an unknown case is 404" || not_ok "http: an unknown case is 404" "$code"
    kill $SERVER 2>/dev/null
    wait $SERVER 2>/dev/null
fi

finish
