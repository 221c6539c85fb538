// bench/dedup_duckdb.js OUT THRESHOLD CAP: the DuckDB side of bench/dedup.sh
// and the precision/recall of both systems (see bench/README.md, "Duplicates").
//
// Reads, from OUT: dedup-truth.tsv (id, name, identity, twin of), dedup-keys.csv
// (key id, person, the stored readings: lines "label\tabjad\ttext\ttokens"
// joined by "|") and dedup-blocks.csv (block, key id, side: the blocks refuge's
// dedup compares within, of 2..CAP keys, written by `search_bench blocks`
// with refuge's own code; in a block of dropped letters two keys are compared
// only when their sides or'ed make 3), and dedup-refuge.json
// (refuge dedup --json). DuckDB (@duckdb/node-api, installed into
// OUT/node_modules) joins the keys on their block codes and scores each
// candidate pair of keys with jaro_winkler_similarity over the readings'
// canonical tokens (sorted, so word order does not count), keeping person
// pairs at THRESHOLD or more. Prints the timings and, for both systems,
// precision and recall on the planted pairs.
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const { createRequire } = require('module');

const [out, thresholdArg, capArg] = process.argv.slice(2);
if (!out || !thresholdArg || !capArg) {
    console.error('usage: dedup_duckdb.js OUT THRESHOLD CAP');
    process.exit(2);
}
const threshold = Number(thresholdArg);
const cap = Number(capArg);
const req = createRequire(path.resolve(out) + '/');
const duck = req('@duckdb/node-api');

// Identities and planted pairs.
const ident = new Map();
const reading = new Map();
const planted = [];
for (const line of fs.readFileSync(path.join(out, 'dedup-truth.tsv'), 'utf8').split('\n')) {
    if (!line) continue;
    const f = line.split('\t');
    ident.set(f[0], f[2]);
    reading.set(f[0], f[4] || f[2]);
    if (f[3] !== '-') planted.push([f[3], f[0]]);
}
const esc = (p) => path.resolve(p).replace(/'/g, "''");
const pairKey = (a, b) => (a < b ? a + '\x1f' + b : b + '\x1f' + a);

async function quality(listed) {
    // A pair is right when both persons have the same generated identity
    // (the planted twin or a namesake) or, for Chinese, the same pinyin
    // (homophone characters): the names alone cannot tell them apart.
    // strict: the same generated identity only. Recall counts the planted
    // pairs found. listed yields every listed pair [a, b].
    const plantedSet = new Set(planted.map(([a, b]) => pairKey(a, b)));
    const found = new Set();
    let pairs = 0;
    let right = 0;
    let strict = 0;
    let namesakes = 0;
    for await (const [a, b] of listed) {
        pairs++;
        const k = pairKey(a, b);
        const isPlanted = plantedSet.has(k);
        if (isPlanted) found.add(k);
        if (ident.get(a) === ident.get(b)) strict++;
        if (ident.get(a) === ident.get(b) || reading.get(a) === reading.get(b)) {
            right++;
            if (!isPlanted) namesakes++;
        }
    }
    return {
        pairs,
        precision: pairs ? right / pairs : 1,
        strict: pairs ? strict / pairs : 1,
        recall: plantedSet.size ? found.size / plantedSet.size : 1,
        namesakes,
        plantedFound: found.size,
        planted: plantedSet.size,
    };
}

// refuge's output, one pair per line (tens of millions of pairs at a
// million persons: more than Node holds in one string, or wants to hold at
// all), read and counted line by line.
async function* refugePairs(file) {
    const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
    for await (const line of rl) {
        const t = line.trim().replace(/,$/, '');
        if (t.startsWith('{')) {
            const p = JSON.parse(t);
            yield [p.a, p.b];
        }
    }
}

function show(name, q) {
    console.log(
        `${name.padEnd(8)} pairs ${q.pairs}  precision ${q.precision.toFixed(3)}` +
            ` (strict ${q.strict.toFixed(3)})  recall ${q.recall.toFixed(3)}` +
            ` (${q.plantedFound} of ${q.planted} planted;` +
            ` ${q.namesakes} namesake pairs counted right)`
    );
}

// DuckDB's pairs, counted in DuckDB against the truth file (untimed).
async function duckQuality(con) {
    await con.run(`
        CREATE TABLE truth AS SELECT * FROM read_csv('${esc(path.join(out, 'dedup-truth.tsv'))}',
            header = false, delim = '\t', quote = '', escape = '',
            columns = {'id': 'VARCHAR', 'name': 'VARCHAR', 'ident': 'VARCHAR',
                       'twin': 'VARCHAR', 'seen': 'VARCHAR'});`);
    const [[pairs, right, strict, namesakes, found]] = (
        await con.runAndReadAll(`
        WITH p AS (
            SELECT d.a, d.b, ta.ident = tb.ident AS same,
                   ta.ident = tb.ident OR coalesce(ta.seen, ta.ident) = coalesce(tb.seen, tb.ident)
                       AS ok,
                   (tb.twin = d.a OR ta.twin = d.b) AS planted
            FROM dpairs d JOIN truth ta ON ta.id = d.a JOIN truth tb ON tb.id = d.b)
        SELECT count(*), count(*) FILTER (WHERE ok), count(*) FILTER (WHERE same),
               count(*) FILTER (WHERE ok AND NOT planted), count(*) FILTER (WHERE planted)
        FROM p`)
    ).getRows();
    const n = Number(pairs);
    return {
        pairs: n,
        precision: n ? Number(right) / n : 1,
        strict: n ? Number(strict) / n : 1,
        recall: planted.length ? Number(found) / planted.length : 1,
        namesakes: Number(namesakes),
        plantedFound: Number(found),
        planted: planted.length,
    };
}

async function main() {
    // refuge's pairs are counted after DuckDB's query (reading them takes
    // minutes at a million: not within bench/dedup.sh's DEDUP_DUCKDB_TIMEOUT).
    const refugeQuality = () => quality(refugePairs(path.join(out, 'dedup-refuge.json')));
    if (process.env.DEDUP_QUALITY_ONLY) {
        show('refuge', await refugeQuality()); // DuckDB's step was stopped: refuge's alone
        return;
    }

    // DEDUP_DUCKDB_MEMORY (for instance 6GB) bounds DuckDB's memory; it then
    // spills to a temporary directory where it can.
    const opts = { threads: '2' };
    if (process.env.DEDUP_DUCKDB_MEMORY) {
        opts.memory_limit = process.env.DEDUP_DUCKDB_MEMORY;
        opts.temp_directory = path.join(out, 'duckdb.tmp');
    }
    // DEDUP_DUCKDB_DISK (for instance 40GB) bounds what it spills: past it the
    // query fails instead of filling the disk (a million: 59 GB in 5 minutes).
    if (process.env.DEDUP_DUCKDB_DISK) {
        opts.max_temp_directory_size = process.env.DEDUP_DUCKDB_DISK;
    }
    const inst = await duck.DuckDBInstance.create(':memory:', opts);
    const con = await inst.connect();
    let t0 = performance.now();
    await con.run(`
        CREATE TABLE keys AS SELECT * FROM read_csv('${esc(path.join(out, 'dedup-keys.csv'))}',
            header = false, columns = {'kid': 'BIGINT', 'person': 'VARCHAR', 'key': 'VARCHAR'},
            quote = '"', escape = '"');
        CREATE TABLE blocks AS SELECT * FROM read_csv('${esc(path.join(out, 'dedup-blocks.csv'))}',
            header = false, columns = {'code': 'VARCHAR', 'kid': 'BIGINT', 'side': 'INTEGER'});
        -- One row per reading: its canonical tokens, sorted and joined.
        CREATE TABLE readings AS
            SELECT kid, person, array_to_string(list_sort(list_transform(
                       string_split(split_part(r, chr(9), 4), ' '),
                       t -> split_part(t, ',', 1))), ' ') AS toks
            FROM (SELECT kid, person, unnest(string_split(key, '|')[2:]) AS r FROM keys)
            WHERE r <> '';`);
    const tLoad = performance.now() - t0;
    console.log(`duckdb   load ${(tLoad / 1e3).toFixed(2)} s (CSV, readings; not counted)`);
    // When the query started (bench/dedup.sh reports how long it ran if stopped).
    fs.writeFileSync(path.join(out, 'dedup-duckdb-started.txt'), `${Math.floor(Date.now() / 1e3)}\n`);
    const [[nBlocksRows]] = (await con.runAndReadAll('SELECT count(*) FROM blocks')).getRows();
    t0 = performance.now();
    // The pairs are kept in a DuckDB table (not handed to JavaScript: tens
    // of millions of rows at a million persons), then counted below.
    await con.run(`
        CREATE TABLE dpairs AS
        WITH cand AS (
            SELECT DISTINCT x.kid AS a, y.kid AS b
            FROM blocks x JOIN blocks y ON x.code = y.code AND x.kid < y.kid
                AND (x.side = 0 OR (x.side | y.side) = 3)),
        scored AS (
            SELECT ra.person AS pa, rb.person AS pb,
                   jaro_winkler_similarity(ra.toks, rb.toks) AS s
            FROM cand JOIN readings ra ON ra.kid = cand.a JOIN readings rb ON rb.kid = cand.b
            WHERE ra.person <> rb.person)
        SELECT least(pa, pb) AS a, greatest(pa, pb) AS b, max(s) AS score
        FROM scored GROUP BY 1, 2 HAVING max(s) >= ${threshold}
        ORDER BY score DESC, a, b`);
    const tQuery = performance.now() - t0;
    const dq = await duckQuality(con);
    const rq = await refugeQuality();
    console.log(`duckdb   ${nBlocksRows} block rows (blocks of 2..${cap} keys)`);
    console.log(`duckdb   blocking + Jaro-Winkler query ${(tQuery / 1e3).toFixed(2)} s wall`);
    show('refuge', rq);
    show('duckdb', dq);
    fs.writeFileSync(path.join(out, 'dedup-duckdb-seconds.txt'), (tQuery / 1e3).toFixed(3) + '\n');
}

main().catch((err) => {
    console.error('dedup_duckdb.js:', err.message || err);
    process.exit(1);
});
