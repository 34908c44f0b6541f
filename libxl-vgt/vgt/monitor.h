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

const char *vgt_port_name(enum vgt_port p);          /* "PORT_A" */
int vgt_port_from_name(const char *s);               /* "PORT_A", "A", "a" -> 0; <0 if bad */
const char *vgt_port_type_name(enum vgt_port_type t);/* "DP_B" */
int vgt_port_type_from_name(const char *s);          /* name or number; <0 if bad */

struct vgt_monitor_item {
    enum vgt_port port;           /* virtual port */
    enum vgt_port_type type;
    enum vgt_port override;       /* physical port it stands for */
    uint8_t edid[VGT_EDID_LEN];
    int line;                     /* where the item starts in the file */
};

struct vgt_monitor_config {
    unsigned n;
    struct vgt_monitor_item items[VGT_PORT_MAX];
};

int vgt_monitor_config_parse(const char *text, size_t len, const char *filename,
                             struct vgt_monitor_config *out, struct vgt_diag *diag);
int vgt_monitor_config_load(const char *path, struct vgt_monitor_config *out,
                            struct vgt_diag *diag);

#endif
