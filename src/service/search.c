/*
 * search.c: the search use-cases. Builds and stores name keys and folded
 * text with every write, ranks persons by name across scripts (candidates
 * from the rarest blocking codes, scored with rare tokens weighing more,
 * each result explained), runs full-text queries with filters, finds
 * probable duplicate persons and merges two persons into one.
 */
#include "service/search.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/strmap.h"
#include "core/xalloc.h"
#include "service/auth.h"
#include "service/service.h"
#include "store/search.h"
#include "text/namekey.h"
#include "text/textfold.h"

enum {
    CODE_MAX = 32,          /* bytes of a code: "t:" + token */
    QUERY_CODES_MAX = 96,   /* codes of one name */
    ROWS_READ_MAX = 12000,  /* code index rows read per search */
    ROWS_PER_CODE = 5000,   /* rows read for one code */
    SCORED_MAX = 150,       /* candidates scored per search */
    DEDUP_CODE_MAX = 5000,  /* dedup ignores blocks of more keys than this */
    DEDUP_SPLIT = 300,      /* dedup splits blocks of more keys than this */
    DEDUP_BLOCK_MAX = 1000, /* ... and split blocks still above this again */
    DEDUP_SCORED_MAX = 200, /* candidates scored per name in dedup */
    DEDUP_DROPPED_MAX = 50, /* ... and more met only in blocks of dropped letters */
    DEDUP_THREADS_MAX = 8,  /* scoring threads of dedup */
};

/* Dedup scores a pair of names with namekey_score only when their canonical
 * tokens are this similar by Jaro-Winkler, word order free (toks_similarity:
 * a first look that costs a fraction of the full score); see bench/README.md,
 * "Duplicates". */
static const double DEDUP_FIRST_LOOK = 0.75;

/* Scores are sums and quotients of decimal costs: 1 - 0.45 / 3 is not
 * exactly 0.85 in binary. A score within this of the threshold reaches it
 * (the output shows four decimals). */
static const double DEDUP_SCORE_EPS = 1e-9;

/* ------------------------------------------------------------ keys as text */

/* One line per reading: "label\tabjad\ttext\ttok,skel,affix tok,skel,affix",
 * after a first line with the script. Tokens and labels hold no tabs,
 * commas or spaces, readings no tabs or newlines. */
static void key_serialize(const struct namekey *k, struct buf *b)
{
    buf_adds(b, k->script);
    for (unsigned r = 0; r < k->n_readings; r++) {
        const struct namekey_reading *rd = &k->readings[r];
        buf_addf(b, "\n%s\t%d\t%s\t", rd->label, rd->abjad ? 1 : 0, rd->text);
        for (unsigned t = 0; t < rd->n_tokens; t++) {
            buf_addf(b, "%s%s,%s,%u", t ? " " : "", rd->tokens[t].text, rd->tokens[t].skel,
                     (unsigned)rd->tokens[t].affix);
        }
    }
}

/* Copies at most size - 1 bytes of [p, end) into out, cut at a UTF-8
 * character boundary. */
static void copy_field(char *out, size_t size, const char *p, const char *end)
{
    size_t n = (size_t)(end - p);
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80) {
            n--;
        }
    }
    memcpy(out, p, n);
    out[n] = '\0';
}

static const char *field_end(const char *p, const char *end, char sep)
{
    const char *q = memchr(p, sep, (size_t)(end - p));
    return q ? q : end;
}

static void parse_tokens(const char *p, const char *end, struct namekey_reading *rd)
{
    while (p < end && rd->n_tokens < NAMEKEY_MAX_TOKENS) {
        const char *tok_end = field_end(p, end, ' ');
        struct namekey_token *t = &rd->tokens[rd->n_tokens];
        const char *c1 = field_end(p, tok_end, ',');
        copy_field(t->text, sizeof t->text, p, c1);
        const char *c2 = c1 < tok_end ? field_end(c1 + 1, tok_end, ',') : tok_end;
        if (c1 < tok_end) {
            copy_field(t->skel, sizeof t->skel, c1 + 1, c2);
        }
        t->affix = c2 < tok_end ? (unsigned char)(c2[1] - '0') : 0;
        if (t->text[0]) {
            rd->n_tokens++;
        }
        p = tok_end < end ? tok_end + 1 : end;
    }
}

static void key_parse(const char *text, const char *full, struct namekey *k)
{
    memset(k, 0, sizeof *k);
    copy_field(k->original, sizeof k->original, full, full + strlen(full));
    const char *end = text + strlen(text);
    const char *line_end = field_end(text, end, '\n');
    copy_field(k->script, sizeof k->script, text, line_end);
    const char *p = line_end < end ? line_end + 1 : end;
    while (p < end && k->n_readings < NAMEKEY_MAX_READINGS) {
        line_end = field_end(p, end, '\n');
        struct namekey_reading *rd = &k->readings[k->n_readings];
        const char *f1 = field_end(p, line_end, '\t');
        copy_field(rd->label, sizeof rd->label, p, f1);
        const char *f2 = f1 < line_end ? field_end(f1 + 1, line_end, '\t') : line_end;
        rd->abjad = f1 < line_end && f1[1] == '1';
        const char *f3 = f2 < line_end ? field_end(f2 + 1, line_end, '\t') : line_end;
        if (f2 < line_end) {
            copy_field(rd->text, sizeof rd->text, f2 + 1, f3);
        }
        if (f3 < line_end) {
            parse_tokens(f3 + 1, line_end, rd);
        }
        if (rd->n_tokens) {
            k->n_readings++;
        }
        p = line_end < end ? line_end + 1 : end;
    }
}

/* The consonant class of a skeleton letter, as namekey_blocks() groups them,
 * except that H (kh/h/x) counts as K: one system writes g or q where another
 * writes h (Ғ, gh, h). 0 for letters left out. */
static char consonant_class(char c)
{
    switch (c) {
    case 'b':
    case 'p':
    case 'f':
    case 'v':
    case 'w':
        return 'P';
    case 't':
    case 'd':
        return 'T';
    case 'k':
    case 'g':
    case 'q':
    case 'H':
    case 'h':
    case 'x':
        return 'K';
    case 's':
    case 'z':
    case 'c':
        return 'S';
    case 'J':
    case 'C':
    case 'S':
    case 'j':
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
        return 0;
    }
}

/* The first two consonant classes of a token ("V" when it has none). */
static void token_head(const struct namekey_token *t, char out[3])
{
    size_t n = 0;
    for (const char *p = t->skel; *p && n < 2; p++) {
        char c = consonant_class(*p);
        if (c && (n == 0 || out[n - 1] != c)) {
            out[n++] = c;
        }
    }
    if (!n) {
        out[n++] = 'V';
    }
    out[n] = '\0';
}

static bool add_code(char codes[][CODE_MAX], size_t *n, size_t max, const char *code)
{
    for (size_t j = 0; j < *n; j++) {
        if (strcmp(codes[j], code) == 0) {
            return true;
        }
    }
    if (*n == max) {
        return false;
    }
    snprintf(codes[(*n)++], CODE_MAX, "%s", code);
    return true;
}

/* Pair codes: for every two tokens of a reading, "q:" and their first two
 * consonant classes, in sorted order. Selective (a given name and a surname
 * together), yet the same across scripts, romanisations, word order and
 * typos after the second consonant: the main source of candidates. */
static void pair_codes(const struct namekey *k, char codes[][CODE_MAX], size_t *n, size_t max)
{
    enum { PAIR_TOKENS = 5 };

    for (unsigned r = 0; r < k->n_readings; r++) {
        const struct namekey_reading *rd = &k->readings[r];
        unsigned nt = rd->n_tokens < PAIR_TOKENS ? rd->n_tokens : PAIR_TOKENS;
        char heads[PAIR_TOKENS][3];
        for (unsigned t = 0; t < nt; t++) {
            token_head(&rd->tokens[t], heads[t]);
        }
        for (unsigned i = 0; i < nt; i++) {
            for (unsigned j = i + 1; j < nt; j++) {
                bool ordered = strcmp(heads[i], heads[j]) <= 0;
                char code[CODE_MAX];
                snprintf(code, sizeof code, "q:%s|%s", ordered ? heads[i] : heads[j],
                         ordered ? heads[j] : heads[i]);
                if (!add_code(codes, n, max, code)) {
                    return;
                }
            }
        }
    }
}

/* The codes a key is found by: its blocking codes, "t:" + each token, and
 * the pair codes. */
static size_t key_codes(const struct namekey *k, char codes[][CODE_MAX], size_t max)
{
    char blocks[NAMEKEY_MAX_BLOCKS][8];
    size_t nb = namekey_blocks(k, blocks, NAMEKEY_MAX_BLOCKS);
    size_t n = 0;
    for (size_t i = 0; i < nb && n < max; i++) {
        snprintf(codes[n++], CODE_MAX, "%s", blocks[i]);
    }
    for (unsigned r = 0; r < k->n_readings; r++) {
        for (unsigned t = 0; t < k->readings[r].n_tokens && n < max; t++) {
            char code[CODE_MAX];
            snprintf(code, sizeof code, "t:%s", k->readings[r].tokens[t].text);
            bool seen = false;
            for (size_t j = 0; j < n && !seen; j++) {
                seen = strcmp(codes[j], code) == 0;
            }
            if (!seen) {
                memcpy(codes[n++], code, sizeof code);
            }
        }
    }
    pair_codes(k, codes, &n, max);
    return n;
}

static void json_str(struct buf *b, const char *s)
{
    buf_addch(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') {
            buf_addch(b, '\\');
        }
        if ((unsigned char)*s >= 0x20) {
            buf_addch(b, *s);
        }
    }
    buf_addch(b, '"');
}

/* ------------------------------------------------------------ indexing */

/* Builds one name's serialized key (into kb) and JSON list of codes (into
 * cb); false when the name gives no key. */
static bool name_key_texts(const char *full, const char *script, const char *lang,
                           struct namekey *k, struct buf *kb, struct buf *cb)
{
    if (!full || !namekey_build(full, script, lang, k)) {
        return false;
    }
    key_serialize(k, kb);
    char list[QUERY_CODES_MAX][CODE_MAX];
    size_t nc = key_codes(k, list, QUERY_CODES_MAX);
    buf_addch(cb, '[');
    for (size_t c = 0; c < nc; c++) {
        if (c) {
            buf_addch(cb, ',');
        }
        json_str(cb, list[c]);
    }
    buf_addch(cb, ']');
    return true;
}

/* A person's keys ready to store: keys[i].key and codes[i] in an arena. */
struct person_keys {
    const char *id;
    size_t n;
    struct store_key *keys;
    const char **codes;
};

static void person_keys_build(const char *id, const struct person_name *names, size_t n_names,
                              struct namekey *k, struct arena *a, struct person_keys *out)
{
    out->id = id;
    out->n = 0;
    out->keys = arena_alloc(a, (n_names + 1) * sizeof *out->keys);
    out->codes = arena_alloc(a, (n_names + 1) * sizeof *out->codes);
    struct buf kb = BUF_INIT;
    struct buf cb = BUF_INIT;
    for (size_t i = 0; i < n_names; i++) {
        const struct person_name *nm = &names[i];
        buf_reset(&kb);
        buf_reset(&cb);
        if (!name_key_texts(nm->full, nm->script, nm->lang, k, &kb, &cb)) {
            continue;
        }
        out->keys[out->n] = (struct store_key){
            .pos = (int64_t)i, .full = nm->full, .key = arena_strndup(a, kb.data, kb.len)};
        out->codes[out->n] = arena_strndup(a, cb.data, cb.len);
        out->n++;
    }
    buf_release(&kb);
    buf_release(&cb);
}

static enum app_err index_person(struct store *s, const struct person *p, struct err *e)
{
    struct arena a = ARENA_INIT;
    struct namekey *k = xmalloc(sizeof *k);
    struct person_keys pk;
    person_keys_build(p->id, p->names, p->n_names, k, &a, &pk);
    enum app_err rc = store_keys_replace(s, p->id, pk.keys, pk.codes, pk.n, e);
    free(k);
    arena_release(&a);
    return rc;
}

/* The indexed text of an object, as written: up to TEXT_FIELDS_MAX fields,
 * each in the title column (0) or the body column (1). index_text folds
 * them into the full-text row; snippets are cut from them. */
enum { TEXT_FIELDS_MAX = 64 };

struct text_fields {
    const char *id;
    char date[DATE_ISO_MAX];
    size_t n;
    const char *text[TEXT_FIELDS_MAX];
    int column[TEXT_FIELDS_MAX];
};

static void field_add(struct text_fields *f, int column, const char *text)
{
    if (text && *text && f->n < TEXT_FIELDS_MAX) {
        f->text[f->n] = text;
        f->column[f->n] = column;
        f->n++;
    }
}

/* Fills f from obj; false for kinds without text. Strings stay in obj or
 * arena (the attached text of a source). */
static bool text_fields_of(struct store *s, enum obj_kind kind, const void *obj,
                           struct arena *arena, struct text_fields *f)
{
    memset(f, 0, sizeof *f);
    switch (kind) {
    case OBJ_CASE: {
        const struct case_ *c = obj;
        f->id = c->id;
        field_add(f, 0, c->title);
        field_add(f, 1, c->summary);
        for (size_t i = 0; i < c->tags.n_items; i++) {
            field_add(f, 1, c->tags.items[i]);
        }
        if (c->opened.prec) {
            date_iso(c->opened, f->date);
        }
        return true;
    }
    case OBJ_EVENT: {
        const struct event *ev = obj;
        f->id = ev->id;
        field_add(f, 0, event_type_name(ev->type));
        field_add(f, 1, ev->description);
        field_add(f, 1, ev->place.name);
        field_add(f, 1, ev->offence);
        field_add(f, 1, ev->law);
        field_add(f, 1, ev->sentence);
        field_add(f, 1, ev->outcome);
        if (ev->date.prec) {
            date_iso(ev->date, f->date);
        }
        return true;
    }
    case OBJ_SOURCE: {
        const struct source *src = obj;
        f->id = src->id;
        field_add(f, 0, src->title);
        field_add(f, 1, src->publisher);
        field_add(f, 1, src->file_name);
        field_add(f, 1, store_source_text(s, src->id, arena));
        if (src->date.prec) {
            date_iso(src->date, f->date);
        }
        return true;
    }
    case OBJ_PERSON:
    case OBJ_ORGANIZATION:
    case OBJ_RISK:
    case OBJ_ACTION:
    case OBJ_KIND_COUNT:
        break;
    }
    return false;
}

static enum app_err index_text(struct store *s, enum obj_kind kind, const void *obj, struct err *e)
{
    struct arena a = ARENA_INIT;
    struct text_fields f;
    enum app_err rc = E_OK;
    if (text_fields_of(s, kind, obj, &a, &f)) {
        struct buf col[2] = {BUF_INIT, BUF_INIT};
        for (size_t i = 0; i < f.n; i++) {
            textfold_append(f.text[i], &col[f.column[i]]);
        }
        rc = store_text_put(s, kind, f.id, f.date[0] ? f.date : NULL,
                            col[0].data ? col[0].data : "", col[1].data ? col[1].data : "", e);
        buf_release(&col[0]);
        buf_release(&col[1]);
    }
    arena_release(&a);
    return rc;
}

enum app_err service_search_index(struct store *s, enum obj_kind kind, const void *obj,
                                  struct err *e)
{
    switch (kind) {
    case OBJ_PERSON:
        return index_person(s, obj, e);
    case OBJ_CASE:
    case OBJ_EVENT:
    case OBJ_SOURCE:
        return index_text(s, kind, obj, e);
    case OBJ_ORGANIZATION:
    case OBJ_RISK:
    case OBJ_ACTION:
    case OBJ_KIND_COUNT:
        break;
    }
    return E_OK;
}

enum app_err service_search_unindex(struct store *s, enum obj_kind kind, const char *id,
                                    struct err *e)
{
    switch (kind) {
    case OBJ_PERSON:
        return store_keys_replace(s, id, NULL, NULL, 0, e);
    case OBJ_CASE:
    case OBJ_EVENT:
    case OBJ_SOURCE:
        return store_text_delete(s, kind, id, e);
    case OBJ_ORGANIZATION:
    case OBJ_RISK:
    case OBJ_ACTION:
    case OBJ_KIND_COUNT:
        break;
    }
    return E_OK;
}

/* Rebuilding every person's keys: the keys of one batch of persons are built
 * on a second thread while the calling thread writes the previous batch and
 * reads the next one (key building and the database work cost about the
 * same). Batches are written in the order read, so the result is the
 * same as building one person after the other. */
enum { REINDEX_BATCH = 512 };

struct key_batch {
    struct arena a; /* copies of ids and names, and the built keys */
    size_t n;

    struct {
        const char *id;
        struct person_name *names;
        size_t n_names;
    } in[REINDEX_BATCH];
    struct person_keys out[REINDEX_BATCH];
};

static void key_batch_build(struct key_batch *b)
{
    struct namekey *k = xmalloc(sizeof *k);
    for (size_t i = 0; i < b->n; i++) {
        person_keys_build(b->in[i].id, b->in[i].names, b->in[i].n_names, k, &b->a, &b->out[i]);
    }
    free(k);
}

struct key_worker {
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct key_batch *job; /* handed to the worker; NULL once built */
    bool quit;
};

static void *key_worker_main(void *arg)
{
    struct key_worker *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (w->job == NULL && !w->quit) {
            pthread_cond_wait(&w->cv, &w->mu);
        }
        if (w->job == NULL) {
            break;
        }
        struct key_batch *b = w->job;
        pthread_mutex_unlock(&w->mu);
        key_batch_build(b);
        pthread_mutex_lock(&w->mu);
        w->job = NULL;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    namekey_thread_release();
    return NULL;
}

static void key_worker_wait(struct key_worker *w)
{
    if (!w->started) {
        return;
    }
    pthread_mutex_lock(&w->mu);
    while (w->job != NULL) {
        pthread_cond_wait(&w->cv, &w->mu);
    }
    pthread_mutex_unlock(&w->mu);
}

/* Builds b on the worker (or here when there is none). */
static void key_worker_start(struct key_worker *w, struct key_batch *b)
{
    if (!w->started) {
        key_batch_build(b);
        return;
    }
    pthread_mutex_lock(&w->mu);
    w->job = b;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

struct reindex_ctx {
    struct store *s;
    struct err *e;
    enum obj_kind kind;
    size_t n;
    struct key_worker worker;
    struct key_batch *filling; /* being read into */
    struct key_batch *built;   /* with the worker, or built and not yet written */
    enum app_err rc;           /* of the writes while reading */
};

static enum app_err key_batch_write(struct reindex_ctx *c, struct key_batch *b)
{
    enum app_err rc = E_OK;
    for (size_t i = 0; i < b->n && rc == E_OK; i++) {
        const struct person_keys *pk = &b->out[i];
        rc = store_keys_replace(c->s, pk->id, pk->keys, pk->codes, pk->n, c->e);
    }
    arena_release(&b->a);
    b->n = 0;
    return rc;
}

/* Hands the worker the batch just read, then writes the one it built before
 * (so that the writes overlap the building of the next keys); the written
 * batch, emptied, is filled next. */
static enum app_err key_batch_cycle(struct reindex_ctx *c)
{
    key_worker_wait(&c->worker);
    struct key_batch *done_batch = c->built;
    c->built = c->filling;
    if (c->built->n > 0) {
        key_worker_start(&c->worker, c->built);
    }
    enum app_err rc = E_OK;
    if (done_batch->n > 0) {
        rc = key_batch_write(c, done_batch);
    }
    c->filling = done_batch;
    return rc;
}

static bool reindex_person(void *ctx, const char *id, const struct person_name *names, size_t n)
{
    struct reindex_ctx *c = ctx;
    c->n++;
    struct key_batch *b = c->filling;
    struct arena *a = &b->a;
    b->in[b->n].id = arena_strdup(a, id);
    b->in[b->n].n_names = n;
    b->in[b->n].names = arena_alloc(a, (n + 1) * sizeof *b->in[b->n].names);
    for (size_t i = 0; i < n; i++) {
        b->in[b->n].names[i] = (struct person_name){.full = arena_strdup(a, names[i].full),
                                                    .script = arena_strdup(a, names[i].script),
                                                    .lang = arena_strdup(a, names[i].lang)};
    }
    b->n++;
    if (b->n == REINDEX_BATCH) {
        c->rc = key_batch_cycle(c);
    }
    return c->rc == E_OK;
}

static enum app_err reindex_one(void *ctx, const void *obj)
{
    struct reindex_ctx *c = ctx;
    c->n++;
    return service_search_index(c->s, c->kind, obj, c->e);
}

static enum app_err reindex_persons(void *ctx)
{
    struct reindex_ctx *c = ctx;
    struct key_worker *w = &c->worker;
    c->filling = xcalloc(1, sizeof *c->filling);
    c->built = xcalloc(1, sizeof *c->built);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->started = pthread_create(&w->thread, NULL, key_worker_main, w) == 0;
    c->rc = E_OK;
    enum app_err rc = store_person_names_each(c->s, reindex_person, c, c->e);
    if (rc == E_OK) {
        rc = c->rc;
    }
    /* The last two batches: the one with the worker, then the one read last. */
    for (int i = 0; i < 2 && rc == E_OK; i++) {
        rc = key_batch_cycle(c);
    }
    key_worker_wait(w);
    if (w->started) {
        pthread_mutex_lock(&w->mu);
        w->quit = true;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);
    }
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    arena_release(&c->filling->a);
    arena_release(&c->built->a);
    free(c->filling);
    free(c->built);
    return rc;
}

enum app_err service_reindex(struct store *s, size_t *persons, size_t *docs, struct err *e)
{
    enum app_err rc = store_begin(s, e);
    if (rc != E_OK) {
        return rc;
    }
    rc = store_search_clear(s, false, true, e);
    struct reindex_ctx c = {.s = s, .e = e};
    size_t n_persons = 0;
    if (rc == E_OK) {
        rc = store_keys_rebuild(s, reindex_persons, &c, e);
        n_persons = c.n;
        c.n = 0;
    }

    static const enum obj_kind kinds[] = {OBJ_CASE, OBJ_EVENT, OBJ_SOURCE};

    for (size_t i = 0; i < ARRAY_LEN(kinds) && rc == E_OK; i++) {
        c.kind = kinds[i];
        rc = store_each(s, kinds[i], reindex_one, &c, e);
    }
    if (rc == E_OK) {
        rc = store_search_mark_built(s, e);
    }
    if (rc == E_OK) {
        rc = store_commit(s, e);
    }
    if (rc != E_OK) {
        store_rollback(s);
        return rc;
    }
    if (persons) {
        *persons = n_persons;
    }
    if (docs) {
        *docs = c.n;
    }
    return E_OK;
}

enum app_err service_search_ensure(struct store *s, struct err *e)
{
    if (store_search_built(s)) {
        return E_OK;
    }
    struct err ignored = ERR_INIT;
    enum app_err rc = service_reindex(s, NULL, NULL, &ignored);
    (void)e;
    return rc == E_OK || rc == E_STORAGE ? E_OK : rc; /* read-only: search what there is */
}

/* ------------------------------------------------------------ weights */

/* Rare tokens weigh more: a token in few stored names is worth more in the
 * score than one in many (inverse document frequency, from the counts of the
 * "t:" codes, mapped to [0.5, 1] so that common names still count). */
struct weight_ctx {
    struct store *s;
    double log_total;
    struct strmap cache;
};

static double token_weight(void *ctx, const char *token)
{
    struct weight_ctx *w = ctx;
    uint64_t bits;
    if (strmap_get(&w->cache, token, &bits)) {
        double v;
        memcpy(&v, &bits, sizeof v);
        return v;
    }
    char code[CODE_MAX];
    snprintf(code, sizeof code, "t:%s", token);
    double df = (double)store_code_count(w->s, code);
    double idf = log((exp(w->log_total) + 1.0) / (df + 1.0)) / (w->log_total + 1e-9);
    idf = idf < 0 ? 0 : idf > 1 ? 1 : idf;
    double v = 0.5 + 0.5 * idf;
    memcpy(&bits, &v, sizeof bits);
    strmap_put(&w->cache, token, bits, NULL);
    return v;
}

static void weights_init(struct weight_ctx *w, struct store *s)
{
    w->s = s;
    /* Small stores are weighed as if they had 1000 names, so that a handful
     * of names does not make every token "rare" or "common". */
    double total = (double)store_code_count(s, "#");
    w->log_total = log((total < 1000 ? 1000 : total) + 1.0);
    w->cache = (struct strmap)STRMAP_INIT;
}

/* ------------------------------------------------------------ candidates */

struct kidmap {
    int64_t *kids;
    double *hits;
    size_t cap, n;
};

static void kidmap_init(struct kidmap *m, size_t expected)
{
    m->cap = 64;
    while (m->cap < expected * 2) {
        m->cap *= 2;
    }
    m->kids = xcalloc(m->cap, sizeof *m->kids);
    m->hits = xcalloc(m->cap, sizeof *m->hits);
    m->n = 0;
}

static void kidmap_add(struct kidmap *m, int64_t kid, double w)
{
    size_t i = ((uint64_t)kid * 0x9E3779B97F4A7C15ull) & (m->cap - 1);
    while (m->kids[i] && m->kids[i] != kid) {
        i = (i + 1) & (m->cap - 1);
    }
    if (!m->kids[i]) {
        if (m->n * 2 >= m->cap) {
            return; /* full: the budget below keeps this from happening */
        }
        m->kids[i] = kid;
        m->n++;
    }
    m->hits[i] += w;
}

static void kidmap_release(struct kidmap *m)
{
    free(m->kids);
    free(m->hits);
}

struct code_ref {
    const char *code;
    int64_t count;
};

static int by_count(const void *a, const void *b)
{
    const struct code_ref *x = a;
    const struct code_ref *y = b;
    return x->count < y->count ? -1 : x->count > y->count;
}

struct collect_ctx {
    struct kidmap *map;
    double w;
    int64_t min_kid;
    size_t read;
};

static bool collect_kid(void *ctx, int64_t kid)
{
    struct collect_ctx *c = ctx;
    c->read++;
    if (kid > c->min_kid) {
        kidmap_add(c->map, kid, c->w);
    }
    return true;
}

struct cand {
    int64_t kid;
    double hits;
};

static int by_hits(const void *a, const void *b)
{
    const struct cand *x = a;
    const struct cand *y = b;
    if (x->hits != y->hits) {
        return x->hits > y->hits ? -1 : 1;
    }
    return x->kid < y->kid ? -1 : x->kid > y->kid;
}

/*
 * The candidate keys for a query key, most promising first, at most max:
 * the query's codes are looked up rarest first (a code shared by half the
 * store says little), each key found collects the code's weight (rarer codes
 * more, exact tokens as well as their consonant codes), reading at most
 * ROWS_READ_MAX index rows. Codes carried by more than code_cap keys are
 * skipped (0: none). Only keys with an id above min_kid are kept (dedup
 * looks at each pair once).
 */
static enum app_err candidates(struct store *s, const struct namekey *kq, int64_t min_kid,
                               int64_t code_cap, size_t max, int64_t **out, size_t *n_out,
                               struct err *e)
{
    char codes[QUERY_CODES_MAX][CODE_MAX];
    size_t nc = key_codes(kq, codes, QUERY_CODES_MAX);
    struct code_ref refs[QUERY_CODES_MAX];
    size_t nr = 0;
    for (size_t i = 0; i < nc; i++) {
        int64_t cnt = store_code_count(s, codes[i]);
        if (cnt > 0 && (!code_cap || cnt <= code_cap)) {
            refs[nr++] = (struct code_ref){codes[i], cnt};
        }
    }
    qsort(refs, nr, sizeof *refs, by_count);
    struct kidmap map;
    kidmap_init(&map, ROWS_READ_MAX);
    struct collect_ctx c = {.map = &map, .min_kid = min_kid};
    enum app_err rc = E_OK;
    for (size_t i = 0; i < nr && c.read < ROWS_READ_MAX && rc == E_OK; i++) {
        c.w = 1.0 / log2(2.0 + (double)refs[i].count);
        size_t room = ROWS_READ_MAX - c.read;
        rc = store_code_keys(s, refs[i].code, room < ROWS_PER_CODE ? room : ROWS_PER_CODE,
                             collect_kid, &c, e);
    }
    struct cand *all = xmalloc((map.n + 1) * sizeof *all);
    size_t n = 0;
    for (size_t i = 0; i < map.cap; i++) {
        if (map.kids[i]) {
            all[n++] = (struct cand){map.kids[i], map.hits[i]};
        }
    }
    kidmap_release(&map);
    qsort(all, n, sizeof *all, by_hits);
    if (n > max) {
        n = max;
    }
    *out = xmalloc((n + 1) * sizeof **out);
    for (size_t i = 0; i < n; i++) {
        (*out)[i] = all[i].kid;
    }
    *n_out = n;
    free(all);
    return rc;
}

/* ------------------------------------------------------------ persons */

struct scored {
    const char *person;
    const char *full;
    double score;
    char why[NAMEKEY_EXPLAIN_MAX];
};

static int by_score(const void *a, const void *b)
{
    const struct scored *x = a;
    const struct scored *y = b;
    if (x->score != y->score) {
        return x->score > y->score ? -1 : 1;
    }
    return strcmp(x->person, y->person);
}

/* Scores the candidates of a query key and keeps each person's best name
 * (at least min_score; not `exclude`), best first, into arena. */
static enum app_err rank_key(struct store *s, const struct namekey *kq, int64_t min_kid,
                             int64_t code_cap, size_t max_scored, double min_score,
                             const char *exclude, struct weight_ctx *w, struct arena *arena,
                             struct scored **out, size_t *n_out, struct err *e)
{
    int64_t *kids = NULL;
    size_t n_kids = 0;
    *out = NULL;
    *n_out = 0;
    enum app_err rc = candidates(s, kq, min_kid, code_cap, max_scored, &kids, &n_kids, e);
    struct store_key *keys = NULL;
    size_t n_keys = 0;
    if (rc == E_OK) {
        rc = store_keys_get(s, kids, n_kids, arena, &keys, &n_keys, e);
    }
    free(kids);
    if (rc != E_OK) {
        return rc;
    }
    struct namekey_weights weights = {token_weight, w};
    struct scored *res = arena_alloc(arena, (n_keys + 1) * sizeof *res);
    size_t n = 0;
    struct strmap seen = STRMAP_INIT;
    struct namekey *kc = xmalloc(sizeof *kc);
    for (size_t i = 0; i < n_keys; i++) {
        if (exclude && strcmp(keys[i].person, exclude) == 0) {
            continue;
        }
        key_parse(keys[i].key, keys[i].full, kc);
        char why[NAMEKEY_EXPLAIN_MAX];
        double sc = namekey_score(kq, kc, &weights, why, sizeof why);
        if (sc < min_score) {
            continue;
        }
        uint64_t at;
        if (strmap_get(&seen, keys[i].person, &at)) {
            if (sc > res[at].score) {
                res[at].score = sc;
                res[at].full = keys[i].full;
                memcpy(res[at].why, why, sizeof why);
            }
            continue;
        }
        strmap_put(&seen, keys[i].person, n, NULL);
        res[n].person = keys[i].person;
        res[n].full = keys[i].full;
        res[n].score = sc;
        memcpy(res[n].why, why, sizeof why);
        n++;
    }
    free(kc);
    strmap_release(&seen);
    qsort(res, n, sizeof *res, by_score);
    *out = res;
    *n_out = n;
    return E_OK;
}

enum app_err service_search_persons(struct store *s, const char *query, size_t limit,
                                    double min_score, const char *exclude, struct arena *arena,
                                    struct search_hit **out, size_t *n_out, struct err *e)
{
    *out = NULL;
    *n_out = 0;
    if (!limit || limit > 1000) {
        limit = 20;
    }
    struct namekey *kq = xmalloc(sizeof *kq);
    if (!namekey_build(query, NULL, NULL, kq)) {
        free(kq);
        return err_set(e, E_INVALID, "the query has no letters to search for");
    }
    struct weight_ctx w;
    weights_init(&w, s);
    struct scored *res = NULL;
    size_t n = 0;
    enum app_err rc = rank_key(s, kq, 0, 0, SCORED_MAX, min_score > 0 ? min_score : 0.5, exclude,
                               &w, arena, &res, &n, e);
    strmap_release(&w.cache);
    free(kq);
    if (rc != E_OK) {
        return rc;
    }
    if (n > limit) {
        n = limit;
    }
    struct search_hit *hits = arena_alloc(arena, (n + 1) * sizeof *hits);
    for (size_t i = 0; i < n; i++) {
        hits[i] = (struct search_hit){.type = "person",
                                      .kind = OBJ_PERSON,
                                      .id = res[i].person,
                                      .score = res[i].score,
                                      .name = res[i].full,
                                      .why = arena_strdup(arena, res[i].why)};
    }
    *out = hits;
    *n_out = n;
    return E_OK;
}

enum app_err service_probable_duplicate(struct store *s, const struct person *p, double threshold,
                                        struct arena *arena, const char **other, double *score,
                                        const char **why, struct err *e)
{
    *other = NULL;
    *score = 0;
    *why = NULL;
    struct weight_ctx w;
    weights_init(&w, s);
    struct namekey *kq = xmalloc(sizeof *kq);
    enum app_err rc = E_OK;
    for (size_t i = 0; i < p->n_names && rc == E_OK; i++) {
        if (!p->names[i].full ||
            !namekey_build(p->names[i].full, p->names[i].script, p->names[i].lang, kq)) {
            continue;
        }
        struct scored *res = NULL;
        size_t n = 0;
        rc = rank_key(s, kq, 0, 0, 100, threshold, p->id, &w, arena, &res, &n, e);
        if (rc == E_OK && n && res[0].score > *score) {
            *other = res[0].person;
            *score = res[0].score;
            *why = arena_strdup(arena, res[0].why);
        }
    }
    free(kq);
    strmap_release(&w.cache);
    return rc;
}

/* ------------------------------------------------------------ full text */

/* ------------------------------------------------------------ snippets */

/* The query's folded words, for marking matches in the original text; a
 * phrase's last word may be a prefix. */
enum { QUERY_TERMS_MAX = 32, QUERY_TERM_LEN = 64 };

struct query_terms {
    size_t n;
    char word[QUERY_TERMS_MAX][QUERY_TERM_LEN];
    bool prefix[QUERY_TERMS_MAX];
};

/* Adds the space-separated folded words of one phrase. */
static void terms_add_phrase(struct query_terms *t, const char *words, size_t len, bool prefix)
{
    const char *p = words;
    const char *end = words + len;
    while (p < end && t->n < QUERY_TERMS_MAX) {
        while (p < end && (*p == ' ' || *p == '"')) {
            p++;
        }
        const char *w = p;
        while (p < end && *p != ' ') {
            p++;
        }
        if (p > w && (size_t)(p - w) < QUERY_TERM_LEN) {
            memcpy(t->word[t->n], w, (size_t)(p - w));
            t->word[t->n][p - w] = '\0';
            /* "" inside a word is an escaped quote: one quote in the text. */
            for (char *q = t->word[t->n]; (q = strstr(q, "\"\"")) != NULL; q++) {
                memmove(q, q + 1, strlen(q));
            }
            t->prefix[t->n] = prefix && p == end;
            t->n++;
        }
    }
}

struct snip_word {
    size_t start;
    size_t end;
    bool hit;
};

struct snip_words {
    const struct query_terms *terms;
    struct snip_word *w;
    size_t n;
    size_t cap;
};

static bool snip_word(void *ctx, const char *word, size_t start, size_t end)
{
    struct snip_words *sw = ctx;
    bool hit = false;
    for (size_t i = 0; i < sw->terms->n && !hit; i++) {
        const char *t = sw->terms->word[i];
        hit = sw->terms->prefix[i] ? strncmp(word, t, strlen(t)) == 0 : strcmp(word, t) == 0;
    }
    if (sw->n == sw->cap) {
        sw->cap = sw->cap ? sw->cap * 2 : 64;
        sw->w = xrealloc(sw->w, sw->cap * sizeof *sw->w);
    }
    sw->w[sw->n++] = (struct snip_word){.start = start, .end = end, .hit = hit};
    return true;
}

enum { SNIPPET_WORDS = 16, SNIPPET_LEAD = 3 };

/* The best window of one field's words: [*from, *from + SNIPPET_WORDS),
 * starting a few words before a match; returns its number of matches. */
static size_t best_window(const struct snip_words *sw, size_t *from)
{
    size_t best = 0;
    *from = 0;
    for (size_t h = 0; h < sw->n; h++) {
        if (!sw->w[h].hit) {
            continue;
        }
        size_t start = h > SNIPPET_LEAD ? h - SNIPPET_LEAD : 0;
        size_t hits = 0;
        for (size_t i = start; i < sw->n && i < start + SNIPPET_WORDS; i++) {
            hits += sw->w[i].hit;
        }
        if (hits > best) {
            best = hits;
            *from = start;
        }
    }
    return best;
}

/* A snippet of the original text around the best match: SNIPPET_WORDS words
 * of one field, the matching words (runs of them) in [ ], "..." where the
 * field goes on. The query's words are compared folded, as the index does. */
static const char *make_snippet(const struct text_fields *f, const struct query_terms *t,
                                struct arena *arena)
{
    size_t best_field = 0;
    size_t best_from = 0;
    size_t best_hits = 0;
    struct snip_words best = {.terms = t};
    for (size_t i = 0; i < f->n; i++) {
        struct snip_words sw = {.terms = t};
        textfold_words(f->text[i], strlen(f->text[i]), snip_word, &sw);
        size_t from = 0;
        size_t hits = best_window(&sw, &from);
        if (hits > best_hits || (best.n == 0 && sw.n > 0)) {
            free(best.w);
            best = sw;
            best_field = i;
            best_from = from;
            best_hits = hits;
        } else {
            free(sw.w);
        }
    }
    if (best.n == 0) {
        free(best.w);
        return "";
    }
    const char *text = f->text[best_field];
    size_t to = best_from + SNIPPET_WORDS < best.n ? best_from + SNIPPET_WORDS : best.n;
    struct buf b = BUF_INIT;
    if (best_from > 0) {
        buf_adds(&b, "...");
    }
    for (size_t i = best_from; i < to; i++) {
        const struct snip_word *w = &best.w[i];
        if (i > best_from) {
            /* What separates the words, as written, on one line. */
            for (size_t k = best.w[i - 1].end; k < w->start; k++) {
                char c = text[k];
                buf_addch(&b, c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
            }
        }
        if (w->hit && (i == best_from || !best.w[i - 1].hit)) {
            buf_addch(&b, '[');
        }
        buf_add(&b, text + w->start, w->end - w->start);
        if (w->hit && (i + 1 == to || !best.w[i + 1].hit)) {
            buf_addch(&b, ']');
        }
    }
    if (to < best.n) {
        buf_adds(&b, "...");
    } else {
        /* The field's closing punctuation, if short. */
        size_t tail = best.w[to - 1].end;
        size_t len = strlen(text + tail);
        if (len <= 4 && strcspn(text + tail, "\n\r\t") == len) {
            buf_adds(&b, text + tail);
        }
    }
    free(best.w);
    const char *out = arena_strndup(arena, b.data ? b.data : "", b.len);
    buf_release(&b);
    return out;
}

/* Loads a text result's object: its title (or id) and a snippet. */
static void text_result(struct store *s, enum obj_kind kind, const char *id,
                        const struct query_terms *t, struct arena *arena, const char **title,
                        const char **snippet)
{
    struct err e = ERR_INIT;

    union {
        struct case_ c;
        struct event ev;
        struct source src;
    } obj;

    *title = id;
    *snippet = "";
    if (store_get(s, kind, id, arena, &obj, &e) != E_OK) {
        return;
    }
    struct text_fields f;
    if (!text_fields_of(s, kind, &obj, arena, &f)) {
        return;
    }
    if (kind == OBJ_CASE && obj.c.title) {
        *title = obj.c.title;
    } else if (kind == OBJ_SOURCE && obj.src.title) {
        *title = obj.src.title;
    } else if (kind == OBJ_EVENT) {
        *title = event_type_name(obj.ev.type);
    }
    *snippet = make_snippet(&f, t, arena);
}

static bool add_query_word(void *ctx, const char *word, size_t start, size_t end)
{
    (void)start;
    (void)end;
    struct buf *b = ctx;
    if (b->len && b->data[b->len - 1] != '"') {
        buf_addch(b, ' ');
    }
    for (const char *p = word; *p; p++) {
        if (*p == '"') {
            buf_addch(b, '"');
        }
        buf_addch(b, *p);
    }
    return true;
}

/* Turns the user's query into an FTS5 query over folded words: each "quoted
 * phrase" and each word (which may fold into several, for unspaced scripts)
 * becomes a phrase; a trailing * makes a prefix. Returns the number of
 * phrases. */
static size_t fts_query(const char *q, struct buf *out, struct query_terms *terms)
{
    size_t phrases = 0;
    const char *p = q;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n') {
            p++;
        }
        if (!*p) {
            break;
        }
        const char *start = p;
        const char *end;
        bool quoted = *p == '"';
        if (quoted) {
            start = ++p;
            const char *close = strchr(p, '"');
            end = close ? close : p + strlen(p);
            p = close ? close + 1 : end;
        } else {
            while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
                p++;
            }
            end = p;
        }
        bool prefix = *p == '*' || (end > start && end[-1] == '*');
        if (*p == '*') {
            p++;
        }
        struct buf words = BUF_INIT;
        size_t n = textfold_words(start, (size_t)(end - start), add_query_word, &words);
        if (n) {
            buf_adds(out, phrases ? " \"" : "\"");
            buf_add(out, words.data, words.len);
            buf_addch(out, '"');
            if (prefix) {
                buf_addch(out, '*');
            }
            terms_add_phrase(terms, words.data, words.len, prefix);
            phrases++;
        }
        buf_release(&words);
    }
    return phrases;
}

static void add_ref(struct buf *b, enum obj_kind kind, const char *id)
{
    char item[300];
    snprintf(item, sizeof item, "%s:%s", obj_kind_name(kind), id);
    buf_adds(b, b->len > 1 ? "," : "");
    json_str(b, item);
}

/* The "kind:id" list of what belongs to a case, for the case filter. */
static enum app_err case_scope(struct store *s, const char *case_id, struct buf *json,
                               struct err *e)
{
    struct arena a = ARENA_INIT;
    struct case_view v;
    enum app_err rc = service_load_case(s, case_id, &a, &v, e);
    if (rc == E_OK) {
        buf_addch(json, '[');
        add_ref(json, OBJ_CASE, v.kase.id);
        for (size_t i = 0; i < v.n_events; i++) {
            add_ref(json, OBJ_EVENT, v.events[i].id);
        }
        for (size_t i = 0; i < v.n_sources; i++) {
            add_ref(json, OBJ_SOURCE, v.sources[i].id);
        }
        buf_addch(json, ']');
    }
    arena_release(&a);
    return rc;
}

enum app_err service_search_text(struct store *s, const char *query, const struct text_filter *f,
                                 size_t limit, struct arena *arena, struct search_hit **out,
                                 size_t *n_out, struct err *e)
{
    *out = NULL;
    *n_out = 0;
    if (!limit || limit > 1000) {
        limit = 20;
    }
    struct buf match = BUF_INIT;
    struct query_terms *terms = arena_alloc(arena, sizeof *terms);
    if (!query || !fts_query(query, &match, terms)) {
        buf_release(&match);
        return err_set(e, E_INVALID, "the query has no words to search for");
    }
    struct store_text_query q = {.match = match.data, .limit = limit};
    struct buf scope = BUF_INIT;
    enum app_err rc = E_OK;
    if (f) {
        if (f->has_kind && f->kind != OBJ_CASE && f->kind != OBJ_EVENT && f->kind != OBJ_SOURCE) {
            rc = err_set(e, E_INVALID, "text search covers cases, events and sources");
        }
        q.has_kind = f->has_kind;
        q.kind = f->kind;
        q.from = f->from;
        q.to = f->to;
        if (rc == E_OK && f->case_id) {
            rc = case_scope(s, f->case_id, &scope, e);
            q.in_json = scope.data;
        }
    }
    struct store_text_hit *hits = NULL;
    size_t n = 0;
    if (rc == E_OK) {
        rc = store_text_search(s, &q, arena, &hits, &n, e);
    }
    buf_release(&match);
    buf_release(&scope);
    if (rc != E_OK) {
        return rc;
    }
    struct search_hit *res = arena_alloc(arena, (n + 1) * sizeof *res);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (!store_exists(s, hits[i].kind, hits[i].id)) {
            continue;
        }
        const char *title;
        const char *snippet;
        text_result(s, hits[i].kind, hits[i].id, terms, arena, &title, &snippet);
        res[kept++] = (struct search_hit){.type = obj_kind_name(hits[i].kind),
                                          .kind = hits[i].kind,
                                          .id = hits[i].id,
                                          .score = -hits[i].rank,
                                          .name = title,
                                          .why = snippet,
                                          .date = hits[i].date};
    }
    *out = res;
    *n_out = kept;
    return E_OK;
}

enum app_err service_source_text(struct store *s, const char *source_id, const char *text,
                                 struct err *e)
{
    enum app_err rc = store_begin(s, e);
    if (rc != E_OK) {
        return rc;
    }
    struct arena a = ARENA_INIT;
    struct source src;
    rc = store_get(s, OBJ_SOURCE, source_id, &a, &src, e);
    if (rc == E_OK) {
        rc = store_source_text_set(s, source_id, text, e);
    }
    if (rc == E_OK) {
        rc = service_search_index(s, OBJ_SOURCE, &src, e);
    }
    if (rc == E_OK) {
        rc = store_commit(s, e);
    }
    if (rc != E_OK) {
        store_rollback(s);
    }
    arena_release(&a);
    return rc;
}

/* ------------------------------------------------------------ duplicates */

/* A pair of keys of two persons scored at least the floor that applies to
 * them: 24 bytes (explanations are written only as the pairs are reported).
 * ra < rb: the persons' ranks in id order. */
struct dfound {
    uint32_t ra, rb;
    uint32_t ka, kb; /* the keys, as scored: ka the query, kb the candidate */
    double score;
};

struct dfound_list {
    struct dfound *at;
    size_t n, alloc;
};

static void dfound_add(struct dfound_list *l, struct dfound f)
{
    if (l->n == l->alloc) {
        l->alloc = l->alloc ? l->alloc * 2 : 1024;
        l->at = xrealloc(l->at, l->alloc * sizeof *l->at);
    }
    l->at[l->n++] = f;
}

/*
 * Block-once candidate generation. Every stored key is read once; its
 * entries are computed in memory (dentries_add): for every two tokens of a
 * reading (the first five), the first four consonant classes of each; for
 * every token, its own. They are grouped into blocks level by level
 * (dblocks_group): a pair by the first two classes of each token (the pair
 * codes of the search, pair_codes), a reading of one token by two classes,
 * a single token of a longer reading by three (kept only when at most
 * DEDUP_SPLIT keys share it: a rare token carries a name whose other token
 * has a slip in its first letters). A block of more than DEDUP_SPLIT keys is
 * split: a pair by three classes of one token and two of the other, both
 * ways (one slip in a third class still meets); one still above
 * DEDUP_BLOCK_MAX by three classes each, then by four; a block still larger
 * than DEDUP_CODE_MAX is not selective and is dropped. Finer blocks as the
 * store grows, and none skipped wholesale. A token with ch or j also gets
 * the classes of the German reading of those letters (Tichonow, Jakowlew:
 * kh and y), and Arabic j as Egyptian g (Jamal, Gamal). A name with a pinyin
 * reading is also blocked by its pinyin (struct namekey_pinyin), exactly:
 * short syllables make its class codes crowded. Every key then meets the
 * keys with a higher id that share one of its blocks (each pair of keys
 * once), the most promising DEDUP_SCORED_MAX distinct key texts of them by
 * the weight of the blocks they share (rarer blocks weigh more; keys with
 * the same text share one score); a first look, then namekey_dedup_score,
 * on every core. Memory: the keys as stored text, the entries (12 bytes each, 16
 * while grouped) and the pair table.
 */
enum dkind {
    DK_PAIR = 0,   /* two tokens of a reading */
    DK_ONE = 1,    /* a reading of one token */
    DK_RARE = 2,   /* one token of a reading of several, kept only in a small block */
    DK_PINYIN = 3, /* a pinyin reading's surname and given name (h: their hash) */
    DK_DEL = 4,    /* two tokens of a reading, h[1]'s token with one of its first classes left
                      out (dhead_del): met only by the undeleted pairs (DK_PAIR) */
};

/* The side of a key in a block of dropped letters (DK_DEL): a pair of keys
 * there is compared only when one has the pair as written and the other
 * with a letter left out (the two sides or'ed make DS_BOTH). 0 in the other
 * blocks, where every two keys are compared. */
enum dside { DS_ALL = 0, DS_PLAIN = 1, DS_DROPPED = 2, DS_BOTH = 3 };

struct dentry {
    uint16_t h[2]; /* the tokens' first four consonant classes (dhead; h[1] 0 for one token),
                      or DK_PINYIN's hash */
    uint32_t kid;
    uint8_t kind;
};

struct dkey {
    const char *person;
    const char *full;
    const char *key;
    uint32_t pnum;     /* the person's number */
    const char *toks;  /* per reading, its canonical tokens; readings split by '\n' */
    uint32_t tid;      /* the number of its key text (equal texts, equal scores) */
    bool pinyin;       /* some reading is pinyin (namekey_pinyin_of) */
    uint32_t n_blocks; /* blocks this key is in */
    size_t first;      /* its first entry in kid_blocks */
};

struct dblocks {
    struct dkey *keys; /* by key id */
    size_t n_keys;     /* highest key id + 1 */
    struct arena text;
    struct namekey *parsed;        /* scratch */
    struct namekey_pinyin *pinyin; /* scratch */
    struct strmap persons;         /* person id -> number */
    uint32_t n_persons;
    struct strmap texts; /* key text -> number (dkey.tid) */
    uint32_t n_texts;
    struct dentry *ent; /* every key's pair codes */
    size_t n_ent, alloc_ent;
    uint64_t *code;   /* per block: c2 << 32 | c3 (c3 0 for an unsplit block) */
    int64_t *members; /* the kept blocks' key ids, block after block */
    uint8_t *side;    /* per member, its enum dside */
    size_t n_members, alloc_members;
    size_t *start; /* block i is members[start[i] .. start[i + 1]) */
    double *weight;
    size_t n_blocks, alloc_blocks;
    uint32_t *kid_blocks;    /* per key, the blocks it is in */
    uint8_t *kid_side;       /* ... and its side in each (enum dside) */
    unsigned char *evidence; /* per person number: has a sex, birth date, nationality or event */
    uint32_t *rank;          /* per person number: its rank in the order of person ids */
};

/* A consonant class (consonant_class) as a number 1..10. */
static uint32_t class_num(char k)
{
    static const char order[] = "PTKSJMNLR";
    const char *at = k ? strchr(order, k) : NULL;
    return at ? (uint32_t)(at - order) + 1 : 0;
}

/* How a token's letters may have been read (see dhead). */
enum dreading {
    DR_PLAIN,    /* as written */
    DR_GERMAN,   /* C (ch) as H (kh), J dropped (j as y): German for Russian */
    DR_EGYPTIAN, /* J as g: Egyptian g for Arabic j (Gamal, Jamal) */
    DR_COUNT
};

/* The first four consonant classes of a token's skeleton read as how says,
 * a nibble each from the top (0 where it has fewer; 0xF000: a token of
 * vowels). */
static uint16_t dhead(const char *skel, enum dreading how)
{
    uint32_t h = 0;
    unsigned n = 0;
    char last = 0;
    for (const char *p = skel; *p && n < 4; p++) {
        char c = *p;
        if (how == DR_GERMAN && c == 'J') {
            continue;
        }
        c = how == DR_GERMAN && c == 'C' ? 'H' : how == DR_EGYPTIAN && c == 'J' ? 'g' : c;
        char k = consonant_class(c);
        if (k && k != last) {
            h |= class_num(k) << (12 - 4 * n);
            last = k;
            n++;
        }
    }
    return (uint16_t)(n ? h : 0xF000);
}

/* The first four consonant classes of a token's skeleton (as written) with
 * its class number skip (0-based) left out: a letter dropped among a name's
 * first consonants (Yasin, Yain). 0 when it has no such class. */
static uint16_t dhead_del(const char *skel, unsigned skip)
{
    char cls[6];
    unsigned n = 0;
    for (const char *p = skel; *p && n < 6; p++) {
        char k = consonant_class(*p);
        if (k && (!n || k != cls[n - 1])) {
            cls[n++] = k;
        }
    }
    if (skip >= n) {
        return 0;
    }
    uint32_t h = 0;
    unsigned m = 0;
    char last = 0;
    for (unsigned i = 0; i < n && m < 4; i++) {
        if (i != skip && cls[i] != last) { /* S-T-S with T left out is S */
            h |= class_num(cls[i]) << (12 - 4 * m);
            last = cls[i];
            m++;
        }
    }
    return (uint16_t)(m ? h : 0xF000);
}

/* A head cut to its first n classes. */
static uint32_t head_cut(uint16_t h, unsigned n)
{
    return h & (0xFFFFu << (16 - 4 * n)) & 0xFFFFu;
}

static uint32_t pair_of(uint32_t a, uint32_t b)
{
    return a < b ? a << 16 | b : b << 16 | a;
}

static void dentry_push(struct dblocks *d, uint16_t h0, uint16_t h1, uint8_t kind, uint32_t kid)
{
    if (d->n_ent == d->alloc_ent) {
        d->alloc_ent = d->alloc_ent ? d->alloc_ent * 2 : 4096;
        d->ent = xrealloc(d->ent, d->alloc_ent * sizeof *d->ent);
    }
    d->ent[d->n_ent++] = (struct dentry){.h = {h0, h1}, .kid = kid, .kind = kind};
}

/* Adds an entry of a key unless it has it already (its entries start at
 * from); a pair's heads in either order. */
static void dentry_add_once(struct dblocks *d, size_t from, uint16_t h0, uint16_t h1, uint8_t kind,
                            uint32_t kid)
{
    if (kind == DK_PAIR && h1 < h0) {
        uint16_t t = h0;
        h0 = h1;
        h1 = t;
    }
    for (size_t e = from; e < d->n_ent; e++) {
        if (d->ent[e].kind == kind && d->ent[e].h[0] == h0 && d->ent[e].h[1] == h1) {
            return;
        }
    }
    dentry_push(d, h0, h1, kind, kid);
}

/* A key's entries (see the comment above struct dentry), each once. */
static void dentries_add(struct dblocks *d, const struct namekey *k, uint32_t kid)
{
    enum {
        PAIR_TOKENS = 5, /* tokens of a reading paired */
        DEL_TOKENS = 3,  /* ... and with a letter left out */
        DEL_CLASSES = 3, /* the classes of a token that may be left out */
    };

    size_t from = d->n_ent;
    for (unsigned r = 0; r < k->n_readings; r++) {
        const struct namekey_reading *rd = &k->readings[r];
        unsigned nt = rd->n_tokens < PAIR_TOKENS ? rd->n_tokens : PAIR_TOKENS;
        uint16_t h[PAIR_TOKENS][DR_COUNT];
        unsigned nv[PAIR_TOKENS];
        for (unsigned t = 0; t < nt; t++) {
            /* The readings that differ from the plain one. */
            nv[t] = 0;
            for (unsigned v = 0; v < DR_COUNT; v++) {
                uint16_t x = dhead(rd->tokens[t].skel, (enum dreading)v);
                if (v == 0 || x != h[t][0]) {
                    h[t][nv[t]++] = x;
                }
            }
        }
        for (unsigned t = 0; t < nt; t++) {
            for (unsigned v = 0; v < nv[t]; v++) {
                /* One token (the others dropped as articles): blocked with
                 * the other one-token readings by its own classes. */
                dentry_add_once(d, from, h[t][v], 0, nt == 1 ? DK_ONE : DK_RARE, kid);
            }
        }
        for (unsigned i = 0; i < nt; i++) {
            for (unsigned j = i + 1; j < nt; j++) {
                for (unsigned vi = 0; vi < nv[i]; vi++) {
                    for (unsigned vj = 0; vj < nv[j]; vj++) {
                        dentry_add_once(d, from, h[i][vi], h[j][vj], DK_PAIR, kid);
                    }
                }
            }
        }
        /* The first tokens with one of their first classes left out, each
         * beside another token as written. */
        unsigned nd = nt < DEL_TOKENS ? nt : DEL_TOKENS;
        for (unsigned i = 0; i < nd; i++) {
            for (unsigned j = 0; j < nd; j++) {
                for (unsigned m = 0; m < DEL_CLASSES && i != j; m++) {
                    uint16_t x = dhead_del(rd->tokens[i].skel, m);
                    if (x) {
                        dentry_add_once(d, from, h[j][0], x, DK_DEL, kid);
                    }
                }
            }
        }
    }
}

/* FNV-1a, 32 bits. */
static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 16777619u;
    }
    return h;
}

static bool dblocks_key(void *ctx, const struct store_key *k)
{
    struct dblocks *d = ctx;
    if (k->kid < 0 || k->kid > (int64_t)UINT32_MAX) {
        return true;
    }
    size_t kid = (size_t)k->kid;
    if (kid >= d->n_keys) {
        size_t n = d->n_keys ? d->n_keys : 1024;
        while (n <= kid) {
            n *= 2;
        }
        d->keys = xrealloc(d->keys, n * sizeof *d->keys);
        memset(d->keys + d->n_keys, 0, (n - d->n_keys) * sizeof *d->keys);
        d->n_keys = n;
    }
    key_parse(k->key, k->full, d->parsed);
    struct buf toks = BUF_INIT;
    for (unsigned r = 0; r < d->parsed->n_readings; r++) {
        const struct namekey_reading *rd = &d->parsed->readings[r];
        if (r) {
            buf_addch(&toks, '\n');
        }
        for (unsigned t = 0; t < rd->n_tokens; t++) {
            buf_addf(&toks, "%s%s", t ? " " : "", rd->tokens[t].text);
        }
    }
    dentries_add(d, d->parsed, (uint32_t)kid);
    /* Chinese names are the same only with the same pinyin (namekey_dedup_score):
     * blocked by it, whatever the number of their readings and syllables. */
    namekey_pinyin_of(d->parsed, d->pinyin);
    size_t from = d->n_ent;
    for (unsigned r = 0; r < NAMEKEY_MAX_READINGS && d->pinyin->any; r++) {
        for (unsigned f = 0; f < 2; f++) {
            const char *form = d->pinyin->forms[r][f];
            if (form[0]) {
                uint32_t h = fnv1a(form);
                dentry_add_once(d, from, (uint16_t)(h >> 16), (uint16_t)h, DK_PINYIN,
                                (uint32_t)kid);
            }
        }
    }
    uint64_t pnum;
    if (!strmap_get(&d->persons, k->person, &pnum)) {
        pnum = d->n_persons++;
        strmap_put(&d->persons, k->person, pnum, NULL);
    }
    uint64_t tid;
    if (!strmap_get(&d->texts, k->key, &tid)) {
        tid = d->n_texts++;
        strmap_put(&d->texts, k->key, tid, NULL);
    }
    d->keys[kid] = (struct dkey){.person = arena_strdup(&d->text, k->person),
                                 .tid = (uint32_t)tid,
                                 .pinyin = d->pinyin->any,
                                 .pnum = (uint32_t)pnum,
                                 .full = arena_strdup(&d->text, k->full),
                                 .key = arena_strdup(&d->text, k->key),
                                 .toks = arena_strdup(&d->text, toks.len ? toks.data : "")};
    buf_release(&toks);
    return true;
}

/* Jaro-Winkler similarity of two byte strings (at most 127 bytes are
 * compared). */
static double jaro_winkler(const char *a, size_t la, const char *b, size_t lb)
{
    enum { JW_MAX = 127 };

    la = la > JW_MAX ? JW_MAX : la;
    lb = lb > JW_MAX ? JW_MAX : lb;
    if (!la || !lb) {
        return la == lb ? 1.0 : 0.0;
    }
    size_t window = (la > lb ? la : lb) / 2;
    window = window ? window - 1 : 0;
    bool ma[JW_MAX];
    bool mb[JW_MAX];
    memset(ma, 0, la);
    memset(mb, 0, lb);
    size_t m = 0;
    for (size_t i = 0; i < la; i++) {
        size_t from = i > window ? i - window : 0;
        size_t to = i + window + 1 < lb ? i + window + 1 : lb;
        for (size_t j = from; j < to; j++) {
            if (!mb[j] && a[i] == b[j]) {
                ma[i] = mb[j] = true;
                m++;
                break;
            }
        }
    }
    if (!m) {
        return 0.0;
    }
    size_t half = 0;
    for (size_t i = 0, j = 0; i < la; i++) {
        if (ma[i]) {
            while (!mb[j]) {
                j++;
            }
            half += a[i] != b[j];
            j++;
        }
    }
    double md = (double)m;
    double jaro = (md / (double)la + md / (double)lb + (md - (double)half / 2.0) / md) / 3.0;
    size_t prefix = 0;
    while (prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix]) {
        prefix++;
    }
    return jaro + (double)prefix * 0.1 * (1.0 - jaro);
}

/* How well the tokens of reading a (n bytes, tokens split by spaces) are
 * found in reading b: the mean over a's tokens of the best Jaro-Winkler
 * similarity to one of b's. */
static double tokens_found(const char *a, size_t la, const char *b, size_t lb)
{
    double sum = 0;
    size_t n = 0;
    for (size_t i = 0; i < la;) {
        size_t ta = i;
        while (ta < la && a[ta] != ' ') {
            ta++;
        }
        double best = 0;
        for (size_t j = 0; j < lb;) {
            size_t tb = j;
            while (tb < lb && b[tb] != ' ') {
                tb++;
            }
            double v = jaro_winkler(a + i, ta - i, b + j, tb - j);
            best = v > best ? v : best;
            j = tb + 1;
        }
        sum += best;
        n++;
        i = ta + 1;
    }
    return n ? sum / (double)n : 0;
}

static size_t count_tokens(const char *a, size_t la)
{
    size_t n = la ? 1 : 0;
    for (size_t i = 0; i < la; i++) {
        n += a[i] == ' ';
    }
    return n;
}

/* A cheap first look before namekey_score: the best, over the two keys'
 * readings, of how well the tokens of the reading with fewer tokens are
 * found among the other's (Jaro-Winkler per token, word order free). */
static double toks_similarity(const char *x, const char *y)
{
    double best = 0;
    for (const char *a = x; *a;) {
        size_t la = strcspn(a, "\n");
        for (const char *b = y; *b;) {
            size_t lb = strcspn(b, "\n");
            bool a_fewer = count_tokens(a, la) <= count_tokens(b, lb);
            double v = a_fewer ? tokens_found(a, la, b, lb) : tokens_found(b, lb, a, la);
            best = v > best ? v : best;
            b += lb + (b[lb] != '\0');
        }
        a += la + (a[la] != '\0');
    }
    return best;
}

/* An entry's block code at a level of splitting (see dblocks_build), with
 * the level and kind in its top bits; variant picks which token of a pair
 * keeps a third class at level 1. */
static uint64_t dcode(const struct dentry *x, unsigned level, unsigned variant)
{
    static const unsigned one_classes[] = {2, 3, 4, 4};
    uint32_t c;
    if (x->kind == DK_PINYIN) {
        c = (uint32_t)x->h[0] << 16 | x->h[1];
    } else if (x->kind == DK_RARE) {
        c = head_cut(x->h[0], 3);
    } else if (x->kind == DK_ONE) {
        c = head_cut(x->h[0], one_classes[level]);
    } else if (level == 1) {
        c = head_cut(x->h[variant], 3) << 16 | head_cut(x->h[1 - variant], 2);
    } else {
        unsigned n = level == 0 ? 2 : level == 2 ? 3 : 4;
        c = pair_of(head_cut(x->h[0], n), head_cut(x->h[1], n));
    }
    return (uint64_t)(level * 8 + x->kind) << 32 | c;
}

/* A code of the blocks of dropped letters: a pair (DK_PAIR) or a pair with a
 * letter left out (DK_DEL) by three classes of each token (level 0), four
 * (level 1). */
static uint64_t dcode_del(const struct dentry *x, unsigned level)
{
    unsigned n = level == 0 ? 3 : 4;
    return (uint64_t)(level * 8 + DK_DEL) << 32 |
           pair_of(head_cut(x->h[0], n), head_cut(x->h[1], n));
}

struct dsub {
    uint64_t code;
    uint32_t kid;
    uint32_t at; /* the entry in d->ent */
};

static int by_code_kid(const void *a, const void *b)
{
    const struct dsub *x = a;
    const struct dsub *y = b;
    if (x->code != y->code) {
        return x->code < y->code ? -1 : 1;
    }
    return x->kid < y->kid ? -1 : x->kid > y->kid;
}

/* Keeps sub[from, to) (sorted by key id) as a block, each key once (with
 * its sides when sided: a block of dropped letters). */
static void dblocks_keep(struct dblocks *d, const struct dsub *sub, size_t from, size_t to,
                         bool sided)
{
    size_t first = d->n_members;
    for (size_t i = from; i < to; i++) {
        uint8_t side = !sided ? DS_ALL : d->ent[sub[i].at].kind == DK_DEL ? DS_DROPPED : DS_PLAIN;
        if (i > from && sub[i].kid == sub[i - 1].kid) {
            d->side[d->n_members - 1] |= side;
            continue;
        }
        if (d->n_members == d->alloc_members) {
            d->alloc_members = d->alloc_members ? d->alloc_members * 2 : 4096;
            d->members = xrealloc(d->members, d->alloc_members * sizeof *d->members);
            d->side = xrealloc(d->side, d->alloc_members * sizeof *d->side);
        }
        d->side[d->n_members] = side;
        d->members[d->n_members++] = sub[i].kid;
    }
    size_t m = d->n_members - first;
    if (d->n_blocks + 2 > d->alloc_blocks) {
        d->alloc_blocks = d->alloc_blocks ? d->alloc_blocks * 2 : 1024;
        d->start = xrealloc(d->start, d->alloc_blocks * sizeof *d->start);
        d->weight = xrealloc(d->weight, d->alloc_blocks * sizeof *d->weight);
        d->code = xrealloc(d->code, d->alloc_blocks * sizeof *d->code);
    }
    d->start[d->n_blocks] = first;
    d->weight[d->n_blocks] = 1.0 / log2(2.0 + (double)m);
    d->code[d->n_blocks] = sub[from].code;
    d->n_blocks++;
    d->start[d->n_blocks] = d->n_members;
}

/* Groups sub[0, n) (codes at level) into blocks: a group of at most
 * DEDUP_SPLIT keys (level 0) or DEDUP_BLOCK_MAX keys (the finer levels) is
 * kept (DEDUP_CODE_MAX at the last level), a larger one split by the next
 * level's codes (DK_RARE: dropped), and one still larger at the last level
 * dropped as not selective. seen:
 * the level-2 codes handled (a level-2 group arises from both level-1
 * variants). Frees sub. */
static void dblocks_group(struct dblocks *d, struct dsub *sub, size_t n, unsigned level,
                          struct strmap *seen)
{
    enum { LAST_LEVEL = 3 };

    qsort(sub, n, sizeof *sub, by_code_kid);
    for (size_t i = 0; i < n;) {
        bool pinyin = d->ent[sub[i].at].kind == DK_PINYIN;
        size_t j = i;
        size_t keys = 0;
        while (j < n && sub[j].code == sub[i].code) {
            keys += j == i || sub[j].kid != sub[j - 1].kid;
            j++;
        }
        if (level == 2) {
            char hex[24];
            snprintf(hex, sizeof hex, "%llx", (unsigned long long)sub[i].code);
            if (!strmap_put(seen, hex, 1, NULL)) {
                i = j; /* handled under the other variant */
                continue;
            }
        }
        size_t limit = pinyin || level == LAST_LEVEL ? DEDUP_CODE_MAX
                       : level == 0                  ? DEDUP_SPLIT
                                                     : DEDUP_BLOCK_MAX;
        if (keys >= 2 && keys <= limit) {
            dblocks_keep(d, sub, i, j, false);
        } else if (keys > limit && level < LAST_LEVEL && d->ent[sub[i].at].kind < DK_RARE) {
            bool two = level == 0 && d->ent[sub[i].at].kind == DK_PAIR;
            struct dsub *next = xmalloc((j - i) * (two ? 2 : 1) * sizeof *next);
            size_t m = 0;
            for (size_t e = i; e < j; e++) {
                const struct dentry *x = &d->ent[sub[e].at];
                for (unsigned v = 0; v < (two ? 2u : 1u); v++) {
                    next[m++] = (struct dsub){dcode(x, level + 1, v), sub[e].kid, sub[e].at};
                }
            }
            dblocks_group(d, next, m, level + 1, seen);
        }
        i = j;
    }
    free(sub);
}

/* Groups sub[0, n) (dcode_del codes at level) into blocks of dropped letters:
 * a group where some key has a letter left out and another has not, of at
 * most DEDUP_BLOCK_MAX keys at level 0 (three classes each) or
 * DEDUP_CODE_MAX at level 1 (four), is kept; a larger one split at level 0,
 * dropped at level 1. Frees sub. */
static void dblocks_group_del(struct dblocks *d, struct dsub *sub, size_t n, unsigned level)
{
    qsort(sub, n, sizeof *sub, by_code_kid);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        size_t keys = 0;
        unsigned sides = 0;
        while (j < n && sub[j].code == sub[i].code) {
            keys += j == i || sub[j].kid != sub[j - 1].kid;
            sides |= d->ent[sub[j].at].kind == DK_DEL ? DS_DROPPED : DS_PLAIN;
            j++;
        }
        size_t limit = level == 0 ? DEDUP_BLOCK_MAX : DEDUP_CODE_MAX;
        if (keys >= 2 && sides == DS_BOTH && keys <= limit) {
            dblocks_keep(d, sub, i, j, true);
        } else if (keys > limit && sides == DS_BOTH && level == 0) {
            struct dsub *next = xmalloc((j - i) * sizeof *next);
            for (size_t e = i; e < j; e++) {
                next[e - i] =
                    (struct dsub){dcode_del(&d->ent[sub[e].at], 1), sub[e].kid, sub[e].at};
            }
            dblocks_group_del(d, next, j - i, 1);
        }
        i = j;
    }
    free(sub);
}

/* Groups the entries into blocks. Level 0: the pairs of tokens by their
 * first two classes each, the one-token readings by two classes, single
 * tokens by three; a group of more than DEDUP_SPLIT keys is split: level 1,
 * a pair by three classes of one token and two of the other (both ways, so
 * one slip in a third class still meets), then three of each (level 2), then
 * four (level 3). */
static void dblocks_build(struct dblocks *d)
{
    struct dsub *sub = xmalloc((d->n_ent + 1) * sizeof *sub);
    size_t n = 0;
    for (size_t i = 0; i < d->n_ent; i++) {
        if (d->ent[i].kind != DK_DEL) {
            sub[n++] = (struct dsub){dcode(&d->ent[i], 0, 0), d->ent[i].kid, (uint32_t)i};
        }
    }
    struct strmap seen = STRMAP_INIT;
    dblocks_group(d, sub, n, 0, &seen);
    strmap_release(&seen);
    /* The blocks of dropped letters: the pairs as written and with a letter
     * left out. */
    sub = xmalloc((d->n_ent + 1) * sizeof *sub);
    n = 0;
    for (size_t i = 0; i < d->n_ent; i++) {
        if (d->ent[i].kind == DK_DEL || d->ent[i].kind == DK_PAIR) {
            sub[n++] = (struct dsub){dcode_del(&d->ent[i], 0), d->ent[i].kid, (uint32_t)i};
        }
    }
    dblocks_group_del(d, sub, n, 0);
    free(d->ent);
    d->ent = NULL;
    d->n_ent = d->alloc_ent = 0;
}

/* Indexes the blocks by key: kid_blocks[keys[k].first ..] lists k's blocks. */
static void dblocks_invert(struct dblocks *d)
{
    for (size_t i = 0; i < d->n_members; i++) {
        d->keys[d->members[i]].n_blocks++;
    }
    size_t at = 0;
    for (size_t k = 0; k < d->n_keys; k++) {
        d->keys[k].first = at;
        at += d->keys[k].n_blocks;
        d->keys[k].n_blocks = 0;
    }
    d->kid_blocks = xmalloc((at + 1) * sizeof *d->kid_blocks);
    d->kid_side = xmalloc(at + 1);
    for (size_t b = 0; b < d->n_blocks; b++) {
        for (size_t i = d->start[b]; i < d->start[b + 1]; i++) {
            struct dkey *k = &d->keys[d->members[i]];
            d->kid_side[k->first + k->n_blocks] = d->side[i];
            d->kid_blocks[k->first + k->n_blocks++] = (uint32_t)b;
        }
    }
}

/* The blocks are not needed once the pairs are scored. */
static void dblocks_drop_blocks(struct dblocks *d)
{
    free(d->members);
    free(d->side);
    free(d->start);
    free(d->weight);
    free(d->kid_blocks);
    free(d->kid_side);
    free(d->code);
    d->members = NULL;
    d->side = NULL;
    d->kid_side = NULL;
    d->start = NULL;
    d->weight = NULL;
    d->kid_blocks = NULL;
    d->code = NULL;
    d->n_members = d->alloc_members = d->n_blocks = d->alloc_blocks = 0;
}

static void dblocks_release(struct dblocks *d)
{
    dblocks_drop_blocks(d);
    free(d->keys);
    free(d->parsed);
    free(d->pinyin);
    strmap_release(&d->persons);
    strmap_release(&d->texts);
    arena_release(&d->text);
    free(d->evidence);
    free(d->rank);
    free(d->ent);
}

/* Marks a person that has other evidence (see store_persons_with_evidence). */
static bool dblocks_evidence(void *ctx, const char *person)
{
    struct dblocks *d = ctx;
    uint64_t pnum;
    if (strmap_get(&d->persons, person, &pnum)) {
        d->evidence[pnum] = 1;
    }
    return true;
}

/* One scoring thread: the keys a with a % n_threads == part. */
struct dscore {
    const struct dblocks *d;
    struct dfound_list found;
    double threshold;  /* pairs of persons without other evidence */
    double name_floor; /* pairs of persons that both have other evidence */
    unsigned part, n_threads;
};

/* A candidate of dedup: its weights from the blocks shared with the key
 * scored, the others and those of dropped letters. */
struct dcand {
    size_t kid;
    double hits, dhits;
};

/* The candidates met in other blocks first, by weight, then those met only
 * in blocks of dropped letters, by their weight there; then by key id. */
static int by_dhits(const void *a, const void *b)
{
    const struct dcand *x = a;
    const struct dcand *y = b;
    if (x->hits != y->hits) {
        return x->hits > y->hits ? -1 : 1;
    }
    if (x->hits == 0 && x->dhits != y->dhits) {
        return x->dhits > y->dhits ? -1 : 1;
    }
    return x->kid < y->kid ? -1 : x->kid > y->kid;
}

/* Notes a pair of keys scored (ka of person x, kb of person y). */
static void dscore_note(struct dscore *t, const struct dkey *x, const struct dkey *y, uint32_t ka,
                        uint32_t kb, double score)
{
    uint32_t rx = t->d->rank[x->pnum];
    uint32_t ry = t->d->rank[y->pnum];
    dfound_add(
        &t->found,
        (struct dfound){
            .ra = rx < ry ? rx : ry, .rb = rx < ry ? ry : rx, .ka = ka, .kb = kb, .score = score});
}

/* Scores every key of its part against the keys with a higher id sharing a
 * block with it; pairs of different persons at least the floor that applies
 * to them go to its table. Reads d only. */
static void *dscore_main(void *arg)
{
    struct dscore *t = arg;
    const struct dblocks *d = t->d;
    double *hits = xcalloc(d->n_keys, sizeof *hits);
    double *dhits = xcalloc(d->n_keys, sizeof *dhits); /* blocks of dropped letters */
    uint32_t *seen =
        xcalloc(d->n_texts + 1, sizeof *seen); /* key text -> the a it was scored for */
    double *seen_score = xmalloc((d->n_texts + 1) * sizeof *seen_score);
    struct dcand *cand = NULL;
    size_t alloc = 0;
    struct namekey *ka = xmalloc(sizeof *ka);
    struct namekey *kb = xmalloc(sizeof *kb);
    struct namekey_pinyin *pa = xmalloc(sizeof *pa);
    struct namekey_pinyin *pb = xmalloc(sizeof *pb);
    for (size_t a = 1 + t->part; a < d->n_keys; a += t->n_threads) {
        const struct dkey *x = &d->keys[a];
        if (!x->key || !x->n_blocks) {
            continue;
        }
        size_t n = 0;
        size_t n_dropped = 0; /* candidates met in blocks of dropped letters only */
        for (uint32_t i = 0; i < x->n_blocks; i++) {
            uint32_t b = d->kid_blocks[x->first + i];
            unsigned side = d->kid_side[x->first + i];
            /* Members are in key id order: start after a. */
            size_t lo = d->start[b];
            size_t hi = d->start[b + 1];
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if ((size_t)d->members[mid] <= a) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            for (size_t j = lo; j < d->start[b + 1]; j++) {
                size_t k = (size_t)d->members[j];
                if (side != DS_ALL && (side | d->side[j]) != DS_BOTH) {
                    continue; /* both as written, or both with a letter left out */
                }
                if (hits[k] == 0 && dhits[k] == 0) {
                    if (n == alloc) {
                        alloc = alloc ? alloc * 2 : 256;
                        cand = xrealloc(cand, alloc * sizeof *cand);
                    }
                    cand[n++].kid = k;
                }
                *(side == DS_ALL ? &hits[k] : &dhits[k]) += d->weight[b];
            }
        }
        if (!n) {
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            cand[i].hits = hits[cand[i].kid];
            cand[i].dhits = dhits[cand[i].kid];
            n_dropped += cand[i].hits == 0;
            hits[cand[i].kid] = 0;
            dhits[cand[i].kid] = 0;
        }
        if (n > DEDUP_SCORED_MAX || n_dropped > DEDUP_DROPPED_MAX) {
            qsort(cand, n, sizeof *cand, by_dhits);
        }
        /* At most DEDUP_SCORED_MAX distinct key texts are scored, and
         * DEDUP_DROPPED_MAX more met only in blocks of dropped letters (after
         * the others: they do not crowd them out); a name written alike by
         * many persons is scored once for all of them, and does not crowd
         * out the other writings. */
        size_t distinct = 0;
        size_t distinct_dropped = 0;
        bool parsed = false;
        for (size_t i = 0; i < n; i++) {
            const struct dkey *y = &d->keys[cand[i].kid];
            if (x->pnum == y->pnum) {
                continue;
            }
            if (seen[y->tid] == a) {
                double known = seen_score[y->tid];
                bool other = d->evidence[x->pnum] && d->evidence[y->pnum];
                if (known >= (other ? t->name_floor : t->threshold) - DEDUP_SCORE_EPS) {
                    dscore_note(t, x, y, (uint32_t)a, (uint32_t)cand[i].kid, known);
                }
                continue;
            }
            size_t *budget = cand[i].hits > 0 ? &distinct : &distinct_dropped;
            if (*budget == (cand[i].hits > 0 ? DEDUP_SCORED_MAX : DEDUP_DROPPED_MAX)) {
                continue;
            }
            ++*budget;
            seen[y->tid] = (uint32_t)a;
            seen_score[y->tid] = -1.0;
            if (toks_similarity(x->toks, y->toks) < DEDUP_FIRST_LOOK) {
                continue;
            }
            if (!parsed) {
                key_parse(x->key, x->full, ka);
                if (x->pinyin) {
                    namekey_pinyin_of(ka, pa);
                } else {
                    pa->any = false;
                }
                parsed = true;
            }
            key_parse(y->key, y->full, kb);
            /* Letters are needed only when both names have pinyin. */
            if (x->pinyin && y->pinyin) {
                namekey_pinyin_of(kb, pb);
            } else {
                pb->any = false;
            }
            double sc = namekey_dedup_score_pinyin(ka, pa, kb, pb, NULL, 0);
            seen_score[y->tid] = sc;
            bool other = d->evidence[x->pnum] && d->evidence[y->pnum];
            if (sc >= (other ? t->name_floor : t->threshold) - DEDUP_SCORE_EPS) {
                dscore_note(t, x, y, (uint32_t)a, (uint32_t)cand[i].kid, sc);
            }
        }
    }
    free(ka);
    free(kb);
    free(pa);
    free(pb);
    free(cand);
    free(hits);
    free(dhits);
    free(seen);
    free(seen_score);
    return NULL;
}

/* Scores on every core (at most DEDUP_THREADS_MAX threads; the store is not
 * touched here), then gathers the threads' pairs into one list. */
static void dblocks_score(const struct dblocks *d, struct dfound_list *out, double threshold,
                          double name_floor)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned n = cores < 1 ? 1 : cores > DEDUP_THREADS_MAX ? DEDUP_THREADS_MAX : (unsigned)cores;
    struct dscore parts[DEDUP_THREADS_MAX];
    pthread_t tids[DEDUP_THREADS_MAX];
    bool started[DEDUP_THREADS_MAX] = {false};
    for (unsigned i = 0; i < n; i++) {
        parts[i] = (struct dscore){
            .d = d, .threshold = threshold, .name_floor = name_floor, .part = i, .n_threads = n};
    }
    for (unsigned i = 1; i < n; i++) {
        started[i] = pthread_create(&tids[i], NULL, dscore_main, &parts[i]) == 0;
    }
    dscore_main(&parts[0]);
    for (unsigned i = 1; i < n; i++) {
        if (started[i]) {
            pthread_join(tids[i], NULL);
        } else {
            dscore_main(&parts[i]); /* no thread: score its part here */
        }
    }
    *out = parts[0].found;
    size_t total = out->n;
    for (unsigned i = 1; i < n; i++) {
        total += parts[i].found.n;
    }
    out->alloc = total + 1;
    out->at = xrealloc(out->at, out->alloc * sizeof *out->at);
    for (unsigned i = 1; i < n; i++) {
        if (parts[i].found.n) {
            memcpy(out->at + out->n, parts[i].found.at, parts[i].found.n * sizeof *out->at);
        }
        out->n += parts[i].found.n;
        free(parts[i].found.at);
    }
}

/* Person ids and numbers, for ranking the persons in id order. */
struct pid {
    const char *id;
    uint32_t pnum;
};

static int by_pid(const void *a, const void *b)
{
    return strcmp(((const struct pid *)a)->id, ((const struct pid *)b)->id);
}

/* Ranks the persons in the order of their ids (d->rank): pairs are then
 * ordered by numbers. */
static void dblocks_rank(struct dblocks *d)
{
    struct pid *p = xcalloc(d->n_persons + 1, sizeof *p);
    for (size_t k = 0; k < d->n_keys; k++) {
        if (d->keys[k].key) {
            p[d->keys[k].pnum] = (struct pid){d->keys[k].person, d->keys[k].pnum};
        }
    }
    qsort(p, d->n_persons, sizeof *p, by_pid);
    d->rank = xmalloc((d->n_persons + 1) * sizeof *d->rank);
    for (uint32_t i = 0; i < d->n_persons; i++) {
        d->rank[p[i].pnum] = i;
    }
    free(p);
}

/* By pair of persons, the best score first (then the lowest pair of keys). */
static int by_persons(const void *a, const void *b)
{
    const struct dfound *x = a;
    const struct dfound *y = b;
    if (x->ra != y->ra) {
        return x->ra < y->ra ? -1 : 1;
    }
    if (x->rb != y->rb) {
        return x->rb < y->rb ? -1 : 1;
    }
    if (x->score != y->score) {
        return x->score > y->score ? -1 : 1;
    }
    if (x->ka != y->ka) {
        return x->ka < y->ka ? -1 : 1;
    }
    return x->kb < y->kb ? -1 : x->kb > y->kb;
}

/* The order of the report: best first, then by the persons' ids. */
static int by_report(const void *a, const void *b)
{
    const struct dfound *x = a;
    const struct dfound *y = b;
    if (x->score != y->score) {
        return x->score > y->score ? -1 : 1;
    }
    if (x->ra != y->ra) {
        return x->ra < y->ra ? -1 : 1;
    }
    return x->rb < y->rb ? -1 : x->rb > y->rb;
}

/* Keeps each pair of persons once, with its best pair of keys. */
static void dfound_unique(struct dfound_list *l)
{
    qsort(l->at, l->n, sizeof *l->at, by_persons);
    size_t kept = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (kept && l->at[kept - 1].ra == l->at[i].ra && l->at[kept - 1].rb == l->at[i].rb) {
            continue;
        }
        l->at[kept++] = l->at[i];
    }
    l->n = kept;
}

static bool has_str(const struct strs *l, const char *v)
{
    for (size_t i = 0; i < l->n_items; i++) {
        if (strcmp(l->items[i], v) == 0) {
            return true;
        }
    }
    return false;
}

/* Weighs what else the two persons' records say: agreeing birth dates, sex
 * and nationality and shared events raise the name score, conflicts lower
 * it. Appends the reasons to b. */
static double adjust(struct store *s, struct dedup_pair *p, struct buf *b, struct arena *a)
{
    struct err e = ERR_INIT;
    struct person x;
    struct person y;
    if (store_get(s, OBJ_PERSON, p->a, a, &x, &e) != E_OK ||
        store_get(s, OBJ_PERSON, p->b, a, &y, &e) != E_OK) {
        return p->score;
    }
    double sc = p->score;
    if (x.birth_date.prec && y.birth_date.prec) {
        char dx[DATE_ISO_MAX];
        char dy[DATE_ISO_MAX];
        date_iso(x.birth_date, dx);
        date_iso(y.birth_date, dy);
        size_t lx = strlen(dx);
        size_t ly = strlen(dy);
        if (strcmp(dx, dy) == 0) {
            sc += lx >= 10 ? 0.08 : 0.04;
            buf_addf(b, "; same birth date %s", dx);
        } else if (strncmp(dx, dy, lx < ly ? lx : ly) == 0) {
            sc += 0.02;
            buf_addf(b, "; birth dates agree (%s, %s)", dx, dy);
        } else {
            sc -= 0.25;
            buf_addf(b, "; different birth dates (%s, %s)", dx, dy);
        }
    }
    if (x.sex && y.sex) {
        if (strcmp(x.sex, y.sex) == 0) {
            sc += 0.02;
            buf_addf(b, "; same sex (%s)", x.sex);
        } else {
            sc -= 0.3;
            buf_addf(b, "; different sex (%s, %s)", x.sex, y.sex);
        }
    }
    if (x.nationality.n_items && y.nationality.n_items) {
        const char *shared = NULL;
        for (size_t i = 0; i < x.nationality.n_items && !shared; i++) {
            if (has_str(&y.nationality, x.nationality.items[i])) {
                shared = x.nationality.items[i];
            }
        }
        if (shared) {
            sc += 0.03;
            buf_addf(b, "; shared nationality %s", shared);
        } else {
            sc -= 0.05;
            buf_adds(b, "; different nationalities");
        }
    }
    struct strs ex;
    struct strs ey;
    if (store_events_of_person(s, p->a, a, &ex, &e) == E_OK &&
        store_events_of_person(s, p->b, a, &ey, &e) == E_OK) {
        size_t shared = 0;
        const char *first = NULL;
        for (size_t i = 0; i < ex.n_items; i++) {
            if (has_str(&ey, ex.items[i])) {
                first = first ? first : ex.items[i];
                shared++;
            }
        }
        if (shared) {
            sc += shared > 1 ? 0.08 : 0.05;
            buf_addf(b, "; %zu shared event%s (%s%s)", shared, shared == 1 ? "" : "s", first,
                     shared > 1 ? ", ..." : "");
        }
    }
    return sc < 0 ? 0 : sc > 1 ? 1 : sc;
}

enum app_err service_dedup_blocks(struct store *s,
                                  bool (*fn)(void *ctx, const char *block, int64_t kid,
                                             unsigned side),
                                  void *ctx, struct err *e)
{
    struct dblocks d = {.text = ARENA_INIT,
                        .parsed = xmalloc(sizeof *d.parsed),
                        .pinyin = xmalloc(sizeof *d.pinyin),
                        .persons = STRMAP_INIT,
                        .texts = STRMAP_INIT};
    bool snapshot = store_read_begin(s);
    enum app_err rc = store_keys_each(s, dblocks_key, &d, e);
    if (snapshot) {
        store_read_end(s);
    }
    if (rc == E_OK) {
        dblocks_build(&d);
        bool go = true;
        for (size_t b = 0; b < d.n_blocks && go; b++) {
            char code[24];
            snprintf(code, sizeof code, "%llx", (unsigned long long)d.code[b]);
            for (size_t i = d.start[b]; i < d.start[b + 1] && go; i++) {
                go = fn(ctx, code, d.members[i], d.side[i]);
            }
        }
    }
    dblocks_release(&d);
    return rc;
}

/* A pair as reported: the persons in id order, their names as scored. */
static struct dedup_pair dfound_pair(const struct dblocks *d, const struct dfound *f)
{
    const struct dkey *x = &d->keys[f->ka];
    const struct dkey *y = &d->keys[f->kb];
    bool x_first = d->rank[x->pnum] == f->ra;
    return (struct dedup_pair){.a = x_first ? x->person : y->person,
                               .b = x_first ? y->person : x->person,
                               .name_a = x_first ? x->full : y->full,
                               .name_b = x_first ? y->full : x->full,
                               .score = f->score};
}

/* Weighs the other evidence of the pairs whose persons both have some
 * (adjust) and drops the pairs that end below the threshold. */
static void dfound_weigh(struct store *s, const struct dblocks *d, struct dfound_list *l,
                         double threshold)
{
    size_t kept = 0;
    for (size_t i = 0; i < l->n; i++) {
        struct dfound f = l->at[i];
        const struct dkey *x = &d->keys[f.ka];
        const struct dkey *y = &d->keys[f.kb];
        if (d->evidence[x->pnum] && d->evidence[y->pnum]) {
            struct dedup_pair p = dfound_pair(d, &f);
            struct arena scratch = ARENA_INIT;
            struct buf extra = BUF_INIT;
            f.score = adjust(s, &p, &extra, &scratch);
            buf_release(&extra);
            arena_release(&scratch);
        }
        if (f.score >= threshold - DEDUP_SCORE_EPS) {
            l->at[kept++] = f;
        }
    }
    l->n = kept;
}

/* Explanations of pairs of names, each pair of key texts and full names
 * explained once while it stays in this direct-mapped cache (namesakes
 * written alike share one). */
enum { EXPLAIN_SLOTS = 1 << 15 };

struct explained {
    uint32_t tx, ty; /* the keys' texts (dkey.tid) + 1; 0: empty */
    const char *fx, *fy;
    char why[NAMEKEY_EXPLAIN_MAX];
};

struct explainer {
    struct explained *slot;
    struct namekey *kx, *ky;
};

static const char *explain_names(struct explainer *ex, const struct dkey *x, const struct dkey *y)
{
    uint64_t h = ((uint64_t)x->tid << 32 | y->tid) * 0x9E3779B97F4A7C15ull;
    struct explained *c = &ex->slot[(h >> 40) & (EXPLAIN_SLOTS - 1)];
    if (c->tx == x->tid + 1 && c->ty == y->tid + 1 && strcmp(c->fx, x->full) == 0 &&
        strcmp(c->fy, y->full) == 0) {
        return c->why;
    }
    key_parse(x->key, x->full, ex->kx);
    key_parse(y->key, y->full, ex->ky);
    (void)namekey_dedup_score(ex->kx, ex->ky, c->why, sizeof c->why);
    c->tx = x->tid + 1;
    c->ty = y->tid + 1;
    c->fx = x->full;
    c->fy = y->full;
    return c->why;
}

/* Hands the pairs (in the order of the report) to fn with their reasons. */
static void dfound_report(struct store *s, const struct dblocks *d, const struct dfound_list *l,
                          bool (*fn)(void *ctx, const struct dedup_pair *p), void *ctx)
{
    struct explainer ex = {.slot = xcalloc(EXPLAIN_SLOTS, sizeof *ex.slot),
                           .kx = xmalloc(sizeof *ex.kx),
                           .ky = xmalloc(sizeof *ex.ky)};
    struct buf reasons = BUF_INIT;
    bool go = true;
    for (size_t i = 0; i < l->n && go; i++) {
        const struct dfound *f = &l->at[i];
        const struct dkey *x = &d->keys[f->ka];
        const struct dkey *y = &d->keys[f->kb];
        struct dedup_pair p = dfound_pair(d, f);
        buf_reset(&reasons);
        buf_addf(&reasons, "names: %s", explain_names(&ex, x, y));
        if (d->evidence[x->pnum] && d->evidence[y->pnum]) {
            /* The reasons again (the score was weighed before sorting). */
            struct arena scratch = ARENA_INIT;
            (void)adjust(s, &p, &reasons, &scratch);
            arena_release(&scratch);
        }
        p.reasons = reasons.data;
        go = fn(ctx, &p);
    }
    buf_release(&reasons);
    free(ex.slot);
    free(ex.kx);
    free(ex.ky);
}

enum app_err service_dedup(struct store *s, double threshold,
                           bool (*fn)(void *ctx, const struct dedup_pair *p), void *ctx,
                           struct err *e)
{
    if (threshold <= 0) {
        threshold = 0.85;
    }
    /* Other evidence can add up to about 0.2 to a name score. */
    double name_floor = threshold - 0.2 > 0.5 ? threshold - 0.2 : 0.5;
    struct dblocks d = {.text = ARENA_INIT,
                        .parsed = xmalloc(sizeof *d.parsed),
                        .pinyin = xmalloc(sizeof *d.pinyin),
                        .persons = STRMAP_INIT,
                        .texts = STRMAP_INIT};
    struct dfound_list found = {0};
    /* One snapshot and one set of file locks for the many reads below. */
    bool snapshot = store_read_begin(s);
    enum app_err rc = store_keys_each(s, dblocks_key, &d, e);
    if (rc == E_OK) {
        dblocks_build(&d);
        d.evidence = xcalloc(d.n_persons + 1, 1);
        rc = store_persons_with_evidence(s, dblocks_evidence, &d, e);
    }
    if (rc == E_OK) {
        dblocks_rank(&d);
        dblocks_invert(&d);
        dblocks_score(&d, &found, threshold, name_floor);
        dblocks_drop_blocks(&d);
        /* Each pair of persons once, weighed with the persons' other data,
         * sorted, then explained and handed over one by one. */
        dfound_unique(&found);
        dfound_weigh(s, &d, &found, threshold);
        qsort(found.at, found.n, sizeof *found.at, by_report);
        dfound_report(s, &d, &found, fn, ctx);
    }
    if (snapshot) {
        store_read_end(s);
    }
    free(found.at);
    dblocks_release(&d);
    return rc;
}

/* ------------------------------------------------------------ merge */

/* Replaces other by keep in a list of ids, dropping repeats. */
static bool repoint(struct strs *l, const char *keep, const char *other)
{
    bool changed = false;
    size_t n = 0;
    for (size_t i = 0; i < l->n_items; i++) {
        const char *v = l->items[i];
        if (strcmp(v, other) == 0) {
            v = keep;
            changed = true;
        }
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++) {
            dup = strcmp(l->items[j], v) == 0;
        }
        if (dup) {
            changed = true;
            continue;
        }
        l->items[n++] = v;
    }
    l->n_items = n;
    return changed;
}

/* The union of two id lists (a's order, then b's new ones), in arena. */
static struct strs strs_union(const struct strs *a, const struct strs *b, struct arena *arena)
{
    struct strs u = {arena_alloc(arena, (a->n_items + b->n_items + 1) * sizeof(char *)), 0};
    for (size_t i = 0; i < a->n_items; i++) {
        u.items[u.n_items++] = a->items[i];
    }
    for (size_t i = 0; i < b->n_items; i++) {
        if (!has_str(&u, b->items[i])) {
            u.items[u.n_items++] = b->items[i];
        }
    }
    return u;
}

static bool same_opt(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void merge_into(struct person *k, const struct person *o, struct arena *a)
{
    struct person_name *names = arena_alloc(a, (k->n_names + o->n_names + 1) * sizeof *names);
    size_t n = 0;
    for (size_t i = 0; i < k->n_names; i++) {
        names[n++] = k->names[i];
    }
    for (size_t i = 0; i < o->n_names; i++) {
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++) {
            dup = same_opt(names[j].full, o->names[i].full) &&
                  same_opt(names[j].script, o->names[i].script);
        }
        if (!dup) {
            names[n++] = o->names[i];
        }
    }
    k->names = names;
    k->n_names = n;
    k->nationality = strs_union(&k->nationality, &o->nationality, a);
    k->profiles = strs_union(&k->profiles, &o->profiles, a);
    k->sources = strs_union(&k->sources, &o->sources, a);
    struct position *pos = arena_alloc(a, (k->n_positions + o->n_positions + 1) * sizeof *pos);
    for (size_t i = 0; i < k->n_positions; i++) {
        pos[i] = k->positions[i];
    }
    for (size_t i = 0; i < o->n_positions; i++) {
        pos[k->n_positions + i] = o->positions[i];
    }
    k->positions = pos;
    k->n_positions += o->n_positions;
    if (!k->sex) {
        k->sex = o->sex;
    }
    if (!k->birth_date.prec) {
        k->birth_date = o->birth_date;
    }
    if (!k->ethnicity) {
        k->ethnicity = o->ethnicity;
    }
    if (!k->religion) {
        k->religion = o->religion;
    }
    if (!k->has_origin && o->has_origin) {
        k->has_origin = true;
        k->origin = o->origin;
    }
    if (k->sensitive != TRI_TRUE && o->sensitive == TRI_TRUE) {
        k->sensitive = TRI_TRUE;
    }
    if (!k->extra) {
        k->extra = o->extra;
    }
}

static enum app_err put_indexed(struct store *s, enum obj_kind kind, const void *obj, struct err *e)
{
    enum store_put_result res;
    enum app_err rc = store_put(s, kind, obj, &res, e);
    if (rc == E_OK && res != STORE_UNCHANGED) {
        rc = service_search_index(s, kind, obj, e);
    }
    return rc;
}

static enum app_err merge_refs(struct store *s, const char *keep, const char *other,
                               struct arena *a, size_t *moved, struct err *e)
{
    struct store_person_refs refs;
    enum app_err rc = store_person_refs(s, other, a, &refs, e);
    for (size_t i = 0; i < refs.events.n_items && rc == E_OK; i++) {
        struct event ev;
        rc = store_get(s, OBJ_EVENT, refs.events.items[i], a, &ev, e);
        if (rc != E_OK) {
            break;
        }
        repoint(&ev.persons, keep, other);
        if (ev.official && strcmp(ev.official, other) == 0) {
            ev.official = keep;
        }
        rc = put_indexed(s, OBJ_EVENT, &ev, e);
        (*moved)++;
    }
    for (size_t i = 0; i < refs.cases.n_items && rc == E_OK; i++) {
        struct case_ c;
        rc = store_get(s, OBJ_CASE, refs.cases.items[i], a, &c, e);
        if (rc == E_OK) {
            repoint(&c.subjects, keep, other);
            rc = put_indexed(s, OBJ_CASE, &c, e);
            (*moved)++;
        }
    }
    for (size_t i = 0; i < refs.actions.n_items && rc == E_OK; i++) {
        struct action ac;
        rc = store_get(s, OBJ_ACTION, refs.actions.items[i], a, &ac, e);
        if (rc == E_OK) {
            repoint(&ac.targets, keep, other);
            rc = put_indexed(s, OBJ_ACTION, &ac, e);
            (*moved)++;
        }
    }
    return rc;
}

enum app_err service_person_merge(struct store *s, const char *keep, const char *other,
                                  const struct principal *by, const char *address, struct err *e)
{
    if (strcmp(keep, other) == 0) {
        return err_set(e, E_INVALID, "cannot merge person '%s' into itself", keep);
    }
    enum app_err rc = store_begin(s, e);
    if (rc != E_OK) {
        return rc;
    }
    struct arena a = ARENA_INIT;
    struct person k;
    struct person o;
    size_t moved = 0;
    rc = store_get(s, OBJ_PERSON, keep, &a, &k, e);
    if (rc == E_OK) {
        rc = store_get(s, OBJ_PERSON, other, &a, &o, e);
    }
    if (rc == E_OK) {
        /* An organization with the same id as `other` would take its action
         * targets: refuse rather than guess. */
        if (store_exists(s, OBJ_ORGANIZATION, other)) {
            rc = err_set(e, E_CONFLICT,
                         "an organization also has the id '%s': its action targets are ambiguous",
                         other);
        }
    }
    if (rc == E_OK) {
        merge_into(&k, &o, &a);
        rc = put_indexed(s, OBJ_PERSON, &k, e);
    }
    if (rc == E_OK) {
        rc = merge_refs(s, keep, other, &a, &moved, e);
    }
    if (rc == E_OK) {
        rc = store_delete(s, OBJ_PERSON, other, e);
    }
    if (rc == E_OK) {
        char detail[512];
        snprintf(detail, sizeof detail,
                 "merged person %s into %s (%zu names now, %zu referring objects re-pointed)",
                 other, keep, k.n_names, moved);
        rc = audit_record(s, by, address, "person.merge", "person", keep, detail, e);
    }
    if (rc == E_OK) {
        rc = store_commit(s, e);
    }
    if (rc != E_OK) {
        store_rollback(s);
    }
    arena_release(&a);
    return rc;
}
