#!/bin/sh
# web.sh [REFUGE]: the weight of the web interface's first page as served by
# `refuge serve`: the shell, then every file it loads (the stylesheet and the
# JavaScript modules, followed through their static imports), in bytes as
# sent and gzip -9 for comparison (refuge itself does not compress).
set -eu
REFUGE=${REFUGE:-${1:-build/refuge}}
TMP=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT
REFUGE_DB="$TMP/w.db" "$REFUGE" import examples/kazakhstan-2019.json >/dev/null
REFUGE_DB="$TMP/w.db" "$REFUGE" serve --listen 127.0.0.1:0 --port-file "$TMP/port" 2>/dev/null &
PID=$!
for _ in $(seq 1 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
BASE="http://127.0.0.1:$(cat "$TMP/port")"
queue="/"
seen=""
total=0
gz=0
while [ -n "$queue" ]; do
    set -- $queue
    url=$1
    shift
    queue="$*"
    case " $seen " in *" $url "*) continue ;; esac
    seen="$seen $url"
    curl -sf "$BASE$url" -o "$TMP/f"
    n=$(wc -c <"$TMP/f")
    g=$(gzip -9c "$TMP/f" | wc -c)
    total=$((total + n))
    gz=$((gz + g))
    printf '%-16s %7d bytes  %6d gzip\n' "$url" "$n" "$g"
    dir=${url%/*}
    for ref in $(grep -oE '(href|src)="[^"#:]+\.(css|js)"' "$TMP/f" | sed 's/.*="//; s/"$//') \
        $(grep -oE "from '\./[^']+'" "$TMP/f" | sed "s/from '\.\///; s/'$//"); do
        case $ref in /*) queue="$queue $ref" ;; *) queue="$queue $dir/$ref" ;; esac
    done
done
printf '%-16s %7d bytes  %6d gzip\n' total "$total" "$gz"
