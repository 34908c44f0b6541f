/* A worker killed after "ready" and its successor on the same guest (Xen double):
 * the successor destroys the dead worker's ioreq server, claims the device and
 * reuses its GGTT frames, so maxmem grows once however often it restarts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "daemon/worker/worker.h"
#include "daemon/xen/xen-double.h"
#include "tests/tap.h"
#include "tests/unit/test-worker-fake.h"

#define VCPUS 1
#define BACKING_KB (8u << 10)
#define BASE_KB (FAKE_GUEST_MEM / 1024)
#define PARK_GFN 0x540000ull      /* round_up(4 GiB + 256 MiB, 1 GiB) + 16 GiB */

static char record[128];

static char *read_record(void)
{
    static char buf[512];
    FILE *f = fopen(record, "r");
    size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
    if (!f)
        return NULL;
    fclose(f);
    buf[n] = 0;
    return buf;
}

static void write_record(const char *s)
{
    FILE *f = fopen(record, "w");
    if (f) {
        fputs(s, f);
        fclose(f);
    }
}

/* kill -9: the process' handles, mappings and ports go, the domain keeps the
 * server, its device and ranges, maxmem and the populated frames. */
static void crash(struct vgt_worker *w)
{
    char saved[512];
    const char *rec = read_record();
    snprintf(saved, sizeof(saved), "%s", rec ? rec : "");
    w->domain_gone = true;       /* teardown then leaves every Xen object alone */
    vgt_worker_teardown(w);
    write_record(saved);
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
    rec = read_record();
    snprintf(want, sizeof(want), "server 1\nbacking 0 1 2048 %#llx %#llx\n", PARK_GFN, PARK_GFN);
    is_str(rec ? rec : "(none)", want, "record: server id and parked frames");

    /* the guest places BAR0: the frames move, the record follows */
    struct vgt_bar b = w.bars[0];
    b.addr = 0xe0000000;
    b.decode = true;
    w.host.bar_changed(&w, 0, NULL, &b);
    rec = read_record();
    snprintf(want, sizeof(want), "server 1\nbacking 0 1 2048 %#llx 0xe0800\n", PARK_GFN);
    is_str(rec ? rec : "(none)", want, "record follows the BAR move");

    crash(&w);
    ok(vgt_xd_has_range(d, true, 0xe0000000, 0xe07fffff), "crashed: its range still mapped");
    expect_served(d, "after the crash");

    for (int i = 0; i < 3; i++) {
        char what[32];
        snprintf(what, sizeof(what), "restart %d", i + 1);
        vgt_xd_trace_clear(d);
        r = fake_start_on(&w, &d, VCPUS, 0);
        is_int(r, 0, "%s: successor ready", what);
        const char *t = vgt_xd_trace(d);
        const char *des = strstr(t, "destroy;"), *cre = strstr(t, "create;");
        ok(des && cre && des < cre, "%s: stale server destroyed before ours is created", what);
        ok(!strstr(t, "maxmem") && !strstr(t, "populate"), "%s: no maxmem raise, no populate (%s)",
           what, t);
        if (i == 0)
            ok(strstr(t, "relocate:0xe0800->0x540000;") != NULL, "moved frames back to the parking place");
        ok(!vgt_xd_has_range(d, true, 0xe0000000, 0xe07fffff), "%s: dead worker's range gone", what);
        ok(fake_last && fake_last->backing && fake_last->backing_len == 8u << 20,
           "%s: frames handed to the new mediator", what);
        expect_served(d, what);
        crash(&w);
    }

    /* an orderly end after restrict: no server any more, the frames stay recorded */
    r = fake_start_on(&w, &d, VCPUS, 0);
    is_int(r, 0, "started once more");
    vgt_worker_teardown(&w);
    rec = read_record();
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
    crash(&w);
    r = fake_start_on(&w, &d, VCPUS, VGT_STAGE_PCIDEV);
    is_int(r, -EIO, "successor fails at pcidev");
    struct vgt_xd_state st;
    vgt_xd_get_state(d, &st);
    ok(st.servers == 0 && st.extra_pages == 0 && st.max_memkb == BASE_KB,
       "failed successor: stale server gone, frames and maxmem released");
    ok(access(record, F_OK) != 0, "nothing left to record");
    fake_stop(&w, d);
    return tap_done();
}
