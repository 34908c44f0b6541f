/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The mediator interface: everything the guest does to its vGPU goes through
 * one of these ops.  The software model (swmodel.c) is the in-tree
 * implementation; a hardware-backed mediator can be added behind the same table.
 *
 * Pure logic: a mediator never calls Xen.  What it needs from its user (the
 * worker process, or vgt-replay) it asks through struct vgt_host_ops.
 *
 * Every access is guest input: any offset, size (1..8, odd ones too) and value
 * gets a defined answer.  Return values follow vgt/error.h: 0, or a negative
 * errno; -EINVAL/-ERANGE mean "refused" (a read then returns all ones).
 */
#ifndef VGT_MEDIATOR_H
#define VGT_MEDIATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vgt/alloc.h"
#include "vgt/edid.h"
#include "vgt/monitor.h"
#include "vgt/profile.h"
#include "daemon/mediator/opregion.h"   /* VGT_OPREGION_SIZE */

#define VGT_NR_BARS 6
#define VGT_BAR_MMIO 0      /* BAR0: MMIO registers (low half) + GGTT (upper half) */
#define VGT_BAR_APERTURE 2  /* BAR2: aperture = the guest's view of low GM */
#define VGT_BAR_IO 4        /* BAR4: I/O */
#define VGT_MAX_REGIONS 2

enum vgt_region_kind {
    VGT_REGION_TRAPPED,     /* every access comes to bar_read/bar_write */
    VGT_REGION_MEMORY,      /* backed by memory the guest writes directly (the GGTT) */
};

struct vgt_region {
    uint64_t offset, size;  /* within the BAR */
    enum vgt_region_kind kind;
};

struct vgt_bar {
    bool present;
    bool is_io;             /* I/O space, else memory */
    bool is_64bit, prefetchable;
    uint64_t size;
    uint64_t addr;          /* as programmed by the guest (0 until then) */
    bool decode;            /* the command register enables this BAR's space and addr is real */
    unsigned n_regions;
    struct vgt_region regions[VGT_MAX_REGIONS];
};

/* What the mediator may ask of its user. */
struct vgt_host_ops {
    /* A BAR moved or its decoding changed: old and new state. */
    void (*bar_changed)(void *opaque, int bar, const struct vgt_bar *old_state,
                        const struct vgt_bar *new_state);
    /* Raise the device's interrupt: MSI address/data as the guest programmed them. */
    void (*raise_msi)(void *opaque, uint64_t addr, uint32_t data);
    /* Copy guest physical memory; -EFAULT if any part is not the guest's RAM. */
    int (*guest_read)(void *opaque, uint64_t gpa, void *buf, size_t len);
    int (*guest_write)(void *opaque, uint64_t gpa, const void *buf, size_t len);
    /* A message for the log (the worker tags it with the domain). */
    void (*log)(void *opaque, int level, const char *msg);
    /* Optional (NULL: not told).  The guest changed PVINFO display_ready. */
    void (*display_ready)(void *opaque, bool ready);
    /* Optional.  The INTx (INTA) line, for a guest that does not enable MSI. */
    void (*set_intx)(void *opaque, bool level);
    /* Optional.  The guest (hvmloader) wrote ASLS, config 0xFC: where the guest will
     * look for the OpRegion (get_opregion), VGT_OPREGION_SIZE bytes of its memory. */
    void (*asls_changed)(void *opaque, uint32_t asls);
    /* Optional.  The guest wrote GFX_FLSH_CNTL, as i915 does after every batch of
     * GGTT entry updates: aperture pages mapped by the user may have moved. */
    void (*ggtt_flushed)(void *opaque);
};

struct vgt_vgpu_params {
    const struct vgt_profile *profile;
    struct vgt_partition part;
    uint64_t guest_mem_bytes;      /* the guest's RAM size, for sanity checks */
    unsigned vcpus;
};

enum vgt_stat {
    VGT_STAT_BAD_ACCESS,           /* invalid offset/size */
    VGT_STAT_GGTT_REFUSED,         /* PTE outside partition or guest memory */
    VGT_STAT_FENCE_REFUSED,        /* fence range outside partition */
    VGT_STAT_APERTURE_REFUSED,     /* aperture access outside own low GM or bad PTE */
    VGT_STAT_PLANE_REFUSED,        /* scan-out surface outside partition */
    VGT_STAT_MAX
};

struct vgt_port_state {
    bool connected;
    enum vgt_port_type type;
    enum vgt_port override;
    uint8_t edid[VGT_EDID_LEN];
};

enum vgt_fb_tiling { VGT_FB_LINEAR, VGT_FB_X_TILED, VGT_FB_Y_TILED };

struct vgt_fb {                     /* primary plane of one pipe */
    bool enabled;                   /* plane on, with a format we can read */
    uint64_t gm_addr;               /* surface address (GM) */
    unsigned width, height, stride; /* pixels, pixels, bytes */
    uint32_t drm_format;            /* DRM fourcc, e.g. XRGB8888; 0 if not supported */
    enum vgt_fb_tiling tiling;
    unsigned x_offset, y_offset;    /* origin inside the surface (PLANE_OFFSET) */
};

struct vgt_display_state {
    bool display_ready;             /* PVINFO display_ready as the guest wrote it */
    struct vgt_port_state ports[VGT_PORT_MAX];
    struct vgt_fb primary;          /* pipe A primary plane */
};

struct vgt_vgpu;                    /* one instance, opaque */

struct vgt_mediator_ops {
    const char *name;
    int (*create)(const struct vgt_vgpu_params *p, const struct vgt_host_ops *host,
                  void *host_opaque, struct vgt_vgpu **out);
    void (*destroy)(struct vgt_vgpu *v);

    /* PCI config space, size 1, 2 or 4. */
    int (*cfg_read)(struct vgt_vgpu *v, uint32_t reg, unsigned size, uint32_t *val);
    int (*cfg_write)(struct vgt_vgpu *v, uint32_t reg, unsigned size, uint32_t val);
    /* BAR accesses at an offset within the BAR, size 1..8. */
    int (*bar_read)(struct vgt_vgpu *v, int bar, uint64_t off, unsigned size, uint64_t *val);
    int (*bar_write)(struct vgt_vgpu *v, int bar, uint64_t off, unsigned size, uint64_t val);

    /* Layout and current state of the BARs (regions say trapped or memory-backed). */
    void (*get_bars)(struct vgt_vgpu *v, struct vgt_bar bars[VGT_NR_BARS]);
    /* The memory backing a VGT_REGION_MEMORY region (the user owns it; NULL detaches). */
    int (*set_backing)(struct vgt_vgpu *v, int bar, unsigned region, void *mem, size_t len);

    void (*reset)(struct vgt_vgpu *v);      /* device reset (e.g. guest reboot) */

    void (*get_display)(struct vgt_vgpu *v, struct vgt_display_state *out);
    /* Connect (cfg != NULL) or disconnect a virtual port; raises the hotplug interrupt.
     * Connecting the monitor that is there already (same type, override, EDID) does
     * nothing, as disconnecting a port with none does. */
    int (*hotplug)(struct vgt_vgpu *v, enum vgt_port port, const struct vgt_port_state *cfg);
    /* Read the primary plane's pixels as XRGB8888 rows into buf (w*h*4 bytes). */
    int (*read_framebuffer)(struct vgt_vgpu *v, struct vgt_fb *fb, void *buf, size_t len);

    void (*get_stats)(struct vgt_vgpu *v, uint64_t stats[VGT_STAT_MAX]);

    /* The OpRegion to place at ASLS (opregion.h: an IGD OpRegion with a VBT describing
     * the vGPU's ports, so that the guest does not probe an absent eDP panel); all len
     * (>= VGT_OPREGION_SIZE) bytes are written.  The ports are those given a type by a
     * hotplug so far (connected or not), or DP on B, C and D if none was. */
    int (*get_opregion)(struct vgt_vgpu *v, void *buf, size_t len);

    /* Where the aperture page at offset off (page aligned) of BAR2 lands: the guest
     * physical page its GGTT entry names, if the page is in the guest's own low GM and
     * the entry is present (-ERANGE, -ENOENT otherwise).  Whether that page is the
     * guest's RAM is for the user to check before mapping it. */
    int (*aperture_page)(struct vgt_vgpu *v, uint64_t off, uint64_t *gpa);

    /* Call at the refresh rate (about 60 Hz): latches the vblank interrupt of every
     * enabled pipe (i915 waits for vblanks on mode sets and page flips).  Returns
     * the number of enabled pipes; 0 means the caller may stop its timer. */
    int (*vblank)(struct vgt_vgpu *v);

    /* Optional (NULL: the state lives and dies with the instance).  The device's
     * state but its PCI config space (registers, interrupt and display state,
     * hotplugged ports and EDIDs, counters) in memory the user provides, so that
     * it outlives the user's process (the worker maps a file): state_size bytes
     * for these params.  adopt_state(resume false) copies the current state into
     * mem, which must hold zeroes (a fresh file: the pages of registers that are
     * zero are not touched), and works there from then on (a device reset resets
     * it in place);
     * resume true takes over what a previous instance left in mem, if it was made
     * for the same layout, GPU profile and partition (else, logged, as false),
     * as hostile input: indices clamped, what only the model writes asserted
     * again, derived state recomputed -- an enabled pending interrupt is raised
     * again.  mem NULL: back to memory of its own (a copy), so that the user may
     * unmap mem before destroy.  Returns 1 if a previous state was taken over,
     * 0 if not, -EINVAL (len < state_size, mem not 8-byte aligned), -ENOMEM. */
    size_t (*state_size)(const struct vgt_vgpu_params *p);
    int (*adopt_state)(struct vgt_vgpu *v, void *mem, size_t len, bool resume);
};

extern const struct vgt_mediator_ops vgt_swmodel_ops;

#endif
