#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util.h"

int idmap_parse(const char *s, struct idmap *m, char *err, size_t errlen)
{
    const char *p = s;
    m->n = 0;
    if (!*s) { snprintf(err, errlen, "empty mapping"); return -1; }
    while (*p) {
        unsigned long long v[3];
        int i;
        for (i = 0; i < 3; i++) {
            char *end;
            if (*p < '0' || *p > '9') goto bad;
            errno = 0;
            v[i] = strtoull(p, &end, 10);
            if (errno || v[i] > UINT32_MAX) goto bad;
            p = end;
            if (i < 2) {
                if (*p != ':') goto bad;
                p++;
            }
        }
        if (*p == ',') {
            p++;
            if (!*p) goto bad;
        } else if (*p) goto bad;
        if (m->n == IDMAP_MAX) {
            snprintf(err, errlen, "too many ranges (max %d)", IDMAP_MAX);
            return -1;
        }
        m->e[m->n].container = (uint32_t)v[0];
        m->e[m->n].host = (uint32_t)v[1];
        m->e[m->n].size = (uint32_t)v[2];
        m->n++;
    }
    return idmap_validate(m, err, errlen);
bad:
    snprintf(err, errlen, "bad mapping '%s' (want C:H:S[,C:H:S...])", s);
    return -1;
}

static int overlaps(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
    return a < b + bn && b < a + an;
}

int idmap_validate(const struct idmap *m, char *err, size_t errlen)
{
    size_t i, j;
    if (m->n == 0) { snprintf(err, errlen, "empty mapping"); return -1; }
    for (i = 0; i < m->n; i++) {
        const struct idmap_entry *a = &m->e[i];
        if (a->size == 0) { snprintf(err, errlen, "range %zu has size 0", i); return -1; }
        if ((uint64_t)a->container + a->size > (uint64_t)UINT32_MAX + 1 ||
            (uint64_t)a->host + a->size > (uint64_t)UINT32_MAX + 1) {
            snprintf(err, errlen, "range %zu overflows 32-bit ids", i);
            return -1;
        }
        /* user_namespaces(7): ranges may not overlap on either side. */
        for (j = 0; j < i; j++) {
            const struct idmap_entry *b = &m->e[j];
            if (overlaps(a->container, a->size, b->container, b->size) ||
                overlaps(a->host, a->size, b->host, b->size)) {
                snprintf(err, errlen, "ranges %zu and %zu overlap", j, i);
                return -1;
            }
        }
    }
    return 0;
}

size_t idmap_format(const struct idmap *m, char *buf, size_t len)
{
    size_t pos = 0, i;
    buf[0] = 0;
    for (i = 0; i < m->n; i++) {
        int n = snprintf(buf + pos, len - pos, "%u %u %u\n", m->e[i].container,
                         m->e[i].host, m->e[i].size);
        if (n < 0 || (size_t)n >= len - pos) return 0;
        pos += (size_t)n;
    }
    return pos;
}

char *find_helper(const char *name)
{
    const char *path = getenv("PATH");
    char *copy, *dir, *save = NULL;
    if (path && *path) {
        copy = xstrdup(path);
        for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
            char *cand = xasprintf("%s/%s", *dir ? dir : ".", name);
            if (access(cand, X_OK) == 0) { free(copy); return cand; }
            free(cand);
        }
        free(copy);
    }
    {
        char *cand = xasprintf("/usr/bin/%s", name);
        if (access(cand, X_OK) == 0) return cand;
        free(cand);
    }
    return NULL;
}

static int write_proc(pid_t pid, const char *file, const char *data)
{
    char path[64];
    int fd;
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    if (write_all(fd, data, strlen(data)) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return close(fd);
}

/* Does /etc/sub{u,g}id list this user (by name or uid)? newuidmap's own
 * error for this case is cryptic, so we check first (subuid(5)). */
static int has_subid(const char *file, uid_t uid)
{
    struct passwd *pw = getpwuid(uid);
    char *text = read_file(file, 1 << 22, NULL);
    char uidstr[16], *line, *save = NULL;
    int found = 0;
    if (!text) return 0;
    snprintf(uidstr, sizeof uidstr, "%u", (unsigned)uid);
    for (line = strtok_r(text, "\n", &save); line && !found;
         line = strtok_r(NULL, "\n", &save)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        *colon = 0;
        if (strcmp(line, uidstr) == 0 || (pw && strcmp(line, pw->pw_name) == 0))
            found = 1;
    }
    free(text);
    return found;
}

/* A newuidmap/newgidmap run in flight: its pid, the read end of its
 * stderr, and its command line for the error message. */
struct helper_run {
    pid_t child;
    int fd;
    char cmdline[512];
};

static void start_helper(const char *name, pid_t pid, const struct idmap *m, struct helper_run *h)
{
    char *helper = find_helper(name);
    char *argv[3 + 3 * IDMAP_MAX + 1];
    size_t i, argc = 0, cpos = 0;
    int pfd[2];
    struct stat st;

    if (!helper)
        die(E_NEWUIDMAP, "%s not found in PATH or /usr/bin: install it with "
            "'apt-get install uidmap' (or your distribution's shadow package)",
            name);
    if (stat(helper, &st) < 0) die_errno(E_NEWUIDMAP, "stat %s", helper);
    /* It must be setuid root or carry file capabilities to be usable. */
    if (!((st.st_mode & S_ISUID) && st.st_uid == 0) &&
        getxattr(helper, "security.capability", NULL, 0) <= 0)
        die(E_NEWUIDMAP, "%s is neither setuid root nor has file "
            "capabilities: reinstall it ('apt-get install --reinstall uidmap')",
            helper);

    argv[argc++] = helper;
    argv[argc++] = xasprintf("%d", (int)pid);
    for (i = 0; i < m->n; i++) {
        argv[argc++] = xasprintf("%u", m->e[i].container);
        argv[argc++] = xasprintf("%u", m->e[i].host);
        argv[argc++] = xasprintf("%u", m->e[i].size);
    }
    argv[argc] = NULL;
    h->cmdline[0] = 0;
    for (i = 0; i < argc && cpos < sizeof h->cmdline - 1; i++) {
        int n = snprintf(h->cmdline + cpos, sizeof h->cmdline - cpos, "%s%s",
                         i ? " " : "", argv[i]);
        if (n < 0) break;
        cpos += (size_t)n;
    }

    if (pipe2(pfd, O_CLOEXEC) < 0) die_errno(E_IDMAP, "pipe2");
    h->child = fork();
    if (h->child < 0) die_errno(E_IDMAP, "fork %s", helper);
    if (h->child == 0) {
        if (dup2(pfd[1], 2) < 0) _exit(127);
        execv(helper, argv);
        dprintf(2, "execv %s: %s", helper, strerror(errno));
        _exit(127);
    }
    close(pfd[1]);
    h->fd = pfd[0];
    for (i = 1; i < argc; i++) free(argv[i]);
    free(helper);
}

/* Waits for a helper; on failure fills code and msg and returns -1. */
static int finish_helper(struct helper_run *h, const char **code, char *msg, size_t msglen)
{
    char errbuf[1024];
    ssize_t got = read_all(h->fd, errbuf, sizeof errbuf - 1);
    int status;

    close(h->fd);
    if (got < 0) got = 0;
    errbuf[got] = 0;
    while (got > 0 && (errbuf[got - 1] == '\n' || errbuf[got - 1] == ' '))
        errbuf[--got] = 0;
    while (waitpid(h->child, &status, 0) < 0) {
        if (errno != EINTR) die_errno(E_IDMAP, "waitpid %s", h->cmdline);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        *code = E_NEWUIDMAP;
        snprintf(msg, msglen, "%s: %s", h->cmdline, errbuf[0] ? errbuf : "cannot execute");
    } else {
        *code = E_IDMAP;
        snprintf(msg, msglen, "%s failed: %s", h->cmdline, errbuf[0] ? errbuf : "no message");
    }
    return -1;
}

static int is_self_map(const struct idmap *m, uint32_t id)
{
    return m->n == 1 && m->e[0].host == id && m->e[0].size == 1;
}

void idmap_apply(pid_t pid, const struct idmap *uid, const struct idmap *gid)
{
    char buf[IDMAP_MAX * 36];
    uid_t euid = geteuid();
    int uid_direct = is_self_map(uid, euid);
    int gid_direct = is_self_map(gid, getegid());

    if (!uid_direct && euid != 0 && !has_subid("/etc/subuid", euid))
        die(E_NO_SUBUID, "no subordinate uid range for uid %u in /etc/subuid "
            "(add one, e.g. 'usermod --add-subuids 100000-165535 USER')",
            (unsigned)euid);
    if (!gid_direct && euid != 0 && !has_subid("/etc/subgid", euid))
        die(E_NO_SUBUID, "no subordinate gid range for uid %u in /etc/subgid "
            "(add one, e.g. 'usermod --add-subgids 100000-165535 USER')",
            (unsigned)euid);

    /* uid_map and gid_map are independent files (user_namespaces(7)):
     * newuidmap and newgidmap run side by side, on the path of every
     * container start. Both are waited for before an error is reported. */
    struct helper_run uh, gh;
    const char *code = NULL, *failed = NULL;
    char msg[1700], msg2[1700];
    int uid_helper = !(uid_direct || euid == 0);
    int gid_helper = !(gid_direct || euid == 0);

    if (uid_helper) start_helper("newuidmap", pid, uid, &uh);
    if (gid_helper) start_helper("newgidmap", pid, gid, &gh);
    if (!uid_helper) {
        idmap_format(uid, buf, sizeof buf);
        if (write_proc(pid, "uid_map", buf) < 0)
            die_errno(E_IDMAP, "write /proc/%d/uid_map", (int)pid);
    }
    if (!gid_helper) {
        /* An unprivileged writer must deny setgroups before gid_map
         * (user_namespaces(7), CVE-2014-8989). */
        if (euid != 0 && write_proc(pid, "setgroups", "deny") < 0)
            die_errno(E_IDMAP, "write /proc/%d/setgroups", (int)pid);
        idmap_format(gid, buf, sizeof buf);
        if (write_proc(pid, "gid_map", buf) < 0)
            die_errno(E_IDMAP, "write /proc/%d/gid_map", (int)pid);
    }
    if (uid_helper && finish_helper(&uh, &code, msg, sizeof msg) < 0) failed = code;
    if (gid_helper && finish_helper(&gh, &code, msg2, sizeof msg2) < 0 && !failed) {
        failed = code;
        memcpy(msg, msg2, sizeof msg);
    }
    if (failed) die(failed, "%s", msg);
}
