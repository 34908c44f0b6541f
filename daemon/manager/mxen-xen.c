/* SPDX-License-Identifier: GPL-2.0-only */
/* vgtd's view of Xen (mxen.h) over the one Xen ops table of daemon/xen. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/manager/mxen.h"
#include "daemon/xen/xen-ops.h"

struct mxen_xen {
    struct mxen m;
    const struct vgt_xen_ops *ops;
    struct vgt_xen *x;
};

#define X(m) ((struct mxen_xen *)(m))

static void mx_close(struct mxen *m)
{
    if (X(m)->ops->close)
        X(m)->ops->close(X(m)->x);
    free(m);
}

static int mx_read(struct mxen *m, uint32_t t, const char *path, char **value)
{
    size_t len;
    return X(m)->ops->xs_read(X(m)->x, t, path, value, &len);
}

static int mx_write(struct mxen *m, uint32_t t, const char *path, const char *value)
{
    return X(m)->ops->xs_write(X(m)->x, t, path, value, strlen(value));
}

static int mx_rm(struct mxen *m, uint32_t t, const char *path)
{
    int r = X(m)->ops->xs_rm(X(m)->x, t, path);
    return r == -ENOENT ? 0 : r;
}

static int mx_directory(struct mxen *m, uint32_t t, const char *path, char ***names, unsigned *n)
{
    return X(m)->ops->xs_directory(X(m)->x, t, path, names, n);
}

static int mx_set_perms(struct mxen *m, uint32_t t, const char *path, uint32_t owner, int reader)
{
    struct vgt_xs_perm p[2] = { { owner, VGT_XS_NONE }, { (unsigned)reader, VGT_XS_READ } };
    return X(m)->ops->xs_set_perms(X(m)->x, t, path, p, reader >= 0 ? 2 : 1);
}

static int mx_tx_start(struct mxen *m, uint32_t *t)
{
    return X(m)->ops->xs_transaction_start(X(m)->x, t);
}

static int mx_tx_end(struct mxen *m, uint32_t t, bool abort)
{
    return X(m)->ops->xs_transaction_end(X(m)->x, t, abort);
}

static int mx_watch(struct mxen *m, const char *path, const char *token)
{
    return X(m)->ops->xs_watch(X(m)->x, path, token);
}

static int mx_fileno(struct mxen *m)
{
    return X(m)->ops->xs_fileno(X(m)->x);
}

static int mx_check_watch(struct mxen *m, char **path, char **token)
{
    return X(m)->ops->xs_check_watch(X(m)->x, path, token);
}

static int mx_domain_info(struct mxen *m, uint32_t domid, struct mxen_dominfo *out)
{
    struct vgt_xen_dominfo info;
    int r = X(m)->ops->domain_info(X(m)->x, domid, &info);
    if (r < 0)
        return r;
    memset(out, 0, sizeof(*out));
    out->dying = info.dying;
    out->shutdown = info.shutdown;
    out->reason_known = info.shutdown;
    out->shutdown_reason = info.shutdown_reason;
    return 0;
}

static const struct mxen_ops mxen_xen_ops = {
    .close = mx_close,
    .read = mx_read,
    .write = mx_write,
    .rm = mx_rm,
    .directory = mx_directory,
    .set_perms = mx_set_perms,
    .tx_start = mx_tx_start,
    .tx_end = mx_tx_end,
    .watch = mx_watch,
    .fileno = mx_fileno,
    .check_watch = mx_check_watch,
    .domain_info = mx_domain_info,
};

int mxen_from_xen_ops(const struct vgt_xen_ops *ops, struct vgt_xen *x, struct mxen **out)
{
    struct mxen_xen *m = calloc(1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    m->m.ops = &mxen_xen_ops;
    m->ops = ops;
    m->x = x;
    *out = &m->m;
    return 0;
}
