/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vgt-worker: one process per vGPU guest.  It owns the guest's ioreq server and
 * its mediator instance, is restricted to that domain and runs unprivileged
 * after set-up.  Contract with vgtd: daemon/IPC.md.
 *
 * Start-up is an explicit list of stages; teardown undoes exactly the stages
 * reached, so a failed start and a normal end share one path.
 */
#ifndef VGT_WORKER_H
#define VGT_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>
#include <xen/xen.h>
#include <xen/hvm/ioreq.h>
#include "daemon/mediator/mediator.h"
#include "daemon/xen/xen-ops.h"
#include "vgt/alloc.h"
#include "vgt/monitor.h"
#include "vgt/profile.h"
#include "vgt/util.h"

enum vgt_worker_stage {
    VGT_STAGE_NONE,
    VGT_STAGE_HANDLES,     /* Xen handles open, domain checked */
    VGT_STAGE_MEDIATOR,    /* mediator instance created, monitor.config ports connected */
    VGT_STAGE_SERVER,      /* ioreq server created (bufioreq atomic) */
    VGT_STAGE_PAGES,       /* buffered page + vCPU slot pages mapped */
    VGT_STAGE_BACKING,     /* memory-backed regions populated, mapped, handed over */
    VGT_STAGE_PCIDEV,      /* the PCI device claimed */
    VGT_STAGE_RESTORE,     /* a crashed predecessor's PCI config replayed (BARs, MSI, ASLS) */
    VGT_STAGE_STATE,       /* the device state in worker-D.state (a predecessor's taken over) */
    VGT_STAGE_ENABLED,     /* server enabled (vp_eport valid from here) */
    VGT_STAGE_PORTS,       /* per-vCPU and buffered ports bound */
    VGT_STAGE_LOOP,        /* epoll, signalfd, vblank and watchdog timerfds */
    VGT_STAGE_HANDOVER,    /* a dead predecessor's server disabled, served, destroyed */
    VGT_STAGE_SOCKET,      /* control socket listening */
    VGT_STAGE_RESTRICTED,  /* xentoolcore_restrict_all(domid) */
    VGT_STAGE_PRIVDROP,    /* unprivileged user, no capabilities, no new privileges */
    VGT_STAGE_READY,       /* "ready" sent */
    VGT_STAGE_MAX
};

const char *vgt_worker_stage_name(enum vgt_worker_stage s);

struct vgt_worker_config {
    uint32_t domid;
    unsigned vcpus;
    unsigned seg, bus, dev, fn;             /* the vGPU's BDF in the guest */
    struct vgt_profile profile;
    struct vgt_partition part;
    uint64_t guest_mem;                     /* bytes */
    const char *socket_path;
    const char *user;                       /* USER or vgtd's per-domain "UID:GID";
                                               NULL: keep the current user (tests) */
    bool has_monitor;
    struct vgt_monitor_config monitor;
    const struct vgt_xen_ops *xen;
    void *xen_arg;
    const struct vgt_mediator_ops *med;
    enum vgt_worker_stage fail_stage;       /* tests: this stage fails with -EIO */
    bool quiet;                             /* no log output below LOG_ERR (tests, bench) */
    unsigned watchdog_ms;                   /* domain-alive check period (0: 2000) */
    unsigned poll_us;                       /* cap of the adaptive poll after an answer (0: off) */
};

#define VGT_WORKER_MAX_WINDOWS (VGT_NR_BARS * VGT_MAX_REGIONS)
#define VGT_WORKER_MAX_BACKING 3         /* GGTT half of BAR0 (+1 spare) and the OpRegion */
#define VGT_WORKER_BACKING_OPREGION (-1) /* bar of the OpRegion's backed region */
#define VGT_WORKER_MAP_CACHE 16
#define VGT_WORKER_MAX_REP 4096         /* elements per rep request */
#define VGT_WORKER_MAX_VCPUS 128
#define VGT_WORKER_PCICFG 256           /* config space bytes recorded for a successor */

/* A trapped region as mapped to the ioreq server (guest addresses, end inclusive). */
struct vgt_worker_window {
    uint64_t start, end;
    uint64_t bar_base;                  /* guest address of the BAR */
    int bar;
    bool is_mmio;
};

/* A backed region: guest frames populated once (before restrict), parked, then
 * moved with the relocate dm_op: a BAR's memory region (moved with the BAR) or
 * the OpRegion (bar VGT_WORKER_BACKING_OPREGION, moved to where ASLS points). */
struct vgt_worker_backing {
    bool present, populated, maxmem_raised;
    int bar;                            /* VGT_WORKER_BACKING_OPREGION: the OpRegion */
    unsigned region;
    uint64_t npages;
    uint64_t park_gfn, cur_gfn;
    void *mem;
    bool placed;                        /* restore: put where the replayed config wants it */
};

/* epoll tags of the loop's sources */
enum { VGT_EV_EVTCHN = 1, VGT_EV_LISTEN, VGT_EV_CLIENT, VGT_EV_SIGNAL, VGT_EV_TIMER,
       VGT_EV_WATCHDOG };

struct vgt_worker_mapent { bool used; uint64_t gfn; void *va; };

struct vgt_worker_stats {
    uint64_t requests, buffered, bad_access, invalidates, rep_capped;
    uint64_t polled;                    /* requests found by the poll after an answer (no wake-up) */
    uint64_t asls_refused;              /* ASLS values the OpRegion could not go to (also in bad_access) */
};

struct vgt_worker {
    struct vgt_worker_config cfg;
    enum vgt_worker_stage stage;        /* the last stage reached */
    struct vgt_xen *xen;
    const struct vgt_xen_ops *x;
    struct vgt_vgpu *vgpu;
    struct vgt_host_ops host;

    uint16_t server_id;
    bool server_up;                     /* our ioreq server exists */
    struct vgt_xen_mapping *pages_map;
    volatile buffered_iopage_t *buf;
    volatile shared_iopage_t *shared;
    uint32_t buf_remote, buf_local;
    bool buf_bound;
    uint32_t *vcpu_local;               /* per vCPU local port (UINT32_MAX: unbound) */
    uint16_t *port_vcpu;                /* local port -> vCPU + 1 (0: not a vCPU port) */
    uint32_t port_vcpu_len;

    struct vgt_bar bars[VGT_NR_BARS];
    struct vgt_worker_window win[VGT_WORKER_MAX_WINDOWS];
    unsigned nwin;
    struct vgt_worker_backing backing[VGT_WORKER_MAX_BACKING];
    /* The restart record (worker-D.ioreq next to the socket): our server id and
     * backing frames, so that a successor after a crash can destroy the server
     * and adopt the frames.  stale: what a dead predecessor left (mem mapped). */
    int record_fd;
    char record_path[256];
    struct vgt_worker_backing stale[VGT_WORKER_MAX_BACKING];
    /* A dead predecessor's ioreq server (-1: none), its pages mapped: it keeps
     * claiming the device until ours is up (VGT_STAGE_HANDOVER), so that no
     * access falls through to QEMU meanwhile; accesses that reach it wait. */
    int stale_server;
    bool stale_handed;                  /* served and disabled; destroyed once answers are taken */
    struct vgt_xen_mapping *stale_map;
    volatile buffered_iopage_t *stale_buf;
    volatile shared_iopage_t *stale_shared;
    /* The guest-visible config space as last recorded (the record's "config"
     * line); restore_pending: it is a predecessor's, to be replayed. */
    uint8_t pcicfg[VGT_WORKER_PCICFG];
    bool pcicfg_recorded, restore_pending;
    /* The mediator's device state (registers, interrupts, display, counters) in
     * worker-D.state, mapped shared: a successor proven by the record (as for
     * restore_pending: state_proven) takes it over after the config replay. */
    int state_fd;
    char state_path[256];
    void *state_mem;
    size_t state_len;
    bool state_proven, state_resumed;
    struct vgt_worker_mapent mapcache[VGT_WORKER_MAP_CACHE];

    /* Adaptive poll: after answering, the slots are watched for poll_win_ns
     * (grown and shrunk within cfg.poll_us by vgt_worker_poll_adapt);
     * poll_end_ns: when the worker last went to sleep after an answer (0: not). */
    uint64_t poll_win_ns, poll_end_ns;

    int epfd, sigfd, listen_fd, client_fd, timerfd, watchdog_fd;
    bool vblank_armed;                  /* the 60 Hz vblank timer runs */
    sigset_t old_sigmask;
    bool sigmask_saved;
    uid_t start_uid;
    bool restricted;
    bool ready, display_ready, failsafe, quit;
    /* start-up time (an attach an administrator waits for): total and the longest stage */
    uint64_t setup_ns, longest_ns;
    enum vgt_worker_stage longest;
    bool domain_gone;                   /* Xen objects went with the domain */
    unsigned guest_logs;                /* messages the guest triggered so far */
    struct vgt_worker_stats stats;
};

/* Run the stages; on failure the reached stages are undone and -errno returned. */
int vgt_worker_start(struct vgt_worker *w, const struct vgt_worker_config *cfg);
/* --user: 1 and the ids for "UID:GID" (decimal, non-zero), 0 for a user name,
 * -EINVAL for anything else with a ':'. */
int vgt_worker_parse_ids(const char *s, uid_t *uid, gid_t *gid);
/* Undo every stage reached (idempotent). */
void vgt_worker_teardown(struct vgt_worker *w);

/* Event loop: one pass waits up to timeout_ms (-1: forever); run until shutdown/SIGTERM. */
int vgt_worker_run_once(struct vgt_worker *w, int timeout_ms);
int vgt_worker_run(struct vgt_worker *w);

/* The hot path: the event channel fd is readable. */
void vgt_worker_evtchn_ready(struct vgt_worker *w);

#define VGT_WORKER_POLL_BASE_NS 10000ull    /* the first poll window: 10 us */
/* The next poll window after the guest's next access came slept_ns after the
 * worker went to sleep (a window of win_ns having passed in vain, or none):
 * doubled (from the base) if a window up to max_ns would have caught it,
 * halved (to 0 below the base) after a longer idle.  Pure logic. */
uint64_t vgt_worker_poll_adapt(uint64_t win_ns, uint64_t max_ns, uint64_t slept_ns);

/* Enter failsafe: requests get all ones, writes are dropped; vgtd is told. */
void vgt_worker_failsafe(struct vgt_worker *w, const char *reason);

void vgt_worker_log(struct vgt_worker *w, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A message the guest can trigger at will: a bounded number per worker, then silence. */
void vgt_worker_log_guest(struct vgt_worker *w, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Guest memory through the mapping cache; -EFAULT if not the guest's RAM. */
int vgt_worker_guest_copy(struct vgt_worker *w, uint64_t gpa, void *buf, size_t len, bool write);

/* ---- internal, shared between the worker's files */
void vgt_worker_dispatch(struct vgt_worker *w, ioreq_t *req);
void vgt_worker_drain_buffered(struct vgt_worker *w, volatile buffered_iopage_t *buf);
/* Serve the request in slot s (buffered writes in buf first) and answer it there;
 * false if it holds none.  adopt: the slot is a dead worker's, and a request it
 * had taken (INPROCESS) is served too: a read again, a write not twice. */
bool vgt_worker_serve_slot(struct vgt_worker *w, volatile ioreq_t *s,
                           volatile buffered_iopage_t *buf, bool adopt);
void vgt_worker_mapcache_flush(struct vgt_worker *w);
int vgt_worker_ctl_listen(struct vgt_worker *w);
void vgt_worker_ctl_close(struct vgt_worker *w);
void vgt_worker_ctl_accept(struct vgt_worker *w);
void vgt_worker_ctl_input(struct vgt_worker *w);
void vgt_worker_ctl_event(struct vgt_worker *w, const char *event, const char *reason);
void vgt_worker_vblank_arm(struct vgt_worker *w);
/* After a guest config write: record the config space if it changed. */
void vgt_worker_pcicfg_changed(struct vgt_worker *w);

#endif
