/*
 * scan.c: the whole-store passes of scan.h. One statement per table, each
 * walking one b-tree once from left to right: cases, persons and events
 * through their covering indexes (migration 0009: those columns alone, in
 * id order), lists in their primary key's order; only the columns the
 * check engine reads are decoded.
 */
#include "store/scan.h"

#include <string.h>

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
    SLOT_SCAN_END,
};

_Static_assert((int)SLOT_SCAN_END <= (int)STMT_MISC + 192, "scan.c uses STMT_MISC + 176 .. 191");
_Static_assert((int)SLOT_SCAN_END <= (int)STMT_SLOTS, "raise STMT_MISC_COUNT in internal.h");

static const char *text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i); /* NULL for NULL */
}

static struct date date_col(sqlite3_stmt *st, int i)
{
    struct date d = {0};
    const char *s = text(st, i);
    const char *why;
    if (s && !date_parse(s, &d, &why)) {
        d = (struct date){0};
    }
    return d;
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

static enum app_err event_row(sqlite3_stmt *st, void *fn, void *ctx)
{
    struct event ev = {.id = text(st, 0)};
    const char *type = text(st, 1);
    if (!type || !event_type_parse(type, &ev.type)) {
        ev.type = EV_OTHER;
    }
    ev.date = date_col(st, 2);
    ev.approx = sqlite3_column_int(st, 3) != 0;
    ev.end_date = date_col(st, 4);
    ev.has_place = sqlite3_column_int(st, 5) != 0;
    ev.place.country = text(st, 6);
    ev.from_country = text(st, 7);
    ev.to_country = text(st, 8);
    ev.by_country = text(st, 9);
    ev.outcome = text(st, 10);
    ev.final = tri_col(st, 11);
    ev.appeal_until = date_col(st, 12);
    ev.kind = text(st, 13);
    ev.offence = text(st, 14);
    ev.entry_related = tri_col(st, 15);
    ev.presented_to_authorities = tri_col(st, 16);
    ev.provided = tri_col(st, 17);
    ev.to = text(st, 18);
    return (*(store_scan_event_fn *)fn)(ctx, &ev);
}

enum app_err store_scan_events(struct store *s, store_scan_event_fn fn, void *ctx, struct err *e)
{
    sqlite3_stmt *st = store_stmt(
        s, SLOT_SCAN_EVENTS,
        "SELECT id, type, date, approx, end_date, has_place, place_country, from_country,"
        " to_country, by_country, outcome, final, appeal_until, kind, offence, entry_related,"
        " presented, provided, access_to FROM event ORDER BY id",
        e);
    return st ? each_row(s, st, event_row, &fn, ctx, e) : e->code;
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
