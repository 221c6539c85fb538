/*
 * evidence.c: the SQL for evidence files, custody records, the proof log,
 * checkpoints and the signing key (schema in
 * sql/migrations/0005_evidence.sql). Storage only.
 */
#include "store/evidence.h"

#include <stdio.h>
#include <string.h>

#include "store/internal.h"

/* Slots STMT_MISC + 112 .. + 127 belong to this file. */
enum {
    SL_LOG_APPEND = STMT_MISC + 112,
    SL_LOG_SIZE,
    SL_LOG_EACH,
    SL_LOG_OF_CUSTODY,
    SL_KEY_GET,
    SL_KEY_INSERT,
    SL_CP_INSERT,
    SL_CP_EACH,
    SL_BLOB_GET,
    SL_BLOB_INSERT,
    SL_BLOB_READ,
    SL_FILE_INSERT,
    SL_FILE_FIND,
    SL_FILE_GET,
    SL_FILE_EACH,
    SL_EV_END,
};

_Static_assert((int)SL_EV_END <= (int)STMT_MISC + 128, "evidence.c uses STMT_MISC + 112 .. 127");
_Static_assert((int)SL_EV_END <= (int)STMT_SLOTS, "raise STMT_MISC_COUNT in internal.h");

static int bind_text(sqlite3_stmt *st, int i, const char *v)
{
    return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static enum app_err run(struct store *s, sqlite3_stmt *st, const char *what, struct err *e)
{
    int rc = sqlite3_step(st);
    enum app_err out = rc == SQLITE_DONE ? E_OK : store_fail(s, e, what);
    sqlite3_reset(st);
    return out;
}

static bool col_hash(sqlite3_stmt *st, int i, unsigned char out[EV_HASH])
{
    const void *v = sqlite3_column_blob(st, i);
    if (v && sqlite3_column_bytes(st, i) == EV_HASH) {
        memcpy(out, v, EV_HASH);
        return true;
    }
    memset(out, 0, EV_HASH);
    return false;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    return v ? v : "";
}

/* ---- the log ---- */

enum app_err ev_log_append(struct store *s, const char *time, const char *kind, int64_t ref,
                           const void *leaf, size_t len, int64_t *idx, struct err *e)
{
    int64_t n;
    enum app_err rc = ev_log_size(s, &n, e);
    if (rc != E_OK) {
        return rc;
    }
    sqlite3_stmt *st = store_stmt(s, SL_LOG_APPEND,
                                  "INSERT INTO proof_log (idx, time, kind, ref, leaf)"
                                  " VALUES (?1, ?2, ?3, ?4, ?5)",
                                  e);
    if (!st) {
        return E_STORAGE;
    }
    sqlite3_bind_int64(st, 1, n);
    bind_text(st, 2, time);
    bind_text(st, 3, kind);
    sqlite3_bind_int64(st, 4, ref);
    sqlite3_bind_blob(st, 5, leaf, (int)len, SQLITE_STATIC);
    rc = run(s, st, "cannot append to the proof log", e);
    if (rc == E_OK && idx) {
        *idx = n;
    }
    return rc;
}

enum app_err ev_log_size(struct store *s, int64_t *n, struct err *e)
{
    *n = 0;
    sqlite3_stmt *st =
        store_stmt(s, SL_LOG_SIZE, "SELECT coalesce(max(idx), -1) + 1 FROM proof_log", e);
    if (!st) {
        return E_STORAGE;
    }
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        enum app_err out = store_fail(s, e, "cannot read the proof log");
        sqlite3_reset(st);
        return out;
    }
    *n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return E_OK;
}

enum app_err ev_log_each(struct store *s, ev_leaf_fn fn, void *ctx, struct err *e)
{
    sqlite3_stmt *st = store_stmt(
        s, SL_LOG_EACH, "SELECT idx, time, kind, ref, leaf FROM proof_log ORDER BY idx", e);
    if (!st) {
        return E_STORAGE;
    }
    enum app_err out = E_OK;
    int rc;
    while (out == E_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct ev_leaf l = {
            .idx = sqlite3_column_int64(st, 0),
            .time = col_text(st, 1),
            .kind = col_text(st, 2),
            .ref = sqlite3_column_int64(st, 3),
            .leaf = sqlite3_column_blob(st, 4),
        };
        l.len = (size_t)sqlite3_column_bytes(st, 4);
        if (!l.leaf) {
            l.leaf = (const unsigned char *)"";
        }
        out = fn(ctx, &l);
    }
    if (out == E_OK && rc != SQLITE_DONE) {
        out = store_fail(s, e, "cannot read the proof log");
    }
    sqlite3_reset(st);
    return out;
}

enum app_err ev_log_of_custody(struct store *s, int64_t evidence_id, int64_t *idx, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_LOG_OF_CUSTODY,
                                  "SELECT idx FROM proof_log WHERE kind = 'custody' AND ref = ?1"
                                  " ORDER BY idx LIMIT 1",
                                  e);
    if (!st) {
        return E_STORAGE;
    }
    sqlite3_bind_int64(st, 1, evidence_id);
    int rc = sqlite3_step(st);
    enum app_err out = E_OK;
    if (rc == SQLITE_ROW) {
        *idx = sqlite3_column_int64(st, 0);
    } else if (rc == SQLITE_DONE) {
        out = err_set(e, E_NOT_FOUND, "custody record %lld has no leaf in the log",
                      (long long)evidence_id);
    } else {
        out = store_fail(s, e, "cannot read the proof log");
    }
    sqlite3_reset(st);
    return out;
}

/* ---- the signing key ---- */

enum app_err ev_key_get(struct store *s, struct ev_key *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = store_stmt(
        s, SL_KEY_GET, "SELECT name, public_key, secret_key FROM proof_key WHERE id = 1", e);
    if (!st) {
        return E_STORAGE;
    }
    int rc = sqlite3_step(st);
    enum app_err res = E_OK;
    if (rc == SQLITE_ROW) {
        const char *name = col_text(st, 0);
        const void *pub = sqlite3_column_blob(st, 1);
        const void *sk = sqlite3_column_blob(st, 2);
        if (strlen(name) >= sizeof out->name || !pub || sqlite3_column_bytes(st, 1) != EV_PUBLIC ||
            !sk || sqlite3_column_bytes(st, 2) != EV_SECRET) {
            res = err_set(e, E_STORAGE, "the stored signing key is damaged");
        } else {
            snprintf(out->name, sizeof out->name, "%s", name);
            memcpy(out->pub, pub, EV_PUBLIC);
            memcpy(out->sk, sk, EV_SECRET);
        }
    } else if (rc == SQLITE_DONE) {
        res = err_set(e, E_NOT_FOUND, "the database has no signing key yet");
    } else {
        res = store_fail(s, e, "cannot read the signing key");
    }
    sqlite3_reset(st);
    return res;
}

enum app_err ev_key_insert(struct store *s, const struct ev_key *k, const char *time, struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SL_KEY_INSERT,
                   "INSERT INTO proof_key (id, name, public_key, secret_key, created)"
                   " VALUES (1, ?1, ?2, ?3, ?4)",
                   e);
    if (!st) {
        return E_STORAGE;
    }
    bind_text(st, 1, k->name);
    sqlite3_bind_blob(st, 2, k->pub, EV_PUBLIC, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, k->sk, EV_SECRET, SQLITE_STATIC);
    bind_text(st, 4, time);
    return run(s, st, "cannot store the signing key", e);
}

/* ---- checkpoints ---- */

enum app_err ev_checkpoint_insert(struct store *s, int64_t size, const unsigned char root[EV_HASH],
                                  const char *time, const char *note, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_CP_INSERT,
                                  "INSERT INTO proof_checkpoint (size, root, time, note)"
                                  " VALUES (?1, ?2, ?3, ?4)",
                                  e);
    if (!st) {
        return E_STORAGE;
    }
    sqlite3_bind_int64(st, 1, size);
    sqlite3_bind_blob(st, 2, root, EV_HASH, SQLITE_STATIC);
    bind_text(st, 3, time);
    bind_text(st, 4, note);
    return run(s, st, "cannot store the checkpoint", e);
}

enum app_err ev_checkpoint_each(struct store *s, ev_checkpoint_fn fn, void *ctx, struct err *e)
{
    sqlite3_stmt *st = store_stmt(
        s, SL_CP_EACH, "SELECT id, size, root, time, note FROM proof_checkpoint ORDER BY id", e);
    if (!st) {
        return E_STORAGE;
    }
    enum app_err out = E_OK;
    int rc;
    while (out == E_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct ev_checkpoint c = {
            .id = sqlite3_column_int64(st, 0),
            .size = sqlite3_column_int64(st, 1),
            .time = col_text(st, 3),
            .note = col_text(st, 4),
        };
        c.note_len = (size_t)sqlite3_column_bytes(st, 4);
        col_hash(st, 2, c.root);
        out = fn(ctx, &c);
    }
    if (out == E_OK && rc != SQLITE_DONE) {
        out = store_fail(s, e, "cannot read the checkpoints");
    }
    sqlite3_reset(st);
    return out;
}

/* ---- evidence ---- */

enum app_err ev_blob_put(struct store *s, const unsigned char sha256[EV_HASH],
                         const unsigned char blake2b[EV_HASH], const void *data, size_t len,
                         bool *existed, struct err *e)
{
    *existed = false;
    sqlite3_stmt *st =
        store_stmt(s, SL_BLOB_GET, "SELECT blake2b, size FROM evidence_blob WHERE sha256 = ?1", e);
    if (!st) {
        return E_STORAGE;
    }
    sqlite3_bind_blob(st, 1, sha256, EV_HASH, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        unsigned char b[EV_HASH];
        bool ok = col_hash(st, 0, b) && memcmp(b, blake2b, EV_HASH) == 0 &&
                  sqlite3_column_int64(st, 1) == (int64_t)len;
        sqlite3_reset(st);
        *existed = true;
        return ok ? E_OK
                  : err_set(e, E_CONFLICT,
                            "stored content with this SHA-256 has another BLAKE2b "
                            "hash or size");
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        return store_fail(s, e, "cannot read the evidence store");
    }
    st = store_stmt(s, SL_BLOB_INSERT,
                    "INSERT INTO evidence_blob (sha256, blake2b, size, content)"
                    " VALUES (?1, ?2, ?3, ?4)",
                    e);
    if (!st) {
        return E_STORAGE;
    }
    sqlite3_bind_blob(st, 1, sha256, EV_HASH, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, blake2b, EV_HASH, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (int64_t)len);
    sqlite3_bind_blob64(st, 4, len ? data : "", len, SQLITE_STATIC);
    return run(s, st, "cannot store the evidence file", e);
}

enum app_err ev_blob_read(struct store *s, const unsigned char sha256[EV_HASH], struct buf *out,
                          struct err *e)
{
    buf_reset(out);
    sqlite3_stmt *st =
        store_stmt(s, SL_BLOB_READ, "SELECT content FROM evidence_blob WHERE sha256 = ?1", e);
    if (!st) {
        return E_STORAGE;
    }
    sqlite3_bind_blob(st, 1, sha256, EV_HASH, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    enum app_err res = E_OK;
    if (rc == SQLITE_ROW) {
        const void *v = sqlite3_column_blob(st, 0);
        int n = sqlite3_column_bytes(st, 0);
        if (v && n > 0) {
            buf_add(out, v, (size_t)n);
        }
    } else if (rc == SQLITE_DONE) {
        res = err_set(e, E_NOT_FOUND, "the evidence content is missing");
    } else {
        res = store_fail(s, e, "cannot read the evidence file");
    }
    sqlite3_reset(st);
    return res;
}

enum app_err ev_file_insert(struct store *s, const struct ev_file *f, int64_t *id, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_FILE_INSERT,
                                  "INSERT INTO evidence (source_id, sha256, media_type, filename,"
                                  " added_by, added) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                  e);
    if (!st) {
        return E_STORAGE;
    }
    bind_text(st, 1, f->source_id);
    sqlite3_bind_blob(st, 2, f->sha256, EV_HASH, SQLITE_STATIC);
    bind_text(st, 3, f->media_type);
    bind_text(st, 4, f->filename);
    bind_text(st, 5, f->added_by);
    bind_text(st, 6, f->added);
    enum app_err rc = run(s, st, "cannot record the evidence file", e);
    if (rc == E_CONFLICT) {
        return err_set(e, E_CONFLICT, "source '%s' already has this file", f->source_id);
    }
    if (rc == E_OK) {
        *id = sqlite3_last_insert_rowid(s->db);
    }
    return rc;
}

#define FILE_COLUMNS                                                                   \
    "SELECT e.id, e.source_id, e.sha256, b.blake2b, b.size, e.media_type, e.filename," \
    " e.added_by, e.added FROM evidence e LEFT JOIN evidence_blob b ON b.sha256 = e.sha256"

static void read_file_row(sqlite3_stmt *st, struct ev_file *f)
{
    f->id = sqlite3_column_int64(st, 0);
    f->source_id = col_text(st, 1);
    col_hash(st, 2, f->sha256);
    col_hash(st, 3, f->blake2b);
    f->size = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4);
    f->media_type = col_text(st, 5);
    f->filename = col_text(st, 6);
    f->added_by = col_text(st, 7);
    f->added = col_text(st, 8);
}

static void copy_file(struct ev_file *f, struct arena *a)
{
    f->source_id = arena_strdup(a, f->source_id);
    f->media_type = arena_strdup(a, f->media_type);
    f->filename = arena_strdup(a, f->filename);
    f->added_by = arena_strdup(a, f->added_by);
    f->added = arena_strdup(a, f->added);
}

static enum app_err one_file(struct store *s, sqlite3_stmt *st, struct arena *arena,
                             struct ev_file *out, const char *missing, struct err *e)
{
    int rc = sqlite3_step(st);
    enum app_err res = E_OK;
    if (rc == SQLITE_ROW) {
        read_file_row(st, out);
        copy_file(out, arena);
    } else if (rc == SQLITE_DONE) {
        res = err_set(e, E_NOT_FOUND, "%s", missing);
    } else {
        res = store_fail(s, e, "cannot read the evidence records");
    }
    sqlite3_reset(st);
    return res;
}

enum app_err ev_file_find(struct store *s, const char *source_id, const unsigned char *sha256,
                          struct arena *arena, struct ev_file *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = store_stmt(s, SL_FILE_FIND,
                                  FILE_COLUMNS " WHERE e.source_id = ?1 AND (?2 IS NULL OR"
                                               " e.sha256 = ?2) ORDER BY e.id DESC LIMIT 1",
                                  e);
    if (!st) {
        return E_STORAGE;
    }
    bind_text(st, 1, source_id);
    if (sha256) {
        sqlite3_bind_blob(st, 2, sha256, EV_HASH, SQLITE_STATIC);
    }
    return one_file(s, st, arena, out,
                    sha256 ? "the source has no file with that SHA-256" : "the source has no files",
                    e);
}

enum app_err ev_file_get(struct store *s, int64_t id, struct arena *arena, struct ev_file *out,
                         struct err *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = store_stmt(s, SL_FILE_GET, FILE_COLUMNS " WHERE e.id = ?1", e);
    if (!st) {
        return E_STORAGE;
    }
    sqlite3_bind_int64(st, 1, id);
    return one_file(s, st, arena, out, "no such custody record", e);
}

enum app_err ev_file_each(struct store *s, const char *source_id, ev_file_fn fn, void *ctx,
                          struct err *e)
{
    sqlite3_stmt *st = store_stmt(
        s, SL_FILE_EACH, FILE_COLUMNS " WHERE ?1 IS NULL OR e.source_id = ?1 ORDER BY e.id", e);
    if (!st) {
        return E_STORAGE;
    }
    bind_text(st, 1, source_id);
    enum app_err out = E_OK;
    int rc;
    while (out == E_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct ev_file f;
        read_file_row(st, &f);
        out = fn(ctx, &f);
    }
    if (out == E_OK && rc != SQLITE_DONE) {
        out = store_fail(s, e, "cannot read the evidence records");
    }
    sqlite3_reset(st);
    return out;
}
