#ifndef COVE_INIT_H
#define COVE_INIT_H

#include "config.h"

struct init_args {
    const struct config *cfg;
    int sync_rd;     /* parent writes one byte once the id maps are written */
    int err_wr;      /* CLOEXEC: EOF = exec done; a JSON line = error */
    int fifo_fd;     /* create/start: O_PATH fd of exec.fifo, else -1 */
    int console_fd;  /* connected --console-socket, else -1 */
};

/* Runs in the cloned child: sets up and execs the container process. */
_Noreturn void container_init(const struct init_args *a);

#endif
