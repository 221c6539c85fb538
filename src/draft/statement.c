/*
 * statement.c: the statement model (the values templates see, listed in
 * docs/statements.md) built from a loaded case and its findings, and the
 * drafting itself: choose the template of the kind and language, render it
 * with the escaping of the output format, and wrap HTML in its page.
 */
#include <stdint.h>
#include <string.h>

#include "domain/refdata.h"
#include "draft/draft.h"
#include "service/checks.h"

struct model {
    struct arena *a;
    const struct draft_request *rq;
    enum draft_lang lang;
    const struct case_view *v;
    const struct check_outcome *o;
    struct buf tmp;
    const char **notes; /* source ids in order of first citation */
    size_t n_notes, cap_notes;
    struct strs targets;
};

/* ---------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------ */

/* The contents of m->tmp as an arena string; empties tmp. */
static const char *take(struct model *m)
{
    const char *s = arena_strndup(m->a, m->tmp.data, m->tmp.len);
    buf_reset(&m->tmp);
    return s;
}

static bool strs_has(const struct strs *s, const char *x)
{
    for (size_t i = 0; x && i < s->n_items; i++) {
        if (strcmp(s->items[i], x) == 0) {
            return true;
        }
    }
    return false;
}

/* Appends x to a growing arena list (cap kept alongside). */
static void strs_add(struct arena *a, struct strs *s, size_t *cap, const char *x)
{
    if (s->n_items == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        const char **items = arena_alloc(a, nc * sizeof *items);
        if (s->n_items) {
            memcpy(items, s->items, s->n_items * sizeof *items);
        }
        s->items = items;
        *cap = nc;
    }
    s->items[s->n_items++] = x;
}

static void strs_add_unique(struct arena *a, struct strs *s, size_t *cap, const char *x)
{
    if (x && !strs_has(s, x)) {
        strs_add(a, s, cap, x);
    }
}

static const char *country(const struct model *m, const char *alpha2)
{
    if (!alpha2) {
        return NULL;
    }
    const char *c =
        m->lang == DRAFT_RU ? refdata_country_name_ru(alpha2) : refdata_country_name(alpha2);
    return c && *c ? c : alpha2;
}

static const struct person *find_person(const struct model *m, const char *id)
{
    for (size_t i = 0; id && i < m->v->n_subjects; i++) {
        if (strcmp(m->v->subjects[i].id, id) == 0) {
            return &m->v->subjects[i];
        }
    }
    return id ? case_view_person(m->v, id) : NULL;
}

/* The name to print: for Russian a recorded Cyrillic name first. */
static const char *person_name(const struct model *m, const struct person *p)
{
    if (m->lang == DRAFT_RU) {
        for (size_t i = 0; i < p->n_names; i++) {
            if (p->names[i].script && strcmp(p->names[i].script, "Cyrl") == 0) {
                return p->names[i].full;
            }
        }
    }
    return person_display_name(p);
}

static bool is_subject(const struct model *m, const char *id)
{
    return strs_has(&m->v->kase.subjects, id);
}

static const char *list_words(struct model *m, const struct strs *items)
{
    draft_list(m->lang, items->items, items->n_items, &m->tmp);
    return take(m);
}

static const char *date_words(struct model *m, struct date d, bool approx)
{
    draft_date_words(m->lang, d, approx, &m->tmp);
    return take(m);
}

static const char *date_phrase(struct model *m, struct date d, bool approx)
{
    draft_date_phrase(m->lang, d, approx, &m->tmp);
    return take(m);
}

static void set_flag(struct model *m, struct mval *map, const char *prefix, const char *code)
{
    if (!code) {
        return;
    }
    buf_adds(&m->tmp, prefix);
    for (const char *p = code; *p; p++) {
        buf_addch(&m->tmp, (*p == '-' || *p == '.') ? '_' : *p);
    }
    mval_set_bool(m->a, map, take(m), true);
}

/* Who of the case's subjects an id list names: their names, and whether
 * they are several, or one woman, or one man. */
static void set_who(struct model *m, struct mval *map, const struct strs *ids)
{
    struct strs names = {0};
    size_t cap = 0;
    const struct person *only = NULL;
    for (size_t i = 0; i < ids->n_items; i++) {
        const struct person *p = find_person(m, ids->items[i]);
        if (p && is_subject(m, p->id)) {
            strs_add(m->a, &names, &cap, person_name(m, p));
            only = p;
        }
    }
    mval_set_str(m->a, map, "who", list_words(m, &names));
    bool plural = names.n_items > 1;
    bool female = !plural && only && only->sex && strcmp(only->sex, "female") == 0;
    mval_set_bool(m->a, map, "plural", plural);
    mval_set_bool(m->a, map, "single", !plural);
    mval_set_bool(m->a, map, "female", female);
    mval_set_bool(m->a, map, "male", !plural && !female);
}

static struct mval *note_refs(struct model *m, const struct strs *sources)
{
    struct mval *l = mval_list(m->a);
    for (size_t i = 0; i < sources->n_items; i++) {
        size_t n = 0;
        for (; n < m->n_notes; n++) {
            if (strcmp(m->notes[n], sources->items[i]) == 0) {
                break;
            }
        }
        if (n == m->n_notes) {
            struct strs s = {m->notes, m->n_notes};
            strs_add(m->a, &s, &m->cap_notes, sources->items[i]);
            m->notes = s.items;
            m->n_notes = s.n_items;
        }
        char num[24];
        snprintf(num, sizeof num, "%zu", n + 1);
        mval_push(m->a, l, mval_number(m->a, num));
    }
    return l;
}

/* ---------------------------------------------------------------------------
 * Wording tables: instruments, harms, missing facts
 * ------------------------------------------------------------------------ */

struct basis_text {
    const char *code;
    const char *en;
    const char *ru;
};

static const struct basis_text basis_texts[] = {
    {"RC1951-33-1", "article 33(1) of the 1951 Convention relating to the Status of Refugees",
     "статья 33(1) Конвенции о статусе беженцев 1951 года"},
    {"RC1951-31-1", "article 31(1) of the 1951 Convention relating to the Status of Refugees",
     "статья 31(1) Конвенции о статусе беженцев 1951 года"},
    {"RC1951-31-2", "article 31(2) of the 1951 Convention relating to the Status of Refugees",
     "статья 31(2) Конвенции о статусе беженцев 1951 года"},
    {"CAT-3",
     "article 3 of the Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment",
     "статья 3 Конвенции против пыток и других жестоких, бесчеловечных или унижающих достоинство видов "
     "обращения и наказания"},
    {"ICCPR-7", "article 7 of the International Covenant on Civil and Political Rights",
     "статья 7 Международного пакта о гражданских и политических правах"},
    {"ICCPR-9", "article 9 of the International Covenant on Civil and Political Rights",
     "статья 9 Международного пакта о гражданских и политических правах"},
    {"ICCPR-14", "article 14 of the International Covenant on Civil and Political Rights",
     "статья 14 Международного пакта о гражданских и политических правах"},
    {"UNHCR-DG-2012", "the UNHCR Detention Guidelines (2012)",
     "Руководящие принципы УВКБ ООН в отношении содержания под стражей (2012 год)"},
    {"CUSTOM-NR", "the principle of non-refoulement under customary international law",
     "принцип невысылки как норма обычного международного права"},
};

struct code_text {
    const char *code;
    const char *en;
    const char *ru;
};

static const struct code_text harm_texts[] = {
    {"arbitrary_detention", "arbitrary detention", "произвольное задержание"},
    {"torture", "torture", "пытки"},
    {"ill_treatment", "ill-treatment", "жестокое обращение"},
    {"forced_indoctrination", "forced indoctrination", "принудительная идеологическая обработка"},
    {"surveillance", "intrusive surveillance", "навязчивая слежка"},
    {"enforced_disappearance", "enforced disappearance", "насильственное исчезновение"},
    {"death_penalty", "the death penalty", "смертная казнь"},
    {"unfair_trial", "unfair trial", "несправедливое судебное разбирательство"},
    {"persecution", "persecution", "преследование"},
};

/* Questions for facts still to establish (impersonal in Russian, so that
 * they fit one person or several). */
static const struct code_text missing_texts[] = {
    {"planned_removal", "whether a removal is still planned", "планируется ли по-прежнему высылка"},
    {"removal_done", "whether the removal has been carried out", "была ли осуществлена высылка"},
    {"risk_in_destination", "whether they are at risk in the country of destination",
     "существует ли опасность в стране назначения"},
    {"asylum_seeker", "whether they are seeking asylum", "было ли подано ходатайство об убежище"},
    {"entry_charge", "whether the charge is for irregular entry or stay",
     "связано ли обвинение с незаконным въездом или пребыванием"},
    {"in_detention", "whether they are still detained", "продолжается ли содержание под стражей"},
    {"came_directly",
     "whether they came directly from a territory where their life or freedom was threatened",
     "было ли прибытие непосредственно с территории, где жизни или свободе угрожала опасность"},
    {"presented_without_delay",
     "whether they presented themselves to the authorities without delay",
     "было ли без промедления сделано обращение к властям"},
    {"lawyer_access_denied", "whether they have had access to a lawyer of their choice",
     "был ли обеспечен доступ к адвокату по собственному выбору"},
    {"asylum_access_denied", "whether they have been refused access to the asylum procedure",
     "было ли отказано в доступе к процедуре предоставления убежища"},
    {"deadline_near", "whether a time limit to appeal is about to expire",
     "истекает ли в ближайшее время срок обжалования"},
};

static const char *code_words(const struct model *m, const struct code_text *t, size_t n,
                              const char *code)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(t[i].code, code) == 0) {
            return m->lang == DRAFT_RU ? t[i].ru : t[i].en;
        }
    }
    return NULL;
}

static const char *harm_words(struct model *m, const char *code)
{
    const char *w = code_words(m, harm_texts, ARRAY_LEN(harm_texts), code);
    if (w) {
        return w;
    }
    for (const char *p = code; *p; p++) {
        buf_addch(&m->tmp, *p == '_' ? ' ' : *p);
    }
    return take(m);
}

/* Since when the state is bound by the instrument behind a basis code, or
 * DATE_NONE. */
static struct date bound_since(const struct model *m, const char *code)
{
    struct date none = {0};
    const char *state = m->v->kase.state;
    enum treaty_instrument try[2];
    size_t n = 0;
    if (strncmp(code, "RC1951", 6) == 0) {
        try[n++] = TREATY_RC1951;
        try[n++] = TREATY_RP1967;
    } else if (strncmp(code, "CAT", 3) == 0) {
        try[n++] = TREATY_CAT;
    } else if (strncmp(code, "ICCPR", 5) == 0) {
        try[n++] = TREATY_ICCPR;
    }
    int64_t day = date_first_day(m->rq->as_of);
    for (size_t i = 0; i < n; i++) {
        struct treaty_binding b = treaty_binding(&m->o->treaties, state, try[i], day);
        int64_t earliest, latest;
        if (b.bound == TRI_TRUE && b.row && treaty_in_force(b.row, &earliest, &latest)) {
            return date_from_days(earliest);
        }
    }
    return none;
}

/* ---------------------------------------------------------------------------
 * Parts of the model
 * ------------------------------------------------------------------------ */

static const char *org_name(const struct model *m, const char *id)
{
    const struct organization *o = id ? case_view_organization(m->v, id) : NULL;
    return o ? (o->name ? o->name : o->id) : NULL;
}

/* A person's position: the one at `org` if given and held, else the latest. */
static const struct position *position_of(const struct person *p, const char *org)
{
    const struct position *best = NULL;
    for (size_t i = 0; i < p->n_positions; i++) {
        const struct position *q = &p->positions[i];
        if (org && q->organization && strcmp(q->organization, org) == 0) {
            return q;
        }
        if (!best || date_cmp(q->from, best->from) > 0) {
            best = q;
        }
    }
    return org ? NULL : best;
}

static struct mval *official_value(struct model *m, const struct person *p, const char *org)
{
    struct mval *o = mval_map(m->a);
    const struct position *pos = position_of(p, org);
    if (!pos) {
        pos = position_of(p, NULL);
    }
    mval_set_str(m->a, o, "id", p->id);
    mval_set_str(m->a, o, "name", person_name(m, p));
    const char *title = pos && pos->title && *pos->title ? pos->title : NULL;
    const char *oname = pos ? org_name(m, pos->organization) : NULL;
    if (!oname && org) {
        oname = org_name(m, org);
    }
    mval_set_str(m->a, o, "title", title);
    mval_set_str(m->a, o, "organization", oname);
    mval_set_bool(m->a, o, "has_title", title != NULL);
    bool female = p->sex && strcmp(p->sex, "female") == 0;
    bool male = p->sex && strcmp(p->sex, "male") == 0;
    mval_set_bool(m->a, o, "female", female);
    mval_set_bool(m->a, o, "male", male);
    mval_set_bool(m->a, o, "sex_unknown", !female && !male);
    /* The surname for salutations: the last word of the name; in Russian
     * transliterated into Cyrillic when only a Latin form is recorded. */
    const char *name = person_name(m, p);
    const char *sp = strrchr(name, ' ');
    const char *surname = sp ? sp + 1 : name;
    if (m->lang == DRAFT_RU && (unsigned char)surname[0] < 0x80) {
        draft_to_cyrillic(surname, &m->tmp);
        surname = take(m);
    }
    mval_set_str(m->a, o, "surname", surname);
    return o;
}

static bool counts(const struct model *m, const struct event *ev);

/* A detention that has not ended as of the statement's date: no end date
 * before it, and no later release or removal of any of its persons. */
static bool detention_ongoing(const struct model *m, const struct event *ev)
{
    int64_t day = date_first_day(m->rq->as_of);
    if (ev->end_date.prec && date_last_day(ev->end_date) <= day) {
        return false;
    }
    for (size_t i = 0; i < m->v->n_events; i++) {
        const struct event *x = &m->v->events[i];
        if ((x->type == EV_RELEASE || x->type == EV_REMOVAL) && counts(m, x) &&
            date_cmp(x->date, ev->date) >= 0) {
            for (size_t j = 0; j < ev->persons.n_items; j++) {
                if (strs_has(&x->persons, ev->persons.items[j])) {
                    return false;
                }
            }
        }
    }
    return true;
}

static struct mval *fact_value(struct model *m, const struct event *ev)
{
    struct mval *f = mval_map(m->a);
    mval_set_str(m->a, f, "id", ev->id);
    set_flag(m, f, "t_", event_type_name(ev->type));
    set_who(m, f, &ev->persons);
    if (ev->date.prec) {
        mval_set_str(m->a, f, "date", date_words(m, ev->date, ev->approx));
        const char *when = date_phrase(m, ev->date, ev->approx);
        mval_set_str(m->a, f, "when", when);
        draft_capitalize(when, &m->tmp);
        mval_set_str(m->a, f, "When", take(m));
    }
    mval_set_bool(m->a, f, "approx", ev->approx);
    if (ev->description) {
        /* Without its final full stop, so that templates can place it in a sentence. */
        size_t dl = strlen(ev->description);
        while (dl && (ev->description[dl - 1] == '.' || ev->description[dl - 1] == ' ')) {
            dl--;
        }
        mval_set_str(m->a, f, "description", arena_strndup(m->a, ev->description, dl));
    }
    if (ev->has_place) {
        const char *place = ev->place.name;
        if (!place && ev->place.region && m->lang == DRAFT_EN) {
            const struct iso_named *sub = refdata_subdivision(ev->place.region);
            place = sub ? sub->name : ev->place.region;
        }
        const char *c = country(m, ev->place.country);
        if (place) {
            mval_set_str(m->a, f, "place", place);
        }
        mval_set_str(m->a, f, "place_country", c);
    }
    mval_set_str(m->a, f, "from_country", country(m, ev->from_country));
    mval_set_str(m->a, f, "to_country", country(m, ev->to_country));
    mval_set_str(m->a, f, "state", country(m, ev->state));
    mval_set_str(m->a, f, "offence", ev->offence);
    mval_set_str(m->a, f, "law", ev->law);
    mval_set_str(m->a, f, "sentence", ev->sentence);
    set_flag(m, f, "k_", ev->kind);
    set_flag(m, f, "outcome_", ev->outcome);
    set_flag(m, f, "to_", ev->to);
    mval_set_bool(m->a, f, "irregular", ev->irregular == TRI_TRUE);
    mval_set_bool(m->a, f, "entry_related", ev->entry_related == TRI_TRUE);
    mval_set_bool(m->a, f, "alleged", ev->alleged == TRI_TRUE);
    mval_set_bool(m->a, f, "provided", ev->provided == TRI_TRUE);
    mval_set_bool(m->a, f, "not_provided", ev->provided == TRI_FALSE);
    mval_set_str(m->a, f, "by", org_name(m, ev->by));
    const struct person *off = ev->official ? case_view_person(m->v, ev->official) : NULL;
    if (off) {
        mval_set(m->a, f, "official", official_value(m, off, ev->by));
    }
    mval_set_bool(m->a, f, "ongoing", ev->type == EV_DETENTION && detention_ongoing(m, ev));
    mval_set(m->a, f, "notes", note_refs(m, &ev->sources));
    return f;
}

static bool counts(const struct model *m, const struct event *ev)
{
    return ev->date.prec == DATE_NONE || date_first_day(ev->date) <= date_first_day(m->rq->as_of);
}

static bool names_subject(const struct model *m, const struct event *ev)
{
    for (size_t i = 0; i < ev->persons.n_items; i++) {
        if (is_subject(m, ev->persons.items[i])) {
            return true;
        }
    }
    return false;
}

static bool is_planned_removal(enum event_type t)
{
    return t == EV_REMOVAL_ANNOUNCED || t == EV_REMOVAL_REQUESTED || t == EV_REMOVAL_ORDERED;
}

/* The findings of this case. */
static const struct finding *case_finding(const struct model *m, size_t i)
{
    const struct finding *f = &m->o->result.items[i];
    return strcmp(f->case_id, m->v->kase.id) == 0 ? f : NULL;
}

static void build_facts(struct model *m, struct mval *root, const struct event **trigger)
{
    *trigger = NULL;
    for (size_t i = 0; i < m->v->n_events; i++) {
        const struct event *ev = &m->v->events[i];
        if (counts(m, ev) && names_subject(m, ev) && is_planned_removal(ev->type)) {
            *trigger = ev;
        }
    }
    /* Facts read as a story: undated first, then by the last day a date
     * covers, so that "October 2019" comes after "6 October 2019" and "2019"
     * after both (a stable insertion sort keeps the timeline otherwise). */
    size_t n = m->v->n_events;
    const struct event **order = arena_alloc(m->a, (n ? n : 1) * sizeof *order);
    for (size_t i = 0; i < n; i++) {
        const struct event *ev = &m->v->events[i];
        size_t j = i;
        int64_t key = ev->date.prec ? date_last_day(ev->date) : INT64_MIN;
        while (j > 0) {
            const struct event *prev = order[j - 1];
            int64_t pk = prev->date.prec ? date_last_day(prev->date) : INT64_MIN;
            if (pk <= key) {
                break;
            }
            order[j] = prev;
            j--;
        }
        order[j] = ev;
    }
    struct mval *facts = mval_list(m->a);
    for (size_t i = 0; i < n; i++) {
        const struct event *ev = order[i];
        if (ev != *trigger && counts(m, ev) && names_subject(m, ev)) {
            mval_push(m->a, facts, fact_value(m, ev));
        }
    }
    mval_set(m->a, root, "facts", facts);
    if (*trigger) {
        mval_set(m->a, root, "trigger", fact_value(m, *trigger));
    }
    /* Each subject with their own facts, in timeline order. */
    struct mval *subjects = mval_list(m->a);
    for (size_t s = 0; s < m->v->n_subjects; s++) {
        const struct person *p = &m->v->subjects[s];
        struct mval *sv = mval_map(m->a);
        mval_set_str(m->a, sv, "id", p->id);
        mval_set_str(m->a, sv, "name", person_name(m, p));
        struct mval *own = mval_list(m->a);
        for (size_t i = 0; i < m->v->n_events; i++) {
            const struct event *ev = &m->v->events[i];
            if (counts(m, ev) && strs_has(&ev->persons, p->id)) {
                mval_push(m->a, own, fact_value(m, ev));
            }
        }
        mval_set(m->a, sv, "facts", own);
        mval_push(m->a, subjects, sv);
    }
    mval_set(m->a, root, "subjects", subjects);
}

static void build_risks(struct model *m, struct mval *root, const struct strs *destinations)
{
    struct mval *risks = mval_list(m->a);
    int64_t day = date_first_day(m->rq->as_of);
    for (size_t i = 0; i < m->v->n_risks; i++) {
        const struct risk *r = &m->v->risks[i];
        if (destinations->n_items && !strs_has(destinations, r->country)) {
            continue;
        }
        if ((r->from.prec && date_first_day(r->from) > day) ||
            (r->to.prec && date_last_day(r->to) < day)) {
            continue;
        }
        struct mval *rv = mval_map(m->a);
        mval_set_str(m->a, rv, "country", country(m, r->country));
        if (r->region) {
            const struct iso_named *sub = refdata_subdivision(r->region);
            mval_set_str(m->a, rv, "region", sub ? sub->name : r->region);
        }
        struct strs harms = {0};
        size_t cap = 0;
        for (size_t j = 0; j < r->harms.n_items; j++) {
            strs_add(m->a, &harms, &cap, harm_words(m, r->harms.items[j]));
        }
        mval_set_str(m->a, rv, "harms", list_words(m, &harms));
        mval_set_bool(m->a, rv, "has_harms", harms.n_items > 0);
        if (r->from.prec) {
            mval_set_str(m->a, rv, "since", date_words(m, r->from, false));
            draft_date_since(m->lang, r->from, &m->tmp);
            mval_set_str(m->a, rv, "since_phrase", take(m));
        }
        mval_set(m->a, rv, "notes", note_refs(m, &r->sources));
        struct mval *urls = mval_list(m->a);
        for (size_t j = 0; j < r->sources.n_items; j++) {
            const struct source *src = case_view_source(m->v, r->sources.items[j]);
            if (src && src->url) {
                mval_push(m->a, urls, mval_str(m->a, src->url));
            }
        }
        mval_set(m->a, rv, "urls", urls);
        mval_push(m->a, risks, rv);
    }
    mval_set(m->a, root, "risks", risks);
}

/* Obligations: one paragraph per rule and status, naming the persons. */
static void build_obligations(struct model *m, struct mval *root)
{
    struct mval *list = mval_list(m->a);
    size_t n_rules;
    const struct check_rule *rules = check_rules(&n_rules);
    for (size_t r = 0; r < n_rules; r++) {
        if (strcmp(rules[r].id, "data-conflict") == 0) {
            continue;
        }
        for (int st = CHECK_ESTABLISHED; st <= CHECK_INCOMPLETE; st++) {
            struct strs persons = {0}, bases = {0}, missing = {0}, dests = {0};
            size_t cp = 0, cb = 0, cm = 0, cd = 0;
            for (size_t i = 0; i < m->o->result.n_items; i++) {
                const struct finding *f = case_finding(m, i);
                if (!f || strcmp(f->rule_id, rules[r].id) != 0 || (int)f->status != st) {
                    continue;
                }
                strs_add_unique(m->a, &persons, &cp, f->person_id);
                for (size_t j = 0; j < f->basis.n_items; j++) {
                    strs_add_unique(m->a, &bases, &cb, f->basis.items[j]);
                }
                for (size_t j = 0; j < f->missing.n_items; j++) {
                    strs_add_unique(m->a, &missing, &cm, f->missing.items[j]);
                }
                for (size_t j = 0; j < f->destinations.n_items; j++) {
                    strs_add_unique(m->a, &dests, &cd, f->destinations.items[j]);
                }
            }
            if (persons.n_items == 0) {
                continue;
            }
            struct mval *ob = mval_map(m->a);
            set_flag(m, ob, "r_", rules[r].id);
            mval_set_str(m->a, ob, "rule", rules[r].id);
            mval_set_bool(m->a, ob, "established", st == CHECK_ESTABLISHED);
            mval_set_bool(m->a, ob, "incomplete", st == CHECK_INCOMPLETE);
            set_who(m, ob, &persons);
            struct mval *bl = mval_list(m->a);
            struct strs binding = {0}, guidance = {0};
            size_t cbi = 0, cg = 0;
            for (size_t j = 0; j < bases.n_items; j++) {
                const char *words = bases.items[j];
                for (size_t k = 0; k < ARRAY_LEN(basis_texts); k++) {
                    if (strcmp(basis_texts[k].code, bases.items[j]) == 0) {
                        words = m->lang == DRAFT_RU ? basis_texts[k].ru : basis_texts[k].en;
                    }
                }
                struct mval *b = mval_map(m->a);
                mval_set_str(m->a, b, "code", bases.items[j]);
                mval_set_str(m->a, b, "words", words);
                bool is_guidance = strncmp(bases.items[j], "UNHCR", 5) == 0;
                bool is_custom = strncmp(bases.items[j], "CUSTOM", 6) == 0;
                mval_set_bool(m->a, b, "guidance", is_guidance);
                mval_set_bool(m->a, b, "custom", is_custom);
                mval_set_bool(m->a, b, "treaty", !is_guidance && !is_custom);
                struct date since = bound_since(m, bases.items[j]);
                if (since.prec) {
                    mval_set_str(m->a, b, "since", date_words(m, since, false));
                }
                mval_push(m->a, bl, b);
                if (is_guidance) {
                    strs_add(m->a, &guidance, &cg, words);
                } else {
                    strs_add(m->a, &binding, &cbi, words);
                }
            }
            mval_set(m->a, ob, "bases", bl);
            mval_set_str(m->a, ob, "binding", list_words(m, &binding));
            mval_set_bool(m->a, ob, "has_binding", binding.n_items > 0);
            mval_set_str(m->a, ob, "guidance", list_words(m, &guidance));
            mval_set_bool(m->a, ob, "has_guidance", guidance.n_items > 0);
            struct strs q = {0};
            size_t cq = 0;
            for (size_t j = 0; j < missing.n_items; j++) {
                const char *w =
                    code_words(m, missing_texts, ARRAY_LEN(missing_texts), missing.items[j]);
                strs_add(m->a, &q, &cq, w ? w : missing.items[j]);
            }
            mval_set_str(m->a, ob, "missing", list_words(m, &q));
            mval_set_bool(m->a, ob, "has_missing", q.n_items > 0);
            struct strs dn = {0};
            size_t cdn = 0;
            for (size_t j = 0; j < dests.n_items; j++) {
                strs_add(m->a, &dn, &cdn, country(m, dests.items[j]));
            }
            mval_set_str(m->a, ob, "destinations", list_words(m, &dn));
            mval_push(m->a, list, ob);
        }
    }
    mval_set(m->a, root, "obligations", list);
}

static const char *const demand_order[] = {"no_return",     "release",          "stop_prosecution",
                                           "asylum_access", "legal_assistance", "investigate",
                                           "monitor"};

/* The offence of the first entry-related charge of these persons, if any. */
static const char *offence_of(const struct model *m, const struct strs *persons)
{
    for (size_t i = 0; i < m->v->n_events; i++) {
        const struct event *ev = &m->v->events[i];
        if ((ev->type == EV_CHARGE || ev->type == EV_CONVICTION) && ev->offence && counts(m, ev)) {
            for (size_t j = 0; j < persons->n_items; j++) {
                if (strs_has(&ev->persons, persons->items[j])) {
                    return ev->offence;
                }
            }
        }
    }
    return NULL;
}

static void build_demands(struct model *m, struct mval *root, struct strs *codes_out,
                          struct strs *dest_codes)
{
    struct mval *list = mval_list(m->a);
    size_t cap_codes = 0;
    size_t cap_dest = 0;
    for (size_t d = 0; d < ARRAY_LEN(demand_order); d++) {
        struct strs persons = {0}, missing = {0}, dests = {0};
        size_t cp = 0, cm = 0, cd = 0;
        bool established = false;
        for (size_t i = 0; i < m->o->result.n_items; i++) {
            const struct finding *f = case_finding(m, i);
            if (!f || !strs_has(&f->demands, demand_order[d])) {
                continue;
            }
            strs_add_unique(m->a, &persons, &cp, f->person_id);
            if (f->status == CHECK_ESTABLISHED) {
                established = true;
            }
            for (size_t j = 0; f->status == CHECK_INCOMPLETE && j < f->missing.n_items; j++) {
                strs_add_unique(m->a, &missing, &cm, f->missing.items[j]);
            }
            for (size_t j = 0; j < f->destinations.n_items; j++) {
                strs_add_unique(m->a, &dests, &cd, f->destinations.items[j]);
            }
        }
        if (persons.n_items == 0) {
            continue;
        }
        strs_add(m->a, codes_out, &cap_codes, demand_order[d]);
        struct mval *dv = mval_map(m->a);
        set_flag(m, dv, "d_", demand_order[d]);
        mval_set_str(m->a, dv, "code", demand_order[d]);
        set_who(m, dv, &persons);
        mval_set_bool(m->a, dv, "conditional", !established);
        struct strs q = {0};
        size_t cq = 0;
        for (size_t j = 0; !established && j < missing.n_items; j++) {
            const char *w =
                code_words(m, missing_texts, ARRAY_LEN(missing_texts), missing.items[j]);
            strs_add(m->a, &q, &cq, w ? w : missing.items[j]);
        }
        mval_set_str(m->a, dv, "missing", list_words(m, &q));
        mval_set_bool(m->a, dv, "has_missing", q.n_items > 0);
        struct strs dn = {0};
        size_t cdn = 0;
        for (size_t j = 0; j < dests.n_items; j++) {
            strs_add(m->a, &dn, &cdn, country(m, dests.items[j]));
            strs_add_unique(m->a, dest_codes, &cap_dest, dests.items[j]);
        }
        mval_set_str(m->a, dv, "destinations", list_words(m, &dn));
        mval_set_bool(m->a, dv, "has_destinations", dn.n_items > 0);
        mval_set_str(m->a, dv, "offence", offence_of(m, &persons));
        mval_push(m->a, list, dv);
    }
    mval_set(m->a, root, "demands", list);
    mval_set_bool(m->a, root, "has_demands", list->n > 0);
    if (list->n) {
        set_flag(m, root, "main_", codes_out->items[0]);
        mval_set(m->a, root, "main", list->items[0]);
    }
}

static void build_notes(struct model *m, struct mval *root)
{
    struct mval *list = mval_list(m->a);
    for (size_t i = 0; i < m->n_notes; i++) {
        const struct source *s = case_view_source(m->v, m->notes[i]);
        struct mval *n = mval_map(m->a);
        char num[24];
        snprintf(num, sizeof num, "%zu", i + 1);
        mval_set(m->a, n, "n", mval_number(m->a, num));
        mval_set_str(m->a, n, "id", m->notes[i]);
        if (s) {
            mval_set_str(m->a, n, "title", s->title);
            mval_set_str(m->a, n, "publisher", s->publisher);
            if (s->date.prec) {
                mval_set_str(m->a, n, "date", date_words(m, s->date, s->approx));
            }
            mval_set_str(m->a, n, "url", s->url);
        }
        mval_push(m->a, list, n);
    }
    mval_set(m->a, root, "notes", list);
    mval_set_bool(m->a, root, "has_notes", list->n > 0);
}

/* Targets: the organizations and officials recorded on the case's events
 * and actions, in order of first mention. */
static void collect_targets(struct model *m)
{
    size_t cap = 0;
    for (size_t i = 0; i < m->v->n_events; i++) {
        const struct event *ev = &m->v->events[i];
        if (names_subject(m, ev)) {
            strs_add_unique(m->a, &m->targets, &cap, ev->official);
            strs_add_unique(m->a, &m->targets, &cap, ev->by);
        }
    }
    for (size_t i = 0; i < m->v->n_actions; i++) {
        for (size_t j = 0; j < m->v->actions[i].targets.n_items; j++) {
            strs_add_unique(m->a, &m->targets, &cap, m->v->actions[i].targets.items[j]);
        }
    }
}

/* An official recorded with a position in the organization, if any. */
static const struct person *official_of(const struct model *m, const char *org)
{
    for (size_t i = 0; i < m->v->n_others; i++) {
        if (position_of(&m->v->others[i], org)) {
            return &m->v->others[i];
        }
    }
    return NULL;
}

static struct mval *target_value(struct model *m, const char *id, bool prefer_official)
{
    const struct organization *org = case_view_organization(m->v, id);
    const struct person *p = org ? NULL : case_view_person(m->v, id);
    if (org && prefer_official) {
        p = official_of(m, org->id);
    }
    struct mval *t;
    if (p) {
        t = official_value(m, p, org ? org->id : NULL);
        mval_set_bool(m->a, t, "is_person", true);
    } else {
        t = mval_map(m->a);
        mval_set_str(m->a, t, "id", id);
        mval_set_str(m->a, t, "name", org ? (org->name ? org->name : org->id) : id);
        mval_set_bool(m->a, t, "is_organization", true);
        mval_set_bool(m->a, t, "has_title", false);
    }
    return t;
}

static void build_targets(struct model *m, struct mval *root, struct strs *info_targets)
{
    collect_targets(m);
    struct mval *list = mval_list(m->a);
    for (size_t i = 0; i < m->targets.n_items; i++) {
        mval_push(m->a, list, target_value(m, m->targets.items[i], false));
    }
    mval_set(m->a, root, "targets", list);
    mval_set_bool(m->a, root, "has_targets", list->n > 0);
    *info_targets = m->targets;
}

/* ---------------------------------------------------------------------------
 * The model
 * ------------------------------------------------------------------------ */

enum app_err draft_model(struct store *s, const struct draft_request *rq, struct arena *a,
                         struct mval **model, struct draft_info *info, struct err *e)
{
    struct check_request crq = {.case_id = rq->case_id, .as_of = rq->as_of, .record = false};
    struct check_outcome *o = arena_alloc(a, sizeof *o);
    enum app_err rc = service_check(s, &crq, a, o, e);
    if (rc != E_OK) {
        return rc;
    }
    const struct case_view *v = check_outcome_view(o, rq->case_id);
    if (!v) {
        return err_set(e, E_NOT_FOUND, "no case with id '%s'", rq->case_id);
    }
    struct model m = {.a = a, .rq = rq, .lang = rq->lang, .v = v, .o = o, .tmp = BUF_INIT};
    struct mval *root = mval_map(a);
    mval_set_str(a, root, "lang", rq->lang == DRAFT_RU ? "ru" : "en");
    mval_set_str(a, root, "kind", draft_kind_name(rq->kind));
    mval_set_str(a, root, "case_id", v->kase.id);
    mval_set_str(a, root, "case_title", v->kase.title);
    mval_set_str(a, root, "case_summary", v->kase.summary);
    mval_set_str(a, root, "state", country(&m, v->kase.state));
    mval_set_str(a, root, "as_of", date_words(&m, rq->as_of, false));
    struct date until = date_from_days(date_first_day(rq->as_of) + 42);
    mval_set_str(a, root, "until", date_words(&m, until, false));

    set_who(&m, root, &v->kase.subjects);
    int64_t n = (int64_t)v->n_subjects;
    draft_spell(m.lang, n, &m.tmp);
    mval_set_str(a, root, "count", take(&m));
    set_flag(&m, root, "count_", draft_plural(m.lang, n));
    bool asylum = false;
    for (size_t i = 0; i < v->n_events; i++) {
        asylum =
            asylum || (v->events[i].type == EV_ASYLUM_APPLICATION && counts(&m, &v->events[i]));
    }
    mval_set_bool(a, root, "asylum_seekers", asylum);

    const struct event *trigger;
    build_facts(&m, root, &trigger);
    struct strs demand_codes = {0}, dest_codes = {0};
    build_obligations(&m, root);
    build_demands(&m, root, &demand_codes, &dest_codes);
    if (trigger && trigger->to_country) {
        size_t cap = dest_codes.n_items;
        strs_add_unique(a, &dest_codes, &cap, trigger->to_country);
    }
    struct strs dn = {0};
    size_t cdn = 0;
    for (size_t i = 0; i < dest_codes.n_items; i++) {
        strs_add(a, &dn, &cdn, country(&m, dest_codes.items[i]));
    }
    mval_set_str(a, root, "destinations", list_words(&m, &dn));
    mval_set_bool(a, root, "has_destinations", dn.n_items > 0);
    build_risks(&m, root, &dest_codes);
    build_notes(&m, root);
    struct strs targets = {0};
    build_targets(&m, root, &targets);

    /* The addressee of an appeal (and of an urgent action's model letter). */
    const char *to = rq->to;
    if (to && !case_view_organization(v, to) && !case_view_person(v, to)) {
        buf_release(&m.tmp);
        return err_set_at(e, E_NOT_FOUND, "to", "no organization or person '%s' on this case", to);
    }
    if (!to && targets.n_items) {
        to = targets.items[0];
    }
    if (to) {
        mval_set(a, root, "addressee", target_value(&m, to, true));
    }
    if (info) {
        info->action_kind = draft_kind_name(rq->kind);
        info->demands = demand_codes;
        if (rq->kind == DRAFT_APPEAL && to) {
            struct strs one = {arena_alloc(a, sizeof(char *)), 1};
            one.items[0] = to;
            info->targets = one;
        } else {
            info->targets = targets;
        }
    }
    buf_release(&m.tmp);
    *model = root;
    return E_OK;
}

/* ---------------------------------------------------------------------------
 * Drafting
 * ------------------------------------------------------------------------ */

bool draft_kind_parse(const char *s, enum draft_kind *out)
{
    static const enum draft_kind kinds[] = {DRAFT_PUBLIC_STATEMENT, DRAFT_URGENT_ACTION,
                                            DRAFT_APPEAL};

    for (size_t i = 0; s && i < ARRAY_LEN(kinds); i++) {
        if (strcmp(s, draft_kind_name(kinds[i])) == 0) {
            *out = kinds[i];
            return true;
        }
    }
    return false;
}

const char *draft_kind_name(enum draft_kind k)
{
    switch (k) {
    case DRAFT_PUBLIC_STATEMENT:
        return "public_statement";
    case DRAFT_URGENT_ACTION:
        return "urgent_action";
    case DRAFT_APPEAL:
        return "appeal";
    }
    return "public_statement";
}

bool draft_lang_parse(const char *s, enum draft_lang *out)
{
    if (s && strcmp(s, "en") == 0) {
        *out = DRAFT_EN;
    } else if (s && strcmp(s, "ru") == 0) {
        *out = DRAFT_RU;
    } else {
        return false;
    }
    return true;
}

bool draft_format_parse(const char *s, enum draft_format *out)
{
    if (s && strcmp(s, "md") == 0) {
        *out = DRAFT_MD;
    } else if (s && strcmp(s, "html") == 0) {
        *out = DRAFT_HTML;
    } else if (s && strcmp(s, "text") == 0) {
        *out = DRAFT_TEXT;
    } else {
        return false;
    }
    return true;
}

struct partials {
    const char *dir;
    struct arena *a;
    enum app_err rc;
    struct err *e;
};

/* Partials are template files: {{> facts.en}} reads facts.en.mustache. */
static bool find_partial(void *ctx, const char *name, const char **text, size_t *len)
{
    struct partials *p = ctx;
    char file[160];
    snprintf(file, sizeof file, "%.140s.mustache", name);
    bool found = false;
    enum app_err rc = draft_template(p->dir, file, p->a, text, len, &found, p->e);
    if (rc != E_OK) {
        p->rc = rc;
        return false;
    }
    if (!found) {
        rc = draft_template(p->dir, name, p->a, text, len, &found, p->e);
        if (rc != E_OK) {
            p->rc = rc;
            return false;
        }
    }
    return found;
}

static enum app_err render_file(const char *file, const struct mval *data, enum mustache_escape esc,
                                struct partials *pc, struct buf *out, struct err *e)
{
    const char *text;
    size_t len;
    bool found;
    enum app_err rc = draft_template(pc->dir, file, pc->a, &text, &len, &found, e);
    if (rc != E_OK) {
        return rc;
    }
    if (!found) {
        return err_set_at(e, E_INVALID, file, "no such template");
    }
    struct mustache_opts opts = {.escape = esc, .partial = find_partial, .partial_ctx = pc};
    rc = mustache_render(file, text, len, data, &opts, pc->a, out, e);
    return rc == E_OK ? pc->rc : rc;
}

enum app_err draft_statement(struct store *s, const struct draft_request *rq, struct arena *a,
                             struct buf *out, struct draft_info *info, struct err *e)
{
    struct mval *model;
    enum app_err rc = draft_model(s, rq, a, &model, info, e);
    if (rc != E_OK) {
        return rc;
    }
    const char *lang = rq->lang == DRAFT_RU ? "ru" : "en";
    char file[96];
    snprintf(file, sizeof file, "%s.%s.md.mustache", draft_kind_name(rq->kind), lang);
    struct partials pc = {.dir = rq->templates_dir, .a = a, .rc = E_OK, .e = e};
    enum mustache_escape esc = rq->format == DRAFT_HTML ? MUSTACHE_ESCAPE_HTML
                               : rq->format == DRAFT_MD ? MUSTACHE_ESCAPE_MD
                                                        : MUSTACHE_ESCAPE_NONE;
    struct buf md = BUF_INIT;
    rc = render_file(file, model, esc, &pc, &md, e);
    if (rc == E_OK) {
        switch (rq->format) {
        case DRAFT_MD:
            buf_add(out, md.data, md.len);
            break;
        case DRAFT_TEXT:
            draft_markdown_to_text(md.data, md.len, out);
            break;
        case DRAFT_HTML: {
            struct buf body = BUF_INIT;
            draft_markdown_to_html(md.data, md.len, &body);
            struct mval *page = mval_map(a);
            mval_set_str(a, page, "lang", lang);
            mval_set_str(a, page, "body", body.data);
            const struct mval *title = mval_get(model, "case_title");
            mval_set_str(a, page, "title", title ? title->s : rq->case_id);
            buf_release(&body);
            rc = render_file("page.html.mustache", page, MUSTACHE_ESCAPE_HTML, &pc, out, e);
            break;
        }
        }
    }
    buf_release(&md);
    return rc;
}
