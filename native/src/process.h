/* The last steps of the container process before execve. */
#ifndef COVE_PROCESS_H
#define COVE_PROCESS_H

#include "config.h"

void apply_rlimits(const struct config *cfg);
/* Bounding set, groups, gid, uid, then capability sets and ambient caps. */
void apply_user_and_caps(const struct config *cfg);
/* execvpe-style lookup of file in PATH taken from env (the container's).
 * Returns a malloc'd path or NULL with errno. */
char *lookup_exec(const char *file, char *const *env);
/* Mark every fd > 2 close-on-exec (close_range(2)); the pipes we still need
 * until execve already are. */
void cloexec_all_fds(void);

#endif
