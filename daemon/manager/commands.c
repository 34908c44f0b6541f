/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The commands of the control protocol (vgt/proto.h, vgtd-protocol(7)), one
 * table.  Commands that need a worker answer when it has.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vgt/cleanup.h"
#include "vgt/config.h"
#include "vgt/edid.h"
#include "daemon/manager/vgtd.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

#define WORKER_TIMEOUT_MS 5000
#define MAX_DOMID 0x7fef
#define SHOT_MAX_DIM 16384

static void reply_ok(struct ctl_req *r, struct vgt_msg *m)
{
    vgt_msg_bool(m, "ok", true);
}

static int begin(struct ctl_req *r, struct vgt_msg *m)
{
    if (vgt_msg_init(m) < 0) {
        ctl_reply_error(r, -ENOMEM, "out of memory");
        return -ENOMEM;
    }
    reply_ok(r, m);
    return 0;
}

/* "domid" of the request: 0 and *out, or an error reply was sent. */
static int req_domid(struct ctl_req *r, uint64_t *out)
{
    int e = json_u64_max(r->msg, "domid", MAX_DOMID, out);
    if (e < 0)
        ctl_reply_error(r, -EINVAL, "domid: %s (want a domain id 0..%u)",
                        e == -ENOENT ? "missing" : "bad value", MAX_DOMID);
    return e;
}

/* The guest of "domid"; replies ESRCH itself when it has no vGPU. */
static struct vgtd_guest *req_guest(struct ctl_req *r)
{
    uint64_t domid;
    if (req_domid(r, &domid) < 0)
        return NULL;
    struct vgtd_guest *g = guest_by_domid(r->d, domid);
    if (!g)
        ctl_reply_error(r, -ESRCH, "domain %llu has no vGPU", (unsigned long long)domid);
    return g;
}

static void cmd_hello(struct ctl_req *r);

static void cmd_info(struct ctl_req *r)
{
    struct vgtd *d = r->d;
    struct vgt_resources res;
    struct vgt_msg m;
    if (begin(r, &m) < 0)
        return;
    vgt_alloc_resources(d->alloc, &res);
    unsigned n = 0;
    for (struct vgtd_guest *g = d->guests; g; g = g->next)
        n++;
    vgt_msg_int(&m, "display_owner", d->display_owner);
    vgt_msg_int(&m, "guests", n);
    vgt_msg_map_open(&m, "profile");
    vgt_msg_str(&m, "name", d->profile.name);
    vgt_msg_str(&m, "description", d->profile.description);
    vgt_msg_int(&m, "gen", d->profile.gen);
    vgt_msg_int(&m, "device_id", d->profile.device_id);
    vgt_msg_u64(&m, "aperture_mb", d->profile.aperture_mb);
    vgt_msg_u64(&m, "ggtt_mb", d->profile.ggtt_mb);
    vgt_msg_int(&m, "fences", d->profile.fences);
    vgt_msg_int(&m, "max_instances", d->profile.max_instances);
    vgt_msg_map_close(&m);
    vgt_msg_map_open(&m, "host");
    vgt_msg_u64(&m, "low_mb", d->profile.host_low_mb);
    vgt_msg_u64(&m, "high_mb", d->profile.host_high_mb);
    vgt_msg_int(&m, "fences", d->profile.host_fences);
    vgt_msg_map_close(&m);
    vgt_msg_map_open(&m, "resources");
    vgt_msg_u64(&m, "low_total_mb", res.low_total_mb);
    vgt_msg_u64(&m, "low_free_mb", res.low_free_mb);
    vgt_msg_u64(&m, "low_largest_mb", res.low_largest_mb);
    vgt_msg_u64(&m, "high_total_mb", res.high_total_mb);
    vgt_msg_u64(&m, "high_free_mb", res.high_free_mb);
    vgt_msg_u64(&m, "high_largest_mb", res.high_largest_mb);
    vgt_msg_int(&m, "fences_total", res.fences_total);
    vgt_msg_int(&m, "fences_free", res.fences_free);
    vgt_msg_int(&m, "fences_largest", res.fences_largest);
    vgt_msg_int(&m, "instances_total", res.instances_total);
    vgt_msg_int(&m, "instances_free", res.instances_free);
    vgt_msg_map_close(&m);
    vgt_msg_str(&m, "pci_bdf", d->conf.pci_bdf);
    vgt_msg_str(&m, "display_owner_at_boot",
                d->conf.owner_at_boot == VGTD_BOOT_GUEST ? "guest" : "dom0");
    vgt_msg_bool(&m, "preallocated_monitor_to_guest", d->conf.preallocated_monitor_to_guest);
    vgt_msg_array_open(&m, "types");
    unsigned nt = 0;
    const struct vgt_type *t = vgt_types(&nt);
    for (unsigned i = 0; t && i < nt; i++) {
        vgt_msg_map_open(&m, NULL);
        vgt_msg_str(&m, "name", t[i].name);
        vgt_msg_u64(&m, "low_mb", t[i].req.low_mb);
        vgt_msg_u64(&m, "high_mb", t[i].req.high_mb);
        vgt_msg_int(&m, "fences", t[i].req.fences);
        vgt_msg_int(&m, "fit", vgt_alloc_fit_count(d->alloc, &t[i].req));
        vgt_msg_map_close(&m);
    }
    vgt_msg_array_close(&m);
    ctl_reply_msg(r, &m);
}

/* ---- list ----------------------------------------------------------------- */

/* The vGPU type whose sizes these are ("" if none). */
static const char *type_of(const struct vgt_request *q)
{
    unsigned n = 0;
    const struct vgt_type *t = vgt_types(&n);
    for (unsigned i = 0; t && i < n; i++)
        if (t[i].req.low_mb == q->low_mb && t[i].req.high_mb == q->high_mb &&
            t[i].req.fences == q->fences)
            return t[i].name;
    return NULL;
}

static void gen_guest(struct vgt_msg *m, const char *key, const struct vgtd_guest *x)
{
    const struct vgt_partition *p = &x->part;
    vgt_msg_map_open(m, key);
    vgt_msg_int(m, "domid", x->domid);
    vgt_msg_str(m, "name", x->name);
    vgt_msg_str(m, "uuid", x->uuid);
    vgt_msg_int(m, "vgt_id", p->vgt_id);
    vgt_msg_str(m, "type", type_of(&x->req));
    vgt_msg_str(m, "state", guest_state_name(x->state));
    vgt_msg_bool(m, "display_ready", x->display_ready);
    vgt_msg_bool(m, "display_owner", x->domid && x->d->display_owner == x->domid);
    vgt_msg_u64(m, "low_gm_base", p->low_base);
    vgt_msg_u64(m, "low_gm_size", p->low_size);
    vgt_msg_u64(m, "high_gm_base", p->high_base);
    vgt_msg_u64(m, "high_gm_size", p->high_size);
    vgt_msg_int(m, "fence_base", p->fence_base);
    vgt_msg_int(m, "fence_count", p->fence_count);
    vgt_msg_int(m, "vcpus", x->vcpus);
    vgt_msg_u64(m, "memory", x->mem_bytes);
    vgt_msg_bool(m, "indirect", x->indirect);
    vgt_msg_bool(m, "failsafe", x->state == GUEST_FAILSAFE || x->failsafe_by_worker);
    if (x->failsafe_reason[0])
        vgt_msg_str(m, "failsafe_reason", x->failsafe_reason);
    vgt_msg_int(m, "worker_pid", guest_worker_pid(x));
    vgt_msg_int(m, "worker_restarts", x->restarts);
    vgt_msg_array_open(m, "ports");
    if (x->w && x->n_ports) {
        for (unsigned i = 0; i < x->n_ports; i++) {
            vgt_msg_map_open(m, NULL);
            vgt_msg_str(m, "port", x->ports[i].port);
            vgt_msg_bool(m, "connected", x->ports[i].connected);
            vgt_msg_str(m, "type", x->ports[i].type[0] ? x->ports[i].type : NULL);
            vgt_msg_str(m, "override", x->ports[i].override[0] ? x->ports[i].override : NULL);
            vgt_msg_map_close(m);
        }
    } else {   /* no worker to ask: what is configured, not connected */
        for (unsigned i = 0; i < x->monitor.n; i++) {
            vgt_msg_map_open(m, NULL);
            vgt_msg_str(m, "port", vgt_port_name(x->monitor.items[i].port));
            vgt_msg_bool(m, "connected", false);
            vgt_msg_str(m, "type", vgt_port_type_name(x->monitor.items[i].type));
            vgt_msg_str(m, "override", vgt_port_name(x->monitor.items[i].override));
            vgt_msg_map_close(m);
        }
    }
    vgt_msg_array_close(m);
    static const char *const names[] = { "bad_access", "ggtt_refused", "fence_refused",
                                         "aperture_refused", "plane_refused" };
    vgt_msg_map_open(m, "refused_access");
    for (unsigned i = 0; i < VGT_ARRAY_SIZE(names); i++)
        vgt_msg_u64(m, names[i], x->stat[i]);
    vgt_msg_map_close(m);
    vgt_msg_map_close(m);
}

static void list_finish(struct ctl_req *r)
{
    struct vgt_msg m;
    if (begin(r, &m) < 0)
        return;
    vgt_msg_int(&m, "display_owner", r->d->display_owner);
    vgt_msg_array_open(&m, "guests");
    for (struct vgtd_guest *x = r->d->guests; x; x = x->next)
        gen_guest(&m, NULL, x);
    vgt_msg_array_close(&m);
    ctl_reply_msg(r, &m);
}

struct status_call {
    struct ctl_req *r;
    uint32_t domid;
};

static void on_list_status(void *userdata, int err, yajl_val reply, int fd)
{
    struct status_call *sc = userdata;
    struct ctl_req *r = sc->r;
    if (fd >= 0)
        close(fd);
    struct vgtd_guest *g = guest_by_domid(r->d, sc->domid);
    bool ok = false;
    if (g && !err && vgt_json_get_bool(reply, "ok", &ok) == 0 && ok)
        guest_take_status(g, reply);
    free(sc);
    if (--r->pending == 0)
        list_finish(r);
}

static void cmd_list(struct ctl_req *r)
{
    r->pending = 1;   /* held until every request is out */
    for (struct vgtd_guest *g = r->d->guests; g; g = g->next) {
        if (!g->w || g->state != GUEST_RUNNING)
            continue;
        struct status_call *sc = malloc(sizeof(*sc));
        if (!sc)
            break;
        sc->r = r;
        sc->domid = g->domid;
        r->pending++;
        if (guest_request(g, "{\"op\":\"status\"}", WORKER_TIMEOUT_MS, on_list_status, sc) < 0) {
            r->pending--;
            free(sc);
        }
    }
    if (--r->pending == 0)
        list_finish(r);
}

/* ---- attach / detach ------------------------------------------------------- */

static int get_u(struct ctl_req *r, const char *k, uint64_t max, uint64_t *v, bool required)
{
    int e = json_u64_max(r->msg, k, max, v);
    if (e == -ENOENT && !required)
        return 0;
    if (e < 0) {
        ctl_reply_error(r, -EINVAL, "%s: %s (want a number 0..%llu)", k,
                        e == -ENOENT ? "missing" : "bad value", (unsigned long long)max);
        return e;
    }
    return 0;
}

static void cmd_attach(struct ctl_req *r)
{
    struct attach_args a = { 0 };
    uint64_t domid = 0, vcpus = 1, mem_mb = 0, v = 0;
    const char *type = NULL;
    if (get_u(r, "domid", MAX_DOMID, &domid, true) < 0)
        return;
    if (domid == 0) {
        ctl_reply_error(r, -EINVAL, "domid: dom0 has the host's GPU, not a vGPU");
        return;
    }
    a.domid = domid;
    if (vgt_json_get_str(r->msg, "name", &a.name) == -EINVAL ||
        vgt_json_get_str(r->msg, "uuid", &a.uuid) == -EINVAL ||
        vgt_json_get_str(r->msg, "monitor_config", &a.monitor_config) == -EINVAL ||
        vgt_json_get_str(r->msg, "type", &type) == -EINVAL) {
        ctl_reply_error(r, -EINVAL, "name, uuid, type and monitor_config must be strings");
        return;
    }
    if (a.monitor_config && a.monitor_config[0] != '/') {
        ctl_reply_error(r, -EINVAL, "monitor_config: '%s' is not an absolute path",
                        a.monitor_config);
        return;
    }
    const struct vgt_type *t = type ? vgt_type_lookup(type) : NULL;
    if (type && !t) {
        ctl_reply_error(r, -EINVAL, "type: unknown vGPU type '%s'", type);
        return;
    }
    if (t)
        a.req = t->req;
    /* the sizes decide; the type only fills in what is not given */
    if (get_u(r, "low_mb", 1 << 20, &a.req.low_mb, !t) < 0 ||
        get_u(r, "high_mb", 1 << 20, &a.req.high_mb, !t) < 0)
        return;
    v = a.req.fences;
    if (get_u(r, "fences", VGT_MAX_FENCES, &v, !t) < 0)
        return;
    a.req.fences = v;
    if (get_u(r, "vcpus", 512, &vcpus, false) < 0 ||
        get_u(r, "memory_mb", 1ull << 32, &mem_mb, false) < 0)
        return;
    a.vcpus = vcpus ? vcpus : 1;
    a.mem_bytes = mem_mb * 1024 * 1024;

    struct vgt_diag diag;
    vgt_diag_init(&diag);
    int e = guest_attach(r->d, &a, r, &diag);
    if (e < 0)
        ctl_reply_diag(r, e, &diag);
    vgt_diag_dispose(&diag);
}

void cmd_attach_done(struct ctl_req *r, struct vgtd_guest *x, int err, const char *msg)
{
    if (err < 0) {
        ctl_reply_error(r, err, "%s", msg ? msg : vgt_strerror(err));
        return;
    }
    struct vgt_msg m;
    if (begin(r, &m) < 0)
        return;
    gen_guest(&m, "guest", x);
    vgt_msg_str(&m, "pci_bdf", r->d->conf.pci_bdf);
    ctl_reply_msg(r, &m);
}

static void cmd_detach(struct ctl_req *r)
{
    struct vgtd_guest *g = req_guest(r);
    if (!g)
        return;
    guest_destroy(g, "detached");
    struct vgt_msg m;
    if (begin(r, &m) == 0)
        ctl_reply_msg(r, &m);
}

/* ---- switch ---------------------------------------------------------------- */

static void cmd_switch(struct ctl_req *r)
{
    uint64_t domid;
    bool force = false;
    if (req_domid(r, &domid) < 0)
        return;
    if (vgt_json_get_bool(r->msg, "force", &force) == -EINVAL) {
        ctl_reply_error(r, -EINVAL, "force: want true or false");
        return;
    }
    if (domid) {   /* back to dom0 always works, whatever the guest does */
        struct vgtd_guest *g = guest_by_domid(r->d, domid);
        if (!g) {
            ctl_reply_error(r, -ESRCH, "domain %llu has no vGPU", (unsigned long long)domid);
            return;
        }
        if (!g->display_ready && !force) {
            ctl_reply_error(r, -EAGAIN, "the display of domain %u is not ready yet"
                            " (its driver has not set display_ready); force to switch anyway",
                            g->domid);
            return;
        }
    }
    uint32_t previous = r->d->display_owner;
    vgtd_set_display_owner(r->d, domid);
    struct vgt_msg m;
    if (begin(r, &m) < 0)
        return;
    vgt_msg_int(&m, "display_owner", domid);
    vgt_msg_int(&m, "previous", previous);
    ctl_reply_msg(r, &m);
}

/* ---- hotplug --------------------------------------------------------------- */

struct hotplug_call {
    struct ctl_req *r;
    uint32_t domid;
    enum vgt_port port;
    bool connect;
    struct vgt_monitor_item item;
};

/* The worker's error reply, forwarded. */
static void reply_worker_error(struct ctl_req *r, int err, yajl_val reply)
{
    if (err < 0) {
        ctl_reply_error(r, err, "the worker did not answer: %s", vgt_strerror(err));
        return;
    }
    uint64_t en = EIO;
    const char *msg = NULL;
    json_u64_max(reply, "errno", 4095, &en);
    vgt_json_get_str(reply, "message", &msg);
    if (!en)
        en = EIO;
    ctl_reply_error(r, -(int)en, "%s", msg ? msg : vgt_strerror(-(int)en));
}

static void on_hotplug(void *userdata, int err, yajl_val reply, int fd)
{
    struct hotplug_call *hc = userdata;
    struct ctl_req *r = hc->r;
    bool ok = false;
    if (fd >= 0)
        close(fd);
    if (!err && vgt_json_get_bool(reply, "ok", &ok) == 0 && ok) {
        struct vgtd_guest *g = guest_by_domid(r->d, hc->domid);
        if (g)   /* kept for the next reboot or worker restart */
            guest_remember_port(g, hc->port, hc->connect ? &hc->item : NULL);
        struct vgt_msg m;
        if (begin(r, &m) == 0)
            ctl_reply_msg(r, &m);
    } else {
        reply_worker_error(r, err, reply);
    }
    free(hc);
}

static void cmd_hotplug(struct ctl_req *r)
{
    struct vgtd_guest *g = req_guest(r);
    if (!g)
        return;
    const char *port = NULL, *type = NULL, *over = NULL, *edid = NULL;
    bool connect = true;
    if (vgt_json_get_str(r->msg, "port", &port) < 0) {
        ctl_reply_error(r, -ENXIO, "port: missing (PORT_A..PORT_E)");
        return;
    }
    int p = vgt_port_from_name(port);
    if (p < 0) {
        ctl_reply_error(r, -ENXIO, "port: '%s' is no port (want PORT_A..PORT_E)", port);
        return;
    }
    if (vgt_json_get_bool(r->msg, "connect", &connect) == -EINVAL) {
        ctl_reply_error(r, -EINVAL, "connect: want true or false");
        return;
    }
    struct hotplug_call hc = { .r = r, .domid = g->domid, .port = p, .connect = connect };
    struct vgt_msg req;
    if (vgt_msg_init(&req) < 0) {
        ctl_reply_error(r, -ENOMEM, "out of memory");
        return;
    }
    vgt_msg_str(&req, "op", "hotplug");
    vgt_msg_str(&req, "port", vgt_port_name(p));
    vgt_msg_bool(&req, "connect", connect);
    if (connect) {
        int t, o = p;
        vgt_json_get_str(r->msg, "type", &type);
        vgt_json_get_str(r->msg, "override", &over);
        t = type ? vgt_port_type_from_name(type) : (int)vgt_port_type_of(p, p != VGT_PORT_E);
        if (t < 0 || t >= VGT_PORT_TYPE_MAX) {
            ctl_reply_error(r, -EINVAL, "type: '%s' is no port type (CRT, DP_A..DP_D,"
                            " HDMI_B..HDMI_D)", type ? type : "");
            goto out;
        }
        if (over && (o = vgt_port_from_name(over)) < 0) {
            ctl_reply_error(r, -ENXIO, "override: '%s' is no port", over);
            goto out;
        }
        if (vgt_json_get_str(r->msg, "edid", &edid) < 0) {
            ctl_reply_error(r, -EBADMSG, "edid: missing (256 hex digits)");
            goto out;
        }
        struct vgt_diag diag;
        vgt_diag_init(&diag);
        int e = vgt_edid_parse(edid, strlen(edid), hc.item.edid, "edid", &diag);
        if (e < 0) {
            ctl_reply_diag(r, -EBADMSG, &diag);
            vgt_diag_dispose(&diag);
            goto out;
        }
        vgt_diag_dispose(&diag);
        hc.item.port = p;
        hc.item.type = t;
        hc.item.override = o;
        _cleanup_free_ char *hex = vgt_hex_encode(hc.item.edid, VGT_EDID_LEN);
        vgt_msg_str(&req, "type", vgt_port_type_name(t));
        vgt_msg_str(&req, "override", vgt_port_name(o));
        vgt_msg_str(&req, "edid", hex);
    }
    const char *text;
    size_t text_len;
    struct hotplug_call *call = malloc(sizeof(*call));
    if (!call || vgt_msg_text(&req, &text, &text_len) < 0) {
        free(call);
        ctl_reply_error(r, -ENOMEM, "out of memory");
        goto out;
    }
    *call = hc;
    if (guest_request(g, text, WORKER_TIMEOUT_MS, on_hotplug, call) < 0) {
        free(call);
        ctl_reply_error(r, -EAGAIN, "the vGPU of domain %u has no running worker (%s)", g->domid,
                        guest_state_name(g->state));
    }
out:
    vgt_msg_dispose(&req);
}

/* ---- screenshot ------------------------------------------------------------ */

static void send_pixels(struct ctl_req *r, int fd, uint64_t w, uint64_t h, uint64_t stride)
{
    void *pix = mmap(NULL, stride * h, PROT_READ, MAP_PRIVATE, fd, 0);
    if (pix == MAP_FAILED) {
        ctl_reply_error(r, -errno, "cannot map the screenshot: %m");
        return;
    }
    _cleanup_free_ char *b64 = vgt_base64_encode(pix, stride * h);
    munmap(pix, stride * h);
    struct vgt_msg m;
    if (!b64) {
        ctl_reply_error(r, -ENOMEM, "out of memory");
    } else if (begin(r, &m) == 0) {
        vgt_msg_int(&m, "width", w);
        vgt_msg_int(&m, "height", h);
        vgt_msg_int(&m, "stride", stride);
        vgt_msg_str(&m, "format", "XR24");
        vgt_msg_str(&m, "data", b64);
        ctl_reply_msg(r, &m);
    }
}

static void on_shot(void *userdata, int err, yajl_val reply, int fd)
{
    struct ctl_req *r = userdata;
    bool ok = false;
    uint64_t w = 0, h = 0, stride = 0;
    struct stat st;
    if (err < 0 || vgt_json_get_bool(reply, "ok", &ok) < 0 || !ok) {
        reply_worker_error(r, err, reply);
        goto out;
    }
    if (json_u64_max(reply, "width", SHOT_MAX_DIM, &w) < 0 || w == 0 ||
        json_u64_max(reply, "height", SHOT_MAX_DIM, &h) < 0 || h == 0 ||
        json_u64_max(reply, "stride", SHOT_MAX_DIM * 4ull, &stride) < 0 || stride < w * 4 ||
        fd < 0 || fstat(fd, &st) < 0 || (uint64_t)st.st_size < stride * h) {
        ctl_reply_error(r, -EPROTO, "the worker sent a bad screenshot");
        goto out;
    }
    if ((stride * h + 2) / 3 * 4 + 256 > VGT_PROTO_MAX_REPLY) {
        ctl_reply_error(r, -EFBIG, "a %llux%llu screenshot is larger than a reply may be",
                        (unsigned long long)w, (unsigned long long)h);
        goto out;
    }
    send_pixels(r, fd, w, h, stride);
out:
    if (fd >= 0)
        close(fd);
}

static void cmd_screenshot(struct ctl_req *r)
{
    struct vgtd_guest *g = req_guest(r);
    if (!g)
        return;
    if (guest_request(g, "{\"op\":\"screenshot\"}", WORKER_TIMEOUT_MS, on_shot, r) < 0)
        ctl_reply_error(r, -EAGAIN, "the vGPU of domain %u has no running worker (%s)", g->domid,
                        guest_state_name(g->state));
}

static const struct {
    const char *name;
    void (*fn)(struct ctl_req *r);
    bool privileged;      /* changes state or shows a guest's screen: root only */
} commands[] = {
    { "hello", cmd_hello, false },     { "list", cmd_list, false },
    { "info", cmd_info, false },       { "attach", cmd_attach, true },
    { "detach", cmd_detach, true },    { "switch", cmd_switch, true },
    { "hotplug", cmd_hotplug, true },  { "screenshot", cmd_screenshot, true },
};

static void cmd_hello(struct ctl_req *r)
{
    struct vgt_msg m;
    if (begin(r, &m) < 0)
        return;
    vgt_msg_int(&m, "version", VGT_PROTO_VERSION);
    vgt_msg_str(&m, "server", "vgtd " PACKAGE_VERSION);
    vgt_msg_array_open(&m, "commands");
    for (size_t i = 0; i < VGT_ARRAY_SIZE(commands); i++)
        vgt_msg_str(&m, NULL, commands[i].name);
    vgt_msg_array_close(&m);
    ctl_reply_msg(r, &m);
}

void cmd_dispatch(struct ctl_req *r)
{
    const char *cmd = NULL;
    if (vgt_json_get_str(r->msg, "cmd", &cmd) < 0) {
        ctl_reply_error(r, -EINVAL, "cmd: missing (a string)");
        return;
    }
    for (size_t i = 0; i < VGT_ARRAY_SIZE(commands); i++) {
        if (strcmp(commands[i].name, cmd) != 0)
            continue;
        if (commands[i].privileged && r->uid != 0 && r->uid != geteuid()) {
            ctl_reply_error(r, -EPERM, "%s: permission denied (root only)", cmd);
            return;
        }
        commands[i].fn(r);
        return;
    }
    ctl_reply_error(r, -EOPNOTSUPP, "unknown command '%.64s'", cmd);
}
