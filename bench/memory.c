/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Memory benchmark, on the Xen test double (the real-Xen figures come from the
 * harness, tests/xen): resident memory of vgtd and of its workers with 0, 1, 3
 * and 7 guests attached.
 *
 * vgtd is the daemon's own code (libvgtd) over the double's xenstore
 * (bench/memory-vgtd); guests are attached through its control socket with
 * libvgt's client, as xl-vgt does, and stay idle (no guest driver traffic).
 * vgtd starts bench/memory-worker as its worker program: the worker's code
 * (libvgtworker with the software model) on a double of its own, one
 * simulated HVM guest.  Figures from /proc: RSS and PSS (PSS shares pages
 * mapped by several processes, the libraries of the workers, among them).
 * The double keeps each simulated guest's RAM in a memfd that the worker maps;
 * on Xen these are foreign mappings, not the worker's memory, so shared memory
 * (RssShmem, Pss_Shmem) is left out of the figures and shown apart.
 *
 *   memory --profile FILE --vgtd PROGRAM --worker /PROGRAM [--json FILE]
 */
#include <dirent.h>
#include <ftw.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vgt/client.h"
#include "bench/json.h"
#include "bench/memory.h"

#define FIRST_DOMID MEMORY_FIRST_DOMID
#define MAX_GUESTS MEMORY_MAX_GUESTS
/* Seven guests fit skl-gt2 with 48 MB of low GM each (384 MB for guests). */
static const struct vgt_request guest_req = { 48, 384, 4 };
static const unsigned counts[] = { 0, 1, 3, MAX_GUESTS };
#define N_COUNTS (sizeof(counts) / sizeof(counts[0]))

/* ---- measuring --------------------------------------------------------------- */

struct mem {
    long rss_kib, pss_kib;       /* without shared memory (the simulated guests' RAM) */
    long shmem_rss_kib;
};

static long field(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    char line[256];
    size_t n = strlen(key);
    long v = -1;

    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, key, n) == 0 && line[n] == ':') {
            v = strtol(line + n + 1, NULL, 10);
            break;
        }
    if (f)
        fclose(f);
    return v;
}

static int measure(pid_t pid, struct mem *m)
{
    char st[64], sm[64];
    long rss, shm, pss, pshm;

    snprintf(st, sizeof(st), "/proc/%d/status", (int)pid);
    snprintf(sm, sizeof(sm), "/proc/%d/smaps_rollup", (int)pid);
    rss = field(st, "VmRSS");
    shm = field(st, "RssShmem");
    pss = field(sm, "Pss");
    pshm = field(sm, "Pss_Shmem");
    if (rss < 0 || shm < 0)
        return -ENOENT;
    m->rss_kib = rss - shm;
    m->shmem_rss_kib = shm;
    m->pss_kib = pss < 0 ? -1 : pss - (pshm < 0 ? 0 : pshm);
    return 0;
}

/* vgtd's children are its workers. */
static unsigned children(pid_t parent, pid_t *out, unsigned max)
{
    DIR *dir = opendir("/proc");
    struct dirent *e;
    unsigned n = 0;

    while (dir && (e = readdir(dir)) && n < max) {
        char path[300], buf[512], *rp;
        FILE *f;
        int ppid = 0;

        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
        if (!(f = fopen(path, "r")))
            continue;
        /* the name (field 2) may hold spaces: read from its closing paren */
        if (fgets(buf, sizeof(buf), f) && (rp = strrchr(buf, ')')) &&
            sscanf(rp + 1, " %*c %d", &ppid) == 1 && ppid == parent)
            out[n++] = (pid_t)atoi(e->d_name);
        fclose(f);
    }
    if (dir)
        closedir(dir);
    return n;
}

struct row {
    unsigned guests, workers;
    struct mem vgtd, worker_sum, worker_max;
};

static void add(struct mem *sum, struct mem *max, const struct mem *m)
{
    sum->rss_kib += m->rss_kib;
    sum->pss_kib += m->pss_kib;
    sum->shmem_rss_kib += m->shmem_rss_kib;
    if (m->rss_kib > max->rss_kib)
        *max = *m;
}

static void sleep_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };

    nanosleep(&t, NULL);
}

static int connect_retry(struct vgt_client *c, const char *sock)
{
    for (int i = 0; i < 200; i++) {
        if (vgt_client_connect(c, sock) == 0)
            return 0;
        sleep_ms(50);
    }
    return -ETIMEDOUT;
}

static void json_mem(yajl_gen g, const char *key, const struct mem *m)
{
    bench_json_key(g, key);
    yajl_gen_map_open(g);
    bench_json_int(g, "rss_kib", m->rss_kib);
    bench_json_int(g, "pss_kib", m->pss_kib);
    bench_json_int(g, "shmem_rss_kib", m->shmem_rss_kib);
    yajl_gen_map_close(g);
}

static int write_json(const char *path, const struct row *rows, unsigned n)
{
    yajl_gen g = bench_json_new("memory");

    if (!g)
        return -ENOMEM;
    bench_json_str(g, "xen", "test double (daemon/xen/xen-double.c); real Xen: tests/xen");
    bench_json_key(g, "guest_request");
    yajl_gen_map_open(g);
    bench_json_int(g, "low_mb", (long long)guest_req.low_mb);
    bench_json_int(g, "high_mb", (long long)guest_req.high_mb);
    bench_json_int(g, "fences", guest_req.fences);
    yajl_gen_map_close(g);
    bench_json_key(g, "rows");
    yajl_gen_array_open(g);
    for (unsigned i = 0; i < n; i++) {
        yajl_gen_map_open(g);
        bench_json_int(g, "guests", rows[i].guests);
        bench_json_int(g, "workers", rows[i].workers);
        json_mem(g, "vgtd", &rows[i].vgtd);
        json_mem(g, "workers_total", &rows[i].worker_sum);
        json_mem(g, "worker_largest", &rows[i].worker_max);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    return bench_json_finish(g, path);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    return remove(path) < 0 ? FTW_STOP : FTW_CONTINUE;
}

static int run(const char *profile, const char *vgtd_prog, const char *worker, const char *json)
{
    char dir[] = "/tmp/vgt-bench-memory.XXXXXX", sock[128];
    struct vgt_client c;
    struct row rows[N_COUNTS] = { 0 };
    unsigned attached = 0, nrows = 0;
    pid_t vgtd, pids[MAX_GUESTS + 4];
    int status, r = 0;

    if (!mkdtemp(dir) || prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
        return -errno;
    snprintf(sock, sizeof(sock), "%s/vgtd.sock", dir);
    vgtd = fork();
    if (vgtd < 0)
        return -errno;
    if (vgtd == 0) {   /* exec'd, so that it shares no copy-on-write pages with us */
        execl(vgtd_prog, vgtd_prog, dir, profile, sock, worker, (char *)NULL);
        _exit(127);
    }
    vgt_client_init(&c);
    r = connect_retry(&c, sock);
    for (unsigned k = 0; r == 0 && k < N_COUNTS; k++) {
        struct row *w = &rows[nrows++];

        while (r == 0 && attached < counts[k]) {
            char name[16];
            struct vgt_attach a = { .domid = FIRST_DOMID + (int)attached, .name = name,
                                    .req = guest_req, .vcpus = 2, .memory_mb = 1024,
                                    .primary = -1 };

            snprintf(name, sizeof(name), "mem%u", attached);
            r = vgt_client_attach(&c, &a, NULL);
            if (r < 0)
                fprintf(stderr, "memory: attach of guest %u: %s\n", attached, strerror(-r));
            attached++;
        }
        sleep_ms(300);   /* let the workers settle after their start */
        w->guests = counts[k];
        r = r ? r : measure(vgtd, &w->vgtd);
        w->workers = children(vgtd, pids, MAX_GUESTS + 4);
        for (unsigned i = 0; r == 0 && i < w->workers; i++) {
            struct mem m;

            if (measure(pids[i], &m) == 0)
                add(&w->worker_sum, &w->worker_max, &m);
        }
    }
    for (unsigned i = 0; i < attached; i++)
        vgt_client_detach(&c, FIRST_DOMID + (int)i);
    vgt_client_dispose(&c);
    /* workers outlive vgtd by design: give them time to go after the detach,
     * and reap any that vgtd left to us (we are their subreaper) */
    for (int i = 0; i < 100 && children(vgtd, pids, 1) > 0; i++)
        sleep_ms(50);
    kill(vgtd, SIGTERM);
    while (waitpid(-1, &status, 0) > 0 || errno == EINTR)
        ;
    nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);

    printf("Memory of vgtd and its workers on the Xen TEST DOUBLE (the real-Xen run is separate),\n"
           "KiB; guests of %" PRIu64 " MB low GM, %" PRIu64 " MB high GM, %u fences; PSS shares "
           "pages among processes;\nshared memory (the double's simulated guest RAM) left out, "
           "shown apart\n", guest_req.low_mb, guest_req.high_mb, guest_req.fences);
    printf("%6s %9s %9s %8s %12s %12s %12s %12s\n", "guests", "vgtd RSS", "vgtd PSS", "workers",
           "worker RSS", "worker PSS", "all PSS", "worker shmem");
    for (unsigned i = 0; i < nrows; i++) {
        const struct row *w = &rows[i];
        unsigned n = w->workers ? w->workers : 1;

        printf("%6u %9ld %9ld %8u %12ld %12ld %12ld %12ld\n", w->guests, w->vgtd.rss_kib,
               w->vgtd.pss_kib, w->workers, w->worker_sum.rss_kib / n, w->worker_sum.pss_kib / n,
               w->vgtd.pss_kib + w->worker_sum.pss_kib, w->worker_sum.shmem_rss_kib / n);
    }
    printf("(worker RSS/PSS: mean per worker; all PSS: vgtd + every worker)\n");
    if (r == 0 && json)
        r = write_json(json, rows, nrows);
    return r;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "profile", required_argument, NULL, 'p' },
        { "vgtd", required_argument, NULL, 'v' },
        { "worker", required_argument, NULL, 'w' },
        { "json", required_argument, NULL, 'j' },
        { NULL, 0, NULL, 0 },
    };
    const char *profile = NULL, *vgtd = NULL, *worker = NULL, *json = NULL;
    int opt, r;

    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'p': profile = optarg; break;
        case 'v': vgtd = optarg; break;
        case 'w': worker = optarg; break;
        case 'j': json = optarg; break;
        default: profile = NULL; optind = argc; break;
        }
    }
    if (!profile || !vgtd || !worker || worker[0] != '/') {
        fprintf(stderr, "usage: memory --profile FILE --vgtd PROGRAM --worker /PROGRAM "
                "[--json FILE]\n");
        return 2;
    }
    r = run(profile, vgtd, worker, json);
    if (r < 0)
        fprintf(stderr, "memory: %s\n", strerror(-r));
    return r < 0;
}
