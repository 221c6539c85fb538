/*
 * objects.c: storing and reading the bundle's objects, driven by one table
 * per kind that maps struct members to columns and lists to child tables.
 *
 * The SQL for each operation is generated from those tables once per
 * connection and cached, always with bound parameters. A 128-bit BLAKE2b
 * digest of each object's content is kept beside it, so that writing an
 * unchanged object costs one lookup and no write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/buf.h"
#include "store/internal.h"

enum ctype {
    CT_TEXT,
    CT_DATE,
    CT_BOOL,
    CT_TRI,
    CT_INT,
    CT_EVTYPE,
};

struct col {
    const char *name;
    enum ctype type;
    size_t off;
};

enum cshape {
    CH_STRS,  /* struct strs at off; one column */
    CH_ARRAY, /* pointer at off, count at n_off, elements described by cols */
};

struct child {
    const char *table;
    const char *owner; /* column holding the owner's id */
    enum cshape shape;
    size_t off;
    size_t n_off;
    size_t elem_size;
    const struct col *cols;
    size_t n_cols;
};

struct objdef {
    const char *table;
    const struct col *cols; /* cols[0] is the id */
    size_t n_cols;
    const struct child *children;
    size_t n_children;
};

#define C(name, type, st, member)        \
    {                                    \
        name, type, offsetof(st, member) \
    }
#define CP(name, type, st, pmember, member)                                \
    {                                                                      \
        name, type, offsetof(st, pmember) + offsetof(struct place, member) \
    }
#define STRS(table, owner, col, st, member)                       \
    {                                                             \
        table, owner, CH_STRS, offsetof(st, member), 0, 0, col, 1 \
    }

static const struct col source_cols[] = {
    C("id", CT_TEXT, struct source, id),
    C("title", CT_TEXT, struct source, title),
    C("publisher", CT_TEXT, struct source, publisher),
    C("date", CT_DATE, struct source, date),
    C("approx", CT_BOOL, struct source, approx),
    C("url", CT_TEXT, struct source, url),
    C("kind", CT_TEXT, struct source, kind),
    C("reliability", CT_TEXT, struct source, reliability),
    C("credibility", CT_TEXT, struct source, credibility),
    C("has_file", CT_BOOL, struct source, has_file),
    C("file_name", CT_TEXT, struct source, file_name),
    C("file_sha256", CT_TEXT, struct source, file_sha256),
    C("file_media_type", CT_TEXT, struct source, file_media_type),
    C("file_extra", CT_TEXT, struct source, file_extra),
    C("extra", CT_TEXT, struct source, extra),
};

static const struct col organization_cols[] = {
    C("id", CT_TEXT, struct organization, id),
    C("name", CT_TEXT, struct organization, name),
    C("country", CT_TEXT, struct organization, country),
    C("kind", CT_TEXT, struct organization, kind),
    C("parent", CT_TEXT, struct organization, parent),
    C("extra", CT_TEXT, struct organization, extra),
};

static const struct col person_cols[] = {
    C("id", CT_TEXT, struct person, id),
    C("sex", CT_TEXT, struct person, sex),
    C("birth_date", CT_DATE, struct person, birth_date),
    C("ethnicity", CT_TEXT, struct person, ethnicity),
    C("religion", CT_TEXT, struct person, religion),
    C("has_origin", CT_BOOL, struct person, has_origin),
    CP("origin_country", CT_TEXT, struct person, origin, country),
    CP("origin_region", CT_TEXT, struct person, origin, region),
    CP("origin_name", CT_TEXT, struct person, origin, name),
    CP("origin_extra", CT_TEXT, struct person, origin, extra),
    C("sensitive", CT_TRI, struct person, sensitive),
    C("is_group", CT_TRI, struct person, group),
    C("group_size", CT_INT, struct person, group_size),
    C("extra", CT_TEXT, struct person, extra),
};

static const struct col name_cols[] = {
    C("full", CT_TEXT, struct person_name, full),
    C("script", CT_TEXT, struct person_name, script),
    C("lang", CT_TEXT, struct person_name, lang),
    C("kind", CT_TEXT, struct person_name, kind),
    C("extra", CT_TEXT, struct person_name, extra),
};

static const struct col position_cols[] = {
    C("organization", CT_TEXT, struct position, organization),
    C("title", CT_TEXT, struct position, title),
    C("from_date", CT_DATE, struct position, from),
    C("to_date", CT_DATE, struct position, to),
    C("extra", CT_TEXT, struct position, extra),
};

static const struct col col_country[] = {{"country", CT_TEXT, 0}};
static const struct col col_tag[] = {{"tag", CT_TEXT, 0}};
static const struct col col_source[] = {{"source", CT_TEXT, 0}};
static const struct col col_person[] = {{"person", CT_TEXT, 0}};
static const struct col col_harm[] = {{"harm", CT_TEXT, 0}};
static const struct col col_target[] = {{"target", CT_TEXT, 0}};
static const struct col col_demand[] = {{"demand", CT_TEXT, 0}};

static const struct child person_children[] = {
    {"person_name", "person", CH_ARRAY, offsetof(struct person, names),
     offsetof(struct person, n_names), sizeof(struct person_name), name_cols, ARRAY_LEN(name_cols)},
    STRS("person_nationality", "person", col_country, struct person, nationality),
    STRS("person_profile", "person", col_tag, struct person, profiles),
    STRS("person_source", "person", col_source, struct person, sources),
    {"position", "person", CH_ARRAY, offsetof(struct person, positions),
     offsetof(struct person, n_positions), sizeof(struct position), position_cols,
     ARRAY_LEN(position_cols)},
};

static const struct col case_cols[] = {
    C("id", CT_TEXT, struct case_, id),         C("title", CT_TEXT, struct case_, title),
    C("state", CT_TEXT, struct case_, state),   C("opened", CT_DATE, struct case_, opened),
    C("status", CT_TEXT, struct case_, status), C("summary", CT_TEXT, struct case_, summary),
    C("extra", CT_TEXT, struct case_, extra),
};

static const struct child case_children[] = {
    STRS("case_subject", "case_id", col_person, struct case_, subjects),
    STRS("case_tag", "case_id", col_tag, struct case_, tags),
};

static const struct col event_cols[] = {
    C("id", CT_TEXT, struct event, id),
    C("type", CT_EVTYPE, struct event, type),
    C("date", CT_DATE, struct event, date),
    C("approx", CT_BOOL, struct event, approx),
    C("end_date", CT_DATE, struct event, end_date),
    C("has_place", CT_BOOL, struct event, has_place),
    CP("place_country", CT_TEXT, struct event, place, country),
    CP("place_region", CT_TEXT, struct event, place, region),
    CP("place_name", CT_TEXT, struct event, place, name),
    CP("place_extra", CT_TEXT, struct event, place, extra),
    C("by_org", CT_TEXT, struct event, by),
    C("official", CT_TEXT, struct event, official),
    C("description", CT_TEXT, struct event, description),
    C("from_country", CT_TEXT, struct event, from_country),
    C("to_country", CT_TEXT, struct event, to_country),
    C("by_country", CT_TEXT, struct event, by_country),
    C("state", CT_TEXT, struct event, state),
    C("irregular", CT_TRI, struct event, irregular),
    C("presented", CT_TRI, struct event, presented_to_authorities),
    C("presented_on", CT_DATE, struct event, presented_on),
    C("outcome", CT_TEXT, struct event, outcome),
    C("final", CT_TRI, struct event, final),
    C("appeal_until", CT_DATE, struct event, appeal_until),
    C("kind", CT_TEXT, struct event, kind),
    C("offence", CT_TEXT, struct event, offence),
    C("law", CT_TEXT, struct event, law),
    C("sentence", CT_TEXT, struct event, sentence),
    C("entry_related", CT_TRI, struct event, entry_related),
    C("mode", CT_TEXT, struct event, mode),
    C("provided", CT_TRI, struct event, provided),
    C("access_to", CT_TEXT, struct event, to),
    C("alleged", CT_TRI, struct event, alleged),
    C("extra", CT_TEXT, struct event, extra),
};

static const struct child event_children[] = {
    STRS("event_person", "event", col_person, struct event, persons),
    STRS("event_source", "event", col_source, struct event, sources),
};

static const struct col risk_cols[] = {
    C("id", CT_TEXT, struct risk, id),         C("country", CT_TEXT, struct risk, country),
    C("region", CT_TEXT, struct risk, region), C("from_date", CT_DATE, struct risk, from),
    C("to_date", CT_DATE, struct risk, to),    C("extra", CT_TEXT, struct risk, extra),
};

static const struct child risk_children[] = {
    STRS("risk_profile", "risk", col_tag, struct risk, profiles),
    STRS("risk_harm", "risk", col_harm, struct risk, harms),
    STRS("risk_source", "risk", col_source, struct risk, sources),
};

static const struct col action_cols[] = {
    C("id", CT_TEXT, struct action, id),         C("case_id", CT_TEXT, struct action, case_id),
    C("kind", CT_TEXT, struct action, kind),     C("date", CT_DATE, struct action, date),
    C("approx", CT_BOOL, struct action, approx), C("outcome", CT_TEXT, struct action, outcome),
    C("extra", CT_TEXT, struct action, extra),
};

static const struct child action_children[] = {
    STRS("action_target", "action", col_target, struct action, targets),
    STRS("action_demand", "action", col_demand, struct action, demands),
};

static const struct objdef defs[OBJ_KIND_COUNT] = {
    [OBJ_SOURCE] = {"source", source_cols, ARRAY_LEN(source_cols), NULL, 0},
    [OBJ_PERSON] = {"person", person_cols, ARRAY_LEN(person_cols), person_children,
                    ARRAY_LEN(person_children)},
    [OBJ_ORGANIZATION] = {"organization", organization_cols, ARRAY_LEN(organization_cols), NULL, 0},
    [OBJ_CASE] = {"case_file", case_cols, ARRAY_LEN(case_cols), case_children,
                  ARRAY_LEN(case_children)},
    [OBJ_EVENT] = {"event", event_cols, ARRAY_LEN(event_cols), event_children,
                   ARRAY_LEN(event_children)},
    [OBJ_RISK] = {"risk", risk_cols, ARRAY_LEN(risk_cols), risk_children, ARRAY_LEN(risk_children)},
    [OBJ_ACTION] = {"action", action_cols, ARRAY_LEN(action_cols), action_children,
                    ARRAY_LEN(action_children)},
};

/* Statement slots within a kind's block. */
enum {
    OP_INSERT,
    OP_DIGEST,
    OP_UPDATE,
    OP_GET,
    OP_EXISTS,
    OP_VERSION,
    OP_EACH,
    OP_COUNT,
    OP_CHILD0, /* then 4 per child: insert, delete, select one owner, select all */
};

enum { CH_INSERT, CH_DELETE, CH_SELECT, CH_ALL, CH_OPS };

static int slot(enum obj_kind k, int op)
{
    return (int)k * STMT_PER_KIND + op;
}

static int child_slot(enum obj_kind k, size_t child, int op)
{
    return slot(k, OP_CHILD0 + (int)child * CH_OPS + op);
}

/* The member at byte offset off of a struct: AT for writing, CAT for reading. */
#define AT(ptr, off, type)  ((type *)(void *)((char *)(ptr) + (off)))
#define CAT(ptr, off, type) ((type *)(const void *)((const char *)(ptr) + (off)))

/* ---------------------------------------------------------- values */

static void bind_col(sqlite3_stmt *st, int i, const struct col *c, const void *obj)
{
    switch (c->type) {
    case CT_TEXT: {
        const char *v = *CAT(obj, c->off, const char *const);
        if (v) {
            sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
        } else {
            sqlite3_bind_null(st, i);
        }
        break;
    }
    case CT_DATE: {
        struct date d = *CAT(obj, c->off, const struct date);
        if (d.prec) {
            char iso[DATE_ISO_MAX];
            date_iso(d, iso);
            sqlite3_bind_text(st, i, iso, -1, SQLITE_TRANSIENT);
        } else {
            sqlite3_bind_null(st, i);
        }
        break;
    }
    case CT_BOOL:
        sqlite3_bind_int(st, i, *CAT(obj, c->off, const bool) ? 1 : 0);
        break;
    case CT_TRI: {
        enum tri t = *CAT(obj, c->off, const enum tri);
        if (t == TRI_UNKNOWN) {
            sqlite3_bind_null(st, i);
        } else {
            sqlite3_bind_int(st, i, t == TRI_TRUE);
        }
        break;
    }
    case CT_INT: {
        int64_t v = *CAT(obj, c->off, const int64_t);
        if (v) {
            sqlite3_bind_int64(st, i, v);
        } else {
            sqlite3_bind_null(st, i);
        }
        break;
    }
    case CT_EVTYPE:
        sqlite3_bind_text(st, i, event_type_name(*CAT(obj, c->off, const enum event_type)), -1,
                          SQLITE_STATIC);
        break;
    }
}

static void read_col(sqlite3_stmt *st, int i, const struct col *c, void *obj, struct arena *a)
{
    bool null = sqlite3_column_type(st, i) == SQLITE_NULL;
    switch (c->type) {
    case CT_TEXT:
        *AT(obj, c->off, const char *) =
            null ? NULL
                 : arena_strndup(a, (const char *)sqlite3_column_text(st, i),
                                 (size_t)sqlite3_column_bytes(st, i));
        break;
    case CT_DATE: {
        struct date d = {0};
        const char *why;
        if (!null && !date_parse((const char *)sqlite3_column_text(st, i), &d, &why)) {
            d = (struct date){0};
        }
        *AT(obj, c->off, struct date) = d;
        break;
    }
    case CT_BOOL:
        *AT(obj, c->off, bool) = sqlite3_column_int(st, i) != 0;
        break;
    case CT_TRI:
        *AT(obj, c->off, enum tri) =
            null ? TRI_UNKNOWN : (sqlite3_column_int(st, i) ? TRI_TRUE : TRI_FALSE);
        break;
    case CT_INT:
        *AT(obj, c->off, int64_t) = null ? 0 : sqlite3_column_int64(st, i);
        break;
    case CT_EVTYPE: {
        enum event_type t = EV_OTHER;
        if (!null) {
            event_type_parse((const char *)sqlite3_column_text(st, i), &t);
        }
        *AT(obj, c->off, enum event_type) = t;
        break;
    }
    }
}

/* Feeds one column's value to the digest: a type tag, then the value. */
static void digest_col(crypto_generichash_state *h, const struct col *c, const void *obj)
{
    unsigned char tag = (unsigned char)c->type;
    crypto_generichash_update(h, &tag, 1);
    switch (c->type) {
    case CT_TEXT: {
        const char *v = *CAT(obj, c->off, const char *const);
        uint64_t n = v ? strlen(v) + 1 : 0; /* 0 = NULL, else length + 1 */
        crypto_generichash_update(h, (const unsigned char *)&n, sizeof n);
        if (v) {
            crypto_generichash_update(h, (const unsigned char *)v, n - 1);
        }
        break;
    }
    case CT_DATE: {
        /* Field by field: the struct's padding bytes are not part of the value. */
        const struct date *d = CAT(obj, c->off, const struct date);
        unsigned char v[5] = {(unsigned char)(d->year & 0xff), (unsigned char)(d->year >> 8),
                              d->month, d->day, d->prec};
        crypto_generichash_update(h, v, sizeof v);
        break;
    }
    case CT_BOOL: {
        unsigned char b = *CAT(obj, c->off, const bool) ? 1 : 0;
        crypto_generichash_update(h, &b, 1);
        break;
    }
    case CT_TRI:
    case CT_EVTYPE: {
        int32_t v = (int32_t)*CAT(obj, c->off, const int);
        crypto_generichash_update(h, (const unsigned char *)&v, sizeof v);
        break;
    }
    case CT_INT:
        crypto_generichash_update(h, (const unsigned char *)CAT(obj, c->off, const int64_t),
                                  sizeof(int64_t));
        break;
    }
}

static size_t child_count(const struct child *ch, const void *obj)
{
    if (ch->shape == CH_STRS) {
        return CAT(obj, ch->off, const struct strs)->n_items;
    }
    return *CAT(obj, ch->n_off, const size_t);
}

/* The element i of a child list, and the column set to use on it. */
static const void *child_elem(const struct child *ch, const void *obj, size_t i)
{
    if (ch->shape == CH_STRS) {
        return &CAT(obj, ch->off, const struct strs)->items[i];
    }
    const char *base = *CAT(obj, ch->off, const char *const);
    return base + i * ch->elem_size;
}

enum { DIGEST_BYTES = 16 };

static void digest_obj(const struct objdef *d, const void *obj, unsigned char out[DIGEST_BYTES])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, DIGEST_BYTES);
    for (size_t i = 0; i < d->n_cols; i++) {
        digest_col(&h, &d->cols[i], obj);
    }
    for (size_t c = 0; c < d->n_children; c++) {
        const struct child *ch = &d->children[c];
        uint64_t n = child_count(ch, obj);
        crypto_generichash_update(&h, (const unsigned char *)&n, sizeof n);
        for (size_t i = 0; i < n; i++) {
            const void *el = child_elem(ch, obj, i);
            for (size_t k = 0; k < ch->n_cols; k++) {
                digest_col(&h, &ch->cols[k], el);
            }
        }
    }
    crypto_generichash_final(&h, out, DIGEST_BYTES);
}

/* ---------------------------------------------------------- SQL text */

static void add_col_list(struct buf *b, const struct col *cols, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        buf_addf(b, "%s%s", i ? ", " : "", cols[i].name);
    }
}

static void add_params(struct buf *b, size_t first, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        buf_addf(b, "%s?%zu", i ? ", " : "", first + i);
    }
}

static sqlite3_stmt *prepare_op(struct store *s, enum obj_kind k, int op, struct err *e)
{
    const struct objdef *d = &defs[k];
    int sl = slot(k, op);
    if (s->stmts[sl]) {
        return store_stmt(s, sl, NULL, e);
    }
    struct buf b = BUF_INIT;
    switch (op) {
    case OP_INSERT:
        buf_addf(&b, "INSERT INTO %s (", d->table);
        add_col_list(&b, d->cols, d->n_cols);
        buf_adds(&b, ", digest, updated, json) VALUES (");
        add_params(&b, 1, d->n_cols + 3);
        buf_adds(&b, ") ON CONFLICT (id) DO NOTHING");
        break;
    case OP_DIGEST:
        buf_addf(&b, "SELECT digest FROM %s WHERE id = ?1", d->table);
        break;
    case OP_UPDATE:
        buf_addf(&b, "UPDATE %s SET ", d->table);
        for (size_t i = 1; i < d->n_cols; i++) {
            buf_addf(&b, "%s = ?%zu, ", d->cols[i].name, i + 1);
        }
        buf_addf(&b,
                 "digest = ?%zu, updated = ?%zu, json = ?%zu, version = version + 1 WHERE id = ?1",
                 d->n_cols + 1, d->n_cols + 2, d->n_cols + 3);
        break;
    case OP_GET:
    case OP_EACH:
        buf_adds(&b, "SELECT ");
        add_col_list(&b, d->cols, d->n_cols);
        buf_addf(&b, " FROM %s %s", d->table, op == OP_GET ? "WHERE id = ?1" : "ORDER BY id");
        break;
    case OP_EXISTS:
        buf_addf(&b, "SELECT 1 FROM %s WHERE id = ?1", d->table);
        break;
    case OP_VERSION:
        buf_addf(&b, "SELECT version FROM %s WHERE id = ?1", d->table);
        break;
    case OP_COUNT:
        buf_addf(&b, "SELECT count(*) FROM %s", d->table);
        break;
    default:
        break;
    }
    sqlite3_stmt *st = store_stmt(s, sl, b.data, e);
    buf_release(&b);
    return st;
}

static sqlite3_stmt *prepare_child(struct store *s, enum obj_kind k, size_t c, int op,
                                   struct err *e)
{
    const struct child *ch = &defs[k].children[c];
    int sl = child_slot(k, c, op);
    if (s->stmts[sl]) {
        return store_stmt(s, sl, NULL, e);
    }
    struct buf b = BUF_INIT;
    switch (op) {
    case CH_INSERT:
        buf_addf(&b, "INSERT INTO %s (%s, pos, ", ch->table, ch->owner);
        add_col_list(&b, ch->cols, ch->n_cols);
        buf_adds(&b, ") VALUES (");
        add_params(&b, 1, ch->n_cols + 2);
        buf_adds(&b, ")");
        break;
    case CH_DELETE:
        buf_addf(&b, "DELETE FROM %s WHERE %s = ?1", ch->table, ch->owner);
        break;
    case CH_SELECT:
    case CH_ALL:
        buf_addf(&b, "SELECT %s, ", ch->owner);
        add_col_list(&b, ch->cols, ch->n_cols);
        buf_addf(&b, " FROM %s ", ch->table);
        buf_addf(&b, op == CH_SELECT ? "WHERE %s = ?1 ORDER BY pos" : "ORDER BY %s, pos",
                 ch->owner);
        break;
    default:
        break;
    }
    sqlite3_stmt *st = store_stmt(s, sl, b.data, e);
    buf_release(&b);
    return st;
}

/* ---------------------------------------------------------- writing */

static enum app_err step_done(struct store *s, sqlite3_stmt *st, struct err *e, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        return store_fail(s, e, what);
    }
    return E_OK;
}

static enum app_err put_children(struct store *s, enum obj_kind k, const void *obj, bool replace,
                                 struct err *e)
{
    const struct objdef *d = &defs[k];
    const char *id = *CAT(obj, d->cols[0].off, const char *const);
    for (size_t c = 0; c < d->n_children; c++) {
        const struct child *ch = &d->children[c];
        sqlite3_stmt *st;
        if (replace) {
            st = prepare_child(s, k, c, CH_DELETE, e);
            if (!st) {
                return e->code;
            }
            sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
            enum app_err rc = step_done(s, st, e, "cannot update a list");
            if (rc != E_OK) {
                return rc;
            }
        }
        size_t n = child_count(ch, obj);
        if (!n) {
            continue;
        }
        st = prepare_child(s, k, c, CH_INSERT, e);
        if (!st) {
            return e->code;
        }
        for (size_t i = 0; i < n; i++) {
            const void *el = child_elem(ch, obj, i);
            sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
            for (size_t col = 0; col < ch->n_cols; col++) {
                bind_col(st, (int)col + 3, &ch->cols[col], el);
            }
            enum app_err rc = step_done(s, st, e, "cannot store a list item");
            if (rc != E_OK) {
                return rc;
            }
        }
    }
    return E_OK;
}

static void now_iso(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Binds the columns, the digest, the time and the object's JSON text (NULL
 * when no encoder is registered: encoded.c). */
static void bind_row(sqlite3_stmt *st, const struct objdef *d, const void *obj,
                     const unsigned char digest[DIGEST_BYTES], const char *now,
                     const struct buf *json)
{
    for (size_t i = 0; i < d->n_cols; i++) {
        bind_col(st, (int)i + 1, &d->cols[i], obj);
    }
    sqlite3_bind_blob(st, (int)d->n_cols + 1, digest, DIGEST_BYTES, SQLITE_STATIC);
    sqlite3_bind_text(st, (int)d->n_cols + 2, now, -1, SQLITE_STATIC);
    if (json) {
        sqlite3_bind_text(st, (int)d->n_cols + 3, json->data, (int)json->len, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, (int)d->n_cols + 3);
    }
}

enum app_err store_put(struct store *s, enum obj_kind kind, const void *obj,
                       enum store_put_result *result, struct err *e)
{
    const struct objdef *d = &defs[kind];
    unsigned char digest[DIGEST_BYTES];
    char now[32];
    digest_obj(d, obj, digest);
    now_iso(now);
    struct buf text = BUF_INIT;
    const struct buf *json = store_encode_obj(kind, obj, &text) ? &text : NULL;

    sqlite3_stmt *st = prepare_op(s, kind, OP_INSERT, e);
    if (!st) {
        buf_release(&text);
        return e->code;
    }
    bind_row(st, d, obj, digest, now, json);
    enum app_err rc = step_done(s, st, e, "cannot store an object");
    if (rc != E_OK) {
        buf_release(&text);
        return rc;
    }
    if (sqlite3_changes(s->db) == 1) {
        buf_release(&text);
        *result = STORE_INSERTED;
        rc = kind == OBJ_EVENT ? store_scan_event_put(s, obj, e) : E_OK;
        return rc == E_OK ? put_children(s, kind, obj, false, e) : rc;
    }
    /* The id exists: compare digests, and write only a real change. */
    const char *id = *CAT(obj, d->cols[0].off, const char *const);
    st = prepare_op(s, kind, OP_DIGEST, e);
    if (!st) {
        buf_release(&text);
        return e->code;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    bool same = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == DIGEST_BYTES &&
                memcmp(sqlite3_column_blob(st, 0), digest, DIGEST_BYTES) == 0;
    sqlite3_reset(st);
    if (same) {
        buf_release(&text);
        *result = STORE_UNCHANGED;
        return E_OK;
    }
    st = prepare_op(s, kind, OP_UPDATE, e);
    if (!st) {
        buf_release(&text);
        return e->code;
    }
    bind_row(st, d, obj, digest, now, json);
    rc = step_done(s, st, e, "cannot update an object");
    buf_release(&text);
    if (rc != E_OK) {
        return rc;
    }
    *result = STORE_UPDATED;
    rc = kind == OBJ_EVENT ? store_scan_event_put(s, obj, e) : E_OK;
    return rc == E_OK ? put_children(s, kind, obj, true, e) : rc;
}

/* ---------------------------------------------------------- reading */

static void read_row(sqlite3_stmt *st, const struct objdef *d, void *obj, struct arena *a)
{
    for (size_t i = 0; i < d->n_cols; i++) {
        read_col(st, (int)i, &d->cols[i], obj, a);
    }
}

/* Appends one child row (columns from `first`) to the object's list. The list
 * grows by doubling in the arena; `alloc` tracks capacity per child. */
static void add_child_row(sqlite3_stmt *st, int first, const struct child *ch, void *obj,
                          size_t *alloc, struct arena *a)
{
    size_t n = child_count(ch, obj);
    size_t elem = ch->shape == CH_STRS ? sizeof(const char *) : ch->elem_size;
    void **items = ch->shape == CH_STRS ? (void **)(void *)&AT(obj, ch->off, struct strs)->items
                                        : AT(obj, ch->off, void *);
    if (n == *alloc) {
        size_t cap = *alloc ? *alloc * 2 : 4;
        void *grown = arena_alloc(a, cap * elem);
        if (n) {
            memcpy(grown, *items, n * elem);
        }
        *items = grown;
        *alloc = cap;
    }
    void *el = (char *)*items + n * elem;
    if (ch->shape == CH_STRS) {
        const struct col c = {ch->cols[0].name, CT_TEXT, 0};
        read_col(st, first, &c, el, a);
        AT(obj, ch->off, struct strs)->n_items = n + 1;
    } else {
        for (size_t k = 0; k < ch->n_cols; k++) {
            read_col(st, first + (int)k, &ch->cols[k], el, a);
        }
        *AT(obj, ch->n_off, size_t) = n + 1;
    }
}

enum { OBJ_MAX_SIZE = 512, MAX_CHILDREN = 8 };

static size_t obj_size(enum obj_kind k)
{
    return obj_kind_size(k);
}

enum app_err store_get(struct store *s, enum obj_kind kind, const char *id, struct arena *arena,
                       void *obj, struct err *e)
{
    const struct objdef *d = &defs[kind];
    memset(obj, 0, obj_size(kind));
    sqlite3_stmt *st = prepare_op(s, kind, OP_GET, e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    enum app_err rc = store_step_object(s, st, kind, id, e);
    if (rc != E_OK) {
        return rc;
    }
    read_row(st, d, obj, arena);
    sqlite3_reset(st);
    for (size_t c = 0; c < d->n_children; c++) {
        st = prepare_child(s, kind, c, CH_SELECT, e);
        if (!st) {
            return e->code;
        }
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        size_t alloc = 0;
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            add_child_row(st, 1, &d->children[c], obj, &alloc, arena);
        }
        sqlite3_reset(st);
        if (step != SQLITE_DONE) {
            return store_fail(s, e, "cannot read a list");
        }
    }
    return E_OK;
}

static int64_t one_int(struct store *s, enum obj_kind kind, int op, const char *id)
{
    struct err e = ERR_INIT;
    sqlite3_stmt *st = prepare_op(s, kind, op, &e);
    if (!st) {
        return 0;
    }
    if (id) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    }
    int rc = sqlite3_step(st);
    int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_fail(s, &e, "cannot read"); /* counted: store_failures() */
    }
    sqlite3_reset(st);
    return v;
}

bool store_exists(struct store *s, enum obj_kind kind, const char *id)
{
    return one_int(s, kind, OP_EXISTS, id) == 1;
}

int64_t store_version(struct store *s, enum obj_kind kind, const char *id)
{
    return one_int(s, kind, OP_VERSION, id);
}

int64_t store_count(struct store *s, enum obj_kind kind)
{
    return one_int(s, kind, OP_COUNT, NULL);
}

/* Iteration joins each object with its child rows by walking every child
 * table in (owner, pos) order alongside the objects in id order: one pass
 * over each table, no query per object. */
enum app_err store_each(struct store *s, enum obj_kind kind, store_each_fn fn, void *ctx,
                        struct err *e)
{
    const struct objdef *d = &defs[kind];
    sqlite3_stmt *kids[MAX_CHILDREN] = {NULL};
    bool kid_row[MAX_CHILDREN] = {false};
    enum app_err rc = E_OK;
    for (size_t c = 0; c < d->n_children; c++) {
        kids[c] = prepare_child(s, kind, c, CH_ALL, e);
        if (!kids[c]) {
            return e->code;
        }
        kid_row[c] = sqlite3_step(kids[c]) == SQLITE_ROW;
    }
    sqlite3_stmt *st = prepare_op(s, kind, OP_EACH, e);
    if (!st) {
        return e->code;
    }
    struct arena arena = ARENA_INIT;
    unsigned char objbuf[OBJ_MAX_SIZE] __attribute__((aligned(16)));
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        void *obj = objbuf;
        memset(obj, 0, obj_size(kind));
        read_row(st, d, obj, &arena);
        const char *id = *CAT(obj, d->cols[0].off, const char *const);
        for (size_t c = 0; c < d->n_children; c++) {
            size_t alloc = 0;
            while (kid_row[c]) {
                int cmp = strcmp((const char *)sqlite3_column_text(kids[c], 0), id);
                if (cmp > 0) {
                    break;
                }
                if (cmp == 0) {
                    add_child_row(kids[c], 1, &d->children[c], obj, &alloc, &arena);
                }
                kid_row[c] = sqlite3_step(kids[c]) == SQLITE_ROW;
            }
        }
        rc = fn(ctx, obj);
        arena_release(&arena);
        if (rc != E_OK) {
            break;
        }
    }
    if (rc == E_OK && step != SQLITE_DONE && step != SQLITE_ROW) {
        rc = store_fail(s, e, "cannot read objects");
    }
    sqlite3_reset(st);
    for (size_t c = 0; c < d->n_children; c++) {
        sqlite3_reset(kids[c]);
    }
    arena_release(&arena);
    return rc;
}

enum app_err store_collect_ids(struct store *s, sqlite3_stmt *st, struct arena *arena,
                               struct strs *out, struct err *e)
{
    size_t alloc = 0;
    out->items = NULL;
    out->n_items = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n_items == alloc) {
            size_t cap = alloc ? alloc * 2 : 16;
            const char **grown = arena_alloc(arena, cap * sizeof *grown);
            if (out->n_items) {
                memcpy(grown, out->items, out->n_items * sizeof *grown);
            }
            out->items = grown;
            alloc = cap;
        }
        out->items[out->n_items++] = arena_strdup(arena, (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? E_OK : store_fail(s, e, "cannot read ids");
}

/* Runs a one-parameter query whose rows are ids, collecting them in arena. */
static enum app_err collect_ids(struct store *s, int slot_no, const char *sql, const char *param,
                                struct arena *arena, struct strs *out, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, slot_no, sql, e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
    return store_collect_ids(s, st, arena, out, e);
}

enum app_err store_events_of_person(struct store *s, const char *person_id, struct arena *arena,
                                    struct strs *out, struct err *e)
{
    return collect_ids(s, STMT_MISC + 0,
                       "SELECT DISTINCT event FROM event_person WHERE person = ?1", person_id,
                       arena, out, e);
}

enum app_err store_actions_of_case(struct store *s, const char *case_id, struct arena *arena,
                                   struct strs *out, struct err *e)
{
    return collect_ids(s, STMT_MISC + 1, "SELECT id FROM action WHERE case_id = ?1 ORDER BY id",
                       case_id, arena, out, e);
}

/* A JSON array of the ids, for `IN (SELECT value FROM json_each(?))`. */
static void ids_json(const struct strs *ids, struct buf *b)
{
    buf_addch(b, '[');
    for (size_t i = 0; i < ids->n_items; i++) {
        buf_adds(b, i ? ",\"" : "\"");
        for (const char *p = ids->items[i]; *p; p++) {
            if (*p == '"' || *p == '\\') {
                buf_addch(b, '\\');
            }
            buf_addch(b, *p);
        }
        buf_addch(b, '"');
    }
    buf_addch(b, ']');
}

/* Slots for the batch queries: the objects, then one per child, after the
 * children's block. */
static int many_slot(enum obj_kind k, int which)
{
    return slot(k, OP_CHILD0 + MAX_CHILDREN * CH_OPS + which);
}

/* Reads the objects with the given ids. By list (`range` false): `id IN` a
 * JSON array of them. By range (`range` true, ids sorted in byte order): the
 * rows between the first and the last id, in index order, keeping those in
 * the list: no temporary index and no sort, for pages of consecutive ids. */
static enum app_err get_many(struct store *s, enum obj_kind kind, const struct strs *ids,
                             bool range, struct arena *arena, void **out, size_t *n_out,
                             struct err *e)
{
    const struct objdef *d = &defs[kind];
    size_t size = obj_size(kind);
    *out = arena_alloc(arena, (ids->n_items + 1) * size);
    *n_out = 0;
    if (!ids->n_items) {
        return E_OK;
    }
    struct buf json = BUF_INIT;
    if (!range) {
        ids_json(ids, &json);
    }
    const char *first = ids->items[0];
    const char *last = ids->items[ids->n_items - 1];
    int base = range ? 1 + MAX_CHILDREN : 0;
    struct buf sql = BUF_INIT;
    int sl = many_slot(kind, base);
    if (!s->stmts[sl]) {
        buf_adds(&sql, "SELECT ");
        add_col_list(&sql, d->cols, d->n_cols);
        buf_addf(&sql, " FROM %s WHERE %s ORDER BY id", d->table,
                 range ? "id BETWEEN ?2 AND ?3" : "id IN (SELECT value FROM json_each(?1))");
    }
    sqlite3_stmt *st = store_stmt(s, sl, sql.data, e);
    buf_release(&sql);
    enum app_err rc = E_OK;
    if (!st) {
        buf_release(&json);
        return e->code;
    }
    if (range) {
        sqlite3_bind_text(st, 2, first, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, last, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_text(st, 1, json.data, (int)json.len, SQLITE_STATIC);
    }
    char *arr = *out;
    int step;
    size_t want = 0; /* range: the next id of the list not yet passed */
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (range) {
            const char *id = (const char *)sqlite3_column_text(st, 0);
            while (want < ids->n_items && strcmp(ids->items[want], id) < 0) {
                want++;
            }
            if (want == ids->n_items || strcmp(ids->items[want], id) != 0) {
                continue; /* between two ids of the list, not in it */
            }
        }
        read_row(st, d, arr + *n_out * size, arena);
        (*n_out)++;
    }
    sqlite3_reset(st);
    if (step != SQLITE_DONE) {
        buf_release(&json);
        return store_fail(s, e, "cannot read objects");
    }
    for (size_t c = 0; c < d->n_children && rc == E_OK; c++) {
        const struct child *ch = &d->children[c];
        sl = many_slot(kind, base + 1 + (int)c);
        buf_init(&sql);
        if (!s->stmts[sl]) {
            buf_addf(&sql, "SELECT %s, ", ch->owner);
            add_col_list(&sql, ch->cols, ch->n_cols);
            if (range) {
                buf_addf(&sql, " FROM %s WHERE %s BETWEEN ?2 AND ?3 ORDER BY %s, pos", ch->table,
                         ch->owner, ch->owner);
            } else {
                buf_addf(&sql,
                         " FROM %s WHERE %s IN (SELECT value FROM json_each(?1)) ORDER BY %s, pos",
                         ch->table, ch->owner, ch->owner);
            }
        }
        st = store_stmt(s, sl, sql.data, e);
        buf_release(&sql);
        if (!st) {
            rc = e->code;
            break;
        }
        if (range) {
            sqlite3_bind_text(st, 2, first, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, last, -1, SQLITE_STATIC);
        } else {
            sqlite3_bind_text(st, 1, json.data, (int)json.len, SQLITE_STATIC);
        }
        /* Both sides are in id order: walk them together. */
        size_t i = 0;
        size_t alloc = 0;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            const char *owner = (const char *)sqlite3_column_text(st, 0);
            while (i < *n_out &&
                   strcmp(*CAT(arr + i * size, d->cols[0].off, const char *const), owner) < 0) {
                i++;
                alloc = 0;
            }
            if (i < *n_out &&
                strcmp(*CAT(arr + i * size, d->cols[0].off, const char *const), owner) == 0) {
                add_child_row(st, 1, ch, arr + i * size, &alloc, arena);
            }
        }
        sqlite3_reset(st);
        if (step != SQLITE_DONE) {
            rc = store_fail(s, e, "cannot read lists");
        }
    }
    buf_release(&json);
    return rc;
}

enum app_err store_get_many(struct store *s, enum obj_kind kind, const struct strs *ids,
                            struct arena *arena, void **out, size_t *n_out, struct err *e)
{
    return get_many(s, kind, ids, false, arena, out, n_out, e);
}

enum app_err store_get_page(struct store *s, enum obj_kind kind, const struct strs *ids,
                            struct arena *arena, void **out, size_t *n_out, struct err *e)
{
    for (size_t i = 1; i < ids->n_items; i++) {
        if (strcmp(ids->items[i - 1], ids->items[i]) >= 0) {
            return get_many(s, kind, ids, false, arena, out, n_out, e); /* not a page */
        }
    }
    return get_many(s, kind, ids, true, arena, out, n_out, e);
}

enum app_err store_events_of_persons(struct store *s, const struct strs *persons,
                                     struct arena *arena, struct strs *out, struct err *e)
{
    struct buf json = BUF_INIT;
    ids_json(persons, &json);
    sqlite3_stmt *st = store_stmt(s, STMT_MISC + 2,
                                  "SELECT DISTINCT event FROM event_person WHERE person IN"
                                  " (SELECT value FROM json_each(?1))",
                                  e);
    if (!st) {
        buf_release(&json);
        return e->code;
    }
    sqlite3_bind_text(st, 1, json.data, (int)json.len, SQLITE_STATIC);
    enum app_err rc = store_collect_ids(s, st, arena, out, e);
    buf_release(&json);
    return rc;
}
