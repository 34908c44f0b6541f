/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Execlist submission, completed at once.  The guest i915 submits contexts by
 * four writes to an engine's ELSP; without an answer it declares the GT wedged.
 * The model "runs" each submitted context synchronously: it walks the context's
 * ring from head to tail and carries out the commands whose effects the driver
 * waits for -- the breadcrumb writes (MI_STORE_DWORD_IMM, MI_FLUSH_DW and
 * PIPE_CONTROL post-sync writes into the global GTT, or into the status page by
 * index), MI_LOAD_REGISTER_IMM and MI_USER_INTERRUPT -- and skips everything
 * else, batch buffers included (nothing renders).  Then it moves the ring head
 * to the tail in the context image, writes the context status buffer (CSB)
 * entries into the engine's status page (the caps say HWSP_EMULATION) and its
 * registers, and raises the context switch interrupt.
 *
 * All addresses are guest input: every access goes through sw_gm_rw (own
 * partition, present entry, the host's guest_read/guest_write).
 */
#include <string.h>
#include "daemon/mediator/swmodel.h"

#define ELSP 0x230
#define HWS_PGA 0x80
#define CSB_BUF 0x370
#define CSB_PTR 0x3A0
#define CSB_ENTRIES 6
#define HWS_CSB_BUF0_INDEX 0x10     /* dwords into the status page */
#define HWS_CSB_WRITE_INDEX 0x1F

#define CTX_STATUS_IDLE_ACTIVE (1u << 0)
#define CTX_STATUS_ELEMENT_SWITCH (1u << 2)
#define CTX_STATUS_ACTIVE_IDLE (1u << 3)
#define CTX_STATUS_COMPLETE (1u << 4)

/* Register state page of a logical ring context (dword index of the values). */
#define LRC_STATE_OFFSET 4096
#define CTX_RING_HEAD (0x04 + 1)
#define CTX_RING_TAIL (0x06 + 1)
#define CTX_RING_START (0x08 + 1)
#define CTX_RING_CTL (0x0a + 1)

#define GT_USER_INTERRUPT (1u << 0)
#define GT_CONTEXT_SWITCH (1u << 8)

#define MAX_DWORDS (64u * 1024)     /* per submission: a hostile ring cannot spin us */

static const struct {
    uint32_t base;
    enum sw_irq_unit unit;
    unsigned shift;
} engines[SW_NR_ENGINES] = {
    { 0x2000, SW_IRQ_GT0, 0 },      /* RCS */
    { 0x22000, SW_IRQ_GT0, 16 },    /* BCS */
    { 0x12000, SW_IRQ_GT1, 0 },     /* VCS */
    { 0x1C000, SW_IRQ_GT1, 16 },    /* VCS2 */
    { 0x1A000, SW_IRQ_GT3, 0 },     /* VECS */
};

static int gm_read32(struct vgt_vgpu *v, uint64_t gm, uint32_t *val)
{
    return sw_gm_rw(v, gm & ~3ull, val, 4, false);
}

/* A write a command asks for; outside the partition or without an entry it is
 * refused and counted (an entry pointing outside guest memory is counted above). */
static void gm_write(struct vgt_vgpu *v, uint64_t gm, uint64_t val, unsigned len)
{
    int r = sw_gm_rw(v, gm & ~(uint64_t)(len - 1), &val, len, true);

    if (r < 0 && r != -EFAULT)
        sw_refuse(v, VGT_STAT_GGTT_REFUSED, "command write to GM 0x%llx refused",
                  (unsigned long long)gm);
}

/* The commands of one context's ring; returns the GT interrupt bits raised. */
static uint32_t run_ring(struct vgt_vgpu *v, unsigned e, uint64_t start, uint32_t size,
                         uint32_t head, uint32_t tail)
{
    uint64_t hws = sw_reg(v, engines[e].base + HWS_PGA) & ~4095u;
    uint32_t irq = 0, dw[6];
    unsigned budget = MAX_DWORDS;

    while (head != tail && budget) {
        uint32_t cmd, len, client, op;

        if (gm_read32(v, start + head, &cmd) < 0)
            break;
        client = cmd >> 29;
        op = (cmd >> 23) & 0x3F;
        if (client == 0)
            len = op < 0x10 ? 1 : (cmd & 0xFF) + 2;
        else if (client == 2 || client == 3)
            len = (cmd & 0xFF) + 2;
        else
            len = 1;
        if (len > budget)
            break;
        memset(dw, 0, sizeof(dw));
        dw[0] = cmd;
        for (unsigned i = 1; i < len && i < 6; i++)
            if (gm_read32(v, start + (head + 4 * i) % size, &dw[i]) < 0)
                return irq;
        if (client == 0) {
            switch (op) {
            case 0x02:                                  /* MI_USER_INTERRUPT */
                irq |= GT_USER_INTERRUPT;
                break;
            case 0x20:                                  /* MI_STORE_DWORD_IMM */
                if (cmd & (1u << 22))                   /* global GTT */
                    gm_write(v, dw[1] | (uint64_t)dw[2] << 32, len >= 5 ? dw[3] | (uint64_t)dw[4] << 32 : dw[3],
                             len >= 5 ? 8 : 4);
                break;
            case 0x21:                                  /* MI_STORE_DWORD_INDEX */
                if (hws)
                    gm_write(v, hws + (dw[1] & 0xFFC), dw[2], 4);
                break;
            case 0x22:                                  /* MI_LOAD_REGISTER_IMM */
                for (unsigned i = 1; i + 1 < len; i += 2) {
                    uint32_t pair[2];
                    if (gm_read32(v, start + (head + 4 * i) % size, &pair[0]) < 0 ||
                        gm_read32(v, start + (head + 4 * i + 4) % size, &pair[1]) < 0)
                        break;
                    /* exactly what an MMIO write of the guest may do */
                    sw_mmio_write(v, pair[0] & 0x7FFFFC, 4, pair[1]);
                }
                break;
            case 0x26:                                  /* MI_FLUSH_DW */
                if ((cmd & (3u << 14)) == (1u << 14) && len >= 4) {
                    if (cmd & (1u << 21))               /* store index */
                        gm_write(v, hws + (dw[1] & 0xFF8), dw[3], 4);
                    else if (dw[1] & (1u << 2))         /* global GTT */
                        gm_write(v, (dw[1] & ~7u) | (uint64_t)dw[2] << 32, dw[3], 4);
                }
                break;
            default:
                break;
            }
        } else if (client == 3 && ((cmd >> 16) & 0x1FFF) == 0x1A00 && len >= 6) {   /* PIPE_CONTROL */
            if (((dw[1] >> 14) & 3) == 1) {             /* post-sync: write immediate data */
                uint64_t addr = dw[2] | (uint64_t)dw[3] << 32;
                uint64_t data = dw[4] | (uint64_t)dw[5] << 32;
                unsigned n = 8;                         /* a qword, as i915 expects */
                if (dw[1] & (1u << 21))                 /* store data index */
                    gm_write(v, hws + (addr & 0xFF8), data, n);
                else if (dw[1] & (1u << 24))            /* global GTT */
                    gm_write(v, addr & ~7ull, data, n);
            }
        }
        budget -= len;
        head = (head + 4 * len) % size;
    }
    return irq;
}

/* Run one context (descriptor lower dword = LRCA | flags): returns the irq bits. */
static uint32_t run_context(struct vgt_vgpu *v, unsigned e, uint32_t desc)
{
    uint64_t state = (uint64_t)(desc & 0xFFFFF000u) + LRC_STATE_OFFSET;
    uint32_t head, tail, start, ctl, size, irq;

    if (gm_read32(v, state + 4 * CTX_RING_HEAD, &head) < 0 ||
        gm_read32(v, state + 4 * CTX_RING_TAIL, &tail) < 0 ||
        gm_read32(v, state + 4 * CTX_RING_START, &start) < 0 ||
        gm_read32(v, state + 4 * CTX_RING_CTL, &ctl) < 0) {
        sw_log(v, 7, "engine %u: context 0x%x unreadable", e, desc);
        return 0;
    }
    size = (ctl & 0x001FF000u) + 4096;
    head &= 0x001FFFFCu;
    tail &= 0x001FFFFCu;
    if (head >= size || tail >= size)
        return 0;
    irq = run_ring(v, e, start & 0xFFFFF000u, size, head, tail);
    gm_write(v, state + 4 * CTX_RING_HEAD, tail, 4);   /* the context is idle at its tail */
    return irq;
}

static void csb_push(struct vgt_vgpu *v, unsigned e, uint32_t status, uint32_t ctx_id)
{
    uint32_t base = engines[e].base, ptr = sw_reg(v, base + CSB_PTR);
    /* After a reset the write pointer is 7 (as on hardware): the next entry is 0. */
    uint32_t wp = (ptr & 0x7) >= CSB_ENTRIES - 1 ? 0 : (ptr & 0x7) + 1;
    uint64_t hws = sw_reg(v, base + HWS_PGA) & ~4095u;

    sw_reg_set(v, base + CSB_BUF + 8 * wp, status);
    sw_reg_set(v, base + CSB_BUF + 8 * wp + 4, ctx_id);
    sw_reg_set(v, base + CSB_PTR, (ptr & ~0x7u) | wp);
    if (hws) {
        gm_write(v, hws + 4 * (HWS_CSB_BUF0_INDEX + 2 * wp), status | (uint64_t)ctx_id << 32, 8);
        gm_write(v, hws + 4 * HWS_CSB_WRITE_INDEX, wp, 4);
    }
}

/* The fourth write to ELSP submits: element 1 (upper, lower), element 0 (upper, lower). */
void sw_elsp_write(struct vgt_vgpu *v, uint32_t off, uint32_t val)
{
    unsigned e;
    struct sw_engine *en;
    uint32_t irq = 0;

    for (e = 0; e < SW_NR_ENGINES && engines[e].base + ELSP != off; e++)
        ;
    if (e == SW_NR_ENGINES)
        return;
    if (v->gt_running) {            /* an LRI to ELSP from a ring: no recursion */
        sw_refuse(v, VGT_STAT_BAD_ACCESS, "ELSP written by a command of a running context");
        return;
    }
    en = &v->engines[e];
    en->elsp[en->n_elsp++] = val;
    if (en->n_elsp < 4)
        return;
    en->n_elsp = 0;
    if (!(en->elsp[3] & 1))
        return;                     /* element 0 not valid: nothing submitted */
    v->gt_running = true;
    csb_push(v, e, CTX_STATUS_IDLE_ACTIVE, en->elsp[2]);
    irq |= run_context(v, e, en->elsp[3]);
    if (en->elsp[1] & 1) {
        csb_push(v, e, CTX_STATUS_ELEMENT_SWITCH | CTX_STATUS_COMPLETE, en->elsp[2]);
        irq |= run_context(v, e, en->elsp[1]);
        csb_push(v, e, CTX_STATUS_ACTIVE_IDLE | CTX_STATUS_COMPLETE, en->elsp[0]);
    } else {
        csb_push(v, e, CTX_STATUS_ACTIVE_IDLE | CTX_STATUS_COMPLETE, en->elsp[2]);
    }
    v->gt_running = false;
    sw_irq_latch(v, engines[e].unit, (irq | GT_CONTEXT_SWITCH) << engines[e].shift);
}

void sw_gt_reset(struct vgt_vgpu *v)
{
    memset(v->engines, 0, sizeof(v->engines));
}
