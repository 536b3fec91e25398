#ifndef COVE_NAMESPACES_H
#define COVE_NAMESPACES_H

#include <sys/types.h>

#include "config.h"

/* CLONE_NEW* flags for the namespaces to create (those without a path). */
int ns_clone_flags(const struct config *cfg);
/* Joins done by the runtime before clone: user first (it decides what the
 * others may do), then pid (setns(CLONE_NEWPID) only affects children). */
void ns_join_before_clone(const struct config *cfg);
/* Joins done by the child: the remaining namespaces with a path. */
void ns_join_in_child(const struct config *cfg);
/* fork()-like clone with namespace flags; returns like fork(). */
pid_t clone_ns(int flags);
/* ifconfig lo up, in a fresh network namespace. */
void loopback_up(void);

#endif
