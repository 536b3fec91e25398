/* The attach protocol between cove-monitor and its clients (cove-attach),
 * and the detach-key matcher. Pure code, no syscalls: unit-tested.
 *
 * client -> monitor: frames  [type u8][length u32 big-endian][payload]
 *   0 STDIN        payload = bytes for the container's stdin (pty or pipe)
 *   1 RESIZE       payload = rows u16 BE, cols u16 BE (4 bytes)
 *   2 CLOSE_STDIN  no payload: close the container's stdin (non-tty --stdin)
 *   3 MUX          no payload: frame the output sent to this client
 *   4 SIGNAL       payload = signal number u8: sent to the container
 *   other types with a payload of at most ATTACH_MAX_CTL bytes are ignored.
 * monitor -> client: raw output bytes, or after MUX records with docker's
 *   8-byte stdcopy header [stream u8][0 0 0][length u32 BE][payload]:
 *   1 = stdout, 2 = stderr,
 *   3 = exit (payload: exit code as i32 BE; the last record before the
 *       monitor closes the connection),
 *   4 = info (payload: 1 byte, bit 0 = the container has a terminal,
 *       bit 1 = its stdin is open; the first record after MUX). */
#ifndef COVE_ATTACH_H
#define COVE_ATTACH_H

#include <stddef.h>
#include <stdint.h>

enum {
    ATTACH_STDIN = 0,
    ATTACH_RESIZE = 1,
    ATTACH_CLOSE_STDIN = 2,
    ATTACH_MUX = 3,
    ATTACH_SIGNAL = 4,
};
#define ATTACH_MAX_CTL 64
#define ATTACH_HDR 5
#define MUX_HDR 8
enum { MUX_STDOUT = 1, MUX_STDERR = 2, MUX_EXIT = 3, MUX_INFO = 4 };
enum { INFO_TTY = 1, INFO_STDIN = 2 };

/* Incremental parser of the client -> monitor stream. */
struct attach_parser {
    uint8_t hdr[ATTACH_HDR];
    uint8_t hlen;          /* header bytes collected */
    uint8_t type;
    uint32_t left;         /* payload bytes still to come */
    uint8_t ctl[ATTACH_MAX_CTL];
    uint32_t clen;         /* control payload collected */
};

enum attach_ev_kind { AEV_NONE, AEV_DATA, AEV_RESIZE, AEV_CLOSE_STDIN, AEV_MUX, AEV_SIGNAL, AEV_ERROR };

struct attach_event {
    enum attach_ev_kind kind;
    const uint8_t *data;   /* AEV_DATA: points into the caller's buffer */
    size_t len;
    uint16_t rows, cols;   /* AEV_RESIZE */
    int sig;               /* AEV_SIGNAL */
};

void attach_parser_init(struct attach_parser *p);
/* Consume bytes from buf until one event is complete (or buf is used up).
 * Returns the number of bytes consumed; ev->kind is AEV_NONE when more
 * input is needed. AEV_DATA hands out the stdin payload available in buf
 * (possibly part of a frame). AEV_ERROR: malformed stream, drop the client. */
size_t attach_parse(struct attach_parser *p, const uint8_t *buf, size_t len,
                    struct attach_event *ev);

/* Frame headers (5 bytes) / whole control frames into out; return length. */
size_t attach_frame_hdr(uint8_t *out, uint8_t type, uint32_t len);
size_t attach_frame_resize(uint8_t *out, uint16_t rows, uint16_t cols);
size_t attach_frame_signal(uint8_t *out, int sig);
/* docker stdcopy header (8 bytes). */
void mux_hdr(uint8_t *out, uint8_t stream, uint32_t len);

/* Client side: parser of the muxed monitor -> client stream. */
struct mux_parser {
    uint8_t hdr[MUX_HDR];
    uint8_t hlen;
    uint8_t stream;
    uint32_t left;
    uint8_t code[4];
    uint8_t clen;
};
struct mux_event {
    int stream;            /* 0 = nothing yet, 1/2 data, 3 exit, 4 info */
    const uint8_t *data;
    size_t len;
    int exit_code;         /* 3 */
    int info;              /* 4: INFO_* bits */
};
void mux_parser_init(struct mux_parser *p);
/* Same contract as attach_parse; stream -1 = malformed. */
size_t mux_parse(struct mux_parser *p, const uint8_t *buf, size_t len, struct mux_event *ev);

/* Detach keys, docker syntax: comma-separated "ctrl-<a-z@[\]^_>" or one
 * character ("ctrl-p,ctrl-q" default). "" disables. -1 on a bad spec. */
#define DETACH_MAX 16
struct detach_matcher {
    uint8_t keys[DETACH_MAX];
    size_t n;
    uint8_t held[DETACH_MAX];
    size_t nheld;          /* bytes of a partial match being held back */
};
int detach_parse(struct detach_matcher *m, const char *spec);
/* Feed input; bytes to forward go to out (room for len + DETACH_MAX).
 * Returns 1 when the sequence completed (out has what came before it;
 * input after it is dropped), else 0. A partial sequence is held back
 * until the next byte shows whether it completes; if it does not, its
 * bytes are forwarded. */
int detach_feed(struct detach_matcher *m, const uint8_t *in, size_t len,
                uint8_t *out, size_t *outlen);
/* Held bytes at EOF: forward them. */
size_t detach_flush(struct detach_matcher *m, uint8_t *out);

#endif
