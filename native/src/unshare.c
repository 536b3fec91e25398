/* cove-unshare: run a command as uid/gid 0 of a user namespace with the
 * container's mapping, so files it creates (unpacked layers) or removes
 * (container dirs) are owned by the right subordinate ids. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "idmap.h"
#include "json.h"
#include "namespaces.h"
#include "util.h"

static volatile sig_atomic_t child_pid;

static _Noreturn void usage(void)
{
    fprintf(stderr,
            "usage: cove-unshare [--status-fd N] --uid-map C:H:S[,...] --gid-map C:H:S[,...]\n"
            "                    [--mount-ns] -- CMD [ARGS...]\n"
            "       cove-unshare [--status-fd N] --uid-map ... --gid-map ... --probe-overlay DIR\n");
    exit(2);
}

static void forward(int sig)
{
    if (child_pid > 0) kill(child_pid, sig);
}

static void become_root(void)
{
    char buf[8] = "";
    int fd;
    if (setresgid(0, 0, 0) < 0) die_errno(E_IDMAP, "setresgid 0 (is gid 0 mapped?)");
    if (setresuid(0, 0, 0) < 0) die_errno(E_IDMAP, "setresuid 0 (is uid 0 mapped?)");
    fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, buf, sizeof buf - 1) < 0) buf[0] = 0;
        close(fd);
    }
    if (strncmp(buf, "allow", 5) == 0 && setgroups(0, NULL) < 0) die_errno(E_IDMAP, "setgroups 0");
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st; (void)f;
    if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT) return -1;
    return 0;
}

static int rm_rf(const char *path)
{
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT ? -1 : 0;
}

static struct {
    const char *dir;
    char sub[4][4096];
    int n_sub, created_dir, mounted;
} pr;

static void probe_cleanup(void)
{
    int i;
    if (pr.mounted) umount2(pr.sub[3], MNT_DETACH);
    pr.mounted = 0;
    for (i = 0; i < pr.n_sub; i++) rm_rf(pr.sub[i]);
    pr.n_sub = 0;
    if (pr.created_dir) rmdir(pr.dir);
    pr.created_dir = 0;
}

static void probe_fail(const char *what, const char *path)
{
    char msg[512];
    int e = errno;
    probe_cleanup();
    errno = e;
    snprintf(msg, sizeof msg, "%s %s: %s", what, path, strerror(errno));
    printf("%s\n", msg);
    fflush(stdout);
    die(E_MOUNT, "%s", msg);
}

/* What the storage layer needs from kernel overlayfs in a user namespace:
 * the userxattr mount option (Linux 5.11), whiteouts made as 0/0 character
 * devices by an unprivileged mknod (Linux 5.8), and opaque dirs marked with
 * the user.overlay.opaque xattr. */
static _Noreturn void probe_overlay(const char *dir)
{
    static const char *const subs[] = {"lower", "upper", "work", "merged"};
    char (*p)[4096] = pr.sub, tmp[4200], *data;
    size_t i;
    struct stat st;

    pr.dir = dir;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) probe_fail("make / rprivate", "");
    if (mkdir(dir, 0700) == 0) pr.created_dir = 1;
    else if (errno != EEXIST) probe_fail("mkdir", dir);
    for (i = 0; i < 4; i++) {
        snprintf(p[i], sizeof p[i], "%s/%s", dir, subs[i]);
        if (mkdir(p[i], 0755) < 0) probe_fail("mkdir", p[i]);
        pr.n_sub = (int)i + 1;
    }
    snprintf(tmp, sizeof tmp, "%s/a", p[0]);
    if (close(open(tmp, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)) < 0) probe_fail("create", tmp);
    snprintf(tmp, sizeof tmp, "%s/d", p[0]);
    if (mkdir(tmp, 0755) < 0) probe_fail("mkdir", tmp);
    snprintf(tmp, sizeof tmp, "%s/d/x", p[0]);
    if (close(open(tmp, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)) < 0) probe_fail("create", tmp);
    snprintf(tmp, sizeof tmp, "%s/a", p[1]);
    if (mknod(tmp, S_IFCHR | 0000, makedev(0, 0)) < 0) probe_fail("mknod whiteout", tmp);
    snprintf(tmp, sizeof tmp, "%s/d", p[1]);
    if (mkdir(tmp, 0755) < 0) probe_fail("mkdir", tmp);
    if (setxattr(tmp, "user.overlay.opaque", "y", 1, 0) < 0) probe_fail("setxattr user.overlay.opaque", tmp);

    data = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s,userxattr", p[0], p[1], p[2]);
    if (mount("overlay", p[3], "overlay", 0, data) < 0) probe_fail("mount overlay (userxattr) on", p[3]);
    pr.mounted = 1;
    snprintf(tmp, sizeof tmp, "%s/a", p[3]);
    if (lstat(tmp, &st) == 0 || errno != ENOENT) { errno = EEXIST; probe_fail("whiteout did not hide", tmp); }
    snprintf(tmp, sizeof tmp, "%s/d/x", p[3]);
    if (lstat(tmp, &st) == 0 || errno != ENOENT) { errno = EEXIST; probe_fail("opaque dir did not hide", tmp); }
    snprintf(tmp, sizeof tmp, "%s/new", p[3]);
    if (close(open(tmp, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)) < 0) probe_fail("create", tmp);
    if (umount2(p[3], 0) < 0) probe_fail("umount", p[3]);
    pr.mounted = 0;
    for (i = 0; i < 4; i++)
        if (rm_rf(p[i]) < 0) probe_fail("remove", p[i]);
    pr.n_sub = 0;
    if (pr.created_dir && rmdir(dir) < 0) probe_fail("rmdir", dir);
    free(data);
    printf("ok\n");
    fflush(stdout);
    exit(0);
}

int main(int argc, char **argv)
{
    struct idmap uid, gid;
    char err[256];
    const char *uidspec = NULL, *gidspec = NULL, *probe = NULL;
    int i, mountns = 0, syncp[2], errp[2], status;
    pid_t pid;
    char **cmd = NULL;

    cove_prog = "cove-unshare";
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--") == 0) { cmd = argv + i + 1; break; }
        if (strcmp(a, "--status-fd") == 0 && v) { cove_status_fd = parse_status_fd(v); i++; }
        else if (strcmp(a, "--uid-map") == 0 && v) { uidspec = v; i++; }
        else if (strcmp(a, "--gid-map") == 0 && v) { gidspec = v; i++; }
        else if (strcmp(a, "--probe-overlay") == 0 && v) { probe = v; i++; }
        else if (strcmp(a, "--mount-ns") == 0) mountns = 1;
        else usage();
    }
    if (!uidspec || !gidspec) usage();
    if (probe ? cmd != NULL : (!cmd || !cmd[0])) usage();
    if (idmap_parse(uidspec, &uid, err, sizeof err) < 0) die(E_IDMAP, "--uid-map: %s", err);
    if (idmap_parse(gidspec, &gid, err, sizeof err) < 0) die(E_IDMAP, "--gid-map: %s", err);
    if (probe) mountns = 1;

    if (pipe2(syncp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) die_errno(E_FAILED, "pipe2");
    pid = clone_ns(CLONE_NEWUSER | (mountns ? CLONE_NEWNS : 0));
    if (pid < 0) die_errno(E_NAMESPACE, "clone CLONE_NEWUSER%s", mountns ? "|CLONE_NEWNS" : "");
    if (pid == 0) {
        char c;
        ssize_t n;
        close(syncp[1]);
        close(errp[0]);
        cove_status_fd = errp[1];
        cove_quiet_stderr = 1;
        do n = read(syncp[0], &c, 1); while (n < 0 && errno == EINTR);
        if (n != 1) _exit(1);
        close(syncp[0]);
        become_root();
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) die_errno(E_FAILED, "prctl PR_SET_PDEATHSIG");
        if (probe) probe_overlay(probe);
        if (mountns && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
            die_errno(E_MOUNT, "make / rprivate");
        {
            extern char **environ;
            char *exe = lookup_exec(cmd[0], environ);
            if (!exe) die_errno(E_EXEC, "exec \"%s\"", cmd[0]);
            execv(exe, cmd);
        }
        die_errno(E_EXEC, "exec \"%s\"", cmd[0]);
    }
    close(syncp[0]);
    close(errp[1]);
    {
        /* If mapping fails we die; the child sees EOF on the sync pipe. */
        idmap_apply(pid, &uid, &gid);
    }
    if (write_all(syncp[1], "1", 1) < 0) die_errno(E_FAILED, "release child");
    close(syncp[1]);
    {
        static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
        struct sigaction sa;
        size_t k;
        char buf[4096];
        ssize_t n, len = 0;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = forward;
        sa.sa_flags = SA_RESTART;
        child_pid = pid;
        for (k = 0; k < sizeof sigs / sizeof *sigs; k++) sigaction(sigs[k], &sa, NULL);
        while ((n = read(errp[0], buf + len, sizeof buf - 1 - (size_t)len)) != 0) {
            if (n < 0) { if (errno == EINTR) continue; break; }
            len += n;
            if ((size_t)len == sizeof buf - 1) break;
        }
        close(errp[0]);
        while (waitpid(pid, &status, 0) < 0)
            if (errno != EINTR) die_errno(E_FAILED, "waitpid");
        if (len > 0 && buf[0] == '{') {
            char e2[64];
            struct json *j;
            buf[len] = 0;
            emit_status_line(buf, strcspn(buf, "\n") + 1);
            j = json_parse(buf, strcspn(buf, "\n"), e2, sizeof e2);
            if (j && json_get(j, "message") && json_get(j, "message")->type == JSON_STRING)
                fprintf(stderr, "%s: %s\n", cove_prog, json_get(j, "message")->string);
            json_free(j);
            return 1;
        }
    }
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
