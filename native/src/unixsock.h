/* Unix stream sockets at paths of any length: paths longer than sun_path
 * are reached through /proc/self/fd/N/NAME of an O_PATH fd on their
 * directory (as conmon does for its attach socket). */
#ifndef COVE_UNIXSOCK_H
#define COVE_UNIXSOCK_H

/* Listening socket (CLOEXEC, non-blocking) at path with mode 0600. A stale
 * socket file there is replaced; one that still accepts connections makes
 * it fail with EADDRINUSE. If dirfd is not NULL, the O_PATH fd of the
 * directory is returned in it (kept open), else closed. -1 + errno. */
int unix_listen(const char *path, int *dirfd);
/* Connected socket (CLOEXEC, blocking). -1 + errno. */
int unix_connect(const char *path);
/* Send fd with one SCM_RIGHTS message; the payload is name. -1 + errno. */
int send_fd(int sock, int fd, const char *name);
/* Receive one fd from such a message (MSG_CMSG_CLOEXEC); -1 + errno
 * (EBADMSG: a message without an fd, e.g. EOF). */
int recv_fd(int sock);

#endif
