/* SPDX-License-Identifier: LGPL-2.1-only */
#include <stdlib.h>
#include <string.h>

#include "vgt/error.h"

void vgt_diag_init(struct vgt_diag *d)
{
    d->msgs = NULL;
    d->n = 0;
    d->dropped = 0;
}

void vgt_diag_dispose(struct vgt_diag *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->msgs[i]);
    free(d->msgs);
    vgt_diag_init(d);
}

int vgt_diag_vadd(struct vgt_diag *d, const char *fmt, va_list ap)
{
    char *m = NULL, **grown;

    if (!d)
        return -EINVAL;
    if (d->n >= VGT_DIAG_MAX) {
        d->dropped++;
        return -EINVAL;
    }
    if (vasprintf(&m, fmt, ap) < 0)
        return -EINVAL; /* out of memory: the code still says what failed */
    grown = realloc(d->msgs, (d->n + 1) * sizeof(*d->msgs));
    if (!grown) {
        free(m);
        return -EINVAL;
    }
    d->msgs = grown;
    d->msgs[d->n++] = m;
    return -EINVAL;
}

int vgt_diag_add(struct vgt_diag *d, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vgt_diag_vadd(d, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

int vgt_diag_at(struct vgt_diag *d, const char *file, int line, const char *key,
                const char *fmt, ...)
{
    char *msg = NULL;
    va_list ap;

    if (!d)
        return -EINVAL;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    if (line > 0)
        vgt_diag_add(d, "%s:%d: %s%s%s", file ? file : "-", line, key ? key : "",
                     key ? ": " : "", msg ? msg : "(out of memory)");
    else
        vgt_diag_add(d, "%s: %s%s%s", file ? file : "-", key ? key : "", key ? ": " : "",
                     msg ? msg : "(out of memory)");
    free(msg);
    return -EINVAL;
}

void vgt_diag_print(const struct vgt_diag *d, FILE *f)
{
    for (size_t i = 0; d && i < d->n; i++)
        fprintf(f, "%s\n", d->msgs[i]);
    if (d && d->dropped)
        fprintf(f, "(%zu more messages not shown)\n", d->dropped);
}

const char *vgt_strerror(int negerr)
{
    return strerror(negerr < 0 ? -negerr : negerr);
}
