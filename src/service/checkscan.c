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

struct fb_case {
    uint32_t id;                 /* into chars */
    uint32_t state, status;      /* pool */
    uint32_t subj_first, n_subj; /* into subj_id / subj_person */
};

struct fb_person {
    uint32_t id;   /* into chars */
    uint32_t name; /* the display name (person_display_name), into chars; 0: none */
    uint32_t ethnicity, religion;
    uint32_t prof_first, n_prof; /* into prof */
    uint32_t ev_first, n_ev;     /* into person_ev */
    int64_t group_size;
    uint8_t group; /* enum tri */
    bool primary;  /* name is a primary name */
};

struct fb_event {
    uint32_t id; /* into chars */
    /* pool */
    uint32_t place_country, from_country, to_country, by_country, outcome, kind, offence, to;
    uint32_t persons_first, n_persons;     /* into ev_person */
    uint32_t sources_first, n_sources;     /* into ev_source */
    uint32_t date, end_date, appeal_until; /* date_pack() */
    uint8_t type, approx, has_place, final, entry_related, presented, provided;
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

struct idindex {
    uint64_t *slots; /* the id's hash in the high half (to skip other ids unread), index + 1
                        in the low half; 0 = empty */
    size_t mask;
    const uint32_t *ids; /* the id offset of element i: ids[i * stride] */
    size_t stride;       /* in uint32_t */
    size_t n;            /* elements */
};

struct factbase {
    struct pool pool;
    char *chars; /* ids and names, each NUL-terminated; offset 0 is "" */
    size_t n_chars, cap_chars;

    struct fb_case *cases; /* sorted by id */
    size_t n_cases, cap_cases;
    uint32_t *subj_id;     /* case subjects as listed: ids, into chars */
    uint32_t *subj_person; /* their person index, or UINT32_MAX */
    size_t n_subj, cap_subj, cap_subj2;

    struct fb_person *persons;
    size_t n_persons, cap_persons;
    uint32_t *prof; /* pool */
    size_t n_prof, cap_prof;

    struct fb_event *events;
    size_t n_events, cap_events;
    uint32_t *ev_person; /* person indices */
    size_t n_ev_person, cap_ev_person;
    uint32_t *ev_source; /* pool */
    size_t n_ev_source, cap_ev_source;
    uint32_t *person_ev; /* each person's events, by person */

    struct idindex event_index; /* event ids -> indices */

    bool too_large;
};

static const char *chars_at(const struct factbase *fb, uint32_t off)
{
    return fb->chars + off;
}

/* Appends s to chars; its offset, or 0 when the buffer would pass 4 GiB. */
static uint32_t chars_add(struct factbase *fb, const char *s)
{
    size_t len = strlen(s) + 1;
    if (fb->n_chars + len > UINT32_MAX) {
        fb->too_large = true;
        return 0;
    }
    while (fb->n_chars + len > fb->cap_chars) {
        fb->cap_chars = fb->cap_chars ? 2 * fb->cap_chars : 1 << 20;
        fb->chars = xrealloc(fb->chars, fb->cap_chars);
    }
    uint32_t off = (uint32_t)fb->n_chars;
    memcpy(fb->chars + off, s, len);
    fb->n_chars += len;
    return off;
}

/* ---- ids -> indices ------------------------------------------------------- */

static const char *idindex_key(const struct factbase *fb, const struct idindex *x, size_t i)
{
    return chars_at(fb, x->ids[i * x->stride]);
}

static void idindex_build(const struct factbase *fb, struct idindex *x, const uint32_t *ids,
                          size_t stride, size_t n)
{
    size_t n_slots = 1024;
    while (n_slots < 2 * n) {
        n_slots *= 2;
    }
    *x = (struct idindex){.slots = xcalloc(n_slots, sizeof *x->slots),
                          .mask = n_slots - 1,
                          .ids = ids,
                          .stride = stride,
                          .n = n};
    for (size_t i = 0; i < n; i++) {
        uint64_t h = strmap_hash(idindex_key(fb, x, i));
        size_t at = h & x->mask;
        while (x->slots[at]) {
            at = (at + 1) & x->mask;
        }
        x->slots[at] = (h & 0xffffffff00000000ULL) | ((uint64_t)i + 1);
    }
}

/* The index of id, or UINT32_MAX. */
static uint32_t idindex_find(const struct factbase *fb, const struct idindex *x, const char *id)
{
    uint64_t h = strmap_hash(id);
    uint64_t tag = h & 0xffffffff00000000ULL;
    for (size_t at = h & x->mask; x->slots[at]; at = (at + 1) & x->mask) {
        uint64_t slot = x->slots[at];
        if ((slot & 0xffffffff00000000ULL) != tag) {
            continue;
        }
        uint32_t i = (uint32_t)(slot & 0xffffffffULL) - 1;
        if (strcmp(idindex_key(fb, x, i), id) == 0) {
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
static uint32_t idindex_find_after(const struct factbase *fb, const struct idindex *x,
                                   const char *id, uint32_t prev)
{
    size_t next = prev == UINT32_MAX ? 0 : (size_t)prev + 1;
    if (next < x->n && strcmp(idindex_key(fb, x, next), id) == 0) {
        return (uint32_t)next;
    }
    return idindex_find(fb, x, id);
}

static void idindex_free(struct idindex *x)
{
    free(x->slots);
    *x = (struct idindex){0};
}

/* While reading a list: its last owner and that owner's index. */
struct walk {
    struct factbase *fb;
    struct idindex index;
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
    w->at = idindex_find_after(w->fb, &w->index, owner, prev);
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
        .id = chars_add(fb, p->id),
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
        p->name = chars_add(w->fb, full);
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
        .id = chars_add(fb, c->id),
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
    if (fb->n_cases < 2) {
        return;
    }
    struct case_by_id *tmp = xmalloc(fb->n_cases * sizeof *tmp);
    for (size_t i = 0; i < fb->n_cases; i++) {
        tmp[i] = (struct case_by_id){chars_at(fb, fb->cases[i].id), fb->cases[i]};
    }
    qsort(tmp, fb->n_cases, sizeof *tmp, cmp_case_id);
    for (size_t i = 0; i < fb->n_cases; i++) {
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
           strcmp(chars_at(fb, fb->cases[w->next_case].id), owner) < 0) {
        w->next_case++;
    }
    if (w->next_case == fb->n_cases ||
        strcmp(chars_at(fb, fb->cases[w->next_case].id), owner) != 0 || !person) {
        return E_OK; /* a list of no case */
    }
    struct fb_case *c = &fb->cases[w->next_case];
    if (!c->n_subj) {
        c->subj_first = (uint32_t)fb->n_subj;
    }
    fb->subj_id = grow(fb->subj_id, fb->n_subj, &fb->cap_subj, sizeof *fb->subj_id);
    fb->subj_person = grow(fb->subj_person, fb->n_subj, &fb->cap_subj2, sizeof *fb->subj_person);
    uint32_t pi = idindex_find_after(fb, &w->index, person, w->at);
    w->at = pi;
    fb->subj_person[fb->n_subj] = pi;
    fb->subj_id[fb->n_subj++] = pi != UINT32_MAX ? fb->persons[pi].id : chars_add(fb, person);
    c->n_subj++;
    return E_OK;
}

static enum app_err on_event(void *ctx, const struct event *ev)
{
    struct factbase *fb = ctx;
    struct pool *pl = &fb->pool;
    fb->events = grow(fb->events, fb->n_events, &fb->cap_events, sizeof *fb->events);
    fb->events[fb->n_events++] = (struct fb_event){
        .id = chars_add(fb, ev->id),
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

struct ev_walk {
    struct walk w; /* owners: events */
    const struct idindex *persons;
    /* The events in the order the first list named them (id order), so that
     * the second list, in the same order, finds its owners by walking it. */
    uint32_t *order;
    size_t n_order, cap_order, next;
    uint32_t recent[4]; /* persons found last (index + 1): events of a case name the same ones */
};

static uint32_t ev_person_index(struct ev_walk *ew, const char *id)
{
    const struct factbase *fb = ew->w.fb;
    for (int i = 0; i < 4 && ew->recent[i]; i++) {
        uint32_t pi = ew->recent[i] - 1;
        if (strcmp(chars_at(fb, fb->persons[pi].id), id) == 0) {
            return pi;
        }
    }
    uint32_t pi = idindex_find(fb, ew->persons, id);
    if (pi != UINT32_MAX) {
        memmove(ew->recent + 1, ew->recent, 3 * sizeof *ew->recent);
        ew->recent[0] = pi + 1;
    }
    return pi;
}

/* The index of an event list row's owner: on the walk when it is there, else
 * looked up. */
static uint32_t ev_owner(struct ev_walk *ew, const char *owner, bool first_list)
{
    struct factbase *fb = ew->w.fb;
    if (ew->w.owner && strcmp(ew->w.owner, owner) == 0) {
        return ew->w.at;
    }
    if (first_list) {
        uint32_t ei = walk_owner(&ew->w, owner);
        if (ei != UINT32_MAX) {
            ew->order = grow(ew->order, ew->n_order, &ew->cap_order, sizeof *ew->order);
            ew->order[ew->n_order++] = ei;
        }
        return ei;
    }
    while (ew->next < ew->n_order &&
           strcmp(chars_at(fb, fb->events[ew->order[ew->next]].id), owner) < 0) {
        ew->next++;
    }
    if (ew->next < ew->n_order &&
        strcmp(chars_at(fb, fb->events[ew->order[ew->next]].id), owner) == 0) {
        size_t len = strlen(owner) + 1;
        if (len > ew->w.cap) {
            ew->w.cap = 2 * len;
            ew->w.owner = xrealloc(ew->w.owner, ew->w.cap);
        }
        memcpy(ew->w.owner, owner, len);
        ew->w.at = ew->order[ew->next];
        return ew->w.at;
    }
    return walk_owner(&ew->w, owner);
}

static enum app_err on_event_person(void *ctx, const char *owner, const char *person,
                                    const char *kind)
{
    (void)kind;
    struct ev_walk *ew = ctx;
    struct factbase *fb = ew->w.fb;
    uint32_t ei = ev_owner(ew, owner, true);
    uint32_t pi = person ? ev_person_index(ew, person) : UINT32_MAX;
    if (ei == UINT32_MAX || pi == UINT32_MAX) {
        return E_OK; /* no such event, or a person not in the store: never a subject */
    }
    struct fb_event *ev = &fb->events[ei];
    if (!ev->n_persons) {
        ev->persons_first = (uint32_t)fb->n_ev_person;
    }
    fb->ev_person = grow(fb->ev_person, fb->n_ev_person, &fb->cap_ev_person, sizeof *fb->ev_person);
    fb->ev_person[fb->n_ev_person++] = pi;
    ev->n_persons++;
    fb->persons[pi].n_ev++;
    return E_OK;
}

static enum app_err on_event_source(void *ctx, const char *owner, const char *source,
                                    const char *kind)
{
    (void)kind;
    struct ev_walk *ew = ctx;
    struct factbase *fb = ew->w.fb;
    uint32_t ei = ev_owner(ew, owner, false);
    if (ei == UINT32_MAX || !source) {
        return E_OK;
    }
    struct fb_event *ev = &fb->events[ei];
    if (!ev->n_sources) {
        ev->sources_first = (uint32_t)fb->n_ev_source;
    }
    fb->ev_source = grow(fb->ev_source, fb->n_ev_source, &fb->cap_ev_source, sizeof *fb->ev_source);
    fb->ev_source[fb->n_ev_source++] = pool_add(&fb->pool, source);
    ev->n_sources++;
    return E_OK;
}

/* Gives back what the arrays were grown beyond their rows. */
static void shrink(struct factbase *fb)
{
#define FIT(arr, n) (arr) = (n) ? xrealloc((arr), (n) * sizeof *(arr)) : (arr)
    FIT(fb->chars, fb->n_chars);
    FIT(fb->subj_id, fb->n_subj);
    FIT(fb->subj_person, fb->n_subj);
    FIT(fb->prof, fb->n_prof);
    FIT(fb->ev_person, fb->n_ev_person);
    FIT(fb->ev_source, fb->n_ev_source);
#undef FIT
}

/* Each person's events (event index order), from the events' person lists. */
static void link_persons(struct factbase *fb)
{
    size_t at = 0;
    for (size_t i = 0; i < fb->n_persons; i++) {
        fb->persons[i].ev_first = (uint32_t)at;
        at += fb->persons[i].n_ev;
        fb->persons[i].n_ev = 0;
    }
    fb->person_ev = xmalloc((at + 1) * sizeof *fb->person_ev);
    for (size_t ei = 0; ei < fb->n_events; ei++) {
        const struct fb_event *ev = &fb->events[ei];
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

static enum app_err load(struct store *s, bool sources, struct factbase *fb, struct err *e)
{
    presize(s, fb);
    enum app_err rc = store_scan_persons(s, on_person, fb, e);
    if (rc != E_OK) {
        return rc;
    }
    struct walk pw = {.fb = fb};
    idindex_build(fb, &pw.index, fb->persons ? &fb->persons[0].id : NULL,
                  sizeof *fb->persons / sizeof(uint32_t), fb->n_persons);
    rc = store_scan_list(s, SCAN_PERSON_NAMES, on_name, &pw, e);
    walk_end(&pw);
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
    if (rc == E_OK) {
        rc = store_scan_events(s, on_event, fb, e);
    }
    struct ev_walk ew = {.w = {.fb = fb}, .persons = &pw.index};
    if (rc == E_OK) {
        idindex_build(fb, &ew.w.index, fb->events ? &fb->events[0].id : NULL,
                      sizeof *fb->events / sizeof(uint32_t), fb->n_events);
        rc = store_scan_list(s, SCAN_EVENT_PERSONS, on_event_person, &ew, e);
        walk_end(&ew.w);
    }
    if (rc == E_OK && sources) {
        rc = store_scan_list(s, SCAN_EVENT_SOURCES, on_event_source, &ew, e);
        walk_end(&ew.w);
    }
    fb->event_index = ew.w.index; /* kept for factbase_has_event() */
    idindex_free(&pw.index);
    free(ew.order);
    if (rc == E_OK && fb->too_large) {
        rc =
            err_set(e, E_TOO_LARGE, "the store's ids and names pass 4 GiB: check cases one by one");
    }
    return rc;
}

enum app_err factbase_load(struct store *s, bool sources, struct factbase **out, struct err *e)
{
    _Static_assert(sizeof(struct fb_person) % sizeof(uint32_t) == 0, "ids are read by stride");
    _Static_assert(sizeof(struct fb_event) % sizeof(uint32_t) == 0, "ids are read by stride");
    struct factbase *fb = xcalloc(1, sizeof *fb);
    pool_init(&fb->pool);
    chars_add(fb, ""); /* offset 0: no name */
    bool txn = store_read_begin(s);
    enum app_err rc = load(s, sources, fb, e);
    if (txn) {
        store_read_end(s);
    }
    if (rc != E_OK) {
        factbase_free(fb);
        return rc;
    }
    shrink(fb);
    link_persons(fb);
    *out = fb;
    return E_OK;
}

bool factbase_has_event(const struct factbase *fb, const char *id)
{
    return fb->event_index.slots && idindex_find(fb, &fb->event_index, id) != UINT32_MAX;
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
        .id = chars_at(fb, p->id),
        .ethnicity = pool_str(&fb->pool, p->ethnicity),
        .religion = pool_str(&fb->pool, p->religion),
        .profiles = {tags, p->n_prof},
        .group = (enum tri)p->group,
        .group_size = p->group_size,
    };
    if (p->name) {
        struct person_name *n = arena_alloc(a, sizeof *n);
        n->full = chars_at(fb, p->name);
        n->kind = p->primary ? "primary" : NULL;
        out->names = n;
        out->n_names = 1;
    }
}

static void event_view(const struct factbase *fb, uint32_t ei, struct event *out, struct arena *a)
{
    const struct fb_event *ev = &fb->events[ei];
    const struct pool *pl = &fb->pool;
    const char **persons = arena_alloc(a, (ev->n_persons + 1) * sizeof *persons);
    for (uint32_t k = 0; k < ev->n_persons; k++) {
        persons[k] = chars_at(fb, fb->persons[fb->ev_person[ev->persons_first + k]].id);
    }
    const char **sources = arena_alloc(a, (ev->n_sources + 1) * sizeof *sources);
    for (uint32_t k = 0; k < ev->n_sources; k++) {
        sources[k] = pool_str(pl, fb->ev_source[ev->sources_first + k]);
    }
    *out = (struct event){
        .id = chars_at(fb, ev->id),
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
                keys[n++] = (struct ev_key){timeline_key(ev), ei, chars_at(fb, ev->id)};
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
            subjects[j] = chars_at(fb, fb->subj_id[c->subj_first + j]);
        }
        v->kase.id = chars_at(fb, c->id);
        v->kase.state = pool_str(&fb->pool, c->state);
        v->kase.status = pool_str(&fb->pool, c->status);
        v->kase.subjects = (struct strs){subjects, c->n_subj};
        v->subjects = arena_alloc(a, (c->n_subj + 1) * sizeof *v->subjects);
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
        v->events = arena_alloc(a, (n_ev + 1) * sizeof *v->events);
        v->n_events = case_events(fb, cur, c, v->events, a);
    }
}

void factbase_free(struct factbase *fb)
{
    if (!fb) {
        return;
    }
    free(fb->pool.strs);
    free(fb->pool.slots);
    arena_release(&fb->pool.a);
    free(fb->chars);
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
