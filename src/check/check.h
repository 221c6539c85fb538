/*
 * check.h: the legal-check engine (docs/checks.md, findings.md, law.md).
 *
 * A pure library: it reads the facts of a case as domain structs and returns
 * findings as plain structs. No SQL, no JSON, no I/O, no printing, no global
 * state. Every string and array it returns is allocated in an arena the caller
 * provides and lives until the caller releases that arena. Findings keep no
 * pointer into the caller's input (ids and words are copied); they point only
 * into that arena and at static strings of the rule tables (rules.c).
 *
 * The rules are data: one row of struct check_rule each (see check_rules()),
 * interpreted by the engine. Fact codes (planned_removal, asylum_seeker, ...)
 * are the vocabulary the rows are written in.
 */
#ifndef REFUGE_CHECK_CHECK_H
#define REFUGE_CHECK_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/compat.h"
#include "core/err.h"
#include "domain/date.h"
#include "domain/model.h"

/* ---------------------------------------------------------------------------
 * Treaty data (treaty.c)
 * ------------------------------------------------------------------------ */

/* The instruments of data/treaty_parties.csv, by their `instrument` column. */
enum treaty_instrument {
    TREATY_RC1951, /* REFUGEE_CONVENTION_1951 */
    TREATY_RP1967, /* REFUGEE_PROTOCOL_1967 */
    TREATY_CAT,
    TREATY_ICCPR,
    TREATY_ICCPR_OP1,
    TREATY_ECHR,
    TREATY_ACHR,
    TREATY_ACHPR,
    TREATY_OAU1969, /* OAU_REFUGEE_CONVENTION_1969 */
    TREATY_INSTRUMENT_COUNT
};

/* The `status` column. */
enum treaty_party {
    TREATY_NONE,
    TREATY_SIGNATORY,
    TREATY_PARTY,
};

/* One row of treaty_parties.csv joined with its row of treaty_parties_notes.csv. */
struct treaty_row {
    const char *iso3;    /* "KAZ" */
    const char *country; /* "Kazakhstan" */
    enum treaty_instrument instrument;
    enum treaty_party status;
    struct date deposited;  /* deposit of ratification or accession; DATE_NONE when empty */
    const char *confidence; /* "high", "medium"; NULL when the notes have no row */
    const char *note;       /* caveats; NULL when empty */
    const char *source;     /* where to re-check; NULL when empty */
    size_t line;            /* line of the row in treaty_parties.csv */
};

struct treaty_table {
    const struct treaty_row *rows;
    size_t n_rows;
};

/* Parses the two CSV texts (parties, then notes; lengths in bytes, CRLF or LF,
 * RFC 4180 quoting). Rows are kept in file order. Rejects, with the file name
 * and line number in e->where, a wrong header, a wrong number of fields, an
 * unknown iso3, instrument or status, a bad date, a party without a date, a
 * duplicate (iso3, instrument), an unterminated quote, and a notes row naming
 * no row of the parties file. Allocates the table in `a`. Returns E_OK or
 * E_INVALID. */
enum app_err treaty_table_parse(struct treaty_table *out, const char *parties, size_t parties_len,
                                const char *notes, size_t notes_len, struct arena *a,
                                struct err *e) ATTR_NODISCARD;
/* Parses the copies of both files compiled into the binary (core/embedded.h).
 * Allocates in `a`. Returns E_OK, or E_INTERNAL if they are missing or bad. */
enum app_err treaty_table_load(struct treaty_table *out, struct arena *a,
                               struct err *e) ATTR_NODISCARD;
/* The row for (iso3, instrument), or NULL. Does not allocate. */
const struct treaty_row *treaty_find(const struct treaty_table *t, const char *iso3,
                                     enum treaty_instrument instrument);
/* "REFUGEE_CONVENTION_1951" and the like; "?" when out of range. */
const char *treaty_instrument_code(enum treaty_instrument i);
/* "1951 Convention relating to the Status of Refugees" and the like. */
const char *treaty_instrument_title(enum treaty_instrument i);
/* Parses an instrument code; false when unknown. */
bool treaty_instrument_parse(const char *s, enum treaty_instrument *out);
/* The first day (days since 1970-01-01) on which the row binds its state:
 * deposit + 90 days (1951 Convention), + 0 (1967 Protocol), + 30 (CAT),
 * + 3 calendar months (ICCPR and others: law.md). With a reduced-precision
 * deposit date, `earliest` counts from its first day and `latest` from its
 * last. Returns false (outputs untouched) unless the row is `party` with a date. */
bool treaty_in_force(const struct treaty_row *row, int64_t *earliest, int64_t *latest);

/* Whether a state is bound by an instrument on a day. */
struct treaty_binding {
    enum tri bound; /* TRUE bound; FALSE not bound (none, signatory, not yet in force);
                       UNKNOWN: state not in the data, or the day falls where a
                       reduced-precision deposit date cannot tell */
    const struct treaty_row *row; /* the row relied on, or NULL when not in the data */
    bool state_known;             /* the state has at least one row in the data */
};

/* Judges `alpha2` (ISO 3166-1 alpha-2, mapped to alpha-3 with refdata_country())
 * against `instrument` on `day`. NULL or unknown codes give UNKNOWN. Does not
 * allocate. The same as treaty_state_of() then treaty_binding_of(). */
struct treaty_binding treaty_binding(const struct treaty_table *t, const char *alpha2,
                                     enum treaty_instrument instrument, int64_t day);

/* What the table says of one state, looked up once so that judging it on
 * many days costs no search. */
struct treaty_state {
    bool country; /* alpha2 names a country (and there is a table) */
    bool known;   /* the state has at least one row */
    const struct treaty_row *rows[TREATY_INSTRUMENT_COUNT]; /* the first row of each, or NULL */
    bool in_force[TREATY_INSTRUMENT_COUNT];                 /* treaty_in_force() of the row */
    int64_t earliest[TREATY_INSTRUMENT_COUNT], latest[TREATY_INSTRUMENT_COUNT];
};

void treaty_state_of(const struct treaty_table *t, const char *alpha2, struct treaty_state *out);
/* treaty_binding() for the state looked up. */
struct treaty_binding treaty_binding_of(const struct treaty_state *st,
                                        enum treaty_instrument instrument, int64_t day);

/* ---------------------------------------------------------------------------
 * Rules (rules.c): the declarative table
 * ------------------------------------------------------------------------ */

enum check_severity {
    CHECK_CRITICAL,
    CHECK_HIGH,
    CHECK_MEDIUM,
    CHECK_INFO,
};

enum check_status {
    CHECK_ESTABLISHED,
    CHECK_INCOMPLETE,
};

/* The fact codes of findings.md, plus the one data-conflict is written in. */
enum check_fact {
    FACT_PLANNED_REMOVAL,
    FACT_REMOVAL_DONE,
    FACT_RISK_IN_DESTINATION,
    FACT_ASYLUM_SEEKER,
    FACT_ENTRY_CHARGE,
    FACT_IN_DETENTION,
    FACT_CAME_DIRECTLY,
    FACT_PRESENTED_WITHOUT_DELAY,
    FACT_LAWYER_ACCESS_DENIED,
    FACT_ASYLUM_ACCESS_DENIED,
    FACT_DEADLINE_NEAR,
    FACT_CONVICTION_BEFORE_CHARGE,
    FACT_COUNT
};

/* Whether a fact is an act of the state (false unless recorded) or a
 * circumstance of the person (unknown unless settled). */
enum check_fact_kind {
    FACT_STATE_ACT,
    FACT_CIRCUMSTANCE,
};

struct check_fact_info {
    const char *code; /* "presented_without_delay" */
    enum check_fact_kind kind;
    const char *words; /* "whether they presented themselves to the authorities without delay" */
};

/* How a condition's facts combine. */
enum check_combine {
    COMBINE_ONE, /* the value of facts[0] */
    COMBINE_OR,  /* true if either is true, false if both are false, otherwise unknown;
                    an unknown operand is reported under its own code */
};

struct check_condition {
    enum check_combine combine;
    enum check_fact facts[2]; /* facts[1] only with COMBINE_OR */
    const char *words;        /* the condition in plain words */
};

/* Which destinations a rule is judged for. */
enum check_scope {
    SCOPE_PERSON,              /* once per person */
    SCOPE_PLANNED_DESTINATION, /* each destination of a still-planned removal (absent included) */
    SCOPE_REMOVED_DESTINATION, /* each destination of a carried-out removal (absent included) */
};

/* When a basis code is cited. */
enum check_cite {
    CITE_ALWAYS,            /* guidance cited in any state */
    CITE_IF_RC,             /* bound by the 1951 Convention or its 1967 Protocol */
    CITE_IF_CAT,            /* bound by the Convention against Torture */
    CITE_IF_ICCPR,          /* bound by the ICCPR */
    CITE_IF_NOT_RC_NOR_CAT, /* bound by neither the Refugee Convention/Protocol nor CAT */
    CITE_IF_NOT_RC,         /* not bound by the Refugee Convention/Protocol */
};

struct check_basis {
    const char *code; /* "RC1951-33-1" */
    enum check_cite cite;
};

/* The date on which party status is judged. */
enum check_when {
    WHEN_AS_OF,           /* a continuing fact: judged as of D */
    WHEN_FIRST_CONDITION, /* the dates of the events that settle the first condition */
};

/* A gate: a rule that applies only where the state is bound by something. */
enum check_gate {
    GATE_NONE,
    GATE_RC_OR_UNKNOWN, /* bound by the Refugee Convention or Protocol, or status unknown */
};

enum { CHECK_MAX_CONDITIONS = 4, CHECK_MAX_BASIS = 4, CHECK_MAX_DEMANDS = 3 };

/* One rule: every property of it, in one row. Summaries are templates whose
 * {placeholders} the engine fills in (docs/checks.md lists them). */
struct check_rule {
    const char *id; /* "refoulement-risk" */
    enum check_severity severity;
    const char *title; /* the rule in one plain sentence */
    enum check_scope scope;
    bool after_removal; /* still judged once the person has been removed */
    size_t n_conditions;
    struct check_condition conditions[CHECK_MAX_CONDITIONS]; /* in the order of findings.md */
    enum check_gate gate;
    enum check_when when;
    size_t n_basis;
    struct check_basis basis[CHECK_MAX_BASIS];
    size_t n_demands;
    const char *demands[CHECK_MAX_DEMANDS]; /* demand codes, findings.md */
    const char *summary_established;        /* template */
    const char *summary_incomplete;         /* template; {missing} lists what is unknown */
};

/* The rule table, in the order of findings.md; *n gets its length. Static. */
const struct check_rule *check_rules(size_t *n);
/* The rule with this id, or NULL. */
const struct check_rule *check_rule_find(const char *id);
/* The fact code table entry (static); NULL when out of range. */
const struct check_fact_info *check_fact_info(enum check_fact f);
/* Parses a fact code; false when unknown. */
bool check_fact_parse(const char *code, enum check_fact *out);
/* The instrument behind a basis code in words ("International Covenant on
 * Civil and Political Rights, art. 7"); NULL when unknown. Static. */
const char *check_basis_words(const char *code);
/* "critical", "high", "medium", "info". */
const char *check_severity_name(enum check_severity s);
/* "established", "incomplete". */
const char *check_status_name(enum check_status s);
/* The demand in words ("do not return the person to X"); NULL when unknown. */
const char *check_demand_words(const char *code);

/* ---------------------------------------------------------------------------
 * Running the checks (engine.c, facts.c)
 * ------------------------------------------------------------------------ */

/* The facts of one case, as the store hands them over. Read only. */
struct case_facts {
    const struct case_ *case_;
    const struct person *subjects; /* in the case's order */
    size_t n_subjects;
    const struct event *events; /* every event naming at least one subject, any order */
    size_t n_events;
    const struct risk *risks; /* every risk that could apply */
    size_t n_risks;
    /* True when the caller keeps each id once, so that ids are compared by
     * address alone: an event's persons that are subjects point to the very
     * string of that subject's id, and no two events or risks (an event and
     * a risk included) have equal ids. */
    bool shared_ids;
};

/* One finding. Every pointer is into the arena given to check_run() (or into
 * the static rule table for `rule`). Lists are struct strs (model.h). */
struct finding {
    const char *case_id;
    const char *person_id;
    const char *rule_id;
    const struct check_rule *rule;
    enum check_severity severity;
    enum check_status status;
    struct strs basis;         /* instrument codes, in the rule's order */
    struct strs facts;         /* ids of events and risks relied on, in condition order */
    struct strs sources;       /* ids of the sources behind those facts, first seen first */
    struct strs missing;       /* fact codes, in the order the rule names its conditions */
    struct strs missing_words; /* the same, in plain words (parallel to `missing`) */
    struct strs demands;       /* demand codes proposed */
    struct strs destinations;  /* alpha-2 codes the finding speaks of (no_return targets) */
    const char *summary;       /* one sentence in plain English */
    struct strs explanation;   /* one line per basis code: provision, party status, data source */
};

struct check_result {
    struct finding *items; /* sorted: case, severity, rule id, person id */
    size_t n_items;
};

/* Runs every rule over every subject of every case whose status is open or
 * monitoring (an absent status is checked too), as of `as_of` (day precision
 * expected; a reduced date counts from its first day). `treaties` may be an
 * empty table: every state is then of unknown party status. Allocates the
 * result and all its strings in `a`. Returns E_OK, or E_INVALID (with detail
 * in e) when a case lacks an id or a subject lacks an id. Missing optional
 * fields never fail: they give incomplete findings. */
enum app_err check_run(const struct case_facts *cases, size_t n_cases, struct date as_of,
                       const struct treaty_table *treaties, struct arena *a,
                       struct check_result *out, struct err *e) ATTR_NODISCARD;
/* check_run() without the explanation lines and the sources (each finding's
 * `explanation` and `sources` are empty; everything else is the same), for
 * callers that do not show them: writing them is a good part of the engine's
 * time. The ids in `facts` and the case and person ids are not copied: they
 * point into `cases`, which must outlive the result. */
enum app_err check_run_brief(const struct case_facts *cases, size_t n_cases, struct date as_of,
                             const struct treaty_table *treaties, struct arena *a,
                             struct check_result *out, struct err *e) ATTR_NODISCARD;

/* Sorts events in place in the order findings.md reads them: undated first,
 * then by first day; on the same day events that can end others (release,
 * acquittal, removal_cancelled, removal) after the rest, then coarser dates
 * first, then by id. Does not allocate. */
void check_sort_events(const struct event **events, size_t n);

#endif
