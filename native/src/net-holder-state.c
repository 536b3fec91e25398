/* The holder's view of the engine's networks.json: networks and the
 * endpoints (container x network) with their addresses, aliases, ports. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "net-holder.h"
#include "util.h"

int parse_ip4(const char *s, uint32_t *out)
{
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1) return -1;
    *out = ntohl(a.s_addr);
    return 0;
}

void fmt_ip4(uint32_t ip, char *buf, size_t len)
{
    struct in_addr a = {htonl(ip)};
    if (!inet_ntop(AF_INET, &a, buf, (socklen_t)len) && len) buf[0] = 0;
}

static const char *str(const struct json *o, const char *k)
{
    const struct json *v = json_get(o, k);
    return v && v->type == JSON_STRING ? v->string : NULL;
}

static int copy(char *dst, size_t n, const char *src)
{
    if (!src || strlen(src) >= n) return -1;
    memcpy(dst, src, strlen(src) + 1);
    return 0;
}

/* Linux interface names: at most IFNAMSIZ-1 bytes, no '/', ':' or space. */
static int ifname_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 15) return 0;
    return strcspn(s, "/: \t\n") == n;
}

static int load_net(struct hnet *n, const struct json *o)
{
    const char *subnet = str(o, "subnet"), *gw = str(o, "gateway"), *slash;
    char base[32];
    const struct json *in = json_get(o, "internal");
    int ok;
    memset(n, 0, sizeof *n);
    n->dns_fd = -1;
    if (copy(n->id, sizeof n->id, str(o, "id")) < 0 || copy(n->name, sizeof n->name, str(o, "name")) < 0 ||
        copy(n->bridge, sizeof n->bridge, str(o, "bridge")) < 0 || !ifname_ok(n->bridge) || !subnet || !gw)
        return -1;
    slash = strchr(subnet, '/');
    if (!slash || (size_t)(slash - subnet) >= sizeof base) return -1;
    snprintf(base, sizeof base, "%.*s", (int)(slash - subnet), subnet);
    n->prefix = (int)parse_long(slash + 1, 8, 30, &ok);
    if (!ok || parse_ip4(base, &n->subnet) < 0 || parse_ip4(gw, &n->gateway) < 0) return -1;
    n->internal = in && in->type == JSON_BOOL && in->boolean;
    return 0;
}

static int load_ep(struct hep *e, const struct json *o)
{
    const struct json *al = json_get(o, "aliases"), *ports = json_get(o, "ports"), *pr = json_get(o, "primary");
    const char *ip = str(o, "ip");
    memset(e, 0, sizeof *e);
    if (copy(e->cid, sizeof e->cid, str(o, "container")) < 0 || copy(e->name, sizeof e->name, str(o, "name")) < 0 ||
        copy(e->net, sizeof e->net, str(o, "network")) < 0 || copy(e->ifname, sizeof e->ifname, str(o, "ifname")) < 0 ||
        !ifname_ok(e->ifname) || !ip || parse_ip4(ip, &e->ip) < 0)
        return -1;
    e->primary = pr && pr->type == JSON_BOOL && pr->boolean;
    for (size_t i = 0; al && al->type == JSON_ARRAY && i < al->len && e->n_alias < HN_MAX_ALIASES; i++)
        if (al->items[i]->type == JSON_STRING && copy(e->aliases[e->n_alias], 128, al->items[i]->string) == 0)
            e->n_alias++;
    for (size_t i = 0; ports && ports->type == JSON_ARRAY && i < ports->len && e->n_ports < HN_MAX_PORTS; i++) {
        const struct json *p = ports->items[i], *hp = json_get(p, "hostPort"), *cp = json_get(p, "containerPort");
        const char *proto = str(p, "protocol"), *hip = str(p, "hostIp");
        struct port_map *pm = &e->ports[e->n_ports];
        if (!proto || !hp || !cp || !hp->is_int || !cp->is_int) return -1;
        pm->udp = strcmp(proto, "udp") == 0;
        snprintf(pm->host_ip, sizeof pm->host_ip, "%s", hip && *hip ? hip : "0.0.0.0");
        pm->host_port = (int)hp->integer;
        pm->ctr_port = (int)cp->integer;
        e->n_ports++;
    }
    return 0;
}

int hs_load(struct holder *h, char *msg, size_t len)
{
    char perr[128];
    size_t n = 0;
    char *text = read_file(h->state_path, 16 << 20, &n);
    struct json *j, *nets, *eps;
    struct hnet old[HN_MAX_NETS];
    int n_old = h->n_nets;
    if (!text) {
        if (errno != ENOENT) {
            snprintf(msg, len, "read %s: %s", h->state_path, strerror(errno));
            return -1;
        }
        text = xstrdup("{\"networks\":[],\"endpoints\":[]}");
        n = strlen(text);
    }
    j = json_parse(text, n, perr, sizeof perr);
    free(text);
    if (!j || j->type != JSON_OBJECT) {
        snprintf(msg, len, "%s: %s", h->state_path, j ? "not an object" : perr);
        json_free(j);
        return -1;
    }
    nets = json_get(j, "networks");
    eps = json_get(j, "endpoints");
    memcpy(old, h->nets, sizeof old);
    h->n_nets = 0;
    for (size_t i = 0; nets && nets->type == JSON_ARRAY && i < nets->len && h->n_nets < HN_MAX_NETS; i++) {
        struct hnet *t = &h->nets[h->n_nets];
        if (load_net(t, nets->items[i]) < 0) continue;
        /* Keep what we already built for a network that is still there. */
        for (int k = 0; k < n_old; k++)
            if (strcmp(old[k].id, t->id) == 0 && old[k].subnet == t->subnet && old[k].gateway == t->gateway &&
                strcmp(old[k].bridge, t->bridge) == 0) {
                t->dns_fd = old[k].dns_fd;
                t->present = old[k].present;
                old[k].present = 0;
                old[k].dns_fd = -1;
            }
        h->n_nets++;
    }
    /* Networks gone from the state: remove their bridges. */
    for (int k = 0; k < n_old; k++) {
        if (old[k].dns_fd >= 0) dns_close(&old[k]);
        if (old[k].present) hl_drop_net(&old[k]);
    }
    h->n_eps = 0;
    for (size_t i = 0; eps && eps->type == JSON_ARRAY && i < eps->len && h->n_eps < HN_MAX_EPS; i++)
        if (load_ep(&h->eps[h->n_eps], eps->items[i]) == 0) h->n_eps++;
    json_free(j);
    return 0;
}

struct hnet *hs_net(struct holder *h, const char *id)
{
    for (int i = 0; i < h->n_nets; i++)
        if (strcmp(h->nets[i].id, id) == 0) return &h->nets[i];
    return NULL;
}

struct hlive *hs_live(struct holder *h, const char *cid)
{
    for (int i = 0; i < h->n_live; i++)
        if (strcmp(h->live[i].cid, cid) == 0) return &h->live[i];
    return NULL;
}

int hs_live_on(const struct hlive *l, const char *net)
{
    for (int i = 0; i < l->n_nets; i++)
        if (strcmp(l->nets[i], net) == 0) return 1;
    return 0;
}
