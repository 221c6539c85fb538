/*
 * test_date.c: reduced-precision dates: parsing, calendar rules, ordering.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/date.h"

static void parses_reduced_precision(void **state)
{
    (void)state;
    struct date d;
    const char *why = NULL;
    assert_true(date_parse("2019", &d, &why));
    assert_int_equal(d.prec, DATE_YEAR);
    assert_true(date_parse("2019-10", &d, &why));
    assert_int_equal(d.prec, DATE_MONTH);
    assert_int_equal(d.month, 10);
    assert_true(date_parse("2019-10-06", &d, &why));
    assert_int_equal(d.day, 6);
    char iso[DATE_ISO_MAX];
    date_iso(d, iso);
    assert_string_equal(iso, "2019-10-06");
}

static void rejects_non_calendar_dates(void **state)
{
    (void)state;
    struct date d;
    const char *why = NULL;
    assert_false(date_parse("2019-13-01", &d, &why));
    assert_string_equal(why, "is not a calendar date");
    assert_false(date_parse("2019-02-29", &d, &why));
    assert_true(date_parse("2020-02-29", &d, &why));
    assert_false(date_parse("1900-02-29", &d, &why));
    assert_true(date_parse("2000-02-29", &d, &why));
    assert_false(date_parse("2019-04-31", &d, &why));
    assert_false(date_parse("06/10/2019", &d, &why));
    assert_false(date_parse("2019-1-01", &d, &why));
    assert_false(date_parse("", &d, &why));
    assert_false(date_parse("0000", &d, &why));
    assert_false(date_parse("2019-10-06T00:00", &d, &why));
    assert_false(date_parse("+201", &d, &why));
}

static void orders_by_first_day(void **state)
{
    (void)state;
    struct date y;
    struct date m;
    struct date day;
    const char *why;
    assert_true(date_parse("2019", &y, &why));
    assert_true(date_parse("2019-10", &m, &why));
    assert_true(date_parse("2019-10-01", &day, &why));
    assert_true(date_cmp(y, m) < 0);
    assert_true(date_cmp(m, day) < 0);
    assert_int_equal(date_first_day(m), date_first_day(day));
    assert_int_equal(date_last_day(y) - date_first_day(y), 364);
    struct date none = {0};
    assert_true(date_cmp(none, y) < 0);
    struct date back = date_from_days(date_first_day(day));
    assert_int_equal(back.year, 2019);
    assert_int_equal(back.month, 10);
    assert_int_equal(back.day, 1);
}

static void words(void **state)
{
    (void)state;
    struct date d;
    const char *why;
    char out[64];
    assert_true(date_parse("2019-12-06", &d, &why));
    date_words_en(d, false, out, sizeof out);
    assert_string_equal(out, "6 December 2019");
    assert_true(date_parse("2019-10", &d, &why));
    date_words_en(d, true, out, sizeof out);
    assert_string_equal(out, "about October 2019");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_reduced_precision),
        cmocka_unit_test(rejects_non_calendar_dates),
        cmocka_unit_test(orders_by_first_day),
        cmocka_unit_test(words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
