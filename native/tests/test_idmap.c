#include "idmap.h"
#include "tap.h"

int main(void)
{
    struct idmap m;
    char err[256], buf[256];
    plan(12);
    ok(idmap_parse("0:1000:1,1:100000:65536", &m, err, sizeof err) == 0, "two ranges parse");
    ok(m.n == 2 && m.e[1].container == 1 && m.e[1].host == 100000 && m.e[1].size == 65536, "values");
    idmap_format(&m, buf, sizeof buf);
    is_str(buf, "0 1000 1\n1 100000 65536\n", "uid_map format");
    ok(idmap_parse("0:1000:1", &m, err, sizeof err) == 0 && m.n == 1, "single range");
    ok(idmap_parse("0:1000", &m, err, sizeof err) < 0, "missing size rejected");
    ok(idmap_parse("0:1000:1,", &m, err, sizeof err) < 0, "trailing comma rejected");
    ok(idmap_parse("a:1:1", &m, err, sizeof err) < 0, "non-number rejected");
    ok(idmap_parse("0:1000:0", &m, err, sizeof err) < 0, "size 0 rejected");
    ok(idmap_parse("0:1000:2,1:5000:1", &m, err, sizeof err) < 0, "overlapping container ids rejected (%s)", err);
    ok(idmap_parse("0:1000:1,1:1000:1", &m, err, sizeof err) < 0, "overlapping host ids rejected");
    ok(idmap_parse("0:4294967295:2", &m, err, sizeof err) < 0, "32-bit overflow rejected");
    ok(idmap_parse("-1:1:1", &m, err, sizeof err) < 0, "negative rejected");
    done_testing();
}
