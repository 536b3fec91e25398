#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

static int openat2_(int dirfd, const char *path, int flags, unsigned long long res)
{
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (unsigned long long)flags;
    how.resolve = res;
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

/* Walk component by component (like runc's securejoin/MkdirAllInRoot):
 * every symlink is read and re-resolved against rootfd, so a dangling
 * link such as dev -> /tmp/outside gets its target created inside the
 * root, never on the host (CVE-2019-19921, CVE-2024-45310). The final open
 * uses RESOLVE_NO_SYMLINKS on the symlink-free path we built, so a swap
 * during the walk fails instead of escaping. */
int resolve_in_root(int rootfd, const char *path, int create)
{
    return resolve_in_root_path(rootfd, path, create, NULL, 0);
}

int resolve_in_root_path(int rootfd, const char *path, int create, char *out, size_t outlen)
{
    char *rem = xstrdup(path), *p = rem;
    char resolved[PATH_MAX] = ".";
    int hops = 0, fd = -1, err = 0;

    for (;;) {
        char *comp, *next, save;
        int last, pfd;
        struct stat st;
        while (*p == '/') p++;
        if (!*p) break;
        comp = p;
        next = strchr(p, '/');
        if (!next) next = p + strlen(p);
        save = *next;
        *next = 0;
        { const char *q = next + (save ? 1 : 0); while (save && *q == '/') q++; last = !save || !*q; }
        p = save ? next + 1 : next;
        if (strcmp(comp, ".") == 0) continue;
        if (strcmp(comp, "..") == 0) {
            char *slash = strrchr(resolved, '/');
            if (slash) *slash = 0; /* "." has no slash: stays at root */
            continue;
        }
        pfd = openat2_(rootfd, resolved, O_PATH | O_DIRECTORY | O_CLOEXEC,
                       IN_ROOT | RESOLVE_NO_SYMLINKS);
        if (pfd < 0) { err = errno; goto out; }
        if (fstatat(pfd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno != ENOENT || create == RESOLVE_NOCREATE) {
                err = errno; close(pfd); goto out;
            }
            if (last && create == RESOLVE_CREATE_FILE) {
                int f = openat(pfd, comp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (f < 0 && errno != EEXIST) { err = errno; close(pfd); goto out; }
                if (f >= 0) close(f);
            } else if (mkdirat(pfd, comp, 0755) < 0 && errno != EEXIST) {
                err = errno; close(pfd); goto out;
            }
            if (fstatat(pfd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISLNK(st.st_mode)) {
                err = S_ISLNK(st.st_mode) ? ELOOP : errno; close(pfd); goto out;
            }
        }
        if (S_ISLNK(st.st_mode)) {
            char target[PATH_MAX];
            ssize_t n = readlinkat(pfd, comp, target, sizeof target - 1);
            char *nrem;
            close(pfd);
            if (n < 0) { err = errno; goto out; }
            target[n] = 0;
            if (++hops > 40) { err = ELOOP; goto out; }
            nrem = xasprintf("%s/%s", target, p);
            free(rem);
            rem = p = nrem;
            if (target[0] == '/') strcpy(resolved, ".");
            continue;
        }
        close(pfd);
        if (!last && !S_ISDIR(st.st_mode)) { err = ENOTDIR; goto out; }
        if (strlen(resolved) + strlen(comp) + 2 > sizeof resolved) { err = ENAMETOOLONG; goto out; }
        strcat(resolved, "/");
        strcat(resolved, comp);
    }
    fd = openat2_(rootfd, resolved, O_PATH | O_CLOEXEC, IN_ROOT | RESOLVE_NO_SYMLINKS);
    if (fd < 0) err = errno;
    else if (out && snprintf(out, outlen, "%s", resolved[1] ? resolved + 1 : "/") >= (int)outlen) {
        close(fd);
        fd = -1;
        err = ENAMETOOLONG;
    }
out:
    free(rem);
    if (err) { errno = err; return -1; }
    return fd;
}

static void fdpath(char *buf, size_t len, int fd)
{
    snprintf(buf, len, "/proc/self/fd/%d", fd);
}

/* Flags the kernel locks on mounts inherited from a more privileged mount
 * namespace (mount_namespaces(7) "MNT_LOCK_*"): a remount must repeat them
 * or it fails with EPERM. */
static unsigned long current_flags(const char *path)
{
    struct statvfs sv;
    unsigned long f = 0;
    if (statvfs(path, &sv) < 0) return 0;
    if (sv.f_flag & ST_RDONLY) f |= MS_RDONLY;
    if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
    return f;
}

#define ATIME_FLAGS (MS_NOATIME | MS_RELATIME | MS_STRICTATIME | MS_NODIRATIME)

static void remount_bind(int rootfd, const char *dest, unsigned long set,
                         unsigned long clear)
{
    char target[64];
    unsigned long cur, flags;
    int fd = resolve_in_root(rootfd, dest, RESOLVE_NOCREATE);
    if (fd < 0) die_errno(E_MOUNT, "open %s in rootfs", dest);
    fdpath(target, sizeof target, fd);
    cur = current_flags(target);
    flags = set | (cur & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC) & ~clear);
    if (!(set & ATIME_FLAGS) && !(clear & ATIME_FLAGS)) flags |= cur & ATIME_FLAGS;
    if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0)
        die_errno(E_MOUNT, "remount %s (bind, flags 0x%lx)", dest, flags);
    close(fd);
}

/* Read-only for the whole subtree: a MS_REMOUNT only changes the top
 * mount, leaving e.g. the cgroup mounts under an rbind of /sys writable.
 * mount_setattr(2) with AT_RECURSIVE (Linux 5.12) covers all of them. */
static void readonly_recursive(int rootfd, const char *dest, unsigned long flags)
{
    struct mount_attr attr;
    int fd = resolve_in_root(rootfd, dest, RESOLVE_NOCREATE);
    if (fd < 0) die_errno(E_MOUNT, "open %s in rootfs", dest);
    memset(&attr, 0, sizeof attr);
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (flags & MS_NOSUID) attr.attr_set |= MOUNT_ATTR_NOSUID;
    if (flags & MS_NODEV) attr.attr_set |= MOUNT_ATTR_NODEV;
    if (flags & MS_NOEXEC) attr.attr_set |= MOUNT_ATTR_NOEXEC;
    if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0) {
        if (errno != ENOSYS) die_errno(E_MOUNT, "mount_setattr %s read-only (recursive)", dest);
        remount_bind(rootfd, dest, MS_RDONLY | (flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC)), 0);
    }
    close(fd);
}

static void bind_mount(int rootfd, const char *src, const char *dest,
                       int recursive, unsigned long set, unsigned long clear,
                       unsigned long propagation)
{
    char target[64];
    struct stat st;
    int fd;
    if (stat(src, &st) < 0) die_errno(E_MOUNT, "bind mount source %s", src);
    fd = resolve_in_root(rootfd, dest, S_ISDIR(st.st_mode) ? RESOLVE_CREATE_DIR
                                                         : RESOLVE_CREATE_FILE);
    if (fd < 0) die_errno(E_MOUNT, "create mount target %s in rootfs", dest);
    fdpath(target, sizeof target, fd);
    if (mount(src, target, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
        die_errno(E_MOUNT, "bind mount %s on %s", src, dest);
    close(fd);
    /* MS_BIND ignores other flags: they need a second, remount pass
     * (mount(2) "Creating a bind mount"). */
    if (set & ~(unsigned long)MS_SILENT || clear)
        remount_bind(rootfd, dest, set & ~(unsigned long)MS_SILENT, clear);
    if (propagation) {
        fd = resolve_in_root(rootfd, dest, RESOLVE_NOCREATE);
        if (fd < 0) die_errno(E_MOUNT, "open %s in rootfs", dest);
        fdpath(target, sizeof target, fd);
        if (mount(NULL, target, NULL, propagation, NULL) < 0)
            die_errno(E_MOUNT, "set propagation of %s", dest);
        close(fd);
    }
}

static char *strip_option(const char *data, const char *prefix)
{
    char *out = xcalloc(strlen(data) + 1, 1), *copy = xstrdup(data), *save = NULL, *o;
    for (o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
        if (strncmp(o, prefix, strlen(prefix)) == 0) continue;
        if (*out) strcat(out, ",");
        strcat(out, o);
    }
    free(copy);
    return out;
}

static void fs_mount(int rootfd, const struct mount_config *m)
{
    char target[64];
    const char *src = m->source && *m->source ? m->source : m->type;
    const char *data = m->data && *m->data ? m->data : NULL;
    int fd = resolve_in_root(rootfd, m->destination, RESOLVE_CREATE_DIR);
    int r;
    if (fd < 0) die_errno(E_MOUNT, "create mount target %s in rootfs", m->destination);
    fdpath(target, sizeof target, fd);
    r = mount(src, target, m->type, m->flags, data);
    if (r < 0 && errno == EINVAL && strcmp(m->type, "devpts") == 0 && data &&
        strstr(data, "gid=")) {
        /* gid=5 (tty) may be unmapped with a single-id mapping; runc's
         * rootless spec drops it for the same reason. */
        char *d2 = strip_option(data, "gid=");
        r = mount(src, target, m->type, m->flags, d2);
        free(d2);
    }
    if (r < 0 && errno == EPERM && strcmp(m->type, "sysfs") == 0) {
        /* sysfs needs a network namespace owned by our user namespace; when
         * the net ns is shared, fall back to a read-only rbind of /sys. */
        close(fd);
        bind_mount(rootfd, "/sys", m->destination, 1, 0, 0, 0);
        readonly_recursive(rootfd, m->destination, m->flags);
        return;
    }
    if (r < 0 && errno == EPERM && strcmp(m->type, "proc") == 0)
        die_errno(E_MOUNT, "mount proc on %s (a rootless /proc needs a new pid "
                  "namespace)", m->destination);
    if (r < 0)
        die_errno(E_MOUNT, "mount %s on %s (options '%s')", m->type,
                  m->destination, data ? data : "");
    close(fd);
    if (m->propagation) {
        /* Propagation is a separate mount(2) call on the new mount, which
         * the fd taken before it does not reach: resolve again. */
        fd = resolve_in_root(rootfd, m->destination, RESOLVE_NOCREATE);
        if (fd < 0) die_errno(E_MOUNT, "open %s after mounting it", m->destination);
        fdpath(target, sizeof target, fd);
        if (mount(NULL, target, NULL, m->propagation, NULL) < 0)
            die_errno(E_MOUNT, "set propagation of %s", m->destination);
        close(fd);
    }
}

char *overlay_shorten(const char *data, char **dir)
{
    /* Collect every path option value, find the longest common directory
     * prefix, and rewrite them relative to it: overlayfs resolves relative
     * paths from the mounting process's cwd (as podman/containers-storage
     * do for long lowerdir chains). */
    char *copy = xstrdup(data), *save = NULL, *o, *prefix = NULL, *out;
    size_t plen = 0, outlen = 0;
    static const char *const keys[] = {"lowerdir=", "upperdir=", "workdir=", NULL};
    *dir = NULL;
    for (o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
        int k;
        for (k = 0; keys[k]; k++) {
            char *v, *s2 = NULL, *pth, *vcopy;
            if (strncmp(o, keys[k], strlen(keys[k])) != 0) continue;
            vcopy = xstrdup(o + strlen(keys[k]));
            for (pth = strtok_r(vcopy, ":", &s2); pth; pth = strtok_r(NULL, ":", &s2)) {
                v = pth;
                if (v[0] != '/') { free(vcopy); goto nochange; }
                if (!prefix) {
                    prefix = xstrdup(v);
                    plen = strlen(prefix);
                } else {
                    size_t i = 0;
                    while (i < plen && prefix[i] == v[i]) i++;
                    plen = i;
                }
            }
            free(vcopy);
        }
    }
    if (!prefix) goto nochange;
    /* Cut back to a directory boundary. */
    while (plen > 0 && prefix[plen - 1] != '/') plen--;
    if (plen <= 1) goto nochange;
    prefix[plen - 1] = 0; /* drop the trailing slash */
    free(copy);
    copy = xstrdup(data);
    out = xcalloc(strlen(data) + 1, 1);
    save = NULL;
    for (o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
        int k, matched = 0;
        if (outlen) out[outlen++] = ',';
        for (k = 0; keys[k] && !matched; k++) {
            char *s2 = NULL, *pth, *vcopy;
            int first = 1;
            if (strncmp(o, keys[k], strlen(keys[k])) != 0) continue;
            matched = 1;
            strcpy(out + outlen, keys[k]);
            outlen += strlen(keys[k]);
            vcopy = xstrdup(o + strlen(keys[k]));
            for (pth = strtok_r(vcopy, ":", &s2); pth; pth = strtok_r(NULL, ":", &s2)) {
                const char *rel = pth + plen;
                if (!first) out[outlen++] = ':';
                first = 0;
                if (!*rel) rel = ".";
                strcpy(out + outlen, rel);
                outlen += strlen(rel);
            }
            free(vcopy);
        }
        if (!matched) {
            strcpy(out + outlen, o);
            outlen += strlen(o);
        }
    }
    out[outlen] = 0;
    free(copy);
    *dir = prefix;
    return out;
nochange:
    free(copy);
    free(prefix);
    return xstrdup(data);
}

static void mount_root(const struct config *cfg)
{
    const struct mount_config *ov = NULL;
    size_t i;
    for (i = 0; i < cfg->n_mounts; i++)
        if (strcmp(cfg->mounts[i].destination, "/") == 0) ov = &cfg->mounts[i];
    if (!ov) {
        /* pivot_root(2) needs new_root to be a mount point. */
        if (mount(cfg->rootfs, cfg->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
            die_errno(E_MOUNT, "bind mount rootfs %s", cfg->rootfs);
        return;
    }
    {
        const char *data = ov->data ? ov->data : "";
        char *dir = NULL, *shortened = NULL;
        long page = sysconf(_SC_PAGESIZE);
        int cwd = -1;
        if ((long)strlen(data) >= page - 1) {
            shortened = overlay_shorten(data, &dir);
            if ((long)strlen(shortened) >= page - 1)
                die(E_MOUNT, "overlay options are %zu bytes even with relative "
                    "paths (limit %ld): too many layers", strlen(shortened), page - 1);
            cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (cwd < 0) die_errno(E_MOUNT, "open .");
            if (dir && chdir(dir) < 0) die_errno(E_MOUNT, "chdir %s", dir);
            data = shortened;
        }
        if (mount(ov->source && *ov->source ? ov->source : "overlay", cfg->rootfs,
                  "overlay", ov->flags, data) < 0)
            die_errno(E_MOUNT, "mount overlay on %s (options '%s')", cfg->rootfs, data);
        if (cwd >= 0) {
            if (fchdir(cwd) < 0) die_errno(E_MOUNT, "fchdir back");
            close(cwd);
        }
        free(shortened);
        free(dir);
    }
}

static const char *const default_devices[] = {"null", "zero", "full", "random",
                                              "urandom", "tty", NULL};

/* mknod(2) needs CAP_MKNOD in the initial user namespace, so the host's
 * nodes are bind-mounted onto empty files, as rootless runc/crun do. */
static void setup_dev(int rootfd)
{
    static const char *const links[][2] = {
        {"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"},
        {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
        {"ptmx", "pts/ptmx"},
    };
    size_t i;
    int devfd = resolve_in_root(rootfd, "/dev", RESOLVE_NOCREATE), dfd;
    if (devfd < 0) die_errno(E_MOUNT, "open /dev in rootfs");
    /* Re-open as a real directory fd: *at() calls need one, not O_PATH-only
     * semantics for symlinkat. */
    {
        char p[64];
        fdpath(p, sizeof p, devfd);
        dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) die_errno(E_MOUNT, "open /dev in rootfs");
        close(devfd);
    }
    for (i = 0; default_devices[i]; i++) {
        char host[64], dest[64];
        snprintf(host, sizeof host, "/dev/%s", default_devices[i]);
        if (faccessat(dfd, default_devices[i], F_OK, AT_SYMLINK_NOFOLLOW) == 0)
            continue; /* the config mounted something there already */
        snprintf(dest, sizeof dest, "/dev/%s", default_devices[i]);
        bind_mount(rootfd, host, dest, 0, 0, 0, 0);
    }
    for (i = 0; i < sizeof links / sizeof *links; i++) {
        if (symlinkat(links[i][1], dfd, links[i][0]) < 0 && errno != EEXIST)
            die_errno(E_MOUNT, "symlink /dev/%s -> %s", links[i][0], links[i][1]);
    }
    close(dfd);
}

static void write_sysctls(const struct config *cfg, int rootfd)
{
    size_t i;
    for (i = 0; i < cfg->n_sysctl; i++) {
        char *rel = xasprintf("/proc/sys/%s", cfg->sysctl_keys[i]), *c, p[64];
        int fd, wfd;
        for (c = rel + 10; *c; c++)
            if (*c == '.') *c = '/';
        fd = resolve_in_root(rootfd, rel, RESOLVE_NOCREATE);
        if (fd < 0) die_errno(E_FAILED, "sysctl %s: open %s", cfg->sysctl_keys[i], rel);
        fdpath(p, sizeof p, fd);
        wfd = open(p, O_WRONLY | O_CLOEXEC);
        if (wfd < 0 || write_all(wfd, cfg->sysctl_values[i], strlen(cfg->sysctl_values[i])) < 0)
            die_errno(E_FAILED, "sysctl %s=%s: write %s", cfg->sysctl_keys[i],
                      cfg->sysctl_values[i], rel);
        close(wfd);
        close(fd);
        free(rel);
    }
}

static void mask_paths(const struct config *cfg, int rootfd)
{
    size_t i;
    for (i = 0; i < cfg->n_masked; i++) {
        char target[64];
        struct stat st;
        int fd = resolve_in_root(rootfd, cfg->masked[i], RESOLVE_NOCREATE);
        if (fd < 0) {
            if (errno == ENOENT) continue;
            die_errno(E_MOUNT, "open masked path %s", cfg->masked[i]);
        }
        if (fstat(fd, &st) < 0) die_errno(E_MOUNT, "fstat %s", cfg->masked[i]);
        fdpath(target, sizeof target, fd);
        if (S_ISDIR(st.st_mode)) {
            if (mount("tmpfs", target, "tmpfs", MS_RDONLY, "size=0") < 0)
                die_errno(E_MOUNT, "mask %s with read-only tmpfs", cfg->masked[i]);
        } else if (mount("/dev/null", target, NULL, MS_BIND, NULL) < 0) {
            die_errno(E_MOUNT, "mask %s with /dev/null", cfg->masked[i]);
        }
        close(fd);
    }
    for (i = 0; i < cfg->n_readonly; i++) {
        char target[64];
        int fd = resolve_in_root(rootfd, cfg->readonly[i], RESOLVE_NOCREATE);
        if (fd < 0) {
            if (errno == ENOENT) continue;
            die_errno(E_MOUNT, "open read-only path %s", cfg->readonly[i]);
        }
        fdpath(target, sizeof target, fd);
        if (mount(target, target, NULL, MS_BIND | MS_REC, NULL) < 0)
            die_errno(E_MOUNT, "bind read-only path %s", cfg->readonly[i]);
        close(fd);
        readonly_recursive(rootfd, cfg->readonly[i], 0);
    }
}

/* Where a mount really lands, checked before mounting (runc's
 * checkProcMount, CVE-2019-16884 and CVE-2019-19921 class): an image that
 * makes /proc a symlink, or a mount that resolves into /proc, could hide
 * or replace what the masked and read-only paths protect. */
static const char *const proc_allowed[] = {
    /* the files lxcfs emulates */
    "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat",
    "/proc/swaps", "/proc/uptime", "/proc/loadavg", "/proc/slabinfo",
    "/proc/net/dev", "/proc/sys/kernel/ns_last_pid", NULL,
};

void check_destination(int rootfd, const struct mount_config *m, const char *bundle)
{
    char where[PATH_MAX];
    int fd, i;
    int procfs = !m->bind && strcmp(m->type, "proc") == 0;
    if (procfs || (!m->bind && strcmp(m->type, "sysfs") == 0)) {
        /* Only on an ordinary directory: never through a symlink. */
        fd = openat2_(rootfd, m->destination, O_PATH | O_CLOEXEC, IN_ROOT | RESOLVE_NO_SYMLINKS);
        if (fd < 0 && errno == ELOOP)
            die(E_MOUNT, "mount %s on %s: the path is a symlink in the image (%s must "
                "be mounted on an ordinary directory)", m->type, m->destination, m->type);
        if (fd >= 0) close(fd);
    }
    /* Resolve, creating nothing; for a missing target its deepest
     * existing ancestor tells where it would be created. */
    {
        char *d = xstrdup(m->destination);
        int missing = 0;
        for (;;) {
            char *slash;
            fd = resolve_in_root_path(rootfd, d, RESOLVE_NOCREATE, where, sizeof where);
            if (fd >= 0 || errno != ENOENT || !(slash = strrchr(d, '/'))) break;
            missing = 1;
            *slash = 0;
            if (!*d) strcpy(d, "/");
        }
        free(d);
        if (fd < 0) return; /* the mount itself reports what is wrong */
        close(fd);
        if (missing) {
            if (strcmp(where, "/proc") == 0 || strncmp(where, "/proc/", 6) == 0)
                die(E_MOUNT, "mount on %s: it would be created inside /proc (mounts inside "
                    "/proc are refused)", m->destination);
            return;
        }
    }
    if (strcmp(where, "/proc") == 0) {
        struct statfs sf;
        char *src;
        if (procfs) return;
        if (m->bind) {
            src = m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", bundle, m->source);
            if (statfs(src, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC) { free(src); return; }
            free(src);
        }
        die(E_MOUNT, "mount on %s%s: only a proc filesystem may be mounted on /proc",
            m->destination, strcmp(m->destination, "/proc") ? " (resolves to /proc)" : "");
    }
    if (strncmp(where, "/proc/", 6) == 0) {
        for (i = 0; proc_allowed[i]; i++)
            if (strcmp(where, proc_allowed[i]) == 0) return;
        die(E_MOUNT, "mount on %s%s%s%s: mounts inside /proc are refused (they could "
            "undo the masked and read-only paths)", m->destination,
            strcmp(where, m->destination) ? " (resolves to " : "",
            strcmp(where, m->destination) ? where : "",
            strcmp(where, m->destination) ? ")" : "");
    }
}

void rootfs_setup(const struct config *cfg)
{
    int rootfd, dev_tmpfs = 0;
    size_t i;
    /* Nothing we mount may propagate back to the host (mount_namespaces(7):
     * a new mount ns copies shared peers). */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        die_errno(E_MOUNT, "make / rprivate");
    umask(0);
    mount_root(cfg);
    rootfd = open(cfg->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) die_errno(E_MOUNT, "open rootfs %s", cfg->rootfs);

    for (i = 0; i < cfg->n_mounts; i++) {
        const struct mount_config *m = &cfg->mounts[i];
        if (strcmp(m->destination, "/") == 0) continue;
        check_destination(rootfd, m, cfg->bundle);
        if (m->bind) {
            char *src = m->source[0] == '/' ? xstrdup(m->source)
                                            : xasprintf("%s/%s", cfg->bundle, m->source);
            bind_mount(rootfd, src, m->destination, m->recursive, m->flags,
                       m->clear, m->propagation);
            free(src);
        } else {
            fs_mount(rootfd, m);
        }
        if (strcmp(m->type, "tmpfs") == 0) {
            const char *d = m->destination;
            while (*d == '/') d++;
            if (strcmp(d, "dev") == 0 || strcmp(d, "dev/") == 0) dev_tmpfs = 1;
        }
    }
    if (dev_tmpfs) setup_dev(rootfd);
    {
        /* runc creates a missing cwd too; do it while we are still root. */
        int fd = resolve_in_root(rootfd, cfg->cwd, RESOLVE_CREATE_DIR);
        if (fd < 0) die_errno(E_MOUNT, "create cwd %s in rootfs", cfg->cwd);
        close(fd);
    }
    write_sysctls(cfg, rootfd);
    mask_paths(cfg, rootfd);
    if (cfg->root_readonly) remount_bind(rootfd, "/", MS_RDONLY, 0);
    close(rootfd);
}

void rootfs_pivot(const struct config *cfg)
{
    int fd = open(cfg->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) die_errno(E_MOUNT, "open rootfs %s", cfg->rootfs);
    if (fchdir(fd) < 0) die_errno(E_MOUNT, "fchdir rootfs %s", cfg->rootfs);
    /* pivot_root(".", ".") stacks the old root on top of the new one; the
     * detach then removes it without needing a directory for it
     * (pivot_root(2) NOTES). */
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        die_errno(E_MOUNT, "pivot_root %s", cfg->rootfs);
    if (umount2(".", MNT_DETACH) < 0) die_errno(E_MOUNT, "umount old root");
    if (chdir("/") < 0) die_errno(E_MOUNT, "chdir /");
    close(fd);
}
