# shared_store.sh: the server and command-line processes working on one
# store at the same time lose nothing. Each write through the server (a
# write is audited) is seen by a CLI process run next, and is
# still there after the server stops. Regression: opening a store once read
# the file's header with fopen()/fclose(), and closing any descriptor of a
# database file drops every POSIX lock the process holds on it; a CLI
# process could then checkpoint and delete the server's WAL under it.
. "$(dirname "$0")/lib.sh"

need curl jq

for mode in encrypted plaintext; do
    export REFUGE_DB="$TMP/$mode.db"
    [ "$mode" = plaintext ] && "$REFUGE" init --plaintext >/dev/null 2>&1
    "$REFUGE" import "$EXAMPLE" >/dev/null 2>&1 || { echo "Bail out! cannot import"; exit 1; }
    TOKEN=$(admin_token "script-$mode")
    rm -f port
    # several worker threads, so that connections open while others hold locks
    "$REFUGE" serve --listen 127.0.0.1:0 --port-file port --threads 4 2>"server-$mode.log" &
    SERVER=$!
    for i in $(seq 1 300); do [ -s port ] && break; sleep 0.1; done
    BASE="http://127.0.0.1:$(cat port)"
    base=$("$REFUGE" audit --json | jq length)
    seen_all=yes
    for i in 1 2 3 4 5 6 7 8; do
        # parallel writes reach different worker threads (and connections)
        pids=""
        for j in 1 2 3; do
            curl -s -o /dev/null -X POST "$BASE/api/sources" -H "Authorization: Bearer $TOKEN" \
                -H 'Content-Type: application/json' --data "{\"id\": \"s-$i-$j\", \"title\": \"t\"}" &
            pids="$pids $!"
        done
        wait_for=$((base + 3 * i))
        # shellcheck disable=SC2086
        wait $pids
        n=$("$REFUGE" audit --json | jq length)
        if [ "$n" -ne "$wait_for" ]; then
            seen_all=no
            echo "# $mode: after $((3 * i)) writes the CLI sees $n audit entries, not $wait_for"
        fi
    done
    [ "$seen_all" = yes ] && ok "$mode: a CLI process sees every write the server acknowledged" ||
        not_ok "$mode: a CLI process sees every write the server acknowledged"
    kill -TERM $SERVER
    wait $SERVER 2>/dev/null
    n=$("$REFUGE" audit --json | jq length)
    [ "$n" -eq $((base + 24)) ] && ok "$mode: after the server stops, all $n entries are there" ||
        not_ok "$mode: after the server stops, every entry is there" "$n of $((base + 24))"
    run audit verify
    expect_status 0 "$mode: the audit chain verifies"
done

finish
