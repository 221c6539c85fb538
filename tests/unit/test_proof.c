/*
 * test_proof.c: the Merkle tree module against every transparency-dev/merkle
 * conformance vector in $REFUGE_SHARED/data/merkle-vectors/testdata
 * (inclusion, consistency, subtreeinclusion, subtreeconsistency: happy paths
 * accepted, every wantErr case rejected), known tree heads, generated
 * proofs for every index and size up to 70, signed notes and checkpoints,
 * and the evidence package (round trip and strict parsing).
 */
/* cmocka.h needs the headers before it. */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <sys/stat.h>
/* clang-format on */

#include "core/buf.h"
#include "proof/evidence.h"
#include "proof/merkle.h"
#include "proof/note.h"

/* ---- the conformance vectors ---- */

enum vec_kind { V_INCLUSION, V_CONSISTENCY, V_SUB_INCLUSION, V_SUB_CONSISTENCY };

struct tally {
    int files;
    int happy_accepted;
    int bad_rejected;
    int failures;
};

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    struct buf b = BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        buf_add(&b, chunk, n);
    }
    fclose(f);
    *len = b.len;
    return buf_detach(&b);
}

/* The vectors hold sizes up to 2^64 - 1, which jansson's signed integers
 * cannot: numbers outside strings are quoted before parsing and read back
 * with strtoull. */
static char *quote_numbers(const char *s, size_t len)
{
    struct buf b = BUF_INIT;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_str) {
            buf_addch(&b, c);
            if (c == '\\' && i + 1 < len) {
                buf_addch(&b, s[++i]);
            } else if (c == '"') {
                in_str = false;
            }
        } else if (c == '"') {
            in_str = true;
            buf_addch(&b, c);
        } else if ((c >= '0' && c <= '9') || c == '-') {
            buf_addch(&b, '"');
            while (i < len && ((s[i] >= '0' && s[i] <= '9') || s[i] == '-')) {
                buf_addch(&b, s[i++]);
            }
            buf_addch(&b, '"');
            i--;
        } else {
            buf_addch(&b, c);
        }
    }
    return buf_detach(&b);
}

static bool get_u64(json_t *o, const char *key, uint64_t *out)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s || !*s || *s == '-') {
        return false;
    }
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) {
        return false;
    }
    *out = v;
    return true;
}

/* A leaf hash: false when it is not base64 of exactly 32 bytes (the
 * reference verifier refuses those too). */
static bool get_hash(json_t *v, merkle_hash out)
{
    const char *s = json_string_value(v);
    size_t got = 0;
    return s &&
           sodium_base642bin(out, MERKLE_HASH_BYTES, s, strlen(s), NULL, &got, NULL,
                             sodium_base64_VARIANT_ORIGINAL) == 0 &&
           got == MERKLE_HASH_BYTES;
}

/* A root or proof hash. Some vectors use values of another length (a
 * 12-byte "don't care") where the reference verifier only compares them as
 * bytes: such a value is mapped to SHA-256("not a hash" || value), which
 * keeps equal values equal and can never equal a computed 32-byte hash. */
static bool get_node(json_t *v, merkle_hash out)
{
    const char *s = json_string_value(v);
    if (!s) {
        return false;
    }
    unsigned char raw[256];
    size_t got = 0;
    if (sodium_base642bin(raw, sizeof raw, s, strlen(s), NULL, &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        return false;
    }
    if (got == MERKLE_HASH_BYTES) {
        memcpy(out, raw, got);
    } else {
        crypto_hash_sha256_state st;
        crypto_hash_sha256_init(&st);
        crypto_hash_sha256_update(&st, (const unsigned char *)"not a hash", 10);
        crypto_hash_sha256_update(&st, raw, got);
        crypto_hash_sha256_final(&st, out);
    }
    return true;
}

/* The proof array (null = empty); false when an element is not a hash. */
static bool get_proof(json_t *v, merkle_hash proof[MERKLE_MAX_PROOF], size_t *n)
{
    *n = 0;
    if (json_is_null(v) || !v) {
        return true;
    }
    if (!json_is_array(v) || json_array_size(v) > MERKLE_MAX_PROOF) {
        return false;
    }
    for (size_t i = 0; i < json_array_size(v); i++) {
        if (!get_node(json_array_get(v, i), proof[i])) {
            return false;
        }
    }
    *n = json_array_size(v);
    return true;
}

/* Runs one case: true when the verifier accepts it. Fields that cannot be
 * decoded (a hash of the wrong length) make the case rejected. */
static bool run_case(enum vec_kind kind, json_t *o)
{
    merkle_hash proof[MERKLE_MAX_PROOF];
    size_t n;
    if (!get_proof(json_object_get(o, "proof"), proof, &n)) {
        return false;
    }
    uint64_t a, b, c;
    merkle_hash h1, h2;
    switch (kind) {
    case V_INCLUSION:
        return get_u64(o, "leafIdx", &a) && get_u64(o, "treeSize", &b) &&
               get_hash(json_object_get(o, "leafHash"), h1) &&
               get_node(json_object_get(o, "root"), h2) &&
               merkle_verify_inclusion(a, b, h1, proof[0], n, h2);
    case V_CONSISTENCY:
        return get_u64(o, "size1", &a) && get_u64(o, "size2", &b) &&
               get_node(json_object_get(o, "root1"), h1) &&
               get_node(json_object_get(o, "root2"), h2) &&
               merkle_verify_consistency(a, b, proof[0], n, h1, h2);
    case V_SUB_INCLUSION: {
        uint64_t idx;
        return get_u64(o, "leafIdx", &idx) && get_u64(o, "start", &a) && get_u64(o, "end", &b) &&
               get_hash(json_object_get(o, "leafHash"), h1) &&
               get_node(json_object_get(o, "root"), h2) &&
               merkle_verify_subtree_inclusion(idx, a, b, h1, proof[0], n, h2);
    }
    case V_SUB_CONSISTENCY:
        return get_u64(o, "start", &a) && get_u64(o, "end", &b) && get_u64(o, "size", &c) &&
               get_node(json_object_get(o, "root1"), h1) &&
               get_node(json_object_get(o, "root2"), h2) &&
               merkle_verify_subtree_consistency(a, b, c, proof[0], n, h1, h2);
    }
    return false;
}

static void run_file(enum vec_kind kind, const char *path, struct tally *t)
{
    size_t len = 0;
    char *raw = slurp(path, &len);
    assert_non_null(raw);
    char *text = quote_numbers(raw, len);
    json_error_t je;
    json_t *o = json_loads(text, 0, &je);
    if (!o) {
        fail_msg("%s: %s", path, je.text);
    }
    json_t *want_err = json_object_get(o, "wantErr");
    if (!json_is_boolean(want_err)) {
        fail_msg("%s: no wantErr", path);
    }
    bool accepted = run_case(kind, o);
    t->files++;
    if (json_is_true(want_err)) {
        if (!accepted) {
            t->bad_rejected++;
        } else {
            t->failures++;
            fprintf(stderr, "FAIL accepted a wantErr case: %s\n", path);
        }
    } else if (accepted) {
        t->happy_accepted++;
    } else {
        t->failures++;
        fprintf(stderr, "FAIL rejected a happy path: %s\n", path);
    }
    json_decref(o);
    free(text);
    free(raw);
}

static void walk(enum vec_kind kind, const char *dir, struct tally *t)
{
    DIR *d = opendir(dir);
    if (!d) {
        fail_msg("cannot open %s", dir);
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            walk(kind, path, t);
        } else if (strlen(de->d_name) > 5 &&
                   strcmp(de->d_name + strlen(de->d_name) - 5, ".json") == 0) {
            run_file(kind, path, t);
        }
    }
    closedir(d);
}

static void conformance_vectors(void **state)
{
    (void)state;
    const char *shared = getenv("REFUGE_SHARED");
    assert_non_null(shared);

    static const struct {
        const char *dir;
        enum vec_kind kind;
    } sets[] = {
        {"inclusion", V_INCLUSION},
        {"consistency", V_CONSISTENCY},
        {"subtreeinclusion", V_SUB_INCLUSION},
        {"subtreeconsistency", V_SUB_CONSISTENCY},
    };
    struct tally all = {0};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/data/merkle-vectors/testdata/%s", shared, sets[i].dir);
        struct tally t = {0};
        walk(sets[i].kind, dir, &t);
        printf("RESULT name=merkle-vectors set=%s files=%d happy_accepted=%d wanterr_rejected=%d "
               "failures=%d\n",
               sets[i].dir, t.files, t.happy_accepted, t.bad_rejected, t.failures);
        assert_true(t.files > 0);
        assert_true(t.happy_accepted > 0);
        assert_true(t.bad_rejected > 0);
        all.files += t.files;
        all.happy_accepted += t.happy_accepted;
        all.bad_rejected += t.bad_rejected;
        all.failures += t.failures;
    }
    printf("RESULT name=merkle-vectors set=all files=%d happy_accepted=%d wanterr_rejected=%d "
           "failures=%d pass_rate=%.1f%%\n",
           all.files, all.happy_accepted, all.bad_rejected, all.failures,
           100.0 * (all.files - all.failures) / all.files);
    assert_int_equal(all.failures, 0);
}

/* ---- heads and generated proofs ---- */

/* The eight leaves of the RFC 6962 reference tests and the heads of their
 * prefixes (as published with Certificate Transparency's test data). */
static const char *const ref_leaves[] = {
    "",
    "\x00",
    "\x10",
    "\x20\x21",
    "\x30\x31",
    "\x40\x41\x42\x43",
    "\x50\x51\x52\x53\x54\x55\x56\x57",
    "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
};
static const size_t ref_len[] = {0, 1, 1, 2, 2, 4, 8, 16};
static const char *const ref_heads[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static void reference_heads(void **state)
{
    (void)state;
    merkle_hash leaves[8], head;
    for (size_t i = 0; i < 8; i++) {
        merkle_leaf_hash(ref_leaves[i], ref_len[i], leaves[i]);
    }
    char hex[65];
    merkle_root(leaves[0], 0, head);
    sodium_bin2hex(hex, sizeof hex, head, sizeof head);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    for (size_t n = 1; n <= 8; n++) {
        merkle_root(leaves[0], n, head);
        sodium_bin2hex(hex, sizeof hex, head, sizeof head);
        assert_string_equal(hex, ref_heads[n - 1]);
    }
}

static void generated_proofs(void **state)
{
    (void)state;

    enum { N = 70 };

    merkle_hash leaves[N], proof[MERKLE_MAX_PROOF];
    for (int i = 0; i < N; i++) {
        unsigned char d[4] = {(unsigned char)i, 1, 2, 3};
        merkle_leaf_hash(d, sizeof d, leaves[i]);
    }
    for (uint64_t size = 1; size <= N; size++) {
        merkle_hash head;
        merkle_root(leaves[0], size, head);
        for (uint64_t i = 0; i < size; i++) {
            int n = merkle_inclusion_proof(leaves[0], size, i, proof);
            assert_true(n >= 0);
            assert_true(merkle_verify_inclusion(i, size, leaves[i], proof[0], (size_t)n, head));
            /* another leaf, index or size is refused */
            assert_false(
                merkle_verify_inclusion(i, size, leaves[(i + 1) % N], proof[0], (size_t)n, head));
            if (n > 0) {
                proof[n - 1][0] ^= 1;
                assert_false(
                    merkle_verify_inclusion(i, size, leaves[i], proof[0], (size_t)n, head));
            }
        }
        for (uint64_t m = 1; m <= size; m++) {
            merkle_hash h1;
            merkle_root(leaves[0], m, h1);
            int n = merkle_consistency_proof(leaves[0], m, size, proof);
            assert_true(n >= 0);
            assert_true(merkle_verify_consistency(m, size, proof[0], (size_t)n, h1, head));
            if (m < size) {
                assert_false(merkle_verify_consistency(m, size, proof[0], (size_t)n, head, head));
            }
        }
    }
    assert_int_equal(merkle_inclusion_proof(leaves[0], 3, 3, proof), -1);
    assert_int_equal(merkle_consistency_proof(leaves[0], 0, 3, proof), -1);
    assert_int_equal(merkle_consistency_proof(leaves[0], 4, 3, proof), -1);
}

/* ---- signed notes and checkpoints ---- */

static void make_key(struct note_key *k, unsigned char sk[64], const char *name)
{
    memset(k, 0, sizeof *k);
    snprintf(k->name, sizeof k->name, "%s", name);
    crypto_sign_keypair(k->pub, sk);
    note_key_set_id(k);
}

static void notes_and_checkpoints(void **state)
{
    (void)state;
    struct note_key k, other;
    unsigned char sk[64], sk2[64];
    make_key(&k, sk, "example.org/log");
    make_key(&other, sk2, "example.org/log");
    struct checkpoint c = {.size = 5};
    snprintf(c.origin, sizeof c.origin, "example.org/log");
    memset(c.root, 0xab, sizeof c.root);
    struct buf text = BUF_INIT, note = BUF_INIT, vkey = BUF_INIT;
    checkpoint_text(&c, &text);
    assert_string_equal(text.data,
                        "example.org/log\n5\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n");
    note_sign(text.data, text.len, k.name, sk, &note);
    struct err e = ERR_INIT;
    struct checkpoint got;
    assert_int_equal(checkpoint_open(note.data, note.len, &k, &got, &e), E_OK);
    assert_int_equal(got.size, 5);
    assert_memory_equal(got.root, c.root, sizeof c.root);
    /* another key of the same name does not verify it */
    assert_int_equal(checkpoint_open(note.data, note.len, &other, &got, &e), E_INVALID);
    /* every single-bit change is refused */
    for (size_t i = 0; i < note.len * 8; i++) {
        note.data[i / 8] ^= (char)(1 << (i % 8));
        if (checkpoint_open(note.data, note.len, &k, &got, &e) == E_OK) {
            fail_msg("bit %zu of the note (byte %zu) was not noticed", i, i / 8);
        }
        note.data[i / 8] ^= (char)(1 << (i % 8));
    }
    /* the verifier key string round-trips */
    note_vkey(&k, &vkey);
    struct note_key back;
    assert_int_equal(note_vkey_parse(vkey.data, vkey.len, &back, &e), E_OK);
    assert_string_equal(back.name, k.name);
    assert_memory_equal(back.pub, k.pub, sizeof k.pub);
    vkey.data[vkey.len - 3] ^= 1;
    assert_int_not_equal(note_vkey_parse(vkey.data, vkey.len, &back, &e), E_OK);
    buf_release(&text);
    buf_release(&note);
    buf_release(&vkey);
}

/* ---- evidence packages ---- */

static void make_package(struct evidence_pkg *p, struct note_key *k, unsigned char sk[64],
                         const char *content)
{
    evidence_pkg_init(p);
    make_key(k, sk, "refuge.test/log");
    buf_adds(&p->content, content);
    struct custody c = {.size = strlen(content)};
    snprintf(c.time, sizeof c.time, "2026-11-29T09:00:00Z");
    snprintf(c.source, sizeof c.source, "src-report");
    evidence_sha256_hex(content, strlen(content), c.sha256);
    evidence_blake2b_hex(content, strlen(content), c.blake2b);
    snprintf(c.media_type, sizeof c.media_type, "text/plain");
    snprintf(c.filename, sizeof c.filename, "report.txt");
    snprintf(c.added_by, sizeof c.added_by, "alice");
    struct err e = ERR_INIT;
    assert_int_equal(leaf_custody(&c, &p->leaf, &e), E_OK);
    /* a log of 6 leaves with the custody record at index 4 */
    merkle_hash leaves[6];
    for (int i = 0; i < 6; i++) {
        char d[8];
        snprintf(d, sizeof d, "leaf %d", i);
        merkle_leaf_hash(d, strlen(d), leaves[i]);
    }
    merkle_leaf_hash(p->leaf.data, p->leaf.len, leaves[4]);
    p->index = 4;
    p->n_proof = (size_t)merkle_inclusion_proof(leaves[0], 6, 4, p->proof);
    struct checkpoint cp = {.size = 6};
    snprintf(cp.origin, sizeof cp.origin, "%s", k->name);
    merkle_root(leaves[0], 6, cp.root);
    struct buf text = BUF_INIT;
    checkpoint_text(&cp, &text);
    note_sign(text.data, text.len, k->name, sk, &p->note);
    buf_release(&text);
    p->key = *k;
}

static void evidence_packages(void **state)
{
    (void)state;
    struct evidence_pkg p, q;
    struct note_key k;
    unsigned char sk[64];
    make_package(&p, &k, sk, "the original statement, as received\n");
    struct buf out = BUF_INIT;
    evidence_pkg_write(&p, &out);
    struct err e = ERR_INIT;
    assert_int_equal(evidence_pkg_parse(out.data, out.len, &q, &e), E_OK);
    struct custody c;
    assert_int_equal(evidence_pkg_verify(&q, &k, &c, NULL, &e), E_OK);
    assert_string_equal(c.filename, "report.txt");
    assert_int_equal(c.size, strlen("the original statement, as received\n"));
    evidence_pkg_release(&q);
    /* every single-bit change anywhere is refused by parse or verify */
    int rejected = 0, total = 0;
    for (size_t i = 0; i < out.len * 8; i++) {
        out.data[i / 8] ^= (char)(1 << (i % 8));
        enum app_err rc = evidence_pkg_parse(out.data, out.len, &q, &e);
        if (rc == E_OK) {
            rc = evidence_pkg_verify(&q, NULL, NULL, NULL, &e);
        }
        evidence_pkg_release(&q);
        total++;
        rejected += rc != E_OK;
        if (rc == E_OK) {
            fprintf(stderr, "bit %zu (byte %zu) of the package was not noticed\n", i, i / 8);
        }
        out.data[i / 8] ^= (char)(1 << (i % 8));
    }
    printf("RESULT name=evidence-package-bitflips flips=%d rejected=%d\n", total, rejected);
    assert_int_equal(rejected, total);
    /* truncation and appended bytes are refused */
    assert_int_not_equal(evidence_pkg_parse(out.data, out.len - 1, &q, &e), E_OK);
    evidence_pkg_release(&q);
    buf_addch(&out, '\n');
    assert_int_not_equal(evidence_pkg_parse(out.data, out.len, &q, &e), E_OK);
    evidence_pkg_release(&q);
    buf_release(&out);
    evidence_pkg_release(&p);
}

static void custody_leaves(void **state)
{
    (void)state;
    struct custody c = {.size = 3};
    snprintf(c.time, sizeof c.time, "2026-11-29T09:00:00Z");
    snprintf(c.source, sizeof c.source, "s1");
    memset(c.sha256, 'a', 64);
    memset(c.blake2b, 'b', 64);
    snprintf(c.media_type, sizeof c.media_type, "application/pdf");
    snprintf(c.filename, sizeof c.filename, "a\nb");
    snprintf(c.added_by, sizeof c.added_by, "alice");
    struct buf b = BUF_INIT;
    struct err e = ERR_INIT;
    /* a newline in a value would forge a line */
    assert_int_equal(leaf_custody(&c, &b, &e), E_INVALID);
    snprintf(c.filename, sizeof c.filename, "Заявление.pdf");
    buf_reset(&b);
    assert_int_equal(leaf_custody(&c, &b, &e), E_OK);
    struct custody back;
    assert_int_equal(leaf_custody_parse(b.data, b.len, &back, &e), E_OK);
    assert_string_equal(back.filename, "Заявление.pdf");
    assert_int_equal(back.size, 3);
    assert_false(leaf_value_ok("\xc0\x80", 2)); /* overlong */
    assert_false(leaf_value_ok("\xc2\x85", 2)); /* C1 control */
    buf_release(&b);
}

int main(void)
{
    if (sodium_init() < 0) {
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conformance_vectors), cmocka_unit_test(reference_heads),
        cmocka_unit_test(generated_proofs),    cmocka_unit_test(notes_and_checkpoints),
        cmocka_unit_test(evidence_packages),   cmocka_unit_test(custody_leaves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
