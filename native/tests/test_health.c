/* The healthcheck's verdict and schedule (moby daemon/health.go semantics)
 * and the State.Health JSON the engine reads. */
#include <stdlib.h>

#include "health.h"
#include "json.h"
#include "tap.h"

static struct health_result result(int code, const char *out)
{
    struct health_result r;
    memset(&r, 0, sizeof r);
    strcpy(r.start, "2026-01-01T00:00:00.000000000Z");
    strcpy(r.end, "2026-01-01T00:00:00.100000000Z");
    r.exit_code = code;
    r.output_len = strlen(out);
    memcpy(r.output, out, r.output_len);
    return r;
}

int main(void)
{
    struct health_state s;
    struct health_opts h;
    struct health_result r;
    char *j, err[128];
    struct json *doc;
    plan(24);

    memset(&s, 0, sizeof s);
    r = result(1, "no");
    health_record(&s, &r, 3, 100, 1000);
    ok(s.status == HEALTH_STARTING && s.failing_streak == 0, "a failure in the start period while starting does not count");
    health_record(&s, &r, 3, 1500, 1000);
    health_record(&s, &r, 3, 1600, 1000);
    ok(s.status == HEALTH_STARTING && s.failing_streak == 2, "after it, failures count (2 of 3)");
    health_record(&s, &r, 3, 1700, 1000);
    ok(s.status == HEALTH_UNHEALTHY && s.failing_streak == 3, "retries failures in a row: unhealthy");
    r = result(0, "ok");
    health_record(&s, &r, 3, 1800, 1000);
    ok(s.status == HEALTH_HEALTHY && s.failing_streak == 0, "one success: healthy, streak reset");
    ok(s.n_log == 5, "five results kept (of %d)", 5);
    r = result(1, "no");
    health_record(&s, &r, 3, 1900, 1000);
    ok(s.n_log == 5 && s.log[4].exit_code == 1 && s.log[3].exit_code == 0, "the oldest result goes first");
    ok(s.status == HEALTH_HEALTHY && s.failing_streak == 1, "one failure after healthy: still healthy");

    memset(&s, 0, sizeof s);
    r = result(0, "ok");
    health_record(&s, &r, 3, 10, 60000);
    ok(s.status == HEALTH_HEALTHY, "a success in the start period counts");
    r = result(1, "no");
    health_record(&s, &r, 1, 20, 60000);
    ok(s.status == HEALTH_UNHEALTHY, "once healthy, the start period no longer hides failures");

    memset(&h, 0, sizeof h);
    ok(health_parse_opt(&h, "--health-state", "/x/health.json") == 1, "--health-state");
    ok(health_parse_opt(&h, "--health-cmd", "true") == 1, "--health-cmd");
    ok(health_parse_opt(&h, "--health-interval-ms", "200") == 1 && h.interval_ms == 200, "--health-interval-ms");
    ok(health_parse_opt(&h, "--health-retries", "0") == -1, "--health-retries 0 is refused");
    ok(health_parse_opt(&h, "--health-timeout-ms", "x") == -1, "a bad number is refused");
    ok(health_parse_opt(&h, "--stdin", NULL) == 0, "other options are not ours");
    ok(health_check_opts(&h) != NULL, "incomplete options are refused");
    health_parse_opt(&h, "--health-timeout-ms", "300");
    health_parse_opt(&h, "--health-start-interval-ms", "50");
    health_parse_opt(&h, "--health-start-period-ms", "1000");
    health_parse_opt(&h, "--health-retries", "2");
    ok(health_check_opts(&h) == NULL, "complete options pass");
    memset(&s, 0, sizeof s);
    ok(health_next_delay(&h, &s, 10) == 50, "start interval while starting in the start period");
    ok(health_next_delay(&h, &s, 1000) == 200, "interval after the start period");
    s.status = HEALTH_HEALTHY;
    ok(health_next_delay(&h, &s, 10) == 200, "interval once healthy");

    memset(&s, 0, sizeof s);
    r = result(0, "line \"1\"\n\ttab\x01");
    r.output[r.output_len++] = 0; /* a NUL in the output survives as \u0000 */
    health_record(&s, &r, 3, 0, 0);
    j = health_json(&s);
    ok(strstr(j, "\"Output\":\"line \\\"1\\\"\\n\\ttab\\u0001\\u0000\"") != NULL, "output escaped: %s", j);
    is_str(strstr(j, "{\"Status\"") == j ? "prefix" : j, "prefix", "starts with Status");
    ok(strstr(j, "\"Status\":\"healthy\",\"FailingStreak\":0,\"Log\":[{\"Start\":\"2026-01-01T00:00:00.000000000Z\"") != NULL, "docker's field names");
    free(j);
    memset(&s, 0, sizeof s);
    r = result(-1, "Health check exceeded timeout (300ms)");
    health_record(&s, &r, 1, 0, 0);
    j = health_json(&s);
    doc = json_parse(j, strlen(j), err, sizeof err);
    ok(doc && json_get(doc, "Status") && strcmp(json_get(doc, "Status")->string, "unhealthy") == 0 &&
           json_get(doc, "Log")->len == 1 && json_get(json_get(doc, "Log")->items[0], "ExitCode")->integer == -1,
       "valid JSON: unhealthy, one result with exit code -1");
    free(j);
    json_free(doc);
    done_testing();
}
