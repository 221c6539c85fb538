/*
 * textfold.h: free text made searchable in any language. Text is cut into
 * words with ICU's word break rules (which split Chinese, Japanese, Thai and
 * other unspaced scripts into words by dictionary), and each word is folded:
 * case folded, decomposed, diacritics (non-spacing marks) dropped and
 * recomposed, so "Ёлка", "ёлка" and "елка", or "Müller" and "muller", give
 * the same word. Punctuation and spaces are dropped.
 *
 * The full-text index stores folded words separated by spaces, and queries
 * are folded the same way, so the index itself needs no language knowledge.
 */
#ifndef REFUGE_TEXT_TEXTFOLD_H
#define REFUGE_TEXT_TEXTFOLD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* Called once per word in text order: the folded word (NUL-terminated UTF-8,
 * valid only during the call) and its byte range [start, end) in the input.
 * Return false to stop. */
typedef bool (*textfold_word_fn)(void *ctx, const char *word, size_t start, size_t end);

/*
 * Cuts len bytes of UTF-8 text into folded words and calls fn for each.
 * Invalid UTF-8 is replaced, not an error. Text longer than 4 MiB is cut
 * there. Returns the number of words passed to fn. Thread-safe; allocates
 * temporarily, and keeps one ICU word break iterator per thread (closed
 * when the thread exits).
 */
size_t textfold_words(const char *text, size_t len, textfold_word_fn fn, void *ctx);

/*
 * Appends the folded words of text (NUL-terminated; NULL is nothing) to b,
 * separated by single spaces, with a space before the first one when b is
 * not empty. Returns the number of words appended.
 */
size_t textfold_append(const char *text, struct buf *b);

#endif
