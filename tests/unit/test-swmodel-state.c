/* The model's state block (state_size/adopt_state): kept in the user's memory,
 * taken over by a successor instance, checked and sanitised as hostile input. */
#include <stdint.h>
#include "tests/unit/test-model.h"
#include "daemon/mediator/swmodel.h"

#define SCRATCH 0x4F010u            /* a plain register no table lists */
#define FENCE(i) (0x100000u + 8 * (i))

/* What the worker's config replay does before adopt_state: MSI on (the config
 * space is not part of the state). */
static void msi_setup(struct vgt_vgpu *v)
{
    M->cfg_write(v, 0x04, 2, 0x0406);
    M->cfg_write(v, 0xB0, 4, 0xFEE37000);
    M->cfg_write(v, 0xB4, 2, 0x0700);
    M->cfg_write(v, 0xAE, 2, 1);
}

static struct vgt_port_state monitor(void)
{
    struct vgt_port_state s = { .connected = true, .type = VGT_PORT_HDMI_B, .override = VGT_PORT_B };
    for (unsigned i = 0; i < VGT_EDID_LEN; i++)
        s.edid[i] = (uint8_t)(i * 3 + 5);
    return s;
}

/* The guest's configuration before the crash; the hotplug's interrupt stays
 * pending (the guest has not handled it yet). */
static void guest_setup(struct vgt_vgpu *v)
{
    struct vgt_port_state mon = monitor();

    msi_setup(v);
    wr32(v, 0xC4004, ~(0x7u << 21));    /* SDEIMR: B, C, D hotplug */
    wr32(v, 0xC400C, 0x7u << 21);       /* SDEIER */
    wr32(v, 0x44404, 0xFFFFFFFEu);      /* pipe A IMR: vblank unmasked */
    wr32(v, 0x44200, 0x80000000);       /* master on */
    wr32(v, 0x70180, 0x84000000);       /* PLANE_CTL_1_A: on, XRGB8888 */
    wr32(v, 0x7019C, 0x08010000);       /* PLANE_SURF_1_A: own low GM */
    wr(v, FENCE(1), 8, (0x0800F000ull << 32) | 0x08000000 | 1);   /* a valid fence of its own */
    wr32(v, 0x78804, 1);                /* PVINFO display_ready */
    wr32(v, SCRATCH, 0xC0FFEE);
    wr32(v, FENCE(6), 1);               /* not its fence: refused, counted */
    M->hotplug(v, VGT_PORT_B, &mon);
}

/* The registers guest_setup wrote read back as written. */
static bool guest_kept(struct vgt_vgpu *v)
{
    struct vgt_display_state d;
    struct vgt_port_state mon = monitor();

    M->get_display(v, &d);
    return rd32(v, 0xC4004) == ~(0x7u << 21) && rd32(v, 0xC400C) == 0x7u << 21 &&
           rd32(v, 0x44404) == 0xFFFFFFFEu && (rd32(v, 0x44200) & 0x80000000u) &&
           rd32(v, 0x70180) == 0x84000000 && rd32(v, 0x7019C) == 0x08010000 &&
           rd(v, FENCE(1), 8) == ((0x0800F000ull << 32) | 0x08000000 | 1) &&
           rd32(v, 0x78804) == 1 && rd32(v, SCRATCH) == 0xC0FFEE && d.display_ready &&
           d.primary.enabled && d.ports[VGT_PORT_B].connected &&
           !memcmp(d.ports[VGT_PORT_B].edid, mon.edid, VGT_EDID_LEN) &&
           rd32(v, 0xC4000) == 1u << 21 && rd32(v, 0xC4008) == 1u << 21;
}

static void *state_mem(size_t *len)
{
    struct vgt_vgpu_params p = test_params();
    void *mem;

    *len = M->state_size(&p);
    mem = aligned_alloc(64, (*len + 63) & ~(size_t)63);
    if (!mem) {
        printf("Bail out! no memory\n");
        exit(1);
    }
    memset(mem, 0, *len);
    return mem;
}

/* A successor's instance: config replayed, then the state in mem taken over. */
static int successor(struct vgt_vgpu **v, struct fake_host *h, void *mem, size_t len,
                     const struct vgt_vgpu_params *p)
{
    memset(h, 0, sizeof(*h));
    h->ram_len = GUEST_RAM;
    h->ram = calloc(1, h->ram_len);
    h->ggtt = calloc(1, 8u << 20);
    if (M->create(p, &fake_host_ops, h, v) < 0) {
        printf("Bail out! cannot create a vGPU\n");
        exit(1);
    }
    M->set_backing(*v, VGT_BAR_MMIO, 1, h->ggtt, 8u << 20);
    msi_setup(*v);
    return M->adopt_state(*v, mem, len, true);
}

static void test_keep_and_resume(void)
{
    struct fake_host h, h2;
    struct vgt_vgpu *v = test_vgpu(&h), *v2;
    struct vgt_vgpu_params p = test_params();
    struct sw_state *s;
    size_t len;
    void *mem = state_mem(&len);
    uint64_t refused;

    ok(len >= sizeof(struct sw_state) && len < (3u << 20), "state_size: %zu bytes", len);
    is_int(M->adopt_state(v, mem, len - 1, false), -EINVAL, "too short: refused");
    is_int(M->adopt_state(v, (uint8_t *)mem + 1, len - 1, false), -EINVAL, "misaligned: refused");
    wr32(v, SCRATCH, 0x1234);
    is_int(M->adopt_state(v, mem, len, false), 0, "adopt (not resume): 0");
    s = mem;
    ok(s->h.magic == SW_STATE_MAGIC && s->h.size == sizeof(*s) && s->h.vgt_id == 1,
       "the header says what it is for");
    is_int(rd32(v, SCRATCH), 0x1234, "what was written before is kept");
    is_int(s->regs[SCRATCH >> 2], 0x1234, "in the adopted memory");
    guest_setup(v);
    is_int(h.msis, 1, "the hotplug raised its MSI");
    is_int(s->regs[0xC4004 >> 2], ~(0x7u << 21), "guest writes land in the memory");
    refused = stat(v, VGT_STAT_FENCE_REFUSED);
    is_int(refused, 1, "one fence refusal counted");
    ok(guest_kept(v), "the guest's state as written");

    /* the predecessor dies (its memory stays); a successor takes over */
    M->destroy(v);
    free(h.ram);
    free(h.ggtt);
    is_int(successor(&v2, &h2, mem, len, &p), 1, "successor: the state taken over (1)");
    ok(guest_kept(v2), "successor: masks, enables, plane, fence, display_ready, scratch, "
                       "port and EDID as the guest left them");
    is_int(h2.msis, 1, "the pending enabled hotplug interrupt is delivered again");
    ok(h2.msi_addr == 0xFEE37000 && h2.msi_data == 0x0700, "at the guest's MSI address/data");
    {
        struct vgt_port_state again = monitor();
        wr32(v2, 0xC4030, rd32(v2, 0xC4030));      /* the guest clears the long pulse */
        M->hotplug(v2, VGT_PORT_B, &again);
        ok(h2.msis == 1 && !(rd32(v2, 0xC4030) & 3),
           "the same monitor connected again (vgtd re-applies its config): no event");
        again.edid[20] ^= 1;
        M->hotplug(v2, VGT_PORT_B, &again);
        ok(rd32(v2, 0xC4030) & 2, "another EDID: a hot-plug (long pulse)");
        again.edid[20] ^= 1;
        M->hotplug(v2, VGT_PORT_B, &again);
    }
    is_int(stat(v2, VGT_STAT_FENCE_REFUSED), refused, "counters continue");
    wr32(v2, FENCE(7), 1);
    is_int(stat(v2, VGT_STAT_FENCE_REFUSED), refused + 1, "and count on");
    is_int(rd32(v2, 0x78000 + 0x0C), 1, "PVINFO vgt_id");

    /* a device reset resets the adopted memory in place */
    M->reset(v2);
    ok(s->regs[SCRATCH >> 2] == 0 && s->regs[0xC4004 >> 2] == 0xFFFFFFFF &&
       s->regs[(0x78000 + 0x40) >> 2] == 0x08000000, "reset: the memory holds the reset state");
    wr32(v2, SCRATCH, 0x5678);

    /* mem NULL: the instance goes back to memory of its own */
    is_int(M->adopt_state(v2, NULL, 0, false), 0, "detach: 0");
    memset(mem, 0xA5, len);
    is_int(rd32(v2, SCRATCH), 0x5678, "detached: the state is a copy, the old memory unused");
    M->destroy(v2);
    free(h2.ram);
    free(h2.ggtt);
    free(mem);
}

/* A header that does not fit: the successor starts from its own fresh state. */
static void test_mismatch(void)
{
    struct vgt_vgpu_params p = test_params(), other = test_params();
    struct fake_host h, h2;
    struct vgt_vgpu *v = test_vgpu(&h), *v2;
    struct sw_state *s;
    size_t len;
    void *mem = state_mem(&len), *saved = malloc(len);
    static const char *const what[] = { "wrong magic", "another layout version", "another size",
                                        "another generation", "another partition", "zeroes" };

    s = mem;
    M->adopt_state(v, mem, len, false);
    guest_setup(v);
    memcpy(saved, mem, len);
    M->destroy(v);
    free(h.ram);
    free(h.ggtt);
    for (unsigned i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
        memcpy(mem, saved, len);
        switch (i) {
        case 0: s->h.magic ^= 1; break;
        case 1: s->h.version++; break;
        case 2: s->h.size--; break;
        case 3: s->h.gen = 8; break;
        case 4: s->h.low_base += 1u << 20; break;
        default: memset(mem, 0, len); break;
        }
        int r = successor(&v2, &h2, mem, len, &p);
        ok(r == 0 && rd32(v2, SCRATCH) == 0 && rd32(v2, 0xC4004) == 0xFFFFFFFF && h2.msis == 0 &&
           s->h.magic == SW_STATE_MAGIC && s->regs[(0x78000 + 0x40) >> 2] == 0x08000000,
           "%s: not taken over, fresh state written to the memory (%d)", what[i], r);
        M->destroy(v2);
        free(h2.ram);
        free(h2.ggtt);
    }
    /* the partition is the successor's too: a state made for another is not its */
    memcpy(mem, saved, len);
    other.part.fence_count = 3;
    ok(successor(&v2, &h2, mem, len, &other) == 0 && rd32(v2, 0x78050) == 3,
       "a successor with another partition starts fresh");
    M->destroy(v2);
    free(h2.ram);
    free(h2.ggtt);
    free(saved);
    free(mem);
}

static unsigned long long rnd_state = 0x2545F4914F6CDD1Dull;
static uint8_t rnd8(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (uint8_t)rnd_state;
}

/* Garbage behind a valid header: taken over, sanitised, and the vGPU works. */
static void test_hostile(void)
{
    struct vgt_vgpu_params p = test_params();
    struct fake_host h;
    struct vgt_vgpu *v;
    struct vgt_display_state d;
    struct sw_state *s;
    size_t len;
    void *mem = state_mem(&len);
    struct sw_state_header hdr;
    bool fences_ok = true, elsp_ok;
    uint8_t *raw;

    v = test_vgpu(&h);
    M->adopt_state(v, mem, len, false);
    s = mem;
    hdr = s->h;
    M->destroy(v);
    free(h.ram);
    free(h.ggtt);

    for (raw = mem; raw < (uint8_t *)mem + len; raw++)
        *raw = rnd8();
    s->h = hdr;
    /* hostile indices and enum/bool bytes on top of the random ones */
    s->gmbus.active = 0x55;
    s->gmbus.ddi = 1000;
    s->gmbus.remaining = 0xFFFFFFFF;
    s->gmbus.pin = 5;
    s->ddc[1].offset = 0xFFFFFFFF;
    s->ddc[1].segment = 0xFFFFFFFF;
    for (unsigned e = 0; e < SW_NR_ENGINES; e++)
        s->engines[e].n_elsp = 0x7FFFFFFF;
    memset(&s->ports[VGT_PORT_B], 0x77, sizeof(s->ports[VGT_PORT_B]));   /* type 0x77777777 */
    memset(&s->ports[VGT_PORT_C].connected, 0x42, 1);                    /* a bool of 0x42 */
    s->ports[VGT_PORT_C].type = VGT_PORT_DP_C;
    s->ports[VGT_PORT_C].override = VGT_PORT_C;
    s->irq_line = 0x80;
    s->intx_level = 0x80;

    is_int(successor(&v, &h, mem, len, &p), 1, "random state with a valid header: taken over");
    is_int(rd(v, 0x78000, 8), (long long)VGT_PV_MAGIC, "PVINFO magic asserted");
    ok(rd32(v, 0x78040) == 0x08000000 && rd32(v, 0x78044) == 128u << 20 &&
       rd32(v, 0x78048) == 0x20000000 && rd32(v, 0x7804C) == 384u << 20 && rd32(v, 0x78050) == 4 &&
       rd32(v, 0x7800C) == 1, "PVINFO partition, fence count and vgt_id asserted");
    ok(rd32(v, 0x9120) == 0x02800000 && rd32(v, 0x42000) == 0x8E000000 && rd32(v, 0x64044) == 0x02001000,
       "constant registers (fuses, DP_TP_STATUS) at their boot values");
    ok(rd32(v, 0x78830) == 0xFFFFFFFF && rd32(v, 0x78100) == 0 && rd32(v, 0x44300) == 0 &&
       rd32(v, 0x44440) == 0, "PVINFO's other read-only fields, ISRs without a live event: as at reset");
    for (unsigned i = 0; i < SW_MAX_HW_FENCES; i++) {
        uint64_t lo = s->regs[FENCE(i) >> 2], hi = s->regs[(FENCE(i) >> 2) + 1];
        uint64_t start = lo & 0xFFFFF000u, end = (hi & 0xFFFFF000u) + 4096;
        if (i >= p.part.fence_count)
            fences_ok &= lo == 0 && hi == 0;
        else if (lo & 1)
            fences_ok &= end > start && ((start >= 0x08000000 && end <= 0x10000000) ||
                                         (start >= 0x20000000 && end <= 0x38000000));
    }
    ok(fences_ok, "fences: the guest's valid only inside its partition, the others cleared");
    M->get_display(v, &d);
    ok(!d.ports[VGT_PORT_B].connected && !s->port_typed[VGT_PORT_B] && s->ports[VGT_PORT_B].type == 0,
       "a port of an unknown type is gone");
    ok(d.ports[VGT_PORT_C].connected && rd32(v, 0xC4000) & (1u << 22),
       "a bool byte 0x42 reads as connected, and the live hotplug state follows");
    ok(s->gmbus.active <= 1 && s->gmbus.ddi < SW_NR_DDI && s->ddc[1].offset <= 0xFF &&
       s->ddc[1].segment <= 0x7F && s->irq_line <= 1 && s->intx_level <= 1,
       "indices clamped, flags 0 or 1");
    elsp_ok = true;
    for (unsigned e = 0; e < SW_NR_ENGINES; e++)
        elsp_ok &= s->engines[e].n_elsp < 4;
    ok(elsp_ok, "half-written submissions dropped");
    /* what the guest can do next, at every handler */
    wr32(v, 0xC5100, 5);                                    /* GMBUS0: pin DPB */
    wr32(v, 0xC5104, (1u << 30) | (128u << 16) | (0x50 << 1) | 1);
    rd32(v, 0xC510C);
    rd32(v, 0xC5108);
    for (unsigned k = 0; k < 4; k++)
        wr32(v, 0x2230, 0);                                 /* RCS ELSP */
    wr32(v, 0x64110, 0x80000000u | (5u << 20));             /* AUX B */
    rd32(v, 0x44200);
    wr32(v, 0x44200, 0x80000000);
    M->vblank(v);
    M->reset(v);
    is_int(rd(v, 0x78000, 8), (long long)VGT_PV_MAGIC, "the vGPU works on and resets");
    M->destroy(v);
    free(h.ram);
    free(h.ggtt);
    free(mem);
}

int main(void)
{
    test_keep_and_resume();
    test_mismatch();
    test_hostile();
    return tap_done();
}
