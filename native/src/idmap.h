/* User-namespace id mappings: parsing and writing them (directly when the
 * mapping is just ourselves, else through setuid newuidmap/newgidmap). */
#ifndef COVE_IDMAP_H
#define COVE_IDMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define IDMAP_MAX 340 /* kernel limit on uid_map lines, user_namespaces(7) */

struct idmap_entry {
    uint32_t container, host, size;
};

struct idmap {
    size_t n;
    struct idmap_entry e[IDMAP_MAX];
};

/* "C:H:S[,C:H:S...]" -> map. Returns 0, or -1 with a message in err. */
int idmap_parse(const char *s, struct idmap *m, char *err, size_t errlen);
/* Validate ranges (non-empty, no overflow, no overlap); -1 + err. */
int idmap_validate(const struct idmap *m, char *err, size_t errlen);
/* Map the user namespace of pid. Dies with E_RUNTIME_IDMAP,
 * E_NEWUIDMAP_MISSING or E_NO_SUBUID. */
void idmap_apply(pid_t pid, const struct idmap *uid, const struct idmap *gid);
/* "0 1000 1\n1 100000 65536\n" form, as written to /proc/PID/uid_map. */
size_t idmap_format(const struct idmap *m, char *buf, size_t len);
/* Locate a helper (newuidmap) in PATH then /usr/bin; malloc'd or NULL. */
char *find_helper(const char *name);

#endif
