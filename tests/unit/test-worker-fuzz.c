/*
 * libFuzzer target fuzz-worker-ioreq: hostile ioreq pages against vgt-worker
 * with the software model, on the Xen double.  The input is a list of
 * operations: raw synchronous slots (any field, any state), raw buffered ring
 * contents and pointers, and structured config/MMIO/rep requests that let the
 * fuzzer reach programmed BARs.  Every synchronous request must be answered.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "daemon/worker/worker.h"
#include "daemon/xen/xen-double.h"

#define DOMID 11
#define MEM (64ull << 20)
#define SBDF (5u << 3)

static struct vgt_worker W;
static struct vgt_xd *D;
static struct vgt_profile P = {
    .name = "fuzz", .gen = 9, .device_id = 0x1912, .aperture_mb = 512, .ggtt_mb = 4096,
    .fences = 32, .host_low_mb = 96, .host_high_mb = 384, .host_fences = 4,
    .reserved_top_mb = 32, .max_instances = 15, .high_gm_granule_mb = 64,
};

static void setup(void)
{
    static char sock[64];
    struct vgt_xd_params xp = { .domid = DOMID, .vcpus = 2, .guest_mem = MEM };
    struct vgt_worker_config cfg = {
        .domid = DOMID, .vcpus = 2, .dev = 5, .guest_mem = MEM, .xen = &vgt_xen_double_ops,
        .med = &vgt_swmodel_ops, .quiet = true, .profile = P,
        .part = { .vgt_id = 1, .low_base = 128u << 20, .low_size = 64u << 20,
                  .high_base = 1u << 30, .high_size = 384u << 20, .fence_base = 4,
                  .fence_count = 4 },
    };
    if (vgt_xd_worker_dir(sock, sizeof(sock), "vgt-fuzz-worker") < 0)
        abort();
    cfg.socket_path = sock;
    cfg.xen_arg = D = vgt_xd_new(&xp);
    if (!D || vgt_worker_start(&W, &cfg) < 0)
        abort();
    unlink(sock);
}

static void run_sync(unsigned vcpu, const ioreq_t *r, bool force_ready)
{
    volatile ioreq_t *s = vgt_xd_slot(D, vcpu);
    memcpy((void *)s, r, sizeof(*r));
    if (force_ready)
        s->state = STATE_IOREQ_READY;
    bool ready = s->state == STATE_IOREQ_READY;
    vgt_xd_kick(D, vcpu);
    vgt_worker_evtchn_ready(&W);
    if (ready && s->state != STATE_IORESP_READY)
        abort();   /* a request left unanswered stalls the guest's vCPU */
    s->state = STATE_IOREQ_NONE;
}

static uint64_t get(const uint8_t **p, size_t *n, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes && *n; i++, (*p)++, (*n)--)
        v |= (uint64_t)**p << (8 * i);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!D)
        setup();
    while (size) {
        unsigned op = (unsigned)get(&data, &size, 1);
        ioreq_t r = { 0 };
        switch (op % 6) {
        case 0:   /* a raw slot, as hostile as it gets */
            if (size < sizeof(r))
                return 0;
            memcpy(&r, data, sizeof(r));
            data += sizeof(r);
            size -= sizeof(r);
            run_sync(op >> 3 & 1, &r, op & 0x40);
            break;
        case 1: { /* raw buffered ring: pointers and a few slots */
            volatile buffered_iopage_t *b = vgt_xd_bufpage(D);
            uint32_t rp = (uint32_t)get(&data, &size, 4), wp = (uint32_t)get(&data, &size, 4);
            for (unsigned i = 0; i < 4; i++) {
                uint64_t raw = get(&data, &size, 8);
                memcpy((void *)&b->buf_ioreq[(rp + i) % IOREQ_BUFFER_SLOT_NUM], &raw, 8);
            }
            b->read_pointer = rp;
            b->write_pointer = (op & 0x80) ? wp : rp + (wp & 7);
            vgt_xd_kick_buf(D);
            vgt_worker_evtchn_ready(&W);
            break;
        }
        case 2:   /* config space */
            r.type = IOREQ_TYPE_PCI_CONFIG;
            r.addr = (uint64_t)SBDF << 32 | get(&data, &size, 2) % 0x110;
            r.size = 1u << (op >> 3 & 3);
            r.count = 1;
            r.dir = op >> 5 & 1;
            r.data = get(&data, &size, 4);
            run_sync(0, &r, true);
            break;
        case 3:   /* BAR0 registers (trapped half) or the aperture */
            r.type = IOREQ_TYPE_COPY;
            r.addr = W.bars[op & 0x80 ? 2 : 0].addr + (get(&data, &size, 3) & 0x7ffff8);
            r.size = 1u << (op >> 3 & 3);
            r.count = 1;
            r.dir = op >> 5 & 1;
            r.data = get(&data, &size, 8);
            run_sync(op >> 6 & 1, &r, true);
            break;
        case 4:   /* rep through guest memory */
            r.type = op & 0x80 ? IOREQ_TYPE_PIO : IOREQ_TYPE_COPY;
            r.addr = W.bars[op & 0x80 ? 4 : 0].addr + (get(&data, &size, 3) & 0x7fffff);
            r.size = 1u << (op >> 3 & 3);
            r.count = (uint32_t)get(&data, &size, 2);
            r.data_is_ptr = 1;
            r.df = op >> 6 & 1;
            r.dir = op >> 5 & 1;
            r.data = get(&data, &size, 4) % (MEM + (1u << 20));
            run_sync(0, &r, true);
            break;
        case 5:   /* invalidate, and a storm of spurious kicks */
            r.type = IOREQ_TYPE_INVALIDATE;
            r.size = 4;
            r.count = 1;
            run_sync(1, &r, true);
            for (unsigned i = 0; i < (op >> 3); i++)
                vgt_xd_kick(D, i & 1);
            vgt_worker_evtchn_ready(&W);
            break;
        }
    }
    return 0;
}
