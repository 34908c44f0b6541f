/* SPDX-License-Identifier: GPL-2.0-only */
#include <stdio.h>
#include "xl-plugin/xl-vgt.h"

int main_vgt_list(int argc, char **argv, const struct xlv_opts *o)
{
    fprintf(stderr, "xl: %s: not implemented yet\n", argv[0]);
    return XLV_EFAIL;
}
