/* vgt-worker control socket per daemon/IPC.md, on the Xen double. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>
#include "daemon/worker/worker.h"
#include "daemon/xen/xen-double.h"
#include "tests/tap.h"
#include "tests/unit/test-worker-fake.h"
#include "vgt/edid.h"

static struct vgt_worker W;
static struct vgt_xd *D;

static int connect_client(void)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    strcpy(sa.sun_path, W.cfg.socket_path);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    vgt_worker_run_once(&W, 100);   /* accept */
    return fd;
}

/* Receive one packet (and a passed fd); NULL on timeout or EOF. */
static yajl_val recv_json(int fd, int *passed)
{
    static char buf[65536];
    union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } cm;
    struct iovec iov = { buf, sizeof(buf) - 1 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.b,
                        .msg_controllen = sizeof(cm.b) };
    struct pollfd p = { .fd = fd, .events = POLLIN };
    ssize_t n;

    if (passed)
        *passed = -1;
    if (poll(&p, 1, 1000) != 1)
        return NULL;
    n = recvmsg(fd, &m, MSG_CMSG_CLOEXEC);
    if (n <= 0)
        return NULL;
    buf[n] = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_type == SCM_RIGHTS && passed)
            memcpy(passed, CMSG_DATA(c), sizeof(int));
    return yajl_tree_parse(buf, NULL, 0);
}

static yajl_val request(int fd, const char *json, int *passed)
{
    if (send(fd, json, strlen(json), 0) < 0)
        return NULL;
    vgt_worker_run_once(&W, 100);
    return recv_json(fd, passed);
}

static yajl_val get(yajl_val v, const char *k1, const char *k2)
{
    const char *path[3] = { k1, k2, NULL };
    return yajl_tree_get(v, path, yajl_t_any);
}

static long long num(yajl_val v, const char *k1, const char *k2)
{
    yajl_val x = get(v, k1, k2);
    return x && YAJL_IS_INTEGER(x) ? YAJL_GET_INTEGER(x) : -999;
}

static bool truth(yajl_val v, const char *k)
{
    yajl_val x = get(v, k, NULL);
    return x && YAJL_IS_TRUE(x);
}

static bool str_is(yajl_val v, const char *want)
{
    const char *g = v ? YAJL_GET_STRING(v) : NULL;
    return g && !strcmp(g, want);
}

static bool is_event(yajl_val r, const char *name) { return r && str_is(get(r, "event", NULL), name); }

static void expect_error(int fd, const char *json, int err, const char *what)
{
    yajl_val r = request(fd, json, NULL);
    ok(r && get(r, "ok", NULL) && YAJL_IS_FALSE(get(r, "ok", NULL)) && num(r, "errno", NULL) == err &&
           YAJL_IS_STRING(get(r, "message", NULL)),
       "%s: error reply errno %d (got %lld)", what, err, r ? num(r, "errno", NULL) : -1);
    yajl_tree_free(r);
}

static void edid_hex(const uint8_t *e, char *out)
{
    for (int i = 0; i < VGT_EDID_LEN; i++)
        sprintf(out + 2 * i, "%02x", e[i]);
}

int main(void)
{
    char msg[1024], hex[2 * VGT_EDID_LEN + 1];
    yajl_val r;
    int fd, fd2, mfd;
    struct vgt_xd_state st;

    is_int(fake_start(&W, &D, 1, 0), 0, "worker started");
    fd = connect_client();
    ok(fd >= 0, "vgtd connects");
    r = recv_json(fd, NULL);
    ok(is_event(r, "ready"),
       "a connecting vgtd learns the worker is ready");
    yajl_tree_free(r);

    r = request(fd, "{\"op\":\"status\"}", NULL);
    ok(r && truth(r, "ok") && truth(r, "ready") && !truth(r, "failsafe") && !truth(r, "display_ready"),
       "status: ok, ready");
    ok(r && YAJL_IS_ARRAY(get(r, "ports", NULL)) && get(r, "ports", NULL)->u.array.len == VGT_PORT_MAX,
       "status: one entry per port");
    ok(r && num(r, "stats", "bad_access") == 0 && num(r, "stats", "ggtt_refused") == 0,
       "status: stats");
    ok(r && YAJL_IS_STRING(get(r, "fb", "format")) && YAJL_IS_FALSE(get(r, "fb", "enabled")),
       "status: fb");
    ok(r && YAJL_IS_ARRAY(get(r, "bars", NULL)) && get(r, "bars", NULL)->u.array.len == 3,
       "status: three BARs");
    yajl_tree_free(r);

    edid_hex(vgt_edid_default_1080p, hex);
    snprintf(msg, sizeof(msg),
             "{\"op\":\"hotplug\",\"port\":\"PORT_B\",\"connect\":true,\"type\":\"DP_B\","
             "\"override\":\"PORT_B\",\"edid\":\"%s\"}", hex);
    r = request(fd, msg, NULL);
    ok(r && truth(r, "ok"), "hotplug connect");
    yajl_tree_free(r);
    ok(fake_last->display.ports[VGT_PORT_B].connected &&
           fake_last->display.ports[VGT_PORT_B].type == VGT_PORT_DP_B &&
           !memcmp(fake_last->display.ports[VGT_PORT_B].edid, vgt_edid_default_1080p, VGT_EDID_LEN),
       "the mediator got port, type and EDID");
    vgt_xd_get_state(D, &st);
    is_int(st.msi_count, 1, "hotplug interrupt injected");
    r = request(fd, "{\"op\":\"status\"}", NULL);
    ok(r && get(r, "ports", NULL) &&
           YAJL_IS_TRUE(get(get(r, "ports", NULL)->u.array.values[1], "connected", NULL)) &&
           str_is(get(get(r, "ports", NULL)->u.array.values[1], "type", NULL), "DP_B"),
       "status shows PORT_B connected as DP_B");
    yajl_tree_free(r);
    r = request(fd, "{\"op\":\"hotplug\",\"port\":\"PORT_C\",\"connect\":true}", NULL);
    ok(r && truth(r, "ok") && fake_last->display.ports[VGT_PORT_C].type == VGT_PORT_DP_C,
       "hotplug with defaults: DP of that port, default EDID");
    yajl_tree_free(r);
    r = request(fd, "{\"op\":\"hotplug\",\"port\":\"PORT_B\",\"connect\":false}", NULL);
    ok(r && truth(r, "ok") && !fake_last->display.ports[VGT_PORT_B].connected, "hotplug disconnect");
    yajl_tree_free(r);

    expect_error(fd, "{\"op\":\"hotplug\",\"port\":\"PORT_Z\",\"connect\":true}", ENXIO, "unknown port");
    expect_error(fd, "{\"op\":\"hotplug\",\"port\":\"PORT_B\",\"connect\":true,\"type\":\"SVIDEO\"}", EINVAL, "bad type");
    expect_error(fd, "{\"op\":\"hotplug\",\"port\":\"PORT_B\",\"connect\":true,\"override\":\"X\"}", ENXIO, "bad override");
    expect_error(fd, "{\"op\":\"hotplug\",\"port\":\"PORT_B\"}", EINVAL, "connect missing");
    expect_error(fd, "{\"op\":\"hotplug\",\"port\":\"PORT_B\",\"connect\":true,\"edid\":\"00ff\"}", EBADMSG, "short EDID");
    hex[20] = 'z';
    snprintf(msg, sizeof(msg), "{\"op\":\"hotplug\",\"port\":\"PORT_B\",\"connect\":true,\"edid\":\"%s\"}", hex);
    expect_error(fd, msg, EBADMSG, "EDID with a non-hex digit");
    edid_hex(vgt_edid_default_1080p, hex);
    hex[40] = hex[40] == '0' ? '1' : '0';   /* breaks the checksum */
    snprintf(msg, sizeof(msg), "{\"op\":\"hotplug\",\"port\":\"PORT_B\",\"connect\":true,\"edid\":\"%s\"}", hex);
    expect_error(fd, msg, EBADMSG, "EDID with a bad checksum");
    expect_error(fd, "{\"op\":", EINVAL, "bad JSON");
    expect_error(fd, "[1,2,3]", EINVAL, "not an object");
    expect_error(fd, "{\"op\":42}", EINVAL, "op not a string");
    expect_error(fd, "{\"op\":\"reboot-the-host\"}", EINVAL, "unknown op");
    {
        char *big = malloc(70000);
        memset(big, ' ', 69999);
        big[69999] = 0;
        memcpy(big, "{\"op\":\"status\"", 14);
        expect_error(fd, big, EMSGSIZE, "message over 64 KiB");
        free(big);
    }
    expect_error(fd, "{\"op\":\"screenshot\"}", EAGAIN, "screenshot without framebuffer");

    fake_last->display.primary = (struct vgt_fb){ .enabled = true, .width = 64, .height = 32,
                                                  .stride = 256, .drm_format = 0x34325258 };
    r = request(fd, "{\"op\":\"screenshot\"}", &mfd);
    ok(r && truth(r, "ok") && num(r, "width", NULL) == 64 && num(r, "height", NULL) == 32 &&
           num(r, "stride", NULL) == 256, "screenshot reply");
    ok(mfd >= 0, "memfd passed");
    if (mfd >= 0) {
        uint32_t *px = mmap(NULL, 64 * 32 * 4, PROT_READ, MAP_SHARED, mfd, 0);
        ok(px != MAP_FAILED && px[0] == 0xff000000u && px[64 * 32 - 1] == 0xff000000u + 64 * 32 - 1,
           "memfd holds the XRGB8888 rows");
        if (px != MAP_FAILED)
            munmap(px, 64 * 32 * 4);
        close(mfd);
    }
    yajl_tree_free(r);

    /* the guest announces its display: event */
    {
        ioreq_t q = { .addr = 0x10, .data = 0xd0000000, .count = 1, .size = 4,
                      .type = IOREQ_TYPE_PCI_CONFIG };
        q.addr |= (uint64_t)(5u << 3) << 32;
        vgt_xd_post(D, 0, &q);
        vgt_worker_evtchn_ready(&W);
        q.addr = (uint64_t)(5u << 3) << 32 | 4;
        q.size = 2;
        q.data = 2;
        vgt_xd_slot(D, 0)->state = 0;
        vgt_xd_post(D, 0, &q);
        vgt_worker_evtchn_ready(&W);
        q = (ioreq_t){ .addr = 0xd0000000 + FAKE_REG_DISPLAY_READY, .data = 1, .count = 1,
                       .size = 4, .type = IOREQ_TYPE_COPY };
        vgt_xd_slot(D, 0)->state = 0;
        vgt_xd_post(D, 0, &q);
        vgt_worker_evtchn_ready(&W);
        r = recv_json(fd, NULL);
        ok(is_event(r, "display_ready"),
           "display_ready event when the guest writes PVINFO");
        yajl_tree_free(r);
    }

    /* a second vgtd connection replaces the first */
    fd2 = connect_client();
    ok(fd2 >= 0, "second connection accepted");
    r = recv_json(fd, NULL);
    ok(r == NULL, "the old connection is closed");
    r = recv_json(fd2, NULL);
    ok(is_event(r, "ready"), "the new one gets ready");
    yajl_tree_free(r);
    r = recv_json(fd2, NULL);
    ok(is_event(r, "display_ready"), "and display_ready");
    yajl_tree_free(r);
    close(fd);

    r = request(fd2, "{\"op\":\"shutdown\"}", NULL);
    ok(r && truth(r, "ok") && W.quit, "shutdown: ok, and the loop ends");
    yajl_tree_free(r);
    W.quit = false;
    close(fd2);
    vgt_worker_run_once(&W, 50);
    ok(W.client_fd < 0, "client hang-up noticed");

    kill(getpid(), SIGHUP);
    vgt_worker_run_once(&W, 50);
    ok(!W.quit, "SIGHUP does not end the worker");
    kill(getpid(), SIGTERM);   /* blocked: arrives through the signalfd */
    is_int(vgt_worker_run(&W), 0, "SIGTERM ends the loop");
    ok(W.quit, "orderly");
    fake_stop(&W, D);
    ok(access(W.cfg.socket_path, F_OK) != 0, "socket removed at teardown");
    return tap_done();
}
