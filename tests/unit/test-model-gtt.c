/* Graphics memory containment: fences, GGTT entries, aperture. */
#include "tests/unit/test-model.h"

#define FENCE(i) (0x100000u + 8u * (i))
#define PTE(gm) ((8u << 20) + (uint64_t)(gm) / 4096 * 8)

static uint64_t fence_val(uint64_t start, uint64_t end_excl, bool valid)
{
    return ((end_excl - 4096) & 0xFFFFF000ull) << 32 | (start & 0xFFFFF000ull) |
           (7ull << 32) /* pitch */ | (valid ? 1 : 0);
}

static void fences(struct vgt_vgpu *v)
{
    uint64_t f = fence_val(0x08000000, 0x08100000, true);

    is_int(wr(v, FENCE(0), 8, f), 0, "fence 0 inside low GM");
    is_int(rd(v, FENCE(0), 8), f, "stored valid");
    f = fence_val(0x20000000, 0x20400000, true);
    wr32(v, FENCE(3), 0);
    wr32(v, FENCE(3) + 4, (uint32_t)(f >> 32));
    wr32(v, FENCE(3), (uint32_t)f);
    is_int(rd(v, FENCE(3), 8), f, "fence 3 inside high GM, written as i915 does (lo=0, hi, lo)");
    is_int(stat(v, VGT_STAT_FENCE_REFUSED), 0, "nothing refused yet");

    f = fence_val(0x00000000, 0x00100000, true);    /* the host's GM */
    wr(v, FENCE(1), 8, f);
    is_int(rd(v, FENCE(1), 8) & 1, 0, "fence over the host's GM stored invalid");
    is_int(stat(v, VGT_STAT_FENCE_REFUSED), 1, "and counted");
    f = fence_val(0x0FF00000, 0x20100000, true);    /* straddles low and high */
    wr(v, FENCE(2), 8, f);
    is_int(rd(v, FENCE(2), 8) & 1, 0, "fence spanning the gap refused");
    f = fence_val(0x08100000, 0x08000000 + 4096, true);  /* end before start */
    wr(v, FENCE(2), 8, f);
    is_int(rd(v, FENCE(2), 8) & 1, 0, "fence ending before it starts refused");
    /* a valid fence made to grow out of the partition by its high dword */
    f = fence_val(0x08000000, 0x08100000, true);
    wr(v, FENCE(0), 8, f);
    wr32(v, FENCE(0) + 4, 0xFFFFF000);
    is_int(rd32(v, FENCE(0)) & 1, 0, "growing a valid fence out of the partition invalidates it");
    is_int(stat(v, VGT_STAT_FENCE_REFUSED), 4, "all counted");

    is_int(rd(v, FENCE(4), 8), 0, "fence 4 (not the guest's) reads 0");
    wr(v, FENCE(4), 8, fence_val(0x08000000, 0x08100000, true));
    is_int(rd(v, FENCE(4), 8), 0, "and cannot be written");
    wr(v, FENCE(31) + 4, 4, 0x1234);
    is_int(rd(v, FENCE(31), 8), 0, "nor the last one");
    is_int(stat(v, VGT_STAT_FENCE_REFUSED), 6, "writes beyond fence_num counted, once per access");
}

static void ggtt(struct vgt_vgpu *v, struct fake_host *h)
{
    uint64_t val;

    is_int(wr(v, PTE(0x08001000), 8, 0x2067001), 0, "PTE write through BAR0");
    memcpy(&val, h->ggtt + (0x08001000 / 4096) * 8, 8);
    is_int(val, 0x2067001, "lands in the backing memory");
    is_int(rd(v, PTE(0x08001000), 8), 0x2067001, "and reads back");
    is_int(rd(v, PTE(0x08001000) + 1, 2), 0x0670, "odd reads of the GGTT half too");
    M->set_backing(v, VGT_BAR_MMIO, 1, NULL, 0);
    is_int(rd(v, PTE(0x08001000), 8), 0, "no backing: empty entries");
    is_int(wr(v, PTE(0x08001000), 8, 5), 0, "no backing: writes dropped");
    is_int(M->set_backing(v, VGT_BAR_MMIO, 1, h->ggtt, 4096), -EINVAL, "a short backing is refused");
    is_int(M->set_backing(v, VGT_BAR_MMIO, 0, h->ggtt, 8u << 20), -EINVAL, "region 0 is trapped");
    is_int(M->set_backing(v, VGT_BAR_MMIO, 1, h->ggtt, 8u << 20), 0, "backing again");
    is_int(rd(v, PTE(0x08001000), 8), 0x2067001, "the entry is back");
    is_int(M->bar_read(v, VGT_BAR_MMIO, (16u << 20) - 4, 8, &val), -EINVAL, "crossing BAR0's end refused");
}

static void aperture(struct vgt_vgpu *v, struct fake_host *h)
{
    uint64_t val;

    /* GM 0x08002000 -> guest page 0x100000; GM 0x08003000 -> page 0x200000 */
    wr(v, PTE(0x08002000), 8, 0x100000 | 3);
    wr(v, PTE(0x08003000), 8, 0x200000 | 3);
    memcpy(h->ram + 0x100FFC, "\x11\x22\x33\x44", 4);
    memcpy(h->ram + 0x200000, "\x55\x66\x77\x88", 4);
    is_int(M->bar_read(v, VGT_BAR_APERTURE, 0x08002FFC, 8, &val), 0, "aperture read across two pages");
    is_int(val, 0x8877665544332211ull, "each page through its own entry");
    is_int(M->bar_write(v, VGT_BAR_APERTURE, 0x08002010, 4, 0xCAFEF00D), 0, "aperture write");
    is_int(h->ram[0x100010], 0x0D, "reaches guest memory");

    is_int(M->bar_read(v, VGT_BAR_APERTURE, 0x07FFF000, 4, &val), -ERANGE, "the host's low GM is refused");
    is_int(val, ~0ull, "reads all ones");
    is_int(M->bar_read(v, VGT_BAR_APERTURE, 0x08004000, 4, &val), -ERANGE, "a page with no entry refused");
    wr(v, PTE(0x08005000), 8, 0x7FFFFFF000ull | 1);    /* far outside guest RAM */
    is_int(M->bar_write(v, VGT_BAR_APERTURE, 0x08005000, 4, 1), -EFAULT, "an entry outside guest memory is not followed");
    is_int(stat(v, VGT_STAT_GGTT_REFUSED), 1, "GGTT refusal counted");
    is_int(stat(v, VGT_STAT_APERTURE_REFUSED), 3, "aperture refusals counted");
    is_int(M->bar_read(v, VGT_BAR_APERTURE, 0x08000000 + (128u << 20) - 2, 4, &val), -EINVAL,
           "an access crossing the end of low GM (and of BAR2) refused");
    is_int(M->bar_read(v, VGT_BAR_APERTURE, 0x07FFFFFE, 4, &val), -ERANGE,
           "an access crossing the start of low GM refused");
    is_int(M->bar_read(v, VGT_BAR_APERTURE, 0x10000000, 4, &val), -EINVAL, "beyond BAR2 refused");
}

static void aperture_pages(struct vgt_vgpu *v, struct fake_host *h)
{
    uint64_t gpa = 0;

    is_int(M->aperture_page(v, 0x08002000, &gpa), 0, "aperture page of own low GM");
    is_int(gpa, 0x100000, "lands on the page its entry names");
    is_int(M->aperture_page(v, 0x08002004, &gpa), -ERANGE, "unaligned refused");
    is_int(M->aperture_page(v, 0x07FFF000, &gpa), -ERANGE, "the host's GM refused");
    is_int(M->aperture_page(v, 0x08000000 + (128u << 20), &gpa), -ERANGE, "past low GM refused");
    is_int(M->aperture_page(v, 0x08004000, &gpa), -ENOENT, "no entry");
    wr32(v, 0x101008, 1);
    is_int(h->flushes, 1, "GFX_FLSH_CNTL tells the user the GGTT changed");
}

int main(void)
{
    struct fake_host h;
    struct vgt_vgpu *v = test_vgpu(&h);

    fences(v);
    ggtt(v, &h);
    aperture(v, &h);
    aperture_pages(v, &h);
    test_vgpu_free(v, &h);
    return tap_done();
}
