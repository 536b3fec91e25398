/* netbench: container-to-container figures for bench/network-*.ts.
 *   netbench sink PORT               accept; read and discard until EOF
 *   netbench echo PORT               accept; echo every byte back
 *   netbench send IP PORT SECONDS    print "mbit <Mbit/s>" after SECONDS of writes
 *   netbench rr IP PORT N            print "us <mean round trip in microseconds> p50 <median>"
 *   netbench serial PORT             accept one connection at a time, echo it, no fork
 *   netbench crr IP PORT N           N times: connect, 1-byte request, 1-byte reply, close;
 *                                    print "us <mean> p50 <median>" of the whole exchange
 * Static, so it runs in the busybox image of any engine. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int listen_on(int port)
{
    struct sockaddr_in a = {0};
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) { perror("socket"); exit(1); }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 16) < 0) { perror("bind/listen"); exit(1); }
    return fd;
}

static int connect_to(const char *ip, int port)
{
    struct sockaddr_in a = {0};
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    if (fd < 0 || inet_pton(AF_INET, ip, &a.sin_addr) != 1) { fprintf(stderr, "bad address %s\n", ip); exit(1); }
    for (int i = 0; connect(fd, (struct sockaddr *)&a, sizeof a) < 0; i++) {
        if (i > 100) { perror("connect"); exit(1); }
        usleep(50000);
        close(fd);
        fd = socket(AF_INET, SOCK_STREAM, 0);
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void serve(int port, int echo)
{
    int l = listen_on(port);
    signal(SIGCHLD, SIG_IGN);
    for (;;) {
        int c = accept(l, NULL, NULL), one = 1;
        if (c < 0) continue;
        if (fork() == 0) {
            static char buf[1 << 17];
            ssize_t n;
            setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            while ((n = read(c, buf, sizeof buf)) > 0)
                if (echo && write(c, buf, (size_t)n) != n) break;
            _exit(0);
        }
        close(c);
    }
}

/* For crr: a forked child per connection would put a fork in every
 * exchange; one process serving connections in turn does not. */
static void serve_serial(int port)
{
    int l = listen_on(port);
    for (;;) {
        char buf[256];
        ssize_t n;
        int c = accept(l, NULL, NULL), one = 1;
        if (c < 0) continue;
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        while ((n = read(c, buf, sizeof buf)) > 0)
            if (write(c, buf, (size_t)n) != n) break;
        close(c);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
static double median_of(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "sink") == 0) serve(atoi(argv[2]), 0);
    if (argc == 3 && strcmp(argv[1], "echo") == 0) serve(atoi(argv[2]), 1);
    if (argc == 3 && strcmp(argv[1], "serial") == 0) serve_serial(atoi(argv[2]));
    if (argc == 5 && strcmp(argv[1], "send") == 0) {
        static char buf[1 << 17];
        int fd = connect_to(argv[2], atoi(argv[3]));
        double t0 = now(), end = t0 + atof(argv[4]), bytes = 0;
        memset(buf, 'x', sizeof buf);
        while (now() < end) {
            ssize_t n = write(fd, buf, sizeof buf);
            if (n <= 0) { perror("write"); return 1; }
            bytes += (double)n;
        }
        printf("mbit %.1f\n", bytes * 8 / 1e6 / (now() - t0));
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "rr") == 0) {
        int fd = connect_to(argv[2], atoi(argv[3])), n = atoi(argv[4]);
        char c = 'x';
        double t0;
        for (int i = 0; i < 20; i++)
            if (write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1) { perror("rr"); return 1; }
        double *rt = calloc((size_t)n, sizeof *rt), t1;
        if (!rt || n < 1) return 1;
        t0 = now();
        for (int i = 0; i < n; i++) {
            t1 = now();
            if (write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1) { perror("rr"); return 1; }
            rt[i] = now() - t1;
        }
        /* The mean, and the median round trip: on a loaded machine a few
         * descheduled round trips dominate the mean. */
        printf("us %.1f p50 %.1f\n", (now() - t0) * 1e6 / n, median_of(rt, n) * 1e6);
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "crr") == 0) {
        /* A request on a new connection each time (netperf's TCP_CRR): the
         * handshake and teardown are in the figure, as they are for a
         * client that does not keep its connections. */
        int n = atoi(argv[4]);
        struct sockaddr_in a = {0};
        double *rt = calloc((size_t)(n > 0 ? n : 1), sizeof *rt), t0, t1;
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)atoi(argv[3]));
        if (!rt || n < 1 || inet_pton(AF_INET, argv[2], &a.sin_addr) != 1) return 1;
        close(connect_to(argv[2], atoi(argv[3]))); /* the server is up */
        t0 = now();
        for (int i = 0; i < n; i++) {
            char c = 'x';
            int one = 1, fd;
            t1 = now();
            fd = socket(AF_INET, SOCK_STREAM, 0);
            if (fd < 0) { perror("socket"); return 1; }
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 || write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1) {
                perror("crr");
                return 1;
            }
            close(fd);
            rt[i] = now() - t1;
        }
        printf("us %.1f p50 %.1f\n", (now() - t0) * 1e6 / n, median_of(rt, n) * 1e6);
        return 0;
    }
    fprintf(stderr, "usage: netbench sink|echo|serial PORT | send IP PORT SECONDS | rr|crr IP PORT N\n");
    return 2;
}
