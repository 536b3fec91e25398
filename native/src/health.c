/* The healthcheck prober (see health.h). Semantics follow moby's
 * daemon/health.go: the first probe comes one interval after the start
 * (start_interval while starting within the start period), a probe that
 * outlives its timeout is killed and counts as exit code -1 with
 * "Health check exceeded timeout (D)", the output kept is the first 4 KiB. */
#include "health.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int health_parse_opt(struct health_opts *h, const char *name, const char *value)
{
    static const struct { const char *name; size_t off; } ms[] = {
        {"--health-interval-ms", offsetof(struct health_opts, interval_ms)},
        {"--health-timeout-ms", offsetof(struct health_opts, timeout_ms)},
        {"--health-start-period-ms", offsetof(struct health_opts, start_period_ms)},
        {"--health-start-interval-ms", offsetof(struct health_opts, start_interval_ms)},
    };
    int ok;
    if (strncmp(name, "--health-", 9) != 0) return 0;
    if (!value) return -1;
    if (strcmp(name, "--health-state") == 0) { h->state_file = value; return 1; }
    if (strcmp(name, "--health-paused-file") == 0) { h->paused_file = value; return 1; }
    if (strcmp(name, "--health-cmd") == 0) {
        if (h->argc >= HEALTH_MAX_ARGS) return -1;
        h->argv[h->argc++] = value;
        h->argv[h->argc] = NULL;
        return 1;
    }
    if (strcmp(name, "--health-retries") == 0) {
        h->retries = (int)parse_long(value, 1, 1000000, &ok);
        return ok ? 1 : -1;
    }
    for (size_t i = 0; i < sizeof ms / sizeof *ms; i++)
        if (strcmp(name, ms[i].name) == 0) {
            long v = parse_long(value, 0, 86400000L * 365, &ok);
            if (!ok) return -1;
            *(int64_t *)((char *)h + ms[i].off) = v;
            return 1;
        }
    return 0;
}

const char *health_check_opts(const struct health_opts *h)
{
    if (!h->state_file) return h->argc ? "--health-cmd needs --health-state" : NULL;
    if (!h->argc) return "--health-state needs --health-cmd";
    if (h->interval_ms <= 0 || h->timeout_ms <= 0 || h->start_interval_ms <= 0 || h->retries < 1)
        return "--health-state needs positive --health-interval-ms, --health-timeout-ms, --health-start-interval-ms and --health-retries";
    return NULL;
}

void health_record(struct health_state *s, const struct health_result *r, int retries,
                   int64_t since_start_ms, int64_t start_period_ms)
{
    if (s->n_log == HEALTH_LOG_ENTRIES) {
        memmove(&s->log[0], &s->log[1], sizeof s->log[0] * (HEALTH_LOG_ENTRIES - 1));
        s->n_log--;
    }
    s->log[s->n_log++] = *r;
    if (r->exit_code == 0) {
        s->failing_streak = 0;
        s->status = HEALTH_HEALTHY;
        return;
    }
    if (s->status == HEALTH_STARTING && since_start_ms < start_period_ms) return;
    s->failing_streak++;
    if (s->failing_streak >= retries) s->status = HEALTH_UNHEALTHY;
}

int64_t health_next_delay(const struct health_opts *h, const struct health_state *s, int64_t since_start_ms)
{
    if (since_start_ms < h->start_period_ms && s->status == HEALTH_STARTING) return h->start_interval_ms;
    return h->interval_ms;
}

/* JSON string of len bytes (NULs included) into b at *p; b has room. */
static void put_string(char *b, size_t *p, const char *s, size_t len)
{
    b[(*p)++] = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') { b[(*p)++] = '\\'; b[(*p)++] = (char)c; }
        else if (c == '\n') { memcpy(b + *p, "\\n", 2); *p += 2; }
        else if (c == '\t') { memcpy(b + *p, "\\t", 2); *p += 2; }
        else if (c < 0x20 || c == 0x7f) *p += (size_t)sprintf(b + *p, "\\u%04x", c);
        else b[(*p)++] = (char)c;
    }
    b[(*p)++] = '"';
}

char *health_json(const struct health_state *s)
{
    static const char *names[] = {"starting", "healthy", "unhealthy"};
    size_t cap = 128 + HEALTH_LOG_ENTRIES * (200 + 6 * (HEALTH_OUTPUT_MAX + 4)), p = 0;
    char *b = malloc(cap);
    if (!b) return NULL;
    p += (size_t)sprintf(b, "{\"Status\":\"%s\",\"FailingStreak\":%d,\"Log\":[", names[s->status], s->failing_streak);
    for (int i = 0; i < s->n_log; i++) {
        const struct health_result *r = &s->log[i];
        p += (size_t)sprintf(b + p, "%s{\"Start\":\"%s\",\"End\":\"%s\",\"ExitCode\":%d,\"Output\":",
                             i ? "," : "", r->start, r->end, r->exit_code);
        put_string(b, &p, r->output, r->output_len);
        b[p++] = '}';
    }
    memcpy(b + p, "]}\n", 4);
    return b;
}

/* --- the prober process: never exit() (the monitor's atexit handlers
 * would unlink its sockets), never die(). --- */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void wall(char *buf, size_t len)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    format_rfc3339_nano(buf, len, &ts);
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

/* Readers see the old or the new file, never a partial one; no fsync: a
 * crash loses a probe result, which the next probe redoes. */
static void save(const char *path, const struct health_state *s)
{
    char *json = health_json(s), tmp[4096];
    int fd;
    if (!json) return;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        int ok = write_all(fd, json, strlen(json)) == 0;
        if (close(fd) == 0 && ok) rename(tmp, path);
        else unlink(tmp);
    }
    free(json);
}

/* Go's time.Duration String for whole milliseconds ("1s", "500ms", "1m30s"). */
static void go_duration(char *buf, size_t len, int64_t ms)
{
    int64_t h = ms / 3600000, m = ms / 60000 % 60, s = ms / 1000 % 60, frac = ms % 1000;
    size_t p = 0;
    if (ms < 1000) { snprintf(buf, len, "%lldms", (long long)ms); return; }
    if (h) p += (size_t)snprintf(buf + p, len - p, "%lldh", (long long)h);
    if (h || m) p += (size_t)snprintf(buf + p, len - p, "%lldm", (long long)m);
    if (frac) {
        p += (size_t)snprintf(buf + p, len - p, "%lld.%03lld", (long long)s, (long long)frac);
        while (buf[p - 1] == '0') buf[--p] = 0;
        snprintf(buf + p, len - p, "s");
    } else {
        snprintf(buf + p, len - p, "%llds", (long long)s);
    }
}

static void keep_output(struct health_result *r, const char *data, size_t n, int *cut)
{
    size_t room = HEALTH_OUTPUT_MAX - r->output_len;
    if (n > room) { n = room; *cut = 1; }
    memcpy(r->output + r->output_len, data, n);
    r->output_len += n;
}

/* The probe's own process (the runtime's --pid-file), killed first: the
 * runtime's exec forwards only some signals and a probe may ignore them. */
static void kill_probe(const char *pid_file)
{
    size_t len;
    char *text = read_file(pid_file, 64, &len);
    int ok;
    long pid = text ? parse_long(text, 2, 1L << 22, &ok) : -1;
    if (text && ok) kill((pid_t)pid, SIGKILL);
    free(text);
}

static void probe(const struct health_opts *h, const char *const *args, const char *pid_file,
                  struct health_result *r)
{
    int p[2], pidfd, st = 0, cut = 0, done = 0, open_out = 1;
    int64_t deadline;
    pid_t pid;
    char buf[4096];
    memset(r, 0, sizeof *r);
    wall(r->start, sizeof r->start);
    r->exit_code = -1;
    if (pipe2(p, O_CLOEXEC) < 0) goto failed;
    pid = fork();
    if (pid < 0) { close(p[0]); close(p[1]); goto failed; }
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        if (null < 0 || dup2(null, 0) < 0 || dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0) _exit(126);
        /* Killed with us: a probe never outlives its prober. */
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        execv(args[0], (char *const *)args);
        dprintf(2, "cannot run %s: %s\n", args[0], strerror(errno));
        _exit(126);
    }
    close(p[1]);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    deadline = mono_ms() + h->timeout_ms;
    while (!done) {
        struct pollfd pf[2] = {{open_out ? p[0] : -1, POLLIN, 0}, {pidfd, POLLIN, 0}};
        int64_t left = deadline - mono_ms();
        /* Without pidfd_open (Linux < 5.3) the exit is looked for every 50 ms. */
        int wait = left < 0 ? 0 : (int)(pidfd < 0 && left > 50 ? 50 : left);
        ssize_t n = -1;
        if (poll(pf, 2, wait) < 0 && errno != EINTR) break;
        while (open_out && (n = read(p[0], buf, sizeof buf)) != 0) {
            if (n < 0) { if (errno != EINTR && errno != EAGAIN) open_out = 0; if (errno == EAGAIN) break; continue; }
            keep_output(r, buf, (size_t)n, &cut);
        }
        if (open_out && n == 0) open_out = 0;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            done = 1;
            r->exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        } else if (mono_ms() >= deadline) {
            char d[32];
            kill_probe(pid_file);
            kill(pid, SIGKILL);
            while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
            go_duration(d, sizeof d, h->timeout_ms);
            r->output_len = (size_t)snprintf(r->output, sizeof r->output, "Health check exceeded timeout (%s)", d);
            r->exit_code = -1;
            cut = 0;
            done = 1;
        }
    }
    /* What the probe wrote just before it exited. */
    while (open_out && r->exit_code != -1) {
        ssize_t n = read(p[0], buf, sizeof buf);
        if (n <= 0) break;
        keep_output(r, buf, (size_t)n, &cut);
    }
    if (cut) { memcpy(r->output + r->output_len, "...", 3); r->output_len += 3; }
    if (pidfd >= 0) close(pidfd);
    close(p[0]);
    wall(r->end, sizeof r->end);
    return;
failed:
    r->output_len = (size_t)snprintf(r->output, sizeof r->output, "cannot start the probe: %s", strerror(errno));
    wall(r->end, sizeof r->end);
}

static _Noreturn void prober(const struct health_opts *h, const char *runtime, const char *runtime_root, const char *id)
{
    const char *args[HEALTH_MAX_ARGS + 10];
    struct health_state s;
    int n = 0;
    int64_t t0 = mono_ms();
    char pid_file[4096];
    snprintf(pid_file, sizeof pid_file, "%s.pid", h->state_file);
    args[n++] = runtime;
    if (runtime_root) { args[n++] = "--root"; args[n++] = runtime_root; }
    args[n++] = "exec";
    args[n++] = "--pid-file";
    args[n++] = pid_file;
    args[n++] = id;
    for (int i = 0; i < h->argc; i++) args[n++] = h->argv[i];
    args[n] = NULL;
    memset(&s, 0, sizeof s);
    s.status = HEALTH_STARTING;
    save(h->state_file, &s);
    for (;;) {
        struct health_result r;
        int64_t since;
        sleep_ms(health_next_delay(h, &s, mono_ms() - t0));
        if (h->paused_file && access(h->paused_file, F_OK) == 0) continue;
        since = mono_ms() - t0;
        unlink(pid_file);
        probe(h, args, pid_file, &r);
        health_record(&s, &r, h->retries, since, h->start_period_ms);
        save(h->state_file, &s);
    }
}

pid_t health_start(const struct health_opts *h, const char *runtime, const char *runtime_root, const char *id)
{
    sigset_t none;
    pid_t pid = fork();
    if (pid != 0) return pid;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    /* The monitor's sockets, pipes and log (and a foreground monitor's
     * stdio, which its caller reads to EOF) are not ours to hold open. */
    {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) { dup2(null, 0); dup2(null, 1); dup2(null, 2); }
    }
    close_range(3, ~0U, 0);
    prober(h, runtime, runtime_root, id);
}
