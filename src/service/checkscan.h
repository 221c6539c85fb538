/*
 * checkscan.h: the facts of every case for a check of the whole store, read
 * with one pass over each table (store/scan.h) and held compactly, then
 * handed out a batch of cases at a time as the views the engine reads.
 * Internal to the service module (used by checks.c).
 */
#ifndef REFUGE_SERVICE_CHECKSCAN_H
#define REFUGE_SERVICE_CHECKSCAN_H

#include "service/service.h"

struct factbase; /* opaque */

/* Reads every case, person and event of the store (only what the check
 * engine reads). On success *out is a new factbase the caller frees with
 * factbase_free(). */
ATTR_NODISCARD enum app_err factbase_load(struct store *s, struct factbase **out, struct err *e);
/* The number of cases (all of them, closed ones included). */
size_t factbase_count(const struct factbase *fb);
/* Fills views[0 .. n) with the cases first .. first + n - 1 in id order:
 * the case (id, state, status, subjects), its subjects as persons (id,
 * display name, ethnicity, religion, profiles, group, group size) and every
 * event naming one of them (the members the engine reads, with persons and
 * sources), in no particular order. No risks. Allocates in `a`. */
void factbase_views(struct factbase *fb, size_t first, size_t n, struct arena *a,
                    struct case_view *views);
void factbase_free(struct factbase *fb);

#endif
