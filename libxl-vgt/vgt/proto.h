/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * vgtd's control protocol, shared by the server (vgtd) and its clients
 * (libvgt's client library, xl-vgt, other toolstacks).  Described for users in
 * vgtd-protocol(7).
 *
 * A frame is an 8-byte header and a body:
 *   u16 version (big endian)   VGT_PROTO_VERSION; the ONLY field fixed forever
 *   u16 flags   (big endian)   VGT_PROTO_F_*; unknown bits are an error
 *   u32 length  (big endian)   body length in bytes, 2..max (requests 64 KiB,
 *                              replies 32 MiB)
 *   body                       one JSON object, UTF-8, no NUL byte
 * A client sends one request ({"cmd":"NAME",...}) and reads one reply
 * ({"ok":true,...} or an error reply); replies come in request order.
 *
 * Version rule: a server that reads a header of another version answers with an
 * error reply (EPROTO) framed in ITS version, naming both versions, and closes the
 * connection; a client that reads a header of another version reports "vgtd speaks
 * protocol X, this client Y".  Neither side ever parses a body of another version.
 */
/*
 * Commands (full text in vgtd-protocol(7); numbers are JSON integers, sizes in bytes
 * unless the name ends in _mb; unknown request fields are ignored; an unknown "cmd"
 * gets EOPNOTSUPP; state-changing commands and screenshot need uid 0 (SO_PEERCRED),
 * else EPERM):
 *
 * hello      {"cmd":"hello","client":"xl-vgt 0.1.0"}
 *   -> {"ok":true,"version":1,"server":"vgtd 0.1.0","commands":["hello",...]}
 * list       {"cmd":"list"}
 *   -> {"ok":true,"display_owner":D,"guests":[GUEST...]}
 *   GUEST = {"domid":5,"name":"win10","vgt_id":1,"type":"V5_4"|null,
 *            "state":"starting"|"running"|"restarting"|"failsafe"|"rebooting",
 *            "display_ready":false,"display_owner":false,
 *            "low_gm_base":N,"low_gm_size":N,"high_gm_base":N,"high_gm_size":N,
 *            "fence_base":N,"fence_count":N,
 *            "ports":[{"port":"PORT_B","connected":true,"type":"DP_B","override":"PORT_B"}],
 *            "stats":{"bad_access":0,"ggtt_refused":0,"fence_refused":0,
 *                     "aperture_refused":0,"plane_refused":0}}
 * info       {"cmd":"info"}
 *   -> {"ok":true,"display_owner":D,"guests":N,
 *       "profile":{"name","description","gen","device_id","aperture_mb","ggtt_mb","fences",
 *                  "max_instances"},
 *       "host":{"low_mb","high_mb","fences"},
 *       "resources":{"low_total_mb","low_free_mb","low_largest_mb","high_total_mb",
 *                    "high_free_mb","high_largest_mb","fences_total","fences_free",
 *                    "fences_largest","instances_total","instances_free"},
 *       "types":[{"name":"V5_4","low_mb","high_mb","fences","fit":N}]}
 * attach     {"cmd":"attach","domid":N,"low_mb":N,"high_mb":N,"fences":N,
 *             optional: "name","type","vcpus","memory_mb","primary":-1|0|1,"cap":0..100,
 *             "monitor_config":"/absolute/path"}
 *   replies when the worker is ready (the guest may run): {"ok":true,"guest":GUEST}
 *   errors: ESRCH no such domain, EEXIST already attached, ENOSPC no room (message
 *   says which resource), EINVAL bad field or monitor config, ETIMEDOUT worker not ready
 * detach     {"cmd":"detach","domid":N} -> {"ok":true}            ESRCH
 * switch     {"cmd":"switch","domid":N,"force":false}  (0 = dom0, always works)
 *   -> {"ok":true,"display_owner":N,"previous":M}  ESRCH, EAGAIN display not ready
 * hotplug    {"cmd":"hotplug","domid":N,"port":"PORT_B","connect":true,"type":"DP_B",
 *             "override":"PORT_B","edid":"<256 hex digits>"}
 *            {"cmd":"hotplug","domid":N,"port":"PORT_B","connect":false}
 *   -> {"ok":true}   ESRCH, ENXIO unknown port, EBADMSG bad EDID, EINVAL bad type
 * screenshot {"cmd":"screenshot","domid":N}
 *   -> {"ok":true,"width":W,"height":H,"stride":S,"format":"XR24",
 *       "data":"<base64 of stride*height bytes, XRGB8888 little endian>"}
 *   ESRCH, EAGAIN no framebuffer yet
 * Errors: {"ok":false,"errno":N,"error":"ENAME","message":"one line"}; the name is
 * authoritative ("errno" is Linux's number, informative).
 */
#ifndef VGT_PROTO_H
#define VGT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VGT_PROTO_VERSION 1
#define VGT_PROTO_HDR_LEN 8
#define VGT_PROTO_MAX_REQUEST (64u * 1024u)          /* client -> server */
#define VGT_PROTO_MAX_REPLY (32u * 1024u * 1024u)    /* server -> client (screenshots) */
#define VGT_PROTO_F_REPLY 0x0001u                    /* set on every server -> client frame */
#define VGT_PROTO_F_KNOWN VGT_PROTO_F_REPLY
#define VGT_PROTO_SOCKET "/run/xen-vgt/vgtd.sock"     /* default; $VGT_SOCKET overrides */
#define VGT_PROTO_SOCKET_ENV "VGT_SOCKET"

/* ---- Framing --------------------------------------------------------------- */

struct vgt_proto_hdr {
    uint16_t version;
    uint16_t flags;
    uint32_t length;
};

void vgt_proto_hdr_encode(uint8_t out[VGT_PROTO_HDR_LEN], const struct vgt_proto_hdr *h);
void vgt_proto_hdr_decode(const uint8_t in[VGT_PROTO_HDR_LEN], struct vgt_proto_hdr *h);

/* Frame a body: *out = header + body (malloc'd), *out_len its size.
 * -EMSGSIZE if len > max_body, -EINVAL for unknown flags, -ENOMEM. */
int vgt_proto_frame(const void *body, size_t len, uint16_t flags, size_t max_body,
                    uint8_t **out, size_t *out_len);

/* Incremental decoder for a (non-blocking) byte stream: feed what was read, take
 * complete frames.  After an error the decoder stays failed: drop the connection. */
struct vgt_proto_decoder {
    size_t max_body;
    uint8_t hdr[VGT_PROTO_HDR_LEN];
    size_t hdr_have;
    struct vgt_proto_hdr h;     /* valid once hdr_have == VGT_PROTO_HDR_LEN */
    char *body;                 /* h.length + 1 bytes, NUL-terminated when complete */
    size_t body_have;
    int error;                  /* sticky negative errno, 0 if none */
    char errmsg[160];
};

void vgt_proto_decoder_init(struct vgt_proto_decoder *d, size_t max_body);
void vgt_proto_decoder_dispose(struct vgt_proto_decoder *d);
/* Consume bytes up to the end of the current frame.  Returns the number of bytes
 * consumed (>= 0; fewer than len when a frame completed: feed the rest after taking
 * it), or a negative errno, with errmsg set:
 *   -EPROTO    header of another protocol version (h.version says which)
 *   -EBADMSG   garbage: unknown flags, empty or too short body, NUL byte in the body
 *   -EMSGSIZE  body length above max_body */
ssize_t vgt_proto_decoder_feed(struct vgt_proto_decoder *d, const void *buf, size_t len);
bool vgt_proto_decoder_ready(const struct vgt_proto_decoder *d);
/* True while no byte of a next frame has been fed (a clean place to see EOF). */
bool vgt_proto_decoder_idle(const struct vgt_proto_decoder *d);

struct vgt_proto_frame {
    uint16_t flags;
    char *body;                 /* NUL-terminated JSON text, malloc'd */
    size_t len;
};
void vgt_proto_frame_dispose(struct vgt_proto_frame *f);
/* Move the complete frame out and reset the decoder for the next one.
 * -EAGAIN if no complete frame yet. */
int vgt_proto_decoder_take(struct vgt_proto_decoder *d, struct vgt_proto_frame *out);

/* ---- Building bodies (yajl_gen with a sticky error) ---------------------------
 * Every put takes the key of the value in the enclosing object; key NULL inside
 * arrays.  vgt_msg_init opens the top-level object. */
struct vgt_msg {
    yajl_gen g;
    int error;                  /* first failure, sticky */
};

int vgt_msg_init(struct vgt_msg *m);
int vgt_msg_init_pretty(struct vgt_msg *m);   /* indented, for people (xl --json) */
void vgt_msg_dispose(struct vgt_msg *m);
void vgt_msg_str(struct vgt_msg *m, const char *key, const char *val); /* NULL -> null */
void vgt_msg_int(struct vgt_msg *m, const char *key, long long val);
void vgt_msg_u64(struct vgt_msg *m, const char *key, uint64_t val);   /* <= INT64_MAX */
void vgt_msg_bool(struct vgt_msg *m, const char *key, bool val);
void vgt_msg_null(struct vgt_msg *m, const char *key);
void vgt_msg_map_open(struct vgt_msg *m, const char *key);
void vgt_msg_map_close(struct vgt_msg *m);
void vgt_msg_array_open(struct vgt_msg *m, const char *key);
void vgt_msg_array_close(struct vgt_msg *m);
/* A parsed JSON value, copied as it is (numbers keep their text); NULL -> null. */
void vgt_msg_value(struct vgt_msg *m, const char *key, yajl_val v);
/* The standard error fields: "ok":false, "errno":N, "error":"ENAME", "message". */
void vgt_msg_error(struct vgt_msg *m, int negerr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Close the top-level object and frame it (see vgt_proto_frame). */
int vgt_msg_frame(struct vgt_msg *m, uint16_t flags, size_t max_body, uint8_t **out,
                  size_t *out_len);

/* Close the top-level object; *text stays valid until dispose (not NUL-free checked). */
int vgt_msg_text(struct vgt_msg *m, const char **text, size_t *len);

/* A complete error reply frame, e.g. for ESRCH. */
int vgt_proto_error_frame(int negerr, uint8_t **out, size_t *out_len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The server's answer to a header of version peer_version: EPROTO, in our version,
 * with "server_version" and "client_version". */
int vgt_proto_version_error_frame(unsigned peer_version, uint8_t **out, size_t *out_len);

/* ---- Reading bodies (yajl_tree) ----------------------------------------------- */

/* Parse a body; it must be one JSON object.  -EBADMSG with a message in err. */
int vgt_proto_parse(const char *body, size_t len, yajl_val *out, char *err, size_t errlen);

/* Getters: 0, -ENOENT if the key is absent (or null), -EINVAL if of the wrong type
 * or out of range (out untouched then). */
yajl_val vgt_json_get(yajl_val obj, const char *key);
int vgt_json_get_str(yajl_val obj, const char *key, const char **out);
int vgt_json_get_int(yajl_val obj, const char *key, long long *out);
int vgt_json_get_u64(yajl_val obj, const char *key, uint64_t *out);
int vgt_json_get_uint(yajl_val obj, const char *key, unsigned *out);
int vgt_json_get_bool(yajl_val obj, const char *key, bool *out);

/* A reply's status: 0 if "ok":true; the negative errno of an error reply (from
 * "error", its name, else "errno") with "message" copied to msg; -EPROTO if the
 * body is neither. */
int vgt_proto_reply_status(yajl_val reply, char *msg, size_t msglen);

/* "ESRCH" <-> -ESRCH; unknown: NULL / 0. */
const char *vgt_errno_name(int negerr);
int vgt_errno_from_name(const char *name);

/* ---- Payload encodings -------------------------------------------------------- */
/* Base64 (RFC 4648, with padding) for screenshot pixels; hex for EDIDs. */
char *vgt_base64_encode(const void *data, size_t len);            /* NULL + errno */
int vgt_base64_decode(const char *s, size_t len, uint8_t **out, size_t *out_len);
char *vgt_hex_encode(const void *data, size_t len);
int vgt_hex_decode(const char *s, void *out, size_t out_len);     /* exactly out_len bytes */

#ifdef __cplusplus
}
#endif
#endif
