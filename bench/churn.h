/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Churn simulation of the partition allocator: random create (60%) / destroy
 * (40%) of a mix of requests, counting the requests refused although the total
 * free space would have sufficed (fragmentation).  Shared by bench/packing and
 * the allocator's unit test, so that both measure the same thing.
 */
#ifndef VGT_BENCH_CHURN_H
#define VGT_BENCH_CHURN_H

#include <stdint.h>
#include "vgt/alloc.h"

struct churn {
    uint64_t steps, creates, destroys, refused, fragmented;
    /* fragmented refusals by the resource that had no run long enough
     * (a refusal short of runs in two resources counts in both) */
    uint64_t frag_low, frag_high, frag_fences;
    unsigned peak_live;
};

/* Would q fit if each resource's free space were one run: the same request,
 * with the total free low GM, high GM (in granules) and fences each large
 * enough, and a free vGPU id. */
bool churn_enough_in_total(const struct vgt_allocator *a, const struct vgt_request *q);

/* Run `steps` steps from an empty GPU; adds to *out.  -errno on failure (a
 * release the allocator refused, out of memory). */
int churn_run(const struct vgt_profile *p, const struct vgt_request *mix, unsigned n_mix,
              uint64_t steps, uint64_t seed, struct churn *out);

#endif
