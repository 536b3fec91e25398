#include "crilog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util.h"

size_t cri_prefix(char *out, size_t outlen, const struct timespec *ts,
                  const char *stream, int partial)
{
    char t[48];
    int n;
    format_rfc3339_nano(t, sizeof t, ts);
    n = snprintf(out, outlen, "%s %s %c ", t, stream, partial ? 'P' : 'F');
    return n < 0 ? 0 : (size_t)n;
}

int crilog_open(struct crilog *l, const char *path, uint64_t max)
{
    struct stat st;
    l->path = path;
    l->max = max;
    l->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (l->fd < 0) return -1;
    if (fstat(l->fd, &st) < 0) return -1;
    l->size = (uint64_t)st.st_size;
    return 0;
}

static int rotate(struct crilog *l)
{
    char old[4096];
    snprintf(old, sizeof old, "%s.1", l->path);
    if (rename(l->path, old) < 0) return -1;
    close(l->fd);
    l->fd = open(l->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    if (l->fd < 0) return -1;
    l->size = 0;
    return 0;
}

int crilog_record(struct crilog *l, const char *stream, int partial,
                  const char *text, size_t len)
{
    char pre[96];
    struct timespec ts;
    struct iovec iov[3];
    size_t total, done = 0;
    clock_gettime(CLOCK_REALTIME, &ts);
    iov[0].iov_base = pre;
    iov[0].iov_len = cri_prefix(pre, sizeof pre, &ts, stream, partial);
    iov[1].iov_base = (void *)text;
    iov[1].iov_len = len;
    iov[2].iov_base = "\n";
    iov[2].iov_len = 1;
    total = iov[0].iov_len + len + 1;
    if (l->max && l->size > 0 && l->size + total > l->max && rotate(l) < 0) return -1;
    /* O_APPEND writes of one record go out whole unless the disk fills. */
    while (done < total) {
        ssize_t n = writev(l->fd, iov, 3);
        int i;
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        done += (size_t)n;
        for (i = 0; i < 3 && n > 0; i++) {
            size_t take = (size_t)n < iov[i].iov_len ? (size_t)n : iov[i].iov_len;
            iov[i].iov_base = (char *)iov[i].iov_base + take;
            iov[i].iov_len -= take;
            n -= (ssize_t)take;
        }
    }
    l->size += total;
    return 0;
}

int cri_feed(struct crilog *l, struct cri_stream *s, const char *data, size_t len)
{
    if (l->copy_fd[s->idx] >= 0) write_all(l->copy_fd[s->idx], data, len);
    while (len) {
        const char *nl = memchr(data, '\n', len);
        size_t chunk = nl ? (size_t)(nl - data) : len;
        size_t room = CRI_MAX_LINE - s->len;
        if (chunk >= room) {
            /* Line longer than the buffer: emit what fits as P. */
            memcpy(s->buf + s->len, data, room);
            s->len += room;
            if (crilog_record(l, s->name, 1, s->buf, s->len) < 0) return -1;
            s->len = 0;
            data += room;
            len -= room;
            continue;
        }
        memcpy(s->buf + s->len, data, chunk);
        s->len += chunk;
        if (!nl) break;
        if (crilog_record(l, s->name, 0, s->buf, s->len) < 0) return -1;
        s->len = 0;
        data += chunk + 1;
        len -= chunk + 1;
    }
    return 0;
}

int cri_flush(struct crilog *l, struct cri_stream *s)
{
    int r = 0;
    if (s->len) r = crilog_record(l, s->name, 1, s->buf, s->len);
    s->len = 0;
    return r;
}
