/* vgt-worker with the real software model (daemon/mediator) on the Xen double:
 * what the guest's hvmloader and i915 do first. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "daemon/worker/worker.h"
#include "daemon/xen/xen-double.h"
#include "tests/tap.h"

#define DOMID 9
#define MEM (512ull << 20)
#define SBDF (5u << 3)
static struct vgt_worker W;
static struct vgt_xd *D;

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
        .med = &vgt_swmodel_ops, .quiet = true, .socket_path = "/tmp/vgt-worker-test-swmodel.sock",
    };
    struct vgt_diag diag;
    struct vgt_xd_state st;
    struct vgt_diag *dp = &diag;
    int r;

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
    is_int(st.extra_pages, 2048, "the GGTT half of BAR0 is backed by 8 MiB of guest RAM");

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
    for (int i = 0; i < 5 && W.vblank_armed; i++)
        vgt_worker_run_once(&W, 50);
    ok(!W.vblank_armed, "no pipe enabled: the vblank timer stops");
    vgt_worker_teardown(&W);
    vgt_xd_get_state(D, &st);
    ok(st.handles == 0 && st.servers == 0 && st.bound_ports == 0 && st.guest_mapped_pages == 0,
       "teardown releases everything");
    vgt_xd_free(D);
    unlink(cfg.socket_path);
    return tap_done();
}
