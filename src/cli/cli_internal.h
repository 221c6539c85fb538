/*
 * cli_internal.h: what the command files share: the invocation context, the
 * command table entry and helpers for messages and exit statuses.
 */
#ifndef REFUGE_CLI_CLI_INTERNAL_H
#define REFUGE_CLI_CLI_INTERNAL_H

#include <stdio.h>

#include "core/compat.h"
#include "core/diag.h"
#include "core/err.h"
#include "store/store.h"

struct cli {
    const char *db_path;      /* --db, $REFUGE_DB, or ./refuge.db */
    struct store *store;      /* opened by the dispatcher for CMD_STORE commands */
    bool created;             /* the database file did not exist before this run */
    int passphrase_fd;        /* --passphrase-fd N, or -1 */
    struct store_secret *key; /* the unlocked key of an encrypted store, or NULL */
    char *pass;               /* the passphrase that unlocked it (locked memory), or NULL */
    size_t pass_len;
};

enum cmd_flags {
    CMD_STORE = 1 << 0,    /* open (and create/migrate) the store */
    CMD_EXISTING = 1 << 1, /* the store must already exist */
    CMD_HIDDEN = 1 << 2,   /* not listed by help */
};

struct cmd {
    const char *name;
    int (*fn)(struct cli *cli, int argc, char **argv);
    unsigned flags;
    const char *usage;   /* "import FILE" */
    const char *summary; /* one line for `refuge help` */
};

/* Prints "refuge: message" on stderr. */
void cli_errorf(const char *fmt, ...) ATTR_PRINTF(1, 2);
/* Reports an error and returns its exit status. */
int cli_fail(const struct err *e);
/* Reports a usage problem for the command and returns 64. */
int cli_usage(const char *cmd, const char *fmt, ...) ATTR_PRINTF(2, 3);
/* Prints every problem ("where: message"), and how many were left out. */
void cli_print_diags(const struct diags *d, const char *prefix);

/* Opens (unlocking or creating) the store for a CMD_STORE command; returns 0
 * or the exit status of the failure, already reported. */
int cli_open_store(struct cli *cli, unsigned cmd_flags);
/* Zeroes and frees the key and passphrase. */
void cli_close_keys(struct cli *cli);

int cmd_init(struct cli *cli, int argc, char **argv);
int cmd_passwd(struct cli *cli, int argc, char **argv);
int cmd_rekey(struct cli *cli, int argc, char **argv);
int cmd_wipe(struct cli *cli, int argc, char **argv);
int cmd_backup(struct cli *cli, int argc, char **argv);
int cmd_restore(struct cli *cli, int argc, char **argv);
int cmd_doctor(struct cli *cli, int argc, char **argv);
int cmd_purge(struct cli *cli, int argc, char **argv);
int cmd_import(struct cli *cli, int argc, char **argv);
int cmd_export(struct cli *cli, int argc, char **argv);
int cmd_cases(struct cli *cli, int argc, char **argv);
int cmd_show(struct cli *cli, int argc, char **argv);
int cmd_check(struct cli *cli, int argc, char **argv);
int cmd_rules(struct cli *cli, int argc, char **argv);
int cmd_serve(struct cli *cli, int argc, char **argv);
int cmd_test_routes(struct cli *cli, int argc, char **argv);
int cmd_user(struct cli *cli, int argc, char **argv);
int cmd_token(struct cli *cli, int argc, char **argv);
int cmd_case(struct cli *cli, int argc, char **argv);
int cmd_audit(struct cli *cli, int argc, char **argv);
int cmd_statement(struct cli *cli, int argc, char **argv);
int cmd_action(struct cli *cli, int argc, char **argv);
int cmd_search(struct cli *cli, int argc, char **argv);
int cmd_dedup(struct cli *cli, int argc, char **argv);
int cmd_person(struct cli *cli, int argc, char **argv);
int cmd_reindex(struct cli *cli, int argc, char **argv);
int cmd_source_text(struct cli *cli, int argc, char **argv);
int cmd_source(struct cli *cli, int argc, char **argv);
int cmd_verify(struct cli *cli, int argc, char **argv);
int cmd_checkpoint(struct cli *cli, int argc, char **argv);
int cmd_evidence(struct cli *cli, int argc, char **argv);

#endif
