/*
 * checks.c: reference data and findings history in the store (checks.h).
 */
#include "store/checks.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/embedded.h"
#include "core/xalloc.h"
#include "store/internal.h"

/* Slots STMT_MISC + 100 .. + 111 belong to this file. */
enum {
    SLOT_RD_HASH = STMT_MISC + 100,
    SLOT_RD_PUT,
    SLOT_RD_GET,
    SLOT_H_OPEN,
    SLOT_H_TOUCH,
    SLOT_H_END,
    SLOT_H_INSERT,
    SLOT_H_LIST,
    SLOT_H_OPEN_OF_CASE,
};

static void sha256_hex(const unsigned char *data, size_t len, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(out, 65, h, sizeof h);
}

static void now_iso(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

enum app_err store_refdata_sync(struct store *s, const char *name, struct err *e)
{
    const struct embedded_file *f = embedded_find(refuge_refdata, refuge_refdata_count, name);
    if (!f) {
        return err_set(e, E_INTERNAL, "no reference data '%s' in this build", name);
    }
    /* The stored text compared byte for byte with this build's: every
     * command that checks runs this, and hashing the files took a tenth of
     * a check of one case. The digest is made only to store a new text. */
    sqlite3_stmt *st =
        store_stmt(s, SLOT_RD_HASH, "SELECT content FROM reference_data WHERE name = ?1", e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    bool same = false;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const void *stored = sqlite3_column_blob(st, 0);
        same = stored && (size_t)sqlite3_column_bytes(st, 0) == f->len &&
               memcmp(stored, f->data, f->len) == 0;
    }
    sqlite3_reset(st);
    if (same || s->readonly) {
        return E_OK;
    }
    char hex[65];
    sha256_hex(f->data, f->len, hex);
    char now[32];
    now_iso(now);
    st = store_stmt(
        s, SLOT_RD_PUT,
        "INSERT INTO reference_data (name, content, sha256, loaded) VALUES (?1, ?2, ?3, ?4)"
        " ON CONFLICT (name) DO UPDATE SET content = excluded.content,"
        " sha256 = excluded.sha256, loaded = excluded.loaded",
        e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, (const char *)f->data, (int)f->len, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, hex, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? E_OK : store_fail(s, e, "cannot load reference data");
}

enum app_err store_refdata_get(struct store *s, const char *name, struct arena *a,
                               const char **content, size_t *len, struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SLOT_RD_GET, "SELECT content FROM reference_data WHERE name = ?1", e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        enum app_err out =
            rc == SQLITE_DONE ? err_set(e, E_NOT_FOUND, "no reference data '%s' in the store", name)
                              : store_fail(s, e, "cannot read reference data");
        sqlite3_reset(st);
        return out;
    }
    const char *text = (const char *)sqlite3_column_text(st, 0);
    if (!text) {
        enum app_err out = store_fail(s, e, "cannot read reference data");
        sqlite3_reset(st);
        return out;
    }
    *len = (size_t)sqlite3_column_bytes(st, 0);
    *content = arena_strndup(a, text, *len);
    sqlite3_reset(st);
    return E_OK;
}

static enum app_err step(struct store *s, sqlite3_stmt *st, struct err *e)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? E_OK : store_fail(s, e, "cannot record findings");
}

static enum app_err record_one(struct store *s, const struct finding_record *f, const char *now,
                               const char *as_of, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SLOT_H_OPEN,
                                  "SELECT id, status FROM finding_history WHERE case_id = ?1 AND"
                                  " person = ?2 AND rule = ?3 AND ended IS NULL",
                                  e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, f->case_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, f->person, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, f->rule, -1, SQLITE_STATIC);
    sqlite3_int64 open_id = 0;
    bool same_status = false;
    if (sqlite3_step(st) == SQLITE_ROW) {
        open_id = sqlite3_column_int64(st, 0);
        same_status = strcmp((const char *)sqlite3_column_text(st, 1), f->status) == 0;
    }
    sqlite3_reset(st);
    if (open_id && same_status) {
        st = store_stmt(s, SLOT_H_TOUCH,
                        "UPDATE finding_history SET last_seen = ?2, severity = ?3, summary = ?4,"
                        " missing = ?5 WHERE id = ?1",
                        e);
        if (!st) {
            return e->code;
        }
        sqlite3_bind_int64(st, 1, open_id);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, f->severity, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, f->summary, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, f->missing_json, -1, SQLITE_STATIC);
        return step(s, st, e);
    }
    if (open_id) {
        st = store_stmt(s, SLOT_H_END,
                        "UPDATE finding_history SET ended = ?2, ended_as_of = ?3 WHERE id = ?1", e);
        if (!st) {
            return e->code;
        }
        sqlite3_bind_int64(st, 1, open_id);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, as_of, -1, SQLITE_STATIC);
        enum app_err rc = step(s, st, e);
        if (rc != E_OK) {
            return rc;
        }
    }
    st = store_stmt(s, SLOT_H_INSERT,
                    "INSERT INTO finding_history (case_id, person, rule, severity, status, summary,"
                    " missing, first_seen, first_as_of, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
                    " ?7, ?8, ?9, ?8)",
                    e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, f->case_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, f->person, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, f->rule, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, f->severity, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, f->status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, f->summary, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, f->missing_json, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, as_of, -1, SQLITE_STATIC);
    return step(s, st, e);
}

/* Ends the open periods of a case whose (person, rule) the run did not raise. */
static enum app_err end_missing(struct store *s, const char *case_id,
                                const struct finding_record *items, size_t n, const char *now,
                                const char *as_of, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SLOT_H_OPEN_OF_CASE,
                                  "SELECT id, person, rule FROM finding_history WHERE case_id = ?1"
                                  " AND ended IS NULL",
                                  e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC);
    sqlite3_int64 *ids = NULL;
    size_t n_ids = 0;
    size_t alloc = 0;
    enum app_err rc = E_OK;
    int sr;
    while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
        const char *person = (const char *)sqlite3_column_text(st, 1);
        const char *rule = (const char *)sqlite3_column_text(st, 2);
        bool raised = false;
        for (size_t i = 0; i < n && !raised; i++) {
            raised = strcmp(items[i].person, person) == 0 && strcmp(items[i].rule, rule) == 0;
        }
        if (!raised) {
            if (n_ids == alloc) {
                alloc = alloc ? alloc * 2 : 16;
                ids = xrealloc(ids, alloc * sizeof *ids);
            }
            ids[n_ids++] = sqlite3_column_int64(st, 0);
        }
    }
    sqlite3_reset(st);
    for (size_t i = 0; i < n_ids && rc == E_OK; i++) {
        st = store_stmt(s, SLOT_H_END,
                        "UPDATE finding_history SET ended = ?2, ended_as_of = ?3 WHERE id = ?1", e);
        if (!st) {
            rc = e->code;
            break;
        }
        sqlite3_bind_int64(st, 1, ids[i]);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, as_of, -1, SQLITE_STATIC);
        rc = step(s, st, e);
    }
    free(ids);
    return rc;
}

/* The first item of the case in items sorted by case id (n when none). */
static size_t first_of_case(const struct finding_record *items, size_t n, const char *case_id)
{
    size_t lo = 0;
    size_t hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(items[mid].case_id, case_id) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

enum app_err store_history_record(struct store *s, const struct strs *case_ids,
                                  const struct finding_record *items, size_t n, const char *as_of,
                                  struct err *e)
{
    char now[32];
    now_iso(now);
    enum app_err rc = store_begin(s, e);
    for (size_t i = 0; i < n && rc == E_OK; i++) {
        rc = record_one(s, &items[i], now, as_of, e);
    }
    /* Items are sorted by case id, so each case's findings are a contiguous run. */
    for (size_t c = 0; c < case_ids->n_items && rc == E_OK; c++) {
        const char *cid = case_ids->items[c];
        size_t from = first_of_case(items, n, cid);
        size_t to = from;
        while (to < n && strcmp(items[to].case_id, cid) == 0) {
            to++;
        }
        rc = end_missing(s, cid, items + from, to - from, now, as_of, e);
    }
    if (rc == E_OK) {
        rc = store_commit(s, e);
    }
    if (rc != E_OK) {
        store_rollback(s);
    }
    return rc;
}

static const char *col(sqlite3_stmt *st, int i, struct arena *a)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL) {
        return NULL;
    }
    return arena_strdup(a, (const char *)sqlite3_column_text(st, i));
}

enum app_err store_history_list(struct store *s, const char *case_id, struct arena *a,
                                struct finding_period **out, size_t *n, struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SLOT_H_LIST,
                   "SELECT case_id, person, rule, severity, status, summary, missing,"
                   " first_seen, first_as_of, last_seen, ended, ended_as_of"
                   " FROM finding_history WHERE case_id = ?1 ORDER BY first_seen, id",
                   e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, case_id, -1, SQLITE_STATIC);
    size_t alloc = 0;
    *out = NULL;
    *n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == alloc) {
            size_t cap = alloc ? alloc * 2 : 16;
            struct finding_period *grown = arena_alloc(a, cap * sizeof *grown);
            if (*n) {
                memcpy(grown, *out, *n * sizeof *grown);
            }
            *out = grown;
            alloc = cap;
        }
        struct finding_period *p = &(*out)[(*n)++];
        p->f = (struct finding_record){col(st, 0, a), col(st, 1, a), col(st, 2, a), col(st, 3, a),
                                       col(st, 4, a), col(st, 5, a), col(st, 6, a)};
        p->first_seen = col(st, 7, a);
        p->first_as_of = col(st, 8, a);
        p->last_seen = col(st, 9, a);
        p->ended = col(st, 10, a);
        p->ended_as_of = col(st, 11, a);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? E_OK : store_fail(s, e, "cannot read the findings history");
}
