/*
 * auth.c: accounts, passwords, API tokens, sessions and CSRF tokens, the
 * login rate limiter, the access policy, and the hash-chained audit trail.
 *
 * This file is the single place where access is decided (auth_can_*) and
 * where secrets are made, hashed and compared. It does not speak HTTP and
 * prints nothing; storage is in store/accounts.c. The design and its limits
 * are described in docs/security.md.
 */
#include "service/auth.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/arena.h"
#include "service/evidence.h"
#include "store/accounts.h"

/* ---- names ---- */

static const char *const role_names[] = {
    [ROLE_NONE] = "none",
    [ROLE_ADMIN] = "admin",
    [ROLE_COORDINATOR] = "coordinator",
    [ROLE_RESEARCHER] = "researcher",
    [ROLE_VIEWER] = "viewer",
};

const char *role_name(enum role r)
{
    return (size_t)r < ARRAY_LEN(role_names) ? role_names[r] : "none";
}

bool role_parse(const char *s, enum role *out)
{
    *out = ROLE_NONE;
    for (size_t i = ROLE_ADMIN; s && i < ARRAY_LEN(role_names); i++) {
        if (strcmp(s, role_names[i]) == 0) {
            *out = (enum role)i;
            return true;
        }
    }
    return false;
}

/* Copies a name into a principal, cut to AUTH_NAME_MAX bytes. */
static void copy_name(char dst[AUTH_NAME_MAX + 1], const char *src)
{
    size_t n = src ? strnlen(src, AUTH_NAME_MAX) : 0;
    if (n) {
        memcpy(dst, src, n);
    }
    dst[n] = '\0';
}

struct principal auth_local_principal(void)
{
    struct principal p = {.kind = PRINCIPAL_LOCAL, .role = ROLE_ADMIN};
    copy_name(p.name, "cli");
    return p;
}

/* ---- settings, clock, libsodium ---- */

enum {
    RL_TRACK = 64, /* failures remembered per key: the highest configurable limit */
    RL_SLOTS = 2048,
    RL_KEY = 16,
    TOUCH_EVERY = 15, /* seconds between writes of a session's last_seen */
    TOKEN_TOUCH_EVERY = 60,
};

static const struct auth_settings default_settings = {
    .session_idle = 30 * 60,
    .session_absolute = 8 * 60 * 60,
    .account_failures = 5,
    .address_failures = 20,
    .failure_window = 15 * 60,
};

static struct auth_settings settings = {
    .session_idle = 30 * 60,
    .session_absolute = 8 * 60 * 60,
    .account_failures = 5,
    .address_failures = 20,
    .failure_window = 15 * 60,
};

void auth_settings_default(struct auth_settings *s)
{
    *s = default_settings;
}

static int clamp_count(int v, int dflt)
{
    if (v <= 0) {
        return dflt;
    }
    return v > RL_TRACK ? RL_TRACK : v;
}

void auth_configure(const struct auth_settings *s)
{
    const struct auth_settings *d = &default_settings;
    settings.session_idle = s->session_idle > 0 ? s->session_idle : d->session_idle;
    settings.session_absolute = s->session_absolute > 0 ? s->session_absolute : d->session_absolute;
    settings.account_failures = clamp_count(s->account_failures, d->account_failures);
    settings.address_failures = clamp_count(s->address_failures, d->address_failures);
    settings.failure_window = s->failure_window > 0 ? s->failure_window : d->failure_window;
}

static int64_t system_clock(void)
{
    return (int64_t)time(NULL);
}

static auth_clock_fn clock_fn = system_clock;

void auth_set_clock(auth_clock_fn fn)
{
    clock_fn = fn ? fn : system_clock;
}

int64_t auth_now(void)
{
    return clock_fn();
}

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static bool sodium_ready;

static void sodium_start(void)
{
    sodium_ready = sodium_init() >= 0;
}

static enum app_err need_sodium(struct err *e)
{
    pthread_once(&sodium_once, sodium_start);
    return sodium_ready ? E_OK : err_set(e, E_INTERNAL, "the cryptography library failed to start");
}

/* ---- the login rate limiter ---- */

/* Failures are remembered per key (a hash of "account" or "address" and the
 * value) as timestamps in a ring; a key is limited while `limit` of them
 * fall in the window. When the table is full the entry whose last failure
 * is oldest is reused, preferring entries that are not currently limited. */
struct rl_entry {
    bool used;
    unsigned char key[RL_KEY];
    int64_t fails[RL_TRACK];
    int next;
    int64_t last;
};

static struct rl_entry rl_table[RL_SLOTS];
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;

static void rl_key(const char *what, const char *value, unsigned char key[RL_KEY])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, RL_KEY);
    crypto_generichash_update(&h, (const unsigned char *)what, strlen(what) + 1);
    if (value) {
        crypto_generichash_update(&h, (const unsigned char *)value, strlen(value));
    }
    crypto_generichash_final(&h, key, RL_KEY);
}

static int rl_count(const struct rl_entry *r, int64_t now)
{
    int n = 0;
    for (int i = 0; i < RL_TRACK; i++) {
        if (r->fails[i] && r->fails[i] > now - settings.failure_window && r->fails[i] <= now) {
            n++;
        }
    }
    return n;
}

static struct rl_entry *rl_find(const unsigned char key[RL_KEY])
{
    for (size_t i = 0; i < RL_SLOTS; i++) {
        if (rl_table[i].used && memcmp(rl_table[i].key, key, RL_KEY) == 0) {
            return &rl_table[i];
        }
    }
    return NULL;
}

static struct rl_entry *rl_slot(const unsigned char key[RL_KEY], int limit, int64_t now)
{
    struct rl_entry *r = rl_find(key);
    if (r) {
        return r;
    }
    struct rl_entry *free_slot = NULL;
    struct rl_entry *oldest_open = NULL;
    struct rl_entry *oldest = NULL;
    for (size_t i = 0; i < RL_SLOTS && !free_slot; i++) {
        struct rl_entry *c = &rl_table[i];
        if (!c->used) {
            free_slot = c;
        } else {
            if (!oldest || c->last < oldest->last) {
                oldest = c;
            }
            if (rl_count(c, now) < limit && (!oldest_open || c->last < oldest_open->last)) {
                oldest_open = c;
            }
        }
    }
    r = free_slot ? free_slot : oldest_open ? oldest_open : oldest;
    memset(r, 0, sizeof *r);
    r->used = true;
    memcpy(r->key, key, RL_KEY);
    return r;
}

static int rl_failures(const char *what, const char *value, int64_t now)
{
    unsigned char key[RL_KEY];
    rl_key(what, value, key);
    const struct rl_entry *r = rl_find(key);
    return r ? rl_count(r, now) : 0;
}

static void rl_add(const char *what, const char *value, int limit, int64_t now)
{
    unsigned char key[RL_KEY];
    rl_key(what, value, key);
    struct rl_entry *r = rl_slot(key, limit, now);
    r->fails[r->next] = now;
    r->next = (r->next + 1) % RL_TRACK;
    r->last = now;
}

static bool rl_limited(const char *name, const char *address, int64_t now)
{
    pthread_mutex_lock(&rl_lock);
    bool limited = rl_failures("account", name, now) >= settings.account_failures ||
                   rl_failures("address", address, now) >= settings.address_failures;
    pthread_mutex_unlock(&rl_lock);
    return limited;
}

static void rl_failed(const char *name, const char *address, int64_t now)
{
    pthread_mutex_lock(&rl_lock);
    rl_add("account", name, settings.account_failures, now);
    rl_add("address", address, settings.address_failures, now);
    pthread_mutex_unlock(&rl_lock);
}

static void rl_forget_account(const char *name)
{
    unsigned char key[RL_KEY];
    rl_key("account", name, key);
    pthread_mutex_lock(&rl_lock);
    struct rl_entry *r = rl_find(key);
    if (r) {
        memset(r, 0, sizeof *r);
    }
    pthread_mutex_unlock(&rl_lock);
}

void auth_limiter_reset(void)
{
    pthread_mutex_lock(&rl_lock);
    memset(rl_table, 0, sizeof rl_table);
    pthread_mutex_unlock(&rl_lock);
}

void auth_wipe(void *p, size_t n)
{
    sodium_memzero(p, n);
}

/* ---- checks on names and passwords ---- */

enum app_err auth_name_check(const char *name, struct err *e)
{
    size_t n = name ? strnlen(name, AUTH_NAME_MAX + 1) : 0;
    if (n == 0) {
        return err_set(e, E_INVALID, "a name is required");
    }
    if (n > AUTH_NAME_MAX) {
        return err_set(e, E_INVALID, "names are at most %d characters", AUTH_NAME_MAX);
    }
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-' && c != '@'))) {
            return err_set(
                e, E_INVALID,
                "a name is letters, digits and . _ - @, starting with a letter or digit");
        }
    }
    return E_OK;
}

/* Length in bytes of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80;
    unsigned char hi = 0xbf;
    if (c < 0x80) {
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (len > n || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < len; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf) {
            return 0;
        }
    }
    return len;
}

enum app_err auth_password_check(const char *name, const char *password, struct err *e)
{
    size_t n = password ? strnlen(password, AUTH_PASSWORD_MAX + 1) : 0;
    if (n > AUTH_PASSWORD_MAX) {
        return err_set(e, E_INVALID, "a password is at most %d bytes", AUTH_PASSWORD_MAX);
    }
    size_t chars = 0;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_seq((const unsigned char *)password + i, n - i);
        if (len == 0) {
            return err_set(e, E_INVALID, "the password is not valid UTF-8");
        }
        i += len;
        chars++;
    }
    if (chars < AUTH_PASSWORD_MIN) {
        return err_set(e, E_INVALID, "a password needs at least %d characters", AUTH_PASSWORD_MIN);
    }
    if (name && strcmp(name, password) == 0) {
        return err_set(e, E_INVALID, "the password must not be the user name");
    }
    return E_OK;
}

static enum app_err hash_password(const char *password, char out[crypto_pwhash_STRBYTES],
                                  struct err *e)
{
    enum app_err rc = need_sodium(e);
    if (rc != E_OK) {
        return rc;
    }
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        return err_set(e, E_INTERNAL, "not enough memory to hash the password");
    }
    return E_OK;
}

/* A hash of a random password, verified against when there is no account,
 * so that an unknown name takes as long as a wrong password. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy_hash(void)
{
    unsigned char raw[32];
    char pw[65];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(pw, sizeof pw, raw, sizeof raw);
    struct err e = ERR_INIT;
    if (hash_password(pw, dummy_hash, &e) != E_OK) {
        dummy_hash[0] = '\0';
    }
}

/* ---- secrets ---- */

/* Writes prefix + 32 random bytes in base64url (no padding). */
static void make_secret(const char *prefix, char out[AUTH_SECRET_CHARS + 1])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    memcpy(out, prefix, 4);
    sodium_bin2base64(out + 4, AUTH_SECRET_CHARS + 1 - 4, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

/* True when s has the shape of a secret with that prefix. */
static bool secret_shape(const char *s, const char *prefix)
{
    if (!s || strnlen(s, AUTH_SECRET_CHARS + 1) != AUTH_SECRET_CHARS || memcmp(s, prefix, 4) != 0) {
        return false;
    }
    for (size_t i = 4; i < AUTH_SECRET_CHARS; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_')) {
            return false;
        }
    }
    return true;
}

/* What is stored for a secret: BLAKE2b-256 of its text. */
static void secret_hash(const char *secret, unsigned char out[ACCT_HASH_BYTES])
{
    crypto_generichash(out, ACCT_HASH_BYTES, (const unsigned char *)secret, AUTH_SECRET_CHARS, NULL,
                       0);
}

/* The CSRF token of a session: BLAKE2b-256 keyed with the session token. */
static void csrf_of(const char *session_token, char out[AUTH_CSRF_CHARS + 1])
{
    static const char label[] = "refuge csrf v1";
    unsigned char mac[32];
    crypto_generichash(mac, sizeof mac, (const unsigned char *)label, sizeof label - 1,
                       (const unsigned char *)session_token, AUTH_SECRET_CHARS);
    sodium_bin2base64(out, AUTH_CSRF_CHARS + 1, mac, sizeof mac,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* ---- transactions ---- */

/* Begins a write transaction unless the caller has one open. */
static enum app_err tx_begin(struct store *s, bool *own, struct err *e)
{
    *own = !acct_in_transaction(s);
    return *own ? store_begin(s, e) : E_OK;
}

/* Commits (rc E_OK) or rolls back what tx_begin() started; returns the outcome. */
static enum app_err tx_end(struct store *s, bool own, enum app_err rc, struct err *e)
{
    if (!own) {
        return rc;
    }
    if (rc == E_OK) {
        rc = store_commit(s, e);
    }
    if (rc != E_OK) {
        store_rollback(s);
    }
    return rc;
}

static enum app_err need_admin(const struct principal *by, struct err *e)
{
    return auth_can_admin(by) ? E_OK
                              : err_set(e, E_FORBIDDEN,
                                        "only an admin may manage accounts, "
                                        "tokens and the audit log");
}

/* ---- users ---- */

enum app_err auth_user_add(struct store *s, const struct principal *by, const char *address,
                           const char *name, enum role role, const char *password, struct err *e)
{
    enum app_err rc = need_admin(by, e);
    if (rc == E_OK) {
        rc = auth_name_check(name, e);
    }
    if (rc == E_OK && role == ROLE_NONE) {
        rc = err_set(e, E_INVALID, "the role must be admin, coordinator, researcher or viewer");
    }
    if (rc == E_OK) {
        rc = auth_password_check(name, password, e);
    }
    char hash[crypto_pwhash_STRBYTES];
    if (rc == E_OK) {
        rc = hash_password(password, hash, e); /* before the write lock: it is slow */
    }
    if (rc != E_OK) {
        return rc;
    }
    bool own;
    rc = tx_begin(s, &own, e);
    if (rc != E_OK) {
        return rc;
    }
    rc = acct_user_insert(s, name, role_name(role), hash, auth_now(), NULL, e);
    if (rc == E_OK) {
        rc = audit_record(s, by, address, "user.add", "user", name, role_name(role), e);
    }
    return tx_end(s, own, rc, e);
}

enum app_err auth_user_disable(struct store *s, const struct principal *by, const char *address,
                               const char *name, struct err *e)
{
    enum app_err rc = need_admin(by, e);
    if (rc != E_OK) {
        return rc;
    }
    bool own;
    rc = tx_begin(s, &own, e);
    if (rc != E_OK) {
        return rc;
    }
    struct arena a = ARENA_INIT;
    struct acct_user u;
    rc = acct_user_get(s, name, &a, &u, e);
    if (rc == E_OK) {
        rc = acct_user_set_disabled(s, u.id, true, e);
    }
    if (rc == E_OK) {
        rc = acct_session_delete_user(s, u.id, e);
    }
    if (rc == E_OK) {
        rc = audit_record(s, by, address, "user.disable", "user", name, NULL, e);
    }
    arena_release(&a);
    return tx_end(s, own, rc, e);
}

enum app_err auth_user_passwd(struct store *s, const struct principal *by, const char *address,
                              const char *name, const char *password, struct err *e)
{
    enum app_err rc = need_admin(by, e);
    if (rc == E_OK) {
        rc = auth_password_check(name, password, e);
    }
    char hash[crypto_pwhash_STRBYTES];
    if (rc == E_OK) {
        rc = hash_password(password, hash, e);
    }
    if (rc != E_OK) {
        return rc;
    }
    bool own;
    rc = tx_begin(s, &own, e);
    if (rc != E_OK) {
        return rc;
    }
    struct arena a = ARENA_INIT;
    struct acct_user u;
    rc = acct_user_get(s, name, &a, &u, e);
    if (rc == E_OK) {
        rc = acct_user_set_password(s, u.id, hash, e);
    }
    if (rc == E_OK) {
        rc = acct_session_delete_user(s, u.id, e);
    }
    if (rc == E_OK) {
        rc = audit_record(s, by, address, "user.passwd", "user", name, NULL, e);
    }
    arena_release(&a);
    return tx_end(s, own, rc, e);
}

/* ---- the interface language ---- */

bool auth_lang_valid(const char *lang)
{
    return lang && (strcmp(lang, "en") == 0 || strcmp(lang, "ru") == 0);
}

static enum app_err need_lang(const char *lang, struct err *e)
{
    return auth_lang_valid(lang) ? E_OK : err_set(e, E_INVALID, "the language must be en or ru");
}

/* Sets the language of the account user_id (by name when user_id is 0) and
 * records it, in one transaction. */
static enum app_err set_lang(struct store *s, const struct principal *by, const char *address,
                             int64_t user_id, const char *name, const char *lang, struct err *e)
{
    bool own;
    enum app_err rc = tx_begin(s, &own, e);
    if (rc != E_OK) {
        return rc;
    }
    struct arena a = ARENA_INIT;
    const char *prev = NULL; /* read along with the name; the new value is recorded */
    if (user_id == 0) {
        struct acct_user u = {0};
        rc = acct_user_get(s, name, &a, &u, e);
        user_id = u.id;
    } else {
        rc = acct_user_lang(s, user_id, &a, &name, &prev, e);
    }
    if (rc == E_OK) {
        rc = acct_user_set_lang(s, user_id, lang, e);
    }
    if (rc == E_OK) {
        rc = audit_record(s, by, address, "user.lang", "user", name, lang, e);
    }
    arena_release(&a);
    return tx_end(s, own, rc, e);
}

enum app_err auth_me_lang(struct store *s, const struct principal *who,
                          char lang[AUTH_LANG_CHARS + 1], struct err *e)
{
    lang[0] = '\0';
    if (who->user_id <= 0) {
        return E_OK;
    }
    struct arena a = ARENA_INIT;
    const char *v = NULL;
    enum app_err rc = acct_user_lang(s, who->user_id, &a, NULL, &v, e);
    if (rc == E_OK && auth_lang_valid(v)) {
        memcpy(lang, v, AUTH_LANG_CHARS + 1);
    }
    arena_release(&a);
    return rc;
}

enum app_err auth_me_set_lang(struct store *s, const struct principal *by, const char *address,
                              const char *lang, struct err *e)
{
    enum app_err rc = need_lang(lang, e);
    if (rc != E_OK) {
        return rc;
    }
    if (by->user_id <= 0) {
        return err_set(e, E_FORBIDDEN, "only an account has a language: this token acts for none");
    }
    return set_lang(s, by, address, by->user_id, NULL, lang, e);
}

enum app_err auth_user_set_lang(struct store *s, const struct principal *by, const char *address,
                                const char *name, const char *lang, struct err *e)
{
    enum app_err rc = need_admin(by, e);
    if (rc == E_OK) {
        rc = need_lang(lang, e);
    }
    return rc == E_OK ? set_lang(s, by, address, 0, name, lang, e) : rc;
}

struct user_each_ctx {
    auth_user_fn fn;
    void *ctx;
};

static enum app_err user_each_cb(void *ctx, const struct acct_user *u)
{
    struct user_each_ctx *c = ctx;
    struct auth_user_info info = {.name = u->name, .disabled = u->disabled, .created = u->created};
    role_parse(u->role, &info.role);
    return c->fn(c->ctx, &info);
}

enum app_err auth_user_each(struct store *s, const struct principal *by, auth_user_fn fn, void *ctx,
                            struct err *e)
{
    enum app_err rc = need_admin(by, e);
    if (rc != E_OK) {
        return rc;
    }
    struct user_each_ctx c = {fn, ctx};
    return acct_user_each(s, user_each_cb, &c, e);
}

/* ---- tokens ---- */

enum app_err auth_token_add(struct store *s, const struct principal *by, const char *address,
                            const char *name, enum role role, const char *user_name,
                            char secret[AUTH_SECRET_CHARS + 1], struct err *e)
{
    secret[0] = '\0';
    enum app_err rc = need_admin(by, e);
    if (rc == E_OK) {
        rc = auth_name_check(name, e);
    }
    if (rc == E_OK && role == ROLE_NONE) {
        rc = err_set(e, E_INVALID, "the role must be admin, coordinator, researcher or viewer");
    }
    if (rc == E_OK) {
        rc = need_sodium(e);
    }
    if (rc != E_OK) {
        return rc;
    }
    bool own;
    rc = tx_begin(s, &own, e);
    if (rc != E_OK) {
        return rc;
    }
    struct arena a = ARENA_INIT;
    int64_t user_id = 0;
    if (user_name) {
        struct acct_user u;
        rc = acct_user_get(s, user_name, &a, &u, e);
        if (rc == E_OK && u.disabled) {
            rc = err_set(e, E_INVALID, "user '%s' is disabled", user_name);
        }
        if (rc == E_OK && strcmp(u.role, role_name(role)) != 0) {
            rc = err_set(e, E_INVALID, "a token for '%s' must have their role (%s)", user_name,
                         u.role);
        }
        user_id = rc == E_OK ? u.id : 0;
    }
    char made[AUTH_SECRET_CHARS + 1];
    unsigned char hash[ACCT_HASH_BYTES];
    make_secret("rfg_", made);
    secret_hash(made, hash);
    if (rc == E_OK) {
        rc = acct_token_insert(s, name, role_name(role), user_id, hash, auth_now(), e);
    }
    if (rc == E_OK) {
        char detail[96];
        snprintf(detail, sizeof detail, "%s%s%s", role_name(role), user_name ? " for " : "",
                 user_name ? user_name : "");
        rc = audit_record(s, by, address, "token.add", "token", name, detail, e);
    }
    arena_release(&a);
    rc = tx_end(s, own, rc, e);
    if (rc == E_OK) {
        memcpy(secret, made, sizeof made);
    }
    sodium_memzero(made, sizeof made);
    return rc;
}

enum app_err auth_token_revoke(struct store *s, const struct principal *by, const char *address,
                               const char *name, struct err *e)
{
    enum app_err rc = need_admin(by, e);
    if (rc != E_OK) {
        return rc;
    }
    bool own;
    rc = tx_begin(s, &own, e);
    if (rc != E_OK) {
        return rc;
    }
    rc = acct_token_revoke(s, name, e);
    if (rc == E_OK) {
        rc = audit_record(s, by, address, "token.revoke", "token", name, NULL, e);
    }
    return tx_end(s, own, rc, e);
}

enum app_err auth_token_lookup(struct store *s, const char *bearer, struct principal *out,
                               struct err *e)
{
    *out = (struct principal){.kind = PRINCIPAL_TOKEN, .role = ROLE_NONE};
    if (!secret_shape(bearer, "rfg_")) {
        return err_set(e, E_AUTH, "invalid API token");
    }
    unsigned char hash[ACCT_HASH_BYTES];
    secret_hash(bearer, hash);
    struct arena a = ARENA_INIT;
    struct acct_token t;
    enum app_err rc = acct_token_by_hash(s, hash, &a, &t, e);
    enum role role = ROLE_NONE;
    if (rc == E_NOT_FOUND) {
        rc = err_set(e, E_AUTH, "invalid API token");
    } else if (rc == E_OK) {
        if (t.revoked || !role_parse(t.role, &role)) {
            rc = err_set(e, E_AUTH, "invalid API token");
        } else if (t.user_id && (t.user_disabled || !t.user_role || strcmp(t.user_role, t.role))) {
            rc = err_set(e, E_AUTH, "invalid API token");
        }
    }
    if (rc == E_OK) {
        out->role = role;
        out->user_id = t.user_id;
        copy_name(out->name, t.name);
        int64_t now = auth_now();
        if (now - t.last_used >= TOKEN_TOUCH_EVERY) {
            struct err ignored = ERR_INIT;
            if (acct_token_touch(s, t.id, now, &ignored) != E_OK) {
                /* bookkeeping only: the token is valid all the same */
            }
        }
    }
    arena_release(&a);
    return rc;
}

struct token_each_ctx {
    auth_token_fn fn;
    void *ctx;
};

static enum app_err token_each_cb(void *ctx, const struct acct_token *t)
{
    struct token_each_ctx *c = ctx;
    struct auth_token_info info = {.name = t->name,
                                   .user = t->user_name,
                                   .created = t->created,
                                   .last_used = t->last_used,
                                   .revoked = t->revoked};
    role_parse(t->role, &info.role);
    return c->fn(c->ctx, &info);
}

enum app_err auth_token_each(struct store *s, const struct principal *by, auth_token_fn fn,
                             void *ctx, struct err *e)
{
    enum app_err rc = need_admin(by, e);
    if (rc != E_OK) {
        return rc;
    }
    struct token_each_ctx c = {fn, ctx};
    return acct_token_each(s, token_each_cb, &c, e);
}

/* ---- login and sessions ---- */

static const char wrong_credentials[] = "wrong user name or password";

enum app_err auth_login(struct store *s, const char *name, const char *password,
                        const char *address, struct auth_login *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    enum app_err rc = need_sodium(e);
    if (rc != E_OK) {
        return rc;
    }
    int64_t now = auth_now();
    const char *key_name = name ? name : "";
    const char *key_addr = address ? address : "";
    if (rl_limited(key_name, key_addr, now)) {
        return err_set(e, E_RATE_LIMITED, "too many failed logins: try again later");
    }
    struct arena a = ARENA_INIT;
    struct acct_user u = {0};
    bool found = false;
    struct err ignored = ERR_INIT;
    size_t pw_len = password ? strnlen(password, AUTH_PASSWORD_MAX + 1) : 0;
    bool plausible =
        password && pw_len <= AUTH_PASSWORD_MAX && auth_name_check(name, &ignored) == E_OK;
    if (plausible) {
        rc = acct_user_get(s, name, &a, &u, e);
        if (rc != E_OK && rc != E_NOT_FOUND) {
            arena_release(&a);
            return rc;
        }
        found = rc == E_OK;
    }
    bool ok = false;
    if (found) {
        ok = crypto_pwhash_str_verify(u.password_hash, password, pw_len) == 0;
    } else {
        pthread_once(&dummy_once, make_dummy_hash);
        if (dummy_hash[0] && password && pw_len <= AUTH_PASSWORD_MAX) {
            if (crypto_pwhash_str_verify(dummy_hash, password, pw_len) == 0) {
                /* cannot match: the dummy password is random and never told */
            }
        }
    }
    enum role role = ROLE_NONE;
    if (ok && (u.disabled || !role_parse(u.role, &role))) {
        ok = false;
    }
    if (!ok) {
        rl_failed(key_name, key_addr, now);
        struct principal who = {.kind = PRINCIPAL_USER, .role = ROLE_NONE};
        copy_name(who.name, name ? name : "-");
        rc = audit_record(s, &who, address, "login.fail", "user", NULL,
                          found && u.disabled ? "account disabled" : NULL, e);
        arena_release(&a);
        return rc != E_OK ? rc : err_set(e, E_AUTH, "%s", wrong_credentials);
    }
    rl_forget_account(key_name);

    char upgraded[crypto_pwhash_STRBYTES];
    bool rehash =
        crypto_pwhash_str_needs_rehash(u.password_hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                       crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0 &&
        hash_password(password, upgraded, &ignored) == E_OK;
    make_secret("rfs_", out->token);
    unsigned char hash[ACCT_HASH_BYTES];
    secret_hash(out->token, hash);
    bool own;
    rc = tx_begin(s, &own, e);
    if (rc == E_OK) {
        rc = acct_session_purge(s, now, now - settings.session_idle, e);
        if (rc == E_OK && rehash) {
            rc = acct_user_set_password(s, u.id, upgraded, e);
        }
        if (rc == E_OK) {
            rc = acct_session_insert(s, hash, u.id, address, now, now + settings.session_absolute,
                                     e);
        }
        if (rc == E_OK) {
            struct principal who = {.kind = PRINCIPAL_USER, .role = role, .user_id = u.id};
            copy_name(who.name, u.name);
            rc = audit_record(s, &who, address, "login", "user", u.name, NULL, e);
        }
        rc = tx_end(s, own, rc, e);
    }
    if (rc != E_OK) {
        sodium_memzero(out, sizeof *out);
        arena_release(&a);
        return rc;
    }
    csrf_of(out->token, out->csrf);
    out->who = (struct principal){.kind = PRINCIPAL_USER, .role = role, .user_id = u.id};
    copy_name(out->who.name, u.name);
    out->expires = now + settings.session_absolute;
    arena_release(&a);
    return E_OK;
}

static const char no_session[] = "not logged in, or the session has expired";

enum app_err auth_session_lookup(struct store *s, const char *token, struct principal *out,
                                 char *csrf, struct err *e)
{
    *out = (struct principal){.kind = PRINCIPAL_USER, .role = ROLE_NONE};
    if (csrf) {
        csrf[0] = '\0';
    }
    if (!secret_shape(token, "rfs_")) {
        return err_set(e, E_AUTH, "%s", no_session);
    }
    unsigned char hash[ACCT_HASH_BYTES];
    secret_hash(token, hash);
    struct arena a = ARENA_INIT;
    struct acct_session ses;
    enum app_err rc = acct_session_by_hash(s, hash, &a, &ses, e);
    if (rc == E_NOT_FOUND) {
        arena_release(&a);
        return err_set(e, E_AUTH, "%s", no_session);
    }
    if (rc != E_OK) {
        arena_release(&a);
        return rc;
    }
    int64_t now = auth_now();
    enum role role = ROLE_NONE;
    if (now >= ses.expires || now - ses.last_seen >= settings.session_idle || ses.user_disabled ||
        !role_parse(ses.role, &role)) {
        struct err ignored = ERR_INIT;
        if (acct_session_delete(s, ses.id, &ignored) != E_OK) {
            /* refused all the same; the purge removes it later */
        }
        arena_release(&a);
        return err_set(e, E_AUTH, "%s", no_session);
    }
    if (now - ses.last_seen >= TOUCH_EVERY) {
        /* Bookkeeping for the idle limit: a touch that loses a race with a
         * writer (for instance inside a read snapshot) is retried next time. */
        struct err ignored = ERR_INIT;
        if (acct_session_touch(s, ses.id, now, &ignored) != E_OK) {
            /* the session is valid all the same */
        }
    }
    out->role = role;
    out->user_id = ses.user_id;
    out->session_id = ses.id;
    copy_name(out->name, ses.user_name);
    if (csrf) {
        csrf_of(token, csrf);
    }
    arena_release(&a);
    return E_OK;
}

enum app_err auth_logout(struct store *s, const char *token, const char *address, struct err *e)
{
    if (!secret_shape(token, "rfs_")) {
        return E_OK;
    }
    unsigned char hash[ACCT_HASH_BYTES];
    secret_hash(token, hash);
    struct arena a = ARENA_INIT;
    struct acct_session ses;
    enum app_err rc = acct_session_by_hash(s, hash, &a, &ses, e);
    if (rc == E_NOT_FOUND) {
        arena_release(&a);
        return E_OK;
    }
    bool own = false;
    if (rc == E_OK) {
        rc = tx_begin(s, &own, e);
        if (rc == E_OK) {
            rc = acct_session_delete(s, ses.id, e);
            if (rc == E_OK) {
                struct principal who = {.kind = PRINCIPAL_USER, .user_id = ses.user_id};
                role_parse(ses.role, &who.role);
                copy_name(who.name, ses.user_name);
                rc = audit_record(s, &who, address, "logout", "user", ses.user_name, NULL, e);
            }
            rc = tx_end(s, own, rc, e);
        }
    }
    arena_release(&a);
    return rc;
}

enum app_err auth_csrf_check(const char *session_token, const char *header, struct err *e)
{
    if (!secret_shape(session_token, "rfs_") || !header ||
        strnlen(header, AUTH_CSRF_CHARS + 1) != AUTH_CSRF_CHARS) {
        return err_set(e, E_FORBIDDEN, "missing or wrong X-CSRF-Token");
    }
    char want[AUTH_CSRF_CHARS + 1];
    csrf_of(session_token, want);
    if (sodium_memcmp(want, header, AUTH_CSRF_CHARS) != 0) {
        return err_set(e, E_FORBIDDEN, "missing or wrong X-CSRF-Token");
    }
    return E_OK;
}

enum app_err auth_session_purge(struct store *s, struct err *e)
{
    int64_t now = auth_now();
    return acct_session_purge(s, now, now - settings.session_idle, e);
}

/* ---- the access policy ---- */

bool auth_can_admin(const struct principal *p)
{
    return p && p->role == ROLE_ADMIN;
}

/* admin and coordinator: the roles that may change who sees what. */
static bool manages(const struct principal *p)
{
    return p && (p->role == ROLE_ADMIN || p->role == ROLE_COORDINATOR);
}

enum app_err auth_person_sensitive(struct store *s, const char *person_id, bool *out, struct err *e)
{
    struct acct_person_facts f;
    *out = true;
    enum app_err rc = acct_person_facts(s, person_id, &f, e);
    if (rc != E_OK) {
        return rc;
    }
    switch (f.sensitive) {
    case TRI_TRUE:
        *out = true;
        break;
    case TRI_FALSE:
        *out = false;
        break;
    case TRI_UNKNOWN:
        *out = f.subject;
        break;
    }
    return E_OK;
}

bool auth_can_case(struct store *s, const struct principal *p, const char *case_id, enum verb v)
{
    if (!p || !case_id) {
        return false;
    }
    switch (p->role) {
    case ROLE_ADMIN:
    case ROLE_COORDINATOR:
        return true;
    case ROLE_RESEARCHER: {
        if (v == VERB_ADMIN || p->user_id <= 0) {
            return false;
        }
        bool assigned = false;
        struct err e = ERR_INIT;
        return acct_is_assigned(s, case_id, p->user_id, &assigned, &e) == E_OK && assigned;
    }
    case ROLE_VIEWER:
        return v == VERB_READ;
    case ROLE_NONE:
        return false;
    }
    return false;
}

bool auth_can_person(struct store *s, const struct principal *p, const char *person_id, enum verb v)
{
    if (!p || !person_id) {
        return false;
    }
    struct err e = ERR_INIT;
    bool sensitive = true;
    switch (p->role) {
    case ROLE_ADMIN:
    case ROLE_COORDINATOR:
        return true;
    case ROLE_RESEARCHER: {
        if (v == VERB_ADMIN) {
            return false;
        }
        bool mine = false;
        if (p->user_id > 0 &&
            acct_person_in_assigned_case(s, person_id, p->user_id, &mine, &e) != E_OK) {
            return false;
        }
        if (mine) {
            return true;
        }
        return auth_person_sensitive(s, person_id, &sensitive, &e) == E_OK && !sensitive;
    }
    case ROLE_VIEWER:
        if (v != VERB_READ) {
            return false;
        }
        return auth_person_sensitive(s, person_id, &sensitive, &e) == E_OK && !sensitive;
    case ROLE_NONE:
        return false;
    }
    return false;
}

bool auth_can_event(struct store *s, const struct principal *p, const char *event_id, enum verb v)
{
    if (!p || !event_id) {
        return false;
    }
    switch (v) {
    case VERB_ADMIN:
        return manages(p);
    case VERB_READ:
    case VERB_WRITE:
        break;
    }
    if (manages(p)) {
        return true;
    }
    if (p->role == ROLE_NONE || (p->role == ROLE_VIEWER && v != VERB_READ)) {
        return false;
    }
    struct arena a = ARENA_INIT;
    struct strs persons;
    struct err e = ERR_INIT;
    enum app_err rc = acct_event_persons(s, event_id, &a, &persons, &e);
    bool ok = rc == E_OK || rc == E_NOT_FOUND;
    for (size_t i = 0; ok && rc == E_OK && i < persons.n_items; i++) {
        ok = auth_can_person(s, p, persons.items[i], v);
    }
    arena_release(&a);
    return ok;
}

bool auth_can_reference(const struct principal *p, enum verb v)
{
    if (!p) {
        return false;
    }
    switch (v) {
    case VERB_READ:
        return p->role != ROLE_NONE;
    case VERB_WRITE:
        return p->role != ROLE_NONE && p->role != ROLE_VIEWER;
    case VERB_ADMIN:
        return manages(p);
    }
    return false;
}

static enum app_err change_assignment(struct store *s, const struct principal *by,
                                      const char *address, const char *case_id,
                                      const char *user_name, bool assign, struct err *e)
{
    if (!auth_can_case(s, by, case_id, VERB_ADMIN)) {
        return err_set(e, E_FORBIDDEN, "only an admin or a coordinator may assign cases");
    }
    bool own;
    enum app_err rc = tx_begin(s, &own, e);
    if (rc != E_OK) {
        return rc;
    }
    struct arena a = ARENA_INIT;
    struct acct_user u;
    rc = acct_user_get(s, user_name, &a, &u, e);
    if (rc == E_OK) {
        rc = assign ? acct_assign(s, case_id, u.id, auth_now(), e)
                    : acct_unassign(s, case_id, u.id, e);
    }
    if (rc == E_OK) {
        char detail[AUTH_NAME_MAX + 8];
        snprintf(detail, sizeof detail, "user %s", user_name);
        rc = audit_record(s, by, address, assign ? "case.assign" : "case.unassign", "case", case_id,
                          detail, e);
    }
    arena_release(&a);
    return tx_end(s, own, rc, e);
}

enum app_err auth_case_assign(struct store *s, const struct principal *by, const char *address,
                              const char *case_id, const char *user_name, struct err *e)
{
    return change_assignment(s, by, address, case_id, user_name, true, e);
}

enum app_err auth_case_unassign(struct store *s, const struct principal *by, const char *address,
                                const char *case_id, const char *user_name, struct err *e)
{
    return change_assignment(s, by, address, case_id, user_name, false, e);
}

enum app_err auth_case_assignees(struct store *s, const struct principal *by, const char *case_id,
                                 auth_user_fn fn, void *ctx, struct err *e)
{
    if (!auth_can_case(s, by, case_id, VERB_ADMIN)) {
        return err_set(e, E_FORBIDDEN, "only an admin or a coordinator may see who has a case");
    }
    struct user_each_ctx c = {fn, ctx};
    return acct_assignees_each(s, case_id, user_each_cb, &c, e);
}

/* ---- the audit trail ---- */

enum {
    AUDIT_USER_MAX = 128,
    AUDIT_ADDRESS_MAX = 128,
    AUDIT_ACTION_MAX = 64,
    AUDIT_KIND_MAX = 32,
    AUDIT_ID_MAX = 256,
    AUDIT_DETAIL_MAX = 1024,
};

/* A copy of s in the arena, at most max bytes, with control characters
 * (C0, DEL, C1) and invalid UTF-8 replaced by '?', cut only between
 * characters. NULL gives NULL. */
static const char *clean(struct arena *a, const char *s, size_t max)
{
    if (!s) {
        return NULL;
    }
    size_t n = strlen(s);
    char *out = arena_alloc(a, (n < max ? n : max) + 1);
    size_t o = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_seq(u + i, n - i);
        bool control = len == 0 || (len == 1 && (u[i] < 0x20 || u[i] == 0x7f)) ||
                       (len == 2 && u[i] == 0xc2 && u[i + 1] < 0xa0);
        size_t take = control ? 1 : len;
        if (o + take > max) {
            break;
        }
        if (control) {
            out[o++] = '?';
        } else {
            memcpy(out + o, s + i, len);
            o += len;
        }
        i += len ? len : 1;
    }
    out[o] = '\0';
    return out;
}

static void hash_u64(crypto_generichash_state *h, uint64_t v)
{
    unsigned char b[8];
    for (int i = 7; i >= 0; i--) {
        b[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
    crypto_generichash_update(h, b, sizeof b);
}

static void hash_field(crypto_generichash_state *h, const char *v)
{
    unsigned char present = v ? 1 : 0;
    crypto_generichash_update(h, &present, 1);
    if (v) {
        size_t n = strlen(v);
        hash_u64(h, (uint64_t)n);
        crypto_generichash_update(h, (const unsigned char *)v, n);
    }
}

/* The entry's hash: BLAKE2b-256 over a version label, prev_hash, seq
 * (8 bytes big-endian) and each field as a presence byte then, when
 * present, an 8-byte big-endian length and the bytes. */
static void audit_hash(const struct acct_audit *a, unsigned char out[ACCT_HASH_BYTES])
{
    static const char label[] = "refuge audit v1";
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, ACCT_HASH_BYTES);
    crypto_generichash_update(&h, (const unsigned char *)label, sizeof label);
    crypto_generichash_update(&h, a->prev_hash, ACCT_HASH_BYTES);
    hash_u64(&h, (uint64_t)a->seq);
    const char *fields[] = {a->time, a->user,      a->address, a->action,
                            a->kind, a->object_id, a->detail};
    for (size_t i = 0; i < ARRAY_LEN(fields); i++) {
        hash_field(&h, fields[i]);
    }
    crypto_generichash_final(&h, out, ACCT_HASH_BYTES);
}

static void iso_time(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(out, 32, "1970-01-01T00:00:00Z");
    }
}

enum app_err audit_record(struct store *s, const struct principal *p, const char *address,
                          const char *action, const char *kind, const char *id, const char *detail,
                          struct err *e)
{
    if (!action) {
        return err_set(e, E_INTERNAL, "an audit entry needs an action");
    }
    struct arena a = ARENA_INIT;
    char when[32];
    iso_time(auth_now(), when);
    struct acct_audit entry = {
        .time = when,
        .user = clean(&a, p && p->name[0] ? p->name : "-", AUDIT_USER_MAX),
        .address = clean(&a, address, AUDIT_ADDRESS_MAX),
        .action = clean(&a, action, AUDIT_ACTION_MAX),
        .kind = clean(&a, kind, AUDIT_KIND_MAX),
        .object_id = clean(&a, id, AUDIT_ID_MAX),
        .detail = clean(&a, detail, AUDIT_DETAIL_MAX),
    };
    bool own;
    enum app_err rc = tx_begin(s, &own, e);
    if (rc == E_OK) {
        int64_t head;
        rc = acct_audit_head(s, &head, entry.prev_hash, e);
        if (rc == E_OK) {
            entry.seq = head + 1;
            audit_hash(&entry, entry.hash);
            rc = acct_audit_insert(s, &entry, e);
        }
        if (rc == E_OK) {
            /* every entry is also a leaf of the tamper-evident log */
            rc = ledger_append_audit(s, entry.time, entry.seq, entry.hash, e);
        }
        rc = tx_end(s, own, rc, e);
    }
    arena_release(&a);
    return rc;
}

enum app_err audit_person_read(struct store *s, const struct principal *p, const char *address,
                               const char *person_id, struct err *e)
{
    bool sensitive = true;
    enum app_err rc = auth_person_sensitive(s, person_id, &sensitive, e);
    if (rc != E_OK || !sensitive) {
        return rc;
    }
    return audit_record(s, p, address, "person.read", "person", person_id, NULL, e);
}

enum app_err audit_case_subjects_read(struct store *s, const struct principal *p,
                                      const char *address, const char *case_id, struct err *e)
{
    return audit_record(s, p, address, "case.read-subjects", "case", case_id, NULL, e);
}

struct audit_each_ctx {
    audit_fn fn;
    void *ctx;
};

static enum app_err audit_each_cb(void *ctx, const struct acct_audit *a)
{
    struct audit_each_ctx *c = ctx;
    struct audit_entry out = {
        .seq = a->seq,
        .time = a->time,
        .user = a->user,
        .address = a->address,
        .action = a->action,
        .kind = a->kind,
        .object_id = a->object_id,
        .detail = a->detail,
    };
    sodium_bin2hex(out.hash, sizeof out.hash, a->hash, ACCT_HASH_BYTES);
    return c->fn(c->ctx, &out);
}

/* "YYYY-MM-DD" optionally followed by more of an ISO time. */
static bool since_ok(const char *s)
{
    static const char shape[] = "dddd-dd-dd";
    if (strnlen(s, 40) < 10 || strnlen(s, 40) > 32) {
        return false;
    }
    for (size_t i = 0; i < 10; i++) {
        bool digit = s[i] >= '0' && s[i] <= '9';
        if (shape[i] == 'd' ? !digit : s[i] != '-') {
            return false;
        }
    }
    return true;
}

enum app_err audit_each(struct store *s, const struct principal *by, const struct audit_filter *f,
                        audit_fn fn, void *ctx, struct err *e)
{
    enum app_err rc = need_admin(by, e);
    if (rc != E_OK) {
        return rc;
    }
    struct acct_audit_filter af = {0};
    if (f) {
        if (f->since && !since_ok(f->since)) {
            return err_set(e, E_INVALID, "a date is written YYYY-MM-DD");
        }
        af = (struct acct_audit_filter){f->since, f->user, f->after_seq, f->limit};
    }
    struct audit_each_ctx c = {fn, ctx};
    return acct_audit_each(s, &af, audit_each_cb, &c, e);
}

struct verify_ctx {
    int64_t expect; /* the next seq */
    unsigned char prev[ACCT_HASH_BYTES];
    int64_t bad;
    int64_t count;
    char why[160];
};

static enum app_err verify_cb(void *ctx, const struct acct_audit *a)
{
    struct verify_ctx *v = ctx;
    v->count++;
    if (v->bad) {
        return E_OK;
    }
    unsigned char want[ACCT_HASH_BYTES];
    audit_hash(a, want);
    if (a->seq != v->expect) {
        v->bad = a->seq < v->expect ? a->seq : v->expect;
        snprintf(v->why, sizeof v->why,
                 a->seq > v->expect ? "entry %lld is missing" : "entry %lld is out of sequence",
                 (long long)v->bad);
    } else if (memcmp(a->prev_hash, v->prev, ACCT_HASH_BYTES) != 0) {
        v->bad = a->seq;
        snprintf(v->why, sizeof v->why, "entry %lld does not follow the entry before it",
                 (long long)a->seq);
    } else if (memcmp(want, a->hash, ACCT_HASH_BYTES) != 0) {
        v->bad = a->seq;
        snprintf(v->why, sizeof v->why, "entry %lld was changed", (long long)a->seq);
    }
    memcpy(v->prev, a->hash, ACCT_HASH_BYTES);
    v->expect = a->seq + 1;
    return E_OK;
}

enum app_err audit_verify(struct store *s, int64_t *first_bad_seq, int64_t *entries, struct err *e)
{
    *first_bad_seq = 0;
    if (entries) {
        *entries = 0;
    }
    bool own;
    enum app_err rc = acct_read_begin(s, &own, e);
    if (rc != E_OK) {
        return rc;
    }
    int64_t head_seq = 0;
    unsigned char head_hash[ACCT_HASH_BYTES];
    struct verify_ctx v = {.expect = 1};
    rc = acct_audit_head(s, &head_seq, head_hash, e);
    if (rc == E_OK) {
        struct acct_audit_filter all = {.after_seq = INT64_MIN};
        rc = acct_audit_each(s, &all, verify_cb, &v, e);
    }
    acct_read_end(s, own);
    if (rc != E_OK) {
        return rc;
    }
    int64_t last = v.expect - 1;
    if (!v.bad && last > head_seq) {
        v.bad = head_seq + 1;
        snprintf(v.why, sizeof v.why, "entries after %lld are not part of the chain",
                 (long long)head_seq);
    } else if (!v.bad && last < head_seq) {
        v.bad = last + 1;
        snprintf(v.why, sizeof v.why, "entries %lld to %lld are missing", (long long)(last + 1),
                 (long long)head_seq);
    } else if (!v.bad && memcmp(head_hash, v.prev, ACCT_HASH_BYTES) != 0) {
        v.bad = head_seq;
        snprintf(v.why, sizeof v.why, "entry %lld does not match the chain head",
                 (long long)head_seq);
    }
    if (entries) {
        *entries = v.count;
    }
    if (v.bad) {
        *first_bad_seq = v.bad;
        err_set(e, E_CONFLICT, "the audit log was tampered with: %s", v.why);
    }
    return E_OK;
}

enum app_err audit_head(struct store *s, int64_t *seq, char hex[AUTH_HASH_HEX + 1], struct err *e)
{
    unsigned char h[ACCT_HASH_BYTES];
    enum app_err rc = acct_audit_head(s, seq, h, e);
    if (rc == E_OK) {
        sodium_bin2hex(hex, AUTH_HASH_HEX + 1, h, sizeof h);
    }
    return rc;
}

struct checkpoint_ctx {
    int64_t seq;
    bool found;
    unsigned char hash[ACCT_HASH_BYTES];
};

static enum app_err checkpoint_cb(void *ctx, const struct acct_audit *a)
{
    struct checkpoint_ctx *c = ctx;
    if (a->seq == c->seq) {
        c->found = true;
        memcpy(c->hash, a->hash, ACCT_HASH_BYTES);
    }
    return E_OK;
}

enum app_err audit_check_checkpoint(struct store *s, int64_t seq, const char *hex, bool *matches,
                                    struct err *e)
{
    *matches = false;
    unsigned char want[ACCT_HASH_BYTES];
    size_t got = 0;
    if (!hex || strlen(hex) != AUTH_HASH_HEX ||
        sodium_hex2bin(want, sizeof want, hex, AUTH_HASH_HEX, NULL, &got, NULL) != 0 ||
        got != sizeof want) {
        return err_set(e, E_INVALID, "a checkpoint hash is 64 hexadecimal digits");
    }
    if (seq == 0) {
        *matches = sodium_is_zero(want, sizeof want) != 0;
        return E_OK;
    }
    struct checkpoint_ctx c = {.seq = seq};
    struct acct_audit_filter f = {.after_seq = seq - 1, .limit = 1};
    enum app_err rc = acct_audit_each(s, &f, checkpoint_cb, &c, e);
    if (rc == E_OK) {
        *matches = c.found && memcmp(c.hash, want, sizeof want) == 0;
    }
    return rc;
}
