/* SPDX-License-Identifier: GPL-2.0-only */
/* vgtd.conf: values, defaults, and every error as FILE:LINE: KEY: message. */
#include <pwd.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/manager/vgtd.h"
#include "tests/tap.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif
/* the source tree: from make check's environment, else where it was configured */
static const char *srcdir(void)
{
    const char *s = getenv("top_srcdir");
    return s && *s ? s : TOP_SRCDIR;
}

static char path[64];

static int read_text(const char *text, struct vgtd_conf *c, struct vgt_diag *diag)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    vgtd_conf_init(c);
    vgt_diag_init(diag);
    return vgtd_conf_read(c, path, true, diag);
}

static bool has(const struct vgt_diag *d, const char *needle)
{
    for (size_t i = 0; i < d->n; i++)
        if (strstr(d->msgs[i], needle))
            return true;
    for (size_t i = 0; i < d->n; i++)
        printf("#   %s\n", d->msgs[i]);
    return false;
}

/* worker_uid_base: one uid per domain, or the shared worker_user. */
static void test_worker_uid_base(struct vgtd_conf *c, struct vgt_diag *diag)
{
    char ids[32], text[128], want[160];
    bool per_domain = true;

    is_int(read_text("worker_user = \"gpu-worker\"\n", c, diag), 0, "worker_user alone");
    is_int(c->worker_uid_base, 0, "worker_uid_base: off by default");
    is_str(vgtd_conf_worker_user(c, 5, ids, sizeof(ids), &per_domain), "gpu-worker",
           "no range: every worker gets the shared user");
    ok(!per_domain, "no range: not per domain");
    vgtd_conf_dispose(c);
    vgt_diag_dispose(diag);

    is_int(read_text("worker_uid_base = 196608\n", c, diag), 0, "worker_uid_base = 196608");
    is_int(vgtd_conf_finish(c), 0, "finish");
    is_str(vgtd_conf_worker_user(c, 5, ids, sizeof(ids), &per_domain), "196613:196613",
           "domain 5: uid = gid = base + 5");
    ok(per_domain, "range: per domain");
    is_str(vgtd_conf_worker_user(c, 6, ids, sizeof(ids), &per_domain), "196614:196614",
           "domain 6: its own ids");
    is_str(vgtd_conf_worker_user(c, VGTD_MAX_DOMID, ids, sizeof(ids), &per_domain),
           "229359:229359", "the last domid: base + 32751");
    vgtd_conf_dispose(c);
    vgt_diag_dispose(diag);

    is_int(read_text("worker_uid_base = 0\n", c, diag), 0, "worker_uid_base = 0: off");
    vgtd_conf_dispose(c);
    vgt_diag_dispose(diag);
    is_int(read_text("worker_uid_base = 2147483647\n", c, diag), -EINVAL,
           "a range beyond 2^31-1 is refused");
    snprintf(want, sizeof(want), "%s:1: worker_uid_base: ", path);
    ok(has(diag, want), "out of range: FILE:LINE: KEY");
    vgtd_conf_dispose(c);
    vgt_diag_dispose(diag);

    /* a range that holds an existing account: the worker would share its uid */
    struct passwd *pw;
    long uid = -1;
    char name[64] = "";
    setpwent();
    while ((pw = getpwent()) && uid < 0)
        if (pw->pw_uid >= 2 && pw->pw_uid < 0x7fff0000u) {
            uid = pw->pw_uid;
            snprintf(name, sizeof(name), "%s", pw->pw_name);
        }
    endpwent();
    if (uid < 0) {
        ok(1, "# SKIP no account with a uid >= 2");
        ok(1, "# SKIP");
        return;
    }
    snprintf(text, sizeof(text), "worker_uid_base = %ld\n", uid - 1);
    is_int(read_text(text, c, diag), -EINVAL, "a range holding uid %ld is refused", uid);
    snprintf(want, sizeof(want), "worker_uid_base: %ld: uid %ld (user %s) lies in the workers' "
             "range %ld..%ld", uid - 1, uid, name, uid, uid - 1 + VGTD_MAX_DOMID);
    ok(has(diag, want), "the account is named: %s", want);
    vgtd_conf_dispose(c);
    vgt_diag_dispose(diag);
}

int main(void)
{
    struct vgtd_conf c;
    struct vgt_diag diag;
    char want[160];
    snprintf(path, sizeof(path), "/tmp/vgtd-conf-test.%d", (int)getpid());

    is_int(read_text("# all of it\n"
                     "profile = \"kbl-gt2\"\n"
                     "host_low_mb = 64\n"
                     "pci_bdf = \"0000:00:07.0\"\n"
                     "display_owner_at_boot = \"guest\"\n"
                     "preallocated_monitor_to_guest = 0\n"
                     "default_monitor = \"HDMI_C\"\n"
                     "worker_restarts = 5\n"
                     "reboot_hold = 10\n", &c, &diag), 0, "a full file reads");
    is_str(c.profile, "kbl-gt2", "profile");
    is_int(c.host_low_mb, 64, "host_low_mb");
    is_int(c.host_high_mb, -1, "host_high_mb: the profile's");
    is_str(c.pci_bdf, "0000:00:07.0", "pci_bdf");
    is_int(c.owner_at_boot, VGTD_BOOT_GUEST, "display_owner_at_boot");
    is_int(c.preallocated_monitor_to_guest, 0, "preallocated_monitor_to_guest");
    is_int(c.default_item.type, VGT_PORT_HDMI_C, "default_monitor type");
    is_int(c.default_item.port, VGT_PORT_C, "default_monitor on port C");
    is_int(c.worker_restarts, 5, "worker_restarts");
    is_int(c.reboot_hold, 10, "reboot_hold");
    is_int(vgtd_conf_finish(&c), 0, "defaults filled in");
    ok(strstr(c.socket, "/xen-vgt/vgtd.sock") != NULL, "socket default %s", c.socket);
    ok(strstr(c.worker, "vgt-worker") != NULL, "worker default %s", c.worker);
    vgtd_conf_dispose(&c);
    vgt_diag_dispose(&diag);

    is_int(read_text("", &c, &diag), 0, "an empty file is the defaults");
    is_int(vgtd_conf_finish(&c), 0, "finish");
    is_str(c.pci_bdf, "0000:00:05.0", "default BDF");
    is_int(c.owner_at_boot, VGTD_BOOT_DOM0, "default owner at boot: dom0");
    is_int(c.default_monitor, 1, "a default monitor");
    is_int(c.default_item.type, VGT_PORT_DP_B, "DP_B");
    is_int(memcmp(c.default_item.edid, vgt_edid_default_1080p, VGT_EDID_LEN), 0, "built-in EDID");
    vgtd_conf_dispose(&c);
    vgt_diag_dispose(&diag);

    is_int(read_text("pci_bdf = \"00:05.0\"\n"
                     "display_owner_at_boot = \"somebody\"\n"
                     "colour = 3\n"
                     "worker_restarts = 1000\n"
                     "default_monitor = \"SVIDEO\"\n"
                     "default_monitor_edid = \"/nonexistent/edid\"\n", &c, &diag),
           -EINVAL, "errors: refused");
    is_int(diag.n, 6, "every error reported");
    snprintf(want, sizeof(want), "%s:1: pci_bdf: ", path);
    ok(has(&diag, want), "FILE:LINE: KEY for pci_bdf");
    snprintf(want, sizeof(want), "%s:2: display_owner_at_boot: ", path);
    ok(has(&diag, want), "display_owner_at_boot");
    snprintf(want, sizeof(want), "%s:3: colour: unknown key", path);
    ok(has(&diag, want), "unknown key");
    snprintf(want, sizeof(want), "%s:4: worker_restarts: ", path);
    ok(has(&diag, want), "out of range");
    snprintf(want, sizeof(want), "%s:5: default_monitor: ", path);
    ok(has(&diag, want), "bad port type");
    snprintf(want, sizeof(want), "%s:6: default_monitor_edid: ", path);
    ok(has(&diag, want), "EDID file");
    vgtd_conf_dispose(&c);
    vgt_diag_dispose(&diag);

    is_int(read_text("profile = \n", &c, &diag), -EINVAL, "syntax error");
    ok(diag.n >= 1 && has(&diag, path), "syntax error names the file");
    vgtd_conf_dispose(&c);
    vgt_diag_dispose(&diag);

    test_worker_uid_base(&c, &diag);

    /* the program: vgtd -n reports every error and refuses */
    FILE *f = fopen(path, "w");
    fputs("pci_bdf = \"zz\"\nreboot_hold = 5000\n", f);
    fclose(f);
    char cmd[256], out[2048] = "";
    snprintf(cmd, sizeof(cmd), "daemon/manager/vgtd -n -c %s 2>&1", path);
    FILE *pp = popen(cmd, "r");
    size_t n = pp ? fread(out, 1, sizeof(out) - 1, pp) : 0;
    out[n] = 0;
    int st = pp ? pclose(pp) : -1;
    ok(WIFEXITED(st) && WEXITSTATUS(st) == 1, "vgtd -n: invalid file, exit 1");
    snprintf(want, sizeof(want), "%s:1: pci_bdf: ", path);
    ok(strstr(out, want) != NULL, "vgtd -n: %s", want);
    snprintf(want, sizeof(want), "%s:2: reboot_hold: ", path);
    ok(strstr(out, want) != NULL, "vgtd -n: %s", want);
    ok(strstr(out, "not starting") != NULL, "vgtd -n: refuses to start");
    f = fopen(path, "w");
    fputs("display_owner_at_boot = \"guest\"\n", f);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "VGT_PROFILE_DIR=%s/libxl-vgt/profiles daemon/manager/vgtd -n -c %s 2>&1",
             srcdir(), path);
    pp = popen(cmd, "r");
    n = pp ? fread(out, 1, sizeof(out) - 1, pp) : 0;
    out[n] = 0;
    st = pp ? pclose(pp) : -1;
    ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "vgtd -n: valid file, exit 0: %s", out);
    ok(strstr(out, "display owner at boot guest") != NULL, "vgtd -n: summary");

    /* the shipped file, and every example in it uncommented, are valid */
    char shipped[512], line[512], text[8192] = "";
    snprintf(shipped, sizeof(shipped), "%s/daemon/manager/vgtd.conf",
             srcdir());
    vgtd_conf_init(&c);
    vgt_diag_init(&diag);
    is_int(vgtd_conf_read(&c, shipped, true, &diag), 0, "the shipped vgtd.conf reads");
    vgtd_conf_dispose(&c);
    vgt_diag_dispose(&diag);
    f = fopen(shipped, "r");
    unsigned examples = 0;
    while (f && fgets(line, sizeof(line), f)) {
        if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z' && strchr(line, '=') &&
            !strstr(line, "socket_group")) {   /* the group need not exist here */
            strncat(text, line + 1, sizeof(text) - strlen(text) - 1);
            examples++;
        }
    }
    if (f)
        fclose(f);
    ok(examples >= 15, "%u examples in the shipped file", examples);
    is_int(read_text(text, &c, &diag), 0, "every example of the shipped file is valid");
    for (size_t i = 0; i < diag.n; i++)
        printf("#   %s\n", diag.msgs[i]);
    vgtd_conf_dispose(&c);
    vgt_diag_dispose(&diag);

    unlink(path);
    vgtd_conf_init(&c);
    vgt_diag_init(&diag);
    is_int(vgtd_conf_read(&c, path, true, &diag), -ENOENT, "a missing -c file is an error");
    vgt_diag_dispose(&diag);
    vgt_diag_init(&diag);
    is_int(vgtd_conf_read(&c, path, false, &diag), 0, "a missing default file is not");
    vgtd_conf_dispose(&c);
    vgt_diag_dispose(&diag);
    return tap_done();
}
