/* What a container process must not inherit from whoever started the
 * runtime: the caller's session (and so its controlling terminal) and its
 * session keyring; and while it still sees host resources, nobody in the
 * container may ptrace it or open its /proc/PID/{root,cwd,fd}. */
#ifndef COVE_SESSION_H
#define COVE_SESSION_H

/* setsid(2): a new session with no controlling terminal, so the caller's
 * tty can neither be reopened through /dev/tty nor fed with TIOCSTI
 * (tty_ioctl(4): TIOCSTI needs the tty to be the caller's controlling
 * terminal). Then a fresh anonymous session keyring (keyctl(2)
 * KEYCTL_JOIN_SESSION_KEYRING), as runc and crun do. */
void session_isolate(void);

/* prctl(2) PR_SET_DUMPABLE. Non-dumpable: the files in /proc/PID are owned by root
 * and ptrace access needs CAP_SYS_PTRACE in the user namespace the
 * runtime was started in (CVE-2016-9962). execve(2) resets it. */
void set_dumpable(int on);

#endif
