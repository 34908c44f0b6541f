/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * Client library of vgtd's control protocol (vgtd-protocol(7)): one function per
 * command, parsed into C structs.  Used by xl-vgt; usable by any toolstack.
 *
 * Every function returns 0 or a negative errno; the human message of the last
 * failure is in c->error (one line).  vgtd not running gives -ECONNREFUSED with
 * "vgtd is not running (no socket PATH)"; another protocol version gives -EPROTO
 * with "vgtd speaks protocol X, this client Y".  Other errors are vgtd's own (see
 * the protocol page).  Requests are synchronous, each bounded by a timeout.
 */
#ifndef VGT_CLIENT_H
#define VGT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vgt/alloc.h"
#include "vgt/cleanup.h"
#include "vgt/monitor.h"
#include "vgt/profile.h"
#include "vgt/proto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VGT_CLIENT_TIMEOUT_MS 10000          /* default for most commands */
#define VGT_CLIENT_ATTACH_TIMEOUT_MS 120000  /* attach waits for the worker to be ready */

struct vgt_client {
    int fd;
    int timeout_ms;          /* 0: per-command default */
    char path[108];          /* socket path in use */
    char error[512];         /* message of the last failure */
};

/* The socket path: $VGT_SOCKET if set and not empty, else VGT_PROTO_SOCKET. */
const char *vgt_client_socket_path(void);

void vgt_client_init(struct vgt_client *c);
/* path NULL: vgt_client_socket_path(). */
int vgt_client_connect(struct vgt_client *c, const char *path);
void vgt_client_dispose(struct vgt_client *c);   /* closes; idempotent */

/* Send a request built with vgt_msg (the "cmd" included) and wait for its reply.
 * 0 with *reply (free with yajl_tree_free) when "ok":true; an error reply gives its
 * negative errno and message. */
int vgt_client_call(struct vgt_client *c, struct vgt_msg *req, int timeout_ms,
                    yajl_val *reply);

/* ---- hello ---- */
struct vgt_hello {
    unsigned version;
    char server[64];
};
int vgt_client_hello(struct vgt_client *c, struct vgt_hello *out);

/* ---- list ---- */
struct vgt_port_state {
    enum vgt_port port;
    bool connected;
    int type;                /* enum vgt_port_type, -1 unknown */
    int override;            /* enum vgt_port, -1 unknown */
};

struct vgt_guest_stats {
    uint64_t bad_access, ggtt_refused, fence_refused, aperture_refused, plane_refused;
};

struct vgt_guest {
    int domid;
    char name[64];
    char type[16];           /* vGPU type, "" when sizes were given */
    char state[16];          /* "starting", "running", "failsafe", ... (vgtd's words) */
    char uuid[40];           /* "" if vgtd does not know it */
    bool display_ready, display_owner, failsafe;
    char failsafe_reason[128];
    struct vgt_partition part;  /* vgt_id, GM ranges (bytes), fences */
    unsigned n_ports;
    struct vgt_port_state ports[VGT_PORT_MAX];
    struct vgt_guest_stats stats;
};

struct vgt_guest_list {
    int display_owner;       /* domid, 0 = dom0 */
    size_t n;
    struct vgt_guest *guests;
    yajl_val json;           /* vgtd's whole reply, as received (xl vgt-list --json) */
};
void vgt_guest_list_init(struct vgt_guest_list *l);
void vgt_guest_list_dispose(struct vgt_guest_list *l);
int vgt_client_list(struct vgt_client *c, struct vgt_guest_list *out);
/* Find a guest by domid ("5") or name; NULL if none.  Partitions held for a
 * rebooting guest (state "rebooting", no domain) are not found. */
const struct vgt_guest *vgt_guest_list_find(const struct vgt_guest_list *l, const char *domain);

/* ---- info ---- */
struct vgt_type_fit {
    char name[16];
    struct vgt_request req;
    unsigned fit;            /* how many more guests of this type fit now */
};

struct vgt_info {
    struct vgt_profile profile;     /* incl. the host reservation host_* */
    struct vgt_resources res;
    int display_owner;
    unsigned guests;
    size_t n_types;
    struct vgt_type_fit *types;
    yajl_val json;           /* vgtd's whole reply, as received (xl vgt-info --json) */
};
void vgt_info_init(struct vgt_info *i);
void vgt_info_dispose(struct vgt_info *i);
int vgt_client_info(struct vgt_client *c, struct vgt_info *out);

/* ---- attach / detach ---- */
struct vgt_attach {
    int domid;
    const char *name;                /* optional */
    const char *type;                /* optional, informative: the sizes decide */
    struct vgt_request req;
    unsigned vcpus;                  /* 0: not given */
    uint64_t memory_mb;              /* 0: not given */
    int primary;                     /* -1 auto, 0, 1 */
    unsigned cap;                    /* 0..100 */
    const char *monitor_config;      /* absolute path or NULL */
};
int vgt_client_attach(struct vgt_client *c, const struct vgt_attach *a,
                      struct vgt_guest *out /* may be NULL */);
int vgt_client_detach(struct vgt_client *c, int domid);

/* ---- switch ---- */
int vgt_client_switch(struct vgt_client *c, int domid, bool force, int *previous);

/* ---- hotplug ---- */
struct vgt_hotplug {
    int domid;
    enum vgt_port port;
    bool connect;
    int type;                        /* -1: the port's default, vgt_port_type_of(port, port != E) */
    int override;                    /* -1: the port itself */
    uint8_t edid[VGT_EDID_LEN];      /* connect only */
};
int vgt_client_hotplug(struct vgt_client *c, const struct vgt_hotplug *h);

/* ---- screenshot ---- */
struct vgt_screenshot {
    unsigned width, height, stride;
    char format[8];                  /* "XR24": XRGB8888, little endian */
    uint8_t *data;                   /* stride * height bytes */
    size_t len;
};
void vgt_screenshot_init(struct vgt_screenshot *s);
void vgt_screenshot_dispose(struct vgt_screenshot *s);
int vgt_client_screenshot(struct vgt_client *c, int domid, struct vgt_screenshot *out);

VGT_DEFINE_DISPOSE(vgt_client)
VGT_DEFINE_DISPOSE(vgt_guest_list)
VGT_DEFINE_DISPOSE(vgt_info)
VGT_DEFINE_DISPOSE(vgt_screenshot)

/* Parse one GUEST object of a list or attach reply (exposed for servers' tests). */
int vgt_guest_from_json(yajl_val v, struct vgt_guest *out);

#ifdef __cplusplus
}
#endif
#endif
