/*
 * cmd_data.c: `refuge import` and `refuge export`: moving case bundles in
 * and out of the store.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_internal.h"
#include "service/service.h"

/* Removes a database this run created, so a failed first import leaves no file. */
static void remove_created(struct cli *cli)
{
    store_close(cli->store);
    cli->store = NULL;
    const char *suffixes[] = {"", "-wal", "-shm", "-journal", ".keys"};
    for (size_t i = 0; i < ARRAY_LEN(suffixes); i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s%s", cli->db_path, suffixes[i]);
        unlink(path);
    }
}

static void print_report(const char *name, const struct import_report *r)
{
    size_t ins = 0;
    size_t upd = 0;
    size_t same = 0;
    for (int k = 0; k < OBJ_KIND_COUNT; k++) {
        ins += r->inserted[k];
        upd += r->updated[k];
        same += r->unchanged[k];
    }
    printf("imported %s: %zu new, %zu updated, %zu unchanged\n", name, ins, upd, same);
    for (int k = 0; k < OBJ_KIND_COUNT; k++) {
        size_t total = r->inserted[k] + r->updated[k] + r->unchanged[k];
        if (total) {
            printf("  %-14s %zu new, %zu updated, %zu unchanged\n",
                   obj_kind_list_name((enum obj_kind)k), r->inserted[k], r->updated[k],
                   r->unchanged[k]);
        }
    }
}

int cmd_import(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"quiet", no_argument, NULL, 'q'}, {0, 0, 0, 0}};
    bool quiet = false;
    int c;
    while ((c = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
        if (c == 'q') {
            quiet = true;
        } else {
            return cli_usage("import", "unknown option");
        }
    }
    if (optind + 1 != argc) {
        return cli_usage("import", "import takes one file (or - for standard input)");
    }
    const char *name = argv[optind];
    FILE *in = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
    if (!in) {
        cli_errorf("cannot open '%s': %s", name, strerror(errno));
        if (cli->created) {
            remove_created(cli);
        }
        return 66;
    }
    struct import_report report;
    struct diags problems = DIAGS_INIT;
    struct diags notes = DIAGS_INIT;
    notes.cap = 20;
    struct err e = ERR_INIT;
    enum app_err rc = service_import(cli->store, in, &report, &problems, &notes, &e);
    if (in != stdin) {
        fclose(in);
    }
    int status = 0;
    if (!quiet) {
        cli_print_diags(&notes, "refuge: warning: ");
    }
    if (rc == E_OK) {
        if (!quiet) {
            print_report(name, &report);
        }
    } else {
        cli_print_diags(&problems, "refuge: ");
        status = cli_fail(&e);
        if (cli->created) {
            remove_created(cli);
        }
    }
    diags_release(&problems);
    diags_release(&notes);
    return status;
}

int cmd_export(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"case", required_argument, NULL, 'c'}, {0, 0, 0, 0}};
    const char *case_id = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        if (c == 'c') {
            case_id = optarg;
        } else {
            return cli_usage("export", "unknown option");
        }
    }
    if (optind != argc) {
        return cli_usage("export", "unexpected argument '%s'", argv[optind]);
    }
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    struct err e = ERR_INIT;
    if (service_export(cli->store, case_id, stdout, &e) != E_OK) {
        return cli_fail(&e);
    }
    return 0;
}
