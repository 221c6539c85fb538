/*
 * evidence.c: evidence custody, the proof log and its checkpoints (see
 * evidence.h and docs/evidence.md).
 */
#include "service/evidence.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/arena.h"
#include "core/xalloc.h"
#include "proof/merkle.h"
#include "store/accounts.h"
#include "store/evidence.h"

static void now_iso(char out[32])
{
    time_t t = (time_t)auth_now();
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(out, 32, "1970-01-01T00:00:00Z");
    }
}

static enum app_err tx_begin(struct store *s, bool *own, struct err *e)
{
    *own = !acct_in_transaction(s);
    return *own ? store_begin(s, e) : E_OK;
}

static enum app_err tx_end(struct store *s, bool own, enum app_err rc, struct err *e)
{
    if (!own) {
        return rc;
    }
    if (rc == E_OK) {
        rc = store_commit(s, e);
    }
    if (rc != E_OK) {
        store_rollback(s);
    }
    return rc;
}

enum app_err ledger_append_audit(struct store *s, const char *time, int64_t seq,
                                 const unsigned char hash[32], struct err *e)
{
    struct buf leaf = BUF_INIT;
    leaf_audit(time, seq, hash, &leaf);
    enum app_err rc = ev_log_append(s, time, "audit", seq, leaf.data, leaf.len, NULL, e);
    buf_release(&leaf);
    return rc;
}

/* ---- custody ---- */

/* The last path component, with control characters and invalid UTF-8
 * replaced by '?', cut between characters to LEAF_VALUE_MAX bytes. */
static void clean_filename(const char *in, char out[LEAF_VALUE_MAX + 1])
{
    const char *base = in ? strrchr(in, '/') : NULL;
    base = base ? base + 1 : (in ? in : "");
    size_t o = 0;
    size_t n = strlen(base);
    for (size_t i = 0; i < n;) {
        size_t l = 1;
        while (l <= 4 && i + l <= n && !leaf_value_ok(base + i, l)) {
            l++;
        }
        bool ok = l <= 4 && i + l <= n;
        size_t take = ok ? l : 1;
        if (o + take > LEAF_VALUE_MAX) {
            break;
        }
        if (ok) {
            memcpy(out + o, base + i, l);
        } else {
            out[o] = '?';
        }
        o += take;
        i += ok ? l : 1;
    }
    out[o] = '\0';
    if (o == 0) {
        snprintf(out, LEAF_VALUE_MAX + 1, "file");
    }
}

/* type "/" subtype, RFC 6838 restricted-name characters, at most 127 bytes. */
static bool media_type_ok(const char *t)
{
    size_t n = strlen(t);
    if (n < 3 || n > 127) {
        return false;
    }
    const char *slash = strchr(t, '/');
    if (!slash || slash == t || slash[1] == '\0' || strchr(slash + 1, '/')) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  strchr("!#$&^_.+-/", c) != NULL;
        if (!ok) {
            return false;
        }
    }
    return true;
}

static bool parse_sha(const char *hex, unsigned char out[32])
{
    size_t got = 0;
    return hex && strlen(hex) == 64 && sodium_hex2bin(out, 32, hex, 64, NULL, &got, NULL) == 0 &&
           got == 32;
}

/* The custody record as its leaf states it. */
static void to_custody(const struct ev_file *f, struct custody *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->time, sizeof c->time, "%s", f->added);
    snprintf(c->source, sizeof c->source, "%s", f->source_id);
    sodium_bin2hex(c->sha256, sizeof c->sha256, f->sha256, 32);
    sodium_bin2hex(c->blake2b, sizeof c->blake2b, f->blake2b, 32);
    c->size = f->size < 0 ? 0 : (uint64_t)f->size;
    snprintf(c->media_type, sizeof c->media_type, "%s", f->media_type);
    snprintf(c->filename, sizeof c->filename, "%s", f->filename);
    snprintf(c->added_by, sizeof c->added_by, "%s", f->added_by);
}

enum app_err evidence_attach(struct store *s, const struct principal *p, const char *source_id,
                             const char *filename, const char *media_type, const void *data,
                             size_t len, struct evidence_info *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    /* hash the bytes as received, before anything else touches them */
    unsigned char sha[32], b2[32];
    crypto_hash_sha256(sha, data, len);
    crypto_generichash(b2, sizeof b2, data, len, NULL, 0);
    if (len > EVIDENCE_MAX_BYTES) {
        return err_set(e, E_TOO_LARGE, "an evidence file is at most %zu MiB",
                       EVIDENCE_MAX_BYTES >> 20);
    }
    if (!source_id || !leaf_value_ok(source_id, strlen(source_id))) {
        return err_set(e, E_INVALID, "a source id is needed");
    }
    if (!media_type) {
        media_type = "application/octet-stream";
    }
    if (!media_type_ok(media_type)) {
        return err_set(e, E_INVALID, "\"%.64s\" is not a media type (type/subtype)", media_type);
    }
    const char *who = p && p->name[0] ? p->name : "-";
    if (!leaf_value_ok(who, strlen(who))) {
        return err_set(e, E_INVALID, "the principal's name cannot be recorded");
    }
    char when[32];
    now_iso(when);
    char fname[LEAF_VALUE_MAX + 1];
    clean_filename(filename, fname);
    struct ev_file f = {
        .source_id = source_id,
        .size = (int64_t)len,
        .media_type = media_type,
        .filename = fname,
        .added_by = who,
        .added = when,
    };
    memcpy(f.sha256, sha, 32);
    memcpy(f.blake2b, b2, 32);
    to_custody(&f, &out->c);

    bool own;
    enum app_err rc = tx_begin(s, &own, e);
    if (rc != E_OK) {
        return rc;
    }
    struct buf leaf = BUF_INIT;
    bool existed;
    if (!store_exists(s, OBJ_SOURCE, source_id)) {
        rc = err_set(e, E_NOT_FOUND, "no source with id '%s'", source_id);
    }
    if (rc == E_OK) {
        rc = ev_blob_put(s, sha, b2, data, len, &existed, e);
    }
    if (rc == E_OK) {
        rc = ev_file_insert(s, &f, &out->id, e);
    }
    if (rc == E_OK) {
        rc = leaf_custody(&out->c, &leaf, e);
    }
    if (rc == E_OK) {
        rc = ev_log_append(s, when, "custody", out->id, leaf.data, leaf.len, &out->leaf_index, e);
    }
    if (rc == E_OK) {
        char detail[160];
        snprintf(detail, sizeof detail, "sha256=%s size=%zu", out->c.sha256, len);
        rc = audit_record(s, p, NULL, "evidence.attach", "source", source_id, detail, e);
    }
    buf_release(&leaf);
    return tx_end(s, own, rc, e);
}

/* Reads the record, its leaf index and its bytes, and checks the bytes. */
static enum app_err load_file(struct store *s, const char *source_id, const char *sha256_hex,
                              struct buf *content, struct evidence_info *out, struct err *e)
{
    unsigned char want[32];
    if (sha256_hex && !parse_sha(sha256_hex, want)) {
        return err_set(e, E_INVALID, "a SHA-256 is 64 hexadecimal digits");
    }
    struct arena a = ARENA_INIT;
    struct ev_file f;
    enum app_err rc = ev_file_find(s, source_id, sha256_hex ? want : NULL, &a, &f, e);
    if (rc == E_NOT_FOUND) {
        rc = err_set(e, E_NOT_FOUND, "source '%s' has no %s", source_id,
                     sha256_hex ? "file with that SHA-256" : "files");
    }
    if (rc == E_OK) {
        out->id = f.id;
        to_custody(&f, &out->c);
        rc = ev_log_of_custody(s, f.id, &out->leaf_index, e);
    }
    if (rc == E_OK) {
        rc = ev_blob_read(s, f.sha256, content, e);
    }
    if (rc == E_OK) {
        char hex[EVIDENCE_HEX + 1];
        evidence_sha256_hex(content->data, content->len, hex);
        if (strcmp(hex, out->c.sha256) != 0) {
            rc = err_set(e, E_CONFLICT,
                         "the stored file was altered: its SHA-256 is %s, the custody record "
                         "says %s",
                         hex, out->c.sha256);
        } else {
            evidence_blake2b_hex(content->data, content->len, hex);
            if (strcmp(hex, out->c.blake2b) != 0 || (int64_t)content->len != f.size) {
                rc = err_set(e, E_CONFLICT,
                             "the stored file was altered: its BLAKE2b hash or "
                             "size is not the recorded one");
            }
        }
    }
    arena_release(&a);
    return rc;
}

enum app_err evidence_extract(struct store *s, const struct principal *p, const char *source_id,
                              const char *sha256_hex, struct buf *content,
                              struct evidence_info *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    bool own;
    enum app_err rc = tx_begin(s, &own, e);
    if (rc != E_OK) {
        return rc;
    }
    rc = load_file(s, source_id, sha256_hex, content, out, e);
    if (rc == E_OK) {
        char detail[80];
        snprintf(detail, sizeof detail, "sha256=%s", out->c.sha256);
        rc = audit_record(s, p, NULL, "evidence.extract", "source", source_id, detail, e);
    }
    if (rc != E_OK) {
        buf_reset(content);
    }
    return tx_end(s, own, rc, e);
}

struct each_ctx {
    struct store *s;
    evidence_fn fn;
    void *ctx;
    struct err *e;
};

static enum app_err each_cb(void *ctx, const struct ev_file *f)
{
    struct each_ctx *c = ctx;
    struct evidence_info i = {.id = f->id, .leaf_index = -1};
    to_custody(f, &i.c);
    enum app_err rc = ev_log_of_custody(c->s, f->id, &i.leaf_index, c->e);
    if (rc == E_NOT_FOUND) {
        i.leaf_index = -1;
        rc = E_OK;
    }
    return rc == E_OK ? c->fn(c->ctx, &i) : rc;
}

enum app_err evidence_each(struct store *s, const char *source_id, evidence_fn fn, void *ctx,
                           struct err *e)
{
    struct each_ctx c = {s, fn, ctx, e};
    return ev_file_each(s, source_id, each_cb, &c, e);
}

/* ---- the key and checkpoints ---- */

static void key_of(const struct ev_key *k, struct note_key *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", k->name);
    memcpy(out->pub, k->pub, NOTE_PUBLIC_BYTES);
    note_key_set_id(out);
}

/* The key, made now when there is none (inside a write transaction). */
static enum app_err key_ensure(struct store *s, struct ev_key *k, struct err *e)
{
    enum app_err rc = ev_key_get(s, k, e);
    if (rc != E_NOT_FOUND) {
        return rc;
    }
    memset(k, 0, sizeof *k);
    crypto_sign_keypair(k->pub, k->sk);
    char hex[17];
    sodium_bin2hex(hex, sizeof hex, k->pub, 8);
    snprintf(k->name, sizeof k->name, "refuge.local/%s", hex);
    char when[32];
    now_iso(when);
    return ev_key_insert(s, k, when, e);
}

enum app_err ledger_public_key(struct store *s, struct note_key *out, struct err *e)
{
    struct ev_key k;
    enum app_err rc = ev_key_get(s, &k, e);
    if (rc == E_OK) {
        key_of(&k, out);
    }
    sodium_memzero(k.sk, sizeof k.sk);
    return rc;
}

/* Every leaf hash, in index order. */
struct leaves {
    merkle_hash *h;
    int64_t n;
    size_t cap;
};

static enum app_err leaves_cb(void *ctx, const struct ev_leaf *l)
{
    struct leaves *L = ctx;
    if ((size_t)L->n == L->cap) {
        L->cap = L->cap ? L->cap * 2 : 256;
        L->h = xrealloc(L->h, L->cap * sizeof *L->h);
    }
    merkle_leaf_hash(l->leaf, l->len, L->h[L->n++]);
    return E_OK;
}

static enum app_err load_leaves(struct store *s, struct leaves *L, struct err *e)
{
    memset(L, 0, sizeof *L);
    return ev_log_each(s, leaves_cb, L, e);
}

struct last_cp {
    int64_t size;
    bool any;
    struct buf note;
};

static enum app_err last_cp_cb(void *ctx, const struct ev_checkpoint *c)
{
    struct last_cp *l = ctx;
    l->any = true;
    l->size = c->size;
    buf_reset(&l->note);
    buf_add(&l->note, c->note, c->note_len);
    return E_OK;
}

enum app_err ledger_checkpoint(struct store *s, struct buf *note, struct checkpoint *cp,
                               struct err *e)
{
    bool own;
    enum app_err rc = tx_begin(s, &own, e);
    if (rc != E_OK) {
        return rc;
    }
    struct ev_key k;
    struct leaves L = {0};
    struct last_cp last = {.note = BUF_INIT};
    rc = key_ensure(s, &k, e);
    if (rc == E_OK) {
        rc = load_leaves(s, &L, e);
    }
    if (rc == E_OK) {
        rc = ev_checkpoint_each(s, last_cp_cb, &last, e);
    }
    if (rc == E_OK) {
        memset(cp, 0, sizeof *cp);
        snprintf(cp->origin, sizeof cp->origin, "%s", k.name);
        cp->size = (uint64_t)L.n;
        merkle_root(L.h ? L.h[0] : NULL, (uint64_t)L.n, cp->root);
        struct note_key nk;
        key_of(&k, &nk);
        struct checkpoint prev;
        if (last.any && last.size == L.n &&
            checkpoint_open(last.note.data, last.note.len, &nk, &prev, e) == E_OK &&
            memcmp(prev.root, cp->root, MERKLE_HASH_BYTES) == 0) {
            buf_add(note, last.note.data, last.note.len);
        } else {
            struct buf text = BUF_INIT;
            checkpoint_text(cp, &text);
            size_t start = note->len;
            note_sign(text.data, text.len, k.name, k.sk, note);
            buf_release(&text);
            char when[32];
            now_iso(when);
            rc = ev_checkpoint_insert(s, L.n, cp->root, when, note->data + start, e);
        }
    }
    sodium_memzero(k.sk, sizeof k.sk);
    free(L.h);
    buf_release(&last.note);
    return tx_end(s, own, rc, e);
}

enum app_err evidence_export(struct store *s, const struct principal *p, const char *source_id,
                             const char *sha256_hex, struct buf *package, struct evidence_info *out,
                             struct err *e)
{
    memset(out, 0, sizeof *out);
    bool own;
    enum app_err rc = tx_begin(s, &own, e);
    if (rc != E_OK) {
        return rc;
    }
    struct evidence_pkg pkg;
    evidence_pkg_init(&pkg);
    struct leaves L = {0};
    struct checkpoint cp;
    rc = load_file(s, source_id, sha256_hex, &pkg.content, out, e);
    if (rc == E_OK) {
        char detail[80];
        snprintf(detail, sizeof detail, "sha256=%s", out->c.sha256);
        rc = audit_record(s, p, NULL, "evidence.export", "source", source_id, detail, e);
    }
    if (rc == E_OK) {
        rc = ledger_checkpoint(s, &pkg.note, &cp, e);
    }
    if (rc == E_OK) {
        rc = load_leaves(s, &L, e);
    }
    if (rc == E_OK) {
        rc = leaf_custody(&out->c, &pkg.leaf, e);
    }
    if (rc == E_OK) {
        merkle_hash lh;
        merkle_leaf_hash(pkg.leaf.data, pkg.leaf.len, lh);
        if (out->leaf_index >= L.n || (uint64_t)L.n != cp.size ||
            memcmp(lh, L.h[out->leaf_index], MERKLE_HASH_BYTES) != 0) {
            rc = err_set(e, E_CONFLICT,
                         "the custody record does not match its leaf %" PRId64
                         " in the log; run `refuge verify`",
                         out->leaf_index);
        }
    }
    if (rc == E_OK) {
        int n = merkle_inclusion_proof(L.h[0], cp.size, (uint64_t)out->leaf_index, pkg.proof);
        pkg.n_proof = n < 0 ? 0 : (size_t)n;
        pkg.index = (uint64_t)out->leaf_index;
        rc = ledger_public_key(s, &pkg.key, e);
    }
    if (rc == E_OK) {
        evidence_pkg_write(&pkg, package);
        /* what we hand out must verify */
        struct evidence_pkg back;
        rc = evidence_pkg_parse(package->data, package->len, &back, e);
        if (rc == E_OK) {
            rc = evidence_pkg_verify(&back, &pkg.key, NULL, NULL, e);
        }
        evidence_pkg_release(&back);
        if (rc != E_OK) {
            rc = err_set(e, E_INTERNAL, "the package does not verify: %s", e->msg);
        }
    }
    evidence_pkg_release(&pkg);
    free(L.h);
    if (rc != E_OK) {
        buf_reset(package);
    }
    return tx_end(s, own, rc, e);
}

/* ---- verification ---- */

void ledger_report_init(struct ledger_report *r)
{
    memset(r, 0, sizeof *r);
    buf_init(&r->text);
    r->exported_size = -1;
}

void ledger_report_release(struct ledger_report *r)
{
    buf_release(&r->text);
}

static void problem(struct ledger_report *r, const char *fmt, ...) ATTR_PRINTF(2, 3);

static void problem(struct ledger_report *r, const char *fmt, ...)
{
    r->problems++;
    if (r->problems > 200) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    buf_vaddf(&r->text, fmt, ap);
    va_end(ap);
    buf_addch(&r->text, '\n');
}

struct audit_row {
    bool found;
    char time[40];
    unsigned char hash[32];
};

static enum app_err audit_row_cb(void *ctx, const struct acct_audit *a)
{
    struct audit_row *row = ctx;
    row->found = true;
    snprintf(row->time, sizeof row->time, "%s", a->time ? a->time : "");
    memcpy(row->hash, a->hash, 32);
    return E_OK;
}

struct vctx {
    struct store *s;
    struct ledger_report *r;
    struct err *e;
    struct leaves L;
    int64_t expect_idx;
    int64_t next_audit;
    int64_t custody;
    struct buf want;
    struct buf content;
};

static bool same_leaf(const struct ev_leaf *l, const struct buf *want, const char *time)
{
    return l->len == want->len && memcmp(l->leaf, want->data, want->len) == 0 &&
           strcmp(l->time, time) == 0;
}

static enum app_err check_audit_leaf(struct vctx *v, const struct ev_leaf *l)
{
    if (l->ref != v->next_audit) {
        problem(v->r,
                "leaf %" PRId64 " stands for audit entry %" PRId64 " where entry %" PRId64
                " was expected: leaves or entries were removed or reordered",
                l->idx, l->ref, v->next_audit);
    }
    v->next_audit = l->ref + 1;
    struct audit_row row = {0};
    struct acct_audit_filter f = {.after_seq = l->ref - 1, .limit = 1};
    enum app_err rc = acct_audit_each(v->s, &f, audit_row_cb, &row, v->e);
    if (rc != E_OK) {
        return rc;
    }
    if (!row.found) {
        problem(v->r, "leaf %" PRId64 ": audit entry %" PRId64 " is missing (deleted)", l->idx,
                l->ref);
        return E_OK;
    }
    buf_reset(&v->want);
    leaf_audit(row.time, l->ref, row.hash, &v->want);
    if (!same_leaf(l, &v->want, row.time)) {
        problem(v->r,
                "leaf %" PRId64 " does not match audit entry %" PRId64
                ": the entry or the leaf was changed",
                l->idx, l->ref);
    }
    return E_OK;
}

static enum app_err check_custody_leaf(struct vctx *v, const struct ev_leaf *l)
{
    v->custody++;
    struct arena a = ARENA_INIT;
    struct ev_file f;
    enum app_err rc = ev_file_get(v->s, l->ref, &a, &f, v->e);
    if (rc == E_NOT_FOUND) {
        problem(v->r, "leaf %" PRId64 ": custody record %" PRId64 " is missing (deleted)", l->idx,
                l->ref);
        arena_release(&a);
        return E_OK;
    }
    if (rc != E_OK) {
        arena_release(&a);
        return rc;
    }
    struct custody c;
    to_custody(&f, &c);
    buf_reset(&v->want);
    struct err ignore = ERR_INIT;
    if (f.size < 0 || leaf_custody(&c, &v->want, &ignore) != E_OK ||
        !same_leaf(l, &v->want, f.added)) {
        problem(v->r,
                "leaf %" PRId64 " does not match custody record %" PRId64
                " (source %s): the record, its file's hashes or the leaf were changed",
                l->idx, l->ref, f.source_id);
    } else {
        rc = ev_blob_read(v->s, f.sha256, &v->content, v->e);
        if (rc == E_NOT_FOUND) {
            problem(v->r, "the file of custody record %" PRId64 " (source %s) is missing", l->ref,
                    f.source_id);
            rc = E_OK;
        } else if (rc == E_OK) {
            char sha[EVIDENCE_HEX + 1], b2[EVIDENCE_HEX + 1];
            evidence_sha256_hex(v->content.data, v->content.len, sha);
            evidence_blake2b_hex(v->content.data, v->content.len, b2);
            if (strcmp(sha, c.sha256) != 0 || strcmp(b2, c.blake2b) != 0 ||
                v->content.len != c.size) {
                problem(v->r, "the file of custody record %" PRId64 " (source %s, %s) was altered",
                        l->ref, f.source_id, c.filename);
            }
        }
    }
    arena_release(&a);
    return rc;
}

static enum app_err verify_leaf_cb(void *ctx, const struct ev_leaf *l)
{
    struct vctx *v = ctx;
    if (l->idx != v->expect_idx) {
        problem(v->r, "leaves %" PRId64 " to %" PRId64 " are missing (deleted)", v->expect_idx,
                l->idx - 1);
    }
    v->expect_idx = l->idx + 1;
    enum app_err rc = leaves_cb(&v->L, l);
    if (rc != E_OK) {
        return rc;
    }
    if (strcmp(l->kind, "audit") == 0) {
        return check_audit_leaf(v, l);
    }
    if (strcmp(l->kind, "custody") == 0) {
        return check_custody_leaf(v, l);
    }
    problem(v->r, "leaf %" PRId64 " has an unknown kind", l->idx);
    return E_OK;
}

static enum app_err count_files_cb(void *ctx, const struct ev_file *f)
{
    (void)f;
    (*(int64_t *)ctx)++;
    return E_OK;
}

struct cp_ctx {
    struct vctx *v;
    bool have_key;
    struct note_key key;
    bool have_prev;
    struct checkpoint prev;
    int64_t prev_id;
};

/* Checks that the log's first cp->size leaves have cp->root; says what is
 * wrong otherwise, naming the checkpoint as `what`. */
static bool check_against(struct vctx *v, const struct checkpoint *cp, const char *what)
{
    if (cp->size > (uint64_t)v->L.n) {
        problem(v->r,
                "%s covers %" PRIu64 " entries but the log has only %" PRId64
                ": entries were deleted or the database was rolled back",
                what, cp->size, v->L.n);
        return false;
    }
    merkle_hash root;
    merkle_root(v->L.h ? v->L.h[0] : NULL, cp->size, root);
    if (sodium_memcmp(root, cp->root, MERKLE_HASH_BYTES) != 0) {
        problem(v->r,
                "the log's first %" PRIu64 " entries do not match %s: entries were changed, "
                "removed or the log was rewritten",
                cp->size, what);
        return false;
    }
    return true;
}

/* A consistency proof from `old` to `new`, made from the leaves, must
 * verify against both signed roots. */
static void check_consistency(struct vctx *v, const struct checkpoint *old,
                              const struct checkpoint *new, const char *what)
{
    if (old->size == 0 || new->size > (uint64_t)v->L.n || old->size > new->size) {
        return;
    }
    merkle_hash proof[MERKLE_MAX_PROOF];
    int n = merkle_consistency_proof(v->L.h[0], old->size, new->size, proof);
    if (n < 0 || !merkle_verify_consistency(old->size, new->size, proof[0], (size_t)n, old->root,
                                            new->root)) {
        problem(v->r, "%s is not consistent with the one before it", what);
    }
}

static enum app_err verify_cp_cb(void *ctx, const struct ev_checkpoint *c)
{
    struct cp_ctx *k = ctx;
    struct vctx *v = k->v;
    v->r->checkpoints++;
    char what[64];
    snprintf(what, sizeof what, "stored checkpoint #%" PRId64, c->id);
    if (!k->have_key) {
        problem(v->r, "%s exists but the database has no signing key", what);
        return E_OK;
    }
    struct checkpoint cp;
    struct err pe = ERR_INIT;
    if (checkpoint_open(c->note, c->note_len, &k->key, &cp, &pe) != E_OK) {
        problem(v->r, "%s: %s", what, pe.msg);
        return E_OK;
    }
    if ((int64_t)cp.size != c->size || memcmp(cp.root, c->root, MERKLE_HASH_BYTES) != 0) {
        problem(v->r, "%s: its size or root column differs from its signed note", what);
    }
    if (k->have_prev && cp.size < k->prev.size) {
        problem(v->r, "%s is smaller than stored checkpoint #%" PRId64, what, k->prev_id);
    }
    if (check_against(v, &cp, what) && k->have_prev) {
        check_consistency(v, &k->prev, &cp, what);
    }
    k->prev = cp;
    k->prev_id = c->id;
    k->have_prev = true;
    return E_OK;
}

enum app_err ledger_verify(struct store *s, const char *exported, size_t exported_len,
                           struct ledger_report *r, struct err *e)
{
    bool own;
    enum app_err rc = acct_read_begin(s, &own, e);
    if (rc != E_OK) {
        return rc;
    }
    struct vctx v = {
        .s = s, .r = r, .e = e, .next_audit = 1, .want = BUF_INIT, .content = BUF_INIT};
    rc = ev_log_each(s, verify_leaf_cb, &v, e);
    r->leaves = v.L.n;
    r->custody_records = v.custody;
    int64_t bad = 0, entries = 0;
    if (rc == E_OK) {
        struct err ae = ERR_INIT;
        rc = audit_verify(s, &bad, &entries, &ae);
        if (rc != E_OK) {
            *e = ae;
        } else if (bad) {
            problem(r, "%s", ae.msg);
        }
        r->audit_entries = entries;
    }
    if (rc == E_OK && entries > v.next_audit - 1) {
        problem(r, "audit entries %" PRId64 " to %" PRId64 " have no leaf in the log", v.next_audit,
                entries);
    }
    int64_t files = 0;
    if (rc == E_OK) {
        rc = ev_file_each(s, NULL, count_files_cb, &files, e);
    }
    if (rc == E_OK && files != v.custody) {
        problem(r, "%" PRId64 " custody records but %" PRId64 " custody leaves in the log", files,
                v.custody);
    }
    struct cp_ctx k = {.v = &v};
    if (rc == E_OK) {
        struct err ke = ERR_INIT;
        enum app_err krc = ledger_public_key(s, &k.key, &ke);
        if (krc == E_OK) {
            k.have_key = true;
        } else if (krc != E_NOT_FOUND) {
            rc = krc;
            *e = ke;
        }
    }
    if (rc == E_OK) {
        rc = ev_checkpoint_each(s, verify_cp_cb, &k, e);
    }
    if (rc == E_OK && exported) {
        struct checkpoint cp;
        struct err pe = ERR_INIT;
        if (!k.have_key) {
            problem(r, "the database has no signing key, so it did not sign the checkpoint: it is "
                       "another database, or one rolled back to before its first checkpoint");
        } else if (checkpoint_open(exported, exported_len, &k.key, &cp, &pe) != E_OK) {
            problem(r, "the checkpoint given: %s", pe.msg);
        } else {
            r->exported_size = (int64_t)cp.size;
            if (check_against(&v, &cp, "the checkpoint given")) {
                struct checkpoint now = {.size = (uint64_t)v.L.n};
                merkle_root(v.L.h ? v.L.h[0] : NULL, now.size, now.root);
                check_consistency(&v, &cp, &now, "the log now");
            }
        }
    }
    acct_read_end(s, own);
    free(v.L.h);
    buf_release(&v.want);
    buf_release(&v.content);
    return rc;
}
