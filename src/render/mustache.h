/*
 * mustache.h: a logic-less template renderer (the Mustache language:
 * interpolation, sections, inverted sections, comments, partials, set
 * delimiters and the standalone-line rules), over a small value tree.
 *
 * Values are built in an arena (mval_*) and rendered with mustache_render().
 * Interpolated values are escaped by default with the escaping chosen by the
 * caller (HTML, Markdown, or none for plain text); `{{{name}}}` and
 * `{{& name}}` insert a value as it is. Lambdas, template inheritance and
 * dynamic partial names (optional parts of the language) are not supported.
 */
#ifndef REFUGE_RENDER_MUSTACHE_H
#define REFUGE_RENDER_MUSTACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/compat.h"
#include "core/err.h"

enum mval_kind {
    MV_NULL,
    MV_BOOL,
    MV_NUMBER, /* kept as its text */
    MV_STRING,
    MV_LIST,
    MV_MAP,
};

/* One value. Strings are NUL-terminated UTF-8; lists and maps keep their
 * items in insertion order (a map's keys in `keys`, parallel to `items`). */
struct mval {
    enum mval_kind kind;
    bool b;        /* MV_BOOL */
    const char *s; /* MV_NUMBER, MV_STRING */
    const char **keys;
    struct mval **items;
    size_t n, cap;
};

/* Constructors; every value and string is allocated in `a` (strings copied). */
struct mval *mval_null(struct arena *a);
struct mval *mval_bool(struct arena *a, bool b);
struct mval *mval_str(struct arena *a, const char *s);
struct mval *mval_number(struct arena *a, const char *text);
struct mval *mval_list(struct arena *a);
struct mval *mval_map(struct arena *a);
/* Appends to a list. */
void mval_push(struct arena *a, struct mval *list, struct mval *v);
/* Sets a key of a map (replacing an earlier value of the same key). */
void mval_set(struct arena *a, struct mval *map, const char *key, struct mval *v);
/* Shorthands for mval_set() with a string (NULL sets nothing) or a boolean. */
void mval_set_str(struct arena *a, struct mval *map, const char *key, const char *s);
void mval_set_bool(struct arena *a, struct mval *map, const char *key, bool b);
/* A map's value for key, or NULL. */
const struct mval *mval_get(const struct mval *map, const char *key);

/* Builds a value tree from JSON text (objects keep their key order). Returns
 * E_OK, or E_INVALID with the parser's message in e. */
ATTR_NODISCARD enum app_err mval_from_json(const char *text, size_t len, struct arena *a,
                                           struct mval **out, struct err *e);

enum mustache_escape {
    MUSTACHE_ESCAPE_HTML, /* & < > " ' and the characters Markdown treats specially */
    MUSTACHE_ESCAPE_MD, /* backslash before Markdown's special characters; line breaks become spaces
                         */
    MUSTACHE_ESCAPE_NONE, /* as is, but line breaks become spaces */
    MUSTACHE_ESCAPE_SPEC, /* exactly & < > " as the Mustache specification expects */
};

/* Finds the text of a partial by name; returns false when there is none
 * (the partial then renders as nothing). */
typedef bool (*mustache_partial_fn)(void *ctx, const char *name, const char **text, size_t *len);

struct mustache_opts {
    enum mustache_escape escape;
    mustache_partial_fn partial; /* may be NULL: no partials */
    void *partial_ctx;
};

/* Renders `tpl` (len bytes) with `data` as the root context, appending to
 * out. Returns E_OK, or E_INVALID when the template is malformed (unclosed
 * tag or section, mismatched section end, bad delimiters) with the line in
 * e->where; `name` names the template in messages. Partials nest at most 32
 * deep. Allocates scratch memory in `a`. */
ATTR_NODISCARD enum app_err mustache_render(const char *name, const char *tpl, size_t len,
                                            const struct mval *data,
                                            const struct mustache_opts *opts, struct arena *a,
                                            struct buf *out, struct err *e);

/* Appends s escaped as `how` escapes interpolated values. */
void mustache_escape(enum mustache_escape how, const char *s, size_t len, struct buf *out);

#endif
