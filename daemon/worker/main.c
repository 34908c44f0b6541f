/* SPDX-License-Identifier: GPL-2.0-only */
/* vgt-worker command line (daemon/IPC.md).  Exit: 0 after shutdown, 1 on
 * failure, 2 for a bad argument. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <syslog.h>
#include <unistd.h>
#include "vgt/util.h"
#include "daemon/worker/worker.h"
#include "vgt/error.h"

static const char usage[] =
    "usage: vgt-worker --domid D --vcpus N --bdf SEG:BUS:DEV.FN --profile PATH\n"
    "                  --vgt-id I --low BASE,SIZE --high BASE,SIZE --fences BASE,COUNT\n"
    "                  --guest-mem BYTES --socket PATH [--user USER|UID:GID]\n"
    "                  [--monitor-config PATH] [--poll-us US] [--foreground]\n";

static int bad_arg(const char *opt, const char *val, const char *what)
{
    fprintf(stderr, "vgt-worker: --%s %s: %s\n", opt, val ? val : "", what);
    return 2;
}

static bool parse_pair(const char *s, uint64_t *a, uint64_t *b)
{
    const char *comma = s ? strchr(s, ',') : NULL;
    char first[64];
    if (!comma || (size_t)(comma - s) >= sizeof(first))
        return false;
    memcpy(first, s, comma - s);
    first[comma - s] = 0;
    return !vgt_parse_u64(first, a) && !vgt_parse_u64(comma + 1, b);
}

static bool parse_bdf(const char *s, unsigned *seg, unsigned *bus, unsigned *dev, unsigned *fn)
{
    int n = -1;
    if (sscanf(s, "%4x:%2x:%2x.%1x%n", seg, bus, dev, fn, &n) != 4 || n != (int)strlen(s))
        return false;
    return *bus < 256 && *dev < 32 && *fn < 8;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "domid", required_argument, NULL, 'd' },   { "vcpus", required_argument, NULL, 'v' },
        { "bdf", required_argument, NULL, 'b' },     { "profile", required_argument, NULL, 'p' },
        { "vgt-id", required_argument, NULL, 'i' },  { "low", required_argument, NULL, 'l' },
        { "high", required_argument, NULL, 'H' },    { "fences", required_argument, NULL, 'f' },
        { "guest-mem", required_argument, NULL, 'm' }, { "socket", required_argument, NULL, 's' },
        { "user", required_argument, NULL, 'u' },    { "monitor-config", required_argument, NULL, 'M' },
        { "foreground", no_argument, NULL, 'F' },    { "help", no_argument, NULL, 'h' },
        { "poll-us", required_argument, NULL, 'P' },
        { NULL, 0, NULL, 0 },
    };
    struct vgt_worker_config cfg = { .xen = &vgt_xen_real_ops, .med = &vgt_swmodel_ops,
                                     .user = "vgt-worker" };
    struct vgt_worker w;
    struct vgt_diag diag;
    const char *profile = NULL, *monitor = NULL;
    unsigned seen = 0;
    bool foreground = false;
    uint64_t a, b;
    int c, r;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        const char *name = NULL;
        for (const struct option *o = opts; o->name; o++)
            if (o->val == c)
                name = o->name;
        switch (c) {
        case 'd':
            if (vgt_parse_u64(optarg, &a) || a >= 0x7ff0 || a == 0)
                return bad_arg(name, optarg, "a guest domain id (1..32751)");
            cfg.domid = (uint32_t)a;
            seen |= 1;
            break;
        case 'v':
            if (vgt_parse_u64(optarg, &a) || a == 0 || a > VGT_WORKER_MAX_VCPUS)
                return bad_arg(name, optarg, "1..128 vCPUs");
            cfg.vcpus = (unsigned)a;
            seen |= 2;
            break;
        case 'b':
            if (!parse_bdf(optarg, &cfg.seg, &cfg.bus, &cfg.dev, &cfg.fn))
                return bad_arg(name, optarg, "SEG:BUS:DEV.FN in hex, e.g. 0000:00:05.0");
            seen |= 4;
            break;
        case 'p': profile = optarg; seen |= 8; break;
        case 'i':
            if (vgt_parse_u64(optarg, &a) || a == 0 || a > VGT_MAX_INSTANCES)
                return bad_arg(name, optarg, "a vgt id 1..64");
            cfg.part.vgt_id = (unsigned)a;
            seen |= 16;
            break;
        case 'l':
            if (!parse_pair(optarg, &cfg.part.low_base, &cfg.part.low_size) || !cfg.part.low_size)
                return bad_arg(name, optarg, "BASE,SIZE in bytes");
            seen |= 32;
            break;
        case 'H':
            if (!parse_pair(optarg, &cfg.part.high_base, &cfg.part.high_size))
                return bad_arg(name, optarg, "BASE,SIZE in bytes");
            seen |= 64;
            break;
        case 'f':
            if (!parse_pair(optarg, &a, &b) || b > VGT_MAX_FENCES || a > VGT_MAX_FENCES - b)
                return bad_arg(name, optarg, "BASE,COUNT within 64 fences");
            cfg.part.fence_base = (unsigned)a;
            cfg.part.fence_count = (unsigned)b;
            seen |= 128;
            break;
        case 'm':
            if (vgt_parse_u64(optarg, &cfg.guest_mem) || cfg.guest_mem < (1u << 20))
                return bad_arg(name, optarg, "the guest's memory in bytes");
            seen |= 256;
            break;
        case 's':
            if (optarg[0] != '/' || strlen(optarg) >= 108)
                return bad_arg(name, optarg, "an absolute path shorter than 108 bytes");
            cfg.socket_path = optarg;
            seen |= 512;
            break;
        case 'u': {
            uid_t u;
            gid_t g;
            if (!*optarg || vgt_worker_parse_ids(optarg, &u, &g) < 0)
                return bad_arg(name, optarg, "a user name or UID:GID (decimal, not 0)");
            cfg.user = optarg;
            break;
        }
        case 'M': monitor = optarg; break;
        case 'P':
            if (vgt_parse_u64(optarg, &a) || a > VGT_MAX_POLL_US)
                return bad_arg(name, optarg, "microseconds 0..100000");
            cfg.poll_us = (unsigned)a;
            break;
        case 'F': foreground = true; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "vgt-worker: unexpected argument %s\n", argv[optind]);
        return 2;
    }
    if (seen != 1023) {
        fprintf(stderr, "vgt-worker: missing option(s): all of --domid --vcpus --bdf --profile "
                        "--vgt-id --low --high --fences --guest-mem --socket are required\n");
        return 2;
    }
    vgt_diag_init(&diag);
    r = vgt_profile_load(profile, NULL, &cfg.profile, &diag);
    if (!r && monitor) {
        r = vgt_monitor_config_load(monitor, &cfg.monitor, &diag);
        cfg.has_monitor = !r;
    }
    if (r) {
        fprintf(stderr, "vgt-worker d%u: configuration refused:\n", cfg.domid);
        vgt_diag_print(&diag, stderr);
        vgt_diag_dispose(&diag);
        return 1;
    }
    vgt_diag_dispose(&diag);
    /* vgtd supervises us; without --foreground leave the terminal's session */
    if (!foreground && getsid(0) != getpid())
        setsid();
    /* a name per guest (ps, top, and the IRQs of our event channels, which
     * Linux names after us: colocating them needs to tell them apart) */
    char comm[16];
    if (snprintf(comm, sizeof(comm), "vgt-worker-%u", cfg.domid) >= (int)sizeof(comm))
        snprintf(comm, sizeof(comm), "vgt-worker%u", cfg.domid);
    prctl(PR_SET_NAME, comm, 0, 0, 0);

    r = vgt_worker_start(&w, &cfg);
    if (r)
        return 1;
    r = vgt_worker_run(&w);
    if (r)
        vgt_worker_log(&w, LOG_ERR, "event loop: %s", strerror(-r));
    vgt_worker_teardown(&w);
    vgt_worker_log(&w, LOG_INFO, "exited");
    return r ? 1 : 0;
}
