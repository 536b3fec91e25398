/* Foreground `exec --tty` without --console-socket (runc's behaviour): the
 * runtime receives the pty master itself and relays it to its own stdio,
 * so the container never holds the caller's terminal. */
#ifndef COVE_TTY_RELAY_H
#define COVE_TTY_RELAY_H

#include <sys/types.h>

/* Relays stdin -> master and master -> stdout until pid has exited and the
 * master is drained. Puts stdin in raw mode while it runs (if a tty) and
 * copies the window size on start and on every SIGWINCH. Forwards INT,
 * TERM, HUP, QUIT, USR1, USR2 to pid. Returns pid's exit status (128+sig
 * when killed). */
int tty_relay(int master, pid_t pid);

#endif
