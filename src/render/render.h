/*
 * render.h: turning loaded views into what people and programs read: plain
 * text for the terminal and JSON for scripts. No database access here.
 */
#ifndef REFUGE_RENDER_RENDER_H
#define REFUGE_RENDER_RENDER_H

#include <stdio.h>

#include "core/buf.h"
#include "domain/model.h"
#include "service/checks.h"
#include "service/service.h"

/* One line of a case list. */
struct case_row {
    const char *id;
    const char *title;
    const char *state;
    const char *status;
    struct date opened;
    size_t n_subjects;
};

/* A date as written: "6 December 2019", "October 2019", "2019", with
 * "(approx.)" after approximate ones; "undated" for none. */
void render_date_text(struct date d, bool approx, char *out, size_t n);

void render_cases_text(const struct case_row *rows, size_t n, FILE *out);
void render_cases_json(const struct case_row *rows, size_t n, FILE *out);

/* The case, its subjects with all their names, and its timeline. */
void render_case_text(const struct case_view *v, FILE *out);
void render_case_json(const struct case_view *v, FILE *out);

/* A one-line description of an event for timelines and findings
 * ("Removal to China announced by Border Service ..."). */
void render_event_line(const struct case_view *v, const struct event *ev, struct buf *out);

/* Findings: JSON in the findings contract's shape (with `explain`, also
 * sources, missing_words, demands, destinations and explanation). */
void render_findings_json(const struct check_outcome *o, bool explain, struct buf *out);
/* The same, for output built batch by batch: appends the findings as array
 * items (after a comma when *count is not 0), counting them in *count; the
 * caller writes the brackets. */
void render_findings_json_items(const struct check_outcome *o, bool explain, size_t *count,
                                struct buf *out);
/* Findings as text for the terminal, grouped by case, most severe first
 * (nothing when there are none: the caller says so once for a whole run). */
void render_findings_text_groups(const struct check_outcome *o, struct date as_of, FILE *out);
void render_history_text(const struct finding_period *p, size_t n, FILE *out);
void render_history_json(const struct finding_period *p, size_t n, FILE *out);
/* Every rule with its conditions in plain words. */
void render_rules_text(FILE *out);

#endif
