/*
 * db.c: opening and closing the store, connection settings, migrations,
 * transactions and the statement cache.
 *
 * Every connection runs with foreign keys on, WAL journal, synchronous=FULL
 * (acknowledged writes survive power loss), defensive mode, and temporary
 * data kept in memory. The schema is the embedded list of migrations; the
 * file is stamped with refuge's application_id.
 *
 * An encrypted store opens through the encrypting VFS (vfs_crypt.c) with
 * its key; a new one gets page size 4096 and the 40-byte page reserve before
 * anything is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/embedded.h"
#include "core/xalloc.h"
#include "store/internal.h"
#include "store/vfs_crypt.h"

/* "RFGE" */
enum { REFUGE_APPLICATION_ID = 0x52464745 };

enum app_err store_fail(struct store *s, struct err *e, const char *what)
{
    int code = sqlite3_extended_errcode(s->db);
    s->oom |= code == SQLITE_NOMEM;
    enum app_err rc = (code & 0xff) == SQLITE_CONSTRAINT ? E_CONFLICT : E_STORAGE;
    s->failures += rc == E_STORAGE;
    return err_set(e, rc, "%s: %s", what, sqlite3_errmsg(s->db));
}

enum app_err store_exec(struct store *s, const char *sql, struct err *e)
{
    char *msg = NULL;
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        s->oom |= rc == SQLITE_NOMEM || sqlite3_errcode(s->db) == SQLITE_NOMEM;
        s->failures++;
        enum app_err out = err_set(e, E_STORAGE, "database error: %s", msg ? msg : "unknown");
        sqlite3_free(msg);
        return out;
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

/* Where long work is announced (store_set_notice()). */
static store_notice_fn notice;

void store_set_notice(store_notice_fn fn)
{
    notice = fn;
}

void store_notice(const char *msg)
{
    if (notice) {
        notice(msg);
    }
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
        if (n == 9 && have > 0) {
            store_notice("upgrading the store: indexing cases, persons and events for the "
                         "checks (some seconds per million events; do not interrupt)");
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
    if (have < 7 && latest >= 7) {
        /* 0007 added the objects' JSON text columns; C fills them, once the
         * schema is the one the column tables of objects.c describe. */
        if (have > 0) {
            store_notice("upgrading the store: storing each object's JSON text once "
                         "(about a minute per million objects; do not interrupt)");
        }
        enum app_err rc = store_begin(s, e);
        if (rc == E_OK) {
            rc = store_json_backfill(s, e);
        }
        if (rc == E_OK) {
            rc = store_commit(s, e);
        }
        if (rc != E_OK) {
            store_rollback(s);
            return err_set(e, E_STORAGE, "storing the objects' JSON text failed: %s", e->msg);
        }
    }
    return E_OK;
}

/* What the first bytes of the file say: -1 no file or empty, 0 an SQLite
 * plaintext header, 1 something else (an encrypted store, or not a
 * database). */
/* What the file starts with: -1 nothing (absent or empty), 0 an SQLite
 * database in plaintext, 1 anything else (an encrypted one). Read through
 * SQLite's own unix layer, never with open()/close(): closing any
 * descriptor of a database file drops every POSIX lock this process holds on
 * it, and a server whose connections lost their locks can have its WAL
 * checkpointed and deleted under it by another process. The unix layer
 * keeps such a descriptor open until the process's locks are released. */
static int file_kind(const char *path)
{
    sqlite3_vfs *vfs = sqlite3_vfs_find("unix");
    if (!vfs) {
        return -1;
    }
    sqlite3_file *f = xcalloc(1, (size_t)vfs->szOsFile);
    int out_flags = 0;
    int kind = -1;
    if (vfs->xOpen(vfs, path, f, SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB, &out_flags) ==
        SQLITE_OK) {
        unsigned char head[16];
        int rc = f->pMethods->xRead(f, head, sizeof head, 0);
        if (rc == SQLITE_OK) {
            kind = memcmp(head, "SQLite format 3", 16) == 0 ? 0 : 1;
        } else if (rc == SQLITE_IOERR_SHORT_READ) {
            /* a short file: empty is nothing, a few bytes are not a database */
            sqlite3_int64 size = 0;
            kind = f->pMethods->xFileSize(f, &size) == SQLITE_OK && size > 0 ? 1 : -1;
        }
    }
    if (f->pMethods) {
        f->pMethods->xClose(f);
    }
    free(f);
    return kind;
}

struct store_secret *store_secret_new(void)
{
    if (sodium_init() < 0) {
        return NULL;
    }
    struct store_secret *k = sodium_malloc(sizeof *k);
    if (k) {
        sodium_memzero(k, sizeof *k);
    }
    return k;
}

void store_secret_free(struct store_secret *k)
{
    if (k) {
        sodium_free(k); /* zeroes and unlocks */
    }
}

bool store_encrypted(const struct store *s)
{
    return s->encrypted;
}

void store_crypt_stats(struct store_crypt_stats *out)
{
    struct crypt_counters c;
    crypt_vfs_counters(&c);
    out->pages_encrypted = c.pages_encrypted;
    out->pages_decrypted = c.pages_decrypted;
    out->mac_fail_db = c.mac_fail_db;
    out->mac_fail_wal = c.mac_fail_wal;
    out->mac_fail_journal = c.mac_fail_journal;
    out->header_synth = c.header_synth;
    out->temp_refused = c.temp_refused;
    out->plain_refused = c.plain_refused;
}

/* Opens the SQLite connection (plaintext, or encrypted through the VFS) and
 * gives a new encrypted database its geometry. */
static int open_conn(const char *path, int oflags, const struct store_secret *key, sqlite3 **db)
{
    if (!key) {
        return sqlite3_open_v2(path, db, oflags, NULL);
    }
    crypt_vfs_pending_key(key->dek, key->file_id);
    int rc = sqlite3_open_v2(path, db, oflags, STORE_CRYPT_VFS);
    crypt_vfs_pending_key(NULL, NULL);
    if (rc == SQLITE_OK && !(oflags & SQLITE_OPEN_READONLY)) {
        /* Before the first write: a new file takes these; an existing one
         * keeps what its header says (and the VFS refuses a page 1 without
         * the reserve). */
        int reserve = CRYPT_RESERVE;
        rc = sqlite3_exec(*db, "PRAGMA page_size=4096", NULL, NULL, NULL);
        if (rc == SQLITE_OK) {
            rc = sqlite3_file_control(*db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);
        }
    }
    return rc;
}

enum app_err store_open_key(const char *path, unsigned flags, const struct store_secret *key,
                            struct store **out, struct err *e)
{
    *out = NULL;
    struct stat st;
    if ((flags & STORE_MUST_EXIST) && stat(path, &st) != 0) {
        return err_set(e, E_NOT_FOUND, "no database at '%s' (import a bundle first)", path);
    }
    if (strcmp(path, ":memory:") != 0) {
        int kind = file_kind(path);
        if (key && kind == 0) {
            return err_set(e, E_STORAGE,
                           "'%s' is a plaintext database, but a keyring was given for it", path);
        }
        if (!key && kind == 1) {
            return err_set(e, E_STORAGE,
                           "'%s' is encrypted or not a database (an encrypted store needs "
                           "its keyring '%s.keys' beside it)",
                           path, path);
        }
    }
    struct store *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    s->readonly = flags & STORE_READONLY;
    s->encrypted = key != NULL;
    int oflags = s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    oflags |= SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    enum app_err rc = E_OK;
    if (open_conn(path, oflags, key, &s->db) != SQLITE_OK) {
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
        if (key && sqlite3_extended_errcode(s->db) == SQLITE_IOERR_DATA) {
            err_set(e, E_STORAGE,
                    "cannot open database '%s': a page failed authentication (wrong key, "
                    "or the file was damaged or changed)",
                    path);
        } else {
            err_set(e, E_STORAGE, "cannot open database '%s': %s", path, e->msg);
        }
        goto fail;
    }
    if (key && pragma_int(s, "PRAGMA page_size") != CRYPT_PAGE) {
        rc = err_set(e, E_STORAGE, "'%s' does not have the page size of an encrypted store", path);
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

enum app_err store_open(const char *path, unsigned flags, struct store **out, struct err *e)
{
    return store_open_key(path, flags, NULL, out, e);
}

enum app_err store_verify(struct store *s, bool full, struct err *e)
{
    sqlite3_stmt *st = NULL;
    const char *sql = full ? "PRAGMA integrity_check(20)" : "PRAGMA quick_check(20)";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        return store_fail(s, e, "cannot check the database");
    }
    struct buf msg;
    buf_init(&msg);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *row = (const char *)sqlite3_column_text(st, 0);
        if (row && strcmp(row, "ok") != 0) {
            buf_addf(&msg, "%s%s", msg.len ? "; " : "", row);
        }
    }
    enum app_err result = E_OK;
    if (rc != SQLITE_DONE) {
        result = store_fail(s, e, "the database check failed");
    } else if (msg.len) {
        result = err_set(e, E_STORAGE, "the database is damaged: %s", msg.data);
    }
    sqlite3_finalize(st);
    buf_release(&msg);
    if (result != E_OK || !full) {
        return result;
    }
    if (pragma_int(s, "SELECT count(*) FROM sqlite_schema WHERE name='text_fts'") == 1 &&
        sqlite3_exec(s->db, "INSERT INTO text_fts(text_fts) VALUES('integrity-check')", NULL, NULL,
                     NULL) != SQLITE_OK) {
        return store_fail(s, e, "the full-text index is damaged (run 'refuge reindex')");
    }
    return E_OK;
}

enum app_err store_backup(struct store *s, const char *dest, const struct store_secret *dest_key,
                          struct err *e)
{
    struct stat st;
    if (stat(dest, &st) == 0) {
        return err_set(e, E_CONFLICT, "'%s' already exists", dest);
    }
    if (s->encrypted != (dest_key != NULL)) {
        return err_set(e, E_INTERNAL, "a backup keeps the store's encryption");
    }
    sqlite3 *db = NULL;
    enum app_err result = E_OK;
    int rc = open_conn(dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXRESCODE,
                       dest_key, &db);
    if (rc == SQLITE_OK) {
        rc =
            sqlite3_exec(db, "PRAGMA synchronous=FULL; PRAGMA temp_store=MEMORY", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        result = err_set(e, E_STORAGE, "cannot create '%s': %s", dest,
                         db ? sqlite3_errmsg(db) : "out of memory");
        goto done;
    }
    sqlite3_backup *b = sqlite3_backup_init(db, "main", s->db, "main");
    if (!b) {
        result = err_set(e, E_STORAGE, "cannot back up to '%s': %s", dest, sqlite3_errmsg(db));
        goto done;
    }
    do {
        rc = sqlite3_backup_step(b, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
            sqlite3_sleep(20);
        }
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        result = err_set(e, E_STORAGE, "cannot back up to '%s': %s", dest, sqlite3_errstr(rc));
        goto done;
    }
    /* The copy is a WAL database like its source: fold the WAL in so that
     * the single file is complete. */
    if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA wal_checkpoint(TRUNCATE);", NULL, NULL,
                     NULL) != SQLITE_OK) {
        result = err_set(e, E_STORAGE, "cannot finish '%s': %s", dest, sqlite3_errmsg(db));
    }
done:
    if (sqlite3_close(db) != SQLITE_OK && result == E_OK) {
        result = err_set(e, E_STORAGE, "cannot close '%s'", dest);
    }
    if (result != E_OK) {
        const char *suffixes[] = {"", "-wal", "-shm", "-journal"};
        for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
            char p[4096];
            snprintf(p, sizeof p, "%s%s", dest, suffixes[i]);
            remove(p);
        }
    }
    return result;
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
    if (s->group) {
        return store_group_tx_begin(s, e);
    }
    return store_exec(s, "BEGIN IMMEDIATE", e);
}

/* Transaction control runs on every request: cached statements spare the
 * parser. Slots STMT_MISC + 3 to + 5. */
enum { SLOT_BEGIN_READ = STMT_MISC + 3, SLOT_COMMIT, SLOT_ROLLBACK };

enum app_err store_step_object(struct store *s, sqlite3_stmt *st, enum obj_kind kind,
                               const char *id, struct err *e)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        return E_OK;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        return err_set(e, E_NOT_FOUND, "no %s with id '%s'", obj_kind_name(kind), id);
    }
    return store_fail(s, e, "cannot read an object");
}

bool store_run_cached(struct store *s, int slot, const char *sql)
{
    struct err e = ERR_INIT;
    sqlite3_stmt *st = store_stmt(s, slot, sql, &e);
    if (!st) {
        return false;
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    s->oom |= rc == SQLITE_NOMEM;
    s->failures += rc != SQLITE_DONE && (rc & 0xff) != SQLITE_CONSTRAINT;
    return rc == SQLITE_DONE;
}

bool store_out_of_memory(const struct store *s)
{
    return s->oom;
}

unsigned long store_failures(const struct store *s)
{
    return s->failures;
}

enum app_err store_commit(struct store *s, struct err *e)
{
    if (s->group) {
        return store_group_tx_commit(s, e);
    }
    if (!store_run_cached(s, SLOT_COMMIT, "COMMIT")) {
        return store_fail(s, e, "cannot commit");
    }
    return E_OK;
}

bool store_read_begin(struct store *s)
{
    return sqlite3_get_autocommit(s->db) && store_run_cached(s, SLOT_BEGIN_READ, "BEGIN DEFERRED");
}

void store_read_end(struct store *s)
{
    if (!sqlite3_get_autocommit(s->db) && !store_run_cached(s, SLOT_COMMIT, "COMMIT")) {
        store_run_cached(s, SLOT_ROLLBACK, "ROLLBACK");
    }
}

void store_rollback(struct store *s)
{
    if (s->group) {
        store_group_tx_rollback(s);
        return;
    }
    if (!sqlite3_get_autocommit(s->db)) {
        store_run_cached(s, SLOT_ROLLBACK, "ROLLBACK");
    }
}
