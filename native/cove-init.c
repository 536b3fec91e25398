/*
 * cove-init: the minimal init `cove run --init` puts at PID 1 (the role of
 * tini/catatonit). A shell or server that is PID 1 neither reaps orphans
 * nor gets default signal actions (the kernel drops signals to a namespace's
 * init that has no handler, pid_namespaces(7)); this does both: it forwards
 * signals to its child and reaps every zombie, exiting with the child's
 * status (128+signal if it was killed).
 *
 * usage: cove-init -- CMD [ARGS...]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t pending;

static void on_signal(int sig)
{
	pending = sig;
}

int main(int argc, char **argv)
{
	static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };
	struct sigaction sa;
	sigset_t all, old;
	pid_t child;
	int first = 1;

	if (argc > 1 && strcmp(argv[1], "--") == 0)
		first = 2;
	if (first >= argc) {
		fprintf(stderr, "usage: cove-init -- CMD [ARGS...]\n");
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		if (sigaction(forwarded[i], &sa, NULL) != 0) {
			perror("cove-init: sigaction");
			return 1;
		}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	child = fork();
	if (child < 0) {
		perror("cove-init: fork");
		return 1;
	}
	if (child == 0) {
		struct sigaction dfl;
		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
			sigaction(forwarded[i], &dfl, NULL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		setpgid(0, 0);
		execvp(argv[first], &argv[first]);
		fprintf(stderr, "cove-init: exec %s: %s\n", argv[first], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	for (;;) {
		int status;
		pid_t w = waitpid(-1, &status, 0);
		if (w < 0) {
			if (errno == EINTR) {
				if (pending) {
					kill(child, pending);
					pending = 0;
				}
				continue;
			}
			return 1;
		}
		if (w == child) {
			if (WIFEXITED(status))
				return WEXITSTATUS(status);
			return 128 + WTERMSIG(status);
		}
	}
}
