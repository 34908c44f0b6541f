/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cost of the software vGPU model per emulated access: MMIO read, MMIO write,
 * GGTT entry write (8 bytes through BAR0, as a trapped guest write would come),
 * config read and aperture read.  Prints ns per operation (clock_gettime over
 * many iterations, best of several rounds); --json FILE writes the same figures.
 * --only OP runs just that operation's loop, untimed: bench/model-bench.sh runs
 * it under callgrind (--toggle-collect=bench_loop_OP) to count instructions.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "daemon/mediator/mediator.h"

#define M (&vgt_swmodel_ops)
#define RAM (16u << 20)

static uint8_t *ram, *ggtt;

static int b_read(void *o, uint64_t gpa, void *buf, size_t len)
{
    if (gpa >= RAM || len > RAM - gpa)
        return -EFAULT;
    memcpy(buf, ram + gpa, len);
    return 0;
}

static int b_write(void *o, uint64_t gpa, const void *buf, size_t len)
{
    if (gpa >= RAM || len > RAM - gpa)
        return -EFAULT;
    memcpy(ram + gpa, buf, len);
    return 0;
}

static const struct vgt_host_ops host = { .guest_read = b_read, .guest_write = b_write };

static const struct vgt_profile profile = {
    .name = "skl-gt2", .gen = 9, .device_id = 0x1912, .aperture_mb = 512, .ggtt_mb = 4096,
    .fences = 32, .host_low_mb = 96, .host_high_mb = 384, .host_fences = 4,
};

static volatile uint64_t sink;

/* One loop per operation, not inlined, so callgrind can collect exactly it. */
__attribute__((noinline)) void bench_loop_mmio_read(struct vgt_vgpu *v, unsigned long n);
__attribute__((noinline)) void bench_loop_mmio_read(struct vgt_vgpu *v, unsigned long n)
{
    static const uint32_t offs[4] = { 0x78010, 0xC6204, 0x45404, 0x44200 };
    uint64_t val, acc = 0;
    for (unsigned long i = 0; i < n; i++) {
        M->bar_read(v, VGT_BAR_MMIO, offs[i & 3], 4, &val);
        acc += val;
    }
    sink = acc;
}

__attribute__((noinline)) void bench_loop_mmio_write(struct vgt_vgpu *v, unsigned long n);
__attribute__((noinline)) void bench_loop_mmio_write(struct vgt_vgpu *v, unsigned long n)
{
    static const uint32_t offs[4] = { 0x20D0, 0x4094, 0x45404, 0x44308 };
    for (unsigned long i = 0; i < n; i++)
        M->bar_write(v, VGT_BAR_MMIO, offs[i & 3], 4, 0x00010001u ^ (uint32_t)(i & 0x100));
}

__attribute__((noinline)) void bench_loop_ggtt_write(struct vgt_vgpu *v, unsigned long n);
__attribute__((noinline)) void bench_loop_ggtt_write(struct vgt_vgpu *v, unsigned long n)
{
    uint64_t first = (8u << 20) + (0x06000000 / 4096) * 8;
    for (unsigned long i = 0; i < n; i++)
        M->bar_write(v, VGT_BAR_MMIO, first + (i & 0x7FFF) * 8, 8, 0x2067001);
}

__attribute__((noinline)) void bench_loop_cfg_read(struct vgt_vgpu *v, unsigned long n);
__attribute__((noinline)) void bench_loop_cfg_read(struct vgt_vgpu *v, unsigned long n)
{
    uint32_t val, acc = 0;
    for (unsigned long i = 0; i < n; i++) {
        M->cfg_read(v, (uint32_t)(i & 0x3C), 4, &val);
        acc += val;
    }
    sink = acc;
}

__attribute__((noinline)) void bench_loop_aperture_read(struct vgt_vgpu *v, unsigned long n);
__attribute__((noinline)) void bench_loop_aperture_read(struct vgt_vgpu *v, unsigned long n)
{
    uint64_t val, acc = 0;
    for (unsigned long i = 0; i < n; i++) {
        M->bar_read(v, VGT_BAR_APERTURE, 0x06000000 + ((i * 64) & 0xFFFF), 4, &val);
        acc += val;
    }
    sink = acc;
}

/* PTEs of the first 64 KiB of the guest's low GM -> guest pages 0.. (ggtt_write
 * rewrites them: the operations that follow it map them again) */
static void map_low_gm(struct vgt_vgpu *v)
{
    for (uint64_t i = 0; i < 16; i++)
        M->bar_write(v, VGT_BAR_MMIO, (8u << 20) + (0x06000000 / 4096 + i) * 8, 8, (i * 4096) | 3);
}

/* Execlist submissions (four ELSP writes each) of a context in the guest's low
 * GM: its register state at +0x1000, ring at +0x2000, batch at +0x3000, status
 * page at +0x4000 (guest pages 1-4, see setup). */
#define GM0 0x06000000u
static void elsp_setup(struct vgt_vgpu *v, bool loop)
{
    uint32_t *st = (uint32_t *)(ram + 0x1000), *ring = (uint32_t *)(ram + 0x2000),
             *batch = (uint32_t *)(ram + 0x3000);
    static const uint32_t breadcrumb[] = {
        0x10400002, GM0 + 0x4100, 0, 1,                 /* MI_STORE_DWORD_IMM */
        0x7A000004, (1u << 14) | (1u << 24), GM0 + 0x4108, 0, 2, 0,  /* PIPE_CONTROL */
        0x01000000, 0,                                  /* MI_USER_INTERRUPT, MI_NOOP */
    };
    map_low_gm(v);
    memset(ram + 0x1000, 0, 0x4000);
    if (loop) {   /* a batch of 1021 MI_NOOPs that chains to itself: the budget ends it */
        static const uint32_t start[] = { 0x18800001, GM0 + 0x3000, 0, 0 };
        memcpy(ring, start, sizeof(start));
        batch[1021] = 0x18800001;
        batch[1022] = GM0 + 0x3000;
        st[7] = sizeof(start);
    } else {
        memcpy(ring, breadcrumb, sizeof(breadcrumb));
        st[7] = sizeof(breadcrumb);
    }
    st[9] = GM0 + 0x2000;
    st[11] = 1;
    M->bar_write(v, VGT_BAR_MMIO, 0x2080, 4, GM0 + 0x4000);    /* RING_HWS_PGA */
}

static void elsp_submit(struct vgt_vgpu *v)
{
    static const uint32_t elsp[4] = { 0, 0, 0x20, GM0 | 0x09 };
    for (unsigned k = 0; k < 4; k++)
        M->bar_write(v, VGT_BAR_MMIO, 0x2230, 4, elsp[k]);
}

__attribute__((noinline)) static void elsp_loop(struct vgt_vgpu *v, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++) {
        ((uint32_t *)(ram + 0x1000))[5] = 0;        /* the context's head back to the start */
        elsp_submit(v);
    }
}

static void elsp_ring_setup(struct vgt_vgpu *v) { elsp_setup(v, false); }
static void elsp_budget_setup(struct vgt_vgpu *v) { elsp_setup(v, true); }

__attribute__((noinline)) void bench_loop_elsp_ring(struct vgt_vgpu *v, unsigned long n);
__attribute__((noinline)) void bench_loop_elsp_ring(struct vgt_vgpu *v, unsigned long n) { elsp_loop(v, n); }
__attribute__((noinline)) void bench_loop_elsp_budget(struct vgt_vgpu *v, unsigned long n);
__attribute__((noinline)) void bench_loop_elsp_budget(struct vgt_vgpu *v, unsigned long n) { elsp_loop(v, n); }

static const struct op {
    const char *name, *what;
    void (*loop)(struct vgt_vgpu *, unsigned long);
    void (*prepare)(struct vgt_vgpu *);
    unsigned long scale;            /* runs iterations / scale times (a heavy operation) */
} ops[] = {
    { "mmio_read", "MMIO read (4 bytes: PVINFO, plain, mirrored, master IRQ)", bench_loop_mmio_read, NULL, 1 },
    { "mmio_write", "MMIO write (4 bytes: masked, plain, mirrored, W1C IIR)", bench_loop_mmio_write, NULL, 1 },
    { "ggtt_write", "GGTT entry write (8 bytes through BAR0)", bench_loop_ggtt_write, NULL, 1 },
    { "cfg_read", "PCI config read (4 bytes)", bench_loop_cfg_read, NULL, 1 },
    { "aperture_read", "aperture read (4 bytes, through the GGTT)", bench_loop_aperture_read, map_low_gm, 1 },
    { "elsp_ring", "ELSP submission: a 12-dword breadcrumb ring", bench_loop_elsp_ring,
      elsp_ring_setup, 100 },
    { "elsp_budget", "ELSP submission: a looping batch, the whole budget", bench_loop_elsp_budget,
      elsp_budget_setup, 100000 },
};
#define N_OPS (sizeof(ops) / sizeof(ops[0]))

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static struct vgt_vgpu *setup(void)
{
    struct vgt_vgpu_params p = {
        .profile = &profile,
        .part = { .vgt_id = 1, .low_base = 0x06000000, .low_size = 128u << 20,
                  .high_base = 0x38000000, .high_size = 384u << 20, .fence_base = 4, .fence_count = 4 },
        .guest_mem_bytes = RAM, .vcpus = 1,
    };
    struct vgt_vgpu *v;

    ram = calloc(1, RAM);
    ggtt = calloc(1, 8u << 20);
    if (!ram || !ggtt || M->create(&p, &host, NULL, &v) < 0 ||
        M->set_backing(v, VGT_BAR_MMIO, 1, ggtt, 8u << 20) < 0) {
        fprintf(stderr, "model-bench: cannot create a vGPU\n");
        exit(1);
    }
    map_low_gm(v);
    return v;
}

static unsigned long iterations(const struct op *o, unsigned long n)
{
    unsigned long k = o->scale ? n / o->scale : n;
    return k ? k : 1;
}

int main(int argc, char **argv)
{
    static const struct option lopts[] = {
        { "iterations", required_argument, NULL, 'n' },
        { "json", required_argument, NULL, 'j' },
        { "only", required_argument, NULL, 'o' },
        { NULL, 0, NULL, 0 },
    };
    unsigned long n = 2000000;
    const char *json = NULL, *only = NULL;
    double ns[N_OPS];
    struct vgt_vgpu *v;
    int c;

    while ((c = getopt_long(argc, argv, "n:j:o:", lopts, NULL)) != -1) {
        switch (c) {
        case 'n': n = strtoul(optarg, NULL, 0); break;
        case 'j': json = optarg; break;
        case 'o': only = optarg; break;
        default:
            fprintf(stderr, "usage: model-bench [--iterations N] [--json FILE] [--only OP]\n");
            return 2;
        }
    }
    if (n == 0)
        n = 1;
    v = setup();
    if (only) {   /* prints the iterations it ran: what the instructions are divided by */
        for (unsigned i = 0; i < N_OPS; i++)
            if (!strcmp(ops[i].name, only)) {
                unsigned long k = iterations(&ops[i], n);
                if (ops[i].prepare)
                    ops[i].prepare(v);
                ops[i].loop(v, k);
                printf("%lu\n", k);
                M->destroy(v);
                return 0;
            }
        fprintf(stderr, "model-bench: unknown operation '%s'\n", only);
        return 2;
    }
    printf("Software vGPU model: cost per emulated access (%lu iterations, best of 5)\n", n);
    printf("%-14s %9s  %s\n", "operation", "ns/op", "what");
    for (unsigned i = 0; i < N_OPS; i++) {
        double best = 1e300;
        unsigned long k = iterations(&ops[i], n);
        if (ops[i].prepare)
            ops[i].prepare(v);
        ops[i].loop(v, k / 10 + 1);                 /* warm up */
        for (int round = 0; round < 5; round++) {
            double t0 = now_ns();
            ops[i].loop(v, k);
            double t = (now_ns() - t0) / k;
            if (t < best)
                best = t;
        }
        ns[i] = best;
        printf("%-14s %9.1f  %s\n", ops[i].name, best, ops[i].what);
    }
    if (json) {
        FILE *f = strcmp(json, "-") ? fopen(json, "w") : stdout;
        if (!f) {
            perror(json);
            return 1;
        }
        fprintf(f, "{\"benchmark\":\"model\",\"iterations\":%lu,\"ns_per_op\":{", n);
        for (unsigned i = 0; i < N_OPS; i++)
            fprintf(f, "%s\"%s\":%.2f", i ? "," : "", ops[i].name, ns[i]);
        fprintf(f, "}}\n");
        if (f != stdout)
            fclose(f);
    }
    M->destroy(v);
    free(ram);
    free(ggtt);
    return 0;
}
