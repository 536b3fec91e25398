#include "tty-relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "util.h"

static struct termios saved;
static int raw_fd = -1;

static void restore_tty(void)
{
    if (raw_fd >= 0) {
        tcsetattr(raw_fd, TCSANOW, &saved);
        raw_fd = -1;
    }
}

static void make_raw(int fd)
{
    struct termios t;
    if (!isatty(fd) || tcgetattr(fd, &saved) < 0) return;
    t = saved;
    /* Output processing off too (cfmakeraw clears OPOST, as docker's CLI
     * does): the container's own pty has already turned "\n" into "\r\n",
     * and ONLCR here would send "\r\r\n" and make the kernel look at every
     * byte the relay writes. restore_tty puts it back. */
    cfmakeraw(&t);
    if (tcsetattr(fd, TCSANOW, &t) < 0) die_errno(E_FAILED, "tcsetattr raw on stdin");
    raw_fd = fd;
    atexit(restore_tty);
}

static void copy_winsize(int master)
{
    struct winsize ws;
    int fd = isatty(0) ? 0 : isatty(1) ? 1 : -1;
    if (fd < 0 || ioctl(fd, TIOCGWINSZ, &ws) < 0) return;
    /* TIOCSWINSZ on the master also sends SIGWINCH to the pty's
     * foreground process group (tty_ioctl(4)). */
    if (ioctl(master, TIOCSWINSZ, &ws) < 0) die_errno(E_FAILED, "ioctl TIOCSWINSZ on the pty master");
}

/* Moves what is readable from `from` to `to`; 0 on EOF/EIO of `from`. */
static int pump(int from, int to)
{
    char buf[8192];
    ssize_t n = read(from, buf, sizeof buf);
    if (n < 0) return errno == EAGAIN || errno == EINTR ? 1 : 0;
    if (n == 0) return 0;
    /* A reader gone away (stdout closed) ends only the copy, not the exit
     * code the caller waits for. */
    if (write_all(to, buf, (size_t)n) < 0) return errno == EPIPE ? 0 : -1;
    return 1;
}

int tty_relay(int master, pid_t pid)
{
    static const int fwd[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
    sigset_t mask;
    size_t i;
    int sfd, status = 0, exited = 0, in_open = 1, out_open = 1;

    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGWINCH);
    for (i = 0; i < sizeof fwd / sizeof *fwd; i++) sigaddset(&mask, fwd[i]);
    if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) die_errno(E_FAILED, "sigprocmask");
    sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) die_errno(E_FAILED, "signalfd");
    signal(SIGPIPE, SIG_IGN);
    if (fcntl(master, F_SETFL, O_NONBLOCK) < 0) die_errno(E_FAILED, "fcntl O_NONBLOCK on the pty master");
    copy_winsize(master);
    make_raw(0);
    /* It may have exited before SIGCHLD was blocked (then it was discarded). */
    if (waitpid(pid, &status, WNOHANG) == pid) exited = 1;

    while (out_open) {
        struct pollfd p[3] = {{sfd, POLLIN, 0}, {master, POLLIN, 0}, {in_open ? 0 : -1, POLLIN, 0}};
        int r;
        if (exited) {
            /* The process is gone: what it wrote is already in the master's
             * buffer; a leftover child holding the slave must not keep us. */
            while (pump(master, 1) == 1) {}
            break;
        }
        r = poll(p, 3, -1);
        if (r < 0) {
            if (errno == EINTR) continue;
            die_errno(E_FAILED, "poll on the pty master");
        }
        if (p[1].revents) {
            int k = pump(master, 1);
            if (k < 0) die_errno(E_FAILED, "write to stdout");
            if (k == 0) out_open = 0;
        }
        if (p[2].revents) {
            int k = pump(0, master);
            if (k < 0) die_errno(E_FAILED, "write to the pty master");
            if (k == 0) in_open = 0;
        }
        if (p[0].revents) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof si) == sizeof si) {
                int sig = (int)si.ssi_signo;
                if (sig == SIGWINCH) copy_winsize(master);
                else if (sig != SIGCHLD) kill(pid, sig);
            }
            if (!exited) {
                pid_t w = waitpid(pid, &status, WNOHANG);
                if (w < 0 && errno != EINTR) die_errno(E_FAILED, "waitpid %d", (int)pid);
                if (w == pid) exited = 1;
            }
        }
    }
    if (!exited && waitpid(pid, &status, 0) < 0) die_errno(E_FAILED, "waitpid %d", (int)pid);
    restore_tty();
    close(sfd);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
