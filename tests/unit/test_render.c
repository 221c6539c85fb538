/*
 * test_render.c: the findings' JSON text is what jansson writes for the same
 * object (members in the contract's order, JSON_INDENT(2)), byte for byte,
 * whatever characters the strings hold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "render/render.h"

static json_t *strs_json(const struct strs *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->n_items; i++) {
        json_array_append_new(a, json_string(s->items[i]));
    }
    return a;
}

/* The finding as a jansson object, as render/findings.c built it before it
 * wrote the text itself. */
static json_t *finding_tree(const struct finding *f, bool explain)
{
    json_t *o = json_object();
    json_object_set_new(o, "case", json_string(f->case_id));
    json_object_set_new(o, "person", json_string(f->person_id));
    json_object_set_new(o, "rule", json_string(f->rule_id));
    json_object_set_new(o, "severity", json_string(check_severity_name(f->severity)));
    json_object_set_new(o, "status", json_string(check_status_name(f->status)));
    json_object_set_new(o, "basis", strs_json(&f->basis));
    json_object_set_new(o, "facts", strs_json(&f->facts));
    json_object_set_new(o, "missing", strs_json(&f->missing));
    json_object_set_new(o, "summary", json_string(f->summary));
    if (explain) {
        json_object_set_new(o, "sources", strs_json(&f->sources));
        json_object_set_new(o, "missing_words", strs_json(&f->missing_words));
        json_object_set_new(o, "demands", strs_json(&f->demands));
        json_object_set_new(o, "destinations", strs_json(&f->destinations));
        json_object_set_new(o, "explanation", strs_json(&f->explanation));
    }
    return o;
}

static void same_as_jansson(struct finding *items, size_t n, bool explain)
{
    struct check_outcome o = {.result = {.items = items, .n_items = n}};
    struct buf got = BUF_INIT;
    size_t count = 0;
    render_findings_json_items(&o, explain, &count, &got);
    assert_int_equal(count, n);
    struct buf want = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        json_t *tree = finding_tree(&items[i], explain);
        char *text = json_dumps(tree, JSON_INDENT(2));
        assert_non_null(text);
        buf_adds(&want, i ? ",\n" : "\n");
        buf_adds(&want, text);
        free(text);
        json_decref(tree);
    }
    assert_int_equal(got.len, want.len);
    assert_memory_equal(got.data, want.data, want.len);
    buf_release(&got);
    buf_release(&want);
}

static void findings_text_is_janssons(void **state)
{
    (void)state;
    /* Every character class at every offset within an 8-byte word. */
    static const char *odd[] = {
        "",
        "plain",
        "exactly8",
        "a\"quote",
        "back\\slash at 9",
        "1234567\"",
        "12345678\\",
        "tab\there, newline\nthere, return\r, \b and \f",
        "control \x01\x02\x1f and DEL \x7f",
        "UTF-8: Мұсаханұлы, 新疆, \xe2\x80\xa8 (U+2028)",
        "slash / stays",
        "\"\"\"\"\"\"\"\"\"\"",
        "long plain text that runs over several words without anything to escape",
    };
    const size_t n_odd = sizeof odd / sizeof *odd;
    const char *empty[] = {NULL};
    struct finding f[sizeof odd / sizeof *odd];
    for (size_t i = 0; i < n_odd; i++) {
        struct strs some = {odd + i, n_odd - i};
        struct strs none = {empty, 0};
        f[i] = (struct finding){.case_id = odd[(i + 1) % n_odd],
                                .person_id = odd[(i + 2) % n_odd],
                                .rule_id = odd[(i + 3) % n_odd],
                                .severity = (enum check_severity)(i % 4),
                                .status = (enum check_status)(i % 2),
                                .basis = i % 3 ? some : none,
                                .facts = some,
                                .sources = none,
                                .missing = i % 2 ? none : some,
                                .missing_words = some,
                                .demands = none,
                                .destinations = some,
                                .summary = odd[i],
                                .explanation = some};
    }
    same_as_jansson(f, n_odd, false);
    same_as_jansson(f, n_odd, true);
    same_as_jansson(f, 0, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(findings_text_is_janssons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
