# import_export.sh: importing the reference case, idempotence, lossless
# round trip and byte-identical exports.
. "$(dirname "$0")/lib.sh"

run --db a.db import "$EXAMPLE"
expect_status 0 "the example bundle imports"
expect_out "17 new, 0 updated, 0 unchanged" "every object is new on first import"

sum1=$(sha256sum a.db | cut -d' ' -f1)
run --db a.db import "$EXAMPLE"
expect_status 0 "importing the same bundle again succeeds"
expect_out "0 new, 0 updated, 17 unchanged" "the second import changes nothing"
sum2=$(sha256sum a.db | cut -d' ' -f1)
if [ "$sum1" = "$sum2" ]; then ok "the database file is unchanged by the second import"; else not_ok "the database file is unchanged by the second import"; fi

run --db a.db export
expect_status 0 "export succeeds"
cp out e1.json
run --db a.db export
same_files out e1.json "two exports are byte-identical"

run --db b.db import e1.json
expect_status 0 "the export imports into a fresh database"
run --db b.db export
same_files out e1.json "import, export, import, export gives the same bundle"

run --db a.db export --case kz-2019-xuar-asylum-seekers
expect_status 0 "export of one case"
same_files out e1.json "the case export holds the whole example"

run --db a.db export --case no-such-case
expect_status 1 "export of an unknown case fails"
expect_err "no case with id 'no-such-case'" "and says which case is missing"

# Unknown fields are kept and exported unchanged.
sed 's/"sex": "male", "nationality": \["KZ"\]/"sex": "male", "nationality": ["KZ"], "x-note": {"a": [1, 2.5, "z"]}/' "$EXAMPLE" > extra.json
run --db c.db import extra.json
expect_status 0 "a bundle with an unknown field imports"
expect_err "persons[2].x-note: unknown field, kept as it is" "the unknown field is noted"
run --db c.db export
expect_out '"x-note":{"a":[1,2.5,"z"]}' "the unknown field is exported unchanged"

# Updating an object changes only that object.
sed 's/"Held in pre-trial detention."/"Held in pre-trial detention in Ust-Kamenogorsk."/' "$EXAMPLE" > changed.json
run --db a.db import changed.json
expect_status 0 "a changed bundle imports"
expect_out "0 new, 1 updated, 16 unchanged" "only the changed event is updated"

# Reading commands.
run --db a.db cases
expect_out "kz-2019-xuar-asylum-seekers" "cases lists the case"
run --db a.db cases --json
expect_out '"subjects": 2' "cases --json counts subjects"
run --db a.db show kz-2019-xuar-asylum-seekers
expect_out "Кастер Мұсаханұлы" "show lists every name of a subject"
expect_out "October 2019 (approx.)" "show marks approximate partial dates"
expect_out "6 December 2019" "show writes full dates in words"
run --db a.db show kz-2019-xuar-asylum-seekers --json
expect_out '"date_text": "October 2019 (approx.)"' "show --json gives dates in words"
run --db missing.db cases
expect_status 1 "reading a database that does not exist fails"
[ ! -e missing.db ] && ok "and does not create it" || not_ok "and does not create it"

# Standard input.
run --db d.db import - < "$EXAMPLE"
expect_status 0 "import reads standard input with -"

finish
