/*
 * checks.c: loading cases for the check engine, running it, and recording
 * the findings history.
 */
#include "service/checks.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/strmap.h"
#include "core/xalloc.h"
#include "service/checkscan.h"

static const char *const refdata_files[] = {"treaty_parties.csv", "treaty_parties_notes.csv"};

/* Treaty data comes from the store (loaded there from the compiled-in copy). */
static enum app_err load_treaties(struct store *s, struct arena *a, struct treaty_table *t,
                                  struct err *e)
{
    const char *text[2];
    size_t len[2];
    for (size_t i = 0; i < 2; i++) {
        enum app_err rc = store_refdata_sync(s, refdata_files[i], e);
        if (rc == E_OK) {
            rc = store_refdata_get(s, refdata_files[i], a, &text[i], &len[i], e);
        }
        if (rc != E_OK) {
            return rc;
        }
    }
    return treaty_table_parse(t, text[0], len[0], text[1], len[1], a, e);
}

static void missing_json(const struct finding *f, struct buf *out)
{
    buf_addch(out, '[');
    for (size_t i = 0; i < f->missing.n_items; i++) {
        buf_addf(out, "%s\"%s\"", i ? "," : "", f->missing.items[i]);
    }
    buf_addch(out, ']');
}

static enum app_err record(struct store *s, const struct check_outcome *o, struct date as_of,
                           struct arena *a, struct err *e)
{
    struct strs ids = {arena_alloc(a, (o->n_views + 1) * sizeof(char *)), o->n_views};
    for (size_t i = 0; i < o->n_views; i++) {
        ids.items[i] = o->views[i].kase.id;
    }
    size_t n = o->result.n_items;
    struct finding_record *recs = arena_alloc(a, (n + 1) * sizeof *recs);
    for (size_t i = 0; i < n; i++) {
        const struct finding *f = &o->result.items[i];
        struct buf m = BUF_INIT;
        missing_json(f, &m);
        recs[i] = (struct finding_record){f->case_id,
                                          f->person_id,
                                          f->rule_id,
                                          check_severity_name(f->severity),
                                          check_status_name(f->status),
                                          f->summary,
                                          arena_strdup(a, m.data)};
        buf_release(&m);
    }
    char iso[DATE_ISO_MAX];
    date_iso(as_of, iso);
    return store_history_record(s, &ids, recs, n, iso, e);
}

/* What the engine sees of a case view. */
static struct case_facts facts_of(const struct case_view *v, bool shared_ids)
{
    return (struct case_facts){.case_ = &v->kase,
                               .subjects = v->subjects,
                               .n_subjects = v->n_subjects,
                               .events = v->events,
                               .n_events = v->n_events,
                               .risks = v->risks,
                               .n_risks = v->n_risks,
                               .shared_ids = shared_ids};
}

enum app_err service_check(struct store *s, const struct check_request *rq, struct arena *a,
                           struct check_outcome *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    enum app_err rc = load_treaties(s, a, &out->treaties, e);
    if (rc != E_OK) {
        return rc;
    }
    const char **ids;
    size_t n_ids;
    if (rq->case_id) {
        ids = arena_alloc(a, sizeof *ids);
        ids[0] = rq->case_id;
        n_ids = 1;
    } else {
        struct case_ *cases;
        size_t n_cases;
        rc = service_list_cases(s, NULL, a, &cases, &n_cases, e);
        if (rc != E_OK) {
            return rc;
        }
        ids = arena_alloc(a, (n_cases + 1) * sizeof *ids);
        n_ids = 0;
        for (size_t i = 0; i < n_cases; i++) {
            const char *st = cases[i].status ? cases[i].status : "open";
            if (strcmp(st, "closed") != 0) {
                ids[n_ids++] = cases[i].id;
            }
        }
    }
    out->views = arena_alloc(a, (n_ids + 1) * sizeof *out->views);
    struct case_facts *facts = arena_alloc(a, (n_ids + 1) * sizeof *facts);
    bool txn = store_read_begin(s); /* one snapshot, the file locks taken once */
    for (size_t i = 0; i < n_ids; i++) {
        struct case_view *v = &out->views[out->n_views];
        rc = service_load_case(s, ids[i], a, v, e);
        if (rc != E_OK) {
            if (txn) {
                store_read_end(s);
            }
            return rc;
        }
        facts[out->n_views] = facts_of(v, false);
        out->n_views++;
    }
    if (txn) {
        store_read_end(s);
    }
    rc = rq->no_explanation
             ? check_run_brief(facts, out->n_views, rq->as_of, &out->treaties, a, &out->result, e)
             : check_run(facts, out->n_views, rq->as_of, &out->treaties, a, &out->result, e);
    if (rc == E_OK && rq->record) {
        rc = record(s, out, rq->as_of, a, e);
    }
    return rc;
}

const struct case_view *check_outcome_view(const struct check_outcome *o, const char *case_id)
{
    for (size_t i = 0; i < o->n_views; i++) {
        if (strcmp(o->views[i].kase.id, case_id) == 0) {
            return &o->views[i];
        }
    }
    return NULL;
}

enum {
    CHECK_BATCH = 1000,
    CHECK_LEAN_BATCH = 250, /* the facts are in memory: smaller batches, less memory at once */
};

static int cmp_person_id(const void *key, const void *elem)
{
    return strcmp(key, ((const struct person *)elem)->id);
}

/* Appends an event to a case's list (arrays grow by doubling in the arena). */
struct event_list {
    struct event *items;
    size_t n, alloc;
    size_t last; /* index + 1 of the last event added, to add each once */
};

static void event_list_add(struct event_list *l, const struct event *ev, size_t ev_index,
                           struct arena *a)
{
    if (l->last == ev_index + 1) {
        return;
    }
    if (l->n == l->alloc) {
        size_t cap = l->alloc ? l->alloc * 2 : 16;
        struct event *grown = arena_alloc(a, cap * sizeof *grown);
        if (l->n) {
            memcpy(grown, l->items, l->n * sizeof *grown);
        }
        l->items = grown;
        l->alloc = cap;
    }
    l->items[l->n++] = *ev;
    l->last = ev_index + 1;
}

static int cmp_risk_country(const void *a, const void *b)
{
    const struct risk *x = a;
    const struct risk *y = b;
    return strcmp(x->country ? x->country : "", y->country ? y->country : "");
}

/* The risks of one country in the list sorted by country, found by binary
 * search; the last country asked for is remembered (events of a case name
 * the same countries again and again). */
/* The countries asked for last (compared by address: the strings of a run
 * over every case are kept once each), with their runs of risks; a case's
 * events name a few countries in turn. */
enum { RISK_FINDER_SEEN = 8 };

struct risk_finder {
    struct risk *risks;
    size_t n_risks;

    struct {
        const char *country;
        size_t lo, hi;
    } seen[RISK_FINDER_SEEN];

    unsigned next; /* the entry of seen to replace */
    size_t lo, hi; /* the run of the country asked for */
};

static size_t risk_bound(const struct risk_finder *f, const char *c, bool upper)
{
    size_t lo = 0;
    size_t hi = f->n_risks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(f->risks[mid].country, c);
        if (cmp < 0 || (upper && cmp == 0)) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Adds the risks in country c to the case's list, once each: taken[i] ==
 * stamp marks risk i as on the list already. */
static void add_risks_of(const char *c, struct risk_finder *f, size_t *taken, size_t stamp,
                         size_t *list, size_t *n_list)
{
    if (!c) {
        return;
    }
    unsigned k = 0;
    while (k < RISK_FINDER_SEEN && f->seen[k].country != c) {
        k++;
    }
    if (k < RISK_FINDER_SEEN) {
        f->lo = f->seen[k].lo;
        f->hi = f->seen[k].hi;
    } else {
        f->lo = risk_bound(f, c, false);
        f->hi = risk_bound(f, c, true);
        k = f->next;
        f->next = (f->next + 1) % RISK_FINDER_SEEN;
        f->seen[k].country = c;
        f->seen[k].lo = f->lo;
        f->seen[k].hi = f->hi;
    }
    for (size_t i = f->lo; i < f->hi; i++) {
        if (taken[i] != stamp) {
            taken[i] = stamp;
            list[(*n_list)++] = i;
        }
    }
}

/* The risks a case's checks can use: those in a country its events name (a
 * destination, or where ill-treatment happened), in the order the events
 * name them. The engine decides which apply; this only spares it the rest of
 * the world. `taken` and `list` are scratch arrays of n_risks entries; stamp
 * is new for each case. The view's risks point into f->risks when they are
 * a run of it (the views only read them). */
static void case_risks(struct case_view *v, struct risk_finder *f, size_t *taken, size_t stamp,
                       size_t *list, struct arena *a)
{
    size_t n = 0;
    for (size_t i = 0; i < v->n_events; i++) {
        const struct event *ev = &v->events[i];
        add_risks_of(ev->to_country, f, taken, stamp, list, &n);
        add_risks_of(ev->by_country, f, taken, stamp, list, &n);
        add_risks_of(ev->from_country, f, taken, stamp, list, &n);
        add_risks_of(ev->has_place ? ev->place.country : NULL, f, taken, stamp, list, &n);
    }
    v->n_risks = n;
    size_t run = 1;
    while (run < n && list[run] == list[0] + run) {
        run++;
    }
    if (n && run == n) { /* risks side by side in the list sorted by country: no copy */
        v->risks = &f->risks[list[0]];
        return;
    }
    v->risks = arena_alloc(a, (n + 1) * sizeof *v->risks);
    for (size_t i = 0; i < n; i++) {
        v->risks[i] = f->risks[list[i]];
    }
}

/* Runs the engine on a batch of views whose case, subjects and events are
 * loaded: puts the events in timeline order and adds the risks. shared_ids:
 * the views keep each id once (checkscan.c), see struct case_facts. Touches
 * no store: the caller records the outcome (rq->record). */
static enum app_err run_views(const struct check_request *rq, struct case_view *views, size_t n,
                              bool shared_ids, struct risk *risks, size_t n_risks,
                              const struct treaty_table *treaties, struct arena *a,
                              struct check_outcome *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    out->treaties = *treaties;
    out->views = views;
    out->n_views = n;
    struct case_facts *facts = arena_alloc(a, (n + 1) * sizeof *facts);
    size_t *taken = arena_alloc(a, (n_risks + 1) * sizeof *taken);
    size_t *list = arena_alloc(a, (n_risks + 1) * sizeof *list);
    struct risk_finder finder = {.risks = risks, .n_risks = n_risks};
    for (size_t i = 0; i < n; i++) {
        struct case_view *v = &views[i];
        service_sort_events(v->events, v->n_events);
        case_risks(v, &finder, taken, i + 1, list, a);
        facts[i] = facts_of(v, shared_ids);
    }
    enum app_err rc = rq->no_explanation
                          ? check_run_brief(facts, n, rq->as_of, treaties, a, &out->result, e)
                          : check_run(facts, n, rq->as_of, treaties, a, &out->result, e);
    return rc;
}

/* Loads a batch of cases with their subjects and events, runs the engine. */
static enum app_err check_batch(struct store *s, const struct check_request *rq,
                                const struct strs *ids, struct risk *risks, size_t n_risks,
                                struct treaty_table *treaties, struct arena *a,
                                struct check_outcome *out, struct err *e)
{
    struct case_ *cases;
    size_t n_cases;
    enum app_err rc = store_get_page(s, OBJ_CASE, ids, a, (void **)&cases, &n_cases, e);
    if (rc != E_OK) {
        return rc;
    }
    struct strs subject_ids = {arena_alloc(a, (n_cases * 4 + 1) * sizeof(char *)), 0};
    size_t subj_alloc = n_cases * 4 + 1;
    for (size_t i = 0; i < n_cases; i++) {
        for (size_t j = 0; j < cases[i].subjects.n_items; j++) {
            if (subject_ids.n_items == subj_alloc) {
                subj_alloc *= 2;
                const char **grown = arena_alloc(a, subj_alloc * sizeof *grown);
                memcpy(grown, subject_ids.items, subject_ids.n_items * sizeof *grown);
                subject_ids.items = grown;
            }
            subject_ids.items[subject_ids.n_items++] = cases[i].subjects.items[j];
        }
    }
    struct person *persons;
    size_t n_persons;
    struct strs event_ids;
    struct event *events;
    size_t n_events;
    rc = store_get_many(s, OBJ_PERSON, &subject_ids, a, (void **)&persons, &n_persons, e);
    if (rc == E_OK) {
        rc = store_events_of_persons(s, &subject_ids, a, &event_ids, e);
    }
    if (rc == E_OK) {
        rc = store_get_many(s, OBJ_EVENT, &event_ids, a, (void **)&events, &n_events, e);
    }
    if (rc != E_OK) {
        return rc;
    }
    /* Which cases each subject belongs to: person index -> case indices. */
    size_t *first = arena_alloc(a, (n_persons + 1) * sizeof *first); /* 0 = none, else link + 1 */

    struct link {
        size_t case_index;
        size_t next; /* 0 = end, else link + 1 */
    } *links = arena_alloc(a, (subject_ids.n_items + 1) * sizeof *links);

    size_t n_links = 0;
    struct case_view *views = arena_alloc(a, (n_cases + 1) * sizeof *views);
    struct event_list *lists = arena_alloc(a, (n_cases + 1) * sizeof *lists);
    for (size_t i = 0; i < n_cases; i++) {
        struct case_view *v = &views[i];
        v->kase = cases[i];
        v->subjects = arena_alloc(a, (cases[i].subjects.n_items + 1) * sizeof *v->subjects);
        for (size_t j = 0; j < cases[i].subjects.n_items; j++) {
            const struct person *p = bsearch(cases[i].subjects.items[j], persons, n_persons,
                                             sizeof *persons, cmp_person_id);
            if (!p) {
                continue;
            }
            v->subjects[v->n_subjects++] = *p;
            size_t pi = (size_t)(p - persons);
            links[n_links] = (struct link){i, first[pi]};
            first[pi] = ++n_links;
        }
    }
    for (size_t k = 0; k < n_events; k++) {
        const struct event *ev = &events[k];
        for (size_t j = 0; j < ev->persons.n_items; j++) {
            const struct person *p =
                bsearch(ev->persons.items[j], persons, n_persons, sizeof *persons, cmp_person_id);
            for (size_t l = p ? first[p - persons] : 0; l; l = links[l - 1].next) {
                event_list_add(&lists[links[l - 1].case_index], ev, k, a);
            }
        }
    }
    for (size_t i = 0; i < n_cases; i++) {
        views[i].events = lists[i].items;
        views[i].n_events = lists[i].n;
    }
    rc = run_views(rq, views, n_cases, false, risks, n_risks, treaties, a, out, e);
    if (rc == E_OK && rq->record) {
        rc = record(s, out, rq->as_of, a, e);
    }
    return rc;
}

/* Makes equal strings of the risks' lists and countries one string, so that
 * the engine, which looks for repeats among them (harms in summaries,
 * sources) and compares countries, finds most of them by address. */
static void share_risk_strings(struct risk *risks, size_t n)
{
    struct strmap seen = STRMAP_INIT;
    for (size_t i = 0; i < n; i++) {
        struct strs country = {&risks[i].country, 1};
        struct strs *lists[] = {&risks[i].harms, &risks[i].sources, &risks[i].profiles, &country};
        for (size_t l = 0; l < sizeof lists / sizeof *lists; l++) {
            for (size_t k = 0; k < lists[l]->n_items; k++) {
                const char *str = lists[l]->items[k];
                uint64_t first = (uint64_t)(uintptr_t)str;
                if (str && !strmap_put(&seen, str, first, &first)) {
                    lists[l]->items[k] = (const char *)(uintptr_t)first;
                }
            }
        }
    }
    strmap_release(&seen);
}

/* Every risk, loaded once per run. */
static enum app_err load_risks(struct store *s, struct arena *a, struct risk **out, size_t *n,
                               struct err *e)
{
    struct store_filter f = {.limit = 1000};
    const char **all = NULL;
    size_t n_all = 0;
    for (;;) {
        struct strs page;
        bool more;
        enum app_err rc = store_list(s, OBJ_RISK, &f, a, &page, &more, e);
        if (rc != E_OK) {
            return rc;
        }
        const char **grown = arena_alloc(a, (n_all + page.n_items + 1) * sizeof *grown);
        if (n_all) {
            memcpy(grown, all, n_all * sizeof *grown);
        }
        memcpy(grown + n_all, page.items, page.n_items * sizeof *grown);
        all = grown;
        n_all += page.n_items;
        if (!more || !page.n_items) {
            break;
        }
        f.after = page.items[page.n_items - 1];
    }
    struct strs ids = {all, n_all};
    enum app_err rc = store_get_many(s, OBJ_RISK, &ids, a, (void **)out, n, e);
    if (rc == E_OK && *n > 1) {
        qsort(*out, *n, sizeof **out, cmp_risk_country);
    }
    if (rc == E_OK) {
        share_risk_strings(*out, *n);
    }
    return rc;
}

/* A check of every case from one pass over each table (checkscan.c): the
 * batches of cases are checked by worker threads over memory only (the
 * factbase, the risks and the treaties, all read only), while the calling
 * thread, the only one to use the store, records and hands each batch's
 * findings to fn in case id order. */
struct lean_slot {
    bool ready; /* checked, waiting for the calling thread */
    struct arena arena;
    struct check_outcome o;
    struct buf prepared; /* rq->prepare's work on o */
    enum app_err rc;
    struct err e;
};

struct lean_run {
    const struct check_request *rq;
    const struct factbase *fb;
    struct risk *risks;
    size_t n_risks;
    const struct treaty_table *treaties;
    bool shared_ids;
    void *ctx; /* the caller's, for rq->prepare */
    size_t n_cases, n_batches;
    struct lean_slot *slots; /* batch b in slots[b % n_slots] */
    size_t n_slots;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t next;     /* the next batch to take */
    size_t consumed; /* batches handed to fn (their slots are free again) */
    bool stop;
};

static void lean_check(struct lean_run *r, struct factbase_cursor *cur, size_t b,
                       struct lean_slot *slot)
{
    size_t first = b * CHECK_LEAN_BATCH;
    size_t count = r->n_cases - first < CHECK_LEAN_BATCH ? r->n_cases - first : CHECK_LEAN_BATCH;
    slot->arena = (struct arena)ARENA_INIT;
    slot->e = (struct err){0};
    struct case_view *views = arena_alloc(&slot->arena, (count + 1) * sizeof *views);
    factbase_views(r->fb, cur, first, count, &slot->arena, views);
    slot->rc = run_views(r->rq, views, count, r->shared_ids, r->risks, r->n_risks, r->treaties,
                         &slot->arena, &slot->o, &slot->e);
    if (slot->rc == E_OK && r->rq->prepare) {
        buf_reset(&slot->prepared);
        r->rq->prepare(r->ctx, &slot->o, &slot->prepared);
        slot->o.prepared = &slot->prepared;
    }
}

static void *lean_worker(void *arg)
{
    struct lean_run *r = arg;
    struct factbase_cursor *cur = factbase_cursor_new(r->fb);
    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (!r->stop && r->next < r->n_batches && r->next >= r->consumed + r->n_slots) {
            pthread_cond_wait(&r->cv, &r->mu); /* every slot is full: wait for fn */
        }
        if (r->stop || r->next >= r->n_batches) {
            break;
        }
        size_t b = r->next++;
        struct lean_slot *slot = &r->slots[b % r->n_slots];
        pthread_mutex_unlock(&r->mu);
        lean_check(r, cur, b, slot);
        pthread_mutex_lock(&r->mu);
        slot->ready = true;
        pthread_cond_broadcast(&r->cv);
    }
    pthread_mutex_unlock(&r->mu);
    factbase_cursor_free(cur);
    return NULL;
}

/* Hands the batches to fn in order; the workers (n_workers of them, none:
 * the calling thread checks each batch itself) fill the slots. */
static enum app_err lean_consume(struct lean_run *r, struct store *s, unsigned n_workers,
                                 check_batch_fn fn, void *ctx, struct err *e)
{
    struct factbase_cursor *cur = n_workers ? NULL : factbase_cursor_new(r->fb);
    enum app_err rc = E_OK;
    for (size_t b = 0; b < r->n_batches && rc == E_OK; b++) {
        struct lean_slot *slot = &r->slots[b % r->n_slots];
        if (n_workers) {
            pthread_mutex_lock(&r->mu);
            while (!slot->ready) { /* it can hold batch b only */
                pthread_cond_wait(&r->cv, &r->mu);
            }
            pthread_mutex_unlock(&r->mu);
        } else {
            lean_check(r, cur, b, slot);
        }
        rc = slot->rc;
        if (rc != E_OK) {
            *e = slot->e;
        }
        if (rc == E_OK && r->rq->record) {
            rc = record(s, &slot->o, r->rq->as_of, &slot->arena, e);
        }
        if (rc == E_OK) {
            rc = fn(ctx, &slot->o);
        }
        arena_release(&slot->arena);
        pthread_mutex_lock(&r->mu);
        slot->ready = false;
        r->consumed = b + 1;
        r->stop = rc != E_OK;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
    }
    factbase_cursor_free(cur);
    return rc;
}

static enum app_err check_all_lean(struct store *s, const struct check_request *rq,
                                   struct risk *risks, size_t n_risks,
                                   struct treaty_table *treaties, check_batch_fn fn, void *ctx,
                                   struct err *e)
{
    struct factbase *fb;
    enum app_err rc = factbase_load(s, rq->second, !rq->no_explanation, &fb, e);
    if (rc != E_OK) {
        return rc;
    }
    struct lean_run r = {.rq = rq,
                         .fb = fb,
                         .risks = risks,
                         .n_risks = n_risks,
                         .treaties = treaties,
                         .shared_ids = true,
                         .ctx = ctx,
                         .n_cases = factbase_count(fb)};
    /* Each event, person and risk id is one string in the views, and the
     * engine compares ids by address, unless a risk has an event's id. */
    for (size_t i = 0; i < n_risks && r.shared_ids; i++) {
        r.shared_ids = !risks[i].id || !factbase_has_event(fb, risks[i].id);
    }
    factbase_drop_event_index(fb);
    r.n_batches = (r.n_cases + CHECK_LEAN_BATCH - 1) / CHECK_LEAN_BATCH;
    unsigned n_workers = rq->threads > 1 ? rq->threads : 0;
    if (n_workers > r.n_batches) {
        n_workers = (unsigned)r.n_batches;
    }
    /* One batch per worker at most is checked ahead of the one fn has:
     * memory stays flat however many cases there are. */
    r.n_slots = (size_t)n_workers + 1;
    r.slots = xcalloc(r.n_slots, sizeof *r.slots);
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.cv, NULL);
    pthread_t *threads = xcalloc(n_workers + 1, sizeof *threads);
    unsigned started = 0;
    for (; started < n_workers; started++) {
        if (pthread_create(&threads[started], NULL, lean_worker, &r) != 0) {
            break;
        }
    }
    rc = lean_consume(&r, s, started, fn, ctx, e); /* no thread started: checks on this one */
    pthread_mutex_lock(&r.mu);
    r.stop = true;
    pthread_cond_broadcast(&r.cv);
    pthread_mutex_unlock(&r.mu);
    for (unsigned i = 0; i < started; i++) {
        pthread_join(threads[i], NULL);
    }
    for (size_t i = 0; i < r.n_slots; i++) {
        arena_release(&r.slots[i].arena); /* batches checked ahead of a failure */
        buf_release(&r.slots[i].prepared);
    }
    free(threads);
    free(r.slots);
    pthread_cond_destroy(&r.cv);
    pthread_mutex_destroy(&r.mu);
    factbase_free(fb);
    return rc;
}

enum app_err service_check_each(struct store *s, const struct check_request *rq, check_batch_fn fn,
                                void *ctx, struct err *e)
{
    struct arena run = ARENA_INIT;
    enum app_err rc;
    if (rq->case_id) {
        struct check_outcome o;
        rc = service_check(s, rq, &run, &o, e);
        if (rc == E_OK) {
            rc = fn(ctx, &o);
        }
        arena_release(&run);
        return rc;
    }
    struct treaty_table treaties;
    struct risk *risks = NULL;
    size_t n_risks = 0;
    rc = load_treaties(s, &run, &treaties, e);
    if (rc == E_OK) {
        rc = load_risks(s, &run, &risks, &n_risks, e);
    }
    if (rc == E_OK && rq->findings_only) {
        rc = check_all_lean(s, rq, risks, n_risks, &treaties, fn, ctx, e);
        arena_release(&run);
        return rc;
    }
    struct store_filter f = {.limit = CHECK_BATCH};
    char *after = NULL;
    while (rc == E_OK) {
        struct arena batch = ARENA_INIT;
        struct strs page;
        bool more = false;
        f.after = after;
        rc = store_list(s, OBJ_CASE, &f, &batch, &page, &more, e);
        if (rc == E_OK && page.n_items) {
            struct check_outcome o;
            rc = check_batch(s, rq, &page, risks, n_risks, &treaties, &batch, &o, e);
            if (rc == E_OK) {
                rc = fn(ctx, &o);
            }
            after = arena_strdup(&run, page.items[page.n_items - 1]);
        }
        arena_release(&batch);
        if (!more) {
            break;
        }
    }
    arena_release(&run);
    return rc;
}
