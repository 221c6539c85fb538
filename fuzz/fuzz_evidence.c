/*
 * fuzz_evidence.c: libFuzzer target for the evidence package parser and
 * verifier, the signed-note and checkpoint parser, the verifier-key parser
 * and the custody-leaf parser (src/proof). The input is tried as each of
 * them; whatever parses is written back and must give the same bytes, and
 * a package that parses is verified in full.
 *
 * Coverage files: src/proof/evidence.c src/proof/note.c src/proof/merkle.c
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "proof/evidence.h"
#include "proof/merkle.h"
#include "proof/note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct err e = ERR_INIT;

    struct evidence_pkg p;
    if (evidence_pkg_parse(text, size, &p, &e) == E_OK) {
        struct buf again = BUF_INIT;
        evidence_pkg_write(&p, &again);
        if (again.len != size || memcmp(again.data, data, size) != 0) {
            abort(); /* parsing accepted a non-canonical package */
        }
        buf_release(&again);
        struct custody c;
        struct checkpoint cp;
        (void)evidence_pkg_verify(&p, NULL, &c, &cp, &e);
    }
    evidence_pkg_release(&p);

    struct note_key k;
    if (note_vkey_parse(text, size, &k, &e) == E_OK) {
        struct buf v = BUF_INIT;
        note_vkey(&k, &v);
        if (v.len != size || memcmp(v.data, data, size) != 0) {
            abort();
        }
        buf_release(&v);
    }

    struct checkpoint cp;
    if (checkpoint_parse(text, size, &cp, &e) == E_OK) {
        struct buf t = BUF_INIT;
        checkpoint_text(&cp, &t);
        if (t.len != size || memcmp(t.data, data, size) != 0) {
            abort();
        }
        buf_release(&t);
    }
    /* a note under a fixed key: exercises the signature-line parser */
    struct note_key fixed = {.name = "refuge.local/fuzz"};
    memset(fixed.pub, 0x42, sizeof fixed.pub);
    note_key_set_id(&fixed);
    (void)checkpoint_open(text, size, &fixed, &cp, &e);

    struct custody c;
    (void)leaf_custody_parse(text, size, &c, &e);

    /* the proof verifiers on hashes taken from the input */
    if (size >= 16 + 2 * MERKLE_HASH_BYTES) {
        uint64_t a, b;
        memcpy(&a, data, 8);
        memcpy(&b, data + 8, 8);
        const uint8_t *rest = data + 16;
        size_t n = (size - 16 - 2 * MERKLE_HASH_BYTES) / MERKLE_HASH_BYTES;
        if (n > MERKLE_MAX_PROOF) {
            n = MERKLE_MAX_PROOF;
        }
        const uint8_t *proof = rest + 2 * MERKLE_HASH_BYTES;
        (void)merkle_verify_inclusion(a % 4096, b % 4096, rest, proof, n, rest + 32);
        (void)merkle_verify_consistency(a, b, proof, n, rest, rest + 32);
        (void)merkle_verify_subtree_inclusion(a % 97, a % 64, b, rest, proof, n, rest + 32);
        (void)merkle_verify_subtree_consistency(a % 64, b % 4096, b, proof, n, rest, rest + 32);
    }
    return 0;
}
