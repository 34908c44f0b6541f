/* SPDX-License-Identifier: GPL-2.0-only */
/* The Xen ops table on the real libraries (Xen 4.17). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xenstore.h>
#include <xentoolcore.h>
#include "daemon/xen/irq-affinity.h"
#include "daemon/xen/xen-ops.h"

struct vgt_xen {
    xendevicemodel_handle *dm;
    xenforeignmemory_handle *fm;
    xenevtchn_handle *ev;
    char ev_irq_name[32];       /* "evtchn:COMM" of our ports' IRQs */
    xc_interface *xc;
    struct xs_handle *xs;
};

/* The libraries return -1 and set errno. */
static int neg_errno(void) { return errno > 0 ? -errno : -EIO; }
#define CALL(expr) ((expr) < 0 ? neg_errno() : 0)

static void real_close(struct vgt_xen *x)
{
    if (!x)
        return;
    if (x->xs)
        xs_close(x->xs);
    if (x->xc)
        xc_interface_close(x->xc);
    if (x->ev)
        xenevtchn_close(x->ev);
    if (x->fm)
        xenforeignmemory_close(x->fm);
    if (x->dm)
        xendevicemodel_close(x->dm);
    free(x);
}

static int real_open(void *arg, unsigned what, struct vgt_xen **out)
{
    struct vgt_xen *x = calloc(1, sizeof(*x));
    int r = 0;

    if (!x)
        return -ENOMEM;
    if ((what & VGT_XEN_DM) && !(x->dm = xendevicemodel_open(NULL, 0)))
        r = neg_errno();
    if (!r && (what & VGT_XEN_FMEM) && !(x->fm = xenforeignmemory_open(NULL, 0)))
        r = neg_errno();
    if (!r && (what & VGT_XEN_EVTCHN)) {
        char comm[16] = "";
        /* Linux names the IRQs of the ports after the opener: see colocate */
        prctl(PR_GET_NAME, comm, 0, 0, 0);
        snprintf(x->ev_irq_name, sizeof(x->ev_irq_name), "evtchn:%s", comm);
        if (!(x->ev = xenevtchn_open(NULL, 0)))
            r = neg_errno();
        /* Non-blocking: a read with nothing pending says -EAGAIN, never blocks
         * the loop. */
        else if (fcntl(xenevtchn_fd(x->ev), F_SETFL,
                       fcntl(xenevtchn_fd(x->ev), F_GETFL) | O_NONBLOCK) < 0)
            r = neg_errno();
    }
    if (!r && (what & VGT_XEN_CTRL) && !(x->xc = xc_interface_open(NULL, NULL, 0)))
        r = neg_errno();
    if (!r && (what & VGT_XEN_STORE) && !(x->xs = xs_open(0)))
        r = neg_errno();
    if (r) {
        real_close(x);
        return r;
    }
    *out = x;
    return 0;
}

static int real_create_server(struct vgt_xen *x, uint32_t domid, int bufioreq, uint16_t *id)
{
    ioservid_t sid;
    int r = CALL(xendevicemodel_create_ioreq_server(x->dm, domid, bufioreq, &sid));
    if (!r)
        *id = sid;
    return r;
}

static int real_destroy_server(struct vgt_xen *x, uint32_t domid, uint16_t id)
{
    return CALL(xendevicemodel_destroy_ioreq_server(x->dm, domid, id));
}

static int real_get_bufioreq_port(struct vgt_xen *x, uint32_t domid, uint16_t id, uint32_t *port)
{
    evtchn_port_t p;
    int r = CALL(xendevicemodel_get_ioreq_server_info(x->dm, domid, id, NULL, NULL, &p));
    if (!r)
        *port = p;
    return r;
}

static int real_map_ioreq_pages(struct vgt_xen *x, uint32_t domid, uint16_t id,
                                unsigned first_frame, unsigned nr_frames, void **addr,
                                struct vgt_xen_mapping **map)
{
    void *a = NULL;
    xenforeignmemory_resource_handle *h =
        xenforeignmemory_map_resource(x->fm, domid, XENMEM_resource_ioreq_server, id,
                                      first_frame, nr_frames, &a, PROT_READ | PROT_WRITE, 0);
    if (!h)
        return neg_errno();
    *addr = a;
    *map = (struct vgt_xen_mapping *)h;
    return 0;
}

static int real_unmap_ioreq_pages(struct vgt_xen *x, struct vgt_xen_mapping *map)
{
    return CALL(xenforeignmemory_unmap_resource(x->fm, (xenforeignmemory_resource_handle *)map));
}

static int real_map_pcidev(struct vgt_xen *x, uint32_t domid, uint16_t id, unsigned seg,
                           unsigned bus, unsigned dev, unsigned fn)
{
    return CALL(xendevicemodel_map_pcidev_to_ioreq_server(x->dm, domid, id, seg, bus, dev, fn));
}

static int real_unmap_pcidev(struct vgt_xen *x, uint32_t domid, uint16_t id, unsigned seg,
                             unsigned bus, unsigned dev, unsigned fn)
{
    return CALL(xendevicemodel_unmap_pcidev_from_ioreq_server(x->dm, domid, id, seg, bus, dev,
                                                              fn));
}

static int real_map_io_range(struct vgt_xen *x, uint32_t domid, uint16_t id, bool is_mmio,
                             uint64_t start, uint64_t end)
{
    return CALL(xendevicemodel_map_io_range_to_ioreq_server(x->dm, domid, id, is_mmio, start,
                                                            end));
}

static int real_unmap_io_range(struct vgt_xen *x, uint32_t domid, uint16_t id, bool is_mmio,
                               uint64_t start, uint64_t end)
{
    return CALL(xendevicemodel_unmap_io_range_from_ioreq_server(x->dm, domid, id, is_mmio,
                                                                start, end));
}

static int real_set_server_state(struct vgt_xen *x, uint32_t domid, uint16_t id, bool enabled)
{
    return CALL(xendevicemodel_set_ioreq_server_state(x->dm, domid, id, enabled));
}

static int real_inject_msi(struct vgt_xen *x, uint32_t domid, uint64_t addr, uint32_t data)
{
    return CALL(xendevicemodel_inject_msi(x->dm, domid, addr, data));
}

static int real_set_pci_intx(struct vgt_xen *x, uint32_t domid, unsigned seg, unsigned bus,
                             unsigned dev, unsigned intx, bool level)
{
    return CALL(xendevicemodel_set_pci_intx_level(x->dm, domid, seg, bus, dev, intx, level));
}

static int real_domain_alive(struct vgt_xen *x, uint32_t domid)
{
    unsigned n;
    return CALL(xendevicemodel_nr_vcpus(x->dm, domid, &n));
}

static int real_relocate_memory(struct vgt_xen *x, uint32_t domid, uint32_t nr, uint64_t src,
                                uint64_t dst)
{
    return CALL(xendevicemodel_relocate_memory(x->dm, domid, nr, src, dst));
}

static int real_evtchn_fd(struct vgt_xen *x) { return xenevtchn_fd(x->ev); }

static int real_evtchn_bind(struct vgt_xen *x, uint32_t domid, uint32_t remote, uint32_t *local)
{
    xenevtchn_port_or_error_t p = xenevtchn_bind_interdomain(x->ev, domid, remote);
    if (p < 0)
        return neg_errno();
    *local = (uint32_t)p;
    return 0;
}

static int real_evtchn_unbind(struct vgt_xen *x, uint32_t local)
{
    return CALL(xenevtchn_unbind(x->ev, local));
}

/*
 * Linux's /dev/xen/evtchn hands out all queued ports in one read() (an array of
 * evtchn_port_t; -EAGAIN on our non-blocking fd when none).  xenevtchn_pending()
 * reads one port, so the hot path would pay a second read() per request just to
 * learn that nothing else is pending: a syscall through Xen for every access.
 */
_Static_assert(sizeof(evtchn_port_t) == sizeof(uint32_t), "evtchn device ABI: 32-bit ports");
static int real_evtchn_pending(struct vgt_xen *x, uint32_t *ports, unsigned max)
{
    ssize_t n = read(xenevtchn_fd(x->ev), ports, max * sizeof(*ports));
    if (n < 0)
        return -errno;
    if (n == 0 || n % sizeof(*ports))
        return -EIO;
    return (int)(n / sizeof(*ports));
}

static int real_evtchn_unmask(struct vgt_xen *x, uint32_t local)
{
    return CALL(xenevtchn_unmask(x->ev, local));
}

static int real_evtchn_notify(struct vgt_xen *x, uint32_t local)
{
    return CALL(xenevtchn_notify(x->ev, local));
}

static int real_evtchn_colocate(struct vgt_xen *x, unsigned nports)
{
    return vgt_colocate_irqs("/proc", x->ev_irq_name, nports);
}

static int real_map_guest(struct vgt_xen *x, uint32_t domid, bool writable, const uint64_t *gfns,
                          size_t n, void **addr)
{
    xen_pfn_t *pfns = calloc(n, sizeof(*pfns));
    int *err = calloc(n, sizeof(*err));
    void *a = NULL;
    int r = 0;

    if (!pfns || !err) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        pfns[i] = gfns[i];
    a = xenforeignmemory_map(x->fm, domid, writable ? PROT_READ | PROT_WRITE : PROT_READ, n,
                             pfns, err);
    if (!a) {
        r = neg_errno();
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (err[i]) {   /* a frame that is not RAM: refuse the whole range */
            xenforeignmemory_unmap(x->fm, a, n);
            r = -EFAULT;
            goto out;
        }
    *addr = a;
out:
    free(pfns);
    free(err);
    return r;
}

static int real_unmap_guest(struct vgt_xen *x, void *addr, size_t n)
{
    return CALL(xenforeignmemory_unmap(x->fm, addr, n));
}

static int real_domain_info(struct vgt_xen *x, uint32_t domid, struct vgt_xen_dominfo *out)
{
    xc_dominfo_t info;
    int r = xc_domain_getinfo(x->xc, domid, 1, &info);

    if (r < 0)
        return neg_errno();
    if (r != 1 || info.domid != domid)
        return -ESRCH;
    out->nr_vcpus = info.max_vcpu_id + 1;
    out->max_memkb = info.max_memkb;
    out->nr_pages = info.nr_pages;
    out->dying = info.dying;
    out->shutdown = info.shutdown;
    out->hvm = info.hvm;
    out->shutdown_reason = info.shutdown_reason;
    return 0;
}

static int real_set_maxmem(struct vgt_xen *x, uint32_t domid, uint64_t kb)
{
    return CALL(xc_domain_setmaxmem(x->xc, domid, kb));
}

static int pfn_array(const uint64_t *gfns, size_t n, xen_pfn_t **out)
{
    xen_pfn_t *p = calloc(n ? n : 1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        p[i] = gfns[i];
    *out = p;
    return 0;
}

static int real_populate(struct vgt_xen *x, uint32_t domid, const uint64_t *gfns, size_t n)
{
    xen_pfn_t *p;
    int r = pfn_array(gfns, n, &p);
    if (r)
        return r;
    r = CALL(xc_domain_populate_physmap_exact(x->xc, domid, n, 0, 0, p));
    free(p);
    return r;
}

static int real_decrease_reservation(struct vgt_xen *x, uint32_t domid, const uint64_t *gfns,
                                     size_t n)
{
    xen_pfn_t *p;
    int r = pfn_array(gfns, n, &p);
    if (r)
        return r;
    r = CALL(xc_domain_decrease_reservation_exact(x->xc, domid, n, 0, p));
    free(p);
    return r;
}

static int real_restrict_all(struct vgt_xen *x, uint32_t domid)
{
    return CALL(xentoolcore_restrict_all(domid));
}

static int real_xs_fileno(struct vgt_xen *x) { return xs_fileno(x->xs); }

static int real_xs_read(struct vgt_xen *x, uint32_t t, const char *path, char **val, size_t *len)
{
    unsigned l = 0;
    char *v = xs_read(x->xs, t, path, &l);
    if (!v)
        return neg_errno();
    *val = v;
    if (len)
        *len = l;
    return 0;
}

static int real_xs_write(struct vgt_xen *x, uint32_t t, const char *path, const void *val,
                         size_t len)
{
    return xs_write(x->xs, t, path, val, len) ? 0 : neg_errno();
}

static int real_xs_rm(struct vgt_xen *x, uint32_t t, const char *path)
{
    return xs_rm(x->xs, t, path) ? 0 : neg_errno();
}

static int real_xs_mkdir(struct vgt_xen *x, uint32_t t, const char *path)
{
    return xs_mkdir(x->xs, t, path) ? 0 : neg_errno();
}

static int real_xs_directory(struct vgt_xen *x, uint32_t t, const char *path, char ***ents,
                             unsigned *n)
{
    char **e = xs_directory(x->xs, t, path, n);
    if (!e)
        return neg_errno();
    *ents = e;
    return 0;
}

static int real_xs_set_perms(struct vgt_xen *x, uint32_t t, const char *path,
                             const struct vgt_xs_perm *perms, unsigned n)
{
    struct xs_permissions p[16];
    if (n == 0 || n > 16)
        return -EINVAL;
    for (unsigned i = 0; i < n; i++) {
        p[i].id = perms[i].domid;
        p[i].perms = (perms[i].perm & VGT_XS_READ ? XS_PERM_READ : 0) |
                     (perms[i].perm & VGT_XS_WRITE ? XS_PERM_WRITE : 0);
    }
    return xs_set_permissions(x->xs, t, path, p, n) ? 0 : neg_errno();
}

static int real_xs_transaction_start(struct vgt_xen *x, uint32_t *t)
{
    xs_transaction_t tx = xs_transaction_start(x->xs);
    if (tx == XBT_NULL)
        return neg_errno();
    *t = tx;
    return 0;
}

static int real_xs_transaction_end(struct vgt_xen *x, uint32_t t, bool abort)
{
    return xs_transaction_end(x->xs, t, abort) ? 0 : neg_errno();
}

static int real_xs_watch(struct vgt_xen *x, const char *path, const char *token)
{
    return xs_watch(x->xs, path, token) ? 0 : neg_errno();
}

static int real_xs_unwatch(struct vgt_xen *x, const char *path, const char *token)
{
    return xs_unwatch(x->xs, path, token) ? 0 : neg_errno();
}

static int real_xs_check_watch(struct vgt_xen *x, char **path, char **token)
{
    char **w = xs_check_watch(x->xs);
    if (!w)
        return neg_errno();   /* -EAGAIN when drained */
    *path = strdup(w[XS_WATCH_PATH]);
    *token = strdup(w[XS_WATCH_TOKEN]);
    free(w);
    if (!*path || !*token) {
        free(*path);
        free(*token);
        return -ENOMEM;
    }
    return 0;
}

const struct vgt_xen_ops vgt_xen_real_ops = {
    .name = "xen",
    .open = real_open,
    .close = real_close,
    .create_ioreq_server = real_create_server,
    .destroy_ioreq_server = real_destroy_server,
    .get_bufioreq_port = real_get_bufioreq_port,
    .map_ioreq_pages = real_map_ioreq_pages,
    .unmap_ioreq_pages = real_unmap_ioreq_pages,
    .map_pcidev = real_map_pcidev,
    .unmap_pcidev = real_unmap_pcidev,
    .map_io_range = real_map_io_range,
    .unmap_io_range = real_unmap_io_range,
    .set_server_state = real_set_server_state,
    .inject_msi = real_inject_msi,
    .set_pci_intx = real_set_pci_intx,
    .domain_alive = real_domain_alive,
    .relocate_memory = real_relocate_memory,
    .evtchn_fd = real_evtchn_fd,
    .evtchn_bind = real_evtchn_bind,
    .evtchn_unbind = real_evtchn_unbind,
    .evtchn_pending = real_evtchn_pending,
    .evtchn_unmask = real_evtchn_unmask,
    .evtchn_notify = real_evtchn_notify,
    .evtchn_colocate = real_evtchn_colocate,
    .map_guest = real_map_guest,
    .unmap_guest = real_unmap_guest,
    .domain_info = real_domain_info,
    .set_maxmem = real_set_maxmem,
    .populate = real_populate,
    .decrease_reservation = real_decrease_reservation,
    .restrict_all = real_restrict_all,
    .xs_fileno = real_xs_fileno,
    .xs_read = real_xs_read,
    .xs_write = real_xs_write,
    .xs_rm = real_xs_rm,
    .xs_mkdir = real_xs_mkdir,
    .xs_directory = real_xs_directory,
    .xs_set_perms = real_xs_set_perms,
    .xs_transaction_start = real_xs_transaction_start,
    .xs_transaction_end = real_xs_transaction_end,
    .xs_watch = real_xs_watch,
    .xs_unwatch = real_xs_unwatch,
    .xs_check_watch = real_xs_check_watch,
};
