/*
 * case_json.c: the JSON views of cases for scripts (`--json`). Objects keep
 * the bundle format's shape; timeline entries add "date_text".
 */
#include <jansson.h>

#include "bundle/codec.h"
#include "render/render.h"

static void dump(json_t *v, FILE *out)
{
    json_dumpf(v, out, JSON_INDENT(2));
    fputc('\n', out);
    json_decref(v);
}

void render_cases_json(const struct case_row *rows, size_t n, FILE *out)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct case_row *r = &rows[i];
        char iso[DATE_ISO_MAX];
        date_iso(r->opened, iso);
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(r->id));
        json_object_set_new(o, "title", r->title ? json_string(r->title) : json_null());
        json_object_set_new(o, "state", r->state ? json_string(r->state) : json_null());
        json_object_set_new(o, "status", r->status ? json_string(r->status) : json_null());
        json_object_set_new(o, "opened", r->opened.prec ? json_string(iso) : json_null());
        json_object_set_new(o, "subjects", json_integer((json_int_t)r->n_subjects));
        json_array_append_new(a, o);
    }
    dump(a, out);
}

static json_t *list(enum obj_kind kind, const void *arr, size_t n, size_t size)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(a, codec_encode(kind, (const char *)arr + i * size));
    }
    return a;
}

void render_case_json(const struct case_view *v, FILE *out)
{
    json_t *o = json_object();
    json_object_set_new(o, "case", codec_encode(OBJ_CASE, &v->kase));
    json_object_set_new(o, "subjects",
                        list(OBJ_PERSON, v->subjects, v->n_subjects, sizeof *v->subjects));
    json_t *timeline = json_array();
    for (size_t i = 0; i < v->n_events; i++) {
        json_t *ev = codec_encode(OBJ_EVENT, &v->events[i]);
        char when[80];
        render_date_text(v->events[i].date, v->events[i].approx, when, sizeof when);
        json_object_set_new(ev, "date_text", json_string(when));
        json_array_append_new(timeline, ev);
    }
    json_object_set_new(o, "timeline", timeline);
    json_object_set_new(o, "persons", list(OBJ_PERSON, v->others, v->n_others, sizeof *v->others));
    json_object_set_new(
        o, "organizations",
        list(OBJ_ORGANIZATION, v->organizations, v->n_organizations, sizeof *v->organizations));
    json_object_set_new(o, "sources",
                        list(OBJ_SOURCE, v->sources, v->n_sources, sizeof *v->sources));
    json_object_set_new(o, "risks", list(OBJ_RISK, v->risks, v->n_risks, sizeof *v->risks));
    json_object_set_new(o, "actions",
                        list(OBJ_ACTION, v->actions, v->n_actions, sizeof *v->actions));
    dump(o, out);
}
