/*
 * test_bundle.c: the streaming bundle reader on hostile input: every
 * truncation of the example and thousands of byte mutations must give
 * problems, never a crash, and the complete example must read cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bundle/bundle.h"
#include "bundle/codec.h"
#include "core/embedded.h"

struct counts {
    size_t objects[OBJ_KIND_COUNT];
    size_t valid;
};

static enum app_err count(void *ctx, const struct bundle_obj *o, struct diags *problems)
{
    (void)problems;
    struct counts *c = ctx;
    c->objects[o->kind]++;
    c->valid += o->valid;
    return E_OK;
}

static const struct embedded_file *example(void)
{
    const struct embedded_file *f =
        embedded_find(refuge_refdata, refuge_refdata_count, "kazakhstan-2019.json");
    assert_non_null(f);
    return f;
}

static enum app_err read_bytes(const unsigned char *data, size_t n, struct counts *c,
                               struct diags *problems)
{
    FILE *in = fmemopen((void *)(uintptr_t)data, n ? n : 1, "rb");
    assert_non_null(in);
    if (n == 0) {
        fgetc(in); /* an empty stream */
    }
    struct bundle_sink sink = {.ctx = c, .object = count};
    enum app_err rc = bundle_read(in, NULL, &sink, problems, NULL);
    fclose(in);
    return rc;
}

static void reads_the_example(void **state)
{
    (void)state;
    const struct embedded_file *f = example();
    struct counts c = {0};
    struct diags d = DIAGS_INIT;
    assert_int_equal(read_bytes(f->data, f->len, &c, &d), E_OK);
    assert_int_equal(d.total, 0);
    assert_int_equal(c.objects[OBJ_EVENT], 7);
    assert_int_equal(c.objects[OBJ_PERSON], 3);
    assert_int_equal(c.valid, 17);
    diags_release(&d);
}

/* The text encoder gives exactly what jansson gives for the same tree. */
static void same_as_tree(const struct bundle_obj *o)
{
    json_t *tree = codec_encode(o->kind, &o->u);
    char *want = json_dumps(tree, JSON_COMPACT);
    struct buf got = BUF_INIT;
    codec_encode_text(o->kind, &o->u, &got);
    assert_non_null(want);
    assert_string_equal(got.data, want);
    free(want);
    json_decref(tree);
    buf_release(&got);
}

static enum app_err compare(void *ctx, const struct bundle_obj *o, struct diags *problems)
{
    (void)problems;
    size_t *n = ctx;
    assert_true(o->valid);
    same_as_tree(o);
    (*n)++;
    return E_OK;
}

static void text_encoding_matches_jansson(void **state)
{
    (void)state;
    const struct embedded_file *f = example();
    FILE *in = fmemopen((void *)(uintptr_t)f->data, f->len, "rb");
    assert_non_null(in);
    size_t n = 0;
    struct diags d = DIAGS_INIT;
    struct bundle_sink sink = {.ctx = &n, .object = compare};
    assert_int_equal(bundle_read(in, NULL, &sink, &d, NULL), E_OK);
    fclose(in);
    assert_int_equal(n, 17);
    /* Escapes, control characters, non-ASCII text and unknown fields, nested too. */
    static const char *const objects[][2] = {
        {"persons", "{\"id\":\"p1\",\"names\":[{\"full\":\"Q\\u0001\\u001f\\b\\f\\n\\r\\t"
                    "\\\\/\\u007f \u041c\u04b1\u0441\u0430 \u0645\u062d\u0645\u062f \U0001F600\","
                    "\"script\":\"Cyrl\",\"x-n\":[1,{\"a\":null}]}],\"x-top\":\"\\u2028\","
                    "\"sex\":\"male\"}"},
        {"events", "{\"id\":\"e1\",\"type\":\"detention\",\"date\":\"2019-10\","
                   "\"persons\":[\"p1\"],\"place\":{\"country\":\"KZ\",\"x\":1.5},"
                   "\"description\":\"\\\"quoted\\\" \\\\ back\",\"zz\":true}"},
    };
    for (size_t i = 0; i < sizeof objects / sizeof objects[0]; i++) {
        struct arena a = ARENA_INIT;
        struct bundle_obj o;
        enum obj_kind kind = strcmp(objects[i][0], "persons") == 0 ? OBJ_PERSON : OBJ_EVENT;
        enum app_err rc =
            bundle_decode_text(kind, objects[i][1], strlen(objects[i][1]), &a, &o, &d);
        if (rc != E_OK) {
            for (size_t j = 0; j < d.n_items; j++) {
                fprintf(stderr, "%s: %s\n", d.items[j].where, d.items[j].msg);
            }
        }
        assert_int_equal(rc, E_OK);
        same_as_tree(&o);
        arena_release(&a);
    }
    diags_release(&d);
}

static void every_truncation_is_refused(void **state)
{
    (void)state;
    const struct embedded_file *f = example();
    /* The document ends at its closing brace; anything shorter is incomplete. */
    size_t end = f->len;
    while (end > 0 && f->data[end - 1] != '}') {
        end--;
    }
    for (size_t n = 0; n < end; n++) {
        struct counts c = {0};
        struct diags d = DIAGS_INIT;
        enum app_err rc = read_bytes(f->data, n, &c, &d);
        if (rc != E_INVALID || d.total == 0) {
            fail_msg("prefix of %zu bytes was not refused", n);
        }
        diags_release(&d);
    }
}

static void mutations_never_crash(void **state)
{
    (void)state;
    const struct embedded_file *f = example();
    unsigned char *copy = malloc(f->len);
    assert_non_null(copy);
    uint32_t seed = 12345;
    static const unsigned char noise[] = {'"', '\\', '{',  '}',  '[',  ']',  ':', ',', '0',
                                          'e', '-',  0xff, 0xc3, 0x80, 0x00, 'n', ' ', '\n'};
    size_t refused = 0;
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(copy, f->data, f->len);
        int edits = 1 + iter % 4;
        for (int k = 0; k < edits; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t pos = (seed >> 8) % f->len;
            seed = seed * 1103515245u + 12345u;
            copy[pos] = noise[(seed >> 8) % sizeof noise];
        }
        struct counts c = {0};
        struct diags d = DIAGS_INIT;
        enum app_err rc = read_bytes(copy, f->len, &c, &d);
        assert_true(rc == E_OK || rc == E_INVALID);
        assert_true((rc == E_OK) == (d.total == 0));
        refused += rc == E_INVALID;
        diags_release(&d);
    }
    assert_true(refused > 1500);
    free(copy);
}

static void problems_are_capped(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    buf_adds(&b, "{\"format\": \"refuge-bundle/1\", \"sources\": [");
    for (int i = 0; i < 500; i++) {
        buf_addf(&b, "%s{\"id\": \"s%d\", \"date\": \"2019-02-30\"}", i ? "," : "", i);
    }
    buf_adds(&b, "]}");
    struct counts c = {0};
    struct diags d = DIAGS_INIT;
    assert_int_equal(read_bytes((const unsigned char *)b.data, b.len, &c, &d), E_INVALID);
    assert_int_equal(d.total, 500);
    assert_int_equal(d.n_items, DIAG_DEFAULT_CAP);
    assert_string_equal(d.items[7].where, "sources[7].date");
    diags_release(&d);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_the_example),
        cmocka_unit_test(text_encoding_matches_jansson),
        cmocka_unit_test(every_truncation_is_refused),
        cmocka_unit_test(mutations_never_crash),
        cmocka_unit_test(problems_are_capped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
