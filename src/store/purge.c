/*
 * purge.c: removing what deleted records leave behind (reliability.md B13).
 *
 * SQLite does not erase a deleted row: its bytes stay in the page's free
 * space, in pages on the freelist, in older WAL frames, and in the segments
 * of the full-text index until they are merged. Encryption keeps them from
 * an attacker without the key, but someone who later obtains the key (a
 * seized laptop with the passphrase, a coerced user) could read them. The
 * purge leaves no page of the database or its WAL holding them:
 *
 *   1. secure_delete=ON for what follows (freed content is zeroed);
 *   2. the full-text index merged into one segment ('optimize'), which
 *      drops the deleted rows' tokens;
 *   3. checkpoint(TRUNCATE): the WAL folded into the database and cut to
 *      zero bytes;
 *   4. VACUUM: the database rebuilt page by page (its temporary copy is in
 *      memory: temp_store=MEMORY; the encrypting VFS refuses temporary
 *      files), every page written anew with a fresh nonce, the file cut to
 *      its new length;
 *   5. checkpoint(TRUNCATE) again: VACUUM's pages went through the WAL.
 *
 * What the file system or the flash controller keeps of old blocks is out of
 * reach (docs/security.md: crypto-shredding with `refuge wipe`).
 */
#include "store/internal.h"

/* PRAGMA wal_checkpoint(TRUNCATE): E_OK when the WAL is empty after it;
 * E_CONFLICT when another connection kept it from finishing. */
static enum app_err checkpoint_truncate(struct store *s, struct err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &st, NULL) != SQLITE_OK) {
        return store_fail(s, e, "cannot checkpoint");
    }
    int rc = sqlite3_step(st);
    int busy = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 1;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return store_fail(s, e, "cannot checkpoint");
    }
    if (busy) {
        return err_set(e, E_CONFLICT,
                       "another process is using the database, so its write-ahead log "
                       "cannot be emptied: stop the server (and other refuge commands) and "
                       "run this again");
    }
    return E_OK;
}

static int64_t pragma_int64(struct store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        v = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return v;
}

enum app_err store_purge(struct store *s, struct store_purge_report *out, struct err *e)
{
    if (s->readonly) {
        return err_set(e, E_INTERNAL, "a read-only store cannot be purged");
    }
    if (s->group || !sqlite3_get_autocommit(s->db)) {
        return err_set(e, E_INTERNAL, "the purge cannot run inside a transaction");
    }
    out->pages_before = pragma_int64(s, "PRAGMA page_count");
    out->free_before = pragma_int64(s, "PRAGMA freelist_count");
    enum app_err rc = store_exec(s, "PRAGMA secure_delete=ON", e);
    if (rc == E_OK &&
        pragma_int64(s, "SELECT count(*) FROM sqlite_schema WHERE name='text_fts'") == 1) {
        rc = store_exec(s, "INSERT INTO text_fts(text_fts) VALUES('optimize')", e);
    }
    if (rc == E_OK) {
        rc = checkpoint_truncate(s, e);
    }
    if (rc == E_OK) {
        rc = store_exec(s, "VACUUM", e);
    }
    if (rc == E_OK) {
        rc = checkpoint_truncate(s, e);
    }
    out->pages_after = pragma_int64(s, "PRAGMA page_count");
    out->free_after = pragma_int64(s, "PRAGMA freelist_count");
    return rc;
}
