/*
 * api_dashboard.c: GET /api/dashboard (the web interface's first page) and
 * GET /api/cases/{id}/history (the recorded history of a case's findings).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http/access.h"
#include "http/api.h"
#include "render/render.h"
#include "service/dashboard.h"

void api_dashboard(struct req *r, struct resp *w)
{
    struct dashboard d;
    struct err e = ERR_INIT;
    if (service_dashboard(r->store, r->who, date_today(), r->arena, &d, &e) != E_OK) {
        resp_error(w, e.code, e.msg, NULL);
        return;
    }
    json_t *cases = json_array();
    for (size_t i = 0; i < d.n_cases; i++) {
        const struct dashboard_case *c = &d.cases[i];
        json_t *o = json_pack("{s:s, s:s?, s:s?, s:I}", "id", c->id, "title", c->title, "status",
                              c->status, "findings", (json_int_t)c->n_findings);
        if (c->rule) {
            json_object_set_new(o, "top",
                                json_pack("{s:s, s:s, s:s}", "rule", c->rule, "severity",
                                          check_severity_name(c->severity), "status",
                                          check_status_name(c->finding_status)));
        } else {
            json_object_set_new(o, "top", json_null());
        }
        json_array_append_new(cases, o);
    }
    json_t *deadlines = json_array();
    for (size_t i = 0; i < d.n_deadlines; i++) {
        const struct dashboard_deadline *x = &d.deadlines[i];
        char until[DATE_ISO_MAX];
        date_iso(x->until, until);
        json_array_append_new(deadlines, json_pack("{s:s, s:s, s:s, s:s}", "case", x->case_id,
                                                   "event", x->event_id, "type",
                                                   event_type_name(x->type), "until", until));
    }
    json_t *recent = json_array();
    for (size_t i = 0; i < d.n_recent; i++) {
        json_array_append_new(recent, json_pack("{s:s, s:s?, s:s}", "id", d.recent[i].id, "title",
                                                d.recent[i].title, "changed", d.recent[i].changed));
    }
    json_t *root = json_pack("{s:o, s:I, s:o, s:o}", "open_cases", cases, "open_total",
                             (json_int_t)d.total_cases, "deadlines", deadlines, "recent", recent);
    char *text = json_dumps(root, JSON_COMPACT);
    resp_json(w, 200, text, strlen(text));
    free(text);
    json_decref(root);
}

void api_case_history(struct req *r, struct resp *w)
{
    const char *id = r->params[0];
    if (!access_case_in_full(r, id, w)) {
        return;
    }
    struct finding_period *p = NULL;
    size_t n = 0;
    struct err e = ERR_INIT;
    if (store_history_list(r->store, id, r->arena, &p, &n, &e) != E_OK) {
        resp_error(w, e.code, e.msg, NULL);
        return;
    }
    if (!access_audit(r, "read-subjects", OBJ_CASE, id, "history")) {
        resp_error(w, E_STORAGE, "the read could not be recorded in the audit trail", NULL);
        return;
    }
    char *data = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&data, &len);
    if (!f) {
        resp_error(w, E_INTERNAL, NULL, NULL);
        return;
    }
    render_history_json(p, n, f);
    fclose(f);
    resp_json(w, 200, data, len);
    free(data);
}
