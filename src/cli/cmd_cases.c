/*
 * cmd_cases.c: `refuge cases` and `refuge show`: reading cases.
 */
#include <getopt.h>
#include <string.h>

#include "cli/cli_internal.h"
#include "domain/model.h"
#include "render/render.h"
#include "service/service.h"

int cmd_cases(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'}, {"status", required_argument, NULL, 's'}, {0, 0, 0, 0}};
    bool json = false;
    const char *status = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "js:", opts, NULL)) != -1) {
        if (c == 'j') {
            json = true;
        } else if (c == 's') {
            status = optarg;
            if (!vocab_has(vocab_case_status, status)) {
                return cli_usage("cases", "--status must be open, monitoring or closed");
            }
        } else {
            return cli_usage("cases", "unknown option");
        }
    }
    if (optind != argc) {
        return cli_usage("cases", "unexpected argument '%s'", argv[optind]);
    }
    struct arena a = ARENA_INIT;
    struct case_ *cases;
    size_t n;
    struct err e = ERR_INIT;
    if (service_list_cases(cli->store, status, &a, &cases, &n, &e) != E_OK) {
        arena_release(&a);
        return cli_fail(&e);
    }
    struct case_row *rows = arena_alloc(&a, (n + 1) * sizeof *rows);
    for (size_t i = 0; i < n; i++) {
        rows[i] = (struct case_row){cases[i].id,     cases[i].title,  cases[i].state,
                                    cases[i].status, cases[i].opened, cases[i].subjects.n_items};
    }
    if (json) {
        render_cases_json(rows, n, stdout);
    } else {
        render_cases_text(rows, n, stdout);
    }
    arena_release(&a);
    return 0;
}

int cmd_show(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {0, 0, 0, 0}};
    bool json = false;
    int c;
    while ((c = getopt_long(argc, argv, "j", opts, NULL)) != -1) {
        if (c == 'j') {
            json = true;
        } else {
            return cli_usage("show", "unknown option");
        }
    }
    if (optind + 1 != argc) {
        return cli_usage("show", "show takes one case id");
    }
    struct arena a = ARENA_INIT;
    struct case_view v;
    struct err e = ERR_INIT;
    if (service_load_case(cli->store, argv[optind], &a, &v, &e) != E_OK) {
        arena_release(&a);
        return cli_fail(&e);
    }
    if (json) {
        render_case_json(&v, stdout);
    } else {
        render_case_text(&v, stdout);
    }
    arena_release(&a);
    return 0;
}
