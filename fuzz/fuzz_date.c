/*
 * fuzz_date.c: the reduced-precision ISO date parser. What parses must
 * print back to a form that parses to the same date, cover a non-empty
 * range of days whose first day maps back to itself, and read in words.
 *
 * Coverage files: src/domain/date.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what, const char *input)
{
    if (!ok) {
        fprintf(stderr, "date \"%s\": %s\n", input, what);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64) {
        return 0;
    }
    char s[65];
    memcpy(s, data, size);
    s[size] = '\0';
    struct date d;
    const char *why = NULL;
    if (!date_parse(s, &d, &why)) {
        check(why != NULL && *why != '\0', "refused without a reason", s);
        return 0;
    }
    check(d.prec >= DATE_YEAR && d.prec <= DATE_DAY, "precision out of range", s);
    char iso[DATE_ISO_MAX];
    date_iso(d, iso);
    struct date back;
    check(date_parse(iso, &back, &why), "its ISO form does not parse", s);
    check(date_cmp(d, back) == 0 && back.prec == d.prec, "its ISO form is another date", s);
    int64_t first = date_first_day(d);
    int64_t last = date_last_day(d);
    check(first <= last, "its last day is before its first", s);
    struct date f = date_from_days(first);
    check(date_first_day(f) == first, "day numbers do not round-trip", s);
    char words[64];
    date_words_en(d, (data[0] & 1) != 0, words, sizeof words);
    check(words[0] != '\0', "no words", s);
    return 0;
}
