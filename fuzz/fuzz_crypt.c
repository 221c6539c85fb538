/*
 * fuzz_crypt.c: the encrypting VFS (src/store/vfs_crypt.c) reading files
 * it did not write (reliability.md B11: fuzzing the shim with a known key).
 *
 * Input: a flags byte, two bytes (little-endian) giving the length of the
 * WAL part at the end, then the database part and the WAL part.
 *   flags & 1  sealed: the database part is written page by page (4096
 *              bytes each) through the encrypting VFS with the known key, so
 *              SQLite reads back exactly those bytes (arbitrary, possibly
 *              damaged, database pages); otherwise the bytes go to the file
 *              as they are (forged or damaged ciphertext)
 *   flags & 2  before sealing, page 1 gets a valid header's page size and
 *              reserve (4096, 40), so that its write is not refused
 *   flags & 4  the WAL part goes to "<db>-wal" as it is
 * Then the store is opened through the VFS with the key: schema read,
 * quick_check, each table read, a write and a checkpoint in WAL mode.
 *
 * Oracle, besides crashes and sanitizer reports: bytes that did not pass
 * through the VFS are never accepted as data. A database part written as it
 * is (not sealed) must show no schema at all: any row of sqlite_schema read
 * from it would be a page whose authentication tag was forged.
 *
 * Coverage files: src/store/vfs_crypt.c
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/vfs_crypt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_INPUT = 64 * CRYPT_PAGE, MAX_PROGRESS = 200 };

static const unsigned char KEY[CRYPT_KEY_BYTES] = "refuge fuzzing key, not secret.";
static const unsigned char FILE_ID[CRYPT_FILE_ID_BYTES] = "fuzz file id 01";
static char dir[64], db[96], wal[96], shm[96];

static void setup(void)
{
    if (db[0]) {
        return;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/refuge-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir) || crypt_vfs_register("refuge-crypt", NULL) != SQLITE_OK) {
        abort();
    }
    snprintf(db, sizeof db, "%s/f.db", dir);
    snprintf(wal, sizeof wal, "%s/f.db-wal", dir);
    snprintf(shm, sizeof shm, "%s/f.db-shm", dir);
}

static void write_raw(const char *path, const uint8_t *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        abort();
    }
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) {
            abort();
        }
        p += w;
        n -= (size_t)w;
    }
    close(fd);
}

/* Writes the pages through the encrypting VFS, as SQLite would. */
static void write_sealed(const uint8_t *p, size_t n, int fix_header)
{
    sqlite3_vfs *vfs = sqlite3_vfs_find("refuge-crypt");
    sqlite3_file *f = calloc(1, (size_t)vfs->szOsFile);
    int out = 0;
    crypt_vfs_pending_key(KEY, FILE_ID);
    int rc = vfs->xOpen(vfs, db, f,
                        SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &out);
    crypt_vfs_pending_key(NULL, NULL);
    if (rc == SQLITE_OK) {
        unsigned char page[CRYPT_PAGE];
        for (size_t off = 0; off < n; off += CRYPT_PAGE) {
            size_t len = n - off < CRYPT_PAGE ? n - off : CRYPT_PAGE;
            memset(page, 0, sizeof page);
            memcpy(page, p + off, len);
            if (off == 0 && fix_header) {
                page[16] = 0x10; /* page size 4096 */
                page[17] = 0x00;
                page[20] = CRYPT_RESERVE;
            }
            /* A refused write (page 1 without the reserve) is part of the test. */
            (void)f->pMethods->xWrite(f, page, CRYPT_PAGE, (sqlite3_int64)off);
        }
        f->pMethods->xClose(f);
    }
    free(f);
}

static int stop_long(void *ctx)
{
    int *steps = ctx;
    return ++*steps > MAX_PROGRESS; /* calls, each after 1,000 VM steps */
}

static int count_row(void *ctx, int n, char **v, char **names)
{
    (void)n;
    (void)v;
    (void)names;
    (*(int *)ctx)++;
    return 0;
}

static int read_table(void *ctx, int n, char **v, char **names)
{
    (void)names;
    sqlite3 *h = ctx;
    if (n >= 1 && v[0] && strlen(v[0]) < 200) {
        char *sql = sqlite3_mprintf("SELECT * FROM \"%w\" LIMIT 100", v[0]);
        sqlite3_exec(h, sql, NULL, NULL, NULL);
        sqlite3_free(sql);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3 || size > MAX_INPUT) {
        return 0;
    }
    setup();
    unsigned flags = data[0];
    size_t wal_len = (size_t)data[1] | (size_t)data[2] << 8;
    data += 3;
    size -= 3;
    if (!(flags & 4) || wal_len > size) {
        wal_len = 0;
    }
    size_t db_len = size - wal_len;
    unlink(db);
    unlink(wal);
    unlink(shm);
    if (flags & 1) {
        write_sealed(data, db_len, flags & 2);
    } else {
        write_raw(db, data, db_len);
    }
    if (wal_len) {
        write_raw(wal, data + db_len, wal_len);
    }

    sqlite3 *h = NULL;
    crypt_vfs_pending_key(KEY, FILE_ID);
    int rc = sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, "refuge-crypt");
    crypt_vfs_pending_key(NULL, NULL);
    if (rc == SQLITE_OK) {
        int steps = 0;
        sqlite3_progress_handler(h, 1000, stop_long, &steps);
        sqlite3_exec(h, "PRAGMA mmap_size=0; PRAGMA temp_store=MEMORY", NULL, NULL, NULL);
        int schema_rows = 0;
        sqlite3_exec(h, "SELECT name FROM sqlite_schema", count_row, &schema_rows, NULL);
        if (!(flags & 1) && schema_rows > 0) {
            fprintf(stderr, "fuzz_crypt: %d schema rows read from bytes that were never sealed\n",
                    schema_rows);
            abort();
        }
        sqlite3_exec(h, "PRAGMA quick_check", NULL, NULL, NULL);
        sqlite3_exec(h, "SELECT name FROM sqlite_schema WHERE type = 'table' LIMIT 8", read_table,
                     h, NULL);
        sqlite3_exec(h,
                     "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS fz(x);"
                     " INSERT INTO fz VALUES (randomblob(200)); PRAGMA wal_checkpoint(TRUNCATE)",
                     NULL, NULL, NULL);
    }
    sqlite3_close(h);
    return 0;
}
