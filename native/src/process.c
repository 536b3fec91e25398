#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

void apply_rlimits(const struct config *cfg)
{
    size_t i;
    for (i = 0; i < cfg->n_rlimits; i++) {
        struct rlimit rl;
        rl.rlim_cur = cfg->rlimits[i].soft;
        rl.rlim_max = cfg->rlimits[i].hard;
        if (setrlimit(cfg->rlimits[i].resource, &rl) < 0)
            die_errno(E_FAILED, "setrlimit %d (soft %llu, hard %llu)",
                      cfg->rlimits[i].resource, (unsigned long long)rl.rlim_cur,
                      (unsigned long long)rl.rlim_max);
    }
}

static int last_cap(void)
{
    int c = 0;
    /* PR_CAPBSET_READ fails with EINVAL past the kernel's last capability,
     * which works even without /proc. */
    while (c < 63 && prctl(PR_CAPBSET_READ, c + 1, 0, 0, 0) >= 0) c++;
    return c;
}

static int setgroups_allowed(void)
{
    char buf[16] = "";
    int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 1; /* no /proc: try and let the call decide */
    if (read(fd, buf, sizeof buf - 1) < 0) buf[0] = 0;
    close(fd);
    return strncmp(buf, "deny", 4) != 0;
}

void apply_user_and_caps(const struct config *cfg)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    int cap, last = last_cap();
    uint64_t mask = last >= 63 ? ~0ULL : ((1ULL << (last + 1)) - 1);

    /* Drop from the bounding set while we still hold CAP_SETPCAP. */
    for (cap = 0; cap <= last; cap++)
        if (!(cfg->cap_bounding & (1ULL << cap)) &&
            prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
            die_errno(E_FAILED, "prctl PR_CAPBSET_DROP %s", cap_name(cap) ? cap_name(cap) : "?");

    /* Keep permitted caps across the uid change (capabilities(7),
     * "Effect of user ID changes on capabilities"). */
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) die_errno(E_FAILED, "prctl PR_SET_KEEPCAPS");
    if (setgroups_allowed()) {
        if (setgroups(cfg->n_additional_gids, cfg->additional_gids) < 0)
            die_errno(E_FAILED, "setgroups");
    } else if (cfg->n_additional_gids) {
        die(E_FAILED, "setgroups: additionalGids need a gid mapping made by "
            "newgidmap (setgroups is denied in this user namespace)");
    }
    if (setresgid(cfg->gid, cfg->gid, cfg->gid) < 0)
        die_errno(E_FAILED, "setresgid %u", (unsigned)cfg->gid);
    if (setresuid(cfg->uid, cfg->uid, cfg->uid) < 0)
        die_errno(E_FAILED, "setresuid %u", (unsigned)cfg->uid);
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) die_errno(E_FAILED, "prctl PR_SET_KEEPCAPS 0");

    memset(data, 0, sizeof data);
    data[0].effective = (uint32_t)(cfg->cap_effective & mask);
    data[1].effective = (uint32_t)((cfg->cap_effective & mask) >> 32);
    data[0].permitted = (uint32_t)(cfg->cap_permitted & mask);
    data[1].permitted = (uint32_t)((cfg->cap_permitted & mask) >> 32);
    data[0].inheritable = (uint32_t)(cfg->cap_inheritable & mask);
    data[1].inheritable = (uint32_t)((cfg->cap_inheritable & mask) >> 32);
    if (syscall(SYS_capset, &hdr, data) < 0) die_errno(E_FAILED, "capset");

    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
        die_errno(E_FAILED, "prctl PR_CAP_AMBIENT_CLEAR_ALL");
    for (cap = 0; cap <= last; cap++)
        if ((cfg->cap_ambient & (1ULL << cap)) &&
            prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
            die_errno(E_FAILED, "prctl PR_CAP_AMBIENT_RAISE %s (must be in "
                      "permitted and inheritable)", cap_name(cap));
}

void cloexec_all_fds(void)
{
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
        die_errno(E_FAILED, "close_range");
}
