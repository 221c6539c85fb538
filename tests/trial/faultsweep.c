/*
 * faultsweep.c: I/O-error and allocation-failure sweeps (reliability.md
 * A5, A6).
 *
 *   faultsweep enc|plain STRIDE [io|oom]
 *
 * A fault VFS, registered as SQLite's default so that the store's
 * encrypting VFS sits on top of it, fails the Nth file operation (read,
 * write, truncate, sync, size, lock, shared-memory map, open, delete) with
 * the error a real one would give (SQLITE_IOERR_READ, SQLITE_FULL or
 * SQLITE_IOERR_WRITE, ..._TRUNCATE, ..._FSYNC, ..._FSTAT, ..._LOCK,
 * ..._SHMMAP, SQLITE_CANTOPEN, ..._DELETE): once (one-shot), or that one and
 * every one after it (persistent). The workload is refuge's own write path
 * on a fresh copy of a store: open, 25 transactions of their own and 5
 * groups of 5 requests committed together (store_group_*, as the server's
 * writer does), each writing a person and an event naming them, with their
 * search-index rows; a transaction is acknowledged only when its COMMIT (or
 * its group's COMMIT) returned success. A connection that ran out of memory
 * is reopened before it writes again, as the server does (store.h). Then the store is closed (with
 * the faults still on), and reopened without faults and verified:
 *
 *   - it opens, and integrity_check and the full-text index check pass;
 *   - every acknowledged transaction is there (a phantom ack otherwise);
 *   - each transaction is all or nothing (its person and its event);
 *   - the process did not crash (a crash ends the sweep: the test fails).
 *
 * With oom, SQLite's allocator is wrapped instead (SQLITE_CONFIG_MALLOC):
 * the Nth allocation fails (once, or it and every later one), with the
 * same workload and checks; under the sanitizers LeakSanitizer also checks
 * that no error path leaks. refuge's own allocations (core/xalloc.c) abort
 * on failure by design and are not swept.
 *
 * With http (an allocation-failure sweep too), the workload is the
 * server's instead: requests through the router (src/http/router.c) to the
 * reader threads and the writer with group commit, as `refuge serve` runs
 * them minus the sockets: reads of a case, a list, a search, findings and
 * an export, and writes (persons, events, an import, a delete), each with
 * an API token. Every answer must be the request's normal one or 503 (never
 * 500, never a 401 or 404 made up by an allocation failure); a write is
 * acknowledged when its answer is 201/200/204; the store is verified as
 * above afterwards (reliability.md A6: "every failure gives 503 ... and the
 * DB stays ok").
 *
 * N runs over 1 .. every operation of the workload, in steps of STRIDE
 * (1: every point; CTest runs a stride, bench/faultsweep.sh every point).
 * Prints RESULT lines and "N passed, N failed".
 */
#define _DEFAULT_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "bundle/bundle.h"
#include "http/readers.h"
#include "http/router.h"
#include "http/writer.h"
#include "service/auth.h"
#include "service/search.h"
#include "service/service.h"
#include "store/store.h"

enum { PLAIN_TX = 25, GROUPS = 5, GROUP_SIZE = 5, TXS = PLAIN_TX + GROUPS * GROUP_SIZE };

/* ---- the fault VFS ---- */

enum fault_kind { FAULT_IO, FAULT_OOM };

static struct {
    sqlite3_vfs *root;
    sqlite3_vfs vfs;
    sqlite3_mem_methods mem; /* SQLite's own allocator, under the wrapper */
    enum fault_kind kind;
    bool armed;
    bool persistent;
    long at; /* the operation that fails (1-based); 0: none, only count */
    long ops;
    long injected;
} fv;

/* Counts one operation of the armed kind; true when it is to fail. */
static bool due(enum fault_kind kind)
{
    if (!fv.armed || fv.kind != kind) {
        return false;
    }
    fv.ops++;
    if (fv.at > 0 && (fv.ops == fv.at || (fv.persistent && fv.ops > fv.at))) {
        fv.injected++;
        return true;
    }
    return false;
}

/* Counts one file operation; returns err when it is to fail, else SQLITE_OK. */
static int f_tick(int err)
{
    return due(FAULT_IO) ? err : SQLITE_OK;
}

struct ffile {
    sqlite3_file base;
    sqlite3_file *real;
};

#define FR(pf) (((struct ffile *)(pf))->real)

static int f_close(sqlite3_file *pf)
{
    return FR(pf)->pMethods->xClose(FR(pf));
}

static int f_read(sqlite3_file *pf, void *b, int n, sqlite3_int64 o)
{
    int rc = f_tick(SQLITE_IOERR_READ);
    return rc ? rc : FR(pf)->pMethods->xRead(FR(pf), b, n, o);
}

static int f_write(sqlite3_file *pf, const void *b, int n, sqlite3_int64 o)
{
    /* a full disk and a failing one, alternately */
    int rc = f_tick(fv.ops % 2 ? SQLITE_FULL : SQLITE_IOERR_WRITE);
    return rc ? rc : FR(pf)->pMethods->xWrite(FR(pf), b, n, o);
}

static int f_truncate(sqlite3_file *pf, sqlite3_int64 size)
{
    int rc = f_tick(SQLITE_IOERR_TRUNCATE);
    return rc ? rc : FR(pf)->pMethods->xTruncate(FR(pf), size);
}

static int f_sync(sqlite3_file *pf, int flags)
{
    int rc = f_tick(SQLITE_IOERR_FSYNC);
    return rc ? rc : FR(pf)->pMethods->xSync(FR(pf), flags);
}

static int f_size(sqlite3_file *pf, sqlite3_int64 *s)
{
    int rc = f_tick(SQLITE_IOERR_FSTAT);
    return rc ? rc : FR(pf)->pMethods->xFileSize(FR(pf), s);
}

static int f_lock(sqlite3_file *pf, int l)
{
    int rc = f_tick(SQLITE_IOERR_LOCK);
    return rc ? rc : FR(pf)->pMethods->xLock(FR(pf), l);
}

static int f_unlock(sqlite3_file *pf, int l)
{
    return FR(pf)->pMethods->xUnlock(FR(pf), l);
}

static int f_check(sqlite3_file *pf, int *o)
{
    return FR(pf)->pMethods->xCheckReservedLock(FR(pf), o);
}

static int f_fcntl(sqlite3_file *pf, int op, void *a)
{
    return FR(pf)->pMethods->xFileControl(FR(pf), op, a);
}

static int f_sector(sqlite3_file *pf)
{
    return FR(pf)->pMethods->xSectorSize(FR(pf));
}

static int f_dev(sqlite3_file *pf)
{
    return FR(pf)->pMethods->xDeviceCharacteristics(FR(pf));
}

static int f_shm_map(sqlite3_file *pf, int a, int b, int c, void volatile **p)
{
    int rc = f_tick(SQLITE_IOERR_SHMMAP);
    return rc ? rc : FR(pf)->pMethods->xShmMap(FR(pf), a, b, c, p);
}

static int f_shm_lock(sqlite3_file *pf, int a, int b, int c)
{
    return FR(pf)->pMethods->xShmLock(FR(pf), a, b, c);
}

static void f_shm_barrier(sqlite3_file *pf)
{
    FR(pf)->pMethods->xShmBarrier(FR(pf));
}

static int f_shm_unmap(sqlite3_file *pf, int d)
{
    return FR(pf)->pMethods->xShmUnmap(FR(pf), d);
}

static const sqlite3_io_methods f_io = {
    2,          f_close,       f_read,      f_write, f_truncate, f_sync, f_size,
    f_lock,     f_unlock,      f_check,     f_fcntl, f_sector,   f_dev,  f_shm_map,
    f_shm_lock, f_shm_barrier, f_shm_unmap, NULL,    NULL,
};

static int f_open(sqlite3_vfs *v, const char *name, sqlite3_file *pf, int flags, int *out)
{
    (void)v;
    struct ffile *f = (struct ffile *)pf;
    memset(f, 0, sizeof *f);
    f->real = (sqlite3_file *)((char *)f + ((sizeof *f + 7) & ~(size_t)7));
    int rc = f_tick(SQLITE_CANTOPEN);
    if (rc == SQLITE_OK) {
        rc = fv.root->xOpen(fv.root, name, f->real, flags, out);
    }
    f->base.pMethods = rc == SQLITE_OK ? &f_io : NULL;
    return rc;
}

static int f_delete(sqlite3_vfs *v, const char *n, int s)
{
    (void)v;
    int rc = f_tick(SQLITE_IOERR_DELETE);
    return rc ? rc : fv.root->xDelete(fv.root, n, s);
}

static int f_access(sqlite3_vfs *v, const char *n, int f, int *o)
{
    (void)v;
    return fv.root->xAccess(fv.root, n, f, o);
}

static int f_full(sqlite3_vfs *v, const char *n, int k, char *o)
{
    (void)v;
    return fv.root->xFullPathname(fv.root, n, k, o);
}

static int f_random(sqlite3_vfs *v, int n, char *o)
{
    (void)v;
    return fv.root->xRandomness(fv.root, n, o);
}

static int f_sleep(sqlite3_vfs *v, int us)
{
    (void)v;
    return fv.root->xSleep(fv.root, us);
}

static int f_time(sqlite3_vfs *v, double *o)
{
    (void)v;
    return fv.root->xCurrentTime(fv.root, o);
}

static int f_time64(sqlite3_vfs *v, sqlite3_int64 *o)
{
    (void)v;
    return fv.root->xCurrentTimeInt64(fv.root, o);
}

/* ---- the failing allocator (SQLITE_CONFIG_MALLOC) ---- */

/* Counts one allocation; true when it is to fail. */
static bool m_fail(void)
{
    return due(FAULT_OOM);
}

static void *m_malloc(int n)
{
    return m_fail() ? NULL : fv.mem.xMalloc(n);
}

static void *m_realloc(void *p, int n)
{
    return m_fail() ? NULL : fv.mem.xRealloc(p, n);
}

/* Puts the wrapper over SQLite's allocator; before SQLite initialises. */
static void oom_register(void)
{
    sqlite3_config(SQLITE_CONFIG_GETMALLOC, &fv.mem);
    sqlite3_mem_methods m = fv.mem;
    m.xMalloc = m_malloc;
    m.xRealloc = m_realloc;
    sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
}

/* Counts operations from now on, failing the at-th (0: none). */
static void arm(long at, bool persistent)
{
    fv.armed = true;
    fv.persistent = persistent;
    fv.at = at;
    fv.ops = 0;
    fv.injected = 0;
}

/* Registers the fault VFS as the default, before the store puts its
 * encrypting VFS over the default. */
static void fault_vfs_register(void)
{
    fv.root = sqlite3_vfs_find(NULL);
    fv.vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)(((sizeof(struct ffile) + 7) & ~(size_t)7) + (size_t)fv.root->szOsFile),
        .mxPathname = fv.root->mxPathname,
        .zName = "fault",
        .xOpen = f_open,
        .xDelete = f_delete,
        .xAccess = f_access,
        .xFullPathname = f_full,
        .xRandomness = f_random,
        .xSleep = f_sleep,
        .xCurrentTime = f_time,
        .xCurrentTimeInt64 = f_time64,
    };
    sqlite3_vfs_register(&fv.vfs, 1);
}

/* ---- the workload ---- */

static struct store_secret *g_key; /* NULL: plaintext */
static char g_template[600];
static char g_db[600];

/* One transaction's writes: a person and an event naming them, indexed. */
static enum app_err write_pair(struct store *s, int t, struct err *e)
{
    char pid[32];
    char eid[32];
    char name[64];
    char text[96];
    snprintf(pid, sizeof pid, "p-%02d", t);
    snprintf(eid, sizeof eid, "e-%02d", t);
    snprintf(name, sizeof name, "Aigerim Serikovna %02d", t);
    snprintf(text, sizeof text, "Questioned at the border post, transaction %d.", t);
    struct person_name nm = {.full = name, .script = "Latn", .kind = "primary"};
    struct person p = {.id = pid, .names = &nm, .n_names = 1};
    const char *persons[] = {pid};
    struct event ev = {.id = eid, .type = EV_ARREST, .description = text};
    const char *why;
    if (!date_parse("2019-10-07", &ev.date, &why)) {
        return err_set(e, E_INTERNAL, "date");
    }
    ev.persons.items = persons;
    ev.persons.n_items = 1;
    enum store_put_result r;
    enum app_err rc = store_begin(s, e);
    if (rc == E_OK) {
        rc = store_put(s, OBJ_PERSON, &p, &r, e);
    }
    if (rc == E_OK) {
        rc = service_search_index(s, OBJ_PERSON, &p, e);
    }
    if (rc == E_OK) {
        rc = store_put(s, OBJ_EVENT, &ev, &r, e);
    }
    if (rc == E_OK) {
        rc = service_search_index(s, OBJ_EVENT, &ev, e);
    }
    if (rc == E_OK) {
        rc = store_commit(s, e);
    }
    if (rc != E_OK) {
        store_rollback(s);
    }
    return rc;
}

/* The server's rule (store.h): a connection that ran out of memory is
 * closed and opened again before it writes anything more. */
static bool usable(struct store **s)
{
    if (*s && !store_out_of_memory(*s)) {
        return true;
    }
    store_close(*s);
    *s = NULL;
    struct err e = ERR_INIT;
    if (store_open_key(g_db, STORE_MUST_EXIST, g_key, s, &e) != E_OK) {
        *s = NULL;
        return false;
    }
    return true;
}

static void workload(bool acked[TXS])
{
    memset(acked, 0, TXS * sizeof *acked);
    struct store *s = NULL;
    for (int t = 0; t < PLAIN_TX; t++) {
        struct err e = ERR_INIT;
        acked[t] = usable(&s) && write_pair(s, t, &e) == E_OK;
    }
    for (int g = 0; g < GROUPS; g++) {
        struct err e = ERR_INIT;
        if (!usable(&s) || store_group_begin(s, &e) != E_OK) {
            continue;
        }
        bool kept[GROUP_SIZE] = {false};
        for (int k = 0; k < GROUP_SIZE; k++) {
            if (store_group_enter(s, &e) != E_OK) {
                break;
            }
            kept[k] = write_pair(s, PLAIN_TX + g * GROUP_SIZE + k, &e) == E_OK;
            if (store_out_of_memory(s)) {
                store_group_rollback(s); /* as the server's writer does */
            }
            if (!store_group_leave(s, kept[k])) {
                break;
            }
        }
        if (store_in_group(s) && store_group_commit(s, &e) == E_OK) {
            for (int k = 0; k < GROUP_SIZE; k++) {
                acked[PLAIN_TX + g * GROUP_SIZE + k] = kept[k];
            }
        }
    }
    store_close(s);
}

struct tally {
    long points;
    long injected;
    long acked;
    long unacked_present; /* allowed: the outcome of a failed COMMIT is unknown */
    long phantom;         /* acknowledged, then absent */
    long torn;            /* half a transaction */
    long open_failures;
    long integrity_failures;
};

static void verify(const bool acked[TXS], struct tally *t, long point, const char *mode)
{
    struct store *s = NULL;
    struct err e = ERR_INIT;
    if (store_open_key(g_db, STORE_MUST_EXIST, g_key, &s, &e) != E_OK) {
        t->open_failures++;
        printf("# %s N=%ld: does not open: %s\n", mode, point, e.msg);
        return;
    }
    if (store_verify(s, true, &e) != E_OK) {
        t->integrity_failures++;
        printf("# %s N=%ld: %s\n", mode, point, e.msg);
    }
    for (int i = 0; i < TXS; i++) {
        char pid[32];
        char eid[32];
        snprintf(pid, sizeof pid, "p-%02d", i);
        snprintf(eid, sizeof eid, "e-%02d", i);
        bool p = store_exists(s, OBJ_PERSON, pid);
        bool ev = store_exists(s, OBJ_EVENT, eid);
        t->acked += acked[i];
        if (p != ev) {
            t->torn++;
            printf("# %s N=%ld: transaction %d is torn\n", mode, point, i);
        }
        if (acked[i] && !(p && ev)) {
            t->phantom++;
            printf("# %s N=%ld: transaction %d was acknowledged and is gone\n", mode, point, i);
        }
        if (!acked[i] && p && ev) {
            t->unacked_present++;
        }
    }
    store_close(s);
}

/* ---- the server's workload (http) ---- */

static char g_token[AUTH_SECRET_CHARS + 1];

enum { HTTP_WRITES = 8 }; /* writes whose acknowledgement is checked, ids w-0 .. */

struct fake {
    char auth[AUTH_SECRET_CHARS + 16];
    const char *query[2][2];
};

static const char *fake_header(const struct req *r, const char *name)
{
    const struct fake *f = r->transport;
    if (strcasecmp(name, "Authorization") == 0) {
        return f->auth;
    }
    if (strcasecmp(name, "Content-Type") == 0) {
        return "application/json";
    }
    if (strcasecmp(name, "If-Match") == 0) {
        return "\"1\"";
    }
    return NULL;
}

static const char *fake_query(const struct req *r, const char *name)
{
    const struct fake *f = r->transport;
    for (size_t i = 0; i < 2; i++) {
        if (f->query[i][0] && strcmp(f->query[i][0], name) == 0) {
            return f->query[i][1];
        }
    }
    return NULL;
}

struct http_tally {
    long requests;
    long answered_503;
    long wrong; /* neither the normal answer nor 503 */
};

/* Sends one request; returns its status. ok_status is the normal answer. */
static int send_req(const char *method, const char *path, const char *k1, const char *v1,
                    const char *body, int ok_status, struct http_tally *t)
{
    struct fake f = {.query = {{k1, v1}, {NULL, NULL}}};
    snprintf(f.auth, sizeof f.auth, "Bearer %s", g_token);
    struct arena a = ARENA_INIT;
    struct req r = {.method = method,
                    .path = path,
                    .body = body ? body : "",
                    .body_len = body ? strlen(body) : 0,
                    .arena = &a,
                    .client = "127.0.0.1",
                    .transport = &f,
                    .header = fake_header,
                    .query = fake_query};
    struct resp w = {.status = 200, .body = BUF_INIT};
    router_dispatch(&r, &w);
    t->requests++;
    if (w.status == 503) {
        t->answered_503++;
    } else if (w.status != ok_status) {
        t->wrong++;
        printf("# %s %s: %d (expected %d or 503): %.*s\n", method, path, w.status, ok_status,
               (int)(w.body.len < 200 ? w.body.len : 200), w.body.data ? w.body.data : "");
    }
    int status = w.status;
    buf_release(&w.body);
    arena_release(&a);
    return status;
}

/* The requests. acked[i]: the import of person p-i with event e-i (one
 * transaction: all or nothing) was answered 200; solo[i]: POST of person
 * q-i was answered 201. */
static void http_workload(bool acked[TXS], bool solo[HTTP_WRITES], struct http_tally *t)
{
    memset(acked, 0, TXS * sizeof *acked);
    memset(solo, 0, HTTP_WRITES * sizeof *solo);
    static const char *case_id = "/api/cases/kz-2019-xuar-asylum-seekers";
    for (int i = 0; i < HTTP_WRITES; i++) {
        char body[512];
        snprintf(body, sizeof body,
                 "{\"format\": \"refuge-bundle/1\", \"persons\": [{\"id\": \"p-%02d\", \"names\": "
                 "[{\"full\": \"Aigerim Serikovna %02d\"}]}], \"events\": [{\"id\": \"e-%02d\", "
                 "\"type\": \"arrest\", \"date\": \"2019-10-07\", \"persons\": [\"p-%02d\"], "
                 "\"description\": \"Questioned at the border post.\"}]}",
                 i, i, i, i);
        acked[i] = send_req("POST", "/api/import", NULL, NULL, body, 200, t) == 200;
        snprintf(body, sizeof body,
                 "{\"id\": \"q-%02d\", \"names\": [{\"full\": \"Dana Yerlanovna %02d\"}]}", i, i);
        solo[i] = send_req("POST", "/api/persons", NULL, NULL, body, 201, t) == 201;
        switch (i % 4) {
        case 0:
            send_req("GET", case_id, NULL, NULL, NULL, 200, t);
            break;
        case 1:
            send_req("GET", "/api/persons", "limit", "20", NULL, 200, t);
            break;
        case 2:
            send_req("GET", "/api/search", "q", "Musakhanuly", NULL, 200, t);
            break;
        default:
            send_req("GET", "/api/cases/kz-2019-xuar-asylum-seekers/findings", "as_of",
                     "2019-12-10", NULL, 200, t);
            break;
        }
    }
    send_req("DELETE", "/api/sources/src-sweep", NULL, NULL, NULL, 204, t);
    send_req("GET", "/api/export", "case", "kz-2019-xuar-asylum-seekers", NULL, 200, t);
}

/* Every acknowledged solo person is there. */
static long solo_missing(const bool solo[HTTP_WRITES])
{
    struct store *s = NULL;
    struct err e = ERR_INIT;
    if (store_open_key(g_db, STORE_MUST_EXIST, g_key, &s, &e) != E_OK) {
        return 0; /* verify() counted it */
    }
    long missing = 0;
    for (int i = 0; i < HTTP_WRITES; i++) {
        char id[16];
        snprintf(id, sizeof id, "q-%02d", i);
        if (solo[i] && !store_exists(s, OBJ_PERSON, id)) {
            missing++;
        }
    }
    store_close(s);
    return missing;
}

/* The template for http: the example case and an administrator's token. */
static void http_template(struct store *s)
{
    struct err e = ERR_INIT;
    FILE *in = fopen(REFUGE_SOURCE_DIR "/examples/kazakhstan-2019.json", "rb");
    struct import_report rep;
    struct diags problems = DIAGS_INIT;
    struct principal cli = auth_local_principal();
    if (!in || service_import(s, in, &rep, &problems, NULL, &e) != E_OK ||
        auth_token_add(s, &cli, NULL, "sweep", ROLE_ADMIN, NULL, g_token, &e) != E_OK) {
        fprintf(stderr, "faultsweep: cannot set up the http template: %s\n", e.msg);
        exit(2);
    }
    fclose(in);
    diags_release(&problems);
    struct source src = {.id = "src-sweep", .title = "A report read during the sweep"};
    enum store_put_result r;
    if (store_put(s, OBJ_SOURCE, &src, &r, &e) != E_OK) {
        fprintf(stderr, "faultsweep: cannot set up the http template: %s\n", e.msg);
        exit(2);
    }
}

static bool copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    FILE *out = in ? fopen(to, "wb") : NULL;
    bool ok = in && out;
    char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0) {
        ok = fwrite(buf, 1, n, out) == n;
    }
    if (in) {
        fclose(in);
    }
    if (out && fclose(out) != 0) {
        ok = false;
    }
    return ok;
}

static void remove_store(const char *path)
{
    const char *sfx[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof sfx / sizeof *sfx; i++) {
        char p[640];
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        remove(p);
    }
}

static void fresh_copy(void)
{
    remove_store(g_db);
    if (!copy_file(g_template, g_db)) {
        fprintf(stderr, "faultsweep: cannot copy the template store\n");
        exit(2);
    }
}

/* One run of the workload with the Nth allocation or operation failing
 * (0: none, only counting). The server's threads start before the faults
 * are armed and stop after they are disarmed: a server that cannot start
 * says so and exits, which is not what the sweep looks at. */
static void run_workload(bool http, bool acked[TXS], bool solo[HTTP_WRITES], struct http_tally *h,
                         long at, bool persistent)
{
    if (!http) {
        arm(at, persistent);
        workload(acked);
        fv.armed = false;
        return;
    }
    struct err e = ERR_INIT;
    if (readers_start(g_db, g_key, 1, &e) != E_OK || writer_start(g_db, g_key, &e) != E_OK) {
        fprintf(stderr, "faultsweep: cannot start the readers and the writer: %s\n", e.msg);
        exit(2);
    }
    arm(at, persistent);
    http_workload(acked, solo, h);
    fv.armed = false;
    writer_stop();
    readers_stop();
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4 || (strcmp(argv[1], "enc") != 0 && strcmp(argv[1], "plain") != 0) ||
        atol(argv[2]) < 1 ||
        (argc == 4 && strcmp(argv[3], "io") != 0 && strcmp(argv[3], "oom") != 0 &&
         strcmp(argv[3], "http") != 0)) {
        fprintf(stderr, "usage: faultsweep enc|plain STRIDE [io|oom|http]\n");
        return 2;
    }
    bool http = argc == 4 && strcmp(argv[3], "http") == 0;
    fv.kind = argc == 4 && (http || strcmp(argv[3], "oom") == 0) ? FAULT_OOM : FAULT_IO;
    const char *sweep = http ? "httpsweep" : fv.kind == FAULT_OOM ? "oomsweep" : "faultsweep";
    if (fv.kind == FAULT_OOM) {
        oom_register();
    }
    bool enc = strcmp(argv[1], "enc") == 0;
    long stride = atol(argv[2]);
    fault_vfs_register();
    store_global_init();
    store_set_encoder(bundle_encode_object);
    if (enc) {
        g_key = store_secret_new();
        if (!g_key) {
            return 2;
        }
        randombytes_buf(g_key->dek, sizeof g_key->dek);
        randombytes_buf(g_key->file_id, sizeof g_key->file_id);
    }
    const char *tmp = getenv("TMPDIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/refuge-faultsweep-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(g_template, sizeof g_template, "%s/template.db", dir);
    snprintf(g_db, sizeof g_db, "%s/work.db", dir);
    struct store *s = NULL;
    struct err e = ERR_INIT;
    if (store_open_key(g_template, 0, g_key, &s, &e) != E_OK) {
        fprintf(stderr, "faultsweep: %s\n", e.msg);
        return 2;
    }
    if (http) {
        http_template(s);
    }
    store_close(s); /* migrated; the WAL folded in and removed */

    /* The count: the workload without faults acknowledges everything. */
    bool acked[TXS];
    bool solo[HTTP_WRITES];
    struct tally count = {0};
    struct http_tally ht = {0};
    fresh_copy();
    run_workload(http, acked, solo, &ht, 0, false);
    long total = fv.ops;
    verify(acked, &count, 0, "count");
    int failed = 0;
    long expected = http ? HTTP_WRITES : TXS;
    if (count.acked != expected || count.phantom || count.torn || count.open_failures ||
        count.integrity_failures || ht.wrong || ht.answered_503 || (http && solo_missing(solo))) {
        printf("# without faults: %ld of %ld acknowledged, %ld wrong answers, %ld 503\n",
               count.acked, expected, ht.wrong, ht.answered_503);
        failed++;
    }
    printf("RESULT name=%s store=%s %s=%ld stride=%ld\n", sweep, argv[1],
           fv.kind == FAULT_OOM ? "allocations" : "ops", total, stride);

    const char *modes[] = {"oneshot", "persistent"};
    int passed = failed ? 0 : 1;
    for (int m = 0; m < 2; m++) {
        struct tally t = {0};
        struct http_tally h = {0};
        long lost_solo = 0;
        for (long n = 1; n <= total; n += stride) {
            fresh_copy();
            run_workload(http, acked, solo, &h, n, m == 1);
            t.injected += fv.injected;
            t.points++;
            verify(acked, &t, n, modes[m]);
            if (http) {
                lost_solo += solo_missing(solo);
            }
        }
        t.phantom += lost_solo;
        if (http) {
            printf("RESULT name=%s store=%s mode=%s requests=%ld answered_503=%ld "
                   "wrong_answers=%ld\n",
                   sweep, argv[1], modes[m], h.requests, h.answered_503, h.wrong);
        }
        bool ok = !t.phantom && !t.torn && !t.open_failures && !t.integrity_failures && !h.wrong;
        printf("RESULT name=%s store=%s mode=%s points=%ld faults=%ld acked=%ld "
               "unacked_present=%ld phantom_acks=%ld torn=%ld open_failures=%ld "
               "integrity_failures=%ld crashes=0\n",
               sweep, argv[1], modes[m], t.points, t.injected, t.acked, t.unacked_present,
               t.phantom, t.torn, t.open_failures, t.integrity_failures);
        ok ? passed++ : failed++;
    }
    remove_store(g_db);
    remove_store(g_template);
    rmdir(dir);
    store_secret_free(g_key);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
