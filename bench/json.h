/* SPDX-License-Identifier: GPL-2.0-only */
/* The benchmarks' JSON output (yajl): an object {"benchmark": NAME, ...}. */
#ifndef VGT_BENCH_JSON_H
#define VGT_BENCH_JSON_H

#include <yajl/yajl_gen.h>

/* A generator with the top object opened and "benchmark" set; NULL if no memory. */
yajl_gen bench_json_new(const char *benchmark);
void bench_json_str(yajl_gen g, const char *key, const char *val);
void bench_json_int(yajl_gen g, const char *key, long long val);
void bench_json_double(yajl_gen g, const char *key, double val);
void bench_json_key(yajl_gen g, const char *key);
/* Close the top object, write it to path ("-": stdout), free g; -errno. */
int bench_json_finish(yajl_gen g, const char *path);

#endif
