/* cove-monitor: one per container, the role conmon plays for podman. It
 * starts the container through the OCI runtime, adopts it as subreaper,
 * writes its output to a CRI log, records the exit code, and serves the
 * attach socket (pty master of -t containers, stdin pipe of -i ones). */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "crilog.h"
#include "health.h"
#include "json.h"
#include "network.h"
#include "terminal.h"
#include "unixsock.h"
#include "util.h"

struct mopts {
    const char *runtime, *runtime_root, *bundle, *id, *log, *exit_file,
        *pid_file, *monitor_pid_file, *attach_socket, *instance_lock;
    int foreground, open_stdin, attach_hold;
    uint64_t log_max;
    /* conmon's --exit-command: run after the exit file is written, e.g.
     * the engine's `rm` for `run --rm -d`, since no daemon is left to do it. */
    const char *exit_command;
    const char *exit_args[32];
    int n_exit_args;
    /* --network slirp4netns: create, slirp4netns + ports, then start. */
    int slirp;
    const char *slirp_bin, *api_socket, *ports_file;
    struct port_map ports[64];
    int n_ports;
    /* --network hook: create, run the hook with the container's pid (it
     * attaches the namespace to Cove's user-defined networks), then start. */
    int hook;
    const char *hook_args[12];
    int n_hook_args;
};

static struct mopts o;
/* --health-*: the healthcheck's prober, forked once the container runs. */
static struct health_opts health;
static pid_t health_pid = -1;

static void stop_health(void)
{
    if (health_pid > 0) kill(health_pid, SIGKILL);
    health_pid = -1;
}
static int report_fd = -1; /* detached: pipe to the waiting parent */

static _Noreturn void usage(void)
{
    fprintf(stderr,
            "usage: cove-monitor --runtime PATH [--runtime-root DIR] --bundle DIR --id ID\n"
            "         --log FILE --exit-file FILE --pid-file FILE [--status-fd N]\n"
            "         [--foreground] [--log-max-bytes N] [--monitor-pid-file F] [--instance-lock F]\n"
            "         [--attach-socket PATH [--attach-hold]] [--stdin]\n"
            "         [--exit-command PATH [--exit-command-arg ARG]...]\n"
            "         [--network slirp4netns|none|container:ID [--slirp4netns PATH]\n"
            "          [--slirp-api-socket PATH] [--publish PROTO:HOSTIP:HOSTPORT:CTRPORT]...\n"
            "          [--ports-file PATH]]\n"
            "         [--network hook --net-hook PATH [--net-hook-arg ARG]...]\n"
            "         [--health-state FILE --health-cmd ARG... --health-interval-ms N\n"
            "          --health-timeout-ms N --health-start-period-ms N\n"
            "          --health-start-interval-ms N --health-retries N [--health-paused-file F]]\n");
    exit(2);
}

/* Report to whoever waits for "container started": the parent of a
 * detached monitor (through report_fd) or our own status fd. */
static void report_failure(const char *line, size_t len)
{
    if (report_fd >= 0) {
        write_all(report_fd, line, len);
        close(report_fd);
        report_fd = cove_status_fd = -1;
    } else {
        emit_status_line(line, len);
    }
}

static void report_ok(void)
{
    if (report_fd >= 0) {
        write_all(report_fd, "ok\n", 3);
        close(report_fd);
        report_fd = cove_status_fd = -1;
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
    if (cove_status_fd >= 0) close(cove_status_fd);
    /* Until the container runs, die() reports through the parent. */
    cove_status_fd = report_fd;
    cove_quiet_stderr = 1;
    close_other_fds(report_fd, log_fd);
}

static int speaks_status_fd(void)
{
    const char *base = strrchr(o.runtime, '/');
    base = base ? base + 1 : o.runtime;
    return strncmp(base, "cove-runtime", 12) == 0;
}

/* process.terminal of the bundle (pty or pipes), and whether it asks for
 * a new network namespace (linux.namespaces "network" without a path). */
static int bundle_wants_terminal(int *new_netns)
{
    char *path = xasprintf("%s/config.json", o.bundle), err[128], *text;
    size_t len;
    struct json *j, *p, *t, *l, *ns;
    int term = 0;
    text = read_file(path, 4 << 20, &len);
    if (!text) die_errno(E_CONFIG, "read %s", path);
    j = json_parse(text, len, err, sizeof err);
    if (!j) die(E_CONFIG, "%s: %s", path, err);
    p = json_get(j, "process");
    t = p ? json_get(p, "terminal") : NULL;
    if (t && t->type == JSON_BOOL) term = t->boolean;
    l = json_get(j, "linux");
    ns = l ? json_get(l, "namespaces") : NULL;
    *new_netns = 0;
    for (size_t i = 0; ns && ns->type == JSON_ARRAY && i < ns->len; i++) {
        struct json *ty = json_get(ns->items[i], "type"), *pa = json_get(ns->items[i], "path");
        if (ty && ty->type == JSON_STRING && strcmp(ty->string, "network") == 0)
            *new_netns = !pa || (pa->type == JSON_STRING && !*pa->string);
    }
    json_free(j);
    free(text);
    free(path);
    /* The parse is the only large allocation: give it back (idle RSS). */
    malloc_trim(0);
    return term;
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

static pid_t spawn_runtime(int in_r, int out_w, int err_w, int st_w, const char *console)
{
    char *argv[20];
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
    /* With networking the process must not start before its network is
     * up: create (the init waits on exec.fifo), then start. */
    if (o.slirp || o.hook) {
        argv[argc++] = "create";
    } else {
        argv[argc++] = "run";
        argv[argc++] = "--detach";
    }
    argv[argc++] = "--bundle";
    argv[argc++] = (char *)o.bundle;
    argv[argc++] = "--pid-file";
    argv[argc++] = (char *)o.pid_file;
    if (console) {
        argv[argc++] = "--console-socket";
        argv[argc++] = (char *)console;
    }
    argv[argc++] = (char *)o.id;
    argv[argc] = NULL;
    pid = fork();
    if (pid < 0) die_errno(E_FAILED, "fork runtime");
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (in_r >= 0) {
            if (dup2(in_r, 0) < 0) _exit(127);
        } else if (!o.foreground || report_fd >= 0) {
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

static void run_child(char **argv)
{
    int st;
    pid_t pid = fork();
    if (pid < 0) {
        warnx_("fork for %s: %s", argv[0], strerror(errno));
        return;
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execv(argv[0], argv);
        _exit(127);
    }
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
}

/* --instance-lock: one monitor per container at a time. The previous
 * monitor of a container that was stopped and started again may still be
 * on its way out (writing the exit file comes before its `delete --force`
 * and exit command); were the new instance created first, that late delete
 * would remove the new instance's runtime state. So each monitor holds an
 * flock(2) on this file for its whole life (released by the kernel when it
 * dies, whatever kills it) and a new one waits for it before `create`.
 * O_CLOEXEC: the runtime and the exit command must not inherit it. */
static int instance_fd = -1;

static void take_instance_lock(const char *file)
{
    instance_fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (instance_fd < 0) die_errno(E_FAILED, "open %s", file);
    while (flock(instance_fd, LOCK_EX) < 0)
        if (errno != EINTR) die_errno(E_FAILED, "flock %s", file);
}

/* After our `delete`, nothing of ours touches the runtime state: let the
 * next monitor in. Before the exit command, which may be the restart
 * policy's `start` and would otherwise wait for us while we wait for it.
 * LOCK_UN, not just close: the prober's copy of the descriptor (same open
 * file description) may outlive its SIGKILL by a moment. */
static void release_instance_lock(void)
{
    if (instance_fd < 0) return;
    flock(instance_fd, LOCK_UN);
    close(instance_fd);
    instance_fd = -1;
}

static void run_delete(void)
{
    char *argv[8];
    int argc = 0;
    argv[argc++] = (char *)o.runtime;
    if (o.runtime_root) { argv[argc++] = "--root"; argv[argc++] = (char *)o.runtime_root; }
    argv[argc++] = "delete";
    argv[argc++] = "--force";
    argv[argc++] = (char *)o.id;
    argv[argc] = NULL;
    run_child(argv);
}

static void run_exit_command(void)
{
    char *argv[34];
    int argc = 0;
    if (!o.exit_command) return;
    argv[argc++] = (char *)o.exit_command;
    for (int i = 0; i < o.n_exit_args; i++) argv[argc++] = (char *)o.exit_args[i];
    argv[argc] = NULL;
    run_child(argv);
}

/* ---- create / network / start -------------------------------------------- */

static struct slirp slirp = {-1, -1, -1, {0}, 0, 0};
static char status_buf[4096];
static int ports_written;

/* A failure once the container exists (created, not started): kill and
 * delete it, stop slirp4netns, report, exit. Nothing stays behind. */
static _Noreturn void abort_created(pid_t ctr, const char *code, const char *msg)
{
    char line[4096];
    size_t len = format_status_json(line, sizeof line, code, msg);
    if (ctr > 0) {
        kill(ctr, SIGKILL);
        while (waitpid(ctr, NULL, 0) < 0 && errno == EINTR) {}
    }
    run_delete();
    slirp_stop(&slirp);
    if (o.slirp && o.api_socket) unlink(o.api_socket);
    if (ports_written) unlink(o.ports_file);
    report_failure(line, len);
    if (!cove_quiet_stderr) fprintf(stderr, "%s: %s\n", cove_prog, msg);
    exit(1);
}

/* The network hook for the created container: its pid is the last
 * argument; on failure its stdout's last line is a status JSON line. */
static void network_hook(pid_t ctr)
{
    char *argv[16], pidstr[16], out[2048], perr[64];
    int argc = 0, p[2], st;
    size_t got = 0;
    pid_t pid;
    struct json *j;
    snprintf(pidstr, sizeof pidstr, "%d", (int)ctr);
    for (int i = 0; i < o.n_hook_args; i++) argv[argc++] = (char *)o.hook_args[i];
    argv[argc++] = pidstr;
    argv[argc] = NULL;
    if (pipe2(p, O_CLOEXEC) < 0) abort_created(ctr, E_NETWORK, "pipe for the network hook");
    pid = fork();
    if (pid < 0) abort_created(ctr, E_NETWORK, "fork for the network hook");
    if (pid == 0) {
        sigset_t none;
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (null < 0 || dup2(null, 0) < 0 || dup2(p[1], 1) < 0 || dup2(null, 2) < 0) _exit(127);
        execv(argv[0], argv);
        _exit(127);
    }
    close(p[1]);
    for (;;) {
        ssize_t n = read(p[0], out + got, sizeof out - 1 - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
        if (got + 1 >= sizeof out) break;
    }
    out[got] = 0;
    close(p[0]);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return;
    j = json_parse(last_line(out), strlen(last_line(out)), perr, sizeof perr);
    {
        struct json *c = j ? json_get(j, "code") : NULL, *m = j ? json_get(j, "message") : NULL;
        char msg[2048];
        snprintf(msg, sizeof msg, "%s", m && m->type == JSON_STRING ? m->string : "the network hook failed");
        abort_created(ctr, c && c->type == JSON_STRING ? xstrdup(c->string) : E_NETWORK, msg);
    }
}

/* slirp4netns for the created container, then its published ports. */
static void network_up(pid_t ctr)
{
    const char *code;
    char msg[1024];
    /* host.docker.internal (10.0.2.2) reaches the host's loopback too, as
     * on Docker Desktop (slirp4netns(1), --disable-host-loopback not given). */
    slirp.host_loopback = 1;
    if (slirp_start(&slirp, o.slirp_bin, ctr, o.api_socket, slirp_sandbox_ok(), 10000,
                    &code, msg, sizeof msg) < 0)
        abort_created(ctr, code, msg);
    for (int i = 0; i < o.n_ports; i++)
        if (slirp_add_port(o.api_socket, &o.ports[i], &code, msg, sizeof msg) < 0)
            abort_created(ctr, code, msg);
    if (o.ports_file) {
        char *j = ports_json(o.ports, o.n_ports);
        if (write_file_atomic(o.ports_file, j, strlen(j), 0644) < 0) {
            snprintf(msg, sizeof msg, "write ports file %s: %s", o.ports_file, strerror(errno));
            abort_created(ctr, E_FAILED, msg);
        }
        ports_written = 1;
        free(j);
    }
}

/* `RUNTIME start ID`, waited for; on failure the container is removed. */
static void start_created(pid_t ctr)
{
    char *argv[10], out[4096], msg[768];
    int argc = 0, ep[2], sp[2], st, code;
    size_t elen = 0, slen = 0;
    pid_t pid;
    argv[argc++] = (char *)o.runtime;
    if (o.runtime_root) { argv[argc++] = "--root"; argv[argc++] = (char *)o.runtime_root; }
    if (speaks_status_fd()) { argv[argc++] = "--status-fd"; argv[argc++] = "3"; }
    argv[argc++] = "start";
    argv[argc++] = (char *)o.id;
    argv[argc] = NULL;
    if (pipe2(ep, O_CLOEXEC) < 0 || pipe2(sp, O_CLOEXEC) < 0) {
        snprintf(msg, sizeof msg, "pipe2: %s", strerror(errno));
        abort_created(ctr, E_FAILED, msg);
    }
    pid = fork();
    if (pid < 0) {
        snprintf(msg, sizeof msg, "fork runtime: %s", strerror(errno));
        abort_created(ctr, E_FAILED, msg);
    }
    if (pid == 0) {
        sigset_t none;
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(sp[1], 3) < 0 || dup2(ep[1], 2) < 0)
            _exit(127);
        execv(o.runtime, argv);
        dprintf(2, "cove-monitor: execv %s: %s\n", o.runtime, strerror(errno));
        _exit(127);
    }
    close(ep[1]);
    close(sp[1]);
    /* Small outputs (a line or two), far below a pipe's capacity. */
    for (ssize_t n; (n = read(ep[0], out + elen, sizeof out - 1 - elen)) != 0;) {
        if (n < 0) { if (errno == EINTR) continue; break; }
        elen += (size_t)n;
        if (elen == sizeof out - 1) break;
    }
    out[elen] = 0;
    for (ssize_t n; (n = read(sp[0], status_buf + slen, sizeof status_buf - 1 - slen)) != 0;) {
        if (n < 0) { if (errno == EINTR) continue; break; }
        slen += (size_t)n;
        if (slen == sizeof status_buf - 1) break;
    }
    status_buf[slen] = 0;
    close(ep[0]);
    close(sp[0]);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    code = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
    if (code == 0) return;
    if (slen && status_buf[0] == '{') {
        /* The runtime's own status line: forward its code and message. */
        char err[64];
        struct json *j = json_parse(status_buf, strcspn(status_buf, "\n"), err, sizeof err);
        struct json *c = j ? json_get(j, "code") : NULL, *m = j ? json_get(j, "message") : NULL;
        if (c && m && c->type == JSON_STRING && m->type == JSON_STRING) {
            snprintf(msg, sizeof msg, "%s", m->string);
            snprintf(out, sizeof out, "%s", c->string);
            json_free(j);
            abort_created(ctr, out, msg);
        }
        json_free(j);
    }
    if (elen) snprintf(msg, sizeof msg, "%s", last_line(out));
    else snprintf(msg, sizeof msg, "%s start exited with status %d", o.runtime, code);
    abort_created(ctr, E_FAILED, msg);
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

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- attach clients ------------------------------------------------------ */

#define MAX_CLIENTS 64
#define CLIENT_IN 4096
#define STALL_MS 10000      /* a client that takes no output for this long is dropped */
#define MODE_WAIT_MS 100    /* wait for a new client's MUX frame */

struct client {
    int fd;
    int mux;
    int rd_eof;             /* peer shut down its sending side */
    struct attach_parser ap;
    uint8_t *in;            /* CLIENT_IN bytes received, in[in_off..in_len) unparsed */
    size_t in_off, in_len;
    const uint8_t *pend;    /* stdin payload not yet written (points into in) */
    size_t pend_len;
    uint8_t *out;           /* output not yet sent */
    size_t out_off, out_len;
    int64_t stalled_at;
};

static struct client *clients[MAX_CLIENTS];
static int n_clients;
static int attach_l = -1;         /* listening attach socket */
static int ever_attached;
static int master = -1;           /* pty master (terminal) */
static int stdin_w = -1;          /* container's stdin pipe (--stdin) */
static int terminal;
static struct winsize pending_ws; /* a resize that came before the pty */
static pid_t ctr_pid = -1;        /* the container's init, once known */

/* --attach-hold: output produced before the first client attached, as
 * mux records, newest kept. Untouched (no RSS) unless used. */
static uint8_t hold[32 * 1024];
static size_t hold_len;

static void hold_append(int stream, const uint8_t *data, size_t len)
{
    size_t rec;
    if (len > sizeof hold - MUX_HDR) {
        data += len - (sizeof hold - MUX_HDR);
        len = sizeof hold - MUX_HDR;
    }
    rec = MUX_HDR + len;
    while (hold_len + rec > sizeof hold) {
        size_t first = MUX_HDR + ((size_t)hold[4] << 24 | (size_t)hold[5] << 16 |
                                  (size_t)hold[6] << 8 | hold[7]);
        memmove(hold, hold + first, hold_len - first);
        hold_len -= first;
    }
    mux_hdr(hold + hold_len, (uint8_t)stream, (uint32_t)len);
    memcpy(hold + hold_len + MUX_HDR, data, len);
    hold_len += rec;
}

static void client_drop(int i)
{
    struct client *c = clients[i];
    close(c->fd);
    free(c->in);
    free(c->out);
    free(c);
    clients[i] = clients[--n_clients];
}

static int any_blocked(void)
{
    for (int i = 0; i < n_clients; i++)
        if (clients[i]->out_len) return 1;
    return 0;
}

/* Send; what does not fit now is kept in c->out (only ever one chunk,
 * since sources are not read while a client is behind). -1 = drop it. */
static int client_send(struct client *c, const struct iovec *iov, int n)
{
    struct msghdr mh;
    size_t total = 0, sent, off = 0;
    ssize_t r;
    int i;
    for (i = 0; i < n; i++) total += iov[i].iov_len;
    if (!total) return 0;
    if (c->out_len) { /* already behind: queue after what is waiting */
        uint8_t *nb = malloc(c->out_len + total);
        if (!nb) return -1;
        memcpy(nb, c->out + c->out_off, c->out_len);
        for (i = 0; i < n; i++) {
            memcpy(nb + c->out_len, iov[i].iov_base, iov[i].iov_len);
            c->out_len += iov[i].iov_len;
        }
        free(c->out);
        c->out = nb;
        c->out_off = 0;
        return 0;
    }
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = (struct iovec *)iov;
    mh.msg_iovlen = (size_t)n;
    do r = sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL); while (r < 0 && errno == EINTR);
    if (r < 0 && errno != EAGAIN) return -1;
    sent = r < 0 ? 0 : (size_t)r;
    if (sent == total) return 0;
    c->out = malloc(total - sent);
    if (!c->out) return -1;
    for (i = 0; i < n; i++) {
        size_t l = iov[i].iov_len;
        const uint8_t *b = iov[i].iov_base;
        if (sent >= l) { sent -= l; continue; }
        memcpy(c->out + off, b + sent, l - sent);
        off += l - sent;
        sent = 0;
    }
    c->out_off = 0;
    c->out_len = off;
    c->stalled_at = now_ms();
    return 0;
}

static int client_output(struct client *c, int stream, const uint8_t *data, size_t len)
{
    uint8_t h[MUX_HDR];
    struct iovec iov[2];
    int n = 0;
    if (c->mux) {
        mux_hdr(h, (uint8_t)stream, (uint32_t)len);
        iov[n].iov_base = h;
        iov[n++].iov_len = MUX_HDR;
    }
    iov[n].iov_base = (void *)data;
    iov[n++].iov_len = len;
    return client_send(c, iov, n);
}

static void broadcast(int stream, const uint8_t *data, size_t len)
{
    for (int i = 0; i < n_clients; i++)
        if (client_output(clients[i], stream, data, len) < 0) client_drop(i--);
    if (o.attach_hold && !ever_attached) hold_append(stream, data, len);
}

static void client_flush(int i)
{
    struct client *c = clients[i];
    ssize_t r;
    do r = send(c->fd, c->out + c->out_off, c->out_len, MSG_DONTWAIT | MSG_NOSIGNAL);
    while (r < 0 && errno == EINTR);
    if (r < 0 && errno == EAGAIN) return;
    if (r < 0) { client_drop(i); return; }
    c->out_off += (size_t)r;
    c->out_len -= (size_t)r;
    c->stalled_at = now_ms();
    if (!c->out_len) { free(c->out); c->out = NULL; }
}

static void apply_resize(uint16_t rows, uint16_t cols)
{
    struct winsize ws;
    memset(&ws, 0, sizeof ws);
    ws.ws_row = rows;
    ws.ws_col = cols;
    if (master < 0) { pending_ws = ws; return; }
    /* Also sends SIGWINCH to the pty's foreground process group. */
    if (ioctl(master, TIOCSWINSZ, &ws) < 0) warnx_("ioctl TIOCSWINSZ: %s", strerror(errno));
}

static int input_fd(void)
{
    return terminal ? master : stdin_w;
}

/* Parse and act on what a client sent. Returns -1 to drop the client;
 * stops early (c->pend_len) when the container's input is full. */
static int client_process(struct client *c)
{
    for (;;) {
        struct attach_event ev;
        size_t used;
        while (c->pend_len) {
            int fd = input_fd();
            ssize_t w;
            if (fd < 0) { c->pend_len = 0; break; } /* no stdin: dropped */
            w = write(fd, c->pend, c->pend_len);
            if (w < 0 && errno == EINTR) continue;
            if (w < 0 && errno == EAGAIN) return 0;
            if (w < 0) { c->pend_len = 0; break; } /* container gone (EIO/EPIPE) */
            c->pend += w;
            c->pend_len -= (size_t)w;
        }
        if (c->in_off == c->in_len) return 0;
        used = attach_parse(&c->ap, c->in + c->in_off, c->in_len - c->in_off, &ev);
        c->in_off += used;
        switch (ev.kind) {
        case AEV_DATA:
            c->pend = ev.data;
            c->pend_len = ev.len;
            break;
        case AEV_RESIZE:
            if (terminal) apply_resize(ev.rows, ev.cols);
            break;
        case AEV_CLOSE_STDIN:
            if (stdin_w >= 0) { close(stdin_w); stdin_w = -1; }
            break;
        case AEV_MUX: {
            uint8_t info = (uint8_t)((terminal ? INFO_TTY : 0) |
                                     (terminal || stdin_w >= 0 ? INFO_STDIN : 0));
            if (c->mux) break;
            c->mux = 1;
            if (client_output(c, MUX_INFO, &info, 1) < 0) return -1;
            break;
        }
        case AEV_SIGNAL:
            if (ctr_pid > 0) kill(ctr_pid, ev.sig);
            break;
        case AEV_ERROR:
            return -1;
        case AEV_NONE:
            break;
        }
    }
}

static int client_read(struct client *c)
{
    ssize_t n;
    do n = read(c->fd, c->in, CLIENT_IN); while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EAGAIN) return 0;
    if (n < 0) return -1;
    if (n == 0) { c->rd_eof = 1; return 0; }
    c->in_off = 0;
    c->in_len = (size_t)n;
    return client_process(c);
}

static void accept_client(void)
{
    struct client *c = NULL;
    struct pollfd p;
    int fd = accept4(attach_l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    if (n_clients == MAX_CLIENTS || !(c = calloc(1, sizeof *c)) || !(c->in = malloc(CLIENT_IN))) {
        if (n_clients < MAX_CLIENTS && c) free(c);
        close(fd);
        return;
    }
    c->fd = fd;
    attach_parser_init(&c->ap);
    clients[n_clients++] = c;
    /* The output format depends on whether the client asks for MUX first
     * (cove-attach does at once); give it a moment to say so. */
    p.fd = fd;
    p.events = POLLIN;
    p.revents = 0;
    if (poll(&p, 1, MODE_WAIT_MS) > 0 && client_read(c) < 0) {
        client_drop(n_clients - 1);
        return;
    }
    if (o.attach_hold && !ever_attached && hold_len) {
        /* Deliver the held output: as it is (records) for a MUX client,
         * else without the record headers (compacted in place: the held
         * output is only ever for this one client). */
        struct iovec iov;
        size_t off = 0, raw = 0;
        if (!c->mux) {
            while (off < hold_len) {
                size_t len = (size_t)hold[off + 4] << 24 | (size_t)hold[off + 5] << 16 |
                             (size_t)hold[off + 6] << 8 | hold[off + 7];
                memmove(hold + raw, hold + off + MUX_HDR, len);
                raw += len;
                off += MUX_HDR + len;
            }
            hold_len = raw;
        }
        iov.iov_base = hold;
        iov.iov_len = hold_len;
        hold_len = 0;
        if (client_send(c, &iov, 1) < 0) {
            client_drop(n_clients - 1);
            ever_attached = 1;
            return;
        }
    }
    ever_attached = 1;
}

/* End of the container: the rest of each client's output, the exit record
 * for MUX clients, then EOF (bounded wait for slow clients). */
static void close_clients(int code)
{
    int64_t deadline = now_ms() + 2000;
    uint8_t rec[MUX_HDR + 4];
    mux_hdr(rec, MUX_EXIT, 4);
    rec[8] = (uint8_t)((uint32_t)code >> 24);
    rec[9] = (uint8_t)((uint32_t)code >> 16);
    rec[10] = (uint8_t)((uint32_t)code >> 8);
    rec[11] = (uint8_t)code;
    while (n_clients) {
        struct pollfd p[MAX_CLIENTS];
        int i, left = (int)(deadline - now_ms());
        for (i = 0; i < n_clients; i++) {
            struct client *c = clients[i];
            if (!c->out_len && c->mux && c->fd >= 0) {
                struct iovec iov = {rec, sizeof rec};
                c->mux = 0; /* sent once */
                if (client_send(c, &iov, 1) < 0) { client_drop(i--); continue; }
            }
            if (!c->out_len) { shutdown(c->fd, SHUT_WR); client_drop(i--); continue; }
        }
        if (!n_clients || left <= 0) break;
        for (i = 0; i < n_clients; i++) {
            p[i].fd = clients[i]->fd;
            p[i].events = POLLOUT;
        }
        if (poll(p, (nfds_t)n_clients, left) <= 0) continue;
        for (i = n_clients - 1; i >= 0; i--)
            if (p[i].revents) client_flush(i);
    }
    while (n_clients) client_drop(0);
}

/* ---- sockets ------------------------------------------------------------- */

static char *console_path;
static int console_l = -1, console_c = -1, console_dirfd = -1;

static void unlink_sockets(void)
{
    if (o.slirp && o.api_socket && slirp.pid > 0) unlink(o.api_socket);
    if (o.attach_socket && attach_l >= 0) unlink(o.attach_socket);
    if (console_path && console_l >= 0) unlink(console_path);
}

/* Where the runtime sends the pty master (runc's --console-socket). */
static char *open_console_socket(void)
{
    char *arg;
    console_path = xasprintf("%s.console", o.attach_socket);
    console_l = unix_listen(console_path, &console_dirfd);
    if (console_l < 0) die_errno(E_FAILED, "console socket %s", console_path);
    /* unix_listen only opens a directory fd for paths too long for
     * sun_path; a path it could bind directly is passed as it is. */
    if (console_dirfd < 0) return console_path;
    /* Too long for sun_path: the runtime reaches it through our fd. */
    arg = xasprintf("/proc/%d/fd/%d/%s", (int)getpid(), console_dirfd,
                    strrchr(console_path, '/') + 1);
    return arg;
}

static void console_accept(void)
{
    int fd = accept4(console_l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    if (console_c >= 0) close(console_c);
    console_c = fd;
}

static void console_receive(void)
{
    int fd = recv_fd(console_c);
    if (fd < 0 && (errno == EAGAIN || errno == EINTR)) return;
    close(console_c);
    console_c = -1;
    if (fd < 0) return; /* runtime gave up (it reports why) */
    master = fd;
    if (fcntl(master, F_SETFL, O_NONBLOCK) < 0) die_errno(E_FAILED, "fcntl O_NONBLOCK on pty master");
    if (pending_ws.ws_row || pending_ws.ws_col) apply_resize(pending_ws.ws_row, pending_ws.ws_col);
    close(console_l);
    unlink(console_path);
    console_l = -1;
    if (console_dirfd >= 0) { close(console_dirfd); console_dirfd = -1; }
}

/* ---- output sources -------------------------------------------------------- */

struct source {
    int fd;
    struct cri_stream *s;
    int stream;             /* MUX_STDOUT / MUX_STDERR */
};

/* Read what is available: 1 = data, 0 = EOF (fd closed), -1 = nothing now. */
static int pump(struct source *src, struct crilog *log)
{
    uint8_t buf[8192];
    ssize_t n = read(src->fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return -1;
    if (n <= 0) { /* EOF, or EIO: the pty has no slave left */
        cri_flush(log, src->s);
        if (src->fd == master) master = -1;
        close(src->fd);
        src->fd = -1;
        return 0;
    }
    if (runtime_running && src->s->idx == 1) keep_runtime_stderr((char *)buf, (size_t)n);
    if (cri_feed(log, src->s, (char *)buf, (size_t)n) < 0) warnx_("write log %s: %s", o.log, strerror(errno));
    broadcast(src->stream, buf, (size_t)n);
    return 1;
}

/* Everything that can be refused before the container exists. */
static void check_network(int new_netns)
{
    int fd, hold[64], e = 0, bad = -1;
    char msg[512];
    const char *code;
    if (!new_netns)
        die(E_CONFIG, "--network slirp4netns needs a new network namespace in config.json "
            "(linux.namespaces: {\"type\":\"network\"} without a path)");
    if (o.n_ports && !o.api_socket) die(E_CONFIG, "--publish needs --slirp-api-socket");
    if (o.api_socket && o.api_socket[0] != '/') die(E_CONFIG, "--slirp-api-socket must be absolute: %s", o.api_socket);
    if (o.slirp_bin) {
        if (access(o.slirp_bin, X_OK) < 0)
            die_errno(E_NETWORK, "slirp4netns %s (install slirp4netns, e.g. apt-get install slirp4netns)", o.slirp_bin);
    } else if (!(o.slirp_bin = find_in_path("slirp4netns"))) {
        die(E_NETWORK, "slirp4netns not found in PATH: install slirp4netns (e.g. apt-get install slirp4netns)");
    }
    fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
            die_errno(E_NETWORK, "/dev/net/tun (needed by slirp4netns): load the tun module (sudo modprobe tun)");
        die_errno(E_NETWORK, "/dev/net/tun (needed by slirp4netns) cannot be opened: run `sudo chmod 0666 /dev/net/tun`");
    }
    close(fd);
    /* Ports: refuse a busy one now, and pick the free ones asked for (0);
     * picked ports stay bound until all are picked, so no two are equal. */
    for (int i = 0; i < o.n_ports; i++) {
        hold[i] = -1;
        if (bad < 0 && (e = port_probe(&o.ports[i], &hold[i])) != 0) bad = i;
    }
    for (int i = 0; i < o.n_ports; i++)
        if (hold[i] >= 0) close(hold[i]);
    if (bad >= 0) {
        code = port_error(&o.ports[bad], e, msg, sizeof msg);
        die(code, "%s", msg);
    }
}

int main(int argc, char **argv)
{
    static struct cri_stream s_out = {"stdout", 0, 0, {0}}, s_err = {"stderr", 1, 0, {0}};
    struct crilog log;
    int i, out[2], err[2], stp[2], in[2] = {-1, -1}, sfd;
    struct source src[3];
    sigset_t mask;
    pid_t runtime_pid, ctr = -1;
    int runtime_done = 0, ctr_done = 0, ctr_code = 0, ok;
    char status[4096];
    size_t status_len = 0;
    const char *console_arg = NULL;
    int new_netns = 0;
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
        OPT("--instance-lock", o.instance_lock)
        OPT("--attach-socket", o.attach_socket)
        OPT("--slirp4netns", o.slirp_bin)
        OPT("--slirp-api-socket", o.api_socket)
        OPT("--ports-file", o.ports_file)
#undef OPT
        if (strcmp(a, "--network") == 0 && v) {
            if (strcmp(v, "slirp4netns") == 0) o.slirp = 1;
            else if (strcmp(v, "hook") == 0) o.hook = 1;
            else if (strcmp(v, "none") == 0 || strncmp(v, "container:", 10) == 0) o.slirp = 0;
            else die(E_CONFIG, "--network %s: want slirp4netns, none or container:ID", v);
            i++;
            continue;
        }
        if ((strcmp(a, "--net-hook") == 0 || strcmp(a, "--net-hook-arg") == 0) && v) {
            if (o.n_hook_args >= 12) die(E_CONFIG, "too many --net-hook-arg");
            if ((strcmp(a, "--net-hook") == 0) != (o.n_hook_args == 0)) die(E_CONFIG, "--net-hook comes once, before its args");
            o.hook_args[o.n_hook_args++] = v;
            i++;
            continue;
        }
        if (strcmp(a, "--publish") == 0 && v) {
            char perr[256];
            if (o.n_ports >= 64) die(E_CONFIG, "too many --publish (at most 64)");
            if (port_parse(v, &o.ports[o.n_ports], perr, sizeof perr) < 0) die(E_CONFIG, "%s", perr);
            o.n_ports++;
            i++;
            continue;
        }
        switch (health_parse_opt(&health, a, v)) {
        case 1: i++; continue;
        case -1: die(E_CONFIG, "%s: bad or missing value", a);
        default: break;
        }
        if (strcmp(a, "--status-fd") == 0 && v) { cove_status_fd = parse_status_fd(v); i++; continue; }
        if (strcmp(a, "--log-max-bytes") == 0 && v) {
            o.log_max = (uint64_t)parse_long(v, 0, 1L << 62, &ok);
            if (!ok) die(E_FAILED, "bad --log-max-bytes '%s'", v);
            i++;
            continue;
        }
        if (strcmp(a, "--foreground") == 0) { o.foreground = 1; continue; }
        if (strcmp(a, "--stdin") == 0) { o.open_stdin = 1; continue; }
        if (strcmp(a, "--attach-hold") == 0) { o.attach_hold = 1; continue; }
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
    if (o.attach_hold && !o.attach_socket) die(E_FAILED, "--attach-hold needs --attach-socket");
    if (access(o.runtime, X_OK) < 0) die_errno(E_FAILED, "runtime %s", o.runtime);
    if (health_check_opts(&health)) die(E_CONFIG, "%s", health_check_opts(&health));
    terminal = bundle_wants_terminal(&new_netns);
    if (terminal && !o.attach_socket)
        die(E_CONFIG, "process.terminal is true: the pty needs --attach-socket");
    if (o.hook && (!o.n_hook_args || !new_netns))
        die(E_CONFIG, "--network hook needs --net-hook and a new network namespace in config.json");
    if (o.slirp) check_network(new_netns);
    else if (o.n_ports || o.api_socket || o.ports_file || o.slirp_bin)
        die(E_CONFIG, "--publish, --slirp-api-socket, --ports-file and --slirp4netns need --network slirp4netns");

    if (crilog_open(&log, o.log, o.log_max) < 0) die_errno(E_FAILED, "open log %s", o.log);
    log.copy_fd[0] = o.foreground ? 1 : -1;
    log.copy_fd[1] = o.foreground ? 2 : -1;
    if (!o.foreground) daemonize(log.fd);
    if (o.instance_lock) take_instance_lock(o.instance_lock);
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

    /* The attach socket exists before the container starts. */
    atexit(unlink_sockets);
    if (o.attach_socket) {
        attach_l = unix_listen(o.attach_socket, NULL);
        if (attach_l < 0) die_errno(E_FAILED, "attach socket %s", o.attach_socket);
    }
    if (terminal) console_arg = open_console_socket();

    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || pipe2(stp, O_CLOEXEC) < 0)
        die_errno(E_FAILED, "pipe2");
    if (o.open_stdin && !terminal) {
        if (pipe2(in, O_CLOEXEC) < 0) die_errno(E_FAILED, "pipe2");
        stdin_w = in[1];
        if (fcntl(stdin_w, F_SETFL, O_NONBLOCK) < 0) die_errno(E_FAILED, "fcntl O_NONBLOCK on stdin pipe");
    }
    runtime_pid = spawn_runtime(in[0], out[1], err[1], stp[1], console_arg);
    close(out[1]);
    close(err[1]);
    close(stp[1]);
    if (in[0] >= 0) close(in[0]);
    src[0] = (struct source){out[0], &s_out, MUX_STDOUT};
    src[1] = (struct source){err[0], &s_err, MUX_STDERR};
    src[2] = (struct source){-1, &s_out, MUX_STDOUT}; /* pty master, once received */
    /* Non-blocking so the final drain stops at "empty" even if a leftover
     * process (no pid namespace) still holds the write end. */
    if (fcntl(out[0], F_SETFL, O_NONBLOCK) < 0 || fcntl(err[0], F_SETFL, O_NONBLOCK) < 0)
        die_errno(E_FAILED, "fcntl O_NONBLOCK on log pipes");

    for (;;) {
        struct pollfd p[12 + MAX_CLIENTS];
        int np = 0, r, timeout = -1, blocked = any_blocked(), want_in = 0;
        int idx_st = -1, idx_cl = -1, idx_cc = -1, idx_at = -1, idx_in = -1, idx_sl = -1, idx_src[3], idx_cli;
        if (src[2].fd < 0 && master >= 0) src[2].fd = master; /* just received */
        if (ctr_done) {
            /* The container is gone: take what is buffered and stop; a
             * leftover descendant (no pid ns) must not keep us. */
            while (!any_blocked()) {
                int more = 0;
                for (i = 0; i < 3; i++)
                    if (src[i].fd >= 0 && pump(&src[i], &log) == 1) more = 1;
                if (!more) break;
            }
            if (!any_blocked()) {
                for (i = 0; i < 3; i++)
                    if (src[i].fd >= 0) {
                        if (src[i].fd == master) master = -1;
                        close(src[i].fd);
                        src[i].fd = -1;
                    }
                break;
            }
            blocked = 1;
        }
        if (input_fd() < 0) /* stdin closed or absent: pending input is dropped */
            for (i = n_clients - 1; i >= 0; i--)
                if (clients[i]->pend_len && client_process(clients[i]) < 0) client_drop(i);
        p[np].fd = sfd; p[np].events = POLLIN; np++;
        if (stp[0] >= 0) { idx_st = np; p[np].fd = stp[0]; p[np].events = POLLIN; np++; }
        if (console_l >= 0) { idx_cl = np; p[np].fd = console_l; p[np].events = POLLIN; np++; }
        if (console_c >= 0) { idx_cc = np; p[np].fd = console_c; p[np].events = POLLIN; np++; }
        if (attach_l >= 0) { idx_at = np; p[np].fd = attach_l; p[np].events = POLLIN; np++; }
        /* slirp4netns's stderr, read only so that it never blocks on it. */
        if (slirp.err_r >= 0) { idx_sl = np; p[np].fd = slirp.err_r; p[np].events = POLLIN; np++; }
        for (i = 0; i < 3; i++) {
            idx_src[i] = -1;
            /* Backpressure: no new output while a client is behind. */
            if (src[i].fd >= 0 && !blocked && !ctr_done) {
                idx_src[i] = np; p[np].fd = src[i].fd; p[np].events = POLLIN; np++;
            }
        }
        idx_cli = np;
        for (i = 0; i < n_clients; i++) {
            struct client *c = clients[i];
            p[np].fd = c->fd;
            p[np].events = (short)((c->out_len ? POLLOUT : 0) |
                                   (!c->rd_eof && !c->pend_len && c->in_off == c->in_len ? POLLIN : 0));
            if (c->pend_len) want_in = 1;
            np++;
            if (c->out_len) {
                int left = (int)(c->stalled_at + STALL_MS - now_ms());
                if (left < 0) left = 0;
                if (timeout < 0 || left < timeout) timeout = left;
            }
        }
        if (want_in && input_fd() >= 0) { idx_in = np; p[np].fd = input_fd(); p[np].events = POLLOUT; np++; }
        if ((s_out.len || s_err.len) && (timeout < 0 || timeout > 200)) timeout = 200;
        r = poll(p, (nfds_t)np, timeout);
        if (r < 0) {
            if (errno == EINTR) continue;
            die_errno(E_FAILED, "poll");
        }
        if (r == 0) { /* idle: flush partial lines (a prompt without \n) */
            cri_flush(&log, &s_out);
            cri_flush(&log, &s_err);
        }
        /* The pty first: the runtime may exit right after sending it. */
        if (idx_cl >= 0 && p[idx_cl].revents) console_accept();
        if (idx_cc >= 0 && p[idx_cc].revents) console_receive();
        /* Clients, from the back so drops do not shift unvisited ones. */
        for (i = n_clients - 1; i >= 0; i--) {
            struct client *c = clients[i];
            short re = p[idx_cli + i].revents;
            if ((re & POLLOUT) && c->out_len) {
                client_flush(i);
                if (i >= n_clients || clients[i] != c) continue;
            }
            if (re & POLLIN) {
                if (client_read(c) < 0) { client_drop(i); continue; }
            } else if (re & (POLLHUP | POLLERR)) {
                client_drop(i);
                continue;
            }
            if (c->out_len && now_ms() - c->stalled_at >= STALL_MS) client_drop(i);
        }
        if (idx_in >= 0 && p[idx_in].revents)
            for (i = n_clients - 1; i >= 0; i--)
                if (clients[i]->pend_len && client_process(clients[i]) < 0) client_drop(i);
        /* Sources after the clients: a broadcast may drop clients, which
         * reorders them against p[]. */
        for (i = 0; i < 3; i++)
            if (idx_src[i] >= 0 && p[idx_src[i]].revents) pump(&src[i], &log);
        if (idx_at >= 0 && p[idx_at].revents) accept_client();
        if (idx_sl >= 0 && p[idx_sl].revents) slirp_drain(&slirp);
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
                    if (w == slirp.pid) {
                        slirp.pid = -1; /* died early: the container just loses its network */
                    } else if (w == runtime_pid) {
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
                                while (src[1].fd >= 0 && pump(&src[1], &log) == 1) {}
                                if (rt_err_len)
                                    snprintf(msg, sizeof msg, "%s", last_line(rt_err));
                                else
                                    snprintf(msg, sizeof msg, "%s run exited with status %d",
                                             o.runtime, code);
                                len = format_status_json(line, sizeof line, E_FAILED, msg);
                            }
                            while (src[1].fd >= 0 && pump(&src[1], &log) == 1) {}
                            cri_flush(&log, &s_err);
                            report_failure(line, len);
                            if (!cove_quiet_stderr && status_len == 0) fprintf(stderr, "%s: runtime failed\n", cove_prog);
                            exit(1);
                        }
                        runtime_running = 0;
                        ctr = ctr_pid = read_pid_file();
                        if (terminal && master < 0) {
                            /* The master was sent before the runtime exited:
                             * it is queued on the console socket. */
                            if (console_c < 0) console_accept();
                            if (console_c >= 0) {
                                struct pollfd cp = {console_c, POLLIN, 0};
                                if (poll(&cp, 1, 1000) > 0) console_receive();
                            }
                            if (master < 0) {
                                char msg[600];
                                snprintf(msg, sizeof msg, "%s did not send the pty master to --console-socket", o.runtime);
                                abort_created(ctr, E_FAILED, msg);
                            }
                            src[2].fd = master;
                        }
                        if (o.slirp) {
                            /* Created, waiting on exec.fifo: network and
                             * ports first, then let it exec. */
                            network_up(ctr);
                            start_created(ctr);
                        } else if (o.hook) {
                            network_hook(ctr);
                            start_created(ctr);
                        }
                        report_ok();
                        /* Same-user processes (a container without a pid
                         * namespace) may not read our memory or fds. */
                        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
                        for (i = 0; i < n_early; i++)
                            if (early_pid[i] == ctr) {
                                ctr_done = 1;
                                ctr_code = early_status[i];
                                ctr_pid = -1;
                                if (slirp.exit_w >= 0) { close(slirp.exit_w); slirp.exit_w = -1; }
                            }
                        if (!ctr_done && health.state_file)
                            health_pid = health_start(&health, o.runtime, o.runtime_root, o.id);
                    } else if (health_pid > 0 && w == health_pid) {
                        health_pid = -1;
                    } else if (ctr > 0 && w == ctr) {
                        ctr_done = 1;
                        ctr_code = code;
                        ctr_pid = -1;
                        stop_health();
                        /* slirp4netns goes with its container (exit fd). */
                        if (slirp.exit_w >= 0) { close(slirp.exit_w); slirp.exit_w = -1; }
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
    stop_health();
    /* Gone before the exit file says the container is: its ports are free. */
    slirp_stop(&slirp);
    if (o.slirp && o.api_socket) unlink(o.api_socket);
    write_exit_file(ctr_code);
    if (stdin_w >= 0) { close(stdin_w); stdin_w = -1; }
    if (o.attach_hold && !ever_attached && attach_l >= 0) {
        /* run -it: the client may not have connected yet; it still gets
         * the output and the exit code if it comes within 10 s. */
        struct pollfd ap = {attach_l, POLLIN, 0};
        if (poll(&ap, 1, 10000) > 0) accept_client();
    }
    if (attach_l >= 0) {
        close(attach_l);
        unlink(o.attach_socket);
        attach_l = -1;
    }
    close_clients(ctr_code);
    run_delete();
    release_instance_lock();
    run_exit_command();
    return o.foreground ? ctr_code : 0;
}
