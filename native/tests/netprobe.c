/* Test helper for the network smoke tests, static so it runs inside the
 * busybox image too (busybox's nc there has no UDP):
 *   netprobe tcp-serve PORT TEXT        accept forever, send TEXT, close
 *   netprobe udp-echo PORT              print each datagram (a line) and answer
 *                                       it with "echo:" + it
 *   netprobe hold tcp|udp IP PORT       bind (and listen) until killed; prints
 *                                       the port (PORT 0: a free one)
 *   netprobe bind tcp|udp IP PORT       the same, but exit at once: 0 = bindable
 *   netprobe udp-send IP PORT MSG       send one datagram
 *   netprobe tcp-get IP PORT [MS]       connect, print what comes until EOF;
 *                                       retried until some data or MS (3000)
 *   netprobe udp-ask IP PORT MSG [MS]   send MSG, print the reply; retried
 * Exit 0 on success, 1 on failure (with a message on stderr). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in addr(const char *ip, const char *port)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)atoi(port));
    if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) {
        fprintf(stderr, "netprobe: bad address %s\n", ip);
        exit(2);
    }
    return sa;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap(void)
{
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

static int bound(int type, const char *ip, const char *port)
{
    struct sockaddr_in sa = addr(ip, port);
    int one = 1, fd = socket(AF_INET, type, 0);
    if (fd < 0) { perror("socket"); exit(1); }
    if (type == SOCK_STREAM) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { perror("bind"); exit(1); }
    if (type == SOCK_STREAM && listen(fd, 16) < 0) { perror("listen"); exit(1); }
    return fd;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "tcp-serve") == 0) {
        int l = bound(SOCK_STREAM, "0.0.0.0", argv[2]);
        for (;;) {
            int c = accept(l, NULL, NULL);
            if (c < 0) continue;
            if (write(c, argv[3], strlen(argv[3])) < 0 || write(c, "\n", 1) < 0) {}
            close(c);
        }
    }
    if (argc >= 3 && strcmp(argv[1], "udp-echo") == 0) {
        int s = bound(SOCK_DGRAM, "0.0.0.0", argv[2]);
        for (;;) {
            char buf[2048] = "echo:";
            struct sockaddr_in from;
            socklen_t fl = sizeof from;
            ssize_t n = recvfrom(s, buf + 5, sizeof buf - 5, 0, (struct sockaddr *)&from, &fl);
            if (n < 0) continue;
            printf("%.*s\n", (int)n, buf + 5);
            fflush(stdout);
            sendto(s, buf, (size_t)n + 5, 0, (struct sockaddr *)&from, fl);
        }
    }
    if (argc >= 5 && (strcmp(argv[1], "hold") == 0 || strcmp(argv[1], "bind") == 0)) {
        struct sockaddr_in sa;
        socklen_t sl = sizeof sa;
        int fd = bound(strcmp(argv[2], "udp") == 0 ? SOCK_DGRAM : SOCK_STREAM, argv[3], argv[4]);
        getsockname(fd, (struct sockaddr *)&sa, &sl);
        printf("%d\n", ntohs(sa.sin_port));
        fflush(stdout);
        if (argv[1][0] == 'b') return 0;
        for (;;) pause();
    }
    if (argc >= 4 && strcmp(argv[1], "tcp-get") == 0) {
        struct sockaddr_in sa = addr(argv[2], argv[3]);
        long deadline = now_ms() + (argc > 4 ? atol(argv[4]) : 3000);
        do {
            char buf[4096];
            size_t got = 0;
            ssize_t n;
            int fd = socket(AF_INET, SOCK_STREAM, 0);
            if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
                struct pollfd p = {fd, POLLIN, 0};
                while (poll(&p, 1, 2000) > 0 && (n = read(fd, buf + got, sizeof buf - got)) > 0)
                    got += (size_t)n;
            }
            close(fd);
            if (got) {
                fwrite(buf, 1, got, stdout);
                return 0;
            }
            nap();
        } while (now_ms() < deadline);
        fprintf(stderr, "netprobe: nothing from %s:%s\n", argv[2], argv[3]);
        return 1;
    }
    if (argc >= 5 && strcmp(argv[1], "udp-send") == 0) {
        struct sockaddr_in sa = addr(argv[2], argv[3]);
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        if (sendto(fd, argv[4], strlen(argv[4]), 0, (struct sockaddr *)&sa, sizeof sa) < 0) { perror("sendto"); return 1; }
        return 0;
    }
    if (argc >= 5 && strcmp(argv[1], "udp-ask") == 0) {
        struct sockaddr_in sa = addr(argv[2], argv[3]);
        long deadline = now_ms() + (argc > 5 ? atol(argv[5]) : 3000);
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        do {
            char buf[2048], from_s[32];
            struct sockaddr_in from;
            socklen_t fl = sizeof from;
            struct pollfd p = {fd, POLLIN, 0};
            ssize_t n;
            if (sendto(fd, argv[4], strlen(argv[4]), 0, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != ECONNREFUSED) { perror("send"); return 1; }
            if (poll(&p, 1, 100) > 0 && (n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl)) > 0) {
                fwrite(buf, 1, (size_t)n, stdout);
                if (from.sin_port != sa.sin_port || from.sin_addr.s_addr != sa.sin_addr.s_addr) {
                    inet_ntop(AF_INET, &from.sin_addr, from_s, sizeof from_s);
                    printf(" (from %s:%d)", from_s, ntohs(from.sin_port));
                }
                putchar('\n');
                return 0;
            }
        } while (now_ms() < deadline);
        fprintf(stderr, "netprobe: no reply from %s:%s\n", argv[2], argv[3]);
        return 1;
    }
    fprintf(stderr, "usage: netprobe tcp-serve PORT TEXT | udp-echo PORT | hold|bind tcp|udp IP PORT |\n"
                    "       tcp-get IP PORT [MS] | udp-send IP PORT MSG | udp-ask IP PORT MSG [MS]\n");
    return 2;
}
