/* hugemem: anonymous memory on 2 MiB boundaries, marked for transparent
 * huge pages. */
#ifndef SOCIALHUB_UTIL_HUGEMEM_H
#define SOCIALHUB_UTIL_HUGEMEM_H

#include <stddef.h>

#define HUGEMEM_PAGE ((size_t)2 << 20)

/*
 * len bytes (a multiple of HUGEMEM_PAGE), zeroed, on a HUGEMEM_PAGE
 * boundary, asking the kernel for huge pages; NULL when it cannot be
 * mapped. Why: a big buffer filled front to back in a fresh process
 * takes one fault per 2 MiB instead of one per 4 KiB page, and on a
 * virtual machine a fault, or the first touch of a 4 KiB page, costs
 * microseconds: more, on a 3 MB feed, than parsing it. What is never
 * touched is never faulted in either. Released with hugemem_unmap.
 */
void *hugemem_map(size_t len);
void hugemem_unmap(void *p, size_t len);
/* n rounded up to a multiple of HUGEMEM_PAGE (n <= SIZE_MAX / 2). */
size_t hugemem_round(size_t n);

#endif
