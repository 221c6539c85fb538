/*
 * search.c: storage and lookups for search: name keys and their blocking
 * codes (the triggers of migration 0004 keep the code index and counts in
 * step), the full-text index of cases, events and sources, the plain text
 * attached to sources, and the references to a person that a merge moves.
 */
#include "store/search.h"

#include <string.h>

#include "core/buf.h"
#include "store/internal.h"

/* Slots STMT_MISC + 40 .. + 63 belong to this file. */
enum {
    SL_KEYS_DELETE = STMT_MISC + 40,
    SL_KEYS_INSERT,
    SL_CODE_COUNT,
    SL_CODE_KEYS,
    SL_KEYS_GET,
    SL_KEYS_EACH,
    SL_DOC_FIND,
    SL_DOC_INSERT,
    SL_DOC_UPDATE,
    SL_FTS_DELETE,
    SL_FTS_INSERT,
    SL_DOC_DELETE,
    SL_TEXT_COUNT,
    SL_TEXT_SEARCH,
    SL_SRC_TEXT_GET,
    SL_SRC_TEXT_SET,
    SL_SRC_TEXT_DELETE,
    SL_REFS_EVENTS,
    SL_REFS_CASES,
    SL_REFS_ACTIONS,
    SL_BUILT,
    SL_MARK_BUILT,
    SL_LAST
};

_Static_assert(SL_LAST <= STMT_MISC + 64, "search.c uses slots STMT_MISC + 40 .. + 63");

static enum app_err done(struct store *s, sqlite3_stmt *st, struct err *e, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? E_OK : store_fail(s, e, what);
}

enum app_err store_keys_replace(struct store *s, const char *person, const struct store_key *keys,
                                const char *const *codes_json, size_t n, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_KEYS_DELETE, "DELETE FROM name_key WHERE person = ?1", e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, person, -1, SQLITE_STATIC);
    enum app_err rc = done(s, st, e, "cannot remove name keys");
    for (size_t i = 0; i < n && rc == E_OK; i++) {
        st = store_stmt(
            s, SL_KEYS_INSERT,
            "INSERT INTO name_key (person, pos, full, key, codes) VALUES (?1, ?2, ?3, ?4, ?5)", e);
        if (!st) {
            return e->code;
        }
        sqlite3_bind_text(st, 1, person, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, keys[i].pos);
        sqlite3_bind_text(st, 3, keys[i].full, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, keys[i].key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, codes_json[i], -1, SQLITE_STATIC);
        rc = done(s, st, e, "cannot store a name key");
    }
    return rc;
}

int64_t store_code_count(struct store *s, const char *code)
{
    struct err e = ERR_INIT;
    sqlite3_stmt *st =
        store_stmt(s, SL_CODE_COUNT, "SELECT n FROM name_block_count WHERE code = ?1", &e);
    if (!st) {
        return 0;
    }
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return n;
}

enum app_err store_code_keys(struct store *s, const char *code, size_t limit,
                             bool (*fn)(void *ctx, int64_t kid), void *ctx, struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SL_CODE_KEYS, "SELECT kid FROM name_block WHERE code = ?1 LIMIT ?2", e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!fn(ctx, sqlite3_column_int64(st, 0))) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? E_OK : store_fail(s, e, "cannot read name codes");
}

static void read_key(sqlite3_stmt *st, struct store_key *k, struct arena *a)
{
    k->kid = sqlite3_column_int64(st, 0);
    k->person = (const char *)sqlite3_column_text(st, 1);
    k->pos = sqlite3_column_int64(st, 2);
    k->full = (const char *)sqlite3_column_text(st, 3);
    k->key = (const char *)sqlite3_column_text(st, 4);
    if (a) {
        k->person = arena_strdup(a, k->person);
        k->full = arena_strdup(a, k->full);
        k->key = arena_strdup(a, k->key);
    }
}

enum app_err store_keys_get(struct store *s, const int64_t *kids, size_t n, struct arena *arena,
                            struct store_key **out, size_t *n_out, struct err *e)
{
    *out = arena_alloc(arena, (n + 1) * sizeof **out);
    *n_out = 0;
    if (!n) {
        return E_OK;
    }
    struct buf json = BUF_INIT;
    buf_addch(&json, '[');
    for (size_t i = 0; i < n; i++) {
        buf_addf(&json, i ? ",%lld" : "%lld", (long long)kids[i]);
    }
    buf_addch(&json, ']');
    sqlite3_stmt *st = store_stmt(s, SL_KEYS_GET,
                                  "SELECT kid, person, pos, full, key FROM name_key"
                                  " WHERE kid IN (SELECT value FROM json_each(?1))",
                                  e);
    if (!st) {
        buf_release(&json);
        return e->code;
    }
    sqlite3_bind_text(st, 1, json.data, (int)json.len, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n_out < n) {
        read_key(st, &(*out)[*n_out], arena);
        (*n_out)++;
    }
    sqlite3_reset(st);
    buf_release(&json);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? E_OK : store_fail(s, e, "cannot read name keys");
}

enum app_err store_keys_each(struct store *s, bool (*fn)(void *ctx, const struct store_key *k),
                             void *ctx, struct err *e)
{
    sqlite3_stmt *st = store_stmt(
        s, SL_KEYS_EACH, "SELECT kid, person, pos, full, key FROM name_key ORDER BY kid", e);
    if (!st) {
        return e->code;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_key k;
        read_key(st, &k, NULL);
        if (!fn(ctx, &k)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? E_OK : store_fail(s, e, "cannot read name keys");
}

enum app_err store_search_clear(struct store *s, bool keys, bool text, struct err *e)
{
    enum app_err rc = E_OK;
    if (keys) {
        rc = store_exec(
            s, "DELETE FROM name_key; DELETE FROM name_block; DELETE FROM name_block_count;", e);
    }
    if (rc == E_OK && text) {
        rc = store_exec(s, "DELETE FROM text_fts; DELETE FROM text_doc;", e);
    }
    return rc;
}

bool store_search_built(struct store *s)
{
    struct err e = ERR_INIT;
    sqlite3_stmt *st =
        store_stmt(s, SL_BUILT, "SELECT 1 FROM search_state WHERE what = 'index'", &e);
    if (!st) {
        return false;
    }
    bool built = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return built;
}

enum app_err store_search_mark_built(struct store *s, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_MARK_BUILT,
                                  "INSERT OR REPLACE INTO search_state (what, built)"
                                  " VALUES ('index', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                                  e);
    if (!st) {
        return e->code;
    }
    return done(s, st, e, "cannot record the index state");
}

int64_t store_text_count(struct store *s)
{
    struct err e = ERR_INIT;
    sqlite3_stmt *st = store_stmt(s, SL_TEXT_COUNT, "SELECT count(*) FROM text_doc", &e);
    if (!st) {
        return 0;
    }
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return n;
}

/* The row id of an object's full-text row, 0 when it has none. */
static int64_t doc_rid(struct store *s, enum obj_kind kind, const char *id, struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SL_DOC_FIND, "SELECT rid FROM text_doc WHERE kind = ?1 AND oid = ?2", e);
    if (!st) {
        return -1;
    }
    sqlite3_bind_text(st, 1, obj_kind_name(kind), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    int64_t rid = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rid;
}

static enum app_err fts_delete(struct store *s, int64_t rid, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_FTS_DELETE, "DELETE FROM text_fts WHERE rowid = ?1", e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_int64(st, 1, rid);
    return done(s, st, e, "cannot update the text index");
}

enum app_err store_text_put(struct store *s, enum obj_kind kind, const char *id, const char *date,
                            const char *title, const char *body, struct err *e)
{
    int64_t rid = doc_rid(s, kind, id, e);
    if (rid < 0) {
        return e->code;
    }
    sqlite3_stmt *st;
    enum app_err rc;
    if (rid) {
        rc = fts_delete(s, rid, e);
        if (rc != E_OK) {
            return rc;
        }
        st = store_stmt(s, SL_DOC_UPDATE, "UPDATE text_doc SET date = ?2 WHERE rid = ?1", e);
        if (!st) {
            return e->code;
        }
        sqlite3_bind_int64(st, 1, rid);
    } else {
        st = store_stmt(s, SL_DOC_INSERT,
                        "INSERT INTO text_doc (kind, oid, date) VALUES (?1, ?3, ?2)", e);
        if (!st) {
            return e->code;
        }
        sqlite3_bind_text(st, 1, obj_kind_name(kind), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
    }
    if (date) {
        sqlite3_bind_text(st, 2, date, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, 2);
    }
    rc = done(s, st, e, "cannot update the text index");
    if (rc != E_OK) {
        return rc;
    }
    if (!rid) {
        rid = sqlite3_last_insert_rowid(s->db);
    }
    st = store_stmt(s, SL_FTS_INSERT,
                    "INSERT INTO text_fts (rowid, title, body) VALUES (?1, ?2, ?3)", e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_int64(st, 1, rid);
    sqlite3_bind_text(st, 2, title ? title : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, body ? body : "", -1, SQLITE_STATIC);
    return done(s, st, e, "cannot update the text index");
}

enum app_err store_text_delete(struct store *s, enum obj_kind kind, const char *id, struct err *e)
{
    int64_t rid = doc_rid(s, kind, id, e);
    if (rid <= 0) {
        return rid < 0 ? e->code : E_OK;
    }
    enum app_err rc = fts_delete(s, rid, e);
    if (rc != E_OK) {
        return rc;
    }
    sqlite3_stmt *st = store_stmt(s, SL_DOC_DELETE, "DELETE FROM text_doc WHERE rid = ?1", e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_int64(st, 1, rid);
    return done(s, st, e, "cannot update the text index");
}

static bool kind_of(const char *name, enum obj_kind *out)
{
    for (int k = 0; k < OBJ_KIND_COUNT; k++) {
        if (strcmp(obj_kind_name((enum obj_kind)k), name) == 0) {
            *out = (enum obj_kind)k;
            return true;
        }
    }
    return false;
}

enum app_err store_text_search(struct store *s, const struct store_text_query *q,
                               struct arena *arena, struct store_text_hit **out, size_t *n_out,
                               struct err *e)
{
    size_t limit = q->limit ? q->limit : 20;
    *out = arena_alloc(arena, (limit + 1) * sizeof **out);
    *n_out = 0;
    /* Dates are compared at the precision of the filter ("2019" covers 2019-10-06). */
    sqlite3_stmt *st = store_stmt(
        s, SL_TEXT_SEARCH,
        "SELECT d.kind, d.oid, d.date, bm25(text_fts, 4.0, 1.0) AS r,"
        " snippet(text_fts, -1, '[', ']', '...', 16)"
        " FROM text_fts JOIN text_doc d ON d.rid = text_fts.rowid"
        " WHERE text_fts MATCH ?1"
        " AND (?2 IS NULL OR d.kind = ?2)"
        " AND (?3 IS NULL OR (d.date IS NOT NULL AND substr(d.date, 1, length(?3)) >= ?3))"
        " AND (?4 IS NULL OR (d.date IS NOT NULL AND substr(d.date, 1, length(?4)) <= ?4))"
        " AND (?5 IS NULL OR d.kind || ':' || d.oid IN (SELECT value FROM json_each(?5)))"
        " ORDER BY r, d.kind, d.oid LIMIT ?6 OFFSET ?7",
        e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, q->match, -1, SQLITE_STATIC);
    if (q->has_kind) {
        sqlite3_bind_text(st, 2, obj_kind_name(q->kind), -1, SQLITE_STATIC);
    }
    if (q->from) {
        sqlite3_bind_text(st, 3, q->from, -1, SQLITE_STATIC);
    }
    if (q->to) {
        sqlite3_bind_text(st, 4, q->to, -1, SQLITE_STATIC);
    }
    if (q->in_json) {
        sqlite3_bind_text(st, 5, q->in_json, -1, SQLITE_STATIC);
    }
    sqlite3_bind_int64(st, 6, (sqlite3_int64)limit);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)q->offset);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n_out < limit) {
        struct store_text_hit *h = &(*out)[*n_out];
        if (!kind_of((const char *)sqlite3_column_text(st, 0), &h->kind)) {
            continue;
        }
        h->id = arena_strdup(arena, (const char *)sqlite3_column_text(st, 1));
        h->date = sqlite3_column_type(st, 2) == SQLITE_NULL
                      ? NULL
                      : arena_strdup(arena, (const char *)sqlite3_column_text(st, 2));
        h->rank = sqlite3_column_double(st, 3);
        const char *snip = (const char *)sqlite3_column_text(st, 4);
        h->snippet = arena_strdup(arena, snip ? snip : "");
        (*n_out)++;
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        int code = sqlite3_extended_errcode(s->db);
        enum app_err r =
            (code & 0xff) == SQLITE_ERROR
                ? err_set(e, E_INVALID, "cannot read the query: %s", sqlite3_errmsg(s->db))
                : store_fail(s, e, "cannot search the text index");
        sqlite3_reset(st);
        return r;
    }
    sqlite3_reset(st);
    return E_OK;
}

const char *store_source_text(struct store *s, const char *source, struct arena *arena)
{
    struct err e = ERR_INIT;
    sqlite3_stmt *st =
        store_stmt(s, SL_SRC_TEXT_GET, "SELECT text FROM source_text WHERE source = ?1", &e);
    if (!st) {
        return NULL;
    }
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    const char *text = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        text = arena_strndup(arena, (const char *)sqlite3_column_text(st, 0),
                             (size_t)sqlite3_column_bytes(st, 0));
    }
    sqlite3_reset(st);
    return text;
}

enum app_err store_source_text_set(struct store *s, const char *source, const char *text,
                                   struct err *e)
{
    sqlite3_stmt *st =
        text ? store_stmt(s, SL_SRC_TEXT_SET,
                          "INSERT INTO source_text (source, text) VALUES (?1, ?2)"
                          " ON CONFLICT (source) DO UPDATE SET text = excluded.text",
                          e)
             : store_stmt(s, SL_SRC_TEXT_DELETE, "DELETE FROM source_text WHERE source = ?1", e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    if (text) {
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    }
    return done(s, st, e, "cannot store the source's text");
}

static enum app_err ids_of(struct store *s, int slot_no, const char *sql, const char *param,
                           struct arena *arena, struct strs *out, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, slot_no, sql, e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
    return store_collect_ids(s, st, arena, out, e);
}

enum app_err store_person_refs(struct store *s, const char *person, struct arena *arena,
                               struct store_person_refs *out, struct err *e)
{
    enum app_err rc = ids_of(s, SL_REFS_EVENTS,
                             "SELECT event FROM event_person WHERE person = ?1"
                             " UNION SELECT id FROM event WHERE official = ?1 ORDER BY 1",
                             person, arena, &out->events, e);
    if (rc == E_OK) {
        rc = ids_of(s, SL_REFS_CASES,
                    "SELECT DISTINCT case_id FROM case_subject WHERE person = ?1 ORDER BY 1",
                    person, arena, &out->cases, e);
    }
    if (rc == E_OK) {
        rc = ids_of(s, SL_REFS_ACTIONS,
                    "SELECT DISTINCT action FROM action_target WHERE target = ?1 ORDER BY 1",
                    person, arena, &out->actions, e);
    }
    return rc;
}
