/*
 * accounts.c: the SQL for accounts, API tokens, sessions, case assignments and
 * the audit log (schema in sql/migrations/0003_accounts.sql).
 *
 * Only storage: no policy, no hashing of secrets, no clock. Every statement
 * is cached in a slot of the STMT_MISC block (ACCT_SLOT_FIRST upward) and
 * takes its values as bound parameters.
 */
#include "store/accounts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

/* Statement slots: STMT_MISC + 8 upward. */
enum {
    ACCT_SLOT_FIRST = STMT_MISC + 8,
    SL_USER_INSERT = ACCT_SLOT_FIRST,
    SL_USER_GET,
    SL_USER_EACH,
    SL_USER_DISABLE,
    SL_USER_PASSWORD,
    SL_TOKEN_INSERT,
    SL_TOKEN_BY_HASH,
    SL_TOKEN_TOUCH,
    SL_TOKEN_REVOKE,
    SL_TOKEN_EACH,
    SL_SESSION_INSERT,
    SL_SESSION_BY_HASH,
    SL_SESSION_TOUCH,
    SL_SESSION_DELETE,
    SL_SESSION_DELETE_USER,
    SL_SESSION_PURGE,
    SL_ASSIGN,
    SL_UNASSIGN,
    SL_IS_ASSIGNED,
    SL_PERSON_FACTS,
    SL_PERSON_ASSIGNED,
    SL_EVENT_EXISTS,
    SL_EVENT_PERSONS,
    SL_AUDIT_HEAD,
    SL_AUDIT_INSERT,
    SL_AUDIT_EACH,
    SL_CASE_EXISTS,
    SL_ASSIGNEES,
    SL_USER_LANG_GET,
    SL_USER_LANG_SET,
    ACCT_SLOT_END,
};

_Static_assert((int)ACCT_SLOT_END <= (int)STMT_SLOTS, "raise STMT_MISC_COUNT in internal.h");
_Static_assert((int)ACCT_SLOT_END <= (int)STMT_MISC + 40, "accounts.c owns STMT_MISC + 8 .. + 39");

/* Binds a string or NULL. */
static int bind_text(sqlite3_stmt *st, int i, const char *v)
{
    return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static int bind_hash(sqlite3_stmt *st, int i, const unsigned char h[ACCT_HASH_BYTES])
{
    return sqlite3_bind_blob(st, i, h, ACCT_HASH_BYTES, SQLITE_STATIC);
}

/* A column's text copied into the arena (NULL stays NULL). */
static const char *col_arena(sqlite3_stmt *st, int i, struct arena *a)
{
    const unsigned char *v = sqlite3_column_text(st, i);
    return v ? arena_strndup(a, (const char *)v, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* Copies a 32-byte blob column; anything else gives zeros. */
static void col_hash(sqlite3_stmt *st, int i, unsigned char out[ACCT_HASH_BYTES])
{
    const void *v = sqlite3_column_blob(st, i);
    if (v && sqlite3_column_bytes(st, i) == ACCT_HASH_BYTES) {
        memcpy(out, v, ACCT_HASH_BYTES);
    } else {
        memset(out, 0, ACCT_HASH_BYTES);
    }
}

/* Runs a statement that returns no rows. */
static enum app_err run(struct store *s, sqlite3_stmt *st, const char *what, struct err *e)
{
    int rc = sqlite3_step(st);
    enum app_err out = rc == SQLITE_DONE ? E_OK : store_fail(s, e, what);
    sqlite3_reset(st);
    return out;
}

/* Runs a write that must change one row: E_NOT_FOUND when it changed none. */
static enum app_err run_one(struct store *s, sqlite3_stmt *st, const char *what,
                            const char *missing, struct err *e)
{
    enum app_err rc = run(s, st, what, e);
    if (rc == E_OK && sqlite3_changes(s->db) == 0) {
        return err_set(e, E_NOT_FOUND, "%s", missing);
    }
    return rc;
}

/* ---- users ---- */

enum app_err acct_user_insert(struct store *s, const char *name, const char *role,
                              const char *password_hash, int64_t now, int64_t *id, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_USER_INSERT,
                                  "INSERT INTO app_user (name, role, password_hash, created)"
                                  " VALUES (?1, ?2, ?3, ?4)",
                                  e);
    if (!st) {
        return E_STORAGE;
    }
    bind_text(st, 1, name);
    bind_text(st, 2, role);
    bind_text(st, 3, password_hash);
    sqlite3_bind_int64(st, 4, now);
    enum app_err rc = run(s, st, "cannot add the user", e);
    if (rc == E_CONFLICT) {
        return err_set(e, E_CONFLICT, "a user named '%s' exists", name);
    }
    if (rc == E_OK && id) {
        *id = sqlite3_last_insert_rowid(s->db);
    }
    return rc;
}

enum app_err acct_user_get(struct store *s, const char *name, struct arena *arena,
                           struct acct_user *out, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_USER_GET,
                                  "SELECT id, name, role, password_hash, disabled, created"
                                  " FROM app_user WHERE name = ?1",
                                  e);
    if (!st) {
        return E_STORAGE;
    }
    bind_text(st, 1, name);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = (struct acct_user){
            .id = sqlite3_column_int64(st, 0),
            .name = col_arena(st, 1, arena),
            .role = col_arena(st, 2, arena),
            .password_hash = col_arena(st, 3, arena),
            .disabled = sqlite3_column_int(st, 4) != 0,
            .created = sqlite3_column_int64(st, 5),
        };
        sqlite3_reset(st);
        return E_OK;
    }
    enum app_err out_rc = rc == SQLITE_DONE ? err_set(e, E_NOT_FOUND, "no user named '%s'", name)
                                            : store_fail(s, e, "cannot read the user");
    sqlite3_reset(st);
    return out_rc;
}

/* Calls fn for each row (id, name, role, disabled, time) of a bound user
 * query, then resets it. */
static enum app_err each_user_row(struct store *s, sqlite3_stmt *st, acct_user_fn fn, void *ctx,
                                  const char *what, struct err *e)
{
    enum app_err out = E_OK;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct acct_user u = {
            .id = sqlite3_column_int64(st, 0),
            .name = col_text(st, 1),
            .role = col_text(st, 2),
            .disabled = sqlite3_column_int(st, 3) != 0,
            .created = sqlite3_column_int64(st, 4),
        };
        out = fn(ctx, &u);
        if (out != E_OK) {
            break;
        }
    }
    if (out == E_OK && rc != SQLITE_DONE) {
        out = store_fail(s, e, what);
    }
    sqlite3_reset(st);
    return out;
}

enum app_err acct_user_each(struct store *s, acct_user_fn fn, void *ctx, struct err *e)
{
    sqlite3_stmt *st = store_stmt(
        s, SL_USER_EACH, "SELECT id, name, role, disabled, created FROM app_user ORDER BY name", e);
    if (!st) {
        return E_STORAGE;
    }
    return each_user_row(s, st, fn, ctx, "cannot list users", e);
}

enum app_err acct_user_set_disabled(struct store *s, int64_t user_id, bool disabled, struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SL_USER_DISABLE, "UPDATE app_user SET disabled = ?2 WHERE id = ?1", e);
    if (!st) {
        return E_STORAGE;
    }
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int(st, 2, disabled ? 1 : 0);
    return run_one(s, st, "cannot change the user", "no such user", e);
}

enum app_err acct_user_set_password(struct store *s, int64_t user_id, const char *password_hash,
                                    struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SL_USER_PASSWORD, "UPDATE app_user SET password_hash = ?2 WHERE id = ?1", e);
    if (!st) {
        return E_STORAGE;
    }
    sqlite3_bind_int64(st, 1, user_id);
    bind_text(st, 2, password_hash);
    return run_one(s, st, "cannot change the password", "no such user", e);
}

enum app_err acct_user_lang(struct store *s, int64_t user_id, struct arena *arena,
                            const char **name, const char **lang, struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SL_USER_LANG_GET, "SELECT name, lang FROM app_user WHERE id = ?1", e);
    if (!st) {
        return E_STORAGE;
    }
    sqlite3_bind_int64(st, 1, user_id);
    int rc = sqlite3_step(st);
    enum app_err out = E_OK;
    if (rc == SQLITE_ROW) {
        if (name) {
            *name = col_arena(st, 0, arena);
        }
        *lang = col_arena(st, 1, arena);
    } else {
        out = rc == SQLITE_DONE ? err_set(e, E_NOT_FOUND, "no such user")
                                : store_fail(s, e, "cannot read the user");
    }
    sqlite3_reset(st);
    return out;
}

enum app_err acct_user_set_lang(struct store *s, int64_t user_id, const char *lang, struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SL_USER_LANG_SET, "UPDATE app_user SET lang = ?2 WHERE id = ?1", e);
    if (!st) {
        return E_STORAGE;
    }
    sqlite3_bind_int64(st, 1, user_id);
    bind_text(st, 2, lang);
    enum app_err rc = run_one(s, st, "cannot change the language", "no such user", e);
    if (rc == E_CONFLICT) {
        /* The CHECK constraint: a value the schema does not allow. */
        return err_set(e, E_INVALID, "the language must be en or ru");
    }
    return rc;
}

/* ---- API tokens ---- */

enum app_err acct_token_insert(struct store *s, const char *name, const char *role, int64_t user_id,
                               const unsigned char hash[ACCT_HASH_BYTES], int64_t now,
                               struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_TOKEN_INSERT,
                                  "INSERT INTO api_token (name, role, user_id, token_hash, created)"
                                  " VALUES (?1, ?2, ?3, ?4, ?5)",
                                  e);
    if (!st) {
        return E_STORAGE;
    }
    bind_text(st, 1, name);
    bind_text(st, 2, role);
    if (user_id > 0) {
        sqlite3_bind_int64(st, 3, user_id);
    } else {
        sqlite3_bind_null(st, 3);
    }
    bind_hash(st, 4, hash);
    sqlite3_bind_int64(st, 5, now);
    enum app_err rc = run(s, st, "cannot add the token", e);
    if (rc == E_CONFLICT) {
        return err_set(e, E_CONFLICT, "a token named '%s' exists", name);
    }
    return rc;
}

#define TOKEN_COLS                                                             \
    "SELECT t.id, t.name, t.role, coalesce(t.user_id, 0), u.name, u.role,"     \
    " coalesce(u.disabled, 0), t.created, coalesce(t.last_used, 0), t.revoked" \
    " FROM api_token t LEFT JOIN app_user u ON u.id = t.user_id"

static void read_token(sqlite3_stmt *st, struct arena *a, struct acct_token *t)
{
    *t = (struct acct_token){
        .id = sqlite3_column_int64(st, 0),
        .name = a ? col_arena(st, 1, a) : col_text(st, 1),
        .role = a ? col_arena(st, 2, a) : col_text(st, 2),
        .user_id = sqlite3_column_int64(st, 3),
        .user_name = a ? col_arena(st, 4, a) : col_text(st, 4),
        .user_role = a ? col_arena(st, 5, a) : col_text(st, 5),
        .user_disabled = sqlite3_column_int(st, 6) != 0,
        .created = sqlite3_column_int64(st, 7),
        .last_used = sqlite3_column_int64(st, 8),
        .revoked = sqlite3_column_int(st, 9) != 0,
    };
}

enum app_err acct_token_by_hash(struct store *s, const unsigned char hash[ACCT_HASH_BYTES],
                                struct arena *arena, struct acct_token *out, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_TOKEN_BY_HASH, TOKEN_COLS " WHERE t.token_hash = ?1", e);
    if (!st) {
        return E_STORAGE;
    }
    bind_hash(st, 1, hash);
    int rc = sqlite3_step(st);
    enum app_err out_rc = E_OK;
    if (rc == SQLITE_ROW) {
        read_token(st, arena, out);
    } else if (rc == SQLITE_DONE) {
        out_rc = err_set(e, E_NOT_FOUND, "no such token");
    } else {
        out_rc = store_fail(s, e, "cannot read the token");
    }
    sqlite3_reset(st);
    return out_rc;
}

enum app_err acct_token_touch(struct store *s, int64_t token_id, int64_t now, struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SL_TOKEN_TOUCH, "UPDATE api_token SET last_used = ?2 WHERE id = ?1", e);
    if (!st) {
        return E_STORAGE;
    }
    sqlite3_bind_int64(st, 1, token_id);
    sqlite3_bind_int64(st, 2, now);
    return run(s, st, "cannot record the token's use", e);
}

enum app_err acct_token_revoke(struct store *s, const char *name, struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SL_TOKEN_REVOKE, "UPDATE api_token SET revoked = 1 WHERE name = ?1", e);
    if (!st) {
        return E_STORAGE;
    }
    bind_text(st, 1, name);
    enum app_err rc = run(s, st, "cannot revoke the token", e);
    if (rc == E_OK && sqlite3_changes(s->db) == 0) {
        return err_set(e, E_NOT_FOUND, "no token named '%s'", name);
    }
    return rc;
}

enum app_err acct_token_each(struct store *s, acct_token_fn fn, void *ctx, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_TOKEN_EACH, TOKEN_COLS " ORDER BY t.name", e);
    if (!st) {
        return E_STORAGE;
    }
    enum app_err out = E_OK;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct acct_token t;
        read_token(st, NULL, &t);
        out = fn(ctx, &t);
        if (out != E_OK) {
            break;
        }
    }
    if (out == E_OK && rc != SQLITE_DONE) {
        out = store_fail(s, e, "cannot list tokens");
    }
    sqlite3_reset(st);
    return out;
}

/* ---- sessions ---- */

enum app_err acct_session_insert(struct store *s, const unsigned char hash[ACCT_HASH_BYTES],
                                 int64_t user_id, const char *address, int64_t now, int64_t expires,
                                 struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SL_SESSION_INSERT,
                   "INSERT INTO session (token_hash, user_id, address, created, last_seen, expires)"
                   " VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
                   e);
    if (!st) {
        return E_STORAGE;
    }
    bind_hash(st, 1, hash);
    sqlite3_bind_int64(st, 2, user_id);
    bind_text(st, 3, address);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, expires);
    return run(s, st, "cannot start the session", e);
}

enum app_err acct_session_by_hash(struct store *s, const unsigned char hash[ACCT_HASH_BYTES],
                                  struct arena *arena, struct acct_session *out, struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SL_SESSION_BY_HASH,
                   "SELECT s.id, s.user_id, u.name, u.role, u.disabled, s.created, s.last_seen,"
                   " s.expires FROM session s JOIN app_user u ON u.id = s.user_id"
                   " WHERE s.token_hash = ?1",
                   e);
    if (!st) {
        return E_STORAGE;
    }
    bind_hash(st, 1, hash);
    int rc = sqlite3_step(st);
    enum app_err out_rc = E_OK;
    if (rc == SQLITE_ROW) {
        *out = (struct acct_session){
            .id = sqlite3_column_int64(st, 0),
            .user_id = sqlite3_column_int64(st, 1),
            .user_name = col_arena(st, 2, arena),
            .role = col_arena(st, 3, arena),
            .user_disabled = sqlite3_column_int(st, 4) != 0,
            .created = sqlite3_column_int64(st, 5),
            .last_seen = sqlite3_column_int64(st, 6),
            .expires = sqlite3_column_int64(st, 7),
        };
    } else if (rc == SQLITE_DONE) {
        out_rc = err_set(e, E_NOT_FOUND, "no such session");
    } else {
        out_rc = store_fail(s, e, "cannot read the session");
    }
    sqlite3_reset(st);
    return out_rc;
}

enum app_err acct_session_touch(struct store *s, int64_t session_id, int64_t now, struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SL_SESSION_TOUCH,
                   "UPDATE session SET last_seen = ?2 WHERE id = ?1 AND last_seen < ?2", e);
    if (!st) {
        return E_STORAGE;
    }
    sqlite3_bind_int64(st, 1, session_id);
    sqlite3_bind_int64(st, 2, now);
    return run(s, st, "cannot refresh the session", e);
}

enum app_err acct_session_delete(struct store *s, int64_t session_id, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_SESSION_DELETE, "DELETE FROM session WHERE id = ?1", e);
    if (!st) {
        return E_STORAGE;
    }
    sqlite3_bind_int64(st, 1, session_id);
    return run(s, st, "cannot end the session", e);
}

enum app_err acct_session_delete_user(struct store *s, int64_t user_id, struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SL_SESSION_DELETE_USER, "DELETE FROM session WHERE user_id = ?1", e);
    if (!st) {
        return E_STORAGE;
    }
    sqlite3_bind_int64(st, 1, user_id);
    return run(s, st, "cannot end the user's sessions", e);
}

enum app_err acct_session_purge(struct store *s, int64_t now, int64_t idle_before, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_SESSION_PURGE,
                                  "DELETE FROM session WHERE expires <= ?1 OR last_seen < ?2", e);
    if (!st) {
        return E_STORAGE;
    }
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, idle_before);
    return run(s, st, "cannot remove expired sessions", e);
}

/* ---- case assignments ---- */

enum app_err acct_assign(struct store *s, const char *case_id, int64_t user_id, int64_t now,
                         struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_CASE_EXISTS, "SELECT 1 FROM case_file WHERE id = ?1", e);
    if (!st) {
        return E_STORAGE;
    }
    bind_text(st, 1, case_id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        return err_set(e, E_NOT_FOUND, "no case with id '%s'", case_id);
    }
    if (rc != SQLITE_ROW) {
        return store_fail(s, e, "cannot read the case");
    }
    st = store_stmt(s, SL_ASSIGN,
                    "INSERT INTO case_assignment (case_id, user_id, assigned) VALUES (?1, ?2, ?3)"
                    " ON CONFLICT (case_id, user_id) DO NOTHING",
                    e);
    if (!st) {
        return E_STORAGE;
    }
    bind_text(st, 1, case_id);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int64(st, 3, now);
    return run(s, st, "cannot assign the case", e);
}

enum app_err acct_unassign(struct store *s, const char *case_id, int64_t user_id, struct err *e)
{
    sqlite3_stmt *st = store_stmt(
        s, SL_UNASSIGN, "DELETE FROM case_assignment WHERE case_id = ?1 AND user_id = ?2", e);
    if (!st) {
        return E_STORAGE;
    }
    bind_text(st, 1, case_id);
    sqlite3_bind_int64(st, 2, user_id);
    return run_one(s, st, "cannot unassign the case", "the case is not assigned to that user", e);
}

/* Runs a query whose one row holds one boolean. */
static enum app_err query_bool(struct store *s, sqlite3_stmt *st, bool *out, struct err *e)
{
    int rc = sqlite3_step(st);
    enum app_err out_rc = E_OK;
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int(st, 0) != 0;
    } else {
        *out = false;
        out_rc = store_fail(s, e, "cannot check access");
    }
    sqlite3_reset(st);
    return out_rc;
}

enum app_err acct_assignees_each(struct store *s, const char *case_id, acct_user_fn fn, void *ctx,
                                 struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_ASSIGNEES,
                                  "SELECT u.id, u.name, u.role, u.disabled, a.assigned"
                                  " FROM case_assignment a JOIN app_user u ON u.id = a.user_id"
                                  " WHERE a.case_id = ?1 ORDER BY u.name",
                                  e);
    if (!st) {
        return E_STORAGE;
    }
    bind_text(st, 1, case_id);
    return each_user_row(s, st, fn, ctx, "cannot list the case's users", e);
}

enum app_err acct_is_assigned(struct store *s, const char *case_id, int64_t user_id, bool *out,
                              struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_IS_ASSIGNED,
                                  "SELECT EXISTS (SELECT 1 FROM case_assignment"
                                  " WHERE case_id = ?1 AND user_id = ?2)",
                                  e);
    if (!st) {
        *out = false;
        return E_STORAGE;
    }
    bind_text(st, 1, case_id);
    sqlite3_bind_int64(st, 2, user_id);
    return query_bool(s, st, out, e);
}

/* ---- facts for access decisions ---- */

enum app_err acct_person_facts(struct store *s, const char *person_id,
                               struct acct_person_facts *out, struct err *e)
{
    *out = (struct acct_person_facts){.exists = false, .sensitive = TRI_UNKNOWN, .subject = false};
    sqlite3_stmt *st = store_stmt(s, SL_PERSON_FACTS,
                                  "SELECT (SELECT count(*) FROM person WHERE id = ?1),"
                                  " (SELECT sensitive FROM person WHERE id = ?1),"
                                  " EXISTS (SELECT 1 FROM case_subject WHERE person = ?1)",
                                  e);
    if (!st) {
        return E_STORAGE;
    }
    bind_text(st, 1, person_id);
    int rc = sqlite3_step(st);
    enum app_err out_rc = E_OK;
    if (rc == SQLITE_ROW) {
        out->exists = sqlite3_column_int(st, 0) > 0;
        if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
            out->sensitive = sqlite3_column_int(st, 1) ? TRI_TRUE : TRI_FALSE;
        }
        out->subject = sqlite3_column_int(st, 2) != 0;
    } else {
        out_rc = store_fail(s, e, "cannot read the person");
    }
    sqlite3_reset(st);
    return out_rc;
}

enum app_err acct_person_in_assigned_case(struct store *s, const char *person_id, int64_t user_id,
                                          bool *out, struct err *e)
{
    sqlite3_stmt *st = store_stmt(s, SL_PERSON_ASSIGNED,
                                  "SELECT EXISTS (SELECT 1 FROM case_subject cs"
                                  " JOIN case_assignment a ON a.case_id = cs.case_id"
                                  " WHERE cs.person = ?1 AND a.user_id = ?2)",
                                  e);
    if (!st) {
        *out = false;
        return E_STORAGE;
    }
    bind_text(st, 1, person_id);
    sqlite3_bind_int64(st, 2, user_id);
    return query_bool(s, st, out, e);
}

enum app_err acct_event_persons(struct store *s, const char *event_id, struct arena *arena,
                                struct strs *out, struct err *e)
{
    out->items = NULL;
    out->n_items = 0;
    sqlite3_stmt *st =
        store_stmt(s, SL_EVENT_EXISTS, "SELECT official FROM event WHERE id = ?1", e);
    if (!st) {
        return E_STORAGE;
    }
    bind_text(st, 1, event_id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? err_set(e, E_NOT_FOUND, "no event with id '%s'", event_id)
                                 : store_fail(s, e, "cannot read the event");
    }
    const char *official = col_arena(st, 0, arena);
    sqlite3_reset(st);
    st = store_stmt(s, SL_EVENT_PERSONS,
                    "SELECT person FROM event_person WHERE event = ?1 ORDER BY pos", e);
    if (!st) {
        return E_STORAGE;
    }
    bind_text(st, 1, event_id);
    size_t cap = 8;
    const char **items = arena_alloc(arena, cap * sizeof *items);
    size_t n = 0;
    if (official) {
        items[n++] = official;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            const char **bigger = arena_alloc(arena, 2 * cap * sizeof *items);
            memcpy(bigger, items, n * sizeof *items);
            items = bigger;
            cap *= 2;
        }
        items[n++] = col_arena(st, 0, arena);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        return store_fail(s, e, "cannot read the event's persons");
    }
    out->items = items;
    out->n_items = n;
    return E_OK;
}

/* ---- audit log ---- */

enum app_err acct_audit_head(struct store *s, int64_t *seq, unsigned char hash[ACCT_HASH_BYTES],
                             struct err *e)
{
    sqlite3_stmt *st =
        store_stmt(s, SL_AUDIT_HEAD, "SELECT seq, hash FROM audit_head WHERE id = 1", e);
    if (!st) {
        return E_STORAGE;
    }
    int rc = sqlite3_step(st);
    enum app_err out = E_OK;
    if (rc == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        col_hash(st, 1, hash);
    } else if (rc == SQLITE_DONE) {
        out = err_set(e, E_STORAGE, "the audit log has no head record");
    } else {
        out = store_fail(s, e, "cannot read the audit log");
    }
    sqlite3_reset(st);
    return out;
}

enum app_err acct_audit_insert(struct store *s, const struct acct_audit *a, struct err *e)
{
    sqlite3_stmt *st = store_stmt(
        s, SL_AUDIT_INSERT,
        "INSERT INTO audit_log (seq, time, user_name, address, action, kind, object_id, detail,"
        " prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        e);
    if (!st) {
        return E_STORAGE;
    }
    sqlite3_bind_int64(st, 1, a->seq);
    bind_text(st, 2, a->time);
    bind_text(st, 3, a->user);
    bind_text(st, 4, a->address);
    bind_text(st, 5, a->action);
    bind_text(st, 6, a->kind);
    bind_text(st, 7, a->object_id);
    bind_text(st, 8, a->detail);
    bind_hash(st, 9, a->prev_hash);
    bind_hash(st, 10, a->hash);
    return run(s, st, "cannot write the audit log", e);
}

enum app_err acct_audit_each(struct store *s, const struct acct_audit_filter *f, acct_audit_fn fn,
                             void *ctx, struct err *e)
{
    sqlite3_stmt *st = store_stmt(
        s, SL_AUDIT_EACH,
        "SELECT seq, time, user_name, address, action, kind, object_id, detail, prev_hash, hash"
        " FROM audit_log WHERE seq > ?1 AND (?2 IS NULL OR time >= ?2)"
        " AND (?3 IS NULL OR user_name = ?3) ORDER BY seq LIMIT ?4",
        e);
    if (!st) {
        return E_STORAGE;
    }
    sqlite3_bind_int64(st, 1, f ? f->after_seq : 0);
    bind_text(st, 2, f ? f->since : NULL);
    bind_text(st, 3, f ? f->user : NULL);
    sqlite3_bind_int64(st, 4, f && f->limit > 0 ? f->limit : -1);
    enum app_err out = E_OK;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct acct_audit a = {
            .seq = sqlite3_column_int64(st, 0),
            .time = col_text(st, 1),
            .user = col_text(st, 2),
            .address = col_text(st, 3),
            .action = col_text(st, 4),
            .kind = col_text(st, 5),
            .object_id = col_text(st, 6),
            .detail = col_text(st, 7),
        };
        col_hash(st, 8, a.prev_hash);
        col_hash(st, 9, a.hash);
        out = fn(ctx, &a);
        if (out != E_OK) {
            break;
        }
    }
    if (out == E_OK && rc != SQLITE_DONE) {
        out = store_fail(s, e, "cannot read the audit log");
    }
    sqlite3_reset(st);
    return out;
}

bool acct_in_transaction(struct store *s)
{
    if (s->group) {
        return s->group_depth > 0; /* the group's own transaction is not the caller's */
    }
    return !sqlite3_get_autocommit(s->db);
}

enum app_err acct_read_begin(struct store *s, bool *own, struct err *e)
{
    *own = sqlite3_get_autocommit(s->db) != 0;
    if (*own && sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        *own = false;
        return store_fail(s, e, "cannot start reading");
    }
    return E_OK;
}

void acct_read_end(struct store *s, bool own)
{
    if (own && !sqlite3_get_autocommit(s->db)) {
        sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    }
}
