/*
 * namekey.c: building the readings of a name (script and language choice,
 * transliteration, ASCII folding, canonical token spelling, affixes, Arabic
 * articles, pinyin syllables), formatting keys and blocking codes.
 */
#include "text/namekey.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "text/translit.h"

enum { UMAX = 512 }; /* UTF-16 units of input kept */

/* ---- small string helpers ------------------------------------------------- */

static void copy_str(char *dst, size_t cap, const char *src, size_t n)
{
    if (n >= cap) {
        n = cap - 1;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Copies UTF-8 s into dst, cutting at a character boundary. */
static void copy_utf8(char *dst, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) {
            n--;
        }
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static bool is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

static bool starts(const char *s, const char *prefix)
{
    for (; *prefix != '\0'; s++, prefix++) {
        if (*s != *prefix) {
            return false;
        }
    }
    return true;
}

static bool ends(const char *s, size_t n, const char *suffix)
{
    size_t m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* ---- canonical spelling of one word --------------------------------------- */

/* Rewrites lower-case ASCII word w into canonical symbols (see namekey.h). */
static void canon_symbols(const char *w, char *o, size_t cap)
{
    size_t n = strlen(w);
    size_t k = 0;
    size_t i = 0;
    while (i < n && k + 1 < cap) {
        const char *p = w + i;
        char next2 = i + 2 < n ? w[i + 2] : '\0';
        char sym;
        size_t adv;
        if (starts(p, "dzh") || starts(p, "sch") || starts(p, "tch")) {
            sym = p[0] == 'd' ? 'J' : p[0] == 's' ? 'S' : 'C';
            adv = 3;
        } else if (starts(p, "zsch") || starts(p, "tsch")) {
            sym = p[0] == 'z' ? 'J' : 'C';
            adv = 4;
        } else if (starts(p, "zh") || starts(p, "dj")) {
            sym = 'J';
            adv = 2;
        } else if (starts(p, "sh")) {
            sym = 'S';
            adv = 2;
        } else if (starts(p, "ch")) {
            /* German/Dutch ch after a vowel and before a consonant is kh (Achmed). */
            bool kh = i > 0 && is_vowel(w[i - 1]) && next2 != '\0' && !is_vowel(next2) &&
                      next2 != 'y' && next2 != 'h';
            sym = kh ? 'H' : 'C';
            adv = 2;
        } else if (starts(p, "kh")) {
            sym = 'H';
            adv = 2;
        } else if (starts(p, "gh")) {
            sym = 'g';
            adv = 2;
        } else if (starts(p, "ph")) {
            sym = 'f';
            adv = 2;
        } else if (starts(p, "th")) {
            sym = 't';
            adv = 2;
        } else if (starts(p, "dh")) {
            sym = 'd';
            adv = 2;
        } else if (starts(p, "ck")) {
            sym = 'k';
            adv = 2;
        } else if (starts(p, "ng") && !(is_vowel(next2) || next2 == 'y')) {
            sym = 'N';
            adv = 2;
        } else if (starts(p, "ou") || starts(p, "oo")) {
            sym = 'u';
            adv = 2;
        } else {
            adv = 1;
            char next = i + 1 < n ? w[i + 1] : '\0';
            switch (p[0]) {
            case 'j':
                sym = 'J';
                break;
            case 'x':
            case 'h':
                sym = 'H';
                break;
            case 'q':
                sym = 'k';
                break;
            case 'w':
                sym = 'v';
                break;
            case 'c':
                sym = (next == 'e' || next == 'i' || next == 'y') ? 's' : 'k';
                break;
            case 'y':
                sym = (is_vowel(next) && next != 'i') ? 'y' : 'i';
                break;
            default:
                sym = p[0];
                break;
            }
        }
        o[k++] = sym;
        i += adv;
    }
    o[k] = '\0';
}

struct affix_rule {
    const char *end;
    enum namekey_affix affix;
    size_t min_stem;
};

/* Longest endings first within each group; symbols as canon_symbols writes them. */
static const struct affix_rule affix_rules[] = {
    {"oviCna", NAMEKEY_AFFIX_PATRONYMIC_F, 3}, {"eviCna", NAMEKEY_AFFIX_PATRONYMIC_F, 3},
    {"iCna", NAMEKEY_AFFIX_PATRONYMIC_F, 3},   {"ovna", NAMEKEY_AFFIX_PATRONYMIC_F, 3},
    {"evna", NAMEKEY_AFFIX_PATRONYMIC_F, 3},   {"kizi", NAMEKEY_AFFIX_PATRONYMIC_F, 3},
    {"kazi", NAMEKEY_AFFIX_PATRONYMIC_F, 3},   {"gizi", NAMEKEY_AFFIX_PATRONYMIC_F, 3},
    {"oviC", NAMEKEY_AFFIX_PATRONYMIC_M, 3},   {"eviC", NAMEKEY_AFFIX_PATRONYMIC_M, 3},
    {"ugli", NAMEKEY_AFFIX_PATRONYMIC_M, 3},   {"ogli", NAMEKEY_AFFIX_PATRONYMIC_M, 3},
    {"oglu", NAMEKEY_AFFIX_PATRONYMIC_M, 3},   {"uglu", NAMEKEY_AFFIX_PATRONYMIC_M, 3},
    {"uulu", NAMEKEY_AFFIX_PATRONYMIC_M, 3},   {"uli", NAMEKEY_AFFIX_PATRONYMIC_M, 3},
    {"ulu", NAMEKEY_AFFIX_PATRONYMIC_M, 3},    {"ova", NAMEKEY_AFFIX_SURNAME_F, 3},
    {"eva", NAMEKEY_AFFIX_SURNAME_F, 3},       {"ov", NAMEKEY_AFFIX_SURNAME_M, 3},
    {"ev", NAMEKEY_AFFIX_SURNAME_M, 3},
};

/* Fills tok from one lower-case ASCII word; false when nothing is left.
 * abjad: read from Arabic script, which writes a doubled consonant once
 * (with a shadda), so two equal letters there are two consonants (خلل
 * Khalil, حدد Haddad) and both stay. */
static bool make_token(const char *word, struct namekey_token *tok, bool abjad)
{
    char sym[64];
    canon_symbols(word, sym, sizeof sym);
    size_t n = strlen(sym);
    tok->affix = NAMEKEY_AFFIX_NONE;
    for (size_t r = 0; r < sizeof affix_rules / sizeof affix_rules[0]; r++) {
        const struct affix_rule *ar = &affix_rules[r];
        size_t m = strlen(ar->end);
        if (n >= m + ar->min_stem && ends(sym, n, ar->end)) {
            /* A stem ending in a vowel before -ov/-ev is a name of its own (Lev, Ivanov is fine).
             */
            n -= m;
            sym[n] = '\0';
            tok->affix = (unsigned char)ar->affix;
            break;
        }
    }
    /* Doubled letters -> one (see abjad above). */
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < NAMEKEY_TOKEN_MAX; i++) {
        if (k > 0 && tok->text[k - 1] == sym[i] && !(abjad && !is_vowel(sym[i]))) {
            continue;
        }
        tok->text[k++] = sym[i];
    }
    tok->text[k] = '\0';
    size_t s = 0;
    for (size_t i = 0; i < k; i++) {
        if (!is_vowel(tok->text[i])) {
            tok->skel[s++] = tok->text[i];
        }
    }
    tok->skel[s] = '\0';
    return k > 0;
}

/* ---- words of an ASCII reading -------------------------------------------- */

enum { MAX_WORDS = 16, WORD_MAX = 48 };

struct words {
    size_t n;
    char w[MAX_WORDS][WORD_MAX];
};

static void split_words(const char *text, struct words *ws)
{
    ws->n = 0;
    const char *p = text;
    while (*p != '\0' && ws->n < MAX_WORDS) {
        while (*p == ' ') {
            p++;
        }
        const char *start = p;
        while (*p != '\0' && *p != ' ') {
            p++;
        }
        if (p > start) {
            copy_str(ws->w[ws->n++], WORD_MAX, start, (size_t)(p - start));
        }
    }
}

static bool is_particle(const char *w)
{
    static const char *const particles[] = {"al", "el", "ul", "ad",  "ar",  "as",  "ash",
                                            "at", "az", "an", "ibn", "bin", "bint"};
    for (size_t i = 0; i < sizeof particles / sizeof particles[0]; i++) {
        if (strcmp(w, particles[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* "abd", "abdu", "abdel", "abdul", "abdal", "abdur", ...: the first part of a
 * theophoric Arabic name, written alone. */
static bool is_abd_word(const char *w)
{
    if (!starts(w, "abd")) {
        return false;
    }
    const char *r = w + 3;
    if (*r == '\0') {
        return true;
    }
    if (!is_vowel(*r)) {
        return false;
    }
    r++;
    return *r == '\0' || (r[1] == '\0' && (*r == 'l' || *r == 'r'));
}

static void push_word(struct words *ws, const char *w, size_t n)
{
    if (ws->n < MAX_WORDS && n > 0) {
        copy_str(ws->w[ws->n++], WORD_MAX, w, n);
    }
}

/* Arabic particles and the Abd-compound: "abd al rahman", "abdel rahman",
 * "abdulrahman" and "abdurrahman" all become the two words "abd rahman"
 * (and the Chinese transcription "abudu..." too); articles standing alone
 * go. */
static bool in_list(const char *w, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(w, list[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* Allah after Abd, as the various readings write it. */
static bool is_allah(const char *w)
{
    static const char *const forms[] = {"allah", "alla",  "llah", "llh",  "lh",
                                        "allh",  "ullah", "ulla", "ullo", "allo"};
    return in_list(w, forms, sizeof forms / sizeof forms[0]);
}

/* A patronymic written as a word of its own (Kyrgyz "Asanbek uulu"). */
static bool is_patronymic_word(const char *w)
{
    static const char *const forms[] = {"uulu", "uly",  "uli",  "ulu",  "ugli", "ogly", "ogli",
                                        "oglu", "kyzy", "kizi", "qizi", "qyzy", "gyzy", "kyzi"};
    return in_list(w, forms, sizeof forms / sizeof forms[0]);
}

static void arabic_words(struct words *ws)
{
    struct words out;
    out.n = 0;
    for (size_t i = 0; i < ws->n; i++) {
        const char *w = ws->w[i];
        /* "bin" is also a Chinese given name (Liu Bin): "son of" only
         * between two names. */
        bool links = i > 0 && i + 1 < ws->n;
        if (is_particle(w) && ws->n > 1 && (strcmp(w, "bin") != 0 || links)) {
            continue;
        }
        if (is_patronymic_word(w) && out.n > 0) {
            char *prev = out.w[out.n - 1];
            size_t pl = strlen(prev);
            copy_str(prev + pl, WORD_MAX - pl, w, strlen(w));
            continue;
        }
        if (is_abd_word(w)) {
            size_t j = i + 1;
            while (j < ws->n && is_particle(ws->w[j])) {
                j++;
            }
            if (j < ws->n && is_allah(ws->w[j])) {
                push_word(&out, "abdulla", 7);
                i = j;
                continue;
            }
            push_word(&out, "abd", 3);
            if (j < ws->n) {
                const char *rest = ws->w[j];
                /* an article glued to the name ("abd alrahman") */
                if (starts(rest, "al") && strlen(rest) > 4) {
                    rest += 2;
                }
                push_word(&out, rest, strlen(rest));
                i = j;
            }
            continue;
        }
        size_t wl = strlen(w);
        if (starts(w, "abd") && wl >= 7 && is_vowel(w[3]) && !starts(w + 4, "lla") &&
            !starts(w + 4, "llo")) {
            /* abdulrahman, abdelaziz, abdurrahman, abdurehim -> abd + rest */
            const char *rest = w + 4;
            if (*rest == 'l' && strlen(rest) >= 4 && !is_vowel(rest[1])) {
                rest++;
            }
            push_word(&out, "abd", 3);
            push_word(&out, rest, strlen(rest));
            continue;
        }
        if (starts(w, "abudu") && wl >= 8) {
            push_word(&out, "abd", 3);
            push_word(&out, w + 5, wl - 5);
            continue;
        }
        push_word(&out, w, wl);
    }
    *ws = out;
}

/* ---- pinyin --------------------------------------------------------------- */

static const char *const py_initials[] = {"zh", "ch", "sh", "b", "p", "m", "f", "d",
                                          "t",  "n",  "l",  "g", "k", "h", "j", "q",
                                          "x",  "r",  "z",  "c", "s", "y", "w", ""};
static const char *const py_finals[] = {"iang", "iong", "uang", "ang", "eng", "ing", "ong", "uai",
                                        "uan",  "ian",  "iao",  "ai",  "ei",  "ao",  "ou",  "an",
                                        "en",   "in",   "un",   "ia",  "ie",  "iu",  "ua",  "uo",
                                        "ui",   "ue",   "er",   "a",   "o",   "e",   "i",   "u"};

struct syl {
    char ini[3];
    char fin[5];
};

enum { MAX_SYL = 12 };

/* Splits w into pinyin syllables (longest first, with backtracking). */
static bool py_split(const char *w, struct syl *out, size_t *n, size_t depth)
{
    if (*w == '\0') {
        *n = depth;
        return depth > 0;
    }
    if (depth >= MAX_SYL) {
        return false;
    }
    for (size_t a = 0; a < sizeof py_initials / sizeof py_initials[0]; a++) {
        const char *ini = py_initials[a];
        if (!starts(w, ini)) {
            continue;
        }
        size_t il = strlen(ini);
        for (size_t b = 0; b < sizeof py_finals / sizeof py_finals[0]; b++) {
            const char *fin = py_finals[b];
            if (!starts(w + il, fin)) {
                continue;
            }
            /* "er" only stands alone; an initial-less syllable needs a vowel start. */
            if (strcmp(fin, "er") == 0 && il > 0) {
                continue;
            }
            size_t fl = strlen(fin);
            copy_str(out[depth].ini, sizeof out[depth].ini, ini, il);
            copy_str(out[depth].fin, sizeof out[depth].fin, fin, fl);
            if (py_split(w + il + fl, out, n, depth + 1)) {
                return true;
            }
        }
    }
    return false;
}

static int by_letter(const void *a, const void *b)
{
    return *(const unsigned char *)a - *(const unsigned char *)b;
}

bool namekey_reading_syllables(const struct namekey_reading *r, char *out, size_t size)
{
    size_t len = 0;
    if (size == 0 || (strcmp(r->label, "Chinese") != 0 && strcmp(r->label, "Latin") != 0)) {
        return false;
    }
    for (const char *p = r->text; *p;) {
        size_t n = strcspn(p, " ");
        if (n > 0) {
            char w[NAMEKEY_TEXT_MAX];
            struct syl syl[MAX_SYL];
            size_t ns = 0;
            memcpy(w, p, n);
            w[n] = '\0';
            if (!py_split(w, syl, &ns, 0) || len + n >= size) {
                return false;
            }
            /* A bare vowel syllable is rare in Chinese names and common in
             * others that happen to split (A-li, E-mi-ri). */
            for (size_t k = 0; k < ns; k++) {
                if (syl[k].ini[0] == '\0' && strlen(syl[k].fin) == 1) {
                    return false;
                }
            }
            memcpy(out + len, w, n);
            len += n;
        }
        p += n + (p[n] != '\0');
    }
    out[len] = '\0';
    qsort(out, len, 1, by_letter);
    return len > 0;
}

bool namekey_reading_is_pinyin(const struct namekey_reading *r)
{
    char syl[NAMEKEY_TEXT_MAX * 2];
    return namekey_reading_syllables(r, syl, sizeof syl);
}

/* Undoes the Chinese transcription of a Uyghur or other non-Chinese name:
 * pinyin consonants to their Uyghur values, ai/ei -> e, ng -> n, the "er"
 * syllable -> r, yi -> i, wu -> u, and the vowel the transcription adds after
 * a final consonant dropped (Maimaiti -> memet, Tuerxun -> tursun). */
static void desinicize(const struct syl *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    char tmp[WORD_MAX * 2];
    for (size_t i = 0; i < n; i++) {
        const char *ini = s[i].ini;
        const char *fin = s[i].fin;
        const char *mi = ini;
        if (strcmp(ini, "x") == 0) {
            mi = "s";
        } else if (strcmp(ini, "q") == 0) {
            mi = "ch";
        } else if (strcmp(ini, "zh") == 0) {
            mi = "j";
        } else if (strcmp(ini, "c") == 0) {
            mi = "s";
        } else if (strcmp(ini, "y") == 0 && (fin[0] == 'i')) {
            mi = "";
        } else if (strcmp(ini, "w") == 0 && strcmp(fin, "u") == 0) {
            mi = "";
        }
        const char *mf = fin;
        if (strcmp(fin, "ai") == 0 || strcmp(fin, "ei") == 0) {
            mf = "e";
        } else if (strcmp(fin, "er") == 0) {
            mf = "r";
        } else if (strcmp(fin, "ang") == 0) {
            mf = "an";
        } else if (strcmp(fin, "eng") == 0) {
            mf = "en";
        } else if (strcmp(fin, "ing") == 0) {
            mf = "in";
        } else if (strcmp(fin, "ong") == 0) {
            mf = "un";
        } else if (strcmp(fin, "iang") == 0) {
            mf = "ian";
        } else if (strcmp(fin, "uang") == 0) {
            mf = "uan";
        } else if (strcmp(fin, "iong") == 0) {
            mf = "iun";
        } else if (strcmp(fin, "ao") == 0) {
            mf = "o";
        }
        for (const char *p = mi; *p != '\0' && k + 1 < sizeof tmp; p++) {
            tmp[k++] = *p;
        }
        for (const char *p = mf; *p != '\0' && k + 1 < sizeof tmp; p++) {
            tmp[k++] = *p;
        }
    }
    tmp[k] = '\0';
    if (n >= 2 && k >= 3 && (tmp[k - 1] == 'i' || tmp[k - 1] == 'u' || tmp[k - 1] == 'e') &&
        !is_vowel(tmp[k - 2]) && tmp[k - 2] != 'y') {
        tmp[--k] = '\0';
    }
    copy_str(out, cap, tmp, k);
}

/* ---- readings ------------------------------------------------------------- */

static int token_cmp(const struct namekey_token *a, const struct namekey_token *b)
{
    int c = strcmp(a->text, b->text);
    return c != 0 ? c : (int)a->affix - (int)b->affix;
}

static void sort_tokens(struct namekey_reading *r)
{
    for (unsigned i = 1; i < r->n_tokens; i++) {
        struct namekey_token t = r->tokens[i];
        unsigned j = i;
        while (j > 0 && token_cmp(&r->tokens[j - 1], &t) > 0) {
            r->tokens[j] = r->tokens[j - 1];
            j--;
        }
        r->tokens[j] = t;
    }
}

static bool same_tokens(const struct namekey_reading *a, const struct namekey_reading *b)
{
    if (a->n_tokens != b->n_tokens || a->abjad != b->abjad) {
        return false;
    }
    for (unsigned i = 0; i < a->n_tokens; i++) {
        if (token_cmp(&a->tokens[i], &b->tokens[i]) != 0) {
            return false;
        }
    }
    return true;
}

/* Adds a reading with tokens from the words ws and, as its text, the words of
 * shown (ws when NULL) joined by spaces. */
static void add_reading_words(struct namekey *k, const char *label, const struct words *ws,
                              const struct words *shown, bool abjad)
{
    if (k->n_readings >= NAMEKEY_MAX_READINGS) {
        return;
    }
    struct namekey_reading *r = &k->readings[k->n_readings];
    memset(r, 0, sizeof *r);
    copy_str(r->label, sizeof r->label, label, strlen(label));
    r->abjad = abjad;
    size_t tl = 0;
    if (shown == NULL) {
        shown = ws;
    }
    for (size_t i = 0; i < shown->n; i++) {
        size_t wl = strlen(shown->w[i]);
        if (tl + wl + 2 < sizeof r->text) {
            if (tl > 0) {
                r->text[tl++] = ' ';
            }
            memcpy(r->text + tl, shown->w[i], wl);
            tl += wl;
            r->text[tl] = '\0';
        }
    }
    for (size_t i = 0; i < ws->n; i++) {
        if (r->n_tokens < NAMEKEY_MAX_TOKENS &&
            make_token(ws->w[i], &r->tokens[r->n_tokens], abjad)) {
            r->n_tokens++;
        }
    }
    if (r->n_tokens == 0) {
        return;
    }
    sort_tokens(r);
    for (unsigned i = 0; i < k->n_readings; i++) {
        if (same_tokens(&k->readings[i], r)) {
            return;
        }
    }
    k->n_readings++;
}

/* A Latin reading, plus a de-sinicised one when every word is pinyin. */
static void add_latin_reading(struct namekey *k, const char *label, const char *ascii,
                              bool try_pinyin)
{
    struct words ws;
    split_words(ascii, &ws);
    if (ws.n == 0) {
        return;
    }
    /* Articles and Abd-forms are common enough in Latin-script names to apply
     * always; they do not change a name that has none. */
    struct words aw = ws;
    arabic_words(&aw);
    add_reading_words(k, label, &aw, &ws, false);
    if (!try_pinyin) {
        return;
    }
    /* Chinese given names are written joined or apart ("Xiao Ming", "Ming-yu"),
     * after the surname or, in Western order, before it ("Wei-Ming Zhang"):
     * with three or more words of which the last two, or the first two, are
     * single syllables, also read those two joined. */
    struct syl one[MAX_SYL];
    size_t n1 = 0;
    size_t n2 = 0;
    for (size_t at = ws.n >= 3 ? ws.n - 2 : 1, tries = 0; ws.n >= 3 && tries < 2; tries++, at = 0) {
        if (py_split(ws.w[at], one, &n1, 0) && n1 == 1 && py_split(ws.w[at + 1], one, &n2, 0) &&
            n2 == 1) {
            struct words jw = ws;
            char *prev = jw.w[at];
            size_t pl = strlen(prev);
            copy_str(prev + pl, WORD_MAX - pl, jw.w[at + 1], strlen(jw.w[at + 1]));
            memmove(&jw.w[at + 1], &jw.w[at + 2], (jw.n - at - 2) * sizeof jw.w[0]);
            jw.n--;
            add_reading_words(k, label, &jw, &ws, false);
        }
    }
    struct words dw;
    dw.n = 0;
    size_t total = 0;
    for (size_t i = 0; i < ws.n; i++) {
        struct syl s[MAX_SYL];
        size_t n = 0;
        if (!py_split(ws.w[i], s, &n, 0)) {
            return;
        }
        total += n;
        desinicize(s, n, dw.w[dw.n++], WORD_MAX);
    }
    if (total > ws.n) {
        struct words dwa = dw;
        arabic_words(&dwa);
        add_reading_words(k, "Uyghur via pinyin", &dwa, &dw, false);
    }
}

static bool lang_is(const char *lang, const char *two, const char *three)
{
    if (lang == NULL) {
        return false;
    }
    size_t n = strcspn(lang, "-_");
    return (n == strlen(two) && strncasecmp(lang, two, n) == 0) ||
           (n == strlen(three) && strncasecmp(lang, three, n) == 0);
}

static bool has_any(const UChar *u, int32_t n, const UChar *set)
{
    for (int32_t i = 0; i < n; i++) {
        if (u_strchr(set, u[i]) != NULL) {
            return true;
        }
    }
    return false;
}

static void fold_to(const UChar *u, int32_t n, char *out, size_t cap)
{
    struct buf b = BUF_INIT;
    text_fold_ascii(u, n, &b);
    copy_str(out, cap, b.data, b.len);
    buf_release(&b);
}

static bool is_word_break(UChar c)
{
    return u_isspace(c) || c == '-' || c == ',' || c == '.' || c == 0x00B7 || c == 0x2010;
}

/* Reads u word by word with transform tr (cached per word), then as Latin. */
static void read_with(struct namekey *k, enum text_tr tr, const char *label, const UChar *u,
                      int32_t n)
{
    struct buf b = BUF_INIT;
    int32_t i = 0;
    while (i < n) {
        while (i < n && is_word_break(u[i])) {
            i++;
        }
        int32_t start = i;
        while (i < n && !is_word_break(u[i])) {
            i++;
        }
        if (i > start) {
            if (b.len > 0) {
                buf_addch(&b, ' ');
            }
            if (!text_translit_fold_word(tr, u + start, i - start, &b) &&
                !text_translit_fold_word(TR_ANY, u + start, i - start, &b)) {
                text_fold_ascii(u + start, i - start, &b);
            }
        }
    }
    char ascii[NAMEKEY_TEXT_MAX * 2];
    copy_str(ascii, sizeof ascii, b.data, b.len);
    buf_release(&b);
    add_latin_reading(k, label, ascii, false);
}

static void read_cyrillic(struct namekey *k, const UChar *u, int32_t n, const char *lang)
{
    static const UChar kazakh_letters[] = {0x04D8, 0x04D9, 0x0492, 0x0493, 0x049A, 0x049B, 0x04A2,
                                           0x04A3, 0x04E8, 0x04E9, 0x04B0, 0x04B1, 0x04AE, 0x04AF,
                                           0x04BA, 0x04BB, 0x0406, 0x0456, 0};
    if (lang_is(lang, "kk", "kaz")) {
        read_with(k, TR_KK, "Kazakh", u, n);
    } else if (lang_is(lang, "ru", "rus") || lang_is(lang, "be", "bel")) {
        read_with(k, TR_RU, "Russian", u, n);
    } else if (lang_is(lang, "ky", "kir")) {
        read_with(k, TR_KY, "Kyrgyz", u, n);
    } else if (lang_is(lang, "uk", "ukr")) {
        read_with(k, TR_UK, "Ukrainian", u, n);
    } else if (lang_is(lang, "uz", "uzb")) {
        read_with(k, TR_UZ, "Uzbek", u, n);
    } else if (lang_is(lang, "mn", "mon")) {
        read_with(k, TR_MN, "Mongolian", u, n);
    } else if (lang_is(lang, "ug", "uig")) {
        read_with(k, TR_KK, "Uyghur", u, n);
        read_with(k, TR_RU, "Uyghur", u, n);
    } else if (lang == NULL && has_any(u, n, kazakh_letters)) {
        read_with(k, TR_KK, "Kazakh", u, n);
    } else if (lang == NULL) {
        read_with(k, TR_RU, "Russian", u, n);
        read_with(k, TR_KK, "Kazakh", u, n);
    } else {
        read_with(k, TR_CYRL, "Cyrillic", u, n);
    }
}

static void read_arabic(struct namekey *k, const UChar *u, int32_t n, const char *lang)
{
    static const UChar uyghur_letters[] = {0x06D0, 0x06C7, 0x06C6, 0x06C8, 0x06CB,
                                           0x06D5, 0x06BE, 0x06AD, 0};
    bool uyghur = lang_is(lang, "ug", "uig");
    if (lang == NULL) {
        uyghur = has_any(u, n, uyghur_letters);
        /* A word starting with the hamza carrier ئ is Uyghur spelling. */
        for (int32_t i = 0; i < n && !uyghur; i++) {
            if (u[i] == 0x0626 && (i == 0 || u_isspace(u[i - 1]))) {
                uyghur = true;
            }
        }
    }
    if (uyghur) {
        read_with(k, TR_UG_ARAB, "Uyghur", u, n);
        return;
    }
    /* Remove the article ال at the start of a word of more than three letters. */
    UChar v[UMAX];
    int32_t m = 0;
    for (int32_t i = 0; i < n; i++) {
        bool word_start = i == 0 || !u_isalpha(u[i - 1]);
        if (word_start && i + 3 < n && u[i] == 0x0627 && u[i + 1] == 0x0644 &&
            u_isalpha(u[i + 2]) && u_isalpha(u[i + 3])) {
            i++;
            continue;
        }
        v[m++] = u[i];
    }
    UChar out[UMAX * 3];
    int32_t len = text_translit(TR_AR, v, m, out, UMAX * 3);
    if (len < 0) {
        return;
    }
    char ascii[NAMEKEY_TEXT_MAX * 2];
    fold_to(out, len, ascii, sizeof ascii);
    struct words ws;
    split_words(ascii, &ws);
    struct words aw = ws;
    arabic_words(&aw);
    bool persian = lang_is(lang, "fa", "fas") || lang_is(lang, "fa", "per");
    add_reading_words(k, persian ? "Persian" : "Arabic", &aw, &ws, true);
}

static bool is_name_separator(UChar32 c)
{
    return c == 0x00B7 || c == 0x2022 || c == 0x30FB || c == 0x2027 || c == 0xFF0E || c == 0x2E31 ||
           c == '.' || c == '-' || c == 0xFF0D || c == 0x2010 || u_isspace(c);
}

static bool is_compound_surname(const char *a, const char *b)
{
    static const char *const pairs[][2] = {
        {"ou", "yang"},  {"si", "ma"},  {"zhu", "ge"},    {"shang", "guan"}, {"dong", "fang"},
        {"huang", "fu"}, {"yu", "chi"}, {"gong", "sun"},  {"mu", "rong"},    {"ling", "hu"},
        {"xia", "hou"},  {"si", "tu"},  {"zhang", "sun"}, {"xi", "men"},     {"duan", "mu"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        if (strcmp(a, pairs[i][0]) == 0 && strcmp(b, pairs[i][1]) == 0) {
            return true;
        }
    }
    return false;
}

static void read_han(struct namekey *k, const UChar *u, int32_t n, const char *lang)
{
    /* Syllables grouped into parts at separators. */
    enum { MAX_HAN = 24 };

    char syl[MAX_HAN][8];
    size_t part_of[MAX_HAN];
    size_t ns = 0;
    size_t part = 0;
    bool part_open = false;
    int32_t i = 0;
    while (i < n && ns < MAX_HAN) {
        UChar32 c;
        U16_NEXT(u, i, n, c);
        if (is_name_separator(c)) {
            if (part_open) {
                part++;
                part_open = false;
            }
            continue;
        }
        if (text_han_pinyin(c, ns == 0, syl[ns])) {
            part_of[ns] = part;
            ns++;
            part_open = true;
        }
    }
    if (ns == 0) {
        return;
    }
    size_t n_parts = part_of[ns - 1] + 1;
    bool transcribed = n_parts > 1 || lang_is(lang, "ug", "uig") || lang_is(lang, "kk", "kaz");
    struct words ws;
    ws.n = 0;
    if (n_parts > 1) {
        for (size_t s = 0; s < ns; s++) {
            if (s == 0 || part_of[s] != part_of[s - 1]) {
                ws.w[ws.n++][0] = '\0';
            }
            char *w = ws.w[ws.n - 1];
            size_t wl = strlen(w);
            copy_str(w + wl, WORD_MAX - wl, syl[s], strlen(syl[s]));
        }
    } else {
        size_t sur = (ns >= 3 && is_compound_surname(syl[0], syl[1])) ? 2 : 1;
        ws.w[0][0] = '\0';
        for (size_t s = 0; s < sur && s < ns; s++) {
            size_t wl = strlen(ws.w[0]);
            copy_str(ws.w[0] + wl, WORD_MAX - wl, syl[s], strlen(syl[s]));
        }
        ws.n = 1;
        if (ns > sur) {
            ws.w[1][0] = '\0';
            for (size_t s = sur; s < ns; s++) {
                size_t wl = strlen(ws.w[1]);
                copy_str(ws.w[1] + wl, WORD_MAX - wl, syl[s], strlen(syl[s]));
            }
            ws.n = 2;
        }
    }
    add_reading_words(k, "Chinese", &ws, NULL, false);
    if (!transcribed) {
        return;
    }
    struct words dw;
    dw.n = 0;
    for (size_t s = 0; s < ns;) {
        struct syl parts[MAX_SYL];
        size_t np = 0;
        size_t p = part_of[s];
        for (; s < ns && part_of[s] == p; s++) {
            if (np < MAX_SYL && py_split(syl[s], &parts[np], &(size_t){0}, 0)) {
                np++;
            }
        }
        if (np > 0 && dw.n < MAX_WORDS) {
            desinicize(parts, np, dw.w[dw.n++], WORD_MAX);
        }
    }
    struct words dwa = dw;
    arabic_words(&dwa);
    add_reading_words(k, "Uyghur via Chinese", &dwa, &dw, false);
}

static UScriptCode detect_script(const UChar *u, int32_t n)
{
    size_t cyrl = 0;
    size_t latn = 0;
    size_t arab = 0;
    size_t hani = 0;
    size_t other = 0;
    UScriptCode other_code = USCRIPT_LATIN;
    int32_t i = 0;
    while (i < n) {
        UChar32 c;
        U16_NEXT(u, i, n, c);
        UErrorCode st = U_ZERO_ERROR;
        UScriptCode sc = uscript_getScript(c, &st);
        if (U_FAILURE(st)) {
            continue;
        }
        if (sc == USCRIPT_CYRILLIC) {
            cyrl++;
        } else if (sc == USCRIPT_LATIN) {
            latn++;
        } else if (sc == USCRIPT_ARABIC) {
            arab++;
        } else if (sc == USCRIPT_HAN) {
            hani++;
        } else if (sc != USCRIPT_COMMON && sc != USCRIPT_INHERITED) {
            if (other++ == 0) {
                other_code = sc;
            }
        }
    }
    size_t best = latn;
    UScriptCode code = USCRIPT_LATIN;
    if (cyrl > best) {
        best = cyrl;
        code = USCRIPT_CYRILLIC;
    }
    if (arab > best) {
        best = arab;
        code = USCRIPT_ARABIC;
    }
    if (hani > best) {
        best = hani;
        code = USCRIPT_HAN;
    }
    if (other > best) {
        code = other_code;
    }
    return code;
}

static UScriptCode script_from_hint(const char *script)
{
    if (script == NULL || strlen(script) != 4) {
        return USCRIPT_INVALID_CODE;
    }
    if (strcasecmp(script, "Hans") == 0 || strcasecmp(script, "Hant") == 0) {
        return USCRIPT_HAN;
    }
    UScriptCode codes[2];
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = uscript_getCode(script, codes, 2, &st);
    return (U_SUCCESS(st) && n >= 1) ? codes[0] : USCRIPT_INVALID_CODE;
}

bool namekey_build(const char *name, const char *script, const char *lang, struct namekey *out)
{
    memset(out, 0, sizeof *out);
    if (name == NULL || name[0] == '\0') {
        return false;
    }
    copy_utf8(out->original, sizeof out->original, name);
    UChar u[UMAX];
    int32_t n = 0;
    UErrorCode st = U_ZERO_ERROR;
    size_t in_len = strlen(name);
    if (in_len > UMAX - 1) {
        in_len = UMAX - 1;
        while (in_len > 0 && ((unsigned char)name[in_len] & 0xC0) == 0x80) {
            in_len--;
        }
    }
    u_strFromUTF8(u, UMAX, &n, name, (int32_t)in_len, &st);
    if (U_FAILURE(st) || n == 0) {
        return false;
    }
    UScriptCode sc = script_from_hint(script);
    if (sc == USCRIPT_INVALID_CODE || sc == USCRIPT_COMMON || sc == USCRIPT_UNKNOWN) {
        sc = detect_script(u, n);
    }
    copy_str(out->script, sizeof out->script, uscript_getShortName(sc), 4);
    if (sc == USCRIPT_CYRILLIC) {
        read_cyrillic(out, u, n, lang);
    } else if (sc == USCRIPT_ARABIC) {
        read_arabic(out, u, n, lang);
    } else if (sc == USCRIPT_HAN || sc == USCRIPT_SIMPLIFIED_HAN || sc == USCRIPT_TRADITIONAL_HAN) {
        read_han(out, u, n, lang);
    } else if (sc == USCRIPT_LATIN) {
        char ascii[NAMEKEY_TEXT_MAX * 2];
        fold_to(u, n, ascii, sizeof ascii);
        add_latin_reading(out, "Latin", ascii, true);
    } else {
        read_with(out, TR_ANY, uscript_getName(sc), u, n);
    }
    return out->n_readings > 0;
}

/* ---- keys and blocking codes ---------------------------------------------- */

static const char *const affix_marks[] = {"", "+pm", "+pf", "+sm", "+sf"};

void namekey_format(const struct namekey *k, struct buf *b)
{
    for (unsigned r = 0; r < k->n_readings; r++) {
        const struct namekey_reading *rd = &k->readings[r];
        for (unsigned t = 0; t < rd->n_tokens; t++) {
            if (t > 0) {
                buf_addch(b, ' ');
            }
            buf_adds(b, rd->tokens[t].text);
            buf_adds(
                b, affix_marks[rd->tokens[t].affix <= NAMEKEY_AFFIX_SURNAME_F ? rd->tokens[t].affix
                                                                              : 0]);
        }
        buf_addch(b, '\n');
    }
}

static char block_class(char c)
{
    switch (c) {
    case 'b':
    case 'p':
    case 'f':
    case 'v':
        return 'P';
    case 't':
    case 'd':
        return 'T';
    case 'k':
    case 'g':
        return 'K';
    case 's':
    case 'z':
        return 'S';
    case 'J':
    case 'C':
    case 'S':
        return 'J';
    case 'm':
        return 'M';
    case 'n':
    case 'N':
        return 'N';
    case 'l':
        return 'L';
    case 'r':
        return 'R';
    default:
        return '\0';
    }
}

size_t namekey_blocks(const struct namekey *k, char codes[][8], size_t max)
{
    size_t n = 0;
    for (unsigned r = 0; r < k->n_readings; r++) {
        const struct namekey_reading *rd = &k->readings[r];
        for (unsigned t = 0; t < rd->n_tokens; t++) {
            char code[8] = "n:";
            size_t cl = 2;
            char last = '\0';
            for (const char *p = rd->tokens[t].skel; *p != '\0' && cl < 2 + NAMEKEY_BLOCK_LEN;
                 p++) {
                char c = block_class(*p);
                if (c != '\0' && c != last) {
                    code[cl++] = c;
                    last = c;
                }
            }
            if (cl == 2) {
                code[0] = 'v';
            }
            code[cl] = '\0';
            bool dup = false;
            for (size_t i = 0; i < n && !dup; i++) {
                dup = strcmp(codes[i], code) == 0;
            }
            if (!dup && n < max) {
                memcpy(codes[n++], code, cl + 1);
            }
        }
    }
    return n;
}

void namekey_thread_release(void)
{
    text_translit_thread_release();
}
