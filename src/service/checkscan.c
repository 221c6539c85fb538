/*
 * checkscan.c: the facts of every case, read with one pass over each table
 * and kept compactly, for a check of the whole store.
 *
 * Each table is read once in its stored order (store/scan.h): cases, persons
 * and events by rowid; their lists (subjects, names, profiles, the persons
 * and sources of events) by owner id. Rows are joined in memory through hash
 * indexes of person and event ids. Ids and names are packed end to end in one
 * buffer; strings that repeat (countries, outcomes, kinds, offences, tags,
 * source ids) are kept once and referred to by number. Events keep only the
 * members the engine reads. Views are then built a batch of cases at a time.
 */
#include "service/checkscan.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/strmap.h"
#include "core/xalloc.h"
#include "store/scan.h"

/* Grows a malloc'd array of *cap elements to hold n + 1. */
static void *grow(void *arr, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap) {
        return arr;
    }
    *cap = *cap ? 2 * *cap : 1024;
    return xrealloc(arr, *cap * elem);
}

/* ---- strings kept once ---------------------------------------------------- */

struct pool {
    const char **strs; /* strs[0] is NULL: number 0 stands for an absent string */
    size_t n, cap;
    uint32_t *slots; /* number + 1, 0 = empty */
    size_t mask;
    struct arena a;
};

static void pool_rehash(struct pool *p, size_t n_slots)
{
    free(p->slots);
    p->slots = xcalloc(n_slots, sizeof *p->slots);
    p->mask = n_slots - 1;
    for (size_t i = 1; i < p->n; i++) {
        size_t h = strmap_hash(p->strs[i]) & p->mask;
        while (p->slots[h]) {
            h = (h + 1) & p->mask;
        }
        p->slots[h] = (uint32_t)i + 1;
    }
}

static void pool_init(struct pool *p)
{
    p->strs = grow(NULL, 0, &p->cap, sizeof *p->strs);
    p->strs[p->n++] = NULL;
    pool_rehash(p, 1024);
}

/* The number of s in the pool (0 for NULL), adding a copy if new. */
static uint32_t pool_add(struct pool *p, const char *s)
{
    if (!s) {
        return 0;
    }
    size_t h = strmap_hash(s) & p->mask;
    for (; p->slots[h]; h = (h + 1) & p->mask) {
        uint32_t i = p->slots[h] - 1;
        if (strcmp(p->strs[i], s) == 0) {
            return i;
        }
    }
    p->strs = grow(p->strs, p->n, &p->cap, sizeof *p->strs);
    size_t i = p->n++;
    p->strs[i] = arena_strdup(&p->a, s);
    p->slots[h] = (uint32_t)i + 1;
    if (p->n * 2 > p->mask + 1) {
        pool_rehash(p, (p->mask + 1) * 2);
    }
    return (uint32_t)i;
}

static const char *pool_str(const struct pool *p, uint32_t i)
{
    return p->strs[i];
}

/* ---- the compact facts ---------------------------------------------------- */

/* Strings packed end to end, each NUL-terminated; offset 0 is "". */
struct chars {
    char *p;
    size_t n, cap;
    bool too_large; /* a string did not fit in 4 GiB */
};

struct fb_case {
    uint32_t id;                 /* into text */
    uint32_t state, status;      /* pool */
    uint32_t subj_first, n_subj; /* into subj_id / subj_person */
};

struct fb_person {
    uint32_t id;   /* into pids */
    uint32_t name; /* the display name (person_display_name), into text; 0: none */
    uint32_t ethnicity, religion;
    uint32_t prof_first, n_prof; /* into prof */
    uint32_t ev_first, n_ev;     /* into person_ev */
    int64_t group_size;
    uint8_t group; /* enum tri */
    bool primary;  /* name is a primary name */
};

struct fb_event {
    uint32_t id; /* into eids */
    /* epool */
    uint32_t place_country, from_country, to_country, by_country, outcome, kind, offence, to;
    uint32_t persons_first, n_persons;     /* into ev_person */
    uint32_t sources_first, n_sources;     /* into ev_source */
    uint32_t date, end_date, appeal_until; /* date_pack() */
    uint8_t type, approx, has_place, final, entry_related, presented, provided;
    uint8_t chunk; /* the chunk of the events' person lists that named it (struct chunk) */
};

/* A date in 32 bits: year (16), month (5), day (6), precision (2 + spare). */
static uint32_t date_pack(struct date d)
{
    return (uint32_t)(uint16_t)d.year << 16 | (uint32_t)(d.month & 31) << 11 |
           (uint32_t)(d.day & 63) << 5 | (uint32_t)(d.prec & 31);
}

static struct date date_unpack(uint32_t v)
{
    return (struct date){.year = (int16_t)(uint16_t)(v >> 16),
                         .month = (uint8_t)(v >> 11 & 31),
                         .day = (uint8_t)(v >> 5 & 63),
                         .prec = (uint8_t)(v & 31)};
}

/* Ids to indices: through a hash table, or by binary search when the ids
 * came in byte order (as the scans give them: checked, not assumed). */
struct idindex {
    uint64_t *slots; /* the id's hash in the high half (to skip other ids unread), index + 1
                        in the low half; 0 = empty; NULL: sorted */
    size_t mask;
    const char *chars;   /* the buffer the ids are in (no longer grown) */
    const uint32_t *ids; /* the id offset of element i: ids[i * stride] */
    size_t stride;       /* in uint32_t */
    size_t n;            /* elements */
};

/* The factbase is read by two threads at once when a second connection is
 * given (factbase_load()): one reads the persons and the cases, the other
 * the events, and each then joins chunks of the events' person lists.
 * Each writes only its own members below until both have finished: the
 * persons' side owns pool, text, pids, cases, subjects, persons (pids and
 * persons are only read once the persons are in) and profiles; the events'
 * side owns epool, eids, events and their sources. */
struct factbase {
    struct pool pool;  /* ethnicity, religion, profile tags, case states and statuses */
    struct pool epool; /* the events' strings and sources */
    struct chars pids; /* person ids */
    struct chars eids; /* event ids */
    struct chars text; /* case ids, display names, ids of subjects not in the store */

    struct fb_case *cases; /* sorted by id */
    size_t n_cases, cap_cases;
    uint32_t *subj_id;     /* case subjects as listed: ids, into pids for a known person
                              (subj_person set), else into text */
    uint32_t *subj_person; /* their person index, or UINT32_MAX */
    size_t n_subj, cap_subj, cap_subj2;

    struct fb_person *persons;
    size_t n_persons, cap_persons;
    uint32_t *prof; /* pool */
    size_t n_prof, cap_prof;

    struct fb_event *events;
    size_t n_events, cap_events;
    uint32_t *ev_person; /* person indices */
    size_t n_ev_person;
    uint32_t *ev_source; /* epool */
    size_t n_ev_source, cap_ev_source;
    uint32_t *person_ev; /* each person's events, by person */

    struct idindex event_index; /* event ids -> indices */
};

static const char *at(const struct chars *c, uint32_t off)
{
    return c->p + off;
}

/* Appends s to c; its offset, or 0 when the buffer would pass 4 GiB. */
static uint32_t chars_add(struct chars *c, const char *s)
{
    size_t len = strlen(s) + 1;
    if (c->n + len > UINT32_MAX) {
        c->too_large = true;
        return 0;
    }
    while (c->n + len > c->cap) {
        c->cap = c->cap ? 2 * c->cap : 1 << 20;
        c->p = xrealloc(c->p, c->cap);
    }
    uint32_t off = (uint32_t)c->n;
    memcpy(c->p + off, s, len);
    c->n += len;
    return off;
}

/* ---- ids -> indices ------------------------------------------------------- */

static const char *idindex_key(const struct idindex *x, size_t i)
{
    return x->chars + x->ids[i * x->stride];
}

/* hashed: always a hash table (for lookups in no particular order), else
 * binary search when the ids are in order. */
static void idindex_build(struct idindex *x, const char *chars, const uint32_t *ids, size_t stride,
                          size_t n, bool hashed)
{
    *x = (struct idindex){.chars = chars, .ids = ids, .stride = stride, .n = n};
    size_t i = 1;
    while (!hashed && i < n && strcmp(idindex_key(x, i - 1), idindex_key(x, i)) < 0) {
        i++;
    }
    if (!hashed && i >= n) {
        return; /* in order, each once: binary search */
    }
    size_t n_slots = 1024;
    while (n_slots < 2 * n) {
        n_slots *= 2;
    }
    x->slots = xcalloc(n_slots, sizeof *x->slots);
    x->mask = n_slots - 1;
    for (i = 0; i < n; i++) {
        uint64_t h = strmap_hash(idindex_key(x, i));
        size_t at = h & x->mask;
        while (x->slots[at]) {
            at = (at + 1) & x->mask;
        }
        x->slots[at] = (h & 0xffffffff00000000ULL) | ((uint64_t)i + 1);
    }
}

/* The index of id, or UINT32_MAX. */
static uint32_t idindex_find(const struct idindex *x, const char *id)
{
    if (!x->slots) {
        size_t lo = 0, hi = x->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = strcmp(idindex_key(x, mid), id);
            if (c == 0) {
                return (uint32_t)mid;
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return UINT32_MAX;
    }
    uint64_t h = strmap_hash(id);
    uint64_t tag = h & 0xffffffff00000000ULL;
    for (size_t at = h & x->mask; x->slots[at]; at = (at + 1) & x->mask) {
        uint64_t slot = x->slots[at];
        if ((slot & 0xffffffff00000000ULL) != tag) {
            continue;
        }
        uint32_t i = (uint32_t)(slot & 0xffffffffULL) - 1;
        if (strcmp(idindex_key(x, i), id) == 0) {
            return i;
        }
    }
    return UINT32_MAX;
}

/* The index of id, trying first the element after `prev` (UINT32_MAX: the
 * first element). Lists come in id order and tables mostly store their rows
 * in id order or grouped by case (as an import writes them), so that element
 * is often the one, next in memory, where a lookup in the index reads two
 * places at random. */
static uint32_t idindex_find_after(const struct idindex *x, const char *id, uint32_t prev)
{
    size_t next = prev == UINT32_MAX ? 0 : (size_t)prev + 1;
    if (next < x->n && strcmp(idindex_key(x, next), id) == 0) {
        return (uint32_t)next;
    }
    return idindex_find(x, id);
}

static void idindex_free(struct idindex *x)
{
    free(x->slots);
    *x = (struct idindex){0};
}

/* While reading a list: its last owner and that owner's index. */
struct walk {
    struct factbase *fb;
    const struct idindex *index;
    char *owner;
    size_t cap;
    uint32_t at;
    size_t next_case; /* subjects: the case the rows are at */
};

/* The index of a list row's owner (looked up when it changes). */
static uint32_t walk_owner(struct walk *w, const char *owner)
{
    if (w->owner && strcmp(w->owner, owner) == 0) {
        return w->at;
    }
    uint32_t prev = w->owner ? w->at : UINT32_MAX;
    size_t len = strlen(owner) + 1;
    if (len > w->cap) {
        w->cap = 2 * len;
        w->owner = xrealloc(w->owner, w->cap);
    }
    memcpy(w->owner, owner, len);
    w->at = idindex_find_after(w->index, owner, prev);
    return w->at;
}

static void walk_end(struct walk *w)
{
    free(w->owner);
    w->owner = NULL;
    w->cap = 0;
}

/* ---- reading -------------------------------------------------------------- */

static enum app_err on_person(void *ctx, const struct person *p)
{
    struct factbase *fb = ctx;
    fb->persons = grow(fb->persons, fb->n_persons, &fb->cap_persons, sizeof *fb->persons);
    fb->persons[fb->n_persons++] = (struct fb_person){
        .id = chars_add(&fb->pids, p->id),
        .ethnicity = pool_add(&fb->pool, p->ethnicity),
        .religion = pool_add(&fb->pool, p->religion),
        .group_size = p->group_size,
        .group = (uint8_t)p->group,
    };
    return E_OK;
}

static enum app_err on_name(void *ctx, const char *owner, const char *full, const char *kind)
{
    struct walk *w = ctx;
    uint32_t pi = walk_owner(w, owner);
    if (pi == UINT32_MAX || !full) {
        return E_OK;
    }
    struct fb_person *p = &w->fb->persons[pi];
    bool primary = kind && strcmp(kind, "primary") == 0;
    if (!p->primary && (primary || !p->name)) {
        p->name = chars_add(&w->fb->text, full);
        p->primary = primary;
    }
    return E_OK;
}

static enum app_err on_profile(void *ctx, const char *owner, const char *tag, const char *kind)
{
    (void)kind;
    struct walk *w = ctx;
    struct factbase *fb = w->fb;
    uint32_t pi = walk_owner(w, owner);
    if (pi == UINT32_MAX || !tag) {
        return E_OK;
    }
    struct fb_person *p = &fb->persons[pi];
    if (!p->n_prof) {
        p->prof_first = (uint32_t)fb->n_prof;
    }
    fb->prof = grow(fb->prof, fb->n_prof, &fb->cap_prof, sizeof *fb->prof);
    fb->prof[fb->n_prof++] = pool_add(&fb->pool, tag);
    p->n_prof++;
    return E_OK;
}

static enum app_err on_case(void *ctx, const struct case_ *c)
{
    struct factbase *fb = ctx;
    fb->cases = grow(fb->cases, fb->n_cases, &fb->cap_cases, sizeof *fb->cases);
    fb->cases[fb->n_cases++] = (struct fb_case){
        .id = chars_add(&fb->text, c->id),
        .state = pool_add(&fb->pool, c->state),
        .status = pool_add(&fb->pool, c->status),
    };
    return E_OK;
}

struct case_by_id {
    const char *id;
    struct fb_case c;
};

static int cmp_case_id(const void *a, const void *b)
{
    return strcmp(((const struct case_by_id *)a)->id, ((const struct case_by_id *)b)->id);
}

/* Puts the cases in id order, the order of their subject lists. */
static void sort_cases(struct factbase *fb)
{
    size_t i = 1;
    while (i < fb->n_cases &&
           strcmp(at(&fb->text, fb->cases[i - 1].id), at(&fb->text, fb->cases[i].id)) < 0) {
        i++;
    }
    if (i >= fb->n_cases) {
        return; /* as the scan gives them */
    }
    struct case_by_id *tmp = xmalloc(fb->n_cases * sizeof *tmp);
    for (i = 0; i < fb->n_cases; i++) {
        tmp[i] = (struct case_by_id){at(&fb->text, fb->cases[i].id), fb->cases[i]};
    }
    qsort(tmp, fb->n_cases, sizeof *tmp, cmp_case_id);
    for (i = 0; i < fb->n_cases; i++) {
        fb->cases[i] = tmp[i].c;
    }
    free(tmp);
}

/* Subject rows come in case id order, as the cases now are. */
static enum app_err on_subject(void *ctx, const char *owner, const char *person, const char *kind)
{
    (void)kind;
    struct walk *w = ctx;
    struct factbase *fb = w->fb;
    while (w->next_case < fb->n_cases &&
           strcmp(at(&fb->text, fb->cases[w->next_case].id), owner) < 0) {
        w->next_case++;
    }
    if (w->next_case == fb->n_cases ||
        strcmp(at(&fb->text, fb->cases[w->next_case].id), owner) != 0 || !person) {
        return E_OK; /* a list of no case */
    }
    struct fb_case *c = &fb->cases[w->next_case];
    if (!c->n_subj) {
        c->subj_first = (uint32_t)fb->n_subj;
    }
    fb->subj_id = grow(fb->subj_id, fb->n_subj, &fb->cap_subj, sizeof *fb->subj_id);
    fb->subj_person = grow(fb->subj_person, fb->n_subj, &fb->cap_subj2, sizeof *fb->subj_person);
    uint32_t pi = idindex_find_after(w->index, person, w->at);
    w->at = pi;
    fb->subj_person[fb->n_subj] = pi;
    fb->subj_id[fb->n_subj++] =
        pi != UINT32_MAX ? fb->persons[pi].id : chars_add(&fb->text, person);
    c->n_subj++;
    return E_OK;
}

static enum app_err on_event(void *ctx, const struct event *ev)
{
    struct factbase *fb = ctx;
    struct pool *pl = &fb->epool;
    fb->events = grow(fb->events, fb->n_events, &fb->cap_events, sizeof *fb->events);
    fb->events[fb->n_events++] = (struct fb_event){
        .id = chars_add(&fb->eids, ev->id),
        .place_country = pool_add(pl, ev->place.country),
        .from_country = pool_add(pl, ev->from_country),
        .to_country = pool_add(pl, ev->to_country),
        .by_country = pool_add(pl, ev->by_country),
        .outcome = pool_add(pl, ev->outcome),
        .kind = pool_add(pl, ev->kind),
        .offence = pool_add(pl, ev->offence),
        .to = pool_add(pl, ev->to),
        .date = date_pack(ev->date),
        .end_date = date_pack(ev->end_date),
        .appeal_until = date_pack(ev->appeal_until),
        .type = (uint8_t)ev->type,
        .approx = ev->approx,
        .has_place = ev->has_place,
        .final = (uint8_t)ev->final,
        .entry_related = (uint8_t)ev->entry_related,
        .presented = (uint8_t)ev->presented_to_authorities,
        .provided = (uint8_t)ev->provided,
    };
    return E_OK;
}

/* The events' person lists are joined in chunks (ranges of event ids),
 * each taken by whichever thread is free: the persons each chunk found. */
struct chunk {
    uint32_t *ev_person;
    size_t n, cap;
};

/* One thread joining chunks: where it is, and how many events each person
 * has in the chunks it joined. */
struct joiner {
    struct walk w; /* owners: events */
    const struct idindex *persons;
    struct chunk *chunk; /* the chunk being joined */
    uint8_t no;          /* its number */
    uint32_t *n_ev;      /* per person */
    uint32_t recent[4];  /* persons found last (index + 1): events of a case name the same ones */
};

static uint32_t joiner_person(struct joiner *jn, const char *id)
{
    const struct factbase *fb = jn->w.fb;
    for (int i = 0; i < 4 && jn->recent[i]; i++) {
        uint32_t pi = jn->recent[i] - 1;
        if (strcmp(at(&fb->pids, fb->persons[pi].id), id) == 0) {
            return pi;
        }
    }
    uint32_t pi = idindex_find(jn->persons, id);
    if (pi != UINT32_MAX) {
        memmove(jn->recent + 1, jn->recent, 3 * sizeof *jn->recent);
        jn->recent[0] = pi + 1;
    }
    return pi;
}

static enum app_err on_event_person(void *ctx, const char *owner, const char *person,
                                    const char *kind)
{
    (void)kind;
    struct joiner *jn = ctx;
    struct factbase *fb = jn->w.fb;
    uint32_t ei = walk_owner(&jn->w, owner);
    uint32_t pi = person ? joiner_person(jn, person) : UINT32_MAX;
    if (ei == UINT32_MAX || pi == UINT32_MAX) {
        return E_OK; /* no such event, or a person not in the store: never a subject */
    }
    struct fb_event *ev = &fb->events[ei]; /* in this chunk only */
    struct chunk *ch = jn->chunk;
    if (!ev->n_persons) {
        ev->persons_first = (uint32_t)ch->n;
        ev->chunk = jn->no;
    }
    ch->ev_person = grow(ch->ev_person, ch->n, &ch->cap, sizeof *ch->ev_person);
    ch->ev_person[ch->n++] = pi;
    ev->n_persons++;
    jn->n_ev[pi]++;
    return E_OK;
}

static enum app_err on_event_source(void *ctx, const char *owner, const char *source,
                                    const char *kind)
{
    (void)kind;
    struct walk *w = ctx;
    struct factbase *fb = w->fb;
    uint32_t ei = walk_owner(w, owner);
    if (ei == UINT32_MAX || !source) {
        return E_OK;
    }
    struct fb_event *ev = &fb->events[ei];
    if (!ev->n_sources) {
        ev->sources_first = (uint32_t)fb->n_ev_source;
    }
    fb->ev_source = grow(fb->ev_source, fb->n_ev_source, &fb->cap_ev_source, sizeof *fb->ev_source);
    fb->ev_source[fb->n_ev_source++] = pool_add(&fb->epool, source);
    ev->n_sources++;
    return E_OK;
}

/* Gives back what the arrays were grown beyond their rows. */
static void shrink(struct factbase *fb)
{
#define FIT(arr, n) (arr) = (n) ? xrealloc((arr), (n) * sizeof *(arr)) : (arr)
    FIT(fb->pids.p, fb->pids.n);
    FIT(fb->eids.p, fb->eids.n);
    FIT(fb->text.p, fb->text.n);
    FIT(fb->subj_id, fb->n_subj);
    FIT(fb->subj_person, fb->n_subj);
    FIT(fb->prof, fb->n_prof);
    FIT(fb->ev_source, fb->n_ev_source);
#undef FIT
    fb->event_index.chars = fb->eids.p; /* the ids may have moved */
}

enum { CHUNKS_MAX = 16 };

/* Joins the chunks: one array of event persons, each event's first person
 * in it, each person's events (event index order). */
static void link_chunks(struct factbase *fb, const struct chunk *chunks, size_t n_chunks,
                        const struct joiner *joiners, size_t n_joiners)
{
    size_t total = 0;
    for (size_t c = 0; c < n_chunks; c++) {
        total += chunks[c].n;
    }
    fb->ev_person = xmalloc((total + 1) * sizeof *fb->ev_person);
    size_t base[CHUNKS_MAX] = {0};
    for (size_t c = 0; c < n_chunks; c++) {
        base[c] = fb->n_ev_person;
        if (chunks[c].n) {
            memcpy(fb->ev_person + base[c], chunks[c].ev_person,
                   chunks[c].n * sizeof *fb->ev_person);
        }
        fb->n_ev_person += chunks[c].n;
    }
    size_t first = 0;
    for (size_t i = 0; i < fb->n_persons; i++) {
        struct fb_person *p = &fb->persons[i];
        p->ev_first = (uint32_t)first;
        for (size_t k = 0; k < n_joiners; k++) {
            first += joiners[k].n_ev[i];
        }
        p->n_ev = 0;
    }
    fb->person_ev = xmalloc((first + 1) * sizeof *fb->person_ev);
    for (size_t ei = 0; ei < fb->n_events; ei++) {
        struct fb_event *ev = &fb->events[ei];
        if (!ev->n_persons) {
            continue;
        }
        ev->persons_first += (uint32_t)base[ev->chunk];
        for (uint32_t k = 0; k < ev->n_persons; k++) {
            struct fb_person *p = &fb->persons[fb->ev_person[ev->persons_first + k]];
            fb->person_ev[p->ev_first + p->n_ev++] = (uint32_t)ei;
        }
    }
}

/* Room for the rows counted, so that arrays are not grown twice their size. */
static void presize(struct store *s, struct factbase *fb)
{
    int64_t n = store_count(s, OBJ_PERSON);
    if (n > 0) {
        fb->cap_persons = (size_t)n + 1;
        fb->persons = xmalloc(fb->cap_persons * sizeof *fb->persons);
    }
    n = store_count(s, OBJ_EVENT);
    if (n > 0) {
        fb->cap_events = (size_t)n + 1;
        fb->events = xmalloc(fb->cap_events * sizeof *fb->events);
    }
    n = store_count(s, OBJ_CASE);
    if (n > 0) {
        fb->cap_cases = (size_t)n + 1;
        fb->cases = xmalloc(fb->cap_cases * sizeof *fb->cases);
    }
}

/* ---- loading: two sides, on one thread or two ----------------------------- */

enum stage { STAGE_PENDING, STAGE_READY, STAGE_FAILED };

struct loader {
    struct factbase *fb;
    bool sources;
    bool two; /* a thread each side, on connections of their own */
    struct idindex person_index;
    /* The events' person lists in chunks of about as many events each:
     * chunk c runs from bounds[c] (NULL: the first) to bounds[c + 1] (NULL:
     * the last); set by the events' side. */
    char *bounds[CHUNKS_MAX + 1];
    struct chunk chunks[CHUNKS_MAX];
    size_t n_chunks;
    struct joiner joiners[2]; /* one per thread */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    enum stage persons, events; /* under mu */
    size_t next_chunk;          /* under mu */
};

static void announce(struct loader *L, enum stage *stage, enum app_err rc)
{
    if (!L->two) {
        *stage = rc == E_OK ? STAGE_READY : STAGE_FAILED;
        return;
    }
    pthread_mutex_lock(&L->mu);
    *stage = rc == E_OK ? STAGE_READY : STAGE_FAILED;
    pthread_cond_broadcast(&L->cv);
    pthread_mutex_unlock(&L->mu);
}

/* Whether the other side reached its stage (false: it failed). */
static bool await(struct loader *L, const enum stage *stage)
{
    if (!L->two) {
        return *stage == STAGE_READY;
    }
    pthread_mutex_lock(&L->mu);
    while (*stage == STAGE_PENDING) {
        pthread_cond_wait(&L->cv, &L->mu);
    }
    bool ready = *stage == STAGE_READY;
    pthread_mutex_unlock(&L->mu);
    return ready;
}

/* The persons' side: persons (then their index is announced), their names
 * and profiles, the cases and their subjects. */
static enum app_err load_persons(struct loader *L, struct store *s, struct err *e)
{
    struct factbase *fb = L->fb;
    enum app_err rc = store_scan_persons(s, on_person, fb, e);
    if (rc == E_OK) {
        idindex_build(&L->person_index, fb->pids.p, fb->persons ? &fb->persons[0].id : NULL,
                      sizeof *fb->persons / sizeof(uint32_t), fb->n_persons, true);
        for (size_t k = 0; k < 2; k++) {
            L->joiners[k].n_ev = xcalloc(fb->n_persons + 1, sizeof *L->joiners[k].n_ev);
        }
    }
    announce(L, &L->persons, rc);
    struct walk pw = {.fb = fb, .index = &L->person_index};
    if (rc == E_OK) {
        rc = store_scan_list(s, SCAN_PERSON_NAMES, on_name, &pw, e);
        walk_end(&pw);
    }
    if (rc == E_OK) {
        rc = store_scan_list(s, SCAN_PERSON_PROFILES, on_profile, &pw, e);
        walk_end(&pw);
    }
    if (rc == E_OK) {
        rc = store_scan_cases(s, on_case, fb, e);
    }
    if (rc == E_OK) {
        sort_cases(fb);
        pw.at = UINT32_MAX; /* the person found last */
        rc = store_scan_list(s, SCAN_CASE_SUBJECTS, on_subject, &pw, e);
    }
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Cuts the events' person lists into chunks of about as many events each
 * (by the events in id order, or else by a sample of their ids), so that
 * two threads taking chunks as they are free finish together. */
static void chunk_bounds(struct loader *L)
{
    enum { SAMPLE = 1001, PER_CHUNK_MIN = 200 };
    const struct factbase *fb = L->fb;
    size_t n = L->two ? CHUNKS_MAX : 1;
    while (n > 1 && fb->n_events / n < PER_CHUNK_MIN) {
        n /= 2;
    }
    if (n > 1 && fb->event_index.slots &&
        (fb->n_events < 2 * SAMPLE || fb->n_events > UINT32_MAX)) {
        n = 1;
    }
    L->n_chunks = n;
    if (n == 1) {
        return; /* bounds all NULL: the whole list */
    }
    if (!fb->event_index.slots) { /* in id order */
        for (size_t c = 1; c < n; c++) {
            L->bounds[c] = xstrdup(at(&fb->eids, fb->events[c * fb->n_events / n].id));
        }
        return;
    }
    /* Events at the fractions i * golden ratio of the way: spread over the
     * table without a stride that rows stored in a repeating pattern (an
     * application, a detention, a removal, ...) would fall in step with. */
    const char **ids = xmalloc(SAMPLE * sizeof *ids);
    for (size_t i = 0; i < SAMPLE; i++) {
        uint64_t frac = (uint64_t)i * 0x9E3779B97F4A7C15ULL;
        ids[i] = at(&fb->eids, fb->events[((frac >> 32) * fb->n_events) >> 32].id);
    }
    qsort(ids, SAMPLE, sizeof *ids, cmp_str);
    for (size_t c = 1; c < n; c++) {
        L->bounds[c] = xstrdup(ids[c * SAMPLE / n]);
    }
    free(ids);
}

/* The events' side: events (then their index and the chunks are announced). */
static enum app_err load_events(struct loader *L, struct store *s, struct err *e)
{
    struct factbase *fb = L->fb;
    enum app_err rc = store_scan_events(s, on_event, fb, e);
    if (rc == E_OK) {
        idindex_build(&fb->event_index, fb->eids.p, fb->events ? &fb->events[0].id : NULL,
                      sizeof *fb->events / sizeof(uint32_t), fb->n_events, false);
        chunk_bounds(L);
    }
    announce(L, &L->events, rc);
    return rc;
}

/* Thread k joins chunks of the events' person lists while there are any
 * left, once both sides have their index; the events' thread then reads the
 * events' sources, if asked for. */
static enum app_err join_chunks(struct loader *L, struct store *s, size_t k, struct err *e)
{
    if (!await(L, k == 0 ? &L->events : &L->persons)) {
        return E_OK; /* the other side failed: its error is the one reported */
    }
    struct joiner *jn = &L->joiners[k];
    jn->w = (struct walk){.fb = L->fb, .index = &L->fb->event_index};
    jn->persons = &L->person_index;
    enum app_err rc = E_OK;
    while (rc == E_OK) {
        size_t c;
        if (L->two) {
            pthread_mutex_lock(&L->mu);
            c = L->next_chunk++;
            pthread_mutex_unlock(&L->mu);
        } else {
            c = L->next_chunk++;
        }
        if (c >= L->n_chunks) {
            break;
        }
        jn->chunk = &L->chunks[c];
        jn->no = (uint8_t)c;
        rc = store_scan_event_persons(s, L->bounds[c], L->bounds[c + 1], on_event_person, jn, e);
        walk_end(&jn->w);
    }
    if (rc == E_OK && k == 1 && L->sources) {
        struct walk sw = {.fb = L->fb, .index = &L->fb->event_index};
        rc = store_scan_list(s, SCAN_EVENT_SOURCES, on_event_source, &sw, e);
        walk_end(&sw);
    }
    return rc;
}

struct events_side {
    struct loader *L;
    struct store *s;
    enum app_err rc;
    struct err e;
};

static void *events_main(void *arg)
{
    struct events_side *es = arg;
    es->rc = load_events(es->L, es->s, &es->e);
    if (es->rc == E_OK) {
        es->rc = join_chunks(es->L, es->s, 1, &es->e);
    }
    return NULL;
}

static enum app_err load(struct store *s, struct store *second, bool sources, struct factbase *fb,
                         struct err *e)
{
    presize(s, fb);
    struct loader L = {.fb = fb, .sources = sources, .two = second != NULL};
    struct events_side es = {.L = &L, .s = second ? second : s, .e = ERR_INIT};
    pthread_t thread;
    if (L.two) {
        pthread_mutex_init(&L.mu, NULL);
        pthread_cond_init(&L.cv, NULL);
        L.two = pthread_create(&thread, NULL, events_main, &es) == 0;
        if (!L.two) {
            es.s = s;
        }
    }
    enum app_err rc = load_persons(&L, s, e);
    if (L.two) {
        if (rc == E_OK) {
            rc = join_chunks(&L, s, 0, e);
        }
        pthread_join(thread, NULL);
    } else {
        if (rc == E_OK) {
            events_main(&es);
        }
        if (rc == E_OK && es.rc == E_OK) {
            rc = join_chunks(&L, s, 0, e);
        }
    }
    if (rc == E_OK && es.rc != E_OK) {
        rc = es.rc;
        *e = es.e;
    }
    if (second) {
        pthread_cond_destroy(&L.cv);
        pthread_mutex_destroy(&L.mu);
    }
    if (rc == E_OK) {
        link_chunks(fb, L.chunks, L.n_chunks, L.joiners, 2);
    }
    for (size_t k = 0; k < 2; k++) {
        free(L.joiners[k].n_ev);
    }
    for (size_t c = 0; c < CHUNKS_MAX; c++) {
        free(L.chunks[c].ev_person);
        free(L.bounds[c]);
    }
    idindex_free(&L.person_index);
    if (rc == E_OK && (fb->pids.too_large || fb->eids.too_large || fb->text.too_large)) {
        rc =
            err_set(e, E_TOO_LARGE, "the store's ids and names pass 4 GiB: check cases one by one");
    }
    return rc;
}

enum app_err factbase_load(struct store *s, struct store *second, bool sources,
                           struct factbase **out, struct err *e)
{
    _Static_assert(sizeof(struct fb_person) % sizeof(uint32_t) == 0, "ids are read by stride");
    _Static_assert(sizeof(struct fb_event) % sizeof(uint32_t) == 0, "ids are read by stride");
    struct factbase *fb = xcalloc(1, sizeof *fb);
    pool_init(&fb->pool);
    pool_init(&fb->epool);
    chars_add(&fb->pids, "");
    chars_add(&fb->eids, "");
    chars_add(&fb->text, ""); /* offset 0: no name */
    bool txn;
    if (second && store_read_begin_pair(s, second)) {
        txn = true;
    } else {
        second = NULL; /* no snapshot the two agree on: one connection */
        txn = store_read_begin(s);
    }
    enum app_err rc = load(s, second, sources, fb, e);
    if (second) {
        store_read_end(second);
    }
    if (txn) {
        store_read_end(s);
    }
    if (rc != E_OK) {
        factbase_free(fb);
        return rc;
    }
    shrink(fb);
    *out = fb;
    return E_OK;
}

bool factbase_has_event(const struct factbase *fb, const char *id)
{
    return fb->event_index.chars && idindex_find(&fb->event_index, id) != UINT32_MAX;
}

void factbase_drop_event_index(struct factbase *fb)
{
    idindex_free(&fb->event_index);
}

size_t factbase_count(const struct factbase *fb)
{
    return fb->n_cases;
}

/* ---- views ---------------------------------------------------------------- */

static void person_view(const struct factbase *fb, uint32_t pi, struct person *out, struct arena *a)
{
    const struct fb_person *p = &fb->persons[pi];
    const char **tags = arena_alloc(a, (p->n_prof + 1) * sizeof *tags);
    for (uint32_t k = 0; k < p->n_prof; k++) {
        tags[k] = pool_str(&fb->pool, fb->prof[p->prof_first + k]);
    }
    *out = (struct person){
        .id = at(&fb->pids, p->id),
        .ethnicity = pool_str(&fb->pool, p->ethnicity),
        .religion = pool_str(&fb->pool, p->religion),
        .profiles = {tags, p->n_prof},
        .group = (enum tri)p->group,
        .group_size = p->group_size,
    };
    if (p->name) {
        struct person_name *n = arena_alloc(a, sizeof *n);
        n->full = at(&fb->text, p->name);
        n->kind = p->primary ? "primary" : NULL;
        out->names = n;
        out->n_names = 1;
    }
}

static void event_view(const struct factbase *fb, uint32_t ei, struct event *out, struct arena *a)
{
    const struct fb_event *ev = &fb->events[ei];
    const struct pool *pl = &fb->epool;
    const char **persons = arena_alloc(a, (ev->n_persons + 1) * sizeof *persons);
    for (uint32_t k = 0; k < ev->n_persons; k++) {
        persons[k] = at(&fb->pids, fb->persons[fb->ev_person[ev->persons_first + k]].id);
    }
    const char **sources = arena_alloc(a, (ev->n_sources + 1) * sizeof *sources);
    for (uint32_t k = 0; k < ev->n_sources; k++) {
        sources[k] = pool_str(pl, fb->ev_source[ev->sources_first + k]);
    }
    *out = (struct event){
        .id = at(&fb->eids, ev->id),
        .type = (enum event_type)ev->type,
        .date = date_unpack(ev->date),
        .approx = ev->approx,
        .end_date = date_unpack(ev->end_date),
        .has_place = ev->has_place,
        .place = {.country = pool_str(pl, ev->place_country)},
        .persons = {persons, ev->n_persons},
        .sources = {sources, ev->n_sources},
        .from_country = pool_str(pl, ev->from_country),
        .to_country = pool_str(pl, ev->to_country),
        .by_country = pool_str(pl, ev->by_country),
        .outcome = pool_str(pl, ev->outcome),
        .final = (enum tri)ev->final,
        .appeal_until = date_unpack(ev->appeal_until),
        .kind = pool_str(pl, ev->kind),
        .offence = pool_str(pl, ev->offence),
        .entry_related = (enum tri)ev->entry_related,
        .presented_to_authorities = (enum tri)ev->presented,
        .provided = (enum tri)ev->provided,
        .to = pool_str(pl, ev->to),
    };
}

/* An event's place in the timeline order of service_sort_events(): undated
 * first, then by first day, events that can end others after the rest; then
 * by id (compared apart). */
struct ev_key {
    uint64_t key;
    uint32_t ei;
    const char *id;
};

/* What one thread building views keeps (factbase_cursor_new()). */
struct factbase_cursor {
    uint32_t *mark; /* per event: the last case (view_no) that took it */
    uint32_t view_no;
    struct ev_key *keys; /* room for one case's events */
    size_t n_keys;
};

static uint64_t timeline_key(const struct fb_event *ev)
{
    struct date d = date_unpack(ev->date);
    uint64_t ending = event_type_is_ending((enum event_type)ev->type) ? 1 : 0;
    if (d.prec == DATE_NONE) {
        return ending;
    }
    /* |first day| < 2^24 for any year an int16_t holds */
    return (uint64_t)1 << 62 | (uint64_t)(date_first_day(d) + ((int64_t)1 << 40)) << 1 | ending;
}

static int cmp_ev_key(const void *pa, const void *pb)
{
    const struct ev_key *a = pa;
    const struct ev_key *b = pb;
    if (a->key != b->key) {
        return a->key < b->key ? -1 : 1;
    }
    return strcmp(a->id, b->id);
}

/* Fills `out` with the events of a case's subjects, each once, in timeline
 * order (so that service_sort_events() finds them sorted); returns their
 * number. `out` and cur->keys have room for the subjects' events. */
static size_t case_events(const struct factbase *fb, struct factbase_cursor *cur,
                          const struct fb_case *c, struct event *out, struct arena *a)
{
    uint32_t mark = ++cur->view_no;
    struct ev_key *keys = cur->keys;
    size_t n = 0;
    for (uint32_t j = 0; j < c->n_subj; j++) {
        uint32_t pi = fb->subj_person[c->subj_first + j];
        if (pi == UINT32_MAX) {
            continue;
        }
        const struct fb_person *p = &fb->persons[pi];
        for (uint32_t k = 0; k < p->n_ev; k++) {
            uint32_t ei = fb->person_ev[p->ev_first + k];
            if (cur->mark[ei] != mark) {
                cur->mark[ei] = mark;
                const struct fb_event *ev = &fb->events[ei];
                keys[n++] = (struct ev_key){timeline_key(ev), ei, at(&fb->eids, ev->id)};
            }
        }
    }
    if (n > 1) {
        qsort(keys, n, sizeof *keys, cmp_ev_key);
    }
    for (size_t i = 0; i < n; i++) {
        event_view(fb, keys[i].ei, &out[i], a);
    }
    return n;
}

struct factbase_cursor *factbase_cursor_new(const struct factbase *fb)
{
    struct factbase_cursor *cur = xcalloc(1, sizeof *cur);
    cur->mark = xcalloc(fb->n_events + 1, sizeof *cur->mark);
    return cur;
}

void factbase_cursor_free(struct factbase_cursor *cur)
{
    if (cur) {
        free(cur->mark);
        free(cur->keys);
        free(cur);
    }
}

void factbase_views(const struct factbase *fb, struct factbase_cursor *cur, size_t first, size_t n,
                    struct arena *a, struct case_view *views)
{
    for (size_t i = 0; i < n; i++) {
        const struct fb_case *c = &fb->cases[first + i];
        struct case_view *v = &views[i];
        memset(v, 0, sizeof *v);
        const char **subjects = arena_alloc(a, (c->n_subj + 1) * sizeof *subjects);
        for (uint32_t j = 0; j < c->n_subj; j++) {
            uint32_t id = fb->subj_id[c->subj_first + j];
            subjects[j] = fb->subj_person[c->subj_first + j] != UINT32_MAX ? at(&fb->pids, id)
                                                                           : at(&fb->text, id);
        }
        v->kase.id = at(&fb->text, c->id);
        v->kase.state = pool_str(&fb->pool, c->state);
        v->kase.status = pool_str(&fb->pool, c->status);
        v->kase.subjects = (struct strs){subjects, c->n_subj};
        /* each one written whole (person_view) before it is read */
        v->subjects = arena_alloc_unzeroed(a, (c->n_subj + 1) * sizeof *v->subjects);
        for (uint32_t j = 0; j < c->n_subj; j++) {
            uint32_t pi = fb->subj_person[c->subj_first + j];
            if (pi != UINT32_MAX) {
                person_view(fb, pi, &v->subjects[v->n_subjects++], a);
            }
        }
        size_t n_ev = 0; /* at most: the subjects' events, some of them shared */
        for (uint32_t j = 0; j < c->n_subj; j++) {
            uint32_t pi = fb->subj_person[c->subj_first + j];
            n_ev += pi != UINT32_MAX ? fb->persons[pi].n_ev : 0;
        }
        if (n_ev > cur->n_keys) {
            free(cur->keys);
            cur->n_keys = 2 * n_ev;
            cur->keys = xmalloc(cur->n_keys * sizeof *cur->keys);
        }
        /* room for n_ev; the first n_events written whole (event_view) */
        v->events = arena_alloc_unzeroed(a, (n_ev + 1) * sizeof *v->events);
        v->n_events = case_events(fb, cur, c, v->events, a);
    }
}

void factbase_free(struct factbase *fb)
{
    if (!fb) {
        return;
    }
    struct pool *pools[] = {&fb->pool, &fb->epool};
    for (size_t i = 0; i < 2; i++) {
        free(pools[i]->strs);
        free(pools[i]->slots);
        arena_release(&pools[i]->a);
    }
    free(fb->pids.p);
    free(fb->eids.p);
    free(fb->text.p);
    free(fb->cases);
    free(fb->subj_id);
    free(fb->subj_person);
    free(fb->persons);
    free(fb->prof);
    free(fb->events);
    free(fb->ev_person);
    free(fb->ev_source);
    free(fb->person_ev);
    idindex_free(&fb->event_index);
    free(fb);
}
