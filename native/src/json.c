#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

struct parser {
    const char *s, *end, *start;
    char *err;
    size_t errlen;
    int failed;
};

static void fail(struct parser *p, const char *what)
{
    int line = 1, col = 1;
    const char *c;
    if (p->failed) return;
    p->failed = 1;
    for (c = p->start; c < p->s && c < p->end; c++) {
        if (*c == '\n') { line++; col = 1; } else col++;
    }
    snprintf(p->err, p->errlen, "%d:%d: %s", line, col, what);
}

static void skip_ws(struct parser *p)
{
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' ||
                             *p->s == '\r'))
        p->s++;
}

static struct json *new_node(struct parser *p, enum json_type t)
{
    struct json *j = calloc(1, sizeof *j);
    if (!j) { fail(p, "out of memory"); return NULL; }
    j->type = t;
    return j;
}

static int hex4(struct parser *p, unsigned *out)
{
    unsigned v = 0;
    int i;
    if (p->end - p->s < 4) { fail(p, "truncated \\u escape"); return -1; }
    for (i = 0; i < 4; i++) {
        char c = p->s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else { fail(p, "bad \\u escape"); return -1; }
    }
    p->s += 4;
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* p->s points after the opening quote. Decoded output is never longer than
 * the escaped input, so one allocation of the raw length is enough. */
static char *parse_string_raw(struct parser *p)
{
    const char *q = p->s;
    char *out, *o;
    while (q < p->end && *q != '"') {
        if (*q == '\\') q++;
        q++;
    }
    if (q >= p->end) { fail(p, "unterminated string"); return NULL; }
    out = malloc((size_t)(q - p->s) + 1);
    if (!out) { fail(p, "out of memory"); return NULL; }
    o = out;
    while (*p->s != '"') {
        unsigned char c = (unsigned char)*p->s++;
        if (c < 0x20) { fail(p, "control character in string"); goto bad; }
        if (c != '\\') { *o++ = (char)c; continue; }
        c = (unsigned char)*p->s++;
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (hex4(p, &cp) < 0) goto bad;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (p->end - p->s < 6 || p->s[0] != '\\' || p->s[1] != 'u') {
                    fail(p, "unpaired surrogate");
                    goto bad;
                }
                p->s += 2;
                if (hex4(p, &lo) < 0) goto bad;
                if (lo < 0xDC00 || lo > 0xDFFF) {
                    fail(p, "bad low surrogate");
                    goto bad;
                }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                fail(p, "unpaired surrogate");
                goto bad;
            }
            if (cp == 0) { fail(p, "\\u0000 not allowed"); goto bad; }
            o += put_utf8(o, cp);
            break;
        }
        default: fail(p, "bad escape"); goto bad;
        }
    }
    p->s++;
    *o = 0;
    return out;
bad:
    free(out);
    return NULL;
}

static struct json *parse_value(struct parser *p, int depth);

static int push(struct parser *p, struct json *arr, struct json *v, char *key)
{
    if ((arr->len & (arr->len - 1)) == 0) { /* grow at powers of two */
        size_t cap = arr->len ? arr->len * 2 : 1;
        struct json **ni = realloc(arr->items, cap * sizeof *ni);
        if (!ni) { fail(p, "out of memory"); return -1; }
        arr->items = ni;
        if (arr->type == JSON_OBJECT) {
            char **nk = realloc(arr->keys, cap * sizeof *nk);
            if (!nk) { fail(p, "out of memory"); return -1; }
            arr->keys = nk;
        }
    }
    arr->items[arr->len] = v;
    if (arr->type == JSON_OBJECT) arr->keys[arr->len] = key;
    arr->len++;
    return 0;
}

static struct json *parse_container(struct parser *p, int depth, int obj)
{
    struct json *j = new_node(p, obj ? JSON_OBJECT : JSON_ARRAY);
    char close = obj ? '}' : ']';
    if (!j) return NULL;
    p->s++;
    skip_ws(p);
    if (p->s < p->end && *p->s == close) { p->s++; return j; }
    for (;;) {
        char *key = NULL;
        struct json *v;
        skip_ws(p);
        if (obj) {
            if (p->s >= p->end || *p->s != '"') { fail(p, "expected key"); goto bad; }
            p->s++;
            key = parse_string_raw(p);
            if (!key) goto bad;
            skip_ws(p);
            if (p->s >= p->end || *p->s != ':') {
                free(key);
                fail(p, "expected ':'");
                goto bad;
            }
            p->s++;
        }
        v = parse_value(p, depth + 1);
        if (!v) { free(key); goto bad; }
        if (push(p, j, v, key) < 0) { free(key); json_free(v); goto bad; }
        skip_ws(p);
        if (p->s < p->end && *p->s == ',') { p->s++; continue; }
        if (p->s < p->end && *p->s == close) { p->s++; return j; }
        fail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
        goto bad;
    }
bad:
    json_free(j);
    return NULL;
}

static struct json *parse_number(struct parser *p)
{
    const char *b = p->s;
    int isint = 1;
    struct json *j;
    char buf[64];
    if (p->s < p->end && *p->s == '-') p->s++;
    if (p->s >= p->end || *p->s < '0' || *p->s > '9') { fail(p, "bad number"); return NULL; }
    if (*p->s == '0') p->s++;
    else while (p->s < p->end && *p->s >= '0' && *p->s <= '9') p->s++;
    if (p->s < p->end && *p->s == '.') {
        isint = 0;
        p->s++;
        if (p->s >= p->end || *p->s < '0' || *p->s > '9') { fail(p, "bad number"); return NULL; }
        while (p->s < p->end && *p->s >= '0' && *p->s <= '9') p->s++;
    }
    if (p->s < p->end && (*p->s == 'e' || *p->s == 'E')) {
        isint = 0;
        p->s++;
        if (p->s < p->end && (*p->s == '+' || *p->s == '-')) p->s++;
        if (p->s >= p->end || *p->s < '0' || *p->s > '9') { fail(p, "bad number"); return NULL; }
        while (p->s < p->end && *p->s >= '0' && *p->s <= '9') p->s++;
    }
    if ((size_t)(p->s - b) >= sizeof buf) { fail(p, "number too long"); return NULL; }
    memcpy(buf, b, (size_t)(p->s - b));
    buf[p->s - b] = 0;
    j = new_node(p, JSON_NUMBER);
    if (!j) return NULL;
    j->number = strtod(buf, NULL);
    if (isint) {
        errno = 0;
        long long v = strtoll(buf, NULL, 10);
        if (errno == 0) { j->is_int = 1; j->integer = v; }
    }
    return j;
}

static int match(struct parser *p, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(p->end - p->s) < n || memcmp(p->s, lit, n) != 0) return 0;
    p->s += n;
    return 1;
}

static struct json *parse_value(struct parser *p, int depth)
{
    struct json *j;
    if (depth > MAX_DEPTH) { fail(p, "nesting too deep"); return NULL; }
    skip_ws(p);
    if (p->s >= p->end) { fail(p, "unexpected end of input"); return NULL; }
    switch (*p->s) {
    case '{': return parse_container(p, depth, 1);
    case '[': return parse_container(p, depth, 0);
    case '"': {
        char *s;
        p->s++;
        s = parse_string_raw(p);
        if (!s) return NULL;
        j = new_node(p, JSON_STRING);
        if (!j) { free(s); return NULL; }
        j->string = s;
        return j;
    }
    case 't':
    case 'f':
    case 'n':
        if (match(p, "true")) { j = new_node(p, JSON_BOOL); if (j) j->boolean = 1; return j; }
        if (match(p, "false")) return new_node(p, JSON_BOOL);
        if (match(p, "null")) return new_node(p, JSON_NULL);
        fail(p, "unexpected literal");
        return NULL;
    default:
        return parse_number(p);
    }
}

struct json *json_parse(const char *text, size_t len, char *err, size_t errlen)
{
    struct parser p = { text, text + len, text, err, errlen, 0 };
    struct json *j;
    if (errlen) err[0] = 0;
    if (memchr(text, 0, len)) {
        snprintf(err, errlen, "NUL byte in input");
        return NULL;
    }
    j = parse_value(&p, 0);
    if (!j) return NULL;
    skip_ws(&p);
    if (p.s != p.end) {
        fail(&p, "trailing data after value");
        json_free(j);
        return NULL;
    }
    return j;
}

void json_free(struct json *j)
{
    size_t i;
    if (!j) return;
    for (i = 0; i < j->len; i++) {
        json_free(j->items[i]);
        if (j->keys) free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
    free(j->string);
    free(j);
}

struct json *json_get(const struct json *j, const char *key)
{
    size_t i;
    struct json *found = NULL;
    if (!j || j->type != JSON_OBJECT) return NULL;
    for (i = 0; i < j->len; i++)
        if (strcmp(j->keys[i], key) == 0) found = j->items[i];
    return found;
}

const char *json_type_name(enum json_type t)
{
    switch (t) {
    case JSON_NULL: return "null";
    case JSON_BOOL: return "boolean";
    case JSON_NUMBER: return "number";
    case JSON_STRING: return "string";
    case JSON_ARRAY: return "array";
    case JSON_OBJECT: return "object";
    }
    return "?";
}
