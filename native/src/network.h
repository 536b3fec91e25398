/* cove-monitor's networking: slirp4netns for a container's new network
 * namespace, published ports through its API socket. */
#ifndef COVE_NETWORK_H
#define COVE_NETWORK_H

#include <stddef.h>
#include <sys/types.h>

#define E_NETWORK "E_NETWORK"
#define E_PORT_IN_USE "E_PORT_IN_USE"

/* One --publish PROTO:HOSTIP:HOSTPORT:CONTAINERPORT. */
struct port_map {
    int udp;
    char host_ip[16];   /* dotted IPv4, "0.0.0.0" when given empty */
    int host_port;      /* 0 until picked */
    int ctr_port;
};

/* Parse a --publish value. 0, or -1 with the reason in err. */
int port_parse(const char *spec, struct port_map *pm, char *err, size_t errlen);

/* Check that the host port can be bound (SO_REUSEADDR for TCP, as slirp
 * does). host_port 0 picks a free port: the socket is then kept bound in
 * *hold (so a second pick cannot get the same number) and the caller
 * closes it before slirp4netns binds. 0, or an errno. */
int port_probe(struct port_map *pm, int *hold);
/* The status code and message for a failed probe (err = its errno). */
const char *port_error(const struct port_map *pm, int err, char *msg, size_t len);

/* {"execute":"add_hostfwd",...} for pm into buf; its length (0 = too small). */
size_t hostfwd_request(const struct port_map *pm, char *buf, size_t len);
/* Parse slirp4netns's reply: 0 for {"return":...}, -1 with the reason in
 * err for {"error":{"desc":...}} or anything else. */
int hostfwd_reply(const char *reply, size_t len, char *err, size_t errlen);

/* The ports file: [{"protocol":"tcp","hostIp":..,"hostPort":..,"containerPort":..}]
 * plus a newline; malloc'd. */
char *ports_json(const struct port_map *pm, int n);

/* First executable NAME in $PATH (default path if unset); malloc'd or NULL. */
char *find_in_path(const char *name);

/* A running slirp4netns. */
struct slirp {
    pid_t pid;          /* -1 once reaped */
    int exit_w;         /* write end of its --exit-fd; closing it ends slirp4netns */
    int err_r;          /* its stderr (read end, non-blocking) */
    char tail[512];     /* last stderr bytes, for error messages */
    size_t tail_len;
    int host_loopback;  /* set before slirp_start: 10.0.2.2 reaches the host's 127.0.0.1 */
};

/* Start slirp4netns for the network namespace of pid and wait (up to
 * timeout_ms) until it reports ready (--ready-fd). api may be NULL.
 * 0, or -1 with code/message in msg (and slirp4netns gone). */
int slirp_start(struct slirp *s, const char *bin, pid_t pid, const char *api,
                int sandbox, int timeout_ms, const char **code, char *msg, size_t len);
/* Add one port forward through the API socket. 0, or -1 + code/message. */
int slirp_add_port(const char *api, struct port_map *pm, const char **code,
                   char *msg, size_t len);
/* Read what slirp4netns wrote to stderr (kept as tail); 0 at EOF. */
int slirp_drain(struct slirp *s);
/* Close the exit fd and wait (bounded, then SIGKILL) until it is gone. */
void slirp_stop(struct slirp *s);
/* Whether slirp4netns may use --enable-sandbox: it needs /etc/resolv.conf
 * to resolve inside /etc or /run. */
int slirp_sandbox_ok(void);

#endif
