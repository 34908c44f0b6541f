/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * libFuzzer: vgtd's control protocol from the wire, as both ends read it.  The
 * first byte picks the chunk size fed to the incremental decoder; every complete
 * frame is parsed and read as a request (getters) and as each kind of reply.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vgt/client.h"

static void read_body(const char *body, size_t len)
{
    yajl_val v = NULL, gs;
    char msg[128];
    const char *s;
    long long i;
    uint64_t u;
    bool b;
    struct vgt_guest g;

    if (vgt_proto_parse(body, len, &v, msg, sizeof(msg)) < 0)
        return;
    vgt_json_get_str(v, "cmd", &s);
    vgt_json_get_int(v, "domid", &i);
    vgt_json_get_u64(v, "low_mb", &u);
    vgt_json_get_bool(v, "force", &b);
    vgt_proto_reply_status(v, msg, sizeof(msg));
    vgt_guest_from_json(vgt_json_get(v, "guest"), &g);
    gs = vgt_json_get(v, "guests");
    if (gs && YAJL_IS_ARRAY(gs))
        for (size_t k = 0; k < gs->u.array.len; k++)
            vgt_guest_from_json(gs->u.array.values[k], &g);
    if (vgt_json_get_str(v, "data", &s) == 0) {
        uint8_t *out = NULL;
        size_t n;
        if (vgt_base64_decode(s, strlen(s), &out, &n) == 0)
            free(out);
    }
    if (vgt_json_get_str(v, "edid", &s) == 0) {
        uint8_t e[VGT_EDID_LEN];
        vgt_hex_decode(s, e, sizeof(e));
    }
    yajl_tree_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vgt_proto_decoder d;
    size_t chunk, off = 1;

    if (size < 1)
        return 0;
    chunk = data[0] ? data[0] : 4096;
    vgt_proto_decoder_init(&d, VGT_PROTO_MAX_REQUEST);
    while (off < size) {
        size_t n = size - off < chunk ? size - off : chunk;
        ssize_t used = vgt_proto_decoder_feed(&d, data + off, n);
        if (used < 0)
            break;
        off += (size_t)used;
        if (vgt_proto_decoder_ready(&d)) {
            struct vgt_proto_frame f = { 0 };
            vgt_proto_decoder_take(&d, &f);
            read_body(f.body, f.len);
            vgt_proto_frame_dispose(&f);
        } else if (used == 0) {
            break;
        }
    }
    vgt_proto_decoder_dispose(&d);
    return 0;
}
