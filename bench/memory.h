/* SPDX-License-Identifier: GPL-2.0-only */
/* bench/memory and its vgtd (bench/memory-vgtd.c): the guests' domain ids. */
#ifndef VGT_BENCH_MEMORY_H
#define VGT_BENCH_MEMORY_H

#define MEMORY_FIRST_DOMID 10
#define MEMORY_MAX_GUESTS 7

#endif
