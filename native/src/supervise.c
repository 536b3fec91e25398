/* Runtime-side helpers shared by run/create and exec: waiting for the
 * child's exec report, forwarding signals, undoing on failure. */
#include "supervise.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "json.h"
#include "state.h"
#include "util.h"

char *cleanup_dir;
pid_t cleanup_pid;
static volatile sig_atomic_t fwd_pid;

void supervise_cleanup(void)
{
    if (cleanup_pid > 0) {
        kill(cleanup_pid, SIGKILL);
        waitpid(cleanup_pid, NULL, 0);
    }
    /* A create that failed half-way (a limit the kernel refused) leaves no cgroup behind either. */
    if (cleanup_dir) {
        cgroup_remove(cleanup_dir, NULL);
        state_remove(cleanup_dir);
    }
}

static void forward_signal(int sig)
{
    if (fwd_pid > 0) kill(fwd_pid, sig);
}

int wait_forwarding(pid_t pid)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
    struct sigaction sa;
    size_t i;
    int status;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward_signal;
    sa.sa_flags = SA_RESTART;
    fwd_pid = pid;
    for (i = 0; i < sizeof sigs / sizeof *sigs; i++) sigaction(sigs[i], &sa, NULL);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) die_errno(E_FAILED, "waitpid %d", (int)pid);
    }
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

int connect_console(const char *path)
{
    struct sockaddr_un sa;
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) die_errno(E_FAILED, "socket AF_UNIX");
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa.sun_path) die(E_FAILED, "console socket path too long: %s", path);
    strcpy(sa.sun_path, path);
    if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0)
        die_errno(E_FAILED, "connect console socket %s", path);
    return s;
}

/* Read the child's report: `want` ("ready\n", "hooks\n"), an error JSON
 * line, or EOF when exec closed the CLOEXEC pipe (want NULL). Dies on error. */
static void await_line(int fd, pid_t pid, const char *want)
{
    char buf[8192];
    size_t len = 0, wl = want ? strlen(want) : 0;
    for (;;) {
        /* One byte at a time while a marker is expected: what follows it
         * is the next step's report, not ours to consume. */
        ssize_t n = read(fd, buf + len, want ? 1 : sizeof buf - 1 - len);
        if (n < 0) {
            if (errno == EINTR) continue;
            die_errno(E_FAILED, "read from container process %d", (int)pid);
        }
        if (n == 0) break;
        len += (size_t)n;
        if (want && len >= wl && memcmp(buf, want, wl) == 0) return;
        if (want && buf[0] != '{' && len >= wl) break;
        if (want && buf[0] == '{' && buf[len - 1] == '\n') break;
        if (len == sizeof buf - 1) break;
    }
    buf[len] = 0;
    if (len == 0) {
        if (want) {
            int st;
            waitpid(pid, &st, 0);
            cleanup_pid = 0;
            die(E_FAILED, "container process exited during setup");
        }
        return;
    }
    if (buf[0] == '{') {
        char err[64], *msg = buf;
        struct json *j = json_parse(buf, strcspn(buf, "\n"), err, sizeof err);
        struct json *m = j ? json_get(j, "message") : NULL;
        if (m && m->type == JSON_STRING) msg = m->string;
        emit_status_line(buf, strcspn(buf, "\n") + 1);
        fprintf(stderr, "%s: %s\n", cove_prog, msg);
        json_free(j);
        exit(1); /* cleanup() reaps the child and removes the state dir */
    }
    die(E_FAILED, "unexpected message from container process: %.200s", buf);
}

void await_child(int fd, pid_t pid, enum mode mode)
{
    await_line(fd, pid, mode == MODE_CREATE ? "ready\n" : NULL);
}

void await_hook_point(int fd, pid_t pid)
{
    await_line(fd, pid, "hooks\n");
}
