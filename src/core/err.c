/*
 * err.c: error code table lookups and struct err helpers (see err.h).
 */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct err_row {
    const char *name;
    int number;
    int http;
    int exitc;
    const char *msg;
};

static const struct err_row rows[] = {
#define ERR(sym, num, http, exitc, msg) {#sym, num, http, exitc, msg},
#include "core/err.def"
#undef ERR
};

static const struct err_row *row(enum app_err code)
{
    if ((unsigned)code >= ARRAY_LEN(rows)) {
        return &rows[E_INTERNAL];
    }
    return &rows[code];
}

ATTR_PRINTF(4, 0)

static void vset(struct err *e, enum app_err code, const char *where, const char *fmt, va_list ap)
{
    if (!e) {
        return;
    }
    /* Formatted aside first: callers wrap the previous message with
     * err_set(e, ..., "...: %s", e->msg), and formatting into the buffer an
     * argument is read from is undefined (it cut messages short). */
    char w[sizeof e->where];
    char m[sizeof e->msg];
    snprintf(w, sizeof w, "%s", where ? where : "");
    vsnprintf(m, sizeof m, fmt, ap);
    e->code = code;
    memcpy(e->where, w, sizeof w);
    memcpy(e->msg, m, sizeof m);
}

enum app_err err_set(struct err *e, enum app_err code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(e, code, NULL, fmt, ap);
    va_end(ap);
    return code;
}

enum app_err err_set_at(struct err *e, enum app_err code, const char *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(e, code, where, fmt, ap);
    va_end(ap);
    return code;
}

const char *err_name(enum app_err code)
{
    return row(code)->name;
}

int err_number(enum app_err code)
{
    return row(code)->number;
}

int err_http_status(enum app_err code)
{
    return row(code)->http;
}

int err_exit_code(enum app_err code)
{
    return row(code)->exitc;
}

const char *err_default_message(enum app_err code)
{
    return row(code)->msg;
}
