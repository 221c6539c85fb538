/*
 * writer.c: the canonical bundle writer used by export and the API.
 *
 * Output is deterministic: lists in the format's order, one object per line,
 * known fields in the format's order, then unknown fields as they were read.
 * Callers supply objects sorted by id, so two exports of the same data are
 * byte-identical.
 */
#include <stdlib.h>

#include <jansson.h>

#include "bundle/bundle.h"
#include "bundle/codec.h"

/* Compact, UTF-8 as it is (no \\u escapes), keys in insertion order. */
static const size_t dump_flags = JSON_COMPACT;

void bundle_writer_begin(struct bundle_writer *w, FILE *out)
{
    w->out = out;
    w->list = -1;
    w->n_in_list = 0;
    fprintf(out, "{\"format\": \"%s\"", BUNDLE_FORMAT);
}

static void open_list(struct bundle_writer *w, enum obj_kind kind)
{
    if (w->list == (int)kind) {
        return;
    }
    if (w->list >= 0) {
        fputs("\n]", w->out);
    }
    fprintf(w->out, ",\n\"%s\": [", obj_kind_list_name(kind));
    w->list = (int)kind;
    w->n_in_list = 0;
}

static int dump_to_file(const char *buffer, size_t size, void *data)
{
    return fwrite(buffer, 1, size, data) == size ? 0 : -1;
}

void bundle_writer_put(struct bundle_writer *w, enum obj_kind kind, const void *obj)
{
    open_list(w, kind);
    json_t *v = codec_encode(kind, obj);
    fputs(w->n_in_list ? ",\n" : "\n", w->out);
    json_dump_callback(v, dump_to_file, w->out, dump_flags);
    json_decref(v);
    w->n_in_list++;
}

enum app_err bundle_writer_end(struct bundle_writer *w)
{
    if (w->list >= 0) {
        fputs("\n]", w->out);
    }
    fputs("}\n", w->out);
    if (fflush(w->out) != 0 || ferror(w->out)) {
        return E_IO;
    }
    return E_OK;
}

void bundle_encode_object(enum obj_kind kind, const void *obj, struct buf *out)
{
    json_t *v = codec_encode(kind, obj);
    /* Dumped whole, then copied once: the callback form calls back per token. */
    char *text = json_dumps(v, dump_flags);
    if (text) {
        buf_adds(out, text);
        free(text);
    }
    json_decref(v);
}
