/* Shared fixture of the model's unit tests: a Skylake GT2 profile, the partition of
 * the probe runs (128 MiB low at 0x08000000, 384 MiB high at 0x20000000, fences
 * 4..7), and a fake host with 64 MiB of guest RAM at guest physical address 0. */
#ifndef TEST_MODEL_H
#define TEST_MODEL_H
#include <stdlib.h>
#include <string.h>
#include "tests/tap.h"
#include "daemon/mediator/mediator.h"

#define M (&vgt_swmodel_ops)
#define GUEST_RAM (64u << 20)

struct fake_host {
    uint8_t *ram;
    size_t ram_len;
    unsigned bar_changes, msis, logs, intx_changes, ready_changes, flushes, asls_changes;
    uint32_t asls;
    bool intx, ready;
    int last_bar;
    struct vgt_bar last_old, last_new;
    uint64_t msi_addr;
    uint32_t msi_data;
    uint8_t *ggtt;
};

static void fh_bar_changed(void *o, int bar, const struct vgt_bar *old_state,
                           const struct vgt_bar *new_state)
{
    struct fake_host *h = o;
    h->bar_changes++;
    h->last_bar = bar;
    h->last_old = *old_state;
    h->last_new = *new_state;
}

static void fh_raise_msi(void *o, uint64_t addr, uint32_t data)
{
    struct fake_host *h = o;
    h->msis++;
    h->msi_addr = addr;
    h->msi_data = data;
}

static int fh_guest_read(void *o, uint64_t gpa, void *buf, size_t len)
{
    struct fake_host *h = o;
    if (gpa >= h->ram_len || len > h->ram_len - gpa)
        return -EFAULT;
    memcpy(buf, h->ram + gpa, len);
    return 0;
}

static int fh_guest_write(void *o, uint64_t gpa, const void *buf, size_t len)
{
    struct fake_host *h = o;
    if (gpa >= h->ram_len || len > h->ram_len - gpa)
        return -EFAULT;
    memcpy(h->ram + gpa, buf, len);
    return 0;
}

static void fh_log(void *o, int level, const char *msg)
{
    struct fake_host *h = o;
    h->logs++;
    printf("# log(%d): %s\n", level, msg);
}

static void fh_display_ready(void *o, bool ready)
{
    struct fake_host *h = o;
    h->ready_changes++;
    h->ready = ready;
}

static void fh_set_intx(void *o, bool level)
{
    struct fake_host *h = o;
    h->intx_changes++;
    h->intx = level;
}

static void fh_asls_changed(void *o, uint32_t asls)
{
    struct fake_host *h = o;
    h->asls_changes++;
    h->asls = asls;
}

static void fh_ggtt_flushed(void *o)
{
    struct fake_host *h = o;
    h->flushes++;
}

static const struct vgt_host_ops fake_host_ops = {
    .bar_changed = fh_bar_changed, .raise_msi = fh_raise_msi, .guest_read = fh_guest_read,
    .guest_write = fh_guest_write, .log = fh_log, .display_ready = fh_display_ready,
    .set_intx = fh_set_intx, .ggtt_flushed = fh_ggtt_flushed, .asls_changed = fh_asls_changed,
};

static const struct vgt_profile test_profile = {
    .name = "skl-gt2", .gen = 9, .device_id = 0x1912, .aperture_mb = 256, .ggtt_mb = 4096,
    .fences = 32, .host_low_mb = 128, .host_high_mb = 384, .host_fences = 4,
    .max_instances = 7, .high_gm_granule_mb = 64,
};

static inline struct vgt_vgpu_params test_params(void)
{
    struct vgt_vgpu_params p = {
        .profile = &test_profile,
        .part = { .vgt_id = 1, .low_base = 0x08000000, .low_size = 128u << 20,
                  .high_base = 0x20000000, .high_size = 384u << 20,
                  .fence_base = 4, .fence_count = 4 },
        .guest_mem_bytes = GUEST_RAM, .vcpus = 1,
    };
    return p;
}

/* A vGPU with its GGTT backed and the fake host attached. */
static inline struct vgt_vgpu *test_vgpu(struct fake_host *h)
{
    struct vgt_vgpu_params p = test_params();
    struct vgt_vgpu *v = NULL;

    memset(h, 0, sizeof(*h));
    h->ram_len = GUEST_RAM;
    h->ram = calloc(1, h->ram_len);
    h->ggtt = calloc(1, 8u << 20);
    if (!h->ram || !h->ggtt || M->create(&p, &fake_host_ops, h, &v) < 0 ||
        M->set_backing(v, VGT_BAR_MMIO, 1, h->ggtt, 8u << 20) < 0) {
        printf("Bail out! cannot create a vGPU\n");
        exit(1);
    }
    return v;
}

static inline void test_vgpu_free(struct vgt_vgpu *v, struct fake_host *h)
{
    M->destroy(v);
    free(h->ram);
    free(h->ggtt);
}

static inline uint64_t rd(struct vgt_vgpu *v, uint64_t off, unsigned size)
{
    uint64_t val = 0xdeadbeef;
    M->bar_read(v, VGT_BAR_MMIO, off, size, &val);
    return val;
}
static inline uint32_t rd32(struct vgt_vgpu *v, uint64_t off) { return (uint32_t)rd(v, off, 4); }
static inline int wr(struct vgt_vgpu *v, uint64_t off, unsigned size, uint64_t val)
{
    return M->bar_write(v, VGT_BAR_MMIO, off, size, val);
}
static inline int wr32(struct vgt_vgpu *v, uint64_t off, uint32_t val) { return wr(v, off, 4, val); }
static inline uint32_t cfg(struct vgt_vgpu *v, uint32_t reg, unsigned size)
{
    uint32_t val = 0xdeadbeef;
    M->cfg_read(v, reg, size, &val);
    return val;
}
static inline uint64_t stat(struct vgt_vgpu *v, enum vgt_stat s)
{
    uint64_t st[VGT_STAT_MAX];
    M->get_stats(v, st);
    return st[s];
}
#endif
