/* SPDX-License-Identifier: GPL-2.0-only */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/xen/irq-affinity.h"
#include "vgt/cleanup.h"

#define MAX_IRQS 64

int vgt_irqs_named(FILE *f, const char *name, unsigned *irqs, unsigned max)
{
    _cleanup_free_ char *line = NULL;
    size_t cap = 0, nlen = strlen(name);
    ssize_t len;
    int n = 0;

    while ((len = getline(&line, &cap, f)) > 0) {
        char *end;
        unsigned long irq = strtoul(line, &end, 10);
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == ' '))
            line[--len] = 0;
        if (end == line || *end != ':' || (size_t)len <= nlen)
            continue;   /* the header, NMI:, LOC: ... */
        /* the last field, alone: not the tail of a longer name, not shared */
        const char *tail = line + len - nlen;
        if (strcmp(tail, name) || (tail[-1] != ' ' && tail[-1] != '\t') ||
            (tail - line >= 2 && tail[-2] == ','))
            continue;
        if ((unsigned)n < max)
            irqs[n] = (unsigned)irq;
        n++;
    }
    return n;
}

/* The first CPU of a list like "3", "0-1" or "2,5": -1 if none. */
static int first_cpu(const char *procroot, unsigned irq, const char *file)
{
    _cleanup_free_ char *path = NULL;
    _cleanup_fclose_ FILE *f = NULL;
    int cpu = -1;

    if (asprintf(&path, "%s/irq/%u/%s", procroot, irq, file) < 0 || !(f = fopen(path, "re")))
        return -1;
    if (fscanf(f, "%d", &cpu) != 1 || cpu < 0 || cpu >= CPU_SETSIZE)
        cpu = -1;
    return cpu;
}

static int set_irq_cpu(const char *procroot, unsigned irq, int cpu)
{
    _cleanup_free_ char *path = NULL;
    _cleanup_fclose_ FILE *f = NULL;

    if (asprintf(&path, "%s/irq/%u/smp_affinity_list", procroot, irq) < 0)
        return -ENOMEM;
    if (!(f = fopen(path, "we")))
        return -errno;
    if (fprintf(f, "%d\n", cpu) < 0 || fflush(f) != 0)
        return errno ? -errno : -EIO;
    return 0;
}

int vgt_colocate_irqs(const char *procroot, const char *name, unsigned expect)
{
    _cleanup_free_ char *path = NULL;
    _cleanup_fclose_ FILE *f = NULL;
    unsigned irqs[MAX_IRQS];
    cpu_set_t allowed, one;
    int n, cpu;

    if (asprintf(&path, "%s/interrupts", procroot) < 0)
        return -ENOMEM;
    if (!(f = fopen(path, "re")))
        return -errno;
    n = vgt_irqs_named(f, name, irqs, MAX_IRQS);
    if (n != (int)expect || n > MAX_IRQS)
        return -ESRCH;
    if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
        return -errno;
    cpu = first_cpu(procroot, irqs[0], "effective_affinity_list");
    if (cpu < 0)
        cpu = first_cpu(procroot, irqs[0], "smp_affinity_list");
    if (cpu < 0 || !CPU_ISSET(cpu, &allowed))
        for (cpu = 0; cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &allowed); cpu++)
            ;
    if (cpu >= CPU_SETSIZE)
        return -ENOENT;
    /* the other ports of a multi-vCPU guest join the first one; a port that
     * cannot move (not root) still works, only from another CPU */
    for (int i = 0; i < n; i++)
        if (first_cpu(procroot, irqs[i], "effective_affinity_list") != cpu)
            (void)set_irq_cpu(procroot, irqs[i], cpu);
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (sched_setaffinity(0, sizeof(one), &one) < 0)
        return -errno;
    return cpu;
}
