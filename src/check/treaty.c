/*
 * treaty.c: the treaty party data (data/treaty_parties.csv and its notes)
 * and the question the checks ask of it: was a state bound by an instrument
 * on a given day?
 *
 * Responsible for parsing both CSV files strictly (every malformed row is
 * rejected with its line number, nothing is guessed), for the entry-into-force
 * delays of law.md, and for mapping alpha-2 state codes to the alpha-3 codes
 * of the data. Not responsible for reading files: callers pass the text, or
 * use the copies compiled into the binary.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check/check.h"
#include "core/buf.h"
#include "core/embedded.h"
#include "domain/refdata.h"

static const struct {
    const char *code;
    const char *title;
} instruments[TREATY_INSTRUMENT_COUNT] = {
    [TREATY_RC1951] = {"REFUGEE_CONVENTION_1951",
                       "1951 Convention relating to the Status of Refugees"},
    [TREATY_RP1967] = {"REFUGEE_PROTOCOL_1967", "1967 Protocol relating to the Status of Refugees"},
    [TREATY_CAT] = {"CAT", "Convention against Torture"},
    [TREATY_ICCPR] = {"ICCPR", "International Covenant on Civil and Political Rights"},
    [TREATY_ICCPR_OP1] = {"ICCPR_OP1", "First Optional Protocol to the ICCPR"},
    [TREATY_ECHR] = {"ECHR", "European Convention on Human Rights"},
    [TREATY_ACHR] = {"ACHR", "American Convention on Human Rights"},
    [TREATY_ACHPR] = {"ACHPR", "African Charter on Human and Peoples' Rights"},
    [TREATY_OAU1969] = {"OAU_REFUGEE_CONVENTION_1969", "1969 OAU Refugee Convention"},
};

const char *treaty_instrument_code(enum treaty_instrument i)
{
    return (unsigned)i < TREATY_INSTRUMENT_COUNT ? instruments[i].code : "?";
}

const char *treaty_instrument_title(enum treaty_instrument i)
{
    return (unsigned)i < TREATY_INSTRUMENT_COUNT ? instruments[i].title : "?";
}

bool treaty_instrument_parse(const char *s, enum treaty_instrument *out)
{
    for (int i = 0; i < TREATY_INSTRUMENT_COUNT; i++) {
        if (strcmp(instruments[i].code, s) == 0) {
            *out = (enum treaty_instrument)i;
            return true;
        }
    }
    return false;
}

/* ---- CSV reading ------------------------------------------------------- */

enum { CSV_MAX_FIELDS = 8 };

struct csv {
    const char *p;
    const char *end;
    size_t line; /* line the cursor is on, from 1 */
    const char *file;
};

struct csv_record {
    char *fields[CSV_MAX_FIELDS];
    size_t n_fields;
    size_t line; /* line the record starts on */
};

static enum app_err csv_fail(struct err *e, const struct csv *c, size_t line, const char *what,
                             const char *detail)
{
    char where[64];
    snprintf(where, sizeof where, "%s:%zu", c->file, line);
    return err_set_at(e, E_INVALID, where, "%s%s%s", what, detail ? ": " : "",
                      detail ? detail : "");
}

/* Reads one record (RFC 4180: quoted fields may hold commas, "" and newlines).
 * Returns E_OK with n_fields == 0 at the end of the text; blank lines are skipped. */
static enum app_err csv_next(struct csv *c, struct csv_record *r, struct arena *a, struct err *e)
{
    r->n_fields = 0;
    while (c->p < c->end && (*c->p == '\n' || *c->p == '\r')) {
        if (*c->p == '\n') {
            c->line++;
        }
        c->p++;
    }
    if (c->p >= c->end) {
        return E_OK;
    }
    r->line = c->line;
    struct buf field = BUF_INIT;
    for (;;) {
        buf_reset(&field);
        if (c->p < c->end && *c->p == '"') {
            c->p++;
            for (;;) {
                if (c->p >= c->end) {
                    buf_release(&field);
                    return csv_fail(e, c, r->line, "unterminated quoted field", NULL);
                }
                char ch = *c->p++;
                if (ch == '"') {
                    if (c->p < c->end && *c->p == '"') {
                        buf_addch(&field, '"');
                        c->p++;
                        continue;
                    }
                    break;
                }
                if (ch == '\n') {
                    c->line++;
                }
                buf_addch(&field, ch);
            }
            if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
                buf_release(&field);
                return csv_fail(e, c, c->line, "text after a closing quote", NULL);
            }
        } else {
            const char *start = c->p;
            while (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
                if (*c->p == '"') {
                    buf_release(&field);
                    return csv_fail(e, c, c->line, "quote inside an unquoted field", NULL);
                }
                c->p++;
            }
            buf_add(&field, start, (size_t)(c->p - start));
        }
        if (r->n_fields == CSV_MAX_FIELDS) {
            buf_release(&field);
            return csv_fail(e, c, r->line, "too many fields", NULL);
        }
        r->fields[r->n_fields++] = arena_strndup(a, field.data, field.len);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        break;
    }
    buf_release(&field);
    if (c->p < c->end && *c->p == '\r') {
        c->p++;
    }
    if (c->p < c->end && *c->p == '\n') {
        c->p++;
        c->line++;
    } else if (c->p < c->end) {
        return csv_fail(e, c, c->line, "stray carriage return", NULL);
    }
    return E_OK;
}

static bool is_iso3(const char *s)
{
    if (strlen(s) != 3) {
        return false;
    }
    for (int i = 0; i < 3; i++) {
        if (s[i] < 'A' || s[i] > 'Z') {
            return false;
        }
    }
    return refdata_country3(s) != NULL;
}

static enum app_err expect_header(struct csv *c, struct csv_record *r, const char *const *names,
                                  size_t n, struct arena *a, struct err *e)
{
    enum app_err rc = csv_next(c, r, a, e);
    if (rc != E_OK) {
        return rc;
    }
    if (r->n_fields != n) {
        return csv_fail(e, c, r->n_fields ? r->line : c->line, "the header is not", names[0]);
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(r->fields[i], names[i]) != 0) {
            return csv_fail(e, c, r->line, "unexpected column", r->fields[i]);
        }
    }
    return E_OK;
}

/* ---- the two files ------------------------------------------------------ */

static enum app_err parse_parties(struct csv *c, struct treaty_row **rows, size_t *n_rows,
                                  struct arena *a, struct err *e)
{
    static const char *const header[] = {"iso3", "country", "instrument", "status", "date"};
    struct csv_record r;
    enum app_err rc = expect_header(c, &r, header, ARRAY_LEN(header), a, e);
    if (rc != E_OK) {
        return rc;
    }
    size_t cap = 64;
    size_t n = 0;
    struct treaty_row *out = arena_alloc(a, cap * sizeof *out);
    for (;;) {
        rc = csv_next(c, &r, a, e);
        if (rc != E_OK) {
            return rc;
        }
        if (!r.n_fields) {
            break;
        }
        if (r.n_fields != ARRAY_LEN(header)) {
            char got[48];
            snprintf(got, sizeof got, "%zu instead of 5", r.n_fields);
            return csv_fail(e, c, r.line, "wrong number of fields", got);
        }
        struct treaty_row row = {.iso3 = r.fields[0], .country = r.fields[1], .line = r.line};
        if (!is_iso3(row.iso3)) {
            return csv_fail(e, c, r.line, "not an ISO 3166-1 alpha-3 code", row.iso3);
        }
        if (!row.country[0]) {
            return csv_fail(e, c, r.line, "empty country name", NULL);
        }
        if (!treaty_instrument_parse(r.fields[2], &row.instrument)) {
            return csv_fail(e, c, r.line, "unknown instrument", r.fields[2]);
        }
        if (strcmp(r.fields[3], "party") == 0) {
            row.status = TREATY_PARTY;
        } else if (strcmp(r.fields[3], "signatory") == 0) {
            row.status = TREATY_SIGNATORY;
        } else if (strcmp(r.fields[3], "none") == 0) {
            row.status = TREATY_NONE;
        } else {
            return csv_fail(e, c, r.line, "unknown status", r.fields[3]);
        }
        if (r.fields[4][0]) {
            const char *why = NULL;
            if (!date_parse(r.fields[4], &row.deposited, &why)) {
                return csv_fail(e, c, r.line, "bad date", why);
            }
        } else if (row.status == TREATY_PARTY) {
            return csv_fail(e, c, r.line, "a party without a deposit date", NULL);
        }
        for (size_t i = 0; i < n; i++) {
            if (out[i].instrument == row.instrument && strcmp(out[i].iso3, row.iso3) == 0) {
                return csv_fail(e, c, r.line, "duplicate row for", row.iso3);
            }
        }
        if (n == cap) {
            struct treaty_row *bigger = arena_alloc(a, 2 * cap * sizeof *bigger);
            memcpy(bigger, out, n * sizeof *out);
            out = bigger;
            cap *= 2;
        }
        out[n++] = row;
    }
    *rows = out;
    *n_rows = n;
    return E_OK;
}

static enum app_err parse_notes(struct csv *c, struct treaty_row *rows, size_t n_rows,
                                struct arena *a, struct err *e)
{
    static const char *const header[] = {"iso3", "instrument", "confidence", "note", "source"};
    struct csv_record r;
    size_t after = 0; /* where the search for a note's row starts */
    enum app_err rc = expect_header(c, &r, header, ARRAY_LEN(header), a, e);
    if (rc != E_OK) {
        return rc;
    }
    for (;;) {
        rc = csv_next(c, &r, a, e);
        if (rc != E_OK) {
            return rc;
        }
        if (!r.n_fields) {
            return E_OK;
        }
        if (r.n_fields != ARRAY_LEN(header)) {
            char got[48];
            snprintf(got, sizeof got, "%zu instead of 5", r.n_fields);
            return csv_fail(e, c, r.line, "wrong number of fields", got);
        }
        enum treaty_instrument inst;
        if (!treaty_instrument_parse(r.fields[1], &inst)) {
            return csv_fail(e, c, r.line, "unknown instrument", r.fields[1]);
        }
        if (strcmp(r.fields[2], "high") != 0 && strcmp(r.fields[2], "medium") != 0 &&
            strcmp(r.fields[2], "low") != 0) {
            return csv_fail(e, c, r.line, "unknown confidence", r.fields[2]);
        }
        /* (iso3, instrument) names one row at most; notes mostly follow the
         * rows' order, so the search starts after the row found last. */
        struct treaty_row *row = NULL;
        for (size_t k = 0; k < n_rows && !row; k++) {
            size_t i = (after + k) % n_rows;
            if (rows[i].instrument == inst && strcmp(rows[i].iso3, r.fields[0]) == 0) {
                row = &rows[i];
                after = i + 1;
            }
        }
        if (!row) {
            return csv_fail(e, c, r.line, "no row in treaty_parties.csv for", r.fields[0]);
        }
        if (row->confidence) {
            return csv_fail(e, c, r.line, "a second note for", r.fields[0]);
        }
        row->confidence = r.fields[2];
        row->note = r.fields[3][0] ? r.fields[3] : NULL;
        row->source = r.fields[4][0] ? r.fields[4] : NULL;
    }
}

enum app_err treaty_table_parse(struct treaty_table *out, const char *parties, size_t parties_len,
                                const char *notes, size_t notes_len, struct arena *a, struct err *e)
{
    struct treaty_row *rows = NULL;
    size_t n_rows = 0;
    *out = (struct treaty_table){0};
    struct csv c = {
        .p = parties, .end = parties + parties_len, .line = 1, .file = "treaty_parties.csv"};
    enum app_err rc = parse_parties(&c, &rows, &n_rows, a, e);
    if (rc != E_OK) {
        return rc;
    }
    if (notes) {
        struct csv cn = {
            .p = notes, .end = notes + notes_len, .line = 1, .file = "treaty_parties_notes.csv"};
        rc = parse_notes(&cn, rows, n_rows, a, e);
        if (rc != E_OK) {
            return rc;
        }
    }
    out->rows = rows;
    out->n_rows = n_rows;
    return E_OK;
}

enum app_err treaty_table_load(struct treaty_table *out, struct arena *a, struct err *e)
{
    const struct embedded_file *parties =
        embedded_find(refuge_refdata, refuge_refdata_count, "treaty_parties.csv");
    const struct embedded_file *notes =
        embedded_find(refuge_refdata, refuge_refdata_count, "treaty_parties_notes.csv");
    if (!parties || !notes) {
        *out = (struct treaty_table){0};
        return err_set(e, E_INTERNAL, "the treaty data is not compiled into this binary");
    }
    enum app_err rc = treaty_table_parse(out, (const char *)parties->data, parties->len,
                                         (const char *)notes->data, notes->len, a, e);
    if (rc != E_OK) {
        e->code = E_INTERNAL; /* the shipped data is broken: a defect, not bad input */
        return E_INTERNAL;
    }
    return E_OK;
}

const struct treaty_row *treaty_find(const struct treaty_table *t, const char *iso3,
                                     enum treaty_instrument instrument)
{
    if (!t || !iso3) {
        return NULL;
    }
    for (size_t i = 0; i < t->n_rows; i++) {
        if (t->rows[i].instrument == instrument && strcmp(t->rows[i].iso3, iso3) == 0) {
            return &t->rows[i];
        }
    }
    return NULL;
}

/* ---- entry into force -------------------------------------------------- */

static int64_t add_months(int64_t day, int months)
{
    struct date d = date_from_days(day);
    int m = d.month - 1 + months;
    int y = d.year + m / 12;
    m = m % 12 + 1;
    int dim = date_days_in_month(y, m);
    struct date out = {.year = (int16_t)y,
                       .month = (uint8_t)m,
                       .day = (uint8_t)(d.day > dim ? dim : d.day),
                       .prec = DATE_DAY};
    return date_first_day(out);
}

static int64_t in_force_from(enum treaty_instrument i, int64_t deposit)
{
    switch (i) {
    case TREATY_RC1951:
        return deposit + 90; /* art. 43(2): the ninetieth day after deposit */
    case TREATY_RP1967:
        return deposit; /* art. VIII(2): on the day of deposit */
    case TREATY_CAT:
        return deposit + 30; /* art. 27(2): the thirtieth day after deposit */
    case TREATY_ICCPR:
    case TREATY_ICCPR_OP1:
        return add_months(deposit, 3); /* ICCPR art. 49(2), OP1 art. 9(2): three months */
    case TREATY_ECHR:
    case TREATY_ACHR:
    case TREATY_ACHPR:
    case TREATY_OAU1969:
    case TREATY_INSTRUMENT_COUNT:
        break;
    }
    return deposit; /* regional instruments: no delay is cited, none is assumed */
}

bool treaty_in_force(const struct treaty_row *row, int64_t *earliest, int64_t *latest)
{
    if (!row || row->status != TREATY_PARTY || row->deposited.prec == DATE_NONE) {
        return false;
    }
    *earliest = in_force_from(row->instrument, date_first_day(row->deposited));
    *latest = in_force_from(row->instrument, date_last_day(row->deposited));
    return true;
}

void treaty_state_of(const struct treaty_table *t, const char *alpha2, struct treaty_state *out)
{
    memset(out, 0, sizeof *out);
    char code[3] = {0};
    if (alpha2 && strlen(alpha2) == 2) {
        for (int i = 0; i < 2; i++) {
            char ch = alpha2[i];
            code[i] = (char)(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
        }
    }
    const struct iso_country *c = code[0] ? refdata_country(code) : NULL;
    if (!c || !t) {
        return;
    }
    out->country = true;
    for (size_t i = 0; i < t->n_rows; i++) {
        const struct treaty_row *row = &t->rows[i];
        if (strcmp(row->iso3, c->alpha3) != 0) {
            continue;
        }
        out->known = true;
        if ((unsigned)row->instrument < TREATY_INSTRUMENT_COUNT && !out->rows[row->instrument]) {
            out->rows[row->instrument] = row; /* the first row, as treaty_find() */
        }
    }
    for (int i = 0; i < TREATY_INSTRUMENT_COUNT; i++) {
        out->in_force[i] = treaty_in_force(out->rows[i], &out->earliest[i], &out->latest[i]);
    }
}

struct treaty_binding treaty_binding_of(const struct treaty_state *st,
                                        enum treaty_instrument instrument, int64_t day)
{
    struct treaty_binding b = {.bound = TRI_UNKNOWN};
    if (!st->country || (unsigned)instrument >= TREATY_INSTRUMENT_COUNT) {
        return b;
    }
    b.state_known = st->known;
    b.row = st->rows[instrument];
    if (!b.row) {
        return b;
    }
    if (!st->in_force[instrument]) {
        b.bound = TRI_FALSE;
    } else if (day >= st->latest[instrument]) {
        b.bound = TRI_TRUE;
    } else if (day < st->earliest[instrument]) {
        b.bound = TRI_FALSE;
    }
    return b;
}

struct treaty_binding treaty_binding(const struct treaty_table *t, const char *alpha2,
                                     enum treaty_instrument instrument, int64_t day)
{
    struct treaty_state st;
    treaty_state_of(t, alpha2, &st);
    return treaty_binding_of(&st, instrument, day);
}
