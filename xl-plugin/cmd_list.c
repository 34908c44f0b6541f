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
        return xlv_print_reply(CMD, l.json);
    print_text(&l);
    return XLV_OK;
}
