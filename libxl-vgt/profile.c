/* SPDX-License-Identifier: LGPL-2.1-only */
/* GPU profiles: xl-syntax files, every field checked with its line. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgt/cleanup.h"
#include "vgt/alloc.h"
#include "vgt/profile.h"
#include "xlcfg.h"

VGT_DEFINE_DISPOSE(xlcfg)

const char *vgt_profile_default_name(void)
{
    return "skl-gt2";
}

static bool is_pow2(uint64_t v)
{
    return v && !(v & (v - 1));
}

static bool valid_name(const char *s)
{
    if (!*s || strlen(s) >= sizeof(((struct vgt_profile *)0)->name))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
              *s == '_' || *s == '.'))
            return false;
    return true;
}

/* Every key a profile may have, with the range checked first; the relations
 * between keys are checked after all of them are read. */
enum kind { K_STR, K_NUM };
struct field {
    const char *key;
    enum kind kind;
    bool required;
    long min, max;
    const char *unit;
};
static const struct field fields[] = {
    { "name", K_STR, true, 0, 0, NULL },
    { "description", K_STR, false, 0, 0, NULL },
    { "generation", K_NUM, true, 8, 9, NULL },
    { "device_id", K_NUM, true, 1, 0xfffe, NULL },
    { "aperture_mb", K_NUM, true, 64, 4096, "MB" },
    { "ggtt_mb", K_NUM, true, 128, 4096, "MB" },
    { "fences", K_NUM, true, 1, VGT_MAX_FENCES, NULL },
    { "host_low_gm_mb", K_NUM, true, 0, 4096, "MB" },
    { "host_high_gm_mb", K_NUM, true, 0, 4096, "MB" },
    { "host_fences", K_NUM, true, 0, VGT_MAX_FENCES, NULL },
    { "reserved_top_mb", K_NUM, false, 0, 4096, "MB" },
    { "max_instances", K_NUM, true, 1, VGT_MAX_INSTANCES, NULL },
    { "high_gm_granule_mb", K_NUM, false, 1, 1024, "MB" },
};

static const struct field *find_field(const char *key)
{
    for (size_t i = 0; i < VGT_ARRAY_SIZE(fields); i++)
        if (strcmp(fields[i].key, key) == 0)
            return &fields[i];
    return NULL;
}

static int read_profile(const struct xlcfg *x, struct vgt_profile *p, struct vgt_diag *diag)
{
    long v[VGT_ARRAY_SIZE(fields)] = { 0 };
    bool have[VGT_ARRAY_SIZE(fields)] = { false };
    size_t before = diag ? diag->n : 0;
    bool bad = false;

    memset(p, 0, sizeof(*p));
    for (size_t i = 0; i < x->n_keys; i++)
        if (!find_field(x->keys[i].name)) {
            xlcfg_err_line(x, diag, x->keys[i].line, x->keys[i].name,
                           "unknown profile key (known: name, description, generation, "
                           "device_id, aperture_mb, ggtt_mb, fences, host_low_gm_mb, "
                           "host_high_gm_mb, host_fences, reserved_top_mb, max_instances, "
                           "high_gm_granule_mb)");
            bad = true;
        }
    for (size_t i = 0; i < VGT_ARRAY_SIZE(fields); i++) {
        const struct field *f = &fields[i];
        int r;

        if (f->kind == K_STR) {
            const char *s;

            r = xlcfg_string(x, f->key, &s, diag);
            if (r == 0) {
                if (strcmp(f->key, "name") == 0) {
                    if (!valid_name(s))
                        r = xlcfg_err(x, diag, f->key, "'%s' is not a valid profile name "
                                      "(1..31 of a-z, 0-9, '-', '_', '.')", s);
                    else
                        snprintf(p->name, sizeof(p->name), "%s", s);
                } else if (strlen(s) >= sizeof(p->description)) {
                    r = xlcfg_err(x, diag, f->key, "is %zu characters long, allowed at most %zu",
                                  strlen(s), sizeof(p->description) - 1);
                } else {
                    snprintf(p->description, sizeof(p->description), "%s", s);
                }
            }
        } else {
            r = xlcfg_long(x, f->key, LONG_MIN, LONG_MAX, &v[i], diag);
            if (r == 0 && (v[i] < f->min || v[i] > f->max))
                r = xlcfg_err(x, diag, f->key, "%ld is out of range: allowed %ld..%ld%s%s",
                              v[i], f->min, f->max, f->unit ? " " : "", f->unit ? f->unit : "");
        }
        if (r == -ENOENT && f->required)
            r = xlcfg_err(x, diag, NULL, "%s: missing (a profile must set it)", f->key);
        have[i] = r == 0;
        if (r < 0 && r != -ENOENT)
            bad = true;
    }
    if (bad)
        return -EINVAL;
#define V(key, dflt) (have[find_field(key) - fields] ? (uint64_t)v[find_field(key) - fields] : (dflt))
    p->gen = V("generation", 0);
    p->device_id = V("device_id", 0);
    p->aperture_mb = V("aperture_mb", 0);
    p->ggtt_mb = V("ggtt_mb", 0);
    p->fences = V("fences", 0);
    p->host_low_mb = V("host_low_gm_mb", 0);
    p->host_high_mb = V("host_high_gm_mb", 0);
    p->host_fences = V("host_fences", 0);
    p->reserved_top_mb = V("reserved_top_mb", 0);
    p->max_instances = V("max_instances", 0);
    p->high_gm_granule_mb = V("high_gm_granule_mb", 64);
#undef V

    /* Relations between the fields. */
    if (!is_pow2(p->aperture_mb))
        xlcfg_err(x, diag, "aperture_mb", "%llu is not a power of two (it is a PCI BAR size)",
                  (unsigned long long)p->aperture_mb);
    if (p->ggtt_mb <= p->aperture_mb)
        xlcfg_err(x, diag, "ggtt_mb", "%llu must be larger than aperture_mb (%llu): "
                  "the high GM lies above the aperture",
                  (unsigned long long)p->ggtt_mb, (unsigned long long)p->aperture_mb);
    else if (!is_pow2(p->high_gm_granule_mb) ||
             (p->ggtt_mb - p->aperture_mb) % p->high_gm_granule_mb)
        xlcfg_err(x, diag, "high_gm_granule_mb", "%llu must be a power of two dividing "
                  "the high GM (ggtt_mb - aperture_mb = %llu MB)",
                  (unsigned long long)p->high_gm_granule_mb,
                  (unsigned long long)(p->ggtt_mb - p->aperture_mb));
    else if (p->host_high_mb % p->high_gm_granule_mb)
        xlcfg_err(x, diag, "host_high_gm_mb", "%llu is not a multiple of high_gm_granule_mb (%llu)",
                  (unsigned long long)p->host_high_mb,
                  (unsigned long long)p->high_gm_granule_mb);
    else if (p->host_high_mb >= p->ggtt_mb - p->aperture_mb)
        xlcfg_err(x, diag, "host_high_gm_mb", "%llu leaves no high GM for guests "
                  "(high GM is %llu MB)", (unsigned long long)p->host_high_mb,
                  (unsigned long long)(p->ggtt_mb - p->aperture_mb));
    if (p->host_low_mb + p->reserved_top_mb >= p->aperture_mb)
        xlcfg_err(x, diag, "host_low_gm_mb", "%llu + reserved_top_mb %llu leave nothing of "
                  "the %llu MB aperture for guests", (unsigned long long)p->host_low_mb,
                  (unsigned long long)p->reserved_top_mb, (unsigned long long)p->aperture_mb);
    if (p->host_fences >= p->fences)
        xlcfg_err(x, diag, "host_fences", "%u leaves none of the %u fences for guests",
                  p->host_fences, p->fences);
    return diag && diag->n > before ? -EINVAL : 0;
}

static int profile_path(const char *name_or_path, const char *dir, char **out,
                        struct vgt_diag *diag)
{
    if (strchr(name_or_path, '/'))
        return (*out = strdup(name_or_path)) ? 0 : -ENOMEM;
    if (!valid_name(name_or_path))
        return vgt_diag_add(diag, "profile '%s': not a profile name (a-z, 0-9, '-', '_', '.'); "
                            "give a path with a '/' for a file", name_or_path);
    if (!dir) {
        dir = getenv("VGT_PROFILE_DIR");
        if (!dir || !*dir)
            dir = VGT_DATADIR "/profiles";
    }
    return asprintf(out, "%s/%s.profile", dir, name_or_path) < 0 ? -ENOMEM : 0;
}

int vgt_profile_load(const char *name_or_path, const char *dir, struct vgt_profile *out,
                     struct vgt_diag *diag)
{
    _cleanup_dispose_(xlcfg) struct xlcfg x = { 0 };
    _cleanup_free_ char *path = NULL;
    struct vgt_profile p;
    int r;

    xlcfg_init(&x);
    if (!name_or_path || !*name_or_path)
        name_or_path = vgt_profile_default_name();
    r = profile_path(name_or_path, dir, &path, diag);
    if (r < 0)
        return r;
    r = xlcfg_read(&x, path, NULL, 0, diag);
    if (r == -ENOENT && !strchr(name_or_path, '/'))
        vgt_diag_add(diag, "profile '%s': no such profile (shipped: bdw-gt2, skl-gt2, kbl-gt2)",
                     name_or_path);
    if (r < 0)
        return r;
    r = read_profile(&x, &p, diag);
    if (r < 0)
        return r;
    *out = p;
    return 0;
}
