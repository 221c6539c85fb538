/*
 * test_err.c: struct err helpers: a message that wraps the previous one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"

/* Callers add context with err_set(e, ..., "...: %s", e->msg): the new
 * message must contain the old one whole, not a copy of itself being
 * overwritten (formatting into the buffer it reads from). */
static void wraps_its_own_message(void **state)
{
    (void)state;
    struct err e = {0};
    err_set(&e, E_STORAGE, "malformed database schema (proof_log) - invalid rootpage");
    err_set(&e, E_STORAGE, "cannot open database '%s': %s", "/tmp/x.db", e.msg);
    assert_string_equal(e.msg, "cannot open database '/tmp/x.db': malformed database schema "
                               "(proof_log) - invalid rootpage");
    err_set_at(&e, E_INVALID, "events[2].date", "%s; again: %s", e.msg, e.msg);
    assert_non_null(strstr(e.msg, "; again: cannot open database"));
    assert_string_equal(e.where, "events[2].date");
}

/* A message longer than the buffer is cut, never overrun. */
static void cuts_long_messages(void **state)
{
    (void)state;
    struct err e = {0};
    char big[4096];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    err_set(&e, E_STORAGE, "%s", big);
    assert_int_equal(strlen(e.msg), sizeof e.msg - 1);
    err_set(&e, E_STORAGE, "wrapped: %s", e.msg);
    assert_memory_equal(e.msg, "wrapped: xxx", 12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wraps_its_own_message),
        cmocka_unit_test(cuts_long_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
