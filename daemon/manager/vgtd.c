/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vgtd's start-up as an explicit list of stages; vgtd_stop undoes exactly the
 * stages reached, for a failed start and a normal stop alike.  Stopping vgtd
 * leaves the workers running and the state in xenstore: a new vgtd takes over
 * from there (guests_restore).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vgt/cleanup.h"
#include "daemon/manager/vgtd.h"

#define XS_BASE "/local/domain/0/xen-vgt"

enum stage {
    STAGE_NONE,
    STAGE_ALLOCATOR,   /* profile loaded, allocator created */
    STAGE_WATCHES,     /* @introduceDomain/@releaseDomain watched */
    STAGE_RESTORED,    /* guests rebuilt from xenstore */
    STAGE_CONTROL,     /* control socket listening */
};

static int on_xs(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
    struct vgtd *d = userdata;
    struct mxen *x = d->xen;
    bool domains = false;
    for (;;) {   /* drain: one fd wake-up may carry many events */
        char *path = NULL, *token = NULL;
        int r = x->ops->check_watch(x, &path, &token);
        if (r < 0) {
            if (r != -EAGAIN)
                log_err(NULL, "xenstore watch: %s", vgt_strerror(r));
            break;
        }
        if (strcmp(path, "@introduceDomain") == 0 || strcmp(path, "@releaseDomain") == 0)
            domains = true;
        free(path);
        free(token);
    }
    if (domains)   /* spurious fires are fine: we look at every guest */
        guests_check_domains(d);
    return 0;
}

static int load_profile(struct vgtd *d, struct vgt_diag *diag)
{
    int r = vgt_profile_load(d->conf.profile, NULL, &d->profile, diag);
    if (r < 0)
        return r;
    if (d->conf.host_low_mb >= 0)
        d->profile.host_low_mb = d->conf.host_low_mb;
    if (d->conf.host_high_mb >= 0)
        d->profile.host_high_mb = d->conf.host_high_mb;
    if (d->conf.host_fences >= 0)
        d->profile.host_fences = d->conf.host_fences;
    d->alloc = vgt_alloc_new(&d->profile);
    if (!d->alloc) {
        r = -errno ? -errno : -ENOMEM;
        return vgt_diag_add(diag, "profile %s: the host reservation (low %llu MB, high %llu MB,"
                            " %u fences) does not fit the GPU", d->profile.name,
                            (unsigned long long)d->profile.host_low_mb,
                            (unsigned long long)d->profile.host_high_mb,
                            d->profile.host_fences), r;
    }
    return 0;
}

/* The profile as vgtd uses it (host reservation overrides applied), for the
 * workers: they must see the same GPU as the allocator. */
static int write_profile(struct vgtd *d, struct vgt_diag *diag)
{
    const struct vgt_profile *p = &d->profile;
    if (asprintf(&d->profile_path, "%s/effective.profile", d->conf.state_dir) < 0) {
        d->profile_path = NULL;
        return -ENOMEM;
    }
    FILE *f = fopen(d->profile_path, "we");
    if (!f)
        return vgt_diag_add(diag, "%s: cannot write: %m", d->profile_path), -errno;
    fprintf(f, "# written by vgtd from profile %s and vgtd.conf\n"
            "name = \"%s\"\ndescription = \"%s\"\ngeneration = %u\ndevice_id = 0x%04x\n"
            "aperture_mb = %llu\nggtt_mb = %llu\nfences = %u\nhost_low_gm_mb = %llu\n"
            "host_high_gm_mb = %llu\nhost_fences = %u\nreserved_top_mb = %llu\n"
            "max_instances = %u\nhigh_gm_granule_mb = %llu\n",
            d->conf.profile, p->name, p->description, p->gen, p->device_id,
            (unsigned long long)p->aperture_mb, (unsigned long long)p->ggtt_mb, p->fences,
            (unsigned long long)p->host_low_mb, (unsigned long long)p->host_high_mb,
            p->host_fences, (unsigned long long)p->reserved_top_mb, p->max_instances,
            (unsigned long long)p->high_gm_granule_mb);
    int r = ferror(f) ? -EIO : 0;
    if (fclose(f) < 0 || r < 0)
        return vgt_diag_add(diag, "%s: cannot write", d->profile_path), -EIO;
    return 0;
}

static int read_owner(struct vgtd *d)
{
    char *v = NULL;
    if (d->xen->ops->read(d->xen, 0, XS_BASE "/display_owner", &v) == 0) {
        unsigned long o = strtoul(v, NULL, 10);
        free(v);
        if (o && guest_by_domid(d, o))
            d->display_owner = o;
    }
    return 0;
}

int vgtd_start(struct vgtd *d, sd_event *e, struct mxen *xen, struct vgt_diag *diag)
{
    int r;
    d->ev = e;
    d->xen = xen;
    d->ctl_fd = -1;

    if ((r = ctl_probe(d, diag)) < 0 || (r = load_profile(d, diag)) < 0)
        goto fail;
    d->stage = STAGE_ALLOCATOR;

    mkdir(d->conf.state_dir, 0755);
    if ((r = write_profile(d, diag)) < 0)
        goto fail;
    if ((r = xen->ops->watch(xen, "@introduceDomain", "vgtd")) < 0 ||
        (r = xen->ops->watch(xen, "@releaseDomain", "vgtd")) < 0 ||
        (r = sd_event_add_io(e, &d->xs_src, xen->ops->fileno(xen), EPOLLIN, on_xs, d)) < 0) {
        vgt_diag_add(diag, "cannot watch xenstore: %s", vgt_strerror(r));
        goto fail;
    }
    d->stage = STAGE_WATCHES;

    host_start(d);
    if ((r = guests_restore(d, diag)) < 0)
        goto fail;
    read_owner(d);
    vgtd_set_display_owner(d, d->display_owner);
    vgtd_publish_gpu(d);
    d->stage = STAGE_RESTORED;

    if ((r = ctl_listen(d, diag)) < 0)
        goto fail;
    d->stage = STAGE_CONTROL;
    log_info(NULL, "ready: profile %s, %u guest(s) restored, control socket %s", d->profile.name,
             ({ unsigned n = 0; for (struct vgtd_guest *g = d->guests; g; g = g->next) n++; n; }),
             d->conf.socket);
    return 0;
fail:
    vgtd_stop(d);
    return r;
}

void vgtd_stop(struct vgtd *d)
{
    switch (d->stage) {
    case STAGE_CONTROL:
        ctl_close_all(d);
        unlink(d->conf.socket);
        /* fall through */
    case STAGE_RESTORED:
        /* fall through */
    case STAGE_WATCHES:
        guests_drop(d);   /* workers keep serving their guests */
        host_stop(d);
        d->xs_src = sd_event_source_disable_unref(d->xs_src);
        /* fall through */
    case STAGE_ALLOCATOR:
        vgt_alloc_free(d->alloc);
        d->alloc = NULL;
        free(d->profile_path);   /* the file stays: running workers may be restarted */
        d->profile_path = NULL;
        /* fall through */
    case STAGE_NONE:
        break;
    }
    /* guests_drop may have failed attaches into connections: close those last */
    ctl_close_all(d);
    if (d->xen)
        d->xen->ops->close(d->xen);
    d->xen = NULL;
    d->stage = STAGE_NONE;
}

void vgtd_abandon(struct vgtd *d)
{
    /* as after kill -9: the socket file stays, xenstore and workers are untouched */
    vgtd_stop(d);
}

int vgtd_publish_gpu(struct vgtd *d)
{
    struct mxen *x = d->xen;
    struct vgt_resources res;
    vgt_alloc_resources(d->alloc, &res);
    struct {
        const char *k;
        char v[96];
    } kv[] = {
        { "profile", "" }, { "low_total_mb", "" }, { "low_free_mb", "" }, { "high_total_mb", "" },
        { "high_free_mb", "" }, { "fences_total", "" }, { "fences_free", "" }, { "instances_total", "" },
        { "instances_free", "" }, { "host_low_mb", "" }, { "host_high_mb", "" }, { "host_fences", "" },
        { "pci_bdf", "" },
    };
    snprintf(kv[0].v, sizeof(kv[0].v), "%s", d->profile.name);
    snprintf(kv[1].v, sizeof(kv[1].v), "%llu", (unsigned long long)res.low_total_mb);
    snprintf(kv[2].v, sizeof(kv[2].v), "%llu", (unsigned long long)res.low_free_mb);
    snprintf(kv[3].v, sizeof(kv[3].v), "%llu", (unsigned long long)res.high_total_mb);
    snprintf(kv[4].v, sizeof(kv[4].v), "%llu", (unsigned long long)res.high_free_mb);
    snprintf(kv[5].v, sizeof(kv[5].v), "%u", res.fences_total);
    snprintf(kv[6].v, sizeof(kv[6].v), "%u", res.fences_free);
    snprintf(kv[7].v, sizeof(kv[7].v), "%u", res.instances_total);
    snprintf(kv[8].v, sizeof(kv[8].v), "%u", res.instances_free);
    snprintf(kv[9].v, sizeof(kv[9].v), "%llu", (unsigned long long)d->profile.host_low_mb);
    snprintf(kv[10].v, sizeof(kv[10].v), "%llu", (unsigned long long)d->profile.host_high_mb);
    snprintf(kv[11].v, sizeof(kv[11].v), "%u", d->profile.host_fences);
    snprintf(kv[12].v, sizeof(kv[12].v), "%s", d->conf.pci_bdf);
    for (int tries = 0; tries < 16; tries++) {
        uint32_t t;
        int r = x->ops->tx_start(x, &t);
        if (r < 0)
            return r;
        for (size_t i = 0; r == 0 && i < VGT_ARRAY_SIZE(kv); i++) {
            char path[128];
            snprintf(path, sizeof(path), XS_BASE "/gpu/%s", kv[i].k);
            r = x->ops->write(x, t, path, kv[i].v);
        }
        int e = x->ops->tx_end(x, t, r < 0);
        if (r < 0 || e != -EAGAIN) {
            if (r < 0 || e < 0)
                log_err(NULL, "cannot write the GPU state to xenstore: %s", vgt_strerror(r ? r : e));
            return r ? r : e;
        }
    }
    return -EAGAIN;
}

int vgtd_set_display_owner(struct vgtd *d, uint32_t domid)
{
    uint32_t old = d->display_owner;
    d->display_owner = domid;
    char v[16];
    snprintf(v, sizeof(v), "%u", domid);
    int r = d->xen->ops->write(d->xen, 0, XS_BASE "/display_owner", v);
    if (old != domid) {
        struct vgtd_guest *g = guest_by_domid(d, domid);
        log_info(g, "display owner now %s", domid ? "this guest" : "dom0");
        for (g = d->guests; g; g = g->next)   /* each guest's copy says whether it owns it */
            if (g->domid && (g->domid == old || g->domid == domid))
                guest_publish(g);
    }
    return r;
}
