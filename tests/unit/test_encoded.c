/*
 * test_encoded.c: every object's stored JSON text (migration 0007) stays
 * equal to a fresh encoding of its fields after every kind of write: import
 * (insert and update), single-object writes and deletes as the API makes
 * them, a person merge, and the backfill of a store written without text;
 * a text that differs is found; lists and reads of the stored text page and
 * filter as store_list() does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bundle/bundle.h"
#include "core/buf.h"
#include "core/embedded.h"
#include "service/auth.h"
#include "service/search.h"
#include "service/service.h"
#include "store_fixture.h"

static int setup(void **state)
{
    store_set_encoder(bundle_encode_object);
    return fixture_store_setup(state);
}

static int teardown(void **state)
{
    fixture_store_teardown(state);
    store_set_encoder(bundle_encode_object);
    return 0;
}

static void import_bytes(struct store *s, const void *data, size_t n)
{
    FILE *in = fmemopen((void *)(uintptr_t)data, n, "r");
    assert_non_null(in);
    struct import_report rep;
    struct diags problems = DIAGS_INIT;
    struct diags notes = DIAGS_INIT;
    struct err e = ERR_INIT;
    enum app_err rc = service_import(s, in, &rep, &problems, &notes, &e);
    fclose(in);
    for (size_t i = 0; i < problems.n_items; i++) {
        print_message("%s: %s\n", problems.items[i].where, problems.items[i].msg);
    }
    diags_release(&problems);
    diags_release(&notes);
    assert_int_equal(rc, E_OK);
}

static void import_text(struct store *s, const char *json)
{
    import_bytes(s, json, strlen(json));
}

static void import_example(struct store *s)
{
    const struct embedded_file *f =
        embedded_find(refuge_refdata, refuge_refdata_count, "kazakhstan-2019.json");
    assert_non_null(f);
    import_bytes(s, f->data, f->len);
}

/* Every object, read back from its columns and encoded now, equals its
 * stored text, both through a list and through a read by id; returns how
 * many objects there are. Independent of store_json_check(). */
static size_t assert_texts_fresh(struct store *s)
{
    size_t total = 0;
    for (int k = 0; k < OBJ_KIND_COUNT; k++) {
        struct store_filter f = {.limit = 1000};
        struct arena a = ARENA_INIT;
        struct store_text *items;
        size_t n;
        bool more;
        struct err e = ERR_INIT;
        assert_int_equal(store_list_json(s, (enum obj_kind)k, &f, &a, &items, &n, &more, &e), E_OK);
        assert_false(more);
        assert_int_equal(n, (size_t)store_count(s, (enum obj_kind)k));
        for (size_t i = 0; i < n; i++) {
            unsigned char obj[512] __attribute__((aligned(16)));
            assert_int_equal(store_get(s, (enum obj_kind)k, items[i].id, &a, obj, &e), E_OK);
            struct buf fresh = BUF_INIT;
            bundle_encode_object((enum obj_kind)k, obj, &fresh);
            assert_non_null(items[i].json);
            if (items[i].len != fresh.len || memcmp(items[i].json, fresh.data, fresh.len) != 0) {
                fail_msg("%s %s: stored %.*s, fresh %s", obj_kind_name((enum obj_kind)k),
                         items[i].id, (int)items[i].len, items[i].json, fresh.data);
            }
            struct store_text one;
            assert_int_equal(store_get_json(s, (enum obj_kind)k, items[i].id, &a, &one, &e), E_OK);
            assert_int_equal(one.len, fresh.len);
            assert_memory_equal(one.json, fresh.data, fresh.len);
            assert_int_equal(one.version, store_version(s, (enum obj_kind)k, items[i].id));
            buf_release(&fresh);
        }
        total += n;
        arena_release(&a);
    }
    struct store_json_stats st;
    struct err e = ERR_INIT;
    assert_int_equal(store_json_check(s, false, &st, &e), E_OK);
    assert_int_equal(st.objects, (int64_t)total);
    assert_int_equal(st.missing, 0);
    assert_int_equal(st.stale, 0);
    return total;
}

static void import_stores_text(void **state)
{
    struct store *s = *state;
    import_example(s);
    assert_true(assert_texts_fresh(s) > 10);
    /* Updates by import: changed fields, lists and unknown fields. */
    import_text(s, "{\"format\": \"refuge-bundle/1\", \"sources\": [{\"id\": \"extra-src\", "
                   "\"title\": \"T\", \"x-note\": {\"a\": [1, 2]}}]}");
    import_text(s, "{\"format\": \"refuge-bundle/1\", \"sources\": [{\"id\": \"extra-src\", "
                   "\"title\": \"T \\u00e9 \\\"quoted\\\"\", \"date\": \"2019-10\"}]}");
    struct arena a = ARENA_INIT;
    struct store_text t;
    struct err e = ERR_INIT;
    assert_int_equal(store_get_json(s, OBJ_SOURCE, "extra-src", &a, &t, &e), E_OK);
    assert_int_equal(t.version, 2);
    assert_non_null(t.json);
    assert_non_null(strstr(t.json, "\"date\":\"2019-10\""));
    assert_null(strstr(t.json, "x-note"));
    arena_release(&a);
    assert_texts_fresh(s);
}

static enum app_err put_text(struct store *s, enum obj_kind kind, const char *json,
                             int64_t expected, int64_t *version)
{
    struct arena a = ARENA_INIT;
    struct bundle_obj o;
    struct diags d = DIAGS_INIT;
    struct err e = ERR_INIT;
    assert_int_equal(bundle_decode_text(kind, json, strlen(json), &a, &o, &d), E_OK);
    enum app_err rc = service_put_object(s, &o, expected, version, &d, &e);
    diags_release(&d);
    arena_release(&a);
    return rc;
}

static void api_writes_keep_text(void **state)
{
    struct store *s = *state;
    import_example(s);
    const char *person = "{\"id\": \"api-p\", \"names\": [{\"full\": \"Api Person\", "
                         "\"script\": \"Latn\"}], \"sensitive\": true}";
    int64_t v = 0;
    assert_int_equal(put_text(s, OBJ_PERSON, person, VERSION_NEW, &v), E_OK);
    assert_int_equal(v, 1);
    assert_texts_fresh(s);
    const char *person2 = "{\"id\": \"api-p\", \"names\": [{\"full\": \"Api Person\", "
                          "\"script\": \"Latn\"}, {\"full\": \"Апи\", \"script\": \"Cyrl\"}], "
                          "\"nationality\": [\"KZ\"], \"birth_date\": \"1980\"}";
    assert_int_equal(put_text(s, OBJ_PERSON, person2, 1, &v), E_OK);
    assert_int_equal(v, 2);
    assert_texts_fresh(s);
    /* A refused write (stale version) leaves the text as it was. */
    assert_int_equal(put_text(s, OBJ_PERSON, person, 1, &v), E_CONFLICT);
    assert_texts_fresh(s);
    const char *event = "{\"id\": \"api-e\", \"type\": \"detention\", \"date\": \"2020-02-03\", "
                        "\"persons\": [\"api-p\"], \"description\": \"Held.\"}";
    assert_int_equal(put_text(s, OBJ_EVENT, event, VERSION_NEW, &v), E_OK);
    assert_texts_fresh(s);
    struct err e = ERR_INIT;
    assert_int_equal(service_delete_object(s, OBJ_EVENT, "api-e", VERSION_ANY, &v, &e), E_OK);
    assert_int_equal(service_delete_object(s, OBJ_PERSON, "api-p", VERSION_ANY, &v, &e), E_OK);
    struct arena a = ARENA_INIT;
    struct store_text t;
    assert_int_equal(store_get_json(s, OBJ_PERSON, "api-p", &a, &t, &e), E_NOT_FOUND);
    arena_release(&a);
    assert_texts_fresh(s);
}

static const char merge_bundle[] =
    "{\"format\": \"refuge-bundle/1\","
    " \"sources\": [{\"id\": \"s1\", \"title\": \"Report\"}, {\"id\": \"s2\", \"title\": \"News\"}],"
    " \"organizations\": [{\"id\": \"o1\", \"name\": \"Court\"}],"
    " \"persons\": ["
    "  {\"id\": \"keep\", \"names\": [{\"full\": \"Gulnar Zhumabekova\", \"script\": \"Latn\"}],"
    "   \"birth_date\": \"1985-03-02\", \"sex\": \"female\", \"sources\": [\"s1\"]},"
    "  {\"id\": \"other\", \"names\": [{\"full\": \"Гүлнар Жұмабекова\", \"script\": \"Cyrl\"}],"
    "   \"sources\": [\"s2\"], \"positions\": [{\"organization\": \"o1\", \"title\": \"clerk\"}]}],"
    " \"cases\": [{\"id\": \"c1\", \"title\": \"Case\", \"state\": \"KZ\", \"subjects\": [\"keep\", "
    "\"other\"]}],"
    " \"events\": [{\"id\": \"e1\", \"type\": \"arrest\", \"date\": \"2020-01-05\", \"persons\": "
    "[\"other\"], \"official\": \"other\"}],"
    " \"actions\": [{\"id\": \"a1\", \"case\": \"c1\", \"kind\": \"appeal\", \"targets\": "
    "[\"other\"]}]}";

static void merge_keeps_text(void **state)
{
    struct store *s = *state;
    import_text(s, merge_bundle);
    assert_texts_fresh(s);
    struct principal who = auth_local_principal();
    struct err e = ERR_INIT;
    assert_int_equal(service_person_merge(s, "keep", "other", &who, "test", &e), E_OK);
    assert_texts_fresh(s);
    struct arena a = ARENA_INIT;
    struct store_text t;
    assert_int_equal(store_get_json(s, OBJ_CASE, "c1", &a, &t, &e), E_OK);
    assert_non_null(t.json);
    assert_null(strstr(t.json, "other"));
    assert_int_equal(store_get_json(s, OBJ_EVENT, "e1", &a, &t, &e), E_OK);
    assert_non_null(t.json);
    assert_non_null(strstr(t.json, "\"official\":\"keep\""));
    arena_release(&a);
}

/* A test encoder that writes something else: its texts are stale for the
 * real one. */
static void wrong_encoder(enum obj_kind kind, const void *obj, struct buf *out)
{
    (void)kind;
    buf_addf(out, "{\"id\":\"%s\",\"old\":true}", *(const char *const *)obj);
}

static void finds_and_fixes_missing_and_stale(void **state)
{
    (void)state;
    char path[] = "/tmp/refuge-encoded-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    struct err e = ERR_INIT;
    struct store *s = NULL;

    /* Written without an encoder: no texts; reads still work. */
    store_set_encoder(NULL);
    assert_int_equal(store_open(path, 0, &s, &e), E_OK);
    import_example(s);
    struct store_json_stats st;
    assert_int_equal(store_json_check(s, false, &st, &e), E_INTERNAL);
    struct arena a = ARENA_INIT;
    struct store_filter f = {.limit = 5};
    struct store_text *items;
    size_t n;
    bool more;
    assert_int_equal(store_list_json(s, OBJ_PERSON, &f, &a, &items, &n, &more, &e), E_OK);
    assert_true(n > 0);
    assert_null(items[0].json);
    store_close(s);

    /* Reopened with the encoder: every text is missing, none stale; a fix
     * stores them all. */
    store_set_encoder(bundle_encode_object);
    assert_int_equal(store_open(path, 0, &s, &e), E_OK);
    assert_int_equal(store_json_check(s, false, &st, &e), E_OK);
    assert_true(st.objects > 10);
    assert_int_equal(st.missing, st.objects);
    assert_int_equal(st.stale, 0);
    assert_int_equal(store_begin(s, &e), E_OK);
    assert_int_equal(store_json_check(s, true, &st, &e), E_OK);
    assert_int_equal(store_commit(s, &e), E_OK);
    assert_int_equal(st.fixed, st.objects);
    size_t total = assert_texts_fresh(s);

    /* Texts written by another encoder are stale, and named. */
    store_set_encoder(wrong_encoder);
    import_text(s, "{\"format\": \"refuge-bundle/1\", \"risks\": [{\"id\": \"r-wrong\", "
                   "\"country\": \"CN\"}]}");
    store_set_encoder(bundle_encode_object);
    assert_int_equal(store_json_check(s, false, &st, &e), E_OK);
    assert_int_equal(st.objects, (int64_t)total + 1);
    assert_int_equal(st.stale, 1);
    assert_int_equal(st.n_examples, 1);
    assert_int_equal(st.examples[0].kind, OBJ_RISK);
    assert_string_equal(st.examples[0].id, "r-wrong");
    assert_int_equal(store_begin(s, &e), E_OK);
    assert_int_equal(store_json_check(s, true, &st, &e), E_OK);
    assert_int_equal(store_commit(s, &e), E_OK);
    assert_int_equal(st.fixed, 1);
    assert_texts_fresh(s);
    arena_release(&a);
    store_close(s);
    unlink(path);
    char side[sizeof path + 8];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

/* Pages of stored texts are the pages of store_list(), with cursors and
 * the case filters. */
static void pages_match_store_list(void **state)
{
    struct store *s = *state;
    import_example(s);
    import_text(s, merge_bundle);
    const struct store_filter filters[] = {
        {.limit = 1},
        {.limit = 2},
        {.limit = 1000},
        {.limit = 1, .status = "open"},
        {.limit = 2, .state = "KZ"},
        {.limit = 1, .tag = "xuar"},
        {.limit = 3, .assigned_to = -1},
    };
    for (int k = 0; k < OBJ_KIND_COUNT; k++) {
        for (size_t i = 0; i < ARRAY_LEN(filters); i++) {
            struct store_filter f = filters[i];
            struct arena a = ARENA_INIT;
            size_t pages = 0;
            for (;;) {
                struct strs ids;
                bool more_ids;
                struct store_text *items;
                size_t n;
                bool more;
                struct err e = ERR_INIT;
                assert_int_equal(store_list(s, (enum obj_kind)k, &f, &a, &ids, &more_ids, &e),
                                 E_OK);
                assert_int_equal(
                    store_list_json(s, (enum obj_kind)k, &f, &a, &items, &n, &more, &e), E_OK);
                assert_int_equal(n, ids.n_items);
                assert_int_equal(more, more_ids);
                for (size_t j = 0; j < n; j++) {
                    assert_string_equal(items[j].id, ids.items[j]);
                }
                pages++;
                if (!more) {
                    break;
                }
                f.after = items[n - 1].id;
            }
            assert_true(pages >= 1);
            arena_release(&a);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(import_stores_text, setup, teardown),
        cmocka_unit_test_setup_teardown(api_writes_keep_text, setup, teardown),
        cmocka_unit_test_setup_teardown(merge_keeps_text, setup, teardown),
        cmocka_unit_test(finds_and_fixes_missing_and_stale),
        cmocka_unit_test_setup_teardown(pages_match_store_list, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
