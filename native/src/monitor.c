/* cove-monitor: one per container, the role conmon plays for podman. It
 * starts the container through the OCI runtime, adopts it as subreaper,
 * writes its output to a CRI log, and records the exit code. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crilog.h"
#include "json.h"
#include "util.h"

struct mopts {
    const char *runtime, *runtime_root, *bundle, *id, *log, *exit_file,
        *pid_file, *monitor_pid_file;
    int foreground;
    uint64_t log_max;
    /* conmon's --exit-command: run after the exit file is written, e.g.
     * the engine's `rm` for `run --rm -d`, since no daemon is left to do it. */
    const char *exit_command;
    const char *exit_args[32];
    int n_exit_args;
};

static struct mopts o;
static int report_fd = -1; /* detached: pipe to the waiting parent */

static _Noreturn void usage(void)
{
    fprintf(stderr,
            "usage: cove-monitor --runtime PATH [--runtime-root DIR] --bundle DIR --id ID\n"
            "         --log FILE --exit-file FILE --pid-file FILE [--status-fd N]\n"
            "         [--foreground] [--log-max-bytes N] [--monitor-pid-file F]\n"
            "         [--exit-command PATH [--exit-command-arg ARG]...]\n");
    exit(2);
}

/* Report to whoever waits for "container started": the parent of a
 * detached monitor (through report_fd) or our own status fd. */
static void report_failure(const char *line, size_t len)
{
    if (report_fd >= 0) {
        write_all(report_fd, line, len);
        close(report_fd);
        report_fd = -1;
    } else {
        emit_status_line(line, len);
    }
}

static void report_ok(void)
{
    if (report_fd >= 0) {
        write_all(report_fd, "ok\n", 3);
        close(report_fd);
        report_fd = -1;
    }
}

/* Parent side of the detach: wait for the daemon's first word. */
static _Noreturn void wait_for_daemon(int fd)
{
    char buf[4096];
    ssize_t n = read_all(fd, buf, sizeof buf - 1);
    if (n >= 3 && memcmp(buf, "ok\n", 3) == 0) exit(0);
    if (n > 0 && buf[0] == '{') {
        char err[64];
        size_t len = strcspn(buf, "\n");
        struct json *j;
        buf[n] = 0;
        emit_status_line(buf, len + 1);
        j = json_parse(buf, len, err, sizeof err);
        if (j && json_get(j, "message") && json_get(j, "message")->type == JSON_STRING)
            fprintf(stderr, "%s: %s\n", cove_prog, json_get(j, "message")->string);
        json_free(j);
        exit(1);
    }
    die(E_FAILED, "monitor exited before the container started");
}

/* The daemon outlives its caller: an inherited fd (a pipe the caller
 * reads to EOF) must not stay open in it, CLOEXEC or not. */
static void close_other_fds(int a, int b)
{
    int lo = a < b ? a : b, hi = a < b ? b : a;
    if (lo > 3 && close_range(3, (unsigned)lo - 1, 0) < 0) die_errno(E_FAILED, "close_range");
    if (hi > lo + 1 && close_range((unsigned)lo + 1, (unsigned)hi - 1, 0) < 0) die_errno(E_FAILED, "close_range");
    if (close_range((unsigned)hi + 1, ~0U, 0) < 0) die_errno(E_FAILED, "close_range");
}

static void daemonize(int log_fd)
{
    int p[2], null;
    pid_t pid;
    if (pipe2(p, O_CLOEXEC) < 0) die_errno(E_FAILED, "pipe2");
    pid = fork();
    if (pid < 0) die_errno(E_FAILED, "fork");
    if (pid > 0) {
        close(p[1]);
        wait_for_daemon(p[0]);
    }
    close(p[0]);
    report_fd = p[1];
    if (setsid() < 0) die_errno(E_FAILED, "setsid");
    null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0) die_errno(E_FAILED, "open /dev/null");
    if (dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
        die_errno(E_FAILED, "dup2 /dev/null");
    close(null);
    if (cove_status_fd >= 0) { close(cove_status_fd); cove_status_fd = -1; }
    cove_quiet_stderr = 1;
    close_other_fds(report_fd, log_fd);
}

static int speaks_status_fd(void)
{
    const char *base = strrchr(o.runtime, '/');
    base = base ? base + 1 : o.runtime;
    return strncmp(base, "cove-runtime", 12) == 0;
}

/* Tail of the runtime's stderr until the container runs (bounded). */
static char rt_err[512];
static size_t rt_err_len;
static int runtime_running = 1;

static void keep_runtime_stderr(const char *data, size_t len)
{
    if (len >= sizeof rt_err) {
        data += len - (sizeof rt_err - 1);
        len = sizeof rt_err - 1;
    }
    if (rt_err_len + len >= sizeof rt_err) {
        size_t drop = rt_err_len + len - (sizeof rt_err - 1);
        memmove(rt_err, rt_err + drop, rt_err_len - drop);
        rt_err_len -= drop;
    }
    memcpy(rt_err + rt_err_len, data, len);
    rt_err_len += len;
    rt_err[rt_err_len] = 0;
}

static const char *last_line(char *buf)
{
    char *end = buf + strlen(buf), *start;
    while (end > buf && (end[-1] == '\n' || end[-1] == ' ')) *--end = 0;
    start = strrchr(buf, '\n');
    return start ? start + 1 : buf;
}

static pid_t spawn_runtime(int out_w, int err_w, int st_w)
{
    char *argv[16];
    int argc = 0;
    pid_t pid;
    argv[argc++] = (char *)o.runtime;
    if (o.runtime_root) { argv[argc++] = "--root"; argv[argc++] = (char *)o.runtime_root; }
    /* runc/crun have no --status-fd: for them the error is taken from
     * their last stderr line instead. */
    if (speaks_status_fd()) {
        argv[argc++] = "--status-fd";
        argv[argc++] = "3";
    }
    argv[argc++] = "run";
    argv[argc++] = "--detach";
    argv[argc++] = "--bundle";
    argv[argc++] = (char *)o.bundle;
    argv[argc++] = "--pid-file";
    argv[argc++] = (char *)o.pid_file;
    argv[argc++] = (char *)o.id;
    argv[argc] = NULL;
    pid = fork();
    if (pid < 0) die_errno(E_FAILED, "fork runtime");
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (!o.foreground || report_fd >= 0) {
            int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
            if (null < 0 || dup2(null, 0) < 0) _exit(127);
        }
        /* dup2 clears FD_CLOEXEC on the new fds; order avoids clobbering. */
        if (dup2(st_w, 3) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0) _exit(127);
        execv(o.runtime, argv);
        dprintf(2, "cove-monitor: execv %s: %s\n", o.runtime, strerror(errno));
        _exit(127);
    }
    return pid;
}

static void run_delete(void)
{
    char *argv[8];
    int argc = 0, st;
    pid_t pid;
    argv[argc++] = (char *)o.runtime;
    if (o.runtime_root) { argv[argc++] = "--root"; argv[argc++] = (char *)o.runtime_root; }
    argv[argc++] = "delete";
    argv[argc++] = "--force";
    argv[argc++] = (char *)o.id;
    argv[argc] = NULL;
    pid = fork();
    if (pid < 0) return;
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execv(o.runtime, argv);
        _exit(127);
    }
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
}

static void run_exit_command(void)
{
    char *argv[34];
    int argc = 0, st;
    pid_t pid;
    if (!o.exit_command) return;
    argv[argc++] = (char *)o.exit_command;
    for (int i = 0; i < o.n_exit_args; i++) argv[argc++] = (char *)o.exit_args[i];
    argv[argc] = NULL;
    pid = fork();
    if (pid < 0) {
        warnx_("fork for exit command: %s", strerror(errno));
        return;
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execv(o.exit_command, argv);
        _exit(127);
    }
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
}

static void write_exit_file(int code)
{
    char buf[128], ts[48];
    struct timespec now;
    int n;
    clock_gettime(CLOCK_REALTIME, &now);
    format_rfc3339_nano(ts, sizeof ts, &now);
    n = snprintf(buf, sizeof buf, "{\"exitCode\":%d,\"finishedAt\":\"%s\"}\n", code, ts);
    if (write_file_atomic(o.exit_file, buf, (size_t)n, 0600) < 0)
        warnx_("write exit file %s: %s", o.exit_file, strerror(errno));
}

static pid_t read_pid_file(void)
{
    char *s = read_file(o.pid_file, 64, NULL);
    int ok;
    long v;
    if (!s) die_errno(E_FAILED, "read pid file %s", o.pid_file);
    v = parse_long(s, 1, 1 << 22, &ok);
    free(s);
    if (!ok) die(E_FAILED, "bad pid file %s", o.pid_file);
    return (pid_t)v;
}

/* Read what is available: 1 = data, 0 = EOF (fd closed), -1 = nothing now. */
static int pump(int *fd, struct crilog *log, struct cri_stream *s)
{
    char buf[8192];
    ssize_t n = read(*fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return -1;
    if (n <= 0) {
        cri_flush(log, s);
        close(*fd);
        *fd = -1;
        return 0;
    }
    if (runtime_running && s->idx == 1) keep_runtime_stderr(buf, (size_t)n);
    if (cri_feed(log, s, buf, (size_t)n) < 0) warnx_("write log %s: %s", o.log, strerror(errno));
    return 1;
}

int main(int argc, char **argv)
{
    static struct cri_stream s_out = {"stdout", 0, 0, {0}}, s_err = {"stderr", 1, 0, {0}};
    struct crilog log;
    int i, out[2], err[2], stp[2], sfd, fds[2];
    sigset_t mask;
    pid_t runtime_pid, ctr = -1;
    int runtime_done = 0, ctr_done = 0, ctr_code = 0, ok;
    char status[4096];
    size_t status_len = 0;
    /* exits of unknown children (the container can be reaped before the
     * runtime's exit tells us its pid: both arrive with one SIGCHLD) */
    pid_t early_pid[16];
    int early_status[16], n_early = 0;

    cove_prog = "cove-monitor";
    o.log_max = 10 * 1024 * 1024;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name, field) if (strcmp(a, name) == 0) { if (!v) usage(); field = v; i++; continue; }
        OPT("--runtime", o.runtime)
        OPT("--runtime-root", o.runtime_root)
        OPT("--bundle", o.bundle)
        OPT("--id", o.id)
        OPT("--log", o.log)
        OPT("--exit-file", o.exit_file)
        OPT("--pid-file", o.pid_file)
        OPT("--monitor-pid-file", o.monitor_pid_file)
#undef OPT
        if (strcmp(a, "--status-fd") == 0 && v) { cove_status_fd = parse_status_fd(v); i++; continue; }
        if (strcmp(a, "--log-max-bytes") == 0 && v) {
            o.log_max = (uint64_t)parse_long(v, 0, 1L << 62, &ok);
            if (!ok) die(E_FAILED, "bad --log-max-bytes '%s'", v);
            i++;
            continue;
        }
        if (strcmp(a, "--foreground") == 0) { o.foreground = 1; continue; }
        if (strcmp(a, "--exit-command") == 0 && v) { o.exit_command = v; i++; continue; }
        if (strcmp(a, "--exit-command-arg") == 0 && v) {
            if (o.n_exit_args >= 32) die(E_FAILED, "too many --exit-command-arg");
            o.exit_args[o.n_exit_args++] = v;
            i++;
            continue;
        }
        usage();
    }
    if (!o.runtime || !o.bundle || !o.id || !o.log || !o.exit_file || !o.pid_file) usage();
    if (access(o.runtime, X_OK) < 0) die_errno(E_FAILED, "runtime %s", o.runtime);

    if (crilog_open(&log, o.log, o.log_max) < 0) die_errno(E_FAILED, "open log %s", o.log);
    log.copy_fd[0] = o.foreground ? 1 : -1;
    log.copy_fd[1] = o.foreground ? 2 : -1;
    if (!o.foreground) daemonize(log.fd);
    if (o.monitor_pid_file) {
        char b[32];
        int n = snprintf(b, sizeof b, "%d", (int)getpid());
        if (write_file_atomic(o.monitor_pid_file, b, (size_t)n, 0644) < 0)
            die_errno(E_FAILED, "write %s", o.monitor_pid_file);
    }
    /* The container's init is the runtime's child; when the runtime exits
     * it is reparented to us (prctl(2) PR_SET_CHILD_SUBREAPER). */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) die_errno(E_FAILED, "prctl PR_SET_CHILD_SUBREAPER");

    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGHUP);
    sigaddset(&mask, SIGPIPE);
    if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) die_errno(E_FAILED, "sigprocmask");
    sigdelset(&mask, SIGPIPE);
    sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) die_errno(E_FAILED, "signalfd");

    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || pipe2(stp, O_CLOEXEC) < 0)
        die_errno(E_FAILED, "pipe2");
    runtime_pid = spawn_runtime(out[1], err[1], stp[1]);
    close(out[1]);
    close(err[1]);
    close(stp[1]);
    fds[0] = out[0];
    fds[1] = err[0];
    /* Non-blocking so the final drain stops at "empty" even if a leftover
     * process (no pid namespace) still holds the write end. */
    if (fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0 || fcntl(fds[1], F_SETFL, O_NONBLOCK) < 0)
        die_errno(E_FAILED, "fcntl O_NONBLOCK on log pipes");

    while (!ctr_done || fds[0] >= 0 || fds[1] >= 0) {
        struct pollfd p[4];
        int np = 0, r, idx_st = -1, idx_o = -1, idx_e = -1;
        int pending = s_out.len || s_err.len;
        p[np].fd = sfd; p[np].events = POLLIN; np++;
        if (stp[0] >= 0) { idx_st = np; p[np].fd = stp[0]; p[np].events = POLLIN; np++; }
        if (fds[0] >= 0) { idx_o = np; p[np].fd = fds[0]; p[np].events = POLLIN; np++; }
        if (fds[1] >= 0) { idx_e = np; p[np].fd = fds[1]; p[np].events = POLLIN; np++; }
        if (ctr_done) {
            /* The container is gone: take what is buffered in the pipes and
             * stop; a leftover descendant (no pid ns) must not keep us. */
            while (fds[0] >= 0 && pump(&fds[0], &log, &s_out) == 1) {}
            while (fds[1] >= 0 && pump(&fds[1], &log, &s_err) == 1) {}
            break;
        }
        r = poll(p, (nfds_t)np, pending ? 200 : -1);
        if (r < 0) {
            if (errno == EINTR) continue;
            die_errno(E_FAILED, "poll");
        }
        if (r == 0) { /* idle: flush partial lines (a prompt without \n) */
            cri_flush(&log, &s_out);
            cri_flush(&log, &s_err);
            continue;
        }
        if (idx_o >= 0 && p[idx_o].revents) pump(&fds[0], &log, &s_out);
        if (idx_e >= 0 && p[idx_e].revents) pump(&fds[1], &log, &s_err);
        if (idx_st >= 0 && p[idx_st].revents) {
            ssize_t n = read(stp[0], status + status_len, sizeof status - 1 - status_len);
            if (n > 0) status_len += (size_t)n;
            else if (n == 0 || (errno != EINTR && errno != EAGAIN)) { close(stp[0]); stp[0] = -1; }
        }
        if (p[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof si) == sizeof si) {
                int sig = (int)si.ssi_signo, wst;
                pid_t w;
                if (sig != SIGCHLD) {
                    if (ctr > 0) kill(ctr, sig);
                    else if (!runtime_done) kill(runtime_pid, sig);
                    continue;
                }
                while ((w = waitpid(-1, &wst, WNOHANG)) > 0) {
                    int code = WIFSIGNALED(wst) ? 128 + WTERMSIG(wst) : WEXITSTATUS(wst);
                    if (w == runtime_pid) {
                        runtime_done = 1;
                        if (code != 0) {
                            char line[4096];
                            size_t len;
                            /* Collect the rest of the status before reporting. */
                            while (stp[0] >= 0) {
                                ssize_t n = read(stp[0], status + status_len, sizeof status - 1 - status_len);
                                if (n <= 0) { close(stp[0]); stp[0] = -1; }
                                else status_len += (size_t)n;
                            }
                            status[status_len] = 0;
                            if (status_len && status[0] == '{') {
                                len = strcspn(status, "\n");
                                memcpy(line, status, len);
                                line[len++] = '\n';
                            } else {
                                char msg[768];
                                /* Keep the runtime's stderr in the log too. */
                                while (fds[1] >= 0 && pump(&fds[1], &log, &s_err) == 1) {}
                                if (rt_err_len)
                                    snprintf(msg, sizeof msg, "%s", last_line(rt_err));
                                else
                                    snprintf(msg, sizeof msg, "%s run exited with status %d",
                                             o.runtime, code);
                                len = format_status_json(line, sizeof line, E_FAILED, msg);
                            }
                            while (fds[1] >= 0 && pump(&fds[1], &log, &s_err) == 1) {}
                            cri_flush(&log, &s_err);
                            report_failure(line, len);
                            if (!cove_quiet_stderr && status_len == 0) fprintf(stderr, "%s: runtime failed\n", cove_prog);
                            exit(1);
                        }
                        runtime_running = 0;
                        ctr = read_pid_file();
                        report_ok();
                        for (i = 0; i < n_early; i++)
                            if (early_pid[i] == ctr) { ctr_done = 1; ctr_code = early_status[i]; }
                    } else if (ctr > 0 && w == ctr) {
                        ctr_done = 1;
                        ctr_code = code;
                    } else if (ctr <= 0 && n_early < 16) {
                        early_pid[n_early] = w;
                        early_status[n_early++] = code;
                    }
                }
            }
        }
    }
    cri_flush(&log, &s_out);
    cri_flush(&log, &s_err);
    write_exit_file(ctr_code);
    run_delete();
    run_exit_command();
    return o.foreground ? ctr_code : 0;
}
