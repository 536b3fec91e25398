#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "crilog.h"
#include "tap.h"
#include "util.h"

static char *slurp(const char *p)
{
    char *s = read_file(p, 1 << 20, NULL);
    return s ? s : strdup("");
}

/* Strip the 31-char timestamp + space from each line for comparison. */
static void strip_ts(char *s)
{
    char *r = s, *w = s;
    while (*r) {
        r += 31;
        while (*r && *r != '\n') *w++ = *r++;
        if (*r) *w++ = *r++;
    }
    *w = 0;
}

int main(void)
{
    char dir[] = "/tmp/crilogXXXXXX", path[256], old[300], pre[96], *s;
    struct crilog l = {0};
    static struct cri_stream so = {"stdout", 0, 0, {0}}, se = {"stderr", 1, 0, {0}};
    struct timespec ts = {1795384905, 123456789};
    char big[CRI_MAX_LINE + 10];
    plan(8);

    cri_prefix(pre, sizeof pre, &ts, "stdout", 0);
    is_str(pre, "2026-11-22T22:01:45.123456789Z stdout F ", "prefix format");
    cri_prefix(pre, sizeof pre, &ts, "stderr", 1);
    is_str(pre, "2026-11-22T22:01:45.123456789Z stderr P ", "partial prefix");

    if (!mkdtemp(dir)) return 1;
    snprintf(path, sizeof path, "%s/log", dir);
    snprintf(old, sizeof old, "%s/log.1", dir);
    ok(crilog_open(&l, path, 0) == 0, "open log");
    l.copy_fd[0] = l.copy_fd[1] = -1;
    cri_feed(&l, &so, "a\nb", 3);
    cri_feed(&l, &se, "e1\n", 3);
    cri_feed(&l, &so, "c\n\n", 3);
    cri_feed(&l, &so, "tail", 4);
    cri_flush(&l, &so);
    s = slurp(path);
    strip_ts(s);
    is_str(s, "stdout F a\nstderr F e1\nstdout F bc\nstdout F \nstdout P tail\n", "lines split, partial flushed as P");
    free(s);

    memset(big, 'x', sizeof big);
    big[sizeof big - 1] = '\n';
    unlink(path);
    close(l.fd);
    crilog_open(&l, path, 0);
    cri_feed(&l, &so, big, sizeof big);
    s = slurp(path);
    ok(strlen(s) == 2 * 31 + 9 * 2 + CRI_MAX_LINE + 9 + 2, "long line split (len %zu)", strlen(s));
    ok(strstr(s, "stdout P xxx") && strstr(s, "stdout F xxxxxxxxx\n"), "long line: P then F");
    free(s);

    close(l.fd);
    unlink(path);
    crilog_open(&l, path, 100);
    crilog_record(&l, "stdout", 0, "first record", 12);
    crilog_record(&l, "stdout", 0, "second record", 13);
    s = slurp(old);
    ok(strstr(s, "first record") != NULL, "rotated file has the first record");
    free(s);
    s = slurp(path);
    ok(strstr(s, "second record") && !strstr(s, "first"), "new file has the second only");
    free(s);
    close(l.fd);
    unlink(path);
    unlink(old);
    rmdir(dir);
    done_testing();
}
