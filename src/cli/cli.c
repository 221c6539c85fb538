/*
 * cli.c: the command table, global options, and the dispatcher that opens
 * the store for the commands that need it. Each command lives in its own
 * cmd_*.c file and parses its own options.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "bundle/bundle.h"
#include "cli/cli_internal.h"
#include "store/keyring.h"

static int cmd_help(struct cli *cli, int argc, char **argv);
static int cmd_version(struct cli *cli, int argc, char **argv);

/* THE command table: `refuge help` and docs/cli.md follow it. */
static const struct cmd commands[] = {
    {"init", cmd_init, 0, "init [--plaintext] [--kdf-memory MiB] [--kdf-ops N]",
     "create an encrypted database and its keyring (prints a recovery code once)"},
    {"passwd", cmd_passwd, 0, "passwd [--new-passphrase-file F | --new-passphrase-fd N]",
     "change the passphrase of an encrypted database (or reset it with the recovery code)"},
    {"rekey", cmd_rekey, CMD_STORE | CMD_EXISTING, "rekey",
     "move the data to a new data key and destroy the old one (after a compromise)"},
    {"wipe", cmd_wipe, 0, "wipe --yes",
     "destroy the keyring (crypto-shredding) and delete the database"},
    {"backup", cmd_backup, CMD_STORE | CMD_EXISTING, "backup FILE",
     "copy the database to FILE (and its keyring to FILE.keys); the copy stays encrypted"},
    {"restore", cmd_restore, 0, "restore FILE",
     "restore a backup made by 'refuge backup' into a new database path"},
    {"doctor", cmd_doctor, CMD_STORE | CMD_EXISTING, "doctor",
     "check the database, its full-text index and the audit chain"},
    {"purge", cmd_purge, CMD_STORE | CMD_EXISTING, "purge",
     "erase what deleted records left in the database and its log (run with the server "
     "stopped)"},
    {"import", cmd_import, CMD_STORE, "import FILE|-", "import a case bundle (all or nothing)"},
    {"export", cmd_export, CMD_STORE | CMD_EXISTING, "export [--case ID]",
     "print cases as a bundle"},
    {"cases", cmd_cases, CMD_STORE | CMD_EXISTING, "cases [--status S] [--json]", "list cases"},
    {"show", cmd_show, CMD_STORE | CMD_EXISTING, "show CASE [--json]",
     "show a case: subjects, names and timeline"},
    {"check", cmd_check, CMD_STORE | CMD_EXISTING,
     "check [--case ID] [--as-of DATE] [--json [--explain]] [--history CASE] [--no-record]"
     " [--threads N]",
     "check cases against the state's obligations and list the findings"},
    {"rules", cmd_rules, 0, "rules", "list the rules the checks apply, in plain words"},
    {"serve", cmd_serve, CMD_STORE,
     "serve [--listen HOST:PORT] [--threads N] [--max-body SIZE] [--session-idle MIN] "
     "[--idle-lock MIN] "
     "[--login-window SECS]",
     "serve the JSON API and web interface (default 127.0.0.1:8080)"},
    {"user", cmd_user, CMD_STORE,
     "user add NAME --role R | list [--json] | disable NAME | passwd NAME | lang NAME en|ru",
     "manage accounts (passwords are read from standard input)"},
    {"token", cmd_token, CMD_STORE, "token add NAME --role R [--user U] | list | revoke NAME",
     "manage API tokens (a new token is printed once)"},
    {"case", cmd_case, CMD_STORE | CMD_EXISTING, "case assign|unassign CASE USER",
     "give a researcher access to a case, or take it away"},
    {"audit", cmd_audit, CMD_STORE | CMD_EXISTING,
     "audit [--since DATE] [--user NAME] [--json] | verify [--checkpoint SEQ:HASH]",
     "list the audit trail, or check that it is intact"},
    {"test-routes", cmd_test_routes, CMD_HIDDEN, "test-routes [--flags]",
     "print the HTTP route table (with --flags: each route's flags and object kind)"},
    {"statement", cmd_statement, CMD_STORE | CMD_EXISTING,
     "statement CASE [--kind public_statement|urgent_action|appeal] [--lang en|ru] "
     "[--format md|html|text] [--as-of DATE] [--to ID] [--templates DIR] [--record]",
     "draft a public statement, urgent action or appeal from a case"},
    {"action", cmd_action, CMD_STORE | CMD_EXISTING,
     "action add CASE --kind K [--date D] [--targets IDS] [--demands CODES] [--id ID] | "
     "done ACTION --outcome TEXT",
     "record an action taken on a case, or what came of it"},
    {"search", cmd_search, CMD_STORE | CMD_EXISTING,
     "search QUERY [--persons|--cases|--text] [--case ID] [--type T] [--from D] [--to D] "
     "[--limit N] [--json]",
     "find persons by name in any script, and cases, events and sources by their text"},
    {"dedup", cmd_dedup, CMD_STORE | CMD_EXISTING, "dedup [--threshold X] [--json]",
     "list pairs of persons that are probably the same, with reasons"},
    {"person", cmd_person, CMD_STORE | CMD_EXISTING, "person merge KEEP OTHER",
     "merge person OTHER into KEEP (names, events, cases, sources; audited)"},
    {"reindex", cmd_reindex, CMD_STORE | CMD_EXISTING, "reindex",
     "rebuild the name keys and the full-text index"},
    {"source-text", cmd_source_text, CMD_STORE | CMD_EXISTING, "source-text SOURCE FILE|-|--remove",
     "attach the plain text of a source's document, for full-text search"},
    {"source", cmd_source, CMD_STORE | CMD_EXISTING,
     "source attach SOURCE FILE [--media-type T] | extract SOURCE [SHA256] [-o FILE] | "
     "files SOURCE",
     "keep an evidence file with a source (content-addressed, never changed), or get it back"},
    {"verify", cmd_verify, CMD_STORE | CMD_EXISTING, "verify [--checkpoint FILE]",
     "recompute the tamper-evident log and check it against its checkpoints"},
    {"checkpoint", cmd_checkpoint, CMD_STORE | CMD_EXISTING, "checkpoint export [-o FILE] | key",
     "sign a checkpoint of the log to keep off the device, or print the public key"},
    {"evidence", cmd_evidence, 0,
     "evidence export SOURCE [SHA256] -o PACKAGE | verify PACKAGE [--key VKEY]",
     "write an evidence file with its proof as one file, or check one (no database needed)"},
    {"help", cmd_help, 0, "help [COMMAND]", "show help"},
    {"version", cmd_version, 0, "version", "print the version"},
};

void cli_errorf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("refuge: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_fail(const struct err *e)
{
    if (e->where[0]) {
        cli_errorf("%s: %s", e->where, e->msg);
    } else {
        cli_errorf("%s", e->msg[0] ? e->msg : err_default_message(e->code));
    }
    return err_exit_code(e->code);
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("refuge: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
        if (cmd && strcmp(commands[i].name, cmd) == 0) {
            fprintf(stderr, "usage: refuge [--db PATH] %s\n", commands[i].usage);
        }
    }
    return 64;
}

void cli_print_diags(const struct diags *d, const char *prefix)
{
    for (size_t i = 0; i < d->n_items; i++) {
        const struct diag_item *it = &d->items[i];
        if (it->where[0]) {
            fprintf(stderr, "%s%s: %s\n", prefix, it->where, it->msg);
        } else {
            fprintf(stderr, "%s%s\n", prefix, it->msg);
        }
    }
    if (d->total > d->n_items) {
        fprintf(stderr, "%s... and %zu more\n", prefix, d->total - d->n_items);
    }
}

static void print_help(FILE *out)
{
    fprintf(out, "refuge: case tracking and early warning for people at risk of refoulement\n\n"
                 "usage: refuge [--db PATH] [--passphrase-fd N] COMMAND [ARGS]\n\n"
                 "The database is --db PATH, else $REFUGE_DB, else ./refuge.db.\n"
                 "An encrypted database is unlocked with the passphrase read from\n"
                 "descriptor N, else the file named by $REFUGE_PASSPHRASE_FILE, else the\n"
                 "terminal.\n\n"
                 "Commands:\n");
    for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
        if (!(commands[i].flags & CMD_HIDDEN)) {
            fprintf(out, "  %-36s %s\n", commands[i].usage, commands[i].summary);
        }
    }
}

static int cmd_help(struct cli *cli, int argc, char **argv)
{
    (void)cli;
    if (argc > 1) {
        for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
            if (strcmp(commands[i].name, argv[1]) == 0) {
                printf("usage: refuge [--db PATH] %s\n\n%s\n", commands[i].usage,
                       commands[i].summary);
                return 0;
            }
        }
        return cli_usage(NULL, "no command '%s'", argv[1]);
    }
    print_help(stdout);
    return 0;
}

static int cmd_version(struct cli *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    (void)argv;
    printf("refuge %s\n", REFUGE_VERSION);
    return 0;
}

/* Finds a command by name or unambiguous prefix. */
static const struct cmd *find_command(const char *name)
{
    const struct cmd *found = NULL;
    size_t n = strlen(name);
    for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
        if (strcmp(commands[i].name, name) == 0) {
            return &commands[i];
        }
        if (strncmp(commands[i].name, name, n) == 0) {
            if (found) {
                return NULL;
            }
            found = &commands[i];
        }
    }
    return found;
}

/* The store's word before long work (an upgrade), on standard error so that
 * output meant for a pipe stays clean. */
static void say_notice(const char *msg)
{
    fprintf(stderr, "refuge: %s\n", msg);
}

int cli_main(int argc, char **argv)
{
    struct cli cli = {0};
    cli.passphrase_fd = -1;
    cli.db_path = getenv("REFUGE_DB");
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            cli.db_path = argv[++i];
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            cli.db_path = argv[i] + 5;
        } else if (strcmp(argv[i], "--passphrase-fd") == 0 && i + 1 < argc) {
            char *end = NULL;
            long fd = strtol(argv[++i], &end, 10);
            if (*end || end == argv[i] || fd < 0 || fd > 1024) {
                return cli_usage(NULL, "--passphrase-fd takes a file descriptor number");
            }
            cli.passphrase_fd = (int)fd;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_help(stdout);
            return 0;
        } else if (strcmp(argv[i], "--version") == 0) {
            return cmd_version(&cli, 0, NULL);
        } else {
            return cli_usage(NULL, "unknown option '%s' (see 'refuge help')", argv[i]);
        }
    }
    if (!cli.db_path || !*cli.db_path) {
        cli.db_path = "refuge.db";
    }
    if (i >= argc) {
        print_help(stderr);
        return 64;
    }
    const struct cmd *cmd = find_command(argv[i]);
    if (!cmd) {
        return cli_usage(NULL, "'%s' is not a refuge command (see 'refuge help')", argv[i]);
    }
    for (int j = i + 1; j < argc; j++) {
        if (strcmp(argv[j], "--help") == 0) {
            printf("usage: refuge [--db PATH] %s\n\n%s\n", cmd->usage, cmd->summary);
            return 0;
        }
    }
    int status;
    keyring_harden_process();
    /* A file grown past RLIMIT_FSIZE (a quota) fails the write with EFBIG,
     * which SQLite reports and rolls back, instead of killing the process
     * mid-transaction. */
    signal(SIGXFSZ, SIG_IGN);
    if (cmd->fn == cmd_serve && !store_zero_freed_memory()) {
        cli_errorf("warning: freed database memory will not be zeroed");
    }
    store_global_init();
    /* Objects' JSON text is stored with them (src/store/encoded.c). */
    store_set_encoder(bundle_encode_object);
    store_set_notice(say_notice);
    if (cmd->flags & CMD_STORE) {
        status = cli_open_store(&cli, cmd->flags);
        if (status != 0) {
            cli_close_keys(&cli);
            return status;
        }
    }
    optind = 0; /* each command parses its own options with getopt_long */
    status = cmd->fn(&cli, argc - i, argv + i);
    store_close(cli.store);
    cli_close_keys(&cli);
    return status;
}
