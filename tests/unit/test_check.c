/*
 * test_check.c: the legal-check engine: the reference case, every rule
 * established / incomplete / suppressed, reading order, risk periods, party
 * status on the date of the facts, data conflicts, missing optional fields,
 * and the treaty data parser.
 */
/* cmocka.h needs these headers included before it. */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
/* clang-format on */

#include "check/check.h"
#include "core/arena.h"
#include "domain/date.h"
#include "domain/model.h"

/* ---- fixtures ------------------------------------------------------------ */

enum { MAX_SUBJ = 4, MAX_EV = 32, MAX_RISK = 8 };

struct fx {
    struct arena a;
    struct case_ c;
    struct person subj[MAX_SUBJ];
    size_t n_subj;
    struct event ev[MAX_EV];
    size_t n_ev;
    struct risk risk[MAX_RISK];
    size_t n_risk;
    struct treaty_table treaties;
    struct check_result res;
};

static struct date D(const char *s) {
    struct date d = {0};
    const char *why = NULL;
    if (s) {
        assert_true(date_parse(s, &d, &why));
    }
    return d;

}

/* "a,b,c" as a list (empty string: empty list). */
static struct strs
list(struct fx *f, const char *csv)

{
    struct strs out = {0};
    if (!csv || !csv[0]) {
        return out;
    }
    size_t n = 1;
    for (const char *p = csv; *p; p++) {
        n += *p == ',';
    }
    out.items = arena_alloc(&f->a, n * sizeof *out.items);
    const char *start = csv;
    for (const char *p = csv;; p++) {
        if (*p == ',' || !*p) {
            out.items[out.n_items++] = arena_strndup(&f->a, start, (size_t)(p - start));
            start = p + 1;
        }
        if (!*p) {
            break;
        }
    }
    return out;
}

static struct fx *fx_new(const char *state)
{
    struct fx *f = test_calloc(1, sizeof *f);
    f->c.id = "case-1";
    f->c.state = state;
    f->c.status = "open";
    struct err e = ERR_INIT;
    assert_int_equal(treaty_table_load(&f->treaties, &f->a, &e), E_OK);
    return f;
}

static void fx_free(struct fx *f)
{
    arena_release(&f->a);
    test_free(f);
}

static struct person *person(struct fx *f, const char *id, const char *name, const char *profiles,
                             const char *ethnicity)
{
    assert_true(f->n_subj < MAX_SUBJ);
    struct person *p = &f->subj[f->n_subj++];
    p->id = id;
    p->names = arena_alloc(&f->a, sizeof *p->names);
    p->names[0].full = name;
    p->names[0].kind = "primary";
    p->n_names = 1;
    p->profiles = list(f, profiles);
    p->ethnicity = ethnicity;
    return p;
}

static struct event *ev(struct fx *f, const char *id, enum event_type type, const char *date,
                        const char *persons)
{
    assert_true(f->n_ev < MAX_EV);
    struct event *e = &f->ev[f->n_ev++];
    e->id = id;
    e->type = type;
    e->date = D(date);
    e->persons = list(f, persons);
    return e;
}

static struct event *ev_to(struct fx *f, const char *id, enum event_type type, const char *date,
                           const char *persons, const char *to)
{
    struct event *e = ev(f, id, type, date, persons);
    e->to_country = to;
    return e;
}

static struct event *ev_at(struct fx *f, const char *id, enum event_type type, const char *date,
                           const char *persons, const char *country)
{
    struct event *e = ev(f, id, type, date, persons);
    e->has_place = true;
    e->place.country = country;
    return e;
}

static struct risk *risk(struct fx *f, const char *id, const char *country, const char *profiles,
                         const char *from, const char *to)
{
    assert_true(f->n_risk < MAX_RISK);
    struct risk *r = &f->risk[f->n_risk++];
    r->id = id;
    r->country = country;
    r->profiles = list(f, profiles);
    r->harms = list(f, "arbitrary_detention,torture");
    r->from = D(from);
    r->to = D(to);
    r->sources = list(f, "src-risk");
    return r;
}

static const struct check_result *run(struct fx *f, const char *as_of)
{
    struct case_facts cf = {.case_ = &f->c,
                            .subjects = f->subj,
                            .n_subjects = f->n_subj,
                            .events = f->ev,
                            .n_events = f->n_ev,
                            .risks = f->risk,
                            .n_risks = f->n_risk};
    struct err e = ERR_INIT;
    assert_int_equal(check_run(&cf, 1, D(as_of), &f->treaties, &f->a, &f->res, &e), E_OK);
    for (size_t i = 0; i < f->res.n_items; i++) {
        assert_null(strchr(f->res.items[i].summary, '{')); /* every placeholder filled */
        assert_int_equal(f->res.items[i].missing.n_items, f->res.items[i].missing_words.n_items);
    }
    return &f->res;
}

static const struct finding *find(const struct fx *f, const char *person_id, const char *rule)
{
    for (size_t i = 0; i < f->res.n_items; i++) {
        if (strcmp(f->res.items[i].person_id, person_id) == 0 &&
            strcmp(f->res.items[i].rule_id, rule) == 0) {
            return &f->res.items[i];
        }
    }
    return NULL;
}

static size_t count_rule(const struct fx *f, const char *rule)
{
    size_t n = 0;
    for (size_t i = 0; i < f->res.n_items; i++) {
        n += strcmp(f->res.items[i].rule_id, rule) == 0;
    }
    return n;
}

/* Asserts a list equals the NULL-terminated arguments. */
static void assert_strs(struct strs s, ...)
{
    va_list ap;
    va_start(ap, s);
    size_t i = 0;
    for (const char *want = va_arg(ap, const char *); want; want = va_arg(ap, const char *)) {
        assert_true(i < s.n_items);
        assert_string_equal(s.items[i], want);
        i++;
    }
    va_end(ap);
    assert_int_equal(i, s.n_items);
}

static bool strs_has(struct strs s, const char *x)
{
    for (size_t i = 0; i < s.n_items; i++) {
        if (strcmp(s.items[i], x) == 0) {
            return true;
        }
    }
    return false;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool any_line_has(struct strs s, const char *needle)
{
    for (size_t i = 0; i < s.n_items; i++) {
        if (strstr(s.items[i], needle)) {
            return true;
        }
    }
    return false;
}

static const struct finding *expect(const struct fx *f, const char *person_id, const char *rule,
                                    enum check_status status)
{
    const struct finding *fd = find(f, person_id, rule);
    assert_non_null(fd);
    assert_int_equal(fd->status, status);
    return fd;
}

/* The reference case (examples/kazakhstan-2019.json) as structs. */
static struct fx *kazakhstan(void)
{
    struct fx *f = fx_new("KZ");
    f->c.id = "kz-2019-xuar-asylum-seekers";
    struct person *k = person(f, "kaster-musakhanuly", "Kaster Musakhanuly",
                              "kazakh,former-camp-detainee", "Kazakh");
    k->religion = "Muslim";
    struct person *m = person(f, "murager-alimuly", "Murager Alimuly", "kazakh", "Kazakh");
    m->religion = "Muslim";
    const char *both = "kaster-musakhanuly,murager-alimuly";
    struct event *x = ev_to(f, "ev-crossing", EV_BORDER_CROSSING, "2019-10-06", both, "KZ");
    x->from_country = "CN";
    x->irregular = TRI_TRUE;
    x->sources = list(f, "ai-eur57-2019");
    struct event *d = ev_at(f, "ev-detention", EV_DETENTION, "2019-10", both, "KZ");
    d->approx = true;
    d->kind = "pretrial";
    struct event *c = ev(f, "ev-charge", EV_CHARGE, "2019-10", both);
    c->approx = true;
    c->offence = "illegal crossing of the state border";
    c->entry_related = TRI_TRUE;
    ev(f, "ev-asylum-kaster", EV_ASYLUM_APPLICATION, "2019", "kaster-musakhanuly")->state = "KZ";
    ev(f, "ev-asylum-murager", EV_ASYLUM_APPLICATION, "2019", "murager-alimuly")->state = "KZ";
    struct event *camp =
        ev_at(f, "ev-camp-kaster", EV_ILL_TREATMENT, NULL, "kaster-musakhanuly", "CN");
    camp->kind = "arbitrary_detention";
    camp->alleged = TRI_TRUE;
    struct event *an = ev_to(f, "ev-announce", EV_REMOVAL_ANNOUNCED, "2019-12-06", both, "CN");
    an->sources = list(f, "ai-eur57-2019");
    struct risk *r = risk(f, "risk-cn-xj-2017", "CN", "uighur,kazakh,muslim", "2017", NULL);
    r->harms = list(f, "arbitrary_detention,torture,forced_indoctrination,surveillance");
    r->sources = list(f, "ai-asa17-9113-2018");
    return f;
}

/* One person in state S with a planned removal to China and a matching risk. */
static struct fx *one(const char *state)
{
    struct fx *f = fx_new(state);
    person(f, "p", "Ayşe Demir", "journalist", NULL);
    return f;
}

/* ---- the reference case ------------------------------------------------- */

static void reference_case_gives_exactly_the_expected_findings(void **state)
{
    (void)state;
    struct fx *f = kazakhstan();
    const struct check_result *res = run(f, "2019-12-10");
    assert_int_equal(res->n_items, 8);

    static const struct {
        const char *rule;
        const char *person;
        enum check_status status;
    } want[] = {
        {"refoulement-risk", "kaster-musakhanuly", CHECK_ESTABLISHED},
        {"refoulement-risk", "murager-alimuly", CHECK_ESTABLISHED},
        {"detention-of-asylum-seeker", "kaster-musakhanuly", CHECK_ESTABLISHED},
        {"detention-of-asylum-seeker", "murager-alimuly", CHECK_ESTABLISHED},
        {"penalisation-for-entry", "kaster-musakhanuly", CHECK_INCOMPLETE},
        {"penalisation-for-entry", "murager-alimuly", CHECK_INCOMPLETE},
        {"no-legal-assistance", "kaster-musakhanuly", CHECK_INCOMPLETE},
        {"no-legal-assistance", "murager-alimuly", CHECK_INCOMPLETE},
    };

    for (size_t i = 0; i < ARRAY_LEN(want); i++) {
        const struct finding *fd = &res->items[i];
        assert_string_equal(fd->case_id, "kz-2019-xuar-asylum-seekers");
        assert_string_equal(fd->rule_id, want[i].rule);
        assert_string_equal(fd->person_id, want[i].person);
        assert_int_equal(fd->status, want[i].status);
    }
    const char *people[] = {"kaster-musakhanuly", "murager-alimuly"};
    for (size_t i = 0; i < 2; i++) {
        const struct finding *fd = find(f, people[i], "refoulement-risk");
        assert_int_equal(fd->severity, CHECK_CRITICAL);
        assert_strs(fd->basis, "RC1951-33-1", "CAT-3", "ICCPR-7", NULL);
        assert_strs(fd->missing, NULL);
        assert_strs(fd->demands, "no_return", "asylum_access", NULL);
        assert_strs(fd->destinations, "CN", NULL);
        assert_true(
            starts_with(fd->summary, "Removal to China announced on 6 December 2019 while "));

        fd = find(f, people[i], "penalisation-for-entry");
        assert_int_equal(fd->severity, CHECK_HIGH);
        assert_strs(fd->basis, "RC1951-31-1", NULL);
        assert_strs(fd->missing, "presented_without_delay", NULL);
        assert_strs(fd->missing_words,
                    "whether they presented themselves to the authorities without delay", NULL);
        assert_strs(fd->demands, "stop_prosecution", NULL);

        fd = find(f, people[i], "detention-of-asylum-seeker");
        assert_strs(fd->basis, "RC1951-31-2", "ICCPR-9", "UNHCR-DG-2012", NULL);
        assert_strs(fd->missing, NULL);
        assert_strs(fd->demands, "release", NULL);

        fd = find(f, people[i], "no-legal-assistance");
        assert_int_equal(fd->severity, CHECK_MEDIUM);
        assert_strs(fd->basis, "ICCPR-14", "ICCPR-9", "UNHCR-DG-2012", NULL);
        assert_strs(fd->missing, "lawyer_access_denied", NULL);
        assert_strs(fd->demands, "legal_assistance", NULL);
    }
    const struct finding *k = find(f, "kaster-musakhanuly", "refoulement-risk");
    assert_strs(k->facts, "ev-announce", "risk-cn-xj-2017", "ev-camp-kaster", NULL);
    assert_strs(k->sources, "ai-eur57-2019", "ai-asa17-9113-2018", NULL);
    assert_string_equal(
        k->summary,
        "Removal to China announced on 6 December 2019 while Kaster Musakhanuly is at documented risk there of arbitrary detention, torture, forced indoctrination and surveillance, and ill-treatment there is also reported.");
    assert_true(any_line_has(
        k->explanation,
        "Kazakhstan has been bound by the 1951 Convention relating to the Status of Refugees since 15 April 1999"));
    assert_true(any_line_has(k->explanation, "data confidence high; source: UN Treaty Collection"));
    assert_true(any_line_has(k->explanation, "CUSTOM-NR not cited"));
    const struct finding *m = find(f, "murager-alimuly", "refoulement-risk");
    assert_strs(m->facts, "ev-announce", "risk-cn-xj-2017", NULL);
    const struct finding *p = find(f, "kaster-musakhanuly", "penalisation-for-entry");
    assert_string_equal(
        p->summary,
        "Kaster Musakhanuly is facing a charge of illegal crossing of the state border (about October 2019); still to be established: whether they presented themselves to the authorities without delay.");
    const struct finding *d = find(f, "murager-alimuly", "detention-of-asylum-seeker");
    assert_string_equal(
        d->summary,
        "Murager Alimuly is held in pre-trial detention since about October 2019 while seeking asylum.");
    fx_free(f);
}

static void reference_case_before_the_announcement(void **state)
{
    (void)state;
    struct fx *f = kazakhstan();
    run(f, "2019-12-05");
    assert_int_equal(count_rule(f, "refoulement-risk"), 0);
    assert_int_equal(f->res.n_items, 6);
    fx_free(f);
}

/* ---- refoulement-risk --------------------------------------------------- */

static void refoulement_risk_three_ways(void **state)
{
    (void)state;
    struct fx *f = one("KZ");
    ev_to(f, "plan", EV_REMOVAL_ORDERED, "2020-01-10", "p", "TR");
    risk(f, "r-tr", "TR", "JOURNALIST", NULL, NULL); /* tags match ignoring case */
    run(f, "2020-02-01");
    expect(f, "p", "refoulement-risk", CHECK_ESTABLISHED);
    fx_free(f);

    f = one("KZ");
    ev_to(f, "plan", EV_REMOVAL_ORDERED, "2020-01-10", "p", "TR");
    risk(f, "r-tr", "TR", "lawyer", NULL, NULL); /* another profile */
    run(f, "2020-02-01");
    const struct finding *fd = expect(f, "p", "refoulement-risk", CHECK_INCOMPLETE);
    assert_strs(fd->missing, "risk_in_destination", NULL);
    assert_strs(fd->facts, "plan", NULL);
    assert_string_equal(
        fd->summary,
        "Removal of Ayşe Demir to Türkiye ordered on 10 January 2020; still to be established: whether they are at risk in the country of destination (a documented risk matching their profile, or ill-treatment they suffered there).");
    fx_free(f);

    f = one("KZ");
    ev_to(f, "plan", EV_REMOVAL_ORDERED, "2020-01-10", "p", "TR");
    ev_to(f, "stop", EV_REMOVAL_CANCELLED, "2020-01-20", "p", "TR");
    risk(f, "r-tr", "TR", "", NULL, NULL);
    run(f, "2020-02-01");
    assert_null(find(f, "p", "refoulement-risk"));
    fx_free(f);
}

static void cancellation_to_another_country_does_not_cancel(void **state)
{
    (void)state;
    struct fx *f = one("KZ");
    ev_to(f, "plan", EV_REMOVAL_ANNOUNCED, "2020-01-10", "p", "CN");
    ev_to(f, "stop-uz", EV_REMOVAL_CANCELLED, "2020-01-10", "p", "UZ");
    risk(f, "r-cn", "CN", "", NULL, NULL);
    run(f, "2020-02-01");
    const struct finding *fd = expect(f, "p", "refoulement-risk", CHECK_ESTABLISHED);
    assert_strs(fd->destinations, "CN", NULL);
    fx_free(f);
}

static void cancellation_on_the_same_day_cancels(void **state)
{
    (void)state;
    struct fx *f = one("KZ");
    /* Given in reverse: reading order puts the ending event last. */
    ev_to(f, "stop", EV_REMOVAL_CANCELLED, "2020-01-10", "p", "CN");
    ev_to(f, "plan", EV_REMOVAL_ANNOUNCED, "2020-01-10", "p", "CN");
    risk(f, "r-cn", "CN", "", NULL, NULL);
    run(f, "2020-02-01");
    assert_null(find(f, "p", "refoulement-risk"));
    fx_free(f);
}

static void removal_without_destination_is_incomplete(void **state)
{
    (void)state;
    struct fx *f = one("KZ");
    ev(f, "plan", EV_REMOVAL_ANNOUNCED, "2020-01-10", "p");
    risk(f, "r-cn", "CN", "", NULL, NULL);
    run(f, "2020-02-01");
    const struct finding *fd = expect(f, "p", "refoulement-risk", CHECK_INCOMPLETE);
    assert_strs(fd->missing, "risk_in_destination", NULL);
    assert_strs(fd->destinations, NULL);
    assert_non_null(
        strstr(fd->summary, "to an unrecorded destination announced on 10 January 2020"));
    fx_free(f);
}

static void several_destinations_make_one_finding(void **state)
{
    (void)state;
    struct fx *f = one("KZ");
    ev_to(f, "plan-uz", EV_REMOVAL_REQUESTED, "2020-01-05", "p", "UZ");
    ev_to(f, "plan-cn", EV_REMOVAL_ANNOUNCED, "2020-01-10", "p", "CN");
    risk(f, "r-cn", "CN", "", NULL, NULL);
    run(f, "2020-02-01");
    assert_int_equal(count_rule(f, "refoulement-risk"), 1);
    const struct finding *fd = expect(f, "p", "refoulement-risk", CHECK_ESTABLISHED);
    assert_strs(fd->destinations, "UZ", "CN", NULL);
    assert_strs(fd->missing, NULL);
    assert_true(strs_has(fd->facts, "plan-uz"));
    assert_true(strs_has(fd->facts, "r-cn"));
    assert_non_null(strstr(fd->summary, "Removal to China announced"));
    fx_free(f);
}

static void extradition_request_names_the_requesting_state(void **state)
{
    (void)state;
    struct fx *f = one("KZ");
    ev(f, "req", EV_REMOVAL_REQUESTED, "2020-01-05", "p")->by_country = "CN";
    risk(f, "r-cn", "CN", "", NULL, NULL);
    run(f, "2020-02-01");
    const struct finding *fd = expect(f, "p", "refoulement-risk", CHECK_ESTABLISHED);
    assert_strs(fd->destinations, "CN", NULL);
    fx_free(f);
}

/* ---- refoulement (carried out) ----------------------------------------- */

static void refoulement_three_ways_and_only_it_after_removal(void **state)
{
    (void)state;
    struct fx *f = one("KZ");
    ev_at(f, "det", EV_DETENTION, "2020-01-01", "p", "KZ");
    ev(f, "app", EV_ASYLUM_APPLICATION, "2020-01-02", "p");
    ev_to(f, "plan", EV_REMOVAL_ORDERED, "2020-01-10", "p", "CN");
    ev_to(f, "out", EV_REMOVAL, "2020-01-20", "p", "CN");
    risk(f, "r-cn", "CN", "", NULL, NULL);
    run(f, "2020-02-01");
    assert_int_equal(f->res.n_items, 1);
    const struct finding *fd = expect(f, "p", "refoulement", CHECK_ESTABLISHED);
    assert_strs(fd->demands, "investigate", "monitor", NULL);
    assert_strs(fd->facts, "out", "r-cn", NULL);
    assert_string_equal(
        fd->summary,
        "Removal to China carried out on 20 January 2020 while Ayşe Demir is at documented risk there of arbitrary detention and torture.");
    fx_free(f);

    f = one("KZ");
    ev(f, "out", EV_REMOVAL, "2020-01-20", "p"); /* destination not recorded */
    run(f, "2020-02-01");
    fd = expect(f, "p", "refoulement", CHECK_INCOMPLETE);
    assert_strs(fd->missing, "risk_in_destination", NULL);
    fx_free(f);

    f = one("KZ");
    ev_to(f, "out", EV_REMOVAL, "2020-03-01", "p", "CN"); /* after as_of */
    risk(f, "r-cn", "CN", "", NULL, NULL);
    run(f, "2020-02-01");
    assert_null(find(f, "p", "refoulement"));
    fx_free(f);
}

/* ---- penalisation-for-entry --------------------------------------------- */

static struct fx *charged(const char *state, const char *date, enum tri entry, enum tri presented)
{
    struct fx *f = one(state);
    struct event *x = ev_to(f, "cross", EV_BORDER_CROSSING, date, "p", state);
    x->from_country = "CN";
    x->presented_to_authorities = presented;
    ev(f, "app", EV_ASYLUM_APPLICATION, date, "p");
    struct event *c = ev(f, "charge", EV_CHARGE, date, "p");
    c->offence = "illegal border crossing";
    c->entry_related = entry;
    risk(f, "r-cn", "CN", "", NULL, NULL);
    return f;
}

static void penalisation_three_ways(void **state)
{
    (void)state;
    struct fx *f = charged("KZ", "2019-10-06", TRI_TRUE, TRI_TRUE);
    run(f, "2019-12-10");
    const struct finding *fd = expect(f, "p", "penalisation-for-entry", CHECK_ESTABLISHED);
    assert_strs(fd->facts, "charge", "app", "cross", "r-cn", NULL);
    assert_strs(fd->basis, "RC1951-31-1", NULL);
    fx_free(f);

    f = charged("KZ", "2019-10-06", TRI_UNKNOWN, TRI_UNKNOWN);
    run(f, "2019-12-10");
    fd = expect(f, "p", "penalisation-for-entry", CHECK_INCOMPLETE);
    assert_strs(fd->missing, "entry_charge", "presented_without_delay", NULL);
    fd = expect(f, "p", "no-legal-assistance", CHECK_INCOMPLETE);
    assert_strs(fd->missing, "entry_charge", "lawyer_access_denied", NULL);
    fx_free(f);

    f = charged("KZ", "2019-10-06", TRI_TRUE, TRI_FALSE);
    run(f, "2019-12-10");
    assert_null(find(f, "p", "penalisation-for-entry"));
    fx_free(f);

    f = charged("KZ", "2019-10-06", TRI_FALSE, TRI_TRUE);
    run(f, "2019-12-10");
    assert_null(find(f, "p", "penalisation-for-entry"));
    assert_null(find(f, "p", "no-legal-assistance"));
    fx_free(f);
}

static void acquittal_ends_the_charge(void **state)
{
    (void)state;
    struct fx *f = charged("KZ", "2019-10-06", TRI_TRUE, TRI_TRUE);
    ev(f, "acq", EV_ACQUITTAL, "2019-10-06", "p"); /* same day: after the charge */
    run(f, "2019-12-10");
    assert_null(find(f, "p", "penalisation-for-entry"));
    fx_free(f);
}

static void charge_abroad_does_not_count(void **state)
{
    (void)state;
    struct fx *f = charged("KZ", "2019-10-06", TRI_TRUE, TRI_TRUE);
    f->ev[2].has_place = true;
    f->ev[2].place.country = "KG";
    run(f, "2019-12-10");
    assert_null(find(f, "p", "penalisation-for-entry"));
    fx_free(f);
}

static void crossing_without_origin_is_incomplete(void **state)
{
    (void)state;
    struct fx *f = charged("KZ", "2019-10-06", TRI_TRUE, TRI_TRUE);
    f->ev[0].from_country = NULL;
    run(f, "2019-12-10");
    const struct finding *fd = expect(f, "p", "penalisation-for-entry", CHECK_INCOMPLETE);
    assert_strs(fd->missing, "came_directly", NULL);
    fx_free(f);

    f = one("KZ"); /* no crossing at all, no application */
    struct event *c = ev(f, "charge", EV_CHARGE, "2019-10-06", "p");
    c->entry_related = TRI_TRUE;
    run(f, "2019-12-10");
    fd = expect(f, "p", "penalisation-for-entry", CHECK_INCOMPLETE);
    assert_strs(fd->missing, "asylum_seeker", "came_directly", "presented_without_delay", NULL);
    fx_free(f);
}

static void penalisation_needs_the_refugee_convention(void **state)
{
    (void)state;
    /* Thailand: party to neither the Convention nor the Protocol. */
    struct fx *f = charged("TH", "2019-10-06", TRI_TRUE, TRI_TRUE);
    run(f, "2019-12-10");
    assert_null(find(f, "p", "penalisation-for-entry"));
    fx_free(f);

    /* Kazakhstan deposited both on 1999-01-15: the Protocol binds it (arts. 2-34) from that
     * day, the Convention from 1999-04-15. A charge the day before binds neither. */
    f = charged("KZ", "1999-01-14", TRI_TRUE, TRI_TRUE);
    run(f, "1999-05-01");
    assert_null(find(f, "p", "penalisation-for-entry"));
    fx_free(f);

    f = charged("KZ", "1999-01-15", TRI_TRUE, TRI_TRUE);
    run(f, "1999-05-01");
    const struct finding *fd = expect(f, "p", "penalisation-for-entry", CHECK_ESTABLISHED);
    assert_strs(fd->basis, "RC1951-31-1", NULL);
    assert_true(any_line_has(fd->explanation, "through the 1967 Protocol"));
    fx_free(f);

    f = charged("KZ", "1999-04-15", TRI_TRUE, TRI_TRUE);
    run(f, "1999-05-01");
    fd = expect(f, "p", "penalisation-for-entry", CHECK_ESTABLISHED);
    assert_true(any_line_has(fd->explanation, "Kazakhstan has been bound by the 1951 Convention"));
    fx_free(f);

    /* Norway is not in the data: status unknown, so the rule applies, citing nothing bound. */
    f = charged("NO", "2019-10-06", TRI_TRUE, TRI_TRUE);
    run(f, "2019-12-10");
    fd = expect(f, "p", "penalisation-for-entry", CHECK_ESTABLISHED);
    assert_strs(fd->basis, NULL);
    assert_true(any_line_has(fd->explanation, "party status of Norway is unknown"));
    fx_free(f);
}

/* ---- detention-of-asylum-seeker ------------------------------------------ */

static struct fx *detained(const char *start, const char *end)
{
    struct fx *f = one("KZ");
    struct event *d = ev_at(f, "det", EV_DETENTION, start, "p", "KZ");
    d->kind = "immigration";
    d->end_date = D(end);
    return f;
}

static void detention_three_ways(void **state)
{
    (void)state;
    struct fx *f = detained("2020-01-01", NULL);
    ev(f, "unhcr", EV_UNHCR, "2020-01-03", "p")->kind = "registered";
    run(f, "2020-02-01");
    const struct finding *fd = expect(f, "p", "detention-of-asylum-seeker", CHECK_ESTABLISHED);
    assert_strs(fd->facts, "unhcr", "det", NULL);
    fx_free(f);

    f = detained("2020-01-01", NULL);
    run(f, "2020-02-01");
    fd = expect(f, "p", "detention-of-asylum-seeker", CHECK_INCOMPLETE);
    assert_strs(fd->missing, "asylum_seeker", NULL);
    assert_string_equal(
        fd->summary,
        "Ayşe Demir is held in immigration detention since 1 January 2020; still to be established: whether they are seeking asylum (an application, UNHCR involvement or a refused attempt to apply, with no final refusal since).");
    fx_free(f);

    f = detained("2020-01-01", NULL);
    ev(f, "app", EV_ASYLUM_APPLICATION, "2020-01-02", "p");
    struct event *dec = ev(f, "refused", EV_ASYLUM_DECISION, "2020-01-20", "p");
    dec->outcome = "refused";
    dec->final = TRI_TRUE;
    run(f, "2020-02-01");
    assert_null(find(f, "p", "detention-of-asylum-seeker"));
    fx_free(f);
}

static void non_final_refusal_or_new_application_keeps_asylum_seeker(void **state)
{
    (void)state;
    struct fx *f = detained("2020-01-01", NULL);
    ev(f, "app", EV_ASYLUM_APPLICATION, "2020-01-02", "p");
    struct event *dec = ev(f, "refused", EV_ASYLUM_DECISION, "2020-01-20", "p");
    dec->outcome = "refused";
    dec->final = TRI_TRUE;
    ev(f, "app2", EV_ASYLUM_APPLICATION, "2020-01-25", "p");
    run(f, "2020-02-01");
    expect(f, "p", "detention-of-asylum-seeker", CHECK_ESTABLISHED);
    fx_free(f);

    f = detained("2020-01-01", NULL);
    ev(f, "app", EV_ASYLUM_APPLICATION, "2020-01-02", "p");
    dec = ev(f, "refused", EV_ASYLUM_DECISION, "2020-01-20", "p");
    dec->outcome = "refused"; /* final not recorded */
    run(f, "2020-02-01");
    expect(f, "p", "detention-of-asylum-seeker", CHECK_ESTABLISHED);
    fx_free(f);
}

static void same_day_release_ends_detention(void **state)
{
    (void)state;
    struct fx *f = detained("2020-01-01", NULL);
    ev(f, "app", EV_ASYLUM_APPLICATION, "2020-01-01", "p");
    ev(f, "rel", EV_RELEASE, "2020-01-01", "p");
    run(f, "2020-02-01");
    assert_null(find(f, "p", "detention-of-asylum-seeker"));
    assert_null(find(f, "p", "no-legal-assistance"));
    fx_free(f);
}

static void detention_end_date(void **state)
{
    (void)state;
    struct fx *f = detained("2020-01-01", "2020-01-31");
    ev(f, "app", EV_ASYLUM_APPLICATION, "2020-01-01", "p");
    run(f, "2020-02-01");
    assert_null(find(f, "p", "detention-of-asylum-seeker"));
    fx_free(f);

    f = detained("2020-01-01", "2020-02-02");
    ev(f, "app", EV_ASYLUM_APPLICATION, "2020-01-01", "p");
    run(f, "2020-02-01");
    expect(f, "p", "detention-of-asylum-seeker", CHECK_ESTABLISHED);
    fx_free(f);

    f = detained("2020-01-01", NULL);
    f->ev[0].place.country = "KG"; /* held in another state */
    ev(f, "app", EV_ASYLUM_APPLICATION, "2020-01-01", "p");
    run(f, "2020-02-01");
    assert_null(find(f, "p", "detention-of-asylum-seeker"));
    fx_free(f);
}

/* ---- no-legal-assistance ------------------------------------------------ */

static void no_legal_assistance_three_ways(void **state)
{
    (void)state;
    struct fx *f = detained("2020-01-01", NULL);
    ev(f, "la", EV_LEGAL_ASSISTANCE, "2020-01-02", "p")->provided = TRI_TRUE;
    ev(f, "deny", EV_ACCESS_DENIED, "2020-01-05", "p")->to = "lawyer";
    run(f, "2020-02-01");
    const struct finding *fd = expect(f, "p", "no-legal-assistance", CHECK_ESTABLISHED);
    assert_strs(fd->facts, "det", "deny", NULL);
    assert_string_equal(
        fd->summary,
        "Ayşe Demir is held in immigration detention since 1 January 2020 without access to a lawyer.");
    fx_free(f);

    f = detained("2020-01-01", NULL);
    ev(f, "la", EV_LEGAL_ASSISTANCE, "2020-01-02", "p"); /* provided not recorded */
    run(f, "2020-02-01");
    fd = expect(f, "p", "no-legal-assistance", CHECK_INCOMPLETE);
    assert_strs(fd->missing, "lawyer_access_denied", NULL);
    fx_free(f);

    f = detained("2020-01-01", NULL);
    ev(f, "deny", EV_ACCESS_DENIED, "2020-01-02", "p")->to = "lawyer";
    ev(f, "la", EV_LEGAL_ASSISTANCE, "2020-01-05", "p")->provided = TRI_TRUE;
    run(f, "2020-02-01");
    assert_null(find(f, "p", "no-legal-assistance"));
    fx_free(f);

    f = one("KZ"); /* neither detained nor charged */
    ev(f, "deny", EV_ACCESS_DENIED, "2020-01-02", "p")->to = "lawyer";
    run(f, "2020-02-01");
    assert_null(find(f, "p", "no-legal-assistance"));
    fx_free(f);
}

static void no_legal_assistance_on_charge_alone(void **state)
{
    (void)state;
    struct fx *f = charged("KZ", "2019-10-06", TRI_TRUE, TRI_TRUE);
    ev(f, "deny", EV_ACCESS_DENIED, "2019-10-07", "p")->to = "lawyer";
    run(f, "2019-12-10");
    const struct finding *fd = expect(f, "p", "no-legal-assistance", CHECK_ESTABLISHED);
    assert_non_null(strstr(
        fd->summary,
        "is facing a charge of illegal border crossing (6 October 2019) without access to a lawyer"));
    fx_free(f);
}

/* ---- no-access-to-asylum ------------------------------------------------ */

static void no_access_to_asylum(void **state)
{
    (void)state;
    /* Established (a state act: never incomplete). Thailand: CUSTOM-NR. */
    struct fx *f = one("TH");
    ev(f, "deny", EV_ACCESS_DENIED, "2020-01-02", "p")->to = "unhcr";
    run(f, "2020-02-01");
    const struct finding *fd = expect(f, "p", "no-access-to-asylum", CHECK_ESTABLISHED);
    assert_strs(fd->basis, "CUSTOM-NR", "UNHCR-DG-2012", NULL);
    assert_strs(fd->demands, "asylum_access", NULL);
    assert_true(any_line_has(fd->explanation, "Thailand is not a party to the 1951 Convention"));
    /* The refused attempt makes them an asylum-seeker. */
    assert_null(find(f, "p", "detention-of-asylum-seeker"));
    fx_free(f);

    f = one("KZ");
    ev(f, "deny", EV_ACCESS_DENIED, "2020-01-02", "p")->to = "asylum_procedure";
    ev(f, "app", EV_ASYLUM_APPLICATION, "2020-01-02", "p"); /* same day: on or after */
    run(f, "2020-02-01");
    assert_null(find(f, "p", "no-access-to-asylum"));
    fx_free(f);

    f = one("KZ");
    ev(f, "deny", EV_ACCESS_DENIED, "2020-01-02", "p")->to = "family";
    run(f, "2020-02-01");
    assert_null(find(f, "p", "no-access-to-asylum"));
    fx_free(f);

    f = one("KZ");
    ev(f, "deny", EV_ACCESS_DENIED, "2020-01-02", "p")->to = "asylum_procedure";
    run(f, "2020-02-01");
    fd = expect(f, "p", "no-access-to-asylum", CHECK_ESTABLISHED);
    assert_strs(fd->basis, "RC1951-33-1", "UNHCR-DG-2012", NULL);
    assert_string_equal(
        fd->summary,
        "Ayşe Demir was refused access to the asylum procedure on 2 January 2020 and no application has been recorded since.");
    fx_free(f);
}

/* ---- appeal-deadline ---------------------------------------------------- */

static void appeal_deadline(void **state)
{
    (void)state;
    struct fx *f = one("KZ");
    ev_to(f, "order", EV_REMOVAL_ORDERED, "2020-01-20", "p", "CN")->appeal_until = D("2020-02-15");
    run(f, "2020-02-01");
    const struct finding *fd = expect(f, "p", "appeal-deadline", CHECK_ESTABLISHED);
    assert_strs(fd->basis, NULL);
    assert_strs(fd->facts, "order", NULL);
    assert_string_equal(
        fd->summary,
        "The time for Ayşe Demir to appeal the removal order of 20 January 2020 ends on 15 February 2020.");
    fx_free(f);

    f = one("KZ"); /* fifteen days away */
    ev_to(f, "order", EV_REMOVAL_ORDERED, "2020-01-20", "p", "CN")->appeal_until = D("2020-02-16");
    run(f, "2020-02-01");
    assert_null(find(f, "p", "appeal-deadline"));
    fx_free(f);

    f = one("KZ"); /* ends today */
    struct event *dec = ev(f, "dec", EV_ASYLUM_DECISION, "2020-01-20", "p");
    dec->outcome = "refused";
    dec->appeal_until = D("2020-02-01");
    run(f, "2020-02-01");
    expect(f, "p", "appeal-deadline", CHECK_ESTABLISHED);
    fx_free(f);

    f = one("KZ"); /* the order was cancelled: no longer planned */
    ev_to(f, "order", EV_REMOVAL_ORDERED, "2020-01-20", "p", "CN")->appeal_until = D("2020-02-10");
    ev_to(f, "stop", EV_REMOVAL_CANCELLED, "2020-01-25", "p", "CN");
    run(f, "2020-02-01");
    assert_null(find(f, "p", "appeal-deadline"));
    fx_free(f);
}

/* ---- data-conflict ------------------------------------------------------ */

static void data_conflict(void **state)
{
    (void)state;
    struct fx *f = charged("KZ", "2019-10-06", TRI_TRUE, TRI_TRUE);
    ev(f, "conv", EV_CONVICTION, "2019-09-01", "p")->entry_related = TRI_TRUE;
    run(f, "2019-12-10");
    const struct finding *fd = expect(f, "p", "data-conflict", CHECK_ESTABLISHED);
    assert_int_equal(fd->severity, CHECK_INFO);
    assert_strs(fd->facts, "conv", "charge", NULL);
    assert_string_equal(
        fd->summary,
        "The record of Ayşe Demir needs checking: conviction conv (1 September 2019) is dated before the earliest charge, charge (6 October 2019).");
    expect(f, "p", "penalisation-for-entry", CHECK_ESTABLISHED); /* other rules still run */
    assert_string_equal(f->res.items[f->res.n_items - 1].rule_id, "data-conflict");
    fx_free(f);

    f = charged("KZ", "2019-10-06", TRI_TRUE, TRI_TRUE);
    ev(f, "conv", EV_CONVICTION, "2019-11-01", "p");
    run(f, "2019-12-10");
    assert_null(find(f, "p", "data-conflict"));
    fx_free(f);

    f = one("KZ"); /* a conviction and no charge */
    ev(f, "conv", EV_CONVICTION, "2019-11-01", "p");
    run(f, "2019-12-10");
    assert_null(find(f, "p", "data-conflict"));
    fx_free(f);
}

/* ---- reading order and dates -------------------------------------------- */

static void undated_events_come_first(void **state)
{
    (void)state;
    /* An undated cancellation precedes the dated announcement, so cannot cancel it. */
    struct fx *f = one("KZ");
    ev_to(f, "plan", EV_REMOVAL_ANNOUNCED, "2020-01-10", "p", "CN");
    ev_to(f, "stop", EV_REMOVAL_CANCELLED, NULL, "p", "CN");
    risk(f, "r-cn", "CN", "", NULL, NULL);
    run(f, "2020-02-01");
    expect(f, "p", "refoulement-risk", CHECK_ESTABLISHED);
    fx_free(f);

    /* An undated detention counts at any as_of. */
    f = detained(NULL, NULL);
    ev(f, "app", EV_ASYLUM_APPLICATION, NULL, "p");
    run(f, "1990-01-01");
    const struct finding *fd = expect(f, "p", "detention-of-asylum-seeker", CHECK_ESTABLISHED);
    assert_non_null(strstr(fd->summary, "(start not recorded)"));
    fx_free(f);
}

static void reduced_precision_counts_from_first_day(void **state)
{
    (void)state;
    struct fx *f = one("KZ");
    ev_to(f, "plan", EV_REMOVAL_ANNOUNCED, "2020-02", "p", "CN");
    risk(f, "r-cn", "CN", "", NULL, NULL);
    run(f, "2020-02-01");
    const struct finding *fd = expect(f, "p", "refoulement-risk", CHECK_ESTABLISHED);
    assert_non_null(strstr(fd->summary, "announced in February 2020"));
    run(f, "2020-01-31");
    assert_null(find(f, "p", "refoulement-risk"));
    fx_free(f);

    /* A release in October 2019 (from 1 October) precedes a detention of 15 October. */
    f = detained("2019-10-15", NULL);
    ev(f, "app", EV_ASYLUM_APPLICATION, "2019", "p");
    ev(f, "rel", EV_RELEASE, "2019-10", "p");
    run(f, "2019-12-01");
    expect(f, "p", "detention-of-asylum-seeker", CHECK_ESTABLISHED);
    fx_free(f);
}

static void sort_events_order(void **state)
{
    (void)state;
    struct fx *f = one("KZ");
    ev(f, "c-release", EV_RELEASE, "2020-01-01", "p");
    ev(f, "d-detention", EV_DETENTION, "2020-01-01", "p");
    ev(f, "b-month", EV_OTHER, "2020-01", "p");
    ev(f, "e-later", EV_OTHER, "2020-01-02", "p");
    ev(f, "a-undated", EV_OTHER, NULL, "p");
    const struct event *evs[5];
    for (size_t i = 0; i < 5; i++) {
        evs[i] = &f->ev[i];
    }
    check_sort_events(evs, 5);
    const char *want[] = {"a-undated", "b-month", "d-detention", "c-release", "e-later"};
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(evs[i]->id, want[i]);
    }
    fx_free(f);
}

/* ---- risk periods --------------------------------------------------------- */

static void risk_periods(void **state)
{
    (void)state;

    static const struct {
        const char *from;
        const char *to;
        bool applies;
    } cases[] = {
        {NULL, NULL, true},      {"2017", NULL, true},  {NULL, "2019", true},
        {NULL, "2018", false},   {"2020", NULL, false}, {"2019-12-31", NULL, true},
        {NULL, "2019-12", true},
    };

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct fx *f = one("KZ");
        ev_to(f, "plan", EV_REMOVAL_ANNOUNCED, "2019-12-01", "p", "CN");
        risk(f, "r-cn", "CN", "", cases[i].from, cases[i].to);
        run(f, "2019-12-31");
        const struct finding *fd = find(f, "p", "refoulement-risk");
        assert_non_null(fd);
        assert_int_equal(fd->status, cases[i].applies ? CHECK_ESTABLISHED : CHECK_INCOMPLETE);
        fx_free(f);
    }
}

static void risk_matches_ethnicity_and_religion_only_in_its_country(void **state)
{
    (void)state;
    struct fx *f = one("KZ");
    f->subj[0].religion = "Muslim";
    ev_to(f, "plan", EV_REMOVAL_ANNOUNCED, "2019-12-01", "p", "CN");
    risk(f, "r-cn", "CN", "MUSLIM", NULL, NULL);
    risk(f, "r-uz", "UZ", "", NULL, NULL);
    run(f, "2019-12-31");
    const struct finding *fd = expect(f, "p", "refoulement-risk", CHECK_ESTABLISHED);
    assert_strs(fd->facts, "plan", "r-cn", NULL);
    fx_free(f);
}

/* ---- party status ----------------------------------------------------- */

static void party_status_on_the_date(void **state)
{
    (void)state;
    /* Thailand: CAT deposited 2007-10-02, in force 2007-11-01; ICCPR since 1997-01-29. */
    struct fx *f = one("TH");
    ev_to(f, "plan", EV_REMOVAL_ANNOUNCED, "2007-10-01", "p", "CN");
    risk(f, "r-cn", "CN", "", NULL, NULL);
    run(f, "2007-10-31");
    const struct finding *fd = expect(f, "p", "refoulement-risk", CHECK_ESTABLISHED);
    assert_strs(fd->basis, "ICCPR-7", "CUSTOM-NR", NULL);
    assert_true(any_line_has(
        fd->explanation,
        "Thailand was not yet bound by the Convention against Torture on 31 October 2007 (deposited 2 October 2007, in force 30 days later: from 1 November 2007)"));
    run(f, "2007-11-01");
    fd = expect(f, "p", "refoulement-risk", CHECK_ESTABLISHED);
    assert_strs(fd->basis, "CAT-3", "ICCPR-7", NULL);
    fx_free(f);

    /* Norway is not in the data. */
    f = one("NO");
    ev_to(f, "plan", EV_REMOVAL_ANNOUNCED, "2020-01-01", "p", "CN");
    risk(f, "r-cn", "CN", "", NULL, NULL);
    run(f, "2020-02-01");
    fd = expect(f, "p", "refoulement-risk", CHECK_ESTABLISHED);
    assert_strs(fd->basis, "CUSTOM-NR", NULL);
    assert_true(any_line_has(fd->explanation, "unknown"));
    fx_free(f);

    /* The United States: bound through the 1967 Protocol only. */
    f = one("US");
    ev_to(f, "plan", EV_REMOVAL_ANNOUNCED, "2020-01-01", "p", "CN");
    risk(f, "r-cn", "CN", "", NULL, NULL);
    run(f, "2020-02-01");
    fd = expect(f, "p", "refoulement-risk", CHECK_ESTABLISHED);
    assert_strs(fd->basis, "RC1951-33-1", "CAT-3", "ICCPR-7", NULL);
    assert_true(any_line_has(fd->explanation, "through the 1967 Protocol"));
    fx_free(f);

    /* China signed but did not ratify the ICCPR. */
    f = one("CN");
    ev_to(f, "plan", EV_REMOVAL_ANNOUNCED, "2020-01-01", "p", "KP");
    risk(f, "r-kp", "KP", "", NULL, NULL);
    run(f, "2020-02-01");
    fd = expect(f, "p", "refoulement-risk", CHECK_ESTABLISHED);
    assert_strs(fd->basis, "RC1951-33-1", "CAT-3", NULL);
    assert_true(any_line_has(fd->explanation, "signed but not ratified"));
    fx_free(f);
}

static void carried_out_removal_is_judged_on_its_date(void **state)
{
    (void)state;
    struct fx *f = one("TH");
    ev_to(f, "out", EV_REMOVAL, "2007-10-15", "p", "CN");
    risk(f, "r-cn", "CN", "", NULL, NULL);
    run(f, "2020-01-01");
    const struct finding *fd = expect(f, "p", "refoulement", CHECK_ESTABLISHED);
    assert_strs(fd->basis, "ICCPR-7", "CUSTOM-NR", NULL);
    fx_free(f);
}

/* ---- groups, cases, sorting ----------------------------------------------- */

static void groups_are_spoken_of_as_groups(void **state)
{
    (void)state;
    struct fx *f = one("TH");
    f->subj[0].group = TRI_TRUE;
    f->subj[0].group_size = 109;
    f->subj[0].names[0].full = "Uyghur men held at Suan Phlu";
    ev_at(f, "det", EV_DETENTION, "2014-03", "p", "TH")->kind = "immigration";
    ev_to(f, "plan", EV_REMOVAL_ANNOUNCED, "2015-07-01", "p", "CN");
    risk(f, "r-cn", "CN", "", NULL, NULL);
    run(f, "2015-07-05");
    const struct finding *fd = expect(f, "p", "refoulement-risk", CHECK_ESTABLISHED);
    assert_non_null(strstr(
        fd->summary,
        "while the group \"Uyghur men held at Suan Phlu\" (109 people) are at documented risk there"));
    fd = expect(f, "p", "detention-of-asylum-seeker", CHECK_INCOMPLETE);
    assert_true(starts_with(fd->summary,
                            "The group \"Uyghur men held at Suan Phlu\" (109 people) are held in"));
    fx_free(f);
}

static void findings_are_sorted_across_cases_and_closed_cases_skipped(void **state)
{
    (void)state;
    struct fx *f = kazakhstan();
    struct case_ other = f->c;
    other.id = "a-earlier-case";
    struct case_ closed = f->c;
    closed.id = "b-closed";
    closed.status = "closed";
    struct case_facts cf[3];
    for (size_t i = 0; i < 3; i++) {
        cf[i] = (struct case_facts){.case_ = i == 0   ? &f->c
                                             : i == 1 ? &other
                                                      : &closed,
                                    .subjects = f->subj,
                                    .n_subjects = f->n_subj,
                                    .events = f->ev,
                                    .n_events = f->n_ev,
                                    .risks = f->risk,
                                    .n_risks = f->n_risk};
    }
    struct check_result res;
    struct err e = ERR_INIT;
    assert_int_equal(check_run(cf, 3, D("2019-12-10"), &f->treaties, &f->a, &res, &e), E_OK);
    assert_int_equal(res.n_items, 16);
    assert_string_equal(res.items[0].case_id, "a-earlier-case");
    assert_string_equal(res.items[8].case_id, "kz-2019-xuar-asylum-seekers");
    for (size_t i = 1; i < res.n_items; i++) {
        if (strcmp(res.items[i - 1].case_id, res.items[i].case_id) == 0) {
            assert_true(res.items[i - 1].severity <= res.items[i].severity);
        }
    }
    fx_free(f);
}

static void strs_equal(const struct strs *a, const struct strs *b)
{
    assert_int_equal(a->n_items, b->n_items);
    for (size_t i = 0; i < a->n_items; i++) {
        assert_string_equal(a->items[i], b->items[i]);
    }
}

/* check_run_brief() gives the same findings as check_run(), only without
 * the explanation lines and the sources. */
static void brief_run_leaves_out_only_the_explanations(void **state)
{
    (void)state;
    struct fx *f = kazakhstan();
    struct case_facts cf = {.case_ = &f->c,
                            .subjects = f->subj,
                            .n_subjects = f->n_subj,
                            .events = f->ev,
                            .n_events = f->n_ev,
                            .risks = f->risk,
                            .n_risks = f->n_risk};
    struct check_result full;
    struct check_result brief;
    struct err e = ERR_INIT;
    assert_int_equal(check_run(&cf, 1, D("2019-12-10"), &f->treaties, &f->a, &full, &e), E_OK);
    assert_int_equal(check_run_brief(&cf, 1, D("2019-12-10"), &f->treaties, &f->a, &brief, &e),
                     E_OK);
    assert_int_equal(full.n_items, 8);
    assert_int_equal(brief.n_items, full.n_items);
    size_t with_sources = 0;
    for (size_t i = 0; i < full.n_items; i++) {
        const struct finding *x = &full.items[i];
        const struct finding *y = &brief.items[i];
        assert_string_equal(x->case_id, y->case_id);
        assert_string_equal(x->person_id, y->person_id);
        assert_string_equal(x->rule_id, y->rule_id);
        assert_int_equal(x->status, y->status);
        assert_string_equal(x->summary, y->summary);
        strs_equal(&x->basis, &y->basis);
        strs_equal(&x->facts, &y->facts);
        strs_equal(&x->missing, &y->missing);
        strs_equal(&x->demands, &y->demands);
        strs_equal(&x->destinations, &y->destinations);
        assert_true(x->explanation.n_items > 0);
        assert_int_equal(y->explanation.n_items, 0);
        assert_int_equal(y->sources.n_items, 0);
        with_sources += x->sources.n_items > 0;
    }
    assert_true(with_sources > 0);
    fx_free(f);
}

static void no_treaty_data_and_bad_input(void **state)
{
    (void)state;
    struct fx *f = kazakhstan();
    struct case_facts cf = {.case_ = &f->c,
                            .subjects = f->subj,
                            .n_subjects = f->n_subj,
                            .events = f->ev,
                            .n_events = f->n_ev,
                            .risks = f->risk,
                            .n_risks = f->n_risk};
    struct check_result res;
    struct err e = ERR_INIT;
    assert_int_equal(check_run(&cf, 1, D("2019-12-10"), NULL, &f->a, &res, &e), E_OK);
    assert_int_equal(res.n_items, 8);
    assert_strs(res.items[0].basis, "CUSTOM-NR", NULL);
    assert_int_equal(check_run(&cf, 1, D(NULL), NULL, &f->a, &res, &e), E_INVALID);
    f->subj[1].id = NULL;
    assert_int_equal(check_run(&cf, 1, D("2019-12-10"), NULL, &f->a, &res, &e), E_INVALID);
    fx_free(f);
}

/* ---- the rule table ------------------------------------------------------ */

static void rule_table_is_complete(void **state)
{
    (void)state;
    size_t n = 0;
    const struct check_rule *rules = check_rules(&n);
    assert_int_equal(n, 8);
    static const char *ids[] = {"refoulement-risk",       "refoulement",
                                "penalisation-for-entry", "detention-of-asylum-seeker",
                                "no-legal-assistance",    "no-access-to-asylum",
                                "appeal-deadline",        "data-conflict"};
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(rules[i].id, ids[i]);
        assert_ptr_equal(check_rule_find(ids[i]), &rules[i]);
        assert_true(rules[i].n_conditions >= 1 && rules[i].n_conditions <= CHECK_MAX_CONDITIONS);
        for (size_t c = 0; c < rules[i].n_conditions; c++) {
            assert_non_null(rules[i].conditions[c].words);
            assert_non_null(check_fact_info(rules[i].conditions[c].facts[0]));
        }
        for (size_t b = 0; b < rules[i].n_basis; b++) {
            assert_non_null(check_basis_words(rules[i].basis[b].code));
        }
        for (size_t d = 0; d < rules[i].n_demands; d++) {
            assert_non_null(check_demand_words(rules[i].demands[d]));
        }
    }
    for (int fc = 0; fc < FACT_COUNT; fc++) {
        enum check_fact back;
        const struct check_fact_info *info = check_fact_info((enum check_fact)fc);
        assert_true(check_fact_parse(info->code, &back));
        assert_int_equal(back, fc);
        assert_true(starts_with(info->words, "whether "));
    }
    assert_string_equal(check_severity_name(CHECK_INFO), "info");
    assert_string_equal(check_status_name(CHECK_INCOMPLETE), "incomplete");
}

/* ---- treaty data ---------------------------------------------------------- */

static enum app_err parse(struct arena *a, const char *parties, const char *notes, struct err *e)
{
    struct treaty_table t;
    return treaty_table_parse(&t, parties, strlen(parties), notes, notes ? strlen(notes) : 0, a, e);
}

static void treaty_data_loads_and_dates_entry_into_force(void **state)
{
    (void)state;
    struct arena a = ARENA_INIT;
    struct treaty_table t;
    struct err e = ERR_INIT;
    assert_int_equal(treaty_table_load(&t, &a, &e), E_OK);
    assert_int_equal(t.n_rows, 277);
    const struct treaty_row *r = treaty_find(&t, "KAZ", TREATY_ICCPR);
    assert_non_null(r);
    assert_string_equal(r->confidence, "high");
    int64_t from = 0;
    int64_t to = 0;
    assert_true(treaty_in_force(r, &from, &to));
    assert_int_equal(from, date_first_day(D("2006-04-24")));
    r = treaty_find(&t, "KAZ", TREATY_RC1951);
    assert_true(treaty_in_force(r, &from, &to));
    assert_int_equal(from, date_first_day(D("1999-04-15")));
    r = treaty_find(&t, "TUR", TREATY_RC1951);
    assert_non_null(strstr(r->note, "geographic limitation"));
    r = treaty_find(&t, "MAR", TREATY_ICCPR_OP1); /* a bare year */
    assert_true(treaty_in_force(r, &from, &to));
    assert_true(from < to);
    assert_int_equal(
        treaty_binding(&t, "MA", TREATY_ICCPR_OP1, date_first_day(D("2022-06-01"))).bound,
        TRI_UNKNOWN);
    assert_int_equal(
        treaty_binding(&t, "ma", TREATY_ICCPR_OP1, date_first_day(D("2023-06-01"))).bound,
        TRI_TRUE);
    assert_int_equal(treaty_binding(&t, "IN", TREATY_CAT, date_first_day(D("2020-01-01"))).bound,
                     TRI_FALSE);
    struct treaty_binding b = treaty_binding(&t, "NO", TREATY_CAT, 0);
    assert_int_equal(b.bound, TRI_UNKNOWN);
    assert_false(b.state_known);
    assert_int_equal(treaty_binding(&t, "XX", TREATY_CAT, 0).bound, TRI_UNKNOWN);
    assert_int_equal(treaty_binding(&t, NULL, TREATY_CAT, 0).bound, TRI_UNKNOWN);
    arena_release(&a);
}

static void treaty_parser_rejects_malformed_rows(void **state)
{
    (void)state;
    static const char *head = "iso3,country,instrument,status,date\r\n";

    static const struct {
        const char *body;
        const char *where;
    } bad[] = {
        {"KAZ,Kazakhstan,CAT,party\r\n", "treaty_parties.csv:2"},
        {"KAZ,Kazakhstan,CAT,party,1998-08-26\r\nKAZ,Kazakhstan,CAT,party,19980826\r\n",
         "treaty_parties.csv:3"},
        {"KAZ,Kazakhstan,TORTURE,party,1998-08-26\n", "treaty_parties.csv:2"},
        {"KAZ,Kazakhstan,CAT,maybe,1998-08-26\n", "treaty_parties.csv:2"},
        {"KAZ,Kazakhstan,CAT,party,\n", "treaty_parties.csv:2"},
        {"KZ,Kazakhstan,CAT,party,1998-08-26\n", "treaty_parties.csv:2"},
        {"\n\nKAZ,\"Kazakhstan,CAT,party,1998-08-26\n", "treaty_parties.csv:4"},
        {"KAZ,Kazakhstan,CAT,party,1998-08-26\nKAZ,Kazakhstan,CAT,party,1998-08-26\n",
         "treaty_parties.csv:3"},
        {"KAZ,Kaz\"akh,CAT,party,1998-08-26\n", "treaty_parties.csv:2"},
        {"KAZ,Kazakhstan,CAT,party,1998-02-30\n", "treaty_parties.csv:2"},
    };
    struct arena a = ARENA_INIT;
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        char text[256];
        snprintf(text, sizeof text, "%s%s", head, bad[i].body);
        struct err e = ERR_INIT;
        assert_int_equal(parse(&a, text, NULL, &e), E_INVALID);
        assert_string_equal(e.where, bad[i].where);
    }
    struct err e = ERR_INIT;
    assert_int_equal(parse(&a, "iso3,country,instrument,status\n", NULL, &e), E_INVALID);
    assert_int_equal(parse(&a, "", NULL, &e), E_INVALID);

    const char *good =
        "iso3,country,instrument,status,date\nKAZ,\"Kazakh\"\"stan, Rep.\",CAT,party,1998-08-26\n";
    assert_int_equal(
        parse(&a, good, "iso3,instrument,confidence,note,source\nKAZ,CAT,high,\"a, b\",UNTC\n", &e),
        E_OK);
    assert_int_equal(
        parse(&a, good, "iso3,instrument,confidence,note,source\nKAZ,ICCPR,high,,UNTC\n", &e),
        E_INVALID);
    assert_string_equal(e.where, "treaty_parties_notes.csv:2");
    assert_int_equal(
        parse(&a, good, "iso3,instrument,confidence,note,source\nKAZ,CAT,sure,,UNTC\n", &e),
        E_INVALID);
    assert_int_equal(
        parse(&a, good,
              "iso3,instrument,confidence,note,source\nKAZ,CAT,high,,UNTC\nKAZ,CAT,high,,UNTC\n",
              &e),
        E_INVALID);
    assert_string_equal(e.where, "treaty_parties_notes.csv:3");
    struct treaty_table t;
    assert_int_equal(treaty_table_parse(&t, good, strlen(good), NULL, 0, &a, &e), E_OK);
    assert_string_equal(t.rows[0].country, "Kazakh\"stan, Rep.");
    assert_null(t.rows[0].confidence);
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reference_case_gives_exactly_the_expected_findings),
        cmocka_unit_test(reference_case_before_the_announcement),
        cmocka_unit_test(brief_run_leaves_out_only_the_explanations),
        cmocka_unit_test(refoulement_risk_three_ways),
        cmocka_unit_test(cancellation_to_another_country_does_not_cancel),
        cmocka_unit_test(cancellation_on_the_same_day_cancels),
        cmocka_unit_test(removal_without_destination_is_incomplete),
        cmocka_unit_test(several_destinations_make_one_finding),
        cmocka_unit_test(extradition_request_names_the_requesting_state),
        cmocka_unit_test(refoulement_three_ways_and_only_it_after_removal),
        cmocka_unit_test(penalisation_three_ways),
        cmocka_unit_test(acquittal_ends_the_charge),
        cmocka_unit_test(charge_abroad_does_not_count),
        cmocka_unit_test(crossing_without_origin_is_incomplete),
        cmocka_unit_test(penalisation_needs_the_refugee_convention),
        cmocka_unit_test(detention_three_ways),
        cmocka_unit_test(non_final_refusal_or_new_application_keeps_asylum_seeker),
        cmocka_unit_test(same_day_release_ends_detention),
        cmocka_unit_test(detention_end_date),
        cmocka_unit_test(no_legal_assistance_three_ways),
        cmocka_unit_test(no_legal_assistance_on_charge_alone),
        cmocka_unit_test(no_access_to_asylum),
        cmocka_unit_test(appeal_deadline),
        cmocka_unit_test(data_conflict),
        cmocka_unit_test(undated_events_come_first),
        cmocka_unit_test(reduced_precision_counts_from_first_day),
        cmocka_unit_test(sort_events_order),
        cmocka_unit_test(risk_periods),
        cmocka_unit_test(risk_matches_ethnicity_and_religion_only_in_its_country),
        cmocka_unit_test(party_status_on_the_date),
        cmocka_unit_test(carried_out_removal_is_judged_on_its_date),
        cmocka_unit_test(groups_are_spoken_of_as_groups),
        cmocka_unit_test(findings_are_sorted_across_cases_and_closed_cases_skipped),
        cmocka_unit_test(no_treaty_data_and_bad_input),
        cmocka_unit_test(rule_table_is_complete),
        cmocka_unit_test(treaty_data_loads_and_dates_entry_into_force),
        cmocka_unit_test(treaty_parser_rejects_malformed_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
