/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer target fuzz-vgtd: any bytes a client may send to vgtd's control
 * socket.  A vgtd runs in the process on the Xen test double (no domains, so no
 * worker is ever started); each input is written on a fresh connection, which
 * is then half-closed; vgtd must answer or close, never crash or leak.
 */
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/manager/vgtd.h"
#include "daemon/xen/xen-double.h"

#ifndef FUZZ_PROFILE_DIR
#define FUZZ_PROFILE_DIR "libxl-vgt/profiles"
#endif

static sd_event *ev;
static struct vgtd d;
static char sock_path[108];

static char tmp[64] = "/tmp/vgtd-fuzz.XXXXXX";

static void cleanup(void)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/vgtd.sock", tmp);
    unlink(path);
    snprintf(path, sizeof(path), "%s/effective.profile", tmp);
    unlink(path);
    rmdir(tmp);
}

static int setup(void)
{
    if (!mkdtemp(tmp))
        return -1;
    atexit(cleanup);
    setenv("VGT_PROFILE_DIR", FUZZ_PROFILE_DIR, 1);
    vgtd_log_init(false, 0);
    /* the double's one domain has an id no request can name: no worker is started */
    struct vgt_xd_params xp = { .domid = 0x7ff0, .vcpus = 1, .guest_mem = 1 << 20 };
    struct vgt_xd *xd = vgt_xd_new(&xp);
    struct vgt_xen *x = NULL;
    struct mxen *m = NULL;
    if (!xd || vgt_xen_double_ops.open(xd, VGT_XEN_STORE, &x) < 0 ||
        mxen_from_xen_ops(&vgt_xen_double_ops, x, &m) < 0)
        return -1;
    sd_event_new(&ev);
    vgtd_conf_init(&d.conf);
    snprintf(sock_path, sizeof(sock_path), "%s/vgtd.sock", tmp);
    d.conf.socket = strdup(sock_path);
    d.conf.state_dir = strdup(tmp);
    d.conf.worker = strdup("/bin/false");
    if (asprintf(&d.conf.drm_sysfs, "%s/none", tmp) < 0)
        return -1;
    vgtd_conf_finish(&d.conf);
    struct vgt_diag diag;
    vgt_diag_init(&diag);
    int r = vgtd_start(&d, ev, m, &diag);
    vgt_diag_print(&diag, stderr);
    vgt_diag_dispose(&diag);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        if (setup() < 0)
            abort();
        ready = 1;
    }
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    memcpy(a.sun_path, sock_path, sizeof(sock_path));
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
        abort();
    size_t off = 0;
    bool eof = false;
    for (int i = 0; i < 10000 && !eof; i++) {
        if (off < size) {
            ssize_t n = send(fd, data + off, size - off, MSG_NOSIGNAL);
            if (n > 0)
                off += n;
            if (off == size || n < 0)
                shutdown(fd, SHUT_WR);
            if (n < 0)
                off = size;
        } else if (size == 0 && i == 0) {
            shutdown(fd, SHUT_WR);
        }
        sd_event_run(ev, 0);
        char buf[65536];
        ssize_t n;
        while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
            ;
        eof = n == 0 || (n < 0 && errno != EAGAIN);
    }
    if (!eof)
        abort();   /* vgtd neither answered and closed nor took the input */
    close(fd);
    sd_event_run(ev, 0);
    if (d.conns)   /* the connection must be gone once the peer is */
        sd_event_run(ev, 1000);
    return 0;
}
