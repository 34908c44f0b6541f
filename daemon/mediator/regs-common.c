/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Boot register table shared by gen8 (Broadwell) and gen9 (Skylake, Kaby Lake)
 * vGPUs -- data only.  The generation's own table (regs-gen8.c, regs-gen9.c) is
 * applied after it and may override entries.
 *
 * GVT-g starts every vGPU from a snapshot of the host's registers; with no host
 * GPU we ship the values an unmodified i915 needs to probe (guest-i915-probe.md):
 * power wells that come up when requested, PLLs that lock, fuses, rawclk, the
 * interrupt registers, reset handshakes, the PVINFO page and the display.
 * Registers not listed are plain: they read back what was last written, 0 at boot.
 * Entries are applied in order, so a block default can be followed by exceptions.
 */
#include "daemon/mediator/regs-table.h"

static const struct sw_reg_def common_regs[] = {
    /* ---- engines: reset handshake, ring mode, errors ---- */
    ENGINES(0xD0, .wmask = 0xFFFD, .mirror_src = 1u << 0, .mirror_shift = -1,
            .flags = SW_RF_MASKED),                     /* RESET_CTL: READY_TO_RESET follows REQUEST */
    ENGINES(0x9C, .init = 1u << 9, .wmask = 0xFDFF, .flags = SW_RF_MASKED),
                                    /* MI_MODE: MODE_IDLE always (a submission completes at once) */
    ENGINES(0x29C, .wmask = 0xFFFF, .flags = SW_RF_MASKED),    /* RING_MODE_GEN7 */
    ENGINES(0xC0, .wmask = 0xFFFF, .flags = SW_RF_MASKED),     /* INSTPM */
    ENGINES(0xB0, .wmask = ALL, .w1c = ALL),                   /* EIR */
    ENGINES(0xB4, .init = ALL, .wmask = ALL),                  /* EMR */
    ENGINES(0xA8, .init = ALL, .wmask = ALL),                  /* RING_IMR */
    { .offset = 0x941C, .wmask = ALL, .flags = SW_RF_SELFCLEAR },  /* GEN6_GDRST: reset done at once */
    { .offset = 0x4260, .count = 5, .stride = 4, .wmask = ALL, .flags = SW_RF_SELFCLEAR },
                                    /* GEN8_RTCR/M1TCR/M2TCR/BTCR/VTCR: TLB invalidation done at once */
    ENGINES(0x230, .wmask = ALL, .handler = SW_H_ELSP),       /* ELSP: submissions complete at once */
    ENGINES(0x370, .count = 12, .stride = 4),                 /* context status buffer (read-only) */
    ENGINES(0x3A0, .init = 0x0007, .wmask = 0xFFFF, .flags = SW_RF_MASKED),  /* CSB pointers (write 7: none) */

    /* ---- masked chicken and mode registers (GVT's F_MODE_MASK set) ---- */
    MASKED(0x2088), MASKED(0x2090), MASKED(0x20D4), MASKED(0x20E0), MASKED(0x20E4),
    MASKED(0x20EC), MASKED(0x2580), MASKED(0x7000), MASKED(0x7004), MASKED(0x7008),
    MASKED(0x7010), MASKED(0x7014), MASKED(0x7018), MASKED(0x7300), MASKED(0x7304),
    MASKED(0x7308), MASKED(0xE100), MASKED(0xE180), MASKED(0xE184), MASKED(0xE188),
    MASKED(0xE194), MASKED(0xE4F0), MASKED(0xE4F4),

    /* ---- fuses, clocks, GT identity ---- */
    CONST_N(0x9134, 3, 4, 0),       /* GEN9_EU_DISABLE: all EUs present */
    RO(0xA26C, 0),                  /* CTC_MODE */
    RO(0x120010, 0),                /* HSW_EDRAM_CAP: no eDRAM */
    RO(0x145998, 0x00030B16),       /* GEN6_RP_STATE_CAP: RP0 1100, RP1 550, RPn 150 MHz */
    RW(0xC6204, 24),                /* PCH_RAWCLK_FREQ: 24 MHz */
    W1C_N(0x42300, 1, 0, 1u << 31), /* FPGA_DBG: RM_NOCLAIM */
    RO(0xC2014, 0x7),               /* SFUSE_STRAP: DDI B, C, D present */

    /* ---- display power, PLLs, DBUF: state follows request ---- */
    FOLLOW_N(0x45400, 4, 4, 0, 0xAAAAAAAA, 1),     /* HSW_PWR_WELL_CTL1-4: state 2n from request 2n+1 */
    RW(0x41000, 0x80000000),        /* VGACNTRL: VGA plane disabled */

    /* ---- DDIs, pipes ---- */
    { .offset = 0x64000, .count = 5, .stride = 0x100, .init = 0x80, .wmask = ALL & ~0x80u,
      .mirror_src = 1u << 31, .mirror_shift = 24, .flags = SW_RF_MIRROR_INV },  /* DDI_BUF_CTL: IDLE = !enable */
    CONST_N(0x64044, 5, 0x100, 0x02001000),        /* DP_TP_STATUS: idle and autotrain done */
    { .offset = 0x64010, .count = 4, .stride = 0x100, .wmask = ALL, .w1c = 0x52000000,
      .handler = SW_H_AUX_CTL },    /* DP_AUX_CH_CTL A-D: DONE, TIMEOUT, RECEIVE_ERROR are W1C */
    FOLLOW_N(0x70008, 3, 0x1000, 0, 1u << 31, 1),   /* PIPECONF A-C: state 30 follows enable 31 */
    FOLLOW_N(0x7F008, 1, 0, 0, 1u << 31, 1),        /* PIPECONF eDP */
    { .offset = 0x70000, .count = 3, .stride = 0x1000, .wmask = 0x1FFF, .handler = SW_H_COUNTER },
                                    /* PIPEDSL: the scan line moves */
    RO_N(0x70040, 3, 0x1000, 0),    /* PIPE_FRMCOUNT: advanced by vblank */
    { .offset = 0x7019C, .count = 3, .stride = 0x1000, .wmask = ALL, .mirror_src = 0xFFFFF000,
      .mirror_to = 0x10 },          /* PLANE_SURF_1 A-C: the live address follows at once */
    RO_N(0x701AC, 3, 0x1000, 0),    /* PLANE_SURFLIVE_1 A-C */
    RO(0xC7200, 0),                 /* PP_STATUS: panel off and idle (there is no eDP panel) */

    /* ---- GMBUS and hotplug ---- */
    HANDLED_N(0xC5100, 5, 4, 0, SW_H_GMBUS),        /* GMBUS0-4 */
    HANDLED_N(0xC5120, 1, 0, 0, SW_H_GMBUS),        /* GMBUS5 */
    W1C_N(0xC4030, 1, 0, 0x03030303),               /* PCH_PORT_HOTPLUG: status of A..D */
    W1C_N(0xC403C, 1, 0, 0x3),                      /* PCH_PORT_HOTPLUG2: status of E */
    W1C_N(0x44030, 1, 0, 0x3),                      /* DIGITAL_PORT_HOTPLUG_CNTRL: DDI A */

    /* ---- interrupts ---- */
    { .offset = 0x44200, .wmask = 1u << 31, .handler = SW_H_MASTER_IRQ },  /* GEN8_MASTER_IRQ */
    IRQ_UNIT(0x44300, 4, 0x10),     /* GT 0-3 */
    IRQ_UNIT(0x44400, 3, 0x10),     /* DE pipe A-C */
    IRQ_UNIT(0x44440, 1, 0),        /* DE port */
    IRQ_UNIT(0x44460, 1, 0),        /* DE misc */
    IRQ_UNIT(0x444E0, 1, 0),        /* PCU */
    IRQ_UNIT(0xC4000, 1, 0),        /* SDE (PCH) */
    RW(0x64834, ALL),               /* EDP_PSR_IMR */
    W1C_N(0x64838, 1, 0, ALL),      /* EDP_PSR_IIR */

    /* ---- GGTT ---- */
    HANDLED_N(0x101008, 1, 0, 0, SW_H_GGTT_FLUSH),  /* GFX_FLSH_CNTL_GEN6 */

    /* ---- pcode mailbox ---- */
    HANDLED_N(0x138124, 1, 0, 0, SW_H_PCODE),

    /* ---- PVINFO page (values set from the partition at reset) ---- */
    CONST_N(0x78000, 1024, 4, 0),
    RW(0x78800, 0),                                 /* drv_version */
    HANDLED_N(0x78804, 1, 0, 0, SW_H_PVINFO),       /* display_ready */
    HANDLED_N(0x78818, 1, 0, 0, SW_H_PVINFO),       /* g2v_notify */
    RW_N(0x78838, 8, 4, 0),                         /* pdp[4] lo/hi */
    RW_N(0x78858, 2, 4, 0),                         /* execlist context descriptor */

    /* ---- fences: 32 x 64 bit; the guest sees only its own ---- */
    HANDLED_N(0x100000, 64, 4, 0, SW_H_FENCE),
};

TABLE(sw_regs_common, common_regs);
