/*
 * buf.h: a growable, always NUL-terminated byte buffer.
 *
 * After BUF_INIT or buf_init() `data` is never NULL. Appends never fail
 * (allocation failure aborts, see xalloc.h). The owner calls buf_release()
 * or takes the bytes with buf_detach().
 */
#ifndef REFUGE_CORE_BUF_H
#define REFUGE_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/compat.h"

struct buf {
    char *data; /* the bytes, NUL-terminated; points at a static "" until first growth */
    size_t len; /* bytes used, not counting the NUL */
    size_t cap; /* bytes allocated, 0 while data points at the static "" */
};

extern char buf_empty[];
#define BUF_INIT                              \
    {                                         \
        .data = buf_empty, .len = 0, .cap = 0 \
    }

void buf_init(struct buf *b);
/* Frees the bytes and leaves b as after buf_init(). */
void buf_release(struct buf *b);
/* Returns the bytes (caller frees) and leaves b empty. Allocates if b is empty. */
char *buf_detach(struct buf *b);
void buf_reset(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addch(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...) ATTR_PRINTF(2, 3);
void buf_vaddf(struct buf *b, const char *fmt, va_list ap) ATTR_PRINTF(2, 0);
/* Shortens to len bytes (len <= b->len). */
void buf_truncate(struct buf *b, size_t len);
/* Appends s as a JSON string exactly as jansson writes it: only '"', '\\'
 * and control characters escaped, UTF-8 as is (what the bundle encoder and
 * the findings writer promise to match byte for byte). */
void buf_add_json_string(struct buf *b, const char *s);

#endif
