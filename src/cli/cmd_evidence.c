/*
 * cmd_evidence.c: `refuge source attach|extract|files`, `refuge verify`,
 * `refuge checkpoint export|key` and `refuge evidence export|verify`:
 * evidence files, the tamper-evident log and its checkpoints
 * (docs/evidence.md).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_internal.h"
#include "core/buf.h"
#include "proof/evidence.h"
#include "proof/note.h"
#include "service/auth.h"
#include "service/evidence.h"

/* Reads a whole file ("-" = standard input) of at most max bytes. Returns
 * 0, or the exit status after reporting the problem. */
static int read_all(const char *path, size_t max, struct buf *out)
{
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!in) {
        cli_errorf("cannot open '%s': %s", path, strerror(errno));
        return 66;
    }
    char chunk[65536];
    size_t got;
    bool too_big = false;
    while ((got = fread(chunk, 1, sizeof chunk, in)) > 0) {
        if (out->len + got > max) {
            too_big = true;
            break;
        }
        buf_add(out, chunk, got);
    }
    bool failed = ferror(in);
    if (in != stdin) {
        fclose(in);
    }
    if (too_big) {
        cli_errorf("'%s' is larger than %zu bytes", path, max);
        return 65;
    }
    if (failed) {
        cli_errorf("cannot read '%s'", path);
        return 74;
    }
    return 0;
}

/* Writes data to path through a temporary file in the same directory and
 * a rename, so that the file is either complete or absent; "-" or NULL
 * writes to standard output. Returns 0 or the exit status. */
static int write_all(const char *path, const void *data, size_t len)
{
    if (!path || strcmp(path, "-") == 0) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
            cli_errorf("cannot write to standard output");
            return 74;
        }
        return 0;
    }
    struct buf tmp = BUF_INIT;
    buf_addf(&tmp, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp.data);
    if (fd < 0) {
        cli_errorf("cannot create a file next to '%s': %s", path, strerror(errno));
        buf_release(&tmp);
        return 73;
    }
    const char *p = data;
    size_t left = len;
    bool ok = true;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            ok = false;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    ok = ok && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp.data, path) != 0) {
        cli_errorf("cannot write '%s': %s", path, strerror(errno));
        unlink(tmp.data);
        buf_release(&tmp);
        return 74;
    }
    buf_release(&tmp);
    return 0;
}

static void print_info(const char *verb, const struct evidence_info *i)
{
    printf("%s %s\n  source     %s\n  sha256     %s\n  blake2b    %s\n  size       %" PRIu64
           "\n  media type %s\n  added by   %s at %s\n  log leaf   %" PRId64 "\n",
           verb, i->c.filename, i->c.source, i->c.sha256, i->c.blake2b, i->c.size, i->c.media_type,
           i->c.added_by, i->c.time, i->leaf_index);
}

/* ---- refuge source ---- */

static int source_attach(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"media-type", required_argument, NULL, 't'},
                                         {0, 0, 0, 0}};
    const char *media_type = NULL;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "t:", opts, NULL)) != -1) {
        if (c == 't') {
            media_type = optarg;
        } else {
            return cli_usage("source", "unknown option");
        }
    }
    if (argc - optind != 2) {
        return cli_usage("source", "expected: source attach SOURCE FILE [--media-type T]");
    }
    const char *source = argv[optind], *path = argv[optind + 1];
    struct buf data = BUF_INIT;
    int st = read_all(path, EVIDENCE_MAX_BYTES, &data);
    if (st != 0) {
        buf_release(&data);
        return st;
    }
    struct principal me = auth_local_principal();
    struct evidence_info info;
    struct err e = ERR_INIT;
    enum app_err rc = evidence_attach(cli->store, &me, source, strcmp(path, "-") ? path : NULL,
                                      media_type, data.data, data.len, &info, &e);
    buf_release(&data);
    if (rc != E_OK) {
        return cli_fail(&e);
    }
    print_info("attached", &info);
    return 0;
}

static int source_extract(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'}, {0, 0, 0, 0}};
    const char *out = NULL;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        if (c == 'o') {
            out = optarg;
        } else {
            return cli_usage("source", "unknown option");
        }
    }
    if (argc - optind < 1 || argc - optind > 2) {
        return cli_usage("source", "expected: source extract SOURCE [SHA256] [-o FILE]");
    }
    const char *sha = argc - optind == 2 ? argv[optind + 1] : NULL;
    struct principal me = auth_local_principal();
    struct buf content = BUF_INIT;
    struct evidence_info info;
    struct err e = ERR_INIT;
    enum app_err rc = evidence_extract(cli->store, &me, argv[optind], sha, &content, &info, &e);
    int st = rc == E_OK ? write_all(out, content.data, content.len) : cli_fail(&e);
    buf_release(&content);
    if (st == 0 && out && strcmp(out, "-") != 0) {
        fprintf(stderr, "wrote %s (%" PRIu64 " bytes, sha256 %s, checked)\n", out, info.c.size,
                info.c.sha256);
    }
    return st;
}

static enum app_err print_file(void *ctx, const struct evidence_info *i)
{
    (void)ctx;
    printf("%s  %10" PRIu64 "  %s  %s  %s  %s\n", i->c.sha256, i->c.size, i->c.time, i->c.added_by,
           i->c.media_type, i->c.filename);
    return E_OK;
}

int cmd_source(struct cli *cli, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "attach") == 0) {
        return source_attach(cli, argc - 1, argv + 1);
    }
    if (argc >= 2 && strcmp(argv[1], "extract") == 0) {
        return source_extract(cli, argc - 1, argv + 1);
    }
    if (argc == 3 && strcmp(argv[1], "files") == 0) {
        struct err e = ERR_INIT;
        if (evidence_each(cli->store, argv[2], print_file, NULL, &e) != E_OK) {
            return cli_fail(&e);
        }
        return 0;
    }
    return cli_usage("source", "expected: source attach SOURCE FILE [--media-type T] | extract "
                               "SOURCE [SHA256] [-o FILE] | files SOURCE");
}

/* ---- refuge verify ---- */

int cmd_verify(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"checkpoint", required_argument, NULL, 'c'},
                                         {0, 0, 0, 0}};
    const char *cp_path = NULL;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        if (c == 'c') {
            cp_path = optarg;
        } else {
            return cli_usage("verify", "unknown option");
        }
    }
    if (optind != argc) {
        return cli_usage("verify", "unexpected argument '%s'", argv[optind]);
    }
    struct buf note = BUF_INIT;
    if (cp_path) {
        int st = read_all(cp_path, NOTE_MAX_BYTES, &note);
        if (st != 0) {
            buf_release(&note);
            return st;
        }
    }
    struct ledger_report r;
    ledger_report_init(&r);
    struct err e = ERR_INIT;
    enum app_err rc = ledger_verify(cli->store, cp_path ? note.data : NULL, note.len, &r, &e);
    buf_release(&note);
    if (rc != E_OK) {
        ledger_report_release(&r);
        return cli_fail(&e);
    }
    int status = 0;
    if (r.problems) {
        fputs(r.text.data, stderr);
        cli_errorf("the log is NOT intact: %d problem%s", r.problems, r.problems == 1 ? "" : "s");
        status = 1;
    } else {
        printf("log intact: %" PRId64 " leaves (%" PRId64 " audit entries, %" PRId64
               " custody records), %" PRId64 " stored checkpoints checked\n",
               r.leaves, r.audit_entries, r.custody_records, r.checkpoints);
        if (r.exported_size >= 0) {
            printf("the checkpoint given (tree size %" PRId64 ") matches the log\n",
                   r.exported_size);
        }
    }
    ledger_report_release(&r);
    return status;
}

/* ---- refuge checkpoint ---- */

int cmd_checkpoint(struct cli *cli, int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "key") == 0) {
        struct note_key k;
        struct err e = ERR_INIT;
        if (ledger_public_key(cli->store, &k, &e) != E_OK) {
            return cli_fail(&e);
        }
        struct buf v = BUF_INIT;
        note_vkey(&k, &v);
        printf("%s\n", v.data);
        buf_release(&v);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "export") != 0) {
        return cli_usage("checkpoint", "expected: checkpoint export [-o FILE] | key");
    }
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'}, {0, 0, 0, 0}};
    const char *out = NULL;
    int c;
    optind = 0;
    while ((c = getopt_long(argc - 1, argv + 1, "o:", opts, NULL)) != -1) {
        if (c == 'o') {
            out = optarg;
        } else {
            return cli_usage("checkpoint", "unknown option");
        }
    }
    if (optind != argc - 1) {
        return cli_usage("checkpoint", "unexpected argument '%s'", argv[optind + 1]);
    }
    struct buf note = BUF_INIT;
    struct checkpoint cp;
    struct err e = ERR_INIT;
    if (ledger_checkpoint(cli->store, &note, &cp, &e) != E_OK) {
        buf_release(&note);
        return cli_fail(&e);
    }
    int st = write_all(out, note.data, note.len);
    buf_release(&note);
    if (st == 0 && out && strcmp(out, "-") != 0) {
        fprintf(stderr, "wrote checkpoint of %" PRIu64 " entries to %s; keep it off this device\n",
                cp.size, out);
    }
    return st;
}

/* ---- refuge evidence ---- */

static int evidence_export_cmd(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'}, {0, 0, 0, 0}};
    const char *out = NULL;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        if (c == 'o') {
            out = optarg;
        } else {
            return cli_usage("evidence", "unknown option");
        }
    }
    if (argc - optind < 1 || argc - optind > 2 || !out) {
        return cli_usage("evidence", "expected: evidence export SOURCE [SHA256] -o PACKAGE");
    }
    struct err e = ERR_INIT;
    /* `evidence verify` needs no database, so the command opens (and
     * unlocks) the store itself, only for export. */
    int open_status = cli_open_store(cli, CMD_STORE | CMD_EXISTING);
    if (open_status != 0) {
        return open_status;
    }
    struct principal me = auth_local_principal();
    struct buf pkg = BUF_INIT;
    struct evidence_info info;
    enum app_err rc =
        evidence_export(cli->store, &me, argv[optind], argc - optind == 2 ? argv[optind + 1] : NULL,
                        &pkg, &info, &e);
    int st = rc == E_OK ? write_all(out, pkg.data, pkg.len) : cli_fail(&e);
    buf_release(&pkg);
    if (st == 0) {
        print_info("exported", &info);
    }
    return st;
}

static int evidence_verify_cmd(int argc, char **argv)
{
    static const struct option opts[] = {{"key", required_argument, NULL, 'k'}, {0, 0, 0, 0}};
    const char *key = NULL;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "k:", opts, NULL)) != -1) {
        if (c == 'k') {
            key = optarg;
        } else {
            return cli_usage("evidence", "unknown option");
        }
    }
    if (argc - optind != 1) {
        return cli_usage("evidence", "expected: evidence verify PACKAGE [--key VKEY]");
    }
    struct err e = ERR_INIT;
    struct note_key pinned;
    if (key && note_vkey_parse(key, strlen(key), &pinned, &e) != E_OK) {
        return cli_usage("evidence", "--key: %s", e.msg);
    }
    struct buf data = BUF_INIT;
    int st = read_all(argv[optind], EVIDENCE_PKG_MAX_BYTES, &data);
    if (st != 0) {
        buf_release(&data);
        return st;
    }
    struct evidence_pkg p;
    struct custody cu;
    struct checkpoint cp;
    enum app_err rc = evidence_pkg_parse(data.data, data.len, &p, &e);
    if (rc == E_OK) {
        rc = evidence_pkg_verify(&p, key ? &pinned : NULL, &cu, &cp, &e);
    }
    buf_release(&data);
    if (rc != E_OK) {
        evidence_pkg_release(&p);
        cli_errorf("%s: REJECTED: %s%s%s", argv[optind], e.where, e.where[0] ? ": " : "", e.msg);
        return 1;
    }
    struct buf v = BUF_INIT;
    note_vkey(&p.key, &v);
    printf("OK: %s verifies\n  file       %s (%s, %" PRIu64 " bytes)\n  sha256     %s\n"
           "  source     %s\n  added by   %s at %s\n  log        leaf %" PRIu64 " of %" PRIu64
           ", checkpoint signed by\n  key        %s%s\n",
           argv[optind], cu.filename, cu.media_type, cu.size, cu.sha256, cu.source, cu.added_by,
           cu.time, p.index, cp.size, v.data,
           key ? " (the key given)"
               : "\n             (compare this key with the one the organisation published)");
    buf_release(&v);
    evidence_pkg_release(&p);
    return 0;
}

int cmd_evidence(struct cli *cli, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "export") == 0) {
        return evidence_export_cmd(cli, argc - 1, argv + 1);
    }
    if (argc >= 2 && strcmp(argv[1], "verify") == 0) {
        return evidence_verify_cmd(argc - 1, argv + 1);
    }
    return cli_usage("evidence", "expected: evidence export SOURCE [SHA256] -o PACKAGE | verify "
                                 "PACKAGE [--key VKEY]");
}
