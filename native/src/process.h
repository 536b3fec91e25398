/* The last steps of the container process before execve. */
#ifndef COVE_PROCESS_H
#define COVE_PROCESS_H

#include "config.h"

void apply_rlimits(const struct config *cfg);
/* Bounding set, groups, gid, uid, then capability sets and ambient caps. */
void apply_user_and_caps(const struct config *cfg);
/* Mark every fd > 2 close-on-exec (close_range(2)); the pipes we still need
 * until execve already are. */
void cloexec_all_fds(void);

#endif
