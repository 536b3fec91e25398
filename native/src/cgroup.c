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

/* What this runtime applies, per object, and why it refuses the rest: every
 * field either reaches a cgroup v2 file or is refused with its reason, none
 * is ignored. NULL reason: applied. */
struct field {
    const char *key;
    enum { F_INT, F_STR, F_DEV_LIST, F_OBJ, F_LIST, F_ANY } type;
    const char *refused;
};

static const struct field top_fields[] = {
    {"memory", F_OBJ, NULL}, {"cpu", F_OBJ, NULL}, {"pids", F_OBJ, NULL},
    {"blockIO", F_OBJ, NULL}, {"hugepageLimits", F_LIST, NULL}, {"unified", F_OBJ, NULL},
    /* devices: accepted and not applied (config.c says why). */
    {"devices", F_ANY, NULL},
    {"network", F_ANY, "net_cls and net_prio exist only in cgroup v1"},
    {"rdma", F_ANY, "the rdma controller is not delegated to containers"},
    {NULL, F_ANY, NULL}};
static const struct field memory_fields[] = {
    {"limit", F_INT, NULL}, {"reservation", F_INT, NULL}, {"swap", F_INT, NULL},
    {"kernel", F_ANY, "cgroup v2 has no separate kernel memory limit (kernel memory counts against memory.max)"},
    {"kernelTCP", F_ANY, "cgroup v2 has no separate TCP buffer limit (it counts against memory.max)"},
    {"swappiness", F_ANY, "cgroup v2 has no per-cgroup swappiness"},
    {"disableOOMKiller", F_ANY, "cgroup v2 cannot disable the OOM killer for a cgroup"},
    {"useHierarchy", F_ANY, "cgroup v2 is always hierarchical"},
    {"checkBeforeUpdate", F_ANY, "not supported"},
    {NULL, F_ANY, NULL}};
static const struct field cpu_fields[] = {
    {"shares", F_INT, NULL}, {"quota", F_INT, NULL}, {"period", F_INT, NULL},
    {"burst", F_INT, NULL}, {"idle", F_INT, NULL}, {"cpus", F_STR, NULL}, {"mems", F_STR, NULL},
    {"realtimeRuntime", F_ANY, "cgroup v2 has no real-time CPU bandwidth for a group (cpu.rt_runtime_us is v1 only)"},
    {"realtimePeriod", F_ANY, "cgroup v2 has no real-time CPU bandwidth for a group (cpu.rt_period_us is v1 only)"},
    {NULL, F_ANY, NULL}};
static const struct field pids_fields[] = {{"limit", F_INT, NULL}, {NULL, F_ANY, NULL}};
static const struct field blkio_fields[] = {
    {"weight", F_INT, NULL}, {"weightDevice", F_DEV_LIST, NULL},
    {"throttleReadBpsDevice", F_DEV_LIST, NULL}, {"throttleWriteBpsDevice", F_DEV_LIST, NULL},
    {"throttleReadIOPSDevice", F_DEV_LIST, NULL}, {"throttleWriteIOPSDevice", F_DEV_LIST, NULL},
    {"leafWeight", F_ANY, "cgroup v2's io controller has no leaf weight"},
    {NULL, F_ANY, NULL}};

static int fail(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
    snprintf(err, errlen, fmt, a, b);
    return -1;
}

static int is_int(const struct json *v)
{
    return v && v->type == JSON_NUMBER && v->is_int;
}

static int check_object(const struct json *obj, const struct field *fields, const char *what, char *err, size_t errlen)
{
    size_t i, k;
    if (!obj || obj->type == JSON_NULL) return 0;
    if (obj->type != JSON_OBJECT) return fail(err, errlen, "%s must be an object%s", what, "");
    for (i = 0; i < obj->len; i++) {
        const struct json *v = obj->items[i];
        const struct field *f = NULL;
        for (k = 0; fields[k].key; k++)
            if (strcmp(obj->keys[i], fields[k].key) == 0) f = &fields[k];
        if (v->type == JSON_NULL) continue;
        if (!f) {
            snprintf(err, errlen, "%s.%s is not supported", what, obj->keys[i]);
            return -1;
        }
        /* false is the absence of a v1 switch (e.g. disableOOMKiller): nothing to refuse. */
        if (f->refused && !(v->type == JSON_BOOL && !v->boolean)) {
            snprintf(err, errlen, "%s.%s is not supported: %s", what, f->key, f->refused);
            return -1;
        }
        if ((f->type == F_INT && !is_int(v)) || (f->type == F_STR && v->type != JSON_STRING) ||
            (f->type == F_OBJ && v->type != JSON_OBJECT) ||
            ((f->type == F_LIST || f->type == F_DEV_LIST) && v->type != JSON_ARRAY)) {
            snprintf(err, errlen, "%s.%s: expected %s", what, f->key,
                     f->type == F_INT ? "an integer" : f->type == F_STR ? "a string" : f->type == F_OBJ ? "an object" : "an array");
            return -1;
        }
        if (f->type == F_DEV_LIST) {
            size_t d;
            for (d = 0; d < v->len; d++) {
                const struct json *e = v->items[d];
                int weight = strcmp(f->key, "weightDevice") == 0;
                if (e->type != JSON_OBJECT || !is_int(json_get(e, "major")) || !is_int(json_get(e, "minor")) ||
                    !is_int(json_get(e, weight ? "weight" : "rate")))
                {
                    snprintf(err, errlen, "%s.%s: each entry needs integer major, minor and %s", what, f->key, weight ? "weight" : "rate");
                    return -1;
                }
                if (weight && json_get(e, "leafWeight") && json_get(e, "leafWeight")->type != JSON_NULL)
                    return fail(err, errlen, "%s.%s.leafWeight is not supported: cgroup v2's io controller has no leaf weight", what, f->key);
            }
        }
    }
    return 0;
}

int cgroup_check_resources(const struct json *r, char *err, size_t errlen)
{
    const struct json *v;
    size_t i;
    if (!r) return 0;
    if (check_object(r, top_fields, "linux.resources", err, errlen) < 0) return -1;
    if (check_object(json_get(r, "memory"), memory_fields, "linux.resources.memory", err, errlen) < 0) return -1;
    if (check_object(json_get(r, "cpu"), cpu_fields, "linux.resources.cpu", err, errlen) < 0) return -1;
    if (check_object(json_get(r, "pids"), pids_fields, "linux.resources.pids", err, errlen) < 0) return -1;
    if (check_object(json_get(r, "blockIO"), blkio_fields, "linux.resources.blockIO", err, errlen) < 0) return -1;
    if ((v = json_get(r, "hugepageLimits")) && v->type == JSON_ARRAY)
        for (i = 0; i < v->len; i++) {
            const struct json *e = v->items[i], *ps = json_get(e, "pageSize");
            if (e->type != JSON_OBJECT || !ps || ps->type != JSON_STRING || !is_int(json_get(e, "limit")) ||
                !*ps->string || strchr(ps->string, '/') || ps->string[0] == '.')
                return fail(err, errlen, "linux.resources.hugepageLimits: each entry needs a pageSize (e.g. \"2MB\") and an integer limit%s%s", "", "");
        }
    if ((v = json_get(r, "unified")) && v->type == JSON_OBJECT)
        for (i = 0; i < v->len; i++) {
            const char *k = v->keys[i];
            /* A file of this cgroup's own directory, never one of the files
             * the runtime manages (cgroup.procs etc.) or a path elsewhere. */
            if (!strchr(k, '.') || strchr(k, '/') || k[0] == '.' || strncmp(k, "cgroup.", 7) == 0)
                return fail(err, errlen, "linux.resources.unified: '%s' is not a cgroup v2 interface file this runtime writes%s", k, "");
            if (v->items[i]->type != JSON_STRING)
                return fail(err, errlen, "linux.resources.unified.%s: expected a string%s", k, "");
        }
    return 0;
}

static int64_t num(const struct json *obj, const char *key, int64_t dflt)
{
    const struct json *v = json_get(obj, key);
    if (!v || v->type != JSON_NUMBER) return dflt;
    return v->is_int ? v->integer : (int64_t)v->number;
}

static const char *str(const struct json *obj, const char *key)
{
    const struct json *v = json_get(obj, key);
    return v && v->type == JSON_STRING ? v->string : NULL;
}

/* Whether the controller a file belongs to ("memory" for memory.max) is enabled here. */
static int controller_enabled(const char *dir, const char *file)
{
    char *p = xasprintf("%s/cgroup.controllers", dir), *list, *tok, *save = NULL;
    size_t len, n = strcspn(file, ".");
    int found = 0;
    list = read_file(p, 4096, &len);
    free(p);
    if (!list) return 0;
    for (tok = strtok_r(list, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
        if (strlen(tok) == n && strncmp(tok, file, n) == 0) found = 1;
    free(list);
    return found;
}

/* Writes value to dir/file; returns 0, or the errno of a write the kernel refused (EOPNOTSUPP, EINVAL...). */
static int try_put(const char *dir, const char *file, const char *value)
{
    char *p = xasprintf("%s/%s", dir, file);
    int fd = open(p, O_WRONLY | O_CLOEXEC), e = 0;
    if (fd < 0) {
        if (errno == ENOENT && !controller_enabled(dir, file))
            die(E_CONFIG, "%s: the %.*s controller is not enabled for this cgroup (delegate it: Delegate=yes)", p, (int)strcspn(file, "."), file);
        if (errno == ENOENT) die(E_CONFIG, "%s: this kernel has no such cgroup file (value not supported here)", p);
        die_errno(E_FAILED, "open %s", p);
    }
    if (write(fd, value, strlen(value)) < 0) e = errno;
    close(fd);
    free(p);
    return e;
}

static void put(const char *dir, const char *file, const char *value)
{
    int e = try_put(dir, file, value);
    if (e) {
        errno = e;
        die_errno(E_CONFIG, "write '%s' to %s/%s", value, dir, file);
    }
}

static void put_int(const char *dir, const char *file, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRId64, v);
    put(dir, file, buf);
}

/* runc's ConvertBlkIOToIOWeightValue: [10, 1000] -> [1, 10000]. */
static int64_t io_weight(int64_t w)
{
    return 1 + ((w - 10) * 9999) / 990;
}

static void apply_io(const char *dir, const struct json *b)
{
    static const struct { const char *key, *io_max; } throttle[] = {
        {"throttleReadBpsDevice", "rbps"}, {"throttleWriteBpsDevice", "wbps"},
        {"throttleReadIOPSDevice", "riops"}, {"throttleWriteIOPSDevice", "wiops"}};
    const struct json *list;
    char buf[96];
    size_t t, i;
    if (num(b, "weight", 0) > 0) {
        snprintf(buf, sizeof buf, "default %" PRId64, io_weight(num(b, "weight", 0)));
        put(dir, "io.weight", buf);
    }
    if ((list = json_get(b, "weightDevice")) && list->type == JSON_ARRAY)
        for (i = 0; i < list->len; i++) {
            const struct json *e = list->items[i];
            snprintf(buf, sizeof buf, "%" PRId64 ":%" PRId64 " %" PRId64, num(e, "major", 0), num(e, "minor", 0), io_weight(num(e, "weight", 0)));
            /* Per-device weights are iocost's (or BFQ's io.bfq.weight): the kernel refuses them on a device without it. */
            if (try_put(dir, "io.weight", buf) == EOPNOTSUPP)
                die(E_CONFIG, "linux.resources.blockIO.weightDevice %" PRId64 ":%" PRId64 ": this device has no weight-based IO control "
                    "(the kernel needs the iocost controller enabled on it, io.cost.qos)", num(e, "major", 0), num(e, "minor", 0));
        }
    /* io.max takes one "MAJ:MIN key=value" per write and keeps the other keys (cgroup-v2.rst "IO Interface Files"). */
    for (t = 0; t < sizeof throttle / sizeof throttle[0]; t++)
        if ((list = json_get(b, throttle[t].key)) && list->type == JSON_ARRAY)
            for (i = 0; i < list->len; i++) {
                const struct json *e = list->items[i];
                snprintf(buf, sizeof buf, "%" PRId64 ":%" PRId64 " %s=%" PRId64, num(e, "major", 0), num(e, "minor", 0), throttle[t].io_max, num(e, "rate", 0));
                put(dir, "io.max", buf);
            }
}

static void apply(const char *dir, const struct json *r)
{
    const struct json *m = json_get(r, "memory"), *c = json_get(r, "cpu"),
                      *p = json_get(r, "pids"), *b = json_get(r, "blockIO"),
                      *h = json_get(r, "hugepageLimits"), *u = json_get(r, "unified");
    char buf[64];
    int64_t limit, swap, quota, period, shares;
    size_t i;
    if (m) {
        limit = num(m, "limit", 0);
        swap = num(m, "swap", 0);
        if (num(m, "reservation", 0) > 0) put_int(dir, "memory.low", num(m, "reservation", 0));
        if (limit > 0) put_int(dir, "memory.max", limit);
        /* The spec's swap is memory+swap (docker's --memory-swap); v2's memory.swap.max is swap alone. -1: unlimited. */
        if (swap == -1) put(dir, "memory.swap.max", "max");
        else if (swap > 0) {
            if (limit <= 0) die(E_CONFIG, "linux.resources.memory.swap needs memory.limit (it is memory + swap)");
            if (swap < limit) die(E_CONFIG, "memory.swap (%" PRId64 ") is below memory.limit (%" PRId64 ")", swap, limit);
            put_int(dir, "memory.swap.max", swap - limit);
        }
    }
    if (c) {
        quota = num(c, "quota", 0);
        period = num(c, "period", 0);
        /* cpu.max is "$MAX $PERIOD"; a period alone keeps the quota unlimited. */
        if (quota > 0 || quota == -1 || period > 0) {
            if (quota > 0) snprintf(buf, sizeof buf, "%" PRId64 " %" PRId64, quota, period > 0 ? period : 100000);
            else snprintf(buf, sizeof buf, "max %" PRId64, period > 0 ? period : 100000);
            put(dir, "cpu.max", buf);
        }
        if (json_get(c, "burst") && json_get(c, "burst")->type == JSON_NUMBER) put_int(dir, "cpu.max.burst", num(c, "burst", 0));
        if (json_get(c, "idle") && json_get(c, "idle")->type == JSON_NUMBER) put_int(dir, "cpu.idle", num(c, "idle", 0));
        shares = num(c, "shares", 0);
        if (shares > 0) {
            /* runc's ConvertCPUSharesToCgroupV2Value: [2, 262144] -> [1, 10000]. */
            if (shares < 2) shares = 2;
            if (shares > 262144) shares = 262144;
            put_int(dir, "cpu.weight", 1 + ((shares - 2) * 9999) / 262142);
        }
        if (str(c, "cpus") && *str(c, "cpus")) put(dir, "cpuset.cpus", str(c, "cpus"));
        if (str(c, "mems") && *str(c, "mems")) put(dir, "cpuset.mems", str(c, "mems"));
    }
    if (p && num(p, "limit", 0) != 0) {
        if (num(p, "limit", 0) < 0) put(dir, "pids.max", "max");
        else put_int(dir, "pids.max", num(p, "limit", 0));
    }
    if (b) apply_io(dir, b);
    if (h && h->type == JSON_ARRAY)
        for (i = 0; i < h->len; i++) {
            char *f = xasprintf("hugetlb.%s.max", str(h->items[i], "pageSize"));
            put_int(dir, f, num(h->items[i], "limit", 0));
            free(f);
        }
    if (u && u->type == JSON_OBJECT)
        for (i = 0; i < u->len; i++) put(dir, u->keys[i], u->items[i]->string);
}

/* runc's rule for a relative linux.cgroupsPath (libcontainer/cgroups/fs2
 * defaultpath.go): under the parent of the caller's own cgroup, which is the
 * delegated subtree when the caller sits in a leaf of it. */
int cgroup_check_path(const char *path, char *err, size_t errlen)
{
    const char *c = path[0] == '/' ? path + 1 : path, *slash;
    size_t len;
    for (;;) {
        slash = strchr(c, '/');
        len = slash ? (size_t)(slash - c) : strlen(c);
        if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.')) {
            snprintf(err, errlen, "linux.cgroupsPath '%s': empty, '.' and '..' components are not allowed", path);
            return -1;
        }
        if (!slash) return 0;
        c = slash + 1;
    }
}

static char *resolve_path(const char *path)
{
    char *own, *nl, *slash, *out, err[512];
    size_t len;
    if (cgroup_check_path(path, err, sizeof err) < 0) die(E_CONFIG, "%s", err);
    if (path[0] == '/') return xstrdup(path);
    own = read_file("/proc/self/cgroup", 4096, &len);
    if (!own || strncmp(own, "0::/", 4) != 0)
        die(E_CONFIG, "linux.cgroupsPath '%s' is relative, and this process is not in a cgroup v2 hierarchy to resolve it against", path);
    if ((nl = strchr(own, '\n'))) *nl = 0;
    slash = strrchr(own + 3, '/');
    *slash = 0;
    out = xasprintf("%s/%s", own + 3, path);
    free(own);
    return out;
}

/* mkdir -p under CGROUP_ROOT; each level made here gets its parent's
 * controllers enabled for its children, so the leaf can take limits.
 * Returns how many levels above the leaf were made here. */
static int make_path(const char *path)
{
    char *dir = xasprintf(CGROUP_ROOT "%s", path), *s;
    size_t base = strlen(CGROUP_ROOT);
    int made_parents = 0;
    for (s = dir + base + 1;; s++) {
        int leaf = *s == 0;
        if (*s != '/' && !leaf) continue;
        *s = 0;
        if (mkdir(dir, 0755) == 0) {
            if (!leaf) {
                char *ctl = xasprintf("%s/cgroup.controllers", dir), *list, *tok, *save = NULL;
                size_t len;
                made_parents++;
                list = read_file(ctl, 4096, &len);
                free(ctl);
                for (tok = list ? strtok_r(list, " \n", &save) : NULL; tok; tok = strtok_r(NULL, " \n", &save)) {
                    char *on = xasprintf("+%s", tok);
                    put(dir, "cgroup.subtree_control", on);
                    free(on);
                }
                free(list);
            }
        } else if (errno != EEXIST) {
            if (errno == EACCES || errno == EPERM)
                die(E_CONFIG, "cannot create cgroup %s: its parent is not delegated to this user", dir);
            die_errno(E_FAILED, "mkdir %s", dir);
        }
        if (leaf) break;
        *s = '/';
    }
    free(dir);
    return made_parents;
}

void cgroup_enter(const char *cgroups_path, const struct json *resources, pid_t pid, const char *state_dir, const char *bundle)
{
    char *path = resolve_path(cgroups_path), *dir, *rec, *mark, *line, buf[32];
    int made_parents = make_path(path);
    dir = xasprintf(CGROUP_ROOT "%s", path);
    /* The path, and how many levels above it this container made (removed with it). */
    line = xasprintf("%s\n%d\n", path, made_parents);
    rec = xasprintf("%s/cgroup", state_dir);
    if (write_file_atomic(rec, line, strlen(line), 0600) < 0) die_errno(E_FAILED, "write %s", rec);
    free(rec);
    free(line);
    mark = xasprintf("%s/oom-killed", bundle);
    if (unlink(mark) < 0 && errno != ENOENT) die_errno(E_FAILED, "unlink %s", mark);
    free(mark);
    if (resources) apply(dir, resources);
    snprintf(buf, sizeof buf, "%d", (int)pid);
    put(dir, "cgroup.procs", buf);
    free(dir);
    free(path);
}

void cgroup_remove(const char *state_dir, const char *bundle)
{
    char *rec = xasprintf("%s/cgroup", state_dir), *path, *dir, *ev, *events, *nl, *slash;
    size_t len;
    int i, parents = 0;
    path = read_file(rec, 4096, &len);
    free(rec);
    if (!path) return;
    if ((nl = strchr(path, '\n'))) {
        *nl = 0;
        parents = atoi(nl + 1);
    }
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
    /* The levels this container made above its own, while nothing else uses them (rmdir fails on a cgroup with children). */
    for (i = 0; i < parents && (slash = strrchr(dir, '/')) && slash > dir + strlen(CGROUP_ROOT); i++) {
        *slash = 0;
        if (rmdir(dir) < 0) break;
    }
    free(dir);
    free(path);
}
