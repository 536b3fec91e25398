#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *cove_prog = "cove";
int cove_status_fd = -1;
int cove_quiet_stderr = 0;

void json_escape_into(char *buf, size_t len, size_t *pos, const char *s)
{
    size_t p = *pos;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char tmp[8];
        const char *out = tmp;
        size_t n;
        if (c == '"') out = "\\\"";
        else if (c == '\\') out = "\\\\";
        else if (c == '\n') out = "\\n";
        else if (c == '\r') out = "\\r";
        else if (c == '\t') out = "\\t";
        else if (c < 0x20) snprintf(tmp, sizeof tmp, "\\u%04x", c);
        else { tmp[0] = (char)c; tmp[1] = 0; }
        n = strlen(out);
        if (p + n + 1 >= len) break;
        memcpy(buf + p, out, n);
        p += n;
    }
    if (p < len) buf[p] = 0;
    *pos = p;
}

size_t format_status_json(char *buf, size_t len, const char *code,
                          const char *msg)
{
    size_t pos = 0;
    int n = snprintf(buf, len, "{\"code\":\"%s\",\"message\":\"", code);
    if (n < 0 || (size_t)n >= len) return 0;
    pos = (size_t)n;
    /* keep room for the closing "}\n */
    json_escape_into(buf, len - 3, &pos, msg);
    memcpy(buf + pos, "\"}\n", 4);
    return pos + 3;
}

void emit_status_line(const char *line, size_t len)
{
    if (cove_status_fd >= 0) write_all(cove_status_fd, line, len);
}

static _Noreturn void vdie(const char *code, int err, const char *fmt,
                           va_list ap)
{
    char msg[2048], line[4096];
    size_t n;
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (err) {
        size_t l = strlen(msg);
        snprintf(msg + l, sizeof msg - l, ": %s", strerror(err));
    }
    n = format_status_json(line, sizeof line, code, msg);
    if (cove_status_fd >= 0 && n) write_all(cove_status_fd, line, n);
    if (!cove_quiet_stderr) fprintf(stderr, "%s: %s\n", cove_prog, msg);
    exit(1);
}

void die(const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vdie(code, 0, fmt, ap);
}

void die_errno(const char *code, const char *fmt, ...)
{
    int err = errno;
    va_list ap;
    va_start(ap, fmt);
    vdie(code, err, fmt, ap);
}

void warnx_(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: warning: ", cove_prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

ssize_t read_all(int fd, void *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (n == 0) break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

char *read_file(const char *path, size_t max, size_t *out_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t cap = 4096, len = 0;
    char *buf;
    if (fd < 0) return NULL;
    buf = malloc(cap + 1);
    if (!buf) { close(fd); errno = ENOMEM; return NULL; }
    for (;;) {
        ssize_t n;
        if (len == cap) {
            char *nb;
            if (cap >= max) { free(buf); close(fd); errno = EFBIG; return NULL; }
            cap *= 2;
            nb = realloc(buf, cap + 1);
            if (!nb) { free(buf); close(fd); errno = ENOMEM; return NULL; }
            buf = nb;
        }
        n = read(fd, buf + len, cap - len);
        if (n < 0) {
            int e = errno;
            if (e == EINTR) continue;
            free(buf); close(fd); errno = e; return NULL;
        }
        if (n == 0) break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = 0;
    if (out_len) *out_len = len;
    return buf;
}

int write_file_atomic(const char *path, const char *data, size_t len,
                      mode_t mode)
{
    char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    char *dcopy = xstrdup(path);
    int fd, dfd, err = 0;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) { err = errno; goto out; }
    if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
        err = errno; close(fd); unlink(tmp); goto out;
    }
    if (close(fd) < 0) { err = errno; unlink(tmp); goto out; }
    if (rename(tmp, path) < 0) { err = errno; unlink(tmp); goto out; }
    /* fsync the directory so the rename itself is durable (rename(2)). */
    dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) { fsync(dfd); close(dfd); }
out:
    free(tmp);
    free(dcopy);
    errno = err;
    return err ? -1 : 0;
}

void format_rfc3339_nano(char *buf, size_t len, const struct timespec *ts)
{
    struct tm tm;
    char date[32];
    gmtime_r(&ts->tv_sec, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%s.%09ldZ", date, (long)ts->tv_nsec);
}

long parse_long(const char *s, long min, long max, int *ok)
{
    char *end;
    long v;
    *ok = 0;
    if (!s || !*s) return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max) return -1;
    *ok = 1;
    return v;
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) die(E_FAILED, "malloc: out of memory");
    return p;
}

void *xcalloc(size_t n, size_t m)
{
    void *p = calloc(n ? n : 1, m ? m : 1);
    if (!p) die(E_FAILED, "calloc: out of memory");
    return p;
}

char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p) die(E_FAILED, "strdup: out of memory");
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *p;
    int n;
    va_start(ap, fmt);
    n = vasprintf(&p, fmt, ap);
    va_end(ap);
    if (n < 0) die(E_FAILED, "vasprintf: out of memory");
    return p;
}

int parse_status_fd(const char *v)
{
    int ok;
    long fd = parse_long(v, 0, 1 << 20, &ok);
    if (!ok) die(E_FAILED, "--status-fd: invalid fd '%s'", v);
    if (fcntl((int)fd, F_GETFD) < 0) die_errno(E_FAILED, "--status-fd %ld", fd);
    /* The status fd must not leak into the container (runc uses the same
     * rule for its sync pipes); close_range at exec would catch it anyway. */
    fcntl((int)fd, F_SETFD, FD_CLOEXEC);
    return (int)fd;
}

char *lookup_exec(const char *file, char *const *env)
{
    const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    char *copy, *dir, *save = NULL;
    int saw_eacces = 0;
    size_t i;
    if (!*file) { errno = ENOENT; return NULL; }
    if (strchr(file, '/')) return xstrdup(file);
    for (i = 0; env && env[i]; i++)
        if (strncmp(env[i], "PATH=", 5) == 0) path = env[i] + 5;
    copy = xstrdup(path);
    for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        struct stat st;
        char *cand = xasprintf("%s/%s", *dir ? dir : ".", file);
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
            if (access(cand, X_OK) == 0) { free(copy); return cand; }
            saw_eacces = 1;
        }
        free(cand);
    }
    free(copy);
    errno = saw_eacces ? EACCES : ENOENT;
    return NULL;
}
