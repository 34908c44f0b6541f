/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xl vgt-hotplug DOMAIN PORT connect --edid FILE [--type T] [--override PORT]
 * xl vgt-hotplug DOMAIN PORT disconnect
 * The EDID is loaded and checked here, before vgtd is asked.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "xl-plugin/front.h"

#define CMD "vgt-hotplug"

static int usage_error(const struct xlv_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int usage_error(const struct xlv_cmd *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "xl: " CMD ": ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    xlv_usage(cmd, stderr);
    return XLV_EUSAGE;
}

/* "a monitor (DEL 0xa0c4 "DELL U2412M", 1920x1200@60)" */
static void describe_edid(const uint8_t *edid, char *buf, size_t n)
{
    struct vgt_edid_info i;

    memset(&i, 0, sizeof(i));
    if (vgt_edid_decode(edid, &i, "edid", NULL) < 0) {
        snprintf(buf, n, "?");
        return;
    }
    int k = snprintf(buf, n, "%s 0x%04x", i.manufacturer, i.product);
    if (k > 0 && (size_t)k < n && i.name[0])
        k += snprintf(buf + k, n - k, " \"%s\"", i.name);
    if (k > 0 && (size_t)k < n && i.has_preferred)
        snprintf(buf + k, n - k, ", %ux%u@%u", i.width, i.height, i.refresh_hz);
}

int main_vgt_hotplug(int argc, char **argv, const struct xlv_opts *o)
{
    static const struct option longopts[] = {
        { "edid", required_argument, NULL, 'e' },
        { "type", required_argument, NULL, 't' },
        { "override", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const struct xlv_cmd *cmd = xlv_find_cmd(CMD);
    _cleanup_dispose_(vgt_client) struct vgt_client c;
    struct vgt_hotplug h = { .type = -1, .override = -1 };
    const char *edid_file = NULL, *type_arg = NULL, *over_arg = NULL;
    char name[64] = "", what[128] = "";
    int opt, r;

    vgt_client_init(&c);
    while ((opt = getopt_long(argc, argv, "e:t:o:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'e': edid_file = optarg; break;
        case 't': type_arg = optarg; break;
        case 'o': over_arg = optarg; break;
        case 'h': xlv_usage(cmd, stdout); return XLV_OK;
        default: xlv_usage(cmd, stderr); return XLV_EUSAGE;
        }
    }
    if (argc - optind != 3)
        return usage_error(cmd, "%s", argc - optind < 3
                           ? "DOMAIN, PORT and connect|disconnect expected" : "too many arguments");
    const char *domain = argv[optind], *port = argv[optind + 1], *action = argv[optind + 2];

    if (strcmp(action, "connect") == 0)
        h.connect = true;
    else if (strcmp(action, "disconnect") != 0)
        return usage_error(cmd, "unknown action '%s' (connect or disconnect)", action);
    r = vgt_port_from_name(port);
    if (r < 0)
        return xlv_fail(CMD, -ENXIO, "unknown port '%s' (PORT_A, PORT_B, PORT_C, PORT_D or "
                        "PORT_E)", port);
    h.port = r;
    if (!h.connect && (edid_file || type_arg || over_arg))
        return usage_error(cmd, "--edid, --type and --override go with connect only");
    if (h.connect && !edid_file)
        return usage_error(cmd, "connect needs --edid FILE");
    if (type_arg) {
        h.type = vgt_port_type_from_name(type_arg);
        if (h.type < 0)
            return usage_error(cmd, "unknown port type '%s' (CRT, DP_A, DP_B, DP_C, DP_D, "
                               "HDMI_B, HDMI_C, HDMI_D)", type_arg);
        if (vgt_port_type_port(h.type) != h.port) {
            fprintf(stderr, "xl: " CMD ": type %s is a type of %s, not of %s\n",
                    vgt_port_type_name(h.type), vgt_port_name(vgt_port_type_port(h.type)),
                    vgt_port_name(h.port));
            return XLV_EUSAGE;
        }
    }
    if (over_arg) {
        h.override = vgt_port_from_name(over_arg);
        if (h.override < 0)
            return xlv_fail(CMD, -ENXIO, "unknown port '%s' for --override (PORT_A..PORT_E)",
                            over_arg);
    }
    if (h.connect) {
        struct vgt_diag d;
        vgt_diag_init(&d);
        r = vgt_edid_load(edid_file, h.edid, &d);
        if (r < 0) {
            if (d.n)
                fprintf(stderr, "xl: " CMD ": %s%s\n", d.msgs[0],
                        d.n + d.dropped > 1 ? " (and more errors: xl vgt-edid FILE)" : "");
            else
                fprintf(stderr, "xl: " CMD ": %s: %s\n", edid_file, vgt_strerror(r));
            vgt_diag_dispose(&d);
            return XLV_EEDID;
        }
        vgt_diag_dispose(&d);
        describe_edid(h.edid, what, sizeof(what));
    }
    int type = h.type >= 0 ? h.type : (int)vgt_port_type_of(h.port, h.port != VGT_PORT_E);
    int over = h.override >= 0 ? h.override : (int)h.port;

    r = vgt_client_connect(&c, NULL);
    if (r < 0 && o->dry_run && r == -ECONNREFUSED) {
        snprintf(name, sizeof(name), "%s", domain);
        fprintf(stderr, "xl: " CMD ": %s: the domain was not checked\n", c.error);
        h.domid = -1;
    } else if (r < 0) {
        return xlv_client_fail(CMD, &c, r);
    } else {
        r = xlv_resolve(CMD, &c, domain, false, &h.domid, name, sizeof(name));
        if (r)
            return r;
    }
    if (o->dry_run) {
        char dom[96];
        if (h.domid >= 0)
            snprintf(dom, sizeof(dom), "%s (domain %d)", name, h.domid);
        else
            snprintf(dom, sizeof(dom), "domain '%s'", name);
        if (h.connect)
            printf("dry run: would connect %s of %s: type %s, override %s, EDID %s (%s)\n",
                   vgt_port_name(h.port), dom, vgt_port_type_name(type), vgt_port_name(over),
                   edid_file, what);
        else
            printf("dry run: would disconnect %s of %s\n", vgt_port_name(h.port), dom);
        return XLV_OK;
    }
    r = vgt_client_hotplug(&c, &h);
    if (r < 0)
        return xlv_client_fail(CMD, &c, r);
    return XLV_OK;
}
