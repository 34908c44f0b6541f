/* SPDX-License-Identifier: LGPL-2.1-only */
/* vgtd's control protocol: framing, incremental decoder, JSON helpers, encodings. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"
#include "vgt/proto.h"

static void test_header(void)
{
    struct vgt_proto_hdr h = { 0x0102, 0x0304, 0x05060708 }, back;
    uint8_t b[VGT_PROTO_HDR_LEN];

    vgt_proto_hdr_encode(b, &h);
    ok(memcmp(b, "\x01\x02\x03\x04\x05\x06\x07\x08", 8) == 0, "header is big endian");
    vgt_proto_hdr_decode(b, &back);
    ok(back.version == h.version && back.flags == h.flags && back.length == h.length,
       "header round trip");
}

static void test_frame_and_decode_bytewise(void)
{
    static const char body[] = "{\"cmd\":\"list\"}";
    struct vgt_proto_decoder d;
    struct vgt_proto_frame f = { 0 };
    uint8_t *buf = NULL;
    size_t len = 0;

    is_int(vgt_proto_frame(body, strlen(body), 0, VGT_PROTO_MAX_REQUEST, &buf, &len), 0,
           "frame a request");
    is_int(len, VGT_PROTO_HDR_LEN + strlen(body), "frame length");
    is_int(buf[0] << 8 | buf[1], VGT_PROTO_VERSION, "version in the header");

    vgt_proto_decoder_init(&d, VGT_PROTO_MAX_REQUEST);
    ok(vgt_proto_decoder_idle(&d), "fresh decoder is idle");
    size_t i;
    for (i = 0; i < len - 1; i++)
        if (vgt_proto_decoder_feed(&d, buf + i, 1) != 1 || vgt_proto_decoder_ready(&d))
            break;
    is_int(i, len - 1, "one byte at a time, not ready before the last byte");
    ok(!vgt_proto_decoder_idle(&d), "decoder with a partial frame is not idle");
    is_int(vgt_proto_decoder_take(&d, &f), -EAGAIN, "take before complete: -EAGAIN");
    is_int(vgt_proto_decoder_feed(&d, buf + len - 1, 1), 1, "last byte");
    ok(vgt_proto_decoder_ready(&d), "ready after the last byte");
    is_int(vgt_proto_decoder_take(&d, &f), 0, "take");
    is_str(f.body, body, "body as sent, NUL-terminated");
    is_int(f.len, strlen(body), "body length");
    ok(vgt_proto_decoder_idle(&d), "idle again after take");
    vgt_proto_frame_dispose(&f);
    vgt_proto_decoder_dispose(&d);
    free(buf);
}

static void test_two_frames_one_read(void)
{
    uint8_t *a = NULL, *b = NULL, both[128];
    size_t alen, blen;
    struct vgt_proto_decoder d;
    struct vgt_proto_frame f = { 0 };

    vgt_proto_frame("{\"a\":1}", 7, VGT_PROTO_F_REPLY, 100, &a, &alen);
    vgt_proto_frame("{\"b\":2}", 7, 0, 100, &b, &blen);
    memcpy(both, a, alen);
    memcpy(both + alen, b, blen);
    vgt_proto_decoder_init(&d, 100);
    ssize_t n = vgt_proto_decoder_feed(&d, both, alen + blen);
    is_int(n, alen, "feed stops at the end of the first frame");
    is_int(vgt_proto_decoder_feed(&d, both + n, alen + blen - n), 0,
           "nothing consumed until the frame is taken");
    vgt_proto_decoder_take(&d, &f);
    is_str(f.body, "{\"a\":1}", "first frame");
    is_int(f.flags, VGT_PROTO_F_REPLY, "its flags");
    vgt_proto_frame_dispose(&f);
    is_int(vgt_proto_decoder_feed(&d, both + n, alen + blen - n), blen, "second frame fed");
    vgt_proto_decoder_take(&d, &f);
    is_str(f.body, "{\"b\":2}", "second frame");
    vgt_proto_frame_dispose(&f);
    vgt_proto_decoder_dispose(&d);
    free(a);
    free(b);
}

static int feed_header(uint16_t v, uint16_t flags, uint32_t len, size_t max,
                       struct vgt_proto_decoder *d)
{
    struct vgt_proto_hdr h = { v, flags, len };
    uint8_t b[VGT_PROTO_HDR_LEN];

    vgt_proto_hdr_encode(b, &h);
    vgt_proto_decoder_init(d, max);
    return (int)vgt_proto_decoder_feed(d, b, sizeof(b));
}

static void test_decoder_errors(void)
{
    struct vgt_proto_decoder d;
    struct vgt_proto_frame f = { 0 };

    is_int(feed_header(2, 0, 10, 100, &d), -EPROTO, "other version: -EPROTO");
    is_int(d.h.version, 2, "peer version is kept");
    is_str(d.errmsg, "peer speaks protocol 2, this side 1", "version message");
    is_int(vgt_proto_decoder_feed(&d, "x", 1), -EPROTO, "errors are sticky");
    is_int(vgt_proto_decoder_take(&d, &f), -EPROTO, "take after error gives the error");
    vgt_proto_decoder_dispose(&d);

    is_int(feed_header(1, 0, 101, 100, &d), -EMSGSIZE, "oversize: -EMSGSIZE");
    is_str(d.errmsg, "frame body of 101 bytes, at most 100 allowed", "oversize message");
    vgt_proto_decoder_dispose(&d);
    is_int(feed_header(1, 0, 0xffffffffu, VGT_PROTO_MAX_REPLY, &d), -EMSGSIZE,
           "4 GiB length refused before any allocation");
    vgt_proto_decoder_dispose(&d);
    is_int(feed_header(1, 0x8000, 4, 100, &d), -EBADMSG, "unknown flag: -EBADMSG");
    vgt_proto_decoder_dispose(&d);
    is_int(feed_header(1, 0, 0, 100, &d), -EBADMSG, "empty body: -EBADMSG");
    vgt_proto_decoder_dispose(&d);

    is_int(feed_header(1, 0, 4, 100, &d), 8, "header of a 4-byte body");
    is_int(vgt_proto_decoder_feed(&d, "{\0}}", 4), -EBADMSG, "NUL in the body: -EBADMSG");
    vgt_proto_decoder_dispose(&d);

    /* "GET / HTTP/1.1" on the socket: version 0x4745 */
    vgt_proto_decoder_init(&d, 100);
    is_int(vgt_proto_decoder_feed(&d, "GET / HTTP/1.1\r\n", 16), -EPROTO, "HTTP garbage: -EPROTO");
    vgt_proto_decoder_dispose(&d);

    uint8_t *out = NULL;
    size_t outlen;
    is_int(vgt_proto_frame("{}", 2, 0x10, 100, &out, &outlen), -EINVAL, "frame: unknown flags");
    is_int(vgt_proto_frame("{\"x\":12345}", 11, 0, 10, &out, &outlen), -EMSGSIZE,
           "frame: oversize");
}

static void test_msg_build_parse(void)
{
    struct vgt_msg m;
    uint8_t *buf = NULL;
    size_t len;
    yajl_val v = NULL;
    char err[128];
    const char *s;
    long long i;
    uint64_t u;
    unsigned ui;
    bool b;

    is_int(vgt_msg_init(&m), 0, "msg init");
    vgt_msg_str(&m, "cmd", "info");
    vgt_msg_int(&m, "neg", -5);
    vgt_msg_u64(&m, "big", 0x7fffffffffffffffull);
    vgt_msg_bool(&m, "yes", true);
    vgt_msg_null(&m, "nothing");
    vgt_msg_array_open(&m, "list");
    vgt_msg_map_open(&m, NULL);
    vgt_msg_str(&m, "port", "PORT_B");
    vgt_msg_map_close(&m);
    vgt_msg_int(&m, NULL, 7);
    vgt_msg_array_close(&m);
    is_int(vgt_msg_frame(&m, 0, VGT_PROTO_MAX_REQUEST, &buf, &len), 0, "msg frame");
    vgt_msg_dispose(&m);
    vgt_msg_dispose(&m); /* idempotent */

    const char *body = (const char *)buf + VGT_PROTO_HDR_LEN;
    char *copy = strndup(body, len - VGT_PROTO_HDR_LEN);
    is_str(copy, "{\"cmd\":\"info\",\"neg\":-5,\"big\":9223372036854775807,\"yes\":true,"
                 "\"nothing\":null,\"list\":[{\"port\":\"PORT_B\"},7]}", "msg body");
    is_int(vgt_proto_parse(copy, strlen(copy), &v, err, sizeof(err)), 0, "parse it back");
    ok(vgt_json_get_str(v, "cmd", &s) == 0 && strcmp(s, "info") == 0, "get_str");
    ok(vgt_json_get_int(v, "neg", &i) == 0 && i == -5, "get_int");
    is_int(vgt_json_get_u64(v, "neg", &u), -EINVAL, "get_u64 of a negative: -EINVAL");
    ok(vgt_json_get_u64(v, "big", &u) == 0 && u == 0x7fffffffffffffffull, "get_u64");
    is_int(vgt_json_get_uint(v, "big", &ui), -EINVAL, "get_uint out of range");
    ok(vgt_json_get_bool(v, "yes", &b) == 0 && b, "get_bool");
    is_int(vgt_json_get_str(v, "nothing", &s), -ENOENT, "null reads as absent");
    is_int(vgt_json_get_str(v, "missing", &s), -ENOENT, "absent: -ENOENT");
    is_int(vgt_json_get_int(v, "cmd", &i), -EINVAL, "wrong type: -EINVAL");
    is_int(vgt_json_get_bool(v, "neg", &b), -EINVAL, "wrong type bool: -EINVAL");
    ok(YAJL_IS_ARRAY(vgt_json_get(v, "list")), "get array");
    yajl_tree_free(v);
    free(copy);
    free(buf);

    is_int(vgt_msg_init(&m), 0, "msg init");
    vgt_msg_str(&m, "bad", "\xff\xfe");
    vgt_msg_int(&m, "after", 1);
    is_int(vgt_msg_frame(&m, 0, 100, &buf, &len), -EILSEQ, "invalid UTF-8 is refused, sticky");
    vgt_msg_dispose(&m);
    is_int(vgt_msg_init(&m), 0, "msg init");
    vgt_msg_u64(&m, "huge", 0x8000000000000000ull);
    is_int(vgt_msg_frame(&m, 0, 100, &buf, &len), -ERANGE, "u64 above INT64_MAX refused");
    vgt_msg_dispose(&m);
}

static void test_parse_errors(void)
{
    yajl_val v = NULL;
    char err[128];

    is_int(vgt_proto_parse("{\"a\":", 5, &v, err, sizeof(err)), -EBADMSG, "truncated JSON");
    ok(strncmp(err, "bad JSON: ", 10) == 0 && !strchr(err, '\n'), "one-line message: %s", err);
    is_int(vgt_proto_parse("[1,2]", 5, &v, err, sizeof(err)), -EBADMSG, "array body");
    is_str(err, "body is not a JSON object", "array message");
    is_int(vgt_proto_parse("\"x\"", 3, &v, err, sizeof(err)), -EBADMSG, "string body");
    is_int(vgt_proto_parse("{}", 1, &v, err, sizeof(err)), -EBADMSG, "length mismatch");
}

static void test_error_replies(void)
{
    uint8_t *buf = NULL;
    size_t len;
    yajl_val v = NULL;
    char msg[128];
    long long n;

    is_int(vgt_proto_error_frame(-ESRCH, &buf, &len, "no vGPU guest %d", 7), 0, "error frame");
    is_int(buf[3], VGT_PROTO_F_REPLY, "error frame has the reply flag");
    char *body = strndup((char *)buf + 8, len - 8);
    is_str(body, "{\"ok\":false,\"errno\":3,\"error\":\"ESRCH\",\"message\":\"no vGPU guest 7\"}",
           "error reply body");
    vgt_proto_parse(body, strlen(body), &v, NULL, 0);
    is_int(vgt_proto_reply_status(v, msg, sizeof(msg)), -ESRCH, "status of an error reply");
    is_str(msg, "no vGPU guest 7", "its message");
    yajl_tree_free(v);
    free(body);
    free(buf);

    is_int(vgt_proto_version_error_frame(2, &buf, &len), 0, "version error frame");
    is_int(buf[0] << 8 | buf[1], VGT_PROTO_VERSION, "in the server's version");
    body = strndup((char *)buf + 8, len - 8);
    vgt_proto_parse(body, strlen(body), &v, NULL, 0);
    is_int(vgt_proto_reply_status(v, msg, sizeof(msg)), -EPROTO, "EPROTO");
    is_str(msg, "vgtd speaks protocol 1, this client 2", "both versions named");
    ok(vgt_json_get_int(v, "client_version", &n) == 0 && n == 2, "client_version field");
    yajl_tree_free(v);
    free(body);
    free(buf);

    vgt_proto_parse("{\"ok\":true}", 11, &v, NULL, 0);
    is_int(vgt_proto_reply_status(v, msg, sizeof(msg)), 0, "ok reply");
    yajl_tree_free(v);
    vgt_proto_parse("{\"ok\":false,\"errno\":16}", 23, &v, NULL, 0);
    is_int(vgt_proto_reply_status(v, msg, sizeof(msg)), -EBUSY, "errno number without name");
    is_str(msg, strerror(EBUSY), "strerror when no message");
    yajl_tree_free(v);
    vgt_proto_parse("{\"ok\":false,\"error\":\"EWHATEVER\"}", 32, &v, NULL, 0);
    is_int(vgt_proto_reply_status(v, msg, sizeof(msg)), -EIO, "unknown error name: -EIO");
    yajl_tree_free(v);
    vgt_proto_parse("{\"hello\":1}", 11, &v, NULL, 0);
    is_int(vgt_proto_reply_status(v, msg, sizeof(msg)), -EPROTO, "no ok field: -EPROTO");
    yajl_tree_free(v);

    is_str(vgt_errno_name(-ENXIO), "ENXIO", "errno name");
    is_int(vgt_errno_from_name("EAGAIN"), -EAGAIN, "errno from name");
    ok(vgt_errno_name(-12345) == NULL, "unknown errno: NULL");
}

static void test_encodings(void)
{
    static const struct { const char *in, *out; } v[] = {
        { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
        { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
    };
    uint8_t *dec = NULL;
    size_t dlen;

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        char *e = vgt_base64_encode(v[i].in, strlen(v[i].in));
        is_str(e, v[i].out, "base64 of \"%s\" (RFC 4648)", v[i].in);
        ok(vgt_base64_decode(e, strlen(e), &dec, &dlen) == 0 && dlen == strlen(v[i].in) &&
           memcmp(dec, v[i].in, dlen) == 0, "decode back \"%s\"", v[i].out);
        free(dec);
        free(e);
    }
    is_int(vgt_base64_decode("Zm9", 3, &dec, &dlen), -EINVAL, "base64: bad length");
    is_int(vgt_base64_decode("Zm=v", 4, &dec, &dlen), -EINVAL, "base64: data after padding");
    is_int(vgt_base64_decode("Zm9v!!!!", 8, &dec, &dlen), -EINVAL, "base64: bad character");
    is_int(vgt_base64_decode("Zg==Zg==", 8, &dec, &dlen), -EINVAL, "base64: padding mid-way");

    uint8_t raw[3] = { 0x00, 0xab, 0xff }, back[3];
    char *h = vgt_hex_encode(raw, 3);
    is_str(h, "00abff", "hex encode");
    ok(vgt_hex_decode(h, back, 3) == 0 && memcmp(raw, back, 3) == 0, "hex decode");
    is_int(vgt_hex_decode("00abf", back, 3), -EINVAL, "hex: short");
    is_int(vgt_hex_decode("00abfg", back, 3), -EINVAL, "hex: bad digit");
    free(h);
}

/* vgt_msg_value copies a parsed tree unchanged: xl --json prints vgtd's reply with it */
static void test_msg_value_copies_tree(void)
{
    static const char in[] =
        "{\"a\":[1,-2,18446744073709551615,0.5,\"s\\\"q\",true,false,null],"
        "\"o\":{\"k\":{}},\"e\":[]}";
    char err[64];
    yajl_val v = yajl_tree_parse(in, err, sizeof(err));
    struct vgt_msg m;
    const char *text;
    size_t len;

    ok(v != NULL, "parse the input");
    vgt_msg_init(&m);   /* opens the top-level object */
    for (size_t i = 0; v && i < v->u.object.len; i++)
        vgt_msg_value(&m, v->u.object.keys[i], v->u.object.values[i]);
    is_int(vgt_msg_text(&m, &text, &len), 0, "value copy builds");
    is_str(text, in, "same text: numbers keep their digits, strings their escapes");
    vgt_msg_dispose(&m);
    vgt_msg_init(&m);
    vgt_msg_value(&m, "v", NULL);
    is_int(vgt_msg_text(&m, &text, &len), 0, "NULL value");
    is_str(text, "{\"v\":null}", "NULL is written as null");
    vgt_msg_dispose(&m);
    yajl_tree_free(v);
}

int main(void)
{
    test_header();
    test_frame_and_decode_bytewise();
    test_two_frames_one_read();
    test_decoder_errors();
    test_msg_build_parse();
    test_parse_errors();
    test_error_replies();
    test_encodings();
    test_msg_value_copies_tree();
    return tap_done();
}
