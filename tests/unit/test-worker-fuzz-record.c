/*
 * libFuzzer target fuzz-worker-record: a hostile restart record against a
 * successor worker with the software model, on the Xen double.  A first worker
 * is set up as hvmloader leaves it (BARs placed, MSI on, OpRegion at ASLS) and
 * killed; the input is appended to its server and backing lines (more lines,
 * config lines of any content) and a successor starts on that record.  It may
 * refuse to start, but if it starts it serves the guest, holds the frames once
 * and never puts them over guest RAM.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "daemon/worker/worker.h"
#include "daemon/xen/xen-double.h"

#define DOMID 12
#define MEM (64ull << 20)
#define SBDF (5ull << 3 << 32)
#define FRAMES (2048 + 3)

static struct vgt_profile P = {
    .name = "fuzz", .gen = 9, .device_id = 0x1912, .aperture_mb = 512, .ggtt_mb = 4096,
    .fences = 32, .host_low_mb = 96, .host_high_mb = 384, .host_fences = 4,
    .reserved_top_mb = 32, .max_instances = 15, .high_gm_granule_mb = 64,
};
static char dir[64], sock[96], record[96], state[96];

static int start(struct vgt_worker *w, struct vgt_xd *d)
{
    struct vgt_worker_config cfg = {
        .domid = DOMID, .vcpus = 1, .dev = 5, .guest_mem = MEM, .xen = &vgt_xen_double_ops,
        .xen_arg = d, .med = &vgt_swmodel_ops, .quiet = true, .profile = P,
        .socket_path = sock,
        .part = { .vgt_id = 1, .low_base = 128u << 20, .low_size = 64u << 20,
                  .high_base = 1u << 30, .high_size = 384u << 20, .fence_base = 4,
                  .fence_count = 4 },
    };
    return vgt_worker_start(w, &cfg);
}

static void cfg_wr(struct vgt_worker *w, struct vgt_xd *d, unsigned reg, unsigned size, uint32_t v)
{
    ioreq_t r = { .addr = SBDF | reg, .data = v, .count = 1, .size = size, .dir = IOREQ_WRITE,
                  .type = IOREQ_TYPE_PCI_CONFIG };
    vgt_xd_post(d, 0, &r);
    vgt_worker_evtchn_ready(w);
    vgt_xd_slot(d, 0)->state = STATE_IOREQ_NONE;
}

/* kill -9: Xen objects stay with the domain; returns the record without its config. */
static size_t crash(struct vgt_worker *w, char *buf, size_t max)
{
    FILE *f = fopen(record, "r");
    size_t n = f ? fread(buf, 1, max - 1, f) : 0;
    char *cfg;
    if (f)
        fclose(f);
    buf[n] = 0;
    w->domain_gone = true;
    vgt_worker_teardown(w);
    if ((cfg = strstr(buf, "config ")))
        n = (size_t)(cfg - buf);
    return n;
}

static void cleanup(void)
{
    unlink(record);
    unlink(state);
    unlink(sock);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vgt_xd_params xp = { .domid = DOMID, .vcpus = 1, .guest_mem = MEM };
    struct vgt_xd *d;
    struct vgt_xd_state st;
    struct vgt_worker w;
    char buf[8192];
    size_t n;
    FILE *f;

    if (size > 4096)
        return 0;
    if (!dir[0]) {
        snprintf(dir, sizeof(dir), "/tmp/vgt-fuzz-record.%d", (int)getpid());
        if (mkdir(dir, 0700) < 0)
            abort();
        snprintf(sock, sizeof(sock), "%s/worker-%u.sock", dir, DOMID);
        snprintf(record, sizeof(record), "%s/worker-%u.ioreq", dir, DOMID);
        snprintf(state, sizeof(state), "%s/worker-%u.state", dir, DOMID);
        atexit(cleanup);
    }
    if (!(d = vgt_xd_new(&xp)) || start(&w, d) < 0)
        abort();
    cfg_wr(&w, d, 0x10, 4, 0xe0000000);
    cfg_wr(&w, d, 0x18, 4, 0xc0000000);
    cfg_wr(&w, d, 0x20, 4, 0xc001);
    cfg_wr(&w, d, 0x04, 2, 0x0007);
    cfg_wr(&w, d, 0xb0, 4, 0xfee00000);
    cfg_wr(&w, d, 0xb4, 2, 0x4041);
    cfg_wr(&w, d, 0xae, 2, 1);
    cfg_wr(&w, d, 0xfc, 4, 0xfdffc000);
    n = crash(&w, buf, sizeof(buf));
    memcpy(buf + n, data, size);
    if (!(f = fopen(record, "w")))
        abort();
    fwrite(buf, 1, n + size, f);
    fclose(f);

    if (start(&w, d) == 0) {
        vgt_xd_get_state(d, &st);
        /* ours serves; the crashed worker's server (id 1) is left only when the
         * record names another one last (nothing then says it is ours to take) */
        if (!w.server_up || !st.enabled || st.extra_pages != FRAMES || st.servers > 2 ||
            (st.servers == 2 && w.server_id == 1) || st.stranded)
            abort();   /* not served, a server too many, frames lost or populated twice */
        for (unsigned i = 0; i < VGT_WORKER_MAX_BACKING; i++)
            if (w.backing[i].populated && (w.backing[i].cur_gfn < (MEM >> 12) ||
                                           !vgt_xd_gfn(d, w.backing[i].cur_gfn)))
                abort();   /* frames over guest RAM, or not where we think */
        vgt_worker_teardown(&w);
    }
    vgt_xd_free(d);
    unlink(record);
    unlink(state);
    unlink(sock);
    return 0;
}
