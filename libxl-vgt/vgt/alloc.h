/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * Partition allocator: low GM in 1 MB units, high GM in granules, fences as a
 * contiguous run (zeroed on allocate and free).  A request is granted exactly
 * when first fit (the original's rule) would grant it; where low and high GM
 * go is chosen to fragment less (aligned starts, flush against the edge or a
 * partition of the same size, breaking the fewest free power-of-two blocks;
 * see place() in alloc.c), fences by first fit.  Pure logic.
 * Addresses are GM (graphics memory) byte addresses.
 */
#ifndef VGT_ALLOC_H
#define VGT_ALLOC_H

#include <stdbool.h>
#include <stdint.h>
#include "vgt/error.h"
#include "vgt/profile.h"

#define VGT_MAX_FENCES 64
#define VGT_MAX_INSTANCES 64

struct vgt_request {
    uint64_t low_mb;
    uint64_t high_mb;
    unsigned fences;
};

struct vgt_partition {
    unsigned vgt_id;         /* 1..max_instances; 0 is the host */
    uint64_t low_base, low_size;   /* bytes */
    uint64_t high_base, high_size; /* bytes */
    unsigned fence_base, fence_count;
};

struct vgt_resources {      /* totals and free space, in MB and fences */
    uint64_t low_total_mb, low_free_mb, low_largest_mb;
    uint64_t high_total_mb, high_free_mb, high_largest_mb;
    unsigned fences_total, fences_free, fences_largest;
    unsigned instances_total, instances_free;
};

struct vgt_allocator;        /* opaque */

/* The host reservation of the profile is taken at creation. */
struct vgt_allocator *vgt_alloc_new(const struct vgt_profile *p);
void vgt_alloc_free(struct vgt_allocator *a);

/* Allocate (high GM is rounded up to whole granules); on -ENOSPC diag says which resource is short, by how much and what
 * is free, e.g. "low GM: asked 128 MB, largest free run 96 MB, 96 MB free of 384 MB". */
int vgt_alloc_take(struct vgt_allocator *a, const struct vgt_request *req,
                   struct vgt_partition *out, struct vgt_diag *diag);
/* Take exactly this partition (restart recovery, reboot); -EBUSY if any part is in use. */
int vgt_alloc_take_exact(struct vgt_allocator *a, const struct vgt_partition *p,
                         struct vgt_diag *diag);
/* Return a partition; -ENOENT if it is not allocated as given. */
int vgt_alloc_release(struct vgt_allocator *a, const struct vgt_partition *p);

void vgt_alloc_resources(const struct vgt_allocator *a, struct vgt_resources *out);
/* How many more requests like req would fit now (by simulated first fit, so
 * fragmentation is accounted for). */
unsigned vgt_alloc_fit_count(const struct vgt_allocator *a, const struct vgt_request *req);
/* Would req fit on an empty GPU of this profile at all?  (-ENOSPC + diag if not) */
int vgt_alloc_check_fits_profile(const struct vgt_profile *p, const struct vgt_request *req,
                                 struct vgt_diag *diag);

/* Serialise the allocator state (text: "vgt-alloc 1", the profile's geometry, one
 * line per partition) and restore it (all or nothing; -EINVAL with line numbers). */
int vgt_alloc_serialize(const struct vgt_allocator *a, char **out);
int vgt_alloc_restore(struct vgt_allocator *a, const char *text, struct vgt_diag *diag);

/* Fence register values of the partition are the allocator's to zero: */
void vgt_alloc_fence_values(const struct vgt_allocator *a, uint64_t *vals, unsigned n);
/* Write a fence register on behalf of a guest: -EPERM unless vgt_id owns it. */
int vgt_alloc_fence_write(struct vgt_allocator *a, unsigned vgt_id, unsigned fence, uint64_t val);

/* The partition of a guest, read back from the allocator (-ENOENT if none). */
int vgt_alloc_partition(const struct vgt_allocator *a, unsigned vgt_id, struct vgt_partition *out);
const struct vgt_profile *vgt_alloc_profile(const struct vgt_allocator *a);

#endif
