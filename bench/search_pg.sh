#!/bin/sh
# bench/search_pg.sh PERSONS_TSV QUERIES_TSV: the same person search in
# PostgreSQL with pg_trgm, for comparison with refuge's name keys
# (bench/search.sh), ranked two ways on the same data:
#
#   gin:  a GIN trigram index, candidates by `name % query` (similarity at
#         least pg_trgm.similarity_threshold, 0.3), ranked by
#         similarity(name, query), best ten;
#   gist: a GiST trigram index, nearest ten by trigram distance
#         (`ORDER BY name <-> query`).
#
# Starts a throw-away server on 127.0.0.1:55432 in a temporary directory
# (as the postgres user when run as root), loads the files, runs every
# query inside the server (so client round trips are not timed), prints
# recall@1, recall@10 and latency per method, and removes the server.
# A result counts when it is the planted person or has the same identity
# (the identity without the patronymic when the query was written without
# one), as in bench/search_bench.c. BENCH_PG_GIST=0 leaves the GiST method
# out (it is the slower one at a million names).
set -eu
PERSONS=$(realpath "$1")
QUERIES=$(realpath "$2")
PORT=${BENCH_PG_PORT:-55432}
GIST=on
if [ "${BENCH_PG_GIST:-1}" = 0 ]; then GIST=off; fi
. "$(dirname "$0")/pg_server.sh"
pg_start "$PORT" pg
chmod a+r "$PERSONS" "$QUERIES"
psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 <<SQL
CREATE EXTENSION pg_trgm;
CREATE EXTENSION fuzzystrmatch;
CREATE TABLE person (id text PRIMARY KEY, name text NOT NULL, ident text NOT NULL,
                     ident2 text NOT NULL);
\copy person FROM '$PERSONS'
CREATE TABLE query (n serial, q text, target text, ident text, ident2 text, use_third int);
\copy query (q, target, ident, ident2, use_third) FROM '$QUERIES'
\echo index build times:
\timing on
CREATE INDEX person_name_gin ON person USING gin (name gin_trgm_ops);
SET refuge.gist = '$GIST';
DO \$\$ BEGIN
    IF current_setting('refuge.gist') = 'on' THEN
        CREATE INDEX person_name_gist ON person USING gist (name gist_trgm_ops);
    END IF;
END \$\$;
\timing off
ANALYZE person;
CREATE TEMP TABLE result (method text, n int, ms float8, rank int);
DO \$\$
DECLARE
    r record;
    t0 timestamptz;
    rk int;
BEGIN
    FOR r IN SELECT * FROM query ORDER BY n LOOP
        t0 := clock_timestamp();
        SELECT min(x.rn) INTO rk FROM (
            SELECT p.ident, p.ident2, row_number() OVER () AS rn
            FROM (SELECT ident, ident2 FROM person WHERE name % r.q
                  ORDER BY similarity(name, r.q) DESC LIMIT 10) p) x
        WHERE CASE WHEN r.use_third = 1 THEN x.ident = r.ident ELSE x.ident2 = r.ident2 END;
        INSERT INTO result VALUES ('gin similarity', r.n,
                                   extract(epoch FROM clock_timestamp() - t0) * 1000, rk);
        CONTINUE WHEN current_setting('refuge.gist') <> 'on';
        t0 := clock_timestamp();
        SELECT min(x.rn) INTO rk FROM (
            SELECT p.ident, p.ident2, row_number() OVER () AS rn
            FROM (SELECT ident, ident2 FROM person ORDER BY name <-> r.q LIMIT 10) p) x
        WHERE CASE WHEN r.use_third = 1 THEN x.ident = r.ident ELSE x.ident2 = r.ident2 END;
        INSERT INTO result VALUES ('gist distance', r.n,
                                   extract(epoch FROM clock_timestamp() - t0) * 1000, rk);
    END LOOP;
END
\$\$;
SELECT method, count(*) AS queries,
       round((count(*) FILTER (WHERE rank = 1))::numeric / count(*), 3) AS recall_at_1,
       round(count(rank)::numeric / count(*), 3) AS recall_at_10,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 2) AS p50_ms,
       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 2) AS p95_ms,
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 2) AS p99_ms
FROM result GROUP BY method ORDER BY method;
SQL
