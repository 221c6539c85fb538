/*
 * api_openapi.c: serves docs/openapi.json, compiled into the binary.
 */
#include "http/api.h"

#include <string.h>

#include "core/embedded.h"

void api_openapi(struct req *r, struct resp *w)
{
    (void)r;
    const struct embedded_file *f =
        embedded_find(refuge_refdata, refuge_refdata_count, "openapi.json");
    if (!f) {
        resp_error(w, E_NOT_FOUND, "no API description in this build", NULL);
        return;
    }
    resp_json(w, 200, (const char *)f->data, f->len);
}
