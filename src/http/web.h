/*
 * web.h: the web interface's static files (web/ in the source tree),
 * compiled into the binary and served at / with strong ETags.
 */
#ifndef REFUGE_HTTP_WEB_H
#define REFUGE_HTTP_WEB_H

#include <stdbool.h>

#include "http/request.h"

/* True for paths the web interface answers: everything outside /api. */
bool web_owns(const char *path);
/* Answers GET or HEAD for a file of the web interface ("/" is index.html):
 * 200 with its Content-Type and ETag, 304 when If-None-Match names the ETag,
 * 404 for unknown files, 405 for other methods. */
void web_serve(struct req *r, struct resp *w);

#endif
