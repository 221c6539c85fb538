/*
 * cmd_check.c: `refuge check` (findings, and their history) and
 * `refuge rules` (the rules in plain words).
 */
#include <getopt.h>
#include <string.h>

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

int cmd_check(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"case", required_argument, NULL, 'c'},
                                         {"as-of", required_argument, NULL, 'a'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"explain", no_argument, NULL, 'x'},
                                         {"history", required_argument, NULL, 'H'},
                                         {"no-record", no_argument, NULL, 'n'},
                                         {0, 0, 0, 0}};
    struct check_request rq = {.as_of = date_today(), .record = true};
    bool json = false;
    bool explain = false;
    const char *history_case = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "c:a:jxH:n", opts, NULL)) != -1) {
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
    struct arena a = ARENA_INIT;
    struct check_outcome o;
    struct err e = ERR_INIT;
    if (service_check(cli->store, &rq, &a, &o, &e) != E_OK) {
        arena_release(&a);
        return cli_fail(&e);
    }
    if (json) {
        struct buf b = BUF_INIT;
        render_findings_json(&o, explain, &b);
        fwrite(b.data, 1, b.len, stdout);
        buf_release(&b);
    } else {
        render_findings_text(&o, rq.as_of, stdout);
    }
    arena_release(&a);
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
