/* The virtual OpRegion and its VBT, checked the way Linux's i915 reads them
 * (intel_opregion_setup, intel_bios_is_valid_vbt, find_raw_section,
 * parse_general_definitions). */
#include "tests/unit/test-model.h"

static unsigned get16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }

/* Block id's data in the BDB, walking the sections as i915 does. */
static const uint8_t *find_block(const uint8_t *bdb, unsigned id, unsigned *size)
{
    unsigned index = get16(bdb + 18), total = get16(bdb + 20);
    while (index + 3 < total) {
        unsigned cur = bdb[index], sz = get16(bdb + index + 1);
        index += 3;
        if (index + sz > total)
            return NULL;
        if (cur == id) {
            *size = sz;
            return bdb + index;
        }
        index += sz;
    }
    return NULL;
}

static void check(struct vgt_vgpu *v, unsigned want_children, unsigned first_ddi)
{
    static uint8_t o[VGT_OPREGION_SIZE];
    const uint8_t *vbt = o + 0x400, *bdb, *defs;
    unsigned vbt_size, size = 0, sum = 0, n;

    memset(o, 0xAA, sizeof(o));
    is_int(M->get_opregion(v, o, sizeof(o)), 0, "OpRegion built");
    ok(memcmp(o, "IntelGraphicsMem", 16) == 0, "OpRegion signature");
    is_int(get32(o + 16), 8, "size 8 KiB");
    is_int(o[23], 2, "version 2");
    is_int(get32(o + 88) & 0x37, 0, "no ACPI, SWSCI, ASLE mailbox");
    ok(memcmp(vbt, "$VBT", 4) == 0, "VBT signature at mailbox #4");
    vbt_size = get16(vbt + 24);
    ok(vbt_size <= VGT_OPREGION_SIZE - 0x400, "VBT fits in its mailbox");
    for (unsigned i = 0; i < vbt_size; i++)
        sum += vbt[i];
    is_int(sum & 0xFF, 0, "VBT checksum");
    ok(get32(vbt + 28) + 22 <= vbt_size, "BDB header inside the VBT");
    bdb = vbt + get32(vbt + 28);
    ok(memcmp(bdb, "BIOS_DATA_BLOCK ", 16) == 0, "BDB signature");
    ok(get32(vbt + 28) + get16(bdb + 20) <= vbt_size, "BDB inside the VBT");
    is_int(get16(bdb + 16), 198, "BDB version 198");
    defs = find_block(bdb, 2, &size);
    ok(defs != NULL, "general definitions block found");
    if (!defs)
        return;
    is_int(defs[4], 38, "child device size 38, as i915 expects for version 198");
    n = (size - 5) / defs[4];
    is_int(n, want_children, "%u child devices", want_children);
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *c = defs + 5 + i * defs[4];
        unsigned ddi = first_ddi + i, type = get16(c + 2);
        static const uint8_t dvo[4] = { 10, 7, 8, 9 }, aux[4] = { 0x40, 0x10, 0x20, 0x30 },
                             ddc[4] = { 0, 5, 4, 6 };
        is_int(c[16], dvo[ddi], "child %u: DVO port of DDI %c", i, 'A' + ddi);
        is_int(c[25], aux[ddi], "child %u: AUX channel", i);
        is_int(c[19], ddc[ddi], "child %u: DDC pin", i);
        ok(type & (1u << 2), "child %u: DisplayPort", i);
        ok(!(type & (1u << 12)), "child %u: not an internal connector (no eDP)", i);
        ok(ddi == 0 ? !(type & (1u << 4)) : (type & (1u << 4)) && !(type & (1u << 11)),
           "child %u: HDMI on DDI B-D only", i);
    }
}

int main(void)
{
    struct fake_host h;
    struct vgt_vgpu *v = test_vgpu(&h);
    struct vgt_port_state dp_a = { .connected = true, .type = VGT_PORT_DP_A, .override = VGT_PORT_A };
    static uint8_t small[100];

    check(v, 3, 1);
    M->hotplug(v, VGT_PORT_E, &dp_a);
    check(v, 4, 0);
    is_int(M->get_opregion(v, small, sizeof(small)), -ENOSPC, "a short buffer is refused");
    test_vgpu_free(v, &h);
    return tap_done();
}
