/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vgt-replay [--profile FILE] [--events] CFG TRACE
 *
 * Runs a trace of guest accesses against the software vGPU model, with no
 * hypervisor: for golden tests, bug reports and checks.  The vGPU is the one
 * the xl config CFG would get as the first guest on a fresh GPU of the profile
 * (vgt_id 1); the GGTT half of BAR0 is backed by a buffer of our own and the
 * guest's RAM by a buffer of the config's memory size.
 *
 * Trace lines (numbers in C syntax, '#' starts a comment):
 *   cfg|mmio|aperture r OFFSET SIZE          prints the value read: 0x...
 *   cfg|mmio|aperture w OFFSET SIZE VALUE
 *   ram r|w GPA SIZE [VALUE]                 the guest's RAM, as the guest CPU sees it
 *   hotplug PORT connect TYPE [OVERRIDE]     a monitor with the type's built-in 1080p EDID
 *   hotplug PORT disconnect
 *   reset | vblank | stats | fb | bars | opregion
 * `mmio` is all of BAR0, the GGTT entries included.  A refused or invalid line
 * prints "error: ..." and the run goes on; the exit status is 0 when the trace
 * was read to its end.  --events also prints what the model tells its host
 * (BAR mapping changes, MSIs, ASLS, display_ready, GGTT flushes) as '#' lines.
 */
#include <getopt.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vgt/util.h"
#include "daemon/mediator/mediator.h"
#include "vgt/cleanup.h"
#include "vgt/config.h"

VGT_DEFINE_DISPOSE(vgt_diag)
VGT_DEFINE_DISPOSE(vgt_config)

struct replay {
    uint8_t *ram;
    uint64_t ram_len;
    uint8_t *ggtt;
    bool events;
    unsigned line;
    struct vgt_vgpu *v;
};

static void on_bar_changed(void *o, int bar, const struct vgt_bar *old_state,
                           const struct vgt_bar *new_state)
{
    struct replay *r = o;
    if (!r->events)
        return;
    if (old_state->decode)
        printf("# event: BAR%d unmapped from 0x%" PRIx64 "\n", bar, old_state->addr);
    if (new_state->decode)
        printf("# event: BAR%d mapped at 0x%" PRIx64 " size 0x%" PRIx64 "\n", bar, new_state->addr,
               new_state->size);
}

static void on_msi(void *o, uint64_t addr, uint32_t data)
{
    struct replay *r = o;
    if (r->events)
        printf("# event: MSI address 0x%" PRIx64 " data 0x%x\n", addr, data);
}

static void on_asls(void *o, uint32_t asls)
{
    struct replay *r = o;
    if (r->events)
        printf("# event: OpRegion at 0x%x (ASLS)\n", asls);
}

static void on_ggtt_flushed(void *o)
{
    struct replay *r = o;
    if (r->events)
        printf("# event: GGTT flushed\n");
}

static void on_display_ready(void *o, bool ready)
{
    struct replay *r = o;
    if (r->events)
        printf("# event: display_ready %d\n", ready);
}

static int on_guest_read(void *o, uint64_t gpa, void *buf, size_t len)
{
    struct replay *r = o;
    if (gpa >= r->ram_len || len > r->ram_len - gpa)
        return -EFAULT;
    memcpy(buf, r->ram + gpa, len);
    return 0;
}

static int on_guest_write(void *o, uint64_t gpa, const void *buf, size_t len)
{
    struct replay *r = o;
    if (gpa >= r->ram_len || len > r->ram_len - gpa)
        return -EFAULT;
    memcpy(r->ram + gpa, buf, len);
    return 0;
}

static void on_log(void *o, int level, const char *msg)
{
    fprintf(stderr, "vgt-replay: model: %s\n", msg);
}

static const struct vgt_host_ops host_ops = {
    .bar_changed = on_bar_changed, .raise_msi = on_msi, .guest_read = on_guest_read,
    .guest_write = on_guest_write, .log = on_log, .display_ready = on_display_ready,
    .asls_changed = on_asls, .ggtt_flushed = on_ggtt_flushed,
};

static void err(struct replay *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void err(struct replay *r, const char *fmt, ...)
{
    va_list ap;
    printf("error: line %u: ", r->line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

static void print_value(uint64_t val, unsigned size)
{
    if (size < 8)
        val &= (1ull << (8 * size)) - 1;
    printf("0x%" PRIx64 "\n", val);
}

static void do_access(struct replay *r, const char *space, char **w, int n)
{
    const struct vgt_mediator_ops *m = &vgt_swmodel_ops;
    uint64_t off, size, val = 0;
    bool write;
    int rc;

    if (n < 4 || (strcmp(w[1], "r") && strcmp(w[1], "w")) || vgt_parse_u64(w[2], &off) ||
        vgt_parse_u64(w[3], &size) || (w[1][0] == 'w') != (n == 5) || (n == 5 && vgt_parse_u64(w[4], &val))) {
        err(r, "expected: %s r OFFSET SIZE | %s w OFFSET SIZE VALUE", space, space);
        return;
    }
    write = w[1][0] == 'w';
    if (size < 1 || size > 8) {
        err(r, "size %" PRIu64 " (allowed 1..8)", size);
        return;
    }
    if (!strcmp(space, "ram")) {
        rc = write ? on_guest_write(r, off, &val, size) : on_guest_read(r, off, &val, size);
    } else if (!strcmp(space, "cfg")) {
        uint32_t v32 = 0;
        if (off > UINT32_MAX) {
            err(r, "config offset 0x%" PRIx64 " out of range", off);
            return;
        }
        rc = write ? m->cfg_write(r->v, (uint32_t)off, (unsigned)size, (uint32_t)val)
                   : m->cfg_read(r->v, (uint32_t)off, (unsigned)size, &v32);
        val = v32;
    } else {
        int bar = !strcmp(space, "mmio") ? VGT_BAR_MMIO : VGT_BAR_APERTURE;
        rc = write ? m->bar_write(r->v, bar, off, (unsigned)size, val)
                   : m->bar_read(r->v, bar, off, (unsigned)size, &val);
    }
    if (rc < 0)
        err(r, "%s %s 0x%" PRIx64 " %" PRIu64 ": refused (%s)", space, w[1], off, size, vgt_strerror(rc));
    else if (!write)
        print_value(val, (unsigned)size);
}

static void hotplug(struct replay *r, char **w, int n)
{
    struct vgt_port_state st = { .connected = true };
    int port = n >= 3 ? vgt_port_from_name(w[1]) : -1, type, over;
    int rc;

    if (port < 0 || (strcmp(w[2], "connect") && strcmp(w[2], "disconnect"))) {
        err(r, "expected: hotplug PORT connect TYPE [OVERRIDE] | hotplug PORT disconnect");
        return;
    }
    if (!strcmp(w[2], "disconnect")) {
        rc = vgt_swmodel_ops.hotplug(r->v, (enum vgt_port)port, NULL);
    } else {
        type = n >= 4 ? vgt_port_type_from_name(w[3]) : -1;
        over = n >= 5 ? vgt_port_from_name(w[4]) : port;
        if (type < 0 || over < 0) {
            err(r, "expected: hotplug PORT connect TYPE [OVERRIDE]");
            return;
        }
        st.type = (enum vgt_port_type)type;
        st.override = (enum vgt_port)over;
        memcpy(st.edid, vgt_port_type_default_edid(st.type), VGT_EDID_LEN);
        rc = vgt_swmodel_ops.hotplug(r->v, (enum vgt_port)port, &st);
    }
    if (rc < 0)
        err(r, "hotplug refused (%s)", vgt_strerror(rc));
}

static void print_stats(struct replay *r)
{
    uint64_t s[VGT_STAT_MAX];
    vgt_swmodel_ops.get_stats(r->v, s);
    printf("stats: bad_access=%" PRIu64 " ggtt_refused=%" PRIu64 " fence_refused=%" PRIu64
           " aperture_refused=%" PRIu64 " plane_refused=%" PRIu64 "\n",
           s[VGT_STAT_BAD_ACCESS], s[VGT_STAT_GGTT_REFUSED], s[VGT_STAT_FENCE_REFUSED],
           s[VGT_STAT_APERTURE_REFUSED], s[VGT_STAT_PLANE_REFUSED]);
}

static uint32_t fnv1a(const uint8_t *p, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* The primary plane and a checksum (FNV-1a) of its pixels as XRGB8888. */
static void print_fb(struct replay *r)
{
    struct vgt_display_state d;
    struct vgt_fb fb;
    _cleanup_free_ uint8_t *buf = NULL;
    size_t len;
    int rc;

    vgt_swmodel_ops.get_display(r->v, &d);
    fb = d.primary;
    printf("fb: enabled=%d display_ready=%d gm=0x%" PRIx64 " %ux%u stride=%u format=%.4s\n",
           fb.enabled, d.display_ready, fb.gm_addr, fb.width, fb.height, fb.stride,
           fb.drm_format ? (const char *)&fb.drm_format : "none");
    if (!fb.enabled)
        return;
    len = (size_t)fb.width * fb.height * 4;
    buf = malloc(len);
    if (!buf) {
        err(r, "no memory for the framebuffer");
        return;
    }
    rc = vgt_swmodel_ops.read_framebuffer(r->v, &fb, buf, len);
    if (rc < 0) {
        err(r, "framebuffer refused (%s)", vgt_strerror(rc));
        return;
    }
    printf("fb: pixels fnv1a=0x%08x\n", fnv1a(buf, len));
}

/* The OpRegion: its VBT's size and a checksum of the whole region. */
static void print_opregion(struct replay *r)
{
    static uint8_t o[VGT_OPREGION_SIZE];
    int rc = vgt_swmodel_ops.get_opregion(r->v, o, sizeof(o));

    if (rc < 0) {
        err(r, "no OpRegion (%s)", vgt_strerror(rc));
        return;
    }
    printf("opregion: %.16s vbt=%.4s vbt_size=%u fnv1a=0x%08x\n", (const char *)o,
           (const char *)o + 0x400, o[0x400 + 24] | o[0x400 + 25] << 8, fnv1a(o, sizeof(o)));
}

static void print_bars(struct replay *r)
{
    struct vgt_bar b[VGT_NR_BARS];
    vgt_swmodel_ops.get_bars(r->v, b);
    for (int i = 0; i < VGT_NR_BARS; i++)
        if (b[i].present)
            printf("bar%d: %s%s%s size=0x%" PRIx64 " addr=0x%" PRIx64 " decode=%d regions=%u\n", i,
                   b[i].is_io ? "io" : "mem", b[i].is_64bit ? " 64-bit" : "",
                   b[i].prefetchable ? " prefetchable" : "", b[i].size, b[i].addr, b[i].decode,
                   b[i].n_regions);
}

static void run_line(struct replay *r, char *line)
{
    char *w[8], *save = NULL, *hash = strchr(line, '#');
    int n = 0;

    if (hash)
        *hash = '\0';
    for (char *t = strtok_r(line, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
        if (n == (int)VGT_ARRAY_SIZE(w)) {
            err(r, "too many words");
            return;
        }
        w[n++] = t;
    }
    if (n == 0)
        return;
    if (!strcmp(w[0], "cfg") || !strcmp(w[0], "mmio") || !strcmp(w[0], "aperture") || !strcmp(w[0], "ram"))
        do_access(r, w[0], w, n);
    else if (!strcmp(w[0], "hotplug"))
        hotplug(r, w, n);
    else if (!strcmp(w[0], "reset") && n == 1)
        vgt_swmodel_ops.reset(r->v);
    else if (!strcmp(w[0], "vblank") && n == 1)
        vgt_swmodel_ops.vblank(r->v);
    else if (!strcmp(w[0], "stats") && n == 1)
        print_stats(r);
    else if (!strcmp(w[0], "fb") && n == 1)
        print_fb(r);
    else if (!strcmp(w[0], "bars") && n == 1)
        print_bars(r);
    else if (!strcmp(w[0], "opregion") && n == 1)
        print_opregion(r);
    else
        err(r, "unknown command '%s'", w[0]);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: vgt-replay [--profile NAME|FILE] [--events] CFG TRACE\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "profile", required_argument, NULL, 'p' },
        { "events", no_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    _cleanup_dispose_(vgt_diag) struct vgt_diag diag;
    _cleanup_dispose_(vgt_config) struct vgt_config cfg;
    _cleanup_fclose_ FILE *trace = NULL;
    _cleanup_free_ char *line = NULL;
    struct vgt_allocator *alloc = NULL;
    struct vgt_vgpu_params params = { 0 };
    struct vgt_profile profile;
    struct replay r = { 0 };
    const char *profile_name = NULL;
    size_t cap = 0;
    int c, rc, status = 1;

    vgt_diag_init(&diag);
    vgt_config_init(&cfg);
    while ((c = getopt_long(argc, argv, "p:eh", opts, NULL)) != -1) {
        switch (c) {
        case 'p': profile_name = optarg; break;
        case 'e': r.events = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (argc - optind != 2) {
        usage(stderr);
        return 2;
    }
    if ((rc = vgt_profile_load(profile_name, NULL, &profile, &diag)) < 0 ||
        (rc = vgt_config_read(argv[optind], NULL, 0, &profile, &cfg, &diag)) < 0)
        goto fail;
    if (!cfg.vgt) {
        fprintf(stderr, "vgt-replay: %s: no vgt=1: this guest has no vGPU\n", argv[optind]);
        return 1;
    }
    alloc = vgt_alloc_new(&profile);
    if (!alloc) {
        rc = -errno;
        goto fail;
    }
    params.profile = &profile;
    params.guest_mem_bytes = cfg.memory_mb * VGT_MB;
    params.vcpus = cfg.vcpus;
    if ((rc = vgt_alloc_take(alloc, &cfg.req, &params.part, &diag)) < 0)
        goto fail;
    trace = fopen(argv[optind + 1], "re");
    if (!trace) {
        fprintf(stderr, "vgt-replay: %s: %s\n", argv[optind + 1], strerror(errno));
        goto out;
    }
    r.ram_len = params.guest_mem_bytes;
    r.ram = calloc(1, r.ram_len ? r.ram_len : 1);
    r.ggtt = calloc(1, 8u << 20);
    if (!r.ram || !r.ggtt) {
        rc = -ENOMEM;
        goto fail;
    }
    if ((rc = vgt_swmodel_ops.create(&params, &host_ops, &r, &r.v)) < 0 ||
        (rc = vgt_swmodel_ops.set_backing(r.v, VGT_BAR_MMIO, 1, r.ggtt, 8u << 20)) < 0) {
        fprintf(stderr, "vgt-replay: cannot create the vGPU: %s\n", vgt_strerror(rc));
        goto out;
    }
    while (getline(&line, &cap, trace) >= 0) {
        r.line++;
        run_line(&r, line);
    }
    status = 0;
    goto out;
fail:
    vgt_diag_print(&diag, stderr);
    if (!diag.n)
        fprintf(stderr, "vgt-replay: %s\n", vgt_strerror(rc));
out:
    fflush(stdout);
    if (r.v)
        vgt_swmodel_ops.destroy(r.v);
    vgt_alloc_free(alloc);
    free(r.ram);
    free(r.ggtt);
    return status;
}
