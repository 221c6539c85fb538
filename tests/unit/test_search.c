/*
 * test_search.c: search through the service layer on an in-memory store:
 * every variant of the development name set finds its person first; name
 * keys follow updates, deletes and merges; the full-text index folds
 * diacritics, splits Chinese into words, and answers phrase and prefix
 * queries with filters; duplicates are found with reasons; imports note
 * probable duplicates.
 */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
/* clang-format on */

#include "bundle/bundle.h"
#include "core/buf.h"
#include "service/auth.h"
#include "service/search.h"
#include "service/service.h"
#include "store/search.h"
#include "store_fixture.h"

static int setup(void **state)
{
    return fixture_store_setup(state);
}

static int teardown(void **state)
{
    return fixture_store_teardown(state);
}

/* Imports bundle text; returns the notes' count, failing the test on error. */
static size_t import_text(struct store *s, const char *json, struct diags *notes_out)
{
    FILE *in = fmemopen((void *)(uintptr_t)json, strlen(json), "r");
    assert_non_null(in);
    struct import_report rep;
    struct diags problems = DIAGS_INIT;
    struct diags notes = DIAGS_INIT;
    struct err e = ERR_INIT;
    enum app_err rc = service_import(s, in, &rep, &problems, &notes, &e);
    fclose(in);
    if (rc != E_OK) {
        for (size_t i = 0; i < problems.n_items; i++) {
            print_message("%s: %s\n", problems.items[i].where, problems.items[i].msg);
        }
        fail_msg("import failed: %s", e.msg);
    }
    size_t n = notes.total;
    if (notes_out) {
        *notes_out = notes;
    } else {
        diags_release(&notes);
    }
    diags_release(&problems);
    return n;
}

static void json_escaped(struct buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') {
            buf_addch(b, '\\');
        }
        buf_addch(b, *s);
    }
}

/* The id of the best person for a query, or "" when none. */
static const char *top_person(struct store *s, const char *query, struct arena *a, double *score,
                              const char **why)
{
    struct search_hit *h = NULL;
    size_t n = 0;
    struct err e = ERR_INIT;
    assert_int_equal(service_search_persons(s, query, 10, 0, NULL, a, &h, &n, &e), E_OK);
    if (score) {
        *score = n ? h[0].score : 0;
    }
    if (why) {
        *why = n ? h[0].why : "";
    }
    return n ? h[0].id : "";
}

/* ---- the development set ------------------------------------------------ */

struct variant {
    char group[16];
    char name[160];
    bool first;
};

static void names_dev(void **state)
{
    struct store *s = *state;
    const char *shared = getenv("REFUGE_SHARED");
    if (!shared) {
        print_message("REFUGE_SHARED is not set: skipping the development name set\n");
        skip();
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/data/names-dev.tsv", shared);
    FILE *f = fopen(path, "r");
    if (!f) {
        print_message("%s not found: skipping\n", path);
        skip();
    }
    struct variant *v = NULL;
    size_t n = 0;
    char line[512];
    char last[16] = "";
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n') {
            continue;
        }
        char *tab1 = strchr(line, '\t');
        char *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        if (!tab1 || !tab2) {
            continue;
        }
        v = realloc(v, (n + 1) * sizeof *v);
        assert_non_null(v);
        snprintf(v[n].group, sizeof v[n].group, "%.*s", (int)(tab1 - line), line);
        snprintf(v[n].name, sizeof v[n].name, "%.*s", (int)(tab2 - tab1 - 1), tab1 + 1);
        v[n].first = strcmp(v[n].group, last) != 0;
        snprintf(last, sizeof last, "%s", v[n].group);
        n++;
    }
    fclose(f);
    assert_true(n > 10);

    /* The registered forms, plus people with similar but different names. */
    struct buf b = BUF_INIT;
    buf_adds(&b, "{\"format\": \"refuge-bundle/1\", \"persons\": [");
    static const char *const others[] = {
        "Gulnara Zhumabaeva", "Ermek Sadykov",    "Мурат Нурланов", "Ablimit Tohti",
        "Yermek Nurgaliev",   "Айгүл Нұрланқызы", "Memet Tursun",   "Abdurahman Ismail",
    };
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].first) {
            buf_addf(&b, "%s{\"id\": \"%s\", \"names\": [{\"full\": \"", count++ ? "," : "",
                     v[i].group);
            json_escaped(&b, v[i].name);
            buf_adds(&b, "\"}]}");
        }
    }
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        buf_addf(&b, ",{\"id\": \"other-%zu\", \"names\": [{\"full\": \"%s\"}]}", i, others[i]);
    }
    buf_adds(&b, "]}");
    import_text(s, b.data, NULL);
    buf_release(&b);

    size_t failures = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].first) {
            continue;
        }
        struct arena a = ARENA_INIT;
        double score;
        const char *why;
        const char *got = top_person(s, v[i].name, &a, &score, &why);
        if (strcmp(got, v[i].group) != 0) {
            print_message("%s: \"%s\" found \"%s\" first (%.2f: %s)\n", v[i].group, v[i].name, got,
                          score, why);
            failures++;
        }
        arena_release(&a);
    }
    free(v);
    assert_int_equal(failures, 0);
}

/* ---- keys follow writes ---------------------------------------------------- */

static void put_json(struct store *s, enum obj_kind kind, const char *json)
{
    struct arena a = ARENA_INIT;
    struct bundle_obj o;
    struct diags d = DIAGS_INIT;
    struct err e = ERR_INIT;
    assert_int_equal(bundle_decode_text(kind, json, strlen(json), &a, &o, &d), E_OK);
    int64_t version = 0;
    assert_int_equal(service_put_object(s, &o, VERSION_ANY, &version, &d, &e), E_OK);
    diags_release(&d);
    arena_release(&a);
}

static void keys_follow_writes(void **state)
{
    struct store *s = *state;
    struct arena a = ARENA_INIT;
    put_json(s, OBJ_PERSON, "{\"id\": \"p1\", \"names\": [{\"full\": \"Ермек Нұрланұлы\"}]}");
    put_json(s, OBJ_PERSON, "{\"id\": \"p2\", \"names\": [{\"full\": \"Gulnar Zhumabekova\"}]}");
    assert_string_equal(top_person(s, "Yermek Nurlanuly", &a, NULL, NULL), "p1");
    assert_int_equal(store_code_count(s, "#"), 2);

    /* Renamed: the old name no longer finds p1, the new one does. */
    put_json(
        s, OBJ_PERSON,
        "{\"id\": \"p1\", \"names\": [{\"full\": \"Abdurehim Heyit\"}, {\"full\": \"Абдурехим Хейит\"}]}");
    assert_string_equal(top_person(s, "Yermek Nurlanuly", &a, NULL, NULL), "");
    assert_string_equal(top_person(s, "ئابدۇرېھىم ھېيت", &a, NULL, NULL), "p1");
    assert_int_equal(store_code_count(s, "#"), 3);
    assert_int_equal(store_code_count(s, "t:yermek"), 0);

    /* Deleted: gone from the index, codes and counts included. */
    struct err e = ERR_INIT;
    int64_t version;
    assert_int_equal(service_delete_object(s, OBJ_PERSON, "p1", VERSION_ANY, &version, &e), E_OK);
    assert_string_equal(top_person(s, "Abdurehim Heyit", &a, NULL, NULL), "");
    assert_int_equal(store_code_count(s, "#"), 1);
    assert_int_equal(store_code_count(s, "t:heiit") + store_code_count(s, "t:heyit"), 0);

    /* A rebuild gives the same answers. */
    size_t persons = 0;
    assert_int_equal(service_reindex(s, &persons, NULL, &e), E_OK);
    assert_int_equal(persons, 1);
    assert_string_equal(top_person(s, "Гүлнар Жұмабекова", &a, NULL, NULL), "p2");
    arena_release(&a);
}

/* The codes of one stored key ("t:" + each token of each reading), parsed
 * from its serialized readings (one line per reading after the script:
 * "label\tabjad\ttext\ttok,skel,affix tok,skel,affix"). */
struct code_probe {
    char codes[4096][32];
    int64_t counts[4096];
    size_t n;
};

static bool probe_key(void *ctx, const struct store_key *k)
{
    struct code_probe *p = ctx;
    const char *line = strchr(k->key, '\n');
    while (line) {
        line++;
        const char *tab = line;
        for (int f = 0; f < 3 && tab; f++) {
            tab = strchr(tab, '\t');
            tab = tab ? tab + 1 : NULL;
        }
        const char *end = strchr(line, '\n');
        for (const char *t = tab; t && *t && (!end || t < end);) {
            size_t len = strcspn(t, ", \n");
            char code[32];
            snprintf(code, sizeof code, "t:%.*s", (int)len, t);
            bool seen = false;
            for (size_t i = 0; i < p->n && !seen; i++) {
                seen = strcmp(p->codes[i], code) == 0;
            }
            if (!seen && p->n < 4096) {
                snprintf(p->codes[p->n++], sizeof p->codes[0], "%s", code);
            }
            t += strcspn(t, " \n");
            if (*t == ' ') {
                t++;
            } else {
                break;
            }
        }
        line = end;
    }
    return true;
}

/* A rebuild (bulk: triggers dropped, code index written in one pass) leaves
 * the code index and counts as the row-by-row triggers left them, and the
 * triggers work again afterwards. More persons than one bulk statement
 * holds, with several names each, updated and deleted first. */
static void rebuild_matches_incremental(void **state)
{
    struct store *s = *state;
    struct arena a = ARENA_INIT;
    static const char *const given[] = {"Ермек", "Gulnar", "Абдурехим", "Wang Xiaoming",
                                        "خالد",  "Olga",   "Memet",     "Асель"};
    static const char *const sur[] = {"Нұрланұлы", "Zhumabekova", "Хейит",  "Petrova",
                                      "الحسن",     "Smirnova",    "Tursun", "Беккызы",
                                      "Imin",      "Akhmetov",    "Ivanov"};
    char json[512];
    for (int i = 0; i < 300; i++) {
        const char *g = given[i % 8];
        const char *sn = sur[(i / 8) % 11];
        if (i % 3 == 0) {
            snprintf(json, sizeof json,
                     "{\"id\": \"p%d\", \"names\": [{\"full\": \"%s %s\"}, {\"full\": \"%s %s\"}]}",
                     i, g, sn, sn, given[(i + 1) % 8]);
        } else {
            snprintf(json, sizeof json, "{\"id\": \"p%d\", \"names\": [{\"full\": \"%s %s\"}]}", i,
                     g, sn);
        }
        put_json(s, OBJ_PERSON, json);
    }
    /* Renames and deletes leave their traces in the counts. */
    put_json(s, OBJ_PERSON, "{\"id\": \"p7\", \"names\": [{\"full\": \"Dinara Akhmetova\"}]}");
    struct err e = ERR_INIT;
    int64_t version;
    assert_int_equal(service_delete_object(s, OBJ_PERSON, "p8", VERSION_ANY, &version, &e), E_OK);

    struct code_probe *before = calloc(1, sizeof *before);
    struct code_probe *after = calloc(1, sizeof *after);
    assert_non_null(before);
    assert_non_null(after);
    assert_int_equal(store_keys_each(s, probe_key, before, &e), E_OK);
    assert_true(before->n > 20);
    for (size_t i = 0; i < before->n; i++) {
        before->counts[i] = store_code_count(s, before->codes[i]);
        assert_true(before->counts[i] > 0);
    }
    int64_t keys_before = store_code_count(s, "#");
    const char *top_before = arena_strdup(&a, top_person(s, "Gulnar Zhumabekova", &a, NULL, NULL));

    size_t persons = 0;
    assert_int_equal(service_reindex(s, &persons, NULL, &e), E_OK);
    assert_int_equal(persons, 299);
    assert_int_equal(store_code_count(s, "#"), keys_before);
    assert_int_equal(keys_before, 299 + 100);
    assert_int_equal(store_keys_each(s, probe_key, after, &e), E_OK);
    assert_int_equal(after->n, before->n);
    for (size_t i = 0; i < before->n; i++) {
        assert_int_equal(store_code_count(s, before->codes[i]), before->counts[i]);
    }
    assert_string_equal(top_person(s, "Gulnar Zhumabekova", &a, NULL, NULL), top_before);

    /* The triggers are back: a new person is counted and found. */
    put_json(s, OBJ_PERSON, "{\"id\": \"new\", \"names\": [{\"full\": \"Zeynep Qaraqyzy\"}]}");
    assert_int_equal(store_code_count(s, "#"), keys_before + 1);
    assert_string_equal(top_person(s, "Зейнеп Қарақызы", &a, NULL, NULL), "new");
    assert_int_equal(service_delete_object(s, OBJ_PERSON, "new", VERSION_ANY, &version, &e), E_OK);
    assert_int_equal(store_code_count(s, "#"), keys_before);
    free(before);
    free(after);
    arena_release(&a);
}

/* ---- merge ------------------------------------------------------------------- */

static const char merge_bundle[] =
    "{\"format\": \"refuge-bundle/1\","
    " \"sources\": [{\"id\": \"s1\", \"title\": \"Report\"}, {\"id\": \"s2\", \"title\": \"News\"}],"
    " \"organizations\": [{\"id\": \"o1\", \"name\": \"Court\"}],"
    " \"persons\": ["
    "  {\"id\": \"keep\", \"names\": [{\"full\": \"Gulnar Zhumabekova\", \"script\": \"Latn\"}],"
    "   \"birth_date\": \"1985-03-02\", \"sex\": \"female\", \"nationality\": [\"KZ\"], \"sources\": [\"s1\"]},"
    "  {\"id\": \"other\", \"names\": [{\"full\": \"Гүлнар Жұмабекова\", \"script\": \"Cyrl\"}],"
    "   \"birth_date\": \"1985-03-02\", \"sex\": \"female\", \"sources\": [\"s2\"],"
    "   \"positions\": [{\"organization\": \"o1\", \"title\": \"clerk\"}]},"
    "  {\"id\": \"judge\", \"names\": [{\"full\": \"Marat Kozhakhmetov\"}]}],"
    " \"cases\": [{\"id\": \"c1\", \"title\": \"Case\", \"state\": \"KZ\", \"subjects\": [\"keep\", \"other\"]}],"
    " \"events\": ["
    "  {\"id\": \"e1\", \"type\": \"arrest\", \"date\": \"2020-01-05\", \"persons\": [\"other\"], \"official\": \"judge\"},"
    "  {\"id\": \"e2\", \"type\": \"detention\", \"date\": \"2020-01-06\", \"persons\": [\"keep\", \"other\"]}],"
    " \"actions\": [{\"id\": \"a1\", \"case\": \"c1\", \"kind\": \"appeal\", \"targets\": [\"other\"]}]}";

static enum app_err find_merge(void *ctx, const struct audit_entry *en)
{
    if (en->action && strcmp(en->action, "person.merge") == 0) {
        *(bool *)ctx = true;
    }
    return E_OK;
}

/* service_dedup's pairs collected into an array in arena a (stop: how many
 * to take before asking it to stop; 0: all). */
struct dedup_list {
    struct arena *a;
    struct dedup_pair *pairs;
    size_t n, alloc, stop;
};

static bool collect_pair(void *ctx, const struct dedup_pair *p)
{
    struct dedup_list *l = ctx;
    if (l->n == l->alloc) {
        l->alloc = l->alloc ? l->alloc * 2 : 16;
        struct dedup_pair *grown = arena_alloc(l->a, l->alloc * sizeof *grown);
        if (l->n) {
            memcpy(grown, l->pairs, l->n * sizeof *grown);
        }
        l->pairs = grown;
    }
    l->pairs[l->n++] = (struct dedup_pair){.a = arena_strdup(l->a, p->a),
                                           .b = arena_strdup(l->a, p->b),
                                           .name_a = arena_strdup(l->a, p->name_a),
                                           .name_b = arena_strdup(l->a, p->name_b),
                                           .score = p->score,
                                           .reasons = arena_strdup(l->a, p->reasons)};
    return l->n != l->stop;
}

static enum app_err dedup_all(struct store *s, double threshold, struct arena *a,
                              struct dedup_pair **out, size_t *n, struct err *e)
{
    struct dedup_list l = {.a = a};
    enum app_err rc = service_dedup(s, threshold, collect_pair, &l, e);
    *out = l.pairs;
    *n = l.n;
    return rc;
}

static void merge_moves_everything(void **state)
{
    struct store *s = *state;
    struct diags notes = DIAGS_INIT;
    assert_true(import_text(s, merge_bundle, &notes) >= 1);
    bool noted = false;
    for (size_t i = 0; i < notes.n_items; i++) {
        noted = noted || strstr(notes.items[i].msg, "probably the same person") != NULL;
    }
    diags_release(&notes);
    assert_true(noted);

    struct arena a = ARENA_INIT;
    struct err e = ERR_INIT;
    struct dedup_pair *pairs = NULL;
    size_t n = 0;
    assert_int_equal(dedup_all(s, 0.85, &a, &pairs, &n, &e), E_OK);
    assert_true(n >= 1);
    assert_string_equal(pairs[0].a, "keep");
    assert_string_equal(pairs[0].b, "other");
    assert_non_null(strstr(pairs[0].reasons, "same birth date 1985-03-02"));
    assert_non_null(strstr(pairs[0].reasons, "shared event"));

    struct principal who = auth_local_principal();
    assert_int_equal(service_person_merge(s, "keep", "other", &who, "test", &e), E_OK);
    assert_false(store_exists(s, OBJ_PERSON, "other"));
    struct person p;
    assert_int_equal(store_get(s, OBJ_PERSON, "keep", &a, &p, &e), E_OK);
    assert_int_equal(p.n_names, 2);
    assert_int_equal(p.sources.n_items, 2);
    assert_int_equal(p.n_positions, 1);
    struct event ev;
    assert_int_equal(store_get(s, OBJ_EVENT, "e1", &a, &ev, &e), E_OK);
    assert_string_equal(ev.persons.items[0], "keep");
    assert_int_equal(store_get(s, OBJ_EVENT, "e2", &a, &ev, &e), E_OK);
    assert_int_equal(ev.persons.n_items, 1);
    struct case_ c;
    assert_int_equal(store_get(s, OBJ_CASE, "c1", &a, &c, &e), E_OK);
    assert_int_equal(c.subjects.n_items, 1);
    assert_string_equal(c.subjects.items[0], "keep");
    struct action ac;
    assert_int_equal(store_get(s, OBJ_ACTION, "a1", &a, &ac, &e), E_OK);
    assert_string_equal(ac.targets.items[0], "keep");
    /* Keys: both names now find keep; nothing finds other. */
    assert_string_equal(top_person(s, "Гульнар Жумабекова", &a, NULL, NULL), "keep");
    assert_int_equal(store_code_count(s, "#"), 3);
    bool audited = false;
    struct audit_filter f = {0};
    assert_int_equal(audit_each(s, &who, &f, find_merge, &audited, &e), E_OK);
    assert_true(audited);
    assert_int_equal(service_person_merge(s, "keep", "other", &who, "test", &e), E_NOT_FOUND);
    arena_release(&a);
}

/* ---- full text --------------------------------------------------------------- */

static const char text_bundle[] =
    "{\"format\": \"refuge-bundle/1\","
    " \"sources\": [{\"id\": \"s-zh\", \"title\": \"新闻报道\", \"date\": \"2021-02\"}],"
    " \"persons\": [{\"id\": \"p1\", \"names\": [{\"full\": \"Ерлан Сейтов\"}]},"
    "  {\"id\": \"p2\", \"names\": [{\"full\": \"Li Wei\"}]}],"
    " \"cases\": [{\"id\": \"c-ru\", \"title\": \"Задержание в Алматы\", \"state\": \"KZ\","
    "   \"subjects\": [\"p1\"], \"opened\": \"2020-03-01\","
    "   \"summary\": \"Ёрлан был задержан сотрудниками полиции; ему грозит экстрадиция.\"},"
    "  {\"id\": \"c-zh\", \"title\": \"Li Wei\", \"state\": \"TR\", \"subjects\": [\"p2\"],"
    "   \"opened\": \"2021-01-10\", \"summary\": \"Müller says extradition hearings continue.\"}],"
    " \"events\": ["
    "  {\"id\": \"e-zh\", \"type\": \"arrest\", \"date\": \"2021-01-15\", \"persons\": [\"p2\"],"
    "   \"sources\": [\"s-zh\"], \"description\": \"他在北京被警察拘留了三天。\"},"
    "  {\"id\": \"e-ru\", \"type\": \"detention\", \"date\": \"2020-03-02\", \"persons\": [\"p1\"],"
    "   \"description\": \"Содержится в следственном изоляторе.\"}]}";

static size_t text_ids(struct store *s, const char *q, const struct text_filter *f, struct arena *a,
                       const char **first)
{
    struct search_hit *h = NULL;
    size_t n = 0;
    struct err e = ERR_INIT;
    enum app_err rc = service_search_text(s, q, f, 20, a, &h, &n, &e);
    if (rc != E_OK) {
        fail_msg("%s: %s", q, e.msg);
    }
    *first = n ? h[0].id : "";
    return n;
}

/* Block-once dedup: planted pairs written in other scripts are found, each
 * pair once; unrelated persons (no namesakes among them) are not paired. */
static const char dedup_bundle[] =
    "{\"format\": \"refuge-bundle/1\", \"persons\": ["
    "  {\"id\": \"kz1\", \"names\": [{\"full\": \"Ермек Нұрланұлы\"}]},"
    "  {\"id\": \"kz2\", \"names\": [{\"full\": \"Nurlanuly Yermek\"}]},"
    "  {\"id\": \"ug1\", \"names\": [{\"full\": \"ئابدۇرېھىم ھېيت\"}]},"
    "  {\"id\": \"ug2\", \"names\": [{\"full\": \"Абдурехим Хейит\"}]},"
    "  {\"id\": \"ru1\", \"names\": [{\"full\": \"Сергей Кузнецов\"}]},"
    "  {\"id\": \"ru2\", \"names\": [{\"full\": \"Kuznetsov Sergei\"}]},"
    "  {\"id\": \"x1\", \"names\": [{\"full\": \"Aliya Dzhaksybekova\"}]},"
    "  {\"id\": \"x2\", \"names\": [{\"full\": \"Ахмед Мансур\"}]},"
    "  {\"id\": \"x3\", \"names\": [{\"full\": \"Li Xiaoming\"}]},"
    "  {\"id\": \"x4\", \"names\": [{\"full\": \"Yermek Nurgaliev\"}]}"
    "]}";

struct block_probe {
    struct store *s;
    size_t rows;
    char block[32];
    char persons[64][8]; /* the current block's persons */
    int64_t kids[64];
    size_t n;
    bool kz_together, repeated, bad_side;
};

static bool probe_block(void *ctx, const char *block, int64_t kid, unsigned side)
{
    struct block_probe *p = ctx;
    p->rows++;
    p->bad_side = p->bad_side || side > 3;
    if (strcmp(block, p->block) != 0) {
        snprintf(p->block, sizeof p->block, "%s", block);
        p->n = 0;
    }
    struct store_key *k = NULL;
    size_t nk = 0;
    struct arena a = ARENA_INIT;
    struct err e = ERR_INIT;
    const char *person = "";
    if (store_keys_get(p->s, &kid, 1, &a, &k, &nk, &e) == E_OK && nk == 1) {
        person = k[0].person;
    }
    for (size_t i = 0; i < p->n; i++) {
        p->repeated = p->repeated || p->kids[i] == kid;
        bool kz = (strcmp(p->persons[i], "kz1") == 0 && strcmp(person, "kz2") == 0) ||
                  (strcmp(p->persons[i], "kz2") == 0 && strcmp(person, "kz1") == 0);
        p->kz_together = p->kz_together || kz;
    }
    if (p->n < 64) {
        snprintf(p->persons[p->n], sizeof p->persons[p->n], "%s", person);
        p->kids[p->n++] = kid;
    }
    arena_release(&a);
    return true;
}

/* The rows of service_dedup_blocks, for dedup_dropped_letter. */
struct side_rows {
    struct store *s;
    char block[64][32];
    char person[64][8];
    unsigned side[64];
    size_t n;
};

static bool side_row(void *ctx, const char *block, int64_t kid, unsigned side)
{
    struct side_rows *r = ctx;
    struct store_key *k = NULL;
    size_t nk = 0;
    struct arena a = ARENA_INIT;
    struct err e = ERR_INIT;
    if (r->n < 64 && store_keys_get(r->s, &kid, 1, &a, &k, &nk, &e) == E_OK && nk == 1) {
        snprintf(r->block[r->n], sizeof r->block[r->n], "%s", block);
        snprintf(r->person[r->n], sizeof r->person[r->n], "%s", k[0].person);
        r->side[r->n++] = side;
    }
    arena_release(&a);
    return true;
}

/* A letter dropped among a token's first consonants (Yasin, Yain): the two
 * names share a block of dropped letters, one as written and the other with
 * the letter left out; the names of other persons there are not paired. */
static void dedup_dropped_letter(void **state)
{
    struct store *s = *state;
    const char *bundle = "{\"format\": \"refuge-bundle/1\", \"persons\": ["
                         "  {\"id\": \"d1\", \"names\": [{\"full\": \"Nour Yasin\"}]},"
                         "  {\"id\": \"d2\", \"names\": [{\"full\": \"Nur Yain\"}]},"
                         "  {\"id\": \"d3\", \"names\": [{\"full\": \"Boris Tarasov\"}]}]}";
    (void)import_text(s, bundle, NULL);
    struct err e = ERR_INIT;
    struct side_rows rows = {.s = s};
    assert_int_equal(service_dedup_blocks(s, side_row, &rows, &e), E_OK);
    bool met = false;
    for (size_t i = 0; i < rows.n; i++) {
        for (size_t j = 0; j < rows.n; j++) {
            met = met || (strcmp(rows.block[i], rows.block[j]) == 0 &&
                          strcmp(rows.person[i], "d1") == 0 && strcmp(rows.person[j], "d2") == 0 &&
                          rows.side[i] != 0 && (rows.side[i] | rows.side[j]) == 3);
        }
        assert_true(rows.side[i] <= 3);
        assert_string_not_equal(rows.person[i], "d3");
    }
    assert_true(met);
    struct arena a = ARENA_INIT;
    struct dedup_pair *pairs = NULL;
    size_t n = 0;
    assert_int_equal(dedup_all(s, 0.85, &a, &pairs, &n, &e), E_OK);
    assert_int_equal(n, 1);
    assert_string_equal(pairs[0].a, "d1");
    assert_string_equal(pairs[0].b, "d2");
    arena_release(&a);
}

static void dedup_block_once(void **state)
{
    struct store *s = *state;
    struct diags notes = DIAGS_INIT;
    assert_true(import_text(s, dedup_bundle, &notes) >= 1);
    diags_release(&notes);
    struct arena a = ARENA_INIT;
    struct err e = ERR_INIT;
    struct dedup_pair *pairs = NULL;
    size_t n = 0;
    assert_int_equal(dedup_all(s, 0.85, &a, &pairs, &n, &e), E_OK);
    static const char *const want[][2] = {{"kz1", "kz2"}, {"ug1", "ug2"}, {"ru1", "ru2"}};
    for (size_t w = 0; w < 3; w++) {
        size_t found = 0;
        for (size_t i = 0; i < n; i++) {
            found += strcmp(pairs[i].a, want[w][0]) == 0 && strcmp(pairs[i].b, want[w][1]) == 0;
        }
        if (found != 1) {
            fail_msg("pair %s ~ %s found %zu times", want[w][0], want[w][1], found);
        }
    }
    for (size_t i = 0; i < n; i++) {
        /* Only the planted pairs: the x persons and different identities
         * (Yermek Nurgaliev shares a block with Yermek Nurlanuly) stay apart. */
        if (pairs[i].a[0] != pairs[i].b[0] || pairs[i].a[0] == 'x') {
            fail_msg("unexpected pair %s ~ %s (%.3f: %s)", pairs[i].a, pairs[i].b, pairs[i].score,
                     pairs[i].reasons);
        }
        assert_true(pairs[i].score >= 0.85 && pairs[i].score <= 1.0);
        assert_true(i == 0 || pairs[i - 1].score >= pairs[i].score);
    }
    assert_int_equal(n, 3);
    /* Best first, equal scores by the ids of a, then b. */
    for (size_t i = 1; i < n; i++) {
        const struct dedup_pair *p = &pairs[i - 1];
        const struct dedup_pair *q = &pairs[i];
        int ids = strcmp(p->a, q->a) ? strcmp(p->a, q->a) : strcmp(p->b, q->b);
        assert_true(p->score > q->score || (p->score == q->score && ids < 0));
    }
    /* fn stops it: no pair after the first. */
    struct dedup_list one = {.a = &a, .stop = 1};
    assert_int_equal(service_dedup(s, 0.85, collect_pair, &one, &e), E_OK);
    assert_int_equal(one.n, 1);
    assert_string_equal(one.pairs[0].a, pairs[0].a);
    assert_string_equal(one.pairs[0].b, pairs[0].b);

    /* The blocks it compared within: the Kazakh pair shares one, and each
     * block is listed with its members, each key once. */
    struct block_probe probe = {.s = s};
    assert_int_equal(service_dedup_blocks(s, probe_block, &probe, &e), E_OK);
    assert_true(probe.rows > 0);
    assert_true(probe.kz_together);
    assert_false(probe.repeated);
    assert_false(probe.bad_side);
    arena_release(&a);
}

/* Many persons written alike: a name shared by more persons than dedup
 * scores per name does not crowd out the other writing of it (each distinct
 * name is scored once), and a block of more than 300 names is split, not
 * dropped, with a planted pair kept together. */
static void dedup_namesakes_and_large_blocks(void **state)
{
    enum { ALIKE = 205, CROWD = 330 };

    struct store *s = *state;
    struct buf b = BUF_INIT;
    buf_adds(&b, "{\"format\": \"refuge-bundle/1\", \"persons\": [");
    for (int i = 0; i < ALIKE; i++) {
        buf_addf(&b, "{\"id\": \"o%03d\", \"names\": [{\"full\": \"Olga Ivanova\"}]},", i);
    }
    buf_adds(&b, "{\"id\": \"ocyr\", \"names\": [{\"full\": \"Ольга Иванова\"}]},");
    /* Given names and surnames of the same first two consonant classes
     * (k-r, m-r: one block of the pair codes), all different. */
    static const char *const vowels[] = {"a", "e", "i", "o", "u"};
    static const char *const thirds[] = {"b", "d", "l", "n", "t", "s", "v", "z", "p", "f", "g"};
    int c = 0;
    for (size_t v = 0; v < 5 && c < CROWD; v++) {
        for (size_t w = 0; w < 5 && c < CROWD; w++) {
            for (size_t t = 0; t < 11 && c < CROWD; t++, c++) {
                buf_addf(&b, "{\"id\": \"k%03d\", \"names\": [{\"full\": \"Kar%s%s Mor%sv%sn\"}]},",
                         c, vowels[v], thirds[t], vowels[w], vowels[(v + t) % 5]);
            }
        }
    }
    buf_adds(&b, "{\"id\": \"kcyr\", \"names\": [{\"full\": \"Караб Моравин\"}]},");
    buf_adds(&b, "{\"id\": \"klat\", \"names\": [{\"full\": \"Moravin Karab\"}]}]}");
    /* (the import notes the namesakes as probable duplicates) */
    assert_true(import_text(s, b.data, NULL) > 0);
    buf_release(&b);
    struct arena a = ARENA_INIT;
    struct err e = ERR_INIT;
    struct dedup_pair *pairs = NULL;
    size_t n = 0;
    assert_int_equal(dedup_all(s, 0.85, &a, &pairs, &n, &e), E_OK);
    size_t with_cyr = 0;
    size_t crowd_pair = 0;
    for (size_t i = 0; i < n; i++) {
        with_cyr += strcmp(pairs[i].a, "ocyr") == 0 || strcmp(pairs[i].b, "ocyr") == 0;
        crowd_pair += strcmp(pairs[i].a, "kcyr") == 0 && strcmp(pairs[i].b, "klat") == 0;
    }
    /* Every Olga Ivanova is paired with the one written in Cyrillic. */
    assert_int_equal(with_cyr, ALIKE);
    assert_int_equal(crowd_pair, 1);
    arena_release(&a);
}

static void full_text(void **state)
{
    struct store *s = *state;
    import_text(s, text_bundle, NULL);
    struct arena a = ARENA_INIT;
    const char *id;
    /* Cyrillic with and without diacritics, any case. */
    assert_int_equal(text_ids(s, "ёрлан", NULL, &a, &id), 1);
    assert_string_equal(id, "c-ru");
    assert_int_equal(text_ids(s, "ерлан", NULL, &a, &id), 1);
    assert_int_equal(text_ids(s, "ЗАДЕРЖАН", NULL, &a, &id), 1);
    assert_int_equal(text_ids(s, "muller", NULL, &a, &id), 1);
    assert_string_equal(id, "c-zh");
    /* Chinese by word, in text without spaces. */
    assert_int_equal(text_ids(s, "北京", NULL, &a, &id), 1);
    assert_string_equal(id, "e-zh");
    assert_int_equal(text_ids(s, "警察", NULL, &a, &id), 1);
    assert_int_equal(text_ids(s, "新闻", NULL, &a, &id), 1);
    assert_string_equal(id, "s-zh");
    /* Phrases and prefixes. */
    assert_int_equal(text_ids(s, "\"сотрудниками полиции\"", NULL, &a, &id), 1);
    assert_int_equal(text_ids(s, "\"полиции сотрудниками\"", NULL, &a, &id), 0);
    assert_int_equal(text_ids(s, "экстрад*", NULL, &a, &id), 1);
    assert_int_equal(text_ids(s, "extradit*", NULL, &a, &id), 1);
    assert_int_equal(text_ids(s, "изолят*", NULL, &a, &id), 1);
    assert_string_equal(id, "e-ru");
    /* Snippets show the original text (case, diacritics, punctuation), the
     * matching words marked, runs of them in one pair of brackets. */
    struct search_hit *h = NULL;
    size_t n = 0;
    struct err e = ERR_INIT;
    assert_int_equal(
        service_search_text(s, "ерлан \"сотрудниками полиции\"", NULL, 5, &a, &h, &n, &e), E_OK);
    assert_int_equal(n, 1);
    assert_string_equal(h[0].why,
                        "[Ёрлан] был задержан [сотрудниками полиции]; ему грозит экстрадиция.");
    assert_int_equal(service_search_text(s, "MULLER extrad*", NULL, 5, &a, &h, &n, &e), E_OK);
    assert_int_equal(n, 1);
    assert_string_equal(h[0].why, "[Müller] says [extradition] hearings continue.");
    /* Filters: kind, dates, case. */
    struct text_filter f = {.has_kind = true, .kind = OBJ_EVENT};
    assert_int_equal(text_ids(s, "задержан*", NULL, &a, &id), 1);
    assert_int_equal(text_ids(s, "задержан*", &f, &a, &id), 0);
    f = (struct text_filter){.from = "2021"};
    assert_int_equal(text_ids(s, "extradition", &f, &a, &id), 1);
    assert_string_equal(id, "c-zh");
    f = (struct text_filter){.to = "2020-12"};
    assert_int_equal(text_ids(s, "extradition", &f, &a, &id), 0);
    f = (struct text_filter){.case_id = "c-zh"};
    assert_int_equal(text_ids(s, "北京", &f, &a, &id), 1);
    assert_int_equal(text_ids(s, "新闻", &f, &a, &id), 1);
    f = (struct text_filter){.case_id = "c-ru"};
    assert_int_equal(text_ids(s, "北京", &f, &a, &id), 0);
    /* Writes keep the index in step. */
    put_json(
        s, OBJ_EVENT,
        "{\"id\": \"e-zh\", \"type\": \"arrest\", \"persons\": [\"p2\"], \"description\": \"在上海被捕\"}");
    assert_int_equal(text_ids(s, "北京", NULL, &a, &id), 0);
    assert_int_equal(text_ids(s, "上海", NULL, &a, &id), 1);
    int64_t version;
    assert_int_equal(service_delete_object(s, OBJ_EVENT, "e-zh", VERSION_ANY, &version, &e), E_OK);
    assert_int_equal(text_ids(s, "上海", NULL, &a, &id), 0);
    /* Attached text. */
    assert_int_equal(service_source_text(s, "s-zh", "Отчёт о депортации", &e), E_OK);
    assert_int_equal(text_ids(s, "отчет депортации", NULL, &a, &id), 1);
    assert_string_equal(id, "s-zh");
    /* A query matching more rows than the candidate bound ranks the newest
     * rows only; below the bound, every match. */
    for (int i = 0; i < 3; i++) {
        char json[200];
        snprintf(json, sizeof json,
                 "{\"id\": \"e-b%d\", \"type\": \"arrest\", \"persons\": [\"p2\"],"
                 " \"description\": \"boundtest%s\"}",
                 i, i == 0 ? " boundtest boundtest" : "");
        put_json(s, OBJ_EVENT, json);
    }
    struct store_text_hit *th = NULL;
    size_t nth = 0;
    struct store_text_query sq = {.match = "\"boundtest\"", .limit = 10};
    assert_int_equal(store_text_search(s, &sq, &a, &th, &nth, &e), E_OK);
    assert_int_equal(nth, 3);
    assert_string_equal(th[0].id, "e-b0"); /* three times: ranked first */
    sq.candidates = 2;
    assert_int_equal(store_text_search(s, &sq, &a, &th, &nth, &e), E_OK);
    assert_int_equal(nth, 2);
    assert_true(strcmp(th[0].id, "e-b0") != 0 && strcmp(th[1].id, "e-b0") != 0);
    /* An empty query is refused. */
    assert_int_equal(service_search_text(s, " ... ", NULL, 5, &a, &h, &n, &e), E_INVALID);
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(names_dev, setup, teardown),
        cmocka_unit_test_setup_teardown(keys_follow_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(rebuild_matches_incremental, setup, teardown),
        cmocka_unit_test_setup_teardown(merge_moves_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(dedup_block_once, setup, teardown),
        cmocka_unit_test_setup_teardown(dedup_dropped_letter, setup, teardown),
        cmocka_unit_test_setup_teardown(dedup_namesakes_and_large_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(full_text, setup, teardown),
    };
    store_global_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
