/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xl vgt-edid [--json] FILE...: check and decode EDID files (binary or hex text;
 * "-" reads standard input).
 * One summary line per file on stdout (or a JSON array); the full diagnostics of
 * every invalid file go to stderr in the usual "FILE[:LINE]: edid: message" form.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "vgt/cleanup.h"
#include "vgt/edid.h"
#include "xl-plugin/xl-vgt.h"

struct edid_result {
    const char *file;
    bool valid;
    char *error;               /* the first problem, without the file name; malloc'd */
    struct vgt_edid_info info;
};

/* "FILE:12: edid: msg" -> "line 12: msg"; "FILE: edid: msg" -> "msg". */
static char *short_reason(const char *file, const char *msg)
{
    size_t fl = strlen(file);
    const char *p = msg;
    char *out = NULL;
    long line = 0;

    if (strncmp(p, file, fl) == 0 && p[fl] == ':') {
        p += fl + 1;
        if (*p >= '0' && *p <= '9') {
            char *end;
            line = strtol(p, &end, 10);
            p = *end == ':' ? end + 1 : msg;
        }
        if (p != msg && strncmp(p, " edid: ", 7) == 0)
            p += 7;
        else
            p = msg, line = 0;
    }
    int rc = line > 0 ? asprintf(&out, "line %ld: %s", line, p) : asprintf(&out, "%s", p);
    return rc < 0 ? NULL : out;
}

static void check_one(const char *file, struct edid_result *r, struct vgt_diag *all)
{
    struct vgt_diag d;
    uint8_t edid[VGT_EDID_LEN];

    vgt_diag_init(&d);
    r->file = file;
    r->valid = vgt_edid_load(file, edid, &d) == 0 && vgt_edid_decode(edid, &r->info, file, &d) == 0;
    if (!r->valid) {
        if (d.n == 0)
            vgt_diag_at(&d, file, 0, "edid", "cannot be read");
        r->error = short_reason(file, d.msgs[0]);
        if (d.n > 1 && r->error) {
            char *more = NULL;
            if (asprintf(&more, "%s (and %zu more)", r->error, d.n - 1 + d.dropped) >= 0) {
                free(r->error);
                r->error = more;
            }
        }
        for (size_t i = 0; i < d.n; i++)
            vgt_diag_add(all, "%s", d.msgs[i]);
    }
    vgt_diag_dispose(&d);
}

static void print_line(const struct edid_result *r)
{
    const struct vgt_edid_info *i = &r->info;

    if (!r->valid) {
        printf("%s: invalid: %s\n", r->file, r->error ? r->error : "out of memory");
        return;
    }
    printf("%s: valid, %s product 0x%04x, serial 0x%08x", r->file, i->manufacturer, i->product,
           i->serial);
    if (i->name[0])
        printf(", name \"%s\"", i->name);
    if (i->has_preferred)
        printf(", preferred %ux%u%s@%u", i->width, i->height, i->interlaced ? "i" : "",
               i->refresh_hz);
    else
        printf(", no preferred timing");
    if (i->extensions)
        printf(", %u extension block%s", i->extensions, i->extensions == 1 ? "" : "s");
    printf("\n");
}

static void gen_str(yajl_gen g, const char *s)
{
    if (s)
        yajl_gen_string(g, (const unsigned char *)s, strlen(s));
    else
        yajl_gen_null(g);
}

static void gen_int(yajl_gen g, bool present, long long v)
{
    if (present)
        yajl_gen_integer(g, v);
    else
        yajl_gen_null(g);
}

/* Keys of the issue (file, valid, error, manufacturer, product, preferred) and a
 * few more; what an invalid EDID cannot tell is null. */
static void gen_json(yajl_gen g, const struct edid_result *r)
{
    const struct vgt_edid_info *i = &r->info;
    bool v = r->valid;

    yajl_gen_map_open(g);
    gen_str(g, "file");
    gen_str(g, r->file);
    gen_str(g, "valid");
    yajl_gen_bool(g, v);
    gen_str(g, "error");
    gen_str(g, v ? NULL : r->error ? r->error : "out of memory");
    gen_str(g, "manufacturer");
    gen_str(g, v ? i->manufacturer : NULL);
    gen_str(g, "product");
    gen_int(g, v, i->product);
    gen_str(g, "serial");
    gen_int(g, v, i->serial);
    gen_str(g, "name");
    gen_str(g, v && i->name[0] ? i->name : NULL);
    gen_str(g, "extensions");
    gen_int(g, v, i->extensions);
    gen_str(g, "preferred");
    if (v && i->has_preferred) {
        yajl_gen_map_open(g);
        gen_str(g, "width");
        yajl_gen_integer(g, i->width);
        gen_str(g, "height");
        yajl_gen_integer(g, i->height);
        gen_str(g, "refresh");
        yajl_gen_integer(g, i->refresh_hz);
        gen_str(g, "interlaced");
        yajl_gen_bool(g, i->interlaced);
        yajl_gen_map_close(g);
    } else {
        yajl_gen_null(g);
    }
    yajl_gen_map_close(g);
}

int main_vgt_edid(int argc, char **argv, const struct xlv_opts *o)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const struct xlv_cmd *cmd = xlv_find_cmd("vgt-edid");
    bool json = false, all_valid = true;
    struct vgt_diag all;
    int opt;

    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'j': json = true; break;
        case 'h': xlv_usage(cmd, stdout); return XLV_OK;
        default: xlv_usage(cmd, stderr); return XLV_EUSAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "xl: vgt-edid: no EDID file given\n");
        xlv_usage(cmd, stderr);
        return XLV_EUSAGE;
    }

    yajl_gen g = NULL;
    if (json) {
        g = yajl_gen_alloc(NULL);
        if (!g)
            return XLV_EFAIL;
        yajl_gen_config(g, yajl_gen_beautify, 1);
        yajl_gen_array_open(g);
    }
    vgt_diag_init(&all);
    for (int k = optind; k < argc; k++) {
        struct edid_result r = { 0 };

        /* "-": standard input, e.g. cat /sys/class/drm/card0-DP-1/edid | xl vgt-edid - */
        check_one(strcmp(argv[k], "-") == 0 ? "/dev/stdin" : argv[k], &r, &all);
        all_valid &= r.valid;
        if (json)
            gen_json(g, &r);
        else
            print_line(&r);
        free(r.error);
    }
    if (json) {
        const unsigned char *buf;
        size_t len;

        yajl_gen_array_close(g);
        yajl_gen_get_buf(g, &buf, &len);
        fwrite(buf, 1, len, stdout);
        yajl_gen_free(g);
    }
    fflush(stdout);
    vgt_diag_print(&all, stderr);
    vgt_diag_dispose(&all);
    return all_valid ? XLV_OK : XLV_EEDID;
}
