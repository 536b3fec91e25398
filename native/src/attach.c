#include "attach.h"

#include <string.h>

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

void attach_parser_init(struct attach_parser *p)
{
    memset(p, 0, sizeof *p);
}

/* A whole control frame is in p->ctl: turn it into an event. */
static void control_event(struct attach_parser *p, struct attach_event *ev)
{
    switch (p->type) {
    case ATTACH_RESIZE:
        if (p->clen != 4) { ev->kind = AEV_ERROR; return; }
        ev->kind = AEV_RESIZE;
        ev->rows = (uint16_t)(p->ctl[0] << 8 | p->ctl[1]);
        ev->cols = (uint16_t)(p->ctl[2] << 8 | p->ctl[3]);
        return;
    case ATTACH_CLOSE_STDIN:
        ev->kind = p->clen ? AEV_ERROR : AEV_CLOSE_STDIN;
        return;
    case ATTACH_MUX:
        ev->kind = p->clen ? AEV_ERROR : AEV_MUX;
        return;
    case ATTACH_SIGNAL:
        if (p->clen != 1 || p->ctl[0] == 0 || p->ctl[0] > 64) { ev->kind = AEV_ERROR; return; }
        ev->kind = AEV_SIGNAL;
        ev->sig = p->ctl[0];
        return;
    default:
        ev->kind = AEV_NONE; /* unknown control frame: ignored */
    }
}

size_t attach_parse(struct attach_parser *p, const uint8_t *buf, size_t len,
                    struct attach_event *ev)
{
    size_t used = 0;
    memset(ev, 0, sizeof *ev);
    while (used < len) {
        if (p->hlen < ATTACH_HDR) {
            size_t take = ATTACH_HDR - p->hlen;
            if (take > len - used) take = len - used;
            memcpy(p->hdr + p->hlen, buf + used, take);
            p->hlen = (uint8_t)(p->hlen + take);
            used += take;
            if (p->hlen < ATTACH_HDR) break;
            p->type = p->hdr[0];
            p->left = be32(p->hdr + 1);
            p->clen = 0;
            if (p->type != ATTACH_STDIN && p->left > ATTACH_MAX_CTL) {
                ev->kind = AEV_ERROR;
                return used;
            }
            if (p->left == 0) {
                p->hlen = 0;
                if (p->type == ATTACH_STDIN) continue; /* empty data frame */
                control_event(p, ev);
                if (ev->kind != AEV_NONE) return used;
            }
            continue; /* the payload, if any input is left */
        }
        if (p->type == ATTACH_STDIN) {
            size_t take = p->left < len - used ? p->left : len - used;
            ev->kind = AEV_DATA;
            ev->data = buf + used;
            ev->len = take;
            p->left -= (uint32_t)take;
            if (p->left == 0) p->hlen = 0;
            return used + take;
        }
        {
            size_t take = p->left < len - used ? p->left : len - used;
            memcpy(p->ctl + p->clen, buf + used, take);
            p->clen += (uint32_t)take;
            p->left -= (uint32_t)take;
            used += take;
            if (p->left) break;
            p->hlen = 0;
            control_event(p, ev);
            if (ev->kind != AEV_NONE) return used;
        }
    }
    return used;
}

size_t attach_frame_hdr(uint8_t *out, uint8_t type, uint32_t len)
{
    out[0] = type;
    put32(out + 1, len);
    return ATTACH_HDR;
}

size_t attach_frame_resize(uint8_t *out, uint16_t rows, uint16_t cols)
{
    attach_frame_hdr(out, ATTACH_RESIZE, 4);
    out[5] = (uint8_t)(rows >> 8);
    out[6] = (uint8_t)rows;
    out[7] = (uint8_t)(cols >> 8);
    out[8] = (uint8_t)cols;
    return ATTACH_HDR + 4;
}

size_t attach_frame_signal(uint8_t *out, int sig)
{
    attach_frame_hdr(out, ATTACH_SIGNAL, 1);
    out[5] = (uint8_t)sig;
    return ATTACH_HDR + 1;
}

void mux_hdr(uint8_t *out, uint8_t stream, uint32_t len)
{
    out[0] = stream;
    out[1] = out[2] = out[3] = 0;
    put32(out + 4, len);
}

void mux_parser_init(struct mux_parser *p)
{
    memset(p, 0, sizeof *p);
}

size_t mux_parse(struct mux_parser *p, const uint8_t *buf, size_t len, struct mux_event *ev)
{
    size_t used = 0;
    memset(ev, 0, sizeof *ev);
    while (used < len) {
        if (p->hlen < MUX_HDR) {
            size_t take = MUX_HDR - p->hlen;
            if (take > len - used) take = len - used;
            memcpy(p->hdr + p->hlen, buf + used, take);
            p->hlen = (uint8_t)(p->hlen + take);
            used += take;
            if (p->hlen < MUX_HDR) break;
            p->stream = p->hdr[0];
            p->left = be32(p->hdr + 4);
            p->clen = 0;
            if (p->stream < MUX_STDOUT || p->stream > MUX_INFO ||
                (p->stream == MUX_EXIT && p->left != 4) ||
                (p->stream == MUX_INFO && p->left != 1)) {
                ev->stream = -1;
                return used;
            }
            if (p->left == 0) p->hlen = 0;
            continue; /* the payload, if any input is left */
        }
        if (p->stream == MUX_EXIT || p->stream == MUX_INFO) {
            size_t take = p->left < len - used ? p->left : len - used;
            memcpy(p->code + p->clen, buf + used, take);
            p->clen = (uint8_t)(p->clen + take);
            p->left -= (uint32_t)take;
            used += take;
            if (p->left) break;
            p->hlen = 0;
            ev->stream = p->stream;
            if (p->stream == MUX_EXIT) ev->exit_code = (int)(int32_t)be32(p->code);
            else ev->info = p->code[0];
            return used;
        }
        {
            size_t take = p->left < len - used ? p->left : len - used;
            ev->stream = p->stream;
            ev->data = buf + used;
            ev->len = take;
            p->left -= (uint32_t)take;
            if (p->left == 0) p->hlen = 0;
            return used + take;
        }
    }
    return used;
}

int detach_parse(struct detach_matcher *m, const char *spec)
{
    const char *s = spec;
    memset(m, 0, sizeof *m);
    if (!*s) return 0;
    for (;;) {
        const char *end = strchr(s, ',');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        uint8_t key;
        if (m->n == DETACH_MAX) return -1;
        if (n == 1) {
            key = (uint8_t)s[0];
        } else if (n == 6 && strncmp(s, "ctrl-", 5) == 0) {
            char c = s[5];
            if (c >= 'a' && c <= 'z') key = (uint8_t)(c - 'a' + 1);
            else if (c >= 'A' && c <= 'Z') key = (uint8_t)(c - 'A' + 1);
            else if (c == '@') key = 0;
            else if (c == '[') key = 27;
            else if (c == '\\') key = 28;
            else if (c == ']') key = 29;
            else if (c == '^') key = 30;
            else if (c == '_') key = 31;
            else return -1;
        } else {
            return -1;
        }
        m->keys[m->n++] = key;
        if (!end) break;
        s = end + 1;
    }
    return 0;
}

/* One byte through the matcher; forwarded bytes are appended to out. */
static int feed1(struct detach_matcher *m, uint8_t b, uint8_t *out, size_t *o)
{
    uint8_t pend[DETACH_MAX + 1];
    size_t np, i;
    if (m->n == 0) { out[(*o)++] = b; return 0; }
    if (b == m->keys[m->nheld]) {
        m->held[m->nheld++] = b;
        if (m->nheld == m->n) { m->nheld = 0; return 1; }
        return 0;
    }
    if (m->nheld == 0) { out[(*o)++] = b; return 0; }
    /* Mismatch after a partial match: the first held byte cannot start a
     * match any more; forward it and re-run the rest (a later byte may
     * start one, e.g. "a,a,b" against "aaab"). */
    memcpy(pend, m->held, m->nheld);
    pend[m->nheld] = b;
    np = m->nheld + 1;
    m->nheld = 0;
    out[(*o)++] = pend[0];
    for (i = 1; i < np; i++)
        if (feed1(m, pend[i], out, o)) return 1;
    return 0;
}

int detach_feed(struct detach_matcher *m, const uint8_t *in, size_t len,
                uint8_t *out, size_t *outlen)
{
    size_t i;
    *outlen = 0;
    for (i = 0; i < len; i++)
        if (feed1(m, in[i], out, outlen)) return 1;
    return 0;
}

size_t detach_flush(struct detach_matcher *m, uint8_t *out)
{
    size_t n = m->nheld;
    memcpy(out, m->held, n);
    m->nheld = 0;
    return n;
}
