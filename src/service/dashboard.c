/*
 * dashboard.c: the dashboard's three lists (see dashboard.h), built from the
 * checks over every open or monitoring case and from the store's record of
 * when cases last changed.
 */
#include "service/dashboard.h"

#include <stdlib.h>
#include <string.h>

struct collect {
    struct store *s;
    const struct principal *who;
    struct arena *a;
    int64_t today;
    struct dashboard_case *cases;
    size_t n_cases;
    size_t cap_cases;
    struct dashboard_deadline *deadlines;
    size_t n_deadlines;
    size_t cap_deadlines;
};

/* Grows an arena array of `size`-byte items to hold one more. */
static void *grow(struct arena *a, void *items, size_t n, size_t *cap, size_t size)
{
    if (n < *cap) {
        return items;
    }
    size_t ncap = *cap ? *cap * 2 : 16;
    void *fresh = arena_alloc(a, ncap * size);
    if (n) {
        memcpy(fresh, items, n * size);
    }
    *cap = ncap;
    return fresh;
}

static void add_deadlines(struct collect *c, const struct case_view *v)
{
    for (size_t i = 0; i < v->n_events; i++) {
        const struct event *ev = &v->events[i];
        if (ev->appeal_until.prec == DATE_NONE || date_last_day(ev->appeal_until) < c->today) {
            continue;
        }
        c->deadlines =
            grow(c->a, c->deadlines, c->n_deadlines, &c->cap_deadlines, sizeof *c->deadlines);
        c->deadlines[c->n_deadlines++] = (struct dashboard_deadline){
            .case_id = arena_strdup(c->a, v->kase.id),
            .event_id = arena_strdup(c->a, ev->id),
            .type = ev->type,
            .until = ev->appeal_until,
        };
    }
}

static enum app_err on_batch(void *ctx, const struct check_outcome *o)
{
    struct collect *c = ctx;
    for (size_t i = 0; i < o->n_views; i++) {
        const struct case_view *v = &o->views[i];
        /* The batches may hold closed cases too (the engine skips them). */
        if ((v->kase.status && strcmp(v->kase.status, "closed") == 0) ||
            !auth_can_case(c->s, c->who, v->kase.id, VERB_READ)) {
            continue;
        }
        struct dashboard_case dc = {
            .id = arena_strdup(c->a, v->kase.id),
            .status = arena_strdup(c->a, v->kase.status),
        }; /* the title is read for the cases shown (the views carry none) */
        for (size_t k = 0; k < o->result.n_items; k++) {
            const struct finding *f = &o->result.items[k];
            if (strcmp(f->case_id, v->kase.id) != 0) {
                continue;
            }
            dc.n_findings++;
            if (!dc.rule || f->severity < dc.severity ||
                (f->severity == dc.severity && f->status < dc.finding_status)) {
                dc.rule = arena_strdup(c->a, f->rule_id);
                dc.severity = f->severity;
                dc.finding_status = f->status;
            }
        }
        c->cases = grow(c->a, c->cases, c->n_cases, &c->cap_cases, sizeof *c->cases);
        c->cases[c->n_cases++] = dc;
        add_deadlines(c, v);
    }
    return E_OK;
}

static int cmp_case(const void *pa, const void *pb)
{
    const struct dashboard_case *a = pa;
    const struct dashboard_case *b = pb;
    if ((a->rule != NULL) != (b->rule != NULL)) {
        return a->rule ? -1 : 1;
    }
    if (a->rule && a->severity != b->severity) {
        return a->severity < b->severity ? -1 : 1;
    }
    if (a->rule && a->finding_status != b->finding_status) {
        return a->finding_status < b->finding_status ? -1 : 1;
    }
    return strcmp(a->id, b->id);
}

static int cmp_deadline(const void *pa, const void *pb)
{
    const struct dashboard_deadline *a = pa;
    const struct dashboard_deadline *b = pb;
    int64_t x = date_first_day(a->until);
    int64_t y = date_first_day(b->until);
    if (x != y) {
        return x < y ? -1 : 1;
    }
    int d = strcmp(a->case_id, b->case_id);
    return d ? d : strcmp(a->event_id, b->event_id);
}

struct recent_ctx {
    struct store *s;
    const struct principal *who;
    struct arena *a;
    struct dashboard *out;
    struct err *e;
    enum app_err rc;
};

static bool on_recent(void *ctx, const char *case_id, const char *changed)
{
    struct recent_ctx *r = ctx;
    if (!auth_can_case(r->s, r->who, case_id, VERB_READ)) {
        return true;
    }
    struct case_ k;
    r->rc = store_get(r->s, OBJ_CASE, case_id, r->a, &k, r->e);
    if (r->rc != E_OK) {
        return false;
    }
    r->out->recent[r->out->n_recent++] = (struct dashboard_recent){
        .id = k.id,
        .title = k.title,
        .changed = arena_strdup(r->a, changed),
    };
    return r->out->n_recent < DASHBOARD_MAX_RECENT;
}

enum app_err service_dashboard(struct store *s, const struct principal *who, struct date today,
                               struct arena *a, struct dashboard *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    struct collect c = {.s = s, .who = who, .a = a, .today = date_first_day(today)};
    /* The findings alone, without explanations: the store is read in one
     * pass over each table (docs/checks.md, "Checking every case"). */
    struct check_request rq = {.case_id = NULL,
                               .as_of = today,
                               .record = false,
                               .findings_only = true,
                               .no_explanation = true};
    enum app_err rc = service_check_each(s, &rq, on_batch, &c, e);
    if (rc != E_OK) {
        return rc;
    }
    if (c.n_cases) {
        qsort(c.cases, c.n_cases, sizeof *c.cases, cmp_case);
    }
    for (size_t i = 0; i < c.n_cases && i < DASHBOARD_MAX_CASES; i++) {
        struct case_ k;
        rc = store_get(s, OBJ_CASE, c.cases[i].id, a, &k, e);
        if (rc == E_NOT_FOUND) {
            continue; /* deleted since the check read it: shown without a title */
        }
        if (rc != E_OK) {
            return rc;
        }
        c.cases[i].title = k.title;
    }
    if (c.n_deadlines) {
        qsort(c.deadlines, c.n_deadlines, sizeof *c.deadlines, cmp_deadline);
    }
    out->cases = c.cases;
    out->total_cases = c.n_cases;
    out->n_cases = c.n_cases < DASHBOARD_MAX_CASES ? c.n_cases : DASHBOARD_MAX_CASES;
    out->deadlines = c.deadlines;
    out->n_deadlines =
        c.n_deadlines < DASHBOARD_MAX_DEADLINES ? c.n_deadlines : DASHBOARD_MAX_DEADLINES;
    out->recent = arena_alloc(a, DASHBOARD_MAX_RECENT * sizeof *out->recent);
    struct recent_ctx r = {.s = s, .who = who, .a = a, .out = out, .e = e, .rc = E_OK};
    rc = store_recent_cases(s, on_recent, &r, e);
    return rc != E_OK ? rc : r.rc;
}
