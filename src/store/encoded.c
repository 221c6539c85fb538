/*
 * encoded.c: each object's JSON text kept in its row (migration 0007), so
 * that a page of a list or one object is read as ready text with one query.
 *
 * The store cannot encode (the bundle module, a sibling, owns the format):
 * the program registers the encoder once with store_set_encoder(), and
 * store_put() writes the text with the object's columns in the same
 * statement. NULL text means none is stored; readers then build it from the
 * columns. store_json_check() compares every stored text with a fresh
 * encoding and, asked to, rewrites those that are missing or differ;
 * db.c runs it to fill existing rows once migration 0007 has added them.
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "store/internal.h"

static store_encode_fn encoder;

void store_set_encoder(store_encode_fn fn)
{
    encoder = fn;
}

bool store_encode_obj(enum obj_kind kind, const void *obj, struct buf *out)
{
    if (!encoder) {
        return false;
    }
    buf_reset(out);
    encoder(kind, obj, out);
    return true;
}

static const char *const tables[OBJ_KIND_COUNT] = {"source", "person", "organization", "case_file",
                                                   "event",  "risk",   "action"};

/* Slots STMT_MISC + 192 .. + 207 belong to this file: a list statement per
 * kind and one more for the cases of one assignee, then a read per kind. */
enum {
    SLOT_LIST = STMT_MISC + 192,
    SLOT_LIST_ASSIGNED = SLOT_LIST + OBJ_KIND_COUNT,
    SLOT_GET = SLOT_LIST_ASSIGNED + 1,
    SLOT_END = SLOT_GET + OBJ_KIND_COUNT,
};

_Static_assert((int)SLOT_END <= (int)STMT_MISC + 208, "encoded.c uses STMT_MISC + 192 .. + 207");
_Static_assert((int)SLOT_END <= (int)STMT_SLOTS, "statement slots");

enum app_err store_list_json(struct store *s, enum obj_kind kind, const struct store_filter *f,
                             struct arena *arena, struct store_text **out, size_t *n_out,
                             bool *more, struct err *e)
{
    bool assigned = kind == OBJ_CASE && f->assigned_to;
    int sl = assigned ? SLOT_LIST_ASSIGNED : SLOT_LIST + (int)kind;
    struct buf sql = BUF_INIT;
    if (!s->stmts[sl]) { /* the text is needed only to prepare it once */
        /* No cursor is bound as '': every id is greater, and the index range
         * still starts at the first id. */
        buf_addf(&sql, "SELECT id, json FROM %s AS t WHERE t.id > ?1", tables[kind]);
        store_list_sql_tail(&sql, kind, assigned);
    }
    sqlite3_stmt *st = store_stmt(s, sl, sql.data, e);
    buf_release(&sql);
    if (!st) {
        return e->code;
    }
    size_t limit = f->limit ? f->limit : 50;
    sqlite3_bind_text(st, 1, f->after ? f->after : "", -1, SQLITE_STATIC);
    store_list_bind_filter(st, kind, f, limit + 1);
    struct store_text *items = arena_alloc(arena, (limit + 1) * sizeof *items);
    size_t n = 0;
    *more = false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == limit) {
            *more = true;
            break;
        }
        struct store_text *t = &items[n++];
        t->id = arena_strndup(arena, (const char *)sqlite3_column_text(st, 0),
                              (size_t)sqlite3_column_bytes(st, 0));
        t->version = 0;
        if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
            t->json = NULL;
            t->len = 0;
        } else {
            t->len = (size_t)sqlite3_column_bytes(st, 1);
            t->json = arena_strndup(arena, (const char *)sqlite3_column_text(st, 1), t->len);
        }
    }
    enum app_err result =
        (rc == SQLITE_ROW || rc == SQLITE_DONE) ? E_OK : store_fail(s, e, "cannot list");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    *out = items;
    *n_out = n;
    return result;
}

enum app_err store_get_json(struct store *s, enum obj_kind kind, const char *id,
                            struct arena *arena, struct store_text *out, struct err *e)
{
    struct buf sql = BUF_INIT;
    int sl = SLOT_GET + (int)kind;
    if (!s->stmts[sl]) {
        buf_addf(&sql, "SELECT json, version FROM %s WHERE id = ?1", tables[kind]);
    }
    sqlite3_stmt *st = store_stmt(s, sl, sql.data, e);
    buf_release(&sql);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    enum app_err rc = store_step_object(s, st, kind, id, e);
    if (rc != E_OK) {
        return rc;
    }
    out->id = id;
    out->version = sqlite3_column_int64(st, 1);
    if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
        out->json = NULL;
        out->len = 0;
    } else {
        out->len = (size_t)sqlite3_column_bytes(st, 0);
        out->json = arena_strndup(arena, (const char *)sqlite3_column_text(st, 0), out->len);
    }
    sqlite3_reset(st);
    return E_OK;
}

/* ---------------------------------------------------------- checking */

struct check_ctx {
    struct store *s;
    enum obj_kind kind;
    bool fix;
    sqlite3_stmt *get; /* the stored text of one id */
    sqlite3_stmt *set; /* writes it */
    struct buf fresh;
    struct store_json_stats *stats;
    struct err *e;
};

static enum app_err check_one(void *ctx, const void *obj)
{
    struct check_ctx *c = ctx;
    const char *id = *(const char *const *)obj; /* every object struct starts with its id */
    store_encode_obj(c->kind, obj, &c->fresh);
    sqlite3_bind_text(c->get, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(c->get);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(c->get);
        return store_fail(c->s, c->e, "cannot read a stored text");
    }
    bool missing = sqlite3_column_type(c->get, 0) == SQLITE_NULL;
    bool same = !missing && (size_t)sqlite3_column_bytes(c->get, 0) == c->fresh.len &&
                memcmp(sqlite3_column_blob(c->get, 0), c->fresh.data, c->fresh.len) == 0;
    sqlite3_reset(c->get);
    c->stats->objects++;
    if (same) {
        return E_OK;
    }
    if (missing) {
        c->stats->missing++;
    } else {
        c->stats->stale++;
        if (c->stats->n_examples < STORE_JSON_EXAMPLES) {
            struct store_json_example *x = &c->stats->examples[c->stats->n_examples++];
            x->kind = c->kind;
            size_t n = strlen(id);
            n = n < sizeof x->id - 1 ? n : sizeof x->id - 1;
            memcpy(x->id, id, n);
            x->id[n] = '\0';
        }
    }
    if (!c->fix) {
        return E_OK;
    }
    sqlite3_bind_text(c->set, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(c->set, 2, c->fresh.data, (int)c->fresh.len, SQLITE_STATIC);
    rc = sqlite3_step(c->set);
    sqlite3_reset(c->set);
    if (rc != SQLITE_DONE) {
        return store_fail(c->s, c->e, "cannot store an object's text");
    }
    c->stats->fixed++;
    return E_OK;
}

enum app_err store_json_check(struct store *s, bool fix, struct store_json_stats *out,
                              struct err *e)
{
    memset(out, 0, sizeof *out);
    if (!encoder) {
        return err_set(e, E_INTERNAL, "no object encoder is registered");
    }
    enum app_err rc = E_OK;
    for (int k = 0; k < OBJ_KIND_COUNT && rc == E_OK; k++) {
        struct check_ctx c = {.s = s, .kind = (enum obj_kind)k, .fix = fix, .stats = out, .e = e};
        buf_init(&c.fresh);
        /* One pass per kind, rarely: prepared here rather than cached. */
        struct buf sql = BUF_INIT;
        buf_addf(&sql, "SELECT json FROM %s WHERE id = ?1", tables[k]);
        if (sqlite3_prepare_v2(s->db, sql.data, -1, &c.get, NULL) != SQLITE_OK) {
            rc = store_fail(s, e, "cannot prepare a query");
        }
        buf_reset(&sql);
        buf_addf(&sql, "UPDATE %s SET json = ?2 WHERE id = ?1", tables[k]);
        if (rc == E_OK && fix &&
            sqlite3_prepare_v2(s->db, sql.data, -1, &c.set, NULL) != SQLITE_OK) {
            rc = store_fail(s, e, "cannot prepare a query");
        }
        buf_release(&sql);
        if (rc == E_OK) {
            rc = store_each(s, (enum obj_kind)k, check_one, &c, e);
        }
        sqlite3_finalize(c.get);
        sqlite3_finalize(c.set);
        buf_release(&c.fresh);
    }
    return rc;
}

enum app_err store_json_backfill(struct store *s, struct err *e)
{
    struct store_json_stats stats;
    return encoder ? store_json_check(s, true, &stats, e) : E_OK;
}
