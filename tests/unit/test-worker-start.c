/* vgt-worker start-up and teardown on the Xen double: every stage, every failure. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "daemon/worker/worker.h"
#include "vgt/cleanup.h"
#include "daemon/xen/xen-double.h"
#include "tests/tap.h"
#include "tests/unit/test-worker-fake.h"

#define VCPUS 2
#define BACKING_KB (8u << 10)
#define BASE_KB (FAKE_GUEST_MEM / 1024)

/* What each stage does to Xen, and what undoing it does (trace of the double). */
static const char *forward[VGT_STAGE_MAX] = {
    [VGT_STAGE_HANDLES] = "open;",
    [VGT_STAGE_SERVER] = "create:1;",
    [VGT_STAGE_PAGES] = "map_pages:1;",
    [VGT_STAGE_BACKING] = "maxmem:270336;populate:2048;",
    [VGT_STAGE_PCIDEV] = "map_pcidev;",
    [VGT_STAGE_ENABLED] = "enable:1;",
    [VGT_STAGE_PORTS] = "bind:100;bind:101;bind:99;",
    [VGT_STAGE_RESTRICTED] = "restrict;",
};
static const char *backward[VGT_STAGE_MAX] = {
    [VGT_STAGE_HANDLES] = "close;",
    [VGT_STAGE_SERVER] = "destroy:1;",
    [VGT_STAGE_PAGES] = "unmap_pages;",
    [VGT_STAGE_BACKING] = "decrease:2048;maxmem:262144;",
    [VGT_STAGE_PCIDEV] = "unmap_pcidev;",
    [VGT_STAGE_ENABLED] = "disable:1;",
    [VGT_STAGE_PORTS] = "unbind:99;unbind:100;unbind:101;",
};

static void expect_clean(struct vgt_xd *d, bool restricted, const char *what)
{
    struct vgt_xd_state st;
    vgt_xd_get_state(d, &st);
    ok(st.handles == 0 && st.servers == 0 && !st.enabled && st.pcidevs == 0 &&
           st.io_ranges == 0 && st.resource_maps == 0 && st.bound_ports == 0 &&
           st.guest_mapped_pages == 0,
       "%s: nothing held (handles %u servers %u pcidevs %u ranges %u maps %u ports %u mapped %llu)",
       what, st.handles, st.servers, st.pcidevs, st.io_ranges, st.resource_maps, st.bound_ports,
       (unsigned long long)st.guest_mapped_pages);
    if (!restricted) {
        is_int(st.extra_pages, 0, "%s: populated frames released", what);
        is_int(st.max_memkb, BASE_KB, "%s: maxmem back to the guest's", what);
    } else {
        /* after restrict libxenctrl is gone: the frames go with the domain */
        is_int(st.extra_pages, 2048, "%s: populated frames left to the domain", what);
    }
}

static void test_full_start(void)
{
    struct vgt_worker w;
    struct vgt_xd *d;
    struct vgt_xd_state st;
    char want[1024] = "";
    int dumpable_before = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    int r = fake_start(&w, &d, VCPUS, 0);

    is_int(r, 0, "start-up succeeds");
    ok(dumpable_before == 1 && prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0,
       "privdrop without --user: not dumpable any more (was %d)", dumpable_before);
    is_int(w.stage, VGT_STAGE_READY, "all stages reached");
    for (int s = 1; s < VGT_STAGE_MAX; s++)
        if (forward[s])
            strcat(want, forward[s]);
    is_str(vgt_xd_trace(d), want, "Xen calls in stage order");
    vgt_xd_get_state(d, &st);
    ok(st.servers == 1 && st.enabled && st.resource_maps == 1, "server created, enabled, pages mapped");
    ok(vgt_xd_has_pcidev(d, 0, 0, 5, 0), "00:05.0 claimed");
    is_int(st.bound_ports, VCPUS + 1, "one port per vCPU + the buffered port");
    ok(st.restricted, "restricted to the domain");
    is_int(st.max_memkb, BASE_KB + BACKING_KB, "maxmem raised by exactly the memory region");
    is_int(st.extra_pages, 2048, "8 MiB populated");
    is_int(st.guest_mapped_pages, 2048, "and mapped into the worker");
    ok(fake_last && fake_last->backing && fake_last->backing_len == 8u << 20,
       "backing handed to the mediator");
    ok(w.ready, "ready");
    ok(w.listen_fd >= 0 && w.epfd >= 0 && w.sigfd >= 0, "loop and socket set up");

    vgt_xd_trace_clear(d);
    vgt_worker_teardown(&w);
    is_int(w.stage, VGT_STAGE_NONE, "teardown undoes every stage");
    is_str(vgt_xd_trace(d), "unbind:99;unbind:100;unbind:101;disable:1;unmap_pcidev;unmap_pages;destroy:1;close;",
           "teardown calls in reverse order");
    expect_clean(d, true, "after normal end");
    vgt_worker_teardown(&w);
    is_int(w.stage, VGT_STAGE_NONE, "teardown is idempotent");
    fake_stop(&w, d);
}

/* Fail at each stage: exactly the stages before it are undone. */
static void test_fail_each_stage(void)
{
    for (int s = VGT_STAGE_HANDLES; s < VGT_STAGE_MAX; s++) {
        struct vgt_worker w;
        struct vgt_xd *d;
        char want[1024] = "";
        int r = fake_start(&w, &d, VCPUS, s);

        is_int(r, -EIO, "stage %s fails", vgt_worker_stage_name(s));
        for (int k = 1; k < s; k++)
            if (forward[k])
                strcat(want, forward[k]);
        for (int k = s - 1; k >= 1; k--) {
            if (k == VGT_STAGE_BACKING && s > VGT_STAGE_RESTRICTED)
                continue;   /* restricted: the frames stay with the domain */
            if (backward[k])
                strcat(want, backward[k]);
        }
        is_str(vgt_xd_trace(d), want, "stage %s: exactly the reached stages undone",
               vgt_worker_stage_name(s));
        expect_clean(d, s > VGT_STAGE_RESTRICTED, vgt_worker_stage_name(s));
        ok(fake_last == NULL, "stage %s: mediator instance destroyed", vgt_worker_stage_name(s));
        fake_stop(&w, d);
    }
}

/* Failures inside a stage (Xen refusing), including half-done stages. */
static void test_xen_failures(void)
{
    static const struct { enum vgt_xd_op op; unsigned after; const char *what; } cases[] = {
        { VGT_XD_OPEN, 0, "open" },
        { VGT_XD_DOMAIN_INFO, 0, "domain info" },
        { VGT_XD_CREATE_SERVER, 0, "create server" },
        { VGT_XD_MAP_PAGES, 0, "map resource" },
        { VGT_XD_SET_MAXMEM, 0, "setmaxmem" },
        { VGT_XD_POPULATE, 0, "populate" },
        { VGT_XD_MAP_GUEST, 0, "map backing" },
        { VGT_XD_MAP_PCIDEV, 0, "map pcidev" },
        { VGT_XD_SET_STATE, 0, "enable" },
        { VGT_XD_BIND, 1, "bind second vCPU" },
        { VGT_XD_BIND, 2, "bind buffered port" },
        { VGT_XD_GET_BUFPORT, 0, "buffered port info" },
        { VGT_XD_RESTRICT, 0, "restrict" },
    };
    for (unsigned i = 0; i < VGT_ARRAY_SIZE(cases); i++) {
        struct vgt_worker w;
        struct vgt_xd *d;
        struct vgt_xd_params xp = { .domid = FAKE_DOMID, .vcpus = VCPUS, .guest_mem = FAKE_GUEST_MEM };
        struct vgt_worker_config cfg;
        char sock[128];
        int r;

        /* the socket's folder also holds the restart record: a private one */
        fake_prepare_sockdir();
        snprintf(sock, sizeof(sock), "%s/xenfail.sock", fake_sockdir());
        d = vgt_xd_new(&xp);
        vgt_xd_fail(d, cases[i].op, -EACCES, cases[i].after);
        cfg = (struct vgt_worker_config){
            .domid = FAKE_DOMID, .vcpus = VCPUS, .dev = 5, .guest_mem = FAKE_GUEST_MEM,
            .xen = &vgt_xen_double_ops, .xen_arg = d, .med = &fake_mediator_ops, .quiet = true,
            .socket_path = sock,
        };
        r = vgt_worker_start(&w, &cfg);
        is_int(r, -EACCES, "Xen refuses %s: start-up fails with its error", cases[i].what);
        expect_clean(d, cases[i].op == VGT_XD_OP_MAX, cases[i].what);
        ok(fake_last == NULL, "%s: no mediator instance left", cases[i].what);
        fake_stop(&w, d);
    }
    {
        /* an event channel port beyond any real one: refused before the table grows */
        struct vgt_worker w;
        struct vgt_xd *d = vgt_xd_new(&(struct vgt_xd_params){ .domid = FAKE_DOMID, .vcpus = VCPUS,
                                          .guest_mem = FAKE_GUEST_MEM, .first_port = (1u << 20) + 1 });
        is_int(fake_start_on(&w, &d, VCPUS, 0), -ERANGE, "absurd local port refused");
        ok(w.port_vcpu == NULL && w.port_vcpu_len == 0, "no port table allocated");
        expect_clean(d, false, "absurd port");
        fake_stop(&w, d);
    }
    {
        struct vgt_worker w;
        struct vgt_xd *d;
        fake_create_error = -ENOMEM;
        is_int(fake_start(&w, &d, VCPUS, 0), -ENOMEM, "mediator create fails");
        is_str(vgt_xd_trace(d), "open;close;", "only the handles were opened and closed");
        fake_create_error = 0;
        fake_stop(&w, d);
    }
    {
        struct vgt_worker w;
        struct vgt_xd *d;
        struct vgt_xd_params xp = { .domid = FAKE_DOMID, .vcpus = VCPUS, .guest_mem = FAKE_GUEST_MEM };
        struct vgt_worker_config cfg = {
            .domid = FAKE_DOMID + 1, .vcpus = VCPUS, .dev = 5, .guest_mem = FAKE_GUEST_MEM,
            .xen = &vgt_xen_double_ops, .med = &fake_mediator_ops, .quiet = true,
            .socket_path = "/tmp/vgt-worker-test-xenfail.sock",
        };
        char longpath[256];
        cfg.xen_arg = d = vgt_xd_new(&xp);
        is_int(vgt_worker_start(&w, &cfg), -ESRCH, "unknown domain refused");
        expect_clean(d, false, "unknown domain");
        vgt_xd_free(d);
        cfg.xen_arg = d = vgt_xd_new(&xp);
        cfg.domid = FAKE_DOMID;
        /* too long for sun_path, in a folder that exists (the restart record fits) */
        fake_prepare_sockdir();
        snprintf(longpath, sizeof(longpath), "%s/%0150d.sock", fake_sockdir(), 0);
        cfg.socket_path = longpath;
        vgt_xd_trace_clear(d);
        is_int(vgt_worker_start(&w, &cfg) < 0, 1, "unusable socket path refused");
        ok(strstr(vgt_xd_trace(d), "restrict") == NULL && strstr(vgt_xd_trace(d), "bind:"),
           "refused at the socket stage");
        expect_clean(d, false, "socket path");
        fake_stop(&w, d);
    }
}

/* The guest is destroyed under a running worker: it notices and ends cleanly. */
static void test_domain_gone(void)
{
    struct vgt_worker w;
    struct vgt_xd *d;
    struct vgt_xd_state st;

    fake_watchdog_ms = 10;
    is_int(fake_start(&w, &d, VCPUS, 0), 0, "worker started");
    vgt_worker_run_once(&w, 30);
    ok(!w.quit, "domain alive: the loop goes on");
    vgt_xd_kill(d);
    for (int i = 0; i < 100 && !w.quit; i++)
        vgt_worker_run_once(&w, 50);
    ok(w.quit && w.domain_gone, "domain destroyed: the worker ends");
    vgt_xd_trace_clear(d);
    vgt_worker_teardown(&w);
    is_str(vgt_xd_trace(d), "unbind:99;unbind:100;unbind:101;unmap_pages;close;",
           "teardown leaves the server alone (it went with the domain)");
    vgt_xd_get_state(d, &st);
    ok(st.handles == 0 && st.resource_maps == 0 && st.bound_ports == 0 && st.guest_mapped_pages == 0,
       "local resources released");
    fake_watchdog_ms = 0;
    fake_stop(&w, d);
}

/* --monitor-config: the ports are connected before the guest runs. */
static void test_monitor_config(void)
{
    struct vgt_worker w;
    struct vgt_xd *d;
    struct vgt_monitor_config mc = { .n = 1 };

    mc.items[0] = (struct vgt_monitor_item){ .port = VGT_PORT_D, .type = VGT_PORT_HDMI_D,
                                             .override = VGT_PORT_B };
    mc.items[0].edid[0] = 0x00;
    mc.items[0].edid[1] = 0xff;
    fake_monitor = &mc;
    is_int(fake_start(&w, &d, VCPUS, 0), 0, "worker with a monitor config started");
    ok(fake_last && fake_last->display.ports[VGT_PORT_D].connected &&
           fake_last->display.ports[VGT_PORT_D].type == VGT_PORT_HDMI_D &&
           fake_last->display.ports[VGT_PORT_D].override == VGT_PORT_B &&
           fake_last->display.ports[VGT_PORT_D].edid[1] == 0xff,
       "PORT_D connected as HDMI_D for PORT_B before the guest runs");
    fake_stop(&w, d);
    mc.items[0].port = VGT_PORT_MAX;   /* the mediator refuses it */
    is_int(fake_start(&w, &d, VCPUS, 0), -ENXIO, "a refused monitor port fails the start");
    ok(fake_last == NULL, "the half-set-up mediator instance is destroyed");
    is_str(vgt_xd_trace(d), "open;close;", "nothing else was done");
    fake_monitor = NULL;
    fake_stop(&w, d);
}

/* As root: the worker ends up as --user, with no capability and no way back. */
static void test_privdrop(void)
{
    struct vgt_worker dummy;
    pid_t pid;
    int status = -1;

    if (getuid() != 0) {
        ok(1, "# SKIP not root: privilege drop not testable");
        return;
    }
    fake_prepare_sockdir();
    pid = fork();
    if (pid == 0) {
        struct vgt_worker w;
        struct vgt_xd *d;
        FILE *f;
        char line[256];
        unsigned long long capeff = ~0ull;
        int bad = 0;
        fake_user = "nobody";
        if (fake_start(&w, &d, 1, 0) != 0)
            _exit(10);
        if (getuid() != 65534 || geteuid() != 65534 || getgid() != 65534)
            bad |= 1;
        if (setuid(0) == 0 || setgid(0) == 0)
            bad |= 2;
        if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
            bad |= 4;
        if ((f = fopen("/proc/self/status", "r"))) {
            while (fgets(line, sizeof(line), f))
                sscanf(line, "CapEff: %llx", &capeff);
            fclose(f);
        }
        if (capeff != 0)
            bad |= 8;
        if (getgroups(0, NULL) != 0)
            bad |= 16;
        vgt_worker_teardown(&w);
        vgt_xd_free(d);
        _exit(bad);
    }
    waitpid(pid, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
       "--user nobody: uid/gid 65534, no groups, no capabilities, NO_NEW_PRIVS (status %d)",
       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    memset(&dummy, 0, sizeof(dummy));
    fake_stop(&dummy, NULL);
}

/* --user values that must never run a worker: refused at privdrop, before any
 * id changes (runs as any user: the checks come first). */
static void test_bad_users(void)
{
    static const struct { const char *user; int err; const char *why; } bad[] = {
        { "root", -EPERM, "root" },
        { "0:0", -EINVAL, "uid:gid 0" },
        { "196615:0", -EINVAL, "gid 0" },
        { "196615:", -EINVAL, "no gid" },
        { "-1:5", -EINVAL, "negative" },
        { "4294967295:5", -EINVAL, "(uid_t)-1" },
        { "no-such-user-xyz", -ESRCH, "unknown user" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct vgt_worker w;
        struct vgt_xd *d;
        uid_t u0 = getuid();
        fake_user = bad[i].user;
        is_int(fake_start(&w, &d, 1, 0), bad[i].err, "--user %s (%s) refused", bad[i].user,
               bad[i].why);
        ok(getuid() == u0 && geteuid() == u0, "--user %s: ids unchanged", bad[i].user);
        fake_stop(&w, d);
    }
    fake_user = NULL;
}

int main(void)
{
    test_full_start();
    test_fail_each_stage();
    test_xen_failures();
    test_domain_gone();
    test_monitor_config();
    test_privdrop();
    test_bad_users();
    return tap_done();
}
