/*
 * keyring.c: the keyring file beside an encrypted store (see keyring.h and
 * docs/security.md for the format).
 */
#include "store/keyring.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "core/buf.h"

enum {
    SALT = crypto_pwhash_SALTBYTES,
    NONCE = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
    WRAPPED = 32 + crypto_aead_xchacha20poly1305_ietf_ABYTES,
    MAX_ENTRIES = 16,
    NAME_MAX_LEN = 32,
    FILE_MAX = 16384,
};

static const char MAGIC[] = "refuge-keyring 1";
static const char ALG[] = "argon2id13";
static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

struct entry {
    char name[NAME_MAX_LEN + 1];
    struct kdf_cost cost;
    unsigned char salt[SALT];
    unsigned char nonce[NONCE];
    unsigned char wrapped[WRAPPED];
};

struct ring {
    unsigned char file_id[16];
    struct entry entries[MAX_ENTRIES];
    int n;
};

void kdf_cost_default(struct kdf_cost *out)
{
    long pages = sysconf(_SC_PHYS_PAGES);
    long psz = sysconf(_SC_PAGESIZE);
    unsigned long long phys =
        pages > 0 && psz > 0 ? (unsigned long long)pages * (unsigned long long)psz : 0;
    out->mem = phys >= (2ULL << 30) ? (size_t)256 << 20 : crypto_pwhash_MEMLIMIT_INTERACTIVE;
    out->ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    /* Calibrate: time one pass at this memory and scale to about a second. */
    unsigned char k[32];
    unsigned char salt[SALT] = {0};
    struct timespec t0;
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (crypto_pwhash(k, sizeof k, "calibrate", 9, salt, 1, out->mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double t = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (t > 0) {
        double ops = 1.0 / t;
        if (ops > (double)out->ops) {
            out->ops = ops > 16 ? 16 : (unsigned long long)(ops + 0.5);
        }
    }
}

enum app_err kdf_cost_parse(const char *s, struct kdf_cost *out, struct err *e)
{
    char *end = NULL;
    errno = 0;
    unsigned long mib = strtoul(s, &end, 10);
    if (errno || end == s || *end != ',') {
        return err_set(e, E_USAGE, "KDF cost '%s': expected MiB,PASSES (e.g. 256,3)", s);
    }
    const char *p = end + 1;
    unsigned long ops = strtoul(p, &end, 10);
    if (errno || end == p || *end) {
        return err_set(e, E_USAGE, "KDF cost '%s': expected MiB,PASSES (e.g. 256,3)", s);
    }
    if (mib < KDF_MIN_MIB || ops < KDF_MIN_OPS || mib > 65536 || ops > 64) {
        return err_set(e, E_USAGE, "KDF cost '%s': memory must be %d..65536 MiB, passes %d..64", s,
                       KDF_MIN_MIB, KDF_MIN_OPS);
    }
    out->mem = (size_t)mib << 20;
    out->ops = ops;
    return E_OK;
}

bool keyring_path(const char *db_path, char *out, size_t n)
{
    int len = snprintf(out, n, "%s.keys", db_path);
    return len > 0 && (size_t)len < n;
}

bool keyring_present(const char *db_path)
{
    char p[4096];
    struct stat st;
    return keyring_path(db_path, p, sizeof p) && stat(p, &st) == 0;
}

static void hex(struct buf *b, const unsigned char *p, size_t n)
{
    char h[2 * 64 + 1];
    sodium_bin2hex(h, sizeof h, p, n);
    buf_adds(b, h);
}

static bool unhex(const char *s, unsigned char *out, size_t n)
{
    size_t got = 0;
    const char *end = NULL;
    return strlen(s) == 2 * n && sodium_hex2bin(out, n, s, 2 * n, NULL, &got, &end) == 0 &&
           got == n;
}

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > NAME_MAX_LEN) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
            return false;
        }
    }
    return true;
}

static enum app_err read_ring(const char *path, struct ring *r, struct err *e)
{
    memset(r, 0, sizeof *r);
    FILE *f = fopen(path, "rb");
    if (!f) {
        return err_set(e, E_STORAGE, "cannot read the keyring '%s': %s", path, strerror(errno));
    }
    char data[FILE_MAX + 1];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    if (n > FILE_MAX) {
        return err_set(e, E_INVALID, "keyring '%s' is too large", path);
    }
    data[n] = '\0';
    char *save = NULL;
    int line = 0;
    bool have_id = false;
    for (char *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        line++;
        if (line == 1) {
            if (strcmp(l, MAGIC) != 0) {
                return err_set(e, E_INVALID,
                               "'%s' is not a refuge keyring of a version this refuge knows", path);
            }
            continue;
        }
        char *f_save = NULL;
        char *fields[8];
        int nf = 0;
        for (char *t = strtok_r(l, " ", &f_save); t && nf < 8; t = strtok_r(NULL, " ", &f_save)) {
            fields[nf++] = t;
        }
        if (nf == 2 && strcmp(fields[0], "file-id") == 0 && !have_id &&
            unhex(fields[1], r->file_id, sizeof r->file_id)) {
            have_id = true;
            continue;
        }
        if (nf == 8 && strcmp(fields[0], "entry") == 0 && r->n < MAX_ENTRIES &&
            name_ok(fields[1]) && strcmp(fields[2], ALG) == 0) {
            struct entry *en = &r->entries[r->n];
            char *end = NULL;
            unsigned long long ops = strtoull(fields[3], &end, 10);
            bool ok = *end == '\0';
            unsigned long long mem = strtoull(fields[4], &end, 10);
            ok = ok && *end == '\0' && ops >= KDF_MIN_OPS && ops <= 64 &&
                 mem >= ((size_t)KDF_MIN_MIB << 20) && mem <= (65536ULL << 20);
            if (ok && unhex(fields[5], en->salt, SALT) && unhex(fields[6], en->nonce, NONCE) &&
                unhex(fields[7], en->wrapped, WRAPPED)) {
                strcpy(en->name, fields[1]);
                en->cost.ops = ops;
                en->cost.mem = (size_t)mem;
                r->n++;
                continue;
            }
        }
        return err_set(e, E_INVALID, "keyring '%s' line %d is damaged", path, line);
    }
    if (line == 0 || !have_id || r->n == 0) {
        return err_set(e, E_INVALID, "keyring '%s' is incomplete", path);
    }
    return E_OK;
}

/* Writes data to path atomically: a temporary file beside it, fsync,
 * rename over path, fsync of the directory. */
static enum app_err write_atomic(const char *path, const char *data, size_t len, struct err *e)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        return err_set(e, E_IO, "cannot write '%s': %s", tmp, strerror(errno));
    }
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            int saved = errno;
            close(fd);
            unlink(tmp);
            return err_set(e, E_IO, "cannot write '%s': %s", tmp, strerror(saved));
        }
        done += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        int saved = errno;
        unlink(tmp);
        return err_set(e, E_IO, "cannot sync '%s': %s", tmp, strerror(saved));
    }
    if (rename(tmp, path) != 0) {
        int saved = errno;
        unlink(tmp);
        return err_set(e, E_IO, "cannot replace '%s': %s", path, strerror(saved));
    }
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *(slash == dir ? slash + 1 : slash) = '\0';
    } else {
        strcpy(dir, ".");
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        int rc = fsync(dfd);
        close(dfd);
        if (rc != 0) {
            return err_set(e, E_IO, "cannot sync the directory of '%s'", path);
        }
    }
    return E_OK;
}

static enum app_err write_ring(const char *path, const struct ring *r, struct err *e)
{
    struct buf b = BUF_INIT;
    buf_addf(&b, "%s\nfile-id ", MAGIC);
    hex(&b, r->file_id, sizeof r->file_id);
    buf_addch(&b, '\n');
    for (int i = 0; i < r->n; i++) {
        const struct entry *en = &r->entries[i];
        buf_addf(&b, "entry %s %s %llu %zu ", en->name, ALG, en->cost.ops, en->cost.mem);
        hex(&b, en->salt, SALT);
        buf_addch(&b, ' ');
        hex(&b, en->nonce, NONCE);
        buf_addch(&b, ' ');
        hex(&b, en->wrapped, WRAPPED);
        buf_addch(&b, '\n');
    }
    enum app_err rc = write_atomic(path, b.data, b.len, e);
    buf_release(&b);
    return rc;
}

/* Additional data of a wrap: "dek-v1" || file id || name || NUL || alg ||
 * ops (8 LE) || mem (8 LE). */
static size_t wrap_ad(unsigned char *ad, const struct ring *r, const struct entry *en)
{
    size_t n = 0;
    memcpy(ad, "dek-v1", 6);
    n += 6;
    memcpy(ad + n, r->file_id, sizeof r->file_id);
    n += sizeof r->file_id;
    size_t nl = strlen(en->name) + 1;
    memcpy(ad + n, en->name, nl);
    n += nl;
    memcpy(ad + n, ALG, sizeof ALG - 1);
    n += sizeof ALG - 1;
    unsigned long long v[2] = {en->cost.ops, (unsigned long long)en->cost.mem};
    for (int j = 0; j < 2; j++) {
        for (int i = 0; i < 8; i++) {
            ad[n++] = (unsigned char)(v[j] >> (8 * i));
        }
    }
    return n;
}

enum { AD_MAX = 6 + 16 + NAME_MAX_LEN + 1 + 16 + 16 };

static enum app_err derive(const struct entry *en, const char *pass, size_t len, unsigned char *kek,
                           struct err *e)
{
    if (crypto_pwhash(kek, 32, pass, len, en->salt, en->cost.ops, en->cost.mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return err_set(e, E_STORAGE, "not enough memory to derive the key (%zu MiB)",
                       en->cost.mem >> 20);
    }
    return E_OK;
}

/* Fills a new entry wrapping dek under pass. */
static enum app_err wrap(struct ring *r, struct entry *en, const char *name, const char *pass,
                         size_t len, const struct kdf_cost *cost, const unsigned char *dek,
                         struct err *e)
{
    memset(en, 0, sizeof *en);
    snprintf(en->name, sizeof en->name, "%s", name);
    en->cost = *cost;
    randombytes_buf(en->salt, SALT);
    randombytes_buf(en->nonce, NONCE);
    unsigned char *kek = sodium_malloc(32);
    if (!kek) {
        return err_set(e, E_STORAGE, "out of memory");
    }
    enum app_err rc = derive(en, pass, len, kek, e);
    if (rc == E_OK) {
        unsigned char ad[AD_MAX];
        size_t adn = wrap_ad(ad, r, en);
        crypto_aead_xchacha20poly1305_ietf_encrypt(en->wrapped, NULL, dek, 32, ad, adn, NULL,
                                                   en->nonce, kek);
    }
    sodium_free(kek);
    return rc;
}

static bool unwrap(const struct ring *r, const struct entry *en, const char *pass, size_t len,
                   unsigned char *dek, struct err *e, enum app_err *rc)
{
    unsigned char *kek = sodium_malloc(32);
    if (!kek) {
        *rc = err_set(e, E_STORAGE, "out of memory");
        return false;
    }
    *rc = derive(en, pass, len, kek, e);
    bool ok = false;
    if (*rc == E_OK) {
        unsigned char ad[AD_MAX];
        size_t adn = wrap_ad(ad, r, en);
        ok = crypto_aead_xchacha20poly1305_ietf_decrypt(dek, NULL, NULL, en->wrapped, WRAPPED, ad,
                                                        adn, en->nonce, kek) == 0;
    }
    sodium_free(kek);
    return ok;
}

/* The recovery code in canonical form (32 base32 letters) into out, when
 * pass looks like one. */
static bool recovery_form(const char *pass, size_t len, char out[33])
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = pass[i];
        if (c == '-' || c == ' ') {
            continue;
        }
        if (c >= 'a' && c <= 'z') {
            c = (char)(c - 'a' + 'A');
        }
        if (n == 32 || !strchr(B32, c) || c == '\0') {
            return false;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    return n == 32;
}

static void new_recovery(char *code, char canon[33])
{
    unsigned char raw[20];
    randombytes_buf(raw, sizeof raw);
    /* 160 bits = 32 base32 letters */
    for (int i = 0; i < 32; i++) {
        int bit = i * 5;
        int v = 0;
        for (int j = 0; j < 5; j++) {
            int b = bit + j;
            v = (v << 1) | ((raw[b / 8] >> (7 - b % 8)) & 1);
        }
        canon[i] = B32[v];
    }
    canon[32] = '\0';
    int o = 0;
    for (int i = 0; i < 32; i++) {
        if (i && i % 4 == 0) {
            code[o++] = '-';
        }
        code[o++] = canon[i];
    }
    code[o] = '\0';
    sodium_memzero(raw, sizeof raw);
}

enum app_err keyring_create(const char *db_path, const char *keys_path, const char *pass,
                            size_t pass_len, const struct kdf_cost *cost, struct store_secret *key,
                            char *recovery, struct err *e)
{
    char path[4096];
    if (!keys_path) {
        if (!keyring_path(db_path, path, sizeof path)) {
            return err_set(e, E_USAGE, "database path too long");
        }
        keys_path = path;
    }
    if (pass_len == 0) {
        return err_set(e, E_INVALID, "the passphrase is empty");
    }
    struct ring *r = sodium_malloc(sizeof *r);
    if (!r) {
        return err_set(e, E_STORAGE, "out of memory");
    }
    memset(r, 0, sizeof *r);
    randombytes_buf(key->dek, sizeof key->dek);
    randombytes_buf(key->file_id, sizeof key->file_id);
    memcpy(r->file_id, key->file_id, sizeof r->file_id);
    char canon[33];
    new_recovery(recovery, canon);
    enum app_err rc = wrap(r, &r->entries[0], "owner", pass, pass_len, cost, key->dek, e);
    if (rc == E_OK) {
        rc = wrap(r, &r->entries[1], "recovery", canon, 32, cost, key->dek, e);
    }
    sodium_memzero(canon, sizeof canon);
    if (rc == E_OK) {
        r->n = 2;
        rc = write_ring(keys_path, r, e);
    }
    sodium_free(r);
    return rc;
}

/* Finds the entry pass unlocks: the recovery entries when pass has the form
 * of a recovery code, the others otherwise. */
static enum app_err find_entry(const struct ring *r, const char *pass, size_t len,
                               unsigned char *dek, int *which, struct err *e)
{
    char canon[33];
    bool rec = recovery_form(pass, len, canon);
    enum app_err rc = E_OK;
    for (int pass_no = 0; pass_no < 2; pass_no++) {
        for (int i = 0; i < r->n; i++) {
            bool is_rec = strcmp(r->entries[i].name, "recovery") == 0;
            if (pass_no == 0 ? !(rec && is_rec) : is_rec) {
                continue;
            }
            bool ok = is_rec ? unwrap(r, &r->entries[i], canon, 32, dek, e, &rc)
                             : unwrap(r, &r->entries[i], pass, len, dek, e, &rc);
            if (rc != E_OK) {
                sodium_memzero(canon, sizeof canon);
                return rc;
            }
            if (ok) {
                *which = i;
                sodium_memzero(canon, sizeof canon);
                return E_OK;
            }
        }
    }
    sodium_memzero(canon, sizeof canon);
    return err_set(e, E_AUTH, "wrong passphrase");
}

enum app_err keyring_unlock(const char *db_path, const char *pass, size_t pass_len,
                            struct store_secret *key, struct err *e)
{
    char path[4096];
    if (!keyring_path(db_path, path, sizeof path)) {
        return err_set(e, E_USAGE, "database path too long");
    }
    struct ring *r = sodium_malloc(sizeof *r);
    if (!r) {
        return err_set(e, E_STORAGE, "out of memory");
    }
    enum app_err rc = read_ring(path, r, e);
    int which = -1;
    if (rc == E_OK) {
        rc = find_entry(r, pass, pass_len, key->dek, &which, e);
    }
    if (rc == E_OK) {
        memcpy(key->file_id, r->file_id, sizeof key->file_id);
    }
    sodium_free(r);
    return rc;
}

enum app_err keyring_change(const char *db_path, const char *old, size_t old_len,
                            const char *new_pass, size_t new_len, const struct kdf_cost *cost,
                            struct err *e)
{
    char path[4096];
    if (!keyring_path(db_path, path, sizeof path)) {
        return err_set(e, E_USAGE, "database path too long");
    }
    if (new_len == 0) {
        return err_set(e, E_INVALID, "the new passphrase is empty");
    }
    struct ring *r = sodium_malloc(sizeof *r);
    unsigned char *dek = sodium_malloc(32);
    if (!r || !dek) {
        sodium_free(r);
        sodium_free(dek);
        return err_set(e, E_STORAGE, "out of memory");
    }
    enum app_err rc = read_ring(path, r, e);
    int which = -1;
    if (rc == E_OK) {
        rc = find_entry(r, old, old_len, dek, &which, e);
    }
    if (rc == E_OK && strcmp(r->entries[which].name, "recovery") == 0) {
        /* The recovery code resets the owner's passphrase. */
        which = -1;
        for (int i = 0; i < r->n; i++) {
            if (strcmp(r->entries[i].name, "owner") == 0) {
                which = i;
            }
        }
        if (which < 0) {
            rc = err_set(e, E_INVALID, "keyring '%s' has no owner entry", path);
        }
    }
    if (rc == E_OK) {
        char name[NAME_MAX_LEN + 1];
        snprintf(name, sizeof name, "%s", r->entries[which].name);
        rc = wrap(r, &r->entries[which], name, new_pass, new_len, cost, dek, e);
    }
    if (rc == E_OK) {
        rc = write_ring(path, r, e);
    }
    sodium_free(dek);
    sodium_free(r);
    return rc;
}

enum app_err keyring_destroy(const char *keys_path, struct err *e)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", keys_path);
    const char *paths[] = {keys_path, tmp};
    enum app_err rc = E_OK;
    for (int i = 0; i < 2; i++) {
        int fd = open(paths[i], O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno != ENOENT && rc == E_OK) {
                rc = err_set(e, E_IO, "cannot open '%s': %s", paths[i], strerror(errno));
            }
            continue;
        }
        struct stat st;
        unsigned char junk[4096];
        if (fstat(fd, &st) == 0) {
            for (off_t off = 0; off < st.st_size; off += (off_t)sizeof junk) {
                randombytes_buf(junk, sizeof junk);
                size_t n = (size_t)(st.st_size - off) < sizeof junk ? (size_t)(st.st_size - off)
                                                                    : sizeof junk;
                if (pwrite(fd, junk, n, off) != (ssize_t)n && rc == E_OK) {
                    rc = err_set(e, E_IO, "cannot overwrite '%s'", paths[i]);
                }
            }
        }
        if (fsync(fd) != 0 && rc == E_OK) {
            rc = err_set(e, E_IO, "cannot sync '%s'", paths[i]);
        }
        close(fd);
        if (unlink(paths[i]) != 0 && rc == E_OK) {
            rc = err_set(e, E_IO, "cannot remove '%s': %s", paths[i], strerror(errno));
        }
    }
    return rc;
}

enum app_err keyring_copy(const char *db_path, const char *keys_path, struct err *e)
{
    char path[4096];
    if (!keyring_path(db_path, path, sizeof path)) {
        return err_set(e, E_USAGE, "database path too long");
    }
    struct ring *r = sodium_malloc(sizeof *r);
    if (!r) {
        return err_set(e, E_STORAGE, "out of memory");
    }
    enum app_err rc = read_ring(path, r, e);
    if (rc == E_OK) {
        rc = write_ring(keys_path, r, e);
    }
    sodium_free(r);
    return rc;
}

void keyring_harden_process(void)
{
    struct rlimit rl = {0, 0};
    setrlimit(RLIMIT_CORE, &rl);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
