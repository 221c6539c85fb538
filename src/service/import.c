/*
 * import.c: importing a bundle into the store, all or nothing.
 *
 * The bundle module reads and checks each object on its own; this file
 * checks what needs the whole bundle and the store: duplicate ids within a
 * list and references between objects (which may point forward in the
 * bundle or at objects already stored). Objects are written as they arrive
 * inside one transaction, and the transaction is rolled back if anything at
 * all was wrong, so a bad bundle leaves the database as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/bundle.h"
#include "core/strmap.h"
#include "core/xalloc.h"
#include "service/search.h"
#include "service/service.h"

/* New persons checked against the stored ones for probable duplicates, per
 * import (a bulk load would otherwise pay a search per person). */
enum { DUPLICATE_CHECKS_MAX = 1000 };

#define DUPLICATE_THRESHOLD 0.9

struct pending_ref {
    char *where;
    char *id;
    enum obj_kind target;
    bool org_or_person;
};

struct import_ctx {
    struct store *store;
    struct import_report *report;
    struct strmap ids[OBJ_KIND_COUNT]; /* id -> index + 1 in its list */
    struct pending_ref *pending;
    size_t n_pending, pending_alloc;
    struct err *e;
    enum app_err store_err;
    struct diags *notes;
    size_t duplicate_checks;
};

static bool known(struct import_ctx *c, enum obj_kind kind, const char *id)
{
    return strmap_get(&c->ids[kind], id, NULL) || store_exists(c->store, kind, id);
}

static bool ref_resolves(struct import_ctx *c, enum obj_kind target, bool org_or_person,
                         const char *id)
{
    if (org_or_person) {
        return known(c, OBJ_ORGANIZATION, id) || known(c, OBJ_PERSON, id);
    }
    return known(c, target, id);
}

static void defer_ref(struct import_ctx *c, const struct bundle_ref *r)
{
    if (c->n_pending == c->pending_alloc) {
        c->pending_alloc = c->pending_alloc ? c->pending_alloc * 2 : 64;
        c->pending = xrealloc(c->pending, c->pending_alloc * sizeof *c->pending);
    }
    c->pending[c->n_pending++] = (struct pending_ref){
        .where = xstrdup(r->where),
        .id = xstrdup(r->id),
        .target = r->target,
        .org_or_person = r->org_or_person,
    };
}

static void report_unresolved(struct diags *problems, const char *where, enum obj_kind target,
                              bool org_or_person, const char *id)
{
    if (org_or_person) {
        diag_add(problems, where, "no organization or person with id \"%s\"", id);
    } else {
        diag_add(problems, where, "no %s with id \"%s\" in the bundle or the database",
                 obj_kind_name(target), id);
    }
}

/* Notes (not an error) that a new person probably duplicates a stored one. */
static enum app_err note_duplicate(struct import_ctx *c, const struct bundle_obj *o)
{
    if (!c->notes || c->duplicate_checks > DUPLICATE_CHECKS_MAX) {
        return E_OK;
    }
    char where[64];
    snprintf(where, sizeof where, "persons[%zu]", o->index);
    if (c->duplicate_checks++ == DUPLICATE_CHECKS_MAX) {
        diag_add(
            c->notes, where,
            "not checked for duplicates (only the first %d new persons are; run 'refuge dedup')",
            DUPLICATE_CHECKS_MAX);
        return E_OK;
    }
    struct arena a = ARENA_INIT;
    const char *other = NULL;
    const char *why = NULL;
    double score = 0;
    enum app_err rc = service_probable_duplicate(c->store, &o->u.person, DUPLICATE_THRESHOLD, &a,
                                                 &other, &score, &why, c->e);
    if (rc == E_OK && other) {
        diag_add(c->notes, where, "\"%s\" is probably the same person as \"%s\" (%.2f: %s)", o->id,
                 other, score, why);
    }
    arena_release(&a);
    return rc;
}

static enum app_err on_object(void *ctx, const struct bundle_obj *o, struct diags *problems)
{
    struct import_ctx *c = ctx;
    if (o->id) {
        uint64_t first = 0;
        if (!strmap_put(&c->ids[o->kind], o->id, o->index + 1, &first)) {
            char where[64];
            snprintf(where, sizeof where, "%s[%zu].id", obj_kind_list_name(o->kind), o->index);
            diag_add(problems, where, "\"%s\" is already the id of %s[%llu]", o->id,
                     obj_kind_list_name(o->kind), (unsigned long long)(first - 1));
            return E_OK;
        }
    }
    for (size_t i = 0; i < o->n_refs; i++) {
        const struct bundle_ref *r = &o->refs[i];
        if (o->kind == OBJ_ORGANIZATION && r->target == OBJ_ORGANIZATION &&
            strcmp(r->id, o->id) == 0) {
            diag_add(problems, r->where, "an organization cannot be its own parent");
        } else if (!ref_resolves(c, r->target, r->org_or_person, r->id)) {
            defer_ref(c, r);
        }
    }
    if (!o->valid || problems->total > 0) {
        return E_OK; /* nothing will be committed: only keep checking */
    }
    enum store_put_result res;
    enum app_err rc = store_put(c->store, o->kind, &o->u, &res, c->e);
    if (rc == E_OK && res != STORE_UNCHANGED) {
        rc = service_search_index(c->store, o->kind, &o->u, c->e);
    }
    if (rc == E_OK && res == STORE_INSERTED && o->kind == OBJ_PERSON) {
        rc = note_duplicate(c, o);
    }
    if (rc != E_OK) {
        c->store_err = rc;
        return rc;
    }
    switch (res) {
    case STORE_INSERTED:
        c->report->inserted[o->kind]++;
        break;
    case STORE_UPDATED:
        c->report->updated[o->kind]++;
        break;
    case STORE_UNCHANGED:
        c->report->unchanged[o->kind]++;
        break;
    }
    return E_OK;
}

static void resolve_pending(struct import_ctx *c, struct diags *problems)
{
    for (size_t i = 0; i < c->n_pending; i++) {
        struct pending_ref *p = &c->pending[i];
        if (!ref_resolves(c, p->target, p->org_or_person, p->id)) {
            report_unresolved(problems, p->where, p->target, p->org_or_person, p->id);
        }
    }
}

static void ctx_release(struct import_ctx *c)
{
    for (int k = 0; k < OBJ_KIND_COUNT; k++) {
        strmap_release(&c->ids[k]);
    }
    for (size_t i = 0; i < c->n_pending; i++) {
        free(c->pending[i].where);
        free(c->pending[i].id);
    }
    free(c->pending);
}

enum app_err service_import(struct store *s, FILE *in, struct import_report *report,
                            struct diags *problems, struct diags *notes, struct err *e)
{
    memset(report, 0, sizeof *report);
    struct import_ctx c = {.store = s, .report = report, .e = e, .notes = notes};
    struct bundle_sink sink = {.ctx = &c, .object = on_object};

    enum app_err rc = store_begin(s, e);
    if (rc != E_OK) {
        return rc;
    }
    rc = bundle_read(in, &bundle_default_limits, &sink, problems, notes);
    if (rc == E_OK || rc == E_INVALID) {
        resolve_pending(&c, problems);
        rc = problems->total ? E_INVALID : E_OK;
    }
    if (rc == E_OK) {
        rc = store_commit(s, e);
    }
    if (rc != E_OK) {
        store_rollback(s);
        memset(report, 0, sizeof *report);
        if (rc == E_INVALID) {
            err_set(e, E_INVALID, "the bundle has %zu problem%s; nothing was imported",
                    problems->total, problems->total == 1 ? "" : "s");
        } else if (rc == E_IO) {
            err_set(e, E_IO, "cannot read the bundle");
        }
    }
    ctx_release(&c);
    return rc;
}
