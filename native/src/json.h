/* Minimal JSON DOM parser (RFC 8259), enough for OCI config.json/state.json.
 * Strings are NUL-terminated UTF-8; a string containing \u0000 is rejected
 * because every consumer here passes strings to C APIs. */
#ifndef COVE_JSON_H
#define COVE_JSON_H

#include <stddef.h>
#include <stdint.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY,
                 JSON_OBJECT };

struct json {
    enum json_type type;
    int boolean;
    int is_int;          /* number had no fraction/exponent and fits int64 */
    int64_t integer;
    double number;
    char *string;
    size_t len;          /* array/object element count */
    struct json **items; /* array elements or object values */
    char **keys;         /* object keys (same order as in the text) */
};

/* Parse text; on error returns NULL and writes "line:col: what" to err. */
struct json *json_parse(const char *text, size_t len, char *err,
                        size_t errlen);
void json_free(struct json *j);
/* Object member lookup (last duplicate wins, like most parsers); NULL if
 * absent or j is not an object. */
struct json *json_get(const struct json *j, const char *key);
const char *json_type_name(enum json_type t);

#endif
