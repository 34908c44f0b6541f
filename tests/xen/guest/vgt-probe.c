/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vgt-probe: the guest side of the real-Xen scenarios.  A static program in the
 * guest's initramfs that looks at the vGPU the way a driver would (sysfs, BAR0
 * through resource0) and prints what it saw as machine-readable lines
 *     VGTCHECK key=value
 * on stdout (the guest's serial console, which dom0 reads from a file).
 *
 *   vgt-probe info            find the GPU, print ids, BARs and the PVINFO page
 *   vgt-probe contain         program fences, GGTT entries, a plane surface and
 *                             aperture accesses outside the guest's partition
 *   vgt-probe fb RGB          draw a solid XRGB8888 colour in a framebuffer of
 *                             the guest's own memory and scan it out on pipe A
 *   vgt-probe kms RGB         the same colour through the guest's DRM driver (i915):
 *                             a dumb buffer on the first connected connector
 *   vgt-probe gem VALUE       a batch (MI_STORE_DWORD_IMM VALUE) through i915's
 *                             execbuffer; wait for it, read the value back
 *   vgt-probe hotplug [SECS]  watch the ports' hot-plug state and interrupts, read
 *                             the EDID of connected ports over GMBUS
 *   vgt-probe ports           the monitors the guest finds at boot: each port's
 *                             hot-plug state, and the whole EDID base block of a
 *                             connected one, over DP AUX (DP sink) or GMBUS (DDC)
 *   vgt-probe bench N         N 4-byte MMIO reads of a vGPU register and of a
 *                             QEMU-emulated register (stdvga BAR2) in 21
 *                             interleaved rounds: median and best ns per read,
 *                             median of the rounds' ratios
 *   vgt-probe beat [SECS]     every 2 s read the PVINFO magic (a live round trip
 *                             through the worker) and print a numbered heartbeat
 *                             (with whether a scratch register kept its value)
 *   vgt-probe peek OFF / poke OFF VAL   one BAR0 register, 4 bytes
 *
 * Exit status: 0 done, 1 no GPU or an access failed, 2 usage.
 */
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SYS_PCI "/sys/bus/pci/devices"
#define BAR0_SIZE (16u << 20)
#define PVINFO 0x78000u
#define VGT_MAGIC 0x4776544776544776ull
#define GGTT_OFF (8u << 20)       /* GGTT PTEs in the upper half of BAR0 */
#define FENCE_BASE 0x100000u      /* gen6+ FENCE_REG lo/hi, 8 bytes each */
#define PLANE_CTL_1_A 0x70180u
#define PLANE_STRIDE_1_A 0x70188u
#define PLANE_POS_1_A 0x7018cu
#define PLANE_SIZE_1_A 0x70190u
#define PLANE_SURF_1_A 0x7019cu
#define PIPESRC_A 0x6001cu
#define SDEISR 0xc4000u

struct gpu {
    char bdf[260];
    char dir[300];
    uint64_t bar_start[6], bar_size[6];
    volatile uint8_t *mmio;
};

struct pvinfo {
    uint64_t magic;
    unsigned ver_major, ver_minor, vgt_id, caps;
    uint32_t low_base, low_size, high_base, high_size, fences;
};

static void check(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(const char *key, const char *fmt, ...)
{
    va_list ap;
    printf("VGTCHECK %s=", key);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static int read_hex(const char *dir, const char *file, unsigned long *v)
{
    char path[400], buf[64];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    if (!f)
        return -errno;
    int ok = fgets(buf, sizeof(buf), f) != NULL;
    fclose(f);
    if (!ok)
        return -EIO;
    *v = strtoul(buf, NULL, 0);
    return 0;
}

static int write_str(const char *dir, const char *file, const char *s)
{
    char path[400];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, s, strlen(s));
    int err = n < 0 ? -errno : 0;
    close(fd);
    return err;
}

/* First PCI device with this vendor (and device, if not 0) and base class (class >> 16). */
static int find_dev(unsigned vendor, unsigned device, unsigned class_hi, struct gpu *g)
{
    DIR *d = opendir(SYS_PCI);
    if (!d)
        return -errno;
    struct dirent *e;
    int found = -ENODEV;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char dir[300];
        unsigned long v, dv, cl;
        snprintf(dir, sizeof(dir), SYS_PCI "/%s", e->d_name);
        if (read_hex(dir, "vendor", &v) || read_hex(dir, "device", &dv) || read_hex(dir, "class", &cl))
            continue;
        if (v != vendor || (device && dv != device) || (class_hi && (cl >> 16) != class_hi))
            continue;
        snprintf(g->bdf, sizeof(g->bdf), "%s", e->d_name);
        snprintf(g->dir, sizeof(g->dir), "%s", dir);
        found = 0;
        break;
    }
    closedir(d);
    if (found)
        return found;
    char path[400];
    snprintf(path, sizeof(path), "%s/resource", g->dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -errno;
    for (int i = 0; i < 6; i++) {
        unsigned long long s, en, fl;
        g->bar_start[i] = g->bar_size[i] = 0;
        if (fscanf(f, "%llx %llx %llx", &s, &en, &fl) != 3)
            break;
        g->bar_start[i] = s;
        g->bar_size[i] = en > s ? en - s + 1 : 0;
    }
    fclose(f);
    return 0;
}

static volatile uint8_t *map_bar(const struct gpu *g, int bar, size_t size)
{
    char path[400];
    snprintf(path, sizeof(path), "%s/resource%d", g->dir, bar);
    int fd = open(path, O_RDWR | O_SYNC);
    if (fd < 0)
        return NULL;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    return p == MAP_FAILED ? NULL : p;
}

static inline uint32_t rd32(volatile uint8_t *m, uint32_t off) { return *(volatile uint32_t *)(m + off); }
static inline uint16_t rd16(volatile uint8_t *m, uint32_t off) { return *(volatile uint16_t *)(m + off); }
static inline void wr32(volatile uint8_t *m, uint32_t off, uint32_t v) { *(volatile uint32_t *)(m + off) = v; }
static inline void wr64(volatile uint8_t *m, uint32_t off, uint64_t v) { *(volatile uint64_t *)(m + off) = v; }

static uint64_t rd64_once(volatile uint8_t *m, uint32_t off)
{
    uint64_t v;
    /* One 8-byte load, as i915's readq: the model must answer it as one access. */
    __asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(m + off) : "memory");
    return v;
}

static int open_gpu(struct gpu *g, int verbose)
{
    int err = find_dev(0x8086, 0, 0x03, g);
    if (err) {
        check("gpu", "none");
        return err;
    }
    if (verbose) {
        unsigned long v = 0, d = 0, c = 0, sv = 0, sd = 0, rev = 0;
        read_hex(g->dir, "vendor", &v);
        read_hex(g->dir, "device", &d);
        read_hex(g->dir, "class", &c);
        read_hex(g->dir, "subsystem_vendor", &sv);
        read_hex(g->dir, "subsystem_device", &sd);
        read_hex(g->dir, "revision", &rev);
        check("gpu_bdf", "%s", g->bdf);
        check("gpu_id", "%04lx:%04lx", v, d);
        check("gpu_class", "0x%06lx", c);
        check("gpu_subsys", "%04lx:%04lx", sv, sd);
        check("gpu_rev", "0x%02lx", rev);
        for (int i = 0; i < 6; i++)
            if (g->bar_size[i])
                check("gpu_bar", "%d,0x%" PRIx64 ",0x%" PRIx64, i, g->bar_start[i], g->bar_size[i]);
    }
    err = write_str(g->dir, "enable", "1");
    if (err && verbose)
        check("gpu_enable", "error %d", err);
    if (g->bar_size[0] < BAR0_SIZE) {
        check("gpu_mmio", "error BAR0 is 0x%" PRIx64 " bytes, want 16 MiB", g->bar_size[0]);
        return -ENXIO;
    }
    g->mmio = map_bar(g, 0, BAR0_SIZE);
    if (!g->mmio) {
        check("gpu_mmio", "error mmap resource0: %s", strerror(errno));
        return -EIO;
    }
    return 0;
}

static void read_pvinfo(struct gpu *g, struct pvinfo *p)
{
    volatile uint8_t *m = g->mmio + PVINFO;
    p->magic = rd64_once(m, 0x00);
    p->ver_major = rd16(m, 0x08);
    p->ver_minor = rd16(m, 0x0a);
    p->vgt_id = rd32(m, 0x0c);
    p->caps = rd32(m, 0x10);
    p->low_base = rd32(m, 0x40);
    p->low_size = rd32(m, 0x44);
    p->high_base = rd32(m, 0x48);
    p->high_size = rd32(m, 0x4c);
    p->fences = rd32(m, 0x50);
}

static void print_pvinfo(const struct pvinfo *p)
{
    check("pv_magic", "0x%016" PRIx64, p->magic);
    check("pv_magic_ok", "%d", p->magic == VGT_MAGIC);
    check("pv_version", "%u.%u", p->ver_major, p->ver_minor);
    check("pv_vgt_id", "%u", p->vgt_id);
    check("pv_caps", "0x%x", p->caps);
    check("pv_low", "0x%x,0x%x", p->low_base, p->low_size);
    check("pv_high", "0x%x,0x%x", p->high_base, p->high_size);
    check("pv_fences", "%u", p->fences);
}

static int cmd_info(void)
{
    struct gpu g;
    struct pvinfo p;
    int err = open_gpu(&g, 1);
    if (err)
        return 1;
    read_pvinfo(&g, &p);
    print_pvinfo(&p);
    return 0;
}

/* Physical address of a locked user page (root only), or 0. */
static uint64_t phys_of(void *va)
{
    int fd = open("/proc/self/pagemap", O_RDONLY);
    if (fd < 0)
        return 0;
    uint64_t ent = 0;
    off_t off = (off_t)((uintptr_t)va / 4096) * 8;
    ssize_t n = pread(fd, &ent, sizeof(ent), off);
    close(fd);
    if (n != sizeof(ent) || !(ent & (1ull << 63)))
        return 0;
    return (ent & ((1ull << 55) - 1)) * 4096;
}

static uint64_t pte_for(uint64_t phys) { return (phys & ~0xfffull) | 1; /* valid */ }

/*
 * Containment (scenario d): everything here is outside the guest's partition or
 * its memory; the model must refuse and count it, and keep the other guests intact.
 * Prints what the guest read back; dom0 checks the counters and the others' state.
 */
static int cmd_contain(void)
{
    struct gpu g;
    struct pvinfo p;
    if (open_gpu(&g, 0))
        return 1;
    read_pvinfo(&g, &p);
    print_pvinfo(&p);
    uint32_t low_end = p.low_base + p.low_size, high_end = p.high_base + p.high_size;
    /* a GM address outside both own ranges: just below the own low range, or above */
    uint32_t foreign_gm = p.low_base >= 0x100000 ? p.low_base - 0x100000 : high_end;
    if (foreign_gm >= p.high_base && foreign_gm < high_end)
        foreign_gm = low_end;
    check("contain_foreign_gm", "0x%x", foreign_gm);

    /* 1. GGTT entry outside the partition, pointing at a frame outside guest memory */
    uint32_t pte_off = GGTT_OFF + (foreign_gm >> 12) * 8;
    uint64_t bogus = pte_for(0xfff00000000ull);
    wr64(g.mmio, pte_off, bogus);
    check("contain_ggtt_foreign_readback", "0x%016" PRIx64, rd64_once(g.mmio, pte_off));
    /* 2. GGTT entry inside the partition pointing at memory the guest does not own */
    uint32_t own_pte = GGTT_OFF + (p.low_base >> 12) * 8;
    wr64(g.mmio, own_pte, bogus);
    check("contain_ggtt_own_badframe_readback", "0x%016" PRIx64, rd64_once(g.mmio, own_pte));

    /* 3. fence beyond fence_num and a fence of own index covering foreign GM */
    uint32_t fidx = p.fences < 32 ? p.fences : 31;
    wr32(g.mmio, FENCE_BASE + fidx * 8, foreign_gm | 1);
    wr32(g.mmio, FENCE_BASE + fidx * 8 + 4, foreign_gm + 0xfffff);
    check("contain_fence_beyond_readback", "0x%08x", rd32(g.mmio, FENCE_BASE + fidx * 8));
    wr32(g.mmio, FENCE_BASE, (foreign_gm & ~0xfffu) | 1);
    wr32(g.mmio, FENCE_BASE + 4, (foreign_gm + 0xfffff) & ~0xfffu);
    check("contain_fence_foreign_readback", "0x%08x", rd32(g.mmio, FENCE_BASE));

    /* 4. scan out a surface outside the partition */
    wr32(g.mmio, PIPESRC_A, ((640 - 1) << 16) | (480 - 1));
    wr32(g.mmio, PLANE_STRIDE_1_A, 640 * 4 / 64);
    wr32(g.mmio, PLANE_SIZE_1_A, ((480 - 1) << 16) | (640 - 1));
    wr32(g.mmio, PLANE_CTL_1_A, 0x80000000u | (4u << 24)); /* enable, XRGB8888 */
    wr32(g.mmio, PLANE_SURF_1_A, foreign_gm);
    check("contain_plane_surf_readback", "0x%08x", rd32(g.mmio, PLANE_SURF_1_A));

    /* 5. aperture access outside the own low range, and through entry 2 (own GM,
     *    a frame outside the guest's memory): the GGTT lives in guest memory, so
     *    the entries are stored as written; what counts is that using them fails */
    if (g.bar_size[2] >= (uint64_t)foreign_gm + 4096 && g.bar_size[2] >= (uint64_t)p.low_base + 4096) {
        volatile uint8_t *ap = map_bar(&g, 2, g.bar_size[2]);
        if (ap) {
            *(volatile uint32_t *)(ap + foreign_gm) = 0xdeadbeef;
            check("contain_aperture_foreign_readback", "0x%08x", *(volatile uint32_t *)(ap + foreign_gm));
            *(volatile uint32_t *)(ap + p.low_base) = 0xdeadbeef;
            check("contain_aperture_badentry_readback", "0x%08x", *(volatile uint32_t *)(ap + p.low_base));
            munmap((void *)ap, g.bar_size[2]);
        } else {
            check("contain_aperture", "error mmap resource2: %s", strerror(errno));
        }
    }
    /* the plane stays on, pointing outside: dom0's screenshot must refuse it */
    check("contain_done", "1");
    return 0;
}

/*
 * Scenario i: a 640x480 XRGB8888 framebuffer in the guest's own RAM, bound into
 * the first pages of its low GM through the GGTT, scanned out by plane 1 of pipe A.
 */
static int cmd_fb(uint32_t rgb)
{
    enum { W = 640, H = 480, STRIDE = W * 4, PAGES = (STRIDE * H + 4095) / 4096 };
    struct gpu g;
    struct pvinfo p;
    if (open_gpu(&g, 0))
        return 1;
    read_pvinfo(&g, &p);
    if (p.magic != VGT_MAGIC || p.low_size < PAGES * 4096u) {
        check("fb", "error no vGPU or low GM too small");
        return 1;
    }
    uint32_t *fb = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED,
                        -1, 0);
    if (fb == MAP_FAILED) {
        check("fb", "error mmap: %s", strerror(errno));
        return 1;
    }
    for (unsigned i = 0; i < W * H; i++)
        fb[i] = rgb;
    /* the GM address of the surface: past the first page (i915 keeps it for error capture) */
    uint32_t gm = p.low_base + 4096;
    for (unsigned i = 0; i < PAGES; i++) {
        uint64_t pa = phys_of((uint8_t *)fb + i * 4096);
        if (!pa) {
            check("fb", "error no physical address for page %u", i);
            return 1;
        }
        wr64(g.mmio, GGTT_OFF + ((gm >> 12) + i) * 8, pte_for(pa));
    }
    wr32(g.mmio, PIPESRC_A, ((W - 1) << 16) | (H - 1));
    wr32(g.mmio, PLANE_STRIDE_1_A, STRIDE / 64);
    wr32(g.mmio, PLANE_POS_1_A, 0);
    wr32(g.mmio, PLANE_SIZE_1_A, ((H - 1) << 16) | (W - 1));
    wr32(g.mmio, PLANE_CTL_1_A, 0x80000000u | (4u << 24));
    wr32(g.mmio, PLANE_SURF_1_A, gm);
    wr32(g.mmio, PVINFO + 0x804, 1); /* display_ready */
    check("fb_gm", "0x%x", gm);
    check("fb_size", "%ux%u", W, H);
    check("fb_rgb", "0x%06x", rgb & 0xffffff);
    check("fb_done", "1");
    /* the pages must stay put while dom0 takes the screenshot */
    fflush(stdout);
    for (;;)
        pause();
}

#define GMBUS0 0xc5100u
#define GMBUS1 0xc5104u
#define GMBUS2 0xc5108u
#define GMBUS3 0xc510cu
#define SDEIMR 0xc4004u
#define SDEIIR 0xc4008u

/* Poll GMBUS2 for one of the bits; 0 when seen, -1 on NAK or timeout (~50 ms). */
static int gmbus_wait(volatile uint8_t *m, uint32_t bit)
{
    for (int i = 0; i < 500; i++) {
        uint32_t st = rd32(m, GMBUS2);
        if (st & (1u << 10)) /* NAK */
            return -1;
        if (st & bit)
            return 0;
        usleep(100);
    }
    return -1;
}

/* The 128-byte EDID base block of the monitor on a GMBUS pin (DDC address 0x50). */
static int gmbus_edid(volatile uint8_t *m, unsigned pin, uint8_t edid[128])
{
    int err = 0;
    wr32(m, GMBUS0, pin);
    /* SW_RDY | CYCLE_INDEX|CYCLE_WAIT | 128 bytes | index 0 | 0x50 read */
    wr32(m, GMBUS1, (1u << 30) | (1u << 26) | (1u << 25) | (128u << 16) | (0x50u << 1) | 1u);
    for (unsigned i = 0; i < 128 && !err; i += 4) {
        if (gmbus_wait(m, 1u << 11)) { /* HW_RDY */
            err = -1;
            break;
        }
        uint32_t v = rd32(m, GMBUS3);
        for (unsigned k = 0; k < 4 && i + k < 128; k++)
            edid[i + k] = (uint8_t)(v >> (8 * k));
    }
    wr32(m, GMBUS1, (1u << 30) | (4u << 25)); /* SW_RDY | CYCLE_STOP */
    gmbus_wait(m, 1u << 14);                   /* HW_WAIT_PHASE */
    wr32(m, GMBUS1, 1u << 31);                 /* SW_CLR_INT */
    wr32(m, GMBUS1, 0);
    wr32(m, GMBUS0, 0);
    return err;
}

static void report_edid(volatile uint8_t *m, const char *port, unsigned pin)
{
    static const uint8_t hdr[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
    uint8_t e[128];
    char key[32];
    snprintf(key, sizeof(key), "edid_%s", port);
    if (gmbus_edid(m, pin, e)) {
        check(key, "none");
        return;
    }
    unsigned sum = 0;
    for (int i = 0; i < 128; i++)
        sum += e[i];
    char hex[2 * 16 + 1];
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", e[8 + i]);
    check(key, "header_ok=%d,sum_ok=%d,id=%s", !memcmp(e, hdr, 8), (sum & 0xff) == 0, hex);
}

/*
 * Scenario e: watch the south display engine's hot-plug state (SDEISR, live) and
 * latched interrupts (SDEIIR, write 1 to clear) for SECS seconds; on every change
 * print both, and read the EDID of each port that is connected.
 */
static int cmd_hotplug(unsigned secs)
{
    static const struct { const char *name; uint32_t bit; unsigned pin; } ports[] = {
        { "PORT_B", 1u << 21, 5 }, { "PORT_C", 1u << 22, 4 }, { "PORT_D", 1u << 23, 6 },
    };
    struct gpu g;
    if (open_gpu(&g, 0))
        return 1;
    uint32_t last = ~0u, all = 0;
    unsigned irqs = 0;
    /* as a driver does: unmask the ports' hot-plug events, or nothing latches in IIR */
    for (unsigned i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
        all |= ports[i].bit;
    wr32(g.mmio, SDEIMR, rd32(g.mmio, SDEIMR) & ~all);
    wr32(g.mmio, SDEIIR, rd32(g.mmio, SDEIIR));
    for (unsigned t = 0; t <= secs * 10; t++) {
        uint32_t isr = rd32(g.mmio, SDEISR), iir = rd32(g.mmio, SDEIIR);
        if (iir) {
            irqs++;
            check("hp_iir", "0x%08x", iir);
            wr32(g.mmio, SDEIIR, iir);
        }
        if (isr != last) {
            check("hp_sdeisr", "0x%08x", isr);
            for (unsigned i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
                char key[32];
                snprintf(key, sizeof(key), "hp_%s", ports[i].name);
                check(key, "%s", isr & ports[i].bit ? "connected" : "disconnected");
                if ((isr & ports[i].bit) && (last == ~0u || !(last & ports[i].bit)))
                    report_edid(g.mmio, ports[i].name, ports[i].pin);
            }
            last = isr;
        }
        usleep(100000);
    }
    check("hp_irqs", "%u", irqs);
    return 0;
}

#define DE_PORT_ISR 0x44440u
#define AUX_CTL_A 0x64010u     /* + 0x100 per DDI; 5 data registers follow */
#define AUX_BUSY (1u << 31)
#define AUX_DONE (1u << 30)
#define AUX_TIMEOUT (1u << 28)
#define AUX_RCV_ERR (1u << 25)

/* One DP AUX transaction on DDI ddi (0..3); the reply in rep, its length in *n.
 * 0, or -1 when nothing answers (time-out, receive error, never done). */
static int aux_xfer(volatile uint8_t *m, unsigned ddi, const uint8_t *req, unsigned size,
                    uint8_t rep[20], unsigned *n)
{
    uint32_t ctl_reg = AUX_CTL_A + ddi * 0x100u, ctl = 0;
    for (unsigned k = 0; k < 5; k++) {
        uint32_t w = 0;
        for (unsigned b = 0; b < 4; b++)
            w |= (uint32_t)(4 * k + b < size ? req[4 * k + b] : 0) << (24 - 8 * b);
        wr32(m, ctl_reg + 4 + 4 * k, w);
    }
    /* start, and clear the sticky status bits (write 1) as i915 does */
    wr32(m, ctl_reg, AUX_BUSY | AUX_DONE | AUX_TIMEOUT | AUX_RCV_ERR | (size << 20));
    for (int i = 0; i < 100; i++) {
        ctl = rd32(m, ctl_reg);
        if (!(ctl & AUX_BUSY))
            break;
        usleep(100);
    }
    if ((ctl & AUX_BUSY) || !(ctl & AUX_DONE) || (ctl & (AUX_TIMEOUT | AUX_RCV_ERR)))
        return -1;
    *n = (ctl >> 20) & 0x1f;
    if (*n > 20)
        *n = 20;
    for (unsigned k = 0; k < 5; k++) {
        uint32_t w = rd32(m, ctl_reg + 4 + 4 * k);
        for (unsigned b = 0; b < 4; b++)
            rep[4 * k + b] = (uint8_t)(w >> (24 - 8 * b));
    }
    return 0;
}

/* A DP sink answers a native DPCD read of its revision (address 0). */
static int aux_dpcd_rev(volatile uint8_t *m, unsigned ddi)
{
    const uint8_t req[4] = { 0x90, 0, 0, 0 };   /* native read, 1 byte at 0x00000 */
    uint8_t rep[20];
    unsigned n = 0;
    if (aux_xfer(m, ddi, req, 4, rep, &n) || n < 2 || (rep[0] & 0xf0))
        return -1;
    return rep[1];
}

/* The EDID base block over I2C-over-AUX: offset 0 to 0x50, then 16-byte reads. */
static int aux_edid(volatile uint8_t *m, unsigned ddi, uint8_t edid[128])
{
    const uint8_t set[5] = { 0x40, 0, 0x50, 0, 0 };   /* I2C write, MOT, 1 byte: offset 0 */
    const uint8_t rd[4] = { 0x50, 0, 0x50, 15 };      /* I2C read, MOT, 16 bytes */
    const uint8_t stop[3] = { 0x10, 0, 0x50 };        /* address-only read: STOP */
    uint8_t rep[20];
    unsigned n = 0;
    if (aux_xfer(m, ddi, set, 5, rep, &n) || (rep[0] & 0xf0))
        return -1;
    for (unsigned i = 0; i < 128; i += 16) {
        if (aux_xfer(m, ddi, rd, 4, rep, &n) || (rep[0] & 0xf0) || n != 17)
            return -1;
        memcpy(edid + i, rep + 1, 16);
    }
    aux_xfer(m, ddi, stop, 3, rep, &n);
    return 0;
}

/*
 * The monitors as the guest finds them when it starts (issue 9), and its online
 * CPUs (the display scenarios run 2-vCPU guests): for PORT_A..E
 * the live hot-plug state; for a connected port, whether a DP sink answers on
 * AUX (else the DDC pin of GMBUS) and the whole 128-byte EDID it reads there.
 */
static int cmd_ports(void)
{
    static const struct { const char *name; uint32_t isr, bit; unsigned pin; } ports[] = {
        { "PORT_A", DE_PORT_ISR, 1u << 3, 0 }, { "PORT_B", SDEISR, 1u << 21, 5 },
        { "PORT_C", SDEISR, 1u << 22, 4 },     { "PORT_D", SDEISR, 1u << 23, 6 },
        { "PORT_E", SDEISR, 1u << 25, 2 },
    };
    struct gpu g;
    check("cpus", "%ld", sysconf(_SC_NPROCESSORS_ONLN));
    if (open_gpu(&g, 0))
        return 1;
    unsigned connected = 0;
    for (unsigned i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
        char key[40], hex[2 * 128 + 1];
        uint8_t e[128];
        int conn = (rd32(g.mmio, ports[i].isr) & ports[i].bit) != 0, rev = -1, err = -1;
        snprintf(key, sizeof(key), "mon_%s", ports[i].name);
        check(key, "%s", conn ? "connected" : "disconnected");
        if (!conn)
            continue;
        connected++;
        if (i < 4)
            rev = aux_dpcd_rev(g.mmio, i);
        if (rev >= 0)
            err = aux_edid(g.mmio, i, e);
        else if (ports[i].pin)
            err = gmbus_edid(g.mmio, ports[i].pin, e);
        snprintf(key, sizeof(key), "mon_%s_sink", ports[i].name);
        if (rev >= 0)
            check(key, "DP,dpcd_rev=0x%02x", (unsigned)rev);
        else
            check(key, "DDC");
        snprintf(key, sizeof(key), "mon_edid_%s", ports[i].name);
        if (err) {
            check(key, "none");
            continue;
        }
        for (int k = 0; k < 128; k++)
            snprintf(hex + 2 * k, 3, "%02x", e[k]);
        check(key, "%s", hex);
    }
    check("mon_connected", "%u", connected);
    return 0;
}

/*
 * Scenario g: a heartbeat that needs the worker.  Each beat is an MMIO read of the
 * PVINFO magic; while no worker serves the guest the read blocks, so beats resume
 * (with the right magic) only once the restarted worker has taken over.  A value
 * written once at the start into a scratch register (SWF_ILK(4): stored as-is by
 * the model, i915 touches it only on suspend) must read back on every beat: the
 * restarted worker keeps the device state ("beat=N,MAGIC_OK,KEPT_OK").
 */
#define BEAT_SCRATCH 0x4F010u
#define BEAT_KEPT 0x6B657074u           /* "kept" */
static int cmd_beat(unsigned secs)
{
    struct gpu g;
    if (open_gpu(&g, 0))
        return 1;
    wr32(g.mmio, BEAT_SCRATCH, BEAT_KEPT);
    for (unsigned n = 1; n <= secs / 2; n++) {
        uint64_t magic = rd32(g.mmio, PVINFO) | (uint64_t)rd32(g.mmio, PVINFO + 4) << 32;
        check("beat", "%u,%d,%d", n, magic == VGT_MAGIC, rd32(g.mmio, BEAT_SCRATCH) == BEAT_KEPT);
        sleep(2);
    }
    return 0;
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static double ns_per_read(volatile uint8_t *m, uint32_t off, unsigned n)
{
    uint64_t t0 = now_ns();
    for (unsigned i = 0; i < n; i++)
        (void)rd32(m, off);
    return (double)(now_ns() - t0) / n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/*
 * Issue 7 item 3: per-access cost, vGPU (vgtd) against QEMU (stdvga's MMIO BAR2).
 * Interleaved rounds, the order alternating, medians compared: a slow phase of the
 * emulated machine (dom0 busy, a TCG flush) then weighs on both sides alike.
 */
#define BENCH_ROUNDS 21
static void print_rounds(const char *key, const double *t)
{
    char buf[BENCH_ROUNDS * 24] = "";
    size_t len = 0;
    for (unsigned r = 0; r < BENCH_ROUNDS; r++)
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%.0f", r ? "," : "", t[r]);
    check(key, "%s", buf);
}

static int cmd_bench(unsigned n)
{
    struct gpu g, vga;
    volatile uint8_t *q = NULL;
    double tv[BENCH_ROUNDS], tq[BENCH_ROUNDS], pair[BENCH_ROUNDS];
    unsigned per = n / BENCH_ROUNDS ? n / BENCH_ROUNDS : 1;

    if (open_gpu(&g, 0))
        return 1;
    if (find_dev(0x1234, 0x1111, 0, &vga) == 0 && vga.bar_size[2]) {
        write_str(vga.dir, "enable", "1");
        q = map_bar(&vga, 2, vga.bar_size[2]);
    }
    /* dom0 samples the device models' syscall counters from here to bench_reads */
    check("bench_start", "%u", per * BENCH_ROUNDS);
    sleep(3);
    for (unsigned r = 0; r < BENCH_ROUNDS; r++) {
        if (q && r % 2)
            tq[r] = ns_per_read(q, 0x500, per); /* bochs dispi ID register */
        tv[r] = ns_per_read(g.mmio, PVINFO + 0x0c, per);
        if (q && !(r % 2))
            tq[r] = ns_per_read(q, 0x500, per);
    }
    check("bench_done", "1");   /* before the results' serial output (QEMU's work too) */
    sleep(3);
    /* each round's ratio: its two halves ran back to back, under the same load */
    for (unsigned r = 0; q && r < BENCH_ROUNDS; r++)
        pair[r] = tv[r] / tq[r];
    print_rounds("bench_vgt_rounds_ns", tv);
    qsort(tv, BENCH_ROUNDS, sizeof(*tv), cmp_double);
    check("bench_vgt_ns", "%.0f", tv[BENCH_ROUNDS / 2]);
    check("bench_vgt_min_ns", "%.0f", tv[0]);
    if (q) {
        print_rounds("bench_qemu_rounds_ns", tq);
        qsort(tq, BENCH_ROUNDS, sizeof(*tq), cmp_double);
        check("bench_qemu_ns", "%.0f", tq[BENCH_ROUNDS / 2]);
        check("bench_qemu_min_ns", "%.0f", tq[0]);
        check("bench_ratio_vgt_over_qemu", "%.3f", tv[BENCH_ROUNDS / 2] / tq[BENCH_ROUNDS / 2]);
        qsort(pair, BENCH_ROUNDS, sizeof(*pair), cmp_double);
        check("bench_ratio_paired", "%.3f", pair[BENCH_ROUNDS / 2]);
    } else {
        check("bench_qemu_ns", "none");
    }
    n = per * BENCH_ROUNDS;
    check("bench_reads", "%u", n);
    return 0;
}

static int cmd_peek_poke(int argc, char **argv)
{
    struct gpu g;
    if (open_gpu(&g, 0))
        return 1;
    uint32_t off = (uint32_t)strtoul(argv[2], NULL, 0);
    if (off > BAR0_SIZE - 4)
        return 2;
    if (argc > 3)
        wr32(g.mmio, off, (uint32_t)strtoul(argv[3], NULL, 0));
    check("reg", "0x%x,0x%08x", off, rd32(g.mmio, off));
    return 0;
}

/* ---- kms: a colour through the guest's own DRM driver (i915) ----------------
 * The DRM uapi structures (include/uapi/drm/drm_mode.h) are stable ABI; the
 * test hosts have no kernel DRM headers, so the few we use are declared here. */
struct kms_card_res {
    uint64_t fb_id_ptr, crtc_id_ptr, connector_id_ptr, encoder_id_ptr;
    uint32_t count_fbs, count_crtcs, count_connectors, count_encoders;
    uint32_t min_width, max_width, min_height, max_height;
};
struct kms_modeinfo {
    uint32_t clock;
    uint16_t hdisplay, hsync_start, hsync_end, htotal, hskew;
    uint16_t vdisplay, vsync_start, vsync_end, vtotal, vscan;
    uint32_t vrefresh, flags, type;
    char name[32];
};
struct kms_crtc {
    uint64_t set_connectors_ptr;
    uint32_t count_connectors, crtc_id, fb_id, x, y, gamma_size, mode_valid;
    struct kms_modeinfo mode;
};
struct kms_encoder { uint32_t encoder_id, encoder_type, crtc_id, possible_crtcs, possible_clones; };
struct kms_connector {
    uint64_t encoders_ptr, modes_ptr, props_ptr, prop_values_ptr;
    uint32_t count_modes, count_props, count_encoders, encoder_id, connector_id;
    uint32_t connector_type, connector_type_id, connection, mm_width, mm_height, subpixel, pad;
};
struct kms_fb_cmd { uint32_t fb_id, width, height, pitch, bpp, depth, handle; };
struct kms_create_dumb { uint32_t height, width, bpp, flags, handle, pitch; uint64_t size; };
struct kms_map_dumb { uint32_t handle, pad; uint64_t offset; };
#define KMS_IOWR(nr, type) _IOWR('d', nr, type)
#define KMS_GETRESOURCES KMS_IOWR(0xA0, struct kms_card_res)
#define KMS_SETCRTC KMS_IOWR(0xA2, struct kms_crtc)
#define KMS_GETENCODER KMS_IOWR(0xA6, struct kms_encoder)
#define KMS_GETCONNECTOR KMS_IOWR(0xA7, struct kms_connector)
#define KMS_ADDFB KMS_IOWR(0xAE, struct kms_fb_cmd)
#define KMS_CREATE_DUMB KMS_IOWR(0xB2, struct kms_create_dumb)
#define KMS_MAP_DUMB KMS_IOWR(0xB3, struct kms_map_dumb)
#define KMS_CONNECTED 1

static int kms_ioctl(int fd, unsigned long req, void *arg, const char *what)
{
    int r;
    do
        r = ioctl(fd, req, arg);
    while (r < 0 && (errno == EINTR || errno == EAGAIN));
    if (r < 0)
        check("kms", "error %s: %s", what, strerror(errno));
    return r;
}

/* The first connected connector's first (preferred) mode, on a CRTC its encoder can
 * drive; a dumb buffer of that size filled with rgb (XRGB8888, written through the
 * CPU mapping, never the aperture) is scanned out.  A child keeps the DRM file open
 * (closing it would take the framebuffer down) while the parent reports and exits. */
static int cmd_kms(uint32_t rgb)
{
    struct kms_card_res res = { 0 };
    uint32_t conns[16], crtcs[16], encs[32];
    struct kms_modeinfo modes[64];
    struct kms_connector c;
    struct kms_encoder enc = { 0 };
    struct kms_create_dumb cd = { 0 };
    struct kms_map_dumb md = { 0 };
    struct kms_fb_cmd fbc = { 0 };
    struct kms_crtc cr = { 0 };
    uint32_t conn_id = 0, crtc_id = 0;
    int fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        check("kms", "error open /dev/dri/card0: %s", strerror(errno));
        return 1;
    }
    res.connector_id_ptr = (uintptr_t)conns;
    res.crtc_id_ptr = (uintptr_t)crtcs;
    res.encoder_id_ptr = (uintptr_t)encs;
    res.count_connectors = 16;
    res.count_crtcs = 16;
    res.count_encoders = 32;
    if (kms_ioctl(fd, KMS_GETRESOURCES, &res, "GETRESOURCES"))
        return 1;
    check("kms_resources", "%u connectors, %u crtcs, %u encoders", res.count_connectors,
          res.count_crtcs, res.count_encoders);
    for (unsigned i = 0; i < res.count_connectors && i < 16 && !conn_id; i++) {
        memset(&c, 0, sizeof(c));
        c.connector_id = conns[i];
        /* count_modes 0: the driver probes the connector (we are the DRM master) */
        if (kms_ioctl(fd, KMS_GETCONNECTOR, &c, "GETCONNECTOR"))
            return 1;
        if (c.count_modes > 64 || c.count_encoders > 32) {
            check("kms", "error connector %u: %u modes, %u encoders", conns[i], c.count_modes,
                  c.count_encoders);
            return 1;
        }
        c.modes_ptr = (uintptr_t)modes;
        c.encoders_ptr = (uintptr_t)encs;
        c.count_props = 0;
        if (kms_ioctl(fd, KMS_GETCONNECTOR, &c, "GETCONNECTOR"))
            return 1;
        if (c.connection != KMS_CONNECTED || c.count_modes == 0)
            continue;
        enc.encoder_id = c.encoder_id ? c.encoder_id : encs[0];
        if (kms_ioctl(fd, KMS_GETENCODER, &enc, "GETENCODER"))
            return 1;
        for (unsigned k = 0; k < res.count_crtcs && k < 16 && !crtc_id; k++)
            if (enc.possible_crtcs & (1u << k))
                crtc_id = crtcs[k];
        conn_id = c.connector_id;
    }
    if (!conn_id || !crtc_id) {
        check("kms", "error no connected connector with a mode and a CRTC");
        return 1;
    }
    check("kms_mode", "%ux%u@%u", modes[0].hdisplay, modes[0].vdisplay, modes[0].vrefresh);
    cd.width = modes[0].hdisplay;
    cd.height = modes[0].vdisplay;
    cd.bpp = 32;
    if (kms_ioctl(fd, KMS_CREATE_DUMB, &cd, "CREATE_DUMB"))
        return 1;
    md.handle = cd.handle;
    if (kms_ioctl(fd, KMS_MAP_DUMB, &md, "MAP_DUMB"))
        return 1;
    uint32_t *px = mmap(NULL, cd.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)md.offset);
    if (px == MAP_FAILED) {
        check("kms", "error mmap: %s", strerror(errno));
        return 1;
    }
    for (uint64_t i = 0; i < cd.size / 4; i++)
        px[i] = rgb;
    fbc = (struct kms_fb_cmd){ .width = cd.width, .height = cd.height, .pitch = cd.pitch,
                               .bpp = 32, .depth = 24, .handle = cd.handle };
    if (kms_ioctl(fd, KMS_ADDFB, &fbc, "ADDFB"))
        return 1;
    cr.crtc_id = crtc_id;
    cr.fb_id = fbc.fb_id;
    cr.set_connectors_ptr = (uintptr_t)&conn_id;
    cr.count_connectors = 1;
    cr.mode = modes[0];
    cr.mode_valid = 1;
    if (kms_ioctl(fd, KMS_SETCRTC, &cr, "SETCRTC"))
        return 1;
    check("kms_fb", "%ux%u,pitch %u,connector %u,crtc %u", cd.width, cd.height, cd.pitch, conn_id,
          crtc_id);
    check("kms_rgb", "0x%06x", rgb & 0xffffff);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    check("kms_done", "%d", pid > 0 ? 1 : 0);
    return pid > 0 ? 0 : 1;
}

/* ---- gem: a batch buffer through i915's execbuffer (issue 8, rung 7) --------
 * i915 uapi (include/uapi/drm/i915_drm.h), declared here for the same reason. */
struct gem_create { uint64_t size; uint32_t handle, pad; };
struct gem_rw { uint32_t handle, pad; uint64_t offset, size, data_ptr; };
struct gem_exec_object2 {
    uint32_t handle, relocation_count;
    uint64_t relocs_ptr, alignment, offset, flags, rsvd1, rsvd2;
};
struct gem_execbuffer2 {
    uint64_t buffers_ptr;
    uint32_t buffer_count, batch_start_offset, batch_len, DR1, DR4, num_cliprects;
    uint64_t cliprects_ptr, flags, rsvd1, rsvd2;
};
struct gem_wait { uint32_t bo_handle, flags; int64_t timeout_ns; };
#define GEM_CREATE _IOWR('d', 0x40 + 0x1b, struct gem_create)
#define GEM_PREAD _IOW('d', 0x40 + 0x1c, struct gem_rw)
#define GEM_PWRITE _IOW('d', 0x40 + 0x1d, struct gem_rw)
#define GEM_EXECBUFFER2 _IOW('d', 0x40 + 0x29, struct gem_execbuffer2)
#define GEM_WAIT _IOWR('d', 0x40 + 0x2c, struct gem_wait)
#define EXEC_OBJECT_WRITE (1u << 2)
#define EXEC_OBJECT_PINNED (1u << 4)
#define EXEC_RENDER 1u
#define EXEC_NO_RELOC (1u << 11)

/* A batch on the render engine at fixed PPGTT addresses (softpin): MI_NOOP,
 * MI_STORE_DWORD_IMM of a value into a second buffer, MI_BATCH_BUFFER_END; wait
 * for it, read the value back.  On a vGPU whose model runs batches in software
 * the value is there; on one that does not, the wait times out or reads 0. */
static int cmd_gem(uint32_t value)
{
    enum { TARGET_VA = 0x100000, BATCH_VA = 0x200000, OFF = 0x40 };
    struct gem_create t = { .size = 4096 }, b = { .size = 4096 };
    uint32_t batch[] = { 0, 0x10000002, TARGET_VA + OFF, 0, value, 0x05000000, 0, 0 }, got = 0;
    struct gem_exec_object2 obj[2];
    struct gem_execbuffer2 eb = { 0 };
    struct gem_wait w = { 0 };
    struct gem_rw rw = { 0 };
    int fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        check("gem", "error open /dev/dri/card0: %s", strerror(errno));
        return 1;
    }
    if (kms_ioctl(fd, GEM_CREATE, &t, "GEM_CREATE") || kms_ioctl(fd, GEM_CREATE, &b, "GEM_CREATE"))
        return 1;
    rw = (struct gem_rw){ .handle = b.handle, .size = sizeof(batch), .data_ptr = (uintptr_t)batch };
    if (kms_ioctl(fd, GEM_PWRITE, &rw, "GEM_PWRITE"))
        return 1;
    memset(obj, 0, sizeof(obj));
    obj[0] = (struct gem_exec_object2){ .handle = t.handle, .offset = TARGET_VA,
                                        .flags = EXEC_OBJECT_PINNED | EXEC_OBJECT_WRITE };
    obj[1] = (struct gem_exec_object2){ .handle = b.handle, .offset = BATCH_VA, .flags = EXEC_OBJECT_PINNED };
    eb.buffers_ptr = (uintptr_t)obj;
    eb.buffer_count = 2;            /* the batch is the last object */
    eb.batch_len = sizeof(batch);
    eb.flags = EXEC_RENDER | EXEC_NO_RELOC;
    if (kms_ioctl(fd, GEM_EXECBUFFER2, &eb, "GEM_EXECBUFFER2"))
        return 1;
    w = (struct gem_wait){ .bo_handle = t.handle, .timeout_ns = 5000000000ll };
    if (kms_ioctl(fd, GEM_WAIT, &w, "GEM_WAIT"))
        return 1;
    rw = (struct gem_rw){ .handle = t.handle, .offset = OFF, .size = 4, .data_ptr = (uintptr_t)&got };
    if (kms_ioctl(fd, GEM_PREAD, &rw, "GEM_PREAD"))
        return 1;
    check("gem_store", "0x%x", got);
    check("gem_want", "0x%x", value);
    close(fd);
    return got == value ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "info";
    if (!strcmp(mode, "info"))
        return cmd_info();
    if (!strcmp(mode, "contain"))
        return cmd_contain();
    if (!strcmp(mode, "fb"))
        return cmd_fb(argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 0) : 0x00ff8000u);
    if (!strcmp(mode, "hotplug"))
        return cmd_hotplug(argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 5);
    if (!strcmp(mode, "ports"))
        return cmd_ports();
    if (!strcmp(mode, "beat"))
        return cmd_beat(argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 600);
    if (!strcmp(mode, "bench"))
        return cmd_bench(argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 10000);
    if (!strcmp(mode, "gem"))
        return cmd_gem(argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 0) : 0xc0ffee11u);
    if (!strcmp(mode, "kms"))
        return cmd_kms(argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 0) : 0x003366ccu);
    if ((!strcmp(mode, "peek") && argc == 3) || (!strcmp(mode, "poke") && argc == 4))
        return cmd_peek_poke(argc, argv);
    fprintf(stderr, "usage: vgt-probe info|contain|fb [RGB]|kms [RGB]|gem [VALUE]|hotplug [SECS]|ports|beat [SECS]|bench [N]|peek OFF|poke OFF VAL\n");
    return 2;
}
