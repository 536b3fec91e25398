/* cove-runtime: an OCI runtime speaking a subset of runc's command line. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>

#include "config.h"
#include "cgroup.h"
#include "exec.h"
#include "hooks.h"
#include "idmap.h"
#include "init.h"
#include "json.h"
#include "namespaces.h"
#include "selfclone.h"
#include "state.h"
#include "supervise.h"
#include "util.h"

struct opts {
    const char *root;
    const char *bundle;
    const char *pid_file;
    const char *console_socket;
    const char *format;
    int detach, force, all, quiet;
};

static _Noreturn void usage(int code)
{
    fprintf(code ? stderr : stdout,
            "usage: cove-runtime [--root DIR] [--status-fd N] COMMAND [OPTIONS] ID\n"
            "commands:\n"
            "  run [--bundle DIR] [--pid-file F] [--detach] [--console-socket S] ID\n"
            "  create [--bundle DIR] [--pid-file F] [--console-socket S] ID\n"
            "  start ID\n"
            "  state ID\n"
            "  kill [--all] ID [SIGNAL]\n"
            "  delete [--force] ID\n"
            "  list [--format table|json] [--quiet]\n"
            "  exec [--detach] [--pid-file F] [--tty] [--console-socket S] [--cwd DIR]\n"
            "       [--env NAME=VALUE]... [--user UID[:GID]] [--process FILE] ID [CMD ARGS...]\n");
    exit(code);
}

/* Accepts "--opt value", "--opt=value" and short aliases. */
static int take(const char *name, const char *shortname, int argc, char **argv,
                int *i, const char **out)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) == 0 && a[n] == '=') { *out = a + n + 1; return 1; }
    if (strcmp(a, name) == 0 || (shortname && strcmp(a, shortname) == 0)) {
        if (*i + 1 >= argc) die(E_FAILED, "%s needs a value", name);
        *out = argv[++*i];
        return 1;
    }
    return 0;
}

static int flag(const char *a, const char *name, const char *shortname)
{
    return strcmp(a, name) == 0 || (shortname && strcmp(a, shortname) == 0);
}

static char *container_dir(const struct opts *o, const char *id)
{
    char *root, *dir;
    if (!valid_id(id)) die(E_FAILED, "invalid container id '%s'", id);
    root = state_root(o->root);
    dir = xasprintf("%s/%s", root, id);
    free(root);
    return dir;
}

static void load_state(const char *dir, const char *id, struct state *s)
{
    if (state_read(dir, s) < 0) {
        if (errno == ENOENT) die(E_FAILED, "container %s does not exist", id);
        die_errno(E_FAILED, "read state of %s", id);
    }
}

/* The bundle's config for hooks and annotations after the fact (state,
 * delete): NULL, without dying, when it is gone or no longer parses. */
static struct config *config_try_load(const char *bundle)
{
    char *path = xasprintf("%s/config.json", bundle), err[256], *text;
    size_t len;
    struct config *cfg = NULL;
    text = read_file(path, 16 << 20, &len);
    if (text) cfg = config_parse(text, len, bundle, err, sizeof err);
    free(text);
    free(path);
    return cfg;
}

/* poststart and poststop: failures are warnings (hooks_run prints them). */
static void run_hooks_warn(const struct config *cfg, enum hook_kind k, const char *id,
                           pid_t pid, const char *status)
{
    char msg[1024], *st;
    if (!cfg || !cfg->n_hooks[k]) return;
    st = hook_state(cfg, id, pid, status);
    hooks_run(cfg, k, st, msg, sizeof msg);
    free(st);
}

/* The host id that id 0 of pid's user namespace maps to, from
 * /proc/PID/{uid,gid}_map; -1 when 0 is not mapped. */
static long host_id_of_root(pid_t pid, const char *file)
{
    char *path = xasprintf("/proc/%d/%s", (int)pid, file), *text, *line;
    long found = -1;
    text = read_file(path, 65536, NULL);
    if (!text) die_errno(E_IDMAP, "read %s", path);
    for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned long inside, outside, count;
        if (sscanf(line, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 && count > 0) {
            found = (long)outside;
            break;
        }
    }
    free(text);
    free(path);
    return found;
}

static int create_container(const struct opts *o, const char *id, enum mode mode)
{
    char bundle[PATH_MAX], *dir, created[64];
    struct config *cfg;
    struct init_args ia = {0};
    struct state st;
    struct timespec now;
    int syncp[2], errp[2], status;
    /* Before joining a user namespace, where our euid would read 0. */
    int real_root = geteuid() == 0;
    pid_t pid;

    if (!realpath(o->bundle ? o->bundle : ".", bundle))
        die_errno(E_CONFIG, "bundle %s", o->bundle ? o->bundle : ".");
    cfg = config_load(bundle);
    if (cfg->terminal && !o->console_socket)
        die(E_CONFIG, "process.terminal is true but no --console-socket was given");
    if (!cfg->terminal && o->console_socket)
        die(E_CONFIG, "--console-socket given but process.terminal is false");
    dir = container_dir(o, id);
    if (mkdir(dir, 0700) < 0) {
        if (errno == EEXIST) die(E_FAILED, "container %s already exists", id);
        die_errno(E_FAILED, "mkdir %s", dir);
    }
    cleanup_dir = dir;
    atexit(supervise_cleanup);

    ia.cfg = cfg;
    ia.hook_sync = cfg->n_hooks[HOOK_PRESTART] || cfg->n_hooks[HOOK_CREATE_RUNTIME] ||
                   cfg->n_hooks[HOOK_CREATE_CONTAINER] || cfg->n_hooks[HOOK_START_CONTAINER];
    ia.fifo_fd = -1;
    ia.console_fd = -1;
    if (mode == MODE_CREATE) {
        char *fifo = xasprintf("%s/exec.fifo", dir);
        if (mkfifo(fifo, 0600) < 0) die_errno(E_FAILED, "mkfifo %s", fifo);
        ia.fifo_fd = open(fifo, O_PATH | O_CLOEXEC);
        if (ia.fifo_fd < 0) die_errno(E_FAILED, "open %s", fifo);
        free(fifo);
    }
    if (o->console_socket) ia.console_fd = connect_console(o->console_socket);
    if (pipe2(syncp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) die_errno(E_FAILED, "pipe2");

    ns_join_before_clone(cfg);
    pid = clone_ns(ns_clone_flags(cfg) | (cfg->ns[NS_USER].path ? 0 : CLONE_NEWUSER));
    if (pid < 0) die_errno(E_NAMESPACE, "clone (namespaces 0x%x)", ns_clone_flags(cfg));
    if (pid == 0) {
        cleanup_dir = NULL; /* atexit handlers are inherited */
        close(syncp[1]);
        close(errp[0]);
        ia.sync_rd = syncp[0];
        ia.err_wr = errp[1];
        container_init(&ia);
    }
    cleanup_pid = pid;
    close(syncp[0]);
    close(errp[1]);
    if (ia.fifo_fd >= 0) close(ia.fifo_fd);
    if (ia.console_fd >= 0) close(ia.console_fd);
    if (!cfg->ns[NS_USER].path) idmap_apply(pid, &cfg->uid_map, &cfg->gid_map);
    if (mode == MODE_CREATE && real_root && !cfg->ns[NS_USER].path) {
        /* The container's root opens exec.fifo for writing (runc chowns it
         * the same way): as real root, our 0600 fifo is not its own. */
        char *fifo = xasprintf("%s/exec.fifo", dir);
        long u = host_id_of_root(pid, "uid_map"), g = host_id_of_root(pid, "gid_map");
        if (u >= 0 && g >= 0 && chown(fifo, (uid_t)u, (gid_t)g) < 0)
            die_errno(E_FAILED, "chown %s to %ld:%ld", fifo, u, g);
        free(fifo);
    }
    if (cfg->cgroups_path) cgroup_enter(cfg->cgroups_path, cfg->resources, pid, dir, bundle);
    if (write_all(syncp[1], "1", 1) < 0) die_errno(E_FAILED, "release container process");
    if (ia.hook_sync) {
        /* runtime.md "Lifecycle" steps 5-6: prestart and createRuntime
         * hooks here, in the runtime's namespaces, once the container's
         * environment exists; then the state for its createContainer and
         * startContainer hooks. A failure stops the container. */
        char msg[1024], *st = hook_state(cfg, id, pid, "created");
        await_hook_point(errp[0], pid);
        if (hooks_run(cfg, HOOK_PRESTART, st, msg, sizeof msg) < 0 ||
            hooks_run(cfg, HOOK_CREATE_RUNTIME, st, msg, sizeof msg) < 0)
            die(E_FAILED, "%s", msg);
        if (write_all(syncp[1], st, strlen(st)) < 0 || write_all(syncp[1], "\n", 1) < 0)
            die_errno(E_FAILED, "send the state to the container process");
        free(st);
    }
    close(syncp[1]);
    await_child(errp[0], pid, mode);
    close(errp[0]);

    clock_gettime(CLOCK_REALTIME, &now);
    format_rfc3339_nano(created, sizeof created, &now);
    st.id = (char *)id;
    st.pid = pid;
    st.start_time = proc_start_time(pid, NULL);
    st.bundle = bundle;
    st.status = mode == MODE_CREATE ? "created" : "running";
    st.created = created;
    state_write(dir, &st);
    if (o->pid_file) {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%d", (int)pid);
        if (write_file_atomic(o->pid_file, buf, (size_t)n, 0644) < 0)
            die_errno(E_FAILED, "write pid file %s", o->pid_file);
    }
    if (mode != MODE_CREATE) run_hooks_warn(cfg, HOOK_POSTSTART, id, pid, "running");
    if (mode != MODE_RUN) {
        cleanup_pid = 0;
        cleanup_dir = NULL;
        return 0;
    }

    status = wait_forwarding(pid);
    cleanup_pid = 0;
    /* runc run removes the container once it exits. */
    cgroup_remove(dir, bundle);
    state_remove(dir);
    cleanup_dir = NULL;
    run_hooks_warn(cfg, HOOK_POSTSTOP, id, 0, "stopped");
    return status;
}

/* After the "0", the init keeps the fifo's write end as its status fd
 * until execve closes it (CLOEXEC): EOF means the process runs; a JSON line
 * is why it could not (chdir, execve), reported like any runtime error. */
static void await_exec(int fd, const char *id)
{
    char buf[4096];
    size_t len = 0;
    int waited = 0;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, 100);
        if (r < 0 && errno != EINTR) die_errno(E_FAILED, "poll exec.fifo of %s", id);
        if (r > 0) {
            ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
            if (n < 0 && errno != EAGAIN && errno != EINTR) die_errno(E_FAILED, "read exec.fifo of %s", id);
            if (n == 0 || len + (size_t)(n > 0 ? n : 0) >= sizeof buf - 1) {
                if (n > 0) len += (size_t)n;
                break;
            }
            if (n > 0) len += (size_t)n;
        } else if (++waited >= 100) {
            return; /* 10 s without execve: the process is not ours to wait for */
        }
    }
    buf[len] = 0;
    if (len && buf[0] == '{') {
        char err[64], *msg = buf;
        struct json *j = json_parse(buf, strcspn(buf, "\n"), err, sizeof err);
        struct json *m = j ? json_get(j, "message") : NULL;
        if (m && m->type == JSON_STRING) msg = m->string;
        emit_status_line(buf, strcspn(buf, "\n") + 1);
        fprintf(stderr, "%s: %s\n", cove_prog, msg);
        exit(1);
    }
}

static int cmd_start(const struct opts *o, const char *id)
{
    char *dir = container_dir(o, id), *fifo = xasprintf("%s/exec.fifo", dir);
    struct state s;
    int fd;
    char c;
    load_state(dir, id, &s);
    if (strcmp(state_status(dir, &s), "created") != 0)
        die(E_FAILED, "container %s is %s, not created", id, state_status(dir, &s));
    fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) die_errno(E_FAILED, "open %s", fifo);
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, 100);
        if (r < 0 && errno != EINTR) die_errno(E_FAILED, "poll %s", fifo);
        if (r > 0) {
            ssize_t n = read(fd, &c, 1);
            if (n == 1) break;
            if (n == 0 && (p.revents & POLLHUP))
                die(E_FAILED, "container %s exited before start", id);
        }
        if (strcmp(state_status(dir, &s), "stopped") == 0)
            die(E_FAILED, "container %s exited before start", id);
    }
    if (unlink(fifo) < 0) die_errno(E_FAILED, "unlink %s", fifo);
    free(s.status);
    s.status = xstrdup("running");
    state_write(dir, &s);
    await_exec(fd, id);
    close(fd);
    {
        struct config *cfg = config_try_load(s.bundle);
        run_hooks_warn(cfg, HOOK_POSTSTART, id, s.pid, "running");
        config_free(cfg);
    }
    state_free(&s);
    return 0;
}

static int cmd_state(const struct opts *o, const char *id)
{
    char *dir = container_dir(o, id), *j;
    struct state s;
    struct config *cfg;
    char *ann = NULL;
    load_state(dir, id, &s);
    if ((cfg = config_try_load(s.bundle))) ann = annotations_json(cfg);
    j = state_json(dir, &s, ann);
    free(ann);
    config_free(cfg);
    printf("%s\n", j);
    free(j);
    state_free(&s);
    return 0;
}

static int cmd_kill(const struct opts *o, const char *id, const char *signame)
{
    char *dir = container_dir(o, id);
    struct state s;
    int sig = signal_from_name(signame ? signame : "TERM");
    if (sig < 0) die(E_FAILED, "unknown signal '%s'", signame);
    load_state(dir, id, &s);
    if (strcmp(state_status(dir, &s), "stopped") == 0)
        die(E_FAILED, "container %s is not running", id);
    /* With a pid namespace, killing its init kills everything (--all). */
    if (kill(s.pid, sig) < 0) die_errno(E_FAILED, "kill %d (container %s)", (int)s.pid, id);
    state_free(&s);
    return 0;
}

static int cmd_delete(const struct opts *o, const char *id)
{
    char *dir = container_dir(o, id);
    struct state s;
    const char *status;
    int i;
    if (state_read(dir, &s) < 0) {
        if (errno == ENOENT && o->force) { state_remove(dir); return 0; }
        load_state(dir, id, &s);
    }
    status = state_status(dir, &s);
    /* runtime.md "Delete": deleting a container that is not stopped MUST
     * be an error (created included); --force kills it first. */
    if (strcmp(status, "stopped") != 0 && !o->force)
        die(E_FAILED, "container %s is %s: stop it first or use --force", id, status);
    if (strcmp(status, "stopped") != 0) {
        if (kill(s.pid, SIGKILL) < 0 && errno != ESRCH)
            die_errno(E_FAILED, "kill %d (container %s)", (int)s.pid, id);
        /* Not our child: wait until it is gone (or a zombie) for 10 s. */
        for (i = 0; i < 1000 && strcmp(state_status(dir, &s), "stopped") != 0; i++) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        if (strcmp(state_status(dir, &s), "stopped") != 0)
            die(E_FAILED, "container %s did not die after SIGKILL", id);
    }
    cgroup_remove(dir, s.bundle);
    if (state_remove(dir) < 0) die_errno(E_FAILED, "remove %s", dir);
    {
        struct config *cfg = config_try_load(s.bundle);
        run_hooks_warn(cfg, HOOK_POSTSTOP, id, 0, "stopped");
        config_free(cfg);
    }
    state_free(&s);
    return 0;
}

static int cmd_list(const struct opts *o)
{
    char *root = state_root(o->root);
    DIR *d = opendir(root);
    struct dirent *e;
    int json = o->format && strcmp(o->format, "json") == 0, first = 1;
    if (o->format && !json && strcmp(o->format, "table") != 0)
        die(E_FAILED, "unknown --format '%s'", o->format);
    if (!d) die_errno(E_FAILED, "opendir %s", root);
    if (json) printf("[");
    else if (!o->quiet) printf("%-20s %-8s %-8s %-30s %s\n", "ID", "PID", "STATUS", "CREATED", "BUNDLE");
    while ((e = readdir(d))) {
        struct state s;
        char *dir;
        if (e->d_name[0] == '.' || !valid_id(e->d_name)) continue;
        dir = xasprintf("%s/%s", root, e->d_name);
        if (state_read(dir, &s) == 0) {
            const char *status = state_status(dir, &s);
            if (json) {
                char *j = state_json(dir, &s, NULL);
                printf("%s%s", first ? "" : ",", j);
                free(j);
            } else if (o->quiet) {
                printf("%s\n", s.id);
            } else {
                printf("%-20s %-8d %-8s %-30s %s\n", s.id,
                       strcmp(status, "stopped") ? (int)s.pid : 0, status, s.created, s.bundle);
            }
            first = 0;
            state_free(&s);
        }
        free(dir);
    }
    closedir(d);
    if (json) printf("]\n");
    free(root);
    return 0;
}

static int cmd_exec(const struct opts *o, int argc, char **argv, int i)
{
    struct exec_opts eo;
    const char *v, *id = NULL;
    char *dir;
    struct state s;
    struct config *cfg;
    memset(&eo, 0, sizeof eo);
    eo.env = xcalloc((size_t)argc, sizeof(char *));
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-') { id = a; i++; break; }
        if (strcmp(a, "--") == 0) { if (i + 1 < argc) id = argv[i + 1]; i += 2; break; }
        if (take("--pid-file", NULL, argc, argv, &i, &v)) eo.pid_file = v;
        else if (take("--console-socket", NULL, argc, argv, &i, &v)) eo.console_socket = v;
        else if (take("--process", "-p", argc, argv, &i, &v)) eo.process_file = v;
        else if (take("--cwd", NULL, argc, argv, &i, &v)) eo.cwd = v;
        else if (take("--user", "-u", argc, argv, &i, &v)) eo.user = v;
        else if (take("--env", "-e", argc, argv, &i, &v)) eo.env[eo.n_env++] = v;
        else if (flag(a, "--detach", "-d")) eo.detach = 1;
        else if (flag(a, "--tty", "-t")) eo.tty = 1;
        else die(E_FAILED, "exec: unknown option %s", a);
    }
    if (!id) die(E_FAILED, "exec: missing container id");
    if (i < argc && strcmp(argv[i], "--") == 0) i++;
    eo.args = i < argc ? argv + i : NULL;
    if (eo.process_file && eo.args) die(E_FAILED, "exec: give either --process or a command, not both");
    dir = container_dir(o, id);
    load_state(dir, id, &s);
    if (strcmp(state_status(dir, &s), "running") != 0)
        die(E_FAILED, "container %s is %s, not running", id, state_status(dir, &s));
    cfg = config_load(s.bundle);
    atexit(supervise_cleanup);
    return exec_in_container(cfg, s.pid, &eo);
}

int main(int argc, char **argv)
{
    struct opts o = {0};
    const char *cmd, *v, *pos[2] = {NULL, NULL};
    int i = 1, npos = 0;

    cove_prog = "cove-runtime";
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (take("--root", NULL, argc, argv, &i, &v)) o.root = v;
        else if (take("--status-fd", NULL, argc, argv, &i, &v)) cove_status_fd = parse_status_fd(v);
        else if (take("--log", NULL, argc, argv, &i, &v) ||
                 take("--log-format", NULL, argc, argv, &i, &v)) {
            /* accepted for runc compatibility; errors go to stderr/status fd */
        } else if (flag(argv[i], "--help", "-h")) usage(0);
        else if (flag(argv[i], "--version", "-v")) { printf("cove-runtime 0.1.0\nspec: 1.2.0\n"); return 0; }
        else die(E_FAILED, "unknown global option %s", argv[i]);
    }
    if (i >= argc) usage(2);
    cmd = argv[i++];
    /* Every command that creates or joins a container runs from a sealed
     * copy of this binary (selfclone.h, CVE-2019-5736). */
    if (strcmp(cmd, "run") == 0 || strcmp(cmd, "create") == 0 || strcmp(cmd, "exec") == 0)
        ensure_cloned_binary(argv);
    if (strcmp(cmd, "exec") == 0) return cmd_exec(&o, argc, argv, i);
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (npos == 2) die(E_FAILED, "%s: too many arguments", cmd);
            pos[npos++] = a;
        } else if (take("--bundle", "-b", argc, argv, &i, &v)) o.bundle = v;
        else if (take("--pid-file", NULL, argc, argv, &i, &v)) o.pid_file = v;
        else if (take("--console-socket", NULL, argc, argv, &i, &v)) o.console_socket = v;
        else if (take("--format", "-f", argc, argv, &i, &v)) o.format = v;
        else if (flag(a, "--detach", "-d")) o.detach = 1;
        else if (flag(a, "--force", NULL)) o.force = 1;
        else if (flag(a, "--all", "-a")) o.all = 1;
        else if (flag(a, "--quiet", "-q")) o.quiet = 1;
        else if (a[0] == '-' && a[1] >= '0' && a[1] <= '9' && strcmp(cmd, "kill") == 0 && npos == 1)
            pos[npos++] = a + 1;
        else die(E_FAILED, "%s: unknown option %s", cmd, a);
    }
    if (strcmp(cmd, "list") == 0) return cmd_list(&o);
    if (!pos[0]) die(E_FAILED, "%s: missing container id", cmd);
    if (strcmp(cmd, "kill") != 0 && pos[1]) die(E_FAILED, "%s: too many arguments", cmd);
    if (strcmp(cmd, "run") == 0)
        return create_container(&o, pos[0], o.detach ? MODE_RUN_DETACH : MODE_RUN);
    if (strcmp(cmd, "create") == 0) return create_container(&o, pos[0], MODE_CREATE);
    if (strcmp(cmd, "start") == 0) return cmd_start(&o, pos[0]);
    if (strcmp(cmd, "state") == 0) return cmd_state(&o, pos[0]);
    if (strcmp(cmd, "kill") == 0) return cmd_kill(&o, pos[0], pos[1]);
    if (strcmp(cmd, "delete") == 0) return cmd_delete(&o, pos[0]);
    die(E_FAILED, "unknown command '%s'", cmd);
}
