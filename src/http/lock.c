/*
 * lock.c: the lock of the server's key (see lock.h).
 *
 * States: OPEN (readers and writer running, key in memory), LOCKED (neither
 * running, key zeroed) and two passages between them during which requests
 * are already, or still, answered 423. Every passage holds `mu`, so a lock
 * and an unlock never overlap; `state` is read without it.
 */
#define _GNU_SOURCE /* malloc_trim */
#include "http/lock.h"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "http/readers.h"
#include "http/writer.h"
#include "service/auth.h"
#include "store/keyring.h"
#include "store/store.h"

enum state { S_OPEN, S_LOCKING, S_LOCKED, S_UNLOCKING };

static struct {
    pthread_mutex_t mu;  /* held through every passage between states */
    pthread_mutex_t try; /* one unlock attempt at a time */
    struct lock_config cfg;
    _Atomic int state;
    _Atomic long long last_use;            /* CLOCK_MONOTONIC seconds */
    long long failures[LOCK_FAILURES_MAX]; /* times of recent wrong passphrases (ring) */
    unsigned n_failures;
    pthread_mutex_t why_mu; /* guards why */
    char why[96];           /* the reason given with the last lock_request() */
} lk = {
    .mu = PTHREAD_MUTEX_INITIALIZER,
    .try = PTHREAD_MUTEX_INITIALIZER,
    .why_mu = PTHREAD_MUTEX_INITIALIZER,
    .state = S_OPEN,
};

static long long now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec;
}

__attribute__((noinline)) void lock_scrub_stack(void)
{
    /* 256 KiB: deeper than any path through SQLite and the encrypting
     * layer; far below the 8 MiB of a thread's stack. sodium_memzero is a
     * call the compiler cannot drop. */
    unsigned char area[256 * 1024];
    sodium_memzero(area, sizeof area);
    __asm__ __volatile__("" : : "r"(area) : "memory");
}

/* Starts the readers and the writer (mu held, or before any thread runs). */
static enum app_err open_store(struct err *e)
{
    if (readers_start(lk.cfg.db_path, lk.cfg.key, lk.cfg.threads, e) != E_OK) {
        return e->code;
    }
    if (writer_start(lk.cfg.db_path, lk.cfg.key, e) != E_OK) {
        readers_stop();
        return e->code;
    }
    return E_OK;
}

enum app_err lock_start(const struct lock_config *cfg, struct err *e)
{
    lk.cfg = *cfg;
    if (!lk.cfg.key) {
        lk.cfg.idle_seconds = 0;
    }
    atomic_store(&lk.last_use, now_seconds());
    atomic_store(&lk.state, S_OPEN);
    return open_store(e);
}

bool lock_locked(void)
{
    return atomic_load(&lk.state) != S_OPEN;
}

bool lock_available(void)
{
    return lk.cfg.key != NULL;
}

void lock_touch(void)
{
    atomic_store(&lk.last_use, now_seconds());
}

bool lock_idle_due(void)
{
    return lk.cfg.idle_seconds && atomic_load(&lk.state) == S_OPEN &&
           now_seconds() - atomic_load(&lk.last_use) >= (long long)lk.cfg.idle_seconds;
}

/* ---- the audit entries of a lock and an unlock, run by the writer ---- */

struct audit_job {
    const char *action;
    const char *detail;
};

static void write_audit(struct req *r, struct resp *w)
{
    const struct audit_job *job = r->transport;
    struct err e = ERR_INIT;
    if (audit_record(r->store, NULL, r->client, job->action, NULL, NULL, job->detail, &e) != E_OK) {
        fprintf(stderr, "refuge: cannot record %s in the audit trail: %s\n", job->action, e.msg);
        w->status = 503;
    }
}

/* Records action in the audit trail through the writer (which must run). */
static void audit(const char *action, const char *address, const char *detail)
{
    struct audit_job job = {action, detail};
    struct arena a = ARENA_INIT;
    struct req r = {.method = "POST",
                    .path = "",
                    .arena = &a,
                    .client = address ? address : "server",
                    .transport = &job};
    struct resp w = {.status = 200, .body = BUF_INIT};
    if (!writer_run(write_audit, &r, &w)) {
        fprintf(stderr, "refuge: the writer is not running: %s not audited\n", action);
    }
    buf_release(&w.body);
    arena_release(&a);
}

/* ---- locking ---- */

void lock_engage(const char *why)
{
    if (!lk.cfg.key) {
        return;
    }
    char reason[sizeof lk.why];
    pthread_mutex_lock(&lk.why_mu);
    snprintf(reason, sizeof reason, "%s", why ? why : lk.why[0] ? lk.why : "signal");
    lk.why[0] = '\0';
    pthread_mutex_unlock(&lk.why_mu);
    why = reason;
    pthread_mutex_lock(&lk.mu);
    if (atomic_load(&lk.state) != S_OPEN) {
        pthread_mutex_unlock(&lk.mu);
        return;
    }
    /* From here every new request that needs the store gets 423; what is
     * queued already runs to its end. */
    atomic_store(&lk.state, S_LOCKING);
    audit("store.lock", NULL, why);
    readers_stop();
    writer_stop(); /* every connection closed: the per-file copies of the key are freed, zeroed */
    sodium_memzero(lk.cfg.key, sizeof *lk.cfg.key);
    lock_scrub_stack();
    malloc_trim(0); /* free heap pages back to the system: they read as zeros from now on */
    atomic_store(&lk.state, S_LOCKED);
    pthread_mutex_unlock(&lk.mu);
    fprintf(stderr,
            "refuge: locked (%s): the key is erased from memory; a passphrase of the "
            "keyring unlocks it (POST /api/unlock, or the web interface)\n",
            why);
}

bool lock_request(const char *why)
{
    if (!lk.cfg.key) {
        return false;
    }
    pthread_mutex_lock(&lk.why_mu);
    snprintf(lk.why, sizeof lk.why, "%s", why ? why : "");
    pthread_mutex_unlock(&lk.why_mu);
    return kill(getpid(), SIGUSR1) == 0;
}

/* Wrong passphrases within the window (try held). */
static unsigned recent_failures(long long now, long long *oldest)
{
    unsigned n = 0;
    *oldest = now;
    for (unsigned i = 0; i < LOCK_FAILURES_MAX && i < lk.n_failures; i++) {
        if (now - lk.failures[i] < LOCK_FAILURE_WINDOW) {
            n++;
            *oldest = lk.failures[i] < *oldest ? lk.failures[i] : *oldest;
        }
    }
    return n;
}

enum app_err lock_release(const char *pass, size_t pass_len, const char *address,
                          unsigned *retry_after, struct err *e)
{
    *retry_after = 0;
    if (!lk.cfg.key) {
        return err_set(e, E_CONFLICT, "this database is not encrypted: it has no key to lock");
    }
    if (atomic_load(&lk.state) == S_OPEN) {
        return err_set(e, E_CONFLICT, "the store is not locked");
    }
    /* One attempt at a time: each costs a second and the KDF's memory. */
    if (pthread_mutex_trylock(&lk.try) != 0) {
        *retry_after = 2;
        return err_set(e, E_RATE_LIMITED, "another unlock attempt is running; try again");
    }
    long long now = now_seconds();
    long long oldest;
    if (recent_failures(now, &oldest) >= LOCK_FAILURES_MAX) {
        pthread_mutex_unlock(&lk.try);
        *retry_after = (unsigned)(LOCK_FAILURE_WINDOW - (now - oldest));
        return err_set(e, E_RATE_LIMITED, "too many wrong passphrases; try again in %u seconds",
                       *retry_after);
    }
    pthread_mutex_lock(&lk.mu);
    enum app_err rc = E_OK;
    if (atomic_load(&lk.state) != S_LOCKED) {
        rc = err_set(e, E_CONFLICT, "the store is not locked");
    } else {
        atomic_store(&lk.state, S_UNLOCKING);
        rc = keyring_unlock(lk.cfg.db_path, pass, pass_len, lk.cfg.key, e);
        if (rc == E_OK) {
            rc = open_store(e);
            if (rc != E_OK) {
                sodium_memzero(lk.cfg.key, sizeof *lk.cfg.key);
            }
        }
        lock_scrub_stack();
        if (rc == E_OK) {
            char detail[64];
            snprintf(detail, sizeof detail, "%u wrong passphrase(s) before",
                     recent_failures(now, &oldest));
            audit("store.unlock", address, detail);
            lk.n_failures = 0;
            lock_touch();
            atomic_store(&lk.state, S_OPEN);
        } else {
            if (rc == E_AUTH) {
                lk.failures[lk.n_failures++ % LOCK_FAILURES_MAX] = now;
            }
            sodium_memzero(lk.cfg.key, sizeof *lk.cfg.key);
            atomic_store(&lk.state, S_LOCKED);
        }
    }
    pthread_mutex_unlock(&lk.mu);
    pthread_mutex_unlock(&lk.try);
    if (rc == E_OK) {
        fprintf(stderr, "refuge: unlocked from %s\n", address ? address : "unknown");
    } else if (rc == E_AUTH) {
        fprintf(stderr, "refuge: a wrong passphrase from %s did not unlock the store\n",
                address ? address : "unknown");
    }
    return rc;
}

void lock_stop(void)
{
    pthread_mutex_lock(&lk.mu);
    readers_stop();
    writer_stop();
    pthread_mutex_unlock(&lk.mu);
}
