/*
 * checks.h: what the legal checks keep in the store: reference data files
 * and the history of findings.
 */
#ifndef REFUGE_STORE_CHECKS_H
#define REFUGE_STORE_CHECKS_H

#include "store/store.h"

/* Loads the compiled-in reference data file `name` into the store unless the
 * same content is there already. */
ATTR_NODISCARD enum app_err store_refdata_sync(struct store *s, const char *name, struct err *e);
/* The stored content of a reference data file, copied into arena.
 * E_NOT_FOUND when absent. */
ATTR_NODISCARD enum app_err store_refdata_get(struct store *s, const char *name, struct arena *a,
                                              const char **content, size_t *len, struct err *e);

/* One finding as the history records it. */
struct finding_record {
    const char *case_id;
    const char *person;
    const char *rule;
    const char *severity;
    const char *status;
    const char *summary;
    const char *missing_json; /* JSON array text */
};

/* Records one check run over the given cases: opens a period for each
 * finding not already open with the same status, refreshes the open ones,
 * and ends the open periods of those cases that the run no longer raised.
 * Runs in its own transaction. */
ATTR_NODISCARD enum app_err store_history_record(struct store *s, const struct strs *case_ids,
                                                 const struct finding_record *items, size_t n,
                                                 const char *as_of, struct err *e);

/* One period of a finding. */
struct finding_period {
    struct finding_record f;
    const char *first_seen;
    const char *first_as_of;
    const char *last_seen;
    const char *ended; /* NULL while it still holds */
    const char *ended_as_of;
};

/* The history of one case, oldest first, into arena. */
ATTR_NODISCARD enum app_err store_history_list(struct store *s, const char *case_id,
                                               struct arena *a, struct finding_period **out,
                                               size_t *n, struct err *e);

#endif
