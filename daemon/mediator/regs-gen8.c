/* SPDX-License-Identifier: GPL-2.0-only */
/* Boot registers of a Broadwell GT2 (gen8) vGPU beyond the common table -- data only. */
#include "daemon/mediator/regs-table.h"

static const struct sw_reg_def gen8_regs[] = {
    RO(0x9120, 0x02000000),         /* GEN8_FUSE2: one slice, all subslices */
    RO(0x42014, 0),                 /* FUSE_STRAP: no CDCLK limit */
    /* LCPLL_CTL: enabled and locked; CD_SOURCE_FCLK_DONE (19) follows CD_SOURCE_FCLK (21) */
    { .offset = 0x130040, .init = 1u << 30, .wmask = ALL & ~((1u << 30) | (1u << 19)),
      .mirror_src = 1u << 21, .mirror_shift = 2 },
};

TABLE(sw_regs_gen8, gen8_regs);
