/*
 * lock.h: the server's lock of an encrypted store's key.
 *
 * While open, the readers (readers.c) and the writer (writer.c) hold
 * connections to the store, and the store's data key is in memory. Locking
 * (after an idle time-out, on SIGUSR1, or when a signed-in user asks) lets
 * the queued requests finish, records the lock in the audit trail, stops
 * the readers and the writer (which closes every connection, so every
 * per-file copy of the key is zeroed and freed), zeroes the key itself,
 * scrubs the stacks of the threads that used it and returns free heap
 * memory to the system. While locked, requests that need the store are
 * answered 423 (E_LOCKED); routes flagged R_LOCKED_OK still answer. A
 * passphrase of any entry of the store's keyring unlocks it again: the key
 * is unwrapped from the keyring (Argon2id, about a second), the readers
 * and the writer start again, and the unlock is audited. Sessions survive
 * a lock (they live in the store) unless their own idle time ran out.
 *
 * A plaintext store has no key: it never locks.
 */
#ifndef REFUGE_HTTP_LOCK_H
#define REFUGE_HTTP_LOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/compat.h"
#include "core/err.h"

struct store_secret;

struct lock_config {
    const char *db_path;
    struct store_secret *key; /* NULL: a plaintext store (never locks) */
    unsigned threads;         /* reader threads */
    unsigned idle_seconds;    /* lock after this long without a request (0: never) */
};

/* Opens the store: starts the readers and the writer. */
ATTR_NODISCARD enum app_err lock_start(const struct lock_config *cfg, struct err *e);

/* True while the key is locked (or being locked or unlocked). */
bool lock_locked(void);

/* True for an encrypted store (one that can lock). */
bool lock_available(void);

/* A request that counts as use arrived: the idle clock starts again. */
void lock_touch(void);

/* True when the store is open and has been idle for the configured time. */
bool lock_idle_due(void);

/* Locks now (see above); nothing if already locked or plaintext. On the
 * thread that started the server, never on a reader, the writer or a
 * connection thread (it waits for them). why goes to the log and the audit
 * trail; NULL: the reason lock_request() was given, else "signal". */
void lock_engage(const char *why);

/* Asks the server's main thread to lock (a SIGUSR1 to the process), for
 * the reason why ("asked by NAME"). False for a plaintext store. */
bool lock_request(const char *why);

/* Unlocks with a passphrase (or the recovery code) of the keyring.
 * E_CONFLICT when not locked; E_AUTH for a wrong passphrase; E_RATE_LIMITED
 * while another attempt runs, or after LOCK_FAILURES_MAX wrong ones within
 * LOCK_FAILURE_WINDOW seconds (*retry_after set); E_STORAGE when the store
 * cannot be opened again (it stays locked). address is the client's, for
 * the audit trail. */
enum { LOCK_FAILURES_MAX = 5, LOCK_FAILURE_WINDOW = 900 };
ATTR_NODISCARD enum app_err lock_release(const char *pass, size_t pass_len, const char *address,
                                         unsigned *retry_after, struct err *e);

/* The server is stopping: stops the readers and the writer if they run. */
void lock_stop(void);

/* Overwrites the part of the calling thread's stack below the caller's
 * frame (where the deeper calls that used the key left their locals). */
void lock_scrub_stack(void);

#endif
