/* SPDX-License-Identifier: GPL-2.0-only */
/* The worker's control socket (daemon/IPC.md): one vgtd client, JSON packets. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "daemon/worker/worker.h"
#include "vgt/cleanup.h"

#define CTL_MAX 65536
#define FB_MAX_DIM 16384

int vgt_worker_ctl_listen(struct vgt_worker *w)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    mode_t old;
    int fd, r;

    if (!w->cfg.socket_path || strlen(w->cfg.socket_path) >= sizeof(sa.sun_path))
        return -EINVAL;
    strcpy(sa.sun_path, w->cfg.socket_path);
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    unlink(sa.sun_path);   /* a stale socket of a previous worker of this guest */
    old = umask(0177);     /* mode 0600 from the start: no window for others */
    r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    umask(old);
    if (r < 0 || listen(fd, 2) < 0) {
        r = -errno;
        close(fd);
        return r;
    }
    w->listen_fd = fd;
    return 0;
}

static void drop_client(struct vgt_worker *w)
{
    if (w->client_fd < 0)
        return;
    if (w->epfd >= 0)
        epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->client_fd, NULL);
    close(w->client_fd);
    w->client_fd = -1;
}

void vgt_worker_ctl_close(struct vgt_worker *w)
{
    drop_client(w);
    if (w->listen_fd >= 0) {
        close(w->listen_fd);
        /* may fail once unprivileged: vgtd removes it then */
        if (w->cfg.socket_path)
            unlink(w->cfg.socket_path);
    }
    w->listen_fd = -1;
}

static int send_packet(struct vgt_worker *w, const void *buf, size_t len, int fd_to_pass)
{
    struct iovec iov = { (void *)buf, len };
    union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } cm;
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

    if (w->client_fd < 0)
        return -ENOTCONN;
    if (fd_to_pass >= 0) {
        memset(&cm, 0, sizeof(cm));
        m.msg_control = cm.b;
        m.msg_controllen = sizeof(cm.b);
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd_to_pass, sizeof(int));
    }
    if (sendmsg(w->client_fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
        int r = -errno;
        vgt_worker_log(w, LOG_WARNING, "control: send: %s", strerror(-r));
        if (r != -EAGAIN)
            drop_client(w);
        return r;
    }
    return 0;
}

/* ---- JSON output */

static void gstr(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gkey_str(yajl_gen g, const char *k, const char *v) { gstr(g, k); gstr(g, v); }
static void gkey_bool(yajl_gen g, const char *k, bool v) { gstr(g, k); yajl_gen_bool(g, v); }
static void gkey_int(yajl_gen g, const char *k, long long v) { gstr(g, k); yajl_gen_integer(g, v); }

static int send_gen(struct vgt_worker *w, yajl_gen g, int fd_to_pass)
{
    const unsigned char *buf;
    size_t len;
    if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
        return -ENOMEM;
    return send_packet(w, buf, len, fd_to_pass);
}

static void reply_error(struct vgt_worker *w, int err, const char *msg)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return;
    yajl_gen_map_open(g);
    gkey_bool(g, "ok", false);
    gkey_int(g, "errno", err);
    gkey_str(g, "message", msg);
    yajl_gen_map_close(g);
    send_gen(w, g, -1);
    yajl_gen_free(g);
}

static void reply_ok(struct vgt_worker *w)
{
    static const char ok[] = "{\"ok\":true}";
    send_packet(w, ok, sizeof(ok) - 1, -1);
}

void vgt_worker_ctl_event(struct vgt_worker *w, const char *event, const char *reason)
{
    yajl_gen g;
    if (w->client_fd < 0 || !(g = yajl_gen_alloc(NULL)))
        return;
    yajl_gen_map_open(g);
    gkey_str(g, "event", event);
    if (reason)
        gkey_str(g, "reason", reason);
    yajl_gen_map_close(g);
    send_gen(w, g, -1);
    yajl_gen_free(g);
}

void vgt_worker_ctl_accept(struct vgt_worker *w)
{
    struct ucred cr;
    socklen_t l = sizeof(cr);
    struct epoll_event ev = { .events = EPOLLIN };
    int fd = accept4(w->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

    if (fd < 0)
        return;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &l) < 0 ||
        (cr.uid != 0 && cr.uid != w->start_uid)) {
        vgt_worker_log(w, LOG_WARNING, "control: refused peer uid %d pid %d", (int)cr.uid,
                       (int)cr.pid);
        close(fd);
        return;
    }
    /* a new vgtd connection replaces the old one (vgtd restarted) */
    drop_client(w);
    w->client_fd = fd;
    ev.data.u64 = VGT_EV_CLIENT;
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        close(fd);
        w->client_fd = -1;
        return;
    }
    if (w->ready)
        vgt_worker_ctl_event(w, "ready", NULL);
    if (w->display_ready)
        vgt_worker_ctl_event(w, "display_ready", NULL);
    if (w->failsafe)
        vgt_worker_ctl_event(w, "failsafe", "stopped serving");
}

/* ---- requests */

static void fourcc(uint32_t f, char out[5])
{
    for (int i = 0; i < 4; i++) {
        char c = (char)(f >> (8 * i));
        out[i] = c >= 0x20 && c < 0x7f ? c : '?';
    }
    out[4] = 0;
}

static void op_status(struct vgt_worker *w)
{
    struct vgt_display_state ds;
    struct vgt_bar bars[VGT_NR_BARS];
    uint64_t st[VGT_STAT_MAX] = { 0 };
    char f[5];
    yajl_gen g = yajl_gen_alloc(NULL);

    if (!g)
        return reply_error(w, ENOMEM, "out of memory");
    w->cfg.med->get_display(w->vgpu, &ds);
    w->cfg.med->get_bars(w->vgpu, bars);
    w->cfg.med->get_stats(w->vgpu, st);
    yajl_gen_map_open(g);
    gkey_bool(g, "ok", true);
    gkey_bool(g, "ready", w->ready);
    gkey_bool(g, "display_ready", ds.display_ready);
    gkey_bool(g, "failsafe", w->failsafe);
    gstr(g, "ports");
    yajl_gen_array_open(g);
    for (int p = 0; p < VGT_PORT_MAX; p++) {
        const struct vgt_port_state *ps = &ds.ports[p];
        yajl_gen_map_open(g);
        gkey_str(g, "port", vgt_port_name((enum vgt_port)p));
        gkey_bool(g, "connected", ps->connected);
        if (ps->connected) {
            gkey_str(g, "type", vgt_port_type_name(ps->type));
            gkey_str(g, "override", vgt_port_name(ps->override));
        }
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    gstr(g, "stats");
    yajl_gen_map_open(g);
    gkey_int(g, "bad_access", (long long)(st[VGT_STAT_BAD_ACCESS] + w->stats.bad_access));
    gkey_int(g, "ggtt_refused", (long long)st[VGT_STAT_GGTT_REFUSED]);
    gkey_int(g, "fence_refused", (long long)st[VGT_STAT_FENCE_REFUSED]);
    gkey_int(g, "aperture_refused", (long long)st[VGT_STAT_APERTURE_REFUSED]);
    gkey_int(g, "plane_refused", (long long)st[VGT_STAT_PLANE_REFUSED]);
    gkey_int(g, "requests", (long long)w->stats.requests);
    gkey_int(g, "buffered", (long long)w->stats.buffered);
    gkey_int(g, "polled", (long long)w->stats.polled);
    gkey_int(g, "poll_window_us", (long long)(w->poll_win_ns / 1000));
    yajl_gen_map_close(g);
    gstr(g, "fb");
    yajl_gen_map_open(g);
    gkey_bool(g, "enabled", ds.primary.enabled);
    gkey_int(g, "width", ds.primary.width);
    gkey_int(g, "height", ds.primary.height);
    gkey_int(g, "stride", ds.primary.stride);
    fourcc(ds.primary.drm_format, f);
    gkey_str(g, "format", f);
    gkey_int(g, "gm_addr", (long long)ds.primary.gm_addr);
    yajl_gen_map_close(g);
    gstr(g, "bars");
    yajl_gen_array_open(g);
    for (int b = 0; b < VGT_NR_BARS; b++) {
        if (!bars[b].present)
            continue;
        yajl_gen_map_open(g);
        gkey_int(g, "bar", b);
        gkey_int(g, "addr", (long long)bars[b].addr);
        gkey_int(g, "size", (long long)bars[b].size);
        gkey_bool(g, "decode", bars[b].decode);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    send_gen(w, g, -1);
    yajl_gen_free(g);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void op_hotplug(struct vgt_worker *w, yajl_val req)
{
    static const char *k_port[] = { "port", NULL }, *k_conn[] = { "connect", NULL },
                      *k_type[] = { "type", NULL }, *k_ovr[] = { "override", NULL },
                      *k_edid[] = { "edid", NULL };
    yajl_val vport = yajl_tree_get(req, k_port, yajl_t_string);
    yajl_val vconn = yajl_tree_get(req, k_conn, yajl_t_any);
    yajl_val vtype = yajl_tree_get(req, k_type, yajl_t_any);
    yajl_val vovr = yajl_tree_get(req, k_ovr, yajl_t_any);
    yajl_val vedid = yajl_tree_get(req, k_edid, yajl_t_any);
    struct vgt_port_state ps = { .connected = true };
    int port, r;

    if (!vport)
        return reply_error(w, EINVAL, "hotplug: \"port\" must be a string");
    if ((port = vgt_port_from_name(vport->u.string)) < 0 || port >= VGT_PORT_MAX)
        return reply_error(w, ENXIO, "hotplug: unknown port");
    if (!vconn || !(YAJL_IS_TRUE(vconn) || YAJL_IS_FALSE(vconn)))
        return reply_error(w, EINVAL, "hotplug: \"connect\" must be true or false");
    if (YAJL_IS_FALSE(vconn)) {
        r = w->cfg.med->hotplug(w->vgpu, (enum vgt_port)port, NULL);
        return r ? reply_error(w, -r, "hotplug: disconnect refused") : reply_ok(w);
    }
    if (vtype) {
        int t = YAJL_IS_STRING(vtype) ? vgt_port_type_from_name(vtype->u.string) : -1;
        if (t < 0)
            return reply_error(w, EINVAL, "hotplug: bad \"type\"");
        ps.type = (enum vgt_port_type)t;
    } else {
        /* default: DP on ports A-D, the CRT (VGA) on port E */
        ps.type = vgt_port_type_of((enum vgt_port)port, port != VGT_PORT_E);
    }
    ps.override = (enum vgt_port)port;
    if (vovr) {
        int o = YAJL_IS_STRING(vovr) ? vgt_port_from_name(vovr->u.string) : -1;
        if (o < 0 || o >= VGT_PORT_MAX)
            return reply_error(w, ENXIO, "hotplug: unknown \"override\" port");
        ps.override = (enum vgt_port)o;
    }
    if (vedid) {
        const char *s = YAJL_GET_STRING(vedid);
        struct vgt_edid_info info;
        if (!s || strlen(s) != 2 * VGT_EDID_LEN)
            return reply_error(w, EBADMSG, "hotplug: \"edid\" must be 256 hex digits");
        for (int i = 0; i < VGT_EDID_LEN; i++) {
            int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
            if (hi < 0 || lo < 0)
                return reply_error(w, EBADMSG, "hotplug: \"edid\" must be 256 hex digits");
            ps.edid[i] = (uint8_t)(hi << 4 | lo);
        }
        if (vgt_edid_decode(ps.edid, &info, "edid", NULL) < 0)
            return reply_error(w, EBADMSG, "hotplug: bad EDID (header or checksum)");
    } else {
        /* analog for the CRT, digital otherwise: i915 checks the input type */
        memcpy(ps.edid, vgt_port_type_default_edid(ps.type), VGT_EDID_LEN);
    }
    r = w->cfg.med->hotplug(w->vgpu, (enum vgt_port)port, &ps);
    if (r)
        return reply_error(w, -r, "hotplug: refused by the vGPU");
    vgt_worker_log(w, LOG_INFO, "hotplug: %s connected as %s", vgt_port_name((enum vgt_port)port),
                   vgt_port_type_name(ps.type));
    reply_ok(w);
}

static void op_screenshot(struct vgt_worker *w)
{
    struct vgt_display_state ds;
    struct vgt_fb fb;
    size_t len;
    void *map;
    _cleanup_close_ int fd = -1;
    yajl_gen g;
    int r;

    w->cfg.med->get_display(w->vgpu, &ds);
    fb = ds.primary;
    if (!fb.enabled || !fb.width || !fb.height)
        return reply_error(w, EAGAIN, "screenshot: no framebuffer yet");
    if (fb.width > FB_MAX_DIM || fb.height > FB_MAX_DIM)
        return reply_error(w, EINVAL, "screenshot: framebuffer too large");
    len = (size_t)fb.width * fb.height * 4;
    if ((fd = memfd_create("vgt-screenshot", MFD_CLOEXEC | MFD_ALLOW_SEALING)) < 0 ||
        ftruncate(fd, (off_t)len) < 0)
        return reply_error(w, errno, "screenshot: memfd");
    map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        return reply_error(w, errno, "screenshot: mmap");
    r = w->cfg.med->read_framebuffer(w->vgpu, &fb, map, len);
    munmap(map, len);
    if (r)
        return reply_error(w, -r, "screenshot: framebuffer not readable");
    /* the reader gets a frozen image */
    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
    if (!(g = yajl_gen_alloc(NULL)))
        return reply_error(w, ENOMEM, "out of memory");
    yajl_gen_map_open(g);
    gkey_bool(g, "ok", true);
    gkey_int(g, "width", fb.width);
    gkey_int(g, "height", fb.height);
    gkey_int(g, "stride", (long long)fb.width * 4);
    yajl_gen_map_close(g);
    send_gen(w, g, fd);
    yajl_gen_free(g);
}

void vgt_worker_ctl_input(struct vgt_worker *w)
{
    static const char *k_op[] = { "op", NULL };
    char err[128] = "";
    _cleanup_free_ char *buf = malloc(CTL_MAX + 1);
    yajl_val req, op;
    ssize_t n;

    if (!buf || w->client_fd < 0)
        return;
    n = recv(w->client_fd, buf, CTL_MAX + 1, MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0) {
        if (errno != EAGAIN && errno != EINTR)
            drop_client(w);
        return;
    }
    if (n == 0) {   /* vgtd went away; it reconnects when it is back */
        drop_client(w);
        return;
    }
    if (n > CTL_MAX)
        return reply_error(w, EMSGSIZE, "message larger than 64 KiB");
    buf[n] = 0;
    if (strlen(buf) != (size_t)n)
        return reply_error(w, EINVAL, "NUL byte in message");
    req = yajl_tree_parse(buf, err, sizeof(err));
    if (!req)
        return reply_error(w, EINVAL, "bad JSON");
    op = yajl_tree_get(req, k_op, yajl_t_string);
    if (!YAJL_IS_OBJECT(req) || !op)
        reply_error(w, EINVAL, "no \"op\"");
    else if (!strcmp(op->u.string, "status"))
        op_status(w);
    else if (!strcmp(op->u.string, "hotplug"))
        op_hotplug(w, req);
    else if (!strcmp(op->u.string, "screenshot"))
        op_screenshot(w);
    else if (!strcmp(op->u.string, "shutdown")) {
        vgt_worker_log(w, LOG_INFO, "shutdown requested");
        reply_ok(w);
        w->quit = true;
    } else
        reply_error(w, EINVAL, "unknown \"op\"");
    yajl_tree_free(req);
}
