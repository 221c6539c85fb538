/*
 * casefile.c: loading one case with everything it rests on (struct
 * case_view), for showing it, checking it and drafting from it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/strmap.h"
#include "service/service.h"

static int event_rank(const struct event *e)
{
    return event_type_is_ending(e->type) ? 1 : 0;
}

static int cmp_event(const void *a, const void *b)
{
    const struct event *x = a;
    const struct event *y = b;
    bool xd = x->date.prec != DATE_NONE;
    bool yd = y->date.prec != DATE_NONE;
    if (xd != yd) {
        return xd ? 1 : -1;
    }
    if (xd) {
        int64_t dx = date_first_day(x->date);
        int64_t dy = date_first_day(y->date);
        if (dx != dy) {
            return dx < dy ? -1 : 1;
        }
    }
    int r = event_rank(x) - event_rank(y);
    if (r) {
        return r;
    }
    return strcmp(x->id, y->id);
}

void service_sort_events(struct event *events, size_t n)
{
    size_t i = 1;
    while (i < n && cmp_event(&events[i - 1], &events[i]) <= 0) {
        i++; /* the check of every case hands them over in this order */
    }
    if (i < n) {
        qsort(events, n, sizeof *events, cmp_event);
    }
}

/* A set of ids collected while walking the case; sorted on demand. */
struct idset {
    struct strmap map;
    const char **ids;
    size_t n, alloc;
};

static void idset_add(struct idset *s, struct arena *a, const char *id)
{
    if (!id || !strmap_put(&s->map, id, 0, NULL)) {
        return;
    }
    if (s->n == s->alloc) {
        size_t cap = s->alloc ? s->alloc * 2 : 16;
        const char **grown = arena_alloc(a, cap * sizeof *grown);
        if (s->n) {
            memcpy(grown, s->ids, s->n * sizeof *grown);
        }
        s->ids = grown;
        s->alloc = cap;
    }
    s->ids[s->n++] = arena_strdup(a, id);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void idset_sort(struct idset *s)
{
    if (s->n > 1) {
        qsort(s->ids, s->n, sizeof *s->ids, cmp_str);
    }
}

/* Loads every object of an id set into a new array in the arena, in id
 * order, with one query per table (store_get_many). An id naming no object
 * is skipped: a dangling reference cannot be imported; tolerate it in
 * reading. */
static enum app_err load_all(struct store *st, enum obj_kind kind, struct idset *set, size_t size,
                             struct arena *a, void **out, size_t *n_out, struct err *e)
{
    (void)size;
    idset_sort(set);
    struct strs ids = {set->ids, set->n};
    return store_get_many(st, kind, &ids, a, out, n_out, e);
}

static bool risk_profile_matches(const struct risk *r, const struct person *p)
{
    if (r->profiles.n_items == 0) {
        return true;
    }
    for (size_t i = 0; i < r->profiles.n_items; i++) {
        const char *tag = r->profiles.items[i];
        for (size_t j = 0; j < p->profiles.n_items; j++) {
            if (strcasecmp(tag, p->profiles.items[j]) == 0) {
                return true;
            }
        }
        if ((p->ethnicity && strcasecmp(tag, p->ethnicity) == 0) ||
            (p->religion && strcasecmp(tag, p->religion) == 0)) {
            return true;
        }
    }
    return false;
}

struct risk_scan {
    struct case_view *v;
    struct idset *risks;
    struct arena *a;
};

static enum app_err scan_risk(void *ctx, const void *obj)
{
    struct risk_scan *rs = ctx;
    const struct risk *r = obj;
    for (size_t i = 0; i < rs->v->n_subjects; i++) {
        if (risk_profile_matches(r, &rs->v->subjects[i])) {
            idset_add(rs->risks, rs->a, r->id);
            break;
        }
    }
    return E_OK;
}

static void idset_release(struct idset *s)
{
    strmap_release(&s->map);
}

enum app_err service_load_case(struct store *st, const char *case_id, struct arena *a,
                               struct case_view *v, struct err *e)
{
    memset(v, 0, sizeof *v);
    enum app_err rc = store_get(st, OBJ_CASE, case_id, a, &v->kase, e);
    if (rc != E_OK) {
        return rc;
    }
    struct idset subjects = {0};
    struct idset events = {0};
    struct idset others = {0};
    struct idset orgs = {0};
    struct idset sources = {0};
    struct idset risks = {0};
    struct idset actions = {0};

    v->subjects = arena_alloc(a, (v->kase.subjects.n_items + 1) * sizeof *v->subjects);
    for (size_t i = 0; i < v->kase.subjects.n_items; i++) {
        const char *pid = v->kase.subjects.items[i];
        idset_add(&subjects, a, pid);
        if (store_get(st, OBJ_PERSON, pid, a, &v->subjects[v->n_subjects], e) == E_OK) {
            const struct person *p = &v->subjects[v->n_subjects++];
            for (size_t j = 0; j < p->n_positions; j++) {
                idset_add(&orgs, a, p->positions[j].organization);
            }
        }
        struct strs evs;
        rc = store_events_of_person(st, pid, a, &evs, e);
        if (rc != E_OK) {
            goto done;
        }
        for (size_t j = 0; j < evs.n_items; j++) {
            idset_add(&events, a, evs.items[j]);
        }
    }
    rc = load_all(st, OBJ_EVENT, &events, sizeof(struct event), a, (void **)&v->events,
                  &v->n_events, e);
    if (rc != E_OK) {
        goto done;
    }
    service_sort_events(v->events, v->n_events);
    for (size_t i = 0; i < v->n_events; i++) {
        const struct event *ev = &v->events[i];
        for (size_t j = 0; j < ev->persons.n_items; j++) {
            if (!strmap_get(&subjects.map, ev->persons.items[j], NULL)) {
                idset_add(&others, a, ev->persons.items[j]);
            }
        }
        if (ev->official && !strmap_get(&subjects.map, ev->official, NULL)) {
            idset_add(&others, a, ev->official);
        }
        idset_add(&orgs, a, ev->by);
        for (size_t j = 0; j < ev->sources.n_items; j++) {
            idset_add(&sources, a, ev->sources.items[j]);
        }
    }
    struct strs acts;
    rc = store_actions_of_case(st, case_id, a, &acts, e);
    if (rc != E_OK) {
        goto done;
    }
    for (size_t i = 0; i < acts.n_items; i++) {
        idset_add(&actions, a, acts.items[i]);
    }
    rc = load_all(st, OBJ_ACTION, &actions, sizeof(struct action), a, (void **)&v->actions,
                  &v->n_actions, e);
    if (rc != E_OK) {
        goto done;
    }
    for (size_t i = 0; i < v->n_actions; i++) {
        const struct strs *t = &v->actions[i].targets;
        for (size_t j = 0; j < t->n_items; j++) {
            if (store_exists(st, OBJ_ORGANIZATION, t->items[j])) {
                idset_add(&orgs, a, t->items[j]);
            } else if (!strmap_get(&subjects.map, t->items[j], NULL)) {
                idset_add(&others, a, t->items[j]);
            }
        }
    }
    rc = load_all(st, OBJ_PERSON, &others, sizeof(struct person), a, (void **)&v->others,
                  &v->n_others, e);
    if (rc != E_OK) {
        goto done;
    }
    for (size_t i = 0; i < v->n_others; i++) {
        for (size_t j = 0; j < v->others[i].n_positions; j++) {
            idset_add(&orgs, a, v->others[i].positions[j].organization);
        }
        for (size_t j = 0; j < v->others[i].sources.n_items; j++) {
            idset_add(&sources, a, v->others[i].sources.items[j]);
        }
    }
    /* Organizations and their parents, until no new parent appears. */
    for (;;) {
        size_t before = orgs.n;
        rc = load_all(st, OBJ_ORGANIZATION, &orgs, sizeof(struct organization), a,
                      (void **)&v->organizations, &v->n_organizations, e);
        if (rc != E_OK) {
            goto done;
        }
        for (size_t i = 0; i < v->n_organizations; i++) {
            idset_add(&orgs, a, v->organizations[i].parent);
        }
        if (orgs.n == before) {
            break;
        }
    }
    struct risk_scan rs = {.v = v, .risks = &risks, .a = a};
    rc = store_each(st, OBJ_RISK, scan_risk, &rs, e);
    if (rc != E_OK) {
        goto done;
    }
    rc = load_all(st, OBJ_RISK, &risks, sizeof(struct risk), a, (void **)&v->risks, &v->n_risks, e);
    if (rc != E_OK) {
        goto done;
    }
    for (size_t i = 0; i < v->n_risks; i++) {
        for (size_t j = 0; j < v->risks[i].sources.n_items; j++) {
            idset_add(&sources, a, v->risks[i].sources.items[j]);
        }
    }
    for (size_t i = 0; i < v->n_subjects; i++) {
        for (size_t j = 0; j < v->subjects[i].sources.n_items; j++) {
            idset_add(&sources, a, v->subjects[i].sources.items[j]);
        }
    }
    rc = load_all(st, OBJ_SOURCE, &sources, sizeof(struct source), a, (void **)&v->sources,
                  &v->n_sources, e);
done:
    idset_release(&subjects);
    idset_release(&events);
    idset_release(&others);
    idset_release(&orgs);
    idset_release(&sources);
    idset_release(&risks);
    idset_release(&actions);
    return rc;
}

const struct source *case_view_source(const struct case_view *v, const char *id)
{
    for (size_t i = 0; id && i < v->n_sources; i++) {
        if (strcmp(v->sources[i].id, id) == 0) {
            return &v->sources[i];
        }
    }
    return NULL;
}

const struct organization *case_view_organization(const struct case_view *v, const char *id)
{
    for (size_t i = 0; id && i < v->n_organizations; i++) {
        if (strcmp(v->organizations[i].id, id) == 0) {
            return &v->organizations[i];
        }
    }
    return NULL;
}

const struct person *case_view_person(const struct case_view *v, const char *id)
{
    for (size_t i = 0; id && i < v->n_subjects; i++) {
        if (strcmp(v->subjects[i].id, id) == 0) {
            return &v->subjects[i];
        }
    }
    for (size_t i = 0; id && i < v->n_others; i++) {
        if (strcmp(v->others[i].id, id) == 0) {
            return &v->others[i];
        }
    }
    return NULL;
}

struct list_ctx {
    const char *status;
    struct arena *arena;
    struct case_ *items;
    size_t n, alloc;
};

static const char *dup_or_null(struct arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

static enum app_err collect_case(void *ctx, const void *obj)
{
    struct list_ctx *c = ctx;
    const struct case_ *k = obj;
    const char *status = k->status ? k->status : "open";
    if (c->status && strcmp(c->status, status) != 0) {
        return E_OK;
    }
    if (c->n == c->alloc) {
        size_t cap = c->alloc ? c->alloc * 2 : 16;
        struct case_ *grown = arena_alloc(c->arena, cap * sizeof *grown);
        if (c->n) {
            memcpy(grown, c->items, c->n * sizeof *grown);
        }
        c->items = grown;
        c->alloc = cap;
    }
    /* Copy what a list shows; the iteration's strings do not outlive the call. */
    struct case_ *dst = &c->items[c->n++];
    memset(dst, 0, sizeof *dst);
    dst->id = arena_strdup(c->arena, k->id);
    dst->title = dup_or_null(c->arena, k->title);
    dst->state = dup_or_null(c->arena, k->state);
    dst->status = dup_or_null(c->arena, k->status);
    dst->summary = dup_or_null(c->arena, k->summary);
    dst->opened = k->opened;
    dst->subjects.n_items = k->subjects.n_items;
    dst->subjects.items = arena_alloc(c->arena, (k->subjects.n_items + 1) * sizeof(char *));
    for (size_t i = 0; i < k->subjects.n_items; i++) {
        dst->subjects.items[i] = arena_strdup(c->arena, k->subjects.items[i]);
    }
    return E_OK;
}

enum app_err service_list_cases(struct store *s, const char *status, struct arena *arena,
                                struct case_ **out, size_t *n_out, struct err *e)
{
    struct list_ctx c = {.status = status, .arena = arena};
    enum app_err rc = store_each(s, OBJ_CASE, collect_case, &c, e);
    *out = c.items;
    *n_out = c.n;
    return rc;
}
