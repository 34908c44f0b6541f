/* Unit tests: EDID parsing, checks and decoding (libxl-vgt/edid.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/tap.h"
#include "vgt/edid.h"

#define DATA SRCDIR "/tests/data/edid/"

static void fix_checksum(uint8_t *b)
{
    unsigned s = 0;

    for (int i = 0; i < 127; i++)
        s += b[i];
    b[127] = (uint8_t)(-s);
}

/* The n-th message, or "" */
static const char *msg(const struct vgt_diag *d, size_t n)
{
    return n < d->n ? d->msgs[n] : "";
}

static void test_default(void)
{
    struct vgt_edid_info i;
    struct vgt_diag d;
    uint8_t b[VGT_EDID_LEN];

    vgt_diag_init(&d);
    is_int(vgt_edid_decode(vgt_edid_default_1080p, &i, "default", &d), 0, "default EDID decodes");
    is_int(d.n, 0, "default EDID: no message");
    is_str(i.manufacturer, "XEN", "default: manufacturer XEN");
    is_int(i.product, 0x1080, "default: product 0x1080");
    ok(i.has_preferred && i.width == 1920 && i.height == 1080 && i.refresh_hz == 60,
       "default: preferred 1920x1080@60 (%ux%u@%u)", i.width, i.height, i.refresh_hz);
    is_int(i.pixel_clock_khz, 148500, "default: CEA 1080p pixel clock 148.5 MHz");
    ok(!i.interlaced, "default: progressive");
    is_str(i.name, "xen-vgt", "default: monitor name descriptor");
    is_int(i.extensions, 0, "default: no extension");
    is_int(vgt_edid_default_1080p[20] & 0x80, 0x80, "default: digital input");
    /* The committed copy that edid-decode checks must be the same bytes. */
    is_int(vgt_edid_load(DATA "xen-vgt-1080p.bin", b, &d), 0, "xen-vgt-1080p.bin loads");
    ok(memcmp(b, vgt_edid_default_1080p, VGT_EDID_LEN) == 0,
       "tests/data/edid/xen-vgt-1080p.bin equals vgt_edid_default_1080p");

    /* The analog variant for VGA ports: same monitor, analog input. */
    is_int(vgt_edid_decode(vgt_edid_default_1080p_vga, &i, "vga", &d), 0, "VGA default decodes");
    ok(i.product == 0x1081 && i.width == 1920 && i.height == 1080 && i.refresh_hz == 60 &&
           strcmp(i.name, "xen-vgt") == 0, "VGA default: product 0x1081, 1920x1080@60, xen-vgt");
    is_int(vgt_edid_default_1080p_vga[20] & 0x80, 0, "VGA default: analog input");
    is_int(vgt_edid_load(DATA "xen-vgt-1080p-vga.bin", b, &d), 0, "xen-vgt-1080p-vga.bin loads");
    ok(memcmp(b, vgt_edid_default_1080p_vga, VGT_EDID_LEN) == 0,
       "tests/data/edid/xen-vgt-1080p-vga.bin equals vgt_edid_default_1080p_vga");
    is_int(d.n, 0, "defaults: no message");
    vgt_diag_dispose(&d);
}

static void test_header_checksum(void)
{
    struct vgt_edid_info i;
    struct vgt_diag d;
    uint8_t b[VGT_EDID_LEN];

    vgt_diag_init(&d);
    memcpy(b, vgt_edid_default_1080p, sizeof(b));
    b[100] += 0x12;
    is_int(vgt_edid_decode(b, &i, "f.bin", &d), -EBADMSG, "bad checksum: -EBADMSG");
    is_int(d.n, 1, "bad checksum: one message");
    is_str(msg(&d, 0), "f.bin: edid: checksum 0x12, must be 0 (sum of 128 bytes mod 256)",
           "bad checksum: message");
    vgt_diag_dispose(&d);

    memcpy(b, vgt_edid_default_1080p, sizeof(b));
    b[7] = 0x01; /* header and checksum both wrong: both reported */
    is_int(vgt_edid_decode(b, &i, "f.bin", &d), -EBADMSG, "bad header: -EBADMSG");
    is_int(d.n, 2, "bad header and checksum: two messages");
    is_str(msg(&d, 0), "f.bin: edid: header 00 ff ff ff ff ff ff 01, must be 00 ff ff ff ff ff ff 00",
           "bad header: message");
    is_str(msg(&d, 1), "f.bin: edid: checksum 0x01, must be 0 (sum of 128 bytes mod 256)",
           "bad header: checksum message too");
    vgt_diag_dispose(&d);

    fix_checksum(b);
    is_int(vgt_edid_decode(b, &i, "f.bin", NULL), -EBADMSG, "bad header, good checksum: refused");
    /* The same checks run in vgt_edid_parse. */
    is_int(vgt_edid_parse(b, sizeof(b), b, "p.bin", &d), -EBADMSG, "parse: bad header refused");
    is_int(d.n, 1, "parse: one message");
    vgt_diag_dispose(&d);
}

static void test_ids(void)
{
    static const struct { uint8_t hi, lo; char want[4]; } ids[] = {
        { 0x04, 0x69, "ACI" }, { 0x10, 0xac, "DEL" }, { 0x4c, 0x2d, "SAM" },
        { 0x04, 0x43, "ABC" }, { 0x6b, 0x5a, "ZZZ" }, { 0x00, 0x00, "???" },
        { 0x6f, 0xff, "???" }, /* 27 and 31 are not letters */
    };
    struct vgt_edid_info i;
    uint8_t b[VGT_EDID_LEN];

    for (size_t k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
        memcpy(b, vgt_edid_default_1080p, sizeof(b));
        b[8] = ids[k].hi;
        b[9] = ids[k].lo;
        fix_checksum(b);
        is_int(vgt_edid_decode(b, &i, "ids", NULL), 0, "manufacturer %02x%02x decodes",
               ids[k].hi, ids[k].lo);
        is_str(i.manufacturer, ids[k].want, "manufacturer %02x%02x is %s", ids[k].hi, ids[k].lo,
               ids[k].want);
    }
    memcpy(b, vgt_edid_default_1080p, sizeof(b));
    b[10] = 0xb1; b[11] = 0x23;                       /* little endian */
    b[12] = 0x78; b[13] = 0x56; b[14] = 0x34; b[15] = 0x12;
    fix_checksum(b);
    vgt_edid_decode(b, &i, "ids", NULL);
    is_int(i.product, 0x23b1, "product code is little endian");
    is_int(i.serial, 0x12345678, "serial is little endian");
}

/* A DTD in descriptor slot `slot`: clock in 10 kHz, totals 1000x1000 around 800x600. */
static void put_dtd(uint8_t *b, int slot, unsigned clock, bool interlaced)
{
    uint8_t *d = b + 54 + 18 * slot;

    memset(d, 0, 18);
    d[0] = clock & 0xff;
    d[1] = clock >> 8;
    d[2] = 800 & 0xff; d[3] = 200 & 0xff; d[4] = (800 >> 8) << 4 | (200 >> 8);
    d[5] = 600 & 0xff; d[6] = 400 & 0xff; d[7] = (600 >> 8) << 4 | (400 >> 8);
    d[17] = interlaced ? 0x9e : 0x1e;
}

static void put_descriptor(uint8_t *b, int slot, uint8_t tag)
{
    uint8_t *d = b + 54 + 18 * slot;

    memset(d, 0, 18);
    d[3] = tag;
    memset(d + 5, ' ', 13);
}

static void test_dtd(void)
{
    static const struct { unsigned clock, hz; } r[] = {
        { 5950, 60 }, { 5949, 59 }, { 7497, 75 }, { 14400, 144 }, { 1, 0 }, { 65535, 655 },
    };
    struct vgt_edid_info i;
    uint8_t b[VGT_EDID_LEN];

    for (size_t k = 0; k < sizeof(r) / sizeof(r[0]); k++) {
        memcpy(b, vgt_edid_default_1080p, sizeof(b));
        put_dtd(b, 0, r[k].clock, false);
        fix_checksum(b);
        vgt_edid_decode(b, &i, "dtd", NULL);
        ok(i.has_preferred && i.width == 800 && i.height == 600 && i.refresh_hz == r[k].hz,
           "clock %u0 kHz over 1000x1000 -> 800x600@%u (got %ux%u@%u)", r[k].clock, r[k].hz,
           i.width, i.height, i.refresh_hz);
    }
    memcpy(b, vgt_edid_default_1080p, sizeof(b));
    put_dtd(b, 0, 5940, true);
    fix_checksum(b);
    vgt_edid_decode(b, &i, "dtd", NULL);
    ok(i.interlaced && i.width == 800 && i.height == 1200 && i.refresh_hz == 59,
       "interlaced: frame height doubled, field rate (got %ux%u@%u)", i.width, i.height,
       i.refresh_hz);

    /* The first detailed timing counts, even behind a display descriptor. */
    memcpy(b, vgt_edid_default_1080p, sizeof(b));
    put_descriptor(b, 0, 0xfd);
    put_dtd(b, 1, 7500, false);
    put_dtd(b, 3, 6000, false);
    fix_checksum(b);
    vgt_edid_decode(b, &i, "dtd", NULL);
    ok(i.has_preferred && i.refresh_hz == 75, "first DTD is in slot 1: @75 (got @%u)", i.refresh_hz);
    is_str(i.name, "xen-vgt", "name descriptor between two DTDs is found");

    memcpy(b, vgt_edid_default_1080p, sizeof(b));
    for (int s = 0; s < 4; s++)
        put_descriptor(b, s, 0x10);
    fix_checksum(b);
    is_int(vgt_edid_decode(b, &i, "dtd", NULL), 0, "no DTD: still valid");
    ok(!i.has_preferred && i.width == 0 && i.refresh_hz == 0, "no DTD: no preferred timing");
    is_str(i.name, "", "no name descriptor: empty name");
}

/* The default EDID as hex text, 16 bytes a line, with a prefix and a comment. */
static size_t hex_text(char *out, size_t cap, const uint8_t *b, size_t n, const char *prefix)
{
    size_t len = (size_t)snprintf(out, cap, "# an EDID\n");

    for (size_t k = 0; k < n; k++)
        len += (size_t)snprintf(out + len, cap - len, "%s%s%02x%s", k % 16 ? " " : "", prefix,
                                b[k], k % 16 == 15 ? "  # line\n" : "");
    return len;
}

static void test_hex(void)
{
    char text[4096];
    struct vgt_diag d;
    uint8_t b[VGT_EDID_LEN], ext[2 * VGT_EDID_LEN];

    vgt_diag_init(&d);
    size_t len = hex_text(text, sizeof(text), vgt_edid_default_1080p, VGT_EDID_LEN, "");
    memset(b, 0, sizeof(b));
    is_int(vgt_edid_parse(text, len, b, "t.hex", &d), 0, "hex text with comments parses");
    ok(memcmp(b, vgt_edid_default_1080p, VGT_EDID_LEN) == 0, "hex text: same bytes");
    len = hex_text(text, sizeof(text), vgt_edid_default_1080p, VGT_EDID_LEN, "0x");
    is_int(vgt_edid_parse(text, len, b, "t.hex", &d), 0, "hex text with 0x prefixes parses");
    is_int(d.n, 0, "no message for good hex");

    const char *crlf = "00FFFFFFFFFFFF00\r\n";
    is_int(vgt_edid_parse(crlf, strlen(crlf), b, "crlf.hex", &d), -EBADMSG, "8 bytes: too short");
    is_str(msg(&d, 0), "crlf.hex: edid: 8 bytes of hex (16 digits), an EDID base block needs "
           "128 (256 digits)", "short hex: message counts bytes and digits");
    vgt_diag_dispose(&d);

    /* Every bad token of the file, each with its line. */
    const char *bad = "# comment\n00ff ffgf\n0x\n  0fff0 ffff # 0xzz in a comment is fine\n00 0X1\n";
    is_int(vgt_edid_parse(bad, strlen(bad), b, "bad.hex", &d), -EBADMSG, "bad hex refused");
    is_int(d.n, 4, "four bad tokens, four messages");
    is_str(msg(&d, 0), "bad.hex:2: edid: bad hex digit 'g'", "bad digit, line 2");
    is_str(msg(&d, 1), "bad.hex:3: edid: '0x' without hex digits", "empty 0x, line 3");
    is_str(msg(&d, 2), "bad.hex:4: edid: odd number of hex digits (5) in '0fff0': a byte is two "
           "digits", "odd digits, line 4");
    is_str(msg(&d, 3), "bad.hex:5: edid: odd number of hex digits (1) in '0X1': a byte is two "
           "digits", "odd digits after 0X, line 5");
    vgt_diag_dispose(&d);

    /* A file that is no hex at all: ten messages, then a count. */
    const char *prose = "this is a story of many words, written with no hex at all in it; "
                        "just prose, line after line, to see that the messages stop. qq rr ss";
    is_int(vgt_edid_parse(prose, strlen(prose), b, "story.txt", &d), -EBADMSG, "prose refused");
    is_int(d.n, 11, "ten bad tokens shown and one summary");
    ok(strstr(msg(&d, 10), "more bad hex tokens not shown") != NULL, "summary: %s", msg(&d, 10));
    vgt_diag_dispose(&d);

    is_int(vgt_edid_parse("", 0, b, "empty", &d), -EBADMSG, "empty refused");
    is_str(msg(&d, 0), "empty: edid: empty file, expected 128 bytes (binary) or 256 hex digits",
           "empty: message");
    vgt_diag_dispose(&d);
    const char *only_comments = "# nothing\n\n   # here\n";
    is_int(vgt_edid_parse(only_comments, strlen(only_comments), b, "c.hex", &d), -EBADMSG,
           "only comments refused");
    is_str(msg(&d, 0), "c.hex: edid: 0 bytes of hex (0 digits), an EDID base block needs 128 "
           "(256 digits)", "only comments: message");
    vgt_diag_dispose(&d);

    /* Extension blocks in hex text. */
    memcpy(ext, vgt_edid_default_1080p, VGT_EDID_LEN);
    ext[126] = 1;
    fix_checksum(ext);
    memset(ext + VGT_EDID_LEN, 0, VGT_EDID_LEN);
    ext[VGT_EDID_LEN] = 0x02;
    ext[2 * VGT_EDID_LEN - 1] = 0xfe;
    len = hex_text(text, sizeof(text), ext, sizeof(ext), "");
    is_int(vgt_edid_parse(text, len, b, "ext.hex", &d), 0, "hex with an extension block parses");
    ok(memcmp(b, ext, VGT_EDID_LEN) == 0, "hex with extension: base block returned");
    len = hex_text(text, sizeof(text), ext, VGT_EDID_LEN + 2, "");
    is_int(vgt_edid_parse(text, len, b, "ext.hex", &d), -EBADMSG, "130 bytes refused");
    is_str(msg(&d, 0), "ext.hex: edid: 130 bytes: not a whole number of 128-byte blocks",
           "partial block: message");
    vgt_diag_dispose(&d);
    ok(vgt_hex_is_text("00 ff\r\n\t# x", 11), "hex text is text");
    ok(!vgt_hex_is_text("00\0ff", 5), "NUL is not text");
}

static void test_binary(void)
{
    struct vgt_diag d;
    uint8_t b[VGT_EDID_LEN], ext[2 * VGT_EDID_LEN];

    vgt_diag_init(&d);
    memcpy(ext, vgt_edid_default_1080p, VGT_EDID_LEN);
    ext[126] = 1;
    fix_checksum(ext);
    memset(ext + VGT_EDID_LEN, 0, VGT_EDID_LEN);
    ext[VGT_EDID_LEN] = 0x02;
    ext[2 * VGT_EDID_LEN - 1] = 0xfe;
    is_int(vgt_edid_parse(ext, sizeof(ext), b, "ext.bin", &d), 0, "binary with extension parses");
    ok(memcmp(b, ext, VGT_EDID_LEN) == 0, "binary with extension: base block returned");
    struct vgt_edid_info i;
    vgt_edid_decode(b, &i, "ext.bin", &d);
    is_int(i.extensions, 1, "extension count decoded");

    ext[2 * VGT_EDID_LEN - 1] = 0xff;
    is_int(vgt_edid_parse(ext, sizeof(ext), b, "ext.bin", &d), -EBADMSG, "bad extension checksum");
    is_str(msg(&d, 0), "ext.bin: edid: extension block 1: checksum 0x01, must be 0 (sum of 128 "
           "bytes mod 256)", "bad extension checksum: message");
    vgt_diag_dispose(&d);
    ext[2 * VGT_EDID_LEN - 1] = 0xfe;
    ext[126] = 2;
    fix_checksum(ext);
    is_int(vgt_edid_parse(ext, sizeof(ext), b, "ext.bin", &d), -EBADMSG, "count mismatch refused");
    is_str(msg(&d, 0), "ext.bin: edid: 1 extension block after the base block, but byte 126 "
           "says 2", "count mismatch: message");
    vgt_diag_dispose(&d);
    /* A base block alone may announce extensions that the file does not carry. */
    is_int(vgt_edid_parse(ext, VGT_EDID_LEN, b, "base.bin", &d), 0,
           "base block alone with byte 126 = 2 is accepted");
    is_int(vgt_edid_parse(ext, 200, b, "200.bin", &d), -EBADMSG, "200 bytes refused");
    is_int(vgt_edid_parse(ext, 100, b, "100.bin", &d), -EBADMSG, "100 bytes refused");
    is_str(msg(&d, 1), "100.bin: edid: 100 bytes, an EDID base block needs 128",
           "short binary: message");
    vgt_diag_dispose(&d);

    /* Binary that does not start with the header: found by its non-text bytes. */
    memcpy(b, vgt_edid_default_1080p, VGT_EDID_LEN);
    b[0] = 0x01;
    b[127]--;
    is_int(vgt_edid_parse(b, VGT_EDID_LEN, b, "h.bin", &d), -EBADMSG, "binary, bad header");
    is_int(d.n, 1, "binary, bad header: one message");
    ok(strstr(msg(&d, 0), "header 01 ff") != NULL, "binary, bad header: %s", msg(&d, 0));
    vgt_diag_dispose(&d);
}

static void test_files(void)
{
    static const struct {
        const char *file, *mfr;
        unsigned product, w, h, hz, ext;
        const char *name;
    } real[] = {
        { "asus-pa238.hex", "ACI", 0x23b1, 1920, 1080, 60, 0, "ASUS PA238" },
        { "aoc-1670w.hex", "AOC", 0x1670, 1366, 768, 60, 0, "1670W" },
        { "auo-b140han03.hex", "AUO", 0x303d, 1920, 1080, 60, 0, "" },
        { "dell-d3218hn.bin", "DEL", 0x200b, 1920, 1080, 60, 1, "D3218HN" },
        { "lg-tv.hex", "GSM", 0x0001, 1360, 768, 60, 1, "LG TV" },
        { "samsung-c49rg9x.bin", "SAM", 0x0f99, 3840, 1080, 60, 3, "C49RG9x" },
    };
    struct vgt_diag d;
    struct vgt_edid_info i;
    uint8_t b[VGT_EDID_LEN];

    vgt_diag_init(&d);
    for (size_t k = 0; k < sizeof(real) / sizeof(real[0]); k++) {
        char path[512];
        snprintf(path, sizeof(path), DATA "%s", real[k].file);
        ok(vgt_edid_load(path, b, &d) == 0 && vgt_edid_decode(b, &i, path, &d) == 0,
           "%s loads and decodes", real[k].file);
        ok(strcmp(i.manufacturer, real[k].mfr) == 0 && i.product == real[k].product &&
               i.width == real[k].w && i.height == real[k].h && i.refresh_hz == real[k].hz &&
               i.extensions == real[k].ext && strcmp(i.name, real[k].name) == 0,
           "%s: %s 0x%04x %ux%u@%u, %u ext, \"%s\" (got %s 0x%04x %ux%u@%u, %u, \"%s\")",
           real[k].file, real[k].mfr, real[k].product, real[k].w, real[k].h, real[k].hz,
           real[k].ext, real[k].name, i.manufacturer, i.product, i.width, i.height, i.refresh_hz,
           i.extensions, i.name);
    }
    is_int(d.n, 0, "real EDIDs: no message");
    is_int(vgt_edid_load("/nonexistent/e.bin", b, &d), -ENOENT, "missing file: -ENOENT");
    is_str(msg(&d, 0), "/nonexistent/e.bin: edid: cannot open: No such file or directory",
           "missing file: message");
    is_int(vgt_edid_load(SRCDIR "/tests", b, NULL), -EISDIR, "directory: -EISDIR");
    vgt_diag_dispose(&d);
}

int main(void)
{
    test_default();
    test_header_checksum();
    test_ids();
    test_dtd();
    test_hex();
    test_binary();
    test_files();
    return tap_done();
}
