#ifndef COVE_SUPERVISE_H
#define COVE_SUPERVISE_H

#include <sys/types.h>

enum mode { MODE_RUN, MODE_RUN_DETACH, MODE_CREATE, MODE_EXEC };

/* Undone by supervise_cleanup() (an atexit handler) if we die half-way:
 * the child is killed and reaped, the state dir removed. */
extern char *cleanup_dir;
extern pid_t cleanup_pid;
void supervise_cleanup(void);

/* Read the child's report on its CLOEXEC pipe: "ready\n" (create), an
 * error JSON line (forwarded to our status fd, then exit 1), or EOF once
 * execve closed the pipe. */
void await_child(int fd, pid_t pid, enum mode mode);
/* Read until the child's "hooks\n" (it stopped for the runtime's hooks);
 * an error line or EOF are handled as in await_child. */
void await_hook_point(int fd, pid_t pid);
/* Forward INT/TERM/HUP/QUIT/USR1/USR2 to pid, wait; 128+sig if killed. */
int wait_forwarding(pid_t pid);
int connect_console(const char *path);

#endif
