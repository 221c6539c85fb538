/*
 * api_objects.c: list, create, read, replace and delete for every kind of
 * object, shaped as in the bundle format. Writes carry the object's version
 * in If-Match (its ETag), so concurrent edits cannot silently overwrite
 * each other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/bundle.h"
#include "http/access.h"
#include "http/api.h"
#include "http/router.h"
#include "service/service.h"

static const char *etag(struct req *r, int64_t version)
{
    char tag[32];
    snprintf(tag, sizeof tag, "\"%lld\"", (long long)version);
    return arena_strdup(r->arena, tag);
}

/* Parses If-Match: "\"3\"" or "3" (weak tags accepted). Returns false when
 * absent; sets *bad when present but not a version. */
static bool if_match(const struct req *r, int64_t *version, bool *bad)
{
    const char *h = r->header(r, "If-Match");
    *bad = false;
    if (!h) {
        return false;
    }
    if (strncmp(h, "W/", 2) == 0) {
        h += 2;
    }
    if (*h == '"') {
        h++;
    }
    char *end = NULL;
    long long v = strtoll(h, &end, 10);
    if (end == h || v < 1 || (*end && *end != '"')) {
        *bad = true;
        return false;
    }
    *version = v;
    return true;
}

static size_t query_limit(const struct req *r, bool *bad)
{
    const char *q = r->query(r, "limit");
    *bad = false;
    if (!q) {
        return 50;
    }
    char *end = NULL;
    long v = strtol(q, &end, 10);
    if (end == q || *end || v < 1 || v > 1000) {
        *bad = true;
        return 0;
    }
    return (size_t)v;
}

/* Any one object, for reading one of a kind known only at run time. */
union any_obj {
    struct source s;
    struct person p;
    struct organization o;
    struct case_ c;
    struct event ev;
    struct risk rk;
    struct action a;
};

/* A page for a requester who reads every object of the kind as stored
 * (access_reads_as_stored): the objects' stored JSON text, in one range
 * read, concatenated. An object stored without text is built from its
 * columns. */
static void list_as_stored(struct req *r, struct resp *w, enum obj_kind kind,
                           const struct store_filter *f)
{
    struct store_text *items;
    size_t n;
    bool more;
    struct err e = ERR_INIT;
    if (store_list_json(r->store, kind, f, r->arena, &items, &n, &more, &e) != E_OK) {
        resp_error(w, e.code, e.msg, NULL);
        return;
    }
    struct buf *b = &w->body;
    buf_reset(b);
    size_t size = 64;
    for (size_t i = 0; i < n; i++) {
        size += items[i].len + 1;
    }
    buf_grow(b, size);
    buf_adds(b, "{\"items\":[");
    for (size_t i = 0; i < n; i++) {
        if (i) {
            buf_addch(b, ',');
        }
        if (items[i].json) {
            buf_add(b, items[i].json, items[i].len);
            continue;
        }
        union any_obj obj;
        if (store_get(r->store, kind, items[i].id, r->arena, &obj, &e) != E_OK) {
            resp_error(w, e.code, e.msg, NULL);
            return;
        }
        bundle_encode_object(kind, &obj, b);
    }
    buf_adds(b, "],\"next\":");
    if (more && n) {
        buf_addf(b, "\"%s\"", items[n - 1].id); /* ids are [A-Za-z0-9._:-] */
    } else {
        buf_adds(b, "null");
    }
    buf_addch(b, '}');
    w->status = 200;
    w->content_type = "application/json; charset=utf-8";
}

void api_object_list(struct req *r, struct resp *w)
{
    enum obj_kind kind = r->route->kind;
    bool bad = false;
    struct store_filter f = {.limit = query_limit(r, &bad), .after = r->query(r, "cursor")};
    if (bad) {
        resp_error(w, E_INVALID, "limit must be a whole number from 1 to 1000", "limit");
        return;
    }
    if (kind == OBJ_CASE) {
        f.status = r->query(r, "status");
        f.state = r->query(r, "state");
        f.tag = r->query(r, "tag");
        f.assigned_to = access_case_scope(r);
        if (f.status && !vocab_has(vocab_case_status, f.status)) {
            resp_error(w, E_INVALID, "status must be open, monitoring or closed", "status");
            return;
        }
    }
    if (access_reads_as_stored(r, kind)) {
        list_as_stored(r, w, kind, &f);
        return;
    }
    struct strs ids;
    bool more;
    struct err e = ERR_INIT;
    if (store_list(r->store, kind, &f, r->arena, &ids, &more, &e) != E_OK) {
        resp_error(w, e.code, e.msg, NULL);
        return;
    }
    struct buf *b = &w->body;
    buf_reset(b);
    buf_adds(b, "{\"items\":[");
    size_t shown = 0;
    /* One query per table for the whole page; an unfiltered page is a dense
     * id range, read in index order. */
    char *objs;
    size_t n_objs;
    bool dense = !f.status && !f.state && !f.tag && !f.assigned_to;
    if ((dense ? store_get_page : store_get_many)(r->store, kind, &ids, r->arena, (void **)&objs,
                                                  &n_objs, &e) != E_OK) {
        resp_error(w, e.code, e.msg, NULL);
        return;
    }
    size_t size = obj_kind_size(kind);
    for (size_t i = 0; i < n_objs; i++) {
        void *obj = objs + i * size;
        const char *id = *(const char *const *)obj; /* every object struct starts with its id */
        if (!access_object(r, kind, id, obj, ACCESS_READ, NULL)) {
            continue; /* not visible to this user: left out, not an error */
        }
        access_withhold(r, kind, obj);
        if (shown++) {
            buf_addch(b, ',');
        }
        bundle_encode_object(kind, obj, b);
    }
    buf_adds(b, "],\"next\":");
    if (more && ids.n_items) {
        buf_addf(b, "\"%s\"", ids.items[ids.n_items - 1]); /* ids are [A-Za-z0-9._:-] */
    } else {
        buf_adds(b, "null");
    }
    buf_addch(b, '}');
    w->status = 200;
    w->content_type = "application/json; charset=utf-8";
}

void api_object_get(struct req *r, struct resp *w)
{
    enum obj_kind kind = r->route->kind;
    const char *id = r->params[0];
    struct err e = ERR_INIT;
    if (access_reads_as_stored(r, kind)) {
        /* The stored text and version: one row. */
        struct store_text t;
        if (store_get_json(r->store, kind, id, r->arena, &t, &e) != E_OK) {
            resp_error(w, e.code, e.msg, NULL);
            return;
        }
        if (t.json) {
            if (kind == OBJ_PERSON && !access_audit(r, "read", kind, id, NULL)) {
                resp_error(w, E_STORAGE, "the read could not be recorded in the audit trail", NULL);
                return;
            }
            buf_reset(&w->body);
            buf_add(&w->body, t.json, t.len);
            w->status = 200;
            w->content_type = "application/json; charset=utf-8";
            resp_header(w, "ETag", etag(r, t.version));
            return;
        }
    }
    union any_obj obj;
    if (store_get(r->store, kind, id, r->arena, &obj, &e) != E_OK) {
        resp_error(w, e.code, e.msg, NULL);
        return;
    }
    if (!access_object(r, kind, id, &obj, ACCESS_READ, w)) {
        return;
    }
    if (kind == OBJ_PERSON && !access_audit(r, "read", kind, id, NULL)) {
        resp_error(w, E_STORAGE, "the read could not be recorded in the audit trail", NULL);
        return;
    }
    access_withhold(r, kind, &obj);
    buf_reset(&w->body);
    bundle_encode_object(kind, &obj, &w->body);
    w->status = 200;
    w->content_type = "application/json; charset=utf-8";
    resp_header(w, "ETag", etag(r, store_version(r->store, kind, id)));
}

/* Decodes the body as an object of the route's kind; on problems writes 400. */
static bool decode_body(struct req *r, struct resp *w, struct bundle_obj *o)
{
    struct diags d = DIAGS_INIT;
    enum app_err rc = bundle_decode_text(r->route->kind, r->body, r->body_len, r->arena, o, &d);
    if (rc != E_OK) {
        resp_problems(w, E_INVALID, "invalid object", &d);
    }
    diags_release(&d);
    return rc == E_OK;
}

static void write_object(struct req *r, struct resp *w, const struct bundle_obj *o,
                         int64_t expected, bool created)
{
    struct diags d = DIAGS_INIT;
    struct err e = ERR_INIT;
    int64_t version = 0;
    enum app_err rc = service_put_object(r->store, o, expected, &version, &d, &e);
    if (rc == E_INVALID && d.n_items) {
        resp_problems(w, E_INVALID, e.msg, &d);
    } else if (rc != E_OK) {
        resp_error(w, rc, e.msg, NULL);
        if (rc == E_CONFLICT && version) {
            resp_header(w, "ETag", etag(r, version));
        }
    } else {
        access_audit(r, created ? "create" : "update", o->kind, o->id, NULL);
        buf_reset(&w->body);
        bundle_encode_object(o->kind, &o->u, &w->body);
        w->status = created ? 201 : 200;
        w->content_type = "application/json; charset=utf-8";
        resp_header(w, "ETag", etag(r, version));
        if (created) {
            char loc[256];
            snprintf(loc, sizeof loc, "/api/%s/%s", obj_kind_list_name(o->kind), o->id);
            resp_header(w, "Location", arena_strdup(r->arena, loc));
        }
    }
    diags_release(&d);
}

void api_object_create(struct req *r, struct resp *w)
{
    struct bundle_obj o;
    if (!decode_body(r, w, &o) || !access_object(r, o.kind, o.id, &o.u, ACCESS_WRITE, w)) {
        return;
    }
    write_object(r, w, &o, VERSION_NEW, true);
}

void api_object_put(struct req *r, struct resp *w)
{
    int64_t expected;
    bool bad;
    if (!if_match(r, &expected, &bad)) {
        if (bad) {
            resp_error(w, E_INVALID, "If-Match must be the object's ETag, such as \"3\"",
                       "If-Match");
        } else {
            resp_error_status(w, 428, "E_PRECONDITION_REQUIRED",
                              "send If-Match with the version you edited (the object's ETag)",
                              NULL);
        }
        return;
    }
    struct bundle_obj o;
    if (!decode_body(r, w, &o)) {
        return;
    }
    if (strcmp(o.id, r->params[0]) != 0) {
        resp_error(w, E_INVALID, "the id in the body differs from the id in the URL", "id");
        return;
    }
    /* Access to what is stored now, and to what it would become. */
    if (!access_object(r, o.kind, o.id, NULL, ACCESS_WRITE, w) ||
        !access_object(r, o.kind, o.id, &o.u, ACCESS_WRITE, w)) {
        return;
    }
    write_object(r, w, &o, expected, false);
}

void api_object_delete(struct req *r, struct resp *w)
{
    enum obj_kind kind = r->route->kind;
    const char *id = r->params[0];
    int64_t expected;
    bool bad;
    if (!if_match(r, &expected, &bad)) {
        if (bad) {
            resp_error(w, E_INVALID, "If-Match must be the object's ETag, such as \"3\"",
                       "If-Match");
        } else {
            resp_error_status(w, 428, "E_PRECONDITION_REQUIRED",
                              "send If-Match with the version you are deleting", NULL);
        }
        return;
    }
    if (!store_exists(r->store, kind, id)) {
        resp_error(w, E_NOT_FOUND, "no such object", NULL);
        return;
    }
    if (!access_object(r, kind, id, NULL, ACCESS_ADMIN, w)) {
        return;
    }
    struct err e = ERR_INIT;
    int64_t version = 0;
    enum app_err rc = service_delete_object(r->store, kind, id, expected, &version, &e);
    if (rc != E_OK) {
        resp_error(w, rc, e.msg, NULL);
        if (rc == E_CONFLICT && version) {
            resp_header(w, "ETag", etag(r, version));
        }
        return;
    }
    access_audit(r, "delete", kind, id, NULL);
    w->status = 204;
    buf_reset(&w->body);
}
