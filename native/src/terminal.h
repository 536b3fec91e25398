/* process.terminal: a pty from the container's own devpts instance, its
 * master sent to --console-socket (runc's protocol: one SCM_RIGHTS message). */
#ifndef COVE_TERMINAL_H
#define COVE_TERMINAL_H

#include "config.h"

struct terminal_setup {
    int master, slave;
};

/* Before pivot_root: open ptmx in the rootfs, bind the slave on /dev/console. */
void terminal_prepare(const struct config *cfg, struct terminal_setup *t);
/* After pivot_root: controlling tty + stdio, master sent over sock. */
void terminal_finish(const struct config *cfg, struct terminal_setup *t, int sock);
/* Send fd with one SCM_RIGHTS message; the payload is name. -1 + errno. */
int send_fd(int sock, int fd, const char *name);
/* Receive one fd from such a message; -1 + errno. */
int recv_fd(int sock);

#endif
