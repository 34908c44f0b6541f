/* SPDX-License-Identifier: LGPL-2.1-only */
/* vgtd's control protocol: framing, incremental decoder, JSON helpers (vgt/proto.h). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgt/proto.h"

/* ---- Framing ------------------------------------------------------------------ */

void vgt_proto_hdr_encode(uint8_t out[VGT_PROTO_HDR_LEN], const struct vgt_proto_hdr *h)
{
    out[0] = h->version >> 8;
    out[1] = h->version & 0xff;
    out[2] = h->flags >> 8;
    out[3] = h->flags & 0xff;
    out[4] = h->length >> 24;
    out[5] = (h->length >> 16) & 0xff;
    out[6] = (h->length >> 8) & 0xff;
    out[7] = h->length & 0xff;
}

void vgt_proto_hdr_decode(const uint8_t in[VGT_PROTO_HDR_LEN], struct vgt_proto_hdr *h)
{
    h->version = (uint16_t)(in[0] << 8 | in[1]);
    h->flags = (uint16_t)(in[2] << 8 | in[3]);
    h->length = (uint32_t)in[4] << 24 | (uint32_t)in[5] << 16 | (uint32_t)in[6] << 8 | in[7];
}

int vgt_proto_frame(const void *body, size_t len, uint16_t flags, size_t max_body,
                    uint8_t **out, size_t *out_len)
{
    struct vgt_proto_hdr h = { VGT_PROTO_VERSION, flags, (uint32_t)len };
    uint8_t *buf;

    if (flags & ~VGT_PROTO_F_KNOWN)
        return -EINVAL;
    if (len > max_body || len > UINT32_MAX)
        return -EMSGSIZE;
    buf = malloc(VGT_PROTO_HDR_LEN + len);
    if (!buf)
        return -ENOMEM;
    vgt_proto_hdr_encode(buf, &h);
    if (len)
        memcpy(buf + VGT_PROTO_HDR_LEN, body, len);
    *out = buf;
    *out_len = VGT_PROTO_HDR_LEN + len;
    return 0;
}

/* ---- Decoder ------------------------------------------------------------------ */

void vgt_proto_decoder_init(struct vgt_proto_decoder *d, size_t max_body)
{
    memset(d, 0, sizeof(*d));
    d->max_body = max_body;
}

void vgt_proto_decoder_dispose(struct vgt_proto_decoder *d)
{
    if (!d)
        return;
    free(d->body);
    vgt_proto_decoder_init(d, d->max_body);
}

static ssize_t decoder_fail(struct vgt_proto_decoder *d, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static ssize_t decoder_fail(struct vgt_proto_decoder *d, int err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(d->errmsg, sizeof(d->errmsg), fmt, ap);
    va_end(ap);
    d->error = err;
    return err;
}

/* Check a complete header; allocate the body. */
static ssize_t decoder_header(struct vgt_proto_decoder *d)
{
    vgt_proto_hdr_decode(d->hdr, &d->h);
    if (d->h.version != VGT_PROTO_VERSION)
        return decoder_fail(d, -EPROTO, "peer speaks protocol %u, this side %u",
                            d->h.version, VGT_PROTO_VERSION);
    if (d->h.flags & ~VGT_PROTO_F_KNOWN)
        return decoder_fail(d, -EBADMSG, "unknown frame flags 0x%04x", d->h.flags);
    if (d->h.length > d->max_body)
        return decoder_fail(d, -EMSGSIZE, "frame body of %u bytes, at most %zu allowed",
                            d->h.length, d->max_body);
    if (d->h.length < 2) /* "{}" is the shortest body */
        return decoder_fail(d, -EBADMSG, "frame body of %u bytes is not a JSON object",
                            d->h.length);
    d->body = malloc((size_t)d->h.length + 1);
    if (!d->body)
        return decoder_fail(d, -ENOMEM, "out of memory for a frame of %u bytes", d->h.length);
    d->body_have = 0;
    return 0;
}

ssize_t vgt_proto_decoder_feed(struct vgt_proto_decoder *d, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    size_t used = 0;

    if (d->error)
        return d->error;
    if (vgt_proto_decoder_ready(d))
        return 0; /* take the frame first */
    if (d->hdr_have < VGT_PROTO_HDR_LEN) {
        size_t n = VGT_PROTO_HDR_LEN - d->hdr_have;
        if (n > len)
            n = len;
        memcpy(d->hdr + d->hdr_have, p, n);
        d->hdr_have += n;
        used += n;
        if (d->hdr_have < VGT_PROTO_HDR_LEN)
            return (ssize_t)used;
        ssize_t r = decoder_header(d);
        if (r < 0)
            return r;
    }
    size_t n = d->h.length - d->body_have;
    if (n > len - used)
        n = len - used;
    memcpy(d->body + d->body_have, p + used, n);
    d->body_have += n;
    used += n;
    if (d->body_have == d->h.length) {
        d->body[d->h.length] = '\0';
        if (memchr(d->body, '\0', d->h.length))
            return decoder_fail(d, -EBADMSG, "NUL byte in a frame body");
    }
    return (ssize_t)used;
}

bool vgt_proto_decoder_ready(const struct vgt_proto_decoder *d)
{
    return !d->error && d->hdr_have == VGT_PROTO_HDR_LEN && d->body &&
           d->body_have == d->h.length;
}

bool vgt_proto_decoder_idle(const struct vgt_proto_decoder *d)
{
    return d->hdr_have == 0;
}

void vgt_proto_frame_dispose(struct vgt_proto_frame *f)
{
    if (!f)
        return;
    free(f->body);
    f->body = NULL;
    f->len = 0;
    f->flags = 0;
}

int vgt_proto_decoder_take(struct vgt_proto_decoder *d, struct vgt_proto_frame *out)
{
    if (!vgt_proto_decoder_ready(d))
        return d->error ? d->error : -EAGAIN;
    out->flags = d->h.flags;
    out->body = d->body;
    out->len = d->h.length;
    d->body = NULL;
    d->body_have = 0;
    d->hdr_have = 0;
    memset(&d->h, 0, sizeof(d->h));
    return 0;
}

/* ---- Building ------------------------------------------------------------------ */

static int msg_init(struct vgt_msg *m, bool pretty)
{
    m->error = 0;
    m->g = yajl_gen_alloc(NULL);
    if (!m->g)
        return -ENOMEM;
    yajl_gen_config(m->g, yajl_gen_validate_utf8, 1);
    if (pretty) {
        yajl_gen_config(m->g, yajl_gen_beautify, 1);
        yajl_gen_config(m->g, yajl_gen_indent_string, "    ");
    }
    if (yajl_gen_map_open(m->g) != yajl_gen_status_ok) {
        vgt_msg_dispose(m);
        return -ENOMEM;
    }
    return 0;
}

int vgt_msg_init(struct vgt_msg *m)
{
    return msg_init(m, false);
}

int vgt_msg_init_pretty(struct vgt_msg *m)
{
    return msg_init(m, true);
}

void vgt_msg_dispose(struct vgt_msg *m)
{
    if (m && m->g) {
        yajl_gen_free(m->g);
        m->g = NULL;
    }
}

static void msg_check(struct vgt_msg *m, yajl_gen_status s)
{
    if (s == yajl_gen_status_ok || m->error)
        return;
    m->error = s == yajl_gen_invalid_string ? -EILSEQ : -EINVAL;
}

/* Write the key; false if the message already failed. */
static bool msg_key(struct vgt_msg *m, const char *key)
{
    if (!m->g || m->error)
        return false;
    if (key)
        msg_check(m, yajl_gen_string(m->g, (const unsigned char *)key, strlen(key)));
    return !m->error;
}

void vgt_msg_str(struct vgt_msg *m, const char *key, const char *val)
{
    if (!msg_key(m, key))
        return;
    if (!val)
        msg_check(m, yajl_gen_null(m->g));
    else
        msg_check(m, yajl_gen_string(m->g, (const unsigned char *)val, strlen(val)));
}

void vgt_msg_int(struct vgt_msg *m, const char *key, long long val)
{
    if (msg_key(m, key))
        msg_check(m, yajl_gen_integer(m->g, val));
}

void vgt_msg_u64(struct vgt_msg *m, const char *key, uint64_t val)
{
    if (val > (uint64_t)LLONG_MAX) {
        if (!m->error)
            m->error = -ERANGE;
        return;
    }
    vgt_msg_int(m, key, (long long)val);
}

void vgt_msg_bool(struct vgt_msg *m, const char *key, bool val)
{
    if (msg_key(m, key))
        msg_check(m, yajl_gen_bool(m->g, val));
}

void vgt_msg_null(struct vgt_msg *m, const char *key)
{
    if (msg_key(m, key))
        msg_check(m, yajl_gen_null(m->g));
}

void vgt_msg_map_open(struct vgt_msg *m, const char *key)
{
    if (msg_key(m, key))
        msg_check(m, yajl_gen_map_open(m->g));
}

void vgt_msg_map_close(struct vgt_msg *m)
{
    if (m->g && !m->error)
        msg_check(m, yajl_gen_map_close(m->g));
}

void vgt_msg_array_open(struct vgt_msg *m, const char *key)
{
    if (msg_key(m, key))
        msg_check(m, yajl_gen_array_open(m->g));
}

void vgt_msg_array_close(struct vgt_msg *m)
{
    if (m->g && !m->error)
        msg_check(m, yajl_gen_array_close(m->g));
}

void vgt_msg_value(struct vgt_msg *m, const char *key, yajl_val v)
{
    if (!msg_key(m, key))
        return;
    if (!v) {
        msg_check(m, yajl_gen_null(m->g));
    } else if (YAJL_IS_OBJECT(v)) {
        msg_check(m, yajl_gen_map_open(m->g));
        for (size_t i = 0; i < v->u.object.len; i++)
            vgt_msg_value(m, v->u.object.keys[i], v->u.object.values[i]);
        vgt_msg_map_close(m);
    } else if (YAJL_IS_ARRAY(v)) {
        msg_check(m, yajl_gen_array_open(m->g));
        for (size_t i = 0; i < v->u.array.len; i++)
            vgt_msg_value(m, NULL, v->u.array.values[i]);
        vgt_msg_array_close(m);
    } else if (YAJL_IS_STRING(v)) {
        msg_check(m, yajl_gen_string(m->g, (const unsigned char *)v->u.string,
                                     strlen(v->u.string)));
    } else if (YAJL_IS_NUMBER(v)) {
        /* the number as it was written: no round trip through a double */
        msg_check(m, yajl_gen_number(m->g, v->u.number.r, strlen(v->u.number.r)));
    } else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
        msg_check(m, yajl_gen_bool(m->g, YAJL_IS_TRUE(v)));
    } else {
        msg_check(m, yajl_gen_null(m->g));
    }
}

static void msg_verror(struct vgt_msg *m, int negerr, const char *fmt, va_list ap)
{
    char text[512];
    const char *name = vgt_errno_name(negerr);

    vsnprintf(text, sizeof(text), fmt, ap);
    vgt_msg_bool(m, "ok", false);
    vgt_msg_int(m, "errno", negerr < 0 ? -negerr : negerr);
    vgt_msg_str(m, "error", name ? name : "EIO");
    vgt_msg_str(m, "message", text);
}

void vgt_msg_error(struct vgt_msg *m, int negerr, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_verror(m, negerr, fmt, ap);
    va_end(ap);
}

int vgt_msg_text(struct vgt_msg *m, const char **text, size_t *len)
{
    const unsigned char *buf;

    if (!m->g)
        return -EINVAL;
    vgt_msg_map_close(m);
    if (m->error)
        return m->error;
    if (yajl_gen_get_buf(m->g, &buf, len) != yajl_gen_status_ok)
        return -EINVAL;
    *text = (const char *)buf;
    return 0;
}

int vgt_msg_frame(struct vgt_msg *m, uint16_t flags, size_t max_body, uint8_t **out,
                  size_t *out_len)
{
    const char *text;
    size_t len;
    int r = vgt_msg_text(m, &text, &len);

    if (r < 0)
        return r;
    return vgt_proto_frame(text, len, flags, max_body, out, out_len);
}

int vgt_proto_error_frame(int negerr, uint8_t **out, size_t *out_len, const char *fmt, ...)
{
    struct vgt_msg m;
    va_list ap;
    int r;

    r = vgt_msg_init(&m);
    if (r < 0)
        return r;
    va_start(ap, fmt);
    msg_verror(&m, negerr, fmt, ap);
    va_end(ap);
    r = vgt_msg_frame(&m, VGT_PROTO_F_REPLY, VGT_PROTO_MAX_REPLY, out, out_len);
    vgt_msg_dispose(&m);
    return r;
}

int vgt_proto_version_error_frame(unsigned peer_version, uint8_t **out, size_t *out_len)
{
    struct vgt_msg m;
    int r;

    r = vgt_msg_init(&m);
    if (r < 0)
        return r;
    vgt_msg_error(&m, -EPROTO, "vgtd speaks protocol %u, this client %u", VGT_PROTO_VERSION,
                  peer_version);
    vgt_msg_int(&m, "server_version", VGT_PROTO_VERSION);
    vgt_msg_int(&m, "client_version", peer_version);
    r = vgt_msg_frame(&m, VGT_PROTO_F_REPLY, VGT_PROTO_MAX_REPLY, out, out_len);
    vgt_msg_dispose(&m);
    return r;
}

/* ---- Reading ------------------------------------------------------------------- */

int vgt_proto_parse(const char *body, size_t len, yajl_val *out, char *err, size_t errlen)
{
    char ybuf[256] = "";
    yajl_val v;

    if (err && errlen)
        err[0] = '\0';
    if (!body || memchr(body, '\0', len) || body[len] != '\0') {
        if (err && errlen)
            snprintf(err, errlen, "body is not a NUL-free string");
        return -EBADMSG;
    }
    v = yajl_tree_parse(body, ybuf, sizeof(ybuf));
    if (!v) {
        if (err && errlen) {
            /* yajl's message spans lines; keep the first */
            ybuf[strcspn(ybuf, "\n")] = '\0';
            snprintf(err, errlen, "bad JSON: %s", ybuf[0] ? ybuf : "parse error");
        }
        return -EBADMSG;
    }
    if (!YAJL_IS_OBJECT(v)) {
        yajl_tree_free(v);
        if (err && errlen)
            snprintf(err, errlen, "body is not a JSON object");
        return -EBADMSG;
    }
    *out = v;
    return 0;
}

yajl_val vgt_json_get(yajl_val obj, const char *key)
{
    if (!obj || !YAJL_IS_OBJECT(obj))
        return NULL;
    for (size_t i = 0; i < obj->u.object.len; i++)
        if (strcmp(obj->u.object.keys[i], key) == 0)
            return YAJL_IS_NULL(obj->u.object.values[i]) ? NULL : obj->u.object.values[i];
    return NULL;
}

int vgt_json_get_str(yajl_val obj, const char *key, const char **out)
{
    yajl_val v = vgt_json_get(obj, key);

    if (!v)
        return -ENOENT;
    if (!YAJL_IS_STRING(v))
        return -EINVAL;
    *out = v->u.string;
    return 0;
}

int vgt_json_get_int(yajl_val obj, const char *key, long long *out)
{
    yajl_val v = vgt_json_get(obj, key);

    if (!v)
        return -ENOENT;
    if (!YAJL_IS_INTEGER(v))
        return -EINVAL;
    *out = YAJL_GET_INTEGER(v);
    return 0;
}

int vgt_json_get_u64(yajl_val obj, const char *key, uint64_t *out)
{
    long long v;
    int r = vgt_json_get_int(obj, key, &v);

    if (r < 0)
        return r;
    if (v < 0)
        return -EINVAL;
    *out = (uint64_t)v;
    return 0;
}

int vgt_json_get_uint(yajl_val obj, const char *key, unsigned *out)
{
    long long v;
    int r = vgt_json_get_int(obj, key, &v);

    if (r < 0)
        return r;
    if (v < 0 || v > UINT_MAX)
        return -EINVAL;
    *out = (unsigned)v;
    return 0;
}

int vgt_json_get_bool(yajl_val obj, const char *key, bool *out)
{
    yajl_val v = vgt_json_get(obj, key);

    if (!v)
        return -ENOENT;
    if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
        return -EINVAL;
    *out = YAJL_IS_TRUE(v);
    return 0;
}

int vgt_proto_reply_status(yajl_val reply, char *msg, size_t msglen)
{
    const char *name = NULL, *text = NULL;
    long long num = 0;
    bool ok;
    int err = 0;

    if (msg && msglen)
        msg[0] = '\0';
    if (vgt_json_get_bool(reply, "ok", &ok) < 0) {
        if (msg && msglen)
            snprintf(msg, msglen, "reply without \"ok\"");
        return -EPROTO;
    }
    if (ok)
        return 0;
    if (vgt_json_get_str(reply, "error", &name) == 0)
        err = vgt_errno_from_name(name);
    if (!err && vgt_json_get_int(reply, "errno", &num) == 0 && num > 0 && num < 4096)
        err = (int)-num;
    if (!err)
        err = -EIO;
    if (msg && msglen) {
        if (vgt_json_get_str(reply, "message", &text) == 0)
            snprintf(msg, msglen, "%s", text);
        else
            snprintf(msg, msglen, "%s", strerror(-err));
    }
    return err;
}

/* The errors vgtd may send; by name so that both sides agree whatever the numbers. */
static const struct { int err; const char *name; } errno_names[] = {
    { EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" }, { EINTR, "EINTR" },
    { EIO, "EIO" }, { ENXIO, "ENXIO" }, { E2BIG, "E2BIG" }, { EBADF, "EBADF" },
    { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EBUSY, "EBUSY" },
    { EEXIST, "EEXIST" }, { ENODEV, "ENODEV" }, { EINVAL, "EINVAL" }, { ENOSPC, "ENOSPC" },
    { ERANGE, "ERANGE" }, { ENOSYS, "ENOSYS" }, { EPROTO, "EPROTO" }, { EBADMSG, "EBADMSG" },
    { EMSGSIZE, "EMSGSIZE" }, { EOPNOTSUPP, "EOPNOTSUPP" }, { ETIMEDOUT, "ETIMEDOUT" },
    { ECONNREFUSED, "ECONNREFUSED" }, { ENOTCONN, "ENOTCONN" }, { ECANCELED, "ECANCELED" },
    { EALREADY, "EALREADY" }, { EILSEQ, "EILSEQ" }, { ECHILD, "ECHILD" },
    { ESHUTDOWN, "ESHUTDOWN" }, { EHOSTDOWN, "EHOSTDOWN" },
};

const char *vgt_errno_name(int negerr)
{
    int e = negerr < 0 ? -negerr : negerr;

    for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
        if (errno_names[i].err == e)
            return errno_names[i].name;
    return NULL;
}

int vgt_errno_from_name(const char *name)
{
    for (size_t i = 0; name && i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
        if (strcmp(errno_names[i].name, name) == 0)
            return -errno_names[i].err;
    return 0;
}

/* ---- Encodings ---------------------------------------------------------------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *vgt_base64_encode(const void *data, size_t len)
{
    const uint8_t *p = data;
    size_t outlen = (len + 2) / 3 * 4;
    char *out, *o;

    if (len > (SIZE_MAX - 1) / 4 * 3 - 2) {
        errno = ENOMEM;
        return NULL;
    }
    out = malloc(outlen + 1);
    if (!out)
        return NULL;
    o = out;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        size_t left = len - i;
        if (left > 1)
            v |= (uint32_t)p[i + 1] << 8;
        if (left > 2)
            v |= p[i + 2];
        *o++ = b64[v >> 18];
        *o++ = b64[(v >> 12) & 63];
        *o++ = left > 1 ? b64[(v >> 6) & 63] : '=';
        *o++ = left > 2 ? b64[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

int vgt_base64_decode(const char *s, size_t len, uint8_t **out, size_t *out_len)
{
    uint8_t *buf, *o;

    if (len % 4)
        return -EINVAL;
    buf = malloc(len / 4 * 3 + 1);
    if (!buf)
        return -ENOMEM;
    o = buf;
    for (size_t i = 0; i < len; i += 4) {
        int v[4], pad = 0;
        for (int k = 0; k < 4; k++) {
            char c = s[i + k];
            if (c == '=' && i + 4 == len && k >= 2) {
                v[k] = 0;
                pad++;
                continue;
            }
            v[k] = pad ? -1 : b64_value(c); /* no data after padding */
            if (v[k] < 0) {
                free(buf);
                return -EINVAL;
            }
        }
        uint32_t x = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | v[3];
        *o++ = x >> 16;
        if (pad < 2)
            *o++ = (x >> 8) & 0xff;
        if (pad < 1)
            *o++ = x & 0xff;
    }
    *out = buf;
    *out_len = (size_t)(o - buf);
    return 0;
}

char *vgt_hex_encode(const void *data, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *p = data;
    char *out = malloc(len * 2 + 1);

    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[len * 2] = '\0';
    return out;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int vgt_hex_decode(const char *s, void *out, size_t out_len)
{
    uint8_t *o = out;

    if (!s || strlen(s) != out_len * 2)
        return -EINVAL;
    for (size_t i = 0; i < out_len; i++) {
        int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -EINVAL;
        o[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}
