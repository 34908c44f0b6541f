/* SPDX-License-Identifier: GPL-2.0-only */
/* xl vgt-screenshot DOMAIN FILE.png: the guest's current framebuffer as PNG. */
#include <errno.h>
#include <getopt.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xl-plugin/front.h"

#define CMD "vgt-screenshot"

/* XRGB8888 little endian (B, G, R, X in memory) -> 8-bit RGB PNG. */
static int write_png(FILE *f, const struct vgt_screenshot *s)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    png_bytep row = NULL;
    int rc = -ENOMEM;

    if (!png || !info)
        goto out;
    row = malloc((size_t)s->width * 3);
    if (!row)
        goto out;
    if (setjmp(png_jmpbuf(png))) {
        rc = -EIO;
        goto out;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, s->width, s->height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (unsigned y = 0; y < s->height; y++) {
        const uint8_t *src = s->data + (size_t)y * s->stride;
        for (unsigned x = 0; x < s->width; x++) {
            row[3 * x] = src[4 * x + 2];
            row[3 * x + 1] = src[4 * x + 1];
            row[3 * x + 2] = src[4 * x];
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    rc = 0;
out:
    free(row);
    png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
    return rc;
}

/* Write next to FILE and rename, so that FILE is never half written. */
static int save(const char *file, const struct vgt_screenshot *s)
{
    _cleanup_free_ char *tmp = NULL;
    FILE *f;
    int rc;

    if (strcmp(file, "-") == 0) {
        rc = write_png(stdout, s);
        return rc < 0 ? rc : (fflush(stdout) ? -errno : 0);
    }
    if (asprintf(&tmp, "%s.tmp.%d", file, (int)getpid()) < 0)
        return -ENOMEM;
    f = fopen(tmp, "wbx");
    if (!f)
        return -errno;
    rc = write_png(f, s);
    if (fclose(f) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, file) < 0)
        rc = -errno;
    if (rc < 0)
        unlink(tmp);
    return rc;
}

int main_vgt_screenshot(int argc, char **argv, const struct xlv_opts *o)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const struct xlv_cmd *cmd = xlv_find_cmd(CMD);
    _cleanup_dispose_(vgt_client) struct vgt_client c;
    _cleanup_dispose_(vgt_screenshot) struct vgt_screenshot s;
    char name[64];
    int opt, domid, r;

    vgt_client_init(&c);
    vgt_screenshot_init(&s);
    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h': xlv_usage(cmd, stdout); return XLV_OK;
        default: xlv_usage(cmd, stderr); return XLV_EUSAGE;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "xl: " CMD ": DOMAIN and FILE.png expected\n");
        xlv_usage(cmd, stderr);
        return XLV_EUSAGE;
    }
    const char *domain = argv[optind], *file = argv[optind + 1];

    if ((r = xlv_connect(CMD, &c)) != 0)
        return r;
    if ((r = xlv_resolve(CMD, &c, domain, false, &domid, name, sizeof(name))) != 0)
        return r;
    r = vgt_client_screenshot(&c, domid, &s);
    if (r == -EAGAIN)
        return xlv_fail(CMD, r, "%s: %s", name, c.error);
    if (r < 0)
        return xlv_client_fail(CMD, &c, r);
    r = save(file, &s);
    if (r < 0)
        return xlv_fail(CMD, -EIO, "cannot write %s: %s", file, vgt_strerror(r));
    if (o->verbose)
        fprintf(stderr, "%s: %ux%u screenshot of %s (domain %d)\n", file, s.width, s.height,
                name, domid);
    return XLV_OK;
}
