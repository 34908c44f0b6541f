/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guests: the partition of each vGPU guest, its worker process (started,
 * connected, supervised, restarted, stopped) and its lifecycle from attach to
 * the end of its domain.
 *
 * Reboot versus destroy: xenstored fires @releaseDomain when a domain shuts
 * down and again when it is destroyed.  At the first, the domain still exists
 * and Xen tells its shutdown reason; a guest whose domain shut down with
 * reason "reboot" keeps its partition, reserved under its VM name, for
 * reboot_hold seconds after its domain is gone; the new domain of the same
 * name gets it back (on attach, or by itself when the domain appears).  Any
 * other end frees the partition at once.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vgt/cleanup.h"
#include "vgt/util.h"
#include "daemon/manager/vgtd.h"

#define STATUS_TIMEOUT_MS 5000
#define CONNECT_RETRY_MIN_US (2 * 1000ull)    /* doubling up to the max */
#define CONNECT_RETRY_MAX_US (100 * 1000ull)
#define RESTART_DELAY_US (200 * 1000ull)
#define SHUTDOWN_GRACE_US (5 * 1000000ull)
#define RESTART_WINDOW_US (60 * 1000000ull)

static void guest_start_worker(struct vgtd_guest *g);
static void guest_worker_gone(struct vgtd_guest *g, const char *how);
static void guest_connect(struct vgtd_guest *g);

const char *guest_state_name(enum guest_state s)
{
    static const char *const n[] = { "starting", "running", "restarting", "failsafe", "rebooting" };
    return n[s];
}

struct vgtd_guest *guest_by_domid(struct vgtd *d, uint32_t domid)
{
    for (struct vgtd_guest *g = d->guests; g; g = g->next)
        if (domid && g->domid == domid)
            return g;
    return NULL;
}

struct vgtd_guest *guest_by_key(struct vgtd *d, const char *key)
{
    for (struct vgtd_guest *g = d->guests; g; g = g->next)
        if (strcmp(g->key, key) == 0)
            return g;
    return NULL;
}

static bool key_safe(const char *s)
{
    if (!*s || strlen(s) >= 64)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.'))
            return false;
    return true;
}

static void make_key(char *key, size_t n, const char *name, const char *uuid, uint32_t domid)
{
    if (name && key_safe(name))
        snprintf(key, n, "%s", name);
    else if (uuid && key_safe(uuid))
        snprintf(key, n, "%s", uuid);
    else
        snprintf(key, n, "dom-%u", domid);
}

static char *worker_socket(const struct vgtd_guest *g)
{
    char *p;
    /* per domain, not per VM: the worker of a VM's previous domain may still
     * be removing its socket when the new one starts */
    if (asprintf(&p, "%s/worker-%u.sock", g->d->conf.state_dir, g->domid) < 0)
        return NULL;
    return p;
}

/* The worker's record of its ioreq server and GGTT frames and its device state
 * (daemon/worker/README.md) let a restarted worker take them over; once the domain
 * is gone they are stale, and a later domain that reuses the domid must not act on them. */
static void worker_forget_domain(const struct vgtd_guest *g)
{
    static const char *const kept[] = { "ioreq", "state" };
    char *p;
    for (unsigned i = 0; g->domid && i < 2; i++) {
        if (asprintf(&p, "%s/worker-%u.%s", g->d->conf.state_dir, g->domid, kept[i]) < 0)
            return;
        unlink(p);
        free(p);
    }
}

/* ---- worker processes --------------------------------------------------- */

/* A worker process we watch: our child (child source) or, after a restart of
 * vgtd, a process we adopted (pidfd).  It outlives its guest's interest in it
 * (g NULL) until it has exited, killed if it does not stop in time. */
struct wproc {
    struct vgtd *d;
    struct wproc *next;
    struct vgtd_guest *g;
    pid_t pid;
    int pidfd;
    sd_event_source *src, *kill_timer;
};

pid_t guest_worker_pid(const struct vgtd_guest *g)
{
    return g->proc ? g->proc->pid : 0;
}

static void wproc_free(struct wproc *p)
{
    for (struct wproc **pp = &p->d->procs; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    if (p->g)
        p->g->proc = NULL;
    sd_event_source_disable_unref(p->src);
    sd_event_source_disable_unref(p->kill_timer);
    if (p->pidfd >= 0)
        close(p->pidfd);
    free(p);
}

static void wproc_exited(struct wproc *p, const char *how)
{
    struct vgtd_guest *g = p->g;
    wproc_free(p);
    if (g)
        guest_worker_gone(g, how);
}

static int on_child(sd_event_source *s, const siginfo_t *si, void *userdata)
{
    char how[64];
    if (si->si_code == CLD_EXITED)
        snprintf(how, sizeof(how), "exited with status %d", si->si_status);
    else
        snprintf(how, sizeof(how), "killed by signal %d", si->si_status);
    struct wproc *p = userdata;
    if (p->g)
        log_warn(p->g, "worker %d %s", p->pid, how);
    wproc_exited(p, how);
    return 0;
}

static int on_pidfd(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
    struct wproc *p = userdata;
    siginfo_t si = { 0 };
    /* reap it if it happens to be our child (tests); harmless otherwise */
    waitid((idtype_t)3 /* P_PIDFD */, (id_t)p->pidfd, &si, WEXITED | WNOHANG);
    if (p->g)
        log_warn(p->g, "worker %d exited", p->pid);
    wproc_exited(p, "exited");
    return 0;
}

static struct wproc *wproc_new(struct vgtd *d, struct vgtd_guest *g, pid_t pid, bool child)
{
    struct wproc *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->d = d;
    p->g = g;
    p->pid = pid;
    p->pidfd = -1;
    int r;
    if (child) {
        r = sd_event_add_child(d->ev, &p->src, pid, WEXITED, on_child, p);
    } else {
        p->pidfd = syscall(SYS_pidfd_open, pid, 0);
        r = p->pidfd < 0 ? -errno : sd_event_add_io(d->ev, &p->src, p->pidfd, EPOLLIN, on_pidfd, p);
        if (r == -ENOSYS) {   /* no pidfd (old kernel, valgrind): its socket tells the end */
            if (kill(pid, 0) < 0 && errno != EPERM)   /* EPERM: alive, of another uid */
                r = -errno;
            else
                r = 0;
        }
    }
    if (r < 0) {
        if (p->pidfd >= 0)
            close(p->pidfd);
        free(p);
        errno = -r;
        return NULL;
    }
    p->next = d->procs;
    d->procs = p;
    return p;
}

static int on_kill_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
    struct wproc *p = userdata;
    log_warn(NULL, "worker %d did not stop in time, killing it", p->pid);
    if (p->pidfd >= 0)
        syscall(SYS_pidfd_send_signal, p->pidfd, SIGKILL, NULL, 0);
    else
        kill(p->pid, SIGKILL);
    p->kill_timer = sd_event_source_disable_unref(p->kill_timer);
    if (!p->src)
        wproc_free(p);   /* nothing would tell us its end */
    return 0;
}

/* The guest lets its worker go: it was told to shut down (or sig is sent now);
 * it is killed if still there after the grace time. */
static void guest_release_worker(struct vgtd_guest *g, int sig)
{
    _cleanup_free_ char *sock = g->domid ? worker_socket(g) : NULL;
    if (sock)
        unlink(sock);   /* the worker cannot: it is unprivileged by now */
    if (g->w) {
        if (!sig)
            wconn_request(g->w, "{\"op\":\"shutdown\"}", STATUS_TIMEOUT_MS, NULL, NULL);
        wconn_free(g->w);   /* the request is in the socket already */
        g->w = NULL;
    } else if (!sig) {
        sig = SIGTERM;
    }
    struct wproc *p = g->proc;
    if (!p)
        return;
    g->proc = NULL;
    p->g = NULL;
    if (sig) {
        if (p->pidfd >= 0)
            syscall(SYS_pidfd_send_signal, p->pidfd, sig, NULL, 0);
        else
            kill(p->pid, sig);
    }
    if (sig != SIGKILL)
        sd_event_add_time_relative(g->d->ev, &p->kill_timer, CLOCK_MONOTONIC, SHUTDOWN_GRACE_US,
                                   0, on_kill_timer, p);
    else if (!p->src)
        wproc_free(p);
}

static void fmt_pair(char *buf, size_t n, uint64_t a, uint64_t b)
{
    snprintf(buf, n, "0x%llx,0x%llx", (unsigned long long)a, (unsigned long long)b);
}

static void guest_start_worker(struct vgtd_guest *g)
{
    struct vgtd *d = g->d;
    const struct vgtd_conf *c = &d->conf;
    char domid[16], vcpus[16], vgt_id[16], low[48], high[48], fences[48], mem[32], ids[32], poll[16];
    bool per_domain;
    const char *user = vgtd_conf_worker_user(c, g->domid, ids, sizeof(ids), &per_domain);
    _cleanup_free_ char *sock = worker_socket(g);
    snprintf(domid, sizeof(domid), "%u", g->domid);
    snprintf(vcpus, sizeof(vcpus), "%u", g->vcpus);
    snprintf(vgt_id, sizeof(vgt_id), "%u", g->part.vgt_id);
    fmt_pair(low, sizeof(low), g->part.low_base, g->part.low_size);
    fmt_pair(high, sizeof(high), g->part.high_base, g->part.high_size);
    snprintf(fences, sizeof(fences), "%u,%u", g->part.fence_base, g->part.fence_count);
    snprintf(mem, sizeof(mem), "%llu", (unsigned long long)g->mem_bytes);
    snprintf(poll, sizeof(poll), "%u", c->worker_poll_us);
    const char *argv[] = {
        c->worker, "--domid", domid, "--vcpus", vcpus, "--bdf", c->pci_bdf,
        "--profile", d->profile_path, "--vgt-id", vgt_id, "--low", low, "--high", high,
        "--fences", fences, "--guest-mem", mem, "--socket", sock ? sock : "",
        "--user", user, "--poll-us", poll, "--foreground", NULL,
    };
    if (sock)
        unlink(sock);   /* a stale socket must not be mistaken for the new worker's */
    pid_t pid = sock ? fork() : -1;
    if (pid == 0) {
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);   /* sd-event blocked some */
        setsid();   /* workers outlive a restart of vgtd */
        execv(argv[0], (char *const *)argv);
        static const char msg[] = "vgtd: cannot run the worker program\n";
        if (write(2, msg, sizeof(msg) - 1) < 0) { /* nothing more to say */ }
        _exit(127);   /* only async-signal-safe calls after fork */
    }
    if (pid < 0 || !(g->proc = wproc_new(d, g, pid, true))) {
        log_err(g, "cannot start the worker %s: %m", c->worker);
        if (pid > 0)
            kill(pid, SIGKILL);
        guest_worker_gone(g, "could not be started");
        return;
    }
    if (per_domain)
        log_info(g, "worker %d started (vgt_id %u, uid:gid %s = worker_uid_base + domid)", pid,
                 g->part.vgt_id, user);
    else
        log_info(g, "worker %d started (vgt_id %u, user %s shared by all workers: "
                 "worker_uid_base gives each its own uid)", pid, g->part.vgt_id, user);
    g->state = g->state == GUEST_RESTARTING ? GUEST_RESTARTING : GUEST_STARTING;
    g->adopting = false;
    g->applying = false;
    g->connect_delay = 0;
    guest_connect(g);
}

/* ---- talking to the worker --------------------------------------------- */

static void hex_edid(char *out, const uint8_t *edid)
{
    for (unsigned i = 0; i < VGT_EDID_LEN; i++)
        sprintf(out + 2 * i, "%02x", edid[i]);
}

static char *hotplug_req(const struct vgt_monitor_item *it)
{
    char hex[2 * VGT_EDID_LEN + 1];
    struct vgt_msg m;
    const char *text;
    size_t len;
    char *s = NULL;
    hex_edid(hex, it->edid);
    if (vgt_msg_init(&m) < 0)
        return NULL;
    vgt_msg_str(&m, "op", "hotplug");
    vgt_msg_str(&m, "port", vgt_port_name(it->port));
    vgt_msg_bool(&m, "connect", true);
    vgt_msg_str(&m, "type", vgt_port_type_name(it->type));
    vgt_msg_str(&m, "override", vgt_port_name(it->override));
    vgt_msg_str(&m, "edid", hex);
    if (vgt_msg_text(&m, &text, &len) == 0)
        s = strndup(text, len);
    vgt_msg_dispose(&m);
    return s;
}

static void guest_running(struct vgtd_guest *g)
{
    g->state = GUEST_RUNNING;
    g->applying = false;
    g->deadline = sd_event_source_disable_unref(g->deadline);
    log_info(g, "vGPU ready%s", g->adopting ? " (worker reattached)" : "");
    g->adopting = false;
    if (g->new_attach && g->d->conf.owner_at_boot == VGTD_BOOT_GUEST)
        vgtd_set_display_owner(g->d, g->domid);
    g->new_attach = false;
    guest_publish(g);
    struct ctl_req *r = g->attach_req;
    g->attach_req = NULL;
    if (r)
        cmd_attach_done(r, g, 0, NULL);
}

static void apply_next(struct vgtd_guest *g);

static void on_hotplug_reply(void *userdata, int err, yajl_val reply, int fd)
{
    struct vgtd_guest *g = userdata;
    if (fd >= 0)
        close(fd);
    if (err == -ECANCELED)
        return;   /* the connection went away; whoever dropped it decides */
    const char *msg = NULL;
    bool ok = false;
    if (!err)
        vgt_json_get_bool(reply, "ok", &ok);
    if (!ok) {
        if (reply)
            vgt_json_get_str(reply, "message", &msg);
        log_warn(g, "port %s not configured: %s",
                 vgt_port_name(g->monitor.items[g->apply_next].port),
                 msg ? msg : err ? vgt_strerror(err) : "refused");
    }
    g->apply_next++;
    apply_next(g);
}

/* Connect the configured ports one after the other, then the guest may run. */
static void apply_next(struct vgtd_guest *g)
{
    if (g->apply_next >= g->monitor.n) {
        guest_running(g);
        return;
    }
    _cleanup_free_ char *req = hotplug_req(&g->monitor.items[g->apply_next]);
    if (!req || wconn_request(g->w, req, STATUS_TIMEOUT_MS, on_hotplug_reply, g) < 0) {
        g->apply_next++;
        apply_next(g);
    }
}

static void guest_ready(struct vgtd_guest *g)
{
    if ((g->state != GUEST_STARTING && g->state != GUEST_RESTARTING) || g->applying)
        return;   /* ready comes as an event and in the first status: once is enough */
    g->deadline = sd_event_source_disable_unref(g->deadline);
    if (g->adopting) {   /* its ports were configured by the first vgtd */
        guest_running(g);
        return;
    }
    g->apply_next = 0;
    g->applying = true;
    apply_next(g);
}

void guest_take_status(struct vgtd_guest *g, yajl_val st)
{
    bool b;
    if (vgt_json_get_bool(st, "display_ready", &b) == 0)
        g->display_ready = b;
    if (vgt_json_get_bool(st, "failsafe", &b) == 0 && b)
        g->failsafe_by_worker = true;
    yajl_val stats = vgt_json_get(st, "stats");
    static const char *const names[] = { "bad_access", "ggtt_refused", "fence_refused",
                                         "aperture_refused", "plane_refused" };
    for (unsigned i = 0; i < VGT_ARRAY_SIZE(names); i++)
        vgt_json_get_u64(stats, names[i], &g->stat[i]);
    yajl_val ports = vgt_json_get(st, "ports");
    if (!YAJL_IS_ARRAY(ports))
        return;
    g->n_ports = 0;
    for (size_t i = 0; i < ports->u.array.len && g->n_ports < VGT_PORT_MAX; i++) {
        yajl_val p = ports->u.array.values[i];
        const char *port = NULL, *type = "", *over = "";
        bool conn = false;
        if (vgt_json_get_str(p, "port", &port) < 0 || vgt_port_from_name(port) < 0)
            continue;   /* only what we can name goes on */
        vgt_json_get_str(p, "type", &type);
        vgt_json_get_str(p, "override", &over);
        vgt_json_get_bool(p, "connected", &conn);
        unsigned k = g->n_ports++;
        snprintf(g->ports[k].port, sizeof(g->ports[k].port), "%s", port);
        snprintf(g->ports[k].type, sizeof(g->ports[k].type), "%s",
                 vgt_port_type_from_name(type) >= 0 ? type : "");
        snprintf(g->ports[k].override, sizeof(g->ports[k].override), "%s",
                 vgt_port_from_name(over) >= 0 ? over : "");
        g->ports[k].connected = conn;
    }
}

void guest_remember_port(struct vgtd_guest *g, enum vgt_port port,
                         const struct vgt_monitor_item *it)
{
    struct vgt_monitor_config *m = &g->monitor;
    for (unsigned i = 0; i < m->n; i++)
        if (m->items[i].port == port) {
            memmove(&m->items[i], &m->items[i + 1], (m->n - i - 1) * sizeof(m->items[0]));
            m->n--;
            break;
        }
    if (it && m->n < VGT_PORT_MAX)
        m->items[m->n++] = *it;
    guest_publish(g);
}

static void on_first_status(void *userdata, int err, yajl_val reply, int fd)
{
    struct vgtd_guest *g = userdata;
    if (fd >= 0)
        close(fd);
    if (err)
        return;   /* connection trouble shows up as its end */
    bool ready = false;
    guest_take_status(g, reply);
    if (vgt_json_get_bool(reply, "ready", &ready) == 0 && ready)
        guest_ready(g);
}

static void on_worker_event(void *userdata, yajl_val ev)
{
    struct vgtd_guest *g = userdata;
    if (!ev) {
        /* the connection ended: a worker that stops talking is restarted */
        wconn_free(g->w);
        g->w = NULL;
        if (g->proc && g->proc->src) {   /* its exit will be seen: then restart */
            log_warn(g, "worker %d closed its socket, killing it", g->proc->pid);
            if (g->proc->pidfd >= 0)
                syscall(SYS_pidfd_send_signal, g->proc->pidfd, SIGKILL, NULL, 0);
            else
                kill(g->proc->pid, SIGKILL);
        } else {
            if (g->proc) {
                kill(g->proc->pid, SIGKILL);
                wproc_free(g->proc);
            }
            guest_worker_gone(g, "closed its socket");
        }
        return;
    }
    const char *e = "";
    vgt_json_get_str(ev, "event", &e);
    if (strcmp(e, "ready") == 0) {
        guest_ready(g);
    } else if (strcmp(e, "display_ready") == 0) {
        g->display_ready = true;
        guest_publish(g);
    } else if (strcmp(e, "failsafe") == 0) {
        const char *why = "unknown";
        vgt_json_get_str(ev, "reason", &why);
        snprintf(g->failsafe_reason, sizeof(g->failsafe_reason), "%s", why);
        g->failsafe_by_worker = true;
        log_err(g, "vGPU in failsafe mode: %s", g->failsafe_reason);
        guest_publish(g);
    }
}

static int on_deadline(sd_event_source *s, uint64_t usec, void *userdata)
{
    struct vgtd_guest *g = userdata;
    g->deadline = sd_event_source_disable_unref(g->deadline);
    log_err(g, "worker not ready after %u s, killing it", g->d->conf.worker_ready_timeout);
    guest_release_worker(g, SIGKILL);
    guest_worker_gone(g, "was not ready in time");
    return 0;
}

static int on_connect_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
    struct vgtd_guest *g = userdata;
    g->timer = sd_event_source_disable_unref(g->timer);
    guest_connect(g);
    return 0;
}

/* Connect to the worker's socket (it creates it once set up), retrying until
 * the ready deadline. */
static void guest_connect(struct vgtd_guest *g)
{
    struct vgtd *d = g->d;
    if (!g->deadline)
        sd_event_add_time_relative(d->ev, &g->deadline, CLOCK_MONOTONIC,
                                   d->conf.worker_ready_timeout * 1000000ull, 1000,
                                   on_deadline, g);
    _cleanup_free_ char *sock = worker_socket(g);
    if (sock && wconn_connect(d->ev, sock, on_worker_event, g, &g->w) == 0) {
        g->connect_delay = 0;
        if (wconn_request(g->w, "{\"op\":\"status\"}", STATUS_TIMEOUT_MS, on_first_status, g) == 0)
            return;
        wconn_free(g->w);
        g->w = NULL;
    }
    /* the worker creates its socket once set up: soon, usually */
    g->connect_delay = g->connect_delay ? g->connect_delay * 2 : CONNECT_RETRY_MIN_US;
    if (g->connect_delay > CONNECT_RETRY_MAX_US)
        g->connect_delay = CONNECT_RETRY_MAX_US;
    sd_event_add_time_relative(d->ev, &g->timer, CLOCK_MONOTONIC, g->connect_delay, 1000,
                               on_connect_timer, g);
}

int guest_request(struct vgtd_guest *g, const char *req, unsigned timeout_ms, wconn_reply_fn cb,
                  void *userdata)
{
    if (!g->w)
        return -ENOTCONN;
    return wconn_request(g->w, req, timeout_ms, cb, userdata);
}

/* ---- lifecycle ----------------------------------------------------------- */

static int domain_gone(struct vgtd *d, uint32_t domid, bool *reboot);

static void guest_unlink(struct vgtd_guest *g)
{
    for (struct vgtd_guest **p = &g->d->guests; *p; p = &(*p)->next)
        if (*p == g) {
            *p = g->next;
            break;
        }
}

static void guest_free(struct vgtd_guest *g)
{
    if (g->proc)
        g->proc->g = NULL;
    wconn_free(g->w);
    sd_event_source_disable_unref(g->timer);
    sd_event_source_disable_unref(g->deadline);
    free(g);
}

static void xs_rm_guest(struct vgtd_guest *g)
{
    struct mxen *x = g->d->xen;
    char path[160];
    snprintf(path, sizeof(path), "/local/domain/0/xen-vgt/vms/%s", g->key);
    x->ops->rm(x, 0, path);
    if (g->domid) {
        snprintf(path, sizeof(path), "/local/domain/%u/xen-vgt", g->domid);
        x->ops->rm(x, 0, path);
    }
}

void guest_destroy(struct vgtd_guest *g, const char *why)
{
    struct vgtd *d = g->d;
    log_info(g, "vGPU removed: %s", why);
    guest_release_worker(g, 0);
    bool reboot;
    if (g->domid && domain_gone(d, g->domid, &reboot))
        worker_forget_domain(g); /* after a mere detach the next worker reuses the frames */
    int r = vgt_alloc_release(d->alloc, &g->part);
    if (r < 0)
        log_err(g, "partition vgt_id %u was not allocated: %s", g->part.vgt_id, vgt_strerror(r));
    xs_rm_guest(g);
    if (g->domid && d->display_owner == g->domid)
        vgtd_set_display_owner(d, 0);
    struct ctl_req *req = g->attach_req;
    g->attach_req = NULL;
    guest_unlink(g);
    if (req)
        cmd_attach_done(req, NULL, -EIO, why);
    guest_free(g);
    vgtd_publish_gpu(d);
}

static int on_hold_expired(sd_event_source *s, uint64_t usec, void *userdata)
{
    struct vgtd_guest *g = userdata;
    g->timer = sd_event_source_disable_unref(g->timer);
    guest_destroy(g, "not restarted after its reboot");
    return 0;
}

static void guest_hold_for_reboot(struct vgtd_guest *g)
{
    struct vgtd *d = g->d;
    log_info(g, "domain rebooting: partition vgt_id %u held for %u s", g->part.vgt_id,
             d->conf.reboot_hold);
    guest_release_worker(g, 0);
    worker_forget_domain(g);
    g->timer = sd_event_source_disable_unref(g->timer);
    g->deadline = sd_event_source_disable_unref(g->deadline);
    if (d->display_owner == g->domid)
        vgtd_set_display_owner(d, 0);
    if (g->domid) {
        char path[64];
        snprintf(path, sizeof(path), "/local/domain/%u/xen-vgt", g->domid);
        d->xen->ops->rm(d->xen, 0, path);
    }
    g->domid = 0;
    g->state = GUEST_REBOOTING;
    g->seen_reboot = false;
    g->display_ready = false;
    g->failsafe_by_worker = false;
    g->restarts = 0;
    sd_event_add_time_relative(d->ev, &g->timer, CLOCK_MONOTONIC, d->conf.reboot_hold * 1000000ull,
                               1000000, on_hold_expired, g);
    guest_publish(g);
}

static int on_restart_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
    struct vgtd_guest *g = userdata;
    g->timer = sd_event_source_disable_unref(g->timer);
    guest_start_worker(g);
    return 0;
}

/* 1 gone (or dying), 0 alive; *reboot set when it shut down to reboot */
static int domain_gone(struct vgtd *d, uint32_t domid, bool *reboot)
{
    struct mxen_dominfo info = { 0 };
    int r = d->xen->ops->domain_info(d->xen, domid, &info);
    /* without the reason, any shutdown may be a reboot: held for reboot_hold */
    *reboot = r == 0 && info.shutdown &&
              (!info.reason_known || info.shutdown_reason == MXEN_SHUTDOWN_REBOOT);
    return r == -ESRCH || (r == 0 && info.dying);
}

/* The worker exited or could not be reached. */
static void guest_worker_gone(struct vgtd_guest *g, const char *how)
{
    struct vgtd *d = g->d;
    wconn_free(g->w);
    g->w = NULL;
    g->applying = false;
    g->timer = sd_event_source_disable_unref(g->timer);
    g->deadline = sd_event_source_disable_unref(g->deadline);
    if (g->proc) {
        struct wproc *p = g->proc;
        g->proc = NULL;
        p->g = NULL;
    }
    if (g->state == GUEST_REBOOTING || g->state == GUEST_FAILSAFE)
        return;
    if (g->attach_req && !g->adopting) {
        /* the first start failed: the attach fails, nothing stays allocated */
        char why[128];
        snprintf(why, sizeof(why), "the worker %s", how);
        guest_destroy(g, why);
        return;
    }
    bool reboot;
    if (domain_gone(d, g->domid, &reboot)) {
        if (reboot || g->seen_reboot)
            guest_hold_for_reboot(g);
        else
            guest_destroy(g, "domain gone");
        return;
    }
    uint64_t now = vgt_mono_ns() / 1000;
    if (now - g->restart_window_start > RESTART_WINDOW_US) {
        g->restart_window_start = now;
        g->restarts = 0;
    }
    if (g->restarts < d->conf.worker_restarts) {
        g->restarts++;
        log_warn(g, "worker %s: restarting it (%u of %u)", how, g->restarts,
                 d->conf.worker_restarts);
        g->state = GUEST_RESTARTING;
        sd_event_add_time_relative(d->ev, &g->timer, CLOCK_MONOTONIC, RESTART_DELAY_US, 1000,
                                   on_restart_timer, g);
    } else {
        log_err(g, "worker %s, %u restarts in %llu s: vGPU in failsafe mode", how, g->restarts,
                RESTART_WINDOW_US / 1000000);
        g->state = GUEST_FAILSAFE;
        snprintf(g->failsafe_reason, sizeof(g->failsafe_reason), "worker %s", how);
    }
    guest_publish(g);
}

static void start_reattach(struct vgtd_guest *g, uint32_t domid)
{
    g->timer = sd_event_source_disable_unref(g->timer);
    g->domid = domid;
    g->state = GUEST_STARTING;
    g->new_attach = true;
    log_info(g, "domain back after its reboot: same partition vgt_id %u", g->part.vgt_id);
    guest_publish(g);
    guest_start_worker(g);
}

void guests_check_domains(struct vgtd *d)
{
    bool holding = false;
    for (struct vgtd_guest *g = d->guests, *next; g; g = next) {
        next = g->next;
        if (!g->domid) {
            holding = true;
            continue;
        }
        bool reboot;
        if (domain_gone(d, g->domid, &reboot)) {
            if (reboot || g->seen_reboot) {
                guest_hold_for_reboot(g);
                holding = true;
            } else {
                guest_destroy(g, "domain gone");
            }
        } else if (reboot && !g->seen_reboot) {
            g->seen_reboot = true;
            log_info(g, "domain shut down to reboot");
        }
    }
    if (!holding)
        return;
    /* a held VM whose new domain appeared gets its vGPU before it runs */
    char **names = NULL;
    unsigned n = 0;
    if (d->xen->ops->directory(d->xen, 0, "/local/domain", &names, &n) < 0)
        return;
    for (unsigned i = 0; i < n; i++) {
        char *end;
        unsigned long domid = strtoul(names[i], &end, 10);
        if (*end || domid == 0 || domid >= 0x7ff0 || guest_by_domid(d, domid))
            continue;
        char path[64], *name = NULL;
        snprintf(path, sizeof(path), "/local/domain/%lu/name", domid);
        if (d->xen->ops->read(d->xen, 0, path, &name) < 0)
            continue;
        struct vgtd_guest *g = guest_by_key(d, name);
        if (g && g->state == GUEST_REBOOTING && strcmp(g->name, name) == 0) {
            bool reboot;
            if (!domain_gone(d, domid, &reboot))
                start_reattach(g, domid);
        }
        free(name);
    }
    free(names);
}

int guest_attach(struct vgtd *d, const struct attach_args *a, struct ctl_req *r,
                 struct vgt_diag *diag)
{
    char key[80];
    make_key(key, sizeof(key), a->name, a->uuid, a->domid);
    struct vgtd_guest *g = guest_by_domid(d, a->domid);
    if (g) {
        if (strcmp(g->key, key) != 0)
            return vgt_diag_add(diag, "domain %u already has a vGPU (as %s)", a->domid, g->key),
                   -EEXIST;
        if (g->state == GUEST_RUNNING) {
            cmd_attach_done(r, g, 0, NULL);
            return 0;
        }
        if ((g->state == GUEST_STARTING || g->state == GUEST_RESTARTING) && !g->attach_req) {
            g->attach_req = r;   /* the same attach again (the front's hook on reboot) */
            return 0;
        }
        return vgt_diag_add(diag, "domain %u: vGPU is %s", a->domid, guest_state_name(g->state)),
               -EBUSY;
    }
    bool reboot;
    if (domain_gone(d, a->domid, &reboot))
        return vgt_diag_add(diag, "domain %u does not exist", a->domid), -ESRCH;

    struct vgt_monitor_config mon = { 0 };
    bool indirect = false;
    if (a->monitor_config) {
        if (!d->conf.preallocated_monitor_to_guest)
            return vgt_diag_add(diag, "%s: indirect display mode is off on this host"
                                " (preallocated_monitor_to_guest = 0 in vgtd.conf)",
                                a->monitor_config), -EINVAL;
        int e = vgt_monitor_config_load(a->monitor_config, &mon, diag);
        if (e < 0)
            return e;
        indirect = true;
    } else if (d->host_gpu) {
        mon = d->host_mon;   /* direct mode: the host's monitors */
    } else if (d->conf.default_monitor) {
        mon.n = 1;
        mon.items[0] = d->conf.default_item;
    }

    g = guest_by_key(d, key);
    if (g && g->state != GUEST_REBOOTING) {
        /* the new domain may be here before @releaseDomain of the old one */
        if (!domain_gone(d, g->domid, &reboot))
            return vgt_diag_add(diag, "VM %s already has a vGPU (domain %u)", key, g->domid),
                   -EEXIST;
        if (reboot || g->seen_reboot) {
            guest_hold_for_reboot(g);
        } else {
            guest_destroy(g, "domain gone");
            g = NULL;
        }
    }
    if (g && g->state == GUEST_REBOOTING) {
        g->monitor = mon;   /* the config may have changed with the reboot */
        g->indirect = indirect;
        g->vcpus = a->vcpus;
        g->mem_bytes = a->mem_bytes;
        g->attach_req = r;
        start_reattach(g, a->domid);
        return 0;
    }
    g = calloc(1, sizeof(*g));
    if (!g)
        return -ENOMEM;
    int e = vgt_alloc_take(d->alloc, &a->req, &g->part, diag);
    if (e < 0) {
        free(g);
        return e;
    }
    g->d = d;
    snprintf(g->key, sizeof(g->key), "%s", key);
    snprintf(g->name, sizeof(g->name), "%s", a->name ? a->name : "");
    snprintf(g->uuid, sizeof(g->uuid), "%s", a->uuid ? a->uuid : "");
    g->domid = a->domid;
    g->req = a->req;
    g->vcpus = a->vcpus;
    g->mem_bytes = a->mem_bytes;
    g->monitor = mon;
    g->indirect = indirect;
    g->state = GUEST_STARTING;
    g->new_attach = true;
    g->attach_req = r;
    g->next = d->guests;
    d->guests = g;
    guest_publish(g);
    vgtd_publish_gpu(d);
    guest_start_worker(g);
    return 0;
}

static void on_follow_reply(void *userdata, int err, yajl_val reply, int fd)
{
    bool ok = false;
    if (fd >= 0)
        close(fd);
    if (!err && vgt_json_get_bool(reply, "ok", &ok) == 0 && !ok)
        log_warn(NULL, "a worker refused a host monitor change");
}

static bool same_item(const struct vgt_monitor_item *a, const struct vgt_monitor_item *b)
{
    return a->port == b->port && a->type == b->type && a->override == b->override &&
           memcmp(a->edid, b->edid, VGT_EDID_LEN) == 0;
}

void guest_set_monitors(struct vgtd_guest *g, const struct vgt_monitor_config *m)
{
    if (g->state == GUEST_RUNNING && g->w) {
        for (unsigned i = 0; i < g->monitor.n; i++) {
            bool kept = false;
            for (unsigned k = 0; k < m->n; k++)
                kept |= m->items[k].port == g->monitor.items[i].port;
            if (kept)
                continue;
            char req[96];
            snprintf(req, sizeof(req), "{\"op\":\"hotplug\",\"port\":\"%s\",\"connect\":false}",
                     vgt_port_name(g->monitor.items[i].port));
            wconn_request(g->w, req, STATUS_TIMEOUT_MS, on_follow_reply, NULL);
        }
        for (unsigned k = 0; k < m->n; k++) {
            bool same = false;
            for (unsigned i = 0; i < g->monitor.n; i++)
                same |= same_item(&m->items[k], &g->monitor.items[i]);
            if (same)
                continue;
            _cleanup_free_ char *req = hotplug_req(&m->items[k]);
            if (req)
                wconn_request(g->w, req, STATUS_TIMEOUT_MS, on_follow_reply, NULL);
        }
    }
    g->monitor = *m;   /* a worker that is not running yet gets them when ready */
    guest_publish(g);
}

void guests_drop(struct vgtd *d)
{
    while (d->guests) {
        struct vgtd_guest *g = d->guests;
        d->guests = g->next;
        struct ctl_req *r = g->attach_req;
        g->attach_req = NULL;
        if (r)
            cmd_attach_done(r, NULL, -ECANCELED, "vgtd is stopping");
        guest_free(g);
    }
    while (d->procs) {
        d->procs->g = NULL;
        wproc_free(d->procs);
    }
}

/* ---- xenstore state ------------------------------------------------------ */

static void monitor_to_text(const struct vgt_monitor_config *m, char *out, size_t n)
{
    size_t off = 0;
    out[0] = 0;
    for (unsigned i = 0; i < m->n && off + 300 < n; i++) {
        char hex[2 * VGT_EDID_LEN + 1];
        hex_edid(hex, m->items[i].edid);
        off += snprintf(out + off, n - off, "%s%s,%s,%s,%s", i ? ";" : "",
                        vgt_port_name(m->items[i].port), vgt_port_type_name(m->items[i].type),
                        vgt_port_name(m->items[i].override), hex);
    }
}

static int monitor_from_text(const char *s, struct vgt_monitor_config *m)
{
    memset(m, 0, sizeof(*m));
    _cleanup_free_ char *copy = strdup(s);
    if (!copy)
        return -ENOMEM;
    char *save = NULL;
    for (char *it = strtok_r(copy, ";", &save); it; it = strtok_r(NULL, ";", &save)) {
        char port[16], type[16], over[16], hex[2 * VGT_EDID_LEN + 1];
        if (m->n >= VGT_PORT_MAX ||
            sscanf(it, "%15[^,],%15[^,],%15[^,],%256s", port, type, over, hex) != 4)
            return -EINVAL;
        struct vgt_monitor_item *x = &m->items[m->n];
        int p = vgt_port_from_name(port), t = vgt_port_type_from_name(type),
            o = vgt_port_from_name(over);
        if (p < 0 || t < 0 || o < 0 || strlen(hex) != 2 * VGT_EDID_LEN)
            return -EINVAL;
        x->port = p;
        x->type = t;
        x->override = o;
        for (unsigned i = 0; i < VGT_EDID_LEN; i++) {
            unsigned b;
            if (sscanf(hex + 2 * i, "%2x", &b) != 1)
                return -EINVAL;
            x->edid[i] = b;
        }
        m->n++;
    }
    return 0;
}

struct kv {
    const char *k;
    char v[1400];
};

static int write_all(struct mxen *x, uint32_t t, const char *dir, const struct kv *kv, size_t n,
                     uint32_t owner, int reader)
{
    int r = x->ops->write(x, t, dir, "");
    if (r == 0)
        r = x->ops->set_perms(x, t, dir, owner, reader);
    for (size_t i = 0; r == 0 && i < n; i++) {
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", dir, kv[i].k);
        r = x->ops->write(x, t, path, kv[i].v);
        if (r == 0)
            r = x->ops->set_perms(x, t, path, owner, reader);
    }
    return r;
}

int guest_publish(struct vgtd_guest *g)
{
    struct vgtd *d = g->d;
    struct mxen *x = d->xen;
    const struct vgt_partition *p = &g->part;
    struct kv all[] = {
        { "name", "" }, { "uuid", "" }, { "domid", "" }, { "state", "" }, { "vgt_id", "" }, { "low_base", "" },
        { "low_size", "" }, { "high_base", "" }, { "high_size", "" }, { "fence_base", "" }, { "fence_count", "" },
        { "req_low_mb", "" }, { "req_high_mb", "" }, { "req_fences", "" }, { "vcpus", "" }, { "memory", "" },
        { "pid", "" }, { "indirect", "" }, { "display_ready", "" }, { "failsafe", "" }, { "ports", "" }, { "monitor", "" },
    };
    snprintf(all[0].v, sizeof(all[0].v), "%s", g->name);
    snprintf(all[1].v, sizeof(all[1].v), "%s", g->uuid);
    snprintf(all[2].v, sizeof(all[2].v), "%u", g->domid);
    snprintf(all[3].v, sizeof(all[3].v), "%s", guest_state_name(g->state));
    snprintf(all[4].v, sizeof(all[4].v), "%u", p->vgt_id);
    snprintf(all[5].v, sizeof(all[5].v), "0x%llx", (unsigned long long)p->low_base);
    snprintf(all[6].v, sizeof(all[6].v), "0x%llx", (unsigned long long)p->low_size);
    snprintf(all[7].v, sizeof(all[7].v), "0x%llx", (unsigned long long)p->high_base);
    snprintf(all[8].v, sizeof(all[8].v), "0x%llx", (unsigned long long)p->high_size);
    snprintf(all[9].v, sizeof(all[9].v), "%u", p->fence_base);
    snprintf(all[10].v, sizeof(all[10].v), "%u", p->fence_count);
    snprintf(all[11].v, sizeof(all[11].v), "%llu", (unsigned long long)g->req.low_mb);
    snprintf(all[12].v, sizeof(all[12].v), "%llu", (unsigned long long)g->req.high_mb);
    snprintf(all[13].v, sizeof(all[13].v), "%u", g->req.fences);
    snprintf(all[14].v, sizeof(all[14].v), "%u", g->vcpus);
    snprintf(all[15].v, sizeof(all[15].v), "%llu", (unsigned long long)g->mem_bytes);
    snprintf(all[16].v, sizeof(all[16].v), "%d", g->proc ? (int)g->proc->pid : 0);
    snprintf(all[17].v, sizeof(all[17].v), "%d", g->indirect);
    snprintf(all[18].v, sizeof(all[18].v), "%d", g->display_ready);
    snprintf(all[19].v, sizeof(all[19].v), "%d",
             g->state == GUEST_FAILSAFE || g->failsafe_by_worker);
    size_t off = 0;
    all[20].v[0] = 0;
    for (unsigned i = 0; i < g->monitor.n; i++)
        off += snprintf(all[20].v + off, sizeof(all[20].v) - off, "%s%s", i ? "," : "",
                        vgt_port_name(g->monitor.items[i].port));
    monitor_to_text(&g->monitor, all[21].v, sizeof(all[21].v));

    char dir[160], gdir[64];
    snprintf(dir, sizeof(dir), "/local/domain/0/xen-vgt/vms/%s", g->key);
    snprintf(gdir, sizeof(gdir), "/local/domain/%u/xen-vgt", g->domid);
    /* what the guest may read: its own partition and ports (not the other guests') */
    struct kv mine[] = { { "vgt_id", "" }, { "low_base", "" }, { "low_size", "" }, { "high_base", "" },
                         { "high_size", "" }, { "fence_base", "" }, { "fence_count", "" }, { "ports", "" },
                         { "display_owner", "" } };
    for (unsigned i = 0; i < 7; i++)
        memcpy(mine[i].v, all[4 + i].v, sizeof(mine[i].v));
    memcpy(mine[7].v, all[20].v, sizeof(mine[7].v));
    snprintf(mine[8].v, sizeof(mine[8].v), "%d", g->domid && d->display_owner == g->domid);

    for (int tries = 0; tries < 16; tries++) {
        uint32_t t;
        int r = x->ops->tx_start(x, &t);
        if (r < 0)
            return r;
        r = write_all(x, t, dir, all, VGT_ARRAY_SIZE(all), 0, -1);
        if (r == 0 && g->domid)
            r = write_all(x, t, gdir, mine, VGT_ARRAY_SIZE(mine), 0, (int)g->domid);
        int e = x->ops->tx_end(x, t, r < 0);
        if (r < 0) {
            log_err(g, "cannot write its state to xenstore: %s", vgt_strerror(r));
            return r;
        }
        if (e == -EAGAIN)
            continue;
        return e;
    }
    return -EAGAIN;
}

static uint64_t rd_u64(struct mxen *x, const char *dir, const char *k, bool *ok)
{
    char path[256], *v = NULL, *end;
    snprintf(path, sizeof(path), "%s/%s", dir, k);
    if (x->ops->read(x, 0, path, &v) < 0) {
        *ok = false;
        return 0;
    }
    errno = 0;
    unsigned long long n = strtoull(v, &end, 0);
    if (errno || end == v || *end)
        *ok = false;
    free(v);
    return n;
}

static void rd_str(struct mxen *x, const char *dir, const char *k, char *out, size_t n)
{
    char path[256], *v = NULL;
    snprintf(path, sizeof(path), "%s/%s", dir, k);
    out[0] = 0;
    if (x->ops->read(x, 0, path, &v) == 0)
        snprintf(out, n, "%s", v);
    free(v);
}

/* Is pid (from xenstore) still our worker program?  Never signal anything else. */
static bool is_worker(struct vgtd *d, pid_t pid)
{
    char path[64], cmd[512];
    if (pid <= 1)
        return false;
    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return false;
    size_t n = fread(cmd, 1, sizeof(cmd) - 1, f);
    fclose(f);
    cmd[n] = 0;   /* argv[0] ends at the first NUL */
    const char *a = strrchr(cmd, '/'), *b = strrchr(d->conf.worker, '/');
    return n > 0 && strcmp(a ? a + 1 : cmd, b ? b + 1 : d->conf.worker) == 0;
}

static void restore_one(struct vgtd *d, const char *key)
{
    struct mxen *x = d->xen;
    char dir[160], state[32], *mon = NULL;
    snprintf(dir, sizeof(dir), "/local/domain/0/xen-vgt/vms/%s", key);
    struct vgtd_guest *g = calloc(1, sizeof(*g));
    if (!g)
        return;
    bool ok = true;
    g->d = d;
    snprintf(g->key, sizeof(g->key), "%s", key);
    rd_str(x, dir, "name", g->name, sizeof(g->name));
    rd_str(x, dir, "uuid", g->uuid, sizeof(g->uuid));
    rd_str(x, dir, "state", state, sizeof(state));
    g->domid = rd_u64(x, dir, "domid", &ok);
    g->part.vgt_id = rd_u64(x, dir, "vgt_id", &ok);
    g->part.low_base = rd_u64(x, dir, "low_base", &ok);
    g->part.low_size = rd_u64(x, dir, "low_size", &ok);
    g->part.high_base = rd_u64(x, dir, "high_base", &ok);
    g->part.high_size = rd_u64(x, dir, "high_size", &ok);
    g->part.fence_base = rd_u64(x, dir, "fence_base", &ok);
    g->part.fence_count = rd_u64(x, dir, "fence_count", &ok);
    g->req.low_mb = rd_u64(x, dir, "req_low_mb", &ok);
    g->req.high_mb = rd_u64(x, dir, "req_high_mb", &ok);
    g->req.fences = rd_u64(x, dir, "req_fences", &ok);
    g->vcpus = rd_u64(x, dir, "vcpus", &ok);
    g->mem_bytes = rd_u64(x, dir, "memory", &ok);
    bool pid_ok = true;
    pid_t pid = rd_u64(x, dir, "pid", &pid_ok);
    g->indirect = rd_u64(x, dir, "indirect", &ok);
    g->display_ready = rd_u64(x, dir, "display_ready", &ok);
    char path[256];
    snprintf(path, sizeof(path), "%s/monitor", dir);
    if (x->ops->read(x, 0, path, &mon) < 0 || monitor_from_text(mon, &g->monitor) < 0)
        ok = false;
    free(mon);
    struct vgt_diag diag;
    vgt_diag_init(&diag);
    if (!ok || vgt_alloc_take_exact(d->alloc, &g->part, &diag) < 0) {
        log_err(g, "state in xenstore unusable%s%s: dropped", diag.n ? ": " : "",
                diag.n ? diag.msgs[0] : "");
        vgt_diag_dispose(&diag);
        x->ops->rm(x, 0, dir);
        free(g);
        return;
    }
    vgt_diag_dispose(&diag);
    g->next = d->guests;
    d->guests = g;

    bool reboot;
    if (strcmp(state, "rebooting") == 0 || !g->domid) {
        g->domid = 0;
        g->state = GUEST_STARTING;   /* so that the hold starts from a clean state */
        guest_hold_for_reboot(g);
        return;
    }
    if (domain_gone(d, g->domid, &reboot)) {
        if (reboot)
            guest_hold_for_reboot(g);
        else
            guest_destroy(g, "domain gone while vgtd was not running");
        return;
    }
    g->state = GUEST_STARTING;
    if (pid_ok && is_worker(d, pid) && (g->proc = wproc_new(d, g, pid, false))) {
        g->adopting = true;
        log_info(g, "reattaching to worker %d", pid);
        guest_connect(g);
    } else {
        log_warn(g, "its worker is gone: starting a new one");
        g->state = GUEST_RESTARTING;
        guest_start_worker(g);
    }
}

int guests_restore(struct vgtd *d, struct vgt_diag *diag)
{
    char **names = NULL;
    unsigned n = 0;
    int r = d->xen->ops->directory(d->xen, 0, "/local/domain/0/xen-vgt/vms", &names, &n);
    if (r == -ENOENT)
        return 0;
    if (r < 0)
        return vgt_diag_add(diag, "cannot read the state of vgtd in xenstore: %s",
                            vgt_strerror(r)), r;
    for (unsigned i = 0; i < n; i++)
        restore_one(d, names[i]);
    free(names);
    return 0;
}
