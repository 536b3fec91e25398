#ifndef COVE_EXEC_H
#define COVE_EXEC_H

#include <sys/types.h>

#include "config.h"

struct exec_opts {
    int detach, tty;
    const char *pid_file, *console_socket, *process_file, *cwd, *user;
    const char **env;   /* NAME=VALUE overrides */
    size_t n_env;
    char **args;        /* NULL-terminated, or NULL with --process */
};

/* cove-runtime exec: run a new process in the namespaces of container
 * process `target`, with the container's process settings (capabilities,
 * no_new_privs, seccomp, rlimits, env) plus the overrides in o. Returns
 * the exit code (or 0 with --detach). */
int exec_in_container(struct config *cfg, pid_t target, const struct exec_opts *o);

#endif
