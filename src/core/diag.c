/*
 * diag.c: problem lists for input validation (see diag.h).
 */
#include "core/diag.h"

#include <stdarg.h>
#include <stdlib.h>

#include "core/buf.h"
#include "core/xalloc.h"

void diag_add(struct diags *d, const char *where, const char *fmt, ...)
{
    size_t cap = d->cap ? d->cap : DIAG_DEFAULT_CAP;
    d->total++;
    if (d->n_items >= cap) {
        return;
    }
    if (d->n_items == d->alloc) {
        d->alloc = d->alloc ? d->alloc * 2 : 16;
        d->items = xrealloc(d->items, d->alloc * sizeof *d->items);
    }
    struct buf b = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vaddf(&b, fmt, ap);
    va_end(ap);
    d->items[d->n_items].where = xstrdup(where ? where : "");
    d->items[d->n_items].msg = buf_detach(&b);
    d->n_items++;
}

void diags_release(struct diags *d)
{
    for (size_t i = 0; i < d->n_items; i++) {
        free(d->items[i].where);
        free(d->items[i].msg);
    }
    free(d->items);
    *d = (struct diags)DIAGS_INIT;
}
