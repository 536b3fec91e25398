/* process.terminal: a pty from the container's own devpts instance, its
 * master sent to --console-socket (runc's protocol: one SCM_RIGHTS message). */
#ifndef COVE_TERMINAL_H
#define COVE_TERMINAL_H

#include "config.h"
#include "unixsock.h" /* send_fd, recv_fd */

struct terminal_setup {
    int master, slave;
};

/* Before pivot_root: open ptmx in the rootfs, bind the slave on /dev/console. */
void terminal_prepare(const struct config *cfg, struct terminal_setup *t);
/* After pivot_root: controlling tty + stdio, master sent over sock. */
void terminal_finish(const struct config *cfg, struct terminal_setup *t, int sock);

#endif
