/* SPDX-License-Identifier: LGPL-2.1-only */
/* EDID base block (128 bytes): load (binary or hex text), check, decode. */
#ifndef VGT_EDID_H
#define VGT_EDID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vgt/error.h"

#define VGT_EDID_LEN 128

struct vgt_edid_info {
    char manufacturer[4];   /* three letters, e.g. "DEL" */
    uint16_t product;       /* product code */
    uint32_t serial;
    unsigned extensions;    /* byte 126 */
    unsigned width, height; /* preferred detailed timing */
    unsigned refresh_hz;    /* rounded */
    bool has_preferred;
};

/* Check header, checksum and decode. */
int vgt_edid_decode(const uint8_t edid[VGT_EDID_LEN], struct vgt_edid_info *out,
                    const char *what, struct vgt_diag *diag);
/* Parse bytes that are either a binary EDID (>= 128 bytes; the base block is used)
 * or hex text (whitespace, '#' comments and an optional 0x allowed). */
int vgt_edid_parse(const void *data, size_t len, uint8_t edid[VGT_EDID_LEN],
                   const char *what, struct vgt_diag *diag);
int vgt_edid_load(const char *path, uint8_t edid[VGT_EDID_LEN], struct vgt_diag *diag);

/* A built-in 1920x1080@60 EDID for the default virtual monitor. */
extern const uint8_t vgt_edid_default_1080p[VGT_EDID_LEN];

#endif
