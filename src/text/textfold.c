/*
 * textfold.c: word breaking and folding of free text for the full-text
 * index (see textfold.h), over ICU's word break iterator and normalizers.
 */
#include "text/textfold.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "core/xalloc.h"

enum { TEXT_MAX_BYTES = 4 << 20, WORD_MAX_UNITS = 256 };

/* Opening a word break iterator costs more than breaking a short text with
 * it, and text is broken field by field (an import, every snippet), so each
 * thread keeps one, closed when the thread exits. A nested call (from a
 * callback) opens its own. */
static pthread_once_t bi_once = PTHREAD_ONCE_INIT;
static pthread_key_t bi_key;
static bool bi_key_ok;

static void bi_free(void *p)
{
    if (p != NULL) {
        ubrk_close(p);
    }
}

static void bi_make_key(void)
{
    bi_key_ok = pthread_key_create(&bi_key, bi_free) == 0;
}

/* The thread's iterator, taken out of the thread's slot while in use. */
static UBreakIterator *bi_take(const UChar *u, int32_t n, UErrorCode *st)
{
    pthread_once(&bi_once, bi_make_key);
    UBreakIterator *bi = bi_key_ok ? pthread_getspecific(bi_key) : NULL;
    if (bi != NULL) {
        pthread_setspecific(bi_key, NULL);
        ubrk_setText(bi, u, n, st);
        if (U_SUCCESS(*st)) {
            return bi;
        }
        ubrk_close(bi);
        *st = U_ZERO_ERROR;
    }
    return ubrk_open(UBRK_WORD, "", u, n, st);
}

/* Puts bi back in the thread's slot (or closes it when the slot is taken). */
static void bi_give(UBreakIterator *bi)
{
    if (bi_key_ok && pthread_getspecific(bi_key) == NULL && pthread_setspecific(bi_key, bi) == 0) {
        return;
    }
    ubrk_close(bi);
}

/* Folds one word (UTF-16) into out as UTF-8: case fold, NFD, drop
 * non-spacing marks, NFC. Returns false when nothing is left. */
static bool fold_word(const UChar *w, int32_t n, char *out, size_t out_size)
{
    UErrorCode st = U_ZERO_ERROR;
    UChar folded[WORD_MAX_UNITS * 3];
    UChar decomposed[WORD_MAX_UNITS * 6];
    UChar stripped[WORD_MAX_UNITS * 6];
    UChar composed[WORD_MAX_UNITS * 6];
    if (n > WORD_MAX_UNITS) {
        n = WORD_MAX_UNITS;
        if (U16_IS_LEAD(w[n - 1])) {
            n--;
        }
    }
    int32_t nf = u_strFoldCase(folded, (int32_t)(sizeof folded / sizeof *folded), w, n,
                               U_FOLD_CASE_DEFAULT, &st);
    if (U_FAILURE(st)) {
        return false;
    }
    const UNormalizer2 *nfd = unorm2_getNFDInstance(&st);
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&st);
    if (U_FAILURE(st)) {
        return false;
    }
    int32_t nd = unorm2_normalize(nfd, folded, nf, decomposed,
                                  (int32_t)(sizeof decomposed / sizeof *decomposed), &st);
    if (U_FAILURE(st)) {
        return false;
    }
    int32_t ns = 0;
    for (int32_t i = 0; i < nd;) {
        UChar32 c;
        int32_t at = i;
        U16_NEXT(decomposed, i, nd, c);
        if (u_charType(c) == U_NON_SPACING_MARK) {
            continue;
        }
        for (int32_t j = at; j < i; j++) {
            stripped[ns++] = decomposed[j];
        }
    }
    if (ns == 0) {
        return false;
    }
    int32_t nc = unorm2_normalize(nfc, stripped, ns, composed,
                                  (int32_t)(sizeof composed / sizeof *composed), &st);
    if (U_FAILURE(st)) {
        return false;
    }
    int32_t len = 0;
    u_strToUTF8WithSub(out, (int32_t)out_size - 1, &len, composed, nc, 0xFFFD, NULL, &st);
    if (U_FAILURE(st) || len <= 0 || (size_t)len >= out_size) {
        return false;
    }
    out[len] = '\0';
    return true;
}

/* Byte offset in the UTF-8 input of each UTF-16 unit, filled as the text is
 * converted, so words can be reported by their byte range. */
static int32_t *utf8_offsets(const char *text, size_t len, const UChar *u, int32_t n)
{
    int32_t *off = xmalloc(((size_t)n + 1) * sizeof *off);
    size_t b = 0;
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        int32_t at = i;
        U16_NEXT(u, i, n, c);
        /* Each code point came from 1-4 bytes; invalid bytes became U+FFFD
         * from one byte each, which the lead byte's length tells apart. */
        size_t bytes = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
        if (c == 0xFFFD && b < len && (unsigned char)text[b] != 0xEF) {
            bytes = 1;
        }
        for (int32_t j = at; j < i; j++) {
            off[j] = (int32_t)b;
        }
        b += bytes;
        if (b > len) {
            b = len;
        }
    }
    off[n] = (int32_t)len;
    return off;
}

size_t textfold_words(const char *text, size_t len, textfold_word_fn fn, void *ctx)
{
    if (!text || !len) {
        return 0;
    }
    if (len > TEXT_MAX_BYTES) {
        len = TEXT_MAX_BYTES;
    }
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = 0;
    u_strFromUTF8WithSub(NULL, 0, &n, text, (int32_t)len, 0xFFFD, NULL, &st);
    if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st)) {
        return 0;
    }
    st = U_ZERO_ERROR;
    UChar *u = xmalloc(((size_t)n + 1) * sizeof *u);
    u_strFromUTF8WithSub(u, n + 1, NULL, text, (int32_t)len, 0xFFFD, NULL, &st);
    if (U_FAILURE(st)) {
        free(u);
        return 0;
    }
    UBreakIterator *bi = bi_take(u, n, &st);
    if (U_FAILURE(st)) {
        free(u);
        return 0;
    }
    int32_t *off = utf8_offsets(text, len, u, n);
    size_t words = 0;
    char word[WORD_MAX_UNITS * 3 * 4 + 1];
    int32_t start = ubrk_first(bi);
    for (int32_t end = ubrk_next(bi); end != UBRK_DONE; start = end, end = ubrk_next(bi)) {
        if (ubrk_getRuleStatus(bi) < UBRK_WORD_NONE_LIMIT) {
            continue; /* spaces and punctuation */
        }
        if (!fold_word(u + start, end - start, word, sizeof word)) {
            continue;
        }
        words++;
        if (!fn(ctx, word, (size_t)off[start], (size_t)off[end])) {
            break;
        }
    }
    /* Detach the text (freed below) before the iterator is kept. */
    UErrorCode reset = U_ZERO_ERROR;
    ubrk_setText(bi, NULL, 0, &reset);
    if (U_SUCCESS(reset)) {
        bi_give(bi);
    } else {
        ubrk_close(bi);
    }
    free(off);
    free(u);
    return words;
}

static bool append_word(void *ctx, const char *word, size_t start, size_t end)
{
    (void)start;
    (void)end;
    struct buf *b = ctx;
    if (b->len) {
        buf_addch(b, ' ');
    }
    buf_adds(b, word);
    return true;
}

size_t textfold_append(const char *text, struct buf *b)
{
    return text ? textfold_words(text, strlen(text), append_word, b) : 0;
}
