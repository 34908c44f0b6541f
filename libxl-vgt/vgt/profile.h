/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * GPU profiles: what a physical GPU offers, as data.  Profiles are files in
 * xl config syntax (parsed with libxlutil), shipped in $(pkgdatadir)/profiles/
 * as NAME.profile; a path may be given instead of a name.
 */
#ifndef VGT_PROFILE_H
#define VGT_PROFILE_H

#include <stdint.h>
#include "vgt/error.h"

#define VGT_MB (1024ull * 1024ull)

struct vgt_profile {
    char name[32];          /* short name, e.g. "skl-gt2" */
    char description[96];   /* e.g. "Intel Skylake GT2 (HD Graphics 530)" */
    unsigned gen;           /* GPU generation: 8 (Broadwell), 9 (Skylake, Kaby Lake) */
    uint16_t device_id;     /* PCI device id shown to guests */
    uint64_t aperture_mb;   /* CPU-visible ("low") GM = BAR2 size */
    uint64_t ggtt_mb;       /* total global GM (low + high) */
    unsigned fences;        /* physical fence registers */
    uint64_t host_low_mb;   /* dom0's share, at the bottom of low GM */
    uint64_t host_high_mb;  /* dom0's share, at the bottom of high GM */
    unsigned host_fences;   /* dom0's fences, the first ones */
    uint64_t reserved_top_mb; /* kept free at the top of the aperture */
    unsigned max_instances; /* vGPU instances besides dom0 */
    uint64_t high_gm_granule_mb; /* high GM allocation unit (64 MB in the original) */
};

/* Name of the default profile. */
const char *vgt_profile_default_name(void);

/* Load a profile: NAME_OR_PATH is a path if it contains '/', else a shipped
 * profile name looked up in dir (NULL: the installed profile directory, or
 * $VGT_PROFILE_DIR).  Errors go to diag with file and line. */
int vgt_profile_load(const char *name_or_path, const char *dir, struct vgt_profile *out,
                     struct vgt_diag *diag);

#endif
