/* SPDX-License-Identifier: LGPL-2.1-only */
/* Small helpers shared by the programs (command lines, traces). */
#ifndef VGT_UTIL_H
#define VGT_UTIL_H

#include <stdint.h>
#include <time.h>

/*
 * An unsigned number in C syntax: decimal, 0x hex or 0 octal, nothing else
 * (no sign, no blanks, no suffix).  0, -EINVAL (not such a number) or
 * -ERANGE (above UINT64_MAX); *out is written only on success.
 */
int vgt_parse_u64(const char *s, uint64_t *out);

/* CLOCK_MONOTONIC in nanoseconds. */
static inline uint64_t vgt_mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* The cap of a worker's adaptive poll (vgtd.conf worker_poll_us, the worker's
 * --poll-us): microseconds. */
#define VGT_MAX_POLL_US 100000u

#endif
