/* SPDX-License-Identifier: GPL-2.0-only */
#include <stdio.h>
#include "xl-plugin/xl-vgt.h"

int xlv_create_vgt(const struct vgt_config *cfg, const char *cfgfile, int argc, char **argv,
                   const struct xlv_opts *o)
{
    fprintf(stderr, "xl: create: vgt=1 needs vgtd, which this build does not talk to yet\n");
    return XLV_ENODAEMON;
}
