/*
 * writer.c: the single writer with group commit (see writer.h).
 *
 * Connection threads queue a job (the request's checks and handler, the
 * request, the response) and wait. The writer thread takes the whole queue
 * as one group: BEGIN IMMEDIATE, then for each job a savepoint, the checks
 * and the handler, and the savepoint released (or rolled back when the
 * handler answered 5xx: a failed request keeps nothing), then one COMMIT.
 * Only after COMMIT returns are the jobs marked done, so a connection sends
 * its response only once the change is on disk (synchronous=FULL). If the
 * transaction is lost (an I/O error, a full disk, out of memory) every job
 * of the group gets a 503 instead of its response; the jobs after it start
 * a new group. A connection that ran out of memory ends its group there and
 * is replaced (store_out_of_memory()).
 *
 * The writer never checkpoints inside its COMMIT: each time its commits
 * have added CHECKPOINT_PAGES pages to the WAL, it wakes the checkpointer,
 * which copies the WAL back into the database on a connection of its own
 * while writes go on.
 *
 * Audit and log entries are appended in job order within the group, each
 * job seeing the entries of the jobs before it, exactly as if each had
 * committed on its own.
 */
#include "http/writer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/xalloc.h"
#include "http/lock.h"

/* The WAL length (pages) that calls for a checkpoint: SQLite's default. */
enum { CHECKPOINT_PAGES = 1000 };

struct job {
    request_fn fn;
    struct req *r;
    struct resp *w;
    bool done;
    pthread_cond_t cv;      /* signalled when done (writer_run) */
    writer_done_fn on_done; /* or called, and the job freed (writer_submit) */
    void *ctx;
    struct job *next;
};

static struct {
    pthread_mutex_t mu;
    pthread_cond_t work; /* the writer waits for jobs */
    struct job *head;
    struct job **tail;
    bool running;
    bool stopping;
    pthread_t thread;
    struct store *store; /* NULL after a failed reopen: tried again per batch */
    const char *path;
    const struct store_secret *key;
    struct writer_stats stats;
    /* the checkpointer */
    pthread_cond_t ckpt_cv;
    bool ckpt_due;
    int ckpt_mark; /* the WAL's length when the last checkpoint was asked for */
    bool ckpt_running;
    pthread_t ckpt_thread;
    struct store *ckpt;
} wq = {
    .mu = PTHREAD_MUTEX_INITIALIZER,
    .work = PTHREAD_COND_INITIALIZER,
    .ckpt_cv = PTHREAD_COND_INITIALIZER,
    .tail = &wq.head,
};

/* The answer of a job whose group was not made durable. */
static void fail_job(struct job *j, const char *why)
{
    j->w->n_headers = 0;
    resp_error(j->w, E_STORAGE, why, NULL);
}

static void fail_jobs(struct job *from, struct job *to, const char *why, struct writer_stats *st)
{
    for (struct job *j = from; j != to; j = j->next) {
        fail_job(j, why);
        st->failed++;
    }
}

/* Runs one batch of jobs (a list ending with NULL) in as few groups as
 * failures allow: normally one. */
/* Replaces the writer's connection after it ran out of memory
 * (store_out_of_memory()), or when an earlier reopen failed. */
static bool writer_connection(void)
{
    if (wq.store && !store_out_of_memory(wq.store)) {
        return true;
    }
    store_close(wq.store);
    wq.store = NULL;
    struct err e = ERR_INIT;
    if (store_open_key(wq.path, STORE_MUST_EXIST, wq.key, &wq.store, &e) != E_OK) {
        fprintf(stderr, "refuge: writer: cannot reopen the database: %s\n", e.msg);
        wq.store = NULL;
        return false;
    }
    store_wal_defer(wq.store);
    return true;
}

static void run_batch(struct job *batch, struct writer_stats *st)
{
    struct store *s = NULL;
    struct job *first = NULL; /* the first job of the open group; NULL: none open */
    struct err e = ERR_INIT;
    for (struct job *j = batch; j; j = j->next) {
        st->requests++;
        if (!first) {
            if (!writer_connection()) {
                fail_job(j, "the database cannot take writes now; try again");
                st->failed++;
                continue;
            }
            s = wq.store;
            if (store_group_begin(s, &e) != E_OK) {
                fprintf(stderr, "refuge: writer: %s\n", e.msg);
                fail_job(j, "the database cannot take writes now; try again");
                st->failed++;
                st->groups++;
                continue;
            }
            first = j;
        }
        if (store_group_enter(s, &e) != E_OK) {
            fprintf(stderr, "refuge: writer: %s\n", e.msg);
            fail_jobs(first, j->next, "the change could not be saved; nothing was kept", st);
            st->groups++;
            first = NULL;
            continue;
        }
        j->r->store = s;
        j->fn(j->r, j->w);
        /* After running out of memory the connection is not to be trusted
         * (store.h): its group ends here, uncommitted. */
        if (store_out_of_memory(s)) {
            store_group_rollback(s);
        }
        if (!store_group_leave(s, j->w->status < 500)) {
            fprintf(stderr, "refuge: writer: a write transaction was lost\n");
            fail_jobs(first, j->next, "the change could not be saved; nothing was kept", st);
            st->groups++;
            first = NULL;
        }
    }
    if (!first) {
        return;
    }
    uint64_t size = 0;
    for (struct job *j = first; j; j = j->next) {
        size++;
    }
    st->groups++;
    st->largest = size > st->largest ? size : st->largest;
    if (store_group_commit(s, &e) != E_OK) {
        fprintf(stderr, "refuge: writer: %s\n", e.msg);
        fail_jobs(first, NULL, "the change could not be saved; nothing was kept", st);
    }
}

static void *writer_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&wq.mu);
    for (;;) {
        while (!wq.head && !wq.stopping) {
            pthread_cond_wait(&wq.work, &wq.mu);
        }
        if (!wq.head) {
            break;
        }
        struct job *batch = wq.head;
        wq.head = NULL;
        wq.tail = &wq.head;
        pthread_mutex_unlock(&wq.mu);
        struct writer_stats st = {0};
        run_batch(batch, &st);
        writer_connection();
        pthread_mutex_lock(&wq.mu);
        wq.stats.requests += st.requests;
        wq.stats.groups += st.groups;
        wq.stats.failed += st.failed;
        wq.stats.largest = st.largest > wq.stats.largest ? st.largest : wq.stats.largest;
        /* A checkpoint per CHECKPOINT_PAGES new pages: while readers keep
         * the WAL from being restarted it stays long, and a checkpoint
         * after every group would cost two syncs each time. */
        int pages = wq.store ? store_wal_pages(wq.store) : 0;
        if (pages < wq.ckpt_mark) {
            wq.ckpt_mark = 0; /* the WAL was restarted */
        }
        if (pages >= wq.ckpt_mark + CHECKPOINT_PAGES && !wq.ckpt_due) {
            wq.ckpt_mark = pages;
            wq.ckpt_due = true;
            pthread_cond_signal(&wq.ckpt_cv);
        }
        struct job *submitted = NULL;
        for (struct job *j = batch, *next; j; j = next) {
            next = j->next; /* j is on its worker's stack: gone once done is seen */
            if (j->on_done) {
                j->next = submitted;
                submitted = j;
                continue;
            }
            j->done = true;
            pthread_cond_signal(&j->cv);
        }
        /* Submitted jobs are told outside the lock: their callbacks reach
         * into the HTTP library. */
        pthread_mutex_unlock(&wq.mu);
        for (struct job *j = submitted, *next; j; j = next) {
            next = j->next;
            j->on_done(j->ctx);
            free(j);
        }
        pthread_mutex_lock(&wq.mu);
    }
    pthread_mutex_unlock(&wq.mu);
    lock_scrub_stack(); /* the key passed through this stack; its memory may be reused */
    return NULL;
}

/* Stops the checkpointer (the writer thread has stopped or never started)
 * and closes both connections. */
static void writer_stop_threads(void)
{
    pthread_mutex_lock(&wq.mu);
    wq.stopping = true;
    pthread_cond_signal(&wq.ckpt_cv);
    pthread_mutex_unlock(&wq.mu);
    if (wq.ckpt_running) {
        pthread_join(wq.ckpt_thread, NULL);
        wq.ckpt_running = false;
    }
    store_close(wq.ckpt);
    store_close(wq.store);
    wq.ckpt = NULL;
    wq.store = NULL;
}

static void *checkpointer_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&wq.mu);
    for (;;) {
        while (!wq.ckpt_due && !wq.stopping) {
            pthread_cond_wait(&wq.ckpt_cv, &wq.mu);
        }
        if (wq.stopping) {
            break;
        }
        pthread_mutex_unlock(&wq.mu);
        struct err e = ERR_INIT;
        if (store_wal_checkpoint(wq.ckpt, NULL, &e) != E_OK) {
            fprintf(stderr, "refuge: checkpointer: %s\n", e.msg);
        }
        pthread_mutex_lock(&wq.mu);
        wq.stats.checkpoints++;
        wq.ckpt_due = false;
    }
    pthread_mutex_unlock(&wq.mu);
    lock_scrub_stack(); /* the key passed through this stack; its memory may be reused */
    return NULL;
}

enum app_err writer_start(const char *path, const struct store_secret *key, struct err *e)
{
    if (wq.running) {
        return err_set(e, E_INTERNAL, "the writer is already running");
    }
    enum app_err rc = store_open_key(path, STORE_MUST_EXIST, key, &wq.store, e);
    if (rc == E_OK) {
        rc = store_open_key(path, STORE_MUST_EXIST, key, &wq.ckpt, e);
    }
    if (rc != E_OK) {
        store_close(wq.store);
        wq.store = NULL;
        return rc;
    }
    store_wal_defer(wq.store);
    wq.path = path;
    wq.key = key;
    wq.stopping = false;
    wq.ckpt_due = false;
    wq.ckpt_mark = 0;
    wq.ckpt_running = pthread_create(&wq.ckpt_thread, NULL, checkpointer_main, NULL) == 0;
    if (!wq.ckpt_running || pthread_create(&wq.thread, NULL, writer_main, NULL) != 0) {
        writer_stop_threads();
        return err_set(e, E_INTERNAL, "cannot start the writer thread");
    }
    wq.running = true;
    return E_OK;
}

bool writer_run(request_fn fn, struct req *r, struct resp *w)
{
    struct job j = {.fn = fn, .r = r, .w = w};
    pthread_mutex_lock(&wq.mu);
    if (!wq.running || wq.stopping) {
        pthread_mutex_unlock(&wq.mu);
        return false;
    }
    pthread_cond_init(&j.cv, NULL);
    *wq.tail = &j;
    wq.tail = &j.next;
    pthread_cond_signal(&wq.work);
    while (!j.done) {
        pthread_cond_wait(&j.cv, &wq.mu);
    }
    pthread_mutex_unlock(&wq.mu);
    pthread_cond_destroy(&j.cv);
    return true;
}

bool writer_submit(request_fn fn, struct req *r, struct resp *w, writer_done_fn on_done, void *ctx)
{
    pthread_mutex_lock(&wq.mu);
    if (!wq.running || wq.stopping) {
        pthread_mutex_unlock(&wq.mu);
        return false;
    }
    struct job *j = xcalloc(1, sizeof *j);
    *j = (struct job){.fn = fn, .r = r, .w = w, .on_done = on_done, .ctx = ctx};
    *wq.tail = j;
    wq.tail = &j->next;
    pthread_cond_signal(&wq.work);
    pthread_mutex_unlock(&wq.mu);
    return true;
}

void writer_stats(struct writer_stats *out)
{
    pthread_mutex_lock(&wq.mu);
    *out = wq.stats;
    pthread_mutex_unlock(&wq.mu);
}

void writer_stop(void)
{
    pthread_mutex_lock(&wq.mu);
    bool running = wq.running;
    wq.stopping = true;
    pthread_cond_signal(&wq.work);
    pthread_mutex_unlock(&wq.mu);
    if (running) {
        pthread_join(wq.thread, NULL);
    }
    writer_stop_threads();
    pthread_mutex_lock(&wq.mu);
    wq.running = false;
    pthread_mutex_unlock(&wq.mu);
}
