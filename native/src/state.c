#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "util.h"

static void mkdir_owned(const char *path)
{
    struct stat st;
    if (mkdir(path, 0700) < 0 && errno != EEXIST) die_errno(E_FAILED, "mkdir %s", path);
    /* In a shared /tmp someone else could pre-create it (or a symlink). */
    if (lstat(path, &st) < 0) die_errno(E_FAILED, "lstat %s", path);
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
        die(E_FAILED, "%s is not a directory owned by uid %u", path, (unsigned)geteuid());
}

char *state_root(const char *opt_root)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    char *root;
    if (opt_root) {
        char *p;
        root = xstrdup(opt_root);
        /* mkdir -p, each component 0700 when we create it */
        for (p = root + 1; ; p++) {
            if (*p == '/' || *p == 0) {
                char c = *p;
                *p = 0;
                if (mkdir(root, 0700) < 0 && errno != EEXIST) die_errno(E_FAILED, "mkdir %s", root);
                *p = c;
                if (!c) break;
            }
        }
        return root;
    }
    if (xdg && *xdg && access(xdg, W_OK) == 0) {
        root = xasprintf("%s/cove-runtime", xdg);
    } else {
        root = xasprintf("/tmp/cove-runtime-%u", (unsigned)geteuid());
    }
    mkdir_owned(root);
    return root;
}

int valid_id(const char *id)
{
    size_t i, n = strlen(id);
    if (n == 0 || n > 1024) return 0;
    for (i = 0; i < n; i++) {
        char c = id[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '_' && c != '-' && c != '.'))) return 0;
    }
    return 1;
}

void state_write(const char *dir, const struct state *s)
{
    char *path = xasprintf("%s/state.json", dir);
    char buf[8192];
    size_t pos = 0;
    int n;
    n = snprintf(buf, sizeof buf, "{\"ociVersion\":\"1.2.0\",\"id\":\"");
    pos = (size_t)n;
    json_escape_into(buf, sizeof buf - 256, &pos, s->id);
    n = snprintf(buf + pos, sizeof buf - pos, "\",\"pid\":%d,\"startTime\":%llu,\"status\":\"%s\",\"created\":\"%s\",\"bundle\":\"",
                 (int)s->pid, s->start_time, s->status, s->created);
    pos += (size_t)n;
    json_escape_into(buf, sizeof buf - 8, &pos, s->bundle);
    memcpy(buf + pos, "\"}\n", 4);
    pos += 3;
    if (write_file_atomic(path, buf, pos, 0600) < 0) die_errno(E_FAILED, "write %s", path);
    free(path);
}

static char *dupstr(const struct json *j, const char *k)
{
    const struct json *v = json_get(j, k);
    return xstrdup(v && v->type == JSON_STRING ? v->string : "");
}

int state_read(const char *dir, struct state *s)
{
    char *path = xasprintf("%s/state.json", dir), err[128];
    size_t len;
    char *text = read_file(path, 1 << 20, &len);
    struct json *j, *v;
    free(path);
    memset(s, 0, sizeof *s);
    if (!text) return -1;
    j = json_parse(text, len, err, sizeof err);
    free(text);
    if (!j || j->type != JSON_OBJECT) { json_free(j); errno = EINVAL; return -1; }
    s->id = dupstr(j, "id");
    s->bundle = dupstr(j, "bundle");
    s->status = dupstr(j, "status");
    s->created = dupstr(j, "created");
    if ((v = json_get(j, "pid")) && v->is_int) s->pid = (pid_t)v->integer;
    if ((v = json_get(j, "startTime")) && v->is_int) s->start_time = (unsigned long long)v->integer;
    json_free(j);
    return 0;
}

void state_free(struct state *s)
{
    free(s->id);
    free(s->bundle);
    free(s->status);
    free(s->created);
}

unsigned long long proc_start_time(pid_t pid, char *state_char)
{
    char path[64], buf[1024], *p;
    int fd, i;
    ssize_t n;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    /* comm may contain spaces and parens: fields restart after the last ')'. */
    p = strrchr(buf, ')');
    if (!p) return 0;
    p += 2;
    if (state_char) *state_char = *p;
    for (i = 3; i < 22 && p; i++) {
        p = strchr(p, ' ');
        if (p) p++;
    }
    return p ? strtoull(p, NULL, 10) : 0;
}

const char *state_status(const char *dir, const struct state *s)
{
    char st = 0;
    unsigned long long start;
    if (s->pid <= 0) return "stopped";
    start = proc_start_time(s->pid, &st);
    if (start == 0 || start != s->start_time || st == 'Z' || st == 'X') return "stopped";
    if (strcmp(s->status, "created") == 0) {
        char *fifo = xasprintf("%s/exec.fifo", dir);
        int exists = access(fifo, F_OK) == 0;
        free(fifo);
        if (exists) return "created";
    }
    return "running";
}

int state_remove(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d) return errno == ENOENT ? 0 : -1;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT) {
            int err = errno;
            closedir(d);
            errno = err;
            return -1;
        }
    }
    closedir(d);
    return rmdir(dir);
}

char *state_json(const char *dir, const struct state *s, const char *annotations)
{
    const char *status = state_status(dir, s);
    char buf[8192], *out;
    size_t pos;
    int n = snprintf(buf, sizeof buf, "{\"ociVersion\":\"1.2.0\",\"id\":\"");
    pos = (size_t)n;
    json_escape_into(buf, sizeof buf - 256, &pos, s->id);
    n = snprintf(buf + pos, sizeof buf - pos, "\",\"pid\":%d,\"status\":\"%s\",\"bundle\":\"",
                 strcmp(status, "stopped") == 0 ? 0 : (int)s->pid, status);
    pos += (size_t)n;
    json_escape_into(buf, sizeof buf - 64, &pos, s->bundle);
    n = snprintf(buf + pos, sizeof buf - pos, "\",\"created\":\"%s\"", s->created);
    out = xasprintf("%s%s%s}", buf, annotations ? ",\"annotations\":" : "", annotations ? annotations : "");
    return out;
}
