/* SPDX-License-Identifier: LGPL-2.1-only */
/* vgt_config_read: values, defaults, overrides as xl appends them, the line of
 * every message (through comments, strings, lists over lines, ';'). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tap.h"
#include "vgt/config.h"

static const struct vgt_profile skl = {
    .name = "skl-gt2", .gen = 9, .device_id = 0x1912, .aperture_mb = 512, .ggtt_mb = 4096,
    .fences = 32, .host_low_mb = 96, .host_high_mb = 384, .host_fences = 4,
    .reserved_top_mb = 32, .max_instances = 15, .high_gm_granule_mb = 64,
};

static char path[64];
static char msgs[8192];

/* Read TEXT (+ overrides) as a config; messages joined, file name replaced by F. */
static int rd(const char *text, const char *const *ov, int n, struct vgt_config *c)
{
    struct vgt_diag d;
    int fd, r;

    strcpy(path, "/tmp/test-config-XXXXXX");
    fd = mkstemp(path);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        abort();
    close(fd);
    vgt_diag_init(&d);
    r = vgt_config_read(path, ov, n, &skl, c, &d);
    msgs[0] = '\0';
    for (size_t i = 0; i < d.n; i++) {
        const char *m = d.msgs[i];
        if (strncmp(m, path, strlen(path)) == 0) {
            strcat(msgs, "F");
            m += strlen(path);
        }
        strncat(msgs, m, sizeof(msgs) - strlen(msgs) - 2);
        strcat(msgs, "\n");
    }
    vgt_diag_dispose(&d);
    unlink(path);
    return r;
}

#define HVM "type = \"hvm\"\n"

int main(void)
{
    struct vgt_config c;
    unsigned n;
    int r;

    vgt_config_init(&c);
    ok(vgt_types(&n) && n == 4, "four vGPU types");
    ok(vgt_type_lookup("V5_4") && vgt_type_lookup("V5_4")->req.low_mb == 128, "V5_4 is 128 MB");
    ok(vgt_type_lookup("GVTg_V5_8") && vgt_type_lookup("v5_1")->req.high_mb == 2048,
       "upstream names and any case");
    ok(!vgt_type_lookup("V5_3"), "unknown type");

    r = rd(HVM "name = \"g\"\nmemory = 2048\nvcpus = 2\nvgt = 1\n", NULL, 0, &c);
    is_int(r, 0, "minimal vgt config");
    ok(c.vgt, "vgt on");
    is_str(c.name, "g", "name");
    is_int(c.vcpus, 2, "vcpus");
    is_int(c.memory_mb, 2048, "memory");
    is_int(c.req.low_mb, 64, "default low 64");
    is_int(c.req.high_mb, 448, "default high 448");
    is_int(c.req.fences, 4, "default fences 4");
    is_int(c.primary, -1, "default primary -1");
    is_int(c.cap, 0, "default cap 0");
    ok(!c.monitor_config_file && c.monitor.n == 0, "no monitor");

    r = rd("name = \"plain\"\nvgt_cap = 999\n", NULL, 0, &c);
    is_int(r, 0, "no vgt: vgt keys inert");
    ok(!c.vgt, "vgt off");
    r = rd("vgt = 0\nvgt_cap = 999\n", NULL, 0, &c);
    is_int(r, 0, "vgt=0: same");
    r = rd("vgt = 2\n", NULL, 0, &c);
    is_int(r, -EINVAL, "vgt=2 refused");
    is_str(msgs, "F:1: vgt: 2 is out of range: allowed 0 (no vGPU) or 1\n", "vgt range");

    /* Lines through the syntax xl allows. */
    r = rd("# comment with vgt_cap = 1\n"
           "disk = [ 'a.img,raw,hda,w', # a list\n"
           "         \"b;#=\\\"x\\\"\" ]\n"
           "builder = 'hvm'; vgt = 1 ; vgt_cap = 101\n"
           "\n"
           "vgt_fence_sz = 4\n"
           "vgt_fence_sz = 0x30   # the last one counts, as in xl\n"
           "vgt_primary = '-2'\n",
           NULL, 0, &c);
    is_int(r, -EINVAL, "bad values refused");
    is_str(msgs, "F:4: vgt_cap: 101 is out of range: allowed 0..100 (percent of render time, "
                 "0 = no cap)\n"
                 "F:7: vgt_fence_sz: 48 is out of range: allowed 1..32\n"
                 "F:8: vgt_primary: -2 is out of range: allowed -1 (auto), 0 (secondary) or 1 "
                 "(primary display); write -1 as \"-1\"\n",
           "each at its line, builder='hvm' accepted");

    /* Overrides, as `xl create CFG k=v...`. */
    const char *ov[] = { "vgt_low_gm_sz=128", "vgt_cap=55", "vgt_primary=\"0\"" };
    r = rd(HVM "vgt = 1\nvgt_cap = 10", ov, 3, &c);
    is_int(r, 0, "overrides, file without final newline");
    is_int(c.req.low_mb, 128, "low from override");
    is_int(c.cap, 55, "override wins over the file");
    is_int(c.primary, 0, "primary 0");
    const char *ov2[] = { "vgt_cap=10", "vgt_cap=300" };
    r = rd(HVM "vgt = 1\n", ov2, 2, &c);
    is_int(r, -EINVAL, "bad override");
    is_str(msgs, "<command line>:2: vgt_cap: 300 is out of range: allowed 0..100 (percent of "
                 "render time, 0 = no cap)\n", "named as the 2nd override");
    const char *ov3[] = { "vgt=1", "type=\"hvm\"" };
    r = rd("", ov3, 2, &c);
    is_int(r, 0, "all from the command line");
    ok(c.vgt, "vgt from override");

    r = rd(HVM "vgt = 1\nvgt_type = \"V5_2\"\n", NULL, 0, &c);
    is_int(r, 0, "vgt_type");
    ok(c.type && strcmp(c.type->name, "V5_2") == 0, "type kept");
    is_int(c.req.low_mb, 256, "sizes of the type");
    r = rd(HVM "vgt = 1\nvgt_type = \"V5_2\"\nvgt_cap += 1\nvgt_high_gm_sz = 512\n", NULL, 0, &c);
    is_int(r, -EINVAL, "type with sizes, += on a number");
    is_str(msgs, "F:4: vgt_cap: cannot use += with a number\n"
                 "F:5: vgt_high_gm_sz: cannot be combined with vgt_type (line 3): give either a "
                 "vGPU type or the sizes\n", "both reported");

    r = rd("type = \"pvh\"\nvgt = 1\nmemory = 1024\nmaxmem = 2048\nvgt_low_gm_sz = 448\n",
           NULL, 0, &c);
    is_int(r, -EINVAL, "PVH, PoD, too large");
    is_str(msgs, "F:2: vgt: 1 needs an HVM guest, but type = \"pvh\" (line 1); set type = \"hvm\"\n"
                 "F:4: maxmem: 2048 is more than memory = 1024: the guest would start with "
                 "populate-on-demand memory, which a vGPU guest cannot use; set maxmem = memory "
                 "or remove maxmem\n"
                 "F:5: vgt_low_gm_sz: low GM: asked 448 MB, but skl-gt2 has 384 MB for guests "
                 "(512 MB aperture - 96 MB host - 32 MB reserved)\n", "all three");
    r = rd(HVM "vgt = 1\nmemory = 2048\nmaxmem = 1024\n", NULL, 0, &c);
    is_int(r, -EINVAL, "maxmem < memory");
    is_str(msgs, "F:4: maxmem: 1024 is less than memory = 2048: a vGPU guest needs maxmem = "
                 "memory; set maxmem = memory or remove maxmem\n", "named");
    r = rd(HVM "vgt = 1\nmemory = 2048\nmaxmem = 2048\n", NULL, 0, &c);
    is_int(r, 0, "maxmem = memory is fine");
    r = rd(HVM "vgt = 1\nvgt_fence_sz = 30\nvgt_monitor_config_file = \"/nonexistent/m.config\"\n",
           NULL, 0, &c);
    is_int(r, -EINVAL, "fences too many, monitor missing");
    ok(strstr(msgs, "F:3: vgt_fence_sz: fences: asked 30, but skl-gt2 has 28 for guests") != NULL,
       "fences");
    ok(strstr(msgs, "F:4: vgt_monitor_config_file: /nonexistent/m.config") != NULL, "monitor");

    r = rd(HVM "vgt = 1\nvgt_cap = 5 5\n", NULL, 0, &c);
    is_int(r, -EINVAL, "syntax error");
    ok(strncmp(msgs, "F:3: config parsing error near `5'", 34) == 0, "with its line");

    /* NULL diag and NULL profile are allowed. */
    r = vgt_config_read("/nonexistent.cfg", NULL, 0, NULL, &c, NULL);
    is_int(r, -ENOENT, "missing file: -ENOENT");
    vgt_config_dispose(&c);
    vgt_config_dispose(&c);
    ok(1, "dispose is idempotent");
    return tap_done();
}
