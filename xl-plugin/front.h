/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by the xl front's vgtd commands (front.c). */
#ifndef XL_VGT_FRONT_H
#define XL_VGT_FRONT_H

#include <stdbool.h>
#include "vgt/client.h"
#include "xl-plugin/xl-vgt.h"

/* Print "xl: CMD: MESSAGE" on stderr and return the exit status for err. */
int xlv_fail(const char *cmd, int negerr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same with the client's last message. */
int xlv_client_fail(const char *cmd, const struct vgt_client *c, int negerr);

/* Connect to vgtd; on failure print the one-line message, return its exit status. */
int xlv_connect(const char *cmd, struct vgt_client *c);

/* DOMAIN (name or domid) of a vGPU guest -> domid through vgtd's list.  "0" is dom0
 * when allow_dom0.  Prints the error and returns an exit status; 0 on success. */
int xlv_resolve(const char *cmd, struct vgt_client *c, const char *domain, bool allow_dom0,
                int *domid, char *name, size_t namelen);

/* The options of a read-only query, `CMD [--json]`: sets *json; returns -1 to go
 * on, else the exit status (help printed, or usage error). */
int xlv_query_options(const char *cmd, int argc, char **argv, bool *json);

/* Write a finished JSON document to stdout with a final newline. */
int xlv_print_json(const char *cmd, struct vgt_msg *m);
/* xl vgt-list/vgt-info --json: a reply of vgtd, pretty, without "ok". */
int xlv_print_reply(const char *cmd, yajl_val reply);

/* "128M", "1G" for a size in bytes or MB. */
void xlv_fmt_mb(char *buf, size_t n, uint64_t mb);

/* create with vgt=1 (create_vgt.c): the wrapper libxl runs as device model
 * ($VGT_DM_WRAPPER or the installed one), and the real xl's argv: orig_argv plus
 * device_model_override and device_model_args_hvm (malloc'd; the caller frees the
 * array and its two last strings).  Prints the error, returns an exit status. */
const char *xlv_dm_wrapper_path(void);
struct vgt_config;
int xlv_create_argv(const struct vgt_config *cfg, const char *file, int argc, char **argv,
                    char **orig_argv, char ***out);

#endif
