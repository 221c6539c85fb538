/*
 * readers.h: the server's readers. Every request that is not a write runs
 * on one of N reader threads, each with its own connection to the store;
 * the server's own threads queue it without waiting (readers_submit()). N bounds the reads
 * computing at once (and the store connections they hold); reader threads run at a lower CPU
 * priority than the writer, so a burst of reads delays reads, not the acknowledgement of writes.
 */
#ifndef REFUGE_HTTP_READERS_H
#define REFUGE_HTTP_READERS_H

#include "http/request.h"

struct store_secret;

/* The CPU priority (nice increment) of the reader threads. */
enum { READER_NICE = 5 };

typedef void (*request_fn)(struct req *r, struct resp *w);

/* Opens n connections to the store at path (key NULL: plaintext) and
 * starts a reader thread for each. path and key must outlive the readers:
 * a connection that ran out of memory is replaced by a new one. */
ATTR_NODISCARD enum app_err readers_start(const char *path, const struct store_secret *key,
                                          unsigned n, struct err *e);

/* Runs fn(r, w) on a reader thread, with r->store that thread's connection,
 * and returns when it is done. False, doing nothing, when no readers run. */
bool readers_run(request_fn fn, struct req *r, struct resp *w);

/* readers_run() without waiting: queues fn(r, w) and returns at once; the
 * reader thread that ran it calls on_done(ctx). r and w must live until
 * then. False, doing nothing, when no readers run. */
bool readers_submit(request_fn fn, struct req *r, struct resp *w, void (*on_done)(void *ctx),
                    void *ctx);

/* Runs what is queued, stops the threads and closes their connections. */
void readers_stop(void);

#endif
