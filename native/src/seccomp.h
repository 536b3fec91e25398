#ifndef COVE_SECCOMP_H
#define COVE_SECCOMP_H

#include "config.h"

/* Build and load the filter from linux.seccomp (libseccomp). Syscall names
 * unknown to libseccomp on this arch are skipped, as runc does. */
void seccomp_install(const struct seccomp_config *sc);

#endif
