#ifndef COVE_INIT_H
#define COVE_INIT_H

#include "config.h"

struct init_args {
    const struct config *cfg;
    int sync_rd;     /* parent writes one byte once the id maps are written */
    int err_wr;      /* CLOEXEC: EOF = exec done; a JSON line = error */
    int fifo_fd;     /* create/start: O_PATH fd of exec.fifo, else -1 */
    int console_fd;  /* connected --console-socket, else -1 */
    int hook_sync;   /* stop after the mounts for the runtime's hooks (see hooks.h) */
};

/* Runs in the cloned child: sets up and execs the container process. */
_Noreturn void container_init(const struct init_args *a);

/* Shared by run and exec: rlimits, seccomp, user, capabilities, cwd,
 * no_new_privs, then execve. fifo_fd >= 0: report "ready" on err_wr and
 * wait for `start` first. */
_Noreturn void finish_and_exec(const struct config *cfg, int err_wr, int fifo_fd);

/* The status code for a failed execve/chdir with errno err: E_RUNTIME_EXEC
 * (not found, exit 127), E_RUNTIME_CANNOT_INVOKE (126), else E_RUNTIME_FAILED. */
const char *exec_error_code(int err);

#endif
