/*
 * test_namekey.c: name keys across scripts: readings, canonical tokens,
 * blocking codes, scoring, ranking of the development set and of harder
 * cases, and that different people with similar names rank clearly lower.
 */
/* clang-format off */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>
#include <unicode/uclean.h>
/* clang-format on */

#include "core/buf.h"
#include "text/namekey.h"

/* ---- helpers -------------------------------------------------------------- */

static void dump_keys(const struct namekey *k)
{
    struct buf b = BUF_INIT;
    namekey_format(k, &b);
    print_message("  %s [%s]:\n", k->original, k->script);
    for (unsigned r = 0; r < k->n_readings; r++) {
        print_message("    %s (%s)%s\n", k->readings[r].text, k->readings[r].label,
                      k->readings[r].abjad ? " abjad" : "");
    }
    print_message("%s", b.data);
    buf_release(&b);
}

static double score_names(const char *q, const char *c)
{
    struct namekey kq;
    struct namekey kc;
    assert_true(namekey_build(q, NULL, NULL, &kq));
    assert_true(namekey_build(c, NULL, NULL, &kc));
    return namekey_score(&kq, &kc, NULL, NULL, 0);
}

static double dedup_names(const char *a, const char *b, char *why, size_t why_size)
{
    struct namekey ka;
    struct namekey kb;
    assert_true(namekey_build(a, NULL, NULL, &ka));
    assert_true(namekey_build(b, NULL, NULL, &kb));
    return namekey_dedup_score(&ka, &kb, why, why_size);
}

struct registry {
    size_t n;
    struct namekey *keys;
    char (*group)[16];
};

static void reg_add(struct registry *r, const char *group, const char *name)
{
    r->keys = realloc(r->keys, (r->n + 1) * sizeof *r->keys);
    r->group = realloc(r->group, (r->n + 1) * sizeof *r->group);
    assert_non_null(r->keys);
    assert_non_null(r->group);
    assert_true(namekey_build(name, NULL, NULL, &r->keys[r->n]));
    snprintf(r->group[r->n], sizeof r->group[r->n], "%s", group);
    r->n++;
}

static void reg_free(struct registry *r)
{
    free(r->keys);
    free(r->group);
    r->keys = NULL;
    r->group = NULL;
    r->n = 0;
}

/* Checks that query's best registered match is in group; returns the margin
 * between the best score of the right group and the best of any other. */
static double expect_top(const struct registry *r, const char *query, const char *group)
{
    struct namekey kq;
    assert_true(namekey_build(query, NULL, NULL, &kq));
    double right = -1.0;
    double wrong = -1.0;
    size_t wrong_i = 0;
    size_t right_i = 0;
    for (size_t i = 0; i < r->n; i++) {
        double s = namekey_score(&kq, &r->keys[i], NULL, NULL, 0);
        if (strcmp(r->group[i], group) == 0) {
            if (s > right) {
                right = s;
                right_i = i;
            }
        } else if (s > wrong) {
            wrong = s;
            wrong_i = i;
        }
    }
    if (!(right > wrong)) {
        char why[NAMEKEY_EXPLAIN_MAX];
        print_message("query %s (group %s): right %.3f, wrong %.3f\n", query, group, right, wrong);
        namekey_score(&kq, &r->keys[right_i], NULL, why, sizeof why);
        print_message("  right: %s\n", why);
        namekey_score(&kq, &r->keys[wrong_i], NULL, why, sizeof why);
        print_message("  wrong: %s\n", why);
        dump_keys(&kq);
        dump_keys(&r->keys[right_i]);
        dump_keys(&r->keys[wrong_i]);
    }
    assert_true(right > wrong);
    return right - (wrong < 0.0 ? 0.0 : wrong);
}

/* ---- the development set -------------------------------------------------- */

static void dev_set_ranks_own_group_first(void **state)
{
    (void)state;
    const char *shared = getenv("REFUGE_SHARED");
    if (shared == NULL || shared[0] == '\0') {
        print_message("REFUGE_SHARED is not set: skipping the names-dev.tsv test\n");
        skip();
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/data/names-dev.tsv", shared);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        print_message("%s cannot be opened: skipping the names-dev.tsv test\n", path);
        skip();
    }
    struct registry reg = {0};

    struct {
        char group[16];
        char name[256];
    } queries[256];

    size_t nq = 0;
    char line[1024];
    char last_group[16] = "";
    while (fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#' || line[0] == '\n') {
            continue;
        }
        line[strcspn(line, "\r\n")] = '\0';
        char *tab1 = strchr(line, '\t');
        if (tab1 == NULL) {
            continue;
        }
        *tab1 = '\0';
        char *name = tab1 + 1;
        char *tab2 = strchr(name, '\t');
        if (tab2 != NULL) {
            *tab2 = '\0';
        }
        if (strcmp(line, last_group) != 0) {
            reg_add(&reg, line, name);
            snprintf(last_group, sizeof last_group, "%.15s", line);
        } else if (nq < sizeof queries / sizeof queries[0]) {
            snprintf(queries[nq].group, sizeof queries[nq].group, "%.15s", line);
            snprintf(queries[nq].name, sizeof queries[nq].name, "%.255s", name);
            nq++;
        }
    }
    fclose(f);
    assert_true(reg.n >= 2);
    assert_true(nq >= 1);
    for (size_t i = 0; i < nq; i++) {
        expect_top(&reg, queries[i].name, queries[i].group);
    }
    reg_free(&reg);
}

/* ---- readings ------------------------------------------------------------- */

static void reads_kazakh_cyrillic(void **state)
{
    (void)state;
    struct namekey k;
    assert_true(namekey_build("Ермек Нұрланұлы", NULL, NULL, &k));
    assert_string_equal(k.script, "Cyrl");
    assert_int_equal(k.n_readings, 1);
    assert_string_equal(k.readings[0].label, "Kazakh");
    assert_int_equal(k.readings[0].n_tokens, 2);
    /* sorted: ermek, nurlan+pm */
    assert_string_equal(k.readings[0].tokens[0].text, "ermek");
    assert_string_equal(k.readings[0].tokens[1].text, "nurlan");
    assert_int_equal(k.readings[0].tokens[1].affix, NAMEKEY_AFFIX_PATRONYMIC_M);
    struct buf b = BUF_INIT;
    namekey_format(&k, &b);
    assert_string_equal(b.data, "ermek nurlan+pm\n");
    buf_release(&b);
}

static void plain_cyrillic_gets_two_readings(void **state)
{
    (void)state;
    struct namekey k;
    assert_true(namekey_build("Ермек Нурланулы", NULL, NULL, &k));
    assert_int_equal(k.n_readings, 2);
    assert_string_equal(k.readings[0].label, "Russian");
    assert_string_equal(k.readings[0].text, "yermek nurlanuly");
    assert_string_equal(k.readings[1].label, "Kazakh");
    /* A language hint picks one reading. */
    assert_true(namekey_build("Ермек Нурланулы", "Cyrl", "ru", &k));
    assert_int_equal(k.n_readings, 1);
    assert_string_equal(k.readings[0].label, "Russian");
}

static void reads_uyghur_arabic_script(void **state)
{
    (void)state;
    struct namekey k;
    assert_true(namekey_build("ئابدۇرېھىم ھېيت", NULL, NULL, &k));
    assert_string_equal(k.script, "Arab");
    assert_string_equal(k.readings[0].label, "Uyghur");
    assert_string_equal(k.readings[0].text, "abdurehim heyt");
    assert_false(k.readings[0].abjad);
}

static void reads_arabic_as_consonants(void **state)
{
    (void)state;
    struct namekey k;
    assert_true(namekey_build("محمد عبد الرحمن", NULL, NULL, &k));
    assert_string_equal(k.readings[0].label, "Arabic");
    assert_true(k.readings[0].abjad);
    assert_string_equal(k.readings[0].text, "mhmd abd rhmn");
    /* abd is split off from the name it governs: abd, mHmd, rHmn */
    assert_int_equal(k.readings[0].n_tokens, 3);
    assert_string_equal(k.readings[0].tokens[0].text, "abd");
}

static void reads_han_names(void **state)
{
    (void)state;
    struct namekey k;
    assert_true(namekey_build("张伟", NULL, NULL, &k));
    assert_string_equal(k.script, "Hani");
    assert_int_equal(k.n_readings, 1);
    assert_string_equal(k.readings[0].text, "zhang wei");
    assert_true(namekey_build("阿不都热依木·海依提", NULL, NULL, &k));
    assert_int_equal(k.n_readings, 2);
    assert_string_equal(k.readings[0].text, "abudureyimu haiyiti");
    assert_string_equal(k.readings[1].label, "Uyghur via Chinese");
    assert_string_equal(k.readings[1].text, "abudureim heit");
}

static void canonical_spelling_merges_variants(void **state)
{
    (void)state;
    const char *same[][2] = {
        {"Akhmedov", "Achmedow"},   {"Zhumabekova", "Dzhumabekova"},
        {"Jumabek", "Zhumabek"},    {"Timour", "Timur"},
        {"Aigul", "Aygul"},         {"Serikkyzy", "Seriqqyzy"},
        {"Nurlanuly", "Nurlanulı"}, {"Şükür", "Shukur"},
        {"Ahmedov", "Akhmedov"},
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        struct namekey a;
        struct namekey b;
        assert_true(namekey_build(same[i][0], "Latn", NULL, &a));
        assert_true(namekey_build(same[i][1], "Latn", NULL, &b));
        if (strcmp(a.readings[0].tokens[0].text, b.readings[0].tokens[0].text) != 0) {
            print_message("%s -> %s, %s -> %s\n", same[i][0], a.readings[0].tokens[0].text,
                          same[i][1], b.readings[0].tokens[0].text);
        }
        assert_string_equal(a.readings[0].tokens[0].text, b.readings[0].tokens[0].text);
        assert_int_equal(a.readings[0].tokens[0].affix, b.readings[0].tokens[0].affix);
    }
}

static void rejects_empty_and_invalid(void **state)
{
    (void)state;
    struct namekey k;
    assert_false(namekey_build(NULL, NULL, NULL, &k));
    assert_false(namekey_build("", NULL, NULL, &k));
    assert_false(namekey_build("  -- 123 ", NULL, NULL, &k));
    assert_false(namekey_build("\xff\xfe", NULL, NULL, &k));
    assert_int_equal(k.n_readings, 0);
    /* Very long input is cut, not refused. */
    char longname[2000];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    for (size_t i = 7; i < sizeof longname - 1; i += 8) {
        longname[i] = ' ';
    }
    assert_true(namekey_build(longname, NULL, NULL, &k));
    assert_true(k.readings[0].n_tokens <= NAMEKEY_MAX_TOKENS);
}

/* ---- harder cases not in the development set ------------------------------- */

static void harder_cases_rank_first(void **state)
{
    (void)state;
    static const char *const people[][2] = {
        {"u1", "Abdurehim Heyit"},
        {"u2", "Abdukerim Hesen"},
        {"r1", "Sergey Ivanovich Petrov"},
        {"r2", "Sergey Petrovich Ivanov"},
        {"r3", "Olga Nikolayevna Smirnova"},
        {"a1", "Khaled al-Hassan"},
        {"a2", "Khalid Hussein"},
        {"a3", "Abd al-Aziz al-Masri"},
        {"c1", "王小明"},
        {"c2", "王晓东"},
        {"c3", "李明"},
        {"k1", "Асель Бекқызы"},
        {"k2", "Бек Асылұлы"},
        {"k3", "Динара Ахметова"},
        {"k4", "Динар Ахметов"},
        {"t1", "Şükrü Çelik"},
        {"t2", "Leyla Məmmədova"},
        {"t3", "Gülşen Öztürk"},
        {"z1", "Мадина Ерланқызы"},
        {"y1", "Нурбек Асанбек уулу"},
        {"a4", "عبد الله محمد"},
    };
    static const char *const queries[][2] = {
        {"u1", "ئابدۇرېھىم ھېيت"},
        {"u1", "Абдурехим Хейит"},
        {"u1", "阿不都热依木·海依提"},
        {"u1", "Abudureyimu Haiyiti"},
        {"u1", "Heyit Abdurehim"},
        {"u2", "ئابدۇكېرىم ھەسەن"},
        {"r1", "Сергей Иванович Петров"},
        {"r1", "Petrov Sergei Ivanovitch"},
        {"r1", "Sergej Iwanowitsch Petrow"},
        {"r2", "Сергей Петрович Иванов"},
        {"r3", "Ольга Николаевна Смирнова"},
        {"r3", "Smirnova Olga"},
        {"a1", "خالد الحسن"},
        {"a1", "Khalid el-Hasan"},
        {"a1", "Al Hassan Khaled"},
        {"a2", "خالد حسين"},
        {"a3", "Abdelaziz Elmasri"},
        {"a3", "عبد العزيز المصري"},
        {"c1", "Wang Xiaoming"},
        {"c1", "Xiaoming Wang"},
        {"c2", "Wang Xiaodong"},
        {"c3", "Li Ming"},
        {"k1", "Asel Bekkyzy"},
        {"k1", "Assel Beqqyzy"},
        {"k1", "Bekkyzy Asel"},
        {"k2", "Bek Asyluly"},
        {"k3", "Dinara Akhmetova"},
        {"k4", "Dinar Akhmetov"},
        {"t1", "Shukru Chelik"},
        {"t1", "Sukru Celik"},
        {"t2", "Leyla Mammadova"},
        {"t2", "Лейла Мамедова"},
        {"t3", "Gulshen Ozturk"},
        {"z1", "Madina Erlanqyzy"},
        {"z1", "Madina Yerlankyzy"},
        {"z1", "Мадина Ерланкызы"},
        {"y1", "Nurbek Asanbekuulu"},
        {"a4", "Abdullah Mohammed"},
        {"a4", "Abdalla Muhammad"},
        {"c1", "Wang Xiao Ming"},
        {"c1", "Xiao-Ming Wang"},
    };
    struct registry reg = {0};
    for (size_t i = 0; i < sizeof people / sizeof people[0]; i++) {
        reg_add(&reg, people[i][0], people[i][1]);
    }
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        expect_top(&reg, queries[i][1], queries[i][0]);
    }
    reg_free(&reg);
}

/* A Chinese given name written apart and first ("Wei-Ming Zhang", Western
 * order) is also read joined, as in "Zhang Weiming". */
static void western_order_chinese_given_name_joins(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"Xiao-Ming Wang", "Wang Xiaoming"},
        {"Peng-Hua Zhao", "Zhao Penghua"},
        {"Bin-Chun Wang", "王斌春"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        double sc = score_names(pairs[i][0], pairs[i][1]);
        if (sc < 0.99) {
            fail_msg("%s ~ %s: %.3f", pairs[i][0], pairs[i][1], sc);
        }
    }
}

static void different_people_score_clearly_lower(void **state)
{
    (void)state;
    /* {query, right, wrong}: wrong must score at least 0.1 below right. */
    static const char *const cases[][3] = {
        {"Yermek Nurlanuly", "Ермек Нұрланұлы", "Ерлан Нұрланұлы"},
        {"Gulnar Zhumabekova", "Гүлнар Жұмабекова", "Гүлнар Жұмабеков"},
        {"Dinara Akhmetova", "Динара Ахметова", "Динар Ахметов"},
        {"Aigul Serikkyzy", "Айгүл Серікқызы", "Айгүл Серікұлы"},
        {"Timur Akhmedov", "Тимур Ахмедов", "Тимур Мухамедов"},
        {"Ablimit Tursun", "ئابلىمىت تۇرسۇن", "ئابلەت تۇرسۇن"},
        {"Memet Imin", "مەمەت ئىمىن", "مەمەت ئەمەت"},
        {"Zhang Wei", "张伟", "张伟明"},
        {"Sergey Ivanovich Petrov", "Сергей Иванович Петров", "Сергей Петрович Иванов"},
        {"Mohamed Abdel Rahman", "محمد عبد الرحمن", "محمد عبد الرحيم"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double right = score_names(cases[i][0], cases[i][1]);
        double wrong = score_names(cases[i][0], cases[i][2]);
        if (!(wrong + 0.1 <= right)) {
            print_message("%s: right %s %.3f, wrong %s %.3f\n", cases[i][0], cases[i][1], right,
                          cases[i][2], wrong);
        }
        assert_true(wrong + 0.1 <= right);
    }
    /* Unrelated names score low. */
    assert_true(score_names("Yermek Nurlanuly", "Zhang Wei") < 0.3);
    assert_true(score_names("Abdurehim Heyit", "Gulnar Zhumabekova") < 0.3);
}

static void scores_are_symmetric_enough_and_bounded(void **state)
{
    (void)state;
    double s = score_names("Yermek Nurlanuly", "Ермек Нұрланұлы");
    assert_true(s > 0.85 && s <= 1.0);
    assert_true(score_names("Zhang Wei", "Wei Zhang") > 0.999);
    assert_true(namekey_token_similarity("ermek", "ermek") > 0.999);
    assert_true(namekey_token_similarity("ermek", "zhang") < 0.5);
}

/* The edit costs come from tables filled once: a k/g change costs 0.35, a
 * vowel change 0.3 (a/e), an unrelated change 1. */
static void token_costs_are_the_documented_ones(void **state)
{
    (void)state;
    assert_true(fabs(namekey_token_similarity("kasan", "gasan") - (1.0 - 0.35 / 5)) < 1e-9);
    assert_true(fabs(namekey_token_similarity("hasan", "hesan") - (1.0 - 0.3 / 5)) < 1e-9);
    assert_true(fabs(namekey_token_similarity("hasan", "hamam") - (1.0 - 1.6 / 5)) < 1e-9);
    assert_true(fabs(namekey_token_similarity("tom", "toma") - (1.0 - 0.4 / 4)) < 1e-9);
    /* German j for y, and for a soft sign. */
    assert_true(fabs(namekey_token_similarity("Juri", "iuri") - (1.0 - 0.25 / 4)) < 1e-9);
    assert_true(fabs(namekey_token_similarity("saveJev", "savev") - (1.0 - 0.9 / 7)) < 1e-9);
}

/* Deduplication's score: every token must agree, pinyin syllables must be the
 * same; search's lenient score stays lenient. */
static void dedup_score_is_strict(void **state)
{
    (void)state;
    static const char *const same[][2] = {
        {"Yermek Nurlanuly", "Ермек Нұрланұлы"},
        {"Abdurehim Heyit", "ئابدۇرېھىم ھېيت"},
        {"Kuznetsov Sergei", "Сергей Кузнецов"},
        {"Wei-Ming Zhang", "张伟明"},
        {"Zhang Weiming", "张伟明"},
        {"Peng Juangang", "Juan-Gang Peng"},
        {"Olga Yuriyevna Shcherbakova", "Olga Shcherbakova"},
        {"Zhng Wei", "Zhang Wei"}, /* a slip that leaves no pinyin */
        {"Sun Tingjun", "Ting-Jun Sun"},
        {"Yangyan Zhang", "张洋艳"},
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        double sc = dedup_names(same[i][0], same[i][1], NULL, 0);
        if (sc < 0.85 || sc > 1.0) {
            fail_msg("%s ~ %s: %.3f", same[i][0], same[i][1], sc);
        }
    }
    static const char *const other[][2] = {
        {"Zheng Jianjing", "Zhang Jingyan"},
        {"Xu Kai", "Hai Hu"},
        {"Wang Jing", "王志英"},
        {"Hui-Bin Wang", "王辉"},
        {"Liu Guimei", "李桂梅"},
        {"Yermek Nurlanuly", "Yermek"},
        {"Yermek Nurlanuly", "Yermek Nurgaliev"},
        {"Wang Mingjie", "王梅静"},      /* the same letters, other syllables */
        {"Li Chunsong", "Song-Chun Li"}, /* a given name's syllables keep their order */
    };
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        double sc = dedup_names(other[i][0], other[i][1], NULL, 0);
        if (sc >= 0.85 || sc < 0.0) {
            fail_msg("%s ~ %s: %.3f", other[i][0], other[i][1], sc);
        }
    }
    /* The search still finds the first of these as close. */
    assert_true(score_names("Zheng Jianjing", "Zhang Jingyan") >
                dedup_names("Zheng Jianjing", "Zhang Jingyan", NULL, 0));
    char why[NAMEKEY_EXPLAIN_MAX];
    assert_true(dedup_names("Ермек Нұрланұлы", "Yermek Nurlanuly", why, sizeof why) > 0.85);
    assert_non_null(strstr(why, "Yermek Nurlanuly"));
    assert_non_null(strstr(why, "(Kazakh)"));
}

/* Key-building faults that hid planted duplicates: letters of other Cyrillic
 * alphabets, the BGN middle dot, "bin" in Chinese names, doubled consonants
 * of Arabic script, German j. */
static void reads_other_cyrillic_letters_and_habits(void **state)
{
    (void)state;
    struct namekey k;
    /* Җ (Tatar, Uyghur Cyrillic) is read as Ж, not dropped. */
    assert_true(namekey_build("Җасә Саабмут", NULL, NULL, &k));
    assert_string_equal(k.readings[0].text, "zhasa saabmut");
    for (unsigned r = 0; r < k.n_readings; r++) {
        assert_null(strstr(k.readings[r].text, " asa"));
    }
    /* Kazakh BGN writes s·h for сһ: one word, not two. */
    assert_true(namekey_build("Тирә Басһәқи", NULL, NULL, &k));
    assert_string_equal(k.readings[0].label, "Kazakh");
    assert_int_equal(k.readings[0].n_tokens, 2);
    /* "bin" is "son of" only between two names. */
    assert_true(namekey_build("Liu Bin", NULL, NULL, &k));
    assert_int_equal(k.readings[0].n_tokens, 2);
    assert_true(namekey_build("Muhammad bin Salman", NULL, NULL, &k));
    assert_int_equal(k.readings[0].n_tokens, 2);
    /* Arabic script writes a doubled consonant once: two equal letters are
     * two consonants (خلل), unlike Latin "ll". */
    assert_true(namekey_build("خلل", NULL, NULL, &k));
    assert_string_equal(k.readings[0].tokens[0].text, "Hll");
    assert_true(namekey_build("Khallil", NULL, NULL, &k));
    assert_string_equal(k.readings[0].tokens[0].text, "Halil");
    static const char *const same[][2] = {
        {"Jase Saabmut", "Җасә Саабмут"},
        {"Abab Jama", "Абаб Җама"},
        {"Liu Bin", "Лиу Бин"},
        {"Hasan Haddad", "حسن حدد"},
        {"Ahmad al-Khalil", "أحمد خلل"},
        {"Jurij Petrow", "Yuriy Petrov"},
        {"Natalja Tarasowa", "Natalya Tarasova"},
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        double sc = dedup_names(same[i][0], same[i][1], NULL, 0);
        if (sc < 0.85 || sc > 1.0) {
            fail_msg("%s ~ %s: %.3f", same[i][0], same[i][1], sc);
        }
    }
    static const char *const other[][2] = {
        {"Liu Bin", "Liu"},
        {"Hasan Haddad", "حسن حمد"},
    };
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        double sc = dedup_names(other[i][0], other[i][1], NULL, 0);
        if (sc >= 0.85 || sc < 0.0) {
            fail_msg("%s ~ %s: %.3f", other[i][0], other[i][1], sc);
        }
    }
}

static void explains_the_match(void **state)
{
    (void)state;
    struct namekey q;
    struct namekey c;
    assert_true(namekey_build("Yermek Nurlanuly", NULL, NULL, &q));
    assert_true(namekey_build("Ермек Нұрланұлы", NULL, NULL, &c));
    char why[NAMEKEY_EXPLAIN_MAX];
    namekey_score(&q, &c, NULL, why, sizeof why);
    assert_non_null(strstr(why, "Ермек Нұрланұлы -> ermek nurlanuly (Kazakh) ~ Yermek Nurlanuly"));
    /* A short buffer is cut, never overrun. */
    char tiny[8];
    namekey_score(&q, &c, NULL, tiny, sizeof tiny);
    assert_int_equal(strlen(tiny), 7);
}

static double halve_common(void *ctx, const char *token)
{
    (void)ctx;
    return strcmp(token, "muHamed") == 0 ? 0.2 : 1.0;
}

static void rare_tokens_weigh_more(void **state)
{
    (void)state;
    struct namekey q;
    struct namekey a;
    struct namekey b;
    assert_true(namekey_build("Muhamed Karimov", NULL, NULL, &q));
    assert_true(namekey_build("Muhamed Rahimov", NULL, NULL, &a));
    assert_true(namekey_build("Mahmud Karimov", NULL, NULL, &b));
    struct namekey_weights w = {halve_common, NULL};
    double sa = namekey_score(&q, &a, &w, NULL, 0);
    double sb = namekey_score(&q, &b, &w, NULL, 0);
    assert_true(sb > sa);
    double ua = namekey_score(&q, &a, NULL, NULL, 0);
    assert_true(ua > sa);
}

static void blocking_codes_are_shared_across_scripts(void **state)
{
    (void)state;
    const char *groups[][4] = {
        {"Ермек Нұрланұлы", "Yermek Nurlanuly", "Nurlanuly Ermek", "Ермек Нурланулы"},
        {"ئابلىمىت تۇرسۇن", "Ablimit Tursun", "Abulimiti Tuerxun", "阿布力米提·吐尔逊"},
        {"محمد عبد الرحمن", "Mohamed Abdel Rahman", "Muhammad Abd al-Rahman",
         "Mohammed Abdulrahman"},
    };
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        struct namekey base;
        assert_true(namekey_build(groups[g][0], NULL, NULL, &base));
        char bc[NAMEKEY_MAX_BLOCKS][8];
        size_t nb = namekey_blocks(&base, bc, NAMEKEY_MAX_BLOCKS);
        assert_true(nb >= 1);
        for (size_t v = 1; v < 4; v++) {
            struct namekey k;
            assert_true(namekey_build(groups[g][v], NULL, NULL, &k));
            char kc[NAMEKEY_MAX_BLOCKS][8];
            size_t nk = namekey_blocks(&k, kc, NAMEKEY_MAX_BLOCKS);
            size_t shared = 0;
            for (size_t i = 0; i < nb; i++) {
                for (size_t j = 0; j < nk; j++) {
                    shared += strcmp(bc[i], kc[j]) == 0;
                }
            }
            if (shared < 1) {
                print_message("%s and %s share no blocking code\n", groups[g][0], groups[g][v]);
            }
            assert_true(shared >= 1);
        }
    }
}

static void *thread_body(void *arg)
{
    int *ok = arg;
    static const char *const names[] = {"Ермек Нұрланұлы", "张伟", "ئابلىمىت تۇرسۇن",
                                        "Тимур Ахмедов", "محمد عبد الرحمن"};
    struct namekey first[5];
    for (size_t i = 0; i < 5; i++) {
        namekey_build(names[i], NULL, NULL, &first[i]);
    }
    *ok = 1;
    for (int round = 0; round < 50; round++) {
        for (size_t i = 0; i < 5; i++) {
            struct namekey k;
            namekey_build(names[i], NULL, NULL, &k);
            if (memcmp(&k, &first[i], sizeof k) != 0) {
                *ok = 0;
            }
        }
    }
    namekey_thread_release();
    return NULL;
}

static void builds_from_several_threads(void **state)
{
    (void)state;
    pthread_t th[4];
    int ok[4] = {0};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, thread_body, &ok[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(ok[i], 1);
    }
}

static int teardown_icu(void **state)
{
    (void)state;
    namekey_thread_release();
    u_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_kazakh_cyrillic),
        cmocka_unit_test(plain_cyrillic_gets_two_readings),
        cmocka_unit_test(reads_uyghur_arabic_script),
        cmocka_unit_test(reads_arabic_as_consonants),
        cmocka_unit_test(reads_han_names),
        cmocka_unit_test(canonical_spelling_merges_variants),
        cmocka_unit_test(rejects_empty_and_invalid),
        cmocka_unit_test(dev_set_ranks_own_group_first),
        cmocka_unit_test(harder_cases_rank_first),
        cmocka_unit_test(western_order_chinese_given_name_joins),
        cmocka_unit_test(different_people_score_clearly_lower),
        cmocka_unit_test(scores_are_symmetric_enough_and_bounded),
        cmocka_unit_test(token_costs_are_the_documented_ones),
        cmocka_unit_test(dedup_score_is_strict),
        cmocka_unit_test(reads_other_cyrillic_letters_and_habits),
        cmocka_unit_test(explains_the_match),
        cmocka_unit_test(rare_tokens_weigh_more),
        cmocka_unit_test(blocking_codes_are_shared_across_scripts),
        cmocka_unit_test(builds_from_several_threads),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_icu);
}
