/*
 * api_evidence.c: evidence files over HTTP: upload a file to a source
 * (POST /api/sources/{id}/evidence, the raw bytes as the body, the media
 * type as Content-Type and ?filename=) and download the original bytes
 * (GET /api/sources/{id}/evidence/{sha256}), checked on the way out
 * (docs/evidence.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http/access.h"
#include "http/api.h"
#include "service/evidence.h"

static json_t *info_json(const struct evidence_info *i)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)i->id,
                     "source", i->c.source, "sha256", i->c.sha256, "blake2b", i->c.blake2b, "size",
                     (json_int_t)i->c.size, "media_type", i->c.media_type, "filename",
                     i->c.filename, "added_by", i->c.added_by, "added", i->c.time, "leaf_index",
                     (json_int_t)i->leaf_index);
}

/* The source named by the path, if the principal may act on it. */
static bool source_access(struct req *r, struct resp *w, enum access_verb verb)
{
    struct source src;
    struct err e = ERR_INIT;
    if (store_get(r->store, OBJ_SOURCE, r->params[0], r->arena, &src, &e) != E_OK) {
        resp_error(w, e.code, e.msg, NULL);
        return false;
    }
    return access_object(r, OBJ_SOURCE, r->params[0], &src, verb, w);
}

/* "type/subtype" from a Content-Type header, parameters dropped. */
static const char *media_type(struct req *r)
{
    const char *ct = r->header(r, "Content-Type");
    if (!ct || !*ct) {
        return NULL;
    }
    size_t n = strcspn(ct, "; \t");
    char *t = arena_alloc(r->arena, n + 1);
    memcpy(t, ct, n);
    t[n] = '\0';
    return t;
}

void api_evidence_upload(struct req *r, struct resp *w)
{
    if (!source_access(r, w, ACCESS_WRITE)) {
        return;
    }
    struct evidence_info info;
    struct err e = ERR_INIT;
    if (evidence_attach(r->store, r->who, r->params[0], r->query(r, "filename"), media_type(r),
                        r->body, r->body_len, &info, &e) != E_OK) {
        resp_error(w, e.code, e.msg, NULL);
        return;
    }
    json_t *j = info_json(&info);
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!text) {
        resp_error(w, E_INTERNAL, "cannot encode the custody record", NULL);
        return;
    }
    resp_json(w, 201, text, strlen(text));
    free(text);
}

void api_evidence_download(struct req *r, struct resp *w)
{
    if (!source_access(r, w, ACCESS_READ)) {
        return;
    }
    struct evidence_info info;
    struct err e = ERR_INIT;
    buf_reset(&w->body);
    if (evidence_extract(r->store, r->who, r->params[0], r->params[1], &w->body, &info, &e) !=
        E_OK) {
        buf_reset(&w->body);
        resp_error(w, e.code, e.msg, NULL);
        return;
    }
    w->status = 200;
    w->content_type = arena_strdup(r->arena, info.c.media_type);
    resp_header(w, "Content-Disposition", "attachment");
    resp_header(w, "X-Content-SHA256", arena_strdup(r->arena, info.c.sha256));
}
