/* SPDX-License-Identifier: LGPL-2.1-only */
/* vgt_parse_u64: C syntax numbers, everything else refused, out untouched on error. */
#include <errno.h>
#include <stdint.h>
#include "tests/tap.h"
#include "vgt/util.h"

static void good(const char *s, uint64_t want)
{
    uint64_t v = 12345;
    int r = vgt_parse_u64(s, &v);
    ok(r == 0 && v == want, "\"%s\" = %llu (r %d, got %llu)", s, (unsigned long long)want, r,
       (unsigned long long)v);
}

static void bad(const char *s, int err)
{
    uint64_t v = 12345;
    int r = vgt_parse_u64(s, &v);
    ok(r == err && v == 12345, "\"%s\" refused with %d (r %d), out untouched", s ? s : "NULL",
       err, r);
}

int main(void)
{
    good("0", 0);
    good("7", 7);
    good("4096", 4096);
    good("0x8000000", 0x8000000);
    good("0XfF", 255);
    good("010", 8);
    good("18446744073709551615", UINT64_MAX);
    good("0xffffffffffffffff", UINT64_MAX);
    bad(NULL, -EINVAL);
    bad("", -EINVAL);
    bad("-1", -EINVAL);
    bad("+1", -EINVAL);
    bad(" 1", -EINVAL);
    bad("1 ", -EINVAL);
    bad("12k", -EINVAL);
    bad("0x", -EINVAL);
    bad("x10", -EINVAL);
    bad("09", -EINVAL);
    bad("1,2", -EINVAL);
    bad("18446744073709551616", -ERANGE);
    bad("0x10000000000000000", -ERANGE);
    return tap_done();
}
