/*
 * cove-layer-tool: the few filesystem operations Node cannot do, used by the
 * layer unpacker while it runs inside the container's user namespace.
 *
 * Reads NUL-separated records from stdin:
 *   w\0PATH\0        overlay whiteout: a 0/0 character device. Allowed
 *                    without CAP_MKNOD since Linux 5.8 (vfs: allow
 *                    unprivileged whiteout creation).
 *   o\0DIR\0         opaque directory: user.overlay.opaque=y, the xattr
 *                    overlayfs reads when mounted with "userxattr"
 *                    (Documentation/filesystems/overlayfs.rst).
 *   f\0MODE\0PATH\0  a FIFO (mkfifo(3)); MODE is octal.
 * Exits 0 when every record succeeded; on the first failure it prints the
 * call and the path and exits 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>

static int read_field(char *buf, size_t cap)
{
	size_t n = 0;
	int c;
	while ((c = getchar()) != EOF) {
		if (c == '\0') {
			buf[n] = '\0';
			return 1;
		}
		if (n + 1 >= cap) {
			fprintf(stderr, "cove-layer-tool: field longer than %zu bytes\n", cap);
			exit(1);
		}
		buf[n++] = (char)c;
	}
	if (n != 0) {
		fprintf(stderr, "cove-layer-tool: truncated record\n");
		exit(1);
	}
	return 0;
}

static void fail(const char *call, const char *path)
{
	fprintf(stderr, "cove-layer-tool: %s %s: %s\n", call, path, strerror(errno));
	exit(1);
}

int main(void)
{
	static char op[8], path[8192], mode_text[16];
	while (read_field(op, sizeof op)) {
		if (strcmp(op, "w") == 0) {
			if (!read_field(path, sizeof path))
				return 1;
			if (mknod(path, S_IFCHR | 0000, makedev(0, 0)) != 0)
				fail("mknod", path);
		} else if (strcmp(op, "o") == 0) {
			if (!read_field(path, sizeof path))
				return 1;
			if (lsetxattr(path, "user.overlay.opaque", "y", 1, 0) != 0)
				fail("lsetxattr user.overlay.opaque", path);
		} else if (strcmp(op, "f") == 0) {
			char *end;
			long mode;
			if (!read_field(mode_text, sizeof mode_text) || !read_field(path, sizeof path))
				return 1;
			errno = 0;
			mode = strtol(mode_text, &end, 8);
			if (errno != 0 || *end != '\0' || mode < 0 || mode > 07777) {
				fprintf(stderr, "cove-layer-tool: bad mode %s\n", mode_text);
				return 1;
			}
			if (mkfifo(path, (mode_t)mode) != 0)
				fail("mkfifo", path);
		} else {
			fprintf(stderr, "cove-layer-tool: unknown record type %s\n", op);
			return 1;
		}
	}
	return 0;
}
