/* The Xen test double behaves like the parts of Xen the daemon relies on. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/xen/xen-double.h"
#include "tests/tap.h"

static const struct vgt_xen_ops *X = &vgt_xen_double_ops;

static bool readable(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    return poll(&p, 1, 0) == 1;
}

static void test_evtchn(struct vgt_xd *d, struct vgt_xen *x)
{
    uint16_t id;
    uint32_t l0, l1, pp[8];
    void *pages;
    struct vgt_xen_mapping *m;

    is_int(X->create_ioreq_server(x, 3, VGT_XEN_BUFIOREQ_ATOMIC, &id), 0, "server created");
    is_int(X->map_ioreq_pages(x, 3, id, 0, 2, &pages, &m), 0, "resource mapped");
    is_int(vgt_xd_slot(d, 0)->vp_eport, 0, "vp_eport is 0 before enable");
    is_int(X->evtchn_bind(x, 3, 100, &l0), -EINVAL, "binding before enable fails");
    is_int(X->set_server_state(x, 3, id, true), 0, "enabled");
    is_int(vgt_xd_slot(d, 1)->vp_eport, 101, "vp_eport filled at enable");
    is_int(X->evtchn_bind(x, 3, 100, &l0), 0, "bind vCPU0");
    is_int(X->evtchn_bind(x, 3, 101, &l1), 0, "bind vCPU1");
    ok(!readable(X->evtchn_fd(x)), "fd quiet");
    vgt_xd_kick(d, 1);
    vgt_xd_kick(d, 1);   /* masked now: stays pending */
    ok(readable(X->evtchn_fd(x)), "fd readable after an event");
    is_int(X->evtchn_pending(x, pp, 8), 1, "pending reports one port");
    is_int(pp[0], l1, "the vCPU's port");
    is_int(X->evtchn_pending(x, pp, 8), -EAGAIN, "once while masked");
    ok(!readable(X->evtchn_fd(x)), "fd quiet when drained");
    is_int(X->evtchn_unmask(x, l1), 0, "unmask");
    is_int(X->evtchn_pending(x, pp, 8), 1, "the event raised while masked is delivered");
    is_int(pp[0], l1, "on its port");
    X->evtchn_unmask(x, l1);
    is_int(X->evtchn_pending(x, pp, 8), -EAGAIN, "and only once");
    vgt_xd_kick(d, 0);
    vgt_xd_kick(d, 1);
    is_int(X->evtchn_pending(x, pp, 1), 1, "max 1: one port of two");
    is_int(pp[0], l0, "the first raised");
    is_int(X->evtchn_pending(x, pp, 8), 1, "then the other");
    is_int(pp[0], l1, "the second raised");
    X->evtchn_unmask(x, l0);
    X->evtchn_unmask(x, l1);
    vgt_xd_kick(d, 1);
    vgt_xd_kick(d, 0);
    is_int(X->evtchn_pending(x, pp, 8), 2, "both ports in one call");
    ok(pp[0] == l1 && pp[1] == l0, "in the order raised");
    X->evtchn_unmask(x, l0);
    X->evtchn_unmask(x, l1);
    X->evtchn_notify(x, l0);
    is_int(vgt_xd_notified(d, 0), 1, "notify counted on the vCPU's port");
    is_int(X->evtchn_unbind(x, l0), 0, "unbind");
    is_int(X->evtchn_unbind(x, l0), -EINVAL, "unbind twice fails");
    X->evtchn_unbind(x, l1);
    X->unmap_ioreq_pages(x, m);
    is_int(X->destroy_ioreq_server(x, 3, id), 0, "destroyed");
}

static void test_memory(struct vgt_xd *d, struct vgt_xen *x)
{
    uint64_t gfns[2] = { 0x10, 0x11 }, far[2] = { 0x100000, 0x100001 }, bad = 0x7000000;
    struct vgt_xd_state st;
    struct vgt_xen_dominfo di;
    void *a;

    is_int(X->map_guest(x, 3, true, gfns, 2, &a), 0, "map two RAM frames");
    memcpy((char *)a + 4096, "hello", 6);
    is_str((char *)vgt_xd_gfn(d, 0x11), "hello", "the mapping aliases guest RAM");
    X->unmap_guest(x, a, 2);
    is_int(X->map_guest(x, 3, true, &bad, 1, &a), -EFAULT, "no RAM there: -EFAULT");
    is_int(X->map_guest(x, 4, true, gfns, 1, &a), -ESRCH, "another domain");
    is_int(X->populate(x, 3, far, 2), -ENOMEM, "populate beyond maxmem refused");
    X->domain_info(x, 3, &di);
    is_int(X->set_maxmem(x, 3, di.max_memkb + 8), 0, "maxmem raised");
    is_int(X->populate(x, 3, far, 2), 0, "populate within maxmem");
    is_int(X->populate(x, 3, far, 1), -EEXIST, "populate twice refused");
    is_int(X->relocate_memory(x, 3, 2, 0x100000, 0x200000), 0, "relocate");
    ok(vgt_xd_gfn(d, 0x200001) && !vgt_xd_gfn(d, 0x100001), "frames moved");
    is_int(X->relocate_memory(x, 3, 1, 0x200000, 0x5), -EEXIST, "relocate over RAM refused");
    far[0] = 0x200000;
    far[1] = 0x200001;
    is_int(X->decrease_reservation(x, 3, far, 2), 0, "released");
    vgt_xd_get_state(d, &st);
    is_int(st.extra_pages, 0, "no extra frames left");
    is_int(X->restrict_all(x, 3), 0, "restrict");
    is_int(X->domain_info(x, 3, &di), -EPERM, "libxenctrl ops refused after restrict");
    is_int(X->populate(x, 3, far, 1), -EPERM, "populate refused after restrict");
    is_int(X->map_guest(x, 4, true, gfns, 1, &a), -EPERM, "other domains refused after restrict");
}

static void test_xenstore(struct vgt_xd *d, struct vgt_xen *x)
{
    char *v, *p, *t, **ents;
    unsigned n;
    uint32_t tx;
    struct vgt_xs_perm perm[2] = { { 0, VGT_XS_NONE }, { 3, VGT_XS_READ } }, got[2];

    is_int(X->xs_watch(x, "/vgt", "tok"), 0, "watch");
    is_int(X->xs_check_watch(x, &p, &t), 0, "a watch fires once when set");
    is_str(p, "/vgt", "its path");
    free(p);
    free(t);
    is_int(X->xs_check_watch(x, &p, &t), -EAGAIN, "drained");
    is_int(X->xs_write(x, 0, "/vgt/3/id", "1", 1), 0, "write");
    is_int(X->xs_read(x, 0, "/vgt/3/id", &v, NULL), 0, "read");
    is_str(v, "1", "value");
    free(v);
    ok(readable(X->xs_fileno(x)), "watch fd readable");
    is_int(X->xs_check_watch(x, &p, &t), 0, "the write fired the watch");
    is_str(p, "/vgt/3/id", "with the changed path");
    free(p);
    free(t);
    X->xs_write(x, 0, "/vgt/3/port", "B", 1);
    is_int(X->xs_directory(x, 0, "/vgt/3", &ents, &n), 0, "directory");
    ok(n == 2 && (!strcmp(ents[0], "id") || !strcmp(ents[1], "id")), "two children");
    free(ents);
    is_int(X->xs_set_perms(x, 0, "/vgt/3", perm, 2), 0, "set perms");
    is_int(vgt_xd_xs_perms(d, "/vgt/3", got, 2), 2, "perms stored");
    is_int(got[1].domid, 3, "reader domain");
    is_int(X->xs_transaction_start(x, &tx), 0, "transaction");
    vgt_xd_fail(d, VGT_XD_XS_TXN_END, -EAGAIN, 0);
    is_int(X->xs_transaction_end(x, tx, false), -EAGAIN, "conflict reported as -EAGAIN");
    is_int(X->xs_rm(x, 0, "/vgt/3"), 0, "rm subtree");
    is_int(X->xs_read(x, 0, "/vgt/3/id", &v, NULL), -ENOENT, "gone");
    while (X->xs_check_watch(x, &p, &t) == 0) {
        free(p);
        free(t);
    }
    X->xs_watch(x, "@releaseDomain", "rel");
    X->xs_check_watch(x, &p, &t);
    free(p);
    free(t);
    vgt_xd_xs_fire(d, "@releaseDomain");
    is_int(X->xs_check_watch(x, &p, &t), 0, "special watch fires");
    is_str(t, "rel", "with its token");
    free(p);
    free(t);
    is_int(X->xs_unwatch(x, "/vgt", "tok"), 0, "unwatch");
}

int main(void)
{
    struct vgt_xd_params p = { .domid = 3, .vcpus = 2, .guest_mem = 64u << 20, .extra_pages = 16 };
    struct vgt_xd *d = vgt_xd_new(&p);
    struct vgt_xen *x;

    ok(d != NULL, "double created");
    is_int(X->open(d, VGT_XEN_WORKER | VGT_XEN_STORE, &x), 0, "open");
    test_evtchn(d, x);
    test_xenstore(d, x);
    test_memory(d, x);
    X->close(x);
    vgt_xd_free(d);
    return tap_done();
}
