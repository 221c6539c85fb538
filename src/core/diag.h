/*
 * diag.h: a list of problems found in input, each tied to where it was found.
 *
 * Validation collects every problem (up to a cap) instead of stopping at the
 * first, so a researcher can fix a bundle in one pass. `where` is a JSON path
 * ("events[2].date") or a position ("line 3, column 14").
 */
#ifndef REFUGE_CORE_DIAG_H
#define REFUGE_CORE_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/compat.h"

struct diag_item {
    char *where; /* JSON path or position; may be "" */
    char *msg;   /* what is wrong, lower case, no full stop */
};

struct diags {
    struct diag_item *items;
    size_t n_items; /* items kept (at most cap) */
    size_t alloc;
    size_t total; /* problems found, including those past the cap */
    size_t cap;   /* how many to keep; 0 = DIAG_DEFAULT_CAP */
};

enum { DIAG_DEFAULT_CAP = 100 };

#define DIAGS_INIT \
    {              \
        0          \
    }

/* Records a problem at `where` (copied). */
void diag_add(struct diags *d, const char *where, const char *fmt, ...) ATTR_PRINTF(3, 4);
void diags_release(struct diags *d);

#endif
