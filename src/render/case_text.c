/*
 * case_text.c: the terminal view of cases: the list of cases and one case
 * with its subjects and timeline.
 */
#include <string.h>

#include "domain/refdata.h"
#include "render/render.h"

void render_date_text(struct date d, bool approx, char *out, size_t n)
{
    char words[64];
    date_words_en(d, false, words, sizeof words);
    snprintf(out, n, "%s%s", words, approx && d.prec ? " (approx.)" : "");
}

void render_cases_text(const struct case_row *rows, size_t n, FILE *out)
{
    if (n == 0) {
        fputs("no cases\n", out);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const struct case_row *r = &rows[i];
        char opened[64] = "";
        if (r->opened.prec) {
            render_date_text(r->opened, false, opened, sizeof opened);
        }
        fprintf(out, "%s  [%s] %s, %zu subject%s%s%s\n    %s\n", r->id,
                r->status ? r->status : "open", refdata_country_name(r->state), r->n_subjects,
                r->n_subjects == 1 ? "" : "s", *opened ? ", opened " : "", opened,
                r->title ? r->title : "(untitled)");
    }
}

static const char *org_name(const struct case_view *v, const char *id)
{
    const struct organization *o = case_view_organization(v, id);
    return o && o->name ? o->name : id;
}

static const char *person_name(const struct case_view *v, const char *id)
{
    const struct person *p = case_view_person(v, id);
    return p ? person_display_name(p) : id;
}

static const char *country(const char *code)
{
    const char *n = refdata_country_name(code);
    return *n ? n : code;
}

void render_event_line(const struct case_view *v, const struct event *ev, struct buf *out)
{
    const char *type = event_type_name(ev->type);
    buf_adds(out, type);
    for (char *p = out->data + out->len - strlen(type); *p; p++) {
        if (*p == '_') {
            *p = ' ';
        }
    }
    if (ev->from_country) {
        buf_addf(out, " from %s", country(ev->from_country));
    }
    if (ev->to_country) {
        buf_addf(out, " to %s", country(ev->to_country));
    }
    if (ev->kind) {
        buf_addf(out, " (%s)", ev->kind);
    }
    if (ev->outcome) {
        buf_addf(out, ": %s", ev->outcome);
    }
    if (ev->offence) {
        buf_addf(out, ": %s", ev->offence);
    }
    if (ev->to) {
        buf_addf(out, " to %s", ev->to);
    }
    if (ev->has_place && (ev->place.name || ev->place.country)) {
        buf_addf(out, " in %s", ev->place.name ? ev->place.name : country(ev->place.country));
    }
    if (ev->by) {
        buf_addf(out, " by %s", org_name(v, ev->by));
    }
    if (ev->official) {
        buf_addf(out, " (%s)", person_name(v, ev->official));
    }
    buf_adds(out, " - ");
    for (size_t i = 0; i < ev->persons.n_items; i++) {
        const char *sep = i == 0 ? "" : (i + 1 == ev->persons.n_items ? " and " : ", ");
        buf_addf(out, "%s%s", sep, person_name(v, ev->persons.items[i]));
    }
}

static size_t source_number(const struct case_view *v, const char *id)
{
    for (size_t i = 0; i < v->n_sources; i++) {
        if (strcmp(v->sources[i].id, id) == 0) {
            return i + 1;
        }
    }
    return 0;
}

void render_case_text(const struct case_view *v, FILE *out)
{
    const struct case_ *c = &v->kase;
    char opened[64] = "";
    if (c->opened.prec) {
        render_date_text(c->opened, false, opened, sizeof opened);
    }
    fprintf(out, "%s\n%s\n", c->title ? c->title : "(untitled)", c->id);
    fprintf(out, "State of refuge: %s. Status: %s.%s%s\n", country(c->state),
            c->status ? c->status : "open", *opened ? " Opened " : "", opened);
    if (c->tags.n_items) {
        fputs("Tags:", out);
        for (size_t i = 0; i < c->tags.n_items; i++) {
            fprintf(out, " %s", c->tags.items[i]);
        }
        fputc('\n', out);
    }
    if (c->summary) {
        fprintf(out, "\n%s\n", c->summary);
    }
    fprintf(out, "\nSubjects\n");
    for (size_t i = 0; i < v->n_subjects; i++) {
        const struct person *p = &v->subjects[i];
        fprintf(out, "  %s  (%s)\n", person_display_name(p), p->id);
        for (size_t j = 0; j < p->n_names; j++) {
            const struct person_name *nm = &p->names[j];
            fprintf(out, "      %s", nm->full);
            if (nm->kind || nm->script || nm->lang) {
                fprintf(out, "  [%s%s%s%s%s]", nm->kind ? nm->kind : "",
                        nm->kind && nm->script ? ", " : "", nm->script ? nm->script : "",
                        (nm->kind || nm->script) && nm->lang ? ", " : "", nm->lang ? nm->lang : "");
            }
            fputc('\n', out);
        }
        if (p->group == TRI_TRUE) {
            fprintf(out, "      a group of %lld people\n", (long long)p->group_size);
        }
        if (p->ethnicity || p->religion || p->nationality.n_items) {
            fprintf(out, "      ");
            const char *sep = "";
            for (size_t j = 0; j < p->nationality.n_items; j++) {
                fprintf(out, "%s%s national", sep, country(p->nationality.items[j]));
                sep = "; ";
            }
            if (p->ethnicity) {
                fprintf(out, "%sethnic %s", sep, p->ethnicity);
                sep = "; ";
            }
            if (p->religion) {
                fprintf(out, "%s%s", sep, p->religion);
            }
            fputc('\n', out);
        }
    }
    fprintf(out, "\nTimeline\n");
    struct buf line = BUF_INIT;
    for (size_t i = 0; i < v->n_events; i++) {
        const struct event *ev = &v->events[i];
        char when[80];
        render_date_text(ev->date, ev->approx, when, sizeof when);
        buf_reset(&line);
        render_event_line(v, ev, &line);
        fprintf(out, "  %-28s %s", when, line.data);
        for (size_t j = 0; j < ev->sources.n_items; j++) {
            fprintf(out, " [%zu]", source_number(v, ev->sources.items[j]));
        }
        fprintf(out, "\n  %-28s   (%s)\n", "", ev->id);
        if (ev->description) {
            fprintf(out, "  %-28s   %s\n", "", ev->description);
        }
    }
    buf_release(&line);
    if (v->n_actions) {
        fprintf(out, "\nActions\n");
        for (size_t i = 0; i < v->n_actions; i++) {
            const struct action *a = &v->actions[i];
            char when[80];
            render_date_text(a->date, a->approx, when, sizeof when);
            fprintf(out, "  %-28s %s (%s)%s%s\n", when, a->kind ? a->kind : "action", a->id,
                    a->outcome ? ": " : "", a->outcome ? a->outcome : "");
        }
    }
    if (v->n_sources) {
        fprintf(out, "\nSources\n");
        for (size_t i = 0; i < v->n_sources; i++) {
            const struct source *s = &v->sources[i];
            char when[80] = "";
            if (s->date.prec) {
                render_date_text(s->date, s->approx, when, sizeof when);
            }
            fprintf(out, "  [%zu] %s%s%s%s%s (%s)\n", i + 1, s->publisher ? s->publisher : "",
                    s->publisher ? ", " : "", s->title ? s->title : s->id, *when ? ", " : "", when,
                    s->id);
            if (s->url) {
                fprintf(out, "      %s\n", s->url);
            }
        }
    }
}
