/*
 * server.c: the libmicrohttpd daemon: listening socket, a pool of threads
 * that read requests, run reads (readers.c) and send responses, writes
 * handed to the writer (writer.c) with their connection suspended until it
 * has committed them, request bodies, the two-call pattern, and graceful
 * shutdown on SIGTERM/SIGINT. Translates between MHD and the transport-free
 * struct req / struct resp; nothing else calls MHD (loaded by mhd.c when
 * serving starts).
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>

#include "core/xalloc.h"
#include "http/http.h"
#include "http/lock.h"
#include "http/mhd.h"
#include "http/readers.h"
#include "http/router.h"
#include "http/writer.h"
#include "service/auth.h"

struct server {
    const struct http_config *cfg;
    /* Benchmarks only (bench/README.md, "the two traps"): answer a request
     * without a body on libmicrohttpd's first call, which 0.9.75 punishes by
     * closing the connection. Set by REFUGE_BENCH_FIRST_CALL=1. */
    bool answer_first_call;
};

static struct server server;
/* libmicrohttpd's functions, loaded by http_serve() before any thread starts. */
static struct mhd_api mhd;

/* Per-request state kept between MHD's calls. */
struct conn {
    struct arena arena;
    struct buf body;
    bool too_large;
    const struct route *route;
    /* A write waits for the writer with the connection suspended; the
     * writer's thread resumes it, and the next call sends the answer. */
    struct MHD_Connection *c;
    struct req r;
    struct resp w;
    bool submitted;
};

static const char *header_of(const struct req *r, const char *name)
{
    return mhd.lookup_connection_value(r->transport, MHD_HEADER_KIND, name);
}

static const char *query_of(const struct req *r, const char *name)
{
    return mhd.lookup_connection_value(r->transport, MHD_GET_ARGUMENT_KIND, name);
}

static void client_address(struct MHD_Connection *c, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        mhd.get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, n, "unknown");
    if (!ci || !ci->client_addr) {
        return;
    }
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)n);
    } else if (sa->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)n);
    }
}

static const char *security_headers[][2] = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
};

/* Frees a response body once sent, zeroed first: it holds records in
 * plaintext, which would otherwise outlive the request in freed memory
 * (and a lock of the key, docs/security.md). For encrypted stores. */
static void free_zeroed(void *p)
{
    if (p) {
        sodium_memzero(p, malloc_usable_size(p));
        free(p);
    }
}

static enum MHD_Result send_resp(struct MHD_Connection *c, struct resp *w, bool head)
{
    /* The body's memory goes to libmicrohttpd, which frees it once sent: no
     * copy of a large list (w->body is left empty). */
    size_t len = head ? 0 : w->body.len;
    char *data = buf_detach(&w->body);
    /* Only a store whose key can be locked needs its records wiped. */
    struct MHD_Response *mr = mhd.create_response(len, data, lock_available() ? free_zeroed : free);
    if (!mr) {
        free(data);
        return MHD_NO;
    }
    for (size_t i = 0; i < ARRAY_LEN(security_headers); i++) {
        mhd.add_response_header(mr, security_headers[i][0], security_headers[i][1]);
    }
    mhd.add_response_header(mr, "Content-Type",
                            w->content_type ? w->content_type : "application/json; charset=utf-8");
    bool has_cache = false;
    for (size_t i = 0; i < w->n_headers; i++) {
        mhd.add_response_header(mr, w->headers[i].name, w->headers[i].value);
        has_cache |= strcasecmp(w->headers[i].name, "Cache-Control") == 0;
    }
    if (!has_cache) {
        mhd.add_response_header(mr, "Cache-Control", "no-store");
    }
    enum MHD_Result ret = mhd.queue_response(c, (unsigned)w->status, mr);
    mhd.destroy_response(mr);
    return ret;
}

static enum MHD_Result reply_error(struct MHD_Connection *c, int status, const char *code,
                                   const char *msg)
{
    struct resp w = {.body = BUF_INIT};
    resp_error_status(&w, status, code, msg, NULL);
    enum MHD_Result ret = send_resp(c, &w, false);
    buf_release(&w.body);
    return ret;
}

static size_t body_limit(const struct route *rt)
{
    if (rt && (rt->flags & R_BIG_BODY)) {
        return server.cfg->max_body;
    }
    /* Objects are small; 1 MiB is ample and keeps a slow upload cheap. */
    return server.cfg->max_body < (1u << 20) ? server.cfg->max_body : (1u << 20);
}

static void suspend_conn(void *ctx)
{
    struct conn *cx = ctx;
    cx->submitted = true;
    mhd.suspend_connection(cx->c);
}

/* On the writer's thread, once the write's group has committed or failed. */
static void resume_conn(void *ctx)
{
    struct conn *cx = ctx;
    mhd.resume_connection(cx->c);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)version;
    struct conn *cx = *con_cls;
    if (!cx) {
        /* First call: headers only. Answer early only for what needs no body. */
        cx = xcalloc(1, sizeof *cx);
        buf_init(&cx->body);
        *con_cls = cx;
        const char *allow = NULL;
        const char *params[2] = {NULL, NULL};
        cx->route = router_match(method, url, params, &allow);
        const char *cl = mhd.lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl) {
            char *end = NULL;
            unsigned long long n = strtoull(cl, &end, 10);
            if (end == cl || *end || n > body_limit(cx->route)) {
                cx->too_large = true;
            }
        }
        if (!server.answer_first_call || cl) {
            return MHD_YES;
        }
    }
    if (*upload_size) {
        if (!cx->too_large && cx->body.len + *upload_size > body_limit(cx->route)) {
            cx->too_large = true;
            buf_release(&cx->body);
        }
        if (!cx->too_large) {
            buf_add(&cx->body, upload_data, *upload_size);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (cx->too_large) {
        char msg[96];
        snprintf(msg, sizeof msg, "the request body is larger than %zu bytes",
                 body_limit(cx->route));
        return reply_error(c, 413, "E_TOO_LARGE", msg);
    }
    char client[64];
    client_address(c, client, sizeof client);
    const char *proto = mhd.lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto");
    const union MHD_ConnectionInfo *tls = mhd.get_connection_info(c, MHD_CONNECTION_INFO_PROTOCOL);
    if (cx->submitted) {
        /* Resumed by the writer: the answer is ready. */
        enum MHD_Result ret = send_resp(c, &cx->w, strcmp(method, "HEAD") == 0);
        buf_release(&cx->w.body);
        return ret;
    }
    cx->r = (struct req){
        .method = method,
        .path = url,
        .body = cx->body.data,
        .body_len = cx->body.len,
        .arena = &cx->arena,
        .store = NULL, /* the reader or the writer that runs it sets its own */
        .client = arena_strdup(&cx->arena, client),
        .secure =
            tls != NULL || (server.cfg->trust_proxy_tls && proto && strcmp(proto, "https") == 0),
        .transport = c,
        .header = header_of,
        .query = query_of,
    };
    cx->w = (struct resp){.status = 200, .body = BUF_INIT};
    cx->c = c;
    if (router_submit(&cx->r, &cx->w, suspend_conn, resume_conn, cx)) {
        return MHD_YES; /* suspended until the writer has committed */
    }
    enum MHD_Result ret = send_resp(c, &cx->w, strcmp(method, "HEAD") == 0);
    buf_release(&cx->w.body);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct conn *cx = *con_cls;
    if (cx) {
        buf_release(&cx->w.body);
        buf_release(&cx->body);
        arena_release(&cx->arena);
        free(cx);
        *con_cls = NULL;
    }
}

enum app_err http_parse_listen(const char *s, struct http_config *cfg, struct err *e)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s) {
        return err_set(e, E_USAGE, "--listen \"%s\" is not HOST:PORT", s);
    }
    char *end = NULL;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (end == colon + 1 || *end || port > 65535) {
        return err_set(e, E_USAGE, "--listen \"%s\": the port must be 0-65535", s);
    }
    size_t hn = (size_t)(colon - s);
    static char host[256];
    if (s[0] == '[' && hn >= 2 && s[hn - 1] == ']') {
        s++;
        hn -= 2;
    }
    if (hn >= sizeof host) {
        return err_set(e, E_USAGE, "--listen: the host is too long");
    }
    memcpy(host, s, hn);
    host[hn] = '\0';
    cfg->host = host;
    cfg->port = (unsigned short)port;
    return E_OK;
}

static int open_listener(const struct http_config *cfg, unsigned short *bound, struct err *e)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t len;
    int family;
    struct sockaddr_in *in4 = (struct sockaddr_in *)(void *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)&ss;
    if (inet_pton(AF_INET, cfg->host, &in4->sin_addr) == 1) {
        family = AF_INET;
        in4->sin_family = AF_INET;
        in4->sin_port = htons(cfg->port);
        len = sizeof *in4;
    } else if (inet_pton(AF_INET6, cfg->host, &in6->sin6_addr) == 1) {
        family = AF_INET6;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(cfg->port);
        len = sizeof *in6;
    } else if (strcmp(cfg->host, "localhost") == 0) {
        family = AF_INET;
        in4->sin_family = AF_INET;
        in4->sin_port = htons(cfg->port);
        in4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *in4;
    } else {
        err_set(e, E_USAGE, "cannot listen on \"%s\": give a numeric address", cfg->host);
        return -1;
    }
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)(void *)&ss, len) != 0 || listen(fd, 512) != 0) {
        err_set(e, E_IO, "cannot listen on %s:%u: %s", cfg->host, cfg->port, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    socklen_t blen = sizeof ss;
    getsockname(fd, (struct sockaddr *)(void *)&ss, &blen);
    *bound = ntohs(family == AF_INET ? in4->sin_port : in6->sin6_port);
    return fd;
}

static unsigned active_connections(struct MHD_Daemon *d)
{
    const union MHD_DaemonInfo *info = mhd.get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return info ? info->num_connections : 0;
}

enum app_err http_serve(const struct http_config *cfg, struct err *e)
{
    if (mhd_load(&mhd, e) != E_OK) {
        return e->code;
    }
    server.cfg = cfg;
    const char *trap = getenv("REFUGE_BENCH_FIRST_CALL");
    server.answer_first_call = trap && strcmp(trap, "1") == 0;
    struct router_config rc = {.max_body = cfg->max_body,
                               .session_idle_minutes = cfg->session_idle_minutes};
    router_configure(&rc);
    struct auth_settings as;
    auth_settings_default(&as);
    if (cfg->session_idle_minutes) {
        as.session_idle = (int64_t)cfg->session_idle_minutes * 60;
    }
    if (cfg->login_window) {
        as.failure_window = cfg->login_window;
    }
    auth_configure(&as);

    /* Block the signals in every thread; the main thread waits for them. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGUSR1); /* lock the key (lock.h) */
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    unsigned short port = 0;
    int fd = open_listener(cfg, &port, e);
    if (fd < 0) {
        return e->code;
    }
    struct lock_config lc = {.db_path = cfg->db_path,
                             .key = cfg->key,
                             .threads = cfg->threads ? cfg->threads : 2u,
                             .idle_seconds = cfg->idle_lock_seconds};
    if (lock_start(&lc, e) != E_OK) {
        close(fd);
        return e->code;
    }
    struct MHD_Daemon *d = mhd.start_daemon(
        /* A pool of threads, each with its own epoll set of connections,
         * runs the reads itself; a write suspends its connection while the
         * writer commits it, so no thread waits for the disk. ITC:
         * mhd.quiesce_daemon() and resuming connections need it. */
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME |
            MHD_USE_ERROR_LOG,
        0, NULL, NULL, on_request, NULL, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_THREAD_POOL_SIZE,
        cfg->threads ? cfg->threads : 2u, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
        MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_PER_IP_CONNECTION_LIMIT, 0u, MHD_OPTION_END);
    if (!d) {
        close(fd);
        lock_stop();
        return err_set(e, E_IO, "cannot start the HTTP server");
    }
    fprintf(stderr, "refuge: serving %s on http://%s%s%s:%u/\n", cfg->db_path,
            strchr(cfg->host, ':') ? "[" : "", cfg->host, strchr(cfg->host, ':') ? "]" : "", port);
    if (cfg->port_file) {
        FILE *pf = fopen(cfg->port_file, "w");
        if (pf) {
            fprintf(pf, "%u\n", port);
            fclose(pf);
        }
    }
    if (cfg->key) {
        char idle[64] = "";
        if (cfg->idle_lock_seconds) {
            snprintf(idle, sizeof idle, "after %u s without use, or ", cfg->idle_lock_seconds);
        }
        fprintf(stderr, "refuge: the key locks %son 'kill -USR1 %ld'\n", idle, (long)getpid());
    }
    int sig = 0;
    for (;;) {
        /* Wake once a second to look at the idle clock. */
        struct timespec tick = {1, 0};
        sig = sigtimedwait(&sigs, NULL, &tick);
        if (sig == SIGUSR1) {
            lock_engage(NULL);
        } else if (sig == SIGINT || sig == SIGTERM) {
            break;
        } else if (lock_idle_due()) {
            char why[48];
            snprintf(why, sizeof why, "idle for %u s", cfg->idle_lock_seconds);
            lock_engage(why);
        }
    }
    fprintf(stderr, "refuge: stopping (signal %d): finishing requests in flight\n", sig);
    MHD_socket lfd = mhd.quiesce_daemon(d);
    for (int i = 0; i < 100 && active_connections(d) > 0; i++) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    /* The readers and the writer finish what is queued and resume its
     * connections (libmicrohttpd refuses to stop with one suspended); what
     * arrives after gets a 503. */
    lock_stop();
    mhd.stop_daemon(d);
    if (lfd != MHD_INVALID_SOCKET) {
        close(lfd);
    }
    struct writer_stats ws;
    writer_stats(&ws);
    fprintf(stderr,
            "refuge: %llu writes in %llu transactions (at most %llu in one), %llu answered 503; "
            "%llu checkpoints\n",
            (unsigned long long)ws.requests, (unsigned long long)ws.groups,
            (unsigned long long)ws.largest, (unsigned long long)ws.failed,
            (unsigned long long)ws.checkpoints);
    return E_OK;
}
