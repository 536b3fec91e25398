#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "network.h"
#include "tap.h"

static int parses(const char *spec)
{
    struct port_map pm;
    char err[256];
    return port_parse(spec, &pm, err, sizeof err) == 0;
}

/* A TCP listener on 127.0.0.1 (any port); its port in *port. */
static int listener(int *port)
{
    struct sockaddr_in sa = {0};
    socklen_t sl = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 1) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) < 0)
        return -1;
    *port = ntohs(sa.sin_port);
    return fd;
}

int main(void)
{
    struct port_map pm, two[2];
    char err[256], buf[512], *s;
    int hold, l, port = 0;

    plan(30);
    ok(port_parse("tcp:127.0.0.1:8080:80", &pm, err, sizeof err) == 0 && !pm.udp &&
       strcmp(pm.host_ip, "127.0.0.1") == 0 && pm.host_port == 8080 && pm.ctr_port == 80, "tcp:127.0.0.1:8080:80");
    ok(port_parse("udp::53:53", &pm, err, sizeof err) == 0 && pm.udp && strcmp(pm.host_ip, "0.0.0.0") == 0,
       "udp, empty host address = 0.0.0.0");
    ok(port_parse("tcp:0.0.0.0:0:443", &pm, err, sizeof err) == 0 && pm.host_port == 0, "host port 0 (pick one)");
    ok(parses("tcp:127.0.0.1:65535:65535"), "port 65535");
    ok(!parses("sctp:127.0.0.1:1:1"), "sctp refused");
    ok(!parses("TCP:127.0.0.1:1:1"), "protocol is lowercase");
    ok(!parses("tcp:127.0.0.1:8080"), "three fields refused");
    ok(!parses("tcp:127.0.0.1:8080:0"), "container port 0 refused");
    ok(!parses("tcp:127.0.0.1:65536:80"), "host port 65536 refused");
    ok(!parses("tcp:127.0.0.1:-1:80") && !parses("tcp:127.0.0.1: 80:80") && !parses("tcp:127.0.0.1:80:"),
       "signs, spaces, empty ports refused");
    ok(!parses("tcp:localhost:80:80") && !parses("tcp:1.2.3:80:80"), "host address must be a dotted IPv4");
    port_parse("tcp:::1:80:80", &pm, err, sizeof err);
    is_str(err, "bad --publish 'tcp:::1:80:80': only IPv4 host addresses are supported", "IPv6 refused with a reason");
    ok(port_parse("tcp:010.0.0.1:80:80", &pm, err, sizeof err) < 0, "octal-looking address refused (inet_pton)");

    port_parse("tcp:127.0.0.1:8080:80", &pm, err, sizeof err);
    hostfwd_request(&pm, buf, sizeof buf);
    is_str(buf, "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_addr\":\"127.0.0.1\","
                "\"host_port\":8080,\"guest_port\":80}}", "add_hostfwd request");
    ok(hostfwd_request(&pm, buf, 20) == 0, "request: small buffer reported");
    ok(hostfwd_reply("{\"return\":{\"id\":1}}", 19, err, sizeof err) == 0, "reply: return");
    ok(hostfwd_reply("{\"error\":{\"desc\":\"bad request: add_hostfwd: slirp_add_hostfwd failed\"}}", 71, err, sizeof err) < 0,
       "reply: error");
    is_str(err, "bad request: add_hostfwd: slirp_add_hostfwd failed", "reply: error desc");
    ok(hostfwd_reply("", 0, err, sizeof err) < 0 && strncmp(err, "unexpected reply", 16) == 0, "reply: empty");
    ok(hostfwd_reply("{\"entries\":[]}", 14, err, sizeof err) < 0, "reply: no return member");

    port_parse("tcp:127.0.0.1:8080:80", &two[0], err, sizeof err);
    port_parse("udp::5353:53", &two[1], err, sizeof err);
    s = ports_json(two, 2);
    is_str(s, "[{\"protocol\":\"tcp\",\"hostIp\":\"127.0.0.1\",\"hostPort\":8080,\"containerPort\":80},"
              "{\"protocol\":\"udp\",\"hostIp\":\"0.0.0.0\",\"hostPort\":5353,\"containerPort\":53}]\n", "ports file JSON");
    free(s);
    s = ports_json(two, 0);
    is_str(s, "[]\n", "ports file JSON, no ports");
    free(s);

    l = listener(&port);
    pm.udp = 0;
    strcpy(pm.host_ip, "127.0.0.1");
    pm.host_port = port;
    ok(l >= 0 && port_probe(&pm, &hold) == EADDRINUSE && hold == -1, "probe: a listening port is in use");
    port_error(&pm, EADDRINUSE, buf, sizeof buf);
    {
        char want[160];
        snprintf(want, sizeof want, "host port %d/tcp (127.0.0.1) is already in use: pick another host port", port);
        is_str(buf, want, "in-use message");
    }
    ok(strcmp(port_error(&pm, EADDRINUSE, buf, sizeof buf), E_PORT_IN_USE) == 0 &&
       strcmp(port_error(&pm, EACCES, buf, sizeof buf), E_NETWORK) == 0, "codes: E_PORT_IN_USE, else E_NETWORK");
    strcpy(pm.host_ip, "0.0.0.0");
    ok(port_probe(&pm, &hold) == EADDRINUSE, "probe: 0.0.0.0 conflicts with a 127.0.0.1 listener");
    close(l);
    strcpy(pm.host_ip, "127.0.0.1");
    ok(port_probe(&pm, &hold) == 0 && hold == -1, "probe: free again once closed (not held)");
    pm.host_port = 0;
    ok(port_probe(&pm, &hold) == 0 && hold >= 0 && pm.host_port > 0, "probe: port 0 picks one and holds it");
    {
        struct port_map again = pm;
        int h2;
        ok(port_probe(&again, &h2) == EADDRINUSE, "the held pick cannot be taken twice");
    }
    close(hold);
    s = find_in_path("sh");
    ok(s && s[0] == '/' && strcmp(s + strlen(s) - 3, "/sh") == 0, "find_in_path sh: %s", s ? s : "(null)");
    free(s);
    done_testing();
}
