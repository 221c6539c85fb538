/*
 * note.h: C2SP signed notes with Ed25519 signatures, and C2SP checkpoints
 * (https://c2sp.org/signed-note, https://c2sp.org/tlog-checkpoint).
 *
 * A signed note is its text (ending in a newline), a blank line, and
 * signature lines "— <key name> <base64(key id || signature)>". For Ed25519
 * the key id is the first 4 bytes of SHA-256(name || 0x0A || 0x01 ||
 * public key) and the signature covers the text. A verifier key is written
 * "<name>+<key id in hex>+<base64(0x01 || public key)>".
 *
 * A checkpoint is a note whose text is the origin line, the tree size in
 * decimal and the base64 tree head, each ending in a newline. refuge writes
 * no extension lines and refuses checkpoints that have them.
 */
#ifndef REFUGE_PROOF_NOTE_H
#define REFUGE_PROOF_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/compat.h"
#include "core/err.h"
#include "proof/merkle.h"

enum {
    NOTE_NAME_MAX = 128,
    NOTE_KEY_ID_BYTES = 4,
    NOTE_PUBLIC_BYTES = 32,
    NOTE_SECRET_BYTES = 64,
    NOTE_SIG_BYTES = 64,
    NOTE_MAX_BYTES = 4096, /* a note longer than this is refused */
};

struct note_key {
    char name[NOTE_NAME_MAX + 1];
    unsigned char pub[NOTE_PUBLIC_BYTES];
    unsigned char id[NOTE_KEY_ID_BYTES];
};

/* A key name: 1..NOTE_NAME_MAX printable ASCII characters, no space or '+'. */
bool note_name_valid(const char *name, size_t len);
/* Fills k->id from k->name and k->pub. */
void note_key_set_id(struct note_key *k);
/* Appends the verifier key string (no newline). */
void note_vkey(const struct note_key *k, struct buf *out);
/* Parses a verifier key string (exactly, nothing around it). */
ATTR_NODISCARD enum app_err note_vkey_parse(const char *s, size_t len, struct note_key *out,
                                            struct err *e);

/* Appends the signed note: text (which must end in a newline), a blank
 * line and one signature line by (name, secret key). */
void note_sign(const char *text, size_t len, const char *name,
               const unsigned char sk[NOTE_SECRET_BYTES], struct buf *out);
/* Checks a note has exactly one signature, made by key k over its text,
 * and is well-formed; *text_len receives the length of the text (which
 * starts the note). E_INVALID with the reason otherwise. */
ATTR_NODISCARD enum app_err note_verify(const char *note, size_t len, const struct note_key *k,
                                        size_t *text_len, struct err *e);

struct checkpoint {
    char origin[NOTE_NAME_MAX + 1];
    uint64_t size;
    merkle_hash root;
};

/* Appends the checkpoint text. */
void checkpoint_text(const struct checkpoint *c, struct buf *out);
/* Parses checkpoint text (as note_verify() delimits it), strictly. */
ATTR_NODISCARD enum app_err checkpoint_parse(const char *text, size_t len, struct checkpoint *out,
                                             struct err *e);
/* note_verify() then checkpoint_parse(); also checks the origin is the
 * key's name. */
ATTR_NODISCARD enum app_err checkpoint_open(const char *note, size_t len, const struct note_key *k,
                                            struct checkpoint *out, struct err *e);

/* Strict base64 (standard alphabet, padded, canonical) of exactly
 * `want` bytes; false otherwise. */
bool note_b64_exact(const char *s, size_t len, unsigned char *out, size_t want);
/* True when s has only base64 characters ('=' only in the last two). */
bool note_b64_chars_ok(const char *s, size_t len);

#endif
