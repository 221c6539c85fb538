/*
 * date.h: calendar dates at reduced precision ("2019", "2019-10", "2019-10-06").
 *
 * A date is a year, optionally a month, optionally a day, as the bundle format
 * allows. For ordering, a date counts from its first day (findings.md); for
 * "until" comparisons its last day is available too.
 */
#ifndef REFUGE_DOMAIN_DATE_H
#define REFUGE_DOMAIN_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum date_prec {
    DATE_NONE = 0, /* absent */
    DATE_YEAR = 1,
    DATE_MONTH = 2,
    DATE_DAY = 3,
};

struct date {
    int16_t year;  /* 1..9999 */
    uint8_t month; /* 1..12 when prec >= DATE_MONTH */
    uint8_t day;   /* 1..31 when prec == DATE_DAY */
    uint8_t prec;  /* enum date_prec */
};

/* Room for the longest ISO form ("2019-10-06") and its NUL. */
enum { DATE_ISO_MAX = 16 };

/* Parses an ISO 8601 calendar date at reduced precision. On failure returns
 * false and sets *why to a static explanation ("is not a calendar date"). */
bool date_parse(const char *s, struct date *out, const char **why);
/* Writes the ISO form into out (at least DATE_ISO_MAX bytes); "" when absent. */
void date_iso(struct date d, char *out);
/* Days since 1970-01-01 of the first / last day the date covers. */
int64_t date_first_day(struct date d);
int64_t date_last_day(struct date d);
/* The date of a day number, at day precision. */
struct date date_from_days(int64_t days);
/* Compares by first day, then by precision (coarser first); absent dates first. */
int date_cmp(struct date a, struct date b);
/* Today's date in UTC. */
struct date date_today(void);
/* "6 December 2019", "October 2019", "2019"; with approx, prefixed "about ".
 * Writes at most n bytes. */
void date_words_en(struct date d, bool approx, char *out, size_t n);
bool date_is_leap(int year);
int date_days_in_month(int year, int month);

#endif
