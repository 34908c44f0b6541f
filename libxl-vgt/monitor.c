/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * monitor.config (indirect display mode), text form of the guide, and the names of
 * ports and port types.  The original QEMU read this file byte by byte and ignored
 * any problem silently; here every problem is reported with its line.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vgt/cleanup.h"
#include "vgt/monitor.h"

#define KEY "monitor.config"
#define MAX_ITEMS 3      /* the original's MAX_INPUT_NUM: three pipes */
#define ITEM_LEN (2 + VGT_EDID_LEN)
#define FLAG_TEXT 0x1    /* header, high nibble */

static const char *const port_names[VGT_PORT_MAX] = {
    "PORT_A", "PORT_B", "PORT_C", "PORT_D", "PORT_E",
};

static const char *const type_names[VGT_PORT_TYPE_MAX] = {
    "CRT", "DP_A", "DP_B", "DP_C", "DP_D", "HDMI_B", "HDMI_C", "HDMI_D",
};

const char *vgt_port_name(enum vgt_port p)
{
    return (unsigned)p < VGT_PORT_MAX ? port_names[p] : NULL;
}

int vgt_port_from_name(const char *s)
{
    if (!s)
        return -EINVAL;
    if (strncasecmp(s, "PORT_", 5) == 0)
        s += 5;
    if (s[0] && !s[1]) {
        int c = toupper((unsigned char)s[0]);
        if (c >= 'A' && c < 'A' + VGT_PORT_MAX)
            return c - 'A';
    }
    return -EINVAL;
}

const char *vgt_port_type_name(enum vgt_port_type t)
{
    return (unsigned)t < VGT_PORT_TYPE_MAX ? type_names[t] : NULL;
}

int vgt_port_type_from_name(const char *s)
{
    if (!s || !*s)
        return -EINVAL;
    if (s[0] >= '0' && s[0] < '0' + VGT_PORT_TYPE_MAX && !s[1])
        return s[0] - '0';
    if (strcasecmp(s, "VGA") == 0)
        return VGT_PORT_CRT;
    for (int t = 0; t < VGT_PORT_TYPE_MAX; t++)
        if (strcasecmp(s, type_names[t]) == 0)
            return t;
    return -EINVAL;
}

enum vgt_port vgt_port_type_port(enum vgt_port_type t)
{
    switch (t) {
    case VGT_PORT_CRT: return VGT_PORT_E;
    case VGT_PORT_DP_A: return VGT_PORT_A;
    case VGT_PORT_DP_B: case VGT_PORT_HDMI_B: return VGT_PORT_B;
    case VGT_PORT_DP_C: case VGT_PORT_HDMI_C: return VGT_PORT_C;
    case VGT_PORT_DP_D: case VGT_PORT_HDMI_D: return VGT_PORT_D;
    default: return VGT_PORT_MAX;
    }
}

enum vgt_port_type vgt_port_type_of(enum vgt_port p, bool is_dp)
{
    switch (p) {
    case VGT_PORT_A: return is_dp ? VGT_PORT_DP_A : VGT_PORT_TYPE_MAX;
    case VGT_PORT_B: return is_dp ? VGT_PORT_DP_B : VGT_PORT_HDMI_B;
    case VGT_PORT_C: return is_dp ? VGT_PORT_DP_C : VGT_PORT_HDMI_C;
    case VGT_PORT_D: return is_dp ? VGT_PORT_DP_D : VGT_PORT_HDMI_D;
    case VGT_PORT_E: return is_dp ? VGT_PORT_TYPE_MAX : VGT_PORT_CRT;
    default: return VGT_PORT_TYPE_MAX;
    }
}

const uint8_t *vgt_port_type_default_edid(enum vgt_port_type t)
{
    return t == VGT_PORT_CRT ? vgt_edid_default_1080p_vga : vgt_edid_default_1080p;
}

/* One item at hex.bytes[at]; the caller made sure ITEM_LEN bytes are there. */
static int parse_item(const struct vgt_hex *hex, size_t at, unsigned idx, const char *file,
                      struct vgt_monitor_item *it, bool used[VGT_PORT_MAX],
                      struct vgt_diag *diag)
{
    const uint8_t *b = hex->bytes + at;
    int line = hex->lines[at], rc = 0;
    unsigned port = b[0] & 0x0f, dp = b[0] >> 4, over = b[1];

    it->line = line;
    if (port >= VGT_PORT_MAX) {
        rc = vgt_diag_at(diag, file, line, KEY, "item %u: virtual port %u (byte 0x%02x, low "
                         "nibble), allowed 0..4 (PORT_A..PORT_E)", idx, port, b[0]);
    } else if (dp > 1) {
        rc = vgt_diag_at(diag, file, line, KEY, "item %u: DP flag %u (byte 0x%02x, high "
                         "nibble), allowed 0 (HDMI on PORT_B..D, VGA on PORT_E) or 1 (DP)",
                         idx, dp, b[0]);
    } else if (vgt_port_type_of(port, dp) == VGT_PORT_TYPE_MAX) {
        rc = vgt_diag_at(diag, file, line, KEY, port == VGT_PORT_A
                         ? "item %u: PORT_A is DP only: write 0x%02x (DP flag 1), not 0x%02x"
                         : "item %u: PORT_E is the VGA (CRT) port and has no DP: write "
                           "0x%02x (DP flag 0), not 0x%02x",
                         idx, port == VGT_PORT_A ? 0x10 : 0x04, b[0]);
    } else if (used[port]) {
        rc = vgt_diag_at(diag, file, line, KEY, "item %u: virtual port %s is configured "
                         "twice", idx, port_names[port]);
    } else {
        used[port] = true;
        it->port = port;
        it->type = vgt_port_type_of(port, dp);
    }
    if (over >= VGT_PORT_MAX)
        rc = vgt_diag_at(diag, file, hex->lines[at + 1], KEY, "item %u: overridden physical "
                         "port %u (byte 0x%02x), allowed 0..4 (PORT_A..PORT_E)",
                         idx, over, over);
    else
        it->override = over;

    /* The EDID: its messages name the line where it starts. */
    int eline = hex->lines[at + 2];
    _cleanup_free_ char *what = NULL;
    struct vgt_edid_info info;
    if (asprintf(&what, "%s:%d", file, eline) < 0)
        return -ENOMEM;
    if (vgt_edid_decode(b + 2, &info, what, diag) < 0)
        rc = -EINVAL;
    else if (info.extensions)
        rc = vgt_diag_at(diag, file, eline, KEY, "item %u: EDID extension count (byte 126) "
                         "is %u, must be 0: monitor.config carries the base block only",
                         idx, info.extensions);
    memcpy(it->edid, b + 2, VGT_EDID_LEN);
    return rc;
}

int vgt_monitor_config_parse(const char *text, size_t len, const char *filename,
                             struct vgt_monitor_config *out, struct vgt_diag *diag)
{
    _cleanup_(vgt_hex_dispose) struct vgt_hex hex = { 0 };
    struct vgt_monitor_config cfg;
    bool used[VGT_PORT_MAX] = { false };
    const char *file = filename ? filename : "monitor.config";
    int rc;

    memset(&cfg, 0, sizeof(cfg));
    memset(out, 0, sizeof(*out));
    if (len && memchr(text, '\0', len))
        return vgt_diag_at(diag, file, 0, KEY, "binary data: only the text form (hex "
                           "digits and '#' comments) is supported");
    rc = vgt_hex_parse(text, len, file, KEY, &hex, diag);
    if (rc < 0)
        return rc;
    if (hex.n == 0)
        return vgt_diag_at(diag, file, 0, KEY, "no data: expected a header byte "
                           "(e.g. 11 for one item) and the items");

    uint8_t h = hex.bytes[0];
    unsigned n = h & 0x0f, flags = h >> 4;
    rc = 0;
    if (flags & ~FLAG_TEXT)
        rc = vgt_diag_at(diag, file, hex.lines[0], KEY, "header 0x%02x: unknown flags "
                         "0x%x in the high nibble, allowed 1 (text form)", h, flags);
    if (n < 1 || n > MAX_ITEMS)
        return vgt_diag_at(diag, file, hex.lines[0], KEY, "header 0x%02x: %u items "
                           "(low nibble), allowed 1..%d", h, n, MAX_ITEMS);

    size_t at = 1;
    for (unsigned i = 0; i < n; i++, at += ITEM_LEN) {
        if (hex.n - at < ITEM_LEN) {
            int line = at < hex.n ? hex.lines[at] : hex.lines[hex.n - 1];
            return vgt_diag_at(diag, file, line, KEY, "item %u: %zu bytes, an item needs "
                               "%d (port, override, 128-byte EDID); the header says %u "
                               "item%s", i + 1, hex.n - at, ITEM_LEN, n, n == 1 ? "" : "s");
        }
        struct vgt_monitor_item *it = &cfg.items[i];
        if (parse_item(&hex, at, i + 1, file, it, used, diag) < 0)
            rc = -EINVAL;
    }
    if (at < hex.n)
        rc = vgt_diag_at(diag, file, hex.lines[at], KEY, "%zu bytes after the last item: "
                         "the header says %u item%s", hex.n - at, n, n == 1 ? "" : "s");
    if (rc < 0)
        return -EINVAL;
    cfg.n = n;
    *out = cfg;
    return 0;
}

int vgt_monitor_config_load(const char *path, struct vgt_monitor_config *out,
                            struct vgt_diag *diag)
{
    _cleanup_free_ char *data = NULL;
    size_t len;
    int rc = vgt_file_read(path, KEY, &data, &len, diag);

    memset(out, 0, sizeof(*out));
    if (rc < 0)
        return rc;
    return vgt_monitor_config_parse(data, len, path, out, diag);
}
