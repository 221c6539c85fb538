/*
 * group.c: group commit. One write transaction carries the work of several
 * requests, each inside a savepoint of its own, and one COMMIT (one WAL
 * sync under synchronous=FULL) makes all of them durable together.
 *
 * While a group is open, store_begin(), store_commit() and store_rollback()
 * (db.c) become a nested savepoint, its release and its rollback, so the
 * code of a request keeps its own transactions' meaning: what it rolls back
 * is undone, what it commits waits for the group's COMMIT.
 *
 * Statement slots STMT_MISC + 224 .. + 239 belong to this file.
 */
#include "store/internal.h"

enum {
    SLOT_GROUP_BEGIN = STMT_MISC + 224,
    SLOT_GROUP_COMMIT,
    SLOT_GROUP_ROLLBACK,
    SLOT_REQ_OPEN,
    SLOT_REQ_RELEASE,
    SLOT_REQ_UNDO,
    SLOT_TX_OPEN,
    SLOT_TX_RELEASE,
    SLOT_TX_UNDO,
    SLOT_GROUP_END,
};

_Static_assert((int)SLOT_GROUP_END <= (int)STMT_MISC + 240, "group.c owns STMT_MISC + 224 .. 239");
_Static_assert((int)SLOT_GROUP_END <= (int)STMT_SLOTS, "statement slots");

/* Ends the group whatever state its transaction is in. */
static void group_abandon(struct store *s)
{
    s->group = false;
    s->group_depth = 0;
    if (!sqlite3_get_autocommit(s->db)) {
        store_run_cached(s, SLOT_GROUP_ROLLBACK, "ROLLBACK");
    }
}

enum app_err store_group_begin(struct store *s, struct err *e)
{
    if (s->group || !sqlite3_get_autocommit(s->db)) {
        return err_set(e, E_INTERNAL, "a transaction is already open");
    }
    if (!store_run_cached(s, SLOT_GROUP_BEGIN, "BEGIN IMMEDIATE")) {
        return store_fail(s, e, "cannot begin writing");
    }
    s->group = true;
    s->group_depth = 0;
    return E_OK;
}

enum app_err store_group_enter(struct store *s, struct err *e)
{
    if (!s->group || s->group_depth != 0) {
        return err_set(e, E_INTERNAL, "no group transaction to enter");
    }
    if (sqlite3_get_autocommit(s->db) || !store_run_cached(s, SLOT_REQ_OPEN, "SAVEPOINT request")) {
        enum app_err rc = store_fail(s, e, "cannot begin a request");
        group_abandon(s);
        return rc;
    }
    return E_OK;
}

bool store_group_leave(struct store *s, bool keep)
{
    if (!s->group) {
        return false;
    }
    if (sqlite3_get_autocommit(s->db)) {
        /* SQLite rolled the whole transaction back (an I/O error, a full
         * disk, out of memory): every request's work since the group began
         * is gone. */
        group_abandon(s);
        return false;
    }
    if (s->group_depth > 0) {
        keep = false; /* the request left a transaction of its own open */
        s->group_depth = 0;
    }
    bool ok = keep || store_run_cached(s, SLOT_REQ_UNDO, "ROLLBACK TO request");
    ok = ok && store_run_cached(s, SLOT_REQ_RELEASE, "RELEASE request");
    if (!ok || sqlite3_get_autocommit(s->db)) {
        group_abandon(s);
        return false;
    }
    return true;
}

enum app_err store_group_commit(struct store *s, struct err *e)
{
    if (!s->group) {
        return err_set(e, E_INTERNAL, "no group transaction to commit");
    }
    if (s->group_depth != 0 || sqlite3_get_autocommit(s->db)) {
        group_abandon(s);
        return err_set(e, E_STORAGE, "the write transaction was lost before its commit");
    }
    s->group = false;
    if (!store_run_cached(s, SLOT_GROUP_COMMIT, "COMMIT")) {
        enum app_err rc = store_fail(s, e, "cannot commit");
        group_abandon(s);
        return rc;
    }
    return E_OK;
}

void store_group_rollback(struct store *s)
{
    if (s->group) {
        group_abandon(s);
    }
}

bool store_in_group(const struct store *s)
{
    return s->group;
}

/* ---- store_begin(), store_commit(), store_rollback() inside a group ---- */

enum app_err store_group_tx_begin(struct store *s, struct err *e)
{
    if (sqlite3_get_autocommit(s->db)) {
        return err_set(e, E_STORAGE,
                       "the write transaction was lost (an earlier error rolled it back)");
    }
    if (!store_run_cached(s, SLOT_TX_OPEN, "SAVEPOINT tx")) {
        return store_fail(s, e, "cannot begin writing");
    }
    s->group_depth++;
    return E_OK;
}

enum app_err store_group_tx_commit(struct store *s, struct err *e)
{
    if (s->group_depth <= 0) {
        return err_set(e, E_INTERNAL, "commit without a transaction");
    }
    if (sqlite3_get_autocommit(s->db)) {
        s->group_depth = 0;
        return err_set(e, E_STORAGE,
                       "the write transaction was lost (an earlier error rolled it back)");
    }
    if (!store_run_cached(s, SLOT_TX_RELEASE, "RELEASE tx")) {
        return store_fail(s, e, "cannot commit");
    }
    s->group_depth--;
    return E_OK;
}

void store_group_tx_rollback(struct store *s)
{
    if (s->group_depth <= 0) {
        return;
    }
    if (sqlite3_get_autocommit(s->db)) {
        s->group_depth = 0;
        return;
    }
    /* If either step fails the savepoint stays open: store_group_leave()
     * then undoes the whole request. */
    if (store_run_cached(s, SLOT_TX_UNDO, "ROLLBACK TO tx") &&
        store_run_cached(s, SLOT_TX_RELEASE, "RELEASE tx")) {
        s->group_depth--;
    }
}
