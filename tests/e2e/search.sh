# search.sh: `refuge search` (persons across scripts, full text), `dedup`,
# `person merge` and `reindex`, as a user runs them.
. "$(dirname "$0")/lib.sh"

run --db a.db import "$EXAMPLE"
expect_status 0 "the example imports"

run --db a.db search "Кастер Мусаханулы"
expect_status 0 "search by a Russian spelling of a Kazakh name"
expect_out "kaster-musakhanuly" "finds the person"
expect_out "(Russian)" "and explains the reading"

run --db a.db search --json "Musahanuli Kaster"
expect_status 0 "search --json"
expect_out '{"type": "person", "id": "kaster-musakhanuly", "score": ' "prints typed results with a score"
expect_out '"why": "' "each with an explanation"
if head -c 1 out | grep -q '\['; then ok "the output is a JSON array"; else not_ok "the output is a JSON array"; fi

run --db a.db search --persons "Мұрагер Әлімұлы" --limit 1
expect_out "murager-alimuly" "--persons finds the second subject"
if [ "$(grep -c '^person' out)" -eq 1 ]; then ok "--limit 1 gives one result"; else not_ok "--limit 1 gives one result" "$(cat out)"; fi

run --db a.db search --cases "asylum"
expect_out "kz-2019-xuar-asylum-seekers" "--cases finds the case by its text"
if grep -q '^person\|^event' out; then not_ok "--cases lists only cases" "$(cat out)"; else ok "--cases lists only cases"; fi

run --db a.db search --text "re-educ*"
expect_out "ev-camp-kaster" "--text finds an event by a prefix"
expect_out "[re-education]" "with the match marked in the original text of the snippet"

run --db a.db search --text '"pre-trial detention"' --type event --json
expect_out '"type": "event", "id": "ev-detention"' "a phrase query with a type filter"

run --db a.db search --text "detention" --from 2030
expect_out "nothing found" "a date filter leaves nothing"

run --db a.db search
expect_status 64 "search without a query is a usage error"

# A planted duplicate: the same man in another spelling, in a shared event.
cat > dup.json <<'JSON'
{"format": "refuge-bundle/1",
 "persons": [{"id": "kaster-dup", "names": [{"full": "Qaster Musaqanuly", "script": "Latn"}],
              "sex": "male", "nationality": ["CN"]}],
 "events": [{"id": "ev-dup-seen", "type": "other", "date": "2019-11",
             "persons": ["kaster-dup", "kaster-musakhanuly"],
             "description": "Seen together at the court."}]}
JSON
run --db a.db import dup.json
expect_status 0 "a bundle with a probable duplicate imports"
expect_err 'probably the same person as "kaster-musakhanuly"' "and the import notes the probable duplicate"

run --db a.db dedup
expect_status 0 "dedup runs"
expect_out "kaster-dup (Qaster Musaqanuly)  ~  kaster-musakhanuly" "dedup lists the planted pair"
expect_out "same sex (male)" "with the sex as a reason"
expect_out "shared nationality CN" "and the nationality"
expect_out "1 shared event (ev-dup-seen)" "and the shared event"

run --db a.db dedup --json --threshold 0.8
expect_out '"a": "kaster-dup", "b": "kaster-musakhanuly", "score": ' "dedup --json gives the pair"

run --db a.db person merge kaster-musakhanuly kaster-dup
expect_status 0 "person merge"
expect_out "merged person kaster-dup into kaster-musakhanuly" "says what it did"

run --db a.db export
expect_status 0 "export after the merge"
cp out merged.json
if grep -q '"kaster-dup"' merged.json; then not_ok "the merged person is gone, and no reference to it is left"; else ok "the merged person is gone, and no reference to it is left"; fi
expect_out '"full":"Qaster Musaqanuly"' "the kept person has the other's name"
run --db b.db import merged.json
expect_status 0 "the export imports on its own (no dangling references)"

run --db a.db audit --json
expect_out "person.merge" "the merge is in the audit trail"

run --db a.db search --persons "Qaster Musaqanuly"
expect_out "kaster-musakhanuly" "the merged name finds the kept person"
if grep -q "kaster-dup" out; then not_ok "and no longer the merged one"; else ok "and no longer the merged one"; fi

run --db a.db person merge kaster-musakhanuly kaster-dup
expect_status 1 "merging a person that is gone fails"

run --db a.db reindex
expect_status 0 "reindex"
expect_out "indexed the names of 3 persons" "reindex counts persons"
run --db a.db search "Kaster"
expect_out "kaster-musakhanuly" "search works after reindex"

# A database from before search existed: no keys, nothing marked built.
# (Plaintext, so that the sqlite3 shell can take the indexes away.)
if command -v sqlite3 >/dev/null; then
    run --db old.db init --plaintext
    run --db old.db import "$EXAMPLE"
    sqlite3 old.db "DELETE FROM name_key; DELETE FROM name_block; DELETE FROM text_fts; DELETE FROM text_doc;
        DELETE FROM search_state;" && ok "the indexes are taken away" || not_ok "the indexes are taken away"
    [ "$(sqlite3 old.db 'SELECT count(*) FROM name_key')" -eq 0 ] && ok "no name keys left" || not_ok "no name keys left"
    run --db old.db search "Мұрагер Әлімұлы"
    expect_out "murager-alimuly" "an old database gets its indexes on the first search"
    run --db old.db search --text "re-education"
    expect_out "ev-camp-kaster" "text included"

    # Keys stored under older key rules (migration 0008): a database at
    # schema 7 whose keys are stale is marked not indexed by the upgrade, and
    # its first search rebuilds them.
    run --db rules.db init --plaintext
    run --db rules.db import "$EXAMPLE"
    sqlite3 rules.db "$UNDO_0009 DELETE FROM name_block WHERE kid IN (SELECT kid FROM name_key WHERE person = 'murager-alimuly');
        UPDATE name_key SET key = 'stale', codes = '[]' WHERE person = 'murager-alimuly';
        PRAGMA user_version = 7;" && ok "a schema-7 store with stale keys" || not_ok "a schema-7 store with stale keys"
    run --db rules.db search "Мұрагер Әлімұлы" --persons
    expect_out "murager-alimuly" "the upgrade to schema 8 rebuilds stale name keys at the first search"
    [ "$(sqlite3 rules.db "SELECT count(*) FROM name_key WHERE key = 'stale'")" -eq 0 ] &&
        ok "no stale key is left" || not_ok "no stale key is left"
else
    ok "# SKIP sqlite3 is not installed"
fi

printf 'Протокол допроса: задержан в Усть-Каменогорске.\n' > doc.txt
run --db a.db source-text ai-eur57-2019 doc.txt
expect_status 0 "attaching a document's text"
run --db a.db search --text "каменогорске"
expect_out "ai-eur57-2019" "the attached text is searchable"

finish
