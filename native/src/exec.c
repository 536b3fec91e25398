#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init.h"
#include "session.h"
#include "supervise.h"
#include "terminal.h"
#include "tty-relay.h"
#include "util.h"

static const struct { const char *name; int flag; } nss[] = {
    {"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS}, {"pid", CLONE_NEWPID},
    {"uts", CLONE_NEWUTS}, {"ipc", CLONE_NEWIPC}, {"net", CLONE_NEWNET},
    {"cgroup", CLONE_NEWCGROUP},
};
#define N_NS (sizeof nss / sizeof *nss)

static void apply_overrides(struct config *cfg, const struct exec_opts *o)
{
    size_t i, k, n;
    if (o->process_file) {
        char err[1024];
        size_t len;
        char *text = read_file(o->process_file, 4 << 20, &len);
        if (!text) die_errno(E_CONFIG, "read %s", o->process_file);
        if (config_replace_process(cfg, text, len, err, sizeof err) < 0)
            die(E_CONFIG, "%s: %s", o->process_file, err);
        free(text);
    } else {
        if (!o->args || !o->args[0]) die(E_FAILED, "exec: missing command");
        cfg->args = o->args;
        cfg->terminal = o->tty;
    }
    if (o->cwd) {
        if (o->cwd[0] != '/') die(E_CONFIG, "exec: --cwd '%s' must be absolute", o->cwd);
        cfg->cwd = (char *)o->cwd;
    }
    if (o->user) {
        char *end;
        unsigned long u = strtoul(o->user, &end, 10), g = cfg->gid;
        if (end == o->user || (*end && *end != ':')) die(E_CONFIG, "exec: --user wants UID[:GID], got '%s'", o->user);
        if (*end == ':') {
            const char *gs = end + 1;
            g = strtoul(gs, &end, 10);
            if (end == gs || *end) die(E_CONFIG, "exec: --user wants UID[:GID], got '%s'", o->user);
        }
        cfg->uid = (uid_t)u;
        cfg->gid = (gid_t)g;
    }
    if (o->n_env) {
        /* --env NAME=VALUE replaces NAME from config.json or appends. */
        for (n = 0; cfg->env[n]; n++) {}
        {
            char **env = xcalloc(n + o->n_env + 1, sizeof *env);
            memcpy(env, cfg->env, n * sizeof *env);
            for (i = 0; i < o->n_env; i++) {
                const char *eq = strchr(o->env[i], '=');
                if (!eq || eq == o->env[i]) die(E_CONFIG, "exec: --env '%s' is not NAME=VALUE", o->env[i]);
                for (k = 0; k < n; k++)
                    if (strncmp(env[k], o->env[i], (size_t)(eq - o->env[i]) + 1) == 0) break;
                env[k] = (char *)o->env[i];
                if (k == n) n++;
            }
            cfg->env = env;
        }
    }
}

/* A fresh pty from the container's devpts (we are in its mount ns). */
static void exec_terminal(const struct config *cfg, int sock)
{
    struct terminal_setup t;
    int unlock = 0;
    t.master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (t.master < 0) die_errno(E_FAILED, "open /dev/pts/ptmx in the container");
    if (ioctl(t.master, TIOCSPTLCK, &unlock) < 0) die_errno(E_FAILED, "unlockpt");
    t.slave = ioctl(t.master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (t.slave < 0) die_errno(E_FAILED, "ioctl TIOCGPTPEER");
    if (cfg->console_h || cfg->console_w) {
        struct winsize ws = {cfg->console_h, cfg->console_w, 0, 0};
        if (ioctl(t.slave, TIOCSWINSZ, &ws) < 0) die_errno(E_FAILED, "ioctl TIOCSWINSZ");
    } else {
        /* The caller's size before the process runs, not after: the
         * relay's own copy comes only once the master is received. */
        struct winsize ws;
        if ((ioctl(0, TIOCGWINSZ, &ws) == 0 || ioctl(1, TIOCGWINSZ, &ws) == 0) &&
            ioctl(t.slave, TIOCSWINSZ, &ws) < 0)
            die_errno(E_FAILED, "ioctl TIOCSWINSZ");
    }
    terminal_finish(cfg, &t, sock);
}

static int same_ns(pid_t pid, const char *name)
{
    char a[64], b[64];
    struct stat sa, sb;
    snprintf(a, sizeof a, "/proc/%d/ns/%s", (int)pid, name);
    snprintf(b, sizeof b, "/proc/self/ns/%s", name);
    if (stat(a, &sa) < 0) die_errno(E_NAMESPACE, "stat %s", a);
    if (stat(b, &sb) < 0) die_errno(E_NAMESPACE, "stat %s", b);
    return sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

int exec_in_container(struct config *cfg, pid_t target, const struct exec_opts *o)
{
    int fds[N_NS], errp[2], console = -1, relay = -1, i;
    pid_t pid;

    /* From here until the child's execve, neither we nor the child may be
     * ptraced or have /proc/PID/{root,cwd,fd} opened from inside the
     * container: the child joins the mount namespace last and sees the
     * host's root until then (CVE-2016-9962). */
    set_dumpable(0);
    apply_overrides(cfg, o);
    if (cfg->terminal && o->console_socket) console = connect_console(o->console_socket);
    if (o->console_socket && !cfg->terminal)
        die(E_CONFIG, "--console-socket given without --tty");
    if (cfg->terminal && !o->console_socket) {
        /* No socket given: take the master ourselves (runc does the same). */
        int sv[2];
        if (o->detach) die(E_CONFIG, "exec --tty --detach needs --console-socket");
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
            die_errno(E_FAILED, "socketpair for the pty master");
        relay = sv[0];
        console = sv[1];
    }

    /* Open them all first: once in the container's user ns, the host's
     * /proc/PID may no longer be ours to read. Setting the same user ns
     * again fails (EINVAL), so unchanged namespaces are skipped. */
    for (i = 0; i < (int)N_NS; i++) {
        char p[64];
        fds[i] = -1;
        if (same_ns(target, nss[i].name)) continue;
        snprintf(p, sizeof p, "/proc/%d/ns/%s", (int)target, nss[i].name);
        fds[i] = open(p, O_RDONLY | O_CLOEXEC);
        if (fds[i] < 0) die_errno(E_NAMESPACE, "open %s", p);
    }
    /* user first (it grants the rights for the others), and pid here:
     * setns(CLONE_NEWPID) only moves our future children (setns(2)). */
    for (i = 0; i < 3; i++) {
        if (fds[i] < 0 || nss[i].flag == CLONE_NEWNS) continue;
        if (setns(fds[i], nss[i].flag) < 0) die_errno(E_NAMESPACE, "setns %s namespace of pid %d", nss[i].name, (int)target);
        close(fds[i]);
        fds[i] = -1;
    }
    if (pipe2(errp, O_CLOEXEC) < 0) die_errno(E_FAILED, "pipe2");
    pid = fork();
    if (pid < 0) die_errno(E_FAILED, "fork");
    if (pid == 0) {
        close(errp[0]);
        cove_status_fd = errp[1];
        cove_quiet_stderr = 1;
        signal(SIGPIPE, SIG_IGN);
        for (i = 0; i < (int)N_NS; i++) {
            if (fds[i] < 0) continue;
            if (setns(fds[i], nss[i].flag) < 0) die_errno(E_NAMESPACE, "setns %s namespace of pid %d", nss[i].name, (int)target);
            close(fds[i]);
        }
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) die_errno(E_FAILED, "prctl PR_SET_PDEATHSIG");
        if (relay >= 0) close(relay);
        session_isolate();
        if (cfg->terminal && console >= 0) exec_terminal(cfg, console);
        finish_and_exec(cfg, errp[1], -1);
    }
    for (i = 0; i < (int)N_NS; i++)
        if (fds[i] >= 0) close(fds[i]);
    if (console >= 0) close(console);
    close(errp[1]);
    cleanup_pid = pid;
    await_child(errp[0], pid, MODE_EXEC);
    close(errp[0]);
    if (o->pid_file) {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%d", (int)pid);
        if (write_file_atomic(o->pid_file, buf, (size_t)n, 0644) < 0)
            die_errno(E_FAILED, "write pid file %s", o->pid_file);
    }
    if (relay >= 0) {
        int master = recv_fd(relay);
        if (master < 0) die_errno(E_FAILED, "receive the pty master of the exec process");
        close(relay);
        cleanup_pid = 0;
        return tty_relay(master, pid);
    }
    cleanup_pid = 0;
    if (o->detach) return 0;
    return wait_forwarding(pid);
}
