#!/bin/sh
# bench/text_pg.sh DOCS_TSV QUERIES_TSV: the full-text benchmark's
# PostgreSQL side (bench/text.sh): a tsvector column ('simple'
# configuration, the title weighted A and the body B) with a GIN index, and
# every query (all words required, plainto_tsquery) ranked by ts_rank, top
# 10. Starts a throw-away server on 127.0.0.1:55433 in a temporary
# directory (as the postgres user when run as root), times each query inside
# the server (no client round trip), prints p50/p95 per class and removes
# the server.
set -eu
DOCS=$(realpath "$1")
QUERIES=$(realpath "$2")
PORT=${BENCH_PG_PORT:-55433}
. "$(dirname "$0")/pg_server.sh"
pg_start "$PORT" pgtext
chmod a+r "$DOCS" "$QUERIES"
psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 <<SQL
CREATE TABLE doc (id text PRIMARY KEY, title text NOT NULL, body text NOT NULL);
\copy doc FROM '$DOCS'
CREATE TABLE query (n serial, class text, q text);
\copy query (class, q) FROM '$QUERIES'
\echo index build:
\timing on
ALTER TABLE doc ADD COLUMN tsv tsvector GENERATED ALWAYS AS
    (setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'B')) STORED;
CREATE INDEX doc_tsv ON doc USING gin (tsv);
\timing off
ANALYZE doc;
CREATE TEMP TABLE result (class text, ms float8, hits int);
DO \$\$
DECLARE
    r record;
    t0 timestamptz;
    k int;
BEGIN
    FOR r IN SELECT * FROM query ORDER BY n LOOP
        t0 := clock_timestamp();
        SELECT count(*) INTO k FROM (
            SELECT id FROM doc, plainto_tsquery('simple', r.q) tq WHERE tsv @@ tq
            ORDER BY ts_rank(tsv, tq) DESC LIMIT 10) top;
        INSERT INTO result VALUES (r.class, extract(epoch FROM clock_timestamp() - t0) * 1000, k);
    END LOOP;
END
\$\$;
SELECT class, count(*) AS queries,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 2) AS p50_ms,
       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 2) AS p95_ms,
       min(hits) AS min_hits
FROM result GROUP BY class ORDER BY class;
SQL
