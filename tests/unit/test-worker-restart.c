/* A worker killed after "ready" and its successor on the same guest (Xen double):
 * the successor destroys the dead worker's ioreq server, claims the device and
 * reuses its GGTT frames, so maxmem grows once however often it restarts. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "daemon/worker/worker.h"
#include "daemon/xen/xen-double.h"
#include "tests/tap.h"
#include "tests/unit/test-worker-fake.h"

#define VCPUS 1
#define BACKING_KB (8u << 10)
#define BASE_KB (FAKE_GUEST_MEM / 1024)
#define PARK_GFN 0x540000ull      /* round_up(4 GiB + 256 MiB, 1 GiB) + 16 GiB */

static char record[128];

static char *read_record(void)
{
    static char buf[512];
    FILE *f = fopen(record, "r");
    size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
    if (!f)
        return NULL;
    fclose(f);
    buf[n] = 0;
    return buf;
}

static void write_record(const char *s)
{
    FILE *f = fopen(record, "w");
    if (f) {
        fputs(s, f);
        fclose(f);
    }
}

/* kill -9: the process' handles, mappings and ports go, the domain keeps the
 * server, its device and ranges, maxmem and the populated frames. */
static void crash(struct vgt_worker *w)
{
    char saved[512];
    const char *rec = read_record();
    snprintf(saved, sizeof(saved), "%s", rec ? rec : "");
    w->domain_gone = true;       /* teardown then leaves every Xen object alone */
    vgt_worker_teardown(w);
    write_record(saved);
}

static void expect_served(struct vgt_xd *d, const char *what)
{
    struct vgt_xd_state st;
    vgt_xd_get_state(d, &st);
    ok(st.servers == 1 && st.enabled && vgt_xd_has_pcidev(d, 0, 0, 5, 0),
       "%s: one server, enabled, 00:05.0 claimed", what);
    is_int(st.max_memkb, BASE_KB + BACKING_KB, "%s: maxmem raised once", what);
    is_int(st.extra_pages, 2048, "%s: 8 MiB populated once", what);
}

/* What vgtd's worker_uid_base of 196608 gives domain FAKE_DOMID. */
#define OWN_ID (196608u + FAKE_DOMID)

/* Every capability set of this process is empty ("CapInh:" ... "CapAmb:"). */
static bool no_capabilities(void)
{
    char line[256];
    unsigned long long v;
    unsigned sets = 0;
    bool none = true;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "Cap", 3) == 0 && sscanf(line + 6, ": %llx", &v) == 1) {
            sets++;
            none &= v == 0;
        }
    if (f)
        fclose(f);
    return sets == 5 && none;
}

/* The successor, in a child as root: takes over, drops to OWN_ID, moves BAR0
 * (record rewritten after the drop), then serves its socket until killed.
 * Reports its findings as bits on fd. */
static void successor_child(struct vgt_xd *d, int fd)
{
    struct vgt_worker w;
    struct vgt_xd_state st;
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    int bad = 0;

    fake_user = "196615:196615";
    vgt_xd_trace_clear(d);
    if (fake_start_on(&w, &d, VCPUS, 0) != 0) {
        bad = 1;
        if (write(fd, &bad, sizeof(bad)) < 0) { /* the parent sees EOF */ }
        _exit(1);
    }
    if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 || ru != OWN_ID ||
        eu != OWN_ID || su != OWN_ID || rg != OWN_ID || eg != OWN_ID || sg != OWN_ID ||
        getgroups(0, NULL) != 0)
        bad |= 2;
    const char *t = vgt_xd_trace(d), *des = strstr(t, "destroy;"), *cre = strstr(t, "create;");
    if (!des || !cre || des > cre || strstr(t, "maxmem") || strstr(t, "populate"))
        bad |= 4;
    vgt_xd_get_state(d, &st);
    if (st.servers != 1 || !st.enabled || !vgt_xd_has_pcidev(d, 0, 0, 5, 0) ||
        st.max_memkb != BASE_KB + BACKING_KB || st.extra_pages != 2048)
        bad |= 8;
    if (!no_capabilities() || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1 ||
        prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
        bad |= 16;
    struct vgt_bar b = w.bars[0];
    b.addr = 0xe0000000;
    b.decode = true;
    w.host.bar_changed(&w, 0, NULL, &b);
    if (!vgt_xd_has_range(d, true, 0xe0000000, 0xe07fffff))
        bad |= 32;
    if (write(fd, &bad, sizeof(bad)) < 0)
        _exit(1);
    for (int i = 0; i < 200 && !w.quit; i++)   /* the parent kills us well before */
        vgt_worker_run_once(&w, 50);
    _exit(2);
}

static char *recv_text(int fd, char *buf, size_t n)
{
    struct pollfd p = { fd, POLLIN, 0 };
    ssize_t r = poll(&p, 1, 5000) == 1 ? recv(fd, buf, n - 1, 0) : -1;
    buf[r > 0 ? r : 0] = 0;
    return buf;
}

/* A worker of its own uid takes over a killed worker's server, and a kill -9 of
 * it leaves what the next one needs: a root-owned record and vgtd's socket. */
static void test_takeover_own_uid(void)
{
    struct vgt_worker w;
    struct vgt_xd *d = NULL;
    int pfd[2], bad = -1, status = 0;
    char buf[1024], want[128];
    struct stat st;

    if (getuid() != 0) {
        ok(1, "# SKIP not root: no uid to drop to");
        return;
    }
    is_int(fake_start(&w, &d, VCPUS, 0), 0, "own uid: first worker ready");
    snprintf(record, sizeof(record), "%s/worker-%u.ioreq", fake_sockdir(), FAKE_DOMID);
    crash(&w);
    if (pipe(pfd) < 0)
        return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        successor_child(d, pfd[1]);
    }
    close(pfd[1]);
    struct pollfd p = { pfd[0], POLLIN, 0 };
    if (poll(&p, 1, 10000) != 1 || read(pfd[0], &bad, sizeof(bad)) != sizeof(bad))
        bad = -1;
    close(pfd[0]);
    is_int(bad & 1, 0, "own uid: the successor starts as root and gets ready (%d)", bad);
    is_int(bad & 2, 0, "own uid: it runs as uid = gid = %u, no groups", OWN_ID);
    is_int(bad & 4, 0, "own uid: stale server destroyed before its own, frames adopted");
    is_int(bad & 8, 0, "own uid: one server, enabled, device claimed, maxmem raised once");
    is_int(bad & 16, 0, "own uid: no capability in any set, NO_NEW_PRIVS, not dumpable");
    is_int(bad & 32, 0, "own uid: BAR move after the drop maps the range");

    /* vgtd (root) reaches the socket the worker bound as root before the drop */
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/worker.sock", fake_sockdir());
    ok(bad == 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "own uid: vgtd connects");
    ok(strstr(recv_text(fd, buf, sizeof(buf)), "\"ready\"") != NULL, "own uid: told ready: %s", buf);
    static const char req[] = "{\"op\":\"status\"}";
    ok(send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) == (ssize_t)sizeof(req) - 1 &&
       strstr(recv_text(fd, buf, sizeof(buf)), "\"ok\":true") != NULL,
       "own uid: status answered after the drop");
    close(fd);

    /* kill -9 of a worker of another uid: root may (vgtd's CAP_KILL) */
    ok(kill(pid, SIGKILL) == 0, "own uid: root kills it");
    waitpid(pid, &status, 0);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "own uid: it died of SIGKILL");
    const char *rec = read_record();
    snprintf(want, sizeof(want), "backing 0 1 2048 %#llx 0xe0800\n", PARK_GFN);
    ok(rec && strncmp(rec, "server ", 7) == 0 && strstr(rec, want),
       "own uid: the record written after the drop names its server and the moved frames");
    /* (its mode is crash()'s fopen here; the worker creates it 0600) */
    ok(stat(record, &st) == 0 && st.st_uid == 0 && !(st.st_mode & 022),
       "own uid: the record stays root's, writable by root only (a successor trusts it)");
    fake_user = NULL;
    fake_stop(&w, d);
}

int main(void)
{
    struct vgt_worker w;
    struct vgt_xd *d = NULL;
    const char *rec;
    char want[128];
    int r;

    r = fake_start(&w, &d, VCPUS, 0);
    is_int(r, 0, "first worker ready");
    snprintf(record, sizeof(record), "%s/worker-%u.ioreq", fake_sockdir(), FAKE_DOMID);
    rec = read_record();
    snprintf(want, sizeof(want), "server 1\nbacking 0 1 2048 %#llx %#llx\n", PARK_GFN, PARK_GFN);
    is_str(rec ? rec : "(none)", want, "record: server id and parked frames");
    struct stat rst;
    ok(stat(record, &rst) == 0 && rst.st_uid == getuid() && (rst.st_mode & 0777) == 0600,
       "record: the starting user's, mode 0600");

    /* the guest places BAR0: the frames move, the record follows */
    struct vgt_bar b = w.bars[0];
    b.addr = 0xe0000000;
    b.decode = true;
    w.host.bar_changed(&w, 0, NULL, &b);
    rec = read_record();
    snprintf(want, sizeof(want), "server 1\nbacking 0 1 2048 %#llx 0xe0800\n", PARK_GFN);
    is_str(rec ? rec : "(none)", want, "record follows the BAR move");

    crash(&w);
    ok(vgt_xd_has_range(d, true, 0xe0000000, 0xe07fffff), "crashed: its range still mapped");
    expect_served(d, "after the crash");

    for (int i = 0; i < 3; i++) {
        char what[32];
        snprintf(what, sizeof(what), "restart %d", i + 1);
        vgt_xd_trace_clear(d);
        r = fake_start_on(&w, &d, VCPUS, 0);
        is_int(r, 0, "%s: successor ready", what);
        const char *t = vgt_xd_trace(d);
        const char *des = strstr(t, "destroy;"), *cre = strstr(t, "create;");
        ok(des && cre && des < cre, "%s: stale server destroyed before ours is created", what);
        ok(!strstr(t, "maxmem") && !strstr(t, "populate"), "%s: no maxmem raise, no populate (%s)",
           what, t);
        if (i == 0)
            ok(strstr(t, "relocate:0xe0800->0x540000;") != NULL, "moved frames back to the parking place");
        ok(!vgt_xd_has_range(d, true, 0xe0000000, 0xe07fffff), "%s: dead worker's range gone", what);
        ok(fake_last && fake_last->backing && fake_last->backing_len == 8u << 20,
           "%s: frames handed to the new mediator", what);
        expect_served(d, what);
        crash(&w);
    }

    /* an orderly end after restrict: no server any more, the frames stay recorded */
    r = fake_start_on(&w, &d, VCPUS, 0);
    is_int(r, 0, "started once more");
    vgt_worker_teardown(&w);
    rec = read_record();
    snprintf(want, sizeof(want), "backing 0 1 2048 %#llx %#llx\n", PARK_GFN, PARK_GFN);
    is_str(rec ? rec : "(none)", want, "orderly end: only the frames stay recorded");
    vgt_xd_trace_clear(d);
    r = fake_start_on(&w, &d, VCPUS, 0);
    is_int(r, 0, "and a new worker after it");
    ok(!strstr(vgt_xd_trace(d), "destroy") && !strstr(vgt_xd_trace(d), "maxmem"),
       "nothing to destroy, frames reused (%s)", vgt_xd_trace(d));
    expect_served(d, "after an orderly restart");

    /* the domain goes: the record goes with it */
    vgt_xd_kill(d);
    w.domain_gone = true;
    vgt_worker_teardown(&w);
    ok(access(record, F_OK) != 0, "domain gone: record removed");
    fake_stop(&w, d);

    /* a record that is not this domain's (no such frames): ignored, server kept */
    d = NULL;
    r = fake_prepare_sockdir();
    snprintf(record, sizeof(record), "%s/worker-%u.ioreq", fake_sockdir(), FAKE_DOMID);
    snprintf(want, sizeof(want), "server 1\nbacking 0 1 2048 %#llx %#llx\n", PARK_GFN, PARK_GFN);
    write_record(want);
    r = fake_start_on(&w, &d, VCPUS, 0);
    is_int(r, 0, "start with a foreign record");
    ok(!strstr(vgt_xd_trace(d), "destroy"), "foreign record: nothing destroyed");
    expect_served(d, "foreign record");
    fake_stop(&w, d);

    /* start-up fails before restrict: the adopted frames are released */
    d = NULL;
    r = fake_start(&w, &d, VCPUS, 0);
    snprintf(record, sizeof(record), "%s/worker-%u.ioreq", fake_sockdir(), FAKE_DOMID);
    crash(&w);
    r = fake_start_on(&w, &d, VCPUS, VGT_STAGE_PCIDEV);
    is_int(r, -EIO, "successor fails at pcidev");
    struct vgt_xd_state st;
    vgt_xd_get_state(d, &st);
    ok(st.servers == 0 && st.extra_pages == 0 && st.max_memkb == BASE_KB,
       "failed successor: stale server gone, frames and maxmem released");
    ok(access(record, F_OK) != 0, "nothing left to record");
    fake_stop(&w, d);

    test_takeover_own_uid();
    return tap_done();
}
