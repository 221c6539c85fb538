/*
 * mhd.c: loads libmicrohttpd when `refuge serve` starts (mhd.h). The soname
 * is the one the build found (REFUGE_MHD_SONAME), so the library loaded is
 * the one whose microhttpd.h server.c was compiled against.
 */
#include "http/mhd.h"

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

#ifndef REFUGE_MHD_SONAME
#    error "REFUGE_MHD_SONAME (libmicrohttpd's soname) is set by src/CMakeLists.txt"
#endif

#define SYM(field, name)                      \
    {                                         \
        name, offsetof(struct mhd_api, field) \
    }

static const struct {
    const char *name;
    size_t offset; /* of its pointer in struct mhd_api */
} symbols[] = {
    SYM(start_daemon, "MHD_start_daemon"),
    SYM(stop_daemon, "MHD_stop_daemon"),
    SYM(quiesce_daemon, "MHD_quiesce_daemon"),
    SYM(get_daemon_info, "MHD_get_daemon_info"),
    SYM(get_connection_info, "MHD_get_connection_info"),
    SYM(lookup_connection_value, "MHD_lookup_connection_value"),
    SYM(suspend_connection, "MHD_suspend_connection"),
    SYM(resume_connection, "MHD_resume_connection"),
    SYM(create_response, "MHD_create_response_from_buffer_with_free_callback"),
    SYM(add_response_header, "MHD_add_response_header"),
    SYM(queue_response, "MHD_queue_response"),
    SYM(destroy_response, "MHD_destroy_response"),
};

#undef SYM

_Static_assert(sizeof symbols / sizeof symbols[0] * sizeof(void (*)(void)) ==
                   sizeof(struct mhd_api),
               "one symbol for each member of struct mhd_api");

enum app_err mhd_load(struct mhd_api *out, struct err *e)
{
    /* Kept loaded until the process ends: its threads may run to the end. */
    static void *lib;
    if (!lib) {
        lib = dlopen(REFUGE_MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
    }
    if (!lib) {
        const char *why = dlerror();
        return err_set(e, E_IO,
                       "cannot load %s, which `refuge serve` needs (Debian: apt-get install "
                       "libmicrohttpd12): %s",
                       REFUGE_MHD_SONAME, why ? why : "unknown reason");
    }
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        dlerror();
        void *sym = dlsym(lib, symbols[i].name);
        if (!sym) {
            const char *why = dlerror();
            return err_set(e, E_IO, "%s has no function %s: %s", REFUGE_MHD_SONAME, symbols[i].name,
                           why ? why : "not found");
        }
        /* POSIX guarantees a data pointer from dlsym() holds a function's
         * address; ISO C has no conversion between them, so copy the bytes. */
        _Static_assert(sizeof sym == sizeof(void (*)(void)), "function pointers as wide as data");
        memcpy((char *)out + symbols[i].offset, &sym, sizeof sym);
    }
    return E_OK;
}
