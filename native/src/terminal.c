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

int send_fd(int sock, int fd, const char *name)
{
    struct msghdr msg;
    struct iovec iov;
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
    struct cmsghdr *cm;
    memset(&msg, 0, sizeof msg);
    memset(&u, 0, sizeof u);
    iov.iov_base = (void *)name;
    iov.iov_len = strlen(name) ? strlen(name) : 1;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = u.buf;
    msg.msg_controllen = sizeof u.buf;
    cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

int recv_fd(int sock)
{
    struct msghdr msg;
    struct iovec iov;
    char data[4096];
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
    struct cmsghdr *cm;
    int fd;
    memset(&msg, 0, sizeof msg);
    iov.iov_base = data;
    iov.iov_len = sizeof data;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = u.buf;
    msg.msg_controllen = sizeof u.buf;
    if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) < 0) return -1;
    cm = CMSG_FIRSTHDR(&msg);
    if (!cm || cm->cmsg_type != SCM_RIGHTS) { errno = EBADMSG; return -1; }
    memcpy(&fd, CMSG_DATA(cm), sizeof(int));
    return fd;
}

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
    if (setsid() < 0) die_errno(E_FAILED, "setsid");
    if (ioctl(t->slave, TIOCSCTTY, 0) < 0) die_errno(E_FAILED, "ioctl TIOCSCTTY");
    for (i = 0; i < 3; i++)
        if (dup2(t->slave, i) < 0) die_errno(E_FAILED, "dup2 pty to fd %d", i);
    close(t->slave);
    if (send_fd(sock, t->master, "/dev/ptmx") < 0)
        die_errno(E_FAILED, "send pty master over --console-socket");
    close(t->master);
    close(sock);
}
