/*
 * cmd_statement.c: `refuge statement` (draft a public statement, urgent
 * action or appeal from a case, optionally recording it as an action) and
 * `refuge action add|done` (record what was asked of whom, and what came
 * of it). Writes go through the service layer and are audited.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "bundle/bundle.h"
#include "cli/cli_internal.h"
#include "draft/draft.h"
#include "service/auth.h"
#include "service/service.h"

/* Appends s as a JSON string. */
static void json_str(struct buf *b, const char *s)
{
    buf_addch(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            buf_addch(b, '\\');
            buf_addch(b, (char)*p);
        } else if (*p < 0x20) {
            buf_addf(b, "\\u%04x", *p);
        } else {
            buf_addch(b, (char)*p);
        }
    }
    buf_addch(b, '"');
}

static void json_strs(struct buf *b, const struct strs *s)
{
    buf_addch(b, '[');
    for (size_t i = 0; i < s->n_items; i++) {
        if (i) {
            buf_addch(b, ',');
        }
        json_str(b, s->items[i]);
    }
    buf_addch(b, ']');
}

/* The action as bundle JSON, unknown fields (extra) included. */
static void action_json(const struct action *act, struct buf *b)
{
    char iso[DATE_ISO_MAX];
    buf_adds(b, "{\"id\":");
    json_str(b, act->id);
    buf_adds(b, ",\"case\":");
    json_str(b, act->case_id);
    buf_adds(b, ",\"kind\":");
    json_str(b, act->kind);
    if (act->date.prec) {
        date_iso(act->date, iso);
        buf_adds(b, ",\"date\":");
        json_str(b, iso);
    }
    if (act->approx) {
        buf_adds(b, ",\"approx\":true");
    }
    buf_adds(b, ",\"targets\":");
    json_strs(b, &act->targets);
    buf_adds(b, ",\"demands\":");
    json_strs(b, &act->demands);
    if (act->outcome) {
        buf_adds(b, ",\"outcome\":");
        json_str(b, act->outcome);
    }
    if (act->extra) {
        const char *open = strchr(act->extra, '{');
        const char *close = strrchr(act->extra, '}');
        if (open && close && close > open + 1) {
            buf_addch(b, ',');
            buf_add(b, open + 1, (size_t)(close - open - 1));
        }
    }
    buf_addch(b, '}');
}

/* Decodes, stores (expected version) and audits an action. */
static int put_action(struct cli *cli, const struct action *act, int64_t expected, const char *verb)
{
    struct arena a = ARENA_INIT;
    struct buf json = BUF_INIT;
    action_json(act, &json);
    struct bundle_obj obj;
    struct diags problems = DIAGS_INIT;
    struct err e = ERR_INIT;
    int status = 0;
    enum app_err rc = bundle_decode_text(OBJ_ACTION, json.data, json.len, &a, &obj, &problems);
    int64_t version = 0;
    if (rc == E_OK) {
        rc = service_put_object(cli->store, &obj, expected, &version, &problems, &e);
    } else {
        err_set(&e, rc, "the action is not valid");
    }
    if (rc == E_OK) {
        struct principal who = auth_local_principal();
        rc = audit_record(cli->store, &who, NULL, verb, "action", act->id, act->case_id, &e);
    }
    if (rc != E_OK) {
        cli_print_diags(&problems, "refuge: action: ");
        status = cli_fail(&e);
    }
    diags_release(&problems);
    buf_release(&json);
    arena_release(&a);
    return status;
}

/* Splits "a,b,c" into an arena list (empty items dropped). */
static struct strs split_list(struct arena *a, const char *s)
{
    struct strs out = {0};
    if (!s) {
        return out;
    }
    size_t n = 1;
    for (const char *p = s; *p; p++) {
        n += *p == ',';
    }
    out.items = arena_alloc(a, n * sizeof *out.items);
    const char *p = s;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len && *p == ' ') {
            p++;
            len--;
        }
        while (len && p[len - 1] == ' ') {
            len--;
        }
        if (len) {
            out.items[out.n_items++] = arena_strndup(a, p, len);
        }
        p += len;
        while (*p == ' ') {
            p++;
        }
        if (*p == ',') {
            p++;
        }
    }
    return out;
}

/* A new action id: act-KIND-DATE, with -2, -3, ... when taken. */
static const char *new_action_id(struct cli *cli, struct arena *a, const char *kind, struct date d)
{
    char iso[DATE_ISO_MAX];
    date_iso(d, iso);
    char id[128];
    for (int n = 1; n < 1000; n++) {
        if (n == 1) {
            snprintf(id, sizeof id, "act-%.40s-%s", kind, iso);
        } else {
            snprintf(id, sizeof id, "act-%.40s-%s-%d", kind, iso, n);
        }
        if (!store_exists(cli->store, OBJ_ACTION, id)) {
            break;
        }
    }
    return arena_strdup(a, id);
}

int cmd_statement(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"kind", required_argument, NULL, 'k'},   {"lang", required_argument, NULL, 'l'},
        {"format", required_argument, NULL, 'f'}, {"as-of", required_argument, NULL, 'a'},
        {"to", required_argument, NULL, 't'},     {"templates", required_argument, NULL, 'T'},
        {"record", no_argument, NULL, 'r'},       {0, 0, 0, 0}};
    struct draft_request rq = {.kind = DRAFT_PUBLIC_STATEMENT,
                               .lang = DRAFT_EN,
                               .format = DRAFT_MD,
                               .as_of = date_today()};
    bool record = false;
    int c;
    while ((c = getopt_long(argc, argv, "k:l:f:a:t:T:r", opts, NULL)) != -1) {
        const char *why = NULL;
        switch (c) {
        case 'k':
            if (!draft_kind_parse(optarg, &rq.kind)) {
                return cli_usage("statement",
                                 "--kind must be public_statement, urgent_action or appeal");
            }
            break;
        case 'l':
            if (!draft_lang_parse(optarg, &rq.lang)) {
                return cli_usage("statement", "--lang must be en or ru");
            }
            break;
        case 'f':
            if (!draft_format_parse(optarg, &rq.format)) {
                return cli_usage("statement", "--format must be md, html or text");
            }
            break;
        case 'a':
            if (!date_parse(optarg, &rq.as_of, &why)) {
                return cli_usage("statement", "--as-of \"%s\" %s", optarg, why);
            }
            break;
        case 't':
            rq.to = optarg;
            break;
        case 'T':
            rq.templates_dir = optarg;
            break;
        case 'r':
            record = true;
            break;
        default:
            return cli_usage("statement", "unknown option");
        }
    }
    if (optind + 1 != argc) {
        return cli_usage("statement", "name one case");
    }
    rq.case_id = argv[optind];
    struct arena a = ARENA_INIT;
    struct buf out = BUF_INIT;
    struct draft_info info = {0};
    struct err e = ERR_INIT;
    enum app_err rc = draft_statement(cli->store, &rq, &a, &out, &info, &e);
    if (rc != E_OK) {
        buf_release(&out);
        arena_release(&a);
        return cli_fail(&e);
    }
    fwrite(out.data, 1, out.len, stdout);
    buf_release(&out);
    int status = 0;
    if (record) {
        struct action act = {.case_id = rq.case_id,
                             .kind = info.action_kind,
                             .date = rq.as_of,
                             .targets = info.targets,
                             .demands = info.demands};
        act.id = new_action_id(cli, &a, act.kind, rq.as_of);
        status = put_action(cli, &act, VERSION_NEW, "action.add");
        if (status == 0) {
            fprintf(stderr, "refuge: recorded action %s\n", act.id);
        }
    }
    arena_release(&a);
    return status;
}

static int action_add(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"kind", required_argument, NULL, 'k'},
                                         {"date", required_argument, NULL, 'd'},
                                         {"targets", required_argument, NULL, 't'},
                                         {"demands", required_argument, NULL, 'm'},
                                         {"outcome", required_argument, NULL, 'o'},
                                         {"id", required_argument, NULL, 'i'},
                                         {0, 0, 0, 0}};
    struct arena a = ARENA_INIT;
    struct action act = {.date = date_today()};
    int c;
    while ((c = getopt_long(argc, argv, "k:d:t:m:o:i:", opts, NULL)) != -1) {
        const char *why = NULL;
        switch (c) {
        case 'k':
            act.kind = optarg;
            break;
        case 'd':
            if (!date_parse(optarg, &act.date, &why)) {
                arena_release(&a);
                return cli_usage("action", "--date \"%s\" %s", optarg, why);
            }
            break;
        case 't':
            act.targets = split_list(&a, optarg);
            break;
        case 'm':
            act.demands = split_list(&a, optarg);
            break;
        case 'o':
            act.outcome = optarg;
            break;
        case 'i':
            act.id = optarg;
            break;
        default:
            arena_release(&a);
            return cli_usage("action", "unknown option");
        }
    }
    if (optind + 1 != argc || !act.kind) {
        arena_release(&a);
        return cli_usage("action", "action add takes one case and --kind");
    }
    act.case_id = argv[optind];
    if (!store_exists(cli->store, OBJ_CASE, act.case_id)) {
        arena_release(&a);
        cli_errorf("no case with id '%s'", act.case_id);
        return 1;
    }
    if (!act.id) {
        act.id = new_action_id(cli, &a, act.kind, act.date);
    }
    int status = put_action(cli, &act, VERSION_NEW, "action.add");
    if (status == 0) {
        printf("%s\n", act.id);
    }
    arena_release(&a);
    return status;
}

static int action_done(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"outcome", required_argument, NULL, 'o'}, {0, 0, 0, 0}};
    const char *outcome = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        if (c != 'o') {
            return cli_usage("action", "unknown option");
        }
        outcome = optarg;
    }
    if (optind + 1 != argc || !outcome || !*outcome) {
        return cli_usage("action", "action done takes one action and --outcome");
    }
    const char *id = argv[optind];
    struct arena a = ARENA_INIT;
    struct action act;
    struct err e = ERR_INIT;
    int64_t version = store_version(cli->store, OBJ_ACTION, id);
    if (!version) {
        arena_release(&a);
        cli_errorf("no action with id '%s'", id);
        return 1;
    }
    if (store_get(cli->store, OBJ_ACTION, id, &a, &act, &e) != E_OK) {
        arena_release(&a);
        return cli_fail(&e);
    }
    act.outcome = outcome;
    int status = put_action(cli, &act, version, "action.done");
    arena_release(&a);
    return status;
}

int cmd_action(struct cli *cli, int argc, char **argv)
{
    if (argc < 2) {
        return cli_usage("action", "action add or action done?");
    }
    if (strcmp(argv[1], "add") == 0) {
        return action_add(cli, argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "done") == 0) {
        return action_done(cli, argc - 1, argv + 1);
    }
    return cli_usage("action", "'%s' is not add or done", argv[1]);
}
