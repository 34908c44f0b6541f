/* SPDX-License-Identifier: LGPL-2.1-only */
/* Partition allocator: first fit, placement, messages with figures, fences
 * zeroed, exact release, state round trip, fragmentation under churn, and a
 * property test of random sequences. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"
#include "vgt/alloc.h"
#include "bench/churn.h"

static const struct vgt_profile skl = {
    .name = "skl-gt2", .gen = 9, .device_id = 0x1912, .aperture_mb = 512, .ggtt_mb = 4096,
    .fences = 32, .host_low_mb = 96, .host_high_mb = 384, .host_fences = 4,
    .reserved_top_mb = 32, .max_instances = 15, .high_gm_granule_mb = 64,
};
static const struct vgt_profile small = {   /* tight, so that random runs hit every limit */
    .name = "small", .gen = 9, .device_id = 0x1912, .aperture_mb = 64, .ggtt_mb = 320,
    .fences = 8, .host_low_mb = 8, .host_high_mb = 32, .host_fences = 1,
    .reserved_top_mb = 4, .max_instances = 6, .high_gm_granule_mb = 16,
};

static const char *last(const struct vgt_diag *d)
{
    return d->n ? d->msgs[d->n - 1] : "";
}

static void basic(void)
{
    struct vgt_allocator *a = vgt_alloc_new(&skl);
    struct vgt_request r128 = { 128, 384, 4 }, r32 = { 32, 64, 2 };
    struct vgt_partition p[4], q;
    struct vgt_resources res;
    struct vgt_diag d;
    uint64_t fv[32];
    char *s = NULL;

    vgt_diag_init(&d);
    ok(a != NULL, "allocator for skl-gt2");
    vgt_alloc_resources(a, &res);
    is_int(res.low_total_mb, 384, "low total 384 MB (after host 96 and reserved 32)");
    is_int(res.low_free_mb, 384, "all low free");
    is_int(res.high_total_mb, 3200, "high total 3584 - 384");
    is_int(res.fences_total, 28, "fences total 28");
    is_int(res.instances_total, 15, "15 instances");
    is_int(vgt_alloc_fit_count(a, &r128), 3, "3 guests of 128 MB fit (the guide's 'up to 3')");

    is_int(vgt_alloc_take(a, &r128, &p[0], &d), 0, "first guest");
    is_int(p[0].vgt_id, 1, "vgt id 1");
    /* 384 MB for guests = a 256 MB block + a 128 MB block: the first 128 MB
     * partition takes the 128 MB block and keeps the 256 MB one whole. */
    is_int(p[0].low_base, (96 + 256) * VGT_MB, "low GM in the top 128 MB block");
    is_int(p[0].low_size, 128 * VGT_MB, "low size");
    ok(p[0].high_base >= (512 + 384) * VGT_MB &&
       p[0].high_base + p[0].high_size <= 4096 * VGT_MB, "high GM above aperture and host high");
    is_int(p[0].high_size, 384 * VGT_MB, "high size");
    is_int(p[0].fence_base, 4, "fences after the host's 4");
    is_int(p[0].fence_count, 4, "4 fences");
    is_int(vgt_alloc_take(a, &r128, &p[1], &d), 0, "second guest");
    is_int(p[1].vgt_id, 2, "vgt id 2");
    is_int(p[1].low_base, 96 * VGT_MB, "second at the bottom of the guests' region");
    is_int(vgt_alloc_take(a, &r32, &p[2], &d), 0, "third, small");
    is_int(p[2].low_base, 224 * VGT_MB, "small one in what is left");
    is_int(d.n, 0, "no messages while it fits");
    is_int(vgt_alloc_take(a, &r128, &p[3], &d), -ENOSPC, "fourth does not fit");
    is_str(last(&d), "low GM: asked 128 MB, largest free run 96 MB, 96 MB free of 384 MB",
           "says what is short and what is free");
    vgt_diag_dispose(&d);

    /* Fragmentation: free the second; 128 + 96 free but not contiguous. */
    is_int(vgt_alloc_release(a, &p[1]), 0, "release second");
    is_int(vgt_alloc_release(a, &p[1]), -ENOENT, "double release refused");
    vgt_alloc_resources(a, &res);
    is_int(res.low_free_mb, 224, "224 MB free");
    is_int(res.low_largest_mb, 128, "largest run 128");
    struct vgt_request r160 = { 160, 64, 1 };
    is_int(vgt_alloc_take(a, &r160, &q, &d), -ENOSPC, "160 MB does not fit in pieces");
    is_str(last(&d), "low GM: asked 160 MB, largest free run 128 MB, 224 MB free of 384 MB",
           "fragmentation is visible in the message");
    vgt_diag_dispose(&d);
    is_int(vgt_alloc_fit_count(a, &r128), 1, "fit count follows first fit (1, not 224/128)");
    is_int(vgt_alloc_take(a, &r128, &p[1], &d), 0, "retake");
    is_int(p[1].vgt_id, 2, "lowest free id again");

    /* Placement: a small partition goes where it breaks no larger free block,
     * so that a 256 MB one still fits next to it (plain first fit would put the
     * 64 MB at the bottom and then refuse the 256 MB). */
    {
        struct vgt_allocator *c = vgt_alloc_new(&skl);
        struct vgt_request r64 = { 64, 64, 1 }, r256 = { 256, 1024, 4 };
        struct vgt_partition x, y;
        struct vgt_resources rs;

        vgt_alloc_take(c, &r64, &x, NULL);
        is_int(x.low_base, (96 + 320) * VGT_MB, "64 MB at the top of the 128 MB block");
        is_int(vgt_alloc_take(c, &r256, &y, NULL), 0, "a 256 MB partition still fits");
        is_int(y.low_base, 96 * VGT_MB, "in the whole 256 MB block");
        vgt_alloc_release(c, &x);
        vgt_alloc_resources(c, &rs);
        is_int(rs.low_largest_mb, 128, "the 64 MB hole merged back into a 128 MB run");
        vgt_alloc_free(c);
    }

    /* Partial / wrong release is refused and changes nothing. */
    q = p[0];
    q.low_size -= VGT_MB;
    is_int(vgt_alloc_release(a, &q), -ENOENT, "release of a partial partition refused");
    q = p[0];
    q.vgt_id = 2;
    is_int(vgt_alloc_release(a, &q), -ENOENT, "release under another id refused");

    /* Fences: written values are zeroed on release and on allocate. */
    is_int(vgt_alloc_fence_write(a, 1, 4, 0x1234), 0, "guest 1 writes its fence");
    is_int(vgt_alloc_fence_write(a, 1, 8, 0x1), -EPERM, "not another guest's fence");
    is_int(vgt_alloc_fence_write(a, 1, 0, 0x1), -EPERM, "nor the host's");
    vgt_alloc_fence_values(a, fv, 32);
    is_int(fv[4], 0x1234, "value kept");
    is_int(vgt_alloc_release(a, &p[0]), 0, "release first");
    vgt_alloc_fence_values(a, fv, 32);
    is_int(fv[4], 0, "zeroed on release");

    /* take_exact: recovery of a known partition; overlaps named. */
    is_int(vgt_alloc_take_exact(a, &p[0], &d), 0, "take_exact the released partition");
    is_int(vgt_alloc_take_exact(a, &p[0], &d), -EBUSY, "again: busy");
    ok(d.n >= 2 && strcmp(d.msgs[0], "partition: vgt id 1 is in use") == 0, "id busy named");
    ok(d.n >= 2 && strcmp(d.msgs[1], "partition: low GM 0x16000000+0x8000000 overlaps vgt 1") == 0,
       "overlap named");
    vgt_diag_dispose(&d);
    q = (struct vgt_partition){ .vgt_id = 9, .low_base = 0, .low_size = VGT_MB };
    is_int(vgt_alloc_take_exact(a, &q, &d), -EBUSY, "host's low GM refused");
    is_str(last(&d), "partition: low GM 0x0+0x100000 overlaps the host reservation", "named");
    vgt_diag_dispose(&d);
    q = (struct vgt_partition){ .vgt_id = 9, .low_base = 100 * VGT_MB + 1, .low_size = VGT_MB };
    is_int(vgt_alloc_take_exact(a, &q, &d), -EINVAL, "misaligned refused");
    vgt_diag_dispose(&d);

    /* Serialise / restore. */
    is_int(vgt_alloc_serialize(a, &s), 0, "serialise");
    is_str(s, "vgt-alloc 1\nprofile skl-gt2 aperture_mb=512 ggtt_mb=4096 fences=32 "
              "host_low_gm_mb=96 host_high_gm_mb=384 host_fences=4 reserved_top_mb=32 "
              "max_instances=15 high_gm_granule_mb=64\n"
              "vgt 1 low 0x16000000 0x8000000 high 0xe8000000 0x18000000 fences 4 4\n"
              "vgt 2 low 0x6000000 0x8000000 high 0x38000000 0x18000000 fences 8 4\n"
              "vgt 3 low 0xe000000 0x2000000 high 0x50000000 0x4000000 fences 12 2\n",
           "state text");
    struct vgt_allocator *b = vgt_alloc_new(&skl);
    is_int(vgt_alloc_restore(b, s, &d), 0, "restore");
    char *s2 = NULL;
    vgt_alloc_serialize(b, &s2);
    is_str(s2, s, "round trip");
    free(s2);
    is_int(vgt_alloc_restore(b, "vgt-alloc 2\n", &d), -EINVAL, "newer version refused");
    is_str(last(&d), "allocator state:1: version 2, this libvgt reads version 1", "named");
    is_int(vgt_alloc_restore(b, "vgt-alloc 1\nprofile bdw-gt2 aperture_mb=512\n", &d), -EINVAL,
           "other GPU refused");
    char *bad = NULL;
    if (asprintf(&bad, "%svgt 4 low 0x6000000 0x100000 high 0x0 0x0 fences 0 0\nvgt x\n", s) < 0)
        abort();
    vgt_diag_dispose(&d);
    is_int(vgt_alloc_restore(b, bad, &d), -EINVAL, "overlapping state refused");
    is_int(d.n, 2, "both bad lines reported");
    is_str(d.msgs[0], "allocator state:6: low GM 0x6000000+0x100000 overlaps vgt 2", "line 6");
    is_str(d.msgs[1], "allocator state:7: not a partition line: 'vgt x'", "line 7");
    vgt_alloc_serialize(b, &s2);
    is_str(s2, s, "failed restore left the state as it was");
    free(s2);
    free(bad);
    free(s);
    vgt_diag_dispose(&d);

    /* Everything short at once, each named. */
    struct vgt_request huge = { 300, 3000, 20 };
    is_int(vgt_alloc_take(a, &huge, &q, &d), -ENOSPC, "huge refused");
    is_int(d.n, 3, "three resources short");
    is_str(d.msgs[1], "high GM: asked 3000 MB (3008 MB in 64 MB granules), largest free run "
                      "2368 MB, 2368 MB free of 3200 MB", "high GM with granules");
    is_str(d.msgs[2], "fences: asked 20, largest free run 18, 18 free of 28", "fences");
    vgt_diag_dispose(&d);

    /* Instances run out. */
    struct vgt_request tiny = { 1, 64, 1 };
    for (int i = 0; i < 12; i++)
        vgt_alloc_take(a, &tiny, &q, NULL);
    is_int(vgt_alloc_take(a, &tiny, &q, &d), -ENOSPC, "16th guest refused");
    is_str(last(&d), "vGPU instances: asked 1, 0 free of 15", "instances named");
    vgt_diag_dispose(&d);

    /* Fits the profile at all? */
    struct vgt_request v51 = { 512, 2048, 4 };
    is_int(vgt_alloc_check_fits_profile(&skl, &v51, &d), -ENOSPC, "V5_1 cannot fit skl-gt2");
    is_str(last(&d), "low GM: asked 512 MB, but skl-gt2 has 384 MB for guests "
                     "(512 MB aperture - 96 MB host - 32 MB reserved)", "and says why");
    vgt_diag_dispose(&d);
    is_int(vgt_alloc_check_fits_profile(&skl, &r128, &d), 0, "128 MB fits");
    vgt_alloc_free(b);
    vgt_alloc_free(a);
}

/* Placement rules: aligned starts, flush against the edge or a partition of
 * the same size rather than one of another size. */
static void placement(void)
{
    struct vgt_allocator *a = vgt_alloc_new(&skl);
    struct vgt_request r64 = { 64, 64, 1 }, r128 = { 128, 64, 1 }, r6 = { 64, 384, 1 };
    struct vgt_partition p[4];

    vgt_alloc_take(a, &r64, &p[0], NULL);
    vgt_alloc_take(a, &r64, &p[1], NULL);
    is_int(p[1].low_base, (96 + 256) * VGT_MB, "a second 64 MB next to the first");
    vgt_alloc_take(a, &r128, &p[2], NULL);
    is_int(p[2].low_base, 96 * VGT_MB, "128 MB against the host's edge, not the 64s");
    vgt_alloc_release(a, &p[0]);
    vgt_alloc_release(a, &p[1]);
    vgt_alloc_release(a, &p[2]);
    /* High GM of 6 granules starts on multiples of 4 granules from an end. */
    vgt_alloc_take(a, &r6, &p[0], NULL);
    vgt_alloc_take(a, &r6, &p[1], NULL);
    is_int(p[0].high_base, (4096 - 384) * VGT_MB, "first 384 MB of high GM at the top");
    is_int(p[1].high_base, (512 + 384) * VGT_MB, "second at the bottom, not 2 granules off");
    vgt_alloc_free(a);
}

/* bench/packing's churn, shorter: the placement must keep fragmentation down.
 * Thresholds sit between this rule and the previous one (blocks rule alone,
 * 1.9% / 0.66% over 10 seeds); 1.0% is the best any placement does on skl. */
static void churn(void)
{
    static const struct vgt_profile bdw = {
        .name = "bdw-gt2", .gen = 8, .device_id = 0x1616, .aperture_mb = 512, .ggtt_mb = 2048,
        .fences = 32, .host_low_mb = 96, .host_high_mb = 384, .host_fences = 4,
        .reserved_top_mb = 32, .max_instances = 15, .high_gm_granule_mb = 64,
    };
    static const struct vgt_request mix[] = {   /* V5_8, V5_4, V5_2, the guide's */
        { 64, 384, 4 }, { 128, 512, 4 }, { 256, 1024, 4 }, { 128, 384, 4 },
    };
    struct churn c = { 0 }, d = { 0 };

    is_int(churn_run(&skl, mix, 4, 50000, 0x9ac1c0de, &c), 0, "churn on skl-gt2");
    printf("# skl-gt2: %" PRIu64 " of %" PRIu64 " requests refused for fragmentation\n",
           c.fragmented, c.creates);
    ok(c.fragmented * 1000 < c.creates * 14, "under 1.4%% of requests refused for fragmentation");
    ok(c.fragmented > 0 && c.frag_low == c.fragmented, "(all of it in low GM)");
    is_int(churn_run(&bdw, mix, 4, 50000, 0x9ac1c0de, &d), 0, "churn on bdw-gt2");
    printf("# bdw-gt2: %" PRIu64 " of %" PRIu64 "\n", d.fragmented, d.creates);
    ok(d.fragmented * 1000 < d.creates * 5, "under 0.5%% on bdw-gt2 (high GM bound)");
}

/* ---- property test ---------------------------------------------------- */

static uint64_t rng;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static bool overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
    return an && bn && a < b + bn && b < a + an;
}

static int check_live(const struct vgt_profile *pr, const struct vgt_partition *live, int n,
                      const struct vgt_resources *r0, const struct vgt_allocator *a)
{
    struct vgt_resources r;
    uint64_t low = 0, high = 0, fences = 0;

    for (int i = 0; i < n; i++) {
        const struct vgt_partition *p = &live[i];
        if (p->low_size && (p->low_base < pr->host_low_mb * VGT_MB ||
                            p->low_base + p->low_size >
                                (pr->aperture_mb - pr->reserved_top_mb) * VGT_MB))
            return 0;
        if (p->high_size && p->high_base < (pr->aperture_mb + pr->host_high_mb) * VGT_MB)
            return 0;
        if (p->fence_count && p->fence_base < pr->host_fences)
            return 0;
        for (int j = 0; j < i; j++) {
            const struct vgt_partition *q = &live[j];
            if (p->vgt_id == q->vgt_id || overlap(p->low_base, p->low_size, q->low_base, q->low_size) ||
                overlap(p->high_base, p->high_size, q->high_base, q->high_size) ||
                overlap(p->fence_base, p->fence_count, q->fence_base, q->fence_count))
                return 0;
        }
        low += p->low_size / VGT_MB;
        high += p->high_size / VGT_MB;
        fences += p->fence_count;
    }
    vgt_alloc_resources(a, &r);
    return r.low_free_mb == r0->low_free_mb - low && r.high_free_mb == r0->high_free_mb - high &&
           r.fences_free == r0->fences_free - fences &&
           r.instances_free == r0->instances_free - (unsigned)n;
}

static void property(void)
{
    const struct vgt_profile *profiles[] = { &skl, &small };
    const char *it = getenv("VGT_PROPERTY_ITER");
    unsigned iters = it ? (unsigned)atoi(it) : 2000, bad_seq = 0, roundtrips = 0, refused = 0;
    uint64_t seed = 0x5eed2026;

    printf("# property test: %u sequences, seed 0x%" PRIx64 "\n", iters, seed);
    rng = seed;
    for (unsigned s = 0; s < iters; s++) {
        const struct vgt_profile *pr = profiles[s % 2];
        struct vgt_allocator *a = vgt_alloc_new(pr);
        struct vgt_partition live[VGT_MAX_INSTANCES];
        struct vgt_resources r0, r1;
        char *before = NULL, *after = NULL;
        int n = 0, good = 1;

        vgt_alloc_resources(a, &r0);
        vgt_alloc_serialize(a, &before);
        for (int op = 0; op < 40 && good; op++) {
            if (n > 0 && rnd(3) == 0) {
                int k = rnd(n);
                good &= vgt_alloc_release(a, &live[k]) == 0;
                live[k] = live[--n];
            } else {
                struct vgt_request q = {
                    .low_mb = 1 + rnd(pr->aperture_mb / 3),
                    .high_mb = rnd(pr->ggtt_mb / 4),
                    .fences = rnd(5),
                };
                unsigned fits = vgt_alloc_fit_count(a, &q);
                int r = vgt_alloc_take(a, &q, &live[n], NULL);
                good &= (r == 0) == (fits > 0);
                if (r == 0) {
                    good &= live[n].low_size == q.low_mb * VGT_MB &&
                            live[n].high_size >= q.high_mb * VGT_MB &&
                            live[n].fence_count == q.fences;
                    n++;
                } else {
                    refused++;
                }
            }
            good &= check_live(pr, live, n, &r0, a);
            if (op % 8 == 7) {   /* state round trip mid-sequence */
                struct vgt_allocator *b = vgt_alloc_new(pr);
                char *x = NULL, *y = NULL;
                good &= vgt_alloc_serialize(a, &x) == 0 && vgt_alloc_restore(b, x, NULL) == 0 &&
                        vgt_alloc_serialize(b, &y) == 0 && strcmp(x, y) == 0;
                free(x);
                free(y);
                vgt_alloc_free(b);
                roundtrips++;
            }
        }
        while (n > 0 && good)
            good &= vgt_alloc_release(a, &live[--n]) == 0;
        vgt_alloc_resources(a, &r1);
        vgt_alloc_serialize(a, &after);
        good &= memcmp(&r0, &r1, sizeof(r0)) == 0 && strcmp(before, after) == 0;
        if (!good && !bad_seq++)
            printf("# first failing sequence: %u\n", s);
        free(before);
        free(after);
        vgt_alloc_free(a);
    }
    printf("# %u requests refused, %u state round trips\n", refused, roundtrips);
    is_int(bad_seq, 0, "%u random sequences: no overlap, no leak, free space restored, "
           "state round trips", iters);
    ok(refused > 0, "the sequences did hit full resources");
}

int main(void)
{
    basic();
    placement();
    churn();
    property();
    struct vgt_profile broken = skl;
    broken.ggtt_mb = 100;
    ok(vgt_alloc_new(&broken) == NULL && errno == EINVAL, "nonsense geometry refused");
    return tap_done();
}
