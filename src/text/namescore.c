/*
 * namescore.c: similarity of two names' keys: a phonetic weighted edit
 * distance between canonical tokens, an order-free alignment of the tokens
 * of two readings, and the explanation of the best match.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "text/namekey.h"

static bool vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

struct pair_cost {
    char a;
    char b;
    double cost;
};

/* Substitutions that romanisations (or the sounds behind them) confuse. */
static const struct pair_cost near_pairs[] = {
    {'u', 'o', 0.25}, {'i', 'e', 0.3},  {'a', 'e', 0.3},  {'k', 'g', 0.35}, {'k', 'H', 0.4},
    {'g', 'H', 0.5},  {'s', 'z', 0.35}, {'s', 'S', 0.4},  {'S', 'C', 0.4},  {'J', 'C', 0.45},
    {'J', 'S', 0.5},  {'J', 'z', 0.5},  {'J', 'y', 0.25}, {'s', 'C', 0.6},  {'t', 'd', 0.4},
    {'b', 'p', 0.4},  {'f', 'v', 0.4},  {'b', 'v', 0.5},  {'f', 'p', 0.5},  {'n', 'N', 0.25},
    {'n', 'm', 0.6},  {'l', 'r', 0.6},  {'y', 'i', 0.3},  {'v', 'u', 0.35}, {'N', 'g', 0.5},
    {'C', 'H', 0.5},  {'J', 'i', 0.25}, {'J', 'g', 0.5},
};

static double sub_cost_slow(char a, char b)
{
    if (a == b) {
        return 0.0;
    }
    for (size_t i = 0; i < sizeof near_pairs / sizeof near_pairs[0]; i++) {
        if ((near_pairs[i].a == a && near_pairs[i].b == b) ||
            (near_pairs[i].a == b && near_pairs[i].b == a)) {
            return near_pairs[i].cost;
        }
    }
    if (vowel(a) && vowel(b)) {
        return 0.45;
    }
    return 1.0;
}

/* Vowel insertion or deletion on a side whose vowels are only guessed
 * (the Latin side, against a reading of Arabic script). */
#define CHEAP_VOWEL 0.05

static double indel_cost_slow(char c, bool cheap_vowels)
{
    if (vowel(c)) {
        return cheap_vowels ? CHEAP_VOWEL : 0.4;
    }
    switch (c) {
    case 'y':
        return 0.35;
    case 'H':
        return 0.45;
    case 'v':
        return 0.6;
    case 'J':
        return 0.5; /* German j for a soft sign (Saweljew, Savelev) */
    default:
        return 1.0;
    }
}

/* The costs above as tables over 7-bit characters (tokens are ASCII), filled
 * once per process: the edit distance is the inner loop of every score. A
 * byte above 0x7F costs as any other letter. */
static double sub_table[128][128];
static double indel_table[2][128];
static pthread_once_t cost_once = PTHREAD_ONCE_INIT;

static void costs_fill(void)
{
    for (int a = 0; a < 128; a++) {
        for (int b = 0; b < 128; b++) {
            sub_table[a][b] = sub_cost_slow((char)a, (char)b);
        }
        indel_table[0][a] = indel_cost_slow((char)a, false);
        indel_table[1][a] = indel_cost_slow((char)a, true);
    }
}

static double sub_cost(char a, char b)
{
    unsigned char x = (unsigned char)a;
    unsigned char y = (unsigned char)b;
    if (x >= 128 || y >= 128) {
        return x == y ? 0.0 : 1.0;
    }
    return sub_table[x][y];
}

static double indel_cost(char c, bool cheap_vowels)
{
    unsigned char x = (unsigned char)c;
    return x < 128 ? indel_table[cheap_vowels][x] : 1.0;
}

static double min3(double a, double b, double c)
{
    double m = a < b ? a : b;
    return m < c ? m : c;
}

/* Weighted edit distance; cheap_a / cheap_b make vowels of a / b cheap to drop. */
static double weighted_distance(const char *a, const char *b, bool cheap_a, bool cheap_b)
{
    pthread_once(&cost_once, costs_fill);
    size_t n = strlen(a);
    size_t m = strlen(b);
    double row[NAMEKEY_TOKEN_MAX + 1];
    double prev[NAMEKEY_TOKEN_MAX + 1];
    if (n > NAMEKEY_TOKEN_MAX) {
        n = NAMEKEY_TOKEN_MAX;
    }
    if (m > NAMEKEY_TOKEN_MAX) {
        m = NAMEKEY_TOKEN_MAX;
    }
    prev[0] = 0.0;
    for (size_t j = 1; j <= m; j++) {
        prev[j] = prev[j - 1] + indel_cost(b[j - 1], cheap_b);
    }
    for (size_t i = 1; i <= n; i++) {
        row[0] = prev[0] + indel_cost(a[i - 1], cheap_a);
        for (size_t j = 1; j <= m; j++) {
            row[j] = min3(prev[j - 1] + sub_cost(a[i - 1], b[j - 1]),
                          prev[j] + indel_cost(a[i - 1], cheap_a),
                          row[j - 1] + indel_cost(b[j - 1], cheap_b));
        }
        memcpy(prev, row, (m + 1) * sizeof row[0]);
    }
    return prev[m];
}

static double string_similarity(const char *a, const char *b)
{
    size_t n = strlen(a);
    size_t m = strlen(b);
    size_t len = n > m ? n : m;
    if (len == 0) {
        return 0.0;
    }
    double s = 1.0 - weighted_distance(a, b, false, false) / (double)len;
    return s < 0.0 ? 0.0 : s;
}

/* a is read from Arabic script (long vowels only), b is not: b's vowels may
 * go at little cost; normalised by a's length or b's consonant count. */
static double abjad_similarity(const struct namekey_token *a, const struct namekey_token *b)
{
    size_t n = strlen(a->text);
    size_t m = strlen(b->skel);
    size_t len = n > m ? n : m;
    if (len == 0) {
        return 0.0;
    }
    double s = 1.0 - weighted_distance(a->text, b->text, false, true) / (double)len;
    return s < 0.0 ? 0.0 : s;
}

double namekey_token_similarity(const char *a, const char *b)
{
    return string_similarity(a, b);
}

static double affix_factor(unsigned a, unsigned b)
{
    if (a == b) {
        return 1.0;
    }
    if (a == NAMEKEY_AFFIX_NONE || b == NAMEKEY_AFFIX_NONE) {
        return 0.85;
    }
    bool fa = a == NAMEKEY_AFFIX_PATRONYMIC_F || a == NAMEKEY_AFFIX_SURNAME_F;
    bool fb = b == NAMEKEY_AFFIX_PATRONYMIC_F || b == NAMEKEY_AFFIX_SURNAME_F;
    bool pa = a == NAMEKEY_AFFIX_PATRONYMIC_M || a == NAMEKEY_AFFIX_PATRONYMIC_F;
    bool pb = b == NAMEKEY_AFFIX_PATRONYMIC_M || b == NAMEKEY_AFFIX_PATRONYMIC_F;
    if (fa != fb) {
        return 0.7; /* brother and sister, father and daughter */
    }
    /* Nurlanuly and Nurlanov may be one family name in two traditions, but a
     * patronymic and a surname swapped is usually another person. */
    return pa == pb ? 1.0 : 0.75;
}

static double token_sim(const struct namekey_token *a, const struct namekey_token *b, bool abjad_a,
                        bool abjad_b)
{
    double s;
    if (abjad_a && !abjad_b) {
        s = abjad_similarity(a, b);
    } else if (abjad_b && !abjad_a) {
        s = abjad_similarity(b, a);
    } else {
        s = string_similarity(a->text, b->text);
        if (a->skel[0] != '\0' && b->skel[0] != '\0') {
            double sk = 0.8 * string_similarity(a->skel, b->skel);
            if (sk > s) {
                s = sk;
            }
        }
    }
    return s * affix_factor(a->affix, b->affix);
}

static double token_weight(const struct namekey_token *t, const struct namekey_weights *w)
{
    double x = 1.0;
    if (w != NULL && w->fn != NULL) {
        x = w->fn(w->ctx, t->text);
        if (!(x > 0.0)) {
            x = 0.01;
        } else if (x > 1.0) {
            x = 1.0;
        }
    }
    if (t->affix == NAMEKEY_AFFIX_PATRONYMIC_M || t->affix == NAMEKEY_AFFIX_PATRONYMIC_F) {
        x *= 0.7;
    }
    if (strcmp(t->text, "abd") == 0) {
        x *= 0.5; /* the first half of many Arabic names */
    }
    return x;
}

struct alignment {
    double score;
    unsigned n_pairs;
    unsigned q[NAMEKEY_MAX_TOKENS];
    unsigned c[NAMEKEY_MAX_TOKENS];
};

/* Below this a token pair is not taken as the same token. */
#define MIN_PAIR_SIM 0.45

static void align(const struct namekey_reading *q, const struct namekey_reading *c,
                  const struct namekey_weights *weights, struct alignment *al)
{
    double sim[NAMEKEY_MAX_TOKENS][NAMEKEY_MAX_TOKENS];
    double wq[NAMEKEY_MAX_TOKENS];
    double wc[NAMEKEY_MAX_TOKENS];
    double total = 0.0;
    for (unsigned i = 0; i < q->n_tokens; i++) {
        wq[i] = token_weight(&q->tokens[i], weights);
        total += wq[i];
    }
    for (unsigned j = 0; j < c->n_tokens; j++) {
        wc[j] = token_weight(&c->tokens[j], weights);
        total += wc[j];
    }
    for (unsigned i = 0; i < q->n_tokens; i++) {
        for (unsigned j = 0; j < c->n_tokens; j++) {
            sim[i][j] = token_sim(&q->tokens[i], &c->tokens[j], q->abjad, c->abjad);
        }
    }
    bool used_q[NAMEKEY_MAX_TOKENS] = {false};
    bool used_c[NAMEKEY_MAX_TOKENS] = {false};
    double got = 0.0;
    al->n_pairs = 0;
    /* Greedy: the most similar remaining pair first. */
    for (;;) {
        double best = MIN_PAIR_SIM;
        unsigned bi = 0;
        unsigned bj = 0;
        bool found = false;
        for (unsigned i = 0; i < q->n_tokens; i++) {
            if (used_q[i]) {
                continue;
            }
            for (unsigned j = 0; j < c->n_tokens; j++) {
                if (!used_c[j] && sim[i][j] > best) {
                    best = sim[i][j];
                    bi = i;
                    bj = j;
                    found = true;
                }
            }
        }
        if (!found) {
            break;
        }
        used_q[bi] = true;
        used_c[bj] = true;
        got += best * (wq[bi] + wc[bj]);
        al->q[al->n_pairs] = bi;
        al->c[al->n_pairs] = bj;
        al->n_pairs++;
    }
    al->score = total > 0.0 ? got / total : 0.0;
}

static bool is_ascii(const char *s)
{
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s >= 0x80) {
            return false;
        }
    }
    return true;
}

static void explain_match(const struct namekey *query, const struct namekey *cand, unsigned bq,
                          unsigned bc, double score, char *explain, size_t explain_size)
{
    if (explain == NULL || explain_size == 0) {
        return;
    }
    explain[0] = '\0';
    if (query->n_readings == 0 || cand->n_readings == 0) {
        return;
    }
    const struct namekey_reading *rq = &query->readings[bq];
    const struct namekey_reading *rc = &cand->readings[bc];
    bool show_q = !is_ascii(query->original) || strcmp(rq->label, "Latin") != 0;
    if (show_q) {
        snprintf(explain, explain_size, "%s -> %s (%s) ~ %s -> %s (%s) [%.2f]", cand->original,
                 rc->text, rc->label, query->original, rq->text, rq->label, score);
    } else {
        snprintf(explain, explain_size, "%s -> %s (%s) ~ %s [%.2f]", cand->original, rc->text,
                 rc->label, query->original, score);
    }
}

double namekey_score(const struct namekey *query, const struct namekey *cand,
                     const struct namekey_weights *weights, char *explain, size_t explain_size)
{
    double best = 0.0;
    unsigned bq = 0;
    unsigned bc = 0;
    for (unsigned i = 0; i < query->n_readings; i++) {
        for (unsigned j = 0; j < cand->n_readings; j++) {
            struct alignment al;
            align(&query->readings[i], &cand->readings[j], weights, &al);
            if (al.score > best) {
                best = al.score;
                bq = i;
                bc = j;
            }
        }
    }
    /* Sums of weighted similarities can round past 1 (1.0000000000000002
     * for a name against itself); the score is documented as [0, 1]. */
    if (best > 1.0) {
        best = 1.0;
    }
    explain_match(query, cand, bq, bc, best, explain, explain_size);
    return best;
}

/* ---- the stricter score of deduplication -------------------------------- */

/* The similarity of two tokens one letter apart, the shorter of at least
 * DEDUP_SLIP_MIN letters. */
#define DEDUP_SLIP     0.88
#define DEDUP_SLIP_MIN 4

/* A token left over on the longer side, unless it is a patronymic. */
#define DEDUP_EXTRA_TOKEN 0.2

/* The ways each affix is written, canonically (the stem is what remains). */
static const char *const affix_spellings[][3] = {
    [NAMEKEY_AFFIX_NONE] = {NULL, NULL, NULL},
    [NAMEKEY_AFFIX_PATRONYMIC_M] = {"uli", "ovic", "evic"},
    [NAMEKEY_AFFIX_PATRONYMIC_F] = {"kizi", "ovna", "evna"},
    [NAMEKEY_AFFIX_SURNAME_M] = {"ov", "ev", NULL},
    [NAMEKEY_AFFIX_SURNAME_F] = {"ova", "eva", NULL},
};

/* True when s is l with one letter dropped. */
static bool one_dropped(const char *l, const char *s)
{
    size_t nl = strlen(l);
    if (strlen(s) + 1 != nl) {
        return false;
    }
    size_t i = 0;
    while (s[i] != '\0' && s[i] == l[i]) {
        i++;
    }
    return strcmp(s + i, l + i + 1) == 0;
}

/* A token whose ending was not recognised because a letter of it was
 * dropped ("Noqaly", "Markv", "Fedotva") against a stem with its affix: the
 * stem with a spelling of the affix put back, when the token is that with
 * one letter dropped. */
static double with_affix_spelled(const struct namekey_token *stem,
                                 const struct namekey_token *plain)
{
    double best = 0.0;
    if (stem->affix >= sizeof affix_spellings / sizeof affix_spellings[0]) {
        return 0.0;
    }
    for (size_t i = 0; i < 3 && affix_spellings[stem->affix][i]; i++) {
        char full[NAMEKEY_TOKEN_MAX + 8];
        size_t n = strlen(stem->text);
        size_t m = strlen(affix_spellings[stem->affix][i]);
        if (n + m >= NAMEKEY_TOKEN_MAX) {
            continue;
        }
        memcpy(full, stem->text, n);
        memcpy(full + n, affix_spellings[stem->affix][i], m + 1);
        if (one_dropped(full, plain->text)) {
            double s = string_similarity(full, plain->text);
            best = s > best ? s : best;
        }
    }
    return best;
}

/* As token_sim, but a reading of Arabic script has its vowels guessed too
 * (a long vowel, or an ayn read as one: عيد -> "ayd" against "Iyad" or
 * "Eid"), so vowels cost little on both sides. */
static double dedup_token_sim(const struct namekey_token *a, const struct namekey_token *b,
                              bool abjad_a, bool abjad_b)
{
    if (abjad_a == abjad_b) {
        double s = token_sim(a, b, abjad_a, abjad_b);
        /* One letter dropped from a long enough token (a slip of the pen or
         * of the eye): Komarov, Komaov. */
        size_t la = strlen(a->text);
        size_t lb = strlen(b->text);
        if (a->affix == b->affix && (la > lb ? lb : la) >= DEDUP_SLIP_MIN &&
            (la > lb ? one_dropped(a->text, b->text) : one_dropped(b->text, a->text)) &&
            s < DEDUP_SLIP) {
            s = DEDUP_SLIP;
        }
        if (a->affix != b->affix &&
            (a->affix == NAMEKEY_AFFIX_NONE || b->affix == NAMEKEY_AFFIX_NONE)) {
            double w = with_affix_spelled(a->affix ? a : b, a->affix ? b : a);
            s = w > s ? w : s;
        }
        return s;
    }
    const struct namekey_token *x = abjad_a ? a : b;
    const struct namekey_token *y = abjad_a ? b : a;
    size_t n = strlen(x->text);
    size_t m = strlen(y->skel);
    size_t len = n > m ? n : m;
    if (len == 0) {
        return 0.0;
    }
    double s = 1.0 - weighted_distance(x->text, y->text, true, true) / (double)len;
    return (s < 0.0 ? 0.0 : s) * affix_factor(a->affix, b->affix);
}

static bool is_patronymic(const struct namekey_token *t)
{
    return t->affix == NAMEKEY_AFFIX_PATRONYMIC_M || t->affix == NAMEKEY_AFFIX_PATRONYMIC_F;
}

static double dedup_readings(const struct namekey_reading *a, const struct namekey_reading *b)
{
    if (a->n_tokens == 0 || b->n_tokens == 0) {
        return 0.0;
    }
    double sim[NAMEKEY_MAX_TOKENS][NAMEKEY_MAX_TOKENS];
    for (unsigned i = 0; i < a->n_tokens; i++) {
        for (unsigned j = 0; j < b->n_tokens; j++) {
            sim[i][j] = dedup_token_sim(&a->tokens[i], &b->tokens[j], a->abjad, b->abjad);
        }
    }
    bool used_a[NAMEKEY_MAX_TOKENS] = {false};
    bool used_b[NAMEKEY_MAX_TOKENS] = {false};
    unsigned pairs = 0;
    double least = 1.0;
    for (;;) {
        double best = MIN_PAIR_SIM;
        unsigned bi = 0;
        unsigned bj = 0;
        bool found = false;
        for (unsigned i = 0; i < a->n_tokens; i++) {
            for (unsigned j = 0; j < b->n_tokens && !used_a[i]; j++) {
                if (!used_b[j] && sim[i][j] > best) {
                    best = sim[i][j];
                    bi = i;
                    bj = j;
                    found = true;
                }
            }
        }
        if (!found) {
            break;
        }
        used_a[bi] = true;
        used_b[bj] = true;
        least = best < least ? best : least;
        pairs++;
    }
    unsigned fewer = a->n_tokens < b->n_tokens ? a->n_tokens : b->n_tokens;
    if (pairs < fewer) {
        return 0.0; /* a token of the shorter name has no counterpart */
    }
    double score = least;
    /* A patronymic is often left out (Olga Shcherbakova), but a name of one
     * word is not the same as that word and a patronymic (Yermek,
     * Yermek Nurlanuly). */
    bool free_patronymic = fewer >= 2;
    for (unsigned i = 0; i < a->n_tokens; i++) {
        if (!used_a[i] && !(free_patronymic && is_patronymic(&a->tokens[i]))) {
            score -= DEDUP_EXTRA_TOKEN;
        }
    }
    for (unsigned j = 0; j < b->n_tokens; j++) {
        if (!used_b[j] && !(free_patronymic && is_patronymic(&b->tokens[j]))) {
            score -= DEDUP_EXTRA_TOKEN;
        }
    }
    return score < 0.0 ? 0.0 : score;
}

/* The reading's words joined, surname (the first word, or with last the
 * last word) before a bar: "zhang|weiming". */
static void pinyin_form(const char *text, bool last, char *out, size_t size)
{
    char words[NAMEKEY_TEXT_MAX];
    size_t n = strlen(text);
    if (n >= sizeof words || n + 2 > size) {
        out[0] = '\0';
        return;
    }
    memcpy(words, text, n + 1);
    const char *sur = words;
    const char *rest = NULL;
    char *space = last ? strrchr(words, ' ') : strchr(words, ' ');
    if (space == NULL) {
        snprintf(out, size, "%s", last ? "" : words);
        return;
    }
    *space = '\0';
    if (last) {
        sur = space + 1;
        rest = words;
    } else {
        rest = space + 1;
    }
    size_t k = 0;
    for (const char *p = sur; *p && k + 1 < size; p++) {
        out[k++] = *p;
    }
    if (k + 1 < size) {
        out[k++] = '|';
    }
    for (const char *p = rest; *p && k + 1 < size; p++) {
        if (*p != ' ') {
            out[k++] = *p;
        }
    }
    out[k] = '\0';
}

void namekey_pinyin_of(const struct namekey *k, struct namekey_pinyin *out)
{
    out->any = false;
    for (unsigned r = 0; r < NAMEKEY_MAX_READINGS; r++) {
        out->forms[r][0][0] = '\0';
        out->forms[r][1][0] = '\0';
        if (r < k->n_readings && namekey_reading_is_pinyin(&k->readings[r])) {
            const char *text = k->readings[r].text;
            pinyin_form(text, false, out->forms[r][0], sizeof out->forms[r][0]);
            pinyin_form(text, true, out->forms[r][1], sizeof out->forms[r][1]);
            out->any = out->any || out->forms[r][0][0] != '\0';
        }
    }
}

/* Whether two readings' pinyin forms share a way of reading them. */
static bool pinyin_same(const char x[2][NAMEKEY_TEXT_MAX + 2],
                        const char y[2][NAMEKEY_TEXT_MAX + 2])
{
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 2; j++) {
            if (x[i][0] && strcmp(x[i], y[j]) == 0) {
                return true;
            }
        }
    }
    return false;
}

/* Pinyin syllables are compared exactly: a one-letter change makes another
 * syllable, and another name. (A typing slip that leaves no pinyin, "Zhng",
 * makes the reading not pinyin, and the name is compared as any other.) */
double namekey_dedup_score_pinyin(const struct namekey *a, const struct namekey_pinyin *pa,
                                  const struct namekey *b, const struct namekey_pinyin *pb,
                                  char *explain, size_t explain_size)
{
    bool chinese = pa->any && pb->any;
    double best = 0.0;
    unsigned ba = 0;
    unsigned bb = 0;
    for (unsigned i = 0; i < a->n_readings; i++) {
        for (unsigned j = 0; j < b->n_readings; j++) {
            double sc;
            if (chinese) {
                sc = pinyin_same(pa->forms[i], pb->forms[j]) ? 1.0 : 0.0;
            } else {
                sc = dedup_readings(&a->readings[i], &b->readings[j]);
            }
            if (sc > best) {
                best = sc;
                ba = i;
                bb = j;
            }
        }
    }
    explain_match(a, b, ba, bb, best, explain, explain_size);
    return best;
}

double namekey_dedup_score(const struct namekey *a, const struct namekey *b, char *explain,
                           size_t explain_size)
{
    struct namekey_pinyin pa;
    struct namekey_pinyin pb;
    namekey_pinyin_of(a, &pa);
    namekey_pinyin_of(b, &pb);
    return namekey_dedup_score_pinyin(a, &pa, b, &pb, explain, explain_size);
}
