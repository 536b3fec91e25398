/* Test helper: listen on a unix socket, receive one pty master fd (runc's
 * --console-socket protocol), write "input" to it and copy its output to
 * stdout until EOF/EIO. Usage: console-recv SOCKET INPUT */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "terminal.h"

int main(int argc, char **argv)
{
    struct sockaddr_un sa;
    int s, c, fd;
    char buf[4096];
    ssize_t n;
    if (argc != 3) return 2;
    s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", argv[1]);
    if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(s, 1) < 0) {
        perror("console-recv: bind");
        return 1;
    }
    printf("listening\n");
    fflush(stdout);
    c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) { perror("console-recv: accept"); return 1; }
    fd = recv_fd(c);
    if (fd < 0) { perror("console-recv: recv_fd"); return 1; }
    if (write(fd, argv[2], strlen(argv[2])) < 0) perror("console-recv: write");
    /* Reading the master returns EIO once every slave fd is closed. */
    while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)n, stdout);
    unlink(argv[1]);
    return 0;
}
