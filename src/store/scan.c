/*
 * scan.c: the whole-store passes of scan.h. One statement per table, each
 * walking one b-tree once from left to right: cases, persons and events
 * through their covering indexes (migration 0009: those columns alone, in
 * id order), lists in their primary key's order; only the columns the
 * check engine reads are decoded.
 */
#include "store/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "store/internal.h"

/* Slots STMT_MISC + 176 .. + 191 belong to this file. */
enum {
    SLOT_SCAN_CASES = STMT_MISC + 176,
    SLOT_SCAN_PERSONS,
    SLOT_SCAN_EVENTS,
    SLOT_SCAN_LIST, /* then one per list */
    SLOT_SCAN_EP_FROM = SLOT_SCAN_LIST + SCAN_LIST_COUNT,
    SLOT_SCAN_EP_BELOW,
    SLOT_SCAN_EP_RANGE,
    SLOT_SCAN_DATA_VERSION,
    SLOT_SCAN_FACTS_DELETE,
    SLOT_SCAN_FACTS_INSERT,
    SLOT_SCAN_END,
};

_Static_assert((int)SLOT_SCAN_END <= (int)STMT_MISC + 192, "scan.c uses STMT_MISC + 176 .. 191");
_Static_assert((int)SLOT_SCAN_END <= (int)STMT_SLOTS, "raise STMT_MISC_COUNT in internal.h");

static const char *text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i); /* NULL for NULL */
}

static enum tri tri_col(sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL) {
        return TRI_UNKNOWN;
    }
    return sqlite3_column_int(st, i) ? TRI_TRUE : TRI_FALSE;
}

/* Steps st to its end, calling row() for each row; resets st. */
static enum app_err each_row(struct store *s, sqlite3_stmt *st,
                             enum app_err (*row)(sqlite3_stmt *st, void *fn, void *ctx), void *fn,
                             void *ctx, struct err *e)
{
    enum app_err rc = E_OK;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = row(st, fn, ctx);
        if (rc != E_OK) {
            break;
        }
    }
    sqlite3_reset(st);
    if (rc == E_OK && step != SQLITE_DONE) {
        rc = store_fail(s, e, "cannot read the store");
    }
    return rc;
}

static enum app_err case_row(sqlite3_stmt *st, void *fn, void *ctx)
{
    struct case_ c = {.id = text(st, 0), .state = text(st, 1), .status = text(st, 2)};
    return (*(store_scan_case_fn *)fn)(ctx, &c);
}

enum app_err store_scan_cases(struct store *s, store_scan_case_fn fn, void *ctx, struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SLOT_SCAN_CASES, "SELECT id, state, status FROM case_file ORDER BY id", e);
    return st ? each_row(s, st, case_row, &fn, ctx, e) : e->code;
}

static enum app_err person_row(sqlite3_stmt *st, void *fn, void *ctx)
{
    struct person p = {.id = text(st, 0),
                       .ethnicity = text(st, 1),
                       .religion = text(st, 2),
                       .group = tri_col(st, 3),
                       .group_size = sqlite3_column_int64(st, 4)};
    return (*(store_scan_person_fn *)fn)(ctx, &p);
}

enum app_err store_scan_persons(struct store *s, store_scan_person_fn fn, void *ctx, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SLOT_SCAN_PERSONS,
                                  "SELECT id, ethnicity, religion, is_group, group_size"
                                  " FROM person ORDER BY id",
                                  e);
    return st ? each_row(s, st, person_row, &fn, ctx, e) : e->code;
}

/* One column of a packed event_scan row (migration 0009): "-" for NULL, or
 * the text's length in bytes, ":" and the text. Copies the text, with its
 * NUL, to *out (advanced) and sets *value to it (NULL for "-"). False when
 * the row does not read so. */
static bool unpack(const char **p, const char *end, char **out, const char **value)
{
    if (*p < end && **p == '-') {
        (*p)++;
        *value = NULL;
        return true;
    }
    size_t len = 0;
    const char *q = *p;
    while (q < end && *q >= '0' && *q <= '9' && len < ((size_t)1 << 40)) {
        len = len * 10 + (size_t)(*q++ - '0');
    }
    if (q == *p || q >= end || *q != ':' || (size_t)(end - q - 1) < len) {
        return false;
    }
    memcpy(*out, q + 1, len);
    (*out)[len] = '\0';
    *value = *out;
    *out += len + 1;
    *p = q + 1 + len;
    return true;
}

static struct date date_of(const char *s)
{
    struct date d = {0};
    const char *why;
    if (s && !date_parse(s, &d, &why)) {
        d = (struct date){0};
    }
    return d;
}

static enum tri tri_of(const char *s)
{
    return !s ? TRI_UNKNOWN : strcmp(s, "0") != 0 ? TRI_TRUE : TRI_FALSE;
}

/* The columns of event_scan.facts, in their order there. */
enum {
    PK_TYPE,
    PK_DATE,
    PK_APPROX,
    PK_END_DATE,
    PK_HAS_PLACE,
    PK_PLACE_COUNTRY,
    PK_FROM_COUNTRY,
    PK_TO_COUNTRY,
    PK_BY_COUNTRY,
    PK_OUTCOME,
    PK_FINAL,
    PK_APPEAL_UNTIL,
    PK_KIND,
    PK_OFFENCE,
    PK_ENTRY_RELATED,
    PK_PRESENTED,
    PK_PROVIDED,
    PK_ACCESS_TO,
    PK_COUNT
};

struct event_pass {
    store_scan_event_fn fn;
    void *ctx;
    char *scratch; /* the columns of one row, each NUL-terminated */
    size_t cap;
    char *bad; /* the id of a row that did not read (a copy) */
};

static enum app_err event_row(sqlite3_stmt *st, void *pass_, void *ctx)
{
    (void)ctx;
    struct event_pass *pass = pass_;
    const char *id = text(st, 0);
    const char *facts = text(st, 1);
    size_t n = facts ? (size_t)sqlite3_column_bytes(st, 1) : 0;
    if (n + PK_COUNT + 1 > pass->cap) {
        pass->cap = 2 * (n + PK_COUNT + 1);
        pass->scratch = xrealloc(pass->scratch, pass->cap);
    }
    const char *v[PK_COUNT];
    const char *p = facts;
    const char *end = facts ? facts + n : NULL;
    char *out = pass->scratch;
    int i = 0;
    while (facts && i < PK_COUNT && unpack(&p, end, &out, &v[i])) {
        i++;
    }
    if (i < PK_COUNT || p != end) {
        pass->bad = xstrdup(id ? id : "");
        return E_STORAGE;
    }
    struct event ev = {.id = id};
    if (!v[PK_TYPE] || !event_type_parse(v[PK_TYPE], &ev.type)) {
        ev.type = EV_OTHER;
    }
    ev.date = date_of(v[PK_DATE]);
    ev.approx = tri_of(v[PK_APPROX]) == TRI_TRUE;
    ev.end_date = date_of(v[PK_END_DATE]);
    ev.has_place = tri_of(v[PK_HAS_PLACE]) == TRI_TRUE;
    ev.place.country = v[PK_PLACE_COUNTRY];
    ev.from_country = v[PK_FROM_COUNTRY];
    ev.to_country = v[PK_TO_COUNTRY];
    ev.by_country = v[PK_BY_COUNTRY];
    ev.outcome = v[PK_OUTCOME];
    ev.final = tri_of(v[PK_FINAL]);
    ev.appeal_until = date_of(v[PK_APPEAL_UNTIL]);
    ev.kind = v[PK_KIND];
    ev.offence = v[PK_OFFENCE];
    ev.entry_related = tri_of(v[PK_ENTRY_RELATED]);
    ev.presented_to_authorities = tri_of(v[PK_PRESENTED]);
    ev.provided = tri_of(v[PK_PROVIDED]);
    ev.to = v[PK_ACCESS_TO];
    return pass->fn(pass->ctx, &ev);
}

/* ---- keeping event_scan in step (store_put(), store_delete()) ---- */

static void pack_text(struct buf *b, const char *v)
{
    if (!v) {
        buf_addch(b, '-');
        return;
    }
    buf_addf(b, "%zu:", strlen(v));
    buf_adds(b, v);
}

static void pack_date(struct buf *b, struct date d)
{
    char iso[DATE_ISO_MAX];
    if (d.prec) {
        date_iso(d, iso);
    }
    pack_text(b, d.prec ? iso : NULL); /* as store_put() stores it */
}

static void pack_tri(struct buf *b, enum tri t)
{
    pack_text(b, t == TRI_UNKNOWN ? NULL : t == TRI_TRUE ? "1" : "0");
}

/* The facts of ev as migration 0009 packs a stored row: the same text. */
static void pack_event(struct buf *b, const struct event *ev)
{
    pack_text(b, event_type_name(ev->type));
    pack_date(b, ev->date);
    pack_text(b, ev->approx ? "1" : "0");
    pack_date(b, ev->end_date);
    pack_text(b, ev->has_place ? "1" : "0");
    pack_text(b, ev->place.country);
    pack_text(b, ev->from_country);
    pack_text(b, ev->to_country);
    pack_text(b, ev->by_country);
    pack_text(b, ev->outcome);
    pack_tri(b, ev->final);
    pack_date(b, ev->appeal_until);
    pack_text(b, ev->kind);
    pack_text(b, ev->offence);
    pack_tri(b, ev->entry_related);
    pack_tri(b, ev->presented_to_authorities);
    pack_tri(b, ev->provided);
    pack_text(b, ev->to);
}

enum app_err store_scan_event_delete(struct store *s, const char *id, struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SLOT_SCAN_FACTS_DELETE, "DELETE FROM event_scan WHERE id = ?1", e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? E_OK : store_fail(s, e, "cannot update the checks' event facts");
}

enum app_err store_scan_event_put(struct store *s, const struct event *ev, struct err *e)
{
    /* A delete and an insert of one row each: two plain statements, where a
     * trigger or an upsert would open a statement journal, and with it a
     * savepoint of the full-text index that flushes its pending terms on
     * every write (it made an import a third slower). */
    enum app_err rc = store_scan_event_delete(s, ev->id, e);
    if (rc != E_OK) {
        return rc;
    }
    sqlite3_stmt *st = store_stmt(s, SLOT_SCAN_FACTS_INSERT,
                                  "INSERT INTO event_scan (id, facts) VALUES (?1, ?2)", e);
    if (!st) {
        return e->code;
    }
    struct buf facts = BUF_INIT;
    pack_event(&facts, ev);
    sqlite3_bind_text(st, 1, ev->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, facts.data, (int)facts.len, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_reset(st);
    buf_release(&facts);
    return step == SQLITE_DONE ? E_OK : store_fail(s, e, "cannot update the checks' event facts");
}

struct scan_check {
    struct store *s;
    bool fix;
    sqlite3_stmt *get;
    struct buf fresh;
    struct store_scan_stats *out;
    struct err *e;
};

static enum app_err scan_check_one(void *ctx, const void *obj)
{
    struct scan_check *c = ctx;
    const struct event *ev = obj;
    buf_reset(&c->fresh);
    pack_event(&c->fresh, ev);
    sqlite3_bind_text(c->get, 1, ev->id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(c->get);
    bool missing = rc == SQLITE_DONE;
    bool same = rc == SQLITE_ROW && (size_t)sqlite3_column_bytes(c->get, 0) == c->fresh.len &&
                memcmp(sqlite3_column_blob(c->get, 0), c->fresh.data, c->fresh.len) == 0;
    sqlite3_reset(c->get);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return store_fail(c->s, c->e, "cannot read the checks' event facts");
    }
    c->out->events++;
    if (same) {
        return E_OK;
    }
    c->out->missing += missing;
    c->out->stale += !missing;
    if (!c->out->example[0]) {
        snprintf(c->out->example, sizeof c->out->example, "%s", ev->id);
    }
    return c->fix ? store_scan_event_put(c->s, ev, c->e) : E_OK;
}

enum app_err store_scan_check(struct store *s, bool fix, struct store_scan_stats *out,
                              struct err *e)
{
    memset(out, 0, sizeof *out);
    struct scan_check c = {.s = s, .fix = fix, .out = out, .e = e};
    buf_init(&c.fresh);
    /* One pass, rarely (doctor, reindex): prepared here rather than cached. */
    if (sqlite3_prepare_v2(s->db, "SELECT facts FROM event_scan WHERE id = ?1", -1, &c.get, NULL) !=
        SQLITE_OK) {
        return store_fail(s, e, "cannot prepare a query");
    }
    enum app_err rc = store_each(s, OBJ_EVENT, scan_check_one, &c, e);
    sqlite3_finalize(c.get);
    buf_release(&c.fresh);
    sqlite3_stmt *st = NULL;
    const char *orphans = fix ? "DELETE FROM event_scan WHERE id NOT IN (SELECT id FROM event)"
                              : "SELECT count(*) FROM event_scan WHERE id NOT IN "
                                "(SELECT id FROM event)";
    if (rc == E_OK && sqlite3_prepare_v2(s->db, orphans, -1, &st, NULL) != SQLITE_OK) {
        rc = store_fail(s, e, "cannot prepare a query");
    }
    if (rc == E_OK) {
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            out->orphans = sqlite3_column_int64(st, 0);
        } else if (step == SQLITE_DONE) {
            out->orphans = sqlite3_changes(s->db);
        } else {
            rc = store_fail(s, e, "cannot check the checks' event facts");
        }
    }
    sqlite3_finalize(st);
    return rc;
}

enum app_err store_scan_events(struct store *s, store_scan_event_fn fn, void *ctx, struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SLOT_SCAN_EVENTS, "SELECT id, facts FROM event_scan ORDER BY id", e);
    if (!st) {
        return e->code;
    }
    struct event_pass pass = {.fn = fn, .ctx = ctx};
    enum app_err rc = each_row(s, st, event_row, &pass, NULL, e);
    if (pass.bad) {
        rc = err_set(e, E_STORAGE,
                     "event \"%s\": its facts packed for the checks (table event_scan) do not "
                     "read: the database was changed outside refuge ('refuge doctor' checks "
                     "them, 'refuge reindex' rewrites them)",
                     pass.bad);
    }
    free(pass.bad);
    free(pass.scratch);
    return rc;
}

static enum app_err item_row(sqlite3_stmt *st, void *fn, void *ctx)
{
    const char *kind = sqlite3_column_count(st) > 2 ? text(st, 2) : NULL;
    return (*(store_scan_item_fn *)fn)(ctx, text(st, 0), text(st, 1), kind);
}

enum app_err store_scan_list(struct store *s, enum store_scan_list which, store_scan_item_fn fn,
                             void *ctx, struct err *e)
{
    static const char *const sql[SCAN_LIST_COUNT] = {
        [SCAN_CASE_SUBJECTS] = "SELECT case_id, person FROM case_subject ORDER BY case_id, pos",
        [SCAN_PERSON_NAMES] = "SELECT person, full, kind FROM person_name ORDER BY person, pos",
        [SCAN_PERSON_PROFILES] = "SELECT person, tag FROM person_profile ORDER BY person, pos",
        [SCAN_EVENT_PERSONS] = "SELECT event, person FROM event_person ORDER BY event, pos",
        [SCAN_EVENT_SOURCES] = "SELECT event, source FROM event_source ORDER BY event, pos",
    };
    if ((unsigned)which >= SCAN_LIST_COUNT) {
        return err_set(e, E_INTERNAL, "unknown list to scan");
    }
    sqlite3_stmt *st = store_stmt(s, SLOT_SCAN_LIST + (int)which, sql[which], e);
    return st ? each_row(s, st, item_row, &fn, ctx, e) : e->code;
}

enum app_err store_scan_event_persons(struct store *s, const char *from, const char *below,
                                      store_scan_item_fn fn, void *ctx, struct err *e)
{
    if (!from && !below) {
        return store_scan_list(s, SCAN_EVENT_PERSONS, fn, ctx, e);
    }
    sqlite3_stmt *st;
    if (from && below) {
        st = store_stmt(s, SLOT_SCAN_EP_RANGE,
                        "SELECT event, person FROM event_person WHERE event >= ?1 AND event < ?2"
                        " ORDER BY event, pos",
                        e);
    } else if (from) {
        st = store_stmt(s, SLOT_SCAN_EP_FROM,
                        "SELECT event, person FROM event_person WHERE event >= ?1"
                        " ORDER BY event, pos",
                        e);
    } else {
        st = store_stmt(s, SLOT_SCAN_EP_BELOW,
                        "SELECT event, person FROM event_person WHERE event < ?2"
                        " ORDER BY event, pos",
                        e);
    }
    if (!st) {
        return e->code;
    }
    if (from) {
        sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
    }
    if (below) {
        sqlite3_bind_text(st, 2, below, -1, SQLITE_STATIC);
    }
    return each_row(s, st, item_row, &fn, ctx, e);
}

/* PRAGMA data_version on s (inside a read transaction: as of its
 * snapshot), or -1. */
static int64_t data_version(struct store *s)
{
    struct err e = ERR_INIT;
    sqlite3_stmt *st = store_stmt(s, SLOT_SCAN_DATA_VERSION, "PRAGMA data_version", &e);
    if (!st) {
        return -1;
    }
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    return v;
}

bool store_read_begin_pair(struct store *s, struct store *t)
{
    for (int attempt = 0; attempt < 5; attempt++) {
        /* t's data version changes when a connection other than t commits:
         * the same value before s began and after t began means that no
         * commit fell between them (s commits nothing). */
        int64_t before = data_version(t);
        if (before < 0 || !store_read_begin(s)) {
            return false;
        }
        if (data_version(s) < 0) { /* the read that fixes s's snapshot */
            store_read_end(s);
            return false;
        }
        if (!store_read_begin(t)) {
            store_read_end(s);
            return false;
        }
        int64_t after = data_version(t); /* fixes t's snapshot */
        if (after == before) {
            return true;
        }
        store_read_end(t);
        store_read_end(s);
        if (after < 0) {
            return false;
        }
    }
    return false;
}
