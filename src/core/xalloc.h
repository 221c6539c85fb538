/*
 * xalloc.h: allocation that never returns NULL.
 *
 * refuge aborts on out-of-memory for its own small allocations (see
 * docs/CODING_STYLE.md); sizes that come from input are capped before they
 * get here, so an attacker cannot drive these into failure.
 */
#ifndef REFUGE_CORE_XALLOC_H
#define REFUGE_CORE_XALLOC_H

#include <stddef.h>

/* malloc/calloc/realloc/strdup that abort with a message on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
