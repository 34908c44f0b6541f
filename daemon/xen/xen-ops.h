/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one seam between xen-vgt and Xen: every call into libxendevicemodel,
 * libxenforeignmemory, libxenevtchn, libxenstore, libxentoolcore and libxenctrl
 * goes through this table.  vgt_xen_real_ops (xen-real.c) calls the libraries;
 * the test double (xen-double.h) simulates one guest in ordinary memory.
 *
 * Every op returns 0 (or a documented count >= 0) or a negative errno.
 * A handle set (struct vgt_xen) is opened once per process; xenstore and the
 * device-model parts are opened on demand (the VGT_XEN_* bits of open).
 */
#ifndef VGT_XEN_OPS_H
#define VGT_XEN_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VGT_XEN_PAGE_SHIFT 12
#define VGT_XEN_PAGE_SIZE (1ul << VGT_XEN_PAGE_SHIFT)

/* Which libraries open() opens. */
#define VGT_XEN_DM      0x01u   /* devicemodel (ioreq server, MSI, relocate) */
#define VGT_XEN_FMEM    0x02u   /* foreignmemory (ioreq pages, guest frames) */
#define VGT_XEN_EVTCHN  0x04u   /* event channels */
#define VGT_XEN_CTRL    0x08u   /* libxenctrl: domain info, maxmem, populate (privileged) */
#define VGT_XEN_STORE   0x10u   /* xenstore */
#define VGT_XEN_WORKER  (VGT_XEN_DM | VGT_XEN_FMEM | VGT_XEN_EVTCHN | VGT_XEN_CTRL)

/* bufioreq handling of create_ioreq_server (HVM_IOREQSRV_BUFIOREQ_*) */
#define VGT_XEN_BUFIOREQ_OFF 0
#define VGT_XEN_BUFIOREQ_ATOMIC 2

/* Frames of the ioreq server resource: 0 = buffered page, 1 + n = vCPU slots. */
#define VGT_XEN_FRAME_BUFIOREQ 0u
#define VGT_XEN_FRAME_IOREQ(n) (1u + (n))

struct vgt_xen;                 /* the open handles; per implementation */
struct vgt_xen_mapping;         /* a mapped resource */

struct vgt_xen_dominfo {
    unsigned nr_vcpus;          /* max_vcpu_id + 1 */
    uint64_t max_memkb;
    uint64_t nr_pages;
    bool dying, shutdown, hvm;
    unsigned shutdown_reason;   /* SHUTDOWN_* when shutdown */
};

enum vgt_xs_perm_bits { VGT_XS_NONE = 0, VGT_XS_READ = 1, VGT_XS_WRITE = 2, VGT_XS_BOTH = 3 };
struct vgt_xs_perm {
    unsigned domid;             /* the first entry is the owner, its perm the default */
    enum vgt_xs_perm_bits perm;
};
#define VGT_XS_NO_TXN 0u

struct vgt_xen_ops {
    const char *name;
    /* arg: implementation specific (NULL for the real one, the double for tests). */
    int (*open)(void *arg, unsigned what, struct vgt_xen **out);
    void (*close)(struct vgt_xen *x);                        /* NULL is fine */

    /* ---- ioreq server (devicemodel) */
    int (*create_ioreq_server)(struct vgt_xen *x, uint32_t domid, int bufioreq, uint16_t *id);
    int (*destroy_ioreq_server)(struct vgt_xen *x, uint32_t domid, uint16_t id);
    int (*get_bufioreq_port)(struct vgt_xen *x, uint32_t domid, uint16_t id, uint32_t *port);
    int (*map_ioreq_pages)(struct vgt_xen *x, uint32_t domid, uint16_t id, unsigned first_frame,
                           unsigned nr_frames, void **addr, struct vgt_xen_mapping **map);
    int (*unmap_ioreq_pages)(struct vgt_xen *x, struct vgt_xen_mapping *map);
    int (*map_pcidev)(struct vgt_xen *x, uint32_t domid, uint16_t id, unsigned seg, unsigned bus,
                      unsigned dev, unsigned fn);
    int (*unmap_pcidev)(struct vgt_xen *x, uint32_t domid, uint16_t id, unsigned seg,
                        unsigned bus, unsigned dev, unsigned fn);
    /* end is inclusive */
    int (*map_io_range)(struct vgt_xen *x, uint32_t domid, uint16_t id, bool is_mmio,
                        uint64_t start, uint64_t end);
    int (*unmap_io_range)(struct vgt_xen *x, uint32_t domid, uint16_t id, bool is_mmio,
                          uint64_t start, uint64_t end);
    int (*set_server_state)(struct vgt_xen *x, uint32_t domid, uint16_t id, bool enabled);
    int (*inject_msi)(struct vgt_xen *x, uint32_t domid, uint64_t addr, uint32_t data);
    /* INTx of a PCI device (intx 0 = INTA), for a guest without MSI */
    int (*set_pci_intx)(struct vgt_xen *x, uint32_t domid, unsigned seg, unsigned bus,
                        unsigned dev, unsigned intx, bool level);
    /* 0 while the domain exists, -ESRCH once it is gone (a dm_op: works restricted). */
    int (*domain_alive)(struct vgt_xen *x, uint32_t domid);
    /* Move nr guest frames (a dm_op: still allowed after restrict). */
    int (*relocate_memory)(struct vgt_xen *x, uint32_t domid, uint32_t nr, uint64_t src_gfn,
                           uint64_t dst_gfn);

    /* ---- event channels; pending fills ports[] with up to max pending local
     * ports (each masked until unmasked) and returns how many, or -EAGAIN */
    int (*evtchn_fd)(struct vgt_xen *x);
    int (*evtchn_bind)(struct vgt_xen *x, uint32_t domid, uint32_t remote, uint32_t *local);
    int (*evtchn_unbind)(struct vgt_xen *x, uint32_t local);
    int (*evtchn_pending)(struct vgt_xen *x, uint32_t *ports, unsigned max);
    int (*evtchn_unmask)(struct vgt_xen *x, uint32_t local);
    int (*evtchn_notify)(struct vgt_xen *x, uint32_t local);
    /* Deliver this handle's ports on one CPU and keep the calling thread there
     * (nports: how many are bound); the CPU or -errno (then nothing is pinned). */
    int (*evtchn_colocate)(struct vgt_xen *x, unsigned nports);

    /* ---- guest frames (foreign mapping); all or nothing: -EFAULT if a frame is not RAM */
    int (*map_guest)(struct vgt_xen *x, uint32_t domid, bool writable, const uint64_t *gfns,
                     size_t n, void **addr);
    int (*unmap_guest)(struct vgt_xen *x, void *addr, size_t n);

    /* ---- domain memory and info (libxenctrl: only before restrict_all) */
    int (*domain_info)(struct vgt_xen *x, uint32_t domid, struct vgt_xen_dominfo *out);
    int (*set_maxmem)(struct vgt_xen *x, uint32_t domid, uint64_t max_memkb);
    int (*populate)(struct vgt_xen *x, uint32_t domid, const uint64_t *gfns, size_t n);
    int (*decrease_reservation)(struct vgt_xen *x, uint32_t domid, const uint64_t *gfns,
                                size_t n);

    /* Restrict every handle of the process to domid (xentoolcore_restrict_all). */
    int (*restrict_all)(struct vgt_xen *x, uint32_t domid);

    /* ---- xenstore; t is a transaction id or VGT_XS_NO_TXN */
    int (*xs_fileno)(struct vgt_xen *x);
    int (*xs_read)(struct vgt_xen *x, uint32_t t, const char *path, char **val, size_t *len);
    int (*xs_write)(struct vgt_xen *x, uint32_t t, const char *path, const void *val,
                    size_t len);
    int (*xs_rm)(struct vgt_xen *x, uint32_t t, const char *path);
    int (*xs_mkdir)(struct vgt_xen *x, uint32_t t, const char *path);
    /* *ents: one malloc'ed array of n strings (free(*ents) frees all) */
    int (*xs_directory)(struct vgt_xen *x, uint32_t t, const char *path, char ***ents,
                        unsigned *n);
    int (*xs_set_perms)(struct vgt_xen *x, uint32_t t, const char *path,
                        const struct vgt_xs_perm *perms, unsigned n);
    int (*xs_transaction_start)(struct vgt_xen *x, uint32_t *t);
    /* -EAGAIN: the transaction conflicted, retry it */
    int (*xs_transaction_end)(struct vgt_xen *x, uint32_t t, bool abort);
    int (*xs_watch)(struct vgt_xen *x, const char *path, const char *token);
    int (*xs_unwatch)(struct vgt_xen *x, const char *path, const char *token);
    /* One fired watch (*path and *token malloc'ed), or -EAGAIN when drained. */
    int (*xs_check_watch)(struct vgt_xen *x, char **path, char **token);
};

extern const struct vgt_xen_ops vgt_xen_real_ops;

#endif
