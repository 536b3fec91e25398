#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

static const int ns_flag[NS_COUNT] = {
    CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUTS, CLONE_NEWIPC,
    CLONE_NEWNET, CLONE_NEWCGROUP};
static const char *const ns_name[NS_COUNT] = {
    "user", "mount", "pid", "uts", "ipc", "network", "cgroup"};

int ns_clone_flags(const struct config *cfg)
{
    int k, flags = 0;
    for (k = 0; k < NS_COUNT; k++)
        if (cfg->ns[k].wanted && !cfg->ns[k].path) flags |= ns_flag[k];
    return flags;
}

static void join(const struct config *cfg, int k)
{
    int fd;
    if (!cfg->ns[k].wanted || !cfg->ns[k].path) return;
    fd = open(cfg->ns[k].path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) die_errno(E_NAMESPACE, "open %s namespace %s", ns_name[k], cfg->ns[k].path);
    if (setns(fd, ns_flag[k]) < 0)
        die_errno(E_NAMESPACE, "setns %s namespace %s", ns_name[k], cfg->ns[k].path);
    close(fd);
}

void ns_join_before_clone(const struct config *cfg)
{
    join(cfg, NS_USER);
    join(cfg, NS_PID);
}

void ns_join_in_child(const struct config *cfg)
{
    join(cfg, NS_UTS);
    join(cfg, NS_IPC);
    join(cfg, NS_NET);
    join(cfg, NS_CGROUP);
}

pid_t clone_ns(int flags)
{
    /* Raw clone without a new stack behaves like fork(2) (the child runs on
     * a copy of our stack); glibc's clone() wrapper would need one. We are
     * single-threaded, so skipping glibc's atfork handlers is harmless. */
    return (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL,
                          NULL, NULL);
}

void loopback_up(void)
{
    struct ifreq ifr;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) die_errno(E_NAMESPACE, "socket AF_INET (loopback)");
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) die_errno(E_NAMESPACE, "SIOCGIFFLAGS lo");
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) die_errno(E_NAMESPACE, "SIOCSIFFLAGS lo up");
    close(s);
}
