/* Container log in the CRI format kubelet and podman use:
 *   2026-11-22T22:01:45.123456789Z stdout F text
 * F = full line, P = partial (flushed without a newline). */
#ifndef COVE_CRILOG_H
#define COVE_CRILOG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define CRI_MAX_LINE (16 * 1024)

struct crilog {
    int fd;
    const char *path;
    uint64_t size, max;   /* rotate to path.1 past max */
    int copy_fd[2];       /* --foreground: also copy stdout/stderr here */
};

struct cri_stream {
    const char *name;     /* "stdout" / "stderr" */
    int idx;              /* 0/1, selects copy_fd */
    size_t len;
    char buf[CRI_MAX_LINE];
};

/* Prefix "<ts> <stream> <F|P> " into out (>= 64 bytes); returns length. */
size_t cri_prefix(char *out, size_t outlen, const struct timespec *ts,
                  const char *stream, int partial);
int crilog_open(struct crilog *l, const char *path, uint64_t max);
/* Write one record (text without newline). Returns -1 + errno. */
int crilog_record(struct crilog *l, const char *stream, int partial,
                  const char *text, size_t len);
/* Split data into records; an unterminated tail is kept in s->buf and
 * written as P once the buffer is full. */
int cri_feed(struct crilog *l, struct cri_stream *s, const char *data, size_t len);
/* Write out a pending partial line as P (idle or EOF). */
int cri_flush(struct crilog *l, struct cri_stream *s);

#endif
