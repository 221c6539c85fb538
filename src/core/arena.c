/*
 * arena.c: bump allocator with a chain of blocks (see arena.h).
 */
#include "core/arena.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

struct arena_block {
    struct arena_block *next;
    size_t size;
    alignas(max_align_t) unsigned char data[];
};

enum { ARENA_BLOCK = 64 * 1024 };

/* Bytes from the arena, not cleared. A request larger than a quarter block
 * gets a block of its own, linked behind the current one so that the
 * current one's free space is not abandoned. */
void *arena_alloc_unzeroed(struct arena *a, size_t n)
{
    size_t align = alignof(max_align_t);
    n = (n + align - 1) & ~(align - 1);
    if (!n) {
        n = align;
    }
    if (n > ARENA_BLOCK / 4) {
        struct arena_block *b = xmalloc(sizeof *b + n);
        b->size = n;
        if (a->head) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = NULL;
            a->head = b;
            a->used = n;
        }
        return b->data;
    }
    if (!a->head || a->used + n > a->head->size) {
        struct arena_block *b = xmalloc(sizeof *b + ARENA_BLOCK);
        b->size = ARENA_BLOCK;
        b->next = a->head;
        a->head = b;
        a->used = 0;
    }
    void *p = a->head->data + a->used;
    a->used += n;
    return p;
}

void *arena_alloc(struct arena *a, size_t n)
{
    void *p = arena_alloc_unzeroed(a, n);
    memset(p, 0, n);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    if (!s) {
        return NULL;
    }
    char *p = arena_alloc_unzeroed(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

void arena_release(struct arena *a)
{
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used = 0;
}
