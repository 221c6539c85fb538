/*
 * keyring.h: the keys of an encrypted store, in the file "<db>.keys" beside
 * the database (format: docs/security.md).
 *
 * Each store has a random 256-bit data key (DEK) and a random 128-bit file
 * id. The keyring holds the file id and the DEK wrapped once per entry:
 * XChaCha20-Poly1305 under a key derived from the entry's passphrase with
 * Argon2id (per-entry salt and cost, recorded in the entry), with additional
 * data "dek-v1" || file id || entry name || algorithm and cost. `init` makes
 * an entry "owner" for the passphrase and one "recovery" for a recovery code
 * shown once. Every rewrite is atomic: a temporary file, fsync, rename,
 * fsync of the directory.
 */
#ifndef REFUGE_STORE_KEYRING_H
#define REFUGE_STORE_KEYRING_H

#include <stdbool.h>
#include <stddef.h>

#include "core/compat.h"
#include "core/err.h"
#include "store/store.h"

/* Argon2id cost: passes and memory in bytes. */
struct kdf_cost {
    unsigned long long ops;
    size_t mem;
};

enum {
    KDF_MIN_MIB = 8, /* the floor for explicit costs (tests, scripts) */
    KDF_MIN_OPS = 1,
    KEYRING_RECOVERY_LEN = 39, /* XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX: 160 bits */
    KEYRING_PASS_MAX = 1024,
};

/* The default cost: at least 256 MiB where the machine has 2 GiB or more
 * (else libsodium's INTERACTIVE 64 MiB), passes calibrated so that one
 * derivation takes about a second, never fewer than INTERACTIVE's. */
void kdf_cost_default(struct kdf_cost *out);
/* Parses "MiB,OPS" (e.g. "8,1"); E_USAGE below the floor or malformed. */
ATTR_NODISCARD enum app_err kdf_cost_parse(const char *s, struct kdf_cost *out, struct err *e);

/* "<db>.keys" into out (size n); false when it does not fit. */
bool keyring_path(const char *db_path, char *out, size_t n);
/* True when the database has a keyring file. */
bool keyring_present(const char *db_path);

/* Makes a new key (random DEK and file id) into key, and writes a new
 * keyring for db_path with an "owner" entry for pass and a "recovery" entry
 * for a new recovery code, written into recovery (KEYRING_RECOVERY_LEN + 1
 * bytes). keys_path (NULL = the database's) is where the keyring goes; an
 * existing file there is replaced atomically. */
ATTR_NODISCARD enum app_err keyring_create(const char *db_path, const char *keys_path,
                                           const char *pass, size_t pass_len,
                                           const struct kdf_cost *cost, struct store_secret *key,
                                           char *recovery, struct err *e);
/* Unwraps the key with pass (a passphrase or the recovery code). E_AUTH
 * when no entry accepts it; E_STORAGE/E_INVALID for a missing or damaged
 * keyring. *entry (may be NULL) receives the index of the entry used. */
ATTR_NODISCARD enum app_err keyring_unlock(const char *db_path, const char *pass, size_t pass_len,
                                           struct store_secret *key, struct err *e);
/* Replaces the passphrase of the entry that old unlocks (the owner entry
 * when old is the recovery code) with new_pass, atomically. */
ATTR_NODISCARD enum app_err keyring_change(const char *db_path, const char *old, size_t old_len,
                                           const char *new_pass, size_t new_len,
                                           const struct kdf_cost *cost, struct err *e);
/* Crypto-shredding: overwrites the keyring file with random bytes, syncs
 * it and removes it (with any leftover temporary keyring). */
ATTR_NODISCARD enum app_err keyring_destroy(const char *keys_path, struct err *e);
/* Copies the keyring of db_path to keys_path (atomically, synced). */
ATTR_NODISCARD enum app_err keyring_copy(const char *db_path, const char *keys_path, struct err *e);

/* Process hardening for a program that holds keys: no core dumps, not
 * dumpable (no ptrace by other users' processes, no /proc/PID/mem). */
void keyring_harden_process(void);

#endif
