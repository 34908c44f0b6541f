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

/* The DVO ports of the VBT's child devices, in order; returns how many. */
static unsigned vbt_ports(struct vgt_vgpu *v, uint8_t *dvo, unsigned max)
{
    static uint8_t o[VGT_OPREGION_SIZE];
    const uint8_t *vbt = o + 0x400, *bdb, *defs;
    unsigned size = 0, n;

    memset(o, 0xAA, sizeof(o));
    if (M->get_opregion(v, o, sizeof(o)) < 0)
        return 0;
    ok(memcmp(o, "IntelGraphicsMem", 16) == 0 && memcmp(vbt, "$VBT", 4) == 0,
       "OpRegion with a VBT at mailbox #4");
    bdb = vbt + get32(vbt + 28);
    defs = find_block(bdb, 2, &size);
    if (!defs || defs[4] < 33)
        return 0;
    n = (size - 5) / defs[4];
    for (unsigned i = 0; i < n && i < max; i++)
        dvo[i] = defs[5 + i * defs[4] + 16];
    return n;
}

int main(void)
{
    struct fake_host h;
    struct vgt_vgpu *v = test_vgpu(&h);
    struct vgt_port_state mon = { .connected = true };
    static uint8_t small[100];
    uint8_t dvo[8];

    /* no port configured: DP on B, C and D (DVO_PORT_DPB..DPD = 7..9) */
    is_int(vbt_ports(v, dvo, 8), 3, "three ports by default");
    ok(dvo[0] == 7 && dvo[1] == 8 && dvo[2] == 9, "DP B, C, D");
    /* the configured ports, connected or not: HDMI_B (DVO_PORT_HDMIB = 1) and DP_D */
    mon.type = VGT_PORT_HDMI_B;
    M->hotplug(v, VGT_PORT_B, &mon);
    mon.type = VGT_PORT_DP_D;
    M->hotplug(v, VGT_PORT_D, &mon);
    M->hotplug(v, VGT_PORT_D, NULL);
    mon.type = VGT_PORT_DP_B;           /* a second sink for DDI B: the first one wins */
    M->hotplug(v, VGT_PORT_E, &mon);
    is_int(vbt_ports(v, dvo, 8), 2, "the configured ports only");
    ok((dvo[0] == 1 && dvo[1] == 9) || (dvo[0] == 9 && dvo[1] == 1), "HDMI B and DP D");
    is_int(M->get_opregion(v, small, sizeof(small)), -ENOSPC, "a short buffer is refused");
    is_int(M->get_opregion(v, NULL, 8192), -EINVAL, "no buffer refused");
    test_vgpu_free(v, &h);
    return tap_done();
}
