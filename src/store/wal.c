/*
 * wal.c: WAL checkpoints away from the commit path. By default the
 * connection whose COMMIT takes the WAL past 1000 pages copies the WAL back
 * into the database inside that COMMIT, with its syncs: a pause of tens or
 * hundreds of milliseconds for whoever waits on the commit. A connection
 * with deferred checkpoints never does that; it counts the WAL's pages after
 * each of its commits, and another connection checkpoints when told to.
 */
#include "store/internal.h"

static int on_commit(void *ctx, sqlite3 *db, const char *name, int pages)
{
    (void)db;
    (void)name;
    struct store *s = ctx;
    s->wal_pages = pages;
    return SQLITE_OK;
}

void store_wal_defer(struct store *s)
{
    /* sqlite3_wal_hook() replaces the automatic checkpoint (which is a WAL
     * hook itself). */
    sqlite3_wal_hook(s->db, on_commit, s);
}

int store_wal_pages(const struct store *s)
{
    return s->wal_pages;
}

enum app_err store_wal_checkpoint(struct store *s, int *left, struct err *e)
{
    int log = 0;
    int done = 0;
    int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    if (left) {
        *left = log > done ? log - done : 0;
    }
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
        return store_fail(s, e, "cannot checkpoint the write-ahead log");
    }
    return E_OK;
}
