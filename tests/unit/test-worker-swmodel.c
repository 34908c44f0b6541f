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
#include "tests/unit/test-worker-fake.h"

#define DOMID 9
#define MEM (512ull << 20)
#define SBDF (5u << 3)
#define BASE_KB (MEM / 1024)
#define EXTRA_KB ((8u << 10) + 12)          /* GGTT 8 MiB + 3 OpRegion pages */
#define OPR_PARK 0x540800ull                /* round_up(4 GiB + 512 MiB, 1 GiB) + 16 GiB + 8 MiB */
#define GM_OWN (64ull << 20)                /* the first page of its low GM */
static struct vgt_worker W;
static struct vgt_xd *D;
static char record[256];

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
    rec = fake_read_file(record);
    snprintf(want, sizeof(want), "server 1\nbacking 0 1 2048 0x540000 0xe0800\n"
             "backing -1 0 3 %#llx 0xfdffc\nconfig 8680", OPR_PARK);
    ok(rec && !strncmp(rec, want, strlen(want)), "record names the OpRegion frames where they are: %s",
       rec ? rec : "(none)");
    ok(rec && strstr(rec, "00c0fffd\n") && strlen(strstr(rec, "config ")) == 7 + 512 + 1,
       "and the config space as the guest sees it (ASLS last)");
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

    /* the guest's MSI (i915: address, data, then enable) and GGTT entries: one of
     * its own GM (kept across a restart) and one outside its partition */
    io(IOREQ_TYPE_PCI_CONFIG, (uint64_t)SBDF << 32 | 0xb0, 4, false, 0xfee37000);
    io(IOREQ_TYPE_PCI_CONFIG, (uint64_t)SBDF << 32 | 0xb4, 2, false, 0x0700);
    io(IOREQ_TYPE_PCI_CONFIG, (uint64_t)SBDF << 32 | 0xae, 2, false, 1);
    {
        uint64_t pte = 0x200000ull | 1, marker = 0x1122334455667788ull;
        memcpy((uint8_t *)vgt_xd_gfn(D, 0xe0800 + (GM_OWN >> 12) * 8 / 4096) +
                   ((GM_OWN >> 12) * 8) % 4096, &pte, 8);
        memcpy(vgt_xd_gfn(D, 0xe0800), &pte, 8);            /* GM 0: dom0's, not ours */
        memcpy(vgt_xd_gfn(D, 0x200), &marker, 8);
    }
    rec = fake_read_file(record);
    ok(rec && strstr(rec, "05d001000070e3fe00070000"),
       "a config write is recorded at once (MSI enabled, address, data)");

    /* a crash and restarts: the successor puts the device back where the guest
     * left it (it does not probe PCI again): BARs decoding at their addresses,
     * GGTT and OpRegion frames in place, MSI as programmed; maxmem grows once */
    for (int i = 0; i < 2; i++) {
        fake_crash(&W);
        vgt_xd_trace_clear(D);
        is_int(vgt_worker_start(&W, &cfg), 0, "restart %d: successor started", i + 1);
        const char *t = vgt_xd_trace(D);
        ok(!strstr(t, "maxmem") && !strstr(t, "populate") && !strstr(t, "relocate"),
           "restart %d: no maxmem raise, no populate, frames not moved (%s)", i + 1, t);
        vgt_xd_get_state(D, &st);
        ok(st.max_memkb == BASE_KB + EXTRA_KB && st.extra_pages == 2048 + 3,
           "restart %d: maxmem and frames as after the first start", i + 1);
        ok(vgt_xd_has_range(D, true, 0xe0000000, 0xe07fffff) &&
               vgt_xd_has_range(D, true, 0xc0000000, 0xc0000000 + (512u << 20) - 1),
           "restart %d: BAR0 registers and the aperture trapped where the guest put them", i + 1);
        ok(st.enabled && st.servers == 1, "restart %d: served", i + 1);
        /* the guest's next access, with no config write in between */
        is_int(io(IOREQ_TYPE_COPY, 0xe0078000, 8, true, 0), (long long)0x4776544776544776ull,
               "restart %d: PVINFO magic at the restored BAR0", i + 1);
        is_int(io(IOREQ_TYPE_COPY, 0xe0078000 + 0x0c, 4, true, 0), 1, "restart %d: PVINFO vgt_id", i + 1);
        is_int(io(IOREQ_TYPE_PCI_CONFIG, (uint64_t)SBDF << 32 | 0x10, 4, true, 0), 0xe0000004,
               "restart %d: BAR0 reads back as programmed", i + 1);
        is_int(io(IOREQ_TYPE_PCI_CONFIG, (uint64_t)SBDF << 32 | 4, 2, true, 0), 7,
               "restart %d: command register as the guest left it", i + 1);
        ok(vgt_xd_gfn(D, OPR_PARK) == NULL && opregion_at(0xfdffc000) && vgt_xd_gfn(D, 0x540000) == NULL,
           "restart %d: OpRegion (regenerated) at ASLS, GGTT at BAR0 + 8 MiB, nothing parked", i + 1);
        /* the GGTT entries stayed with the frames; they are checked on use as ever */
        is_int(io(IOREQ_TYPE_COPY, 0xc0000000 + GM_OWN, 8, true, 0), 0x1122334455667788ll,
               "restart %d: a kept GGTT entry of its own GM still leads to its page", i + 1);
        is_int(io(IOREQ_TYPE_COPY, 0xc0000000, 4, true, 0), 0xffffffff,
               "restart %d: an entry outside its partition still refused", i + 1);
        /* MSI as programmed: a hot-plug reaches the guest once its driver has
         * (again) unmasked the event; the registers were reset */
        io(IOREQ_TYPE_COPY, 0xe0000000 + 0xc4004, 4, false, ~(0x7u << 21));  /* SDEIMR */
        io(IOREQ_TYPE_COPY, 0xe0000000 + 0xc400c, 4, false, 0x7u << 21);     /* SDEIER */
        io(IOREQ_TYPE_COPY, 0xe0000000 + 0x44200, 4, false, 0x80000000);     /* master */
        uint64_t msis = st.msi_count;
        struct vgt_port_state ps = { .connected = true, .type = VGT_PORT_DP_B + i,
                                     .override = VGT_PORT_B + i };
        memcpy(ps.edid, vgt_port_type_default_edid(ps.type), sizeof(ps.edid));
        is_int(W.cfg.med->hotplug(W.vgpu, VGT_PORT_B + i, &ps), 0, "restart %d: hot-plug", i + 1);
        vgt_xd_get_state(D, &st);
        ok(st.msi_count == msis + 1 && st.last_msi_addr == 0xfee37000 && st.last_msi_data == 0x0700,
           "restart %d: its MSI at the restored address/data (%llu, %#llx/%#x)", i + 1,
           (unsigned long long)(st.msi_count - msis), (unsigned long long)st.last_msi_addr,
           st.last_msi_data);
        io(IOREQ_TYPE_COPY, 0xe0000000 + 0x44200, 4, false, 0);
    }
    /* the guest moves a BAR after a restart: the move follows as always */
    io(IOREQ_TYPE_PCI_CONFIG, (uint64_t)SBDF << 32 | 0x10, 4, false, 0xa0000000);
    ok(vgt_xd_has_range(D, true, 0xa0000000, 0xa07fffff) && !vgt_xd_has_range(D, true, 0xe0000000, 0xe07fffff) &&
       vgt_xd_gfn(D, 0xa0800) && !vgt_xd_gfn(D, 0xe0800), "BAR0 moved after a restart: range and GGTT follow");
    rec = fake_read_file(record);
    ok(rec && strstr(rec, "backing 0 1 2048 0x540000 0xa0800\n") && strstr(rec, "config 8680"),
       "the record follows");

    /* a crash with the device's memory decoding off: the successor maps nothing
     * and parks the GGTT frames (the OpRegion stays at ASLS) */
    io(IOREQ_TYPE_PCI_CONFIG, (uint64_t)SBDF << 32 | 4, 2, false, 0x0005);
    fake_crash(&W);
    vgt_xd_trace_clear(D);
    is_int(vgt_worker_start(&W, &cfg), 0, "decode off: successor started");
    ok(!vgt_xd_has_range(D, true, 0xa0000000, 0xa07fffff) && vgt_xd_gfn(D, 0x540000) &&
       !vgt_xd_gfn(D, 0xa0800) && opregion_at(0xfdffc000),
       "decode off: nothing mapped, GGTT frames parked, OpRegion at ASLS (%s)", vgt_xd_trace(D));
    io(IOREQ_TYPE_PCI_CONFIG, (uint64_t)SBDF << 32 | 4, 2, false, 0x0007);
    ok(vgt_xd_has_range(D, true, 0xa0000000, 0xa07fffff) && vgt_xd_gfn(D, 0xa0800),
       "decode on again: the restored address decodes");

    vgt_worker_teardown(&W);
    vgt_xd_get_state(D, &st);
    ok(st.handles == 0 && st.servers == 0 && st.bound_ports == 0 && st.guest_mapped_pages == 0,
       "teardown releases everything");
    rec = fake_read_file(record);
    snprintf(want, sizeof(want), "backing 0 1 2048 0x540000 0xa0800\nbacking -1 0 3 %#llx 0xfdffc\n"
             "config 8680", OPR_PARK);
    ok(rec && !strncmp(rec, want, strlen(want)),
       "orderly end after restrict: the frames and the config stay recorded: %s", rec ? rec : "(none)");

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
    snprintf(record, sizeof(record), "%s/worker-%u.state", dir, DOMID);
    ok(access(record, F_OK) != 0, "and no state file");
    unlink(record);
    rmdir(dir);
    return tap_done();
}
