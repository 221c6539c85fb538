/*
 * router.h: THE route table and request dispatch. Authentication, CSRF,
 * content type, body limits, per-object access and the audit of writes are
 * enforced here from each route's flags, never in handlers.
 */
#ifndef REFUGE_HTTP_ROUTER_H
#define REFUGE_HTTP_ROUTER_H

#include "http/request.h"
#include "http/writer.h"

enum route_flags {
    R_PUBLIC = 1 << 0,    /* no authentication */
    R_WRITE = 1 << 1,     /* changes state: CSRF for cookie sessions, write lock, audited */
    R_ADMIN = 1 << 2,     /* admins only */
    R_JSON_BODY = 1 << 3, /* the body must be JSON (415 otherwise) */
    R_OBJECT = 1 << 4,    /* {id} names an object of `kind`: access is checked on it */
    R_BIG_BODY = 1 << 5,  /* the body may be as large as the configured limit (imports) */
    R_SNAPSHOT = 1 << 6,  /* a plain read: run the whole request in one read transaction
                             (one set of file locks instead of one per statement) */
    R_LOCKED_OK = 1 << 7, /* answers while the key is locked (lock.h), then without the store
                             (r->store NULL); every other route answers 423 then */
};

struct route {
    const char *method;
    const char *pattern; /* "/api/cases/{id}" */
    void (*fn)(struct req *r, struct resp *w);
    unsigned flags;
    enum obj_kind kind; /* for object routes and generic handlers */
    const char *summary;
};

/* The table and its length. */
const struct route *router_routes(size_t *n);

/* Finds the route for method and path, filling r->params. Returns NULL and
 * sets *allow (a static "GET, PUT" list) when the path exists with other
 * methods, or NULL with *allow NULL when it does not exist at all. HEAD
 * matches GET. */
const struct route *router_match(const char *method, const char *path, const char **params,
                                 const char **allow);

/* Runs a matched request through the checks its flags demand and its handler. */
void router_dispatch(struct req *r, struct resp *w);

/* router_dispatch() for a server whose threads must not wait for the
 * store: a request answered at once (a file of the web interface, 404, 405)
 * returns false with w filled. Any other calls suspend(ctx), is queued for a
 * reader thread or, a write, for the writer, and returns true; the thread
 * that ran it calls on_done(ctx) once w is ready (for a write: once its
 * group has committed or failed). r and w must live until then. Once the
 * readers and the writer have stopped, w is a 503. */
bool router_submit(struct req *r, struct resp *w, void (*suspend)(void *ctx),
                   writer_done_fn on_done, void *ctx);

/* Request-independent settings the router needs. */
struct router_config {
    size_t max_body;
    unsigned session_idle_minutes;
};

void router_configure(const struct router_config *cfg);
const struct router_config *router_config(void);

#endif
