/*
 * embedded.h: files compiled into the binary by tools/embed.c.
 *
 * Tables: refuge_sql (store migrations), refuge_refdata (ISO codes, treaty
 * data, the example case). Each is sorted by name and ends with a NULL name.
 */
#ifndef REFUGE_CORE_EMBEDDED_H
#define REFUGE_CORE_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
    const char *name;
    const unsigned char *data; /* len bytes followed by a NUL */
    size_t len;
};

/* Reference data: the CSV and text files of data/ and the example bundle, by base name. */
extern const struct embedded_file refuge_refdata[];
extern const size_t refuge_refdata_count;
/* Store migrations (linked into the store module only). */
extern const struct embedded_file refuge_sql[];
extern const size_t refuge_sql_count;

/* The web interface: the files of web/, named by their path under it
 * ("index.html", "js/app.js"); linked into the http module only. */
extern const struct embedded_file refuge_web[];
extern const size_t refuge_web_count;

/* Binary search of a generated table; NULL when absent. */
const struct embedded_file *embedded_find(const struct embedded_file *table, size_t count,
                                          const char *name);

#endif
