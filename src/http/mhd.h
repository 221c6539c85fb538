/*
 * mhd.h: libmicrohttpd, loaded with dlopen() when `refuge serve` starts, so
 * that no other command loads it and the TLS libraries it links (GnuTLS,
 * nettle, p11-kit, ...), whose loading and constructors were most of the
 * start-up time of every refuge process. Internal to the http module: only
 * this file and server.c include microhttpd.h, and only server.c calls it.
 */
#ifndef REFUGE_HTTP_MHD_H
#define REFUGE_HTTP_MHD_H

#include <microhttpd.h>

#include "core/compat.h"
#include "core/err.h"

/* The functions server.c uses, with the prototypes of microhttpd.h. */
struct mhd_api {
    __typeof__(MHD_start_daemon) *start_daemon;
    __typeof__(MHD_stop_daemon) *stop_daemon;
    __typeof__(MHD_quiesce_daemon) *quiesce_daemon;
    __typeof__(MHD_get_daemon_info) *get_daemon_info;
    __typeof__(MHD_get_connection_info) *get_connection_info;
    __typeof__(MHD_lookup_connection_value) *lookup_connection_value;
    __typeof__(MHD_suspend_connection) *suspend_connection;
    __typeof__(MHD_resume_connection) *resume_connection;
    __typeof__(MHD_create_response_from_buffer_with_free_callback) *create_response;
    __typeof__(MHD_add_response_header) *add_response_header;
    __typeof__(MHD_queue_response) *queue_response;
    __typeof__(MHD_destroy_response) *destroy_response;
};

/* Loads the library (its soname, REFUGE_MHD_SONAME, is found by CMake at
 * build time) and resolves every member of *out. Loaded once for the
 * process; call before starting threads. E_IO with the loader's message and
 * what to install when the library or a function is missing. */
ATTR_NODISCARD enum app_err mhd_load(struct mhd_api *out, struct err *e);

#endif
