/*
 * err.h: the project's error codes, generated from err.def.
 *
 * Fallible functions return enum app_err (E_OK = 0) and put detail in a
 * caller-provided struct err. Only cli/ and http/ turn these into output.
 */
#ifndef REFUGE_CORE_ERR_H
#define REFUGE_CORE_ERR_H

#include "core/compat.h"

enum app_err {

#define ERR(sym, num, http, exitc, msg) sym,
#include "core/err.def"
#undef ERR
};

struct err {
    enum app_err code;
    char where[256]; /* JSON path, field or position; may be empty */
    char msg[512];   /* lower case, no full stop */
};

#define ERR_INIT \
    {            \
        0        \
    }

/* Sets code and message (and clears `where`); returns code for `return err_set(...)`. */
enum app_err err_set(struct err *e, enum app_err code, const char *fmt, ...) ATTR_PRINTF(3, 4);
enum app_err err_set_at(struct err *e, enum app_err code, const char *where, const char *fmt, ...)
    ATTR_PRINTF(4, 5);
const char *err_name(enum app_err code);
int err_number(enum app_err code);
int err_http_status(enum app_err code);
int err_exit_code(enum app_err code);
const char *err_default_message(enum app_err code);

#endif
