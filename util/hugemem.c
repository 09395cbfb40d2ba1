/* hugemem: anonymous memory on 2 MiB boundaries for huge pages. */
#include "util/hugemem.h"

#include <stdint.h>
#include <sys/mman.h>

void *
hugemem_map(size_t len)
{
	size_t span = len + HUGEMEM_PAGE, head;
	char *p = mmap(NULL, span, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* Mapped one huge page longer, then trimmed to the boundary. */
	head = (HUGEMEM_PAGE - (uintptr_t)p % HUGEMEM_PAGE) % HUGEMEM_PAGE;
	if (head > 0)
		munmap(p, head);
	munmap(p + head + len, span - head - len);
	(void)madvise(p + head, len, MADV_HUGEPAGE);
	return p + head;
}

void
hugemem_unmap(void *p, size_t len)
{
	if (p != NULL)
		munmap(p, len);
}

size_t
hugemem_round(size_t n)
{
	return (n + HUGEMEM_PAGE - 1) & ~(HUGEMEM_PAGE - 1);
}
