/*
 * scan.h: single passes over the tables a check of every case reads: each
 * table once, in its stored order, with only the columns the check engine
 * uses (docs/checks.md, "Checking every case"). The caller joins the rows.
 *
 * Objects handed to a callback are partly filled (the other members are
 * zero) and, with every string in them, live only until the callback returns.
 */
#ifndef REFUGE_STORE_SCAN_H
#define REFUGE_STORE_SCAN_H

#include "store/store.h"

/* Cases (id, state, status; no lists), in id order (byte order, as the
 * lists below are ordered by owner). */
typedef enum app_err (*store_scan_case_fn)(void *ctx, const struct case_ *c);
ATTR_NODISCARD enum app_err store_scan_cases(struct store *s, store_scan_case_fn fn, void *ctx,
                                             struct err *e);

/* Persons (id, ethnicity, religion, group, group_size; no lists), in id
 * order. */
typedef enum app_err (*store_scan_person_fn)(void *ctx, const struct person *p);
ATTR_NODISCARD enum app_err store_scan_persons(struct store *s, store_scan_person_fn fn, void *ctx,
                                               struct err *e);

/* Events with the members the engine reads (id, type, date, approx, end_date,
 * has_place, place.country, from_country, to_country, by_country, outcome,
 * final, appeal_until, kind, offence, entry_related, presented_to_authorities,
 * provided, to; no lists), in id order. */
typedef enum app_err (*store_scan_event_fn)(void *ctx, const struct event *ev);
ATTR_NODISCARD enum app_err store_scan_events(struct store *s, store_scan_event_fn fn, void *ctx,
                                              struct err *e);

/* The lists of those objects, one row per item, ordered by owner id (byte
 * order) and then by position in the list. */
enum store_scan_list {
    SCAN_CASE_SUBJECTS,   /* case id, person id */
    SCAN_PERSON_NAMES,    /* person id, full name, kind (may be NULL) */
    SCAN_PERSON_PROFILES, /* person id, tag */
    SCAN_EVENT_PERSONS,   /* event id, person id */
    SCAN_EVENT_SOURCES,   /* event id, source id */
    SCAN_LIST_COUNT
};
typedef enum app_err (*store_scan_item_fn)(void *ctx, const char *owner, const char *value,
                                           const char *kind);
ATTR_NODISCARD enum app_err store_scan_list(struct store *s, enum store_scan_list which,
                                            store_scan_item_fn fn, void *ctx, struct err *e);

/* The persons of the events whose ids are at or after `from` (byte order;
 * NULL: from the first) and before `below` (NULL: to the last), as
 * store_scan_list(SCAN_EVENT_PERSONS) gives them: two threads, each on its
 * own connection, read the list in chunks. */
ATTR_NODISCARD enum app_err store_scan_event_persons(struct store *s, const char *from,
                                                     const char *below, store_scan_item_fn fn,
                                                     void *ctx, struct err *e);

/* Compares every event's packed facts in event_scan (what a check of every
 * case reads; migration 0009) with a fresh packing of the event as stored,
 * and counts rows of no event. With fix, rewrites the ones that differ or
 * are missing and deletes the others (inside the caller's transaction). */
struct store_scan_stats {
    int64_t events;   /* compared */
    int64_t missing;  /* events without a row */
    int64_t stale;    /* rows that differ */
    int64_t orphans;  /* rows of no event */
    char example[64]; /* the id of one event missing or stale, or "" */
};
ATTR_NODISCARD enum app_err store_scan_check(struct store *s, bool fix,
                                             struct store_scan_stats *out, struct err *e);

/* Begins read transactions on two connections to the same database that see
 * the same snapshot, so that two threads can each read part of it. Without
 * SQLite's snapshot interface: t notes the database's data version, s
 * begins, then t begins and checks that no other connection committed in
 * between (then nothing changed between the two beginnings either); tried
 * a few times. False (nothing begun) when they could not be made to agree,
 * say under a steady stream of writes: the caller then reads on s alone.
 * End both with store_read_end(). */
bool store_read_begin_pair(struct store *s, struct store *t);

#endif
