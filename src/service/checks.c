/*
 * checks.c: loading cases for the check engine, running it, and recording
 * the findings history.
 */
#include <string.h>

#include "core/buf.h"
#include "service/checks.h"

static const char *const refdata_files[] = {"treaty_parties.csv", "treaty_parties_notes.csv"};

/* Treaty data comes from the store (loaded there from the compiled-in copy). */
static enum app_err load_treaties(struct store *s, struct arena *a, struct treaty_table *t,
                                  struct err *e)
{
    const char *text[2];
    size_t len[2];
    for (size_t i = 0; i < 2; i++) {
        enum app_err rc = store_refdata_sync(s, refdata_files[i], e);
        if (rc == E_OK) {
            rc = store_refdata_get(s, refdata_files[i], a, &text[i], &len[i], e);
        }
        if (rc != E_OK) {
            return rc;
        }
    }
    return treaty_table_parse(t, text[0], len[0], text[1], len[1], a, e);
}

static void missing_json(const struct finding *f, struct buf *out)
{
    buf_addch(out, '[');
    for (size_t i = 0; i < f->missing.n_items; i++) {
        buf_addf(out, "%s\"%s\"", i ? "," : "", f->missing.items[i]);
    }
    buf_addch(out, ']');
}

static enum app_err record(struct store *s, const struct check_outcome *o, struct date as_of,
                           struct arena *a, struct err *e)
{
    struct strs ids = {arena_alloc(a, (o->n_views + 1) * sizeof(char *)), o->n_views};
    for (size_t i = 0; i < o->n_views; i++) {
        ids.items[i] = o->views[i].kase.id;
    }
    size_t n = o->result.n_items;
    struct finding_record *recs = arena_alloc(a, (n + 1) * sizeof *recs);
    for (size_t i = 0; i < n; i++) {
        const struct finding *f = &o->result.items[i];
        struct buf m = BUF_INIT;
        missing_json(f, &m);
        recs[i] = (struct finding_record){f->case_id,
                                          f->person_id,
                                          f->rule_id,
                                          check_severity_name(f->severity),
                                          check_status_name(f->status),
                                          f->summary,
                                          arena_strdup(a, m.data)};
        buf_release(&m);
    }
    char iso[DATE_ISO_MAX];
    date_iso(as_of, iso);
    return store_history_record(s, &ids, recs, n, iso, e);
}

enum app_err service_check(struct store *s, const struct check_request *rq, struct arena *a,
                           struct check_outcome *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    enum app_err rc = load_treaties(s, a, &out->treaties, e);
    if (rc != E_OK) {
        return rc;
    }
    const char **ids;
    size_t n_ids;
    if (rq->case_id) {
        ids = arena_alloc(a, sizeof *ids);
        ids[0] = rq->case_id;
        n_ids = 1;
    } else {
        struct case_ *cases;
        size_t n_cases;
        rc = service_list_cases(s, NULL, a, &cases, &n_cases, e);
        if (rc != E_OK) {
            return rc;
        }
        ids = arena_alloc(a, (n_cases + 1) * sizeof *ids);
        n_ids = 0;
        for (size_t i = 0; i < n_cases; i++) {
            const char *st = cases[i].status ? cases[i].status : "open";
            if (strcmp(st, "closed") != 0) {
                ids[n_ids++] = cases[i].id;
            }
        }
    }
    out->views = arena_alloc(a, (n_ids + 1) * sizeof *out->views);
    struct case_facts *facts = arena_alloc(a, (n_ids + 1) * sizeof *facts);
    for (size_t i = 0; i < n_ids; i++) {
        struct case_view *v = &out->views[out->n_views];
        rc = service_load_case(s, ids[i], a, v, e);
        if (rc != E_OK) {
            return rc;
        }
        facts[out->n_views] = (struct case_facts){
            .case_ = &v->kase,
            .subjects = v->subjects,
            .n_subjects = v->n_subjects,
            .events = v->events,
            .n_events = v->n_events,
            .risks = v->risks,
            .n_risks = v->n_risks,
        };
        out->n_views++;
    }
    rc = check_run(facts, out->n_views, rq->as_of, &out->treaties, a, &out->result, e);
    if (rc == E_OK && rq->record) {
        rc = record(s, out, rq->as_of, a, e);
    }
    return rc;
}

const struct case_view *check_outcome_view(const struct check_outcome *o, const char *case_id)
{
    for (size_t i = 0; i < o->n_views; i++) {
        if (strcmp(o->views[i].kase.id, case_id) == 0) {
            return &o->views[i];
        }
    }
    return NULL;
}
