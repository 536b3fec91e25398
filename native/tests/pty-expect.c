/* Test helper, a tiny expect(1): run CMD on a new pty (as node-pty does)
 * and drive it step by step.
 *   pty-expect [-t SECS] [-s ROWS,COLS] STEP... -- CMD ARGS...
 * steps: expect:TEXT  wait for TEXT in the output (after the last match)
 *        send:TEXT    write TEXT (escapes \r \n \t \\ \xHH)
 *        resize:R,C   TIOCSWINSZ on the master (SIGWINCH to the fg group)
 *        sleep:MS
 *        touch:PATH   create PATH (tells a test script we got here)
 * Then waits for CMD to exit and exits with its status (128+signal).
 * On a timeout: exit 124. The transcript goes to stdout at the end. */
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
#include <time.h>
#include <unistd.h>

static char out[1 << 20];
static size_t out_len, matched;
static int master;
static pid_t child;
static int64_t deadline;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void dump(void)
{
    fwrite(out, 1, out_len, stdout);
    fflush(stdout);
}

static _Noreturn void timeout_fail(const char *what)
{
    dump();
    fprintf(stderr, "\npty-expect: timed out %s\n", what);
    kill(child, SIGKILL);
    exit(124);
}

/* Read output for up to ms; 0 = EOF (EIO: no slave left). */
static int read_some(int ms)
{
    struct pollfd p = {master, POLLIN, 0};
    ssize_t n;
    if (poll(&p, 1, ms) <= 0) return 1;
    n = read(master, out + out_len, sizeof out - out_len);
    if (n <= 0) return 0;
    out_len += (size_t)n;
    return 1;
}

static size_t unescape(const char *s, char *buf)
{
    size_t n = 0;
    for (; *s; s++) {
        if (*s != '\\' || !s[1]) { buf[n++] = *s; continue; }
        s++;
        if (*s == 'r') buf[n++] = '\r';
        else if (*s == 'n') buf[n++] = '\n';
        else if (*s == 't') buf[n++] = '\t';
        else if (*s == 'x' && s[1] && s[2]) {
            char h[3] = {s[1], s[2], 0};
            buf[n++] = (char)strtol(h, NULL, 16);
            s += 2;
        } else buf[n++] = *s;
    }
    return n;
}

int main(int argc, char **argv)
{
    struct winsize ws = {24, 80, 0, 0};
    int i, first_step, cmd = -1, st, secs = 10;
    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) { cmd = i + 1; break; }
    if (cmd < 0 || cmd >= argc) {
        fprintf(stderr, "usage: pty-expect [-t SECS] [-s ROWS,COLS] STEP... -- CMD ARGS...\n");
        return 2;
    }
    for (i = 1; i < cmd - 1; i++) {
        if (strcmp(argv[i], "-t") == 0 && i + 1 < cmd - 1) secs = atoi(argv[++i]);
        else if (strcmp(argv[i], "-s") == 0 && i + 1 < cmd - 1) {
            unsigned r, c;
            if (sscanf(argv[++i], "%u,%u", &r, &c) == 2) { ws.ws_row = (unsigned short)r; ws.ws_col = (unsigned short)c; }
        } else break;
    }
    first_step = i;
    master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) { perror("posix_openpt"); return 1; }
    ioctl(master, TIOCSWINSZ, &ws);
    child = fork();
    if (child == 0) {
        int s;
        setsid();
        s = open(ptsname(master), O_RDWR);
        if (s < 0 || ioctl(s, TIOCSCTTY, 0) < 0) { perror("pty slave"); _exit(127); }
        dup2(s, 0);
        dup2(s, 1);
        dup2(s, 2);
        if (s > 2) close(s);
        execvp(argv[cmd], argv + cmd);
        perror(argv[cmd]);
        _exit(127);
    }
    deadline = now_ms() + (int64_t)secs * 1000;
    for (i = first_step; i < cmd - 1; i++) {
        const char *s = argv[i];
        char buf[4096];
        if (strncmp(s, "expect:", 7) == 0) {
            size_t n = unescape(s + 7, buf);
            for (;;) {
                void *hit = memmem(out + matched, out_len - matched, buf, n);
                if (hit) { matched = (size_t)((char *)hit - out) + n; break; }
                if (now_ms() > deadline || !read_some((int)(deadline - now_ms())))
                    timeout_fail(s);
            }
        } else if (strncmp(s, "send:", 5) == 0) {
            size_t n = unescape(s + 5, buf);
            if (write(master, buf, n) != (ssize_t)n) perror("write");
        } else if (strncmp(s, "resize:", 7) == 0) {
            unsigned r, c;
            if (sscanf(s + 7, "%u,%u", &r, &c) == 2) {
                ws.ws_row = (unsigned short)r;
                ws.ws_col = (unsigned short)c;
                ioctl(master, TIOCSWINSZ, &ws);
            }
        } else if (strncmp(s, "touch:", 6) == 0) {
            int fd = open(s + 6, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
            if (fd >= 0) close(fd);
        } else if (strncmp(s, "sleep:", 6) == 0) {
            int64_t until = now_ms() + atoi(s + 6);
            while (now_ms() < until && read_some((int)(until - now_ms()))) {}
        } else {
            fprintf(stderr, "pty-expect: unknown step %s\n", s);
            kill(child, SIGKILL);
            return 2;
        }
    }
    /* Drain until the child is gone. */
    for (;;) {
        pid_t w = waitpid(child, &st, WNOHANG);
        if (w == child) break;
        if (now_ms() > deadline) timeout_fail("waiting for exit");
        if (!read_some(50)) {
            if (waitpid(child, &st, 0) == child) break;
        }
    }
    while (read_some(0) && out_len < sizeof out) {
        struct pollfd p = {master, POLLIN, 0};
        if (poll(&p, 1, 0) <= 0) break;
    }
    dump();
    return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}
