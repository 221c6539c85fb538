/*
 * test_auth.c: accounts and the access policy: password rules and Argon2id
 * hashing, login and its rate limits, session expiry on an injected clock,
 * CSRF checks, API tokens and revocation, the full matrix of role x
 * resource x verb, and detection of a tampered audit log.
 */
/* cmocka.h needs the headers before it. */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>
/* clang-format on */

#include "service/auth.h"
#include "store/accounts.h"
#include "store/store.h"

static int64_t fake_now;

static int64_t fake_clock(void)
{
    return fake_now;
}

static const char good_pw[] = "correct horse battery";

static int setup(void **state)
{
    struct store *s = NULL;
    struct err e = ERR_INIT;
    if (store_open(":memory:", 0, &s, &e) != E_OK) {
        fprintf(stderr, "%s\n", e.msg);
        return -1;
    }
    fake_now = 1700000000;
    auth_set_clock(fake_clock);
    struct auth_settings cfg;
    auth_settings_default(&cfg);
    auth_configure(&cfg);
    auth_limiter_reset();
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    store_close(*state);
    auth_set_clock(NULL);
    return 0;
}

static void add_user(struct store *s, const char *name, enum role role, const char *pw)
{
    struct principal cli = auth_local_principal();
    struct err e = ERR_INIT;
    enum app_err rc = auth_user_add(s, &cli, "local", name, role, pw, &e);
    if (rc != E_OK) {
        fail_msg("adding %s: %s", name, e.msg);
    }
}

/* ---- passwords ---- */

static void password_rules(void **state)
{
    struct store *s = *state;
    struct err e = ERR_INIT;
    assert_int_equal(auth_password_check("ann", "elevenchars", &e), E_INVALID);
    assert_int_equal(auth_password_check("ann", "twelve chars", &e), E_OK);
    /* characters, not bytes: eleven two-byte letters are too short */
    assert_int_equal(auth_password_check("ann", "ééééééééééé", &e), E_INVALID);
    assert_int_equal(auth_password_check("ann", "éééééééééééé", &e), E_OK);
    assert_int_equal(auth_password_check("ann", "bad utf-8 \xff\xfe here", &e), E_INVALID);
    assert_int_equal(auth_password_check("annannannann", "annannannann", &e), E_INVALID);
    char big[AUTH_PASSWORD_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(auth_password_check("ann", big, &e), E_INVALID);
    assert_int_equal(auth_password_check("ann", NULL, &e), E_INVALID);

    struct principal cli = auth_local_principal();
    assert_int_equal(auth_user_add(s, &cli, NULL, "ann", ROLE_VIEWER, "short", &e), E_INVALID);
    assert_int_equal(auth_user_add(s, &cli, NULL, "bad name", ROLE_VIEWER, good_pw, &e), E_INVALID);
    assert_int_equal(auth_user_add(s, &cli, NULL, "-ann", ROLE_VIEWER, good_pw, &e), E_INVALID);
    assert_int_equal(auth_user_add(s, &cli, NULL, "ann", ROLE_NONE, good_pw, &e), E_INVALID);
    add_user(s, "ann", ROLE_VIEWER, good_pw);
    assert_int_equal(auth_user_add(s, &cli, NULL, "ann", ROLE_VIEWER, good_pw, &e), E_CONFLICT);

    /* stored as an Argon2id string, never as the password */
    struct arena a = ARENA_INIT;
    struct acct_user u;
    assert_int_equal(acct_user_get(s, "ann", &a, &u, &e), E_OK);
    assert_true(strncmp(u.password_hash, "$argon2id$", 10) == 0);
    assert_null(strstr(u.password_hash, good_pw));
    arena_release(&a);

    /* only an admin manages accounts */
    struct principal coord = {.kind = PRINCIPAL_USER, .role = ROLE_COORDINATOR};
    assert_int_equal(auth_user_add(s, &coord, NULL, "bob", ROLE_ADMIN, good_pw, &e), E_FORBIDDEN);
    assert_int_equal(auth_user_disable(s, &coord, NULL, "ann", &e), E_FORBIDDEN);
    assert_int_equal(auth_user_passwd(s, &coord, NULL, "ann", good_pw, &e), E_FORBIDDEN);
}

/* ---- login and sessions ---- */

static void login_and_session(void **state)
{
    struct store *s = *state;
    struct err e = ERR_INIT;
    add_user(s, "rita", ROLE_RESEARCHER, good_pw);
    struct auth_login in;
    assert_int_equal(auth_login(s, "rita", good_pw, "10.0.0.1", &in, &e), E_OK);
    assert_int_equal(strlen(in.token), AUTH_SECRET_CHARS);
    assert_true(strncmp(in.token, "rfs_", 4) == 0);
    assert_int_equal(strlen(in.csrf), AUTH_CSRF_CHARS);
    assert_string_equal(in.who.name, "rita");
    assert_int_equal(in.who.role, ROLE_RESEARCHER);
    assert_int_equal(in.expires, fake_now + 8 * 3600);

    struct principal p;
    char csrf[AUTH_CSRF_CHARS + 1];
    assert_int_equal(auth_session_lookup(s, in.token, &p, csrf, &e), E_OK);
    assert_string_equal(p.name, "rita");
    assert_int_equal(p.kind, PRINCIPAL_USER);
    assert_int_equal(p.role, ROLE_RESEARCHER);
    assert_true(p.user_id > 0);
    assert_string_equal(csrf, in.csrf);

    /* a second login gets a different session */
    struct auth_login in2;
    assert_int_equal(auth_login(s, "rita", good_pw, "10.0.0.1", &in2, &e), E_OK);
    assert_string_not_equal(in.token, in2.token);
    assert_string_not_equal(in.csrf, in2.csrf);

    /* wrong password, unknown user, malformed input: one answer */
    assert_int_equal(auth_login(s, "rita", "wrong password!", "10.0.0.1", &in, &e), E_AUTH);
    assert_string_equal(e.msg, "wrong user name or password");
    assert_int_equal(auth_login(s, "nobody", good_pw, "10.0.0.1", &in, &e), E_AUTH);
    assert_string_equal(e.msg, "wrong user name or password");
    assert_int_equal(auth_login(s, NULL, NULL, NULL, &in, &e), E_AUTH);

    /* unknown and malformed session tokens */
    assert_int_equal(auth_session_lookup(s, "rfs_nope", &p, NULL, &e), E_AUTH);
    assert_int_equal(auth_session_lookup(s, NULL, &p, NULL, &e), E_AUTH);
    char forged[AUTH_SECRET_CHARS + 1];
    memcpy(forged, in2.token, sizeof forged);
    forged[10] = forged[10] == 'A' ? 'B' : 'A';
    assert_int_equal(auth_session_lookup(s, forged, &p, NULL, &e), E_AUTH);
    assert_int_equal(p.role, ROLE_NONE);

    /* logout ends one session only */
    assert_int_equal(auth_logout(s, in2.token, "10.0.0.1", &e), E_OK);
    assert_int_equal(auth_session_lookup(s, in2.token, &p, NULL, &e), E_AUTH);
    assert_int_equal(auth_logout(s, in2.token, "10.0.0.1", &e), E_OK);
}

static void csrf_checks(void **state)
{
    struct store *s = *state;
    struct err e = ERR_INIT;
    add_user(s, "carl", ROLE_COORDINATOR, good_pw);
    struct auth_login a1;
    struct auth_login a2;
    assert_int_equal(auth_login(s, "carl", good_pw, "10.0.0.2", &a1, &e), E_OK);
    assert_int_equal(auth_login(s, "carl", good_pw, "10.0.0.2", &a2, &e), E_OK);
    assert_int_equal(auth_csrf_check(a1.token, a1.csrf, &e), E_OK);
    assert_int_equal(auth_csrf_check(a1.token, NULL, &e), E_FORBIDDEN);
    assert_int_equal(auth_csrf_check(a1.token, "", &e), E_FORBIDDEN);
    assert_int_equal(auth_csrf_check(a1.token, a2.csrf, &e), E_FORBIDDEN);
    char bad[AUTH_CSRF_CHARS + 1];
    memcpy(bad, a1.csrf, sizeof bad);
    bad[AUTH_CSRF_CHARS - 1] = bad[AUTH_CSRF_CHARS - 1] == 'A' ? 'B' : 'A';
    assert_int_equal(auth_csrf_check(a1.token, bad, &e), E_FORBIDDEN);
    char longer[AUTH_CSRF_CHARS + 2];
    memcpy(longer, a1.csrf, AUTH_CSRF_CHARS);
    longer[AUTH_CSRF_CHARS] = 'x';
    longer[AUTH_CSRF_CHARS + 1] = '\0';
    assert_int_equal(auth_csrf_check(a1.token, longer, &e), E_FORBIDDEN);
    assert_int_equal(auth_csrf_check(NULL, a1.csrf, &e), E_FORBIDDEN);
    assert_int_equal(auth_csrf_check("rfs_short", a1.csrf, &e), E_FORBIDDEN);
}

static void session_expiry(void **state)
{
    struct store *s = *state;
    struct err e = ERR_INIT;
    add_user(s, "ida", ROLE_VIEWER, good_pw);
    struct principal p;
    struct auth_login in;

    /* idle: activity keeps it alive, 30 minutes of silence ends it */
    assert_int_equal(auth_login(s, "ida", good_pw, NULL, &in, &e), E_OK);
    fake_now += 1700;
    assert_int_equal(auth_session_lookup(s, in.token, &p, NULL, &e), E_OK);
    fake_now += 1700;
    assert_int_equal(auth_session_lookup(s, in.token, &p, NULL, &e), E_OK);
    fake_now += 1800;
    assert_int_equal(auth_session_lookup(s, in.token, &p, NULL, &e), E_AUTH);
    /* and it stays dead */
    fake_now -= 1800;
    assert_int_equal(auth_session_lookup(s, in.token, &p, NULL, &e), E_AUTH);

    /* absolute: 8 hours however busy */
    assert_int_equal(auth_login(s, "ida", good_pw, NULL, &in, &e), E_OK);
    int64_t start = fake_now;
    while (fake_now + 1000 < start + 8 * 3600) {
        fake_now += 1000;
        assert_int_equal(auth_session_lookup(s, in.token, &p, NULL, &e), E_OK);
    }
    fake_now = start + 8 * 3600;
    assert_int_equal(auth_session_lookup(s, in.token, &p, NULL, &e), E_AUTH);

    /* a configured idle limit */
    struct auth_settings cfg;
    auth_settings_default(&cfg);
    cfg.session_idle = 60;
    auth_configure(&cfg);
    assert_int_equal(auth_login(s, "ida", good_pw, NULL, &in, &e), E_OK);
    fake_now += 59;
    assert_int_equal(auth_session_lookup(s, in.token, &p, NULL, &e), E_OK);
    fake_now += 60;
    assert_int_equal(auth_session_lookup(s, in.token, &p, NULL, &e), E_AUTH);
    auth_settings_default(&cfg);
    auth_configure(&cfg);

    /* disabling the account or changing its password ends its sessions */
    struct principal cli = auth_local_principal();
    struct auth_login other;
    assert_int_equal(auth_login(s, "ida", good_pw, NULL, &in, &e), E_OK);
    assert_int_equal(auth_user_passwd(s, &cli, NULL, "ida", "another good password", &e), E_OK);
    assert_int_equal(auth_session_lookup(s, in.token, &p, NULL, &e), E_AUTH);
    assert_int_equal(auth_login(s, "ida", good_pw, NULL, &other, &e), E_AUTH);
    assert_int_equal(auth_login(s, "ida", "another good password", NULL, &in, &e), E_OK);
    assert_int_equal(auth_user_disable(s, &cli, NULL, "ida", &e), E_OK);
    assert_int_equal(auth_session_lookup(s, in.token, &p, NULL, &e), E_AUTH);
    assert_int_equal(auth_login(s, "ida", "another good password", NULL, &in, &e), E_AUTH);
    assert_int_equal(auth_user_disable(s, &cli, NULL, "nobody", &e), E_NOT_FOUND);
}

static void rate_limits(void **state)
{
    struct store *s = *state;
    struct err e = ERR_INIT;
    add_user(s, "vic", ROLE_VIEWER, good_pw);
    add_user(s, "val", ROLE_VIEWER, good_pw);
    struct auth_login in;

    /* per account: five failures, then even the right password is refused */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(auth_login(s, "vic", "wrong password!", "10.0.0.3", &in, &e), E_AUTH);
    }
    assert_int_equal(auth_login(s, "vic", good_pw, "10.0.0.4", &in, &e), E_RATE_LIMITED);
    /* other accounts are not affected */
    assert_int_equal(auth_login(s, "val", good_pw, "10.0.0.4", &in, &e), E_OK);
    /* the window passes */
    fake_now += 15 * 60;
    assert_int_equal(auth_login(s, "vic", good_pw, "10.0.0.4", &in, &e), E_OK);
    /* success forgets the account's failures */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(auth_login(s, "vic", "wrong password!", "10.0.0.5", &in, &e), E_AUTH);
    }
    assert_int_equal(auth_login(s, "vic", good_pw, "10.0.0.5", &in, &e), E_OK);
    assert_int_equal(auth_login(s, "vic", "wrong password!", "10.0.0.5", &in, &e), E_AUTH);
    assert_int_equal(auth_login(s, "vic", good_pw, "10.0.0.5", &in, &e), E_OK);

    /* per address: twenty failures over many names */
    fake_now += 15 * 60;
    auth_limiter_reset();
    for (int i = 0; i < 20; i++) {
        char name[32];
        snprintf(name, sizeof name, "guess%d", i);
        assert_int_equal(auth_login(s, name, "wrong password!", "192.0.2.9", &in, &e), E_AUTH);
    }
    assert_int_equal(auth_login(s, "val", good_pw, "192.0.2.9", &in, &e), E_RATE_LIMITED);
    assert_int_equal(e.code, E_RATE_LIMITED);
    assert_int_equal(err_http_status(E_RATE_LIMITED), 429);
    assert_int_equal(err_number(E_RATE_LIMITED), 2003);
    assert_int_equal(auth_login(s, "val", good_pw, "192.0.2.10", &in, &e), E_OK);
    fake_now += 15 * 60;
    assert_int_equal(auth_login(s, "val", good_pw, "192.0.2.9", &in, &e), E_OK);
}

/* ---- tokens ---- */

static void tokens(void **state)
{
    struct store *s = *state;
    struct err e = ERR_INIT;
    struct principal cli = auth_local_principal();
    char secret[AUTH_SECRET_CHARS + 1];
    assert_int_equal(auth_token_add(s, &cli, "local", "backup", ROLE_VIEWER, NULL, secret, &e),
                     E_OK);
    assert_int_equal(strlen(secret), AUTH_SECRET_CHARS);
    assert_true(strncmp(secret, "rfg_", 4) == 0);
    assert_int_equal(auth_token_add(s, &cli, "local", "backup", ROLE_VIEWER, NULL, secret, &e),
                     E_CONFLICT);
    assert_int_equal(secret[0], '\0');
    assert_int_equal(auth_token_add(s, &cli, "local", "backup2", ROLE_VIEWER, NULL, secret, &e),
                     E_OK);
    char first[AUTH_SECRET_CHARS + 1];
    assert_int_equal(auth_token_add(s, &cli, "local", "backup3", ROLE_COORDINATOR, NULL, first, &e),
                     E_OK);
    assert_string_not_equal(first, secret);

    struct principal p;
    assert_int_equal(auth_token_lookup(s, secret, &p, &e), E_OK);
    assert_int_equal(p.kind, PRINCIPAL_TOKEN);
    assert_string_equal(p.name, "backup2");
    assert_int_equal(p.role, ROLE_VIEWER);
    assert_int_equal(p.user_id, 0);
    assert_int_equal(auth_token_lookup(s, first, &p, &e), E_OK);
    assert_int_equal(p.role, ROLE_COORDINATOR);

    /* malformed, unknown and session tokens are refused */
    assert_int_equal(auth_token_lookup(s, "rfg_short", &p, &e), E_AUTH);
    assert_int_equal(auth_token_lookup(s, NULL, &p, &e), E_AUTH);
    char forged[AUTH_SECRET_CHARS + 1];
    memcpy(forged, secret, sizeof forged);
    forged[20] = forged[20] == 'A' ? 'B' : 'A';
    assert_int_equal(auth_token_lookup(s, forged, &p, &e), E_AUTH);
    assert_int_equal(p.role, ROLE_NONE);
    memcpy(forged, secret, sizeof forged);
    memcpy(forged, "rfs_", 4);
    assert_int_equal(auth_token_lookup(s, forged, &p, &e), E_AUTH);

    /* revocation */
    assert_int_equal(auth_token_revoke(s, &cli, "local", "backup2", &e), E_OK);
    assert_int_equal(auth_token_lookup(s, secret, &p, &e), E_AUTH);
    assert_int_equal(auth_token_revoke(s, &cli, "local", "nope", &e), E_NOT_FOUND);

    /* a token bound to an account has its role and assignments, and dies with it */
    add_user(s, "rae", ROLE_RESEARCHER, good_pw);
    assert_int_equal(
        auth_token_add(s, &cli, NULL, "rae-script", ROLE_COORDINATOR, "rae", secret, &e),
        E_INVALID);
    assert_int_equal(
        auth_token_add(s, &cli, NULL, "rae-script", ROLE_RESEARCHER, "nobody", secret, &e),
        E_NOT_FOUND);
    assert_int_equal(
        auth_token_add(s, &cli, NULL, "rae-script", ROLE_RESEARCHER, "rae", secret, &e), E_OK);
    assert_int_equal(auth_token_lookup(s, secret, &p, &e), E_OK);
    assert_true(p.user_id > 0);
    assert_int_equal(p.role, ROLE_RESEARCHER);
    assert_int_equal(auth_user_disable(s, &cli, NULL, "rae", &e), E_OK);
    assert_int_equal(auth_token_lookup(s, secret, &p, &e), E_AUTH);

    /* only admins manage tokens */
    struct principal viewer = {.kind = PRINCIPAL_TOKEN, .role = ROLE_VIEWER};
    assert_int_equal(auth_token_add(s, &viewer, NULL, "x", ROLE_ADMIN, NULL, secret, &e),
                     E_FORBIDDEN);
    assert_int_equal(auth_token_revoke(s, &viewer, NULL, "backup", &e), E_FORBIDDEN);
}

/* ---- the access matrix ---- */

static void put_person(struct store *s, const char *id, enum tri sensitive)
{
    struct person_name nm = {.full = "Name", .script = "Latn", .kind = "primary"};
    struct person p = {.id = id, .names = &nm, .n_names = 1, .sensitive = sensitive};
    enum store_put_result r;
    struct err e = ERR_INIT;
    assert_int_equal(store_put(s, OBJ_PERSON, &p, &r, &e), E_OK);
}

static void put_case(struct store *s, const char *id, const char **subjects, size_t n)
{
    struct case_ c = {.id = id, .title = "T", .state = "KZ", .status = "open"};
    c.subjects.items = subjects;
    c.subjects.n_items = n;
    enum store_put_result r;
    struct err e = ERR_INIT;
    assert_int_equal(store_put(s, OBJ_CASE, &c, &r, &e), E_OK);
}

static void put_event(struct store *s, const char *id, const char **persons, size_t n,
                      const char *official)
{
    struct event ev = {.id = id, .type = EV_DETENTION, .official = official};
    ev.persons.items = persons;
    ev.persons.n_items = n;
    enum store_put_result r;
    struct err e = ERR_INIT;
    assert_int_equal(store_put(s, OBJ_EVENT, &ev, &r, &e), E_OK);
}

/* The world of the matrix: case-a is assigned to the researcher, case-b is not.
 *   p-open      sensitive: false, in no case
 *   p-plain     sensitive absent, in no case (so not sensitive)
 *   p-sens      sensitive: true, in no case
 *   p-subj-a    sensitive absent, subject of case-a (so sensitive)
 *   p-subj-b    sensitive absent, subject of case-b (so sensitive)
 *   p-sens-a    sensitive: true, subject of case-a
 *   p-pub-b     sensitive: false, subject of case-b */
static const char *subjects_a[] = {"p-subj-a", "p-sens-a"};
static const char *subjects_b[] = {"p-subj-b", "p-pub-b"};
static const char *ev_a_persons[] = {"p-subj-a"};
static const char *ev_b_persons[] = {"p-subj-b"};
static const char *ev_open_persons[] = {"p-open", "p-plain"};

static int64_t build_world(struct store *s)
{
    struct err e = ERR_INIT;
    assert_int_equal(store_begin(s, &e), E_OK);
    put_person(s, "p-open", TRI_FALSE);
    put_person(s, "p-plain", TRI_UNKNOWN);
    put_person(s, "p-sens", TRI_TRUE);
    put_person(s, "p-subj-a", TRI_UNKNOWN);
    put_person(s, "p-subj-b", TRI_UNKNOWN);
    put_person(s, "p-sens-a", TRI_TRUE);
    put_person(s, "p-pub-b", TRI_FALSE);
    put_case(s, "case-a", subjects_a, 2);
    put_case(s, "case-b", subjects_b, 2);
    put_event(s, "ev-a", ev_a_persons, 1, "p-open");
    put_event(s, "ev-b", ev_b_persons, 1, NULL);
    put_event(s, "ev-open", ev_open_persons, 2, NULL);
    assert_int_equal(store_commit(s, &e), E_OK);
    int64_t rid = 0;
    assert_int_equal(acct_user_insert(s, "res", "researcher", "$argon2id$x", 0, &rid, &e), E_OK);
    assert_int_equal(acct_user_insert(s, "res2", "researcher", "$argon2id$x", 0, NULL, &e), E_OK);
    struct principal cli = auth_local_principal();
    assert_int_equal(auth_case_assign(s, &cli, "local", "case-a", "res", &e), E_OK);
    assert_int_equal(auth_case_assign(s, &cli, "local", "case-a", "res", &e), E_OK);
    assert_int_equal(auth_case_assign(s, &cli, "local", "case-b", "res2", &e), E_OK);
    assert_int_equal(auth_case_unassign(s, &cli, "local", "case-b", "res2", &e), E_OK);
    assert_int_equal(auth_case_unassign(s, &cli, "local", "case-b", "res2", &e), E_NOT_FOUND);
    assert_int_equal(auth_case_assign(s, &cli, "local", "no-case", "res", &e), E_NOT_FOUND);
    assert_int_equal(auth_case_assign(s, &cli, "local", "case-a", "nobody", &e), E_NOT_FOUND);
    return rid;
}

enum res_kind { R_CASE, R_PERSON, R_EVENT, R_REFERENCE };

struct resource {
    enum res_kind kind;
    const char *id;
};

static const struct resource resources[] = {
    {R_CASE, "case-a"},    {R_CASE, "case-b"},     {R_PERSON, "p-open"},   {R_PERSON, "p-plain"},
    {R_PERSON, "p-sens"},  {R_PERSON, "p-subj-a"}, {R_PERSON, "p-subj-b"}, {R_PERSON, "p-sens-a"},
    {R_PERSON, "p-pub-b"}, {R_EVENT, "ev-a"},      {R_EVENT, "ev-b"},      {R_EVENT, "ev-open"},
    {R_REFERENCE, NULL},
};

enum { N_RES = ARRAY_LEN(resources) };

/* Expected decisions, one string per role and verb: one character per
 * resource in the order above, 'y' allowed and '.' denied. */
struct expect {
    enum role role;
    const char *verbs[3]; /* READ, WRITE, ADMIN */
};

static const struct expect matrix[] = {
    /*                        ab opsabkp abo R */
    {ROLE_ADMIN, {"yyyyyyyyyyyyy", "yyyyyyyyyyyyy", "yyyyyyyyyyyyy"}},
    {ROLE_COORDINATOR, {"yyyyyyyyyyyyy", "yyyyyyyyyyyyy", "yyyyyyyyyyyyy"}},
    {ROLE_RESEARCHER, {"y.yy.y.yyy.yy", "y.yy.y.yyy.yy", "............."}},
    {ROLE_VIEWER, {"yyyy....y..yy", ".............", "............."}},
    {ROLE_NONE, {".............", ".............", "............."}},
};

static bool decide(struct store *s, const struct principal *p, const struct resource *r,
                   enum verb v)
{
    switch (r->kind) {
    case R_CASE:
        return auth_can_case(s, p, r->id, v);
    case R_PERSON:
        return auth_can_person(s, p, r->id, v);
    case R_EVENT:
        return auth_can_event(s, p, r->id, v);
    case R_REFERENCE:
        return auth_can_reference(p, v);
    }
    return false;
}

static void access_matrix(void **state)
{
    struct store *s = *state;
    int64_t rid = build_world(s);
    static const char *verb_names[] = {"read", "write", "admin"};
    int checked = 0;
    for (size_t m = 0; m < ARRAY_LEN(matrix); m++) {
        struct principal p = {.kind = PRINCIPAL_USER, .role = matrix[m].role, .user_id = rid};
        snprintf(p.name, sizeof p.name, "%s", role_name(matrix[m].role));
        for (int v = VERB_READ; v <= VERB_ADMIN; v++) {
            const char *want = matrix[m].verbs[v];
            assert_int_equal(strlen(want), N_RES);
            for (size_t r = 0; r < N_RES; r++) {
                bool got = decide(s, &p, &resources[r], (enum verb)v);
                if (got != (want[r] == 'y')) {
                    fail_msg("%s %s %s: expected %s", role_name(p.role), verb_names[v],
                             resources[r].id ? resources[r].id : "reference",
                             want[r] == 'y' ? "allow" : "deny");
                }
                checked++;
            }
        }
    }
    assert_int_equal(checked, (int)(ARRAY_LEN(matrix) * 3 * N_RES));

    /* a researcher acting for no account (an unbound token) has no cases */
    struct principal unbound = {.kind = PRINCIPAL_TOKEN, .role = ROLE_RESEARCHER};
    assert_false(auth_can_case(s, &unbound, "case-a", VERB_READ));
    assert_false(auth_can_person(s, &unbound, "p-subj-a", VERB_READ));
    assert_true(auth_can_person(s, &unbound, "p-open", VERB_READ));
    /* nobody at all */
    assert_false(auth_can_case(s, NULL, "case-a", VERB_READ));
    assert_false(auth_can_person(s, NULL, "p-open", VERB_READ));
    assert_false(auth_can_reference(NULL, VERB_READ));
    assert_false(auth_can_admin(NULL));
    /* only admins administer accounts */
    for (size_t m = 0; m < ARRAY_LEN(matrix); m++) {
        struct principal p = {.role = matrix[m].role};
        assert_int_equal(auth_can_admin(&p), matrix[m].role == ROLE_ADMIN);
    }
    /* unassigning takes access away */
    struct principal res = {.kind = PRINCIPAL_USER, .role = ROLE_RESEARCHER, .user_id = rid};
    struct principal cli = auth_local_principal();
    struct err e = ERR_INIT;
    assert_int_equal(auth_case_unassign(s, &cli, NULL, "case-a", "res", &e), E_OK);
    assert_false(auth_can_case(s, &res, "case-a", VERB_READ));
    assert_false(auth_can_person(s, &res, "p-subj-a", VERB_READ));
    /* researchers and viewers may not assign */
    struct principal viewer = {.role = ROLE_VIEWER};
    assert_int_equal(auth_case_assign(s, &res, NULL, "case-a", "res", &e), E_FORBIDDEN);
    assert_int_equal(auth_case_assign(s, &viewer, NULL, "case-a", "res", &e), E_FORBIDDEN);
    struct principal coord = {.role = ROLE_COORDINATOR};
    assert_int_equal(auth_case_assign(s, &coord, NULL, "case-a", "res", &e), E_OK);
    assert_true(auth_can_case(s, &res, "case-a", VERB_WRITE));
}

/* ---- the audit trail ---- */

struct collect {
    int n;
    char last_user[64];
    char last_action[64];
};

static enum app_err collect_cb(void *ctx, const struct audit_entry *a)
{
    struct collect *c = ctx;
    c->n++;
    snprintf(c->last_user, sizeof c->last_user, "%s", a->user);
    snprintf(c->last_action, sizeof c->last_action, "%s", a->action);
    return E_OK;
}

static void audit_listing(void **state)
{
    struct store *s = *state;
    struct err e = ERR_INIT;
    struct principal cli = auth_local_principal();
    struct principal odd = {.kind = PRINCIPAL_USER, .role = ROLE_VIEWER};
    snprintf(odd.name, sizeof odd.name, "ev\x1b[31mil\nname");
    assert_int_equal(audit_record(s, &cli, "local", "test.one", "case", "c1", NULL, &e), E_OK);
    fake_now += 86400 * 2;
    assert_int_equal(audit_record(s, &odd, "local", "test.two", NULL, NULL, "d", &e), E_OK);
    assert_int_equal(audit_record(s, NULL, NULL, "test.three", NULL, NULL, NULL, &e), E_OK);

    /* an entry made in a transaction that rolls back is gone with it */
    assert_int_equal(store_begin(s, &e), E_OK);
    assert_int_equal(audit_record(s, &cli, "local", "test.rolled-back", NULL, NULL, NULL, &e),
                     E_OK);
    store_rollback(s);

    struct collect c = {0};
    assert_int_equal(audit_each(s, &cli, NULL, collect_cb, &c, &e), E_OK);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.last_user, "-");
    struct audit_filter f = {.user = "ev?[31mil?name"};
    memset(&c, 0, sizeof c);
    assert_int_equal(audit_each(s, &cli, &f, collect_cb, &c, &e), E_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.last_action, "test.two");
    char since[16];
    time_t t = (time_t)(fake_now - 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(since, sizeof since, "%Y-%m-%d", &tm);
    struct audit_filter g = {.since = since};
    memset(&c, 0, sizeof c);
    assert_int_equal(audit_each(s, &cli, &g, collect_cb, &c, &e), E_OK);
    assert_int_equal(c.n, 2);
    struct audit_filter bad = {.since = "yesterday"};
    assert_int_equal(audit_each(s, &cli, &bad, collect_cb, &c, &e), E_INVALID);
    struct principal viewer = {.role = ROLE_VIEWER};
    assert_int_equal(audit_each(s, &viewer, NULL, collect_cb, &c, &e), E_FORBIDDEN);

    /* reads of sensitive persons are recorded, of others not */
    build_world(s);
    memset(&c, 0, sizeof c);
    assert_int_equal(audit_each(s, &cli, NULL, collect_cb, &c, &e), E_OK);
    int before = c.n;
    assert_int_equal(audit_person_read(s, &viewer, "10.0.0.9", "p-open", &e), E_OK);
    assert_int_equal(audit_person_read(s, &viewer, "10.0.0.9", "p-subj-b", &e), E_OK);
    assert_int_equal(audit_case_subjects_read(s, &viewer, "10.0.0.9", "case-b", &e), E_OK);
    memset(&c, 0, sizeof c);
    assert_int_equal(audit_each(s, &cli, NULL, collect_cb, &c, &e), E_OK);
    assert_int_equal(c.n, before + 2);
    assert_string_equal(c.last_action, "case.read-subjects");

    int64_t bad_seq = -1;
    int64_t n = 0;
    assert_int_equal(audit_verify(s, &bad_seq, &n, &e), E_OK);
    assert_int_equal(bad_seq, 0);
    assert_int_equal(n, c.n);
}

/* A database file with `n` audit entries; its path in path. */
static void audit_file(char path[64], int n)
{
    snprintf(path, 64, "/tmp/refuge-test-auth-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    struct store *s = NULL;
    struct err e = ERR_INIT;
    assert_int_equal(store_open(path, 0, &s, &e), E_OK);
    struct principal cli = auth_local_principal();
    for (int i = 1; i <= n; i++) {
        char id[16];
        snprintf(id, sizeof id, "obj-%d", i);
        assert_int_equal(audit_record(s, &cli, "local", "test.write", "case", id, "x", &e), E_OK);
    }
    int64_t bad = -1;
    assert_int_equal(audit_verify(s, &bad, NULL, &e), E_OK);
    assert_int_equal(bad, 0);
    store_close(s);
}

static void remove_file(const char *path)
{
    char p[96];
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < ARRAY_LEN(suffixes); i++) {
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

/* Runs SQL on the file through a connection of its own; returns the SQLite code. */
static int raw_sql(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* Verifies the file; returns the first bad seq (0 when intact). */
static int64_t verify_file(const char *path, char *msg, size_t n)
{
    struct store *s = NULL;
    struct err e = ERR_INIT;
    assert_int_equal(store_open(path, 0, &s, &e), E_OK);
    int64_t bad = -1;
    assert_int_equal(audit_verify(s, &bad, NULL, &e), E_OK);
    if (msg) {
        snprintf(msg, n, "%s", e.msg);
    }
    store_close(s);
    return bad;
}

static void audit_tampering(void **state)
{
    (void)state;
    char path[64];
    char msg[512];

    /* the schema refuses changes and removals */
    audit_file(path, 5);
    assert_int_not_equal(raw_sql(path, "UPDATE audit_log SET detail = 'y' WHERE seq = 2"),
                         SQLITE_OK);
    assert_int_not_equal(raw_sql(path, "DELETE FROM audit_log WHERE seq = 5"), SQLITE_OK);
    assert_int_not_equal(raw_sql(path, "UPDATE audit_head SET seq = 4"), SQLITE_OK);
    assert_int_not_equal(raw_sql(path, "DELETE FROM audit_head"), SQLITE_OK);
    assert_int_equal(verify_file(path, NULL, 0), 0);

    /* a changed entry */
    assert_int_equal(raw_sql(path, "DROP TRIGGER audit_log_no_update;"
                                   " UPDATE audit_log SET detail = 'y' WHERE seq = 2"),
                     SQLITE_OK);
    assert_int_equal(verify_file(path, msg, sizeof msg), 2);
    assert_non_null(strstr(msg, "entry 2 was changed"));
    remove_file(path);

    /* a changed time: every field counts */
    audit_file(path, 5);
    assert_int_equal(raw_sql(path, "DROP TRIGGER audit_log_no_update;"
                                   " UPDATE audit_log SET time = '2000-01-01T00:00:00Z'"
                                   " WHERE seq = 4"),
                     SQLITE_OK);
    assert_int_equal(verify_file(path, NULL, 0), 4);
    remove_file(path);

    /* a deleted middle entry */
    audit_file(path, 5);
    assert_int_equal(
        raw_sql(path, "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 3"),
        SQLITE_OK);
    assert_int_equal(verify_file(path, msg, sizeof msg), 3);
    assert_non_null(strstr(msg, "entry 3 is missing"));
    remove_file(path);

    /* the last entry deleted: the head still counts it */
    audit_file(path, 5);
    assert_int_equal(
        raw_sql(path, "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 5"),
        SQLITE_OK);
    assert_int_equal(verify_file(path, msg, sizeof msg), 5);
    assert_non_null(strstr(msg, "missing"));
    remove_file(path);

    /* a forged entry appended through SQL cannot carry a valid hash */
    audit_file(path, 3);
    assert_int_equal(raw_sql(path, "INSERT INTO audit_log (seq, time, user_name, action,"
                                   " prev_hash, hash) SELECT 4, '2030-01-01T00:00:00Z', 'x',"
                                   " 'forged', hash, randomblob(32) FROM audit_head"),
                     SQLITE_OK);
    assert_int_equal(verify_file(path, NULL, 0), 4);
    remove_file(path);

    /* the honest limit: deleting the last entries and moving the head back
     * goes unseen by verify, but not by a checkpoint taken before */
    audit_file(path, 5);
    struct store *s = NULL;
    struct err e = ERR_INIT;
    int64_t head = 0;
    char hex[AUTH_HASH_HEX + 1];
    assert_int_equal(store_open(path, 0, &s, &e), E_OK);
    assert_int_equal(audit_head(s, &head, hex, &e), E_OK);
    assert_int_equal(head, 5);
    store_close(s);
    assert_int_equal(raw_sql(path, "DROP TRIGGER audit_log_no_delete;"
                                   " DROP TRIGGER audit_head_only_advances;"
                                   " DELETE FROM audit_log WHERE seq = 5;"
                                   " UPDATE audit_head SET seq = 4,"
                                   " hash = (SELECT hash FROM audit_log WHERE seq = 4)"),
                     SQLITE_OK);
    assert_int_equal(verify_file(path, NULL, 0), 0);
    bool matches = true;
    assert_int_equal(store_open(path, 0, &s, &e), E_OK);
    assert_int_equal(audit_check_checkpoint(s, head, hex, &matches, &e), E_OK);
    assert_false(matches);
    assert_int_equal(audit_head(s, &head, hex, &e), E_OK);
    assert_int_equal(audit_check_checkpoint(s, head, hex, &matches, &e), E_OK);
    assert_true(matches);
    assert_int_equal(audit_check_checkpoint(s, head, "xyz", &matches, &e), E_INVALID);
    store_close(s);
    remove_file(path);
}

/* The interface language: one's own, any role; other accounts only by an
 * admin; only "en" and "ru"; audited; the schema refuses anything else. */
static void interface_language(void **state)
{
    struct store *s = *state;
    struct err e = ERR_INIT;
    add_user(s, "lea", ROLE_VIEWER, good_pw);
    add_user(s, "max", ROLE_RESEARCHER, good_pw);
    struct auth_login in;
    assert_int_equal(auth_login(s, "lea", good_pw, NULL, &in, &e), E_OK);
    struct principal lea = in.who;
    char lang[AUTH_LANG_CHARS + 1] = "xx";
    assert_int_equal(auth_me_lang(s, &lea, lang, &e), E_OK);
    assert_string_equal(lang, "");

    const char *bad[] = {NULL, "", "de", "RU", "en ", "english"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(auth_me_set_lang(s, &lea, NULL, bad[i], &e), E_INVALID);
    }
    assert_int_equal(auth_me_set_lang(s, &lea, "10.0.0.1", "ru", &e), E_OK);
    assert_int_equal(auth_me_lang(s, &lea, lang, &e), E_OK);
    assert_string_equal(lang, "ru");

    /* another account is untouched, and only an admin may set it */
    struct principal max = {.kind = PRINCIPAL_USER, .role = ROLE_RESEARCHER};
    struct acct_user mu;
    struct arena a = ARENA_INIT;
    assert_int_equal(acct_user_get(s, "max", &a, &mu, &e), E_OK);
    max.user_id = mu.id;
    snprintf(max.name, sizeof max.name, "max");
    assert_int_equal(auth_me_lang(s, &max, lang, &e), E_OK);
    assert_string_equal(lang, "");
    assert_int_equal(auth_user_set_lang(s, &lea, NULL, "max", "en", &e), E_FORBIDDEN);
    struct principal cli = auth_local_principal();
    assert_int_equal(auth_user_set_lang(s, &cli, "local", "max", "de", &e), E_INVALID);
    assert_int_equal(auth_user_set_lang(s, &cli, "local", "nobody", "en", &e), E_NOT_FOUND);
    assert_int_equal(auth_user_set_lang(s, &cli, "local", "max", "en", &e), E_OK);
    assert_int_equal(auth_me_lang(s, &max, lang, &e), E_OK);
    assert_string_equal(lang, "en");
    assert_int_equal(auth_me_lang(s, &lea, lang, &e), E_OK);
    assert_string_equal(lang, "ru");

    /* no account behind the principal: no language, and none to set */
    assert_int_equal(auth_me_lang(s, &cli, lang, &e), E_OK);
    assert_string_equal(lang, "");
    assert_int_equal(auth_me_set_lang(s, &cli, NULL, "en", &e), E_FORBIDDEN);

    /* the schema refuses other values even from the store's own callers */
    assert_int_equal(acct_user_set_lang(s, mu.id, "fr", &e), E_INVALID);
    assert_int_equal(acct_user_set_lang(s, mu.id, NULL, &e), E_OK);
    assert_int_equal(auth_me_lang(s, &max, lang, &e), E_OK);
    assert_string_equal(lang, "");
    arena_release(&a);

    /* two changes recorded, by whom and for whom */
    struct collect c = {0};
    struct audit_filter f = {.user = "lea"};
    assert_int_equal(audit_each(s, &cli, &f, collect_cb, &c, &e), E_OK);
    assert_string_equal(c.last_action, "user.lang");
    struct audit_filter g = {.user = "cli"};
    c = (struct collect){0};
    assert_int_equal(audit_each(s, &cli, &g, collect_cb, &c, &e), E_OK);
    assert_string_equal(c.last_action, "user.lang");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(password_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(login_and_session, setup, teardown),
        cmocka_unit_test_setup_teardown(csrf_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(session_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(rate_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(access_matrix, setup, teardown),
        cmocka_unit_test_setup_teardown(audit_listing, setup, teardown),
        cmocka_unit_test_setup_teardown(audit_tampering, setup, teardown),
        cmocka_unit_test_setup_teardown(interface_language, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
