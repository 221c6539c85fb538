/*
 * response.c: building responses: headers, JSON bodies and the one error
 * shape every failure uses.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http/request.h"

void resp_header(struct resp *w, const char *name, const char *value)
{
    if (w->n_headers < RESP_MAX_HEADERS) {
        w->headers[w->n_headers++] = (struct header){name, value};
    }
}

void resp_json(struct resp *w, int status, const char *text, size_t len)
{
    w->status = status;
    w->content_type = "application/json; charset=utf-8";
    buf_reset(&w->body);
    buf_add(&w->body, text, len);
}

static void set_error_body(struct resp *w, int status, const char *code, const char *message,
                           const char *path, json_t *problems)
{
    json_t *err = json_object();
    json_object_set_new(err, "code", json_string(code));
    json_object_set_new(err, "message", json_string(message ? message : ""));
    if (path && *path) {
        json_object_set_new(err, "path", json_string(path));
    }
    json_t *root = json_object();
    json_object_set_new(root, "error", err);
    if (problems) {
        json_object_set_new(root, "problems", problems);
    }
    char *text = json_dumps(root, JSON_COMPACT);
    resp_json(w, status, text, strlen(text));
    free(text);
    json_decref(root);
}

void resp_error_status(struct resp *w, int status, const char *code, const char *message,
                       const char *path)
{
    set_error_body(w, status, code, message, path, NULL);
}

void resp_error(struct resp *w, enum app_err code, const char *message, const char *path)
{
    set_error_body(w, err_http_status(code), err_name(code),
                   message && *message ? message : err_default_message(code), path, NULL);
}

void resp_problems(struct resp *w, enum app_err code, const char *message, const struct diags *d)
{
    json_t *list = json_array();
    for (size_t i = 0; i < d->n_items; i++) {
        json_t *p = json_object();
        json_object_set_new(p, "path", json_string(d->items[i].where));
        json_object_set_new(p, "message", json_string(d->items[i].msg));
        json_array_append_new(list, p);
    }
    const char *path = d->n_items ? d->items[0].where : NULL;
    char first[1024];
    if (d->n_items) {
        snprintf(first, sizeof first, "%s%s%s", d->items[0].where, d->items[0].where[0] ? ": " : "",
                 d->items[0].msg);
    }
    set_error_body(w, err_http_status(code), err_name(code),
                   d->n_items ? first : (message ? message : err_default_message(code)), path,
                   list);
}
