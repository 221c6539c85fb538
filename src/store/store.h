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

/* Opens (creating unless STORE_MUST_EXIST) and migrates the plaintext
 * database at path. On success *out is a new store the caller closes with
 * store_close(). An encrypted file is refused with a clear message. */
ATTR_NODISCARD enum app_err store_open(const char *path, unsigned flags, struct store **out,
                                       struct err *e);

/* The key of an encrypted store (see keyring.h, which makes and unwraps
 * them): a 256-bit data key and the database's 128-bit file id. Allocate
 * with store_secret_new() (locked, guarded memory); free with store_secret_free()
 * (zeroed). */
struct store_secret {
    unsigned char dek[32];
    unsigned char file_id[16];
};
struct store_secret *store_secret_new(void);
void store_secret_free(struct store_secret *k);

/* store_open() for an encrypted store (key == NULL: plaintext, as
 * store_open()). Every page of the database, WAL and journal is encrypted
 * with the key (src/store/vfs_crypt.c); a new database gets page size 4096
 * and the 40-byte reserve before its first write. The store keeps its own
 * copy of the key: the caller may free key after the call. */
ATTR_NODISCARD enum app_err store_open_key(const char *path, unsigned flags,
                                           const struct store_secret *key, struct store **out,
                                           struct err *e);
/* True when the store was opened with a key. */
bool store_encrypted(const struct store *s);

/* Integrity checks: quick (PRAGMA quick_check) or full (integrity_check and
 * the full-text index's integrity-check). E_OK when all is well; otherwise
 * E_STORAGE with the first problems in e->msg. */
ATTR_NODISCARD enum app_err store_verify(struct store *s, bool full, struct err *e);

/* Copies the whole database into a new file at dest (which must not exist)
 * through SQLite's backup API, encrypted with dest_key (NULL: plaintext
 * copy of a plaintext store). The copy is synced before this returns. */
ATTR_NODISCARD enum app_err store_backup(struct store *s, const char *dest,
                                         const struct store_secret *dest_key, struct err *e);

/* True once an operation on the store ran out of memory (SQLITE_NOMEM).
 * Its transaction was rolled back, but the connection's in-memory state
 * (the full-text index's cached structure) can no longer be trusted:
 * writing on through it damaged the index in the allocation-failure sweep
 * (tests/trial/faultsweep.c). Close the store and open it again. */
bool store_out_of_memory(const struct store *s);

/* How many operations on this connection have failed in the database (out
 * of memory, I/O errors, corruption; not constraint violations) since it
 * was opened. A caller that answers through functions returning only
 * true/false or a count (store_exists(), ...) compares it before and after
 * to tell "no" from "could not tell" (the router answers 503 then). */
unsigned long store_failures(const struct store *s);

/* Counters of the encrypting layer since the process started: pages that
 * failed authentication (database pages, and WAL frames / journal pages
 * read as zeros), page-1 header probes synthesised, temporary files refused.
 * WAL or journal failures outside crash recovery mean tampering. */
struct store_crypt_stats {
    uint64_t pages_encrypted;
    uint64_t pages_decrypted;
    uint64_t mac_fail_db;
    uint64_t mac_fail_wal;
    uint64_t mac_fail_journal;
    uint64_t header_synth;
    uint64_t temp_refused;
    uint64_t plain_refused;
};

void store_crypt_stats(struct store_crypt_stats *out);
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

/* Group commit (the server's single writer): one write transaction carries
 * the work of several requests, each in a savepoint of its own, and one
 * COMMIT (one WAL sync) makes them durable together. While a group is open,
 * store_begin(), store_commit() and store_rollback() open, release and roll
 * back nested savepoints, so a request's own rollback undoes only its work.
 *
 *   store_group_begin()                      BEGIN IMMEDIATE
 *   for each request: store_group_enter(), the request's work,
 *                     store_group_leave(keep)  (keep false: undo it all)
 *   store_group_commit()                     COMMIT: durable on E_OK
 *
 * store_group_leave() returns false (store_group_enter() an error) when the
 * group's transaction is gone (SQLite rolled it back after an I/O error, a
 * full disk or out of memory, or a savepoint could not be undone): the work
 * of every request since store_group_begin() is lost and the group is closed. store_group_commit()
 * closes the group whatever its outcome; store_group_rollback() abandons it. */
ATTR_NODISCARD enum app_err store_group_begin(struct store *s, struct err *e);
ATTR_NODISCARD enum app_err store_group_enter(struct store *s, struct err *e);
bool store_group_leave(struct store *s, bool keep);
ATTR_NODISCARD enum app_err store_group_commit(struct store *s, struct err *e);
void store_group_rollback(struct store *s);
/* True while a group is open. */
bool store_in_group(const struct store *s);

/* Checkpoints away from the commit path. Normally the connection whose
 * COMMIT takes the WAL past 1000 pages copies it back into the database
 * within that COMMIT (a pause for whoever waits on it). After
 * store_wal_defer(s), s never checkpoints; store_wal_pages(s) is the WAL's
 * length in pages after s's last commit, and store_wal_checkpoint() on
 * another connection copies back what no reader still needs, without
 * waiting for anyone (PASSIVE); *left (may be NULL) gets the pages it could
 * not copy yet. */
void store_wal_defer(struct store *s);
int store_wal_pages(const struct store *s);
ATTR_NODISCARD enum app_err store_wal_checkpoint(struct store *s, int *left, struct err *e);

/* Removes what deleted records left in the database and its WAL
 * (src/store/purge.c): secure_delete, the full-text index merged,
 * checkpoint(TRUNCATE), VACUUM, checkpoint(TRUNCATE). E_CONFLICT when
 * another connection keeps the WAL from being emptied (nothing is lost:
 * run it again when the store is idle). */
struct store_purge_report {
    int64_t pages_before, free_before; /* database pages, of them on the freelist */
    int64_t pages_after, free_after;
};
ATTR_NODISCARD enum app_err store_purge(struct store *s, struct store_purge_report *out,
                                        struct err *e);

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
/* The same for a page of ids from store_list() (sorted, consecutive in id
 * order but for filtered-out ones): reads the id range between the first and
 * the last id in index order, which is much cheaper than a list of ids when
 * the page is dense. Falls back to store_get_many() when ids are unsorted. */
ATTR_NODISCARD enum app_err store_get_page(struct store *s, enum obj_kind kind,
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

/* Objects' JSON text, kept in their rows (migration 0007; src/store/encoded.c).
 * The store cannot encode (the bundle module owns the format): the program
 * registers the encoder once, before opening any store, and store_put()
 * then writes each object's text with its columns in the same statement.
 * Without an encoder objects are stored without text (NULL), and readers
 * build it from the columns: slower, never wrong. */
struct buf;
typedef void (*store_encode_fn)(enum obj_kind kind, const void *obj, struct buf *out);
void store_set_encoder(store_encode_fn fn);

/* Where the store says, before it starts, that it is about to do something
 * long a user would otherwise take for a hang (an upgrade that rewrites every
 * object). NULL (the default): it says nothing. Set once, before any open. */
typedef void (*store_notice_fn)(const char *msg);
void store_set_notice(store_notice_fn fn);

/* An object's id with its stored text (json NULL when none is stored; len
 * its length) and, from store_get_json(), its version. */
struct store_text {
    const char *id;
    const char *json;
    size_t len;
    int64_t version;
};

/* store_list(), with each object's stored text, in one indexed range read:
 * *out is a new array of *n_out items in arena. */
ATTR_NODISCARD enum app_err store_list_json(struct store *s, enum obj_kind kind,
                                            const struct store_filter *f, struct arena *arena,
                                            struct store_text **out, size_t *n_out, bool *more,
                                            struct err *e);
/* One object's stored text and version. E_NOT_FOUND when absent. */
ATTR_NODISCARD enum app_err store_get_json(struct store *s, enum obj_kind kind, const char *id,
                                           struct arena *arena, struct store_text *out,
                                           struct err *e);

/* What store_json_check() found: objects compared, without text, with a
 * text that differs from a fresh encoding (the first few named), rewritten. */
enum { STORE_JSON_EXAMPLES = 5 };

struct store_json_example {
    enum obj_kind kind;
    char id[128];
};

struct store_json_stats {
    int64_t objects;
    int64_t missing;
    int64_t stale;
    int64_t fixed;
    size_t n_examples;
    struct store_json_example examples[STORE_JSON_EXAMPLES];
};
/* Compares every object's stored text with a fresh encoding of its columns;
 * with fix, rewrites the missing and differing ones (call it inside a write
 * transaction). E_INTERNAL when no encoder is registered. */
ATTR_NODISCARD enum app_err store_json_check(struct store *s, bool fix,
                                             struct store_json_stats *out, struct err *e);

/* Calls fn with every case id and when it last changed (the latest `updated`
 * of the case, its actions and its subjects' events, ISO 8601 UTC), most
 * recent first, until fn returns false. Strings valid during the call only. */
typedef bool (*store_recent_fn)(void *ctx, const char *case_id, const char *changed);
ATTR_NODISCARD enum app_err store_recent_cases(struct store *s, store_recent_fn fn, void *ctx,
                                               struct err *e);

/* Process-wide SQLite settings and the encrypting VFS; call once before
 * opening any store. */
void store_global_init(void);

/* For a long-lived process that holds a key (the server): SQLite's
 * allocator zeroes whatever it frees, so that pages its caches held in
 * plaintext do not outlive them in freed memory (the key lock,
 * docs/security.md). Before store_global_init(); false when SQLite is
 * already initialised. A command that exits soon has no need of it. */
bool store_zero_freed_memory(void);

#endif
