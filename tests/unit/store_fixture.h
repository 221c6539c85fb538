/*
 * store_fixture.h: what the store's unit tests share: an in-memory store as
 * cmocka's state, and removing a store's files after a test on disk.
 */
#ifndef REFUGE_TESTS_STORE_FIXTURE_H
#define REFUGE_TESTS_STORE_FIXTURE_H

#include <stdio.h>
#include <unistd.h>

#include "store/store.h"

/* cmocka setup: *state is a fresh in-memory store. */
static inline int fixture_store_setup(void **state)
{
    struct store *s = NULL;
    struct err e = ERR_INIT;
    if (store_open(":memory:", 0, &s, &e) != E_OK) {
        fprintf(stderr, "%s\n", e.msg);
        return -1;
    }
    *state = s;
    return 0;
}

static inline int fixture_store_teardown(void **state)
{
    store_close(*state);
    return 0;
}

/* Removes the database at path with its WAL and shared-memory files. */
static inline void fixture_remove_store(const char *path)
{
    static const char *const sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        unlink(p);
    }
}

#endif
