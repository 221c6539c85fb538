/*
 * mustache.c: the Mustache template renderer (mustache.h): the value tree,
 * the parser (tags, delimiters, standalone lines) and the renderer
 * (context stack, sections, partials, escaping). Also builds value trees
 * from JSON, for tests and data files.
 */
#include "render/mustache.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

/* ---------------------------------------------------------------------------
 * Values
 * ------------------------------------------------------------------------ */

static struct mval *mval_new(struct arena *a, enum mval_kind k)
{
    struct mval *v = arena_alloc(a, sizeof *v);
    v->kind = k;
    return v;
}

struct mval *mval_null(struct arena *a)
{
    return mval_new(a, MV_NULL);
}

struct mval *mval_bool(struct arena *a, bool b)
{
    struct mval *v = mval_new(a, MV_BOOL);
    v->b = b;
    return v;
}

struct mval *mval_str(struct arena *a, const char *s)
{
    struct mval *v = mval_new(a, MV_STRING);
    v->s = arena_strdup(a, s ? s : "");
    return v;
}

struct mval *mval_number(struct arena *a, const char *text)
{
    struct mval *v = mval_new(a, MV_NUMBER);
    v->s = arena_strdup(a, text ? text : "0");
    return v;
}

struct mval *mval_list(struct arena *a)
{
    return mval_new(a, MV_LIST);
}

struct mval *mval_map(struct arena *a)
{
    return mval_new(a, MV_MAP);
}

static void mval_grow(struct arena *a, struct mval *v)
{
    if (v->n < v->cap) {
        return;
    }
    size_t cap = v->cap ? v->cap * 2 : 8;
    struct mval **items = arena_alloc(a, cap * sizeof *items);
    if (v->n) {
        memcpy(items, v->items, v->n * sizeof *items);
    }
    v->items = items;
    if (v->kind == MV_MAP) {
        const char **keys = arena_alloc(a, cap * sizeof *keys);
        if (v->n) {
            memcpy(keys, v->keys, v->n * sizeof *keys);
        }
        v->keys = keys;
    }
    v->cap = cap;
}

void mval_push(struct arena *a, struct mval *list, struct mval *v)
{
    mval_grow(a, list);
    list->items[list->n++] = v;
}

static ptrdiff_t map_index(const struct mval *map, const char *key, size_t len)
{
    if (!map || map->kind != MV_MAP) {
        return -1;
    }
    for (size_t i = 0; i < map->n; i++) {
        if (strncmp(map->keys[i], key, len) == 0 && map->keys[i][len] == '\0') {
            return (ptrdiff_t)i;
        }
    }
    return -1;
}

void mval_set(struct arena *a, struct mval *map, const char *key, struct mval *v)
{
    ptrdiff_t i = map_index(map, key, strlen(key));
    if (i >= 0) {
        map->items[i] = v;
        return;
    }
    mval_grow(a, map);
    map->keys[map->n] = arena_strdup(a, key);
    map->items[map->n++] = v;
}

void mval_set_str(struct arena *a, struct mval *map, const char *key, const char *s)
{
    if (s) {
        mval_set(a, map, key, mval_str(a, s));
    }
}

void mval_set_bool(struct arena *a, struct mval *map, const char *key, bool b)
{
    mval_set(a, map, key, mval_bool(a, b));
}

const struct mval *mval_get(const struct mval *map, const char *key)
{
    ptrdiff_t i = map_index(map, key, strlen(key));
    return i >= 0 ? map->items[i] : NULL;
}

static struct mval *from_json(const json_t *j, struct arena *a)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        struct mval *m = mval_map(a);
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)(uintptr_t)j, k, v)
        {
            mval_set(a, m, k, from_json(v, a));
        }
        return m;
    }
    case JSON_ARRAY: {
        struct mval *l = mval_list(a);
        for (size_t i = 0; i < json_array_size(j); i++) {
            mval_push(a, l, from_json(json_array_get(j, i), a));
        }
        return l;
    }
    case JSON_STRING:
        return mval_str(a, json_string_value(j));
    case JSON_INTEGER: {
        char num[32];
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
        return mval_number(a, num);
    }
    case JSON_REAL: {
        char num[40];
        snprintf(num, sizeof num, "%.15g", json_real_value(j));
        return mval_number(a, num);
    }
    case JSON_TRUE:
        return mval_bool(a, true);
    case JSON_FALSE:
        return mval_bool(a, false);
    case JSON_NULL:
        return mval_null(a);
    }
    return mval_null(a);
}

enum app_err mval_from_json(const char *text, size_t len, struct arena *a, struct mval **out,
                            struct err *e)
{
    json_error_t je;
    json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_PRESERVE_ORDER, &je);
    if (!j) {
        return err_set(e, E_INVALID, "line %d: %s", je.line, je.text);
    }
    *out = from_json(j, a);
    json_decref(j);
    return E_OK;
}

/* ---------------------------------------------------------------------------
 * Escaping
 * ------------------------------------------------------------------------ */

void mustache_escape(enum mustache_escape how, const char *s, size_t len, struct buf *out)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (how == MUSTACHE_ESCAPE_SPEC) {
            switch (c) {
            case '&':
                buf_adds(out, "&amp;");
                break;
            case '<':
                buf_adds(out, "&lt;");
                break;
            case '>':
                buf_adds(out, "&gt;");
                break;
            case '"':
                buf_adds(out, "&quot;");
                break;
            default:
                buf_addch(out, (char)c);
            }
            continue;
        }
        if (c < 0x20 || c == 0x7f) {
            /* Line breaks and other controls would change the document's structure. */
            buf_addch(out, ' ');
            continue;
        }
        if (how == MUSTACHE_ESCAPE_HTML) {
            switch (c) {
            case '&':
                buf_adds(out, "&amp;");
                break;
            case '<':
                buf_adds(out, "&lt;");
                break;
            case '>':
                buf_adds(out, "&gt;");
                break;
            case '"':
                buf_adds(out, "&quot;");
                break;
            case '\'':
            case '#':
            case '*':
            case '_':
            case '`':
            case '[':
            case ']':
            case '\\':
            case '|':
            case '~':
            case '{':
            case '}':
                buf_addf(out, "&#%d;", c);
                break;
            default:
                buf_addch(out, (char)c);
            }
        } else if (how == MUSTACHE_ESCAPE_MD) {
            if (strchr("\\`*_[]<>#|~&!{}", c)) {
                buf_addch(out, '\\');
            }
            buf_addch(out, (char)c);
        } else {
            buf_addch(out, (char)c);
        }
    }
}

/* ---------------------------------------------------------------------------
 * Parsing
 * ------------------------------------------------------------------------ */

enum node_type {
    N_TEXT,
    N_VAR,
    N_RAW,
    N_SECTION,
    N_INVERTED,
    N_PARTIAL,
};

struct node {
    enum node_type type;
    const char *s; /* text, or the tag's name */
    size_t len;
    const char *indent; /* standalone partials: the whitespace before the tag */
    size_t indent_len;
    struct node *child; /* sections */
    struct node *next;
};

enum { DELIM_MAX = 16, PARTIAL_DEPTH_MAX = 32 };

struct parser {
    const char *name;
    const char *t;
    size_t len;
    size_t p;
    char otag[DELIM_MAX];
    size_t olen;
    char ctag[DELIM_MAX];
    size_t clen;
    bool at_line_start;
    struct arena *a;
    struct err *e;
};

static size_t find(const char *t, size_t len, size_t from, const char *pat, size_t plen)
{
    if (plen == 0 || len < plen) {
        return SIZE_MAX;
    }
    for (size_t i = from; i + plen <= len; i++) {
        if (t[i] == pat[0] && memcmp(t + i, pat, plen) == 0) {
            return i;
        }
    }
    return SIZE_MAX;
}

static size_t line_of(const char *t, size_t pos)
{
    size_t line = 1;
    for (size_t i = 0; i < pos; i++) {
        line += t[i] == '\n';
    }
    return line;
}

static enum app_err parse_error(struct parser *ps, size_t pos, const char *msg)
{
    char where[128];
    snprintf(where, sizeof where, "%.80s:%zu", ps->name, line_of(ps->t, pos));
    return err_set_at(ps->e, E_INVALID, where, "%s", msg);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static struct node *node_add(struct parser *ps, struct node ***tail, enum node_type type,
                             const char *s, size_t len)
{
    struct node *n = arena_alloc(ps->a, sizeof *n);
    n->type = type;
    n->s = s;
    n->len = len;
    **tail = n;
    *tail = &n->next;
    return n;
}

static void trim(const char **s, size_t *len)
{
    while (*len && (is_blank(**s) || **s == '\n' || **s == '\r')) {
        (*s)++;
        (*len)--;
    }
    while (*len && (is_blank((*s)[*len - 1]) || (*s)[*len - 1] == '\n' || (*s)[*len - 1] == '\r')) {
        (*len)--;
    }
}

static enum app_err set_delimiters(struct parser *ps, const char *s, size_t len, size_t pos)
{
    trim(&s, &len);
    size_t i = 0;
    while (i < len && !is_blank(s[i])) {
        i++;
    }
    size_t j = i;
    while (j < len && is_blank(s[j])) {
        j++;
    }
    size_t olen = i;
    size_t clen = len - j;
    if (olen == 0 || clen == 0 || olen >= DELIM_MAX || clen >= DELIM_MAX || memchr(s, '=', olen) ||
        memchr(s + j, '=', clen) || find(s + j, clen, 0, " ", 1) != SIZE_MAX ||
        find(s + j, clen, 0, "\t", 1) != SIZE_MAX) {
        return parse_error(ps, pos, "bad delimiters in a set-delimiter tag");
    }
    memcpy(ps->otag, s, olen);
    ps->olen = olen;
    memcpy(ps->ctag, s + j, clen);
    ps->clen = clen;
    return E_OK;
}

/* Parses until the end of the template (section NULL) or the end tag of
 * `section`, appending nodes to *head. */
static enum app_err parse_block(struct parser *ps, const char *section, size_t slen,
                                size_t section_pos, struct node **head)
{
    struct node **tail = head;
    const char *t = ps->t;
    for (;;) {
        size_t ts = find(t, ps->len, ps->p, ps->otag, ps->olen);
        if (ts == SIZE_MAX) {
            if (ps->p < ps->len) {
                node_add(ps, &tail, N_TEXT, t + ps->p, ps->len - ps->p);
            }
            ps->p = ps->len;
            if (section) {
                return parse_error(ps, section_pos, "section is not closed");
            }
            return E_OK;
        }
        size_t cs = ts + ps->olen;
        char sigil = cs < ps->len ? t[cs] : '\0';
        char close[DELIM_MAX + 1];
        size_t close_len = 0;
        if (sigil == '{' || sigil == '=') {
            close[close_len++] = sigil == '{' ? '}' : '=';
        }
        memcpy(close + close_len, ps->ctag, ps->clen);
        close_len += ps->clen;
        if (sigil && strchr("{&#^/!>=", sigil)) {
            cs++;
        } else {
            sigil = '\0';
        }
        size_t ce = find(t, ps->len, cs, close, close_len);
        if (ce == SIZE_MAX) {
            return parse_error(ps, ts, "tag is not closed");
        }
        size_t te = ce + close_len;
        const char *name = t + cs;
        size_t name_len = ce - cs;
        if (sigil != '!' && sigil != '=') {
            trim(&name, &name_len);
        }

        /* Standalone lines: a block tag alone on its line takes the line with it. */
        bool standalone = false;
        size_t ws_start = ts;
        size_t next = te;
        if (sigil && strchr("#^/!>=", sigil)) {
            size_t ls = SIZE_MAX;
            for (size_t i = ts; i > ps->p; i--) {
                if (t[i - 1] == '\n') {
                    ls = i;
                    break;
                }
            }
            if (ls == SIZE_MAX && ps->at_line_start) {
                ls = ps->p;
            }
            if (ls != SIZE_MAX) {
                bool blank = true;
                for (size_t i = ls; i < ts; i++) {
                    blank = blank && is_blank(t[i]);
                }
                size_t q = te;
                while (q < ps->len && is_blank(t[q])) {
                    q++;
                }
                if (blank && q == ps->len) {
                    standalone = true;
                    next = q;
                } else if (blank && t[q] == '\n') {
                    standalone = true;
                    next = q + 1;
                } else if (blank && t[q] == '\r' && q + 1 < ps->len && t[q + 1] == '\n') {
                    standalone = true;
                    next = q + 2;
                }
                if (standalone) {
                    ws_start = ls;
                }
            }
        }
        if (ws_start > ps->p) {
            node_add(ps, &tail, N_TEXT, t + ps->p, ws_start - ps->p);
        }
        ps->p = next;
        ps->at_line_start = standalone;

        switch (sigil) {
        case '#':
        case '^': {
            if (name_len == 0) {
                return parse_error(ps, ts, "section without a name");
            }
            struct node *n =
                node_add(ps, &tail, sigil == '#' ? N_SECTION : N_INVERTED, name, name_len);
            enum app_err rc = parse_block(ps, name, name_len, ts, &n->child);
            if (rc != E_OK) {
                return rc;
            }
            break;
        }
        case '/':
            if (!section || name_len != slen || memcmp(name, section, slen) != 0) {
                return parse_error(ps, ts, "section end does not match the open section");
            }
            return E_OK;
        case '!':
            break;
        case '=': {
            enum app_err rc = set_delimiters(ps, name, name_len, ts);
            if (rc != E_OK) {
                return rc;
            }
            break;
        }
        case '>': {
            struct node *n = node_add(ps, &tail, N_PARTIAL, name, name_len);
            if (standalone) {
                n->indent = t + ws_start;
                n->indent_len = ts - ws_start;
            }
            break;
        }
        case '{':
        case '&':
            node_add(ps, &tail, N_RAW, name, name_len);
            break;
        default:
            node_add(ps, &tail, N_VAR, name, name_len);
            break;
        }
    }
}

static enum app_err parse(const char *name, const char *tpl, size_t len, struct arena *a,
                          struct err *e, struct node **out)
{
    struct parser ps = {.name = name, .t = tpl, .len = len, .at_line_start = true, .a = a, .e = e};
    memcpy(ps.otag, "{{", 2);
    ps.olen = 2;
    memcpy(ps.ctag, "}}", 2);
    ps.clen = 2;
    *out = NULL;
    return parse_block(&ps, NULL, 0, 0, out);
}

/* ---------------------------------------------------------------------------
 * Rendering
 * ------------------------------------------------------------------------ */

struct frame {
    const struct mval *v;
    const struct frame *up;
};

struct renderer {
    const struct mustache_opts *opts;
    struct arena *a;
    struct buf *out;
    struct err *e;
    int depth;
};

static const struct mval *lookup(const struct frame *f, const char *name, size_t len)
{
    if (len == 1 && name[0] == '.') {
        return f ? f->v : NULL;
    }
    const char *dot = memchr(name, '.', len);
    size_t seg = dot ? (size_t)(dot - name) : len;
    const struct mval *v = NULL;
    for (; f; f = f->up) {
        ptrdiff_t i = map_index(f->v, name, seg);
        if (i >= 0) {
            v = f->v->items[i];
            break;
        }
    }
    while (v && dot) {
        const char *rest = dot + 1;
        size_t rest_len = len - (size_t)(rest - name);
        dot = memchr(rest, '.', rest_len);
        seg = dot ? (size_t)(dot - rest) : rest_len;
        ptrdiff_t i = map_index(v, rest, seg);
        v = i >= 0 ? v->items[i] : NULL;
        name = rest;
        len = rest_len;
    }
    return v;
}

static bool truthy(const struct mval *v)
{
    if (!v) {
        return false;
    }
    switch (v->kind) {
    case MV_NULL:
        return false;
    case MV_BOOL:
        return v->b;
    case MV_STRING:
        return v->s[0] != '\0';
    case MV_LIST:
        return v->n > 0;
    case MV_NUMBER:
    case MV_MAP:
        return true;
    }
    return false;
}

static void interpolate(struct renderer *r, const struct mval *v, bool raw)
{
    if (!v) {
        return;
    }
    const char *s = NULL;
    switch (v->kind) {
    case MV_STRING:
    case MV_NUMBER:
        s = v->s;
        break;
    case MV_BOOL:
        s = v->b ? "true" : "false";
        break;
    case MV_NULL:
    case MV_LIST:
    case MV_MAP:
        return;
    }
    if (raw) {
        buf_adds(r->out, s);
    } else {
        mustache_escape(r->opts->escape, s, strlen(s), r->out);
    }
}

static enum app_err render_nodes(struct renderer *r, const struct node *n, const struct frame *f);

static enum app_err render_partial(struct renderer *r, const struct node *n, const struct frame *f)
{
    if (!r->opts->partial) {
        return E_OK;
    }
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)(n->len < 255 ? n->len : 255), n->s);
    const char *text;
    size_t len;
    if (!r->opts->partial(r->opts->partial_ctx, name, &text, &len)) {
        return E_OK;
    }
    if (r->depth >= PARTIAL_DEPTH_MAX) {
        return err_set(r->e, E_INVALID, "partial '%s' nests too deep", name);
    }
    if (n->indent_len) {
        struct buf ind = BUF_INIT;
        bool bol = true;
        for (size_t i = 0; i < len; i++) {
            if (bol) {
                buf_add(&ind, n->indent, n->indent_len);
            }
            buf_addch(&ind, text[i]);
            bol = text[i] == '\n';
        }
        char *copy = arena_strndup(r->a, ind.data, ind.len);
        len = ind.len;
        text = copy;
        buf_release(&ind);
    }
    struct node *tree;
    enum app_err rc = parse(name, text, len, r->a, r->e, &tree);
    if (rc != E_OK) {
        return rc;
    }
    r->depth++;
    rc = render_nodes(r, tree, f);
    r->depth--;
    return rc;
}

static enum app_err render_nodes(struct renderer *r, const struct node *n, const struct frame *f)
{
    for (; n; n = n->next) {
        enum app_err rc = E_OK;
        switch (n->type) {
        case N_TEXT:
            buf_add(r->out, n->s, n->len);
            break;
        case N_VAR:
        case N_RAW:
            interpolate(r, lookup(f, n->s, n->len), n->type == N_RAW);
            break;
        case N_SECTION: {
            const struct mval *v = lookup(f, n->s, n->len);
            if (!truthy(v)) {
                break;
            }
            if (v->kind == MV_LIST) {
                for (size_t i = 0; i < v->n && rc == E_OK; i++) {
                    struct frame inner = {v->items[i], f};
                    rc = render_nodes(r, n->child, &inner);
                }
            } else {
                struct frame inner = {v, f};
                rc = render_nodes(r, n->child, &inner);
            }
            break;
        }
        case N_INVERTED:
            if (!truthy(lookup(f, n->s, n->len))) {
                rc = render_nodes(r, n->child, f);
            }
            break;
        case N_PARTIAL:
            rc = render_partial(r, n, f);
            break;
        }
        if (rc != E_OK) {
            return rc;
        }
    }
    return E_OK;
}

enum app_err mustache_render(const char *name, const char *tpl, size_t len, const struct mval *data,
                             const struct mustache_opts *opts, struct arena *a, struct buf *out,
                             struct err *e)
{
    struct node *tree;
    enum app_err rc = parse(name ? name : "template", tpl, len, a, e, &tree);
    if (rc != E_OK) {
        return rc;
    }
    struct renderer r = {.opts = opts, .a = a, .out = out, .e = e};
    struct frame root = {data, NULL};
    return render_nodes(&r, tree, data ? &root : NULL);
}
