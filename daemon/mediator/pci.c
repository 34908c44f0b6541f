/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCI config space of the vGPU: what hvmloader, SeaBIOS, Linux's early quirks and
 * i915 read (see guest-i915-probe.md section 1).  Every byte has a write mask, so
 * read-only bits stay read-only and BAR sizing behaves like hardware: the size
 * bits of a BAR are simply not writable.
 */
#include <string.h>
#include "daemon/mediator/swmodel.h"

#define PCI_COMMAND 0x04
#define PCI_CMD_IO (1u << 0)
#define PCI_CMD_MEM (1u << 1)
#define PCI_CMD_MASTER (1u << 2)
#define PCI_BAR0 0x10
#define PCI_ROM 0x30
#define CAP_MSI 0xAC
#define CAP_PM 0xD0
#define MSI_CTRL (CAP_MSI + 2)
#define MSI_ADDR (CAP_MSI + 4)
#define MSI_DATA (CAP_MSI + 8)
#define GMCH_CTRL 0x50
#define BSM 0x5C
#define ASLS 0xFC

static void put(uint8_t *a, unsigned off, unsigned size, uint32_t val)
{
    for (unsigned i = 0; i < size; i++)
        a[off + i] = (uint8_t)(val >> (8 * i));
}

static uint32_t get(const uint8_t *a, unsigned off, unsigned size)
{
    uint32_t val = 0;
    for (unsigned i = 0; i < size; i++)
        val |= (uint32_t)a[off + i] << (8 * i);
    return val;
}

/* A BAR: flags in the low bits, writable address bits above its size. */
static void setup_bar(struct vgt_vgpu *v, int bar, uint64_t size, uint32_t flags, bool is64)
{
    unsigned off = PCI_BAR0 + 4 * (unsigned)bar;
    uint64_t mask = ~(size - 1);

    v->bar_size[bar] = size;
    put(v->cfg, off, 4, flags);
    put(v->cfg_wmask, off, 4, (uint32_t)mask & ~0xFu);
    if (flags & 1)                  /* I/O: only bits 1:0 are flags */
        put(v->cfg_wmask, off, 4, (uint32_t)mask & ~0x3u);
    if (is64) {
        put(v->cfg, off + 4, 4, 0);
        put(v->cfg_wmask, off + 4, 4, (uint32_t)(mask >> 32));
    }
}

void sw_pci_reset(struct vgt_vgpu *v)
{
    uint8_t *c = v->cfg;
    uint64_t ap = v->p.profile->aperture_mb * VGT_MB;

    memset(v->cfg, 0, sizeof(v->cfg));
    memset(v->cfg_wmask, 0, sizeof(v->cfg_wmask));
    memset(v->bar_size, 0, sizeof(v->bar_size));

    put(c, 0x00, 2, 0x8086);
    put(c, 0x02, 2, v->p.profile->device_id);
    put(c, 0x06, 2, 0x0010);                /* status: capability list */
    c[0x08] = 0x06;                         /* revision */
    put(c, 0x09, 3, 0x030000);              /* VGA compatible controller */
    put(c, 0x2C, 2, 0x8086);                /* subsystem vendor */
    put(c, 0x2E, 2, 0x2015);                /* subsystem */
    c[0x34] = CAP_MSI;
    c[0x3D] = 1;                            /* INTA */
    put(v->cfg_wmask, PCI_COMMAND, 2, 0x0547); /* IO, MEM, MASTER, PARITY, SERR, INTX_DISABLE */
    v->cfg_wmask[0x0C] = 0xFF;              /* cache line size */
    v->cfg_wmask[0x3C] = 0xFF;              /* interrupt line */

    setup_bar(v, VGT_BAR_MMIO, SW_BAR0_SIZE, 0x4, true);       /* 64-bit, non-prefetchable */
    setup_bar(v, VGT_BAR_APERTURE, ap, 0xC, true);             /* 64-bit, prefetchable */
    setup_bar(v, VGT_BAR_IO, SW_BAR4_SIZE, 0x1, false);        /* I/O */
    /* The ROM BAR stays 0: no option ROM. */

    put(c, GMCH_CTRL, 2, 0x00C0);           /* GGMS=3 (8 MiB GGTT), GMS=0 (no stolen) */
    put(c, BSM, 4, 0);
    put(v->cfg_wmask, ASLS, 4, 0xFFFFFFFF); /* OpRegion address, written by hvmloader */

    /* MSI: 32-bit address, one vector. */
    c[CAP_MSI] = 0x05;
    c[CAP_MSI + 1] = CAP_PM;
    put(v->cfg_wmask, MSI_CTRL, 2, 0x0001);
    put(v->cfg_wmask, MSI_ADDR, 4, 0xFFFFFFFC);
    put(v->cfg_wmask, MSI_DATA, 2, 0xFFFF);
    /* Power management, D0/D3hot. */
    c[CAP_PM] = 0x01;
    put(c, CAP_PM + 2, 2, 0x0022);
    put(v->cfg_wmask, CAP_PM + 4, 2, 0x0003);
}

static bool bar_is_64(const struct vgt_vgpu *v, int bar)
{
    return (v->cfg[PCI_BAR0 + 4 * bar] & 0x7) == 0x4;
}

void sw_pci_get_bars(struct vgt_vgpu *v, struct vgt_bar bars[VGT_NR_BARS])
{
    uint16_t cmd = (uint16_t)get(v->cfg, PCI_COMMAND, 2);

    memset(bars, 0, sizeof(*bars) * VGT_NR_BARS);
    for (int i = 0; i < VGT_NR_BARS; i++) {
        struct vgt_bar *b = &bars[i];
        unsigned off = PCI_BAR0 + 4 * (unsigned)i;
        uint32_t lo, lo_mask;
        bool sizing;

        if (!v->bar_size[i])
            continue;
        b->present = true;
        b->size = v->bar_size[i];
        lo = get(v->cfg, off, 4);
        lo_mask = get(v->cfg_wmask, off, 4);
        b->is_io = lo & 1;
        b->is_64bit = !b->is_io && bar_is_64(v, i);
        b->prefetchable = !b->is_io && (lo & 0x8);
        b->addr = lo & lo_mask;
        sizing = lo_mask && (lo & lo_mask) == lo_mask;
        if (b->is_64bit) {
            uint32_t hi = get(v->cfg, off + 4, 4);
            b->addr |= (uint64_t)hi << 32;
            sizing = sizing || hi == 0xFFFFFFFF;
        }
        /* Decoding counts only with a real address: Linux disables decode while
         * sizing, but a guest might not, and an all-ones BAR maps nothing. */
        b->decode = !sizing && b->addr != 0 &&
                    (cmd & (b->is_io ? PCI_CMD_IO : PCI_CMD_MEM));
        if (i == VGT_BAR_MMIO) {
            b->n_regions = 2;
            b->regions[0] = (struct vgt_region){ 0, SW_GGTT_OFF, VGT_REGION_TRAPPED };
            b->regions[1] = (struct vgt_region){ SW_GGTT_OFF, SW_GGTT_SIZE, VGT_REGION_MEMORY };
        } else {
            b->n_regions = 1;
            b->regions[0] = (struct vgt_region){ 0, b->size, VGT_REGION_TRAPPED };
        }
    }
}

int sw_pci_read(struct vgt_vgpu *v, uint32_t reg, unsigned size, uint32_t *val)
{
    if ((size != 1 && size != 2 && size != 4) || reg >= 0x1000 || reg + size > 0x1000) {
        *val = 0xFFFFFFFF;
        sw_refuse(v, VGT_STAT_BAD_ACCESS, "config read at 0x%x size %u", reg, size);
        return -EINVAL;
    }
    /* Extended config space (0x100..0xFFF) exists but holds nothing. */
    *val = 0;
    for (unsigned i = 0; i < size; i++)
        if (reg + i < sizeof(v->cfg))
            *val |= (uint32_t)v->cfg[reg + i] << (8 * i);
    return 0;
}

static bool bar_state_differs(const struct vgt_bar *a, const struct vgt_bar *b)
{
    if (a->decode != b->decode)
        return true;
    return a->decode && a->addr != b->addr;
}

int sw_pci_write(struct vgt_vgpu *v, uint32_t reg, unsigned size, uint32_t val)
{
    struct vgt_bar before[VGT_NR_BARS], after[VGT_NR_BARS];
    uint32_t asls;

    if ((size != 1 && size != 2 && size != 4) || reg >= 0x1000 || reg + size > 0x1000) {
        sw_refuse(v, VGT_STAT_BAD_ACCESS, "config write at 0x%x size %u", reg, size);
        return -EINVAL;
    }
    sw_pci_get_bars(v, before);
    asls = get(v->cfg, ASLS, 4);
    for (unsigned i = 0; i < size; i++) {
        unsigned r = reg + i;
        uint8_t b = (uint8_t)(val >> (8 * i)), m;

        if (r >= sizeof(v->cfg))
            continue;
        m = v->cfg_wmask[r];
        v->cfg[r] = (uint8_t)((v->cfg[r] & ~m) | (b & m));
    }
    sw_pci_get_bars(v, after);
    for (int i = 0; i < VGT_NR_BARS; i++)
        if (after[i].present && bar_state_differs(&before[i], &after[i]) &&
            v->host && v->host->bar_changed)
            v->host->bar_changed(v->host_opaque, i, &before[i], &after[i]);
    if (get(v->cfg, ASLS, 4) != asls && v->host && v->host->asls_changed)
        v->host->asls_changed(v->host_opaque, get(v->cfg, ASLS, 4));
    /* Enabling MSI or bus mastering may let a pending interrupt through. */
    if (reg < MSI_DATA + 2 && reg + size > PCI_COMMAND)
        sw_irq_update(v);
    return 0;
}

/* The MSI the guest programmed, if it may be sent now. */
bool sw_pci_msi(struct vgt_vgpu *v, uint64_t *addr, uint32_t *data)
{
    if (!(get(v->cfg, MSI_CTRL, 2) & 1) || !(get(v->cfg, PCI_COMMAND, 2) & PCI_CMD_MASTER))
        return false;
    *addr = get(v->cfg, MSI_ADDR, 4);
    *data = get(v->cfg, MSI_DATA, 2);
    return true;
}

/* INTx may be asserted unless the guest set INTX_DISABLE. */
bool sw_pci_intx_enabled(struct vgt_vgpu *v)
{
    return !(get(v->cfg, PCI_COMMAND, 2) & (1u << 10));
}

/* Status bit 3 shows a pending INTx, as on hardware. */
void sw_pci_set_intx_status(struct vgt_vgpu *v, bool level)
{
    v->cfg[0x06] = (uint8_t)((v->cfg[0x06] & ~0x08) | (level ? 0x08 : 0));
}
