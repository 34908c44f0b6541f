/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control socket: SOCK_STREAM, non-blocking, in vgtd's one event loop.
 * Frames and bodies as vgt/proto.h says.  One request per connection is served
 * at a time (its reply may wait for a worker); the next one is read when the
 * reply is queued, so a client cannot make vgtd buffer more than one frame.
 * The peer is checked with SO_PEERCRED: root, vgtd's own uid, or a member of
 * socket_group.
 */
#include <arpa/inet.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vgt/cleanup.h"
#include "daemon/manager/vgtd.h"

struct ctl_conn {
    struct vgtd *d;
    struct ctl_conn *next;
    int fd;
    uid_t uid;
    sd_event_source *src;
    struct vgt_proto_decoder dec;
    uint8_t in[4096];             /* read but not yet fed to the decoder */
    size_t in_off, in_len;
    uint8_t *out;
    size_t out_len, out_off;
    struct ctl_req *busy;
    bool closing;                 /* close once the output is flushed */
    bool processing;              /* inside conn_process: replies do not recurse */
};

static void conn_process(struct ctl_conn *c);

/* A client that does not read its replies is not read from either. */
#define OUT_BACKLOG (64 * 1024)
static bool out_backlog(const struct ctl_conn *c)
{
    return c->out_len - c->out_off >= OUT_BACKLOG;
}

static void conn_free(struct ctl_conn *c)
{
    struct vgtd *d = c->d;
    for (struct ctl_conn **p = &d->conns; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    if (c->busy)
        c->busy->c = NULL;   /* the reply, when it comes, goes nowhere */
    sd_event_source_disable_unref(c->src);
    close(c->fd);
    vgt_proto_decoder_dispose(&c->dec);
    free(c->out);
    free(c);
}

static int conn_queue(struct ctl_conn *c, const uint8_t *frame, size_t len)
{
    if (c->out_off == c->out_len)
        c->out_off = c->out_len = 0;
    uint8_t *n = realloc(c->out, c->out_len + len);
    if (!n)
        return -ENOMEM;
    c->out = n;
    memcpy(c->out + c->out_len, frame, len);
    c->out_len += len;
    return 0;
}

/* Write what we can; false if the connection was freed. */
static bool conn_flush(struct ctl_conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        if (n <= 0) {
            conn_free(c);
            return false;
        }
        c->out_off += n;
    }
    if (c->out_off == c->out_len && c->closing) {
        conn_free(c);
        return false;
    }
    return true;
}

static void conn_update(struct ctl_conn *c)
{
    uint32_t ev = 0;
    if (!c->busy && !c->closing && c->in_off == c->in_len && !out_backlog(c))
        ev |= EPOLLIN;
    if (c->out_off < c->out_len)
        ev |= EPOLLOUT;
    sd_event_source_set_io_events(c->src, ev);
    sd_event_source_set_enabled(c->src, ev ? SD_EVENT_ON : SD_EVENT_OFF);
}

static void queue_error(struct ctl_conn *c, int negerr, const char *msg)
{
    uint8_t *frame = NULL;
    size_t len;
    if (vgt_proto_error_frame(negerr, &frame, &len, "%s", msg) == 0) {

        conn_queue(c, frame, len);
    }
    free(frame);
}

static void req_free(struct ctl_req *r)
{
    if (r->c && r->c->busy == r)
        r->c->busy = NULL;
    yajl_tree_free(r->msg);
    free(r);
}

static void req_finish(struct ctl_req *r)
{
    struct ctl_conn *c = r->c;
    r->d->n_requests++;
    req_free(r);
    if (c && !c->processing)
        conn_process(c);   /* a late reply (after a worker): flush, read on */
}

void ctl_reply_msg(struct ctl_req *r, struct vgt_msg *m)
{
    uint8_t *frame = NULL;
    size_t len;
    int e = vgt_msg_frame(m, VGT_PROTO_F_REPLY, VGT_PROTO_MAX_REPLY, &frame, &len);
    vgt_msg_dispose(m);
    if (e < 0) {
        free(frame);
        ctl_reply_error(r, e, "cannot send the reply: %s", vgt_strerror(e));
        return;
    }
    if (r->c)
        conn_queue(r->c, frame, len);
    free(frame);
    req_finish(r);
}

void ctl_reply_error(struct ctl_req *r, int negerr, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    for (char *p = msg; *p; p++)   /* one line */
        if (*p == '\n')
            *p = ' ';
    if (r->c)
        queue_error(r->c, negerr, msg);
    req_finish(r);
}

void ctl_reply_diag(struct ctl_req *r, int negerr, const struct vgt_diag *diag)
{
    char msg[512] = "";
    size_t off = 0;
    for (size_t i = 0; diag && i < diag->n && off < sizeof(msg) - 1; i++)
        off += snprintf(msg + off, sizeof(msg) - off, "%s%s", i ? "; " : "", diag->msgs[i]);
    ctl_reply_error(r, negerr, "%s", *msg ? msg : vgt_strerror(negerr));
}

/* A framing error ends the connection, after a reply that says why. */
static void conn_fail(struct ctl_conn *c, ssize_t err)
{
    if (err == -EPROTO) {
        uint8_t *frame = NULL;
        size_t len;
        if (vgt_proto_version_error_frame(c->dec.h.version, &frame, &len) == 0) {

            conn_queue(c, frame, len);
        }
        free(frame);
        log_info(NULL, "control client of protocol version %u refused", c->dec.h.version);
    } else {
        queue_error(c, (int)err, c->dec.errmsg[0] ? c->dec.errmsg : vgt_strerror((int)err));
    }
    c->closing = true;
}

/* Serve complete frames until a request has to wait or input runs out. */
static void conn_process(struct ctl_conn *c)
{
    c->processing = true;
    while (!c->busy && !c->closing && c->in_off < c->in_len && !out_backlog(c)) {
        ssize_t n = vgt_proto_decoder_feed(&c->dec, c->in + c->in_off, c->in_len - c->in_off);
        if (n < 0) {
            conn_fail(c, n);
            break;
        }
        c->in_off += n;
        if (!vgt_proto_decoder_ready(&c->dec))
            continue;
        struct vgt_proto_frame f = { 0 };
        if (vgt_proto_decoder_take(&c->dec, &f) < 0)
            break;
        struct ctl_req *r = calloc(1, sizeof(*r));
        if (!r) {
            vgt_proto_frame_dispose(&f);
            c->closing = true;
            break;
        }
        r->c = c;
        r->d = c->d;
        r->uid = c->uid;
        c->busy = r;
        char err[160] = "";
        int e = vgt_proto_parse(f.body, f.len, &r->msg, err, sizeof(err));
        vgt_proto_frame_dispose(&f);
        if (e < 0) {
            ctl_reply_error(r, -EBADMSG, "%s", *err ? err : "the request is not a JSON object");
            continue;
        }
        cmd_dispatch(r);   /* replies now, or later (then c->busy stays set) */
    }
    c->processing = false;
    if (!conn_flush(c))
        return;
    conn_update(c);
}

static int on_conn(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
    struct ctl_conn *c = userdata;
    if ((revents & EPOLLOUT) && !conn_flush(c))
        return 0;
    if ((revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !c->busy && !c->closing &&
        c->in_off == c->in_len && !out_backlog(c)) {
        ssize_t n = recv(c->fd, c->in, sizeof(c->in), MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            conn_update(c);
            return 0;
        }
        if (n <= 0) {
            if (!vgt_proto_decoder_idle(&c->dec))
                log_debug(NULL, "control client left in the middle of a frame");
            conn_free(c);   /* peer gone; a pending reply is dropped */
            return 0;
        }
        c->in_off = 0;
        c->in_len = n;
    }
    conn_process(c);
    return 0;
}

static bool peer_allowed(struct vgtd *d, const struct ucred *cr)
{
    if (cr->uid == 0 || cr->uid == geteuid())
        return true;
    if (!d->conf.socket_group)
        return false;
    if (cr->gid == d->conf.socket_gid)
        return true;
    struct passwd *pw = getpwuid(cr->uid);
    if (!pw)
        return false;
    gid_t groups[256];
    int n = VGT_ARRAY_SIZE(groups);
    if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
        return false;
    for (int i = 0; i < n; i++)
        if (groups[i] == d->conf.socket_gid)
            return true;
    return false;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
    struct vgtd *d = userdata;
    for (;;) {
        _cleanup_close_ int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0)
            return 0;
        struct ucred cr;
        socklen_t cl = sizeof(cr);
        if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) < 0)
            continue;
        struct ctl_conn *c = calloc(1, sizeof(*c));
        if (!c)
            continue;
        if (sd_event_add_io(d->ev, &c->src, cfd, EPOLLIN, on_conn, c) < 0) {
            free(c);
            continue;
        }
        vgt_proto_decoder_init(&c->dec, VGT_PROTO_MAX_REQUEST);
        c->d = d;
        c->uid = cr.uid;
        c->fd = take_fd(cfd);
        c->next = d->conns;
        d->conns = c;
        if (!peer_allowed(d, &cr)) {
            log_warn(NULL, "control connection of uid %u (pid %d) refused", cr.uid, cr.pid);
            queue_error(c, -EPERM, "permission denied: vgtd accepts root"
                        " (and the members of socket_group of vgtd.conf)");
            c->closing = true;
            if (conn_flush(c))
                conn_update(c);
        }
    }
}

int ctl_probe(struct vgtd *d, struct vgt_diag *diag)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    const char *path = d->conf.socket;
    if (strlen(path) >= sizeof(sa.sun_path))
        return vgt_diag_add(diag, "%s: socket path too long", path), -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    /* a socket that answers belongs to a running vgtd; one that does not is
     * the stale socket of a killed one */
    _cleanup_close_ int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0)
        return vgt_diag_add(diag, "%s: another vgtd is running", path), -EADDRINUSE;
    return 0;
}

int ctl_listen(struct vgtd *d, struct vgt_diag *diag)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    const char *path = d->conf.socket;
    if (strlen(path) >= sizeof(sa.sun_path))
        return vgt_diag_add(diag, "%s: socket path too long", path), -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    unlink(path);   /* stale (ctl_probe said so) */
    mode_t old = umask(0177);
    int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    umask(old);
    if (r < 0) {
        r = -errno;
        vgt_diag_add(diag, "%s: cannot bind: %s", path, vgt_strerror(r));
        return r;
    }
    if (d->conf.socket_group &&
        (chown(path, 0, d->conf.socket_gid) < 0 || chmod(path, 0660) < 0))
        log_warn(NULL, "%s: cannot give the socket to group %s", path, d->conf.socket_group);
    if (listen(fd, 16) < 0)
        return -errno;
    r = sd_event_add_io(d->ev, &d->ctl_src, fd, EPOLLIN, on_accept, d);
    if (r < 0)
        return r;
    d->ctl_fd = take_fd(fd);
    return 0;
}

void ctl_close_all(struct vgtd *d)
{
    while (d->conns)
        conn_free(d->conns);
    d->ctl_src = sd_event_source_disable_unref(d->ctl_src);
    if (d->ctl_fd >= 0) {
        close(d->ctl_fd);
        d->ctl_fd = -1;
    }
}
