/*
 * strmap.c: string-keyed hash map with linear probing (see strmap.h).
 */
#include "core/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

static void grow(struct strmap *m)
{
    size_t n = m->n_slots ? m->n_slots * 2 : 64;
    struct strmap_slot *slots = xcalloc(n, sizeof *slots);
    for (size_t i = 0; i < m->n_slots; i++) {
        struct strmap_slot *s = &m->slots[i];
        if (!s->key) {
            continue;
        }
        size_t j = s->hash & (n - 1);
        while (slots[j].key) {
            j = (j + 1) & (n - 1);
        }
        slots[j] = *s;
    }
    free(m->slots);
    m->slots = slots;
    m->n_slots = n;
}

bool strmap_put(struct strmap *m, const char *key, uint64_t value, uint64_t *old)
{
    if ((m->count + 1) * 4 > m->n_slots * 3) {
        grow(m);
    }
    uint64_t h = hash_str(key);
    size_t j = h & (m->n_slots - 1);
    while (m->slots[j].key) {
        if (m->slots[j].hash == h && strcmp(m->slots[j].key, key) == 0) {
            if (old) {
                *old = m->slots[j].value;
            }
            return false;
        }
        j = (j + 1) & (m->n_slots - 1);
    }
    m->slots[j].key = arena_strdup(&m->keys, key);
    m->slots[j].hash = h;
    m->slots[j].value = value;
    m->count++;
    return true;
}

bool strmap_get(const struct strmap *m, const char *key, uint64_t *value)
{
    if (!m->n_slots) {
        return false;
    }
    uint64_t h = hash_str(key);
    size_t j = h & (m->n_slots - 1);
    while (m->slots[j].key) {
        if (m->slots[j].hash == h && strcmp(m->slots[j].key, key) == 0) {
            if (value) {
                *value = m->slots[j].value;
            }
            return true;
        }
        j = (j + 1) & (m->n_slots - 1);
    }
    return false;
}

void strmap_release(struct strmap *m)
{
    free(m->slots);
    arena_release(&m->keys);
    *m = (struct strmap)STRMAP_INIT;
}
