/* fuzz_config: the configuration parser on arbitrary file contents. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fcgi/config.h"
#include "fcgi/feature.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/fuzz-config-XXXXXX";
	struct config *cfg = NULL;
	int fd = mkstemp(path);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		/* The real schema, with every feature's sections. */
		if (config_load(path, routes_features, &cfg) == RC_OK)
			config_free(cfg);
	}
	close(fd);
	unlink(path);
	return 0;
}
