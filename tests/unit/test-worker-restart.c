/* A worker killed after "ready" and its successor on the same guest (Xen double):
 * the successor destroys the dead worker's ioreq server, claims the device and
 * reuses its GGTT frames, so maxmem grows once however often it restarts. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#include <stddef.h>
#include "daemon/mediator/swmodel.h"
#include "daemon/worker/worker.h"
#include "daemon/xen/xen-double.h"
#include "tests/tap.h"
#include "tests/unit/test-worker-fake.h"

#define VCPUS 1
#define BACKING_KB (8u << 10)
#define BASE_KB (FAKE_GUEST_MEM / 1024)
#define PARK_GFN 0x540000ull      /* round_up(4 GiB + 256 MiB, 1 GiB) + 16 GiB */

static char record[128];

static void write_record_n(const char *s, size_t n)
{
    FILE *f = fopen(record, "w");
    if (f) {
        fwrite(s, 1, n, f);
        fclose(f);
    }
}

static void write_record(const char *s)
{
    write_record_n(s, strlen(s));
}

/* A guest access through the vCPU's slot, answered by the worker. */
static uint64_t io(struct vgt_worker *w, struct vgt_xd *d, uint8_t type, uint64_t addr,
                   unsigned size, bool read, uint64_t data)
{
    ioreq_t r = { .addr = addr, .data = data, .count = 1, .size = size,
                  .dir = read ? IOREQ_READ : IOREQ_WRITE, .type = type };
    volatile ioreq_t *s = vgt_xd_slot(d, 0);
    vgt_xd_post(d, 0, &r);
    vgt_worker_evtchn_ready(w);
    uint64_t v = s->state == STATE_IORESP_READY ? s->data : 0xdeadull;
    s->state = STATE_IOREQ_NONE;
    return v;
}

#define SBDF (5ull << 3 << 32)
static void cfg_wr(struct vgt_worker *w, struct vgt_xd *d, unsigned reg, unsigned size, uint32_t v)
{
    io(w, d, IOREQ_TYPE_PCI_CONFIG, SBDF | reg, size, false, v);
}

/* What hvmloader does: BAR0 at 0xe0000000, BAR2 at 0xc0000000, BAR4 at 0xc000, decoding on. */
static void place_bars(struct vgt_worker *w, struct vgt_xd *d)
{
    cfg_wr(w, d, 0x10, 4, 0xe0000000);
    cfg_wr(w, d, 0x18, 4, 0xc0000000);
    cfg_wr(w, d, 0x20, 4, 0xc001);
    cfg_wr(w, d, 0x04, 2, 0x0007);
}

static bool bars_placed(struct vgt_xd *d)
{
    return vgt_xd_has_range(d, true, 0xe0000000, 0xe07fffff) &&
           vgt_xd_has_range(d, true, 0xc0000000, 0xcfffffff) &&
           vgt_xd_has_range(d, false, 0xc000, 0xc03f) && vgt_xd_gfn(d, 0xe0800) != NULL;
}

static bool nothing_placed(struct vgt_xd *d)
{
    struct vgt_xd_state st;
    vgt_xd_get_state(d, &st);
    return st.io_ranges == 0 && vgt_xd_gfn(d, PARK_GFN) && vgt_xd_gfn(d, PARK_GFN + 2047);
}

/* The record as a crash left it, its config line replaced by n bytes of tail. */
static void record_with_config(const char *tail, size_t n)
{
    static char buf[16384];
    const char *rec = fake_read_file(record), *cfg = rec ? strstr(rec, "config ") : NULL;
    size_t keep = rec ? (cfg ? (size_t)(cfg - rec) : strlen(rec)) : 0;
    if (keep + n > sizeof(buf))
        n = sizeof(buf) - keep;
    memcpy(buf, rec ? rec : "", keep);
    memcpy(buf + keep, tail, n);
    write_record_n(buf, keep + n);
}

/* The hand-over in the double's trace: ours (id B) enabled before the dead
 * worker's (id A) is disabled -- no moment in which the device is nobody's and
 * QEMU would answer -- and A destroyed last. */
static bool handover_order(const char *t)
{
    const char *en = strstr(t, "enable:"), *dis = strstr(t, "disable:"), *des = strstr(t, "destroy:");
    return en && dis && des && en < dis && dis < des && en[7] != dis[8] && dis[8] == des[8];
}

static void expect_served(struct vgt_xd *d, const char *what)
{
    struct vgt_xd_state st;
    vgt_xd_get_state(d, &st);
    ok(st.servers == 1 && st.enabled && vgt_xd_has_pcidev(d, 0, 0, 5, 0),
       "%s: one server, enabled, 00:05.0 claimed", what);
    is_int(st.max_memkb, BASE_KB + BACKING_KB, "%s: maxmem raised once", what);
    is_int(st.extra_pages, 2048, "%s: 8 MiB populated once", what);
}

/* What vgtd's worker_uid_base of 196608 gives domain FAKE_DOMID. */
#define OWN_ID (196608u + FAKE_DOMID)

/* Every capability set of this process is empty ("CapInh:" ... "CapAmb:"). */
static bool no_capabilities(void)
{
    char line[256];
    unsigned long long v;
    unsigned sets = 0;
    bool none = true;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "Cap", 3) == 0 && sscanf(line + 6, ": %llx", &v) == 1) {
            sets++;
            none &= v == 0;
        }
    if (f)
        fclose(f);
    return sets == 5 && none;
}

/* The successor, in a child as root: takes over, drops to OWN_ID, moves BAR0
 * (record rewritten after the drop), then serves its socket until killed.
 * Reports its findings as bits on fd. */
static void successor_child(struct vgt_xd *d, int fd)
{
    struct vgt_worker w;
    struct vgt_xd_state st;
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    int bad = 0;

    fake_user = "196615:196615";
    vgt_xd_trace_clear(d);
    if (fake_start_on(&w, &d, VCPUS, 0) != 0) {
        bad = 1;
        if (write(fd, &bad, sizeof(bad)) < 0) { /* the parent sees EOF */ }
        _exit(1);
    }
    if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 || ru != OWN_ID ||
        eu != OWN_ID || su != OWN_ID || rg != OWN_ID || eg != OWN_ID || sg != OWN_ID ||
        getgroups(0, NULL) != 0)
        bad |= 2;
    const char *t = vgt_xd_trace(d);
    if (!handover_order(t) || strstr(t, "maxmem") || strstr(t, "populate"))
        bad |= 4;
    vgt_xd_get_state(d, &st);
    if (st.servers != 1 || !st.enabled || !vgt_xd_has_pcidev(d, 0, 0, 5, 0) ||
        st.max_memkb != BASE_KB + BACKING_KB || st.extra_pages != 2048)
        bad |= 8;
    if (!no_capabilities() || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1 ||
        prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
        bad |= 16;
    if (!bars_placed(d))
        bad |= 64;
    cfg_wr(&w, d, 0x10, 4, 0xd0000000);   /* the guest moves BAR0 */
    if (!vgt_xd_has_range(d, true, 0xd0000000, 0xd07fffff) || !vgt_xd_gfn(d, 0xd0800))
        bad |= 32;
    if (write(fd, &bad, sizeof(bad)) < 0)
        _exit(1);
    for (int i = 0; i < 200 && !w.quit; i++)   /* the parent kills us well before */
        vgt_worker_run_once(&w, 50);
    _exit(2);
}

static char *recv_text(int fd, char *buf, size_t n)
{
    struct pollfd p = { fd, POLLIN, 0 };
    ssize_t r = poll(&p, 1, 5000) == 1 ? recv(fd, buf, n - 1, 0) : -1;
    buf[r > 0 ? r : 0] = 0;
    return buf;
}

static bool served(struct vgt_xd *d)
{
    struct vgt_xd_state st;
    vgt_xd_get_state(d, &st);
    return st.servers == 1 && st.enabled && vgt_xd_has_pcidev(d, 0, 0, 5, 0) &&
           st.max_memkb == BASE_KB + BACKING_KB && st.extra_pages == 2048;
}

/* A successor starts from a damaged config line as after a reset. */
static void damaged(struct vgt_worker *w, struct vgt_xd **d, const char *what, const char *tail,
                    size_t n)
{
    fake_crash(w);
    record_with_config(tail, n);
    int r = fake_start_on(w, d, VCPUS, 0);
    const char *rec = fake_read_file(record);
    ok(r == 0 && served(*d) && nothing_placed(*d) && rec && !strstr(rec, "config"),
       "damaged config (%s): ignored, the successor starts with a reset vGPU", what);
}

static unsigned long long rnd_state = 0x9e3779b97f4a7c15ull;
static unsigned rnd(unsigned n)
{
    rnd_state = rnd_state * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)((rnd_state >> 33) % n);
}

static uint32_t rnd32(void)
{
    return (uint32_t)rnd(1u << 16) << 16 | rnd(1u << 16);
}

/* The guest's config is recorded on its writes and put back by a successor;
 * whatever the config line says, a successor starts and serves the guest. */
static void test_restore(void)
{
    struct vgt_worker w;
    struct vgt_xd *d = NULL;
    char valid[600], buf[4096];
    const char *rec, *cfg;

    is_int(fake_start(&w, &d, VCPUS, 0), 0, "restore: first worker ready");
    snprintf(record, sizeof(record), "%s/worker-%u.ioreq", fake_sockdir(), FAKE_DOMID);
    rec = fake_read_file(record);
    ok(rec && !strstr(rec, "config"), "no config line before the guest writes its config");
    place_bars(&w, d);
    ok(bars_placed(d), "the guest placed its BARs");
    rec = fake_read_file(record);
    cfg = rec ? strstr(rec, "config ") : NULL;
    ok(cfg && strlen(cfg) == 7 + 512 + 1 && cfg[7 + 512] == '\n' && !strncmp(cfg + 7, "86801219070000", 14) &&
       !strncmp(cfg + 7 + 32, "000000e0", 8), "recorded: the config space as 512 hex digits (%s)",
       cfg ? cfg : "none");
    snprintf(valid, sizeof(valid), "%s", cfg ? cfg : "");

    fake_crash(&w);
    /* what the guest left with the dead worker: a buffered write, then an
     * aperture read its vCPU waits on (the fake aperture reads as its offset) */
    vgt_xd_post_buf(d, IOREQ_TYPE_PIO, 0xc004, 1, 0x5a);
    volatile ioreq_t *old = vgt_xd_slot(d, 0);
    ioreq_t rq = { .addr = 0xc0001234, .count = 1, .size = 4, .dir = IOREQ_READ,
                   .type = IOREQ_TYPE_COPY, .state = STATE_IOREQ_READY, .vp_eport = old->vp_eport };
    memcpy((void *)old, &rq, sizeof(rq));
    uint64_t woken = vgt_xd_woken(d, 0);
    vgt_xd_trace_clear(d);
    is_int(fake_start_on(&w, &d, VCPUS, 0), 0, "restore: successor ready");
    ok(old->state == STATE_IOREQ_NONE && old->data == 0x1234,
       "restore: the read in flight to the dead worker answered by the successor's device, "
       "taken by the vCPU (state %u, %#llx)", old->state, (unsigned long long)old->data);
    is_int(vgt_xd_woken(d, 0) - woken, 1, "restore: its vCPU woken through the dead server's port");
    is_int(io(&w, d, IOREQ_TYPE_PIO, 0xc004, 1, true, 0), 0x5a,
           "restore: the buffered write left in the dead server's ring applied first");
    const char *t = vgt_xd_trace(d);
    ok(!strstr(t, "relocate") && !strstr(t, "maxmem") && !strstr(t, "populate"),
       "restore: frames adopted where they were (%s)", t);
    ok(bars_placed(d), "restore: BARs decode where the guest put them, GGTT at BAR0 + 8 MiB");
    ok(fake_last && fake_last->bar_addr[0] == 0xe0000000 && fake_last->bar_addr[2] == 0xc0000000 &&
       fake_last->bar_addr[4] == 0xc000 && fake_last->cfg[4] == 7,
       "restore: the new mediator has the guest's BARs and command register");
    ok(strstr(t, "map_pcidev;map_mmio") && strstr(t, "enable:") > strstr(t, "map_pio"),
       "restore: ranges mapped after the device is claimed, before the server is enabled");
    ok(fake_last && fake_last->backing && fake_last->backing == (void *)w.backing[0].mem,
       "restore: the frames handed to the new mediator");
    is_int(io(&w, d, IOREQ_TYPE_COPY, 0xe0000000 + 0x1000, 4, true, 0), 0,
           "restore: a register read at the restored BAR0 is served");
    is_int(io(&w, d, IOREQ_TYPE_PIO, 0xc000, 1, true, 0), 0, "restore: the I/O BAR too");
    expect_served(d, "restored");
    rec = fake_read_file(record);
    ok(rec && strstr(rec, valid), "restore: the successor records the same config");

    /* a write the dead worker had taken (in process) may have reached the
     * device: answered, not applied a second time */
    fake_crash(&w);
    old = vgt_xd_slot(d, 0);
    rq = (ioreq_t){ .addr = 0xc008, .data = 0x77, .count = 1, .size = 1, .dir = IOREQ_WRITE,
                    .type = IOREQ_TYPE_PIO, .state = STATE_IOREQ_INPROCESS, .vp_eport = old->vp_eport };
    memcpy((void *)old, &rq, sizeof(rq));
    woken = vgt_xd_woken(d, 0);
    is_int(fake_start_on(&w, &d, VCPUS, 0), 0, "restore: successor of a worker that died mid-write");
    ok(old->state == STATE_IOREQ_NONE, "restore: the write it had taken answered");
    is_int(vgt_xd_woken(d, 0) - woken, 1, "restore: that vCPU woken");
    is_int(io(&w, d, IOREQ_TYPE_PIO, 0xc008, 1, true, 0), 0, "restore: the write not applied again");
    expect_served(d, "after a mid-write death");

    /* damaged config lines (bad lines of a record are ignored, the rest counts) */
    snprintf(buf, sizeof(buf), "%.*s\n", 7 + 511, valid);
    damaged(&w, &d, "511 digits", buf, strlen(buf));
    snprintf(buf, sizeof(buf), "%.*s0\n", 7 + 512, valid);
    damaged(&w, &d, "513 digits", buf, strlen(buf));
    snprintf(buf, sizeof(buf), "%s", valid);
    buf[7 + 100] = 'g';
    damaged(&w, &d, "a non-hex digit", buf, strlen(buf));
    snprintf(buf, sizeof(buf), "config%s", valid + 7);
    damaged(&w, &d, "no space", buf, strlen(buf));
    snprintf(buf, sizeof(buf), "config  %s", valid + 7);
    damaged(&w, &d, "two spaces", buf, strlen(buf));
    snprintf(buf, sizeof(buf), "%s%s", valid, valid);
    damaged(&w, &d, "given twice", buf, strlen(buf));
    snprintf(buf, sizeof(buf), "config ffff0000%s", valid + 15);
    damaged(&w, &d, "another device", buf, strlen(buf));
    snprintf(buf, sizeof(buf), "%.*s", 7 + 512, valid);
    damaged(&w, &d, "no newline: cut short", buf, strlen(buf));
    snprintf(buf, sizeof(buf), "%s", valid);
    buf[7 + 50] = 0;
    damaged(&w, &d, "a NUL byte", buf, strlen(valid));
    memset(buf, 'a', 3000);
    memcpy(buf, "config ", 7);
    buf[3000] = '\n';
    damaged(&w, &d, "beyond the record's size", buf, 3001);
    snprintf(buf, sizeof(buf), "x%s", valid);
    damaged(&w, &d, "another keyword", buf, strlen(buf));
    snprintf(buf, sizeof(buf), "%s", valid);
    buf[7] = ' ';
    damaged(&w, &d, "a space for a digit", buf, strlen(buf));
    snprintf(buf, sizeof(buf), "%s", valid);
    buf[8] = '-';
    damaged(&w, &d, "a sign", buf, strlen(buf));

    /* valid: upper case digits */
    fake_crash(&w);
    snprintf(buf, sizeof(buf), "%s", valid);
    for (char *c = buf + 7; *c; c++)
        *c = (char)(*c >= 'a' && *c <= 'f' ? *c - 32 : *c);
    record_with_config(buf, strlen(buf));
    ok(fake_start_on(&w, &d, VCPUS, 0) == 0 && served(d) && bars_placed(d),
       "upper-case hex digits: restored");

    /* a config placing BAR0 over guest RAM: replayed as the guest write it is,
     * so the GGTT frames are refused there and parked */
    fake_crash(&w);
    snprintf(buf, sizeof(buf), "%s", valid);
    memcpy(buf + 7 + 32, "00000001", 8);        /* BAR0 = 0x01000000, 16 MiB into RAM */
    record_with_config(buf, strlen(buf));
    ok(fake_start_on(&w, &d, VCPUS, 0) == 0 && served(d) && vgt_xd_gfn(d, PARK_GFN) &&
       w.backing[0].cur_gfn == PARK_GFN && !vgt_xd_has_range(d, true, 0xe0000000, 0xe07fffff),
       "BAR0 over guest RAM: GGTT frames parked, not put over RAM");

    /* a config in a record that is not this domain's (no such frames): not restored */
    fake_stop(&w, d);
    d = NULL;
    fake_prepare_sockdir();
    snprintf(record, sizeof(record), "%s/worker-%u.ioreq", fake_sockdir(), FAKE_DOMID);
    snprintf(buf, sizeof(buf), "server 1\nbacking 0 1 2048 %#llx %#llx\n%s", PARK_GFN, PARK_GFN, valid);
    write_record(buf);
    ok(fake_start_on(&w, &d, VCPUS, 0) == 0 && !strstr(vgt_xd_trace(d), "destroy;"),
       "foreign record with a config: started, nothing destroyed");
    {
        struct vgt_xd_state st;
        vgt_xd_get_state(d, &st);
        ok(st.io_ranges == 0 && (rec = fake_read_file(record)) && !strstr(rec, "config"),
           "foreign record: its config is not applied");
    }
    fake_stop(&w, d);

    /* fuzz-ish: mutated config lines, each replayed by a successor */
    d = NULL;
    is_int(fake_start(&w, &d, VCPUS, 0), 0, "mutations: first worker ready");
    snprintf(record, sizeof(record), "%s/worker-%u.ioreq", fake_sockdir(), FAKE_DOMID);
    place_bars(&w, d);
    static const char pool[] = "0123456789abcdefABCDEF g\n\0\x80\xff-x";
    unsigned fails = 0, restored = 0, rounds = 120;
    for (unsigned i = 0; i < rounds; i++) {
        size_t n = strlen(valid);
        fake_crash(&w);
        memcpy(buf, valid, n);
        for (unsigned k = 1 + rnd(4); k; k--) {
            unsigned at = rnd(n), how = rnd(8);
            if (how < 5)                                /* another hex digit */
                buf[at] = "0123456789abcdef"[rnd(16)];
            else if (how < 7)                           /* any byte of the pool */
                buf[at] = pool[rnd(sizeof(pool) - 1)];
            else                                        /* cut short */
                n = at;
        }
        record_with_config(buf, n);
        int r = fake_start_on(&w, &d, VCPUS, 0);
        bool bad = r != 0 || !served(d) || !w.backing[0].populated ||
                   w.backing[0].cur_gfn < (FAKE_GUEST_MEM >> 12) ||
                   !vgt_xd_gfn(d, w.backing[0].cur_gfn);
        if (bad && fails++ < 3)
            printf("# mutation round %u: start %d, record:\n# %s\n", i, r, fake_read_file(record));
        rec = fake_read_file(record);
        restored += rec && strstr(rec, "config ");
    }
    is_int(fails, 0, "%u mutated config lines: every successor ready and serving, GGTT frames "
                     "never over guest RAM (%u replayed)", rounds, restored);
    ok(restored > 0 && restored < rounds, "some mutations replayed, some refused");
    fake_stop(&w, d);
}

/* ---- the device state across a crash (the software model) ---------------- */

#define MMIO 0xe0000000ull
#define SCRATCH 0x4F010u

static uint32_t mmio_rd(struct vgt_worker *w, struct vgt_xd *d, uint32_t off)
{
    return (uint32_t)io(w, d, IOREQ_TYPE_COPY, MMIO + off, 4, true, 0);
}

static void mmio_wr(struct vgt_worker *w, struct vgt_xd *d, uint32_t off, uint32_t val)
{
    io(w, d, IOREQ_TYPE_COPY, MMIO + off, 4, false, val);
}

/* What the guest's i915 (and the probe) set up before the crash. */
static const struct { uint32_t off, val; } guest_regs[] = {
    { 0xC4004, ~(0x7u << 21) },     /* SDEIMR: hotplug B, C, D unmasked */
    { 0xC400C, 0x7u << 21 },        /* SDEIER */
    { 0x44404, 0xFFFFFFFEu },       /* DE pipe A IMR: vblank */
    { 0x4440C, 1u },                /* DE pipe A IER */
    { 0x44200, 0x80000000u },       /* GEN8 master interrupt enable */
    { 0x70180, 0x84000000u },       /* PLANE_CTL_1_A: on, XRGB8888 */
    { 0x7019C, 0x08010000u },       /* PLANE_SURF_1_A: its own low GM */
    { 0x10000C, 0x0800F000u },      /* fence 1 (end, then start + valid, as i915) */
    { 0x100008, 0x08000001u },      /* inside its low GM */
    { 0x70008, 0x80000000u },       /* PIPECONF_A: enabled */
    { 0x78804, 1u },                /* PVINFO display_ready */
    { SCRATCH, 0xC0FFEEu },         /* a plain register */
};
#define N_GUEST_REGS (sizeof(guest_regs) / sizeof(guest_regs[0]))

static void snapshot(struct vgt_worker *w, struct vgt_xd *d, uint32_t out[N_GUEST_REGS])
{
    for (unsigned i = 0; i < N_GUEST_REGS; i++)
        out[i] = mmio_rd(w, d, guest_regs[i].off);
}

static uint64_t refusals(struct vgt_worker *w)
{
    uint64_t st[VGT_STAT_MAX];
    w->cfg.med->get_stats(w->vgpu, st);
    return st[VGT_STAT_FENCE_REFUSED];
}

static struct vgt_port_state edid_monitor(void)
{
    struct vgt_port_state ps = { .connected = true, .type = VGT_PORT_HDMI_B, .override = VGT_PORT_B };
    for (unsigned i = 0; i < VGT_EDID_LEN; i++)
        ps.edid[i] = (uint8_t)(i * 11 + 3);
    return ps;
}

/* Does the successor's vGPU hold what the guest set up before the crash? */
static bool state_kept(struct vgt_worker *w, struct vgt_xd *d, const uint32_t before[N_GUEST_REGS])
{
    uint32_t now[N_GUEST_REGS];
    struct vgt_display_state ds;
    struct vgt_port_state mon = edid_monitor();

    snapshot(w, d, now);
    w->cfg.med->get_display(w->vgpu, &ds);
    return !memcmp(now, before, sizeof(now)) && ds.display_ready && w->display_ready &&
           ds.ports[VGT_PORT_B].connected && !memcmp(ds.ports[VGT_PORT_B].edid, mon.edid, VGT_EDID_LEN);
}

/* A fresh vGPU behind BARs the guest placed again (a successor that did not
 * restore the config): reset registers. */
static bool fresh(struct vgt_worker *w, struct vgt_xd *d)
{
    place_bars(w, d);
    return mmio_rd(w, d, SCRATCH) == 0 && mmio_rd(w, d, 0xC4004) == 0xFFFFFFFF &&
           mmio_rd(w, d, 0x78040) == 128u << 20;
}

/* Write len bytes at off into the state file. */
static void poke_state(const char *path, size_t off, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || pwrite(fd, data, len, (off_t)off) != (ssize_t)len)
        printf("# poking %s failed\n", path);
    if (fd >= 0)
        close(fd);
}

static void test_state(void)
{
    struct vgt_worker w;
    struct vgt_xd *d = NULL;
    struct vgt_xd_state st;
    struct stat fst;
    uint32_t before[N_GUEST_REGS];
    struct vgt_port_state mon = edid_monitor();
    char state[256];
    uint64_t refused, msis;

    fake_mediator = &vgt_swmodel_ops;
    is_int(fake_start(&w, &d, VCPUS, 0), 0, "state: a worker with the software model ready");
    snprintf(record, sizeof(record), "%s/worker-%u.ioreq", fake_sockdir(), FAKE_DOMID);
    snprintf(state, sizeof(state), "%s/worker-%u.state", fake_sockdir(), FAKE_DOMID);
    ok(stat(state, &fst) == 0 && S_ISREG(fst.st_mode) && (fst.st_mode & 0777) == 0600 &&
       fst.st_uid == getuid() && (size_t)fst.st_size == sizeof(struct sw_state),
       "state: worker-D.state next to the record, the starting user's, 0600, state_size bytes");
    /* (the file system may allocate around what was written: not a quarter) */
    ok((uint64_t)fst.st_blocks * 512 < (uint64_t)fst.st_size / 2,
       "state: only non-zero pages written (%llu of %llu bytes allocated)",
       (unsigned long long)fst.st_blocks * 512, (unsigned long long)fst.st_size);

    place_bars(&w, d);
    cfg_wr(&w, d, 0xb0, 4, 0xfee37000);     /* MSI: address, data, enable */
    cfg_wr(&w, d, 0xb4, 2, 0x0700);
    cfg_wr(&w, d, 0xae, 2, 1);
    for (unsigned i = 0; i < N_GUEST_REGS; i++)
        mmio_wr(&w, d, guest_regs[i].off, guest_regs[i].val);
    mmio_wr(&w, d, 0x100030, 1);            /* fence 6 is not its own: refused, counted */
    refused = refusals(&w);
    is_int(w.cfg.med->hotplug(w.vgpu, VGT_PORT_B, &mon), 0, "state: a monitor hot-plugged (xl vgt-hotplug)");
    vgt_xd_get_state(d, &st);
    ok(st.msi_count == 1 && mmio_rd(&w, d, 0xC4008) == 1u << 21,
       "state: its MSI sent, the event pending in SDEIIR (the guest has not handled it)");
    snapshot(&w, d, before);
    ok(before[11] == 0xC0FFEE && before[0] == ~(0x7u << 21) && refused == 1,
       "state: as written (%#x, %#x, %llu refused)", before[11], before[0], (unsigned long long)refused);
    msis = st.msi_count;

    fake_crash(&w);
    is_int(fake_start_on(&w, &d, VCPUS, 0), 0, "state: successor ready");
    ok(w.state_resumed, "state: the predecessor's state resumed");
    ok(state_kept(&w, d, before), "state: interrupt masks and enables, plane, fence, pipe, "
       "display_ready, scratch, the hot-plugged port and its EDID as before the crash");
    vgt_xd_get_state(d, &st);
    ok(st.msi_count == msis + 1 && st.last_msi_addr == 0xfee37000 && st.last_msi_data == 0x0700,
       "state: the pending enabled interrupt delivered again as MSI (%llu)",
       (unsigned long long)(st.msi_count - msis));
    ok(w.vblank_armed, "state: pipe A enabled: the vblank timer runs again");
    is_int(refusals(&w), refused, "state: counters continue");
    mmio_wr(&w, d, 0x100038, 1);
    is_int(refusals(&w), refused + 1, "state: and count on");
    is_int(mmio_rd(&w, d, 0x7800C), 1, "state: PVINFO vgt_id");

    /* a second crash: the successor's state is kept the same way */
    mmio_wr(&w, d, SCRATCH, 0xBEEF);
    fake_crash(&w);
    ok(fake_start_on(&w, &d, VCPUS, 0) == 0 && w.state_resumed && mmio_rd(&w, d, SCRATCH) == 0xBEEF,
       "state: kept over a second restart");
    mmio_wr(&w, d, SCRATCH, 0xC0FFEE);

    /* damaged state files after a crash the record proves */
    {
        struct sw_state_header h;
        uint32_t bad = 0xdeadbeef;
        size_t n;
        void *saved;

        fake_crash(&w);
        poke_state(state, offsetof(struct sw_state, h.magic), &bad, 4);
        ok(fake_start_on(&w, &d, VCPUS, 0) == 0 && !w.state_resumed && mmio_rd(&w, d, SCRATCH) == 0 &&
           mmio_rd(&w, d, 0xC4004) == 0xFFFFFFFF && mmio_rd(&w, d, 0x78040) == 128u << 20,
           "state: wrong magic: a fresh vGPU (config restored)");
        mmio_wr(&w, d, SCRATCH, 0x1111);
        fake_crash(&w);
        if (truncate(state, sizeof(struct sw_state) / 2) < 0)
            printf("# truncate failed\n");
        ok(fake_start_on(&w, &d, VCPUS, 0) == 0 && !w.state_resumed && mmio_rd(&w, d, SCRATCH) == 0,
           "state: wrong size: a fresh vGPU");
        mmio_wr(&w, d, SCRATCH, 0x2222);
        fake_crash(&w);
        saved = fake_file_load(state, &n);
        memcpy(&h, saved, sizeof(h));
        bad = 2;
        poke_state(state, offsetof(struct sw_state, h.fence_count), &bad, 4);
        ok(fake_start_on(&w, &d, VCPUS, 0) == 0 && !w.state_resumed && mmio_rd(&w, d, SCRATCH) == 0,
           "state: made for another partition: a fresh vGPU");
        free(saved);

        /* garbage behind a valid header, hostile indices: taken over, sanitised */
        unsigned fails = 0, rounds = 12;
        for (unsigned r = 0; r < rounds; r++) {
            uint8_t *junk = malloc(sizeof(struct sw_state));
            uint32_t v32;
            fake_crash(&w);
            for (size_t i = 0; i < sizeof(struct sw_state); i += 4) {
                v32 = rnd32();
                memcpy(junk + i, &v32, sizeof(struct sw_state) - i < 4 ? sizeof(struct sw_state) - i : 4);
            }
            memcpy(junk, &h, sizeof(h));
            if (r & 1) {    /* the indices a guest access uses at once */
                struct sw_state *s = (struct sw_state *)junk;
                s->gmbus.active = 1;
                s->gmbus.ddi = 0x7FFFFFFF;
                s->gmbus.pin = 5;
                s->gmbus.read = 1;
                s->gmbus.remaining = 0x100;
                s->ddc[1].segment = 0xFFFFFFFF;
                for (unsigned e = 0; e < SW_NR_ENGINES; e++)
                    s->engines[e].n_elsp = 0xFFFFFFFF;
            }
            fake_file_store(state, junk, sizeof(struct sw_state), 0600);
            free(junk);
            int rc = fake_start_on(&w, &d, VCPUS, 0);
            vgt_xd_get_state(d, &st);
            bool good = rc == 0 && w.state_resumed && st.servers == 1 && st.enabled && mmio_rd(&w, d, 0x78040) == 128u << 20 &&
                        mmio_rd(&w, d, 0x78050) == 4 && mmio_rd(&w, d, 0x78000) == 0x76544776;
            mmio_rd(&w, d, 0xC510C);                /* GMBUS3: the EDID read goes on */
            mmio_rd(&w, d, 0xC5108);
            for (unsigned k = 0; k < 4; k++)
                mmio_wr(&w, d, 0x2230, 0);          /* RCS ELSP */
            mmio_wr(&w, d, 0x64110, 0x80000000u | (5u << 20));   /* AUX B */
            good = good && mmio_rd(&w, d, 0x7800C) == 1;
            if (!good && fails++ < 3)
                printf("# garbage round %u: start %d, resumed %d\n", r, rc, w.state_resumed);
        }
        is_int(fails, 0, "state: %u random state files with a valid header: taken over, "
               "PVINFO the partition's, the vGPU serves on", rounds);
    }

    /* something else at the state file's place: made anew */
    fake_crash(&w);
    unlink(state);
    ok(mkfifo(state, 0600) == 0 && fake_start_on(&w, &d, VCPUS, 0) == 0 && !w.state_resumed &&
       stat(state, &fst) == 0 && S_ISREG(fst.st_mode), "state: a FIFO in its place: a new file, a fresh vGPU");
    if (getuid() == 0) {
        mmio_wr(&w, d, SCRATCH, 0x4444);
        fake_crash(&w);
        ok(chown(state, 1, 1) == 0 && fake_start_on(&w, &d, VCPUS, 0) == 0 && !w.state_resumed &&
           stat(state, &fst) == 0 && fst.st_uid == 0 && mmio_rd(&w, d, SCRATCH) == 0,
           "state: a file of another user: made anew (root's), a fresh vGPU");
    } else {
        ok(1, "# SKIP not root: cannot give the file away");
    }

    /* a successor the record does not prove (no config line): a fresh state */
    fake_crash(&w);
    record_with_config("", 0);
    ok(fake_start_on(&w, &d, VCPUS, 0) == 0 && !w.state_resumed && fresh(&w, d),
       "state: no proving record: a fresh vGPU");

    /* the same domid for another domain (the frames of the record are not there) */
    {
        size_t rn, sn;
        void *rec_data, *state_data;
        mmio_wr(&w, d, SCRATCH, 0x3333);
        fake_crash(&w);
        rec_data = fake_file_load(record, &rn);
        state_data = fake_file_load(state, &sn);
        fake_stop(&w, d);
        d = NULL;
        fake_prepare_sockdir();
        snprintf(record, sizeof(record), "%s/worker-%u.ioreq", fake_sockdir(), FAKE_DOMID);
        snprintf(state, sizeof(state), "%s/worker-%u.state", fake_sockdir(), FAKE_DOMID);
        fake_file_store(record, rec_data, rn, 0600);
        fake_file_store(state, state_data, sn, 0600);
        free(rec_data);
        free(state_data);
        ok(fake_start_on(&w, &d, VCPUS, 0) == 0 && !w.state_resumed && fresh(&w, d),
           "state: another domain of the same domid: a fresh vGPU");
    }

    /* the domain goes: the state file goes with the record */
    vgt_xd_kill(d);
    w.domain_gone = true;
    vgt_worker_teardown(&w);
    ok(access(state, F_OK) != 0 && access(record, F_OK) != 0, "state: domain gone: state file removed");
    fake_stop(&w, d);
    fake_mediator = NULL;
}

/* A worker of its own uid takes over a killed worker's server, and a kill -9 of
 * it leaves what the next one needs: a root-owned record and vgtd's socket. */
static void test_takeover_own_uid(void)
{
    struct vgt_worker w;
    struct vgt_xd *d = NULL;
    int pfd[2], bad = -1, status = 0;
    char buf[1024], want[128];
    struct stat st;

    if (getuid() != 0) {
        ok(1, "# SKIP not root: no uid to drop to");
        return;
    }
    is_int(fake_start(&w, &d, VCPUS, 0), 0, "own uid: first worker ready");
    snprintf(record, sizeof(record), "%s/worker-%u.ioreq", fake_sockdir(), FAKE_DOMID);
    place_bars(&w, d);
    fake_crash(&w);
    if (pipe(pfd) < 0)
        return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        successor_child(d, pfd[1]);
    }
    close(pfd[1]);
    struct pollfd p = { pfd[0], POLLIN, 0 };
    if (poll(&p, 1, 10000) != 1 || read(pfd[0], &bad, sizeof(bad)) != sizeof(bad))
        bad = -1;
    close(pfd[0]);
    is_int(bad & 1, 0, "own uid: the successor starts as root and gets ready (%d)", bad);
    is_int(bad & 2, 0, "own uid: it runs as uid = gid = %u, no groups", OWN_ID);
    is_int(bad & 4, 0, "own uid: stale server handed over to its own, frames adopted");
    is_int(bad & 8, 0, "own uid: one server, enabled, device claimed, maxmem raised once");
    is_int(bad & 16, 0, "own uid: no capability in any set, NO_NEW_PRIVS, not dumpable");
    is_int(bad & 64, 0, "own uid: the guest's BARs restored (ranges and GGTT frames in place)");
    is_int(bad & 32, 0, "own uid: BAR move after the drop maps the range");

    /* vgtd (root) reaches the socket the worker bound as root before the drop */
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/worker.sock", fake_sockdir());
    ok(bad == 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "own uid: vgtd connects");
    ok(strstr(recv_text(fd, buf, sizeof(buf)), "\"ready\"") != NULL, "own uid: told ready: %s", buf);
    static const char req[] = "{\"op\":\"status\"}";
    ok(send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) == (ssize_t)sizeof(req) - 1 &&
       strstr(recv_text(fd, buf, sizeof(buf)), "\"ok\":true") != NULL,
       "own uid: status answered after the drop");
    close(fd);

    /* kill -9 of a worker of another uid: root may (vgtd's CAP_KILL) */
    ok(kill(pid, SIGKILL) == 0, "own uid: root kills it");
    waitpid(pid, &status, 0);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "own uid: it died of SIGKILL");
    const char *rec = fake_read_file(record);
    snprintf(want, sizeof(want), "backing 0 1 2048 %#llx 0xd0800\n", PARK_GFN);
    const char *cfg = rec ? strstr(rec, "config ") : NULL;
    ok(rec && strncmp(rec, "server ", 7) == 0 && strstr(rec, want) && cfg &&
       !strncmp(cfg + 7 + 32, "000000d0", 8),
       "own uid: the record written after the drop names its server, the moved frames and BAR0");
    /* (its mode is fake_crash()'s fopen here; the worker creates it 0600) */
    ok(stat(record, &st) == 0 && st.st_uid == 0 && !(st.st_mode & 022),
       "own uid: the record stays root's, writable by root only (a successor trusts it)");
    fake_user = NULL;
    fake_stop(&w, d);
}

int main(void)
{
    struct vgt_worker w;
    struct vgt_xd *d = NULL;
    const char *rec;
    char want[128];
    int r;

    r = fake_start(&w, &d, VCPUS, 0);
    is_int(r, 0, "first worker ready");
    snprintf(record, sizeof(record), "%s/worker-%u.ioreq", fake_sockdir(), FAKE_DOMID);
    rec = fake_read_file(record);
    snprintf(want, sizeof(want), "server 1\nbacking 0 1 2048 %#llx %#llx\n", PARK_GFN, PARK_GFN);
    is_str(rec ? rec : "(none)", want, "record: server id and parked frames");
    struct stat rst;
    ok(stat(record, &rst) == 0 && rst.st_uid == getuid() && (rst.st_mode & 0777) == 0600,
       "record: the starting user's, mode 0600");

    /* the guest places BAR0: the frames move, the record follows */
    struct vgt_bar b = w.bars[0];
    b.addr = 0xe0000000;
    b.decode = true;
    w.host.bar_changed(&w, 0, NULL, &b);
    rec = fake_read_file(record);
    snprintf(want, sizeof(want), "server 1\nbacking 0 1 2048 %#llx 0xe0800\n", PARK_GFN);
    is_str(rec ? rec : "(none)", want, "record follows the BAR move");

    fake_crash(&w);
    ok(vgt_xd_has_range(d, true, 0xe0000000, 0xe07fffff), "crashed: its range still mapped");
    expect_served(d, "after the crash");

    for (int i = 0; i < 3; i++) {
        char what[32];
        uint64_t woken = vgt_xd_woken(d, 0);
        struct vgt_xd_state st0, st1;
        snprintf(what, sizeof(what), "restart %d", i + 1);
        if (i == 1) {   /* a read reached the dead worker, which never answered */
            ioreq_t req = { .addr = 0xe0000000 + 0x78000, .count = 1, .size = 4, .dir = IOREQ_READ,
                            .type = IOREQ_TYPE_COPY, .state = STATE_IOREQ_READY,
                            .vp_eport = vgt_xd_slot(d, 0)->vp_eport };
            memcpy((void *)vgt_xd_slot(d, 0), &req, sizeof(req));
        }
        vgt_xd_get_state(d, &st0);
        vgt_xd_trace_clear(d);
        r = fake_start_on(&w, &d, VCPUS, 0);
        vgt_xd_get_state(d, &st1);
        is_int(st1.stranded, st0.stranded, "%s: no request left in flight on the destroyed server", what);
        is_int(vgt_xd_woken(d, 0) - woken, i == 1 ? 1 : 0,
               "%s: %s", what, i == 1 ? "the waiting vCPU woken through the dead server's port"
                                       : "no vCPU woken: none waited");
        is_int(r, 0, "%s: successor ready", what);
        const char *t = vgt_xd_trace(d);
        ok(handover_order(t), "%s: ours enabled, then the stale server disabled, then destroyed (%s)",
           what, t);
        ok(!strstr(t, "maxmem") && !strstr(t, "populate"), "%s: no maxmem raise, no populate (%s)",
           what, t);
        if (i == 0)
            ok(strstr(t, "relocate:0xe0800->0x540000;") != NULL, "moved frames back to the parking place");
        ok(!vgt_xd_has_range(d, true, 0xe0000000, 0xe07fffff), "%s: dead worker's range gone", what);
        ok(fake_last && fake_last->backing && fake_last->backing_len == 8u << 20,
           "%s: frames handed to the new mediator", what);
        expect_served(d, what);
        fake_crash(&w);
    }

    /* a successor that fails to start after taking hold of the dead server
     * still answers what waits there (all ones) and wakes the vCPU: the next
     * one finds no server to take over */
    {
        struct vgt_xd_state st0, st1;
        volatile ioreq_t *old = vgt_xd_slot(d, 0);
        ioreq_t req = { .addr = 0xe0000000 + 0x78000, .count = 1, .size = 4, .dir = IOREQ_READ,
                        .type = IOREQ_TYPE_COPY, .state = STATE_IOREQ_READY, .vp_eport = old->vp_eport };
        memcpy((void *)old, &req, sizeof(req));
        uint64_t woken = vgt_xd_woken(d, 0);
        vgt_xd_get_state(d, &st0);
        r = fake_start_on(&w, &d, VCPUS, VGT_STAGE_ENABLED);
        vgt_xd_get_state(d, &st1);
        ok(r < 0, "failed successor: start-up fails at stage enabled");
        ok(old->state == STATE_IOREQ_NONE && old->data == ~0ull,
           "failed successor: the read in flight answered with all ones");
        is_int(vgt_xd_woken(d, 0) - woken, 1, "failed successor: the vCPU woken");
        is_int(st1.servers, 0, "failed successor: neither its server nor the dead one left");
        is_int(st1.stranded, st0.stranded, "failed successor: nothing stranded");
        r = fake_start_on(&w, &d, VCPUS, 0);
        is_int(r, 0, "after the failed successor, the next one is ready");
        expect_served(d, "after a failed successor");
        fake_crash(&w);
    }

    /* a paused guest: its vCPU cannot take the answer, and Xen would drop it with
     * the server, so the successor keeps the old server (disabled) until the
     * vCPU has taken it and destroys it at its next domain check */
    {
        struct vgt_xd_state st;
        volatile ioreq_t *old = vgt_xd_slot(d, 0);
        ioreq_t req = { .addr = 0xe0000000 + 0x78000, .count = 1, .size = 4, .dir = IOREQ_READ,
                        .type = IOREQ_TYPE_COPY, .state = STATE_IOREQ_READY, .vp_eport = old->vp_eport };
        memcpy((void *)old, &req, sizeof(req));
        vgt_xd_pause_vcpus(d, true);
        fake_watchdog_ms = 10;
        r = fake_start_on(&w, &d, VCPUS, 0);
        vgt_xd_get_state(d, &st);
        is_int(r, 0, "paused guest: successor ready (after a bounded wait)");
        ok(old->state == STATE_IORESP_READY && st.servers == 2 && w.stale_server >= 0,
           "paused guest: answer left in the slot, old server kept (%u servers)", st.servers);
        vgt_worker_run_once(&w, 30);
        vgt_xd_get_state(d, &st);
        is_int(st.servers, 2, "paused guest: still kept at a domain check");
        old->state = STATE_IOREQ_NONE;   /* unpaused: the vCPU takes its answer */
        vgt_xd_pause_vcpus(d, false);
        for (int i = 0; i < 10 && w.stale_server >= 0; i++)
            vgt_worker_run_once(&w, 30);
        vgt_xd_get_state(d, &st);
        ok(st.servers == 1 && w.stale_server < 0 && st.stranded == 0,
           "paused guest: once taken, the old server destroyed at the next domain check");
        expect_served(d, "after the paused guest's restart");
        fake_watchdog_ms = 0;
        fake_crash(&w);
    }

    /* an orderly end after restrict: no server any more, the frames stay recorded */
    r = fake_start_on(&w, &d, VCPUS, 0);
    is_int(r, 0, "started once more");
    vgt_worker_teardown(&w);
    rec = fake_read_file(record);
    snprintf(want, sizeof(want), "backing 0 1 2048 %#llx %#llx\n", PARK_GFN, PARK_GFN);
    is_str(rec ? rec : "(none)", want, "orderly end: only the frames stay recorded");
    vgt_xd_trace_clear(d);
    r = fake_start_on(&w, &d, VCPUS, 0);
    is_int(r, 0, "and a new worker after it");
    ok(!strstr(vgt_xd_trace(d), "destroy") && !strstr(vgt_xd_trace(d), "maxmem"),
       "nothing to destroy, frames reused (%s)", vgt_xd_trace(d));
    expect_served(d, "after an orderly restart");

    /* the domain goes: the record goes with it */
    vgt_xd_kill(d);
    w.domain_gone = true;
    vgt_worker_teardown(&w);
    ok(access(record, F_OK) != 0, "domain gone: record removed");
    fake_stop(&w, d);

    /* a record that is not this domain's (no such frames): ignored, server kept */
    d = NULL;
    r = fake_prepare_sockdir();
    snprintf(record, sizeof(record), "%s/worker-%u.ioreq", fake_sockdir(), FAKE_DOMID);
    snprintf(want, sizeof(want), "server 1\nbacking 0 1 2048 %#llx %#llx\n", PARK_GFN, PARK_GFN);
    write_record(want);
    r = fake_start_on(&w, &d, VCPUS, 0);
    is_int(r, 0, "start with a foreign record");
    ok(!strstr(vgt_xd_trace(d), "destroy"), "foreign record: nothing destroyed");
    expect_served(d, "foreign record");
    fake_stop(&w, d);

    /* start-up fails before restrict: the adopted frames are released */
    d = NULL;
    r = fake_start(&w, &d, VCPUS, 0);
    snprintf(record, sizeof(record), "%s/worker-%u.ioreq", fake_sockdir(), FAKE_DOMID);
    fake_crash(&w);
    r = fake_start_on(&w, &d, VCPUS, VGT_STAGE_PCIDEV);
    is_int(r, -EIO, "successor fails at pcidev");
    struct vgt_xd_state st;
    vgt_xd_get_state(d, &st);
    ok(st.servers == 0 && st.extra_pages == 0 && st.max_memkb == BASE_KB,
       "failed successor: stale server gone, frames and maxmem released");
    ok(access(record, F_OK) != 0, "nothing left to record");
    fake_stop(&w, d);

    test_restore();
    test_state();
    test_takeover_own_uid();
    return tap_done();
}
