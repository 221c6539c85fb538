/*
 * export.c: writing the store, or one case and what it rests on, as a bundle.
 */
#include <stdlib.h>
#include <string.h>

#include "bundle/bundle.h"
#include "service/service.h"

struct each_ctx {
    struct bundle_writer *w;
    enum obj_kind kind;
};

static enum app_err put_each(void *ctx, const void *obj)
{
    struct each_ctx *c = ctx;
    bundle_writer_put(c->w, c->kind, obj);
    return ferror(c->w->out) ? E_IO : E_OK;
}

static int cmp_person(const void *a, const void *b)
{
    return strcmp(((const struct person *)a)->id, ((const struct person *)b)->id);
}

static int cmp_event_id(const void *a, const void *b)
{
    return strcmp(((const struct event *)a)->id, ((const struct event *)b)->id);
}

static void put_array(struct bundle_writer *w, enum obj_kind kind, const void *arr, size_t n,
                      size_t size)
{
    for (size_t i = 0; i < n; i++) {
        bundle_writer_put(w, kind, (const char *)arr + i * size);
    }
}

static enum app_err export_case(struct store *s, const char *case_id, struct bundle_writer *w,
                                struct err *e)
{
    struct arena a = ARENA_INIT;
    struct case_view v;
    enum app_err rc = service_load_case(s, case_id, &a, &v, e);
    if (rc != E_OK) {
        arena_release(&a);
        return rc;
    }
    size_t n_persons = v.n_subjects + v.n_others;
    struct person *persons = arena_alloc(&a, (n_persons + 1) * sizeof *persons);
    memcpy(persons, v.subjects, v.n_subjects * sizeof *persons);
    memcpy(persons + v.n_subjects, v.others, v.n_others * sizeof *persons);
    qsort(persons, n_persons, sizeof *persons, cmp_person);
    struct event *events = arena_alloc(&a, (v.n_events + 1) * sizeof *events);
    memcpy(events, v.events, v.n_events * sizeof *events);
    qsort(events, v.n_events, sizeof *events, cmp_event_id);

    put_array(w, OBJ_SOURCE, v.sources, v.n_sources, sizeof *v.sources);
    put_array(w, OBJ_PERSON, persons, n_persons, sizeof *persons);
    put_array(w, OBJ_ORGANIZATION, v.organizations, v.n_organizations, sizeof *v.organizations);
    bundle_writer_put(w, OBJ_CASE, &v.kase);
    put_array(w, OBJ_EVENT, events, v.n_events, sizeof *events);
    put_array(w, OBJ_RISK, v.risks, v.n_risks, sizeof *v.risks);
    put_array(w, OBJ_ACTION, v.actions, v.n_actions, sizeof *v.actions);
    arena_release(&a);
    return E_OK;
}

enum app_err service_export(struct store *s, const char *case_id, FILE *out, struct err *e)
{
    struct bundle_writer w;
    bundle_writer_begin(&w, out);
    enum app_err rc = E_OK;
    if (case_id) {
        rc = export_case(s, case_id, &w, e);
    } else {
        for (int k = 0; k < OBJ_KIND_COUNT && rc == E_OK; k++) {
            struct each_ctx c = {.w = &w, .kind = (enum obj_kind)k};
            rc = store_each(s, (enum obj_kind)k, put_each, &c, e);
        }
    }
    if (rc != E_OK) {
        bundle_writer_abandon(&w);
        return rc == E_IO ? err_set(e, E_IO, "cannot write the bundle") : rc;
    }
    if (bundle_writer_end(&w) != E_OK) {
        return err_set(e, E_IO, "cannot write the bundle");
    }
    return E_OK;
}
