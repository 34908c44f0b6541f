/* SPDX-License-Identifier: LGPL-2.1-only */
/* Client library of vgtd's control protocol (vgt/client.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vgt/cleanup.h"
#include "vgt/client.h"
#include "vgt/util.h"

static int fail(struct vgt_client *c, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct vgt_client *c, int err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->error, sizeof(c->error), fmt, ap);
    va_end(ap);
    return err;
}

const char *vgt_client_socket_path(void)
{
    const char *p = getenv(VGT_PROTO_SOCKET_ENV);

    return p && *p ? p : VGT_PROTO_SOCKET;
}

void vgt_client_init(struct vgt_client *c)
{
    memset(c, 0, sizeof(*c));
    c->fd = -1;
}

void vgt_client_dispose(struct vgt_client *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

int vgt_client_connect(struct vgt_client *c, const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    _cleanup_close_ int fd = -1;

    if (!path)
        path = vgt_client_socket_path();
    vgt_client_dispose(c);
    if (strlen(path) >= sizeof(sa.sun_path))
        return fail(c, -ENAMETOOLONG, "socket path too long: %s", path);
    snprintf(c->path, sizeof(c->path), "%s", path);
    memcpy(sa.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(c, -errno, "cannot create a socket: %s", strerror(errno));
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int e = errno;
        if (e == ENOENT || e == ECONNREFUSED || e == ENOTDIR)
            return fail(c, -ECONNREFUSED, "vgtd is not running (%s %s)",
                        e == ECONNREFUSED ? "nobody listens on" : "no socket", path);
        if (e == EACCES || e == EPERM)
            return fail(c, -EACCES, "permission denied connecting to vgtd at %s (run as root)",
                        path);
        return fail(c, -e, "cannot connect to vgtd at %s: %s", path, strerror(e));
    }
    c->fd = take_fd(fd);
    return 0;
}

/* Wait until fd is ready for events or the deadline passes. */
static int wait_fd(struct vgt_client *c, short events, long long deadline)
{
    for (;;) {
        long long left = deadline - (long long)(vgt_mono_ns() / 1000000);
        struct pollfd p = { .fd = c->fd, .events = events };
        if (left <= 0)
            return fail(c, -ETIMEDOUT, "vgtd did not answer in time (%s)", c->path);
        int r = poll(&p, 1, left > 0x7fffffff ? 0x7fffffff : (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return fail(c, -errno, "poll: %s", strerror(errno));
        if (r > 0)
            return 0;
    }
}

static int send_all(struct vgt_client *c, const uint8_t *buf, size_t len, long long deadline)
{
    while (len) {
        int r = wait_fd(c, POLLOUT, deadline);
        if (r < 0)
            return r;
        ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return fail(c, errno == EPIPE || errno == ECONNRESET ? -ECONNRESET : -errno,
                        "vgtd closed the connection while we were sending: %s",
                        strerror(errno));
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int recv_frame(struct vgt_client *c, struct vgt_proto_frame *f, long long deadline)
{
    _cleanup_free_ uint8_t *buf = NULL;
    struct vgt_proto_decoder d;
    const size_t bufsz = 64 * 1024;
    int rc = 0;

    buf = malloc(bufsz);
    if (!buf)
        return fail(c, -ENOMEM, "out of memory");
    vgt_proto_decoder_init(&d, VGT_PROTO_MAX_REPLY);
    while (!vgt_proto_decoder_ready(&d)) {
        rc = wait_fd(c, POLLIN, deadline);
        if (rc < 0)
            goto out;
        /* Read no further than the current frame: one reply per request. */
        size_t want = d.hdr_have < VGT_PROTO_HDR_LEN ? VGT_PROTO_HDR_LEN - d.hdr_have
                                                     : d.h.length - d.body_have;
        if (want > bufsz)
            want = bufsz;
        ssize_t n = recv(c->fd, buf, want, MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0) {
            rc = fail(c, -ECONNRESET, "connection to vgtd lost: %s", strerror(errno));
            goto out;
        }
        if (n == 0) {
            rc = fail(c, -ECONNRESET, "vgtd closed the connection without a reply");
            goto out;
        }
        ssize_t used = vgt_proto_decoder_feed(&d, buf, (size_t)n);
        if (used == -EPROTO) {
            rc = fail(c, -EPROTO, "vgtd speaks protocol %u, this client %u", d.h.version,
                      VGT_PROTO_VERSION);
            goto out;
        }
        if (used < 0) {
            rc = fail(c, -EPROTO, "bad reply from vgtd: %s", d.errmsg);
            goto out;
        }
    }
    vgt_proto_decoder_take(&d, f);
    if (!(f->flags & VGT_PROTO_F_REPLY)) {
        vgt_proto_frame_dispose(f);
        rc = fail(c, -EPROTO, "bad reply from vgtd: frame without the reply flag");
    }
out:
    vgt_proto_decoder_dispose(&d);
    return rc;
}

int vgt_client_call(struct vgt_client *c, struct vgt_msg *req, int timeout_ms,
                    yajl_val *reply)
{
    _cleanup_free_ uint8_t *frame = NULL;
    struct vgt_proto_frame f = { 0 };
    size_t len;
    char err[256];
    yajl_val v = NULL;
    int rc;

    *reply = NULL;
    if (c->fd < 0)
        return fail(c, -ENOTCONN, "not connected to vgtd");
    rc = vgt_msg_frame(req, 0, VGT_PROTO_MAX_REQUEST, &frame, &len);
    if (rc < 0)
        return fail(c, rc, "cannot build the request: %s", strerror(-rc));
    if (c->timeout_ms > 0)
        timeout_ms = c->timeout_ms;
    long long deadline = (long long)(vgt_mono_ns() / 1000000) + timeout_ms;
    rc = send_all(c, frame, len, deadline);
    if (rc == -ECONNRESET) {
        /* vgtd may have refused us (EPERM) and closed: its error reply is worth more */
        char sent[sizeof(c->error)];
        memcpy(sent, c->error, sizeof(sent));
        if (recv_frame(c, &f, deadline) < 0) {
            memcpy(c->error, sent, sizeof(sent));
            return rc;
        }
    } else if (rc < 0) {
        return rc;
    } else {
        rc = recv_frame(c, &f, deadline);
        if (rc < 0)
            return rc;
    }
    rc = vgt_proto_parse(f.body, f.len, &v, err, sizeof(err));
    vgt_proto_frame_dispose(&f);
    if (rc < 0)
        return fail(c, -EPROTO, "bad reply from vgtd: %s", err);
    rc = vgt_proto_reply_status(v, c->error, sizeof(c->error));
    if (rc < 0) {
        if (rc == -EPROTO && !c->error[0])
            snprintf(c->error, sizeof(c->error), "bad reply from vgtd");
        yajl_tree_free(v);
        return rc;
    }
    *reply = v;
    return 0;
}

/* Build {"cmd":CMD,...} then call; the caller adds fields between begin and call. */
static int begin(struct vgt_client *c, struct vgt_msg *m, const char *cmd)
{
    int rc = vgt_msg_init(m);

    if (rc < 0)
        return fail(c, rc, "out of memory");
    vgt_msg_str(m, "cmd", cmd);
    return 0;
}

static int call(struct vgt_client *c, struct vgt_msg *m, int timeout_ms, yajl_val *reply)
{
    int rc = vgt_client_call(c, m, timeout_ms, reply);

    vgt_msg_dispose(m);
    return rc;
}

/* A field vgtd must send; -EPROTO with a message naming it otherwise. */
static int need(struct vgt_client *c, int r, const char *what, const char *key)
{
    if (r == 0)
        return 0;
    return fail(c, -EPROTO, "bad reply from vgtd: %s \"%s\" %s", what, key,
                r == -ENOENT ? "missing" : "of the wrong type");
}

static void copy_str(char *dst, size_t n, yajl_val obj, const char *key)
{
    const char *s = NULL;

    dst[0] = '\0';
    if (vgt_json_get_str(obj, key, &s) == 0)
        snprintf(dst, n, "%s", s);
}

/* ---- hello ---- */

int vgt_client_hello(struct vgt_client *c, struct vgt_hello *out)
{
    struct vgt_msg m;
    yajl_val r = NULL;
    int rc;

    if ((rc = begin(c, &m, "hello")) < 0)
        return rc;
    vgt_msg_str(&m, "client", "libvgt " PACKAGE_VERSION);
    if ((rc = call(c, &m, VGT_CLIENT_TIMEOUT_MS, &r)) < 0)
        return rc;
    memset(out, 0, sizeof(*out));
    rc = need(c, vgt_json_get_uint(r, "version", &out->version), "hello", "version");
    copy_str(out->server, sizeof(out->server), r, "server");
    yajl_tree_free(r);
    return rc;
}

/* ---- list ---- */

static int get_u64_opt(yajl_val v, const char *key, uint64_t *out)
{
    int r = vgt_json_get_u64(v, key, out);

    return r == -ENOENT ? 0 : r;
}

int vgt_guest_from_json(yajl_val v, struct vgt_guest *g)
{
    long long domid;
    unsigned u;
    int r = 0;

    memset(g, 0, sizeof(*g));
    if (!v || !YAJL_IS_OBJECT(v))
        return -EINVAL;
    if (vgt_json_get_int(v, "domid", &domid) < 0 || domid < 0 || domid > 0x7fff)
        return -EINVAL;
    g->domid = (int)domid;
    if (vgt_json_get_uint(v, "vgt_id", &g->part.vgt_id) < 0)
        return -EINVAL;
    copy_str(g->name, sizeof(g->name), v, "name");
    copy_str(g->type, sizeof(g->type), v, "type");
    copy_str(g->state, sizeof(g->state), v, "state");
    copy_str(g->uuid, sizeof(g->uuid), v, "uuid");
    copy_str(g->failsafe_reason, sizeof(g->failsafe_reason), v, "failsafe_reason");
    vgt_json_get_bool(v, "failsafe", &g->failsafe);
    vgt_json_get_bool(v, "display_ready", &g->display_ready);
    vgt_json_get_bool(v, "display_owner", &g->display_owner);
    r |= get_u64_opt(v, "low_gm_base", &g->part.low_base);
    r |= get_u64_opt(v, "low_gm_size", &g->part.low_size);
    r |= get_u64_opt(v, "high_gm_base", &g->part.high_base);
    r |= get_u64_opt(v, "high_gm_size", &g->part.high_size);
    if (vgt_json_get_uint(v, "fence_base", &u) == 0)
        g->part.fence_base = u;
    if (vgt_json_get_uint(v, "fence_count", &u) == 0)
        g->part.fence_count = u;
    if (r)
        return -EINVAL;

    yajl_val ports = vgt_json_get(v, "ports");
    if (ports && YAJL_IS_ARRAY(ports)) {
        for (size_t i = 0; i < ports->u.array.len && g->n_ports < VGT_PORT_MAX; i++) {
            yajl_val p = ports->u.array.values[i];
            struct vgt_port_state *ps = &g->ports[g->n_ports];
            const char *s = NULL;
            if (vgt_json_get_str(p, "port", &s) < 0 || vgt_port_from_name(s) < 0)
                continue; /* a port this client does not know: skip it */
            ps->port = vgt_port_from_name(s);
            vgt_json_get_bool(p, "connected", &ps->connected);
            ps->type = vgt_json_get_str(p, "type", &s) == 0 ? vgt_port_type_from_name(s) : -1;
            ps->override = vgt_json_get_str(p, "override", &s) == 0 ? vgt_port_from_name(s) : -1;
            if (ps->type < 0)
                ps->type = -1;
            if (ps->override < 0)
                ps->override = -1;
            g->n_ports++;
        }
    }
    yajl_val st = vgt_json_get(v, "refused_access");
    if (st) {
        get_u64_opt(st, "bad_access", &g->stats.bad_access);
        get_u64_opt(st, "ggtt_refused", &g->stats.ggtt_refused);
        get_u64_opt(st, "fence_refused", &g->stats.fence_refused);
        get_u64_opt(st, "aperture_refused", &g->stats.aperture_refused);
        get_u64_opt(st, "plane_refused", &g->stats.plane_refused);
    }
    return 0;
}

void vgt_guest_list_init(struct vgt_guest_list *l)
{
    memset(l, 0, sizeof(*l));
}

void vgt_guest_list_dispose(struct vgt_guest_list *l)
{
    if (!l)
        return;
    free(l->guests);
    yajl_tree_free(l->json);
    vgt_guest_list_init(l);
}

int vgt_client_list(struct vgt_client *c, struct vgt_guest_list *out)
{
    struct vgt_msg m;
    yajl_val r = NULL, gs;
    long long owner = 0;
    int rc;

    vgt_guest_list_init(out);
    if ((rc = begin(c, &m, "list")) < 0)
        return rc;
    if ((rc = call(c, &m, VGT_CLIENT_TIMEOUT_MS, &r)) < 0)
        return rc;
    vgt_json_get_int(r, "display_owner", &owner);
    out->display_owner = (int)owner;
    gs = vgt_json_get(r, "guests");
    if (!gs || !YAJL_IS_ARRAY(gs)) {
        yajl_tree_free(r);
        return need(c, -EINVAL, "list", "guests");
    }
    if (gs->u.array.len) {
        out->guests = calloc(gs->u.array.len, sizeof(*out->guests));
        if (!out->guests) {
            yajl_tree_free(r);
            return fail(c, -ENOMEM, "out of memory");
        }
    }
    for (size_t i = 0; i < gs->u.array.len; i++) {
        if (vgt_guest_from_json(gs->u.array.values[i], &out->guests[out->n]) < 0) {
            yajl_tree_free(r);
            vgt_guest_list_dispose(out);
            return fail(c, -EPROTO, "bad reply from vgtd: list: guest %zu is malformed", i);
        }
        out->n++;
    }
    out->json = r;
    return 0;
}

const struct vgt_guest *vgt_guest_list_find(const struct vgt_guest_list *l, const char *domain)
{
    char *end;
    long id;

    errno = 0;
    id = strtol(domain, &end, 10);
    bool numeric = *domain && !*end && errno == 0;
    for (size_t i = 0; i < l->n; i++) {
        /* a partition held for a rebooting guest has no domain to act on */
        if (l->guests[i].domid == 0 || strcmp(l->guests[i].state, "rebooting") == 0)
            continue;
        if (numeric && l->guests[i].domid == id)
            return &l->guests[i];
        if (!numeric && strcmp(l->guests[i].name, domain) == 0)
            return &l->guests[i];
    }
    return NULL;
}

/* ---- info ---- */

void vgt_info_init(struct vgt_info *i)
{
    memset(i, 0, sizeof(*i));
}

void vgt_info_dispose(struct vgt_info *i)
{
    if (!i)
        return;
    free(i->types);
    yajl_tree_free(i->json);
    vgt_info_init(i);
}

int vgt_client_info(struct vgt_client *c, struct vgt_info *out)
{
    struct vgt_msg m;
    yajl_val r = NULL, p, h, res, types;
    struct vgt_profile *pr = &out->profile;
    struct vgt_resources *rs = &out->res;
    long long owner = 0;
    unsigned u = 0;
    int rc = 0;

    vgt_info_init(out);
    if ((rc = begin(c, &m, "info")) < 0)
        return rc;
    if ((rc = call(c, &m, VGT_CLIENT_TIMEOUT_MS, &r)) < 0)
        return rc;
    p = vgt_json_get(r, "profile");
    h = vgt_json_get(r, "host");
    res = vgt_json_get(r, "resources");
    if (!p || !h || !res) {
        rc = need(c, -ENOENT, "info", !p ? "profile" : !h ? "host" : "resources");
        goto out;
    }
    vgt_json_get_int(r, "display_owner", &owner);
    out->display_owner = (int)owner;
    vgt_json_get_uint(r, "guests", &out->guests);
    copy_str(pr->name, sizeof(pr->name), p, "name");
    copy_str(pr->description, sizeof(pr->description), p, "description");
    vgt_json_get_uint(p, "gen", &pr->gen);
    if (vgt_json_get_uint(p, "device_id", &u) == 0)
        pr->device_id = (uint16_t)u;
    rc |= get_u64_opt(p, "aperture_mb", &pr->aperture_mb);
    rc |= get_u64_opt(p, "ggtt_mb", &pr->ggtt_mb);
    vgt_json_get_uint(p, "fences", &pr->fences);
    vgt_json_get_uint(p, "max_instances", &pr->max_instances);
    rc |= get_u64_opt(h, "low_mb", &pr->host_low_mb);
    rc |= get_u64_opt(h, "high_mb", &pr->host_high_mb);
    vgt_json_get_uint(h, "fences", &pr->host_fences);
    rc |= get_u64_opt(res, "low_total_mb", &rs->low_total_mb);
    rc |= get_u64_opt(res, "low_free_mb", &rs->low_free_mb);
    rc |= get_u64_opt(res, "low_largest_mb", &rs->low_largest_mb);
    rc |= get_u64_opt(res, "high_total_mb", &rs->high_total_mb);
    rc |= get_u64_opt(res, "high_free_mb", &rs->high_free_mb);
    rc |= get_u64_opt(res, "high_largest_mb", &rs->high_largest_mb);
    vgt_json_get_uint(res, "fences_total", &rs->fences_total);
    vgt_json_get_uint(res, "fences_free", &rs->fences_free);
    vgt_json_get_uint(res, "fences_largest", &rs->fences_largest);
    vgt_json_get_uint(res, "instances_total", &rs->instances_total);
    vgt_json_get_uint(res, "instances_free", &rs->instances_free);
    if (rc) {
        rc = fail(c, -EPROTO, "bad reply from vgtd: info: a size is not a number");
        goto out;
    }
    types = vgt_json_get(r, "types");
    if (types && YAJL_IS_ARRAY(types) && types->u.array.len) {
        out->types = calloc(types->u.array.len, sizeof(*out->types));
        if (!out->types) {
            rc = fail(c, -ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < types->u.array.len; i++) {
            yajl_val t = types->u.array.values[i];
            struct vgt_type_fit *f = &out->types[out->n_types];
            copy_str(f->name, sizeof(f->name), t, "name");
            if (!f->name[0])
                continue;
            get_u64_opt(t, "low_mb", &f->req.low_mb);
            get_u64_opt(t, "high_mb", &f->req.high_mb);
            vgt_json_get_uint(t, "fences", &f->req.fences);
            vgt_json_get_uint(t, "fit", &f->fit);
            out->n_types++;
        }
    }
out:
    if (rc < 0) {
        yajl_tree_free(r);
        vgt_info_dispose(out);
    } else {
        out->json = r;
    }
    return rc;
}

/* ---- attach / detach ---- */

int vgt_client_attach(struct vgt_client *c, const struct vgt_attach *a, struct vgt_guest *out)
{
    struct vgt_msg m;
    yajl_val r = NULL;
    int rc;

    if ((rc = begin(c, &m, "attach")) < 0)
        return rc;
    vgt_msg_int(&m, "domid", a->domid);
    if (a->name)
        vgt_msg_str(&m, "name", a->name);
    if (a->type)
        vgt_msg_str(&m, "type", a->type);
    vgt_msg_u64(&m, "low_mb", a->req.low_mb);
    vgt_msg_u64(&m, "high_mb", a->req.high_mb);
    vgt_msg_int(&m, "fences", a->req.fences);
    if (a->vcpus)
        vgt_msg_int(&m, "vcpus", a->vcpus);
    if (a->memory_mb)
        vgt_msg_u64(&m, "memory_mb", a->memory_mb);
    vgt_msg_int(&m, "primary", a->primary);
    vgt_msg_int(&m, "cap", a->cap);
    if (a->monitor_config)
        vgt_msg_str(&m, "monitor_config", a->monitor_config);
    if ((rc = call(c, &m, VGT_CLIENT_ATTACH_TIMEOUT_MS, &r)) < 0)
        return rc;
    if (out && vgt_guest_from_json(vgt_json_get(r, "guest"), out) < 0)
        rc = fail(c, -EPROTO, "bad reply from vgtd: attach: \"guest\" missing or malformed");
    yajl_tree_free(r);
    return rc;
}

static int simple(struct vgt_client *c, struct vgt_msg *m, yajl_val *keep)
{
    yajl_val r = NULL;
    int rc = call(c, m, VGT_CLIENT_TIMEOUT_MS, &r);

    if (keep)
        *keep = r;
    else
        yajl_tree_free(r);
    return rc;
}

int vgt_client_detach(struct vgt_client *c, int domid)
{
    struct vgt_msg m;
    int rc;

    if ((rc = begin(c, &m, "detach")) < 0)
        return rc;
    vgt_msg_int(&m, "domid", domid);
    return simple(c, &m, NULL);
}

int vgt_client_switch(struct vgt_client *c, int domid, bool force, int *previous)
{
    struct vgt_msg m;
    yajl_val r = NULL;
    long long prev = -1;
    int rc;

    if ((rc = begin(c, &m, "switch")) < 0)
        return rc;
    vgt_msg_int(&m, "domid", domid);
    vgt_msg_bool(&m, "force", force);
    if ((rc = simple(c, &m, &r)) < 0)
        return rc;
    vgt_json_get_int(r, "previous", &prev);
    if (previous)
        *previous = (int)prev;
    yajl_tree_free(r);
    return 0;
}

int vgt_client_hotplug(struct vgt_client *c, const struct vgt_hotplug *h)
{
    _cleanup_free_ char *hex = NULL;
    struct vgt_msg m;
    int type = h->type, over = h->override, rc;

    if ((unsigned)h->port >= VGT_PORT_MAX)
        return fail(c, -ENXIO, "no such port %d", (int)h->port);
    if (type < 0) {
        type = vgt_port_type_of(h->port, h->port != VGT_PORT_E);
    }
    if (over < 0)
        over = h->port;
    if (h->connect && (!vgt_port_type_name(type) || !vgt_port_name(over)))
        return fail(c, -EINVAL, "bad port type %d or override %d", type, over);
    if (h->connect && !(hex = vgt_hex_encode(h->edid, VGT_EDID_LEN)))
        return fail(c, -ENOMEM, "out of memory");
    if ((rc = begin(c, &m, "hotplug")) < 0)
        return rc;
    vgt_msg_int(&m, "domid", h->domid);
    vgt_msg_str(&m, "port", vgt_port_name(h->port));
    vgt_msg_bool(&m, "connect", h->connect);
    if (h->connect) {
        vgt_msg_str(&m, "type", vgt_port_type_name(type));
        vgt_msg_str(&m, "override", vgt_port_name(over));
        vgt_msg_str(&m, "edid", hex);
    }
    return simple(c, &m, NULL);
}

/* ---- screenshot ---- */

void vgt_screenshot_init(struct vgt_screenshot *s)
{
    memset(s, 0, sizeof(*s));
}

void vgt_screenshot_dispose(struct vgt_screenshot *s)
{
    if (!s)
        return;
    free(s->data);
    vgt_screenshot_init(s);
}

int vgt_client_screenshot(struct vgt_client *c, int domid, struct vgt_screenshot *out)
{
    struct vgt_msg m;
    yajl_val r = NULL;
    const char *data = NULL;
    int rc;

    vgt_screenshot_init(out);
    if ((rc = begin(c, &m, "screenshot")) < 0)
        return rc;
    vgt_msg_int(&m, "domid", domid);
    if ((rc = call(c, &m, 3 * VGT_CLIENT_TIMEOUT_MS, &r)) < 0)
        return rc;
    if ((rc = need(c, vgt_json_get_uint(r, "width", &out->width), "screenshot", "width")) ||
        (rc = need(c, vgt_json_get_uint(r, "height", &out->height), "screenshot", "height")) ||
        (rc = need(c, vgt_json_get_uint(r, "stride", &out->stride), "screenshot", "stride")) ||
        (rc = need(c, vgt_json_get_str(r, "data", &data), "screenshot", "data")))
        goto out;
    copy_str(out->format, sizeof(out->format), r, "format");
    if (strcmp(out->format, "XR24") != 0) {
        rc = fail(c, -EPROTO, "screenshot in format \"%s\", this client knows XR24",
                  out->format);
        goto out;
    }
    if (out->width == 0 || out->height == 0 || out->width > 16384 || out->height > 16384 ||
        out->stride < out->width * 4) {
        rc = fail(c, -EPROTO, "bad reply from vgtd: screenshot of %ux%u, stride %u",
                  out->width, out->height, out->stride);
        goto out;
    }
    rc = vgt_base64_decode(data, strlen(data), &out->data, &out->len);
    if (rc < 0) {
        rc = fail(c, -EPROTO, "bad reply from vgtd: screenshot data is not base64");
        goto out;
    }
    if (out->len < (size_t)out->stride * out->height) {
        rc = fail(c, -EPROTO, "bad reply from vgtd: screenshot has %zu bytes, %ux%u needs %zu",
                  out->len, out->stride, out->height, (size_t)out->stride * out->height);
        goto out;
    }
out:
    yajl_tree_free(r);
    if (rc < 0)
        vgt_screenshot_dispose(out);
    return rc;
}
