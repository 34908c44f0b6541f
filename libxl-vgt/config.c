/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * The vgt_* keys of an xl domain config.  The text is read by libxlutil as xl
 * reads it; every problem is recorded with its file and line, all of them, before
 * anything is built.  Keys other than ours pass through untouched (xl checks them).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vgt/cleanup.h"
#include "vgt/config.h"
#include "xlcfg.h"

VGT_DEFINE_DISPOSE(xlcfg)
VGT_DEFINE_DISPOSE(vgt_diag)

/* Upstream GVT-g's gen9 types (GVTg_V5_x). */
static const struct vgt_type types[] = {
    { "V5_8", { 64, 384, 4 }, 2, 1024, 768 },
    { "V5_4", { 128, 512, 4 }, 4, 1920, 1200 },
    { "V5_2", { 256, 1024, 4 }, 8, 1920, 1200 },
    { "V5_1", { 512, 2048, 4 }, 16, 1920, 1200 },
};

const struct vgt_type *vgt_types(unsigned *n)
{
    if (n)
        *n = VGT_ARRAY_SIZE(types);
    return types;
}

const struct vgt_type *vgt_type_lookup(const char *name)
{
    if (!name)
        return NULL;
    if (strncasecmp(name, "GVTg_", 5) == 0) /* upstream's full name */
        name += 5;
    for (size_t i = 0; i < VGT_ARRAY_SIZE(types); i++)
        if (strcasecmp(types[i].name, name) == 0)
            return &types[i];
    return NULL;
}

/* Defaults of the original (QEMU's): low 64, high 448, fence 4, cap 0.  Primary
 * is -1 (auto) as the key documents. */
#define DEF_LOW 64
#define DEF_HIGH 448
#define DEF_FENCES 4

void vgt_config_init(struct vgt_config *c)
{
    memset(c, 0, sizeof(*c));
    c->req = (struct vgt_request){ DEF_LOW, DEF_HIGH, DEF_FENCES };
    c->primary = -1;
    c->vcpus = 1;
}

void vgt_config_dispose(struct vgt_config *c)
{
    if (!c)
        return;
    free(c->monitor_config_file);
    vgt_config_init(c);
}

static const char *const known_keys[] = {
    "vgt", "vgt_type", "vgt_low_gm_sz", "vgt_high_gm_sz", "vgt_fence_sz", "vgt_primary",
    "vgt_cap", "vgt_monitor_config_file",
};

static bool known(const char *k)
{
    for (size_t i = 0; i < VGT_ARRAY_SIZE(known_keys); i++)
        if (strcmp(known_keys[i], k) == 0)
            return true;
    return false;
}

/* Counts what it records, so that a NULL diag still gives the right result. */
struct ctx {
    const struct xlcfg *x;
    struct vgt_diag *diag;
    unsigned flags;
    unsigned errors;
};

#define ERR(c, key, ...) ((c)->errors++, xlcfg_err((c)->x, (c)->diag, key, __VA_ARGS__))

static int get_long(struct ctx *c, const char *key, long *out)
{
    int r = xlcfg_long(c->x, key, LONG_MIN, LONG_MAX, out, c->diag);

    if (r == -EINVAL)
        c->errors++;
    return r;
}

static int get_string(struct ctx *c, const char *key, const char **out)
{
    int r = xlcfg_string(c->x, key, out, c->diag);

    if (r == -EINVAL)
        c->errors++;
    return r;
}

/* A number key in [min, max]; *out untouched unless valid. */
static void num(struct ctx *c, const char *key, long min, long max, const char *allowed,
                long *out)
{
    long v;

    if (get_long(c, key, &v) != 0)
        return;
    if (v < min || v > max)
        ERR(c, key, "%ld is out of range: allowed %s", v, allowed);
    else
        *out = v;
}

static void guest_basics(const struct xlcfg *x, struct vgt_config *out)
{
    const char *s;
    long v;

    /* Not ours to validate: xl reports these itself. */
    if (xlcfg_string(x, "name", &s, NULL) == 0)
        snprintf(out->name, sizeof(out->name), "%s", s);
    if (xlcfg_long(x, "vcpus", 1, INT_MAX, &v, NULL) == 0)
        out->vcpus = v;
    if (xlcfg_long(x, "memory", 0, LONG_MAX, &v, NULL) == 0)
        out->memory_mb = v;
}

static void check_hvm(struct ctx *c)
{
    const char *type = NULL, *builder = NULL;
    char w[48];

    xlcfg_string(c->x, "type", &type, NULL);
    xlcfg_string(c->x, "builder", &builder, NULL);
    if (type && strcmp(type, "hvm") == 0)
        return;
    if (!type && builder && strcmp(builder, "hvm") == 0)
        return;
    if (type)
        ERR(c, "vgt", "1 needs an HVM guest, but type = \"%s\" (%s); set type = \"hvm\"",
            type, xlcfg_where(c->x, xlcfg_key(c->x, "type")->line, w, sizeof(w)));
    else if (builder)
        ERR(c, "vgt", "1 needs an HVM guest, but builder = \"%s\" (%s); set type = \"hvm\"",
            builder, xlcfg_where(c->x, xlcfg_key(c->x, "builder")->line, w, sizeof(w)));
    else
        ERR(c, "vgt", "1 needs an HVM guest, but the config sets no type, so xl builds a PV "
            "guest; set type = \"hvm\"");
}

static void check_pod(struct ctx *c)
{
    long mem, maxmem;

    if (xlcfg_long(c->x, "maxmem", 0, LONG_MAX, &maxmem, NULL) != 0 ||
        xlcfg_long(c->x, "memory", 0, LONG_MAX, &mem, NULL) != 0)
        return;
    if (maxmem > mem)
        ERR(c, "maxmem", "%ld is more than memory = %ld: the guest would start with "
            "populate-on-demand memory, which a vGPU guest cannot use; set maxmem = memory "
            "or remove maxmem", maxmem, mem);
    else if (maxmem < mem)
        ERR(c, "maxmem", "%ld is less than memory = %ld: a vGPU guest needs maxmem = memory; "
            "set maxmem = memory or remove maxmem", maxmem, mem);
}

/* Each resource on its own, so each message sits at the key that asks for it. */
static void check_fit(struct ctx *c, const struct vgt_profile *p, const struct vgt_config *cfg)
{
    const struct vgt_request parts[3] = {
        { cfg->req.low_mb, 0, 0 }, { 0, cfg->req.high_mb, 0 }, { 0, 0, cfg->req.fences },
    };
    const char *keys[3] = { "vgt_low_gm_sz", "vgt_high_gm_sz", "vgt_fence_sz" };

    for (int i = 0; i < 3; i++) {
        _cleanup_dispose_(vgt_diag) struct vgt_diag d = { 0 };
        const char *key = cfg->type ? "vgt_type" : keys[i];

        vgt_diag_init(&d);
        if (vgt_alloc_check_fits_profile(p, &parts[i], &d) == 0)
            continue;
        if (!cfg->type && !xlcfg_key(c->x, key))
            ERR(c, key, "the default %s (not set in the file)", d.n ? d.msgs[0] : "does not fit");
        else
            ERR(c, key, "%s", d.n ? d.msgs[0] : "does not fit");
    }
}

static void check_monitor(struct ctx *c, struct vgt_config *cfg)
{
    _cleanup_dispose_(vgt_diag) struct vgt_diag d = { 0 };
    const char *path;

    if (get_string(c, "vgt_monitor_config_file", &path) != 0)
        return;
    if (!*path) {
        ERR(c, "vgt_monitor_config_file", "is empty: give the path of a monitor.config, or "
            "remove the key");
        return;
    }
    cfg->monitor_config_file = strdup(path);
    if (c->flags & VGT_CONFIG_NO_FILES)
        return;
    if (vgt_monitor_config_load(path, &cfg->monitor, &d) == 0)
        return;
    if (!d.n)
        ERR(c, "vgt_monitor_config_file", "'%s' cannot be used", path);
    for (size_t i = 0; i < d.n; i++)
        ERR(c, "vgt_monitor_config_file", "%s", d.msgs[i]);
    memset(&cfg->monitor, 0, sizeof(cfg->monitor));
}

static void read_vgt(struct ctx *c, const struct vgt_profile *p, struct vgt_config *cfg)
{
    const struct xlcfg *x = c->x;
    const char *tname;
    long low = DEF_LOW, high = DEF_HIGH, fences = DEF_FENCES, primary = -1, cap = 0;
    char range[128];

    for (size_t i = 0; i < x->n_keys; i++) {
        const struct xlcfg_key *k = &x->keys[i];

        if (strncmp(k->name, "vgt", 3) == 0 && !known(k->name)) {
            c->errors++;
            xlcfg_err_line(x, c->diag, k->line, k->name, "unknown vgt key (known: vgt, "
                           "vgt_type, vgt_low_gm_sz, vgt_high_gm_sz, vgt_fence_sz, "
                           "vgt_primary, vgt_cap, vgt_monitor_config_file)");
        }
    }
    check_hvm(c);
    check_pod(c);

    if (get_string(c, "vgt_type", &tname) == 0) {
        cfg->type = vgt_type_lookup(tname);
        if (!cfg->type)
            ERR(c, "vgt_type", "'%s' is not a vGPU type: allowed V5_8 (64/384 MB), V5_4 "
                "(128/512 MB), V5_2 (256/1024 MB), V5_1 (512/2048 MB)", tname);
        else
            for (int i = 0; i < 3; i++) {
                const char *key = (const char *[]){ "vgt_low_gm_sz", "vgt_high_gm_sz",
                                                    "vgt_fence_sz" }[i];
                char w[48];

                if (xlcfg_key(x, key))
                    ERR(c, key, "cannot be combined with vgt_type (%s): give either a "
                        "vGPU type or the sizes",
                        xlcfg_where(x, xlcfg_key(x, "vgt_type")->line, w, sizeof(w)));
            }
    }

    snprintf(range, sizeof(range), "1..%llu (MB; Linux guests need at least 64, Windows 128)",
             p ? (unsigned long long)p->aperture_mb : 4096ull);
    num(c, "vgt_low_gm_sz", 1, p ? (long)p->aperture_mb : 4096, range, &low);
    snprintf(range, sizeof(range), "1..%llu (MB)", p ? (unsigned long long)p->ggtt_mb : 65536ull);
    num(c, "vgt_high_gm_sz", 1, p ? (long)p->ggtt_mb : 65536, range, &high);
    if (p && high % (long)p->high_gm_granule_mb && !cfg->type)
        ERR(c, "vgt_high_gm_sz", "%ld is not a multiple of %llu: %s gives high GM in %llu MB "
            "granules", high, (unsigned long long)p->high_gm_granule_mb, p->name,
            (unsigned long long)p->high_gm_granule_mb);
    snprintf(range, sizeof(range), "1..%u", p ? p->fences : VGT_MAX_FENCES);
    num(c, "vgt_fence_sz", 1, p ? p->fences : VGT_MAX_FENCES, range, &fences);
    num(c, "vgt_primary", -1, 1, "-1 (auto), 0 (secondary) or 1 (primary display); "
        "write -1 as \"-1\"", &primary);
    num(c, "vgt_cap", 0, 100, "0..100 (percent of render time, 0 = no cap)", &cap);

    cfg->req = cfg->type ? cfg->type->req : (struct vgt_request){ low, high, fences };
    cfg->primary = primary;
    cfg->cap = cap;
    if (p)
        check_fit(c, p, cfg);
    check_monitor(c, cfg);
}

/* Sort key of "FILE:LINE: ..." / "<command line>:N: ..." / "FILE: ...": messages
 * without a line first, then the file's lines, then the command line's. */
static long msg_order(const char *m, const char *file)
{
    static const char cl[] = "<command line>:";
    size_t n = strlen(file);

    if (strncmp(m, cl, sizeof(cl) - 1) == 0)
        return 1000000000L + strtol(m + sizeof(cl) - 1, NULL, 10);
    if (strncmp(m, file, n) == 0 && m[n] == ':' && m[n + 1] >= '0' && m[n + 1] <= '9')
        return strtol(m + n + 1, NULL, 10);
    return 0;
}

/* Messages of one file in the order of its lines (stable: same line keeps the
 * order of the checks). */
static void sort_by_line(struct vgt_diag *d, size_t from, const char *file)
{
    for (size_t i = from + 1; d && i < d->n; i++) {
        char *m = d->msgs[i];
        long k = msg_order(m, file);
        size_t j = i;

        for (; j > from && msg_order(d->msgs[j - 1], file) > k; j--)
            d->msgs[j] = d->msgs[j - 1];
        d->msgs[j] = m;
    }
}

static int validate(const struct xlcfg *x, int r, const struct vgt_profile *profile,
                    unsigned flags, struct vgt_config *out, struct vgt_diag *diag, size_t first)
{
    struct ctx c = { .x = x, .diag = diag, .flags = flags };
    long vgt = 0;

    if (r < 0)
        return r;
    guest_basics(x, out);
    num(&c, "vgt", 0, 1, "0 (no vGPU) or 1", &vgt);
    out->vgt = vgt == 1;
    /* Without vgt=1 the vgt_* keys are inert, as they are to xl: nothing to check. */
    if (out->vgt)
        read_vgt(&c, profile, out);
    sort_by_line(diag, first, x->file);
    return c.errors ? -EINVAL : 0;
}

int vgt_config_read(const char *file, const char *const *overrides, int n_overrides,
                    const struct vgt_profile *profile, struct vgt_config *out,
                    struct vgt_diag *diag)
{
    _cleanup_dispose_(xlcfg) struct xlcfg x = { 0 };
    size_t first = diag ? diag->n : 0;

    vgt_config_dispose(out);
    return validate(&x, xlcfg_read(&x, file, overrides, n_overrides, diag), profile, 0, out,
                    diag, first);
}

int vgt_config_read_text(const char *name, const char *text, size_t len,
                         const char *const *overrides, int n_overrides,
                         const struct vgt_profile *profile, unsigned flags,
                         struct vgt_config *out, struct vgt_diag *diag)
{
    _cleanup_dispose_(xlcfg) struct xlcfg x = { 0 };
    size_t first = diag ? diag->n : 0;

    vgt_config_dispose(out);
    return validate(&x, xlcfg_read_text(&x, name, text, len, overrides, n_overrides, diag),
                    profile, flags, out, diag, first);
}
