/* SPDX-License-Identifier: LGPL-2.1-only */
/* monitor.config (indirect display mode), text form of the guide. */
#ifndef VGT_MONITOR_H
#define VGT_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vgt/edid.h"
#include "vgt/error.h"

enum vgt_port { VGT_PORT_A, VGT_PORT_B, VGT_PORT_C, VGT_PORT_D, VGT_PORT_E, VGT_PORT_MAX };

/* Numbers as in the original sysfs `type` file. */
enum vgt_port_type {
    VGT_PORT_CRT = 0, VGT_PORT_DP_A, VGT_PORT_DP_B, VGT_PORT_DP_C, VGT_PORT_DP_D,
    VGT_PORT_HDMI_B, VGT_PORT_HDMI_C, VGT_PORT_HDMI_D, VGT_PORT_TYPE_MAX
};

/* Names return NULL for a value out of range. */
const char *vgt_port_name(enum vgt_port p);          /* "PORT_A" */
int vgt_port_from_name(const char *s);               /* "PORT_A", "A", "a" -> 0; <0 if bad */
const char *vgt_port_type_name(enum vgt_port_type t);/* "DP_B" */
int vgt_port_type_from_name(const char *s);          /* name or number; <0 if bad */
/* The port a type belongs to (CRT is PORT_E, the VGA port of the original);
 * VGT_PORT_MAX if out of range. */
enum vgt_port vgt_port_type_port(enum vgt_port_type t);
/* The type monitor.config's "is-DP" flag gives a virtual port, as the original
 * QEMU did: PORT_B..D are DP_x with the flag and HDMI_x without (so the text form
 * does express HDMI); PORT_A is DP_A (flag set) and PORT_E is CRT, the VGA port
 * (flag clear).  The original ignored the flag on PORT_A and PORT_E; we refuse the
 * contradictory combinations (PORT_A without DP, PORT_E with DP): they return
 * VGT_PORT_TYPE_MAX, as does a port out of range. */
enum vgt_port_type vgt_port_type_of(enum vgt_port p, bool is_dp);
/* The built-in default EDID for a port type: the analog one for CRT, else digital. */
const uint8_t *vgt_port_type_default_edid(enum vgt_port_type t);

struct vgt_monitor_item {
    enum vgt_port port;           /* virtual port */
    enum vgt_port_type type;
    enum vgt_port override;       /* physical port it stands for */
    uint8_t edid[VGT_EDID_LEN];
    int line;                     /* where the item starts in the file */
};

/* Text form (the guide, section 4.1.3): '#' comment lines, otherwise hex (see
 * vgt_hex_parse).  A header byte: high nibble flags (1 = text form), low nibble the
 * number of items, 1..3; then per item: virtual port (low nibble 0..4) | is-DP flag
 * (high nibble 0 or 1), the physical port it overrides (0..4), a 128-byte EDID
 * with no extension.  Every error is "FILE:LINE: monitor.config: message";
 * returns 0, -EINVAL (bad content) or -errno (file cannot be read). */
struct vgt_monitor_config {
    unsigned n;
    struct vgt_monitor_item items[VGT_PORT_MAX];
};

int vgt_monitor_config_parse(const char *text, size_t len, const char *filename,
                             struct vgt_monitor_config *out, struct vgt_diag *diag);
int vgt_monitor_config_load(const char *path, struct vgt_monitor_config *out,
                            struct vgt_diag *diag);

#endif
