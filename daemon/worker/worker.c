/* SPDX-License-Identifier: GPL-2.0-only */
/* vgt-worker: staged start-up and teardown, BARs, guest memory, the event loop. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include "daemon/worker/worker.h"

#define PAGE VGT_XEN_PAGE_SIZE
#define PAGE_SHIFT VGT_XEN_PAGE_SHIFT

/* ------------------------------------------------------------------ logging */

void vgt_worker_log(struct vgt_worker *w, int level, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    if (w->cfg.quiet && level > LOG_ERR)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* On the journal's stream (set up by vgtd/systemd) "<N>" gives the priority. */
    if (getenv("JOURNAL_STREAM"))
        fprintf(stderr, "<%d>vgt-worker d%u: %s\n", level, w->cfg.domid, msg);
    else
        fprintf(stderr, "vgt-worker d%u: %s\n", w->cfg.domid, msg);
}

/* A hostile guest must not flood the journal (the mediator budgets the same way). */
#define GUEST_LOG_BUDGET 64

void vgt_worker_log_guest(struct vgt_worker *w, int level, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    if (w->guest_logs >= GUEST_LOG_BUDGET)
        return;
    if (++w->guest_logs == GUEST_LOG_BUDGET) {
        vgt_worker_log(w, LOG_NOTICE, "guest misbehaves: further guest-triggered messages are not logged");
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    vgt_worker_log(w, level, "%s", msg);
}

/* ------------------------------------------------------------------ guest memory */

void vgt_worker_mapcache_flush(struct vgt_worker *w)
{
    for (unsigned i = 0; i < VGT_WORKER_MAP_CACHE; i++) {
        struct vgt_worker_mapent *e = &w->mapcache[i];
        if (e->used)
            w->x->unmap_guest(w->xen, e->va, 1);
        e->used = false;
    }
}

/* Far beyond any guest's physical address width: refused without asking Xen. */
#define GPA_LIMIT (1ull << 52)

static int guest_page(struct vgt_worker *w, uint64_t gfn, uint8_t **va)
{
    struct vgt_worker_mapent *e = &w->mapcache[gfn % VGT_WORKER_MAP_CACHE];
    void *p;
    int r;

    if (e->used && e->gfn == gfn) {
        *va = e->va;
        return 0;
    }
    r = w->x->map_guest(w->xen, w->cfg.domid, true, &gfn, 1, &p);
    if (r)
        return -EFAULT;
    if (e->used)
        w->x->unmap_guest(w->xen, e->va, 1);
    *e = (struct vgt_worker_mapent){ true, gfn, p };
    *va = p;
    return 0;
}

int vgt_worker_guest_copy(struct vgt_worker *w, uint64_t gpa, void *buf, size_t len, bool write)
{
    uint8_t *b = buf;

    if (gpa >= GPA_LIMIT || len > GPA_LIMIT - gpa)
        return -EFAULT;
    while (len) {
        size_t off = gpa & (PAGE - 1), n = PAGE - off < len ? PAGE - off : len;
        uint8_t *va;
        if (guest_page(w, gpa >> PAGE_SHIFT, &va))
            return -EFAULT;
        if (write)
            memcpy(va + off, b, n);
        else
            memcpy(b, va + off, n);
        gpa += n;
        b += n;
        len -= n;
    }
    return 0;
}

static int host_guest_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
    return vgt_worker_guest_copy(opaque, gpa, buf, len, false);
}

static int host_guest_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
    return vgt_worker_guest_copy(opaque, gpa, (void *)buf, len, true);
}

/* ------------------------------------------------------------------ restart record */

/*
 * An ioreq server and populated frames belong to the domain, not to us: after a
 * crash (kill -9) they stay, the guest's accesses go to a server nobody serves
 * and a successor's set-up would conflict.  So "worker-D.ioreq" next to the
 * control socket says what the domain holds on our behalf:
 *     server ID
 *     backing BAR REGION NPAGES PARK_GFN CUR_GFN
 *     config HEX           (the 256 config bytes the guest sees, 512 hex digits)
 * The config line lets a successor put the device back where the guest's
 * firmware and OS left it (the guest does not probe PCI again).
 * It is opened before the privilege drop and rewritten in place (BAR moves,
 * config changes), removed when the domain holds nothing of ours any more.
 */
#define RECORD_MAX 2048

/* worker-D.SUFFIX in the control socket's folder (vgtd's root-only state dir). */
static int sibling_path(const struct vgt_worker *w, const char *suffix, char *buf, size_t len)
{
    const char *sp = w->cfg.socket_path, *slash = sp ? strrchr(sp, '/') : NULL;
    int n;

    if (!sp)
        return -EINVAL;
    n = slash ? snprintf(buf, len, "%.*s/worker-%u.%s", (int)(slash - sp), sp, w->cfg.domid, suffix)
              : snprintf(buf, len, "worker-%u.%s", w->cfg.domid, suffix);
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int record_path(struct vgt_worker *w)
{
    return sibling_path(w, "ioreq", w->record_path, sizeof(w->record_path));
}

static bool record_has(const struct vgt_worker *w)
{
    for (unsigned i = 0; i < VGT_WORKER_MAX_BACKING; i++)
        if (w->backing[i].populated || w->stale[i].present)
            return true;
    return w->server_up;
}

static void record_line(char *buf, size_t *len, size_t max, const struct vgt_worker_backing *bk)
{
    int n = snprintf(buf + *len, max - *len, "backing %d %u %llu %#llx %#llx\n", bk->bar,
                     bk->region, (unsigned long long)bk->npages,
                     (unsigned long long)bk->park_gfn, (unsigned long long)bk->cur_gfn);
    if (n > 0 && (size_t)n < max - *len)
        *len += (size_t)n;
}

static void record_write(struct vgt_worker *w)
{
    static const char hex[] = "0123456789abcdef";
    char buf[RECORD_MAX];
    size_t len = 0;

    if (w->record_fd < 0)
        return;
    if (w->server_up)
        len = (size_t)snprintf(buf, sizeof(buf), "server %u\n", w->server_id);
    for (unsigned i = 0; i < VGT_WORKER_MAX_BACKING; i++) {
        if (w->backing[i].populated)
            record_line(buf, &len, sizeof(buf), &w->backing[i]);
        if (w->stale[i].present)
            record_line(buf, &len, sizeof(buf), &w->stale[i]);
    }
    if (w->pcicfg_recorded) {   /* fits: 3 short lines above at most */
        memcpy(buf + len, "config ", 7);
        len += 7;
        for (unsigned i = 0; i < VGT_WORKER_PCICFG; i++) {
            buf[len++] = hex[w->pcicfg[i] >> 4];
            buf[len++] = hex[w->pcicfg[i] & 15];
        }
        buf[len++] = '\n';
    }
    if (pwrite(w->record_fd, buf, len, 0) != (ssize_t)len || ftruncate(w->record_fd, (off_t)len) < 0)
        vgt_worker_log(w, LOG_WARNING, "writing %s: %s", w->record_path, strerror(errno));
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* "config " followed by exactly 512 hex digits. */
static bool parse_config(const char *line, uint8_t out[VGT_WORKER_PCICFG])
{
    const char *h = line + 7;
    if (strncmp(line, "config ", 7) || strlen(h) != 2 * VGT_WORKER_PCICFG)
        return false;
    for (unsigned i = 0; i < VGT_WORKER_PCICFG; i++) {
        int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

/* Read a predecessor's record: *server = -1 if it names none; *cfg_lines
 * counts the valid config lines (the last one is in w->pcicfg).  Only complete
 * lines count: a record cut short loses its last line, not its meaning. */
static int record_load(struct vgt_worker *w, int *server, unsigned *cfg_lines)
{
    char buf[RECORD_MAX], *line, *nl;
    struct stat st;
    ssize_t n;
    unsigned nb = 0;
    int fd = open(w->record_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    *server = -1;
    *cfg_lines = 0;
    if (fd < 0)
        return errno == ENOENT ? 0 : -errno;
    /* only a record we (the same user, vgtd's root) wrote counts */
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
        close(fd);
        vgt_worker_log(w, LOG_WARNING, "%s: not a record of ours: ignored", w->record_path);
        return 0;
    }
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n < 0)
        return -errno;
    buf[n] = 0;
    for (line = buf; (nl = memchr(line, '\n', (size_t)(buf + n - line))); line = nl + 1) {
        struct vgt_worker_backing bk = { .present = true };
        unsigned id;
        unsigned long long np, park, cur;
        *nl = 0;
        if (nl == line)
            continue;
        if (strlen(line) != (size_t)(nl - line)) {
            vgt_worker_log(w, LOG_WARNING, "%s: bad line ignored", w->record_path);
        } else if (sscanf(line, "server %u", &id) == 1 && id <= UINT16_MAX) {
            *server = (int)id;
        } else if (sscanf(line, "backing %d %u %llu %llx %llx", &bk.bar, &bk.region, &np, &park,
                          &cur) == 5 && nb < VGT_WORKER_MAX_BACKING && bk.bar >= VGT_WORKER_BACKING_OPREGION &&
                   bk.bar < VGT_NR_BARS && np && np <= (1u << 20) && park < GPA_LIMIT >> PAGE_SHIFT &&
                   cur < GPA_LIMIT >> PAGE_SHIFT) {
            bk.npages = np;
            bk.park_gfn = park;
            bk.cur_gfn = cur;
            w->stale[nb++] = bk;
        } else if (parse_config(line, w->pcicfg)) {
            (*cfg_lines)++;
        } else {
            vgt_worker_log(w, LOG_WARNING, "%s: bad line ignored", w->record_path);
        }
    }
    if (*line)
        vgt_worker_log(w, LOG_WARNING, "%s: incomplete last line ignored", w->record_path);
    return 0;
}

static int map_frames(struct vgt_worker *w, uint64_t gfn, uint64_t n, void **mem)
{
    uint64_t *gfns = calloc(n, sizeof(*gfns));
    int r;
    if (!gfns)
        return -ENOMEM;
    for (uint64_t i = 0; i < n; i++)
        gfns[i] = gfn + i;
    r = w->x->map_guest(w->xen, w->cfg.domid, true, gfns, n, mem);
    free(gfns);
    return r;
}

static void release_backing(struct vgt_worker *w, struct vgt_worker_backing *bk);

/* The predecessor's frames that were not adopted: give them back (before restrict). */
static void release_stale(struct vgt_worker *w)
{
    for (unsigned i = 0; i < VGT_WORKER_MAX_BACKING; i++) {
        struct vgt_worker_backing *s = &w->stale[i];
        if (!s->present)
            continue;
        if (s->mem)
            w->x->unmap_guest(w->xen, s->mem, s->npages);
        s->mem = NULL;
        s->populated = s->maxmem_raised = true;
        vgt_worker_log(w, LOG_INFO, "releasing %llu frames of a previous worker",
                       (unsigned long long)s->npages);
        release_backing(w, s);
    }
    record_write(w);
}

/* Is the recorded config space one of our device?  The record is the domain's
 * (proven by the caller); this catches a line of another device or a damaged
 * one.  Its contents are otherwise replayed as guest writes, which the
 * mediator must take whatever they are. */
static bool config_fits(struct vgt_worker *w, const uint8_t *c)
{
    uint32_t id = 0;
    if (w->cfg.med->cfg_read(w->vgpu, 0, 4, &id) < 0)
        return false;
    return id == ((uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24);
}

/* A server's frames: frame 0 the buffered page, then the slot pages (one ioreq_t per vCPU). */
static unsigned slot_pages(const struct vgt_worker *w)
{
    return (unsigned)((w->cfg.vcpus * sizeof(ioreq_t) + PAGE - 1) / PAGE);
}

/*
 * A dead predecessor's server.  A guest vCPU whose access reached it waits in
 * Xen on that server's event channel, and only a notification there wakes it;
 * while the server exists and is enabled it keeps claiming the device, so
 * accesses during our start-up wait there too instead of falling through to
 * QEMU.  Once our server is up the old one is disabled (new accesses come to
 * ours), what waits on it is served by our mediator -- which took the device
 * state over, so the guest sees the answer the dead worker owed -- and the
 * vCPUs are woken through the old ports.  It is destroyed once the vCPUs
 * have taken their answers: Xen drops a server's vCPU state with it, and a
 * vCPU that had not yet run would complete its read with a stale value.  serve
 * false (our start-up failed): reads get all ones, writes are dropped.
 */
#define STALE_TAKE_WAIT_MS 1000     /* a woken vCPU takes its answer in well under that */

/* Has every vCPU taken the answer left in the stale slots (Xen's wait_for_io
 * turns IORESP_READY into NONE)?  Waits up to wait_ms. */
static bool stale_answers_taken(struct vgt_worker *w, unsigned wait_ms)
{
    for (unsigned t = 0;; t++) {
        bool all = true;
        for (unsigned v = 0; v < w->cfg.vcpus; v++)
            all &= w->stale_shared->vcpu_ioreq[v].state != STATE_IORESP_READY;
        if (all || t >= wait_ms)
            return all;
        nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
    }
}

static void destroy_stale_server(struct vgt_worker *w)
{
    uint16_t id = (uint16_t)w->stale_server;
    int r;

    if (w->stale_server < 0)
        return;
    w->x->unmap_ioreq_pages(w->xen, w->stale_map);
    w->stale_map = NULL;
    w->stale_buf = NULL;
    w->stale_shared = NULL;
    r = w->x->destroy_ioreq_server(w->xen, w->cfg.domid, id);
    if (r && r != -ENOENT)
        vgt_worker_log(w, LOG_WARNING, "destroy stale ioreq server %u: %s", id, strerror(-r));
    else
        vgt_worker_log(w, LOG_NOTICE, "stale ioreq server %u of a previous worker %s", id,
                       r ? "already gone" : "destroyed");
    w->stale_server = -1;
    w->stale_handed = false;
}

static void finish_stale_server(struct vgt_worker *w, bool serve)
{
    uint16_t id = (uint16_t)w->stale_server;
    unsigned n = 0;
    int r;

    if (w->stale_server < 0 || w->stale_handed)
        return;
    w->stale_handed = true;
    r = w->x->set_server_state(w->xen, w->cfg.domid, id, false);
    if (r && r != -ENOENT)
        vgt_worker_log(w, LOG_WARNING, "disable stale ioreq server %u: %s", id, strerror(-r));
    if (serve)
        vgt_worker_drain_buffered(w, w->stale_buf);
    for (unsigned v = 0; v < w->cfg.vcpus; v++) {
        volatile ioreq_t *slot = &w->stale_shared->vcpu_ioreq[v];
        uint8_t state = slot->state;
        uint32_t local;

        if (state != STATE_IOREQ_READY && state != STATE_IOREQ_INPROCESS)
            continue;
        if (!serve || !vgt_worker_serve_slot(w, slot, w->stale_buf, true)) {
            if (slot->dir == IOREQ_READ && !slot->data_is_ptr)
                slot->data = ~0ull;
            __atomic_thread_fence(__ATOMIC_RELEASE);
            slot->state = STATE_IORESP_READY;
        }
        if (w->x->evtchn_bind(w->xen, w->cfg.domid, slot->vp_eport, &local) == 0) {
            w->x->evtchn_notify(w->xen, local);
            w->x->evtchn_unbind(w->xen, local);
        }
        n++;
    }
    if (n)
        vgt_worker_log(w, LOG_NOTICE, "%u guest access(es) in flight to the previous worker %s "
                       "and the vCPU(s) woken", n,
                       serve ? "served by this one" : "answered (reads: all ones)");
    if (n && !stale_answers_taken(w, STALE_TAKE_WAIT_MS)) {
        /* a paused vCPU: the disabled server waits for it (watchdog, teardown) */
        vgt_worker_log(w, LOG_NOTICE, "a vCPU has not taken its answer yet (paused?): stale ioreq "
                       "server %u kept, disabled, until it has", id);
        return;
    }
    destroy_stale_server(w);
}

/* Before creating our server: take hold of a dead predecessor's and find its
 * frames and the config space to restore. */
static int recover_stale(struct vgt_worker *w)
{
    unsigned cfg_lines, nframes = 0;
    int server, r = record_load(w, &server, &cfg_lines);
    if (r) {
        vgt_worker_log(w, LOG_ERR, "%s: %s", w->record_path, strerror(-r));
        return r;
    }
    /* frames at the recorded place prove the record is this domain's (a domid
     * is reused only after the domain died; its record then names nothing) */
    for (unsigned i = 0; i < VGT_WORKER_MAX_BACKING; i++) {
        struct vgt_worker_backing *s = &w->stale[i];
        if (!s->present)
            continue;
        nframes++;
        if (map_frames(w, s->cur_gfn, s->npages, &s->mem) == 0)
            continue;
        if (s->cur_gfn != s->park_gfn && map_frames(w, s->park_gfn, s->npages, &s->mem) == 0) {
            s->cur_gfn = s->park_gfn;
            continue;
        }
        vgt_worker_log(w, LOG_NOTICE, "%s names frames the domain does not have: ignored",
                       w->record_path);
        for (unsigned k = 0; k < VGT_WORKER_MAX_BACKING; k++) {
            if (w->stale[k].mem)
                w->x->unmap_guest(w->xen, w->stale[k].mem, w->stale[k].npages);
            w->stale[k] = (struct vgt_worker_backing){ 0 };
        }
        memset(w->pcicfg, 0, sizeof(w->pcicfg));
        return 0;
    }
    if (server >= 0) {
        /* its pages map only if it is a server of this domain's, ours (dom0's) */
        void *addr;
        r = w->x->map_ioreq_pages(w->xen, w->cfg.domid, (uint16_t)server, VGT_XEN_FRAME_BUFIOREQ,
                                  1 + slot_pages(w), &addr, &w->stale_map);
        if (r == 0) {
            w->stale_server = server;
            w->stale_buf = addr;
            w->stale_shared = (volatile shared_iopage_t *)((uint8_t *)addr + PAGE);
        } else {
            vgt_worker_log(w, LOG_NOTICE, "stale ioreq server %d of a previous worker: %s", server,
                           r == -ENOENT ? "already gone" : strerror(-r));
        }
    }
    /* without frames only a server that exists proves the record ours */
    if (cfg_lines == 1 && (nframes || w->stale_server >= 0) && config_fits(w, w->pcicfg)) {
        w->restore_pending = w->pcicfg_recorded = true;   /* kept recorded until replayed */
        w->state_proven = true;
    } else {
        if (cfg_lines)
            vgt_worker_log(w, LOG_WARNING, "%s: config %s: not restored (vGPU reset)", w->record_path,
                           cfg_lines > 1 ? "given twice" : "not of this device");
        memset(w->pcicfg, 0, sizeof(w->pcicfg));
    }
    return 0;
}

/* ------------------------------------------------------------------ BARs */

static bool bar_live(const struct vgt_bar *b)
{
    /* decoding on, and an address the guest really programmed (not 0, not a
     * sizing pattern that would wrap or leave the I/O space) */
    if (!b->present || !b->decode || !b->addr || !b->size)
        return false;
    if (b->addr + b->size < b->addr)
        return false;
    if (b->is_io)
        return b->addr + b->size <= 0x10000;
    return (b->addr & (b->size - 1)) == 0;
}

static struct vgt_worker_backing *find_backing(struct vgt_worker *w, int bar, unsigned region)
{
    for (unsigned i = 0; i < VGT_WORKER_MAX_BACKING; i++)
        if (w->backing[i].present && w->backing[i].bar == bar && w->backing[i].region == region)
            return &w->backing[i];
    return NULL;
}

static void unmap_windows(struct vgt_worker *w, int bar)
{
    for (unsigned i = 0; i < w->nwin;) {
        struct vgt_worker_window *win = &w->win[i];
        if (bar >= 0 && win->bar != bar) {
            i++;
            continue;
        }
        int r = w->x->unmap_io_range(w->xen, w->cfg.domid, w->server_id, win->is_mmio,
                                     win->start, win->end);
        if (r)
            vgt_worker_log_guest(w, LOG_WARNING, "unmap %s %#llx-%#llx: %s", win->is_mmio ? "MMIO" : "I/O",
                           (unsigned long long)win->start, (unsigned long long)win->end,
                           strerror(-r));
        *win = w->win[--w->nwin];
    }
}

/* Is any of [gfn, gfn+n) guest RAM (outside our own frames)?  Probed every
 * MiB and at the end: hvmloader and the guest place BARs in the MMIO hole, so
 * this only catches a guest that programs a BAR over its own memory. */
static bool range_has_ram(struct vgt_worker *w, const struct vgt_worker_backing *bk, uint64_t gfn,
                          uint64_t n)
{
    for (uint64_t i = 0;; i = i + 256 < n ? i + 256 : n - 1) {
        uint64_t g = gfn + i;
        void *p;
        if ((g < bk->cur_gfn || g >= bk->cur_gfn + bk->npages) &&
            w->x->map_guest(w->xen, w->cfg.domid, false, &g, 1, &p) == 0) {
            w->x->unmap_guest(w->xen, p, 1);
            return true;
        }
        if (i == n - 1)
            return false;
    }
}

/* Move the backing frames under a new guest address with the relocate dm_op
 * (allowed after restrict; our mapping follows the pages, not the gfns). */
static int move_backing(struct vgt_worker *w, struct vgt_worker_backing *bk, uint64_t gfn)
{
    int r;
    if (range_has_ram(w, bk, gfn, bk->npages))
        return -EEXIST;
    /* overlapping old and new place: go through the parking place */
    if (gfn < bk->cur_gfn + bk->npages && bk->cur_gfn < gfn + bk->npages &&
        bk->cur_gfn != bk->park_gfn) {
        r = w->x->relocate_memory(w->xen, w->cfg.domid, (uint32_t)bk->npages, bk->cur_gfn,
                                  bk->park_gfn);
        if (r)
            return r;
        bk->cur_gfn = bk->park_gfn;
    }
    r = w->x->relocate_memory(w->xen, w->cfg.domid, (uint32_t)bk->npages, bk->cur_gfn, gfn);
    if (!r)
        bk->cur_gfn = gfn;
    record_write(w);
    return r;
}

/* Make Xen's view follow the BAR: trapped regions go to our server, memory
 * regions get their backing frames moved under the new address.  Uses our own
 * record of what is mapped, never the mediator's "old" state. */
static void apply_bar(struct vgt_worker *w, int bar, const struct vgt_bar *b)
{
    unmap_windows(w, bar);
    w->bars[bar] = *b;
    if (!bar_live(b))
        return;
    for (unsigned i = 0; i < b->n_regions && i < VGT_MAX_REGIONS; i++) {
        const struct vgt_region *rg = &b->regions[i];
        uint64_t start = b->addr + rg->offset;

        if (!rg->size || rg->offset >= b->size || rg->size > b->size - rg->offset)
            continue;
        if (rg->kind == VGT_REGION_MEMORY) {
            struct vgt_worker_backing *bk = find_backing(w, bar, i);
            uint64_t gfn = start >> PAGE_SHIFT;
            int r;
            if (!bk || !bk->populated || b->is_io)
                continue;
            r = bk->cur_gfn == gfn ? 0 : move_backing(w, bk, gfn);
            if (r)
                vgt_worker_log_guest(w, LOG_ERR, "moving BAR%d memory to %#llx: %s", bar,
                               (unsigned long long)start, strerror(-r));
            bk->placed = !r;
            continue;
        }
        if (w->nwin == VGT_WORKER_MAX_WINDOWS)
            break;
        struct vgt_worker_window win = { start, start + rg->size - 1, b->addr, bar, !b->is_io };
        int r = w->x->map_io_range(w->xen, w->cfg.domid, w->server_id, win.is_mmio, win.start,
                                   win.end);
        if (r) {
            vgt_worker_log_guest(w, LOG_ERR, "map BAR%d %s %#llx-%#llx: %s", bar,
                           win.is_mmio ? "MMIO" : "I/O", (unsigned long long)win.start,
                           (unsigned long long)win.end, strerror(-r));
            continue;
        }
        w->win[w->nwin++] = win;
    }
}

static void host_bar_changed(void *opaque, int bar, const struct vgt_bar *old_state,
                             const struct vgt_bar *new_state)
{
    struct vgt_worker *w = opaque;
    if (bar < 0 || bar >= VGT_NR_BARS || !new_state)
        return;
    vgt_worker_log_guest(w, LOG_DEBUG, "BAR%d: addr %#llx size %#llx decode %d", bar,
                   (unsigned long long)new_state->addr, (unsigned long long)new_state->size,
                   new_state->decode);
    /* Before enable the server's ranges do not exist yet: set-up maps them. */
    if (w->stage >= VGT_STAGE_SERVER)
        apply_bar(w, bar, new_state);
    else
        w->bars[bar] = *new_state;
}

static void host_raise_msi(void *opaque, uint64_t addr, uint32_t data)
{
    struct vgt_worker *w = opaque;
    int r = w->x->inject_msi(w->xen, w->cfg.domid, addr, data);
    if (r)
        vgt_worker_log_guest(w, LOG_WARNING, "inject MSI %#llx/%#x: %s", (unsigned long long)addr, data,
                       strerror(-r));
}

static void host_set_intx(void *opaque, bool level)
{
    struct vgt_worker *w = opaque;
    int r = w->x->set_pci_intx(w->xen, w->cfg.domid, w->cfg.seg, w->cfg.bus, w->cfg.dev, 0, level);
    if (r)
        vgt_worker_log_guest(w, LOG_WARNING, "INTA %d: %s", level, strerror(-r));
}

static void host_display_ready(void *opaque, bool ready)
{
    struct vgt_worker *w = opaque;
    if (ready && !w->display_ready) {
        vgt_worker_log_guest(w, LOG_INFO, "guest display ready");
        vgt_worker_ctl_event(w, "display_ready", NULL);
    }
    w->display_ready = ready;
}

static struct vgt_worker_backing *opregion_backing(struct vgt_worker *w)
{
    for (unsigned i = 0; i < VGT_WORKER_MAX_BACKING; i++)
        if (w->backing[i].present && w->backing[i].populated &&
            w->backing[i].bar == VGT_WORKER_BACKING_OPREGION)
            return &w->backing[i];
    return NULL;
}

/* Why the OpRegion's frames cannot go to ASLS (NULL: they can). */
static const char *asls_refusal(struct vgt_worker *w, const struct vgt_worker_backing *bk,
                                uint32_t asls)
{
    uint64_t end = (uint64_t)asls + bk->npages * PAGE;
    if (asls & (PAGE - 1))
        return "not page aligned";
    if (end > 1ull << 32)
        return "crosses 4 GiB";
    for (int b = 0; b < VGT_NR_BARS; b++) {
        const struct vgt_bar *bar = &w->bars[b];
        if (bar_live(bar) && !bar->is_io && asls < bar->addr + bar->size && bar->addr < end)
            return "overlaps a BAR";
    }
    return NULL;
}

/* Counted as a bad access too: the control socket's stats (daemon/IPC.md) show it. */
static void asls_refuse(struct vgt_worker *w, uint32_t asls, const char *why)
{
    w->stats.asls_refused++;
    w->stats.bad_access++;
    vgt_worker_log_guest(w, LOG_WARNING, "OpRegion at ASLS %#x: %s: refused", asls, why);
}

/* hvmloader wrote ASLS: the guest's i915 will look for the OpRegion (and its
 * VBT) there.  hvmloader marks those pages ACPI NVS but nothing backs them, so
 * our frames are moved there (ASLS 0: back to the parking place) and filled. */
static void host_asls_changed(void *opaque, uint32_t asls)
{
    struct vgt_worker *w = opaque;
    struct vgt_worker_backing *bk = opregion_backing(w);
    const char *why;
    int r;

    if (!bk || !w->cfg.med->get_opregion)
        return;
    if (!asls) {
        if (bk->cur_gfn != bk->park_gfn && move_backing(w, bk, bk->park_gfn) == 0)
            vgt_worker_mapcache_flush(w);
        return;
    }
    if ((why = asls_refusal(w, bk, asls))) {
        asls_refuse(w, asls, why);
        return;
    }
    if (bk->cur_gfn != asls >> PAGE_SHIFT) {
        r = move_backing(w, bk, asls >> PAGE_SHIFT);
        vgt_worker_mapcache_flush(w);   /* cached maps of those gfns are stale */
        if (r) {
            asls_refuse(w, asls, r == -EEXIST ? "guest RAM" : strerror(-r));
            return;
        }
    }
    bk->placed = true;
    /* through our mapping, which follows the frames, not the gfns */
    memset(bk->mem, 0, bk->npages * PAGE);
    r = w->cfg.med->get_opregion(w->vgpu, bk->mem, bk->npages * PAGE);
    if (r)
        vgt_worker_log_guest(w, LOG_WARNING, "OpRegion at ASLS %#x: %s", asls, strerror(-r));
    else
        vgt_worker_log_guest(w, LOG_INFO, "OpRegion written at %#x", asls);
}

static void host_log(void *opaque, int level, const char *msg)
{
    vgt_worker_log(opaque, level, "%s", msg);
}

/* ------------------------------------------------------------------ stages */

static int stage_handles(struct vgt_worker *w)
{
    struct vgt_xen_dominfo info;
    int r = w->x->open(w->cfg.xen_arg, VGT_XEN_WORKER, &w->xen);
    if (r)
        return r;
    r = w->x->domain_info(w->xen, w->cfg.domid, &info);
    if (r) {
        vgt_worker_log(w, LOG_ERR, "domain %u: %s", w->cfg.domid, strerror(-r));
        return r;
    }
    if (!info.hvm || info.dying) {
        vgt_worker_log(w, LOG_ERR, "domain %u is not a live HVM guest", w->cfg.domid);
        return -EINVAL;
    }
    if (info.nr_vcpus != w->cfg.vcpus)
        vgt_worker_log(w, LOG_WARNING, "--vcpus %u but the domain has %u: using %u",
                       w->cfg.vcpus, info.nr_vcpus, info.nr_vcpus);
    if (info.nr_vcpus == 0 || info.nr_vcpus > VGT_WORKER_MAX_VCPUS)
        return -EINVAL;
    w->cfg.vcpus = info.nr_vcpus;
    return 0;
}

static void undo_handles(struct vgt_worker *w)
{
    vgt_worker_mapcache_flush(w);
    w->x->close(w->xen);
    w->xen = NULL;
}

static struct vgt_vgpu_params vgpu_params(const struct vgt_worker *w)
{
    return (struct vgt_vgpu_params){
        .profile = &w->cfg.profile,
        .part = w->cfg.part,
        .guest_mem_bytes = w->cfg.guest_mem,
        .vcpus = w->cfg.vcpus,
    };
}

static int stage_mediator(struct vgt_worker *w)
{
    struct vgt_vgpu_params p = vgpu_params(w);
    int r = w->cfg.med->create(&p, &w->host, w, &w->vgpu);
    if (r)
        return r;
    w->cfg.med->get_bars(w->vgpu, w->bars);
    for (unsigned i = 0; w->cfg.has_monitor && i < w->cfg.monitor.n; i++) {
        const struct vgt_monitor_item *it = &w->cfg.monitor.items[i];
        struct vgt_port_state ps = { .connected = true, .type = it->type, .override = it->override };
        memcpy(ps.edid, it->edid, sizeof(ps.edid));
        r = w->cfg.med->hotplug(w->vgpu, it->port, &ps);
        if (r) {
            const char *name = vgt_port_name(it->port);
            vgt_worker_log(w, LOG_ERR, "monitor config: %s: %s", name ? name : "bad port",
                           strerror(-r));
            return r;
        }
    }
    return 0;
}

static void undo_mediator(struct vgt_worker *w)
{
    if (w->vgpu)
        w->cfg.med->destroy(w->vgpu);
    w->vgpu = NULL;
}

static int stage_server(struct vgt_worker *w)
{
    int r = record_path(w);
    if (!r)
        r = sibling_path(w, "state", w->state_path, sizeof(w->state_path));
    if (!r)
        r = recover_stale(w);
    if (r)
        return r;
    /* root's, opened now: still writable after the privilege drop */
    w->record_fd = open(w->record_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (w->record_fd < 0) {
        r = -errno;
        vgt_worker_log(w, LOG_ERR, "%s: %s", w->record_path, strerror(-r));
        return r;
    }
    record_write(w);
    r = w->x->create_ioreq_server(w->xen, w->cfg.domid, VGT_XEN_BUFIOREQ_ATOMIC, &w->server_id);
    if (r)
        return r;
    w->server_up = true;
    record_write(w);
    vgt_worker_log(w, LOG_INFO, "ioreq server %u created", w->server_id);
    return 0;
}

static void undo_server(struct vgt_worker *w)
{
    if (!w->domain_gone) {
        finish_stale_server(w, false);   /* start-up failed before the hand-over */
        destroy_stale_server(w);         /* or a vCPU kept it: we go, it goes */
    } else if (w->stale_map) {
        w->x->unmap_ioreq_pages(w->xen, w->stale_map);
    }
    w->stale_map = NULL;
    w->stale_server = -1;
    w->stale_handed = false;
    if (w->server_up && w->domain_gone) {
        w->nwin = 0;
    } else if (w->server_up) {
        unmap_windows(w, -1);
        int r = w->x->destroy_ioreq_server(w->xen, w->cfg.domid, w->server_id);
        if (r)
            vgt_worker_log(w, LOG_WARNING, "destroy ioreq server: %s", strerror(-r));
    }
    w->server_up = false;
    if (!w->domain_gone)
        release_stale(w);
    if (w->record_fd >= 0) {
        /* frames left to the domain after restrict stay recorded for a successor */
        if (w->domain_gone || !record_has(w)) {
            unlink(w->record_path);
            unlink(w->state_path);   /* nothing left to prove it a predecessor's */
        } else {
            record_write(w);
        }
        close(w->record_fd);
    }
    w->record_fd = -1;
    for (unsigned i = 0; i < VGT_WORKER_MAX_BACKING; i++)
        w->backing[i] = (struct vgt_worker_backing){ 0 };
}

static int stage_pages(struct vgt_worker *w)
{
    void *addr;
    int r = w->x->map_ioreq_pages(w->xen, w->cfg.domid, w->server_id, VGT_XEN_FRAME_BUFIOREQ,
                                  1 + slot_pages(w), &addr, &w->pages_map);
    if (r)
        return r;
    w->buf = addr;
    w->shared = (volatile shared_iopage_t *)((uint8_t *)addr + PAGE);
    return 0;
}

static void undo_pages(struct vgt_worker *w)
{
    w->x->unmap_ioreq_pages(w->xen, w->pages_map);
    w->pages_map = NULL;
    w->buf = NULL;
    w->shared = NULL;
}

/* Where memory-backed regions wait until the guest places the BAR: far above
 * the guest's RAM (and above 4 GiB), below any guest's address width. */
static uint64_t park_base(const struct vgt_worker *w)
{
    uint64_t top = (4ull << 30) + w->cfg.guest_mem;
    return ((top + (1ull << 30) - 1) & ~((1ull << 30) - 1)) + (16ull << 30);
}

/* A BAR's region is the mediator's memory; the OpRegion's frames are only ours. */
static int hand_over(struct vgt_worker *w, struct vgt_worker_backing *bk, bool give)
{
    if (bk->bar == VGT_WORKER_BACKING_OPREGION)
        return 0;
    return w->cfg.med->set_backing(w->vgpu, bk->bar, bk->region, give ? bk->mem : NULL,
                                   give ? bk->npages * PAGE : 0);
}

static const char *backing_name(const struct vgt_worker_backing *bk, char *buf, size_t len)
{
    if (bk->bar == VGT_WORKER_BACKING_OPREGION)
        return "OpRegion";
    snprintf(buf, len, "BAR%d memory", bk->bar);
    return buf;
}

static void release_backing(struct vgt_worker *w, struct vgt_worker_backing *bk)
{
    char nm[32];
    if (bk->mem) {
        if (w->vgpu)
            hand_over(w, bk, false);
        w->x->unmap_guest(w->xen, bk->mem, bk->npages);
        bk->mem = NULL;
    }
    if (bk->populated) {
        if (w->restricted) {
            /* libxenctrl is gone after restrict: the frames go with the domain */
            vgt_worker_log(w, LOG_INFO, "%s (%llu frames at gfn %#llx) stays with the domain",
                           backing_name(bk, nm, sizeof(nm)), (unsigned long long)bk->npages, (unsigned long long)bk->cur_gfn);
            return;   /* still populated: recorded for a successor (undo_server) */
        } else {
            uint64_t *gfns = calloc(bk->npages, sizeof(*gfns));
            int r = gfns ? 0 : -ENOMEM;
            for (uint64_t i = 0; gfns && i < bk->npages; i++)
                gfns[i] = bk->cur_gfn + i;
            if (!r)
                r = w->x->decrease_reservation(w->xen, w->cfg.domid, gfns, bk->npages);
            if (r)
                vgt_worker_log(w, LOG_WARNING, "release %s: %s", backing_name(bk, nm, sizeof(nm)),
                               strerror(-r));
            free(gfns);
        }
        bk->populated = false;
    }
    if (bk->maxmem_raised && !w->restricted) {
        struct vgt_xen_dominfo info;
        int r = w->x->domain_info(w->xen, w->cfg.domid, &info);
        if (!r)
            r = w->x->set_maxmem(w->xen, w->cfg.domid, info.max_memkb - bk->npages * (PAGE / 1024));
        if (r)
            vgt_worker_log(w, LOG_WARNING, "lower maxmem: %s", strerror(-r));
    }
    bk->maxmem_raised = false;
    bk->present = false;
}

static int setup_backing(struct vgt_worker *w, struct vgt_worker_backing *bk, uint64_t size)
{
    struct vgt_xen_dominfo info;
    uint64_t *gfns;
    char nm[32];
    int r;

    bk->npages = size >> PAGE_SHIFT;
    for (unsigned i = 0; i < VGT_WORKER_MAX_BACKING; i++) {
        struct vgt_worker_backing *s = &w->stale[i];
        if (!s->present || s->bar != bk->bar || s->region != bk->region || s->npages != bk->npages)
            continue;
        /* a dead predecessor's frames: maxmem was raised for them already */
        bk->park_gfn = s->park_gfn;
        bk->cur_gfn = s->cur_gfn;
        bk->mem = s->mem;
        bk->populated = bk->maxmem_raised = true;
        *s = (struct vgt_worker_backing){ 0 };
        /* Restoring the config: the frames stay (the replay finds them in place,
         * the guest's GGTT entries kept: the mediator checks each one on use,
         * as it does the guest's live writes).  Otherwise the vGPU is reset
         * (BARs not decoding): back to the parking place, emptied. */
        if (!w->restore_pending) {
            if (bk->cur_gfn != bk->park_gfn &&
                w->x->relocate_memory(w->xen, w->cfg.domid, (uint32_t)bk->npages, bk->cur_gfn,
                                      bk->park_gfn) == 0)
                bk->cur_gfn = bk->park_gfn;
            memset(bk->mem, 0, bk->npages * PAGE);
        }
        record_write(w);
        vgt_worker_log(w, LOG_NOTICE, "%s of a previous worker reused (gfn %#llx)",
                       backing_name(bk, nm, sizeof(nm)), (unsigned long long)bk->cur_gfn);
        return hand_over(w, bk, true);
    }
    r = w->x->domain_info(w->xen, w->cfg.domid, &info);
    if (r)
        return r;
    /* exactly the region's size, as QEMU does for VGA RAM */
    r = w->x->set_maxmem(w->xen, w->cfg.domid, info.max_memkb + bk->npages * (PAGE / 1024));
    if (r)
        return r;
    bk->maxmem_raised = true;
    if (!(gfns = calloc(bk->npages, sizeof(*gfns))))
        return -ENOMEM;
    for (uint64_t i = 0; i < bk->npages; i++)
        gfns[i] = bk->park_gfn + i;
    r = w->x->populate(w->xen, w->cfg.domid, gfns, bk->npages);
    if (!r) {
        bk->populated = true;
        bk->cur_gfn = bk->park_gfn;
        record_write(w);
        r = w->x->map_guest(w->xen, w->cfg.domid, true, gfns, bk->npages, &bk->mem);
    }
    free(gfns);
    if (r)
        return r;
    memset(bk->mem, 0, bk->npages * PAGE);
    return hand_over(w, bk, true);
}

static int stage_backing(struct vgt_worker *w)
{
    uint64_t park = park_base(w) >> PAGE_SHIFT;
    unsigned n = 0;

    for (int b = 0; b < VGT_NR_BARS; b++) {
        const struct vgt_bar *bar = &w->bars[b];
        for (unsigned i = 0; bar->present && i < bar->n_regions && i < VGT_MAX_REGIONS; i++) {
            const struct vgt_region *rg = &bar->regions[i];
            struct vgt_worker_backing *bk;
            int r;
            if (rg->kind != VGT_REGION_MEMORY)
                continue;
            if (bar->is_io || !rg->size || (rg->size | rg->offset) & (PAGE - 1) ||
                n == VGT_WORKER_MAX_BACKING) {
                vgt_worker_log(w, LOG_ERR, "BAR%d region %u cannot be memory-backed", b, i);
                return -EINVAL;
            }
            bk = &w->backing[n++];
            *bk = (struct vgt_worker_backing){ .present = true, .bar = b, .region = i,
                                               .park_gfn = park };
            park += rg->size >> PAGE_SHIFT;
            r = setup_backing(w, bk, rg->size);
            if (r) {
                vgt_worker_log(w, LOG_ERR, "BAR%d memory (%llu KiB): %s", b,
                               (unsigned long long)(rg->size >> 10), strerror(-r));
                return r;
            }
        }
    }
    /* hvmloader reserves pages at ASLS (ACPI NVS) that nothing backs: it expects
     * a passthrough device model to map the host's OpRegion there.  Ours are
     * populated here, after the BAR frames, and moved when ASLS is written. */
    if (w->cfg.med->get_opregion) {
        struct vgt_worker_backing *bk;
        int r;
        if (n == VGT_WORKER_MAX_BACKING)
            return -ENOSPC;
        bk = &w->backing[n++];
        *bk = (struct vgt_worker_backing){ .present = true, .bar = VGT_WORKER_BACKING_OPREGION,
                                           .park_gfn = park };
        r = setup_backing(w, bk, (uint64_t)VGT_OPREGION_HVMLOADER_PAGES * PAGE);
        if (r) {
            vgt_worker_log(w, LOG_ERR, "OpRegion frames: %s", strerror(-r));
            return r;
        }
    }
    release_stale(w);   /* frames of a predecessor no region wanted */
    return 0;
}

static void undo_backing(struct vgt_worker *w)
{
    for (unsigned i = VGT_WORKER_MAX_BACKING; i-- > 0;)
        if (w->backing[i].present)
            release_backing(w, &w->backing[i]);
}

static int stage_pcidev(struct vgt_worker *w)
{
    return w->x->map_pcidev(w->xen, w->cfg.domid, w->server_id, w->cfg.seg, w->cfg.bus,
                            w->cfg.dev, w->cfg.fn);
}

static void undo_pcidev(struct vgt_worker *w)
{
    if (!w->domain_gone)
        w->x->unmap_pcidev(w->xen, w->cfg.domid, w->server_id, w->cfg.seg, w->cfg.bus,
                           w->cfg.dev, w->cfg.fn);
}

/* ------------------------------------------------------------------ config space */

static void pcicfg_read(struct vgt_worker *w, uint8_t c[VGT_WORKER_PCICFG])
{
    for (unsigned reg = 0; reg < VGT_WORKER_PCICFG; reg += 4) {
        uint32_t v = 0;
        if (w->cfg.med->cfg_read(w->vgpu, reg, 4, &v) < 0)
            v = 0;
        for (unsigned i = 0; i < 4; i++)
            c[reg + i] = (uint8_t)(v >> (8 * i));
    }
}

void vgt_worker_pcicfg_changed(struct vgt_worker *w)
{
    uint8_t now[VGT_WORKER_PCICFG];

    if (w->restore_pending)   /* the predecessor's config stays recorded until replayed */
        return;
    pcicfg_read(w, now);
    if (w->pcicfg_recorded && !memcmp(now, w->pcicfg, sizeof(now)))
        return;
    memcpy(w->pcicfg, now, sizeof(now));
    w->pcicfg_recorded = true;
    record_write(w);
}

/* Write size bytes at reg as the guest would, with the value c holds there. */
static void cfg_put(struct vgt_worker *w, unsigned reg, unsigned size, const uint8_t *c,
                    uint32_t clear)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)c[reg + i] << (8 * i);
    w->cfg.med->cfg_write(w->vgpu, reg, size, v & ~clear);
}

/* The capability id in the device's own list (not the record's), 0 if none. */
static unsigned find_cap(const uint8_t *c, uint8_t id)
{
    unsigned p = c[0x34] & 0xFC;
    for (unsigned hops = 0; p >= 0x40 && p < VGT_WORKER_PCICFG - 4 && hops < 48; hops++) {
        if (c[p] == id)
            return p;
        p = c[p + 1] & 0xFC;
    }
    return 0;
}

#define CMD_DECODE 0x3u         /* I/O and memory space */
#define CAP_ID_MSI 0x05
#define MSI_ENABLE 0x1u

/*
 * A worker that replaced a crashed one: the guest does not probe PCI again, so
 * its config space is put back, written as the guest wrote it (the BAR, ASLS
 * and MSI paths of a guest write do the mapping; whatever the record says, it
 * is nothing a guest could not write itself).  The order is the guest's: BARs
 * with decoding off, then the command register, then the rest with MSI
 * enabled last.  Status, BIST and read-only registers are not written.
 */
static int stage_restore(struct vgt_worker *w)
{
    uint8_t c[VGT_WORKER_PCICFG], dev[VGT_WORKER_PCICFG];
    unsigned msi;
    int moved = 0;
    char nm[32];

    if (!w->restore_pending)
        return 0;
    memcpy(c, w->pcicfg, sizeof(c));
    pcicfg_read(w, dev);
    msi = find_cap(dev, CAP_ID_MSI);
    for (unsigned i = 0; i < VGT_WORKER_MAX_BACKING; i++)
        w->backing[i].placed = false;

    cfg_put(w, 0x04, 2, dev, CMD_DECODE);
    for (unsigned reg = 0x10; reg < 0x28; reg += 4)
        cfg_put(w, reg, 4, c, 0);
    cfg_put(w, 0x30, 4, c, 0);                  /* expansion ROM */
    cfg_put(w, 0x04, 2, c, 0);
    cfg_put(w, 0x0C, 1, c, 0);                  /* cache line size */
    cfg_put(w, 0x0D, 1, c, 0);                  /* latency timer */
    cfg_put(w, 0x3C, 1, c, 0);                  /* interrupt line */
    for (unsigned reg = 0x40; reg < VGT_WORKER_PCICFG; reg += 4)
        if (!msi || reg != msi)
            cfg_put(w, reg, 4, c, 0);
    if (msi) {
        cfg_put(w, msi + 2, 2, c, MSI_ENABLE);  /* address and data first */
        cfg_put(w, msi + 2, 2, c, 0);
    }

    /* frames the replayed config does not place: parked, as after a reset */
    for (unsigned i = 0; i < VGT_WORKER_MAX_BACKING; i++) {
        struct vgt_worker_backing *bk = &w->backing[i];
        if (!bk->present || !bk->populated || bk->placed || bk->cur_gfn == bk->park_gfn)
            continue;
        if (move_backing(w, bk, bk->park_gfn))
            vgt_worker_log(w, LOG_WARNING, "%s: cannot park it again",
                           backing_name(bk, nm, sizeof(nm)));
        moved++;
    }
    if (moved)
        vgt_worker_mapcache_flush(w);
    w->restore_pending = false;
    w->pcicfg_recorded = false;
    vgt_worker_pcicfg_changed(w);
    for (int b = 0; b < VGT_NR_BARS; b++)
        if (w->bars[b].present)
            vgt_worker_log(w, LOG_NOTICE, "restored BAR%d: %#llx, %s", b,
                           (unsigned long long)w->bars[b].addr,
                           bar_live(&w->bars[b]) ? "decoding" : "not decoding");
    return 0;
}

/* ------------------------------------------------------------------ device state */

/* Why a predecessor's state file cannot be taken over (NULL: it can). */
static const char *state_refusal(const struct vgt_worker *w, const struct stat *st, size_t len)
{
    if (!w->state_proven)
        return "no crashed worker of this domain proven by the record";
    if ((uint64_t)st->st_size != len)
        return "another size";
    return NULL;
}

/* Our state file: a regular file of our own user (root's, as the record);
 * anything else there is removed and the file made anew. */
static int state_open(struct vgt_worker *w, struct stat *st)
{
    const char *why = NULL;
    int flags = O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;

    for (int tries = 0; tries < 2; tries++) {
        w->state_fd = open(w->state_path, flags, 0600);
        if (w->state_fd < 0 || fstat(w->state_fd, st) < 0)
            return -errno;
        if (S_ISREG(st->st_mode) && st->st_uid == geteuid())
            return 0;
        why = S_ISREG(st->st_mode) ? "not a file of ours" : "not a regular file";
        close(w->state_fd);
        w->state_fd = -1;
        vgt_worker_log(w, LOG_WARNING, "%s: %s: made anew", w->state_path, why);
        if (unlink(w->state_path) < 0)
            return -errno;
        flags |= O_EXCL;
    }
    return -EEXIST;
}

/*
 * The mediator's state (all but config space) in worker-D.state, root's, 0600,
 * next to the record, opened before the privilege drop and mapped shared: a
 * kill -9 loses nothing (the page cache keeps it).  A successor the record
 * proved takes it over after the config replay (the mediator checks and
 * sanitises it); anything else starts the file afresh from the new vGPU.
 */
static int stage_state(struct vgt_worker *w)
{
    const struct vgt_mediator_ops *m = w->cfg.med;
    struct vgt_vgpu_params p = vgpu_params(w);
    const char *why;
    struct stat st;
    size_t len;
    void *mem;
    int r;

    if (!m->state_size || !m->adopt_state)
        return 0;
    len = m->state_size(&p);
    if ((r = state_open(w, &st))) {
        vgt_worker_log(w, LOG_ERR, "%s: %s", w->state_path, strerror(-r));
        return r;
    }
    why = state_refusal(w, &st, len);
    if ((why && ftruncate(w->state_fd, 0) < 0) || ftruncate(w->state_fd, (off_t)len) < 0 ||
        (mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, w->state_fd, 0)) == MAP_FAILED) {
        r = -errno;
        vgt_worker_log(w, LOG_ERR, "%s: %s", w->state_path, strerror(-r));
        return r;
    }
    w->state_mem = mem;
    w->state_len = len;
    r = m->adopt_state(w->vgpu, mem, len, !why);
    if (r < 0) {
        vgt_worker_log(w, LOG_ERR, "%s: adopt: %s", w->state_path, strerror(-r));
        return r;
    }
    w->state_resumed = r == 1;
    if (w->state_resumed) {
        struct vgt_display_state ds;
        m->get_display(w->vgpu, &ds);
        w->display_ready = ds.display_ready;   /* told to vgtd when it connects */
        vgt_worker_log(w, LOG_NOTICE, "device state of the previous worker resumed (%s)", w->state_path);
    } else if (why) {   /* (a state the mediator refused it says why itself) */
        vgt_worker_log(w, LOG_INFO, "device state starts afresh (%s)", why);
    }
    return 0;
}

static void undo_state(struct vgt_worker *w)
{
    /* the instance leaves the mapping first (it may outlive this stage) */
    if (w->state_mem && w->vgpu && w->cfg.med->adopt_state(w->vgpu, NULL, 0, false) < 0)
        vgt_worker_log(w, LOG_WARNING, "%s: cannot leave the mapping", w->state_path);
    else if (w->state_mem)
        munmap(w->state_mem, w->state_len);
    w->state_mem = NULL;
    if (w->state_fd >= 0)
        close(w->state_fd);   /* the file goes with the record (undo_server) */
    w->state_fd = -1;
    w->state_resumed = false;
}

static int stage_enabled(struct vgt_worker *w)
{
    int r = w->x->set_server_state(w->xen, w->cfg.domid, w->server_id, true);
    if (r)
        return r;
    /* BARs that decoded before the server existed get mapped now (a restore
     * has mapped its BARs already) */
    for (int b = 0; b < VGT_NR_BARS; b++) {
        bool mapped = false;
        for (unsigned i = 0; i < w->nwin; i++)
            mapped |= w->win[i].bar == b;
        if (!mapped)
            apply_bar(w, b, &w->bars[b]);
    }
    return 0;
}

static void undo_enabled(struct vgt_worker *w)
{
    if (!w->domain_gone)
        w->x->set_server_state(w->xen, w->cfg.domid, w->server_id, false);
}

static int set_port_vcpu(struct vgt_worker *w, uint32_t local, unsigned vcpu)
{
    if (local > (1u << 20))   /* before any reallocation */
        return -ERANGE;
    if (local >= w->port_vcpu_len) {
        uint32_t n = local + 64;
        uint16_t *t = realloc(w->port_vcpu, n * sizeof(*t));
        if (!t)
            return -ENOMEM;
        memset(t + w->port_vcpu_len, 0, (n - w->port_vcpu_len) * sizeof(*t));
        w->port_vcpu = t;
        w->port_vcpu_len = n;
    }
    w->port_vcpu[local] = (uint16_t)(vcpu + 1);
    return 0;
}

static int stage_ports(struct vgt_worker *w)
{
    int r;
    if (!(w->vcpu_local = malloc(w->cfg.vcpus * sizeof(*w->vcpu_local))))
        return -ENOMEM;
    for (unsigned v = 0; v < w->cfg.vcpus; v++)
        w->vcpu_local[v] = UINT32_MAX;
    for (unsigned v = 0; v < w->cfg.vcpus; v++) {
        uint32_t remote = w->shared->vcpu_ioreq[v].vp_eport;   /* valid since enable */
        r = w->x->evtchn_bind(w->xen, w->cfg.domid, remote, &w->vcpu_local[v]);
        if (r) {
            w->vcpu_local[v] = UINT32_MAX;
            vgt_worker_log(w, LOG_ERR, "bind vCPU%u port %u: %s", v, remote, strerror(-r));
            return r;
        }
        if ((r = set_port_vcpu(w, w->vcpu_local[v], v)))
            return r;
    }
    r = w->x->get_bufioreq_port(w->xen, w->cfg.domid, w->server_id, &w->buf_remote);
    if (!r)
        r = w->x->evtchn_bind(w->xen, w->cfg.domid, w->buf_remote, &w->buf_local);
    if (r)
        return r;
    w->buf_bound = true;
    /* the single-threaded loop on the CPU its events arrive on: no cross-CPU
     * wake-up per guest access */
    r = w->x->evtchn_colocate(w->xen, w->cfg.vcpus + 1);
    if (r >= 0)
        vgt_worker_log(w, LOG_INFO, "event channels and worker on dom0 CPU %d", r);
    else if (r != -EOPNOTSUPP)
        vgt_worker_log(w, LOG_NOTICE, "event channels not moved to the worker's CPU: %s",
                       strerror(-r));
    return 0;
}

static int stage_handover(struct vgt_worker *w)
{
    finish_stale_server(w, true);
    return 0;
}

static void undo_ports(struct vgt_worker *w)
{
    if (w->buf_bound)
        w->x->evtchn_unbind(w->xen, w->buf_local);
    w->buf_bound = false;
    for (unsigned v = 0; w->vcpu_local && v < w->cfg.vcpus; v++)
        if (w->vcpu_local[v] != UINT32_MAX)
            w->x->evtchn_unbind(w->xen, w->vcpu_local[v]);
    free(w->vcpu_local);
    w->vcpu_local = NULL;
    free(w->port_vcpu);
    w->port_vcpu = NULL;
    w->port_vcpu_len = 0;
}

static int epoll_add(struct vgt_worker *w, int fd, uint64_t tag)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };
    return epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/*
 * A plain epoll loop rather than sd-event: four fixed sources and no timers;
 * the hot path (event channel readable) stays one epoll_wait plus a direct
 * call, and tests and the benchmark drive the loop one pass at a time.
 */
static int stage_loop(struct vgt_worker *w)
{
    sigset_t set;
    int r;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &set, &w->old_sigmask) < 0)
        return -errno;
    w->sigmask_saved = true;
    signal(SIGPIPE, SIG_IGN);
    if ((w->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
        return -errno;
    if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
        return -errno;
    if ((w->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0)
        return -errno;
    if ((w->watchdog_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0)
        return -errno;
    unsigned ms = w->cfg.watchdog_ms ? w->cfg.watchdog_ms : 2000;
    struct itimerspec its = { { ms / 1000, (ms % 1000) * 1000000l }, { ms / 1000, (ms % 1000) * 1000000l } };
    if (timerfd_settime(w->watchdog_fd, 0, &its, NULL) < 0)
        return -errno;
    if ((r = epoll_add(w, w->sigfd, VGT_EV_SIGNAL)) || (r = epoll_add(w, w->timerfd, VGT_EV_TIMER)) ||
        (r = epoll_add(w, w->watchdog_fd, VGT_EV_WATCHDOG)))
        return r;
    if (w->state_resumed)   /* pipes the guest enabled before the restart */
        vgt_worker_vblank_arm(w);
    return epoll_add(w, w->x->evtchn_fd(w->xen), VGT_EV_EVTCHN);
}

static void undo_loop(struct vgt_worker *w)
{
    if (w->epfd >= 0)
        close(w->epfd);
    if (w->sigfd >= 0)
        close(w->sigfd);
    if (w->timerfd >= 0)
        close(w->timerfd);
    if (w->watchdog_fd >= 0)
        close(w->watchdog_fd);
    w->epfd = w->sigfd = w->timerfd = w->watchdog_fd = -1;
    w->vblank_armed = false;
    if (w->sigmask_saved)
        sigprocmask(SIG_SETMASK, &w->old_sigmask, NULL);
    w->sigmask_saved = false;
}

static int stage_socket(struct vgt_worker *w)
{
    int r = vgt_worker_ctl_listen(w);
    return r ? r : epoll_add(w, w->listen_fd, VGT_EV_LISTEN);
}

static void undo_socket(struct vgt_worker *w)
{
    vgt_worker_ctl_close(w);
}

static int stage_restricted(struct vgt_worker *w)
{
    int r = w->x->restrict_all(w->xen, w->cfg.domid);
    if (!r)
        w->restricted = true;
    return r;
}

int vgt_worker_parse_ids(const char *s, uid_t *uid, gid_t *gid)
{
    unsigned long u, g;
    char *end;

    if (!strchr(s, ':'))
        return 0;
    /* decimal only, both non-zero, below 2^31 (vgtd's worker_uid_base range) */
    if (*s < '1' || *s > '9')
        return -EINVAL;
    errno = 0;
    u = strtoul(s, &end, 10);
    if (errno || *end != ':' || end[1] < '1' || end[1] > '9' || u > 0x7fffffff)
        return -EINVAL;
    g = strtoul(end + 1, &end, 10);
    if (errno || *end || g > 0x7fffffff)
        return -EINVAL;
    *uid = (uid_t)u;
    *gid = (gid_t)g;
    return 1;
}

/* Who to become: vgtd's per-domain "UID:GID", or a user's ids (the shared user). */
static int privdrop_target(struct vgt_worker *w, uid_t *uid, gid_t *gid, const char **what)
{
    int r = vgt_worker_parse_ids(w->cfg.user, uid, gid);
    if (r < 0) {
        vgt_worker_log(w, LOG_ERR, "--user %s: want USER or UID:GID", w->cfg.user);
        return r;
    }
    *what = r ? "its own ids" : w->cfg.user;
    if (!r) {
        struct passwd *pw = getpwnam(w->cfg.user);
        if (!pw && strcmp(w->cfg.user, "vgt-worker") == 0) {
            vgt_worker_log(w, LOG_WARNING, "no user vgt-worker: running as nobody");
            pw = getpwnam("nobody");
            *what = "nobody";
        }
        if (!pw) {
            vgt_worker_log(w, LOG_ERR, "unknown user %s", w->cfg.user);
            return -ESRCH;
        }
        *uid = pw->pw_uid;
        *gid = pw->pw_gid;
    }
    if (*uid == 0 || *gid == 0) {
        vgt_worker_log(w, LOG_ERR, "refusing uid %u gid %u (user %s): root's ids",
                       (unsigned)*uid, (unsigned)*gid, w->cfg.user);
        return -EPERM;
    }
    return 0;
}

/* Root's last act: no capability can come back through an execve (bounding set,
 * ambient set), then the ids; dropping from root to another uid empties the
 * permitted and effective sets. */
static int privdrop_ids(uid_t uid, gid_t gid)
{
    if (geteuid() == 0) {
        for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
            if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1 &&
                prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
                return -errno;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
            return -errno;
        if (setgroups(0, NULL) < 0)
            return -errno;
    }
    if (setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
        return -errno;
    return 0;
}

/* Nothing left: no capability in any set, no way back to root. */
static int privdrop_verify(uid_t uid, gid_t gid)
{
    struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
    struct __user_cap_data_struct c[2] = { { 0 } };
    uid_t ru, eu, su;
    gid_t rg, eg, sg;

    /* the inheritable set survives setuid: clear it (a reduction needs no privilege) */
    if (syscall(SYS_capset, &h, c) < 0 || syscall(SYS_capget, &h, c) < 0)
        return -errno;
    for (int i = 0; i < 2; i++)
        if (c[i].effective || c[i].permitted || c[i].inheritable)
            return -EPERM;
    if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 || ru != uid ||
        eu != uid || su != uid || rg != gid || eg != gid || sg != gid)
        return -EPERM;
    if (setuid(0) == 0 || setgid(0) == 0)
        return -EPERM;
    return 0;
}

static int stage_privdrop(struct vgt_worker *w)
{
    if (w->cfg.user) {
        const char *what;
        uid_t uid;
        gid_t gid;
        int r = privdrop_target(w, &uid, &gid, &what);
        if (!r && (r = privdrop_ids(uid, gid)))
            vgt_worker_log(w, LOG_ERR, "dropping privileges to %u:%u: %s", (unsigned)uid,
                           (unsigned)gid, strerror(-r));
        if (!r && (r = privdrop_verify(uid, gid)))
            vgt_worker_log(w, LOG_ERR, "privileges could be regained after the drop to %u:%u",
                           (unsigned)uid, (unsigned)gid);
        if (r)
            return r;
        vgt_worker_log(w, LOG_INFO, "running as uid %u gid %u (%s), no capabilities",
                       (unsigned)uid, (unsigned)gid, what);
    }
    /* no core dumps or ptrace of guest data; setuid clears it too, but not
     * without --user, so say it explicitly */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return -errno;
    return 0;
}

static int stage_ready(struct vgt_worker *w)
{
    w->ready = true;
    vgt_worker_log(w, LOG_INFO, "ready: %02x:%02x.%x, %u vCPU(s), ioreq server %u; set-up %llu ms "
                   "(longest stage: %s, %llu ms)", w->cfg.bus, w->cfg.dev, w->cfg.fn, w->cfg.vcpus,
                   w->server_id, (unsigned long long)(w->setup_ns / 1000000),
                   vgt_worker_stage_name(w->longest), (unsigned long long)(w->longest_ns / 1000000));
    vgt_worker_ctl_event(w, "ready", NULL);
    return 0;
}

static void undo_nothing(struct vgt_worker *w) { (void)w; }

/* partial: the stage can fail half-way; its undo then also runs, and copes
 * with whatever part was done. */
static const struct {
    const char *name;
    int (*up)(struct vgt_worker *w);
    void (*down)(struct vgt_worker *w);
    bool partial;
} stages[VGT_STAGE_MAX] = {
    [VGT_STAGE_NONE] = { "none", NULL, undo_nothing, false },
    [VGT_STAGE_HANDLES] = { "handles", stage_handles, undo_handles, true },
    [VGT_STAGE_MEDIATOR] = { "mediator", stage_mediator, undo_mediator, true },
    [VGT_STAGE_SERVER] = { "server", stage_server, undo_server, true },
    [VGT_STAGE_PAGES] = { "pages", stage_pages, undo_pages, false },
    [VGT_STAGE_BACKING] = { "backing", stage_backing, undo_backing, true },
    [VGT_STAGE_PCIDEV] = { "pcidev", stage_pcidev, undo_pcidev, false },
    [VGT_STAGE_RESTORE] = { "restore", stage_restore, undo_nothing, false },
    [VGT_STAGE_STATE] = { "state", stage_state, undo_state, true },
    [VGT_STAGE_ENABLED] = { "enabled", stage_enabled, undo_enabled, false },
    [VGT_STAGE_PORTS] = { "ports", stage_ports, undo_ports, true },
    [VGT_STAGE_LOOP] = { "loop", stage_loop, undo_loop, true },
    [VGT_STAGE_HANDOVER] = { "handover", stage_handover, undo_nothing, false },
    [VGT_STAGE_SOCKET] = { "socket", stage_socket, undo_socket, true },
    [VGT_STAGE_RESTRICTED] = { "restricted", stage_restricted, undo_nothing, false },
    [VGT_STAGE_PRIVDROP] = { "privdrop", stage_privdrop, undo_nothing, false },
    [VGT_STAGE_READY] = { "ready", stage_ready, undo_nothing, false },
};

const char *vgt_worker_stage_name(enum vgt_worker_stage s)
{
    return s < VGT_STAGE_MAX ? stages[s].name : "?";
}

int vgt_worker_start(struct vgt_worker *w, const struct vgt_worker_config *cfg)
{
    memset(w, 0, sizeof(*w));
    w->cfg = *cfg;
    w->x = cfg->xen;
    w->epfd = w->sigfd = w->listen_fd = w->client_fd = w->timerfd = w->watchdog_fd = -1;
    w->record_fd = w->state_fd = -1;
    w->stale_server = -1;
    w->start_uid = getuid();
    w->host = (struct vgt_host_ops){
        .bar_changed = host_bar_changed,
        .raise_msi = host_raise_msi,
        .guest_read = host_guest_read,
        .guest_write = host_guest_write,
        .log = host_log,
        .display_ready = host_display_ready,
        .set_intx = host_set_intx,
        .asls_changed = host_asls_changed,
    };
    uint64_t t0 = vgt_mono_ns(), t = t0;
    for (int s = VGT_STAGE_HANDLES; s < VGT_STAGE_MAX; s++) {
        int r = s == (int)cfg->fail_stage ? -EIO : stages[s].up(w);
        uint64_t now = vgt_mono_ns();
        if (now - t > w->longest_ns) {
            w->longest_ns = now - t;
            w->longest = (enum vgt_worker_stage)s;
        }
        t = now;
        if (s + 1 == VGT_STAGE_READY)
            w->setup_ns = now - t0;
        if (r) {
            vgt_worker_log(w, LOG_ERR, "start-up failed at stage %s: %s", stages[s].name,
                           strerror(-r));
            if (stages[s].partial)
                stages[s].down(w);
            w->stage = (enum vgt_worker_stage)(s - 1);
            vgt_worker_teardown(w);
            return r;
        }
        w->stage = (enum vgt_worker_stage)s;
    }
    return 0;
}

void vgt_worker_teardown(struct vgt_worker *w)
{
    while (w->stage > VGT_STAGE_NONE) {
        stages[w->stage].down(w);
        w->stage--;
    }
}

/* ------------------------------------------------------------------ loop */

void vgt_worker_failsafe(struct vgt_worker *w, const char *reason)
{
    if (w->failsafe)
        return;
    w->failsafe = true;
    vgt_worker_log(w, LOG_ERR, "failsafe: %s", reason);
    vgt_worker_ctl_event(w, "failsafe", reason);
}

/* The mediator's vblank runs at 60 Hz while a pipe is enabled; the timer is
 * (re)armed by register writes, so an idle guest costs no wake-ups. */
void vgt_worker_vblank_arm(struct vgt_worker *w)
{
    struct itimerspec its = { .it_interval = { 0, 16666667 }, .it_value = { 0, 16666667 } };
    if (w->vblank_armed || w->timerfd < 0 || !w->cfg.med->vblank)
        return;
    if (timerfd_settime(w->timerfd, 0, &its, NULL) == 0)
        w->vblank_armed = true;
}

static void timer_ready(struct vgt_worker *w)
{
    struct itimerspec off = { { 0, 0 }, { 0, 0 } };
    uint64_t ticks;
    if (read(w->timerfd, &ticks, sizeof(ticks)) != sizeof(ticks))
        return;
    if (w->failsafe || w->cfg.med->vblank(w->vgpu) <= 0) {
        timerfd_settime(w->timerfd, 0, &off, NULL);
        w->vblank_armed = false;
    }
}

/* A destroyed domain takes its ioreq server and ports with it: then exit 0
 * (a rebooting guest gets a new domain and a new worker from vgtd). */
static void watchdog_ready(struct vgt_worker *w)
{
    uint64_t ticks;
    if (read(w->watchdog_fd, &ticks, sizeof(ticks)) != sizeof(ticks))
        return;
    if (w->x->domain_alive(w->xen, w->cfg.domid) == -ESRCH) {
        vgt_worker_log(w, LOG_INFO, "domain gone: exiting");
        w->domain_gone = true;
        w->quit = true;
        return;
    }
    if (w->stale_handed && stale_answers_taken(w, 0))
        destroy_stale_server(w);
}

static void signal_ready(struct vgt_worker *w)
{
    struct signalfd_siginfo si;
    while (read(w->sigfd, &si, sizeof(si)) == sizeof(si)) {
        if (si.ssi_signo == SIGHUP) {   /* a lost terminal must not take the guest's vGPU */
            vgt_worker_log(w, LOG_INFO, "SIGHUP ignored");
            continue;
        }
        vgt_worker_log(w, LOG_INFO, "signal %u: shutting down", si.ssi_signo);
        w->quit = true;
    }
}

int vgt_worker_run_once(struct vgt_worker *w, int timeout_ms)
{
    struct epoll_event ev[8];
    int n = epoll_wait(w->epfd, ev, 8, timeout_ms);

    if (n < 0)
        return errno == EINTR ? 0 : -errno;
    for (int i = 0; i < n; i++) {
        switch (ev[i].data.u64) {
        case VGT_EV_EVTCHN: vgt_worker_evtchn_ready(w); break;
        case VGT_EV_LISTEN: vgt_worker_ctl_accept(w); break;
        case VGT_EV_CLIENT: vgt_worker_ctl_input(w); break;
        case VGT_EV_SIGNAL: signal_ready(w); break;
        case VGT_EV_TIMER: timer_ready(w); break;
        case VGT_EV_WATCHDOG: watchdog_ready(w); break;
        }
        /* ctl_accept may have replaced the client: later entries of this batch
         * for the old client fd are harmless (recv on the new one is non-blocking) */
    }
    return n;
}

int vgt_worker_run(struct vgt_worker *w)
{
    while (!w->quit) {
        int r = vgt_worker_run_once(w, -1);
        if (r < 0)
            return r;
    }
    return 0;
}
