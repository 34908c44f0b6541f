/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Packing benchmark: for each shipped GPU profile, how many guests of each vGPU
 * type fit on an idle GPU; then a churn simulation (random create/destroy of
 * mixed types) counting the requests refused although the total free space
 * would have sufficed: the cost of fragmentation under first fit.
 * Prints a table; --json FILE writes the same figures as JSON (yajl).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "libvgt.h"

#define N_PROFILES 3
static const char *const profile_names[N_PROFILES] = { "bdw-gt2", "skl-gt2", "kbl-gt2" };

/* The request mix of the churn: upstream's types plus the guide's partition. */
struct kind {
    const char *name;
    struct vgt_request req;
};

struct churn {
    uint64_t steps, creates, refused, refused_fragmented, destroys;
    unsigned peak_live;
};

static uint64_t rng;
static uint64_t rnd(uint64_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng % n;
}

static bool enough_in_total(const struct vgt_allocator *a, const struct vgt_request *q)
{
    const struct vgt_profile *p = vgt_alloc_profile(a);
    struct vgt_resources r;
    uint64_t g = p->high_gm_granule_mb, high = (q->high_mb + g - 1) / g * g;

    vgt_alloc_resources(a, &r);
    return r.low_free_mb >= q->low_mb && r.high_free_mb >= high && r.fences_free >= q->fences &&
           r.instances_free > 0;
}

static int simulate(const struct vgt_profile *p, const struct kind *kinds, unsigned nk,
                    uint64_t steps, uint64_t seed, struct churn *out)
{
    struct vgt_allocator *a = vgt_alloc_new(p);
    struct vgt_partition live[VGT_MAX_INSTANCES];
    unsigned n = 0;

    if (!a)
        return -1;
    memset(out, 0, sizeof(*out));
    rng = seed;
    for (uint64_t s = 0; s < steps; s++) {
        /* Lean towards creating so that the GPU stays near full, where
         * fragmentation shows. */
        if (n > 0 && rnd(100) < 40) {
            unsigned k = rnd(n);

            if (vgt_alloc_release(a, &live[k]) != 0) {
                vgt_alloc_free(a);
                return -1;
            }
            live[k] = live[--n];
            out->destroys++;
        } else {
            const struct vgt_request *q = &kinds[rnd(nk)].req;

            out->creates++;
            if (vgt_alloc_take(a, q, &live[n], NULL) == 0) {
                n++;
                if (n > out->peak_live)
                    out->peak_live = n;
            } else {
                out->refused++;
                out->refused_fragmented += enough_in_total(a, q);
            }
        }
        out->steps++;
    }
    vgt_alloc_free(a);
    return 0;
}

static void gs(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", required_argument, NULL, 'j' },
        { "steps", required_argument, NULL, 's' },
        { "seed", required_argument, NULL, 'S' },
        { "profiles", required_argument, NULL, 'p' },
        { NULL, 0, NULL, 0 },
    };
    const char *json = NULL, *dir = NULL;
    uint64_t steps = 100000, seed = 0x9ac1c0de;
    struct kind kinds[8];
    unsigned nt, nk = 0;
    const struct vgt_type *types = vgt_types(&nt);
    struct vgt_profile prof[N_PROFILES];
    unsigned fit[N_PROFILES][8];
    struct churn ch[N_PROFILES];
    int opt;

    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'j': json = optarg; break;
        case 's': steps = strtoull(optarg, NULL, 0); break;
        case 'S': seed = strtoull(optarg, NULL, 0); break;
        case 'p': dir = optarg; break;
        default:
            fprintf(stderr, "usage: packing [--json FILE] [--steps N] [--seed S] [--profiles DIR]\n");
            return 2;
        }
    }
    for (unsigned i = 0; i < nt && nk < 7; i++)
        kinds[nk++] = (struct kind){ types[i].name, types[i].req };
    kinds[nk++] = (struct kind){ "guide", { 128, 384, 4 } };

    for (int i = 0; i < N_PROFILES; i++) {
        struct vgt_diag d;

        vgt_diag_init(&d);
        if (vgt_profile_load(profile_names[i], dir, &prof[i], &d) < 0) {
            vgt_diag_print(&d, stderr);
            vgt_diag_dispose(&d);
            return 1;
        }
        for (unsigned k = 0; k < nk; k++) {
            struct vgt_allocator *a = vgt_alloc_new(&prof[i]);
            fit[i][k] = a ? vgt_alloc_fit_count(a, &kinds[k].req) : 0;
            vgt_alloc_free(a);
        }
        if (simulate(&prof[i], kinds, nk, steps, seed, &ch[i]) < 0) {
            fprintf(stderr, "packing: simulation failed on %s\n", prof[i].name);
            return 1;
        }
    }

    printf("Guests of one type that fit on an idle GPU (first fit, host reservation taken)\n");
    printf("%-10s", "profile");
    for (unsigned k = 0; k < nk; k++)
        printf(" %7s", kinds[k].name);
    printf("\n");
    for (int i = 0; i < N_PROFILES; i++) {
        printf("%-10s", prof[i].name);
        for (unsigned k = 0; k < nk; k++)
            printf(" %7u", fit[i][k]);
        printf("\n");
    }
    printf("\nChurn: %" PRIu64 " steps of random create (60%%) / destroy (40%%) of the mix "
           "above, seed 0x%" PRIx64 "\n", steps, seed);
    printf("%-10s %9s %9s %9s %12s %10s\n", "profile", "creates", "refused", "peak", "fragmented",
           "frag/req");
    for (int i = 0; i < N_PROFILES; i++)
        printf("%-10s %9" PRIu64 " %9" PRIu64 " %9u %12" PRIu64 " %9.3f%%\n", prof[i].name,
               ch[i].creates, ch[i].refused, ch[i].peak_live, ch[i].refused_fragmented,
               ch[i].creates ? 100.0 * ch[i].refused_fragmented / ch[i].creates : 0.0);
    printf("(fragmented: refused although the total free low GM, high GM, fences and ids "
           "would have sufficed; target under 1%%)\n");

    if (json) {
        yajl_gen g = yajl_gen_alloc(NULL);
        const unsigned char *buf;
        size_t len;
        FILE *f;

        yajl_gen_config(g, yajl_gen_beautify, 1);
        yajl_gen_map_open(g);
        gs(g, "benchmark"); gs(g, "packing");
        gs(g, "steps"); yajl_gen_integer(g, (long long)steps);
        gs(g, "seed"); yajl_gen_integer(g, (long long)seed);
        gs(g, "profiles");
        yajl_gen_array_open(g);
        for (int i = 0; i < N_PROFILES; i++) {
            yajl_gen_map_open(g);
            gs(g, "name"); gs(g, prof[i].name);
            gs(g, "fit");
            yajl_gen_map_open(g);
            for (unsigned k = 0; k < nk; k++) {
                gs(g, kinds[k].name);
                yajl_gen_integer(g, fit[i][k]);
            }
            yajl_gen_map_close(g);
            gs(g, "churn");
            yajl_gen_map_open(g);
            gs(g, "creates"); yajl_gen_integer(g, (long long)ch[i].creates);
            gs(g, "destroys"); yajl_gen_integer(g, (long long)ch[i].destroys);
            gs(g, "refused"); yajl_gen_integer(g, (long long)ch[i].refused);
            gs(g, "refused_fragmented"); yajl_gen_integer(g, (long long)ch[i].refused_fragmented);
            gs(g, "fragmented_percent");
            yajl_gen_double(g, ch[i].creates ? 100.0 * ch[i].refused_fragmented / ch[i].creates : 0);
            gs(g, "peak_guests"); yajl_gen_integer(g, ch[i].peak_live);
            yajl_gen_map_close(g);
            yajl_gen_map_close(g);
        }
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
        yajl_gen_get_buf(g, &buf, &len);
        f = strcmp(json, "-") == 0 ? stdout : fopen(json, "w");
        if (!f) {
            perror(json);
            yajl_gen_free(g);
            return 1;
        }
        fwrite(buf, 1, len, f);
        if (f != stdout)
            fclose(f);
        yajl_gen_free(g);
    }
    return 0;
}
