/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xvt-pngstat FILE.png: what a screenshot shows, for the dom0 scenarios:
 *   size=WxH uniform=0xRRGGBB|no center=0xRRGGBB distinct=N(capped at 16)
 * Built on the host against libpng (dom0 has the same Debian libpng16-16).
 */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    png_image img = { .version = PNG_IMAGE_VERSION };
    if (argc != 2) {
        fprintf(stderr, "usage: xvt-pngstat FILE.png\n");
        return 2;
    }
    if (!png_image_begin_read_from_file(&img, argv[1])) {
        fprintf(stderr, "xvt-pngstat: %s: %s\n", argv[1], img.message);
        return 1;
    }
    img.format = PNG_FORMAT_RGB;
    size_t n = PNG_IMAGE_SIZE(img);
    unsigned char *px = malloc(n);
    if (!px || !png_image_finish_read(&img, NULL, px, 0, NULL)) {
        fprintf(stderr, "xvt-pngstat: %s: %s\n", argv[1], px ? img.message : "out of memory");
        free(px);
        return 1;
    }
    unsigned w = img.width, h = img.height, distinct = 0;
    unsigned seen[16];
    for (size_t i = 0; i < (size_t)w * h; i++) {
        unsigned c = (unsigned)px[3 * i] << 16 | (unsigned)px[3 * i + 1] << 8 | px[3 * i + 2];
        unsigned k = 0;
        while (k < distinct && seen[k] != c)
            k++;
        if (k == distinct && distinct < 16)
            seen[distinct++] = c;
    }
    size_t mid = ((size_t)(h / 2) * w + w / 2) * 3;
    printf("size=%ux%u uniform=", w, h);
    if (distinct == 1)
        printf("0x%06x", seen[0]);
    else
        printf("no");
    printf(" center=0x%06x distinct=%u\n", w && h ? (unsigned)px[mid] << 16 | (unsigned)px[mid + 1] << 8 | px[mid + 2] : 0,
           distinct);
    free(px);
    return 0;
}
