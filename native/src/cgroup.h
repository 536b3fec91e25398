/* cgroup v2 for one container under a delegated subtree: linux.cgroupsPath
 * (absolute, or relative to the parent of the caller's cgroup) and
 * linux.resources (memory, cpu and cpuset, pids, io, hugetlb, unified). */
#ifndef COVE_CGROUP_H
#define COVE_CGROUP_H

#include <sys/types.h>

struct json;

/* Checks linux.resources: fills err and returns -1 on a key or value this
 * runtime does not apply (it never ignores a limit silently). */
int cgroup_check_resources(const struct json *resources, char *err, size_t errlen);

/* Checks linux.cgroupsPath's form (absolute or relative, no empty, '.' or
 * '..' component): fills err and returns -1 otherwise. */
int cgroup_check_path(const char *path, char *err, size_t errlen);

/* Creates /sys/fs/cgroup/<path> (and missing levels above it), writes the
 * limits, moves pid into it, records the path in state_dir/cgroup and clears bundle/oom-killed. Dies with E_RUNTIME_CONFIG on a
 * limit the kernel refuses and E_RUNTIME_FAILED otherwise. */
void cgroup_enter(const char *path, const struct json *resources, pid_t pid, const char *state_dir, const char *bundle);

/* On delete: if the container was OOM-killed, writes bundle/oom-killed;
 * then removes the cgroup recorded in state_dir (best effort). */
void cgroup_remove(const char *state_dir, const char *bundle);

#endif
