/*
 * evidence.h: storage of evidence files, custody records, the proof log,
 * its checkpoints and the signing key (migration 0005_evidence). Plain
 * reads and appends; hashing, signing and verification are in
 * service/evidence.c, the only intended caller.
 *
 * Every function returns E_OK, E_NOT_FOUND where said, E_CONFLICT on a
 * constraint violation (which includes the append-only triggers), or
 * E_STORAGE, with e filled in. Strings in structs passed to callbacks are
 * valid during the call only; the *_get functions copy them into an arena.
 */
#ifndef REFUGE_STORE_EVIDENCE_H
#define REFUGE_STORE_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/compat.h"
#include "core/err.h"
#include "store/store.h"

enum { EV_HASH = 32, EV_PUBLIC = 32, EV_SECRET = 64 };

struct ev_leaf {
    int64_t idx;
    const char *time;
    const char *kind; /* "audit" or "custody" */
    int64_t ref;      /* audit seq or evidence id */
    const unsigned char *leaf;
    size_t len;
};

/* Appends a leaf at the end of the log; *idx (may be NULL) receives its index. */
ATTR_NODISCARD enum app_err ev_log_append(struct store *s, const char *time, const char *kind,
                                          int64_t ref, const void *leaf, size_t len, int64_t *idx,
                                          struct err *e);
/* The number of leaves (max index + 1). */
ATTR_NODISCARD enum app_err ev_log_size(struct store *s, int64_t *n, struct err *e);
/* Calls fn for every leaf in index order. */
typedef enum app_err (*ev_leaf_fn)(void *ctx, const struct ev_leaf *l);
ATTR_NODISCARD enum app_err ev_log_each(struct store *s, ev_leaf_fn fn, void *ctx, struct err *e);
/* The leaf recording a custody record. E_NOT_FOUND when there is none. */
ATTR_NODISCARD enum app_err ev_log_of_custody(struct store *s, int64_t evidence_id, int64_t *idx,
                                              struct err *e);

struct ev_key {
    char name[129];
    unsigned char pub[EV_PUBLIC];
    unsigned char sk[EV_SECRET];
};

/* The signing key. E_NOT_FOUND when none was made yet. */
ATTR_NODISCARD enum app_err ev_key_get(struct store *s, struct ev_key *out, struct err *e);
ATTR_NODISCARD enum app_err ev_key_insert(struct store *s, const struct ev_key *k, const char *time,
                                          struct err *e);

struct ev_checkpoint {
    int64_t id;
    int64_t size;
    unsigned char root[EV_HASH];
    const char *time;
    const char *note;
    size_t note_len;
};

ATTR_NODISCARD enum app_err ev_checkpoint_insert(struct store *s, int64_t size,
                                                 const unsigned char root[EV_HASH],
                                                 const char *time, const char *note, struct err *e);
/* Every stored checkpoint in the order they were made. */
typedef enum app_err (*ev_checkpoint_fn)(void *ctx, const struct ev_checkpoint *c);
ATTR_NODISCARD enum app_err ev_checkpoint_each(struct store *s, ev_checkpoint_fn fn, void *ctx,
                                               struct err *e);

struct ev_file {
    int64_t id;
    const char *source_id;
    unsigned char sha256[EV_HASH];
    unsigned char blake2b[EV_HASH]; /* of the content, from evidence_blob */
    int64_t size;
    const char *media_type;
    const char *filename;
    const char *added_by;
    const char *added;
};

/* Stores content under its hashes unless stored already; *existed says
 * which. E_CONFLICT when the stored content with that SHA-256 has another
 * BLAKE2b or size. */
ATTR_NODISCARD enum app_err ev_blob_put(struct store *s, const unsigned char sha256[EV_HASH],
                                        const unsigned char blake2b[EV_HASH], const void *data,
                                        size_t len, bool *existed, struct err *e);
/* Reads the content with that SHA-256 into out. E_NOT_FOUND when absent. */
ATTR_NODISCARD enum app_err ev_blob_read(struct store *s, const unsigned char sha256[EV_HASH],
                                         struct buf *out, struct err *e);
/* Adds a custody record (f->id is ignored); *id receives its id.
 * E_CONFLICT when the source already has that content. */
ATTR_NODISCARD enum app_err ev_file_insert(struct store *s, const struct ev_file *f, int64_t *id,
                                           struct err *e);
/* The custody record of a source's content (sha256 NULL: the newest one).
 * E_NOT_FOUND when there is none. */
ATTR_NODISCARD enum app_err ev_file_find(struct store *s, const char *source_id,
                                         const unsigned char *sha256, struct arena *arena,
                                         struct ev_file *out, struct err *e);
/* The custody record with that id. E_NOT_FOUND when absent. */
ATTR_NODISCARD enum app_err ev_file_get(struct store *s, int64_t id, struct arena *arena,
                                        struct ev_file *out, struct err *e);
/* Every custody record of a source (NULL: of all), in id order. */
typedef enum app_err (*ev_file_fn)(void *ctx, const struct ev_file *f);
ATTR_NODISCARD enum app_err ev_file_each(struct store *s, const char *source_id, ev_file_fn fn,
                                         void *ctx, struct err *e);

#endif
