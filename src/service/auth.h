/*
 * auth.h: accounts, sessions, API tokens, the access policy and the audit
 * trail. THE one place that decides who may do what (docs/security.md);
 * the CLI and the HTTP API call these functions and never decide access
 * themselves.
 *
 * Secrets: passwords are kept as Argon2id strings; API and session tokens
 * only as BLAKE2b-256 hashes; CSRF tokens are derived from the session token
 * and not stored. Secrets are compared in constant time.
 *
 * Time: every function that needs the time uses auth_now(), which tests
 * replace with auth_set_clock().
 *
 * Threads: each thread uses its own struct store. The login rate limiter and
 * the settings are process-wide; the limiter is guarded by a mutex, the
 * settings and the clock are set once before threads start.
 *
 * Errors: functions return E_OK or an enum app_err with e filled in:
 * E_INVALID (bad name, role or password), E_AUTH (wrong credentials, unknown
 * or expired session or token), E_FORBIDDEN, E_RATE_LIMITED, E_NOT_FOUND,
 * E_CONFLICT (name taken), E_STORAGE.
 */
#ifndef REFUGE_SERVICE_AUTH_H
#define REFUGE_SERVICE_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/compat.h"
#include "core/err.h"
#include "store/store.h"

enum role {
    ROLE_NONE = 0, /* no access at all (a failed lookup) */
    ROLE_ADMIN,
    ROLE_COORDINATOR,
    ROLE_RESEARCHER,
    ROLE_VIEWER,
};

enum verb {
    VERB_READ,
    VERB_WRITE,
    VERB_ADMIN, /* change who may see it: assignments, deletion, lowering `sensitive` */
};

enum principal_kind {
    PRINCIPAL_USER,  /* logged in with a password (session) */
    PRINCIPAL_TOKEN, /* an API token */
    PRINCIPAL_LOCAL, /* the command line, run by whoever can open the database file */
};

enum {
    AUTH_NAME_MAX = 64,       /* bytes in a user or token name */
    AUTH_PASSWORD_MIN = 12,   /* characters (code points) */
    AUTH_PASSWORD_MAX = 1024, /* bytes */
    AUTH_SECRET_CHARS = 47,   /* "rfg_"/"rfs_" + 43 base64url characters (32 bytes) */
    AUTH_CSRF_CHARS = 43,     /* 32 bytes in base64url */
    AUTH_HASH_HEX = 64,       /* an audit hash in hex */
    AUTH_LANG_CHARS = 2,      /* an interface language: "en" or "ru" */
};

/* Who is acting. A plain value: no pointers, nothing to free. */
struct principal {
    enum principal_kind kind;
    char name[AUTH_NAME_MAX + 1]; /* user name, token name, or "cli" */
    enum role role;
    int64_t user_id;    /* the account whose case assignments apply; 0 when none */
    int64_t session_id; /* PRINCIPAL_USER: the session; else 0 */
};

/* "admin", ... ; "none" for ROLE_NONE. Static strings. */
const char *role_name(enum role r);
/* Parses a role name; false (and *out ROLE_NONE) for anything else. */
bool role_parse(const char *s, enum role *out);

/* The principal of the command line: name "cli", role admin. */
struct principal auth_local_principal(void);

/* ---- settings and clock ---- */

struct auth_settings {
    int64_t session_idle;     /* seconds without a request before a session ends (1800) */
    int64_t session_absolute; /* seconds after login before a session ends (28800) */
    int account_failures;     /* failed logins per account per window (5) */
    int address_failures;     /* failed logins per address per window (20) */
    int64_t failure_window;   /* seconds (900) */
};

/* Fills s with the defaults above. */
void auth_settings_default(struct auth_settings *s);
/* Replaces the settings (values <= 0 keep the default; failure counts are
 * capped at 64). Call before threads start. */
void auth_configure(const struct auth_settings *s);

typedef int64_t (*auth_clock_fn)(void);
/* Replaces the clock (Unix seconds); NULL restores time(). For tests. */
void auth_set_clock(auth_clock_fn fn);
int64_t auth_now(void);
/* Forgets every recorded login failure. */
void auth_limiter_reset(void);

/* Overwrites n bytes at p with zeros in a way the compiler keeps (for
 * passwords and tokens held by callers). */
void auth_wipe(void *p, size_t n);

/* ---- users (admin only) ---- */

/* Checks a password: AUTH_PASSWORD_MIN..AUTH_PASSWORD_MAX, valid UTF-8,
 * not the user name. E_INVALID with the reason. */
ATTR_NODISCARD enum app_err auth_password_check(const char *name, const char *password,
                                                struct err *e);
/* Checks a user or token name: 1..64 of A-Z a-z 0-9 . _ - @, starting with a
 * letter or digit. E_INVALID with the reason. */
ATTR_NODISCARD enum app_err auth_name_check(const char *name, struct err *e);

/* Each of these requires auth_can_admin(by) (else E_FORBIDDEN), does its
 * work and its audit entry in one transaction, and allocates nothing the
 * caller frees. `address` (may be NULL) is where the request came from. */
ATTR_NODISCARD enum app_err auth_user_add(struct store *s, const struct principal *by,
                                          const char *address, const char *name, enum role role,
                                          const char *password, struct err *e);
/* Disables an account and ends its sessions (its tokens stop working). */
ATTR_NODISCARD enum app_err auth_user_disable(struct store *s, const struct principal *by,
                                              const char *address, const char *name, struct err *e);
/* Sets a new password and ends the user's sessions. */
ATTR_NODISCARD enum app_err auth_user_passwd(struct store *s, const struct principal *by,
                                             const char *address, const char *name,
                                             const char *password, struct err *e);

/* ---- the interface language (a per-user preference) ---- */

/* True for the languages the interface has: "en" and "ru". */
bool auth_lang_valid(const char *lang);
/* The language `who`'s account chose, or "" when it chose none or `who`
 * acts for no account (an unbound token, the command line). */
ATTR_NODISCARD enum app_err auth_me_lang(struct store *s, const struct principal *who,
                                         char lang[AUTH_LANG_CHARS + 1], struct err *e);
/* Sets the language of `by`'s own account (any role; audited as user.lang).
 * E_INVALID for anything but "en" or "ru"; E_FORBIDDEN when `by` acts for
 * no account. */
ATTR_NODISCARD enum app_err auth_me_set_lang(struct store *s, const struct principal *by,
                                             const char *address, const char *lang, struct err *e);
/* Sets the language of the account `name` (admin only; audited). */
ATTR_NODISCARD enum app_err auth_user_set_lang(struct store *s, const struct principal *by,
                                               const char *address, const char *name,
                                               const char *lang, struct err *e);

struct auth_user_info {
    const char *name; /* valid during the callback only */
    enum role role;
    bool disabled;
    int64_t created; /* Unix seconds */
};

typedef enum app_err (*auth_user_fn)(void *ctx, const struct auth_user_info *u);
/* Lists accounts in name order (admin only). */
ATTR_NODISCARD enum app_err auth_user_each(struct store *s, const struct principal *by,
                                           auth_user_fn fn, void *ctx, struct err *e);

/* ---- API tokens ---- */

/* Creates a token (admin only) and writes its secret, NUL-terminated, to
 * secret (AUTH_SECRET_CHARS + 1 bytes): the only time it is ever available.
 * user_name (may be NULL) binds the token to an account: it then uses that
 * account's case assignments, must have the account's role, and stops
 * working when the account is disabled. */
ATTR_NODISCARD enum app_err auth_token_add(struct store *s, const struct principal *by,
                                           const char *address, const char *name, enum role role,
                                           const char *user_name,
                                           char secret[AUTH_SECRET_CHARS + 1], struct err *e);
/* Revokes a token by name (admin only). */
ATTR_NODISCARD enum app_err auth_token_revoke(struct store *s, const struct principal *by,
                                              const char *address, const char *name, struct err *e);
/* Finds the principal of a bearer token (the value after "Bearer "). E_AUTH
 * for anything malformed, unknown, revoked, or whose account is disabled.
 * Records when the token was last used. */
ATTR_NODISCARD enum app_err auth_token_lookup(struct store *s, const char *bearer,
                                              struct principal *out, struct err *e);

struct auth_token_info {
    const char *name; /* valid during the callback only */
    enum role role;
    const char *user; /* bound account or NULL */
    int64_t created;
    int64_t last_used; /* 0 = never */
    bool revoked;
};

typedef enum app_err (*auth_token_fn)(void *ctx, const struct auth_token_info *t);
/* Lists tokens in name order (admin only); never their secrets. */
ATTR_NODISCARD enum app_err auth_token_each(struct store *s, const struct principal *by,
                                            auth_token_fn fn, void *ctx, struct err *e);

/* ---- sessions ---- */

struct auth_login {
    char token[AUTH_SECRET_CHARS + 1]; /* the session cookie's value */
    char csrf[AUTH_CSRF_CHARS + 1];    /* returned to the client as {"csrf": ...} */
    struct principal who;
    int64_t expires; /* absolute limit, Unix seconds */
};

/* Logs in: first the rate limits (E_RATE_LIMITED, without looking at the
 * password), then the password (E_AUTH with one message for an unknown user,
 * a disabled one and a wrong password, taking about the same time). On
 * success a new session is stored (its hash) and *out filled. Failures and
 * successes are audited (refusals by the limiter are not, so that they
 * cannot flood the log). address is the client's address (may be NULL). */
ATTR_NODISCARD enum app_err auth_login(struct store *s, const char *name, const char *password,
                                       const char *address, struct auth_login *out, struct err *e);
/* Finds the principal of a session cookie value. E_AUTH when malformed,
 * unknown, idle too long, past its absolute limit, or the account is
 * disabled (an expired session is deleted). Refreshes last seen. csrf (may
 * be NULL, AUTH_CSRF_CHARS + 1 bytes) receives the session's CSRF token. */
ATTR_NODISCARD enum app_err auth_session_lookup(struct store *s, const char *token,
                                                struct principal *out, char *csrf, struct err *e);
/* Ends the session with that cookie value (audited); an unknown one is not an error. */
ATTR_NODISCARD enum app_err auth_logout(struct store *s, const char *token, const char *address,
                                        struct err *e);
/* Checks the X-CSRF-Token header (may be NULL) against the session cookie
 * value, in constant time. E_OK or E_FORBIDDEN. Required on every
 * state-changing request authenticated by cookie (not for bearer tokens). */
ATTR_NODISCARD enum app_err auth_csrf_check(const char *session_token, const char *header,
                                            struct err *e);
/* Deletes expired sessions. */
ATTR_NODISCARD enum app_err auth_session_purge(struct store *s, struct err *e);

/* ---- the access policy ---- */

/* User administration, tokens and the audit log: admin only. */
bool auth_can_admin(const struct principal *p);
/* A case (and its actions, which belong to it). admin: all; coordinator:
 * all; researcher: read and write only the cases assigned to them; viewer:
 * read any case. VERB_ADMIN (assignments, deletion): admin and coordinator.
 * Fails closed: false on any storage error. Whether the case exists is the
 * caller's business; deny reads with 404 rather than 403 so that hidden ids
 * are not confirmed. */
bool auth_can_case(struct store *s, const struct principal *p, const char *case_id, enum verb v);
/* A person. admin, coordinator: all. researcher: read and write a subject of
 * a case assigned to them, or any person who is not sensitive. viewer: read
 * a person who is not sensitive. Sensitive: the stored flag, or, when it is
 * absent, being the subject of any case. VERB_ADMIN (including setting
 * `sensitive` to false): admin and coordinator. Fails closed. */
bool auth_can_person(struct store *s, const struct principal *p, const char *person_id,
                     enum verb v);
/* An event: allowed when the same verb is allowed on every person it names
 * (its persons and its official); VERB_ADMIN: admin and coordinator. A
 * missing event is judged as naming nobody. Fails closed. */
bool auth_can_event(struct store *s, const struct principal *p, const char *event_id, enum verb v);
/* Sources, organizations and risks (no personal data of their own): read
 * for every role, write for all but viewers, VERB_ADMIN for admin and
 * coordinator. */
bool auth_can_reference(const struct principal *p, enum verb v);
/* The effective sensitivity described at auth_can_person(). */
ATTR_NODISCARD enum app_err auth_person_sensitive(struct store *s, const char *person_id, bool *out,
                                                  struct err *e);

/* Assigns or unassigns a case to a user (admin or coordinator; audited). */
ATTR_NODISCARD enum app_err auth_case_assign(struct store *s, const struct principal *by,
                                             const char *address, const char *case_id,
                                             const char *user_name, struct err *e);
ATTR_NODISCARD enum app_err auth_case_unassign(struct store *s, const struct principal *by,
                                               const char *address, const char *case_id,
                                               const char *user_name, struct err *e);
/* The users a case is assigned to, in name order (admin or coordinator);
 * `created` is when the case was assigned to them. */
ATTR_NODISCARD enum app_err auth_case_assignees(struct store *s, const struct principal *by,
                                                const char *case_id, auth_user_fn fn, void *ctx,
                                                struct err *e);

/* ---- the audit trail ---- */

/* Appends an entry: time (auth_now()), the principal's name (or "-" when p
 * is NULL), address, action ("user.add", "case.read-subjects", ...), the
 * kind and id of the object and a free detail (all but action may be NULL).
 * Control characters and invalid UTF-8 are replaced by '?', and fields are
 * cut to a fixed length. Joins the caller's transaction when one is open
 * (so the entry commits or rolls back with the change it records), else
 * runs in its own. Every write must be recorded: a failure here must fail
 * the request. */
ATTR_NODISCARD enum app_err audit_record(struct store *s, const struct principal *p,
                                         const char *address, const char *action, const char *kind,
                                         const char *id, const char *detail, struct err *e);
/* Records a read of a person when the person is sensitive (nothing otherwise). */
ATTR_NODISCARD enum app_err audit_person_read(struct store *s, const struct principal *p,
                                              const char *address, const char *person_id,
                                              struct err *e);
/* Records a read of a case's subjects. */
ATTR_NODISCARD enum app_err audit_case_subjects_read(struct store *s, const struct principal *p,
                                                     const char *address, const char *case_id,
                                                     struct err *e);

struct audit_entry {
    int64_t seq;
    const char *time; /* "2024-05-01T10:00:00Z"; strings valid during the callback only */
    const char *user;
    const char *address; /* may be NULL, as may the next three */
    const char *action;
    const char *kind;
    const char *object_id;
    const char *detail;
    char hash[AUTH_HASH_HEX + 1];
};

struct audit_filter {
    const char *since; /* "YYYY-MM-DD" or a full ISO time, inclusive; NULL for all */
    const char *user;  /* NULL for all */
    int64_t after_seq; /* for paging: entries after this one */
    int64_t limit;     /* 0 = no limit */
};

typedef enum app_err (*audit_fn)(void *ctx, const struct audit_entry *a);
/* Lists entries in order (admin only). */
ATTR_NODISCARD enum app_err audit_each(struct store *s, const struct principal *by,
                                       const struct audit_filter *f, audit_fn fn, void *ctx,
                                       struct err *e);

/* Recomputes the chain and compares it with the stored head. Returns E_OK
 * when it could check: *first_bad_seq is then 0 when the log is intact, or
 * the first entry that was changed, inserted or removed (for removed
 * entries at the end: the first missing seq), with e->msg saying what is
 * wrong. Other returns are storage errors. *entries (may be NULL) receives
 * the number of entries checked. */
ATTR_NODISCARD enum app_err audit_verify(struct store *s, int64_t *first_bad_seq, int64_t *entries,
                                         struct err *e);
/* The chain head: the last seq (0 when empty) and its hash in hex, to be
 * written down somewhere else as a checkpoint. */
ATTR_NODISCARD enum app_err audit_head(struct store *s, int64_t *seq, char hex[AUTH_HASH_HEX + 1],
                                       struct err *e);
/* Checks a checkpoint taken earlier: entry seq must still have that hash.
 * E_OK and *matches; this detects a rewrite of the whole log, which
 * audit_verify() alone cannot. */
ATTR_NODISCARD enum app_err audit_check_checkpoint(struct store *s, int64_t seq, const char *hex,
                                                   bool *matches, struct err *e);

#endif
