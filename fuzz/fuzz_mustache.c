/*
 * fuzz_mustache.c: the Mustache renderer. The input is a template, then
 * (after a NUL byte, if any) JSON data; byte 0 of the template picks the
 * escaping. Partials resolve to the template itself, so recursion and its
 * depth limit are exercised.
 *
 * Coverage files: src/render/mustache.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/mustache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct self {
    const char *tpl;
    size_t len;
};

static bool partial(void *ctx, const char *name, const char **text, size_t *len)
{
    const struct self *s = ctx;
    if (strcmp(name, "none") == 0) {
        return false;
    }
    *text = s->tpl;
    *len = s->len;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 8192) {
        return 0;
    }
    const char *text = (const char *)data + 1;
    size_t n = size - 1;
    const char *nul = memchr(text, '\0', n);
    size_t tlen = nul ? (size_t)(nul - text) : n;
    struct arena a = ARENA_INIT;
    struct err e = ERR_INIT;
    struct mval *root = NULL;
    if (nul) {
        if (mval_from_json(nul + 1, n - tlen - 1, &a, &root, &e) != E_OK) {
            root = NULL;
        }
    }
    if (!root) {
        root = mval_map(&a);
        mval_set_str(&a, root, "name", "<b>\"Ermek\" & 'co'</b>");
        struct mval *list = mval_list(&a);
        mval_push(&a, list, mval_str(&a, "one"));
        mval_push(&a, list, mval_number(&a, "2"));
        mval_push(&a, list, mval_bool(&a, true));
        mval_set(&a, root, "items", list);
        mval_set_bool(&a, root, "yes", true);
        mval_set(&a, root, "nothing", mval_null(&a));
    }
    struct self s = {text, tlen};
    struct mustache_opts opts = {
        .escape = (enum mustache_escape)(data[0] % 4), .partial = partial, .partial_ctx = &s};
    struct buf out = BUF_INIT;
    (void)mustache_render("fuzz", text, tlen, root, &opts, &a, &out, &e);
    buf_release(&out);
    arena_release(&a);
    return 0;
}
