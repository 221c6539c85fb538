/*
 * router.c: matching requests to routes and enforcing each route's flags
 * (see router.h). Handlers only see requests that passed every check.
 */
#include "http/router.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/access.h"
#include "http/lock.h"
#include "http/readers.h"
#include "http/web.h"
#include "http/writer.h"

static struct router_config config = {.max_body = 32u << 20, .session_idle_minutes = 30};
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

void router_configure(const struct router_config *cfg)
{
    config = *cfg;
}

const struct router_config *router_config(void)
{
    return &config;
}

/* Matches one pattern; params receive the {id} segments (copied into arena). */
static bool match(const char *pattern, const char *path, const char **params, struct arena *a)
{
    size_t np = 0;
    while (*pattern && *path) {
        if (*pattern == '{') {
            const char *close = strchr(pattern, '}');
            size_t n = strcspn(path, "/");
            if (!close || n == 0 || np >= 2) {
                return false;
            }
            params[np++] = a ? arena_strndup(a, path, n) : "";
            pattern = close + 1;
            path += n;
            continue;
        }
        if (*pattern != *path) {
            return false;
        }
        pattern++;
        path++;
    }
    return *pattern == '\0' && *path == '\0';
}

const struct route *router_match(const char *method, const char *path, const char **params,
                                 const char **allow)
{
    size_t n;
    const struct route *routes = router_routes(&n);
    static __thread char allowed[128];
    allowed[0] = '\0';
    const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
    bool path_found = false;
    for (size_t i = 0; i < n; i++) {
        const char *tmp[2];
        if (!match(routes[i].pattern, path, tmp, NULL)) {
            continue;
        }
        path_found = true;
        if (strcmp(routes[i].method, m) == 0) {
            *allow = NULL;
            return &routes[i];
        }
        size_t len = strlen(allowed);
        snprintf(allowed + len, sizeof allowed - len, "%s%s", len ? ", " : "", routes[i].method);
    }
    (void)params;
    *allow = path_found ? allowed : NULL;
    return NULL;
}

static bool is_json(const char *ct)
{
    if (!ct) {
        return false;
    }
    size_t n = strcspn(ct, ";");
    while (n > 0 && ct[n - 1] == ' ') {
        n--;
    }
    return n == strlen("application/json") && strncasecmp(ct, "application/json", n) == 0;
}

static bool checks_pass(struct req *r, struct resp *w, const struct route *rt);

/* A write: the checks and the handler, on the writer's connection. */
/* A request during which the store failed must not answer "not found",
 * "forbidden" or "sign in": functions that answer yes or no (does it
 * exist, may this user see it) say no when they could not tell. Such an
 * answer becomes 503: try again. */
static void answer_failures(struct req *r, struct resp *w, unsigned long before)
{
    if (store_failures(r->store) != before && w->status >= 400 && w->status < 500 &&
        w->status != 413 && w->status != 415) {
        w->n_headers = 0;
        resp_error(w, E_STORAGE, "the database could not answer; try again", NULL);
    }
}

static void run_write(struct req *r, struct resp *w)
{
    unsigned long before = store_failures(r->store);
    if (checks_pass(r, w, r->route)) {
        r->route->fn(r, w);
    }
    answer_failures(r, w, before);
}

/* A read: the same on a reader's connection, the handler in one snapshot
 * where the route allows. The checks run before it: authentication may
 * write (a token's or session's last use), and such a write inside the
 * snapshot would hold the database's write lock, against the writer, until
 * the whole read is done. */
static void run_read(struct req *r, struct resp *w)
{
    unsigned long before = store_failures(r->store);
    if (!checks_pass(r, w, r->route)) {
        answer_failures(r, w, before);
        return;
    }
    bool snapshot = (r->route->flags & R_SNAPSHOT) && store_read_begin(r->store);
    r->route->fn(r, w);
    if (snapshot) {
        store_read_end(r->store);
    }
    answer_failures(r, w, before);
}

static const struct route *prepare(struct req *r, struct resp *w);

void router_dispatch(struct req *r, struct resp *w)
{
    const struct route *rt = prepare(r, w);
    if (!rt) {
        return;
    }
    if (rt->flags & R_WRITE) {
        /* One writer at a time: readers never wait, writers never see
         * SQLITE_BUSY. The server's writer commits queued writes in groups;
         * without one (tests calling router_dispatch() directly) the write
         * runs here, under the lock, on the caller's connection. */
        if (!writer_run(run_write, r, w)) {
            pthread_mutex_lock(&write_lock);
            run_write(r, w);
            pthread_mutex_unlock(&write_lock);
        }
    } else if (!readers_run(run_read, r, w)) {
        run_read(r, w);
    }
}

bool router_submit(struct req *r, struct resp *w, void (*suspend)(void *ctx),
                   writer_done_fn on_done, void *ctx)
{
    const struct route *rt = prepare(r, w);
    if (!rt) {
        return false;
    }
    if (lock_locked()) {
        /* No store while the key is locked: a few routes answer without it. */
        if (!(rt->flags & R_LOCKED_OK)) {
            resp_error(w, E_LOCKED, NULL, NULL);
        } else if (checks_pass(r, w, rt)) {
            rt->fn(r, w);
        }
        return false;
    }
    if (!(rt->flags & R_LOCKED_OK)) {
        lock_touch(); /* a use: health checks and unlock attempts are not */
    }
    suspend(ctx);
    bool queued = (rt->flags & R_WRITE) ? writer_submit(run_write, r, w, on_done, ctx)
                                        : readers_submit(run_read, r, w, on_done, ctx);
    if (!queued && lock_locked()) {
        /* The key was locked while the request was on its way. */
        resp_error(w, E_LOCKED, NULL, NULL);
        on_done(ctx);
    } else if (!queued) {
        /* The readers or the writer have stopped: the server is stopping. */
        resp_error_status(w, 503, "E_STORAGE", "the server is stopping; try again", NULL);
        on_done(ctx);
    }
    return true;
}

/* Matches the request to its route (r->route), or answers it: a file of
 * the web interface, 404 or 405. NULL when answered. */
static const struct route *prepare(struct req *r, struct resp *w)
{
    const char *allow = NULL;
    const struct route *rt = router_match(r->method, r->path, r->params, &allow);
    if (!rt && web_owns(r->path)) {
        web_serve(r, w);
        return NULL;
    }
    if (!rt) {
        if (allow) {
            resp_header(w, "Allow", arena_strdup(r->arena, allow));
            resp_error_status(w, 405, "E_METHOD", "this method is not allowed here", NULL);
        } else {
            resp_error(w, E_NOT_FOUND, "no such resource", NULL);
        }
        return NULL;
    }
    match(rt->pattern, r->path, r->params, r->arena);
    r->route = rt;
    return rt;
}

/* The checks a route's flags demand; false (with the response written)
 * when one fails. */
static bool checks_pass(struct req *r, struct resp *w, const struct route *rt)
{
    if (!access_same_origin(r, w)) {
        return false;
    }
    if (!(rt->flags & R_PUBLIC)) {
        if (!access_authenticate(r, w)) {
            return false;
        }
        if ((rt->flags & R_WRITE) && !access_csrf(r, w)) {
            return false;
        }
        if ((rt->flags & R_ADMIN) && !access_is_admin(r)) {
            resp_error(w, E_FORBIDDEN, "administrators only", NULL);
            return false;
        }
    }
    if ((rt->flags & R_JSON_BODY) && !is_json(r->header(r, "Content-Type"))) {
        resp_error_status(w, 415, "E_UNSUPPORTED_MEDIA_TYPE",
                          "the body must be JSON (Content-Type: application/json)", NULL);
        return false;
    }
    return true;
}
