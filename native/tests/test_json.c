#include <stdlib.h>

#include "json.h"
#include "tap.h"
#include "util.h"

static struct json *P(const char *s, char *err)
{
    return json_parse(s, strlen(s), err, 128);
}

int main(void)
{
    char err[128], buf[256];
    struct json *j;
    size_t pos = 0;
    plan(27);

    j = P(" {\"a\": [1, -2, 3.5e1, true, false, null], \"b\": {\"c\": \"d\"}} ", err);
    ok(j && j->type == JSON_OBJECT && j->len == 2, "object parsed");
    ok(json_get(j, "a") && json_get(j, "a")->len == 6, "array of 6");
    ok(json_get(j, "a")->items[0]->is_int && json_get(j, "a")->items[0]->integer == 1, "int 1");
    ok(json_get(j, "a")->items[1]->integer == -2, "negative int");
    ok(!json_get(j, "a")->items[2]->is_int && json_get(j, "a")->items[2]->number == 35.0, "float with exponent");
    ok(json_get(j, "a")->items[3]->type == JSON_BOOL && json_get(j, "a")->items[3]->boolean, "true");
    ok(json_get(j, "a")->items[5]->type == JSON_NULL, "null");
    is_str(json_get(json_get(j, "b"), "c")->string, "d", "nested string");
    ok(json_get(j, "zz") == NULL, "missing key is NULL");
    json_free(j);

    j = P("\"tab\\tq\\\"\\u00e9\\ud83d\\ude00/\\/\"", err);
    is_str(j ? j->string : NULL, "tab\tq\"\xc3\xa9\xf0\x9f\x98\x80//", "escapes and surrogate pairs");
    json_free(j);

    j = P("18446744073709551615", err);
    ok(j && !j->is_int && j->number > 1.8e19, "uint64 max parses as double");
    json_free(j);
    j = P("{\"k\":1,\"k\":2}", err);
    ok(j && json_get(j, "k")->integer == 2, "duplicate key: last wins");
    json_free(j);

    ok(!P("{\"a\":1,}", err), "trailing comma rejected");
    ok(!P("[1 2]", err), "missing comma rejected");
    ok(!P("\"\\u0000\"", err), "NUL escape rejected");
    ok(!P("\"a\nb\"", err), "raw control char rejected");
    ok(!P("01", err), "leading zero rejected");
    ok(!P("{} x", err), "trailing data rejected");
    ok(!P("\"\\ud800\"", err), "lone surrogate rejected");
    ok(!P("tru", err), "bad literal rejected");
    ok(!P("", err), "empty input rejected");
    ok(!P("\"abc", err), "unterminated string rejected");
    {
        char deep[300];
        memset(deep, '[', 100);
        memset(deep + 100, ']', 100);
        deep[200] = 0;
        ok(!P(deep, err), "nesting depth limited");
    }
    ok(!P("{\n  \"a\": nope}", err) && strncmp(err, "2:", 2) == 0, "error has line number (%s)", err);

    json_escape_into(buf, sizeof buf, &pos, "a\"b\\c\nd\x01");
    is_str(buf, "a\\\"b\\\\c\\nd\\u0001", "escape for output");
    {
        size_t n = format_status_json(buf, sizeof buf, "E_RUNTIME_MOUNT", "mount \"x\": EPERM");
        is_str(buf, "{\"code\":\"E_RUNTIME_MOUNT\",\"message\":\"mount \\\"x\\\": EPERM\"}\n", "status line");
        ok(n == strlen(buf), "status line length");
    }
    done_testing();
}
