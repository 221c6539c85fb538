/*
 * writer.c: the canonical bundle writer used by export and the API.
 *
 * Output is deterministic: lists in the format's order, one object per line,
 * known fields in the format's order, then unknown fields as they were read.
 * Callers supply objects sorted by id, so two exports of the same data are
 * byte-identical.
 */
#include "bundle/bundle.h"
#include "bundle/codec.h"

void bundle_writer_begin(struct bundle_writer *w, FILE *out)
{
    w->out = out;
    w->list = -1;
    w->n_in_list = 0;
    w->text = (struct buf)BUF_INIT;
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

void bundle_writer_put(struct bundle_writer *w, enum obj_kind kind, const void *obj)
{
    open_list(w, kind);
    buf_reset(&w->text);
    buf_adds(&w->text, w->n_in_list ? ",\n" : "\n");
    codec_encode_text(kind, obj, &w->text);
    fwrite(w->text.data, 1, w->text.len, w->out);
    w->n_in_list++;
}

enum app_err bundle_writer_end(struct bundle_writer *w)
{
    if (w->list >= 0) {
        fputs("\n]", w->out);
    }
    fputs("}\n", w->out);
    buf_release(&w->text);
    if (fflush(w->out) != 0 || ferror(w->out)) {
        return E_IO;
    }
    return E_OK;
}

void bundle_writer_abandon(struct bundle_writer *w)
{
    buf_release(&w->text);
}

void bundle_encode_object(enum obj_kind kind, const void *obj, struct buf *out)
{
    codec_encode_text(kind, obj, out);
}
