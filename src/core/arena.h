/*
 * arena.h: a bump allocator; everything allocated from it is freed at once.
 *
 * Used for one decoded object, one request or one command's short-lived data,
 * so that code working on it never frees piecemeal.
 */
#ifndef REFUGE_CORE_ARENA_H
#define REFUGE_CORE_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *head; /* newest block first */
    size_t used;              /* bytes used in head */
};

#define ARENA_INIT \
    {              \
        0          \
    }

/* Returns n zeroed bytes aligned for any type; never NULL. */
void *arena_alloc(struct arena *a, size_t n);
/* arena_alloc() without the zeroing, for an array the caller writes in full
 * before reading any of it (on hot paths, where zeroing showed: 5% of a
 * check of every case). */
void *arena_alloc_unzeroed(struct arena *a, size_t n);
/* Copies s (or its first n bytes) into the arena, NUL-terminated; NULL gives NULL. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Frees every block; the arena can be used again. */
void arena_release(struct arena *a);

#endif
