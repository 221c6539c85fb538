/*
 * internal.h: what the store's own files share: the connection struct, the
 * statement cache and small helpers. Not for use outside src/store/.
 */
#ifndef REFUGE_STORE_INTERNAL_H
#define REFUGE_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"

/* Statement cache slots: one block per object kind, then slots for queries
 * that belong to no kind. The STMT_MISC block, by file:
 *   + 0 .. + 5     objects.c (+0..+2) and db.c (+3..+5: BEGIN, COMMIT, ROLLBACK)
 *   + 8 .. + 39    accounts.c
 *   + 40 .. + 63   search.c
 *   + 64 .. + 87   lists.c (referrers and deletes)
 *   + 100 .. + 111 checks.c
 *   + 112 .. + 127 evidence.c
 *   + 128 .. + 143 lists.c (store_list)
 *   + 144 .. + 159 lists.c (other case lists)
 *   + 176 .. + 191 scan.c (whole-store passes of the checks)
 *   + 192 .. + 207 encoded.c (objects' stored JSON text)
 *   + 208 .. + 223 search.c (duplicates: persons with other evidence)
 *   + 224 .. + 239 group.c (group commit: savepoints)
 *   + 240 .. + 255 scan.c (whole-store passes, second block)
 *   + 256 .. + 271 search.c (duplicates, second block)
 *   + 272 .. + 287 db.c / keys (idle lock)
 * Each file asserts that its slots stay below STMT_SLOTS. */
enum {
    STMT_PER_KIND =
        66, /* objects.c: 8 operations, 4 per child (8 at most), 2 x (1 + 8) batch reads */
    STMT_MISC = OBJ_KIND_COUNT * STMT_PER_KIND,
    STMT_MISC_COUNT = 288,
    STMT_SLOTS = STMT_MISC + STMT_MISC_COUNT,
};

/* The name the encrypting VFS is registered under. */
#define STORE_CRYPT_VFS "refuge-crypt"

struct store {
    sqlite3 *db;
    char *path;
    bool readonly;
    bool encrypted;
    sqlite3_stmt *stmts[STMT_SLOTS];
    struct key_bulk *bulk;  /* search.c: set during store_keys_rebuild() */
    bool group;             /* group.c: a group transaction is open */
    int group_depth;        /* group.c: store_begin() savepoints open inside it */
    int wal_pages;          /* wal.c: the WAL's length after this connection's last commit */
    bool oom;               /* an operation ran out of memory: reopen (store_out_of_memory()) */
    unsigned long failures; /* operations that failed in the database (store_failures()) */
};

/* The cached statement for slot, prepared from sql on first use (sql is
 * only read then). NULL on error, with e set. The statement is reset and its
 * bindings cleared before it is returned. */
sqlite3_stmt *store_stmt(struct store *s, int slot, const char *sql, struct err *e);

/* Runs the cached statement sql (no bindings, no rows: transaction control)
 * in slot; true when it completed. A failure flags the connection as
 * store_fail() does (out of memory, store_failures()). */
bool store_run_cached(struct store *s, int slot, const char *sql);

/* Steps st, a query for the object kind/id, to its row: E_OK with the row
 * there to read (reset st after); E_NOT_FOUND ("no person with id ...") or
 * the store's error otherwise, with st reset. */
enum app_err store_step_object(struct store *s, sqlite3_stmt *st, enum obj_kind kind,
                               const char *id, struct err *e);
/* Sets e from the connection's last error. Returns E_STORAGE (or E_CONFLICT
 * for constraint failures). */
enum app_err store_fail(struct store *s, struct err *e, const char *what);
/* Steps a prepared, bound statement and collects its first column (ids) into
 * arena; resets the statement. */
ATTR_NODISCARD enum app_err store_collect_ids(struct store *s, sqlite3_stmt *st,
                                              struct arena *arena, struct strs *out, struct err *e);
/* Encodes obj into out with the registered encoder (out is reset first);
 * false when none is registered. */
bool store_encode_obj(enum obj_kind kind, const void *obj, struct buf *out);
/* After migration 0007 (and any later ones): stores every object's text,
 * inside the caller's transaction (nothing to do without an encoder: the
 * texts stay NULL). */
ATTR_NODISCARD enum app_err store_json_backfill(struct store *s, struct err *e);
/* group.c: store_begin(), store_commit() and store_rollback() while a group
 * transaction is open (nested savepoints). */
ATTR_NODISCARD enum app_err store_group_tx_begin(struct store *s, struct err *e);
ATTR_NODISCARD enum app_err store_group_tx_commit(struct store *s, struct err *e);
void store_group_tx_rollback(struct store *s);
/* Runs SQL without results. */
ATTR_NODISCARD enum app_err store_exec(struct store *s, const char *sql, struct err *e);

/* scan.c: keeps event_scan (migration 0009: the facts a check of every
 * case reads, packed) in step with store_put() and store_delete() of an
 * event, in the caller's transaction. */
ATTR_NODISCARD enum app_err store_scan_event_put(struct store *s, const struct event *ev,
                                                 struct err *e);
ATTR_NODISCARD enum app_err store_scan_event_delete(struct store *s, const char *id, struct err *e);

/* Passes msg to the function given to store_set_notice(), if any. */
void store_notice(const char *msg);

/* lists.c: the filter and order of a list, shared by store_list() and
 * store_list_json(): the SQL after "WHERE <cursor>", and its bindings
 * (rows: the LIMIT). */
struct buf;
void store_list_sql_tail(struct buf *sql, enum obj_kind kind, bool assigned);
void store_list_bind_filter(sqlite3_stmt *st, enum obj_kind kind, const struct store_filter *f,
                            size_t rows);

#endif
