/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ioreq hot path.  Everything in the shared pages is hostile: each request
 * is copied once out of its slot (no double fetch, XSA-197/199), validated
 * field by field, and answered whatever it contains (invalid reads return all
 * ones, invalid writes are dropped and counted).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/epoll.h>
#include <syslog.h>
#include "daemon/worker/worker.h"

#define PORTS_PER_WAKEUP 64     /* then give the other sources of the loop a turn */
#define POLLED_PER_WAKEUP 64    /* the same for accesses found by the poll */

static inline uint64_t ones(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static inline bool valid_size(uint32_t size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

/* The trapped window holding [addr, addr+size), matching the address space. */
static inline const struct vgt_worker_window *find_window(const struct vgt_worker *w,
                                                          bool is_mmio, uint64_t addr,
                                                          unsigned size)
{
    for (unsigned i = 0; i < w->nwin; i++) {
        const struct vgt_worker_window *win = &w->win[i];
        if (win->is_mmio == is_mmio && addr >= win->start && addr <= win->end &&
            size - 1 <= win->end - addr)
            return win;
    }
    return NULL;
}

static bool dev_read(struct vgt_worker *w, bool is_mmio, uint64_t addr, unsigned size,
                     uint64_t *val)
{
    const struct vgt_worker_window *win = find_window(w, is_mmio, addr, size);
    if (!win || w->cfg.med->bar_read(w->vgpu, win->bar, addr - win->bar_base, size, val) < 0) {
        *val = ones(size);
        return false;
    }
    *val &= ones(size);
    return true;
}

static bool dev_write(struct vgt_worker *w, bool is_mmio, uint64_t addr, unsigned size,
                      uint64_t val)
{
    const struct vgt_worker_window *win = find_window(w, is_mmio, addr, size);
    if (!win)
        return false;
    if (w->cfg.med->bar_write(w->vgpu, win->bar, addr - win->bar_base, size, val & ones(size)) < 0)
        return false;
    /* a register write may have enabled a pipe: vblanks are due */
    if (win->bar == VGT_BAR_MMIO && !w->vblank_armed)
        vgt_worker_vblank_arm(w);
    return true;
}

static void bad(struct vgt_worker *w, const ioreq_t *req, const char *why)
{
    w->stats.bad_access++;
    vgt_worker_log_guest(w, LOG_NOTICE, "bad ioreq (%s): type %u addr %#llx size %u count %u dir %u ptr %u",
                       why, req->type, (unsigned long long)req->addr, req->size, req->count,
                       req->dir, req->data_is_ptr);
}

static void do_pci_config(struct vgt_worker *w, ioreq_t *req)
{
    uint32_t sbdf = (uint32_t)(req->addr >> 32), reg = (uint32_t)req->addr;
    uint32_t ours = w->cfg.seg << 16 | w->cfg.bus << 8 | w->cfg.dev << 3 | w->cfg.fn;
    uint32_t v = 0;

    if (req->size > 4 || req->data_is_ptr || req->count != 1 || reg >= 4096 ||
        req->size > 4096 - reg || sbdf != ours) {
        bad(w, req, "config");
        if (req->dir == IOREQ_READ)
            req->data = ones(req->size);
        return;
    }
    if (req->dir == IOREQ_READ) {
        if (w->cfg.med->cfg_read(w->vgpu, reg, req->size, &v) < 0)
            v = (uint32_t)ones(req->size);
        req->data = v & ones(req->size);
    } else {
        w->cfg.med->cfg_write(w->vgpu, reg, req->size, (uint32_t)(req->data & ones(req->size)));
        vgt_worker_pcicfg_changed(w);
    }
}

/* COPY (MMIO) and PIO, single or repeated, data inline or through guest memory. */
static void do_io(struct vgt_worker *w, ioreq_t *req)
{
    bool is_mmio = req->type == IOREQ_TYPE_COPY;
    unsigned size = req->size;
    uint32_t n = req->count;
    int64_t step = req->df ? -(int64_t)size : (int64_t)size;
    uint64_t val = 0;

    if (n > VGT_WORKER_MAX_REP) {   /* a hostile count cannot keep us busy */
        w->stats.rep_capped++;
        n = VGT_WORKER_MAX_REP;
    }
    if (!req->data_is_ptr) {
        if (req->dir == IOREQ_READ) {
            /* rep lods/ins without a buffer: every element is read, the last one answers */
            for (uint32_t i = 0; i < n; i++)
                if (!dev_read(w, is_mmio, req->addr + (uint64_t)(i * step), size, &val)) {
                    bad(w, req, "no such register");
                    break;
                }
            req->data = val;
        } else {
            for (uint32_t i = 0; i < n; i++)
                if (!dev_write(w, is_mmio, req->addr + (uint64_t)(i * step), size, req->data)) {
                    bad(w, req, "no such register");
                    break;
                }
        }
        return;
    }
    /* data is a guest physical address: copy element by element, stop at the
     * first element outside our windows or outside guest RAM.  The window of the
     * previous element is reused while it fits.  Guest memory is reached anew for
     * each element (a map-cache hit): a device access may itself map guest pages
     * (GGTT, aperture, rings) and evict the mapping of the buffer. */
    const struct vgt_worker_window *win = NULL;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t addr = req->addr + (uint64_t)(i * step), gpa = req->data + (uint64_t)(i * step);

        if (!win || addr < win->start || addr > win->end || size - 1 > win->end - addr)
            win = find_window(w, is_mmio, addr, size);
        if (!win) {
            bad(w, req, "rep beyond the BAR");
            break;
        }
        val = 0;
        if (req->dir == IOREQ_READ) {
            if (w->cfg.med->bar_read(w->vgpu, win->bar, addr - win->bar_base, size, &val) < 0)
                val = ones(size);
            if (vgt_worker_guest_copy(w, gpa, &val, size, true)) {
                bad(w, req, "rep buffer not guest RAM");
                break;
            }
        } else {
            if (vgt_worker_guest_copy(w, gpa, &val, size, false)) {
                bad(w, req, "rep buffer not guest RAM");
                break;
            }
            if (!dev_write(w, is_mmio, addr, size, val)) {
                bad(w, req, "rep refused by the device");
                break;
            }
        }
    }
}

void vgt_worker_dispatch(struct vgt_worker *w, ioreq_t *req)
{
    w->stats.requests++;
    switch (req->type) {
    case IOREQ_TYPE_INVALIDATE:     /* guest memory changed under our mappings */
        w->stats.invalidates++;
        vgt_worker_mapcache_flush(w);
        return;
    case IOREQ_TYPE_TIMEOFFSET:
        return;
    case IOREQ_TYPE_PIO:
    case IOREQ_TYPE_COPY:
    case IOREQ_TYPE_PCI_CONFIG:
        break;
    default:
        bad(w, req, "type");
        if (req->dir == IOREQ_READ && !req->data_is_ptr)
            req->data = ~0ull;
        return;
    }
    if (!valid_size(req->size) || req->count == 0) {
        bad(w, req, "size/count");
        if (req->dir == IOREQ_READ && !req->data_is_ptr)
            req->data = ~0ull;
        return;
    }
    if (w->failsafe) {
        if (req->dir == IOREQ_READ && !req->data_is_ptr)
            req->data = ones(req->size);
        return;
    }
    if (req->type == IOREQ_TYPE_PCI_CONFIG)
        do_pci_config(w, req);
    else
        do_io(w, req);
}

_Static_assert(offsetof(buffered_iopage_t, read_pointer) == 0 &&
               offsetof(buffered_iopage_t, write_pointer) == 4 &&
               __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "Xen's bufioreq_pointers layout");

void vgt_worker_drain_buffered(struct vgt_worker *w, volatile buffered_iopage_t *b)
{
    /* Both pointers in one 64-bit load (Xen's "full"): in atomic mode Xen rebases
     * them together, and two separate loads could see one before and one after
     * a rebase -- a bogus distance that would drop the pending writes. */
    uint64_t ptrs = __atomic_load_n((const uint64_t *)(const void *)&b->read_pointer,
                                    __ATOMIC_ACQUIRE);
    uint32_t rp = (uint32_t)ptrs, wp = (uint32_t)(ptrs >> 32), n;

    n = wp - rp;
    if (n == 0)
        return;
    if (n > IOREQ_BUFFER_SLOT_NUM) {
        /* only Xen writes this page: bogus pointers mean it is not to be trusted */
        ioreq_t fake = { .type = 0xff, .count = n };
        bad(w, &fake, "buffered ring pointers");
        __atomic_fetch_add(&((buffered_iopage_t *)b)->read_pointer, n, __ATOMIC_RELEASE);
        return;
    }
    while (n) {
        volatile buf_ioreq_t *s = &b->buf_ioreq[rp % IOREQ_BUFFER_SLOT_NUM];
        buf_ioreq_t br;
        ioreq_t req;
        unsigned used = 1;

        memcpy(&br, (const void *)s, sizeof(br));
        req = (ioreq_t){ .addr = br.addr, .data = br.data, .count = 1, .size = 1u << br.size,
                         .dir = br.dir, .type = br.type };
        if (req.size == 8) {   /* the high half is in the next slot */
            if (n < 2) {
                bad(w, &req, "buffered 8-byte entry cut");
                used = n;
                goto consume;
            }
            req.data |= (uint64_t)b->buf_ioreq[(rp + 1) % IOREQ_BUFFER_SLOT_NUM].data << 32;
            used = 2;
        }
        w->stats.buffered++;
        if (req.dir != IOREQ_WRITE || (req.type != IOREQ_TYPE_PIO && req.type != IOREQ_TYPE_COPY))
            bad(w, &req, "buffered");
        else
            vgt_worker_dispatch(w, &req);
consume:
        rp += used;
        n -= used;
        /* add, never store: Xen may rebase both pointers meanwhile (atomic mode) */
        __atomic_fetch_add(&((buffered_iopage_t *)b)->read_pointer, used, __ATOMIC_RELEASE);
    }
}

bool vgt_worker_serve_slot(struct vgt_worker *w, volatile ioreq_t *s,
                           volatile buffered_iopage_t *buf, bool adopt)
{
    uint8_t state = s->state;
    ioreq_t req;

    if (state != STATE_IOREQ_READY && !(adopt && state == STATE_IOREQ_INPROCESS))
        return false;     /* spurious or stale event */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    memcpy(&req, (const void *)s, sizeof(req));    /* the one read of the slot */
    s->state = STATE_IOREQ_INPROCESS;

    /* buffered writes issued before this request are applied first */
    vgt_worker_drain_buffered(w, buf);
    if (state == STATE_IOREQ_READY || req.dir == IOREQ_READ)
        vgt_worker_dispatch(w, &req);
    /* else a write the dead worker took: it may have reached the device state
     * already, and twice is worse than once (an ELSP submission) */

    if (req.dir == IOREQ_READ && !req.data_is_ptr)
        s->data = req.data;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    s->state = STATE_IORESP_READY;
    return true;
}

static bool handle_slot(struct vgt_worker *w, unsigned vcpu, uint32_t port)
{
    if (!vgt_worker_serve_slot(w, &w->shared->vcpu_ioreq[vcpu], w->buf, false))
        return false;
    w->x->evtchn_notify(w->xen, port);
    return true;
}

uint64_t vgt_worker_poll_adapt(uint64_t win_ns, uint64_t max_ns, uint64_t slept_ns)
{
    if (win_ns > max_ns)
        win_ns = max_ns;
    if (slept_ns <= max_ns - win_ns)     /* a window of at most max would have caught it */
        return win_ns ? (win_ns > max_ns / 2 ? max_ns : win_ns * 2)
                      : (VGT_WORKER_POLL_BASE_NS < max_ns ? VGT_WORKER_POLL_BASE_NS : max_ns);
    return win_ns / 2 < VGT_WORKER_POLL_BASE_NS ? 0 : win_ns / 2;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/*
 * After an answer the guest's next access follows soon when its driver works
 * through registers: the vCPU only has to take the answer and run to its next
 * access.  Sleeping meanwhile costs a wake-up (event channel IRQ, scheduler,
 * epoll_wait) and two syscalls (read the port, unmask it) on the guest's path;
 * watching the slots for a short while finds the access without any (its event
 * comes later and finds the slot answered).  The window adapts like KVM's halt
 * polling: it grows while accesses keep coming just after it ends and shrinks
 * after long idles, within cfg.poll_us; an idle guest costs nothing.  A guest
 * that never stops gets POLLED_PER_WAKEUP accesses, then the loop's other
 * sources (vgtd's requests, signals, timers) have their turn: it cannot starve
 * them.
 */
static void poll_slots(struct vgt_worker *w)
{
    uint64_t until = vgt_mono_ns() + w->poll_win_ns;
    unsigned found = 0;

    for (unsigned i = 1; w->poll_win_ns; i++) {
        bool got = false;
        for (unsigned v = 0; v < w->cfg.vcpus && found < POLLED_PER_WAKEUP; v++)
            if (w->shared->vcpu_ioreq[v].state == STATE_IOREQ_READY &&
                handle_slot(w, v, w->vcpu_local[v])) {
                w->stats.polled++;
                found++;
                got = true;
            }
        if (found >= POLLED_PER_WAKEUP) {
            w->poll_end_ns = 0;   /* back to the loop, not to sleep */
            return;
        }
        if (got)
            until = vgt_mono_ns() + w->poll_win_ns;
        else if (!(i % 16) && vgt_mono_ns() >= until)
            break;
        else
            cpu_relax();
    }
    w->poll_end_ns = vgt_mono_ns();
}

/*
 * One read() takes every pending port (each stays masked until unmasked here);
 * ports raised meanwhile keep the fd readable and come with the next wake-up of
 * the level-triggered loop.  A request thus costs four syscalls: the wait, this
 * read, the unmask and the notify -- no extra read to learn that none is left.
 */
void vgt_worker_evtchn_ready(struct vgt_worker *w)
{
    uint32_t ports[PORTS_PER_WAKEUP];
    uint64_t woke = w->poll_end_ns ? vgt_mono_ns() : 0;
    bool served = false;
    int n = w->x->evtchn_pending(w->xen, ports, PORTS_PER_WAKEUP);

    if (n < 0) {
        if (n != -EAGAIN) {
            /* stop listening, or a broken fd would spin the loop */
            if (w->epfd >= 0)
                epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->x->evtchn_fd(w->xen), NULL);
            vgt_worker_failsafe(w, "event channel failed");
        }
        return;
    }
    for (int i = 0; i < n; i++) {
        uint32_t port = ports[i];
        /* unmask first: an event raised while we work is not lost */
        w->x->evtchn_unmask(w->xen, port);
        if (w->buf_bound && port == w->buf_local) {
            vgt_worker_drain_buffered(w, w->buf);
            continue;
        }
        if (port < w->port_vcpu_len && w->port_vcpu[port])
            served |= handle_slot(w, w->port_vcpu[port] - 1u, port);
    }
    if (!served || !w->cfg.poll_us)
        return;   /* a buffered write, or the late event of a polled request */
    if (woke)   /* how long the guest took to come back while we slept */
        w->poll_win_ns = vgt_worker_poll_adapt(w->poll_win_ns, w->cfg.poll_us * 1000ull,
                                               woke - w->poll_end_ns);
    poll_slots(w);
}
