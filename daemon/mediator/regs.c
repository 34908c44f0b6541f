/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The MMIO register file: one dword of state per register over the whole MMIO
 * range, boot values and kinds from the generation's register table.  The kinds
 * are general mechanisms (write mask, masked, write-1-to-clear, mirrored state
 * bits, self-clearing) plus a few handlers for registers with side effects.
 *
 * An access of any size (1..8) and alignment is split into the dwords it
 * touches, each with a byte mask, so every access has one defined meaning.
 */
#include <stdlib.h>
#include <string.h>
#include "daemon/mediator/swmodel.h"

/* The common table, then the generation's own (its entries win). */
static int build_table(struct vgt_vgpu *v)
{
    const struct sw_reg_table *gen;

    switch (v->p.profile->gen) {
    case 8: gen = &sw_regs_gen8; break;
    case 9: gen = &sw_regs_gen9; break;
    default: return -EOPNOTSUPP;
    }
    v->table_len = sw_regs_common.n + gen->n;
    v->table = malloc(v->table_len * sizeof(*v->table));
    if (!v->table)
        return -ENOMEM;
    memcpy(v->table, sw_regs_common.defs, sw_regs_common.n * sizeof(*v->table));
    memcpy(v->table + sw_regs_common.n, gen->defs, gen->n * sizeof(*v->table));
    return 0;
}

int sw_regs_init(struct vgt_vgpu *v)
{
    int r = build_table(v);

    if (r < 0)
        return r;
    v->def = calloc(SW_NR_REGS, sizeof(*v->def));
    if (!v->def)
        return -ENOMEM;
    /* Later entries override earlier ones (a block default, then its exceptions). */
    for (unsigned i = 0; i < v->table_len; i++) {
        const struct sw_reg_def *d = &v->table[i];
        unsigned n = d->count ? d->count : 1;

        for (unsigned k = 0; k < n; k++) {
            uint64_t off = d->offset + (uint64_t)k * d->stride;
            if (off + 4 <= SW_MMIO_SIZE && !(off & 3))
                v->def[off >> 2] = (uint16_t)(i + 1);
        }
    }
    return 0;
}

void sw_regs_dispose(struct vgt_vgpu *v)
{
    free(v->def);
    free(v->table);
    v->def = NULL;
    v->table = NULL;
}

/* Boot values of the table's registers; only_const: just the constant ones. */
static void boot_values(struct vgt_vgpu *v, bool only_const)
{
    for (unsigned i = 0; i < v->table_len; i++) {
        const struct sw_reg_def *d = &v->table[i];
        unsigned n = d->count ? d->count : 1;

        if (only_const && !(d->flags & SW_RF_CONST))
            continue;
        for (unsigned k = 0; k < n; k++) {
            uint64_t off = d->offset + (uint64_t)k * d->stride;
            if (off + 4 <= SW_MMIO_SIZE && v->def[off >> 2] == i + 1)
                v->s->regs[off >> 2] = d->init;
        }
    }
}

void sw_regs_reset(struct vgt_vgpu *v, bool fresh)
{
    /* A fresh state is still zero from calloc: not touching it keeps creation cheap
     * (the pages of unused registers are never faulted in). */
    if (!fresh)
        memset(v->s->regs, 0, sizeof(v->s->regs));
    boot_values(v, false);
}

/* A predecessor's register file: what no guest write can change is ours again. */
void sw_regs_resume(struct vgt_vgpu *v)
{
    boot_values(v, true);
}

/* State bits that follow request bits, in the same register or another one
 * (a status register next to its control register). */
static uint32_t mirror(struct vgt_vgpu *v, const struct sw_reg_def *d, uint32_t off, uint32_t val)
{
    uint32_t src = d->mirror_src, dst, bits, *target = &val;
    uint64_t to = (uint64_t)off + (int64_t)d->mirror_to;

    if (!src)
        return val;
    bits = (d->flags & SW_RF_MIRROR_INV) ? ~val & src : val & src;
    if (d->mirror_shift >= 0) {
        dst = src >> d->mirror_shift;
        bits >>= d->mirror_shift;
    } else {
        dst = src << -d->mirror_shift;
        bits <<= -d->mirror_shift;
    }
    if (d->mirror_to) {
        if (to + 4 > SW_MMIO_SIZE)
            return val;
        target = &v->s->regs[to >> 2];
    }
    *target = (*target & ~dst) | bits;
    return val;
}

/* The pcode mailbox answers at once: READY and the error field clear. */
static void pcode_command(struct vgt_vgpu *v, uint32_t mbox)
{
    uint32_t data = sw_reg(v, R_PCODE_DATA);

    switch (mbox & 0xFF) {
    case 0x06:      /* GEN9_PCODE_READ_MEM_LATENCY: two sets, chosen by DATA (GVT's SKL values) */
        data = data ? 0x61514B3D : 0x1E1A1100;
        break;
    case 0x07:      /* SKL_PCODE_CDCLK_CONTROL: ready for change */
    case 0x21:      /* SKL_PCODE_SAGV_CONTROL: SAGV disabled */
        data = 1;
        break;
    default:
        data = 0;
        break;
    }
    sw_reg_set(v, R_PCODE_DATA, data);
    sw_reg_set(v, R_PCODE_DATA1, 0);
    sw_reg_set(v, R_PCODE_MAILBOX, 0);
}

static uint32_t reg_read(struct vgt_vgpu *v, uint32_t off)
{
    unsigned i = off >> 2;
    const struct sw_reg_def *d;

    if (!v->def[i])
        return v->s->regs[i];
    d = &v->table[v->def[i] - 1];
    switch (d->handler) {
    case SW_H_MASTER_IRQ:
        return sw_irq_master_read(v);
    case SW_H_GMBUS:
        return sw_gmbus_read(v, off, v->s->regs[i]);
    case SW_H_FENCE:
        return sw_fence_guest_visible(v, off) ? v->s->regs[i] : 0;
    case SW_H_COUNTER:
        return v->s->regs[i] = (v->s->regs[i] + 1) & (d->wmask ? d->wmask : 0xFFFFFFFF);
    default:
        return v->s->regs[i];
    }
}

/* Store phase of a write: the register kinds.  Returns false if refused. */
static bool reg_store(struct vgt_vgpu *v, uint32_t off, uint32_t val, uint32_t bm)
{
    unsigned i = off >> 2;
    uint32_t old = v->s->regs[i], new;
    const struct sw_reg_def *d;

    if (!v->def[i]) {
        v->s->regs[i] = (old & ~bm) | (val & bm);
        return true;
    }
    d = &v->table[v->def[i] - 1];
    if (d->handler == SW_H_FENCE && !sw_fence_guest_visible(v, off))
        return false;   /* not the guest's fence: counted once per access by the caller */
    if (d->flags & SW_RF_MASKED) {
        /* Only bits whose select bit was written in this access change. */
        uint32_t sel = (val & bm) >> 16 & d->wmask & 0xFFFF;
        new = (old & ~sel) | (val & sel);
    } else {
        uint32_t wr = bm & d->wmask & ~d->w1c;
        new = (old & ~wr) | (val & wr);
        new &= ~(val & bm & d->w1c);
    }
    v->s->regs[i] = mirror(v, d, off, new);
    return true;
}

/* Effect phase: side effects, once every dword of the access is stored (an
 * 8-byte fence write is checked as a whole). */
static bool reg_effect(struct vgt_vgpu *v, uint32_t off, uint32_t val, uint32_t old)
{
    unsigned i = off >> 2;
    const struct sw_reg_def *d;
    bool ok = true;

    if (!v->def[i])
        return true;
    d = &v->table[v->def[i] - 1];
    switch (d->handler) {
    case SW_H_MASTER_IRQ:
    case SW_H_IRQ:
        sw_irq_update(v);
        break;
    case SW_H_PCODE:
        if (v->s->regs[i] & (1u << 31))
            pcode_command(v, v->s->regs[i]);
        break;
    case SW_H_GMBUS:
        sw_gmbus_write(v, off, val);
        break;
    case SW_H_AUX_CTL:
        if (v->s->regs[i] & (1u << 31))
            sw_aux_write(v, off);
        break;
    case SW_H_PVINFO:
        sw_pvinfo_write(v, off, old);
        break;
    case SW_H_FENCE:
        ok = sw_fence_write(v, off, old);
        break;
    case SW_H_ELSP:
        sw_elsp_write(v, off, v->s->regs[i]);
        break;
    case SW_H_GGTT_FLUSH:
        if (v->host && v->host->ggtt_flushed)
            v->host->ggtt_flushed(v->host_opaque);
        break;
    default:
        break;
    }
    if (d->flags & SW_RF_SELFCLEAR)
        v->s->regs[i] &= ~d->wmask;
    return ok;
}

/* Split [off, off+size) into dwords; value bytes are little-endian. */
static int mmio_access(struct vgt_vgpu *v, uint64_t off, unsigned size, uint64_t *val, bool write)
{
    struct { uint32_t dw, val, old; bool stored; } w[3];   /* 8 bytes touch at most 3 dwords */
    unsigned nw = 0;
    uint64_t out = 0;
    bool refused = false;

    for (unsigned done = 0; done < size;) {
        uint64_t a = off + done;
        unsigned b = a & 3, n = 4 - b < size - done ? 4 - b : size - done;
        uint32_t bm = (n == 4 ? 0xFFFFFFFFu : (1u << (8 * n)) - 1) << (8 * b);
        uint32_t dw = (uint32_t)(a & ~3ull);

        if (write) {
            uint32_t x = ((uint32_t)(*val >> (8 * done)) << (8 * b)) & bm;
            w[nw] = (typeof(w[0])){ dw, x, v->s->regs[dw >> 2], false };
            w[nw].stored = reg_store(v, dw, x, bm);
            nw++;
        } else {
            out |= (uint64_t)((reg_read(v, dw) & bm) >> (8 * b)) << (8 * done);
        }
        done += n;
    }
    for (unsigned k = 0; k < nw; k++) {
        if (!w[k].stored) {
            if (!refused)
                sw_refuse(v, VGT_STAT_FENCE_REFUSED, "write to fence register 0x%x beyond the guest's %u",
                          w[k].dw, v->p.part.fence_count);
            refused = true;
        } else if (!reg_effect(v, w[k].dw, w[k].val, w[k].old)) {
            refused = true;
        }
    }
    if (!write)
        *val = out;
    return refused ? -ERANGE : 0;   /* a refused write is dropped (or stored invalid) */
}

int sw_mmio_read(struct vgt_vgpu *v, uint64_t off, unsigned size, uint64_t *val)
{
    if (size < 1 || size > 8 || off >= SW_MMIO_SIZE || off + size > SW_MMIO_SIZE) {
        *val = ~0ull;
        sw_refuse(v, VGT_STAT_BAD_ACCESS, "MMIO read at 0x%llx size %u",
                  (unsigned long long)off, size);
        return -ERANGE;
    }
    return mmio_access(v, off, size, val, false);
}

int sw_mmio_write(struct vgt_vgpu *v, uint64_t off, unsigned size, uint64_t val)
{
    if (size < 1 || size > 8 || off >= SW_MMIO_SIZE || off + size > SW_MMIO_SIZE) {
        sw_refuse(v, VGT_STAT_BAD_ACCESS, "MMIO write at 0x%llx size %u",
                  (unsigned long long)off, size);
        return -ERANGE;
    }
    return mmio_access(v, off, size, &val, true);
}
