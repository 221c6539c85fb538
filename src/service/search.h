/*
 * search.h: finding people by name across scripts, finding text in cases,
 * events and sources, listing probable duplicate persons and merging them.
 *
 * Name keys (src/text/namekey.h) and folded text (src/text/textfold.h) are
 * computed here and handed to the store inside the transaction of the write
 * that changes them: service_search_index() is called for every object
 * written by the import and the single-object writes, and
 * service_search_unindex() for every delete, so the indexes never go stale.
 */
#ifndef REFUGE_SERVICE_SEARCH_H
#define REFUGE_SERVICE_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"
#include "domain/model.h"
#include "store/store.h"

struct principal;

/* Updates the search indexes for an object just written (persons: name keys;
 * cases, events and sources: full text; other kinds: nothing). Call inside
 * the write's transaction. */
ATTR_NODISCARD enum app_err service_search_index(struct store *s, enum obj_kind kind,
                                                 const void *obj, struct err *e);
/* Removes an object from the indexes (call with its delete). */
ATTR_NODISCARD enum app_err service_search_unindex(struct store *s, enum obj_kind kind,
                                                   const char *id, struct err *e);

/* Rebuilds every index from the stored objects in one transaction; counts
 * what was indexed (either pointer may be NULL). */
ATTR_NODISCARD enum app_err service_reindex(struct store *s, size_t *persons, size_t *docs,
                                            struct err *e);
/* Builds the indexes when the database had objects before they existed
 * (does nothing otherwise, or on a read-only store). */
ATTR_NODISCARD enum app_err service_search_ensure(struct store *s, struct err *e);

/* One result of any search. */
struct search_hit {
    const char *type; /* "person", "case", "event" or "source" */
    enum obj_kind kind;
    const char *id;
    double score;     /* persons: similarity in [0, 1]; text: -bm25, higher is better */
    const char *name; /* person: the best matching name; others: title */
    const char *why;  /* person: how the name matched; others: snippet, matches in [ ] */
    const char *date; /* text results: the object's date, or NULL */
};

/* Persons whose names match the query, best first, at most limit (1..1000).
 * Scores below min_score (0 for the default, 0.5) are left out. Results in
 * arena. exclude (may be NULL) is a person id to leave out. */
ATTR_NODISCARD enum app_err service_search_persons(struct store *s, const char *query, size_t limit,
                                                   double min_score, const char *exclude,
                                                   struct arena *arena, struct search_hit **out,
                                                   size_t *n_out, struct err *e);

/* Filters of a full-text search (all optional). */
struct text_filter {
    const char *case_id; /* only the case, the events naming its subjects and their sources */
    bool has_kind;
    enum obj_kind kind; /* OBJ_CASE, OBJ_EVENT or OBJ_SOURCE */
    const char *from;   /* date prefix, inclusive: "2019", "2019-10", "2019-10-06" */
    const char *to;
};

/*
 * Full-text search over case titles and summaries, event descriptions (and
 * place, offence, law, sentence, outcome), source titles, publishers and
 * attached text. The query is words (all must match), "quoted phrases" and
 * prefixes (word*), folded like the indexed text. Results best first by
 * relevance (bm25, titles weigh more). E_INVALID for an empty query or bad
 * filter.
 */
ATTR_NODISCARD enum app_err service_search_text(struct store *s, const char *query,
                                                const struct text_filter *f, size_t limit,
                                                struct arena *arena, struct search_hit **out,
                                                size_t *n_out, struct err *e);

/* Attaches the plain text of a document to a source (NULL removes it) and
 * reindexes the source, in one transaction. */
ATTR_NODISCARD enum app_err service_source_text(struct store *s, const char *source_id,
                                                const char *text, struct err *e);

/* A probable duplicate: two persons and why. */
struct dedup_pair {
    const char *a, *b; /* person ids, a < b */
    const char *name_a, *name_b;
    double score;        /* in [0, 1] */
    const char *reasons; /* "names: ...; same birth date 1985-03-02; ..." */
};

/* Pairs of persons that are probably the same (score >= threshold; 0 means
 * the default 0.85), using names and, where both have them, birth date, sex,
 * nationality and shared events. Each pair of persons once, handed to fn
 * one by one as it is explained, best first (equal scores by the ids of a,
 * then b); the pair's strings live until fn returns. fn returns false to
 * stop. Memory: the stored keys and 24 bytes a pair found, not the
 * pairs' texts (see bench/README.md, "Duplicates"). */
ATTR_NODISCARD enum app_err service_dedup(struct store *s, double threshold,
                                          bool (*fn)(void *ctx, const struct dedup_pair *p),
                                          void *ctx, struct err *e);

/* The blocks service_dedup compares within, for comparing it with other
 * tools on the same blocks (bench/dedup.sh): calls fn with each kept block's
 * code (text), each of its key ids (name_key.kid) and the key's side, block
 * after block; fn returns false to stop. Two keys of a block are compared
 * when their sides are 0 (every two keys), or or'ed make 3 (a block of
 * dropped letters: one key has a pair of tokens as written (1), the other
 * has it with a letter left out (2); 3: both). */
ATTR_NODISCARD enum app_err service_dedup_blocks(struct store *s,
                                                 bool (*fn)(void *ctx, const char *block,
                                                            int64_t kid, unsigned side),
                                                 void *ctx, struct err *e);

/* The best match for a person among the other stored persons (score and a
 * one-line reason into arena), for warnings while importing. *other is NULL
 * when none reaches threshold. */
ATTR_NODISCARD enum app_err service_probable_duplicate(struct store *s, const struct person *p,
                                                       double threshold, struct arena *arena,
                                                       const char **other, double *score,
                                                       const char **why, struct err *e);

/*
 * Merges person `other` into `keep` in one transaction: keep gets other's
 * names (those it lacks), nationalities, profiles, sources and positions,
 * and the fields it lacks; every event, case and action that named other
 * names keep instead; other is deleted; the merge is recorded in the audit
 * trail for principal `by` (from `address`, may be NULL). E_NOT_FOUND when
 * either is absent, E_INVALID when they are the same.
 */
ATTR_NODISCARD enum app_err service_person_merge(struct store *s, const char *keep,
                                                 const char *other, const struct principal *by,
                                                 const char *address, struct err *e);

#endif
