/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What vgtd needs of Xen: xenstore and domain state.  vgtd never calls
 * libxenstore or libxenctrl itself; it goes through this small table, which
 * is bridged to the one Xen ops table of daemon/xen (real or test double).
 * Every function returns 0 or a negative errno.
 */
#ifndef VGTD_MXEN_H
#define VGTD_MXEN_H

#include <stdbool.h>
#include <stdint.h>

struct mxen_dominfo {
    bool dying;
    bool shutdown;
    bool reason_known;          /* else a shut-down domain may be rebooting */
    unsigned shutdown_reason;   /* SHUTDOWN_* of xen/sched.h: 0 poweroff, 1 reboot, ... */
};
#define MXEN_SHUTDOWN_REBOOT 1

struct mxen;   /* opaque handle of one implementation */

struct mxen_ops {
    void (*close)(struct mxen *x);
    /* xenstore; t is a transaction id from tx_start, or 0 */
    int (*read)(struct mxen *x, uint32_t t, const char *path, char **value);  /* -ENOENT */
    int (*write)(struct mxen *x, uint32_t t, const char *path, const char *value);
    int (*rm)(struct mxen *x, uint32_t t, const char *path);                  /* absent: 0 */
    int (*directory)(struct mxen *x, uint32_t t, const char *path,
                     char ***names, unsigned *n);   /* names: one malloc'ed block */
    /* owner: full control; reader: may read (-1: nobody else) */
    int (*set_perms)(struct mxen *x, uint32_t t, const char *path, uint32_t owner,
                     int reader);
    int (*tx_start)(struct mxen *x, uint32_t *t);
    int (*tx_end)(struct mxen *x, uint32_t t, bool abort);  /* -EAGAIN: retry */
    int (*watch)(struct mxen *x, const char *path, const char *token);
    int (*fileno)(struct mxen *x);
    /* one pending watch event: 0 (path and token malloc'ed), -EAGAIN when none */
    int (*check_watch)(struct mxen *x, char **path, char **token);
    /* -ESRCH when the domain does not exist */
    int (*domain_info)(struct mxen *x, uint32_t domid, struct mxen_dominfo *out);
};

struct mxen {
    const struct mxen_ops *ops;
};

struct vgt_xen_ops;
struct vgt_xen;
/* Over the Xen ops table of daemon/xen (xen-ops.h); x is closed with the mxen. */
int mxen_from_xen_ops(const struct vgt_xen_ops *ops, struct vgt_xen *x, struct mxen **out);
/* The real implementation: xenstore and libxenctrl through vgt_xen_real_ops. */
int mxen_open_real(struct mxen **out);

#endif
