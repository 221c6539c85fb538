/*
 * test_evidence.c: evidence custody and the tamper-evident log over a real
 * database: attach and extract, audit entries as leaves, checkpoints and
 * their order, the append-only triggers, and the mutation property test:
 * random changes or deletions of log, audit, custody and file rows, made
 * behind refuge's back with the triggers dropped, must every one be found
 * by `verify` against the last exported checkpoint (REFUGE_MUTATIONS
 * trials, 10,000 by default).
 */
/* cmocka.h needs the headers before it. */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>
/* clang-format on */

#include "service/auth.h"
#include "service/evidence.h"
#include "store/store.h"

static int64_t fake_now = 1790000000;

static int64_t fake_clock(void)
{
    return fake_now++;
}

struct fixture {
    char path[64];
    struct store *s;
    struct buf checkpoint; /* the last one exported */
};

static void put_source(struct store *s, const char *id)
{
    struct source src = {.id = id, .title = "A report"};
    enum store_put_result r;
    struct err e = ERR_INIT;
    assert_int_equal(store_put(s, OBJ_SOURCE, &src, &r, &e), E_OK);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    /* in memory-backed /dev/shm when there is one: the test commits 20,000 times */
    snprintf(f->path, sizeof f->path, "%s/refuge-evidence-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    int fd = mkstemp(f->path);
    if (fd < 0) {
        return -1;
    }
    close(fd);
    unlink(f->path);
    struct err e = ERR_INIT;
    if (store_open(f->path, 0, &f->s, &e) != E_OK) {
        fprintf(stderr, "%s\n", e.msg);
        return -1;
    }
    auth_set_clock(fake_clock);
    buf_init(&f->checkpoint);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->s);
    char p[80];
    unlink(f->path);
    snprintf(p, sizeof p, "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", f->path);
    unlink(p);
    buf_release(&f->checkpoint);
    auth_set_clock(NULL);
    free(f);
    return 0;
}

static void verify_ok(struct fixture *f, const char *cp, size_t cp_len)
{
    struct ledger_report r;
    ledger_report_init(&r);
    struct err e = ERR_INIT;
    assert_int_equal(ledger_verify(f->s, cp, cp_len, &r, &e), E_OK);
    if (r.problems) {
        fail_msg("verify: %s", r.text.data);
    }
    ledger_report_release(&r);
}

static int verify_problems(struct fixture *f)
{
    struct ledger_report r;
    ledger_report_init(&r);
    struct err e = ERR_INIT;
    assert_int_equal(ledger_verify(f->s, f->checkpoint.data, f->checkpoint.len, &r, &e), E_OK);
    int n = r.problems;
    ledger_report_release(&r);
    return n;
}

/* A log of audit entries and custody records with checkpoints between. */
static void build_log(struct fixture *f)
{
    struct principal me = auth_local_principal();
    struct err e = ERR_INIT;
    put_source(f->s, "src-a");
    put_source(f->s, "src-b");
    struct buf note = BUF_INIT;
    struct checkpoint cp;
    for (int i = 0; i < 12; i++) {
        char detail[32], data[64];
        snprintf(detail, sizeof detail, "step %d", i);
        assert_int_equal(
            audit_record(f->s, &me, "127.0.0.1", "test.step", "case", "c1", detail, &e), E_OK);
        snprintf(data, sizeof data, "evidence file number %d\n", i);
        struct evidence_info info;
        assert_int_equal(evidence_attach(f->s, &me, i % 2 ? "src-a" : "src-b", "/x/scan.pdf",
                                         "application/pdf", data, strlen(data) + (size_t)i, &info,
                                         &e),
                         E_OK);
        if (i % 4 == 3) {
            buf_reset(&note);
            assert_int_equal(ledger_checkpoint(f->s, &note, &cp, &e), E_OK);
        }
    }
    buf_reset(&f->checkpoint);
    assert_int_equal(ledger_checkpoint(f->s, &f->checkpoint, &cp, &e), E_OK);
    buf_release(&note);
    verify_ok(f, f->checkpoint.data, f->checkpoint.len);
}

static void attach_extract(void **state)
{
    struct fixture *f = *state;
    struct principal me = auth_local_principal();
    struct err e = ERR_INIT;
    put_source(f->s, "src-a");
    unsigned char bytes[3000];
    randombytes_buf(bytes, sizeof bytes);
    struct evidence_info info, again;
    assert_int_equal(evidence_attach(f->s, &me, "src-a", "dir/Заявление\x01.pdf", NULL, bytes,
                                     sizeof bytes, &info, &e),
                     E_OK);
    assert_string_equal(info.c.filename, "Заявление?.pdf");
    assert_string_equal(info.c.media_type, "application/octet-stream");
    /* the same file again is refused, nothing is written */
    assert_int_equal(
        evidence_attach(f->s, &me, "src-a", "b.pdf", NULL, bytes, sizeof bytes, &again, &e),
        E_CONFLICT);
    assert_int_equal(
        evidence_attach(f->s, &me, "nope", "b.pdf", NULL, bytes, sizeof bytes, &again, &e),
        E_NOT_FOUND);
    assert_int_equal(evidence_attach(f->s, &me, "src-a", "b.pdf", "text", bytes, 10, &again, &e),
                     E_INVALID);
    struct buf out = BUF_INIT;
    assert_int_equal(evidence_extract(f->s, &me, "src-a", NULL, &out, &again, &e), E_OK);
    assert_int_equal(out.len, sizeof bytes);
    assert_memory_equal(out.data, bytes, sizeof bytes);
    assert_int_equal(evidence_extract(f->s, &me, "src-a", info.c.sha256, &out, &again, &e), E_OK);
    char upper[65];
    snprintf(upper, sizeof upper, "%s", info.c.sha256);
    upper[0] = upper[0] == '0' ? '1' : '0';
    assert_int_equal(evidence_extract(f->s, &me, "src-a", upper, &out, &again, &e), E_NOT_FOUND);
    assert_int_equal(evidence_extract(f->s, &me, "src-a", "xyz", &out, &again, &e), E_INVALID);
    /* the export verifies with the database's key */
    struct buf pkg = BUF_INIT;
    assert_int_equal(evidence_export(f->s, &me, "src-a", NULL, &pkg, &again, &e), E_OK);
    struct evidence_pkg p;
    assert_int_equal(evidence_pkg_parse(pkg.data, pkg.len, &p, &e), E_OK);
    struct note_key k;
    assert_int_equal(ledger_public_key(f->s, &k, &e), E_OK);
    assert_int_equal(evidence_pkg_verify(&p, &k, NULL, NULL, &e), E_OK);
    evidence_pkg_release(&p);
    verify_ok(f, NULL, 0);
    buf_release(&pkg);
    buf_release(&out);
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fail_msg("%s: %s", sql, msg);
    }
}

static void append_only(void **state)
{
    struct fixture *f = *state;
    build_log(f);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    static const char *const refused[] = {
        "UPDATE proof_log SET time = 'x' WHERE idx = 0",
        "DELETE FROM proof_log WHERE idx = (SELECT max(idx) FROM proof_log)",
        "INSERT INTO proof_log (idx, time, kind, ref, leaf) VALUES (0, 't', 'audit', 1, x'00')",
        "INSERT INTO proof_log (idx, time, kind, ref, leaf) VALUES (999, 't', 'audit', 1, x'00')",
        "UPDATE proof_checkpoint SET size = 1",
        "DELETE FROM proof_checkpoint",
        "INSERT INTO proof_checkpoint (size, root, time, note) VALUES (1, zeroblob(32), 't', 'n')",
        "INSERT INTO proof_checkpoint (size, root, time, note) VALUES (9999, zeroblob(32), 't', 'n')",
        "UPDATE proof_key SET name = 'x'",
        "DELETE FROM proof_key",
        "UPDATE evidence SET filename = 'x'",
        "DELETE FROM evidence",
        "UPDATE evidence_blob SET content = x'00', size = 1",
        "DELETE FROM evidence_blob",
        "UPDATE audit_log SET detail = 'x'",
        "DELETE FROM audit_log",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        if (sqlite3_exec(db, refused[i], NULL, NULL, NULL) == SQLITE_OK) {
            fail_msg("not refused: %s", refused[i]);
        }
    }
    sqlite3_close(db);
    verify_ok(f, f->checkpoint.data, f->checkpoint.len);
}

/* ---- the mutation property test ---- */

static int64_t scalar(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static uint32_t pick(uint32_t n)
{
    return randombytes_uniform(n);
}

struct target {
    const char *table;
    const char *key; /* its rowid column */
};

static const struct target targets[] = {
    {"proof_log", "idx"},    {"audit_log", "seq"}, {"evidence", "id"},
    {"evidence_blob", "id"}, {"audit_head", "id"},
};

/* Changes one bit of a blob or text column of a row through a bound
 * parameter (the value read, one bit flipped, written back). */
static void flip_column(sqlite3 *db, const char *table, const char *key, int64_t row,
                        const char *col)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT %s FROM %s WHERE %s = %lld", col, table, key, (long long)row);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    bool text = sqlite3_column_type(st, 0) == SQLITE_TEXT;
    int n = sqlite3_column_bytes(st, 0);
    unsigned char *v = malloc((size_t)n + 1);
    memcpy(v, sqlite3_column_blob(st, 0), (size_t)n);
    sqlite3_finalize(st);
    assert_true(n > 0);
    /* text stays valid text: flip a low bit of an ASCII letter or digit */
    int at;
    unsigned char bit;
    do {
        at = (int)pick((uint32_t)n);
        bit = (unsigned char)(1u << pick(text ? 1 : 8));
    } while (text && !((v[at] >= 'a' && v[at] <= 'z') || (v[at] >= '0' && v[at] <= '9') ||
                       (v[at] >= 'A' && v[at] <= 'Z')));
    v[at] ^= bit;
    snprintf(sql, sizeof sql, "UPDATE %s SET %s = ?1 WHERE %s = %lld", table, col, key,
             (long long)row);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (text) {
        sqlite3_bind_text(st, 1, (const char *)v, n, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_blob(st, 1, v, n, SQLITE_TRANSIENT);
    }
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    }
    free(v);
}

/* One random mutation of a row the checkpoint covers; says what it did and
 * returns the table it changed (an index into targets). */
static size_t mutate(sqlite3 *db, char *what, size_t what_len)
{
    static const char *const cols[][6] = {
        {"leaf", "time", NULL},
        {"time", "user_name", "action", "detail", "hash", NULL},
        {"source_id", "sha256", "media_type", "filename", "added_by", "added"},
        {"content", "blake2b", "sha256", NULL},
        {"hash", NULL},
    };
    size_t t = pick(5);
    const struct target *tg = &targets[t];
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT max(%s) FROM %s", tg->key, tg->table);
    int64_t max = scalar(db, sql);
    snprintf(sql, sizeof sql, "SELECT min(%s) FROM %s", tg->key, tg->table);
    int64_t min = scalar(db, sql);
    int64_t row = min + (int64_t)pick((uint32_t)(max - min + 1));
    uint32_t how = pick(10);
    if (t == 4) {
        how = 9; /* the audit head can only be changed */
    }
    if (how < 2) {
        snprintf(what, what_len, "delete %s row %lld", tg->table, (long long)row);
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE %s = %lld", tg->table, tg->key,
                 (long long)row);
        exec_ok(db, sql);
    } else if (how == 2) {
        snprintf(what, what_len, "delete %s rows from %lld on", tg->table, (long long)row);
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE %s >= %lld", tg->table, tg->key,
                 (long long)row);
        exec_ok(db, sql);
    } else if (how == 3 && t == 0) {
        snprintf(what, what_len, "point proof_log row %lld elsewhere", (long long)row);
        snprintf(sql, sizeof sql, "UPDATE proof_log SET ref = ref + 1 WHERE idx = %lld",
                 (long long)row);
        exec_ok(db, sql);
    } else if (how == 5 && t == 0) {
        snprintf(what, what_len, "change the kind of proof_log row %lld", (long long)row);
        snprintf(sql, sizeof sql,
                 "UPDATE proof_log SET kind = CASE kind WHEN 'audit' THEN 'custody' ELSE 'audit'"
                 " END WHERE idx = %lld",
                 (long long)row);
        exec_ok(db, sql);
    } else if (how == 4 && t == 0 && max > min) {
        int64_t other = row == max ? min : row + 1;
        snprintf(what, what_len, "swap proof_log rows %lld and %lld", (long long)row,
                 (long long)other);
        snprintf(sql, sizeof sql,
                 "UPDATE proof_log SET idx = 1000000 WHERE idx = %lld;"
                 "UPDATE proof_log SET idx = %lld WHERE idx = %lld;"
                 "UPDATE proof_log SET idx = %lld WHERE idx = 1000000;",
                 (long long)row, (long long)row, (long long)other, (long long)other);
        exec_ok(db, sql);
    } else {
        size_t nc = 0;
        while (nc < 6 && cols[t][nc]) {
            nc++;
        }
        const char *col = cols[t][pick((uint32_t)nc)];
        snprintf(what, what_len, "flip a bit of %s.%s in row %lld", tg->table, col, (long long)row);
        flip_column(db, tg->table, tg->key, row, col);
    }
    return t;
}

static void mutations(void **state)
{
    struct fixture *f = *state;
    build_log(f);
    const char *env = getenv("REFUGE_MUTATIONS");
    long trials = env ? strtol(env, NULL, 10) : 10000;
    if (trials <= 0) {
        trials = 10000;
    }
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    /* what an attacker with the file does first */
    exec_ok(db, "PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF;");
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'trigger'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    struct buf drops = BUF_INIT;
    while (sqlite3_step(st) == SQLITE_ROW) {
        buf_addf(&drops, "DROP TRIGGER %s;", sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    exec_ok(db, drops.data);
    buf_release(&drops);
    /* a snapshot of every protected table, to put back after each trial */
    exec_ok(db, "CREATE TABLE keep_log AS SELECT * FROM proof_log;"
                "CREATE TABLE keep_audit AS SELECT * FROM audit_log;"
                "CREATE TABLE keep_head AS SELECT * FROM audit_head;"
                "CREATE TABLE keep_ev AS SELECT * FROM evidence;"
                "CREATE TABLE keep_blob AS SELECT * FROM evidence_blob;");
    /* puts back the table a trial changed, indexed like targets */
    static const char *const put_back[] = {
        "DELETE FROM proof_log; INSERT INTO proof_log SELECT * FROM keep_log;",
        "DELETE FROM audit_log; INSERT INTO audit_log SELECT * FROM keep_audit;",
        "DELETE FROM evidence; INSERT INTO evidence SELECT * FROM keep_ev;",
        "DELETE FROM evidence_blob; INSERT INTO evidence_blob SELECT * FROM keep_blob;",
        "DELETE FROM audit_head; INSERT INTO audit_head SELECT * FROM keep_head;",
    };
    long detected = 0;
    char what[160];
    for (long i = 0; i < trials; i++) {
        exec_ok(db, "BEGIN");
        size_t t = mutate(db, what, sizeof what);
        exec_ok(db, "COMMIT");
        if (verify_problems(f) > 0) {
            detected++;
        } else {
            fprintf(stderr, "NOT DETECTED: %s\n", what);
        }
        exec_ok(db, "BEGIN");
        exec_ok(db, put_back[t]);
        exec_ok(db, "COMMIT");
        if (i % 1000 == 999) {
            /* the baseline is intact again, so every trial starts clean */
            assert_int_equal(verify_problems(f), 0);
        }
    }
    sqlite3_close(db);
    printf("RESULT name=log-mutations trials=%ld detected=%ld rate=%.2f%%\n", trials, detected,
           100.0 * (double)detected / (double)trials);
    assert_int_equal(detected, trials);
}

int main(void)
{
    if (sodium_init() < 0) {
        return 1;
    }
    store_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(attach_extract, setup, teardown),
        cmocka_unit_test_setup_teardown(append_only, setup, teardown),
        cmocka_unit_test_setup_teardown(mutations, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
