/*
 * api_cases.c: what the API says about a case as a whole: its timeline and
 * its findings; and moving bundles in and out (import, export).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/access.h"
#include "http/api.h"
#include "http/router.h"
#include "render/render.h"
#include "service/checks.h"

/* Captures what a FILE-writing renderer prints into the response body. */
static bool capture_begin(FILE **f, char **data, size_t *len)
{
    *f = open_memstream(data, len);
    return *f != NULL;
}

static void capture_end(struct resp *w, FILE *f, char **data, size_t *len)
{
    /* open_memstream() sets *data and *len at fclose(): read them after it. */
    fclose(f);
    buf_reset(&w->body);
    buf_add(&w->body, *data, *len);
    free(*data);
    *data = NULL;
    w->status = 200;
    w->content_type = "application/json; charset=utf-8";
}

static bool case_readable(struct req *r, struct resp *w, const char *id)
{
    return access_case_in_full(r, id, w);
}

void api_case_timeline(struct req *r, struct resp *w)
{
    const char *id = r->params[0];
    if (!case_readable(r, w, id)) {
        return;
    }
    struct case_view v;
    struct err e = ERR_INIT;
    if (service_load_case(r->store, id, r->arena, &v, &e) != E_OK) {
        resp_error(w, e.code, e.msg, NULL);
        return;
    }
    if (!access_audit(r, "read-subjects", OBJ_CASE, id, "timeline")) {
        resp_error(w, E_STORAGE, "the read could not be recorded in the audit trail", NULL);
        return;
    }
    FILE *f;
    char *data = NULL;
    size_t len = 0;
    if (!capture_begin(&f, &data, &len)) {
        resp_error(w, E_INTERNAL, NULL, NULL);
        return;
    }
    render_case_json(&v, f);
    capture_end(w, f, &data, &len);
}

void api_case_findings(struct req *r, struct resp *w)
{
    const char *id = r->params[0];
    if (!case_readable(r, w, id)) {
        return;
    }
    struct check_request rq = {.case_id = id, .as_of = date_today(), .record = false};
    const char *as_of = r->query(r, "as_of");
    const char *why = NULL;
    if (as_of && !date_parse(as_of, &rq.as_of, &why)) {
        char msg[128];
        snprintf(msg, sizeof msg, "\"%.40s\" %s", as_of, why);
        resp_error(w, E_INVALID, msg, "as_of");
        return;
    }
    const char *explain = r->query(r, "explain");
    struct check_outcome o;
    struct err e = ERR_INIT;
    if (service_check(r->store, &rq, r->arena, &o, &e) != E_OK) {
        resp_error(w, e.code, e.msg, NULL);
        return;
    }
    buf_reset(&w->body);
    render_findings_json(&o, explain && strcmp(explain, "0") != 0, &w->body);
    w->status = 200;
    w->content_type = "application/json; charset=utf-8";
}

void api_import(struct req *r, struct resp *w)
{
    if (!access_all_cases(r, w)) {
        return;
    }
    FILE *in = fmemopen((void *)(uintptr_t)r->body, r->body_len ? r->body_len : 1, "rb");
    if (!in) {
        resp_error(w, E_INTERNAL, NULL, NULL);
        return;
    }
    if (r->body_len == 0) {
        fgetc(in);
    }
    struct import_report rep;
    struct diags problems = DIAGS_INIT;
    struct err e = ERR_INIT;
    enum app_err rc = service_import(r->store, in, &rep, &problems, NULL, &e);
    fclose(in);
    if (rc == E_INVALID) {
        resp_problems(w, E_INVALID, e.msg, &problems);
    } else if (rc != E_OK) {
        resp_error(w, rc, e.msg, NULL);
    } else {
        size_t ins = 0;
        size_t upd = 0;
        size_t same = 0;
        for (int k = 0; k < OBJ_KIND_COUNT; k++) {
            ins += rep.inserted[k];
            upd += rep.updated[k];
            same += rep.unchanged[k];
        }
        char body[160];
        int n = snprintf(body, sizeof body, "{\"inserted\":%zu,\"updated\":%zu,\"unchanged\":%zu}",
                         ins, upd, same);
        resp_json(w, 200, body, (size_t)n);
        char detail[96];
        snprintf(detail, sizeof detail, "%zu new, %zu updated", ins, upd);
        access_audit(r, "import", OBJ_CASE, "*", detail);
    }
    diags_release(&problems);
}

void api_export(struct req *r, struct resp *w)
{
    const char *case_id = r->query(r, "case");
    if (case_id) {
        if (!case_readable(r, w, case_id)) {
            return;
        }
    } else if (access_case_scope(r) || !access_all_cases(r, w)) {
        if (access_case_scope(r)) {
            resp_error(w, E_FORBIDDEN, "export one of your cases with ?case=", "case");
        }
        return;
    }
    FILE *f;
    char *data = NULL;
    size_t len = 0;
    if (!capture_begin(&f, &data, &len)) {
        resp_error(w, E_INTERNAL, NULL, NULL);
        return;
    }
    struct err e = ERR_INIT;
    enum app_err rc = service_export(r->store, case_id, f, &e);
    if (rc != E_OK) {
        fclose(f);
        free(data);
        resp_error(w, rc, e.msg, NULL);
        return;
    }
    access_audit(r, "export", OBJ_CASE, case_id ? case_id : "*", NULL);
    capture_end(w, f, &data, &len);
    resp_header(w, "Content-Disposition", "attachment; filename=\"refuge-export.json\"");
}

void api_health(struct req *r, struct resp *w)
{
    char body[128];
    int n = r->store ? snprintf(body, sizeof body,
                                "{\"status\":\"ok\",\"version\":\"%s\",\"schema\":%d}",
                                REFUGE_VERSION, store_schema_version(r->store))
                     : snprintf(body, sizeof body, "{\"status\":\"locked\",\"version\":\"%s\"}",
                                REFUGE_VERSION);
    resp_json(w, 200, body, (size_t)n);
}
