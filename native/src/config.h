/* OCI runtime-spec config.json, the subset Cove supports. Anything set but
 * unsupported is refused (E_RUNTIME_CONFIG) rather than silently ignored. */
#ifndef COVE_CONFIG_H
#define COVE_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "idmap.h"
#include "json.h"
#include "names.h"

enum ns_kind { NS_USER, NS_MOUNT, NS_PID, NS_UTS, NS_IPC, NS_NET, NS_CGROUP,
               NS_COUNT };

struct ns_config {
    int wanted;     /* listed in linux.namespaces */
    char *path;     /* join instead of create */
};

struct mount_config {
    char *destination;
    char *type;     /* "bind" for bind mounts (type may be empty/"none") */
    char *source;
    unsigned long flags;      /* MS_* from options (no MS_BIND/MS_REC) */
    unsigned long clear;      /* flags explicitly cleared (rw, suid, ...) */
    int bind, recursive;
    unsigned long propagation; /* MS_PRIVATE etc or 0 */
    char *data;     /* comma-joined unknown options */
};

struct rlimit_config {
    int resource;
    uint64_t soft, hard;
};

enum seccomp_action { SA_KILL_THREAD, SA_KILL_PROCESS, SA_TRAP, SA_ERRNO,
                      SA_TRACE, SA_ALLOW, SA_LOG };
enum seccomp_op { SO_NE, SO_LT, SO_LE, SO_EQ, SO_GE, SO_GT, SO_MASKED_EQ };

struct seccomp_arg {
    unsigned index;
    uint64_t value, value_two;
    enum seccomp_op op;
};

struct seccomp_rule {
    char **names;
    size_t n_names;
    enum seccomp_action action;
    unsigned errno_ret;   /* for SA_ERRNO (default EPERM) / SA_TRACE */
    struct seccomp_arg *args;
    size_t n_args;
};

struct seccomp_config {
    enum seccomp_action default_action;
    unsigned default_errno;
    char **archs;
    size_t n_archs;
    struct seccomp_rule *rules;
    size_t n_rules;
};

/* runtime-spec config.md "POSIX-platform Hooks", in lifecycle order. */
enum hook_kind { HOOK_PRESTART, HOOK_CREATE_RUNTIME, HOOK_CREATE_CONTAINER,
                 HOOK_START_CONTAINER, HOOK_POSTSTART, HOOK_POSTSTOP, HOOK_KINDS };

struct hook {
    char *path;
    char **args;    /* NULL-terminated, or NULL: argv is just path */
    char **env;     /* NULL-terminated, or NULL: empty environment */
    int timeout;    /* seconds; 0 = none */
};

struct config {
    struct json *doc;
    char *bundle;       /* absolute */
    char *rootfs;       /* absolute */
    int root_readonly;

    int terminal;
    unsigned short console_h, console_w;
    uid_t uid;
    gid_t gid;
    gid_t *additional_gids;
    size_t n_additional_gids;
    int has_umask;
    mode_t umask;
    char **args;        /* NULL-terminated */
    char **env;         /* NULL-terminated */
    char *cwd;
    int no_new_privs;
    int has_oom_score_adj;
    int oom_score_adj;
    int has_caps;
    uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable,
        cap_ambient;
    struct rlimit_config *rlimits;
    size_t n_rlimits;

    char *hostname;
    char *domainname;

    struct mount_config *mounts;
    size_t n_mounts;

    struct ns_config ns[NS_COUNT];
    struct idmap uid_map, gid_map;
    char **masked;
    size_t n_masked;
    char **readonly;
    size_t n_readonly;
    char **sysctl_keys, **sysctl_values;
    size_t n_sysctl;
    struct seccomp_config *seccomp;
    /* linux.cgroupsPath and linux.resources (pointers into doc; cgroup.c applies them). */
    const char *cgroups_path;
    const struct json *resources;
    unsigned long rootfs_propagation; /* MS_SHARED etc. for / after pivot_root, or 0 */
    struct hook *hooks[HOOK_KINDS];
    size_t n_hooks[HOOK_KINDS];
};

extern const char *const hook_names[HOOK_KINDS];

/* Load bundle/config.json; dies with E_RUNTIME_CONFIG on any problem. */
struct config *config_load(const char *bundle);
/* Parse from memory (for tests): returns NULL and fills err on failure. */
struct config *config_parse(const char *text, size_t len, const char *bundle,
                            char *err, size_t errlen);
void config_free(struct config *c);
/* cove-runtime exec --process FILE: replace cfg's process settings with
 * those of a runtime-spec process object. -1 + err on failure. */
int config_replace_process(struct config *cfg, const char *text, size_t len,
                           char *err, size_t errlen);

/* Mount options -> flags; returns 0 if known (flag-ish) option, 1 if it
 * should go to the data string, -1 if it is known but unsupported. */
int mount_option(const char *opt, struct mount_config *m);

#endif
