/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Direct display mode on a host with an Intel GPU: the connectors the host's
 * i915 driver reports connected (DRM sysfs) become the monitors of every guest
 * without a monitor.config, and follow host hotplug (udev "drm" events), as
 * the original's udev helper (vgt_mgr) did by hand.
 *
 * Connector to virtual port, as the DDI ports of gen8/9 are usually wired:
 * eDP -> PORT_A (DP_A); DP-n and HDMI-A-n -> PORT_B, C, D for n = 1, 2, 3
 * (DP_x / HDMI_x); VGA -> PORT_E (CRT).  A port claimed twice keeps the first
 * (DP before HDMI).  Other connectors (DVI, DSI, virtual) are not mirrored.
 */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-device.h>
#include <unistd.h>

#include "vgt/cleanup.h"
#include "vgt/edid.h"
#include "daemon/manager/vgtd.h"

static bool is_i915(const char *root, unsigned card)
{
    char path[PATH_MAX], target[PATH_MAX];
    snprintf(path, sizeof(path), "%s/card%u/device/driver", root, card);
    ssize_t n = readlink(path, target, sizeof(target) - 1);
    if (n <= 0)
        return false;
    target[n] = 0;
    const char *base = strrchr(target, '/');
    return strcmp(base ? base + 1 : target, "i915") == 0;
}

/* "DP-2" -> PORT_C / DP_C; false if not mirrored */
static bool map_connector(const char *name, enum vgt_port *port, enum vgt_port_type *type)
{
    unsigned n = 0;
    if (sscanf(name, "eDP-%u", &n) == 1) {
        *port = VGT_PORT_A;
        *type = VGT_PORT_DP_A;
        return true;
    }
    if (sscanf(name, "VGA-%u", &n) == 1) {
        *port = VGT_PORT_E;
        *type = VGT_PORT_CRT;
        return true;
    }
    bool dp = sscanf(name, "DP-%u", &n) == 1;
    if (!dp && sscanf(name, "HDMI-A-%u", &n) != 1)
        return false;
    if (n < 1 || n > 3)
        return false;
    *port = VGT_PORT_B + (n - 1);
    *type = dp ? VGT_PORT_DP_B + (n - 1) : VGT_PORT_HDMI_B + (n - 1);
    return true;
}

static int cmp_item(const void *a, const void *b)
{
    return (int)((const struct vgt_monitor_item *)a)->port -
           (int)((const struct vgt_monitor_item *)b)->port;
}

/* 1 if the host has an i915 card (out: its connected monitors), 0 if none. */
int host_monitors_read(const char *root, struct vgt_monitor_config *out)
{
    memset(out, 0, sizeof(*out));
    DIR *dir = opendir(root);
    if (!dir)
        return 0;
    bool intel = false;
    struct dirent *de;
    /* DP before HDMI for the same port: two passes */
    for (int pass = 0; pass < 2; pass++) {
        rewinddir(dir);
        while ((de = readdir(dir))) {
            unsigned card;
            int off = 0;
            if (sscanf(de->d_name, "card%u-%n", &card, &off) != 1 || off == 0)
                continue;
            if (!is_i915(root, card))
                continue;
            intel = true;
            const char *conn = de->d_name + off;
            enum vgt_port port;
            enum vgt_port_type type;
            if (!map_connector(conn, &port, &type) || (pass == 0) != (strncmp(conn, "HDMI", 4) != 0))
                continue;
            char path[PATH_MAX], status[32] = "";
            snprintf(path, sizeof(path), "%s/%s/status", root, de->d_name);
            FILE *f = fopen(path, "re");
            if (f) {
                if (!fgets(status, sizeof(status), f))
                    status[0] = 0;
                fclose(f);
            }
            if (strncmp(status, "connected", 9) != 0)
                continue;
            bool taken = false;
            for (unsigned i = 0; i < out->n; i++)
                taken |= out->items[i].port == port;
            if (taken || out->n >= VGT_PORT_MAX)
                continue;
            snprintf(path, sizeof(path), "%s/%s/edid", root, de->d_name);
            struct vgt_monitor_item *it = &out->items[out->n];
            struct vgt_diag diag;
            vgt_diag_init(&diag);
            int r = vgt_edid_load(path, it->edid, &diag);
            if (r < 0)
                log_warn(NULL, "host connector %s: no usable EDID (%s): not mirrored", conn,
                         diag.n ? diag.msgs[0] : vgt_strerror(r));
            vgt_diag_dispose(&diag);
            if (r < 0)
                continue;
            it->port = it->override = port;
            it->type = type;
            out->n++;
        }
    }
    closedir(dir);
    qsort(out->items, out->n, sizeof(out->items[0]), cmp_item);
    return intel;
}

static int on_drm_uevent(sd_device_monitor *m, sd_device *dev, void *userdata)
{
    host_rescan(userdata);
    return 0;
}

int host_start(struct vgtd *d)
{
    const char *root = d->conf.drm_sysfs ? d->conf.drm_sysfs : "/sys/class/drm";
    if (!d->conf.host_monitors)
        return 0;
    d->host_gpu = host_monitors_read(root, &d->host_mon) == 1;
    if (!d->host_gpu) {
        log_info(NULL, "no Intel GPU in %s: guests without a monitor config get %s", root,
                 d->conf.default_monitor ? "the default monitor" : "no monitor");
        return 0;
    }
    log_info(NULL, "direct display mode: %u host monitor(s) mirrored to the guests", d->host_mon.n);
    if (d->conf.drm_sysfs)
        return 0;   /* a test tree: no uevents */
    int r = sd_device_monitor_new(&d->drm_mon);
    if (r >= 0)
        r = sd_device_monitor_filter_add_match_subsystem_devtype(d->drm_mon, "drm", NULL);
    if (r >= 0)
        r = sd_device_monitor_attach_event(d->drm_mon, d->ev);
    if (r >= 0)
        r = sd_device_monitor_start(d->drm_mon, on_drm_uevent, d);
    if (r < 0) {
        log_warn(NULL, "cannot follow host hotplug (udev): %s", vgt_strerror(r));
        d->drm_mon = sd_device_monitor_unref(d->drm_mon);
    }
    return 0;
}

void host_stop(struct vgtd *d)
{
    d->drm_mon = sd_device_monitor_unref(d->drm_mon);
}

void host_rescan(struct vgtd *d)
{
    if (!d->host_gpu)
        return;
    const char *root = d->conf.drm_sysfs ? d->conf.drm_sysfs : "/sys/class/drm";
    struct vgt_monitor_config now;
    host_monitors_read(root, &now);
    if (now.n == d->host_mon.n && memcmp(now.items, d->host_mon.items,
                                          now.n * sizeof(now.items[0])) == 0)
        return;
    log_info(NULL, "host monitors changed: %u connected", now.n);
    d->host_mon = now;
    for (struct vgtd_guest *g = d->guests; g; g = g->next)
        if (!g->indirect)
            guest_set_monitors(g, &now);
}
