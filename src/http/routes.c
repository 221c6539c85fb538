/*
 * routes.c: THE route table. Every route the server answers is here, with
 * the flags the router enforces; docs/openapi.json describes the same routes
 * (a test checks that they agree).
 */
#include "http/api.h"
#include "http/router.h"

/* The five routes of an object kind. `get_flags` is R_SNAPSHOT where reading
 * one object writes nothing (persons' reads are audited, so not for them). */
#define OBJECT_ROUTES(list, kind_, get_flags)                                                     \
    {"GET", "/api/" list, api_object_list, R_SNAPSHOT, kind_, "list " list},                      \
        {"POST", "/api/" list, api_object_create, R_WRITE | R_JSON_BODY, kind_, "create"},        \
        {"GET", "/api/" list "/{id}", api_object_get, R_OBJECT | (get_flags), kind_, "read one"}, \
        {"PUT", "/api/" list "/{id}", api_object_put, R_WRITE | R_JSON_BODY | R_OBJECT,           \
         kind_, "replace (If-Match)"},                                                            \
    {                                                                                             \
        "DELETE", "/api/" list "/{id}", api_object_delete, R_WRITE | R_OBJECT, kind_,             \
            "delete (If-Match)"                                                                   \
    }

static const struct route routes[] = {
    {"GET", "/api/health", api_health, R_PUBLIC | R_LOCKED_OK, OBJ_CASE, "health check"},
    {"GET", "/api/openapi.json", api_openapi, R_PUBLIC | R_LOCKED_OK, OBJ_CASE,
     "this API's description"},
    {"GET", "/api/lock", api_lock_status, R_PUBLIC | R_LOCKED_OK, OBJ_CASE,
     "whether the store's key is locked"},
    {"POST", "/api/lock", api_lock, R_WRITE, OBJ_CASE,
     "lock the store's key now (an encrypted store)"},
    {"POST", "/api/unlock", api_unlock, R_PUBLIC | R_JSON_BODY | R_LOCKED_OK, OBJ_CASE,
     "unlock the store's key with a passphrase of its keyring"},
    {"POST", "/api/session", api_session_create, R_PUBLIC | R_JSON_BODY, OBJ_CASE, "sign in"},
    {"DELETE", "/api/session", api_session_delete, R_WRITE, OBJ_CASE, "sign out"},
    {"GET", "/api/me", api_me, 0, OBJ_CASE, "who is signed in"},
    {"PUT", "/api/me", api_me_put, R_WRITE | R_JSON_BODY, OBJ_CASE,
     "set your own interface language"},
    {"GET", "/api/dashboard", api_dashboard, 0, OBJ_CASE,
     "open cases by their most severe finding, deadlines, recent changes"},
    {"GET", "/api/users", api_users_list, R_ADMIN, OBJ_CASE, "list accounts"},
    {"POST", "/api/users", api_users_create, R_WRITE | R_ADMIN | R_JSON_BODY, OBJ_CASE,
     "add an account"},
    {"DELETE", "/api/users/{user}", api_users_disable, R_WRITE | R_ADMIN, OBJ_CASE,
     "disable an account and end its sessions"},
    OBJECT_ROUTES("cases", OBJ_CASE, R_SNAPSHOT),
    {"GET", "/api/cases/{id}/timeline", api_case_timeline, R_OBJECT, OBJ_CASE, "case timeline"},
    {"GET", "/api/cases/{id}/findings", api_case_findings, R_OBJECT, OBJ_CASE, "case findings"},
    {"GET", "/api/cases/{id}/statement", api_case_statement, R_OBJECT, OBJ_CASE,
     "draft a statement"},
    {"GET", "/api/cases/{id}/history", api_case_history, R_OBJECT, OBJ_CASE,
     "the recorded history of the case's findings"},
    {"GET", "/api/cases/{id}/assignees", api_case_assignees, R_OBJECT | R_SNAPSHOT, OBJ_CASE,
     "who the case is assigned to"},
    {"PUT", "/api/cases/{id}/assignees/{user}", api_case_assign, R_WRITE | R_OBJECT, OBJ_CASE,
     "assign the case to a user"},
    {"DELETE", "/api/cases/{id}/assignees/{user}", api_case_unassign, R_WRITE | R_OBJECT, OBJ_CASE,
     "take the case from a user"},
    OBJECT_ROUTES("persons", OBJ_PERSON, 0),
    {"GET", "/api/persons/{id}/appearances", api_person_appearances, R_OBJECT, OBJ_PERSON,
     "the cases and events a person appears in"},
    OBJECT_ROUTES("organizations", OBJ_ORGANIZATION, R_SNAPSHOT),
    OBJECT_ROUTES("events", OBJ_EVENT, R_SNAPSHOT),
    OBJECT_ROUTES("sources", OBJ_SOURCE, R_SNAPSHOT),
    {"POST", "/api/sources/{id}/evidence", api_evidence_upload, R_WRITE | R_OBJECT | R_BIG_BODY,
     OBJ_SOURCE, "attach an evidence file (the raw bytes)"},
    {"GET", "/api/sources/{id}/evidence/{sha256}", api_evidence_download, R_OBJECT, OBJ_SOURCE,
     "the original bytes of an evidence file, checked"},
    OBJECT_ROUTES("risks", OBJ_RISK, R_SNAPSHOT),
    OBJECT_ROUTES("actions", OBJ_ACTION, R_SNAPSHOT),
    {"POST", "/api/import", api_import, R_WRITE | R_JSON_BODY | R_BIG_BODY, OBJ_CASE,
     "import a bundle (all or nothing)"},
    {"GET", "/api/export", api_export, 0, OBJ_CASE, "export a bundle"},
    {"GET", "/api/audit", api_audit_list, R_ADMIN, OBJ_CASE, "the audit trail"},
    {"GET", "/api/search", api_search, 0, OBJ_PERSON, "search persons by name and text"},
};

const struct route *router_routes(size_t *n)
{
    *n = ARRAY_LEN(routes);
    return routes;
}
