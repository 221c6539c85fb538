/*
 * request.h: the transport-free request and response that handlers see.
 * server.c alone translates between libmicrohttpd and these structs.
 */
#ifndef REFUGE_HTTP_REQUEST_H
#define REFUGE_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/err.h"
#include "domain/model.h"
#include "store/store.h"

struct route;
struct principal;

struct header {
    const char *name;
    const char *value;
};

struct req {
    const char *method;
    const char *path;
    const char *params[2]; /* {id} segments of the matched route */
    const char *body;      /* NUL-terminated; body_len bytes */
    size_t body_len;
    struct arena *arena; /* freed when the request completes */
    struct store *store; /* the connection of the thread running the request */
    const struct route *route;
    const char *client;          /* client address, for the audit trail and rate limits */
    bool secure;                 /* TLS, or a trusted proxy says so */
    const struct principal *who; /* NULL until authenticated (service/auth.h) */
    bool by_cookie;              /* authenticated by session cookie: CSRF applies */
    void *transport;             /* opaque, for header and query lookups */
    const char *(*header)(const struct req *r, const char *name);
    const char *(*query)(const struct req *r, const char *name);
};

enum { RESP_MAX_HEADERS = 8 };

struct resp {
    int status;
    const char *content_type;
    struct buf body;
    struct header headers[RESP_MAX_HEADERS];
    size_t n_headers;
};

/* Adds a response header; name and value must outlive the response (arena). */
void resp_header(struct resp *w, const char *name, const char *value);
/* A JSON body (text is copied) with status. */
void resp_json(struct resp *w, int status, const char *text, size_t len);
/* The one error shape: {"error": {"code", "message", "path"}}; status from the code. */
void resp_error(struct resp *w, enum app_err code, const char *message, const char *path);
/* An error with an explicit status (405, 415, ...). */
void resp_error_status(struct resp *w, int status, const char *code, const char *message,
                       const char *path);
/* 400 with every problem: {"error": {..., "path": first}, "problems": [{"path","message"}]}. */
void resp_problems(struct resp *w, enum app_err code, const char *message, const struct diags *d);

#endif
