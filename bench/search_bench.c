/*
 * search_bench.c: the person search benchmark (bench/search.sh, described in
 * bench/README.md). Generates N synthetic persons with Central Asian style
 * names written in Kazakh Cyrillic or English-style Latin, imports them
 * through the service layer (name keys are built in the import), rebuilds
 * the keys once more to time key building alone, then searches Q planted
 * variants of stored names (another script or romanisation, sometimes the
 * words swapped, sometimes a typo) and reports recall@1, recall@10 and
 * query latency. Deterministic for a given seed.
 *
 * usage: search_bench N Q DB [PERSONS_TSV QUERIES_TSV]
 * The optional files receive the persons (id, name, identity) and the
 * queries (query, expected id, identity) for comparison with other systems;
 * the identity is the generated name, the same for namesakes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/diag.h"
#include "service/search.h"
#include "service/service.h"
#include "store/store.h"

static uint64_t rng_state = 0x5eed;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static size_t pick(size_t n)
{
    return (size_t)(rnd() % n);
}

/* Zipf-like: small indexes are much more common (given names repeat). */
static size_t pick_skewed(size_t n)
{
    double u = (double)(rnd() >> 11) / 9007199254740992.0;
    return (size_t)((double)n * u * u * u) % n;
}

/* Phonemes: a e i o u, A (ә) U (ү) O (ө) W (ұ) I (ы), consonants b d g k l m
 * n p r s t z, X (kh), Z (zh), S (sh), C (ch), Y (y), q (қ), G (ғ), N (ң). */
static const char *const given_syl[] = {
    "er",  "mek", "nur", "lan", "gWl", "nar", "as",  "qar", "ai",  "dos",  "ZAn", "bo",
    "lat", "ma",  "rat", "da",  "ni",  "yar", "sa",  "bit", "tal", "gat",  "ar",  "man",
    "Sol", "pan", "ba",  "qIt", "ker", "ei",  "mIr", "za",  "Xan", "sUl",  "tan", "dar",
    "mA",  "dI",  "Nes", "Ga",  "li",  "ya",  "ru",  "sen", "bol", "UmIt", "Cin", "gIz",
};
static const char *const sur_syl[] = {
    "Zu", "ma",  "bek", "tur", "sun", "ab",  "lim", "it",   "sei", "to",  "qa",  "sym",
    "ba", "ev",  "Xa",  "nov", "dau", "let", "ros", "a",    "li",  "mu",  "sa",  "Xan",
    "ta", "si",  "gIz", "ker", "Sar", "ip",  "bay", "QoZa", "nIr", "Gal", "am",  "zat",
    "Or", "ken", "dI",  "bai", "zaq", "pIs", "tem", "ir",   "kUl", "Cu",  "bIl", "Sal",
};

enum suffix { SUF_NONE, SUF_ULY, SUF_OV, SUF_BEK, SUF_COUNT };

struct ident {
    char given[32];
    char sur[48];
    enum suffix suf;
};

enum style { KK_CYRL, RU_CYRL, EN_LATN, TR_LATN, STYLE_COUNT };

static void put(char *out, size_t size, size_t *n, const char *s)
{
    size_t l = strlen(s);
    if (*n + l < size) {
        memcpy(out + *n, s, l);
        *n += l;
        out[*n] = '\0';
    }
}

/* Writes one phoneme word in a style; the first letter capitalised. */
static void render_word(const char *ph, enum style st, char *out, size_t size, size_t *n)
{
    static const char *const kk[128] = {
        ['a'] = "а", ['e'] = "е", ['i'] = "и", ['o'] = "о", ['u'] = "у", ['A'] = "ә", ['U'] = "ү",
        ['O'] = "ө", ['W'] = "ұ", ['I'] = "ы", ['b'] = "б", ['d'] = "д", ['g'] = "г", ['k'] = "к",
        ['l'] = "л", ['m'] = "м", ['n'] = "н", ['p'] = "п", ['r'] = "р", ['s'] = "с", ['t'] = "т",
        ['z'] = "з", ['X'] = "х", ['Z'] = "ж", ['S'] = "ш", ['C'] = "ч", ['y'] = "й", ['q'] = "қ",
        ['G'] = "ғ", ['N'] = "ң", ['Q'] = "қ"};
    static const char *const kk_up[128] = {
        ['a'] = "А", ['e'] = "Е", ['i'] = "И", ['o'] = "О", ['u'] = "У", ['A'] = "Ә", ['U'] = "Ү",
        ['O'] = "Ө", ['W'] = "Ұ", ['I'] = "Ы", ['b'] = "Б", ['d'] = "Д", ['g'] = "Г", ['k'] = "К",
        ['l'] = "Л", ['m'] = "М", ['n'] = "Н", ['p'] = "П", ['r'] = "Р", ['s'] = "С", ['t'] = "Т",
        ['z'] = "З", ['X'] = "Х", ['Z'] = "Ж", ['S'] = "Ш", ['C'] = "Ч", ['y'] = "Й", ['q'] = "Қ",
        ['G'] = "Ғ", ['N'] = "Ң", ['Q'] = "Қ"};
    static const char *const en[128] = {
        ['a'] = "a",  ['e'] = "e",  ['i'] = "i", ['o'] = "o", ['u'] = "u",  ['A'] = "a",
        ['U'] = "u",  ['O'] = "o",  ['W'] = "u", ['I'] = "y", ['b'] = "b",  ['d'] = "d",
        ['g'] = "g",  ['k'] = "k",  ['l'] = "l", ['m'] = "m", ['n'] = "n",  ['p'] = "p",
        ['r'] = "r",  ['s'] = "s",  ['t'] = "t", ['z'] = "z", ['X'] = "kh", ['Z'] = "zh",
        ['S'] = "sh", ['C'] = "ch", ['y'] = "y", ['q'] = "q", ['G'] = "gh", ['N'] = "ng",
        ['Q'] = "k"};
    static const char *const tr[128] = {
        ['a'] = "a", ['e'] = "e", ['i'] = "i", ['o'] = "o", ['u'] = "u", ['A'] = "ä", ['U'] = "ü",
        ['O'] = "ö", ['W'] = "u", ['I'] = "ı", ['b'] = "b", ['d'] = "d", ['g'] = "g", ['k'] = "k",
        ['l'] = "l", ['m'] = "m", ['n'] = "n", ['p'] = "p", ['r'] = "r", ['s'] = "s", ['t'] = "t",
        ['z'] = "z", ['X'] = "h", ['Z'] = "j", ['S'] = "ş", ['C'] = "ç", ['y'] = "y", ['q'] = "k",
        ['G'] = "ğ", ['N'] = "ñ", ['Q'] = "k"};
    static const char *const en_up[128] = {
        ['a'] = "A",  ['e'] = "E",  ['i'] = "I", ['o'] = "O", ['u'] = "U",  ['A'] = "A",
        ['U'] = "U",  ['O'] = "O",  ['W'] = "U", ['I'] = "Y", ['b'] = "B",  ['d'] = "D",
        ['g'] = "G",  ['k'] = "K",  ['l'] = "L", ['m'] = "M", ['n'] = "N",  ['p'] = "P",
        ['r'] = "R",  ['s'] = "S",  ['t'] = "T", ['z'] = "Z", ['X'] = "Kh", ['Z'] = "Zh",
        ['S'] = "Sh", ['C'] = "Ch", ['y'] = "Y", ['q'] = "Q", ['G'] = "Gh", ['N'] = "Ng",
        ['Q'] = "K"};
    static const char *const tr_up[128] = {
        ['a'] = "A", ['e'] = "E", ['i'] = "İ", ['o'] = "O", ['u'] = "U", ['A'] = "Ä", ['U'] = "Ü",
        ['O'] = "Ö", ['W'] = "U", ['I'] = "I", ['b'] = "B", ['d'] = "D", ['g'] = "G", ['k'] = "K",
        ['l'] = "L", ['m'] = "M", ['n'] = "N", ['p'] = "P", ['r'] = "R", ['s'] = "S", ['t'] = "T",
        ['z'] = "Z", ['X'] = "H", ['Z'] = "J", ['S'] = "Ş", ['C'] = "Ç", ['y'] = "Y", ['q'] = "K",
        ['G'] = "Ğ", ['N'] = "Ñ", ['Q'] = "K"};
    for (size_t i = 0; ph[i]; i++) {
        unsigned char c = (unsigned char)ph[i];
        const char *s = NULL;
        switch (st) {
        case KK_CYRL:
            s = i ? kk[c] : kk_up[c];
            break;
        case RU_CYRL: {
            /* Russian spelling: Kazakh letters replaced by the nearest Russian. */
            unsigned char r = c == 'A'               ? 'a'
                              : c == 'U' || c == 'W' ? 'u'
                              : c == 'O'             ? 'o'
                              : c == 'q' || c == 'Q' ? 'k'
                              : c == 'G'             ? 'g'
                              : c == 'N'             ? 'n'
                                                     : c;
            s = i ? kk[r] : kk_up[r];
            break;
        }
        case EN_LATN:
            s = i ? en[c] : en_up[c];
            break;
        case TR_LATN:
            s = i ? tr[c] : tr_up[c];
            break;
        case STYLE_COUNT:
            break;
        }
        put(out, size, n, s ? s : "");
    }
}

static const char *suffix_text(enum suffix suf, enum style st)
{
    static const char *const t[SUF_COUNT][STYLE_COUNT] = {
        [SUF_NONE] = {"", "", "", ""},
        [SUF_ULY] = {"ұлы", "улы", "uly", "ulı"},
        [SUF_OV] = {"ов", "ов", "ov", "ov"},
        [SUF_BEK] = {"бек", "бек", "bek", "bek"},
    };
    return t[suf][st];
}

static void render(const struct ident *id, enum style st, bool swap, bool typo, char *out,
                   size_t size)
{
    char given[96] = "";
    char sur[128] = "";
    size_t ng = 0;
    size_t ns = 0;
    render_word(id->given, st, given, sizeof given, &ng);
    render_word(id->sur, st, sur, sizeof sur, &ns);
    put(sur, sizeof sur, &ns, suffix_text(id->suf, st));
    if (typo && (st == EN_LATN || st == TR_LATN) && ns > 4) {
        /* Drop one ASCII letter inside the surname. */
        size_t at = 2 + pick(ns - 3);
        if ((unsigned char)sur[at] < 0x80 && (unsigned char)sur[at - 1] < 0x80) {
            memmove(sur + at, sur + at + 1, ns - at);
        }
    }
    snprintf(out, size, "%s %s", swap ? sur : given, swap ? given : sur);
}

static void make_ident(struct ident *id)
{
    size_t g1 = pick_skewed(ARRAY_LEN(given_syl));
    size_t g2 = pick_skewed(ARRAY_LEN(given_syl));
    snprintf(id->given, sizeof id->given, "%s%s", given_syl[g1], given_syl[g2]);
    size_t parts = 2 + pick(2);
    id->sur[0] = '\0';
    for (size_t i = 0; i < parts; i++) {
        size_t l = strlen(id->sur);
        snprintf(id->sur + l, sizeof id->sur - l, "%s", sur_syl[pick(ARRAY_LEN(sur_syl))]);
    }
    id->suf = (enum suffix)pick(SUF_COUNT);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 6) {
        fprintf(stderr, "usage: search_bench N Q DB [PERSONS_TSV QUERIES_TSV]\n");
        return 2;
    }
    char *end;
    size_t n = (size_t)strtoul(argv[1], &end, 10);
    size_t q = (size_t)strtoul(argv[2], &end, 10);
    if (n < 10 || q < 1 || q > n) {
        fprintf(stderr, "search_bench: need 10 <= N and 1 <= Q <= N\n");
        return 2;
    }
    const char *db = argv[3];
    FILE *ptsv = argc == 6 ? fopen(argv[4], "w") : NULL;
    FILE *qtsv = argc == 6 ? fopen(argv[5], "w") : NULL;

    struct ident *ids = calloc(n, sizeof *ids);
    enum style *reg_style = calloc(n, sizeof *reg_style);
    char bundle_path[4200];
    snprintf(bundle_path, sizeof bundle_path, "%s.bundle.json", db);
    FILE *bf = fopen(bundle_path, "w");
    if (!ids || !reg_style || !bf) {
        fprintf(stderr, "search_bench: cannot set up\n");
        return 1;
    }
    fputs("{\"format\": \"refuge-bundle/1\", \"persons\": [\n", bf);
    for (size_t i = 0; i < n; i++) {
        make_ident(&ids[i]);
        reg_style[i] = pick(2) ? KK_CYRL : EN_LATN;
        char name[256];
        render(&ids[i], reg_style[i], false, false, name, sizeof name);
        fprintf(bf, "%s{\"id\": \"p%zu\", \"names\": [{\"full\": \"%s\"}]}\n", i ? "," : "", i,
                name);
        if (ptsv) {
            fprintf(ptsv, "p%zu\t%s\t%s|%s|%d\n", i, name, ids[i].given, ids[i].sur,
                    (int)ids[i].suf);
        }
    }
    fputs("]}\n", bf);
    fclose(bf);
    if (ptsv) {
        fclose(ptsv);
    }

    store_global_init();
    /* BENCH_REUSE=1 searches a database left by an earlier run with the same
     * N (the data are deterministic), for profiling the queries alone. */
    bool reuse = getenv("BENCH_REUSE") != NULL;
    if (!reuse) {
        remove(db);
    }
    struct store *s = NULL;
    struct err e = ERR_INIT;
    if (store_open(db, 0, &s, &e) != E_OK) {
        fprintf(stderr, "search_bench: %s\n", e.msg);
        return 1;
    }
    FILE *in = fopen(bundle_path, "r");
    struct import_report rep;
    struct diags problems = DIAGS_INIT;
    struct diags notes = DIAGS_INIT;
    double t0 = now_ms();
    enum app_err rc = reuse ? E_OK : service_import(s, in, &rep, &problems, &notes, &e);
    double t_import = now_ms() - t0;
    fclose(in);
    if (rc != E_OK) {
        fprintf(stderr, "search_bench: import: %s\n", e.msg);
        return 1;
    }
    size_t dup_notes = notes.total;
    diags_release(&notes);
    diags_release(&problems);
    t0 = now_ms();
    size_t persons = 0;
    if (!reuse && service_reindex(s, &persons, NULL, &e) != E_OK) {
        fprintf(stderr, "search_bench: reindex: %s\n", e.msg);
        return 1;
    }
    double t_reindex = now_ms() - t0;

    /* Queries: planted variants of stored names in another writing. */
    double *lat = calloc(q, sizeof *lat);
    size_t at1 = 0;
    size_t at10 = 0;
    size_t exact1 = 0;
    for (size_t k = 0; k < q; k++) {
        size_t target = (size_t)(((uint64_t)k * 2654435761u) % n);
        enum style st;
        do {
            st = (enum style)pick(STYLE_COUNT);
        } while (st == reg_style[target] ||
                 (reg_style[target] == KK_CYRL && st == RU_CYRL && pick(2)));
        bool swap = pick(10) < 3;
        bool typo = pick(10) < 2;
        char query[256];
        render(&ids[target], st, swap, typo, query, sizeof query);
        if (qtsv) {
            fprintf(qtsv, "%s\tp%zu\t%s|%s|%d\n", query, target, ids[target].given, ids[target].sur,
                    (int)ids[target].suf);
        }
        struct arena a = ARENA_INIT;
        struct search_hit *h = NULL;
        size_t nh = 0;
        t0 = now_ms();
        rc = service_search_persons(s, query, 10, 0, NULL, &a, &h, &nh, &e);
        lat[k] = now_ms() - t0;
        if (rc != E_OK) {
            fprintf(stderr, "search_bench: search '%s': %s\n", query, e.msg);
            return 1;
        }
        if (getenv("BENCH_VERBOSE")) {
            size_t pid = nh ? (size_t)strtoul(h[0].id + 1, &end, 10) : 0;
            if (!nh || pid != target) {
                char reg[256];
                render(&ids[target], reg_style[target], false, false, reg, sizeof reg);
                fprintf(stderr, "miss: %s (want p%zu %s) got %s %.3f %s\n", query, target, reg,
                        nh ? h[0].id : "-", nh ? h[0].score : 0.0, nh ? h[0].why : "");
            }
        }
        /* A result is right when it is the target or a person with the very
         * same generated name (the data may hold namesakes). */
        for (size_t r = 0; r < nh; r++) {
            size_t pid = (size_t)strtoul(h[r].id + 1, &end, 10);
            bool same = pid == target || (strcmp(ids[pid].given, ids[target].given) == 0 &&
                                          strcmp(ids[pid].sur, ids[target].sur) == 0 &&
                                          ids[pid].suf == ids[target].suf);
            if (same) {
                at1 += r == 0;
                exact1 += r == 0 && pid == target;
                at10++;
                break;
            }
        }
        arena_release(&a);
    }
    if (qtsv) {
        fclose(qtsv);
    }
    qsort(lat, q, sizeof *lat, cmp_double);
    double sum = 0;
    for (size_t k = 0; k < q; k++) {
        sum += lat[k];
    }
    printf("persons                 %zu (import %.1f s, %.0f persons/s, %zu duplicate notes)\n", n,
           t_import / 1e3, (double)n / (t_import / 1e3), dup_notes);
    printf("key building (reindex)  %.1f s, %.0f persons/s\n", t_reindex / 1e3,
           (double)persons / (t_reindex / 1e3));
    printf("queries                 %zu planted variants\n", q);
    printf("recall@1                %.3f (%.3f the very same record)\n", (double)at1 / (double)q,
           (double)exact1 / (double)q);
    printf("recall@10               %.3f\n", (double)at10 / (double)q);
    printf("latency ms              mean %.2f  p50 %.2f  p95 %.2f  p99 %.2f  max %.2f\n",
           sum / (double)q, lat[q / 2], lat[(size_t)((double)q * 0.95)],
           lat[(size_t)((double)q * 0.99)], lat[q - 1]);
    free(lat);
    free(ids);
    free(reg_style);
    store_close(s);
    remove(bundle_path);
    return 0;
}
