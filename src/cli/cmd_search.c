/*
 * cmd_search.c: `refuge search` (persons by name across scripts, and full
 * text of cases, events and sources), `refuge dedup` (probable duplicate
 * persons), `refuge person merge`, `refuge reindex` and `refuge source-text`.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_internal.h"
#include "core/buf.h"
#include "service/auth.h"
#include "service/search.h"
#include "store/scan.h"

/* Writes s as a JSON string (UTF-8 kept, control characters escaped). */
static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\') {
            fputc('\\', out);
            fputc(*p, out);
        } else if (*p < 0x20) {
            fprintf(out, "\\u%04x", *p);
        } else {
            fputc(*p, out);
        }
    }
    fputc('"', out);
}

static bool parse_size(const char *s, size_t max, size_t *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1 || (unsigned long)v > max) {
        return false;
    }
    *out = (size_t)v;
    return true;
}

static bool parse_score(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v > 0 && v <= 1)) {
        return false;
    }
    *out = v;
    return true;
}

static void print_hits(const struct search_hit *h, size_t n, bool json, bool *first)
{
    for (size_t i = 0; i < n; i++) {
        if (json) {
            fputs(*first ? "\n  {\"type\": " : ",\n  {\"type\": ", stdout);
            json_string(stdout, h[i].type);
            fputs(", \"id\": ", stdout);
            json_string(stdout, h[i].id);
            printf(", \"score\": %.4f, \"name\": ", h[i].score);
            json_string(stdout, h[i].name);
            fputs(", \"why\": ", stdout);
            json_string(stdout, h[i].why);
            if (h[i].date) {
                fputs(", \"date\": ", stdout);
                json_string(stdout, h[i].date);
            }
            fputc('}', stdout);
        } else {
            printf("%-6s  %-7.3f %-24s %s%s%s\n        %s\n", h[i].type, h[i].score, h[i].id,
                   h[i].name ? h[i].name : "", h[i].date ? "  " : "", h[i].date ? h[i].date : "",
                   h[i].why ? h[i].why : "");
        }
        *first = false;
    }
}

static bool kind_named(const char *name, enum obj_kind *out)
{
    static const enum obj_kind kinds[] = {OBJ_CASE, OBJ_EVENT, OBJ_SOURCE};

    for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
        if (strcmp(name, obj_kind_name(kinds[i])) == 0 ||
            strcmp(name, obj_kind_list_name(kinds[i])) == 0) {
            *out = kinds[i];
            return true;
        }
    }
    return false;
}

int cmd_search(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"persons", no_argument, NULL, 'p'},    {"cases", no_argument, NULL, 'c'},
        {"text", no_argument, NULL, 't'},       {"limit", required_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'},       {"case", required_argument, NULL, 'C'},
        {"type", required_argument, NULL, 'T'}, {"from", required_argument, NULL, 'F'},
        {"to", required_argument, NULL, 'U'},   {0, 0, 0, 0}};
    bool persons = false;
    bool text = false;
    bool json = false;
    size_t limit = 20;
    struct text_filter f = {0};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            persons = true;
            break;
        case 'c':
            text = true;
            f.has_kind = true;
            f.kind = OBJ_CASE;
            break;
        case 't':
            text = true;
            break;
        case 'n':
            if (!parse_size(optarg, 1000, &limit)) {
                return cli_usage("search", "--limit must be a whole number from 1 to 1000");
            }
            break;
        case 'j':
            json = true;
            break;
        case 'C':
            f.case_id = optarg;
            text = true;
            break;
        case 'T':
            if (!kind_named(optarg, &f.kind)) {
                return cli_usage("search", "--type must be case, event or source");
            }
            f.has_kind = true;
            text = true;
            break;
        case 'F':
            f.from = optarg;
            text = true;
            break;
        case 'U':
            f.to = optarg;
            text = true;
            break;
        default:
            return cli_usage("search", "unknown option");
        }
    }
    if (optind + 1 != argc) {
        return cli_usage("search", "give one QUERY (quote it when it has spaces)");
    }
    if (persons && text) {
        return cli_usage("search", "--persons cannot be combined with text options");
    }
    const char *query = argv[optind];
    bool both = !persons && !text;
    struct err e = ERR_INIT;
    if (service_search_ensure(cli->store, &e) != E_OK) {
        return cli_fail(&e);
    }
    struct arena a = ARENA_INIT;
    struct search_hit *ph = NULL;
    struct search_hit *th = NULL;
    size_t np = 0;
    size_t nt = 0;
    enum app_err rc = E_OK;
    if (persons || both) {
        rc = service_search_persons(cli->store, query, limit, 0, NULL, &a, &ph, &np, &e);
        if (rc == E_INVALID && both) {
            rc = E_OK; /* no letters: maybe digits for the text search */
            e = (struct err)ERR_INIT;
        }
    }
    if (rc == E_OK && (text || both)) {
        rc = service_search_text(cli->store, query, &f, limit, &a, &th, &nt, &e);
        if (rc == E_INVALID && both && np) {
            rc = E_OK;
        }
    }
    if (rc != E_OK) {
        arena_release(&a);
        return cli_fail(&e);
    }
    bool first = true;
    if (json) {
        fputc('[', stdout);
    }
    print_hits(ph, np, json, &first);
    print_hits(th, nt, json, &first);
    if (json) {
        fputs(first ? "]\n" : "\n]\n", stdout);
    } else if (first) {
        printf("nothing found for \"%s\"\n", query);
    }
    arena_release(&a);
    return 0;
}

/* Prints the pairs of `refuge dedup` as service_dedup hands them over. */
struct dedup_print {
    bool json;
    size_t n;
};

static bool dedup_print_pair(void *ctx, const struct dedup_pair *p)
{
    struct dedup_print *pr = ctx;
    if (pr->json) {
        fputs(pr->n ? ",\n  {\"a\": " : "[\n  {\"a\": ", stdout);
        json_string(stdout, p->a);
        fputs(", \"b\": ", stdout);
        json_string(stdout, p->b);
        printf(", \"score\": %.4f, \"name_a\": ", p->score);
        json_string(stdout, p->name_a);
        fputs(", \"name_b\": ", stdout);
        json_string(stdout, p->name_b);
        fputs(", \"reasons\": ", stdout);
        json_string(stdout, p->reasons);
        fputc('}', stdout);
    } else {
        printf("%.3f  %s (%s)  ~  %s (%s)\n       %s\n", p->score, p->a, p->name_a, p->b, p->name_b,
               p->reasons);
    }
    pr->n++;
    return !ferror(stdout); /* stop when the output cannot be written */
}

int cmd_dedup(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"threshold", required_argument, NULL, 't'},
                                         {"json", no_argument, NULL, 'j'},
                                         {0, 0, 0, 0}};
    double threshold = 0.85;
    bool json = false;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 't') {
            if (!parse_score(optarg, &threshold)) {
                return cli_usage("dedup", "--threshold must be a number above 0 and at most 1");
            }
        } else if (c == 'j') {
            json = true;
        } else {
            return cli_usage("dedup", "unknown option");
        }
    }
    if (optind != argc) {
        return cli_usage("dedup", "unexpected argument '%s'", argv[optind]);
    }
    struct err e = ERR_INIT;
    if (service_search_ensure(cli->store, &e) != E_OK) {
        return cli_fail(&e);
    }
    struct dedup_print pr = {.json = json};
    /* service_dedup fails, if at all, before it hands over the first pair:
     * nothing is printed then. */
    if (service_dedup(cli->store, threshold, dedup_print_pair, &pr, &e) != E_OK) {
        return cli_fail(&e);
    }
    if (json) {
        fputs(pr.n ? "\n]\n" : "[]\n", stdout);
    } else if (!pr.n) {
        printf("no probable duplicates at threshold %.2f\n", threshold);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        err_set(&e, E_IO, "dedup: writing the output failed after %zu pairs", pr.n);
        return cli_fail(&e);
    }
    return 0;
}

int cmd_person(struct cli *cli, int argc, char **argv)
{
    if (argc != 4 || strcmp(argv[1], "merge") != 0) {
        return cli_usage("person", "expected: person merge KEEP OTHER");
    }
    struct err e = ERR_INIT;
    if (service_search_ensure(cli->store, &e) != E_OK) {
        return cli_fail(&e);
    }
    struct principal who = auth_local_principal();
    if (service_person_merge(cli->store, argv[2], argv[3], &who, "cli", &e) != E_OK) {
        return cli_fail(&e);
    }
    printf("merged person %s into %s\n", argv[3], argv[2]);
    return 0;
}

int cmd_reindex(struct cli *cli, int argc, char **argv)
{
    if (argc != 1) {
        return cli_usage("reindex", "unexpected argument '%s'", argv[1]);
    }
    struct err e = ERR_INIT;
    size_t persons = 0;
    size_t docs = 0;
    if (service_reindex(cli->store, &persons, &docs, &e) != E_OK) {
        return cli_fail(&e);
    }
    printf("indexed the names of %zu person%s and the text of %zu case%s, events and sources\n",
           persons, persons == 1 ? "" : "s", docs, docs == 1 ? "" : "s");
    /* The objects' stored JSON text (src/store/encoded.c): rewritten where
     * it is missing or differs from a fresh encoding. */
    struct store_json_stats js;
    struct store_scan_stats sc;
    enum app_err rc = store_begin(cli->store, &e);
    if (rc == E_OK) {
        rc = store_json_check(cli->store, true, &js, &e);
        /* and the facts a check of every case reads (store/scan.c) */
        rc = rc == E_OK ? store_scan_check(cli->store, true, &sc, &e) : rc;
        rc = rc == E_OK ? store_commit(cli->store, &e) : rc;
        if (rc != E_OK) {
            store_rollback(cli->store);
        }
    }
    if (rc != E_OK) {
        return cli_fail(&e);
    }
    printf("stored the JSON text of %lld of %lld objects (%lld missing, %lld differing)\n",
           (long long)js.fixed, (long long)js.objects, (long long)js.missing, (long long)js.stale);
    printf("packed the checks' facts of %lld of %lld events (%lld missing, %lld differing); "
           "removed %lld rows of no event\n",
           (long long)(sc.missing + sc.stale), (long long)sc.events, (long long)sc.missing,
           (long long)sc.stale, (long long)sc.orphans);
    return 0;
}

int cmd_source_text(struct cli *cli, int argc, char **argv)
{
    if (argc != 3) {
        return cli_usage("source-text", "expected: source-text SOURCE FILE|-|--remove");
    }
    struct err e = ERR_INIT;
    char *text = NULL;
    if (strcmp(argv[2], "--remove") != 0) {
        FILE *in = strcmp(argv[2], "-") == 0 ? stdin : fopen(argv[2], "rb");
        if (!in) {
            cli_errorf("cannot open '%s': %s", argv[2], strerror(errno));
            return 66;
        }
        struct buf b = BUF_INIT;
        char chunk[65536];
        size_t got;
        while ((got = fread(chunk, 1, sizeof chunk, in)) > 0) {
            buf_add(&b, chunk, got);
        }
        bool failed = ferror(in);
        if (in != stdin) {
            fclose(in);
        }
        if (failed) {
            buf_release(&b);
            cli_errorf("cannot read '%s'", argv[2]);
            return 74;
        }
        buf_addch(&b, '\0');
        if (strlen(b.data) + 1 != b.len) {
            buf_release(&b);
            cli_errorf("'%s' is not plain text (it contains NUL bytes)", argv[2]);
            return 65;
        }
        text = buf_detach(&b);
    }
    bool removing = text == NULL;
    enum app_err rc = service_source_text(cli->store, argv[1], text, &e);
    free(text);
    if (rc != E_OK) {
        return cli_fail(&e);
    }
    printf(removing ? "removed the text of source %s\n"
                    : "indexed the text attached to source %s\n",
           argv[1]);
    return 0;
}
