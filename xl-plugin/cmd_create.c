/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xl create: options as xl's own.  A config without vgt=1 goes to the real xl
 * with the argv unchanged; with vgt=1 the vgt keys are checked first (all errors,
 * nothing created), then -N prints the vGPU plan and otherwise the guest is built
 * by xlv_create_vgt().
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvgt.h"
#include "vgt/cleanup.h"
#include "xl-plugin/xl-vgt.h"

VGT_DEFINE_DISPOSE(vgt_diag)
VGT_DEFINE_DISPOSE(vgt_config)

static void print_plan(const struct vgt_config *c, const struct vgt_profile *p,
                       const struct vgt_partition *q, unsigned fit, FILE *f)
{
    const char *prim = c->primary < 0 ? "auto" : c->primary ? "primary" : "secondary";

    fprintf(f, "vGPU plan for domain '%s' (dry run: nothing created)\n", c->name);
    fprintf(f, "  profile:   %s (%s), device 8086:%04x, gen %u\n", p->name, p->description,
            p->device_id, p->gen);
    if (c->type)
        fprintf(f, "  type:      %s (up to %ux%u)\n", c->type->name, c->type->max_width,
                c->type->max_height);
    fprintf(f, "  vgt id:    %u (as the first guest)\n", q->vgt_id);
    fprintf(f, "  low GM:    base 0x%08llx, size 0x%08llx (%llu MB)\n",
            (unsigned long long)q->low_base, (unsigned long long)q->low_size,
            (unsigned long long)(q->low_size / VGT_MB));
    fprintf(f, "  high GM:   base 0x%08llx, size 0x%08llx (%llu MB)\n",
            (unsigned long long)q->high_base, (unsigned long long)q->high_size,
            (unsigned long long)(q->high_size / VGT_MB));
    fprintf(f, "  fences:    %u..%u (%u)\n", q->fence_base, q->fence_base + q->fence_count - 1,
            q->fence_count);
    fprintf(f, "  primary:   %s (%d)\n", prim, c->primary);
    if (c->cap)
        fprintf(f, "  cap:       %u%% of render time\n", c->cap);
    else
        fprintf(f, "  cap:       none (0)\n");
    if (!c->monitor_config_file) {
        fprintf(f, "  monitor:   none (direct display)\n");
    } else {
        fprintf(f, "  monitor:   %s, %u virtual port%s\n", c->monitor_config_file,
                c->monitor.n, c->monitor.n == 1 ? "" : "s");
        for (unsigned i = 0; i < c->monitor.n; i++) {
            const struct vgt_monitor_item *it = &c->monitor.items[i];
            struct vgt_edid_info e;

            fprintf(f, "    %s: type %s, override %s", vgt_port_name(it->port),
                    vgt_port_type_name(it->type), vgt_port_name(it->override));
            if (vgt_edid_decode(it->edid, &e, "EDID", NULL) == 0) {
                fprintf(f, ", EDID %s product 0x%04x", e.manufacturer, e.product);
                if (e.has_preferred)
                    fprintf(f, ", preferred %ux%u@%u Hz", e.width, e.height, e.refresh_hz);
            }
            fputc('\n', f);
        }
    }
    fprintf(f, "  fit:       %u guest%s like this fit on an idle %s\n", fit, fit == 1 ? "" : "s",
            p->name);
}

static int dry_run(const struct vgt_config *c, const struct vgt_profile *p)
{
    _cleanup_dispose_(vgt_diag) struct vgt_diag d = { 0 };
    struct vgt_allocator *a = vgt_alloc_new(p);
    struct vgt_partition q;
    unsigned fit;
    int r;

    vgt_diag_init(&d);
    if (!a) {
        fprintf(stderr, "xl: create: profile %s: %s\n", p->name, strerror(errno));
        return XLV_EFAIL;
    }
    fit = vgt_alloc_fit_count(a, &c->req);
    r = vgt_alloc_take(a, &c->req, &q, &d);
    vgt_alloc_free(a);
    if (r < 0) {
        vgt_diag_print(&d, stderr);
        return xlv_exit_from_err(r);
    }
    print_plan(c, p, &q, fit, stdout);
    return XLV_OK;
}

int main_create(int argc, char **argv, const struct xlv_opts *o)
{
    static const struct option opts[] = {
        { "dryrun", no_argument, NULL, 'n' },
        { "quiet", no_argument, NULL, 'q' },
        { "defconfig", required_argument, NULL, 'f' },
        { "vncviewer", no_argument, NULL, 'V' },
        { "vncviewer-autopass", no_argument, NULL, 'A' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    _cleanup_dispose_(vgt_diag) struct vgt_diag d = { 0 }, pd = { 0 };
    _cleanup_dispose_(vgt_config) struct vgt_config cfg = { 0 };
    _cleanup_free_ char **args = NULL;
    _cleanup_free_ const char **overrides = NULL;
    const struct xlv_cmd *self = xlv_find_cmd("create");
    const char *file = NULL;
    struct vgt_profile prof;
    bool quiet = false, dry = o->dry_run, have_prof;
    int n = 0, nargs = argc, opt, r;

    vgt_diag_init(&d);
    vgt_diag_init(&pd);
    vgt_config_init(&cfg);
    /* getopt permutes its argv: work on a copy, the real xl gets the original. */
    args = calloc(argc + 1, sizeof(*args));
    overrides = calloc(argc + 1, sizeof(*overrides));
    if (!args || !overrides)
        return XLV_EFAIL;
    memcpy(args, argv, argc * sizeof(*args));
    /* As xl: a first argument that is neither an option nor key=value is the file. */
    if (nargs > 1 && args[1][0] != '-' && !strchr(args[1], '=')) {
        file = args[1];
        memmove(args + 1, args + 2, (nargs - 2) * sizeof(*args));
        args[--nargs] = NULL;
    }
    optind = 0;
    opterr = 1;
    while ((opt = getopt_long(nargs, args, "Fnqf:pcdeVAh", opts, NULL)) != -1) {
        switch (opt) {
        case 'f': file = optarg; break;
        case 'n': dry = true; break;
        case 'q': quiet = true; break;
        case 'p': case 'c': case 'd': case 'F': case 'e': case 'V': case 'A':
            break; /* the real xl acts on these */
        case 'h': xlv_usage(self, stdout); return XLV_OK;
        default: xlv_usage(self, stderr); return XLV_EUSAGE;
        }
    }
    for (int i = optind; i < nargs; i++) {
        if (strchr(args[i], '='))
            overrides[n++] = args[i];
        else if (!file)
            file = args[i];
        else {
            fprintf(stderr, "xl: create: more than one config file: '%s' and '%s'\n", file,
                    args[i]);
            xlv_usage(self, stderr);
            return XLV_EUSAGE;
        }
    }
    if (!file) {
        fprintf(stderr, "xl: create: no config file given\n");
        xlv_usage(self, stderr);
        return XLV_EUSAGE;
    }

    have_prof = vgt_profile_load(o->profile, NULL, &prof, &pd) == 0;
    r = vgt_config_read(file, overrides, n, have_prof ? &prof : NULL, &cfg, &d);
    if (r == 0 && !cfg.vgt)
        return xlv_exec_real_xl(o->orig_argv);   /* not ours: exactly xl */
    if (!quiet)
        fprintf(stderr, "Parsing config from %s\n", file);
    if (r < 0) {
        vgt_diag_print(&d, stderr);
        fprintf(stderr, "xl: create: %s: invalid vGPU configuration, nothing created\n", file);
        return XLV_ECONFIG;
    }
    if (!have_prof) {
        vgt_diag_print(&pd, stderr);
        fprintf(stderr, "xl: create: no usable GPU profile, nothing created\n");
        return XLV_EFAIL;
    }
    if (dry)
        return dry_run(&cfg, &prof);
    return xlv_create_vgt(&cfg, file, argc, argv, o);
}
