/* SPDX-License-Identifier: GPL-2.0-only */
/* Boot registers of a Skylake GT2 (gen9) vGPU beyond the common table -- data only. */
#include "daemon/mediator/regs-table.h"

static const struct sw_reg_def gen9_regs[] = {
    RO(0x9120, 0x02800000),         /* GEN8_FUSE2: one slice, subslice 3 disabled */
    RO(0xC000, 0x1),                /* GUC_STATUS: GS_MIA_IN_RESET */
    RO(0x145000, 0),                /* MAD_INTER_CHANNEL: DDR4 */
    RO(0x14500C, 0x00000008),       /* MAD_DIMM_CH0: 8 GB, x8, 1 rank */
    RO(0x145010, 0x00000008),       /* MAD_DIMM_CH1 */
    RO(0x145E04, 0x00000008),       /* MC_BIOS_DATA: 2133 MT/s */
    RO(0x51000, 0),                 /* SKL_DFSM: nothing fused off */
    RO(0x42000, 0x8E000000),        /* SKL_FUSE_STATUS: download done, PG0-2 distributed */
    FOLLOW_N(0x45008, 1, 0, 0, 1u << 31, 1),        /* DBUF_CTL: state 30 from request 31 */
    FOLLOW_N(0x46010, 2, 4, 0, 1u << 31, 1),        /* LCPLL1/2_CTL: lock 30 from enable 31 */
    FOLLOW_N(0x46040, 1, 0, 0, 1u << 31, 1),        /* WRPLL_CTL1 (DPLL2) */
    FOLLOW_N(0x46060, 1, 0, 0, 1u << 31, 1),        /* WRPLL_CTL2 (DPLL3) */
    RO(0x6C060, 0x01010101),        /* DPLL_STATUS: DPLL0-3 locked */
};

TABLE(sw_regs_gen9, gen9_regs);
