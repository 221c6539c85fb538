/*
 * translit.c: ICU transliterators for name keys, opened once per process and
 * cloned once per thread; the process-wide Han reading table; folding of
 * transliterated text to lower-case ASCII.
 *
 * Opening a transliterator parses its rules and is slow; using one object
 * from several threads at once is not safe. So each transform is opened once
 * (a prototype, under a mutex) and every thread works on its own clone, kept
 * in thread-specific storage and closed by the key's destructor when the
 * thread exits.
 */
#include "text/translit.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utrans.h>

#include "core/embedded.h"
#include "core/strmap.h"
#include "core/xalloc.h"

struct tr_spec {
    const char *id;        /* ICU system transform, or the name given to rules */
    const char *data_file; /* rules from data/, NULL for a system transform */
    const char *suffix;    /* rules appended after the data file's rules */
    const char *rules;     /* or the rules themselves (data_file NULL) */
};

/* Letters of other Cyrillic alphabets (Tatar, Bashkir, Uyghur, Tajik,
 * Uzbek) that the BGN transforms for Russian and Kazakh leave untouched,
 * which would then be folded away (Җасә read "asa"): each is first read as
 * the nearest letter the transform knows. */
#define CYRL_OTHER                                                                                     \
    "\u0496 > \u0416 ; \u0497 > \u0436 ; \u04C1 > \u0416 ; \u04C2 > \u0436 ;" /* Җ Ӂ -> Ж */        \
    "\u04B6 > \u0414\u0436 ; \u04B7 > \u0434\u0436 ;"                         /* Ҷ -> Дж */         \
    "\u0498 > \u0417 ; \u0499 > \u0437 ; \u04AA > \u0421 ; \u04AB > \u0441 ;" /* Ҙ -> З, Ҫ -> С */ \
    "\u04B2 > \u0425 ; \u04B3 > \u0445 ; \u040E > \u0423 ; \u045E > \u0443 ;" /* Ҳ -> Х, Ў -> У */
/* ... and, for the Russian reading, the Kazakh letters too. */
#define CYRL_KAZAKH_TO_RUSSIAN                                                \
    "\u04D8 > \u0410 ; \u04D9 > \u0430 ; \u04E8 > \u041E ; \u04E9 > \u043E ;" \
    "\u04AE > \u0423 ; \u04AF > \u0443 ; \u04B0 > \u0423 ; \u04B1 > \u0443 ;" \
    "\u04BA > \u0425 ; \u04BB > \u0445 ; \u0492 > \u0413 ; \u0493 > \u0433 ;" \
    "\u049A > \u041A ; \u049B > \u043A ; \u04A2 > \u041D ; \u04A3 > \u043D ;" \
    "\u04A0 > \u041A ; \u04A1 > \u043A ; \u049C > \u041A ; \u049D > \u043A ;" \
    "\u04C9 > \u041D ; \u04CA > \u043D ; \u0406 > \u0418 ; \u0456 > \u0438 ;"
#define CYRL_OTHER_KAZAKH                                                     \
    "\u04A0 > \u049A ; \u04A1 > \u049B ; \u049C > \u049A ; \u049D > \u049B ;" \
    "\u04C9 > \u04A2 ; \u04CA > \u04A3 ;"

static const struct tr_spec specs[TR_COUNT] = {
    [TR_RU] = {"x-refuge-ru-Cyrl-Latn", NULL, NULL,
               CYRL_OTHER CYRL_KAZAKH_TO_RUSSIAN "\n::Russian-Latin/BGN ;\n"},
    [TR_KK] = {"x-refuge-kk-Cyrl-Latn", NULL, NULL,
               CYRL_OTHER CYRL_OTHER_KAZAKH "\n::Kazakh-Latin/BGN ;\n"},
    [TR_KY] = {"Kirghiz-Latin/BGN", NULL, NULL, NULL},
    [TR_UK] = {"Ukrainian-Latin/BGN", NULL, NULL, NULL},
    [TR_UZ] = {"Uzbek-Latin/BGN", NULL, NULL, NULL},
    [TR_MN] = {"Mongolian-Latin/BGN", NULL, NULL, NULL},
    [TR_CYRL] = {"Cyrillic-Latin", NULL, NULL, NULL},
    [TR_UG_ARAB] = {"x-refuge-ug-Arab-Latn", "translit-ug-Arab-Latn.txt", NULL, NULL},
    [TR_AR] = {"x-refuge-ar-Arab-Latn", "translit-ar-Arab-Latn.txt", NULL, NULL},
    [TR_HAN_FIRST] = {"x-refuge-zh-Hani-Latn-first", "translit-zh-Hani-Latn.txt",
                      "\n::Han-Latin/Names ;\n", NULL},
    [TR_HAN_REST] = {"x-refuge-zh-Hani-Latn", "translit-zh-Hani-Latn.txt", "\n::Han-Latin ;\n",
                     NULL},
    [TR_ANY] = {"Any-Latin", NULL, NULL, NULL},
};

static pthread_mutex_t proto_lock = PTHREAD_MUTEX_INITIALIZER;
static UTransliterator *protos[TR_COUNT];
static bool proto_failed[TR_COUNT];

static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t tls_key;
static bool tls_key_ok;

/* Transliterated and folded words, per thread: names repeat their words
 * (given names, surnames) far more than they repeat whole. */
enum { WORD_CACHE_MAX = 65536 };

struct tr_thread {
    UTransliterator *t[TR_COUNT];
    struct strmap words; /* transform id + UTF-8 word -> offset in folded */
    struct buf folded;   /* NUL-separated ASCII folds */
};

static void thread_free(void *p)
{
    struct tr_thread *th = p;
    if (th == NULL) {
        return;
    }
    for (size_t i = 0; i < TR_COUNT; i++) {
        if (th->t[i] != NULL) {
            utrans_close(th->t[i]);
        }
    }
    strmap_release(&th->words);
    buf_release(&th->folded);
    free(th);
}

static void make_key(void)
{
    tls_key_ok = pthread_key_create(&tls_key, thread_free) == 0;
}

/* Opens the prototype of id; called with proto_lock held. */
static UTransliterator *open_proto(enum text_tr id)
{
    const struct tr_spec *s = &specs[id];
    UErrorCode status = U_ZERO_ERROR;
    UChar uid[64];
    u_uastrncpy(uid, s->id, (int32_t)(sizeof uid / sizeof uid[0]));
    if (s->data_file == NULL && s->rules == NULL) {
        return utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &status);
    }
    struct buf text = BUF_INIT;
    if (s->data_file != NULL) {
        const struct embedded_file *f =
            embedded_find(refuge_refdata, refuge_refdata_count, s->data_file);
        if (f == NULL) {
            buf_release(&text);
            return NULL;
        }
        buf_add(&text, f->data, f->len);
    } else {
        buf_adds(&text, s->rules);
    }
    if (s->suffix != NULL) {
        buf_adds(&text, s->suffix);
    }
    int32_t need = 0;
    u_strFromUTF8(NULL, 0, &need, text.data, (int32_t)text.len, &status);
    status = U_ZERO_ERROR;
    UChar *rules = xmalloc(((size_t)need + 1) * sizeof *rules);
    u_strFromUTF8(rules, need + 1, NULL, text.data, (int32_t)text.len, &status);
    buf_release(&text);
    UTransliterator *t = NULL;
    if (U_SUCCESS(status)) {
        UParseError pe;
        t = utrans_openU(uid, -1, UTRANS_FORWARD, rules, need, &pe, &status);
        if (U_FAILURE(status)) {
            t = NULL;
        }
    }
    free(rules);
    return t;
}

static struct tr_thread *get_thread(void)
{
    pthread_once(&key_once, make_key);
    if (!tls_key_ok) {
        return NULL;
    }
    struct tr_thread *th = pthread_getspecific(tls_key);
    if (th == NULL) {
        th = xcalloc(1, sizeof *th);
        buf_init(&th->folded);
        if (pthread_setspecific(tls_key, th) != 0) {
            free(th);
            return NULL;
        }
    }
    return th;
}

static UTransliterator *get_thread_tr(enum text_tr id)
{
    struct tr_thread *th = get_thread();
    if (th == NULL) {
        return NULL;
    }
    if (th->t[id] != NULL) {
        return th->t[id];
    }
    pthread_mutex_lock(&proto_lock);
    if (protos[id] == NULL && !proto_failed[id]) {
        protos[id] = open_proto(id);
        proto_failed[id] = protos[id] == NULL;
    }
    if (protos[id] != NULL) {
        UErrorCode status = U_ZERO_ERROR;
        th->t[id] = utrans_clone(protos[id], &status);
        if (U_FAILURE(status)) {
            th->t[id] = NULL;
        }
    }
    pthread_mutex_unlock(&proto_lock);
    return th->t[id];
}

void text_translit_thread_release(void)
{
    pthread_once(&key_once, make_key);
    if (!tls_key_ok) {
        return;
    }
    struct tr_thread *th = pthread_getspecific(tls_key);
    if (th != NULL) {
        pthread_setspecific(tls_key, NULL);
        thread_free(th);
    }
}

int32_t text_translit(enum text_tr id, const UChar *in, int32_t n, UChar *out, int32_t cap)
{
    if (n >= cap) {
        return -1;
    }
    UTransliterator *t = get_thread_tr(id);
    if (t == NULL) {
        return -1;
    }
    memcpy(out, in, (size_t)n * sizeof *out);
    int32_t len = n;
    int32_t limit = n;
    UErrorCode status = U_ZERO_ERROR;
    utrans_transUChars(t, out, &len, cap, 0, &limit, &status);
    if (U_FAILURE(status) || len >= cap) {
        return -1;
    }
    return len;
}

bool text_translit_fold_word(enum text_tr id, const UChar *word, int32_t n, struct buf *out)
{
    struct tr_thread *th = get_thread();
    char key[256];
    int32_t kl = 0;
    UErrorCode status = U_ZERO_ERROR;
    key[0] = (char)('A' + (int)id);
    u_strToUTF8(key + 1, (int32_t)sizeof key - 2, &kl, word, n, &status);
    bool cacheable = th != NULL && U_SUCCESS(status) && status != U_STRING_NOT_TERMINATED_WARNING;
    if (cacheable) {
        key[kl + 1] = '\0';
        uint64_t off;
        if (strmap_get(&th->words, key, &off)) {
            buf_adds(out, th->folded.data + off);
            return true;
        }
    }
    UChar res[1024];
    int32_t len = text_translit(id, word, n, res, 1024);
    if (len < 0) {
        return false;
    }
    /* The BGN transforms write a middle dot between two letters that would
     * otherwise read as one (Басһәқи -> Bas·häqi): part of the word. */
    int32_t kept = 0;
    for (int32_t i = 0; i < len; i++) {
        if (res[i] != 0x00B7) {
            res[kept++] = res[i];
        }
    }
    len = kept;
    size_t start = out->len;
    text_fold_ascii(res, len, out);
    if (cacheable) {
        if (th->words.count >= WORD_CACHE_MAX) {
            strmap_release(&th->words);
            buf_reset(&th->folded);
        }
        uint64_t off = th->folded.len;
        buf_add(&th->folded, out->data + start, out->len - start);
        buf_addch(&th->folded, '\0');
        strmap_put(&th->words, key, off, NULL);
    }
    return true;
}

/* ---- Han readings, cached per code point ---------------------------------- */

enum { HAN_FIRST_CP = 0x3400, HAN_LAST_CP = 0x9FFF, HAN_N = HAN_LAST_CP - HAN_FIRST_CP + 1 };

struct han_entry {
    char py[8];
};

/* 0 = not computed, 1 = ready (py valid, maybe empty). */
static _Atomic(unsigned char) han_state[2][HAN_N];
static struct han_entry han_table[2][HAN_N];

static bool han_compute(UChar32 c, bool initial, char out[8])
{
    UChar in[2];
    int32_t n = 0;
    UBool err = false;
    U16_APPEND(in, n, 2, c, err);
    if (err) {
        return false;
    }
    UChar res[64];
    int32_t len = text_translit(initial ? TR_HAN_FIRST : TR_HAN_REST, in, n, res, 64);
    if (len <= 0) {
        return false;
    }
    struct buf b = BUF_INIT;
    text_fold_ascii(res, len, &b);
    size_t o = 0;
    for (size_t i = 0; i < b.len && o < 7; i++) {
        if (b.data[i] >= 'a' && b.data[i] <= 'z') {
            out[o++] = b.data[i];
        }
    }
    out[o] = '\0';
    buf_release(&b);
    return o > 0;
}

bool text_han_pinyin(UChar32 c, bool initial, char out[8])
{
    if (c < HAN_FIRST_CP || c > HAN_LAST_CP) {
        return han_compute(c, initial, out);
    }
    size_t w = initial ? 0 : 1;
    size_t i = (size_t)(c - HAN_FIRST_CP);
    if (atomic_load_explicit(&han_state[w][i], memory_order_acquire) == 0) {
        char tmp[8] = {0};
        han_compute(c, initial, tmp);
        /* Several threads may compute the same entry; all write the same bytes,
         * so only the publication needs ordering. */
        pthread_mutex_lock(&proto_lock);
        if (atomic_load_explicit(&han_state[w][i], memory_order_relaxed) == 0) {
            memcpy(han_table[w][i].py, tmp, sizeof tmp);
            atomic_store_explicit(&han_state[w][i], 1, memory_order_release);
        }
        pthread_mutex_unlock(&proto_lock);
    }
    memcpy(out, han_table[w][i].py, 8);
    return out[0] != '\0';
}

/* ---- folding to ASCII ----------------------------------------------------- */

struct fold_special {
    UChar32 cp;
    const char *ascii;
};

/* Letters whose decomposition does not give the reading names use. */
static const struct fold_special specials[] = {
    {0x00C6, "ae"}, {0x00C7, "ch"}, {0x00D0, "d"},  {0x00D8, "o"},  {0x00DE, "th"}, {0x00DF, "ss"},
    {0x00E6, "ae"}, {0x00E7, "ch"}, {0x00F0, "d"},  {0x00F8, "o"},  {0x00FE, "th"}, {0x010C, "ch"},
    {0x010D, "ch"}, {0x0110, "d"},  {0x0111, "d"},  {0x0126, "h"},  {0x0127, "h"},  {0x0130, "i"},
    {0x0131, "i"},  {0x0141, "l"},  {0x0142, "l"},  {0x0152, "oe"}, {0x0153, "oe"}, {0x015E, "sh"},
    {0x015F, "sh"}, {0x0160, "sh"}, {0x0161, "sh"}, {0x017D, "zh"}, {0x017E, "zh"}, {0x018F, "a"},
    {0x01E6, "g"},  {0x01E7, "g"},  {0x0218, "sh"}, {0x0219, "sh"}, {0x0259, "a"},  {0x04D8, "a"},
    {0x04D9, "a"},
};

static const char *fold_special_of(UChar32 c)
{
    size_t lo = 0;
    size_t hi = sizeof specials / sizeof specials[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (specials[mid].cp == c) {
            return specials[mid].ascii;
        }
        if (specials[mid].cp < c) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

static bool is_dropped_mark(UChar32 c)
{
    switch (c) {
    case '\'':
    case '`':
    case 0x00B4: /* acute accent */
    case 0x02B9: /* modifier prime (soft sign) */
    case 0x02BA: /* modifier double prime (hard sign) */
    case 0x02BB: /* turned comma (Uzbek o‘) */
    case 0x02BC: /* modifier apostrophe */
    case 0x02BE: /* right half ring (hamza) */
    case 0x02BF: /* left half ring (ain) */
    case 0x2018:
    case 0x2019:
    case 0x201B:
    case 0x2032:
        return true;
    default:
        return false;
    }
}

static void add_letter(struct buf *b, char c, bool *pending_space)
{
    if (*pending_space && b->len > 0) {
        buf_addch(b, ' ');
    }
    *pending_space = false;
    buf_addch(b, c);
}

void text_fold_ascii(const UChar *in, int32_t n, struct buf *b)
{
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *nfd = unorm2_getNFDInstance(&status);
    bool pending_space = b->len > 0;
    int32_t i = 0;
    while (i < n) {
        UChar32 c;
        U16_NEXT(in, i, n, c);
        if (c < 0x80) {
            if (c >= 'A' && c <= 'Z') {
                add_letter(b, (char)(c - 'A' + 'a'), &pending_space);
            } else if (c >= 'a' && c <= 'z') {
                add_letter(b, (char)c, &pending_space);
            } else if (!is_dropped_mark(c)) {
                pending_space = true;
            }
            continue;
        }
        if (is_dropped_mark(c) || u_charType(c) == U_NON_SPACING_MARK ||
            u_charType(c) == U_ENCLOSING_MARK || u_charType(c) == U_MODIFIER_LETTER) {
            continue;
        }
        const char *sp = fold_special_of(c);
        if (sp != NULL) {
            for (; *sp != '\0'; sp++) {
                add_letter(b, *sp, &pending_space);
            }
            continue;
        }
        if (!u_isalpha(c)) {
            pending_space = true;
            continue;
        }
        UChar dec[8];
        int32_t dl = nfd != NULL ? unorm2_getDecomposition(nfd, c, dec, 8, &status) : -1;
        if (U_FAILURE(status)) {
            status = U_ZERO_ERROR;
            dl = -1;
        }
        if (dl > 0 && dec[0] < 0x80) {
            UChar32 base = dec[0];
            if (base >= 'A' && base <= 'Z') {
                base = base - 'A' + 'a';
            }
            if (base >= 'a' && base <= 'z') {
                add_letter(b, (char)base, &pending_space);
            }
        }
        /* A letter without an ASCII base is dropped without splitting the word. */
    }
}
