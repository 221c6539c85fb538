/*
 * findings.c: findings for people (grouped by case, most severe first, with
 * the law, the facts relied on and what is still missing) and for programs
 * (the JSON shape fixed by the findings contract).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "domain/refdata.h"
#include "render/render.h"

/* One member of a finding object at indent 2: ",\n  \"key\": " (no comma
 * before the first). */
static void json_text_key(struct buf *b, const char *key, bool first)
{
    if (first) {
        buf_add(b, "\n  \"", 4);
    } else {
        buf_add(b, ",\n  \"", 5);
    }
    buf_adds(b, key);
    buf_add(b, "\": ", 3);
}

static void json_text_strs(struct buf *b, const char *key, const struct strs *s)
{
    json_text_key(b, key, false);
    if (!s->n_items) {
        buf_adds(b, "[]");
        return;
    }
    buf_add(b, "[\n    ", 6);
    for (size_t i = 0; i < s->n_items; i++) {
        if (i) {
            buf_add(b, ",\n    ", 6);
        }
        buf_add_json_string(b, s->items[i]);
    }
    buf_add(b, "\n  ]", 4);
}

/* What jansson's json_dumps(..., JSON_INDENT(2)) gives for the finding as an
 * object (members in this order), byte for byte, without building a tree: a run over every case
 * writes hundreds of thousands of findings. */
static void finding_json_text(struct buf *b, const struct finding *f, bool explain)
{
    buf_addch(b, '{');
    json_text_key(b, "case", true);
    buf_add_json_string(b, f->case_id);
    json_text_key(b, "person", false);
    buf_add_json_string(b, f->person_id);
    json_text_key(b, "rule", false);
    buf_add_json_string(b, f->rule_id);
    json_text_key(b, "severity", false);
    buf_add_json_string(b, check_severity_name(f->severity));
    json_text_key(b, "status", false);
    buf_add_json_string(b, check_status_name(f->status));
    json_text_strs(b, "basis", &f->basis);
    json_text_strs(b, "facts", &f->facts);
    json_text_strs(b, "missing", &f->missing);
    json_text_key(b, "summary", false);
    buf_add_json_string(b, f->summary ? f->summary : "");
    if (explain) {
        json_text_strs(b, "sources", &f->sources);
        json_text_strs(b, "missing_words", &f->missing_words);
        json_text_strs(b, "demands", &f->demands);
        json_text_strs(b, "destinations", &f->destinations);
        json_text_strs(b, "explanation", &f->explanation);
    }
    buf_adds(b, "\n}");
}

void render_findings_json_items(const struct check_outcome *o, bool explain, size_t *count,
                                struct buf *out)
{
    for (size_t i = 0; i < o->result.n_items; i++) {
        buf_adds(out, (*count)++ ? ",\n" : "\n");
        finding_json_text(out, &o->result.items[i], explain);
    }
}

void render_findings_json(const struct check_outcome *o, bool explain, struct buf *out)
{
    size_t count = 0;
    buf_addch(out, '[');
    render_findings_json_items(o, explain, &count, out);
    buf_adds(out, count ? "\n]\n" : "]\n");
}

static void upper(const char *s, char *out, size_t n)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n; i++) {
        out[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 32) : s[i];
    }
    out[i] = '\0';
}

static void fact_line(const struct case_view *v, const char *id, struct buf *out)
{
    for (size_t i = 0; v && i < v->n_events; i++) {
        const struct event *ev = &v->events[i];
        if (strcmp(ev->id, id) == 0) {
            char when[80];
            render_date_text(ev->date, ev->approx, when, sizeof when);
            buf_addf(out, "%s: ", when);
            render_event_line(v, ev, out);
            return;
        }
    }
    for (size_t i = 0; v && i < v->n_risks; i++) {
        const struct risk *r = &v->risks[i];
        if (strcmp(r->id, id) == 0) {
            const char *c = refdata_country_name(r->country);
            buf_addf(out, "documented risk in %s", *c ? c : r->country);
            if (r->region) {
                buf_addf(out, " (%s)", r->region);
            }
            if (r->from.prec) {
                char when[80];
                render_date_text(r->from, false, when, sizeof when);
                buf_addf(out, " since %s", when);
            }
            for (size_t j = 0; j < r->harms.n_items; j++) {
                buf_addf(out, "%s%s", j ? ", " : ": ", r->harms.items[j]);
            }
            return;
        }
    }
}

static const char *subject_name(const struct case_view *v, const char *id)
{
    const struct person *p = v ? case_view_person(v, id) : NULL;
    return p ? person_display_name(p) : id;
}

void render_findings_text_groups(const struct check_outcome *o, struct date as_of, FILE *out)
{
    char asof[64];
    render_date_text(as_of, false, asof, sizeof asof);
    const char *current = NULL;
    struct buf line = BUF_INIT;
    for (size_t i = 0; i < o->result.n_items; i++) {
        const struct finding *f = &o->result.items[i];
        const struct case_view *v = check_outcome_view(o, f->case_id);
        if (!current || strcmp(current, f->case_id) != 0) {
            current = f->case_id;
            const char *state = v ? refdata_country_name(v->kase.state) : "";
            fprintf(out, "%s%s\n  %s; state of refuge: %s; as of %s\n", i ? "\n" : "", f->case_id,
                    v && v->kase.title ? v->kase.title : "", state, asof);
        }
        char sev[16];
        upper(check_severity_name(f->severity), sev, sizeof sev);
        fprintf(out, "\n  %-8s %s (%s): %s\n", sev, f->rule_id, check_status_name(f->status),
                subject_name(v, f->person_id));
        fprintf(out, "    %s\n", f->summary ? f->summary : "");
        if (f->basis.n_items) {
            fprintf(out, "    Legal basis:\n");
            for (size_t j = 0; j < f->explanation.n_items; j++) {
                fprintf(out, "      - %s\n", f->explanation.items[j]);
            }
        }
        if (f->facts.n_items) {
            fprintf(out, "    Facts relied on:\n");
            for (size_t j = 0; j < f->facts.n_items; j++) {
                buf_reset(&line);
                fact_line(v, f->facts.items[j], &line);
                fprintf(out, "      %s  %s\n", f->facts.items[j], line.data);
            }
        }
        if (f->missing.n_items) {
            fprintf(out, "    Still to establish:\n");
            for (size_t j = 0; j < f->missing.n_items; j++) {
                fprintf(out, "      - %s (%s)\n",
                        j < f->missing_words.n_items ? f->missing_words.items[j] : "",
                        f->missing.items[j]);
            }
        }
        if (f->demands.n_items) {
            fprintf(out, "    Demands:");
            for (size_t j = 0; j < f->demands.n_items; j++) {
                fprintf(out, "%s %s", j ? "," : "", f->demands.items[j]);
            }
            fputc('\n', out);
        }
    }
    buf_release(&line);
}

void render_history_text(const struct finding_period *p, size_t n, FILE *out)
{
    if (n == 0) {
        fputs("no findings recorded for this case yet (run refuge check)\n", out);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%s  %-28s %-11s %s\n", p[i].f.severity, p[i].f.rule, p[i].f.status,
                p[i].f.person);
        fprintf(out, "    first raised %s (as of %s); %s", p[i].first_seen, p[i].first_as_of,
                p[i].ended ? "ended " : "still holds, last seen ");
        fprintf(out, "%s%s%s%s\n", p[i].ended ? p[i].ended : p[i].last_seen,
                p[i].ended ? " (as of " : "", p[i].ended ? p[i].ended_as_of : "",
                p[i].ended ? ")" : "");
    }
}

void render_history_json(const struct finding_period *p, size_t n, FILE *out)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "case", json_string(p[i].f.case_id));
        json_object_set_new(o, "person", json_string(p[i].f.person));
        json_object_set_new(o, "rule", json_string(p[i].f.rule));
        json_object_set_new(o, "severity", json_string(p[i].f.severity));
        json_object_set_new(o, "status", json_string(p[i].f.status));
        json_object_set_new(o, "missing", json_loads(p[i].f.missing_json, 0, NULL));
        json_object_set_new(o, "summary", json_string(p[i].f.summary));
        json_object_set_new(o, "first_seen", json_string(p[i].first_seen));
        json_object_set_new(o, "first_as_of", json_string(p[i].first_as_of));
        json_object_set_new(o, "last_seen", json_string(p[i].last_seen));
        json_object_set_new(o, "ended", p[i].ended ? json_string(p[i].ended) : json_null());
        json_object_set_new(o, "ended_as_of",
                            p[i].ended_as_of ? json_string(p[i].ended_as_of) : json_null());
        json_array_append_new(a, o);
    }
    json_dumpf(a, out, JSON_INDENT(2));
    fputc('\n', out);
    json_decref(a);
}

void render_rules_text(FILE *out)
{
    size_t n;
    const struct check_rule *rules = check_rules(&n);
    for (size_t i = 0; i < n; i++) {
        const struct check_rule *r = &rules[i];
        fprintf(out, "%s (%s)\n  %s\n  Conditions, all of which must hold:\n", r->id,
                check_severity_name(r->severity), r->title);
        for (size_t j = 0; j < r->n_conditions; j++) {
            const struct check_condition *c = &r->conditions[j];
            const struct check_fact_info *fi = check_fact_info(c->facts[0]);
            fprintf(out, "    %zu. %s [%s", j + 1, c->words, fi ? fi->code : "?");
            if (c->combine == COMBINE_OR) {
                const struct check_fact_info *f2 = check_fact_info(c->facts[1]);
                fprintf(out, " or %s", f2 ? f2->code : "?");
            }
            fprintf(out, "]\n");
        }
        if (r->gate == GATE_RC_OR_UNKNOWN) {
            fprintf(out, "  Applies only where the state is bound by the Refugee Convention or its "
                         "Protocol on the date of the charge (or its status is unknown).\n");
        }
        if (r->n_basis) {
            fprintf(out, "  Legal basis (each where binding):\n");
            for (size_t j = 0; j < r->n_basis; j++) {
                const char *w = check_basis_words(r->basis[j].code);
                fprintf(out, "    %s%s%s\n", r->basis[j].code, w ? ": " : "", w ? w : "");
            }
        }
        if (r->n_demands) {
            fprintf(out, "  Demands:");
            for (size_t j = 0; j < r->n_demands; j++) {
                fprintf(out, "%s %s", j ? "," : "", r->demands[j]);
            }
            fputc('\n', out);
        }
        fputc('\n', out);
    }
}
