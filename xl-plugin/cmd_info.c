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

static int print_json(const struct vgt_info *i)
{
    const struct vgt_profile *p = &i->profile;
    const struct vgt_resources *r = &i->res;
    struct vgt_msg m;
    int rc;

    if (vgt_msg_init_pretty(&m) < 0)
        return xlv_fail(CMD, -ENOMEM, "out of memory");
    vgt_msg_map_open(&m, "profile");
    vgt_msg_str(&m, "name", p->name);
    vgt_msg_str(&m, "description", p->description);
    vgt_msg_int(&m, "gen", p->gen);
    vgt_msg_int(&m, "device_id", p->device_id);
    vgt_msg_u64(&m, "aperture_mb", p->aperture_mb);
    vgt_msg_u64(&m, "ggtt_mb", p->ggtt_mb);
    vgt_msg_int(&m, "fences", p->fences);
    vgt_msg_int(&m, "max_instances", p->max_instances);
    vgt_msg_map_close(&m);
    vgt_msg_map_open(&m, "host");
    vgt_msg_u64(&m, "low_mb", p->host_low_mb);
    vgt_msg_u64(&m, "high_mb", p->host_high_mb);
    vgt_msg_int(&m, "fences", p->host_fences);
    vgt_msg_map_close(&m);
    vgt_msg_map_open(&m, "resources");
    vgt_msg_u64(&m, "low_total_mb", r->low_total_mb);
    vgt_msg_u64(&m, "low_free_mb", r->low_free_mb);
    vgt_msg_u64(&m, "low_largest_mb", r->low_largest_mb);
    vgt_msg_u64(&m, "high_total_mb", r->high_total_mb);
    vgt_msg_u64(&m, "high_free_mb", r->high_free_mb);
    vgt_msg_u64(&m, "high_largest_mb", r->high_largest_mb);
    vgt_msg_int(&m, "fences_total", r->fences_total);
    vgt_msg_int(&m, "fences_free", r->fences_free);
    vgt_msg_int(&m, "fences_largest", r->fences_largest);
    vgt_msg_int(&m, "instances_total", r->instances_total);
    vgt_msg_int(&m, "instances_free", r->instances_free);
    vgt_msg_map_close(&m);
    vgt_msg_int(&m, "guests", i->guests);
    vgt_msg_int(&m, "display_owner", i->display_owner);
    vgt_msg_array_open(&m, "types");
    for (size_t k = 0; k < i->n_types; k++) {
        vgt_msg_map_open(&m, NULL);
        vgt_msg_str(&m, "name", i->types[k].name);
        vgt_msg_u64(&m, "low_mb", i->types[k].req.low_mb);
        vgt_msg_u64(&m, "high_mb", i->types[k].req.high_mb);
        vgt_msg_int(&m, "fences", i->types[k].req.fences);
        vgt_msg_int(&m, "fit", i->types[k].fit);
        vgt_msg_map_close(&m);
    }
    vgt_msg_array_close(&m);
    rc = xlv_print_json(CMD, &m);
    vgt_msg_dispose(&m);
    return rc;
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
        return print_json(&info);
    print_text(&info);
    return XLV_OK;
}
