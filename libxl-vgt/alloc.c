/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * Partition allocator.  Each resource is an array of owners, one entry per unit
 * (1 MB of low GM, one granule of high GM, one fence register): 0 free, a vgt id,
 * or the host.  Partitions are contiguous runs, so a partition can always be
 * read back from the arrays: nothing is kept twice, nothing can drift.
 * Whether a request fits is decided by first fit; where it goes, by place().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgt/alloc.h"
#include "vgt/cleanup.h"

#define OWN_FREE 0
#define OWN_HOST 0xffff   /* dom0's reservation and the reserved top of the aperture */

struct vgt_allocator {
    struct vgt_profile p;
    unsigned low_units;    /* aperture_mb */
    unsigned high_units;   /* (ggtt_mb - aperture_mb) / granule */
    uint16_t *low;
    uint16_t *high;
    uint16_t fence[VGT_MAX_FENCES];
    uint64_t fence_val[VGT_MAX_FENCES];
    bool used[VGT_MAX_INSTANCES + 1];
};

/* The profile loader checks all this for files; a profile built in code gets
 * the same minimum checks here so the arrays stay sane. */
static bool profile_ok(const struct vgt_profile *p)
{
    return p->aperture_mb > 0 && p->aperture_mb <= 65536 && p->ggtt_mb > p->aperture_mb &&
           p->ggtt_mb <= 1048576 && p->high_gm_granule_mb > 0 &&
           (p->ggtt_mb - p->aperture_mb) % p->high_gm_granule_mb == 0 &&
           p->host_high_mb % p->high_gm_granule_mb == 0 &&
           p->host_high_mb <= p->ggtt_mb - p->aperture_mb &&
           p->host_low_mb + p->reserved_top_mb <= p->aperture_mb &&
           p->fences > 0 && p->fences <= VGT_MAX_FENCES && p->host_fences <= p->fences &&
           p->max_instances > 0 && p->max_instances <= VGT_MAX_INSTANCES;
}

struct vgt_allocator *vgt_alloc_new(const struct vgt_profile *p)
{
    struct vgt_allocator *a;

    if (!p || !profile_ok(p)) {
        errno = EINVAL;
        return NULL;
    }
    a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->p = *p;
    a->low_units = p->aperture_mb;
    a->high_units = (p->ggtt_mb - p->aperture_mb) / p->high_gm_granule_mb;
    a->low = calloc(a->low_units, sizeof(*a->low));
    a->high = calloc(a->high_units, sizeof(*a->high));
    if (!a->low || !a->high) {
        vgt_alloc_free(a);
        errno = ENOMEM;
        return NULL;
    }
    for (unsigned i = 0; i < p->host_low_mb; i++)
        a->low[i] = OWN_HOST;
    for (unsigned i = a->low_units - p->reserved_top_mb; i < a->low_units; i++)
        a->low[i] = OWN_HOST;
    for (unsigned i = 0; i < p->host_high_mb / p->high_gm_granule_mb; i++)
        a->high[i] = OWN_HOST;
    for (unsigned i = 0; i < p->host_fences; i++)
        a->fence[i] = OWN_HOST;
    return a;
}

void vgt_alloc_free(struct vgt_allocator *a)
{
    if (!a)
        return;
    free(a->low);
    free(a->high);
    free(a);
}

static struct vgt_allocator *clone(const struct vgt_allocator *a)
{
    struct vgt_allocator *c = malloc(sizeof(*c));

    if (!c)
        return NULL;
    *c = *a;
    c->low = malloc(a->low_units * sizeof(*c->low));
    c->high = malloc(a->high_units * sizeof(*c->high));
    if (!c->low || !c->high) {
        vgt_alloc_free(c);
        return NULL;
    }
    memcpy(c->low, a->low, a->low_units * sizeof(*c->low));
    memcpy(c->high, a->high, a->high_units * sizeof(*c->high));
    return c;
}

/* Replace a's state by c's (c is consumed). */
static void adopt(struct vgt_allocator *a, struct vgt_allocator *c)
{
    free(a->low);
    free(a->high);
    *a = *c;
    free(c);
}

struct space {
    unsigned free, largest;
};

/* First fit of `need` free units; returns the start or -1.  Also measures. */
static long first_fit(const uint16_t *own, unsigned n, uint64_t need, struct space *s)
{
    long found = -1;
    unsigned run = 0;

    s->free = s->largest = 0;
    for (unsigned i = 0; i < n; i++) {
        if (own[i] != OWN_FREE) {
            run = 0;
            continue;
        }
        s->free++;
        if (++run > s->largest)
            s->largest = run;
        if (found < 0 && need > 0 && run == need)
            found = (long)(i + 1 - run);
    }
    return need == 0 ? 0 : found;
}

/* Where a run of `need` units goes, once first fit has said it fits; the
 * guests' region is [base, end).  Guests cannot move, so a placement is chosen
 * for how the free space will join up when guests leave:
 *  1. the run starts at a multiple of the largest power of two <= need, counted
 *     from either end of the region (as a buddy allocator aligns blocks);
 *  2. it lies flush against what stays: each side scores 2 against the
 *     region's edge or a partition of the same size (sizes repeat: guests are
 *     made from a few vGPU types, and a hole left by one suits the next),
 *     0 against a partition of another size, -1 against free space;
 *  3. then it breaks the fewest wholly free aligned power-of-two blocks, from
 *     the largest size down; then the lowest address.
 * On an empty region a guest lands at the top end (the placement goldens show).
 * bench/packing (churn of the shipped types): requests refused for
 * fragmentation on skl-gt2 fall from 1.9% (rule 3 alone) to 1.2%; the best
 * placement for that mix, computed exactly, gives 1.0% (README). */
#define MAX_ORDERS 24

struct region {
    const uint16_t *own;
    unsigned base, end;
    unsigned *used;        /* used[i]: units in use below i */
    uint64_t size[VGT_MAX_INSTANCES + 1];   /* units of each guest's partition */
};

static bool free_at(const struct region *r, uint64_t s, uint64_t len)
{
    return r->used[s + len] == r->used[s];
}

/* Side score of a neighbour unit (see rule 2). */
static int side(const struct region *r, long u, uint64_t need)
{
    uint16_t w;

    if (u < (long)r->base || u >= (long)r->end || r->own[u] == OWN_HOST)
        return 2;
    w = r->own[u];
    if (w == OWN_FREE)
        return -1;
    return r->size[w] == need ? 2 : 0;
}

static long place(const uint16_t *own, unsigned base, unsigned end, uint64_t need)
{
    struct region r = { .own = own, .base = base, .end = end };
    unsigned orders = 0, size[MAX_ORDERS], loss[MAX_ORDERS], best_loss[MAX_ORDERS];
    uint64_t align = 1, span = end - base;
    int best_adj = 0;
    long best = -1;

    if (need == 0)
        return 0;
    r.used = calloc(end + 1, sizeof(*r.used));
    if (!r.used)
        return -1;
    for (unsigned i = 0; i < end; i++) {
        r.used[i + 1] = r.used[i] + (own[i] != OWN_FREE);
        if (own[i] != OWN_FREE && own[i] != OWN_HOST)
            r.size[own[i]]++;
    }
    while (align * 2 <= need)
        align *= 2;
    /* Block sizes from the largest that fits the region down to about the request. */
    for (uint64_t sz = 1ull << 40; sz >= 1 && orders < MAX_ORDERS; sz /= 2)
        if (sz <= span && sz * 2 > need)
            size[orders++] = (unsigned)sz;

    /* Unaligned starts only when no aligned one is free (first fit said one fits). */
    for (int pass = 0; pass < 2 && best < 0; pass++, align = 1) {
        for (uint64_t s = base; s + need <= end; s++) {
            int adj, cmp = 0;

            if (((s - base) % align && (end - s - need) % align) || !free_at(&r, s, need))
                continue;
            adj = side(&r, (long)s - 1, need) + side(&r, (long)(s + need), need);
            if (best >= 0 && adj != best_adj)
                cmp = adj > best_adj ? -1 : 1;
            for (unsigned o = 0; o < orders; o++) {
                uint64_t sz = size[o];

                loss[o] = 0;
                for (uint64_t k = (s - base) / sz; k <= (s + need - 1 - base) / sz; k++) {
                    uint64_t b0 = base + k * sz;

                    loss[o] += b0 + sz <= end && free_at(&r, b0, sz);
                }
                if (!cmp && best >= 0 && loss[o] != best_loss[o])
                    cmp = loss[o] < best_loss[o] ? -1 : 1;
            }
            if (best < 0 || cmp < 0) {
                best = (long)s;
                best_adj = adj;
                memcpy(best_loss, loss, sizeof(loss));
            }
        }
    }
    free(r.used);
    return best;
}

static uint64_t high_units_for(const struct vgt_allocator *a, uint64_t mb)
{
    uint64_t g = a->p.high_gm_granule_mb;

    return mb / g + (mb % g != 0);
}

static unsigned lowest_free_id(const struct vgt_allocator *a)
{
    for (unsigned id = 1; id <= a->p.max_instances; id++)
        if (!a->used[id])
            return id;
    return 0;
}

static uint64_t low_total(const struct vgt_profile *p)
{
    return p->aperture_mb - p->host_low_mb - p->reserved_top_mb;
}

static uint64_t high_total(const struct vgt_profile *p)
{
    return p->ggtt_mb - p->aperture_mb - p->host_high_mb;
}

static void mark(uint16_t *own, unsigned start, uint64_t n, uint16_t who)
{
    for (uint64_t i = 0; i < n; i++)
        own[start + i] = who;
}

int vgt_alloc_take(struct vgt_allocator *a, const struct vgt_request *req,
                   struct vgt_partition *out, struct vgt_diag *diag)
{
    const struct vgt_profile *p = &a->p;
    uint64_t g = p->high_gm_granule_mb, hneed = high_units_for(a, req->high_mb);
    struct space ls, hs, fs;
    long lo = first_fit(a->low, a->low_units, req->low_mb, &ls);
    long al = lo < 0 ? -1 : place(a->low, p->host_low_mb, a->low_units - p->reserved_top_mb,
                                 req->low_mb);
    long hi = first_fit(a->high, a->high_units, hneed, &hs);
    long ah = hi < 0 ? -1 : place(a->high, p->host_high_mb / g, a->high_units, hneed);
    long fe = first_fit(a->fence, p->fences, req->fences, &fs);
    unsigned id = lowest_free_id(a);

    if (lo < 0)
        vgt_diag_add(diag, "low GM: asked %" PRIu64 " MB, largest free run %u MB, "
                     "%u MB free of %" PRIu64 " MB", req->low_mb, ls.largest, ls.free,
                     low_total(p));
    if (hi < 0) {
        if (hneed * g != req->high_mb)
            vgt_diag_add(diag, "high GM: asked %" PRIu64 " MB (%" PRIu64 " MB in %" PRIu64
                         " MB granules), largest free run %" PRIu64 " MB, %" PRIu64
                         " MB free of %" PRIu64 " MB", req->high_mb, hneed * g, g,
                         hs.largest * g, hs.free * g, high_total(p));
        else
            vgt_diag_add(diag, "high GM: asked %" PRIu64 " MB, largest free run %" PRIu64
                         " MB, %" PRIu64 " MB free of %" PRIu64 " MB", req->high_mb,
                         hs.largest * g, hs.free * g, high_total(p));
    }
    if (fe < 0)
        vgt_diag_add(diag, "fences: asked %u, largest free run %u, %u free of %u",
                     req->fences, fs.largest, fs.free, p->fences - p->host_fences);
    if (!id)
        vgt_diag_add(diag, "vGPU instances: asked 1, 0 free of %u", p->max_instances);
    if (lo < 0 || hi < 0 || fe < 0 || !id)
        return -ENOSPC;
    if (al >= 0)
        lo = al;
    if (ah >= 0)
        hi = ah;

    mark(a->low, lo, req->low_mb, id);
    mark(a->high, hi, hneed, id);
    mark(a->fence, fe, req->fences, id);
    for (unsigned i = 0; i < req->fences; i++)
        a->fence_val[fe + i] = 0;
    a->used[id] = true;
    *out = (struct vgt_partition){
        .vgt_id = id,
        .low_base = req->low_mb ? lo * VGT_MB : 0,
        .low_size = req->low_mb * VGT_MB,
        .high_base = hneed ? (p->aperture_mb + hi * g) * VGT_MB : 0,
        .high_size = hneed * g * VGT_MB,
        .fence_base = req->fences ? fe : 0,
        .fence_count = req->fences,
    };
    return 0;
}

/* A partition as unit ranges; -EINVAL with a message if it is not one we could
 * have handed out (misaligned, outside the GPU). */
struct range {
    uint64_t lo, ln, hi, hn, fe, fn;
};

static int to_range(const struct vgt_allocator *a, const struct vgt_partition *q,
                    struct range *r, const char *where, int line, struct vgt_diag *diag)
{
    const struct vgt_profile *p = &a->p;
    uint64_t g = p->high_gm_granule_mb * VGT_MB, ap = p->aperture_mb * VGT_MB;
    int bad = 0;

    if (q->vgt_id < 1 || q->vgt_id > p->max_instances)
        bad = vgt_diag_at(diag, where, line, NULL, "vgt id %u is out of range: allowed 1..%u",
                          q->vgt_id, p->max_instances);
    if (q->low_size % VGT_MB || q->low_base % VGT_MB || q->low_base > ap ||
        q->low_size > ap - q->low_base)
        bad = vgt_diag_at(diag, where, line, NULL, "low GM 0x%" PRIx64 "+0x%" PRIx64
                          " is not 1 MB aligned inside the %" PRIu64 " MB aperture",
                          q->low_base, q->low_size, p->aperture_mb);
    if (q->high_size && (q->high_size % g || q->high_base % g || q->high_base < ap ||
                         q->high_base > p->ggtt_mb * VGT_MB ||
                         q->high_size > p->ggtt_mb * VGT_MB - q->high_base))
        bad = vgt_diag_at(diag, where, line, NULL, "high GM 0x%" PRIx64 "+0x%" PRIx64
                          " is not %" PRIu64 " MB aligned between the aperture and %" PRIu64 " MB",
                          q->high_base, q->high_size, p->high_gm_granule_mb, p->ggtt_mb);
    if (q->fence_count > p->fences || q->fence_base > p->fences - q->fence_count)
        bad = vgt_diag_at(diag, where, line, NULL, "fences %u+%u are outside the %u fences",
                          q->fence_base, q->fence_count, p->fences);
    if (bad)
        return -EINVAL;
    r->lo = q->low_base / VGT_MB;
    r->ln = q->low_size / VGT_MB;
    r->hi = q->high_size ? (q->high_base - ap) / g : 0;
    r->hn = q->high_size / g;
    r->fe = q->fence_base;
    r->fn = q->fence_count;
    return 0;
}

static const char *owner_name(uint16_t o, char *buf, size_t n)
{
    if (o == OWN_HOST)
        return "the host reservation";
    snprintf(buf, n, "vgt %u", o);
    return buf;
}

/* First unit in [s, s+n) not owned by `who`, or -1. */
static long not_owned(const uint16_t *own, uint64_t s, uint64_t n, uint16_t who)
{
    for (uint64_t i = s; i < s + n; i++)
        if (own[i] != who)
            return (long)i;
    return -1;
}

static int take_exact_at(struct vgt_allocator *a, const struct vgt_partition *q,
                         const char *where, int line, struct vgt_diag *diag)
{
    struct range r;
    char b[16];
    long u;
    int busy = 0;

    if (to_range(a, q, &r, where, line, diag) < 0)
        return -EINVAL;
    if (a->used[q->vgt_id])
        busy = vgt_diag_at(diag, where, line, NULL, "vgt id %u is in use", q->vgt_id);
    if ((u = not_owned(a->low, r.lo, r.ln, OWN_FREE)) >= 0)
        busy = vgt_diag_at(diag, where, line, NULL, "low GM 0x%" PRIx64 "+0x%" PRIx64
                           " overlaps %s", q->low_base, q->low_size,
                           owner_name(a->low[u], b, sizeof(b)));
    if ((u = not_owned(a->high, r.hi, r.hn, OWN_FREE)) >= 0)
        busy = vgt_diag_at(diag, where, line, NULL, "high GM 0x%" PRIx64 "+0x%" PRIx64
                           " overlaps %s", q->high_base, q->high_size,
                           owner_name(a->high[u], b, sizeof(b)));
    if ((u = not_owned(a->fence, r.fe, r.fn, OWN_FREE)) >= 0)
        busy = vgt_diag_at(diag, where, line, NULL, "fences %u+%u overlap %s", q->fence_base,
                           q->fence_count, owner_name(a->fence[u], b, sizeof(b)));
    if (busy)
        return -EBUSY;
    mark(a->low, r.lo, r.ln, q->vgt_id);
    mark(a->high, r.hi, r.hn, q->vgt_id);
    mark(a->fence, r.fe, r.fn, q->vgt_id);
    for (uint64_t i = r.fe; i < r.fe + r.fn; i++)
        a->fence_val[i] = 0;
    a->used[q->vgt_id] = true;
    return 0;
}

int vgt_alloc_take_exact(struct vgt_allocator *a, const struct vgt_partition *p,
                         struct vgt_diag *diag)
{
    return take_exact_at(a, p, "partition", 0, diag);
}

static unsigned count_owned(const uint16_t *own, unsigned n, uint16_t who)
{
    unsigned c = 0;

    for (unsigned i = 0; i < n; i++)
        c += own[i] == who;
    return c;
}

int vgt_alloc_release(struct vgt_allocator *a, const struct vgt_partition *q)
{
    struct range r;
    uint16_t id = q->vgt_id;

    if (to_range(a, q, &r, NULL, 0, NULL) < 0 || !a->used[id])
        return -ENOENT;
    /* Exactly this partition: every unit given is the guest's, and it has no other. */
    if (not_owned(a->low, r.lo, r.ln, id) >= 0 || count_owned(a->low, a->low_units, id) != r.ln ||
        not_owned(a->high, r.hi, r.hn, id) >= 0 ||
        count_owned(a->high, a->high_units, id) != r.hn ||
        not_owned(a->fence, r.fe, r.fn, id) >= 0 || count_owned(a->fence, a->p.fences, id) != r.fn)
        return -ENOENT;
    mark(a->low, r.lo, r.ln, OWN_FREE);
    mark(a->high, r.hi, r.hn, OWN_FREE);
    mark(a->fence, r.fe, r.fn, OWN_FREE);
    for (uint64_t i = r.fe; i < r.fe + r.fn; i++)
        a->fence_val[i] = 0;
    a->used[id] = false;
    return 0;
}

/* Read a guest's partition back from the arrays. */
static void run_of(const uint16_t *own, unsigned n, uint16_t who, uint64_t *start, uint64_t *len)
{
    *start = *len = 0;
    for (unsigned i = 0; i < n; i++)
        if (own[i] == who) {
            if (!*len)
                *start = i;
            ++*len;
        }
}

int vgt_alloc_partition(const struct vgt_allocator *a, unsigned vgt_id, struct vgt_partition *out)
{
    uint64_t s, n, g = a->p.high_gm_granule_mb;

    if (vgt_id < 1 || vgt_id > a->p.max_instances || !a->used[vgt_id])
        return -ENOENT;
    memset(out, 0, sizeof(*out));
    out->vgt_id = vgt_id;
    run_of(a->low, a->low_units, vgt_id, &s, &n);
    out->low_base = s * VGT_MB;
    out->low_size = n * VGT_MB;
    run_of(a->high, a->high_units, vgt_id, &s, &n);
    out->high_base = n ? (a->p.aperture_mb + s * g) * VGT_MB : 0;
    out->high_size = n * g * VGT_MB;
    run_of(a->fence, a->p.fences, vgt_id, &s, &n);
    out->fence_base = s;
    out->fence_count = n;
    return 0;
}

const struct vgt_profile *vgt_alloc_profile(const struct vgt_allocator *a)
{
    return &a->p;
}

void vgt_alloc_resources(const struct vgt_allocator *a, struct vgt_resources *out)
{
    struct space s;
    uint64_t g = a->p.high_gm_granule_mb;

    memset(out, 0, sizeof(*out));
    first_fit(a->low, a->low_units, 0, &s);
    out->low_total_mb = low_total(&a->p);
    out->low_free_mb = s.free;
    out->low_largest_mb = s.largest;
    first_fit(a->high, a->high_units, 0, &s);
    out->high_total_mb = high_total(&a->p);
    out->high_free_mb = s.free * g;
    out->high_largest_mb = s.largest * g;
    first_fit(a->fence, a->p.fences, 0, &s);
    out->fences_total = a->p.fences - a->p.host_fences;
    out->fences_free = s.free;
    out->fences_largest = s.largest;
    out->instances_total = a->p.max_instances;
    for (unsigned id = 1; id <= a->p.max_instances; id++)
        out->instances_free += !a->used[id];
}

unsigned vgt_alloc_fit_count(const struct vgt_allocator *a, const struct vgt_request *req)
{
    struct vgt_allocator *c = clone(a);
    struct vgt_partition part;
    unsigned n = 0;

    /* Simulated first fit, so that fragmentation counts (free/need would not);
     * at most max_instances rounds. */
    while (c && vgt_alloc_take(c, req, &part, NULL) == 0)
        n++;
    vgt_alloc_free(c);
    return n;
}

int vgt_alloc_check_fits_profile(const struct vgt_profile *p, const struct vgt_request *req,
                                 struct vgt_diag *diag)
{
    uint64_t g = p->high_gm_granule_mb ? p->high_gm_granule_mb : 1;
    uint64_t high = req->high_mb / g * g + (req->high_mb % g ? g : 0);
    int r = 0;

    if (req->low_mb > low_total(p)) {
        vgt_diag_add(diag, "low GM: asked %" PRIu64 " MB, but %s has %" PRIu64 " MB for guests "
                     "(%" PRIu64 " MB aperture - %" PRIu64 " MB host - %" PRIu64 " MB reserved)",
                     req->low_mb, p->name, low_total(p), p->aperture_mb, p->host_low_mb,
                     p->reserved_top_mb);
        r = -ENOSPC;
    }
    if (high > high_total(p)) {
        vgt_diag_add(diag, "high GM: asked %" PRIu64 " MB, but %s has %" PRIu64 " MB for guests "
                     "(%" PRIu64 " MB high GM - %" PRIu64 " MB host)", req->high_mb, p->name,
                     high_total(p), p->ggtt_mb - p->aperture_mb, p->host_high_mb);
        r = -ENOSPC;
    }
    if (req->fences > p->fences - p->host_fences) {
        vgt_diag_add(diag, "fences: asked %u, but %s has %u for guests (%u - %u host)",
                     req->fences, p->name, p->fences - p->host_fences, p->fences,
                     p->host_fences);
        r = -ENOSPC;
    }
    return r;
}

/* ---- state as text --------------------------------------------------- */

#define STATE_VERSION 1
#define STATE_WHAT "allocator state"

static int geometry(const struct vgt_profile *p, char **out)
{
    return asprintf(out, "profile %s aperture_mb=%" PRIu64 " ggtt_mb=%" PRIu64 " fences=%u "
                    "host_low_gm_mb=%" PRIu64 " host_high_gm_mb=%" PRIu64 " host_fences=%u "
                    "reserved_top_mb=%" PRIu64 " max_instances=%u high_gm_granule_mb=%" PRIu64,
                    p->name, p->aperture_mb, p->ggtt_mb, p->fences, p->host_low_mb,
                    p->host_high_mb, p->host_fences, p->reserved_top_mb, p->max_instances,
                    p->high_gm_granule_mb) < 0 ? -ENOMEM : 0;
}

int vgt_alloc_serialize(const struct vgt_allocator *a, char **out)
{
    _cleanup_free_ char *geo = NULL, *buf = NULL;
    size_t len = 0;
    FILE *f;
    int r = geometry(&a->p, &geo);

    if (r < 0)
        return r;
    f = open_memstream(&buf, &len);
    if (!f)
        return -ENOMEM;
    fprintf(f, "vgt-alloc %d\n%s\n", STATE_VERSION, geo);
    for (unsigned id = 1; id <= a->p.max_instances; id++) {
        struct vgt_partition q;

        if (vgt_alloc_partition(a, id, &q) < 0)
            continue;
        fprintf(f, "vgt %u low 0x%" PRIx64 " 0x%" PRIx64 " high 0x%" PRIx64 " 0x%" PRIx64
                " fences %u %u\n", q.vgt_id, q.low_base, q.low_size, q.high_base, q.high_size,
                q.fence_base, q.fence_count);
    }
    if (fclose(f) != 0)
        return -ENOMEM;
    *out = take_ptr(buf);
    return 0;
}

int vgt_alloc_restore(struct vgt_allocator *a, const char *text, struct vgt_diag *diag)
{
    _cleanup_free_ char *geo = NULL, *copy = strdup(text ? text : "");
    struct vgt_allocator *c;
    char *save = NULL, *ln;
    int line = 0, r, bad = 0;

    if (!copy || geometry(&a->p, &geo) < 0)
        return -ENOMEM;
    c = vgt_alloc_new(&a->p);   /* empty of guests: the state replaces them all */
    if (!c)
        return -ENOMEM;
    /* strtok_r would merge empty lines and lose the line count. */
    for (ln = copy; ln; ln = save) {
        save = strchr(ln, '\n');
        if (save)
            *save++ = '\0';
        line++;
        if (line == 1) {
            int v = 0, n = 0;

            if (sscanf(ln, "vgt-alloc %d%n", &v, &n) != 1 || ln[n]) {
                bad = vgt_diag_at(diag, STATE_WHAT, line, NULL,
                                  "not an allocator state (want 'vgt-alloc %d')", STATE_VERSION);
                break;
            }
            if (v != STATE_VERSION) {
                bad = vgt_diag_at(diag, STATE_WHAT, line, NULL, "version %d, this libvgt reads "
                                  "version %d", v, STATE_VERSION);
                break;
            }
        } else if (line == 2) {
            if (strcmp(ln, geo) != 0) {
                bad = vgt_diag_at(diag, STATE_WHAT, line, NULL, "saved for another GPU: '%s', "
                                  "this allocator has '%s'", ln, geo);
                break;
            }
        } else if (*ln) {
            struct vgt_partition q = { 0 };
            int n = 0;

            if (sscanf(ln, "vgt %u low %" SCNx64 " %" SCNx64 " high %" SCNx64 " %" SCNx64
                       " fences %u %u%n", &q.vgt_id, &q.low_base, &q.low_size, &q.high_base,
                       &q.high_size, &q.fence_base, &q.fence_count, &n) != 7 || ln[n]) {
                bad = vgt_diag_at(diag, STATE_WHAT, line, NULL, "not a partition line: '%s'", ln);
                continue;
            }
            r = take_exact_at(c, &q, STATE_WHAT, line, diag);
            if (r < 0)
                bad = r;
        }
    }
    if (!bad && line < 2)
        bad = vgt_diag_at(diag, STATE_WHAT, line + 1, NULL, "truncated: no profile line");
    if (bad) {
        vgt_alloc_free(c);
        return -EINVAL;
    }
    adopt(a, c);
    return 0;
}

void vgt_alloc_fence_values(const struct vgt_allocator *a, uint64_t *vals, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        vals[i] = i < a->p.fences ? a->fence_val[i] : 0;
}

int vgt_alloc_fence_write(struct vgt_allocator *a, unsigned vgt_id, unsigned fence, uint64_t val)
{
    if (fence >= a->p.fences || vgt_id < 1 || vgt_id > a->p.max_instances ||
        a->fence[fence] != vgt_id)
        return -EPERM;
    a->fence_val[fence] = val;
    return 0;
}
