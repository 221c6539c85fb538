/*
 * fuzz_http.c: the HTTP request path without sockets: route matching,
 * the router's checks (authentication, CSRF, roles, content type, object
 * access) and every handler, against a store holding the example case.
 * The request is built exactly as server.c builds it from libmicrohttpd
 * (path percent-decoded, query arguments split on & and = and decoded,
 * headers looked up case-insensitively); only the socket and MHD's own
 * HTTP/1.1 parsing are left out.
 *
 * Input: "METHOD URL\n", then "Name: value\n" header lines, an empty line
 * and the body. Header values "@admin", "@coordinator", "@researcher" and
 * "@viewer" become bearer tokens of those roles, "@session" the researcher's
 * session cookie and "@csrf" its CSRF token, so that inputs get past
 * authentication. Every response must have a status the API documents and,
 * when it is an error, a body that says nothing of SQL, SQLite or paths.
 *
 * Coverage files: src/http/router.c src/http/routes.c src/http/access.c src/http/response.c
 * src/http/api_objects.c src/http/api_cases.c src/http/api_search.c src/http/api_session.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz_store.h"
#include "http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fuzz_store fs;
static char session_cookie[AUTH_SECRET_CHARS + 32];
static char session_csrf[AUTH_CSRF_CHARS + 1];

enum { MAX_FIELDS = 16 };

struct fake {
    struct header headers[MAX_FIELDS];
    size_t n_headers;
    struct header args[MAX_FIELDS];
    size_t n_args;
};

static const char *header_of(const struct req *r, const char *name)
{
    const struct fake *f = r->transport;
    for (size_t i = 0; i < f->n_headers; i++) {
        if (strcasecmp(f->headers[i].name, name) == 0) {
            return f->headers[i].value;
        }
    }
    return NULL;
}

static const char *query_of(const struct req *r, const char *name)
{
    const struct fake *f = r->transport;
    for (size_t i = 0; i < f->n_args; i++) {
        if (strcmp(f->args[i].name, name) == 0) {
            return f->args[i].value;
        }
    }
    return NULL;
}

static int hex(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Decodes %XX (and, in arguments, +) in place, as MHD_http_unescape does. */
static void unescape(char *s, bool plus)
{
    char *w = s;
    for (char *p = s; *p; p++) {
        if (*p == '%' && hex(p[1]) >= 0 && hex(p[2]) >= 0) {
            *w++ = (char)(hex(p[1]) * 16 + hex(p[2]));
            p += 2;
        } else if (plus && *p == '+') {
            *w++ = ' ';
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
}

static const char *placeholder(struct arena *a, const char *v)
{
    static const char *roles[] = {"@admin", "@coordinator", "@researcher", "@viewer"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(v, roles[i]) == 0) {
            char b[AUTH_SECRET_CHARS + 16];
            snprintf(b, sizeof b, "Bearer %s", fs.token[i]);
            return arena_strdup(a, b);
        }
    }
    if (strcmp(v, "@session") == 0) {
        return session_cookie;
    }
    if (strcmp(v, "@csrf") == 0) {
        return session_csrf;
    }
    return v;
}

/* A researcher's session, made in the pristine store so that every reset
 * copy has it. */
static void login(struct store *s)
{
    struct err e = ERR_INIT;
    struct auth_login l;
    if (auth_login(s, "fuzz-researcher", "fuzzing password 1", "fuzz", &l, &e) != E_OK) {
        fuzz_die("login", &e);
    }
    snprintf(session_cookie, sizeof session_cookie, "refuge_session=%s", l.token);
    memcpy(session_csrf, l.csrf, sizeof session_csrf);
}

static void setup(void)
{
    struct auth_settings as;
    auth_settings_default(&as);
    as.session_idle = 1000000000;
    as.session_absolute = 1000000000;
    auth_configure(&as);
    fuzz_store_init(&fs, login);
    auth_limiter_reset();
}

static bool contains(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++) {
        if (strncasecmp(hay + i, needle, k) == 0) {
            return true;
        }
    }
    return false;
}

/* Checks the response; `in` is the raw input, since echoing what the
 * client sent (an id in a message) is no leak. */
static void check_response(const struct req *r, const struct resp *w, const uint8_t *in,
                           size_t in_len)
{
    static const int allowed[] = {200, 201, 204, 400, 401, 403, 404,
                                  405, 409, 412, 413, 415, 428, 429};
    bool ok = false;
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
        ok |= w->status == allowed[i];
    }
    const char *leak = NULL;
    if (w->status >= 400 && w->body.len) {
        static const char *words[] = {"sqlite",         "SQL logic",    "no such table",
                                      "no such column", "syntax error", "fts5",
                                      "/tmp/",          "refuge-fuzz",  ".db"};
        for (size_t i = 0; i < sizeof words / sizeof words[0] && !leak; i++) {
            if (contains(w->body.data, w->body.len, words[i]) &&
                !contains((const char *)in, in_len, words[i])) {
                leak = words[i];
            }
        }
    }
    if (!ok || leak) {
        fprintf(stderr, "%s %s -> %d%s%s\n%.*s\n", r->method, r->path, w->status,
                leak ? ": the body shows " : "", leak ? leak : "", (int)w->body.len,
                w->body.data ? w->body.data : "");
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fs.s) {
        setup();
    }
    if (size > 65536) {
        return 0;
    }
    fuzz_store_maybe_reset(&fs);
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    /* The head ends at the first empty line; the body is the rest (as bytes). */
    char *head_end = strstr(text, "\n\n");
    const char *body = "";
    size_t body_len = 0;
    if (head_end) {
        *head_end = '\0';
        body = head_end + 2;
        body_len = size - (size_t)(body - text);
    }
    char *line_end = strchr(text, '\n');
    if (line_end) {
        *line_end = '\0';
    }
    char *sp = strchr(text, ' ');
    if (!sp || sp == text || memchr(text, '\0', size) < (void *)sp) {
        free(text);
        return 0;
    }
    *sp = '\0';
    char *method = text;
    char *url = sp + 1;
    struct arena a = ARENA_INIT;
    struct fake f = {.n_headers = 0};
    char *q = strchr(url, '?');
    if (q) {
        *q++ = '\0';
        while (q && *q && f.n_args < MAX_FIELDS) {
            char *amp = strchr(q, '&');
            if (amp) {
                *amp = '\0';
            }
            char *eq = strchr(q, '=');
            if (eq) {
                *eq = '\0';
            }
            unescape(q, true);
            f.args[f.n_args].name = q;
            f.args[f.n_args].value = eq ? eq + 1 : "";
            if (eq) {
                unescape(eq + 1, true);
            }
            f.n_args++;
            q = amp ? amp + 1 : NULL;
        }
    }
    unescape(url, false);
    if (*url != '/') {
        /* MHD refuses request targets that are not absolute paths. */
        free(text);
        return 0;
    }
    char *line = line_end ? line_end + 1 : NULL;
    while (line && *line && f.n_headers < MAX_FIELDS) {
        char *next = strchr(line, '\n');
        if (next) {
            *next = '\0';
        }
        char *colon = strchr(line, ':');
        if (colon) {
            *colon = '\0';
            char *v = colon + 1;
            while (*v == ' ') {
                v++;
            }
            f.headers[f.n_headers].name = line;
            f.headers[f.n_headers].value = placeholder(&a, v);
            f.n_headers++;
        }
        line = next ? next + 1 : NULL;
    }
    /* The body is copied so that it is NUL-terminated, as the server's is. */
    char *b = arena_alloc(&a, body_len + 1);
    memcpy(b, body, body_len);
    b[body_len] = '\0';
    struct req r = {
        .method = method,
        .path = url,
        .body = b,
        .body_len = body_len,
        .arena = &a,
        .store = fs.s,
        .client = "127.0.0.1",
        .transport = &f,
        .header = header_of,
        .query = query_of,
    };
    struct resp w = {.status = 200, .body = BUF_INIT};
    router_dispatch(&r, &w);
    check_response(&r, &w, data, size);
    buf_release(&w.body);
    arena_release(&a);
    free(text);
    return 0;
}
