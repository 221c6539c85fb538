/*
 * api_session.c: signing in and out (session cookie + CSRF token), and the
 * audit trail for administrators.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "http/access.h"
#include "http/api.h"
#include "http/router.h"
#include "service/auth.h"

void api_session_create(struct req *r, struct resp *w)
{
    json_error_t jerr;
    json_t *body = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    const char *user = json_string_value(json_object_get(body, "username"));
    const char *pass = json_string_value(json_object_get(body, "password"));
    if (!body || !json_is_object(body) || !user || !pass) {
        json_decref(body);
        resp_error(w, E_INVALID, "send {\"username\": ..., \"password\": ...}",
                   user ? "password" : "username");
        return;
    }
    struct auth_login login;
    struct err e = ERR_INIT;
    /* A session the client already holds ends here: a signed-in client
     * always gets a new session id, and a planted one is never carried over. */
    char old[AUTH_SECRET_CHARS + 8];
    if (access_session_cookie(r, old, sizeof old)) {
        if (auth_logout(r->store, old, r->client, &e) != E_OK) {
            fprintf(stderr, "refuge: cannot end the previous session: %s\n", e.msg);
        }
        sodium_memzero(old, sizeof old);
        e = (struct err)ERR_INIT;
    }
    enum app_err rc = auth_login(r->store, user, pass, r->client, &login, &e);
    json_decref(body);
    if (rc != E_OK) {
        /* One message for unknown users and wrong passwords alike. */
        resp_error(w, rc, rc == E_AUTH ? "wrong user name or password" : e.msg, NULL);
        if (rc == E_RATE_LIMITED) {
            resp_header(w, "Retry-After", "900");
        }
        return;
    }
    char cookie[256];
    snprintf(cookie, sizeof cookie, "%s=%s; HttpOnly; SameSite=Strict; Path=/%s",
             access_cookie_name(r), login.token, r->secure ? "; Secure" : "");
    resp_header(w, "Set-Cookie", arena_strdup(r->arena, cookie));
    json_t *out = json_pack("{s:s, s:s, s:s}", "csrf", login.csrf, "user", login.who.name, "role",
                            role_name(login.who.role));
    char *text = json_dumps(out, JSON_COMPACT);
    resp_json(w, 200, text, strlen(text));
    free(text);
    json_decref(out);
    sodium_memzero(&login, sizeof login);
}

void api_session_delete(struct req *r, struct resp *w)
{
    char token[AUTH_SECRET_CHARS + 8];
    if (access_session_cookie(r, token, sizeof token)) {
        struct err e = ERR_INIT;
        enum app_err rc = auth_logout(r->store, token, r->client, &e);
        sodium_memzero(token, sizeof token);
        if (rc != E_OK) {
            resp_error(w, e.code, e.msg, NULL);
            return;
        }
    }
    char cookie[128];
    snprintf(cookie, sizeof cookie, "%s=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0%s",
             access_cookie_name(r), r->secure ? "; Secure" : "");
    resp_header(w, "Set-Cookie", arena_strdup(r->arena, cookie));
    w->status = 204;
    buf_reset(&w->body);
}

struct audit_ctx {
    json_t *list;
};

static enum app_err add_entry(void *ctx, const struct audit_entry *a)
{
    struct audit_ctx *c = ctx;
    json_t *o = json_object();
    json_object_set_new(o, "seq", json_integer(a->seq));
    json_object_set_new(o, "time", json_string(a->time));
    json_object_set_new(o, "user", json_string(a->user));
    json_object_set_new(o, "address", a->address ? json_string(a->address) : json_null());
    json_object_set_new(o, "action", a->action ? json_string(a->action) : json_null());
    json_object_set_new(o, "kind", a->kind ? json_string(a->kind) : json_null());
    json_object_set_new(o, "id", a->object_id ? json_string(a->object_id) : json_null());
    json_object_set_new(o, "detail", a->detail ? json_string(a->detail) : json_null());
    json_object_set_new(o, "hash", json_string(a->hash));
    json_array_append_new(c->list, o);
    return E_OK;
}

void api_audit_list(struct req *r, struct resp *w)
{
    struct audit_filter f = {
        .since = r->query(r, "since"), .user = r->query(r, "user"), .limit = 1000};
    const char *after = r->query(r, "after");
    if (after) {
        f.after_seq = strtoll(after, NULL, 10);
    }
    struct audit_ctx c = {.list = json_array()};
    struct err e = ERR_INIT;
    if (audit_each(r->store, r->who, &f, add_entry, &c, &e) != E_OK) {
        json_decref(c.list);
        resp_error(w, e.code, e.msg, NULL);
        return;
    }
    char *text = json_dumps(c.list, JSON_COMPACT);
    resp_json(w, 200, text, strlen(text));
    free(text);
    json_decref(c.list);
}
