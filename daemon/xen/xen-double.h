/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test double of the Xen ops table: one simulated HVM guest in ordinary memory.
 *  - ioreq server pages (buffered page + one slot per vCPU) that tests fill as
 *    Xen would, including hostile contents;
 *  - event channels: per-port mask/pending like the Linux evtchn driver, one
 *    eventfd that is readable while a port is queued;
 *  - guest RAM in a memfd, so foreign mappings alias it like real ones; extra
 *    frames for populate/decrease_reservation/relocate;
 *  - restriction: after restrict_all the libxenctrl ops fail with -EPERM and
 *    other domains are refused;
 *  - a small in-memory xenstore with transactions, permissions and watches;
 *  - failure injection per op, a trace of mutating calls, counters of what is
 *    still held (handles, servers, mappings, bound ports).
 * Open it with vgt_xen_double_ops.open(d, ...) where d is a struct vgt_xd.
 */
#ifndef VGT_XEN_DOUBLE_H
#define VGT_XEN_DOUBLE_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/hvm/ioreq.h>
#include "daemon/xen/xen-ops.h"

struct vgt_xd;

struct vgt_xd_params {
    uint32_t domid;
    unsigned vcpus;
    uint64_t guest_mem;          /* bytes of RAM from gfn 0 */
    uint64_t extra_pages;        /* pool for populate (0: 4096) */
    uint32_t first_port;         /* first local event channel port (0: 5) */
};

enum vgt_xd_op {
    VGT_XD_OPEN, VGT_XD_CREATE_SERVER, VGT_XD_GET_BUFPORT, VGT_XD_MAP_PAGES, VGT_XD_MAP_PCIDEV,
    VGT_XD_MAP_IO_RANGE, VGT_XD_SET_STATE, VGT_XD_INJECT_MSI, VGT_XD_RELOCATE, VGT_XD_BIND,
    VGT_XD_PENDING, VGT_XD_MAP_GUEST, VGT_XD_DOMAIN_INFO, VGT_XD_SET_MAXMEM, VGT_XD_POPULATE,
    VGT_XD_DECREASE, VGT_XD_RESTRICT, VGT_XD_XS_TXN_END, VGT_XD_OP_MAX
};

struct vgt_xd_state {
    unsigned handles;            /* open handle sets */
    unsigned servers;            /* ioreq servers alive */
    bool enabled;
    unsigned pcidevs, io_ranges, resource_maps, bound_ports;
    uint64_t guest_mapped_pages; /* foreign-mapped frames still mapped */
    uint64_t max_memkb;
    uint64_t extra_pages;        /* populated frames beyond RAM */
    bool restricted;             /* some handle set was restricted (libxenctrl ops fail on it) */
    uint64_t msi_count, last_msi_addr;
    uint32_t last_msi_data;
    bool intx_level;             /* INTA of the device as last set */
    uint64_t intx_changes;
    /* requests still in flight (ready or in process) when a server was destroyed:
     * their vCPUs would wait in Xen for good */
    unsigned stranded;
};

extern const struct vgt_xen_ops vgt_xen_double_ops;

struct vgt_xd *vgt_xd_new(const struct vgt_xd_params *p);
/* A worker on the double keeps its socket, restart record and state file next
 * to each other: a private folder for them (prefix.XXXXXX under /tmp), emptied
 * and removed at exit; the socket's path in sock.  0 or -errno. */
int vgt_xd_worker_dir(char *sock, size_t len, const char *prefix);
void vgt_xd_free(struct vgt_xd *d);

/* Make the (after+1)-th next call of op fail with err (negative errno). */
void vgt_xd_fail(struct vgt_xd *d, enum vgt_xd_op op, int err, unsigned after);
void vgt_xd_get_state(struct vgt_xd *d, struct vgt_xd_state *st);
/* ';'-separated names of mutating calls since the last clear. */
const char *vgt_xd_trace(struct vgt_xd *d);
void vgt_xd_trace_clear(struct vgt_xd *d);
bool vgt_xd_has_range(struct vgt_xd *d, bool is_mmio, uint64_t start, uint64_t end);
bool vgt_xd_has_pcidev(struct vgt_xd *d, unsigned seg, unsigned bus, unsigned dev, unsigned fn);

/* ---- the guest side (what Xen and the guest do) */
volatile ioreq_t *vgt_xd_slot(struct vgt_xd *d, unsigned vcpu);
volatile buffered_iopage_t *vgt_xd_bufpage(struct vgt_xd *d);
/* Put req into the vCPU's slot (state READY) and raise its port. */
void vgt_xd_post(struct vgt_xd *d, unsigned vcpu, const ioreq_t *req);
void vgt_xd_kick(struct vgt_xd *d, unsigned vcpu);  /* raise the vCPU's port */
void vgt_xd_kick_buf(struct vgt_xd *d);             /* raise the buffered port */
/* Append a buffered request (8-byte ones take two slots) and raise the port. */
void vgt_xd_post_buf(struct vgt_xd *d, uint8_t type, uint32_t addr, unsigned size,
                     uint64_t data);
/* The domain dies: every op on it fails with -ESRCH from now on. */
void vgt_xd_kill(struct vgt_xd *d);
uint64_t vgt_xd_notified(struct vgt_xd *d, unsigned vcpu);  /* notifies on its port */
uint64_t vgt_xd_woken(struct vgt_xd *d, unsigned vcpu);     /* the same, over every binding */
/* Paused vCPUs do not run when woken: an answer left in a disabled server's
 * slot stays there (otherwise the woken vCPU takes it at once, as in Xen). */
void vgt_xd_pause_vcpus(struct vgt_xd *d, bool paused);
/* Pointer to a guest frame (RAM or populated), NULL if none. */
void *vgt_xd_gfn(struct vgt_xd *d, uint64_t gfn);

/* ---- xenstore: fire the watches registered on a special path (@releaseDomain) */
void vgt_xd_xs_fire(struct vgt_xd *d, const char *path);
unsigned vgt_xd_xs_perms(struct vgt_xd *d, const char *path, struct vgt_xs_perm *out,
                         unsigned max);

#endif
