/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtual OpRegion as the guest's i915 reads it.  The reader below is
 * written from i915 (Linux 6.1: intel_opregion_setup, intel_bios_is_valid_vbt,
 * find_raw_section, parse_general_features/definitions/driver_features,
 * dvo_port_to_port, intel_bios_encoder_supports_*), not from opregion.c, so
 * that the two check each other.  Golden hexdumps (hexdump -C format) pin
 * the exact bytes: tests/data/opregion/NAME.hexdump.
 */
#include "tests/tap.h"
#include "daemon/mediator/opregion.h"

#define SKL 0x1912
#define BDW 0x1616

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }

/* ---- i915's reader ------------------------------------------------------ */

/* What i915 gets out of the VBT, or why it refuses it. */
struct parsed {
    const char *error;              /* NULL: valid VBT */
    unsigned bdb_version, vbt_size;
    uint8_t vbt_sum;
    bool has_gf, has_gd, has_df;
    bool int_crt, int_tv, int_lvds;
    unsigned n_blocks, blocks[16];
    unsigned child_size, n_children, crt_ddc_pin;
    struct {
        uint16_t handle, device_type;
        uint8_t dvo_port, ddc_pin, aux;
        int port;                   /* dvo_port_to_port: 0..4 = A..E, -1 none */
    } child[8];
};

/* intel_opregion_setup: the VBT from mailbox 4 and the size it may have. */
static const uint8_t *opregion_vbt(const uint8_t *o, size_t *size)
{
    uint32_t mboxes = get32(o + 0x58);
    if (memcmp(o, "IntelGraphicsMem", 16))
        return NULL;
    /* RVDA is read only from an ASLE mailbox (bit 2); mailbox 5 (bit 4) shrinks
     * mailbox 4. */
    if (mboxes & (1u << 2))
        return NULL;
    *size = ((mboxes & (1u << 4)) ? 0x1C00 : 0x2000) - 0x400;
    return o + 0x400;
}

/* i915's child device size for a BDB version (parse_general_definitions). */
static unsigned expected_child_size(unsigned version)
{
    if (version < 106) return 22;
    if (version < 111) return 27;
    if (version < 195) return 33;
    if (version == 195) return 37;
    if (version <= 215) return 38;
    return 39;
}

/* dvo_port_to_port before gen11: A..E, CRT on E. */
static int dvo_port_to_port(uint8_t dvo)
{
    static const int map[][3] = {
        { 0, 10, -1 }, { 1, 7, -1 }, { 2, 8, -1 }, { 3, 9, -1 }, { 12, 11, 6 },
    };
    for (int port = 0; port < 5; port++)
        for (int i = 0; i < 3 && map[port][i] >= 0; i++)
            if (map[port][i] == dvo)
                return port;
    return -1;
}

static void parse(const uint8_t *o, struct parsed *r)
{
    size_t size = 0;
    const uint8_t *vbt = opregion_vbt(o, &size), *bdb;

    memset(r, 0, sizeof(*r));
    r->int_lvds = true;             /* init_vbt_defaults */
    if (!vbt) {
        r->error = "opregion signature mismatch or RVDA";
        return;
    }
    /* intel_bios_is_valid_vbt */
    if (memcmp(vbt, "$VBT", 4)) {
        r->error = "VBT invalid signature";
        return;
    }
    if (get16(vbt + 24) > size) {
        r->error = "VBT incomplete (vbt_size overflows)";
        return;
    }
    size = r->vbt_size = get16(vbt + 24);
    if (get32(vbt + 28) + 22 > size) {
        r->error = "BDB header incomplete";
        return;
    }
    bdb = vbt + get32(vbt + 28);
    if (get32(vbt + 28) + get16(bdb + 20) > size) {
        r->error = "BDB incomplete";
        return;
    }
    for (size_t i = 0; i < r->vbt_size; i++)
        r->vbt_sum += vbt[i];
    r->bdb_version = get16(bdb + 16);

    /* find_raw_section's walk, recording every block */
    unsigned total = get16(bdb + 20), index = get16(bdb + 18);
    while (index + 3 < total) {
        uint8_t id = bdb[index];
        unsigned bsize = get16(bdb + index + 1);
        const uint8_t *d = bdb + index + 3;
        index += 3;
        if (index + bsize > total) {
            r->error = "block overflows the BDB";
            return;
        }
        if (r->n_blocks < 16)
            r->blocks[r->n_blocks++] = id;
        if (id == 1 && bsize >= 5) {            /* parse_general_features */
            r->has_gf = true;
            r->int_crt = d[4] & 1;
            r->int_tv = d[4] & 2;
        } else if (id == 2 && bsize >= 5) {     /* parse_general_definitions */
            r->has_gd = true;
            r->crt_ddc_pin = d[0];
            r->child_size = d[4];
            if (r->child_size < 33) {
                r->error = "Child device config size is too small";
                return;
            }
            for (unsigned i = 0; i < (bsize - 5) / r->child_size; i++) {
                const uint8_t *c = d + 5 + i * r->child_size;
                if (!get16(c + 2) || r->n_children >= 8)
                    continue;
                r->child[r->n_children].handle = get16(c);
                r->child[r->n_children].device_type = get16(c + 2);
                r->child[r->n_children].dvo_port = c[16];
                r->child[r->n_children].ddc_pin = c[19];
                r->child[r->n_children].aux = c[25];
                r->child[r->n_children].port = dvo_port_to_port(c[16]);
                r->n_children++;
            }
        } else if (id == 12 && bsize >= 9) {    /* parse_driver_features, gen5+ */
            r->has_df = true;
            r->int_lvds = ((get16(d + 7) >> 11) & 3) == 1;  /* BDB_DRIVER_FEATURE_INT_LVDS */
        }
        index += bsize;
    }
}

/* intel_bios_encoder_supports_* on a child's device type */
static bool is_dp(uint16_t t) { return t & (1u << 2); }
static bool is_dvi(uint16_t t) { return t & (1u << 4); }
static bool is_hdmi(uint16_t t) { return is_dvi(t) && !(t & (1u << 11)); }
static bool is_crt(uint16_t t) { return t & (1u << 0); }
static bool is_edp(uint16_t t) { return is_dp(t) && (t & (1u << 12)); }
static bool is_lfp(uint16_t t) { return t == 0x1022 || t == 0x22; }

static int find_child(const struct parsed *r, int port)
{
    for (unsigned i = 0; i < r->n_children; i++)
        if (r->child[i].port == port)
            return (int)i;
    return -1;
}

/* ---- hexdump -C --------------------------------------------------------- */

static char *hexdump(const uint8_t *b, size_t len)
{
    size_t cap = len / 16 * 80 + 64, n = 0;
    char *out = malloc(cap);
    bool starred = false;

    for (size_t off = 0; off < len; off += 16) {
        if (off && off + 16 <= len && !memcmp(b + off, b + off - 16, 16)) {
            if (!starred)
                n += (size_t)sprintf(out + n, "*\n");
            starred = true;
            continue;
        }
        starred = false;
        n += (size_t)sprintf(out + n, "%08zx ", off);
        for (size_t i = 0; i < 16; i++)
            n += (size_t)sprintf(out + n, "%s%02x", i == 8 ? "  " : " ", b[off + i]);
        n += (size_t)sprintf(out + n, "  |");
        for (size_t i = 0; i < 16; i++)
            out[n++] = b[off + i] >= 0x20 && b[off + i] < 0x7F ? (char)b[off + i] : '.';
        n += (size_t)sprintf(out + n, "|\n");
    }
    sprintf(out + n, "%08zx\n", len);
    return out;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *s = NULL;
    size_t n = 0, cap = 0, r;
    if (!f)
        return NULL;
    do {
        if (cap - n < 4096) {
            cap = cap ? cap * 2 : 65536;
            s = realloc(s, cap);
        }
        r = fread(s + n, 1, cap - n - 1, f);
        n += r;
    } while (r);
    fclose(f);
    s[n] = 0;
    return s;
}

/* ---- tests -------------------------------------------------------------- */

static uint8_t opr[VGT_OPREGION_HVMLOADER_PAGES * 4096];

static int build(const enum vgt_port_type *t, unsigned n, uint16_t dev)
{
    memset(opr, 0xAA, sizeof(opr));
    return vgt_opregion_build(t, n, dev, opr, sizeof(opr));
}

static void test_header(void)
{
    const enum vgt_port_type t[] = { VGT_PORT_DP_B };
    is_int(build(t, 1, SKL), VGT_OPREGION_SIZE, "build returns the OpRegion size");
    ok(!memcmp(opr, "IntelGraphicsMem", 16), "signature IntelGraphicsMem");
    is_int(get32(opr + 0x10), 8, "size field: 8 KiB");
    is_int(opr[0x17], 2, "version major 2");
    is_int(opr[0x16], 0, "version minor 0 (RVDA would be a physical address; unused)");
    is_int(get32(opr + 0x58), 1u << 3, "mailboxes: only 4 (VBT); no ACPI, SWSCI, ASLE, ASLE_EXT");
    is_int(get32(opr + 0x60), 0, "pcon: not a headless SKU");
    is_int(opr[0x1AC], 3, "CLID: lid open");
    bool zero = true;
    for (size_t i = VGT_OPREGION_SIZE; i < sizeof(opr); i++)
        zero &= opr[i] == 0;
    ok(zero, "the rest of the reservation (third page) is zeroed");
}

/* The whole i915 view for one port set. */
static void check_ports(const char *what, const enum vgt_port_type *t, unsigned n,
                        uint16_t dev)
{
    struct parsed r;
    bool crt = false;

    is_int(build(t, n, dev), VGT_OPREGION_SIZE, "%s: built", what);
    parse(opr, &r);
    ok(!r.error, "%s: i915 finds a valid VBT in mailbox 4 (%s)", what,
       r.error ? r.error : "ok");
    if (r.error)
        return;
    is_int(r.vbt_sum, 0, "%s: VBT checksum (byte sum 0)", what);
    ok(r.bdb_version >= 155, "%s: BDB version %u >= 155 (DDI child devices)", what,
       r.bdb_version);
    ok(r.has_gf && r.has_gd && r.has_df, "%s: general features, definitions, driver features",
       what);
    bool no_panel = true;
    for (unsigned i = 0; i < r.n_blocks; i++)
        no_panel &= r.blocks[i] != 9 && r.blocks[i] != 27 && (r.blocks[i] < 40 || r.blocks[i] > 44);
    ok(no_panel, "%s: no PSR, eDP, LVDS options or LFP blocks", what);
    is_int(r.child_size, expected_child_size(r.bdb_version),
           "%s: child device size is what i915 expects for BDB %u", what, r.bdb_version);
    is_int(r.n_children, n, "%s: one child device per port", what);
    ok(!r.int_lvds && !r.int_tv, "%s: no LVDS (driver features), no TV", what);

    for (unsigned i = 0; i < n; i++) {
        enum vgt_port port = vgt_port_type_port(t[i]);
        const char *name = vgt_port_type_name(t[i]);
        int c = find_child(&r, (int)port);
        if (!ok(c >= 0, "%s: %s has a child on %s", what, name, vgt_port_name(port)))
            continue;
        uint16_t dt = r.child[c].device_type;
        if (t[i] == VGT_PORT_CRT) {
            crt = true;
            ok(is_crt(dt) && !is_dp(dt) && !is_dvi(dt), "%s: %s analog only", what, name);
            is_int(r.child[c].ddc_pin, 2, "%s: %s DDC on GMBUS pin VGADDC", what, name);
            is_int(r.child[c].handle, 1, "%s: %s handle CRT", what, name);
        } else if (t[i] <= VGT_PORT_DP_D) {
            ok(is_dp(dt) && !is_dvi(dt) && !is_hdmi(dt) && !is_crt(dt), "%s: %s DP only", what,
               name);
            static const uint8_t aux[] = { 0x40, 0x10, 0x20, 0x30 };    /* DP_AUX_A..D */
            is_int(r.child[c].aux, aux[port], "%s: %s AUX channel", what, name);
        } else {
            ok(is_hdmi(dt) && !is_dp(dt) && !is_crt(dt), "%s: %s HDMI only", what, name);
            static const uint8_t pin[] = { 0, 5, 4, 6 };    /* GMBUS_PIN_DPB/C/D */
            is_int(r.child[c].ddc_pin, pin[port], "%s: %s DDC pin", what, name);
            is_int(r.child[c].aux, 0, "%s: %s no AUX channel", what, name);
        }
    }
    bool no_edp = true, handles_unique = true;
    for (unsigned i = 0; i < r.n_children; i++) {
        no_edp &= !is_edp(r.child[i].device_type) && !is_lfp(r.child[i].device_type);
        for (unsigned j = 0; j < i; j++)
            handles_unique &= r.child[i].handle != r.child[j].handle;
    }
    ok(no_edp, "%s: no eDP or LFP child", what);
    ok(handles_unique, "%s: child handles are unique", what);
    bool want_a = false;
    for (unsigned i = 0; i < n; i++)
        want_a |= t[i] == VGT_PORT_DP_A;
    ok((find_child(&r, 0) >= 0) == want_a, "%s: a child on port A exactly if DP_A is asked for",
       what);
    ok(r.int_crt == crt, "%s: int_crt_support %d", what, crt);
    is_int(r.crt_ddc_pin, 2, "%s: CRT DDC pin VGADDC", what);
}

static void test_ports(void)
{
    const enum vgt_port_type one[] = { VGT_PORT_DP_B };
    const enum vgt_port_type mixed[] = { VGT_PORT_HDMI_C, VGT_PORT_DP_B, VGT_PORT_DP_D };
    const enum vgt_port_type all[] = { VGT_PORT_CRT, VGT_PORT_DP_A, VGT_PORT_HDMI_B,
                                       VGT_PORT_DP_C, VGT_PORT_HDMI_D };
    const enum vgt_port_type hdmi[] = { VGT_PORT_HDMI_B, VGT_PORT_HDMI_C, VGT_PORT_HDMI_D };

    check_ports("none", NULL, 0, SKL);
    check_ports("DP_B", one, 1, SKL);
    check_ports("DP_B+HDMI_C+DP_D", mixed, 3, SKL);
    check_ports("all kinds on BDW", all, 5, BDW);
    check_ports("HDMI B-D on KBL", hdmi, 3, 0x5912);

    /* Port A: no child unless DP_A is asked for ("VBT says port A is not present"). */
    struct parsed r;
    build(mixed, 3, SKL);
    parse(opr, &r);
    is_int(find_child(&r, 0), -1, "no child on port A: i915 skips port A, no AUX A probing");
}

static void test_deterministic(void)
{
    static uint8_t a[VGT_OPREGION_SIZE];
    const enum vgt_port_type t1[] = { VGT_PORT_DP_D, VGT_PORT_CRT, VGT_PORT_HDMI_B };
    const enum vgt_port_type t2[] = { VGT_PORT_HDMI_B, VGT_PORT_DP_D, VGT_PORT_CRT };

    build(t1, 3, SKL);
    memcpy(a, opr, sizeof(a));
    build(t2, 3, SKL);
    ok(!memcmp(a, opr, sizeof(a)), "the bytes depend on the port set, not its order");
    build(t1, 3, 0x5912);
    ok(memcmp(a, opr, sizeof(a)) != 0, "the platform shows in the VBT signature");
    ok(!memcmp(opr + 0x400, "$VBT KABYLAKE       ", 20), "VBT signature \"$VBT KABYLAKE\"");
}

static void test_errors(void)
{
    const enum vgt_port_type dup[] = { VGT_PORT_DP_B, VGT_PORT_HDMI_B };
    const enum vgt_port_type bad[] = { VGT_PORT_TYPE_MAX };
    const enum vgt_port_type neg[] = { (enum vgt_port_type)-1 };
    const enum vgt_port_type one[] = { VGT_PORT_DP_C };
    uint8_t small[VGT_OPREGION_SIZE - 1];

    is_int(build(dup, 2, SKL), -EEXIST, "two types on port B: -EEXIST");
    is_int(build(bad, 1, SKL), -EINVAL, "type out of range: -EINVAL");
    is_int(build(neg, 1, SKL), -EINVAL, "negative type: -EINVAL");
    is_int(build(NULL, 1, SKL), -EINVAL, "NULL types with n > 0: -EINVAL");
    is_int(vgt_opregion_build(one, 1, SKL, NULL, 8192), -EINVAL, "NULL buffer: -EINVAL");
    is_int(build(one, 1, 0x3E92), -EOPNOTSUPP, "Coffee Lake (CNP DDC pins): -EOPNOTSUPP");
    is_int(vgt_opregion_build(one, 1, SKL, small, sizeof(small)), -ENOSPC,
           "buffer below 8 KiB: -ENOSPC");
    is_int(vgt_opregion_build(one, 1, SKL, opr, VGT_OPREGION_SIZE), VGT_OPREGION_SIZE,
           "exactly 8 KiB is enough");
}

/* A corrupted OpRegion must fail the reader: the checks above can fail. */
static void test_reader_rejects(void)
{
    const enum vgt_port_type one[] = { VGT_PORT_DP_B };
    struct parsed r;

    build(one, 1, SKL);
    opr[0] = 'i';
    parse(opr, &r);
    ok(r.error != NULL, "reader: bad OpRegion signature refused");
    build(one, 1, SKL);
    opr[0x400 + 24] = 0xFF, opr[0x400 + 25] = 0x1F;  /* vbt_size 8191 > 7 KiB */
    parse(opr, &r);
    ok(r.error != NULL, "reader: oversized VBT refused");
    build(one, 1, SKL);
    opr[0x400 + 48 + 20] += 40;                       /* bdb_size past vbt_size */
    parse(opr, &r);
    ok(r.error != NULL, "reader: BDB past the VBT refused");
}

static void test_golden(const char *name, const enum vgt_port_type *t, unsigned n,
                        uint16_t dev)
{
    char path[4096];
    const char *dump = getenv("VGT_OPREGION_DUMP_DIR");

    build(t, n, dev);
    if (dump) {     /* regenerate: dump the bytes, then hexdump -C them */
        snprintf(path, sizeof(path), "%s/%s.bin", dump, name);
        FILE *f = fopen(path, "wb");
        ok(f && fwrite(opr, 1, VGT_OPREGION_SIZE, f) == VGT_OPREGION_SIZE && !fclose(f),
           "golden %s: wrote %s", name, path);
    }
    snprintf(path, sizeof(path), "%s/tests/data/opregion/%s.hexdump", SRCDIR, name);
    char *want = slurp(path), *got = hexdump(opr, VGT_OPREGION_SIZE);
    if (!ok(want && !strcmp(got, want), "golden %s matches %s", name, path))
        printf("# got:\n%s", got);
    free(want);
    free(got);
}

int main(void)
{
    const enum vgt_port_type skl[] = { VGT_PORT_DP_B, VGT_PORT_HDMI_C, VGT_PORT_DP_D };
    const enum vgt_port_type bdw[] = { VGT_PORT_CRT, VGT_PORT_DP_A, VGT_PORT_HDMI_B,
                                       VGT_PORT_DP_C, VGT_PORT_HDMI_D };

    test_header();
    test_ports();
    test_deterministic();
    test_errors();
    test_reader_rejects();
    test_golden("skl-dpb-hdmic-dpd", skl, 3, SKL);
    test_golden("bdw-all-ports", bdw, 5, BDW);
    return tap_done();
}
