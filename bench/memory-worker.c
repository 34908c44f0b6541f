/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench/memory's worker: given vgtd's worker command line (vgt-worker's), run
 * the worker's code with the software model on a Xen double of its own, one
 * simulated HVM guest.  Options it does not need (--bdf, --user) are ignored.
 */
#include <stdio.h>
#include <string.h>

#include "vgt/util.h"
#include "daemon/worker/worker.h"
#include "daemon/xen/xen-double.h"

/* ---- worker mode: vgtd's worker command line, the double in place of Xen ---- */

static const char *arg(int argc, char **argv, const char *name)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return NULL;
}

static bool u64_arg(int argc, char **argv, const char *name, uint64_t *v)
{
    const char *s = arg(argc, argv, name);

    return s && vgt_parse_u64(s, v) == 0;
}

static bool pair_arg(int argc, char **argv, const char *name, uint64_t *a, uint64_t *b)
{
    const char *s = arg(argc, argv, name), *comma = s ? strchr(s, ',') : NULL;
    char first[32];

    if (!comma || (size_t)(comma - s) >= sizeof(first))
        return false;
    snprintf(first, sizeof(first), "%.*s", (int)(comma - s), s);
    return vgt_parse_u64(first, a) == 0 && vgt_parse_u64(comma + 1, b) == 0;
}

int main(int argc, char **argv)
{
    struct vgt_worker_config cfg = { .xen = &vgt_xen_double_ops, .med = &vgt_swmodel_ops,
                                     .dev = 5, .quiet = true };
    uint64_t domid, vcpus, id, fb, fn;
    struct vgt_worker w;
    struct vgt_diag diag;
    struct vgt_xd *xd;
    int r;

    if (!u64_arg(argc, argv, "--domid", &domid) || !u64_arg(argc, argv, "--vcpus", &vcpus) ||
        !u64_arg(argc, argv, "--vgt-id", &id) || !u64_arg(argc, argv, "--guest-mem", &cfg.guest_mem) ||
        !pair_arg(argc, argv, "--low", &cfg.part.low_base, &cfg.part.low_size) ||
        !pair_arg(argc, argv, "--high", &cfg.part.high_base, &cfg.part.high_size) ||
        !pair_arg(argc, argv, "--fences", &fb, &fn) || !arg(argc, argv, "--profile") ||
        !(cfg.socket_path = arg(argc, argv, "--socket"))) {
        fprintf(stderr, "memory: not a worker command line\n");
        return 2;
    }
    cfg.domid = (uint32_t)domid;
    cfg.vcpus = (unsigned)vcpus;
    cfg.part.vgt_id = (unsigned)id;
    cfg.part.fence_base = (unsigned)fb;
    cfg.part.fence_count = (unsigned)fn;
    vgt_diag_init(&diag);
    r = vgt_profile_load(arg(argc, argv, "--profile"), NULL, &cfg.profile, &diag);
    vgt_diag_print(&diag, stderr);
    vgt_diag_dispose(&diag);
    xd = vgt_xd_new(&(struct vgt_xd_params){ .domid = cfg.domid, .vcpus = cfg.vcpus,
                                              .guest_mem = cfg.guest_mem });
    if (r < 0 || !xd)
        return 1;
    cfg.xen_arg = xd;
    if (vgt_worker_start(&w, &cfg) < 0)
        return 1;
    r = vgt_worker_run(&w);
    vgt_worker_teardown(&w);
    vgt_xd_free(xd);
    return r < 0;
}
