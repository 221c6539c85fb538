/*
 * note.c: C2SP signed notes (Ed25519) and checkpoints (see note.h).
 */
#include "proof/note.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

static const char dash[] = "\xe2\x80\x94 "; /* U+2014 EM DASH, then a space */

bool note_name_valid(const char *name, size_t len)
{
    if (len == 0 || len > NOTE_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c <= 0x20 || c >= 0x7f || c == '+') {
            return false;
        }
    }
    return true;
}

void note_key_set_id(struct note_key *k)
{
    static const unsigned char sep_type[2] = {0x0a, 0x01};
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)k->name, strlen(k->name));
    crypto_hash_sha256_update(&st, sep_type, sizeof sep_type);
    crypto_hash_sha256_update(&st, k->pub, NOTE_PUBLIC_BYTES);
    crypto_hash_sha256_final(&st, h);
    memcpy(k->id, h, NOTE_KEY_ID_BYTES);
}

static void add_b64(struct buf *out, const unsigned char *bin, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    buf_grow(out, cap);
    sodium_bin2base64(out->data + out->len, cap, bin, n, sodium_base64_VARIANT_ORIGINAL);
    out->len += cap - 1;
}

bool note_b64_chars_ok(const char *s, size_t len)
{
    /* libsodium's decoder maps some bytes above 0x7f to digits: check the
     * alphabet first ('=' only as the last one or two characters) */
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '+' || c == '/' || (c == '=' && i + 2 >= len);
        if (!ok) {
            return false;
        }
    }
    return true;
}

bool note_b64_exact(const char *s, size_t len, unsigned char *out, size_t want)
{
    if (len != sodium_base64_ENCODED_LEN(want, sodium_base64_VARIANT_ORIGINAL) - 1 ||
        !note_b64_chars_ok(s, len)) {
        return false;
    }
    size_t got = 0;
    return sodium_base642bin(out, want, s, len, NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) ==
               0 &&
           got == want;
}

void note_vkey(const struct note_key *k, struct buf *out)
{
    char hex[2 * NOTE_KEY_ID_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, k->id, NOTE_KEY_ID_BYTES);
    unsigned char typed[1 + NOTE_PUBLIC_BYTES];
    typed[0] = 0x01;
    memcpy(typed + 1, k->pub, NOTE_PUBLIC_BYTES);
    buf_addf(out, "%s+%s+", k->name, hex);
    add_b64(out, typed, sizeof typed);
}

enum app_err note_vkey_parse(const char *s, size_t len, struct note_key *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    const char *p1 = memchr(s, '+', len);
    if (!p1) {
        return err_set(e, E_INVALID, "a verifier key is NAME+KEYID+KEY");
    }
    size_t name_len = (size_t)(p1 - s);
    const char *id = p1 + 1;
    size_t rest = len - name_len - 1;
    if (!note_name_valid(s, name_len)) {
        return err_set(e, E_INVALID, "the key name is empty, too long or has a space or '+'");
    }
    if (rest < 2 * NOTE_KEY_ID_BYTES + 1 || id[2 * NOTE_KEY_ID_BYTES] != '+') {
        return err_set(e, E_INVALID, "the key id is 8 hexadecimal digits");
    }
    unsigned char idbin[NOTE_KEY_ID_BYTES];
    for (size_t i = 0; i < 2 * NOTE_KEY_ID_BYTES; i++) {
        /* lower-case only, so that the text is canonical */
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f'))) {
            return err_set(e, E_INVALID, "the key id is 8 lower-case hexadecimal digits");
        }
    }
    size_t got = 0;
    if (sodium_hex2bin(idbin, sizeof idbin, id, 2 * NOTE_KEY_ID_BYTES, NULL, &got, NULL) != 0 ||
        got != sizeof idbin) {
        return err_set(e, E_INVALID, "the key id is 8 hexadecimal digits");
    }
    const char *b64 = id + 2 * NOTE_KEY_ID_BYTES + 1;
    size_t b64_len = rest - 2 * NOTE_KEY_ID_BYTES - 1;
    unsigned char typed[1 + NOTE_PUBLIC_BYTES];
    if (!note_b64_exact(b64, b64_len, typed, sizeof typed)) {
        return err_set(e, E_INVALID, "the key is not base64 of 33 bytes");
    }
    if (typed[0] != 0x01) {
        return err_set(e, E_INVALID, "the key is not an Ed25519 key (type 0x01)");
    }
    memcpy(out->name, s, name_len);
    out->name[name_len] = '\0';
    memcpy(out->pub, typed + 1, NOTE_PUBLIC_BYTES);
    note_key_set_id(out);
    if (memcmp(out->id, idbin, NOTE_KEY_ID_BYTES) != 0) {
        return err_set(e, E_INVALID, "the key id does not match the key name and key");
    }
    return E_OK;
}

void note_sign(const char *text, size_t len, const char *name,
               const unsigned char sk[NOTE_SECRET_BYTES], struct buf *out)
{
    struct note_key k = {0};
    snprintf(k.name, sizeof k.name, "%s", name);
    crypto_sign_ed25519_sk_to_pk(k.pub, sk);
    note_key_set_id(&k);
    unsigned char sig[NOTE_KEY_ID_BYTES + NOTE_SIG_BYTES];
    memcpy(sig, k.id, NOTE_KEY_ID_BYTES);
    crypto_sign_detached(sig + NOTE_KEY_ID_BYTES, NULL, (const unsigned char *)text, len, sk);
    buf_add(out, text, len);
    buf_addch(out, '\n');
    buf_adds(out, dash);
    buf_adds(out, k.name);
    buf_addch(out, ' ');
    add_b64(out, sig, sizeof sig);
    buf_addch(out, '\n');
}

enum app_err note_verify(const char *note, size_t len, const struct note_key *k, size_t *text_len,
                         struct err *e)
{
    *text_len = 0;
    if (len == 0 || len > NOTE_MAX_BYTES) {
        return err_set(e, E_INVALID, "a signed note is 1 to %d bytes", NOTE_MAX_BYTES);
    }
    if (memchr(note, '\0', len)) {
        return err_set(e, E_INVALID, "the signed note contains a NUL byte");
    }
    if (note[len - 1] != '\n') {
        return err_set(e, E_INVALID, "the signed note does not end with a newline");
    }
    /* the text ends at the last blank line */
    size_t split = 0;
    bool found = false;
    for (size_t i = len - 1; i > 0; i--) {
        if (note[i] == '\n' && note[i - 1] == '\n') {
            split = i; /* note[i] is the blank line */
            found = true;
            break;
        }
    }
    if (!found || split < 1) {
        return err_set(e, E_INVALID, "the signed note has no blank line before its signatures");
    }
    size_t tl = split; /* the text keeps its final newline */
    const char *sig = note + split + 1;
    size_t sig_len = len - split - 1;
    const char *nl = sig_len ? memchr(sig, '\n', sig_len) : NULL;
    if (!nl || (size_t)(nl - sig) + 1 != sig_len) {
        return err_set(e, E_INVALID, "the signed note must have exactly one signature line");
    }
    size_t dl = strlen(dash);
    size_t name_len = strlen(k->name);
    if (sig_len < dl || memcmp(sig, dash, dl) != 0) {
        return err_set(e, E_INVALID, "a signature line starts with an em dash and a space");
    }
    if (sig_len < dl + name_len + 1 || memcmp(sig + dl, k->name, name_len) != 0 ||
        sig[dl + name_len] != ' ') {
        return err_set(e, E_INVALID, "the note is not signed by the key \"%s\"", k->name);
    }
    const char *b64 = sig + dl + name_len + 1;
    size_t b64_len = sig_len - dl - name_len - 2;
    unsigned char raw[NOTE_KEY_ID_BYTES + NOTE_SIG_BYTES];
    if (!note_b64_exact(b64, b64_len, raw, sizeof raw)) {
        return err_set(e, E_INVALID,
                       "the signature is not base64 of a key id and an Ed25519 "
                       "signature");
    }
    if (memcmp(raw, k->id, NOTE_KEY_ID_BYTES) != 0) {
        return err_set(e, E_INVALID, "the signature's key id is not the key's");
    }
    if (crypto_sign_verify_detached(raw + NOTE_KEY_ID_BYTES, (const unsigned char *)note, tl,
                                    k->pub) != 0) {
        return err_set(e, E_INVALID, "the signature does not verify");
    }
    *text_len = tl;
    return E_OK;
}

void checkpoint_text(const struct checkpoint *c, struct buf *out)
{
    buf_addf(out, "%s\n%llu\n", c->origin, (unsigned long long)c->size);
    add_b64(out, c->root, MERKLE_HASH_BYTES);
    buf_addch(out, '\n');
}

/* The next line of [*p, end) without its newline; false at the end or when
 * the line has no newline. */
static bool next_line(const char **p, const char *end, const char **line, size_t *len)
{
    if (*p >= end) {
        return false;
    }
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl) {
        return false;
    }
    *line = *p;
    *len = (size_t)(nl - *p);
    *p = nl + 1;
    return true;
}

static bool parse_u63(const char *s, size_t len, uint64_t *out)
{
    if (len == 0 || len > 19 || (len > 1 && s[0] == '0')) {
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_C(0x7fffffffffffffff) - d) / 10) {
            return false;
        }
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

enum app_err checkpoint_parse(const char *text, size_t len, struct checkpoint *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    const char *p = text, *end = text + len;
    const char *line;
    size_t ll;
    if (!next_line(&p, end, &line, &ll) || !note_name_valid(line, ll)) {
        return err_set(e, E_INVALID, "the checkpoint's origin line is missing or invalid");
    }
    memcpy(out->origin, line, ll);
    out->origin[ll] = '\0';
    if (!next_line(&p, end, &line, &ll) || !parse_u63(line, ll, &out->size)) {
        return err_set(e, E_INVALID, "the checkpoint's tree size is not a decimal number");
    }
    if (!next_line(&p, end, &line, &ll) ||
        !note_b64_exact(line, ll, out->root, MERKLE_HASH_BYTES)) {
        return err_set(e, E_INVALID, "the checkpoint's root hash is not base64 of 32 bytes");
    }
    if (p != end) {
        return err_set(e, E_INVALID, "the checkpoint has lines after its root hash");
    }
    return E_OK;
}

enum app_err checkpoint_open(const char *note, size_t len, const struct note_key *k,
                             struct checkpoint *out, struct err *e)
{
    size_t tl;
    enum app_err rc = note_verify(note, len, k, &tl, e);
    if (rc == E_OK) {
        rc = checkpoint_parse(note, tl, out, e);
    }
    if (rc == E_OK && strcmp(out->origin, k->name) != 0) {
        rc = err_set(e, E_INVALID, "the checkpoint's origin \"%s\" is not the key's name \"%s\"",
                     out->origin, k->name);
    }
    return rc;
}
