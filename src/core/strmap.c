/*
 * strmap.c: string-keyed hash map with linear probing (see strmap.h).
 */
#include "core/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

uint64_t strmap_hash(const char *s)
{
    size_t n = strlen(s); /* eight bytes at a time, then mixed (murmur3's finaliser) */
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
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
    uint64_t h = strmap_hash(key);
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
    uint64_t h = strmap_hash(key);
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
