# check.sh: `refuge check` on the reference case and on variants of it: the
# exact findings, history, the rules listing, and contradictory facts.
. "$(dirname "$0")/lib.sh"

"$REFUGE" --db a.db import "$EXAMPLE" >/dev/null 2>&1 || { echo "Bail out! cannot import the example"; exit 1; }

run --db a.db check --as-of 2019-12-10 --json
expect_status 0 "check --json succeeds"
jq -c '[.[] | [.rule, .person, .status, .missing]]' out > got
cat > want <<'JSON'
[["refoulement-risk","kaster-musakhanuly","established",[]],["refoulement-risk","murager-alimuly","established",[]],["detention-of-asylum-seeker","kaster-musakhanuly","established",[]],["detention-of-asylum-seeker","murager-alimuly","established",[]],["penalisation-for-entry","kaster-musakhanuly","incomplete",["presented_without_delay"]],["penalisation-for-entry","murager-alimuly","incomplete",["presented_without_delay"]],["no-legal-assistance","kaster-musakhanuly","incomplete",["lawyer_access_denied"]],["no-legal-assistance","murager-alimuly","incomplete",["lawyer_access_denied"]]]
JSON
same_files got want "the example gives exactly the expected findings as of 2019-12-10"
jq -e '.[0] | .basis == ["RC1951-33-1","CAT-3","ICCPR-7"] and .facts == ["ev-announce","risk-cn-xj-2017","ev-camp-kaster"] and (keys == ["basis","case","facts","missing","person","rule","severity","status","summary"])' out >/dev/null \
    && ok "a finding has the contract's shape, basis and facts" || not_ok "a finding has the contract's shape, basis and facts" "$(jq -c '.[0]' out)"

run --db a.db check --as-of 2019-12-01 --json --no-record
jq -e 'map(.rule) | index("refoulement-risk") == null' out >/dev/null \
    && ok "no refoulement-risk before the announcement" || not_ok "no refoulement-risk before the announcement"

run --db a.db check --as-of 2019-12-10 --no-record
expect_status 0 "check prints findings for people"
expect_out "CRITICAL refoulement-risk (established): Kaster Musakhanuly" "most severe first, with the person's name"
expect_out "whether they presented themselves to the authorities without delay" "missing facts in plain words"
expect_out "Kazakhstan has been bound by" "the legal basis names the date the state became bound"

run --db a.db check --as-of 2019-12-10 --json --explain --no-record
jq -e '.[0].demands == ["no_return","asylum_access"] and (.[0].explanation | length) > 0' out >/dev/null \
    && ok "--explain adds demands and explanations" || not_ok "--explain adds demands and explanations"

run --db a.db check --history kz-2019-xuar-asylum-seekers --json
jq -e 'length == 8 and all(.[]; .ended == null)' out >/dev/null \
    && ok "the history records each finding once" || not_ok "the history records each finding once" "$(head -c 300 out)"

# Release both men: the detention finding ends and the history says so.
cat > release.json <<'JSON'
{"format": "refuge-bundle/1", "events": [
 {"id": "ev-release", "type": "release", "date": "2019-12-09", "persons": ["kaster-musakhanuly", "murager-alimuly"]}]}
JSON
run --db a.db import release.json
expect_status 0 "a release imports on top of the case"
run --db a.db check --as-of 2019-12-10 --json
jq -e 'map(.rule) | index("detention-of-asylum-seeker") == null' out >/dev/null \
    && ok "after the release there is no detention finding" || not_ok "after the release there is no detention finding"
run --db a.db check --history kz-2019-xuar-asylum-seekers --json
jq -e '[.[] | select(.rule == "detention-of-asylum-seeker" and .ended != null)] | length == 2' out >/dev/null \
    && ok "the history shows when the detention finding ended" || not_ok "the history shows when the detention finding ended"

# Contradictory facts: a conviction dated before every charge.
cat > conflict.json <<'JSON'
{"format": "refuge-bundle/1", "events": [
 {"id": "ev-conviction", "type": "conviction", "date": "2019-09-01", "entry_related": true, "persons": ["murager-alimuly"]}]}
JSON
run --db a.db import conflict.json
run --db a.db check --as-of 2019-12-10 --json
expect_status 0 "contradictory facts do not stop the check"
jq -e '[.[] | select(.rule == "data-conflict" and .person == "murager-alimuly")] | length == 1' out >/dev/null \
    && ok "a conviction before every charge is a data-conflict finding" || not_ok "a conviction before every charge is a data-conflict finding"
jq -e '[.[] | select(.rule == "refoulement-risk")] | length == 2' out >/dev/null \
    && ok "and the other rules still run" || not_ok "and the other rules still run"

# Missing optional fields give incomplete findings.
cat > nodest.json <<'JSON'
{"format": "refuge-bundle/1", "persons": [{"id": "p1", "names": [{"full": "A B"}]}],
 "cases": [{"id": "c1", "state": "TR", "subjects": ["p1"], "status": "open"}],
 "events": [{"id": "e1", "type": "removal_ordered", "date": "2020-01-01", "persons": ["p1"]}]}
JSON
run --db b.db import nodest.json
run --db b.db check --as-of 2020-02-01 --json
jq -e '.[0].rule == "refoulement-risk" and .[0].status == "incomplete" and (.[0].missing | index("risk_in_destination")) != null' out >/dev/null \
    && ok "a removal with no destination gives an incomplete finding" || not_ok "a removal with no destination gives an incomplete finding" "$(head -c 400 out)"

# A run over every case reads each table once and joins the rows in memory
# (service/checkscan.c); checking each case alone loads it object by object.
# Both must give the same findings, byte for byte: cases stored out of id
# order, a person in two cases, an event naming persons of two cases, a
# primary name that is not the first, a closed case, a case without
# subjects, risks with and without profiles, sources on events and risks,
# a risk with an event's id (listed once among a finding's facts).
cat > many.json <<'JSON'
{"format": "refuge-bundle/1",
 "sources": [{"id": "s1", "title": "one"}, {"id": "s2", "title": "two"}],
 "persons": [
  {"id": "zz-p", "names": [{"full": "Zed Native", "kind": "native"}, {"full": "Zed Primary", "kind": "primary"}], "ethnicity": "Uighur", "profiles": ["activist"]},
  {"id": "aa-p", "names": [{"full": "Aa Person"}], "religion": "Muslim", "sources": ["s1"]},
  {"id": "mm-p", "names": [{"full": "Group Of Five"}], "group": true, "group_size": 5, "profiles": ["Kazakh"]},
  {"id": "qq-p", "names": [{"full": "Qq Person"}]}],
 "risks": [
  {"id": "r-cn-2", "country": "CN", "profiles": ["uighur"], "harms": ["torture", "surveillance"], "from": "2017", "sources": ["s2"]},
  {"id": "r-cn-1", "country": "CN", "profiles": ["kazakh", "muslim"], "harms": ["torture", "arbitrary_detention"], "sources": ["s1", "s2"]},
  {"id": "r-uz", "country": "UZ", "harms": ["torture"], "to": "2018"},
  {"id": "r-ru", "country": "RU", "harms": ["enforced_disappearance"]},
  {"id": "e7", "country": "RU", "harms": ["torture"]}],
 "cases": [
  {"id": "c-zeta", "state": "TR", "subjects": ["zz-p", "aa-p"], "status": "open"},
  {"id": "c-alpha", "state": "KZ", "subjects": ["aa-p", "mm-p"], "status": "monitoring"},
  {"id": "c-closed", "state": "KZ", "subjects": ["qq-p"], "status": "closed"},
  {"id": "c-empty", "state": "TH", "subjects": [], "status": "open"},
  {"id": "c-mid", "state": "BT", "subjects": ["qq-p"]}],
 "events": [
  {"id": "e9", "type": "removal_ordered", "date": "2019-12-01", "to_country": "CN", "persons": ["zz-p", "aa-p"], "sources": ["s2", "s1"], "appeal_until": "2019-12-12"},
  {"id": "e1", "type": "border_crossing", "date": "2019-01-05", "from_country": "CN", "to_country": "KZ", "presented_to_authorities": false, "persons": ["mm-p", "aa-p"]},
  {"id": "e5", "type": "asylum_application", "date": "2019-02", "persons": ["mm-p", "zz-p"], "sources": ["s1"]},
  {"id": "e3", "type": "charge", "date": "2019-03-01", "offence": "illegal border crossing", "entry_related": true, "persons": ["mm-p"], "place": {"country": "KZ"}},
  {"id": "e4", "type": "detention", "date": "2019-03-01", "kind": "pretrial", "persons": ["aa-p", "qq-p"]},
  {"id": "e2", "type": "removal_requested", "date": "2019-11", "by_country": "UZ", "persons": ["qq-p"]},
  {"id": "e7", "type": "ill_treatment", "date": "2018", "place": {"country": "RU"}, "persons": ["zz-p"]},
  {"id": "e8", "type": "removal_announced", "to_country": "RU", "persons": ["zz-p"]},
  {"id": "e6", "type": "legal_assistance", "date": "2019-04-01", "provided": false, "persons": ["mm-p"]}]}
JSON
run --db m.db import many.json
expect_status 0 "a store of several cases imports"
run --db m.db check --as-of 2019-12-05 --json --explain --no-record
expect_status 0 "check --json over every case succeeds"
cp out all.json
: > each.json
for c in $(jq -r '.cases[].id' many.json | sort); do
    "$REFUGE" --db m.db check --case "$c" --as-of 2019-12-05 --json --explain --no-record >> each.json
done
jq -S . all.json > all.sorted
jq -s -S 'add' each.json > each.sorted
jq -e 'length > 8' all.json >/dev/null \
    && ok "the store of several cases gives findings" || not_ok "the store of several cases gives findings" "$(head -c 300 all.json)"
same_files all.sorted each.sorted "every case at once gives the findings of each case checked alone"
jq -e 'map(.case) | (index("c-closed") == null) and (. == (. | sort))' all.json >/dev/null \
    && ok "closed cases give nothing, and findings come in case order" || not_ok "closed cases give nothing, and findings come in case order"
# Without --explain (findings only: ids compared by address in the engine).
run --db m.db check --as-of 2019-12-05 --json --no-record
cp out brief.json
: > each.json
for c in $(jq -r '.cases[].id' many.json | sort); do
    "$REFUGE" --db m.db check --case "$c" --as-of 2019-12-05 --json --no-record >> each.json
done
jq -S . brief.json > all.sorted
jq -s -S 'add' each.json > each.sorted
same_files all.sorted each.sorted "without --explain too, every case at once gives the findings of each alone"
jq -e 'map(select(.person == "zz-p" and .rule == "refoulement-risk")) | length == 1 and
       (.[0].facts | map(select(. == "e7")) | length) == 1' brief.json >/dev/null \
    && ok "an id shared by a risk and an event is one fact" || not_ok "an id shared by a risk and an event is one fact" "$(jq -c '.[] | select(.person == "zz-p") | .facts' brief.json)"


# More cases than one batch: the batches are checked on several threads and
# their findings must still come out whole and in case id order. Each case
# has one detained asylum-seeker; the ids are listed in reverse.
jq -n '{format: "refuge-bundle/1",
        persons: [range(0; 700) | {id: "p\(.)", names: [{full: "Person \(.)"}]}],
        cases: [range(699; -1; -1) | {id: ("k" + (1000 + . | tostring)), state: "KZ", subjects: ["p\(.)"]}],
        events: [range(0; 700) | {id: "a\(.)", type: "asylum_application", date: "2019-01-01", persons: ["p\(.)"]},
                                 {id: "d\(.)", type: "detention", date: "2019-02-01", persons: ["p\(.)"]}]}' > batch.json
run --db batch.db import batch.json
expect_status 0 "a store of 700 cases imports"
run --db batch.db check --as-of 2019-12-05 --json --no-record
expect_status 0 "check --json over 700 cases succeeds"
jq -e 'map(select(.rule == "detention-of-asylum-seeker")) | length == 700 and
       (map(.case) == ([range(0; 700) | "k" + (1000 + . | tostring)]))' out >/dev/null \
    && ok "the findings of every batch come whole and in case id order" || not_ok "the findings of every batch come whole and in case id order" "$(jq -c 'map(.case) | .[0:5]' out)"

# Over 3,301 events, two threads read the store on two connections in one
# snapshot, and the events' person lists are joined in 16 chunks of event
# ids that the two threads take as they are free (service/checkscan.c). The findings
# must be those of one thread on one connection, byte for byte: events
# stored out of id order, an event naming persons of two cases on either
# side of the split, sources on events (read with --explain), an event of a
# person in no case.
jq -n '{format: "refuge-bundle/1",
        sources: [{id: "s1", title: "one"}],
        persons: [range(0; 1101) | {id: "p\(.)", names: [{full: "Person \(.)"}]}],
        cases: [range(1099; -1; -1) | {id: ("k" + (1000 + . | tostring)), state: "KZ", subjects: ["p\(.)"]}],
        events: ([range(1099; -1; -1) | {id: "a\(.)", type: "asylum_application", date: "2019-01-01", persons: ["p\(.)"], sources: ["s1"]},
                                        {id: "d\(.)", type: "detention", date: "2019-02-01", persons: ["p\(.)"]},
                                        {id: "r\(.)", type: "removal_announced", date: "2019-03-01", to_country: "CN", persons: ["p\(.)", "p\((. * 7) % 1100)"]}]
                 + [{id: "zz-stray", type: "detention", date: "2019-02-01", persons: ["p1100"]}])}' > split.json
run --db split.db import -q split.json
expect_status 0 "a store of 3,301 events imports"
for x in "" --explain; do
    "$REFUGE" --db split.db check --as-of 2019-12-05 --json $x --no-record --threads 1 > one.json
    "$REFUGE" --db split.db check --as-of 2019-12-05 --json $x --no-record --threads 2 > two.json
    [ -s two.json ] && jq -e 'length > 2200' two.json >/dev/null \
        && ok "two threads give findings over 1,100 cases $x" || not_ok "two threads give findings over 1,100 cases $x" "$(head -c 300 two.json)"
    same_files one.json two.json "two connections give the findings of one, byte for byte $x"
done
run --db split.db check --threads 0
expect_status 64 "check --threads 0 is a usage error"

# The treaty data in the store is this build's: a stored text that differs
# in any byte (compared whole, not by its recorded digest) is put back
# before a check uses it.
run --db rd.db init --plaintext
run --db rd.db import "$EXAMPLE"
run --db rd.db check --as-of 2019-12-10 --json --no-record
cp out rd-before.json
sqlite3 rd.db "UPDATE reference_data SET content = replace(content, 'KAZ,', 'QQQ,') WHERE name = 'treaty_parties.csv'"
run --db rd.db check --as-of 2019-12-10 --json --no-record
expect_status 0 "a check over altered treaty data in the store succeeds"
same_files rd-before.json out "and gives the findings of this build's treaty data"
[ "$(sqlite3 rd.db "SELECT instr(content, 'KAZ,Kazakhstan') > 0 AND length(sha256) = 64 FROM reference_data WHERE name = 'treaty_parties.csv'")" = 1 ] \
    && ok "the stored text and its digest are this build's again" || not_ok "the stored text and its digest are this build's again"

# event_scan is written by store_put() (C) on every write, and by migration
# 0009 (SQL) for a store made before it: both must pack an event into the
# same text. Take a plaintext store of the several cases back to schema 8
# and let the migration pack its events again.
run --db mp.db init --plaintext
run --db mp.db import many.json
sqlite3 mp.db "SELECT id, facts FROM event_scan ORDER BY id" > packed-by-c.txt
sqlite3 mp.db "$UNDO_0009 PRAGMA user_version = 8;"
run --db mp.db check --as-of 2019-12-05 --json --explain --no-record
expect_status 0 "a schema-8 store is upgraded and checked"
sqlite3 mp.db "SELECT id, facts FROM event_scan ORDER BY id" > packed-by-sql.txt
[ "$(wc -l < packed-by-c.txt)" -ge 9 ] && ok "every event was packed" || not_ok "every event was packed" "$(cat packed-by-c.txt)"
same_files packed-by-c.txt packed-by-sql.txt "the migration packs events as a write does, byte for byte"
same_files all.json out "and the findings are those from before the upgrade"

# What a check of every case reads of events is packed in event_scan
# (migration 0009); a row that does not unpack (the database changed behind
# refuge's back) stops the check with the event named, never a guess.
sqlite3 rd.db "UPDATE event_scan SET facts = '9:short' WHERE id = (SELECT min(id) FROM event_scan)"
run --db rd.db check --as-of 2019-12-10 --json --no-record
expect_status 1 "a damaged row of event_scan stops a check of every case"
expect_err "event_scan" "and says which table"
run --db rd.db check --case kz-2019-xuar-asylum-seekers --as-of 2019-12-10 --json --no-record
expect_status 0 "a check of one case reads the events themselves"
sqlite3 rd.db "INSERT INTO event_scan VALUES ('no-such-event', '-')"
run --db rd.db doctor
expect_status 1 "doctor fails on damaged event facts"
expect_out "checks' event facts: FAILED: 0 of" "and says how many, and what to run"
expect_out "1 rows of no event" "counting a row of no event"
run --db rd.db reindex
expect_status 0 "reindex succeeds"
expect_out "packed the checks' facts of 1 of" "and repacks the damaged row"
run --db rd.db doctor
expect_out "checks' event facts: ok" "after which doctor finds them right"
run --db rd.db check --as-of 2019-12-10 --json --no-record
same_files rd-before.json out "and a check of every case gives its findings again"

# libmicrohttpd, and GnuTLS behind it, are loaded by `refuge serve` alone
# (http/mhd.c): a check, like any other command, starts without them.
LD_DEBUG=libs "$REFUGE" --db a.db check --as-of 2019-12-10 --json --no-record >/dev/null 2>ld.txt
if ! grep -q 'libsqlite3' ld.txt; then
    not_ok "a check loads no HTTP or TLS library" "LD_DEBUG=libs printed no libraries"
elif grep -q -E 'libmicrohttpd|libgnutls' ld.txt; then
    not_ok "a check loads no HTTP or TLS library" "$(grep -E 'libmicrohttpd|libgnutls' ld.txt | head -3)"
else
    ok "a check loads no HTTP or TLS library"
fi

run --db a.db check --case nope
expect_status 1 "checking an unknown case fails"
run --db a.db check --as-of 2019-02-30
expect_status 64 "an impossible --as-of is a usage error"

run rules
expect_status 0 "rules lists the rules"
expect_out "penalisation-for-entry (high)" "with their severity"
expect_out "Conditions, all of which must hold" "and their conditions in plain words"

finish
