/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * libFuzzer target of the config reader: the input is the config text; what
 * follows a NUL byte are command-line overrides, one per NUL-separated piece.
 * Files named in the config are not opened (VGT_CONFIG_NO_FILES).  Every message
 * must be a "FILE..." line, and a success must give values in range.  The line
 * finder is checked against libxlutil itself: the line libxlutil gives in its
 * warnings for a key must be the line we found for it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgt/config.h"
#include "xlcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct vgt_profile skl = {
    .name = "skl-gt2", .gen = 9, .device_id = 0x1912, .aperture_mb = 512, .ggtt_mb = 4096,
    .fences = 32, .host_low_mb = 96, .host_high_mb = 384, .host_fences = 4,
    .reserved_top_mb = 32, .max_instances = 15, .high_gm_granule_mb = 64,
};

/* Ask libxlutil for the line of `key` (its warnings carry it) and compare. */
static void check_lines(const char *text, size_t len, const char *const *ov, int n)
{
    struct xlcfg x;

    xlcfg_init(&x);
    if (xlcfg_read_text(&x, "f", text, len, ov, n, NULL) == 0) {
        for (size_t i = 0; i < x.n_keys; i++) {
            const struct xlcfg_key *k = &x.keys[i];
            const char *s;
            size_t before;
            int line = -1, r;

            if (xlcfg_key(&x, k->name) != k)
                continue;             /* an earlier assignment: libxlutil keeps the last */
            fflush(x.report);
            before = x.report_len;
            r = xlu_cfg_get_list(x.cfg, k->name, NULL, NULL, 0);
            if (r == ESRCH)
                abort();              /* we found a key libxlutil does not have */
            if (r == 0)               /* a list: the string getter warns instead */
                xlu_cfg_get_string(x.cfg, k->name, &s, 0);
            fflush(x.report);
            if (x.report_len == before || sscanf(x.report_buf + before, "f:%d:", &line) != 1 ||
                line != k->line)
                abort();
        }
    }
    xlcfg_dispose(&x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *ov[8];
    char *buf = malloc(size + 1);
    size_t text_len;
    struct vgt_config c;
    struct vgt_diag d;
    int n = 0, r;

    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    text_len = strnlen(buf, size);
    for (size_t i = text_len; i < size && n < 8; i += strlen(buf + i) + 1)
        if (i + 1 <= size)
            ov[n++] = buf + i + 1;
    if (n && ov[n - 1] == buf + size + 1)
        n--;
    vgt_config_init(&c);
    vgt_diag_init(&d);
    r = vgt_config_read_text("fuzz.cfg", buf, text_len, ov, n, &skl, VGT_CONFIG_NO_FILES, &c, &d);
    if (r == 0 && c.vgt) {
        if (c.req.low_mb < 1 || c.req.low_mb > 384 || c.req.fences < 1 || c.req.fences > 28 ||
            c.primary < -1 || c.primary > 1 || c.cap > 100)
            abort();
    }
    if (r == 0 && d.n)
        abort();   /* success never leaves messages */
    if (r == -EINVAL && d.n == 0)
        abort();   /* a refusal always says why */
    for (size_t i = 0; i < d.n; i++)
        if (strncmp(d.msgs[i], "fuzz.cfg", 8) != 0 && strncmp(d.msgs[i], "<command line>:", 15) != 0)
            abort();
    vgt_diag_dispose(&d);
    vgt_config_dispose(&c);
    check_lines(buf, text_len, ov, n);
    free(buf);
    return 0;
}

/* Debian's libxlutil 4.17 leaks a value when bison recovers from some syntax
 * errors (no %destructor); that is not ours to find here. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libxlutil.so\n";
}
