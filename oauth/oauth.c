/* oauth: social sign-on (the sign-on issue fills this module). */
#include "oauth/oauth.h"
