/*
 * fuzz_store.h: a scratch store for the fuzz targets that need one: a fresh
 * database in a temporary directory with the example case imported, an
 * account of each role and a bearer token for each. Targets that write copy
 * the pristine database back every FUZZ_STORE_RESET runs so that deletes do
 * not leave later inputs an empty store.
 */
#ifndef REFUGE_FUZZ_STORE_H
#define REFUGE_FUZZ_STORE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "service/auth.h"
#include "service/search.h"
#include "service/service.h"
#include "store/store.h"

enum { FUZZ_STORE_RESET = 500 };

struct fuzz_store {
    char dir[64];
    char pristine[96];
    char work[96];
    struct store *s;
    unsigned runs;
    /* Bearer secrets by role (admin, coordinator, researcher, viewer). */
    char token[4][AUTH_SECRET_CHARS + 1];
};

static inline void fuzz_die(const char *what, const struct err *e)
{
    fprintf(stderr, "fuzz setup: %s: %s\n", what, e ? e->msg : "");
    abort();
}

static inline void fuzz_copy(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    FILE *out = fopen(to, "wb");
    if (!in || !out) {
        fuzz_die("cannot copy the pristine store", NULL);
    }
    char b[1 << 16];
    size_t n;
    while ((n = fread(b, 1, sizeof b, in)) > 0) {
        fwrite(b, 1, n, out);
    }
    fclose(in);
    if (fclose(out) != 0) {
        fuzz_die("cannot write the work store", NULL);
    }
}

static inline void fuzz_store_remove(struct fuzz_store *fs)
{
    static const char *suffix[] = {"", "-wal", "-shm"};
    char p[128];
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", fs->work, suffix[i]);
        unlink(p);
        snprintf(p, sizeof p, "%s%s", fs->pristine, suffix[i]);
        unlink(p);
    }
    rmdir(fs->dir);
}

static struct fuzz_store *fuzz_store_global;

static inline void fuzz_store_atexit(void)
{
    if (fuzz_store_global) {
        if (fuzz_store_global->s) {
            store_close(fuzz_store_global->s);
        }
        fuzz_store_remove(fuzz_store_global);
    }
}

/* Builds the pristine store once (prepare, if not NULL, adds to it) and
 * opens a work copy. */
static inline void fuzz_store_init(struct fuzz_store *fs, void (*prepare)(struct store *s))
{
    const char *tmp = getenv("TMPDIR");
    snprintf(fs->dir, sizeof fs->dir, "%s/refuge-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fs->dir)) {
        fuzz_die("mkdtemp", NULL);
    }
    snprintf(fs->pristine, sizeof fs->pristine, "%s/pristine.db", fs->dir);
    snprintf(fs->work, sizeof fs->work, "%s/work.db", fs->dir);
    struct err e = ERR_INIT;
    struct store *s = NULL;
    if (store_open(fs->pristine, 0, &s, &e) != E_OK) {
        fuzz_die("store_open", &e);
    }
    FILE *in = fopen(REFUGE_SOURCE_DIR "/examples/kazakhstan-2019.json", "rb");
    if (!in) {
        fuzz_die("cannot open examples/kazakhstan-2019.json", NULL);
    }
    struct import_report rep;
    struct diags problems = DIAGS_INIT;
    if (service_import(s, in, &rep, &problems, NULL, &e) != E_OK) {
        fuzz_die("import", &e);
    }
    fclose(in);
    diags_release(&problems);

    static const struct {
        const char *name;
        enum role role;
    } users[] = {{"fuzz-admin", ROLE_ADMIN},
                 {"fuzz-coordinator", ROLE_COORDINATOR},
                 {"fuzz-researcher", ROLE_RESEARCHER},
                 {"fuzz-viewer", ROLE_VIEWER}};
    struct principal cli = auth_local_principal();
    for (size_t i = 0; i < 4; i++) {
        if (auth_user_add(s, &cli, NULL, users[i].name, users[i].role, "fuzzing password 1", &e) !=
                E_OK ||
            auth_token_add(s, &cli, NULL, users[i].name, users[i].role, users[i].name, fs->token[i],
                           &e) != E_OK) {
            fuzz_die("accounts", &e);
        }
    }
    if (service_search_ensure(s, &e) != E_OK) {
        fuzz_die("search indexes", &e);
    }
    if (prepare) {
        prepare(s);
    }
    store_close(s);
    fuzz_copy(fs->pristine, fs->work);
    if (store_open(fs->work, STORE_MUST_EXIST, &fs->s, &e) != E_OK) {
        fuzz_die("store_open (work copy)", &e);
    }
    fuzz_store_global = fs;
    atexit(fuzz_store_atexit);
}

/* Call before each run of a target that may write. */
static inline void fuzz_store_maybe_reset(struct fuzz_store *fs)
{
    if (++fs->runs % FUZZ_STORE_RESET != 0) {
        return;
    }
    store_close(fs->s);
    fs->s = NULL;
    char p[128];
    snprintf(p, sizeof p, "%s-wal", fs->work);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", fs->work);
    unlink(p);
    fuzz_copy(fs->pristine, fs->work);
    struct err e = ERR_INIT;
    if (store_open(fs->work, STORE_MUST_EXIST, &fs->s, &e) != E_OK) {
        fuzz_die("store_open (reset)", &e);
    }
}

#endif
