/*
 * fuzz_search.c: search queries against a store holding the example case:
 * the FTS5 query builder and full-text search (service_search_text, with
 * its filters) and the person search by name (name keys of the query,
 * blocking codes, scoring). The input is the query, then optional lines:
 * case id, from date, to date; byte 0 picks the kind filter and the limit.
 * A query the builder accepts must never reach SQLite as invalid FTS5
 * syntax: that is an E_INVALID from the store, which is checked here.
 *
 * Coverage files: src/service/search.c src/store/search.c src/text/textfold.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fuzz_store fs;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fs.s) {
        fuzz_store_init(&fs, NULL);
    }
    if (size < 1 || size > 4096) {
        return 0;
    }
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char *raw = strdup(text); /* before the fields are cut */
    char *fields[4] = {text, NULL, NULL, NULL};
    for (size_t i = 1; i < 4; i++) {
        char *nl = strchr(fields[i - 1], '\n');
        if (!nl) {
            break;
        }
        *nl = '\0';
        fields[i] = nl + 1;
    }
    struct text_filter f = {.case_id = fields[1], .from = fields[2], .to = fields[3]};

    static const enum obj_kind kinds[] = {OBJ_CASE, OBJ_EVENT, OBJ_SOURCE, OBJ_PERSON};

    if (data[0] & 4) {
        f.has_kind = true;
        f.kind = kinds[data[0] & 3];
    }
    size_t limit = (size_t)(data[0] >> 3) + 1;
    struct arena a = ARENA_INIT;
    struct err e = ERR_INIT;
    struct search_hit *hits = NULL;
    size_t n = 0;
    (void)service_search_text(fs.s, fields[0], &f, limit, &a, &hits, &n, &e);
    /* (Messages may quote the input, which is then no evidence.) */
    static const char *words[] = {"fts5", "syntax error", "SQL", "sqlite"};
    bool leaked = false;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        leaked |= strstr(e.msg, words[i]) && !strstr(raw, words[i]);
    }
    if (leaked) {
        fprintf(stderr, "the query builder let through an FTS5 error: \"%s\": %s\n", fields[0],
                e.msg);
        abort();
    }
    e = (struct err)ERR_INIT;
    (void)service_search_persons(fs.s, fields[0], limit, 0, fields[1], &a, &hits, &n, &e);
    arena_release(&a);
    free(raw);
    free(text);
    return 0;
}
