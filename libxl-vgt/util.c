/* SPDX-License-Identifier: LGPL-2.1-only */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include "vgt/util.h"

int vgt_parse_u64(const char *s, uint64_t *out)
{
    unsigned long long v;
    char *end;

    /* strtoull itself would skip blanks and accept a sign ("-1" = UINT64_MAX) */
    if (!s || !isdigit((unsigned char)*s))
        return -EINVAL;
    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno == ERANGE)
        return -ERANGE;
    if (errno || end == s || *end)
        return -EINVAL;
    *out = (uint64_t)v;
    return 0;
}
