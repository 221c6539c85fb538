# bad_input.sh: every malformed bundle is refused with status 65, an error
# that says where and why, and leaves the database byte-for-byte as it was.
. "$(dirname "$0")/lib.sh"

"$REFUGE" --db base.db import "$EXAMPLE" >/dev/null 2>&1 || { echo "Bail out! cannot import the example"; exit 1; }
base_sum=$(sha256sum base.db | cut -d' ' -f1)

# refused FILE EXPECTED DESC: importing FILE fails with 65, says EXPECTED,
# and leaves base.db unchanged.
refused() {
    run --db base.db import "$1"
    expect_status 65 "$3: exit status 65"
    expect_err "$2" "$3: says where and why"
    expect_err "nothing was imported" "$3: says nothing was imported"
    now=$(sha256sum base.db | cut -d' ' -f1)
    if [ "$now" = "$base_sum" ] && [ ! -s base.db-wal ]; then
        ok "$3: database unchanged"
    else
        not_ok "$3: database unchanged"
    fi
}

bundle() { # bundle FILE JSON-LISTS: writes a bundle with the given lists
    printf '{"format": "refuge-bundle/1", %s}\n' "$2" > "$1"
}

P='{"id": "p1", "names": [{"full": "A B"}]}'

bundle wrong-type.json "\"persons\": [$P], \"events\": [{\"id\": \"e1\", \"type\": \"arrest\", \"date\": 20191006, \"persons\": [\"p1\"]}]"
refused wrong-type.json 'events[0].date: expected a string, found a number' "wrong type"

bundle wrong-tri.json "\"persons\": [$P], \"events\": [{\"id\": \"e1\", \"type\": \"border_crossing\", \"irregular\": \"yes\", \"persons\": [\"p1\"]}]"
refused wrong-tri.json 'events[0].irregular: expected true, false or null, found a string' "tri-state of the wrong type"

bundle unknown-type.json "\"persons\": [$P], \"events\": [{\"id\": \"e1\", \"type\": \"teleport\", \"persons\": [\"p1\"]}]"
refused unknown-type.json 'events[0].type: "teleport" is not an event type' "unknown event type"

bundle dangling.json "\"persons\": [$P], \"events\": [{\"id\": \"e1\", \"type\": \"arrest\", \"persons\": [\"p1\", \"nobody\"]}]"
refused dangling.json 'events[0].persons[1]: no person with id "nobody"' "dangling reference"

bundle dangling-org.json "\"organizations\": [{\"id\": \"o1\", \"name\": \"X\", \"parent\": \"o9\"}]"
refused dangling-org.json 'organizations[0].parent: no organization with id "o9"' "dangling parent"

bundle duplicate.json "\"persons\": [$P, $P]"
refused duplicate.json 'persons[1].id: "p1" is already the id of persons[0]' "duplicate id within a list"

bundle bad-date.json "\"persons\": [$P], \"events\": [{\"id\": \"e1\", \"type\": \"arrest\", \"date\": \"2019-13-01\", \"persons\": [\"p1\"]}]"
refused bad-date.json 'events[0].date: "2019-13-01" is not a calendar date' "invalid date"

bundle bad-date2.json "\"persons\": [$P], \"events\": [{\"id\": \"e1\", \"type\": \"arrest\", \"date\": \"06/10/2019\", \"persons\": [\"p1\"]}]"
refused bad-date2.json 'events[0].date: "06/10/2019" is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD' "date in another format"

bundle leap.json "\"persons\": [$P], \"events\": [{\"id\": \"e1\", \"type\": \"arrest\", \"date\": \"2019-02-29\", \"persons\": [\"p1\"]}]"
refused leap.json 'events[0].date: "2019-02-29" is not a calendar date' "29 February in a common year"

bundle end-before.json "\"persons\": [$P], \"events\": [{\"id\": \"e1\", \"type\": \"detention\", \"date\": \"2019-10-06\", \"end_date\": \"2019-10-01\", \"persons\": [\"p1\"]}]"
refused end-before.json 'events[0].end_date: is before the event' "end_date before date"

bundle bad-country.json "\"cases\": [{\"id\": \"c1\", \"state\": \"XX\"}]"
refused bad-country.json 'cases[0].state: "XX" is not an ISO 3166-1 alpha-2 country code' "invalid country"

bundle bad-region.json "\"risks\": [{\"id\": \"r1\", \"country\": \"CN\", \"region\": \"KZ-VOS\"}]"
refused bad-region.json 'risks[0].region: "KZ-VOS" is not a subdivision of CN' "region of another country"

bundle bad-vocab.json "\"cases\": [{\"id\": \"c1\", \"state\": \"KZ\", \"status\": \"pending\"}]"
refused bad-vocab.json 'cases[0].status: "pending" is not one of: open, monitoring or closed' "value outside the vocabulary"

bundle bad-id.json "\"sources\": [{\"id\": \"has space\"}]"
refused bad-id.json 'sources[0].id: "has space" is not a valid id' "invalid id"

bundle missing-id.json "\"sources\": [{\"title\": \"x\"}]"
refused missing-id.json 'sources[0].id: is required' "missing id"

bundle no-format.json "\"sources\": []"
sed -i 's/"format": "refuge-bundle\/1", //' no-format.json
refused no-format.json 'format: is required' "missing format"

bundle wrong-format.json "\"sources\": []"
sed -i 's/refuge-bundle\/1/refuge-bundle\/9/' wrong-format.json
refused wrong-format.json 'format: expected "refuge-bundle/1"' "wrong format"

bundle many.json "\"persons\": [$P], \"events\": [{\"id\": \"e1\", \"type\": \"arrest\", \"date\": \"2019-13-01\", \"persons\": [\"p1\"]}, {\"id\": \"e2\", \"type\": \"nope\", \"persons\": [\"p1\"]}, {\"id\": \"e3\", \"type\": \"removal\", \"to_country\": \"ZZ\", \"persons\": [\"ghost\"]}]"
refused many.json 'events[2].persons[0]: no person with id "ghost"' "several problems"
expect_err 'events[0].date: "2019-13-01" is not a calendar date' "several problems: the first is reported"
expect_err 'events[1].type: "nope" is not an event type' "several problems: the second is reported"
expect_err 'events[2].to_country: "ZZ" is not an ISO 3166-1 alpha-2 country code' "several problems: the third is reported"
expect_err 'the bundle has 4 problems' "several problems: all are counted"

: > empty.json
refused empty.json 'the input is empty' "empty file"

printf '{"format": "refuge-bundle/1",\n "sources": [{"id": "s1",\n   "title": "cut' > truncated.json
refused truncated.json 'line 3, column' "truncated input gives line and column"

printf 'this is not json\n' > notjson.json
refused notjson.json 'line 1, column 2: invalid JSON' "not JSON at all"

printf '{"format": "refuge-bundle/1", "sources": [{"id": "s1", "title": "bad \377\376 bytes"}]}\n' > badutf8.json
refused badutf8.json 'invalid JSON' "invalid UTF-8"
expect_err 'line 1, column' "invalid UTF-8: position given"

printf '[1, 2]\n' > array.json
refused array.json 'the bundle must be a JSON object' "a top-level array"

printf '{"format": "refuge-bundle/1", "sources": [{"id": "s1", "id": "s2"}]}\n' > dupkey.json
refused dupkey.json 'duplicate key "id"' "duplicate key in an object"

printf '{"format": "refuge-bundle/1", "sources": [{"id": "s1", "title": "nul \\u0000 inside"}]}\n' > nul.json
refused nul.json 'sources[0].title: contains a NUL character' "NUL character in a string"

# A 100 MB string.
{ printf '{"format": "refuge-bundle/1", "sources": [{"id": "s1", "title": "'; head -c 100000000 /dev/zero | tr '\0' a; printf '"}]}\n'; } > huge.json
refused huge.json 'string longer than' "a 100 MB string"
rm -f huge.json

# 10,000-deep nesting.
awk 'BEGIN { printf "{\"format\": \"refuge-bundle/1\", \"sources\": [{\"id\": \"s1\", \"x\": "; for (i = 0; i < 10000; i++) printf "["; for (i = 0; i < 10000; i++) printf "]"; printf "}]}\n" }' > deep.json
refused deep.json 'nesting deeper than' "10,000-deep nesting"

# A bad bundle into a new database leaves no database behind.
run --db fresh.db import dangling.json
expect_status 65 "a bad bundle into a new database is refused"
[ ! -e fresh.db ] && [ ! -e fresh.db-wal ] && ok "and leaves no database file" || not_ok "and leaves no database file"

run --db base.db import does-not-exist.json
expect_status 66 "a missing file exits with 66"
expect_err "cannot open 'does-not-exist.json'" "and names the file"

run --db base.db import a.json b.json
expect_status 64 "two files is a usage error"

finish
