#include "network.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "unixsock.h"
#include "util.h"

/* ---- --publish ------------------------------------------------------------ */

static int parse_port(const char *s, size_t n, int min, int *out)
{
    long v = 0;
    if (n == 0 || n > 5) return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < min || v > 65535) return -1;
    *out = (int)v;
    return 0;
}

int port_parse(const char *spec, struct port_map *pm, char *err, size_t errlen)
{
    const char *f[4], *p = spec;
    size_t flen[4];
    char ip[64];
    struct in_addr a;
    int i;
    memset(pm, 0, sizeof *pm);
    for (i = 0; i < 4; i++) {
        const char *c = strchr(p, ':');
        f[i] = p;
        if (i < 3) {
            if (!c) goto syntax;
            flen[i] = (size_t)(c - p);
            p = c + 1;
        } else {
            if (c) {
                snprintf(err, errlen, "bad --publish '%s': only IPv4 host addresses are supported", spec);
                return -1;
            }
            flen[i] = strlen(p);
        }
    }
    if (flen[0] == 3 && memcmp(f[0], "tcp", 3) == 0) pm->udp = 0;
    else if (flen[0] == 3 && memcmp(f[0], "udp", 3) == 0) pm->udp = 1;
    else {
        snprintf(err, errlen, "bad --publish '%s': protocol must be tcp or udp", spec);
        return -1;
    }
    if (flen[1] == 0) {
        strcpy(pm->host_ip, "0.0.0.0");
    } else {
        if (flen[1] >= sizeof ip) goto badip;
        memcpy(ip, f[1], flen[1]);
        ip[flen[1]] = 0;
        if (inet_pton(AF_INET, ip, &a) != 1) goto badip;
        inet_ntop(AF_INET, &a, pm->host_ip, sizeof pm->host_ip);
    }
    if (parse_port(f[2], flen[2], 0, &pm->host_port) < 0) {
        snprintf(err, errlen, "bad --publish '%s': host port must be 0-65535", spec);
        return -1;
    }
    if (parse_port(f[3], flen[3], 1, &pm->ctr_port) < 0) {
        snprintf(err, errlen, "bad --publish '%s': container port must be 1-65535", spec);
        return -1;
    }
    return 0;
syntax:
    snprintf(err, errlen, "bad --publish '%s': want PROTO:HOSTIP:HOSTPORT:CONTAINERPORT", spec);
    return -1;
badip:
    snprintf(err, errlen, "bad --publish '%s': host address must be IPv4 (e.g. 127.0.0.1 or 0.0.0.0)", spec);
    return -1;
}

static const char *proto(const struct port_map *pm)
{
    return pm->udp ? "udp" : "tcp";
}

int port_probe(struct port_map *pm, int *hold)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    int fd, one = 1, err;
    *hold = -1;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)pm->host_port);
    if (inet_pton(AF_INET, pm->host_ip, &sa.sin_addr) != 1) return EINVAL;
    fd = socket(AF_INET, (pm->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    /* slirp's TCP listeners use SO_REUSEADDR: a port with connections in
     * TIME_WAIT is fine for it, so it must be for the check too. UDP
     * without it, so that any socket already there counts. */
    if (!pm->udp && pm->host_port && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) {
        err = errno;
        close(fd);
        return err;
    }
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        err = errno;
        close(fd);
        return err;
    }
    if (pm->host_port) {
        close(fd);
        return 0;
    }
    if (getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
        err = errno;
        close(fd);
        return err;
    }
    pm->host_port = ntohs(sa.sin_port);
    *hold = fd;
    return 0;
}

const char *port_error(const struct port_map *pm, int err, char *msg, size_t len)
{
    if (err == EADDRINUSE) {
        snprintf(msg, len, "host port %d/%s (%s) is already in use: pick another host port",
                 pm->host_port, proto(pm), pm->host_ip);
        return E_PORT_IN_USE;
    }
    if (err == EACCES) {
        char *s = read_file("/proc/sys/net/ipv4/ip_unprivileged_port_start", 32, NULL);
        int ok = 0;
        long start = s ? parse_long(strtok(s, "\n"), 0, 65536, &ok) : 0;
        free(s);
        snprintf(msg, len, "host port %d/%s (%s): %s: ports below %ld need root "
                 "(sysctl net.ipv4.ip_unprivileged_port_start=%d allows them)",
                 pm->host_port, proto(pm), pm->host_ip, strerror(err), ok ? start : 1024L,
                 pm->host_port);
        return E_NETWORK;
    }
    if (err == EADDRNOTAVAIL) {
        snprintf(msg, len, "host port %d/%s (%s): %s: %s is not an address of this host",
                 pm->host_port, proto(pm), pm->host_ip, strerror(err), pm->host_ip);
        return E_NETWORK;
    }
    snprintf(msg, len, "host port %d/%s (%s): %s", pm->host_port, proto(pm), pm->host_ip, strerror(err));
    return E_NETWORK;
}

size_t hostfwd_request(const struct port_map *pm, char *buf, size_t len)
{
    int n = snprintf(buf, len,
                     "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"%s\",\"host_addr\":\"%s\","
                     "\"host_port\":%d,\"guest_port\":%d}}",
                     proto(pm), pm->host_ip, pm->host_port, pm->ctr_port);
    return n < 0 || (size_t)n >= len ? 0 : (size_t)n;
}

int hostfwd_reply(const char *reply, size_t len, char *err, size_t errlen)
{
    char perr[64];
    struct json *j = json_parse(reply, len, perr, sizeof perr), *e, *d;
    if (j && j->type == JSON_OBJECT && json_get(j, "return")) {
        json_free(j);
        return 0;
    }
    e = j ? json_get(j, "error") : NULL;
    d = e ? json_get(e, "desc") : NULL;
    if (d && d->type == JSON_STRING) snprintf(err, errlen, "%s", d->string);
    else snprintf(err, errlen, "unexpected reply '%.*s'", (int)(len > 200 ? 200 : len), reply);
    json_free(j);
    return -1;
}

char *ports_json(const struct port_map *pm, int n)
{
    size_t cap = (size_t)n * 96 + 4, pos = 0;
    char *buf = xmalloc(cap);
    buf[pos++] = '[';
    for (int i = 0; i < n; i++)
        pos += (size_t)snprintf(buf + pos, cap - pos,
                                "%s{\"protocol\":\"%s\",\"hostIp\":\"%s\",\"hostPort\":%d,\"containerPort\":%d}",
                                i ? "," : "", proto(&pm[i]), pm[i].host_ip, pm[i].host_port, pm[i].ctr_port);
    buf[pos++] = ']';
    buf[pos++] = '\n';
    buf[pos] = 0;
    return buf;
}

char *find_in_path(const char *name)
{
    const char *path = getenv("PATH"), *p;
    if (!path || !*path) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (p = path;; ) {
        const char *c = strchr(p, ':');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        char *cand = n ? xasprintf("%.*s/%s", (int)n, p, name) : xasprintf("./%s", name);
        struct stat st;
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) return cand;
        free(cand);
        if (!c) break;
        p = c + 1;
    }
    return NULL;
}

/* ---- slirp4netns ------------------------------------------------------------ */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void keep_tail(struct slirp *s, const char *data, size_t n)
{
    size_t cap = sizeof s->tail - 1;
    if (n >= cap) {
        data += n - cap;
        n = cap;
    }
    if (s->tail_len + n > cap) {
        size_t drop = s->tail_len + n - cap;
        memmove(s->tail, s->tail + drop, s->tail_len - drop);
        s->tail_len -= drop;
    }
    memcpy(s->tail + s->tail_len, data, n);
    s->tail_len += n;
    s->tail[s->tail_len] = 0;
}

int slirp_drain(struct slirp *s)
{
    char buf[4096];
    for (;;) {
        ssize_t n;
        if (s->err_r < 0) return 0;
        n = read(s->err_r, buf, sizeof buf);
        if (n > 0) { keep_tail(s, buf, (size_t)n); continue; }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return 1;
        close(s->err_r);
        s->err_r = -1;
        return 0;
    }
}

/* The most telling line slirp4netns wrote: the last one that is not one
 * of its chatty progress lines. */
static const char *slirp_reason(struct slirp *s)
{
    static char both[600];
    char *line, *best = NULL, *prev = NULL, *save = NULL;
    for (line = strtok_r(s->tail, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "WARNING: Support for seccomp", 28) == 0) continue;
        if (strncmp(line, "sent tapfd", 10) == 0 || strncmp(line, "received tapfd", 14) == 0) continue;
        if (strncmp(line, "Starting slirp", 14) == 0 || strncmp(line, "* ", 2) == 0) continue;
        prev = best;
        best = line;
    }
    /* "child failed(1)" is the parent's summary; the child's own perror
     * line before it says why (e.g. which /proc/PID/ns file it could not
     * open). */
    if (best && prev && strncmp(best, "child failed", 12) == 0) {
        snprintf(both, sizeof both, "%s (%s)", best, prev);
        return both;
    }
    return best ? best : "exited without a message";
}

static void reap(struct slirp *s, int timeout_ms)
{
    int64_t deadline = mono_ms() + timeout_ms;
    int st;
    if (s->pid <= 0) return;
    for (;;) {
        pid_t r = waitpid(s->pid, &st, WNOHANG);
        if (r == s->pid || (r < 0 && errno == ECHILD)) break;
        if (mono_ms() >= deadline) {
            kill(s->pid, SIGKILL);
            while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR) {}
            break;
        }
        {
            struct timespec ts = {0, 2 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    s->pid = -1;
}

void slirp_stop(struct slirp *s)
{
    if (s->exit_w >= 0) {
        close(s->exit_w);
        s->exit_w = -1;
    }
    reap(s, 2000);
    if (s->err_r >= 0) {
        close(s->err_r);
        s->err_r = -1;
    }
}

int slirp_sandbox_ok(void)
{
    char real[PATH_MAX];
    if (!realpath("/etc/resolv.conf", real)) return 1;
    return strncmp(real, "/etc/", 5) == 0 || strncmp(real, "/run/", 5) == 0;
}

/* fd moved to exactly target in the child (sources first lifted above
 * the targets so no dup2 clobbers another source). */
static int lift(int fd)
{
    return fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 10);
}

int slirp_start(struct slirp *s, const char *bin, pid_t pid, const char *api,
                int sandbox, int timeout_ms, const char **code, char *msg, size_t len)
{
    int exitp[2], readyp[2], errp[2], dirfd = -1, argc = 0, ready = 0;
    char pidstr[16], *argv[24], *api_arg = NULL;
    int64_t deadline;
    pid_t child;
    int host_loopback = s->host_loopback;

    memset(s, 0, sizeof *s);
    s->host_loopback = host_loopback;
    s->pid = -1;
    s->exit_w = s->err_r = -1;
    *code = E_NETWORK;
    if (pipe2(exitp, O_CLOEXEC) < 0) goto sys;
    if (pipe2(readyp, O_CLOEXEC) < 0) { close(exitp[0]); close(exitp[1]); goto sys; }
    if (pipe2(errp, O_CLOEXEC) < 0) {
        close(exitp[0]); close(exitp[1]); close(readyp[0]); close(readyp[1]);
        goto sys;
    }
    if (api && strlen(api) >= 108) {
        /* slirp4netns copies the path into sun_path unchecked: hand it the
         * directory as fd 5 and a short /proc/self/fd path instead. */
        const char *slash = strrchr(api, '/');
        char *dir = xasprintf("%.*s", (int)(slash - api), api);
        dirfd = open(*dir ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        free(dir);
        if (dirfd < 0) {
            snprintf(msg, len, "open the directory of %s: %s", api, strerror(errno));
            close(exitp[0]); close(exitp[1]); close(readyp[0]); close(readyp[1]);
            close(errp[0]); close(errp[1]);
            return -1;
        }
        api_arg = xasprintf("/proc/self/fd/5/%s", slash + 1);
    }
    snprintf(pidstr, sizeof pidstr, "%d", (int)pid);
    argv[argc++] = (char *)bin;
    argv[argc++] = "--configure";
    argv[argc++] = "--mtu=65520";
    if (!host_loopback) argv[argc++] = "--disable-host-loopback";
    if (sandbox) argv[argc++] = "--enable-sandbox";
    argv[argc++] = "--enable-seccomp";
    if (api) {
        argv[argc++] = "--api-socket";
        argv[argc++] = api_arg ? api_arg : (char *)api;
    }
    argv[argc++] = "--exit-fd=3";
    argv[argc++] = "--ready-fd=4";
    argv[argc++] = pidstr;
    argv[argc++] = "tap0";
    argv[argc] = NULL;

    child = fork();
    if (child < 0) {
        int e = errno;
        close(exitp[0]); close(exitp[1]); close(readyp[0]); close(readyp[1]);
        close(errp[0]); close(errp[1]);
        if (dirfd >= 0) close(dirfd);
        free(api_arg);
        errno = e;
        goto sys;
    }
    if (child == 0) {
        sigset_t none;
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        int e = lift(errp[1]), x = lift(exitp[0]), r = lift(readyp[1]), d = lift(dirfd);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        /* Its own session: a ^C on the terminal of a --foreground monitor
         * must not take the network away from the container. */
        setsid();
        if (null < 0 || e < 0 || x < 0 || r < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
            dup2(e, 2) < 0 || dup2(x, 3) < 0 || dup2(r, 4) < 0 || (d >= 0 && dup2(d, 5) < 0))
            _exit(127);
        close_range(d >= 0 ? 6 : 5, ~0U, 0);
        execv(bin, argv);
        dprintf(2, "execv %s: %s\n", bin, strerror(errno));
        _exit(127);
    }
    free(api_arg);
    if (dirfd >= 0) close(dirfd);
    close(exitp[0]);
    close(readyp[1]);
    close(errp[1]);
    s->pid = child;
    s->exit_w = exitp[1];
    s->err_r = errp[0];
    fcntl(s->err_r, F_SETFL, O_NONBLOCK);

    /* Ready: "1" on the ready fd. EOF without it: slirp4netns gave up. */
    deadline = mono_ms() + timeout_ms;
    for (;;) {
        struct pollfd p[2] = {{readyp[0], POLLIN, 0}, {s->err_r, POLLIN, 0}};
        int left = (int)(deadline - mono_ms()), r;
        char c;
        ssize_t n;
        if (left <= 0) {
            snprintf(msg, len, "slirp4netns did not become ready within %d ms", timeout_ms);
            break;
        }
        r = poll(p, s->err_r >= 0 ? 2 : 1, left);
        if (r < 0 && errno != EINTR) {
            snprintf(msg, len, "poll: %s", strerror(errno));
            break;
        }
        if (r <= 0) continue;
        if (p[1].revents) slirp_drain(s);
        if (!p[0].revents) continue;
        n = read(readyp[0], &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n == 1 && c == '1') { ready = 1; break; }
        /* Exited: collect its last words (bounded), then say why. */
        {
            int64_t until = mono_ms() + 1000;
            while (s->err_r >= 0 && mono_ms() < until) {
                struct pollfd ep = {s->err_r, POLLIN, 0};
                if (poll(&ep, 1, (int)(until - mono_ms())) > 0) slirp_drain(s);
            }
        }
        {
            const char *why = slirp_reason(s);
            if (strstr(why, "/dev/net/tun"))
                snprintf(msg, len, "slirp4netns: %s: /dev/net/tun must be usable by everyone "
                         "(sudo chmod 0666 /dev/net/tun)", why);
            else
                snprintf(msg, len, "slirp4netns failed: %s", why);
        }
        break;
    }
    close(readyp[0]);
    if (ready) return 0;
    kill(s->pid, SIGKILL);
    slirp_stop(s);
    return -1;
sys:
    snprintf(msg, len, "start slirp4netns: %s", strerror(errno));
    return -1;
}

int slirp_add_port(const char *api, struct port_map *pm, const char **code,
                   char *msg, size_t len)
{
    char req[512], reply[1024], why[256];
    size_t rl = hostfwd_request(pm, req, sizeof req), got = 0;
    int fd, hold, e;
    int64_t deadline = mono_ms() + 5000;
    *code = E_NETWORK;
    fd = unix_connect(api);
    if (fd < 0) {
        snprintf(msg, len, "connect to the slirp4netns API socket %s: %s", api, strerror(errno));
        return -1;
    }
    /* One request per connection; the reply comes after our EOF. */
    if (write_all(fd, req, rl) < 0 || shutdown(fd, SHUT_WR) < 0) {
        snprintf(msg, len, "send to the slirp4netns API socket %s: %s", api, strerror(errno));
        close(fd);
        return -1;
    }
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        int left = (int)(deadline - mono_ms());
        ssize_t n;
        if (left <= 0 || got == sizeof reply - 1) break;
        if (poll(&p, 1, left) <= 0) continue;
        n = read(fd, reply + got, sizeof reply - 1 - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(fd);
    reply[got] = 0;
    if (hostfwd_reply(reply, got, why, sizeof why) == 0) return 0;
    /* slirp does not say why: if the port cannot be bound, that is why. */
    e = port_probe(pm, &hold);
    if (e == 0 && hold >= 0) close(hold);
    if (e == EADDRINUSE || e == EACCES || e == EADDRNOTAVAIL) {
        *code = port_error(pm, e, msg, len);
        return -1;
    }
    snprintf(msg, len, "slirp4netns add_hostfwd %d/%s (%s) -> %d: %s", pm->host_port,
             proto(pm), pm->host_ip, pm->ctr_port, why);
    return -1;
}
