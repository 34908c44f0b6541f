/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * EDID base block: read as binary or hex text, check, decode.  Also the hex text
 * reader shared with monitor.config.  Layout from VESA E-EDID 1.4 (section 3).
 */
#include <ctype.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vgt/cleanup.h"
#include "vgt/edid.h"

#define KEY "edid"

#define HEX_ERRORS_SHOWN 10

static const uint8_t edid_header[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };

/* 1920x1080@60 for the default virtual monitor, digital (DP, HDMI) or analog (VGA:
 * when i915 detects a CRT through DDC it takes only an analog EDID).  Both checked with `edid-decode -c`
 * (conformity PASS) and by tests/unit/test-edid.c. */
#define XEN_VGT_EDID(product_lo, input, features, checksum) {                                \
    /* header; manufacturer "XEN"; product 0x10xx; serial 0 */                              \
    0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x60, 0xae, product_lo, 0x10, 0, 0, 0, 0, \
    /* week 1 of 2024; EDID 1.4; input; 52x29 cm; gamma 2.2; features (sRGB, preferred  \
     * timing is native, continuous frequency); chromaticity of sRGB */                     \
    0x01, 0x22, 0x01, 0x04, input, 0x34, 0x1d, 0x78, features, 0xee, 0x91, 0xa3, 0x54, 0x4c,  \
    0x99, 0x26, 0x0f, 0x50, 0x54,                                                             \
    /* established 640x480, 800x600, 1024x768 @60; standard 1920x1080, 1280x720,        \
     * 1280x1024, 1600x900 @60 */                                                           \
    0x21, 0x08, 0x00, 0xd1, 0xc0, 0x81, 0xc0, 0x81, 0x80, 0xa9, 0xc0, 0x01, 0x01, 0x01, 0x01, \
    0x01, 0x01, 0x01, 0x01,                                                                   \
    /* DTD 1: CEA-861 1080p, 148.5 MHz, htotal 2200, vtotal 1125, +hsync +vsync */          \
    0x02, 0x3a, 0x80, 0x18, 0x71, 0x38, 0x2d, 0x40, 0x58, 0x2c, 0x45, 0x00, 0x09, 0x25, 0x21, \
    0x00, 0x00, 0x1e,                                                                         \
    /* range limits 50-75 Hz, 30-83 kHz, 160 MHz */                                         \
    0x00, 0x00, 0x00, 0xfd, 0x00, 0x32, 0x4b, 0x1e, 0x53, 0x10, 0x01, 0x0a, 0x20, 0x20, 0x20, \
    0x20, 0x20, 0x20,                                                                         \
    /* monitor name "xen-vgt" */                                                            \
    0x00, 0x00, 0x00, 0xfc, 0x00, 0x78, 0x65, 0x6e, 0x2d, 0x76, 0x67, 0x74, 0x0a, 0x20, 0x20, \
    0x20, 0x20, 0x20,                                                                         \
    /* dummy descriptor; no extension; checksum */                                          \
    0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, \
    0x00, 0x00, 0x00, 0x00, checksum }

/* Digital, 8 bits per colour; RGB 4:4:4 */
const uint8_t vgt_edid_default_1080p[VGT_EDID_LEN] = XEN_VGT_EDID(0x80, 0xa0, 0x07, 0xca);
/* Analog 0.7/0.3 V, separate sync; RGB colour */
const uint8_t vgt_edid_default_1080p_vga[VGT_EDID_LEN] = XEN_VGT_EDID(0x81, 0x08, 0x0f, 0x59);

/* ---- hex text ---------------------------------------------------------------- */

void vgt_hex_dispose(struct vgt_hex *h)
{
    if (!h)
        return;
    free(h->bytes);
    free(h->lines);
    h->bytes = NULL;
    h->lines = NULL;
    h->n = 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A character as a message shows it: 'g' or '\x01'. */
static const char *show_char(unsigned char c, char buf[8])
{
    if (isprint(c) && c != '\'')
        snprintf(buf, 8, "'%c'", c);
    else
        snprintf(buf, 8, "'\\x%02x'", c);
    return buf;
}

bool vgt_hex_is_text(const void *data, size_t len)
{
    const unsigned char *p = data;

    for (size_t i = 0; i < len; i++)
        if ((p[i] < 0x20 && !isspace(p[i])) || p[i] == 0x7f)
            return false;
    return true;
}

int vgt_hex_parse(const char *text, size_t len, const char *what, const char *key,
                  struct vgt_hex *out, struct vgt_diag *diag)
{
    _cleanup_free_ uint8_t *bytes = NULL;
    _cleanup_free_ int *lines = NULL;
    size_t n = 0, i = 0;
    int line = 1;
    unsigned nbad = 0;

    out->bytes = NULL;
    out->lines = NULL;
    out->n = 0;
    /* At most one byte per two characters. */
    bytes = malloc(len / 2 + 1);
    lines = malloc((len / 2 + 1) * sizeof(*lines));
    if (!bytes || !lines)
        return -ENOMEM;

    while (i < len) {
        unsigned char c = (unsigned char)text[i];

        if (c == '\n') {
            line++;
            i++;
            continue;
        }
        if (isspace(c)) {
            i++;
            continue;
        }
        if (c == '#') {
            while (i < len && text[i] != '\n')
                i++;
            continue;
        }
        /* A token: up to white space or '#'. */
        size_t start = i, end = i;
        while (end < len && !isspace((unsigned char)text[end]) && text[end] != '#')
            end++;
        size_t d = start;
        if (end - start >= 2 && text[start] == '0' && (text[start + 1] | 0x20) == 'x')
            d += 2;
        size_t bad = d;
        while (bad < end && hexval((unsigned char)text[bad]) >= 0)
            bad++;
        if (bad == end && d < end && (end - d) % 2 == 0) {
            for (size_t k = d; k < end; k += 2) {
                bytes[n] = (uint8_t)(hexval((unsigned char)text[k]) << 4 |
                                     hexval((unsigned char)text[k + 1]));
                lines[n++] = line;
            }
        } else if (++nbad > HEX_ERRORS_SHOWN) {
            /* A file that is not hex at all must not bury the first messages. */
        } else if (bad < end) {
            char cb[8];
            vgt_diag_at(diag, what, line, key, "bad hex digit %s",
                        show_char((unsigned char)text[bad], cb));
        } else if (d == end) {
            vgt_diag_at(diag, what, line, key, "'0x' without hex digits");
        } else {
            vgt_diag_at(diag, what, line, key,
                        "odd number of hex digits (%zu) in '%.*s': a byte is two digits",
                        end - d, (int)(end - start > 40 ? 40 : end - start), text + start);
        }
        i = end;
    }
    if (nbad > HEX_ERRORS_SHOWN)
        vgt_diag_at(diag, what, 0, key, "%u more bad hex tokens not shown",
                    nbad - HEX_ERRORS_SHOWN);
    if (nbad)
        return -EINVAL;
    out->bytes = take_ptr(bytes);
    out->lines = take_ptr(lines);
    out->n = n;
    return 0;
}

/* ---- files ------------------------------------------------------------------- */

int vgt_file_read(const char *path, const char *key, char **data, size_t *len,
                  struct vgt_diag *diag)
{
    _cleanup_close_ int fd = -1;
    _cleanup_free_ char *buf = NULL;
    size_t n = 0;
    struct stat st;

    *data = NULL;
    *len = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        vgt_diag_at(diag, path, 0, key, "cannot open: %s", strerror(e));
        return -e;
    }
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        vgt_diag_at(diag, path, 0, key, "is a directory, not a file");
        return -EISDIR;
    }
    buf = malloc(VGT_FILE_MAX + 1);
    if (!buf)
        return -ENOMEM;
    for (;;) {
        ssize_t r = read(fd, buf + n, VGT_FILE_MAX + 1 - n);
        if (r < 0) {
            int e = errno;
            if (e == EINTR)
                continue;
            vgt_diag_at(diag, path, 0, key, "cannot read: %s", strerror(e));
            return -e;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > VGT_FILE_MAX) {
            vgt_diag_at(diag, path, 0, key, "file larger than %d bytes: not an EDID or "
                        "monitor.config", VGT_FILE_MAX);
            return -EFBIG;
        }
    }
    buf[n] = '\0';
    *data = take_ptr(buf);
    *len = n;
    return 0;
}

/* ---- EDID -------------------------------------------------------------------- */

/* Record "WHAT: edid: message" and return the EDID error code. */
static int edid_err(struct vgt_diag *diag, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int edid_err(struct vgt_diag *diag, const char *what, const char *fmt, ...)
{
    _cleanup_free_ char *m = NULL;
    va_list ap;

    va_start(ap, fmt);
    if (vasprintf(&m, fmt, ap) < 0)
        m = NULL;
    va_end(ap);
    vgt_diag_at(diag, what, 0, KEY, "%s", m ? m : "(out of memory)");
    return -EBADMSG;
}

static uint8_t block_sum(const uint8_t *b)
{
    unsigned s = 0;

    for (size_t i = 0; i < VGT_EDID_LEN; i++)
        s += b[i];
    return (uint8_t)s;
}

/* Checks of the base block: every problem is recorded. */
static int check_base(const uint8_t *e, const char *what, struct vgt_diag *diag)
{
    int rc = 0;

    if (memcmp(e, edid_header, sizeof(edid_header)) != 0)
        rc = edid_err(diag, what, "header %02x %02x %02x %02x %02x %02x %02x %02x, "
                      "must be 00 ff ff ff ff ff ff 00",
                      e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7]);
    if (block_sum(e) != 0)
        rc = edid_err(diag, what, "checksum 0x%02x, must be 0 (sum of 128 bytes mod 256)",
                      block_sum(e));
    return rc;
}

static void decode_name(const uint8_t *text, char name[14])
{
    size_t n = 0;

    /* Up to 13 characters, ended by a line feed, padded with spaces. */
    while (n < 13 && text[n] != 0x0a && text[n] != 0) {
        name[n] = isprint(text[n]) ? (char)text[n] : '?';
        n++;
    }
    while (n > 0 && name[n - 1] == ' ')
        n--;
    name[n] = '\0';
}

int vgt_edid_decode(const uint8_t edid[VGT_EDID_LEN], struct vgt_edid_info *out,
                    const char *what, struct vgt_diag *diag)
{
    struct vgt_edid_info info = { 0 };
    int rc = check_base(edid, what, diag);

    if (rc < 0)
        return rc;

    /* Manufacturer: big endian, three 5-bit letters, 1 = 'A'. */
    unsigned id = (unsigned)edid[8] << 8 | edid[9];
    for (int i = 0; i < 3; i++) {
        unsigned l = (id >> (10 - 5 * i)) & 0x1f;
        info.manufacturer[i] = l >= 1 && l <= 26 ? (char)('A' + l - 1) : '?';
    }
    info.manufacturer[3] = '\0';
    info.product = (uint16_t)(edid[10] | edid[11] << 8);
    info.serial = (uint32_t)edid[12] | (uint32_t)edid[13] << 8 | (uint32_t)edid[14] << 16 |
                  (uint32_t)edid[15] << 24;
    info.extensions = edid[126];

    /* Four 18-byte descriptors: a detailed timing has a non-zero pixel clock; the
     * first one is the preferred timing (EDID 1.3 and 1.4). */
    for (int i = 0; i < 4; i++) {
        const uint8_t *d = edid + 54 + 18 * i;
        unsigned clock = d[0] | d[1] << 8; /* 10 kHz units */

        if (clock == 0) {
            if (d[3] == 0xfc && !info.name[0])
                decode_name(d + 5, info.name);
            continue;
        }
        if (info.has_preferred)
            continue;
        unsigned hact = d[2] | (d[4] & 0xf0) << 4, hblank = d[3] | (d[4] & 0x0f) << 8;
        unsigned vact = d[5] | (d[7] & 0xf0) << 4, vblank = d[6] | (d[7] & 0x0f) << 8;
        uint64_t total = (uint64_t)(hact + hblank) * (vact + vblank);

        info.has_preferred = true;
        info.pixel_clock_khz = clock * 10u;
        info.interlaced = d[17] & 0x80;
        info.width = hact;
        info.height = info.interlaced ? vact * 2 : vact; /* vact is per field */
        info.refresh_hz = total ? (unsigned)(((uint64_t)clock * 10000 + total / 2) / total) : 0;
    }
    if (out)
        *out = info;
    return 0;
}

int vgt_edid_parse(const void *data, size_t len, uint8_t edid[VGT_EDID_LEN],
                   const char *what, struct vgt_diag *diag)
{
    _cleanup_(vgt_hex_dispose) struct vgt_hex hex = { 0 };
    const uint8_t *b = data;
    size_t n = len;
    int rc;

    if (len == 0)
        return edid_err(diag, what, "empty file, expected 128 bytes (binary) or 256 hex digits");
    /* Binary if it starts like an EDID or holds bytes that text never does. */
    bool text = !(len >= 8 && memcmp(data, edid_header, 8) == 0) && vgt_hex_is_text(data, len);
    if (text) {
        rc = vgt_hex_parse(data, len, what, KEY, &hex, diag);
        if (rc < 0)
            return rc == -EINVAL ? -EBADMSG : rc;
        b = hex.bytes;
        n = hex.n;
    }
    if (n < VGT_EDID_LEN && text)
        return edid_err(diag, what, "%zu bytes of hex (%zu digits), an EDID base block needs "
                        "128 (256 digits)", n, 2 * n);
    if (n < VGT_EDID_LEN)
        return edid_err(diag, what, "%zu bytes, an EDID base block needs 128", n);
    rc = check_base(b, what, diag);
    /* More than the base block: whole extension blocks, as many as byte 126 says. */
    if (n > VGT_EDID_LEN) {
        size_t blocks = n / VGT_EDID_LEN - 1;

        if (n % VGT_EDID_LEN)
            rc = edid_err(diag, what, "%zu bytes: not a whole number of 128-byte blocks", n);
        else if (blocks != b[126])
            rc = edid_err(diag, what, "%zu extension block%s after the base block, but byte "
                          "126 says %u", blocks, blocks == 1 ? "" : "s", b[126]);
        for (size_t k = 1; k <= blocks; k++)
            if (block_sum(b + k * VGT_EDID_LEN) != 0)
                rc = edid_err(diag, what, "extension block %zu: checksum 0x%02x, must be 0 "
                              "(sum of 128 bytes mod 256)", k, block_sum(b + k * VGT_EDID_LEN));
    }
    if (rc < 0)
        return rc;
    memcpy(edid, b, VGT_EDID_LEN);
    return 0;
}

int vgt_edid_load(const char *path, uint8_t edid[VGT_EDID_LEN], struct vgt_diag *diag)
{
    _cleanup_free_ char *data = NULL;
    size_t len;
    int rc = vgt_file_read(path, KEY, &data, &len, diag);

    if (rc < 0)
        return rc;
    return vgt_edid_parse(data, len, edid, path, diag);
}
