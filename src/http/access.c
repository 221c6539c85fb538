/*
 * access.c: the router's questions about a request, answered with the policy
 * in service/auth.c: who is asking (session cookie or bearer token), whether
 * the CSRF token matches, what they may read and write, and the audit trail.
 */
#include "http/access.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/router.h"
#include "service/auth.h"

const char *access_cookie_name(const struct req *r)
{
    return r->secure ? "__Host-refuge_session" : "refuge_session";
}

bool access_session_cookie(const struct req *r, char *out, size_t n)
{
    const char *name = access_cookie_name(r);
    size_t name_len = strlen(name);
    const char *h = r->header(r, "Cookie");
    while (h && *h) {
        while (*h == ' ' || *h == ';') {
            h++;
        }
        size_t len = strcspn(h, ";");
        if (len > name_len && strncmp(h, name, name_len) == 0 && h[name_len] == '=') {
            size_t vlen = len - name_len - 1;
            while (vlen > 0 && h[name_len + vlen] == ' ') {
                vlen--;
            }
            if (vlen == 0 || vlen >= n) {
                return false;
            }
            memcpy(out, h + name_len + 1, vlen);
            out[vlen] = '\0';
            return true;
        }
        h += len;
    }
    return false;
}

static bool is_safe_method(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "OPTIONS") == 0;
}

bool access_same_origin(struct req *r, struct resp *w)
{
    if (is_safe_method(r->method)) {
        return true;
    }
    const char *site = r->header(r, "Sec-Fetch-Site");
    if (site && (strcasecmp(site, "cross-site") == 0 || strcasecmp(site, "same-site") == 0)) {
        resp_error(w, E_FORBIDDEN, "cross-site requests may not change anything", "Sec-Fetch-Site");
        return false;
    }
    const char *origin = r->header(r, "Origin");
    if (!origin) {
        return true;
    }
    const char *host = r->header(r, "Host");
    const char *scheme = r->secure ? "https://" : "http://";
    size_t sl = strlen(scheme);
    if (!host || !*host || strncasecmp(origin, scheme, sl) != 0 ||
        strcasecmp(origin + sl, host) != 0) {
        resp_error(w, E_FORBIDDEN, "requests from another origin may not change anything",
                   "Origin");
        return false;
    }
    return true;
}

bool access_authenticate(struct req *r, struct resp *w)
{
    struct principal *p = arena_alloc(r->arena, sizeof *p);
    struct err e = ERR_INIT;
    const char *authz = r->header(r, "Authorization");
    char cookie[AUTH_SECRET_CHARS + 8];
    if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
        if (auth_token_lookup(r->store, authz + 7, p, &e) == E_OK) {
            r->who = p;
            return true;
        }
    } else if (access_session_cookie(r, cookie, sizeof cookie)) {
        char csrf[AUTH_CSRF_CHARS + 1];
        if (auth_session_lookup(r->store, cookie, p, csrf, &e) == E_OK) {
            r->who = p;
            r->by_cookie = true;
            return true;
        }
    }
    resp_header(w, "WWW-Authenticate", "Bearer realm=\"refuge\"");
    resp_error(w, E_AUTH, "sign in, or send a bearer token", NULL);
    return false;
}

bool access_session_csrf(struct req *r, char *out)
{
    char cookie[AUTH_SECRET_CHARS + 8];
    struct principal p;
    struct err e = ERR_INIT;
    return r->by_cookie && access_session_cookie(r, cookie, sizeof cookie) &&
           auth_session_lookup(r->store, cookie, &p, out, &e) == E_OK;
}

bool access_csrf(struct req *r, struct resp *w)
{
    if (!r->by_cookie) {
        return true; /* bearer tokens are not sent by browsers on their own */
    }
    char cookie[AUTH_SECRET_CHARS + 8];
    struct err e = ERR_INIT;
    if (access_session_cookie(r, cookie, sizeof cookie) &&
        auth_csrf_check(cookie, r->header(r, "X-CSRF-Token"), &e) == E_OK) {
        return true;
    }
    resp_error(w, E_FORBIDDEN, "missing or wrong X-CSRF-Token", "X-CSRF-Token");
    return false;
}

bool access_is_admin(const struct req *r)
{
    return r->who && auth_can_admin(r->who);
}

int64_t access_case_scope(const struct req *r)
{
    if (!r->who || r->who->role == ROLE_ADMIN || r->who->role == ROLE_COORDINATOR ||
        r->who->role == ROLE_VIEWER) {
        return 0;
    }
    return r->who->user_id > 0 ? r->who->user_id : -1;
}

static bool persons_allowed(struct req *r, const struct strs *ids, enum verb v)
{
    for (size_t i = 0; i < ids->n_items; i++) {
        if (store_exists(r->store, OBJ_PERSON, ids->items[i]) &&
            !auth_can_person(r->store, r->who, ids->items[i], v)) {
            return false;
        }
    }
    return true;
}

/* Access to content about to be written (obj not NULL), by what it names. */
static bool content_allowed(struct req *r, enum obj_kind kind, const void *obj, enum verb v)
{
    switch (kind) {
    case OBJ_CASE: {
        const struct case_ *c = obj;
        /* A new case: coordinators and administrators open cases. */
        return (store_exists(r->store, OBJ_CASE, c->id) || r->who->role == ROLE_ADMIN ||
                r->who->role == ROLE_COORDINATOR) &&
               persons_allowed(r, &c->subjects, VERB_READ);
    }
    case OBJ_EVENT: {
        const struct event *ev = obj;
        return persons_allowed(r, &ev->persons, v);
    }
    case OBJ_ACTION: {
        const struct action *a = obj;
        return a->case_id && store_exists(r->store, OBJ_CASE, a->case_id) &&
               auth_can_case(r->store, r->who, a->case_id, v);
    }
    case OBJ_PERSON: {
        const struct person *p = obj;
        if (!store_exists(r->store, OBJ_PERSON, p->id)) {
            return r->who->role != ROLE_VIEWER;
        }
        /* Lowering `sensitive` changes who may see the person. */
        bool now_sensitive = false;
        struct err e = ERR_INIT;
        if (p->sensitive == TRI_FALSE &&
            auth_person_sensitive(r->store, p->id, &now_sensitive, &e) == E_OK && now_sensitive) {
            return auth_can_person(r->store, r->who, p->id, VERB_ADMIN);
        }
        return true; /* the stored person was checked by the caller */
    }
    case OBJ_SOURCE:
    case OBJ_ORGANIZATION:
    case OBJ_RISK:
    case OBJ_KIND_COUNT:
        return auth_can_reference(r->who, v);
    }
    return false;
}

static bool stored_allowed(struct req *r, enum obj_kind kind, const char *id, enum verb v)
{
    switch (kind) {
    case OBJ_CASE:
        return auth_can_case(r->store, r->who, id, v);
    case OBJ_PERSON:
        return auth_can_person(r->store, r->who, id, v);
    case OBJ_EVENT:
        return auth_can_event(r->store, r->who, id, v);
    case OBJ_ACTION: {
        struct action a;
        struct err e = ERR_INIT;
        if (store_get(r->store, OBJ_ACTION, id, r->arena, &a, &e) != E_OK) {
            return false;
        }
        return auth_can_case(r->store, r->who, a.case_id, v);
    }
    case OBJ_SOURCE:
    case OBJ_ORGANIZATION:
    case OBJ_RISK:
    case OBJ_KIND_COUNT:
        return auth_can_reference(r->who, v);
    }
    return false;
}

bool access_object(struct req *r, enum obj_kind kind, const char *id, const void *obj,
                   enum access_verb verb, struct resp *w)
{
    enum verb v = verb == ACCESS_ADMIN ? VERB_ADMIN : verb == ACCESS_WRITE ? VERB_WRITE : VERB_READ;
    bool ok;
    if (!r->who) {
        ok = false;
    } else if (verb == ACCESS_ADMIN) {
        ok = id && store_exists(r->store, kind, id) && stored_allowed(r, kind, id, v);
    } else if (obj && verb == ACCESS_WRITE) {
        ok = content_allowed(r, kind, obj, v);
    } else if (obj && !w) {
        ok = stored_allowed(r, kind, id, v); /* a list item just read from the store */
    } else if (store_exists(r->store, kind, id)) {
        ok = stored_allowed(r, kind, id, v);
    } else {
        /* Nothing stored (or the store could not tell: the router then
         * answers 503): only new content can be judged. */
        ok = obj && content_allowed(r, kind, obj, v);
    }
    if (!ok && w) {
        /* What a user may not read is, for them, not there. */
        bool may_read =
            r->who && store_exists(r->store, kind, id) && stored_allowed(r, kind, id, VERB_READ);
        if (verb == ACCESS_READ || !may_read) {
            if (store_exists(r->store, kind, id)) {
                resp_error(w, E_FORBIDDEN, "you may not see this", NULL);
            } else {
                resp_error(w, E_FORBIDDEN, "you may not create this", NULL);
            }
        } else {
            resp_error(w, E_FORBIDDEN, "you may not change this", NULL);
        }
    }
    return ok;
}

bool access_audit(struct req *r, const char *action, enum obj_kind kind, const char *id,
                  const char *detail)
{
    struct err e = ERR_INIT;
    struct principal anon = {.kind = PRINCIPAL_USER, .role = ROLE_NONE};
    const struct principal *p = r->who ? r->who : &anon;
    enum app_err rc;
    if (kind == OBJ_PERSON && strcmp(action, "read") == 0) {
        rc = audit_person_read(r->store, p, r->client, id, &e);
    } else if (kind == OBJ_CASE && strcmp(action, "read-subjects") == 0) {
        rc = audit_case_subjects_read(r->store, p, r->client, id, &e);
    } else {
        char name[64];
        snprintf(name, sizeof name, "%s.%s", obj_kind_name(kind), action);
        rc = audit_record(r->store, p, r->client, name, obj_kind_name(kind), id, detail, &e);
    }
    if (rc != E_OK) {
        fprintf(stderr, "refuge: cannot record an audit entry (%s %s): %s\n", action, id, e.msg);
    }
    return rc == E_OK;
}

/* Keeps the persons of list that the requester may read (and every id that
 * is not a stored person, such as an organization among action targets). */
static void withhold_persons(struct req *r, struct strs *list)
{
    size_t kept = 0;
    const char **items = NULL;
    for (size_t i = 0; i < list->n_items; i++) {
        const char *id = list->items[i];
        if (store_exists(r->store, OBJ_PERSON, id) &&
            !auth_can_person(r->store, r->who, id, VERB_READ)) {
            if (!items) {
                items = arena_alloc(r->arena, list->n_items * sizeof *items);
                for (size_t j = 0; j < i; j++) {
                    items[j] = list->items[j];
                }
                kept = i;
            }
            continue;
        }
        if (items) {
            items[kept++] = id;
        }
    }
    if (items) {
        list->items = items;
        list->n_items = kept;
    }
}

void access_withhold(struct req *r, enum obj_kind kind, void *obj)
{
    if (!r->who || r->who->role == ROLE_ADMIN || r->who->role == ROLE_COORDINATOR) {
        return;
    }
    if (kind == OBJ_CASE) {
        withhold_persons(r, &((struct case_ *)obj)->subjects);
    } else if (kind == OBJ_ACTION) {
        withhold_persons(r, &((struct action *)obj)->targets);
    }
}

bool access_reads_as_stored(const struct req *r, enum obj_kind kind)
{
    if (!r->who) {
        return false;
    }
    if (r->who->role == ROLE_ADMIN || r->who->role == ROLE_COORDINATOR) {
        return true; /* stored_allowed() and access_withhold() let everything through */
    }
    switch (kind) {
    case OBJ_SOURCE:
    case OBJ_ORGANIZATION:
    case OBJ_RISK:
        return auth_can_reference(r->who, VERB_READ);
    case OBJ_PERSON:
    case OBJ_CASE:
    case OBJ_EVENT:
    case OBJ_ACTION:
    case OBJ_KIND_COUNT:
        break;
    }
    return false;
}

bool access_case_in_full(struct req *r, const char *case_id, struct resp *w)
{
    if (!store_exists(r->store, OBJ_CASE, case_id)) {
        resp_error(w, E_NOT_FOUND, "no such case", NULL);
        return false;
    }
    if (!access_object(r, OBJ_CASE, case_id, NULL, ACCESS_READ, w)) {
        return false;
    }
    struct case_ c;
    struct err e = ERR_INIT;
    if (store_get(r->store, OBJ_CASE, case_id, r->arena, &c, &e) != E_OK) {
        resp_error(w, e.code, e.msg, NULL);
        return false;
    }
    for (size_t i = 0; i < c.subjects.n_items; i++) {
        if (!auth_can_person(r->store, r->who, c.subjects.items[i], VERB_READ)) {
            resp_error(w, E_FORBIDDEN, "you may not see everyone in this case", NULL);
            return false;
        }
    }
    return true;
}

bool access_all_cases(struct req *r, struct resp *w)
{
    if (r->who && (r->who->role == ROLE_ADMIN || r->who->role == ROLE_COORDINATOR)) {
        return true;
    }
    resp_error(w, E_FORBIDDEN, "administrators and coordinators only", NULL);
    return false;
}
