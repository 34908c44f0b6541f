/* SPDX-License-Identifier: GPL-2.0-only */
/* xl vgt-list [--json]: one line per vGPU guest, as vgtd knows them. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "xl-plugin/front.h"

#define CMD "vgt-list"

static void fmt_range(char *buf, size_t n, uint64_t base, uint64_t size)
{
    char sz[24];

    if (!size) {
        snprintf(buf, n, "-");
        return;
    }
    xlv_fmt_mb(sz, sizeof(sz), size / VGT_MB);
    snprintf(buf, n, "0x%09llx+%s", (unsigned long long)base, sz);
}

static void fmt_ports(char *buf, size_t n, const struct vgt_guest *g)
{
    size_t k = 0;

    buf[0] = '\0';
    for (unsigned i = 0; i < g->n_ports && k < n; i++) {
        const struct vgt_port_state *p = &g->ports[i];
        if (!p->connected)
            continue;
        const char *t = p->type >= 0 ? vgt_port_type_name(p->type) : "?";
        int w = snprintf(buf + k, n - k, "%s%s:%s", k ? "," : "", vgt_port_name(p->port) + 5, t);
        if (w > 0 && p->override >= 0 && p->override != (int)p->port)
            w += snprintf(buf + k + w, n - k - w, ">%s", vgt_port_name(p->override) + 5);
        if (w > 0)
            k += (size_t)w;
    }
    if (!buf[0])
        snprintf(buf, n, "-");
}

static void print_text(const struct vgt_guest_list *l)
{
    printf("%-20s %5s %3s %-9s %-20s %-20s %-7s %-7s %s\n", "Name", "ID", "VGT", "State",
           "Low GM", "High GM", "Fences", "Display", "Ports");
    for (size_t i = 0; i < l->n; i++) {
        const struct vgt_guest *g = &l->guests[i];
        char low[40], high[40], fences[24], ports[96];
        fmt_range(low, sizeof(low), g->part.low_base, g->part.low_size);
        fmt_range(high, sizeof(high), g->part.high_base, g->part.high_size);
        if (g->part.fence_count)
            snprintf(fences, sizeof(fences), "%u-%u", g->part.fence_base,
                     g->part.fence_base + g->part.fence_count - 1);
        else
            snprintf(fences, sizeof(fences), "-");
        fmt_ports(ports, sizeof(ports), g);
        printf("%-20s %5d %3u %-9s %-20s %-20s %-7s %-7s %s\n", g->name[0] ? g->name : "-",
               g->domid, g->part.vgt_id, g->failsafe ? "failsafe" : g->state[0] ? g->state : "-",
               low, high, fences,
               g->display_owner ? "owner" : g->display_ready ? "ready" : "-", ports);
    }
}

static int print_json(const struct vgt_guest_list *l)
{
    struct vgt_msg m;
    int r;

    if (vgt_msg_init_pretty(&m) < 0)
        return xlv_fail(CMD, -ENOMEM, "out of memory");
    vgt_msg_int(&m, "display_owner", l->display_owner);
    vgt_msg_array_open(&m, "guests");
    for (size_t i = 0; i < l->n; i++) {
        const struct vgt_guest *g = &l->guests[i];
        vgt_msg_map_open(&m, NULL);
        vgt_msg_int(&m, "domid", g->domid);
        vgt_msg_str(&m, "name", g->name);
        vgt_msg_int(&m, "vgt_id", g->part.vgt_id);
        vgt_msg_str(&m, "type", g->type[0] ? g->type : NULL);
        vgt_msg_str(&m, "state", g->state[0] ? g->state : NULL);
        vgt_msg_str(&m, "uuid", g->uuid[0] ? g->uuid : NULL);
        vgt_msg_bool(&m, "failsafe", g->failsafe);
        if (g->failsafe_reason[0])
            vgt_msg_str(&m, "failsafe_reason", g->failsafe_reason);
        vgt_msg_bool(&m, "display_owner", g->display_owner);
        vgt_msg_bool(&m, "display_ready", g->display_ready);
        vgt_msg_u64(&m, "low_gm_base", g->part.low_base);
        vgt_msg_u64(&m, "low_gm_size", g->part.low_size);
        vgt_msg_u64(&m, "high_gm_base", g->part.high_base);
        vgt_msg_u64(&m, "high_gm_size", g->part.high_size);
        vgt_msg_int(&m, "fence_base", g->part.fence_base);
        vgt_msg_int(&m, "fence_count", g->part.fence_count);
        vgt_msg_array_open(&m, "ports");
        for (unsigned k = 0; k < g->n_ports; k++) {
            const struct vgt_port_state *p = &g->ports[k];
            vgt_msg_map_open(&m, NULL);
            vgt_msg_str(&m, "port", vgt_port_name(p->port));
            vgt_msg_bool(&m, "connected", p->connected);
            vgt_msg_str(&m, "type", p->type >= 0 ? vgt_port_type_name(p->type) : NULL);
            vgt_msg_str(&m, "override", p->override >= 0 ? vgt_port_name(p->override) : NULL);
            vgt_msg_map_close(&m);
        }
        vgt_msg_array_close(&m);
        vgt_msg_map_open(&m, "refused_access");
        vgt_msg_u64(&m, "bad_access", g->stats.bad_access);
        vgt_msg_u64(&m, "ggtt_refused", g->stats.ggtt_refused);
        vgt_msg_u64(&m, "fence_refused", g->stats.fence_refused);
        vgt_msg_u64(&m, "aperture_refused", g->stats.aperture_refused);
        vgt_msg_u64(&m, "plane_refused", g->stats.plane_refused);
        vgt_msg_map_close(&m);
        vgt_msg_map_close(&m);
    }
    vgt_msg_array_close(&m);
    r = xlv_print_json(CMD, &m);
    vgt_msg_dispose(&m);
    return r;
}

int main_vgt_list(int argc, char **argv, const struct xlv_opts *o)
{
    _cleanup_dispose_(vgt_client) struct vgt_client c;
    _cleanup_dispose_(vgt_guest_list) struct vgt_guest_list l;
    bool json;
    int r;

    vgt_client_init(&c);
    vgt_guest_list_init(&l);
    if ((r = xlv_query_options(CMD, argc, argv, &json)) >= 0)
        return r;
    if ((r = xlv_connect(CMD, &c)) != 0)
        return r;
    r = vgt_client_list(&c, &l);
    if (r < 0)
        return xlv_client_fail(CMD, &c, r);
    if (json)
        return print_json(&l);
    print_text(&l);
    return XLV_OK;
}
