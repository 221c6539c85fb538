/*
 * db.c: opening and closing the store, connection settings, migrations,
 * transactions and the statement cache.
 *
 * Every connection runs with foreign keys on, WAL journal, synchronous=FULL
 * (acknowledged writes survive power loss), defensive mode, and temporary
 * data kept in memory. The schema is the embedded list of migrations; the
 * file is stamped with refuge's application_id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "core/embedded.h"
#include "core/xalloc.h"
#include "store/internal.h"

/* "RFGE" */
enum { REFUGE_APPLICATION_ID = 0x52464745 };

enum app_err store_fail(struct store *s, struct err *e, const char *what)
{
    int code = sqlite3_extended_errcode(s->db);
    enum app_err rc = (code & 0xff) == SQLITE_CONSTRAINT ? E_CONFLICT : E_STORAGE;
    return err_set(e, rc, "%s: %s", what, sqlite3_errmsg(s->db));
}

enum app_err store_exec(struct store *s, const char *sql, struct err *e)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        enum app_err rc = err_set(e, E_STORAGE, "database error: %s", msg ? msg : "unknown");
        sqlite3_free(msg);
        return rc;
    }
    return E_OK;
}

sqlite3_stmt *store_stmt(struct store *s, int slot, const char *sql, struct err *e)
{
    sqlite3_stmt *st = s->stmts[slot];
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return st;
    }
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        store_fail(s, e, "cannot prepare a query");
        return NULL;
    }
    s->stmts[slot] = st;
    return st;
}

static int pragma_int(struct store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        v = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    return v;
}

int store_schema_version(struct store *s)
{
    return pragma_int(s, "PRAGMA user_version");
}

/* Migration files are named NNNN_name.sql; their number is the version they
 * bring the schema to. */
static int migration_number(const char *name)
{
    int n = 0;
    for (int i = 0; i < 4; i++) {
        if (name[i] < '0' || name[i] > '9') {
            return -1;
        }
        n = n * 10 + (name[i] - '0');
    }
    return name[4] == '_' ? n : -1;
}

static enum app_err migrate(struct store *s, struct err *e)
{
    int have = store_schema_version(s);
    int app = pragma_int(s, "PRAGMA application_id");
    int latest = 0;
    for (size_t i = 0; i < refuge_sql_count; i++) {
        int n = migration_number(refuge_sql[i].name);
        latest = n > latest ? n : latest;
    }
    /* Migrations are numbered 1..N without gaps: a gap would be skipped forever
     * by databases already past it. */
    for (size_t i = 0; i < refuge_sql_count; i++) {
        if (migration_number(refuge_sql[i].name) != (int)i + 1) {
            return err_set(e, E_INTERNAL, "migration %s is out of sequence", refuge_sql[i].name);
        }
    }
    if (have > 0 && app != REFUGE_APPLICATION_ID) {
        return err_set(e, E_STORAGE, "'%s' is not a refuge database", s->path);
    }
    if (have > latest) {
        return err_set(
            e, E_STORAGE,
            "'%s' has schema version %d, newer than this refuge knows (%d): upgrade refuge",
            s->path, have, latest);
    }
    if (have == 0 && app != 0 && app != REFUGE_APPLICATION_ID) {
        return err_set(e, E_STORAGE, "'%s' is not a refuge database", s->path);
    }
    if (have == 0) {
        /* A database of another kind with tables in it is not ours to take over. */
        int tables = pragma_int(s, "SELECT count(*) FROM sqlite_schema");
        if (tables > 0) {
            return err_set(e, E_STORAGE, "'%s' is not a refuge database", s->path);
        }
    }
    for (size_t i = 0; i < refuge_sql_count; i++) {
        int n = migration_number(refuge_sql[i].name);
        if (n <= have) {
            continue;
        }
        enum app_err rc = store_begin(s, e);
        if (rc != E_OK) {
            return rc;
        }
        char stamp[96];
        snprintf(stamp, sizeof stamp, "PRAGMA application_id=%d; PRAGMA user_version=%d;",
                 REFUGE_APPLICATION_ID, n);
        rc = store_exec(s, (const char *)refuge_sql[i].data, e);
        if (rc == E_OK) {
            rc = store_exec(s, stamp, e);
        }
        if (rc == E_OK) {
            rc = store_commit(s, e);
        }
        if (rc != E_OK) {
            store_rollback(s);
            return err_set(e, E_STORAGE, "migration %s failed: %s", refuge_sql[i].name, e->msg);
        }
    }
    return E_OK;
}

enum app_err store_open(const char *path, unsigned flags, struct store **out, struct err *e)
{
    *out = NULL;
    struct stat st;
    if ((flags & STORE_MUST_EXIST) && stat(path, &st) != 0) {
        return err_set(e, E_NOT_FOUND, "no database at '%s' (import a bundle first)", path);
    }
    struct store *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    s->readonly = flags & STORE_READONLY;
    int oflags = s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    oflags |= SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    enum app_err rc = E_OK;
    if (sqlite3_open_v2(path, &s->db, oflags, NULL) != SQLITE_OK) {
        rc = err_set(e, E_STORAGE, "cannot open database '%s': %s", path,
                     s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    sqlite3_busy_timeout(s->db, 5000);
    rc = store_exec(s,
                    "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA mmap_size=0;"
                    " PRAGMA cache_size=-16384;",
                    e);
    if (rc == E_OK && !s->readonly) {
        rc = store_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", e);
    }
    if (rc != E_OK) {
        err_set(e, E_STORAGE, "cannot open database '%s': %s", path, e->msg);
        goto fail;
    }
    if (!s->readonly) {
        rc = migrate(s, e);
        if (rc != E_OK) {
            goto fail;
        }
    }
    *out = s;
    return E_OK;
fail:
    store_close(s);
    return rc;
}

void store_close(struct store *s)
{
    if (!s) {
        return;
    }
    for (int i = 0; i < STMT_SLOTS; i++) {
        sqlite3_finalize(s->stmts[i]);
    }
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

enum app_err store_begin(struct store *s, struct err *e)
{
    return store_exec(s, "BEGIN IMMEDIATE", e);
}

/* Transaction control runs on every request: cached statements spare the
 * parser. Slots STMT_MISC + 3 to + 5. */
enum { SLOT_BEGIN_READ = STMT_MISC + 3, SLOT_COMMIT, SLOT_ROLLBACK };

static bool run_cached(struct store *s, int slot, const char *sql)
{
    struct err e = ERR_INIT;
    sqlite3_stmt *st = store_stmt(s, slot, sql, &e);
    if (!st) {
        return false;
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE;
}

enum app_err store_commit(struct store *s, struct err *e)
{
    if (!run_cached(s, SLOT_COMMIT, "COMMIT")) {
        return store_fail(s, e, "cannot commit");
    }
    return E_OK;
}

bool store_read_begin(struct store *s)
{
    return sqlite3_get_autocommit(s->db) && run_cached(s, SLOT_BEGIN_READ, "BEGIN DEFERRED");
}

void store_read_end(struct store *s)
{
    if (!sqlite3_get_autocommit(s->db) && !run_cached(s, SLOT_COMMIT, "COMMIT")) {
        run_cached(s, SLOT_ROLLBACK, "ROLLBACK");
    }
}

void store_rollback(struct store *s)
{
    if (!sqlite3_get_autocommit(s->db)) {
        run_cached(s, SLOT_ROLLBACK, "ROLLBACK");
    }
}
