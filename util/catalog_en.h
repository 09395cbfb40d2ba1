/* catalog_en: data/catalogs/en.json compiled in (generated catalog_en.c). */
#ifndef SOCIALHUB_UTIL_CATALOG_EN_H
#define SOCIALHUB_UTIL_CATALOG_EN_H

#include <stddef.h>

extern const unsigned char catalog_en[];
extern const size_t catalog_en_len;

#endif
