/*
 * fuzz_namekey.c: name keys (script detection, ICU transliteration through
 * translit.c, ASCII folding, tokens, affixes, blocking codes, scoring) on
 * arbitrary UTF-8 with the script and language hints the callers pass.
 * Byte 0 picks the hints; the rest is the name, and its second half is
 * scored against its first.
 *
 * Coverage files: src/text/namekey.c src/text/namescore.c src/text/translit.c
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/namekey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *scripts[] = {NULL, "Cyrl", "Latn", "Arab", "Hani", "Hans", "Hant", "Zzzz"};
static const char *langs[] = {NULL, "kk", "ru",  "ug",  "zh",  "ar", "ky", "uk",
                              "uz", "mn", "kaz", "rus", "uig", "xx", "",   "en"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 2048) {
        return 0;
    }
    const char *script = scripts[data[0] & 7];
    const char *lang = langs[(data[0] >> 3) & 15];
    char *name = malloc(size);
    memcpy(name, data + 1, size - 1);
    name[size - 1] = '\0';
    struct namekey *k = malloc(sizeof *k);
    struct namekey *k2 = malloc(sizeof *k2);
    bool ok = namekey_build(name, script, lang, k);
    struct buf b = BUF_INIT;
    namekey_format(k, &b);
    char codes[NAMEKEY_MAX_BLOCKS][8];
    size_t nc = namekey_blocks(k, codes, NAMEKEY_MAX_BLOCKS);
    if (nc > NAMEKEY_MAX_BLOCKS) {
        abort();
    }
    size_t half = strlen(name) / 2;
    (void)namekey_build(name + half, NULL, NULL, k2);
    char explain[NAMEKEY_EXPLAIN_MAX];
    double sc = namekey_score(k, k2, NULL, explain, sizeof explain);
    double self = namekey_score(k, k, NULL, NULL, 0);
    if (!(sc >= 0 && sc <= 1) || !(self >= 0 && self <= 1) || (ok && self < 0.999)) {
        fprintf(stderr, "score out of range for \"%s\": %.17g, self %.17g\n", name, sc, self);
        abort();
    }
    if (ok && k->readings[0].n_tokens >= 2) {
        (void)namekey_token_similarity(k->readings[0].tokens[0].text,
                                       k->readings[0].tokens[1].text);
    }
    buf_release(&b);
    free(k2);
    free(k);
    free(name);
    return 0;
}
