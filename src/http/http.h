/*
 * http.h: `refuge serve`: the JSON API over HTTP (libmicrohttpd), for the web
 * interface and for scripts. The only module that includes microhttpd.h.
 */
#ifndef REFUGE_HTTP_HTTP_H
#define REFUGE_HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/compat.h"
#include "core/err.h"

struct store_secret;

struct http_config {
    const char *host;              /* address to listen on, e.g. "127.0.0.1" */
    unsigned short port;           /* 0 = any free port */
    const char *db_path;           /* the store; readers, writer and checkpointer open their own */
    struct store_secret *key;      /* its key (NULL: a plaintext store); zeroed on lock */
    size_t max_body;               /* bytes; larger request bodies get 413 */
    unsigned threads;              /* reader threads (how many reads compute at once) */
    bool trust_proxy_tls;          /* honour X-Forwarded-Proto: https (cookies get Secure) */
    const char *port_file;         /* if set, the bound port is written there once listening */
    unsigned session_idle_minutes; /* a session ends after this long without a request */
    unsigned login_window;         /* seconds failed logins count against the limits (0: 900) */
    unsigned idle_lock_seconds;    /* lock the key after this long without use (0: never) */
};

/* Parses "HOST:PORT" ("127.0.0.1:8080", "[::1]:0") into cfg. */
ATTR_NODISCARD enum app_err http_parse_listen(const char *s, struct http_config *cfg,
                                              struct err *e);

/* Serves until SIGTERM or SIGINT: then stops accepting, finishes the requests
 * in flight, closes the store and returns E_OK. SIGUSR1, the idle time-out
 * or POST /api/lock lock the key of an encrypted store (lock.h). */
ATTR_NODISCARD enum app_err http_serve(const struct http_config *cfg, struct err *e);

#endif
