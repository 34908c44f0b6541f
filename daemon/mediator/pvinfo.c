/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PVINFO page at BAR0 + 0x78000, laid out as Linux's i915_pvinfo.h (struct
 * vgt_if).  The guest finds its vGPU by the magic and version here and balloons
 * everything outside the GM ranges it reads at 0x40..0x50.
 */
#include "daemon/mediator/swmodel.h"

#define PV_MAGIC 0x00
#define PV_VERSION 0x08         /* major (u16), minor (u16) */
#define PV_VGT_ID 0x0C
#define PV_CAPS 0x10
#define PV_LOW_BASE 0x40
#define PV_LOW_SIZE 0x44
#define PV_HIGH_BASE 0x48
#define PV_HIGH_SIZE 0x4C
#define PV_FENCE_NUM 0x50
#define PV_DISPLAY_READY 0x804
#define PV_G2V_NOTIFY 0x818
#define PV_CURSOR_X_HOT 0x830
#define PV_CURSOR_Y_HOT 0x834
#define PV_PDP0_LO 0x838

static const char *const g2v_names[] = {
    [2] = "PPGTT L3 create", [3] = "PPGTT L3 destroy", [4] = "PPGTT L4 create",
    [5] = "PPGTT L4 destroy", [6] = "execlist context create", [7] = "execlist context destroy",
};

/* What the guest reads to find and size its vGPU: the model's, never writable. */
void sw_pvinfo_assert(struct vgt_vgpu *v)
{
    const struct vgt_partition *p = &v->p.part;

    sw_reg_set(v, R_PVINFO + PV_MAGIC, (uint32_t)VGT_PV_MAGIC);
    sw_reg_set(v, R_PVINFO + PV_MAGIC + 4, (uint32_t)(VGT_PV_MAGIC >> 32));
    sw_reg_set(v, R_PVINFO + PV_VERSION, 1);        /* 1.0 */
    sw_reg_set(v, R_PVINFO + PV_VGT_ID, p->vgt_id);
    /* The 6.1 guest refuses a vGPU without both; no huge GTT entries. */
    sw_reg_set(v, R_PVINFO + PV_CAPS, VGT_CAPS_FULL_PPGTT | VGT_CAPS_HWSP_EMULATION);
    sw_reg_set(v, R_PVINFO + PV_LOW_BASE, (uint32_t)p->low_base);
    sw_reg_set(v, R_PVINFO + PV_LOW_SIZE, (uint32_t)p->low_size);
    sw_reg_set(v, R_PVINFO + PV_HIGH_BASE, (uint32_t)p->high_base);
    sw_reg_set(v, R_PVINFO + PV_HIGH_SIZE, (uint32_t)p->high_size);
    sw_reg_set(v, R_PVINFO + PV_FENCE_NUM, p->fence_count);
    sw_reg_set(v, R_PVINFO + PV_CURSOR_X_HOT, 0xFFFFFFFF);
    sw_reg_set(v, R_PVINFO + PV_CURSOR_Y_HOT, 0xFFFFFFFF);
}

void sw_pvinfo_reset(struct vgt_vgpu *v)
{
    sw_pvinfo_assert(v);
    v->s->g2v_last = 0;
}

void sw_pvinfo_write(struct vgt_vgpu *v, uint32_t off, uint32_t old)
{
    uint32_t val = sw_reg(v, off);

    switch (off - R_PVINFO) {
    case PV_DISPLAY_READY:
        if ((val != 0) != (old != 0)) {
            sw_log(v, 7, "guest display_ready = %u", val);   /* guest-triggered: budgeted */
            if (v->host && v->host->display_ready)
                v->host->display_ready(v->host_opaque, val != 0);
        }
        break;
    case PV_G2V_NOTIFY: {
        uint64_t pdp0 = sw_reg(v, R_PVINFO + PV_PDP0_LO) |
                        (uint64_t)sw_reg(v, R_PVINFO + PV_PDP0_LO + 4) << 32;
        const char *what = val < sizeof(g2v_names) / sizeof(g2v_names[0]) && g2v_names[val]
                               ? g2v_names[val] : "unknown";
        v->s->g2v_last = val;
        sw_log(v, 7, "g2v_notify %u (%s), pdp[0] 0x%llx", val, what, (unsigned long long)pdp0);
        break;
    }
    default:
        break;
    }
}
