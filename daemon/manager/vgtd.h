/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vgtd, the dom0 manager: partitions, guest lifecycle, xenstore state, the
 * control socket, and one supervised worker process per vGPU guest.
 * Internal header of daemon/manager; functions vgtd_* / guest_* / ctl_*.
 */
#ifndef VGTD_H
#define VGTD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "vgt/alloc.h"
#include "vgt/error.h"
#include "vgt/monitor.h"
#include "vgt/profile.h"
#include "vgt/proto.h"
#include "daemon/manager/mxen.h"

/* ---- configuration (conf.c) ------------------------------------------- */

enum vgtd_owner_at_boot { VGTD_BOOT_DOM0, VGTD_BOOT_GUEST };

struct vgtd_conf {
    char *file;                    /* the file read, or NULL */
    char *profile;                 /* name or path */
    long host_low_mb, host_high_mb, host_fences; /* -1: the profile's */
    char *pci_bdf;                 /* "0000:00:05.0" */
    enum vgtd_owner_at_boot owner_at_boot;
    bool preallocated_monitor_to_guest;
    bool default_monitor;          /* a virtual monitor for guests without monitor.config */
    struct vgt_monitor_item default_item;
    char *worker;                  /* the worker binary */
    char *worker_user;             /* shared by all workers unless worker_uid_base */
    long worker_uid_base;          /* > 0: the worker of domain D runs as uid = gid = base + D */
    char *state_dir;               /* worker sockets */
    char *socket;                  /* control socket */
    char *socket_group;            /* NULL: root only */
    gid_t socket_gid;
    unsigned worker_restarts;      /* per restart_window */
    unsigned worker_ready_timeout; /* seconds */
    unsigned reboot_hold;          /* seconds a rebooting VM's partition stays reserved */
    unsigned worker_poll_us;       /* cap of a worker's adaptive poll after an answer (0: off) */
    bool host_monitors;            /* mirror an Intel host's monitors (direct mode) */
    char *drm_sysfs;               /* tests: a DRM sysfs tree instead of /sys/class/drm */
};

void vgtd_conf_init(struct vgtd_conf *c);
void vgtd_conf_dispose(struct vgtd_conf *c);
/* Read FILE (missing file: -ENOENT unless !must_exist); every error in diag. */
int vgtd_conf_read(struct vgtd_conf *c, const char *file, bool must_exist, struct vgt_diag *diag);
/* Defaults for what was not set (after the file and the command line). */
int vgtd_conf_finish(struct vgtd_conf *c);

/* The highest guest domid (DOMID_FIRST_RESERVED - 1): worker uids span base+1..base+this. */
#define VGTD_MAX_DOMID 32751
/* The worker's --user for domain domid: "UID:GID" (worker_uid_base + domid) or
 * worker_user; buf holds the numeric form.  *per_domain says which. */
const char *vgtd_conf_worker_user(const struct vgtd_conf *c, uint32_t domid, char *buf,
                                  size_t n, bool *per_domain);

/* ---- logging (log.c) --------------------------------------------------- */

struct vgtd_guest;
void vgtd_log_init(bool to_journal, int max_level);
void vgtd_log(int level, const struct vgtd_guest *g, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define log_err(g, ...) vgtd_log(3, g, __VA_ARGS__)
#define log_warn(g, ...) vgtd_log(4, g, __VA_ARGS__)
#define log_info(g, ...) vgtd_log(6, g, __VA_ARGS__)
#define log_debug(g, ...) vgtd_log(7, g, __VA_ARGS__)

/* ---- JSON: the protocol's helpers (vgt/proto.h), plus a range check ---- */

/* 0, -ENOENT (absent or null), -EINVAL (wrong type or above max) */
static inline int json_u64_max(yajl_val obj, const char *key, uint64_t max, uint64_t *out)
{
    uint64_t v;
    int r = vgt_json_get_u64(obj, key, &v);
    if (r < 0)
        return r;
    if (v > max)
        return -EINVAL;
    *out = v;
    return 0;
}

/* ---- worker connection (wconn.c) --------------------------------------- */

struct wconn;
/* A reply (obj != NULL) or a failure (err < 0: -ETIMEDOUT, -ECONNRESET). fd: a
 * passed memfd, owned by the callback (or -1). */
typedef void (*wconn_reply_fn)(void *userdata, int err, yajl_val reply, int fd);
/* Events, and the end of the connection (ev NULL). */
typedef void (*wconn_event_fn)(void *userdata, yajl_val ev);

int wconn_connect(sd_event *e, const char *path, wconn_event_fn on_event, void *userdata,
                  struct wconn **out);
void wconn_free(struct wconn *w);   /* pending requests get -ECANCELED */
/* req: one JSON object (text). */
int wconn_request(struct wconn *w, const char *req, unsigned timeout_ms, wconn_reply_fn cb,
                  void *userdata);

/* ---- guests (guest.c) -------------------------------------------------- */

enum guest_state {
    GUEST_STARTING,     /* worker started, waiting for ready */
    GUEST_RUNNING,      /* worker ready */
    GUEST_RESTARTING,   /* worker died, a new one is coming */
    GUEST_FAILSAFE,     /* no worker: the vGPU does not serve (guest sees nothing claimed) */
    GUEST_REBOOTING,    /* domain gone by reboot: partition held for the new domain */
};

struct ctl_req;

struct vgtd_guest {
    struct vgtd *d;
    struct vgtd_guest *next;
    char key[80];                 /* xenstore key: VM name, else uuid, else dom-N */
    char name[64];
    char uuid[40];
    uint32_t domid;               /* 0 while rebooting */
    struct vgt_request req;
    struct vgt_partition part;
    unsigned vcpus;
    uint64_t mem_bytes;
    struct vgt_monitor_config monitor;   /* what is connected at start (indirect or default) */
    bool indirect;
    enum guest_state state;
    bool display_ready;
    bool failsafe_by_worker;     /* the worker said failsafe */
    char failsafe_reason[96];
    bool seen_reboot;            /* the domain shut down with reason reboot */

    struct wproc *proc;          /* the worker process (NULL: none) */
    struct wconn *w;             /* connection to it */
    sd_event_source *timer;      /* connect retry, restart delay, reboot hold */
    sd_event_source *deadline;   /* ready timeout */
    bool adopting;               /* reconnecting to a running worker after a vgtd restart */
    uint64_t connect_delay;      /* next retry to connect to the worker's socket (us) */
    bool new_attach;             /* first start of an attach (display owner at boot) */
    unsigned restarts;
    uint64_t restart_window_start;
    unsigned apply_next;         /* next monitor item to apply */
    bool applying;               /* connecting the ports after ready */
    struct ctl_req *attach_req;  /* the attach waiting for ready */
    uint64_t stat[5];            /* refused-access counters of the last status */
    unsigned n_ports;            /* ports of the last status */
    struct {
        char port[8], type[8], override[8];
        bool connected;
    } ports[VGT_PORT_MAX];
};
/* Take a worker's status reply into g (list, switch). */
void guest_take_status(struct vgtd_guest *g, yajl_val st);
/* Remember a hotplug for the next reboot and restart (connect, or disconnect if !it). */
void guest_remember_port(struct vgtd_guest *g, enum vgt_port port,
                         const struct vgt_monitor_item *it);
const char *guest_state_name(enum guest_state s);
pid_t guest_worker_pid(const struct vgtd_guest *g);   /* 0: none */

/* ---- the daemon (vgtd.c) ----------------------------------------------- */

struct ctl_conn;
struct wproc;
struct sd_device_monitor;

struct vgtd {
    sd_event *ev;
    struct vgtd_conf conf;
    struct vgt_profile profile;
    char *profile_path;           /* the effective profile, for the workers */
    struct vgt_allocator *alloc;
    struct mxen *xen;
    int stage;                    /* start-up stages reached (vgtd.c) */
    int ctl_fd;
    sd_event_source *ctl_src, *xs_src, *sig_src[3];
    struct vgtd_guest *guests;
    struct wproc *procs;          /* every worker process we watch */
    struct ctl_conn *conns;
    uint32_t display_owner;       /* 0: dom0 */
    bool host_gpu;                /* an i915 card: direct mode mirrors its monitors */
    struct vgt_monitor_config host_mon;
    struct sd_device_monitor *drm_mon;
    bool quitting;
    unsigned n_requests;          /* control requests served (tests) */
};

/* Stage-by-stage start; vgtd_stop undoes exactly the stages reached.  The
 * caller owns e and xen (vgtd closes xen on stop). */
int vgtd_start(struct vgtd *d, sd_event *e, struct mxen *xen, struct vgt_diag *diag);
void vgtd_stop(struct vgtd *d);
/* As if killed: drop memory and fds, touch neither xenstore nor workers (tests). */
void vgtd_abandon(struct vgtd *d);

int vgtd_publish_gpu(struct vgtd *d);
int vgtd_set_display_owner(struct vgtd *d, uint32_t domid);

/* guest.c */
struct vgtd_guest *guest_by_domid(struct vgtd *d, uint32_t domid);
struct vgtd_guest *guest_by_key(struct vgtd *d, const char *key);

struct attach_args {
    uint32_t domid;
    const char *name, *uuid;
    struct vgt_request req;
    unsigned vcpus;
    uint64_t mem_bytes;
    const char *monitor_config;   /* path or NULL */
};
/* Allocates (or takes back a rebooting VM's partition), starts the worker;
 * the reply to r goes out when the worker is ready and the monitors are applied. */
int guest_attach(struct vgtd *d, const struct attach_args *a, struct ctl_req *r,
                 struct vgt_diag *diag);
/* Stop the worker and free the partition (detach, domain destroyed). */
void guest_destroy(struct vgtd_guest *g, const char *why);
/* @releaseDomain / @introduceDomain: look at every guest. */
void guests_check_domains(struct vgtd *d);
/* Rebuild guests from xenstore after a restart of vgtd. */
int guests_restore(struct vgtd *d, struct vgt_diag *diag);
/* Forget guests without touching anything (stop/abandon). */
void guests_drop(struct vgtd *d);
int guest_publish(struct vgtd_guest *g);
/* Send a request to the guest's worker; -ENOTCONN if it has none. */
int guest_request(struct vgtd_guest *g, const char *req, unsigned timeout_ms,
                  wconn_reply_fn cb, void *userdata);

/* ---- host monitors (host.c) --------------------------------------------- */

/* 1 if root has an i915 card (out: its connected monitors as virtual ports), else 0. */
int host_monitors_read(const char *root, struct vgt_monitor_config *out);
int host_start(struct vgtd *d);
void host_stop(struct vgtd *d);
/* Read the host's monitors again; direct-mode guests follow. */
void host_rescan(struct vgtd *d);
/* Give a guest these monitors (hotplug what changed if its worker runs). */
void guest_set_monitors(struct vgtd_guest *g, const struct vgt_monitor_config *m);

/* ---- control socket (control.c, commands.c) ---------------------------- */

/* -EADDRINUSE if another vgtd answers on the socket (checked before anything else). */
int ctl_probe(struct vgtd *d, struct vgt_diag *diag);
int ctl_listen(struct vgtd *d, struct vgt_diag *diag);
void ctl_close_all(struct vgtd *d);

struct ctl_req {
    struct ctl_conn *c;           /* NULL once the connection is gone */
    struct vgtd *d;
    yajl_val msg;
    uid_t uid;                    /* of the peer (SO_PEERCRED) */
    unsigned pending;             /* outstanding worker replies */
};
/* Complete a request with a reply built in m (disposed here). */
void ctl_reply_msg(struct ctl_req *r, struct vgt_msg *m);
void ctl_reply_error(struct ctl_req *r, int negerr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ctl_reply_diag(struct ctl_req *r, int negerr, const struct vgt_diag *diag);

/* commands.c: dispatch one request (the reply may come later). */
void cmd_dispatch(struct ctl_req *r);
/* attach completion, from guest.c */
void cmd_attach_done(struct ctl_req *r, struct vgtd_guest *g, int err, const char *msg);

#endif
