/* libFuzzer target of the software vGPU model: random sequences of config and BAR
 * accesses, hotplugs, resets, vblanks and framebuffer reads against one instance
 * with a fake guest RAM.  Besides the sanitizers it checks the model's promises:
 * guest memory is touched only inside the fake RAM through pages the guest's own
 * GGTT entries name, and no fence the guest can see is valid outside its partition. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/mediator/mediator.h"

#define RAM (1u << 20)
#define GGTT (8u << 20)

static uint8_t *ram, *ggtt;

static int fz_read(void *o, uint64_t gpa, void *buf, size_t len)
{
    if (gpa >= RAM || len > RAM - gpa)
        return -EFAULT;
    memcpy(buf, ram + gpa, len);
    return 0;
}

static int fz_write(void *o, uint64_t gpa, const void *buf, size_t len)
{
    if (len == 0 || len > 8)
        abort();        /* the model never writes more than one access */
    if (gpa >= RAM || len > RAM - gpa)
        return -EFAULT;
    memcpy(ram + gpa, buf, len);
    return 0;
}

static void fz_bar(void *o, int bar, const struct vgt_bar *a, const struct vgt_bar *b)
{
    if (bar < 0 || bar >= VGT_NR_BARS || !b->present)
        abort();
}

static void fz_msi(void *o, uint64_t addr, uint32_t data) {}
static void fz_log(void *o, int level, const char *msg) {}

static const struct vgt_host_ops host = {
    .bar_changed = fz_bar, .raise_msi = fz_msi, .guest_read = fz_read,
    .guest_write = fz_write, .log = fz_log,
};

static struct vgt_profile profile = {
    .name = "skl-gt2", .gen = 9, .device_id = 0x1912, .aperture_mb = 256, .ggtt_mb = 4096,
    .fences = 32, .host_low_mb = 96, .host_high_mb = 384, .host_fences = 4,
};

/* Offsets worth hitting in BAR0: each op picks a base and adds a small delta. */
static const uint32_t bases[] = {
    0x0, 0x2000, 0x20C0, 0x941C, 0x7000, 0x9120, 0x42000, 0x44200, 0x44300, 0x44400, 0x44440,
    0x45400, 0x46010, 0x64000, 0x64010, 0x64110, 0x64310, 0x70000, 0x70180, 0x78000, 0x78800,
    0xC4000, 0xC4030, 0xC5100, 0x100000, 0x138124, 0x1FFFF8, 0x200000, 0x800000, 0x830000,
    0xFFFFF8, 0x1000000,
};

struct input {
    const uint8_t *p;
    size_t n;
};

static uint64_t take(struct input *in, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes && in->n; i++, in->p++, in->n--)
        v |= (uint64_t)*in->p << (8 * i);
    return v;
}

static void check_fences(const struct vgt_mediator_ops *m, struct vgt_vgpu *v,
                         const struct vgt_partition *p)
{
    for (unsigned i = 0; i < p->fence_count; i++) {
        uint64_t f = 0, start, end;
        m->bar_read(v, VGT_BAR_MMIO, 0x100000 + 8 * i, 8, &f);
        if (!(f & 1))
            continue;
        start = f & 0xFFFFF000u;
        end = ((f >> 32) & 0xFFFFF000u) + 4096;
        if (!(start >= p->low_base && end <= p->low_base + p->low_size && end > start) &&
            !(start >= p->high_base && end <= p->high_base + p->high_size && end > start))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct vgt_mediator_ops *m = &vgt_swmodel_ops;
    struct vgt_vgpu_params params = {
        .profile = &profile,
        .part = { .vgt_id = 1, .low_base = 0x06000000, .low_size = 64u << 20,
                  .high_base = 0x38000000, .high_size = 384u << 20, .fence_base = 4, .fence_count = 4 },
        .guest_mem_bytes = RAM, .vcpus = 1,
    };
    struct input in = { data, size };
    struct vgt_vgpu *v = NULL;
    uint32_t fbuf[64 * 64];

    if (!ram) {
        ram = calloc(1, RAM);
        ggtt = calloc(1, GGTT);
    }
    /* The entries this target can write (see bases[] and op 4): clear them only. */
    /* The first byte picks the generation. */
    profile.gen = size && (data[0] & 0x80) ? 8 : 9;
    memset(ggtt, 0, 0x1010);
    memset(ggtt + 0x30000, 0, 0x1010);
    memset(ggtt + GGTT - 0x1000, 0, 0x1000);
    if (m->create(&params, &host, NULL, &v) < 0)
        abort();
    m->set_backing(v, VGT_BAR_MMIO, 1, ggtt, GGTT);
    while (in.n) {
        unsigned op = (unsigned)take(&in, 1) % 12, sz = (unsigned)take(&in, 1) % 10;
        uint64_t val = 0, off;
        uint32_t v32;

        switch (op) {
        case 0:
            m->cfg_read(v, (uint32_t)take(&in, 2) % 0x1010, sz, &v32);
            break;
        case 1:
            off = take(&in, 2) % 0x1010;
            m->cfg_write(v, (uint32_t)off, sz, (uint32_t)take(&in, 4));
            break;
        case 2: case 3:
            off = bases[take(&in, 1) % (sizeof(bases) / sizeof(bases[0]))] + take(&in, 2) % 0x1000;
            if (op == 2)
                m->bar_read(v, VGT_BAR_MMIO, off, sz, &val);
            else
                m->bar_write(v, VGT_BAR_MMIO, off, sz, take(&in, 8));
            break;
        case 4: {   /* a PTE somewhere in the guest's low GM, or anywhere */
            uint64_t idx = (0x06000000 / 4096) + take(&in, 2) % 256;
            m->bar_write(v, VGT_BAR_MMIO, (8u << 20) + idx * 8, 8, take(&in, 8));
            break;
        }
        case 5: {
            off = 0x06000000 + take(&in, 3) - 0x1000;
            if (take(&in, 1) & 1)
                m->bar_write(v, VGT_BAR_APERTURE, off, sz, take(&in, 8));
            else
                m->bar_read(v, VGT_BAR_APERTURE, off, sz, &val);
            break;
        }
        case 6: {
            struct vgt_port_state st = { .connected = true };
            unsigned port = (unsigned)take(&in, 1) % 6;
            st.type = (enum vgt_port_type)(take(&in, 1) % 9);
            st.override = (enum vgt_port)(take(&in, 1) % 5);
            for (unsigned i = 0; i < VGT_EDID_LEN; i++)
                st.edid[i] = (uint8_t)(i ^ sz);
            m->hotplug(v, (enum vgt_port)port, (sz & 1) ? &st : NULL);
            break;
        }
        case 7:
            if (sz == 0)
                m->reset(v);
            break;
        case 8:
            m->vblank(v);
            break;
        case 9: {
            struct vgt_fb fb;
            struct vgt_display_state d;
            m->get_display(v, &d);
            m->read_framebuffer(v, &fb, fbuf, sizeof(fbuf));
            if (m->get_opregion(v, fbuf, sizeof(fbuf)) < 0)
                abort();
            break;
        }
        case 10:
            if (sz == 1)
                m->set_backing(v, VGT_BAR_MMIO, 1, NULL, 0);
            else
                m->set_backing(v, VGT_BAR_MMIO, 1, ggtt, GGTT);
            break;
        default: {
            struct vgt_bar bars[VGT_NR_BARS];
            uint64_t st[VGT_STAT_MAX];
            m->get_bars(v, bars);
            m->get_stats(v, st);
            off = take(&in, 1) % 8;
            m->bar_read(v, (int)off - 1, take(&in, 1), sz, &val);   /* BARs -1..6 */
            break;
        }
        }
        check_fences(m, v, &params.part);
    }
    m->destroy(v);
    return 0;
}
