/*
 * reader.c: streaming reader of bundles (see bundle.h).
 *
 * yajl tokenises the input in chunks; the callbacks build a jansson value for
 * one element of a top-level list at a time, hand it to the codec and the
 * sink, and free it. A small scan of each chunk ahead of yajl tracks line and
 * column and stops strings over the size limit before they are buffered.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yajl/yajl_parse.h>

#include "bundle/bundle.h"
#include "bundle/codec.h"
#include "core/xalloc.h"

const struct bundle_limits bundle_default_limits = {
    .max_string = 8u << 20,
    .max_depth = 32,
};

enum { CHUNK = 64 * 1024, STACK_MAX = 64 };

struct reader {
    const struct bundle_limits *limits;
    const struct bundle_sink *sink;
    struct diags *problems;
    struct diags *notes;
    enum app_err sink_err;

    unsigned depth; /* 0 outside the document, 1 inside the top object */
    int list;       /* enum obj_kind of the list being read, -1 none, -2 skipped */
    size_t index;   /* next element's index in the list */
    char *top_key;  /* key just read at depth 1 */
    bool seen_list[OBJ_KIND_COUNT];
    bool seen_format;
    bool top_is_object;

    /* The element being built: a stack of containers and pending keys. */
    json_t *stack[STACK_MAX];
    char *keys[STACK_MAX];
    unsigned sp;
    bool stopped; /* a problem was reported from a callback */

    struct arena arena;
};

static void set_top_key(struct reader *r, const unsigned char *k, size_t n)
{
    free(r->top_key);
    r->top_key = xstrndup((const char *)k, n);
}

static int list_of_key(const char *key)
{
    for (int k = 0; k < OBJ_KIND_COUNT; k++) {
        if (strcmp(obj_kind_list_name((enum obj_kind)k), key) == 0) {
            return k;
        }
    }
    return -1;
}

static void deliver(struct reader *r, json_t *value)
{
    struct bundle_obj obj;
    codec_decode((enum obj_kind)r->list, r->index, NULL, value, &r->arena, &obj, r->problems,
                 r->notes);
    if (r->sink_err == E_OK && r->sink && r->sink->object) {
        r->sink_err = r->sink->object(r->sink->ctx, &obj, r->problems);
    }
    arena_release(&r->arena);
    r->index++;
}

/* Places a finished value: into its parent container, or delivers it. */
static int place(struct reader *r, json_t *v)
{
    if (r->sp == 0) {
        deliver(r, v);
        json_decref(v);
        return r->sink_err == E_OK;
    }
    json_t *parent = r->stack[r->sp - 1];
    if (json_is_array(parent)) {
        json_array_append_new(parent, v);
        return 1;
    }
    char *key = r->keys[r->sp - 1];
    if (json_object_get(parent, key)) {
        diag_add(r->problems, "", "%s[%zu]: duplicate key \"%s\"",
                 obj_kind_list_name((enum obj_kind)r->list), r->index, key);
    }
    json_object_set_new(parent, key, v);
    free(key);
    r->keys[r->sp - 1] = NULL;
    return 1;
}

static bool in_element(const struct reader *r)
{
    return r->depth >= 2 && r->list >= 0;
}

/* Scalars at the top level: only "format" is meaningful. */
static int top_scalar(struct reader *r, const char *what, const char *str, size_t len)
{
    if (r->depth == 1 && r->top_key && strcmp(r->top_key, "format") == 0) {
        r->seen_format = true;
        if (!str || len != strlen(BUNDLE_FORMAT) || memcmp(str, BUNDLE_FORMAT, len) != 0) {
            diag_add(r->problems, "format", "expected \"%s\", found %s", BUNDLE_FORMAT,
                     str ? "another value" : what);
        }
    } else if (r->depth == 1 && r->top_key && list_of_key(r->top_key) >= 0) {
        if (!(str == NULL && strcmp(what, "null") == 0)) {
            diag_add(r->problems, r->top_key, "expected an array, found %s", what);
        }
    } else if (r->depth == 2 && r->list >= 0) {
        diag_add(r->problems, "", "%s[%zu]: expected an object, found %s",
                 obj_kind_list_name((enum obj_kind)r->list), r->index, what);
        r->index++;
    } else if (r->depth == 0) {
        diag_add(r->problems, "", "the bundle must be a JSON object, found %s", what);
    } else if (r->depth == 1 && r->top_key && r->notes) {
        diag_add(r->notes, r->top_key, "unknown top-level field, ignored");
    }
    return 1;
}

static int on_null(void *ctx)
{
    struct reader *r = ctx;
    return in_element(r) ? place(r, json_null()) : top_scalar(r, "null", NULL, 0);
}

static int on_boolean(void *ctx, int b)
{
    struct reader *r = ctx;
    return in_element(r) ? place(r, json_boolean(b)) : top_scalar(r, "a boolean", NULL, 0);
}

static int on_integer(void *ctx, long long v)
{
    struct reader *r = ctx;
    return in_element(r) ? place(r, json_integer(v)) : top_scalar(r, "a number", NULL, 0);
}

static int on_double(void *ctx, double v)
{
    struct reader *r = ctx;
    return in_element(r) ? place(r, json_real(v)) : top_scalar(r, "a number", NULL, 0);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    struct reader *r = ctx;
    if (in_element(r)) {
        return place(r, json_stringn((const char *)s, len));
    }
    return top_scalar(r, "a string", (const char *)s, len);
}

static int on_map_key(void *ctx, const unsigned char *k, size_t len)
{
    struct reader *r = ctx;
    if (r->depth == 1) {
        set_top_key(r, k, len);
        return 1;
    }
    if (in_element(r) && r->sp > 0) {
        free(r->keys[r->sp - 1]);
        r->keys[r->sp - 1] = xstrndup((const char *)k, len);
    }
    return 1;
}

static int too_deep(struct reader *r)
{
    if (r->depth > r->limits->max_depth) {
        diag_add(r->problems, "", "nesting deeper than %u levels", r->limits->max_depth);
        r->stopped = true;
        return 0;
    }
    return 1;
}

static int on_start_map(void *ctx)
{
    struct reader *r = ctx;
    r->depth++;
    if (!too_deep(r)) {
        return 0;
    }
    if (r->depth == 1) {
        r->top_is_object = true;
        return 1;
    }
    if (r->depth == 2 && r->top_key && list_of_key(r->top_key) >= 0) {
        diag_add(r->problems, r->top_key, "expected an array, found an object");
    }
    if (in_element(r)) {
        r->stack[r->sp] = json_object();
        r->keys[r->sp] = NULL;
        r->sp++;
    }
    return 1;
}

static int end_container(struct reader *r)
{
    if (in_element(r) && r->sp > 0) {
        r->sp--;
        json_t *v = r->stack[r->sp];
        free(r->keys[r->sp]);
        r->keys[r->sp] = NULL;
        r->depth--;
        return place(r, v);
    }
    r->depth--;
    return 1;
}

static int on_end_map(void *ctx)
{
    return end_container(ctx);
}

static int on_start_array(void *ctx)
{
    struct reader *r = ctx;
    r->depth++;
    if (!too_deep(r)) {
        return 0;
    }
    if (r->depth == 1) {
        diag_add(r->problems, "", "the bundle must be a JSON object, found an array");
        r->stopped = true;
        return 0;
    }
    if (r->depth == 2) {
        int k = r->top_key ? list_of_key(r->top_key) : -1;
        if (k >= 0 && r->seen_list[k]) {
            diag_add(r->problems, r->top_key, "the list appears twice");
            k = -2;
        } else if (k >= 0) {
            r->seen_list[k] = true;
        } else if (r->notes) {
            diag_add(r->notes, r->top_key ? r->top_key : "", "unknown top-level field, ignored");
        }
        r->list = k >= 0 ? k : -2;
        r->index = 0;
        return 1;
    }
    if (in_element(r)) {
        r->stack[r->sp] = json_array();
        r->keys[r->sp] = NULL;
        r->sp++;
    }
    return 1;
}

static int on_end_array(void *ctx)
{
    struct reader *r = ctx;
    if (r->depth == 2) {
        r->list = -1;
        r->depth--;
        return 1;
    }
    return end_container(r);
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_boolean,
    .yajl_integer = on_integer,
    .yajl_double = on_double,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_map_key,
    .yajl_end_map = on_end_map,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end_array,
};

/* Position tracking and the string-length guard. */
struct scan {
    size_t line, col; /* of the next byte */
    bool in_string, escape;
    size_t str_len;
    size_t str_line, str_col; /* where the current string started */
};

static void advance(struct scan *s, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') {
            s->line++;
            s->col = 1;
        } else if ((p[i] & 0xC0) != 0x80) {
            s->col++;
        }
    }
}

/* Scans p[0..n); returns how many bytes may be fed before a string grows past
 * the limit (n when none does). */
static size_t guard(struct scan *s, const unsigned char *p, size_t n, size_t max_string)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = p[i];
        if (!s->in_string) {
            if (ch == '"') {
                s->in_string = true;
                s->str_len = 0;
                s->str_line = s->line;
                s->str_col = s->col;
            }
        } else if (s->escape) {
            s->escape = false;
        } else if (ch == '\\') {
            s->escape = true;
        } else if (ch == '"') {
            s->in_string = false;
        }
        if (s->in_string && ++s->str_len > max_string) {
            return i;
        }
        if (ch == '\n') {
            s->line++;
            s->col = 1;
        } else if ((ch & 0xC0) != 0x80) {
            s->col++;
        }
    }
    return n;
}

static void report_syntax(struct reader *r, yajl_handle h, const unsigned char *chunk, size_t fed,
                          struct scan before)
{
    size_t at = yajl_get_bytes_consumed(h);
    if (at > fed) {
        at = fed;
    }
    advance(&before, chunk, at);
    unsigned char *msg = yajl_get_error(h, 0, chunk, fed);
    const char *text = msg ? (const char *)msg : "syntax error";
    char where[64];
    snprintf(where, sizeof where, "line %zu, column %zu", before.line, before.col);
    /* yajl's messages end with a newline; keep one line. */
    size_t len = strcspn(text, "\n");
    diag_add(r->problems, where, "invalid JSON: %.*s", (int)len, text);
    if (msg) {
        yajl_free_error(h, msg);
    }
}

static void reader_release(struct reader *r)
{
    for (unsigned i = 0; i < r->sp; i++) {
        json_decref(r->stack[i]);
        free(r->keys[i]);
    }
    r->sp = 0;
    free(r->top_key);
    r->top_key = NULL;
    arena_release(&r->arena);
}

enum app_err bundle_read(FILE *in, const struct bundle_limits *limits,
                         const struct bundle_sink *sink, struct diags *problems,
                         struct diags *notes)
{
    struct reader r = {
        .limits = limits ? limits : &bundle_default_limits,
        .sink = sink,
        .problems = problems,
        .notes = notes,
        .list = -1,
    };
    size_t problems_before = problems->total;
    yajl_handle h = yajl_alloc(&callbacks, NULL, &r);
    struct scan sc = {.line = 1, .col = 1};
    unsigned char *chunk = xmalloc(CHUNK);
    size_t total = 0;
    bool failed = false;
    enum app_err rc = E_OK;

    for (;;) {
        size_t n = fread(chunk, 1, CHUNK, in);
        if (n == 0) {
            if (ferror(in)) {
                rc = E_IO;
                diag_add(problems, "", "cannot read the input");
                failed = true;
            }
            break;
        }
        total += n;
        struct scan before = sc;
        size_t ok = guard(&sc, chunk, n, r.limits->max_string);
        yajl_status st = yajl_parse(h, chunk, ok);
        if (st == yajl_status_client_canceled || r.sink_err != E_OK) {
            failed = true;
            break;
        }
        if (st == yajl_status_error) {
            report_syntax(&r, h, chunk, ok, before);
            failed = true;
            break;
        }
        if (ok < n) {
            char where[64];
            snprintf(where, sizeof where, "line %zu, column %zu", sc.str_line, sc.str_col);
            diag_add(problems, where, "string longer than %zu bytes", r.limits->max_string);
            failed = true;
            break;
        }
    }
    if (!failed) {
        if (total == 0) {
            diag_add(problems, "line 1, column 1", "the input is empty");
        } else if (yajl_complete_parse(h) != yajl_status_ok) {
            char where[64];
            snprintf(where, sizeof where, "line %zu, column %zu", sc.line, sc.col);
            diag_add(problems, where, "invalid JSON: the input ends before the document does");
        } else if (!r.top_is_object) {
            /* already reported by top_scalar() */
        } else if (!r.seen_format) {
            diag_add(problems, "format", "is required (\"%s\")", BUNDLE_FORMAT);
        }
    }
    yajl_free(h);
    free(chunk);
    reader_release(&r);
    if (r.sink_err != E_OK) {
        return r.sink_err;
    }
    if (rc != E_OK) {
        return rc;
    }
    return problems->total > problems_before ? E_INVALID : E_OK;
}
