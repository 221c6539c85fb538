/*
 * api_persons.c: GET /api/persons/{id}/appearances: the cases a person is a
 * subject of and the events that name them, as far as the requester may read
 * them (for the web interface's person page).
 */
#include <string.h>

#include "bundle/bundle.h"
#include "http/access.h"
#include "http/api.h"
#include "service/auth.h"
#include "store/search.h"

void api_person_appearances(struct req *r, struct resp *w)
{
    const char *id = r->params[0];
    if (!store_exists(r->store, OBJ_PERSON, id)) {
        resp_error(w, E_NOT_FOUND, "no such person", NULL);
        return;
    }
    if (!access_object(r, OBJ_PERSON, id, NULL, ACCESS_READ, w)) {
        return;
    }
    struct store_person_refs refs;
    struct err e = ERR_INIT;
    if (store_person_refs(r->store, id, r->arena, &refs, &e) != E_OK) {
        resp_error(w, e.code, e.msg, NULL);
        return;
    }
    if (!access_audit(r, "read", OBJ_PERSON, id, "appearances")) {
        resp_error(w, E_STORAGE, "the read could not be recorded in the audit trail", NULL);
        return;
    }
    struct buf *b = &w->body;
    buf_reset(b);
    buf_adds(b, "{\"cases\":[");
    size_t shown = 0;
    for (size_t i = 0; i < refs.cases.n_items; i++) {
        struct case_ c;
        if (!auth_can_case(r->store, r->who, refs.cases.items[i], VERB_READ) ||
            store_get(r->store, OBJ_CASE, refs.cases.items[i], r->arena, &c, &e) != E_OK) {
            continue;
        }
        if (shown++) {
            buf_addch(b, ',');
        }
        bundle_encode_object(OBJ_CASE, &c, b);
    }
    buf_adds(b, "],\"events\":[");
    shown = 0;
    for (size_t i = 0; i < refs.events.n_items; i++) {
        struct event ev;
        if (!auth_can_event(r->store, r->who, refs.events.items[i], VERB_READ) ||
            store_get(r->store, OBJ_EVENT, refs.events.items[i], r->arena, &ev, &e) != E_OK) {
            continue;
        }
        if (shown++) {
            buf_addch(b, ',');
        }
        bundle_encode_object(OBJ_EVENT, &ev, b);
    }
    buf_adds(b, "]}");
    w->status = 200;
    w->content_type = "application/json; charset=utf-8";
}
