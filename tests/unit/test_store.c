/*
 * test_store.c: the case store: migrations, writing only real changes,
 * reading back every field and list, ordered iteration, and refusing files
 * that are not refuge databases.
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

#include "store/scan.h"
#include "store/store.h"
#include "store_fixture.h"

static int setup(void **state)
{
    return fixture_store_setup(state);
}

static int teardown(void **state)
{
    return fixture_store_teardown(state);
}

static const char *ids_a[] = {"p1", "p2"};

static struct event sample_event(void)
{
    struct event ev = {0};
    ev.id = "e1";
    ev.type = EV_BORDER_CROSSING;
    const char *why;
    assert_true(date_parse("2019-10-06", &ev.date, &why));
    ev.from_country = "CN";
    ev.to_country = "KZ";
    ev.irregular = TRI_TRUE;
    ev.presented_to_authorities = TRI_FALSE;
    ev.has_place = true;
    ev.place.country = "KZ";
    ev.place.region = "KZ-VOS";
    ev.persons.items = ids_a;
    ev.persons.n_items = 2;
    ev.description = "Crossed.";
    ev.extra = "{\"x\":1}";
    return ev;
}

static void put_person(struct store *s, const char *id)
{
    struct person_name nm = {.full = "Name", .script = "Latn", .kind = "primary"};
    struct person p = {.id = id, .names = &nm, .n_names = 1};
    enum store_put_result r;
    struct err e = ERR_INIT;
    assert_int_equal(store_put(s, OBJ_PERSON, &p, &r, &e), E_OK);
}

static void writes_only_changes(void **state)
{
    struct store *s = *state;
    struct err e = ERR_INIT;
    enum store_put_result r;
    assert_int_equal(store_begin(s, &e), E_OK);
    put_person(s, "p1");
    put_person(s, "p2");
    struct event ev = sample_event();
    assert_int_equal(store_put(s, OBJ_EVENT, &ev, &r, &e), E_OK);
    assert_int_equal(r, STORE_INSERTED);
    assert_int_equal(store_put(s, OBJ_EVENT, &ev, &r, &e), E_OK);
    assert_int_equal(r, STORE_UNCHANGED);
    assert_int_equal(store_version(s, OBJ_EVENT, "e1"), 1);
    ev.irregular = TRI_UNKNOWN;
    assert_int_equal(store_put(s, OBJ_EVENT, &ev, &r, &e), E_OK);
    assert_int_equal(r, STORE_UPDATED);
    assert_int_equal(store_version(s, OBJ_EVENT, "e1"), 2);
    ev.persons.n_items = 1; /* a list change is a change */
    assert_int_equal(store_put(s, OBJ_EVENT, &ev, &r, &e), E_OK);
    assert_int_equal(r, STORE_UPDATED);
    assert_int_equal(store_commit(s, &e), E_OK);
}

static void reads_back_every_field(void **state)
{
    struct store *s = *state;
    struct err e = ERR_INIT;
    enum store_put_result r;
    assert_int_equal(store_begin(s, &e), E_OK);
    put_person(s, "p1");
    put_person(s, "p2");
    struct event ev = sample_event();
    assert_int_equal(store_put(s, OBJ_EVENT, &ev, &r, &e), E_OK);
    assert_int_equal(store_commit(s, &e), E_OK);

    struct arena a = ARENA_INIT;
    struct event got;
    assert_int_equal(store_get(s, OBJ_EVENT, "e1", &a, &got, &e), E_OK);
    assert_int_equal(got.type, EV_BORDER_CROSSING);
    assert_int_equal(got.date.prec, DATE_DAY);
    assert_int_equal(got.date.day, 6);
    assert_string_equal(got.from_country, "CN");
    assert_int_equal(got.irregular, TRI_TRUE);
    assert_int_equal(got.presented_to_authorities, TRI_FALSE);
    assert_int_equal(got.final, TRI_UNKNOWN);
    assert_true(got.has_place);
    assert_string_equal(got.place.region, "KZ-VOS");
    assert_int_equal(got.persons.n_items, 2);
    assert_string_equal(got.persons.items[1], "p2");
    assert_string_equal(got.extra, "{\"x\":1}");
    assert_null(got.by);
    assert_int_equal(store_get(s, OBJ_EVENT, "nope", &a, &got, &e), E_NOT_FOUND);
    arena_release(&a);
}

static enum app_err collect(void *ctx, const void *obj)
{
    const struct person *p = obj;
    char *seen = ctx;
    size_t n = strlen(seen);
    snprintf(seen + n, 64 - n, "%s%s", p->id, p->n_names == 1 ? "," : "?");
    return E_OK;
}

static void iterates_in_id_order(void **state)
{
    struct store *s = *state;
    struct err e = ERR_INIT;
    assert_int_equal(store_begin(s, &e), E_OK);
    put_person(s, "b");
    put_person(s, "c");
    put_person(s, "a");
    assert_int_equal(store_commit(s, &e), E_OK);
    char seen[64] = "";
    assert_int_equal(store_each(s, OBJ_PERSON, collect, seen, &e), E_OK);
    assert_string_equal(seen, "a,b,c,");
    assert_int_equal(store_count(s, OBJ_PERSON), 3);
}

/* A page with gaps (ids left out between its first and last) and an
 * unsorted list read the same objects, each with its own names only. */
static void reads_pages_with_gaps(void **state)
{
    struct store *s = *state;
    struct err e = ERR_INIT;
    enum store_put_result r;
    assert_int_equal(store_begin(s, &e), E_OK);
    static const char *const all[] = {"a", "b", "c", "d", "e", "f"};
    for (size_t i = 0; i < 6; i++) {
        struct person_name nm[2] = {{.full = all[i], .script = "Latn", .kind = "primary"},
                                    {.full = "Other", .script = "Latn", .kind = "alias"}};
        struct person p = {.id = all[i], .names = nm, .n_names = 1 + i % 2};
        assert_int_equal(store_put(s, OBJ_PERSON, &p, &r, &e), E_OK);
    }
    assert_int_equal(store_commit(s, &e), E_OK);
    const char *page[] = {"b", "d", "e"};
    const char *unsorted[] = {"e", "b", "d"};
    for (int way = 0; way < 3; way++) {
        struct arena a = ARENA_INIT;
        struct strs ids = {way == 2 ? unsorted : page, 3};
        struct person *got;
        size_t n;
        enum app_err rc = way == 0 ? store_get_many(s, OBJ_PERSON, &ids, &a, (void **)&got, &n, &e)
                                   : store_get_page(s, OBJ_PERSON, &ids, &a, (void **)&got, &n, &e);
        assert_int_equal(rc, E_OK);
        assert_int_equal(n, 3);
        for (size_t i = 0; i < n; i++) {
            assert_string_equal(got[i].id, page[i]);
            assert_string_equal(got[i].names[0].full, page[i]);
        }
        assert_int_equal(got[0].n_names, 2); /* b */
        assert_int_equal(got[1].n_names, 2); /* d */
        assert_int_equal(got[2].n_names, 1); /* e */
        arena_release(&a);
    }
}

static void rollback_leaves_nothing(void **state)
{
    struct store *s = *state;
    struct err e = ERR_INIT;
    assert_int_equal(store_begin(s, &e), E_OK);
    put_person(s, "x");
    store_rollback(s);
    assert_false(store_exists(s, OBJ_PERSON, "x"));
}

static void refuses_foreign_files(void **state)
{
    (void)state;
    char path[] = "/tmp/refuge-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_true(
        write(
            fd,
            "not a database at all, just text..............................................................................................",
            120) == 120);
    close(fd);
    struct store *s = NULL;
    struct err e = ERR_INIT;
    assert_int_not_equal(store_open(path, 0, &s, &e), E_OK);
    assert_null(s);
    unlink(path);
    assert_int_equal(store_open("/nonexistent-dir/x.db", STORE_MUST_EXIST, &s, &e), E_NOT_FOUND);
}

/* An encrypted store: written and read back with its key; refused with
 * another key, or opened as plaintext; no plaintext in the file; a backup
 * opens with the same key; the checks pass. */
static void encrypted_round_trip(void **state)
{
    (void)state;
    store_global_init();
    char dir[] = "/tmp/refuge-test-enc-XXXXXX";
    char path[128];
    char copy[128];
    assert_true(fixture_temp_path(dir, "s.db", path, sizeof path));
    snprintf(copy, sizeof copy, "%s/copy.db", dir);
    struct store_secret *key = store_secret_new();
    struct store_secret *other = store_secret_new();
    assert_non_null(key);
    assert_non_null(other);
    memset(key->dek, 7, sizeof key->dek);
    memset(key->file_id, 1, sizeof key->file_id);
    memset(other->dek, 8, sizeof other->dek);
    memcpy(other->file_id, key->file_id, sizeof other->file_id);

    struct store *s = NULL;
    struct err e = ERR_INIT;
    assert_int_equal(store_open_key(path, 0, key, &s, &e), E_OK);
    assert_true(store_encrypted(s));
    assert_int_equal(store_begin(s, &e), E_OK);
    put_person(s, "zhanargul-serikbayeva");
    assert_int_equal(store_commit(s, &e), E_OK);
    assert_int_equal(store_verify(s, true, &e), E_OK);
    assert_int_equal(store_backup(s, copy, key, &e), E_OK);
    store_close(s);

    /* no plaintext: neither the SQLite header nor the id */
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char data[1 << 20];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    assert_true(n > 4096);
    for (size_t i = 0; i + 10 < n; i++) {
        assert_false(memcmp(data + i, "zhanargul-", 10) == 0);
        assert_false(memcmp(data + i, "SQLite format 3", 15) == 0);
    }

    s = NULL;
    assert_int_equal(store_open_key(path, STORE_MUST_EXIST, other, &s, &e), E_STORAGE);
    assert_null(s);
    assert_non_null(strstr(e.msg, "authentication"));
    assert_int_equal(store_open(path, STORE_MUST_EXIST, &s, &e), E_STORAGE);
    assert_non_null(strstr(e.msg, "keyring"));
    struct store_crypt_stats st;
    store_crypt_stats(&st);
    assert_true(st.mac_fail_db > 0);

    const char *copies[] = {path, copy};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(store_open_key(copies[i], STORE_MUST_EXIST, key, &s, &e), E_OK);
        assert_true(store_exists(s, OBJ_PERSON, "zhanargul-serikbayeva"));
        assert_int_equal(store_verify(s, false, &e), E_OK);
        store_close(s);
    }
    store_secret_free(key);
    store_secret_free(other);
    fixture_remove_store(path);
    fixture_remove_store(copy);
    rmdir(dir);
}

/* Group commit: requests in savepoints of one transaction. What a request
 * commits waits for the group's COMMIT; what it rolls back, or everything
 * when it is left undone or leaves a transaction open, is gone; another
 * connection sees nothing before the COMMIT and all of it after. */
static void group_commit_keeps_each_request_apart(void **state)
{
    (void)state;
    char dir[] = "/tmp/refuge-test-group-XXXXXX";
    char path[128];
    assert_true(fixture_temp_path(dir, "g.db", path, sizeof path));
    struct store *s = NULL;
    struct store *other = NULL;
    struct err e = ERR_INIT;
    assert_int_equal(store_open(path, 0, &s, &e), E_OK);
    assert_int_equal(store_open(path, STORE_MUST_EXIST, &other, &e), E_OK);

    assert_int_equal(store_group_begin(s, &e), E_OK);
    assert_true(store_in_group(s));
    assert_int_equal(store_group_begin(s, &e), E_INTERNAL); /* one at a time */
    /* 1: commits its own transaction (nested, as import and audit do) */
    assert_int_equal(store_group_enter(s, &e), E_OK);
    assert_int_equal(store_begin(s, &e), E_OK);
    put_person(s, "kept");
    assert_int_equal(store_begin(s, &e), E_OK);
    put_person(s, "kept-inner");
    assert_int_equal(store_commit(s, &e), E_OK);
    assert_int_equal(store_commit(s, &e), E_OK);
    assert_true(store_group_leave(s, true));
    /* 2: rolls its transaction back, after a write of its own outside it */
    assert_int_equal(store_group_enter(s, &e), E_OK);
    put_person(s, "outside");
    assert_int_equal(store_begin(s, &e), E_OK);
    put_person(s, "rolled-back");
    store_rollback(s);
    assert_true(store_exists(s, OBJ_PERSON, "kept")); /* request 1 is untouched */
    assert_true(store_group_leave(s, true));
    /* 3: commits, but the request failed (5xx): left undone */
    assert_int_equal(store_group_enter(s, &e), E_OK);
    assert_int_equal(store_begin(s, &e), E_OK);
    put_person(s, "failed");
    assert_int_equal(store_commit(s, &e), E_OK);
    assert_true(store_group_leave(s, false));
    /* 4: leaves a transaction open: undone */
    assert_int_equal(store_group_enter(s, &e), E_OK);
    assert_int_equal(store_begin(s, &e), E_OK);
    put_person(s, "left-open");
    assert_true(store_group_leave(s, true));
    /* the group sees its own work; the other connection nothing yet */
    assert_true(store_exists(s, OBJ_PERSON, "kept"));
    assert_false(store_exists(s, OBJ_PERSON, "failed"));
    assert_false(store_exists(other, OBJ_PERSON, "kept"));
    assert_int_equal(store_group_commit(s, &e), E_OK);
    assert_false(store_in_group(s));

    const char *present[] = {"kept", "kept-inner", "outside"};
    const char *absent[] = {"rolled-back", "failed", "left-open"};
    for (size_t i = 0; i < 3; i++) {
        assert_true(store_exists(other, OBJ_PERSON, present[i]));
        assert_false(store_exists(other, OBJ_PERSON, absent[i]));
    }
    /* after the group, transactions are plain ones again */
    assert_int_equal(store_begin(s, &e), E_OK);
    put_person(s, "after");
    store_rollback(s);
    assert_false(store_exists(s, OBJ_PERSON, "after"));
    /* a group rolled back keeps nothing */
    assert_int_equal(store_group_begin(s, &e), E_OK);
    assert_int_equal(store_group_enter(s, &e), E_OK);
    put_person(s, "abandoned");
    assert_true(store_group_leave(s, true));
    store_group_rollback(s);
    assert_false(store_in_group(s));
    assert_false(store_exists(other, OBJ_PERSON, "abandoned"));
    assert_int_equal(store_verify(other, true, &e), E_OK);

    store_close(s);
    store_close(other);
    fixture_remove_store(path);
    rmdir(dir);
}

/* What a check of every case reads of events (event_scan, kept by triggers
 * in step with every insert, update and delete; store_scan_events() unpacks
 * it): every column, with text that looks like the packing itself. */
struct scanned {
    int n;
    struct event ev;
    char offence[64], kind[64], to[64], place[8], outcome[32];
};

static enum app_err keep_event(void *ctx, const struct event *ev)
{
    struct scanned *sc = ctx;
    sc->n++;
    sc->ev = *ev;
    snprintf(sc->offence, sizeof sc->offence, "%s", ev->offence ? ev->offence : "(null)");
    snprintf(sc->kind, sizeof sc->kind, "%s", ev->kind ? ev->kind : "(null)");
    snprintf(sc->to, sizeof sc->to, "%s", ev->to ? ev->to : "(null)");
    snprintf(sc->place, sizeof sc->place, "%s", ev->place.country ? ev->place.country : "(null)");
    snprintf(sc->outcome, sizeof sc->outcome, "%s", ev->outcome ? ev->outcome : "(null)");
    sc->ev.id = NULL; /* the strings live only during the call */
    return E_OK;
}

static void event_scan_follows_writes(void **state)
{
    struct store *s = *state;
    struct err e = ERR_INIT;
    enum store_put_result r;
    struct event ev = {.id = "ev-1",
                       .type = EV_DETENTION,
                       .date = {.year = 2019, .month = 3, .day = 1, .prec = DATE_DAY},
                       .approx = true,
                       .has_place = true,
                       .place = {.country = "KZ"},
                       .kind = "pretrial",
                       .offence = "art. 330: 12:- crossing-",
                       .final = TRI_FALSE,
                       .presented_to_authorities = TRI_TRUE,
                       .to = "\xd0\xb0\xd0\xb4\xd0\xb2\xd0\xbe\xd0\xba\xd0\xb0\xd1\x82"};
    assert_int_equal(store_put(s, OBJ_EVENT, &ev, &r, &e), E_OK);
    struct scanned sc = {0};
    assert_int_equal(store_scan_events(s, keep_event, &sc, &e), E_OK);
    assert_int_equal(sc.n, 1);
    assert_int_equal(sc.ev.type, EV_DETENTION);
    assert_int_equal(sc.ev.date.year, 2019);
    assert_int_equal(sc.ev.date.day, 1);
    assert_true(sc.ev.approx);
    assert_int_equal(sc.ev.end_date.prec, DATE_NONE);
    assert_true(sc.ev.has_place);
    assert_string_equal(sc.place, "KZ");
    assert_string_equal(sc.kind, "pretrial");
    assert_string_equal(sc.offence, "art. 330: 12:- crossing-");
    assert_string_equal(sc.to, "\xd0\xb0\xd0\xb4\xd0\xb2\xd0\xbe\xd0\xba\xd0\xb0\xd1\x82");
    assert_string_equal(sc.outcome, "(null)");
    assert_int_equal(sc.ev.final, TRI_FALSE);
    assert_int_equal(sc.ev.presented_to_authorities, TRI_TRUE);
    assert_int_equal(sc.ev.provided, TRI_UNKNOWN);
    assert_int_equal(sc.ev.entry_related, TRI_UNKNOWN);

    /* an update is seen */
    ev.offence = "";
    ev.presented_to_authorities = TRI_FALSE;
    ev.approx = false;
    ev.date = (struct date){.year = 2020, .prec = DATE_YEAR};
    assert_int_equal(store_put(s, OBJ_EVENT, &ev, &r, &e), E_OK);
    sc = (struct scanned){0};
    assert_int_equal(store_scan_events(s, keep_event, &sc, &e), E_OK);
    assert_int_equal(sc.n, 1);
    assert_string_equal(sc.offence, "");
    assert_int_equal(sc.ev.presented_to_authorities, TRI_FALSE);
    assert_false(sc.ev.approx);
    assert_int_equal(sc.ev.date.prec, DATE_YEAR);
    assert_int_equal(sc.ev.date.year, 2020);

    /* and a delete */
    assert_int_equal(store_delete(s, OBJ_EVENT, "ev-1", &e), E_OK);
    sc = (struct scanned){0};
    assert_int_equal(store_scan_events(s, keep_event, &sc, &e), E_OK);
    assert_int_equal(sc.n, 0);
}

/* Two connections begun as a pair read one snapshot: a commit by a third
 * after they began is seen by neither until both end. */
static void read_pair_shares_a_snapshot(void **state)
{
    (void)state;
    char dir[] = "/tmp/refuge-test-pair-XXXXXX";
    char path[128];
    assert_true(fixture_temp_path(dir, "p.db", path, sizeof path));
    struct store *s = NULL;
    struct store *t = NULL;
    struct store *w = NULL;
    struct err e = ERR_INIT;
    assert_int_equal(store_open(path, 0, &w, &e), E_OK);
    assert_int_equal(store_begin(w, &e), E_OK);
    put_person(w, "early");
    assert_int_equal(store_commit(w, &e), E_OK);
    assert_int_equal(store_open(path, STORE_MUST_EXIST, &s, &e), E_OK);
    assert_int_equal(store_open(path, STORE_READONLY | STORE_MUST_EXIST, &t, &e), E_OK);

    assert_true(store_read_begin_pair(s, t));
    assert_int_equal(store_begin(w, &e), E_OK);
    put_person(w, "late");
    assert_int_equal(store_commit(w, &e), E_OK);
    assert_true(store_exists(s, OBJ_PERSON, "early"));
    assert_true(store_exists(t, OBJ_PERSON, "early"));
    assert_false(store_exists(s, OBJ_PERSON, "late"));
    assert_false(store_exists(t, OBJ_PERSON, "late"));
    assert_int_equal(store_count(s, OBJ_PERSON), 1);
    assert_int_equal(store_count(t, OBJ_PERSON), 1);
    store_read_end(t);
    store_read_end(s);
    assert_true(store_exists(s, OBJ_PERSON, "late"));
    assert_true(store_exists(t, OBJ_PERSON, "late"));
    /* begun again, they agree on the new state; the writer is not held up */
    assert_true(store_read_begin_pair(s, t));
    assert_int_equal(store_begin(w, &e), E_OK);
    put_person(w, "later");
    assert_int_equal(store_commit(w, &e), E_OK);
    assert_int_equal(store_count(s, OBJ_PERSON), 2);
    assert_int_equal(store_count(t, OBJ_PERSON), 2);
    store_read_end(t);
    store_read_end(s);
    assert_int_equal(store_count(t, OBJ_PERSON), 3);

    store_close(s);
    store_close(t);
    store_close(w);
    fixture_remove_store(path);
    rmdir(dir);
}

static void schema_is_current(void **state)
{
    struct store *s = *state;
    assert_true(store_schema_version(s) >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(writes_only_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(reads_back_every_field, setup, teardown),
        cmocka_unit_test_setup_teardown(iterates_in_id_order, setup, teardown),
        cmocka_unit_test_setup_teardown(reads_pages_with_gaps, setup, teardown),
        cmocka_unit_test_setup_teardown(rollback_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(schema_is_current, setup, teardown),
        cmocka_unit_test(refuses_foreign_files),
        cmocka_unit_test(encrypted_round_trip),
        cmocka_unit_test(group_commit_keeps_each_request_apart),
        cmocka_unit_test(read_pair_shares_a_snapshot),
        cmocka_unit_test_setup_teardown(event_scan_follows_writes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
