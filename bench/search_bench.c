/*
 * search_bench.c: the person search benchmark (bench/search.sh, described in
 * bench/README.md). Generates N synthetic persons whose names are Kazakh
 * (30%), Uyghur (20%), Chinese (20%), Russian (15%) or Arabic (15%), each
 * written in one of its family's scripts and romanisations (Kazakh and
 * Russian Cyrillic, English- and Turkish-style Latin; Uyghur Arabic script,
 * Uyghur Latin and Cyrillic; Russian Cyrillic, BGN, passport and German
 * Latin; Arabic script and three Latin habits; Han and pinyin in either
 * order), imports them through the service layer (name keys are built in
 * the import), rebuilds the keys once more to time key building alone, then
 * searches Q planted variants of stored persons (another writing of the same
 * family, sometimes the words swapped, sometimes a letter dropped) and
 * reports recall@1, recall@10 (overall and per family) and query latency.
 * Deterministic for a given seed.
 *
 * usage: search_bench N Q DB [PERSONS_TSV QUERIES_TSV]
 * The optional files receive the persons (id, name, identity, identity
 * without patronymic) and the queries (query, expected id, identity,
 * identity without patronymic, whether the query has a patronymic) for
 * comparison with other systems; namesakes share an identity.
 *
 * usage: search_bench dedup N DB TRUTH_TSV (bench/dedup.sh)
 * Generates N persons of whom about 2% are planted twins: the identity of
 * the person just before, written in another of its family's writings
 * (30% with the words swapped, except Chinese; 20% of the Latin ones with a
 * letter dropped from the surname), imports them and writes TRUTH_TSV: id,
 * name, identity without patronymic, the id of the person it is a twin of
 * (or "-"), and the name as read (the identity, or for Chinese its pinyin:
 * characters that read alike make namesakes). The duplicate search itself
 * is run by the script.
 *
 * usage: search_bench blocks DB OUT_CSV (bench/dedup.sh)
 * Writes the blocks `refuge dedup` compares within (service_dedup_blocks),
 * one "block,key id" row per member, for running other tools on the same
 * blocks.
 *
 * usage: search_bench dedup-diag DB MISSED_TSV THRESHOLD (a diagnostic)
 * For each pair of person ids in MISSED_TSV (planted pairs that `refuge
 * dedup` did not list, one "id\tid" a line), says why: the two keys share
 * no block (never compared), or the lower key ranks beyond the 200
 * candidates scored per key by the weight of the blocks shared (cut), or
 * their dedup score is below THRESHOLD (scored too low), or none of these
 * (the first look or the threshold with other evidence). Prints the counts
 * and every pair with its class and score.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/diag.h"
#include "service/search.h"
#include "service/service.h"
#include "store/search.h"
#include "store/store.h"
#include "text/namekey.h"

static uint64_t rng_state = 0x5eed;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static size_t pick(size_t n)
{
    return (size_t)(rnd() % n);
}

/* Zipf-like: small indexes are much more common (given names repeat). */
static size_t pick_skewed(size_t n)
{
    double u = (double)(rnd() >> 11) / 9007199254740992.0;
    return (size_t)((double)n * u * u * u) % n;
}

/* Phonemes: a e i o u, A (ә) U (ү) O (ө) W (ұ) I (ы), consonants b d g k l m
 * n p r s t z, X (kh), Z (zh), S (sh), C (ch), Y (y), q (қ), G (ғ), N (ң). */
static const char *const given_syl[] = {
    "er",  "mek", "nur", "lan", "gWl", "nar", "as",  "qar", "ai",  "dos",  "ZAn", "bo",
    "lat", "ma",  "rat", "da",  "ni",  "yar", "sa",  "bit", "tal", "gat",  "ar",  "man",
    "Sol", "pan", "ba",  "qIt", "ker", "ei",  "mIr", "za",  "Xan", "sUl",  "tan", "dar",
    "mA",  "dI",  "Nes", "Ga",  "li",  "ya",  "ru",  "sen", "bol", "UmIt", "Cin", "gIz",
};
static const char *const sur_syl[] = {
    "Zu", "ma",  "bek", "tur", "sun", "ab",  "lim", "it",   "sei", "to",  "qa",  "sym",
    "ba", "ev",  "Xa",  "nov", "dau", "let", "ros", "a",    "li",  "mu",  "sa",  "Xan",
    "ta", "si",  "gIz", "ker", "Sar", "ip",  "bay", "QoZa", "nIr", "Gal", "am",  "zat",
    "Or", "ken", "dI",  "bai", "zaq", "pIs", "tem", "ir",   "kUl", "Cu",  "bIl", "Sal",
};

/* ---- Kazakh names (the phonemes above) ---------------------------------- */

enum suffix { SUF_NONE, SUF_ULY, SUF_OV, SUF_BEK, SUF_COUNT };

/* Name families: the phonemes of an identity are read by its family. */
enum family { FAM_KAZAKH, FAM_UYGHUR, FAM_RUSSIAN, FAM_ARABIC, FAM_CHINESE, FAM_COUNT };

static const char *const family_name[FAM_COUNT] = {"Kazakh", "Uyghur", "Russian", "Arabic",
                                                   "Chinese"};

struct ident {
    enum family fam;
    char given[32];
    char sur[48];
    char third[32]; /* Russian: the patronymic's phonemes without -vich/-vna */
    int suf;        /* Kazakh: enum suffix; Russian: 1 when female */
};

enum style {
    KK_CYRL,
    RU_CYRL,
    EN_LATN,
    TR_LATN,
    /* Uyghur */
    UG_ARAB,
    UG_ULY,
    UG_CYRL,
    /* Russian */
    RS_CYRL,
    RS_BGN,
    RS_ICAO,
    RS_DE,
    /* Arabic */
    AR_ARAB,
    AR_EN,
    AR_FR,
    AR_EG,
    /* Chinese */
    ZH_HANI,
    ZH_PINYIN,
    ZH_PINYIN_WEST,
    STYLE_COUNT
};

static const enum style family_styles[FAM_COUNT][5] = {
    [FAM_KAZAKH] = {KK_CYRL, RU_CYRL, EN_LATN, TR_LATN, STYLE_COUNT},
    [FAM_UYGHUR] = {UG_ARAB, UG_ULY, UG_CYRL, STYLE_COUNT},
    [FAM_RUSSIAN] = {RS_CYRL, RS_BGN, RS_ICAO, RS_DE, STYLE_COUNT},
    [FAM_ARABIC] = {AR_ARAB, AR_EN, AR_FR, AR_EG, STYLE_COUNT},
    [FAM_CHINESE] = {ZH_HANI, ZH_PINYIN, ZH_PINYIN_WEST, STYLE_COUNT},
};

static bool style_latin(enum style st)
{
    return st == EN_LATN || st == TR_LATN || st == UG_ULY || st == RS_BGN || st == RS_ICAO ||
           st == RS_DE || st == AR_EN || st == AR_FR || st == AR_EG || st == ZH_PINYIN ||
           st == ZH_PINYIN_WEST;
}

static void put(char *out, size_t size, size_t *n, const char *s)
{
    size_t l = strlen(s);
    if (*n + l < size) {
        memcpy(out + *n, s, l);
        *n += l;
        out[*n] = '\0';
    }
}

/* Upper-cases the first letter of an ASCII word (non-ASCII is left as is). */
static void cap_first(char *w)
{
    if (w[0] >= 'a' && w[0] <= 'z') {
        w[0] = (char)(w[0] - 'a' + 'A');
    }
}

/* Writes one Kazakh phoneme word in a style; the first letter capitalised. */
static void render_kazakh(const char *ph, enum style st, char *out, size_t size, size_t *n)
{
    static const char *const kk[128] = {
        ['a'] = "а", ['e'] = "е", ['i'] = "и", ['o'] = "о", ['u'] = "у", ['A'] = "ә", ['U'] = "ү",
        ['O'] = "ө", ['W'] = "ұ", ['I'] = "ы", ['b'] = "б", ['d'] = "д", ['g'] = "г", ['k'] = "к",
        ['l'] = "л", ['m'] = "м", ['n'] = "н", ['p'] = "п", ['r'] = "р", ['s'] = "с", ['t'] = "т",
        ['z'] = "з", ['X'] = "х", ['Z'] = "ж", ['S'] = "ш", ['C'] = "ч", ['y'] = "й", ['q'] = "қ",
        ['G'] = "ғ", ['N'] = "ң", ['Q'] = "қ"};
    static const char *const kk_up[128] = {
        ['a'] = "А", ['e'] = "Е", ['i'] = "И", ['o'] = "О", ['u'] = "У", ['A'] = "Ә", ['U'] = "Ү",
        ['O'] = "Ө", ['W'] = "Ұ", ['I'] = "Ы", ['b'] = "Б", ['d'] = "Д", ['g'] = "Г", ['k'] = "К",
        ['l'] = "Л", ['m'] = "М", ['n'] = "Н", ['p'] = "П", ['r'] = "Р", ['s'] = "С", ['t'] = "Т",
        ['z'] = "З", ['X'] = "Х", ['Z'] = "Ж", ['S'] = "Ш", ['C'] = "Ч", ['y'] = "Й", ['q'] = "Қ",
        ['G'] = "Ғ", ['N'] = "Ң", ['Q'] = "Қ"};
    static const char *const en[128] = {
        ['a'] = "a",  ['e'] = "e",  ['i'] = "i", ['o'] = "o", ['u'] = "u",  ['A'] = "a",
        ['U'] = "u",  ['O'] = "o",  ['W'] = "u", ['I'] = "y", ['b'] = "b",  ['d'] = "d",
        ['g'] = "g",  ['k'] = "k",  ['l'] = "l", ['m'] = "m", ['n'] = "n",  ['p'] = "p",
        ['r'] = "r",  ['s'] = "s",  ['t'] = "t", ['z'] = "z", ['X'] = "kh", ['Z'] = "zh",
        ['S'] = "sh", ['C'] = "ch", ['y'] = "y", ['q'] = "q", ['G'] = "gh", ['N'] = "ng",
        ['Q'] = "k"};
    static const char *const tr[128] = {
        ['a'] = "a", ['e'] = "e", ['i'] = "i", ['o'] = "o", ['u'] = "u", ['A'] = "ä", ['U'] = "ü",
        ['O'] = "ö", ['W'] = "u", ['I'] = "ı", ['b'] = "b", ['d'] = "d", ['g'] = "g", ['k'] = "k",
        ['l'] = "l", ['m'] = "m", ['n'] = "n", ['p'] = "p", ['r'] = "r", ['s'] = "s", ['t'] = "t",
        ['z'] = "z", ['X'] = "h", ['Z'] = "j", ['S'] = "ş", ['C'] = "ç", ['y'] = "y", ['q'] = "k",
        ['G'] = "ğ", ['N'] = "ñ", ['Q'] = "k"};
    static const char *const en_up[128] = {
        ['a'] = "A",  ['e'] = "E",  ['i'] = "I", ['o'] = "O", ['u'] = "U",  ['A'] = "A",
        ['U'] = "U",  ['O'] = "O",  ['W'] = "U", ['I'] = "Y", ['b'] = "B",  ['d'] = "D",
        ['g'] = "G",  ['k'] = "K",  ['l'] = "L", ['m'] = "M", ['n'] = "N",  ['p'] = "P",
        ['r'] = "R",  ['s'] = "S",  ['t'] = "T", ['z'] = "Z", ['X'] = "Kh", ['Z'] = "Zh",
        ['S'] = "Sh", ['C'] = "Ch", ['y'] = "Y", ['q'] = "Q", ['G'] = "Gh", ['N'] = "Ng",
        ['Q'] = "K"};
    static const char *const tr_up[128] = {
        ['a'] = "A", ['e'] = "E", ['i'] = "İ", ['o'] = "O", ['u'] = "U", ['A'] = "Ä", ['U'] = "Ü",
        ['O'] = "Ö", ['W'] = "U", ['I'] = "I", ['b'] = "B", ['d'] = "D", ['g'] = "G", ['k'] = "K",
        ['l'] = "L", ['m'] = "M", ['n'] = "N", ['p'] = "P", ['r'] = "R", ['s'] = "S", ['t'] = "T",
        ['z'] = "Z", ['X'] = "H", ['Z'] = "J", ['S'] = "Ş", ['C'] = "Ç", ['y'] = "Y", ['q'] = "K",
        ['G'] = "Ğ", ['N'] = "Ñ", ['Q'] = "K"};
    for (size_t i = 0; ph[i]; i++) {
        unsigned char c = (unsigned char)ph[i];
        const char *s = NULL;
        switch (st) {
        case KK_CYRL:
            s = i ? kk[c] : kk_up[c];
            break;
        case RU_CYRL: {
            /* Russian spelling: Kazakh letters replaced by the nearest Russian. */
            unsigned char r = c == 'A'               ? 'a'
                              : c == 'U' || c == 'W' ? 'u'
                              : c == 'O'             ? 'o'
                              : c == 'q' || c == 'Q' ? 'k'
                              : c == 'G'             ? 'g'
                              : c == 'N'             ? 'n'
                                                     : c;
            s = i ? kk[r] : kk_up[r];
            break;
        }
        case TR_LATN:
            s = i ? tr[c] : tr_up[c];
            break;
        default:
            s = i ? en[c] : en_up[c];
            break;
        }
        put(out, size, n, s ? s : "");
    }
}

static const char *suffix_text(int suf, enum style st)
{
    static const char *const t[SUF_COUNT][4] = {
        [SUF_NONE] = {"", "", "", ""},
        [SUF_ULY] = {"ұлы", "улы", "uly", "ulı"},
        [SUF_OV] = {"ов", "ов", "ov", "ov"},
        [SUF_BEK] = {"бек", "бек", "bek", "bek"},
    };
    return t[suf][st <= TR_LATN ? st : EN_LATN];
}

/* ---- Uyghur names: Arabic script (UEY), Latin (ULY), Cyrillic ------------- */

/* Phonemes: a e i o u, O (ö) U (ü) E (é); b p t j C (ch) X (x) d r z Z (zh) s
 * S (sh) G (gh) f q k g N (ng) l m n h w y. */
static const char *const ug_given_syl[] = {
    "ab",  "dur", "re",  "him", "mem", "et", "tur", "sun", "gUl", "nar", "il",  "ham",
    "ra",  "hi",  "le",  "pa",  "ti",  "ay", "se",  "nem", "me",  "dE",  "na",  "ke",
    "rim", "ja",  "lal", "qa",  "sim", "rO", "za",  "Xal", "muh", "tar", "nur", "mu",
    "hem", "met", "iz",  "zet", "mi",  "ri", "ban", "hel", "Cem", "tUr", "dil", "yar",
};
static const char *const ug_sur_syl[] = {
    "tur", "di",  "tOX", "ti",  "ab", "bas", "da", "wut", "qa", "dir", "ya", "sin",
    "ni",  "yaz", "he",  "sen", "i",  "min", "hE", "yit", "rO", "zi",  "ta", "su",
    "pi",  "mah", "mut", "ka",  "ma", "bu",  "qi", "nur", "la", "sa",  "Uz", "Xo",
    "ja",  "ke",  "rem", "yu",  "Gu", "lam", "Sa", "kir", "ZE", "Nu",  "fu", "lat",
};

static bool ug_vowel(char c)
{
    return strchr("aeiouOUE", c) != NULL && c != '\0';
}

static void render_uyghur(const char *ph, enum style st, char *out, size_t size, size_t *n)
{
    static const char *const arab[128] = {
        ['a'] = "ا", ['e'] = "ە", ['i'] = "ى", ['o'] = "و", ['u'] = "ۇ", ['O'] = "ۆ", ['U'] = "ۈ",
        ['E'] = "ې", ['b'] = "ب", ['p'] = "پ", ['t'] = "ت", ['j'] = "ج", ['C'] = "چ", ['X'] = "خ",
        ['d'] = "د", ['r'] = "ر", ['z'] = "ز", ['Z'] = "ژ", ['s'] = "س", ['S'] = "ش", ['G'] = "غ",
        ['f'] = "ف", ['q'] = "ق", ['k'] = "ك", ['g'] = "گ", ['N'] = "ڭ", ['l'] = "ل", ['m'] = "م",
        ['n'] = "ن", ['h'] = "ھ", ['w'] = "ۋ", ['y'] = "ي"};
    static const char *const uly[128] = {
        ['a'] = "a",  ['e'] = "e",  ['i'] = "i",  ['o'] = "o", ['u'] = "u", ['O'] = "ö",
        ['U'] = "ü",  ['E'] = "é",  ['b'] = "b",  ['p'] = "p", ['t'] = "t", ['j'] = "j",
        ['C'] = "ch", ['X'] = "x",  ['d'] = "d",  ['r'] = "r", ['z'] = "z", ['Z'] = "zh",
        ['s'] = "s",  ['S'] = "sh", ['G'] = "gh", ['f'] = "f", ['q'] = "q", ['k'] = "k",
        ['g'] = "g",  ['N'] = "ng", ['l'] = "l",  ['m'] = "m", ['n'] = "n", ['h'] = "h",
        ['w'] = "w",  ['y'] = "y"};
    static const char *const uly_up[128] = {
        ['a'] = "A",  ['e'] = "E",  ['i'] = "I",  ['o'] = "O", ['u'] = "U", ['O'] = "Ö",
        ['U'] = "Ü",  ['E'] = "É",  ['b'] = "B",  ['p'] = "P", ['t'] = "T", ['j'] = "J",
        ['C'] = "Ch", ['X'] = "X",  ['d'] = "D",  ['r'] = "R", ['z'] = "Z", ['Z'] = "Zh",
        ['s'] = "S",  ['S'] = "Sh", ['G'] = "Gh", ['f'] = "F", ['q'] = "Q", ['k'] = "K",
        ['g'] = "G",  ['N'] = "Ng", ['l'] = "L",  ['m'] = "M", ['n'] = "N", ['h'] = "H",
        ['w'] = "W",  ['y'] = "Y"};
    static const char *const cyr[128] = {
        ['a'] = "а", ['e'] = "ә", ['i'] = "и", ['o'] = "о", ['u'] = "у", ['O'] = "ө", ['U'] = "ү",
        ['E'] = "е", ['b'] = "б", ['p'] = "п", ['t'] = "т", ['j'] = "җ", ['C'] = "ч", ['X'] = "х",
        ['d'] = "д", ['r'] = "р", ['z'] = "з", ['Z'] = "ж", ['s'] = "с", ['S'] = "ш", ['G'] = "ғ",
        ['f'] = "ф", ['q'] = "қ", ['k'] = "к", ['g'] = "г", ['N'] = "ң", ['l'] = "л", ['m'] = "м",
        ['n'] = "н", ['h'] = "һ", ['w'] = "в", ['y'] = "й"};
    static const char *const cyr_up[128] = {
        ['a'] = "А", ['e'] = "Ә", ['i'] = "И", ['o'] = "О", ['u'] = "У", ['O'] = "Ө", ['U'] = "Ү",
        ['E'] = "Е", ['b'] = "Б", ['p'] = "П", ['t'] = "Т", ['j'] = "Җ", ['C'] = "Ч", ['X'] = "Х",
        ['d'] = "Д", ['r'] = "Р", ['z'] = "З", ['Z'] = "Ж", ['s'] = "С", ['S'] = "Ш", ['G'] = "Ғ",
        ['f'] = "Ф", ['q'] = "Қ", ['k'] = "К", ['g'] = "Г", ['N'] = "Ң", ['l'] = "Л", ['m'] = "М",
        ['n'] = "Н", ['h'] = "Һ", ['w'] = "В", ['y'] = "Й"};
    for (size_t i = 0; ph[i]; i++) {
        unsigned char c = (unsigned char)ph[i];
        const char *s = NULL;
        if (st == UG_ARAB) {
            /* A vowel starting a word or following a vowel is carried by ئ. */
            if (ug_vowel((char)c) && (i == 0 || ug_vowel(ph[i - 1]))) {
                put(out, size, n, "ئ");
            }
            s = arab[c];
        } else if (st == UG_CYRL) {
            s = i ? cyr[c] : cyr_up[c];
        } else {
            s = i ? uly[c] : uly_up[c];
        }
        put(out, size, n, s ? s : "");
    }
}

/* ---- Russian names: Cyrillic, BGN, passport (ICAO), German ---------------- */

/* Phonemes: a o u i, I (ы), E (е), A (я), U (ю); b v g d z k l m n p r s t f,
 * X (х) Z (ж) S (ш) C (ч) T (ц) W (щ) y (й), ' (ь). */
static const char *const ru_given_m[] = {
    "sErgEy",  "ivan",    "andrEy", "alEksEy",  "dmitriy", "miXail",  "nikolay", "vladimir",
    "pavEl",   "Uriy",    "olEg",   "boris",    "viktor",  "EvgEniy", "maksim",  "dEnis",
    "roman",   "anton",   "kiril",  "grigoriy", "fEdor",   "stEpan",  "timofEy", "vasiliy",
    "gEnadiy", "vitaliy", "lEv",    "igor'",    "il'A",    "arkadiy", "filip",   "matvEy"};
static const char *const ru_given_f[] = {
    "ol'ga",     "natal'A", "Elena",   "tat'Ana",  "marina",  "irina", "anna",   "svEtlana",
    "EkatErina", "UliA",    "lUdmila", "galina",   "nadEZda", "vEra",  "lUbov'", "ksEniA",
    "dar'A",     "polina",  "alina",   "kristina", "valEriA", "sofiA", "larisa", "zoA"};
/* Surname stems; the ending follows the sex. */
static const char *const ru_sur_stem[] = {
    "ivan",      "smirn",     "kuznEc",     "pop",       "vasil'",  "pEtr",      "sokol",
    "miXayl",    "novik",     "fEdor",      "moroz",     "volk",    "alEksEEv",  "lEbEd",
    "sEmEn",     "Egor",      "pavl",       "kozl",      "stEpan",  "nikolaEv",  "orl",
    "andrEEv",   "makar",     "nikit",      "zaXar",     "zaytsEv", "solov'",    "borisEv",
    "Akovlev",   "grigor'Ev", "roman",      "vorob'Ev",  "sErgEEv", "kuz'min",   "frol",
    "alEksandr", "dmitriEv",  "korol'",     "gusEv",     "kisEl",   "il'in",     "maksim",
    "polAkov",   "sorokin",   "vinogradov", "kovalEv",   "bElov",   "mEdvEdEv",  "antonov",
    "tarasov",   "Zukov",     "baranov",    "filippov",  "komarov", "davidov",   "bEl'AEv",
    "gErasimov", "bogdanov",  "osipov",     "sidorov",   "matvEEv", "titov",     "markov",
    "mironov",   "krilov",    "kulikov",    "karpov",    "vlasov",  "mEl'nikov", "dEnisov",
    "gavrilov",  "tiXonov",   "kazakov",    "afanas'Ev", "danilov", "savEl'Ev",  "timofEEv",
    "fomin",     "Cernov",    "abramov",    "martinov",  "Efimov",  "fEdotov",   "WErbakov",
    "nazarov",   "kalinin",   "isaEv",      "CErnov"};

static bool ru_vowel(char c)
{
    return c != '\0' && strchr("aouiIEAU", c) != NULL;
}

static void render_russian(const char *ph, enum style st, char *out, size_t size, size_t *n)
{
    static const char *const cyr[128] = {
        ['a'] = "а", ['o'] = "о",  ['u'] = "у", ['i'] = "и", ['I'] = "ы", ['E'] = "е", ['A'] = "я",
        ['U'] = "ю", ['b'] = "б",  ['v'] = "в", ['g'] = "г", ['d'] = "д", ['z'] = "з", ['k'] = "к",
        ['l'] = "л", ['m'] = "м",  ['n'] = "н", ['p'] = "п", ['r'] = "р", ['s'] = "с", ['t'] = "т",
        ['f'] = "ф", ['X'] = "х",  ['Z'] = "ж", ['S'] = "ш", ['C'] = "ч", ['T'] = "ц", ['W'] = "щ",
        ['y'] = "й", ['\''] = "ь", ['c'] = "ц"};
    static const char *const cyr_up[128] = {
        ['a'] = "А", ['o'] = "О", ['u'] = "У", ['i'] = "И", ['E'] = "Е", ['A'] = "Я", ['U'] = "Ю",
        ['b'] = "Б", ['v'] = "В", ['g'] = "Г", ['d'] = "Д", ['z'] = "З", ['k'] = "К", ['l'] = "Л",
        ['m'] = "М", ['n'] = "Н", ['p'] = "П", ['r'] = "Р", ['s'] = "С", ['t'] = "Т", ['f'] = "Ф",
        ['X'] = "Х", ['Z'] = "Ж", ['S'] = "Ш", ['C'] = "Ч", ['T'] = "Ц", ['W'] = "Щ", ['c'] = "Ц"};
    /* Latin: plain letters shared by the three systems, then the differences. */
    for (size_t i = 0; ph[i]; i++) {
        char c = ph[i];
        bool first = i == 0;
        bool after_vowel = i > 0 && (ru_vowel(ph[i - 1]) || ph[i - 1] == '\'');
        char tmp[8] = "";
        const char *s = NULL;
        if (st == RS_CYRL) {
            s = first ? cyr_up[(unsigned char)c] : cyr[(unsigned char)c];
            put(out, size, n, s ? s : "");
            continue;
        }
        switch (c) {
        case 'I':
            s = "y";
            break;
        case 'E':
            s = (first || after_vowel) && st != RS_ICAO ? (st == RS_DE ? "je" : "ye") : "e";
            break;
        case 'A':
            s = st == RS_ICAO ? "ia" : st == RS_DE ? "ja" : "ya";
            break;
        case 'U':
            s = st == RS_ICAO ? "iu" : st == RS_DE ? "ju" : "yu";
            break;
        case 'X':
            s = st == RS_DE ? "ch" : "kh";
            break;
        case 'Z':
            s = st == RS_DE ? "sch" : "zh";
            break;
        case 'S':
            s = st == RS_DE ? "sch" : "sh";
            break;
        case 'C':
            s = st == RS_DE ? "tsch" : "ch";
            break;
        case 'T':
        case 'c':
            s = st == RS_DE ? "z" : "ts";
            break;
        case 'W':
            s = st == RS_DE ? "schtsch" : "shch";
            break;
        case 'y':
            s = st == RS_ICAO ? "i" : st == RS_DE ? "j" : "y";
            break;
        case '\'':
            s = "";
            break;
        case 'v':
            s = st == RS_DE ? "w" : "v";
            break;
        case 'z':
            s = st == RS_DE ? "s" : "z";
            break;
        default:
            tmp[0] = c;
            s = tmp;
            break;
        }
        size_t at = *n;
        put(out, size, n, s);
        if (first) {
            cap_first(out + at);
        }
    }
}

/* ---- Arabic names: Arabic script and three Latin habits ------------------ */

/* Phonemes: short a i u, long A I U; b t T (th) j H (ḥ) X (kh) d D (dh) r z s
 * S (sh) c (ṣ) P (ḍ) V (ṭ) Q (ʿayn) G (gh) f q k l m n h w y. A doubled
 * letter is a doubled consonant. */
static const char *const ar_given[] = {
    "muHammad", "aHmad",  "XAlid",   "yUsuf",    "QalI",   "Hasan",   "Husayn", "Qumar",
    "ibrAhIm",  "maHmUd", "muctafA", "Qabbas",   "yAsir",  "Hamza",   "Variq",  "Qadnan",
    "bilAl",    "jamAl",  "kamAl",   "sulaymAn", "nabIl",  "SarIf",   "wAlid",  "ziyAd",
    "fAVima",   "maryam", "zaynab",  "Qaisa",    "XadIja", "layla",   "nUr",    "salmA",
    "Hanan",    "amal",   "rAniya",  "dunyA",    "yAsmIn", "sumayya", "Qabla",  "huda"};
static const char *const ar_sur[] = {
    "mancUr",    "Hamdan",  "Haddad", "darwIS", "Xalil",  "jabbAr",  "najjAr", "rASid",
    "karIm",     "nAcir",   "sAlim",  "baSIr",  "fArUq",  "HAmid",   "sayyid", "zaydAn",
    "Qazzam",    "HijAzI",  "bakr",   "QumarI", "tamImI", "Saykh",   "XaVIb",  "qAsim",
    "QuTmAn",    "ridwAn",  "Habib",  "QAdil",  "dAwUd",  "ismAQIl", "yAsIn",  "GAnim",
    "mahdI",     "SalabI",  "zuhayr", "qurayS", "sabbAG", "Hakim",   "Qiyad",  "DahabI",
    "Varabulsi", "maqdisi", "bayVAr", "Qubayd", "Hallaq", "tikriti", "Qamiri", "zuQbI"};

static bool ar_short(char c)
{
    return c == 'a' || c == 'i' || c == 'u';
}

static void render_arabic(const char *ph, enum style st, char *out, size_t size, size_t *n)
{
    static const char *const arab[128] = {
        ['A'] = "ا", ['I'] = "ي", ['U'] = "و", ['b'] = "ب", ['t'] = "ت", ['T'] = "ث",
        ['j'] = "ج", ['H'] = "ح", ['X'] = "خ", ['d'] = "د", ['D'] = "ذ", ['r'] = "ر",
        ['z'] = "ز", ['s'] = "س", ['S'] = "ش", ['c'] = "ص", ['P'] = "ض", ['V'] = "ط",
        ['Q'] = "ع", ['G'] = "غ", ['f'] = "ف", ['q'] = "ق", ['k'] = "ك", ['l'] = "ل",
        ['m'] = "م", ['n'] = "ن", ['h'] = "ه", ['w'] = "و", ['y'] = "ي"};
    size_t len = strlen(ph);
    for (size_t i = 0; i < len; i++) {
        char c = ph[i];
        size_t at = *n;
        if (st == AR_ARAB) {
            if (i == 0 && ar_short(c)) {
                put(out, size, n, c == 'i' ? "إ" : "أ");
            } else if (i + 1 == len && c == 'a' && i > 0 && !ar_short(ph[i - 1])) {
                put(out, size, n, "ة");
            } else if (!ar_short(c) && !(i > 0 && ph[i - 1] == c)) {
                const char *s = arab[(unsigned char)c];
                put(out, size, n, s ? s : "");
            }
            continue;
        }
        bool doubled = i > 0 && ph[i - 1] == c && !ar_short(c);
        char tmp[4] = {c, '\0'};
        const char *s = tmp;
        switch (c) {
        case 'A':
            s = "a";
            break;
        case 'I':
            s = st == AR_EG ? "i" : st == AR_FR ? "i" : "i";
            break;
        case 'U':
            s = st == AR_FR ? "ou" : "u";
            break;
        case 'u':
            s = st == AR_EN ? "u" : st == AR_FR ? "ou" : "o";
            break;
        case 'a':
            s = st == AR_EG && i > 0 && i + 1 < len ? "e" : "a";
            break;
        case 'T':
            s = st == AR_EG ? "s" : "th";
            break;
        case 'D':
            s = st == AR_EG ? "z" : "dh";
            break;
        case 'H':
        case 'h':
            s = "h";
            break;
        case 'X':
            s = "kh";
            break;
        case 'S':
            s = st == AR_FR ? "ch" : "sh";
            break;
        case 'j':
            s = st == AR_FR ? "dj" : st == AR_EG ? "g" : "j";
            break;
        case 'c':
            s = "s";
            break;
        case 'P':
            s = "d";
            break;
        case 'V':
            s = "t";
            break;
        case 'Q':
            s = st == AR_EN && i > 0 ? "'" : "";
            break;
        case 'G':
            s = "gh";
            break;
        case 'q':
            s = st == AR_EN ? "q" : "k";
            break;
        default:
            break;
        }
        if (doubled && st == AR_EG) {
            continue;
        }
        put(out, size, n, s);
        if (i == 0 || (i == 1 && ph[0] == 'Q')) {
            cap_first(out + at);
        }
    }
}

/* ---- Chinese names: Han and pinyin -------------------------------------- */

struct hanzi {
    const char *han;
    const char *py;
};

static const struct hanzi zh_sur[] = {
    {"王", "wang"},  {"李", "li"},    {"张", "zhang"}, {"刘", "liu"},  {"陈", "chen"},
    {"杨", "yang"},  {"黄", "huang"}, {"赵", "zhao"},  {"吴", "wu"},   {"周", "zhou"},
    {"徐", "xu"},    {"孙", "sun"},   {"马", "ma"},    {"朱", "zhu"},  {"胡", "hu"},
    {"郭", "guo"},   {"何", "he"},    {"高", "gao"},   {"林", "lin"},  {"罗", "luo"},
    {"郑", "zheng"}, {"梁", "liang"}, {"谢", "xie"},   {"宋", "song"}, {"唐", "tang"},
    {"韩", "han"},   {"冯", "feng"},  {"邓", "deng"},  {"曹", "cao"},  {"彭", "peng"},
    {"萧", "xiao"},  {"田", "tian"},  {"董", "dong"},  {"潘", "pan"},  {"袁", "yuan"},
    {"蒋", "jiang"}, {"蔡", "cai"},   {"余", "yu"},    {"杜", "du"},   {"叶", "ye"}};
static const struct hanzi zh_given[] = {
    {"伟", "wei"},   {"芳", "fang"}, {"娜", "na"},   {"敏", "min"},  {"静", "jing"}, {"丽", "li"},
    {"强", "qiang"}, {"磊", "lei"},  {"军", "jun"},  {"洋", "yang"}, {"勇", "yong"}, {"艳", "yan"},
    {"杰", "jie"},   {"娟", "juan"}, {"涛", "tao"},  {"明", "ming"}, {"超", "chao"}, {"秀", "xiu"},
    {"霞", "xia"},   {"平", "ping"}, {"刚", "gang"}, {"桂", "gui"},  {"英", "ying"}, {"华", "hua"},
    {"玉", "yu"},    {"建", "jian"}, {"文", "wen"},  {"辉", "hui"},  {"斌", "bin"},  {"宇", "yu"},
    {"浩", "hao"},   {"凯", "kai"},  {"鹏", "peng"}, {"晨", "chen"}, {"欣", "xin"},  {"雪", "xue"},
    {"琳", "lin"},   {"海", "hai"},  {"东", "dong"}, {"志", "zhi"},  {"国", "guo"},  {"春", "chun"},
    {"兰", "lan"},   {"松", "song"}, {"博", "bo"},   {"婷", "ting"}, {"梅", "mei"},  {"彬", "bin"},
    {"飞", "fei"},   {"峰", "feng"}};

/* A Chinese identity keeps character indexes: given "g1 g2" (g2 < 0: none). */
static void render_chinese(const struct ident *id, enum style st, bool swap, char *out, size_t size)
{
    int s = 0;
    int g1 = 0;
    int g2 = -1;
    sscanf(id->sur, "%d", &s);
    sscanf(id->given, "%d %d", &g1, &g2);
    size_t n = 0;
    out[0] = '\0';
    if (st == ZH_HANI) {
        put(out, size, &n, zh_sur[s].han);
        put(out, size, &n, zh_given[g1].han);
        if (g2 >= 0) {
            put(out, size, &n, zh_given[g2].han);
        }
        return;
    }
    char sur[16];
    char given[32];
    snprintf(sur, sizeof sur, "%s", zh_sur[s].py);
    cap_first(sur);
    if (g2 < 0) {
        snprintf(given, sizeof given, "%s", zh_given[g1].py);
    } else if (st == ZH_PINYIN_WEST && (id->suf & 1)) {
        /* "Wei-Ming": hyphenated, both syllables capitalised. */
        snprintf(given, sizeof given, "%s-%s", zh_given[g1].py, zh_given[g2].py);
        cap_first(given + strlen(zh_given[g1].py) + 1);
    } else {
        snprintf(given, sizeof given, "%s%s", zh_given[g1].py, zh_given[g2].py);
    }
    cap_first(given);
    bool given_first = (st == ZH_PINYIN_WEST) != swap;
    snprintf(out, size, "%s %s", given_first ? given : sur, given_first ? sur : given);
}

/* ---- identities and their writings -------------------------------------- */

static void drop_letter(char *w)
{
    size_t ns = strlen(w);
    if (ns <= 4) {
        return;
    }
    size_t at = 2 + pick(ns - 3);
    if ((unsigned char)w[at] < 0x80 && (unsigned char)w[at - 1] < 0x80 &&
        (unsigned char)w[at + 1] < 0x80) {
        memmove(w + at, w + at + 1, ns - at);
    }
}

/* Whether the last render() wrote a patronymic. */
static bool rendered_third;

static void render(const struct ident *id, enum style st, bool swap, bool typo, char *out,
                   size_t size)
{
    rendered_third = false;
    if (id->fam == FAM_CHINESE) {
        render_chinese(id, st, swap, out, size);
        return;
    }
    char given[96] = "";
    char sur[160] = "";
    char third[96] = "";
    size_t ng = 0;
    size_t ns = 0;
    size_t nt = 0;
    switch (id->fam) {
    case FAM_KAZAKH:
        render_kazakh(id->given, st, given, sizeof given, &ng);
        render_kazakh(id->sur, st, sur, sizeof sur, &ns);
        put(sur, sizeof sur, &ns, suffix_text(id->suf, st));
        break;
    case FAM_UYGHUR:
        render_uyghur(id->given, st, given, sizeof given, &ng);
        render_uyghur(id->sur, st, sur, sizeof sur, &ns);
        break;
    case FAM_RUSSIAN: {
        bool female = id->suf == 1;
        render_russian(id->given, st, given, sizeof given, &ng);
        char ph[64];
        size_t sl = strlen(id->sur);
        bool sk = sl > 2 && strcmp(id->sur + sl - 2, "sk") == 0;
        snprintf(ph, sizeof ph, "%s%s", id->sur, female ? (sk ? "A" : "a") : "");
        render_russian(ph, st, sur, sizeof sur, &ns);
        /* The patronymic: Cyrillic always, Latin documents mostly without. */
        if (id->third[0] && (st == RS_CYRL || pick(3) == 0)) {
            rendered_third = true;
            snprintf(ph, sizeof ph, "%s%s", id->third, female ? "vna" : "viC");
            render_russian(ph, st, third, sizeof third, &nt);
        }
        break;
    }
    case FAM_ARABIC: {
        render_arabic(id->given, st, given, sizeof given, &ng);
        bool article = pick(10) < 3; /* a habit of the writer, not part of the name */
        if (article) {
            /* The article: ال joined, "al-", "el-" or "El " by habit. */
            put(sur, sizeof sur, &ns,
                st == AR_ARAB ? "ال"
                : st == AR_EN ? "al-"
                : st == AR_FR ? "el-"
                              : "El ");
        }
        char w[96] = "";
        size_t nw = 0;
        render_arabic(id->sur, st, w, sizeof w, &nw);
        if (article && st == AR_FR && w[0] >= 'A' && w[0] <= 'Z') {
            w[0] = (char)(w[0] - 'A' + 'a'); /* el-hamdan */
        }
        put(sur, sizeof sur, &ns, w);
        break;
    }
    case FAM_CHINESE:
    case FAM_COUNT:
        break;
    }
    if (typo && style_latin(st)) {
        drop_letter(sur);
    }
    if (third[0]) {
        snprintf(out, size, "%s %s %s", swap ? sur : given, third, swap ? given : sur);
    } else {
        snprintf(out, size, "%s %s", swap ? sur : given, swap ? given : sur);
    }
}

static void make_ident(struct ident *id)
{
    /* The mix: Kazakh 30%, Uyghur 20%, Chinese 20%, Russian 15%, Arabic 15%. */
    size_t r = pick(20);
    id->fam = r < 6    ? FAM_KAZAKH
              : r < 10 ? FAM_UYGHUR
              : r < 14 ? FAM_CHINESE
              : r < 17 ? FAM_RUSSIAN
                       : FAM_ARABIC;
    id->third[0] = '\0';
    id->suf = 0;
    switch (id->fam) {
    case FAM_KAZAKH: {
        size_t g1 = pick_skewed(ARRAY_LEN(given_syl));
        size_t g2 = pick_skewed(ARRAY_LEN(given_syl));
        snprintf(id->given, sizeof id->given, "%s%s", given_syl[g1], given_syl[g2]);
        size_t parts = 2 + pick(2);
        id->sur[0] = '\0';
        for (size_t i = 0; i < parts; i++) {
            size_t l = strlen(id->sur);
            snprintf(id->sur + l, sizeof id->sur - l, "%s", sur_syl[pick(ARRAY_LEN(sur_syl))]);
        }
        id->suf = (int)pick(SUF_COUNT);
        break;
    }
    case FAM_UYGHUR: {
        size_t g1 = pick_skewed(ARRAY_LEN(ug_given_syl));
        size_t g2 = pick_skewed(ARRAY_LEN(ug_given_syl));
        snprintf(id->given, sizeof id->given, "%s%s", ug_given_syl[g1], ug_given_syl[g2]);
        size_t parts = 2 + pick(2);
        id->sur[0] = '\0';
        for (size_t i = 0; i < parts; i++) {
            size_t l = strlen(id->sur);
            snprintf(id->sur + l, sizeof id->sur - l, "%s",
                     ug_sur_syl[pick(ARRAY_LEN(ug_sur_syl))]);
        }
        break;
    }
    case FAM_RUSSIAN: {
        bool female = pick(2);
        id->suf = female;
        snprintf(id->given, sizeof id->given, "%s",
                 female ? ru_given_f[pick_skewed(ARRAY_LEN(ru_given_f))]
                        : ru_given_m[pick_skewed(ARRAY_LEN(ru_given_m))]);
        /* Surname: a stem and -ov/-in/-sky, or a whole surname ending in -ov. */
        const char *stem = ru_sur_stem[pick(ARRAY_LEN(ru_sur_stem))];
        size_t sl = strlen(stem);
        bool whole = sl > 2 && strcmp(stem + sl - 2, "ov") == 0;
        static const char *const ends[] = {"ov", "in", "skiy", "Ev"};
        const char *end = whole ? "" : ends[pick(ARRAY_LEN(ends))];
        if (female && strcmp(end, "skiy") == 0) {
            end = "sk"; /* + "A": -ская */
        }
        snprintf(id->sur, sizeof id->sur, "%s%s", stem, end);
        /* A patronymic from a father's name (two in three). */
        if (pick(3)) {
            const char *f = ru_given_m[pick_skewed(ARRAY_LEN(ru_given_m))];
            size_t fl = strlen(f);
            /* Ivan -> Ivanovich, Sergey -> Sergeyevich, Igor' -> Igorevich. */
            bool soft = fl > 1 && (f[fl - 1] == 'y' || f[fl - 1] == '\'');
            snprintf(id->third, sizeof id->third, "%.*s%s", (int)(soft ? fl - 1 : fl), f,
                     soft ? "E" : "o");
        }
        break;
    }
    case FAM_ARABIC:
        snprintf(id->given, sizeof id->given, "%s", ar_given[pick_skewed(ARRAY_LEN(ar_given))]);
        snprintf(id->sur, sizeof id->sur, "%s", ar_sur[pick(ARRAY_LEN(ar_sur))]);
        break;
    case FAM_CHINESE: {
        size_t s = pick_skewed(ARRAY_LEN(zh_sur));
        size_t g1 = pick(ARRAY_LEN(zh_given));
        int g2 = pick(4) ? (int)pick(ARRAY_LEN(zh_given)) : -1;
        snprintf(id->sur, sizeof id->sur, "%zu", s);
        snprintf(id->given, sizeof id->given, "%zu %d", g1, g2);
        id->suf = (int)pick(2);
        break;
    }
    case FAM_COUNT:
        break;
    }
}

/* Whether two identities are the same name as far as a query written
 * without a patronymic can tell (with_third false: patronymics ignored).
 * Chinese suf is a writing habit, not part of the name. */
static bool same_ident(const struct ident *a, const struct ident *b, bool with_third)
{
    return a->fam == b->fam && strcmp(a->given, b->given) == 0 && strcmp(a->sur, b->sur) == 0 &&
           (!with_third || strcmp(a->third, b->third) == 0) &&
           (a->fam == FAM_CHINESE || a->suf == b->suf);
}

static enum style pick_style(enum family f)
{
    size_t k = 0;
    while (k < 5 && family_styles[f][k] != STYLE_COUNT) {
        k++;
    }
    return family_styles[f][pick(k)];
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* CPU time of the process (every thread). */
static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Opens (creating it if need be) the store at db; NULL, with the reason
 * printed, when it cannot be. */
static struct store *open_store(const char *db, struct err *e)
{
    struct store *s = NULL;
    if (store_open(db, 0, &s, e) != E_OK) {
        fprintf(stderr, "search_bench: %s\n", e->msg);
        return NULL;
    }
    return s;
}

/* Persons with planted twins, for bench/dedup.sh. */
static int dedup_main(size_t n, const char *db, const char *truth_path)
{
    struct ident *ids = calloc(n, sizeof *ids);
    enum style *reg_style = calloc(n, sizeof *reg_style);
    char bundle_path[4200];
    snprintf(bundle_path, sizeof bundle_path, "%s.bundle.json", db);
    FILE *bf = fopen(bundle_path, "w");
    FILE *tf = fopen(truth_path, "w");
    if (!ids || !reg_style || !bf || !tf) {
        fprintf(stderr, "search_bench: cannot set up\n");
        return 1;
    }
    size_t planted = 0;
    fputs("{\"format\": \"refuge-bundle/1\", \"persons\": [\n", bf);
    for (size_t i = 0; i < n; i++) {
        bool twin = i > 0 && pick(50) == 0;
        bool swap = false;
        bool typo = false;
        if (twin) {
            ids[i] = ids[i - 1];
            do {
                reg_style[i] = pick_style(ids[i].fam);
            } while (reg_style[i] == reg_style[i - 1]);
            swap = pick(10) < 3 && ids[i].fam != FAM_CHINESE;
            typo = pick(10) < 2;
            planted++;
        } else {
            make_ident(&ids[i]);
            reg_style[i] =
                ids[i].fam == FAM_KAZAKH ? (pick(2) ? KK_CYRL : EN_LATN) : pick_style(ids[i].fam);
        }
        char name[256];
        render(&ids[i], reg_style[i], swap, typo, name, sizeof name);
        fprintf(bf, "%s{\"id\": \"p%zu\", \"names\": [{\"full\": \"%s\"}]}\n", i ? "," : "", i,
                name);
        int suf = ids[i].fam == FAM_CHINESE ? 0 : ids[i].suf;
        char twin_of[32] = "-";
        if (twin) {
            snprintf(twin_of, sizeof twin_of, "p%zu", i - 1);
        }
        /* The name as a reader of Latin documents sees it: Chinese
         * identities whose characters differ but read the same in pinyin
         * are namesakes (no name-based method can tell them apart). */
        char seen[300];
        if (ids[i].fam == FAM_CHINESE) {
            char py[256];
            render_chinese(&ids[i], ZH_PINYIN, false, py, sizeof py);
            snprintf(seen, sizeof seen, "%d|%s", (int)ids[i].fam, py);
        } else {
            snprintf(seen, sizeof seen, "%d|%s|%s|%d", (int)ids[i].fam, ids[i].given, ids[i].sur,
                     suf);
        }
        fprintf(tf, "p%zu\t%s\t%d|%s|%s|%d\t%s\t%s\n", i, name, (int)ids[i].fam, ids[i].given,
                ids[i].sur, suf, twin_of, seen);
    }
    fputs("]}\n", bf);
    fclose(bf);
    fclose(tf);
    free(ids);
    free(reg_style);

    store_global_init();
    remove(db);
    struct err e = ERR_INIT;
    struct store *s = open_store(db, &e);
    if (!s) {
        return 1;
    }
    FILE *in = fopen(bundle_path, "r");
    struct import_report rep;
    struct diags problems = DIAGS_INIT;
    struct diags notes = DIAGS_INIT;
    double t0 = now_ms();
    enum app_err rc = service_import(s, in, &rep, &problems, &notes, &e);
    double t_import = now_ms() - t0;
    fclose(in);
    diags_release(&notes);
    diags_release(&problems);
    store_close(s);
    remove(bundle_path);
    if (rc != E_OK) {
        fprintf(stderr, "search_bench: import: %s\n", e.msg);
        return 1;
    }
    printf("persons                 %zu, %zu planted twins (import %.1f s)\n", n, planted,
           t_import / 1e3);
    return 0;
}

static bool block_row(void *ctx, const char *block, int64_t kid, unsigned side)
{
    return fprintf(ctx, "%s,%lld,%u\n", block, (long long)kid, side) > 0;
}

/* The blocks of refuge's dedup, for bench/dedup_duckdb.js. */
static int blocks_main(const char *db, const char *out_path)
{
    store_global_init();
    struct err e = ERR_INIT;
    struct store *s = open_store(db, &e);
    if (!s) {
        return 1;
    }
    FILE *out = fopen(out_path, "w");
    if (!out) {
        fprintf(stderr, "search_bench: cannot write %s\n", out_path);
        store_close(s);
        return 1;
    }
    enum app_err rc = service_dedup_blocks(s, block_row, out, &e);
    store_close(s);
    if (fclose(out) != 0 || rc != E_OK) {
        fprintf(stderr, "search_bench: blocks: %s\n", rc != E_OK ? e.msg : "write failed");
        return 1;
    }
    return 0;
}

/* The keys and blocks of a store, for dedup_diag_main. */
struct diag_data {
    size_t n_keys;   /* highest key id + 1 */
    char **full;     /* by key id */
    int64_t *key_of; /* by person number (the number in "pN"), -1: none */
    size_t n_persons;
    uint32_t *members;   /* block after block */
    unsigned char *side; /* per member (see service_dedup_blocks) */
    size_t n_members, alloc_members;
    size_t *start; /* block i: members[start[i] .. start[i + 1]) */
    size_t n_blocks, alloc_blocks;
    char last[24];
};

static bool diag_key(void *ctx, const struct store_key *k)
{
    struct diag_data *d = ctx;
    size_t kid = (size_t)k->kid;
    if (kid >= d->n_keys) {
        size_t n = d->n_keys ? d->n_keys : 1024;
        while (n <= kid) {
            n *= 2;
        }
        d->full = realloc(d->full, n * sizeof *d->full);
        memset(d->full + d->n_keys, 0, (n - d->n_keys) * sizeof *d->full);
        d->n_keys = n;
    }
    d->full[kid] = strdup(k->full);
    size_t p = k->person[0] == 'p' ? (size_t)strtoul(k->person + 1, NULL, 10) : 0;
    if (p >= d->n_persons) {
        size_t n = d->n_persons ? d->n_persons : 1024;
        while (n <= p) {
            n *= 2;
        }
        d->key_of = realloc(d->key_of, n * sizeof *d->key_of);
        for (size_t i = d->n_persons; i < n; i++) {
            d->key_of[i] = -1;
        }
        d->n_persons = n;
    }
    if (d->key_of[p] < 0) {
        d->key_of[p] = k->kid;
    }
    return d->full != NULL && d->key_of != NULL;
}

static bool diag_block_row(void *ctx, const char *block, int64_t kid, unsigned side)
{
    struct diag_data *d = ctx;
    if (d->n_blocks == 0 || strcmp(block, d->last) != 0) {
        if (d->n_blocks + 2 > d->alloc_blocks) {
            d->alloc_blocks = d->alloc_blocks ? d->alloc_blocks * 2 : 4096;
            d->start = realloc(d->start, d->alloc_blocks * sizeof *d->start);
        }
        d->start[d->n_blocks++] = d->n_members;
        snprintf(d->last, sizeof d->last, "%s", block);
    }
    if (d->n_members == d->alloc_members) {
        d->alloc_members = d->alloc_members ? d->alloc_members * 2 : 65536;
        d->members = realloc(d->members, d->alloc_members * sizeof *d->members);
        d->side = realloc(d->side, d->alloc_members);
        if (!d->members || !d->side) {
            return false;
        }
    }
    d->side[d->n_members] = (unsigned char)side;
    d->members[d->n_members++] = (uint32_t)kid;
    d->start[d->n_blocks] = d->n_members;
    return d->start != NULL;
}

static int person_num(const char *id)
{
    return id[0] == 'p' ? (int)strtol(id + 1, NULL, 10) : -1;
}

static int dedup_diag_main(const char *db, const char *missed_path, double threshold)
{
    enum { SCORED_MAX = 200 }; /* DEDUP_SCORED_MAX in src/service/search.c */

    store_global_init();
    struct err e = ERR_INIT;
    struct store *s = open_store(db, &e);
    if (!s) {
        return 1;
    }
    struct diag_data d = {0};
    if (store_keys_each(s, diag_key, &d, &e) != E_OK ||
        service_dedup_blocks(s, diag_block_row, &d, &e) != E_OK) {
        fprintf(stderr, "search_bench: %s\n", e.msg);
        store_close(s);
        return 1;
    }
    store_close(s);
    /* Per key, its blocks. */
    size_t *n_of = calloc(d.n_keys + 1, sizeof *n_of);
    size_t *first = calloc(d.n_keys + 1, sizeof *first);
    uint32_t *blocks_of = malloc((d.n_members + 1) * sizeof *blocks_of);
    unsigned char *side_of = malloc(d.n_members + 1);
    double *hits = calloc(d.n_keys, sizeof *hits);
    FILE *in = fopen(missed_path, "r");
    if (!n_of || !first || !blocks_of || !side_of || !hits || !in) {
        fprintf(stderr, "search_bench: cannot set up\n");
        return 1;
    }
    for (size_t i = 0; i < d.n_members; i++) {
        n_of[d.members[i]]++;
    }
    for (size_t k = 0, at = 0; k < d.n_keys; k++) {
        first[k] = at;
        at += n_of[k];
        n_of[k] = 0;
    }
    for (size_t b = 0; b < d.n_blocks; b++) {
        for (size_t i = d.start[b]; i < d.start[b + 1]; i++) {
            uint32_t k = d.members[i];
            side_of[first[k] + n_of[k]] = d.side[i];
            blocks_of[first[k] + n_of[k]++] = (uint32_t)b;
        }
    }
    size_t count[4] = {0};
    static const char *const what[4] = {"never compared (no shared block)",
                                        "cut (beyond the candidates scored)", "scored too low",
                                        "other (first look, or evidence floor)"};
    struct namekey *ka = malloc(sizeof *ka);
    struct namekey *kb = malloc(sizeof *kb);
    char line[256];
    while (fgets(line, sizeof line, in)) {
        char *tab = strchr(line, '\t');
        if (!tab) {
            continue;
        }
        *tab = '\0';
        tab[strcspn(tab + 1, "\r\n") + 1] = '\0';
        int pa = person_num(line);
        int pb = person_num(tab + 1);
        if (pa < 0 || pb < 0 || (size_t)pa >= d.n_persons || (size_t)pb >= d.n_persons ||
            d.key_of[pa] < 0 || d.key_of[pb] < 0) {
            continue;
        }
        size_t a = (size_t)d.key_of[pa];
        size_t b = (size_t)d.key_of[pb];
        if (a > b) {
            size_t t = a;
            a = b;
            b = t;
        }
        /* The candidates of a (keys with a higher id), weighed as dedup does. */
        bool shared = false;
        size_t n_cand = 0;
        uint32_t *cand = malloc((d.n_keys + 1) * sizeof *cand);
        for (size_t i = 0; i < n_of[a]; i++) {
            uint32_t bl = blocks_of[first[a] + i];
            unsigned sa = side_of[first[a] + i];
            size_t m = d.start[bl + 1] - d.start[bl];
            double w = 1.0 / log2(2.0 + (double)m);
            for (size_t j = d.start[bl]; j < d.start[bl + 1]; j++) {
                uint32_t k = d.members[j];
                if (k <= a || (sa && (sa | d.side[j]) != 3)) {
                    continue;
                }
                if (hits[k] == 0) {
                    cand[n_cand++] = k;
                }
                hits[k] += w;
                shared |= k == b;
            }
        }
        size_t above = 0;
        for (size_t i = 0; i < n_cand; i++) {
            above += hits[cand[i]] > hits[b];
        }
        for (size_t i = 0; i < n_cand; i++) {
            hits[cand[i]] = 0;
        }
        free(cand);
        namekey_build(d.full[a], NULL, NULL, ka);
        namekey_build(d.full[b], NULL, NULL, kb);
        double sc = namekey_dedup_score(ka, kb, NULL, 0);
        int c = !shared ? 0 : above >= SCORED_MAX ? 1 : sc < threshold ? 2 : 3;
        count[c]++;
        printf("%d\t%.3f\t%zu/%zu\t%s\t%s\n", c, sc, above, n_cand, d.full[a], d.full[b]);
    }
    fclose(in);
    size_t total = count[0] + count[1] + count[2] + count[3];
    for (int c = 0; c < 4; c++) {
        fprintf(stderr, "%-40s %6zu  (%.1f%%)\n", what[c], count[c],
                total ? 100.0 * (double)count[c] / (double)total : 0.0);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "dedup-diag") == 0) {
        return dedup_diag_main(argv[2], argv[3], strtod(argv[4], NULL));
    }
    if (argc == 4 && strcmp(argv[1], "blocks") == 0) {
        return blocks_main(argv[2], argv[3]);
    }
    if (argc == 5 && strcmp(argv[1], "dedup") == 0) {
        size_t nd = (size_t)strtoul(argv[2], NULL, 10);
        if (nd < 10) {
            fprintf(stderr, "search_bench: need N >= 10\n");
            return 2;
        }
        return dedup_main(nd, argv[3], argv[4]);
    }
    if (argc != 4 && argc != 6) {
        fprintf(stderr, "usage: search_bench N Q DB [PERSONS_TSV QUERIES_TSV]\n");
        return 2;
    }
    char *end;
    size_t n = (size_t)strtoul(argv[1], &end, 10);
    size_t q = (size_t)strtoul(argv[2], &end, 10);
    if (n < 10 || q < 1 || q > n) {
        fprintf(stderr, "search_bench: need 10 <= N and 1 <= Q <= N\n");
        return 2;
    }
    const char *db = argv[3];
    FILE *ptsv = argc == 6 ? fopen(argv[4], "w") : NULL;
    FILE *qtsv = argc == 6 ? fopen(argv[5], "w") : NULL;

    struct ident *ids = calloc(n, sizeof *ids);
    enum style *reg_style = calloc(n, sizeof *reg_style);
    char bundle_path[4200];
    snprintf(bundle_path, sizeof bundle_path, "%s.bundle.json", db);
    FILE *bf = fopen(bundle_path, "w");
    if (!ids || !reg_style || !bf) {
        fprintf(stderr, "search_bench: cannot set up\n");
        return 1;
    }
    fputs("{\"format\": \"refuge-bundle/1\", \"persons\": [\n", bf);
    for (size_t i = 0; i < n; i++) {
        make_ident(&ids[i]);
        reg_style[i] =
            ids[i].fam == FAM_KAZAKH ? (pick(2) ? KK_CYRL : EN_LATN) : pick_style(ids[i].fam);
        char name[256];
        render(&ids[i], reg_style[i], false, false, name, sizeof name);
        fprintf(bf, "%s{\"id\": \"p%zu\", \"names\": [{\"full\": \"%s\"}]}\n", i ? "," : "", i,
                name);
        if (ptsv) {
            /* Identity with and without the patronymic (see same_ident). */
            int suf = ids[i].fam == FAM_CHINESE ? 0 : ids[i].suf;
            fprintf(ptsv, "p%zu\t%s\t%d|%s|%s|%s|%d\t%d|%s|%s|%d\n", i, name, (int)ids[i].fam,
                    ids[i].given, ids[i].sur, ids[i].third, suf, (int)ids[i].fam, ids[i].given,
                    ids[i].sur, suf);
        }
    }
    fputs("]}\n", bf);
    fclose(bf);
    if (ptsv) {
        fclose(ptsv);
    }

    store_global_init();
    /* BENCH_REUSE=1 searches a database left by an earlier run with the same
     * N (the data are deterministic), for profiling the queries alone. */
    bool reuse = getenv("BENCH_REUSE") != NULL;
    if (!reuse) {
        remove(db);
    }
    struct err e = ERR_INIT;
    struct store *s = open_store(db, &e);
    if (!s) {
        return 1;
    }
    FILE *in = fopen(bundle_path, "r");
    struct import_report rep;
    struct diags problems = DIAGS_INIT;
    struct diags notes = DIAGS_INIT;
    double t0 = now_ms();
    enum app_err rc = reuse ? E_OK : service_import(s, in, &rep, &problems, &notes, &e);
    double t_import = now_ms() - t0;
    fclose(in);
    if (rc != E_OK) {
        fprintf(stderr, "search_bench: import: %s\n", e.msg);
        return 1;
    }
    size_t dup_notes = notes.total;
    diags_release(&notes);
    diags_release(&problems);
    t0 = now_ms();
    double cpu0 = cpu_ms();
    size_t persons = 0;
    if (!reuse && service_reindex(s, &persons, NULL, &e) != E_OK) {
        fprintf(stderr, "search_bench: reindex: %s\n", e.msg);
        return 1;
    }
    double t_reindex = now_ms() - t0;
    double cpu_reindex = cpu_ms() - cpu0;

    /* Queries: planted variants of stored names in another writing. */
    double *lat = calloc(q, sizeof *lat);
    size_t at1 = 0;
    size_t at10 = 0;
    size_t exact1 = 0;
    size_t fam_q[FAM_COUNT] = {0};
    size_t fam_at1[FAM_COUNT] = {0};
    size_t fam_at10[FAM_COUNT] = {0};
    for (size_t k = 0; k < q; k++) {
        size_t target = (size_t)(((uint64_t)k * 2654435761u) % n);
        enum style st;
        enum family fam = ids[target].fam;
        do {
            st = pick_style(fam);
        } while (st == reg_style[target] ||
                 (reg_style[target] == KK_CYRL && st == RU_CYRL && pick(2)));
        /* Chinese order is part of the style (surname first or last). */
        bool swap = pick(10) < 3 && fam != FAM_CHINESE;
        bool typo = pick(10) < 2;
        char query[256];
        render(&ids[target], st, swap, typo, query, sizeof query);
        if (qtsv) {
            int suf = ids[target].fam == FAM_CHINESE ? 0 : ids[target].suf;
            fprintf(qtsv, "%s\tp%zu\t%d|%s|%s|%s|%d\t%d|%s|%s|%d\t%d\n", query, target,
                    (int)ids[target].fam, ids[target].given, ids[target].sur, ids[target].third,
                    suf, (int)ids[target].fam, ids[target].given, ids[target].sur, suf,
                    rendered_third ? 1 : 0);
        }
        struct arena a = ARENA_INIT;
        struct search_hit *h = NULL;
        size_t nh = 0;
        t0 = now_ms();
        rc = service_search_persons(s, query, 10, 0, NULL, &a, &h, &nh, &e);
        lat[k] = now_ms() - t0;
        if (rc != E_OK) {
            fprintf(stderr, "search_bench: search '%s': %s\n", query, e.msg);
            return 1;
        }
        /* A result is right when it is the target or a person with the very
         * same generated name (the data may hold namesakes). */
        size_t rank = 0; /* 0: not in the results */
        for (size_t r = 0; r < nh; r++) {
            size_t pid = (size_t)strtoul(h[r].id + 1, &end, 10);
            bool same = pid == target || same_ident(&ids[pid], &ids[target], rendered_third);
            if (same) {
                rank = r + 1;
                fam_at1[fam] += r == 0;
                fam_at10[fam]++;
                at1 += r == 0;
                exact1 += r == 0 && pid == target;
                at10++;
                break;
            }
        }
        if (getenv("BENCH_VERBOSE")) {
            if (rank != 1) {
                char reg[256];
                render(&ids[target], reg_style[target], false, false, reg, sizeof reg);
                fprintf(stderr, "miss@%zu: %s (want p%zu %s) got %s %.3f %s\n", rank, query, target,
                        reg, nh ? h[0].id : "-", nh ? h[0].score : 0.0, nh ? h[0].why : "");
            }
        }
        fam_q[fam]++;
        arena_release(&a);
    }
    if (qtsv) {
        fclose(qtsv);
    }
    qsort(lat, q, sizeof *lat, cmp_double);
    double sum = 0;
    for (size_t k = 0; k < q; k++) {
        sum += lat[k];
    }
    printf("persons                 %zu (import %.1f s, %.0f persons/s, %zu duplicate notes)\n", n,
           t_import / 1e3, (double)n / (t_import / 1e3), dup_notes);
    printf("key building (reindex)  %.1f s, %.0f persons/s (CPU %.1f s, both threads)\n",
           t_reindex / 1e3, (double)persons / (t_reindex / 1e3), cpu_reindex / 1e3);
    printf("queries                 %zu planted variants\n", q);
    printf("recall@1                %.3f (%.3f the very same record)\n", (double)at1 / (double)q,
           (double)exact1 / (double)q);
    printf("recall@10               %.3f\n", (double)at10 / (double)q);
    for (int f = 0; f < FAM_COUNT; f++) {
        if (fam_q[f]) {
            printf("  %-8s %4zu queries   recall@1 %.3f   recall@10 %.3f\n", family_name[f],
                   fam_q[f], (double)fam_at1[f] / (double)fam_q[f],
                   (double)fam_at10[f] / (double)fam_q[f]);
        }
    }
    printf("latency ms              mean %.2f  p50 %.2f  p95 %.2f  p99 %.2f  max %.2f\n",
           sum / (double)q, lat[q / 2], lat[(size_t)((double)q * 0.95)],
           lat[(size_t)((double)q * 0.99)], lat[q - 1]);
    free(lat);
    free(ids);
    free(reg_style);
    store_close(s);
    remove(bundle_path);
    return 0;
}
