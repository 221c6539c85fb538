/*
 * refdata.c: binary search over the generated ISO tables (see refdata.h).
 */
#include "domain/refdata.h"

#include <stddef.h>
#include <string.h>

static const struct iso_named *find_named(const struct iso_named *t, size_t n, const char *code)
{
    size_t lo = 0;
    size_t hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t[mid].code, code);
        if (c == 0) {
            return &t[mid];
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

const struct iso_country *refdata_country(const char *alpha2)
{
    if (!alpha2) {
        return NULL;
    }
    size_t lo = 0;
    size_t hi = iso_countries_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(iso_countries[mid].alpha2, alpha2);
        if (c == 0) {
            return &iso_countries[mid];
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

const struct iso_country *refdata_country3(const char *alpha3)
{
    for (size_t i = 0; alpha3 && i < iso_countries_count; i++) {
        if (strcmp(iso_countries[i].alpha3, alpha3) == 0) {
            return &iso_countries[i];
        }
    }
    return NULL;
}

const char *refdata_country_name(const char *alpha2)
{
    const struct iso_country *c = refdata_country(alpha2);
    if (!c) {
        return "";
    }
    return c->common_name ? c->common_name : c->name;
}

const char *refdata_country_name_ru(const char *alpha2)
{
    const struct iso_country *c = refdata_country(alpha2);
    if (!c) {
        return "";
    }
    return c->name_ru ? c->name_ru : refdata_country_name(alpha2);
}

const struct iso_named *refdata_subdivision(const char *code)
{
    return code ? find_named(iso_subdivisions, iso_subdivisions_count, code) : NULL;
}

bool refdata_looks_like_subdivision(const char *s)
{
    size_t n = strlen(s);
    if (n < 4 || n > 6 || s[2] != '-') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool upper = c >= 'A' && c <= 'Z';
        bool digit = c >= '0' && c <= '9';
        if (i < 2 ? !upper : (i > 2 && !upper && !digit)) {
            return false;
        }
    }
    return true;
}

const struct iso_named *refdata_script(const char *code)
{
    return code ? find_named(iso_scripts, iso_scripts_count, code) : NULL;
}

const struct iso_named *refdata_language(const char *code)
{
    return code ? find_named(iso_languages, iso_languages_count, code) : NULL;
}
