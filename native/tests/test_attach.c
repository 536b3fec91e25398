/* Attach protocol framing and the detach-key matcher. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "tap.h"

/* Run a whole stream through the parser, byte by byte when step = 1,
 * collecting stdin data and a trace of the control events. */
static void parse_all(const uint8_t *in, size_t len, size_t step, char *data,
                      char *trace)
{
    struct attach_parser p;
    size_t off = 0, dlen = 0;
    attach_parser_init(&p);
    trace[0] = 0;
    while (off < len) {
        size_t chunk = step && len - off > step ? step : len - off;
        size_t used = 0;
        while (used < chunk) {
            struct attach_event ev;
            size_t n = attach_parse(&p, in + off + used, chunk - used, &ev);
            char t[32] = "";
            used += n;
            if (ev.kind == AEV_DATA) { memcpy(data + dlen, ev.data, ev.len); dlen += ev.len; }
            else if (ev.kind == AEV_RESIZE) snprintf(t, sizeof t, "R%ux%u;", ev.rows, ev.cols);
            else if (ev.kind == AEV_CLOSE_STDIN) strcpy(t, "C;");
            else if (ev.kind == AEV_MUX) strcpy(t, "M;");
            else if (ev.kind == AEV_SIGNAL) snprintf(t, sizeof t, "S%d;", ev.sig);
            else if (ev.kind == AEV_ERROR) { strcat(trace, "E;"); data[dlen] = 0; return; }
            strcat(trace, t);
            if (n == 0) break;
        }
        off += chunk;
    }
    data[dlen] = 0;
}

static size_t build_stream(uint8_t *b)
{
    size_t n = 0;
    n += attach_frame_hdr(b + n, ATTACH_MUX, 0);
    n += attach_frame_resize(b + n, 40, 120);
    n += attach_frame_hdr(b + n, ATTACH_STDIN, 5);
    memcpy(b + n, "hello", 5);
    n += 5;
    n += attach_frame_hdr(b + n, ATTACH_STDIN, 0);
    n += attach_frame_hdr(b + n, 9, 2); /* unknown control frame: ignored */
    b[n++] = 1;
    b[n++] = 2;
    n += attach_frame_signal(b + n, 2);
    n += attach_frame_hdr(b + n, ATTACH_STDIN, 6);
    memcpy(b + n, " world", 6);
    n += 6;
    n += attach_frame_hdr(b + n, ATTACH_CLOSE_STDIN, 0);
    return n;
}

static const char *feed(const char *keys, const char *in, int *detached)
{
    static char out[256];
    struct detach_matcher m;
    size_t n = 0, i;
    *detached = -1;
    if (detach_parse(&m, keys) < 0) return "BADSPEC";
    *detached = 0;
    /* one byte at a time: the matcher keeps state across reads */
    for (i = 0; in[i]; i++) {
        size_t o;
        if (detach_feed(&m, (const uint8_t *)in + i, 1, (uint8_t *)out + n, &o)) {
            n += o;
            *detached = 1;
            break;
        }
        n += o;
    }
    if (!*detached) n += detach_flush(&m, (uint8_t *)out + n);
    out[n] = 0;
    return out;
}

int main(void)
{
    uint8_t s[256], bad[16];
    char data[256], trace[256];
    size_t n = build_stream(s), k;
    int det;
    struct detach_matcher m;
    struct mux_parser mp;
    struct mux_event mev;

    plan(33);

    parse_all(s, n, 0, data, trace);
    is_str(data, "hello world", "stdin payload across frames (one read)");
    is_str(trace, "M;R40x120;S2;C;", "control events in order (one read)");
    parse_all(s, n, 1, data, trace);
    is_str(data, "hello world", "stdin payload, byte by byte");
    is_str(trace, "M;R40x120;S2;C;", "control events, byte by byte");
    parse_all(s, n, 7, data, trace);
    is_str(trace, "M;R40x120;S2;C;", "control events, 7-byte reads");

    k = attach_frame_hdr(bad, ATTACH_RESIZE, 3);
    memcpy(bad + k, "abc", 3);
    parse_all(bad, k + 3, 0, data, trace);
    is_str(trace, "E;", "resize with a 3-byte payload is an error");
    k = attach_frame_hdr(bad, ATTACH_RESIZE, 100000);
    parse_all(bad, k, 0, data, trace);
    is_str(trace, "E;", "oversized control frame is an error");
    k = attach_frame_hdr(bad, ATTACH_SIGNAL, 1);
    bad[k] = 0;
    parse_all(bad, k + 1, 0, data, trace);
    is_str(trace, "E;", "signal 0 is an error");
    k = attach_frame_hdr(bad, ATTACH_STDIN, 0xffffffffu);
    {
        struct attach_parser p;
        struct attach_event ev;
        attach_parser_init(&p);
        ok(attach_parse(&p, bad, k, &ev) == k && ev.kind == AEV_NONE && p.left == 0xffffffffu,
           "a 4 GiB stdin frame is streamed, not buffered");
    }
    k = attach_frame_resize(bad, 0x1234, 0xfedc);
    ok(k == 9 && bad[0] == 1 && bad[4] == 4 && bad[5] == 0x12 && bad[6] == 0x34 &&
       bad[7] == 0xfe && bad[8] == 0xdc, "resize frame layout (big-endian)");

    /* monitor -> client records */
    {
        uint8_t r[64];
        size_t rn = 0, off = 0;
        char got[64] = "";
        int code = -1, info = -1, i;
        mux_hdr(r + rn, MUX_INFO, 1); rn += 8; r[rn++] = INFO_TTY | INFO_STDIN;
        mux_hdr(r + rn, MUX_STDOUT, 3); rn += 8; memcpy(r + rn, "out", 3); rn += 3;
        mux_hdr(r + rn, MUX_STDERR, 3); rn += 8; memcpy(r + rn, "err", 3); rn += 3;
        mux_hdr(r + rn, MUX_EXIT, 4); rn += 8;
        r[rn++] = 0; r[rn++] = 0; r[rn++] = 0; r[rn++] = 137;
        ok(r[9] == 1 && r[10] == 0 && r[11] == 0 && r[12] == 0 && r[13] == 0 && r[14] == 0 &&
           r[15] == 0 && r[16] == 3,
           "record header is docker's stdcopy layout");
        mux_parser_init(&mp);
        for (i = 0; off < rn; i++) {
            size_t used = mux_parse(&mp, r + off, 1, &mev); /* byte by byte */
            off += used;
            if (mev.stream == MUX_STDOUT || mev.stream == MUX_STDERR) {
                strcat(got, mev.stream == MUX_STDOUT ? "1:" : "2:");
                strncat(got, (const char *)mev.data, mev.len);
                strcat(got, ";");
            } else if (mev.stream == MUX_EXIT) code = mev.exit_code;
            else if (mev.stream == MUX_INFO) info = mev.info;
        }
        is_str(got, "1:o;1:u;1:t;2:e;2:r;2:r;", "stdout/stderr records, byte by byte");
        ok(code == 137, "exit record carries the code (got %d)", code);
        ok(info == (INFO_TTY | INFO_STDIN), "info record carries the flags");
        mux_parser_init(&mp);
        mux_hdr(r, 7, 1);
        mux_parse(&mp, r, 8, &mev);
        ok(mev.stream == -1, "unknown record stream is an error");
        mux_parser_init(&mp);
        mux_hdr(r, MUX_EXIT, 2);
        mux_parse(&mp, r, 8, &mev);
        ok(mev.stream == -1, "exit record with a 2-byte payload is an error");
    }

    /* detach keys */
    ok(detach_parse(&m, "ctrl-p,ctrl-q") == 0 && m.n == 2 && m.keys[0] == 16 && m.keys[1] == 17,
       "ctrl-p,ctrl-q = 0x10 0x11");
    ok(detach_parse(&m, "ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_,a,Z") == 0 && m.n == 8 &&
       m.keys[0] == 0 && m.keys[1] == 27 && m.keys[2] == 28 && m.keys[3] == 29 &&
       m.keys[4] == 30 && m.keys[5] == 31 && m.keys[6] == 'a' && m.keys[7] == 'Z',
       "all ctrl forms and single characters");
    ok(detach_parse(&m, "") == 0 && m.n == 0, "empty spec disables");
    ok(detach_parse(&m, "ctrl-1") < 0 && detach_parse(&m, "ctrl-p,") < 0 &&
       detach_parse(&m, "ab") < 0 && detach_parse(&m, "ctrl-p,,x") < 0, "bad specs refused");

    is_str(feed("ctrl-p,ctrl-q", "ab\x10\x11" "cd", &det), "ab", "sequence detaches, bytes before it pass");
    ok(det == 1, "... and reports the detach");
    is_str(feed("ctrl-p,ctrl-q", "a\x10x", &det), "a\x10x", "broken sequence: its bytes are forwarded");
    ok(det == 0, "... and no detach");
    is_str(feed("ctrl-p,ctrl-q", "a\x10", &det), "a\x10", "partial sequence at EOF is flushed");
    is_str(feed("ctrl-p,ctrl-q", "\x10\x10\x11", &det), "\x10", "p p q: first p forwarded, then detach");
    ok(det == 1, "... detached");
    is_str(feed("a,a,b", "xaaab", &det), "xa", "overlapping prefix (a,a,b in aaab) still detaches");
    ok(det == 1, "... detached");
    is_str(feed("", "\x10\x11", &det), "\x10\x11", "disabled keys pass everything");
    is_str(feed("ctrl-a", "x\x01y", &det), "x", "single-key sequence");
    {
        /* one read containing the whole sequence plus trailing input */
        uint8_t out[64];
        size_t o;
        detach_parse(&m, "ctrl-p,ctrl-q");
        ok(detach_feed(&m, (const uint8_t *)"12\x10\x11" "34", 6, out, &o) == 1 && o == 2 &&
           memcmp(out, "12", 2) == 0, "detach inside one read drops what follows");
        detach_parse(&m, "ctrl-p,ctrl-q");
        ok(detach_feed(&m, (const uint8_t *)"12\x10", 3, out, &o) == 0 && o == 2 &&
           detach_feed(&m, (const uint8_t *)"\x11", 1, out, &o) == 1 && o == 0,
           "sequence split across reads");
    }
    done_testing();
}
