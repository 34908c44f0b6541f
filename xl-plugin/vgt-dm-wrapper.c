/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vgt-dm-wrapper: what libxl runs as the device model of a vgt=1 guest
 * (device_model_override, set by `xl create`; kept by libxl across reboots).
 *
 * libxl starts it with QEMU's arguments, "-xen-domid N" among them, and our own
 * "--vgt-KEY=VALUE" items (device_model_args_hvm) at the end, while the new domain
 * is paused ("-name NAME" gives vgtd the domain's name).  We take our items out, ask vgtd to attach a vGPU to domain N, wait
 * until it is ready, and exec the real QEMU with the rest.  Any failure: one line
 * on stderr (libxl keeps it in /var/log/xen/qemu-dm-NAME.log) and a non-zero exit,
 * so that libxl fails the create or reboot instead of running a guest without its
 * vGPU.
 *
 *   --vgt-low-mb=N --vgt-high-mb=N --vgt-fences=N    the partition (required)
 *   --vgt-type=NAME --vgt-primary=-1|0|1 --vgt-cap=0..100 --vgt-vcpus=N
 *   --vgt-memory-mb=N --vgt-monitor-config=/abs/path  as in the domain config
 *   --vgt-socket=PATH      vgtd's socket (else $VGT_SOCKET, else the default)
 *   --vgt-qemu=PATH        the QEMU to run (else $VGT_QEMU, else Debian's)
 *   --vgt-timeout=SECONDS  how long to wait for the attach (default 45; libxl
 *                          gives the device model 60 s to start)
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vgt/client.h"

#ifndef VGT_QEMU_DEFAULT
#define VGT_QEMU_DEFAULT "/usr/libexec/xen-qemu-system-i386"
#endif

static const char *prog = "vgt-dm-wrapper";

static bool num(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;

    errno = 0;
    if (!*s || *s == '-')
        return false;
    *out = strtoull(s, &end, 0);
    return !*end && !errno && *out <= max;
}

struct wargs {
    struct vgt_attach a;
    bool have_low, have_high, have_fences;
    const char *socket, *qemu;
    unsigned timeout_s;
};

/* One "--vgt-KEY=VALUE"; false with a message if bad. */
static bool take_arg(struct wargs *w, const char *arg)
{
    const char *eq = strchr(arg, '=');
    unsigned long long v = 0;
    char key[32];

    if (!eq || (size_t)(eq - arg) >= sizeof(key)) {
        fprintf(stderr, "%s: bad argument '%s' (--vgt-KEY=VALUE)\n", prog, arg);
        return false;
    }
    snprintf(key, sizeof(key), "%.*s", (int)(eq - arg), arg);
    const char *val = eq + 1;
    bool ok = true;

    if (strcmp(key, "--vgt-low-mb") == 0)
        ok = num(val, 1ull << 40, &v), w->a.req.low_mb = v, w->have_low = true;
    else if (strcmp(key, "--vgt-high-mb") == 0)
        ok = num(val, 1ull << 40, &v), w->a.req.high_mb = v, w->have_high = true;
    else if (strcmp(key, "--vgt-fences") == 0)
        ok = num(val, VGT_MAX_FENCES, &v), w->a.req.fences = (unsigned)v, w->have_fences = true;
    else if (strcmp(key, "--vgt-type") == 0)
        w->a.type = val;
    else if (strcmp(key, "--vgt-primary") == 0) {
        ok = strcmp(val, "-1") == 0 || strcmp(val, "0") == 0 || strcmp(val, "1") == 0;
        w->a.primary = atoi(val);
    } else if (strcmp(key, "--vgt-cap") == 0)
        ok = num(val, 100, &v), w->a.cap = (unsigned)v;
    else if (strcmp(key, "--vgt-vcpus") == 0)
        ok = num(val, 4096, &v), w->a.vcpus = (unsigned)v;
    else if (strcmp(key, "--vgt-memory-mb") == 0)
        ok = num(val, 1ull << 40, &v), w->a.memory_mb = v;
    else if (strcmp(key, "--vgt-monitor-config") == 0)
        ok = val[0] == '/', w->a.monitor_config = val;
    else if (strcmp(key, "--vgt-socket") == 0)
        ok = *val, w->socket = val;
    else if (strcmp(key, "--vgt-qemu") == 0)
        ok = val[0] == '/', w->qemu = val;
    else if (strcmp(key, "--vgt-timeout") == 0)
        ok = num(val, 3600, &v) && v > 0, w->timeout_s = (unsigned)v;
    else {
        fprintf(stderr, "%s: unknown argument '%s'\n", prog, arg);
        return false;
    }
    if (!ok)
        fprintf(stderr, "%s: bad value in '%s'\n", prog, arg);
    return ok;
}

int main(int argc, char **argv)
{
    struct wargs w = { .a = { .domid = -1, .primary = -1 }, .timeout_s = 45 };
    struct vgt_client c;
    struct vgt_guest g;
    _cleanup_free_ char **qargv = NULL;
    int qargc = 1, r;

    qargv = calloc(argc + 1, sizeof(*qargv));
    if (!qargv)
        return 1;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--vgt-", 6) == 0) {
            if (!take_arg(&w, argv[i]))
                return 2;
            continue;
        }
        if (strcmp(argv[i], "-xen-domid") == 0 && i + 1 < argc) {
            unsigned long long d;
            if (!num(argv[i + 1], 0x7fef, &d) || d == 0) {
                fprintf(stderr, "%s: bad -xen-domid '%s'\n", prog, argv[i + 1]);
                return 2;
            }
            w.a.domid = (int)d;
        }
        /* The domain's name keys vgtd's reboot hold (the partition kept for a reboot). */
        if (strcmp(argv[i], "-name") == 0 && i + 1 < argc)
            w.a.name = argv[i + 1];
        /* The vGPU's state cannot travel: refuse to be the device model of a restore. */
        if (strcmp(argv[i], "-incoming") == 0) {
            fprintf(stderr, "%s: restoring or migrating a vGPU guest is not supported\n", prog);
            return 1;
        }
        qargv[qargc++] = argv[i];
    }
    if (w.a.domid < 0) {
        fprintf(stderr, "%s: no -xen-domid among the arguments: run by libxl as the device "
                "model of a vgt=1 guest, not by hand\n", prog);
        return 2;
    }
    if (!w.have_low || !w.have_high || !w.have_fences) {
        fprintf(stderr, "%s: domain %d: --vgt-low-mb, --vgt-high-mb and --vgt-fences are "
                "needed (the domain was not created by xen-vgt's xl)\n", prog, w.a.domid);
        return 2;
    }
    if (!w.qemu)
        w.qemu = getenv("VGT_QEMU") && *getenv("VGT_QEMU") ? getenv("VGT_QEMU")
                                                           : VGT_QEMU_DEFAULT;
    if (access(w.qemu, X_OK) < 0) {
        fprintf(stderr, "%s: domain %d: cannot run QEMU %s: %s\n", prog, w.a.domid, w.qemu,
                strerror(errno));
        return 1;
    }

    vgt_client_init(&c);
    c.timeout_ms = (int)w.timeout_s * 1000;
    r = vgt_client_connect(&c, w.socket);
    if (r == 0)
        r = vgt_client_attach(&c, &w.a, &g);
    if (r < 0) {
        fprintf(stderr, "%s: domain %d: vGPU not attached: %s\n", prog, w.a.domid, c.error);
        vgt_client_dispose(&c);
        return 1;
    }
    fprintf(stderr, "%s: domain %d: vGPU %u attached (low GM 0x%llx+%llu MB, high GM "
            "0x%llx+%llu MB, fences %u+%u); starting %s\n", prog, w.a.domid, g.part.vgt_id,
            (unsigned long long)g.part.low_base, (unsigned long long)(g.part.low_size / VGT_MB),
            (unsigned long long)g.part.high_base,
            (unsigned long long)(g.part.high_size / VGT_MB), g.part.fence_base,
            g.part.fence_count, w.qemu);
    fflush(stderr);
    qargv[0] = (char *)w.qemu;
    execv(w.qemu, qargv);
    r = errno;
    fprintf(stderr, "%s: domain %d: cannot run QEMU %s: %s; detaching the vGPU\n", prog,
            w.a.domid, w.qemu, strerror(r));
    if (vgt_client_detach(&c, w.a.domid) < 0)
        fprintf(stderr, "%s: domain %d: detach: %s\n", prog, w.a.domid, c.error);
    vgt_client_dispose(&c);
    return 1;
}
