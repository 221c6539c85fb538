/*
 * model.h: the domain model of refuge: the objects of a case bundle
 * (docs/data-model.md, format refuge-bundle/1) as plain C structs.
 *
 * No SQL, no JSON, no I/O here. Strings are UTF-8 and owned by whoever built
 * the struct (usually an arena: see core/arena.h); NULL means absent.
 * `extra` carries, as JSON object text, fields the format does not know, so
 * they survive a round trip unchanged.
 */
#ifndef REFUGE_DOMAIN_MODEL_H
#define REFUGE_DOMAIN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/date.h"

/* Tri-state: true, false, or not known (absent or null in a bundle). */
enum tri {
    TRI_UNKNOWN = 0,
    TRI_FALSE = 1,
    TRI_TRUE = 2,
};

/* The kinds of object a bundle holds, in the bundle's order of lists. */
enum obj_kind {
    OBJ_SOURCE,
    OBJ_PERSON,
    OBJ_ORGANIZATION,
    OBJ_CASE,
    OBJ_EVENT,
    OBJ_RISK,
    OBJ_ACTION,
    OBJ_KIND_COUNT
};

/* "sources", "persons", ...: the bundle's list names. */
const char *obj_kind_list_name(enum obj_kind k);
/* "source", "person", ...: singular, for messages. */
const char *obj_kind_name(enum obj_kind k);
/* sizeof the struct of the kind (struct source, struct person, ...). Every
 * such struct begins with its `const char *id`. */
size_t obj_kind_size(enum obj_kind k);

struct strs {
    const char **items;
    size_t n_items;
};

struct place {
    const char *country; /* ISO 3166-1 alpha-2 */
    const char *region;  /* ISO 3166-2 code or free text */
    const char *name;
    const char *extra;
};

struct source {
    const char *id;
    const char *title;
    const char *publisher;
    struct date date;
    bool approx;
    const char *url;
    const char *kind;        /* vocab_source_kind */
    const char *reliability; /* "A".."F" */
    const char *credibility; /* "1".."6" */
    bool has_file;
    const char *file_name;
    const char *file_sha256; /* 64 lower-case hex digits */
    const char *file_media_type;
    const char *file_extra;
    const char *extra;
};

struct person_name {
    const char *full;
    const char *script; /* ISO 15924 */
    const char *lang;   /* ISO 639 */
    const char *kind;   /* vocab_name_kind */
    const char *extra;
};

struct position {
    const char *organization;
    const char *title;
    struct date from;
    struct date to;
    const char *extra;
};

struct person {
    const char *id;
    struct person_name *names;
    size_t n_names;
    const char *sex;
    struct date birth_date;
    struct strs nationality; /* ISO 3166-1 alpha-2 */
    const char *ethnicity;
    const char *religion;
    bool has_origin;
    struct place origin;
    struct strs profiles;
    enum tri sensitive; /* absent: true for subjects of a case, see person_is_sensitive() */
    enum tri group;
    int64_t group_size; /* 0 = absent */
    struct strs sources;
    struct position *positions;
    size_t n_positions;
    const char *extra;
};

struct organization {
    const char *id;
    const char *name;
    const char *country;
    const char *kind; /* vocab_org_kind */
    const char *parent;
    const char *extra;
};

struct case_ {
    const char *id;
    const char *title;
    const char *state; /* state of refuge, ISO 3166-1 alpha-2 */
    struct strs subjects;
    struct date opened;
    const char *status; /* open, monitoring, closed */
    const char *summary;
    struct strs tags;
    const char *extra;
};

enum event_type {
    EV_FLIGHT,
    EV_BORDER_CROSSING,
    EV_ASYLUM_APPLICATION,
    EV_ASYLUM_DECISION,
    EV_ARREST,
    EV_DETENTION,
    EV_RELEASE,
    EV_CHARGE,
    EV_CONVICTION,
    EV_ACQUITTAL,
    EV_REMOVAL_ANNOUNCED,
    EV_REMOVAL_REQUESTED,
    EV_REMOVAL_ORDERED,
    EV_REMOVAL_CANCELLED,
    EV_REMOVAL,
    EV_LEGAL_ASSISTANCE,
    EV_ACCESS_DENIED,
    EV_ILL_TREATMENT,
    EV_UNHCR,
    EV_OTHER,
    EV_TYPE_COUNT
};

struct event {
    const char *id;
    enum event_type type;
    struct date date; /* prec DATE_NONE: undated */
    bool approx;
    struct date end_date;
    bool has_place;
    struct place place;
    struct strs persons;
    const char *by;       /* organization id */
    const char *official; /* person id */
    const char *description;
    struct strs sources;
    /* Fields of particular types (see event_type_fields()); NULL/unknown when absent. */
    const char *from_country;
    const char *to_country;
    const char *by_country;
    const char *state;
    enum tri irregular;
    enum tri presented_to_authorities;
    struct date presented_on;
    const char *outcome;
    enum tri final;
    struct date appeal_until;
    const char *kind; /* detention, ill_treatment and unhcr kinds */
    const char *offence;
    const char *law;
    const char *sentence;
    enum tri entry_related;
    const char *mode;
    enum tri provided;
    const char *to; /* access_denied */
    enum tri alleged;
    const char *extra;
};

struct risk {
    const char *id;
    const char *country;
    const char *region;
    struct strs profiles;
    struct strs harms;
    struct date from;
    struct date to;
    struct strs sources;
    const char *extra;
};

struct action {
    const char *id;
    const char *case_id;
    const char *kind; /* vocab_action_kind */
    struct date date;
    bool approx;
    struct strs targets; /* organization or person ids */
    struct strs demands; /* demand codes (findings.md) */
    const char *outcome;
    const char *extra;
};

/* Which own fields an event type has (bit set of enum event_field). */
enum event_field {
    EF_FROM_COUNTRY = 1 << 0,
    EF_TO_COUNTRY = 1 << 1,
    EF_IRREGULAR = 1 << 2,
    EF_PRESENTED = 1 << 3,
    EF_PRESENTED_ON = 1 << 4,
    EF_STATE = 1 << 5,
    EF_OUTCOME = 1 << 6,
    EF_FINAL = 1 << 7,
    EF_APPEAL_UNTIL = 1 << 8,
    EF_KIND = 1 << 9,
    EF_OFFENCE = 1 << 10,
    EF_LAW = 1 << 11,
    EF_ENTRY_RELATED = 1 << 12,
    EF_SENTENCE = 1 << 13,
    EF_BY_COUNTRY = 1 << 14,
    EF_MODE = 1 << 15,
    EF_PROVIDED = 1 << 16,
    EF_TO = 1 << 17,
    EF_ALLEGED = 1 << 18,
};

/* "border_crossing" for EV_BORDER_CROSSING. */
const char *event_type_name(enum event_type t);
/* Parses a type name; returns false when unknown. */
bool event_type_parse(const char *s, enum event_type *out);
/* Bit set of enum event_field the type has. */
unsigned event_type_fields(enum event_type t);
/* Allowed values of `kind` for the type (NULL-terminated), or NULL if none. */
const char *const *event_kind_vocab(enum event_type t);
/* True for release, acquittal, removal_cancelled and removal: on the same date
 * they come after the events they can end (findings.md). */
bool event_type_is_ending(enum event_type t);

/* NULL-terminated vocabularies of the bundle format. */
extern const char *const vocab_source_kind[];
extern const char *const vocab_name_kind[];
extern const char *const vocab_org_kind[];
extern const char *const vocab_case_status[];
extern const char *const vocab_outcome[];
extern const char *const vocab_removal_mode[];
extern const char *const vocab_access_to[];
extern const char *const vocab_action_kind[];
extern const char *const vocab_demand[];
extern const char *const vocab_reliability[];
extern const char *const vocab_credibility[];

/* True when s is one of vocab's words. */
bool vocab_has(const char *const *vocab, const char *s);
/* "a, b or c": the vocabulary as words for messages, into out (n bytes). */
void vocab_list(const char *const *vocab, char *out, size_t n);

/* An id: 1-128 characters from [A-Za-z0-9._:-]. */
bool model_id_valid(const char *s);
/* The name to show for a person: the primary name, else the first. */
const char *person_display_name(const struct person *p);

#endif
