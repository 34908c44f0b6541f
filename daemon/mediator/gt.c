/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Execlist submission, completed at once.  The guest i915 submits contexts by
 * four writes to an engine's ELSP; without an answer it declares the GT wedged.
 * The model "runs" each submitted context synchronously: it walks the context's
 * ring from head to tail, and the batch buffers it starts (global GTT or the
 * context's 4-level PPGTT, chained and second level too), and carries out the
 * commands that write memory or raise interrupts -- MI_STORE_DWORD_IMM,
 * MI_STORE_DWORD_INDEX, MI_FLUSH_DW and PIPE_CONTROL post-sync writes (global
 * GTT, PPGTT or status page), MI_LOAD_REGISTER_IMM, MI_USER_INTERRUPT,
 * MI_BATCH_BUFFER_START/END -- and skips everything else (nothing renders).
 * Then it moves the ring head to the tail in the context image, writes the
 * context status buffer (CSB) entries into the engine's status page (the caps
 * say HWSP_EMULATION) and its registers, and raises the context switch interrupt.
 *
 * All addresses are guest input: GM goes through sw_gm_rw (own partition,
 * present entry), PPGTT tables and pages through the host's guest_read/
 * guest_write (the guest's own RAM only); one ELSP submission (both of its
 * contexts) runs at most MAX_DWORDS command dwords, so a looping batch cannot
 * keep the model busy.  Streams are read 256 bytes at a time (one GGTT or PPGTT
 * translation per chunk, not per dword); a command's write to guest memory that
 * a chunk being run came from drops that chunk, so a stream that rewrites
 * itself is read anew.
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
#define CTX_PDP0_UDW (0x30 + 1)
#define CTX_PDP0_LDW (0x32 + 1)

#define GT_USER_INTERRUPT (1u << 0)
#define GT_CONTEXT_SWITCH (1u << 8)

#define MAX_DWORDS (64u * 1024)     /* per ELSP submission: a hostile ring cannot spin us */

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

#define MAX_BATCH_DEPTH 2       /* ring -> first level -> second level */
#define STREAM_CHUNK 256u       /* bytes of a command stream read at once */

/* A command stream: a ring (GGTT, wraps at size) or a batch buffer (linear, GGTT
 * or PPGTT, ends at MI_BATCH_BUFFER_END). */
struct gt_stream {
    uint64_t base;
    uint32_t size;              /* ring size; 0 for a batch */
    uint64_t pos;
    bool ppgtt;
    uint64_t chunk_tag;         /* the chunk read last: its address + 1, 0: none */
    uint64_t chunk_gpa;         /* where it is in guest memory */
    uint32_t chunk[STREAM_CHUNK / 4];
};

/* One submission being run: its engine, status page, PPGTT and what it raised. */
struct gt_run {
    unsigned e;
    uint64_t hws;               /* status page (GM), 0: none */
    uint64_t pml4;              /* the context's 4-level PPGTT root (guest physical), 0: none */
    uint32_t irq;
    unsigned *budget;           /* dwords left for this ELSP submission (both contexts) */
    struct gt_stream *streams[MAX_BATCH_DEPTH + 1];   /* being run: the ring, its batches */
};

#define PPGTT_ADDR_MASK 0x00007FFFFFFFF000ull   /* bits 12..46, as GGTT entries */
#define PPGTT_PS (1ull << 7)                    /* PDPE: 1 GiB page, PDE: 2 MiB page */
#define PPGTT_IPS (1ull << 11)                  /* PDE: its page table maps 64 KiB pages */

/* PPGTT address -> guest physical, through the guest's own page tables (which are
 * guest RAM: every table read goes through sw_guest_rw, so a table or page outside
 * the guest's memory, or no guest memory at all, ends the walk). */
static int ppgtt_to_gpa(struct vgt_vgpu *v, uint64_t pml4, uint64_t va, uint64_t *gpa)
{
    static const unsigned shift[4] = { 39, 30, 21, 12 };
    uint64_t table = pml4, ent = 0;
    bool ips = false;

    if (!pml4)
        return -ENOENT;
    va &= (1ull << 48) - 1;
    for (unsigned l = 0; l < 4; l++) {
        unsigned idx = (va >> shift[l]) & 0x1FF;
        int r;

        if (l == 3 && ips)
            idx &= ~0xFu;       /* one entry per 64 KiB: every 16th */
        r = sw_guest_rw(v, (table & PPGTT_ADDR_MASK) + 8ull * idx, &ent, 8, false);
        if (r < 0)
            return r;
        if (!(ent & 1))
            return -ENOENT;
        if ((l == 1 || l == 2) && (ent & PPGTT_PS)) {
            uint64_t mask = (1ull << shift[l]) - 1;
            *gpa = (ent & PPGTT_ADDR_MASK & ~mask) | (va & mask);
            return 0;
        }
        if (l == 2)
            ips = ent & PPGTT_IPS;
        table = ent;
    }
    *gpa = ips ? (ent & PPGTT_ADDR_MASK & ~0xFFFFull) | (va & 0xFFFF)
               : (ent & PPGTT_ADDR_MASK) | (va & 0xFFF);
    return 0;
}

/* len bytes (a power of two, 4 to STREAM_CHUNK, aligned) at addr in the global
 * GTT or the context's PPGTT; *where: the guest physical address it went to. */
static int space_rw(struct vgt_vgpu *v, const struct gt_run *run, bool ppgtt, uint64_t addr,
                    void *buf, unsigned len, bool write, uint64_t *where)
{
    uint64_t gpa;
    int r;

    addr &= ~(uint64_t)(len - 1);
    if (!ppgtt)
        return sw_gm_rw_at(v, addr, buf, len, write, where);
    r = ppgtt_to_gpa(v, run->pml4, addr, &gpa);
    return r < 0 ? r : sw_translated_rw(v, gpa, buf, len, write, "PPGTT entry of", addr, where);
}

static int gm_read32(struct vgt_vgpu *v, uint64_t gm, uint32_t *val)
{
    return sw_gm_rw(v, gm & ~3ull, val, 4, false);
}

/* A write a command asks for; outside the partition or without an entry it is
 * refused and counted (an entry pointing outside guest memory is counted above). */
static void cmd_write(struct vgt_vgpu *v, struct gt_run *run, bool ppgtt, uint64_t addr,
                      uint64_t val, unsigned len)
{
    uint64_t gpa = 0;
    int r = space_rw(v, run, ppgtt, addr, &val, len, true, &gpa);

    /* a command that rewrites a stream being run: that chunk is read anew */
    for (unsigned i = 0; r == 0 && run && i <= MAX_BATCH_DEPTH; i++) {
        struct gt_stream *st = run->streams[i];
        if (st && st->chunk_tag && gpa < st->chunk_gpa + STREAM_CHUNK && st->chunk_gpa < gpa + len)
            st->chunk_tag = 0;
    }
    if (r < 0 && r != -EFAULT)
        sw_refuse(v, VGT_STAT_GGTT_REFUSED, "command write to %s 0x%llx refused",
                  ppgtt ? "PPGTT" : "GM", (unsigned long long)addr);
}

static int stream_dw(struct vgt_vgpu *v, const struct gt_run *run, struct gt_stream *s,
                     unsigned i, uint32_t *val)
{
    uint64_t off = s->size ? (s->pos + 4ull * i) % s->size : s->pos + 4ull * i;
    uint64_t addr = s->base + off, chunk = addr & ~(uint64_t)(STREAM_CHUNK - 1);

    if (s->chunk_tag != chunk + 1) {
        int r = space_rw(v, run, s->ppgtt, chunk, s->chunk, STREAM_CHUNK, false, &s->chunk_gpa);
        if (r < 0) {
            s->chunk_tag = 0;
            return r;
        }
        s->chunk_tag = chunk + 1;
    }
    *val = s->chunk[(addr & (STREAM_CHUNK - 1)) / 4];
    return 0;
}

/* Runs the stream until its end (ring: pos reaches tail; batch: BB_END), an
 * unreadable command or the budget; returns false on the latter two. */
static bool run_stream(struct vgt_vgpu *v, struct gt_run *run, struct gt_stream *s, uint64_t tail,
                       unsigned depth);

static bool run_commands(struct vgt_vgpu *v, struct gt_run *run, struct gt_stream *s, uint64_t tail,
                         unsigned depth)
{
    uint32_t dw[6];

    while (*run->budget && (s->size == 0 || s->pos != tail)) {
        uint32_t cmd, len, client, op;

        if (stream_dw(v, run, s, 0, &cmd) < 0)
            return false;
        client = cmd >> 29;
        op = (cmd >> 23) & 0x3F;
        if (client == 0)
            len = op < 0x10 ? 1 : (cmd & 0xFF) + 2;
        else if (client == 3 && ((cmd >> 27) & 3) == 1 && ((cmd >> 24) & 7) <= 1)
            len = 1;        /* single-dword GFXPIPE: PIPELINE_SELECT, 3DSTATE_VF_STATISTICS */
        else if (client == 2 || client == 3)
            len = (cmd & 0xFF) + 2;
        else
            len = 1;
        if (len > *run->budget)
            return false;
        memset(dw, 0, sizeof(dw));
        dw[0] = cmd;
        for (unsigned i = 1; i < len && i < 6; i++)
            if (stream_dw(v, run, s, i, &dw[i]) < 0)
                return false;
        *run->budget -= len;
        if (client == 0) {
            bool global = cmd & (1u << 22);
            switch (op) {
            case 0x02:                                  /* MI_USER_INTERRUPT */
                run->irq |= GT_USER_INTERRUPT;
                break;
            case 0x0A:                                  /* MI_BATCH_BUFFER_END */
                if (!s->size)
                    return true;
                break;
            case 0x20:                                  /* MI_STORE_DWORD_IMM */
                if (len >= 4)
                    cmd_write(v, run, !global, dw[1] | (uint64_t)dw[2] << 32,
                              len >= 5 ? dw[3] | (uint64_t)dw[4] << 32 : dw[3], len >= 5 ? 8 : 4);
                break;
            case 0x21:                                  /* MI_STORE_DWORD_INDEX */
                if (run->hws)
                    cmd_write(v, run, false, run->hws + (dw[1] & 0xFFC), dw[2], 4);
                break;
            case 0x22:                                  /* MI_LOAD_REGISTER_IMM */
                for (unsigned i = 1; i + 1 < len; i += 2) {
                    uint32_t reg, val;
                    if (stream_dw(v, run, s, i, &reg) < 0 || stream_dw(v, run, s, i + 1, &val) < 0)
                        break;
                    /* exactly what an MMIO write of the guest may do */
                    sw_mmio_write(v, reg & 0x7FFFFC, 4, val);
                }
                break;
            case 0x26:                                  /* MI_FLUSH_DW */
                if ((cmd & (3u << 14)) == (1u << 14) && len >= 4) {
                    if (cmd & (1u << 21))               /* store index */
                        cmd_write(v, run, false, run->hws + (dw[1] & 0xFF8), dw[3], 4);
                    else                                /* bit 2: global GTT, else PPGTT */
                        cmd_write(v, run, !(dw[1] & (1u << 2)), (dw[1] & ~7u) | (uint64_t)dw[2] << 32,
                                  dw[3], 4);
                }
                break;
            case 0x31:                                  /* MI_BATCH_BUFFER_START */
                if (len >= 3) {
                    uint64_t start = (dw[1] & ~3u) | (uint64_t)dw[2] << 32;
                    bool ppgtt = cmd & (1u << 8);
                    if (s->size == 0 && !(cmd & (1u << 22))) {
                        /* chained: this batch goes on there */
                        s->base = start;
                        s->pos = 0;
                        s->ppgtt = ppgtt;
                        s->chunk_tag = 0;
                        continue;
                    }
                    if (depth < MAX_BATCH_DEPTH) {
                        struct gt_stream b = { .base = start, .ppgtt = ppgtt };
                        if (!run_stream(v, run, &b, 0, depth + 1) && !*run->budget)
                            return false;
                    }
                }
                break;
            default:
                break;
            }
        } else if (client == 3 && ((cmd >> 16) & 0x1FFF) == 0x1A00 && len >= 6) {   /* PIPE_CONTROL */
            if (((dw[1] >> 14) & 3) == 1) {             /* post-sync: write immediate data */
                uint64_t addr = dw[2] | (uint64_t)dw[3] << 32;
                uint64_t data = dw[4] | (uint64_t)dw[5] << 32;
                if (dw[1] & (1u << 21))                 /* store data index */
                    cmd_write(v, run, false, run->hws + (addr & 0xFF8), data, 8);
                else                                    /* bit 24: global GTT, else PPGTT */
                    cmd_write(v, run, !(dw[1] & (1u << 24)), addr & ~7ull, data, 8);
            }
        }
        s->pos = s->size ? (s->pos + 4ull * len) % s->size : s->pos + 4ull * len;
    }
    return s->size != 0 && s->pos == tail;
}

/* A stream being run is known to the run: writes to its chunk drop the chunk. */
static bool run_stream(struct vgt_vgpu *v, struct gt_run *run, struct gt_stream *s, uint64_t tail,
                       unsigned depth)
{
    bool done;

    run->streams[depth] = s;
    done = run_commands(v, run, s, tail, depth);
    run->streams[depth] = NULL;
    return done;
}

/* Run one context (descriptor lower dword = LRCA | flags): returns the irq bits. */
static uint32_t run_context(struct vgt_vgpu *v, unsigned e, uint32_t desc, unsigned *budget)
{
    uint64_t state = (uint64_t)(desc & 0xFFFFF000u) + LRC_STATE_OFFSET;
    uint32_t head, tail, start, ctl, size, pdp_lo = 0, pdp_hi = 0;
    struct gt_run run = { .e = e, .budget = budget,
                          .hws = sw_reg(v, engines[e].base + HWS_PGA) & ~4095u };
    struct gt_stream ring;

    if (gm_read32(v, state + 4 * CTX_RING_HEAD, &head) < 0 ||
        gm_read32(v, state + 4 * CTX_RING_TAIL, &tail) < 0 ||
        gm_read32(v, state + 4 * CTX_RING_START, &start) < 0 ||
        gm_read32(v, state + 4 * CTX_RING_CTL, &ctl) < 0) {
        sw_log(v, 7, "engine %u: context 0x%x unreadable", e, desc);
        return 0;
    }
    /* a 4-level PPGTT (addressing mode 3): its root is in PDP0 */
    if (((desc >> 3) & 3) == 3 && gm_read32(v, state + 4 * CTX_PDP0_LDW, &pdp_lo) == 0 &&
        gm_read32(v, state + 4 * CTX_PDP0_UDW, &pdp_hi) == 0)
        run.pml4 = ((uint64_t)pdp_hi << 32 | pdp_lo) & PPGTT_ADDR_MASK;
    size = (ctl & 0x001FF000u) + 4096;
    head &= 0x001FFFFCu;
    tail &= 0x001FFFFCu;
    if (head >= size || tail >= size)
        return 0;
    ring = (struct gt_stream){ .base = start & 0xFFFFF000u, .size = size, .pos = head };
    run_stream(v, &run, &ring, tail, 0);
    cmd_write(v, &run, false, state + 4 * CTX_RING_HEAD, tail, 4);   /* idle at its tail */
    return run.irq;
}

static void gm_write(struct vgt_vgpu *v, uint64_t gm, uint64_t val, unsigned len)
{
    cmd_write(v, NULL, false, gm, val, len);
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
    unsigned budget = MAX_DWORDS;

    for (e = 0; e < SW_NR_ENGINES && engines[e].base + ELSP != off; e++)
        ;
    if (e == SW_NR_ENGINES)
        return;
    if (v->gt_running) {            /* an LRI to ELSP from a ring: no recursion */
        sw_refuse(v, VGT_STAT_BAD_ACCESS, "ELSP written by a command of a running context");
        return;
    }
    en = &v->s->engines[e];
    en->elsp[en->n_elsp++] = val;
    if (en->n_elsp < 4)
        return;
    en->n_elsp = 0;
    if (!(en->elsp[3] & 1))
        return;                     /* element 0 not valid: nothing submitted */
    v->gt_running = true;
    csb_push(v, e, CTX_STATUS_IDLE_ACTIVE, en->elsp[2]);
    irq |= run_context(v, e, en->elsp[3], &budget);
    if (en->elsp[1] & 1) {
        csb_push(v, e, CTX_STATUS_ELEMENT_SWITCH | CTX_STATUS_COMPLETE, en->elsp[2]);
        irq |= run_context(v, e, en->elsp[1], &budget);
        csb_push(v, e, CTX_STATUS_ACTIVE_IDLE | CTX_STATUS_COMPLETE, en->elsp[0]);
    } else {
        csb_push(v, e, CTX_STATUS_ACTIVE_IDLE | CTX_STATUS_COMPLETE, en->elsp[2]);
    }
    v->gt_running = false;
    sw_irq_latch(v, engines[e].unit, (irq | GT_CONTEXT_SWITCH) << engines[e].shift);
}

void sw_gt_reset(struct vgt_vgpu *v)
{
    memset(v->s->engines, 0, sizeof(v->s->engines));
}

/* A predecessor's submissions in progress: an index beyond the port is dropped. */
void sw_gt_resume(struct vgt_vgpu *v)
{
    for (unsigned e = 0; e < SW_NR_ENGINES; e++)
        if (v->s->engines[e].n_elsp >= 4)
            v->s->engines[e].n_elsp = 0;
}
