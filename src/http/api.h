/*
 * api.h: the JSON API's handlers, one file per group; all are listed in
 * routes.c with the flags the router enforces before calling them.
 */
#ifndef REFUGE_HTTP_API_H
#define REFUGE_HTTP_API_H

#include "http/request.h"

/* Generic object handlers, for the kind of the matched route. */
void api_object_list(struct req *r, struct resp *w);
void api_object_create(struct req *r, struct resp *w);
void api_object_get(struct req *r, struct resp *w);
void api_object_put(struct req *r, struct resp *w);
void api_object_delete(struct req *r, struct resp *w);

void api_case_timeline(struct req *r, struct resp *w);
void api_case_findings(struct req *r, struct resp *w);
void api_case_statement(struct req *r, struct resp *w);
void api_import(struct req *r, struct resp *w);
void api_export(struct req *r, struct resp *w);
void api_health(struct req *r, struct resp *w);
void api_lock_status(struct req *r, struct resp *w);
void api_lock(struct req *r, struct resp *w);
void api_unlock(struct req *r, struct resp *w);
void api_openapi(struct req *r, struct resp *w);
void api_session_create(struct req *r, struct resp *w);
void api_session_delete(struct req *r, struct resp *w);
void api_audit_list(struct req *r, struct resp *w);
void api_search(struct req *r, struct resp *w);
void api_evidence_upload(struct req *r, struct resp *w);
void api_evidence_download(struct req *r, struct resp *w);
void api_me(struct req *r, struct resp *w);
void api_me_put(struct req *r, struct resp *w);
void api_users_list(struct req *r, struct resp *w);
void api_users_create(struct req *r, struct resp *w);
void api_users_disable(struct req *r, struct resp *w);
void api_case_assignees(struct req *r, struct resp *w);
void api_case_assign(struct req *r, struct resp *w);
void api_case_unassign(struct req *r, struct resp *w);
void api_dashboard(struct req *r, struct resp *w);
void api_case_history(struct req *r, struct resp *w);
void api_person_appearances(struct req *r, struct resp *w);

#endif
