/* Healthchecks without a daemon: the monitor forks one prober per running
 * container that execs the check through the OCI runtime on docker's
 * schedule and keeps docker's State.Health in a JSON file. */
#ifndef COVE_HEALTH_H
#define COVE_HEALTH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HEALTH_MAX_ARGS 64
#define HEALTH_LOG_ENTRIES 5     /* docker's maxLogEntries */
#define HEALTH_OUTPUT_MAX 4096   /* docker's maxOutputLen */

enum health_status { HEALTH_STARTING, HEALTH_HEALTHY, HEALTH_UNHEALTHY };

struct health_opts {
    const char *state_file;  /* NULL: no healthcheck */
    const char *paused_file; /* present while the container is paused: no probe */
    const char *argv[HEALTH_MAX_ARGS + 1];
    int argc;
    int64_t interval_ms, timeout_ms, start_period_ms, start_interval_ms;
    int retries;
};

struct health_result {
    char start[40], end[40];
    int exit_code;
    char output[HEALTH_OUTPUT_MAX + 4]; /* + "..." when cut, as docker marks it */
    size_t output_len;
};

struct health_state {
    enum health_status status;
    int failing_streak;
    struct health_result log[HEALTH_LOG_ENTRIES];
    int n_log;
};

/* Consumes one --health-* option of the monitor's command line; returns
 * 1 if it was one (with its value), 0 if not, -1 on a bad value. */
int health_parse_opt(struct health_opts *h, const char *name, const char *value);
/* Checks that the options form a complete healthcheck (or none). */
const char *health_check_opts(const struct health_opts *h);

/* Docker's handleProbeResult: success resets the streak and makes it
 * healthy; a failure during the start period while still starting does not
 * count; `retries` consecutive failures make it unhealthy. The result is
 * kept among the last HEALTH_LOG_ENTRIES either way. */
void health_record(struct health_state *s, const struct health_result *r, int retries,
                   int64_t since_start_ms, int64_t start_period_ms);
/* The state as docker's State.Health JSON; caller frees. */
char *health_json(const struct health_state *s);
/* The next probe's delay: start_interval while starting within the start period. */
int64_t health_next_delay(const struct health_opts *h, const struct health_state *s, int64_t since_start_ms);

/* Forks the prober for the container (its pid is the caller's to kill and
 * reap); it dies with the caller (PR_SET_PDEATHSIG). */
pid_t health_start(const struct health_opts *h, const char *runtime, const char *runtime_root,
                   const char *id);

#endif
