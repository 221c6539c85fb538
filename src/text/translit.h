/*
 * translit.h: cached, per-thread ICU transliterators and ASCII folding for
 * name keys (internal to the text module).
 */
#ifndef REFUGE_TEXT_TRANSLIT_H
#define REFUGE_TEXT_TRANSLIT_H

#include <stdbool.h>
#include <stddef.h>

#include <unicode/utypes.h>

#include "core/buf.h"

enum text_tr {
    TR_RU,        /* Russian-Latin/BGN */
    TR_KK,        /* Kazakh-Latin/BGN */
    TR_KY,        /* Kirghiz-Latin/BGN */
    TR_UK,        /* Ukrainian-Latin/BGN */
    TR_UZ,        /* Uzbek-Latin/BGN (Cyrillic Uzbek) */
    TR_MN,        /* Mongolian-Latin/BGN */
    TR_CYRL,      /* Cyrillic-Latin, for other Cyrillic languages */
    TR_UG_ARAB,   /* data/translit-ug-Arab-Latn.txt */
    TR_AR,        /* data/translit-ar-Arab-Latn.txt */
    TR_HAN_FIRST, /* data/translit-zh-Hani-Latn.txt then Han-Latin/Names */
    TR_HAN_REST,  /* data/translit-zh-Hani-Latn.txt then Han-Latin */
    TR_ANY,       /* Any-Latin, for every other script */
    TR_COUNT
};

/* Transliterates in[0..n) with transform id into out (cap UTF-16 units).
 * Returns the output length, or -1 when the transform cannot be opened or the
 * output does not fit. Uses (and on first use clones) the calling thread's
 * transliterator. */
int32_t text_translit(enum text_tr id, const UChar *in, int32_t n, UChar *out, int32_t cap);

/* Transliterates one word with transform id and appends its ASCII fold (see
 * text_fold_ascii) to out; both are cached per thread, keyed by transform and
 * word. Returns false when the transform cannot be used. */
bool text_translit_fold_word(enum text_tr id, const UChar *word, int32_t n, struct buf *out);

/* Toneless lower-case pinyin of one Han code point into out (NUL-terminated,
 * at most 7 letters); initial selects the surname reading of a name's first
 * character. Returns false when c has no reading. Cached process-wide for
 * U+3400..U+9FFF. */
bool text_han_pinyin(UChar32 c, bool initial, char out[8]);

/* Appends the ASCII fold of in[0..n) to b: lower-case letters a-z, a single
 * space between words; ş -> sh, ç -> ch, ž -> zh, ı -> i, ə -> a, other
 * diacritics dropped, apostrophes and modifier letters removed, letters
 * without an ASCII base dropped. */
void text_fold_ascii(const UChar *in, int32_t n, struct buf *b);

/* Closes the calling thread's transliterators. */
void text_translit_thread_release(void);

#endif
