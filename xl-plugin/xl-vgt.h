/* SPDX-License-Identifier: GPL-2.0-only */
/* xl-vgt: the xl front.  One table of commands (main.c); each command in cmd_*.c. */
#ifndef XL_VGT_H
#define XL_VGT_H

#include <stdbool.h>
#include <stdio.h>

/* Exit statuses, one per kind of failure (listed in xl-vgt(1)). */
enum xlv_exit {
    XLV_OK = 0,
    XLV_EFAIL = 1,        /* any other failure */
    XLV_EUSAGE = 2,       /* bad command line */
    XLV_ECONFIG = 3,      /* invalid domain config (vgt keys) */
    XLV_ENODAEMON = 4,    /* vgtd is not running */
    XLV_ENODOMAIN = 5,    /* unknown domain */
    XLV_ENOPORT = 6,      /* unknown port */
    XLV_EEDID = 7,        /* bad EDID */
    XLV_EPERM = 8,        /* permission denied */
    XLV_ENOSPC = 9,       /* not enough GPU resources */
    XLV_EPROTO = 10,      /* vgtd speaks another protocol version */
    XLV_ENOTREADY = 11,   /* the guest's display is not ready (use --force) */
};

/* Global options, as xl's own: xl [-v] [-N] [-f] [-t] [-T] COMMAND ... */
struct xlv_opts {
    int verbose;
    bool dry_run;         /* -N */
    bool force;           /* -f */
    const char *profile;  /* --profile or $VGT_PROFILE (for commands run without vgtd) */
    char **orig_argv;     /* for passing commands on to the real xl */
};

struct xlv_cmd {
    const char *name;
    int (*fn)(int argc, char **argv, const struct xlv_opts *o);
    bool changes_state;   /* -N is a dry run for it */
    const char *summary;
    const char *usage;
};

/* Commands (cmd_*.c). argv[0] is the command name. */
int main_create(int argc, char **argv, const struct xlv_opts *o);
int main_vgt_edid(int argc, char **argv, const struct xlv_opts *o);
int main_vgt_list(int argc, char **argv, const struct xlv_opts *o);
int main_vgt_info(int argc, char **argv, const struct xlv_opts *o);
int main_vgt_switch(int argc, char **argv, const struct xlv_opts *o);
int main_vgt_hotplug(int argc, char **argv, const struct xlv_opts *o);
int main_vgt_screenshot(int argc, char **argv, const struct xlv_opts *o);

/* create with vgt=1 once the config is valid: ask vgtd, build the domain with the
 * real xl so that the vGPU is attached before the guest first runs (create_vgt.c). */
struct vgt_config;
int xlv_create_vgt(const struct vgt_config *cfg, const char *cfgfile, int argc, char **argv,
                   const struct xlv_opts *o);

/* Run Debian's real xl with these arguments (never returns on success). */
int xlv_exec_real_xl(char **argv);
/* Map a negative errno from libvgt / the client library to an exit status. */
int xlv_exit_from_err(int negerr);
const struct xlv_cmd *xlv_find_cmd(const char *name);
void xlv_usage(const struct xlv_cmd *c, FILE *f);

#endif
