/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vgtd's end of a worker's control socket (daemon/IPC.md): SOCK_SEQPACKET, one
 * JSON object per packet, replies in request order, events at any time, a memfd
 * with screenshot replies.  A worker is less trusted than vgtd (it serves a
 * guest): anything it sends is checked, nothing it does can block vgtd.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vgt/cleanup.h"
#include "daemon/manager/vgtd.h"

#define WCONN_MAX_PACKET (64 * 1024)

struct wreq {
    struct wreq *next;
    wconn_reply_fn cb;           /* NULL once timed out: the late reply is dropped */
    void *userdata;
    sd_event_source *timer;
    struct wconn *w;
};

struct wconn {
    int fd;
    sd_event *e;
    sd_event_source *io;
    wconn_event_fn on_event;
    void *userdata;
    struct wreq *head, *tail;
    int dispatching;
    bool dead;                  /* freed during a callback */
};

static void wreq_free(struct wreq *q)
{
    sd_event_source_disable_unref(q->timer);
    free(q);
}

/* The oldest request: replies come in request order. */
static struct wreq *wreq_pop(struct wconn *w)
{
    struct wreq *q = w->head;
    w->head = q->next;
    if (!w->head)
        w->tail = NULL;
    return q;
}

static void fail_all(struct wconn *w, int err)
{
    while (w->head) {
        struct wreq *q = wreq_pop(w);
        wconn_reply_fn cb = q->cb;
        void *ud = q->userdata;
        wreq_free(q);
        if (cb)
            cb(ud, err, NULL, -1);
    }
}

static void wconn_destroy(struct wconn *w)
{
    sd_event_source_disable_unref(w->io);
    if (w->fd >= 0)
        close(w->fd);
    free(w);
}

void wconn_free(struct wconn *w)
{
    if (!w)
        return;
    w->on_event = NULL;
    if (w->dispatching) {
        w->dead = true;
        /* stop reading now; pending requests are failed by the dispatcher */
        sd_event_source_set_enabled(w->io, SD_EVENT_OFF);
        return;
    }
    w->dispatching++;
    fail_all(w, -ECANCELED);
    w->dispatching--;
    wconn_destroy(w);
}

static void handle_packet(struct wconn *w, const char *buf, int fd)
{
    char err[128];
    yajl_val v = yajl_tree_parse(buf, err, sizeof(err));
    if (!YAJL_IS_OBJECT(v)) {
        log_warn(NULL, "worker sent a malformed message, ignored");
        goto out;
    }
    if (vgt_json_get(v, "event")) {
        if (w->on_event)
            w->on_event(w->userdata, v);
        goto out;
    }
    if (!vgt_json_get(v, "ok") || !w->head) {
        log_warn(NULL, "worker sent an unexpected message, ignored");
        goto out;
    }
    struct wreq *q = wreq_pop(w);
    wconn_reply_fn cb = q->cb;
    void *ud = q->userdata;
    wreq_free(q);
    if (cb) {
        cb(ud, 0, v, fd);
        fd = -1;
    }
out:
    if (fd >= 0)
        close(fd);
    yajl_tree_free(v);
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
    struct wconn *w = userdata;
    _cleanup_free_ char *buf = malloc(WCONN_MAX_PACKET + 1);
    bool eof = false;
    if (!buf)
        return 0;
    w->dispatching++;
    /* a bounded batch per wake-up: a chatty worker cannot starve the others */
    for (int batch = 0; batch < 64 && !w->dead; batch++) {
        union {
            struct cmsghdr h;
            char space[CMSG_SPACE(sizeof(int) * 4)];
        } ctl;
        struct iovec iov = { buf, WCONN_MAX_PACKET };
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl,
                            .msg_controllen = sizeof(ctl) };
        ssize_t n = recvmsg(w->fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            break;
        if (n <= 0) {
            eof = true;
            break;
        }
        int passed = -1;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                continue;
            int nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            int *fds = (int *)CMSG_DATA(c);
            for (int i = 0; i < nfd; i++) {
                if (passed < 0)
                    passed = fds[i];
                else
                    close(fds[i]);   /* one fd per message at most */
            }
        }
        if (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
            log_warn(NULL, "worker sent an oversized message, ignored");
            if (passed >= 0)
                close(passed);
            continue;
        }
        buf[n] = 0;
        handle_packet(w, buf, passed);
    }
    if (eof && !w->dead) {
        sd_event_source_set_enabled(w->io, SD_EVENT_OFF);
        fail_all(w, -ECONNRESET);
        if (w->on_event && !w->dead)
            w->on_event(w->userdata, NULL);
    }
    w->dispatching--;
    if (w->dead && !w->dispatching) {
        w->dispatching++;
        fail_all(w, -ECANCELED);
        w->dispatching--;
        wconn_destroy(w);
    }
    return 0;
}

int wconn_connect(sd_event *e, const char *path, wconn_event_fn on_event, void *userdata,
                  struct wconn **out)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    _cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS)
        return -errno;
    struct wconn *w = calloc(1, sizeof(*w));
    if (!w)
        return -ENOMEM;
    w->e = e;
    w->on_event = on_event;
    w->userdata = userdata;
    int r = sd_event_add_io(e, &w->io, fd, EPOLLIN, on_io, w);
    if (r < 0) {
        free(w);
        return r;
    }
    w->fd = take_fd(fd);
    *out = w;
    return 0;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
    struct wreq *q = userdata;
    wconn_reply_fn cb = q->cb;
    q->cb = NULL;   /* keep the slot: the late reply must still be matched to it */
    q->timer = sd_event_source_disable_unref(q->timer);
    if (cb)
        cb(q->userdata, -ETIMEDOUT, NULL, -1);
    return 0;
}

int wconn_request(struct wconn *w, const char *req, unsigned timeout_ms, wconn_reply_fn cb,
                  void *userdata)
{
    if (w->dead)
        return -ECONNRESET;
    struct wreq *q = calloc(1, sizeof(*q));
    if (!q)
        return -ENOMEM;
    q->cb = cb;
    q->userdata = userdata;
    q->w = w;
    int r = sd_event_add_time_relative(w->e, &q->timer, CLOCK_MONOTONIC,
                                       (uint64_t)timeout_ms * 1000, 1000, on_timeout, q);
    if (r < 0) {
        free(q);
        return r;
    }
    if (send(w->fd, req, strlen(req), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
        r = -errno;
        wreq_free(q);
        return r;
    }
    if (w->tail)
        w->tail->next = q;
    else
        w->head = q;
    w->tail = q;
    return 0;
}
