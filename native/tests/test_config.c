#include <stdlib.h>
#include <sys/mount.h>

#include "config.h"
#include "mounts.h"
#include "tap.h"

#define BASE_PROCESS "\"process\":{\"user\":{\"uid\":1,\"gid\":2,\"additionalGids\":[3]},\"args\":[\"sh\"],\"env\":[\"PATH=/bin\"],\"cwd\":\"/w\",\"noNewPrivileges\":true," \
    "\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"]},\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":512}]}"
#define BASE_LINUX "\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"mount\"},{\"type\":\"pid\"},{\"type\":\"uts\"},{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"}]," \
    "\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]," \
    "\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"]"

static struct config *parse(const char *s, char *err)
{
    return config_parse(s, strlen(s), "/bundle", err, 512);
}

/* Build a config with one extra fragment spliced in; expect refusal. */
static int refused(const char *top, const char *linux_extra, const char *want, char *err)
{
    char buf[4096];
    struct config *c;
    snprintf(buf, sizeof buf, "{\"ociVersion\":\"1.2.0\"," BASE_PROCESS ",\"root\":{\"path\":\"rootfs\"}%s%s," BASE_LINUX "%s%s}}",
             top[0] ? "," : "", top, linux_extra[0] ? "," : "", linux_extra);
    c = parse(buf, err);
    if (c) { config_free(c); return 0; }
    if (want && !strstr(err, want)) { printf("#   error was: %s\n", err); return 0; }
    return 1;
}

int main(void)
{
    char err[512];
    struct config *c;
    struct mount_config m;
    char *dir, *s;
    const char *good =
        "{\"ociVersion\":\"1.2.0\"," BASE_PROCESS ",\"root\":{\"path\":\"rootfs\"},\"hostname\":\"h\","
        "\"mounts\":[{\"destination\":\"/\",\"type\":\"overlay\",\"source\":\"overlay\",\"options\":[\"lowerdir=/a:/b\",\"upperdir=/u\",\"workdir=/w\",\"userxattr\"]},"
        "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\",\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
        "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\",\"options\":[\"nosuid\",\"newinstance\",\"ptmxmode=0666\",\"gid=5\"]},"
        "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv\",\"options\":[\"rbind\",\"ro\",\"rprivate\"]},"
        "{\"destination\":\"/x\",\"type\":\"none\",\"source\":\"/srv\",\"options\":[\"bind\"]}],"
        BASE_LINUX ",\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}}, \"annotations\":{\"a\":\"b\"}}";
    plan(66);

    c = parse(good, err);
    ok(c != NULL, "sample config parses (%s)", c ? "" : err);
    if (!c) return 1;
    is_str(c->rootfs, "/bundle/rootfs", "rootfs relative to bundle");
    ok(c->uid == 1 && c->gid == 2 && c->n_additional_gids == 1 && c->additional_gids[0] == 3, "user");
    ok(c->args[0] && !c->args[1] && c->env[0] && !c->env[1], "args/env NULL-terminated");
    is_str(c->cwd, "/w", "cwd");
    ok(c->no_new_privs, "noNewPrivileges");
    ok(c->cap_bounding == ((1ULL << 0) | (1ULL << 5)) && c->cap_effective == 1ULL << 5 && c->cap_permitted == 0, "capabilities");
    ok(c->n_rlimits == 1 && c->rlimits[0].soft == 512 && c->rlimits[0].hard == 1024, "rlimits");
    ok(c->n_mounts == 5 && strcmp(c->mounts[0].type, "overlay") == 0, "mounts");
    is_str(c->mounts[0].data, "lowerdir=/a:/b,upperdir=/u,workdir=/w,userxattr", "overlay data");
    ok(c->mounts[1].flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV) && !c->mounts[1].data[0], "proc flags");
    is_str(c->mounts[2].data, "newinstance,ptmxmode=0666,gid=5", "devpts data");
    ok(c->mounts[3].bind && c->mounts[3].recursive && c->mounts[3].flags == MS_RDONLY &&
       c->mounts[3].propagation == (MS_PRIVATE | MS_REC), "rbind ro rprivate");
    ok(c->mounts[4].bind && !c->mounts[4].recursive && strcmp(c->mounts[4].type, "bind") == 0, "type none + bind");
    ok(c->ns[NS_USER].wanted && !c->ns[NS_USER].path && c->ns[NS_NET].path && !c->ns[NS_IPC].wanted, "namespaces");
    ok(c->uid_map.n == 1 && c->uid_map.e[0].host == 1000, "uidMappings");
    ok(c->n_masked == 1 && c->n_readonly == 1 && c->n_sysctl == 1, "masked/readonly/sysctl");
    config_free(c);

    ok(refused("\"hooks\":{\"prestart\":[{\"path\":\"x\"}]}", "", "absolute", err), "relative hook path refused");
    ok(refused("\"hooks\":{\"poststop\":[{\"path\":\"/x\",\"timeout\":0}]}", "", "out of range", err), "hook timeout 0 refused (must be > 0)");
    c = parse("{\"ociVersion\":\"1.2.0\",\"process\":{\"args\":[\"true\"],\"cwd\":\"/\"},\"root\":{\"path\":\"r\"},"
              "\"hooks\":{\"createRuntime\":[{\"path\":\"/bin/a\",\"args\":[\"a\",\"1\"],\"env\":[\"X=1\"],\"timeout\":5}],"
              "\"poststop\":[{\"path\":\"/bin/b\"},{\"path\":\"/bin/c\"}]},\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"mount\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],\"rootfsPropagation\":\"rshared\"}}", err);
    ok(c && c->n_hooks[HOOK_CREATE_RUNTIME] == 1 && c->hooks[HOOK_CREATE_RUNTIME][0].timeout == 5 &&
       strcmp(c->hooks[HOOK_CREATE_RUNTIME][0].args[1], "1") == 0 && strcmp(c->hooks[HOOK_CREATE_RUNTIME][0].env[0], "X=1") == 0 &&
       c->n_hooks[HOOK_POSTSTOP] == 2 && c->n_hooks[HOOK_PRESTART] == 0, "hooks parsed in order with args, env, timeout");
    ok(c && c->rootfs_propagation == (MS_SHARED | MS_REC), "rootfsPropagation rshared");
    if (!c) printf("#   error was: %s\n", err);
    config_free(c);
    ok(refused("\"hooks\":{}", "", NULL, err) == 0, "empty hooks accepted");
    ok(refused("", "\"resources\":{\"memory\":{\"limit\":1}}", "cgroupsPath", err), "resources without cgroupsPath refused");
    ok(refused("", "\"resources\":{}", NULL, err) == 0, "empty resources accepted");
    ok(refused("", "\"cgroupsPath\":\"/x\",\"resources\":{\"memory\":{\"limit\":1},\"cpu\":{\"quota\":50000,\"period\":100000},\"pids\":{\"limit\":10}}", NULL, err) == 0, "cgroupsPath + memory/cpu/pids accepted");
    ok(refused("", "\"cgroupsPath\":\"x/y\",\"resources\":{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":1}],\"cpu\":{\"cpus\":\"0\",\"mems\":\"0\",\"burst\":0,\"idle\":0},"
                       "\"blockIO\":{\"weight\":500,\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":300}],\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1}]},"
                       "\"memory\":{\"disableOOMKiller\":false},\"unified\":{\"memory.high\":\"max\"}}", NULL, err) == 0,
       "relative cgroupsPath + hugetlb, cpuset, cpu burst/idle, io weight/throttles, unified accepted");
    ok(refused("", "\"cgroupsPath\":\"/x\",\"resources\":{\"cpu\":{\"realtimeRuntime\":1}}", "no real-time CPU bandwidth", err), "realtimeRuntime refused with its reason");
    ok(refused("", "\"cgroupsPath\":\"a/../../b\"", "'..' components", err), "cgroupsPath with .. refused");
    ok(refused("", "\"cgroupsPath\":\"/a//b\"", "empty", err), "cgroupsPath with an empty component refused");
    ok(refused("", "\"cgroupsPath\":\"a/\"", "empty", err), "cgroupsPath with a trailing slash refused");
    ok(refused("", "\"cgroupsPath\":\"/\"", "empty", err), "cgroupsPath / refused");
    ok(refused("", "\"cgroupsPath\":\"./a\"", "'.'", err), "cgroupsPath with . refused");
    ok(refused("", "\"cgroupsPath\":\"a/b.c/d\"", NULL, err) == 0, "relative cgroupsPath with dots in names accepted");
    ok(refused("", "\"cgroupsPath\":\"/x\",\"resources\":{\"memory\":{\"swappiness\":10}}", "no per-cgroup swappiness", err), "memory.swappiness refused with its reason");
    ok(refused("", "\"cgroupsPath\":\"/x\",\"resources\":{\"memory\":{\"kernel\":1048576}}", "no separate kernel memory", err), "memory.kernel refused with its reason");
    ok(refused("", "\"cgroupsPath\":\"/x\",\"resources\":{\"memory\":{\"disableOOMKiller\":true}}", "cannot disable the OOM killer", err), "disableOOMKiller true refused");
    ok(refused("", "\"cgroupsPath\":\"/x\",\"resources\":{\"network\":{\"classID\":1}}", "cgroup v1", err), "network refused (v1 only)");
    ok(refused("", "\"cgroupsPath\":\"/x\",\"resources\":{\"blockIO\":{\"leafWeight\":300}}", "no leaf weight", err), "blockIO.leafWeight refused");
    ok(refused("", "\"cgroupsPath\":\"/x\",\"resources\":{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":1,\"leafWeight\":1}]}}", "no leaf weight", err), "weightDevice leafWeight refused");
    ok(refused("", "\"cgroupsPath\":\"/x\",\"resources\":{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8}]}}", "major, minor and rate", err), "throttle entry without minor/rate refused");
    ok(refused("", "\"cgroupsPath\":\"/x\",\"resources\":{\"memory\":{\"limit\":\"64m\"}}", "expected an integer", err), "a string memory limit refused");
    ok(refused("", "\"cgroupsPath\":\"/x\",\"resources\":{\"unified\":{\"cgroup.procs\":\"1\"}}", "not a cgroup v2 interface file", err), "unified cgroup.procs refused");
    ok(refused("", "\"cgroupsPath\":\"/x\",\"resources\":{\"unified\":{\"../memory.max\":\"1\"}}", "not a cgroup v2 interface file", err), "unified path outside the cgroup refused");
    ok(refused("", "\"cgroupsPath\":\"/x\",\"resources\":{\"hugepageLimits\":[{\"pageSize\":\"../2MB\",\"limit\":1}]}", "pageSize", err), "hugepage size with a path refused");
    ok(refused("\"mounts\":[{\"destination\":\"/c\",\"type\":\"cgroup\"}]", "", "cgroup", err), "unknown mount type refused");
    ok(refused("\"mounts\":[{\"destination\":\"/c\",\"type\":\"overlay\"}]", "", "root filesystem", err), "overlay off / refused");
    ok(refused("\"mounts\":[{\"destination\":\"c\",\"type\":\"tmpfs\"}]", "", "absolute", err), "relative destination refused");
    ok(refused("\"mounts\":[{\"destination\":\"/c\",\"type\":\"bind\",\"source\":\"/x\",\"options\":[\"idmap\"]}]", "", "idmap", err), "idmap option refused");
    ok(refused("\"mounts\":[{\"destination\":\"/c\",\"type\":\"bind\",\"source\":\"/x\",\"options\":[\"size=1\"]}]", "", NULL, err) == 0, "data option on bind ignored (as mount(2) does)");
    ok(refused("\"bogus\":1", "", NULL, err) == 0, "unknown top-level key ignored (runtime-spec: MUST NOT error)");
    ok(refused("", "\"intelRdt\":{\"closID\":\"x\"}", "intelRdt", err), "known but unsupported linux key refused");
    ok(refused("", "\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}", NULL, err) == 0, "device cgroup rules accepted");
    ok(refused("", "\"devices\":[{\"path\":\"/dev/fuse\"}]", "devices", err), "devices refused");
    ok(refused("", "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}", "SCMP_ACT_NOTIFY", err), "seccomp notify refused");
    ok(refused("", "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ALLOW\"}]}", NULL, err) == 0,
       "seccomp accepted");
    ok(refused("", "\"rootfsPropagation\":\"bogus\"", "rootfsPropagation", err), "unknown rootfs propagation refused");
    ok(!parse("{\"ociVersion\":\"1.2.0\"}", err) && strstr(err, "process"), "missing process refused");
    ok(!parse("{\"ociVersion\":\"1.2.0\",", err) && strstr(err, "invalid JSON"), "bad JSON reported");

    c = parse(good, err);
    {
        const char *proc = "{\"args\":[\"ps\",\"-ef\"],\"user\":{\"uid\":5,\"gid\":6},\"cwd\":\"/tmp\",\"terminal\":true}";
        ok(c && config_replace_process(c, proc, strlen(proc), err, sizeof err) == 0 &&
           strcmp(c->args[1], "-ef") == 0 && c->uid == 5 && c->terminal && c->cap_bounding == 0 &&
           c->n_rlimits == 0 && !c->no_new_privs, "exec --process replaces process settings");
        ok(config_replace_process(c, "{\"args\":[]}", 11, err, sizeof err) < 0, "exec --process with empty args refused");
    }
    config_free(c);

    memset(&m, 0, sizeof m);
    ok(mount_option("ro", &m) == 0 && mount_option("rw", &m) == 0 && !(m.flags & MS_RDONLY) && (m.clear & MS_RDONLY), "rw clears ro");
    ok(mount_option("strictatime", &m) == 0 && (m.flags & MS_STRICTATIME), "strictatime");
    ok(mount_option("mode=755", &m) == 1, "mode= goes to data");

    s = overlay_shorten("lowerdir=/s/layers/a/diff:/s/layers/b/diff,upperdir=/s/containers/x/upper,workdir=/s/containers/x/work,userxattr", &dir);
    is_str(s, "lowerdir=layers/a/diff:layers/b/diff,upperdir=containers/x/upper,workdir=containers/x/work,userxattr", "overlay paths made relative");
    is_str(dir, "/s", "common parent");
    free(s);
    free(dir);
    done_testing();
}
