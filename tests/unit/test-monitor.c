/* Unit tests: monitor.config, port names and types (libxl-vgt/monitor.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/tap.h"
#include "vgt/monitor.h"

#define DATA SRCDIR "/tests/data/monitor/"
#define GOLDEN SRCDIR "/tests/golden/monitor/"

static const char *msg(const struct vgt_diag *d, size_t n)
{
    return n < d->n ? d->msgs[n] : "";
}

static void fix_checksum(uint8_t *b)
{
    unsigned s = 0;

    for (int i = 0; i < 127; i++)
        s += b[i];
    b[127] = (uint8_t)(-s);
}

/* Text form: the header on line 1, then per item one line "PPOO" and 8 lines of
 * EDID, so item k (from 0) starts on line 2 + 9k and its EDID on line 3 + 9k. */
struct item { uint8_t b0, over; const uint8_t *edid; };

static size_t mk(char *out, size_t cap, uint8_t header, const struct item *it, size_t n)
{
    size_t len = (size_t)snprintf(out, cap, "%02x\n", header);

    for (size_t k = 0; k < n; k++) {
        const uint8_t *e = it[k].edid ? it[k].edid : vgt_edid_default_1080p;
        len += (size_t)snprintf(out + len, cap - len, "%02x%02x\n", it[k].b0, it[k].over);
        for (int l = 0; l < 8; l++) {
            for (int c = 0; c < 16; c++)
                len += (size_t)snprintf(out + len, cap - len, "%02x", e[l * 16 + c]);
            len += (size_t)snprintf(out + len, cap - len, "\n");
        }
    }
    return len;
}

static void test_guide(void)
{
    struct vgt_monitor_config c;
    struct vgt_edid_info i;
    struct vgt_diag d;

    vgt_diag_init(&d);
    is_int(vgt_monitor_config_load(DATA "guide.config", &c, &d), 0, "the guide's example parses");
    is_int(d.n, 0, "guide: no message");
    is_int(c.n, 1, "guide: one item");
    is_int(c.items[0].port, VGT_PORT_E, "guide: virtual PORT_E");
    is_int(c.items[0].type, VGT_PORT_CRT, "guide: presented as VGA (CRT)");
    is_int(c.items[0].override, VGT_PORT_B, "guide: overrides physical PORT_B");
    is_int(c.items[0].line, 5, "guide: item starts on line 5");
    is_int(vgt_edid_decode(c.items[0].edid, &i, "guide", &d), 0, "guide: EDID decodes");
    is_str(i.manufacturer, "ACI", "guide: ASUS EDID (ACI)");
    is_str(i.name, "ASUS PA238", "guide: monitor name");
    vgt_diag_dispose(&d);
}

static void test_good(void)
{
    char text[8192];
    struct vgt_monitor_config c;
    struct vgt_diag d;
    const struct item three[] = { { 0x11, 1, NULL }, { 0x02, 2, NULL }, { 0x10, 0, NULL } };

    vgt_diag_init(&d);
    size_t len = mk(text, sizeof(text), 0x13, three, 3);
    is_int(vgt_monitor_config_parse(text, len, "m3", &c, &d), 0, "three items parse");
    is_int(c.n, 3, "three items");
    ok(c.items[0].port == VGT_PORT_B && c.items[0].type == VGT_PORT_DP_B &&
           c.items[0].override == VGT_PORT_B, "item 1: PORT_B as DP_B");
    ok(c.items[1].port == VGT_PORT_C && c.items[1].type == VGT_PORT_HDMI_C &&
           c.items[1].override == VGT_PORT_C, "item 2: PORT_C, DP flag 0: HDMI_C");
    ok(c.items[2].port == VGT_PORT_A && c.items[2].type == VGT_PORT_DP_A &&
           c.items[2].override == VGT_PORT_A, "item 3: PORT_A as DP_A");
    ok(c.items[0].line == 2 && c.items[1].line == 11 && c.items[2].line == 20,
       "item lines 2, 11, 20 (got %d, %d, %d)", c.items[0].line, c.items[1].line, c.items[2].line);
    ok(memcmp(c.items[2].edid, vgt_edid_default_1080p, VGT_EDID_LEN) == 0, "EDID bytes kept");

    /* The original also took a header without the text flag. */
    len = mk(text, sizeof(text), 0x01, three, 1);
    is_int(vgt_monitor_config_parse(text, len, "m1", &c, &d), 0, "header 01 accepted");
    /* Comments anywhere, spaces between bytes, an EDID split over lines. */
    const char *free_form = "# two ports\n  11 # text, one item\n# PORT_D as HDMI, for PORT_B\n"
                            "03 01\n";
    char buf[4096];
    len = (size_t)snprintf(buf, sizeof(buf), "%s", free_form);
    for (int k = 0; k < VGT_EDID_LEN; k++)
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%02X%s", vgt_edid_default_1080p[k],
                                k % 5 == 4 ? " # five\n" : " ");
    is_int(vgt_monitor_config_parse(buf, len, "free", &c, &d), 0, "free-form text parses");
    ok(c.n == 1 && c.items[0].type == VGT_PORT_HDMI_D && c.items[0].line == 4,
       "free form: HDMI_D on line 4");
    is_int(d.n, 0, "good configs: no message");
    vgt_diag_dispose(&d);
}

/* Parse and expect exactly these messages. */
static void expect(const char *text, size_t len, const char *what, const char *const *want,
                   size_t nwant)
{
    struct vgt_monitor_config c;
    struct vgt_diag d;

    vgt_diag_init(&d);
    int rc = vgt_monitor_config_parse(text, len, "m.config", &c, &d);
    ok(rc == -EINVAL && c.n == 0, "%s: -EINVAL, nothing returned (rc %d)", what, rc);
    is_int(d.n, nwant, "%s: %zu message(s)", what, nwant);
    for (size_t k = 0; k < nwant; k++)
        is_str(msg(&d, k), want[k], "%s: message %zu", what, k + 1);
    vgt_diag_dispose(&d);
}
#define EXPECT(text, len, what, ...)                                                      \
    do {                                                                                  \
        const char *const _w[] = { __VA_ARGS__ };                                         \
        expect(text, len, what, _w, sizeof(_w) / sizeof(_w[0]));                           \
    } while (0)

static void test_bad(void)
{
    char text[8192];
    uint8_t bad_sum[VGT_EDID_LEN], ext[VGT_EDID_LEN];
    size_t len;

    memcpy(bad_sum, vgt_edid_default_1080p, VGT_EDID_LEN);
    bad_sum[127] += 0x12;
    memcpy(ext, vgt_edid_default_1080p, VGT_EDID_LEN);
    ext[126] = 1;
    fix_checksum(ext);

    EXPECT("", 0, "empty", "m.config: monitor.config: no data: expected a header byte (e.g. 11 "
           "for one item) and the items");
    EXPECT("# only\n# comments\n", 18, "comments only",
           "m.config: monitor.config: no data: expected a header byte (e.g. 11 for one item) "
           "and the items");
    EXPECT("11\0", 3, "binary", "m.config: monitor.config: binary data: only the text form (hex "
           "digits and '#' comments) is supported");
    EXPECT("# c\n10\n", 7, "zero items",
           "m.config:2: monitor.config: header 0x10: 0 items (low nibble), allowed 1..3");
    EXPECT("14\n", 3, "four items",
           "m.config:1: monitor.config: header 0x14: 4 items (low nibble), allowed 1..3");

    const struct item one[] = { { 0x04, 0x01, NULL } };
    len = mk(text, sizeof(text), 0x31, one, 1);
    EXPECT(text, len, "unknown flag",
           "m.config:1: monitor.config: header 0x31: unknown flags 0x3 in the high nibble, "
           "allowed 1 (text form)");

    const struct item port5[] = { { 0x05, 0x01, NULL } };
    len = mk(text, sizeof(text), 0x11, port5, 1);
    EXPECT(text, len, "port 5",
           "m.config:2: monitor.config: item 1: virtual port 5 (byte 0x05, low nibble), allowed "
           "0..4 (PORT_A..PORT_E)");
    const struct item flag2[] = { { 0x21, 0x01, NULL } };
    len = mk(text, sizeof(text), 0x11, flag2, 1);
    EXPECT(text, len, "flag 2",
           "m.config:2: monitor.config: item 1: DP flag 2 (byte 0x21, high nibble), allowed 0 "
           "(HDMI on PORT_B..D, VGA on PORT_E) or 1 (DP)");
    const struct item a_vga[] = { { 0x00, 0x00, NULL } };
    len = mk(text, sizeof(text), 0x11, a_vga, 1);
    EXPECT(text, len, "PORT_A without DP",
           "m.config:2: monitor.config: item 1: PORT_A is DP only: write 0x10 (DP flag 1), not "
           "0x00");
    const struct item e_dp[] = { { 0x14, 0x01, NULL } };
    len = mk(text, sizeof(text), 0x11, e_dp, 1);
    EXPECT(text, len, "PORT_E with DP",
           "m.config:2: monitor.config: item 1: PORT_E is the VGA (CRT) port and has no DP: "
           "write 0x04 (DP flag 0), not 0x14");
    const struct item over7[] = { { 0x04, 0x07, NULL } };
    len = mk(text, sizeof(text), 0x11, over7, 1);
    EXPECT(text, len, "override 7",
           "m.config:2: monitor.config: item 1: overridden physical port 7 (byte 0x07), allowed "
           "0..4 (PORT_A..PORT_E)");
    const struct item dup[] = { { 0x11, 0x01, NULL }, { 0x01, 0x02, NULL } };
    len = mk(text, sizeof(text), 0x12, dup, 2);
    EXPECT(text, len, "duplicate port",
           "m.config:11: monitor.config: item 2: virtual port PORT_B is configured twice");
    const struct item sum[] = { { 0x04, 0x01, bad_sum } };
    len = mk(text, sizeof(text), 0x11, sum, 1);
    EXPECT(text, len, "bad EDID checksum",
           "m.config:3: edid: checksum 0x12, must be 0 (sum of 128 bytes mod 256)");
    const struct item ext1[] = { { 0x04, 0x01, ext } };
    len = mk(text, sizeof(text), 0x11, ext1, 1);
    EXPECT(text, len, "EDID with extension",
           "m.config:3: monitor.config: item 1: EDID extension count (byte 126) is 1, must be 0: "
           "monitor.config carries the base block only");

    /* Counts that do not match the data. */
    len = mk(text, sizeof(text), 0x12, one, 1);
    EXPECT(text, len, "header says 2, one item",
           "m.config:10: monitor.config: item 2: 0 bytes, an item needs 130 (port, override, "
           "128-byte EDID); the header says 2 items");
    len = mk(text, sizeof(text), 0x11, one, 1);
    len -= 3; /* drop the last byte and the newline */
    text[len++] = '\n';
    EXPECT(text, len, "one byte short",
           "m.config:2: monitor.config: item 1: 129 bytes, an item needs 130 (port, override, "
           "128-byte EDID); the header says 1 item");
    len = mk(text, sizeof(text), 0x11, one, 1);
    len += (size_t)snprintf(text + len, sizeof(text) - len, "# and then\n0401\n");
    EXPECT(text, len, "trailing bytes",
           "m.config:12: monitor.config: 2 bytes after the last item: the header says 1 item");

    /* Bad hex: every token, with its line; nothing else is checked then. */
    len = mk(text, sizeof(text), 0x11, one, 1);
    text[4] = 'g';
    text[20] = 'x';
    EXPECT(text, len, "bad hex", "m.config:2: monitor.config: bad hex digit 'g'",
           "m.config:3: monitor.config: bad hex digit 'x'");

    /* Every error of the file, not only the first. */
    const struct item many[] = { { 0x25, 0x09, bad_sum }, { 0x00, 0x01, NULL } };
    len = mk(text, sizeof(text), 0x32, many, 2);
    EXPECT(text, len, "all errors",
           "m.config:1: monitor.config: header 0x32: unknown flags 0x3 in the high nibble, "
           "allowed 1 (text form)",
           "m.config:2: monitor.config: item 1: virtual port 5 (byte 0x25, low nibble), allowed "
           "0..4 (PORT_A..PORT_E)",
           "m.config:2: monitor.config: item 1: overridden physical port 9 (byte 0x09), allowed "
           "0..4 (PORT_A..PORT_E)",
           "m.config:3: edid: checksum 0x12, must be 0 (sum of 128 bytes mod 256)",
           "m.config:11: monitor.config: item 2: PORT_A is DP only: write 0x10 (DP flag 1), not "
           "0x00");
}

static void test_load(void)
{
    struct vgt_monitor_config c;
    struct vgt_diag d;

    vgt_diag_init(&d);
    is_int(vgt_monitor_config_load("/nonexistent/monitor.config", &c, &d), -ENOENT,
           "missing file: -ENOENT");
    is_str(msg(&d, 0), "/nonexistent/monitor.config: monitor.config: cannot open: No such file "
           "or directory", "missing file: message");
    is_int(c.n, 0, "missing file: no item");
    vgt_diag_dispose(&d);
}

static void test_names(void)
{
    static const struct { const char *s; int want; } ports[] = {
        { "PORT_A", 0 }, { "PORT_E", 4 }, { "port_c", 2 }, { "B", 1 }, { "e", 4 },
        { "PORT_F", -EINVAL }, { "F", -EINVAL }, { "PORT_", -EINVAL }, { "", -EINVAL },
        { "AB", -EINVAL }, { "PORT_AB", -EINVAL }, { "0", -EINVAL },
    };
    static const struct { const char *s; int want; } types[] = {
        { "CRT", 0 }, { "VGA", 0 }, { "DP_A", 1 }, { "dp_d", 4 }, { "HDMI_B", 5 },
        { "HDMI_D", 7 }, { "0", 0 }, { "7", 7 }, { "8", -EINVAL }, { "HDMI_A", -EINVAL },
        { "DP_E", -EINVAL }, { "", -EINVAL }, { "10", -EINVAL }, { "-1", -EINVAL },
    };

    for (size_t k = 0; k < sizeof(ports) / sizeof(ports[0]); k++)
        is_int(vgt_port_from_name(ports[k].s), ports[k].want, "port \"%s\" -> %d", ports[k].s,
               ports[k].want);
    is_int(vgt_port_from_name(NULL), -EINVAL, "port NULL refused");
    for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++)
        is_int(vgt_port_type_from_name(types[k].s), types[k].want, "type \"%s\" -> %d",
               types[k].s, types[k].want);
    for (int p = 0; p < VGT_PORT_MAX; p++)
        is_int(vgt_port_from_name(vgt_port_name(p)), p, "port %d: name round trip (%s)", p,
               vgt_port_name(p));
    for (int t = 0; t < VGT_PORT_TYPE_MAX; t++)
        is_int(vgt_port_type_from_name(vgt_port_type_name(t)), t, "type %d: name round trip (%s)",
               t, vgt_port_type_name(t));
    ok(vgt_port_name(VGT_PORT_MAX) == NULL && vgt_port_type_name(VGT_PORT_TYPE_MAX) == NULL,
       "names out of range are NULL");
    is_str(vgt_port_type_name(VGT_PORT_HDMI_C), "HDMI_C", "HDMI_C name (sysfs type 6)");

    ok(vgt_port_type_port(VGT_PORT_CRT) == VGT_PORT_E && vgt_port_type_port(VGT_PORT_DP_A) ==
           VGT_PORT_A && vgt_port_type_port(VGT_PORT_HDMI_D) == VGT_PORT_D &&
           vgt_port_type_port(VGT_PORT_TYPE_MAX) == VGT_PORT_MAX, "port of a type");
    for (int t = 0; t < VGT_PORT_TYPE_MAX; t++) {
        enum vgt_port p = vgt_port_type_port(t);
        bool dp = t >= VGT_PORT_DP_A && t <= VGT_PORT_DP_D;
        is_int(vgt_port_type_of(p, dp), t, "type %s: port and DP flag give it back",
               vgt_port_type_name(t));
    }
    ok(vgt_port_type_of(VGT_PORT_A, false) == VGT_PORT_TYPE_MAX &&
           vgt_port_type_of(VGT_PORT_E, true) == VGT_PORT_TYPE_MAX &&
           vgt_port_type_of(VGT_PORT_MAX, true) == VGT_PORT_TYPE_MAX,
       "no type for PORT_A without DP, PORT_E with DP, or a bad port");
    ok(vgt_port_type_default_edid(VGT_PORT_CRT) == vgt_edid_default_1080p_vga,
       "default EDID for CRT is the analog one");
    ok(vgt_port_type_default_edid(VGT_PORT_DP_B) == vgt_edid_default_1080p &&
           vgt_port_type_default_edid(VGT_PORT_HDMI_D) == vgt_edid_default_1080p,
       "default EDID for DP and HDMI is the digital one");
}

/* What the parser makes of a file, as text: the items, or every message. */
static char *render(const char *name)
{
    char path[512], *text = NULL, *out = NULL;
    size_t len, olen = 0;
    struct vgt_monitor_config c;
    struct vgt_diag d;
    FILE *f;

    vgt_diag_init(&d);
    snprintf(path, sizeof(path), DATA "%s", name);
    if (vgt_file_read(path, "test", &text, &len, &d) < 0)
        return NULL;
    f = open_memstream(&out, &olen);
    if (vgt_monitor_config_parse(text, len, name, &c, &d) == 0) {
        fprintf(f, "%u item%s\n", c.n, c.n == 1 ? "" : "s");
        for (unsigned k = 0; k < c.n; k++) {
            struct vgt_edid_info i;
            vgt_edid_decode(c.items[k].edid, &i, name, &d);
            fprintf(f, "line %d: virtual %s as %s, overrides %s, EDID %s 0x%04x %ux%u@%u\n",
                    c.items[k].line, vgt_port_name(c.items[k].port),
                    vgt_port_type_name(c.items[k].type), vgt_port_name(c.items[k].override),
                    i.manufacturer, i.product, i.width, i.height, i.refresh_hz);
        }
    }
    vgt_diag_print(&d, f);
    fclose(f);
    vgt_diag_dispose(&d);
    free(text);
    return out;
}

/* tests/golden/monitor/NAME.out for each tests/data/monitor/NAME.config;
 * VGT_GOLDEN_UPDATE=1 rewrites them. */
static void test_golden(void)
{
    static const char *const names[] = {
        "guide", "two-ports", "three-ports", "bad-checksum", "bad-count", "bad-hex",
        "bad-many", "bad-port", "bad-port-a-vga", "bad-short", "bad-trailing",
    };

    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        char cfg[128], gpath[512], *want = NULL;
        size_t wlen;

        snprintf(cfg, sizeof(cfg), "%s.config", names[k]);
        snprintf(gpath, sizeof(gpath), GOLDEN "%s.out", names[k]);
        char *got = render(cfg);
        if (got && getenv("VGT_GOLDEN_UPDATE")) {
            FILE *f = fopen(gpath, "w");
            if (f) {
                fputs(got, f);
                fclose(f);
            }
        }
        vgt_file_read(gpath, "golden", &want, &wlen, NULL);
        is_str(got, want, "golden %s", cfg);
        free(got);
        free(want);
    }
}

int main(void)
{
    test_guide();
    test_good();
    test_bad();
    test_load();
    test_names();
    test_golden();
    return tap_done();
}
