#include "unixsock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Fill sa for path; a long path goes through an O_PATH fd on its
 * directory, returned in *dirfd (else -1). */
static int make_addr(const char *path, struct sockaddr_un *sa, int *dirfd)
{
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    *dirfd = -1;
    if (strlen(path) < sizeof sa->sun_path) {
        memcpy(sa->sun_path, path, strlen(path));
        return 0;
    }
    if (!*base) { errno = EINVAL; return -1; }
    {
        char dir[4096];
        size_t dlen = slash ? (size_t)(slash - path) : 0;
        if (dlen >= sizeof dir) { errno = ENAMETOOLONG; return -1; }
        memcpy(dir, path, dlen);
        dir[dlen] = 0;
        *dirfd = open(dlen ? dir : (slash ? "/" : "."), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (*dirfd < 0) return -1;
    }
    if (snprintf(sa->sun_path, sizeof sa->sun_path, "/proc/self/fd/%d/%s", *dirfd, base) >=
        (int)sizeof sa->sun_path) {
        close(*dirfd);
        *dirfd = -1;
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

int unix_connect(const char *path)
{
    struct sockaddr_un sa;
    int dfd, s, err;
    if (make_addr(path, &sa, &dfd) < 0) return -1;
    s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
        err = errno;
        if (s >= 0) close(s);
        if (dfd >= 0) close(dfd);
        errno = err;
        return -1;
    }
    if (dfd >= 0) close(dfd);
    return s;
}

int unix_listen(const char *path, int *dirfd)
{
    struct sockaddr_un sa;
    struct stat st;
    int dfd, s, err;
    mode_t old;
    if (lstat(path, &st) == 0) {
        int c;
        if (!S_ISSOCK(st.st_mode)) { errno = EEXIST; return -1; }
        c = unix_connect(path);
        if (c >= 0) { close(c); errno = EADDRINUSE; return -1; }
        if (unlink(path) < 0 && errno != ENOENT) return -1;
    }
    if (make_addr(path, &sa, &dfd) < 0) return -1;
    s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0) goto fail;
    /* Created 0600: only the owner may attach (the socket file's mode is
     * what connect(2) checks). */
    old = umask(0177);
    if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0) { umask(old); goto fail; }
    umask(old);
    if (listen(s, 16) < 0) { unlink(path); goto fail; }
    if (dirfd) *dirfd = dfd;
    else if (dfd >= 0) close(dfd);
    return s;
fail:
    err = errno;
    if (s >= 0) close(s);
    if (dfd >= 0) close(dfd);
    errno = err;
    return -1;
}

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
