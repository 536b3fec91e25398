/* cgroup v2 for one container (Documentation/admin-guide/cgroup-v2.rst).
 * The engine passes linux.cgroupsPath under the subtree delegated to the
 * user; the runtime creates it, writes the limits, and moves the container's
 * init there before it is released, so nothing runs unlimited. Conversions
 * of the v1-style spec values follow runc/crun (cpu shares -> cpu.weight,
 * blkio weight -> io.weight). */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "util.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

static int known(const struct json *obj, const char *const *keys, const char *what, char *err, size_t errlen)
{
    size_t i, k;
    if (!obj) return 0;
    if (obj->type != JSON_OBJECT) {
        snprintf(err, errlen, "%s must be an object", what);
        return -1;
    }
    for (i = 0; i < obj->len; i++) {
        for (k = 0; keys[k]; k++)
            if (strcmp(obj->keys[i], keys[k]) == 0) break;
        if (!keys[k] && obj->items[i]->type != JSON_NULL) {
            snprintf(err, errlen, "%s.%s is not supported", what, obj->keys[i]);
            return -1;
        }
    }
    return 0;
}

int cgroup_check_resources(const struct json *r, char *err, size_t errlen)
{
    static const char *const top[] = {"memory", "cpu", "pids", "blockIO", "devices", NULL};
    static const char *const mem[] = {"limit", "swap", "reservation", NULL};
    static const char *const cpu[] = {"quota", "period", "shares", NULL};
    static const char *const pids[] = {"limit", NULL};
    static const char *const blk[] = {"weight", NULL};
    if (!r) return 0;
    if (known(r, top, "linux.resources", err, errlen) < 0) return -1;
    if (known(json_get(r, "memory"), mem, "linux.resources.memory", err, errlen) < 0) return -1;
    if (known(json_get(r, "cpu"), cpu, "linux.resources.cpu", err, errlen) < 0) return -1;
    if (known(json_get(r, "pids"), pids, "linux.resources.pids", err, errlen) < 0) return -1;
    if (known(json_get(r, "blockIO"), blk, "linux.resources.blockIO", err, errlen) < 0) return -1;
    /* devices: accepted and not applied (config.c says why). */
    return 0;
}

static int64_t num(const struct json *obj, const char *key, int64_t dflt)
{
    const struct json *v = json_get(obj, key);
    if (!v || v->type != JSON_NUMBER) return dflt;
    return v->is_int ? v->integer : (int64_t)v->number;
}

static void put(const char *dir, const char *file, const char *value)
{
    char *p = xasprintf("%s/%s", dir, file);
    int fd = open(p, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            die(E_CONFIG, "%s: the %s controller is not enabled for this cgroup (delegate it: Delegate=yes)", p, file);
        die_errno(E_FAILED, "open %s", p);
    }
    if (write(fd, value, strlen(value)) < 0) die_errno(E_CONFIG, "write '%s' to %s", value, p);
    close(fd);
    free(p);
}

static void apply(const char *dir, const struct json *r)
{
    const struct json *m = json_get(r, "memory"), *c = json_get(r, "cpu"),
                      *p = json_get(r, "pids"), *b = json_get(r, "blockIO");
    char buf[64];
    int64_t limit, swap, quota, period, shares, weight;
    if (m) {
        limit = num(m, "limit", 0);
        swap = num(m, "swap", 0);
        if (num(m, "reservation", 0) > 0) {
            snprintf(buf, sizeof buf, "%" PRId64, num(m, "reservation", 0));
            put(dir, "memory.low", buf);
        }
        if (limit > 0) {
            snprintf(buf, sizeof buf, "%" PRId64, limit);
            put(dir, "memory.max", buf);
        }
        /* The spec's swap is memory+swap (docker's --memory-swap); v2's memory.swap.max is swap alone. -1: unlimited. */
        if (swap == -1) put(dir, "memory.swap.max", "max");
        else if (swap > 0 && limit > 0) {
            if (swap < limit) die(E_CONFIG, "memory.swap (%" PRId64 ") is below memory.limit (%" PRId64 ")", swap, limit);
            snprintf(buf, sizeof buf, "%" PRId64, swap - limit);
            put(dir, "memory.swap.max", buf);
        }
    }
    if (c) {
        quota = num(c, "quota", 0);
        period = num(c, "period", 100000);
        if (quota > 0) {
            snprintf(buf, sizeof buf, "%" PRId64 " %" PRId64, quota, period);
            put(dir, "cpu.max", buf);
        }
        shares = num(c, "shares", 0);
        if (shares > 0) {
            /* runc's ConvertCPUSharesToCgroupV2Value: [2, 262144] -> [1, 10000]. */
            if (shares < 2) shares = 2;
            if (shares > 262144) shares = 262144;
            snprintf(buf, sizeof buf, "%" PRId64, 1 + ((shares - 2) * 9999) / 262142);
            put(dir, "cpu.weight", buf);
        }
    }
    if (p && num(p, "limit", 0) != 0) {
        if (num(p, "limit", 0) < 0) put(dir, "pids.max", "max");
        else {
            snprintf(buf, sizeof buf, "%" PRId64, num(p, "limit", 0));
            put(dir, "pids.max", buf);
        }
    }
    if (b && (weight = num(b, "weight", 0)) > 0) {
        /* runc's ConvertBlkIOToIOWeightValue: [10, 1000] -> [1, 10000]. */
        snprintf(buf, sizeof buf, "default %" PRId64, 1 + ((weight - 10) * 9999) / 990);
        put(dir, "io.weight", buf);
    }
}

void cgroup_enter(const char *path, const struct json *resources, pid_t pid, const char *state_dir, const char *bundle)
{
    char *dir, *rec, *mark, buf[32];
    if (path[0] != '/' || strstr(path, "/..") || strstr(path, "//"))
        die(E_CONFIG, "linux.cgroupsPath '%s' must be an absolute cgroup path", path);
    dir = xasprintf(CGROUP_ROOT "%s", path);
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        if (errno == EACCES || errno == EPERM)
            die(E_CONFIG, "cannot create cgroup %s: its parent is not delegated to this user", dir);
        die_errno(E_FAILED, "mkdir %s", dir);
    }
    rec = xasprintf("%s/cgroup", state_dir);
    if (write_file_atomic(rec, path, strlen(path), 0600) < 0) die_errno(E_FAILED, "write %s", rec);
    free(rec);
    mark = xasprintf("%s/oom-killed", bundle);
    if (unlink(mark) < 0 && errno != ENOENT) die_errno(E_FAILED, "unlink %s", mark);
    free(mark);
    if (resources) apply(dir, resources);
    snprintf(buf, sizeof buf, "%d", (int)pid);
    put(dir, "cgroup.procs", buf);
    free(dir);
}

void cgroup_remove(const char *state_dir, const char *bundle)
{
    char *rec = xasprintf("%s/cgroup", state_dir), *path, *dir, *ev, *events;
    size_t len;
    int i;
    path = read_file(rec, 4096, &len);
    free(rec);
    if (!path) return;
    path[strcspn(path, "\n")] = 0;
    dir = xasprintf(CGROUP_ROOT "%s", path);
    ev = xasprintf("%s/memory.events", dir);
    events = read_file(ev, 4096, &len);
    if (events && bundle) {
        const char *k = strstr(events, "oom_kill ");
        if (k && strtoll(k + 9, NULL, 10) > 0) {
            char *mark = xasprintf("%s/oom-killed", bundle);
            if (write_file_atomic(mark, "1\n", 2, 0644) < 0) { /* the exit code still says 137 */ }
            free(mark);
        }
    }
    free(events);
    free(ev);
    /* The init is dead; its other processes may still be exiting: up to 2 s. */
    for (i = 0; i < 200 && rmdir(dir) < 0 && errno == EBUSY; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    free(dir);
    free(path);
}
