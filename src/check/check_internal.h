/*
 * check_internal.h: what the files of the check module share and nobody else
 * may use: one subject's facts as the engine reads them, and the evaluation of
 * one fact code.
 */
#ifndef REFUGE_CHECK_CHECK_INTERNAL_H
#define REFUGE_CHECK_CHECK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/check.h"

/* Whether a risk fits the subject: not yet known, or known. */
enum risk_fit { RISK_FIT_UNKNOWN, RISK_FIT_NO, RISK_FIT_YES };

enum { RISK_MEMO_TAGS = 16 };

/* What is known of the risks of a case: per risk, whether its period covers
 * D (for the case) and whether it fits P (for the subject), each an enum
 * risk_fit; and whether P has a profile tag, by the tag's address (equal
 * tags of risks are often one string). */
struct risk_memo {
    uint8_t *current; /* cleared for each case */
    uint8_t *fit;     /* cleared for each subject, with the tags */

    struct {
        const char *tag;
        bool has;
    } tags[RISK_MEMO_TAGS];

    size_t n_tags;
};

/* One subject P of a case, as of D: the events that count, in reading order. */
struct subject {
    const struct case_ *case_;
    const struct person *p;
    const char *state;                 /* S, alpha-2; may be NULL */
    const struct treaty_state *treaty; /* what the treaty data says of S */
    int64_t today;                     /* D as a day number */
    const struct event **evs; /* events naming P dated on or before D (or undated), sorted */
    size_t n_evs;
    const struct risk *risks; /* every risk handed in */
    size_t n_risks;
    struct risk_memo *memo; /* whether risks fit P, found when first asked */
    bool explain;           /* write the explanation lines of findings */
    bool shared_ids;        /* struct case_facts: equal ids are one string */
    struct arena *a;
};

/* A fact, event or risk relied on, in the order found. */
struct relied {
    const struct event *ev;
    const struct risk *risk;
};

/* The value of one fact code for P (and, where it has one, a destination X). */
struct fact_eval {
    enum tri value;
    struct relied *items; /* arena array, n_items used of cap */
    size_t n_items, cap;
    struct arena *a;
    const struct event *key; /* the event a summary speaks of, or NULL */
};

/* Evaluates fact f for the subject; `dest` is X (NULL: absent) for the codes
 * that take one. Allocates `out->items` in s->a. */
void fact_eval(const struct subject *s, enum check_fact f, const char *dest, struct fact_eval *out);
/* Whether risk i fits P (the engine asks only of risks in a country a fact
 * names): its period covers D and its profiles are empty or match P's
 * profile tags, ethnicity or religion. Found once per subject (the period
 * once per case), kept in s->memo. */
bool subject_risk_fits(const struct subject *s, size_t i);
/* The destinations of P's still-planned removals (plan == true) or of P's
 * carried-out removals, first seen first; NULL stands for an absent
 * destination. Writes at most n_evs entries into `out`, returns the count. */
size_t subject_destinations(const struct subject *s, bool plan, const char **out);
/* True when P has a removal that counts as of D. */
bool subject_removed(const struct subject *s);

/* ASCII case-insensitive equality; false when either is NULL. */
bool text_ieq(const char *a, const char *b);
/* The destination of a removal-type event: to_country, or for a
 * removal_requested without one, the requesting by_country. */
const char *event_destination(const struct event *ev);
/* The country of an event's place, or NULL. */
const char *event_country(const struct event *ev);

#endif
