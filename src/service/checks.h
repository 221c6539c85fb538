/*
 * checks.h: running the legal checks over stored cases and keeping their
 * history (the engine itself is src/check/, which knows nothing of storage).
 */
#ifndef REFUGE_SERVICE_CHECKS_H
#define REFUGE_SERVICE_CHECKS_H

#include "check/check.h"
#include "service/service.h"
#include "store/checks.h"

struct buf;

/* Loaded cases and the findings on them, all in one arena. */
struct check_outcome {
    struct case_view *views; /* the cases checked, in id order */
    size_t n_views;
    struct check_result result;
    struct treaty_table treaties;
    /* What the request's prepare function made of these findings (see
     * struct check_request), or NULL. */
    const struct buf *prepared;
};

/* Work on a batch's findings that may run on the thread that checked it,
 * batches in any order and several at once (rendering them, say): out is
 * empty; the batch reaches check_batch_fn with out as its `prepared`. ctx is
 * the ctx given to service_check_each(): read it only. */
typedef void (*check_prepare_fn)(void *ctx, const struct check_outcome *batch, struct buf *out);

struct check_request {
    const char *case_id; /* NULL: every open or monitoring case */
    struct date as_of;
    bool record; /* add the run to the findings history */
    /* The batches' views need hold only what the engine reads (the case ids
     * and findings are all that is used, as for JSON output): a run over
     * every case then reads each table once (service/checkscan.c). */
    bool findings_only;
    /* The findings need no explanation lines (JSON without --explain). */
    bool no_explanation;
    /* With findings_only and no case_id: threads that check batches of cases
     * while the calling thread hands their findings to fn (0 or 1: the
     * calling thread alone). They read memory only, never the store. */
    unsigned threads;
    /* With findings_only and no case_id, optionally: a second connection to
     * the same store, read-only, on which a thread reads the events while
     * the calling thread reads the persons and cases (checkscan.h). */
    struct store *second;
    /* With findings_only and no case_id, optionally (see check_prepare_fn). */
    check_prepare_fn prepare;
};

/* Runs the checks. E_NOT_FOUND when case_id names no case. A closed case
 * named by case_id is checked all the same (the engine skips it: no findings). */
ATTR_NODISCARD enum app_err service_check(struct store *s, const struct check_request *rq,
                                          struct arena *a, struct check_outcome *out,
                                          struct err *e);

/* Runs the checks over every open or monitoring case in batches of cases
 * (id order), calling fn once per batch with the batch's findings; memory
 * stays bounded however many cases there are. The views in each batch hold
 * the case, its subjects, their events and the risks (not organizations,
 * sources or other persons). With rq->case_id set, behaves as
 * service_check() and calls fn once. */
typedef enum app_err (*check_batch_fn)(void *ctx, const struct check_outcome *batch);
ATTR_NODISCARD enum app_err service_check_each(struct store *s, const struct check_request *rq,
                                               check_batch_fn fn, void *ctx, struct err *e);

/* The view of the case a finding is about (NULL if not loaded). */
const struct case_view *check_outcome_view(const struct check_outcome *o, const char *case_id);

#endif
