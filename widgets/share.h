/* share: share intents, counters and buttons (the share issue fills this). */
#ifndef SOCIALHUB_WIDGETS_SHARE_H
#define SOCIALHUB_WIDGETS_SHARE_H

#include "fcgi/feature.h"

/* The feature row for fcgi/routes.c. */
#define SHARE_FEATURE { .name = "share" }

#endif
