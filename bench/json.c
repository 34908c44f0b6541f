/* SPDX-License-Identifier: GPL-2.0-only */
/* The benchmarks' JSON output (see json.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench/json.h"

void bench_json_key(yajl_gen g, const char *key)
{
    yajl_gen_string(g, (const unsigned char *)key, strlen(key));
}

void bench_json_str(yajl_gen g, const char *key, const char *val)
{
    bench_json_key(g, key);
    bench_json_key(g, val);
}

void bench_json_int(yajl_gen g, const char *key, long long val)
{
    bench_json_key(g, key);
    yajl_gen_integer(g, val);
}

void bench_json_double(yajl_gen g, const char *key, double val)
{
    bench_json_key(g, key);
    yajl_gen_double(g, val);
}

yajl_gen bench_json_new(const char *benchmark)
{
    yajl_gen g = yajl_gen_alloc(NULL);

    if (!g)
        return NULL;
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_map_open(g);
    bench_json_str(g, "benchmark", benchmark);
    return g;
}

int bench_json_finish(yajl_gen g, const char *path)
{
    const unsigned char *buf;
    size_t len;
    FILE *f;
    int r = 0;

    yajl_gen_map_close(g);
    yajl_gen_get_buf(g, &buf, &len);
    f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!f || fwrite(buf, 1, len, f) != len)
        r = -errno;
    if (f && f != stdout && fclose(f) != 0 && r == 0)
        r = -errno;
    yajl_gen_free(g);
    if (r < 0)
        fprintf(stderr, "%s: %s\n", path, strerror(-r));
    return r;
}
