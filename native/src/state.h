/* Per-container state directory <root>/<id>/ with state.json. */
#ifndef COVE_STATE_H
#define COVE_STATE_H

#include <sys/types.h>

struct state {
    char *id;
    pid_t pid;
    unsigned long long start_time; /* /proc/PID/stat field 22: guards pid reuse */
    char *bundle;
    char *status;   /* as recorded: "created" or "running" */
    char *created;  /* RFC 3339 */
};

/* Default root: $XDG_RUNTIME_DIR/cove-runtime or /tmp/cove-runtime-$UID.
 * Creates it 0700 and checks we own it. Returns malloc'd path. */
char *state_root(const char *opt_root);
int valid_id(const char *id);
void state_write(const char *dir, const struct state *s);
/* 0 ok, -1 missing/corrupt (errno). */
int state_read(const char *dir, struct state *s);
void state_free(struct state *s);
/* "created" | "running" | "stopped", from the record and the live pid. */
const char *state_status(const char *dir, const struct state *s);
unsigned long long proc_start_time(pid_t pid, char *state_char);
/* Remove the state directory (only plain files inside). */
int state_remove(const char *dir);
/* JSON of the runtime-spec state (no newline); malloc'd. annotations: a
 * JSON object's text from the bundle's config, or NULL. */
char *state_json(const char *dir, const struct state *s, const char *annotations);

#endif
