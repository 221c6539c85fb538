/*
 * evidence.h: the leaves of refuge's tamper-evident log, and the evidence
 * package: one file that carries an evidence file with everything needed to
 * check it offline (docs/evidence.md).
 *
 * Every leaf is line-oriented UTF-8 text that starts "refuge-log/1", then
 * "kind audit" or "kind custody" and "time <ISO 8601 UTC>":
 *
 *   audit:   audit-seq <n>, audit-hash <hex of the audit entry's hash>
 *   custody: source, sha256, blake2b, size, media-type, filename, added-by
 *
 * one "<key> <value>" line each, in that order. Values are 1..255 bytes
 * with no control characters.
 *
 * The package is text lines: "refuge-evidence/1", "leaf-index <n>", one
 * "proof <base64 hash>" per proof hash (lowest first), "key <verifier key>",
 * "leaf <base64 leaf>", "checkpoint <base64 signed note>", "content
 * <base64 file>", "end". Parsing is strict: the bytes must be exactly what
 * evidence_pkg_write() gives for the parsed values.
 */
#ifndef REFUGE_PROOF_EVIDENCE_H
#define REFUGE_PROOF_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/compat.h"
#include "core/err.h"
#include "proof/merkle.h"
#include "proof/note.h"

enum {
    LEAF_VALUE_MAX = 255,
    LEAF_MAX_BYTES = 4096,
    EVIDENCE_HEX = 64,
};

/* The largest evidence file refuge stores (256 MiB). */
#define EVIDENCE_MAX_BYTES ((size_t)256 << 20)
/* The largest package: the base64 file plus the rest. */
#define EVIDENCE_PKG_MAX_BYTES (EVIDENCE_MAX_BYTES / 3 * 4 + 65536)

struct custody {
    char time[LEAF_VALUE_MAX + 1];
    char source[LEAF_VALUE_MAX + 1];
    char sha256[EVIDENCE_HEX + 1]; /* lower-case hex */
    char blake2b[EVIDENCE_HEX + 1];
    uint64_t size;
    char media_type[LEAF_VALUE_MAX + 1];
    char filename[LEAF_VALUE_MAX + 1];
    char added_by[LEAF_VALUE_MAX + 1];
};

/* True for a leaf value: 1..LEAF_VALUE_MAX bytes of valid UTF-8 with no
 * control characters. */
bool leaf_value_ok(const char *v, size_t len);
/* Appends an audit leaf. */
void leaf_audit(const char *time, int64_t seq, const unsigned char hash[32], struct buf *out);
/* Appends a custody leaf; E_INVALID when a value is not a leaf value. */
ATTR_NODISCARD enum app_err leaf_custody(const struct custody *c, struct buf *out, struct err *e);
/* Parses a custody leaf strictly. */
ATTR_NODISCARD enum app_err leaf_custody_parse(const char *s, size_t len, struct custody *out,
                                               struct err *e);

struct evidence_pkg {
    uint64_t index; /* the custody leaf's index in the log */
    size_t n_proof;
    merkle_hash proof[MERKLE_MAX_PROOF];
    struct note_key key;
    struct buf leaf;
    struct buf note; /* the signed checkpoint */
    struct buf content;
};

void evidence_pkg_init(struct evidence_pkg *p);
void evidence_pkg_release(struct evidence_pkg *p);
void evidence_pkg_write(const struct evidence_pkg *p, struct buf *out);
/* Parses a package (out is initialised here; release it in every case). */
ATTR_NODISCARD enum app_err evidence_pkg_parse(const char *data, size_t len,
                                               struct evidence_pkg *out, struct err *e);
/* Checks everything a package claims: the checkpoint's signature by the
 * package's key (and that key is `pinned` when given), the leaf is a
 * custody record, the content has the recorded size, SHA-256 and BLAKE2b,
 * and the inclusion proof leads from the leaf to the checkpoint's root.
 * Fills *c and *cp (may be NULL). E_INVALID with the first failure. */
ATTR_NODISCARD enum app_err evidence_pkg_verify(const struct evidence_pkg *p,
                                                const struct note_key *pinned, struct custody *c,
                                                struct checkpoint *cp, struct err *e);

/* Hex digests of bytes, as custody records write them. */
void evidence_sha256_hex(const void *data, size_t len, char out[EVIDENCE_HEX + 1]);
void evidence_blake2b_hex(const void *data, size_t len, char out[EVIDENCE_HEX + 1]);

#endif
