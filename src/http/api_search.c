/*
 * api_search.c: GET /api/search?q=&type=persons|cases|text&limit=: persons
 * by name in any script and cases, events and sources by their text, as in
 * `refuge search`, leaving out whatever the requester may not read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/access.h"
#include "http/api.h"
#include "service/search.h"

static void json_str(struct buf *b, const char *s)
{
    buf_addch(b, '"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\') {
            buf_addch(b, '\\');
            buf_addch(b, (char)*p);
        } else if (*p < 0x20) {
            buf_addf(b, "\\u%04x", *p);
        } else {
            buf_addch(b, (char)*p);
        }
    }
    buf_addch(b, '"');
}

/* May the requester read the object of a hit? */
static bool visible(struct req *r, const struct search_hit *h)
{
    union {
        struct source s;
        struct person p;
        struct case_ c;
        struct event ev;
    } obj;
    struct err e = ERR_INIT;
    if (store_get(r->store, h->kind, h->id, r->arena, &obj, &e) != E_OK) {
        return false;
    }
    return access_object(r, h->kind, h->id, &obj, ACCESS_READ, NULL);
}

/* Appends the visible hits, at most *room of them; counts persons shown. */
static void add_hits(struct req *r, struct buf *b, const struct search_hit *h, size_t n,
                     size_t *room, size_t *shown, size_t *persons)
{
    for (size_t i = 0; i < n && *room; i++) {
        if (!visible(r, &h[i])) {
            continue;
        }
        buf_adds(b, (*shown)++ ? ",{\"type\":" : "{\"type\":");
        json_str(b, h[i].type);
        buf_adds(b, ",\"id\":");
        json_str(b, h[i].id);
        buf_addf(b, ",\"score\":%.4f,\"name\":", h[i].score);
        json_str(b, h[i].name);
        buf_adds(b, ",\"why\":");
        json_str(b, h[i].why);
        if (h[i].date) {
            buf_adds(b, ",\"date\":");
            json_str(b, h[i].date);
        }
        buf_addch(b, '}');
        (*room)--;
        if (h[i].kind == OBJ_PERSON) {
            (*persons)++;
        }
    }
}

void api_search(struct req *r, struct resp *w)
{
    const char *q = r->query(r, "q");
    const char *type = r->query(r, "type");
    const char *lim = r->query(r, "limit");
    if (!q || !*q) {
        resp_error(w, E_INVALID, "q (what to search for) is required", "q");
        return;
    }
    bool persons = !type || strcmp(type, "persons") == 0 || strcmp(type, "all") == 0;
    bool text = !type || strcmp(type, "text") == 0 || strcmp(type, "cases") == 0 ||
                strcmp(type, "all") == 0;
    if (!persons && !text) {
        resp_error(w, E_INVALID, "type must be persons, cases, text or all", "type");
        return;
    }
    size_t limit = 20;
    if (lim) {
        char *end = NULL;
        long v = strtol(lim, &end, 10);
        if (end == lim || *end || v < 1 || v > 100) {
            resp_error(w, E_INVALID, "limit must be a whole number from 1 to 100", "limit");
            return;
        }
        limit = (size_t)v;
    }
    struct err e = ERR_INIT;
    if (service_search_ensure(r->store, &e) != E_OK) {
        resp_error(w, e.code, e.msg, NULL);
        return;
    }
    struct text_filter f = {0};
    if (type && strcmp(type, "cases") == 0) {
        f.has_kind = true;
        f.kind = OBJ_CASE;
    }
    /* Over-fetch so that hidden objects do not empty the page. */
    struct search_hit *ph = NULL;
    struct search_hit *th = NULL;
    size_t np = 0;
    size_t nt = 0;
    enum app_err rc = E_OK;
    if (persons) {
        rc = service_search_persons(r->store, q, limit * 4, 0, NULL, r->arena, &ph, &np, &e);
        if (rc == E_INVALID && text) {
            rc = E_OK;
        }
    }
    if (rc == E_OK && text) {
        rc = service_search_text(r->store, q, &f, limit * 4, r->arena, &th, &nt, &e);
        if (rc == E_INVALID && persons && np) {
            rc = E_OK;
        }
    }
    if (rc != E_OK) {
        resp_error(w, rc, e.msg, rc == E_INVALID ? "q" : NULL);
        return;
    }
    struct buf *b = &w->body;
    buf_reset(b);
    buf_adds(b, "{\"items\":[");
    size_t room = limit;
    size_t shown = 0;
    size_t shown_persons = 0;
    add_hits(r, b, ph, np, &room, &shown, &shown_persons);
    add_hits(r, b, th, nt, &room, &shown, &shown_persons);
    buf_adds(b, "]}");
    if (shown_persons) {
        char detail[64];
        snprintf(detail, sizeof detail, "search: %zu person%s shown", shown_persons,
                 shown_persons == 1 ? "" : "s");
        if (!access_audit(r, "search", OBJ_PERSON, NULL, detail)) {
            resp_error(w, E_STORAGE, "the read could not be recorded in the audit trail", NULL);
            return;
        }
    }
    w->status = 200;
    w->content_type = "application/json; charset=utf-8";
}
