/*
 * namekey.h: matching keys for personal names written in any script.
 *
 * The same person is written Ермек Нұрланұлы, Yermek Nurlanuly, Ermek
 * Nurlanulı or Nurlanuly Yermek; ئابدۇرېھىم ھېيت, Abdurehim Heyit, Абдурехим
 * Хейит or 阿不都热依木·海依提. This module turns each written form into a
 * small set of readings that can be compared across scripts:
 *
 *   1. The script is taken from the hint or detected from the letters. The
 *      language decides the transliteration: Cyrillic with Kazakh letters
 *      (ә ғ қ ң ө ұ ү һ і) is read as Kazakh; Cyrillic without them and
 *      without a hint is read both as Russian and as Kazakh; letters of other
 *      Cyrillic alphabets (Җ, Ҷ, Ҙ, Ҫ, Ҳ, Ӂ, Ў, ...) are read as the nearest
 *      letter the transliteration knows (Җ as Ж). Arabic script
 *      with Uyghur letters (ې ۇ ۆ ۈ ۋ ە ھ ڭ, or a word starting with ئ) is
 *      read as Uyghur (rules in data/translit-ug-Arab-Latn.txt), otherwise as
 *      Arabic consonants (data/translit-ar-Arab-Latn.txt, article removed).
 *      Han is read in pinyin (data/translit-zh-Hani-Latn.txt over ICU's
 *      Han-Latin, cached per character); a name with a middle dot (·), which
 *      marks a transcribed non-Chinese name, also gets a second reading that
 *      undoes the Chinese syllable structure (Abulimiti -> ablimit), and so
 *      does a Latin name that splits wholly into pinyin syllables.
 *   2. The reading is folded to ASCII (ş -> sh, ç -> ch, ı -> i, ə -> a,
 *      diacritics dropped) and cut into tokens.
 *   3. Each token gets a canonical phonetic spelling in which the variants
 *      that romanisation systems disagree on coincide: kh/h/x -> H,
 *      zh/j/dzh/dj/zsch -> J, sh/sch/ş -> S, ch/tsch/tch -> C, ng -> N (before
 *      a consonant or at the end), q -> k, gh -> g, w -> v, ph -> f, ou/oo -> u,
 *      y -> i unless before a vowel, doubled letters -> one (but not two
 *      consonants read from Arabic script, which writes a doubled one once:
 *      خلل is kh-l-l). Patronymic and
 *      surname endings are split off into an affix (-uly/-ulı/-ogly,
 *      -kyzy/-qyzy, -ovich/-evich, -ovna/-evna, -ov/-ev, -ova/-eva) so that
 *      Nurlanuly and Nurlanov share the stem "nurlan". Arabic articles
 *      (al-, el-, Al ) are dropped and "Abd al-" / "Abdel" / "Abdul" /
 *      "Abdur" forms are joined into one token "abdu...".
 *   4. Tokens are sorted, so token order is free.
 *
 * Scoring aligns the tokens of two readings one to one (order-free) and
 * compares aligned tokens with a weighted edit distance in which vowel
 * changes, and changes inside a class of variants (k/g/q/H, s/z, J/C/S, J/y,
 * t/d, b/p, n/N/m, l/r), cost less than other changes; a reading that came
 * from Arabic script (no short vowels) is compared on consonants only.
 *
 * Keys are fixed-size structs that the caller owns (no pointers inside, so
 * they can be copied, kept in arrays or written to disk as they are). The ICU
 * transliterators are opened once per process (prototypes) and cloned once
 * per thread that uses this module; each thread also keeps a bounded cache
 * (64k words) of transliterated words, and a process-wide table caches the
 * pinyin of each Han character. The per-thread state is freed when the
 * thread exits, or by namekey_thread_release(). All functions are safe to
 * call from several threads at once.
 */
#ifndef REFUGE_TEXT_NAMEKEY_H
#define REFUGE_TEXT_NAMEKEY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

enum {
    NAMEKEY_MAX_READINGS = 4, /* readings kept per name */
    NAMEKEY_MAX_TOKENS = 8,   /* tokens kept per reading; more are dropped */
    NAMEKEY_TOKEN_MAX = 24,   /* bytes of a canonical token, with its NUL */
    NAMEKEY_TEXT_MAX = 128,   /* bytes of an ASCII reading or original name, with NUL */
    NAMEKEY_LABEL_MAX = 24,   /* bytes of a reading's label, with NUL */
    NAMEKEY_BLOCK_LEN = 4,    /* classes in one blocking code (see namekey_blocks) */
    NAMEKEY_MAX_BLOCKS = 24,  /* blocking codes per name at most */
    NAMEKEY_EXPLAIN_MAX = 512 /* bytes of an explanation, with NUL */
};

/* What a token's stripped ending said about it. */
enum namekey_affix {
    NAMEKEY_AFFIX_NONE = 0,
    NAMEKEY_AFFIX_PATRONYMIC_M, /* -uly, -ulı, -ogly, -ugli, -ovich, -evich */
    NAMEKEY_AFFIX_PATRONYMIC_F, /* -kyzy, -qyzy, -kizi, -ovna, -evna */
    NAMEKEY_AFFIX_SURNAME_M,    /* -ov, -ev */
    NAMEKEY_AFFIX_SURNAME_F     /* -ova, -eva */
};

struct namekey_token {
    char text[NAMEKEY_TOKEN_MAX]; /* canonical spelling of the stem, see above */
    char skel[NAMEKEY_TOKEN_MAX]; /* text without vowels: the consonant skeleton */
    unsigned char affix;          /* enum namekey_affix */
};

struct namekey_reading {
    char label[NAMEKEY_LABEL_MAX]; /* "Kazakh", "Russian", "Uyghur", "Chinese", ... */
    char text[NAMEKEY_TEXT_MAX];   /* the ASCII reading in written order: "yermek nurlanuly" */
    bool abjad;                    /* vowels unknown (Arabic script): compare skeletons */
    unsigned n_tokens;
    struct namekey_token tokens[NAMEKEY_MAX_TOKENS]; /* sorted by text, then affix */
};

struct namekey {
    char original[NAMEKEY_TEXT_MAX]; /* the input, cut at a character boundary */
    char script[5];                  /* ISO 15924 code used ("Cyrl", "Latn", "Arab", "Hani") */
    unsigned n_readings;             /* 0 when the name has no letters */
    struct namekey_reading readings[NAMEKEY_MAX_READINGS];
};

/* Per-token weights for scoring: return a weight in (0, 1] for a canonical token
 * text, higher for rarer tokens (for instance from the store's counts of
 * blocking codes). A NULL weights pointer, or a NULL fn, weighs every token 1. */
struct namekey_weights {
    double (*fn)(void *ctx, const char *token_text);
    void *ctx;
};

/*
 * Builds the readings of one UTF-8 full name into *out.
 * script: ISO 15924 code ("Cyrl", "Latn", "Arab", "Hani", "Hans", "Hant") or
 *         NULL to detect it from the letters.
 * lang:   ISO 639-1 or 639-3 code ("kk", "ru", "ug", "zh", "ar", "ky", "uk",
 *         "uz", "mn", "kaz", "rus", "uig", ...) or NULL to guess.
 * Returns true when at least one reading with at least one token was built;
 * false for NULL, empty, invalid UTF-8 or letter-less input (out then has no
 * readings). Input beyond 511 UTF-16 units is ignored. Heap use is
 * temporary, plus the per-thread transliterators and word cache described
 * above. Thread-safe.
 */
bool namekey_build(const char *name, const char *script, const char *lang, struct namekey *out);

/*
 * Writes one key per reading into b (appending), one per line, tokens in
 * sorted order separated by spaces, an affix marked after the stem
 * ("nurlan+pm yermek"): the normalised token sequences, for storage or
 * display. Allocates through b only.
 */
void namekey_format(const struct namekey *k, struct buf *b);

/*
 * Blocking codes: short strings an index can look candidates up by. Every
 * token of every reading gives one code of up to NAMEKEY_BLOCK_LEN consonant
 * classes taken from its skeleton (P b/p/f/v, T t/d, K k/g/q, S s/z/c,
 * J J/C/S, M m, N n/N, L l, R r; H and y are left out), prefixed with "n:";
 * a token without consonants gives "v:" plus its first vowel. Codes are
 * deduplicated. An index stores every code of every stored name; a search
 * looks up every code of the query and scores the union of candidates
 * (or, for a large store, those sharing at least two codes, or the rarest
 * codes first). Writes at most max codes into codes[] (each NUL-terminated,
 * at most 8 bytes) and returns how many; does not allocate.
 */
size_t namekey_blocks(const struct namekey *k, char codes[][8], size_t max);

/*
 * Similarity in [0, 1] of a query's keys and a candidate's keys: the best over
 * every pair of readings of the weighted, order-free alignment of their
 * tokens (1 for the same tokens; a missing token on either side lowers it).
 * weights may be NULL. When explain is not NULL, writes at most explain_size
 * bytes (NUL-terminated, cut if needed) of a one-line explanation, for
 * example "Ермек Нұрланұлы -> yermek nurlanuly (Kazakh) ~ Yermek Nurlanuly
 * [0.97]": the candidate as read, then the query (with its reading when it
 * was not already ASCII). Does not allocate.
 */
double namekey_score(const struct namekey *query, const struct namekey *cand,
                     const struct namekey_weights *weights, char *explain, size_t explain_size);

/*
 * Similarity in [0, 1] of two names for deduplication: stricter than
 * namekey_score, which is lenient so that a search finds. For the best pair
 * of readings, every token of the reading with fewer tokens must be aligned
 * with a token of the other, and the score is the least similar aligned pair
 * (all tokens must agree); a token left over on the longer side costs 0.2
 * unless it is a patronymic and the shorter reading has two tokens or more. When both names have
 * pinyin readings (namekey_reading_is_pinyin), only those are compared: the same
 * surname and the same given name, syllable by syllable, in either word order
 * (struct namekey_pinyin): 1 or 0. "Zheng Jianjing" and "Zhang Jingyan",
 * "Wang Mingjie" and 王梅静 (wang meijing) are two people. explain as in
 * namekey_score. Does not allocate.
 */
double namekey_dedup_score(const struct namekey *a, const struct namekey *b, char *explain,
                           size_t explain_size);

/* The pinyin of each reading of a key, for namekey_dedup_score_pinyin, in
 * the two ways it may be read: surname first ("zhang|weiming") and surname
 * last (Western order: "Wei-Ming Zhang"); a given name's syllables keep
 * their order (Chunsong and Songchun are two names), hyphens and syllable
 * splits do not count. "" for a reading that is not pinyin
 * (namekey_reading_is_pinyin), or for the second way when the reading has
 * one word. */
struct namekey_pinyin {
    bool any; /* some reading is pinyin */
    char forms[NAMEKEY_MAX_READINGS][2][NAMEKEY_TEXT_MAX + 2];
};

void namekey_pinyin_of(const struct namekey *k, struct namekey_pinyin *out);

/* namekey_dedup_score with each key's pinyin letters worked out once by the
 * caller (a key compared with many others). */
double namekey_dedup_score_pinyin(const struct namekey *a, const struct namekey_pinyin *pa,
                                  const struct namekey *b, const struct namekey_pinyin *pb,
                                  char *explain, size_t explain_size);

/* True when a reading is Chinese (read from Han) or a Latin reading whose
 * every word splits into pinyin syllables. */
bool namekey_reading_is_pinyin(const struct namekey_reading *r);

/* The letters of such a reading's words, sorted ("Wei-Ming Zhang", "Zhang
 * Weiming" and 张伟明 all give "aeghiimnnwz": the same whatever the word
 * order, hyphens or syllable splits), into out (size bytes, NUL-terminated).
 * False when the reading is not pinyin or out is too small. Does not
 * allocate. */
bool namekey_reading_syllables(const struct namekey_reading *r, char *out, size_t size);

/*
 * Similarity in [0, 1] of two canonical tokens (namekey_token.text), with the
 * same costs namekey_score uses; exposed for tests and for tuning.
 */
double namekey_token_similarity(const char *a, const char *b);

/*
 * Closes the calling thread's transliterators now (they are otherwise closed
 * when the thread exits). The next namekey_build on this thread opens them
 * again. Call before u_cleanup() in programs that check for leaks.
 */
void namekey_thread_release(void);

#endif
