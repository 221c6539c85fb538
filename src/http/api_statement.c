/*
 * api_statement.c: GET /api/cases/{id}/statement: a drafted public
 * statement, urgent action or appeal for a case the requester may read, in
 * Markdown, HTML or plain text (docs/statements.md).
 */
#include <stdio.h>
#include <string.h>

#include "draft/draft.h"
#include "http/access.h"
#include "http/api.h"

void api_case_statement(struct req *r, struct resp *w)
{
    const char *id = r->params[0];
    if (!store_exists(r->store, OBJ_CASE, id)) {
        resp_error(w, E_NOT_FOUND, "no such case", NULL);
        return;
    }
    if (!access_case_in_full(r, id, w)) {
        return;
    }
    struct draft_request rq = {.case_id = id,
                               .kind = DRAFT_PUBLIC_STATEMENT,
                               .lang = DRAFT_EN,
                               .format = DRAFT_MD,
                               .as_of = date_today(),
                               .to = r->query(r, "to")};
    const char *kind = r->query(r, "kind");
    const char *lang = r->query(r, "lang");
    const char *format = r->query(r, "format");
    const char *as_of = r->query(r, "as_of");
    const char *why = NULL;
    if (kind && !draft_kind_parse(kind, &rq.kind)) {
        resp_error(w, E_INVALID, "kind must be public_statement, urgent_action or appeal", "kind");
        return;
    }
    if (lang && !draft_lang_parse(lang, &rq.lang)) {
        resp_error(w, E_INVALID, "lang must be en or ru", "lang");
        return;
    }
    if (format && !draft_format_parse(format, &rq.format)) {
        resp_error(w, E_INVALID, "format must be md, html or text", "format");
        return;
    }
    if (as_of && !date_parse(as_of, &rq.as_of, &why)) {
        char msg[128];
        snprintf(msg, sizeof msg, "\"%.40s\" %s", as_of, why);
        resp_error(w, E_INVALID, msg, "as_of");
        return;
    }
    struct err e = ERR_INIT;
    struct buf out = BUF_INIT;
    if (draft_statement(r->store, &rq, r->arena, &out, NULL, &e) != E_OK) {
        buf_release(&out);
        resp_error(w, e.code, e.msg, e.where[0] ? e.where : NULL);
        return;
    }
    if (!access_audit(r, "read-subjects", OBJ_CASE, id, "statement")) {
        buf_release(&out);
        resp_error(w, E_STORAGE, "the read could not be recorded in the audit trail", NULL);
        return;
    }
    buf_reset(&w->body);
    buf_add(&w->body, out.data, out.len);
    buf_release(&out);
    w->status = 200;
    w->content_type = rq.format == DRAFT_HTML ? "text/html; charset=utf-8"
                      : rq.format == DRAFT_MD ? "text/markdown; charset=utf-8"
                                              : "text/plain; charset=utf-8";
}
