/* Name tables: capabilities (capabilities(7)), rlimits (getrlimit(2)),
 * signals (signal(7)). Kept in one place so tests can cover them. */
#include "names.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "util.h"

static const char *const cap_names[] = {
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
    "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
    "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
    "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

int cap_from_name(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof cap_names / sizeof *cap_names; i++)
        if (strcmp(cap_names[i], name) == 0) return (int)i;
    return -1;
}

const char *cap_name(int cap)
{
    if (cap < 0 || (size_t)cap >= sizeof cap_names / sizeof *cap_names)
        return NULL;
    return cap_names[cap];
}

int cap_max_known(void)
{
    return (int)(sizeof cap_names / sizeof *cap_names) - 1;
}

static const struct { const char *name; int value; } rlimits[] = {
    {"RLIMIT_AS", RLIMIT_AS}, {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU}, {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE}, {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE}, {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC}, {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO}, {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING}, {"RLIMIT_STACK", RLIMIT_STACK},
};

int rlimit_from_name(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof rlimits / sizeof *rlimits; i++)
        if (strcmp(rlimits[i].name, name) == 0) return rlimits[i].value;
    return -1;
}

static const struct { const char *name; int value; } signals[] = {
    {"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP}, {"ABRT", SIGABRT}, {"IOT", SIGIOT}, {"BUS", SIGBUS},
    {"FPE", SIGFPE}, {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},
    {"STOP", SIGSTOP}, {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
    {"URG", SIGURG}, {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
    {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
    {"IO", SIGIO}, {"POLL", SIGPOLL}, {"PWR", SIGPWR}, {"SYS", SIGSYS},
};

int signal_from_name(const char *s)
{
    size_t i;
    int ok;
    long n;
    if (!s || !*s) return -1;
    n = parse_long(s, 1, SIGRTMAX, &ok);
    if (ok) return (int)n;
    if (strncasecmp(s, "SIG", 3) == 0) s += 3;
    for (i = 0; i < sizeof signals / sizeof *signals; i++)
        if (strcasecmp(signals[i].name, s) == 0) return signals[i].value;
    /* RTMIN+n / RTMAX-n, as kill(1) accepts. */
    if (strncasecmp(s, "RTMIN", 5) == 0) {
        if (!s[5]) return SIGRTMIN;
        if (s[5] == '+') {
            n = parse_long(s + 6, 0, SIGRTMAX - SIGRTMIN, &ok);
            if (ok) return SIGRTMIN + (int)n;
        }
    }
    if (strncasecmp(s, "RTMAX", 5) == 0) {
        if (!s[5]) return SIGRTMAX;
        if (s[5] == '-') {
            n = parse_long(s + 6, 0, SIGRTMAX - SIGRTMIN, &ok);
            if (ok) return SIGRTMAX - (int)n;
        }
    }
    return -1;
}
