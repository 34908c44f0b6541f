/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * libvgt's client library against a scripted server: for each case a child process
 * accepts one connection, reads one request (kept for the test to check) and sends
 * the bytes the case gives (possibly bad ones), in small pieces.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/tap.h"
#include "vgt/client.h"

static char dir[64], sock[96], reqfile[96];

enum how { NORMAL, SILENT, CLOSE, REFUSE };

struct script {
    const char *body;        /* reply JSON */
    unsigned version;        /* 0: ours */
    uint16_t flags;          /* reply flags */
    uint32_t len;            /* 0: strlen(body) */
    enum how how;
};

static int listen_on(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    strcpy(sa.sun_path, path);
    unlink(path);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0)
        abort();
    return fd;
}

static void child(int lfd, const struct script *s)
{
    struct vgt_proto_decoder d;
    struct vgt_proto_frame f = { 0 };
    uint8_t buf[512];
    int fd = accept(lfd, NULL, NULL);

    if (s->how == REFUSE) {
        /* as vgtd does for a peer it does not accept: error reply, then close at once */
        uint8_t *frame = NULL;
        size_t flen;
        vgt_proto_error_frame(-EPERM, &frame, &flen, "permission denied: vgtd accepts root");
        send(fd, frame, flen, MSG_NOSIGNAL);
        _exit(0);
    }
    vgt_proto_decoder_init(&d, VGT_PROTO_MAX_REQUEST);
    while (!vgt_proto_decoder_ready(&d)) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0 || vgt_proto_decoder_feed(&d, buf, (size_t)n) != n)
            _exit(3);
    }
    vgt_proto_decoder_take(&d, &f);
    FILE *o = fopen(reqfile, "w");
    fputs(f.body, o);
    fclose(o);
    if (s->how == CLOSE)
        _exit(0);
    if (s->how == SILENT) {
        recv(fd, buf, sizeof(buf), 0); /* until the client gives up */
        _exit(0);
    }
    size_t blen = strlen(s->body);
    struct vgt_proto_hdr h = { s->version ? s->version : VGT_PROTO_VERSION, s->flags,
                               s->len ? s->len : (uint32_t)blen };
    uint8_t hdr[VGT_PROTO_HDR_LEN];
    vgt_proto_hdr_encode(hdr, &h);
    /* Small pieces: the client must reassemble. */
    for (size_t i = 0; i < sizeof(hdr); i += 3)
        send(fd, hdr + i, sizeof(hdr) - i < 3 ? sizeof(hdr) - i : 3, MSG_NOSIGNAL);
    for (size_t i = 0; i < blen; i += 7) {
        send(fd, s->body + i, blen - i < 7 ? blen - i : 7, MSG_NOSIGNAL);
        if (i % 70 == 0)
            usleep(1000);
    }
    recv(fd, buf, sizeof(buf), 0); /* wait for the client to close */
    _exit(0);
}

/* Start a server for one connection; connect c to it. */
static pid_t serve(const struct script *s, struct vgt_client *c)
{
    int lfd = listen_on(sock);
    pid_t pid = fork();

    if (pid == 0)
        child(lfd, s);
    close(lfd);
    vgt_client_init(c);
    if (vgt_client_connect(c, sock) < 0)
        printf("# connect failed: %s\n", c->error);
    return pid;
}

static void done(pid_t pid, struct vgt_client *c)
{
    int st;

    vgt_client_dispose(c);
    waitpid(pid, &st, 0);
}

static char *request(void)
{
    static char buf[4096];
    FILE *f = fopen(reqfile, "r");
    size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

    if (f)
        fclose(f);
    buf[n] = '\0';
    return buf;
}

static const struct script REPLY_OK = { "{\"ok\":true}", 0, VGT_PROTO_F_REPLY, 0, NORMAL };

static void test_connect_errors(void)
{
    struct vgt_client c;
    char path[128];

    vgt_client_init(&c);
    snprintf(path, sizeof(path), "%s/missing.sock", dir);
    is_int(vgt_client_connect(&c, path), -ECONNREFUSED, "no socket: -ECONNREFUSED");
    ok(strstr(c.error, "vgtd is not running (no socket ") != NULL, "message: %s", c.error);

    int lfd = listen_on(path);
    close(lfd); /* bound, nobody listening */
    is_int(vgt_client_connect(&c, path), -ECONNREFUSED, "stale socket: -ECONNREFUSED");
    ok(strstr(c.error, "vgtd is not running (nobody listens on ") != NULL, "message: %s",
       c.error);

    setenv("VGT_SOCKET", path, 1);
    is_str(vgt_client_socket_path(), path, "$VGT_SOCKET overrides the path");
    setenv("VGT_SOCKET", "", 1);
    is_str(vgt_client_socket_path(), VGT_PROTO_SOCKET, "empty $VGT_SOCKET: default");
    unsetenv("VGT_SOCKET");
    is_str(vgt_client_socket_path(), "/run/xen-vgt/vgtd.sock", "default path");

    is_int(vgt_client_switch(&c, 1, false, NULL), -ENOTCONN, "call without connection");
    vgt_client_dispose(&c);
}

static void test_list(void)
{
    static const struct script s = {
        "{\"ok\":true,\"display_owner\":5,\"guests\":[{\"domid\":5,\"name\":\"win10\","
        "\"vgt_id\":1,\"type\":\"V5_4\",\"state\":\"running\",\"display_ready\":true,"
        "\"display_owner\":true,\"low_gm_base\":134217728,\"low_gm_size\":134217728,"
        "\"high_gm_base\":4294967296,\"high_gm_size\":536870912,\"fence_base\":4,"
        "\"fence_count\":4,\"ports\":[{\"port\":\"PORT_B\",\"connected\":true,\"type\":\"DP_B\","
        "\"override\":\"PORT_C\"},{\"port\":\"PORT_X\"}],\"refused_access\":{\"bad_access\":1,"
        "\"ggtt_refused\":2,\"fence_refused\":3,\"aperture_refused\":4,\"plane_refused\":5},"
        "\"new_field\":[1,2]},{\"domid\":9,\"vgt_id\":2},{\"domid\":0,\"vgt_id\":3,"
        "\"name\":\"held\",\"state\":\"rebooting\"},{\"domid\":11,\"vgt_id\":4,"
        "\"name\":\"old\",\"state\":\"rebooting\"}]}",
        0, VGT_PROTO_F_REPLY, 0, NORMAL };
    struct vgt_client c;
    struct vgt_guest_list l;
    pid_t pid = serve(&s, &c);

    is_int(vgt_client_list(&c, &l), 0, "list");
    is_str(request(), "{\"cmd\":\"list\"}", "list request");
    is_int(l.n, 4, "four guests");
    is_int(l.display_owner, 5, "display owner");
    const struct vgt_guest *g = &l.guests[0];
    ok(g->domid == 5 && strcmp(g->name, "win10") == 0 && g->part.vgt_id == 1, "guest 0 ids");
    is_str(g->type, "V5_4", "type");
    is_str(g->state, "running", "state");
    ok(g->display_ready && g->display_owner, "display flags");
    ok(g->part.low_base == 0x8000000 && g->part.low_size == 0x8000000 &&
       g->part.high_base == 0x100000000ull && g->part.high_size == 0x20000000 &&
       g->part.fence_base == 4 && g->part.fence_count == 4, "partition");
    is_int(g->n_ports, 1, "unknown port names skipped");
    ok(g->ports[0].port == VGT_PORT_B && g->ports[0].connected &&
       g->ports[0].type == VGT_PORT_DP_B && g->ports[0].override == VGT_PORT_C, "port state");
    ok(g->stats.bad_access == 1 && g->stats.plane_refused == 5, "stats");
    ok(l.guests[1].domid == 9 && !l.guests[1].name[0], "minimal guest");
    ok(vgt_guest_list_find(&l, "win10") == g, "find by name");
    ok(vgt_guest_list_find(&l, "9") == &l.guests[1], "find by domid");
    ok(vgt_guest_list_find(&l, "7") == NULL && vgt_guest_list_find(&l, "x") == NULL,
       "find: unknown");
    ok(vgt_guest_list_find(&l, "held") == NULL && vgt_guest_list_find(&l, "0") == NULL &&
       vgt_guest_list_find(&l, "11") == NULL && vgt_guest_list_find(&l, "old") == NULL,
       "find: partitions held for a reboot are not found");
    vgt_guest_list_dispose(&l);
    vgt_guest_list_dispose(&l);
    done(pid, &c);
}

static void test_error_replies(void)
{
    static const struct script esrch = {
        "{\"ok\":false,\"errno\":3,\"error\":\"ESRCH\",\"message\":\"no vGPU guest 12\"}",
        0, VGT_PROTO_F_REPLY, 0, NORMAL };
    static const struct script v2 = { "{\"whatever\":1}", 2, VGT_PROTO_F_REPLY, 0, NORMAL };
    static const struct script garbage = { "{\"ok\":tru", 0, VGT_PROTO_F_REPLY, 0, NORMAL };
    static const struct script noflag = { "{\"ok\":true}", 0, 0, 0, NORMAL };
    static const struct script huge = { "{}", 0, VGT_PROTO_F_REPLY, 0x7fffffff, NORMAL };
    static const struct script noreply = { "", 0, 0, 0, CLOSE };
    static const struct script silent = { "", 0, 0, 0, SILENT };
    static const struct script refuse = { "", 0, 0, 0, REFUSE };
    struct vgt_client c;
    pid_t pid;

    pid = serve(&esrch, &c);
    is_int(vgt_client_detach(&c, 12), -ESRCH, "error reply: its errno");
    is_str(c.error, "no vGPU guest 12", "error reply: its message");
    is_str(request(), "{\"cmd\":\"detach\",\"domid\":12}", "detach request");
    done(pid, &c);

    pid = serve(&v2, &c);
    is_int(vgt_client_detach(&c, 1), -EPROTO, "other version: -EPROTO");
    is_str(c.error, "vgtd speaks protocol 2, this client 1", "version message");
    done(pid, &c);

    pid = serve(&garbage, &c);
    is_int(vgt_client_detach(&c, 1), -EPROTO, "bad JSON: -EPROTO");
    ok(strncmp(c.error, "bad reply from vgtd: bad JSON", 29) == 0, "message: %s", c.error);
    done(pid, &c);

    pid = serve(&noflag, &c);
    is_int(vgt_client_detach(&c, 1), -EPROTO, "no reply flag: -EPROTO");
    done(pid, &c);

    pid = serve(&huge, &c);
    is_int(vgt_client_detach(&c, 1), -EPROTO, "oversize reply: -EPROTO");
    ok(strstr(c.error, "at most 33554432 allowed") != NULL, "message: %s", c.error);
    done(pid, &c);

    pid = serve(&noreply, &c);
    is_int(vgt_client_detach(&c, 1), -ECONNRESET, "closed without reply: -ECONNRESET");
    is_str(c.error, "vgtd closed the connection without a reply", "message");
    done(pid, &c);

    pid = serve(&refuse, &c);
    usleep(20000); /* let vgtd's refusal and close arrive before the request */
    is_int(vgt_client_list(&c, &(struct vgt_guest_list){ 0 }), -EPERM,
           "refused at connect: vgtd's EPERM, not a broken pipe");
    is_str(c.error, "permission denied: vgtd accepts root", "its message");
    done(pid, &c);

    pid = serve(&silent, &c);
    c.timeout_ms = 200;
    is_int(vgt_client_detach(&c, 1), -ETIMEDOUT, "no answer: -ETIMEDOUT");
    done(pid, &c);
}

static void test_commands(void)
{
    static const struct script hello = {
        "{\"ok\":true,\"version\":1,\"server\":\"vgtd 0.1.0\"}", 0, VGT_PROTO_F_REPLY, 0, NORMAL };
    static const struct script sw = {
        "{\"ok\":true,\"display_owner\":3,\"previous\":0}", 0, VGT_PROTO_F_REPLY, 0, NORMAL };
    static const struct script info = {
        "{\"ok\":true,\"display_owner\":0,\"guests\":1,\"profile\":{\"name\":\"skl-gt2\","
        "\"description\":\"Skylake\",\"gen\":9,\"device_id\":6418,\"aperture_mb\":256,"
        "\"ggtt_mb\":4096,\"fences\":32,\"max_instances\":7},\"host\":{\"low_mb\":64,"
        "\"high_mb\":384,\"fences\":4},\"resources\":{\"low_total_mb\":192,\"low_free_mb\":64,"
        "\"low_largest_mb\":64,\"high_total_mb\":3712,\"high_free_mb\":3200,"
        "\"high_largest_mb\":3200,\"fences_total\":28,\"fences_free\":24,\"fences_largest\":24,"
        "\"instances_total\":7,\"instances_free\":6},\"types\":[{\"name\":\"V5_8\",\"low_mb\":64,"
        "\"high_mb\":384,\"fences\":4,\"fit\":1}]}", 0, VGT_PROTO_F_REPLY, 0, NORMAL };
    static const struct script badinfo = {
        "{\"ok\":true,\"profile\":{},\"host\":{}}", 0, VGT_PROTO_F_REPLY, 0, NORMAL };
    static const struct script attach = {
        "{\"ok\":true,\"guest\":{\"domid\":3,\"vgt_id\":2,\"name\":\"g\",\"low_gm_base\":0,"
        "\"low_gm_size\":67108864}}", 0, VGT_PROTO_F_REPLY, 0, NORMAL };
    static const struct script shot = {
        "{\"ok\":true,\"width\":2,\"height\":1,\"stride\":8,\"format\":\"XR24\","
        "\"data\":\"AQIDBAUGBwg=\"}", 0, VGT_PROTO_F_REPLY, 0, NORMAL };
    static const struct script shortshot = {
        "{\"ok\":true,\"width\":2,\"height\":2,\"stride\":8,\"format\":\"XR24\","
        "\"data\":\"AQIDBAUGBwg=\"}", 0, VGT_PROTO_F_REPLY, 0, NORMAL };
    struct vgt_client c;
    struct vgt_hello h;
    struct vgt_info i;
    struct vgt_guest g;
    struct vgt_screenshot ss;
    int prev = -5;
    pid_t pid;

    pid = serve(&hello, &c);
    is_int(vgt_client_hello(&c, &h), 0, "hello");
    ok(h.version == 1 && strcmp(h.server, "vgtd 0.1.0") == 0, "hello reply");
    is_str(request(), "{\"cmd\":\"hello\",\"client\":\"libvgt " PACKAGE_VERSION "\"}",
           "hello request");
    done(pid, &c);

    pid = serve(&sw, &c);
    is_int(vgt_client_switch(&c, 3, true, &prev), 0, "switch");
    is_int(prev, 0, "previous owner");
    is_str(request(), "{\"cmd\":\"switch\",\"domid\":3,\"force\":true}", "switch request");
    done(pid, &c);

    pid = serve(&info, &c);
    is_int(vgt_client_info(&c, &i), 0, "info");
    ok(strcmp(i.profile.name, "skl-gt2") == 0 && i.profile.device_id == 0x1912 &&
       i.profile.host_low_mb == 64 && i.profile.host_fences == 4, "profile and host");
    ok(i.res.low_free_mb == 64 && i.res.high_largest_mb == 3200 && i.res.instances_free == 6,
       "resources");
    ok(i.n_types == 1 && strcmp(i.types[0].name, "V5_8") == 0 && i.types[0].fit == 1 &&
       i.types[0].req.high_mb == 384, "types");
    vgt_info_dispose(&i);
    done(pid, &c);

    pid = serve(&badinfo, &c);
    is_int(vgt_client_info(&c, &i), -EPROTO, "info without resources: -EPROTO");
    is_str(c.error, "bad reply from vgtd: info \"resources\" missing", "message");
    done(pid, &c);

    struct vgt_attach a = { .domid = 3, .name = "g", .type = "V5_8",
                            .req = { 64, 384, 4 }, .vcpus = 2, .memory_mb = 2048,
                            .primary = -1, .cap = 0, .monitor_config = "/etc/m.config" };
    pid = serve(&attach, &c);
    is_int(vgt_client_attach(&c, &a, &g), 0, "attach");
    is_str(request(), "{\"cmd\":\"attach\",\"domid\":3,\"name\":\"g\",\"type\":\"V5_8\","
           "\"low_mb\":64,\"high_mb\":384,\"fences\":4,\"vcpus\":2,\"memory_mb\":2048,"
           "\"primary\":-1,\"cap\":0,\"monitor_config\":\"/etc/m.config\"}", "attach request");
    ok(g.domid == 3 && g.part.vgt_id == 2 && g.part.low_size == 64 * VGT_MB, "attach reply");
    done(pid, &c);

    struct vgt_hotplug hp = { .domid = 4, .port = VGT_PORT_B, .connect = true, .type = -1,
                              .override = -1 };
    memcpy(hp.edid, vgt_edid_default_1080p, VGT_EDID_LEN);
    pid = serve(&REPLY_OK, &c);
    is_int(vgt_client_hotplug(&c, &hp), 0, "hotplug connect");
    ok(strncmp(request(), "{\"cmd\":\"hotplug\",\"domid\":4,\"port\":\"PORT_B\",\"connect\":true,"
               "\"type\":\"DP_B\",\"override\":\"PORT_B\",\"edid\":\"00ffffffffffff00", 112) == 0,
       "hotplug request with the defaults: %.120s", request());
    done(pid, &c);
    hp.connect = false;
    hp.port = VGT_PORT_E;
    pid = serve(&REPLY_OK, &c);
    is_int(vgt_client_hotplug(&c, &hp), 0, "hotplug disconnect");
    is_str(request(), "{\"cmd\":\"hotplug\",\"domid\":4,\"port\":\"PORT_E\",\"connect\":false}",
           "disconnect request");
    done(pid, &c);
    hp.port = VGT_PORT_MAX;
    is_int(vgt_client_hotplug(&c, &hp), -ENXIO, "hotplug: bad port refused locally");

    pid = serve(&shot, &c);
    is_int(vgt_client_screenshot(&c, 4, &ss), 0, "screenshot");
    ok(ss.width == 2 && ss.height == 1 && ss.len == 8 && ss.data[7] == 8, "pixels decoded");
    vgt_screenshot_dispose(&ss);
    done(pid, &c);
    pid = serve(&shortshot, &c);
    is_int(vgt_client_screenshot(&c, 4, &ss), -EPROTO, "screenshot too short: -EPROTO");
    done(pid, &c);
}

int main(void)
{
    strcpy(dir, "/tmp/vgt-client-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    snprintf(sock, sizeof(sock), "%s/vgtd.sock", dir);
    snprintf(reqfile, sizeof(reqfile), "%s/request", dir);
    signal(SIGPIPE, SIG_IGN);
    test_connect_errors();
    test_list();
    test_error_replies();
    test_commands();
    unlink(sock);
    unlink(reqfile);
    char path[128];
    snprintf(path, sizeof(path), "%s/missing.sock", dir);
    unlink(path);
    rmdir(dir);
    return tap_done();
}
