/*
 * engine.c: runs the rule table (rules.c) over the subjects of cases and
 * builds findings.
 *
 * Responsible for: the reading order of events; which events count as of D;
 * combining fact values three ways per condition, per destination and per
 * rule; judging party status on the date of the decisive fact and choosing the
 * basis codes; the facts, sources, missing codes, demands, summary and
 * explanation of each finding; and the order of findings. Not responsible for
 * reading any fact code (facts.c), for the rules themselves (rules.c) or for
 * showing findings to anyone.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_internal.h"
#include "core/buf.h"
#include "core/strmap.h"
#include "domain/refdata.h"

/* ---- small arena lists ------------------------------------------------- */

struct strlist {
    const char **items;
    size_t n_items;
    size_t cap;
    size_t *hashes;  /* strmap_hash() of each item, once the list is indexed */
    uint32_t *slots; /* a hash index of items (index + 1; 0 empty) once the list is long */
    size_t mask;
    bool by_address; /* equal strings are one string: compare and hash addresses only */
};

enum { STRLIST_SCAN = 8 }; /* up to this length, repeats are looked for one by one */

static size_t ptr_hash(const char *s)
{
    uint64_t h = (uint64_t)(uintptr_t)s * 0x9e3779b97f4a7c15ULL;
    return (size_t)(h ^ (h >> 29));
}

static size_t item_hash(const struct strlist *l, const char *s)
{
    return l->by_address ? ptr_hash(s) : (size_t)strmap_hash(s);
}

/* The slot of s in the index: where it is, or the empty slot it would take. */
static size_t strlist_slot(const struct strlist *l, const char *s, size_t h)
{
    size_t i = h & l->mask;
    while (l->slots[i] && l->items[l->slots[i] - 1] != s &&
           (l->by_address || strcmp(l->items[l->slots[i] - 1], s) != 0)) {
        i = (i + 1) & l->mask;
    }
    return i;
}

static void strlist_reindex(struct strlist *l, struct arena *a)
{
    size_t n_slots = 64;
    while (n_slots < 4 * l->n_items) {
        n_slots *= 2;
    }
    l->slots = arena_alloc(a, n_slots * sizeof *l->slots);
    l->mask = n_slots - 1;
    for (size_t i = 0; i < l->n_items; i++) {
        size_t at = strlist_slot(l, l->items[i], l->hashes[i]);
        if (!l->slots[at]) { /* else a repeat added without `unique`: the first one stands */
            l->slots[at] = (uint32_t)i + 1;
        }
    }
}

/* Whether s is on the list; *h gets its hash when the list is indexed. */
static bool strlist_has(const struct strlist *l, const char *s, size_t *h)
{
    if (!l->hashes) {
        for (size_t i = 0; i < l->n_items; i++) {
            if (l->items[i] == s) { /* callers often pass the same string again */
                return true;
            }
        }
        for (size_t i = 0; !l->by_address && i < l->n_items; i++) {
            if (strcmp(l->items[i], s) == 0) {
                return true;
            }
        }
        return false;
    }
    *h = item_hash(l, s);
    return l->slots[strlist_slot(l, s, *h)] != 0;
}

/* Appends s; h is its hash when the list is indexed. */
static void strlist_push(struct strlist *l, struct arena *a, const char *s, size_t h)
{
    if (l->n_items == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        const char **items = arena_alloc(a, cap * sizeof *items);
        if (l->n_items) {
            memcpy(items, l->items, l->n_items * sizeof *items);
        }
        l->items = items;
        if (l->hashes) {
            size_t *hashes = arena_alloc(a, cap * sizeof *hashes);
            memcpy(hashes, l->hashes, l->n_items * sizeof *hashes);
            l->hashes = hashes;
        }
        l->cap = cap;
    }
    if (l->hashes) {
        l->hashes[l->n_items] = h;
    }
    l->items[l->n_items++] = s;
    if (!l->hashes && l->n_items > STRLIST_SCAN) {
        l->hashes = arena_alloc(a, l->cap * sizeof *l->hashes);
        for (size_t i = 0; i < l->n_items; i++) {
            l->hashes[i] = item_hash(l, l->items[i]);
        }
        strlist_reindex(l, a);
    } else if (l->hashes && 2 * l->n_items > l->mask + 1) {
        strlist_reindex(l, a);
    } else if (l->hashes) {
        size_t at = strlist_slot(l, s, h);
        if (!l->slots[at]) {
            l->slots[at] = (uint32_t)l->n_items;
        }
    }
}

/* Appends s (not copied: callers pass arena or static strings); NULL is skipped,
 * and so is a repeat when `unique`. */
static void strlist_add(struct strlist *l, struct arena *a, const char *s, bool unique)
{
    if (!s) {
        return;
    }
    size_t h = 0;
    bool has = strlist_has(l, s, &h);
    if (unique && has) {
        return;
    }
    strlist_push(l, a, s, h);
}

static struct strs strlist_strs(const struct strlist *l)
{
    return (struct strs){.items = l->items, .n_items = l->n_items};
}

/* Copies the buffer into the arena and empties it. */
static const char *buf_take(struct buf *b, struct arena *a)
{
    const char *s = arena_strndup(a, b->data, b->len);
    buf_reset(b);
    return s;
}

/* ---- reading order ----------------------------------------------------- */

static int event_order(const void *pa, const void *pb)
{
    const struct event *a = *(const struct event *const *)pa;
    const struct event *b = *(const struct event *const *)pb;
    bool da = a->date.prec != DATE_NONE;
    bool db = b->date.prec != DATE_NONE;
    if (da != db) {
        return da ? 1 : -1;
    }
    if (da) {
        int64_t x = date_first_day(a->date);
        int64_t y = date_first_day(b->date);
        if (x != y) {
            return x < y ? -1 : 1;
        }
    }
    bool ea = event_type_is_ending(a->type);
    bool eb = event_type_is_ending(b->type);
    if (ea != eb) {
        return ea ? 1 : -1;
    }
    if (a->date.prec != b->date.prec) {
        return a->date.prec < b->date.prec ? -1 : 1;
    }
    int c = strcmp(a->id ? a->id : "", b->id ? b->id : "");
    if (c) {
        return c;
    }
    return (a > b) - (a < b);
}

void check_sort_events(const struct event **events, size_t n)
{
    size_t i = 1;
    while (i < n && event_order(&events[i - 1], &events[i]) < 0) {
        i++; /* callers mostly hand events in (nearly) this order already */
    }
    if (i < n) {
        qsort(events, n, sizeof *events, event_order);
    }
}

static bool names_person(const struct event *ev, const char *id, bool shared_ids)
{
    for (size_t i = 0; i < ev->persons.n_items; i++) {
        if (ev->persons.items[i] == id) {
            return true;
        }
    }
    if (shared_ids) {
        return false; /* the subject's id would be that very string */
    }
    for (size_t i = 0; i < ev->persons.n_items; i++) {
        if (ev->persons.items[i] && strcmp(ev->persons.items[i], id) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- three-valued combination ------------------------------------------ */

static enum tri tri_or(enum tri a, enum tri b)
{
    if (a == TRI_TRUE || b == TRI_TRUE) {
        return TRI_TRUE;
    }
    return a == TRI_FALSE && b == TRI_FALSE ? TRI_FALSE : TRI_UNKNOWN;
}

static enum tri tri_and(enum tri a, enum tri b)
{
    if (a == TRI_FALSE || b == TRI_FALSE) {
        return TRI_FALSE;
    }
    return a == TRI_TRUE && b == TRI_TRUE ? TRI_TRUE : TRI_UNKNOWN;
}

struct cond_eval {
    enum tri value;
    struct fact_eval f[2];
    size_t n_f;
};

struct dest_eval {
    const char *dest;
    enum tri value;
    struct cond_eval c[CHECK_MAX_CONDITIONS];
};

static void eval_dest(const struct subject *s, const struct check_rule *r, struct dest_eval *d)
{
    d->value = TRI_TRUE;
    for (size_t i = 0; i < r->n_conditions; i++) {
        const struct check_condition *cond = &r->conditions[i];
        struct cond_eval *ce = &d->c[i];
        fact_eval(s, cond->facts[0], d->dest, &ce->f[0]);
        ce->n_f = 1;
        ce->value = ce->f[0].value;
        if (cond->combine == COMBINE_OR) {
            fact_eval(s, cond->facts[1], d->dest, &ce->f[1]);
            ce->n_f = 2;
            ce->value = tri_or(ce->f[0].value, ce->f[1].value);
        }
        d->value = tri_and(d->value, ce->value);
    }
}

/* ---- party status -------------------------------------------------------- */

/* Party status of S for one group of instruments over the decisive days. */
struct party {
    enum tri bound;              /* TRUE if bound on any day; else UNKNOWN if any unknown */
    int64_t day;                 /* the day the status is described on */
    struct treaty_binding via;   /* the row relied on (for RC: Convention, else Protocol) */
    struct treaty_binding other; /* RC only: the Protocol row */
};

static struct party judge(const struct treaty_state *t, bool rc, enum treaty_instrument inst,
                          const int64_t *days, size_t n_days)
{
    struct party best = {.bound = TRI_FALSE, .day = days[0]};
    bool first = true;
    for (size_t i = 0; i < n_days; i++) {
        struct party p = {.day = days[i]};
        if (rc) {
            struct treaty_binding conv = treaty_binding_of(t, TREATY_RC1951, days[i]);
            struct treaty_binding prot = treaty_binding_of(t, TREATY_RP1967, days[i]);
            p.bound = tri_or(conv.bound, prot.bound);
            bool by_protocol = conv.bound != TRI_TRUE && prot.bound == TRI_TRUE;
            p.via = by_protocol ? prot : conv;
            p.other = by_protocol ? conv : prot;
        } else {
            p.via = treaty_binding_of(t, inst, days[i]);
            p.bound = p.via.bound;
        }
        int rank = p.bound == TRI_TRUE ? 2 : p.bound == TRI_UNKNOWN ? 1 : 0;
        int best_rank = best.bound == TRI_TRUE ? 2 : best.bound == TRI_UNKNOWN ? 1 : 0;
        if (first || rank > best_rank) {
            best = p;
            first = false;
        }
    }
    return best;
}

static const char *state_name(const char *alpha2)
{
    const char *n = alpha2 ? refdata_country_name(alpha2) : "";
    if (n && n[0]) {
        return n;
    }
    return alpha2 && alpha2[0] ? alpha2 : "the state of refuge";
}

static void add_day(struct buf *b, int64_t day)
{
    char words[64];
    date_words_en(date_from_days(day), false, words, sizeof words);
    buf_adds(b, words);
}

static void add_date(struct buf *b, struct date d, bool approx)
{
    char words[64];
    if (d.prec == DATE_NONE) {
        buf_adds(b, "date not recorded");
        return;
    }
    date_words_en(d, approx, words, sizeof words);
    buf_adds(b, words);
}

static const char *delay_words(enum treaty_instrument i)
{
    switch (i) {
    case TREATY_RC1951:
        return "in force 90 days later";
    case TREATY_RP1967:
        return "in force the same day";
    case TREATY_CAT:
        return "in force 30 days later";
    case TREATY_ICCPR:
    case TREATY_ICCPR_OP1:
        return "in force three months later";
    case TREATY_ECHR:
    case TREATY_ACHR:
    case TREATY_ACHPR:
    case TREATY_OAU1969:
    case TREATY_INSTRUMENT_COUNT:
        break;
    }
    return "in force on deposit";
}

/* Describes one row's status for S on a day, with confidence and source. */
static void add_row_status(struct buf *b, const char *state, enum treaty_instrument inst,
                           const struct treaty_binding *tb, int64_t day)
{
    const char *name = state_name(state);
    const char *title = treaty_instrument_title(inst);
    const struct treaty_row *row = tb->row;
    if (!row) {
        if (tb->state_known) {
            buf_addf(
                b,
                "the status of %s under the %s is not in the project's treaty data, so it is unknown",
                name, title);
        } else {
            buf_addf(
                b,
                "the party status of %s is unknown: the state is not in the project's treaty data",
                name);
        }
        return;
    }
    int64_t earliest = 0;
    int64_t latest = 0;
    switch (row->status) {
    case TREATY_PARTY:
        treaty_in_force(row, &earliest, &latest);
        if (tb->bound == TRI_TRUE) {
            buf_addf(b, "%s has been bound by the %s since ", name, title);
            add_day(b, latest);
        } else if (tb->bound == TRI_FALSE) {
            buf_addf(b, "%s was not yet bound by the %s on ", name, title);
            add_day(b, day);
        } else {
            buf_addf(b, "whether %s was bound by the %s on ", name, title);
            add_day(b, day);
            buf_adds(b, " is unknown");
        }
        buf_adds(b, " (deposited ");
        add_date(b, row->deposited, false);
        buf_addf(b, ", %s", delay_words(inst));
        if (tb->bound != TRI_TRUE) {
            buf_adds(b, ": from ");
            add_day(b, earliest);
            if (latest != earliest) {
                buf_adds(b, " at the earliest");
            }
        }
        buf_adds(b, ")");
        break;
    case TREATY_SIGNATORY:
        buf_addf(b, "%s has signed but not ratified the %s, so it is not bound by it", name, title);
        break;
    case TREATY_NONE:
        buf_addf(b, "%s is not a party to the %s", name, title);
        break;
    }
    buf_addf(b, "; data confidence %s; source: %s", row->confidence ? row->confidence : "not given",
             row->source ? row->source : "not given");
    if (row->note) {
        buf_addf(b, "; note: %s", row->note);
    }
}

static void add_party(struct buf *b, const char *state, bool rc, enum treaty_instrument inst,
                      const struct party *p)
{
    if (!p->via.row && !p->via.state_known) {
        add_row_status(b, state, inst, &p->via, p->day); /* the state is not in the data */
        return;
    }
    if (!rc) {
        add_row_status(b, state, inst, &p->via, p->day);
        return;
    }
    if (p->bound == TRI_TRUE && p->via.row && p->via.row->instrument == TREATY_RP1967) {
        buf_adds(
            b,
            "binding through the 1967 Protocol, which binds its parties to arts. 2-34 of the Convention: ");
        add_row_status(b, state, TREATY_RP1967, &p->via, p->day);
        return;
    }
    add_row_status(b, state, TREATY_RC1951, &p->via, p->day);
    if (p->bound != TRI_TRUE && (p->other.row || p->via.row)) {
        buf_adds(b, "; and ");
        add_row_status(b, state, TREATY_RP1967, &p->other, p->day);
    }
}

/* ---- summaries ---------------------------------------------------------- */

struct render {
    const struct subject *s;
    const struct check_rule *r;
    const struct fact_eval *facts[FACT_COUNT]; /* of the first destination spoken of */
    const char **dests;
    size_t n_dests;
    const struct strlist *missing_words;
};

static bool is_group(const struct person *p)
{
    return p->group == TRI_TRUE;
}

static void add_who(struct buf *b, const struct person *p)
{
    const char *name = person_display_name(p);
    if (!name) {
        name = p->id;
    }
    if (!is_group(p)) {
        buf_adds(b, name);
    } else if (p->group_size > 0) {
        buf_addf(b, "the group \"%s\" (%lld people)", name, (long long)p->group_size);
    } else {
        buf_addf(b, "the group \"%s\"", name);
    }
}

/* "on 6 December 2019", "in October 2019", "around October 2019", "on a date not recorded". */
static void add_when(struct buf *b, const struct event *ev)
{
    if (!ev || ev->date.prec == DATE_NONE) {
        buf_adds(b, "on a date not recorded");
        return;
    }
    if (ev->approx) {
        buf_adds(b, "around ");
    } else {
        buf_adds(b, ev->date.prec == DATE_DAY ? "on " : "in ");
    }
    add_date(b, ev->date, false);
}

static void add_country(struct buf *b, const char *alpha2)
{
    if (!alpha2) {
        buf_adds(b, "an unrecorded destination");
        return;
    }
    buf_adds(b, state_name(alpha2));
}

static void add_words(struct buf *b, const char *s)
{
    while (*s) { /* runs of letters at once: a check of every case says many harms */
        size_t n = strcspn(s, "_");
        buf_add(b, s, n);
        s += n;
        if (*s) {
            buf_addch(b, ' ');
            s++;
        }
    }
}

static void add_risk(struct buf *b, const struct render *rd)
{
    const struct fact_eval *f = rd->facts[FACT_RISK_IN_DESTINATION];
    bool group = is_group(rd->s->p);
    struct strlist harms = {0};
    bool any_risk = false;
    bool any_ill = false;
    for (size_t i = 0; f && i < f->n_items; i++) {
        if (f->items[i].risk) {
            any_risk = true;
            for (size_t h = 0; h < f->items[i].risk->harms.n_items; h++) {
                strlist_add(&harms, rd->s->a, f->items[i].risk->harms.items[h], true);
            }
        } else if (f->items[i].ev) {
            any_ill = true;
        }
    }
    if (any_risk) {
        buf_addf(b, "%s at documented risk there", group ? "are" : "is");
        for (size_t i = 0; i < harms.n_items; i++) {
            buf_adds(b, i == 0 ? " of " : i + 1 == harms.n_items ? " and " : ", ");
            add_words(b, harms.items[i]);
        }
        if (any_ill) {
            buf_adds(b, ", and ill-treatment there is also reported");
        }
    } else if (any_ill) {
        buf_addf(b, "%s reported ill-treatment there", group ? "have" : "has");
    } else {
        buf_adds(b, "may be at risk there");
    }
}

static void add_prosecuted(struct buf *b, const struct event *ev)
{
    if (!ev) {
        buf_adds(b, "prosecuted");
        return;
    }
    const char *offence = ev->offence && ev->offence[0] ? ev->offence : NULL;
    if (ev->type == EV_CONVICTION) {
        buf_addf(b, "convicted of %s", offence ? offence : "an offence");
    } else {
        buf_addf(b, "facing a charge of %s", offence ? offence : "an offence");
    }
    buf_adds(b, " (");
    add_date(b, ev->date, ev->approx);
    buf_adds(b, ")");
}

static void add_detention(struct buf *b, const struct event *ev)
{
    const char *kind = ev ? ev->kind : NULL;
    if (kind && strcmp(kind, "pretrial") == 0) {
        buf_adds(b, "pre-trial detention");
    } else if (kind && strcmp(kind, "immigration") == 0) {
        buf_adds(b, "immigration detention");
    } else if (kind && strcmp(kind, "administrative") == 0) {
        buf_adds(b, "administrative detention");
    } else if (kind && strcmp(kind, "camp") == 0) {
        buf_adds(b, "a camp");
    } else {
        buf_adds(b, "detention");
    }
    if (!ev || ev->date.prec == DATE_NONE) {
        buf_adds(b, " (start not recorded)");
        return;
    }
    buf_adds(b, " since ");
    add_date(b, ev->date, ev->approx);
}

static void add_deadline(struct buf *b, const struct event *ev)
{
    if (!ev) {
        buf_adds(b, "appeal ends soon");
        return;
    }
    switch (ev->type) {
    case EV_REMOVAL_REQUESTED:
        buf_adds(b, "object to the removal request of ");
        break;
    case EV_REMOVAL_ORDERED:
        buf_adds(b, "appeal the removal order of ");
        break;
    case EV_FLIGHT:
    case EV_BORDER_CROSSING:
    case EV_ASYLUM_APPLICATION:
    case EV_ASYLUM_DECISION:
    case EV_ARREST:
    case EV_DETENTION:
    case EV_RELEASE:
    case EV_CHARGE:
    case EV_CONVICTION:
    case EV_ACQUITTAL:
    case EV_REMOVAL_ANNOUNCED:
    case EV_REMOVAL_CANCELLED:
    case EV_REMOVAL:
    case EV_LEGAL_ASSISTANCE:
    case EV_ACCESS_DENIED:
    case EV_ILL_TREATMENT:
    case EV_UNHCR:
    case EV_OTHER:
    case EV_TYPE_COUNT:
        buf_adds(b, "appeal the asylum decision of ");
        break;
    }
    add_date(b, ev->date, ev->approx);
    buf_adds(b, " ends ");
    buf_adds(b, ev->appeal_until.prec == DATE_DAY ? "on " : "in ");
    add_date(b, ev->appeal_until, false);
}

static void add_conflict(struct buf *b, const struct fact_eval *f)
{
    if (!f || !f->n_items) {
        buf_adds(b, "its events contradict each other");
        return;
    }
    const struct event *charge = f->items[f->n_items - 1].ev;
    for (size_t i = 0; i + 1 < f->n_items; i++) {
        const struct event *ev = f->items[i].ev;
        buf_adds(b, i == 0                ? "conviction "
                    : i + 2 == f->n_items ? " and conviction "
                                          : ", conviction ");
        buf_addf(b, "%s (", ev->id ? ev->id : "?");
        add_date(b, ev->date, ev->approx);
        buf_adds(b, ")");
    }
    buf_addf(b, " %s dated before the earliest charge, %s (", f->n_items > 2 ? "are" : "is",
             charge && charge->id ? charge->id : "?");
    if (charge) {
        add_date(b, charge->date, charge->approx);
    }
    buf_adds(b, ")");
}

static void add_plan(struct buf *b, const struct event *ev)
{
    if (!ev) {
        buf_adds(b, "planned");
        return;
    }
    buf_adds(b, ev->type == EV_REMOVAL_REQUESTED ? "requested "
                : ev->type == EV_REMOVAL_ORDERED ? "ordered "
                                                 : "announced ");
    add_when(b, ev);
}

static void add_placeholder(struct buf *b, const struct render *rd, const char *name, size_t len)
{
    const struct person *p = rd->s->p;
    bool group = is_group(p);
#define IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
    if (IS("who")) {
        add_who(b, p);
    } else if (IS("is")) {
        buf_adds(b, group ? "are" : "is");
    } else if (IS("was")) {
        buf_adds(b, group ? "were" : "was");
    } else if (IS("has")) {
        buf_adds(b, group ? "have" : "has");
    } else if (IS("dest")) {
        for (size_t i = 0; i < rd->n_dests; i++) {
            buf_adds(b, i == 0 ? "" : i + 1 == rd->n_dests ? " or " : ", ");
            add_country(b, rd->dests[i]);
        }
    } else if (IS("plan")) {
        add_plan(b, rd->facts[FACT_PLANNED_REMOVAL] ? rd->facts[FACT_PLANNED_REMOVAL]->key : NULL);
    } else if (IS("removed")) {
        add_when(b, rd->facts[FACT_REMOVAL_DONE] ? rd->facts[FACT_REMOVAL_DONE]->key : NULL);
    } else if (IS("risk")) {
        add_risk(b, rd);
    } else if (IS("prosecuted")) {
        add_prosecuted(b, rd->facts[FACT_ENTRY_CHARGE] ? rd->facts[FACT_ENTRY_CHARGE]->key : NULL);
    } else if (IS("detention")) {
        add_detention(b, rd->facts[FACT_IN_DETENTION] ? rd->facts[FACT_IN_DETENTION]->key : NULL);
    } else if (IS("custody")) {
        const struct fact_eval *d = rd->facts[FACT_IN_DETENTION];
        if (d && d->value == TRI_TRUE) {
            buf_adds(b, "held in ");
            add_detention(b, d->key);
        } else {
            add_prosecuted(b,
                           rd->facts[FACT_ENTRY_CHARGE] ? rd->facts[FACT_ENTRY_CHARGE]->key : NULL);
        }
    } else if (IS("denied")) {
        const struct fact_eval *f = rd->facts[FACT_ASYLUM_ACCESS_DENIED];
        const struct event *ev = f ? f->key : NULL;
        buf_adds(b,
                 ev && ev->to && strcmp(ev->to, "unhcr") == 0 ? "UNHCR " : "the asylum procedure ");
        add_when(b, ev);
    } else if (IS("deadline")) {
        add_deadline(b, rd->facts[FACT_DEADLINE_NEAR] ? rd->facts[FACT_DEADLINE_NEAR]->key : NULL);
    } else if (IS("conflict")) {
        add_conflict(b, rd->facts[FACT_CONVICTION_BEFORE_CHARGE]);
    } else if (IS("missing")) {
        for (size_t i = 0; i < rd->missing_words->n_items; i++) {
            buf_adds(b, i == 0 ? "" : "; ");
            buf_adds(b, rd->missing_words->items[i]);
        }
    } else {
        buf_addch(b, '{');
        buf_add(b, name, len);
        buf_addch(b, '}');
    }
#undef IS
}

static void render(struct buf *b, const struct render *rd, const char *tmpl)
{
    const char *p = tmpl;
    bool start = true;
    while (*p) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        size_t before = b->len;
        if (close) {
            add_placeholder(b, rd, p + 1, (size_t)(close - p - 1));
            p = close + 1;
        } else { /* the words up to the next placeholder, at once */
            const char *open = strchr(p + 1, '{');
            size_t n = open ? (size_t)(open - p) : strlen(p);
            buf_add(b, p, n);
            p += n;
        }
        /* A sentence opens with a capital ("the group ..." at the start). */
        if (start && b->len > before) {
            if (b->data[0] >= 'a' && b->data[0] <= 'z') {
                b->data[0] = (char)(b->data[0] - 'a' + 'A');
            }
            start = false;
        }
    }
}

/* ---- one rule for one subject ------------------------------------------ */

struct findings {
    struct finding *items;
    size_t n_items;
    size_t cap;
};

static struct finding *findings_add(struct findings *fs, struct arena *a)
{
    if (fs->n_items == fs->cap) {
        size_t cap = fs->cap ? 2 * fs->cap : 16;
        struct finding *items = arena_alloc(a, cap * sizeof *items);
        if (fs->n_items) {
            memcpy(items, fs->items, fs->n_items * sizeof *items);
        }
        fs->items = items;
        fs->cap = cap;
    }
    return &fs->items[fs->n_items++];
}

/* Adds a copy of s (in the arena) unless it is on the list. */
static void strlist_add_copy(struct strlist *l, struct arena *a, const char *s)
{
    size_t h = 0;
    if (s && !strlist_has(l, s, &h)) {
        strlist_push(l, a, arena_strdup(a, s), h);
    }
}

static void add_sources(struct strlist *l, struct arena *a, const struct strs *ids)
{
    for (size_t i = 0; i < ids->n_items; i++) {
        strlist_add_copy(l, a, ids->items[i]);
    }
}

static bool cite(enum check_cite c, const struct party *rc, const struct party *cat,
                 const struct party *iccpr)
{
    switch (c) {
    case CITE_ALWAYS:
        return true;
    case CITE_IF_RC:
        return rc->bound == TRI_TRUE;
    case CITE_IF_CAT:
        return cat->bound == TRI_TRUE;
    case CITE_IF_ICCPR:
        return iccpr->bound == TRI_TRUE;
    case CITE_IF_NOT_RC_NOR_CAT:
        return rc->bound != TRI_TRUE && cat->bound != TRI_TRUE;
    case CITE_IF_NOT_RC:
        return rc->bound != TRI_TRUE;
    }
    return false;
}

static void explain(struct buf *b, const struct subject *s, const struct check_basis *basis,
                    bool cited, const struct party *rc, const struct party *cat,
                    const struct party *iccpr)
{
    const char *words = check_basis_words(basis->code);
    if (cited) {
        buf_addf(b, "%s: %s. ", basis->code, words ? words : basis->code);
    } else {
        buf_addf(b, "%s not cited: ", basis->code);
    }
    size_t start = b->len;
    switch (basis->cite) {
    case CITE_ALWAYS:
        buf_adds(b, "Guidance, cited whatever the treaties the state has joined.");
        return;
    case CITE_IF_RC:
        add_party(b, s->state, true, TREATY_RC1951, rc);
        break;
    case CITE_IF_CAT:
        add_party(b, s->state, false, TREATY_CAT, cat);
        break;
    case CITE_IF_ICCPR:
        add_party(b, s->state, false, TREATY_ICCPR, iccpr);
        break;
    case CITE_IF_NOT_RC_NOR_CAT:
    case CITE_IF_NOT_RC:
        if (!cited) {
            buf_addf(b, "%s is bound by %s, cited instead", state_name(s->state),
                     rc->bound == TRI_TRUE ? "the 1951 Convention or its 1967 Protocol"
                                           : "the Convention against Torture");
            break;
        }
        buf_adds(b, "Cited because the state is not shown to be bound by treaty: ");
        add_party(b, s->state, true, TREATY_RC1951, rc);
        if (basis->cite == CITE_IF_NOT_RC_NOR_CAT && (rc->via.row || rc->via.state_known)) {
            buf_adds(b, "; ");
            add_party(b, s->state, false, TREATY_CAT, cat);
        }
        break;
    }
    if (cited && b->len > start && b->data[start] >= 'a' && b->data[start] <= 'z') {
        b->data[start] = (char)(b->data[start] - 'a' + 'A');
    }
    buf_addch(b, '.');
}

static void judge_rule(const struct subject *s, const struct check_rule *r, struct findings *fs)
{
    struct arena *a = s->a;
    const char **dests = arena_alloc(a, (s->n_evs + 1) * sizeof *dests);
    size_t n_dests = 1;
    if (r->scope != SCOPE_PERSON) {
        n_dests = subject_destinations(s, r->scope == SCOPE_PLANNED_DESTINATION, dests);
    }
    if (!n_dests) {
        return; /* no planned (or carried-out) removal: the first condition is false */
    }
    struct dest_eval *ds = arena_alloc(a, n_dests * sizeof *ds);
    enum tri value = TRI_FALSE;
    for (size_t i = 0; i < n_dests; i++) {
        ds[i].dest = dests[i];
        eval_dest(s, r, &ds[i]);
        value = tri_or(value, ds[i].value);
    }
    if (value == TRI_FALSE) {
        return;
    }

    /* Decisive days: D, or the dates of what settles the first condition. */
    int64_t *days = arena_alloc(a, (s->n_evs + 1) * sizeof *days);
    size_t n_days = 0;
    for (size_t i = 0; r->when == WHEN_FIRST_CONDITION && i < n_dests; i++) {
        if (ds[i].value == TRI_FALSE) {
            continue;
        }
        const struct fact_eval *f = &ds[i].c[0].f[0];
        for (size_t k = 0; k < f->n_items; k++) {
            const struct event *ev = f->items[k].ev;
            if (ev && ev->date.prec != DATE_NONE) {
                days[n_days++] = date_first_day(ev->date);
            }
        }
    }
    if (!n_days) {
        days[n_days++] = s->today;
    }
    struct party rc = judge(s->treaty, true, TREATY_RC1951, days, n_days);
    struct party cat = judge(s->treaty, false, TREATY_CAT, days, n_days);
    struct party iccpr = judge(s->treaty, false, TREATY_ICCPR, days, n_days);
    if (r->gate == GATE_RC_OR_UNKNOWN && rc.bound == TRI_FALSE) {
        return;
    }

    struct finding *fd = findings_add(fs, a);
    fd->case_id = s->explain ? arena_strdup(a, s->case_->id) : s->case_->id;
    fd->person_id = s->explain ? arena_strdup(a, s->p->id) : s->p->id;
    fd->rule_id = r->id;
    fd->rule = r;
    fd->severity = r->severity;
    fd->status = value == TRI_TRUE ? CHECK_ESTABLISHED : CHECK_INCOMPLETE;

    /* The destinations spoken of: those with the finding's value. */
    struct render rd = {.s = s, .r = r};
    const char **spoken = arena_alloc(a, n_dests * sizeof *spoken);
    struct strlist dest_codes = {0};
    const struct dest_eval *lead = NULL;
    for (size_t i = 0; i < n_dests; i++) {
        if (ds[i].value == TRI_FALSE) {
            continue;
        }
        if (r->scope != SCOPE_PERSON && ds[i].dest) {
            strlist_add_copy(&dest_codes, a, ds[i].dest);
        }
        if (ds[i].value == value) {
            spoken[rd.n_dests++] = ds[i].dest;
            if (!lead) {
                lead = &ds[i];
            }
        }
    }
    rd.dests = spoken;
    for (size_t c = 0; lead && c < r->n_conditions; c++) {
        for (size_t k = 0; k < lead->c[c].n_f; k++) {
            rd.facts[r->conditions[c].facts[k]] = &lead->c[c].f[k];
        }
    }

    /* Facts and sources, in condition order; missing codes likewise. */
    /* Brief: ids point into the cases, which keep each once (shared_ids). */
    struct strlist ids = {.by_address = !s->explain && s->shared_ids};
    struct strlist sources = {0};
    struct strlist missing = {0};
    struct strlist missing_words = {0};
    for (size_t c = 0; c < r->n_conditions; c++) {
        for (size_t i = 0; i < n_dests; i++) {
            if (ds[i].value == TRI_FALSE) {
                continue;
            }
            for (size_t k = 0; k < ds[i].c[c].n_f; k++) {
                const struct fact_eval *f = &ds[i].c[c].f[k];
                for (size_t j = 0; j < f->n_items; j++) {
                    const struct event *ev = f->items[j].ev;
                    const struct risk *rk = f->items[j].risk;
                    const char *id = ev ? ev->id : rk->id;
                    if (!s->explain) { /* brief: ids point into the cases, no sources */
                        strlist_add(&ids, a, id, true);
                        continue;
                    }
                    strlist_add_copy(&ids, a, id);
                    add_sources(&sources, a, ev ? &ev->sources : &rk->sources);
                }
                if (value == TRI_UNKNOWN && ds[i].c[c].value == TRI_UNKNOWN &&
                    f->value == TRI_UNKNOWN) {
                    const struct check_fact_info *info = check_fact_info(r->conditions[c].facts[k]);
                    size_t before = missing.n_items;
                    strlist_add(&missing, a, info->code, true);
                    if (missing.n_items > before) {
                        strlist_add(&missing_words, a, info->words, false);
                    }
                }
            }
        }
    }
    fd->facts = strlist_strs(&ids);
    fd->sources = strlist_strs(&sources);
    fd->missing = strlist_strs(&missing);
    fd->missing_words = strlist_strs(&missing_words);
    fd->destinations = strlist_strs(&dest_codes);

    struct strlist demands = {0};
    for (size_t i = 0; i < r->n_demands; i++) {
        strlist_add(&demands, a, r->demands[i], true);
    }
    fd->demands = strlist_strs(&demands);

    struct buf b = BUF_INIT;
    struct strlist basis = {0};
    struct strlist lines = {0};
    for (size_t i = 0; i < r->n_basis; i++) {
        bool cited = cite(r->basis[i].cite, &rc, &cat, &iccpr);
        if (cited) {
            strlist_add(&basis, a, r->basis[i].code, true);
        }
        if (s->explain) {
            explain(&b, s, &r->basis[i], cited, &rc, &cat, &iccpr);
            strlist_add(&lines, a, buf_take(&b, a), false);
        }
    }
    fd->basis = strlist_strs(&basis);
    fd->explanation = strlist_strs(&lines);

    rd.missing_words = &missing_words;
    render(&b, &rd, value == TRI_TRUE ? r->summary_established : r->summary_incomplete);
    fd->summary = buf_take(&b, a);
    buf_release(&b);
}

/* ---- cases -------------------------------------------------------------- */

static bool case_is_checked(const struct case_ *c)
{
    return !c->status || strcmp(c->status, "open") == 0 || strcmp(c->status, "monitoring") == 0;
}

/* finding_order() for findings of one case. */
static int finding_order_in_case(const void *pa, const void *pb)
{
    const struct finding *a = pa;
    const struct finding *b = pb;
    if (a->severity != b->severity) {
        return a->severity < b->severity ? -1 : 1;
    }
    int c = strcmp(a->rule_id, b->rule_id);
    if (c) {
        return c;
    }
    return strcmp(a->person_id, b->person_id);
}

static int finding_order(const void *pa, const void *pb)
{
    const struct finding *a = pa;
    const struct finding *b = pb;
    int c = strcmp(a->case_id, b->case_id);
    if (c) {
        return c;
    }
    if (a->severity != b->severity) {
        return a->severity < b->severity ? -1 : 1;
    }
    c = strcmp(a->rule_id, b->rule_id);
    if (c) {
        return c;
    }
    return strcmp(a->person_id, b->person_id);
}

static enum app_err run(const struct case_facts *cases, size_t n_cases, struct date as_of,
                        const struct treaty_table *treaties, bool explain, struct arena *a,
                        struct check_result *out, struct err *e)
{
    static const struct treaty_table no_treaties = {0};
    struct findings fs = {0};
    *out = (struct check_result){0};
    if (as_of.prec == DATE_NONE) {
        return err_set(e, E_INVALID, "the date to check as of is missing");
    }
    if (!treaties) {
        treaties = &no_treaties;
    }
    size_t n_rules = 0;
    const struct check_rule *rules = check_rules(&n_rules);
    struct treaty_state ts;
    const char *ts_state = NULL; /* the state ts was found for */
    bool ts_known = false;
    for (size_t ci = 0; ci < n_cases; ci++) {
        const struct case_facts *cf = &cases[ci];
        if (!cf->case_ || !cf->case_->id) {
            return err_set_at(e, E_INVALID, "cases", "case %zu has no id", ci);
        }
        if (!case_is_checked(cf->case_)) {
            continue;
        }
        /* each written before it is read: evs up to s.n_evs, the memos
         * by the memset()s below */
        const struct event **evs = arena_alloc_unzeroed(a, (cf->n_events + 1) * sizeof *evs);
        struct risk_memo memo = {
            .current = arena_alloc_unzeroed(a, (cf->n_risks + 1) * sizeof *memo.current),
            .fit = arena_alloc_unzeroed(a, (cf->n_risks + 1) * sizeof *memo.fit),
        };
        memset(memo.current, RISK_FIT_UNKNOWN, cf->n_risks * sizeof *memo.current);
        const char *state = cf->case_->state;
        if (!ts_known || (state != ts_state && (!state || !ts_state || strcmp(state, ts_state)))) {
            treaty_state_of(treaties, state, &ts); /* cases of one state often follow each other */
            ts_state = state;
            ts_known = true;
        }
        size_t case_first = fs.n_items;
        /* Each event's first day, once for all the subjects (undated: before
         * any day, so that it is always taken). */
        int64_t *first_day = arena_alloc_unzeroed(a, (cf->n_events + 1) * sizeof *first_day);
        for (size_t i = 0; i < cf->n_events; i++) {
            const struct event *ev = &cf->events[i];
            first_day[i] = ev->date.prec == DATE_NONE ? INT64_MIN : date_first_day(ev->date);
        }
        for (size_t pi = 0; pi < cf->n_subjects; pi++) {
            const struct person *p = &cf->subjects[pi];
            if (!p->id) {
                return err_set_at(e, E_INVALID, cf->case_->id, "subject %zu has no id", pi);
            }
            struct subject s = {.case_ = cf->case_,
                                .p = p,
                                .state = cf->case_->state,
                                .treaty = &ts,
                                .today = date_first_day(as_of),
                                .evs = evs,
                                .risks = cf->risks,
                                .n_risks = cf->n_risks,
                                .memo = &memo,
                                .explain = explain,
                                .shared_ids = cf->shared_ids,
                                .a = a};
            for (size_t i = 0; i < cf->n_events; i++) {
                const struct event *ev = &cf->events[i];
                if (first_day[i] <= s.today && names_person(ev, p->id, cf->shared_ids)) {
                    evs[s.n_evs++] = ev;
                }
            }
            check_sort_events(evs, s.n_evs);
            memset(memo.fit, RISK_FIT_UNKNOWN, cf->n_risks * sizeof *memo.fit);
            memo.n_tags = 0;
            bool removed = subject_removed(&s);
            for (size_t ri = 0; ri < n_rules; ri++) {
                if (removed && !rules[ri].after_removal) {
                    continue;
                }
                judge_rule(&s, &rules[ri], &fs);
            }
        }
        if (fs.n_items - case_first > 1) {
            qsort(fs.items + case_first, fs.n_items - case_first, sizeof *fs.items,
                  finding_order_in_case);
        }
    }
    /* Each case's findings are sorted as they are made; cases handed over
     * in id order (as checking every case does) then need nothing more. */
    size_t i = 1;
    while (i < fs.n_items && finding_order(&fs.items[i - 1], &fs.items[i]) <= 0) {
        i++;
    }
    if (i < fs.n_items) {
        qsort(fs.items, fs.n_items, sizeof *fs.items, finding_order);
    }
    out->items = fs.items;
    out->n_items = fs.n_items;
    return E_OK;
}

enum app_err check_run(const struct case_facts *cases, size_t n_cases, struct date as_of,
                       const struct treaty_table *treaties, struct arena *a,
                       struct check_result *out, struct err *e)
{
    return run(cases, n_cases, as_of, treaties, true, a, out, e);
}

enum app_err check_run_brief(const struct case_facts *cases, size_t n_cases, struct date as_of,
                             const struct treaty_table *treaties, struct arena *a,
                             struct check_result *out, struct err *e)
{
    return run(cases, n_cases, as_of, treaties, false, a, out, e);
}
