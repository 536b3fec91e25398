/* CVE-2019-5736: a process in the container must not be able to reach the
 * runtime binary on the host through /proc/<pid>/exe (of the runtime's
 * child while it sets the container up, or of a container process that
 * re-executed /proc/self/exe via a "#!/proc/self/exe" entrypoint) and
 * overwrite it. Like runc (libcontainer/nsenter/cloned_binary.c), the
 * runtime re-executes itself from a sealed memfd copy before it creates or
 * joins a container: /proc/<pid>/exe then names that copy, which cannot be
 * written, truncated or grown (F_SEAL_*), and the host file is never the
 * executable of anything inside. */
#ifndef COVE_SELFCLONE_H
#define COVE_SELFCLONE_H

/* Re-exec from a sealed memfd unless already running from one. Returns
 * only when already cloned; dies (E_FAILED) if the copy cannot be made. */
void ensure_cloned_binary(char **argv);

#endif
