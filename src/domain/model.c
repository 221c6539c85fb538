/*
 * model.c: tables of the bundle format's vocabularies and event types.
 */
#include "domain/model.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const char *const list_names[OBJ_KIND_COUNT] = {
    "sources", "persons", "organizations", "cases", "events", "risks", "actions"};
static const char *const kind_names[OBJ_KIND_COUNT] = {"source", "person", "organization", "case",
                                                       "event",  "risk",   "action"};

const char *obj_kind_list_name(enum obj_kind k)
{
    return (unsigned)k < OBJ_KIND_COUNT ? list_names[k] : "?";
}

const char *obj_kind_name(enum obj_kind k)
{
    return (unsigned)k < OBJ_KIND_COUNT ? kind_names[k] : "?";
}

static_assert(offsetof(struct source, id) == 0 && offsetof(struct person, id) == 0 &&
                  offsetof(struct organization, id) == 0 && offsetof(struct case_, id) == 0 &&
                  offsetof(struct event, id) == 0 && offsetof(struct risk, id) == 0 &&
                  offsetof(struct action, id) == 0,
              "every object struct begins with its id");

size_t obj_kind_size(enum obj_kind k)
{
    static const size_t sizes[OBJ_KIND_COUNT] = {
        sizeof(struct source), sizeof(struct person), sizeof(struct organization),
        sizeof(struct case_),  sizeof(struct event),  sizeof(struct risk),
        sizeof(struct action),
    };
    return (unsigned)k < OBJ_KIND_COUNT ? sizes[k] : 0;
}

const char *const vocab_source_kind[] = {
    "report", "testimony", "news", "official_statement", "court_document", "other", NULL};
const char *const vocab_name_kind[] = {"primary",         "native", "alias",
                                       "transliteration", "former", NULL};
const char *const vocab_org_kind[] = {"state_authority", "court", "police", "ngo",
                                      "un_agency",       "other", NULL};
const char *const vocab_case_status[] = {"open", "monitoring", "closed", NULL};
const char *const vocab_outcome[] = {"recognised",   "complementary", "refused",
                                     "inadmissible", "withdrawn",     NULL};
const char *const vocab_removal_mode[] = {"deportation", "extradition", "handover", "other", NULL};
const char *const vocab_access_to[] = {"asylum_procedure", "lawyer",   "unhcr",
                                       "family",           "consular", NULL};
const char *const vocab_action_kind[] = {"public_statement", "urgent_action", "appeal", "letter",
                                         "meeting",          "litigation",    NULL};
const char *const vocab_demand[] = {
    "no_return",        "release",     "stop_prosecution", "asylum_access",
    "legal_assistance", "investigate", "monitor",          NULL};
const char *const vocab_reliability[] = {"A", "B", "C", "D", "E", "F", NULL};
const char *const vocab_credibility[] = {"1", "2", "3", "4", "5", "6", NULL};

static const char *const detention_kinds[] = {"pretrial", "immigration", "administrative",
                                              "camp",     "other",       NULL};
static const char *const ill_treatment_kinds[] = {
    "torture", "beating", "arbitrary_detention", "enforced_disappearance", "forced_indoctrination",
    "other",   NULL};
static const char *const unhcr_kinds[] = {"registered", "recognised", "mandate_refugee", NULL};

struct event_type_row {
    const char *name;
    unsigned fields;
    bool ending;
};

static const struct event_type_row event_types[EV_TYPE_COUNT] = {
    [EV_FLIGHT] = {"flight", EF_FROM_COUNTRY, false},
    [EV_BORDER_CROSSING] = {"border_crossing",
                            EF_FROM_COUNTRY | EF_TO_COUNTRY | EF_IRREGULAR | EF_PRESENTED |
                                EF_PRESENTED_ON,
                            false},
    [EV_ASYLUM_APPLICATION] = {"asylum_application", EF_STATE, false},
    [EV_ASYLUM_DECISION] = {"asylum_decision", EF_OUTCOME | EF_FINAL | EF_APPEAL_UNTIL, false},
    [EV_ARREST] = {"arrest", 0, false},
    [EV_DETENTION] = {"detention", EF_KIND, false},
    [EV_RELEASE] = {"release", 0, true},
    [EV_CHARGE] = {"charge", EF_OFFENCE | EF_LAW | EF_ENTRY_RELATED, false},
    [EV_CONVICTION] = {"conviction", EF_OFFENCE | EF_SENTENCE | EF_ENTRY_RELATED, false},
    [EV_ACQUITTAL] = {"acquittal", 0, true},
    [EV_REMOVAL_ANNOUNCED] = {"removal_announced", EF_TO_COUNTRY, false},
    [EV_REMOVAL_REQUESTED] = {"removal_requested", EF_TO_COUNTRY | EF_BY_COUNTRY | EF_APPEAL_UNTIL,
                              false},
    [EV_REMOVAL_ORDERED] = {"removal_ordered", EF_TO_COUNTRY | EF_APPEAL_UNTIL, false},
    [EV_REMOVAL_CANCELLED] = {"removal_cancelled", EF_TO_COUNTRY, true},
    [EV_REMOVAL] = {"removal", EF_TO_COUNTRY | EF_MODE, true},
    [EV_LEGAL_ASSISTANCE] = {"legal_assistance", EF_PROVIDED, false},
    [EV_ACCESS_DENIED] = {"access_denied", EF_TO, false},
    [EV_ILL_TREATMENT] = {"ill_treatment", EF_KIND | EF_ALLEGED, false},
    [EV_UNHCR] = {"unhcr", EF_KIND, false},
    [EV_OTHER] = {"other", 0, false},
};

const char *event_type_name(enum event_type t)
{
    return (unsigned)t < EV_TYPE_COUNT ? event_types[t].name : "?";
}

bool event_type_parse(const char *s, enum event_type *out)
{
    for (int i = 0; i < EV_TYPE_COUNT; i++) {
        if (event_types[i].name[0] == s[0] && strcmp(event_types[i].name, s) == 0) {
            *out = (enum event_type)i;
            return true;
        }
    }
    return false;
}

unsigned event_type_fields(enum event_type t)
{
    return (unsigned)t < EV_TYPE_COUNT ? event_types[t].fields : 0;
}

const char *const *event_kind_vocab(enum event_type t)
{
    if (t == EV_DETENTION) {
        return detention_kinds;
    }
    if (t == EV_ILL_TREATMENT) {
        return ill_treatment_kinds;
    }
    return t == EV_UNHCR ? unhcr_kinds : NULL;
}

bool event_type_is_ending(enum event_type t)
{
    return (unsigned)t < EV_TYPE_COUNT && event_types[t].ending;
}

bool vocab_has(const char *const *vocab, const char *s)
{
    for (; *vocab; vocab++) {
        if (strcmp(*vocab, s) == 0) {
            return true;
        }
    }
    return false;
}

void vocab_list(const char *const *vocab, char *out, size_t n)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; vocab[i] && len < n; i++) {
        const char *sep = i == 0 ? "" : (vocab[i + 1] ? ", " : " or ");
        int w = snprintf(out + len, n - len, "%s%s", sep, vocab[i]);
        if (w < 0) {
            break;
        }
        len += (size_t)w;
    }
}

bool model_id_valid(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == ':' || c == '-';
        if (!ok || n >= 128) {
            return false;
        }
    }
    return n >= 1;
}

const char *person_display_name(const struct person *p)
{
    for (size_t i = 0; i < p->n_names; i++) {
        if (p->names[i].kind && strcmp(p->names[i].kind, "primary") == 0) {
            return p->names[i].full;
        }
    }
    return p->n_names ? p->names[0].full : p->id;
}
