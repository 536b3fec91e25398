/* What a hostile container process tries, for the integration tests of
 * issue 9 (static: it is copied into the test image).
 *   hostile tiocsti TEXT [DELAY_MS]  queue TEXT into the terminal on
 *       /dev/tty and fds 0-2 (tty_ioctl(4) TIOCSTI); with DELAY_MS a
 *       background child tries again later. Exit 1 if any attempt worked.
 *   hostile key ID DESC   read key ID, search the session keyring for the
 *       user key DESC; exit 1 if either worked.
 *   hostile procroot MS   for MS milliseconds (or until /tmp/hostile-stop
 *       exists), open /proc/PID/root of every other process and compare it
 *       with our /; exit 1 on a different root.
 *   hostile euid          print the effective uid (setuid fixture). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int sti_fd(int fd, const char *what, const char *text)
{
    const char *c;
    for (c = text; *c; c++) {
        if (ioctl(fd, TIOCSTI, c) < 0) {
            printf("TIOCSTI %s: %s\n", what, strerror(errno));
            return 0;
        }
    }
    printf("TIOCSTI %s: INJECTED\n", what);
    return 1;
}

static int try_all(const char *text)
{
    int bad = 0, fd, i;
    fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) printf("open /dev/tty: %s\n", strerror(errno));
    else { bad |= sti_fd(fd, "/dev/tty", text); close(fd); }
    for (i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "fd %d", i);
        bad |= sti_fd(i, name, text);
    }
    fflush(stdout);
    return bad;
}

static int cmd_tiocsti(int argc, char **argv)
{
    int bad = try_all(argv[2]);
    if (argc > 3) {
        pid_t pid = fork();
        if (pid == 0) {
            struct timespec ts = {atoi(argv[3]) / 1000, (atoi(argv[3]) % 1000) * 1000000L};
            nanosleep(&ts, NULL);
            _exit(try_all(argv[2]));
        }
    }
    return bad;
}

static int cmd_key(char **argv)
{
    long id = strtol(argv[2], NULL, 10), r;
    char buf[256];
    int bad = 0;
    r = syscall(SYS_keyctl, KEYCTL_READ, id, buf, sizeof buf, 0);
    if (r < 0) printf("read key %ld: %s\n", id, strerror(errno));
    else { printf("read key %ld: READABLE\n", id); bad = 1; }
    r = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user", argv[3], 0);
    if (r < 0) printf("search %s: %s\n", argv[3], strerror(errno));
    else { printf("search %s: FOUND %ld\n", argv[3], r); bad = 1; }
    return bad;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmd_procroot(char **argv)
{
    long long end = now_ms() + atol(argv[2]);
    long opened = 0, denied = 0;
    struct stat self;
    if (stat("/", &self) < 0) { perror("stat /"); return 2; }
    while (now_ms() < end && access("/tmp/hostile-stop", F_OK) < 0) {
        DIR *d = opendir("/proc");
        struct dirent *e;
        if (!d) { perror("opendir /proc"); return 2; }
        while ((e = readdir(d))) {
            char p[64];
            struct stat st;
            int fd;
            if (e->d_name[0] < '1' || e->d_name[0] > '9' || atoi(e->d_name) == getpid()) continue;
            snprintf(p, sizeof p, "/proc/%d/root", atoi(e->d_name));
            fd = open(p, O_PATH | O_CLOEXEC);
            if (fd < 0) { denied++; continue; }
            opened++;
            if (fstat(fd, &st) == 0 && (st.st_dev != self.st_dev || st.st_ino != self.st_ino)) {
                printf("ESCAPE %s: dev %lu ino %lu\n", p, (unsigned long)st.st_dev, (unsigned long)st.st_ino);
                return 1;
            }
            close(fd);
        }
        closedir(d);
    }
    printf("opened %ld denied %ld escapes 0\n", opened, denied);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 3 && strcmp(argv[1], "tiocsti") == 0) return cmd_tiocsti(argc, argv);
    if (argc == 4 && strcmp(argv[1], "key") == 0) return cmd_key(argv);
    if (argc == 3 && strcmp(argv[1], "procroot") == 0) return cmd_procroot(argv);
    if (argc == 2 && strcmp(argv[1], "euid") == 0) { printf("%d\n", (int)geteuid()); return 0; }
    fprintf(stderr, "usage: hostile tiocsti TEXT [DELAY_MS] | key ID DESC | procroot MS | euid\n");
    return 2;
}
