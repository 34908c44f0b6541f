/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xl create with vgt=1, once the vgt keys are valid.
 *
 * The domain is built by the real xl, so that everything else about it is stock
 * xl/libxl.  The vGPU must be attached before the guest first runs, at create and
 * at every reboot (xl reboot or from inside the guest: libxl re-creates the domain,
 * with a new domid, from its saved config, which keeps device_model_override and
 * device_model_args_hvm but not our vgt_* keys).  So the real xl gets two more
 * key=value overrides: device_model_override = our vgt-dm-wrapper, and
 * device_model_args_hvm = the user's list + "--vgt-KEY=VALUE" items.  libxl starts
 * the wrapper as the device model while the domain is still paused; the wrapper
 * asks vgtd to attach that domid, then execs the real QEMU.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libxlutil.h>

#include "libvgt.h"
#include "vgt/cleanup.h"
#include "xl-plugin/front.h"

#define CMD "create"

const char *xlv_dm_wrapper_path(void)
{
    const char *p = getenv("VGT_DM_WRAPPER");

    return p && *p ? p : VGT_DM_WRAPPER;
}

/* The settings of the final config (file, then the overrides in order; the last wins). */
static XLU_Config *read_final(const char *file, const char *const *ov, int n)
{
    XLU_Config *c = xlu_cfg_init(stderr, file);

    if (!c)
        return NULL;
    if (xlu_cfg_readfile(c, file) != 0)
        goto fail;
    for (int i = 0; i < n; i++) {
        _cleanup_free_ char *line = NULL;
        if (asprintf(&line, "%s\n", ov[i]) < 0 || xlu_cfg_readdata(c, line, strlen(line)) != 0)
            goto fail;
    }
    return c;
fail:
    xlu_cfg_destroy(c);
    return NULL;
}

/* Append "s" quoted for xl's config syntax; false if it cannot be written there. */
static bool quote(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
    return true;
}

/* The wrapper's arguments for this config (see vgt-dm-wrapper.c), malloc'd. */
static int wrapper_args(const struct vgt_config *cfg, char *items[16], int *n)
{
    char mc[PATH_MAX];
    int k = 0, bad = 0;

#define ADD(...) (bad |= asprintf(&items[k++], __VA_ARGS__) < 0)
    ADD("--vgt-low-mb=%llu", (unsigned long long)cfg->req.low_mb);
    ADD("--vgt-high-mb=%llu", (unsigned long long)cfg->req.high_mb);
    ADD("--vgt-fences=%u", cfg->req.fences);
    if (cfg->type)
        ADD("--vgt-type=%s", cfg->type->name);
    ADD("--vgt-primary=%d", cfg->primary);
    ADD("--vgt-cap=%u", cfg->cap);
    if (cfg->vcpus)
        ADD("--vgt-vcpus=%u", cfg->vcpus);
    if (cfg->memory_mb)
        ADD("--vgt-memory-mb=%llu", (unsigned long long)cfg->memory_mb);
    /* vgtd reads the monitor config at every attach (reboots too): an absolute path */
    if (cfg->monitor_config_file && realpath(cfg->monitor_config_file, mc))
        ADD("--vgt-monitor-config=%s", mc);
    else if (cfg->monitor_config_file)
        bad = -errno;
    /* Settings from the environment of xl create are kept for reboots too; libxl
     * runs the device model in /, so the socket path is made absolute. */
    const char *sock = getenv(VGT_PROTO_SOCKET_ENV), *qemu = getenv("VGT_QEMU");
    if (sock && *sock == '/')
        ADD("--vgt-socket=%s", sock);
    else if (sock && *sock && getcwd(mc, sizeof(mc)))
        ADD("--vgt-socket=%s/%s", mc, sock);
    if (qemu && *qemu == '/')
        ADD("--vgt-qemu=%s", qemu);
#undef ADD
    *n = k;
    return bad < 0 ? bad : bad ? -ENOMEM : 0;
}

static void free_items(char *items[16], int n)
{
    for (int i = 0; i < n; i++)
        free(items[i]);
}

int xlv_create_argv(const struct vgt_config *cfg, const char *file, int argc, char **argv,
                    char **orig_argv, char ***out)
{
    _cleanup_free_ const char **ov = calloc(argc + 1, sizeof(*ov));
    _cleanup_free_ char *dmo = NULL, *args = NULL;
    XLU_Config *x = NULL;
    XLU_ConfigList *list = NULL;
    const char *s = NULL;
    char *wargs[16] = { NULL };
    long l = 0;
    int n = 0, nlist = 0, nw = 0, r;
    size_t len;

    if (!ov)
        return xlv_fail(CMD, -ENOMEM, "out of memory");
    /* The user's key=value overrides, as xl reads them (options skipped). */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--defconfig") == 0)
            i++;
        else if (argv[i][0] != '-' && strchr(argv[i], '='))
            ov[n++] = argv[i];
    }
    x = read_final(file, ov, n);
    if (!x)
        return xlv_fail(CMD, -EINVAL, "%s: cannot read the config again", file);
    if (xlu_cfg_get_string(x, "device_model_override", &s, 1) == 0) {
        r = xlv_fail(CMD, -EINVAL, "%s: device_model_override is set (\"%s\"): with vgt=1 "
                     "the device model is xen-vgt's wrapper, which attaches the vGPU and "
                     "runs QEMU; remove the key (to choose the QEMU, set VGT_QEMU=PATH for "
                     "xl create)", file, s);
        xlu_cfg_destroy(x);
        return r;
    }
    if (xlu_cfg_get_long(x, "device_model_stubdomain_override", &l, 1) == 0 && l) {
        xlu_cfg_destroy(x);
        return xlv_fail(CMD, -EINVAL, "%s: device_model_stubdomain_override=1: a vGPU guest "
                        "needs its device model in dom0", file);
    }
    if (xlu_cfg_get_string(x, "device_model_version", &s, 1) == 0 &&
        strcmp(s, "qemu-xen") != 0) {
        r = xlv_fail(CMD, -EINVAL, "%s: device_model_version=\"%s\": vgt=1 needs "
                     "\"qemu-xen\"", file, s);
        xlu_cfg_destroy(x);
        return r;
    }
    if (!((xlu_cfg_get_string(x, "type", &s, 1) == 0 && strcmp(s, "hvm") == 0) ||
          (xlu_cfg_get_string(x, "builder", &s, 1) == 0 && strcmp(s, "hvm") == 0))) {
        xlu_cfg_destroy(x);
        return xlv_fail(CMD, -EINVAL, "%s: vgt=1 needs an HVM guest (type=\"hvm\")", file);
    }
    r = wrapper_args(cfg, wargs, &nw);
    if (r < 0) {
        xlu_cfg_destroy(x);
        free_items(wargs, nw);
        return xlv_fail(CMD, -EINVAL, "%s: vgt_monitor_config_file %s: %s", file,
                        cfg->monitor_config_file, vgt_strerror(r));
    }

    /* device_model_args_hvm = [the user's items..., ours...] */
    FILE *f = open_memstream(&args, &len);
    bool good = f != NULL;
    if (f) {
        fputs("device_model_args_hvm=[", f);
        if (xlu_cfg_get_list(x, "device_model_args_hvm", &list, &nlist, 1) != 0)
            nlist = 0;
        for (int i = 0; i < nlist && good; i++) {
            const char *it = xlu_cfg_get_listitem(list, i);
            if (it && strncmp(it, "--vgt-", 6) == 0)
                continue; /* ours from an earlier run: replaced below */
            good = it && quote(f, it);
            fputc(',', f);
        }
        for (int i = 0; i < nw && good; i++) {
            good = quote(f, wargs[i]);
            fputc(i + 1 < nw ? ',' : ']', f);
        }
        good = fclose(f) == 0 && good;
    }
    xlu_cfg_destroy(x);
    free_items(wargs, nw);
    if (!good)
        return xlv_fail(CMD, -EINVAL, "%s: a device_model_args_hvm item or the monitor config "
                        "path has a control character", file);
    if (asprintf(&dmo, "device_model_override=\"%s\"", xlv_dm_wrapper_path()) < 0)
        return xlv_fail(CMD, -ENOMEM, "out of memory");

    /* The real xl gets our argv unchanged plus the two settings, last so they win. */
    int orig = 0;
    while (orig_argv[orig])
        orig++;
    char **nargv = calloc(orig + 3, sizeof(*nargv));
    if (!nargv)
        return xlv_fail(CMD, -ENOMEM, "out of memory");
    memcpy(nargv, orig_argv, orig * sizeof(*nargv));
    nargv[orig] = take_ptr(dmo);
    nargv[orig + 1] = take_ptr(args);
    *out = nargv;
    return 0;
}

/* Would the request fit now?  vgtd decides at attach; this only says it early. */
static int check_fit(struct vgt_client *c, const struct vgt_config *cfg)
{
    _cleanup_dispose_(vgt_info) struct vgt_info i;
    const struct vgt_resources *r = &i.res;
    int rc;

    vgt_info_init(&i);
    rc = vgt_client_info(c, &i);
    if (rc < 0)
        return xlv_client_fail(CMD, c, rc);
    if (r->instances_free == 0)
        return xlv_fail(CMD, -ENOSPC, "%s: all %u vGPU instances are in use, nothing created "
                        "(see xl vgt-list)", cfg->name, r->instances_total);
    if (r->low_largest_mb < cfg->req.low_mb)
        return xlv_fail(CMD, -ENOSPC, "%s: low GM: asked %llu MB, largest free run %llu MB, "
                        "nothing created (see xl vgt-info)", cfg->name,
                        (unsigned long long)cfg->req.low_mb,
                        (unsigned long long)r->low_largest_mb);
    if (r->high_largest_mb < cfg->req.high_mb)
        return xlv_fail(CMD, -ENOSPC, "%s: high GM: asked %llu MB, largest free run %llu MB, "
                        "nothing created (see xl vgt-info)", cfg->name,
                        (unsigned long long)cfg->req.high_mb,
                        (unsigned long long)r->high_largest_mb);
    if (r->fences_largest < cfg->req.fences)
        return xlv_fail(CMD, -ENOSPC, "%s: fences: asked %u, largest free run %u, nothing "
                        "created (see xl vgt-info)", cfg->name, cfg->req.fences,
                        r->fences_largest);
    return 0;
}

/* libxl keeps the device model's stderr in XEN_LOG_DIR/qemu-dm-NAME.log (a new one
 * per start): when the create failed, show what the wrapper said there. */
static void relay_wrapper_log(const char *name)
{
    const char *dir = getenv("VGT_XEN_LOG_DIR");
    _cleanup_free_ char *path = NULL;
    _cleanup_fclose_ FILE *f = NULL;
    char line[1024];

    if (asprintf(&path, "%s/qemu-dm-%s.log", dir && *dir ? dir : "/var/log/xen", name) < 0)
        return;
    f = fopen(path, "r");
    while (f && fgets(line, sizeof(line), f)) {
        const char *w = strstr(line, "vgt-dm-wrapper: ");
        if (w)
            fprintf(stderr, "xl: create: %s", w);
    }
}

/* The real xl as a child, so that a failure can be explained afterwards; its exit
 * status is returned unchanged (128+N if signal N ended it). */
static int run_real_xl(char **argv, const char *name)
{
    struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
    int st = 0;
    pid_t pid;

    sigaction(SIGINT, &ign, &old_int);   /* as system(): ^C is for xl */
    sigaction(SIGQUIT, &ign, &old_quit);
    pid = fork();
    if (pid == 0) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGQUIT, &old_quit, NULL);
        _exit(xlv_exec_real_xl(argv));
    }
    while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGQUIT, &old_quit, NULL);
    if (pid < 0)
        return xlv_fail(CMD, -errno, "cannot start the real xl: %s", strerror(errno));
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (code != 0 && code != 127)
        relay_wrapper_log(name);
    return code;
}

int xlv_create_vgt(const struct vgt_config *cfg, const char *cfgfile, int argc, char **argv,
                   const struct xlv_opts *o)
{
    _cleanup_dispose_(vgt_client) struct vgt_client c;
    char **nargv = NULL;
    int r;

    vgt_client_init(&c);
    r = vgt_client_connect(&c, NULL);
    if (r < 0)
        return xlv_fail(CMD, r, "%s, nothing created (start it: systemctl start vgtd)", c.error);
    if ((r = check_fit(&c, cfg)) != 0)
        return r;
    vgt_client_dispose(&c);
    if (access(xlv_dm_wrapper_path(), X_OK) < 0)
        return xlv_fail(CMD, -ENOENT, "the device-model wrapper %s is missing: %s, nothing "
                        "created", xlv_dm_wrapper_path(), strerror(errno));
    if ((r = xlv_create_argv(cfg, cfgfile, argc, argv, o->orig_argv, &nargv)) != 0)
        return r;
    if (o->verbose)
        fprintf(stderr, "xl: create: %s: the vGPU is attached by %s when the device model "
                "starts\n", cfg->name, xlv_dm_wrapper_path());
    fflush(NULL);
    r = run_real_xl(nargv, cfg->name);
    int orig = 0;
    while (o->orig_argv[orig])
        orig++;
    free(nargv[orig]);      /* the two settings we added */
    free(nargv[orig + 1]);
    free(nargv);
    return r;
}
