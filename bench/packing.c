/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Packing benchmark: for each shipped GPU profile, how many guests of each vGPU
 * type fit on an idle GPU; then a churn simulation (bench/churn.c: random
 * create/destroy of mixed types) counting the requests refused although the
 * total free space would have sufficed: the cost of fragmentation.
 * The churn's mix per profile is the types that fit that GPU at all (a type
 * that never fits is refused by xl-vgt up front and would only dilute the
 * figure); --all-types puts them back (the measure of the first version).
 * Prints a table; --json FILE writes the same figures as JSON (yajl).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvgt.h"
#include "bench/churn.h"
#include "bench/json.h"

#define N_PROFILES 3
#define MAX_KINDS 8
static const char *const profile_names[N_PROFILES] = { "bdw-gt2", "skl-gt2", "kbl-gt2" };

struct kind {
    const char *name;
    struct vgt_request req;
};

struct result {
    struct vgt_profile prof;
    unsigned fit[MAX_KINDS];
    bool in_mix[MAX_KINDS];
    struct churn total;              /* all seeds */
    double pct_min, pct_max;         /* per seed */
};

static double pct(uint64_t part, uint64_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static int measure(struct result *res, const struct kind *kinds, unsigned nk, bool all_types,
                   uint64_t steps, uint64_t seed, unsigned seeds)
{
    struct vgt_request mix[MAX_KINDS];
    unsigned nm = 0;

    for (unsigned k = 0; k < nk; k++) {
        struct vgt_allocator *a = vgt_alloc_new(&res->prof);

        res->fit[k] = a ? vgt_alloc_fit_count(a, &kinds[k].req) : 0;
        vgt_alloc_free(a);
        res->in_mix[k] = all_types || res->fit[k] > 0;
        if (res->in_mix[k])
            mix[nm++] = kinds[k].req;
    }
    memset(&res->total, 0, sizeof(res->total));
    res->pct_min = 100;
    res->pct_max = 0;
    for (unsigned s = 0; s < seeds; s++) {
        struct churn c = { 0 };
        double x;

        /* seeds one apart would start xorshift on nearly the same state */
        if (nm == 0 || churn_run(&res->prof, mix, nm, steps, seed + s * 0x9e3779b97f4a7c15ull, &c) < 0)
            return -1;
        x = pct(c.fragmented, c.creates);
        res->pct_min = x < res->pct_min ? x : res->pct_min;
        res->pct_max = x > res->pct_max ? x : res->pct_max;
        res->total.steps += c.steps;
        res->total.creates += c.creates;
        res->total.destroys += c.destroys;
        res->total.refused += c.refused;
        res->total.fragmented += c.fragmented;
        res->total.frag_low += c.frag_low;
        res->total.frag_high += c.frag_high;
        res->total.frag_fences += c.frag_fences;
        if (c.peak_live > res->total.peak_live)
            res->total.peak_live = c.peak_live;
    }
    return 0;
}

static int write_json(const char *path, const struct result *res, const struct kind *kinds,
                      unsigned nk, bool all_types, uint64_t steps, uint64_t seed, unsigned seeds)
{
    yajl_gen g = bench_json_new("packing");

    if (!g)
        return -1;
    bench_json_int(g, "steps", (long long)steps);
    bench_json_int(g, "seed", (long long)seed);
    bench_json_int(g, "seeds", seeds);
    bench_json_str(g, "mix", all_types ? "all types" : "types that fit the profile");
    bench_json_key(g, "profiles");
    yajl_gen_array_open(g);
    for (int i = 0; i < N_PROFILES; i++) {
        const struct result *r = &res[i];
        const struct churn *c = &r->total;

        yajl_gen_map_open(g);
        bench_json_str(g, "name", r->prof.name);
        bench_json_key(g, "fit");
        yajl_gen_map_open(g);
        for (unsigned k = 0; k < nk; k++)
            bench_json_int(g, kinds[k].name, r->fit[k]);
        yajl_gen_map_close(g);
        bench_json_key(g, "churn");
        yajl_gen_map_open(g);
        bench_json_key(g, "mix");
        yajl_gen_array_open(g);
        for (unsigned k = 0; k < nk; k++)
            if (r->in_mix[k])
                bench_json_key(g, kinds[k].name);
        yajl_gen_array_close(g);
        bench_json_int(g, "creates", (long long)c->creates);
        bench_json_int(g, "destroys", (long long)c->destroys);
        bench_json_int(g, "refused", (long long)c->refused);
        bench_json_int(g, "refused_fragmented", (long long)c->fragmented);
        bench_json_double(g, "fragmented_percent", pct(c->fragmented, c->creates));
        bench_json_double(g, "fragmented_percent_min_seed", r->pct_min);
        bench_json_double(g, "fragmented_percent_max_seed", r->pct_max);
        bench_json_key(g, "short_run");
        yajl_gen_map_open(g);
        bench_json_int(g, "low_gm", (long long)c->frag_low);
        bench_json_int(g, "high_gm", (long long)c->frag_high);
        bench_json_int(g, "fences", (long long)c->frag_fences);
        yajl_gen_map_close(g);
        bench_json_int(g, "peak_guests", c->peak_live);
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    return bench_json_finish(g, path);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", required_argument, NULL, 'j' },
        { "steps", required_argument, NULL, 's' },
        { "seed", required_argument, NULL, 'S' },
        { "seeds", required_argument, NULL, 'n' },
        { "profiles", required_argument, NULL, 'p' },
        { "all-types", no_argument, NULL, 'a' },
        { NULL, 0, NULL, 0 },
    };
    const char *json = NULL, *dir = NULL;
    uint64_t steps = 100000, seed = 0x9ac1c0de;
    unsigned seeds = 10, nt, nk = 0;
    bool all_types = false;
    struct kind kinds[MAX_KINDS];
    const struct vgt_type *types = vgt_types(&nt);
    struct result res[N_PROFILES];
    int opt;

    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'j': json = optarg; break;
        case 's': steps = strtoull(optarg, NULL, 0); break;
        case 'S': seed = strtoull(optarg, NULL, 0); break;
        case 'n': seeds = (unsigned)strtoul(optarg, NULL, 0); break;
        case 'p': dir = optarg; break;
        case 'a': all_types = true; break;
        default:
            fprintf(stderr, "usage: packing [--json FILE] [--steps N] [--seed S] [--seeds N] "
                    "[--profiles DIR] [--all-types]\n");
            return 2;
        }
    }
    if (seeds == 0)
        seeds = 1;
    for (unsigned i = 0; i < nt && nk < MAX_KINDS - 1; i++)
        kinds[nk++] = (struct kind){ types[i].name, types[i].req };
    kinds[nk++] = (struct kind){ "guide", { 128, 384, 4 } };

    for (int i = 0; i < N_PROFILES; i++) {
        struct vgt_diag d;

        vgt_diag_init(&d);
        if (vgt_profile_load(profile_names[i], dir, &res[i].prof, &d) < 0) {
            vgt_diag_print(&d, stderr);
            vgt_diag_dispose(&d);
            return 1;
        }
        if (measure(&res[i], kinds, nk, all_types, steps, seed, seeds) < 0) {
            fprintf(stderr, "packing: simulation failed on %s\n", res[i].prof.name);
            return 1;
        }
    }

    printf("Guests of one type that fit on an idle GPU (host reservation taken)\n");
    printf("%-10s", "profile");
    for (unsigned k = 0; k < nk; k++)
        printf(" %7s", kinds[k].name);
    printf("\n");
    for (int i = 0; i < N_PROFILES; i++) {
        printf("%-10s", res[i].prof.name);
        for (unsigned k = 0; k < nk; k++)
            printf(" %7u", res[i].fit[k]);
        printf("\n");
    }
    printf("\nChurn: %u seeds x %" PRIu64 " steps of random create (60%%) / destroy (40%%), "
           "first seed 0x%" PRIx64 ";\nmix: %s\n", seeds, steps, seed,
           all_types ? "every type above, also those that never fit (--all-types)"
                     : "the types above that fit the profile (a 0 above is left out)");
    printf("%-10s %9s %9s %5s %10s %8s %15s   %s\n", "profile", "creates", "refused", "peak",
           "fragmented", "frag/req", "seeds min-max", "short run: low/high/fences");
    for (int i = 0; i < N_PROFILES; i++) {
        const struct churn *c = &res[i].total;

        printf("%-10s %9" PRIu64 " %9" PRIu64 " %5u %10" PRIu64 " %7.3f%% %6.3f-%.3f%%   %"
               PRIu64 "/%" PRIu64 "/%" PRIu64 "\n", res[i].prof.name, c->creates, c->refused,
               c->peak_live, c->fragmented, pct(c->fragmented, c->creates), res[i].pct_min,
               res[i].pct_max, c->frag_low, c->frag_high, c->frag_fences);
    }
    printf("(fragmented: refused although the same request would have fitted with the total "
           "free low GM,\n high GM and fences each in one run and a free vGPU id; target under "
           "1%% of requests)\n");
    if (json && write_json(json, res, kinds, nk, all_types, steps, seed, seeds) < 0)
        return 1;
    return 0;
}
