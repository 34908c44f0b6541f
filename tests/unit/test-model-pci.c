/* PCI config space of the vGPU: identity, capabilities, BAR sizing, decode changes. */
#include "tests/unit/test-model.h"

static void identity(struct vgt_vgpu *v)
{
    is_int(cfg(v, 0x00, 4), 0x19128086, "vendor 8086, device from the profile");
    is_int(cfg(v, 0x08, 4), 0x03000006, "class 0x030000, revision 6");
    is_int(cfg(v, 0x2C, 4), 0x20158086, "subsystem 8086:2015");
    is_int(cfg(v, 0x06, 2) & 0x10, 0x10, "status has the capability list bit");
    is_int(cfg(v, 0x0E, 1), 0, "header type 0");
    is_int(cfg(v, 0x3D, 1), 1, "interrupt pin INTA");
    is_int(cfg(v, 0x34, 1), 0xAC, "capability pointer 0xAC");
    is_int(cfg(v, 0xAC, 2), 0xD005, "MSI capability, next PM at 0xD0");
    is_int(cfg(v, 0xAE, 2), 0, "MSI: 32-bit, one vector, disabled");
    is_int(cfg(v, 0xD0, 4), 0x00220001, "PM capability, PMC 0x0022, end of list");
    is_int(cfg(v, 0x50, 2), 0x00C0, "GMCH_CTRL: GGMS=3, GMS=0");
    is_int(cfg(v, 0x5C, 4), 0, "BSM 0");
    is_int(cfg(v, 0x30, 4), 0, "no ROM");
    is_int(cfg(v, 0x10, 4), 0x4, "BAR0: 64-bit memory, not prefetchable");
    is_int(cfg(v, 0x18, 4), 0xC, "BAR2: 64-bit prefetchable");
    is_int(cfg(v, 0x20, 4), 0x1, "BAR4: I/O");
    is_int(cfg(v, 0x100, 4), 0, "extended config space reads 0");
}

static struct fake_host *h_of_test;

static void read_only(struct vgt_vgpu *v)
{
    M->cfg_write(v, 0x00, 4, 0x12345678);
    is_int(cfg(v, 0x00, 4), 0x19128086, "ids are read-only");
    M->cfg_write(v, 0x50, 2, 0xFFFF);
    is_int(cfg(v, 0x50, 2), 0x00C0, "GMCH_CTRL is read-only");
    M->cfg_write(v, 0x30, 4, 0xFFFFFFFF);
    is_int(cfg(v, 0x30, 4), 0, "the ROM BAR sizes to nothing");
    M->cfg_write(v, 0xFC, 4, 0xFDFFC000);
    is_int(cfg(v, 0xFC, 4), 0xFDFFC000, "ASLS keeps its value");
    ok(h_of_test->asls_changes == 1 && h_of_test->asls == 0xFDFFC000, "the host hears where the OpRegion goes");
    M->cfg_write(v, 0xFC, 4, 0xFDFFC000);
    is_int(h_of_test->asls_changes, 1, "only when it changes");
    M->cfg_write(v, 0x04, 2, 0xFFFF);
    is_int(cfg(v, 0x04, 2), 0x0547, "command: only IO, MEM, MASTER, PARITY, SERR, INTX_DISABLE");
    M->cfg_write(v, 0x04, 2, 0);
    M->cfg_write(v, 0xAE, 2, 0xFFFF);
    is_int(cfg(v, 0xAE, 2), 1, "MSI control: only the enable bit");
    M->cfg_write(v, 0xAE, 2, 0);
}

static void sizing(struct vgt_vgpu *v, struct fake_host *h)
{
    unsigned before = h->bar_changes;

    M->cfg_write(v, 0x10, 4, 0xFFFFFFFF);
    is_int(cfg(v, 0x10, 4), 0xFF000004, "BAR0 sizes to 16 MiB");
    M->cfg_write(v, 0x14, 4, 0xFFFFFFFF);
    is_int(cfg(v, 0x14, 4), 0xFFFFFFFF, "BAR0 upper dword all ones");
    M->cfg_write(v, 0x18, 4, 0xFFFFFFFF);
    is_int(cfg(v, 0x18, 4), 0xF000000C, "BAR2 sizes to the 256 MiB aperture");
    M->cfg_write(v, 0x20, 4, 0xFFFFFFFF);
    is_int(cfg(v, 0x20, 4), 0xFFFFFFC1, "BAR4 sizes to 64 bytes");
    M->cfg_write(v, 0x24, 4, 0xFFFFFFFF);
    is_int(cfg(v, 0x24, 4), 0, "BAR5 absent");
    M->cfg_write(v, 0x10, 2, 0xFFFF);
    is_int(cfg(v, 0x10, 4), 0xFF000004, "a 2-byte write keeps the flags");
    is_int(h->bar_changes, before, "sizing with decode off maps nothing");

    /* hvmloader's placement */
    M->cfg_write(v, 0x10, 4, 0xF1000000);
    M->cfg_write(v, 0x14, 4, 0);
    M->cfg_write(v, 0x18, 4, 0xE0000000);
    M->cfg_write(v, 0x1C, 4, 0);
    M->cfg_write(v, 0x20, 4, 0xC100);
    is_int(h->bar_changes, before, "placing with decode off maps nothing");
    M->cfg_write(v, 0x04, 2, 0x0007);
    is_int(h->bar_changes, before + 3, "enabling IO+MEM maps three BARs");
    {
        struct vgt_bar bars[VGT_NR_BARS];
        M->get_bars(v, bars);
        ok(bars[0].decode && bars[0].addr == 0xF1000000 && bars[0].size == 16u << 20,
           "BAR0 at 0xF1000000, 16 MiB, decoding");
        ok(bars[0].n_regions == 2 && bars[0].regions[0].kind == VGT_REGION_TRAPPED &&
               bars[0].regions[1].kind == VGT_REGION_MEMORY &&
               bars[0].regions[1].offset == 8u << 20 && bars[0].regions[1].size == 8u << 20,
           "BAR0: registers trapped, GGTT half memory-backed");
        ok(bars[2].decode && bars[2].prefetchable && bars[2].is_64bit && bars[2].addr == 0xE0000000,
           "BAR2 at 0xE0000000");
        ok(bars[4].decode && bars[4].is_io && bars[4].addr == 0xC100, "BAR4 at 0xC100");
        ok(!bars[1].present && !bars[3].present && !bars[5].present, "no other BARs");
    }
    /* Linux turns decode off while it sizes */
    M->cfg_write(v, 0x04, 2, 0x0004);
    is_int(h->bar_changes, before + 6, "disabling decode unmaps three BARs");
    ok(h->last_old.decode && !h->last_new.decode, "old and new state are passed");
    M->cfg_write(v, 0x04, 2, 0x0006);
    is_int(h->bar_changes, before + 8, "enabling MEM only maps BAR0 and BAR2");
    M->cfg_write(v, 0x10, 4, 0xFFFFFFFF);
    is_int(h->bar_changes, before + 9, "sizing while decoding unmaps BAR0");
    ok(!h->last_new.decode && h->last_bar == 0, "BAR0 not decoding while it holds the size mask");
    M->cfg_write(v, 0x10, 4, 0xF2000000);
    is_int(h->bar_changes, before + 10, "a new address maps it again");
    is_int(h->last_new.addr, 0xF2000000, "at the new address");
    M->cfg_write(v, 0x10, 4, 0xF2000000);
    is_int(h->bar_changes, before + 10, "the same address is no change");
}

static void hostile(struct vgt_vgpu *v)
{
    uint32_t val;
    is_int(M->cfg_read(v, 0x1000, 4, &val), -EINVAL, "read beyond 4 KiB refused");
    is_int(val, 0xFFFFFFFF, "reads all ones");
    is_int(M->cfg_read(v, 0xFFE, 4, &val), -EINVAL, "read crossing the end refused");
    is_int(M->cfg_read(v, 0, 3, &val), -EINVAL, "size 3 refused");
    is_int(M->cfg_write(v, 0x10, 8, 0), -EINVAL, "size 8 refused");
    is_int(M->cfg_read(v, 0x01, 2, &val), 0, "unaligned 2-byte read answered");
    is_int(val, 0x1280, "bytes 1 and 2");
    is_int(M->cfg_read(v, 0xFF, 1, &val), 0, "last byte of the header");
    ok(stat(v, VGT_STAT_BAD_ACCESS) >= 4, "bad accesses counted");
}

static void msi(struct vgt_vgpu *v)
{
    M->cfg_write(v, 0xB0, 4, 0xFEE37003);
    is_int(cfg(v, 0xB0, 4), 0xFEE37000, "MSI address dword aligned");
    M->cfg_write(v, 0xB4, 2, 0x0700);
    is_int(cfg(v, 0xB4, 2), 0x0700, "MSI data");
    M->cfg_write(v, 0xAE, 2, 1);
    is_int(cfg(v, 0xAE, 2), 1, "MSI enabled");
}

int main(void)
{
    struct fake_host h;
    struct vgt_vgpu *v = test_vgpu(&h);
    struct vgt_vgpu_params p = test_params();
    struct vgt_vgpu *bad = NULL;

    h_of_test = &h;
    identity(v);
    read_only(v);
    sizing(v, &h);
    hostile(v);
    msi(v);

    M->reset(v);
    is_int(cfg(v, 0x04, 2), 0, "reset clears the command register");
    is_int(cfg(v, 0x10, 4), 0x4, "reset clears BAR0");

    p.part.low_base = 0x0F000000;   /* low range past the aperture end */
    is_int(M->create(&p, &fake_host_ops, &h, &bad), -EINVAL, "a partition outside the aperture is refused");
    p = test_params();
    p.part.fence_count = 40;
    is_int(M->create(&p, &fake_host_ops, &h, &bad), -EINVAL, "too many fences refused");
    ok(bad == NULL, "nothing created");
    test_vgpu_free(v, &h);
    return tap_done();
}
