/* vgt-worker with the real software model (daemon/mediator) on the Xen double:
 * what the guest's hvmloader and i915 do first. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "daemon/worker/worker.h"
#include "daemon/xen/xen-double.h"
#include "tests/tap.h"

#define DOMID 9
#define MEM (512ull << 20)
#define SBDF (5u << 3)
#define BASE_KB (MEM / 1024)
#define EXTRA_KB ((8u << 10) + 12)          /* GGTT 8 MiB + 3 OpRegion pages */
#define OPR_PARK 0x540800ull                /* round_up(4 GiB + 512 MiB, 1 GiB) + 16 GiB + 8 MiB */
static struct vgt_worker W;
static struct vgt_xd *D;
static char record[256];

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

/* kill -9: the domain keeps server, maxmem and frames; the record stays */
static void crash(void)
{
    char saved[512];
    const char *rec = read_record();
    FILE *f;
    snprintf(saved, sizeof(saved), "%s", rec ? rec : "");
    W.domain_gone = true;
    vgt_worker_teardown(&W);
    if ((f = fopen(record, "w"))) {
        fputs(saved, f);
        fclose(f);
    }
}

static void asls(uint32_t v)
{
    ioreq_t r = { .addr = (uint64_t)SBDF << 32 | 0xfc, .data = v, .count = 1, .size = 4,
                  .dir = IOREQ_WRITE, .type = IOREQ_TYPE_PCI_CONFIG };
    volatile ioreq_t *s = vgt_xd_slot(D, 0);
    vgt_xd_post(D, 0, &r);
    vgt_worker_evtchn_ready(&W);
    s->state = STATE_IOREQ_NONE;
}

static bool opregion_at(uint64_t gpa)
{
    char sig[16];
    return vgt_worker_guest_copy(&W, gpa, sig, sizeof(sig), false) == 0 &&
           !memcmp(sig, "IntelGraphicsMem", 16);
}

static uint64_t io(uint8_t type, uint64_t addr, unsigned size, bool read, uint64_t data)
{
    ioreq_t r = { .addr = addr, .data = data, .count = 1, .size = size,
                  .dir = read ? IOREQ_READ : IOREQ_WRITE, .type = type };
    volatile ioreq_t *s = vgt_xd_slot(D, 0);
    vgt_xd_post(D, 0, &r);
    vgt_worker_evtchn_ready(&W);
    ok(s->state == STATE_IORESP_READY, "answered: type %u addr %#llx", type, (unsigned long long)addr);
    s->state = STATE_IOREQ_NONE;
    return s->data;
}

int main(void)
{
    struct vgt_xd_params xp = { .domid = DOMID, .vcpus = 1, .guest_mem = MEM };
    struct vgt_worker_config cfg = {
        .domid = DOMID, .vcpus = 1, .dev = 5, .guest_mem = MEM, .xen = &vgt_xen_double_ops,
        .med = &vgt_swmodel_ops, .quiet = true,
    };
    char dir[] = "/tmp/vgt-worker-swmodel.XXXXXX", sock[256], want[256];
    const char *rec;
    struct vgt_diag diag;
    struct vgt_xd_state st;
    struct vgt_diag *dp = &diag;
    int r;

    if (!mkdtemp(dir))
        return 1;
    snprintf(sock, sizeof(sock), "%s/worker-%u.sock", dir, DOMID);
    snprintf(record, sizeof(record), "%s/worker-%u.ioreq", dir, DOMID);
    cfg.socket_path = sock;
    vgt_diag_init(&diag);
    r = vgt_profile_load("skl-gt2", VGT_TEST_SRCDIR "/libxl-vgt/profiles", &cfg.profile, dp);
    is_int(r, 0, "profile skl-gt2 loaded");
    vgt_diag_print(&diag, stdout);
    vgt_diag_dispose(&diag);
    cfg.part = (struct vgt_partition){ .vgt_id = 1, .low_base = 64u << 20, .low_size = 64u << 20,
                                       .high_base = 512u << 20, .high_size = 384u << 20,
                                       .fence_base = 4, .fence_count = 4 };
    cfg.xen_arg = D = vgt_xd_new(&xp);
    is_int(vgt_worker_start(&W, &cfg), 0, "worker with the software model started");
    vgt_xd_get_state(D, &st);
    is_int(st.extra_pages, 2048 + 3, "GGTT half of BAR0 (8 MiB) and OpRegion (3 pages) populated");
    is_int(st.max_memkb, BASE_KB + EXTRA_KB, "maxmem raised by exactly those frames");
    ok(vgt_xd_gfn(D, OPR_PARK) && vgt_xd_gfn(D, OPR_PARK + 2) && !vgt_xd_gfn(D, OPR_PARK + 3),
       "OpRegion frames parked right after the GGTT frames");

    is_int(io(IOREQ_TYPE_PCI_CONFIG, (uint64_t)SBDF << 32, 2, true, 0), 0x8086, "vendor Intel");
    is_int(io(IOREQ_TYPE_PCI_CONFIG, (uint64_t)SBDF << 32 | 2, 2, true, 0), cfg.profile.device_id,
           "device id of the profile");
    io(IOREQ_TYPE_PCI_CONFIG, (uint64_t)SBDF << 32 | 0x10, 4, false, 0xffffffff);
    is_int(io(IOREQ_TYPE_PCI_CONFIG, (uint64_t)SBDF << 32 | 0x10, 4, true, 0) & 0xfffffff0u,
           0xff000000u, "BAR0 is 16 MiB");
    io(IOREQ_TYPE_PCI_CONFIG, (uint64_t)SBDF << 32 | 0x10, 4, false, 0xe0000000);
    io(IOREQ_TYPE_PCI_CONFIG, (uint64_t)SBDF << 32 | 0x14, 4, false, 0);
    io(IOREQ_TYPE_PCI_CONFIG, (uint64_t)SBDF << 32 | 4, 2, false, 0x0007);
    ok(vgt_xd_has_range(D, true, 0xe0000000, 0xe07fffff), "BAR0 registers trapped at 0xe0000000");
    ok(vgt_xd_gfn(D, 0xe0800) != NULL, "GGTT frames moved under BAR0 + 8 MiB");
    is_int(io(IOREQ_TYPE_COPY, 0xe0078000 + 0x0c, 4, true, 0), 1, "PVINFO vgt_id");
    is_int(io(IOREQ_TYPE_COPY, 0xe0078000 + 0x40, 4, true, 0), 64u << 20, "PVINFO low GM base");
    ok(!W.vblank_armed, "reads leave the vblank timer off");
    io(IOREQ_TYPE_COPY, 0xe0078000 + 0x804, 4, false, 1);
    ok(W.vblank_armed, "a register write arms the vblank timer");
    ok(W.display_ready, "display_ready seen");
    /* the guest writes a GGTT entry straight into the RAM behind BAR0 + 8 MiB (no
     * trap); an aperture access then goes through it to the guest's own page */
    {
        uint64_t gm = 64u << 20, pte = 0x200000ull | 1, marker = 0x5a5aa5a5c0ffee00ull;
        uint8_t *ggtt = vgt_xd_gfn(D, 0xe0800 + (gm >> 12) * 8 / 4096);
        io(IOREQ_TYPE_PCI_CONFIG, (uint64_t)SBDF << 32 | 0x18, 4, false, 0xc0000000);
        io(IOREQ_TYPE_PCI_CONFIG, (uint64_t)SBDF << 32 | 0x1c, 4, false, 0);
        ok(vgt_xd_has_range(D, true, 0xc0000000, 0xc0000000 + (512u << 20) - 1),
           "aperture (BAR2, 512 MiB) trapped");
        memcpy(ggtt + ((gm >> 12) * 8) % 4096, &pte, 8);
        memcpy(vgt_xd_gfn(D, 0x200), &marker, 8);
        is_int(io(IOREQ_TYPE_COPY, 0xc0000000 + gm, 8, true, 0), (long long)marker,
               "aperture read lands in the guest page its GGTT entry names");
        io(IOREQ_TYPE_COPY, 0xc0000000 + gm + 8, 4, false, 0x12345678);
        ok(!memcmp((uint8_t *)vgt_xd_gfn(D, 0x200) + 8, "\x78\x56\x34\x12", 4),
           "aperture write too");
        pte = (MEM + (1u << 20)) | 1;   /* beyond guest RAM */
        memcpy(ggtt + ((gm >> 12) * 8) % 4096, &pte, 8);
        is_int(io(IOREQ_TYPE_COPY, 0xc0000000 + gm, 4, true, 0), 0xffffffff,
               "a GGTT entry outside guest RAM: all ones (guest_read -EFAULT)");
    }
    /* hvmloader writes ASLS (0xfdffc000, ACPI NVS nothing backs): our frames go there */
    ok(!opregion_at(0xfdffc000), "nothing at 0xfdffc000 before ASLS is written");
    asls(0xfdffc000);
    ok(opregion_at(0xfdffc000), "ASLS written: \"IntelGraphicsMem\" readable in guest memory there");
    ok(((uint8_t *)vgt_xd_gfn(D, 0xfdffc))[0x400] == '$', "with its VBT at +0x400");
    ok(vgt_xd_gfn(D, 0xfdffe) && !vgt_xd_gfn(D, OPR_PARK), "3 frames moved from the parking place");
    rec = read_record();
    snprintf(want, sizeof(want), "server 1\nbacking 0 1 2048 0x540000 0xe0800\n"
             "backing -1 0 3 %#llx 0xfdffc\n", OPR_PARK);
    is_str(rec ? rec : "(none)", want, "record names the OpRegion frames where they are");
    vgt_xd_get_state(D, &st);
    is_int(st.max_memkb, BASE_KB + EXTRA_KB, "no maxmem change for the move");
    uint64_t refused = W.stats.asls_refused;
    asls(0x300000);
    ok(!opregion_at(0x300000) && opregion_at(0xfdffc000), "ASLS at guest RAM: refused, frames stay");
    asls(0xfdffc100);
    asls(0xe0fff000);
    asls(0xfffff000);
    ok(opregion_at(0xfdffc000), "unaligned, over BAR0, across 4 GiB: refused");
    is_int(W.stats.asls_refused - refused, 4, "refusals counted");
    is_int(io(IOREQ_TYPE_PCI_CONFIG, (uint64_t)SBDF << 32, 2, true, 0), 0x8086,
           "the device goes on");
    asls(0xfdff0000);
    ok(opregion_at(0xfdff0000) && !vgt_xd_gfn(D, 0xfdffc), "ASLS moved: the frames follow");
    asls(0);
    ok(vgt_xd_gfn(D, OPR_PARK) && !vgt_xd_gfn(D, 0xfdff0), "ASLS 0: frames back at the parking place");
    asls(0xfdffc000);
    for (int i = 0; i < 5 && W.vblank_armed; i++)
        vgt_worker_run_once(&W, 50);
    ok(!W.vblank_armed, "no pipe enabled: the vblank timer stops");

    /* a crash and restarts: the OpRegion frames are reused, maxmem grows once */
    for (int i = 0; i < 2; i++) {
        crash();
        vgt_xd_trace_clear(D);
        is_int(vgt_worker_start(&W, &cfg), 0, "restart %d: successor started", i + 1);
        ok(!strstr(vgt_xd_trace(D), "maxmem") && !strstr(vgt_xd_trace(D), "populate"),
           "restart %d: no maxmem raise, no populate", i + 1);
        vgt_xd_get_state(D, &st);
        ok(st.max_memkb == BASE_KB + EXTRA_KB && st.extra_pages == 2048 + 3,
           "restart %d: maxmem and frames as after the first start", i + 1);
        ok(vgt_xd_gfn(D, OPR_PARK) && !vgt_xd_gfn(D, 0xfdffc), "restart %d: frames parked (vGPU reset)",
           i + 1);
        asls(0xfdffc000);
        ok(opregion_at(0xfdffc000), "restart %d: OpRegion at ASLS again", i + 1);
    }

    vgt_worker_teardown(&W);
    vgt_xd_get_state(D, &st);
    ok(st.handles == 0 && st.servers == 0 && st.bound_ports == 0 && st.guest_mapped_pages == 0,
       "teardown releases everything");
    rec = read_record();
    snprintf(want, sizeof(want), "backing 0 1 2048 0x540000 0x540000\nbacking -1 0 3 %#llx 0xfdffc\n",
             OPR_PARK);
    is_str(rec ? rec : "(none)", want, "orderly end after restrict: the frames stay recorded");

    /* a successor failing before restrict releases them and lowers maxmem */
    cfg.fail_stage = VGT_STAGE_PCIDEV;
    is_int(vgt_worker_start(&W, &cfg), -EIO, "successor fails at pcidev");
    vgt_xd_get_state(D, &st);
    ok(st.extra_pages == 0 && st.max_memkb == BASE_KB && st.servers == 0,
       "failed start: GGTT and OpRegion frames released, maxmem back to the guest's");
    ok(access(record, F_OK) != 0, "nothing left to record");
    vgt_xd_free(D);
    unlink(sock);
    unlink(record);
    rmdir(dir);
    return tap_done();
}
