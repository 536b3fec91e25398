#ifndef COVE_NAMES_H
#define COVE_NAMES_H

int cap_from_name(const char *name);   /* "CAP_CHOWN" -> 0; -1 unknown */
const char *cap_name(int cap);
int cap_max_known(void);
int rlimit_from_name(const char *name); /* "RLIMIT_NOFILE" -> 7 */
/* "TERM", "SIGTERM", "sigterm", "15", "RTMIN+3" -> number; -1 unknown */
int signal_from_name(const char *s);

#endif
