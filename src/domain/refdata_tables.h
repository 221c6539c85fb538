/*
 * refdata_tables.h: the ISO tables generated at build time by tools/isocodes.c
 * from Debian's iso-codes. Use the functions in refdata.h rather than these.
 */
#ifndef REFUGE_DOMAIN_REFDATA_TABLES_H
#define REFUGE_DOMAIN_REFDATA_TABLES_H

#include <stddef.h>

struct iso_country {
    const char *alpha2;
    const char *alpha3;
    const char *name;          /* ISO short name ("Korea, Republic of") */
    const char *common_name;   /* where iso-codes gives one ("South Korea"), else NULL */
    const char *official_name; /* or NULL */
    const char *name_ru;       /* Russian name from iso-codes' translations, or NULL */
};

struct iso_named {
    const char *code;
    const char *name;
};

extern const struct iso_country iso_countries[];
extern const size_t iso_countries_count;
extern const struct iso_named iso_subdivisions[];
extern const size_t iso_subdivisions_count;
extern const struct iso_named iso_scripts[];
extern const size_t iso_scripts_count;
extern const struct iso_named iso_languages[];
extern const size_t iso_languages_count;

#endif
