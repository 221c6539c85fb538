/*
 * cmd_keys.c: unlocking the store, and `refuge init`, `passwd`, `rekey`,
 * `wipe`, `backup`, `restore` and `doctor`.
 *
 * Passphrases come from --passphrase-fd N (one line), else the file named by
 * $REFUGE_PASSPHRASE_FILE (its first line), else the terminal (/dev/tty,
 * echo off). Never from an argument or an environment variable holding the
 * secret. They live in locked memory and are zeroed after use.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>
#include <sys/stat.h>

#include "cli/cli_internal.h"
#include "service/auth.h"
#include "store/keyring.h"
#include "store/scan.h"

/* ---- passphrases ---- */

struct secret {
    char *p; /* sodium_malloc'd, KEYRING_PASS_MAX + 1 bytes */
    size_t n;
};

static void secret_free(struct secret *s)
{
    sodium_free(s->p);
    s->p = NULL;
    s->n = 0;
}

/* Reads one line from fd, byte by byte (what follows stays for others). */
static enum app_err read_line_fd(int fd, const char *what, struct secret *s, struct err *e)
{
    s->n = 0;
    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            return err_set(e, E_IO, "cannot read the passphrase from %s: %s", what,
                           strerror(errno));
        }
        if (r == 0 || c == '\n') {
            break;
        }
        if (s->n == KEYRING_PASS_MAX) {
            return err_set(e, E_INVALID, "the passphrase from %s is longer than %d bytes", what,
                           KEYRING_PASS_MAX);
        }
        s->p[s->n++] = c;
    }
    if (s->n && s->p[s->n - 1] == '\r') {
        s->n--;
    }
    s->p[s->n] = '\0';
    if (s->n == 0) {
        return err_set(e, E_INVALID, "the passphrase from %s is empty", what);
    }
    return E_OK;
}

static enum app_err read_tty(const char *prompt, struct secret *s, struct err *e)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        return err_set(e, E_AUTH,
                       "the database is encrypted: give its passphrase on a terminal, with "
                       "--passphrase-fd N, or in a file named by REFUGE_PASSPHRASE_FILE");
    }
    struct termios old;
    bool restore = tcgetattr(fd, &old) == 0;
    if (restore) {
        struct termios quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    if (write(fd, prompt, strlen(prompt)) < 0) {
        /* the prompt is a courtesy */
    }
    enum app_err rc = read_line_fd(fd, "the terminal", s, e);
    if (restore) {
        tcsetattr(fd, TCSAFLUSH, &old);
    }
    if (write(fd, "\n", 1) < 0) {
        /* as above */
    }
    close(fd);
    return rc;
}

/* Where the next passphrase comes from. */
static enum app_err read_from(int fd, const char *file, const char *prompt, bool confirm,
                              struct secret *s, struct err *e)
{
    s->p = sodium_malloc(KEYRING_PASS_MAX + 1);
    s->n = 0;
    if (!s->p) {
        return err_set(e, E_INTERNAL, "out of memory");
    }
    enum app_err rc;
    if (fd >= 0) {
        char what[64];
        snprintf(what, sizeof what, "descriptor %d", fd);
        rc = read_line_fd(fd, what, s, e);
    } else if (file && *file) {
        int ffd = open(file, O_RDONLY | O_CLOEXEC);
        if (ffd < 0) {
            rc =
                err_set(e, E_IO, "cannot open the passphrase file '%s': %s", file, strerror(errno));
        } else {
            rc = read_line_fd(ffd, file, s, e);
            close(ffd);
        }
    } else {
        rc = read_tty(prompt, s, e);
        if (rc == E_OK && confirm) {
            struct secret again = {sodium_malloc(KEYRING_PASS_MAX + 1), 0};
            if (!again.p) {
                rc = err_set(e, E_INTERNAL, "out of memory");
            } else {
                rc = read_tty("Repeat it: ", &again, e);
                if (rc == E_OK && (again.n != s->n || sodium_memcmp(again.p, s->p, s->n) != 0)) {
                    rc = err_set(e, E_INVALID, "the two passphrases differ");
                }
                secret_free(&again);
            }
        }
    }
    if (rc != E_OK) {
        secret_free(s);
    }
    return rc;
}

static enum app_err read_unlock(struct cli *cli, const char *prompt, bool confirm, struct secret *s,
                                struct err *e)
{
    return read_from(cli->passphrase_fd, getenv("REFUGE_PASSPHRASE_FILE"), prompt, confirm, s, e);
}

/* KDF cost for new wraps: $REFUGE_KDF_COST ("MiB,PASSES", for tests and
 * scripts; floor 8 MiB, 1 pass), else the calibrated default. */
static enum app_err env_cost(struct kdf_cost *c, struct err *e)
{
    const char *env = getenv("REFUGE_KDF_COST");
    if (env && *env) {
        return kdf_cost_parse(env, c, e);
    }
    kdf_cost_default(c);
    return E_OK;
}

/* ---- interrupted rekey ---- */

static void path_with(char *out, size_t n, const char *db, const char *suffix)
{
    snprintf(out, n, "%s%s", db, suffix);
}

static void sync_dir_of(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *(slash == dir ? slash + 1 : slash) = '\0';
    } else {
        strcpy(dir, ".");
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* Finishes or undoes a rekey that was interrupted. The switch point is the
 * rename of "<db>.rekey" over the database: before it the old database and
 * keyring are whole (the new files are removed); after it the new keyring
 * "<db>.rekey.keys" is moved into place. */
static enum app_err rekey_recover(const char *db, struct err *e)
{
    char nkeys[4096];
    char ndb[4096];
    path_with(nkeys, sizeof nkeys, db, ".rekey.keys");
    path_with(ndb, sizeof ndb, db, ".rekey");
    if (!exists(nkeys)) {
        if (exists(ndb)) {
            remove(ndb);
        }
        return E_OK;
    }
    if (exists(ndb)) {
        const char *sfx[] = {"", "-wal", "-shm", "-journal"};
        for (size_t i = 0; i < ARRAY_LEN(sfx); i++) {
            char p[4200];
            snprintf(p, sizeof p, "%s%s", ndb, sfx[i]);
            remove(p);
        }
        return keyring_destroy(nkeys, e);
    }
    char keys[4096];
    path_with(keys, sizeof keys, db, ".keys");
    if (rename(nkeys, keys) != 0) {
        return err_set(e, E_IO, "cannot finish an interrupted rekey: %s", strerror(errno));
    }
    sync_dir_of(keys);
    return E_OK;
}

/* Best-effort removal of a keyring that is being abandoned. */
static void discard_keys(const char *path)
{
    struct err ignored = ERR_INIT;
    if (keyring_destroy(path, &ignored) != E_OK) {
        remove(path);
    }
}

/* ---- opening the store ---- */

int cli_open_store(struct cli *cli, unsigned cmd_flags)
{
    struct err e = ERR_INIT;
    const char *db = cli->db_path;
    if (rekey_recover(db, &e) != E_OK) {
        return cli_fail(&e);
    }
    bool have_db = exists(db);
    cli->created = !have_db;
    unsigned flags = (cmd_flags & CMD_EXISTING) ? STORE_MUST_EXIST : 0;
    if (keyring_present(db)) {
        struct secret s;
        if (read_unlock(cli, "Passphrase: ", false, &s, &e) != E_OK) {
            return cli_fail(&e);
        }
        cli->key = store_secret_new();
        enum app_err rc = cli->key ? keyring_unlock(db, s.p, s.n, cli->key, &e)
                                   : err_set(&e, E_INTERNAL, "out of memory");
        if (rc == E_OK) {
            cli->pass = s.p;
            cli->pass_len = s.n;
        } else {
            secret_free(&s);
            return cli_fail(&e);
        }
    } else if (!have_db && !(cmd_flags & CMD_EXISTING)) {
        /* A new database without `init`: encrypted, under the unlock
         * passphrase, with a recovery code shown now. */
        struct secret s;
        if (read_unlock(cli, "New passphrase for the new database: ", true, &s, &e) != E_OK) {
            cli_errorf("no database at '%s': create one with 'refuge init'", db);
            return cli_fail(&e);
        }
        struct kdf_cost cost;
        char code[KEYRING_RECOVERY_LEN + 1];
        cli->key = store_secret_new();
        enum app_err rc =
            !cli->key ? err_set(&e, E_INTERNAL, "out of memory") : env_cost(&cost, &e);
        if (rc == E_OK) {
            rc = keyring_create(db, NULL, s.p, s.n, &cost, cli->key, code, &e);
        }
        if (rc != E_OK) {
            secret_free(&s);
            return cli_fail(&e);
        }
        cli->pass = s.p;
        cli->pass_len = s.n;
        fprintf(stderr,
                "refuge: created the encrypted database '%s' (keyring '%s.keys')\n"
                "refuge: recovery code (shown once; keep it away from this device): %s\n",
                db, db, code);
        sodium_memzero(code, sizeof code);
    }
    if (store_open_key(db, flags, cli->key, &cli->store, &e) != E_OK) {
        if (cli->created && cli->key) {
            char keys[4096];
            path_with(keys, sizeof keys, db, ".keys");
            discard_keys(keys);
        }
        return cli_fail(&e);
    }
    return 0;
}

void cli_close_keys(struct cli *cli)
{
    store_secret_free(cli->key);
    cli->key = NULL;
    sodium_free(cli->pass);
    cli->pass = NULL;
    cli->pass_len = 0;
}

/* ---- init ---- */

static enum app_err cost_from_options(const char *mib, const char *ops, struct kdf_cost *c,
                                      struct err *e)
{
    if (!mib && !ops) {
        return env_cost(c, e);
    }
    char spec[64];
    snprintf(spec, sizeof spec, "%s,%s", mib ? mib : "256", ops ? ops : "3");
    return kdf_cost_parse(spec, c, e);
}

int cmd_init(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"plaintext", no_argument, NULL, 'p'},
                                         {"kdf-memory", required_argument, NULL, 'm'},
                                         {"kdf-ops", required_argument, NULL, 'o'},
                                         {0, 0, 0, 0}};
    bool plain = false;
    const char *mib = NULL;
    const char *ops = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'p') {
            plain = true;
        } else if (c == 'm') {
            mib = optarg;
        } else if (c == 'o') {
            ops = optarg;
        } else {
            return cli_usage("init", "unknown option");
        }
    }
    if (optind != argc) {
        return cli_usage("init", "unexpected argument '%s'", argv[optind]);
    }
    struct err e = ERR_INIT;
    const char *db = cli->db_path;
    if (exists(db) || keyring_present(db)) {
        cli_errorf("'%s' already exists (its keyring: '%s.keys')", db, db);
        return 1;
    }
    if (plain) {
        if (mib || ops) {
            return cli_usage("init", "--plaintext has no key, so no KDF cost");
        }
        fprintf(stderr,
                "refuge: WARNING: '%s' will NOT be encrypted. Anyone who gets the file, a "
                "copy or a backup of it (a seized or lost laptop, a leaked backup) can read "
                "every name, place and note in it, and can change records without the page "
                "checks noticing. Use this only for tests and demonstrations with public data.\n",
                db);
        if (store_open(db, 0, &cli->store, &e) != E_OK) {
            return cli_fail(&e);
        }
        printf("created the plaintext database '%s'\n", db);
        return 0;
    }
    struct kdf_cost cost;
    if (cost_from_options(mib, ops, &cost, &e) != E_OK) {
        return cli_fail(&e);
    }
    struct secret s;
    if (read_unlock(cli, "New passphrase: ", true, &s, &e) != E_OK) {
        return cli_fail(&e);
    }
    char code[KEYRING_RECOVERY_LEN + 1];
    cli->key = store_secret_new();
    enum app_err rc = cli->key ? keyring_create(db, NULL, s.p, s.n, &cost, cli->key, code, &e)
                               : err_set(&e, E_INTERNAL, "out of memory");
    secret_free(&s);
    if (rc == E_OK) {
        rc = store_open_key(db, 0, cli->key, &cli->store, &e);
        if (rc != E_OK) {
            char keys[4096];
            path_with(keys, sizeof keys, db, ".keys");
            discard_keys(keys);
        }
    }
    if (rc != E_OK) {
        return cli_fail(&e);
    }
    printf("created the encrypted database '%s' and its keyring '%s.keys'\n"
           "key derivation: Argon2id, %zu MiB, %llu passes\n"
           "recovery code (shown only now; write it down and keep it away from this device):\n"
           "  %s\n",
           db, db, cost.mem >> 20, cost.ops, code);
    sodium_memzero(code, sizeof code);
    return 0;
}

/* ---- passwd ---- */

int cmd_passwd(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"new-passphrase-file", required_argument, NULL, 'f'},
                                         {"new-passphrase-fd", required_argument, NULL, 'd'},
                                         {0, 0, 0, 0}};
    const char *nfile = NULL;
    int nfd = -1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'f') {
            nfile = optarg;
        } else if (c == 'd') {
            char *end = NULL;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 0 || v > 1024) {
                return cli_usage("passwd", "--new-passphrase-fd takes a descriptor number");
            }
            nfd = (int)v;
        } else {
            return cli_usage("passwd", "unknown option");
        }
    }
    if (optind != argc) {
        return cli_usage("passwd", "unexpected argument '%s'", argv[optind]);
    }
    struct err e = ERR_INIT;
    if (rekey_recover(cli->db_path, &e) != E_OK) {
        return cli_fail(&e);
    }
    if (!keyring_present(cli->db_path)) {
        cli_errorf("'%s' has no keyring: it is not an encrypted store", cli->db_path);
        return 1;
    }
    struct secret old;
    struct secret fresh;
    struct kdf_cost cost;
    if (env_cost(&cost, &e) != E_OK) {
        return cli_fail(&e);
    }
    if (read_unlock(cli, "Current passphrase (or recovery code): ", false, &old, &e) != E_OK) {
        return cli_fail(&e);
    }
    if (read_from(nfd, nfile, "New passphrase: ", true, &fresh, &e) != E_OK) {
        secret_free(&old);
        return cli_fail(&e);
    }
    enum app_err rc = keyring_change(cli->db_path, old.p, old.n, fresh.p, fresh.n, &cost, &e);
    secret_free(&old);
    secret_free(&fresh);
    if (rc != E_OK) {
        return cli_fail(&e);
    }
    printf("passphrase changed\n");
    return 0;
}

/* ---- rekey ---- */

int cmd_rekey(struct cli *cli, int argc, char **argv)
{
    if (argc > 1) {
        return cli_usage("rekey", "unexpected argument '%s'", argv[1]);
    }
    struct err e = ERR_INIT;
    const char *db = cli->db_path;
    if (!cli->key) {
        cli_errorf("'%s' is not encrypted: there is no key to change", db);
        return 1;
    }
    char ndb[4096];
    char nkeys[4096];
    char keys[4096];
    path_with(ndb, sizeof ndb, db, ".rekey");
    path_with(nkeys, sizeof nkeys, db, ".rekey.keys");
    path_with(keys, sizeof keys, db, ".keys");
    struct kdf_cost cost;
    char code[KEYRING_RECOVERY_LEN + 1];
    struct store_secret *nk = store_secret_new();
    if (!nk) {
        return cli_fail(&e);
    }
    enum app_err rc = env_cost(&cost, &e);
    /* 1. the new keyring beside the old one (same passphrase, new code) */
    if (rc == E_OK) {
        rc = keyring_create(db, nkeys, cli->pass, cli->pass_len, &cost, nk, code, &e);
    }
    /* 2. the data, copied through the backup API under the new key */
    if (rc == E_OK) {
        rc = store_backup(cli->store, ndb, nk, &e);
    }
    /* 3. the copy must open with the new key and pass the full check */
    if (rc == E_OK) {
        struct store *check = NULL;
        rc = store_open_key(ndb, STORE_MUST_EXIST, nk, &check, &e);
        if (rc == E_OK) {
            rc = store_verify(check, true, &e);
        }
        store_close(check);
    }
    store_secret_free(nk);
    if (rc != E_OK) {
        remove(ndb);
        discard_keys(nkeys);
        sodium_memzero(code, sizeof code);
        return cli_fail(&e);
    }
    /* 4. switch: the old connection goes (its WAL is folded in), the copy
     * takes the database's name, the old wrapped keys are overwritten, the
     * new keyring takes their place. */
    store_close(cli->store);
    cli->store = NULL;
    char wal[4200];
    snprintf(wal, sizeof wal, "%s-wal", db);
    if (exists(wal)) {
        cli_errorf("'%s' is in use by another process (stop the server first); nothing changed",
                   db);
        remove(ndb);
        discard_keys(nkeys);
        return 1;
    }
    if (rename(ndb, db) != 0) {
        cli_errorf("cannot replace '%s': %s", db, strerror(errno));
        return 74;
    }
    sync_dir_of(db);
    if (keyring_destroy(keys, &e) != E_OK || rekey_recover(db, &e) != E_OK) {
        return cli_fail(&e);
    }
    printf("'%s' is now encrypted under a new data key; every wrapped copy of the old key was "
           "overwritten.\nThe passphrase is unchanged. New recovery code (the old one no longer "
           "works):\n  %s\n",
           db, code);
    sodium_memzero(code, sizeof code);
    return 0;
}

/* ---- wipe ---- */

int cmd_wipe(struct cli *cli, int argc, char **argv)
{
    bool yes = argc == 2 && strcmp(argv[1], "--yes") == 0;
    if (!yes) {
        return cli_usage("wipe", "wipe destroys the database for good: confirm with --yes");
    }
    const char *db = cli->db_path;
    char keys[4096];
    path_with(keys, sizeof keys, db, ".keys");
    struct err e = ERR_INIT;
    bool had_keys = exists(keys);
    enum app_err rc = keyring_destroy(keys, &e);
    char nkeys[4096];
    path_with(nkeys, sizeof nkeys, db, ".rekey.keys");
    discard_keys(nkeys);
    const char *sfx[] = {"", "-wal", "-shm", "-journal", ".rekey"};
    for (size_t i = 0; i < ARRAY_LEN(sfx); i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s%s", db, sfx[i]);
        remove(p);
    }
    if (rc != E_OK) {
        return cli_fail(&e);
    }
    if (had_keys) {
        printf("wiped '%s': every wrapped copy of its data key in its keyring was overwritten "
               "and deleted, so the database, and any copy of the database file alone, can no "
               "longer be decrypted.\n"
               "On flash storage (SSDs, phones, USB sticks) older copies of the keyring may "
               "survive wear-levelling; they are protected only by the passphrases and recovery "
               "code they were made with. Keyring files copied elsewhere (refuge backup writes "
               "FILE.keys) must be wiped there.\n",
               db);
    } else {
        printf("deleted '%s': it had no keyring (a plaintext store), so its contents may still "
               "be recoverable from the disk.\n",
               db);
    }
    return 0;
}

/* ---- backup and restore ---- */

int cmd_backup(struct cli *cli, int argc, char **argv)
{
    if (argc != 2) {
        return cli_usage("backup", "backup takes one FILE");
    }
    const char *dest = argv[1];
    struct err e = ERR_INIT;
    char dkeys[4096];
    path_with(dkeys, sizeof dkeys, dest, ".keys");
    if (exists(dkeys)) {
        cli_errorf("'%s' already exists", dkeys);
        return 1;
    }
    if (store_backup(cli->store, dest, cli->key, &e) != E_OK) {
        return cli_fail(&e);
    }
    if (cli->key && keyring_copy(cli->db_path, dkeys, &e) != E_OK) {
        remove(dest);
        return cli_fail(&e);
    }
    if (cli->key) {
        printf("backed up '%s' to '%s' (encrypted under the same key; its keyring is '%s': "
               "keep both)\n",
               cli->db_path, dest, dkeys);
    } else {
        printf("backed up '%s' to '%s' (NOT encrypted: the store is plaintext)\n", cli->db_path,
               dest);
    }
    return 0;
}

int cmd_restore(struct cli *cli, int argc, char **argv)
{
    if (argc != 2) {
        return cli_usage("restore", "restore takes one FILE");
    }
    const char *src = argv[1];
    const char *db = cli->db_path;
    struct err e = ERR_INIT;
    if (exists(db) || keyring_present(db)) {
        cli_errorf("'%s' exists: restore only into a new path (move the old database, or "
                   "'refuge wipe' it, first)",
                   db);
        return 1;
    }
    if (!exists(src)) {
        cli_errorf("no backup at '%s'", src);
        return 66;
    }
    bool enc = keyring_present(src);
    /* Reading the backup (in WAL mode) makes -wal and -shm files beside it:
     * remove them afterwards unless they were there before. */
    char src_wal[4200];
    char src_shm[4200];
    snprintf(src_wal, sizeof src_wal, "%s-wal", src);
    snprintf(src_shm, sizeof src_shm, "%s-shm", src);
    bool had_wal = exists(src_wal);
    bool had_shm = exists(src_shm);
    struct store *from = NULL;
    enum app_err rc = E_OK;
    if (enc) {
        struct secret s;
        if (read_unlock(cli, "Passphrase of the backup: ", false, &s, &e) != E_OK) {
            return cli_fail(&e);
        }
        cli->key = store_secret_new();
        rc = cli->key ? keyring_unlock(src, s.p, s.n, cli->key, &e)
                      : err_set(&e, E_INTERNAL, "out of memory");
        secret_free(&s);
    }
    if (rc == E_OK) {
        rc = store_open_key(src, STORE_MUST_EXIST | STORE_READONLY, cli->key, &from, &e);
    }
    if (rc == E_OK) {
        rc = store_verify(from, false, &e);
    }
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.restore", db);
    remove(tmp);
    if (rc == E_OK) {
        rc = store_backup(from, tmp, cli->key, &e);
    }
    store_close(from);
    if (!had_wal) {
        remove(src_wal);
    }
    if (!had_shm) {
        remove(src_shm);
    }
    char keys[4096];
    path_with(keys, sizeof keys, db, ".keys");
    if (rc == E_OK && enc) {
        rc = keyring_copy(src, keys, &e);
    }
    if (rc == E_OK && rename(tmp, db) != 0) {
        rc = err_set(&e, E_IO, "cannot move the restored copy into place: %s", strerror(errno));
    }
    if (rc != E_OK) {
        remove(tmp);
        return cli_fail(&e);
    }
    sync_dir_of(db);
    printf("restored '%s' from '%s'%s\n", db, src, enc ? " (encrypted, same key)" : "");
    return 0;
}

/* ---- doctor ---- */

int cmd_doctor(struct cli *cli, int argc, char **argv)
{
    if (argc > 1) {
        return cli_usage("doctor", "unexpected argument '%s'", argv[1]);
    }
    struct err e = ERR_INIT;
    int failed = 0;
    printf("database: %s (%s)\n", cli->db_path,
           store_encrypted(cli->store) ? "encrypted" : "NOT encrypted");
    if (store_verify(cli->store, true, &e) == E_OK) {
        printf("integrity_check: ok\nfull-text index: ok\n");
    } else {
        printf("integrity: FAILED: %s\n", e.msg);
        failed++;
    }
    e = (struct err)ERR_INIT;
    int64_t bad = 0;
    int64_t n = 0;
    if (audit_verify(cli->store, &bad, &n, &e) != E_OK) {
        printf("audit chain: cannot check: %s\n", e.msg);
        failed++;
    } else if (bad) {
        printf("audit chain: FAILED at entry %lld: %s\n", (long long)bad, e.msg);
        failed++;
    } else {
        printf("audit chain: ok (%lld entries)\n", (long long)n);
    }
    e = (struct err)ERR_INIT;
    struct store_json_stats js;
    if (store_json_check(cli->store, false, &js, &e) != E_OK) {
        printf("stored JSON text: cannot check: %s\n", e.msg);
        failed++;
    } else if (js.stale) {
        printf("stored JSON text: FAILED: %lld of %lld objects differ from a fresh encoding of "
               "their fields (run 'refuge reindex' to rewrite them):",
               (long long)js.stale, (long long)js.objects);
        for (size_t i = 0; i < js.n_examples; i++) {
            printf(" %s %s", obj_kind_name(js.examples[i].kind), js.examples[i].id);
        }
        printf("\n");
        failed++;
    } else if (js.missing) {
        printf("stored JSON text: ok; %lld of %lld objects have none and are encoded when read "
               "('refuge reindex' stores it)\n",
               (long long)js.missing, (long long)js.objects);
    } else {
        printf("stored JSON text: ok (%lld objects)\n", (long long)js.objects);
    }
    e = (struct err)ERR_INIT;
    struct store_scan_stats sc;
    if (store_scan_check(cli->store, false, &sc, &e) != E_OK) {
        printf("checks' event facts: cannot check: %s\n", e.msg);
        failed++;
    } else if (sc.missing || sc.stale || sc.orphans) {
        printf("checks' event facts: FAILED: %lld of %lld events missing, %lld differing "
               "(e.g. %s), %lld rows of no event (run 'refuge reindex' to rewrite them)\n",
               (long long)sc.missing, (long long)sc.events, (long long)sc.stale,
               sc.example[0] ? sc.example : "-", (long long)sc.orphans);
        failed++;
    } else {
        printf("checks' event facts: ok (%lld events)\n", (long long)sc.events);
    }
    struct store_crypt_stats st;
    store_crypt_stats(&st);
    printf("pages decrypted: %llu, failed authentication: %llu database, %llu WAL, %llu "
           "journal; header syntheses: %llu; temporary files refused: %llu\n",
           (unsigned long long)st.pages_decrypted, (unsigned long long)st.mac_fail_db,
           (unsigned long long)st.mac_fail_wal, (unsigned long long)st.mac_fail_journal,
           (unsigned long long)st.header_synth, (unsigned long long)st.temp_refused);
    if (st.mac_fail_db) {
        printf("FAILED: database pages failed authentication: the file was damaged or changed\n");
        failed++;
    }
    if (st.mac_fail_wal || st.mac_fail_journal) {
        printf("note: WAL frames or journal pages failed authentication and were dropped: normal "
               "once after a crash or power cut (a torn last write); if it happens again, the "
               "WAL was changed and later commits may be missing\n");
    }
    printf("%s\n", failed ? "problems found" : "all checks passed");
    return failed ? 1 : 0;
}
