/* SPDX-License-Identifier: LGPL-2.1-only */
/* EDID base block (128 bytes): load (binary or hex text), check, decode. */
#ifndef VGT_EDID_H
#define VGT_EDID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vgt/error.h"

#define VGT_EDID_LEN 128
#define VGT_FILE_MAX (1024 * 1024) /* EDID and monitor.config files are small */

struct vgt_edid_info {
    char manufacturer[4];   /* three letters, e.g. "DEL"; '?' for a letter out of range */
    uint16_t product;       /* product code */
    uint32_t serial;
    unsigned extensions;    /* byte 126 */
    unsigned width, height; /* preferred detailed timing */
    unsigned refresh_hz;    /* rounded */
    bool has_preferred;
    uint32_t pixel_clock_khz; /* of the preferred timing */
    bool interlaced;          /* height is the frame height, refresh the field rate */
    char name[14];            /* monitor name descriptor (0xfc), "" if none */
};

/* Check header, checksum and decode.  Errors are "WHAT: edid: message"; WHAT may be
 * "FILE" or "FILE:LINE".  Returns 0 or -EBADMSG. */
int vgt_edid_decode(const uint8_t edid[VGT_EDID_LEN], struct vgt_edid_info *out,
                    const char *what, struct vgt_diag *diag);
/* Parse bytes that are either a binary EDID (>= 128 bytes; the base block is used)
 * or hex text (whitespace, '#' comments and an optional 0x allowed), and check them:
 * header and checksum of the base block; more than 128 bytes must be whole extension
 * blocks, as many as byte 126 says, each with a good checksum.  Every error is
 * recorded; returns 0 or -EBADMSG. */
int vgt_edid_parse(const void *data, size_t len, uint8_t edid[VGT_EDID_LEN],
                   const char *what, struct vgt_diag *diag);
/* Read PATH and vgt_edid_parse() it; -errno if it cannot be read. */
int vgt_edid_load(const char *path, uint8_t edid[VGT_EDID_LEN], struct vgt_diag *diag);

/* A built-in 1920x1080@60 EDID for the default virtual monitor (digital input,
 * CEA-861 1080p timing at 148.5 MHz, monitor name "xen-vgt", manufacturer "XEN",
 * product 0x1080). */
extern const uint8_t vgt_edid_default_1080p[VGT_EDID_LEN];
/* The same monitor with an analog input (product 0x1081), for a VGA (CRT) port:
 * i915's DDC detection of a CRT refuses a digital EDID ("EDID reports a digital
 * panel"); HDMI wants a digital one.  See vgt_port_type_default_edid(). */
extern const uint8_t vgt_edid_default_1080p_vga[VGT_EDID_LEN];

/*
 * Hex text shared by EDID files and monitor.config: tokens separated by white
 * space; '#' starts a comment up to the end of the line; a token is an optional
 * 0x/0X followed by an even number of hex digits (two per byte).  Each byte keeps
 * the line it came from, for messages.
 */
struct vgt_hex {
    uint8_t *bytes;
    int *lines;
    size_t n;
};
void vgt_hex_dispose(struct vgt_hex *h); /* idempotent */
/* Every bad token is reported as "WHAT:LINE: KEY: message"; returns 0 or -EINVAL. */
int vgt_hex_parse(const char *text, size_t len, const char *what, const char *key,
                  struct vgt_hex *out, struct vgt_diag *diag);
/* True if DATA looks like text (no NUL, no control bytes but white space). */
bool vgt_hex_is_text(const void *data, size_t len);

/* Read a whole file of at most VGT_FILE_MAX bytes (NUL-terminated for convenience).
 * Errors are "PATH: KEY: message"; returns 0 or -errno (-EFBIG if too large). */
int vgt_file_read(const char *path, const char *key, char **data, size_t *len,
                  struct vgt_diag *diag);

#endif
