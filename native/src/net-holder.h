/* cove-net-holder: the per-user process that holds the user namespace and
 * network namespace of Cove's user-defined networks (a bridge per network,
 * one slirp4netns link out, a DNS server per network). See
 * docs/architecture.md, "User-defined networks". */
#ifndef COVE_NET_HOLDER_H
#define COVE_NET_HOLDER_H
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "network.h"

#define HN_MAX_NETS 64
#define HN_MAX_EPS 512
#define HN_MAX_ALIASES 8
#define HN_MAX_PORTS 32
#define HN_MAX_LIVE 256

/* slirp4netns's fixed addresses (slirp4netns(1), --configure). */
#define HN_SLIRP_HOST "10.0.2.2"
#define HN_SLIRP_DNS "10.0.2.3"
#define HN_HOLDER_TAP "10.0.2.100"

struct hnet {
    char id[65], name[128], bridge[16];
    uint32_t subnet, gateway; /* host byte order */
    int prefix, internal;
    int dns_fd;   /* UDP gateway:53, -1 until the bridge is up */
    int present;  /* bridge created in our namespace */
};

struct hep {
    char cid[65], name[128], net[65], ifname[16];
    uint32_t ip;
    char aliases[HN_MAX_ALIASES][128];
    int n_alias, primary;
    struct port_map ports[HN_MAX_PORTS];
    int n_ports;
};

struct hlive {
    char cid[65];
    pid_t pid;
    int pidfd;
    int nsfd; /* its network namespace */
    char nets[HN_MAX_NETS][65];
    char ifnames[HN_MAX_NETS][16]; /* the container's interface on nets[i] */
    int n_nets;
    int fwd_ids[HN_MAX_PORTS];
    int n_fwd;
};

struct holder {
    const char *state_path, *slirp_api;
    struct hnet nets[HN_MAX_NETS];
    int n_nets;
    struct hep eps[HN_MAX_EPS];
    int n_eps;
    struct hlive live[HN_MAX_LIVE];
    int n_live;
};

/* net-holder-state.c: read the engine's state file. 0, or -1 + msg. */
int hs_load(struct holder *h, char *msg, size_t len);
struct hnet *hs_net(struct holder *h, const char *id);
struct hlive *hs_live(struct holder *h, const char *cid);
int hs_live_on(const struct hlive *l, const char *net);
int parse_ip4(const char *s, uint32_t *out);
void fmt_ip4(uint32_t ip, char *buf, size_t len);

/* net-holder-links.c: networks (a macvlan lower per network), the
 * containers' macvlan interfaces, nftables, port forwards. */
/* Remove a network's links (its containers' interfaces go with them). */
void hl_drop_net(const struct hnet *n);
int hl_sync(struct holder *h, char *msg, size_t len);
/* Load the nftables ruleset for the current networks and attachments. */
int hl_rules(struct holder *h, char *msg, size_t len);
/* Attach a container's endpoints: in nsfd (a network namespace fd its
 * hook sent, taken over) or, when nsfd < 0, in /proc/PID/ns/net. */
int hl_attach(struct holder *h, const char *cid, const char *only_net, pid_t pid, int nsfd,
              const char **code, char *msg, size_t len);
int hl_detach(struct holder *h, const char *cid, const char *net, char *msg, size_t len);
void hl_forget(struct holder *h, struct hlive *l);
/* Run argv (in the network namespace nsfd when >= 0; with fd3, when >= 0,
 * as its fd 3) with input on its stdin; 0, or -1 with its stderr in msg. */
int hl_run(int nsfd, int fd3, char *const argv[], const char *input, char *msg, size_t len);

/* net-holder-dns.c */
void dns_open(struct hnet *n);
void dns_close(struct hnet *n);
void dns_query(struct holder *h, struct hnet *n);
/* Pending forwarded queries: fds to poll, and their handling. */
int dns_pending_fds(struct pollfd *p, int max);
void dns_pending_ready(int fd);
void dns_pending_expire(void);
#endif
