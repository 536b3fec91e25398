#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "mounts.h"
#include "util.h"

void terminal_prepare(const struct config *cfg, struct terminal_setup *t)
{
    int rootfd, fd, unlock = 0;
    char p[64];
    rootfd = open(cfg->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) die_errno(E_FAILED, "open rootfs %s", cfg->rootfs);
    /* The container's own devpts (newinstance), so the pty index and its
     * permissions belong to the container, not the host. */
    fd = resolve_in_root(rootfd, "/dev/pts/ptmx", RESOLVE_NOCREATE);
    if (fd < 0) die_errno(E_FAILED, "open /dev/pts/ptmx in rootfs (is devpts mounted?)");
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    t->master = open(p, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (t->master < 0) die_errno(E_FAILED, "open /dev/pts/ptmx");
    close(fd);
    if (ioctl(t->master, TIOCSPTLCK, &unlock) < 0) die_errno(E_FAILED, "unlockpt");
    /* TIOCGPTPEER (Linux 4.13) opens the slave without a path lookup. */
    t->slave = ioctl(t->master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (t->slave < 0) die_errno(E_FAILED, "ioctl TIOCGPTPEER");
    if (cfg->console_h || cfg->console_w) {
        struct winsize ws = {cfg->console_h, cfg->console_w, 0, 0};
        if (ioctl(t->slave, TIOCSWINSZ, &ws) < 0) die_errno(E_FAILED, "ioctl TIOCSWINSZ");
    }
    fd = resolve_in_root(rootfd, "/dev/console", RESOLVE_CREATE_FILE);
    if (fd >= 0) {
        char slave[64];
        snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
        snprintf(slave, sizeof slave, "/proc/self/fd/%d", t->slave);
        if (mount(slave, p, NULL, MS_BIND, NULL) < 0)
            die_errno(E_MOUNT, "bind pty on /dev/console");
        close(fd);
    }
    close(rootfd);
}

void terminal_finish(const struct config *cfg, struct terminal_setup *t, int sock)
{
    int i;
    (void)cfg;
    /* session_isolate() made us a session leader with no terminal. */
    if (ioctl(t->slave, TIOCSCTTY, 0) < 0) die_errno(E_FAILED, "ioctl TIOCSCTTY");
    for (i = 0; i < 3; i++)
        if (dup2(t->slave, i) < 0) die_errno(E_FAILED, "dup2 pty to fd %d", i);
    close(t->slave);
    if (send_fd(sock, t->master, "/dev/ptmx") < 0)
        die_errno(E_FAILED, "send pty master over --console-socket");
    close(t->master);
    close(sock);
}
