/*
 * vfs_crypt.c: an SQLite VFS that encrypts every page of the database, its
 * WAL and its rollback journal with XChaCha20-Poly1305 (libsodium).
 *
 * Geometry: pages are 4096 bytes and SQLite keeps the last 40 (the reserve)
 * free. On disk a page is ct(page[0..4056)) || nonce(24) || tag(16); the
 * nonce is random per write. The additional data binds the page to where it
 * belongs: kind ('D' database page, 'W' WAL frame, 'J' journal page) ||
 * index (page number, frame number or journal offset, 64-bit little endian)
 * || the database's 16-byte file id (kept in the keyring).
 *
 * Reads decrypt and hand SQLite the page with its reserve zeroed: pages in
 * SQLite's cache then always have a zero reserve, so WAL and journal
 * checksums (computed over the cached page before xWrite) stay consistent.
 *
 * When a page fails authentication:
 *   - a database page: SQLITE_IOERR_DATA (counted);
 *   - a WAL frame or journal page: zeros, so SQLite's own checksum rejects
 *     it and treats it as the end of the log (counted: a torn last frame is
 *     normal after power loss, a bad middle frame means tampering);
 *   - a partial read of page 1 (the header probe at open): the fixed header
 *     is synthesised so that recovery can read the good page 1 from the WAL.
 * Page-1 writes whose header does not declare the 40-byte reserve are
 * refused (fail closed rather than write an unencrypted database). Temporary
 * files, sub-journals and super-journals are refused (temp_store=MEMORY
 * keeps them in memory). io-methods version 2: no memory mapping.
 */
#include "store/vfs_crypt.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

enum {
    BODY = CRYPT_PAGE - CRYPT_RESERVE, /* encrypted bytes of a page */
    NONCE = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
    TAG = crypto_aead_xchacha20poly1305_ietf_ABYTES,
    AD_LEN = 1 + 8 + CRYPT_FILE_ID_BYTES,
    WAL_HDR = 32,
    FRAME_HDR = 24,
    FRAME = FRAME_HDR + CRYPT_PAGE,
};

_Static_assert(NONCE + TAG == CRYPT_RESERVE, "reserve holds nonce and tag");

static atomic_uint_fast64_t n_enc, n_dec, n_fail_db, n_fail_wal, n_fail_j, n_synth, n_temp, n_plain;

static _Thread_local const unsigned char *pending_key;
static _Thread_local const unsigned char *pending_id;

struct secret {
    unsigned char key[CRYPT_KEY_BYTES];
    unsigned char id[CRYPT_FILE_ID_BYTES];
};

struct cfile {
    sqlite3_file base;
    sqlite3_file *real;
    struct secret *secret; /* sodium_malloc'd: locked, guarded, zeroed on free */
    char kind;             /* 'D', 'W' or 'J' */
    uint32_t hdr_frame;    /* WAL: last frame whose header we wrote ... */
    uint32_t hdr_pgno;     /* ... and the page number it names */
    int64_t part_start;    /* WAL: a page written in two parts (see c_write) ... */
    int part_lo, part_hi;  /* ... the bytes of it received so far */
    unsigned char part[CRYPT_PAGE];
    unsigned char scratch[CRYPT_PAGE];
};

struct cvfs {
    sqlite3_vfs vfs;
    sqlite3_vfs *root;
    char name[64];
};

#define REAL(f) (((struct cfile *)(f))->real)

void crypt_vfs_pending_key(const unsigned char *key, const unsigned char *file_id)
{
    pending_key = key;
    pending_id = file_id;
}

void crypt_vfs_counters(struct crypt_counters *out)
{
    out->pages_encrypted = atomic_load(&n_enc);
    out->pages_decrypted = atomic_load(&n_dec);
    out->mac_fail_db = atomic_load(&n_fail_db);
    out->mac_fail_wal = atomic_load(&n_fail_wal);
    out->mac_fail_journal = atomic_load(&n_fail_j);
    out->header_synth = atomic_load(&n_synth);
    out->temp_refused = atomic_load(&n_temp);
    out->plain_refused = atomic_load(&n_plain);
}

static void make_ad(unsigned char ad[AD_LEN], char kind, uint64_t index, const struct secret *s)
{
    ad[0] = (unsigned char)kind;
    for (int i = 0; i < 8; i++) {
        ad[1 + i] = (unsigned char)(index >> (8 * i));
    }
    memcpy(ad + 9, s->id, CRYPT_FILE_ID_BYTES);
}

/* Encrypts the plaintext page pt into out (both CRYPT_PAGE bytes). */
static void seal(const struct cfile *cf, uint64_t index, const unsigned char *pt,
                 unsigned char *out)
{
    unsigned char ad[AD_LEN];
    make_ad(ad, cf->kind, index, cf->secret);
    unsigned char *nonce = out + BODY;
    randombytes_buf(nonce, NONCE);
    crypto_aead_xchacha20poly1305_ietf_encrypt_detached(out, out + BODY + NONCE, NULL, pt, BODY, ad,
                                                        sizeof ad, NULL, nonce, cf->secret->key);
    atomic_fetch_add(&n_enc, 1);
}

/* Decrypts page in place; true when it authenticates. The reserve is zeroed
 * either way. */
static bool open_page(const struct cfile *cf, uint64_t index, unsigned char *page)
{
    unsigned char ad[AD_LEN];
    unsigned char nonce[NONCE];
    unsigned char tag[TAG];
    make_ad(ad, cf->kind, index, cf->secret);
    memcpy(nonce, page + BODY, NONCE);
    memcpy(tag, page + BODY + NONCE, TAG);
    memset(page + BODY, 0, CRYPT_RESERVE);
    int rc = crypto_aead_xchacha20poly1305_ietf_decrypt_detached(page, NULL, page, BODY, tag, ad,
                                                                 sizeof ad, nonce, cf->secret->key);
    if (rc != 0) {
        return false;
    }
    atomic_fetch_add(&n_dec, 1);
    return true;
}

static bool all_zero(const unsigned char *p, size_t n)
{
    unsigned char acc = 0;
    for (size_t i = 0; i < n; i++) {
        acc |= p[i];
    }
    return acc == 0;
}

/* The fixed header of an encrypted store's page 1: magic, page size 4096,
 * WAL read/write versions 2/2, reserve 40, payload fractions 64/32/32. */
static void synth_header(unsigned char *page)
{
    memset(page, 0, CRYPT_PAGE);
    memcpy(page, "SQLite format 3", 16);
    page[16] = 0x10;
    page[17] = 0x00;
    page[18] = 2;
    page[19] = 2;
    page[20] = CRYPT_RESERVE;
    page[21] = 64;
    page[22] = 32;
    page[23] = 32;
}

/*
 * Page regions. A region is where one encrypted page lives in the file:
 *   'D': [(n-1)*4096, n*4096) holds page n (index n);
 *   'W': after the 32-byte header, frames of 24 + 4096 bytes; the page of
 *        frame n (1-based) is at 32 + (n-1)*4120 + 24 (index n);
 *   'J': journal pages are the 4096-byte reads and writes at offsets that
 *        are not a multiple of 4096 (headers are sector-aligned, page
 *        records are 4 bytes past a record start); index = the offset.
 * region_at() finds the region containing offset off, or says the byte is
 * plaintext metadata and how long that run is.
 */
struct region {
    bool page;      /* the byte at off is inside a page region */
    int64_t start;  /* region start (page) or run start (metadata) */
    int64_t len;    /* region or run length */
    uint64_t index; /* page: the index for the additional data */
    uint32_t frame; /* 'W': the frame number */
};

static struct region region_at(const struct cfile *cf, int64_t off, int64_t amt, int64_t req_off)
{
    struct region r = {0};
    if (cf->kind == 'D') {
        r.page = true;
        r.start = off - off % CRYPT_PAGE;
        r.len = CRYPT_PAGE;
        r.index = (uint64_t)(r.start / CRYPT_PAGE) + 1;
    } else if (cf->kind == 'W') {
        if (off < WAL_HDR) {
            r.start = 0;
            r.len = WAL_HDR;
            return r;
        }
        int64_t k = (off - WAL_HDR) / FRAME;
        int64_t fstart = WAL_HDR + k * FRAME;
        if (off < fstart + FRAME_HDR) {
            r.start = fstart;
            r.len = FRAME_HDR;
            return r;
        }
        r.page = true;
        r.start = fstart + FRAME_HDR;
        r.len = CRYPT_PAGE;
        r.frame = (uint32_t)(k + 1);
        r.index = r.frame;
    } else {
        /* Journal: only a whole 4096-byte request at an unaligned offset. */
        if (amt == CRYPT_PAGE && req_off % CRYPT_PAGE != 0) {
            r.page = true;
            r.start = req_off;
            r.len = CRYPT_PAGE;
            r.index = (uint64_t)req_off;
        } else {
            r.start = req_off;
            r.len = amt;
        }
    }
    return r;
}

/* Reads and decrypts the page region at start into page. Returns SQLITE_OK,
 * SQLITE_IOERR_SHORT_READ (absent: zeros), SQLITE_IOERR_DATA (failed
 * authentication, per policy already applied) or another I/O error. */
static int read_region(struct cfile *cf, const struct region *r, unsigned char *page, bool probe)
{
    int rc = REAL(cf)->pMethods->xRead(REAL(cf), page, CRYPT_PAGE, r->start);
    if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) {
        return rc;
    }
    if (rc == SQLITE_IOERR_SHORT_READ && all_zero(page, CRYPT_PAGE)) {
        return SQLITE_IOERR_SHORT_READ;
    }
    if (open_page(cf, r->index, page)) {
        return SQLITE_OK;
    }
    if (cf->kind == 'D') {
        if (probe && r->index == 1) {
            synth_header(page);
            atomic_fetch_add(&n_synth, 1);
            sqlite3_log(SQLITE_IOERR_DATA, "refuge-crypt: page 1 header synthesised");
            return SQLITE_OK;
        }
        atomic_fetch_add(&n_fail_db, 1);
        sqlite3_log(SQLITE_IOERR_DATA, "refuge-crypt: database page %llu failed authentication",
                    (unsigned long long)r->index);
        return SQLITE_IOERR_DATA;
    }
    memset(page, 0, CRYPT_PAGE);
    atomic_fetch_add(cf->kind == 'W' ? &n_fail_wal : &n_fail_j, 1);
    sqlite3_log(SQLITE_NOTICE, "refuge-crypt: %s %llu failed authentication; read as zeros",
                cf->kind == 'W' ? "WAL frame" : "journal page", (unsigned long long)r->index);
    return SQLITE_OK;
}

static int c_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
    struct cfile *cf = (struct cfile *)f;
    unsigned char *out = buf;
    /* Read the whole span raw first, then decrypt the page regions inside it
     * in place; regions the span only partly covers are read on their own. */
    int rc = REAL(cf)->pMethods->xRead(REAL(cf), buf, amt, off);
    if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) {
        return rc;
    }
    bool short_read = rc == SQLITE_IOERR_SHORT_READ;
    int64_t pos = off;
    int64_t end = off + amt;
    while (pos < end) {
        struct region r = region_at(cf, pos, amt, off);
        int64_t rend = r.start + r.len;
        int64_t n = (rend < end ? rend : end) - pos;
        if (!r.page) {
            pos += n;
            continue;
        }
        unsigned char *dst = out + (pos - off);
        if (r.start == pos && n == CRYPT_PAGE) {
            if (short_read && all_zero(dst, CRYPT_PAGE)) {
                pos += n;
                continue;
            }
            if (!open_page(cf, r.index, dst)) {
                /* Re-read through the policy (counts, synthesis, zeros). */
                int prc = read_region(cf, &r, cf->scratch, false);
                if (prc == SQLITE_IOERR_DATA) {
                    return prc;
                }
                if (prc != SQLITE_OK && prc != SQLITE_IOERR_SHORT_READ) {
                    return prc;
                }
                memcpy(dst, cf->scratch, CRYPT_PAGE);
            }
        } else {
            bool probe = cf->kind == 'D' && amt < CRYPT_PAGE;
            int prc = read_region(cf, &r, cf->scratch, probe);
            if (prc == SQLITE_IOERR_SHORT_READ) {
                memset(cf->scratch, 0, CRYPT_PAGE);
            } else if (prc != SQLITE_OK) {
                return prc;
            }
            memcpy(dst, cf->scratch + (pos - r.start), (size_t)n);
        }
        pos += n;
    }
    return short_read ? SQLITE_IOERR_SHORT_READ : SQLITE_OK;
}

static uint32_t get32be(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The page number in the WAL frame header of frame n. */
static int frame_pgno(struct cfile *cf, uint32_t n, uint32_t *pgno)
{
    if (cf->hdr_frame == n) {
        *pgno = cf->hdr_pgno;
        return SQLITE_OK;
    }
    unsigned char h[4];
    int rc = REAL(cf)->pMethods->xRead(REAL(cf), h, 4, WAL_HDR + (int64_t)(n - 1) * FRAME);
    if (rc != SQLITE_OK) {
        return SQLITE_IOERR_WRITE;
    }
    *pgno = get32be(h);
    return SQLITE_OK;
}

static int c_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
    struct cfile *cf = (struct cfile *)f;
    const unsigned char *in = buf;
    int64_t pos = off;
    int64_t end = off + amt;
    while (pos < end) {
        struct region r = region_at(cf, pos, amt, off);
        int64_t rend = r.start + r.len;
        int64_t n = (rend < end ? rend : end) - pos;
        const unsigned char *src = in + (pos - off);
        int rc;
        if (!r.page) {
            if (cf->kind == 'W' && r.len == FRAME_HDR && r.start == pos && n == FRAME_HDR) {
                cf->hdr_frame = (uint32_t)((pos - WAL_HDR) / FRAME + 1);
                cf->hdr_pgno = get32be(src);
            }
            rc = REAL(cf)->pMethods->xWrite(REAL(cf), src, (int)n, pos);
        } else {
            if ((r.start != pos || n != CRYPT_PAGE) && cf->kind == 'W') {
                /* Without POWERSAFE_OVERWRITE, SQLite pads the WAL to a sector
                 * boundary after a commit with copies of the commit frame, and
                 * splits the one that crosses the boundary into two writes with
                 * a sync between them. Only a whole page can be sealed: collect
                 * the parts, write when complete. (The split frame is padding:
                 * the commit frame before it is already whole and synced.) */
                int lo = (int)(pos - r.start);
                if (cf->part_start != r.start || cf->part_hi != lo) {
                    cf->part_start = r.start;
                    cf->part_lo = lo;
                }
                memcpy(cf->part + lo, src, (size_t)n);
                cf->part_hi = lo + (int)n;
                if (cf->part_lo != 0 || cf->part_hi != CRYPT_PAGE) {
                    pos += n;
                    continue;
                }
                src = cf->part;
                cf->part_start = -1;
            } else if (r.start != pos || n != CRYPT_PAGE) {
                sqlite3_log(SQLITE_IOERR_WRITE, "refuge-crypt: partial page write refused");
                return SQLITE_IOERR_WRITE;
            }
            uint32_t pgno = 0;
            if (cf->kind == 'D') {
                pgno = (uint32_t)r.index;
            } else if (cf->kind == 'W' && frame_pgno(cf, r.frame, &pgno) != SQLITE_OK) {
                return SQLITE_IOERR_WRITE;
            }
            if (pgno == 1 && src[20] != CRYPT_RESERVE) {
                atomic_fetch_add(&n_plain, 1);
                sqlite3_log(SQLITE_IOERR_WRITE,
                            "refuge-crypt: page 1 without the 40-byte reserve refused");
                return SQLITE_IOERR_WRITE;
            }
            seal(cf, r.index, src, cf->scratch);
            rc = REAL(cf)->pMethods->xWrite(REAL(cf), cf->scratch, CRYPT_PAGE, r.start);
        }
        if (rc != SQLITE_OK) {
            return rc;
        }
        pos += n;
    }
    return SQLITE_OK;
}

static int c_close(sqlite3_file *f)
{
    struct cfile *cf = (struct cfile *)f;
    int rc = REAL(cf)->pMethods->xClose(REAL(cf));
    sodium_free(cf->secret);
    cf->secret = NULL;
    sodium_memzero(cf->scratch, sizeof cf->scratch);
    sodium_memzero(cf->part, sizeof cf->part);
    return rc;
}

static int c_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int c_sync(sqlite3_file *f, int flags)
{
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int c_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int c_lock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int c_unlock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int c_check_lock(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int c_control(sqlite3_file *f, int op, void *arg)
{
    if (op == SQLITE_FCNTL_MMAP_SIZE) {
        /* Never map the file: SQLite would read ciphertext directly. */
        *(sqlite3_int64 *)arg = 0;
    }
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int c_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int c_device(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)) & ~SQLITE_IOCAP_BATCH_ATOMIC;
}

static int c_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}

static int c_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void c_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int c_shm_unmap(sqlite3_file *f, int delete_flag)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

static const sqlite3_io_methods crypt_io = {
    .iVersion = 2,
    .xClose = c_close,
    .xRead = c_read,
    .xWrite = c_write,
    .xTruncate = c_truncate,
    .xSync = c_sync,
    .xFileSize = c_size,
    .xLock = c_lock,
    .xUnlock = c_unlock,
    .xCheckReservedLock = c_check_lock,
    .xFileControl = c_control,
    .xSectorSize = c_sector,
    .xDeviceCharacteristics = c_device,
    .xShmMap = c_shm_map,
    .xShmLock = c_shm_lock,
    .xShmBarrier = c_shm_barrier,
    .xShmUnmap = c_shm_unmap,
};

enum {
    REFUSED_OPENS = SQLITE_OPEN_TEMP_DB | SQLITE_OPEN_TEMP_JOURNAL | SQLITE_OPEN_TRANSIENT_DB |
                    SQLITE_OPEN_SUBJOURNAL | SQLITE_OPEN_SUPER_JOURNAL,
};

static int c_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
    struct cvfs *cv = (struct cvfs *)vfs;
    struct cfile *cf = (struct cfile *)f;
    memset(cf, 0, sizeof *cf);
    cf->part_start = -1;
    cf->real = (sqlite3_file *)((char *)cf + ((sizeof *cf + 7) & ~(size_t)7));
    if ((flags & REFUSED_OPENS) || !name) {
        atomic_fetch_add(&n_temp, 1);
        sqlite3_log(SQLITE_CANTOPEN, "refuge-crypt: temporary file refused");
        return SQLITE_CANTOPEN;
    }
    const unsigned char *key = NULL;
    const unsigned char *id = NULL;
    if (flags & SQLITE_OPEN_MAIN_DB) {
        cf->kind = 'D';
        key = pending_key;
        id = pending_id;
    } else if (flags & (SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL)) {
        cf->kind = (flags & SQLITE_OPEN_WAL) ? 'W' : 'J';
        struct cfile *main = (struct cfile *)sqlite3_database_file_object(name);
        if (main && main->base.pMethods == &crypt_io && main->secret) {
            key = main->secret->key;
            id = main->secret->id;
        }
    }
    if (!key || !id) {
        sqlite3_log(SQLITE_CANTOPEN, "refuge-crypt: no key for %s", name);
        return SQLITE_CANTOPEN;
    }
    cf->secret = sodium_malloc(sizeof *cf->secret);
    if (!cf->secret) {
        return SQLITE_NOMEM;
    }
    memcpy(cf->secret->key, key, CRYPT_KEY_BYTES);
    memcpy(cf->secret->id, id, CRYPT_FILE_ID_BYTES);
    sodium_mprotect_readonly(cf->secret);
    int rc = cv->root->xOpen(cv->root, name, cf->real, flags, out);
    if (rc != SQLITE_OK) {
        sodium_free(cf->secret);
        cf->secret = NULL;
        cf->base.pMethods = NULL;
        return rc;
    }
    cf->base.pMethods = &crypt_io;
    return SQLITE_OK;
}

#define ROOT(v) (((struct cvfs *)(v))->root)

static int c_delete(sqlite3_vfs *v, const char *name, int sync)
{
    return ROOT(v)->xDelete(ROOT(v), name, sync);
}

static int c_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
    return ROOT(v)->xAccess(ROOT(v), name, flags, out);
}

static int c_full(sqlite3_vfs *v, const char *name, int n, char *out)
{
    return ROOT(v)->xFullPathname(ROOT(v), name, n, out);
}

static void *c_dlopen(sqlite3_vfs *v, const char *name)
{
    (void)v;
    (void)name;
    return NULL; /* no extensions */
}

static void c_dlerror(sqlite3_vfs *v, int n, char *msg)
{
    (void)v;
    sqlite3_snprintf(n, msg, "extensions are not loaded");
}

static void (*c_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
    (void)v;
    (void)h;
    (void)sym;
    return NULL;
}

static void c_dlclose(sqlite3_vfs *v, void *h)
{
    (void)v;
    (void)h;
}

static int c_random(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    randombytes_buf(out, (size_t)n);
    return n;
}

static int c_sleep(sqlite3_vfs *v, int us)
{
    return ROOT(v)->xSleep(ROOT(v), us);
}

static int c_time(sqlite3_vfs *v, double *out)
{
    return ROOT(v)->xCurrentTime(ROOT(v), out);
}

static int c_last_error(sqlite3_vfs *v, int n, char *out)
{
    return ROOT(v)->xGetLastError ? ROOT(v)->xGetLastError(ROOT(v), n, out) : 0;
}

static int c_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    return ROOT(v)->xCurrentTimeInt64(ROOT(v), out);
}

enum { MAX_VFS = 4 };
static struct cvfs vfs_slots[MAX_VFS];

int crypt_vfs_register(const char *name, const char *base)
{
    if (sodium_init() < 0) {
        return SQLITE_ERROR;
    }
    if (sqlite3_vfs_find(name)) {
        return SQLITE_OK;
    }
    sqlite3_vfs *root = sqlite3_vfs_find(base);
    if (!root || root->iVersion < 2 || strlen(name) >= sizeof vfs_slots[0].name) {
        return SQLITE_ERROR;
    }
    struct cvfs *cv = NULL;
    for (int i = 0; i < MAX_VFS; i++) {
        if (!vfs_slots[i].root) {
            cv = &vfs_slots[i];
            break;
        }
    }
    if (!cv) {
        return SQLITE_FULL;
    }
    cv->root = root;
    strcpy(cv->name, name);
    cv->vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)(((sizeof(struct cfile) + 7) & ~(size_t)7) + (size_t)root->szOsFile),
        .mxPathname = root->mxPathname,
        .zName = cv->name,
        .pAppData = NULL,
        .xOpen = c_open,
        .xDelete = c_delete,
        .xAccess = c_access,
        .xFullPathname = c_full,
        .xDlOpen = c_dlopen,
        .xDlError = c_dlerror,
        .xDlSym = c_dlsym,
        .xDlClose = c_dlclose,
        .xRandomness = c_random,
        .xSleep = c_sleep,
        .xCurrentTime = c_time,
        .xGetLastError = c_last_error,
        .xCurrentTimeInt64 = c_time64,
    };
    return sqlite3_vfs_register(&cv->vfs, 0);
}
