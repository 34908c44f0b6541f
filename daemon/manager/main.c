/* SPDX-License-Identifier: GPL-2.0-only */
/* vgtd: command line, configuration, signals, the event loop. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "vgt/cleanup.h"
#include "daemon/manager/vgtd.h"
#include "daemon/xen/xen-ops.h"

#define DEFAULT_CONF VGT_SYSCONFDIR "/xen-vgt/vgtd.conf"

int mxen_open_real(struct mxen **out)
{
    struct vgt_xen *x = NULL;
    int r = vgt_xen_real_ops.open(NULL, VGT_XEN_STORE | VGT_XEN_CTRL, &x);
    if (r < 0)
        return r;
    r = mxen_from_xen_ops(&vgt_xen_real_ops, x, out);
    if (r < 0)
        vgt_xen_real_ops.close(x);
    return r;
}

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: vgtd [OPTION]...\n"
            "The dom0 daemon of xen-vgt: GPU partitions and a worker per vGPU guest.\n\n"
            "  -c, --config FILE     configuration (default " DEFAULT_CONF ")\n"
            "  -p, --profile NAME    GPU profile (name or path), overrides the file\n"
            "  -s, --socket PATH     control socket, overrides the file\n"
            "  -w, --worker PATH     worker program, overrides the file\n"
            "  -F, --foreground      stay in the foreground, log to stderr\n"
            "  -n, --check-config    read the configuration, report, exit\n"
            "  -v, --verbose         log debug messages\n"
            "  -h, --help            this text\n");
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
    struct vgtd *d = userdata;
    if (si->ssi_signo == SIGHUP) {
        log_info(NULL, "SIGHUP: checking every domain and republishing the state"
                 " (restart vgtd to read a changed configuration; guests keep running)");
        guests_check_domains(d);
        host_rescan(d);
        for (struct vgtd_guest *g = d->guests; g; g = g->next)
            guest_publish(g);
        vgtd_publish_gpu(d);
        return 0;
    }
    log_info(NULL, "signal %u: stopping (workers keep serving their guests)", si->ssi_signo);
    sd_notify(0, "STOPPING=1");
    sd_event_exit(sd_event_source_get_event(s), 0);
    return 0;
}

/* Go to the background once started, the parent exiting with the start's status. */
static int daemonize(int *notify_fd)
{
    int p[2];
    if (pipe(p) < 0)
        return -errno;
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid > 0) {
        close(p[1]);
        char st = 1;
        if (read(p[0], &st, 1) != 1)
            st = 1;
        _exit(st);
    }
    close(p[0]);
    setsid();
    *notify_fd = p[1];
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },  { "profile", required_argument, NULL, 'p' },
        { "socket", required_argument, NULL, 's' },  { "worker", required_argument, NULL, 'w' },
        { "foreground", no_argument, NULL, 'F' },    { "check-config", no_argument, NULL, 'n' },
        { "verbose", no_argument, NULL, 'v' },       { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *file = NULL, *profile = NULL, *sock = NULL, *worker = NULL;
    bool foreground = false, check = false;
    int verbose = 0, c;
    while ((c = getopt_long(argc, argv, "c:p:s:w:Fnvh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': file = optarg; break;
        case 'p': profile = optarg; break;
        case 's': sock = optarg; break;
        case 'w': worker = optarg; break;
        case 'F': foreground = true; break;
        case 'n': check = true; break;
        case 'v': verbose++; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "vgtd: unexpected argument: %s\n", argv[optind]);
        usage(stderr);
        return 2;
    }

    static struct vgtd d;
    struct vgt_diag diag;
    vgt_diag_init(&diag);
    vgtd_conf_init(&d.conf);
    int r = vgtd_conf_read(&d.conf, file ? file : DEFAULT_CONF, file != NULL, &diag);
#define OVERRIDE(f, v) do { if (v) { free(d.conf.f); d.conf.f = strdup(v); } } while (0)
    OVERRIDE(profile, profile);
    OVERRIDE(socket, sock);
    OVERRIDE(worker, worker);
#undef OVERRIDE
    if (r == 0)
        r = vgtd_conf_finish(&d.conf);
    if (r == 0 && check) {   /* the profile and the reservation must fit too */
        struct vgt_profile p;
        r = vgt_profile_load(d.conf.profile, NULL, &p, &diag);
    }
    if (r < 0) {
        vgt_diag_print(&diag, stderr);
        fprintf(stderr, "vgtd: configuration not valid, not starting\n");
        vgt_diag_dispose(&diag);
        vgtd_conf_dispose(&d.conf);
        return 1;
    }
    if (check) {
        printf("%s: OK (profile %s, pci_bdf %s, display owner at boot %s)\n",
               d.conf.file ? d.conf.file : "defaults", d.conf.profile, d.conf.pci_bdf,
               d.conf.owner_at_boot == VGTD_BOOT_GUEST ? "guest" : "dom0");
        vgtd_conf_dispose(&d.conf);
        return 0;
    }

    bool systemd = getenv("NOTIFY_SOCKET") || getenv("JOURNAL_STREAM");
    int notify_fd = -1;
    if (!foreground && !systemd && daemonize(&notify_fd) < 0) {
        fprintf(stderr, "vgtd: cannot go to the background: %m\n");
        return 1;
    }
    vgtd_log_init(systemd || !foreground, verbose ? 7 : 6);

    sigset_t ss;
    sigemptyset(&ss);
    sigaddset(&ss, SIGTERM);
    sigaddset(&ss, SIGINT);
    sigaddset(&ss, SIGHUP);
    sigaddset(&ss, SIGCHLD);
    sigprocmask(SIG_BLOCK, &ss, NULL);
    signal(SIGPIPE, SIG_IGN);

    sd_event *e = NULL;
    struct mxen *x = NULL;
    r = sd_event_default(&e);
    if (r >= 0 && (r = mxen_open_real(&x)) < 0)
        vgt_diag_add(&diag, "cannot open xenstore / Xen: %s (is this dom0 with xenstored running?)",
                     vgt_strerror(r));
    if (r >= 0)
        r = vgtd_start(&d, e, x, &diag);
    if (r < 0) {
        for (size_t i = 0; i < diag.n; i++)
            log_err(NULL, "%s", diag.msgs[i]);
        log_err(NULL, "not started: %s", vgt_strerror(r));
        sd_event_unref(e);
        vgt_diag_dispose(&diag);
        vgtd_conf_dispose(&d.conf);
        return 1;
    }
    vgt_diag_dispose(&diag);
    sd_event_add_signal(e, &d.sig_src[0], SIGTERM, on_signal, &d);
    sd_event_add_signal(e, &d.sig_src[1], SIGINT, on_signal, &d);
    sd_event_add_signal(e, &d.sig_src[2], SIGHUP, on_signal, &d);
    sd_notify(0, "READY=1");
    if (notify_fd >= 0) {
        char ok = 0;
        if (write(notify_fd, &ok, 1) < 0)
            log_warn(NULL, "cannot tell the parent we started");
        close(notify_fd);
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
            close(null);
        }
    }
    r = sd_event_loop(e);
    for (int i = 0; i < 3; i++)
        d.sig_src[i] = sd_event_source_disable_unref(d.sig_src[i]);
    vgtd_stop(&d);
    sd_event_unref(e);
    vgtd_conf_dispose(&d.conf);
    return r < 0 ? 1 : 0;
}
