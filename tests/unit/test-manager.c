/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vgtd on the Xen test double: the daemon's code (libvgtd) runs in this process
 * with xenstore from daemon/xen's double and domains that the test creates,
 * shuts down and destroys; workers are the fake worker program
 * (test-manager-worker); clients talk to the real control socket from a thread
 * (raw frames, and libvgt's client library).
 */
#include <dirent.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vgt/client.h"
#include "vgt/config.h"
#include "vgt/proto.h"
#include "daemon/manager/vgtd.h"
#include "daemon/xen/xen-double.h"
#include "tests/tap.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif
/* the source tree: from make check's environment, else where it was configured */
static const char *srcdir(void)
{
    const char *s = getenv("top_srcdir");
    return s && *s ? s : TOP_SRCDIR;
}

static struct vgt_xd *xd;
static sd_event *ev;
static char tmp[64], sock_path[160], wlog[160], worker_path[512];
static struct vgtd d;

/* ---- domains, as Xen has them ------------------------------------------ */

struct dom {
    uint32_t id;
    bool exists, shutdown, dying;
};
static struct dom doms[32];

static struct dom *dom_find(uint32_t id)
{
    for (unsigned i = 0; i < VGT_ARRAY_SIZE(doms); i++)
        if (doms[i].exists && doms[i].id == id)
            return &doms[i];
    return NULL;
}

/* vgtd's mxen: the double's xenstore (through the real bridge), our domains */
struct tmx {
    struct mxen m;
    struct mxen *in;
};
#define IN(m) (((struct tmx *)(m))->in)
static void t_close(struct mxen *m) { IN(m)->ops->close(IN(m)); free(m); }
static int t_read(struct mxen *m, uint32_t t, const char *p, char **v) { return IN(m)->ops->read(IN(m), t, p, v); }
static int t_write(struct mxen *m, uint32_t t, const char *p, const char *v) { return IN(m)->ops->write(IN(m), t, p, v); }
static int t_rm(struct mxen *m, uint32_t t, const char *p) { return IN(m)->ops->rm(IN(m), t, p); }
static int t_dir(struct mxen *m, uint32_t t, const char *p, char ***n, unsigned *c) { return IN(m)->ops->directory(IN(m), t, p, n, c); }
static int t_perms(struct mxen *m, uint32_t t, const char *p, uint32_t o, int r) { return IN(m)->ops->set_perms(IN(m), t, p, o, r); }
static int t_txs(struct mxen *m, uint32_t *t) { return IN(m)->ops->tx_start(IN(m), t); }
static int t_txe(struct mxen *m, uint32_t t, bool a) { return IN(m)->ops->tx_end(IN(m), t, a); }
static int t_watch(struct mxen *m, const char *p, const char *k) { return IN(m)->ops->watch(IN(m), p, k); }
static int t_fileno(struct mxen *m) { return IN(m)->ops->fileno(IN(m)); }
static int t_check(struct mxen *m, char **p, char **k) { return IN(m)->ops->check_watch(IN(m), p, k); }
static int t_dominfo(struct mxen *m, uint32_t id, struct mxen_dominfo *out)
{
    struct dom *x = dom_find(id);
    if (!x)
        return -ESRCH;
    memset(out, 0, sizeof(*out));
    out->shutdown = x->shutdown;
    out->dying = x->dying;
    return 0;
}
static const struct mxen_ops tmx_ops = {
    t_close, t_read, t_write, t_rm, t_dir, t_perms, t_txs, t_txe, t_watch, t_fileno, t_check,
    t_dominfo,
};

static struct mxen *xs;   /* the test's own handle on the double's xenstore */

static struct mxen *open_mxen(void)
{
    struct vgt_xen *x = NULL;
    struct mxen *in = NULL;
    if (vgt_xen_double_ops.open(xd, VGT_XEN_STORE, &x) < 0 ||
        mxen_from_xen_ops(&vgt_xen_double_ops, x, &in) < 0)
        return NULL;
    struct tmx *t = calloc(1, sizeof(*t));
    t->m.ops = &tmx_ops;
    t->in = in;
    return &t->m;
}

static char *xs_get(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xs_get(const char *fmt, ...)
{
    static char val[512];
    char path[256], *v = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    if (xs->ops->read(xs, 0, path, &v) < 0)
        return NULL;
    snprintf(val, sizeof(val), "%s", v);
    free(v);
    return val;
}

/* ---- the event loop ------------------------------------------------------ */

/* Upper bound for every wait on a condition: generous, since valgrind on a
 * loaded 2-core machine is slow; a wait that holds ends as soon as it holds. */
#define WAIT_MS 30000

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Dispatch what is pending already (bounded: a source that is always ready
 * must not hang the test), so that a preempted test still sees it. */
static void run_pending(void)
{
    for (unsigned i = 0; i < 1000 && sd_event_run(ev, 0) > 0; i++)
        ;
}

static void run_ms(unsigned ms)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    run_pending();
    for (long el; (el = elapsed_ms(&t0)) < (long)ms;)
        sd_event_run(ev, (ms - el) * 1000ull);
}

/* Run the loop until cond holds or ms of wall-clock time have passed (not a
 * count of iterations: each iteration ends early when an event comes in). */
static bool run_until(bool (*cond)(void *), void *arg, unsigned ms)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!cond(arg)) {
        if (elapsed_ms(&t0) >= (long)ms)
            return cond(arg);
        sd_event_run(ev, 10000);
    }
    return true;
}

static void add_domain(uint32_t id, const char *name)
{
    for (unsigned i = 0; i < VGT_ARRAY_SIZE(doms); i++)
        if (!doms[i].exists) {
            doms[i] = (struct dom){ id, true, false, false };
            break;
        }
    char path[64];
    snprintf(path, sizeof(path), "/local/domain/%u/name", id);
    xs->ops->write(xs, 0, path, name);
    vgt_xd_xs_fire(xd, "@introduceDomain");
}

static void shutdown_domain(uint32_t id)
{
    dom_find(id)->shutdown = true;
    vgt_xd_xs_fire(xd, "@releaseDomain");
}

static void destroy_domain(uint32_t id)
{
    struct dom *x = dom_find(id);
    if (x)
        x->exists = false;
    char path[64];
    snprintf(path, sizeof(path), "/local/domain/%u", id);
    xs->ops->rm(xs, 0, path);
    vgt_xd_xs_fire(xd, "@releaseDomain");
}

/* ---- vgtd ----------------------------------------------------------------- */

static int start_vgtd(void)
{
    memset(&d, 0, sizeof(d));
    vgtd_conf_init(&d.conf);
    d.conf.profile = strdup("skl-gt2");
    d.conf.socket = strdup(sock_path);
    d.conf.state_dir = strdup(tmp);
    d.conf.worker = strdup(worker_path);
    d.conf.reboot_hold = 1;
    d.conf.worker_ready_timeout = 3;
    d.conf.worker_restarts = 2;
    if (asprintf(&d.conf.drm_sysfs, "%s/no-drm", tmp) < 0)   /* not the host's GPU */
        d.conf.drm_sysfs = NULL;
    vgtd_conf_finish(&d.conf);
    struct vgt_diag diag;
    vgt_diag_init(&diag);
    int r = vgtd_start(&d, ev, open_mxen(), &diag);
    if (r < 0)
        vgt_diag_print(&diag, stdout);
    vgt_diag_dispose(&diag);
    return r;
}

static void stop_vgtd(bool abandon)
{
    if (abandon)
        vgtd_abandon(&d);
    else
        vgtd_stop(&d);
    vgtd_conf_dispose(&d.conf);
}

/* ---- clients, in a thread while the loop runs here ------------------------- */

struct call {
    const uint8_t *data;
    size_t len;
    uid_t as_uid;                  /* != 0: connect from a child of that uid */
    bool no_reply;                 /* send and hang up */
    char *body;                    /* the reply body */
    uint16_t version;
    int status;                    /* vgt_proto_reply_status, or a transport error */
    char msg[512];
    yajl_val reply;
    atomic_int done;
};

static int connect_ctl(void)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    snprintf(a.sun_path, sizeof(a.sun_path), "%.100s", sock_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Send, then read one frame (the caller's thread blocks, bounded by poll). */
static int exchange(int fd, struct call *c)
{
    /* a refused peer may be cut off before it has sent: read the reply anyway */
    if (c->len && send(fd, c->data, c->len, MSG_NOSIGNAL) != (ssize_t)c->len && c->no_reply)
        return -EIO;
    if (c->no_reply)
        return 0;
    struct vgt_proto_decoder dec;
    vgt_proto_decoder_init(&dec, VGT_PROTO_MAX_REPLY);
    int r = -ETIMEDOUT;
    char buf[65536];
    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, 10000) <= 0)
            break;
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) {
            r = -ECONNRESET;
            break;
        }
        ssize_t off = 0;
        while (off < n) {
            ssize_t u = vgt_proto_decoder_feed(&dec, buf + off, n - off);
            if (u < 0) {
                r = (int)u;
                goto out;
            }
            off += u;
            if (vgt_proto_decoder_ready(&dec)) {
                struct vgt_proto_frame f;
                c->version = dec.h.version;
                vgt_proto_decoder_take(&dec, &f);
                c->body = f.body;
                r = 0;
                goto out;
            }
        }
    }
out:
    vgt_proto_decoder_dispose(&dec);
    return r;
}

static void *call_thread(void *p)
{
    struct call *c = p;
    int fd = connect_ctl();
    c->status = fd < 0 ? -ECONNREFUSED : exchange(fd, c);
    if (fd >= 0)
        close(fd);
    atomic_store(&c->done, 1);
    return NULL;
}

static bool call_done(void *p) { return atomic_load(&((struct call *)p)->done); }

static void run_call(struct call *c)
{
    pthread_t t;
    if (c->as_uid) {   /* another user: a child process (the loop must run meanwhile) */
        int pfd[2];
        if (pipe(pfd) < 0)
            return;
        pid_t pid = fork();
        if (pid == 0) {
            close(pfd[0]);
            if (setgid(c->as_uid) < 0 || setuid(c->as_uid) < 0)
                _exit(1);
            call_thread(c);
            int st = c->status;
            if (write(pfd[1], &st, sizeof(st)) < 0 || (c->body && write(pfd[1], c->body, strlen(c->body)) < 0))
                _exit(1);
            _exit(0);
        }
        close(pfd[1]);
        fcntl(pfd[0], F_SETFL, O_NONBLOCK);
        char buf[4096];
        size_t got = 0;
        for (int i = 0; i < 1000; i++) {
            ssize_t n = read(pfd[0], buf + got, sizeof(buf) - 1 - got);
            if (n == 0)
                break;
            if (n > 0)
                got += n;
            else
                sd_event_run(ev, 10000);
        }
        close(pfd[0]);
        waitpid(pid, NULL, 0);
        buf[got] = 0;
        if (got >= sizeof(int)) {
            memcpy(&c->status, buf, sizeof(int));
            c->body = strdup(buf + sizeof(int));
        }
    } else {
        pthread_create(&t, NULL, call_thread, c);
        run_until(call_done, c, WAIT_MS);
        pthread_join(t, NULL);
    }
    if (c->status == 0 && c->body) {
        char err[128];
        if (vgt_proto_parse(c->body, strlen(c->body), &c->reply, err, sizeof(err)) == 0)
            c->status = vgt_proto_reply_status(c->reply, c->msg, sizeof(c->msg));
        else
            c->status = -EPROTO;
    }
}

static void call_dispose(struct call *c)
{
    free(c->body);
    yajl_tree_free(c->reply);
    memset(c, 0, sizeof(*c));
}

/* One request from JSON text; the reply stays in *c. */
static int req(struct call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int req(struct call *c, const char *fmt, ...)
{
    char json[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(json, sizeof(json), fmt, ap);
    va_end(ap);
    uint8_t *frame = NULL;
    size_t len;
    memset(c, 0, sizeof(*c));
    vgt_proto_frame(json, strlen(json), 0, VGT_PROTO_MAX_REQUEST, &frame, &len);
    c->data = frame;
    c->len = len;
    run_call(c);
    free(frame);
    c->data = NULL;
    return c->status;
}

static long long jint(yajl_val v, const char *path)
{
    /* "a.b" or "guests.0.vgt_id" */
    char buf[128], *save = NULL;
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *k = strtok_r(buf, ".", &save); k && v; k = strtok_r(NULL, ".", &save)) {
        if (YAJL_IS_ARRAY(v)) {
            size_t i = strtoul(k, NULL, 10);
            v = i < v->u.array.len ? v->u.array.values[i] : NULL;
        } else {
            v = vgt_json_get(v, k);
        }
    }
    if (v && YAJL_IS_TRUE(v))
        return 1;
    if (v && YAJL_IS_FALSE(v))
        return 0;
    return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : -1;
}

static const char *jstr(yajl_val v, const char *path)
{
    char buf[128], *save = NULL;
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *k = strtok_r(buf, ".", &save); k && v; k = strtok_r(NULL, ".", &save)) {
        if (YAJL_IS_ARRAY(v)) {
            size_t i = strtoul(k, NULL, 10);
            v = i < v->u.array.len ? v->u.array.values[i] : NULL;
        } else {
            v = vgt_json_get(v, k);
        }
    }
    return v && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : "";
}

static int nfds(void)
{
    int n = 0;
    DIR *dir = opendir("/proc/self/fd");
    if (!dir)
        return -1;
    while (readdir(dir))
        n++;
    closedir(dir);
    return n;
}

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    int n = 0, ch;
    if (!f)
        return 0;
    while ((ch = fgetc(f)) != EOF)
        n += ch == '\n';
    fclose(f);
    return n;
}

static long long free_low(void)
{
    struct call c;
    req(&c, "{\"cmd\":\"info\"}");
    long long v = jint(c.reply, "resources.low_free_mb");
    call_dispose(&c);
    return v;
}

static long long guest_field(uint32_t domid, const char *field)
{
    struct call c;
    long long v = -1;
    req(&c, "{\"cmd\":\"list\"}");
    yajl_val gs = vgt_json_get(c.reply, "guests");
    for (size_t i = 0; gs && YAJL_IS_ARRAY(gs) && i < gs->u.array.len; i++)
        if (jint(gs->u.array.values[i], "domid") == domid)
            v = jint(gs->u.array.values[i], field);
    call_dispose(&c);
    return v;
}

static int attach(uint32_t domid, const char *name, struct call *c)
{
    return req(c, "{\"cmd\":\"attach\",\"domid\":%u,\"name\":\"%s\",\"type\":\"V5_4\","
                  "\"vcpus\":2,\"memory_mb\":1024}", domid, name);
}

/* ---- the tests ------------------------------------------------------------- */

static long long total_low;

/* kill() only a real worker: pid 0 or -1 would signal this test's whole group */
static int safe_kill(long long pid, int sig)
{
    if (pid <= 1) {
        ok(0, "no worker pid to signal (%lld)", pid);
        return -1;
    }
    return kill((pid_t)pid, sig);
}

struct lib_call {
    struct vgt_client *cl;
    struct vgt_info *info;
    int r;
    atomic_int done;
};

static void *lib_info_thread(void *p)
{
    struct lib_call *x = p;
    x->r = vgt_client_connect(x->cl, sock_path);
    if (x->r == 0)
        x->r = vgt_client_info(x->cl, x->info);
    atomic_store(&x->done, 1);
    return NULL;
}

static bool lib_done(void *p) { return atomic_load(&((struct lib_call *)p)->done); }

static pid_t old_pid;
static bool restarted(void *p) { return guest_field(5, "worker_pid") > 0 && guest_field(5, "worker_pid") != old_pid; }
static bool running5(void *p) { return guest_field(5, "failsafe") == 0 && d.guests && d.guests->state == GUEST_RUNNING; }
static bool failsafe5(void *p) { return guest_field(5, "failsafe") == 1; }
static bool ports50_bc(void *p)
{
    const char *v = xs_get("/local/domain/50/xen-vgt/ports");
    return v && strcmp(v, "PORT_B,PORT_C") == 0;
}
static bool display_ready5(void *p) { return guest_field(5, "display_ready") == 1; }
static long long held_id;
static bool back13(void *p) { return guest_field(13, "vgt_id") == held_id; }
static bool rb_gone(void *p) { return xs_get("/local/domain/0/xen-vgt/vms/rb/state") == NULL; }
static bool adopted(void *p) { return d.guests && d.guests->state == GUEST_RUNNING; }

static void test_basics(void)
{
    struct call c;
    is_int(req(&c, "{\"cmd\":\"hello\",\"client\":\"test\"}"), 0, "hello");
    is_int(jint(c.reply, "version"), 1, "hello: protocol version 1");
    call_dispose(&c);

    is_int(req(&c, "{\"cmd\":\"info\"}"), 0, "info");
    is_str(jstr(c.reply, "profile.name"), "skl-gt2", "info: profile");
    total_low = jint(c.reply, "resources.low_free_mb");
    ok(total_low > 0 && total_low == jint(c.reply, "resources.low_total_mb"), "info: all free");
    ok(jint(c.reply, "types.0.fit") > 0, "info: how many of the first type fit");
    call_dispose(&c);
    is_str(xs_get("/local/domain/0/xen-vgt/gpu/profile"), "skl-gt2", "xenstore: gpu/profile");

    /* the client library of the front agrees with the server */
    struct vgt_client cl;
    struct vgt_info info;
    vgt_client_init(&cl);
    vgt_info_init(&info);
    struct lib_call a = { &cl, &info, -1, 0 };
    pthread_t t;
    pthread_create(&t, NULL, lib_info_thread, &a);
    run_until(lib_done, &a, WAIT_MS);
    pthread_join(t, NULL);
    is_int(a.r, 0, "vgt_client_info");
    is_int(info.res.low_free_mb, total_low, "vgt_client_info: low free");
    ok(info.n_types > 0, "vgt_client_info: types");
    vgt_info_dispose(&info);
    vgt_client_dispose(&cl);
}

static void test_attach(void)
{
    struct call c;
    add_domain(5, "vm1");
    run_ms(20);
    is_int(attach(5, "vm1", &c), 0, "attach dom5 %s", c.msg);
    long long vgt_id = jint(c.reply, "guest.vgt_id");
    ok(vgt_id >= 1, "attach: vgt_id %lld", vgt_id);
    is_str(jstr(c.reply, "guest.state"), "running", "attach: replied when the worker is ready");
    is_str(jstr(c.reply, "guest.type"), "V5_4", "attach: type");
    is_str(jstr(c.reply, "pci_bdf"), "0000:00:05.0", "attach: BDF");
    call_dispose(&c);
    ok(free_low() < total_low, "attach: low GM taken");
    is_int(count_lines(wlog), 1, "one worker started");
    FILE *f = fopen(wlog, "r");
    char line[1024] = "";
    if (f) {
        if (!fgets(line, sizeof(line), f))
            line[0] = 0;
        fclose(f);
    }
    ok(strstr(line, "--domid 5 --vcpus 2 --bdf 0000:00:05.0") != NULL, "worker args: %s", line);
    ok(strstr(line, "--guest-mem 1073741824") && strstr(line, "--socket "), "worker args: memory, socket");
    char prof[256];
    struct vgt_profile wp;
    snprintf(prof, sizeof(prof), "--profile %s/effective.profile ", tmp);
    ok(strstr(line, prof) != NULL, "worker gets the effective profile");
    snprintf(prof, sizeof(prof), "%s/effective.profile", tmp);
    ok(vgt_profile_load(prof, NULL, &wp, NULL) == 0 && wp.host_low_mb == d.profile.host_low_mb &&
       wp.aperture_mb == d.profile.aperture_mb && strcmp(wp.name, "skl-gt2") == 0,
       "the effective profile reads back the same");
    is_str(xs_get("/local/domain/0/xen-vgt/vms/vm1/domid"), "5", "xenstore: vms/vm1/domid");
    is_str(xs_get("/local/domain/0/xen-vgt/vms/vm1/state"), "running", "xenstore: state");
    is_str(xs_get("/local/domain/5/xen-vgt/ports"), "PORT_B", "guest copy: ports (default monitor)");
    struct vgt_xs_perm p[4];
    unsigned np = vgt_xd_xs_perms(xd, "/local/domain/5/xen-vgt/vgt_id", p, 4);
    ok(np == 2 && p[0].domid == 0 && p[0].perm == VGT_XS_NONE && p[1].domid == 5 &&
       p[1].perm == VGT_XS_READ, "guest copy: owner dom0, read for dom5 only");

    /* the default virtual monitor is connected before the reply */
    req(&c, "{\"cmd\":\"list\"}");
    is_str(jstr(c.reply, "guests.0.ports.0.port"), "PORT_B", "list: port");
    is_int(jint(c.reply, "guests.0.ports.0.connected"), 1, "list: default monitor connected");
    is_str(jstr(c.reply, "guests.0.ports.0.type"), "DP_B", "list: DP_B");
    is_int(jint(c.reply, "guests.0.refused_access.bad_access"), 3, "list: worker's counters");
    call_dispose(&c);

    /* errors */
    long long before = free_low();
    is_int(attach(9, "nope", &c), -ESRCH, "attach: no such domain");
    call_dispose(&c);
    add_domain(6, "vm2");
    is_int(req(&c, "{\"cmd\":\"attach\",\"domid\":6,\"name\":\"vm2\",\"low_mb\":100000,"
               "\"high_mb\":0,\"fences\":1}"), -ENOSPC, "attach: ENOSPC");
    ok(strstr(c.msg, "low") != NULL, "ENOSPC says which: %s", c.msg);
    call_dispose(&c);
    is_int(attach(6, "vm1", &c), -EEXIST, "attach: VM name already has a vGPU");
    call_dispose(&c);
    is_int(req(&c, "{\"cmd\":\"attach\",\"domid\":6,\"name\":\"vm2\",\"type\":\"V5_4\","
               "\"monitor_config\":\"%s/none.cfg\"}", tmp), -ENOENT, "attach: monitor config missing");
    call_dispose(&c);
    is_int(req(&c, "{\"cmd\":\"attach\",\"domid\":6,\"type\":\"NOPE\"}"), -EINVAL, "attach: bad type");
    call_dispose(&c);
    is_int(req(&c, "{\"cmd\":\"attach\",\"domid\":6,\"low_mb\":\"x\"}"), -EINVAL, "attach: bad field");
    call_dispose(&c);
    is_int(free_low(), before, "failed attaches leak nothing");
    is_int(count_lines(wlog), 1, "no worker for failed attaches");
}

static void test_commands(void)
{
    struct call c;
    /* hotplug */
    is_int(req(&c, "{\"cmd\":\"hotplug\",\"domid\":5,\"port\":\"PORT_Q\",\"connect\":false}"),
           -ENXIO, "hotplug: unknown port");
    call_dispose(&c);
    is_int(req(&c, "{\"cmd\":\"hotplug\",\"domid\":5,\"port\":\"PORT_C\",\"edid\":\"00ff\"}"),
           -EBADMSG, "hotplug: bad EDID");
    call_dispose(&c);
    is_int(req(&c, "{\"cmd\":\"hotplug\",\"domid\":77,\"port\":\"PORT_C\",\"connect\":false}"),
           -ESRCH, "hotplug: unknown domain");
    call_dispose(&c);
    _cleanup_free_ char *hex = vgt_hex_encode(vgt_edid_default_1080p, VGT_EDID_LEN);
    is_int(req(&c, "{\"cmd\":\"hotplug\",\"domid\":5,\"port\":\"PORT_D\",\"type\":\"HDMI_D\","
               "\"edid\":\"%s\"}", hex), 0, "hotplug: connect PORT_D");
    call_dispose(&c);
    is_str(xs_get("/local/domain/5/xen-vgt/ports"), "PORT_B,PORT_D", "hotplug: remembered");
    is_int(req(&c, "{\"cmd\":\"hotplug\",\"domid\":5,\"port\":\"PORT_D\",\"connect\":false}"), 0,
           "hotplug: disconnect PORT_D");
    call_dispose(&c);

    /* switch */
    is_int(req(&c, "{\"cmd\":\"switch\",\"domid\":5}"), -EAGAIN, "switch: display not ready");
    call_dispose(&c);
    is_int(req(&c, "{\"cmd\":\"switch\",\"domid\":5,\"force\":true}"), 0, "switch: forced");
    is_int(jint(c.reply, "previous"), 0, "switch: previous owner dom0");
    call_dispose(&c);
    is_int(guest_field(5, "display_owner"), 1, "list: dom5 owns the display");
    is_str(xs_get("/local/domain/5/xen-vgt/display_owner"), "1", "guest copy: display_owner");
    is_int(req(&c, "{\"cmd\":\"switch\",\"domid\":0}"), 0, "switch back to dom0 always works");
    call_dispose(&c);
    is_int(req(&c, "{\"cmd\":\"switch\",\"domid\":42}"), -ESRCH, "switch: unknown domain");
    call_dispose(&c);
    safe_kill(guest_field(5, "worker_pid"), SIGUSR1);   /* the guest sets display_ready */
    ok(run_until(display_ready5, NULL, WAIT_MS), "the worker reports display_ready");
    is_int(req(&c, "{\"cmd\":\"switch\",\"domid\":5}"), 0, "switch: display ready now");
    call_dispose(&c);
    req(&c, "{\"cmd\":\"switch\",\"domid\":0}");
    call_dispose(&c);

    /* screenshot */
    is_int(req(&c, "{\"cmd\":\"screenshot\",\"domid\":5}"), 0, "screenshot");
    is_int(jint(c.reply, "width"), 4, "screenshot: width");
    is_str(jstr(c.reply, "format"), "XR24", "screenshot: format");
    uint8_t *px = NULL;
    size_t n = 0;
    const char *b64 = jstr(c.reply, "data");
    ok(vgt_base64_decode(b64, strlen(b64), &px, &n) == 0 && n == 32 && px[0] == 0x30 &&
       px[4] == 0x31, "screenshot: the worker's pixels");
    free(px);
    call_dispose(&c);
}

static void test_worker_crash(void)
{
    struct call c;
    old_pid = guest_field(5, "worker_pid");
    ok(old_pid > 0, "worker pid %d", old_pid);
    safe_kill(old_pid, SIGKILL);
    ok(run_until(restarted, NULL, WAIT_MS), "killed worker restarted");
    ok(run_until(running5, NULL, WAIT_MS), "restarted worker running");
    is_int(guest_field(5, "worker_restarts"), 1, "restart counted");
    is_int(guest_field(5, "ports.0.connected"), 1, "monitor reapplied to the new worker");
    /* the other guest and vgtd do not notice */
    is_int(req(&c, "{\"cmd\":\"hello\"}"), 0, "vgtd still answers");
    call_dispose(&c);
    /* beyond the restart budget: failsafe */
    for (int i = 0; i < 1; i++) {
        old_pid = guest_field(5, "worker_pid");
        safe_kill(old_pid, SIGKILL);
        run_until(restarted, NULL, WAIT_MS);
        run_until(running5, NULL, WAIT_MS);
    }
    is_int(guest_field(5, "worker_restarts"), 2, "second restart counted");
    old_pid = guest_field(5, "worker_pid");
    safe_kill(old_pid, SIGKILL);
    ok(run_until(failsafe5, NULL, WAIT_MS), "too many crashes: failsafe");
    is_str(xs_get("/local/domain/0/xen-vgt/vms/vm1/failsafe"), "1", "xenstore: failsafe");
    is_int(req(&c, "{\"cmd\":\"screenshot\",\"domid\":5}"), -EAGAIN, "failsafe: no worker");
    call_dispose(&c);
}

static bool no_guests(void *p) { return d.guests == NULL; }
static bool no_conns(void *p) { return d.conns == NULL; }
static bool no_procs(void *p) { return d.procs == NULL; }

static void test_release(void)
{
    destroy_domain(5);
    ok(run_until(no_guests, NULL, WAIT_MS), "@releaseDomain: guest gone");
    is_int(free_low(), total_low, "@releaseDomain: partition freed");
    ok(xs_get("/local/domain/0/xen-vgt/vms/vm1/domid") == NULL, "xenstore: vms/vm1 removed");
}

static void test_reboot(void)
{
    struct call c;
    add_domain(10, "rb");
    is_int(attach(10, "rb", &c), 0, "attach dom10");
    struct vgt_partition p0 = { 0 };
    p0.vgt_id = jint(c.reply, "guest.vgt_id");
    p0.low_base = jint(c.reply, "guest.low_gm_base");
    call_dispose(&c);
    /* a guest that takes another partition meanwhile must not get this one */
    add_domain(11, "other");
    shutdown_domain(10);
    run_ms(50);
    destroy_domain(10);
    run_ms(50);
    is_str(xs_get("/local/domain/0/xen-vgt/vms/rb/state"), "rebooting", "reboot: partition held");
    is_int(attach(11, "other", &c), 0, "another guest attaches meanwhile");
    ok(jint(c.reply, "guest.vgt_id") != (long long)p0.vgt_id, "it gets another partition");
    call_dispose(&c);
    add_domain(12, "rb");   /* the re-created domain, new domid */
    is_int(attach(12, "rb", &c), 0, "attach after reboot");
    is_int(jint(c.reply, "guest.vgt_id"), p0.vgt_id, "reboot: same vgt_id");
    is_int(jint(c.reply, "guest.low_gm_base"), p0.low_base, "reboot: same low GM");
    call_dispose(&c);
    is_str(xs_get("/local/domain/0/xen-vgt/vms/rb/domid"), "12", "xenstore: new domid");

    /* the new domain's attach before vgtd has seen the old one go */
    struct dom *x = dom_find(12);
    x->shutdown = true;
    x->dying = true;   /* no @releaseDomain fired yet */
    add_domain(14, "rb");
    is_int(attach(14, "rb", &c), 0, "attach before the old domain's release");
    is_int(jint(c.reply, "guest.vgt_id"), p0.vgt_id, "still the same partition");
    call_dispose(&c);
    destroy_domain(12);
    run_ms(50);
    is_int(guest_field(14, "vgt_id"), p0.vgt_id, "the late release changes nothing");
    shutdown_domain(14);
    run_ms(50);
    destroy_domain(14);
    run_ms(50);

    /* the re-created domain gets its vGPU by itself, without an attach */
    add_domain(13, "rb");
    held_id = p0.vgt_id;
    ok(run_until(back13, NULL, WAIT_MS), "@introduceDomain: held VM re-attached by itself");

    /* a shut-down domain that does not come back: freed after the hold */
    shutdown_domain(13);
    run_ms(50);
    destroy_domain(13);
    ok(run_until(rb_gone, NULL, WAIT_MS), "hold expired: partition freed");
    destroy_domain(11);
    ok(run_until(no_guests, NULL, WAIT_MS), "all guests gone");
    is_int(free_low(), total_low, "nothing left allocated");
}

static void test_restart_recovery(void)
{
    struct call c;
    add_domain(20, "keep");
    add_domain(21, "dies");
    is_int(attach(20, "keep", &c), 0, "attach dom20");
    long long id20 = jint(c.reply, "guest.vgt_id");
    long long base20 = jint(c.reply, "guest.low_gm_base");
    pid_t pid20 = jint(c.reply, "guest.worker_pid");
    call_dispose(&c);
    is_int(attach(21, "dies", &c), 0, "attach dom21");
    pid_t pid21 = jint(c.reply, "guest.worker_pid");
    call_dispose(&c);
    long long freed = free_low();

    stop_vgtd(true);   /* kill -9: nothing is cleaned up */
    ok(pid20 > 1 && kill(pid20, 0) == 0, "worker survives vgtd");
    struct dom *x = dom_find(21);
    x->exists = false;   /* dom21 dies while vgtd is away */
    is_int(start_vgtd(), 0, "vgtd restarted");
    ok(run_until(adopted, NULL, WAIT_MS), "reattached to the running worker");
    is_int(guest_field(20, "vgt_id"), id20, "same vgt_id after restart");
    is_int(guest_field(20, "low_gm_base"), base20, "same partition after restart");
    is_int(guest_field(20, "worker_pid"), pid20, "same worker process");
    is_int(guest_field(21, "vgt_id"), -1, "guest of the dead domain cleaned up");
    if (safe_kill(pid21, SIGTERM) == 0)   /* a real worker ends with its domain; the fake is told */
        waitpid(pid21, NULL, 0);
    ok(free_low() > freed, "its partition is free");
    is_int(req(&c, "{\"cmd\":\"hotplug\",\"domid\":20,\"port\":\"PORT_B\",\"connect\":false}"), 0,
           "the reattached worker answers");
    call_dispose(&c);
    /* a second guest does not get the restored partition */
    add_domain(22, "new");
    is_int(attach(22, "new", &c), 0, "attach after restart");
    ok(jint(c.reply, "guest.vgt_id") != id20, "restored partition not handed out twice");
    call_dispose(&c);
    destroy_domain(20);
    destroy_domain(22);
    ok(run_until(no_guests, NULL, WAIT_MS), "guests gone");
    is_int(free_low(), total_low, "allocator back to empty");
}

/* The last command line the fake worker logged for domain domid ("" if none). */
static void worker_args(uint32_t domid, char *line, size_t n)
{
    char buf[1024], want[32];
    FILE *f = fopen(wlog, "r");
    snprintf(want, sizeof(want), "--domid %u ", domid);
    line[0] = 0;
    while (f && fgets(buf, sizeof(buf), f))
        if (strstr(buf, want))
            snprintf(line, n, "%s", buf);
    if (f)
        fclose(f);
}

struct wpid { uint32_t domid; pid_t old; };
static bool worker_replaced(void *p)
{
    const struct wpid *w = p;
    pid_t pid = guest_field(w->domid, "worker_pid");
    for (struct vgtd_guest *g = d.guests; g; g = g->next)
        if (g->domid == w->domid)
            return pid > 0 && pid != w->old && g->state == GUEST_RUNNING;
    return false;
}

/* worker_uid_base: each guest's worker its own uid:gid, the same again after a
 * restart; without it the shared worker_user. */
static void test_worker_uids(void)
{
    struct call c;
    char line[1024];

    add_domain(30, "u30");
    add_domain(31, "u31");
    add_domain(32, "u32");
    is_int(attach(30, "u30", &c), 0, "attach dom30 (shared user)");
    call_dispose(&c);
    worker_args(30, line, sizeof(line));
    ok(strstr(line, "--user vgt-worker ") != NULL, "no worker_uid_base: --user vgt-worker: %s", line);

    d.conf.worker_uid_base = 196608;
    is_int(attach(31, "u31", &c), 0, "attach dom31 (worker_uid_base 196608)");
    call_dispose(&c);
    is_int(attach(32, "u32", &c), 0, "attach dom32");
    call_dispose(&c);
    worker_args(31, line, sizeof(line));
    ok(strstr(line, "--user 196639:196639 ") != NULL, "dom31: uid = gid = 196608 + 31: %s", line);
    worker_args(32, line, sizeof(line));
    ok(strstr(line, "--user 196640:196640 ") != NULL, "dom32: its own uid: %s", line);

    /* the killed worker of dom30 comes back under the range's uid of dom30 */
    struct wpid w30 = { 30, guest_field(30, "worker_pid") };
    int lines = count_lines(wlog);
    safe_kill(w30.old, SIGKILL);
    ok(run_until(worker_replaced, &w30, WAIT_MS), "dom30's killed worker restarted");
    is_int(count_lines(wlog), lines + 1, "one new worker");
    worker_args(30, line, sizeof(line));
    ok(strstr(line, "--user 196638:196638 ") != NULL, "restarted: uid of dom30: %s", line);
    struct wpid w31 = { 31, guest_field(31, "worker_pid") };
    safe_kill(w31.old, SIGKILL);
    ok(run_until(worker_replaced, &w31, WAIT_MS), "dom31's killed worker restarted");
    worker_args(31, line, sizeof(line));
    ok(strstr(line, "--user 196639:196639 ") != NULL, "restarted: the same uid as before: %s", line);

    /* a real worker cannot remove its socket once unprivileged: vgtd does (a
     * stopped fake cannot either) */
    char sock32[200];
    pid_t pid32 = guest_field(32, "worker_pid");
    snprintf(sock32, sizeof(sock32), "%s/worker-32.sock", tmp);
    ok(access(sock32, F_OK) == 0 && safe_kill(pid32, SIGSTOP) == 0, "dom32's worker stopped");
    d.conf.worker_uid_base = 0;
    destroy_domain(30);
    destroy_domain(31);
    destroy_domain(32);
    ok(run_until(no_guests, NULL, WAIT_MS), "guests gone");
    ok(access(sock32, F_OK) != 0, "vgtd removed the stopped worker's socket");
    safe_kill(pid32, SIGCONT);
}

static void test_cycles(void)
{
    int fds0 = 0;
    bool ok_all = true;
    for (unsigned i = 0; i < 16; i++) {
        if (i == 1)
            fds0 = nfds();   /* after one cycle: sd-event's own fds are all there */
        struct call c;
        uint32_t id = 100 + 2 * i;
        add_domain(id, "cyc");
        if (attach(id, "cyc", &c) != 0)
            ok_all = false;
        call_dispose(&c);
        if (i % 3 == 2) {   /* reboot: the same VM comes back with a new domid */
            shutdown_domain(id);
            run_ms(20);
            destroy_domain(id);
            run_ms(20);
            add_domain(id + 1, "cyc");
            if (attach(id + 1, "cyc", &c) != 0)
                ok_all = false;
            call_dispose(&c);
            destroy_domain(id + 1);
        } else {
            if (i % 3 == 1) {
                if (req(&c, "{\"cmd\":\"detach\",\"domid\":%u}", id) != 0)
                    ok_all = false;
                call_dispose(&c);
            }
            destroy_domain(id);
        }
        if (!run_until(no_guests, NULL, WAIT_MS))
            ok_all = false;
    }
    ok(ok_all, "16 create/destroy/detach/reboot cycles");
    /* workers told to stop exit by themselves or are killed after the grace time */
    run_until(no_procs, NULL, WAIT_MS);
    is_int(free_low(), total_low, "cycles: nothing allocated");
    int fds1 = nfds();
    ok(fds1 <= fds0, "cycles: no file descriptor leaked (%d, %d before)", fds1, fds0);
    if (fds1 > fds0)
        system("ls -l /proc/$PPID/fd >&2");
    ok(d.procs == NULL, "cycles: every worker reaped");
}

/* Indirect display mode, and the display owner at boot. */
static void test_display(void)
{
    struct call c;
    char cfg[256];
    snprintf(cfg, sizeof(cfg), "%s/monitor.config", tmp);
    FILE *f = fopen(cfg, "w");
    fprintf(f, "# two monitors\n12\n");
    const unsigned items[2][2] = { { 0x11, 0x01 }, { 0x02, 0x02 } };   /* B as DP, C as HDMI */
    for (unsigned i = 0; i < 2; i++) {
        fprintf(f, "%02x%02x\n", items[i][0], items[i][1]);
        for (unsigned k = 0; k < VGT_EDID_LEN; k++)
            fprintf(f, "%02x%s", vgt_edid_default_1080p[k], k % 16 == 15 ? "\n" : "");
    }
    fclose(f);
    add_domain(40, "indirect");
    is_int(req(&c, "{\"cmd\":\"attach\",\"domid\":40,\"name\":\"indirect\",\"type\":\"V5_4\","
               "\"monitor_config\":\"%s\"}", cfg), 0, "indirect: attach with monitor.config %s", c.msg);
    call_dispose(&c);
    req(&c, "{\"cmd\":\"list\"}");
    is_int(jint(c.reply, "guests.0.indirect"), 1, "indirect mode");
    is_str(jstr(c.reply, "guests.0.ports.0.port"), "PORT_B", "indirect: PORT_B");
    is_str(jstr(c.reply, "guests.0.ports.0.type"), "DP_B", "indirect: PORT_B is DP_B");
    is_int(jint(c.reply, "guests.0.ports.0.connected"), 1, "indirect: PORT_B connected before the reply");
    is_str(jstr(c.reply, "guests.0.ports.1.type"), "HDMI_C", "indirect: PORT_C is HDMI_C");
    is_int(jint(c.reply, "guests.0.ports.1.connected"), 1, "indirect: PORT_C connected");
    is_int(jint(c.reply, "guests.0.display_owner"), 0, "owner at boot dom0: the guest does not own it");
    call_dispose(&c);
    is_str(xs_get("/local/domain/40/xen-vgt/ports"), "PORT_B,PORT_C", "guest copy: its ports");

    f = fopen(cfg, "w");
    fprintf(f, "11\n1101\n00ff\n");
    fclose(f);
    add_domain(41, "badmon");
    is_int(req(&c, "{\"cmd\":\"attach\",\"domid\":41,\"name\":\"badmon\",\"type\":\"V5_4\","
               "\"monitor_config\":\"%s\"}", cfg), -EINVAL, "a broken monitor.config is refused");
    ok(strstr(c.msg, "monitor.config") != NULL, "with its message: %s", c.msg);
    call_dispose(&c);
    d.conf.preallocated_monitor_to_guest = false;
    is_int(req(&c, "{\"cmd\":\"attach\",\"domid\":41,\"name\":\"badmon\",\"type\":\"V5_4\","
               "\"monitor_config\":\"%s\"}", cfg), -EINVAL, "indirect mode off: refused");
    ok(strstr(c.msg, "preallocated_monitor_to_guest") != NULL, "says why: %s", c.msg);
    call_dispose(&c);
    d.conf.preallocated_monitor_to_guest = true;

    d.conf.owner_at_boot = VGTD_BOOT_GUEST;
    is_int(attach(41, "badmon", &c), 0, "attach with display_owner_at_boot = guest");
    call_dispose(&c);
    is_int(guest_field(41, "display_owner"), 1, "the new guest owns the display");
    is_str(xs_get("/local/domain/0/xen-vgt/display_owner"), "41", "xenstore: display_owner");
    d.conf.owner_at_boot = VGTD_BOOT_DOM0;
    destroy_domain(41);
    destroy_domain(40);
    ok(run_until(no_guests, NULL, WAIT_MS), "display guests gone");
    is_str(xs_get("/local/domain/0/xen-vgt/display_owner"), "0", "owner back to dom0 when its guest ends");
}

static void put_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fwrite(data, 1, len, f);
        fclose(f);
    }
}

static void connector(const char *root, const char *name, bool connected, const uint8_t *edid)
{
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/%s", root, name);
    mkdir(dir, 0755);
    const char *st = connected ? "connected\n" : "disconnected\n";
    put_file(dir, "status", st, strlen(st));
    put_file(dir, "edid", edid, connected ? VGT_EDID_LEN : 0);
}

/* Direct mode on an Intel host: the host's monitors, followed on hotplug. */
static void test_host_monitors(void)
{
    struct call c;
    char root[256], path[512];
    snprintf(root, sizeof(root), "%s/drm", tmp);
    mkdir(root, 0755);
    snprintf(path, sizeof(path), "%s/card0", root);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/card0/device", root);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/card0/device/driver", root);
    if (symlink("../../../bus/pci/drivers/i915", path) < 0)
        ok(0, "symlink");
    uint8_t other[VGT_EDID_LEN];
    memcpy(other, vgt_edid_default_1080p, VGT_EDID_LEN);
    other[12] ^= 1;   /* another serial: another monitor */
    other[127] -= 1;
    connector(root, "card0-DP-1", true, vgt_edid_default_1080p);
    connector(root, "card0-HDMI-A-1", true, other);   /* same port B: DP wins */
    connector(root, "card0-HDMI-A-2", false, other);
    connector(root, "card0-VGA-1", true, other);

    struct vgt_monitor_config m;
    is_int(host_monitors_read(root, &m), 1, "an i915 card found");
    is_int(m.n, 2, "two monitors mirrored");
    ok(m.items[0].port == VGT_PORT_B && m.items[0].type == VGT_PORT_DP_B &&
       memcmp(m.items[0].edid, vgt_edid_default_1080p, VGT_EDID_LEN) == 0, "DP-1 is PORT_B, DP_B, its EDID");
    ok(m.items[1].port == VGT_PORT_E && m.items[1].type == VGT_PORT_CRT, "VGA-1 is PORT_E, CRT");

    free(d.conf.drm_sysfs);
    d.conf.drm_sysfs = strdup(root);
    host_start(&d);
    ok(d.host_gpu, "vgtd mirrors the host");
    add_domain(50, "direct");
    is_int(attach(50, "direct", &c), 0, "direct mode attach");
    call_dispose(&c);
    is_str(xs_get("/local/domain/50/xen-vgt/ports"), "PORT_B,PORT_E", "the host's ports");
    is_int(guest_field(50, "ports.1.connected"), 1, "connected before the reply");

    /* host hotplug: VGA unplugged, HDMI-A-2 plugged */
    connector(root, "card0-VGA-1", false, other);
    connector(root, "card0-HDMI-A-2", true, other);
    host_rescan(&d);
    run_until(ports50_bc, NULL, WAIT_MS);
    is_str(xs_get("/local/domain/50/xen-vgt/ports"), "PORT_B,PORT_C", "guest follows host hotplug");
    req(&c, "{\"cmd\":\"list\"}");
    bool c_on = false, e_off = false;
    for (unsigned i = 0; i < 4; i++) {
        char k[64];
        snprintf(k, sizeof(k), "guests.0.ports.%u.port", i);
        const char *p = jstr(c.reply, k);
        snprintf(k, sizeof(k), "guests.0.ports.%u.connected", i);
        if (strcmp(p, "PORT_C") == 0)
            c_on = jint(c.reply, k) == 1;
        if (strcmp(p, "PORT_E") == 0)
            e_off = jint(c.reply, k) == 0;
    }
    ok(c_on && e_off, "worker: PORT_C connected, PORT_E disconnected");
    call_dispose(&c);
    host_stop(&d);
    d.host_gpu = false;
    destroy_domain(50);
    ok(run_until(no_guests, NULL, WAIT_MS), "direct guest gone");
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %ld kB", &v) == 1)
            break;
    if (f)
        fclose(f);
    return v;
}

/* Figures, not assertions: attach time, vgtd's memory per attached guest. */
static void test_figures(void)
{
    struct call c;
    enum { N = 3 };   /* skl-gt2 holds 3 guests of V5_4 */
    struct timespec t0, t1;
    long rss0 = rss_kib();
    size_t heap0 = mallinfo2().uordblks;
    double ms = 0;
    bool all = true;
    for (unsigned i = 0; i < N; i++) {
        char name[16];
        snprintf(name, sizeof(name), "fig%u", i);
        add_domain(200 + i, name);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        all &= attach(200 + i, name, &c) == 0;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        call_dispose(&c);
        ms += (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    }
    ok(all, "%d guests attached", N);
    printf("# attach time (fake worker, from request to reply): %.1f ms average\n", ms / N);
    printf("# vgtd memory per attached guest: %ld KiB resident, %zu bytes of heap\n",
           (rss_kib() - rss0) / N, (mallinfo2().uordblks - heap0) / N);
    for (unsigned i = 0; i < N; i++)
        destroy_domain(200 + i);
    ok(run_until(no_guests, NULL, WAIT_MS), "figure guests gone");
}

/* The front's client library (what xl-vgt and its device-model hook use). */
struct lib_session {
    int attach, list, sw, shot, detach;
    struct vgt_guest attached;
    int list_n, list_domid, previous;
    unsigned shot_w;
    char list_state[16];
    atomic_int done;
};

static void *lib_session_thread(void *p)
{
    struct lib_session *x = p;
    struct vgt_client cl;
    vgt_client_init(&cl);
    if (vgt_client_connect(&cl, sock_path) == 0) {
        const struct vgt_type *t = vgt_type_lookup("V5_4");
        struct vgt_attach a = { .domid = 60, .name = "libvm", .type = "V5_4", .req = t->req,
                                .vcpus = 2, .memory_mb = 2048, .primary = -1 };
        x->attach = vgt_client_attach(&cl, &a, &x->attached);
        struct vgt_guest_list l;
        vgt_guest_list_init(&l);
        x->list = vgt_client_list(&cl, &l);
        x->list_n = l.n;
        const struct vgt_guest *g = vgt_guest_list_find(&l, "libvm");
        x->list_domid = g ? g->domid : -1;
        snprintf(x->list_state, sizeof(x->list_state), "%s", g ? g->state : "");
        vgt_guest_list_dispose(&l);
        x->sw = vgt_client_switch(&cl, 60, true, &x->previous);
        struct vgt_screenshot shot;
        vgt_screenshot_init(&shot);
        x->shot = vgt_client_screenshot(&cl, 60, &shot);
        x->shot_w = shot.width;
        vgt_screenshot_dispose(&shot);
        x->detach = vgt_client_detach(&cl, 60);
    }
    vgt_client_dispose(&cl);
    atomic_store(&x->done, 1);
    return NULL;
}

static bool session_done(void *p) { return atomic_load(&((struct lib_session *)p)->done); }

static void test_client_library(void)
{
    struct lib_session x = { 0 };
    add_domain(60, "libvm");
    pthread_t t;
    pthread_create(&t, NULL, lib_session_thread, &x);
    run_until(session_done, &x, WAIT_MS);
    pthread_join(t, NULL);
    is_int(x.attach, 0, "client library: attach");
    is_int(x.attached.domid, 60, "client library: the attach reply parses");
    ok(x.attached.part.vgt_id >= 1 && x.attached.part.low_size == 128 * VGT_MB,
       "client library: partition %u, low %llu", x.attached.part.vgt_id,
       (unsigned long long)x.attached.part.low_size);
    is_int(x.list, 0, "client library: list");
    is_int(x.list_domid, 60, "client library: finds the guest by name");
    is_str(x.list_state, "running", "client library: state");
    is_int(x.sw, 0, "client library: switch");
    is_int(x.shot, 0, "client library: screenshot");
    is_int(x.shot_w, 4, "client library: screenshot width");
    is_int(x.detach, 0, "client library: detach");
    ok(d.guests == NULL, "detached");
    is_int(d.display_owner, 0, "the detached owner gave the display back to dom0");
    destroy_domain(60);
    run_ms(50);
}

static void raw(struct call *c, const void *data, size_t len)
{
    memset(c, 0, sizeof(*c));
    c->data = data;
    c->len = len;
    run_call(c);
}

static void test_bad_messages(void)
{
    struct call c;
    uint8_t hdr[8];
    struct vgt_proto_hdr h = { 2, 0, 2 };
    vgt_proto_hdr_encode(hdr, &h);
    uint8_t v2[10];
    memcpy(v2, hdr, 8);
    memcpy(v2 + 8, "{}", 2);
    raw(&c, v2, sizeof(v2));
    is_int(c.status, -EPROTO, "wrong version: EPROTO");
    is_int(c.version, 1, "the error is framed in version 1");
    is_int(jint(c.reply, "server_version"), 1, "version error names the server's version");
    call_dispose(&c);

    h = (struct vgt_proto_hdr){ 1, 0, VGT_PROTO_MAX_REQUEST + 1 };
    vgt_proto_hdr_encode(hdr, &h);
    raw(&c, hdr, 8);
    is_int(c.status, -EMSGSIZE, "oversized frame refused");
    call_dispose(&c);

    uint8_t *f = NULL;
    size_t len;
    vgt_proto_frame("{\"cmd\":", 7, 0, VGT_PROTO_MAX_REQUEST, &f, &len);
    raw(&c, f, len);
    is_int(c.status, -EBADMSG, "bad JSON: EBADMSG");
    call_dispose(&c);
    free(f);
    vgt_proto_frame("[1,2]", 5, 0, VGT_PROTO_MAX_REQUEST, &f, &len);
    raw(&c, f, len);
    is_int(c.status, -EBADMSG, "not an object: EBADMSG");
    call_dispose(&c);
    free(f);

    is_int(req(&c, "{\"cmd\":\"frobnicate\"}"), -EOPNOTSUPP, "unknown command");
    call_dispose(&c);
    is_int(req(&c, "{\"nocmd\":1}"), -EINVAL, "no cmd");
    call_dispose(&c);
    is_int(req(&c, "{\"cmd\":\"detach\",\"domid\":-4}"), -EINVAL, "negative domid");
    call_dispose(&c);

    /* truncated: half a header, half a body, then hang up */
    vgt_proto_frame("{\"cmd\":\"hello\"}", 15, 0, VGT_PROTO_MAX_REQUEST, &f, &len);
    for (size_t cut = 1; cut < len; cut += 5) {
        memset(&c, 0, sizeof(c));
        c.data = f;
        c.len = cut;
        c.no_reply = true;
        run_call(&c);
        call_dispose(&c);
    }
    /* two requests in one write: both answered, in order */
    uint8_t two[256];
    memcpy(two, f, len);
    memcpy(two + len, f, len);
    raw(&c, two, 2 * len);
    is_int(c.status, 0, "pipelined requests");
    call_dispose(&c);
    free(f);
    run_ms(50);
    is_int(req(&c, "{\"cmd\":\"hello\"}"), 0, "vgtd survives truncated frames");
    call_dispose(&c);
    ok(run_until(no_conns, NULL, WAIT_MS), "closed connections are freed");
    if (d.conns)
        system("ls -l /proc/$PPID/fd >&2");

    if (geteuid() == 0) {
        memset(&c, 0, sizeof(c));
        vgt_proto_frame("{\"cmd\":\"hello\"}", 15, 0, VGT_PROTO_MAX_REQUEST, &f, &len);
        c.data = f;
        c.len = len;
        c.as_uid = 65534;
        chmod(tmp, 0755);   /* past the file modes: SO_PEERCRED decides */
        chmod(sock_path, 0666);
        run_call(&c);
        is_int(c.status, -EPERM, "SO_PEERCRED: another user is refused");
        call_dispose(&c);
        free(f);
    } else {
        ok(1, "# SKIP SO_PEERCRED refusal needs root");
    }
}

static void test_ready_failures(void)
{
    struct call c;
    add_domain(30, "crashy");
    setenv("FAKE_WORKER_MODE", "crash", 1);
    is_int(attach(30, "crashy", &c), -EIO, "worker that dies at start: attach fails");
    ok(strstr(c.msg, "status 3") != NULL, "message says why: %s", c.msg);
    call_dispose(&c);
    setenv("FAKE_WORKER_MODE", "never-ready", 1);
    is_int(attach(30, "crashy", &c), -EIO, "worker never ready: attach fails");
    ok(strstr(c.msg, "not ready") != NULL, "message: %s", c.msg);
    call_dispose(&c);
    setenv("FAKE_WORKER_MODE", "hostile", 1);
    is_int(attach(30, "crashy", &c), 0, "a worker that sends junk first still attaches");
    call_dispose(&c);
    is_int(req(&c, "{\"cmd\":\"list\"}"), 0, "list after the junk");
    is_str(jstr(c.reply, "guests.0.state"), "running", "the guest runs");
    call_dispose(&c);
    is_int(req(&c, "{\"cmd\":\"detach\",\"domid\":30}"), 0, "detach");
    call_dispose(&c);
    unsetenv("FAKE_WORKER_MODE");
    is_int(free_low(), total_low, "failed starts leak nothing");
    ok(d.guests == NULL, "no guest left");
    destroy_domain(30);
    run_ms(100);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    sigset_t ss;
    sigemptyset(&ss);
    sigaddset(&ss, SIGCHLD);
    sigprocmask(SIG_BLOCK, &ss, NULL);
        char prof[512];
    snprintf(prof, sizeof(prof), "%s/libxl-vgt/profiles", srcdir());
    setenv("VGT_PROFILE_DIR", prof, 1);
    if (!realpath("tests/unit/test-manager-worker", worker_path)) {
        printf("Bail out! fake worker not built\n");
        return 1;
    }
    snprintf(tmp, sizeof(tmp), "/tmp/vgtd-test.XXXXXX");
    if (!mkdtemp(tmp))
        return 1;
    snprintf(sock_path, sizeof(sock_path), "%s/vgtd.sock", tmp);
    snprintf(wlog, sizeof(wlog), "%s/workers.log", tmp);
    setenv("FAKE_WORKER_LOG", wlog, 1);
    vgtd_log_init(false, getenv("VGTD_DEBUG") ? 7 : 3);

    struct vgt_xd_params xp = { .domid = 1, .vcpus = 1, .guest_mem = 1 << 20 };
    xd = vgt_xd_new(&xp);
    sd_event_new(&ev);
    xs = open_mxen();
    is_int(start_vgtd(), 0, "vgtd started on the double");
    /* a second vgtd on the same socket refuses to start */
    struct vgtd d2;
    memset(&d2, 0, sizeof(d2));
    vgtd_conf_init(&d2.conf);
    d2.conf.profile = strdup("skl-gt2");
    d2.conf.socket = strdup(sock_path);
    d2.conf.state_dir = strdup(tmp);
    if (asprintf(&d2.conf.drm_sysfs, "%s/no-drm", tmp) < 0)
        d2.conf.drm_sysfs = NULL;
    vgtd_conf_finish(&d2.conf);
    struct vgt_diag diag;
    vgt_diag_init(&diag);
    is_int(vgtd_start(&d2, ev, open_mxen(), &diag), -EADDRINUSE, "a second vgtd refuses to start");
    ok(diag.n == 1 && strstr(diag.msgs[0], "another vgtd is running"), "and says why");
    vgt_diag_dispose(&diag);
    vgtd_conf_dispose(&d2.conf);
    test_basics();
    test_attach();
    test_commands();
    test_worker_crash();
    test_release();
    test_reboot();
    test_restart_recovery();
    test_worker_uids();
    test_ready_failures();
    test_display();
    test_host_monitors();
    test_figures();
    test_client_library();
    test_bad_messages();
    test_cycles();
    stop_vgtd(false);
    run_ms(100);
    xs->ops->close(xs);
    sd_event_unref(ev);
    vgt_xd_free(xd);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
    if (system(cmd) != 0)
        printf("# cannot remove %s\n", tmp);
    return tap_done();
}
