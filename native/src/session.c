#include "session.h"

#include <errno.h>
#include <linux/keyctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

void session_isolate(void)
{
    if (setsid() < 0) die_errno(E_FAILED, "setsid");
    /* NULL name: an anonymous keyring nobody else can join by name. Every
     * process of one user shares the key quota (keyrings(7)
     * /proc/sys/kernel/keys/maxkeys): say so when that is the cause. */
    if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, (char *)0, 0, 0, 0) < 0) {
        if (errno == ENOSYS) return; /* kernel without keyrings: nothing to leak */
        if (errno == EDQUOT)
            die_errno(E_FAILED, "keyctl KEYCTL_JOIN_SESSION_KEYRING (the user's key quota, "
                      "/proc/sys/kernel/keys/maxkeys, is used up)");
        die_errno(E_FAILED, "keyctl KEYCTL_JOIN_SESSION_KEYRING");
    }
}

void set_dumpable(int on)
{
    if (prctl(PR_SET_DUMPABLE, on ? 1 : 0, 0, 0, 0) < 0)
        die_errno(E_FAILED, "prctl PR_SET_DUMPABLE %d", on ? 1 : 0);
}
