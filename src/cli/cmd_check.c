/*
 * cmd_check.c: `refuge check` (findings, and their history) and
 * `refuge rules` (the rules in plain words).
 */
#include <getopt.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_internal.h"
#include "render/render.h"
#include "service/checks.h"

static int history(struct cli *cli, const char *case_id, bool json)
{
    struct arena a = ARENA_INIT;
    struct err e = ERR_INIT;
    if (!store_exists(cli->store, OBJ_CASE, case_id)) {
        cli_errorf("no case with id '%s'", case_id);
        return 1;
    }
    struct finding_period *p;
    size_t n;
    if (store_history_list(cli->store, case_id, &a, &p, &n, &e) != E_OK) {
        arena_release(&a);
        return cli_fail(&e);
    }
    if (json) {
        render_history_json(p, n, stdout);
    } else {
        render_history_text(p, n, stdout);
    }
    arena_release(&a);
    return 0;
}

struct print_ctx {
    bool json;
    bool explain;
    struct date as_of;
    size_t count;   /* findings printed */
    size_t cases;   /* cases checked */
    struct buf out; /* one batch's JSON text, kept for the next batch */
};

/* Renders one batch's JSON findings on the thread that checked it, each
 * after a comma (print_batch() drops the first one's). */
static void render_batch(void *ctx, const struct check_outcome *o, struct buf *out)
{
    const struct print_ctx *pc = ctx;
    size_t after_first = 1;
    render_findings_json_items(o, pc->explain, &after_first, out);
}

/* Prints one batch of findings as it arrives, so output starts at once and
 * memory does not grow with the number of cases. */
static enum app_err print_batch(void *ctx, const struct check_outcome *o)
{
    struct print_ctx *pc = ctx;
    pc->cases += o->n_views;
    if (pc->json && o->prepared) {
        size_t skip = pc->count == 0 && o->prepared->len ? 1 : 0; /* the first one's comma */
        fwrite(o->prepared->data + skip, 1, o->prepared->len - skip, stdout);
        pc->count += o->result.n_items;
    } else if (pc->json) {
        buf_reset(&pc->out);
        render_findings_json_items(o, pc->explain, &pc->count, &pc->out);
        fwrite(pc->out.data, 1, pc->out.len, stdout);
    } else if (o->result.n_items) {
        if (pc->count) {
            fputc('\n', stdout);
        }
        render_findings_text_groups(o, pc->as_of, stdout);
        pc->count += o->result.n_items;
    }
    return ferror(stdout) ? E_IO : E_OK;
}

/* Threads to check every case with: one per core, at most four (the
 * batches are small and the calling thread writes their findings). */
static unsigned check_threads(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 1u : cores > 4 ? 4u : (unsigned)cores;
}

int cmd_check(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"case", required_argument, NULL, 'c'},    {"as-of", required_argument, NULL, 'a'},
        {"json", no_argument, NULL, 'j'},          {"explain", no_argument, NULL, 'x'},
        {"history", required_argument, NULL, 'H'}, {"no-record", no_argument, NULL, 'n'},
        {"threads", required_argument, NULL, 't'}, {0, 0, 0, 0}};
    struct check_request rq = {.as_of = date_today(), .record = true};
    bool json = false;
    bool explain = false;
    const char *history_case = NULL;
    int c;
    unsigned threads = check_threads();
    while ((c = getopt_long(argc, argv, "c:a:jxH:nt:", opts, NULL)) != -1) {
        const char *why = NULL;
        switch (c) {
        case 'c':
            rq.case_id = optarg;
            break;
        case 'a':
            if (!date_parse(optarg, &rq.as_of, &why)) {
                return cli_usage("check", "--as-of \"%s\" %s", optarg, why);
            }
            break;
        case 'j':
            json = true;
            break;
        case 'x':
            explain = true;
            break;
        case 'H':
            history_case = optarg;
            break;
        case 'n':
            rq.record = false;
            break;
        case 't': {
            char *end;
            unsigned long n = strtoul(optarg, &end, 10);
            if (!*optarg || *end || optarg[0] == '-' || n < 1 || n > 64) {
                return cli_usage("check", "--threads \"%s\" is not a number from 1 to 64", optarg);
            }
            threads = (unsigned)n;
            break;
        }
        default:
            return cli_usage("check", "unknown option");
        }
    }
    if (optind != argc) {
        return cli_usage("check", "unexpected argument '%s'", argv[optind]);
    }
    if (history_case) {
        return history(cli, history_case, json);
    }
    rq.findings_only = json; /* the JSON findings use no view of the cases */
    rq.no_explanation = json && !explain;
    rq.threads = threads;
    rq.prepare = json ? render_batch : NULL;
    /* Each batch of cases allocates and frees tens of MiB: keep freed memory
     * in the process rather than giving it back to the kernel and faulting
     * it in again for the next batch (a third of the time of a run over
     * every case went to page faults). */
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    /* The threads that check batches take their memory where the reading
     * of the store left it free, not from arenas of their own. */
    mallopt(M_ARENA_MAX, 1);
    struct print_ctx pc = {.json = json, .explain = explain, .as_of = rq.as_of, .out = BUF_INIT};
    struct err e = ERR_INIT;
    if (rq.findings_only && !rq.case_id && rq.threads > 1) {
        /* A second connection, on which a thread reads the events while
         * this one reads the persons and cases; without it (say it cannot
         * be opened) this one reads them all. */
        struct err ignored = ERR_INIT;
        if (store_open_key(cli->db_path, STORE_READONLY | STORE_MUST_EXIST, cli->key, &rq.second,
                           &ignored) != E_OK) {
            rq.second = NULL;
        }
    }
    if (json) {
        fputc('[', stdout);
    }
    enum app_err rc = service_check_each(cli->store, &rq, print_batch, &pc, &e);
    store_close(rq.second);
    buf_release(&pc.out);
    if (rc != E_OK) {
        if (json) {
            fputs("]\n", stdout);
        }
        return cli_fail(&e);
    }
    if (json) {
        fputs(pc.count ? "\n]\n" : "]\n", stdout);
    } else if (pc.count == 0) {
        char asof[64];
        render_date_text(rq.as_of, false, asof, sizeof asof);
        printf("No findings as of %s (%zu case%s checked).\n", asof, pc.cases,
               pc.cases == 1 ? "" : "s");
    }
    return 0;
}

int cmd_rules(struct cli *cli, int argc, char **argv)
{
    (void)cli;
    if (argc > 1) {
        return cli_usage("rules", "rules takes no arguments");
    }
    (void)argv;
    render_rules_text(stdout);
    return 0;
}
