/*
 * strmap.h: an open-addressing hash map from strings to a 64-bit value.
 *
 * Keys are copied into the map's own storage. Used for id sets during
 * import (one entry per object) and small lookup tables.
 */
#ifndef REFUGE_CORE_STRMAP_H
#define REFUGE_CORE_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct strmap_slot {
    const char *key; /* NULL = empty */
    uint64_t hash;
    uint64_t value;
};

struct strmap {
    struct strmap_slot *slots;
    size_t n_slots; /* power of two, or 0 */
    size_t count;
    struct arena keys;
};

#define STRMAP_INIT \
    {               \
        0           \
    }

/* A 64-bit hash of a NUL-terminated string (eight bytes at a time, mixed
 * with murmur3's finaliser): the map's, and for tables of strings kept
 * elsewhere. */
uint64_t strmap_hash(const char *s);

/* Inserts key with value unless present. Returns true if inserted; when the key
 * was present, returns false and stores the existing value in *old (if given). */
bool strmap_put(struct strmap *m, const char *key, uint64_t value, uint64_t *old);
/* Finds key; returns true and sets *value (if given) when present. */
bool strmap_get(const struct strmap *m, const char *key, uint64_t *value);
void strmap_release(struct strmap *m);

#endif
