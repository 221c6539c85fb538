/*
 * access.h: who may do what, as the router asks it: authentication of a
 * request (session cookie or bearer token), CSRF, per-object access by role
 * and case assignment, and the audit trail. The policy itself lives in
 * service/auth.c; this file adapts it to requests.
 */
#ifndef REFUGE_HTTP_ACCESS_H
#define REFUGE_HTTP_ACCESS_H

#include "http/request.h"

enum access_verb {
    ACCESS_READ,
    ACCESS_WRITE,
    ACCESS_ADMIN, /* delete (docs/security.md: the admin verb), on a stored object */
};

/* Authenticates the request; on failure writes 401 and returns false. */
bool access_authenticate(struct req *r, struct resp *w);
/* For requests signed in by session cookie, the session's CSRF token into
 * out (AUTH_CSRF_CHARS + 1 bytes, see service/auth.h); false otherwise. */
bool access_session_csrf(struct req *r, char *out);
/* For cookie sessions, checks X-CSRF-Token; on failure writes 403. */
bool access_csrf(struct req *r, struct resp *w);
/* For every request that may change state (any method but GET, HEAD and
 * OPTIONS), whoever sends it: refuses (403) a browser's cross-site request,
 * one with `Sec-Fetch-Site: cross-site` or `same-site`, or with an Origin
 * header that is not this server's own origin (scheme from r->secure, host
 * from the Host header; "null" is foreign). Requests without these headers
 * (scripts, older browsers) pass: CSRF tokens and SameSite=Strict still
 * guard them. */
bool access_same_origin(struct req *r, struct resp *w);
/* The session cookie's name: "__Host-refuge_session" on secure requests
 * (TLS, or a trusted proxy's X-Forwarded-Proto: https), which browsers only
 * keep when it is Secure, for the whole host and from this origin;
 * "refuge_session" on plain HTTP (loopback), where the prefix cannot be used.
 * Only the name for the request's scheme is accepted. */
const char *access_cookie_name(const struct req *r);
/* The session cookie's value from the Cookie header, into out (n bytes);
 * false when there is none or it does not fit. */
bool access_session_cookie(const struct req *r, char *out, size_t n);
/* True for administrators. */
bool access_is_admin(const struct req *r);
/* May the requester read or write the object? Writes 403 (or 404 where the
 * object's existence must not be revealed) and returns false otherwise.
 * For creation, `id` is the new object's id and `obj` its decoded content. */
bool access_object(struct req *r, enum obj_kind kind, const char *id, const void *obj,
                   enum access_verb verb, struct resp *w);
/* Removes from an object the references the requester may not follow
 * before it is shown: a case's subjects and an action's target persons that
 * they may not read (docs/security.md: a viewer sees a case with its
 * sensitive subjects withheld). obj's strings live in r->arena. */
void access_withhold(struct req *r, enum obj_kind kind, void *obj);
/* True when the requester may read every stored object of the kind exactly
 * as stored: nothing left out of a list and nothing withheld (administrators
 * and coordinators; any reader for sources, organizations and risks). Such
 * reads may serve an object's stored JSON text as it is. */
bool access_reads_as_stored(const struct req *r, enum obj_kind kind);
/* May the requester see the case together with everyone in it (its subjects'
 * names appear in timelines, findings, statements and exports)? True when
 * the case is readable and every subject is; otherwise writes 403 or 404
 * and returns false. */
bool access_case_in_full(struct req *r, const char *case_id, struct resp *w);
/* May the requester import bundles or export the whole store? Administrators
 * and coordinators only; otherwise writes 403 and returns false. */
bool access_all_cases(struct req *r, struct resp *w);

/* For lists of cases: 0 when the requester sees every case, else the user id
 * whose assignments limit the list (-1: none at all). */
int64_t access_case_scope(const struct req *r);
/* Records an audit entry for the request's principal; false (and a message
 * on stderr) when it could not be recorded: a read that must be audited is
 * then refused by its handler. */
bool access_audit(struct req *r, const char *action, enum obj_kind kind, const char *id,
                  const char *detail);

#endif
