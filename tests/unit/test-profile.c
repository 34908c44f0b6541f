/* SPDX-License-Identifier: LGPL-2.1-only */
/* GPU profiles: the shipped ones load with the original's numbers; every bad
 * field is reported with its line. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tap.h"
#include "vgt/profile.h"

static char dir[4096];

static char *write_tmp(const char *text)
{
    static char path[64];
    int fd;

    strcpy(path, "/tmp/test-profile-XXXXXX");
    fd = mkstemp(path);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        abort();
    close(fd);
    return path;
}

/* Load TEXT as a profile file; return its diag joined by '\n' (file name as F). */
static int load_text(const char *text, struct vgt_profile *p, char *msgs, size_t n)
{
    struct vgt_diag d;
    char *path = write_tmp(text);
    int r;

    vgt_diag_init(&d);
    r = vgt_profile_load(path, NULL, p, &d);
    msgs[0] = '\0';
    for (size_t i = 0; i < d.n; i++) {
        const char *m = d.msgs[i];
        if (strncmp(m, path, strlen(path)) == 0) {
            strncat(msgs, "F", n - strlen(msgs) - 1);
            m += strlen(path);
        }
        strncat(msgs, m, n - strlen(msgs) - 1);
        strncat(msgs, "\n", n - strlen(msgs) - 1);
    }
    vgt_diag_dispose(&d);
    unlink(path);
    return r;
}

#define GOOD "name=\"t\"\ngeneration=9\ndevice_id=0x1912\naperture_mb=512\nggtt_mb=4096\n" \
    "fences=32\nhost_low_gm_mb=96\nhost_high_gm_mb=384\nhost_fences=4\n" \
    "reserved_top_mb=32\nmax_instances=15\nhigh_gm_granule_mb=64\n"

int main(void)
{
    const char *src = getenv("top_srcdir");
    struct vgt_profile p;
    struct vgt_diag d;
    char msgs[4096];
    int r;

    snprintf(dir, sizeof(dir), "%s/libxl-vgt/profiles", src ? src : TOP_SRCDIR);
    vgt_diag_init(&d);

    is_str(vgt_profile_default_name(), "skl-gt2", "default profile is skl-gt2");
    r = vgt_profile_load("skl-gt2", dir, &p, &d);
    is_int(r, 0, "skl-gt2 loads");
    vgt_diag_print(&d, stdout);
    is_str(p.name, "skl-gt2", "name");
    is_int(p.gen, 9, "gen 9");
    is_int(p.device_id, 0x1912, "device id");
    is_int(p.aperture_mb, 512, "aperture");
    is_int(p.ggtt_mb, 4096, "ggtt 4 GB on gen9");
    is_int(p.fences, 32, "32 fences");
    is_int(p.host_low_mb, 96, "host low 96");
    is_int(p.host_high_mb, 384, "host high 384");
    is_int(p.host_fences, 4, "host fences 4");
    is_int(p.reserved_top_mb, 32, "reserved top 32");
    is_int(p.aperture_mb - p.host_low_mb - p.reserved_top_mb, 3 * 128, "3 guests of 128 MB");
    is_int(p.high_gm_granule_mb, 64, "granule 64");
    ok(strstr(p.description, "Skylake") != NULL, "description");

    r = vgt_profile_load("bdw-gt2", dir, &p, &d);
    is_int(r, 0, "bdw-gt2 loads");
    is_int(p.gen, 8, "bdw gen 8");
    is_int(p.ggtt_mb, 2048, "bdw ggtt 2 GB");
    is_int(p.device_id, 0x1616, "bdw device id");
    r = vgt_profile_load("kbl-gt2", dir, &p, &d);
    is_int(r, 0, "kbl-gt2 loads");
    is_int(p.device_id, 0x5912, "kbl device id");
    is_int(d.n, 0, "no messages for shipped profiles");

    /* NULL name = default; VGT_PROFILE_DIR when dir is NULL. */
    setenv("VGT_PROFILE_DIR", dir, 1);
    r = vgt_profile_load(NULL, NULL, &p, &d);
    is_int(r, 0, "default via $VGT_PROFILE_DIR");
    is_str(p.name, "skl-gt2", "default is skl-gt2");

    r = vgt_profile_load("nosuch", dir, &p, &d);
    is_int(r, -ENOENT, "unknown profile: -ENOENT");
    ok(d.n == 2 && strstr(d.msgs[1], "profile 'nosuch': no such profile"), "says so");
    vgt_diag_dispose(&d);
    r = vgt_profile_load("a b", dir, &p, &d);
    is_int(r, -EINVAL, "bad name refused");
    vgt_diag_dispose(&d);

    r = load_text(GOOD, &p, msgs, sizeof(msgs));
    is_int(r, 0, "a profile file given by path");
    is_str(msgs, "", "no messages");

    r = load_text("name = \"x y\"\ngeneration = 7\naperture_mb = \"big\"\nfences = [1]\n"
                  "bogus = 1\ndevice_id=0x1912 ; ggtt_mb=4096\nhost_low_gm_mb=1\n"
                  "host_high_gm_mb=64\nhost_fences=70\nmax_instances=0\n",
                  &p, msgs, sizeof(msgs));
    is_int(r, -EINVAL, "bad profile refused");
    is_str(msgs,
           "F:5: bogus: unknown profile key (known: name, description, generation, device_id, "
           "aperture_mb, ggtt_mb, fences, host_low_gm_mb, host_high_gm_mb, host_fences, "
           "reserved_top_mb, max_instances, high_gm_granule_mb)\n"
           "F:1: name: 'x y' is not a valid profile name (1..31 of a-z, 0-9, '-', '_', '.')\n"
           "F:2: generation: 7 is out of range: allowed 8..9\n"
           "F:3: aperture_mb: 'big' is not a number\n"
           "F:4: fences: is a list, expected a number\n"
           "F:9: host_fences: 70 is out of range: allowed 0..64\n"
           "F:10: max_instances: 0 is out of range: allowed 1..64\n",
           "every bad field with its line");

    r = load_text("name=\"t\"\n", &p, msgs, sizeof(msgs));
    is_int(r, -EINVAL, "missing fields refused");
    ok(strstr(msgs, "F: generation: missing (a profile must set it)\n") &&
       strstr(msgs, "F: max_instances: missing (a profile must set it)\n"), "missing named");

    r = load_text(GOOD "aperture_mb=500\nggtt_mb=400\n", &p, msgs, sizeof(msgs));
    is_int(r, -EINVAL, "inconsistent geometry refused");
    is_str(msgs, "F:13: aperture_mb: 500 is not a power of two (it is a PCI BAR size)\n"
                 "F:14: ggtt_mb: 400 must be larger than aperture_mb (500): the high GM lies "
                 "above the aperture\n", "relations checked, last assignment's line");

    r = load_text(GOOD "host_low_gm_mb=480\nhost_fences=32\nhost_high_gm_mb=100\n", &p, msgs,
                  sizeof(msgs));
    is_int(r, -EINVAL, "host reservation leaving nothing refused");
    is_str(msgs, "F:15: host_high_gm_mb: 100 is not a multiple of high_gm_granule_mb (64)\n"
                 "F:13: host_low_gm_mb: 480 + reserved_top_mb 32 leave nothing of the 512 MB "
                 "aperture for guests\n"
                 "F:14: host_fences: 32 leaves none of the 32 fences for guests\n",
           "host reservation checks");

    r = load_text(GOOD "generation = 9 9\n", &p, msgs, sizeof(msgs));
    is_int(r, -EINVAL, "syntax error refused");
    is_str(msgs, "F:13: config parsing error near `9': syntax error, unexpected NUMBER, "
                 "expecting $end\n", "syntax error with its line");

    return tap_done();
}
