/*
 * date.c: reduced-precision calendar dates (see date.h).
 *
 * Day numbers use the proleptic Gregorian calendar (days_from_civil by Howard
 * Hinnant's well-known algorithm).
 */
#include "domain/date.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

bool date_is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int date_days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) {
        return 0;
    }
    return days[month - 1] + (month == 2 && date_is_leap(year));
}

static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool date_parse(const char *s, struct date *out, const char **why)
{
    static const char *not_iso = "is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD";
    static const char *not_cal = "is not a calendar date";
    size_t n = strlen(s);
    struct date d = {0};
    if (n != 4 && n != 7 && n != 10) {
        *why = not_iso;
        return false;
    }
    int y = digits(s, 4);
    if (y < 0 || (n >= 7 && s[4] != '-') || (n == 10 && s[7] != '-')) {
        *why = not_iso;
        return false;
    }
    if (y < 1) {
        *why = not_cal;
        return false;
    }
    d.year = (int16_t)y;
    d.prec = DATE_YEAR;
    if (n >= 7) {
        int m = digits(s + 5, 2);
        if (m < 0) {
            *why = not_iso;
            return false;
        }
        if (m < 1 || m > 12) {
            *why = not_cal;
            return false;
        }
        d.month = (uint8_t)m;
        d.prec = DATE_MONTH;
    }
    if (n == 10) {
        int dd = digits(s + 8, 2);
        if (dd < 0) {
            *why = not_iso;
            return false;
        }
        if (dd < 1 || dd > date_days_in_month(y, d.month)) {
            *why = not_cal;
            return false;
        }
        d.day = (uint8_t)dd;
        d.prec = DATE_DAY;
    }
    *out = d;
    return true;
}

void date_iso(struct date d, char *out)
{
    /* Values were validated on the way in; clamp so the output always fits. */
    int year = d.year < 0 ? 0 : (d.year > 9999 ? 9999 : d.year);
    int month = d.month % 100;
    int day = d.day % 100;
    switch ((enum date_prec)d.prec) {
    case DATE_YEAR:
        snprintf(out, DATE_ISO_MAX, "%04d", year);
        break;
    case DATE_MONTH:
        snprintf(out, DATE_ISO_MAX, "%04d-%02d", year, month);
        break;
    case DATE_DAY:
        snprintf(out, DATE_ISO_MAX, "%04d-%02d-%02d", year, month, day);
        break;
    case DATE_NONE:
        out[0] = '\0';
        break;
    }
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct date date_from_days(int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    struct date out = {
        .year = (int16_t)y, .month = (uint8_t)m, .day = (uint8_t)d, .prec = DATE_DAY};
    return out;
}

int64_t date_first_day(struct date d)
{
    int m = d.prec >= DATE_MONTH ? d.month : 1;
    int day = d.prec == DATE_DAY ? d.day : 1;
    return days_from_civil(d.year, m, day);
}

int64_t date_last_day(struct date d)
{
    int m = d.prec >= DATE_MONTH ? d.month : 12;
    int day = d.prec == DATE_DAY ? d.day : date_days_in_month(d.year, m);
    return days_from_civil(d.year, m, day);
}

int date_cmp(struct date a, struct date b)
{
    if (a.prec == DATE_NONE || b.prec == DATE_NONE) {
        return (a.prec != DATE_NONE) - (b.prec != DATE_NONE);
    }
    int64_t x = date_first_day(a);
    int64_t y = date_first_day(b);
    if (x != y) {
        return x < y ? -1 : 1;
    }
    return (a.prec > b.prec) - (a.prec < b.prec);
}

struct date date_today(void)
{
    return date_from_days((int64_t)time(NULL) / 86400);
}

static char *put_str(char *p, const char *s)
{
    size_t len = strlen(s);
    memcpy(p, s, len);
    return p + len;
}

/* v in decimal (a year or a day: |v| < 2^16). */
static char *put_int(char *p, int v)
{
    char digits[8];
    size_t n = 0;
    unsigned u = v < 0 ? (unsigned)-v : (unsigned)v;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) {
        *p++ = '-';
    }
    while (n) {
        *p++ = digits[--n];
    }
    return p;
}

void date_words_en(struct date d, bool approx, char *out, size_t n)
{
    static const char *months[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};
    /* Put together by hand, not by snprintf(): the findings of a check of
     * every case say hundreds of thousands of dates. */
    char text[64];
    char *p = text;
    if ((enum date_prec)d.prec == DATE_NONE) {
        p = put_str(p, "undated");
    } else {
        p = put_str(p, approx ? "about " : "");
        if ((enum date_prec)d.prec == DATE_DAY) {
            p = put_str(put_int(p, d.day), " ");
        }
        if ((enum date_prec)d.prec != DATE_YEAR) {
            p = put_str(put_str(p, months[(d.month + 11) % 12]), " ");
        }
        p = put_int(p, d.year);
    }
    size_t len = (size_t)(p - text);
    if (n) {
        len = len < n ? len : n - 1; /* cut as snprintf() would */
        memcpy(out, text, len);
        out[len] = '\0';
    }
}
