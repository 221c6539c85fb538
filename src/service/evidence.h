/*
 * evidence.h: evidence files and their chain of custody, the tamper-evident
 * log (an RFC 9162 Merkle tree over every audit entry and custody record)
 * and its Ed25519-signed checkpoints (docs/evidence.md).
 *
 * Attaching hashes the bytes as received (SHA-256 and BLAKE2b), stores them
 * content-addressed, writes a custody record, its leaf and an audit entry
 * in one transaction. Every audit entry (auth.c: audit_record) appends its
 * own leaf in its transaction through ledger_append_audit().
 *
 * The signing key is made on first need and kept in the database, so it is
 * as safe as the database file; a checkpoint exported and kept elsewhere is
 * what detects a database rolled back or rewritten as a whole.
 */
#ifndef REFUGE_SERVICE_EVIDENCE_H
#define REFUGE_SERVICE_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/compat.h"
#include "core/err.h"
#include "proof/evidence.h"
#include "proof/note.h"
#include "service/auth.h"
#include "store/store.h"

/* Appends the leaf of an audit entry; call inside the entry's transaction. */
ATTR_NODISCARD enum app_err ledger_append_audit(struct store *s, const char *time, int64_t seq,
                                                const unsigned char hash[32], struct err *e);

struct evidence_info {
    int64_t id;         /* the custody record */
    int64_t leaf_index; /* its leaf in the log */
    struct custody c;   /* what the leaf says */
};

/* Attaches a file to a source. filename is the file's name as the user
 * knows it (control characters become '?', cut to 255 bytes; NULL or empty
 * gives "file"); media_type NULL gives "application/octet-stream". Audited
 * ("evidence.attach"). E_NOT_FOUND without the source, E_TOO_LARGE above
 * EVIDENCE_MAX_BYTES, E_CONFLICT when the source has this file already,
 * E_INVALID for a bad media type. */
ATTR_NODISCARD enum app_err evidence_attach(struct store *s, const struct principal *p,
                                            const char *source_id, const char *filename,
                                            const char *media_type, const void *data, size_t len,
                                            struct evidence_info *out, struct err *e);

/* The original bytes of a source's file (sha256_hex NULL: the newest one),
 * checked against the custody record on the way out: E_CONFLICT when the
 * stored bytes no longer have the recorded hashes. Audited
 * ("evidence.extract"). */
ATTR_NODISCARD enum app_err evidence_extract(struct store *s, const struct principal *p,
                                             const char *source_id, const char *sha256_hex,
                                             struct buf *content, struct evidence_info *out,
                                             struct err *e);

/* Lists the custody records of a source (NULL: every source). */
typedef enum app_err (*evidence_fn)(void *ctx, const struct evidence_info *i);
ATTR_NODISCARD enum app_err evidence_each(struct store *s, const char *source_id, evidence_fn fn,
                                          void *ctx, struct err *e);

/* The evidence package of a source's file (see proof/evidence.h), with a
 * fresh signed checkpoint. Audited ("evidence.export"). */
ATTR_NODISCARD enum app_err evidence_export(struct store *s, const struct principal *p,
                                            const char *source_id, const char *sha256_hex,
                                            struct buf *package, struct evidence_info *out,
                                            struct err *e);

/* Signs a checkpoint of the whole log now (making the key on first need)
 * and stores it; when the log has not grown since the last checkpoint, that
 * one is returned instead. note receives the signed note. */
ATTR_NODISCARD enum app_err ledger_checkpoint(struct store *s, struct buf *note,
                                              struct checkpoint *cp, struct err *e);

/* The database's public key. E_NOT_FOUND when none was made yet. */
ATTR_NODISCARD enum app_err ledger_public_key(struct store *s, struct note_key *out, struct err *e);

struct ledger_report {
    int64_t leaves;
    int64_t audit_entries;
    int64_t custody_records;
    int64_t checkpoints;   /* stored ones checked */
    int64_t exported_size; /* the exported checkpoint's tree size, or -1 */
    int problems;
    struct buf text; /* one line per problem */
};

void ledger_report_init(struct ledger_report *r);
void ledger_report_release(struct ledger_report *r);

/* Recomputes everything: the audit chain, every leaf against the entry or
 * custody record it stands for, every evidence file's hashes, every stored
 * checkpoint (signature, root, growing sizes, a consistency proof between
 * each and the next), and, when `exported` is given, a checkpoint kept
 * elsewhere (rolled-back or rewritten logs). Returns E_OK when it could
 * check; r->problems is then 0 when all is intact. */
ATTR_NODISCARD enum app_err ledger_verify(struct store *s, const char *exported,
                                          size_t exported_len, struct ledger_report *r,
                                          struct err *e);

#endif
