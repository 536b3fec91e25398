#include "config.h"
#include "cgroup.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "util.h"

/* Parsing bails out with longjmp: config errors are fatal and the process
 * (or the test) discards everything, so there is nothing to unwind. */
struct ctx {
    jmp_buf jb;
    char *err;
    size_t errlen;
};

static _Noreturn void bad(struct ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void bad(struct ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
    longjmp(c->jb, 1);
}

static void want_type(struct ctx *c, const struct json *j, enum json_type t,
                      const char *where)
{
    if (j->type != t)
        bad(c, "%s: expected %s, got %s", where, json_type_name(t),
            json_type_name(j->type));
}

static int is_empty(const struct json *j);

/* Keys the spec does not define are ignored with a warning: the runtime
 * spec says a runtime MUST NOT generate an error on an unknown property
 * (config.md, "Extensibility"). Known settings cove-runtime cannot honour
 * are still refused where they are parsed. */
static void check_keys(struct ctx *c, const struct json *obj, const char *where,
                       const char *const *allowed)
{
    size_t i, k;
    (void)c;
    for (i = 0; i < obj->len; i++) {
        for (k = 0; allowed[k]; k++)
            if (strcmp(obj->keys[i], allowed[k]) == 0) break;
        if (!allowed[k])
            warnx_("%s.%s is not a runtime-spec property: ignored", where, obj->keys[i]);
    }
}

/* Spec properties cove-runtime cannot honour: refused when set, since
 * ignoring them would give a container weaker than asked for. */
static void refuse_set(struct ctx *c, const struct json *obj, const char *where,
                       const char *const *names)
{
    size_t k;
    for (k = 0; names[k]; k++)
        if (!is_empty(json_get(obj, names[k])))
            bad(c, "%s.%s is not supported by cove-runtime", where, names[k]);
}

static const char *get_str(struct ctx *c, const struct json *obj,
                           const char *key, const char *where, int required)
{
    struct json *j = json_get(obj, key);
    if (!j) {
        if (required) bad(c, "%s.%s is required", where, key);
        return NULL;
    }
    if (j->type != JSON_STRING) bad(c, "%s.%s: expected string", where, key);
    return j->string;
}

static int get_bool(struct ctx *c, const struct json *obj, const char *key,
                    const char *where)
{
    struct json *j = json_get(obj, key);
    if (!j) return 0;
    if (j->type != JSON_BOOL) bad(c, "%s.%s: expected boolean", where, key);
    return j->boolean;
}

static int64_t num(struct ctx *c, const struct json *j, int64_t min,
                   int64_t max, const char *where)
{
    if (j->type != JSON_NUMBER || !j->is_int)
        bad(c, "%s: expected integer", where);
    if (j->integer < min || j->integer > max)
        bad(c, "%s: %lld out of range", where, (long long)j->integer);
    return j->integer;
}

static uint64_t unum(struct ctx *c, const struct json *j, const char *where)
{
    /* rlimit values may be 2^64-1 (RLIM_INFINITY), beyond int64: accept
     * the double form for numbers that large. */
    if (j->type != JSON_NUMBER) bad(c, "%s: expected integer", where);
    if (j->is_int) {
        if (j->integer < 0) bad(c, "%s: negative", where);
        return (uint64_t)j->integer;
    }
    if (j->number >= 9.2e18 && j->number <= 1.8446744073709552e19)
        return UINT64_MAX;
    bad(c, "%s: expected integer", where);
}

static char **str_array(struct ctx *c, const struct json *j, const char *where,
                        size_t *count)
{
    char **out;
    size_t i;
    want_type(c, j, JSON_ARRAY, where);
    out = xcalloc(j->len + 1, sizeof *out);
    for (i = 0; i < j->len; i++) {
        if (j->items[i]->type != JSON_STRING)
            bad(c, "%s[%zu]: expected string", where, i);
        out[i] = j->items[i]->string;
    }
    if (count) *count = j->len;
    return out;
}

/* An object that may be present only if it carries no settings. */
static int is_empty(const struct json *j)
{
    size_t i;
    if (!j || j->type == JSON_NULL) return 1;
    if (j->type == JSON_STRING) return j->string[0] == 0;
    if (j->type == JSON_ARRAY) return j->len == 0;
    if (j->type != JSON_OBJECT) return 0;
    for (i = 0; i < j->len; i++)
        if (!is_empty(j->items[i])) return 0;
    return 1;
}

int mount_option(const char *o, struct mount_config *m)
{
    static const struct { const char *name; unsigned long set, clear; } f[] = {
        {"ro", MS_RDONLY, 0}, {"rw", 0, MS_RDONLY},
        {"nosuid", MS_NOSUID, 0}, {"suid", 0, MS_NOSUID},
        {"nodev", MS_NODEV, 0}, {"dev", 0, MS_NODEV},
        {"noexec", MS_NOEXEC, 0}, {"exec", 0, MS_NOEXEC},
        {"sync", MS_SYNCHRONOUS, 0}, {"async", 0, MS_SYNCHRONOUS},
        {"dirsync", MS_DIRSYNC, 0},
        {"noatime", MS_NOATIME, 0}, {"atime", 0, MS_NOATIME},
        {"nodiratime", MS_NODIRATIME, 0}, {"diratime", 0, MS_NODIRATIME},
        {"relatime", MS_RELATIME, 0}, {"norelatime", 0, MS_RELATIME},
        {"strictatime", MS_STRICTATIME, 0}, {"nostrictatime", 0, MS_STRICTATIME},
        {"lazytime", MS_LAZYTIME, 0}, {"nolazytime", 0, MS_LAZYTIME},
        {"silent", MS_SILENT, 0}, {"loud", 0, MS_SILENT},
        {"defaults", 0, 0},
    };
    static const struct { const char *name; unsigned long prop; } p[] = {
        {"private", MS_PRIVATE}, {"rprivate", MS_PRIVATE | MS_REC},
        {"shared", MS_SHARED}, {"rshared", MS_SHARED | MS_REC},
        {"slave", MS_SLAVE}, {"rslave", MS_SLAVE | MS_REC},
        {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
    };
    static const char *const unsupported[] = {
        "remount", "mand", "nomand", "idmap", "ridmap", "rro", "rrw",
        "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec",
        "tmpcopyup", "copy-symlink", "rnoatime", "ratime", "rrelatime",
        "rnorelatime", "rstrictatime", "rnostrictatime", "rnodiratime",
        "rdiratime", "rnosymfollow", "rsymfollow", "nosymfollow", "symfollow",
        NULL,
    };
    size_t i;
    for (i = 0; i < sizeof f / sizeof *f; i++) {
        if (strcmp(o, f[i].name) == 0) {
            m->flags = (m->flags & ~f[i].clear) | f[i].set;
            m->clear = (m->clear & ~f[i].set) | f[i].clear;
            return 0;
        }
    }
    if (strcmp(o, "bind") == 0) { m->bind = 1; return 0; }
    if (strcmp(o, "rbind") == 0) { m->bind = 1; m->recursive = 1; return 0; }
    for (i = 0; i < sizeof p / sizeof *p; i++)
        if (strcmp(o, p[i].name) == 0) { m->propagation = p[i].prop; return 0; }
    for (i = 0; unsupported[i]; i++)
        if (strcmp(o, unsupported[i]) == 0) return -1;
    return 1;
}

static void parse_mount(struct ctx *c, const struct json *j, size_t idx,
                        struct mount_config *m)
{
    static const char *const keys[] = {"destination", "type", "source",
                                       "options", "uidMappings", "gidMappings", NULL};
    static const char *const types[] = {"overlay", "proc", "tmpfs", "devpts",
                                        "mqueue", "sysfs", "bind", NULL};
    char where[64];
    const char *type;
    struct json *opts;
    size_t i, datalen = 0;
    snprintf(where, sizeof where, "mounts[%zu]", idx);
    static const char *const refused[] = {"uidMappings", "gidMappings", NULL};
    want_type(c, j, JSON_OBJECT, where);
    check_keys(c, j, where, keys);
    refuse_set(c, j, where, refused);
    m->destination = (char *)get_str(c, j, "destination", where, 1);
    if (m->destination[0] != '/')
        bad(c, "%s.destination '%s' must be absolute", where, m->destination);
    type = get_str(c, j, "type", where, 0);
    m->source = (char *)get_str(c, j, "source", where, 0);
    opts = json_get(j, "options");
    if (opts) {
        char **o = str_array(c, opts, where, NULL);
        for (i = 0; i < opts->len; i++) datalen += strlen(o[i]) + 1;
        m->data = xcalloc(datalen + 1, 1);
        for (i = 0; i < opts->len; i++) {
            int r = mount_option(o[i], m);
            if (r < 0)
                bad(c, "%s: mount option '%s' is not supported", where, o[i]);
            if (r == 1) {
                if (m->data[0]) strcat(m->data, ",");
                strcat(m->data, o[i]);
            }
        }
        free(o);
    }
    /* runc treats any mount with a bind option as a bind mount whatever its
     * type, and type "bind" without the option as a plain bind. */
    if (!type || !*type || strcmp(type, "none") == 0 || strcmp(type, "bind") == 0) {
        if (!m->bind && !(type && strcmp(type, "bind") == 0))
            bad(c, "%s: missing type", where);
        type = "bind";
    }
    if (m->bind) type = "bind";
    m->bind = strcmp(type, "bind") == 0;
    for (i = 0; types[i]; i++)
        if (strcmp(type, types[i]) == 0) break;
    if (!types[i])
        bad(c, "%s: mount type '%s' is not supported", where, type);
    m->type = (char *)type;
    if (m->bind && (!m->source || !*m->source))
        bad(c, "%s: bind mount needs a source", where);
    if (m->bind && m->data && m->data[0]) {
        /* mount(2) ignores data for MS_BIND; runc does too. */
        warnx_("%s: filesystem option(s) '%s' mean nothing on a bind mount: ignored", where, m->data);
        m->data[0] = 0;
    }
    if (strcmp(type, "overlay") == 0 && strcmp(m->destination, "/") != 0)
        bad(c, "%s: overlay is only supported as the root filesystem (destination /)",
            where);
    if (strcmp(m->destination, "/") == 0 && strcmp(type, "overlay") != 0)
        bad(c, "%s: only an overlay may be mounted at /", where);
}

static void parse_idmap(struct ctx *c, const struct json *j, const char *where,
                        struct idmap *m)
{
    static const char *const keys[] = {"containerID", "hostID", "size", NULL};
    char msg[256];
    size_t i;
    want_type(c, j, JSON_ARRAY, where);
    if (j->len > IDMAP_MAX) bad(c, "%s: too many ranges", where);
    for (i = 0; i < j->len; i++) {
        struct json *e = j->items[i], *v;
        want_type(c, e, JSON_OBJECT, where);
        check_keys(c, e, where, keys);
        if (!(v = json_get(e, "containerID"))) bad(c, "%s[%zu].containerID is required", where, i);
        m->e[i].container = (uint32_t)num(c, v, 0, UINT32_MAX, where);
        if (!(v = json_get(e, "hostID"))) bad(c, "%s[%zu].hostID is required", where, i);
        m->e[i].host = (uint32_t)num(c, v, 0, UINT32_MAX, where);
        if (!(v = json_get(e, "size"))) bad(c, "%s[%zu].size is required", where, i);
        m->e[i].size = (uint32_t)num(c, v, 1, UINT32_MAX, where);
    }
    m->n = j->len;
    if (idmap_validate(m, msg, sizeof msg) < 0) bad(c, "%s: %s", where, msg);
}

static uint64_t parse_capset(struct ctx *c, const struct json *j,
                             const char *where)
{
    uint64_t set = 0;
    size_t i;
    want_type(c, j, JSON_ARRAY, where);
    for (i = 0; i < j->len; i++) {
        int cap;
        if (j->items[i]->type != JSON_STRING) bad(c, "%s: expected strings", where);
        cap = cap_from_name(j->items[i]->string);
        if (cap < 0) bad(c, "%s: unknown capability '%s'", where, j->items[i]->string);
        set |= 1ULL << cap;
    }
    return set;
}

static void parse_process(struct ctx *c, struct config *cfg, const struct json *p)
{
    static const char *const keys[] = {
        "terminal", "consoleSize", "user", "args", "env", "cwd",
        "capabilities", "rlimits", "noNewPrivileges", "oomScoreAdj",
        "apparmorProfile", "selinuxLabel", "ioPriority", "scheduler",
        "execCPUAffinity", NULL};
    static const char *const ukeys[] = {"uid", "gid", "umask", "additionalGids", NULL};
    static const char *const ckeys[] = {"bounding", "effective", "permitted",
                                        "inheritable", "ambient", NULL};
    struct json *j, *u;
    size_t i, n;
    static const char *const refused[] = {"ioPriority", "scheduler", "execCPUAffinity", NULL};
    want_type(c, p, JSON_OBJECT, "process");
    check_keys(c, p, "process", keys);
    refuse_set(c, p, "process", refused);
    if (!is_empty(json_get(p, "apparmorProfile")))
        bad(c, "process.apparmorProfile is not supported");
    if (!is_empty(json_get(p, "selinuxLabel")))
        bad(c, "process.selinuxLabel is not supported");
    cfg->terminal = get_bool(c, p, "terminal", "process");
    if ((j = json_get(p, "consoleSize"))) {
        static const char *const k[] = {"height", "width", NULL};
        want_type(c, j, JSON_OBJECT, "process.consoleSize");
        check_keys(c, j, "process.consoleSize", k);
        if (json_get(j, "height"))
            cfg->console_h = (unsigned short)num(c, json_get(j, "height"), 0, 65535, "consoleSize.height");
        if (json_get(j, "width"))
            cfg->console_w = (unsigned short)num(c, json_get(j, "width"), 0, 65535, "consoleSize.width");
    }
    if ((u = json_get(p, "user"))) {
        want_type(c, u, JSON_OBJECT, "process.user");
        check_keys(c, u, "process.user", ukeys);
        if ((j = json_get(u, "uid"))) cfg->uid = (uid_t)num(c, j, 0, UINT32_MAX - 1, "process.user.uid");
        if ((j = json_get(u, "gid"))) cfg->gid = (gid_t)num(c, j, 0, UINT32_MAX - 1, "process.user.gid");
        if ((j = json_get(u, "umask"))) {
            cfg->has_umask = 1;
            cfg->umask = (mode_t)num(c, j, 0, 0777, "process.user.umask");
        }
        if ((j = json_get(u, "additionalGids"))) {
            want_type(c, j, JSON_ARRAY, "process.user.additionalGids");
            cfg->additional_gids = xcalloc(j->len, sizeof(gid_t));
            for (i = 0; i < j->len; i++)
                cfg->additional_gids[i] = (gid_t)num(c, j->items[i], 0, UINT32_MAX - 1, "additionalGids");
            cfg->n_additional_gids = j->len;
        }
    }
    if (!(j = json_get(p, "args"))) bad(c, "process.args is required");
    cfg->args = str_array(c, j, "process.args", &n);
    if (n == 0) bad(c, "process.args must not be empty");
    if ((j = json_get(p, "env"))) {
        cfg->env = str_array(c, j, "process.env", &n);
        for (i = 0; i < n; i++)
            if (!strchr(cfg->env[i], '=') || cfg->env[i][0] == '=')
                bad(c, "process.env[%zu] '%s' is not NAME=VALUE", i, cfg->env[i]);
    } else {
        cfg->env = xcalloc(1, sizeof(char *));
    }
    cfg->cwd = (char *)get_str(c, p, "cwd", "process", 0);
    if (!cfg->cwd || !*cfg->cwd) cfg->cwd = "/";
    if (cfg->cwd[0] != '/') bad(c, "process.cwd '%s' must be absolute", cfg->cwd);
    cfg->no_new_privs = get_bool(c, p, "noNewPrivileges", "process");
    if ((j = json_get(p, "oomScoreAdj"))) {
        cfg->has_oom_score_adj = 1;
        cfg->oom_score_adj = (int)num(c, j, -1000, 1000, "process.oomScoreAdj");
    }
    if ((j = json_get(p, "capabilities"))) {
        want_type(c, j, JSON_OBJECT, "process.capabilities");
        check_keys(c, j, "process.capabilities", ckeys);
        cfg->has_caps = 1;
        if (json_get(j, "bounding")) cfg->cap_bounding = parse_capset(c, json_get(j, "bounding"), "capabilities.bounding");
        if (json_get(j, "effective")) cfg->cap_effective = parse_capset(c, json_get(j, "effective"), "capabilities.effective");
        if (json_get(j, "permitted")) cfg->cap_permitted = parse_capset(c, json_get(j, "permitted"), "capabilities.permitted");
        if (json_get(j, "inheritable")) cfg->cap_inheritable = parse_capset(c, json_get(j, "inheritable"), "capabilities.inheritable");
        if (json_get(j, "ambient")) cfg->cap_ambient = parse_capset(c, json_get(j, "ambient"), "capabilities.ambient");
    }
    if ((j = json_get(p, "rlimits"))) {
        static const char *const rk[] = {"type", "hard", "soft", NULL};
        want_type(c, j, JSON_ARRAY, "process.rlimits");
        cfg->rlimits = xcalloc(j->len, sizeof *cfg->rlimits);
        for (i = 0; i < j->len; i++) {
            struct json *r = j->items[i];
            const char *t;
            want_type(c, r, JSON_OBJECT, "process.rlimits[]");
            check_keys(c, r, "process.rlimits[]", rk);
            t = get_str(c, r, "type", "process.rlimits[]", 1);
            cfg->rlimits[i].resource = rlimit_from_name(t);
            if (cfg->rlimits[i].resource < 0) bad(c, "process.rlimits: unknown type '%s'", t);
            if (!json_get(r, "hard") || !json_get(r, "soft"))
                bad(c, "process.rlimits: %s needs hard and soft", t);
            cfg->rlimits[i].hard = unum(c, json_get(r, "hard"), t);
            cfg->rlimits[i].soft = unum(c, json_get(r, "soft"), t);
            if (cfg->rlimits[i].soft > cfg->rlimits[i].hard)
                bad(c, "process.rlimits: %s soft limit above hard limit", t);
        }
        cfg->n_rlimits = j->len;
    }
}

static enum seccomp_action sc_action(struct ctx *c, const char *s)
{
    static const struct { const char *n; enum seccomp_action a; } t[] = {
        {"SCMP_ACT_KILL", SA_KILL_THREAD}, {"SCMP_ACT_KILL_THREAD", SA_KILL_THREAD},
        {"SCMP_ACT_KILL_PROCESS", SA_KILL_PROCESS}, {"SCMP_ACT_TRAP", SA_TRAP},
        {"SCMP_ACT_ERRNO", SA_ERRNO}, {"SCMP_ACT_TRACE", SA_TRACE},
        {"SCMP_ACT_ALLOW", SA_ALLOW}, {"SCMP_ACT_LOG", SA_LOG},
    };
    size_t i;
    for (i = 0; i < sizeof t / sizeof *t; i++)
        if (strcmp(s, t[i].n) == 0) return t[i].a;
    bad(c, "linux.seccomp: action '%s' is not supported", s);
}

static void parse_seccomp(struct ctx *c, struct config *cfg, const struct json *s)
{
    static const char *const keys[] = {"defaultAction", "defaultErrnoRet",
                                       "architectures", "syscalls", "flags", NULL};
    static const char *const rkeys[] = {"names", "action", "errnoRet", "args",
                                        "comment", "includes", "excludes", NULL};
    static const char *const akeys[] = {"index", "value", "valueTwo", "op", NULL};
    static const char *const ops[] = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",
                                      "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
                                      "SCMP_CMP_MASKED_EQ", NULL};
    struct seccomp_config *sc = xcalloc(1, sizeof *sc);
    struct json *j;
    size_t i, k, a;
    want_type(c, s, JSON_OBJECT, "linux.seccomp");
    check_keys(c, s, "linux.seccomp", keys);
    if (!is_empty(json_get(s, "flags"))) bad(c, "linux.seccomp.flags is not supported");
    sc->default_action = sc_action(c, get_str(c, s, "defaultAction", "linux.seccomp", 1));
    sc->default_errno = 1; /* EPERM, as runc */
    if ((j = json_get(s, "defaultErrnoRet")))
        sc->default_errno = (unsigned)num(c, j, 0, 4095, "linux.seccomp.defaultErrnoRet");
    if ((j = json_get(s, "architectures")))
        sc->archs = str_array(c, j, "linux.seccomp.architectures", &sc->n_archs);
    if ((j = json_get(s, "syscalls"))) {
        want_type(c, j, JSON_ARRAY, "linux.seccomp.syscalls");
        sc->rules = xcalloc(j->len, sizeof *sc->rules);
        sc->n_rules = j->len;
        for (i = 0; i < j->len; i++) {
            struct json *r = j->items[i], *v;
            struct seccomp_rule *rule = &sc->rules[i];
            want_type(c, r, JSON_OBJECT, "linux.seccomp.syscalls[]");
            check_keys(c, r, "linux.seccomp.syscalls[]", rkeys);
            if (!is_empty(json_get(r, "includes")) || !is_empty(json_get(r, "excludes")))
                bad(c, "linux.seccomp.syscalls[%zu]: includes/excludes belong in "
                    "a profile, not in config.json", i);
            if (!(v = json_get(r, "names"))) bad(c, "linux.seccomp.syscalls[%zu].names is required", i);
            rule->names = str_array(c, v, "linux.seccomp.syscalls[].names", &rule->n_names);
            rule->action = sc_action(c, get_str(c, r, "action", "linux.seccomp.syscalls[]", 1));
            rule->errno_ret = rule->action == SA_ERRNO ? 1 : 0;
            if ((v = json_get(r, "errnoRet")))
                rule->errno_ret = (unsigned)num(c, v, 0, 65535, "errnoRet");
            if ((v = json_get(r, "args"))) {
                want_type(c, v, JSON_ARRAY, "linux.seccomp.syscalls[].args");
                rule->args = xcalloc(v->len, sizeof *rule->args);
                rule->n_args = v->len;
                for (a = 0; a < v->len; a++) {
                    struct json *arg = v->items[a];
                    const char *op;
                    want_type(c, arg, JSON_OBJECT, "seccomp arg");
                    check_keys(c, arg, "linux.seccomp.syscalls[].args[]", akeys);
                    if (!json_get(arg, "index") || !json_get(arg, "value"))
                        bad(c, "seccomp arg needs index and value");
                    rule->args[a].index = (unsigned)num(c, json_get(arg, "index"), 0, 5, "seccomp arg index");
                    rule->args[a].value = unum(c, json_get(arg, "value"), "seccomp arg value");
                    if (json_get(arg, "valueTwo"))
                        rule->args[a].value_two = unum(c, json_get(arg, "valueTwo"), "seccomp arg valueTwo");
                    op = get_str(c, arg, "op", "seccomp arg", 1);
                    for (k = 0; ops[k]; k++)
                        if (strcmp(op, ops[k]) == 0) break;
                    if (!ops[k]) bad(c, "seccomp: unknown op '%s'", op);
                    rule->args[a].op = (enum seccomp_op)k;
                }
            }
        }
    }
    cfg->seccomp = sc;
}

static void parse_linux(struct ctx *c, struct config *cfg, const struct json *l)
{
    static const char *const keys[] = {
        "namespaces", "uidMappings", "gidMappings", "maskedPaths",
        "readonlyPaths", "seccomp", "sysctl", "resources", "cgroupsPath",
        "rootfsPropagation", "mountLabel", "devices", "intelRdt", "personality",
        "timeOffsets", "memoryPolicy", "netDevices", NULL};
    static const char *const nsnames[NS_COUNT] = {
        "user", "mount", "pid", "uts", "ipc", "network", "cgroup"};
    struct json *j;
    size_t i, k;
    const char *prop;
    static const char *const refused[] = {"intelRdt", "personality", "timeOffsets",
                                          "memoryPolicy", "netDevices", NULL};
    want_type(c, l, JSON_OBJECT, "linux");
    check_keys(c, l, "linux", keys);
    refuse_set(c, l, "linux", refused);
    cfg->cgroups_path = get_str(c, l, "cgroupsPath", "linux", 0);
    if (cfg->cgroups_path && !*cfg->cgroups_path) cfg->cgroups_path = NULL;
    if (cfg->cgroups_path) {
        char perr[512];
        if (cgroup_check_path(cfg->cgroups_path, perr, sizeof perr) < 0) bad(c, "%s", perr);
    }
    if ((j = json_get(l, "resources")) && j->type != JSON_OBJECT && !is_empty(j))
        bad(c, "linux.resources: expected object");
    if (j && j->type == JSON_OBJECT) {
        char cerr[512];
        /* Device cgroup rules need a device controller we do not have;
         * rootless, the only device nodes are the ones bind-mounted into
         * /dev, so the usual deny-all rule holds anyway (runc's rootless
         * mode ignores them too). Limits need a cgroup of their own. */
        for (i = 0; i < j->len; i++)
            if (strcmp(j->keys[i], "devices") != 0 && !is_empty(j->items[i]) && !cfg->cgroups_path)
                bad(c, "linux.resources.%s needs linux.cgroupsPath (a cgroup under a delegated subtree)", j->keys[i]);
        if (cgroup_check_resources(json_get(l, "resources"), cerr, sizeof cerr) < 0) bad(c, "%s", cerr);
        cfg->resources = json_get(l, "resources");
    }
    if (!is_empty(json_get(l, "mountLabel")))
        bad(c, "linux.mountLabel is not supported (no SELinux)");
    if (!is_empty(json_get(l, "devices")))
        bad(c, "linux.devices is not supported (device nodes cannot be created "
            "rootless; bind-mount them instead)");
    prop = get_str(c, l, "rootfsPropagation", "linux", 0);
    if (prop && *prop) {
        struct mount_config pm;
        memset(&pm, 0, sizeof pm);
        if (mount_option(prop, &pm) != 0 || !pm.propagation)
            bad(c, "linux.rootfsPropagation '%s' is not a propagation type", prop);
        cfg->rootfs_propagation = pm.propagation;
    }
    if ((j = json_get(l, "namespaces"))) {
        static const char *const nkeys[] = {"type", "path", NULL};
        want_type(c, j, JSON_ARRAY, "linux.namespaces");
        for (i = 0; i < j->len; i++) {
            struct json *n = j->items[i];
            const char *t, *path;
            want_type(c, n, JSON_OBJECT, "linux.namespaces[]");
            check_keys(c, n, "linux.namespaces[]", nkeys);
            t = get_str(c, n, "type", "linux.namespaces[]", 1);
            for (k = 0; k < NS_COUNT; k++)
                if (strcmp(t, nsnames[k]) == 0) break;
            if (k == NS_COUNT) bad(c, "linux.namespaces: type '%s' is not supported", t);
            if (cfg->ns[k].wanted) bad(c, "linux.namespaces: '%s' listed twice", t);
            cfg->ns[k].wanted = 1;
            path = get_str(c, n, "path", "linux.namespaces[]", 0);
            if (path && *path) {
                if (path[0] != '/') bad(c, "linux.namespaces: %s path must be absolute", t);
                cfg->ns[k].path = (char *)path;
            }
        }
    }
    if ((j = json_get(l, "uidMappings"))) parse_idmap(c, j, "linux.uidMappings", &cfg->uid_map);
    if ((j = json_get(l, "gidMappings"))) parse_idmap(c, j, "linux.gidMappings", &cfg->gid_map);
    if ((j = json_get(l, "maskedPaths")))
        cfg->masked = str_array(c, j, "linux.maskedPaths", &cfg->n_masked);
    if ((j = json_get(l, "readonlyPaths")))
        cfg->readonly = str_array(c, j, "linux.readonlyPaths", &cfg->n_readonly);
    for (i = 0; i < cfg->n_masked; i++)
        if (cfg->masked[i][0] != '/') bad(c, "linux.maskedPaths: '%s' must be absolute", cfg->masked[i]);
    for (i = 0; i < cfg->n_readonly; i++)
        if (cfg->readonly[i][0] != '/') bad(c, "linux.readonlyPaths: '%s' must be absolute", cfg->readonly[i]);
    if ((j = json_get(l, "sysctl"))) {
        want_type(c, j, JSON_OBJECT, "linux.sysctl");
        cfg->sysctl_keys = xcalloc(j->len + 1, sizeof(char *));
        cfg->sysctl_values = xcalloc(j->len + 1, sizeof(char *));
        for (i = 0; i < j->len; i++) {
            if (j->items[i]->type != JSON_STRING) bad(c, "linux.sysctl values must be strings");
            if (strstr(j->keys[i], "..") || strchr(j->keys[i], '/'))
                bad(c, "linux.sysctl: bad key '%s'", j->keys[i]);
            cfg->sysctl_keys[i] = j->keys[i];
            cfg->sysctl_values[i] = j->items[i]->string;
        }
        cfg->n_sysctl = j->len;
    }
    if ((j = json_get(l, "seccomp")) && j->type != JSON_NULL) parse_seccomp(c, cfg, j);
}

const char *const hook_names[HOOK_KINDS] = {
    "prestart", "createRuntime", "createContainer", "startContainer",
    "poststart", "poststop"};

static void parse_hooks(struct ctx *c, struct config *cfg, const struct json *h)
{
    static const char *const hkeys[] = {"path", "args", "env", "timeout", NULL};
    static const char *const kinds[] = {"prestart", "createRuntime", "createContainer",
                                        "startContainer", "poststart", "poststop", NULL};
    size_t k, i;
    want_type(c, h, JSON_OBJECT, "hooks");
    check_keys(c, h, "hooks", kinds);
    for (k = 0; k < HOOK_KINDS; k++) {
        struct json *arr = json_get(h, hook_names[k]);
        char where[64];
        if (!arr || arr->type == JSON_NULL) continue;
        snprintf(where, sizeof where, "hooks.%s", hook_names[k]);
        want_type(c, arr, JSON_ARRAY, where);
        cfg->hooks[k] = xcalloc(arr->len ? arr->len : 1, sizeof(struct hook));
        cfg->n_hooks[k] = arr->len;
        for (i = 0; i < arr->len; i++) {
            struct hook *hk = &cfg->hooks[k][i];
            struct json *v;
            want_type(c, arr->items[i], JSON_OBJECT, where);
            check_keys(c, arr->items[i], where, hkeys);
            hk->path = (char *)get_str(c, arr->items[i], "path", where, 1);
            if (hk->path[0] != '/') bad(c, "%s: path '%s' must be absolute", where, hk->path);
            if ((v = json_get(arr->items[i], "args"))) hk->args = str_array(c, v, where, NULL);
            if ((v = json_get(arr->items[i], "env"))) hk->env = str_array(c, v, where, NULL);
            if ((v = json_get(arr->items[i], "timeout")))
                hk->timeout = (int)num(c, v, 1, 86400, where); /* "MUST be greater than zero" */
        }
    }
}

static void parse_all(struct ctx *c, struct config *cfg, const char *bundle)
{
    static const char *const keys[] = {"ociVersion", "process", "root",
                                       "hostname", "domainname", "mounts",
                                       "linux", "annotations", "hooks", NULL};
    static const char *const rkeys[] = {"path", "readonly", NULL};
    const struct json *d = cfg->doc;
    struct json *j;
    const char *v, *rootpath;
    size_t i, roots = 0;
    want_type(c, d, JSON_OBJECT, "config.json");
    check_keys(c, d, "config", keys);
    v = get_str(c, d, "ociVersion", "config", 1);
    if (strncmp(v, "1.", 2) != 0) bad(c, "ociVersion '%s' is not supported (want 1.x)", v);
    if ((j = json_get(d, "hooks")) && j->type != JSON_NULL) parse_hooks(c, cfg, j);
    if ((j = json_get(d, "annotations"))) want_type(c, j, JSON_OBJECT, "annotations");
    if (!(j = json_get(d, "process"))) bad(c, "process is required");
    parse_process(c, cfg, j);
    if (!(j = json_get(d, "root"))) bad(c, "root is required");
    want_type(c, j, JSON_OBJECT, "root");
    check_keys(c, j, "root", rkeys);
    rootpath = get_str(c, j, "path", "root", 1);
    if (!*rootpath) bad(c, "root.path is empty");
    cfg->root_readonly = get_bool(c, j, "readonly", "root");
    cfg->bundle = xstrdup(bundle);
    cfg->rootfs = rootpath[0] == '/' ? xstrdup(rootpath)
                                     : xasprintf("%s/%s", bundle, rootpath);
    cfg->hostname = (char *)get_str(c, d, "hostname", "config", 0);
    cfg->domainname = (char *)get_str(c, d, "domainname", "config", 0);
    if ((j = json_get(d, "mounts"))) {
        want_type(c, j, JSON_ARRAY, "mounts");
        cfg->mounts = xcalloc(j->len, sizeof *cfg->mounts);
        cfg->n_mounts = j->len;
        for (i = 0; i < j->len; i++) {
            parse_mount(c, j->items[i], i, &cfg->mounts[i]);
            if (strcmp(cfg->mounts[i].destination, "/") == 0 && ++roots > 1)
                bad(c, "mounts: more than one mount at /");
        }
    }
    if (!(j = json_get(d, "linux"))) bad(c, "linux is required");
    parse_linux(c, cfg, j);
    /* Rootless: without our own user namespace nothing below can work. */
    if (!cfg->ns[NS_USER].wanted)
        bad(c, "linux.namespaces must include 'user' (cove-runtime is rootless)");
    if (!cfg->ns[NS_MOUNT].wanted || cfg->ns[NS_MOUNT].path)
        bad(c, "linux.namespaces must include a new 'mount' namespace");
    if (!cfg->ns[NS_USER].path && (cfg->uid_map.n == 0 || cfg->gid_map.n == 0))
        bad(c, "linux.uidMappings and linux.gidMappings are required for a new user namespace");
    if (cfg->ns[NS_USER].path && (cfg->uid_map.n || cfg->gid_map.n))
        bad(c, "uidMappings/gidMappings cannot be set when joining a user namespace");
    if (cfg->hostname && *cfg->hostname && (!cfg->ns[NS_UTS].wanted || cfg->ns[NS_UTS].path))
        bad(c, "hostname needs a new uts namespace");
    if (cfg->domainname && *cfg->domainname && (!cfg->ns[NS_UTS].wanted || cfg->ns[NS_UTS].path))
        bad(c, "domainname needs a new uts namespace");
}

struct config *config_parse(const char *text, size_t len, const char *bundle,
                            char *err, size_t errlen)
{
    struct ctx c;
    char jerr[256];
    struct config *cfg = xcalloc(1, sizeof *cfg);
    c.err = err;
    c.errlen = errlen;
    cfg->doc = json_parse(text, len, jerr, sizeof jerr);
    if (!cfg->doc) {
        snprintf(err, errlen, "config.json: invalid JSON at %s", jerr);
        free(cfg);
        return NULL;
    }
    if (setjmp(c.jb)) {
        /* Partially parsed pieces are leaked: the caller exits. */
        json_free(cfg->doc);
        free(cfg);
        return NULL;
    }
    parse_all(&c, cfg, bundle);
    return cfg;
}

struct config *config_load(const char *bundle)
{
    char *path = xasprintf("%s/config.json", bundle);
    char err[1024];
    size_t len;
    char *text = read_file(path, 16 << 20, &len);
    struct config *cfg;
    if (!text) die_errno(E_CONFIG, "read %s", path);
    cfg = config_parse(text, len, bundle, err, sizeof err);
    if (!cfg) die(E_CONFIG, "%s: %s", path, err);
    free(text);
    free(path);
    return cfg;
}

void config_free(struct config *c)
{
    size_t i;
    if (!c) return;
    for (i = 0; i < c->n_mounts; i++) free(c->mounts[i].data);
    free(c->mounts);
    free(c->args);
    free(c->env);
    free(c->additional_gids);
    free(c->rlimits);
    free(c->masked);
    free(c->readonly);
    free(c->sysctl_keys);
    free(c->sysctl_values);
    for (i = 0; i < HOOK_KINDS; i++) {
        size_t k;
        for (k = 0; k < c->n_hooks[i]; k++) {
            free(c->hooks[i][k].args);
            free(c->hooks[i][k].env);
        }
        free(c->hooks[i]);
    }
    if (c->seccomp) {
        for (i = 0; i < c->seccomp->n_rules; i++) {
            free(c->seccomp->rules[i].names);
            free(c->seccomp->rules[i].args);
        }
        free(c->seccomp->rules);
        free(c->seccomp->archs);
        free(c->seccomp);
    }
    free(c->bundle);
    free(c->rootfs);
    json_free(c->doc);
    free(c);
}

int config_replace_process(struct config *cfg, const char *text, size_t len,
                           char *err, size_t errlen)
{
    struct ctx c;
    char jerr[256];
    struct json *doc = json_parse(text, len, jerr, sizeof jerr);
    if (!doc) {
        snprintf(err, errlen, "process.json: invalid JSON at %s", jerr);
        return -1;
    }
    c.err = err;
    c.errlen = errlen;
    if (setjmp(c.jb)) return -1;
    /* A process object replaces every process setting of the container. */
    cfg->terminal = 0;
    cfg->console_h = cfg->console_w = 0;
    cfg->uid = 0;
    cfg->gid = 0;
    cfg->n_additional_gids = 0;
    cfg->has_umask = 0;
    cfg->no_new_privs = 0;
    cfg->has_oom_score_adj = 0;
    cfg->has_caps = 0;
    cfg->cap_bounding = cfg->cap_effective = cfg->cap_permitted = 0;
    cfg->cap_inheritable = cfg->cap_ambient = 0;
    cfg->n_rlimits = 0;
    parse_process(&c, cfg, doc);
    /* doc is kept alive: cfg now points into it. */
    return 0;
}
