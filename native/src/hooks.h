/* OCI hooks (runtime-spec config.md "POSIX-platform Hooks", runtime.md
 * "Lifecycle"): each runs with the container's state JSON on stdin, its own
 * argv and environment only, and is killed after its timeout. */
#ifndef COVE_HOOKS_H
#define COVE_HOOKS_H

#include <stddef.h>
#include <sys/types.h>

#include "config.h"

/* The state JSON of runtime.md "State", with the config's annotations;
 * malloc'd. pid 0 is left out (stopped). */
char *hook_state(const struct config *cfg, const char *id, pid_t pid, const char *status);

/* Runs the hooks of one kind in order. 0 when all exit 0; else -1 with
 * msg naming the hook and why (exit status, timeout, exec failure). For
 * poststart and poststop every hook runs and failures are warnings on
 * stderr (the return is 0). */
int hooks_run(const struct config *cfg, enum hook_kind kind, const char *state,
              char *msg, size_t len);

/* The annotations object of the config as JSON text ("{}" if none); malloc'd. */
char *annotations_json(const struct config *cfg);

#endif
