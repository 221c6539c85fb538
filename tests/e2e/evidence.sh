# evidence.sh: evidence files and the tamper-evident log from the command
# line: attach and extract byte for byte, export a package and verify it
# offline (with refuge and with an independent verifier in Node), reject
# every one of 200 random single-bit changes to the package, refuse UPDATE
# and DELETE on the log tables through the sqlite3 shell, and detect a
# changed row and a database rolled back to an older copy.
. "$(dirname "$0")/lib.sh"

CROSS="$REFUGE_SOURCE/tests/e2e/crossverify.js"
# Plaintext stores: the tampering below goes through the sqlite3 shell, as an
# attacker who holds the data key would (e2e.encryption covers the pages).
run --db t.db init --plaintext
run --db m.db init --plaintext
run --db t.db import "$EXAMPLE"
expect_status 0 "the example bundle imports"
SRC=$("$REFUGE" --db t.db export | jq -r '.sources[0].id')
SRC2=$("$REFUGE" --db t.db export | jq -r '.sources[1].id')

head -c 3000 /dev/urandom >scan.bin
printf 'Заявление: the statement as received.\n' >statement.txt

run --db t.db source attach "$SRC" scan.bin --media-type application/pdf
expect_status 0 "source attach stores a file"
expect_out "sha256     $(sha256sum scan.bin | cut -c1-64)" "and prints its SHA-256"
run --db t.db source attach "$SRC" scan.bin
expect_status 1 "the same file cannot be attached to the same source twice"
expect_err "already has this file" "and the reason is given"
run --db t.db source attach "$SRC2" statement.txt --media-type 'text plain'
expect_status 65 "a bad media type is refused"
run --db t.db source attach no-such-source statement.txt
expect_status 1 "attaching to a missing source is refused"
run --db t.db source attach "$SRC2" statement.txt --media-type text/plain
expect_status 0 "a second file, for another source"

run --db t.db source extract "$SRC" -o back.bin
expect_status 0 "source extract writes the file"
same_files scan.bin back.bin "the extracted bytes are the original bytes"
run --db t.db source extract "$SRC2" "$(sha256sum statement.txt | cut -c1-64)"
same_files statement.txt out "extract by SHA-256 to standard output"
run --db t.db source extract "$SRC2" 0000000000000000000000000000000000000000000000000000000000000000
expect_status 1 "an unknown SHA-256 is not found"
run --db t.db source files "$SRC"
expect_out "scan.bin" "source files lists the custody records"

run --db t.db checkpoint export -o cp1.txt
expect_status 0 "checkpoint export"
run --db t.db checkpoint key
KEY=$(cat out)
if node "$CROSS" checkpoint cp1.txt "$KEY" >cross.out 2>&1; then
    ok "an independent verifier accepts the checkpoint signature"
else
    not_ok "an independent verifier accepts the checkpoint signature" "$(cat cross.out)"
fi

run --db t.db evidence export "$SRC" -o pkg.txt
expect_status 0 "evidence export writes one package"
cp t.db old.db
[ -f t.db-wal ] && cp t.db-wal old.db-wal

mkdir offline
cp pkg.txt offline/
(cd offline && "$REFUGE" evidence verify pkg.txt >../out 2>../err)
status=$?
expect_status 0 "the package verifies with no database"
expect_out "OK: pkg.txt verifies" "and says so"
if [ ! -e offline/refuge.db ]; then ok "verifying creates no database"; else not_ok "verifying creates no database"; fi
run evidence verify pkg.txt --key "$KEY"
expect_status 0 "the package verifies against the published key"
if node "$CROSS" package pkg.txt "$KEY" >cross.out 2>&1; then
    ok "an independent verifier accepts the package (signature, inclusion proof, SHA-256)"
else
    not_ok "an independent verifier accepts the package" "$(cat cross.out)"
fi
cat cross.out

# by hand, as docs/evidence.md describes
sed -n 's/^content //p' pkg.txt | base64 -d >hand.bin
same_files scan.bin hand.bin "the package's content decodes with base64 to the original file"
sed -n 's/^leaf //p' pkg.txt | base64 -d >leaf.txt
if grep -qx "sha256 $(sha256sum hand.bin | cut -c1-64)" leaf.txt; then
    ok "the custody leaf names the file's SHA-256"
else
    not_ok "the custody leaf names the file's SHA-256" "$(cat leaf.txt)"
fi

# the checkpoint's signature with OpenSSL, as docs/evidence.md shows
sed -n 's/^checkpoint //p' pkg.txt | base64 -d >note
head -n 3 note >text
tail -n 1 note | cut -d' ' -f3 | base64 -d | tail -c 64 >sig
printf '%s' "$KEY" | cut -d+ -f3- | base64 -d | tail -c 32 >pub.raw
(printf '\060\052\060\005\006\003\053\145\160\003\041\000'; cat pub.raw) >pub.der
if openssl pkey -pubin -inform DER -in pub.der -out pub.pem 2>openssl.err &&
    openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in text -sigfile sig >openssl.out 2>&1; then
    ok "OpenSSL verifies the package's checkpoint signature"
else
    not_ok "OpenSSL verifies the package's checkpoint signature" "$(cat openssl.err openssl.out)"
fi

# another database's key does not verify it
run --db other.db import "$EXAMPLE"
run --db other.db checkpoint export -o other-cp.txt
run --db other.db checkpoint key
run evidence verify pkg.txt --key "$(cat out)"
expect_status 1 "a package is refused under another database's key"

# 200 random single-bit changes anywhere in the package
size=$(wc -c <pkg.txt)
flips=0
rejected=0
for pos in $(od -An -tu4 -N800 /dev/urandom); do
    pos=$((pos % size))
    bit=$(((pos / 7) % 8))
    byte=$(od -An -tu1 -j "$pos" -N1 pkg.txt | tr -d ' ')
    new=$((byte ^ (1 << bit)))
    cp pkg.txt flip.txt
    printf "$(printf '\\%03o' "$new")" | dd of=flip.txt bs=1 seek="$pos" conv=notrunc 2>/dev/null
    flips=$((flips + 1))
    if ! "$REFUGE" evidence verify flip.txt >/dev/null 2>&1; then
        rejected=$((rejected + 1))
    else
        echo "# accepted a flip of bit $bit at byte $pos"
    fi
done
echo "RESULT name=evidence-package-1bit flips=$flips rejected=$rejected"
if [ "$flips" -eq 200 ] && [ "$rejected" -eq "$flips" ]; then
    ok "all $flips single-bit changes to the package are rejected"
else
    not_ok "all single-bit changes to the package are rejected" "$rejected of $flips"
fi
head -c $((size - 1)) pkg.txt >short.txt
run evidence verify short.txt
expect_status 1 "a truncated package is rejected"

# the log cannot be changed through SQL
for sql in "DELETE FROM proof_log" "UPDATE proof_log SET time = 'x'" \
    "UPDATE evidence SET filename = 'x'" "DELETE FROM evidence_blob" \
    "UPDATE proof_checkpoint SET size = 0" "DELETE FROM proof_key" "DELETE FROM audit_log"; do
    if sqlite3 t.db "$sql" >sql.out 2>&1; then
        not_ok "refused through sqlite3: $sql"
    else
        ok "refused through sqlite3: $sql"
    fi
done

run --db t.db verify --checkpoint cp1.txt
expect_status 0 "verify: the log is intact and matches the exported checkpoint"
expect_out "log intact" "and says so"

# more work, a newer checkpoint kept elsewhere, then the file rolled back
run --db t.db source attach "$SRC2" scan.bin
run --db t.db checkpoint export -o cp2.txt
run --db t.db verify --checkpoint cp2.txt
expect_status 0 "the newer checkpoint matches"
cp t.db t-current.db
rm -f t.db-wal t.db-shm
cp old.db t.db
[ -f old.db-wal ] && cp old.db-wal t.db-wal
run --db t.db verify
expect_status 0 "a rolled-back copy is consistent on its own"
run --db t.db verify --checkpoint cp2.txt
expect_status 1 "but verify against the newer checkpoint finds the rollback"
expect_err "rolled back" "and names it"
run --db t.db verify --checkpoint other-cp.txt
expect_status 1 "a checkpoint of another database is refused"
cp t-current.db t.db
rm -f t.db-wal t.db-shm

# a row changed behind refuge's back, with the triggers dropped
sqlite3 t.db "DROP TRIGGER evidence_no_update; UPDATE evidence SET filename = 'other.pdf' WHERE id = 1;"
run --db t.db verify --checkpoint cp2.txt
expect_status 1 "a changed custody record is detected"
expect_err "does not match custody record" "and named"
cp t-current.db t.db
sqlite3 t.db "DROP TRIGGER proof_log_no_delete; DELETE FROM proof_log WHERE idx = 2;"
run --db t.db verify --checkpoint cp2.txt
expect_status 1 "a deleted leaf is detected"
cp t-current.db t.db
sqlite3 t.db "DROP TRIGGER evidence_blob_no_update; UPDATE evidence_blob SET content = zeroblob(size) WHERE id = 1;"
run --db t.db source extract "$SRC" -o bad.bin
expect_status 1 "extract refuses a stored file whose bytes changed"
expect_err "altered" "and says why"
if [ ! -e bad.bin ]; then ok "and writes nothing"; else not_ok "and writes nothing"; fi

# a database from before migration 0005: its audit entries become the
# first leaves when it runs (0006 and 0007 run after it again, so their
# columns go too)
run --db m.db import "$EXAMPLE"
printf 'a long enough password\n' | "$REFUGE" --db m.db user add alice --role admin >/dev/null 2>&1
"$REFUGE" --db m.db token add script --role viewer >/dev/null 2>&1
sqlite3 m.db "$UNDO_0009 DROP TABLE proof_log; DROP TABLE proof_key; DROP TABLE proof_checkpoint;
    DROP TABLE evidence; DROP TABLE evidence_blob; ALTER TABLE app_user DROP COLUMN lang;
    ALTER TABLE source DROP COLUMN json; ALTER TABLE person DROP COLUMN json;
    ALTER TABLE organization DROP COLUMN json; ALTER TABLE case_file DROP COLUMN json;
    ALTER TABLE event DROP COLUMN json; ALTER TABLE risk DROP COLUMN json;
    ALTER TABLE action DROP COLUMN json; PRAGMA user_version = 4;"
run --db m.db verify
expect_status 0 "migration 0005 turns the existing audit entries into leaves that verify"
expect_out "log intact: 2 leaves (2 audit entries, 0 custody records)" "one leaf per entry"
run --db m.db source attach "$SRC" scan.bin
run --db m.db verify
expect_out "log intact: 4 leaves" "and the log goes on from there"

# the same over HTTP: upload and download
cp t-current.db h.db
"$REFUGE" --db h.db token add ev --role admin >tok.out 2>&1
TOKEN=$(grep -o 'rfg_[A-Za-z0-9_-]*' tok.out | head -1)
"$REFUGE" --db h.db serve --listen 127.0.0.1:0 --port-file port 2>server.log &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$TMP"' EXIT
for i in $(seq 1 300); do [ -s port ] && break; sleep 0.1; done
BASE="http://127.0.0.1:$(cat port)"
printf 'uploaded over HTTP\n' >up.txt
code=$(curl -s -o body -w '%{http_code}' -X POST "$BASE/api/sources/$SRC2/evidence?filename=up.txt" \
    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/plain' --data-binary @up.txt)
if [ "$code" = 201 ] && [ "$(jq -r .sha256 body)" = "$(sha256sum up.txt | cut -c1-64)" ]; then
    ok "POST /api/sources/{id}/evidence stores the body and returns its custody record"
else
    not_ok "POST /api/sources/{id}/evidence" "$code $(head -c 300 body)"
fi
code=$(curl -s -o down.txt -D hdr -w '%{http_code}' "$BASE/api/sources/$SRC2/evidence/$(sha256sum up.txt | cut -c1-64)" \
    -H "Authorization: Bearer $TOKEN")
if [ "$code" = 200 ] && cmp -s up.txt down.txt && grep -qi '^Content-Type: text/plain' hdr; then
    ok "GET /api/sources/{id}/evidence/{sha256} gives the original bytes and media type"
else
    not_ok "GET /api/sources/{id}/evidence/{sha256}" "$code $(cat hdr)"
fi
code=$(curl -s -o body -w '%{http_code}' -X POST "$BASE/api/sources/$SRC2/evidence" --data-binary @up.txt)
[ "$code" = 401 ] && ok "uploads need authentication" || not_ok "uploads need authentication" "$code"
code=$(curl -s -o body -w '%{http_code}' "$BASE/api/sources/$SRC2/evidence/nothex" -H "Authorization: Bearer $TOKEN")
[ "$code" = 400 ] && ok "a malformed SHA-256 is 400" || not_ok "a malformed SHA-256 is 400" "$code"
kill -TERM $SERVER
wait $SERVER 2>/dev/null
run --db h.db verify --checkpoint cp2.txt
expect_status 0 "the log is intact after the HTTP upload and download"

finish
