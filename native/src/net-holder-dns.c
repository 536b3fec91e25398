/* A DNS server per network, on the bridge's gateway address (aardvark-dns's
 * role): A records for the names, aliases and IDs of the containers on
 * the networks the asking container is on, and no others; the rest is forwarded to
 * slirp4netns's resolver, which uses the host's (RFC 1035 wire format). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net-holder.h"
#include "util.h"

#define DNS_PENDING 128

struct pending {
    int fd, dns_fd;
    struct sockaddr_in client;
    time_t deadline;
};
static struct pending pend[DNS_PENDING];
static int n_pend;

void dns_open(struct hnet *n)
{
    struct sockaddr_in a;
    int one = 1, fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(53);
    a.sin_addr.s_addr = htonl(n->gateway);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        warnx_("bind DNS %s:53: %s", n->name, strerror(errno));
        close(fd);
        return;
    }
    n->dns_fd = fd;
}

void dns_close(struct hnet *n)
{
    if (n->dns_fd >= 0) close(n->dns_fd);
    n->dns_fd = -1;
}

/* The question's name in lower case with dots; its end offset, or -1. */
static int qname(const unsigned char *q, int len, char *out, size_t olen)
{
    int off = 12;
    size_t o = 0;
    while (off < len) {
        int l = q[off++];
        if (l == 0) break;
        if (l > 63 || off + l > len || o + (size_t)l + 2 > olen) return -1;
        if (o) out[o++] = '.';
        for (int i = 0; i < l; i++) out[o++] = (char)tolower(q[off + i]);
        off += l;
    }
    out[o] = 0;
    return off + 4 <= len ? off + 4 : -1;
}

static int name_matches(const struct hep *e, const char *name)
{
    size_t n = strlen(name);
    if (strcasecmp(e->name, name) == 0) return 1;
    for (int i = 0; i < e->n_alias; i++)
        if (strcasecmp(e->aliases[i], name) == 0) return 1;
    /* The short ID is the container's hostname; a longer prefix of the
     * ID is accepted as docker does. */
    return n >= 12 && n <= 64 && strncmp(e->cid, name, n) == 0;
}

static void forward(struct hnet *n, const unsigned char *q, int len, const struct sockaddr_in *from)
{
    struct sockaddr_in up;
    int fd;
    if (n->internal || n_pend >= DNS_PENDING) return;
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return;
    memset(&up, 0, sizeof up);
    up.sin_family = AF_INET;
    up.sin_port = htons(53);
    inet_pton(AF_INET, HN_SLIRP_DNS, &up.sin_addr);
    if (connect(fd, (struct sockaddr *)&up, sizeof up) < 0 || send(fd, q, (size_t)len, 0) < 0) {
        close(fd);
        return;
    }
    pend[n_pend].fd = fd;
    pend[n_pend].dns_fd = n->dns_fd;
    pend[n_pend].client = *from;
    pend[n_pend].deadline = time(NULL) + 5;
    n_pend++;
}

void dns_query(struct holder *h, struct hnet *n)
{
    unsigned char q[512], r[1024];
    char name[256];
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    ssize_t len = recvfrom(n->dns_fd, q, sizeof q, 0, (struct sockaddr *)&from, &fl);
    int end, qtype, an = 0, rl, is_host;
    const struct hlive *asker;
    uint32_t src, mask;
    if (len < 12 || fl != sizeof from) return;
    /* Only this network's own containers get its answers. */
    mask = n->prefix ? ~0u << (32 - n->prefix) : 0;
    src = ntohl(from.sin_addr.s_addr);
    if ((src & mask) != (n->subnet & mask)) return;
    if ((q[2] & 0x80) || ((q[4] << 8) | q[5]) != 1) return;
    end = qname(q, (int)len, name, sizeof name);
    if (end < 0) return;
    qtype = (q[end - 4] << 8) | q[end - 3];
    if (name[0] && name[strlen(name) - 1] == '.') name[strlen(name) - 1] = 0;
    memcpy(r, q, (size_t)end);
    r[2] = (unsigned char)(0x84 | (q[2] & 0x01)); /* QR, AA, RD copied */
    r[3] = 0x80;                                  /* RA, NOERROR */
    r[6] = r[7] = r[8] = r[9] = r[10] = r[11] = 0;
    rl = end;
    /* The asking container: it gets the names of every network it is on
     * (docker's embedded DNS does the same), none of the others. */
    asker = NULL;
    for (int i = 0; i < h->n_eps && !asker; i++)
        if (h->eps[i].ip == src && strcmp(h->eps[i].net, n->id) == 0) asker = hs_live(h, h->eps[i].cid);
    is_host = !n->internal && (strcmp(name, "host.docker.internal") == 0 || strcmp(name, "host.containers.internal") == 0);
    for (int i = 0; i < h->n_eps || is_host; i++) {
        uint32_t ip;
        if (is_host) {
            parse_ip4(HN_SLIRP_HOST, &ip);
        } else {
            const struct hep *e = &h->eps[i];
            const struct hlive *l;
            if (!(asker ? hs_live_on(asker, e->net) : strcmp(e->net, n->id) == 0) || !name_matches(e, name)) continue;
            l = hs_live(h, e->cid);
            if (!l || !hs_live_on(l, e->net)) continue;
            ip = e->ip;
        }
        an++;
        if ((qtype == 1 || qtype == 255) && rl + 16 <= (int)sizeof r) {
            unsigned char rr[16] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4};
            uint32_t nip = htonl(ip);
            memcpy(rr + 12, &nip, 4);
            memcpy(r + rl, rr, 16);
            rl += 16;
            r[7]++;
        }
        if (is_host) break;
    }
    if (an == 0) {
        if (!n->internal) {
            forward(n, q, (int)len, &from);
            return;
        }
        r[3] = 0x83; /* NXDOMAIN */
    }
    sendto(n->dns_fd, r, (size_t)rl, 0, (struct sockaddr *)&from, sizeof from);
}

int dns_pending_fds(struct pollfd *p, int max)
{
    int k = 0;
    for (int i = 0; i < n_pend && k < max; i++) {
        p[k].fd = pend[i].fd;
        p[k].events = POLLIN;
        p[k].revents = 0;
        k++;
    }
    return k;
}

static void drop(int i)
{
    close(pend[i].fd);
    pend[i] = pend[--n_pend];
}

void dns_pending_ready(int fd)
{
    for (int i = 0; i < n_pend; i++) {
        unsigned char buf[4096];
        ssize_t n;
        if (pend[i].fd != fd) continue;
        n = recv(fd, buf, sizeof buf, 0);
        if (n > 0)
            sendto(pend[i].dns_fd, buf, (size_t)n, 0, (struct sockaddr *)&pend[i].client, sizeof pend[i].client);
        drop(i);
        return;
    }
}

void dns_pending_expire(void)
{
    time_t now = time(NULL);
    for (int i = 0; i < n_pend; i++)
        if (pend[i].deadline < now) drop(i--);
}
