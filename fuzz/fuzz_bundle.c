/*
 * fuzz_bundle.c: the streaming bundle reader (bundle_read: yajl events to
 * jansson values to domain structs) on arbitrary bytes. Every object handed
 * to the sink is re-encoded, so the encoder sees whatever the reader
 * accepts.
 *
 * Coverage files: src/bundle/reader.c src/bundle/codec.c
 */
#include <stdint.h>
#include <stdio.h>

#include "bundle/bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum app_err on_object(void *ctx, const struct bundle_obj *obj, struct diags *problems)
{
    (void)problems;
    size_t *n = ctx;
    (*n)++;
    if (obj->valid) {
        struct buf out = BUF_INIT;
        bundle_encode_object(obj->kind, &obj->u, &out);
        buf_release(&out);
    }
    return E_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    FILE *in = fmemopen((void *)(uintptr_t)data, size, "rb");
    if (!in) {
        return 0;
    }
    size_t n = 0;
    struct bundle_sink sink = {.ctx = &n, .object = on_object};
    struct diags problems = DIAGS_INIT;
    struct diags notes = DIAGS_INIT;
    /* Small limits so that the limit paths are reached too. */
    struct bundle_limits limits = {.max_string = 4096, .max_depth = 16};
    (void)bundle_read(in, &limits, &sink, &problems, &notes);
    diags_release(&problems);
    diags_release(&notes);
    fclose(in);
    return 0;
}
