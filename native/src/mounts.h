/* Root filesystem assembly inside the container's mount namespace. */
#ifndef COVE_MOUNTS_H
#define COVE_MOUNTS_H

#include "config.h"

enum { RESOLVE_NOCREATE = 0, RESOLVE_CREATE_DIR = 1, RESOLVE_CREATE_FILE = 2 };

/* Resolve path inside the tree at rootfd as if rootfd were "/": symlinks
 * (absolute or with "..") never leave it. Missing components are created
 * when asked. Returns an O_PATH fd, or -1 with errno. */
int resolve_in_root(int rootfd, const char *path, int create);
/* Same, and the resolved path (absolute, inside the root, no symlinks) in
 * out. */
int resolve_in_root_path(int rootfd, const char *path, int create, char *out, size_t outlen);
/* Refuse (die E_RUNTIME_MOUNT) a config mount that would land in /proc
 * or put proc/sysfs on a symlink. */
void check_destination(int rootfd, const struct mount_config *m, const char *bundle);

/* Everything up to (not including) pivot_root: rootfs mount, config mounts,
 * /dev, sysctls, masked and read-only paths. Dies on error. */
void rootfs_setup(const struct config *cfg);
/* pivot_root into cfg->rootfs and detach the old root. */
void rootfs_pivot(const struct config *cfg);

/* Overlay data longer than a page: rewrite paths relative to their common
 * parent, returned in *dir (malloc'd; NULL when nothing changed).
 * Returns the new data string (malloc'd). Exposed for tests. */
char *overlay_shorten(const char *data, char **dir);

#endif
