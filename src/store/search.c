/*
 * search.c: storage and lookups for search: name keys and their blocking
 * codes (the triggers of migration 0004 keep the code index and counts in
 * step), the full-text index of cases, events and sources, the plain text
 * attached to sources, and the references to a person that a merge moves.
 */
#include "store/search.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/strmap.h"
#include "core/xalloc.h"
#include "store/internal.h"

/* Slots STMT_MISC + 40 .. + 63 belong to this file. */
enum {
    SL_KEYS_DELETE = STMT_MISC + 40,
    SL_KEYS_INSERT,
    SL_CODE_COUNT,
    SL_CODE_KEYS,
    SL_KEYS_GET,
    SL_KEYS_EACH,
    SL_DOC_FIND,
    SL_DOC_INSERT,
    SL_DOC_UPDATE,
    SL_FTS_DELETE,
    SL_FTS_INSERT,
    SL_DOC_DELETE,
    SL_TEXT_COUNT,
    SL_TEXT_SEARCH,
    SL_SRC_TEXT_GET,
    SL_SRC_TEXT_SET,
    SL_SRC_TEXT_DELETE,
    SL_REFS_EVENTS,
    SL_REFS_CASES,
    SL_REFS_ACTIONS,
    SL_BUILT,
    SL_MARK_BUILT,
    SL_BLOCKS_EACH,
    SL_TEXT_SEARCH_PLAIN,
    SL_LAST
};

_Static_assert(SL_LAST <= STMT_MISC + 64, "search.c uses slots STMT_MISC + 40 .. + 63");

/* Slots STMT_MISC + 208 .. + 223 belong to this file too. */
enum { SL_PERSONS_EVIDENCE = STMT_MISC + 208, SL_PERSON_NAMES, SL_LAST2 };

_Static_assert((int)SL_LAST2 <= (int)STMT_MISC + 224 && (int)SL_LAST2 <= (int)STMT_SLOTS,
               "search.c uses slots STMT_MISC + 208 .. + 223");

static enum app_err done(struct store *s, sqlite3_stmt *st, struct err *e, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? E_OK : store_fail(s, e, what);
}

static enum app_err bulk_add_key(struct store *s, const char *person, const struct store_key *k,
                                 const char *codes_json, struct err *e);

enum app_err store_keys_replace(struct store *s, const char *person, const struct store_key *keys,
                                const char *const *codes_json, size_t n, struct err *e)
{
    if (s->bulk) {
        /* During a rebuild the table started empty and each person comes once. */
        enum app_err rc = E_OK;
        for (size_t i = 0; i < n && rc == E_OK; i++) {
            rc = bulk_add_key(s, person, &keys[i], codes_json[i], e);
        }
        return rc;
    }
    sqlite3_stmt *st = store_stmt(s, SL_KEYS_DELETE, "DELETE FROM name_key WHERE person = ?1", e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, person, -1, SQLITE_STATIC);
    enum app_err rc = done(s, st, e, "cannot remove name keys");
    for (size_t i = 0; i < n && rc == E_OK; i++) {
        st = store_stmt(
            s, SL_KEYS_INSERT,
            "INSERT INTO name_key (person, pos, full, key, codes) VALUES (?1, ?2, ?3, ?4, ?5)", e);
        if (!st) {
            return e->code;
        }
        sqlite3_bind_text(st, 1, person, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, keys[i].pos);
        sqlite3_bind_text(st, 3, keys[i].full, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, keys[i].key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, codes_json[i], -1, SQLITE_STATIC);
        rc = done(s, st, e, "cannot store a name key");
    }
    return rc;
}

int64_t store_code_count(struct store *s, const char *code)
{
    struct err e = ERR_INIT;
    sqlite3_stmt *st =
        store_stmt(s, SL_CODE_COUNT, "SELECT n FROM name_block_count WHERE code = ?1", &e);
    if (!st) {
        return 0;
    }
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int64_t n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_fail(s, &e, "cannot count a name block"); /* counted: store_failures() */
    }
    sqlite3_reset(st);
    return n;
}

enum app_err store_code_keys(struct store *s, const char *code, size_t limit,
                             bool (*fn)(void *ctx, int64_t kid), void *ctx, struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SL_CODE_KEYS, "SELECT kid FROM name_block WHERE code = ?1 LIMIT ?2", e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!fn(ctx, sqlite3_column_int64(st, 0))) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? E_OK : store_fail(s, e, "cannot read name codes");
}

static void read_key(sqlite3_stmt *st, struct store_key *k, struct arena *a)
{
    k->kid = sqlite3_column_int64(st, 0);
    k->person = (const char *)sqlite3_column_text(st, 1);
    k->pos = sqlite3_column_int64(st, 2);
    k->full = (const char *)sqlite3_column_text(st, 3);
    k->key = (const char *)sqlite3_column_text(st, 4);
    if (a) {
        k->person = arena_strdup(a, k->person);
        k->full = arena_strdup(a, k->full);
        k->key = arena_strdup(a, k->key);
    }
}

enum app_err store_keys_get(struct store *s, const int64_t *kids, size_t n, struct arena *arena,
                            struct store_key **out, size_t *n_out, struct err *e)
{
    *out = arena_alloc(arena, (n + 1) * sizeof **out);
    *n_out = 0;
    if (!n) {
        return E_OK;
    }
    struct buf json = BUF_INIT;
    buf_addch(&json, '[');
    for (size_t i = 0; i < n; i++) {
        buf_addf(&json, i ? ",%lld" : "%lld", (long long)kids[i]);
    }
    buf_addch(&json, ']');
    sqlite3_stmt *st = store_stmt(s, SL_KEYS_GET,
                                  "SELECT kid, person, pos, full, key FROM name_key"
                                  " WHERE kid IN (SELECT value FROM json_each(?1))",
                                  e);
    if (!st) {
        buf_release(&json);
        return e->code;
    }
    sqlite3_bind_text(st, 1, json.data, (int)json.len, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n_out < n) {
        read_key(st, &(*out)[*n_out], arena);
        (*n_out)++;
    }
    sqlite3_reset(st);
    buf_release(&json);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? E_OK : store_fail(s, e, "cannot read name keys");
}

enum app_err store_keys_each(struct store *s, bool (*fn)(void *ctx, const struct store_key *k),
                             void *ctx, struct err *e)
{
    sqlite3_stmt *st = store_stmt(
        s, SL_KEYS_EACH, "SELECT kid, person, pos, full, key FROM name_key ORDER BY kid", e);
    if (!st) {
        return e->code;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_key k;
        read_key(st, &k, NULL);
        if (!fn(ctx, &k)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? E_OK : store_fail(s, e, "cannot read name keys");
}

enum app_err store_blocks_each(struct store *s, const char *prefix,
                               bool (*fn)(void *ctx, const char *code, int64_t kid), void *ctx,
                               struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_BLOCKS_EACH,
                                  "SELECT code, kid FROM name_block"
                                  " WHERE code >= ?1 AND code < ?1 || char(1114111)"
                                  " ORDER BY code, kid",
                                  e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!fn(ctx, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1))) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? E_OK : store_fail(s, e, "cannot read name codes");
}

enum app_err store_persons_with_evidence(struct store *s, bool (*fn)(void *ctx, const char *person),
                                         void *ctx, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_PERSONS_EVIDENCE,
                                  "SELECT id FROM person"
                                  " WHERE sex IS NOT NULL OR birth_date IS NOT NULL"
                                  " UNION SELECT person FROM person_nationality"
                                  " UNION SELECT person FROM event_person",
                                  e);
    if (!st) {
        return e->code;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!fn(ctx, (const char *)sqlite3_column_text(st, 0))) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? E_OK : store_fail(s, e, "cannot read persons");
}

/* Hands one person's names to fn; false when fn says stop. */
static bool
names_flush(bool (*fn)(void *ctx, const char *person, const struct person_name *names, size_t n),
            void *ctx, struct buf *id, struct person_name *names, size_t n, struct arena *a)
{
    bool go = fn(ctx, id->data, names, n);
    arena_release(a);
    return go;
}

enum app_err store_person_names_each(struct store *s,
                                     bool (*fn)(void *ctx, const char *person,
                                                const struct person_name *names, size_t n),
                                     void *ctx, struct err *e)
{
    enum { NAMES_MAX = 64 };

    sqlite3_stmt *st = store_stmt(s, SL_PERSON_NAMES,
                                  "SELECT p.id, n.full, n.script, n.lang FROM person p"
                                  " LEFT JOIN person_name n ON n.person = p.id"
                                  " ORDER BY p.id, n.pos",
                                  e);
    if (!st) {
        return e->code;
    }
    struct buf id = BUF_INIT;
    struct arena a = ARENA_INIT;
    struct person_name *names = xcalloc(NAMES_MAX, sizeof *names);
    size_t n = 0;
    size_t alloc = NAMES_MAX;
    bool have = false;
    bool go = true;
    int rc;
    while (go && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *pid = (const char *)sqlite3_column_text(st, 0);
        if (!have || strcmp(pid, id.data) != 0) {
            if (have) {
                go = names_flush(fn, ctx, &id, names, n, &a);
            }
            buf_reset(&id);
            buf_adds(&id, pid ? pid : "");
            n = 0;
            have = true;
        }
        if (go && sqlite3_column_type(st, 1) != SQLITE_NULL) {
            if (n == alloc) {
                alloc *= 2;
                names = xrealloc(names, alloc * sizeof *names);
            }
            const char *f[3];
            for (int c = 0; c < 3; c++) {
                f[c] = (const char *)sqlite3_column_text(st, c + 1);
                f[c] = f[c] ? arena_strdup(&a, f[c]) : NULL;
            }
            names[n++] = (struct person_name){.full = f[0], .script = f[1], .lang = f[2]};
        }
    }
    if (!go) {
        rc = SQLITE_DONE;
    } else if (rc == SQLITE_DONE && have) {
        (void)names_flush(fn, ctx, &id, names, n, &a);
    }
    sqlite3_reset(st);
    free(names);
    buf_release(&id);
    arena_release(&a);
    return rc == SQLITE_DONE ? E_OK : store_fail(s, e, "cannot read person names");
}

enum app_err store_search_clear(struct store *s, bool keys, bool text, struct err *e)
{
    enum app_err rc = E_OK;
    if (keys) {
        rc = store_exec(
            s, "DELETE FROM name_key; DELETE FROM name_block; DELETE FROM name_block_count;", e);
    }
    if (rc == E_OK && text) {
        rc = store_exec(s, "DELETE FROM text_fts; DELETE FROM text_doc;", e);
    }
    return rc;
}

/* ---- bulk rebuild of the keys --------------------------------------------
 *
 * Row by row, the triggers of migration 0004 cost a dozen B-tree updates per
 * key, scattered over the code index (and the clearing DELETE fires them once
 * per old key). A rebuild therefore saves the triggers' SQL, drops them,
 * empties the three tables (a fast truncation without triggers) and lets the
 * caller insert the keys alone; store_keys_replace() then only collects each
 * key's codes as (code number, key id) pairs in memory. At the end the pairs
 * are sorted by code text and key id and written to name_block in index
 * order, with the counts name_block_count holds, and the triggers are
 * created again from the saved SQL. Everything happens inside the caller's
 * transaction, so a failure rolls the schema back too; the tables end
 * exactly as the triggers would have left them. Codes that are not a plain
 * JSON array of strings (never written by the service) make the rebuild
 * fall back to the same work in SQL (json_each). */

enum { BULK_ROWS = 128, BULK_KEY_COLS = 6 };

struct key_bulk {
    sqlite3_stmt *keys_ins; /* BULK_ROWS rows of name_key at once */
    sqlite3_stmt *key_one;  /* one row */
    struct buf pend;        /* the pending rows' strings, NUL-separated */
    size_t pend_off[BULK_ROWS][4];
    int64_t pend_num[BULK_ROWS][2]; /* kid, pos */
    int n_pend;
    int64_t next_kid;
    struct strmap codes; /* code text -> code number */
    uint64_t *pairs;     /* code number << 40 | key id */
    size_t n_pairs;
    size_t cap_pairs;
    bool use_sql; /* a code list this parser does not read */
};

enum { BULK_KID_BITS = 40 };

/* Reads the next JSON string of a code list into out; false when the list
 * is not a plain array of strings with only \" and \\ escapes. */
static bool next_code(const char **pp, char *out, size_t cap, bool *end)
{
    const char *p = *pp;
    while (*p == ' ' || *p == ',') {
        p++;
    }
    if (*p == ']') {
        *end = true;
        return p[1] == '\0';
    }
    if (*p != '"') {
        return false;
    }
    p++;
    size_t n = 0;
    while (*p != '"') {
        if (*p == '\0' || n + 1 >= cap || (unsigned char)*p < 0x20) {
            return false;
        }
        if (*p == '\\') {
            p++;
            if (*p != '"' && *p != '\\') {
                return false;
            }
        }
        out[n++] = *p++;
    }
    out[n] = '\0';
    *pp = p + 1;
    *end = false;
    return true;
}

static void bulk_collect(struct key_bulk *b, int64_t kid, const char *codes_json)
{
    if (b->use_sql) {
        return;
    }
    const char *p = codes_json;
    while (*p == ' ') {
        p++;
    }
    if (*p != '[' || kid <= 0 || kid >= ((int64_t)1 << BULK_KID_BITS)) {
        b->use_sql = true;
        return;
    }
    p++;
    char code[256];
    bool end = false;
    while (next_code(&p, code, sizeof code, &end)) {
        if (end) {
            return;
        }
        uint64_t num = b->codes.count;
        if (!strmap_put(&b->codes, code, num, &num)) {
            /* present: num holds its number */
        }
        if (b->n_pairs == b->cap_pairs) {
            b->cap_pairs = b->cap_pairs ? b->cap_pairs * 2 : 4096;
            b->pairs = xrealloc(b->pairs, b->cap_pairs * sizeof *b->pairs);
        }
        b->pairs[b->n_pairs++] = num << BULK_KID_BITS | (uint64_t)kid;
    }
    b->use_sql = true;
}

/* Writes the pending name_key rows: BULK_ROWS at once, or one by one at the
 * end (all == true). */
static enum app_err bulk_flush_keys(struct store *s, struct key_bulk *b, bool all, struct err *e)
{
    enum app_err rc = E_OK;
    if (b->n_pend == BULK_ROWS) {
        for (int r = 0; r < BULK_ROWS; r++) {
            int c = r * BULK_KEY_COLS;
            sqlite3_bind_int64(b->keys_ins, c + 1, b->pend_num[r][0]);
            sqlite3_bind_text(b->keys_ins, c + 2, b->pend.data + b->pend_off[r][0], -1,
                              SQLITE_STATIC);
            sqlite3_bind_int64(b->keys_ins, c + 3, b->pend_num[r][1]);
            for (int f = 1; f < 4; f++) {
                sqlite3_bind_text(b->keys_ins, c + 3 + f, b->pend.data + b->pend_off[r][f], -1,
                                  SQLITE_STATIC);
            }
        }
        rc = done(s, b->keys_ins, e, "cannot store a name key");
    } else if (all) {
        for (int r = 0; r < b->n_pend && rc == E_OK; r++) {
            sqlite3_bind_int64(b->key_one, 1, b->pend_num[r][0]);
            sqlite3_bind_text(b->key_one, 2, b->pend.data + b->pend_off[r][0], -1, SQLITE_STATIC);
            sqlite3_bind_int64(b->key_one, 3, b->pend_num[r][1]);
            for (int f = 1; f < 4; f++) {
                sqlite3_bind_text(b->key_one, 3 + f, b->pend.data + b->pend_off[r][f], -1,
                                  SQLITE_STATIC);
            }
            rc = done(s, b->key_one, e, "cannot store a name key");
        }
    } else {
        return E_OK;
    }
    b->n_pend = 0;
    buf_reset(&b->pend);
    return rc;
}

static enum app_err bulk_add_key(struct store *s, const char *person, const struct store_key *k,
                                 const char *codes_json, struct err *e)
{
    struct key_bulk *b = s->bulk;
    int64_t kid = b->next_kid++;
    const char *field[4] = {person, k->full, k->key, codes_json};
    for (int f = 0; f < 4; f++) {
        b->pend_off[b->n_pend][f] = b->pend.len;
        buf_adds(&b->pend, field[f]);
        buf_addch(&b->pend, '\0');
    }
    b->pend_num[b->n_pend][0] = kid;
    b->pend_num[b->n_pend][1] = k->pos;
    b->n_pend++;
    bulk_collect(b, kid, codes_json);
    return bulk_flush_keys(s, b, false, e);
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a;
    uint64_t y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Writes name_block and name_block_count from the collected pairs. */
static enum app_err bulk_write(struct store *s, struct key_bulk *b, struct err *e)
{
    size_t nc = b->codes.count;
    const char **text = xcalloc(nc + 1, sizeof *text);
    for (size_t i = 0; i < b->codes.n_slots; i++) {
        const struct strmap_slot *sl = &b->codes.slots[i];
        if (sl->key != NULL) {
            text[sl->value] = sl->key;
        }
    }
    /* Rank codes by text (the index order), then renumber the pairs by rank. */
    const char **sorted = xmalloc((nc + 1) * sizeof *sorted);
    memcpy(sorted, text, nc * sizeof *sorted);
    qsort(sorted, nc, sizeof *sorted, cmp_str_ptr);
    struct strmap rank = STRMAP_INIT;
    for (size_t i = 0; i < nc; i++) {
        strmap_put(&rank, sorted[i], i, NULL);
    }
    uint64_t *rank_of = xmalloc((nc + 1) * sizeof *rank_of);
    for (size_t i = 0; i < nc; i++) {
        strmap_get(&rank, text[i], &rank_of[i]);
    }
    strmap_release(&rank);
    const uint64_t kid_mask = ((uint64_t)1 << BULK_KID_BITS) - 1;
    for (size_t i = 0; i < b->n_pairs; i++) {
        uint64_t num = b->pairs[i] >> BULK_KID_BITS;
        b->pairs[i] = rank_of[num] << BULK_KID_BITS | (b->pairs[i] & kid_mask);
    }
    free(rank_of);
    qsort(b->pairs, b->n_pairs, sizeof *b->pairs, cmp_u64);

    /* Rows go in BULK_ROWS at a time (one statement step per row costs more
     * than the B-tree insert itself); the last rows one by one. */
    enum app_err rc = E_OK;
    sqlite3_stmt *ins = NULL;
    sqlite3_stmt *one = NULL;
    sqlite3_stmt *cnt = NULL;
    struct buf sql = BUF_INIT;
    buf_adds(&sql, "INSERT INTO name_block (code, kid) VALUES (?,?)");
    for (int r = 1; r < BULK_ROWS; r++) {
        buf_adds(&sql, ",(?,?)");
    }
    if (sqlite3_prepare_v2(s->db, sql.data, -1, &ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "INSERT INTO name_block (code, kid) VALUES (?, ?)", -1, &one,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "INSERT INTO name_block_count (code, n) VALUES (?1, ?2)", -1,
                           &cnt, NULL) != SQLITE_OK) {
        rc = store_fail(s, e, "cannot build the name code index");
    }
    buf_release(&sql);
    const char *pend_code[BULK_ROWS];
    int64_t pend_kid[BULK_ROWS];
    int n_pend = 0;
    size_t i = 0;
    while (rc == E_OK && i < b->n_pairs) {
        uint64_t r = b->pairs[i] >> BULK_KID_BITS;
        const char *code = sorted[r];
        int64_t n = 0;
        uint64_t prev = 0;
        for (; i < b->n_pairs && b->pairs[i] >> BULK_KID_BITS == r && rc == E_OK; i++) {
            if (n > 0 && b->pairs[i] == prev) {
                continue; /* the same code twice in one key */
            }
            prev = b->pairs[i];
            n++;
            pend_code[n_pend] = code;
            pend_kid[n_pend] = (int64_t)(b->pairs[i] & kid_mask);
            if (++n_pend == BULK_ROWS) {
                for (int k = 0; k < BULK_ROWS; k++) {
                    sqlite3_bind_text(ins, 2 * k + 1, pend_code[k], -1, SQLITE_STATIC);
                    sqlite3_bind_int64(ins, 2 * k + 2, pend_kid[k]);
                }
                rc = done(s, ins, e, "cannot build the name code index");
                n_pend = 0;
            }
        }
        if (rc == E_OK) {
            sqlite3_bind_text(cnt, 1, code, -1, SQLITE_STATIC);
            sqlite3_bind_int64(cnt, 2, n);
            rc = done(s, cnt, e, "cannot count the name codes");
        }
    }
    for (int k = 0; k < n_pend && rc == E_OK; k++) {
        sqlite3_bind_text(one, 1, pend_code[k], -1, SQLITE_STATIC);
        sqlite3_bind_int64(one, 2, pend_kid[k]);
        rc = done(s, one, e, "cannot build the name code index");
    }
    sqlite3_finalize(one);
    sqlite3_finalize(ins);
    sqlite3_finalize(cnt);
    free(sorted);
    free(text);
    return rc;
}

enum app_err store_keys_rebuild(struct store *s, enum app_err (*fill)(void *ctx), void *ctx,
                                struct err *e)
{
    enum { MAX_TRIGGERS = 8 };

    char *sql[MAX_TRIGGERS] = {NULL};
    char *name[MAX_TRIGGERS] = {NULL};
    size_t n = 0;
    sqlite3_stmt *st = NULL;
    enum app_err rc = E_OK;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                           " AND tbl_name IN ('name_key', 'name_block') ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK) {
        return store_fail(s, e, "cannot read the key triggers");
    }
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == MAX_TRIGGERS) {
            step = SQLITE_ERROR;
            break;
        }
        name[n] = xstrdup((const char *)sqlite3_column_text(st, 0));
        sql[n] = xstrdup((const char *)sqlite3_column_text(st, 1));
        n++;
    }
    sqlite3_finalize(st);
    if (step != SQLITE_DONE) {
        rc = store_fail(s, e, "cannot read the key triggers");
    }
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < n && rc == E_OK; i++) {
        buf_reset(&b);
        buf_addf(&b, "DROP TRIGGER \"%s\"", name[i]);
        rc = store_exec(s, b.data, e);
    }
    if (rc == E_OK) {
        rc = store_exec(
            s, "DELETE FROM name_block; DELETE FROM name_block_count; DELETE FROM name_key;", e);
    }
    struct key_bulk bulk = {.codes = STRMAP_INIT, .pend = BUF_INIT, .next_kid = 1};
    if (rc == E_OK) {
        buf_reset(&b);
        buf_adds(&b, "INSERT INTO name_key (kid, person, pos, full, key, codes) VALUES "
                     "(?,?,?,?,?,?)");
        for (int r = 1; r < BULK_ROWS; r++) {
            buf_adds(&b, ",(?,?,?,?,?,?)");
        }
        if (sqlite3_prepare_v2(s->db, b.data, -1, &bulk.keys_ins, NULL) != SQLITE_OK ||
            sqlite3_prepare_v2(s->db,
                               "INSERT INTO name_key (kid, person, pos, full, key, codes)"
                               " VALUES (?,?,?,?,?,?)",
                               -1, &bulk.key_one, NULL) != SQLITE_OK) {
            rc = store_fail(s, e, "cannot store name keys");
        }
    }
    if (rc == E_OK) {
        s->bulk = &bulk;
        rc = fill(ctx);
        s->bulk = NULL;
    }
    if (rc == E_OK) {
        rc = bulk_flush_keys(s, &bulk, true, e);
    }
    sqlite3_finalize(bulk.keys_ins);
    sqlite3_finalize(bulk.key_one);
    buf_release(&bulk.pend);
    if (rc == E_OK && !bulk.use_sql) {
        rc = bulk_write(s, &bulk, e);
    } else if (rc == E_OK) {
        rc = store_exec(s,
                        "INSERT OR IGNORE INTO name_block (code, kid)"
                        " SELECT j.value, k.kid FROM name_key k, json_each(k.codes) j"
                        " ORDER BY 1, 2;"
                        "INSERT INTO name_block_count (code, n)"
                        " SELECT code, count(*) FROM name_block GROUP BY code;",
                        e);
    }
    strmap_release(&bulk.codes);
    free(bulk.pairs);
    if (rc == E_OK) {
        rc = store_exec(s,
                        "INSERT INTO name_block_count (code, n)"
                        " SELECT '#', count(*) FROM name_key HAVING count(*) > 0;",
                        e);
    }
    for (size_t i = 0; i < n && rc == E_OK; i++) {
        rc = store_exec(s, sql[i], e);
    }
    for (size_t i = 0; i < n; i++) {
        free(name[i]);
        free(sql[i]);
    }
    buf_release(&b);
    return rc;
}

bool store_search_built(struct store *s)
{
    struct err e = ERR_INIT;
    sqlite3_stmt *st =
        store_stmt(s, SL_BUILT, "SELECT 1 FROM search_state WHERE what = 'index'", &e);
    if (!st) {
        return false;
    }
    bool built = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return built;
}

enum app_err store_search_mark_built(struct store *s, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_MARK_BUILT,
                                  "INSERT OR REPLACE INTO search_state (what, built)"
                                  " VALUES ('index', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                                  e);
    if (!st) {
        return e->code;
    }
    return done(s, st, e, "cannot record the index state");
}

int64_t store_text_count(struct store *s)
{
    struct err e = ERR_INIT;
    sqlite3_stmt *st = store_stmt(s, SL_TEXT_COUNT, "SELECT count(*) FROM text_doc", &e);
    if (!st) {
        return 0;
    }
    int rc = sqlite3_step(st);
    int64_t n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (rc != SQLITE_ROW) {
        store_fail(s, &e, "cannot count the texts"); /* counted: store_failures() */
    }
    sqlite3_reset(st);
    return n;
}

/* The row id of an object's full-text row, 0 when it has none. */
static int64_t doc_rid(struct store *s, enum obj_kind kind, const char *id, struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SL_DOC_FIND, "SELECT rid FROM text_doc WHERE kind = ?1 AND oid = ?2", e);
    if (!st) {
        return -1;
    }
    sqlite3_bind_text(st, 1, obj_kind_name(kind), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int64_t rid = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_fail(s, e, "cannot find a text's row");
        return -1;
    }
    return rid;
}

static enum app_err fts_delete(struct store *s, int64_t rid, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_FTS_DELETE, "DELETE FROM text_fts WHERE rowid = ?1", e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_int64(st, 1, rid);
    return done(s, st, e, "cannot update the text index");
}

enum app_err store_text_put(struct store *s, enum obj_kind kind, const char *id, const char *date,
                            const char *title, const char *body, struct err *e)
{
    int64_t rid = doc_rid(s, kind, id, e);
    if (rid < 0) {
        return e->code;
    }
    sqlite3_stmt *st;
    enum app_err rc;
    if (rid) {
        rc = fts_delete(s, rid, e);
        if (rc != E_OK) {
            return rc;
        }
        st = store_stmt(s, SL_DOC_UPDATE, "UPDATE text_doc SET date = ?2 WHERE rid = ?1", e);
        if (!st) {
            return e->code;
        }
        sqlite3_bind_int64(st, 1, rid);
    } else {
        st = store_stmt(s, SL_DOC_INSERT,
                        "INSERT INTO text_doc (kind, oid, date) VALUES (?1, ?3, ?2)", e);
        if (!st) {
            return e->code;
        }
        sqlite3_bind_text(st, 1, obj_kind_name(kind), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
    }
    if (date) {
        sqlite3_bind_text(st, 2, date, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, 2);
    }
    rc = done(s, st, e, "cannot update the text index");
    if (rc != E_OK) {
        return rc;
    }
    if (!rid) {
        rid = sqlite3_last_insert_rowid(s->db);
    }
    st = store_stmt(s, SL_FTS_INSERT,
                    "INSERT INTO text_fts (rowid, title, body) VALUES (?1, ?2, ?3)", e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_int64(st, 1, rid);
    sqlite3_bind_text(st, 2, title ? title : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, body ? body : "", -1, SQLITE_STATIC);
    return done(s, st, e, "cannot update the text index");
}

enum app_err store_text_delete(struct store *s, enum obj_kind kind, const char *id, struct err *e)
{
    int64_t rid = doc_rid(s, kind, id, e);
    if (rid <= 0) {
        return rid < 0 ? e->code : E_OK;
    }
    enum app_err rc = fts_delete(s, rid, e);
    if (rc != E_OK) {
        return rc;
    }
    sqlite3_stmt *st = store_stmt(s, SL_DOC_DELETE, "DELETE FROM text_doc WHERE rid = ?1", e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_int64(st, 1, rid);
    return done(s, st, e, "cannot update the text index");
}

static bool kind_of(const char *name, enum obj_kind *out)
{
    for (int k = 0; k < OBJ_KIND_COUNT; k++) {
        if (strcmp(obj_kind_name((enum obj_kind)k), name) == 0) {
            *out = (enum obj_kind)k;
            return true;
        }
    }
    return false;
}

enum app_err store_text_search(struct store *s, const struct store_text_query *q,
                               struct arena *arena, struct store_text_hit **out, size_t *n_out,
                               struct err *e)
{
    size_t limit = q->limit ? q->limit : 20;
    *out = arena_alloc(arena, (limit + 1) * sizeof **out);
    *n_out = 0;
    /* Without filters, the best rows are picked before their documents are
     * read (the document row of every candidate costs a B-tree search). */
    bool plain = !q->has_kind && !q->from && !q->to && !q->in_json;
    /* Dates are compared at the precision of the filter ("2019" covers 2019-10-06). */
    sqlite3_stmt *st =
        plain
            ? store_stmt(s, SL_TEXT_SEARCH_PLAIN,
                         "SELECT d.kind, d.oid, d.date, t.r FROM ("
                         " SELECT rid, r FROM ("
                         "  SELECT rowid AS rid, bm25(text_fts, 4.0, 1.0) AS r FROM text_fts"
                         "  WHERE text_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?8)"
                         " ORDER BY r, rid LIMIT ?6 OFFSET ?7) t"
                         " JOIN text_doc d ON d.rid = t.rid ORDER BY t.r, t.rid",
                         e)
            : store_stmt(
                  s, SL_TEXT_SEARCH,
                  "SELECT kind, oid, date, r FROM ("
                  " SELECT d.kind, d.oid, d.date, d.rid, bm25(text_fts, 4.0, 1.0) AS r"
                  " FROM text_fts JOIN text_doc d ON d.rid = text_fts.rowid"
                  " WHERE text_fts MATCH ?1"
                  " AND (?2 IS NULL OR d.kind = ?2)"
                  " AND (?3 IS NULL OR (d.date IS NOT NULL AND substr(d.date, 1, length(?3)) >= ?3))"
                  " AND (?4 IS NULL OR (d.date IS NOT NULL AND substr(d.date, 1, length(?4)) <= ?4))"
                  " AND (?5 IS NULL OR d.kind || ':' || d.oid IN (SELECT value FROM json_each(?5)))"
                  " ORDER BY text_fts.rowid DESC LIMIT ?8)"
                  " ORDER BY r, rid LIMIT ?6 OFFSET ?7",
                  e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, q->match, -1, SQLITE_STATIC);
    if (q->has_kind) {
        sqlite3_bind_text(st, 2, obj_kind_name(q->kind), -1, SQLITE_STATIC);
    }
    if (q->from) {
        sqlite3_bind_text(st, 3, q->from, -1, SQLITE_STATIC);
    }
    if (q->to) {
        sqlite3_bind_text(st, 4, q->to, -1, SQLITE_STATIC);
    }
    if (q->in_json) {
        sqlite3_bind_text(st, 5, q->in_json, -1, SQLITE_STATIC);
    }
    sqlite3_bind_int64(st, 6, (sqlite3_int64)limit);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)q->offset);
    size_t cand = q->candidates ? q->candidates : STORE_TEXT_CANDIDATES;
    sqlite3_bind_int64(st, 8, cand > (size_t)INT64_MAX ? -1 : (sqlite3_int64)cand);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n_out < limit) {
        struct store_text_hit *h = &(*out)[*n_out];
        if (!kind_of((const char *)sqlite3_column_text(st, 0), &h->kind)) {
            continue;
        }
        h->id = arena_strdup(arena, (const char *)sqlite3_column_text(st, 1));
        h->date = sqlite3_column_type(st, 2) == SQLITE_NULL
                      ? NULL
                      : arena_strdup(arena, (const char *)sqlite3_column_text(st, 2));
        h->rank = sqlite3_column_double(st, 3);
        (*n_out)++;
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        int code = sqlite3_extended_errcode(s->db);
        enum app_err r =
            (code & 0xff) == SQLITE_ERROR
                ? err_set(e, E_INVALID, "cannot read the query: %s", sqlite3_errmsg(s->db))
                : store_fail(s, e, "cannot search the text index");
        sqlite3_reset(st);
        return r;
    }
    sqlite3_reset(st);
    return E_OK;
}

const char *store_source_text(struct store *s, const char *source, struct arena *arena)
{
    struct err e = ERR_INIT;
    sqlite3_stmt *st =
        store_stmt(s, SL_SRC_TEXT_GET, "SELECT text FROM source_text WHERE source = ?1", &e);
    if (!st) {
        return NULL;
    }
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    const char *text = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        text = arena_strndup(arena, (const char *)sqlite3_column_text(st, 0),
                             (size_t)sqlite3_column_bytes(st, 0));
    }
    sqlite3_reset(st);
    return text;
}

enum app_err store_source_text_set(struct store *s, const char *source, const char *text,
                                   struct err *e)
{
    sqlite3_stmt *st =
        text ? store_stmt(s, SL_SRC_TEXT_SET,
                          "INSERT INTO source_text (source, text) VALUES (?1, ?2)"
                          " ON CONFLICT (source) DO UPDATE SET text = excluded.text",
                          e)
             : store_stmt(s, SL_SRC_TEXT_DELETE, "DELETE FROM source_text WHERE source = ?1", e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    if (text) {
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    }
    return done(s, st, e, "cannot store the source's text");
}

static enum app_err ids_of(struct store *s, int slot_no, const char *sql, const char *param,
                           struct arena *arena, struct strs *out, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, slot_no, sql, e);
    if (!st) {
        return e->code;
    }
    sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
    return store_collect_ids(s, st, arena, out, e);
}

enum app_err store_person_refs(struct store *s, const char *person, struct arena *arena,
                               struct store_person_refs *out, struct err *e)
{
    enum app_err rc = ids_of(s, SL_REFS_EVENTS,
                             "SELECT event FROM event_person WHERE person = ?1"
                             " UNION SELECT id FROM event WHERE official = ?1 ORDER BY 1",
                             person, arena, &out->events, e);
    if (rc == E_OK) {
        rc = ids_of(s, SL_REFS_CASES,
                    "SELECT DISTINCT case_id FROM case_subject WHERE person = ?1 ORDER BY 1",
                    person, arena, &out->cases, e);
    }
    if (rc == E_OK) {
        rc = ids_of(s, SL_REFS_ACTIONS,
                    "SELECT DISTINCT action FROM action_target WHERE target = ?1 ORDER BY 1",
                    person, arena, &out->actions, e);
    }
    return rc;
}
