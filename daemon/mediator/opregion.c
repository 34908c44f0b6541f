/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Virtual ACPI OpRegion and VBT (see opregion.h).
 *
 * Layouts follow the IGD OpRegion spec and the guest driver that reads them:
 * Linux i915's intel_opregion.c (header, mailboxes), intel_vbt_defs.h (VBT,
 * BDB, child device config) and intel_bios.c (what makes a VBT valid and how
 * a child device becomes a port).  Every field is written byte by byte in
 * little endian at a named offset: no packed structs, no bitfields.  Fields
 * not written are zero, which i915 reads as "absent" or "default".
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include "daemon/mediator/opregion.h"

/* ---- OpRegion header (offset 0, 256 bytes) ------------------------------ */

#define OPR_SIGNATURE "IntelGraphicsMem"   /* 16 bytes, no NUL: memcmp'd by i915 */
#define OPR_SIZE_KB 0x10                   /* u32: OpRegion size in KiB */
#define OPR_VERSION 0x14                   /* u32: rsvd, revision, minor, major */
#define OPR_MBOXES 0x58                    /* u32: mailboxes present */
#define OPR_ACPI_CLID 0x1AC                /* mailbox 1: current lid state */

/*
 * Version 2.0, as GVT's virtual OpRegion: i915 reads the RVDA/RVDS VBT pointer
 * only from an ASLE mailbox and the "headless SKU" bit (which would disable
 * the display) only from 2.3 on.  Only mailbox 4 is offered, so i915 sets up
 * no ACPI, SWSCI or ASLE service on it and reads nothing but the VBT.
 */
#define OPR_MAJOR 2
#define MBOX_VBT (1u << 3) /* mailbox 4 (i915 probes it without looking at this bit) */

/* ---- VBT header (at mailbox 4) and BDB header ---------------------------- */

#define VBT_HEADER_SIZE 48
#define VBT_SIGNATURE 0      /* u8[20]: "$VBT" checked by intel_bios_is_valid_vbt */
#define VBT_VERSION 20       /* u16 */
#define VBT_HEADER_LEN 22    /* u16 */
#define VBT_SIZE 24          /* u16: VBT header + BDB; must fit the mailbox */
#define VBT_CHECKSUM 26      /* u8: makes the byte sum of the VBT zero */
#define VBT_BDB_OFFSET 28    /* u32: BDB header from the VBT start */

#define BDB_HEADER_SIZE 22
#define BDB_SIGNATURE 0      /* u8[16] "BIOS_DATA_BLOCK " (not checked by i915) */
#define BDB_VERSION 16       /* u16 */
#define BDB_HEADER_LEN 18    /* u16: where the first block starts */
#define BDB_SIZE 20          /* u16: BDB header + blocks; blocks must lie inside */

/*
 * BDB version 194: at least 155 (DDI child devices; older i915 skips them
 * below), below 195 so that the child device config is the 33-byte legacy one
 * every i915 expects for it ("Unexpected child device config size" otherwise),
 * and the version that brought DEVICE_HANDLE_EFP4.  A Skylake-era version: no
 * field this VBT leaves at zero means something unusual at it.
 */
#define BDB_VERSION_USED 194
#define CHILD_SIZE 33        /* LEGACY_CHILD_DEVICE_CONFIG_SIZE */

/* Block ids (enum bdb_block_id); no LVDS options/LFP data/eDP/PSR block. */
#define BDB_GENERAL_FEATURES 1
#define BDB_GENERAL_DEFINITIONS 2
#define BDB_DRIVER_FEATURES 12

/* Block 1: general features (5 bytes up to BDB 241). */
#define GF_SIZE 5
#define GF_BITS5 4           /* bit 0 int_crt_support, bit 1 int_tv_support */

/* Block 2: general definitions, then child_dev_size-byte child devices. */
#define GD_SIZE 5
#define GD_CRT_DDC_PIN 0     /* u8: GMBUS pin of the analog DDC */
#define GD_CHILD_DEV_SIZE 4  /* u8 */

/* Block 12: driver features (19 bytes); lvds_config (bits 11-12 of the u16 at
 * offset 7) = 0 = BDB_DRIVER_FEATURE_NO_LVDS: i915 clears int_lvds_support. */
#define DF_SIZE 19

/* Child device config (struct child_device_config, legacy 33 bytes). */
#define CH_HANDLE 0          /* u16 */
#define CH_DEVICE_TYPE 2     /* u16: what i915 derives the port's kinds from */
#define CH_DVO_PORT 16       /* u8: which DDI (dvo_port_to_port) */
#define CH_DDC_PIN 19        /* u8: GMBUS pin for HDMI/DVI/CRT DDC */
#define CH_COMPAT 24         /* u8: bit 0 hdmi, bit 1 dp, bit 2 tmds (BDB 158+) */
#define CH_AUX_CHANNEL 25    /* u8: DP AUX channel */
#define CH_CAPS 27           /* u8: bit 5 integrated_encoder */

/* Device type bits: i915 tests DISPLAYPORT_OUTPUT (DP), TMDS_DVI_SIGNALING
 * without NOT_HDMI_OUTPUT (HDMI), ANALOG_OUTPUT (CRT) and, for eDP, DP with
 * INTERNAL_CONNECTOR, which no type here has. */
#define DEVICE_TYPE_DP 0x68C6       /* DP only: NOT_HDMI, no TMDS */
#define DEVICE_TYPE_HDMI 0x60D2     /* TMDS, HDMI allowed, no DP */
#define DEVICE_TYPE_CRT 0x6001      /* DEVICE_TYPE_CRT_DPMS: analog */
#define DEVICE_TYPE_INTERNAL_CONNECTOR (1u << 12)

#define COMPAT_HDMI (1u << 0)
#define COMPAT_DP (1u << 1)
#define COMPAT_TMDS (1u << 2)
#define CAPS_INTEGRATED_ENCODER (1u << 5)

#define DEVICE_HANDLE_CRT 0x0001
static const uint16_t efp_handles[] = { 0x0004, 0x0040, 0x0020, 0x0010 }; /* EFP1..4 */

/* What each port type becomes in the VBT.  dvo_port, aux channel and DDC pin
 * values are those i915 maps back to the same port on gen8/9 with an LPT/SPT
 * PCH (on those, the VBT's DDC pin is the GMBUS pin itself). */
static const struct child_desc {
    uint16_t device_type;
    uint8_t dvo_port, aux_channel, ddc_pin, compat;
} child_descs[VGT_PORT_TYPE_MAX] = {
    /*                  device type     dvo_port  aux   ddc   compat */
    [VGT_PORT_CRT]    = { DEVICE_TYPE_CRT, 6 /* CRT */, 0, 2 /* VGADDC */, 0 },
    [VGT_PORT_DP_A]   = { DEVICE_TYPE_DP, 10 /* DPA */, 0x40, 0, COMPAT_DP },
    [VGT_PORT_DP_B]   = { DEVICE_TYPE_DP, 7 /* DPB */, 0x10, 0, COMPAT_DP },
    [VGT_PORT_DP_C]   = { DEVICE_TYPE_DP, 8 /* DPC */, 0x20, 0, COMPAT_DP },
    [VGT_PORT_DP_D]   = { DEVICE_TYPE_DP, 9 /* DPD */, 0x30, 0, COMPAT_DP },
    [VGT_PORT_HDMI_B] = { DEVICE_TYPE_HDMI, 1 /* HDMIB */, 0, 5 /* DPB */, COMPAT_HDMI | COMPAT_TMDS },
    [VGT_PORT_HDMI_C] = { DEVICE_TYPE_HDMI, 2 /* HDMIC */, 0, 4 /* DPC */, COMPAT_HDMI | COMPAT_TMDS },
    [VGT_PORT_HDMI_D] = { DEVICE_TYPE_HDMI, 3 /* HDMID */, 0, 6 /* DPD */, COMPAT_HDMI | COMPAT_TMDS },
};

#define GMBUS_PIN_VGADDC 2

/* Largest VBT: every port described.  It must fit mailbox 4, so the RVDA
 * pointer of OpRegion 2.0+ (for VBTs larger than the mailbox) is never needed. */
#define VBT_MAX_SIZE (VBT_HEADER_SIZE + BDB_HEADER_SIZE + 3 + GF_SIZE + 3 + GD_SIZE + \
                      VGT_PORT_MAX * CHILD_SIZE + 3 + DF_SIZE)
_Static_assert(VBT_MAX_SIZE <= VGT_OPREGION_VBT_MAX, "VBT must fit mailbox 4");
_Static_assert(VGT_OPREGION_VBT_OFFSET + VGT_OPREGION_VBT_MAX <= VGT_OPREGION_SIZE,
               "mailbox 4 inside the OpRegion");

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = v & 0xFF;
    p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v & 0xFFFF);
    put16(p + 2, v >> 16);
}

/* The platform name for the VBT signature ("$VBT SKYLAKE" as real VBTs have). */
static const char *platform_name(uint16_t device_id)
{
    switch (device_id >> 8) {
    case 0x16: return "BROADWELL";
    case 0x19: return "SKYLAKE";
    case 0x59: return "KABYLAKE";
    default: return NULL;
    }
}

/* Start a BDB block at p: id and data size; returns its data. */
static uint8_t *block(uint8_t *p, uint8_t id, uint16_t size)
{
    p[0] = id;
    put16(p + 1, size);
    return p + 3;
}

static void put_child(uint8_t *c, enum vgt_port_type t, uint16_t handle)
{
    const struct child_desc *d = &child_descs[t];

    put16(c + CH_HANDLE, handle);
    put16(c + CH_DEVICE_TYPE, d->device_type);
    c[CH_DVO_PORT] = d->dvo_port;
    c[CH_DDC_PIN] = d->ddc_pin;
    c[CH_COMPAT] = d->compat;
    c[CH_AUX_CHANNEL] = d->aux_channel;
    /* A DDI's own encoder, as GVT's virtual VBT and real VBTs say; the PCH DAC
     * behind a CRT is not one. */
    if (t != VGT_PORT_CRT)
        c[CH_CAPS] = CAPS_INTEGRATED_ENCODER;
}

/* Write the VBT at v; returns its size. */
static size_t build_vbt(uint8_t *v, const enum vgt_port_type by_port[VGT_PORT_MAX],
                        unsigned n, const char *platform)
{
    uint8_t *bdb = v + VBT_HEADER_SIZE, *p = bdb + BDB_HEADER_SIZE, *d;
    bool crt = by_port[VGT_PORT_E] == VGT_PORT_CRT;
    unsigned efp = 0;

    /* Blocks in id order, as real VBTs have them. */
    d = block(p, BDB_GENERAL_FEATURES, GF_SIZE);
    /* No TV encoder; an analog output exactly when a CRT port exists (i915
     * trusts int_crt_support on DDI platforms from BDB 155). */
    d[GF_BITS5] = crt ? 1 : 0;
    p = d + GF_SIZE;

    d = block(p, BDB_GENERAL_DEFINITIONS, (uint16_t)(GD_SIZE + n * CHILD_SIZE));
    d[GD_CRT_DDC_PIN] = GMBUS_PIN_VGADDC;
    d[GD_CHILD_DEV_SIZE] = CHILD_SIZE;
    p = d + GD_SIZE;
    /* One child per port, in port order: i915 takes the child count from the
     * block size and maps each child to a port by its dvo_port. */
    for (unsigned port = 0; port < VGT_PORT_MAX; port++) {
        enum vgt_port_type t = by_port[port];
        if (t == VGT_PORT_TYPE_MAX)
            continue;
        put_child(p, t, t == VGT_PORT_CRT ? DEVICE_HANDLE_CRT : efp_handles[efp++]);
        p += CHILD_SIZE;
    }

    d = block(p, BDB_DRIVER_FEATURES, DF_SIZE);
    p = d + DF_SIZE;    /* all zero: lvds_config NO_LVDS, no feature enabled */

    size_t bdb_size = (size_t)(p - bdb), vbt_size = (size_t)(p - v);
    memcpy(bdb + BDB_SIGNATURE, "BIOS_DATA_BLOCK ", 16);
    put16(bdb + BDB_VERSION, BDB_VERSION_USED);
    put16(bdb + BDB_HEADER_LEN, BDB_HEADER_SIZE);
    put16(bdb + BDB_SIZE, (uint16_t)bdb_size);

    /* "$VBT <PLATFORM>", space padded to 20 bytes. */
    memset(v + VBT_SIGNATURE, ' ', 20);
    memcpy(v + VBT_SIGNATURE, "$VBT ", 5);
    memcpy(v + VBT_SIGNATURE + 5, platform, strlen(platform));
    put16(v + VBT_VERSION, 100);
    put16(v + VBT_HEADER_LEN, VBT_HEADER_SIZE);
    put16(v + VBT_SIZE, (uint16_t)vbt_size);
    put32(v + VBT_BDB_OFFSET, VBT_HEADER_SIZE);

    /* The VBIOS convention (i915 does not check it; tools and other OSes do). */
    uint8_t sum = 0;
    for (size_t i = 0; i < vbt_size; i++)
        sum += v[i];
    v[VBT_CHECKSUM] = (uint8_t)-sum;
    return vbt_size;
}

int vgt_opregion_build(const enum vgt_port_type *types, unsigned n, uint16_t device_id,
                       void *buf, size_t len)
{
    enum vgt_port_type by_port[VGT_PORT_MAX];
    const char *platform = platform_name(device_id);
    uint8_t *o = buf;

    if (!buf || (n && !types))
        return -EINVAL;
    for (unsigned i = 0; i < VGT_PORT_MAX; i++)
        by_port[i] = VGT_PORT_TYPE_MAX;
    for (unsigned i = 0; i < n; i++) {
        if ((unsigned)types[i] >= VGT_PORT_TYPE_MAX)
            return -EINVAL;
        enum vgt_port port = vgt_port_type_port(types[i]);
        if (by_port[port] != VGT_PORT_TYPE_MAX)
            return -EEXIST;
        by_port[port] = types[i];
    }
    if (!platform)
        return -EOPNOTSUPP;
    if (len < VGT_OPREGION_SIZE)
        return -ENOSPC;

    memset(o, 0, len);
    memcpy(o, OPR_SIGNATURE, 16);
    put32(o + OPR_SIZE_KB, VGT_OPREGION_SIZE / 1024);
    o[OPR_VERSION + 3] = OPR_MAJOR;
    put32(o + OPR_MBOXES, MBOX_VBT);
    /* Lid "open": GVT found that Windows guests need it; i915 reads it for LVDS only. */
    o[OPR_ACPI_CLID] = 3;
    build_vbt(o + VGT_OPREGION_VBT_OFFSET, by_port, n, platform);
    return VGT_OPREGION_SIZE;
}
