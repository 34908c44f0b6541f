/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * The one error convention of xen-vgt, used by libvgt, vgtd, its workers and xl-vgt.
 *
 *  1. A function that can fail returns int: 0 (or a documented count >= 0) on
 *     success, a negative errno value on failure (-EINVAL bad input, -ENOSPC no
 *     room, -ENOENT no such thing, -EEXIST duplicate, -ENOMEM, -EPERM, -EIO ...).
 *     Functions that return pointers return NULL and set errno.  A library
 *     function never prints to stdout/stderr by itself and never calls exit().
 *  2. What a human must read goes into a struct vgt_diag, given by the caller
 *     (NULL is allowed: then only the code is returned).  A diagnostic is recorded
 *     where the error starts, once; callers forward the code unchanged.
 *  3. Diagnostics about a file use the form "FILE:LINE: KEY: message", where
 *     the message says the value found and what is allowed.  A validator
 *     records every error of its input, not only the first, and returns -EINVAL
 *     if it recorded any.
 *  4. Command-line tools map codes to exit statuses in one table (xl-plugin).
 */
#ifndef VGT_ERROR_H
#define VGT_ERROR_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VGT_DIAG_MAX 256 /* a hostile file cannot make us collect more than this */

struct vgt_diag {
    char **msgs;      /* each a complete line without '\n' */
    size_t n;
    size_t dropped;   /* messages past VGT_DIAG_MAX */
};

void vgt_diag_init(struct vgt_diag *d);
void vgt_diag_dispose(struct vgt_diag *d); /* idempotent */

/* Record a message; returns -EINVAL so that `return vgt_diag_add(...)` reads naturally.
 * d may be NULL. */
int vgt_diag_add(struct vgt_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int vgt_diag_vadd(struct vgt_diag *d, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* "FILE:LINE: KEY: message"; line <= 0 omits the line, key NULL omits the key. */
int vgt_diag_at(struct vgt_diag *d, const char *file, int line, const char *key,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Write every message, one per line, to f. */
void vgt_diag_print(const struct vgt_diag *d, FILE *f);

/* strerror() for our negative codes. */
const char *vgt_strerror(int negerr);

#ifdef __cplusplus
}
#endif
#endif
