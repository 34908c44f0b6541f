/* Execlist submissions: the context's ring runs at once (breadcrumbs, LRI, user
 * interrupt), the CSB lands in the status page, the context switch interrupt fires. */
#include "tests/unit/test-model.h"

#define GM 0x08010000u                  /* 16 pages of the guest's low GM -> guest RAM 0x400000.. */
#define RAMBASE 0x400000u
#define CTX (GM + 0x0000)               /* PPHWSP + register state page */
#define HWSP (GM + 0x2000)
#define RING (GM + 0x3000)
#define TL (GM + 0x4000)                /* timeline seqnos */
#define CTX2 (GM + 0x6000)              /* a second context, its ring at RING2 */
#define RING2 (GM + 0x8000)

static uint32_t *gm32(struct fake_host *h, uint32_t gm) { return (uint32_t *)(h->ram + RAMBASE + (gm - GM)); }

static void map(struct vgt_vgpu *v)
{
    for (unsigned i = 0; i < 16; i++)
        wr(v, (8u << 20) + (uint64_t)(GM / 4096 + i) * 8, 8, (RAMBASE + 4096ull * i) | 3);
}

static unsigned ring_cmds(struct fake_host *h)
{
    static const uint32_t cmds[] = {
        0x10400002, TL, 0, 41,                          /* MI_STORE_DWORD_IMM, GGTT */
        0x7A000004, (1u << 14) | (1u << 24), TL + 8, 0, 42, 0,  /* PIPE_CONTROL, qword write */
        0x13004002, (TL + 16) | 4, 0, 43,               /* MI_FLUSH_DW, post-sync dword */
        0x11000001, 0x4094, 0x77,                       /* MI_LOAD_REGISTER_IMM */
        0x01000000,                                     /* MI_USER_INTERRUPT */
        0x18800101, 0x1000, 0,                          /* MI_BATCH_BUFFER_START (no PPGTT): skipped */
        0x78000003, 0, 0, 0, 0,                         /* a 3D state command: skipped */
        0x69040303,                                     /* PIPELINE_SELECT: one dword */
        0x680B0001,                                     /* 3DSTATE_VF_STATISTICS: one dword */
        0x10800001, 0xC0, 44,                           /* MI_STORE_DWORD_INDEX: status page +0xC0 */
        0,                                              /* MI_NOOP */
    };
    memcpy(gm32(h, RING), cmds, sizeof(cmds));
    return sizeof(cmds);
}

static void context(struct fake_host *h, uint32_t head, uint32_t tail, uint32_t ring)
{
    uint32_t *st = gm32(h, CTX + 4096);
    st[5] = head;
    st[7] = tail;
    st[9] = ring;
    st[11] = 0x1;                       /* one page, valid */
}

/* CTX2: CTX's register state (PPGTT root included) with its own ring */
static void context2(struct fake_host *h, const uint32_t *cmds, size_t len)
{
    uint32_t *st = gm32(h, CTX2 + 4096);
    memcpy(st, gm32(h, CTX + 4096), 4096);
    memcpy(gm32(h, RING2), cmds, len);
    st[5] = 0;
    st[7] = (uint32_t)len;
    st[9] = RING2;
}

static void submit(struct vgt_vgpu *v, uint32_t base, uint32_t desc1, uint32_t desc0)
{
    wr32(v, base + 0x230, 0);
    wr32(v, base + 0x230, desc1);
    wr32(v, base + 0x230, 0x20);
    wr32(v, base + 0x230, desc0);
}

/* A 4-level PPGTT in guest RAM: PML4 0x600000, PDP 0x601000, PD 0x602000, PT
 * 0x603000; va 0x100000 -> RAM 0x610000 (target), 0x101000 -> 0x611000 (batch),
 * va 0x400000 is a 2 MiB page at RAM 0x800000, va 0x102000 points outside RAM. */
#define PML4 0x600000u
#define TGT 0x610000u
#define BB 0x611000u
static uint64_t *ram64(struct fake_host *h, uint64_t gpa) { return (uint64_t *)(h->ram + gpa); }
static uint32_t *ram32(struct fake_host *h, uint64_t gpa) { return (uint32_t *)(h->ram + gpa); }

static void ppgtt(struct fake_host *h)
{
    *ram64(h, PML4) = 0x601000 | 3;
    *ram64(h, 0x601000) = 0x602000 | 3;
    *ram64(h, 0x602000) = 0x603000 | 3;
    *ram64(h, 0x602000 + 8 * 2) = 0x800000 | 3 | (1u << 7);    /* 2 MiB page */
    *ram64(h, 0x603000 + 8 * 0x100) = TGT | 3;
    *ram64(h, 0x603000 + 8 * 0x101) = BB | 3;
    *ram64(h, 0x603000 + 8 * 0x102) = (uint64_t)(GUEST_RAM + 0x1000) | 3;  /* not guest RAM */
}

static void ppgtt_batches(struct vgt_vgpu *v, struct fake_host *h, uint32_t *hwsp)
{
    static const uint32_t ring[] = {
        0x18800101, 0x101000, 0,                        /* MI_BATCH_BUFFER_START, PPGTT */
        0x10400002, TL + 32, 0, 45,                     /* back in the ring: GGTT seqno */
        0,
    };
    static const uint32_t batch[] = {
        0x10000002, 0x100008, 0, 0xCAFE,               /* MI_STORE_DWORD_IMM, PPGTT */
        0x10000003, 0x400010, 0, 0x11111111, 0x22222222,  /* qword into the 2 MiB page */
        0x18C00101, 0x101800, 0,                        /* second-level batch */
        0x10000002, 0x10000C, 0, 0xD00D,               /* after it returned */
        0x10000002, 0x102000, 0, 0xBAD,                /* page outside guest RAM: refused */
        0x05000000,                                     /* MI_BATCH_BUFFER_END */
        0x10000002, 0x100004, 0, 0xDEAD,               /* never reached */
    };
    static const uint32_t second[] = {
        0x10000002, 0x100010, 0, 0xBEEF,
        0x05000000,
    };
    static const uint32_t loop[] = { 0x18800101, 0x101C00, 0 };   /* chains to itself */
    uint64_t refused = stat(v, VGT_STAT_GGTT_REFUSED);
    uint32_t *st = gm32(h, CTX + 4096), n0;

    ppgtt(h);
    memcpy(gm32(h, RING), ring, sizeof(ring));
    memcpy(ram32(h, BB), batch, sizeof(batch));
    memcpy(ram32(h, BB + 0x800), second, sizeof(second));
    memcpy(ram32(h, BB + 0xC00), loop, sizeof(loop));
    context(h, 0, sizeof(ring), RING);
    st[0x33] = PML4;                    /* CTX_PDP0_LDW: the PML4 */
    st[0x31] = 0;
    n0 = hwsp[0x1F];
    submit(v, 0x2000, 0, CTX | 0x19);   /* addressing mode 3: 4-level */
    is_int(*ram32(h, TGT + 8), 0xCAFE, "batch in the PPGTT: MI_STORE_DWORD_IMM through it");
    ok(*ram32(h, 0x800010) == 0x11111111 && *ram32(h, 0x800014) == 0x22222222,
       "qword store into a 2 MiB page");
    is_int(*ram32(h, TGT + 0x10), 0xBEEF, "second-level batch ran");
    is_int(*ram32(h, TGT + 0xC), 0xD00D, "and the first level went on after it");
    is_int(*ram32(h, TGT + 4), 0, "nothing after MI_BATCH_BUFFER_END");
    ok(stat(v, VGT_STAT_GGTT_REFUSED) == refused + 1, "a PPGTT page outside guest RAM is refused, counted");
    is_int(*gm32(h, TL + 32), 45, "the ring went on after the batch");
    is_int(hwsp[0x1F], (n0 + 2) % 6, "and the submission completed");

    /* a batch that chains to itself: the budget ends it, the submission completes */
    *(uint32_t *)((uint8_t *)gm32(h, RING) + 4) = 0x101C00;
    *gm32(h, TL + 32) = 0;
    context(h, 0, sizeof(ring), RING);
    n0 = hwsp[0x1F];
    submit(v, 0x2000, 0, CTX | 0x19);
    is_int(hwsp[0x1F], (n0 + 2) % 6, "a looping batch: completed within the budget");
    is_int(*gm32(h, TL + 32), 0, "what follows it is not run");
    /* the budget is one per ELSP submission: a looping element 0 leaves none to element 1 */
    {
        static const uint32_t store[] = { 0x10400002, TL + 48, 0, 46, 0 };
        context2(h, store, sizeof(store));
        context(h, 0, sizeof(ring), RING);
        submit(v, 0x2000, CTX2 | 0x19, CTX | 0x19);
        is_int(*gm32(h, TL + 48), 0, "element 1 after a looping element 0: not run (one budget)");
        is_int(hwsp[0x1F], (n0 + 5) % 6, "and the submission completed");
        context2(h, store, sizeof(store));
        submit(v, 0x2000, 0, CTX2 | 0x19);
        is_int(*gm32(h, TL + 48), 46, "the same context alone runs");
    }
    /* legacy 3-level addressing: no PPGTT to walk, the batch is not read */
    *(uint32_t *)((uint8_t *)gm32(h, RING) + 4) = 0x101000;
    *ram32(h, TGT + 8) = 0;
    context(h, 0, sizeof(ring), RING);
    submit(v, 0x2000, 0, CTX | 0x09);
    is_int(*ram32(h, TGT + 8), 0, "mode 1 (32-bit PPGTT): the batch is not run");
    is_int(*gm32(h, TL + 32), 45, "the ring still is");
}

int main(void)
{
    struct fake_host h;
    struct vgt_vgpu *v = test_vgpu(&h);
    unsigned tail;
    uint32_t *hwsp;

    map(v);
    hwsp = gm32(&h, HWSP);
    tail = ring_cmds(&h);
    context(&h, 0, tail, RING);
    M->cfg_write(v, 0x04, 2, 0x0406);
    M->cfg_write(v, 0xB0, 4, 0xFEE00000);
    M->cfg_write(v, 0xAE, 2, 1);
    wr32(v, 0x44304, ~0x01010101u);     /* GT0 IMR: RCS and BCS user + context switch */
    wr32(v, 0x4430C, 0x101);
    wr32(v, 0x44200, 0x80000000);
    wr32(v, 0x2080, HWSP);              /* RING_HWS_PGA */
    wr32(v, 0x23A0, 0xFFFF0505);        /* CSB pointers reset to 5 */
    hwsp[0x1F] = 5;

    submit(v, 0x2000, 0, CTX | 0x19);
    is_int(*gm32(&h, TL), 41, "MI_STORE_DWORD_IMM wrote the seqno");
    is_int(*gm32(&h, TL + 8), 42, "PIPE_CONTROL post-sync write");
    is_int(*gm32(&h, TL + 16), 43, "MI_FLUSH_DW post-sync write");
    is_int(hwsp[0xC0 / 4], 44, "MI_STORE_DWORD_INDEX into the status page");
    is_int(rd32(v, 0x4094), 0x77, "MI_LOAD_REGISTER_IMM applied");
    is_int(gm32(&h, CTX + 4096)[5], tail, "context head moved to its tail");
    is_int(hwsp[0x1F], 1, "CSB write pointer 5 -> 0 -> 1");
    ok(hwsp[0x10] == 1 && hwsp[0x11] == 0x20, "CSB[0]: idle to active, context id");
    ok(hwsp[0x12] == 0x18 && hwsp[0x13] == 0x20, "CSB[1]: complete, active to idle");
    is_int(rd32(v, 0x23A0) & 0x7, 1, "CSB pointer register");
    is_int(rd32(v, 0x2370 + 8), 0x18, "CSB register copy");
    is_int(rd32(v, 0x44308) & 0x101, 0x101, "GT IIR: user interrupt and context switch");
    is_int(h.msis, 1, "MSI sent");

    /* two elements: element 0 then element 1 */
    context(&h, tail, tail, RING);      /* empty ring */
    wr32(v, 0x44308, ~0u);
    submit(v, 0x2000, CTX | 0x19, CTX | 0x19);
    is_int(hwsp[0x1F], 4, "three more CSB entries");
    is_int(hwsp[0x10 + 2 * 3], 0x14, "element switch | complete");
    is_int(hwsp[0x10 + 2 * 4], 0x18, "complete | active to idle");
    is_int(rd32(v, 0x44308), 0x100, "context switch only: no user interrupt this time");

    /* BCS: its bits sit at 16 in GT IIR 0 */
    wr32(v, 0x22080, HWSP + 0x1000);
    wr32(v, 0x44308, ~0u);
    submit(v, 0x22000, 0, CTX | 0x19);
    is_int(rd32(v, 0x44308) & 0x1000000, 0x1000000, "BCS context switch at bit 24");

    /* hostile: a ring outside the partition, an LRI to ELSP, a ring head past its size */
    {
        uint64_t before = stat(v, VGT_STAT_GGTT_REFUSED);
        uint32_t lri_elsp[] = { 0x11000001, 0x2230, 0xDEAD0001, 0x11000001, 0x2230, 0x0, 0x11000001,
                                0x2230, 0x0, 0x11000001, 0x2230, CTX | 0x19 };
        context(&h, 0, 64, 0x00100000); /* the host's GM */
        submit(v, 0x2000, 0, CTX | 0x19);
        ok(stat(v, VGT_STAT_GGTT_REFUSED) == before, "a ring outside the partition is not read");
        is_int(hwsp[0x1F], 0, "but the submission completes (CSB 4 -> 5 -> 0)");
        memcpy(gm32(&h, RING), lri_elsp, sizeof(lri_elsp));
        context(&h, 0, sizeof(lri_elsp), RING);
        submit(v, 0x2000, 0, CTX | 0x19);
        ok(stat(v, VGT_STAT_BAD_ACCESS) >= 4, "ELSP from a running context refused");
        is_int(hwsp[0x1F], 2, "no nested submission: two entries only");
        context(&h, 0x5000, 0x10, RING);
        submit(v, 0x2000, 0, CTX | 0x19);
        is_int(hwsp[0x1F], 4, "a head past the ring's end: nothing run, completed");
        is_int(gm32(&h, CTX + 4096)[5], 0x5000, "and the broken context is left as it was");
        submit(v, 0x2000, 0, 0x00100000 | 0x19);   /* context image in the host's GM */
        is_int(hwsp[0x1F], 0, "a context outside the partition: nothing run, completed");
        submit(v, 0x2000, 0, CTX);      /* element 0 not valid */
        is_int(hwsp[0x1F], 0, "an invalid element submits nothing");
    }
    /* a ring that rewrites its own next command: the write is seen (pages are
     * read anew after a command wrote memory) */
    {
        static const uint32_t selfmod[] = { 0x10400002, RING2 + 16, 0, 0x01000000, 0 /* -> MI_USER_INTERRUPT */ };
        context2(&h, selfmod, sizeof(selfmod));
        wr32(v, 0x44308, ~0u);
        submit(v, 0x2000, 0, CTX2 | 0x19);
        is_int(*gm32(&h, RING2 + 16), 0x01000000, "the ring rewrote its dword 4");
        is_int(rd32(v, 0x44308) & 0x1, 0x1, "and ran it: user interrupt");
    }

    ppgtt_batches(v, &h, hwsp);
    wr32(v, 0x2230, 1);
    M->reset(v);
    is_int(rd32(v, 0x23A0) & 7, 7, "after a reset the CSB write pointer is 7");
    wr32(v, 0x2080, HWSP);
    submit(v, 0x2000, 0, CTX | 0x19);
    is_int(hwsp[0x1F], 1, "reset forgot the half-written submission; entries from 0 again");
    test_vgpu_free(v, &h);
    return tap_done();
}
