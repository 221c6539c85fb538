/*
 * search.h: the store's side of search: name keys with their blocking codes
 * and counts, the full-text index of cases, events and sources, and the
 * queries that re-point references when two persons are merged.
 *
 * The store does not build keys or fold text (that needs ICU, in src/text/):
 * it stores what the service layer hands it and answers lookups.
 */
#ifndef REFUGE_STORE_SEARCH_H
#define REFUGE_STORE_SEARCH_H

#include <stdint.h>

#include "store/store.h"

/* One name's keys, as stored. */
struct store_key {
    int64_t kid;        /* row id of the key */
    const char *person; /* person id */
    int64_t pos;        /* position of the name in the person's names */
    const char *full;   /* the name as written */
    const char *key;    /* serialized readings (service/search.c) */
};

/* Replaces every key of the person by the n given ones (pos, full, key and
 * codes_json[i], a JSON array of the name's blocking codes). n may be 0. */
ATTR_NODISCARD enum app_err store_keys_replace(struct store *s, const char *person,
                                               const struct store_key *keys,
                                               const char *const *codes_json, size_t n,
                                               struct err *e);

/* How many keys carry the code; the code "#" counts all keys. */
int64_t store_code_count(struct store *s, const char *code);

/* Calls fn with the key ids that carry code, at most limit of them, in key
 * id order. fn returns false to stop early. */
ATTR_NODISCARD enum app_err store_code_keys(struct store *s, const char *code, size_t limit,
                                            bool (*fn)(void *ctx, int64_t kid), void *ctx,
                                            struct err *e);

/* Reads the keys with the given ids (unknown ids skipped) into a new arena
 * array, in no particular order. */
ATTR_NODISCARD enum app_err store_keys_get(struct store *s, const int64_t *kids, size_t n,
                                           struct arena *arena, struct store_key **out,
                                           size_t *n_out, struct err *e);

/* Calls fn for every stored key in key id order (strings valid during the
 * call only). fn returns false to stop. */
ATTR_NODISCARD enum app_err store_keys_each(struct store *s,
                                            bool (*fn)(void *ctx, const struct store_key *k),
                                            void *ctx, struct err *e);

/* Calls fn with every (code, key id) of the code index whose code starts
 * with prefix, ordered by code then key id (one scan of the index; the code
 * string is valid during the call only). fn returns false to stop. */
ATTR_NODISCARD enum app_err store_blocks_each(struct store *s, const char *prefix,
                                              bool (*fn)(void *ctx, const char *code, int64_t kid),
                                              void *ctx, struct err *e);

/* Calls fn with the id of every person that has a sex, a birth date, a
 * nationality or an event (what can lift or lower a duplicate's name score);
 * the string is valid during the call only. fn returns false to stop. */
ATTR_NODISCARD enum app_err store_persons_with_evidence(struct store *s,
                                                        bool (*fn)(void *ctx, const char *person),
                                                        void *ctx, struct err *e);

/* Calls fn with every person's id and names (full, script and lang only; in
 * the order of the names), persons in id order (the order of store_each),
 * a person without names with n = 0. The strings are valid during the call
 * only. fn returns false to stop. Reads two tables, not the whole person. */
ATTR_NODISCARD enum app_err store_person_names_each(struct store *s,
                                                    bool (*fn)(void *ctx, const char *person,
                                                               const struct person_name *names,
                                                               size_t n),
                                                    void *ctx, struct err *e);

/* Removes every key, every full-text row, or both (before a rebuild). */
ATTR_NODISCARD enum app_err store_search_clear(struct store *s, bool keys, bool text,
                                               struct err *e);

/* Rebuilds every name key at once, inside the caller's transaction: removes
 * every key, calls fill(ctx), which stores the new keys with
 * store_keys_replace(), then builds the code index and counts in bulk (much
 * faster than row by row). Returns fill's error, if any. */
ATTR_NODISCARD enum app_err store_keys_rebuild(struct store *s, enum app_err (*fill)(void *ctx),
                                               void *ctx, struct err *e);

/* True once the indexes have been built for every object (by the migration
 * on an empty database, or by a rebuild); false on a database that had
 * objects before the search tables existed. */
bool store_search_built(struct store *s);
/* Records that the indexes are complete. */
ATTR_NODISCARD enum app_err store_search_mark_built(struct store *s, struct err *e);

/* Number of rows in the full-text index. */
int64_t store_text_count(struct store *s);

/* Writes (or replaces) the full-text row of an object: title and body are
 * already folded, space-separated words; date is ISO text or NULL. */
ATTR_NODISCARD enum app_err store_text_put(struct store *s, enum obj_kind kind, const char *id,
                                           const char *date, const char *title, const char *body,
                                           struct err *e);
/* Removes an object's full-text row (nothing when there is none). */
ATTR_NODISCARD enum app_err store_text_delete(struct store *s, enum obj_kind kind, const char *id,
                                              struct err *e);

/* A full-text query. match is an FTS5 query over folded words; the other
 * fields are filters (NULL: none). */
struct store_text_query {
    const char *match;
    enum obj_kind kind; /* with has_kind */
    bool has_kind;
    const char *from;    /* ISO date prefix: rows dated on or after */
    const char *to;      /* ISO date prefix: rows dated on or before */
    const char *in_json; /* JSON array of "kind:id" strings the rows must be among */
    size_t limit;
    size_t offset;
    size_t candidates; /* matches ranked at most; 0: STORE_TEXT_CANDIDATES */
};

/* A query matching more rows than this ranks only this many, those with the
 * highest row ids (the most recently indexed): bm25 costs a few microseconds
 * per matching row, so ranking every row of a word in half of 200,000
 * documents takes a fifth of a second or more, and the matches are read in
 * row id order from the newest, so the scan stops early. Queries matching
 * fewer rows are ranked exactly (bench/README.md, "Full text"). */
enum { STORE_TEXT_CANDIDATES = 2000 };

struct store_text_hit {
    enum obj_kind kind;
    const char *id;
    const char *date; /* NULL when undated */
    double rank;      /* bm25: lower is better */
};

/* Runs a full-text query, best first (bm25 over at most q->candidates
 * matching rows, see STORE_TEXT_CANDIDATES). E_INVALID when match is not a
 * valid query. Results in arena. */
ATTR_NODISCARD enum app_err store_text_search(struct store *s, const struct store_text_query *q,
                                              struct arena *arena, struct store_text_hit **out,
                                              size_t *n_out, struct err *e);

/* The plain text attached to a source (NULL when none), into arena. */
const char *store_source_text(struct store *s, const char *source, struct arena *arena);
/* Sets (text not NULL) or removes the plain text attached to a source. */
ATTR_NODISCARD enum app_err store_source_text_set(struct store *s, const char *source,
                                                  const char *text, struct err *e);

/* Ids of the objects that refer to a person: events naming it or with it as
 * official, cases with it as subject, actions with it as target (each list
 * in id order, into arena). */
struct store_person_refs {
    struct strs events;
    struct strs cases;
    struct strs actions;
};
ATTR_NODISCARD enum app_err store_person_refs(struct store *s, const char *person,
                                              struct arena *arena, struct store_person_refs *out,
                                              struct err *e);

#endif
