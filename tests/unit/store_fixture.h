/*
 * store_fixture.h: what the store's unit tests share: an in-memory store as
 * cmocka's state, and removing a store's files after a test on disk.
 */
#ifndef REFUGE_TESTS_STORE_FIXTURE_H
#define REFUGE_TESTS_STORE_FIXTURE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Makes a directory from the template dir ("/tmp/name-XXXXXX", changed in
 * place) and writes the path of a file `name` in it into path; false when
 * the directory could not be made. */
static inline bool fixture_temp_path(char *dir, const char *name, char *path, size_t n)
{
    if (!mkdtemp(dir)) {
        return false;
    }
    snprintf(path, n, "%s/%s", dir, name);
    return true;
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
