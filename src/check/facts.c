/*
 * facts.c: the fact codes of findings.md, each read to the letter from one
 * subject's events in reading order.
 *
 * Responsible for the three-valued value of each code and for naming the
 * events and risks it relied on. Acts of the state are false unless recorded;
 * the person's circumstances are unknown unless recorded facts settle them.
 * Not responsible for combining facts into rules (engine.c) nor for wording.
 * Every reading of an ambiguous line of the table is listed in docs/checks.md.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "check/check_internal.h"

bool text_ieq(const char *a, const char *b)
{
    if (!a || !b) {
        return false;
    }
    for (;; a++, b++) {
        char x = (char)(*a >= 'A' && *a <= 'Z' ? *a - 'A' + 'a' : *a);
        char y = (char)(*b >= 'A' && *b <= 'Z' ? *b - 'A' + 'a' : *b);
        if (x != y) {
            return false;
        }
        if (!x) {
            return true;
        }
    }
}

/* Same destination: both absent, or the same code. */
static bool dest_eq(const char *a, const char *b)
{
    return (!a && !b) || text_ieq(a, b);
}

const char *event_country(const struct event *ev)
{
    return ev->has_place && ev->place.country && ev->place.country[0] ? ev->place.country : NULL;
}

const char *event_destination(const struct event *ev)
{
    if (ev->to_country && ev->to_country[0]) {
        return ev->to_country;
    }
    if (ev->type == EV_REMOVAL_REQUESTED && ev->by_country && ev->by_country[0]) {
        return ev->by_country;
    }
    return NULL;
}

/* In the state of refuge: the place's country is S, or there is no place. */
static bool in_state(const struct subject *s, const struct event *ev)
{
    const char *c = event_country(ev);
    return !c || text_ieq(c, s->state);
}

static bool is_plan(enum event_type t)
{
    return t == EV_REMOVAL_ANNOUNCED || t == EV_REMOVAL_REQUESTED || t == EV_REMOVAL_ORDERED;
}

/* A planning event at index i is still standing: not followed (same date or
 * later, which the reading order gives) by a removal_cancelled to the same
 * destination or by any removal. */
static bool plan_standing(const struct subject *s, size_t i)
{
    const char *dest = event_destination(s->evs[i]);
    for (size_t j = i + 1; j < s->n_evs; j++) {
        const struct event *ev = s->evs[j];
        if (ev->type == EV_REMOVAL) {
            return false;
        }
        if (ev->type == EV_REMOVAL_CANCELLED && dest_eq(event_destination(ev), dest)) {
            return false;
        }
    }
    return true;
}

/* Not followed by an event of type t1 or t2 of P. */
static bool not_followed_by(const struct subject *s, size_t i, enum event_type t1,
                            enum event_type t2)
{
    for (size_t j = i + 1; j < s->n_evs; j++) {
        if (s->evs[j]->type == t1 || s->evs[j]->type == t2) {
            return false;
        }
    }
    return true;
}

bool subject_removed(const struct subject *s)
{
    for (size_t i = 0; i < s->n_evs; i++) {
        if (s->evs[i]->type == EV_REMOVAL) {
            return true;
        }
    }
    return false;
}

size_t subject_destinations(const struct subject *s, bool plan, const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_evs; i++) {
        const struct event *ev = s->evs[i];
        if (plan ? !(is_plan(ev->type) && plan_standing(s, i)) : ev->type != EV_REMOVAL) {
            continue;
        }
        const char *dest = event_destination(ev);
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++) {
            seen = dest_eq(out[k], dest);
        }
        if (!seen) {
            out[n++] = dest;
        }
    }
    return n;
}

static void rely_add(struct fact_eval *out, struct relied r)
{
    if (out->n_items == out->cap) {
        size_t cap = out->cap ? 2 * out->cap : 8;
        struct relied *items = arena_alloc(out->a, cap * sizeof *items);
        if (out->n_items) {
            memcpy(items, out->items, out->n_items * sizeof *items);
        }
        out->items = items;
        out->cap = cap;
    }
    out->items[out->n_items++] = r;
}

static void rely_event(struct fact_eval *out, const struct event *ev)
{
    for (size_t i = 0; i < out->n_items; i++) {
        if (out->items[i].ev == ev) {
            return;
        }
    }
    rely_add(out, (struct relied){.ev = ev});
}

static bool has_tag(const struct strs *tags, const char *tag)
{
    for (size_t i = 0; i < tags->n_items; i++) {
        if (text_ieq(tags->items[i], tag)) {
            return true;
        }
    }
    return false;
}

/* Whether P has a profile tag, ethnicity or religion equal to tag. */
static bool has_profile(const struct subject *s, const char *tag)
{
    struct risk_memo *m = s->memo;
    for (size_t i = 0; i < m->n_tags; i++) {
        if (m->tags[i].tag == tag) {
            return m->tags[i].has;
        }
    }
    bool has = has_tag(&s->p->profiles, tag) || text_ieq(s->p->ethnicity, tag) ||
               text_ieq(s->p->religion, tag);
    if (m->n_tags < RISK_MEMO_TAGS) {
        m->tags[m->n_tags].tag = tag;
        m->tags[m->n_tags++].has = has;
    }
    return has;
}

/* A risk fits P when its period covers D and its profiles are empty or
 * share a tag with P's profiles, ethnicity or religion. */
static bool risk_fits(const struct subject *s, size_t k)
{
    const struct risk *r = &s->risks[k];
    uint8_t *current = &s->memo->current[k];
    if (*current == RISK_FIT_UNKNOWN) {
        bool cur = (r->from.prec == DATE_NONE || date_first_day(r->from) <= s->today) &&
                   (r->to.prec == DATE_NONE || date_last_day(r->to) >= s->today);
        *current = cur ? RISK_FIT_YES : RISK_FIT_NO;
    }
    if (*current == RISK_FIT_NO) {
        return false;
    }
    if (!r->profiles.n_items) {
        return true;
    }
    for (size_t i = 0; i < r->profiles.n_items; i++) {
        if (has_profile(s, r->profiles.items[i])) {
            return true;
        }
    }
    return false;
}

bool subject_risk_fits(const struct subject *s, size_t i)
{
    uint8_t *fit = &s->memo->fit[i];
    if (*fit == RISK_FIT_UNKNOWN) {
        *fit = risk_fits(s, i) ? RISK_FIT_YES : RISK_FIT_NO;
    }
    return *fit == RISK_FIT_YES;
}

/* Risks that apply to P in X (their country is X and they fit P), then P's
 * ill-treatment placed in X. Each risk is visited once and `out` holds no
 * risk before: they are added without looking for repeats. */
static bool risk_in(const struct subject *s, const char *x, struct fact_eval *out)
{
    bool any = false;
    if (!x) {
        return false;
    }
    const char *same = NULL; /* a risk's country found equal to x: others are often that string */
    for (size_t i = 0; i < s->n_risks; i++) {
        const char *c = s->risks[i].country;
        bool in_x = c && (c == same || (text_ieq(c, x) && (same = c) != NULL));
        if (in_x && subject_risk_fits(s, i)) {
            rely_add(out, (struct relied){.risk = &s->risks[i]});
            any = true;
        }
    }
    for (size_t i = 0; i < s->n_evs; i++) {
        if (s->evs[i]->type == EV_ILL_TREATMENT && text_ieq(event_country(s->evs[i]), x)) {
            rely_event(out, s->evs[i]);
            any = true;
        }
    }
    return any;
}

static enum tri eval_planned_removal(const struct subject *s, const char *dest,
                                     struct fact_eval *out)
{
    for (size_t i = 0; i < s->n_evs; i++) {
        const struct event *ev = s->evs[i];
        if (is_plan(ev->type) && dest_eq(event_destination(ev), dest) && plan_standing(s, i)) {
            rely_event(out, ev);
            out->key = ev;
        }
    }
    return out->key ? TRI_TRUE : TRI_FALSE;
}

static enum tri eval_removal_done(const struct subject *s, const char *dest, struct fact_eval *out)
{
    for (size_t i = 0; i < s->n_evs; i++) {
        const struct event *ev = s->evs[i];
        if (ev->type == EV_REMOVAL && dest_eq(event_destination(ev), dest)) {
            rely_event(out, ev);
            out->key = ev;
        }
    }
    return out->key ? TRI_TRUE : TRI_FALSE;
}

static bool outcome_is(const struct event *ev, const char *a, const char *b, const char *c)
{
    return ev->outcome && (strcmp(ev->outcome, a) == 0 || (b && strcmp(ev->outcome, b) == 0) ||
                           (c && strcmp(ev->outcome, c) == 0));
}

static bool access_to_asylum(const struct event *ev)
{
    return ev->type == EV_ACCESS_DENIED && ev->to &&
           (strcmp(ev->to, "asylum_procedure") == 0 || strcmp(ev->to, "unhcr") == 0);
}

/* Read in order, the latest settling event wins: an application, a positive
 * decision, UNHCR involvement or a refused attempt make P an asylum-seeker; a
 * final refusal, inadmissibility or withdrawal ends it until one of those
 * comes again. */
static enum tri eval_asylum_seeker(const struct subject *s, struct fact_eval *out)
{
    enum tri v = TRI_UNKNOWN;
    size_t from = 0;
    for (size_t i = 0; i < s->n_evs; i++) {
        const struct event *ev = s->evs[i];
        bool yes =
            ev->type == EV_ASYLUM_APPLICATION || ev->type == EV_UNHCR || access_to_asylum(ev) ||
            (ev->type == EV_ASYLUM_DECISION && outcome_is(ev, "recognised", "complementary", NULL));
        bool no = ev->type == EV_ASYLUM_DECISION && ev->final == TRI_TRUE &&
                  outcome_is(ev, "refused", "inadmissible", "withdrawn");
        if (yes) {
            v = TRI_TRUE;
        } else if (no) {
            v = TRI_FALSE;
            from = i;
        }
    }
    for (size_t i = from; i < s->n_evs; i++) {
        const struct event *ev = s->evs[i];
        if (v == TRI_FALSE) {
            rely_event(out, ev);
            out->key = ev;
            break;
        }
        if (ev->type == EV_ASYLUM_APPLICATION || ev->type == EV_UNHCR || access_to_asylum(ev) ||
            (ev->type == EV_ASYLUM_DECISION &&
             outcome_is(ev, "recognised", "complementary", NULL))) {
            rely_event(out, ev);
            out->key = ev;
        }
    }
    return v;
}

/* Charges and convictions of P in S not followed by an acquittal of P: true
 * when one is entry-related, else unknown when one's relation is not
 * recorded, else false. */
static enum tri eval_entry_charge(const struct subject *s, struct fact_eval *out)
{
    for (int pass = 0; pass < 2; pass++) {
        enum tri want = pass == 0 ? TRI_TRUE : TRI_UNKNOWN;
        for (size_t i = 0; i < s->n_evs; i++) {
            const struct event *ev = s->evs[i];
            if ((ev->type == EV_CHARGE || ev->type == EV_CONVICTION) && in_state(s, ev) &&
                ev->entry_related == want && not_followed_by(s, i, EV_ACQUITTAL, EV_ACQUITTAL)) {
                rely_event(out, ev);
                out->key = ev;
            }
        }
        if (out->key) {
            return want;
        }
    }
    return TRI_FALSE;
}

static enum tri eval_in_detention(const struct subject *s, struct fact_eval *out)
{
    for (size_t i = 0; i < s->n_evs; i++) {
        const struct event *ev = s->evs[i];
        if (ev->type != EV_DETENTION || !in_state(s, ev)) {
            continue;
        }
        if (ev->end_date.prec != DATE_NONE && date_first_day(ev->end_date) <= s->today) {
            continue;
        }
        if (not_followed_by(s, i, EV_RELEASE, EV_REMOVAL)) {
            rely_event(out, ev);
            out->key = ev;
        }
    }
    return out->key ? TRI_TRUE : TRI_FALSE;
}

/* The latest border_crossing of P with to_country S. */
static const struct event *latest_crossing(const struct subject *s)
{
    const struct event *found = NULL;
    for (size_t i = 0; i < s->n_evs; i++) {
        const struct event *ev = s->evs[i];
        if (ev->type == EV_BORDER_CROSSING && text_ieq(ev->to_country, s->state)) {
            found = ev;
        }
    }
    return found;
}

static enum tri eval_came_directly(const struct subject *s, struct fact_eval *out)
{
    const struct event *x = latest_crossing(s);
    if (!x) {
        return TRI_UNKNOWN;
    }
    rely_event(out, x);
    out->key = x;
    const char *from = x->from_country && x->from_country[0] ? x->from_country : NULL;
    return risk_in(s, from, out) ? TRI_TRUE : TRI_UNKNOWN;
}

static enum tri eval_presented(const struct subject *s, struct fact_eval *out)
{
    const struct event *x = latest_crossing(s);
    if (!x) {
        return TRI_UNKNOWN;
    }
    rely_event(out, x);
    out->key = x;
    return x->presented_to_authorities;
}

static bool lawyer_event(const struct event *ev)
{
    return ev->type == EV_LEGAL_ASSISTANCE ||
           (ev->type == EV_ACCESS_DENIED && ev->to && strcmp(ev->to, "lawyer") == 0);
}

static enum tri eval_lawyer_denied(const struct subject *s, struct fact_eval *out)
{
    const struct event *latest = NULL;
    for (size_t i = 0; i < s->n_evs; i++) {
        if (lawyer_event(s->evs[i])) {
            latest = s->evs[i];
        }
    }
    if (!latest) {
        return TRI_UNKNOWN;
    }
    rely_event(out, latest);
    out->key = latest;
    if (latest->type == EV_ACCESS_DENIED || latest->provided == TRI_FALSE) {
        return TRI_TRUE;
    }
    return latest->provided == TRI_TRUE ? TRI_FALSE : TRI_UNKNOWN;
}

/* An application on or after the date of the refusal at index i: later in
 * reading order, or dated the same first day. */
static bool applied_since(const struct subject *s, size_t i)
{
    const struct event *denial = s->evs[i];
    for (size_t j = 0; j < s->n_evs; j++) {
        const struct event *ev = s->evs[j];
        if (ev->type != EV_ASYLUM_APPLICATION) {
            continue;
        }
        if (j > i) {
            return true;
        }
        if (ev->date.prec != DATE_NONE && denial->date.prec != DATE_NONE &&
            date_first_day(ev->date) == date_first_day(denial->date)) {
            return true;
        }
    }
    return false;
}

static enum tri eval_asylum_access_denied(const struct subject *s, struct fact_eval *out)
{
    for (size_t i = 0; i < s->n_evs; i++) {
        if (access_to_asylum(s->evs[i]) && !applied_since(s, i)) {
            rely_event(out, s->evs[i]);
            out->key = s->evs[i];
        }
    }
    return out->key ? TRI_TRUE : TRI_FALSE;
}

/* appeal_until between D and D + 14 inclusive; a reduced-precision deadline
 * counts when any of its days does. */
static enum tri eval_deadline_near(const struct subject *s, struct fact_eval *out)
{
    int64_t best = 0;
    for (size_t i = 0; i < s->n_evs; i++) {
        const struct event *ev = s->evs[i];
        if (ev->appeal_until.prec == DATE_NONE) {
            continue;
        }
        if (ev->type != EV_ASYLUM_DECISION && ev->type != EV_REMOVAL_REQUESTED &&
            ev->type != EV_REMOVAL_ORDERED) {
            continue;
        }
        int64_t first = date_first_day(ev->appeal_until);
        int64_t last = date_last_day(ev->appeal_until);
        if (last < s->today || first > s->today + 14) {
            continue;
        }
        if (ev->type != EV_ASYLUM_DECISION && !plan_standing(s, i)) {
            continue;
        }
        rely_event(out, ev);
        if (!out->key || last < best) {
            out->key = ev; /* the summary speaks of the deadline that ends first */
            best = last;
        }
    }
    return out->key ? TRI_TRUE : TRI_FALSE;
}

/* P has dated charges and a conviction whose last day is before the first day
 * of the earliest of them. */
static enum tri eval_conviction_before_charge(const struct subject *s, struct fact_eval *out)
{
    const struct event *earliest = NULL;
    for (size_t i = 0; i < s->n_evs; i++) {
        const struct event *ev = s->evs[i];
        if (ev->type == EV_CHARGE && ev->date.prec != DATE_NONE &&
            (!earliest || date_first_day(ev->date) < date_first_day(earliest->date))) {
            earliest = ev;
        }
    }
    if (!earliest) {
        return TRI_FALSE;
    }
    for (size_t i = 0; i < s->n_evs; i++) {
        const struct event *ev = s->evs[i];
        if (ev->type == EV_CONVICTION && ev->date.prec != DATE_NONE &&
            date_last_day(ev->date) < date_first_day(earliest->date)) {
            rely_event(out, ev);
            out->key = ev;
        }
    }
    if (!out->key) {
        return TRI_FALSE;
    }
    rely_event(out, earliest);
    return TRI_TRUE;
}

void fact_eval(const struct subject *s, enum check_fact f, const char *dest, struct fact_eval *out)
{
    *out = (struct fact_eval){.value = TRI_UNKNOWN, .a = s->a};
    switch (f) {
    case FACT_PLANNED_REMOVAL:
        out->value = eval_planned_removal(s, dest, out);
        break;
    case FACT_REMOVAL_DONE:
        out->value = eval_removal_done(s, dest, out);
        break;
    case FACT_RISK_IN_DESTINATION:
        out->value = risk_in(s, dest, out) ? TRI_TRUE : TRI_UNKNOWN;
        break;
    case FACT_ASYLUM_SEEKER:
        out->value = eval_asylum_seeker(s, out);
        break;
    case FACT_ENTRY_CHARGE:
        out->value = eval_entry_charge(s, out);
        break;
    case FACT_IN_DETENTION:
        out->value = eval_in_detention(s, out);
        break;
    case FACT_CAME_DIRECTLY:
        out->value = eval_came_directly(s, out);
        break;
    case FACT_PRESENTED_WITHOUT_DELAY:
        out->value = eval_presented(s, out);
        break;
    case FACT_LAWYER_ACCESS_DENIED:
        out->value = eval_lawyer_denied(s, out);
        break;
    case FACT_ASYLUM_ACCESS_DENIED:
        out->value = eval_asylum_access_denied(s, out);
        break;
    case FACT_DEADLINE_NEAR:
        out->value = eval_deadline_near(s, out);
        break;
    case FACT_CONVICTION_BEFORE_CHARGE:
        out->value = eval_conviction_before_charge(s, out);
        break;
    case FACT_COUNT:
        break;
    }
}
