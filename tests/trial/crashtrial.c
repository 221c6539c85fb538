/*
 * crashtrial.c: durability and tamper trials of the store's storage layer
 * (docs/security.md, bench/README.md; plan: reliability.md A1-A3, B1, B2).
 *
 *   crashtrial kill   enc|plain FULL|NORMAL|OFF TRIALS [SEED]
 *       A child commits evidence rows (a random 16 B - 8 KB blob, its
 *       BLAKE2b hash, an FTS5 row) and acknowledges each seq over a pipe
 *       after COMMIT returns; the parent SIGKILLs it after 20-270 ms, then
 *       reopens and verifies. Also scans every file for plaintext canaries.
 *   crashtrial power  enc|plain FULL|NORMAL|OFF TRIALS [SEED]
 *       The same workload over a crash VFS (under the encrypting VFS) that,
 *       at a random write or sync, simulates a power cut: each write not yet
 *       synced is undone (p=1/4), torn at 512-byte granularity (p=1/2) or
 *       kept, and the file may be cut back to its last synced size (p=1/4).
 *   crashtrial compound enc|plain FULL TRIALS [SEED]
 *       A power cut as above, then a first recovery that fails (reliability.md
 *       A8): a process opens the store through a VFS that fails its Nth file
 *       operation (N random in 1-80; an I/O error once, or from then on) or
 *       SQLite's Nth allocation (N random in 1-400), reads, checks the
 *       full-text index and checkpoints the WAL, and ends; then the store is
 *       recovered again, without faults, and verified.
 *   crashtrial tamper enc|plain TRIALS [SEED]
 *       Bit flips, page swaps, truncations and appended garbage on a copy of
 *       a database: detected (error or failed check), silent change (opens,
 *       checks pass, content differs) or no effect.
 *
 * Verification: integrity_check, FTS5 integrity-check, no acknowledged
 * commit lost, no id gaps, every hash matches, as many FTS rows as rows.
 * Prints RESULT lines and "N passed, N failed"; exits non-zero on failure
 * (with OFF, the negative control, "failure" is finding too little
 * corruption: the harness must see it in at least 90% of trials).
 *
 * The trial has its own small schema (it tests the storage layer, not
 * refuge's tables) and uses SQLite directly with the store's VFS.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "store/vfs_crypt.h"

static unsigned char g_key[CRYPT_KEY_BYTES];
static unsigned char g_id[CRYPT_FILE_ID_BYTES];
static bool g_enc;
static const char *g_sync = "FULL";
static char g_dir[512];
static char g_db[600];

/* ---- a small deterministic random generator (per trial seed) ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static unsigned rnd_below(unsigned n)
{
    return (unsigned)(rnd() % n);
}

/* ---- the crash VFS ---- */

struct pending {
    int64_t off;
    int len;
    int64_t old_size;
    unsigned char *old;
};

struct xfile {
    sqlite3_file base;
    sqlite3_file *real;
    struct pending *p;
    int n, cap;
    sqlite3_int64 synced_size;
    struct xfile *next;
};

static sqlite3_vfs *x_root;
static struct xfile *x_files;
static long x_ops;
static long x_crash_at = -1;
static sqlite3_vfs x_vfs;

/* Faults for the failing recovery (compound): the Nth file operation of
 * the crash VFS returns an I/O error, or SQLite's Nth allocation fails;
 * once, or from then on. */
struct fault_point {
    long at; /* -1: none */
    bool persistent;
    long ops;
};

static struct fault_point x_fail = {.at = -1};
static struct fault_point m_fail_point = {.at = -1};
static long x_failed; /* faults injected, of both kinds */

/* Counts one operation; true when it is the one (or one of those) to fail. */
static bool fault_due(struct fault_point *f)
{
    if (f->at < 0) {
        return false;
    }
    f->ops++;
    if (f->ops == f->at || (f->persistent && f->ops > f->at)) {
        x_failed++;
        return true;
    }
    return false;
}

static int x_fault(int err)
{
    return fault_due(&x_fail) ? err : SQLITE_OK;
}

/* SQLite's allocator under the failing one (SQLITE_CONFIG_MALLOC). */
static sqlite3_mem_methods m_real;

static bool m_fail(void)
{
    return fault_due(&m_fail_point);
}

static void *m_malloc(int n)
{
    return m_fail() ? NULL : m_real.xMalloc(n);
}

static void *m_realloc(void *p, int n)
{
    return m_fail() ? NULL : m_real.xRealloc(p, n);
}

static void x_damage(void);

static void x_tick(void)
{
    if (x_crash_at >= 0 && ++x_ops >= x_crash_at) {
        x_damage();
        _exit(0);
    }
}

static int x_size_real(struct xfile *f, sqlite3_int64 *sz)
{
    return f->real->pMethods->xFileSize(f->real, sz);
}

static int x_write(sqlite3_file *pf, const void *buf, int amt, sqlite3_int64 off)
{
    struct xfile *f = (struct xfile *)pf;
    x_tick();
    int fault = x_fault(SQLITE_IOERR_WRITE);
    if (fault) {
        return fault;
    }
    sqlite3_int64 sz = 0;
    x_size_real(f, &sz);
    struct pending pe = {off, amt, sz, malloc((size_t)amt)};
    if (!pe.old) {
        return SQLITE_NOMEM;
    }
    int rc = f->real->pMethods->xRead(f->real, pe.old, amt, off);
    if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) {
        free(pe.old);
        return rc;
    }
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 64;
        f->p = realloc(f->p, (size_t)f->cap * sizeof *f->p);
    }
    f->p[f->n++] = pe;
    return f->real->pMethods->xWrite(f->real, buf, amt, off);
}

static void x_clear(struct xfile *f)
{
    for (int i = 0; i < f->n; i++) {
        free(f->p[i].old);
    }
    f->n = 0;
}

static int x_sync(sqlite3_file *pf, int flags)
{
    struct xfile *f = (struct xfile *)pf;
    x_tick();
    int fault = x_fault(SQLITE_IOERR_FSYNC);
    if (fault) {
        return fault;
    }
    int rc = f->real->pMethods->xSync(f->real, flags);
    if (rc == SQLITE_OK) {
        x_clear(f);
        x_size_real(f, &f->synced_size);
    }
    return rc;
}

static int x_truncate(sqlite3_file *pf, sqlite3_int64 size)
{
    struct xfile *f = (struct xfile *)pf;
    x_tick();
    int fault = x_fault(SQLITE_IOERR_TRUNCATE);
    if (fault) {
        return fault;
    }
    /* Simplification: a truncation is treated as durable at once. */
    return f->real->pMethods->xTruncate(f->real, size);
}

static const unsigned char zeros[CRYPT_PAGE * 3];

static void x_restore(struct xfile *f, const struct pending *pe, int64_t from, int len)
{
    /* bytes [from, from+len) of the write go back to what they were (zeros
     * past the old end of file) */
    for (int64_t o = from; o < from + len;) {
        int n = (int)(from + len - o);
        const unsigned char *src;
        if (o < pe->old_size) {
            int64_t lim = pe->old_size - o;
            n = n < lim ? n : (int)lim;
            src = pe->old + (o - pe->off);
        } else {
            n = n < (int)sizeof zeros ? n : (int)sizeof zeros;
            src = zeros;
        }
        f->real->pMethods->xWrite(f->real, src, n, o);
        o += n;
    }
}

static void x_damage(void)
{
    for (struct xfile *f = x_files; f; f = f->next) {
        for (int i = f->n - 1; i >= 0; i--) {
            struct pending *pe = &f->p[i];
            unsigned r = rnd_below(4);
            if (r == 0) {
                x_restore(f, pe, pe->off, pe->len);
            } else if (r <= 2) {
                int64_t end = pe->off + pe->len;
                for (int64_t s = pe->off; s < end;) {
                    int64_t next = (s / 512 + 1) * 512;
                    int n = (int)((next < end ? next : end) - s);
                    if (rnd_below(2)) {
                        x_restore(f, pe, s, n);
                    }
                    s += n;
                }
            }
        }
        if (f->n && rnd_below(4) == 0) {
            f->real->pMethods->xTruncate(f->real, f->synced_size);
        }
    }
}

static int x_close(sqlite3_file *pf)
{
    struct xfile *f = (struct xfile *)pf;
    for (struct xfile **pp = &x_files; *pp; pp = &(*pp)->next) {
        if (*pp == f) {
            *pp = f->next;
            break;
        }
    }
    x_clear(f);
    free(f->p);
    return f->real->pMethods->xClose(f->real);
}

#define XR(pf) (((struct xfile *)(pf))->real)

static int x_read(sqlite3_file *pf, void *b, int n, sqlite3_int64 o)
{
    int fault = x_fault(SQLITE_IOERR_READ);
    return fault ? fault : XR(pf)->pMethods->xRead(XR(pf), b, n, o);
}

static int x_fsize(sqlite3_file *pf, sqlite3_int64 *s)
{
    return XR(pf)->pMethods->xFileSize(XR(pf), s);
}

static int x_lock(sqlite3_file *pf, int l)
{
    int fault = x_fault(SQLITE_IOERR_LOCK);
    return fault ? fault : XR(pf)->pMethods->xLock(XR(pf), l);
}

static int x_unlock(sqlite3_file *pf, int l)
{
    return XR(pf)->pMethods->xUnlock(XR(pf), l);
}

static int x_check(sqlite3_file *pf, int *o)
{
    return XR(pf)->pMethods->xCheckReservedLock(XR(pf), o);
}

static int x_fcntl(sqlite3_file *pf, int op, void *a)
{
    return XR(pf)->pMethods->xFileControl(XR(pf), op, a);
}

static int x_sector(sqlite3_file *pf)
{
    return XR(pf)->pMethods->xSectorSize(XR(pf));
}

static int x_dev(sqlite3_file *pf)
{
    /* no POWERSAFE_OVERWRITE: a power cut can damage a whole sector */
    return XR(pf)->pMethods->xDeviceCharacteristics(XR(pf)) & ~SQLITE_IOCAP_POWERSAFE_OVERWRITE;
}

static int x_shm_map(sqlite3_file *pf, int a, int b, int c, void volatile **p)
{
    int fault = x_fault(SQLITE_IOERR_SHMMAP);
    return fault ? fault : XR(pf)->pMethods->xShmMap(XR(pf), a, b, c, p);
}

static int x_shm_lock(sqlite3_file *pf, int a, int b, int c)
{
    return XR(pf)->pMethods->xShmLock(XR(pf), a, b, c);
}

static void x_shm_barrier(sqlite3_file *pf)
{
    XR(pf)->pMethods->xShmBarrier(XR(pf));
}

static int x_shm_unmap(sqlite3_file *pf, int d)
{
    return XR(pf)->pMethods->xShmUnmap(XR(pf), d);
}

static const sqlite3_io_methods x_io = {
    2,          x_close,       x_read,      x_write, x_truncate, x_sync, x_fsize,
    x_lock,     x_unlock,      x_check,     x_fcntl, x_sector,   x_dev,  x_shm_map,
    x_shm_lock, x_shm_barrier, x_shm_unmap, NULL,    NULL,
};

static int x_open(sqlite3_vfs *v, const char *name, sqlite3_file *pf, int flags, int *out)
{
    (void)v;
    struct xfile *f = (struct xfile *)pf;
    memset(f, 0, sizeof *f);
    f->real = (sqlite3_file *)((char *)f + ((sizeof *f + 7) & ~(size_t)7));
    int rc = x_root->xOpen(x_root, name, f->real, flags, out);
    if (rc != SQLITE_OK) {
        f->base.pMethods = NULL;
        return rc;
    }
    f->base.pMethods = &x_io;
    x_size_real(f, &f->synced_size);
    f->next = x_files;
    x_files = f;
    return SQLITE_OK;
}

static int x_delete(sqlite3_vfs *v, const char *n, int s)
{
    (void)v;
    return x_root->xDelete(x_root, n, s);
}

static int x_access(sqlite3_vfs *v, const char *n, int f, int *o)
{
    (void)v;
    return x_root->xAccess(x_root, n, f, o);
}

static int x_full(sqlite3_vfs *v, const char *n, int k, char *o)
{
    (void)v;
    return x_root->xFullPathname(x_root, n, k, o);
}

static int x_random(sqlite3_vfs *v, int n, char *o)
{
    (void)v;
    return x_root->xRandomness(x_root, n, o);
}

static int x_sleep(sqlite3_vfs *v, int us)
{
    (void)v;
    return x_root->xSleep(x_root, us);
}

static int x_time(sqlite3_vfs *v, double *o)
{
    (void)v;
    return x_root->xCurrentTime(x_root, o);
}

static int x_time64(sqlite3_vfs *v, sqlite3_int64 *o)
{
    (void)v;
    return x_root->xCurrentTimeInt64(x_root, o);
}

static void crash_vfs_register(void)
{
    x_root = sqlite3_vfs_find(NULL);
    x_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)(((sizeof(struct xfile) + 7) & ~(size_t)7) + (size_t)x_root->szOsFile),
        .mxPathname = x_root->mxPathname,
        .zName = "crash",
        .xOpen = x_open,
        .xDelete = x_delete,
        .xAccess = x_access,
        .xFullPathname = x_full,
        .xRandomness = x_random,
        .xSleep = x_sleep,
        .xCurrentTime = x_time,
        .xCurrentTimeInt64 = x_time64,
    };
    sqlite3_vfs_register(&x_vfs, 0);
    crypt_vfs_register("crypt-over-crash", "crash");
}

/* ---- the workload ---- */

static sqlite3 *open_db(const char *vfs_plain, const char *vfs_enc)
{
    sqlite3 *db = NULL;
    if (g_enc) {
        crypt_vfs_pending_key(g_key, g_id);
    }
    int rc = sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                             g_enc ? vfs_enc : vfs_plain);
    crypt_vfs_pending_key(NULL, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 5000);
    if (g_enc) {
        int reserve = CRYPT_RESERVE;
        sqlite3_exec(db, "PRAGMA page_size=4096", NULL, NULL, NULL);
        sqlite3_file_control(db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);
    }
    char sql[256];
    snprintf(sql, sizeof sql,
             "PRAGMA temp_store=MEMORY; PRAGMA mmap_size=0; PRAGMA journal_mode=WAL;"
             " PRAGMA synchronous=%s; PRAGMA wal_autocheckpoint=64;",
             g_sync);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS ev (seq INTEGER PRIMARY KEY, data BLOB NOT NULL,"
    " hash BLOB NOT NULL);"
    "CREATE VIRTUAL TABLE IF NOT EXISTS ev_fts USING fts5 (body);";

/* The canary text of row seq: a name, a phone number and coordinates that
 * must never appear in a file in plaintext. */
static void canary_body(int64_t seq, char *out, size_t n)
{
    snprintf(out, n,
             "CANARYNAME Zhanargul Serikbayeva %lld phone +77015550%03lld gps 43.2389N "
             "76.8897E witness statement",
             (long long)seq, (long long)(seq % 1000));
}

static void child_writer(int ackfd, const char *vfs_plain, const char *vfs_enc)
{
    sqlite3 *db = open_db(vfs_plain, vfs_enc);
    if (!db) {
        _exit(3);
    }
    sqlite3_stmt *ins = NULL;
    sqlite3_stmt *fts = NULL;
    sqlite3_prepare_v2(db, "INSERT INTO ev (seq, data, hash) VALUES (?1, ?2, ?3)", -1, &ins, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO ev_fts (rowid, body) VALUES (?1, ?2)", -1, &fts, NULL);
    sqlite3_int64 seq = 0;
    sqlite3_stmt *mx = NULL;
    sqlite3_prepare_v2(db, "SELECT coalesce(max(seq), 0) FROM ev", -1, &mx, NULL);
    if (sqlite3_step(mx) == SQLITE_ROW) {
        seq = sqlite3_column_int64(mx, 0);
    }
    sqlite3_finalize(mx);
    static unsigned char blob[8192];
    for (;;) {
        seq++;
        int len = 16 + (int)rnd_below(8192 - 16 + 1);
        for (int i = 0; i < len; i++) {
            blob[i] = (unsigned char)rnd();
        }
        /* the blob carries a canary too */
        if (len > 64) {
            memcpy(blob + 8, "CANARYBLOB-Almaty-Dostyk", 24);
        }
        unsigned char h[32];
        crypto_generichash(h, sizeof h, blob, (size_t)len, NULL, 0);
        char body[200];
        canary_body(seq, body, sizeof body);
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
            _exit(4);
        }
        sqlite3_bind_int64(ins, 1, seq);
        sqlite3_bind_blob(ins, 2, blob, len, SQLITE_STATIC);
        sqlite3_bind_blob(ins, 3, h, sizeof h, SQLITE_STATIC);
        sqlite3_bind_int64(fts, 1, seq);
        sqlite3_bind_text(fts, 2, body, -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE || sqlite3_step(fts) != SQLITE_DONE) {
            _exit(5);
        }
        sqlite3_reset(ins);
        sqlite3_reset(fts);
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            fprintf(stderr, "crashtrial: writer: commit failed: %s\n", sqlite3_errmsg(db));
            _exit(6);
        }
        if (write(ackfd, &seq, sizeof seq) != (ssize_t)sizeof seq) {
            _exit(7);
        }
    }
}

/* ---- verification ---- */

struct verdict {
    bool open_fail, integrity_fail, fts_fail;
    int64_t lost, gaps, hash_bad, count_mismatch, rows;
};

static bool verdict_bad(const struct verdict *v)
{
    return v->open_fail || v->integrity_fail || v->fts_fail || v->lost || v->gaps || v->hash_bad ||
           v->count_mismatch;
}

static int64_t one_int(sqlite3 *db, const char *sql, bool *fail)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        v = sqlite3_column_int64(st, 0);
    } else {
        *fail = true;
    }
    sqlite3_finalize(st);
    return v;
}

static void verify(int64_t acked, struct verdict *v)
{
    memset(v, 0, sizeof *v);
    sqlite3 *db = open_db(NULL, "refuge-crypt");
    if (!db) {
        v->open_fail = true;
        return;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW ||
        strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
        v->integrity_fail = true;
    }
    sqlite3_finalize(st);
    if (sqlite3_exec(db, "INSERT INTO ev_fts(ev_fts) VALUES('integrity-check')", NULL, NULL,
                     NULL) != SQLITE_OK) {
        v->fts_fail = true;
    }
    bool fail = false;
    int64_t n = one_int(db, "SELECT count(*) FROM ev", &fail);
    int64_t mx = one_int(db, "SELECT coalesce(max(seq), 0) FROM ev", &fail);
    int64_t nf = one_int(db, "SELECT count(*) FROM ev_fts", &fail);
    if (fail) {
        v->integrity_fail = true;
    }
    v->rows = n;
    v->lost = acked > mx ? acked - mx : 0;
    v->gaps = mx - n;
    v->count_mismatch = n != nf;
    if (sqlite3_prepare_v2(db, "SELECT data, hash FROM ev", -1, &st, NULL) == SQLITE_OK) {
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            unsigned char h[32];
            crypto_generichash(h, sizeof h, sqlite3_column_blob(st, 0),
                               (size_t)sqlite3_column_bytes(st, 0), NULL, 0);
            if (sqlite3_column_bytes(st, 1) != 32 ||
                memcmp(h, sqlite3_column_blob(st, 1), 32) != 0) {
                v->hash_bad++;
            }
        }
        if (rc != SQLITE_DONE) {
            v->integrity_fail = true;
        }
    } else {
        v->integrity_fail = true;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* ---- files ---- */

static void rm_db_files(void)
{
    const char *sfx[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < 4; i++) {
        char p[700];
        snprintf(p, sizeof p, "%s%s", g_db, sfx[i]);
        unlink(p);
    }
}

static long count_hits_file(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return 0;
    }
    size_t nl = strlen(needle);
    long hits = 0;
    size_t match = 0;
    int c;
    while ((c = fgetc(f)) != EOF) {
        if ((char)c == needle[match]) {
            if (++match == nl) {
                hits++;
                match = 0;
            }
        } else {
            match = (char)c == needle[0] ? 1 : 0;
        }
    }
    fclose(f);
    return hits;
}

/* Canary hits in the database, WAL and shm. */
static long canary_hits(void)
{
    const char *sfx[] = {"", "-wal", "-shm", "-journal"};
    const char *needles[] = {"CANARYNAME", "Serikbayeva", "+77015550", "43.2389N", "CANARYBLOB"};
    long hits = 0;
    for (size_t i = 0; i < 4; i++) {
        char p[700];
        snprintf(p, sizeof p, "%s%s", g_db, sfx[i]);
        for (size_t k = 0; k < 5; k++) {
            hits += count_hits_file(p, needles[k]);
        }
    }
    return hits;
}

static bool make_schema(void)
{
    rm_db_files();
    sqlite3 *db = open_db(NULL, "refuge-crypt");
    bool ok = db && sqlite3_exec(db, SCHEMA, NULL, NULL, NULL) == SQLITE_OK;
    sqlite3_close(db);
    return ok;
}

/* ---- crash trials ---- */

/* A first recovery that fails (compound): in a child, with a fault armed
 * at a random point, open the store, read everything, check the full-text
 * index and checkpoint the WAL. Whatever that achieves is left for the
 * second recovery (verify()). */
static bool failing_recovery(void)
{
    pid_t pid = fork();
    if (pid != 0) {
        int status = 0;
        waitpid(pid, &status, 0);
        return WIFEXITED(status) && WEXITSTATUS(status) == 0; /* a fault was injected */
    }
    unsigned kind = rnd_below(4);
    if (kind < 2) {
        x_fail = (struct fault_point){.at = 1 + (long)rnd_below(80), .persistent = kind == 1};
    } else {
        /* SQLite's allocator can only be replaced while it is shut down. */
        sqlite3_shutdown();
        sqlite3_config(SQLITE_CONFIG_GETMALLOC, &m_real);
        sqlite3_mem_methods m = m_real;
        m.xMalloc = m_malloc;
        m.xRealloc = m_realloc;
        sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
        sqlite3_initialize();
        m_fail_point =
            (struct fault_point){.at = 1 + (long)rnd_below(400), .persistent = kind == 3};
    }
    sqlite3 *db = open_db("crash", "crypt-over-crash");
    if (db) {
        sqlite3_exec(db, "SELECT count(*), sum(length(data)) FROM ev", NULL, NULL, NULL);
        sqlite3_exec(db, "INSERT INTO ev_fts(ev_fts) VALUES('integrity-check')", NULL, NULL, NULL);
        sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
        sqlite3_close(db);
    }
    _exit(x_failed > 0 ? 0 : 3);
}

static int crash_trials(bool power, bool compound, int trials, uint64_t seed)
{
    long fails = 0, integrity = 0, lost = 0, gaps = 0, hashes = 0, fts = 0, counts = 0, opens = 0,
         canaries = 0, acked_total = 0, faults_hit = 0;
    struct crypt_counters before;
    crypt_vfs_counters(&before);
    uint64_t wal_rejects = 0, synth = 0;
    for (int t = 0; t < trials; t++) {
        rng_state = seed * 0x9E3779B97F4A7C15ULL + (uint64_t)t * 7919 + 1;
        if (!make_schema()) {
            fprintf(stderr, "crashtrial: cannot create %s\n", g_db);
            return 2;
        }
        int fds[2];
        if (pipe(fds) != 0) {
            return 2;
        }
        long crash_at = power ? 1 + (long)rnd_below(600) : -1;
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            rng_state ^= 0xA5A5A5A5ULL;
            if (power) {
                x_crash_at = crash_at;
                x_ops = 0;
            }
            child_writer(fds[1], power ? "crash" : NULL,
                         power ? "crypt-over-crash" : "refuge-crypt");
        }
        close(fds[1]);
        if (!power) {
            unsigned ms = 20 + rnd_below(251);
            struct timespec ts = {0, (long)ms * 1000000L};
            nanosleep(&ts, NULL);
            kill(pid, SIGKILL);
        }
        int64_t acked = 0;
        int64_t seq;
        while (read(fds[0], &seq, sizeof seq) == (ssize_t)sizeof seq) {
            acked = seq;
        }
        close(fds[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        if (power && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            fprintf(stderr, "crashtrial: trial %d: writer ended with status %d\n", t, status);
        }
        acked_total += acked;
        if (power) {
            /* the shared-memory index does not survive a power cut */
            char shm[700];
            snprintf(shm, sizeof shm, "%s-shm", g_db);
            unlink(shm);
            if (compound) {
                faults_hit += failing_recovery();
            }
        } else {
            canaries += canary_hits(); /* as the crash left them */
        }
        struct crypt_counters c0;
        crypt_vfs_counters(&c0);
        struct verdict v;
        verify(acked, &v);
        struct crypt_counters c1;
        crypt_vfs_counters(&c1);
        wal_rejects += c1.mac_fail_wal - c0.mac_fail_wal;
        synth += c1.header_synth - c0.header_synth;
        if (!power) {
            canaries += canary_hits(); /* after recovery */
        }
        fails += verdict_bad(&v);
        opens += v.open_fail;
        integrity += v.integrity_fail;
        fts += v.fts_fail;
        lost += v.lost > 0;
        gaps += v.gaps > 0;
        hashes += v.hash_bad > 0;
        counts += v.count_mismatch;
        if (verdict_bad(&v) && strcmp(g_sync, "OFF") != 0) {
            fprintf(stderr,
                    "crashtrial: trial %d failed: open %d integrity %d fts %d lost %lld gaps %lld "
                    "hash %lld count %lld (acked %lld rows %lld)\n",
                    t, v.open_fail, v.integrity_fail, v.fts_fail, (long long)v.lost,
                    (long long)v.gaps, (long long)v.hash_bad, (long long)v.count_mismatch,
                    (long long)acked, (long long)v.rows);
        }
    }
    rm_db_files();
    printf("RESULT name=crash_%s mode=%s sync=%s trials=%d failed_trials=%ld open_failures=%ld "
           "integrity_failures=%ld lost_acked_commits=%ld id_gaps=%ld hash_mismatches=%ld "
           "fts_failures=%ld count_mismatches=%ld acked=%ld wal_mac_rejections=%llu "
           "header_syntheses=%llu canary_hits=%ld\n",
           compound ? "compound"
           : power  ? "power"
                    : "kill",
           g_enc ? "enc" : "plain", g_sync, trials, fails, opens, integrity, lost, gaps, hashes,
           fts, counts, acked_total, (unsigned long long)wal_rejects, (unsigned long long)synth,
           canaries);
    if (compound) {
        /* Most first recoveries must really have failed, or the trial
         * tests nothing. */
        printf("RESULT name=compound_faults recoveries=%d with_a_fault=%ld\n", trials, faults_hit);
        if (faults_hit * 2 < trials) {
            printf("# only %ld of %d first recoveries met their fault\n", faults_hit, trials);
            fails++;
        }
    }
    int passed = 0;
    int failed = 0;
    if (strcmp(g_sync, "OFF") == 0) {
        /* negative control: the harness must see the damage */
        bool ok = fails * 10 >= (long)trials * 9;
        printf("RESULT name=negative_control detected=%ld trials=%d rate=%.2f\n", fails, trials,
               trials ? (double)fails / trials : 0.0);
        ok ? passed++ : failed++;
    } else {
        bool ok = strcmp(g_sync, "NORMAL") == 0
                      ? (integrity == 0 && opens == 0 && gaps == 0 && hashes == 0 && fts == 0)
                      : fails == 0;
        ok ? passed++ : failed++;
        if (g_enc && !power) {
            canaries == 0 ? passed++ : failed++;
        }
        if (!g_enc && !power) {
            /* control: the scanner finds the canaries in a plaintext store */
            canaries > 0 ? passed++ : failed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

/* ---- tamper trials ---- */

static int64_t content_digest(bool *err, bool *check_failed)
{
    *err = false;
    *check_failed = false;
    sqlite3 *db = open_db(NULL, "refuge-crypt");
    if (!db) {
        *err = true;
        return 0;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW ||
        strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
        *check_failed = true;
    }
    sqlite3_finalize(st);
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 8);
    const char *q[] = {"SELECT seq, data, hash FROM ev ORDER BY seq",
                       "SELECT rowid, body, NULL FROM ev_fts ORDER BY rowid"};
    for (int k = 0; k < 2; k++) {
        if (sqlite3_prepare_v2(db, q[k], -1, &st, NULL) != SQLITE_OK) {
            *err = true;
            break;
        }
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t s = sqlite3_column_int64(st, 0);
            crypto_generichash_update(&h, (const unsigned char *)&s, sizeof s);
            for (int c = 1; c < 3; c++) {
                const void *b = sqlite3_column_blob(st, c);
                if (b) {
                    crypto_generichash_update(&h, b, (size_t)sqlite3_column_bytes(st, c));
                }
            }
        }
        if (rc != SQLITE_DONE) {
            *err = true;
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    unsigned char out[8];
    crypto_generichash_final(&h, out, sizeof out);
    int64_t d;
    memcpy(&d, out, sizeof d);
    return d;
}

static bool copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb");
    FILE *b = fopen(to, "wb");
    bool ok = a && b;
    char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, a)) > 0) {
        ok = fwrite(buf, 1, n, b) == n;
    }
    if (a) {
        fclose(a);
    }
    if (b && fclose(b) != 0) {
        ok = false;
    }
    return ok;
}

static int tamper_trials(int trials, uint64_t seed)
{
    rng_state = seed * 2654435761ULL + 17;
    if (!make_schema()) {
        return 2;
    }
    /* 200 rows, the WAL folded in: one file to tamper with */
    char base[700];
    snprintf(base, sizeof base, "%s/base.db", g_dir);
    bool err = false;
    bool bad = false;
    sqlite3 *db = open_db(NULL, "refuge-crypt");
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *ins = NULL;
    sqlite3_stmt *fts = NULL;
    sqlite3_prepare_v2(db, "INSERT INTO ev (seq, data, hash) VALUES (?1, ?2, ?3)", -1, &ins, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO ev_fts (rowid, body) VALUES (?1, ?2)", -1, &fts, NULL);
    static unsigned char blob[8192];
    for (int64_t s = 1; s <= 200; s++) {
        int len = 16 + (int)rnd_below(4000);
        for (int i = 0; i < len; i++) {
            blob[i] = (unsigned char)rnd();
        }
        unsigned char h[32];
        crypto_generichash(h, sizeof h, blob, (size_t)len, NULL, 0);
        char body[200];
        canary_body(s, body, sizeof body);
        sqlite3_bind_int64(ins, 1, s);
        sqlite3_bind_blob(ins, 2, blob, len, SQLITE_STATIC);
        sqlite3_bind_blob(ins, 3, h, 32, SQLITE_STATIC);
        sqlite3_bind_int64(fts, 1, s);
        sqlite3_bind_text(fts, 2, body, -1, SQLITE_STATIC);
        sqlite3_step(ins);
        sqlite3_step(fts);
        sqlite3_reset(ins);
        sqlite3_reset(fts);
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(fts);
    sqlite3_exec(db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    sqlite3_close(db);
    if (!copy_file(g_db, base)) {
        return 2;
    }
    int64_t want = content_digest(&err, &bad);
    if (err || bad) {
        fprintf(stderr, "crashtrial: the untouched copy does not verify\n");
        return 2;
    }
    struct stat st;
    stat(base, &st);
    int64_t size = st.st_size;
    int64_t pages = size / CRYPT_PAGE;
    const char *kinds[] = {"bitflip", "pageswap", "truncate", "append"};
    long det[4] = {0}, silent[4] = {0}, none[4] = {0}, tried[4] = {0};
    for (int t = 0; t < trials; t++) {
        int k = t % 4;
        rm_db_files();
        copy_file(base, g_db);
        int fd = open(g_db, O_RDWR);
        if (fd < 0) {
            return 2;
        }
        if (k == 0) {
            int64_t off = (int64_t)(rnd() % (uint64_t)size);
            unsigned char c;
            if (pread(fd, &c, 1, off) != 1) {
                return 2;
            }
            c ^= (unsigned char)(1u << rnd_below(8));
            if (pwrite(fd, &c, 1, off) != 1) {
                return 2;
            }
        } else if (k == 1) {
            int64_t a = (int64_t)rnd_below((unsigned)pages);
            int64_t b = (int64_t)rnd_below((unsigned)pages - 1);
            b += b >= a;
            static unsigned char pa[CRYPT_PAGE], pb[CRYPT_PAGE];
            if (pread(fd, pa, CRYPT_PAGE, a * CRYPT_PAGE) != CRYPT_PAGE ||
                pread(fd, pb, CRYPT_PAGE, b * CRYPT_PAGE) != CRYPT_PAGE ||
                pwrite(fd, pa, CRYPT_PAGE, b * CRYPT_PAGE) != CRYPT_PAGE ||
                pwrite(fd, pb, CRYPT_PAGE, a * CRYPT_PAGE) != CRYPT_PAGE) {
                return 2;
            }
        } else if (k == 2) {
            int64_t to = rnd_below(2) ? (int64_t)rnd_below((unsigned)pages) * CRYPT_PAGE
                                      : (int64_t)(rnd() % (uint64_t)size);
            if (ftruncate(fd, to) != 0) {
                return 2;
            }
        } else {
            static unsigned char junk[CRYPT_PAGE * 2];
            int n = 1 + (int)rnd_below(sizeof junk);
            randombytes_buf(junk, (size_t)n);
            if (pwrite(fd, junk, (size_t)n, size) != n) {
                return 2;
            }
        }
        close(fd);
        tried[k]++;
        int64_t got = content_digest(&err, &bad);
        if (err || bad) {
            det[k]++;
        } else if (got != want) {
            silent[k]++;
        } else {
            none[k]++;
        }
    }
    rm_db_files();
    unlink(base);
    int passed = 0;
    int failed = 0;
    for (int k = 0; k < 4; k++) {
        printf("RESULT name=tamper_%s mode=%s trials=%ld detected=%ld silent=%ld no_effect=%ld\n",
               kinds[k], g_enc ? "enc" : "plain", tried[k], det[k], silent[k], none[k]);
        if (g_enc) {
            /* flips and swaps: every one detected; nothing may change silently */
            bool ok = silent[k] == 0 && (k >= 2 || det[k] == tried[k]);
            ok ? passed++ : failed++;
        }
    }
    if (!g_enc) {
        /* control: plain SQLite lets changes through unnoticed */
        long s = silent[0] + silent[1] + silent[2] + silent[3];
        s > 0 ? passed++ : failed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

/* ---- WAL tampering (reliability.md B4) ---- */

/* Rows readable after opening, and the WAL frames rejected meanwhile. */
static int64_t rows_after_open(uint64_t *rejected)
{
    struct crypt_counters c0;
    struct crypt_counters c1;
    crypt_vfs_counters(&c0);
    sqlite3 *db = open_db(NULL, "refuge-crypt");
    bool fail = false;
    int64_t n = db ? one_int(db, "SELECT count(*) FROM ev", &fail) : -1;
    sqlite3_close(db);
    crypt_vfs_counters(&c1);
    *rejected = c1.mac_fail_wal - c0.mac_fail_wal;
    return fail ? -1 : n;
}

static int wal_tamper(int trials, uint64_t seed)
{
    rng_state = seed * 40503ULL + 3;
    if (!make_schema()) {
        return 2;
    }
    sqlite3 *db = open_db(NULL, "refuge-crypt");
    sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    sqlite3_exec(db, "PRAGMA wal_autocheckpoint=0", NULL, NULL, NULL);
    for (int i = 1; i <= 60; i++) {
        char sql[200];
        snprintf(sql, sizeof sql,
                 "BEGIN; INSERT INTO ev VALUES (%d, randomblob(%d), x'00');"
                 " INSERT INTO ev_fts (rowid, body) VALUES (%d, 'row %d'); COMMIT;",
                 i, 100 + i * 50, i, i);
        sqlite3_exec(db, sql, NULL, NULL, NULL);
    }
    sqlite3_close(db);
    char wal[700], shm[700], bdb[700], bwal[700];
    snprintf(wal, sizeof wal, "%s-wal", g_db);
    snprintf(shm, sizeof shm, "%s-shm", g_db);
    snprintf(bdb, sizeof bdb, "%s/base.db", g_dir);
    snprintf(bwal, sizeof bwal, "%s/base.db-wal", g_dir);
    unlink(shm);
    if (!copy_file(g_db, bdb) || !copy_file(wal, bwal)) {
        return 2;
    }
    struct stat st;
    stat(bwal, &st);
    long frames = (long)((st.st_size - 32) / (24 + CRYPT_PAGE));
    uint64_t rej = 0;
    int64_t want = rows_after_open(&rej);
    if (want != 60 || rej != 0 || frames < 10) {
        fprintf(stderr, "crashtrial: WAL set-up: %lld rows, %ld frames\n", (long long)want, frames);
        return 2;
    }
    long page_tries = 0, page_alerts = 0, page_lost = 0, hdr_tries = 0, hdr_alerts = 0,
         hdr_lost = 0;
    for (int t = 0; t < trials; t++) {
        unlink(shm);
        copy_file(bdb, g_db);
        copy_file(bwal, wal);
        /* a middle frame: not the last one */
        long k = (long)rnd_below((unsigned)(frames - 1));
        bool in_page = t % 2 == 0;
        int64_t off = 32 + (int64_t)k * (24 + CRYPT_PAGE) +
                      (in_page ? 24 + (int64_t)rnd_below(CRYPT_PAGE) : (int64_t)rnd_below(24));
        int fd = open(wal, O_RDWR);
        unsigned char c;
        if (fd < 0 || pread(fd, &c, 1, off) != 1) {
            return 2;
        }
        c ^= (unsigned char)(1u << rnd_below(8));
        if (pwrite(fd, &c, 1, off) != 1) {
            return 2;
        }
        close(fd);
        int64_t got = rows_after_open(&rej);
        if (in_page) {
            page_tries++;
            page_alerts += rej > 0;
            page_lost += got != want;
        } else {
            hdr_tries++;
            hdr_alerts += rej > 0;
            hdr_lost += got != want;
        }
    }
    rm_db_files();
    unlink(bdb);
    unlink(bwal);
    printf("RESULT name=wal_tamper part=page trials=%ld alerted=%ld commits_lost=%ld\n", page_tries,
           page_alerts, page_lost);
    printf("RESULT name=wal_tamper part=frame_header trials=%ld alerted=%ld commits_lost=%ld\n",
           hdr_tries, hdr_alerts, hdr_lost);
    /* a changed page in a middle frame always raises the counter */
    bool ok = page_alerts == page_tries;
    printf("%d passed, %d failed\n", ok ? 1 : 0, ok ? 0 : 1);
    return ok ? 0 : 1;
}

/* ---- fail-closed checks ---- */

static int check(bool ok, const char *what, int *passed, int *failed)
{
    printf("%s %s\n", ok ? "ok" : "FAILED", what);
    ok ? (*passed)++ : (*failed)++;
    return ok;
}

static bool file_has(const char *path, const char *needle)
{
    return count_hits_file(path, needle) > 0;
}

/* Nonces of every page of the file (at the end of each page region). */
static long dup_nonces(const char *path, bool wal, long *pages)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return 0;
    }
    static unsigned char nonces[20000][24];
    long n = 0;
    unsigned char page[CRYPT_PAGE];
    long off = wal ? 32 + 24 : 0;
    while (n < 20000 && fseek(f, off, SEEK_SET) == 0 &&
           fread(page, 1, CRYPT_PAGE, f) == CRYPT_PAGE) {
        memcpy(nonces[n++], page + CRYPT_PAGE - CRYPT_RESERVE, 24);
        off += wal ? 24 + CRYPT_PAGE : CRYPT_PAGE;
    }
    fclose(f);
    long dups = 0;
    for (long i = 0; i < n; i++) {
        for (long j = i + 1; j < n; j++) {
            dups += memcmp(nonces[i], nonces[j], 24) == 0;
        }
    }
    *pages += n;
    return dups;
}

static int failclosed(void)
{
    int passed = 0;
    int failed = 0;
    struct crypt_counters c0;
    struct crypt_counters c1;
    sqlite3 *db = NULL;
    rm_db_files();
    /* no key: refused */
    int rc = sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "refuge-crypt");
    check(rc == SQLITE_CANTOPEN, "a database opened through the layer without a key is refused",
          &passed, &failed);
    sqlite3_close(db);
    /* a key but no reserve: the first page-1 write is refused, nothing
     * readable reaches the disk */
    rm_db_files();
    crypt_vfs_counters(&c0);
    crypt_vfs_pending_key(g_key, g_id);
    rc = sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "refuge-crypt");
    crypt_vfs_pending_key(NULL, NULL);
    rc = rc == SQLITE_OK ? sqlite3_exec(db,
                                        "CREATE TABLE t (x TEXT); INSERT INTO t VALUES "
                                        "('CANARYNAME plaintext')",
                                        NULL, NULL, NULL)
                         : rc;
    crypt_vfs_counters(&c1);
    check(rc != SQLITE_OK && c1.plain_refused > c0.plain_refused,
          "without the 40-byte reserve the first write fails closed", &passed, &failed);
    sqlite3_close(db);
    char p[700];
    snprintf(p, sizeof p, "%s-journal", g_db);
    check(!file_has(g_db, "SQLite format 3") && !file_has(g_db, "CANARYNAME") &&
              !file_has(p, "CANARYNAME"),
          "and no plaintext reached the files", &passed, &failed);
    /* temporary files */
    rm_db_files();
    db = open_db(NULL, "refuge-crypt");
    crypt_vfs_counters(&c0);
    rc = db ? sqlite3_exec(db, "CREATE TEMP TABLE tt (x); INSERT INTO tt VALUES (1)", NULL, NULL,
                           NULL)
            : SQLITE_ERROR;
    crypt_vfs_counters(&c1);
    check(rc == SQLITE_OK && c1.temp_refused == c0.temp_refused,
          "temp_store=MEMORY: temporary tables open no file", &passed, &failed);
    rc = db ? sqlite3_exec(
                  db,
                  "PRAGMA temp_store=FILE; PRAGMA temp.cache_size=5; CREATE TEMP TABLE t2 (x);"
                  " WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c"
                  " WHERE i < 300) INSERT INTO t2 SELECT zeroblob(4000) FROM c;",
                  NULL, NULL, NULL)
            : SQLITE_OK;
    crypt_vfs_counters(&c1);
    check(rc != SQLITE_OK && c1.temp_refused > c0.temp_refused,
          "temp_store=FILE: the temporary file is refused (fails closed)", &passed, &failed);
    sqlite3_close(db);
    /* nonces: every page of a database and its WAL has its own */
    rm_db_files();
    db = open_db(NULL, "refuge-crypt");
    sqlite3_exec(db, "PRAGMA wal_autocheckpoint=0; CREATE TABLE b (x BLOB);", NULL, NULL, NULL);
    for (int i = 0; i < 40; i++) {
        sqlite3_exec(db,
                     "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 25)"
                     " INSERT INTO b SELECT zeroblob(3000) FROM c",
                     NULL, NULL, NULL);
    }
    sqlite3_exec(db, "PRAGMA wal_checkpoint(PASSIVE)", NULL, NULL, NULL);
    long pages = 0;
    snprintf(p, sizeof p, "%s-wal", g_db);
    long dups = dup_nonces(g_db, false, &pages) + dup_nonces(p, true, &pages);
    sqlite3_close(db);
    printf("RESULT name=nonces pages=%ld duplicates=%ld\n", pages, dups);
    check(dups == 0 && pages > 1000, "no nonce repeats across database and WAL pages", &passed,
          &failed);
    rm_db_files();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: crashtrial kill|power|compound enc|plain FULL|NORMAL|OFF TRIALS [SEED] "
                    "[DIR]\n"
                    "       crashtrial tamper enc|plain TRIALS [SEED] [DIR]\n"
                    "       crashtrial waltamper enc TRIALS [SEED] [DIR]\n"
                    "       crashtrial failclosed\n");
    return 64;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        return 2;
    }
    if (argc == 2 && strcmp(argv[1], "failclosed") == 0) {
        g_enc = true;
        snprintf(g_dir, sizeof g_dir, "%s/crashtrial.XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (!mkdtemp(g_dir)) {
            return 2;
        }
        snprintf(g_db, sizeof g_db, "%s/trial.db", g_dir);
        randombytes_buf(g_key, sizeof g_key);
        randombytes_buf(g_id, sizeof g_id);
        if (crypt_vfs_register("refuge-crypt", NULL) != SQLITE_OK) {
            return 2;
        }
        int rc = failclosed();
        rmdir(g_dir);
        return rc;
    }
    if (argc < 4) {
        return usage();
    }
    bool walt = strcmp(argv[1], "waltamper") == 0;
    bool tamper = walt || strcmp(argv[1], "tamper") == 0;
    bool compound = strcmp(argv[1], "compound") == 0;
    bool power = compound || strcmp(argv[1], "power") == 0;
    if (!tamper && !power && strcmp(argv[1], "kill") != 0) {
        return usage();
    }
    g_enc = strcmp(argv[2], "enc") == 0;
    if (!g_enc && strcmp(argv[2], "plain") != 0) {
        return usage();
    }
    int a = 3;
    if (!tamper) {
        g_sync = argv[a++];
        if (strcmp(g_sync, "FULL") && strcmp(g_sync, "NORMAL") && strcmp(g_sync, "OFF")) {
            return usage();
        }
    }
    if (a >= argc) {
        return usage();
    }
    int trials = atoi(argv[a++]);
    uint64_t seed = a < argc ? strtoull(argv[a++], NULL, 10) : (uint64_t)time(NULL);
    const char *dir = a < argc ? argv[a] : NULL;
    if (trials <= 0) {
        return usage();
    }
    if (dir) {
        snprintf(g_dir, sizeof g_dir, "%s", dir);
    } else {
        snprintf(g_dir, sizeof g_dir, "%s/crashtrial.XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (!mkdtemp(g_dir)) {
            perror("mkdtemp");
            return 2;
        }
    }
    snprintf(g_db, sizeof g_db, "%s/trial.db", g_dir);
    randombytes_buf(g_key, sizeof g_key);
    randombytes_buf(g_id, sizeof g_id);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (crypt_vfs_register("refuge-crypt", NULL) != SQLITE_OK) {
        return 2;
    }
    crash_vfs_register();
    printf("# crashtrial %s %s %s trials=%d seed=%llu\n", argv[1], argv[2], tamper ? "" : g_sync,
           trials, (unsigned long long)seed);
    fflush(stdout);
    int rc = walt     ? wal_tamper(trials, seed)
             : tamper ? tamper_trials(trials, seed)
                      : crash_trials(power, compound, trials, seed);
    if (!dir) {
        rmdir(g_dir);
    }
    return rc;
}
