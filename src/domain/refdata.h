/*
 * refdata.h: ISO reference data compiled into the binary (countries,
 * subdivisions, scripts, languages), from Debian's iso-codes.
 */
#ifndef REFUGE_DOMAIN_REFDATA_H
#define REFUGE_DOMAIN_REFDATA_H

#include <stdbool.h>

#include "domain/refdata_tables.h"

/* ISO 3166-1 alpha-2 code ("KZ"), upper case; NULL when unknown. */
const struct iso_country *refdata_country(const char *alpha2);
/* Lookup by alpha-3 ("KAZ"); NULL when unknown. */
const struct iso_country *refdata_country3(const char *alpha3);
/* The name to show in English: common name if any, else the ISO name. "" if unknown. */
const char *refdata_country_name(const char *alpha2);
/* Russian name, falling back to English. */
const char *refdata_country_name_ru(const char *alpha2);
/* ISO 3166-2 subdivision ("KZ-VOS"); NULL when unknown. */
const struct iso_named *refdata_subdivision(const char *code);
/* True when s has the shape of an ISO 3166-2 code (CC-XXX). */
bool refdata_looks_like_subdivision(const char *s);
/* ISO 15924 script code ("Cyrl"); NULL when unknown. */
const struct iso_named *refdata_script(const char *code);
/* ISO 639-1 or 639-3 code ("kk", "kaz"); NULL when unknown. */
const struct iso_named *refdata_language(const char *code);

#endif
