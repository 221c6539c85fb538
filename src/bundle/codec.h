/*
 * codec.h: internal to the bundle module: JSON values (jansson) to domain
 * structs and back, driven by one field table per object kind.
 */
#ifndef REFUGE_BUNDLE_CODEC_H
#define REFUGE_BUNDLE_CODEC_H

#include <jansson.h>

#include "bundle/bundle.h"

/* Decodes `value`, element `index` of its list, into obj (strings in arena).
 * Problems are reported with paths under `prefix`, or "<list>[index]" when
 * prefix is NULL. */
void codec_decode(enum obj_kind kind, size_t index, const char *prefix, json_t *value,
                  struct arena *arena, struct bundle_obj *obj, struct diags *problems,
                  struct diags *notes);

/* Encodes a domain struct of the given kind; returns a new reference. */
json_t *codec_encode(enum obj_kind kind, const void *obj);
/* Appends the same object as compact JSON text (what json_dumps of
 * codec_encode gives, byte for byte) without building a tree. */
void codec_encode_text(enum obj_kind kind, const void *obj, struct buf *out);

#endif
