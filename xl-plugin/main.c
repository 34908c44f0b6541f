/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xl-vgt: installed in front of Debian's xl.  It takes the vgt-* commands and
 * the ones that must know about vGPUs; every other command goes to the real xl
 * unchanged (same argv, so output and exit status are xl's own).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xl-plugin/xl-vgt.h"

static const struct xlv_cmd cmds[] = {
    { "create", main_create, true, "Create a domain; with vgt=1 its vGPU is attached first",
      "[-N] create [-p] [-c] [-F] [-e] [-V] CFG [key=value...]" },
    { "vgt-list", main_vgt_list, false, "List the vGPU guests", "vgt-list [--json]" },
    { "vgt-info", main_vgt_info, false, "Show free and total GPU resources",
      "vgt-info [--json]" },
    { "vgt-switch", main_vgt_switch, true, "Give the display to a guest, or to dom0 (0)",
      "[-N] vgt-switch [--force] DOMAIN|0" },
    { "vgt-hotplug", main_vgt_hotplug, true, "Connect or disconnect a guest's virtual monitor",
      "[-N] vgt-hotplug DOMAIN PORT connect --edid FILE [--type T] [--override PORT]\n"
      "       [-N] vgt-hotplug DOMAIN PORT disconnect" },
    { "vgt-screenshot", main_vgt_screenshot, false, "Save a guest's screen as PNG",
      "vgt-screenshot DOMAIN FILE.png" },
    { "vgt-edid", main_vgt_edid, false, "Check and decode EDID files",
      "vgt-edid [--json] FILE..." },
};

const struct xlv_cmd *xlv_find_cmd(const char *name)
{
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (strcmp(cmds[i].name, name) == 0)
            return &cmds[i];
    return NULL;
}

void xlv_usage(const struct xlv_cmd *c, FILE *f)
{
    if (c) {
        fprintf(f, "Usage: xl %s\n\n%s.\n", c->usage, c->summary);
        return;
    }
    fprintf(f, "Usage: xl [-v] [-N] [-f] [--profile NAME|FILE] <subcommand> [args]\n\n"
               "vGPU commands (xen-vgt); every other subcommand is xl's own:\n");
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        fprintf(f, " %-16s%s\n", cmds[i].name, cmds[i].summary);
}

int xlv_exit_from_err(int negerr)
{
    switch (negerr) {
    case 0: return XLV_OK;
    case -EINVAL: return XLV_ECONFIG;
    case -ECONNREFUSED: case -ENOTCONN: return XLV_ENODAEMON;
    case -ESRCH: return XLV_ENODOMAIN;
    case -ENXIO: return XLV_ENOPORT;
    case -EBADMSG: return XLV_EEDID;
    case -EPERM: case -EACCES: return XLV_EPERM;
    case -ENOSPC: return XLV_ENOSPC;
    case -EPROTO: return XLV_EPROTO;
    case -EAGAIN: return XLV_ENOTREADY;
    default: return XLV_EFAIL;
    }
}

int xlv_exec_real_xl(char **argv)
{
    const char *real = getenv("VGT_REAL_XL");

    if (!real || !*real)
        real = VGT_REAL_XL;
    /* Never run ourselves again (a VGT_REAL_XL pointing back at the front would loop). */
    char self[4096], target[4096];
    if (realpath("/proc/self/exe", self) && realpath(real, target) && strcmp(self, target) == 0) {
        fprintf(stderr, "xl: %s is xen-vgt's front itself, not Debian's xl\n", real);
        return 127;
    }
    argv[0] = (char *)real;
    execv(real, argv);
    fprintf(stderr, "xl: cannot run the real xl (%s): %s\n", real, strerror(errno));
    return 127;
}

int main(int argc, char **argv)
{
    struct xlv_opts o = { .orig_argv = argv, .profile = getenv("VGT_PROFILE") };
    const struct xlv_cmd *c;
    int opt;

    /* Global options exactly as xl takes them; stop at the subcommand. */
    static const struct option longopts[] = {
        { "profile", required_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    opterr = 0; /* an option we do not know is the real xl's to judge */
    while ((opt = getopt_long(argc, argv, "+vNfthT", longopts, NULL)) != -1) {
        switch (opt) {
        case 'P': o.profile = optarg; break; /* ours: the GPU profile when vgtd is not asked */
        case 'v': o.verbose++; break;
        case 'N': o.dry_run = true; break;
        case 'f': o.force = true; break;
        case 't': case 'T': break; /* xl's timestamp options: only the real xl uses them */
        case 'h': xlv_usage(NULL, stdout); return XLV_OK;
        default: return xlv_exec_real_xl(argv);
        }
    }
    /* The real xl does not know --profile: take it out of what it may be given. */
    int opts_end = optind, j = 1;
    for (int i = 1; i <= argc; i++) { /* argv[argc] is the NULL terminator */
        if (i < opts_end && strncmp(argv[i], "--profile", 9) == 0) {
            if (argv[i][9] == '\0')
                i++; /* "--profile X": skip X too */
            continue;
        }
        argv[j++] = argv[i];
    }
    optind -= argc - (j - 1);
    argc = j - 1;
    if (optind >= argc)
        return xlv_exec_real_xl(argv);
    c = xlv_find_cmd(argv[optind]);
    if (!c)
        return xlv_exec_real_xl(argv);
    opterr = 1; /* the commands report their own bad options */
    int first = optind;
    optind = 0; /* each command parses its own options with a fresh getopt */
    return c->fn(argc - first, argv + first, &o);
}
