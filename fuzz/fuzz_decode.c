/*
 * fuzz_decode.c: the API body decoder (bundle_decode_text): the first byte
 * picks the object kind, the rest is the request body. A body that decodes
 * without problems must encode, and the encoding must decode again without
 * problems (what the API writes back, it reads).
 *
 * Coverage files: src/bundle/codec.c src/bundle/reader.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bundle/bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    enum obj_kind kind = (enum obj_kind)(data[0] % OBJ_KIND_COUNT);
    struct arena a = ARENA_INIT;
    struct bundle_obj obj;
    struct diags problems = DIAGS_INIT;
    enum app_err rc =
        bundle_decode_text(kind, (const char *)data + 1, size - 1, &a, &obj, &problems);
    if (rc == E_OK && obj.valid) {
        struct buf out = BUF_INIT;
        bundle_encode_object(kind, &obj.u, &out);
        struct bundle_obj again;
        struct diags p2 = DIAGS_INIT;
        if (bundle_decode_text(kind, out.data, out.len, &a, &again, &p2) != E_OK) {
            fprintf(stderr, "re-encoded %s does not decode: %s: %s\n%.*s\n", obj_kind_name(kind),
                    p2.n_items ? p2.items[0].where : "", p2.n_items ? p2.items[0].msg : "",
                    (int)out.len, out.data);
            abort();
        }
        diags_release(&p2);
        buf_release(&out);
    }
    diags_release(&problems);
    arena_release(&a);
    return 0;
}
