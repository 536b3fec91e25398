/* cove-pty: runs a command on a new pseudo-terminal and relays it to pipes,
 * for the Cove VM's guest agent (node has no pty of its own): an `-it` verb
 * from the host runs under it, so the cove CLI in the VM sees a terminal.
 *
 *   cove-pty ROWS COLS CMD [ARG...]
 *
 * stdin -> the master, the master -> stdout (one stream, as on any terminal);
 * fd 3, when open, carries window sizes as "ROWS COLS\n" lines, set with
 * TIOCSWINSZ (the kernel then sends SIGWINCH to the foreground group,
 * tty_ioctl(4)). The command is a session leader with the slave as its
 * controlling terminal. SIGHUP/SIGTERM (the host went away) close the master,
 * which hangs up the session, as sshd does. Exits with the command's status
 * (128+N when killed by signal N), 125 for its own failures. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t hangup;

static void on_hangup(int sig)
{
    (void)sig;
    hangup = 1;
}

static int parse_size(const char *s, unsigned short *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == 0 || *end != 0 || v < 1 || v > 10000) return -1;
    *out = (unsigned short)v;
    return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                struct pollfd p = {fd, POLLOUT, 0};
                poll(&p, 1, 1000);
                continue;
            }
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Applies every complete "ROWS COLS" line in buf; keeps a partial one. */
static void resize_lines(int master, char *buf, size_t *len)
{
    char *nl;
    while ((nl = memchr(buf, '\n', *len))) {
        struct winsize ws = {0};
        unsigned r, c;
        *nl = 0;
        if (sscanf(buf, "%u %u", &r, &c) == 2 && r >= 1 && c >= 1 && r <= 10000 && c <= 10000) {
            ws.ws_row = (unsigned short)r;
            ws.ws_col = (unsigned short)c;
            ioctl(master, TIOCSWINSZ, &ws);
        }
        *len -= (size_t)(nl + 1 - buf);
        memmove(buf, nl + 1, *len);
    }
    if (*len >= 64) *len = 0; /* not ours: drop it */
}

int main(int argc, char **argv)
{
    struct winsize ws = {0};
    int master, status = 0, ctl = 3, in_open = 1, exited = 0;
    char *slave;
    char ctlbuf[128];
    size_t ctllen = 0;
    pid_t pid;
    struct sigaction sa;

    if (argc < 4 || parse_size(argv[1], &ws.ws_row) < 0 || parse_size(argv[2], &ws.ws_col) < 0) {
        fprintf(stderr, "usage: cove-pty ROWS COLS CMD [ARG...]\n");
        return 125;
    }
    if (fcntl(ctl, F_GETFD) < 0) ctl = -1;
    master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 || !(slave = ptsname(master))) {
        perror("cove-pty: no pseudo-terminal");
        return 125;
    }
    ioctl(master, TIOCSWINSZ, &ws);
    pid = fork();
    if (pid < 0) {
        perror("cove-pty: fork");
        return 125;
    }
    if (pid == 0) {
        int s;
        setsid();
        s = open(slave, O_RDWR); /* the session leader's first tty: its controlling terminal */
        if (s < 0) _exit(125);
        ioctl(s, TIOCSCTTY, 0);
        dup2(s, 0);
        dup2(s, 1);
        dup2(s, 2);
        if (s > 2) close(s);
        if (ctl >= 0) close(ctl);
        execvp(argv[3], argv + 3);
        fprintf(stderr, "cove-pty: %s: %s\r\n", argv[3], strerror(errno));
        _exit(127);
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_hangup;
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    for (;;) {
        struct pollfd p[3];
        int n = 0, im = -1, ii = -1, ic = -1;
        char buf[16384];
        ssize_t r;
        if (hangup) {
            close(master);
            master = -1;
            break;
        }
        if (!exited && waitpid(pid, &status, WNOHANG) == pid) exited = 1;
        im = n;
        p[n++] = (struct pollfd){master, POLLIN, 0};
        if (in_open) { ii = n; p[n++] = (struct pollfd){0, POLLIN, 0}; }
        if (ctl >= 0) { ic = n; p[n++] = (struct pollfd){ctl, POLLIN, 0}; }
        /* Once the command is gone, only drain what it left in the master. */
        if (poll(p, (nfds_t)n, exited ? 50 : 200) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (p[im].revents & (POLLIN | POLLHUP | POLLERR)) {
            r = read(master, buf, sizeof buf);
            if (r > 0) {
                if (write_all(1, buf, (size_t)r) < 0) break;
            } else if (r == 0 || errno != EINTR) {
                /* EIO: every slave fd is closed (the session is over). */
                break;
            }
        } else if (exited) {
            break;
        }
        if (ii >= 0 && (p[ii].revents & (POLLIN | POLLHUP | POLLERR))) {
            r = read(0, buf, sizeof buf);
            if (r > 0) {
                if (write_all(master, buf, (size_t)r) < 0) in_open = 0;
            } else if (r == 0 || errno != EINTR) {
                in_open = 0;
            }
        }
        if (ic >= 0 && (p[ic].revents & (POLLIN | POLLHUP | POLLERR))) {
            r = read(ctl, ctlbuf + ctllen, sizeof ctlbuf - ctllen);
            if (r > 0) {
                ctllen += (size_t)r;
                resize_lines(master, ctlbuf, &ctllen);
            } else if (r == 0 || errno != EINTR) {
                close(ctl);
                ctl = -1;
            }
        }
    }
    if (master >= 0) close(master);
    if (!exited) {
        /* Hung up: the kernel sent SIGHUP to the session; give it a moment, then make sure. */
        for (int i = 0; i < 20 && !exited; i++) {
            if (waitpid(pid, &status, WNOHANG) == pid) exited = 1;
            else usleep(50000);
        }
        if (!exited) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        }
    }
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
