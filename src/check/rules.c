/*
 * rules.c: the rules of findings.md as data, one row each, and the words of
 * their vocabulary (fact codes, basis codes, demands, severities).
 *
 * Responsible for what each rule requires, cites and proposes, and for how it
 * is said to the user. Not responsible for evaluating anything: engine.c
 * interprets these rows and facts.c reads the fact codes. Adding a rule means
 * adding a row here (and its reading to docs/checks.md), nothing else.
 */
#include <stdbool.h>
#include <string.h>

#include "check/check.h"

static const struct check_fact_info facts[FACT_COUNT] = {
    [FACT_PLANNED_REMOVAL] = {"planned_removal", FACT_STATE_ACT,
                              "whether the authorities plan to remove them"},
    [FACT_REMOVAL_DONE] = {"removal_done", FACT_STATE_ACT,
                           "whether the authorities have removed them"},
    [FACT_RISK_IN_DESTINATION] =
        {"risk_in_destination", FACT_CIRCUMSTANCE,
         "whether they are at risk in the country of destination (a documented risk matching their profile, or ill-treatment they suffered there)"},
    [FACT_ASYLUM_SEEKER] =
        {"asylum_seeker", FACT_CIRCUMSTANCE,
         "whether they are seeking asylum (an application, UNHCR involvement or a refused attempt to apply, with no final refusal since)"},
    [FACT_ENTRY_CHARGE] = {"entry_charge", FACT_STATE_ACT,
                           "whether the charge or conviction is for irregular entry or stay"},
    [FACT_IN_DETENTION] = {"in_detention", FACT_STATE_ACT,
                           "whether they are held in detention in the state of refuge"},
    [FACT_CAME_DIRECTLY] = {"came_directly", FACT_CIRCUMSTANCE,
                            "whether they came directly from a territory where they were at risk"},
    [FACT_PRESENTED_WITHOUT_DELAY] =
        {"presented_without_delay", FACT_CIRCUMSTANCE,
         "whether they presented themselves to the authorities without delay"},
    [FACT_LAWYER_ACCESS_DENIED] = {"lawyer_access_denied", FACT_CIRCUMSTANCE,
                                   "whether they have been denied access to a lawyer"},
    [FACT_ASYLUM_ACCESS_DENIED] =
        {"asylum_access_denied", FACT_STATE_ACT,
         "whether they were refused access to the asylum procedure or to UNHCR and have not been able to apply since"},
    [FACT_DEADLINE_NEAR] =
        {"deadline_near", FACT_STATE_ACT,
         "whether a time limit to appeal or object ends within the next 14 days"},
    [FACT_CONVICTION_BEFORE_CHARGE] = {"conviction_before_charge", FACT_STATE_ACT,
                                       "whether a conviction is dated before the earliest charge"},
};

/* Conditions with one fact, and the one condition of two. */
#define COND(f, w)                                          \
    {                                                       \
        .combine = COMBINE_ONE, .facts = {f, f}, .words = w \
    }
#define COND_OR(f, g, w)                                   \
    {                                                      \
        .combine = COMBINE_OR, .facts = {f, g}, .words = w \
    }

/* The basis of both refoulement rules (findings.md). */
#define NON_REFOULEMENT_BASIS                                \
    .n_basis = 4, .basis = {                                 \
                      {"RC1951-33-1", CITE_IF_RC},           \
                      {"CAT-3", CITE_IF_CAT},                \
                      {"ICCPR-7", CITE_IF_ICCPR},            \
                      {"CUSTOM-NR", CITE_IF_NOT_RC_NOR_CAT}, \
    }

static const struct check_rule rules[] = {
    {
        .id = "refoulement-risk",
        .severity = CHECK_CRITICAL,
        .title =
            "The authorities plan to remove a person to a country where they are at risk of persecution, torture or other serious harm.",
        .scope = SCOPE_PLANNED_DESTINATION,
        .after_removal = false,
        .n_conditions = 2,
        .conditions =
            {COND(
                 FACT_PLANNED_REMOVAL,
                 "a removal of the person has been announced, requested or ordered, and has been neither cancelled nor carried out"),
             COND(
                 FACT_RISK_IN_DESTINATION,
                 "the person is at risk in that destination: a documented risk there matches their profile, ethnicity or religion, or they suffered ill-treatment there")},
        .when = WHEN_AS_OF,
        NON_REFOULEMENT_BASIS,
        .n_demands = 2,
        .demands = {"no_return", "asylum_access"},
        .summary_established = "Removal to {dest} {plan} while {who} {risk}.",
        .summary_incomplete =
            "Removal of {who} to {dest} {plan}; still to be established: {missing}.",
    },
    {
        .id = "refoulement",
        .severity = CHECK_CRITICAL,
        .title =
            "The authorities removed a person to a country where they were at risk of persecution, torture or other serious harm.",
        .scope = SCOPE_REMOVED_DESTINATION,
        .after_removal = true,
        .n_conditions = 2,
        .conditions =
            {COND(FACT_REMOVAL_DONE,
                  "the person has been removed, deported, extradited or handed over"),
             COND(
                 FACT_RISK_IN_DESTINATION,
                 "the person is at risk in that destination: a documented risk there matches their profile, ethnicity or religion, or they suffered ill-treatment there")},
        .when = WHEN_FIRST_CONDITION,
        NON_REFOULEMENT_BASIS,
        .n_demands = 2,
        .demands = {"investigate", "monitor"},
        .summary_established = "Removal to {dest} carried out {removed} while {who} {risk}.",
        .summary_incomplete =
            "Removal of {who} to {dest} carried out {removed}; still to be established: {missing}.",
    },
    {
        .id = "penalisation-for-entry",
        .severity = CHECK_HIGH,
        .title =
            "A refugee or asylum-seeker is prosecuted or punished for entering or staying irregularly although they came directly from danger and presented themselves without delay.",
        .scope = SCOPE_PERSON,
        .n_conditions = 4,
        .conditions =
            {COND(
                 FACT_ENTRY_CHARGE,
                 "the person is charged with or convicted of irregular entry or stay in the state of refuge, and has not been acquitted"),
             COND(FACT_ASYLUM_SEEKER,
                  "the person is seeking asylum or has been recognised as a refugee"),
             COND(
                 FACT_CAME_DIRECTLY,
                 "the person came directly from a country where they are at risk or say they were ill-treated"),
             COND(
                 FACT_PRESENTED_WITHOUT_DELAY,
                 "the person presented themselves to the authorities without delay after crossing")},
        .gate = GATE_RC_OR_UNKNOWN,
        .when = WHEN_FIRST_CONDITION,
        .n_basis = 1,
        .basis = {{"RC1951-31-1", CITE_IF_RC}},
        .n_demands = 1,
        .demands = {"stop_prosecution"},
        .summary_established =
            "{who} {is} {prosecuted}, a penalty for irregular entry, although they sought asylum, came directly from a place of danger and presented themselves to the authorities without delay.",
        .summary_incomplete = "{who} {is} {prosecuted}; still to be established: {missing}.",
    },
    {
        .id = "detention-of-asylum-seeker",
        .severity = CHECK_HIGH,
        .title = "An asylum-seeker is held in detention.",
        .scope = SCOPE_PERSON,
        .n_conditions = 2,
        .conditions =
            {COND(FACT_ASYLUM_SEEKER,
                  "the person is seeking asylum or has been recognised as a refugee"),
             COND(
                 FACT_IN_DETENTION,
                 "the person is held in detention in the state of refuge and has not been released")},
        .when = WHEN_AS_OF,
        .n_basis = 3,
        .basis = {{"RC1951-31-2", CITE_IF_RC},
                  {"ICCPR-9", CITE_IF_ICCPR},
                  {"UNHCR-DG-2012", CITE_ALWAYS}},
        .n_demands = 1,
        .demands = {"release"},
        .summary_established = "{who} {is} held in {detention} while seeking asylum.",
        .summary_incomplete = "{who} {is} held in {detention}; still to be established: {missing}.",
    },
    {
        .id = "no-legal-assistance",
        .severity = CHECK_MEDIUM,
        .title =
            "A person who is detained or prosecuted for irregular entry has no access to a lawyer.",
        .scope = SCOPE_PERSON,
        .n_conditions = 2,
        .conditions =
            {COND_OR(
                 FACT_IN_DETENTION, FACT_ENTRY_CHARGE,
                 "the person is held in detention, or is charged with or convicted of irregular entry or stay"),
             COND(FACT_LAWYER_ACCESS_DENIED,
                  "the latest record of access to a lawyer says it was denied")},
        .when = WHEN_AS_OF,
        .n_basis = 3,
        .basis = {{"ICCPR-14", CITE_IF_ICCPR},
                  {"ICCPR-9", CITE_IF_ICCPR},
                  {"UNHCR-DG-2012", CITE_ALWAYS}},
        .n_demands = 1,
        .demands = {"legal_assistance"},
        .summary_established = "{who} {is} {custody} without access to a lawyer.",
        .summary_incomplete = "{who} {is} {custody}; still to be established: {missing}.",
    },
    {
        .id = "no-access-to-asylum",
        .severity = CHECK_HIGH,
        .title =
            "A person was refused access to the asylum procedure or to UNHCR and has not been able to apply since.",
        .scope = SCOPE_PERSON,
        .n_conditions = 1,
        .conditions = {COND(
            FACT_ASYLUM_ACCESS_DENIED,
            "the person was refused access to the asylum procedure or to UNHCR, and no application of theirs is recorded on or after that date")},
        .when = WHEN_FIRST_CONDITION,
        .n_basis = 3,
        .basis = {{"RC1951-33-1", CITE_IF_RC},
                  {"CUSTOM-NR", CITE_IF_NOT_RC},
                  {"UNHCR-DG-2012", CITE_ALWAYS}},
        .n_demands = 1,
        .demands = {"asylum_access"},
        .summary_established =
            "{who} {was} refused access to {denied} and no application has been recorded since.",
        .summary_incomplete =
            "{who} {was} refused access to {denied}; still to be established: {missing}.",
    },
    {
        .id = "appeal-deadline",
        .severity = CHECK_HIGH,
        .title = "A time limit to appeal a decision or to object to a removal ends within 14 days.",
        .scope = SCOPE_PERSON,
        .n_conditions = 1,
        .conditions = {COND(
            FACT_DEADLINE_NEAR,
            "an asylum decision, or a removal request or order still planned, has a time limit to appeal or object that ends between today and 14 days from today")},
        .when = WHEN_AS_OF,
        .n_basis = 0,
        .n_demands = 0,
        .summary_established = "The time for {who} to {deadline}.",
        .summary_incomplete =
            "The time for {who} to {deadline}; still to be established: {missing}.",
    },
    {
        .id = "data-conflict",
        .severity = CHECK_INFO,
        .title =
            "The person's events contradict each other: a conviction is dated before the earliest charge.",
        .scope = SCOPE_PERSON,
        .after_removal = true,
        .n_conditions = 1,
        .conditions = {COND(
            FACT_CONVICTION_BEFORE_CHARGE,
            "the person has charges, and a conviction of theirs is dated before the earliest of them")},
        .when = WHEN_AS_OF,
        .n_basis = 0,
        .n_demands = 0,
        .summary_established = "The record of {who} needs checking: {conflict}.",
        .summary_incomplete =
            "The record of {who} needs checking: {conflict}; still to be established: {missing}.",
    },
};

static const struct {
    const char *code;
    const char *words;
} basis_words[] = {
    {"RC1951-31-1",
     "1951 Convention relating to the Status of Refugees, art. 31(1): no penalties for irregular entry or presence of refugees who come directly and present themselves without delay"},
    {"RC1951-31-2",
     "1951 Convention relating to the Status of Refugees, art. 31(2): restrictions on the movement of refugees only where necessary"},
    {"RC1951-33-1",
     "1951 Convention relating to the Status of Refugees, art. 33(1): no return in any manner whatsoever to where life or freedom would be threatened"},
    {"CAT-3",
     "Convention against Torture, art. 3: no expulsion, return or extradition where there are substantial grounds to believe the person would be in danger of torture"},
    {"ICCPR-7",
     "International Covenant on Civil and Political Rights, art. 7 (with art. 6 and General Comment 31, para. 12): no removal where there is a real risk of irreparable harm"},
    {"ICCPR-9",
     "International Covenant on Civil and Political Rights, art. 9: no arbitrary detention; court review of any detention"},
    {"ICCPR-14",
     "International Covenant on Civil and Political Rights, art. 14: a fair trial, with a lawyer of one's choice and legal aid where justice requires"},
    {"UNHCR-DG-2012",
     "UNHCR Detention Guidelines (2012): detention of asylum-seekers only as a last resort, never as a penalty for irregular entry, with access to a lawyer (guidance, cited in any state)"},
    {"CUSTOM-NR",
     "non-refoulement as customary international law, binding on every state whatever the treaties it has joined"},
};

static const struct {
    const char *code;
    const char *words;
} demand_words[] = {
    {"no_return", "do not return the person to X"},
    {"asylum_access", "full access to a fair asylum procedure"},
    {"stop_prosecution", "drop charges for irregular entry"},
    {"release", "release the person"},
    {"legal_assistance", "ensure adequate legal assistance"},
    {"investigate", "investigate and provide remedy"},
    {"monitor", "monitor the person's fate after return"},
};

const struct check_rule *check_rules(size_t *n)
{
    *n = ARRAY_LEN(rules);
    return rules;
}

const struct check_rule *check_rule_find(const char *id)
{
    for (size_t i = 0; id && i < ARRAY_LEN(rules); i++) {
        if (strcmp(rules[i].id, id) == 0) {
            return &rules[i];
        }
    }
    return NULL;
}

const struct check_fact_info *check_fact_info(enum check_fact f)
{
    return (unsigned)f < FACT_COUNT ? &facts[f] : NULL;
}

bool check_fact_parse(const char *code, enum check_fact *out)
{
    for (int i = 0; code && i < FACT_COUNT; i++) {
        if (strcmp(facts[i].code, code) == 0) {
            *out = (enum check_fact)i;
            return true;
        }
    }
    return false;
}

const char *check_basis_words(const char *code)
{
    for (size_t i = 0; code && i < ARRAY_LEN(basis_words); i++) {
        if (strcmp(basis_words[i].code, code) == 0) {
            return basis_words[i].words;
        }
    }
    return NULL;
}

const char *check_demand_words(const char *code)
{
    for (size_t i = 0; code && i < ARRAY_LEN(demand_words); i++) {
        if (strcmp(demand_words[i].code, code) == 0) {
            return demand_words[i].words;
        }
    }
    return NULL;
}

const char *check_severity_name(enum check_severity s)
{
    switch (s) {
    case CHECK_CRITICAL:
        return "critical";
    case CHECK_HIGH:
        return "high";
    case CHECK_MEDIUM:
        return "medium";
    case CHECK_INFO:
        return "info";
    }
    return "?";
}

const char *check_status_name(enum check_status s)
{
    switch (s) {
    case CHECK_ESTABLISHED:
        return "established";
    case CHECK_INCOMPLETE:
        return "incomplete";
    }
    return "?";
}
