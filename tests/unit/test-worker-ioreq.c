/* vgt-worker ioreq handling on the Xen double: config space, BAR moves, MMIO, PIO,
 * rep copies through guest memory, buffered ring, and a hostile ring. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "daemon/worker/worker.h"
#include "daemon/xen/xen-double.h"
#include "tests/tap.h"
#include "tests/unit/test-worker-fake.h"

#define SBDF_OURS (5u << 3)
static struct vgt_worker W;
static struct vgt_xd *D;
static unsigned unanswered;

/* Post one request, run the worker's event handler, check it was answered. */
static uint64_t post(unsigned vcpu, const ioreq_t *r)
{
    volatile ioreq_t *s = vgt_xd_slot(D, vcpu);
    uint64_t before = vgt_xd_notified(D, vcpu), data;
    vgt_xd_post(D, vcpu, r);
    vgt_worker_evtchn_ready(&W);
    if (s->state != STATE_IORESP_READY || vgt_xd_notified(D, vcpu) != before + 1) {
        unanswered++;
        printf("# unanswered: type %u addr %#llx (state %u)\n", r->type,
               (unsigned long long)r->addr, s->state);
    }
    data = s->data;
    s->state = STATE_IOREQ_NONE;   /* Xen takes the answer */
    return data;
}

static uint64_t io(uint8_t type, uint64_t addr, unsigned size, bool read, uint64_t data)
{
    ioreq_t r = { .addr = addr, .data = data, .count = 1, .size = size,
                  .dir = read ? IOREQ_READ : IOREQ_WRITE, .type = type };
    return post(0, &r);
}

static uint64_t mmio_rd(uint64_t a, unsigned size) { return io(IOREQ_TYPE_COPY, a, size, true, 0); }
static void mmio_wr(uint64_t a, unsigned size, uint64_t v) { io(IOREQ_TYPE_COPY, a, size, false, v); }
static uint64_t cfg_rd(uint32_t sbdf, uint32_t reg, unsigned size)
{
    return io(IOREQ_TYPE_PCI_CONFIG, (uint64_t)sbdf << 32 | reg, size, true, 0);
}
static void cfg_wr(uint32_t reg, unsigned size, uint32_t v)
{
    io(IOREQ_TYPE_PCI_CONFIG, (uint64_t)SBDF_OURS << 32 | reg, size, false, v);
}

static void test_basic(void)
{
    ioreq_t inv = { .type = IOREQ_TYPE_INVALIDATE, .count = 1, .size = 4 };
    post(0, &inv);
    ok(W.stats.invalidates == 1, "INVALIDATE answered");
    is_int(cfg_rd(SBDF_OURS, 0, 4), 0x19128086, "config: vendor/device");
    is_int(cfg_rd(SBDF_OURS, 2, 2), 0x1912, "config: 16-bit read");
    is_int(cfg_rd(6u << 3, 0, 4), 0xffffffff, "config of another device: all ones");
    is_int(cfg_rd(SBDF_OURS, 0x1000, 4), 0xffffffff, "config beyond 4 KiB: all ones");
    is_int(cfg_rd(SBDF_OURS, 0, 8), (long long)~0ull, "config size 8: all ones");
}

static void test_bars(void)
{
    struct vgt_xd_state st;

    cfg_wr(0x10, 4, 0xffffffff);
    is_int(cfg_rd(SBDF_OURS, 0x10, 4), 0xff000000, "BAR0 sizing reads ~(16 MiB - 1)");
    vgt_xd_get_state(D, &st);
    is_int(st.io_ranges, 0, "sizing maps nothing");
    cfg_wr(0x10, 4, 0xe0000000);
    cfg_wr(0x18, 4, 0xc0000000);
    cfg_wr(0x20, 4, 0xc001);
    vgt_xd_get_state(D, &st);
    is_int(st.io_ranges, 0, "no decoding yet: nothing mapped");
    vgt_xd_trace_clear(D);
    cfg_wr(0x04, 2, 0x0003);
    ok(vgt_xd_has_range(D, true, 0xe0000000, 0xe07fffff), "BAR0 trapped half mapped");
    ok(!vgt_xd_has_range(D, true, 0xe0800000, 0xe0ffffff), "BAR0 memory half not trapped");
    ok(vgt_xd_has_range(D, true, 0xc0000000, 0xcfffffff), "BAR2 mapped");
    ok(vgt_xd_has_range(D, false, 0xc000, 0xc03f), "BAR4 ports mapped");
    ok(strstr(vgt_xd_trace(D), "relocate:0x5") && strstr(vgt_xd_trace(D), "->0xe0800;"),
       "memory half moved under BAR0 + 8 MiB (%s)", vgt_xd_trace(D));
    memcpy(fake_last->backing, "GGTT", 4);
    ok(vgt_xd_gfn(D, 0xe0800) && !memcmp(vgt_xd_gfn(D, 0xe0800), "GGTT", 4),
       "guest frame at BAR0 + 8 MiB is the mediator's backing");

    /* move BAR0 while decoding */
    cfg_wr(0x10, 4, 0xd0000000);
    ok(!vgt_xd_has_range(D, true, 0xe0000000, 0xe07fffff), "old BAR0 range unmapped");
    ok(vgt_xd_has_range(D, true, 0xd0000000, 0xd07fffff), "new BAR0 range mapped");
    ok(vgt_xd_gfn(D, 0xd0800) && !memcmp(vgt_xd_gfn(D, 0xd0800), "GGTT", 4) &&
           !vgt_xd_gfn(D, 0xe0800),
       "backing moved with the BAR");
    cfg_wr(0x04, 2, 0x0001);
    vgt_xd_get_state(D, &st);
    ok(st.io_ranges == 1 && vgt_xd_has_range(D, false, 0xc000, 0xc03f),
       "memory decode off: only the ports stay mapped");
    cfg_wr(0x04, 2, 0x0003);
    vgt_xd_get_state(D, &st);
    is_int(st.io_ranges, 3, "decode on again: three ranges");
    /* a BAR over guest RAM: trapped part mapped (Xen gives RAM priority), RAM not clobbered */
    cfg_wr(0x10, 4, 0x01000000);
    ok(vgt_xd_gfn(D, 0xd0800) != NULL, "backing kept away from guest RAM");
    cfg_wr(0x10, 4, 0xd0000000);
}

static void test_mmio_pio(void)
{
    uint64_t bad0 = W.stats.bad_access;
    mmio_wr(0xd0000010, 4, 0xdeadbeef);
    is_int(mmio_rd(0xd0000010, 4), 0xdeadbeef, "MMIO 32-bit round trip");
    mmio_wr(0xd0000020, 8, 0x0123456789abcdefull);
    is_int(mmio_rd(0xd0000020, 8), 0x0123456789abcdefll, "MMIO 64-bit round trip");
    is_int(mmio_rd(0xd0000024, 2), 0x4567, "MMIO 16-bit read inside");
    mmio_wr(0xd0000031, 1, 0x1ff);
    is_int(mmio_rd(0xd0000031, 1), 0xff, "MMIO 8-bit write truncated to its size");
    is_int(io(IOREQ_TYPE_PIO, 0xc004, 4, false, 0x600dcafe), 0x600dcafe, "PIO write answered");
    is_int(io(IOREQ_TYPE_PIO, 0xc004, 4, true, 0), 0x600dcafe, "PIO round trip");
    is_int(io(IOREQ_TYPE_PIO, 0xc03e, 4, true, 0), 0xffffffff, "PIO crossing the BAR end: ones");
    is_int(mmio_rd(0xd0900000, 4), 0xffffffff, "MMIO outside trapped windows: ones");
    is_int(io(IOREQ_TYPE_PIO, 0xd0000010, 4, true, 0), 0xffffffff, "PIO at an MMIO address: ones");
    is_int(W.stats.bad_access - bad0, 3, "bad accesses counted");
}

static void test_rep(void)
{
    uint32_t *ram = vgt_xd_gfn(D, 0x100), *ram2 = vgt_xd_gfn(D, 0x300);
    uint64_t bad0;
    ioreq_t r = { .addr = 0xc0000100, .data = 0x100000, .count = 1024, .size = 4,
                  .data_is_ptr = 1, .dir = IOREQ_READ, .type = IOREQ_TYPE_COPY };

    post(0, &r);
    ok(ram[0] == 0x100 && ram[1023] == 0x100 + 4092, "4 KB rep read into guest RAM");
    r = (ioreq_t){ .addr = 0xc0002000, .data = 0x100010, .count = 4, .size = 4, .data_is_ptr = 1,
                   .dir = IOREQ_READ, .df = 1, .type = IOREQ_TYPE_COPY };
    post(0, &r);
    ok(ram[4] == 0x2000 && ram[3] == 0x1ffc && ram[1] == 0x1ff4, "rep read with df=1 goes down");
    for (unsigned i = 0; i < 16; i++)
        ram2[i] = 0xa0000000u + i;
    r = (ioreq_t){ .addr = 0xc0000000, .data = 0x300000, .count = 16, .size = 4, .data_is_ptr = 1,
                   .dir = IOREQ_WRITE, .type = IOREQ_TYPE_COPY };
    post(0, &r);
    ok(!memcmp(fake_last->aperture, ram2, 64), "rep write from guest RAM into the BAR");
    r = (ioreq_t){ .addr = 0xc0000000, .data = FAKE_GUEST_MEM - 4096, .count = 2048, .size = 4,
                   .data_is_ptr = 1, .dir = IOREQ_READ, .type = IOREQ_TYPE_COPY };
    bad0 = W.stats.bad_access;
    post(0, &r);
    is_int(W.stats.bad_access - bad0, 1, "rep running off the end of guest RAM stops once");
    r.data = 0x7ff0000000ull;
    post(0, &r);
    r.data = ~0ull - 8;
    post(0, &r);
    is_int(W.stats.bad_access - bad0, 3, "rep buffers outside guest RAM refused");
    r = (ioreq_t){ .addr = 0xd07ffff8, .data = 0x100000, .count = 16, .size = 4, .data_is_ptr = 1,
                   .dir = IOREQ_WRITE, .type = IOREQ_TYPE_COPY };
    post(0, &r);
    is_int(W.stats.bad_access - bad0, 4, "rep beyond the BAR end stops");
    r = (ioreq_t){ .addr = 0xc0000000, .data = 7, .count = 0xffffffffu, .size = 4,
                   .dir = IOREQ_WRITE, .type = IOREQ_TYPE_COPY };
    post(0, &r);
    is_int(W.stats.rep_capped, 1, "a huge count is capped");
    r.data_is_ptr = 1;
    r.data = 0x100000;
    post(0, &r);
    is_int(W.stats.rep_capped, 2, "also through guest memory");
}

/* A device access during a rep copy may map other guest pages (the mediator's
 * guest_read): the rep buffer's page must not be used through a stale mapping. */
static void test_rep_mapcache(void)
{
    uint64_t *buf = vgt_xd_gfn(D, 0x400), *other = vgt_xd_gfn(D, 0x410), got = 0;
    ioreq_t r = { .addr = 0xd0000000 + FAKE_REG_GREAD, .data = 0x400000, .count = 2, .size = 8,
                  .data_is_ptr = 1, .dir = IOREQ_WRITE, .type = IOREQ_TYPE_COPY };

    buf[0] = 0x410000;          /* element 0: read gfn 0x410, same map-cache entry */
    buf[1] = 0x1111;            /* element 1 lands in FAKE_REG_GREAD_VAL */
    other[0] = 0x5a5a;
    other[1] = 0x2222;
    post(0, &r);
    memcpy(&got, fake_last->regs + FAKE_REG_GREAD_VAL, 8);
    is_int(got, 0x1111, "rep write: the buffer page is re-mapped after a device access");
    ok(other[1] == 0x2222, "the other guest page is untouched");
}

static void test_bad_fields(void)
{
    uint64_t bad0 = W.stats.bad_access;
    ioreq_t r = { .addr = 0xd0000010, .count = 1, .size = 3, .dir = IOREQ_READ, .type = IOREQ_TYPE_COPY };
    is_int(post(0, &r), (long long)~0ull, "size 3: all ones");
    r.size = 16;
    is_int(post(0, &r), (long long)~0ull, "size 16: all ones");
    r.size = 4;
    r.type = 5;
    is_int(post(0, &r), (long long)~0ull, "unknown type: all ones");
    r.type = IOREQ_TYPE_COPY;
    r.count = 0;
    is_int(post(0, &r), (long long)~0ull, "count 0: all ones");
    r = (ioreq_t){ .addr = 0xd0000010, .count = 1, .size = 4, .dir = IOREQ_READ, .type = IOREQ_TYPE_TIMEOFFSET };
    post(0, &r);
    is_int(W.stats.bad_access - bad0, 4, "each counted once");
    r = (ioreq_t){ .addr = 0xd0000010, .count = 1, .size = 4, .dir = IOREQ_READ, .type = IOREQ_TYPE_COPY };
    is_int(post(1, &r), 0xdeadbeef, "vCPU 1's slot served");
}

static void tamper(void)
{
    volatile ioreq_t *s = vgt_xd_slot(D, 0);
    s->addr = 0;
    s->size = 8;
    s->type = IOREQ_TYPE_PCI_CONFIG;
    s->data_is_ptr = 1;
    s->count = 0xffffffff;
    s->state = STATE_IOREQ_READY;
}

static void test_hostile(void)
{
    volatile ioreq_t *s = vgt_xd_slot(D, 0);
    uint64_t n0 = vgt_xd_notified(D, 0), req0;

    mmio_wr(0xd0000000 + FAKE_REG_HOOK, 4, 0x12345678);
    fake_hook = tamper;
    is_int(mmio_rd(0xd0000000 + FAKE_REG_HOOK, 4), 0x12345678,
           "fields changed during emulation: the answer is for the request as read");
    fake_hook = NULL;
    n0 = vgt_xd_notified(D, 0);
    req0 = W.stats.requests;
    s->state = STATE_IOREQ_NONE;
    for (int i = 0; i < 10000; i++)
        vgt_xd_kick(D, 0);
    vgt_worker_evtchn_ready(&W);
    ok(vgt_xd_notified(D, 0) == n0 && W.stats.requests == req0,
       "event storm on an idle slot: nothing handled, nothing answered");
    s->state = STATE_IORESP_READY;
    vgt_xd_kick(D, 0);
    vgt_worker_evtchn_ready(&W);
    ok(W.stats.requests == req0, "slot in IORESP_READY: ignored");
    s->state = 0xf;
    vgt_xd_kick(D, 0);
    vgt_worker_evtchn_ready(&W);
    ok(W.stats.requests == req0, "bogus state: ignored");
    s->state = STATE_IOREQ_NONE;

    /* a storm of real requests from both vCPUs, handled in batches */
    unsigned answered = 0;
    for (int i = 0; i < 2000; i++) {
        ioreq_t r = { .addr = 0xd0000010, .count = 1, .size = 4, .dir = IOREQ_READ,
                      .type = IOREQ_TYPE_COPY };
        vgt_xd_post(D, 0, &r);
        vgt_xd_post(D, 1, &r);
        vgt_worker_evtchn_ready(&W);
        for (unsigned v = 0; v < 2; v++)
            if (vgt_xd_slot(D, v)->state == STATE_IORESP_READY && vgt_xd_slot(D, v)->data == 0xdeadbeef) {
                answered++;
                vgt_xd_slot(D, v)->state = STATE_IOREQ_NONE;
            }
    }
    is_int(answered, 4000, "4000 requests from two vCPUs all answered");
}

static void test_buffered(void)
{
    volatile buffered_iopage_t *b = vgt_xd_bufpage(D);
    uint64_t bad0 = W.stats.bad_access, v = 0;

    vgt_xd_post_buf(D, IOREQ_TYPE_PIO, 0xc008, 4, 0xabcd1234);
    vgt_xd_post_buf(D, IOREQ_TYPE_PIO, 0xc010, 8, 0x1122334455667788ull);
    vgt_worker_evtchn_ready(&W);
    memcpy(&v, fake_last->io + 8, 4);
    is_int(v, 0xabcd1234, "buffered 4-byte write applied");
    memcpy(&v, fake_last->io + 0x10, 8);
    is_int(v, 0x1122334455667788ll, "buffered 8-byte write (two slots) applied");
    is_int(b->read_pointer, b->write_pointer, "read pointer advanced");
    for (int i = 0; i < 1200; i++) {   /* wraps the ring, never more than it holds */
        vgt_xd_post_buf(D, IOREQ_TYPE_PIO, 0xc008, 4, (uint64_t)i);
        if (i % 400 == 399)
            vgt_worker_evtchn_ready(&W);
    }
    vgt_worker_evtchn_ready(&W);
    is_int(b->read_pointer, b->write_pointer, "ring wrapped and drained");
    b->write_pointer = b->read_pointer + 1000;
    vgt_xd_kick_buf(D);
    vgt_worker_evtchn_ready(&W);
    is_int(W.stats.bad_access - bad0, 1, "bogus pointers: refused once");
    is_int(b->read_pointer, b->write_pointer, "and skipped");
    b->buf_ioreq[b->write_pointer % IOREQ_BUFFER_SLOT_NUM].size = 3;
    b->buf_ioreq[b->write_pointer % IOREQ_BUFFER_SLOT_NUM].type = IOREQ_TYPE_PIO;
    b->write_pointer++;
    vgt_xd_kick_buf(D);
    vgt_worker_evtchn_ready(&W);
    is_int(W.stats.bad_access - bad0, 2, "8-byte entry missing its second slot refused");
    is_int(b->read_pointer, b->write_pointer, "consumed");
    b->buf_ioreq[b->write_pointer % IOREQ_BUFFER_SLOT_NUM].size = 2;
    b->buf_ioreq[b->write_pointer % IOREQ_BUFFER_SLOT_NUM].dir = IOREQ_READ;
    b->write_pointer++;
    vgt_xd_kick_buf(D);
    vgt_worker_evtchn_ready(&W);
    is_int(W.stats.bad_access - bad0, 3, "buffered read refused");
    b->buf_ioreq[b->write_pointer % IOREQ_BUFFER_SLOT_NUM].dir = IOREQ_WRITE;
    b->buf_ioreq[b->write_pointer % IOREQ_BUFFER_SLOT_NUM].type = IOREQ_TYPE_INVALIDATE;
    b->write_pointer++;
    vgt_xd_kick_buf(D);
    vgt_worker_evtchn_ready(&W);
    is_int(W.stats.bad_access - bad0, 4, "buffered entry of another type refused");
    /* buffered writes are applied before a later synchronous request */
    vgt_xd_post_buf(D, IOREQ_TYPE_PIO, 0xc008, 4, 0x5555);
    is_int(io(IOREQ_TYPE_PIO, 0xc008, 4, true, 0), 0x5555, "buffered before synchronous");
}

/* Xen rebases both buffered pointers with one 64-bit cmpxchg (atomic mode); a
 * reader loading them separately may see a bogus distance between them. */
static volatile bool rebasing, rebase_started;

static void *rebase_thread(void *arg)
{
    uint64_t *full = arg, hi = 600ull << 32 | 600, lo = 89ull << 32 | 89;
    rebase_started = true;
    while (rebasing) {
        uint64_t e = hi;
        __atomic_compare_exchange_n(full, &e, lo, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        e = lo;
        __atomic_compare_exchange_n(full, &e, hi, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

static void test_buffered_rebase(void)
{
    volatile buffered_iopage_t *b = vgt_xd_bufpage(D);
    uint64_t *full = (uint64_t *)(void *)&b->read_pointer, bad0 = W.stats.bad_access;
    struct timespec t0, t1;
    pthread_t t;

    __atomic_store_n(full, 600ull << 32 | 600, __ATOMIC_SEQ_CST);   /* empty, rebase due */
    rebasing = true;
    if (pthread_create(&t, NULL, rebase_thread, full)) {
        ok(0, "rebase thread");
        return;
    }
    while (!rebase_started)
        sched_yield();
    /* bounded by time (valgrind serialises the threads) */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (unsigned i = 1; W.stats.bad_access == bad0; i++) {
        vgt_worker_drain_buffered(&W, W.buf);
        if (i % 65536 == 0) {
            clock_gettime(CLOCK_MONOTONIC, &t1);
            if ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 > 300)
                break;
        }
    }
    rebasing = false;
    pthread_join(t, NULL);
    is_int(W.stats.bad_access - bad0, 0, "pointers rebased by Xen meanwhile: never a bogus distance");
    is_int(b->read_pointer, b->write_pointer, "ring still empty");
}

static void test_host_ops(void)
{
    struct vgt_xd_state st;
    uint64_t want = 0x0102030405060708ull;
    int rc;

    mmio_wr(0xd0000000 + FAKE_REG_MSI, 4, 0x41);
    vgt_xd_get_state(D, &st);
    ok(st.msi_count == 1 && st.last_msi_data == 0x41 && st.last_msi_addr == 0xfee00000,
       "the mediator's MSI is injected");
    mmio_wr(0xd0000000 + FAKE_REG_INTX, 4, 1);
    vgt_xd_get_state(D, &st);
    ok(st.intx_level && st.intx_changes == 1, "the mediator's INTA is asserted");
    mmio_wr(0xd0000000 + FAKE_REG_INTX, 4, 0);
    vgt_xd_get_state(D, &st);
    ok(!st.intx_level && st.intx_changes == 2, "and deasserted");
    memcpy((uint8_t *)vgt_xd_gfn(D, 5), &want, 8);
    mmio_wr(0xd0000000 + FAKE_REG_GREAD, 8, 0x5000);
    is_int(mmio_rd(0xd0000000 + FAKE_REG_GREAD_VAL, 8), (long long)want, "guest_read through a foreign mapping");
    memcpy((uint8_t *)vgt_xd_gfn(D, 5) + 4092, &want, 4);
    memcpy((uint8_t *)vgt_xd_gfn(D, 6), (uint8_t *)&want + 4, 4);
    mmio_wr(0xd0000000 + FAKE_REG_GREAD, 8, 0x5ffc);
    is_int(mmio_rd(0xd0000000 + FAKE_REG_GREAD_VAL, 8), (long long)want, "guest_read across a page boundary");
    mmio_wr(0xd0000000 + FAKE_REG_GREAD, 8, 0x7ff0000000ull);
    rc = (int)mmio_rd(0xd0000000 + FAKE_REG_GREAD_RC, 4);
    is_int(rc, -EFAULT, "guest_read outside guest RAM: -EFAULT");
    mmio_wr(0xd0000000 + FAKE_REG_GWRITE, 8, 0x6000);
    ok(!memcmp(vgt_xd_gfn(D, 6), "\x88\x77\x66\x55\x44\x33\x22\x11", 8), "guest_write");
    ioreq_t inv = { .type = IOREQ_TYPE_INVALIDATE, .count = 1, .size = 4 };
    post(0, &inv);
    vgt_xd_get_state(D, &st);
    is_int(st.guest_mapped_pages, 2048, "INVALIDATE drops cached guest mappings");
}

/* What a guest can trigger at will is logged a bounded number of times. */
static void test_log_flood(void)
{
    char line[256];
    unsigned lines = 0;
    FILE *f = tmpfile();
    int saved = dup(2);

    if (!f || saved < 0) {
        ok(0, "log capture");
        return;
    }
    fflush(stderr);
    dup2(fileno(f), 2);
    W.cfg.quiet = false;
    for (int i = 0; i < 1000; i++) {
        mmio_wr(0xd0000000 + FAKE_REG_DISPLAY_READY, 4, 1);   /* "guest display ready" */
        mmio_wr(0xd0000000 + FAKE_REG_DISPLAY_READY, 4, 0);
        cfg_wr(0x10, 4, 0xd0000000 + (i & 1) * 0x1000000);   /* BAR0 moves (debug line) */
    }
    cfg_wr(0x10, 4, 0xd0000000);
    W.cfg.quiet = true;
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(f);
    while (fgets(line, sizeof(line), f))
        if (lines++ < 3 || strstr(line, "misbehaves"))
            printf("# %s", line);
    fclose(f);
    ok(lines <= 100, "a guest toggling display_ready and moving a BAR 1000 times logs a bounded amount");
    printf("# %u lines\n", lines);
}

static void test_failsafe(void)
{
    vgt_xd_fail(D, VGT_XD_PENDING, -EBADF, 0);
    vgt_xd_kick(D, 0);
    vgt_worker_evtchn_ready(&W);
    ok(W.failsafe, "event channel failure: failsafe");
    is_int(mmio_rd(0xd0000010, 4), 0xffffffff, "failsafe: reads are all ones");
    mmio_wr(0xd0000010, 4, 1);
    ok(!memcmp(fake_last->regs + 0x10, "\xef\xbe\xad\xde", 4), "failsafe: writes dropped");
}

/* Xen puts a request into vCPU 1's slot 5 ms from now, its event not yet sent. */
static void *post_late(void *arg)
{
    (void)arg;
    nanosleep(&(struct timespec){ 0, 5 * 1000000L }, NULL);
    volatile ioreq_t *s = vgt_xd_slot(D, 1);
    s->addr = (uint64_t)SBDF_OURS << 32;
    s->data = 0;
    s->count = 1;
    s->size = 4;
    s->data_is_ptr = 0;
    s->dir = IOREQ_READ;
    s->df = 0;
    s->type = IOREQ_TYPE_PCI_CONFIG;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    s->state = STATE_IOREQ_READY;
    return NULL;
}

/* A guest that never stops: while the worker serves one vCPU's access (the
 * fake device's hook register), the other vCPU makes its next one. */
static void next_access(void)
{
    for (unsigned v = 0; v < 2; v++) {
        volatile ioreq_t *s = vgt_xd_slot(D, v);
        if (s->state == STATE_IOREQ_INPROCESS)
            continue;   /* the one being served */
        s->addr = 0xd0000000 + FAKE_REG_HOOK;
        s->count = 1;
        s->size = 4;
        s->data_is_ptr = 0;
        s->dir = IOREQ_READ;
        s->type = IOREQ_TYPE_COPY;
        s->state = STATE_IOREQ_READY;   /* its answer taken, the next access made */
        return;
    }
}

static void test_poll(void)
{
    const uint64_t cap = 200000;
    is_int(vgt_worker_poll_adapt(0, cap, 50000), 10000, "poll window: opens at the base (10 us)");
    is_int(vgt_worker_poll_adapt(10000, cap, 50000), 20000, "poll window: missed by little, doubled");
    is_int(vgt_worker_poll_adapt(160000, cap, 30000), cap, "poll window: doubled up to the cap");
    is_int(vgt_worker_poll_adapt(160000, cap, 50000), 80000, "poll window: beyond what the cap allows, halved");
    is_int(vgt_worker_poll_adapt(15000, cap, 500000), 0, "poll window: a long idle below the base, off");
    is_int(vgt_worker_poll_adapt(0, cap, 500000), 0, "poll window: an idle guest keeps it off");
    is_int(vgt_worker_poll_adapt(0, 0, 0), 0, "poll window: cap 0, off");
    is_int(vgt_worker_poll_adapt(300000, cap, 0), cap, "poll window: above a lowered cap, clamped");

    /* while the worker watches after an answer, vCPU 1's access is served
     * without its event (no wake-up, no port read) */
    pthread_t t;
    uint64_t polled0 = W.stats.polled, notified1 = vgt_xd_notified(D, 1);
    volatile ioreq_t *s1 = vgt_xd_slot(D, 1);
    W.cfg.poll_us = 200000;
    W.poll_win_ns = 200000000ull;
    W.poll_end_ns = 0;
    ok(pthread_create(&t, NULL, post_late, NULL) == 0, "poll: a late access is coming");
    is_int(cfg_rd(SBDF_OURS, 0, 4), 0x19128086, "poll: an answer, then the worker watches");
    pthread_join(t, NULL);
    is_int(W.stats.polled - polled0, 1, "poll: the access made 5 ms after the answer served while watching");
    ok(s1->state == STATE_IORESP_READY && s1->data == 0x19128086 &&
       vgt_xd_notified(D, 1) == notified1 + 1, "poll: answered in its slot, its vCPU notified");
    ok(W.poll_end_ns != 0, "poll: the window ended with no further access, the worker sleeps");
    s1->state = STATE_IOREQ_NONE;

    /* a guest that never stops cannot keep the worker from its other duties */
    polled0 = W.stats.polled;
    W.poll_win_ns = 200000000ull;
    fake_hook = next_access;
    ioreq_t first = { .addr = 0xd0000000 + FAKE_REG_HOOK, .count = 1, .size = 4, .dir = IOREQ_READ,
                      .type = IOREQ_TYPE_COPY };
    vgt_xd_post(D, 0, &first);
    vgt_worker_evtchn_ready(&W);
    fake_hook = NULL;
    is_int(W.stats.polled - polled0, 64, "poll: 64 accesses, then back to the loop (vgtd, signals, timers)");
    is_int(W.poll_end_ns, 0, "poll: that is no sleep (the window is not adapted on it)");
    vgt_xd_slot(D, 0)->state = s1->state = STATE_IOREQ_NONE;

    /* a guest that comes back soon after the worker slept opens the window */
    W.cfg.poll_us = 100000;
    W.poll_win_ns = W.poll_end_ns = 0;
    cfg_rd(SBDF_OURS, 0, 4);
    is_int(W.poll_win_ns, 0, "poll: no window before the guest showed it comes back");
    cfg_rd(SBDF_OURS, 0, 4);
    is_int(W.poll_win_ns, 10000, "poll: back within the cap, the window opens at the base");
    W.cfg.poll_us = 0;
    W.poll_win_ns = W.poll_end_ns = 0;
}

int main(void)
{
    is_int(fake_start(&W, &D, 2, 0), 0, "worker started");
    test_basic();
    test_bars();
    test_mmio_pio();
    test_rep();
    test_rep_mapcache();
    test_bad_fields();
    test_hostile();
    test_buffered();
    test_buffered_rebase();
    test_host_ops();
    test_log_flood();
    test_poll();
    test_failsafe();
    is_int(unanswered, 0, "every request answered");
    fake_stop(&W, D);
    return tap_done();
}
