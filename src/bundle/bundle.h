/*
 * bundle.h: the case bundle format refuge-bundle/1 (docs/bundle-format.md):
 * streaming reader, field-level validation and decoding into domain structs,
 * and the canonical writer used by export.
 *
 * The reader parses the document as a stream (one object of a list at a
 * time), so memory stays flat however large the bundle is. It checks
 * everything that can be checked on one object alone (types, ids, dates,
 * codes, vocabularies, per-type event fields) and reports every problem with
 * its JSON path; references between objects and duplicate ids are the
 * importer's business (service/import.c), which gets each object's references
 * listed in struct bundle_obj.
 */
#ifndef REFUGE_BUNDLE_BUNDLE_H
#define REFUGE_BUNDLE_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/compat.h"
#include "core/diag.h"
#include "core/err.h"
#include "domain/model.h"

#define BUNDLE_FORMAT "refuge-bundle/1"

/* A reference from one object to another, to be resolved by the importer. */
struct bundle_ref {
    const char *where; /* JSON path of the reference ("events[2].persons[0]") */
    enum obj_kind target;
    bool org_or_person; /* action targets: an organization, else a person */
    const char *id;
};

/* One object read from a bundle. Valid only during the sink callback. */
struct bundle_obj {
    enum obj_kind kind;
    size_t index;   /* position in its list */
    const char *id; /* NULL when the object had no usable id */
    bool valid;     /* false: problems were reported; only kind, index and id are set */

    union {
        struct source source;
        struct person person;
        struct organization organization;
        struct case_ kase;
        struct event event;
        struct risk risk;
        struct action action;
    } u;
    struct bundle_ref *refs;
    size_t n_refs;
};

/* Receives each object in document order. Returning an error stops reading. */
struct bundle_sink {
    void *ctx;
    enum app_err (*object)(void *ctx, const struct bundle_obj *obj, struct diags *problems);
};

struct bundle_limits {
    size_t max_string;  /* longest string value, in bytes */
    unsigned max_depth; /* deepest nesting of arrays and objects */
};

/* Defaults: 8 MiB strings, 32 levels. */
extern const struct bundle_limits bundle_default_limits;

/* Reads a bundle from `in`, validating as it goes and handing each object to
 * the sink. Problems go to `problems` (with JSON paths, or line and column
 * for syntax errors); harmless oddities such as unknown fields, which are kept,
 * go to `notes` (may be NULL). Returns E_OK, E_INVALID when any problem was
 * found, E_IO when reading failed, or the sink's error. */
ATTR_NODISCARD enum app_err bundle_read(FILE *in, const struct bundle_limits *limits,
                                        const struct bundle_sink *sink, struct diags *problems,
                                        struct diags *notes);

/* Decodes one object of the given kind from JSON text (an API request
 * body), with the same checks as a bundle; problem paths are relative to the
 * object ("date", "names[0].script"). Returns E_OK, or E_INVALID with the
 * problems listed. `obj` is filled even when invalid (see bundle_obj.valid);
 * its strings live in arena. */
ATTR_NODISCARD enum app_err bundle_decode_text(enum obj_kind kind, const char *text, size_t len,
                                               struct arena *arena, struct bundle_obj *obj,
                                               struct diags *problems);

/* Canonical writer: lists in the format's order, objects one per line, fields
 * in the format's order followed by unknown fields as they were read. */
struct bundle_writer {
    FILE *out;
    int list; /* current list (enum obj_kind), or -1 before the first */
    size_t n_in_list;
    struct buf text; /* one object's text, reused */
};

void bundle_writer_begin(struct bundle_writer *w, FILE *out);
/* Writes one object; lists must come in enum obj_kind order. */
void bundle_writer_put(struct bundle_writer *w, enum obj_kind kind, const void *obj);
/* Closes the document. Returns E_IO if writing failed. */
ATTR_NODISCARD enum app_err bundle_writer_end(struct bundle_writer *w);
/* Frees the writer's buffer when an export stops before bundle_writer_end(). */
void bundle_writer_abandon(struct bundle_writer *w);

/* Encodes one object as canonical JSON text into `out` (for the API). */
void bundle_encode_object(enum obj_kind kind, const void *obj, struct buf *out);

#endif
