/* SPDX-License-Identifier: GPL-2.0-only */
/* xl vgt-info [--json]: the GPU, its host reservation, free resources, what still fits. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "xl-plugin/front.h"

#define CMD "vgt-info"

static void print_text(const struct vgt_info *i)
{
    const struct vgt_profile *p = &i->profile;
    const struct vgt_resources *r = &i->res;

    printf("profile                : %s (%s)\n", p->name, p->description);
    printf("gpu                    : gen %u, device id 0x%04x\n", p->gen, p->device_id);
    printf("aperture (low GM)      : %llu MB\n", (unsigned long long)p->aperture_mb);
    printf("global GM              : %llu MB\n", (unsigned long long)p->ggtt_mb);
    printf("fence registers        : %u\n", p->fences);
    printf("host reservation       : low GM %llu MB, high GM %llu MB, %u fences\n",
           (unsigned long long)p->host_low_mb, (unsigned long long)p->host_high_mb,
           p->host_fences);
    printf("low GM free            : %llu of %llu MB (largest run %llu MB)\n",
           (unsigned long long)r->low_free_mb, (unsigned long long)r->low_total_mb,
           (unsigned long long)r->low_largest_mb);
    printf("high GM free           : %llu of %llu MB (largest run %llu MB)\n",
           (unsigned long long)r->high_free_mb, (unsigned long long)r->high_total_mb,
           (unsigned long long)r->high_largest_mb);
    printf("fences free            : %u of %u (largest run %u)\n", r->fences_free,
           r->fences_total, r->fences_largest);
    printf("vGPU instances free    : %u of %u\n", r->instances_free, r->instances_total);
    printf("vGPU guests            : %u\n", i->guests);
    printf("display owner          : %d%s\n", i->display_owner,
           i->display_owner == 0 ? " (dom0)" : "");
    if (!i->n_types)
        return;
    printf("\n%-10s %8s %8s %7s %10s\n", "Type", "Low GM", "High GM", "Fences", "More fit");
    for (size_t k = 0; k < i->n_types; k++) {
        const struct vgt_type_fit *t = &i->types[k];
        char lo[16], hi[16];
        xlv_fmt_mb(lo, sizeof(lo), t->req.low_mb);
        xlv_fmt_mb(hi, sizeof(hi), t->req.high_mb);
        printf("%-10s %8s %8s %7u %10u\n", t->name, lo, hi, t->req.fences, t->fit);
    }
}

int main_vgt_info(int argc, char **argv, const struct xlv_opts *o)
{
    _cleanup_dispose_(vgt_client) struct vgt_client c;
    _cleanup_dispose_(vgt_info) struct vgt_info info;
    bool json;
    int r;

    vgt_client_init(&c);
    vgt_info_init(&info);
    if ((r = xlv_query_options(CMD, argc, argv, &json)) >= 0)
        return r;
    if ((r = xlv_connect(CMD, &c)) != 0)
        return r;
    r = vgt_client_info(&c, &info);
    if (r < 0)
        return xlv_client_fail(CMD, &c, r);
    if (json)
        return xlv_print_reply(CMD, info.json);
    print_text(&info);
    return XLV_OK;
}
