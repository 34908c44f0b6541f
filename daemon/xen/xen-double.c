/* SPDX-License-Identifier: GPL-2.0-only */
/* The test double of the Xen ops table (see xen-double.h). */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>
#include "daemon/xen/xen-double.h"

#define XD_PAGE VGT_XEN_PAGE_SIZE
#define XD_MAX_RANGES 64
#define XD_MAX_PCIDEVS 8
#define XD_MAX_BINDINGS 256
#define XD_QUEUE 1024
/* Xen's remote ports of server slot S: its buffered port and one per vCPU */
#define XD_MAX_SERVERS 4      /* a dead worker's and its successor's, with room */
#define XD_PORTS_PER_SERVER 1000u
#define XD_REMOTE_BUF(s) (99u + XD_PORTS_PER_SERVER * (s))
#define XD_REMOTE_VCPU(s, v) (100u + XD_PORTS_PER_SERVER * (s) + (v))
#define XD_WOKEN_VCPUS 64     /* vCPUs whose wake-ups are counted across bindings */
#define XD_TRACE_MAX 16384
#define XD_MAX_WATCHES 64
#define XD_MAX_WEVENTS 1024

struct xd_range { bool used, is_mmio; uint64_t start, end; };
/* An ioreq server: id = slot + 1; frame 0 its buffered page, 1.. the vCPU slots. */
struct xd_server {
    bool used, enabled, ports_known;   /* ports_known: vp_eport filled (first enable) */
    int bufioreq;
    uint8_t *pages;
    struct xd_range ranges[XD_MAX_RANGES];
    unsigned pcidevs[XD_MAX_PCIDEVS][4];
    unsigned npcidevs;
};
struct xd_binding { bool used; uint32_t local, remote; bool masked, pend; uint64_t notified; };
struct xd_extra { uint64_t gfn, page; };
struct xd_node {
    char *path;
    char *val;
    size_t len;
    struct vgt_xs_perm perms[8];
    unsigned nperms;
};
struct xd_watch { char *path, *token; };
struct xd_wevent { char *path, *token; };

struct vgt_xd {
    struct vgt_xd_params p;
    struct vgt_xd_state st;
    struct { bool armed; int err; unsigned after; } fail[VGT_XD_OP_MAX];
    char trace[XD_TRACE_MAX];
    size_t trace_len;

    uint64_t woken[XD_WOKEN_VCPUS];   /* notifies per vCPU port, whoever bound it */
    bool vcpus_paused;                /* woken vCPUs do not run (xl pause) */

    /* ioreq servers; several at once as in Xen (a dead worker's next to its
     * successor's) */
    bool dead;
    struct xd_server srv[XD_MAX_SERVERS];
    unsigned nr_pages;             /* per server */

    /* event channels */
    int efd;
    struct xd_binding bind[XD_MAX_BINDINGS];
    uint32_t next_local;
    uint32_t queue[XD_QUEUE];
    unsigned qhead, qlen;

    /* guest memory: RAM pages then the extra pool, in one memfd */
    int memfd;
    uint64_t ram_pages, pool_pages;
    uint8_t *memview;             /* the whole memfd, for the test's side */
    bool *pool_used;
    struct xd_extra *extras;
    size_t nextras;

    /* xenstore */
    struct xd_node *nodes;
    size_t nnodes;
    struct xd_watch watches[XD_MAX_WATCHES];
    unsigned nwatches;
    struct xd_wevent wev[XD_MAX_WEVENTS];
    unsigned wev_head, wev_len;
    int xs_efd;
    uint32_t next_txn;
};

/* restricted: per handle set, as xentoolcore_restrict_all is per process (a
 * restarted worker opens fresh, unrestricted handles on the same guest). */
struct vgt_xen { struct vgt_xd *d; unsigned what; bool restricted; };

static void xd_trace(struct vgt_xd *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void xd_trace(struct vgt_xd *d, const char *fmt, ...)
{
    va_list ap;
    if (d->trace_len + 64 >= XD_TRACE_MAX)
        return;
    va_start(ap, fmt);
    d->trace_len += vsnprintf(d->trace + d->trace_len, XD_TRACE_MAX - d->trace_len, fmt, ap);
    va_end(ap);
    d->trace[d->trace_len++] = ';';
    d->trace[d->trace_len] = 0;
}

static int xd_check(struct vgt_xd *d, enum vgt_xd_op op)
{
    if (!d->fail[op].armed)
        return 0;
    if (d->fail[op].after) {
        d->fail[op].after--;
        return 0;
    }
    d->fail[op].armed = false;
    return d->fail[op].err;
}

static int xd_domain(struct vgt_xd *d, uint32_t domid)
{
    if (d->dead && domid == d->p.domid)
        return -ESRCH;
    return domid == d->p.domid ? 0 : d->st.restricted ? -EPERM : -ESRCH;
}

/* ------------------------------------------------------------------ setup */

struct vgt_xd *vgt_xd_new(const struct vgt_xd_params *p)
{
    struct vgt_xd *d = calloc(1, sizeof(*d));
    uint64_t total;

    if (!d)
        return NULL;
    d->p = *p;
    if (!d->p.vcpus)
        d->p.vcpus = 1;
    d->ram_pages = (p->guest_mem + XD_PAGE - 1) / XD_PAGE;
    d->pool_pages = p->extra_pages ? p->extra_pages : 4096;
    d->st.max_memkb = p->guest_mem / 1024;
    d->next_local = p->first_port ? p->first_port : 5;
    d->next_txn = 1;
    d->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    d->xs_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    d->memfd = memfd_create("vgt-xd-guest", MFD_CLOEXEC);
    total = (d->ram_pages + d->pool_pages) * XD_PAGE;
    d->pool_used = calloc(d->pool_pages, sizeof(bool));
    d->extras = calloc(d->pool_pages, sizeof(*d->extras));
    /* buffered page + enough slot pages for the vCPUs */
    d->nr_pages = 1 + (d->p.vcpus * sizeof(ioreq_t) + XD_PAGE - 1) / XD_PAGE;
    for (unsigned i = 0; i < XD_MAX_SERVERS; i++)
        if ((d->srv[i].pages = aligned_alloc(XD_PAGE, d->nr_pages * XD_PAGE)))
            memset(d->srv[i].pages, 0, d->nr_pages * XD_PAGE);
    if (d->efd < 0 || d->xs_efd < 0 || d->memfd < 0 || ftruncate(d->memfd, (off_t)total) < 0 ||
        !d->pool_used || !d->extras || !d->srv[XD_MAX_SERVERS - 1].pages) {
        vgt_xd_free(d);
        return NULL;
    }
    d->memview = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, d->memfd, 0);
    if (d->memview == MAP_FAILED) {
        d->memview = NULL;
        vgt_xd_free(d);
        return NULL;
    }
    return d;
}

void vgt_xd_free(struct vgt_xd *d)
{
    if (!d)
        return;
    if (d->memview)
        munmap(d->memview, (d->ram_pages + d->pool_pages) * XD_PAGE);
    if (d->memfd >= 0)
        close(d->memfd);
    if (d->efd >= 0)
        close(d->efd);
    if (d->xs_efd >= 0)
        close(d->xs_efd);
    for (unsigned i = 0; i < XD_MAX_SERVERS; i++)
        free(d->srv[i].pages);
    free(d->pool_used);
    free(d->extras);
    for (size_t i = 0; i < d->nnodes; i++) {
        free(d->nodes[i].path);
        free(d->nodes[i].val);
    }
    free(d->nodes);
    for (unsigned i = 0; i < d->nwatches; i++) {
        free(d->watches[i].path);
        free(d->watches[i].token);
    }
    for (unsigned i = 0; i < d->wev_len; i++) {
        struct xd_wevent *e = &d->wev[(d->wev_head + i) % XD_MAX_WEVENTS];
        free(e->path);
        free(e->token);
    }
    free(d);
}

void vgt_xd_fail(struct vgt_xd *d, enum vgt_xd_op op, int err, unsigned after)
{
    d->fail[op].armed = true;
    d->fail[op].err = err;
    d->fail[op].after = after;
}

void vgt_xd_get_state(struct vgt_xd *d, struct vgt_xd_state *st)
{
    unsigned n = 0;
    *st = d->st;
    st->servers = st->io_ranges = st->pcidevs = 0;
    st->enabled = false;
    for (unsigned s = 0; s < XD_MAX_SERVERS; s++) {
        const struct xd_server *v = &d->srv[s];
        if (!v->used)
            continue;
        st->servers++;
        st->enabled |= v->enabled;
        for (unsigned i = 0; i < XD_MAX_RANGES; i++)
            st->io_ranges += v->ranges[i].used;
        st->pcidevs += v->npcidevs;
    }
    for (unsigned i = 0; i < XD_MAX_BINDINGS; i++)
        n += d->bind[i].used;
    st->bound_ports = n;
    st->extra_pages = d->nextras;
}

const char *vgt_xd_trace(struct vgt_xd *d) { return d->trace; }
void vgt_xd_trace_clear(struct vgt_xd *d) { d->trace_len = 0; d->trace[0] = 0; }

static bool srv_has_range(const struct xd_server *v, bool is_mmio, uint64_t start, uint64_t end)
{
    for (unsigned i = 0; i < XD_MAX_RANGES; i++)
        if (v->ranges[i].used && v->ranges[i].is_mmio == is_mmio &&
            v->ranges[i].start == start && v->ranges[i].end == end)
            return true;
    return false;
}

static bool srv_has_pcidev(const struct xd_server *v, unsigned seg, unsigned bus, unsigned dev,
                           unsigned fn)
{
    for (unsigned i = 0; i < v->npcidevs; i++)
        if (v->pcidevs[i][0] == seg && v->pcidevs[i][1] == bus && v->pcidevs[i][2] == dev &&
            v->pcidevs[i][3] == fn)
            return true;
    return false;
}

bool vgt_xd_has_range(struct vgt_xd *d, bool is_mmio, uint64_t start, uint64_t end)
{
    for (unsigned s = 0; s < XD_MAX_SERVERS; s++)
        if (d->srv[s].used && srv_has_range(&d->srv[s], is_mmio, start, end))
            return true;
    return false;
}

bool vgt_xd_has_pcidev(struct vgt_xd *d, unsigned seg, unsigned bus, unsigned dev, unsigned fn)
{
    for (unsigned s = 0; s < XD_MAX_SERVERS; s++)
        if (d->srv[s].used && srv_has_pcidev(&d->srv[s], seg, bus, dev, fn))
            return true;
    return false;
}

/* The server Xen hands the guest's accesses to: of those claiming the device
 * (all of them here), the enabled one with the highest id as Xen's
 * FOR_EACH_IOREQ_SERVER finds it first; with none enabled the newest that
 * exists (whose slots hold what the guest left there); slot 0 with none. */
static unsigned guest_server(const struct vgt_xd *d)
{
    for (unsigned s = XD_MAX_SERVERS; s-- > 0;)
        if (d->srv[s].used && d->srv[s].enabled)
            return s;
    for (unsigned s = XD_MAX_SERVERS; s-- > 0;)
        if (d->srv[s].used)
            return s;
    return 0;
}

/* ------------------------------------------------------------------ handles */

static int xd_open(void *arg, unsigned what, struct vgt_xen **out)
{
    struct vgt_xd *d = arg;
    struct vgt_xen *x;
    int r = xd_check(d, VGT_XD_OPEN);

    if (r)
        return r;
    if (!(x = calloc(1, sizeof(*x))))
        return -ENOMEM;
    x->d = d;
    x->what = what;
    d->st.handles++;
    xd_trace(d, "open");
    *out = x;
    return 0;
}

static void xd_close(struct vgt_xen *x)
{
    if (!x)
        return;
    x->d->st.handles--;
    xd_trace(x->d, "close");
    free(x);
}

/* ------------------------------------------------------------------ ioreq server */

static int xd_create_server(struct vgt_xen *x, uint32_t domid, int bufioreq, uint16_t *id)
{
    struct vgt_xd *d = x->d;
    int r = xd_domain(d, domid);
    if (!r)
        r = xd_check(d, VGT_XD_CREATE_SERVER);
    if (r)
        return r;
    for (unsigned s = 0; s < XD_MAX_SERVERS; s++) {   /* Xen takes the lowest free id */
        struct xd_server *v = &d->srv[s];
        uint8_t *pages = v->pages;
        if (v->used)
            continue;
        memset(pages, 0, d->nr_pages * XD_PAGE);
        *v = (struct xd_server){ .used = true, .bufioreq = bufioreq, .pages = pages };
        *id = (uint16_t)(s + 1);
        xd_trace(d, "create:%u", *id);
        return 0;
    }
    return -ENOSPC;
}

static int xd_server(struct vgt_xd *d, uint32_t domid, uint16_t id, struct xd_server **v)
{
    int r = xd_domain(d, domid);
    if (r)
        return r;
    if (id < 1 || id > XD_MAX_SERVERS || !d->srv[id - 1].used)
        return -ENOENT;
    *v = &d->srv[id - 1];
    return 0;
}

static volatile ioreq_t *srv_slot(const struct xd_server *v, unsigned vcpu)
{
    return &((volatile shared_iopage_t *)(v->pages + XD_PAGE))->vcpu_ioreq[vcpu];
}

static int xd_destroy_server(struct vgt_xen *x, uint32_t domid, uint16_t id)
{
    struct vgt_xd *d = x->d;
    struct xd_server *v;
    int r = xd_server(d, domid, id, &v);
    if (r)
        return r;
    for (unsigned c = 0; c < d->p.vcpus; c++) {
        uint8_t state = srv_slot(v, c)->state;
        d->st.stranded += state == STATE_IOREQ_READY || state == STATE_IOREQ_INPROCESS;
    }
    /* Xen drops the server's ranges and devices with it */
    *v = (struct xd_server){ .pages = v->pages };
    xd_trace(d, "destroy:%u", id);
    return 0;
}

static int xd_get_bufport(struct vgt_xen *x, uint32_t domid, uint16_t id, uint32_t *port)
{
    struct vgt_xd *d = x->d;
    struct xd_server *v;
    int r = xd_server(d, domid, id, &v);
    if (!r)
        r = xd_check(d, VGT_XD_GET_BUFPORT);
    if (r)
        return r;
    if (v->bufioreq == VGT_XEN_BUFIOREQ_OFF)
        return -ENOENT;
    *port = XD_REMOTE_BUF(id - 1u);
    return 0;
}

static int xd_map_pages(struct vgt_xen *x, uint32_t domid, uint16_t id, unsigned first,
                        unsigned nr, void **addr, struct vgt_xen_mapping **map)
{
    struct vgt_xd *d = x->d;
    struct xd_server *v;
    int r = xd_server(d, domid, id, &v);
    if (!r)
        r = xd_check(d, VGT_XD_MAP_PAGES);
    if (r)
        return r;
    if (!nr || first + nr > d->nr_pages ||
        (first == VGT_XEN_FRAME_BUFIOREQ && v->bufioreq == VGT_XEN_BUFIOREQ_OFF))
        return -EINVAL;
    *addr = v->pages + (size_t)first * XD_PAGE;
    *map = (struct vgt_xen_mapping *)(uintptr_t)(first + 1);  /* any non-NULL token */
    d->st.resource_maps++;
    xd_trace(d, "map_pages:%u", id);
    return 0;
}

static int xd_unmap_pages(struct vgt_xen *x, struct vgt_xen_mapping *map)
{
    if (!map || !x->d->st.resource_maps)
        return -EINVAL;
    x->d->st.resource_maps--;
    xd_trace(x->d, "unmap_pages");
    return 0;
}

static int xd_map_pcidev(struct vgt_xen *x, uint32_t domid, uint16_t id, unsigned seg,
                         unsigned bus, unsigned dev, unsigned fn)
{
    struct vgt_xd *d = x->d;
    struct xd_server *v;
    int r = xd_server(d, domid, id, &v);
    if (!r)
        r = xd_check(d, VGT_XD_MAP_PCIDEV);
    if (r)
        return r;
    /* per server, as Xen's rangesets: two servers may claim the same device */
    if (v->npcidevs == XD_MAX_PCIDEVS || srv_has_pcidev(v, seg, bus, dev, fn))
        return -EEXIST;
    v->pcidevs[v->npcidevs][0] = seg;
    v->pcidevs[v->npcidevs][1] = bus;
    v->pcidevs[v->npcidevs][2] = dev;
    v->pcidevs[v->npcidevs][3] = fn;
    v->npcidevs++;
    xd_trace(d, "map_pcidev");
    return 0;
}

static int xd_unmap_pcidev(struct vgt_xen *x, uint32_t domid, uint16_t id, unsigned seg,
                           unsigned bus, unsigned dev, unsigned fn)
{
    struct vgt_xd *d = x->d;
    struct xd_server *v;
    int r = xd_server(d, domid, id, &v);
    if (r)
        return r;
    for (unsigned i = 0; i < v->npcidevs; i++)
        if (v->pcidevs[i][0] == seg && v->pcidevs[i][1] == bus && v->pcidevs[i][2] == dev &&
            v->pcidevs[i][3] == fn) {
            memmove(v->pcidevs[i], v->pcidevs[i + 1], (v->npcidevs - i - 1) * sizeof(v->pcidevs[0]));
            v->npcidevs--;
            xd_trace(d, "unmap_pcidev");
            return 0;
        }
    return -ENOENT;
}

static int xd_map_io_range(struct vgt_xen *x, uint32_t domid, uint16_t id, bool is_mmio,
                           uint64_t start, uint64_t end)
{
    struct vgt_xd *d = x->d;
    struct xd_server *v;
    int r = xd_server(d, domid, id, &v);
    if (!r)
        r = xd_check(d, VGT_XD_MAP_IO_RANGE);
    if (r)
        return r;
    if (end < start || (!is_mmio && end > 0xffff))
        return -EINVAL;
    for (unsigned i = 0; i < XD_MAX_RANGES; i++)   /* the server's rangeset refuses overlaps */
        if (v->ranges[i].used && v->ranges[i].is_mmio == is_mmio && start <= v->ranges[i].end &&
            v->ranges[i].start <= end)
            return -EEXIST;
    for (unsigned i = 0; i < XD_MAX_RANGES; i++)
        if (!v->ranges[i].used) {
            v->ranges[i] = (struct xd_range){ true, is_mmio, start, end };
            xd_trace(d, "map_%s:%#llx-%#llx", is_mmio ? "mmio" : "pio", (unsigned long long)start,
                     (unsigned long long)end);
            return 0;
        }
    return -ENOSPC;
}

static int xd_unmap_io_range(struct vgt_xen *x, uint32_t domid, uint16_t id, bool is_mmio,
                             uint64_t start, uint64_t end)
{
    struct vgt_xd *d = x->d;
    struct xd_server *v;
    int r = xd_server(d, domid, id, &v);
    if (r)
        return r;
    for (unsigned i = 0; i < XD_MAX_RANGES; i++)
        if (v->ranges[i].used && v->ranges[i].is_mmio == is_mmio && v->ranges[i].start == start &&
            v->ranges[i].end == end) {
            v->ranges[i].used = false;
            xd_trace(d, "unmap_%s:%#llx-%#llx", is_mmio ? "mmio" : "pio",
                     (unsigned long long)start, (unsigned long long)end);
            return 0;
        }
    return -ENOENT;
}

static int xd_set_state(struct vgt_xen *x, uint32_t domid, uint16_t id, bool enabled)
{
    struct vgt_xd *d = x->d;
    struct xd_server *v;
    int r = xd_server(d, domid, id, &v);
    if (!r)
        r = xd_check(d, VGT_XD_SET_STATE);
    if (r)
        return r;
    v->enabled = enabled;
    if (enabled && !v->ports_known) {   /* Xen fills vp_eport in at enable time */
        v->ports_known = true;
        for (unsigned c = 0; c < d->p.vcpus; c++)
            srv_slot(v, c)->vp_eport = XD_REMOTE_VCPU(id - 1u, c);
    }
    xd_trace(d, "%s:%u", enabled ? "enable" : "disable", id);
    return 0;
}

static int xd_inject_msi(struct vgt_xen *x, uint32_t domid, uint64_t addr, uint32_t data)
{
    struct vgt_xd *d = x->d;
    int r = xd_domain(d, domid);
    if (!r)
        r = xd_check(d, VGT_XD_INJECT_MSI);
    if (r)
        return r;
    d->st.msi_count++;
    d->st.last_msi_addr = addr;
    d->st.last_msi_data = data;
    return 0;
}

static int xd_set_pci_intx(struct vgt_xen *x, uint32_t domid, unsigned seg, unsigned bus,
                           unsigned dev, unsigned intx, bool level)
{
    struct vgt_xd *d = x->d;
    int r = xd_domain(d, domid);
    if (r)
        return r;
    if (intx > 3 || dev > 31 || bus > 255)
        return -EINVAL;
    d->st.intx_level = level;
    d->st.intx_changes++;
    return 0;
}

/* ------------------------------------------------------------------ guest memory */

static struct xd_extra *xd_extra(struct vgt_xd *d, uint64_t gfn)
{
    for (size_t i = 0; i < d->nextras; i++)
        if (d->extras[i].gfn == gfn)
            return &d->extras[i];
    return NULL;
}

/* memfd page backing gfn, or -1 */
static int64_t xd_page_of(struct vgt_xd *d, uint64_t gfn)
{
    struct xd_extra *e = xd_extra(d, gfn);
    if (e)
        return (int64_t)(d->ram_pages + e->page);
    return gfn < d->ram_pages ? (int64_t)gfn : -1;
}

void *vgt_xd_gfn(struct vgt_xd *d, uint64_t gfn)
{
    int64_t pg = xd_page_of(d, gfn);
    return pg < 0 ? NULL : d->memview + (uint64_t)pg * XD_PAGE;
}

void vgt_xd_kill(struct vgt_xd *d) { d->dead = true; }

static int xd_domain_alive(struct vgt_xen *x, uint32_t domid)
{
    return xd_domain(x->d, domid);
}

static int xd_relocate(struct vgt_xen *x, uint32_t domid, uint32_t nr, uint64_t src, uint64_t dst)
{
    struct vgt_xd *d = x->d;
    int r = xd_domain(d, domid);
    if (!r)
        r = xd_check(d, VGT_XD_RELOCATE);
    if (r)
        return r;
    for (uint32_t i = 0; i < nr; i++) {
        struct xd_extra *e = xd_extra(d, src + i);
        if (!e)
            return -EINVAL;   /* the double only moves populated frames */
        if (dst + i < d->ram_pages || (xd_extra(d, dst + i) && (dst + i < src || dst + i >= src + nr)))
            return -EEXIST;
    }
    for (size_t j = 0; j < d->nextras; j++)
        if (d->extras[j].gfn >= src && d->extras[j].gfn < src + nr)
            d->extras[j].gfn = d->extras[j].gfn - src + dst;
    xd_trace(d, "relocate:%#llx->%#llx", (unsigned long long)src, (unsigned long long)dst);
    return 0;
}

static int xd_map_guest(struct vgt_xen *x, uint32_t domid, bool writable, const uint64_t *gfns,
                        size_t n, void **addr)
{
    struct vgt_xd *d = x->d;
    uint8_t *base;
    int r = xd_domain(d, domid);
    if (!r)
        r = xd_check(d, VGT_XD_MAP_GUEST);
    if (r)
        return r;
    if (!n)
        return -EINVAL;
    for (size_t i = 0; i < n; i++)
        if (xd_page_of(d, gfns[i]) < 0)
            return -EFAULT;
    base = mmap(NULL, n * XD_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        void *p = mmap(base + i * XD_PAGE, XD_PAGE, PROT_READ | (writable ? PROT_WRITE : 0),
                       MAP_SHARED | MAP_FIXED, d->memfd, (off_t)(xd_page_of(d, gfns[i]) * XD_PAGE));
        if (p == MAP_FAILED) {
            munmap(base, n * XD_PAGE);
            return -ENOMEM;
        }
    }
    d->st.guest_mapped_pages += n;
    *addr = base;
    return 0;
}

static int xd_unmap_guest(struct vgt_xen *x, void *addr, size_t n)
{
    if (munmap(addr, n * XD_PAGE) < 0)
        return -errno;
    x->d->st.guest_mapped_pages -= n;
    return 0;
}

static int xd_privileged(struct vgt_xen *x, uint32_t domid, enum vgt_xd_op op)
{
    struct vgt_xd *d = x->d;
    if (x->restricted)
        return -EPERM;   /* libxenctrl's fd is /dev/null after xentoolcore_restrict_all */
    int r = xd_domain(d, domid);
    return r ? r : xd_check(d, op);
}

static int xd_domain_info(struct vgt_xen *x, uint32_t domid, struct vgt_xen_dominfo *out)
{
    struct vgt_xd *d = x->d;
    int r = xd_privileged(x, domid, VGT_XD_DOMAIN_INFO);
    if (r)
        return r;
    memset(out, 0, sizeof(*out));
    out->nr_vcpus = d->p.vcpus;
    out->max_memkb = d->st.max_memkb;
    out->nr_pages = d->ram_pages + d->nextras;
    out->hvm = true;
    return 0;
}

static int xd_set_maxmem(struct vgt_xen *x, uint32_t domid, uint64_t kb)
{
    struct vgt_xd *d = x->d;
    int r = xd_privileged(x, domid, VGT_XD_SET_MAXMEM);
    if (r)
        return r;
    d->st.max_memkb = kb;
    xd_trace(d, "maxmem:%llu", (unsigned long long)kb);
    return 0;
}

static int xd_populate(struct vgt_xen *x, uint32_t domid, const uint64_t *gfns, size_t n)
{
    struct vgt_xd *d = x->d;
    int r = xd_privileged(x, domid, VGT_XD_POPULATE);
    size_t done = 0;
    if (r)
        return r;
    for (size_t i = 0; i < n; i++)
        if (xd_page_of(d, gfns[i]) >= 0)
            return -EEXIST;
    /* Xen refuses to go beyond max_memkb. */
    if ((d->ram_pages + d->nextras + n) * (XD_PAGE / 1024) > d->st.max_memkb)
        return -ENOMEM;
    for (uint64_t pg = 0; pg < d->pool_pages && done < n; pg++)
        if (!d->pool_used[pg]) {
            d->pool_used[pg] = true;
            memset(d->memview + (d->ram_pages + pg) * XD_PAGE, 0, XD_PAGE);
            d->extras[d->nextras++] = (struct xd_extra){ gfns[done++], pg };
        }
    if (done < n) {   /* undo: exact or nothing */
        while (done--) {
            d->pool_used[d->extras[--d->nextras].page] = false;
        }
        return -ENOMEM;
    }
    xd_trace(d, "populate:%zu", n);
    return 0;
}

static int xd_decrease(struct vgt_xen *x, uint32_t domid, const uint64_t *gfns, size_t n)
{
    struct vgt_xd *d = x->d;
    int r = xd_privileged(x, domid, VGT_XD_DECREASE);
    if (r)
        return r;
    for (size_t i = 0; i < n; i++)
        if (!xd_extra(d, gfns[i]))
            return -ENOENT;
    for (size_t i = 0; i < n; i++) {
        struct xd_extra *e = xd_extra(d, gfns[i]);
        d->pool_used[e->page] = false;
        *e = d->extras[--d->nextras];
    }
    xd_trace(d, "decrease:%zu", n);
    return 0;
}

static int xd_restrict(struct vgt_xen *x, uint32_t domid)
{
    struct vgt_xd *d = x->d;
    int r = xd_check(d, VGT_XD_RESTRICT);
    if (r)
        return r;
    if (domid != d->p.domid)
        return -ESRCH;
    x->restricted = d->st.restricted = true;
    xd_trace(d, "restrict");
    return 0;
}

/* ------------------------------------------------------------------ event channels */

static struct xd_binding *xd_by_local(struct vgt_xd *d, uint32_t local)
{
    for (unsigned i = 0; i < XD_MAX_BINDINGS; i++)
        if (d->bind[i].used && d->bind[i].local == local)
            return &d->bind[i];
    return NULL;
}

static struct xd_binding *xd_by_remote(struct vgt_xd *d, uint32_t remote)
{
    for (unsigned i = 0; i < XD_MAX_BINDINGS; i++)
        if (d->bind[i].used && d->bind[i].remote == remote)
            return &d->bind[i];
    return NULL;
}

/* Delivery as the Linux evtchn driver does it: mask on delivery, queue the port;
 * an event on a masked port stays pending until unmask. */
static void xd_fire(struct vgt_xd *d, struct xd_binding *b)
{
    if (b->masked) {
        b->pend = true;
        return;
    }
    if (d->qlen == XD_QUEUE)
        return;   /* ring overflow: the driver drops, like the real one */
    b->masked = true;
    d->queue[(d->qhead + d->qlen++) % XD_QUEUE] = b->local;
    if (d->qlen == 1) {
        uint64_t one = 1;
        if (write(d->efd, &one, sizeof(one)) < 0) { /* counter cannot overflow here */ }
    }
}

static int xd_evtchn_fd(struct vgt_xen *x) { return x->d->efd; }

static int xd_bind(struct vgt_xen *x, uint32_t domid, uint32_t remote, uint32_t *local)
{
    struct vgt_xd *d = x->d;
    int r = xd_domain(d, domid);
    if (!r)
        r = xd_check(d, VGT_XD_BIND);
    if (r)
        return r;
    unsigned sv = remote / XD_PORTS_PER_SERVER, off = remote % XD_PORTS_PER_SERVER;
    if (sv >= XD_MAX_SERVERS || !d->srv[sv].used ||
        (off != XD_REMOTE_BUF(0) &&
         (off < XD_REMOTE_VCPU(0, 0) || off >= XD_REMOTE_VCPU(0, d->p.vcpus) ||
          !d->srv[sv].ports_known)))
        return -EINVAL;   /* no such port (vp_eport read before enable is 0) */
    if (xd_by_remote(d, remote))
        return -EBUSY;
    for (unsigned i = 0; i < XD_MAX_BINDINGS; i++)
        if (!d->bind[i].used) {
            d->bind[i] = (struct xd_binding){ .used = true, .local = d->next_local++,
                                              .remote = remote };
            *local = d->bind[i].local;
            xd_trace(d, "bind:%u", remote);
            return 0;
        }
    return -ENOSPC;
}

static int xd_unbind(struct vgt_xen *x, uint32_t local)
{
    struct vgt_xd *d = x->d;
    struct xd_binding *b = xd_by_local(d, local);
    if (!b)
        return -EINVAL;
    xd_trace(d, "unbind:%u", b->remote);
    b->used = false;
    /* drop it from the delivery queue */
    for (unsigned i = 0; i < d->qlen; i++)
        if (d->queue[(d->qhead + i) % XD_QUEUE] == local)
            d->queue[(d->qhead + i) % XD_QUEUE] = UINT32_MAX;
    return 0;
}

static int xd_pending(struct vgt_xen *x, uint32_t *ports, unsigned max)
{
    struct vgt_xd *d = x->d;
    unsigned n = 0;
    int r = xd_check(d, VGT_XD_PENDING);
    if (r)
        return r;
    while (d->qlen && n < max) {
        uint32_t p = d->queue[d->qhead];
        d->qhead = (d->qhead + 1) % XD_QUEUE;
        if (--d->qlen == 0) {
            uint64_t v;
            if (read(d->efd, &v, sizeof(v)) < 0) { /* already drained */ }
        }
        if (p != UINT32_MAX)
            ports[n++] = p;
    }
    return n ? (int)n : -EAGAIN;
}

/* No IRQs behind the double's ports: nothing to place. */
static int xd_colocate(struct vgt_xen *x, unsigned nports)
{
    (void)x;
    (void)nports;
    return -EOPNOTSUPP;
}

static int xd_unmask(struct vgt_xen *x, uint32_t local)
{
    struct vgt_xd *d = x->d;
    struct xd_binding *b = xd_by_local(d, local);
    if (!b)
        return -EINVAL;
    b->masked = false;
    if (b->pend) {
        b->pend = false;
        xd_fire(d, b);
    }
    return 0;
}

static int xd_notify(struct vgt_xen *x, uint32_t local)
{
    struct xd_binding *b = xd_by_local(x->d, local);
    if (!b)
        return -EINVAL;
    b->notified++;
    unsigned sv = b->remote / XD_PORTS_PER_SERVER, off = b->remote % XD_PORTS_PER_SERVER;
    if (off >= XD_REMOTE_VCPU(0, 0) && off < XD_REMOTE_VCPU(0, XD_WOKEN_VCPUS)) {
        unsigned vcpu = off - XD_REMOTE_VCPU(0, 0);
        struct xd_server *v = sv < XD_MAX_SERVERS ? &x->d->srv[sv] : NULL;
        x->d->woken[vcpu]++;
        /* A vCPU woken through a server that no longer takes accesses (a dead
         * worker's, disabled by its successor) takes its answer at once, as
         * Xen's wait_for_io does (IORESP_READY -> NONE, the data stays).  The
         * enabled server's answers stay for the test to read. */
        if (v && v->used && !v->enabled && vcpu < x->d->p.vcpus && !x->d->vcpus_paused &&
            srv_slot(v, vcpu)->state == STATE_IORESP_READY)
            srv_slot(v, vcpu)->state = STATE_IOREQ_NONE;
    }
    return 0;
}

volatile ioreq_t *vgt_xd_slot(struct vgt_xd *d, unsigned vcpu)
{
    return srv_slot(&d->srv[guest_server(d)], vcpu);
}

volatile buffered_iopage_t *vgt_xd_bufpage(struct vgt_xd *d)
{
    return (volatile buffered_iopage_t *)d->srv[guest_server(d)].pages;
}

void vgt_xd_kick(struct vgt_xd *d, unsigned vcpu)
{
    struct xd_binding *b = xd_by_remote(d, XD_REMOTE_VCPU(guest_server(d), vcpu));
    if (b)
        xd_fire(d, b);
}

void vgt_xd_kick_buf(struct vgt_xd *d)
{
    struct xd_binding *b = xd_by_remote(d, XD_REMOTE_BUF(guest_server(d)));
    if (b)
        xd_fire(d, b);
}

void vgt_xd_post(struct vgt_xd *d, unsigned vcpu, const ioreq_t *req)
{
    volatile ioreq_t *s = vgt_xd_slot(d, vcpu);
    s->addr = req->addr;
    s->data = req->data;
    s->count = req->count;
    s->size = req->size;
    s->data_is_ptr = req->data_is_ptr;
    s->dir = req->dir;
    s->df = req->df;
    s->type = req->type;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    s->state = STATE_IOREQ_READY;
    vgt_xd_kick(d, vcpu);
}

void vgt_xd_post_buf(struct vgt_xd *d, uint8_t type, uint32_t addr, unsigned size, uint64_t data)
{
    volatile buffered_iopage_t *b = vgt_xd_bufpage(d);
    uint32_t wp = b->write_pointer;
    unsigned sz = size == 8 ? 3 : size == 4 ? 2 : size == 2 ? 1 : 0;
    volatile buf_ioreq_t *s = &b->buf_ioreq[wp % IOREQ_BUFFER_SLOT_NUM];

    s->type = type;
    s->dir = IOREQ_WRITE;
    s->size = sz;
    s->addr = addr & 0xfffff;
    s->data = (uint32_t)data;
    wp++;
    if (size == 8) {
        s = &b->buf_ioreq[wp % IOREQ_BUFFER_SLOT_NUM];
        s->data = (uint32_t)(data >> 32);
        wp++;
    }
    __atomic_thread_fence(__ATOMIC_RELEASE);
    b->write_pointer = wp;
    vgt_xd_kick_buf(d);
}

void vgt_xd_pause_vcpus(struct vgt_xd *d, bool paused) { d->vcpus_paused = paused; }

uint64_t vgt_xd_woken(struct vgt_xd *d, unsigned vcpu)
{
    return vcpu < XD_WOKEN_VCPUS ? d->woken[vcpu] : 0;
}

uint64_t vgt_xd_notified(struct vgt_xd *d, unsigned vcpu)
{
    struct xd_binding *b = xd_by_remote(d, XD_REMOTE_VCPU(guest_server(d), vcpu));
    return b ? b->notified : 0;
}

/* ------------------------------------------------------------------ xenstore */

static struct xd_node *xs_find(struct vgt_xd *d, const char *path)
{
    for (size_t i = 0; i < d->nnodes; i++)
        if (strcmp(d->nodes[i].path, path) == 0)
            return &d->nodes[i];
    return NULL;
}

static bool xs_valid_path(const char *path)
{
    size_t n = strlen(path);
    return n > 0 && n < 3072 && (path[0] == '/' || path[0] == '@') &&
           (n == 1 || path[n - 1] != '/') && !strstr(path, "//");
}

static void xs_queue(struct vgt_xd *d, const char *path, const char *token)
{
    struct xd_wevent *e;
    uint64_t one = 1;
    if (d->wev_len == XD_MAX_WEVENTS)
        return;
    e = &d->wev[(d->wev_head + d->wev_len) % XD_MAX_WEVENTS];
    e->path = strdup(path);
    e->token = strdup(token);
    if (!e->path || !e->token) {
        free(e->path);
        free(e->token);
        return;
    }
    d->wev_len++;
    if (write(d->xs_efd, &one, sizeof(one)) < 0) { /* counter cannot overflow */ }
}

/* A change of path fires watches on it and on its parents. */
static void xs_changed(struct vgt_xd *d, const char *path)
{
    for (unsigned i = 0; i < d->nwatches; i++) {
        size_t l = strlen(d->watches[i].path);
        if (strncmp(path, d->watches[i].path, l) == 0 && (path[l] == 0 || path[l] == '/'))
            xs_queue(d, path, d->watches[i].token);
    }
}

void vgt_xd_xs_fire(struct vgt_xd *d, const char *path)
{
    for (unsigned i = 0; i < d->nwatches; i++)
        if (strcmp(d->watches[i].path, path) == 0)
            xs_queue(d, path, d->watches[i].token);
}

static struct xd_node *xs_create(struct vgt_xd *d, const char *path)
{
    struct xd_node *n = xs_find(d, path), *nn;
    char *parent, *slash;
    if (n)
        return n;
    /* parents first, as xenstored creates them */
    parent = strdup(path);
    if (!parent)
        return NULL;
    slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = 0;
        if (!xs_create(d, parent)) {
            free(parent);
            return NULL;
        }
    }
    free(parent);
    nn = realloc(d->nodes, (d->nnodes + 1) * sizeof(*nn));
    if (!nn)
        return NULL;
    d->nodes = nn;
    n = &d->nodes[d->nnodes];
    memset(n, 0, sizeof(*n));
    n->path = strdup(path);
    n->val = calloc(1, 1);
    if (!n->path || !n->val) {
        free(n->path);
        free(n->val);
        return NULL;
    }
    n->nperms = 1;
    n->perms[0] = (struct vgt_xs_perm){ 0, VGT_XS_NONE };
    d->nnodes++;
    return n;
}

static int xs_fileno(struct vgt_xen *x) { return x->d->xs_efd; }

static int xs_read(struct vgt_xen *x, uint32_t t, const char *path, char **val, size_t *len)
{
    struct xd_node *n = xs_find(x->d, path);
    char *v;
    if (!n)
        return -ENOENT;
    if (!(v = malloc(n->len + 1)))
        return -ENOMEM;
    memcpy(v, n->val, n->len);
    v[n->len] = 0;
    *val = v;
    if (len)
        *len = n->len;
    return 0;
}

static int xs_write(struct vgt_xen *x, uint32_t t, const char *path, const void *val, size_t len)
{
    struct xd_node *n;
    char *v;
    if (!xs_valid_path(path) || path[0] != '/')
        return -EINVAL;
    if (!(n = xs_create(x->d, path)) || !(v = malloc(len + 1)))
        return -ENOMEM;
    memcpy(v, val, len);
    v[len] = 0;
    free(n->val);
    n->val = v;
    n->len = len;
    xs_changed(x->d, path);
    return 0;
}

static int xs_mkdir(struct vgt_xen *x, uint32_t t, const char *path)
{
    if (!xs_valid_path(path) || path[0] != '/')
        return -EINVAL;
    if (xs_find(x->d, path))
        return 0;
    if (!xs_create(x->d, path))
        return -ENOMEM;
    xs_changed(x->d, path);
    return 0;
}

static int xs_rm(struct vgt_xen *x, uint32_t t, const char *path)
{
    struct vgt_xd *d = x->d;
    size_t l = strlen(path);
    bool found = false;
    for (size_t i = 0; i < d->nnodes;) {
        const char *p = d->nodes[i].path;
        if (strncmp(p, path, l) == 0 && (p[l] == 0 || p[l] == '/')) {
            free(d->nodes[i].path);
            free(d->nodes[i].val);
            d->nodes[i] = d->nodes[--d->nnodes];
            found = true;
        } else {
            i++;
        }
    }
    if (!found)
        return -ENOENT;
    xs_changed(d, path);
    return 0;
}

static int xs_directory(struct vgt_xen *x, uint32_t t, const char *path, char ***ents,
                        unsigned *n)
{
    struct vgt_xd *d = x->d;
    size_t l = strlen(path), bytes = 0;
    unsigned cnt = 0;
    char **arr, *s;
    if (!xs_find(d, path))
        return -ENOENT;
    for (size_t i = 0; i < d->nnodes; i++) {
        const char *p = d->nodes[i].path;
        if (strncmp(p, path, l) == 0 && p[l] == '/' && !strchr(p + l + 1, '/')) {
            cnt++;
            bytes += strlen(p + l + 1) + 1;
        }
    }
    if (!(arr = malloc((cnt + 1) * sizeof(char *) + bytes)))
        return -ENOMEM;
    s = (char *)(arr + cnt + 1);
    cnt = 0;
    for (size_t i = 0; i < d->nnodes; i++) {
        const char *p = d->nodes[i].path;
        if (strncmp(p, path, l) == 0 && p[l] == '/' && !strchr(p + l + 1, '/')) {
            arr[cnt++] = strcpy(s, p + l + 1);
            s += strlen(s) + 1;
        }
    }
    arr[cnt] = NULL;
    *ents = arr;
    *n = cnt;
    return 0;
}

static int xs_set_perms(struct vgt_xen *x, uint32_t t, const char *path,
                        const struct vgt_xs_perm *perms, unsigned n)
{
    struct xd_node *nd = xs_find(x->d, path);
    if (!nd)
        return -ENOENT;
    if (!n || n > (sizeof(nd->perms) / sizeof(nd->perms[0])))
        return -EINVAL;
    memcpy(nd->perms, perms, n * sizeof(*perms));
    nd->nperms = n;
    xs_changed(x->d, path);
    return 0;
}

unsigned vgt_xd_xs_perms(struct vgt_xd *d, const char *path, struct vgt_xs_perm *out, unsigned max)
{
    struct xd_node *nd = xs_find(d, path);
    unsigned n;
    if (!nd)
        return 0;
    n = nd->nperms < max ? nd->nperms : max;
    memcpy(out, nd->perms, n * sizeof(*out));
    return n;
}

static int xs_txn_start(struct vgt_xen *x, uint32_t *t)
{
    *t = x->d->next_txn++;
    return 0;
}

static int xs_txn_end(struct vgt_xen *x, uint32_t t, bool abort)
{
    return abort ? 0 : xd_check(x->d, VGT_XD_XS_TXN_END);
}

static int xs_watch(struct vgt_xen *x, const char *path, const char *token)
{
    struct vgt_xd *d = x->d;
    struct xd_watch *w;
    if (!xs_valid_path(path))
        return -EINVAL;
    if (d->nwatches == XD_MAX_WATCHES)
        return -ENOSPC;
    w = &d->watches[d->nwatches];
    w->path = strdup(path);
    w->token = strdup(token);
    if (!w->path || !w->token) {
        free(w->path);
        free(w->token);
        return -ENOMEM;
    }
    d->nwatches++;
    xs_queue(d, path, token);   /* a watch fires once when set */
    return 0;
}

static int xs_unwatch(struct vgt_xen *x, const char *path, const char *token)
{
    struct vgt_xd *d = x->d;
    for (unsigned i = 0; i < d->nwatches; i++)
        if (!strcmp(d->watches[i].path, path) && !strcmp(d->watches[i].token, token)) {
            free(d->watches[i].path);
            free(d->watches[i].token);
            d->watches[i] = d->watches[--d->nwatches];
            return 0;
        }
    return -ENOENT;
}

static int xs_check_watch(struct vgt_xen *x, char **path, char **token)
{
    struct vgt_xd *d = x->d;
    struct xd_wevent *e;
    if (!d->wev_len) {
        uint64_t v;
        if (read(d->xs_efd, &v, sizeof(v)) < 0) { /* already drained */ }
        return -EAGAIN;
    }
    e = &d->wev[d->wev_head];
    d->wev_head = (d->wev_head + 1) % XD_MAX_WEVENTS;
    d->wev_len--;
    *path = e->path;
    *token = e->token;
    return 0;
}

const struct vgt_xen_ops vgt_xen_double_ops = {
    .name = "double",
    .open = xd_open,
    .close = xd_close,
    .create_ioreq_server = xd_create_server,
    .destroy_ioreq_server = xd_destroy_server,
    .get_bufioreq_port = xd_get_bufport,
    .map_ioreq_pages = xd_map_pages,
    .unmap_ioreq_pages = xd_unmap_pages,
    .map_pcidev = xd_map_pcidev,
    .unmap_pcidev = xd_unmap_pcidev,
    .map_io_range = xd_map_io_range,
    .unmap_io_range = xd_unmap_io_range,
    .set_server_state = xd_set_state,
    .inject_msi = xd_inject_msi,
    .set_pci_intx = xd_set_pci_intx,
    .domain_alive = xd_domain_alive,
    .relocate_memory = xd_relocate,
    .evtchn_fd = xd_evtchn_fd,
    .evtchn_bind = xd_bind,
    .evtchn_unbind = xd_unbind,
    .evtchn_pending = xd_pending,
    .evtchn_unmask = xd_unmask,
    .evtchn_notify = xd_notify,
    .evtchn_colocate = xd_colocate,
    .map_guest = xd_map_guest,
    .unmap_guest = xd_unmap_guest,
    .domain_info = xd_domain_info,
    .set_maxmem = xd_set_maxmem,
    .populate = xd_populate,
    .decrease_reservation = xd_decrease,
    .restrict_all = xd_restrict,
    .xs_fileno = xs_fileno,
    .xs_read = xs_read,
    .xs_write = xs_write,
    .xs_rm = xs_rm,
    .xs_mkdir = xs_mkdir,
    .xs_directory = xs_directory,
    .xs_set_perms = xs_set_perms,
    .xs_transaction_start = xs_txn_start,
    .xs_transaction_end = xs_txn_end,
    .xs_watch = xs_watch,
    .xs_unwatch = xs_unwatch,
    .xs_check_watch = xs_check_watch,
};

static char worker_dir[128];

static void worker_dir_remove(void)
{
    DIR *d = opendir(worker_dir);
    struct dirent *e;
    char path[512];
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            snprintf(path, sizeof(path), "%s/%s", worker_dir, e->d_name) < (int)sizeof(path))
            unlink(path);
    if (d)
        closedir(d);
    rmdir(worker_dir);
}

int vgt_xd_worker_dir(char *sock, size_t len, const char *prefix)
{
    if (!worker_dir[0]) {
        snprintf(worker_dir, sizeof(worker_dir), "/tmp/%s.XXXXXX", prefix);
        if (!mkdtemp(worker_dir)) {
            worker_dir[0] = 0;
            return -errno;
        }
        atexit(worker_dir_remove);
    }
    return snprintf(sock, len, "%s/worker.sock", worker_dir) < (int)len ? 0 : -ENAMETOOLONG;
}
