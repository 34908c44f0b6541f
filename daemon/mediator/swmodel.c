/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The software vGPU model: instance life cycle, BAR dispatch, counters, log.
 * See swmodel.h for the files of each concern.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/mediator/swmodel.h"

#define LOG_BUDGET 64   /* guest-triggered messages per instance, then silence */

static void vlog(struct vgt_vgpu *v, int level, const char *fmt, va_list ap)
{
    char msg[256];

    if (!v->host || !v->host->log)
        return;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    v->host->log(v->host_opaque, level, msg);
}

/* Debug messages come from guest actions: rate-limited like refusals. */
void sw_log(struct vgt_vgpu *v, int level, const char *fmt, ...)
{
    va_list ap;

    if (level >= 7) {
        if (!v->log_budget)
            return;
        v->log_budget--;
    }
    va_start(ap, fmt);
    vlog(v, level, fmt, ap);
    va_end(ap);
}

void sw_refuse(struct vgt_vgpu *v, enum vgt_stat stat, const char *fmt, ...)
{
    va_list ap;

    v->s->stats[stat]++;
    if (!v->log_budget)
        return;
    if (--v->log_budget == 0) {
        sw_log(v, 4, "guest misbehaves: further refusals are counted, not logged");
        return;
    }
    va_start(ap, fmt);
    vlog(v, 4, fmt, ap);
    va_end(ap);
}

static bool is_pow2(uint64_t x)
{
    return x && !(x & (x - 1));
}

static int check_params(const struct vgt_vgpu_params *p)
{
    const struct vgt_profile *g = p->profile;
    const struct vgt_partition *t = &p->part;
    uint64_t ap, ggtt;

    if (!g || !t->vgt_id)
        return -EINVAL;
    ap = g->aperture_mb * VGT_MB;
    ggtt = g->ggtt_mb * VGT_MB;
    /* BAR2 is the aperture: a power of two; GM is at most 4 GiB (GGMS=3). */
    if (!is_pow2(ap) || ggtt > (4096ull * VGT_MB) || ap > ggtt)
        return -EINVAL;
    if (t->low_size == 0 || t->low_base > ap || t->low_size > ap - t->low_base)
        return -EINVAL;
    if (t->high_base > ggtt || t->high_size > ggtt - t->high_base || t->high_size > 0xFFFFFFFFull)
        return -EINVAL;
    if (t->high_size && t->high_base < ap)
        return -EINVAL;
    if (t->fence_count > SW_MAX_HW_FENCES || t->fence_base > g->fences ||
        t->fence_count > g->fences - t->fence_base)
        return -EINVAL;
    return 0;
}

static void sw_destroy(struct vgt_vgpu *v)
{
    if (!v)
        return;
    sw_regs_dispose(v);
    if (v->s_owned)
        free(v->s);
    free(v);
}

/* ---- the state block (struct sw_state) -------------------------------- */

/* What a state is valid for: its layout, the generation and the partition. */
static void state_header(const struct vgt_vgpu_params *p, struct sw_state_header *h)
{
    const struct vgt_partition *t = &p->part;

    *h = (struct sw_state_header){
        .magic = SW_STATE_MAGIC, .version = SW_STATE_VERSION, .size = sizeof(struct sw_state),
        .gen = p->profile->gen, .device_id = p->profile->device_id,
        .aperture_mb = p->profile->aperture_mb, .ggtt_mb = p->profile->ggtt_mb,
        .vgt_id = t->vgt_id, .fence_base = t->fence_base, .fence_count = t->fence_count,
        .low_base = t->low_base, .low_size = t->low_size,
        .high_base = t->high_base, .high_size = t->high_size,
    };
}

/* Why a predecessor's header does not fit this instance (NULL: it does). */
static const char *state_mismatch(const struct vgt_vgpu *v, const struct sw_state_header *old)
{
    struct sw_state_header h;

    state_header(&v->p, &h);
    if (old->magic != h.magic)
        return "no state (magic)";
    if (old->version != h.version || old->size != h.size)
        return "another layout";
    if (old->gen != h.gen || old->device_id != h.device_id || old->aperture_mb != h.aperture_mb ||
        old->ggtt_mb != h.ggtt_mb)
        return "another GPU profile";
    if (old->vgt_id != h.vgt_id || old->fence_base != h.fence_base ||
        old->fence_count != h.fence_count || old->low_base != h.low_base ||
        old->low_size != h.low_size || old->high_base != h.high_base || old->high_size != h.high_size)
        return "another partition";
    return NULL;
}

/* A predecessor's state is hostile input (its memory was writable by a process
 * that served the guest): every index clamped, what only the model writes
 * asserted again, derived state recomputed -- the interrupt line last, so a
 * pending enabled interrupt is raised again. */
static void state_resume(struct vgt_vgpu *v)
{
    state_header(&v->p, &v->s->h);
    v->s->irq_line = v->s->irq_line != 0;
    v->s->intx_level = v->s->intx_level != 0;
    sw_regs_resume(v);
    sw_pvinfo_assert(v);
    sw_fence_resume(v);
    sw_display_resume(v);
    sw_gt_resume(v);
    sw_irq_resume(v);
}

/* The state into mem, which holds zeroes: chunks that are zero here are left
 * alone (most of the register file; in the worker's fresh file those pages then
 * cost no memory). */
static void copy_into_zeroes(uint8_t *dst, const uint8_t *src, size_t len)
{
    static const uint8_t zero[4096];

    for (size_t off = 0; off < len; off += sizeof(zero)) {
        size_t n = len - off < sizeof(zero) ? len - off : sizeof(zero);
        if (memcmp(src + off, zero, n))
            memcpy(dst + off, src + off, n);
    }
}

static size_t sw_state_size(const struct vgt_vgpu_params *p)
{
    (void)p;
    return sizeof(struct sw_state);
}

static int sw_adopt_state(struct vgt_vgpu *v, void *mem, size_t len, bool resume)
{
    struct sw_state *s = mem;
    const char *why = NULL;

    if (!mem) {             /* back to memory of our own: the user unmaps mem */
        if (v->s_owned)
            return 0;
        if (!(s = malloc(sizeof(*s))))
            return -ENOMEM;
        memcpy(s, v->s, sizeof(*s));
        v->s = s;
        v->s_owned = true;
        return 0;
    }
    if (len < sizeof(*s) || (uintptr_t)mem % _Alignof(struct sw_state))
        return -EINVAL;
    if (resume && (why = state_mismatch(v, &s->h))) {
        sw_log(v, 4, "device state starts afresh (the previous one is refused: %s)", why);
        memcpy(s, v->s, sizeof(*s));
    } else if (!resume) {
        copy_into_zeroes(mem, (const uint8_t *)v->s, sizeof(*s));
    }
    if (v->s_owned)
        free(v->s);
    v->s = s;
    v->s_owned = false;
    if (!resume || why)
        return 0;
    state_resume(v);
    return 1;
}

static void reset_state(struct vgt_vgpu *v, bool fresh)
{
    sw_pci_reset(v);
    sw_regs_reset(v, fresh);
    sw_pvinfo_reset(v);
    sw_display_reset(v);
    sw_gt_reset(v);
    v->s->io_index = 0;
    v->s->irq_line = 0;
    sw_irq_update(v);   /* lowers an INTx asserted before the reset */
}

static int sw_create(const struct vgt_vgpu_params *p, const struct vgt_host_ops *host,
                     void *host_opaque, struct vgt_vgpu **out)
{
    struct vgt_vgpu *v;
    int r;

    *out = NULL;
    if (!p || (r = check_params(p)) < 0)
        return -EINVAL;
    v = calloc(1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    v->s = calloc(1, sizeof(*v->s));
    if (!v->s) {
        free(v);
        return -ENOMEM;
    }
    v->s_owned = true;
    state_header(p, &v->s->h);
    v->p = *p;
    v->host = host;
    v->host_opaque = host_opaque;
    v->log_budget = LOG_BUDGET;
    r = sw_regs_init(v);
    if (r < 0) {
        if (r == -EOPNOTSUPP)
            sw_log(v, 3, "no register table for GPU generation %u", p->profile->gen);
        sw_destroy(v);
        return r;
    }
    reset_state(v, true);
    *out = v;
    return 0;
}

static int sw_cfg_read(struct vgt_vgpu *v, uint32_t reg, unsigned size, uint32_t *val)
{
    return sw_pci_read(v, reg, size, val);
}

static int sw_cfg_write(struct vgt_vgpu *v, uint32_t reg, unsigned size, uint32_t val)
{
    return sw_pci_write(v, reg, size, val);
}

/* BAR4 is the classic MMIO_INDEX (0x0) / MMIO_DATA (0x4) window onto the registers. */
static int io_access(struct vgt_vgpu *v, uint64_t off, unsigned size, uint64_t *val, bool write)
{
    if (off == 0 && size == 4) {
        if (write)
            v->s->io_index = (uint32_t)*val;
        else
            *val = v->s->io_index;
        return 0;
    }
    if (off == 4 && size == 4)
        return write ? sw_mmio_write(v, v->s->io_index, 4, *val) : sw_mmio_read(v, v->s->io_index, 4, val);
    if (!write)
        *val = 0;
    return 0;
}

static int bar_access(struct vgt_vgpu *v, int bar, uint64_t off, unsigned size, uint64_t *val,
                      bool write)
{
    uint64_t bsize = (bar >= 0 && bar < VGT_NR_BARS) ? v->bar_size[bar] : 0;

    if (!bsize || size < 1 || size > 8 || off >= bsize || off + size > bsize) {
        if (!write)
            *val = ~0ull;
        sw_refuse(v, VGT_STAT_BAD_ACCESS, "BAR%d %s at 0x%llx size %u", bar, write ? "write" : "read",
                  (unsigned long long)off, size);
        return -EINVAL;
    }
    switch (bar) {
    case VGT_BAR_MMIO:
        if (off >= SW_GGTT_OFF)
            return write ? sw_ggtt_write(v, off - SW_GGTT_OFF, size, *val)
                         : sw_ggtt_read(v, off - SW_GGTT_OFF, size, val);
        return write ? sw_mmio_write(v, off, size, *val) : sw_mmio_read(v, off, size, val);
    case VGT_BAR_APERTURE:
        return sw_aperture_access(v, off, size, val, write);
    default:
        return io_access(v, off, size, val, write);
    }
}

static int sw_bar_read(struct vgt_vgpu *v, int bar, uint64_t off, unsigned size, uint64_t *val)
{
    return bar_access(v, bar, off, size, val, false);
}

static int sw_bar_write(struct vgt_vgpu *v, int bar, uint64_t off, unsigned size, uint64_t val)
{
    return bar_access(v, bar, off, size, &val, true);
}

static void sw_get_bars(struct vgt_vgpu *v, struct vgt_bar bars[VGT_NR_BARS])
{
    sw_pci_get_bars(v, bars);
}

static int sw_set_backing(struct vgt_vgpu *v, int bar, unsigned region, void *mem, size_t len)
{
    if (bar != VGT_BAR_MMIO || region != 1)
        return -EINVAL;
    if (mem && len < SW_GGTT_SIZE)
        return -EINVAL;
    v->ggtt = mem;
    v->ggtt_len = mem ? SW_GGTT_SIZE : 0;
    return 0;
}

static void sw_reset(struct vgt_vgpu *v)
{
    struct vgt_bar before[VGT_NR_BARS], after[VGT_NR_BARS];

    sw_pci_get_bars(v, before);
    reset_state(v, false);
    sw_pci_get_bars(v, after);
    /* Decoding is off after a reset: let the user unmap what was mapped. */
    for (int i = 0; i < VGT_NR_BARS; i++)
        if (before[i].decode && v->host && v->host->bar_changed)
            v->host->bar_changed(v->host_opaque, i, &before[i], &after[i]);
}

static void sw_get_display_op(struct vgt_vgpu *v, struct vgt_display_state *out)
{
    sw_get_display(v, out);
}

static int sw_hotplug_op(struct vgt_vgpu *v, enum vgt_port port, const struct vgt_port_state *cfg)
{
    return sw_hotplug(v, port, cfg);
}

static int sw_read_fb_op(struct vgt_vgpu *v, struct vgt_fb *fb, void *buf, size_t len)
{
    struct vgt_fb tmp;
    return sw_read_framebuffer(v, fb ? fb : &tmp, buf, len);
}

static void sw_get_stats(struct vgt_vgpu *v, uint64_t stats[VGT_STAT_MAX])
{
    memcpy(stats, v->s->stats, sizeof(v->s->stats));
}

static int sw_aperture_page(struct vgt_vgpu *v, uint64_t off, uint64_t *gpa)
{
    const struct vgt_partition *p = &v->p.part;

    if ((off & 4095) || off < p->low_base || off - p->low_base >= p->low_size)
        return -ERANGE;
    return sw_gm_to_gpa(v, off, gpa);
}

static int sw_get_opregion(struct vgt_vgpu *v, void *buf, size_t len)
{
    return buf ? sw_opregion(v, buf, len) : -EINVAL;
}

static int sw_vblank_op(struct vgt_vgpu *v)
{
    return sw_vblank(v);
}

const struct vgt_mediator_ops vgt_swmodel_ops = {
    .name = "swmodel",
    .create = sw_create,
    .destroy = sw_destroy,
    .cfg_read = sw_cfg_read,
    .cfg_write = sw_cfg_write,
    .bar_read = sw_bar_read,
    .bar_write = sw_bar_write,
    .get_bars = sw_get_bars,
    .set_backing = sw_set_backing,
    .reset = sw_reset,
    .get_display = sw_get_display_op,
    .hotplug = sw_hotplug_op,
    .read_framebuffer = sw_read_fb_op,
    .get_stats = sw_get_stats,
    .get_opregion = sw_get_opregion,
    .aperture_page = sw_aperture_page,
    .vblank = sw_vblank_op,
    .state_size = sw_state_size,
    .adopt_state = sw_adopt_state,
};
