/*
 * draft.h: drafting public statements, urgent actions and appeal letters
 * from a case (docs/statements.md).
 *
 * A draft is made in three steps: the case is loaded and checked
 * (service_check), a statement model is built from the case and its findings
 * (a tree of values in which every piece of wording that needs grammar —
 * dates, lists, plurals, country names — is already formatted for the
 * language with ICU), and a Mustache template of the kind and language is
 * rendered with it. Templates are embedded in the binary and can be replaced
 * file by file from a directory.
 */
#ifndef REFUGE_DRAFT_DRAFT_H
#define REFUGE_DRAFT_DRAFT_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/compat.h"
#include "core/err.h"
#include "domain/date.h"
#include "domain/model.h"
#include "render/mustache.h"
#include "store/store.h"

enum draft_kind {
    DRAFT_PUBLIC_STATEMENT,
    DRAFT_URGENT_ACTION,
    DRAFT_APPEAL,
};

enum draft_lang {
    DRAFT_EN,
    DRAFT_RU,
};

enum draft_format {
    DRAFT_MD,
    DRAFT_HTML,
    DRAFT_TEXT,
};

struct draft_request {
    const char *case_id;
    enum draft_kind kind;
    enum draft_lang lang;
    enum draft_format format;
    struct date as_of;
    const char *to;            /* appeal: organization or person id; NULL: the first target */
    const char *templates_dir; /* NULL: only the embedded templates */
};

/* What a draft asked of whom, for recording it as an action. Arena strings. */
struct draft_info {
    const char *action_kind; /* "public_statement", "urgent_action", "appeal" */
    struct strs targets;     /* organization and person ids */
    struct strs demands;     /* demand codes, in the fixed order */
};

/* Parses "public_statement"/"urgent_action"/"appeal", "en"/"ru", "md"/"html"/"text". */
bool draft_kind_parse(const char *s, enum draft_kind *out);
bool draft_lang_parse(const char *s, enum draft_lang *out);
bool draft_format_parse(const char *s, enum draft_format *out);
const char *draft_kind_name(enum draft_kind k);

/* Drafts the statement into out. E_NOT_FOUND for an unknown case or an
 * unknown --to target, E_INVALID for a bad or missing template (with the
 * template's name and line in e->where), E_IO when the templates directory
 * cannot be read. `info` (may be NULL) receives the targets and demands.
 * Allocates in `a`. */
ATTR_NODISCARD enum app_err draft_statement(struct store *s, const struct draft_request *rq,
                                            struct arena *a, struct buf *out,
                                            struct draft_info *info, struct err *e);

/* Builds the statement model alone (for tests and for docs/statements.md). */
ATTR_NODISCARD enum app_err draft_model(struct store *s, const struct draft_request *rq,
                                        struct arena *a, struct mval **model,
                                        struct draft_info *info, struct err *e);

/* ---- wording with ICU (words.c) ---- */

/* "6 December 2019", "October 2019", "2019" (en); "6 декабря 2019 года",
 * "октябрь 2019 года", "2019 год" (ru). Approximate dates are marked. */
void draft_date_words(enum draft_lang lang, struct date d, bool approx, struct buf *out);
/* The same as an adverbial phrase: "on 6 December 2019", "in October 2019",
 * "in 2019"; "6 декабря 2019 года", "в октябре 2019 года", "в 2019 году". */
void draft_date_phrase(enum draft_lang lang, struct date d, bool approx, struct buf *out);
/* "since 2017", "since October 2019"; "с 2017 года", "с октября 2019 года". */
void draft_date_since(enum draft_lang lang, struct date d, struct buf *out);
/* "A", "A and B", "A, B and C" ("A и B" in Russian), with ICU's list rules. */
void draft_list(enum draft_lang lang, const char *const *items, size_t n, struct buf *out);
/* The CLDR plural category of n in the language: "one", "few", "many", "other". */
const char *draft_plural(enum draft_lang lang, int64_t n);
/* n spelled out ("two", "два"). */
void draft_spell(enum draft_lang lang, int64_t n, struct buf *out);
/* s with its first letter in upper case ("on 6 May" -> "On 6 May", "в мае" -> "В мае"). */
void draft_capitalize(const char *s, struct buf *out);
/* Transliterates Latin text into Cyrillic (for Russian salutations of
 * officials whose names are recorded in Latin script only). */
void draft_to_cyrillic(const char *s, struct buf *out);

/* ---- templates (templates.c) ---- */

/* The text of a template by file name: from templates_dir when it holds a
 * file of that name, else the embedded one. *found false when neither. */
ATTR_NODISCARD enum app_err draft_template(const char *templates_dir, const char *name,
                                           struct arena *a, const char **text, size_t *len,
                                           bool *found, struct err *e);
/* Turns the restricted Markdown the templates write (headings, paragraphs,
 * "- " and "1. " lists, "---" rules) into HTML or plain text. Values in it
 * must already be escaped for the target (MUSTACHE_ESCAPE_HTML for HTML). */
void draft_markdown_to_html(const char *md, size_t len, struct buf *out);
void draft_markdown_to_text(const char *md, size_t len, struct buf *out);

#endif
