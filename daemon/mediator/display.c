/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Display: virtual ports and their sinks, hotplug, DDC over GMBUS (HDMI, CRT),
 * DP AUX (native DPCD and I2C-over-AUX for the EDID), the primary plane of pipe
 * A decoded into a framebuffer, and vblanks.
 *
 * A virtual port's type decides where the guest sees its sink: DP_x and HDMI_x
 * on DDI x, CRT on DDI E (analog).  A port with no sink answers quickly: GMBUS
 * NAKs, AUX times out, as hardware does, so i915 neither bit-bangs nor retries.
 */
#include <stdlib.h>
#include <string.h>
#include "daemon/mediator/swmodel.h"

/* ---- ports and sinks ---------------------------------------------------- */

static unsigned type_ddi(enum vgt_port_type t)
{
    switch (t) {
    case VGT_PORT_DP_A: return 0;
    case VGT_PORT_DP_B: case VGT_PORT_HDMI_B: return 1;
    case VGT_PORT_DP_C: case VGT_PORT_HDMI_C: return 2;
    case VGT_PORT_DP_D: case VGT_PORT_HDMI_D: return 3;
    default: return 4;      /* CRT */
    }
}

static bool type_is_dp(enum vgt_port_type t)
{
    return t >= VGT_PORT_DP_A && t <= VGT_PORT_DP_D;
}

/* The connected sink on a DDI (first virtual port wins), DP or DDC kind. */
static const struct vgt_port_state *sink(const struct vgt_vgpu *v, unsigned ddi, bool dp)
{
    for (unsigned i = 0; i < VGT_PORT_MAX; i++) {
        const struct vgt_port_state *p = &v->s->ports[i];
        if (p->connected && type_ddi(p->type) == ddi && type_is_dp(p->type) == dp)
            return p;
    }
    return NULL;
}

static bool ddi_connected(const struct vgt_vgpu *v, unsigned ddi)
{
    return sink(v, ddi, true) || sink(v, ddi, false);
}

/* Live hotplug state (ISR) and the long-pulse status bit of each DDI. */
static const struct {
    enum sw_irq_unit unit;
    uint32_t isr_bit;
    uint32_t status_reg, long_pulse;
} hpd[SW_NR_DDI] = {
    { SW_IRQ_DE_PORT, 1u << 3, R_DIGITAL_PORT_HOTPLUG, 2u << 0 },   /* GEN8_PORT_DP_A_HOTPLUG */
    { SW_IRQ_PCH, 1u << 21, R_PCH_PORT_HOTPLUG, 2u << 0 },          /* SDE_PORTB_HOTPLUG_CPT */
    { SW_IRQ_PCH, 1u << 22, R_PCH_PORT_HOTPLUG, 2u << 8 },
    { SW_IRQ_PCH, 1u << 23, R_PCH_PORT_HOTPLUG, 2u << 16 },
    { SW_IRQ_PCH, 1u << 25, R_PCH_PORT_HOTPLUG2, 2u << 0 },         /* SDE_PORTE_HOTPLUG_SPT */
};

static uint32_t unit_isr(enum sw_irq_unit u)
{
    return u == SW_IRQ_PCH ? R_SDE_ISR : R_DE_PORT_ISR;
}

static void update_isr(struct vgt_vgpu *v)
{
    for (unsigned d = 0; d < SW_NR_DDI; d++) {
        uint32_t isr = unit_isr(hpd[d].unit), val = sw_reg(v, isr) & ~hpd[d].isr_bit;
        sw_reg_set(v, isr, val | (ddi_connected(v, d) ? hpd[d].isr_bit : 0));
    }
}

/* A DP sink's receiver capabilities and a trained link (training always succeeds). */
static void dpcd_init(uint8_t *dpcd)
{
    static const uint8_t caps[] = {
        0x12,   /* DPCD_REV 1.2 */
        0x0A,   /* MAX_LINK_RATE 2.7 Gb/s */
        0x84,   /* MAX_LANE_COUNT 4, enhanced framing */
        0x01,   /* MAX_DOWNSPREAD 0.5% */
        0x01,   /* NORP */
        0x00,   /* no downstream port */
        0x01,   /* 8b/10b */
    };
    memset(dpcd, 0, SW_DPCD_SIZE);
    memcpy(dpcd, caps, sizeof(caps));
    dpcd[0x200] = 0x01;     /* SINK_COUNT */
    dpcd[0x202] = 0x77;     /* lanes 0/1: CR, EQ, symbol lock */
    dpcd[0x203] = 0x77;     /* lanes 2/3 */
    dpcd[0x204] = 0x01;     /* interlane align done */
    dpcd[0x205] = 0x03;     /* sink status: in sync */
    dpcd[0x600] = 0x01;     /* D0 */
}

void sw_display_reset(struct vgt_vgpu *v)
{
    memset(&v->s->gmbus, 0, sizeof(v->s->gmbus));
    memset(v->s->ddc, 0, sizeof(v->s->ddc));
    for (unsigned d = 0; d < SW_NR_DDI; d++)
        dpcd_init(v->s->dpcd[d]);
    update_isr(v);
}

/* A port as a predecessor left it: its bool and enums read as raw bytes (any
 * value), a port with an unknown type or override is gone. */
static void port_resume(struct vgt_port_state *p, uint8_t *typed)
{
    uint8_t conn;
    unsigned type = 0, override = 0;

    _Static_assert(sizeof(p->type) == sizeof(type) && sizeof(p->override) == sizeof(override),
                   "enums are unsigned-sized");
    memcpy(&conn, &p->connected, 1);
    memcpy(&type, &p->type, sizeof(type));
    memcpy(&override, &p->override, sizeof(override));
    if (type >= VGT_PORT_TYPE_MAX || override >= VGT_PORT_MAX) {
        memset(p, 0, sizeof(*p));      /* disconnected, no type */
        *typed = 0;
        return;
    }
    p->connected = conn != 0;
    *typed = *typed != 0;
}

/* A predecessor's display state, taken as hostile: every index clamped, the
 * live hotplug state recomputed from the ports. */
void sw_display_resume(struct vgt_vgpu *v)
{
    struct sw_gmbus *g = &v->s->gmbus;

    for (unsigned i = 0; i < VGT_PORT_MAX; i++)
        port_resume(&v->s->ports[i], &v->s->port_typed[i]);
    g->pin &= 0x1F;
    g->addr &= 0x7F;
    g->nak = g->nak != 0;
    g->read = g->read != 0;
    g->active = g->active != 0 && g->ddi < SW_NR_DDI && g->remaining <= 0x1FF;
    if (!g->active) {
        g->ddi = 0;
        g->remaining = 0;
    }
    for (unsigned d = 0; d < SW_NR_DDI; d++) {
        v->s->ddc[d].offset &= 0xFF;
        v->s->ddc[d].segment &= 0x7F;
    }
    update_isr(v);
}

int sw_hotplug(struct vgt_vgpu *v, enum vgt_port port, const struct vgt_port_state *cfg)
{
    struct vgt_port_state *p;
    unsigned ddis[2], n = 0;

    if ((unsigned)port >= VGT_PORT_MAX)
        return -EINVAL;
    if (cfg && ((unsigned)cfg->type >= VGT_PORT_TYPE_MAX || (unsigned)cfg->override >= VGT_PORT_MAX))
        return -EINVAL;
    p = &v->s->ports[port];
    /* the monitor that is there already: nothing happens (vgtd applies its
     * configuration again to a restarted worker, whose vGPU kept its ports) */
    if (cfg && p->connected && p->type == cfg->type && p->override == cfg->override &&
        !memcmp(p->edid, cfg->edid, VGT_EDID_LEN))
        return 0;
    if (p->connected)
        ddis[n++] = type_ddi(p->type);
    if (cfg) {
        *p = *cfg;
        p->connected = true;
        v->s->port_typed[port] = true;
        ddis[n++] = type_ddi(cfg->type);
    } else {
        p->connected = false;
    }
    update_isr(v);
    for (unsigned i = 0; i < n; i++) {
        unsigned d = ddis[i];
        memset(&v->s->ddc[d], 0, sizeof(v->s->ddc[d]));
        dpcd_init(v->s->dpcd[d]);
        sw_reg_set(v, hpd[d].status_reg, sw_reg(v, hpd[d].status_reg) | hpd[d].long_pulse);
        sw_irq_latch(v, hpd[d].unit, hpd[d].isr_bit);
    }
    sw_log(v, 6, "PORT_%c %s", 'A' + port, cfg ? "connected" : "disconnected");
    return 0;
}

/* ---- DDC (the EDID EEPROM at 0x50, segment pointer at 0x30) ------------- */

#define DDC_EDID 0x50
#define DDC_SEGMENT 0x30

static uint8_t ddc_read_byte(struct vgt_vgpu *v, unsigned ddi, const struct vgt_port_state *s)
{
    struct sw_ddc *c = &v->s->ddc[ddi];
    unsigned idx = c->segment * 256 + c->offset;

    c->offset = (c->offset + 1) & 0xFF;
    return idx < VGT_EDID_LEN ? s->edid[idx] : 0xFF;
}

static void ddc_write_byte(struct vgt_vgpu *v, unsigned ddi, unsigned addr, bool first, uint8_t b)
{
    if (addr == DDC_SEGMENT)
        v->s->ddc[ddi].segment = b & 0x7F;
    else if (addr == DDC_EDID && first)
        v->s->ddc[ddi].offset = b;
}

/* ---- GMBUS ------------------------------------------------------------- */

#define GMBUS1 (R_GMBUS0 + 4)
#define GMBUS2 (R_GMBUS0 + 8)
#define GMBUS3 (R_GMBUS0 + 12)
#define GMBUS_SW_CLR_INT (1u << 31)
#define GMBUS_SW_RDY (1u << 30)
#define GMBUS_CYCLE_INDEX (2u << 25)
#define GMBUS_CYCLE_STOP (4u << 25)
#define GMBUS_HW_WAIT_PHASE (1u << 14)
#define GMBUS_HW_RDY (1u << 11)
#define GMBUS_SATOER (1u << 10)
#define GMBUS_ACTIVE (1u << 9)

static unsigned pin_ddi(unsigned pin)
{
    switch (pin) {
    case 5: return 1;   /* GMBUS_PIN_DPB */
    case 4: return 2;   /* GMBUS_PIN_DPC */
    case 6: return 3;   /* GMBUS_PIN_DPD */
    case 2: return 4;   /* GMBUS_PIN_VGADDC */
    default: return SW_NR_DDI;
    }
}

static const struct vgt_port_state *gmbus_sink(struct vgt_vgpu *v)
{
    unsigned ddi = pin_ddi(v->s->gmbus.pin);
    return ddi < SW_NR_DDI ? sink(v, ddi, false) : NULL;
}

uint32_t sw_gmbus_read(struct vgt_vgpu *v, uint32_t off, uint32_t cur)
{
    struct sw_gmbus *g = &v->s->gmbus;

    if (off == GMBUS2) {
        uint32_t st = 0;
        if (g->nak)
            st |= GMBUS_SATOER;
        if (g->active)
            st |= GMBUS_ACTIVE | (g->remaining ? GMBUS_HW_RDY : GMBUS_HW_WAIT_PHASE);
        return st;
    }
    if (off == GMBUS3 && g->active && g->read && g->remaining) {
        const struct vgt_port_state *s = gmbus_sink(v);
        uint32_t val = 0;
        for (unsigned i = 0; i < 4 && g->remaining; i++, g->remaining--)
            val |= (uint32_t)(s ? ddc_read_byte(v, g->ddi, s) : 0xFF) << (8 * i);
        return val;
    }
    return cur;
}

static void gmbus_take_bytes(struct vgt_vgpu *v, uint32_t data, bool first)
{
    struct sw_gmbus *g = &v->s->gmbus;

    for (unsigned i = 0; i < 4 && g->remaining; i++, g->remaining--, first = false)
        ddc_write_byte(v, g->ddi, g->addr, first, (uint8_t)(data >> (8 * i)));
}

void sw_gmbus_write(struct vgt_vgpu *v, uint32_t off, uint32_t val)
{
    struct sw_gmbus *g = &v->s->gmbus;

    if (off == R_GMBUS0) {
        g->pin = val & 0x1F;
        return;
    }
    if (off == GMBUS3) {
        if (g->active && !g->read && g->remaining)
            gmbus_take_bytes(v, val, false);
        return;
    }
    if (off != GMBUS1)
        return;
    if (val & GMBUS_SW_CLR_INT) {       /* resets the controller, clears a NAK */
        g->active = g->nak = false;
        g->remaining = 0;
        return;
    }
    if (!(val & GMBUS_SW_RDY))
        return;
    {
        unsigned count = (val >> 16) & 0x1FF, addr = (val >> 1) & 0x7F;
        const struct vgt_port_state *s;

        if (count == 0 && (val & GMBUS_CYCLE_STOP)) {   /* STOP: back to idle */
            g->active = false;
            g->remaining = 0;
            return;
        }
        s = gmbus_sink(v);
        if (!s || (addr != DDC_EDID && addr != DDC_SEGMENT) || (addr == DDC_SEGMENT && (val & 1))) {
            g->active = false;          /* no device answers: NAK at once */
            g->nak = true;
            g->remaining = 0;
            return;
        }
        g->active = true;
        g->nak = false;
        g->addr = addr;
        g->ddi = pin_ddi(g->pin);
        g->read = val & 1;
        g->remaining = count;
        if ((val & GMBUS_CYCLE_INDEX) && addr == DDC_EDID)
            v->s->ddc[g->ddi].offset = (val >> 8) & 0xFF;
        if (!g->read)                   /* the first bytes were put in GMBUS3 before */
            gmbus_take_bytes(v, sw_reg(v, GMBUS3), true);
        if ((val & GMBUS_CYCLE_STOP) && !g->remaining)
            g->active = false;
    }
}

/* ---- DP AUX ------------------------------------------------------------ */

#define AUX_SEND_BUSY (1u << 31)
#define AUX_DONE (1u << 30)
#define AUX_INTERRUPT (1u << 29)
#define AUX_TIMEOUT (1u << 28)
#define AUX_SIZE_SHIFT 20
#define AUX_SIZE_MASK (0x1Fu << AUX_SIZE_SHIFT)
#define AUX_REPLY_NATIVE_NACK 0x10
#define AUX_REPLY_I2C_NACK 0x40
#define AUX_MAX 20

static const uint32_t aux_irq_bit[4] = { 1u << 0, 1u << 25, 1u << 26, 1u << 27 };

static bool dpcd_writable(uint32_t a)
{
    return (a >= 0x100 && a < 0x200) || (a >= 0x600 && a < 0x700);
}

/* One request -> reply; returns the reply length. */
static unsigned aux_transfer(struct vgt_vgpu *v, unsigned ddi, const struct vgt_port_state *s,
                             const uint8_t *req, unsigned size, uint8_t *rep)
{
    unsigned cmd = req[0] >> 4, len = size > 3 ? req[3] + 1u : 0;
    uint32_t addr = ((uint32_t)(req[0] & 0xF) << 16) | (uint32_t)req[1] << 8 | req[2];

    rep[0] = 0;                                 /* ACK */
    if (cmd & 0x8) {                            /* native */
        if (len == 0 || len > 16)
            return rep[0] = AUX_REPLY_NATIVE_NACK, 1;
        if (cmd == 0x9) {
            for (unsigned i = 0; i < len; i++)
                rep[1 + i] = addr + i < SW_DPCD_SIZE ? v->s->dpcd[ddi][addr + i] : 0;
            return 1 + len;
        }
        if (cmd == 0x8 && size >= 4 + len) {
            for (unsigned i = 0; i < len; i++)
                if (dpcd_writable(addr + i))
                    v->s->dpcd[ddi][addr + i] = req[4 + i];
            return 1;
        }
        return rep[0] = AUX_REPLY_NATIVE_NACK, 1;
    }
    /* I2C over AUX: the EDID EEPROM and the segment pointer */
    if (addr != DDC_EDID && addr != DDC_SEGMENT)
        return rep[0] = AUX_REPLY_I2C_NACK, 1;
    switch (cmd & 0x3) {
    case 0x1:                                   /* read */
        if (addr != DDC_EDID || len > 16)
            return rep[0] = AUX_REPLY_I2C_NACK, 1;
        for (unsigned i = 0; i < len; i++)
            rep[1 + i] = ddc_read_byte(v, ddi, s);
        return 1 + len;
    case 0x0:                                   /* write */
        for (unsigned i = 0; i < len && 4 + i < size; i++)
            ddc_write_byte(v, ddi, addr, i == 0, req[4 + i]);
        return 1;
    default:                                    /* write status update, address only */
        return 1;
    }
}

void sw_aux_write(struct vgt_vgpu *v, uint32_t off)
{
    unsigned ddi = (off - R_AUX_CTL_A) / 0x100;
    uint32_t ctl = sw_reg(v, off);
    unsigned size = (ctl & AUX_SIZE_MASK) >> AUX_SIZE_SHIFT, n = 0;
    const struct vgt_port_state *s = ddi < 4 ? sink(v, ddi, true) : NULL;
    uint8_t req[AUX_MAX] = { 0 }, rep[AUX_MAX] = { 0 };

    for (unsigned i = 0; i < AUX_MAX; i++)
        req[i] = (uint8_t)(sw_reg(v, off + 4 + 4 * (i / 4)) >> (24 - 8 * (i % 4)));
    ctl &= ~(AUX_SEND_BUSY | AUX_SIZE_MASK);
    if (!s || size < 3 || size > AUX_MAX) {
        ctl |= AUX_DONE | AUX_TIMEOUT;          /* no sink: time out, as hardware does */
    } else {
        n = aux_transfer(v, ddi, s, req, size, rep);
        for (unsigned k = 0; k < 5; k++)
            sw_reg_set(v, off + 4 + 4 * k, (uint32_t)rep[4 * k] << 24 | (uint32_t)rep[4 * k + 1] << 16 |
                                               (uint32_t)rep[4 * k + 2] << 8 | rep[4 * k + 3]);
        ctl |= AUX_DONE | (n << AUX_SIZE_SHIFT);
    }
    sw_reg_set(v, off, ctl);
    if (ctl & AUX_INTERRUPT)
        sw_irq_latch(v, SW_IRQ_DE_PORT, aux_irq_bit[ddi & 3]);
}

/* ---- primary plane, framebuffer --------------------------------------- */

#define FOURCC(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define FMT_XRGB8888 FOURCC('X', 'R', '2', '4')
#define FMT_ARGB8888 FOURCC('A', 'R', '2', '4')
#define FMT_XBGR8888 FOURCC('X', 'B', '2', '4')
#define FMT_ABGR8888 FOURCC('A', 'B', '2', '4')
#define FMT_XRGB2101010 FOURCC('X', 'R', '3', '0')
#define FMT_XBGR2101010 FOURCC('X', 'B', '3', '0')
#define FMT_RGB565 FOURCC('R', 'G', '1', '6')

/* Gen8 (DSPCNTR): format in bits 29:26, X tiling in bit 10, stride in bytes, size
 * from the pipe source. */
static void decode_primary_gen8(struct vgt_vgpu *v, struct vgt_fb *fb)
{
    uint32_t ctl = sw_reg(v, R_PLANE_CTL_1_A), src = sw_reg(v, R_PIPESRC_A);

    switch ((ctl >> 26) & 0xF) {
    case 0x5: fb->drm_format = FMT_RGB565; break;
    case 0x6: fb->drm_format = FMT_XRGB8888; break;
    case 0x7: fb->drm_format = FMT_ARGB8888; break;
    case 0x8: fb->drm_format = FMT_XBGR2101010; break;
    case 0xA: fb->drm_format = FMT_XRGB2101010; break;
    case 0xE: fb->drm_format = FMT_XBGR8888; break;
    case 0xF: fb->drm_format = FMT_ABGR8888; break;
    default: fb->drm_format = 0; break;
    }
    fb->tiling = (ctl & (1u << 10)) ? VGT_FB_X_TILED : VGT_FB_LINEAR;
    fb->enabled = (ctl & (1u << 31)) && fb->drm_format;
    fb->gm_addr = sw_reg(v, R_PLANE_SURF_1_A) & 0xFFFFF000u;
    fb->width = ((src >> 16) & 0x1FFF) + 1;
    fb->height = (src & 0x1FFF) + 1;
    fb->stride = sw_reg(v, R_PLANE_STRIDE_1_A) & 0x7FFC0;
    fb->x_offset = sw_reg(v, R_PLANE_OFFSET_1_A) & 0x1FFF;
    fb->y_offset = (sw_reg(v, R_PLANE_OFFSET_1_A) >> 16) & 0x1FFF;
}

void sw_decode_primary(struct vgt_vgpu *v, struct vgt_fb *fb)
{
    uint32_t ctl = sw_reg(v, R_PLANE_CTL_1_A), size = sw_reg(v, R_PLANE_SIZE_1_A);
    bool rgbx = ctl & (1u << 20), alpha = ctl & (3u << 4);
    unsigned tiling = (ctl >> 10) & 7, unit;

    memset(fb, 0, sizeof(*fb));
    if (v->p.profile->gen == 8) {
        decode_primary_gen8(v, fb);
        return;
    }
    switch ((ctl >> 24) & 0xF) {
    case 4:
        fb->drm_format = rgbx ? (alpha ? FMT_ABGR8888 : FMT_XBGR8888)
                              : (alpha ? FMT_ARGB8888 : FMT_XRGB8888);
        break;
    case 2:
        fb->drm_format = rgbx ? FMT_XBGR2101010 : FMT_XRGB2101010;
        break;
    case 14:
        fb->drm_format = FMT_RGB565;
        break;
    default:
        fb->drm_format = 0;
        break;
    }
    switch (tiling) {
    case 0: fb->tiling = VGT_FB_LINEAR; unit = 64; break;
    case 1: fb->tiling = VGT_FB_X_TILED; unit = 512; break;
    case 4: case 5: fb->tiling = VGT_FB_Y_TILED; unit = 128; break;
    default: fb->tiling = VGT_FB_LINEAR; unit = 64; fb->drm_format = 0; break;
    }
    fb->enabled = (ctl & (1u << 31)) && fb->drm_format;
    fb->gm_addr = sw_reg(v, R_PLANE_SURF_1_A) & 0xFFFFF000u;
    fb->width = (size & 0x1FFF) + 1;
    fb->height = ((size >> 16) & 0x1FFF) + 1;
    fb->stride = (sw_reg(v, R_PLANE_STRIDE_1_A) & 0x7FF) * unit;
    fb->x_offset = sw_reg(v, R_PLANE_OFFSET_1_A) & 0x1FFF;
    fb->y_offset = (sw_reg(v, R_PLANE_OFFSET_1_A) >> 16) & 0x1FFF;
}

static unsigned fmt_cpp(uint32_t f)
{
    return f == FMT_RGB565 ? 2 : 4;
}

/* Byte offset of (x byte, y) in the surface, and how many bytes follow contiguously. */
static uint64_t surf_offset(const struct vgt_fb *fb, uint64_t xb, uint64_t y, unsigned *span)
{
    switch (fb->tiling) {
    case VGT_FB_X_TILED:    /* 512 B x 8 rows per 4 KiB tile */
        *span = 512 - (unsigned)(xb % 512);
        return (y / 8 * (fb->stride / 512) + xb / 512) * 4096 + y % 8 * 512 + xb % 512;
    case VGT_FB_Y_TILED:    /* 128 B x 32 rows, in 16-byte columns */
        *span = 16 - (unsigned)(xb % 16);
        return (y / 32 * (fb->stride / 128) + xb / 128) * 4096 + xb % 128 / 16 * 512 +
               y % 32 * 16 + xb % 16;
    default:
        *span = 4096;
        return y * fb->stride + xb;
    }
}

static void to_xrgb(uint32_t fmt, const uint8_t *src, uint8_t *dst, unsigned w)
{
    for (unsigned x = 0; x < w; x++) {
        uint32_t p;
        if (fmt == FMT_RGB565) {
            uint32_t q = src[2 * x] | (uint32_t)src[2 * x + 1] << 8;
            uint32_t r = (q >> 11) & 0x1F, g = (q >> 5) & 0x3F, b = q & 0x1F;
            p = (r << 3 | r >> 2) << 16 | (g << 2 | g >> 4) << 8 | (b << 3 | b >> 2);
            memcpy(dst + 4 * x, &p, 4);
            continue;
        }
        memcpy(&p, src + 4 * x, 4);
        switch (fmt) {
        case FMT_XBGR8888: case FMT_ABGR8888:
            p = (p & 0xFF00FF00u) | (p & 0xFF) << 16 | ((p >> 16) & 0xFF);
            break;
        case FMT_XRGB2101010:
            p = ((p >> 22) & 0xFF) << 16 | ((p >> 12) & 0xFF) << 8 | ((p >> 2) & 0xFF);
            break;
        case FMT_XBGR2101010:
            p = ((p >> 2) & 0xFF) << 16 | ((p >> 12) & 0xFF) << 8 | ((p >> 22) & 0xFF);
            break;
        default:
            break;
        }
        memcpy(dst + 4 * x, &p, 4);
    }
}

int sw_read_framebuffer(struct vgt_vgpu *v, struct vgt_fb *fb, void *buf, size_t len)
{
    unsigned cpp, rowb, tile_rows;
    uint64_t last;
    uint8_t *row;
    int r = 0;

    sw_decode_primary(v, fb);
    if (!fb->enabled)
        return -ENOENT;
    cpp = fmt_cpp(fb->drm_format);
    rowb = fb->width * cpp;
    if (!buf || len < (size_t)fb->width * fb->height * 4)
        return -ENOSPC;
    /* The whole surface the plane can scan must be the guest's own. */
    if (fb->stride == 0 || (uint64_t)(fb->x_offset + fb->width) * cpp > fb->stride) {
        sw_refuse(v, VGT_STAT_PLANE_REFUSED, "plane stride %u too small for width %u", fb->stride,
                  fb->width);
        return -EINVAL;
    }
    tile_rows = fb->tiling == VGT_FB_Y_TILED ? 32 : fb->tiling == VGT_FB_X_TILED ? 8 : 1;
    last = (uint64_t)(fb->y_offset + fb->height + tile_rows - 1) / tile_rows * tile_rows * fb->stride;
    if (!sw_gm_in_partition(v, fb->gm_addr, last)) {
        sw_refuse(v, VGT_STAT_PLANE_REFUSED, "plane surface 0x%llx+0x%llx outside the partition",
                  (unsigned long long)fb->gm_addr, (unsigned long long)last);
        return -EFAULT;
    }
    row = malloc(rowb);
    if (!row)
        return -ENOMEM;
    for (unsigned y = 0; y < fb->height && !r; y++) {
        for (unsigned xb = 0; xb < rowb && !r;) {
            unsigned span, n;
            uint64_t gm = fb->gm_addr + surf_offset(fb, (uint64_t)fb->x_offset * cpp + xb,
                                                    fb->y_offset + y, &span);
            n = (unsigned)(4096 - (gm & 4095));
            if (n > span) n = span;
            if (n > rowb - xb) n = rowb - xb;
            r = sw_gm_rw(v, gm, row + xb, n, false);
            if (r < 0) {
                sw_refuse(v, VGT_STAT_PLANE_REFUSED, "plane page at GM 0x%llx refused",
                          (unsigned long long)gm);
                r = -EFAULT;
            }
            xb += n;
        }
        if (!r)
            to_xrgb(fb->drm_format, row, (uint8_t *)buf + (size_t)y * fb->width * 4, fb->width);
    }
    free(row);
    return r;
}

void sw_get_display(struct vgt_vgpu *v, struct vgt_display_state *out)
{
    memset(out, 0, sizeof(*out));
    out->display_ready = sw_reg(v, R_PVINFO + 0x804) != 0;
    memcpy(out->ports, v->s->ports, sizeof(out->ports));
    sw_decode_primary(v, &out->primary);
}

int sw_vblank(struct vgt_vgpu *v)
{
    int n = 0;

    for (unsigned p = 0; p < 3; p++) {
        if (!(sw_reg(v, R_PIPECONF_A + 0x1000 * p) & (1u << 31)))
            continue;
        sw_reg_set(v, R_PIPE_FRMCOUNT_A + 0x1000 * p, sw_reg(v, R_PIPE_FRMCOUNT_A + 0x1000 * p) + 1);
        sw_irq_latch(v, (enum sw_irq_unit)(SW_IRQ_PIPE_A + p), 1u << 0);   /* GEN8_PIPE_VBLANK */
        n++;
    }
    return n;
}

/* The OpRegion describes the ports given a type so far (one per DDI: the first
 * virtual port wins), or DP on B, C and D when none was: a guest must see
 * connectors to notice a monitor hotplugged later. */
int sw_opregion(struct vgt_vgpu *v, void *buf, size_t len)
{
    enum vgt_port_type types[VGT_PORT_MAX];
    bool ddi_used[SW_NR_DDI] = { false };
    unsigned n = 0;
    int r;

    for (unsigned i = 0; i < VGT_PORT_MAX; i++) {
        unsigned d;
        if (!v->s->port_typed[i])
            continue;
        d = type_ddi(v->s->ports[i].type);
        if (ddi_used[d])
            continue;
        ddi_used[d] = true;
        types[n++] = v->s->ports[i].type;
    }
    if (n == 0) {
        types[n++] = VGT_PORT_DP_B;
        types[n++] = VGT_PORT_DP_C;
        types[n++] = VGT_PORT_DP_D;
    }
    r = vgt_opregion_build(types, n, v->p.profile->device_id, buf, len);
    return r < 0 ? r : 0;
}
