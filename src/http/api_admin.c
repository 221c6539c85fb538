/*
 * api_admin.c: who is signed in (GET /api/me) and their interface language
 * (PUT /api/me), user accounts for
 * administrators, and which users a case is assigned to (administrators and
 * coordinators). The policy and the audit entries of the changes are in
 * service/auth.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "http/access.h"
#include "http/api.h"
#include "service/auth.h"

static void send_json(struct resp *w, int status, json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT);
    resp_json(w, status, text, strlen(text));
    free(text);
    json_decref(v);
}

void api_me(struct req *r, struct resp *w)
{
    char lang[AUTH_LANG_CHARS + 1];
    struct err e = ERR_INIT;
    if (auth_me_lang(r->store, r->who, lang, &e) != E_OK) {
        resp_error(w, e.code, e.msg, NULL);
        return;
    }
    const char *kind = r->who->kind == PRINCIPAL_TOKEN ? "token" : "session";
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:b, s:b}", "user", r->who->name, "role",
                  role_name(r->who->role), "kind", kind, "can_admin", auth_can_admin(r->who),
                  "can_import", r->who->role == ROLE_ADMIN || r->who->role == ROLE_COORDINATOR);
    /* A page reloaded in a new tab learns its CSRF token here (same-origin
     * only: no CORS, so no other site can read it). */
    json_object_set_new(o, "lang", lang[0] ? json_string(lang) : json_null());
    char csrf[AUTH_CSRF_CHARS + 1];
    if (access_session_csrf(r, csrf)) {
        json_object_set_new(o, "csrf", json_string(csrf));
    }
    send_json(w, 200, o);
}

void api_me_put(struct req *r, struct resp *w)
{
    json_error_t jerr;
    json_t *body = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    const char *lang = json_string_value(json_object_get(body, "lang"));
    if (!json_is_object(body) || json_object_size(body) != 1 || !auth_lang_valid(lang)) {
        json_decref(body);
        resp_error(w, E_INVALID, "send {\"lang\": \"en\"} or {\"lang\": \"ru\"}", "lang");
        return;
    }
    struct err e = ERR_INIT;
    enum app_err rc = auth_me_set_lang(r->store, r->who, r->client, lang, &e);
    if (rc != E_OK) {
        json_decref(body);
        resp_error(w, rc, e.msg, rc == E_INVALID ? "lang" : NULL);
        return;
    }
    json_t *out = json_pack("{s:s}", "lang", lang);
    json_decref(body);
    send_json(w, 200, out);
}

static enum app_err add_user(void *ctx, const struct auth_user_info *u)
{
    json_t *list = ctx;
    json_array_append_new(list, json_pack("{s:s, s:s, s:b, s:I}", "name", u->name, "role",
                                          role_name(u->role), "disabled", u->disabled, "created",
                                          (json_int_t)u->created));
    return E_OK;
}

void api_users_list(struct req *r, struct resp *w)
{
    json_t *list = json_array();
    struct err e = ERR_INIT;
    if (auth_user_each(r->store, r->who, add_user, list, &e) != E_OK) {
        json_decref(list);
        resp_error(w, e.code, e.msg, NULL);
        return;
    }
    send_json(w, 200, json_pack("{s:o}", "items", list));
}

void api_users_create(struct req *r, struct resp *w)
{
    json_error_t jerr;
    json_t *body = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    const char *name = json_string_value(json_object_get(body, "name"));
    const char *role_s = json_string_value(json_object_get(body, "role"));
    const char *pass = json_string_value(json_object_get(body, "password"));
    enum role role = ROLE_NONE;
    const char *bad = !body || !json_is_object(body) || !name ? "name"
                      : !role_s || !role_parse(role_s, &role) ? "role"
                      : !pass                                 ? "password"
                                                              : NULL;
    if (bad) {
        json_decref(body);
        resp_error(w, E_INVALID,
                   strcmp(bad, "role") == 0
                       ? "role must be admin, coordinator, researcher or viewer"
                       : "send {\"name\": ..., \"role\": ..., \"password\": ...}",
                   bad);
        return;
    }
    struct err e = ERR_INIT;
    enum app_err rc = auth_name_check(name, &e);
    if (rc != E_OK) {
        json_decref(body);
        resp_error(w, rc, e.msg, "name");
        return;
    }
    rc = auth_password_check(name, pass, &e);
    if (rc != E_OK) {
        json_decref(body);
        resp_error(w, rc, e.msg, "password");
        return;
    }
    rc = auth_user_add(r->store, r->who, r->client, name, role, pass, &e);
    /* The password lives in the parsed body: wipe it before freeing. */
    char *p = (char *)(uintptr_t)pass;
    sodium_memzero(p, strlen(p));
    if (rc != E_OK) {
        json_decref(body);
        resp_error(w, rc, e.msg, rc == E_CONFLICT ? "name" : NULL);
        return;
    }
    json_t *out = json_pack("{s:s, s:s}", "name", name, "role", role_name(role));
    json_decref(body);
    send_json(w, 201, out);
}

void api_users_disable(struct req *r, struct resp *w)
{
    struct err e = ERR_INIT;
    if (strcmp(r->params[0], r->who->name) == 0 && r->who->kind == PRINCIPAL_USER) {
        resp_error(w, E_CONFLICT, "you cannot disable your own account", NULL);
        return;
    }
    enum app_err rc = auth_user_disable(r->store, r->who, r->client, r->params[0], &e);
    if (rc != E_OK) {
        resp_error(w, rc, e.msg, NULL);
        return;
    }
    w->status = 204;
    buf_reset(&w->body);
}

static bool case_exists(struct req *r, struct resp *w)
{
    if (!store_exists(r->store, OBJ_CASE, r->params[0]) ||
        !auth_can_case(r->store, r->who, r->params[0], VERB_READ)) {
        resp_error(w, E_NOT_FOUND, "no such case", NULL);
        return false;
    }
    return true;
}

void api_case_assignees(struct req *r, struct resp *w)
{
    if (!case_exists(r, w)) {
        return;
    }
    json_t *list = json_array();
    struct err e = ERR_INIT;
    if (auth_case_assignees(r->store, r->who, r->params[0], add_user, list, &e) != E_OK) {
        json_decref(list);
        resp_error(w, e.code, e.msg, NULL);
        return;
    }
    send_json(w, 200, json_pack("{s:o}", "items", list));
}

static void change(struct req *r, struct resp *w, bool assign)
{
    if (!case_exists(r, w)) {
        return;
    }
    struct err e = ERR_INIT;
    enum app_err rc =
        assign ? auth_case_assign(r->store, r->who, r->client, r->params[0], r->params[1], &e)
               : auth_case_unassign(r->store, r->who, r->client, r->params[0], r->params[1], &e);
    if (rc != E_OK) {
        resp_error(w, rc, e.msg, rc == E_NOT_FOUND ? "user" : NULL);
        return;
    }
    w->status = 204;
    buf_reset(&w->body);
}

void api_case_assign(struct req *r, struct resp *w)
{
    change(r, w, true);
}

void api_case_unassign(struct req *r, struct resp *w)
{
    change(r, w, false);
}
