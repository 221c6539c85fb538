/*
 * cmd_purge.c: `refuge purge`: removes what deleted records left in the
 * database and its WAL (store_purge(), reliability.md B13), then checks the
 * store.
 */
#include <stdio.h>

#include "cli/cli_internal.h"

int cmd_purge(struct cli *cli, int argc, char **argv)
{
    if (argc > 1) {
        return cli_usage("purge", "unexpected argument '%s'", argv[1]);
    }
    struct err e = ERR_INIT;
    struct store_purge_report rep;
    if (store_purge(cli->store, &rep, &e) != E_OK) {
        return cli_fail(&e);
    }
    if (store_verify(cli->store, true, &e) != E_OK) {
        return cli_fail(&e);
    }
    printf("purged '%s': %lld pages (%lld of them free) rewritten as %lld; the write-ahead log "
           "is empty; integrity_check ok\n",
           cli->db_path, (long long)rep.pages_before, (long long)rep.free_before,
           (long long)rep.pages_after);
    printf("note: copies the file system or the disk kept of old blocks are beyond reach; "
           "'refuge wipe' destroys the keys to all of them\n");
    return 0;
}
