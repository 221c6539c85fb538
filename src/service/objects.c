/*
 * objects.c: creating, replacing and deleting single objects (the API's
 * writes), with reference checks and optimistic concurrency by version.
 */
#include <string.h>

#include "service/search.h"
#include "service/service.h"

static const char *path_of(const char *where)
{
    return where[0] == '.' ? where + 1 : where;
}

static void check_refs(struct store *s, const struct bundle_obj *o, struct diags *problems)
{
    for (size_t i = 0; i < o->n_refs; i++) {
        const struct bundle_ref *r = &o->refs[i];
        bool found = r->org_or_person ? store_exists(s, OBJ_ORGANIZATION, r->id) ||
                                            store_exists(s, OBJ_PERSON, r->id)
                                      : store_exists(s, r->target, r->id);
        if (r->target == OBJ_ORGANIZATION && o->kind == OBJ_ORGANIZATION && !r->org_or_person &&
            strcmp(r->id, o->id) == 0) {
            diag_add(problems, path_of(r->where), "an organization cannot be its own parent");
        } else if (!found && r->org_or_person) {
            diag_add(problems, path_of(r->where), "no organization or person with id \"%s\"",
                     r->id);
        } else if (!found) {
            diag_add(problems, path_of(r->where), "no %s with id \"%s\"", obj_kind_name(r->target),
                     r->id);
        }
    }
}

enum app_err service_put_object(struct store *s, const struct bundle_obj *o, int64_t expected,
                                int64_t *version, struct diags *problems, struct err *e)
{
    enum app_err rc = store_begin(s, e);
    if (rc != E_OK) {
        return rc;
    }
    int64_t current = store_version(s, o->kind, o->id);
    *version = current;
    if (expected == VERSION_NEW && current) {
        rc = err_set(e, E_CONFLICT, "a %s with id '%s' already exists", obj_kind_name(o->kind),
                     o->id);
        goto fail;
    }
    if (expected > 0 && current != expected) {
        rc = current
                 ? err_set(e, E_CONFLICT, "%s '%s' has changed: it is at version %lld, not %lld",
                           obj_kind_name(o->kind), o->id, (long long)current, (long long)expected)
                 : err_set(e, E_NOT_FOUND, "no %s with id '%s'", obj_kind_name(o->kind), o->id);
        goto fail;
    }
    size_t before = problems->total;
    check_refs(s, o, problems);
    if (problems->total != before) {
        rc = err_set(e, E_INVALID, "the %s refers to objects that do not exist",
                     obj_kind_name(o->kind));
        goto fail;
    }
    enum store_put_result res;
    rc = store_put(s, o->kind, &o->u, &res, e);
    if (rc == E_OK && res != STORE_UNCHANGED) {
        rc = service_search_index(s, o->kind, &o->u, e);
    }
    if (rc != E_OK) {
        goto fail;
    }
    rc = store_commit(s, e);
    if (rc != E_OK) {
        goto fail;
    }
    *version = store_version(s, o->kind, o->id);
    return E_OK;
fail:
    store_rollback(s);
    return rc;
}

enum app_err service_delete_object(struct store *s, enum obj_kind kind, const char *id,
                                   int64_t expected, int64_t *version, struct err *e)
{
    enum app_err rc = store_begin(s, e);
    if (rc != E_OK) {
        return rc;
    }
    int64_t current = store_version(s, kind, id);
    *version = current;
    if (!current) {
        rc = err_set(e, E_NOT_FOUND, "no %s with id '%s'", obj_kind_name(kind), id);
    } else if (expected > 0 && current != expected) {
        rc = err_set(e, E_CONFLICT, "%s '%s' has changed: it is at version %lld, not %lld",
                     obj_kind_name(kind), id, (long long)current, (long long)expected);
    } else {
        rc = store_delete(s, kind, id, e);
        if (rc == E_OK) {
            rc = service_search_unindex(s, kind, id, e);
        }
    }
    if (rc == E_OK) {
        rc = store_commit(s, e);
    }
    if (rc != E_OK) {
        store_rollback(s);
    }
    return rc;
}
