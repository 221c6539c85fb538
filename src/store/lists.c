/*
 * lists.c: paging through objects (keyset pagination by id, with filters)
 * and deleting objects with a clear answer when they are still referred to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "store/internal.h"
#include "store/vfs_crypt.h"

static const char *const tables[OBJ_KIND_COUNT] = {"source", "person", "organization", "case_file",
                                                   "event",  "risk",   "action"};

/* Where each kind is referred to from: (table, column, what to call it). */
struct referrer {
    enum obj_kind kind;
    const char *sql;
    const char *what;
};

static const struct referrer referrers[] = {
    {OBJ_SOURCE, "SELECT person FROM person_source WHERE source = ?1 LIMIT 1", "person"},
    {OBJ_SOURCE, "SELECT event FROM event_source WHERE source = ?1 LIMIT 1", "event"},
    {OBJ_SOURCE, "SELECT risk FROM risk_source WHERE source = ?1 LIMIT 1", "risk"},
    {OBJ_PERSON, "SELECT case_id FROM case_subject WHERE person = ?1 LIMIT 1", "case"},
    {OBJ_PERSON, "SELECT event FROM event_person WHERE person = ?1 LIMIT 1", "event"},
    {OBJ_PERSON, "SELECT id FROM event WHERE official = ?1 LIMIT 1", "event"},
    {OBJ_PERSON, "SELECT action FROM action_target WHERE target = ?1 LIMIT 1", "action"},
    {OBJ_ORGANIZATION, "SELECT id FROM organization WHERE parent = ?1 LIMIT 1", "organization"},
    {OBJ_ORGANIZATION, "SELECT person FROM position WHERE organization = ?1 LIMIT 1", "person"},
    {OBJ_ORGANIZATION, "SELECT id FROM event WHERE by_org = ?1 LIMIT 1", "event"},
    {OBJ_ORGANIZATION, "SELECT action FROM action_target WHERE target = ?1 LIMIT 1", "action"},
    {OBJ_CASE, "SELECT id FROM action WHERE case_id = ?1 LIMIT 1", "action"},
};

/* Slots STMT_MISC + 64 onwards belong to this file. */
enum { SLOT_REFERRER = STMT_MISC + 64, SLOT_DELETE = SLOT_REFERRER + 16 };

enum app_err store_delete(struct store *s, enum obj_kind kind, const char *id, struct err *e)
{
    for (size_t i = 0; i < ARRAY_LEN(referrers); i++) {
        if (referrers[i].kind != kind) {
            continue;
        }
        sqlite3_stmt *st = store_stmt(s, SLOT_REFERRER + (int)i, referrers[i].sql, e);
        if (!st) {
            return e->code;
        }
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            enum app_err rc = err_set(e, E_CONFLICT, "%s '%s' is still referred to by %s '%s'",
                                      obj_kind_name(kind), id, referrers[i].what,
                                      (const char *)sqlite3_column_text(st, 0));
            sqlite3_reset(st);
            return rc;
        }
        sqlite3_reset(st);
    }
    struct buf sql = BUF_INIT;
    buf_addf(&sql, "DELETE FROM %s WHERE id = ?1", tables[kind]);
    sqlite3_stmt *st = store_stmt(s, SLOT_DELETE + (int)kind, sql.data, e);
    buf_release(&sql);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        return store_fail(s, e, "cannot delete");
    }
    if (sqlite3_changes(s->db) == 0) {
        return err_set(e, E_NOT_FOUND, "no %s with id '%s'", obj_kind_name(kind), id);
    }
    return kind == OBJ_EVENT ? store_scan_event_delete(s, id, e) : E_OK;
}

/* store_list's statements: one per kind, with and without a cursor (a
 * cursor in an OR with "IS NULL" would make SQLite scan from the start), and
 * two more for cases seen by one assignee. Slots STMT_MISC + 128 .. + 143. */
enum { SLOT_LIST = STMT_MISC + 128, SLOT_LIST_ASSIGNED = SLOT_LIST + 2 * OBJ_KIND_COUNT };

_Static_assert(SLOT_LIST_ASSIGNED + 2 <= STMT_MISC + 144,
               "store_list uses STMT_MISC + 128 .. + 143");

/* The filters and order of a list of kind, after "WHERE <cursor>": fixed
 * SQL fragments whose values are bound by store_list_bind_filter() (?2
 * status, ?3 state, ?4 tag, ?5 assigned user, ?6 the row limit). Shared by
 * store_list() and store_list_json(), so both list the same objects. */
void store_list_sql_tail(struct buf *sql, enum obj_kind kind, bool assigned)
{
    if (kind == OBJ_CASE) {
        buf_adds(
            sql,
            " AND (?2 IS NULL OR coalesce(t.status, 'open') = ?2)"
            " AND (?3 IS NULL OR t.state = ?3)"
            " AND (?4 IS NULL OR EXISTS (SELECT 1 FROM case_tag g WHERE g.case_id = t.id AND g.tag = ?4))");
        if (assigned) {
            buf_adds(sql, " AND EXISTS (SELECT 1 FROM case_assignment a"
                          " WHERE a.case_id = t.id AND a.user_id = ?5)");
        }
    }
    buf_adds(sql, " ORDER BY t.id LIMIT ?6");
}

void store_list_bind_filter(sqlite3_stmt *st, enum obj_kind kind, const struct store_filter *f,
                            size_t rows)
{
    if (kind == OBJ_CASE) {
        if (f->status) {
            sqlite3_bind_text(st, 2, f->status, -1, SQLITE_STATIC);
        }
        if (f->state) {
            sqlite3_bind_text(st, 3, f->state, -1, SQLITE_STATIC);
        }
        if (f->tag) {
            sqlite3_bind_text(st, 4, f->tag, -1, SQLITE_STATIC);
        }
        if (f->assigned_to) {
            sqlite3_bind_int64(st, 5, f->assigned_to);
        }
    }
    sqlite3_bind_int64(st, 6, (sqlite3_int64)rows);
}

enum app_err store_list(struct store *s, enum obj_kind kind, const struct store_filter *f,
                        struct arena *arena, struct strs *out, bool *more, struct err *e)
{
    /* Filters are fixed SQL fragments; values are always bound. */
    bool assigned = kind == OBJ_CASE && f->assigned_to;
    int slot = assigned ? SLOT_LIST_ASSIGNED : SLOT_LIST + 2 * (int)kind;
    slot += f->after ? 1 : 0;
    struct buf sql = BUF_INIT;
    if (!s->stmts[slot]) { /* the text is needed only to prepare it once */
        buf_addf(&sql, "SELECT id FROM %s AS t WHERE %s", tables[kind],
                 f->after ? "t.id > ?1" : "?1 IS NULL");
        store_list_sql_tail(&sql, kind, assigned);
    }
    sqlite3_stmt *st = store_stmt(s, slot, sql.data, e);
    buf_release(&sql);
    if (!st) {
        return e->code;
    }
    size_t limit = f->limit ? f->limit : 50;
    if (f->after) {
        sqlite3_bind_text(st, 1, f->after, -1, SQLITE_STATIC);
    }
    store_list_bind_filter(st, kind, f, limit + 1);
    out->items = arena_alloc(arena, (limit + 1) * sizeof *out->items);
    out->n_items = 0;
    *more = false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n_items == limit) {
            *more = true;
            break;
        }
        out->items[out->n_items++] = arena_strdup(arena, (const char *)sqlite3_column_text(st, 0));
    }
    enum app_err result =
        (rc == SQLITE_ROW || rc == SQLITE_DONE) ? E_OK : store_fail(s, e, "cannot list");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return result;
}

/* SQLite's own allocator, wrapped so that memory it frees is zeroed first:
 * pages of the database pass through its page cache in plaintext, and
 * without this they outlive a connection in freed heap memory (the server's
 * key lock, docs/security.md). */
static sqlite3_mem_methods sqlite_mem;

static void zeroing_free(void *p)
{
    if (p) {
        memset(p, 0, (size_t)sqlite_mem.xSize(p));
        __asm__ __volatile__("" : : "r"(p) : "memory");
        sqlite_mem.xFree(p);
    }
}

static void *zeroing_realloc(void *p, int n)
{
    if (!p) {
        return sqlite_mem.xMalloc(n);
    }
    int old = sqlite_mem.xSize(p);
    if (n <= old) {
        return p; /* SQLite's allocator keeps the block when it shrinks, too */
    }
    void *q = sqlite_mem.xMalloc(n);
    if (q) {
        memcpy(q, p, (size_t)old);
        zeroing_free(p);
    }
    return q;
}

bool store_zero_freed_memory(void)
{
    /* Before anything initialises SQLite (registering a VFS does). */
    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_mem) != SQLITE_OK) {
        return false;
    }
    sqlite3_mem_methods m = sqlite_mem;
    m.xFree = zeroing_free;
    m.xRealloc = zeroing_realloc;
    return sqlite3_config(SQLITE_CONFIG_MALLOC, &m) == SQLITE_OK;
}

void store_global_init(void)
{
    /* Global memory statistics serialise every allocation across threads.
     * REFUGE_BENCH_MEMSTATUS=1 keeps them, to measure what that costs
     * (bench/README.md, "the two traps"). */
    const char *trap = getenv("REFUGE_BENCH_MEMSTATUS");
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, trap && strcmp(trap, "1") == 0);
    if (crypt_vfs_register(STORE_CRYPT_VFS, NULL) != SQLITE_OK) {
        fprintf(stderr, "refuge: cannot set up the encrypting storage layer\n");
        abort();
    }
}

/* Slot STMT_MISC + 144 belongs to store_recent_cases(). */
enum { SLOT_RECENT = STMT_MISC + 144 };

enum app_err store_recent_cases(struct store *s, store_recent_fn fn, void *ctx, struct err *e)
{
    sqlite3_stmt *st = store_stmt(
        s, SLOT_RECENT,
        "SELECT c.id, max(c.updated,"
        " coalesce((SELECT max(a.updated) FROM action a WHERE a.case_id = c.id), ''),"
        " coalesce((SELECT max(ev.updated) FROM case_subject cs"
        " JOIN event_person ep ON ep.person = cs.person JOIN event ev ON ev.id = ep.event"
        " WHERE cs.case_id = c.id), '')) AS changed"
        " FROM case_file c ORDER BY changed DESC, c.id",
        e);
    if (!st) {
        return E_STORAGE;
    }
    enum app_err out = E_OK;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!fn(ctx, (const char *)sqlite3_column_text(st, 0),
                (const char *)sqlite3_column_text(st, 1))) {
            break;
        }
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        out = store_fail(s, e, "cannot list recently changed cases");
    }
    sqlite3_reset(st);
    return out;
}
