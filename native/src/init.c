#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "hooks.h"
#include "mounts.h"
#include "namespaces.h"
#include "process.h"
#include "seccomp.h"
#include "session.h"
#include "terminal.h"
#include "util.h"

/* The state the runtime sent for the hooks run inside the container. */
static char *hook_state_text;

/* A line from the runtime on the sync pipe; dies if it went away. */
static char *read_line(int fd)
{
    size_t cap = 4096, len = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        ssize_t n = read(fd, buf + len, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) _exit(1); /* the runtime died: it reports why */
        if (buf[len] == '\n') break;
        if (++len == cap - 1) buf = realloc(buf, cap *= 2);
        if (!buf) _exit(1);
    }
    buf[len] = 0;
    return buf;
}

static void run_hooks_inside(const struct config *cfg, enum hook_kind k)
{
    char msg[1024];
    /* Not set in an exec process: container hooks are the init's alone. */
    if (!cfg->n_hooks[k] || !hook_state_text) return;
    if (hooks_run(cfg, k, hook_state_text ? hook_state_text : "{}", msg, sizeof msg) < 0)
        die(E_FAILED, "%s", msg);
}

static void become_root(void)
{
    /* uid/gid 0 inside = the caller's ids outside; the maps are written. */
    if (setresgid(0, 0, 0) < 0) die_errno(E_IDMAP, "setresgid 0 (is gid 0 mapped?)");
    if (setresuid(0, 0, 0) < 0) die_errno(E_IDMAP, "setresuid 0 (is uid 0 mapped?)");
}

static void write_oom_score_adj(int v)
{
    char buf[16];
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    snprintf(buf, sizeof buf, "%d", v);
    if (fd < 0 || write_all(fd, buf, strlen(buf)) < 0)
        die_errno(E_FAILED, "write /proc/self/oom_score_adj %d", v);
    close(fd);
}

static void reset_signals(void)
{
    sigset_t none;
    int s;
    /* Ignored dispositions and the mask survive execve(2). */
    for (s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Blocks until `start` opens the fifo for reading (runc's exec.fifo).
 * The write end stays open (CLOEXEC) as our status fd: `start` reads on
 * until execve closes it, so a failure after this point (chdir, execve)
 * reaches `start` and its caller instead of only the container's log. */
static void wait_for_start(int fifo_fd)
{
    char p[64];
    int fd;
    snprintf(p, sizeof p, "/proc/self/fd/%d", fifo_fd);
    fd = open(p, O_WRONLY | O_CLOEXEC);
    if (fd < 0) die_errno(E_FAILED, "open exec.fifo (is /proc mounted?)");
    if (write_all(fd, "0", 1) < 0) die_errno(E_FAILED, "write exec.fifo");
    close(fifo_fd);
    cove_status_fd = fd;
}

const char *exec_error_code(int err)
{
    /* docker's exit codes: 127 not found, 126 found but cannot be run,
     * 125 anything else (E2BIG: argument list too long). */
    switch (err) {
    case ENOENT: case ENOTDIR: case ELOOP: return E_EXEC;
    case EACCES: case EPERM: case EISDIR: case ENOEXEC: case ETXTBSY: return E_NOT_INVOKABLE;
    default: return E_FAILED;
    }
}

void finish_and_exec(const struct config *cfg, int err_wr, int fifo_fd)
{
    char *exe;

    exe = lookup_exec(cfg->args[0], cfg->env);
    if (!exe) die_errno(exec_error_code(errno), "exec \"%s\"", cfg->args[0]);

    if (fifo_fd >= 0) {
        /* create: tell the runtime we are ready, then wait for start. We
         * wait as root of the container's user namespace, before taking on
         * the process's user, and dumpable: a process that changed its uid
         * or is not dumpable has /proc/PID owned by root, and then its owner
         * can no longer open the files in /proc/PID/ns, which slirp4netns
         * needs to join the network namespace between create and start
         * (proc(5), PR_SET_DUMPABLE). pivot_root is done: nothing of the
         * host is reachable through /proc/PID/root or cwd any more. */
        set_dumpable(1);
        /* Before "ready": on it `create` writes the pid file and exits,
         * and were the parent-death SIGKILL still armed then, a delay of
         * ours between the two would leave a dead container that `create`
         * reported as created (prctl(2) PR_SET_PDEATHSIG). Should the
         * runtime die first, the write below fails (EPIPE) instead. */
        if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0) die_errno(E_FAILED, "prctl PR_SET_PDEATHSIG 0");
        if (write_all(err_wr, "ready\n", 6) < 0) die_errno(E_FAILED, "write ready");
        close(err_wr);
        cove_status_fd = -1;
        cove_quiet_stderr = 0;
        wait_for_start(fifo_fd);
    }
    /* runtime.md "Lifecycle" step 7: after start, before the user's
     * process, inside the container (the path resolves in its root). */
    run_hooks_inside(cfg, HOOK_START_CONTAINER);
    apply_rlimits(cfg);
    if (cfg->has_oom_score_adj) write_oom_score_adj(cfg->oom_score_adj);
    /* Before any seccomp filter: a profile need not allow close_range or
     * the signal calls the runtime makes on the container's behalf. */
    cloexec_all_fds();
    reset_signals();
    if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0) die_errno(E_FAILED, "prctl PR_SET_PDEATHSIG 0");
    /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, which the
     * process may be about to lose: load it first, as runc does. */
    if (cfg->seccomp && !cfg->no_new_privs) seccomp_install(cfg->seccomp);
    apply_user_and_caps(cfg);
    if (chdir(cfg->cwd) < 0) die_errno(exec_error_code(errno), "chdir to cwd \"%s\"", cfg->cwd);
    umask(cfg->has_umask ? cfg->umask : 022);
    if (cfg->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        die_errno(E_FAILED, "prctl PR_SET_NO_NEW_PRIVS");
    if (cfg->seccomp && cfg->no_new_privs) seccomp_install(cfg->seccomp);
    execve(exe, cfg->args, cfg->env);
    die_errno(exec_error_code(errno), "exec \"%s\"", cfg->args[0]);
}

void container_init(const struct init_args *a)
{
    const struct config *cfg = a->cfg;
    char c;
    ssize_t n;
    struct terminal_setup term = {-1, -1};

    cove_status_fd = a->err_wr;
    cove_quiet_stderr = 1;
    signal(SIGPIPE, SIG_IGN);

    do n = read(a->sync_rd, &c, 1); while (n < 0 && errno == EINTR);
    if (n != 1) _exit(1); /* the runtime died or failed to map us */

    /* Also when joining a user namespace: our uid may be unmapped there,
     * and setns(2) gave us the capabilities to become its root. */
    become_root();
    /* Until pivot_root the process still sees the host's root: nobody who
     * shares a namespace with it (a joined pid namespace) may open its
     * /proc/PID/root meanwhile. */
    set_dumpable(0);
    session_isolate();
    {
        char buf[8] = "";
        int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) { if (read(fd, buf, sizeof buf - 1) < 0) buf[0] = 0; close(fd); }
        if (strncmp(buf, "allow", 5) == 0 && setgroups(0, NULL) < 0)
            die_errno(E_IDMAP, "setgroups 0");
    }
    /* Die with the runtime while we are still being set up; set after the
     * uid change, which clears it (prctl(2) PR_SET_PDEATHSIG). */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) die_errno(E_FAILED, "prctl PR_SET_PDEATHSIG");

    ns_join_in_child(cfg);
    if (cfg->hostname && *cfg->hostname &&
        sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
        die_errno(E_NAMESPACE, "sethostname %s", cfg->hostname);
    if (cfg->domainname && *cfg->domainname &&
        setdomainname(cfg->domainname, strlen(cfg->domainname)) < 0)
        die_errno(E_NAMESPACE, "setdomainname %s", cfg->domainname);
    if (cfg->ns[NS_NET].wanted && !cfg->ns[NS_NET].path) loopback_up();

    rootfs_setup(cfg);
    if (a->hook_sync) {
        /* runtime.md "Lifecycle" steps 5-6: the runtime runs prestart and
         * createRuntime hooks now, in its namespaces; createContainer hooks
         * run here, in ours, before pivot_root. */
        if (write_all(a->err_wr, "hooks\n", 6) < 0) die_errno(E_FAILED, "write to the runtime");
        hook_state_text = read_line(a->sync_rd);
        run_hooks_inside(cfg, HOOK_CREATE_CONTAINER);
    }
    close(a->sync_rd);
    if (cfg->terminal) terminal_prepare(cfg, &term);
    rootfs_pivot(cfg);
    if (cfg->rootfs_propagation && mount(NULL, "/", NULL, cfg->rootfs_propagation, NULL) < 0)
        die_errno(E_MOUNT, "set linux.rootfsPropagation on /");
    if (cfg->terminal) terminal_finish(cfg, &term, a->console_fd);

    finish_and_exec(cfg, a->err_wr, a->fifo_fd);
}
