/*
 * cmd_admin.c: `refuge user`, `refuge token`, `refuge case` and `refuge
 * audit`: accounts, API tokens, case assignments and the audit trail from
 * the command line.
 *
 * Whoever runs these can open the database file, so they act as the local
 * administrator (the principal "cli"); every change they make is audited
 * under that name. Decisions and storage are in service/auth.c; this file
 * parses arguments, reads passwords from standard input and prints.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli_internal.h"
#include "service/auth.h"

static const char local_address[] = "local";

/* ---- output helpers ---- */

/* Writes s with control characters replaced by '?', so stored text cannot
 * drive the terminal. NULL prints as "-". */
static void put_safe(const char *s, FILE *out)
{
    if (!s) {
        fputc('-', out);
        return;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, out);
    }
}

/* Writes s as a JSON string (null for NULL). */
static void put_json(const char *s, FILE *out)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            fputs("\\\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                fprintf(out, "\\u%04x", *p);
            } else {
                fputc(*p, out);
            }
        }
    }
    fputc('"', out);
}

static void put_date(int64_t t, FILE *out)
{
    char buf[32];
    time_t tt = (time_t)t;
    struct tm tm;
    if (t > 0 && gmtime_r(&tt, &tm) && strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
        fputs(buf, out);
    } else {
        fputc('-', out);
    }
}

/* ---- passwords ---- */

/* Reads one line from standard input into buf (size n), without the line
 * end; with echo off when it is a terminal. False (and a message) when
 * there is none or it is too long. */
static bool read_password(const char *prompt, char *buf, size_t n)
{
    bool tty = isatty(STDIN_FILENO);
    struct termios saved;
    bool echo_off = false;
    if (tty) {
        fputs(prompt, stderr);
        fflush(stderr);
        if (tcgetattr(STDIN_FILENO, &saved) == 0) {
            struct termios quiet = saved;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }
    bool ok = fgets(buf, (int)n, stdin) != NULL;
    if (echo_off) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        fputc('\n', stderr);
    }
    if (!ok) {
        cli_errorf("no password on standard input");
        return false;
    }
    size_t len = strlen(buf);
    if (len && buf[len - 1] == '\n') {
        buf[--len] = '\0';
    } else if (!feof(stdin)) {
        auth_wipe(buf, n);
        cli_errorf("the password is longer than %d bytes", AUTH_PASSWORD_MAX);
        return false;
    }
    if (len && buf[len - 1] == '\r') {
        buf[--len] = '\0';
    }
    return true;
}

/* ---- refuge user ---- */

/* Parses "--role R" options after the subcommand; argv[0] is the subcommand. */
static int parse_role(const char *cmd, int argc, char **argv, bool want_user, enum role *role,
                      const char **user, const char **name)
{
    static const struct option opts[] = {{"role", required_argument, NULL, 'r'},
                                         {"user", required_argument, NULL, 'u'},
                                         {0, 0, 0, 0}};
    const char *role_text = NULL;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "r:u:", opts, NULL)) != -1) {
        if (c == 'r') {
            role_text = optarg;
        } else if (c == 'u' && want_user) {
            *user = optarg;
        } else {
            return cli_usage(cmd, "unknown option");
        }
    }
    if (optind + 1 != argc) {
        return cli_usage(cmd, "expected one name");
    }
    *name = argv[optind];
    if (!role_text || !role_parse(role_text, role)) {
        return cli_usage(cmd, "--role must be admin, coordinator, researcher or viewer");
    }
    return 0;
}

static enum app_err print_user_text(void *ctx, const struct auth_user_info *u)
{
    (void)ctx;
    put_safe(u->name, stdout);
    printf("\t%s\t%s\t", role_name(u->role), u->disabled ? "disabled" : "active");
    put_date(u->created, stdout);
    fputc('\n', stdout);
    return E_OK;
}

static enum app_err print_user_json(void *ctx, const struct auth_user_info *u)
{
    bool *first = ctx;
    fputs(*first ? "[\n  {\"name\": " : ",\n  {\"name\": ", stdout);
    *first = false;
    put_json(u->name, stdout);
    printf(", \"role\": \"%s\", \"disabled\": %s, \"created\": \"", role_name(u->role),
           u->disabled ? "true" : "false");
    put_date(u->created, stdout);
    fputs("\"}", stdout);
    return E_OK;
}

static int user_list(struct cli *cli, int argc, char **argv)
{
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else {
            return cli_usage("user", "unexpected argument '%s'", argv[i]);
        }
    }
    struct principal me = auth_local_principal();
    struct err e = ERR_INIT;
    bool first = true;
    enum app_err rc =
        auth_user_each(cli->store, &me, json ? print_user_json : print_user_text, &first, &e);
    if (json && rc == E_OK) {
        fputs(first ? "[]\n" : "\n]\n", stdout);
    }
    return rc == E_OK ? 0 : cli_fail(&e);
}

int cmd_user(struct cli *cli, int argc, char **argv)
{
    if (argc < 2) {
        return cli_usage("user", "user takes add, list, disable, passwd or lang");
    }
    const char *sub = argv[1];
    struct principal me = auth_local_principal();
    struct err e = ERR_INIT;
    enum app_err rc;
    if (strcmp(sub, "list") == 0) {
        return user_list(cli, argc - 1, argv + 1);
    }
    if (strcmp(sub, "disable") == 0) {
        if (argc != 3) {
            return cli_usage("user", "user disable takes one name");
        }
        rc = auth_user_disable(cli->store, &me, local_address, argv[2], &e);
        if (rc == E_OK) {
            printf("disabled %s (sessions ended)\n", argv[2]);
        }
        return rc == E_OK ? 0 : cli_fail(&e);
    }
    if (strcmp(sub, "lang") == 0) {
        if (argc != 4) {
            return cli_usage("user", "user lang takes a name and en or ru");
        }
        if (!auth_lang_valid(argv[3])) {
            return cli_usage("user", "the language must be en or ru");
        }
        rc = auth_user_set_lang(cli->store, &me, local_address, argv[2], argv[3], &e);
        if (rc == E_OK) {
            fputs("the interface language of ", stdout);
            put_safe(argv[2], stdout);
            printf(" is %s\n", argv[3]);
        }
        return rc == E_OK ? 0 : cli_fail(&e);
    }
    bool add = strcmp(sub, "add") == 0;
    if (!add && strcmp(sub, "passwd") != 0) {
        return cli_usage("user", "'%s' is not add, list, disable, passwd or lang", sub);
    }
    enum role role = ROLE_NONE;
    const char *name = NULL;
    if (add) {
        const char *unused = NULL;
        int status = parse_role("user", argc - 1, argv + 1, false, &role, &unused, &name);
        if (status) {
            return status;
        }
    } else {
        if (argc != 3) {
            return cli_usage("user", "user passwd takes one name");
        }
        name = argv[2];
    }
    char password[AUTH_PASSWORD_MAX + 2];
    if (!read_password("password: ", password, sizeof password)) {
        return 65;
    }
    rc = add ? auth_user_add(cli->store, &me, local_address, name, role, password, &e)
             : auth_user_passwd(cli->store, &me, local_address, name, password, &e);
    auth_wipe(password, sizeof password);
    if (rc != E_OK) {
        return cli_fail(&e);
    }
    if (add) {
        printf("added %s (%s)\n", name, role_name(role));
    } else {
        printf("changed the password of %s (sessions ended)\n", name);
    }
    return 0;
}

/* ---- refuge token ---- */

static enum app_err print_token(void *ctx, const struct auth_token_info *t)
{
    (void)ctx;
    put_safe(t->name, stdout);
    printf("\t%s\t", role_name(t->role));
    put_safe(t->user, stdout);
    fputs("\tcreated ", stdout);
    put_date(t->created, stdout);
    fputs("\tlast used ", stdout);
    put_date(t->last_used, stdout);
    fputs(t->revoked ? "\trevoked\n" : "\tactive\n", stdout);
    return E_OK;
}

int cmd_token(struct cli *cli, int argc, char **argv)
{
    if (argc < 2) {
        return cli_usage("token", "token takes add, list or revoke");
    }
    const char *sub = argv[1];
    struct principal me = auth_local_principal();
    struct err e = ERR_INIT;
    if (strcmp(sub, "list") == 0) {
        if (argc != 2) {
            return cli_usage("token", "token list takes no arguments");
        }
        return auth_token_each(cli->store, &me, print_token, NULL, &e) == E_OK ? 0 : cli_fail(&e);
    }
    if (strcmp(sub, "revoke") == 0) {
        if (argc != 3) {
            return cli_usage("token", "token revoke takes one name");
        }
        if (auth_token_revoke(cli->store, &me, local_address, argv[2], &e) != E_OK) {
            return cli_fail(&e);
        }
        printf("revoked %s\n", argv[2]);
        return 0;
    }
    if (strcmp(sub, "add") != 0) {
        return cli_usage("token", "'%s' is not add, list or revoke", sub);
    }
    enum role role = ROLE_NONE;
    const char *user = NULL;
    const char *name = NULL;
    int status = parse_role("token", argc - 1, argv + 1, true, &role, &user, &name);
    if (status) {
        return status;
    }
    char secret[AUTH_SECRET_CHARS + 1];
    if (auth_token_add(cli->store, &me, local_address, name, role, user, secret, &e) != E_OK) {
        return cli_fail(&e);
    }
    printf("%s\n", secret);
    auth_wipe(secret, sizeof secret);
    fprintf(stderr, "refuge: token %s (%s) created; it is shown only this once\n", name,
            role_name(role));
    return 0;
}

/* ---- refuge case ---- */

int cmd_case(struct cli *cli, int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[1], "assign") != 0 && strcmp(argv[1], "unassign") != 0)) {
        return cli_usage("case", "case takes assign CASE USER or unassign CASE USER");
    }
    bool assign = strcmp(argv[1], "assign") == 0;
    struct principal me = auth_local_principal();
    struct err e = ERR_INIT;
    enum app_err rc =
        assign ? auth_case_assign(cli->store, &me, local_address, argv[2], argv[3], &e)
               : auth_case_unassign(cli->store, &me, local_address, argv[2], argv[3], &e);
    if (rc != E_OK) {
        return cli_fail(&e);
    }
    printf("%s %s %s %s\n", assign ? "assigned" : "unassigned", argv[2], assign ? "to" : "from",
           argv[3]);
    return 0;
}

/* ---- refuge audit ---- */

static enum app_err print_audit_text(void *ctx, const struct audit_entry *a)
{
    (void)ctx;
    printf("%lld\t", (long long)a->seq);
    put_safe(a->time, stdout);
    fputc('\t', stdout);
    put_safe(a->user, stdout);
    fputc('\t', stdout);
    put_safe(a->address, stdout);
    fputc('\t', stdout);
    put_safe(a->action, stdout);
    fputc('\t', stdout);
    if (a->kind || a->object_id) {
        put_safe(a->kind, stdout);
        fputc(':', stdout);
        put_safe(a->object_id, stdout);
    } else {
        fputc('-', stdout);
    }
    if (a->detail) {
        fputc('\t', stdout);
        put_safe(a->detail, stdout);
    }
    fputc('\n', stdout);
    return E_OK;
}

static enum app_err print_audit_json(void *ctx, const struct audit_entry *a)
{
    bool *first = ctx;
    printf("%s  {\"seq\": %lld, \"time\": ", *first ? "[\n" : ",\n", (long long)a->seq);
    *first = false;
    put_json(a->time, stdout);
    fputs(", \"user\": ", stdout);
    put_json(a->user, stdout);
    fputs(", \"address\": ", stdout);
    put_json(a->address, stdout);
    fputs(", \"action\": ", stdout);
    put_json(a->action, stdout);
    fputs(", \"kind\": ", stdout);
    put_json(a->kind, stdout);
    fputs(", \"id\": ", stdout);
    put_json(a->object_id, stdout);
    fputs(", \"detail\": ", stdout);
    put_json(a->detail, stdout);
    printf(", \"hash\": \"%s\"}", a->hash);
    return E_OK;
}

/* Parses "SEQ:HASH". */
static bool parse_checkpoint(const char *s, int64_t *seq, const char **hex)
{
    int64_t v = 0;
    const char *p = s;
    if (*p < '0' || *p > '9') {
        return false;
    }
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (INT64_MAX - 9) / 10) {
            return false;
        }
        v = v * 10 + (*p - '0');
    }
    if (*p != ':') {
        return false;
    }
    *seq = v;
    *hex = p + 1;
    return true;
}

static int audit_verify_cmd(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"checkpoint", required_argument, NULL, 'c'},
                                         {0, 0, 0, 0}};
    const char *checkpoint = NULL;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        if (c == 'c') {
            checkpoint = optarg;
        } else {
            return cli_usage("audit", "unknown option");
        }
    }
    if (optind != argc) {
        return cli_usage("audit", "unexpected argument '%s'", argv[optind]);
    }
    int64_t cp_seq = 0;
    const char *cp_hex = NULL;
    if (checkpoint && !parse_checkpoint(checkpoint, &cp_seq, &cp_hex)) {
        return cli_usage("audit", "--checkpoint is SEQ:HASH, as printed by audit verify");
    }
    struct err e = ERR_INIT;
    int64_t bad = 0;
    int64_t n = 0;
    if (audit_verify(cli->store, &bad, &n, &e) != E_OK) {
        return cli_fail(&e);
    }
    if (bad) {
        cli_errorf("%s (first bad entry: %lld)", e.msg, (long long)bad);
        return 1;
    }
    if (checkpoint) {
        bool matches = false;
        if (audit_check_checkpoint(cli->store, cp_seq, cp_hex, &matches, &e) != E_OK) {
            return cli_fail(&e);
        }
        if (!matches) {
            cli_errorf("the audit log does not match the checkpoint at entry %lld: it was "
                       "rewritten (first bad entry: %lld)",
                       (long long)cp_seq, (long long)(cp_seq ? cp_seq : 1));
            return 1;
        }
    }
    int64_t head = 0;
    char hex[AUTH_HASH_HEX + 1];
    if (audit_head(cli->store, &head, hex, &e) != E_OK) {
        return cli_fail(&e);
    }
    printf("audit log intact: %lld entries%s\ncheckpoint %lld:%s\n", (long long)n,
           checkpoint ? ", checkpoint matches" : "", (long long)head, hex);
    return 0;
}

int cmd_audit(struct cli *cli, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "verify") == 0) {
        return audit_verify_cmd(cli, argc - 1, argv + 1);
    }
    static const struct option opts[] = {{"since", required_argument, NULL, 's'},
                                         {"user", required_argument, NULL, 'u'},
                                         {"json", no_argument, NULL, 'j'},
                                         {0, 0, 0, 0}};
    struct audit_filter f = {0};
    bool json = false;
    int c;
    while ((c = getopt_long(argc, argv, "s:u:j", opts, NULL)) != -1) {
        if (c == 's') {
            f.since = optarg;
        } else if (c == 'u') {
            f.user = optarg;
        } else if (c == 'j') {
            json = true;
        } else {
            return cli_usage("audit", "unknown option");
        }
    }
    if (optind != argc) {
        return cli_usage("audit", "unexpected argument '%s'", argv[optind]);
    }
    struct principal me = auth_local_principal();
    struct err e = ERR_INIT;
    bool first = true;
    enum app_err rc =
        audit_each(cli->store, &me, &f, json ? print_audit_json : print_audit_text, &first, &e);
    if (json && rc == E_OK) {
        fputs(first ? "[]\n" : "\n]\n", stdout);
    }
    return rc == E_OK ? 0 : cli_fail(&e);
}
