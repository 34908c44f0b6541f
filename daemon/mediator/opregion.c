/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtual OpRegion: 8 KiB the guest i915 maps at the address hvmloader wrote to
 * ASLS (config 0xFC).  It carries a VBT (Video BIOS Table, mailbox #4 at +0x400)
 * describing the ports the vGPU really has, so that i915 stops assuming an eDP
 * panel on port A and knows each port's AUX channel and DDC pin.
 *
 * Layouts follow Linux's intel_opregion.c and intel_vbt_defs.h (OpRegion header,
 * VBT header, BDB header, block 2 "general definitions" with child devices of
 * the 38-byte size of BDB versions 196..215).  Written byte by byte: no packed
 * structs, the same result on any host.
 */
#include <string.h>
#include "daemon/mediator/swmodel.h"

#define OPREGION_VBT_OFFSET 0x400
#define VBT_HEADER_SIZE 48
#define BDB_HEADER_SIZE 22
#define BDB_VERSION 198                 /* a Skylake-era VBT */
#define CHILD_SIZE 38                   /* what i915 expects for versions 196..215 */
#define BDB_GENERAL_DEFINITIONS 2

#define DEVICE_TYPE_DP_DUAL_MODE 0x60D6 /* DP and HDMI/DVI on one port */
#define DEVICE_TYPE_DP 0x68C6

/* Per DDI: the DVO port codes (DP, HDMI), AUX channel code and GMBUS pin. */
static const struct {
    uint8_t dvo_dp, aux, ddc;
} ddi_vbt[4] = {
    { 10, 0x40, 0 },    /* A: DVO_PORT_DPA, DP_AUX_A, no DDC */
    { 7, 0x10, 5 },     /* B: DVO_PORT_DPB, DP_AUX_B, GMBUS_PIN_DPB */
    { 8, 0x20, 4 },     /* C: DVO_PORT_DPC, DP_AUX_C, GMBUS_PIN_DPC */
    { 9, 0x30, 6 },     /* D: DVO_PORT_DPD, DP_AUX_D, GMBUS_PIN_DPD */
};

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v & 0xFFFF);
    put16(p + 2, v >> 16);
}

/* One child device: an external DP++ port (or plain DP on DDI A). */
static void child(uint8_t *c, unsigned handle, unsigned ddi)
{
    put16(c + 0, handle);
    put16(c + 2, ddi == 0 ? DEVICE_TYPE_DP : DEVICE_TYPE_DP_DUAL_MODE);
    c[16] = ddi_vbt[ddi].dvo_dp;        /* dvo_port */
    c[19] = ddi_vbt[ddi].ddc;           /* ddc_pin */
    c[24] = ddi == 0 ? 0x02 : 0x07;     /* hdmi_support | dp_support | tmds_support */
    c[25] = ddi_vbt[ddi].aux;           /* aux_channel */
}

/* Ports B, C and D always (a monitor can be plugged in later); DDI A only while a
 * DP_A sink is connected, never as an internal panel. */
static unsigned vbt_build(const struct vgt_vgpu *v, uint8_t *vbt, size_t room)
{
    uint8_t *bdb = vbt + VBT_HEADER_SIZE, *blk = bdb + BDB_HEADER_SIZE;
    unsigned n = 0, blk_size, bdb_size, vbt_size, sum = 0;
    bool port_a = false;

    for (unsigned i = 0; i < VGT_PORT_MAX; i++)
        if (v->ports[i].connected && v->ports[i].type == VGT_PORT_DP_A)
            port_a = true;
    blk[0] = BDB_GENERAL_DEFINITIONS;
    blk[3] = 0;                         /* crt_ddc_gmbus_pin: no CRT */
    blk[7] = CHILD_SIZE;                /* child_dev_size */
    for (unsigned ddi = port_a ? 0 : 1; ddi < 4; ddi++, n++)
        child(blk + 8 + n * CHILD_SIZE, 0x100 + ddi, ddi);
    blk_size = 5 + n * CHILD_SIZE;
    put16(blk + 1, blk_size);
    bdb_size = BDB_HEADER_SIZE + 3 + blk_size;
    vbt_size = VBT_HEADER_SIZE + bdb_size;
    if (vbt_size > room)
        return 0;

    memcpy(bdb, "BIOS_DATA_BLOCK ", 16);
    put16(bdb + 16, BDB_VERSION);
    put16(bdb + 18, BDB_HEADER_SIZE);
    put16(bdb + 20, bdb_size);

    memcpy(vbt, "$VBT SKYLAKE        ", 20);
    put16(vbt + 20, 100);               /* VBT header version */
    put16(vbt + 22, VBT_HEADER_SIZE);
    put16(vbt + 24, vbt_size);
    put32(vbt + 28, VBT_HEADER_SIZE);   /* bdb_offset */
    for (unsigned i = 0; i < vbt_size; i++)
        sum += vbt[i];
    vbt[26] = (uint8_t)(0x100 - (sum & 0xFF));  /* all bytes sum to 0 */
    return vbt_size;
}

int sw_opregion(struct vgt_vgpu *v, void *buf, size_t len)
{
    uint8_t *o = buf;

    if (!buf || len < VGT_OPREGION_SIZE)
        return -ENOSPC;
    memset(o, 0, VGT_OPREGION_SIZE);
    memcpy(o, "IntelGraphicsMem", 16);
    put32(o + 16, VGT_OPREGION_SIZE / 1024);    /* size in KiB */
    o[23] = 2;                                  /* version 2.0 */
    memcpy(o + 24, "xen-vgt", 7);               /* bios_ver */
    /* mboxes: none besides the VBT, which i915 reads at +0x400 regardless; no
     * ACPI, SWSCI or ASLE mailbox, so the guest expects no firmware behind them. */
    put32(o + 88, 1u << 3);
    if (!vbt_build(v, o + OPREGION_VBT_OFFSET, VGT_OPREGION_SIZE - OPREGION_VBT_OFFSET))
        return -ENOSPC;
    return 0;
}
