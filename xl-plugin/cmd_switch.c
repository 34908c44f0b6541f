/* SPDX-License-Identifier: GPL-2.0-only */
/* xl vgt-switch [--force] DOMAIN|0: move the physical display to a guest or dom0. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "xl-plugin/front.h"

int main_vgt_switch(int argc, char **argv, const struct xlv_opts *o)
{
    static const struct option longopts[] = {
        { "force", no_argument, NULL, 'F' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const struct xlv_cmd *cmd = xlv_find_cmd("vgt-switch");
    _cleanup_dispose_(vgt_client) struct vgt_client c;
    char name[64] = "";
    bool force = false;
    int opt, domid = -1, prev = -1, r;

    vgt_client_init(&c);
    while ((opt = getopt_long(argc, argv, "+Fh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'F': force = true; break;
        case 'h': xlv_usage(cmd, stdout); return XLV_OK;
        default: xlv_usage(cmd, stderr); return XLV_EUSAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "xl: vgt-switch: %s\n",
                argc - optind ? "too many arguments" : "no DOMAIN given (a guest, or 0 for dom0)");
        xlv_usage(cmd, stderr);
        return XLV_EUSAGE;
    }
    const char *domain = argv[optind];

    r = vgt_client_connect(&c, NULL);
    if (r < 0 && o->dry_run && r == -ECONNREFUSED) {
        /* A dry run needs no daemon: say what would be asked. */
        if (strcmp(domain, "0") == 0) {
            printf("dry run: would give the display to dom0\n");
            return XLV_OK;
        }
        printf("dry run: would give the display to domain '%s'%s\n", domain,
               force ? " (forced, even if its display is not ready)" : "");
        fprintf(stderr, "xl: vgt-switch: %s: the domain was not checked\n", c.error);
        return XLV_OK;
    }
    if (r < 0)
        return xlv_client_fail("vgt-switch", &c, r);
    r = xlv_resolve("vgt-switch", &c, domain, true, &domid, name, sizeof(name));
    if (r)
        return r;
    if (o->dry_run && domid == 0) {
        printf("dry run: would give the display to dom0\n");
        return XLV_OK;
    }
    if (o->dry_run) {
        printf("dry run: would give the display to %s (domain %d)%s\n", name, domid,
               force ? " (forced, even if its display is not ready)" : "");
        return XLV_OK;
    }
    r = vgt_client_switch(&c, domid, force, &prev);
    if (r == -EAGAIN)
        return xlv_fail("vgt-switch", r, "%s (use --force to switch anyway)", c.error);
    if (r < 0)
        return xlv_client_fail("vgt-switch", &c, r);
    if (o->verbose)
        printf("display moved from domain %d to %s (domain %d)\n", prev, name, domid);
    return XLV_OK;
}
