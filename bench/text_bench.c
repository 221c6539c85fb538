/*
 * text_bench.c: the full-text search benchmark (bench/text.sh, described in
 * bench/README.md). Generates N documents (cases: a title of 4 to 8 words
 * and a summary of 30 to 80) whose words follow a Zipf law over a vocabulary
 * of 30,000 synthetic words, imports them through the service layer (the
 * full-text index is written with them), then times top-10 queries of three
 * classes through service_search_text (the function `refuge search --text`
 * and the API use): rare words (in a few hundred documents at most), common
 * words (in 30% to 99% of the documents) and two terms (a common and a
 * medium word, both required). For comparison in the same run it also times
 * the stock FTS5 ranking (bm25 over every match, no candidate bound) for
 * each query. Deterministic.
 *
 * usage: text_bench N Q DB [DOCS_TSV QUERIES_TSV]
 * The optional files receive the documents (id, title, body) and the
 * queries (class, query) for PostgreSQL and Lucene (bench/text_pg.sh,
 * bench/TextBench.java).
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
#include "store/search.h"
#include "store/store.h"

enum { VOCAB = 30000 };

static uint64_t rng_state = 0x7e47;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double unit(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

static const char *const syl[] = {
    "ka",  "ri", "so",  "mel", "ta",  "ne", "vo",  "lu",  "dar", "pe", "si",  "gor", "ba", "ti",
    "ran", "mo", "ze",  "ku",  "lin", "fa", "do",  "ser", "ha",  "ni", "pol", "ve",  "ju", "tam",
    "ro",  "bi", "sen", "ga",  "le",  "mu", "kor", "di",  "na",  "zu", "pa",  "hel"};

enum { NSYL = sizeof syl / sizeof syl[0] };

static char words[VOCAB][16];
static double cdf[VOCAB];

/* Word of rank r (0 = most common): one to three syllables, unique. */
static void make_vocab(void)
{
    double sum = 0;
    for (size_t r = 0; r < VOCAB; r++) {
        size_t a = r % NSYL;
        size_t b = (r / NSYL) % NSYL;
        size_t c = r / (NSYL * NSYL);
        snprintf(words[r], sizeof words[r], "%s%s%s", syl[a], syl[b], syl[c % NSYL]);
        sum += 1.0 / (double)(r + 1);
        cdf[r] = sum;
    }
    for (size_t r = 0; r < VOCAB; r++) {
        cdf[r] /= sum;
    }
}

static size_t zipf(void)
{
    double u = unit();
    size_t lo = 0;
    size_t hi = VOCAB - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cdf[mid] < u) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static void put_words(FILE *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s%s", i ? " " : "", words[zipf()]);
    }
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

static const char *const class_name[] = {"rare", "common", "two terms"};

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 6) {
        fprintf(stderr, "usage: text_bench N Q DB [DOCS_TSV QUERIES_TSV]\n");
        return 2;
    }
    size_t n = (size_t)strtoul(argv[1], NULL, 10);
    size_t q = (size_t)strtoul(argv[2], NULL, 10);
    if (n < 100 || q < 1) {
        fprintf(stderr, "text_bench: need N >= 100 and Q >= 1\n");
        return 2;
    }
    const char *db = argv[3];
    make_vocab();

    /* Documents: a bundle for refuge, the same text as TSV for the peers. */
    char bundle_path[4200];
    snprintf(bundle_path, sizeof bundle_path, "%s.bundle.json", db);
    FILE *bf = fopen(bundle_path, "w");
    char tsv_path[4200];
    snprintf(tsv_path, sizeof tsv_path, "%s.docs.tsv", db);
    FILE *tf = fopen(argc == 6 ? argv[4] : tsv_path, "w");
    if (!bf || !tf) {
        fprintf(stderr, "text_bench: cannot write %s\n", bundle_path);
        return 1;
    }
    /* The generator is run twice with the same seed, once per file, so both
     * hold the same words. */
    for (int pass = 0; pass < 2; pass++) {
        FILE *f = pass ? tf : bf;
        rng_state = 0x7e47;
        if (!pass) {
            fputs("{\"format\": \"refuge-bundle/1\", \"cases\": [\n", f);
        }
        for (size_t i = 0; i < n; i++) {
            size_t nt = 4 + (size_t)(rnd() % 5);
            size_t nb = 30 + (size_t)(rnd() % 51);
            if (pass) {
                fprintf(f, "c%zu\t", i);
                put_words(f, nt);
                fputc('\t', f);
                put_words(f, nb);
                fputc('\n', f);
            } else {
                fprintf(f, "%s{\"id\": \"c%zu\", \"state\": \"KZ\", \"title\": \"", i ? "," : "",
                        i);
                put_words(f, nt);
                fputs("\", \"summary\": \"", f);
                put_words(f, nb);
                fputs("\"}\n", f);
            }
        }
        if (!pass) {
            fputs("]}\n", f);
        }
    }
    fclose(bf);
    fclose(tf);
    if (argc != 6) {
        remove(tsv_path);
    }

    store_global_init();
    bool reuse = getenv("BENCH_REUSE") != NULL;
    if (!reuse) {
        remove(db);
    }
    struct store *s = NULL;
    struct err e = ERR_INIT;
    if (store_open(db, 0, &s, &e) != E_OK) {
        fprintf(stderr, "text_bench: %s\n", e.msg);
        return 1;
    }
    double t0 = now_ms();
    if (!reuse) {
        FILE *in = fopen(bundle_path, "r");
        struct import_report rep;
        struct diags problems = DIAGS_INIT;
        struct diags notes = DIAGS_INIT;
        enum app_err rc = service_import(s, in, &rep, &problems, &notes, &e);
        fclose(in);
        if (rc != E_OK) {
            fprintf(stderr, "text_bench: import: %s %s\n", e.msg,
                    problems.n_items ? problems.items[0].msg : "");
            return 1;
        }
        diags_release(&notes);
        diags_release(&problems);
    }
    double t_import = now_ms() - t0;
    remove(bundle_path);

    /* Queries: Q per class, the classes interleaved. */
    FILE *qf = argc == 6 ? fopen(argv[5], "w") : NULL;
    double *lat[3];
    double *stock[3];
    double *bounded[3];
    for (int c = 0; c < 3; c++) {
        lat[c] = calloc(q, sizeof *lat[c]);
        stock[c] = calloc(q, sizeof *stock[c]);
        bounded[c] = calloc(q, sizeof *bounded[c]);
    }
    size_t same_top[3] = {0};
    rng_state = 0x9e7;
    for (size_t k = 0; k < q; k++) {
        for (int c = 0; c < 3; c++) {
            char query[64];
            if (c == 0) {
                snprintf(query, sizeof query, "%s", words[3000 + rnd() % (VOCAB - 3000)]);
            } else if (c == 1) {
                snprintf(query, sizeof query, "%s", words[1 + rnd() % 9]);
            } else {
                snprintf(query, sizeof query, "%s %s", words[1 + rnd() % 9],
                         words[20 + rnd() % 180]);
            }
            if (qf) {
                fprintf(qf, "%s\t%s\n", class_name[c], query);
            }
            struct arena a = ARENA_INIT;
            struct search_hit *h = NULL;
            size_t nh = 0;
            t0 = now_ms();
            if (service_search_text(s, query, NULL, 10, &a, &h, &nh, &e) != E_OK) {
                fprintf(stderr, "text_bench: '%s': %s\n", query, e.msg);
                return 1;
            }
            lat[c][k] = now_ms() - t0;
            /* The stock ranking: bm25 over every match. */
            char match[128];
            if (c == 2) {
                char w1[32];
                char w2[32];
                sscanf(query, "%31s %31s", w1, w2);
                snprintf(match, sizeof match, "\"%s\" \"%s\"", w1, w2);
            } else {
                snprintf(match, sizeof match, "\"%s\"", query);
            }
            struct store_text_query sq = {.match = match, .limit = 10, .candidates = SIZE_MAX};
            struct store_text_hit *sh = NULL;
            size_t nsh = 0;
            t0 = now_ms();
            if (store_text_search(s, &sq, &a, &sh, &nsh, &e) != E_OK) {
                fprintf(stderr, "text_bench: stock '%s': %s\n", match, e.msg);
                return 1;
            }
            stock[c][k] = now_ms() - t0;
            const char *stock_top = nsh ? arena_strdup(&a, sh[0].id) : NULL;
            /* The store's bounded ranking alone (no snippets, no objects read). */
            sq.candidates = 0;
            t0 = now_ms();
            if (store_text_search(s, &sq, &a, &sh, &nsh, &e) != E_OK) {
                fprintf(stderr, "text_bench: '%s': %s\n", match, e.msg);
                return 1;
            }
            bounded[c][k] = now_ms() - t0;
            same_top[c] += nh > 0 && stock_top != NULL && strcmp(h[0].id, stock_top) == 0;
            arena_release(&a);
        }
    }
    if (qf) {
        fclose(qf);
    }
    printf("documents               %zu (import with the text index %.1f s)\n", n, t_import / 1e3);
    printf("%-10s %7s %9s %9s %11s %11s %11s %11s %9s\n", "class", "queries", "p50 ms", "p95 ms",
           "store p50", "store p95", "stock p50", "stock p95", "same top");
    for (int c = 0; c < 3; c++) {
        qsort(lat[c], q, sizeof *lat[c], cmp_double);
        qsort(stock[c], q, sizeof *stock[c], cmp_double);
        qsort(bounded[c], q, sizeof *bounded[c], cmp_double);
        size_t p95 = (size_t)((double)q * 0.95);
        printf("%-10s %7zu %9.2f %9.2f %11.2f %11.2f %11.2f %11.2f %8.0f%%\n", class_name[c], q,
               lat[c][q / 2], lat[c][p95], bounded[c][q / 2], bounded[c][p95], stock[c][q / 2],
               stock[c][p95], 100.0 * (double)same_top[c] / (double)q);
        free(bounded[c]);
        free(lat[c]);
        free(stock[c]);
    }
    store_close(s);
    return 0;
}
