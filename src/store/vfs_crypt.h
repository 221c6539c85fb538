/*
 * vfs_crypt.h: the encrypting SQLite VFS (see docs/security.md and
 * vfs_crypt.c). Internal to the store, and used directly by the storage
 * trials (tests/trial), which layer it over a crash-simulating VFS.
 */
#ifndef REFUGE_STORE_VFS_CRYPT_H
#define REFUGE_STORE_VFS_CRYPT_H

#include <stdint.h>

enum {
    CRYPT_PAGE = 4096,  /* the only page size an encrypted store has */
    CRYPT_RESERVE = 40, /* nonce (24) + tag (16) at the end of each page */
    CRYPT_KEY_BYTES = 32,
    CRYPT_FILE_ID_BYTES = 16,
};

/* Registers an encrypting VFS called name over the VFS base (NULL = the
 * default VFS). Idempotent per name. Returns an SQLite result code. */
int crypt_vfs_register(const char *name, const char *base);

/* The key (32 bytes) and file id (16 bytes) the next main-database open on
 * this thread uses; NULL clears it. The VFS copies both into locked memory
 * at open; a main database opened through the VFS without a key is refused. */
void crypt_vfs_pending_key(const unsigned char *key, const unsigned char *file_id);

/* Process-wide counters (monotonic). */
struct crypt_counters {
    uint64_t pages_encrypted;
    uint64_t pages_decrypted;
    uint64_t mac_fail_db;      /* database pages that failed authentication */
    uint64_t mac_fail_wal;     /* WAL frames read as zeros */
    uint64_t mac_fail_journal; /* journal pages read as zeros */
    uint64_t header_synth;     /* page-1 header probes synthesised */
    uint64_t temp_refused;     /* temporary-file opens refused */
    uint64_t plain_refused;    /* page-1 writes refused (reserve not 40) */
};

void crypt_vfs_counters(struct crypt_counters *out);

#endif
