/*
 * test_mustache.c: the template renderer against every required file of the
 * official Mustache specification ($REFUGE_SHARED/data/mustache-spec; the
 * optional ~lambdas, ~inheritance and ~dynamic-names files are not
 * supported), and the escapings and errors of our own.
 */
/* cmocka.h needs the headers before it. */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
// clang-format on

#include "render/mustache.h"

static bool find_partial(void *ctx, const char *name, const char **text, size_t *len)
{
    const struct mval *v = mval_get(ctx, name);
    if (!v || v->kind != MV_STRING) {
        return false;
    }
    *text = v->s;
    *len = strlen(v->s);
    return true;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    struct buf b = BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        buf_add(&b, chunk, n);
    }
    fclose(f);
    *len = b.len;
    return buf_detach(&b);
}

static void run_spec_file(const char *file)
{
    const char *shared = getenv("REFUGE_SHARED");
    assert_non_null(shared);
    char path[1024];
    snprintf(path, sizeof path, "%s/data/mustache-spec/%s", shared, file);
    size_t len = 0;
    char *text = read_all(path, &len);
    if (!text) {
        fail_msg("cannot read %s", path);
    }
    struct arena a = ARENA_INIT;
    struct err e = ERR_INIT;
    struct mval *doc = NULL;
    assert_int_equal(mval_from_json(text, len, &a, &doc, &e), E_OK);
    const struct mval *tests = mval_get(doc, "tests");
    assert_non_null(tests);
    assert_true(tests->n > 0);
    size_t failed = 0;
    for (size_t i = 0; i < tests->n; i++) {
        const struct mval *t = tests->items[i];
        const struct mval *tpl = mval_get(t, "template");
        const struct mval *want = mval_get(t, "expected");
        const struct mval *name = mval_get(t, "name");
        struct mustache_opts opts = {.escape = MUSTACHE_ESCAPE_SPEC,
                                     .partial = find_partial,
                                     .partial_ctx = (void *)(uintptr_t)mval_get(t, "partials")};
        struct buf out = BUF_INIT;
        struct err te = ERR_INIT;
        enum app_err rc = mustache_render(name->s, tpl->s, strlen(tpl->s), mval_get(t, "data"),
                                          &opts, &a, &out, &te);
        if (rc != E_OK || strcmp(out.data, want->s) != 0) {
            failed++;
            print_error("%s: %s\n  template: [%s]\n  expected: [%s]\n  got:      [%s] %s\n", file,
                        name->s, tpl->s, want->s, out.data, rc == E_OK ? "" : te.msg);
        }
        buf_release(&out);
    }
    arena_release(&a);
    free(text);
    assert_int_equal(failed, 0);
}

static void spec_comments(void **state)
{
    (void)state;
    run_spec_file("comments.json");
}

static void spec_delimiters(void **state)
{
    (void)state;
    run_spec_file("delimiters.json");
}

static void spec_interpolation(void **state)
{
    (void)state;
    run_spec_file("interpolation.json");
}

static void spec_inverted(void **state)
{
    (void)state;
    run_spec_file("inverted.json");
}

static void spec_partials(void **state)
{
    (void)state;
    run_spec_file("partials.json");
}

static void spec_sections(void **state)
{
    (void)state;
    run_spec_file("sections.json");
}

static char *render(const char *tpl, const char *json, enum mustache_escape how, struct arena *a)
{
    struct mval *data = NULL;
    struct err e = ERR_INIT;
    assert_int_equal(mval_from_json(json, strlen(json), a, &data, &e), E_OK);
    struct mustache_opts opts = {.escape = how};
    struct buf out = BUF_INIT;
    assert_int_equal(mustache_render("t", tpl, strlen(tpl), data, &opts, a, &out, &e), E_OK);
    char *s = arena_strdup(a, out.data);
    buf_release(&out);
    return s;
}

static void escapes_for_html_markdown_and_text(void **state)
{
    (void)state;
    struct arena a = ARENA_INIT;
    const char *data = "{\"x\": \"<b>'a' & {{y}} #1\\n*z*\"}";
    assert_string_equal(render("{{x}}", data, MUSTACHE_ESCAPE_HTML, &a),
                        "&lt;b&gt;&#39;a&#39; &amp; &#123;&#123;y&#125;&#125; &#35;1 &#42;z&#42;");
    assert_string_equal(render("{{x}}", data, MUSTACHE_ESCAPE_MD, &a),
                        "\\<b\\>'a' \\& \\{\\{y\\}\\} \\#1 \\*z\\*");
    assert_string_equal(render("{{x}}", data, MUSTACHE_ESCAPE_NONE, &a), "<b>'a' & {{y}} #1 *z*");
    /* A value is never read as a template. */
    assert_string_equal(render("{{{x}}}", data, MUSTACHE_ESCAPE_HTML, &a),
                        "<b>'a' & {{y}} #1\n*z*");
    /* Empty strings are falsey, so optional fields can guard sections. */
    assert_string_equal(
        render("{{#x}}yes{{/x}}{{^x}}no{{/x}}", "{\"x\": \"\"}", MUSTACHE_ESCAPE_HTML, &a), "no");
    arena_release(&a);
}

static void reports_malformed_templates(void **state)
{
    (void)state;
    struct arena a = ARENA_INIT;
    struct mval *data = mval_map(&a);
    struct mustache_opts opts = {.escape = MUSTACHE_ESCAPE_HTML};
    const char *bad[] = {"{{#a}}x", "a\n{{#a}}{{/b}}", "{{x", "{{= | =}}", "{{=<% %>=}}<%x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct buf out = BUF_INIT;
        struct err e = ERR_INIT;
        assert_int_equal(mustache_render("t", bad[i], strlen(bad[i]), data, &opts, &a, &out, &e),
                         E_INVALID);
        assert_true(strncmp(e.where, "t:", 2) == 0);
        buf_release(&out);
    }
    arena_release(&a);
}

static void builds_values(void **state)
{
    (void)state;
    struct arena a = ARENA_INIT;
    struct mval *m = mval_map(&a);
    struct mval *l = mval_list(&a);
    for (int i = 0; i < 20; i++) {
        char k[8];
        snprintf(k, sizeof k, "%d", i);
        mval_push(&a, l, mval_str(&a, k));
        mval_set_str(&a, m, k, k);
    }
    mval_set(&a, m, "l", l);
    mval_set_bool(&a, m, "b", true);
    mval_set_str(&a, m, "19", "last");
    assert_int_equal(l->n, 20);
    assert_string_equal(mval_get(m, "19")->s, "last");
    assert_string_equal(mval_get(m, "7")->s, "7");
    struct buf out = BUF_INIT;
    struct err e = ERR_INIT;
    struct mustache_opts opts = {.escape = MUSTACHE_ESCAPE_NONE};
    const char *tpl = "{{#b}}{{#l}}{{.}},{{/l}}{{/b}}";
    assert_int_equal(mustache_render("t", tpl, strlen(tpl), m, &opts, &a, &out, &e), E_OK);
    assert_string_equal(out.data, "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,");
    buf_release(&out);
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spec_comments),
        cmocka_unit_test(spec_delimiters),
        cmocka_unit_test(spec_interpolation),
        cmocka_unit_test(spec_inverted),
        cmocka_unit_test(spec_partials),
        cmocka_unit_test(spec_sections),
        cmocka_unit_test(escapes_for_html_markdown_and_text),
        cmocka_unit_test(reports_malformed_templates),
        cmocka_unit_test(builds_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
