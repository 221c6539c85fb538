/*
 * checkscan.h: the facts of every case for a check of the whole store, read
 * with one pass over each table (store/scan.h) and held compactly, then
 * handed out a batch of cases at a time as the views the engine reads.
 * Internal to the service module (used by checks.c).
 */
#ifndef REFUGE_SERVICE_CHECKSCAN_H
#define REFUGE_SERVICE_CHECKSCAN_H

#include "service/service.h"

struct factbase;        /* opaque; read only once loaded */
struct factbase_cursor; /* one thread's scratch space for building views */

/* Reads every case, person and event of the store (only what the check
 * engine reads; the events' sources only when `sources`: only explanations
 * and the text output show them). With `second`, another connection to the
 * same store (or NULL), two threads read at once, the persons and cases on
 * s and the events on second, in one snapshot (store_read_begin_pair();
 * when none can be had, s reads alone). On success *out is a new factbase
 * the caller frees with factbase_free(). */
ATTR_NODISCARD enum app_err factbase_load(struct store *s, struct store *second, bool sources,
                                          struct factbase **out, struct err *e);
/* Whether the store has an event with this id; false for any once
 * factbase_drop_event_index() has given back the index's memory. */
bool factbase_has_event(const struct factbase *fb, const char *id);
void factbase_drop_event_index(struct factbase *fb);
/* The number of cases (all of them, closed ones included). */
size_t factbase_count(const struct factbase *fb);
/* Scratch space for factbase_views(), one per thread that builds views
 * (the factbase itself is only read, by any number of threads). */
struct factbase_cursor *factbase_cursor_new(const struct factbase *fb);
void factbase_cursor_free(struct factbase_cursor *cur);
/* Fills views[0 .. n) with the cases first .. first + n - 1 in id order:
 * the case (id, state, status, subjects), its subjects as persons (id,
 * display name, ethnicity, religion, profiles, group, group size) and every
 * event naming one of them (the members the engine reads, with persons, and
 * sources if loaded), in the timeline order of service_sort_events(). Each
 * person id is one string: an event's persons point to their ids as the
 * subjects carry them (struct case_facts, shared_ids). No risks. Allocates
 * in `a`. */
void factbase_views(const struct factbase *fb, struct factbase_cursor *cur, size_t first, size_t n,
                    struct arena *a, struct case_view *views);
void factbase_free(struct factbase *fb);

#endif
