/*
 * readers.c: the reader threads (see readers.h): a queue of jobs, taken in
 * arrival order by whichever reader is free.
 */
#define _GNU_SOURCE /* syscall(SYS_gettid): per-thread priority on Linux */
#include "http/readers.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <sys/resource.h>
#include <sys/syscall.h>

#include "core/xalloc.h"
#include "http/lock.h"

struct job {
    request_fn fn;
    struct req *r;
    struct resp *w;
    bool done;
    pthread_cond_t cv;          /* signalled when done (readers_run) */
    void (*on_done)(void *ctx); /* or called, and the job freed (readers_submit) */
    void *ctx;
    struct job *next;
};

struct reader {
    pthread_t thread;
    bool started;
    struct store *store;
};

static struct {
    pthread_mutex_t mu;
    pthread_cond_t work;
    struct job *head;
    struct job **tail;
    bool running;
    bool stopping;
    struct reader *readers;
    unsigned n;
    const char *path;
    const struct store_secret *key;
} rq = {
    .mu = PTHREAD_MUTEX_INITIALIZER,
    .work = PTHREAD_COND_INITIALIZER,
    .tail = &rq.head,
};

/* Replaces a reader's connection after it ran out of memory (store.h:
 * store_out_of_memory()), or after an earlier reopen failed. */
static bool reader_connection(struct reader *me)
{
    if (me->store && !store_out_of_memory(me->store)) {
        return true;
    }
    store_close(me->store);
    me->store = NULL;
    struct err e = ERR_INIT;
    if (store_open_key(rq.path, STORE_MUST_EXIST, rq.key, &me->store, &e) != E_OK) {
        me->store = NULL;
        return false;
    }
    return true;
}

static void *reader_main(void *arg)
{
    struct reader *me = arg;
    /* On Linux a thread's nice value is its own. Lowering it needs no
     * privilege; if it fails, reads merely compete with writes as equals. */
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), READER_NICE) != 0) {
        /* keep the default priority */
    }
    pthread_mutex_lock(&rq.mu);
    for (;;) {
        while (!rq.head && !rq.stopping) {
            pthread_cond_wait(&rq.work, &rq.mu);
        }
        struct job *j = rq.head;
        if (!j) {
            break;
        }
        rq.head = j->next;
        if (!rq.head) {
            rq.tail = &rq.head;
        }
        pthread_mutex_unlock(&rq.mu);
        if (reader_connection(me)) {
            j->r->store = me->store;
            j->fn(j->r, j->w);
        } else {
            resp_error(j->w, E_STORAGE, "the database is not available", NULL);
        }
        if (j->on_done) {
            j->on_done(j->ctx);
            free(j);
            pthread_mutex_lock(&rq.mu);
            continue;
        }
        pthread_mutex_lock(&rq.mu);
        j->done = true;
        pthread_cond_signal(&j->cv);
    }
    pthread_mutex_unlock(&rq.mu);
    lock_scrub_stack(); /* the key passed through this stack; its memory may be reused */
    return NULL;
}

enum app_err readers_start(const char *path, const struct store_secret *key, unsigned n,
                           struct err *e)
{
    if (rq.running || n == 0) {
        return err_set(e, E_INTERNAL, "cannot start %u readers", n);
    }
    rq.readers = xcalloc(n, sizeof *rq.readers);
    rq.n = n;
    rq.path = path;
    rq.key = key;
    rq.stopping = false;
    enum app_err rc = E_OK;
    for (unsigned i = 0; i < n && rc == E_OK; i++) {
        rc = store_open_key(path, STORE_MUST_EXIST, key, &rq.readers[i].store, e);
    }
    for (unsigned i = 0; i < n && rc == E_OK; i++) {
        rq.readers[i].started =
            pthread_create(&rq.readers[i].thread, NULL, reader_main, &rq.readers[i]) == 0;
        if (!rq.readers[i].started) {
            rc = err_set(e, E_INTERNAL, "cannot start a reader thread");
        }
    }
    rq.running = true;
    if (rc != E_OK) {
        readers_stop();
    }
    return rc;
}

bool readers_run(request_fn fn, struct req *r, struct resp *w)
{
    struct job j = {.fn = fn, .r = r, .w = w};
    pthread_mutex_lock(&rq.mu);
    if (!rq.running || rq.stopping) {
        pthread_mutex_unlock(&rq.mu);
        return false;
    }
    pthread_cond_init(&j.cv, NULL);
    *rq.tail = &j;
    rq.tail = &j.next;
    pthread_cond_signal(&rq.work);
    while (!j.done) {
        pthread_cond_wait(&j.cv, &rq.mu);
    }
    pthread_mutex_unlock(&rq.mu);
    pthread_cond_destroy(&j.cv);
    return true;
}

bool readers_submit(request_fn fn, struct req *r, struct resp *w, void (*on_done)(void *ctx),
                    void *ctx)
{
    pthread_mutex_lock(&rq.mu);
    if (!rq.running || rq.stopping) {
        pthread_mutex_unlock(&rq.mu);
        return false;
    }
    struct job *j = xcalloc(1, sizeof *j);
    *j = (struct job){.fn = fn, .r = r, .w = w, .on_done = on_done, .ctx = ctx};
    *rq.tail = j;
    rq.tail = &j->next;
    pthread_cond_signal(&rq.work);
    pthread_mutex_unlock(&rq.mu);
    return true;
}

void readers_stop(void)
{
    pthread_mutex_lock(&rq.mu);
    if (!rq.running) {
        pthread_mutex_unlock(&rq.mu);
        return;
    }
    rq.stopping = true;
    pthread_cond_broadcast(&rq.work);
    pthread_mutex_unlock(&rq.mu);
    for (unsigned i = 0; i < rq.n; i++) {
        if (rq.readers[i].started) {
            pthread_join(rq.readers[i].thread, NULL);
        }
        store_close(rq.readers[i].store);
    }
    free(rq.readers);
    rq.readers = NULL;
    rq.n = 0;
    rq.running = false;
}
