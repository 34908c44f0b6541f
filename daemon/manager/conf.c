/* SPDX-License-Identifier: GPL-2.0-only */
/* vgtd.conf: xl config syntax (libxlutil), every error as FILE:LINE: KEY: message. */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vgt/cleanup.h"
#include "vgt/edid.h"
#include "vgt/util.h"
#include "xlcfg.h"
#include "daemon/manager/vgtd.h"

#ifndef VGT_LIBEXECDIR
#define VGT_LIBEXECDIR "/usr/libexec/xen-vgt"
#endif

static const char *const known_keys[] = {
    "profile", "host_low_mb", "host_high_mb", "host_fences", "pci_bdf",
    "display_owner_at_boot", "preallocated_monitor_to_guest", "default_monitor",
    "default_monitor_edid", "worker", "worker_user", "worker_uid_base", "state_dir", "socket",
    "socket_group", "worker_restarts", "worker_ready_timeout", "reboot_hold", "worker_poll_us",
    "host_monitors",
};

void vgtd_conf_init(struct vgtd_conf *c)
{
    memset(c, 0, sizeof(*c));
    c->host_low_mb = c->host_high_mb = c->host_fences = -1;
    c->owner_at_boot = VGTD_BOOT_DOM0;
    c->preallocated_monitor_to_guest = true;
    c->default_monitor = true;
    c->default_item.port = VGT_PORT_B;
    c->default_item.type = VGT_PORT_DP_B;
    c->default_item.override = VGT_PORT_B;
    memcpy(c->default_item.edid, vgt_edid_default_1080p, VGT_EDID_LEN);
    c->worker_restarts = 3;
    c->worker_ready_timeout = 10;
    c->reboot_hold = 60;
    c->worker_poll_us = 200;   /* KVM's halt_poll_ns cap */
    c->host_monitors = true;
}

void vgtd_conf_dispose(struct vgtd_conf *c)
{
    free(c->file);
    free(c->profile);
    free(c->pci_bdf);
    free(c->worker);
    free(c->worker_user);
    free(c->state_dir);
    free(c->socket);
    free(c->socket_group);
    free(c->drm_sysfs);
    c->drm_sysfs = NULL;
    c->file = c->profile = c->pci_bdf = c->worker = c->worker_user = NULL;
    c->state_dir = c->socket = c->socket_group = NULL;
}

/* Keys we do not know: a typo must not be ignored silently. */
static void check_unknown(const struct xlcfg *x, struct vgt_diag *diag)
{
    for (size_t i = 0; i < x->n_keys; i++) {
        bool known = false;
        for (size_t k = 0; k < VGT_ARRAY_SIZE(known_keys); k++)
            known |= strcmp(known_keys[k], x->keys[i].name) == 0;
        if (!known)
            xlcfg_err_line(x, diag, x->keys[i].line, x->keys[i].name,
                           "unknown key (see vgtd.conf(5))");
    }
}

static void get_strdup(const struct xlcfg *x, const char *key, char **dst, struct vgt_diag *diag)
{
    const char *v;
    if (xlcfg_string(x, key, &v, diag) < 0)
        return;
    if (!*v) {
        xlcfg_err(x, diag, key, "must not be empty");
        return;
    }
    free(*dst);
    *dst = strdup(v);
}

static int get_num(const struct xlcfg *x, const char *key, long min, long max, long *out,
                   struct vgt_diag *diag)
{
    return xlcfg_long(x, key, min, max, out, diag);
}

static void get_unsigned(const struct xlcfg *x, const char *key, long min, long max,
                         unsigned *out, struct vgt_diag *diag)
{
    long l = *out;
    if (xlcfg_long(x, key, min, max, &l, diag) == 0)
        *out = l;
}

static bool valid_bdf(const char *s)
{
    unsigned seg, bus, dev, fn;
    int n = 0;
    if (strlen(s) != 12 || sscanf(s, "%4x:%2x:%2x.%1x%n", &seg, &bus, &dev, &fn, &n) != 4 ||
        n != 12)
        return false;
    return dev < 32 && fn < 8;
}

/*
 * One uid (and gid) per domain, as libxl's xen-qemuuser-range-base does for
 * QEMU: workers of different guests can then neither signal nor trace each
 * other.  Every id of base+1..base+VGTD_MAX_DOMID must be unused, else a
 * worker would share it with an account; the base itself may be a marker user.
 */
static bool in_worker_range(long base, long id)
{
    return id > base && id <= base + VGTD_MAX_DOMID;
}

static void range_taken(const struct xlcfg *x, long base, const char *id_kind, long id,
                        const char *owner_kind, const char *owner, struct vgt_diag *diag)
{
    xlcfg_err(x, diag, "worker_uid_base", "%ld: %s %ld (%s %s) lies in the workers' range %ld..%ld",
              base, id_kind, id, owner_kind, owner, base + 1, base + VGTD_MAX_DOMID);
}

static void check_uid_range(const struct xlcfg *x, long base, struct vgt_diag *diag)
{
    struct passwd *pw;
    struct group *gr;

    setpwent();
    while ((pw = getpwent()) && !in_worker_range(base, pw->pw_uid))
        ;
    if (pw)
        range_taken(x, base, "uid", pw->pw_uid, "user", pw->pw_name, diag);
    endpwent();
    setgrent();
    while ((gr = getgrent()) && !in_worker_range(base, gr->gr_gid))
        ;
    if (gr)
        range_taken(x, base, "gid", gr->gr_gid, "group", gr->gr_name, diag);
    endgrent();
}

const char *vgtd_conf_worker_user(const struct vgtd_conf *c, uint32_t domid, char *buf,
                                  size_t n, bool *per_domain)
{
    *per_domain = c->worker_uid_base > 0;
    if (!*per_domain)
        return c->worker_user;
    long id = c->worker_uid_base + (long)domid;
    snprintf(buf, n, "%ld:%ld", id, id);
    return buf;
}

static void read_default_monitor(const struct xlcfg *x, struct vgtd_conf *c, struct vgt_diag *diag)
{
    const char *v;
    if (xlcfg_string(x, "default_monitor", &v, diag) == 0) {
        int t;
        if (strcmp(v, "none") == 0) {
            c->default_monitor = false;
        } else if ((t = vgt_port_type_from_name(v)) < 0) {
            xlcfg_err(x, diag, "default_monitor",
                      "'%s' is no port type: want CRT, DP_A..DP_D, HDMI_B..HDMI_D or none", v);
        } else {
            c->default_item.type = t;
            c->default_item.port = c->default_item.override = vgt_port_type_port(t);
        }
    }
    if (xlcfg_string(x, "default_monitor_edid", &v, diag) == 0 &&
        strcmp(v, "builtin-1080p") != 0) {
        struct vgt_diag d2;
        vgt_diag_init(&d2);
        if (vgt_edid_load(v, c->default_item.edid, &d2) < 0)
            xlcfg_err(x, diag, "default_monitor_edid", "%s", d2.n ? d2.msgs[0] : "bad EDID");
        vgt_diag_dispose(&d2);
    }
}

int vgtd_conf_read(struct vgtd_conf *c, const char *file, bool must_exist, struct vgt_diag *diag)
{
    size_t n0 = diag->n;
    if (!must_exist && access(file, F_OK) < 0 && errno == ENOENT)
        return 0;   /* no file: the defaults */
    struct xlcfg x;
    xlcfg_init(&x);
    int r = xlcfg_read(&x, file, NULL, 0, diag);
    if (r < 0) {
        xlcfg_dispose(&x);
        return r;
    }
    free(c->file);
    c->file = strdup(file);
    check_unknown(&x, diag);

    const char *v;
    get_strdup(&x, "profile", &c->profile, diag);
    get_num(&x, "host_low_mb", 0, 1 << 20, &c->host_low_mb, diag);
    get_num(&x, "host_high_mb", 0, 1 << 20, &c->host_high_mb, diag);
    get_num(&x, "host_fences", 0, VGT_MAX_FENCES, &c->host_fences, diag);
    if (xlcfg_string(&x, "pci_bdf", &v, diag) == 0) {
        if (!valid_bdf(v))
            xlcfg_err(&x, diag, "pci_bdf", "'%s' is no PCI address: want SSSS:BB:DD.F,"
                      " e.g. 0000:00:05.0", v);
        else {
            free(c->pci_bdf);
            c->pci_bdf = strdup(v);
        }
    }
    if (xlcfg_string(&x, "display_owner_at_boot", &v, diag) == 0) {
        if (strcmp(v, "dom0") == 0)
            c->owner_at_boot = VGTD_BOOT_DOM0;
        else if (strcmp(v, "guest") == 0)
            c->owner_at_boot = VGTD_BOOT_GUEST;
        else
            xlcfg_err(&x, diag, "display_owner_at_boot", "'%s': want \"dom0\" or \"guest\"", v);
    }
    long l = c->preallocated_monitor_to_guest;
    get_num(&x, "preallocated_monitor_to_guest", 0, 1, &l, diag);
    c->preallocated_monitor_to_guest = l;
    l = c->host_monitors;
    get_num(&x, "host_monitors", 0, 1, &l, diag);
    c->host_monitors = l;
    read_default_monitor(&x, c, diag);
    get_strdup(&x, "worker", &c->worker, diag);
    get_strdup(&x, "worker_user", &c->worker_user, diag);
    /* 0: off; below 2^31: ids that no tool mistakes for negative or for (uid_t)-1 */
    if (get_num(&x, "worker_uid_base", 0, 0x7fffffffl - VGTD_MAX_DOMID, &c->worker_uid_base,
                diag) == 0 && c->worker_uid_base > 0)
        check_uid_range(&x, c->worker_uid_base, diag);
    get_strdup(&x, "state_dir", &c->state_dir, diag);
    get_strdup(&x, "socket", &c->socket, diag);
    get_strdup(&x, "socket_group", &c->socket_group, diag);
    if (c->socket_group) {
        struct group *gr = getgrnam(c->socket_group);
        if (!gr)
            xlcfg_err(&x, diag, "socket_group", "'%s': no such group", c->socket_group);
        else
            c->socket_gid = gr->gr_gid;
    }
    get_unsigned(&x, "worker_restarts", 0, 100, &c->worker_restarts, diag);
    get_unsigned(&x, "worker_ready_timeout", 1, 600, &c->worker_ready_timeout, diag);
    get_unsigned(&x, "reboot_hold", 0, 3600, &c->reboot_hold, diag);
    get_unsigned(&x, "worker_poll_us", 0, VGT_MAX_POLL_US, &c->worker_poll_us, diag);
    xlcfg_dispose(&x);
    return diag->n > n0 ? -EINVAL : 0;
}

int vgtd_conf_finish(struct vgtd_conf *c)
{
#define DEF(f, v) do { if (!c->f && !(c->f = strdup(v))) return -ENOMEM; } while (0)
    DEF(profile, vgt_profile_default_name());
    DEF(pci_bdf, "0000:00:05.0");
    DEF(worker, VGT_LIBEXECDIR "/vgt-worker");
    DEF(worker_user, "vgt-worker");
    DEF(state_dir, VGT_RUNSTATEDIR "/xen-vgt");
    if (!c->socket && asprintf(&c->socket, "%s/vgtd.sock", c->state_dir) < 0) {
        c->socket = NULL;
        return -ENOMEM;
    }
#undef DEF
    return 0;
}
