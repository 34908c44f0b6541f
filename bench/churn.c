/* SPDX-License-Identifier: GPL-2.0-only */
/* Churn simulation of the partition allocator (see churn.h). */
#include <errno.h>
#include <string.h>

#include "bench/churn.h"

/* xorshift64: the same sequence on every machine */
static uint64_t next(uint64_t *s, uint64_t n)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s % n;
}

static uint64_t granules_mb(const struct vgt_profile *p, uint64_t mb)
{
    uint64_t g = p->high_gm_granule_mb;

    return (mb + g - 1) / g * g;
}

bool churn_enough_in_total(const struct vgt_allocator *a, const struct vgt_request *q)
{
    struct vgt_resources r;

    vgt_alloc_resources(a, &r);
    return r.low_free_mb >= q->low_mb && r.high_free_mb >= granules_mb(vgt_alloc_profile(a), q->high_mb) &&
           r.fences_free >= q->fences && r.instances_free > 0;
}

static void count_short_runs(const struct vgt_allocator *a, const struct vgt_request *q,
                             struct churn *out)
{
    struct vgt_resources r;

    vgt_alloc_resources(a, &r);
    out->frag_low += r.low_largest_mb < q->low_mb;
    out->frag_high += r.high_largest_mb < granules_mb(vgt_alloc_profile(a), q->high_mb);
    out->frag_fences += r.fences_largest < q->fences;
}

int churn_run(const struct vgt_profile *p, const struct vgt_request *mix, unsigned n_mix,
              uint64_t steps, uint64_t seed, struct churn *out)
{
    struct vgt_allocator *a = vgt_alloc_new(p);
    struct vgt_partition live[VGT_MAX_INSTANCES];
    uint64_t rng = seed ? seed : 1;
    unsigned n = 0;
    int r = 0;

    if (!a)
        return -errno;
    for (uint64_t s = 0; s < steps && r == 0; s++, out->steps++) {
        /* Lean towards creating so that the GPU stays near full, where
         * fragmentation shows. */
        if (n > 0 && next(&rng, 100) < 40) {
            unsigned k = (unsigned)next(&rng, n);

            r = vgt_alloc_release(a, &live[k]);
            live[k] = live[--n];
            out->destroys++;
            continue;
        }
        const struct vgt_request *q = &mix[next(&rng, n_mix)];

        out->creates++;
        if (vgt_alloc_take(a, q, &live[n], NULL) == 0) {
            if (++n > out->peak_live)
                out->peak_live = n;
        } else {
            out->refused++;
            if (churn_enough_in_total(a, q)) {
                out->fragmented++;
                count_short_runs(a, q, out);
            }
        }
    }
    vgt_alloc_free(a);
    return r;
}
