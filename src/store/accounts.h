/*
 * accounts.h: storage of accounts, API tokens, sessions, case assignments and
 * the audit log (migration 0003_accounts). Plain reads and writes with no
 * policy: who may do what is decided in service/auth.c, which is the only
 * intended caller.
 *
 * Conventions: times are Unix seconds; token hashes are ACCT_HASH_BYTES
 * bytes; strings returned in a struct are allocated in the caller's arena;
 * every function returns E_OK, E_NOT_FOUND where said, E_CONFLICT on a
 * uniqueness violation, or E_STORAGE, with e filled in.
 */
#ifndef REFUGE_STORE_ACCOUNTS_H
#define REFUGE_STORE_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/compat.h"
#include "core/err.h"
#include "domain/model.h"
#include "store/store.h"

enum { ACCT_HASH_BYTES = 32 };

struct acct_user {
    int64_t id;
    const char *name;
    const char *role;          /* "admin", "coordinator", "researcher" or "viewer" */
    const char *password_hash; /* crypto_pwhash_str output */
    bool disabled;
    int64_t created;
};

/* Adds a user; *id (may be NULL) receives its id. E_CONFLICT when the name is taken. */
ATTR_NODISCARD enum app_err acct_user_insert(struct store *s, const char *name, const char *role,
                                             const char *password_hash, int64_t now, int64_t *id,
                                             struct err *e);
/* Reads a user by name. E_NOT_FOUND when there is none. */
ATTR_NODISCARD enum app_err acct_user_get(struct store *s, const char *name, struct arena *arena,
                                          struct acct_user *out, struct err *e);
/* Calls fn for every user in name order (strings valid during the call only;
 * password_hash is NULL). Stops at and returns the first non-E_OK return. */
typedef enum app_err (*acct_user_fn)(void *ctx, const struct acct_user *u);
ATTR_NODISCARD enum app_err acct_user_each(struct store *s, acct_user_fn fn, void *ctx,
                                           struct err *e);
/* Sets or clears the disabled flag. E_NOT_FOUND when there is no such user. */
ATTR_NODISCARD enum app_err acct_user_set_disabled(struct store *s, int64_t user_id, bool disabled,
                                                   struct err *e);
/* Replaces the stored password hash. E_NOT_FOUND when there is no such user. */
ATTR_NODISCARD enum app_err acct_user_set_password(struct store *s, int64_t user_id,
                                                   const char *password_hash, struct err *e);
/* The user's name (name may be NULL) and chosen interface language ("en",
 * "ru" or NULL when not chosen), by id. E_NOT_FOUND when there is no such user. */
ATTR_NODISCARD enum app_err acct_user_lang(struct store *s, int64_t user_id, struct arena *arena,
                                           const char **name, const char **lang, struct err *e);
/* Sets (or, with NULL, clears) the interface language. E_NOT_FOUND when
 * there is no such user; E_INVALID for a value the schema refuses. */
ATTR_NODISCARD enum app_err acct_user_set_lang(struct store *s, int64_t user_id, const char *lang,
                                               struct err *e);

struct acct_token {
    int64_t id;
    const char *name;
    const char *role;
    int64_t user_id;       /* 0 when the token acts for no user */
    const char *user_name; /* NULL when user_id is 0 */
    const char *user_role; /* the user's current role, NULL when user_id is 0 */
    bool user_disabled;
    int64_t created;
    int64_t last_used; /* 0 = never */
    bool revoked;
};

/* Adds a token (user_id 0 for none) with the hash of its secret. E_CONFLICT
 * when the name is taken. */
ATTR_NODISCARD enum app_err acct_token_insert(struct store *s, const char *name, const char *role,
                                              int64_t user_id,
                                              const unsigned char hash[ACCT_HASH_BYTES],
                                              int64_t now, struct err *e);
/* Finds the token with that hash (revoked ones too). E_NOT_FOUND when none. */
ATTR_NODISCARD enum app_err acct_token_by_hash(struct store *s,
                                               const unsigned char hash[ACCT_HASH_BYTES],
                                               struct arena *arena, struct acct_token *out,
                                               struct err *e);
/* Records a use of the token. */
ATTR_NODISCARD enum app_err acct_token_touch(struct store *s, int64_t token_id, int64_t now,
                                             struct err *e);
/* Revokes the token by name. E_NOT_FOUND when there is no such token. */
ATTR_NODISCARD enum app_err acct_token_revoke(struct store *s, const char *name, struct err *e);
/* Every token in name order; strings valid during the call only. */
typedef enum app_err (*acct_token_fn)(void *ctx, const struct acct_token *t);
ATTR_NODISCARD enum app_err acct_token_each(struct store *s, acct_token_fn fn, void *ctx,
                                            struct err *e);

struct acct_session {
    int64_t id;
    int64_t user_id;
    const char *user_name;
    const char *role;
    bool user_disabled;
    int64_t created;
    int64_t last_seen;
    int64_t expires; /* absolute limit */
};

ATTR_NODISCARD enum app_err acct_session_insert(struct store *s,
                                                const unsigned char hash[ACCT_HASH_BYTES],
                                                int64_t user_id, const char *address, int64_t now,
                                                int64_t expires, struct err *e);
/* Finds a session by token hash, with its user. E_NOT_FOUND when none. */
ATTR_NODISCARD enum app_err acct_session_by_hash(struct store *s,
                                                 const unsigned char hash[ACCT_HASH_BYTES],
                                                 struct arena *arena, struct acct_session *out,
                                                 struct err *e);
ATTR_NODISCARD enum app_err acct_session_touch(struct store *s, int64_t session_id, int64_t now,
                                               struct err *e);
/* Deletes one session; deleting a missing one is not an error. */
ATTR_NODISCARD enum app_err acct_session_delete(struct store *s, int64_t session_id, struct err *e);
/* Deletes every session of a user. */
ATTR_NODISCARD enum app_err acct_session_delete_user(struct store *s, int64_t user_id,
                                                     struct err *e);
/* Deletes sessions past their absolute limit or idle since before idle_before. */
ATTR_NODISCARD enum app_err acct_session_purge(struct store *s, int64_t now, int64_t idle_before,
                                               struct err *e);

/* Assigns a case to a user (assigning twice is not an error). The case must exist. */
ATTR_NODISCARD enum app_err acct_assign(struct store *s, const char *case_id, int64_t user_id,
                                        int64_t now, struct err *e);
/* Removes an assignment. E_NOT_FOUND when there was none. */
ATTR_NODISCARD enum app_err acct_unassign(struct store *s, const char *case_id, int64_t user_id,
                                          struct err *e);
/* Calls fn for every user the case is assigned to, in name order; `created`
 * then holds when the case was assigned (strings valid during the call only). */
ATTR_NODISCARD enum app_err acct_assignees_each(struct store *s, const char *case_id,
                                                acct_user_fn fn, void *ctx, struct err *e);
ATTR_NODISCARD enum app_err acct_is_assigned(struct store *s, const char *case_id, int64_t user_id,
                                             bool *out, struct err *e);

/* What access decisions need to know about a person: the stored `sensitive`
 * flag and whether the person is the subject of any case. A person that does
 * not exist gives exists = false, flag TRI_UNKNOWN, subject false. */
struct acct_person_facts {
    bool exists;
    enum tri sensitive;
    bool subject;
};

ATTR_NODISCARD enum app_err acct_person_facts(struct store *s, const char *person_id,
                                              struct acct_person_facts *out, struct err *e);
/* Whether the person is a subject of a case assigned to the user. */
ATTR_NODISCARD enum app_err acct_person_in_assigned_case(struct store *s, const char *person_id,
                                                         int64_t user_id, bool *out, struct err *e);
/* The persons an event names (its persons and its official), into an arena
 * array. E_NOT_FOUND when there is no such event. */
ATTR_NODISCARD enum app_err acct_event_persons(struct store *s, const char *event_id,
                                               struct arena *arena, struct strs *out,
                                               struct err *e);

/* One audit entry. Strings may be NULL where the column allows it. */
struct acct_audit {
    int64_t seq;
    const char *time; /* ISO 8601 UTC, "2024-05-01T10:00:00Z" */
    const char *user;
    const char *address;
    const char *action;
    const char *kind;
    const char *object_id;
    const char *detail;
    unsigned char prev_hash[ACCT_HASH_BYTES];
    unsigned char hash[ACCT_HASH_BYTES];
};

/* The chain head: the last seq appended (0 when empty) and its hash. */
ATTR_NODISCARD enum app_err acct_audit_head(struct store *s, int64_t *seq,
                                            unsigned char hash[ACCT_HASH_BYTES], struct err *e);
/* Appends an entry; the schema refuses one that does not extend the head
 * (E_CONFLICT). Call inside a write transaction that also read the head. */
ATTR_NODISCARD enum app_err acct_audit_insert(struct store *s, const struct acct_audit *a,
                                              struct err *e);

struct acct_audit_filter {
    const char *since; /* entries with time >= since (ISO text), or NULL */
    const char *user;  /* one user's entries, or NULL */
    int64_t after_seq; /* entries with seq > after_seq */
    int64_t limit;     /* at most this many; 0 = no limit */
};

/* Calls fn for matching entries in seq order; the entry is valid during the
 * call only. Stops at and returns the first non-E_OK return. */
typedef enum app_err (*acct_audit_fn)(void *ctx, const struct acct_audit *a);
ATTR_NODISCARD enum app_err acct_audit_each(struct store *s, const struct acct_audit_filter *f,
                                            acct_audit_fn fn, void *ctx, struct err *e);

/* True while a transaction is open on the connection. */
bool acct_in_transaction(struct store *s);
/* Starts a read transaction (one consistent snapshot) unless one is open;
 * *own says whether acct_read_end() must end it. */
ATTR_NODISCARD enum app_err acct_read_begin(struct store *s, bool *own, struct err *e);
/* Ends what acct_read_begin() started when own is true. Never fails. */
void acct_read_end(struct store *s, bool own);

#endif
