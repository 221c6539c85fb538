/*
 * test_purge.c: deletion residue (reliability.md B13). A person and an
 * event that names them are written to an encrypted store and deleted; every
 * page of the database and its WAL is then decrypted with the known key
 * (independently of the store's VFS: XChaCha20-Poly1305 with the documented
 * additional data) and searched for their strings. Before the purge the
 * deleted strings are still there (the control: the scan can see them);
 * after store_purge() there are none, every page still decrypts, the other
 * records are intact and the checks pass. A purge while another connection
 * holds a snapshot of the WAL is refused, and loses nothing.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "service/search.h"
#include "service/service.h"
#include "store/store.h"
#include "store/vfs_crypt.h"
#include "store_fixture.h"

static const char *canaries[] = {"p-purge-target", "e-purge-target", "gulnarakhan",
                                 "tursynbekqyzy",  "zhaksylykov",    "khorgostau"};

enum { N_CANARIES = sizeof canaries / sizeof *canaries };

struct scan {
    int64_t pages;         /* pages and frames decrypted */
    int64_t undecryptable; /* pages that failed authentication */
    int64_t hits[N_CANARIES];
};

/* Case-insensitive search of text for each canary. */
static void search_page(const unsigned char *p, size_t n, struct scan *sc)
{
    for (int c = 0; c < N_CANARIES; c++) {
        size_t len = strlen(canaries[c]);
        for (size_t i = 0; i + len <= n; i++) {
            size_t k = 0;
            while (k < len && tolower(p[i + k]) == canaries[c][k]) {
                k++;
            }
            if (k == len) {
                sc->hits[c]++;
            }
        }
    }
}

/* Decrypts one on-disk page: ct(4056) || nonce(24) || tag(16), additional
 * data kind || index (64-bit little endian) || file id. */
static bool open_page(const struct store_secret *key, char kind, uint64_t index,
                      const unsigned char *in, unsigned char *out)
{
    enum { BODY = CRYPT_PAGE - CRYPT_RESERVE, NONCE = 24 };

    unsigned char ad[1 + 8 + CRYPT_FILE_ID_BYTES];
    ad[0] = (unsigned char)kind;
    for (int i = 0; i < 8; i++) {
        ad[1 + i] = (unsigned char)(index >> (8 * i));
    }
    memcpy(ad + 9, key->file_id, CRYPT_FILE_ID_BYTES);
    return crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
               out, NULL, in, BODY, in + BODY + NONCE, ad, sizeof ad, in + BODY, key->dek) == 0;
}

/* Reads a whole file through SQLite's unix layer (never open()/close() on
 * a database file this process has open: docs/architecture.md). */
static unsigned char *read_file(const char *path, size_t *n)
{
    sqlite3_vfs *vfs = sqlite3_vfs_find("unix");
    assert_non_null(vfs);
    sqlite3_file *f = calloc(1, (size_t)vfs->szOsFile);
    int flags = 0;
    unsigned char *data = NULL;
    *n = 0;
    if (vfs->xOpen(vfs, path, f, SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB, &flags) == SQLITE_OK) {
        sqlite3_int64 size = 0;
        assert_int_equal(f->pMethods->xFileSize(f, &size), SQLITE_OK);
        data = malloc((size_t)size + 1);
        if (size > 0) {
            assert_int_equal(f->pMethods->xRead(f, data, (int)size, 0), SQLITE_OK);
        }
        *n = (size_t)size;
    }
    if (f->pMethods) {
        f->pMethods->xClose(f);
    }
    free(f);
    return data;
}

static void scan_store(const char *path, const struct store_secret *key, struct scan *sc)
{
    memset(sc, 0, sizeof *sc);
    static unsigned char page[CRYPT_PAGE];
    size_t n = 0;
    unsigned char *db = read_file(path, &n);
    assert_non_null(db);
    assert_int_equal(n % CRYPT_PAGE, 0);
    for (size_t i = 0; i < n / CRYPT_PAGE; i++) {
        if (open_page(key, 'D', i + 1, db + i * CRYPT_PAGE, page)) {
            sc->pages++;
            search_page(page, CRYPT_PAGE - CRYPT_RESERVE, sc);
        } else {
            sc->undecryptable++;
        }
    }
    free(db);
    char wal[256];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unsigned char *w = read_file(wal, &n);

    enum { WAL_HDR = 32, FRAME_HDR = 24, FRAME = FRAME_HDR + CRYPT_PAGE };

    for (size_t k = 0; w && WAL_HDR + (k + 1) * FRAME <= n; k++) {
        if (open_page(key, 'W', k + 1, w + WAL_HDR + k * FRAME + FRAME_HDR, page)) {
            sc->pages++;
            search_page(page, CRYPT_PAGE - CRYPT_RESERVE, sc);
        } else {
            sc->undecryptable++;
        }
    }
    free(w);
}

static int64_t total_hits(const struct scan *sc)
{
    int64_t t = 0;
    for (int c = 0; c < N_CANARIES; c++) {
        t += sc->hits[c];
    }
    return t;
}

static void put_person(struct store *s, const char *id, const char *name)
{
    struct person_name nm = {.full = name, .script = "Latn", .kind = "primary"};
    struct person p = {.id = id, .names = &nm, .n_names = 1};
    enum store_put_result r;
    struct err e = ERR_INIT;
    assert_int_equal(store_put(s, OBJ_PERSON, &p, &r, &e), E_OK);
    assert_int_equal(service_search_index(s, OBJ_PERSON, &p, &e), E_OK);
}

static void put_event(struct store *s, const char *id, const char *person, const char *text)
{
    const char *persons[] = {person};
    struct event ev = {.id = id, .type = EV_ARREST, .description = text};
    const char *why;
    assert_true(date_parse("2019-10-07", &ev.date, &why));
    ev.persons.items = persons;
    ev.persons.n_items = 1;
    enum store_put_result r;
    struct err e = ERR_INIT;
    assert_int_equal(store_put(s, OBJ_EVENT, &ev, &r, &e), E_OK);
    assert_int_equal(service_search_index(s, OBJ_EVENT, &ev, &e), E_OK);
}

static void purge_leaves_no_residue(void **state)
{
    (void)state;
    store_global_init();
    char dir[] = "/tmp/refuge-test-purge-XXXXXX";
    char path[128];
    assert_true(fixture_temp_path(dir, "p.db", path, sizeof path));
    struct store_secret *key = store_secret_new();
    assert_non_null(key);
    randombytes_buf(key->dek, sizeof key->dek);
    randombytes_buf(key->file_id, sizeof key->file_id);

    struct store *s = NULL;
    struct err e = ERR_INIT;
    assert_int_equal(store_open_key(path, 0, key, &s, &e), E_OK);
    /* others, before and after the target, so that its pages stay in use */
    assert_int_equal(store_begin(s, &e), E_OK);
    char id[32];
    char name[64];
    for (int i = 0; i < 300; i++) {
        snprintf(id, sizeof id, "p-other-%03d", i);
        snprintf(name, sizeof name, "Aigerim Nurlanovna %03d", i);
        put_person(s, id, name);
        if (i == 150) {
            put_person(s, "p-purge-target", "Gulnarakhan Tursynbekqyzy");
            put_event(s, "e-purge-target", "p-purge-target",
                      "Detained at the Khorgostau post by officer Zhaksylykov.");
        }
        snprintf(id, sizeof id, "e-other-%03d", i);
        put_event(s, id, "p-other-000", "Questioned at the border post.");
    }
    assert_int_equal(store_commit(s, &e), E_OK);
    int64_t version = 0;
    assert_int_equal(service_delete_object(s, OBJ_EVENT, "e-purge-target", 0, &version, &e), E_OK);
    assert_int_equal(service_delete_object(s, OBJ_PERSON, "p-purge-target", 0, &version, &e), E_OK);
    assert_false(store_exists(s, OBJ_PERSON, "p-purge-target"));

    struct scan before;
    scan_store(path, key, &before);
    print_message("before the purge: %lld pages and frames, %lld canary hits\n",
                  (long long)before.pages, (long long)total_hits(&before));
    assert_int_equal(before.undecryptable, 0);
    assert_true(total_hits(&before) > 0); /* the control: deleted text is still there */

    /* A reader elsewhere holding a snapshot of the WAL: the purge cannot
     * empty it, says so, and loses nothing. */
    struct store *reader = NULL;
    assert_int_equal(store_open_key(path, STORE_MUST_EXIST, key, &reader, &e), E_OK);
    assert_true(store_read_begin(reader));
    assert_true(store_exists(reader, OBJ_PERSON, "p-other-000"));
    struct store_purge_report rep;
    assert_int_equal(store_purge(s, &rep, &e), E_CONFLICT);
    assert_non_null(strstr(e.msg, "another process is using the database"));
    store_read_end(reader);
    store_close(reader);
    assert_int_equal(store_count(s, OBJ_PERSON), 300);

    assert_int_equal(store_purge(s, &rep, &e), E_OK);
    struct scan after;
    scan_store(path, key, &after);
    print_message("after the purge: %lld pages and frames (database %lld -> %lld pages), "
                  "%lld canary hits\n",
                  (long long)after.pages, (long long)rep.pages_before, (long long)rep.pages_after,
                  (long long)total_hits(&after));
    for (int c = 0; c < N_CANARIES; c++) {
        if (after.hits[c]) {
            print_message("'%s' found %lld times\n", canaries[c], (long long)after.hits[c]);
        }
    }
    assert_int_equal(after.undecryptable, 0);
    assert_int_equal(after.pages, rep.pages_after); /* the WAL is empty */
    assert_int_equal(total_hits(&after), 0);
    assert_int_equal(rep.free_after, 0);
    assert_int_equal(store_verify(s, true, &e), E_OK);
    assert_true(store_exists(s, OBJ_PERSON, "p-other-299"));
    assert_int_equal(store_count(s, OBJ_EVENT), 300);
    store_close(s);

    /* and it opens again, with the key */
    assert_int_equal(store_open_key(path, STORE_MUST_EXIST, key, &s, &e), E_OK);
    assert_int_equal(store_count(s, OBJ_PERSON), 300);
    store_close(s);
    store_secret_free(key);
    fixture_remove_store(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(purge_leaves_no_residue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
