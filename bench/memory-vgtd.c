/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench/memory's vgtd: the daemon's code (libvgtd) over the Xen double's
 * xenstore, as vgtd's tests run it; every domain of the benchmark's range is
 * running.  Started by bench/memory:  memory-vgtd DIR PROFILE SOCKET WORKER
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/memory.h"
#include "daemon/manager/vgtd.h"
#include "daemon/xen/xen-double.h"

/* The double simulates one domain; vgtd's guests are ours and all running. */
static int any_domain_info(struct mxen *m, uint32_t domid, struct mxen_dominfo *out)
{
    if (domid < MEMORY_FIRST_DOMID || domid >= MEMORY_FIRST_DOMID + MEMORY_MAX_GUESTS)
        return -ESRCH;
    memset(out, 0, sizeof(*out));
    return 0;
}

static int on_term(sd_event_source *s, const struct signalfd_siginfo *si, void *u)
{
    return sd_event_exit(sd_event_source_get_event(s), 0);
}

static int run(const char *dir, const char *profile, const char *socket, const char *worker)
{
    static struct mxen_ops ops;
    struct vgt_xd *xd = vgt_xd_new(&(struct vgt_xd_params){ .domid = 1, .vcpus = 1,
                                                             .guest_mem = 1 << 20 });
    struct vgt_xen *x = NULL;
    struct mxen *m = NULL;
    struct vgt_diag diag;
    struct vgtd d = { 0 };
    sd_event *ev = NULL;
    sigset_t ss;
    int r;

    if (!xd || vgt_xen_double_ops.open(xd, VGT_XEN_STORE, &x) < 0 ||
        mxen_from_xen_ops(&vgt_xen_double_ops, x, &m) < 0 || sd_event_default(&ev) < 0)
        return 1;
    ops = *m->ops;
    ops.domain_info = any_domain_info;
    m->ops = &ops;
    sigemptyset(&ss);
    sigaddset(&ss, SIGTERM);
    sigaddset(&ss, SIGCHLD);   /* as vgtd's main: sd-event watches its workers */
    sigprocmask(SIG_BLOCK, &ss, NULL);
    signal(SIGPIPE, SIG_IGN);
    sd_event_add_signal(ev, NULL, SIGTERM, on_term, NULL);
    vgtd_log_init(false, 3);
    vgtd_conf_init(&d.conf);
    d.conf.profile = strdup(profile);
    d.conf.socket = strdup(socket);
    d.conf.state_dir = strdup(dir);
    d.conf.worker = strdup(worker);
    if (asprintf(&d.conf.drm_sysfs, "%s/no-drm", dir) < 0)   /* not the host's GPU */
        d.conf.drm_sysfs = NULL;
    vgtd_conf_finish(&d.conf);
    vgt_diag_init(&diag);
    r = vgtd_start(&d, ev, m, &diag);
    vgt_diag_print(&diag, stderr);
    vgt_diag_dispose(&diag);
    if (r == 0)
        r = sd_event_loop(ev);
    vgtd_stop(&d);
    vgtd_conf_dispose(&d.conf);
    sd_event_unref(ev);
    vgt_xd_free(xd);
    return r < 0;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: memory-vgtd DIR PROFILE SOCKET WORKER\n");
        return 2;
    }
    return run(argv[1], argv[2], argv[3], argv[4]);
}
