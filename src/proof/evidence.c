/*
 * evidence.c: log leaves and evidence packages (see evidence.h).
 */
#include "proof/evidence.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

/* Length of the valid UTF-8 sequence at s (0 when invalid), refusing
 * overlong forms, surrogates and code points above U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80) {
        return 1;
    }
    size_t len;
    uint32_t cp;
    if ((s[0] & 0xe0) == 0xc0) {
        len = 2;
        cp = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        len = 3;
        cp = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        len = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return len;
}

bool leaf_value_ok(const char *v, size_t len)
{
    if (len == 0 || len > LEAF_VALUE_MAX) {
        return false;
    }
    const unsigned char *u = (const unsigned char *)v;
    for (size_t i = 0; i < len;) {
        size_t l = utf8_len(u + i, len - i);
        if (l == 0 || (l == 1 && (u[i] < 0x20 || u[i] == 0x7f)) ||
            (l == 2 && u[i] == 0xc2 && u[i + 1] < 0xa0)) {
            return false;
        }
        i += l;
    }
    return true;
}

void leaf_audit(const char *time, int64_t seq, const unsigned char hash[32], struct buf *out)
{
    char hex[2 * 32 + 1];
    sodium_bin2hex(hex, sizeof hex, hash, 32);
    buf_addf(out, "refuge-log/1\nkind audit\ntime %s\naudit-seq %" PRId64 "\naudit-hash %s\n", time,
             seq, hex);
}

struct field {
    const char *key;
    char *value; /* NULL for size */
};

static void custody_fields(struct custody *c, struct field f[8])
{
    f[0] = (struct field){"time", c->time};
    f[1] = (struct field){"source", c->source};
    f[2] = (struct field){"sha256", c->sha256};
    f[3] = (struct field){"blake2b", c->blake2b};
    f[4] = (struct field){"size", NULL};
    f[5] = (struct field){"media-type", c->media_type};
    f[6] = (struct field){"filename", c->filename};
    f[7] = (struct field){"added-by", c->added_by};
}

static bool hex64_ok(const char *h)
{
    if (strlen(h) != EVIDENCE_HEX) {
        return false;
    }
    for (size_t i = 0; i < EVIDENCE_HEX; i++) {
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f'))) {
            return false;
        }
    }
    return true;
}

enum app_err leaf_custody(const struct custody *c, struct buf *out, struct err *e)
{
    struct custody copy = *c;
    struct field f[8];
    custody_fields(&copy, f);
    if (!hex64_ok(c->sha256) || !hex64_ok(c->blake2b)) {
        return err_set(e, E_INVALID, "a digest is 64 lower-case hexadecimal digits");
    }
    for (size_t i = 0; i < 8; i++) {
        if (f[i].value && !leaf_value_ok(f[i].value, strlen(f[i].value))) {
            return err_set(e, E_INVALID,
                           "the custody record's %s is empty, too long or has "
                           "control characters",
                           f[i].key);
        }
    }
    buf_adds(out, "refuge-log/1\nkind custody\n");
    for (size_t i = 0; i < 8; i++) {
        if (f[i].value) {
            buf_addf(out, "%s %s\n", f[i].key, f[i].value);
        } else {
            buf_addf(out, "%s %" PRIu64 "\n", f[i].key, c->size);
        }
    }
    return E_OK;
}

/* Reads "<key> <value>\n" at *p into value (LEAF_VALUE_MAX + 1 bytes). */
static bool take_field(const char **p, const char *end, const char *key, char *value)
{
    size_t kl = strlen(key);
    if ((size_t)(end - *p) < kl + 1 || memcmp(*p, key, kl) != 0 || (*p)[kl] != ' ') {
        return false;
    }
    const char *v = *p + kl + 1;
    const char *nl = memchr(v, '\n', (size_t)(end - v));
    if (!nl || (size_t)(nl - v) > LEAF_VALUE_MAX) {
        return false;
    }
    memcpy(value, v, (size_t)(nl - v));
    value[nl - v] = '\0';
    *p = nl + 1;
    return true;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    size_t len = strlen(s);
    if (len == 0 || len > 19 || (len > 1 && s[0] == '0')) {
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

enum app_err leaf_custody_parse(const char *s, size_t len, struct custody *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    static const char head[] = "refuge-log/1\nkind custody\n";
    if (len > LEAF_MAX_BYTES || len < sizeof head - 1 || memcmp(s, head, sizeof head - 1) != 0) {
        return err_set(e, E_INVALID, "the leaf is not a refuge-log/1 custody record");
    }
    const char *p = s + sizeof head - 1, *end = s + len;
    struct field f[8];
    custody_fields(out, f);
    char size[LEAF_VALUE_MAX + 1];
    for (size_t i = 0; i < 8; i++) {
        if (!take_field(&p, end, f[i].key, f[i].value ? f[i].value : size)) {
            return err_set(e, E_INVALID, "the custody record has no valid %s line", f[i].key);
        }
    }
    if (!parse_u64(size, &out->size)) {
        return err_set(e, E_INVALID, "the custody record's size is not a decimal number");
    }
    if (p != end) {
        return err_set(e, E_INVALID, "the custody record has lines after added-by");
    }
    /* canonical: writing the values back gives the same bytes */
    struct buf again = BUF_INIT;
    enum app_err rc = leaf_custody(out, &again, e);
    if (rc == E_OK && (again.len != len || memcmp(again.data, s, len) != 0)) {
        rc = err_set(e, E_INVALID, "the custody record is not in canonical form");
    }
    buf_release(&again);
    return rc;
}

void evidence_pkg_init(struct evidence_pkg *p)
{
    memset(p, 0, sizeof *p);
    buf_init(&p->leaf);
    buf_init(&p->note);
    buf_init(&p->content);
}

void evidence_pkg_release(struct evidence_pkg *p)
{
    buf_release(&p->leaf);
    buf_release(&p->note);
    buf_release(&p->content);
}

static void add_b64(struct buf *out, const void *bin, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    buf_grow(out, cap);
    sodium_bin2base64(out->data + out->len, cap, bin, n, sodium_base64_VARIANT_ORIGINAL);
    out->len += cap - 1;
}

void evidence_pkg_write(const struct evidence_pkg *p, struct buf *out)
{
    buf_addf(out, "refuge-evidence/1\nleaf-index %" PRIu64 "\n", p->index);
    for (size_t i = 0; i < p->n_proof; i++) {
        buf_adds(out, "proof ");
        add_b64(out, p->proof[i], MERKLE_HASH_BYTES);
        buf_addch(out, '\n');
    }
    buf_adds(out, "key ");
    note_vkey(&p->key, out);
    buf_adds(out, "\nleaf ");
    add_b64(out, p->leaf.data, p->leaf.len);
    buf_adds(out, "\ncheckpoint ");
    add_b64(out, p->note.data, p->note.len);
    buf_adds(out, "\ncontent ");
    add_b64(out, p->content.data, p->content.len);
    buf_adds(out, "\nend\n");
}

/* The value of the line "<key> <value>\n" at *p. */
static bool line_value(const char **p, const char *end, const char *key, const char **v, size_t *vl)
{
    size_t kl = strlen(key);
    if ((size_t)(end - *p) < kl + 1 || memcmp(*p, key, kl) != 0 || (*p)[kl] != ' ') {
        return false;
    }
    const char *s = *p + kl + 1;
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    if (!nl) {
        return false;
    }
    *v = s;
    *vl = (size_t)(nl - s);
    *p = nl + 1;
    return true;
}

static bool b64_into(const char *s, size_t len, size_t max, struct buf *out)
{
    size_t cap = len / 4 * 3;
    if (len % 4 != 0 || cap > max + 2 || !note_b64_chars_ok(s, len)) {
        return false;
    }
    buf_reset(out);
    buf_grow(out, cap + 1);
    size_t got = 0;
    if (len > 0 && sodium_base642bin((unsigned char *)out->data, cap + 1, s, len, NULL, &got, NULL,
                                     sodium_base64_VARIANT_ORIGINAL) != 0) {
        return false;
    }
    if (got > max) {
        return false;
    }
    out->len = got;
    out->data[got] = '\0';
    return true;
}

enum app_err evidence_pkg_parse(const char *data, size_t len, struct evidence_pkg *out,
                                struct err *e)
{
    evidence_pkg_init(out);
    static const char magic[] = "refuge-evidence/1\n";
    if (len > EVIDENCE_PKG_MAX_BYTES) {
        return err_set(e, E_TOO_LARGE, "the package is larger than any refuge writes");
    }
    if (len < sizeof magic - 1 || memcmp(data, magic, sizeof magic - 1) != 0) {
        return err_set_at(e, E_INVALID, "line 1", "not a refuge-evidence/1 package");
    }
    const char *p = data + sizeof magic - 1, *end = data + len;
    const char *v;
    size_t vl;
    char num[24];
    if (!line_value(&p, end, "leaf-index", &v, &vl) || vl == 0 || vl >= sizeof num) {
        return err_set_at(e, E_INVALID, "line 2", "expected \"leaf-index N\"");
    }
    memcpy(num, v, vl);
    num[vl] = '\0';
    if (!parse_u64(num, &out->index) || out->index > UINT64_C(0x7fffffffffffffff)) {
        return err_set_at(e, E_INVALID, "line 2", "the leaf index is not a decimal number");
    }
    size_t lineno = 3;
    while (line_value(&p, end, "proof", &v, &vl)) {
        if (out->n_proof == MERKLE_MAX_PROOF) {
            return err_set(e, E_INVALID, "more than %d proof hashes", MERKLE_MAX_PROOF);
        }
        if (!note_b64_exact(v, vl, out->proof[out->n_proof], MERKLE_HASH_BYTES)) {
            return err_set_at(e, E_INVALID, "", "line %zu: a proof hash is base64 of 32 bytes",
                              lineno);
        }
        out->n_proof++;
        lineno++;
    }
    struct err ke = ERR_INIT;
    if (!line_value(&p, end, "key", &v, &vl) || note_vkey_parse(v, vl, &out->key, &ke) != E_OK) {
        return err_set(e, E_INVALID, "line %zu: expected \"key NAME+ID+KEY\"%s%s", lineno,
                       ke.msg[0] ? ": " : "", ke.msg);
    }
    lineno++;
    if (!line_value(&p, end, "leaf", &v, &vl) || !b64_into(v, vl, LEAF_MAX_BYTES, &out->leaf)) {
        return err_set(e, E_INVALID, "line %zu: expected \"leaf BASE64\"", lineno);
    }
    lineno++;
    if (!line_value(&p, end, "checkpoint", &v, &vl) ||
        !b64_into(v, vl, NOTE_MAX_BYTES, &out->note)) {
        return err_set(e, E_INVALID, "line %zu: expected \"checkpoint BASE64\"", lineno);
    }
    lineno++;
    if (!line_value(&p, end, "content", &v, &vl) ||
        !b64_into(v, vl, EVIDENCE_MAX_BYTES, &out->content)) {
        return err_set(e, E_INVALID, "line %zu: expected \"content BASE64\"", lineno);
    }
    lineno++;
    if ((size_t)(end - p) != 4 || memcmp(p, "end\n", 4) != 0) {
        return err_set(e, E_INVALID, "line %zu: expected \"end\" and nothing after it", lineno);
    }
    struct buf again = BUF_INIT;
    evidence_pkg_write(out, &again);
    bool same = again.len == len && memcmp(again.data, data, len) == 0;
    buf_release(&again);
    if (!same) {
        return err_set(e, E_INVALID, "the package is not in canonical form");
    }
    return E_OK;
}

void evidence_sha256_hex(const void *data, size_t len, char out[EVIDENCE_HEX + 1])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(out, EVIDENCE_HEX + 1, h, sizeof h);
}

void evidence_blake2b_hex(const void *data, size_t len, char out[EVIDENCE_HEX + 1])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, data, len, NULL, 0);
    sodium_bin2hex(out, EVIDENCE_HEX + 1, h, sizeof h);
}

enum app_err evidence_pkg_verify(const struct evidence_pkg *p, const struct note_key *pinned,
                                 struct custody *c, struct checkpoint *cp, struct err *e)
{
    struct custody cbuf;
    struct checkpoint cpbuf;
    c = c ? c : &cbuf;
    cp = cp ? cp : &cpbuf;
    if (pinned && (strcmp(pinned->name, p->key.name) != 0 ||
                   memcmp(pinned->pub, p->key.pub, NOTE_PUBLIC_BYTES) != 0)) {
        return err_set(e, E_INVALID, "the package is signed with another key than the one given");
    }
    enum app_err rc = checkpoint_open(p->note.data, p->note.len, &p->key, cp, e);
    if (rc != E_OK) {
        return rc;
    }
    rc = leaf_custody_parse(p->leaf.data, p->leaf.len, c, e);
    if (rc != E_OK) {
        return rc;
    }
    if (c->size != p->content.len) {
        return err_set(e, E_INVALID, "the file has %zu bytes, the custody record says %" PRIu64,
                       p->content.len, c->size);
    }
    char hex[EVIDENCE_HEX + 1];
    evidence_sha256_hex(p->content.data, p->content.len, hex);
    if (strcmp(hex, c->sha256) != 0) {
        return err_set(e, E_INVALID, "the file's SHA-256 is not the one in the custody record");
    }
    evidence_blake2b_hex(p->content.data, p->content.len, hex);
    if (strcmp(hex, c->blake2b) != 0) {
        return err_set(e, E_INVALID, "the file's BLAKE2b is not the one in the custody record");
    }
    merkle_hash lh;
    merkle_leaf_hash(p->leaf.data, p->leaf.len, lh);
    if (!merkle_verify_inclusion(p->index, cp->size, lh, p->proof[0], p->n_proof, cp->root)) {
        return err_set(e, E_INVALID,
                       "the inclusion proof of leaf %" PRIu64
                       " does not lead to the checkpoint's root (tree size %" PRIu64 ")",
                       p->index, cp->size);
    }
    return E_OK;
}
