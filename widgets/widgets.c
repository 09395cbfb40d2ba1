/* widgets: activity streams and share (filled by their issues). */
#include "widgets/widgets.h"
