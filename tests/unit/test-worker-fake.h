/* A small fake mediator for the worker tests: config space with three BARs
 * (BAR0 16 MiB = 8 MiB trapped + 8 MiB memory-backed, BAR2 256 MiB trapped,
 * BAR4 64 ports), registers in plain arrays and a few trigger registers. */
#ifndef TEST_WORKER_FAKE_H
#define TEST_WORKER_FAKE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "daemon/mediator/mediator.h"

#define FAKE_BAR0_SIZE (16u << 20)
#define FAKE_BAR2_SIZE (256u << 20)
#define FAKE_BAR4_SIZE 64u
#define FAKE_REG_MSI 0x100         /* write: raise MSI with the value as data */
#define FAKE_REG_GREAD 0x200       /* write gpa: 8 bytes read into FAKE_REG_GREAD_VAL */
#define FAKE_REG_GREAD_VAL 0x208
#define FAKE_REG_GREAD_RC 0x210
#define FAKE_REG_GWRITE 0x300      /* write gpa: 0x1122334455667788 written there */
#define FAKE_REG_HOOK 0x400        /* read: calls fake_hook during emulation */
#define FAKE_REG_DISPLAY_READY 0x78040
#define FAKE_REG_INTX 0x500          /* write: INTA level */
#define FAKE_REGS_SIZE 0x80000

struct fake_vgpu {
    const struct vgt_host_ops *host;
    void *opaque;
    uint8_t cfg[256];
    uint32_t bar_addr[VGT_NR_BARS];
    uint8_t regs[FAKE_REGS_SIZE];
    uint8_t aperture[4096];
    uint8_t io[FAKE_BAR4_SIZE];
    void *backing;
    size_t backing_len;
    unsigned set_backing_calls;
    struct vgt_display_state display;
    uint64_t bad_access;
    unsigned bar_changed_calls;
};

extern const struct vgt_mediator_ops fake_mediator_ops;
extern struct fake_vgpu *fake_last;      /* the instance last created */
extern int fake_create_error;            /* create fails with this when non-zero */
extern void (*fake_hook)(void);          /* called on a read of FAKE_REG_HOOK */
extern unsigned fake_watchdog_ms;        /* the workers' domain check period */
extern const char *fake_user;            /* --user of the next fake_start (NULL: none) */
extern const struct vgt_monitor_config *fake_monitor;  /* --monitor-config of the next start */
/* The mediator of the next fake_start (NULL: fake_mediator_ops).  The profile
 * is a Skylake GT2's (256 MiB aperture), so the software model fits it too. */
extern const struct vgt_mediator_ops *fake_mediator;

/* A worker on a fresh Xen double: domid 7, 256 MiB guest, BDF 0000:00:05.0,
 * socket in a fresh temporary directory.  Returns vgt_worker_start's result. */
struct vgt_worker;
struct vgt_xd;
int fake_start(struct vgt_worker *w, struct vgt_xd **d, unsigned vcpus, int fail_stage);
/* The same on an existing double *d (a restarted worker; NULL: a fresh one). */
int fake_start_on(struct vgt_worker *w, struct vgt_xd **d, unsigned vcpus, int fail_stage);
const char *fake_sockdir(void);
/* Create the socket directory now (before a fork that starts the worker). */
int fake_prepare_sockdir(void);
/* Teardown, free the double, remove the socket directory. */
void fake_stop(struct vgt_worker *w, struct vgt_xd *d);
/* A small file (the restart record) as a string in a static buffer; NULL if absent. */
const char *fake_read_file(const char *path);
/* A whole file (NULL, *len 0 if absent; the caller frees it), and one written
 * anew from data (nothing if data is NULL). */
void *fake_file_load(const char *path, size_t *len);
void fake_file_store(const char *path, const void *data, size_t len, unsigned mode);
/* kill -9 of a started worker: its process goes (teardown, leaving every Xen
 * object to the domain), what it wrote stays: the record and the state file. */
void fake_crash(struct vgt_worker *w);
#define FAKE_DOMID 7
#define FAKE_GUEST_MEM (256ull << 20)
#endif
