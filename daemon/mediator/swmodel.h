/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internals of the software vGPU model (vgt_swmodel_ops).  One file per concern:
 *   swmodel.c  instance life cycle, the state block (adopt_state), BAR dispatch,
 *              counters, log
 *   pci.c      PCI config space, BARs, MSI
 *   regs.c     the MMIO register file and its register kinds, pcode mailbox
 *   regs-common.c, regs-gen8.c, regs-gen9.c  boot register tables (data only)
 *   pvinfo.c   the PVINFO page (the contract with the guest i915)
 *   gtt.c      GGTT entries, aperture, fences
 *   irq.c      interrupt units, the master interrupt, MSI delivery
 *   display.c  virtual ports, hotplug, GMBUS, DP AUX, primary plane, framebuffer
 *   opregion.c the virtual OpRegion and its VBT (vgt_opregion_build, opregion.h)
 *   gt.c       execlist submissions, completed at once (breadcrumbs, CSB, interrupt)
 */
#ifndef VGT_SWMODEL_H
#define VGT_SWMODEL_H

#include <stdbool.h>
#include <stdint.h>
#include "daemon/mediator/mediator.h"

/* ---- BAR layout (gen8+) ---------------------------------------------- */
#define SW_BAR0_SIZE (16u << 20)        /* i915 requires exactly 16 MiB */
#define SW_GGTT_OFF (8u << 20)          /* GGTT entries from BAR0 + 8 MiB */
#define SW_GGTT_SIZE (8u << 20)         /* GGMS=3: 8 MiB of 8-byte PTEs = 4 GiB GM */
#define SW_MMIO_SIZE (2u << 20)         /* the register file */
#define SW_BAR4_SIZE 64u
#define SW_NR_REGS (SW_MMIO_SIZE / 4)
#define SW_PAGE 4096ull                 /* a GTT page */

/* ---- register table (kept as data, see regs-gen9.c) ------------------- */
enum sw_reg_flag {
    SW_RF_MASKED = 1 << 0,      /* upper 16 bits select which low bits a write changes */
    SW_RF_MIRROR_INV = 1 << 1,  /* mirrored bits are the inverse of their source */
    SW_RF_SELFCLEAR = 1 << 2,   /* written bits take effect, then read back 0 */
    SW_RF_CONST = 1 << 3,       /* read-only, set at reset (or recomputed) by the model
                                   alone: set anew in a resumed state */
};

enum sw_reg_handler {           /* side effects beyond the generic kinds */
    SW_H_NONE,
    SW_H_MASTER_IRQ,            /* GEN8_MASTER_IRQ: pending units computed on read */
    SW_H_IRQ,                   /* IMR/IER/IIR of an interrupt unit: re-evaluate */
    SW_H_PCODE,                 /* GEN6_PCODE_MAILBOX */
    SW_H_GMBUS,                 /* GMBUS0..5 */
    SW_H_AUX_CTL,               /* DP AUX channel control: runs a transaction */
    SW_H_PVINFO,                /* PVINFO writes the host wants to see */
    SW_H_FENCE,                 /* fence registers: partition containment */
    SW_H_COUNTER,               /* advances on every read (scan line counter) */
    SW_H_GGTT_FLUSH,            /* GFX_FLSH_CNTL: GGTT updates done, tell the user */
    SW_H_ELSP,                  /* execlist submit port: runs the submitted contexts */
    SW_H_MAX
};

struct sw_reg_def {
    uint32_t offset;            /* first register (byte offset in BAR0) */
    uint16_t count;             /* number of registers (0 means 1) */
    uint16_t stride;            /* bytes from one to the next */
    uint32_t init;              /* boot value */
    uint32_t wmask;             /* bits the guest may change */
    uint32_t w1c;               /* write-1-to-clear bits */
    uint32_t mirror_src;        /* bits whose state is mirrored ... */
    int8_t mirror_shift;        /* ... into (src >> shift) (negative: left shift) ... */
    int32_t mirror_to;          /* ... of the register this many bytes away (0: itself) */
    uint8_t flags;              /* enum sw_reg_flag */
    uint8_t handler;            /* enum sw_reg_handler */
};

struct sw_reg_table {
    const struct sw_reg_def *defs;
    unsigned n;
};
extern const struct sw_reg_table sw_regs_common, sw_regs_gen8, sw_regs_gen9;

/* ---- selected register offsets ---------------------------------------- */
#define R_PVINFO 0x78000u
#define R_FENCE0 0x100000u
#define SW_MAX_HW_FENCES 32u
#define R_MASTER_IRQ 0x44200u
#define MASTER_IRQ_ENABLE (1u << 31)
#define R_DE_PORT_ISR 0x44440u
#define R_SDE_ISR 0xC4000u
#define R_PCH_PORT_HOTPLUG 0xC4030u
#define R_PCH_PORT_HOTPLUG2 0xC403Cu
#define R_DIGITAL_PORT_HOTPLUG 0x44030u
#define R_PCODE_MAILBOX 0x138124u
#define R_PCODE_DATA 0x138128u
#define R_PCODE_DATA1 0x13812Cu
#define R_GMBUS0 0xC5100u
#define R_GMBUS5 0xC5120u
#define R_AUX_CTL_A 0x64010u        /* + 0x100 per DDI */
#define R_PLANE_CTL_1_A 0x70180u
#define R_PLANE_STRIDE_1_A 0x70188u
#define R_PLANE_SIZE_1_A 0x70190u
#define R_PLANE_SURF_1_A 0x7019Cu
#define R_PLANE_OFFSET_1_A 0x701A4u
#define R_PIPESRC_A 0x6001Cu
#define R_PIPECONF_A 0x70008u
#define R_PIPE_FRMCOUNT_A 0x70040u

/* ---- PVINFO ---------------------------------------------------------- */
#define VGT_PV_MAGIC 0x4776544776544776ull
#define VGT_CAPS_FULL_PPGTT (1u << 2)
#define VGT_CAPS_HWSP_EMULATION (1u << 3)
#define VGT_CAPS_HUGE_GTT (1u << 4)

/* ---- interrupts ------------------------------------------------------ */
enum sw_irq_unit {
    SW_IRQ_GT0, SW_IRQ_GT1, SW_IRQ_GT2, SW_IRQ_GT3,
    SW_IRQ_PIPE_A, SW_IRQ_PIPE_B, SW_IRQ_PIPE_C,
    SW_IRQ_DE_PORT, SW_IRQ_DE_MISC, SW_IRQ_PCU, SW_IRQ_PCH,
    SW_IRQ_MAX
};

/* ---- display --------------------------------------------------------- */
#define SW_NR_DDI 5                 /* A..E as the guest sees them */
#define SW_DPCD_SIZE 0x800

struct sw_gmbus {                  /* in struct sw_state: no bool (see there) */
    unsigned pin;
    uint8_t active, nak, read;
    unsigned addr;                  /* 7-bit slave address */
    unsigned remaining;             /* bytes left in the current cycle */
    unsigned ddi;                   /* the DDI whose DDC the pin reaches */
};

struct sw_ddc {                     /* the DDC/EDID state of one sink */
    unsigned offset;                /* EDID byte index */
    unsigned segment;
};

/* ---- engines ---------------------------------------------------------- */
#define SW_NR_ENGINES 5             /* RCS, BCS, VCS, VCS2, VECS */

struct sw_engine {
    uint32_t elsp[4];               /* the writes of one submission so far */
    unsigned n_elsp;
};

/* ---- the instance ---------------------------------------------------- */

/* Everything of the device's state but its PCI config space, in one block of
 * plain data: in the instance's own allocation, or in memory the user gives it
 * (adopt_state: the worker's state file, which outlives a crashed worker).
 * Plain data only: a successor loads it as hostile input, so no pointers, and
 * no C bool (a byte other than 0/1 in a bool is undefined behaviour): flags are
 * uint8_t; the bool of struct vgt_port_state is normalised before use. */
#define SW_STATE_MAGIC 0x54535356u      /* "VSST" */
#define SW_STATE_VERSION 1u             /* bump on any change of struct sw_state */

struct sw_state_header {            /* what the state is valid for */
    uint32_t magic, version;
    uint64_t size;                  /* sizeof(struct sw_state) */
    uint32_t gen, device_id;
    uint64_t aperture_mb, ggtt_mb;
    uint32_t vgt_id, fence_base, fence_count, pad;
    uint64_t low_base, low_size, high_base, high_size;
};

struct sw_state {
    struct sw_state_header h;
    uint32_t io_index;              /* BAR4 MMIO_INDEX */
    uint8_t irq_line;               /* MSI: master enable && anything pending && MSI on */
    uint8_t intx_level;             /* INTA as last told to the host */
    uint8_t port_typed[VGT_PORT_MAX];   /* given a type by a hotplug: part of the VBT */
    struct vgt_port_state ports[VGT_PORT_MAX];
    struct sw_gmbus gmbus;
    struct sw_ddc ddc[SW_NR_DDI];
    uint8_t dpcd[SW_NR_DDI][SW_DPCD_SIZE];
    uint32_t g2v_last;
    struct sw_engine engines[SW_NR_ENGINES];
    uint64_t stats[VGT_STAT_MAX];
    uint32_t regs[SW_NR_REGS];      /* the register file */
};

struct vgt_vgpu {
    struct vgt_vgpu_params p;
    const struct vgt_host_ops *host;
    void *host_opaque;

    /* PCI config space (not in the state: a restarted worker replays it as
     * guest writes, which is what maps the BARs again) */
    uint8_t cfg[256];
    uint8_t cfg_wmask[256];
    uint64_t bar_size[VGT_NR_BARS];

    struct sw_state *s;
    bool s_owned;                   /* s is our allocation (else the user's memory) */

    /* register kinds, from the generation's tables */
    struct sw_reg_def *table;       /* the generation's tables, concatenated */
    unsigned table_len;
    uint16_t *def;                  /* per dword: table index + 1, 0 = plain */

    /* GGTT backing (the BAR0 upper half), owned by the user */
    uint8_t *ggtt;
    size_t ggtt_len;

    bool gt_running;                /* inside a submission (no re-entry from its commands) */
    unsigned log_budget;            /* a hostile guest must not flood the log */
};

/* swmodel.c */
void sw_log(struct vgt_vgpu *v, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sw_refuse(struct vgt_vgpu *v, enum vgt_stat stat, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* pci.c */
void sw_pci_reset(struct vgt_vgpu *v);
int sw_pci_read(struct vgt_vgpu *v, uint32_t reg, unsigned size, uint32_t *val);
int sw_pci_write(struct vgt_vgpu *v, uint32_t reg, unsigned size, uint32_t val);
void sw_pci_get_bars(struct vgt_vgpu *v, struct vgt_bar bars[VGT_NR_BARS]);
bool sw_pci_msi(struct vgt_vgpu *v, uint64_t *addr, uint32_t *data);
bool sw_pci_intx_enabled(struct vgt_vgpu *v);
void sw_pci_set_intx_status(struct vgt_vgpu *v, bool level);

/* regs.c */
int sw_regs_init(struct vgt_vgpu *v);
void sw_regs_reset(struct vgt_vgpu *v, bool fresh);
void sw_regs_resume(struct vgt_vgpu *v);
void sw_regs_dispose(struct vgt_vgpu *v);
int sw_mmio_read(struct vgt_vgpu *v, uint64_t off, unsigned size, uint64_t *val);
int sw_mmio_write(struct vgt_vgpu *v, uint64_t off, unsigned size, uint64_t val);
static inline uint32_t sw_reg(const struct vgt_vgpu *v, uint32_t off) { return v->s->regs[off >> 2]; }
static inline void sw_reg_set(struct vgt_vgpu *v, uint32_t off, uint32_t val) { v->s->regs[off >> 2] = val; }

/* pvinfo.c */
void sw_pvinfo_reset(struct vgt_vgpu *v);
void sw_pvinfo_assert(struct vgt_vgpu *v);
void sw_pvinfo_write(struct vgt_vgpu *v, uint32_t off, uint32_t old);

/* gtt.c */
bool sw_gm_in_partition(const struct vgt_vgpu *v, uint64_t gm, uint64_t len);
int sw_gm_to_gpa(struct vgt_vgpu *v, uint64_t gm, uint64_t *gpa);
/* len bytes (within one page) at GM address gm, through the guest's GGTT entry:
 * -ERANGE outside the partition, -ENOENT without an entry, -EFAULT (counted as a
 * GGTT refusal) if the entry points outside guest memory, -EINVAL across a page. */
/* Guest memory at gpa through the host's hooks; -EFAULT when outside it or no hook. */
int sw_guest_rw(struct vgt_vgpu *v, uint64_t gpa, void *buf, size_t len, bool write);
int sw_gm_rw(struct vgt_vgpu *v, uint64_t gm, void *buf, size_t len, bool write);
/* len bytes at gpa, the translation of addr by a GTT entry: an entry pointing
 * outside guest memory is refused and counted ("ENTRY 0x<addr> points outside
 * guest memory"); *where = gpa. */
int sw_translated_rw(struct vgt_vgpu *v, uint64_t gpa, void *buf, size_t len, bool write,
                     const char *entry, uint64_t addr, uint64_t *where);
/* the same, telling where in guest memory it went (gpa of gm, set once translated) */
int sw_gm_rw_at(struct vgt_vgpu *v, uint64_t gm, void *buf, size_t len, bool write, uint64_t *where);
int sw_ggtt_read(struct vgt_vgpu *v, uint64_t off, unsigned size, uint64_t *val);
int sw_ggtt_write(struct vgt_vgpu *v, uint64_t off, unsigned size, uint64_t val);
int sw_aperture_access(struct vgt_vgpu *v, uint64_t off, unsigned size, uint64_t *val, bool write);
bool sw_fence_write(struct vgt_vgpu *v, uint32_t off, uint32_t old);
bool sw_fence_guest_visible(const struct vgt_vgpu *v, uint32_t off);
void sw_fence_resume(struct vgt_vgpu *v);

/* irq.c */
void sw_irq_latch(struct vgt_vgpu *v, enum sw_irq_unit u, uint32_t bits);
void sw_irq_update(struct vgt_vgpu *v);
uint32_t sw_irq_master_read(struct vgt_vgpu *v);
void sw_irq_resume(struct vgt_vgpu *v);

/* gt.c */
void sw_elsp_write(struct vgt_vgpu *v, uint32_t off, uint32_t val);
void sw_gt_reset(struct vgt_vgpu *v);
void sw_gt_resume(struct vgt_vgpu *v);

/* display.c */
void sw_display_reset(struct vgt_vgpu *v);
void sw_display_resume(struct vgt_vgpu *v);
uint32_t sw_gmbus_read(struct vgt_vgpu *v, uint32_t off, uint32_t cur);
void sw_gmbus_write(struct vgt_vgpu *v, uint32_t off, uint32_t val);
void sw_aux_write(struct vgt_vgpu *v, uint32_t off);
int sw_hotplug(struct vgt_vgpu *v, enum vgt_port port, const struct vgt_port_state *cfg);
void sw_get_display(struct vgt_vgpu *v, struct vgt_display_state *out);
void sw_decode_primary(struct vgt_vgpu *v, struct vgt_fb *fb);
int sw_read_framebuffer(struct vgt_vgpu *v, struct vgt_fb *fb, void *buf, size_t len);
int sw_vblank(struct vgt_vgpu *v);
int sw_opregion(struct vgt_vgpu *v, void *buf, size_t len);

#endif
