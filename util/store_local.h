/* store_local: the store on one node, in SQLite (state_dir/store.sqlite). */
#ifndef SOCIALHUB_UTIL_STORE_LOCAL_H
#define SOCIALHUB_UTIL_STORE_LOCAL_H

#include "util/store_ops.h"

/* The backend's table; conf->local_dir must be set. Each worker opens
 * its own handle; SQLite serializes the writers of one node. */
extern const struct store_ops store_local_ops;

#endif
