/* The fake mediator of the worker tests (see test-worker-fake.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include "daemon/worker/worker.h"
#include "daemon/xen/xen-double.h"
#include "tests/unit/test-worker-fake.h"

static char sockdir[64];
static char sockpath[96];

const char *fake_sockdir(void) { return sockdir; }

int fake_prepare_sockdir(void)
{
    if (!sockdir[0]) {
        strcpy(sockdir, "/tmp/vgt-worker-test.XXXXXX");
        if (!mkdtemp(sockdir))
            return -errno;
        snprintf(sockpath, sizeof(sockpath), "%s/worker.sock", sockdir);
    }
    return 0;
}

int fake_start(struct vgt_worker *w, struct vgt_xd **d, unsigned vcpus, int fail_stage)
{
    *d = NULL;
    return fake_start_on(w, d, vcpus, fail_stage);
}

int fake_start_on(struct vgt_worker *w, struct vgt_xd **d, unsigned vcpus, int fail_stage)
{
    struct vgt_xd_params xp = { .domid = FAKE_DOMID, .vcpus = vcpus,
                                .guest_mem = FAKE_GUEST_MEM };
    struct vgt_worker_config cfg = {
        .domid = FAKE_DOMID, .vcpus = vcpus, .seg = 0, .bus = 0, .dev = 5, .fn = 0,
        .guest_mem = FAKE_GUEST_MEM, .xen = &vgt_xen_double_ops, .med = &fake_mediator_ops,
        .fail_stage = (enum vgt_worker_stage)fail_stage, .quiet = true,
        .watchdog_ms = fake_watchdog_ms,
        .part = { .vgt_id = 1, .low_base = 128u << 20, .low_size = 64u << 20,
                  .high_base = 1u << 30, .high_size = 384u << 20, .fence_base = 4,
                  .fence_count = 4 },
    };
    int r = fake_prepare_sockdir();
    if (r)
        return r;
    cfg.user = fake_user;
    if (fake_monitor) {
        cfg.has_monitor = true;
        cfg.monitor = *fake_monitor;
    }
    strcpy(cfg.profile.name, "test");
    cfg.profile.gen = 9;
    cfg.profile.device_id = 0x1912;
    cfg.profile.aperture_mb = 256;
    cfg.profile.ggtt_mb = 4096;
    cfg.profile.fences = 32;
    if (fake_mediator)
        cfg.med = fake_mediator;
    cfg.socket_path = sockpath;
    cfg.xen_arg = *d = *d ? *d : vgt_xd_new(&xp);
    if (!*d)
        return -ENOMEM;
    return vgt_worker_start(w, &cfg);
}

void fake_stop(struct vgt_worker *w, struct vgt_xd *d)
{
    vgt_worker_teardown(w);
    vgt_xd_free(d);
    unlink(sockpath);
    if (sockdir[0]) {
        char rec[128];
        snprintf(rec, sizeof(rec), "%s/worker-%u.ioreq", sockdir, FAKE_DOMID);
        unlink(rec);   /* frames left to the domain after restrict stay recorded */
        snprintf(rec, sizeof(rec), "%s/worker-%u.state", sockdir, FAKE_DOMID);
        unlink(rec);
    }
    if (sockdir[0])
        rmdir(sockdir);
    sockdir[0] = 0;
}

const char *fake_read_file(const char *path)
{
    static char buf[8192];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
    if (!f)
        return NULL;
    fclose(f);
    buf[n] = 0;
    return buf;
}

void *fake_file_load(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    *len = 0;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n)
        *len = (size_t)n;
    fclose(f);
    return buf;
}

void fake_file_store(const char *path, const void *data, size_t len, unsigned mode)
{
    int fd = data ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode) : -1;
    if (fd >= 0) {
        if (write(fd, data, len) != (ssize_t)len)
            printf("# writing %s back failed\n", path);
        close(fd);
    }
}

void fake_crash(struct vgt_worker *w)
{
    char rec[sizeof(w->record_path)], state[sizeof(w->state_path)];
    size_t rec_len, state_len;
    void *rec_data, *state_data;

    snprintf(rec, sizeof(rec), "%s", w->record_path);
    snprintf(state, sizeof(state), "%s", w->state_path);
    rec_data = fake_file_load(rec, &rec_len);
    state_data = state[0] ? fake_file_load(state, &state_len) : NULL;
    w->domain_gone = true;       /* teardown then leaves every Xen object alone */
    vgt_worker_teardown(w);
    fake_file_store(rec, rec_data, rec_len, 0644);
    fake_file_store(state, state_data, state_len, 0600);
    free(rec_data);
    free(state_data);
}

struct fake_vgpu *fake_last;
const struct vgt_mediator_ops *fake_mediator;
int fake_create_error;
void (*fake_hook)(void);
unsigned fake_watchdog_ms;
const char *fake_user;
const struct vgt_monitor_config *fake_monitor;

static const uint64_t bar_size[VGT_NR_BARS] = { FAKE_BAR0_SIZE, 0, FAKE_BAR2_SIZE, 0,
                                                FAKE_BAR4_SIZE, 0 };

static void get_bar(struct fake_vgpu *f, int b, struct vgt_bar *out)
{
    uint16_t cmd = (uint16_t)(f->cfg[4] | f->cfg[5] << 8);
    uint32_t mask = (uint32_t)~(bar_size[b] - 1);

    memset(out, 0, sizeof(*out));
    if (!bar_size[b])
        return;
    out->present = true;
    out->is_io = b == 4;
    out->size = bar_size[b];
    out->prefetchable = b == 2;
    out->addr = f->bar_addr[b];
    /* decoding on and not the sizing pattern */
    out->decode = (out->is_io ? cmd & 1 : cmd & 2) && out->addr &&
                  out->addr != (mask & (out->is_io ? 0xffffu : 0xffffffffu));
    if (b == 0) {
        out->n_regions = 2;
        out->regions[0] = (struct vgt_region){ 0, FAKE_BAR0_SIZE / 2, VGT_REGION_TRAPPED };
        out->regions[1] = (struct vgt_region){ FAKE_BAR0_SIZE / 2, FAKE_BAR0_SIZE / 2,
                                               VGT_REGION_MEMORY };
    } else {
        out->n_regions = 1;
        out->regions[0] = (struct vgt_region){ 0, bar_size[b], VGT_REGION_TRAPPED };
    }
}

static void get_bars(struct vgt_vgpu *v, struct vgt_bar bars[VGT_NR_BARS])
{
    for (int b = 0; b < VGT_NR_BARS; b++)
        get_bar((struct fake_vgpu *)v, b, &bars[b]);
}

static int create(const struct vgt_vgpu_params *p, const struct vgt_host_ops *host, void *opaque,
                  struct vgt_vgpu **out)
{
    struct fake_vgpu *f;
    if (fake_create_error)
        return fake_create_error;
    if (!(f = calloc(1, sizeof(*f))))
        return -ENOMEM;
    f->host = host;
    f->opaque = opaque;
    f->cfg[0] = 0x86; f->cfg[1] = 0x80; f->cfg[2] = 0x12; f->cfg[3] = 0x19;
    f->cfg[0x20] = 1;   /* BAR4: I/O */
    fake_last = f;
    *out = (struct vgt_vgpu *)f;
    return 0;
}

static void destroy(struct vgt_vgpu *v)
{
    if ((struct fake_vgpu *)v == fake_last)
        fake_last = NULL;
    free(v);
}

static int cfg_read(struct vgt_vgpu *v, uint32_t reg, unsigned size, uint32_t *val)
{
    struct fake_vgpu *f = (struct fake_vgpu *)v;
    uint32_t x = 0;
    if (reg >= 256 || size > 256 - reg)
        return -EINVAL;
    for (unsigned i = 0; i < size; i++) {
        unsigned r = reg + i;
        uint8_t byte = f->cfg[r];
        if (r >= 0x10 && r < 0x28) {   /* BARs */
            int b = (int)(r - 0x10) / 4;
            uint32_t lo = bar_size[b] ? (f->bar_addr[b] & (uint32_t)~(bar_size[b] - 1)) |
                                            (b == 4 ? 1u : b == 2 ? 8u : 0u) : 0;
            byte = (uint8_t)(lo >> (8 * ((r - 0x10) % 4)));
        }
        x |= (uint32_t)byte << (8 * i);
    }
    *val = x;
    return 0;
}

static int cfg_write(struct vgt_vgpu *v, uint32_t reg, unsigned size, uint32_t val)
{
    struct fake_vgpu *f = (struct fake_vgpu *)v;
    struct vgt_bar before[VGT_NR_BARS], after[VGT_NR_BARS];
    if (reg >= 256 || size > 256 - reg)
        return -EINVAL;
    get_bars(v, before);
    if (reg >= 0x10 && reg < 0x28 && size == 4 && reg % 4 == 0) {
        int b = (int)(reg - 0x10) / 4;
        if (bar_size[b])
            f->bar_addr[b] = (val & (uint32_t)~(bar_size[b] - 1)) & (b == 4 ? 0xffffu : ~0u);
    } else if (reg < 0x10 || reg >= 0x28) {
        for (unsigned i = 0; i < size; i++)
            f->cfg[reg + i] = (uint8_t)(val >> (8 * i));
    }
    get_bars(v, after);
    for (int b = 0; b < VGT_NR_BARS; b++)
        if (memcmp(&before[b], &after[b], sizeof(before[b]))) {
            f->bar_changed_calls++;
            f->host->bar_changed(f->opaque, b, &before[b], &after[b]);
        }
    return 0;
}

static uint8_t *reg_ptr(struct fake_vgpu *f, int bar, uint64_t off, unsigned size)
{
    if (bar == 0 && off < FAKE_REGS_SIZE && size <= FAKE_REGS_SIZE - off)
        return f->regs + off;
    if (bar == 2 && off < FAKE_BAR2_SIZE)
        return f->aperture + (off % 4096 <= 4096 - size ? off % 4096 : 0);
    if (bar == 4 && off < FAKE_BAR4_SIZE && size <= FAKE_BAR4_SIZE - off)
        return f->io + off;
    return NULL;
}

static int bar_read(struct vgt_vgpu *v, int bar, uint64_t off, unsigned size, uint64_t *val)
{
    struct fake_vgpu *f = (struct fake_vgpu *)v;
    uint8_t *p;
    if (bar == 0 && off == FAKE_REG_HOOK && fake_hook)
        fake_hook();
    if (bar == 2) {   /* the aperture reads as its offset: easy to check rep copies */
        *val = off;
        return 0;
    }
    if (!(p = reg_ptr(f, bar, off, size))) {
        f->bad_access++;
        return -EINVAL;
    }
    *val = 0;
    memcpy(val, p, size);
    return 0;
}

static int bar_write(struct vgt_vgpu *v, int bar, uint64_t off, unsigned size, uint64_t val)
{
    struct fake_vgpu *f = (struct fake_vgpu *)v;
    uint8_t *p = reg_ptr(f, bar, off, size);
    if (!p) {
        f->bad_access++;
        return -EINVAL;
    }
    memcpy(p, &val, size);
    if (bar != 0)
        return 0;
    if (off == FAKE_REG_MSI)
        f->host->raise_msi(f->opaque, 0xfee00000u, (uint32_t)val);
    if (off == FAKE_REG_GREAD) {
        uint64_t x = 0;
        int rc = f->host->guest_read(f->opaque, val, &x, 8);
        memcpy(f->regs + FAKE_REG_GREAD_VAL, &x, 8);
        memcpy(f->regs + FAKE_REG_GREAD_RC, &rc, 4);
    }
    if (off == FAKE_REG_GWRITE) {
        uint64_t x = 0x1122334455667788ull;
        int rc = f->host->guest_write(f->opaque, val, &x, 8);
        memcpy(f->regs + FAKE_REG_GREAD_RC, &rc, 4);
    }
    if (off == FAKE_REG_DISPLAY_READY) {
        f->display.display_ready = val != 0;
        f->host->display_ready(f->opaque, val != 0);
    }
    if (off == FAKE_REG_INTX)
        f->host->set_intx(f->opaque, val != 0);
    return 0;
}

static int set_backing(struct vgt_vgpu *v, int bar, unsigned region, void *mem, size_t len)
{
    struct fake_vgpu *f = (struct fake_vgpu *)v;
    if (bar != 0 || region != 1)
        return -EINVAL;
    f->backing = mem;
    f->backing_len = len;
    f->set_backing_calls++;
    return 0;
}

static void reset(struct vgt_vgpu *v) { (void)v; }

static void get_display(struct vgt_vgpu *v, struct vgt_display_state *out)
{
    *out = ((struct fake_vgpu *)v)->display;
}

static int hotplug(struct vgt_vgpu *v, enum vgt_port port, const struct vgt_port_state *cfg)
{
    struct fake_vgpu *f = (struct fake_vgpu *)v;
    if (port >= VGT_PORT_MAX)
        return -ENXIO;
    if (cfg)
        f->display.ports[port] = *cfg;
    else
        memset(&f->display.ports[port], 0, sizeof(f->display.ports[port]));
    f->host->raise_msi(f->opaque, 0xfee00000u, 0x4000u + port);
    return 0;
}

static int read_framebuffer(struct vgt_vgpu *v, struct vgt_fb *fb, void *buf, size_t len)
{
    uint32_t *px = buf;
    if ((size_t)fb->width * fb->height * 4 != len)
        return -EINVAL;
    for (size_t i = 0; i < len / 4; i++)
        px[i] = 0xff000000u | (uint32_t)i;
    (void)v;
    return 0;
}

static void get_stats(struct vgt_vgpu *v, uint64_t stats[VGT_STAT_MAX])
{
    memset(stats, 0, sizeof(uint64_t) * VGT_STAT_MAX);
    stats[VGT_STAT_BAD_ACCESS] = ((struct fake_vgpu *)v)->bad_access;
}

const struct vgt_mediator_ops fake_mediator_ops = {
    .name = "fake",
    .create = create,
    .destroy = destroy,
    .cfg_read = cfg_read,
    .cfg_write = cfg_write,
    .bar_read = bar_read,
    .bar_write = bar_write,
    .get_bars = get_bars,
    .set_backing = set_backing,
    .reset = reset,
    .get_display = get_display,
    .hotplug = hotplug,
    .read_framebuffer = read_framebuffer,
    .get_stats = get_stats,
};
