/*
 * words.c: the wording that needs grammar, done with ICU: dates in words
 * (a fixed pattern per language and precision), lists ("A and B", "A и B"),
 * plural categories, numbers spelled out, and Latin-to-Cyrillic
 * transliteration for salutations.
 */
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/udat.h>
#include <unicode/ulistformatter.h>
#include <unicode/unum.h>
#include <unicode/upluralrules.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "draft/draft.h"

enum { WORDS_MAX = 512 };

static const char *locale_of(enum draft_lang lang)
{
    return lang == DRAFT_RU ? "ru_RU" : "en_GB";
}

static void add_utf16(const UChar *s, int32_t n, struct buf *out)
{
    char tmp[WORDS_MAX * 3];
    int32_t len = 0;
    UErrorCode st = U_ZERO_ERROR;
    u_strToUTF8(tmp, (int32_t)sizeof tmp, &len, s, n, &st);
    if (U_SUCCESS(st) && len > 0 && (size_t)len <= sizeof tmp) {
        buf_add(out, tmp, (size_t)len);
    }
}

/* Formats the first day of d with an ICU pattern (quoted literals allowed). */
static bool format_pattern(enum draft_lang lang, const char *pattern, struct date d,
                           struct buf *out)
{
    UChar upat[128];
    UErrorCode st = U_ZERO_ERROR;
    u_strFromUTF8(upat, 128, NULL, pattern, -1, &st);
    UChar tz[] = {'U', 'T', 'C', 0};
    UDateFormat *f = udat_open(UDAT_PATTERN, UDAT_PATTERN, locale_of(lang), tz, -1, upat, -1, &st);
    if (U_FAILURE(st)) {
        return false;
    }
    UDate when = (UDate)date_first_day(d) * 86400000.0;
    UChar res[WORDS_MAX];
    int32_t n = udat_format(f, when, res, WORDS_MAX, NULL, &st);
    udat_close(f);
    if (U_FAILURE(st)) {
        return false;
    }
    add_utf16(res, n, out);
    return true;
}

static void fallback_iso(struct date d, struct buf *out)
{
    char iso[DATE_ISO_MAX];
    date_iso(d, iso);
    buf_adds(out, iso);
}

void draft_date_words(enum draft_lang lang, struct date d, bool approx, struct buf *out)
{
    if (d.prec == DATE_NONE) {
        return;
    }
    if (approx) {
        buf_adds(out, lang == DRAFT_RU ? "примерно " : "about ");
    }
    const char *pat;
    if (lang == DRAFT_RU) {
        pat = d.prec == DATE_DAY     ? "d MMMM y 'года'"
              : d.prec == DATE_MONTH ? "LLLL y 'года'"
                                     : "y 'год'";
    } else {
        pat = d.prec == DATE_DAY ? "d MMMM y" : d.prec == DATE_MONTH ? "LLLL y" : "y";
    }
    if (!format_pattern(lang, pat, d, out)) {
        fallback_iso(d, out);
    }
}

void draft_date_since(enum draft_lang lang, struct date d, struct buf *out)
{
    if (d.prec == DATE_NONE) {
        return;
    }
    if (lang == DRAFT_EN) {
        buf_adds(out, "since ");
        draft_date_words(lang, d, false, out);
        return;
    }
    /* "с" takes the genitive: "с 6 декабря 2019 года", "с октября 2019 года", "с 2017 года". */
    buf_adds(out, "с ");
    const char *pat = d.prec == DATE_DAY     ? "d MMMM y 'года'"
                      : d.prec == DATE_MONTH ? "MMMM y 'года'"
                                             : "y 'года'";
    if (!format_pattern(lang, pat, d, out)) {
        fallback_iso(d, out);
    }
}

/* Russian month names in the prepositional case ("в октябре"): the
 * stand-alone name from ICU with its final soft sign or short i replaced by
 * -е, or -е added after a hard consonant (all twelve months follow this). */
static void ru_month_prepositional(struct date d, struct buf *out)
{
    struct buf m = BUF_INIT;
    if (!format_pattern(DRAFT_RU, "LLLL", d, &m)) {
        buf_release(&m);
        fallback_iso(d, out);
        return;
    }
    if (m.len >= 2 &&
        (memcmp(m.data + m.len - 2, "ь", 2) == 0 || memcmp(m.data + m.len - 2, "й", 2) == 0)) {
        buf_truncate(&m, m.len - 2);
    }
    buf_add(out, m.data, m.len);
    buf_adds(out, "е");
    buf_release(&m);
}

void draft_date_phrase(enum draft_lang lang, struct date d, bool approx, struct buf *out)
{
    if (d.prec == DATE_NONE) {
        return;
    }
    if (lang == DRAFT_RU) {
        if (approx) {
            buf_adds(out, "примерно ");
        }
        if (d.prec == DATE_DAY) {
            draft_date_words(lang, d, false, out);
        } else if (d.prec == DATE_MONTH) {
            buf_adds(out, "в ");
            ru_month_prepositional(d, out);
            format_pattern(lang, " y 'года'", d, out);
        } else if (!format_pattern(lang, "'в' y 'году'", d, out)) {
            fallback_iso(d, out);
        }
        return;
    }
    if (d.prec == DATE_DAY) {
        buf_adds(out, approx ? "on or about " : "on ");
    } else {
        buf_adds(out, approx ? "in or around " : "in ");
    }
    draft_date_words(lang, d, false, out);
}

void draft_list(enum draft_lang lang, const char *const *items, size_t n, struct buf *out)
{
    if (n == 0) {
        return;
    }
    UErrorCode st = U_ZERO_ERROR;
    UListFormatter *lf = ulistfmt_open(locale_of(lang), &st);
    UChar **u = calloc(n, sizeof *u);
    int32_t *lens = calloc(n, sizeof *lens);
    bool ok = U_SUCCESS(st) && u && lens;
    size_t total = 0;
    for (size_t i = 0; ok && i < n; i++) {
        size_t bytes = strlen(items[i]);
        u[i] = calloc(bytes + 1, sizeof(UChar));
        if (!u[i]) {
            ok = false;
            break;
        }
        u_strFromUTF8(u[i], (int32_t)(bytes + 1), &lens[i], items[i], (int32_t)bytes, &st);
        ok = U_SUCCESS(st);
        total += (size_t)lens[i];
    }
    if (ok) {
        int32_t cap = (int32_t)(total + 64 * n + 16);
        UChar *res = calloc((size_t)cap, sizeof(UChar));
        int32_t len =
            res ? ulistfmt_format(lf, (const UChar *const *)u, lens, (int32_t)n, res, cap, &st) : 0;
        if (res && U_SUCCESS(st)) {
            char *utf8 = calloc((size_t)len * 3 + 1, 1);
            int32_t blen = 0;
            if (utf8) {
                u_strToUTF8(utf8, len * 3 + 1, &blen, res, len, &st);
                if (U_SUCCESS(st)) {
                    buf_add(out, utf8, (size_t)blen);
                } else {
                    ok = false;
                }
            }
            free(utf8);
        } else {
            ok = false;
        }
        free(res);
    }
    for (size_t i = 0; u && i < n; i++) {
        free(u[i]);
    }
    free(u);
    free(lens);
    if (lf) {
        ulistfmt_close(lf);
    }
    if (!ok) {
        for (size_t i = 0; i < n; i++) {
            buf_addf(out, "%s%s", i ? ", " : "", items[i]);
        }
    }
}

const char *draft_plural(enum draft_lang lang, int64_t n)
{
    static const char *const keywords[] = {"zero", "one", "two", "few", "many", "other"};
    UErrorCode st = U_ZERO_ERROR;
    UPluralRules *pr = uplrules_open(locale_of(lang), &st);
    if (U_FAILURE(st)) {
        return "other";
    }
    UChar kw[16];
    int32_t len = uplrules_select(pr, (double)n, kw, 16, &st);
    uplrules_close(pr);
    if (U_FAILURE(st)) {
        return "other";
    }
    char k[16];
    u_austrncpy(k, kw, len < 15 ? len : 15);
    k[len < 15 ? len : 15] = '\0';
    for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++) {
        if (strcmp(k, keywords[i]) == 0) {
            return keywords[i];
        }
    }
    return "other";
}

void draft_spell(enum draft_lang lang, int64_t n, struct buf *out)
{
    UErrorCode st = U_ZERO_ERROR;
    UNumberFormat *nf = unum_open(UNUM_SPELLOUT, NULL, 0, locale_of(lang), NULL, &st);
    if (U_SUCCESS(st)) {
        UChar res[128];
        int32_t len = unum_formatInt64(nf, n, res, 128, NULL, &st);
        unum_close(nf);
        if (U_SUCCESS(st)) {
            add_utf16(res, len, out);
            return;
        }
    }
    buf_addf(out, "%lld", (long long)n);
}

/* Common English spellings of Russian and Central Asian sounds first
 * (kh, zh, ya, ...), then ICU's Latin-Cyrillic transform for the rest. */
static const char cyrillic_rules[] =
    "Shch > Щ; shch > щ; Kh > Х; kh > х; Zh > Ж; zh > ж; Ch > Ч; ch > ч; Sh > Ш; sh > ш; "
    "Ts > Ц; ts > ц; Ya > Я; ya > я; Yu > Ю; yu > ю; Ye > Е; ye > е; Yo > Ё; yo > ё; "
    "iy > ий; yy > ый; Y > Й; y > й; ::Latin-Cyrillic;";

void draft_to_cyrillic(const char *s, struct buf *out)
{
    UErrorCode st = U_ZERO_ERROR;
    UChar id[] = {'x', '-', 'r', 'e', 'f', 'u', 'g', 'e', '-', 'r', 'u', 0};
    UChar rules[sizeof cyrillic_rules];
    int32_t rules_len = 0;
    u_strFromUTF8(rules, (int32_t)(sizeof rules / sizeof *rules), &rules_len, cyrillic_rules, -1,
                  &st);
    UParseError pe;
    UTransliterator *t =
        U_SUCCESS(st) ? utrans_openU(id, -1, UTRANS_FORWARD, rules, rules_len, &pe, &st) : NULL;
    UChar text[WORDS_MAX];
    int32_t len = 0;
    if (U_SUCCESS(st)) {
        u_strFromUTF8(text, WORDS_MAX / 2, &len, s, -1, &st);
    }
    if (U_SUCCESS(st)) {
        int32_t limit = len;
        utrans_transUChars(t, text, &len, WORDS_MAX, 0, &limit, &st);
    }
    if (t) {
        utrans_close(t);
    }
    if (U_SUCCESS(st)) {
        add_utf16(text, len, out);
    } else {
        buf_adds(out, s);
    }
}

void draft_capitalize(const char *s, struct buf *out)
{
    UChar text[WORDS_MAX];
    int32_t len = 0;
    UErrorCode st = U_ZERO_ERROR;
    u_strFromUTF8(text, WORDS_MAX, &len, s, -1, &st);
    if (U_FAILURE(st) || len == 0 || U16_IS_SURROGATE(text[0])) {
        buf_adds(out, s);
        return;
    }
    text[0] = (UChar)u_toupper(text[0]);
    add_utf16(text, len, out);
}
