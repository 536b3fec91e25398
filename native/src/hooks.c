#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "json.h"
#include "util.h"

char *annotations_json(const struct config *cfg)
{
    const struct json *a = cfg->doc ? json_get(cfg->doc, "annotations") : NULL;
    size_t cap = 64, pos, i;
    char *buf;
    if (!a || a->type != JSON_OBJECT) return xstrdup("{}");
    for (i = 0; i < a->len; i++)
        if (a->items[i]->type == JSON_STRING)
            cap += 6 * (strlen(a->keys[i]) + strlen(a->items[i]->string)) + 8;
    buf = xmalloc(cap);
    buf[0] = '{';
    pos = 1;
    for (i = 0; i < a->len; i++) {
        if (a->items[i]->type != JSON_STRING) continue; /* the spec: values are strings */
        if (pos > 1) buf[pos++] = ',';
        buf[pos++] = '"';
        json_escape_into(buf, cap, &pos, a->keys[i]);
        memcpy(buf + pos, "\":\"", 3);
        pos += 3;
        json_escape_into(buf, cap, &pos, a->items[i]->string);
        buf[pos++] = '"';
    }
    buf[pos++] = '}';
    buf[pos] = 0;
    return buf;
}

char *hook_state(const struct config *cfg, const char *id, pid_t pid, const char *status)
{
    char *ann = annotations_json(cfg), *out;
    size_t cap = strlen(ann) + 6 * (strlen(id) + strlen(cfg->bundle)) + 128, pos;
    int n;
    out = xmalloc(cap);
    n = snprintf(out, cap, "{\"ociVersion\":\"1.2.0\",\"id\":\"");
    pos = (size_t)n;
    json_escape_into(out, cap, &pos, id);
    n = snprintf(out + pos, cap - pos, "\",\"status\":\"%s\",", status);
    pos += (size_t)n;
    if (pid > 0) pos += (size_t)snprintf(out + pos, cap - pos, "\"pid\":%d,", (int)pid);
    pos += (size_t)snprintf(out + pos, cap - pos, "\"bundle\":\"");
    json_escape_into(out, cap, &pos, cfg->bundle);
    snprintf(out + pos, cap - pos, "\",\"annotations\":%s}", ann);
    free(ann);
    return out;
}

/* Waits for pid for up to timeout seconds (0: forever); kills it after. */
static int wait_hook(pid_t pid, int timeout, int *status)
{
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0), r;
    if (pfd >= 0) {
        struct pollfd p = {pfd, POLLIN, 0};
        do r = poll(&p, 1, timeout > 0 ? timeout * 1000 : -1);
        while (r < 0 && errno == EINTR);
        close(pfd);
        if (r == 0) {
            kill(pid, SIGKILL);
            while (waitpid(pid, status, 0) < 0 && errno == EINTR) {}
            return -1;
        }
    }
    while (waitpid(pid, status, 0) < 0)
        if (errno != EINTR) return -2;
    return 0;
}

static int run_one(const struct config *cfg, enum hook_kind kind, size_t i,
                   const char *state, char *msg, size_t len);

int hooks_run(const struct config *cfg, enum hook_kind kind, const char *state,
              char *msg, size_t len)
{
    /* After the process started, a failing hook is a warning and the rest
     * still run (runtime.md "Lifecycle" steps 10 and 13). */
    int post = kind == HOOK_POSTSTART || kind == HOOK_POSTSTOP;
    size_t i;
    for (i = 0; i < cfg->n_hooks[kind]; i++) {
        if (run_one(cfg, kind, i, state, msg, len) == 0) continue;
        if (!post) return -1;
        warnx_("%s", msg);
    }
    return 0;
}

static int run_one(const struct config *cfg, enum hook_kind kind, size_t i,
                   const char *state, char *msg, size_t len)
{
    {
        const struct hook *h = &cfg->hooks[kind][i];
        char *const noenv[] = {NULL};
        char *const defargv[] = {h->path, NULL};
        struct sigaction ign = {0}, old;
        int in[2], st = 0, w;
        pid_t pid;
        if (pipe2(in, O_CLOEXEC) < 0) {
            snprintf(msg, len, "%s hook %s: pipe2: %s", hook_names[kind], h->path, strerror(errno));
            return -1;
        }
        pid = fork();
        if (pid < 0) {
            snprintf(msg, len, "%s hook %s: fork: %s", hook_names[kind], h->path, strerror(errno));
            close(in[0]);
            close(in[1]);
            return -1;
        }
        if (pid == 0) {
            sigset_t none;
            sigemptyset(&none);
            sigprocmask(SIG_SETMASK, &none, NULL);
            if (dup2(in[0], 0) < 0) _exit(127);
            /* Only stdio: no runtime pipe or fifo may leak into the hook. */
            close_range(3, ~0U, 0);
            execve(h->path, h->args && h->args[0] ? h->args : defargv, h->env ? h->env : noenv);
            dprintf(2, "%s: %s hook: execve %s: %s\n", cove_prog, hook_names[kind], h->path, strerror(errno));
            _exit(127);
        }
        close(in[0]);
        /* A hook that does not read its stdin must not kill us (SIGPIPE). */
        ign.sa_handler = SIG_IGN;
        sigaction(SIGPIPE, &ign, &old);
        write_all(in[1], state, strlen(state));
        sigaction(SIGPIPE, &old, NULL);
        close(in[1]);
        w = wait_hook(pid, h->timeout, &st);
        if (w == -1) {
            snprintf(msg, len, "%s hook %s timed out after %d s", hook_names[kind], h->path, h->timeout);
            return -1;
        }
        if (w < 0) {
            snprintf(msg, len, "%s hook %s: waitpid: %s", hook_names[kind], h->path, strerror(errno));
            return -1;
        }
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            if (WIFSIGNALED(st))
                snprintf(msg, len, "%s hook %s killed by signal %d", hook_names[kind], h->path, WTERMSIG(st));
            else
                snprintf(msg, len, "%s hook %s exited with status %d", hook_names[kind], h->path, WEXITSTATUS(st));
            return -1;
        }
    }
    return 0;
}
