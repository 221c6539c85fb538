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
};

/* Authenticates the request; on failure writes 401 and returns false. */
bool access_authenticate(struct req *r, struct resp *w);
/* For requests signed in by session cookie, the session's CSRF token into
 * out (AUTH_CSRF_CHARS + 1 bytes, see service/auth.h); false otherwise. */
bool access_session_csrf(struct req *r, char *out);
/* For cookie sessions, checks X-CSRF-Token; on failure writes 403. */
bool access_csrf(struct req *r, struct resp *w);
/* True for administrators. */
bool access_is_admin(const struct req *r);
/* May the requester read or write the object? Writes 403 (or 404 where the
 * object's existence must not be revealed) and returns false otherwise.
 * For creation, `id` is the new object's id and `obj` its decoded content. */
bool access_object(struct req *r, enum obj_kind kind, const char *id, const void *obj,
                   enum access_verb verb, struct resp *w);
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
