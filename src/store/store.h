/*
 * store.h: the case store over SQLite. The only module that includes
 * sqlite3.h; everything else sees these functions and domain structs.
 *
 * A store is one database connection (not thread-safe: one per thread).
 * Opening applies the embedded migrations (src/store/sql/migrations) in one
 * transaction each and checks the file is refuge's (PRAGMA application_id).
 */
#ifndef REFUGE_STORE_STORE_H
#define REFUGE_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/compat.h"
#include "core/err.h"
#include "domain/model.h"

struct store;

enum store_open_flags {
    STORE_READONLY = 1 << 0,   /* no migrations, no writes */
    STORE_MUST_EXIST = 1 << 1, /* fail with E_NOT_FOUND rather than create */
};

/* Opens (creating unless STORE_MUST_EXIST) and migrates the database at path.
 * On success *out is a new store the caller closes with store_close(). */
ATTR_NODISCARD enum app_err store_open(const char *path, unsigned flags, struct store **out,
                                       struct err *e);
/* Finishes cached statements and closes the connection; NULL is ignored. */
void store_close(struct store *s);
/* The schema version (PRAGMA user_version) the store is at. */
int store_schema_version(struct store *s);

/* Transactions: begin is BEGIN IMMEDIATE (a writer). Rollback never fails. */
ATTR_NODISCARD enum app_err store_begin(struct store *s, struct err *e);
ATTR_NODISCARD enum app_err store_commit(struct store *s, struct err *e);
void store_rollback(struct store *s);
/* A read transaction (BEGIN DEFERRED) for a group of reads that should see
 * one snapshot and take the file locks once. False when one could not be
 * begun (the reads then run one by one). A write inside it that conflicts
 * fails with E_STORAGE rather than waiting. */
bool store_read_begin(struct store *s);
/* Ends it (a write made inside it is committed). */
void store_read_end(struct store *s);

enum store_put_result {
    STORE_INSERTED,
    STORE_UPDATED,
    STORE_UNCHANGED,
};

/* Inserts or updates an object (a struct source, person, ... matching kind).
 * An object whose content equals the stored one is not written at all. */
ATTR_NODISCARD enum app_err store_put(struct store *s, enum obj_kind kind, const void *obj,
                                      enum store_put_result *result, struct err *e);
/* Reads one object by id into *obj (a struct of the kind), strings in arena.
 * E_NOT_FOUND when absent. */
ATTR_NODISCARD enum app_err store_get(struct store *s, enum obj_kind kind, const char *id,
                                      struct arena *arena, void *obj, struct err *e);
/* True when an object of the kind with that id exists. */
bool store_exists(struct store *s, enum obj_kind kind, const char *id);
/* The stored version of an object (1 on insert, +1 per change); 0 when absent. */
int64_t store_version(struct store *s, enum obj_kind kind, const char *id);

/* Calls fn for every object of the kind, in id order (byte order). The
 * object and its strings are valid only during the call; fn must not iterate
 * the same kind again. Stops at the first
 * non-E_OK return and returns it. */
typedef enum app_err (*store_each_fn)(void *ctx, const void *obj);
ATTR_NODISCARD enum app_err store_each(struct store *s, enum obj_kind kind, store_each_fn fn,
                                       void *ctx, struct err *e);

/* Reads every object of the kind whose id is in `ids` (any order, duplicates
 * allowed; unknown ids are skipped) with one query per table, into a new
 * array in arena sorted by id. For loading many objects at once. */
ATTR_NODISCARD enum app_err store_get_many(struct store *s, enum obj_kind kind,
                                           const struct strs *ids, struct arena *arena, void **out,
                                           size_t *n_out, struct err *e);

/* Ids of the events that name any of the persons, into arena (no order). */
ATTR_NODISCARD enum app_err store_events_of_persons(struct store *s, const struct strs *persons,
                                                    struct arena *arena, struct strs *out,
                                                    struct err *e);

/* Number of objects of the kind. */
int64_t store_count(struct store *s, enum obj_kind kind);

/* Ids of the actions taken on a case, in id order; array and strings in arena. */
ATTR_NODISCARD enum app_err store_actions_of_case(struct store *s, const char *case_id,
                                                  struct arena *arena, struct strs *out,
                                                  struct err *e);

/* Ids of the events that name the person, in no particular order; the array
 * and strings are in arena. */
ATTR_NODISCARD enum app_err store_events_of_person(struct store *s, const char *person_id,
                                                   struct arena *arena, struct strs *out,
                                                   struct err *e);

/* Deletes an object and its lists. E_NOT_FOUND when absent; E_CONFLICT when
 * other objects still refer to it (e->msg names one). */
ATTR_NODISCARD enum app_err store_delete(struct store *s, enum obj_kind kind, const char *id,
                                         struct err *e);

/* A page of ids for listing. Filters apply where the kind has the field. */
struct store_filter {
    const char *after;   /* cursor: ids greater than this (NULL = from the start) */
    size_t limit;        /* 1..1000 */
    const char *status;  /* cases */
    const char *state;   /* cases */
    const char *tag;     /* cases */
    int64_t assigned_to; /* cases: only those assigned to this user id (0 = any, -1 = none) */
};

/* Ids of the kind in id order matching the filter, at most f->limit, into
 * arena. *more is set when further ids follow the last one returned. */
ATTR_NODISCARD enum app_err store_list(struct store *s, enum obj_kind kind,
                                       const struct store_filter *f, struct arena *arena,
                                       struct strs *out, bool *more, struct err *e);

/* Calls fn with every case id and when it last changed (the latest `updated`
 * of the case, its actions and its subjects' events, ISO 8601 UTC), most
 * recent first, until fn returns false. Strings valid during the call only. */
typedef bool (*store_recent_fn)(void *ctx, const char *case_id, const char *changed);
ATTR_NODISCARD enum app_err store_recent_cases(struct store *s, store_recent_fn fn, void *ctx,
                                               struct err *e);

/* Process-wide SQLite settings; call once before opening any store. */
void store_global_init(void);

#endif
