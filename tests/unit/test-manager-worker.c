/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fake vgt-worker for vgtd's tests: speaks daemon/IPC.md on its socket, with
 * no Xen.  It appends its command line to $FAKE_WORKER_LOG and behaves as
 * $FAKE_WORKER_MODE says: "" normal, "crash" exits 3 at once, "never-ready"
 * never reports ready, "hostile" sends junk to each new vgtd connection first.  SIGUSR1 makes it send {"event":"display_ready"}.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

static volatile sig_atomic_t usr1;
static bool ready = true, display_ready;
static struct {
    char port[8], type[8], override[8];
    bool connected;
} ports[5];
static unsigned n_ports;

static void on_usr1(int s) { usr1 = 1; }

static const char *str(yajl_val o, const char *k)
{
    const char *path[] = { k, NULL };
    yajl_val v = yajl_tree_get(o, path, yajl_t_string);
    return v ? YAJL_GET_STRING(v) : NULL;
}

static void sendf(int fd, int passfd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void sendf(int fd, int passfd, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    struct iovec iov = { buf, (size_t)n };
    union {
        struct cmsghdr h;
        char space[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (passfd >= 0) {
        m.msg_control = &ctl;
        m.msg_controllen = sizeof(ctl);
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &passfd, sizeof(int));
    }
    if (sendmsg(fd, &m, MSG_NOSIGNAL) < 0) { /* vgtd went away: fine */ }
}

static void status(int fd)
{
    char p[1024] = "";
    size_t off = 0;
    for (unsigned i = 0; i < n_ports; i++)
        off += snprintf(p + off, sizeof(p) - off,
                        "%s{\"port\":\"%s\",\"connected\":%s,\"type\":\"%s\",\"override\":\"%s\"}",
                        i ? "," : "", ports[i].port, ports[i].connected ? "true" : "false",
                        ports[i].type, ports[i].override);
    sendf(fd, -1, "{\"ok\":true,\"ready\":%s,\"display_ready\":%s,\"failsafe\":false,"
          "\"ports\":[%s],\"stats\":{\"bad_access\":3,\"ggtt_refused\":1,\"fence_refused\":0,"
          "\"aperture_refused\":0,\"plane_refused\":0}}",
          ready ? "true" : "false", display_ready ? "true" : "false", p);
}

static void hotplug(int fd, yajl_val req)
{
    const char *port = str(req, "port"), *edid = str(req, "edid");
    const char *path[] = { "connect", NULL };
    yajl_val c = yajl_tree_get(req, path, yajl_t_any);
    bool connect = c && YAJL_IS_TRUE(c);
    if (!port || strncmp(port, "PORT_", 5) != 0 || port[5] < 'A' || port[5] > 'E' || port[6]) {
        sendf(fd, -1, "{\"ok\":false,\"errno\":%d,\"message\":\"unknown port\"}", ENXIO);
        return;
    }
    if (connect && (!edid || strlen(edid) != 256)) {
        sendf(fd, -1, "{\"ok\":false,\"errno\":%d,\"message\":\"bad EDID\"}", EBADMSG);
        return;
    }
    unsigned i;
    for (i = 0; i < n_ports && strcmp(ports[i].port, port) != 0; i++)
        ;
    if (i == n_ports)
        n_ports++;
    snprintf(ports[i].port, sizeof(ports[i].port), "%s", port);
    snprintf(ports[i].type, sizeof(ports[i].type), "%s", connect ? str(req, "type") : "");
    snprintf(ports[i].override, sizeof(ports[i].override), "%s",
             connect ? str(req, "override") : "");
    ports[i].connected = connect;
    sendf(fd, -1, "{\"ok\":true}");
}

static void screenshot(int fd)
{
    int m = memfd_create("shot", MFD_CLOEXEC);
    uint32_t px[4 * 2];
    for (unsigned i = 0; i < 8; i++)
        px[i] = 0x00102030u + i;
    if (m < 0 || write(m, px, sizeof(px)) != sizeof(px)) {
        sendf(fd, -1, "{\"ok\":false,\"errno\":%d,\"message\":\"memfd\"}", EIO);
        return;
    }
    sendf(fd, m, "{\"ok\":true,\"width\":4,\"height\":2,\"stride\":16}");
    close(m);
}

/* What a compromised worker might send: vgtd must shrug it off. */
static void hostile(int fd)
{
    static char big[70000];
    memset(big, '{', sizeof(big));
    send(fd, "garbage", 7, MSG_NOSIGNAL);
    send(fd, "[1,2]", 5, MSG_NOSIGNAL);
    send(fd, big, sizeof(big), MSG_NOSIGNAL);
    send(fd, "{\"event\":123}", 13, MSG_NOSIGNAL);
    send(fd, "{\"event\":\"no-such-event\",\"x\":[{}]}", 34, MSG_NOSIGNAL);
    send(fd, "{\"ok\":\"yes\",\"ports\":[{\"port\":\"PORT_Z\"},7,{\"port\":\"PORT_B\","
         "\"type\":\"../../x\",\"override\":null}],\"stats\":{\"bad_access\":-5}}", 119, MSG_NOSIGNAL);
}

int main(int argc, char **argv)
{
    const char *sock = NULL, *mode = getenv("FAKE_WORKER_MODE"), *log = getenv("FAKE_WORKER_LOG");
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--socket") == 0)
            sock = argv[i + 1];
    if (log) {
        FILE *f = fopen(log, "a");
        if (f) {
            for (int i = 1; i < argc; i++)
                fprintf(f, "%s%s", argv[i], i + 1 < argc ? " " : "\n");
            fclose(f);
        }
    }
    if (!sock) {
        fprintf(stderr, "vgt-worker: --socket missing\n");
        return 2;
    }
    if (mode && strcmp(mode, "crash") == 0)
        return 3;
    ready = !(mode && strcmp(mode, "never-ready") == 0);
    struct sigaction sa = { .sa_handler = on_usr1 };
    sigaction(SIGUSR1, &sa, NULL);

    struct sockaddr_un a = { .sun_family = AF_UNIX };
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock);
    int l = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    unlink(sock);
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 4) < 0) {
        perror("vgt-worker: socket");
        return 1;
    }
    int c = -1;
    for (;;) {
        struct pollfd p[2] = { { l, POLLIN, 0 }, { c, POLLIN, 0 } };
        int n = poll(p, c >= 0 ? 2 : 1, 100);
        if (usr1 && c >= 0) {
            usr1 = 0;
            display_ready = true;
            sendf(c, -1, "{\"event\":\"display_ready\"}");
        }
        if (n <= 0)
            continue;
        if (p[0].revents & POLLIN) {   /* a new vgtd replaces the old one */
            int nc = accept4(l, NULL, NULL, SOCK_CLOEXEC);
            if (nc >= 0) {
                if (c >= 0)
                    close(c);
                c = nc;
                if (mode && strcmp(mode, "hostile") == 0)
                    hostile(c);
                if (ready)
                    sendf(c, -1, "{\"event\":\"ready\"}");
            }
            continue;
        }
        if (c < 0 || !(p[1].revents & (POLLIN | POLLHUP)))
            continue;
        char buf[65536];
        ssize_t r = recv(c, buf, sizeof(buf) - 1, 0);
        if (r <= 0) {
            close(c);
            c = -1;
            continue;
        }
        buf[r] = 0;
        yajl_val req = yajl_tree_parse(buf, NULL, 0);
        const char *op = str(req, "op");
        if (!op)
            sendf(c, -1, "{\"ok\":false,\"errno\":%d,\"message\":\"no op\"}", EINVAL);
        else if (strcmp(op, "status") == 0)
            status(c);
        else if (strcmp(op, "hotplug") == 0)
            hotplug(c, req);
        else if (strcmp(op, "screenshot") == 0)
            screenshot(c);
        else if (strcmp(op, "shutdown") == 0) {
            sendf(c, -1, "{\"ok\":true}");
            yajl_tree_free(req);
            unlink(sock);
            return 0;
        } else
            sendf(c, -1, "{\"ok\":false,\"errno\":%d,\"message\":\"unknown op\"}", EINVAL);
        yajl_tree_free(req);
    }
}
