/*
 * web.c: serving the embedded web interface (see web.h). Every file gets a
 * strong ETag, the BLAKE2b hash of its content computed once, and
 * `Cache-Control: no-cache`, so browsers revalidate and get 304 until a new
 * build changes the file.
 */
#include "http/web.h"

#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "core/embedded.h"
#include "core/xalloc.h"

enum { ETAG_BYTES = 16, ETAG_CHARS = ETAG_BYTES * 2 + 3 };

/* One ETag per embedded file, in the table's order; computed once. */
static char (*etags)[ETAG_CHARS];
static pthread_once_t etags_once = PTHREAD_ONCE_INIT;

static void compute_etags(void)
{
    etags = xcalloc(refuge_web_count ? refuge_web_count : 1, sizeof *etags);
    for (size_t i = 0; i < refuge_web_count; i++) {
        unsigned char h[ETAG_BYTES];
        crypto_generichash(h, sizeof h, refuge_web[i].data, refuge_web[i].len, NULL, 0);
        etags[i][0] = '"';
        sodium_bin2hex(etags[i] + 1, ETAG_BYTES * 2 + 1, h, sizeof h);
        etags[i][ETAG_BYTES * 2 + 1] = '"';
        etags[i][ETAG_BYTES * 2 + 2] = '\0';
    }
}

bool web_owns(const char *path)
{
    return strcmp(path, "/api") != 0 && strncmp(path, "/api/", 5) != 0;
}

static const char *content_type(const char *name)
{
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".json", "application/json; charset=utf-8"},
        {".ico", "image/x-icon"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < ARRAY_LEN(types); i++) {
        if (strcmp(dot, types[i][0]) == 0) {
            return types[i][1];
        }
    }
    return "application/octet-stream";
}

/* Does an If-None-Match header name this ETag (or "*")? */
static bool etag_matches(const char *header, const char *etag)
{
    if (!header) {
        return false;
    }
    if (strcmp(header, "*") == 0) {
        return true;
    }
    size_t n = strlen(etag);
    for (const char *p = strstr(header, etag); p; p = strstr(p + 1, etag)) {
        /* A weak validator (W/"...") matches too, as RFC 9110 says for If-None-Match. */
        char after = p[n];
        if (after == '\0' || after == ',' || after == ' ') {
            return true;
        }
    }
    return false;
}

void web_serve(struct req *r, struct resp *w)
{
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
        resp_header(w, "Allow", "GET, HEAD");
        resp_error_status(w, 405, "E_METHOD", "this method is not allowed here", NULL);
        return;
    }
    const char *name = strcmp(r->path, "/") == 0 ? "index.html" : r->path + 1;
    const struct embedded_file *f = embedded_find(refuge_web, refuge_web_count, name);
    if (!f) {
        resp_error(w, E_NOT_FOUND, "no such page: the web interface lives at /", NULL);
        return;
    }
    pthread_once(&etags_once, compute_etags);
    const char *etag = etags[f - refuge_web];
    resp_header(w, "ETag", etag);
    resp_header(w, "Cache-Control", "no-cache");
    w->content_type = content_type(name);
    buf_reset(&w->body);
    if (etag_matches(r->header(r, "If-None-Match"), etag)) {
        w->status = 304;
        return;
    }
    buf_add(&w->body, f->data, f->len);
    w->status = 200;
}
