/* Display: hotplug and its interrupt, GMBUS EDID, DP AUX, primary plane, framebuffer. */
#include "tests/unit/test-model.h"

static struct vgt_port_state monitor(enum vgt_port_type t, enum vgt_port over)
{
    struct vgt_port_state s = { .connected = true, .type = t, .override = over };
    for (unsigned i = 0; i < VGT_EDID_LEN; i++)
        s.edid[i] = (uint8_t)(i * 7 + 1);
    return s;
}

/* i915's interrupt setup: master on, SDE and DE port hotplug unmasked and enabled. */
static void irq_setup(struct vgt_vgpu *v)
{
    M->cfg_write(v, 0x04, 2, 0x0406);
    M->cfg_write(v, 0xB0, 4, 0xFEE37000);
    M->cfg_write(v, 0xB4, 2, 0x0700);
    M->cfg_write(v, 0xAE, 2, 1);
    wr32(v, 0xC4004, ~(0x7u << 21));    /* SDEIMR: B, C, D hotplug */
    wr32(v, 0xC400C, 0x7u << 21);
    wr32(v, 0x44444, ~(1u << 3));       /* DE port: DDI A hotplug */
    wr32(v, 0x4444C, 1u << 3);
    wr32(v, 0x44200, 0x80000000);
}

/* What i915's handler does: master off, read + clear IIRs, master on. */
static void irq_handle(struct vgt_vgpu *v, uint32_t *master, uint32_t *sde)
{
    *master = rd32(v, 0x44200);
    wr32(v, 0x44200, 0);
    *sde = rd32(v, 0xC4008);
    wr32(v, 0xC4008, *sde);
    wr32(v, 0x44448, rd32(v, 0x44448));
    wr32(v, 0x44200, 0x80000000);
}

static void hotplug(struct vgt_vgpu *v, struct fake_host *h)
{
    struct vgt_port_state mon = monitor(VGT_PORT_HDMI_B, VGT_PORT_B);
    struct vgt_display_state d;
    uint32_t master, sde;

    is_int(rd32(v, 0xC4000), 0, "SDEISR: nothing connected");
    M->hotplug(v, VGT_PORT_B, &mon);
    is_int(h->msis, 0, "no MSI before the guest enables interrupts");
    is_int(rd32(v, 0xC4000), 1u << 21, "SDEISR shows port B");
    is_int(rd32(v, 0xC4030) & 3, 2, "PCH_PORT_HOTPLUG: port B long pulse");
    wr32(v, 0xC4008, 0xFFFFFFFF);
    wr32(v, 0xC4030, rd32(v, 0xC4030));
    is_int(rd32(v, 0xC4030) & 3, 0, "hotplug status is write-1-to-clear");

    irq_setup(v);
    M->hotplug(v, VGT_PORT_B, NULL);
    is_int(h->msis, 1, "disconnect raises the MSI");
    is_int(h->msi_addr, 0xFEE37000, "at the programmed address");
    is_int(h->msi_data, 0x0700, "with the programmed data");
    is_int(rd32(v, 0xC4000), 0, "SDEISR: port B gone");
    irq_handle(v, &master, &sde);
    is_int(master, 0x80000000 | (1u << 23), "master shows the PCH");
    is_int(sde, 1u << 21, "SDEIIR shows port B");
    is_int(rd32(v, 0x44200), 0x80000000, "nothing pending after the handler");

    mon = monitor(VGT_PORT_DP_C, VGT_PORT_C);
    M->hotplug(v, VGT_PORT_D, &mon);
    is_int(h->msis, 2, "connect raises the MSI again");
    is_int(rd32(v, 0xC4000), 1u << 22, "a DP_C sink on virtual port D shows on DDI C");
    M->hotplug(v, VGT_PORT_B, NULL);
    is_int(h->msis, 2, "no second MSI while the first is pending (edge)");
    irq_handle(v, &master, &sde);
    is_int(h->msis, 2, "and none after the handler cleared it");

    wr32(v, 0xC4004, 0xFFFFFFFF);       /* masked */
    M->hotplug(v, VGT_PORT_D, NULL);
    is_int(h->msis, 2, "a masked event raises nothing");
    is_int(rd32(v, 0xC4008), 0, "and is not latched");
    wr32(v, 0xC4004, ~(0x7u << 21));

    wr32(v, 0x44200, 0);                /* master disabled */
    mon = monitor(VGT_PORT_DP_A, VGT_PORT_A);
    M->hotplug(v, VGT_PORT_A, &mon);
    is_int(h->msis, 2, "master disabled: nothing");
    is_int(rd32(v, 0x44440), 1u << 3, "DE port ISR shows DDI A");
    wr32(v, 0x44200, 0x80000000);
    is_int(h->msis, 3, "enabling the master delivers the pending interrupt");
    irq_handle(v, &master, &sde);
    is_int(master & (1u << 20), 1u << 20, "from the DE port");
    M->hotplug(v, VGT_PORT_A, NULL);
    irq_handle(v, &master, &sde);

    is_int(M->hotplug(v, VGT_PORT_MAX, &mon), -EINVAL, "bad port refused");
    mon.type = VGT_PORT_TYPE_MAX;
    is_int(M->hotplug(v, VGT_PORT_A, &mon), -EINVAL, "bad type refused");
    M->get_display(v, &d);
    ok(!d.ports[0].connected && !d.ports[1].connected, "display state shows the ports");
}

/* i915's gmbus_xfer_index_read + stop, returning the bytes or -1 on NAK. */
static int gmbus_read(struct vgt_vgpu *v, unsigned pin, unsigned index, uint8_t *buf, unsigned len)
{
    wr32(v, 0xC5100, pin);
    wr32(v, 0xC5104, (1u << 30) | (2u << 25) | (1u << 25) | (len << 16) | (index << 8) | (0x50 << 1) | 1);
    for (unsigned i = 0; i < len;) {
        uint32_t st = rd32(v, 0xC5108), val;
        if (st & (1u << 10)) {          /* SATOER: NAK */
            wr32(v, 0xC5104, 1u << 31);
            wr32(v, 0xC5104, 0);
            wr32(v, 0xC5100, 0);
            return -1;
        }
        if (!(st & (1u << 11)))
            return -2;                  /* would time out */
        val = rd32(v, 0xC510C);
        for (unsigned k = 0; k < 4 && i < len; k++, i++)
            buf[i] = (uint8_t)(val >> (8 * k));
    }
    if (!(rd32(v, 0xC5108) & (1u << 14)))
        return -3;                      /* no wait phase */
    wr32(v, 0xC5104, (1u << 30) | (4u << 25));
    if (rd32(v, 0xC5108) & (1u << 9))
        return -4;                      /* still active */
    wr32(v, 0xC5100, 0);
    return 0;
}

static void gmbus(struct vgt_vgpu *v)
{
    struct vgt_port_state mon = monitor(VGT_PORT_HDMI_B, VGT_PORT_B);
    uint8_t buf[128];

    is_int(gmbus_read(v, 5, 0, buf, 1), -1, "no monitor: NAK at once");
    is_int(rd32(v, 0xC5108), 0, "NAK cleared by SW_CLR_INT");
    M->hotplug(v, VGT_PORT_B, &mon);
    is_int(gmbus_read(v, 5, 0, buf, 128), 0, "EDID read on pin 5 (DDI B)");
    ok(memcmp(buf, mon.edid, 128) == 0, "the monitor's EDID");
    is_int(gmbus_read(v, 5, 0x7E, buf, 2), 0, "indexed read");
    ok(buf[0] == mon.edid[0x7E] && buf[1] == mon.edid[0x7F], "from the index");
    is_int(gmbus_read(v, 4, 0, buf, 1), -1, "pin 4 (DDI C) NAKs");
    {   /* a write cycle sets the offset, then a plain read */
        wr32(v, 0xC5100, 5);
        wr32(v, 0xC510C, 0x10);
        wr32(v, 0xC5104, (1u << 30) | (1u << 25) | (1u << 16) | (0x50 << 1));
        ok(rd32(v, 0xC5108) & (1u << 14), "one-byte write done: wait phase");
        wr32(v, 0xC5104, (1u << 30) | (1u << 25) | (4u << 16) | (0x50 << 1) | 1);
        is_int(rd32(v, 0xC510C), mon.edid[0x10] | mon.edid[0x11] << 8 | mon.edid[0x12] << 16 |
                                     (uint32_t)mon.edid[0x13] << 24, "read from the written offset");
        wr32(v, 0xC5104, (1u << 30) | (4u << 25));
    }
    {   /* a DP sink does not answer on GMBUS */
        struct vgt_port_state dp = monitor(VGT_PORT_DP_C, VGT_PORT_C);
        M->hotplug(v, VGT_PORT_C, &dp);
        is_int(gmbus_read(v, 4, 0, buf, 1), -1, "DP sink: GMBUS NAK");
    }
    is_int(rd32(v, 0xC510C), 0x10, "GMBUS3 read while idle: the last data written");
}

/* One AUX transaction as i915 does it; returns the control value after. */
static uint32_t aux(struct vgt_vgpu *v, unsigned ddi, const uint8_t *req, unsigned n, uint8_t *rep)
{
    uint32_t ctl = 0x64010 + 0x100 * ddi, st;
    for (unsigned k = 0; k < 5; k++) {
        uint32_t d = 0;
        for (unsigned b = 0; b < 4; b++)
            d |= (uint32_t)(4 * k + b < n ? req[4 * k + b] : 0) << (24 - 8 * b);
        wr32(v, ctl + 4 + 4 * k, d);
    }
    wr32(v, ctl, (1u << 31) | (1u << 30) | (1u << 28) | (1u << 25) | (n << 20) | (3u << 26) | 0x3F);
    st = rd32(v, ctl);
    for (unsigned i = 0; i < 20; i++)
        rep[i] = (uint8_t)(rd32(v, ctl + 4 + 4 * (i / 4)) >> (24 - 8 * (i % 4)));
    wr32(v, ctl, st | (1u << 30) | (1u << 28) | (1u << 25));
    return st;
}

static void dp_aux(struct vgt_vgpu *v)
{
    struct vgt_port_state mon = monitor(VGT_PORT_DP_D, VGT_PORT_D);
    uint8_t rep[20], rd16[4] = { 0x90, 0x00, 0x00, 0x0F };  /* native read of 16 DPCD bytes at 0 */
    uint32_t st;

    st = aux(v, 0, rd16, 4, rep);
    is_int(st & 0xD2000000u, 0x50000000, "no eDP panel on A: DONE|TIMEOUT, not busy");
    M->hotplug(v, VGT_PORT_D, &mon);
    st = aux(v, 3, rd16, 4, rep);
    is_int(st & 0xD2000000u, 0x40000000, "DP on DDI D: DONE");
    is_int((st >> 20) & 0x1F, 17, "reply of 17 bytes");
    is_int(rep[0], 0, "native ACK");
    is_int(rep[1], 0x12, "DPCD 1.2");
    is_int(rep[3] & 0x1F, 4, "4 lanes");
    {
        uint8_t rd_status[4] = { 0x90, 0x02, 0x02, 0x02 };
        aux(v, 3, rd_status, 4, rep);
        ok(rep[1] == 0x77 && rep[2] == 0x77 && rep[3] == 0x01, "link status: trained");
    }
    {
        uint8_t wr_lane[6] = { 0x80, 0x01, 0x01, 0x01, 0x04, 0x84 };  /* link rate, lane count */
        uint8_t rd_lane[4] = { 0x90, 0x01, 0x01, 0x01 };
        aux(v, 3, wr_lane, 6, rep);
        is_int(rep[0], 0, "native write ACK");
        aux(v, 3, rd_lane, 4, rep);
        ok(rep[1] == 0x04 && rep[2] == 0x84, "link configuration stored");
    }
    {   /* EDID over I2C-over-AUX: write offset (MOT), then 16-byte reads */
        uint8_t wr_off[5] = { 0x40, 0x00, 0x50, 0x00, 0x00 };
        uint8_t rd_edid[4] = { 0x50, 0x00, 0x50, 0x0F };
        uint8_t edid[128];
        aux(v, 3, wr_off, 5, rep);
        is_int(rep[0], 0, "I2C write of the offset ACKed");
        for (unsigned i = 0; i < 128; i += 16) {
            st = aux(v, 3, rd_edid, 4, rep);
            memcpy(edid + i, rep + 1, 16);
        }
        is_int((st >> 20) & 0x1F, 17, "16 bytes per reply");
        ok(memcmp(edid, mon.edid, 128) == 0, "the EDID over AUX");
    }
    {
        uint8_t bare[3] = { 0x40, 0x00, 0x50 }, other[4] = { 0x50, 0x00, 0x37, 0x00 };
        aux(v, 3, bare, 3, rep);
        is_int(rep[0], 0, "address-only transaction ACKed");
        aux(v, 3, other, 4, rep);
        is_int(rep[0], 0x40, "another I2C address NACKed");
    }
    {   /* the interrupt bit latches the AUX done interrupt */
        wr32(v, 0x44444, 0);
        wr32(v, 0x4444C, ~0u);
        wr32(v, 0x64314, 0x90000000);
        wr32(v, 0x64310, (1u << 31) | (1u << 29) | (4u << 20));
        is_int(rd32(v, 0x44448) & (1u << 27), 1u << 27, "AUX D done interrupt latched");
    }
    M->hotplug(v, VGT_PORT_D, NULL);
}

static void plane(struct vgt_vgpu *v, struct fake_host *h)
{
    struct vgt_fb fb;
    uint32_t *px = calloc(64 * 32, 4);
    uint64_t gm = 0x08010000;

    is_int(M->read_framebuffer(v, &fb, px, 64 * 16 * 4), -ENOENT, "no plane: no framebuffer");
    /* 64x16 XRGB8888 linear, stride 256 bytes, at GM 0x08010000 -> guest 0x300000.. */
    for (unsigned p = 0; p < 1; p++)
        wr(v, (8u << 20) + (gm / 4096 + p) * 8, 8, (0x300000 + 4096ull * p) | 1);
    for (unsigned i = 0; i < 64 * 16; i++) {
        uint32_t c = 0x00010203 * (i + 1);
        memcpy(h->ram + 0x300000 + 4 * i, &c, 4);
    }
    wr32(v, 0x70188, 256 / 64);
    wr32(v, 0x70190, (15u << 16) | 63);
    wr32(v, 0x7019C, (uint32_t)gm);
    wr32(v, 0x70180, 0x80000000 | (4u << 24));
    {
        struct vgt_display_state d;
        M->get_display(v, &d);
        ok(d.primary.enabled && d.primary.width == 64 && d.primary.height == 16 &&
               d.primary.stride == 256 && d.primary.gm_addr == gm && d.primary.drm_format == 0x34325258,
           "primary plane decoded: 64x16 XR24 stride 256");
    }
    is_int(M->read_framebuffer(v, &fb, px, 64 * 16 * 4), 0, "framebuffer read");
    is_int(px[0], 0x00010203, "first pixel");
    is_int(px[64 * 16 - 1], 0x00010203u * 1024, "last pixel");
    is_int(M->read_framebuffer(v, &fb, px, 100), -ENOSPC, "short buffer refused");

    wr32(v, 0x70180, 0x80000000 | (4u << 24) | (1u << 20));     /* XBGR */
    M->read_framebuffer(v, &fb, px, 64 * 16 * 4);
    is_int(px[0], 0x00030201, "XBGR8888 converted to XRGB8888");
    is_int(fb.drm_format, 0x34324258, "XB24");

    wr32(v, 0x7019C, 0x00010000);           /* the host's GM */
    is_int(M->read_framebuffer(v, &fb, px, 64 * 16 * 4), -EFAULT, "a surface outside the partition is refused");
    wr32(v, 0x7019C, 0x08000000 + (128u << 20) - 4096);    /* 64x32 runs off the end of low GM */
    wr32(v, 0x70190, (31u << 16) | 63);
    is_int(M->read_framebuffer(v, &fb, px, 64 * 32 * 4), -EFAULT, "a surface crossing the end refused");
    wr32(v, 0x70190, (15u << 16) | 63);
    wr32(v, 0x7019C, 0x08020000);           /* no PTEs */
    is_int(M->read_framebuffer(v, &fb, px, 64 * 16 * 4), -EFAULT, "a surface without entries refused");
    wr(v, (8u << 20) + (0x08020000 / 4096) * 8, 8, 0x7FFF000001ull);
    is_int(M->read_framebuffer(v, &fb, px, 64 * 16 * 4), -EFAULT, "an entry outside guest RAM refused");
    ok(stat(v, VGT_STAT_PLANE_REFUSED) >= 4, "plane refusals counted");
    is_int(stat(v, VGT_STAT_GGTT_REFUSED), 1, "the bad entry counted");
    free(px);
}

/* A guest without MSI gets INTx, as a level, unless it disabled INTx. */
static void intx(struct vgt_vgpu *v, struct fake_host *h)
{
    struct vgt_port_state mon = monitor(VGT_PORT_HDMI_C, VGT_PORT_C);
    unsigned msis = h->msis;
    uint32_t master, sde;

    wr32(v, 0x44448, ~0u);
    wr32(v, 0xC4008, ~0u);
    wr32(v, 0x44408, ~0u);
    M->cfg_write(v, 0xAE, 2, 0);        /* MSI off */
    M->cfg_write(v, 0x04, 2, 0x0006);   /* INTx allowed */
    ok(!h->intx, "INTx low");
    M->hotplug(v, VGT_PORT_C, &mon);
    ok(h->intx, "a hotplug raises INTx");
    is_int(cfg(v, 0x06, 2) & 0x08, 0x08, "status shows the interrupt");
    is_int(h->msis, msis, "no MSI");
    irq_handle(v, &master, &sde);
    ok(!h->intx, "the handler lowers it");
    is_int(cfg(v, 0x06, 2) & 0x08, 0, "status clear");
    M->cfg_write(v, 0x04, 2, 0x0406);   /* INTX_DISABLE */
    M->hotplug(v, VGT_PORT_C, NULL);
    ok(!h->intx, "INTX_DISABLE keeps it low");
    M->cfg_write(v, 0x04, 2, 0x0006);
    ok(h->intx, "clearing INTX_DISABLE asserts the pending interrupt");
    M->reset(v);
    ok(!h->intx, "a reset lowers it");
}

static void ready(struct vgt_vgpu *v, struct fake_host *h)
{
    wr32(v, 0x78804, 1);
    ok(h->ready_changes == 1 && h->ready, "display_ready reported to the host");
    wr32(v, 0x78804, 1);
    is_int(h->ready_changes, 1, "once");
    wr32(v, 0x78804, 0);
    ok(h->ready_changes == 2 && !h->ready, "and when it drops");
}

static void vblank(struct vgt_vgpu *v, struct fake_host *h)
{
    unsigned before;
    wr32(v, 0x44448, ~0u);              /* the AUX and hotplug interrupts left pending above */
    wr32(v, 0xC4008, ~0u);
    before = h->msis;
    is_int(M->vblank(v), 0, "no pipe enabled");
    wr32(v, 0x70008, 0x80000000);
    wr32(v, 0x44404, ~1u);
    wr32(v, 0x4440C, 1);
    is_int(M->vblank(v), 1, "pipe A enabled");
    is_int(rd32(v, 0x70040), 1, "frame counter advanced");
    is_int(rd32(v, 0x44408) & 1, 1, "vblank latched in the pipe IIR");
    is_int(h->msis, before + 1, "and delivered");
}

int main(void)
{
    struct fake_host h;
    struct vgt_vgpu *v = test_vgpu(&h);

    hotplug(v, &h);
    gmbus(v);
    dp_aux(v);
    plane(v, &h);
    vblank(v, &h);
    ready(v, &h);
    intx(v, &h);
    test_vgpu_free(v, &h);
    return tap_done();
}
