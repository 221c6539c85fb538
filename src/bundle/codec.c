/*
 * codec.c: the bundle format's field tables and the generic code that walks
 * them to decode (with validation) and encode every kind of object.
 *
 * Each object kind has one table listing its JSON keys, how each is checked,
 * and where it goes in the domain struct. Decoding validates one object in
 * isolation; cross-object rules (references, duplicate ids) are checked by
 * the importer from the references collected here. Unknown keys are kept as
 * JSON text in the struct's `extra` and written back after the known ones.
 */
#include "bundle/codec.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "domain/refdata.h"

enum fkind {
    FK_ID,
    FK_TEXT,
    FK_DATE,
    FK_BOOL,
    FK_TRI,
    FK_COUNTRY,
    FK_REGION,
    FK_VOCAB,
    FK_REF,
    FK_REFS,
    FK_TARGETS,
    FK_TAGS,
    FK_COUNTRIES,
    FK_VOCABS,
    FK_POSINT,
    FK_SCRIPT,
    FK_LANG,
    FK_SHA256,
    FK_URL,
    FK_EVTYPE,
    FK_EVKIND,
    FK_PLACE,
    FK_FILE,
    FK_NAMES,
    FK_POSITIONS,
};

struct field {
    const char *key;
    enum fkind kind;
    size_t off;               /* into the struct; for FK_PLACE the struct place */
    const char *const *vocab; /* FK_VOCAB, FK_VOCABS */
    enum obj_kind ref;        /* FK_REF, FK_REFS */
    unsigned evmask;          /* event fields: the enum event_field bit, 0 = every type */
    bool required;
    size_t has_off; /* FK_PLACE, FK_FILE: offset of the bool "present" flag */
};

#define F(k, kind_, type, member)                              \
    {                                                          \
        .key = k, .kind = kind_, .off = offsetof(type, member) \
    }

/* ---------------------------------------------------------------- tables */

static const struct field source_fields[] = {
    {.key = "id", .kind = FK_ID, .off = offsetof(struct source, id), .required = true},
    F("title", FK_TEXT, struct source, title),
    F("publisher", FK_TEXT, struct source, publisher),
    F("date", FK_DATE, struct source, date),
    F("approx", FK_BOOL, struct source, approx),
    F("url", FK_URL, struct source, url),
    {.key = "kind",
     .kind = FK_VOCAB,
     .off = offsetof(struct source, kind),
     .vocab = vocab_source_kind},
    {.key = "reliability",
     .kind = FK_VOCAB,
     .off = offsetof(struct source, reliability),
     .vocab = vocab_reliability},
    {.key = "credibility",
     .kind = FK_VOCAB,
     .off = offsetof(struct source, credibility),
     .vocab = vocab_credibility},
    {.key = "file", .kind = FK_FILE, .off = 0, .has_off = offsetof(struct source, has_file)},
};

static const struct field name_fields[] = {
    {.key = "full", .kind = FK_TEXT, .off = offsetof(struct person_name, full), .required = true},
    F("script", FK_SCRIPT, struct person_name, script),
    F("lang", FK_LANG, struct person_name, lang),
    {.key = "kind",
     .kind = FK_VOCAB,
     .off = offsetof(struct person_name, kind),
     .vocab = vocab_name_kind},
};

static const struct field position_fields[] = {
    {.key = "organization",
     .kind = FK_REF,
     .off = offsetof(struct position, organization),
     .ref = OBJ_ORGANIZATION,
     .required = true},
    F("title", FK_TEXT, struct position, title),
    F("from", FK_DATE, struct position, from),
    F("to", FK_DATE, struct position, to),
};

static const struct field place_fields[] = {
    F("country", FK_COUNTRY, struct place, country),
    F("region", FK_REGION, struct place, region),
    F("name", FK_TEXT, struct place, name),
};

static const struct field file_fields[] = {
    F("name", FK_TEXT, struct source, file_name),
    F("sha256", FK_SHA256, struct source, file_sha256),
    F("media_type", FK_TEXT, struct source, file_media_type),
};

static const struct field person_fields[] = {
    {.key = "id", .kind = FK_ID, .off = offsetof(struct person, id), .required = true},
    {.key = "names", .kind = FK_NAMES, .off = 0, .required = true},
    F("sex", FK_TEXT, struct person, sex),
    F("birth_date", FK_DATE, struct person, birth_date),
    F("nationality", FK_COUNTRIES, struct person, nationality),
    F("ethnicity", FK_TEXT, struct person, ethnicity),
    F("religion", FK_TEXT, struct person, religion),
    {.key = "origin",
     .kind = FK_PLACE,
     .off = offsetof(struct person, origin),
     .has_off = offsetof(struct person, has_origin)},
    F("profiles", FK_TAGS, struct person, profiles),
    F("sensitive", FK_TRI, struct person, sensitive),
    F("group", FK_TRI, struct person, group),
    F("group_size", FK_POSINT, struct person, group_size),
    {.key = "sources", .kind = FK_REFS, .off = offsetof(struct person, sources), .ref = OBJ_SOURCE},
    {.key = "positions", .kind = FK_POSITIONS, .off = 0},
};

static const struct field organization_fields[] = {
    {.key = "id", .kind = FK_ID, .off = offsetof(struct organization, id), .required = true},
    {.key = "name", .kind = FK_TEXT, .off = offsetof(struct organization, name), .required = true},
    F("country", FK_COUNTRY, struct organization, country),
    {.key = "kind",
     .kind = FK_VOCAB,
     .off = offsetof(struct organization, kind),
     .vocab = vocab_org_kind},
    {.key = "parent",
     .kind = FK_REF,
     .off = offsetof(struct organization, parent),
     .ref = OBJ_ORGANIZATION},
};

static const struct field case_fields[] = {
    {.key = "id", .kind = FK_ID, .off = offsetof(struct case_, id), .required = true},
    F("title", FK_TEXT, struct case_, title),
    {.key = "state", .kind = FK_COUNTRY, .off = offsetof(struct case_, state), .required = true},
    {.key = "subjects",
     .kind = FK_REFS,
     .off = offsetof(struct case_, subjects),
     .ref = OBJ_PERSON},
    F("opened", FK_DATE, struct case_, opened),
    {.key = "status",
     .kind = FK_VOCAB,
     .off = offsetof(struct case_, status),
     .vocab = vocab_case_status},
    F("summary", FK_TEXT, struct case_, summary),
    F("tags", FK_TAGS, struct case_, tags),
};

#define EVF(k, kind_, member, mask)                                                    \
    {                                                                                  \
        .key = k, .kind = kind_, .off = offsetof(struct event, member), .evmask = mask \
    }
#define EVV(k, member, mask, v)                                                            \
    {                                                                                      \
        .key = k, .kind = FK_VOCAB, .off = offsetof(struct event, member), .evmask = mask, \
        .vocab = v                                                                         \
    }

static const struct field event_fields[] = {
    {.key = "id", .kind = FK_ID, .off = offsetof(struct event, id), .required = true},
    {.key = "type", .kind = FK_EVTYPE, .off = offsetof(struct event, type), .required = true},
    F("date", FK_DATE, struct event, date),
    F("approx", FK_BOOL, struct event, approx),
    F("end_date", FK_DATE, struct event, end_date),
    {.key = "place",
     .kind = FK_PLACE,
     .off = offsetof(struct event, place),
     .has_off = offsetof(struct event, has_place)},
    {.key = "persons",
     .kind = FK_REFS,
     .off = offsetof(struct event, persons),
     .ref = OBJ_PERSON,
     .required = true},
    {.key = "by", .kind = FK_REF, .off = offsetof(struct event, by), .ref = OBJ_ORGANIZATION},
    {.key = "official", .kind = FK_REF, .off = offsetof(struct event, official), .ref = OBJ_PERSON},
    F("description", FK_TEXT, struct event, description),
    {.key = "sources", .kind = FK_REFS, .off = offsetof(struct event, sources), .ref = OBJ_SOURCE},
    EVF("from_country", FK_COUNTRY, from_country, EF_FROM_COUNTRY),
    EVF("to_country", FK_COUNTRY, to_country, EF_TO_COUNTRY),
    EVF("irregular", FK_TRI, irregular, EF_IRREGULAR),
    EVF("presented_to_authorities", FK_TRI, presented_to_authorities, EF_PRESENTED),
    EVF("presented_on", FK_DATE, presented_on, EF_PRESENTED_ON),
    EVF("state", FK_COUNTRY, state, EF_STATE),
    EVV("outcome", outcome, EF_OUTCOME, vocab_outcome),
    EVF("final", FK_TRI, final, EF_FINAL),
    EVF("appeal_until", FK_DATE, appeal_until, EF_APPEAL_UNTIL),
    EVF("kind", FK_EVKIND, kind, EF_KIND),
    EVF("offence", FK_TEXT, offence, EF_OFFENCE),
    EVF("law", FK_TEXT, law, EF_LAW),
    EVF("sentence", FK_TEXT, sentence, EF_SENTENCE),
    EVF("entry_related", FK_TRI, entry_related, EF_ENTRY_RELATED),
    EVF("by_country", FK_COUNTRY, by_country, EF_BY_COUNTRY),
    EVV("mode", mode, EF_MODE, vocab_removal_mode),
    EVF("provided", FK_TRI, provided, EF_PROVIDED),
    EVV("to", to, EF_TO, vocab_access_to),
    EVF("alleged", FK_TRI, alleged, EF_ALLEGED),
};

static const struct field risk_fields[] = {
    {.key = "id", .kind = FK_ID, .off = offsetof(struct risk, id), .required = true},
    {.key = "country", .kind = FK_COUNTRY, .off = offsetof(struct risk, country), .required = true},
    F("region", FK_REGION, struct risk, region),
    F("profiles", FK_TAGS, struct risk, profiles),
    F("harms", FK_TAGS, struct risk, harms),
    F("from", FK_DATE, struct risk, from),
    F("to", FK_DATE, struct risk, to),
    {.key = "sources", .kind = FK_REFS, .off = offsetof(struct risk, sources), .ref = OBJ_SOURCE},
};

static const struct field action_fields[] = {
    {.key = "id", .kind = FK_ID, .off = offsetof(struct action, id), .required = true},
    {.key = "case",
     .kind = FK_REF,
     .off = offsetof(struct action, case_id),
     .ref = OBJ_CASE,
     .required = true},
    {.key = "kind",
     .kind = FK_VOCAB,
     .off = offsetof(struct action, kind),
     .vocab = vocab_action_kind},
    F("date", FK_DATE, struct action, date),
    F("approx", FK_BOOL, struct action, approx),
    F("targets", FK_TARGETS, struct action, targets),
    {.key = "demands",
     .kind = FK_VOCABS,
     .off = offsetof(struct action, demands),
     .vocab = vocab_demand},
    F("outcome", FK_TEXT, struct action, outcome),
};

struct kind_table {
    const struct field *fields;
    size_t n_fields;
    size_t extra_off;
};

static const struct kind_table tables[OBJ_KIND_COUNT] = {
    [OBJ_SOURCE] = {source_fields, ARRAY_LEN(source_fields), offsetof(struct source, extra)},
    [OBJ_PERSON] = {person_fields, ARRAY_LEN(person_fields), offsetof(struct person, extra)},
    [OBJ_ORGANIZATION] = {organization_fields, ARRAY_LEN(organization_fields),
                          offsetof(struct organization, extra)},
    [OBJ_CASE] = {case_fields, ARRAY_LEN(case_fields), offsetof(struct case_, extra)},
    [OBJ_EVENT] = {event_fields, ARRAY_LEN(event_fields), offsetof(struct event, extra)},
    [OBJ_RISK] = {risk_fields, ARRAY_LEN(risk_fields), offsetof(struct risk, extra)},
    [OBJ_ACTION] = {action_fields, ARRAY_LEN(action_fields), offsetof(struct action, extra)},
};

/* -------------------------------------------------------------- decoding */

struct dctx {
    struct arena *arena;
    struct diags *problems;
    struct diags *notes;
    struct bundle_obj *obj;
    size_t refs_alloc;
    unsigned evfields; /* fields of the event's type, or ~0 */
    struct buf path;
};

/* The member at byte offset off of a struct: AT for writing, CAT for reading. */
#define AT(ptr, off, type)  ((type *)(void *)((char *)(ptr) + (off)))
#define CAT(ptr, off, type) ((type *)(const void *)((const char *)(ptr) + (off)))

static const char *json_type_word(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

/* Appends ".key" or "[i]" to the path; returns the old length to restore. */
static size_t path_key(struct dctx *c, const char *key)
{
    size_t old = c->path.len;
    buf_addf(&c->path, ".%s", key);
    return old;
}

static size_t path_index(struct dctx *c, size_t i)
{
    size_t old = c->path.len;
    buf_addf(&c->path, "[%zu]", i);
    return old;
}

#define problem(c, ...) diag_add((c)->problems, (c)->path.data, __VA_ARGS__)

static void add_ref(struct dctx *c, enum obj_kind target, bool org_or_person, const char *id)
{
    struct bundle_obj *o = c->obj;
    if (o->n_refs == c->refs_alloc) {
        size_t n = c->refs_alloc ? c->refs_alloc * 2 : 8;
        struct bundle_ref *r = arena_alloc(c->arena, n * sizeof *r);
        if (o->n_refs) {
            memcpy(r, o->refs, o->n_refs * sizeof *r);
        }
        o->refs = r;
        c->refs_alloc = n;
    }
    o->refs[o->n_refs++] = (struct bundle_ref){
        .where = arena_strdup(c->arena, c->path.data),
        .target = target,
        .org_or_person = org_or_person,
        .id = id,
    };
}

/* A string value without NUL bytes, copied into the arena; NULL after a problem. */
static const char *get_string(struct dctx *c, json_t *v)
{
    if (!json_is_string(v)) {
        problem(c, "expected a string, found %s", json_type_word(v));
        return NULL;
    }
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (memchr(s, '\0', n)) {
        problem(c, "%s", "contains a NUL character");
        return NULL;
    }
    return arena_strndup(c->arena, s, n);
}

static const char *quoted(struct dctx *c, const char *s)
{
    struct buf b = BUF_INIT;
    buf_addch(&b, '"');
    size_t n = strlen(s);
    buf_add(&b, s, n > 80 ? 80 : n);
    buf_adds(&b, n > 80 ? "...\"" : "\"");
    const char *q = arena_strdup(c->arena, b.data);
    buf_release(&b);
    return q;
}

static bool is_hex64(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char ch = s[n];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F'))) {
            return false;
        }
    }
    return n == 64;
}

static bool is_url(const char *s)
{
    const char *colon = strchr(s, ':');
    if (!colon || colon == s) {
        return false;
    }
    for (const char *p = s; p < colon; p++) {
        char ch = *p;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (p > s && ((ch >= '0' && ch <= '9') || ch == '+' || ch == '-' || ch == '.'));
        if (!ok) {
            return false;
        }
    }
    for (const char *p = s; *p; p++) {
        if ((unsigned char)*p <= ' ') {
            return false;
        }
    }
    return colon[1] != '\0';
}

static bool lang_valid(const char *s)
{
    /* A BCP 47-like tag whose primary subtag is an ISO 639-1 or 639-3 code. */
    char primary[4];
    size_t n = strcspn(s, "-");
    if (n < 2 || n > 3) {
        return false;
    }
    memcpy(primary, s, n);
    primary[n] = '\0';
    if (!refdata_language(primary)) {
        return false;
    }
    for (const char *p = s + n; *p; p++) {
        char ch = *p;
        if (!(ch == '-' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9'))) {
            return false;
        }
    }
    return true;
}

static void decode_object(struct dctx *c, json_t *o, const struct field *fields, size_t n_fields,
                          void *out, const char **extra_out);

static bool decode_country(struct dctx *c, json_t *v, const char **out)
{
    const char *s = get_string(c, v);
    if (!s) {
        return false;
    }
    if (!refdata_country(s)) {
        problem(c, "%s is not an ISO 3166-1 alpha-2 country code", quoted(c, s));
        return false;
    }
    *out = s;
    return true;
}

static void decode_vocab(struct dctx *c, json_t *v, const char *const *vocab, const char **out)
{
    const char *s = get_string(c, v);
    if (!s) {
        return;
    }
    if (!vocab_has(vocab, s)) {
        char words[512];
        vocab_list(vocab, words, sizeof words);
        struct buf b = BUF_INIT;
        buf_addf(&b, "%s is not one of: %s", quoted(c, s), words);
        diag_add(c->problems, c->path.data, "%s", b.data);
        buf_release(&b);
        return;
    }
    *out = s;
}

static void decode_id(struct dctx *c, json_t *v, const char **out)
{
    const char *s = get_string(c, v);
    if (!s) {
        return;
    }
    if (!model_id_valid(s)) {
        problem(c, "%s is not a valid id (1-128 characters from A-Z a-z 0-9 . _ : -)",
                quoted(c, s));
        return;
    }
    *out = s;
}

/* Arrays of strings (tags, ids, countries, vocabulary words). */
static void decode_string_list(struct dctx *c, json_t *v, const struct field *f, struct strs *out)
{
    if (!json_is_array(v)) {
        problem(c, "expected an array, found %s", json_type_word(v));
        return;
    }
    size_t n = json_array_size(v);
    out->items = arena_alloc(c->arena, (n ? n : 1) * sizeof *out->items);
    out->n_items = 0;
    for (size_t i = 0; i < n; i++) {
        size_t mark = path_index(c, i);
        json_t *e = json_array_get(v, i);
        const char *s = NULL;
        if (f->kind == FK_COUNTRIES) {
            decode_country(c, e, &s);
        } else if (f->kind == FK_VOCABS) {
            decode_vocab(c, e, f->vocab, &s);
        } else if (f->kind == FK_REFS || f->kind == FK_TARGETS) {
            decode_id(c, e, &s);
            if (s) {
                add_ref(c, f->kind == FK_REFS ? f->ref : OBJ_ORGANIZATION, f->kind == FK_TARGETS,
                        s);
            }
        } else {
            s = get_string(c, e);
            if (s && !*s) {
                problem(c, "%s", "is empty");
                s = NULL;
            }
        }
        if (s) {
            out->items[out->n_items++] = s;
        }
        buf_truncate(&c->path, mark);
    }
}

static void decode_date(struct dctx *c, json_t *v, struct date *out)
{
    const char *s = get_string(c, v);
    if (!s) {
        return;
    }
    const char *why = NULL;
    if (!date_parse(s, out, &why)) {
        diag_add(c->problems, c->path.data, "%s %s", quoted(c, s), why);
    }
}

static void decode_names(struct dctx *c, json_t *v, struct person *p)
{
    if (!json_is_array(v)) {
        problem(c, "expected an array, found %s", json_type_word(v));
        return;
    }
    size_t n = json_array_size(v);
    if (n == 0) {
        problem(c, "%s", "a person needs at least one name");
        return;
    }
    p->names = arena_alloc(c->arena, n * sizeof *p->names);
    for (size_t i = 0; i < n; i++) {
        size_t mark = path_index(c, i);
        json_t *e = json_array_get(v, i);
        if (!json_is_object(e)) {
            problem(c, "expected an object, found %s", json_type_word(e));
        } else {
            struct person_name *nm = &p->names[p->n_names++];
            decode_object(c, e, name_fields, ARRAY_LEN(name_fields), nm, &nm->extra);
        }
        buf_truncate(&c->path, mark);
    }
}

static void decode_positions(struct dctx *c, json_t *v, struct person *p)
{
    if (!json_is_array(v)) {
        problem(c, "expected an array, found %s", json_type_word(v));
        return;
    }
    size_t n = json_array_size(v);
    p->positions = arena_alloc(c->arena, (n ? n : 1) * sizeof *p->positions);
    for (size_t i = 0; i < n; i++) {
        size_t mark = path_index(c, i);
        json_t *e = json_array_get(v, i);
        if (!json_is_object(e)) {
            problem(c, "expected an object, found %s", json_type_word(e));
        } else {
            struct position *pos = &p->positions[p->n_positions++];
            decode_object(c, e, position_fields, ARRAY_LEN(position_fields), pos, &pos->extra);
            if (pos->from.prec && pos->to.prec &&
                date_last_day(pos->to) < date_first_day(pos->from)) {
                problem(c, "%s", "\"to\" is before \"from\"");
            }
        }
        buf_truncate(&c->path, mark);
    }
}

static void check_region(struct dctx *c, const char *region, const char *country)
{
    if (!region || !refdata_looks_like_subdivision(region)) {
        return; /* free text is allowed where no ISO 3166-2 code exists */
    }
    size_t mark = path_key(c, "region");
    if (!refdata_subdivision(region)) {
        problem(c, "%s is not an ISO 3166-2 subdivision code", quoted(c, region));
    } else if (country && strncmp(region, country, 2) != 0) {
        struct buf b = BUF_INIT;
        buf_addf(&b, "%s is not a subdivision of %s", quoted(c, region), country);
        diag_add(c->problems, c->path.data, "%s", b.data);
        buf_release(&b);
    }
    buf_truncate(&c->path, mark);
}

static void decode_value(struct dctx *c, json_t *v, const struct field *f, void *out)
{
    switch (f->kind) {
    case FK_ID:
        decode_id(c, v, AT(out, f->off, const char *));
        break;
    case FK_TEXT: {
        const char *s = get_string(c, v);
        if (s && f->required && !*s) {
            problem(c, "%s", "is empty");
        } else if (s) {
            *AT(out, f->off, const char *) = s;
        }
        break;
    }
    case FK_DATE:
        decode_date(c, v, AT(out, f->off, struct date));
        break;
    case FK_BOOL:
        if (!json_is_boolean(v)) {
            problem(c, "expected true or false, found %s", json_type_word(v));
        } else {
            *AT(out, f->off, bool) = json_is_true(v);
        }
        break;
    case FK_TRI:
        if (!json_is_boolean(v)) {
            problem(c, "expected true, false or null, found %s", json_type_word(v));
        } else {
            *AT(out, f->off, enum tri) = json_is_true(v) ? TRI_TRUE : TRI_FALSE;
        }
        break;
    case FK_COUNTRY:
        decode_country(c, v, AT(out, f->off, const char *));
        break;
    case FK_REGION: {
        const char *s = get_string(c, v);
        if (s && !*s) {
            problem(c, "%s", "is empty");
        } else if (s) {
            *AT(out, f->off, const char *) = s;
        }
        break;
    }
    case FK_VOCAB:
        decode_vocab(c, v, f->vocab, AT(out, f->off, const char *));
        break;
    case FK_EVKIND: {
        const struct event *ev = out;
        const char *const *vocab = event_kind_vocab(ev->type);
        if (vocab) {
            decode_vocab(c, v, vocab, AT(out, f->off, const char *));
        }
        break;
    }
    case FK_REF: {
        const char **dst = AT(out, f->off, const char *);
        decode_id(c, v, dst);
        if (*dst) {
            add_ref(c, f->ref, false, *dst);
        }
        break;
    }
    case FK_REFS:
    case FK_TARGETS:
    case FK_TAGS:
    case FK_COUNTRIES:
    case FK_VOCABS:
        decode_string_list(c, v, f, AT(out, f->off, struct strs));
        break;
    case FK_POSINT:
        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            problem(c, "expected a positive whole number, found %s", json_type_word(v));
        } else {
            *AT(out, f->off, int64_t) = (int64_t)json_integer_value(v);
        }
        break;
    case FK_SCRIPT: {
        const char *s = get_string(c, v);
        if (s && !refdata_script(s)) {
            problem(c, "%s is not an ISO 15924 script code", quoted(c, s));
        } else if (s) {
            *AT(out, f->off, const char *) = s;
        }
        break;
    }
    case FK_LANG: {
        const char *s = get_string(c, v);
        if (s && !lang_valid(s)) {
            problem(c, "%s is not an ISO 639 language code", quoted(c, s));
        } else if (s) {
            *AT(out, f->off, const char *) = s;
        }
        break;
    }
    case FK_SHA256: {
        const char *s = get_string(c, v);
        if (s && !is_hex64(s)) {
            problem(c, "%s is not a SHA-256 digest (64 hexadecimal digits)", quoted(c, s));
        } else if (s) {
            *AT(out, f->off, const char *) = s;
        }
        break;
    }
    case FK_URL: {
        const char *s = get_string(c, v);
        if (s && !is_url(s)) {
            problem(c, "%s is not an absolute URL", quoted(c, s));
        } else if (s) {
            *AT(out, f->off, const char *) = s;
        }
        break;
    }
    case FK_EVTYPE:
        break; /* decoded before the other fields: see codec_decode() */
    case FK_PLACE:
        if (!json_is_object(v)) {
            problem(c, "expected an object, found %s", json_type_word(v));
        } else {
            struct place *pl = AT(out, f->off, struct place);
            *AT(out, f->has_off, bool) = true;
            decode_object(c, v, place_fields, ARRAY_LEN(place_fields), pl, &pl->extra);
            check_region(c, pl->region, pl->country);
        }
        break;
    case FK_FILE:
        if (!json_is_object(v)) {
            problem(c, "expected an object, found %s", json_type_word(v));
        } else {
            struct source *s = out;
            s->has_file = true;
            decode_object(c, v, file_fields, ARRAY_LEN(file_fields), s, &s->file_extra);
        }
        break;
    case FK_NAMES:
        decode_names(c, v, out);
        break;
    case FK_POSITIONS:
        decode_positions(c, v, out);
        break;
    }
}

static const struct field *find_field(const struct field *fields, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(fields[i].key, key) == 0) {
            return &fields[i];
        }
    }
    return NULL;
}

static void decode_object(struct dctx *c, json_t *o, const struct field *fields, size_t n_fields,
                          void *out, const char **extra_out)
{
    json_t *extra = NULL;
    const char *key;
    json_t *v;
    bool seen[48] = {false};
    _Static_assert(ARRAY_LEN(event_fields) <= 48, "seen[] must cover every field table");
    json_object_foreach(o, key, v)
    {
        const struct field *f = find_field(fields, n_fields, key);
        if (f && f->evmask && !(f->evmask & c->evfields)) {
            f = NULL; /* a field of another event type: kept as unknown */
        }
        size_t mark = path_key(c, key);
        if (!f) {
            if (!extra) {
                extra = json_object();
            }
            json_object_set(extra, key, v);
            if (c->notes) {
                diag_add(c->notes, c->path.data, "%s", "unknown field, kept as it is");
            }
        } else {
            seen[f - fields] = true;
            if (!json_is_null(v)) {
                decode_value(c, v, f, out);
            } else if (f->required) {
                problem(c, "%s", "is required and may not be null");
            }
        }
        buf_truncate(&c->path, mark);
    }
    for (size_t i = 0; i < n_fields; i++) {
        if (fields[i].required && !seen[i]) {
            size_t mark = path_key(c, fields[i].key);
            problem(c, "%s", "is required");
            buf_truncate(&c->path, mark);
        }
    }
    if (extra) {
        char *text = json_dumps(extra, JSON_COMPACT);
        *extra_out = arena_strdup(c->arena, text);
        free(text);
        json_decref(extra);
    }
}

static void check_event(struct dctx *c, struct event *ev)
{
    if (ev->date.prec && ev->end_date.prec &&
        date_last_day(ev->end_date) < date_first_day(ev->date)) {
        size_t mark = path_key(c, "end_date");
        problem(c, "%s", "is before the event's date");
        buf_truncate(&c->path, mark);
    }
    if (!ev->date.prec && ev->end_date.prec) {
        size_t mark = path_key(c, "end_date");
        problem(c, "%s", "is given but the event has no date");
        buf_truncate(&c->path, mark);
    }
    if (ev->persons.n_items == 0 && c->problems) {
        bool reported = false;
        for (size_t i = 0; i < c->problems->n_items; i++) {
            if (strstr(c->problems->items[i].where, ".persons")) {
                reported = true;
            }
        }
        if (!reported) {
            size_t mark = path_key(c, "persons");
            problem(c, "%s", "an event must name at least one person");
            buf_truncate(&c->path, mark);
        }
    }
}

void codec_decode(enum obj_kind kind, size_t index, const char *prefix, json_t *value,
                  struct arena *arena, struct bundle_obj *obj, struct diags *problems,
                  struct diags *notes)
{
    memset(obj, 0, sizeof *obj);
    obj->kind = kind;
    obj->index = index;
    struct dctx c = {
        .arena = arena, .problems = problems, .notes = notes, .obj = obj, .evfields = ~0U};
    buf_init(&c.path);
    if (prefix) {
        buf_adds(&c.path, prefix);
    } else {
        buf_addf(&c.path, "%s[%zu]", obj_kind_list_name(kind), index);
    }
    size_t before = problems->total;

    if (!json_is_object(value)) {
        problem(&c, "expected an object, found %s", json_type_word(value));
        buf_release(&c.path);
        return;
    }
    /* The id first, so that later problems and references can name it. */
    json_t *idv = json_object_get(value, "id");
    if (idv && json_is_string(idv) && model_id_valid(json_string_value(idv))) {
        obj->id = arena_strdup(arena, json_string_value(idv));
    }
    void *out = &obj->u;
    if (kind == OBJ_EVENT) {
        json_t *tv = json_object_get(value, "type");
        c.evfields = 0;
        if (tv && json_is_string(tv)) {
            if (event_type_parse(json_string_value(tv), &obj->u.event.type)) {
                c.evfields = event_type_fields(obj->u.event.type);
            } else {
                size_t mark = path_key(&c, "type");
                problem(&c, "%s is not an event type", quoted(&c, json_string_value(tv)));
                buf_truncate(&c.path, mark);
            }
        } else if (tv && !json_is_null(tv)) {
            size_t mark = path_key(&c, "type");
            problem(&c, "expected a string, found %s", json_type_word(tv));
            buf_truncate(&c.path, mark);
        }
    }
    const struct kind_table *t = &tables[kind];
    decode_object(&c, value, t->fields, t->n_fields, out, AT(out, t->extra_off, const char *));
    switch (kind) {
    case OBJ_EVENT:
        check_event(&c, &obj->u.event);
        break;
    case OBJ_RISK: {
        struct risk *r = &obj->u.risk;
        if (r->from.prec && r->to.prec && date_last_day(r->to) < date_first_day(r->from)) {
            size_t mark = path_key(&c, "to");
            problem(&c, "%s", "is before \"from\"");
            buf_truncate(&c.path, mark);
        }
        check_region(&c, r->region, r->country);
        break;
    }
    case OBJ_PERSON: {
        struct person *p = &obj->u.person;
        if (p->group_size && p->group != TRI_TRUE) {
            size_t mark = path_key(&c, "group_size");
            problem(&c, "%s", "is given but \"group\" is not true");
            buf_truncate(&c.path, mark);
        }
        break;
    }
    case OBJ_SOURCE:
    case OBJ_ORGANIZATION:
    case OBJ_CASE:
    case OBJ_ACTION:
    case OBJ_KIND_COUNT:
        break;
    }
    obj->valid = problems->total == before;
    buf_release(&c.path);
}

/* -------------------------------------------------------------- encoding */

static json_t *tri_json(enum tri t)
{
    return t == TRI_TRUE ? json_true() : json_false();
}

static json_t *strs_json(const struct strs *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->n_items; i++) {
        json_array_append_new(a, json_string(s->items[i]));
    }
    return a;
}

static void merge_extra(json_t *o, const char *extra)
{
    if (!extra) {
        return;
    }
    json_t *x = json_loads(extra, 0, NULL);
    if (json_is_object(x)) {
        const char *key;
        json_t *v;
        json_object_foreach(x, key, v)
        {
            if (!json_object_get(o, key)) {
                json_object_set(o, key, v);
            }
        }
    }
    json_decref(x);
}

static json_t *encode_object(const void *in, const struct field *fields, size_t n_fields,
                             unsigned evfields, const char *extra);

static json_t *encode_value(const void *in, const struct field *f)
{
    switch (f->kind) {
    case FK_ID:
    case FK_TEXT:
    case FK_COUNTRY:
    case FK_REGION:
    case FK_VOCAB:
    case FK_EVKIND:
    case FK_REF:
    case FK_SCRIPT:
    case FK_LANG:
    case FK_SHA256:
    case FK_URL: {
        const char *s = *CAT(in, f->off, const char *const);
        return s ? json_string(s) : NULL;
    }
    case FK_DATE: {
        struct date d = *CAT(in, f->off, const struct date);
        if (!d.prec) {
            return NULL;
        }
        char iso[DATE_ISO_MAX];
        date_iso(d, iso);
        return json_string(iso);
    }
    case FK_BOOL:
        return *CAT(in, f->off, const bool) ? json_true() : NULL;
    case FK_TRI: {
        enum tri t = *CAT(in, f->off, const enum tri);
        return t == TRI_UNKNOWN ? NULL : tri_json(t);
    }
    case FK_REFS:
    case FK_TARGETS:
    case FK_TAGS:
    case FK_COUNTRIES:
    case FK_VOCABS: {
        const struct strs *s = CAT(in, f->off, const struct strs);
        return s->n_items ? strs_json(s) : NULL;
    }
    case FK_POSINT: {
        int64_t n = *CAT(in, f->off, const int64_t);
        return n ? json_integer((json_int_t)n) : NULL;
    }
    case FK_EVTYPE:
        return json_string(event_type_name(*CAT(in, f->off, const enum event_type)));
    case FK_PLACE: {
        if (!*CAT(in, f->has_off, const bool)) {
            return NULL;
        }
        const struct place *pl = CAT(in, f->off, const struct place);
        return encode_object(pl, place_fields, ARRAY_LEN(place_fields), ~0U, pl->extra);
    }
    case FK_FILE: {
        const struct source *s = in;
        if (!s->has_file) {
            return NULL;
        }
        return encode_object(s, file_fields, ARRAY_LEN(file_fields), ~0U, s->file_extra);
    }
    case FK_NAMES: {
        const struct person *p = in;
        json_t *a = json_array();
        for (size_t i = 0; i < p->n_names; i++) {
            json_array_append_new(a, encode_object(&p->names[i], name_fields,
                                                   ARRAY_LEN(name_fields), ~0U, p->names[i].extra));
        }
        return a;
    }
    case FK_POSITIONS: {
        const struct person *p = in;
        if (!p->n_positions) {
            return NULL;
        }
        json_t *a = json_array();
        for (size_t i = 0; i < p->n_positions; i++) {
            json_array_append_new(a, encode_object(&p->positions[i], position_fields,
                                                   ARRAY_LEN(position_fields), ~0U,
                                                   p->positions[i].extra));
        }
        return a;
    }
    }
    return NULL;
}

static json_t *encode_object(const void *in, const struct field *fields, size_t n_fields,
                             unsigned evfields, const char *extra)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n_fields; i++) {
        const struct field *f = &fields[i];
        if (f->evmask && !(f->evmask & evfields)) {
            continue;
        }
        json_t *v = encode_value(in, f);
        if (v) {
            json_object_set_new(o, f->key, v);
        }
    }
    merge_extra(o, extra);
    return o;
}

json_t *codec_encode(enum obj_kind kind, const void *obj)
{
    const struct kind_table *t = &tables[kind];
    unsigned evfields = ~0U;
    if (kind == OBJ_EVENT) {
        evfields = event_type_fields(((const struct event *)obj)->type);
    }
    return encode_object(obj, t->fields, t->n_fields, evfields,
                         *CAT(obj, t->extra_off, const char *const));
}

/* ------------------------------------------------ encoding straight to text
 *
 * The same output as json_dumps(codec_encode(...), JSON_COMPACT), byte for
 * byte, without building a tree: reading APIs and exports encode every object
 * they send, and the tree cost more than the database reads. Strings are
 * escaped as jansson escapes them; unknown fields (extra) are merged by
 * jansson as before, since they are rare. */

static void text_strs(struct buf *b, const struct strs *s)
{
    buf_addch(b, '[');
    for (size_t i = 0; i < s->n_items; i++) {
        if (i) {
            buf_addch(b, ',');
        }
        buf_add_json_string(b, s->items[i]);
    }
    buf_addch(b, ']');
}

static void text_object(struct buf *b, const void *in, const struct field *fields, size_t n_fields,
                        unsigned evfields, const char *extra);

/* `,"key":`, or `"key":` for the first member. */
static void text_key(struct buf *b, const struct field *f, bool first)
{
    if (!first) {
        buf_addch(b, ',');
    }
    buf_add_json_string(b, f->key);
    buf_addch(b, ':');
}

/* Writes the field as a member (key and value); false when the field is
 * absent and nothing was written. */
static bool text_value(struct buf *b, const void *in, const struct field *f, bool first)
{
    switch (f->kind) {
    case FK_ID:
    case FK_TEXT:
    case FK_COUNTRY:
    case FK_REGION:
    case FK_VOCAB:
    case FK_EVKIND:
    case FK_REF:
    case FK_SCRIPT:
    case FK_LANG:
    case FK_SHA256:
    case FK_URL: {
        const char *str = *CAT(in, f->off, const char *const);
        if (!str) {
            return false;
        }
        text_key(b, f, first);
        buf_add_json_string(b, str);
        return true;
    }
    case FK_DATE: {
        struct date d = *CAT(in, f->off, const struct date);
        if (!d.prec) {
            return false;
        }
        char iso[DATE_ISO_MAX];
        date_iso(d, iso);
        text_key(b, f, first);
        buf_add_json_string(b, iso);
        return true;
    }
    case FK_EVTYPE:
        text_key(b, f, first);
        buf_add_json_string(b, event_type_name(*CAT(in, f->off, const enum event_type)));
        return true;
    case FK_BOOL:
        if (!*CAT(in, f->off, const bool)) {
            return false;
        }
        text_key(b, f, first);
        buf_adds(b, "true");
        return true;
    case FK_TRI: {
        enum tri t = *CAT(in, f->off, const enum tri);
        if (t == TRI_UNKNOWN) {
            return false;
        }
        text_key(b, f, first);
        buf_adds(b, t == TRI_TRUE ? "true" : "false");
        return true;
    }
    case FK_REFS:
    case FK_TARGETS:
    case FK_TAGS:
    case FK_COUNTRIES:
    case FK_VOCABS: {
        const struct strs *l = CAT(in, f->off, const struct strs);
        if (!l->n_items) {
            return false;
        }
        text_key(b, f, first);
        text_strs(b, l);
        return true;
    }
    case FK_POSINT: {
        int64_t n = *CAT(in, f->off, const int64_t);
        if (!n) {
            return false;
        }
        text_key(b, f, first);
        buf_addf(b, "%" PRId64, n);
        return true;
    }
    case FK_PLACE: {
        if (!*CAT(in, f->has_off, const bool)) {
            return false;
        }
        const struct place *pl = CAT(in, f->off, const struct place);
        text_key(b, f, first);
        text_object(b, pl, place_fields, ARRAY_LEN(place_fields), ~0U, pl->extra);
        return true;
    }
    case FK_FILE: {
        const struct source *src = in;
        if (!src->has_file) {
            return false;
        }
        text_key(b, f, first);
        text_object(b, src, file_fields, ARRAY_LEN(file_fields), ~0U, src->file_extra);
        return true;
    }
    case FK_NAMES: {
        const struct person *p = in;
        text_key(b, f, first);
        buf_addch(b, '[');
        for (size_t i = 0; i < p->n_names; i++) {
            if (i) {
                buf_addch(b, ',');
            }
            text_object(b, &p->names[i], name_fields, ARRAY_LEN(name_fields), ~0U,
                        p->names[i].extra);
        }
        buf_addch(b, ']');
        return true;
    }
    case FK_POSITIONS: {
        const struct person *p = in;
        if (!p->n_positions) {
            return false;
        }
        text_key(b, f, first);
        buf_addch(b, '[');
        for (size_t i = 0; i < p->n_positions; i++) {
            if (i) {
                buf_addch(b, ',');
            }
            text_object(b, &p->positions[i], position_fields, ARRAY_LEN(position_fields), ~0U,
                        p->positions[i].extra);
        }
        buf_addch(b, ']');
        return true;
    }
    }
    return false;
}

static int dump_to_buf(const char *text, size_t size, void *data)
{
    buf_add(data, text, size);
    return 0;
}

static void text_object(struct buf *b, const void *in, const struct field *fields, size_t n_fields,
                        unsigned evfields, const char *extra)
{
    buf_addch(b, '{');
    bool first = true;
    uint64_t written = 0; /* bit i: fields[i] was written (tables are shorter than 64) */
    for (size_t i = 0; i < n_fields && i < 64; i++) {
        const struct field *f = &fields[i];
        if (f->evmask && !(f->evmask & evfields)) {
            continue;
        }
        if (text_value(b, in, f, first)) {
            first = false;
            written |= UINT64_C(1) << i;
        }
    }
    json_t *x = extra ? json_loads(extra, 0, NULL) : NULL;
    if (json_is_object(x)) {
        const char *key;
        json_t *v;
        json_object_foreach(x, key, v)
        {
            bool known = false; /* a field written above wins over an unknown one */
            for (size_t i = 0; i < n_fields && i < 64 && !known; i++) {
                known = (written >> i & 1) && strcmp(fields[i].key, key) == 0;
            }
            if (known) {
                continue;
            }
            if (!first) {
                buf_addch(b, ',');
            }
            first = false;
            buf_add_json_string(b, key);
            buf_addch(b, ':');
            json_dump_callback(v, dump_to_buf, b, JSON_COMPACT | JSON_ENCODE_ANY);
        }
    }
    json_decref(x);
    buf_addch(b, '}');
}

void codec_encode_text(enum obj_kind kind, const void *obj, struct buf *out)
{
    const struct kind_table *t = &tables[kind];
    unsigned evfields = ~0U;
    if (kind == OBJ_EVENT) {
        evfields = event_type_fields(((const struct event *)obj)->type);
    }
    text_object(out, obj, t->fields, t->n_fields, evfields,
                *CAT(obj, t->extra_off, const char *const));
}

enum app_err bundle_decode_text(enum obj_kind kind, const char *text, size_t len,
                                struct arena *arena, struct bundle_obj *obj, struct diags *problems)
{
    json_error_t jerr;
    memset(obj, 0, sizeof *obj);
    obj->kind = kind;
    json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!v) {
        char where[64];
        snprintf(where, sizeof where, "line %d, column %d", jerr.line, jerr.column);
        diag_add(problems, where, "invalid JSON: %s", jerr.text);
        return E_INVALID;
    }
    size_t before = problems->total;
    codec_decode(kind, 0, "", v, arena, obj, problems, NULL);
    json_decref(v);
    /* Paths were built as ".field": drop the leading dot. */
    for (size_t i = 0; i < problems->n_items; i++) {
        char *w = problems->items[i].where;
        if (w[0] == '.') {
            memmove(w, w + 1, strlen(w));
        }
    }
    return problems->total == before ? E_OK : E_INVALID;
}
