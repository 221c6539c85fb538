/*
 * service.h: the use-cases shared by the CLI and the HTTP API: importing and
 * exporting bundles, and loading a case with everything it rests on.
 *
 * Services validate (domain, bundle) and persist (store) inside one
 * transaction; they never print and never exit.
 */
#ifndef REFUGE_SERVICE_SERVICE_H
#define REFUGE_SERVICE_SERVICE_H

#include <stdio.h>

#include "bundle/bundle.h"
#include "core/arena.h"
#include "core/diag.h"
#include "core/err.h"
#include "domain/model.h"
#include "store/store.h"

struct import_report {
    size_t inserted[OBJ_KIND_COUNT];
    size_t updated[OBJ_KIND_COUNT];
    size_t unchanged[OBJ_KIND_COUNT];
};

/* Imports a bundle read from `in`, all or nothing: every problem found (up to
 * the cap of `problems`) is reported with its JSON path and nothing is
 * written unless there is none. Objects whose id exists are updated; objects
 * equal to the stored ones are left alone, so importing twice changes
 * nothing. `notes` (may be NULL) receives harmless remarks such as unknown
 * fields kept. Returns E_OK, E_INVALID, E_IO or E_STORAGE. */
ATTR_NODISCARD enum app_err service_import(struct store *s, FILE *in, struct import_report *report,
                                           struct diags *problems, struct diags *notes,
                                           struct err *e);

/* Writes a bundle to `out`: everything, or (case_id not NULL) one case with
 * everything it refers to (its subjects, the events that name them, the
 * persons, organizations and sources those refer to, the risks that apply to
 * its subjects, and its actions), so that the result imports on its own.
 * Lists are in the format's order and objects in id order. */
ATTR_NODISCARD enum app_err service_export(struct store *s, const char *case_id, FILE *out,
                                           struct err *e);

/* A case with what it rests on, loaded into one arena. */
struct case_view {
    struct case_ kase;
    struct person *subjects; /* in the case's order */
    size_t n_subjects;
    struct event *events; /* every event naming a subject, in timeline order */
    size_t n_events;
    struct risk *risks; /* every risk whose profiles match a subject (any country, any period) */
    size_t n_risks;
    struct source *sources; /* sources cited by the events, persons and risks, by id */
    size_t n_sources;
    struct organization *organizations; /* acting in events, and their parents, by id */
    size_t n_organizations;
    struct person *others; /* officials, other persons in events, person targets, by id */
    size_t n_others;
    struct action *actions; /* in id order */
    size_t n_actions;
};

/* Loads a case. E_NOT_FOUND when there is no such case. */
ATTR_NODISCARD enum app_err service_load_case(struct store *s, const char *case_id,
                                              struct arena *arena, struct case_view *out,
                                              struct err *e);

/* Sorts events into timeline order (findings.md): undated first, then by the
 * first day of their date; on the same day the ending events (release,
 * acquittal, removal_cancelled, removal) after the others; then by id. */
void service_sort_events(struct event *events, size_t n);

/* Every case (status NULL) or those with the given status, in id order,
 * into an arena array. */
ATTR_NODISCARD enum app_err service_list_cases(struct store *s, const char *status,
                                               struct arena *arena, struct case_ **out,
                                               size_t *n_out, struct err *e);

/* Version expectations for single-object writes (the API's If-Match). */
enum { VERSION_ANY = -1, VERSION_NEW = 0 };

/* Writes one object that came through the API, inside its own transaction:
 * its references must resolve to stored objects. `expected` is VERSION_NEW
 * (the id must not exist: E_CONFLICT otherwise), VERSION_ANY, or the version
 * the client last saw (E_CONFLICT when the stored one differs, with
 * *version set to the stored version). On success *version is the new
 * version. `o` comes from bundle_decode_text(). */
ATTR_NODISCARD enum app_err service_put_object(struct store *s, const struct bundle_obj *o,
                                               int64_t expected, int64_t *version,
                                               struct diags *problems, struct err *e);

/* Deletes one object if its version is `expected` (or VERSION_ANY). */
ATTR_NODISCARD enum app_err service_delete_object(struct store *s, enum obj_kind kind,
                                                  const char *id, int64_t expected,
                                                  int64_t *version, struct err *e);

/* Lookups in a loaded case; NULL when absent. */
const struct source *case_view_source(const struct case_view *v, const char *id);
const struct organization *case_view_organization(const struct case_view *v, const char *id);
const struct person *case_view_person(const struct case_view *v, const char *id);

#endif
