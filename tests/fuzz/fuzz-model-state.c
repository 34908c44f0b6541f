/* libFuzzer target of adopt_state(resume): a state block of arbitrary bytes (the
 * memory a crashed worker could have scribbled on), with or without a header that
 * fits, taken over by a new instance, then guest accesses at every register kind
 * with side effects.  Besides the sanitizers (a bool or enum loaded from raw bytes
 * is UB) it checks what the take-over promises: PVINFO says the instance's own
 * partition, no fence is valid outside it, no port has an unknown type. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/mediator/swmodel.h"

#define RAM (1u << 20)
#define GGTT (8u << 20)

static uint8_t *ram, *ggtt, *mem;

static int fz_read(void *o, uint64_t gpa, void *buf, size_t len)
{
    (void)o;
    if (gpa >= RAM || len > RAM - gpa)
        return -EFAULT;
    memcpy(buf, ram + gpa, len);
    return 0;
}

static int fz_write(void *o, uint64_t gpa, const void *buf, size_t len)
{
    (void)o;
    if (gpa >= RAM || len > RAM - gpa)
        return -EFAULT;
    memcpy(ram + gpa, buf, len);
    return 0;
}

static void fz_bar(void *o, int bar, const struct vgt_bar *a, const struct vgt_bar *b) { (void)o; (void)bar; (void)a; (void)b; }
static void fz_msi(void *o, uint64_t addr, uint32_t data) { (void)o; (void)addr; (void)data; }
static void fz_log(void *o, int level, const char *msg) { (void)o; (void)level; (void)msg; }
static void fz_intx(void *o, bool level) { (void)o; (void)level; }

static const struct vgt_host_ops host = {
    .bar_changed = fz_bar, .raise_msi = fz_msi, .guest_read = fz_read,
    .guest_write = fz_write, .log = fz_log, .set_intx = fz_intx,
};

static const struct vgt_profile profile = {
    .name = "skl-gt2", .gen = 9, .device_id = 0x1912, .aperture_mb = 256, .ggtt_mb = 4096,
    .fences = 32, .host_low_mb = 96, .host_high_mb = 384, .host_fences = 4,
};

static const struct vgt_vgpu_params params = {
    .profile = &profile,
    .part = { .vgt_id = 2, .low_base = 0x06000000, .low_size = 64u << 20,
              .high_base = 0x38000000, .high_size = 384u << 20, .fence_base = 4, .fence_count = 4 },
    .guest_mem_bytes = RAM, .vcpus = 1,
};

static uint32_t rd32(const struct vgt_mediator_ops *m, struct vgt_vgpu *v, uint32_t off)
{
    uint64_t val = 0;
    m->bar_read(v, VGT_BAR_MMIO, off, 4, &val);
    return (uint32_t)val;
}

static void wr32(const struct vgt_mediator_ops *m, struct vgt_vgpu *v, uint32_t off, uint32_t val)
{
    m->bar_write(v, VGT_BAR_MMIO, off, 4, val);
}

/* What the take-over promises, seen as the guest sees it. */
static void check(const struct vgt_mediator_ops *m, struct vgt_vgpu *v)
{
    const struct vgt_partition *p = &params.part;
    struct vgt_display_state d;

    if (rd32(m, v, R_PVINFO) != (uint32_t)VGT_PV_MAGIC || rd32(m, v, R_PVINFO + 0x0C) != p->vgt_id ||
        rd32(m, v, R_PVINFO + 0x40) != p->low_base || rd32(m, v, R_PVINFO + 0x44) != p->low_size ||
        rd32(m, v, R_PVINFO + 0x48) != p->high_base || rd32(m, v, R_PVINFO + 0x4C) != p->high_size ||
        rd32(m, v, R_PVINFO + 0x50) != p->fence_count)
        abort();
    for (unsigned i = 0; i < p->fence_count; i++) {
        uint64_t lo = rd32(m, v, R_FENCE0 + 8 * i), hi = rd32(m, v, R_FENCE0 + 8 * i + 4);
        uint64_t start = lo & 0xFFFFF000u, end = (hi & 0xFFFFF000u) + 4096;
        if ((lo & 1) && !(end > start && ((start >= p->low_base && end <= p->low_base + p->low_size) ||
                                          (start >= p->high_base && end <= p->high_base + p->high_size))))
            abort();
    }
    m->get_display(v, &d);
    for (unsigned i = 0; i < VGT_PORT_MAX; i++)
        if ((unsigned)d.ports[i].type >= VGT_PORT_TYPE_MAX || (unsigned)d.ports[i].override >= VGT_PORT_MAX)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct vgt_mediator_ops *m = &vgt_swmodel_ops;
    size_t len = m->state_size(&params), n, off;
    struct vgt_vgpu *v = NULL;
    struct sw_state_header hdr;
    uint32_t fb[16 * 16];
    uint8_t opr[VGT_OPREGION_SIZE];
    struct vgt_fb f;
    bool keep_header;

    if (!ram) {
        ram = calloc(1, RAM);
        ggtt = calloc(1, GGTT);
        mem = aligned_alloc(4096, (len + 4095) & ~(size_t)4095);
        if (!ram || !ggtt || !mem)
            abort();
    }
    if (m->create(&params, &host, NULL, &v) < 0)
        abort();
    hdr = v->s->h;
    /* byte 0: keep a header that fits; the rest, tiled over the whole block */
    keep_header = size && (data[0] & 1);
    data += size ? 1 : 0;
    n = size ? size - 1 : 0;
    if (!n)
        memset(mem, 0, len);
    for (off = 0; n && off < len; off += n)
        memcpy(mem + off, data, len - off < n ? len - off : n);
    if (keep_header)
        memcpy(mem, &hdr, sizeof(hdr));
    m->set_backing(v, VGT_BAR_MMIO, 1, ggtt, GGTT);
    m->cfg_write(v, 0x04, 2, 0x0006);               /* memory, bus master */
    m->cfg_write(v, 0xB0, 4, 0xFEE00000);           /* MSI as the config replay leaves it */
    m->cfg_write(v, 0xAE, 2, 1);
    if (m->adopt_state(v, mem, len, true) < 0)
        abort();
    check(m, v);

    /* the guest goes on: every register kind with side effects */
    rd32(m, v, R_MASTER_IRQ);
    rd32(m, v, 0x70000);                            /* PIPEDSL counter */
    rd32(m, v, R_GMBUS0 + 8);                       /* GMBUS2 */
    rd32(m, v, R_GMBUS0 + 12);                      /* GMBUS3: a read cycle in progress */
    wr32(m, v, R_GMBUS0 + 12, 0x12345678);          /* a write cycle in progress */
    wr32(m, v, R_GMBUS0, 5);
    wr32(m, v, R_GMBUS0 + 4, (1u << 30) | (128u << 16) | (0x50 << 1) | 1);
    rd32(m, v, R_GMBUS0 + 12);
    for (unsigned e = 0; e < 5; e++) {
        static const uint32_t base[5] = { 0x2000, 0x22000, 0x12000, 0x1C000, 0x1A000 };
        wr32(m, v, base[e] + 0x230, 0);              /* ELSP: one more write of a submission */
    }
    for (unsigned ddi = 0; ddi < 4; ddi++)
        wr32(m, v, R_AUX_CTL_A + 0x100 * ddi, 0xA0000000u | (5u << 20));
    wr32(m, v, 0xC4008, 0xFFFFFFFF);                 /* SDEIIR handled */
    wr32(m, v, R_MASTER_IRQ, MASTER_IRQ_ENABLE);
    m->bar_write(v, VGT_BAR_IO, 4, 4, 0);            /* MMIO_DATA at the kept MMIO_INDEX */
    m->vblank(v);
    m->read_framebuffer(v, &f, fb, sizeof(fb));
    m->get_opregion(v, opr, sizeof(opr));
    m->hotplug(v, VGT_PORT_C, NULL);
    check(m, v);
    m->reset(v);
    check(m, v);
    m->destroy(v);
    return 0;
}
