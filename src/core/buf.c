/*
 * buf.c: growable NUL-terminated byte buffer (see buf.h).
 */
#include "core/buf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

char buf_empty[1];

void buf_init(struct buf *b)
{
    b->data = buf_empty;
    b->len = 0;
    b->cap = 0;
}

void buf_release(struct buf *b)
{
    if (b->cap) {
        free(b->data);
    }
    buf_init(b);
}

char *buf_detach(struct buf *b)
{
    char *p = b->cap ? b->data : xstrdup("");
    buf_init(b);
    return p;
}

void buf_reset(struct buf *b)
{
    buf_truncate(b, 0);
}

void buf_grow(struct buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        cap *= 2;
    }
    if (b->cap) {
        b->data = xrealloc(b->data, cap);
    } else {
        b->data = xmalloc(cap);
        b->data[0] = '\0';
    }
    b->cap = cap;
}

void buf_add(struct buf *b, const void *data, size_t len)
{
    if (!len) {
        return;
    }
    buf_grow(b, len);
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void buf_addch(struct buf *b, char c)
{
    buf_add(b, &c, 1);
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, cp);
    va_end(cp);
    if (n < 0) {
        return;
    }
    if ((size_t)n < sizeof small) {
        buf_add(b, small, (size_t)n);
        return;
    }
    buf_grow(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vaddf(b, fmt, ap);
    va_end(ap);
}

void buf_truncate(struct buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

/* True when none of the 8 bytes of w needs escaping: none is below 0x20
 * (NUL included), '"' or '\\' (bit tricks of "Bit Twiddling Hacks"). */
static bool word_plain(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t highs = 0x8080808080808080ULL;
    uint64_t q = w ^ (ones * '"');
    uint64_t b = w ^ (ones * '\\');
    uint64_t found = ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b);
    return !(found & highs);
}

void buf_add_json_string(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t len = strlen(s);
    const char *end = s + len;
    const char *p = s;
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        if (!word_plain(w)) {
            break;
        }
        p += 8;
    }
    while (p < end && (unsigned char)*p >= 0x20 && *p != '"' && *p != '\\') {
        p++;
    }
    if (p == end) { /* nothing to escape, as with ids: one copy */
        buf_grow(b, len + 2);
        char *at = b->data + b->len;
        at[0] = '"';
        memcpy(at + 1, s, len);
        at[len + 1] = '"';
        b->len += len + 2;
        b->data[b->len] = '\0';
        return;
    }
    buf_addch(b, '"');
    const char *run = s;
    for (p = s; p < end;) {
        uint64_t w;
        if (end - p >= 8 && (memcpy(&w, p, 8), word_plain(w))) {
            p += 8;
            continue;
        }
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\') {
            p++;
            continue;
        }
        buf_add(b, run, (size_t)(p - run));
        run = ++p;
        switch (c) {
        case '"':
            buf_add(b, "\\\"", 2);
            break;
        case '\\':
            buf_add(b, "\\\\", 2);
            break;
        case '\b':
            buf_add(b, "\\b", 2);
            break;
        case '\f':
            buf_add(b, "\\f", 2);
            break;
        case '\n':
            buf_add(b, "\\n", 2);
            break;
        case '\r':
            buf_add(b, "\\r", 2);
            break;
        case '\t':
            buf_add(b, "\\t", 2);
            break;
        default: {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            buf_add(b, esc, sizeof esc);
        }
        }
    }
    buf_add(b, run, (size_t)(end - run));
    buf_addch(b, '"');
}
