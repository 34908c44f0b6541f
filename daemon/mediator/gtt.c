/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Graphics memory: the GGTT (BAR0 + 8 MiB, memory the guest writes directly; read
 * here only when an entry is needed), the aperture (BAR2, the guest's low GM
 * through its GGTT entries) and the fence registers.  Every GM address and every
 * entry is guest input: an address outside the guest's partition is never looked
 * up, an entry pointing outside guest memory is never followed.
 */
#include <string.h>
#include "daemon/mediator/swmodel.h"

#define PTE_PRESENT 1ull
#define PTE_ADDR_MASK 0x00007FFFFFFFF000ull   /* bits 12..46 on gen8+ */

static bool in_range(uint64_t a, uint64_t len, uint64_t base, uint64_t size)
{
    return a >= base && len <= size && a - base <= size - len;
}

bool sw_gm_in_partition(const struct vgt_vgpu *v, uint64_t gm, uint64_t len)
{
    const struct vgt_partition *p = &v->p.part;
    return in_range(gm, len, p->low_base, p->low_size) ||
           in_range(gm, len, p->high_base, p->high_size);
}

/* GM address (inside the partition) -> guest physical address, via its PTE. */
int sw_gm_to_gpa(struct vgt_vgpu *v, uint64_t gm, uint64_t *gpa)
{
    uint64_t idx = gm / SW_PAGE, pte = 0;

    if (!sw_gm_in_partition(v, gm, 1))
        return -ERANGE;
    if (v->ggtt && (idx + 1) * 8 <= v->ggtt_len)
        memcpy(&pte, v->ggtt + idx * 8, 8);
    if (!(pte & PTE_PRESENT))
        return -ENOENT;
    *gpa = (pte & PTE_ADDR_MASK) | (gm & (SW_PAGE - 1));
    /* A page the guest does not own is caught by guest_read/guest_write (-EFAULT);
     * one above its RAM size cannot be its own unless RAM sits above 4 GiB. */
    return 0;
}

int sw_guest_rw(struct vgt_vgpu *v, uint64_t gpa, void *buf, size_t len, bool write)
{
    if (!v->host || (write && !v->host->guest_write) || (!write && !v->host->guest_read))
        return -EFAULT;
    return write ? v->host->guest_write(v->host_opaque, gpa, buf, len)
                 : v->host->guest_read(v->host_opaque, gpa, buf, len);
}

int sw_gm_rw(struct vgt_vgpu *v, uint64_t gm, void *buf, size_t len, bool write)
{
    uint64_t gpa;
    return sw_gm_rw_at(v, gm, buf, len, write, &gpa);
}

int sw_translated_rw(struct vgt_vgpu *v, uint64_t gpa, void *buf, size_t len, bool write,
                     const char *entry, uint64_t addr, uint64_t *where)
{
    int r = sw_guest_rw(v, gpa, buf, len, write);

    *where = gpa;
    if (r == -EFAULT)
        sw_refuse(v, VGT_STAT_GGTT_REFUSED, "%s 0x%llx points outside guest memory", entry,
                  (unsigned long long)addr);
    return r;
}

int sw_gm_rw_at(struct vgt_vgpu *v, uint64_t gm, void *buf, size_t len, bool write, uint64_t *where)
{
    uint64_t gpa;
    int r;

    if ((gm & (SW_PAGE - 1)) + len > SW_PAGE)
        return -EINVAL;
    r = sw_gm_to_gpa(v, gm, &gpa);
    return r < 0 ? r : sw_translated_rw(v, gpa, buf, len, write, "GGTT entry of GM", gm, where);
}

int sw_ggtt_read(struct vgt_vgpu *v, uint64_t off, unsigned size, uint64_t *val)
{
    *val = 0;
    if (size < 1 || size > 8 || off >= SW_GGTT_SIZE || off + size > SW_GGTT_SIZE) {
        *val = ~0ull;
        sw_refuse(v, VGT_STAT_BAD_ACCESS, "GGTT read at 0x%llx size %u",
                  (unsigned long long)off, size);
        return -ERANGE;
    }
    if (v->ggtt && off + size <= v->ggtt_len)   /* no backing yet: empty entries */
        memcpy(val, v->ggtt + off, size);
    return 0;
}

int sw_ggtt_write(struct vgt_vgpu *v, uint64_t off, unsigned size, uint64_t val)
{
    if (size < 1 || size > 8 || off >= SW_GGTT_SIZE || off + size > SW_GGTT_SIZE) {
        sw_refuse(v, VGT_STAT_BAD_ACCESS, "GGTT write at 0x%llx size %u",
                  (unsigned long long)off, size);
        return -ERANGE;
    }
    /* What the guest's direct write to the backing memory would do. */
    if (v->ggtt && off + size <= v->ggtt_len)
        memcpy(v->ggtt + off, &val, size);
    return 0;
}

/* BAR2: offset = GM address; only the guest's own low GM, page by page. */
int sw_aperture_access(struct vgt_vgpu *v, uint64_t off, unsigned size, uint64_t *val, bool write)
{
    const struct vgt_partition *p = &v->p.part;
    uint8_t bytes[8] = { 0 };
    int r;

    if (size < 1 || size > 8 || !in_range(off, size, p->low_base, p->low_size)) {
        if (!write)
            *val = ~0ull;
        sw_refuse(v, VGT_STAT_APERTURE_REFUSED, "aperture %s at 0x%llx size %u outside low GM",
                  write ? "write" : "read", (unsigned long long)off, size);
        return -ERANGE;
    }
    if (write)
        memcpy(bytes, val, size);
    for (unsigned done = 0; done < size;) {
        uint64_t gm = off + done;
        unsigned n = (unsigned)(SW_PAGE - (gm & (SW_PAGE - 1)));

        if (n > size - done)
            n = size - done;
        r = sw_gm_rw(v, gm, bytes + done, n, write);
        if (r < 0) {
            if (!write)
                *val = ~0ull;
            sw_refuse(v, VGT_STAT_APERTURE_REFUSED, "aperture %s at GM 0x%llx: %s",
                      write ? "write" : "read", (unsigned long long)gm,
                      r == -ENOENT ? "no GGTT entry" : "entry refused");
            return r == -ENOENT ? -ERANGE : -EFAULT;
        }
        done += n;
    }
    if (!write) {
        *val = 0;
        memcpy(val, bytes, size);
    }
    return 0;
}

/* ---- fences (gen6+ layout: start in the low dword, end in the high one) ---- */

bool sw_fence_guest_visible(const struct vgt_vgpu *v, uint32_t off)
{
    return (off - R_FENCE0) / 8 < v->p.part.fence_count;
}

/* A valid fence must lie inside the partition (end > start: not wrapped). */
static bool fence_contained(const struct vgt_vgpu *v, uint32_t lo, uint32_t hi)
{
    uint64_t start = lo & 0xFFFFF000u, end = (uint64_t)(hi & 0xFFFFF000u) + SW_PAGE;
    return !(lo & 1) || (end > start && sw_gm_in_partition(v, start, end - start));
}

/* Returns false if the fence was refused (stored, but not valid). */
bool sw_fence_write(struct vgt_vgpu *v, uint32_t off, uint32_t old)
{
    uint32_t lo_off = off & ~7u, lo = sw_reg(v, lo_off), hi = sw_reg(v, lo_off + 4);
    unsigned i = (lo_off - R_FENCE0) / 8;

    (void)old;
    if (fence_contained(v, lo, hi))
        return true;
    /* Refused: stored, but never valid. */
    sw_reg_set(v, lo_off, lo & ~1u);
    sw_refuse(v, VGT_STAT_FENCE_REFUSED,
              "fence %u (physical %u): range 0x%llx-0x%llx outside the partition", i,
              v->p.part.fence_base + i, (unsigned long long)(lo & 0xFFFFF000u),
              (unsigned long long)(hi & 0xFFFFF000u) + SW_PAGE);
    return false;
}

/* A predecessor's fences: the guest's own as sw_fence_write leaves them, the
 * others as at reset (the guest cannot write them). */
void sw_fence_resume(struct vgt_vgpu *v)
{
    for (unsigned i = 0; i < SW_MAX_HW_FENCES; i++) {
        uint32_t lo_off = R_FENCE0 + 8 * i, lo = sw_reg(v, lo_off);

        if (i >= v->p.part.fence_count) {
            sw_reg_set(v, lo_off, 0);
            sw_reg_set(v, lo_off + 4, 0);
        } else if (!fence_contained(v, lo, sw_reg(v, lo_off + 4))) {
            sw_reg_set(v, lo_off, lo & ~1u);
        }
    }
}
