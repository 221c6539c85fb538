/*
 * writer.h: the server's single writer with group commit. Every request of a
 * route flagged R_WRITE runs on one thread and one connection; the writer
 * takes every request queued while it was busy, runs each in a savepoint of
 * its own inside one transaction, commits once (one WAL sync for the group)
 * and only then lets their responses go. Users never see SQLITE_BUSY from
 * one another, and no response says "done" before its change is durable.
 */
#ifndef REFUGE_HTTP_WRITER_H
#define REFUGE_HTTP_WRITER_H

#include <stdint.h>

#include "http/readers.h"
#include "http/request.h"

struct store_secret;

/* Opens the writer's own connection to the store at path (key NULL: a
 * plaintext store) and starts its thread. path and key must outlive the
 * writer: a connection that ran out of memory is replaced by a new one. */
ATTR_NODISCARD enum app_err writer_start(const char *path, const struct store_secret *key,
                                         struct err *e);

/* Runs fn(r, w) in the writer's next group, with r->store the writer's
 * connection, and waits until that group has committed; if the group could
 * not be made durable, the response is replaced by a 503 and nothing of the
 * request was kept. A response of 500 or more keeps nothing either.
 * Returns false, doing nothing, when no writer is running. */
bool writer_run(request_fn fn, struct req *r, struct resp *w);

/* writer_run() without waiting: queues fn(r, w) for the next group and
 * returns at once; once that group has committed (or failed, with w a 503),
 * the writer thread calls on_done(ctx). r and w must live until then.
 * Returns false, doing nothing, when no writer is running. */
typedef void (*writer_done_fn)(void *ctx);
bool writer_submit(request_fn fn, struct req *r, struct resp *w, writer_done_fn on_done, void *ctx);

/* What the writer has done since it started. */
struct writer_stats {
    uint64_t requests;    /* requests run */
    uint64_t groups;      /* transactions committed or failed */
    uint64_t failed;      /* requests answered 503 because their group failed */
    uint64_t largest;     /* most requests in one group */
    uint64_t checkpoints; /* WAL checkpoints run by the checkpointer */
};

void writer_stats(struct writer_stats *out);

/* Runs what is queued, stops the thread and closes its connection. */
void writer_stop(void);

#endif
