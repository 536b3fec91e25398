/* The holder's network namespace: per network an empty bridge "bl-ID" as
 * the lower device of macvlan interfaces in bridge mode, the gateway's
 * "br-ID" here and one in each container's namespace; nftables rules
 * (masquerade out through slirp4netns's tap0, no forwarding between
 * networks, none out of --internal ones); published ports through
 * slirp4netns's API.
 *
 * Why macvlan and not a veth pair per container on a bridge (podman's and
 * docker's shape): a frame between two containers of a network is handed
 * from one macvlan to the other by a hash lookup on the destination MAC
 * (drivers/net/macvlan.c, bridge mode), one pass through the receive
 * backlog, where veth -> bridge -> veth takes two plus the bridge's
 * forwarding; and there is no host-side interface to make, name or
 * remove. A macvlan goes when its lower device goes, so removing a
 * network (or the holder's namespace ending) takes its containers'
 * interfaces with it, as deleting a veth's bridge-side end did. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "net-holder.h"
#include "unixsock.h"
#include "util.h"

int hl_run(int nsfd, int fd3, char *const argv[], const char *input, char *msg, size_t len)
{
    int in[2], err[2], st;
    size_t got = 0;
    pid_t c;
    if (msg && len) msg[0] = 0;
    if (pipe2(in, O_CLOEXEC) < 0) return -1;
    if (pipe2(err, O_CLOEXEC) < 0) { close(in[0]); close(in[1]); return -1; }
    c = fork();
    if (c < 0) { close(in[0]); close(in[1]); close(err[0]); close(err[1]); return -1; }
    if (c == 0) {
        /* Above the pipes' numbers, so that placing stdio cannot overwrite it. */
        int keep = fd3 >= 0 ? fcntl(fd3, F_DUPFD_CLOEXEC, 10) : -1;
        if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET) < 0) {
            dprintf(err[1], "join the container's network namespace: %s\n", strerror(errno));
            _exit(126);
        }
        if (dup2(in[0], 0) < 0 || dup2(err[1], 1) < 0 || dup2(err[1], 2) < 0) _exit(126);
        if (fd3 >= 0 && (keep < 0 || dup2(keep, 3) < 0)) _exit(126);
        execvp(argv[0], argv);
        dprintf(2, "exec %s: %s (install iproute2 and nftables)\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(err[1]);
    if (input) write_all(in[1], input, strlen(input));
    close(in[1]);
    for (;;) {
        char buf[512];
        ssize_t n = read(err[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (msg && got + 1 < len) {
            size_t k = (size_t)n < len - 1 - got ? (size_t)n : len - 1 - got;
            memcpy(msg + got, buf, k);
            got += k;
            msg[got] = 0;
        }
    }
    close(err[0]);
    while (waitpid(c, &st, 0) < 0 && errno == EINTR) {}
    if (msg) {
        while (got > 0 && (msg[got - 1] == '\n' || msg[got - 1] == ' ')) msg[--got] = 0;
        for (size_t i = 0; i < got; i++)
            if (msg[i] == '\n') msg[i] = ' ';
    }
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* The whole ruleset, rebuilt on every change: it is small, and one
 * `nft -f` replaces it atomically (nft(8), "flush ruleset" in a file). */
static char *ruleset(struct holder *h)
{
    size_t cap = 4096 + (size_t)h->n_nets * 256 + (size_t)h->n_eps * HN_MAX_PORTS * 96, pos = 0;
    char *r = xmalloc(cap);
    pos += (size_t)snprintf(r + pos, cap - pos,
                            "flush ruleset\n"
                            "table ip cove {\n"
                            " chain cove_post { type nat hook postrouting priority srcnat; policy accept;\n"
                            "  oifname \"tap0\" masquerade\n }\n"
                            " chain cove_forward { type filter hook forward priority filter; policy drop;\n"
                            "  ct state established,related accept\n"
                            "  iifname \"tap0\" oifname != \"tap0\" accept\n");
    for (int i = 0; i < h->n_nets; i++) {
        const struct hnet *n = &h->nets[i];
        pos += (size_t)snprintf(r + pos, cap - pos, "  iifname \"%s\" oifname \"%s\" accept\n", n->bridge, n->bridge);
        if (!n->internal)
            pos += (size_t)snprintf(r + pos, cap - pos, "  iifname \"%s\" oifname \"tap0\" accept\n", n->bridge);
    }
    pos += (size_t)snprintf(r + pos, cap - pos, " }\n");
    /* Published ports: slirp4netns forwards host:P to our tap0 at P (its
     * guest address must be on its own network), and we DNAT to the
     * container that is attached now. */
    pos += (size_t)snprintf(r + pos, cap - pos, " chain cove_pre { type nat hook prerouting priority dstnat; policy accept;\n");
    for (int i = 0; i < h->n_eps; i++) {
        const struct hep *e = &h->eps[i];
        const struct hlive *l = hs_live(h, e->cid);
        char ip[32];
        if (!l || !hs_live_on(l, e->net)) continue;
        fmt_ip4(e->ip, ip, sizeof ip);
        for (int k = 0; k < e->n_ports; k++)
            pos += (size_t)snprintf(r + pos, cap - pos, "  iifname \"tap0\" %s dport %d dnat to %s:%d\n",
                                    e->ports[k].udp ? "udp" : "tcp", e->ports[k].host_port, ip, e->ports[k].ctr_port);
    }
    pos += (size_t)snprintf(r + pos, cap - pos, " }\n");
    /* An --internal network reaches nothing of the holder but its DNS. */
    pos += (size_t)snprintf(r + pos, cap - pos, " chain cove_input { type filter hook input priority filter; policy accept;\n");
    for (int i = 0; i < h->n_nets; i++) {
        const struct hnet *n = &h->nets[i];
        char gw[32];
        if (!n->internal) continue;
        fmt_ip4(n->gateway, gw, sizeof gw);
        pos += (size_t)snprintf(r + pos, cap - pos,
                                "  iifname \"%s\" ip daddr %s udp dport 53 accept\n"
                                "  iifname \"%s\" ct state established,related accept\n"
                                "  iifname \"%s\" drop\n",
                                n->bridge, gw, n->bridge, n->bridge);
    }
    snprintf(r + pos, cap - pos, " }\n}\n");
    return r;
}

/* "bl-" + the 12 hex of "br-<12 hex>". */
static void lower_name(const struct hnet *n, char *buf, size_t len)
{
    snprintf(buf, len, "bl-%s", n->bridge + 3);
}

void hl_drop_net(const struct hnet *n)
{
    char lower[16], m[256];
    char *del[] = {"ip", "link", "del", lower, NULL};
    lower_name(n, lower, sizeof lower);
    hl_run(-1, -1, del, NULL, m, sizeof m);
}

int hl_sync(struct holder *h, char *msg, size_t len)
{
    for (int i = 0; i < h->n_nets; i++) {
        struct hnet *n = &h->nets[i];
        char gw[32], addr[48], lower[16], batch[512];
        char *ipb[] = {"ip", "-batch", "-", NULL};
        if (n->present) continue;
        fmt_ip4(n->gateway, gw, sizeof gw);
        snprintf(addr, sizeof addr, "%s/%d", gw, n->prefix);
        lower_name(n, lower, sizeof lower);
        /* An empty bridge has no ports to forward to: it is only the
         * macvlans' lower device (this kernel may have no dummy driver). */
        snprintf(batch, sizeof batch,
                 "link add %s mtu 65520 type bridge\n"
                 "link set %s up\n"
                 "link add link %s name %s mtu 65520 type macvlan mode bridge\n"
                 "addr add %s dev %s\n"
                 "link set %s up\n",
                 lower, lower, lower, n->bridge, addr, n->bridge, n->bridge);
        if (hl_run(-1, -1, ipb, batch, msg, len) < 0) {
            hl_drop_net(n);
            return -1;
        }
        n->present = 1;
        dns_open(n);
    }
    return hl_rules(h, msg, len);
}

int hl_rules(struct holder *h, char *msg, size_t len)
{
    /* The ruleset in force: an unchanged one is not loaded again (one nft
     * run less on each container start). */
    static char *loaded;
    char *rs = ruleset(h), *nft[] = {"nft", "-f", "-", NULL};
    int rc;
    if (loaded && strcmp(loaded, rs) == 0) {
        free(rs);
        return 0;
    }
    rc = hl_run(-1, -1, nft, rs, msg, len);
    free(loaded);
    loaded = rc == 0 ? rs : NULL;
    if (rc != 0) free(rs);
    return rc;
}

/* One request on slirp4netns's API socket (slirp4netns(1), "API SOCKET"):
 * the reply is read until slirp4netns closes the connection. */
static int slirp_call(const char *api, const char *req, char *reply, size_t rlen)
{
    size_t got = 0;
    int fd = unix_connect(api);
    if (fd < 0) return -1;
    if (write_all(fd, req, strlen(req)) < 0) { close(fd); return -1; }
    shutdown(fd, SHUT_WR);
    for (;;) {
        ssize_t n;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 5000) <= 0) { close(fd); errno = ETIMEDOUT; return -1; }
        n = read(fd, reply + got, rlen - 1 - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
        if (got + 1 >= rlen) break;
    }
    reply[got] = 0;
    close(fd);
    return 0;
}

static int add_fwd(struct holder *h, const struct port_map *pm, uint32_t ip, int *id,
                   const char **code, char *msg, size_t len)
{
    char req[512], reply[1024], g[32];
    struct json *j, *ret, *idv, *e, *d;
    fmt_ip4(ip, g, sizeof g);
    snprintf(req, sizeof req,
             "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"%s\",\"host_addr\":\"%s\","
             "\"host_port\":%d,\"guest_addr\":\"%s\",\"guest_port\":%d}}",
             pm->udp ? "udp" : "tcp", pm->host_ip, pm->host_port, HN_HOLDER_TAP, pm->host_port);
    (void)ip;
    if (slirp_call(h->slirp_api, req, reply, sizeof reply) < 0) {
        snprintf(msg, len, "slirp4netns API %s: %s", h->slirp_api, strerror(errno));
        return -1;
    }
    j = json_parse(reply, strlen(reply), g, sizeof g);
    ret = j ? json_get(j, "return") : NULL;
    idv = ret ? json_get(ret, "id") : NULL;
    if (idv && idv->is_int) {
        *id = (int)idv->integer;
        json_free(j);
        return 0;
    }
    e = j ? json_get(j, "error") : NULL;
    d = e ? json_get(e, "desc") : NULL;
    *code = E_PORT_IN_USE;
    snprintf(msg, len, "host port %s:%d/%s: %s", pm->host_ip, pm->host_port, pm->udp ? "udp" : "tcp",
             d && d->type == JSON_STRING ? d->string : reply);
    json_free(j);
    return -1;
}

static void remove_fwds(struct holder *h, struct hlive *l)
{
    for (int i = 0; i < l->n_fwd; i++) {
        char req[128], reply[256];
        snprintf(req, sizeof req, "{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":%d}}", l->fwd_ids[i]);
        slirp_call(h->slirp_api, req, reply, sizeof reply);
    }
    l->n_fwd = 0;
}

void hl_forget(struct holder *h, struct hlive *l)
{
    char msg[256];
    int had = l->n_fwd;
    remove_fwds(h, l);
    if (l->pidfd >= 0) close(l->pidfd);
    if (l->nsfd >= 0) close(l->nsfd);
    *l = h->live[--h->n_live];
    if (had && hl_rules(h, msg, sizeof msg) < 0) warnx_("nft: %s", msg);
}

/* The container's network namespace: the one its hook sent (nsfd >= 0,
 * taken over), or its process's, opened here. */
static struct hlive *live_add(struct holder *h, const char *cid, pid_t pid, int nsfd, char *msg, size_t len)
{
    struct hlive *l = hs_live(h, cid);
    char ns[64];
    if (l && l->pid != pid) {
        hl_forget(h, l);
        l = NULL;
    }
    if (l) {
        if (nsfd >= 0) close(nsfd);
        return l;
    }
    if (h->n_live >= HN_MAX_LIVE) {
        snprintf(msg, len, "too many containers on user networks (%d)", HN_MAX_LIVE);
        if (nsfd >= 0) close(nsfd);
        return NULL;
    }
    snprintf(ns, sizeof ns, "/proc/%d/ns/net", (int)pid);
    if (nsfd < 0 && (nsfd = open(ns, O_RDONLY | O_CLOEXEC)) < 0) {
        snprintf(msg, len, "open the network namespace of pid %d: %s", (int)pid, strerror(errno));
        return NULL;
    }
    l = &h->live[h->n_live];
    memset(l, 0, sizeof *l);
    snprintf(l->cid, sizeof l->cid, "%s", cid);
    l->pid = pid;
    l->nsfd = nsfd;
    l->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (l->pidfd < 0) {
        snprintf(msg, len, "watch pid %d: %s", (int)pid, strerror(errno));
        close(nsfd);
        return NULL;
    }
    h->n_live++;
    return l;
}

/* The container's interface on a network goes (in its namespace; none left when it has ended). */
static void del_in(int nsfd, const char *ifname)
{
    char m[256], name[16];
    char *del[] = {"ip", "link", "del", name, NULL};
    snprintf(name, sizeof name, "%s", ifname);
    hl_run(nsfd, -1, del, NULL, m, sizeof m);
}

static int attach_ep(struct holder *h, struct hlive *l, const struct hep *e, pid_t pid,
                     const char **code, char *msg, size_t len)
{
    struct hnet *n = hs_net(h, e->net);
    char lower[16], ip[32], gw[32], batch[1024];
    char *ipb[] = {"ip", "-batch", "-", NULL};
    if (!n || !n->present) {
        snprintf(msg, len, "network %s is not set up in the holder", e->net);
        return -1;
    }
    if (hs_live_on(l, e->net)) {
        snprintf(msg, len, "container %.12s is already attached to network %s", e->cid, n->name);
        return -1;
    }
    lower_name(n, lower, sizeof lower);
    fmt_ip4(e->ip, ip, sizeof ip);
    fmt_ip4(n->gateway, gw, sizeof gw);
    /* Made here on the network's lower device, created straight in the
     * container's namespace under its name there (IFLA_NET_NS_FD: ip(8)
     * opens a "netns" argument with a slash as a path). */
    snprintf(batch, sizeof batch, "link add link %s name %s mtu 65520 netns /proc/self/fd/3 type macvlan mode bridge\n", lower,
             e->ifname);
    if (hl_run(-1, l->nsfd, ipb, batch, msg, len) < 0) {
        char proc[32], *st;
        int gone;
        snprintf(proc, sizeof proc, "/proc/%d/status", (int)pid);
        /* Gone, or a zombie (no namespaces left: IFLA_NET_NS_PID gives ESRCH). */
        st = read_file(proc, 4096, NULL);
        gone = !st || strstr(st, "\nState:\tZ") != NULL;
        free(st);
        if (gone) snprintf(msg, len, "the container's process (pid %d) ended before its network was attached", (int)pid);
        return -1;
    }
    snprintf(batch, sizeof batch, "addr add %s/%d dev %s\nlink set %s up\nlink set lo up\n%s%s%s",
             ip, n->prefix, e->ifname, e->ifname,
             e->primary && !n->internal ? "route add default via " : "",
             e->primary && !n->internal ? gw : "", e->primary && !n->internal ? "\n" : "");
    if (hl_run(l->nsfd, -1, ipb, batch, msg, len) < 0) {
        del_in(l->nsfd, e->ifname);
        return -1;
    }
    for (int i = 0; i < e->n_ports && l->n_fwd < HN_MAX_PORTS; i++) {
        int id;
        if (add_fwd(h, &e->ports[i], e->ip, &id, code, msg, len) < 0) {
            del_in(l->nsfd, e->ifname);
            remove_fwds(h, l);
            return -1;
        }
        l->fwd_ids[l->n_fwd++] = id;
    }
    snprintf(l->ifnames[l->n_nets], sizeof l->ifnames[0], "%s", e->ifname);
    snprintf(l->nets[l->n_nets++], 65, "%s", e->net);
    if (e->n_ports && hl_rules(h, msg, len) < 0) return -1;
    return 0;
}

int hl_attach(struct holder *h, const char *cid, const char *only_net, pid_t pid, int nsfd,
              const char **code, char *msg, size_t len)
{
    struct hlive *l;
    int found = 0;
    *code = E_NETWORK;
    l = live_add(h, cid, pid, nsfd, msg, len);
    if (!l) return -1;
    for (int i = 0; i < h->n_eps; i++) {
        const struct hep *e = &h->eps[i];
        if (strcmp(e->cid, cid) != 0 || (only_net && strcmp(e->net, only_net) != 0)) continue;
        found = 1;
        if (attach_ep(h, l, e, pid, code, msg, len) < 0) {
            if (l->n_nets == 0) hl_forget(h, l);
            return -1;
        }
    }
    if (!found && !only_net) {
        /* On no network any more (all disconnected): just loopback. */
        if (l->n_nets == 0) hl_forget(h, l);
        return 0;
    }
    if (!found) {
        snprintf(msg, len, "container %.12s has no endpoint%s%s in the network state", cid,
                 only_net ? " on network " : "", only_net ? only_net : "");
        if (l->n_nets == 0) hl_forget(h, l);
        return -1;
    }
    return 0;
}

int hl_detach(struct holder *h, const char *cid, const char *net, char *msg, size_t len)
{
    struct hlive *l = hs_live(h, cid);
    (void)msg;
    (void)len;
    if (!l) return 0;
    for (int i = 0; i < l->n_nets; i++)
        if (strcmp(l->nets[i], net) == 0) {
            del_in(l->nsfd, l->ifnames[i]);
            l->n_nets--;
            memmove(l->nets[i], l->nets[l->n_nets], 65);
            memmove(l->ifnames[i], l->ifnames[l->n_nets], 16);
            break;
        }
    if (l->n_nets == 0) hl_forget(h, l);
    return 0;
}
