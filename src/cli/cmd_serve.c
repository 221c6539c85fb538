/*
 * cmd_serve.c: `refuge serve`: the HTTP API and web interface.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli_internal.h"
#include "http/http.h"
#include "http/router.h"

static bool parse_size(const char *s, size_t *out)
{
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s) {
        return false;
    }
    if (*end == 'K' || *end == 'k') {
        v <<= 10;
        end++;
    } else if (*end == 'M' || *end == 'm') {
        v <<= 20;
        end++;
    }
    if (*end || v == 0 || v > (1ULL << 32)) {
        return false;
    }
    *out = (size_t)v;
    return true;
}

int cmd_serve(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"listen", required_argument, NULL, 'l'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"max-body", required_argument, NULL, 'b'},
                                         {"port-file", required_argument, NULL, 'p'},
                                         {"trust-proxy-tls", no_argument, NULL, 'T'},
                                         {"session-idle", required_argument, NULL, 's'},
                                         {"login-window", required_argument, NULL, 'w'},
                                         {"idle-lock", required_argument, NULL, 'i'},
                                         {0, 0, 0, 0}};
    struct http_config cfg = {
        .host = "127.0.0.1",
        .port = 8080,
        .db_path = cli->db_path,
        .key = cli->key,
        .max_body = 32u << 20,
        .threads = 4,
        .session_idle_minutes = 30,
        .idle_lock_seconds = 30 * 60,
    };
    bool idle_lock_given = false;
    struct err e = ERR_INIT;
    int c;
    while ((c = getopt_long(argc, argv, "l:t:b:p:Ts:w:i:", opts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'l':
            if (http_parse_listen(optarg, &cfg, &e) != E_OK) {
                return cli_usage("serve", "%s", e.msg);
            }
            break;
        case 't': {
            unsigned long t = strtoul(optarg, &end, 10);
            if (end == optarg || *end || t < 1 || t > 64) {
                return cli_usage("serve", "--threads must be 1-64");
            }
            cfg.threads = (unsigned)t;
            break;
        }
        case 'b':
            if (!parse_size(optarg, &cfg.max_body)) {
                return cli_usage("serve", "--max-body must be a size such as 32M");
            }
            break;
        case 'p':
            cfg.port_file = optarg;
            break;
        case 'T':
            cfg.trust_proxy_tls = true;
            break;
        case 's': {
            unsigned long m = strtoul(optarg, &end, 10);
            if (end == optarg || *end || m < 1 || m > 24 * 60) {
                return cli_usage("serve", "--session-idle must be 1-1440 minutes");
            }
            cfg.session_idle_minutes = (unsigned)m;
            break;
        }
        case 'w': {
            unsigned long w = strtoul(optarg, &end, 10);
            if (end == optarg || *end || w < 1 || w > 24 * 3600) {
                return cli_usage("serve", "--login-window must be 1-86400 seconds");
            }
            cfg.login_window = (unsigned)w;
            break;
        }
        case 'i': {
            /* Minutes, or seconds with an "s" (tests, demonstrations). */
            unsigned long v = strtoul(optarg, &end, 10);
            unsigned long secs = v * 60;
            if (end != optarg && (*end == 's' || *end == 'm') && end[1] == '\0') {
                secs = *end == 's' ? v : v * 60;
                end++;
            }
            if (end == optarg || *end || optarg[0] == '-' || v > 7 * 24 * 3600 ||
                secs > 7 * 24 * 3600) {
                return cli_usage("serve", "--idle-lock must be minutes (\"30\") or seconds "
                                          "(\"90s\"), at most a week; 0: never");
            }
            cfg.idle_lock_seconds = (unsigned)secs;
            idle_lock_given = true;
            break;
        }
        default:
            return cli_usage("serve", "unknown option");
        }
    }
    if (optind != argc) {
        return cli_usage("serve", "unexpected argument '%s'", argv[optind]);
    }
    if (!cli->key && idle_lock_given && cfg.idle_lock_seconds) {
        return cli_usage("serve", "--idle-lock needs an encrypted database (this one is plaintext: "
                                  "it has no key to lock)");
    }
    /* The passphrase is not needed again: unlocking after a lock asks for
     * one anew. */
    if (cli->pass) {
        sodium_free(cli->pass);
        cli->pass = NULL;
        cli->pass_len = 0;
    }
    /* Start-up self-check (a full check is `refuge doctor`). */
    if (store_verify(cli->store, false, &e) != E_OK) {
        return cli_fail(&e);
    }
    struct store_crypt_stats cs;
    store_crypt_stats(&cs);
    if (cs.mac_fail_wal || cs.mac_fail_journal) {
        cli_errorf("warning: %llu WAL frame(s) and %llu journal page(s) failed authentication "
                   "while opening and were dropped: normal once after a crash or power cut; "
                   "otherwise the files were changed (run 'refuge doctor')",
                   (unsigned long long)cs.mac_fail_wal, (unsigned long long)cs.mac_fail_journal);
    }
    /* The dispatcher opened the store to create and migrate it; workers open their own. */
    store_close(cli->store);
    cli->store = NULL;
    if (http_serve(&cfg, &e) != E_OK) {
        return cli_fail(&e);
    }
    return 0;
}

int cmd_test_routes(struct cli *cli, int argc, char **argv)
{
    (void)cli;
    bool flags = argc == 2 && strcmp(argv[1], "--flags") == 0;
    if (argc > 1 && !flags) {
        return cli_usage("test-routes", "the only option is --flags");
    }

    static const struct {
        unsigned flag;
        const char *name;
    } names[] = {{R_PUBLIC, "public"},    {R_WRITE, "write"},   {R_ADMIN, "admin"},
                 {R_JSON_BODY, "json"},   {R_OBJECT, "object"}, {R_BIG_BODY, "big"},
                 {R_SNAPSHOT, "snapshot"}};

    size_t n;
    const struct route *routes = router_routes(&n);
    for (size_t i = 0; i < n; i++) {
        printf("%s %s", routes[i].method, routes[i].pattern);
        if (flags) {
            /* METHOD PATTERN FLAGS KIND, FLAGS a comma list or "-". */
            const char *sep = " ";
            for (size_t f = 0; f < ARRAY_LEN(names); f++) {
                if (routes[i].flags & names[f].flag) {
                    printf("%s%s", sep, names[f].name);
                    sep = ",";
                }
            }
            printf("%s %s", *sep == ' ' ? " -" : "", obj_kind_name(routes[i].kind));
        }
        putchar('\n');
    }
    return 0;
}
