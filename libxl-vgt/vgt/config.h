/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * The vgt_* keys of an xl domain config, read through libxlutil.
 * All errors of a file are reported as "FILE:LINE: KEY: message".
 */
#ifndef VGT_CONFIG_H
#define VGT_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include "vgt/alloc.h"
#include "vgt/error.h"
#include "vgt/monitor.h"
#include "vgt/profile.h"

struct vgt_type {
    const char *name;        /* "V5_4" */
    struct vgt_request req;
    unsigned weight;
    unsigned max_width, max_height;
};
const struct vgt_type *vgt_type_lookup(const char *name); /* NULL if unknown */
const struct vgt_type *vgt_types(unsigned *n);

struct vgt_config {
    bool vgt;                /* vgt=1 */
    char name[64];           /* the domain's name (from `name`) */
    const struct vgt_type *type; /* vgt_type, or NULL when sizes are given */
    struct vgt_request req;  /* sizes (from the type or the keys or defaults) */
    int primary;             /* -1 auto, 0 secondary, 1 primary */
    unsigned cap;            /* 0..100 */
    char *monitor_config_file;  /* NULL if none */
    struct vgt_monitor_config monitor; /* parsed, n = 0 if none */
    unsigned vcpus;
    uint64_t memory_mb;
};

void vgt_config_init(struct vgt_config *c);
void vgt_config_dispose(struct vgt_config *c);

/* out must have been initialised (vgt_config_init); it is reset first.
 * Read FILE plus xl-style "key=value" overrides (as `xl create CFG k=v...`),
 * validate against the profile (NULL: no fit check).  Returns 0, or -EINVAL
 * with every problem in diag, or -ENOENT/-EIO if the file cannot be read. */
int vgt_config_read(const char *file, const char *const *overrides, int n_overrides,
                    const struct vgt_profile *profile, struct vgt_config *out,
                    struct vgt_diag *diag);

/* The same on a config text in memory (name is used in messages). */
#define VGT_CONFIG_NO_FILES 0x1  /* do not open vgt_monitor_config_file, only check the key */
int vgt_config_read_text(const char *name, const char *text, size_t len,
                         const char *const *overrides, int n_overrides,
                         const struct vgt_profile *profile, unsigned flags,
                         struct vgt_config *out, struct vgt_diag *diag);

#endif
