/* cove-net-holder: holds Cove's user-defined networks for one user.
 *
 *   serve --run-dir DIR --state FILE --uid-map M --gid-map M
 *         [--userns PATH] [--slirp4netns PATH] [--idle-ms N]
 *   attach SOCKET CONTAINER-ID PID     (the monitor's network hook)
 *   attach-self SOCKET CONTAINER-ID    (an OCI createContainer hook: runc, crun)
 *   ctl SOCKET REQUEST...              (one request, prints the reply)
 *
 * serve daemonises into a supervisor (initial user namespace: runs
 * newuidmap and slirp4netns) and a server child that is root in the
 * networks' user namespace and lives in their network namespace. The
 * launcher prints "ready PID" (the server's pid) once the socket
 * answers, or a status JSON line, and exits. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "idmap.h"
#include "namespaces.h"
#include "net-holder.h"
#include "unixsock.h"
#include "util.h"

struct sopts {
    const char *run_dir, *state, *uid_map, *gid_map, *userns, *slirp_bin;
    long idle_ms;
};

static _Noreturn void usage(void)
{
    fprintf(stderr,
            "usage: cove-net-holder serve --run-dir DIR --state FILE --uid-map M --gid-map M\n"
            "                             [--userns PATH] [--slirp4netns PATH] [--idle-ms N]\n"
            "       cove-net-holder attach SOCKET CONTAINER-ID PID\n"
            "       cove-net-holder attach-self SOCKET CONTAINER-ID\n"
            "       cove-net-holder ctl SOCKET REQUEST...\n");
    exit(2);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- client ------------------------------------------------------------- */

/* One request line (with pass_fd, when >= 0, beside it: SCM_RIGHTS). */
static int request(const char *sock, const char *line, int pass_fd, char *reply, size_t len)
{
    size_t got = 0;
    int fd = unix_connect(sock);
    char *nl = xasprintf("%s\n", line);
    if (fd < 0) { free(nl); return -1; }
    if ((pass_fd >= 0 ? send_fd(fd, pass_fd, nl) : write_all(fd, nl, strlen(nl))) < 0) { free(nl); close(fd); return -1; }
    free(nl);
    shutdown(fd, SHUT_WR);
    for (;;) {
        ssize_t n = read(fd, reply + got, len - 1 - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
        if (got + 1 >= len) break;
    }
    reply[got] = 0;
    while (got && reply[got - 1] == '\n') reply[--got] = 0;
    close(fd);
    return 0;
}

/* Replies: "ok ..." or "error CODE message". */
static int client(const char *sock, const char *line, int pass_fd)
{
    char reply[4096];
    if (request(sock, line, pass_fd, reply, sizeof reply) < 0)
        die_errno(E_NETWORK, "connect to the network holder at %s", sock);
    if (strncmp(reply, "ok", 2) == 0) {
        printf("%s\n", reply[2] ? reply + 3 : "");
        return 0;
    }
    if (strncmp(reply, "error ", 6) == 0) {
        char *sp = strchr(reply + 6, ' ');
        if (sp) *sp++ = 0;
        cove_status_fd = 1;
        die(reply + 6, "%s", sp ? sp : "network holder failed");
    }
    die(E_NETWORK, "network holder: unexpected reply '%s'", reply);
}

/* ---- server (in the namespaces) ----------------------------------------- */

static struct holder H;
static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

static void reply(int fd, const char *code, const char *msg)
{
    char buf[2048];
    int n = code ? snprintf(buf, sizeof buf, "error %s %s\n", code, msg)
                 : snprintf(buf, sizeof buf, "ok%s%s\n", *msg ? " " : "", msg);
    if (n > 0) write_all(fd, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static int refresh(char *msg, size_t len)
{
    if (hs_load(&H, msg, len) < 0) return -1;
    return hl_sync(&H, msg, len);
}

/* The container process a hook runs under: the hook's parent (runc and
 * crun run createContainer hooks from the container's own process,
 * before pivot_root; OCI runtime spec, config.md "createContainer"). */
static pid_t hook_parent(int fd)
{
    struct ucred cr;
    socklen_t n = sizeof cr;
    char path[64], *st, *pp;
    long ppid = -1;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &n) < 0 || cr.pid <= 0) return -1;
    snprintf(path, sizeof path, "/proc/%d/status", (int)cr.pid);
    st = read_file(path, 8192, NULL);
    pp = st ? strstr(st, "\nPPid:\t") : NULL;
    if (pp) ppid = strtol(pp + 7, NULL, 10);
    free(st);
    return ppid > 1 ? (pid_t)ppid : -1;
}

/* The first bytes of a request, with an fd sent beside them (or -1). */
static ssize_t recv_with_fd(int fd, char *buf, size_t len, int *passed)
{
    struct msghdr m;
    struct iovec iov = {buf, len};
    union { char b[CMSG_SPACE(4 * sizeof(int))]; struct cmsghdr align; } u;
    struct cmsghdr *cm;
    ssize_t n;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = u.b;
    m.msg_controllen = sizeof u.b;
    n = recvmsg(fd, &m, MSG_CMSG_CLOEXEC);
    /* The first fd is kept; any more a client sent are closed, not leaked. */
    for (cm = n >= 0 ? CMSG_FIRSTHDR(&m) : NULL; cm; cm = CMSG_NXTHDR(&m, cm)) {
        size_t k = cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS ? (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int) : 0;
        for (size_t i = 0; i < k; i++) {
            int f;
            memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
            if (*passed < 0) *passed = f;
            else close(f);
        }
    }
    return n;
}

/* *passed: an fd sent with the request; set to -1 when taken over. */
static void handle_line(int fd, char *line, int *passed);

static void handle(int fd)
{
    char line[512];
    int passed = -1;
    size_t got = 0;
    struct pollfd p = {fd, POLLIN, 0};
    int64_t deadline = now_ms() + 5000;
    while (got + 1 < sizeof line) {
        ssize_t n;
        int left = (int)(deadline - now_ms());
        if (left <= 0 || poll(&p, 1, left) <= 0) return;
        n = recv_with_fd(fd, line + got, sizeof line - 1 - got, &passed);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
        if (memchr(line, '\n', got)) break;
    }
    line[got] = 0;
    line[strcspn(line, "\n")] = 0;
    handle_line(fd, line, &passed);
    if (passed >= 0) close(passed);
}

static void handle_line(int fd, char *line, int *passed)
{
    char msg[1024] = "", *argv[6];
    int argc = 0;
    for (char *t = strtok(line, " "); t && argc < 6; t = strtok(NULL, " ")) argv[argc++] = t;
    if (argc == 0) return reply(fd, E_CONFIG, "empty request");
    if (strcmp(argv[0], "ping") == 0 && argc == 1) {
        snprintf(msg, sizeof msg, "%d", (int)getpid());
        return reply(fd, NULL, msg);
    }
    if (strcmp(argv[0], "sync") == 0 && argc == 1) {
        if (refresh(msg, sizeof msg) < 0) return reply(fd, E_NETWORK, msg);
        return reply(fd, NULL, "");
    }
    if (strcmp(argv[0], "attach") == 0 && (argc == 3 || argc == 4)) {
        int ok;
        long pid = parse_long(argv[2], 1, 1L << 22, &ok);
        const char *code = E_NETWORK;
        if (!ok) return reply(fd, E_CONFIG, "bad pid");
        if (refresh(msg, sizeof msg) < 0) return reply(fd, E_NETWORK, msg);
        if (hl_attach(&H, argv[1], argc == 4 ? argv[3] : NULL, (pid_t)pid, -1, &code, msg, sizeof msg) < 0)
            return reply(fd, code, msg);
        return reply(fd, NULL, "");
    }
    /* From a createContainer hook inside the new container: its network
     * namespace comes as an fd. runc makes its init non-dumpable while it
     * joins namespaces by path (nsexec.c), so /proc/PID/ns/net of a
     * created runc container is closed to us until its process execs. */
    if (strcmp(argv[0], "attach-self") == 0 && argc == 2) {
        const char *code = E_NETWORK;
        pid_t pid = hook_parent(fd);
        int ns = *passed;
        if (ns < 0) return reply(fd, E_CONFIG, "attach-self needs the container's network namespace fd");
        if (pid < 0) return reply(fd, E_NETWORK, "cannot tell the container's process from the hook's");
        if (refresh(msg, sizeof msg) < 0) return reply(fd, E_NETWORK, msg);
        *passed = -1; /* hl_attach owns it now */
        if (hl_attach(&H, argv[1], NULL, pid, ns, &code, msg, sizeof msg) < 0) return reply(fd, code, msg);
        return reply(fd, NULL, "");
    }
    if (strcmp(argv[0], "detach") == 0 && argc == 3) {
        if (hl_detach(&H, argv[1], argv[2], msg, sizeof msg) < 0) return reply(fd, E_NETWORK, msg);
        if (refresh(msg, sizeof msg) < 0) return reply(fd, E_NETWORK, msg);
        return reply(fd, NULL, "");
    }
    if (strcmp(argv[0], "live") == 0 && argc == 1) {
        size_t pos = 0;
        for (int i = 0; i < H.n_live && pos + 80 < sizeof msg; i++)
            for (int k = 0; k < H.live[i].n_nets; k++)
                pos += (size_t)snprintf(msg + pos, sizeof msg - pos, "%s%s:%.12s", pos ? " " : "",
                                        H.live[i].cid, H.live[i].nets[k]);
        return reply(fd, NULL, msg);
    }
    reply(fd, E_CONFIG, "unknown request");
}

static void write_sysctl(const char *path, const char *v)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, v, strlen(v)) < 0) die_errno(E_NETWORK, "write %s", path);
    close(fd);
}

static void try_sysctl(const char *path, const char *v)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;
    if (write(fd, v, strlen(v)) < 0) warnx_("write %s: %s", path, strerror(errno));
    close(fd);
}

static _Noreturn void server(const struct sopts *o, int to_sup, int from_sup)
{
    char c, msg[1024], *sock = xasprintf("%s/net-holder.sock", o->run_dir);
    int lfd;
    int64_t idle_since = now_ms();
    struct sigaction sa;

    if (o->userns) {
        int fd = open(o->userns, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, CLONE_NEWUSER) < 0) die_errno(E_NAMESPACE, "join user namespace %s", o->userns);
        close(fd);
    } else if (unshare(CLONE_NEWUSER) < 0) {
        die_errno(E_NAMESPACE, "unshare user namespace");
    }
    if (write(to_sup, "u", 1) != 1 || read(from_sup, &c, 1) != 1 || c != 'm') _exit(1);
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) die_errno(E_IDMAP, "become root in the user namespace");
    /* After the credential change, which clears it (prctl(2)): with the
     * supervisor gone (kill -9), the networks go too, and the next
     * command starts a whole holder again. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1) _exit(1);
    if (unshare(CLONE_NEWNET) < 0) die_errno(E_NAMESPACE, "unshare network namespace");
    loopback_up();
    write_sysctl("/proc/sys/net/ipv4/ip_forward", "1");
    /* Frames between containers of one network stay on its bridge: with
     * br_netfilter (on by default in every new namespace) each would also
     * go through conntrack and the ip hooks, which the rules here do not
     * need (isolation between networks is routing, not bridging). Absent
     * without br_netfilter, hence no error. */
    try_sysctl("/proc/sys/net/bridge/bridge-nf-call-iptables", "0");
    try_sysctl("/proc/sys/net/bridge/bridge-nf-call-ip6tables", "0");
    try_sysctl("/proc/sys/net/bridge/bridge-nf-call-arptables", "0");
    lfd = unix_listen(sock, NULL);
    if (lfd < 0) die_errno(E_NETWORK, "listen on %s", sock);
    H.state_path = o->state;
    H.slirp_api = xasprintf("%s/net-slirp.sock", o->run_dir);
    if (refresh(msg, sizeof msg) < 0) die(E_NETWORK, "%s", msg);
    if (write(to_sup, "r", 1) != 1) _exit(1);
    close(to_sup);
    close(from_sup);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* The launcher reads the report pipe to its end: ours must close. */
    if (cove_status_fd >= 0) close(cove_status_fd);
    cove_status_fd = -1;

    while (!stop) {
        struct pollfd p[1 + HN_MAX_NETS + 128 + HN_MAX_LIVE];
        int np = 0, nd, nl, r;
        p[np++] = (struct pollfd){lfd, POLLIN, 0};
        for (int i = 0; i < H.n_nets; i++) p[np++] = (struct pollfd){H.nets[i].dns_fd, POLLIN, 0};
        nd = np;
        np += dns_pending_fds(p + np, 128);
        nl = np;
        for (int i = 0; i < H.n_live; i++) p[np++] = (struct pollfd){H.live[i].pidfd, POLLIN, 0};
        r = poll(p, (nfds_t)np, 1000);
        if (r < 0 && errno != EINTR) die_errno(E_NETWORK, "poll");
        dns_pending_expire();
        if (r > 0) {
            if (p[0].revents) {
                int c2 = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
                if (c2 >= 0) {
                    handle(c2);
                    close(c2);
                }
                idle_since = now_ms();
            }
            for (int i = 1; i < 1 + H.n_nets && i < nd; i++)
                if (p[i].revents && H.nets[i - 1].dns_fd == p[i].fd) dns_query(&H, &H.nets[i - 1]);
            for (int i = nd; i < nl; i++)
                if (p[i].revents) dns_pending_ready(p[i].fd);
            /* Exited containers: their veths went with their namespaces;
             * their published ports go now. Newest first: forgetting moves
             * the last entry into the freed slot. */
            for (int i = np - 1; i >= nl; i--)
                if (p[i].revents) {
                    struct hlive *l = NULL;
                    for (int k = 0; k < H.n_live; k++)
                        if (H.live[k].pidfd == p[i].fd) l = &H.live[k];
                    if (l) hl_forget(&H, l);
                    idle_since = now_ms();
                }
        }
        if (H.n_live > 0) idle_since = now_ms();
        else if (now_ms() - idle_since > o->idle_ms) break;
    }
    unlink(sock);
    _exit(0);
}

/* ---- supervisor (initial namespaces) ------------------------------------ */

/* net-holder.userns -> /proc/SERVER/ns/user: the user namespace that
 * containers on user networks join, named in their config.json at create
 * (not rewritten at each start); it follows the holder of the moment. */
static void link_userns(const char *link, pid_t srv)
{
    char target[64], *tmp = xasprintf("%s.%d.tmp", link, (int)getpid());
    snprintf(target, sizeof target, "/proc/%d/ns/user", (int)srv);
    unlink(tmp);
    if (symlink(target, tmp) < 0 || rename(tmp, link) < 0) die_errno(E_NETWORK, "link %s", link);
    free(tmp);
}

static void write_pid_file(const char *path, pid_t sup, pid_t srv)
{
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%d %d\n", (int)sup, (int)srv);
    if (write_file_atomic(path, buf, (size_t)n, 0600) < 0) die_errno(E_NETWORK, "write %s", path);
}

static _Noreturn void supervisor(const struct sopts *o, int report)
{
    int a[2], b[2], st;
    char c, msg[1024];
    const char *code;
    pid_t srv;
    struct slirp sl = {-1, -1, -1, {0}, 0, 1};
    char *pidf = xasprintf("%s/net-holder.pid", o->run_dir);
    char *userns_link = xasprintf("%s/net-holder.userns", o->run_dir);
    pid_t srv_pid;
    char *api = xasprintf("%s/net-slirp.sock", o->run_dir);
    struct sigaction sa;
    sigset_t none;

    if (pipe2(a, O_CLOEXEC) < 0 || pipe2(b, O_CLOEXEC) < 0) die_errno(E_NETWORK, "pipe");
    srv = fork();
    if (srv < 0) die_errno(E_NETWORK, "fork");
    if (srv == 0) {
        close(a[0]);
        close(b[1]);
        server(o, a[1], b[0]);
    }
    close(a[1]);
    close(b[0]);
    srv_pid = srv;
    if (read(a[0], &c, 1) != 1) goto failed;
    if (!o->userns) {
        struct idmap um, gm;
        if (idmap_parse(o->uid_map, &um, msg, sizeof msg) < 0) die(E_CONFIG, "--uid-map: %s", msg);
        if (idmap_parse(o->gid_map, &gm, msg, sizeof msg) < 0) die(E_CONFIG, "--gid-map: %s", msg);
        idmap_apply(srv, &um, &gm);
    }
    if (write(b[1], "m", 1) != 1 || read(a[0], &c, 1) != 1 || c != 'r') goto failed;
    close(a[0]);
    close(b[1]);
    /* Host loopback stays reachable at 10.0.2.2: host.docker.internal must
     * reach services bound to the host's 127.0.0.1 (slirp4netns(1),
     * --disable-host-loopback is not given). */
    unlink(api);
    if (slirp_start(&sl, o->slirp_bin, srv, api, slirp_sandbox_ok(), 10000, &code, msg, sizeof msg) < 0) {
        kill(srv, SIGKILL);
        waitpid(srv, NULL, 0);
        die(code, "%s", msg);
    }
    write_pid_file(pidf, getpid(), srv);
    link_userns(userns_link, srv);
    dprintf(report, "ready %d\n", (int)srv);
    close(report);
    cove_status_fd = -1;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (;;) {
        struct pollfd p = {sl.err_r, POLLIN, 0};
        pid_t w;
        if (stop) { kill(srv, SIGTERM); stop = 0; }
        if (sl.err_r >= 0 && poll(&p, 1, 500) > 0) slirp_drain(&sl);
        else if (sl.err_r < 0) poll(NULL, 0, 500);
        while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
            if (w == srv) {
                srv = -1;
            } else if (w == sl.pid) {
                /* The link out is gone: end the server so that the next
                 * command starts a whole holder again. */
                sl.pid = -1;
                if (srv > 0) kill(srv, SIGTERM);
            }
        }
        if (srv < 0) break;
    }
    slirp_stop(&sl);
    unlink(api);
    {
        char *cur = read_file(pidf, 64, NULL), want[64], now[64];
        ssize_t n = readlink(userns_link, now, sizeof now - 1);
        if (cur && atoi(cur) == (int)getpid()) unlink(pidf);
        free(cur);
        /* Ours only: a newer holder may have pointed it at itself. */
        snprintf(want, sizeof want, "/proc/%d/ns/user", (int)srv_pid);
        if (n > 0 && (now[n] = 0, strcmp(now, want) == 0)) unlink(userns_link);
    }
    _exit(0);
failed:
    while (waitpid(srv, &st, 0) < 0 && errno == EINTR) {}
    die(E_NETWORK, "the network holder's namespace child failed");
}

static int serve(int argc, char **argv)
{
    struct sopts o = {0};
    int rp[2];
    pid_t pid;
    char buf[2048];
    ssize_t n;
    size_t got = 0;
    o.idle_ms = 5000;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int ok = 1;
        if (!v) usage();
        if (strcmp(a, "--run-dir") == 0) o.run_dir = v;
        else if (strcmp(a, "--state") == 0) o.state = v;
        else if (strcmp(a, "--uid-map") == 0) o.uid_map = v;
        else if (strcmp(a, "--gid-map") == 0) o.gid_map = v;
        else if (strcmp(a, "--userns") == 0) o.userns = v;
        else if (strcmp(a, "--slirp4netns") == 0) o.slirp_bin = v;
        else if (strcmp(a, "--idle-ms") == 0) o.idle_ms = parse_long(v, 0, 86400000, &ok);
        else usage();
        if (!ok) usage();
        i++;
    }
    if (!o.run_dir || !o.state || (!o.userns && (!o.uid_map || !o.gid_map))) usage();
    {
        struct stat st;
        if (stat(o.run_dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
            die(E_NETWORK, "%s must be a directory of ours with mode 0700", o.run_dir);
    }
    if (!o.slirp_bin && !(o.slirp_bin = find_in_path("slirp4netns")))
        die(E_NETWORK, "slirp4netns not found in PATH: install slirp4netns (e.g. apt-get install slirp4netns)");
    if (pipe2(rp, O_CLOEXEC) < 0) die_errno(E_NETWORK, "pipe");
    pid = fork();
    if (pid < 0) die_errno(E_NETWORK, "fork");
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        char *logp = xasprintf("%s/net-holder.log", o.run_dir);
        int log = open(logp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        close(rp[0]);
        if (setsid() < 0) die_errno(E_NETWORK, "setsid");
        if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(log >= 0 ? log : null, 2) < 0) _exit(1);
        cove_status_fd = rp[1];
        cove_quiet_stderr = 0;
        if (chdir("/") < 0) _exit(1);
        /* A second fork: the supervisor is no session leader, so it can
         * never acquire a controlling terminal. */
        pid = fork();
        if (pid < 0) die_errno(E_NETWORK, "fork");
        if (pid > 0) _exit(0);
        supervisor(&o, rp[1]);
    }
    close(rp[1]);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    while ((n = read(rp[0], buf + got, sizeof buf - 1 - got)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        got += (size_t)n;
        if (got + 1 >= sizeof buf) break;
    }
    buf[got] = 0;
    fputs(buf, stdout);
    if (got && buf[got - 1] != '\n') fputc('\n', stdout);
    return strncmp(buf, "ready ", 6) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    cove_prog = "cove-net-holder";
    if (argc < 2) usage();
    if (strcmp(argv[1], "serve") == 0) return serve(argc, argv);
    if (strcmp(argv[1], "attach") == 0 && argc == 5) {
        char *line = xasprintf("attach %s %s", argv[3], argv[4]);
        return client(argv[2], line, -1);
    }
    if (strcmp(argv[1], "attach-self") == 0 && argc == 4) {
        char *line = xasprintf("attach-self %s", argv[3]);
        int ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (ns < 0) die_errno(E_NETWORK, "open /proc/self/ns/net");
        return client(argv[2], line, ns);
    }
    if (strcmp(argv[1], "ctl") == 0 && argc >= 4) {
        char line[512];
        size_t pos = 0;
        for (int i = 3; i < argc; i++)
            pos += (size_t)snprintf(line + pos, sizeof line - pos, "%s%s", i > 3 ? " " : "", argv[i]);
        return client(argv[2], line, -1);
    }
    usage();
}
