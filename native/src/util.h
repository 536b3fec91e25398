/* Shared helpers: error reporting on the status fd, small I/O helpers. */
#ifndef COVE_UTIL_H
#define COVE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* Error codes of the status-fd contract (see native/README.md). */
#define E_CONFIG "E_RUNTIME_CONFIG"
#define E_NAMESPACE "E_RUNTIME_NAMESPACE"
#define E_IDMAP "E_RUNTIME_IDMAP"
#define E_NEWUIDMAP "E_NEWUIDMAP_MISSING"
#define E_NO_SUBUID "E_NO_SUBUID"
#define E_MOUNT "E_RUNTIME_MOUNT"
#define E_EXEC "E_RUNTIME_EXEC"
#define E_NOT_INVOKABLE "E_RUNTIME_CANNOT_INVOKE"
#define E_FAILED "E_RUNTIME_FAILED"

/* Program name used in stderr messages ("cove-runtime: ..."). */
extern const char *cove_prog;
/* Where die() writes its JSON line; -1 = nowhere. */
extern int cove_status_fd;
/* When set, die() does not print to stderr (the container child reports
 * through its error pipe and lets the parent print once). */
extern int cove_quiet_stderr;

/* Write {"code":..,"message":..} to the status fd, the message to stderr,
 * then exit(1). The fmt names the failed call and path. */
_Noreturn void die(const char *code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Same, with ": strerror(errno)" appended. */
_Noreturn void die_errno(const char *code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Format the status JSON line (with trailing newline) into buf. */
size_t format_status_json(char *buf, size_t len, const char *code,
                          const char *msg);
/* Emit a pre-formatted status line (as produced by a child) unchanged. */
void emit_status_line(const char *line, size_t len);

/* Append s JSON-escaped (without quotes) to buf at *pos; truncates safely. */
void json_escape_into(char *buf, size_t len, size_t *pos, const char *s);

int write_all(int fd, const void *buf, size_t len);
ssize_t read_all(int fd, void *buf, size_t len);
/* Read a whole (small) file; NUL-terminated; caller frees. NULL + errno. */
char *read_file(const char *path, size_t max, size_t *out_len);
/* temp file in the same dir, fsync, rename, fsync dir. -1 + errno. */
int write_file_atomic(const char *path, const char *data, size_t len,
                      mode_t mode);

/* "2026-11-22T22:01:45.123456789Z" into buf (>= 32 bytes). */
void format_rfc3339_nano(char *buf, size_t len, const struct timespec *ts);

/* Parse a non-negative decimal int; -1 on error. */
long parse_long(const char *s, long min, long max, int *ok);

char *xstrdup(const char *s);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse "--status-fd N" value and validate that it is open. */
int parse_status_fd(const char *v);

/* execvpe-style lookup of file in the PATH found in env (the container's
 * environment, not ours). Returns a malloc'd path or NULL with errno:
 * ENOENT, or EACCES when only non-executable candidates exist. */
char *lookup_exec(const char *file, char *const *env);

#endif
