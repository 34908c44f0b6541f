/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * The one cleanup idiom: variables declared with a _cleanup_ attribute are
 * released when they go out of scope; ownership leaves with take_ptr()/take_fd().
 * Every struct with resources has an idempotent NAME_dispose(struct NAME *).
 */
#ifndef VGT_CLEANUP_H
#define VGT_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(fn) __attribute__((cleanup(fn)))

static inline void vgt_freep(void *p) { free(*(void **)p); *(void **)p = NULL; }
static inline void vgt_closep(int *fd) { if (*fd >= 0) close(*fd); *fd = -1; }
static inline void vgt_fclosep(FILE **f) { if (*f) fclose(*f); *f = NULL; }

#define _cleanup_free_ _cleanup_(vgt_freep)
#define _cleanup_close_ _cleanup_(vgt_closep)
#define _cleanup_fclose_ _cleanup_(vgt_fclosep)

/* Hand ownership out of a _cleanup_ variable. */
#define take_ptr(p) ({ __typeof__(p) _t = (p); (p) = NULL; _t; })
#define take_fd(fd) ({ int _t = (fd); (fd) = -1; _t; })

/* Declare NAME##_disposep for a struct with NAME##_dispose(struct NAME *). */
#define VGT_DEFINE_DISPOSE(name) \
    static inline void name##_disposep(struct name *p) { name##_dispose(p); }
#define _cleanup_dispose_(name) _cleanup_(name##_disposep)

#define VGT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
