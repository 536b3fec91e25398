#include <signal.h>
#include <sys/resource.h>

#include "names.h"
#include "tap.h"

int main(void)
{
    plan(14);
    ok(signal_from_name("TERM") == SIGTERM, "TERM");
    ok(signal_from_name("SIGKILL") == SIGKILL, "SIGKILL");
    ok(signal_from_name("sigint") == SIGINT, "lowercase sigint");
    ok(signal_from_name("9") == 9, "number");
    ok(signal_from_name("RTMIN+2") == SIGRTMIN + 2, "RTMIN+2");
    ok(signal_from_name("NOPE") == -1, "unknown name");
    ok(signal_from_name("0") == -1 && signal_from_name("999") == -1, "out of range numbers");
    ok(signal_from_name("") == -1, "empty");
    ok(cap_from_name("CAP_CHOWN") == 0, "CAP_CHOWN");
    ok(cap_from_name("CAP_CHECKPOINT_RESTORE") == 40, "CAP_CHECKPOINT_RESTORE");
    ok(cap_from_name("CAP_NOPE") == -1 && cap_from_name("chown") == -1, "unknown caps");
    is_str(cap_name(21), "CAP_SYS_ADMIN", "cap_name");
    ok(rlimit_from_name("RLIMIT_NOFILE") == RLIMIT_NOFILE, "RLIMIT_NOFILE");
    ok(rlimit_from_name("NOFILE") == -1, "rlimit needs prefix");
    done_testing();
}
