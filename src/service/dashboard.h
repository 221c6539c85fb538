/*
 * dashboard.h: what the web interface's first page shows a user: their open
 * cases ordered by the most severe current finding, upcoming deadlines and
 * the cases changed most recently. Only cases the principal may read.
 */
#ifndef REFUGE_SERVICE_DASHBOARD_H
#define REFUGE_SERVICE_DASHBOARD_H

#include "service/auth.h"
#include "service/checks.h"

enum {
    DASHBOARD_MAX_CASES = 100,
    DASHBOARD_MAX_DEADLINES = 50,
    DASHBOARD_MAX_RECENT = 10,
};

struct dashboard_case {
    const char *id;
    const char *title;  /* may be NULL */
    const char *status; /* open, monitoring (or NULL) */
    /* The most severe current finding (rule NULL when there is none). */
    const char *rule;
    enum check_severity severity;
    enum check_status finding_status;
    size_t n_findings;
};

/* An `appeal_until` date of an event about a subject, today or later. */
struct dashboard_deadline {
    const char *case_id;
    const char *event_id;
    enum event_type type;
    struct date until;
};

struct dashboard_recent {
    const char *id;
    const char *title;
    const char *changed; /* ISO 8601 UTC */
};

struct dashboard {
    struct dashboard_case *cases; /* most severe first, established before incomplete, then id */
    size_t n_cases;
    size_t total_cases; /* readable open cases, n_cases at most DASHBOARD_MAX_CASES of them */
    struct dashboard_deadline *deadlines; /* soonest first */
    size_t n_deadlines;
    struct dashboard_recent *recent; /* most recent first */
    size_t n_recent;
};

/* Fills *out (strings in arena) as of `today`, for the cases `who` may read.
 * Checks run without being recorded. */
ATTR_NODISCARD enum app_err service_dashboard(struct store *s, const struct principal *who,
                                              struct date today, struct arena *a,
                                              struct dashboard *out, struct err *e);

#endif
