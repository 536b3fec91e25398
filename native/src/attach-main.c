/* cove-attach: connect a terminal (or pipes) to a container through its
 * monitor's attach socket. See attach.h for the protocol. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "attach.h"
#include "unixsock.h"
#include "util.h"

#define EXIT_OWN 125 /* cove-attach's own failures, as docker's CLI */

static struct termios saved;
static int raw_fd = -1;

static void restore_terminal(void)
{
    if (raw_fd >= 0) {
        tcsetattr(raw_fd, TCSANOW, &saved);
        raw_fd = -1;
    }
}

static _Noreturn void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void fail(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    restore_terminal();
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dprintf(2, "cove-attach: %s\n", msg);
    exit(EXIT_OWN);
}

static _Noreturn void usage(void)
{
    dprintf(2, "usage: cove-attach SOCKET [--detach-keys KEYS] [--no-stdin] [--stdin-once] [--sig-proxy]\n"
               "  KEYS: docker syntax, default ctrl-p,ctrl-q; \"\" disables\n"
               "  exit status: the container's when it ends, 0 when detached\n");
    exit(2);
}

static void make_raw(int fd)
{
    struct termios t;
    if (tcgetattr(fd, &saved) < 0) return;
    t = saved;
    cfmakeraw(&t);
    /* TCSANOW keeps input typed ahead (TCSAFLUSH would drop it). */
    if (tcsetattr(fd, TCSANOW, &t) < 0) fail("tcsetattr: %s", strerror(errno));
    raw_fd = fd;
}

/* Frames waiting to go to the monitor (stdin is not read meanwhile). */
static uint8_t sendbuf[16384];
static size_t send_off, send_len;

static void queue(const void *data, size_t len)
{
    if (send_off && send_off + send_len + len > sizeof sendbuf) {
        memmove(sendbuf, sendbuf + send_off, send_len);
        send_off = 0;
    }
    if (send_off + send_len + len > sizeof sendbuf) fail("internal: send buffer full");
    memcpy(sendbuf + send_off + send_len, data, len);
    send_len += len;
}

static void queue_stdin(const uint8_t *data, size_t len)
{
    uint8_t h[ATTACH_HDR];
    if (!len) return;
    attach_frame_hdr(h, ATTACH_STDIN, (uint32_t)len);
    queue(h, sizeof h);
    queue(data, len);
}

static void flush_send(int sock)
{
    while (send_len) {
        ssize_t n = send(sock, sendbuf + send_off, send_len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n < 0) {
            /* The monitor went away: its EOF ends us on the read side. */
            send_len = 0;
            return;
        }
        send_off += (size_t)n;
        send_len -= (size_t)n;
    }
    send_off = 0;
}

static void queue_resize(void)
{
    struct winsize ws;
    uint8_t f[ATTACH_HDR + 4];
    if (ioctl(0, TIOCGWINSZ, &ws) < 0 && ioctl(1, TIOCGWINSZ, &ws) < 0) return;
    queue(f, attach_frame_resize(f, ws.ws_row, ws.ws_col));
}

static void out_write(int fd, const uint8_t *data, size_t len)
{
    /* A closed stdout (e.g. `| head`) must not stop the container's input. */
    if (write_all(fd, data, len) < 0 && errno != EPIPE) fail("write: %s", strerror(errno));
}

int main(int argc, char **argv)
{
    const char *path = NULL, *keys = "ctrl-p,ctrl-q";
    int no_stdin = 0, stdin_once = 0, sig_proxy = 0, i, sock, sfd;
    int tty = 0, open_stdin = 0, have_info = 0, reading = 0, code = -1, use_keys;
    struct detach_matcher dm;
    struct mux_parser mp;
    sigset_t mask;
    uint8_t f[ATTACH_HDR];

    cove_prog = "cove-attach";
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--detach-keys") == 0 && i + 1 < argc) keys = argv[++i];
        else if (strncmp(a, "--detach-keys=", 14) == 0) keys = a + 14;
        else if (strcmp(a, "--no-stdin") == 0) no_stdin = 1;
        else if (strcmp(a, "--stdin-once") == 0) stdin_once = 1;
        else if (strcmp(a, "--sig-proxy") == 0) sig_proxy = 1;
        else if (a[0] == '-' && a[1]) usage();
        else if (!path) path = a;
        else usage();
    }
    if (!path) usage();
    if (detach_parse(&dm, keys) < 0)
        fail("invalid --detach-keys '%s' (want e.g. ctrl-p,ctrl-q or ctrl-a,x)", keys);

    sock = unix_connect(path);
    if (sock < 0) {
        if (errno == ENOENT || errno == ECONNREFUSED)
            fail("the container is not running (no monitor at %s)", path);
        fail("connect %s: %s", path, strerror(errno));
    }
    attach_frame_hdr(f, ATTACH_MUX, 0);
    if (write_all(sock, f, sizeof f) < 0) fail("write to %s: %s", path, strerror(errno));
    if (fcntl(sock, F_SETFL, O_NONBLOCK) < 0) fail("fcntl: %s", strerror(errno));

    sigemptyset(&mask);
    sigaddset(&mask, SIGWINCH);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGHUP);
    sigaddset(&mask, SIGQUIT);
    sigaddset(&mask, SIGPIPE);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    sigdelset(&mask, SIGPIPE);
    sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) fail("signalfd: %s", strerror(errno));
    atexit(restore_terminal);
    mux_parser_init(&mp);

    for (;;) {
        struct pollfd p[3];
        int np = 0, idx_in = -1, r;
        p[np].fd = sfd; p[np].events = POLLIN; np++;
        p[np].fd = sock;
        p[np].events = (short)(POLLIN | (send_len ? POLLOUT : 0));
        np++;
        if (reading && !send_len) { idx_in = np; p[np].fd = 0; p[np].events = POLLIN; np++; }
        r = poll(p, (nfds_t)np, -1);
        if (r < 0) {
            if (errno == EINTR) continue;
            fail("poll: %s", strerror(errno));
        }
        if (p[0].revents) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof si) == sizeof si) {
                int sig = (int)si.ssi_signo;
                if (sig == SIGWINCH) {
                    if (tty) queue_resize();
                } else if (sig_proxy && !tty) {
                    uint8_t sf[ATTACH_HDR + 1];
                    queue(sf, attach_frame_signal(sf, sig));
                } else {
                    /* The terminal went away or we were told to stop:
                     * detach, the container keeps running. */
                    restore_terminal();
                    exit(128 + sig);
                }
            }
        }
        if (p[1].revents & POLLOUT) flush_send(sock);
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            uint8_t buf[8192];
            ssize_t n = read(sock, buf, sizeof buf);
            size_t off = 0;
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (n <= 0) {
                restore_terminal();
                if (code >= 0) exit(code);
                if (n < 0) fail("read %s: %s", path, strerror(errno));
                fail("the monitor closed the connection without an exit status");
            }
            while (off < (size_t)n) {
                struct mux_event ev;
                off += mux_parse(&mp, buf + off, (size_t)n - off, &ev);
                if (ev.stream < 0) fail("malformed data from the monitor");
                if (ev.stream == MUX_STDOUT) out_write(1, ev.data, ev.len);
                else if (ev.stream == MUX_STDERR) out_write(2, ev.data, ev.len);
                else if (ev.stream == MUX_EXIT) code = ev.exit_code & 0xff;
                else if (ev.stream == MUX_INFO && !have_info) {
                    have_info = 1;
                    tty = !!(ev.info & INFO_TTY);
                    open_stdin = !!(ev.info & INFO_STDIN) && !no_stdin;
                    reading = open_stdin;
                    /* Raw mode for a terminal container fed from ours
                     * (docker does the same); keys go through as bytes. */
                    if (tty && open_stdin && isatty(0)) make_raw(0);
                    if (tty) queue_resize();
                }
            }
        }
        if (idx_in >= 0 && p[idx_in].revents) {
            uint8_t in[4096], out[4096 + DETACH_MAX];
            size_t outlen;
            ssize_t n = read(0, in, sizeof in);
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            /* Detach keys only from a terminal (in a pipe they are data). */
            use_keys = raw_fd >= 0 && dm.n;
            if (n <= 0) {
                if (use_keys) queue_stdin(out, detach_flush(&dm, out));
                reading = 0;
                if (stdin_once) {
                    attach_frame_hdr(f, ATTACH_CLOSE_STDIN, 0);
                    queue(f, sizeof f);
                }
            } else if (use_keys) {
                int detached = detach_feed(&dm, in, (size_t)n, out, &outlen);
                queue_stdin(out, outlen);
                if (detached) {
                    /* Send what came before the keys, then leave. */
                    struct pollfd wp = {sock, POLLOUT, 0};
                    flush_send(sock);
                    while (send_len && poll(&wp, 1, 1000) > 0) flush_send(sock);
                    restore_terminal();
                    exit(0);
                }
            } else {
                queue_stdin(in, (size_t)n);
            }
        }
        if (send_len) flush_send(sock);
    }
}
