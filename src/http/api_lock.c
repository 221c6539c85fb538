/*
 * api_lock.c: the lock of the store's key (lock.h) over HTTP: its state,
 * locking now, unlocking with a passphrase of the keyring.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "http/api.h"
#include "http/lock.h"
#include "service/auth.h"

void api_lock_status(struct req *r, struct resp *w)
{
    (void)r;
    char body[96];
    int n = snprintf(body, sizeof body, "{\"encrypted\":%s,\"locked\":%s}",
                     lock_available() ? "true" : "false", lock_locked() ? "true" : "false");
    resp_json(w, 200, body, (size_t)n);
}

void api_lock(struct req *r, struct resp *w)
{
    char why[96];
    snprintf(why, sizeof why, "asked by %s", r->who ? r->who->name : "-");
    if (!lock_request(why)) {
        resp_error(w, E_CONFLICT, "this database is not encrypted: it has no key to lock", NULL);
        return;
    }
    static const char body[] = "{\"locked\":\"now\"}";
    resp_json(w, 202, body, sizeof body - 1);
}

void api_unlock(struct req *r, struct resp *w)
{
    json_error_t jerr;
    json_t *body = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *jp = json_object_get(body, "passphrase");
    const char *pass = json_string_value(jp);
    if (!body || !json_is_object(body) || !pass || !*pass) {
        json_decref(body);
        resp_error(w, E_INVALID, "send {\"passphrase\": ...}", "passphrase");
        return;
    }
    size_t len = json_string_length(jp);
    unsigned retry = 0;
    struct err e = ERR_INIT;
    enum app_err rc = lock_release(pass, len, r->client, &retry, &e);
    /* The passphrase's copies that are ours: the parsed string, the body. */
    sodium_memzero((void *)(uintptr_t)pass, len);
    json_decref(body);
    if (r->body_len) {
        sodium_memzero((void *)(uintptr_t)r->body, r->body_len);
    }
    if (rc != E_OK) {
        resp_error(w, rc, rc == E_AUTH ? "this passphrase does not unlock the store" : e.msg,
                   rc == E_AUTH ? "passphrase" : NULL);
        if (retry) {
            char ra[16];
            snprintf(ra, sizeof ra, "%u", retry);
            resp_header(w, "Retry-After", arena_strdup(r->arena, ra));
        }
        return;
    }
    static const char ok[] = "{\"locked\":false}";
    resp_json(w, 200, ok, sizeof ok - 1);
}
