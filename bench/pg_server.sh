# pg_server.sh: sourced by the PostgreSQL benchmarks. pg_start PORT NAME
# starts a throw-away PostgreSQL 15 server on 127.0.0.1:PORT in a new
# temporary directory $DIR (as the postgres user when run as root) and
# removes it on exit. PGBIN names the server's binaries.
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_stop() {
    as_pg "$PGBIN/pg_ctl" -D "$DIR/db" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
}
pg_start() {
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/refuge-$2.XXXXXX")
    trap pg_stop EXIT
    if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; fi
    as_pg "$PGBIN/initdb" -D "$DIR/db" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1
    as_pg "$PGBIN/pg_ctl" -D "$DIR/db" -l "$DIR/server.log" -w \
        -o "-p $1 -k $DIR -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_wal_size=4GB" \
        start >/dev/null
}
