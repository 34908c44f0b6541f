/* daemon/xen/irq-affinity.c on a fake /proc: which IRQs are ours, where they go,
 * where the caller ends up. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "daemon/xen/irq-affinity.h"
#include "tests/tap.h"

static const char interrupts[] =
    "            CPU0       CPU1       \n"
    "   1:          9          0   xen-pirq   -ioapic-edge  i8042\n"
    "  45:       1234          0   xen-dyn    -event     evtchn:vgt-worker-1\n"
    "  46:          0         17   xen-dyn    -event     evtchn:vgt-worker-1  \n"
    "  47:          3          0   xen-dyn    -event     evtchn:vgt-worker-12\n"
    "  48:          0          0   xen-dyn    -event     xenbus, evtchn:vgt-worker-1\n"
    "  49:          0          0   xen-dyn    -event     xevtchn:vgt-worker-1\n"
    " NMI:          0          0   Non-maskable interrupts evtchn:vgt-worker-1\n";

static char root[64];

static void put(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f))
        abort();
}

static void get(const char *rel, char *buf, size_t len)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    FILE *f = fopen(path, "r");
    buf[0] = 0;
    if (f) {
        if (!fgets(buf, (int)len, f))
            buf[0] = 0;
        fclose(f);
    }
}

static void irq_dir(unsigned irq, int cpu)
{
    char rel[64], v[16];
    snprintf(rel, sizeof(rel), "irq/%u", irq);
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    mkdir(path, 0700);
    snprintf(v, sizeof(v), "%d\n", cpu);
    snprintf(path, sizeof(path), "irq/%u/effective_affinity_list", irq);
    put(path, v);
    snprintf(path, sizeof(path), "irq/%u/smp_affinity_list", irq);
    put(path, "0-1\n");
}

int main(void)
{
    unsigned irqs[8];
    cpu_set_t saved, now;
    char buf[64], path[128];
    int a = -1, other;

    FILE *f = fmemopen((void *)interrupts, sizeof(interrupts) - 1, "r");
    is_int(vgt_irqs_named(f, "evtchn:vgt-worker-1", irqs, 8), 2,
           "two IRQs are ours: not the -12 one, not a shared line, not a longer name, not NMI");
    ok(irqs[0] == 45 && irqs[1] == 46, "45 and 46 (a trailing blank ignored)");
    rewind(f);
    is_int(vgt_irqs_named(f, "evtchn:vgt-worker-12", irqs, 8), 1, "the other worker has one");
    rewind(f);
    is_int(vgt_irqs_named(f, "evtchn:vgt-worker-1", irqs, 1), 2, "max 1: still counts two");
    fclose(f);

    if (sched_getaffinity(0, sizeof(saved), &saved) < 0)
        abort();
    for (int c = 0; c < CPU_SETSIZE && a < 0; c++)
        if (CPU_ISSET(c, &saved))
            a = c;
    other = a + 1;   /* whether allowed or not, a CPU that is not a */

    snprintf(root, sizeof(root), "%s/vgt-irq.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(root))
        abort();
    is_int(vgt_colocate_irqs(root, "evtchn:vgt-worker-1", 2), -ENOENT, "no interrupts file: -ENOENT");
    put("interrupts", interrupts);
    snprintf(path, sizeof(path), "%s/irq", root);
    mkdir(path, 0700);
    irq_dir(45, a);
    irq_dir(46, other);
    is_int(vgt_colocate_irqs(root, "evtchn:vgt-worker-1", 3), -ESRCH,
           "fewer IRQs of that name than ports bound: not ours alone, nothing done");
    get("irq/46/smp_affinity_list", buf, sizeof(buf));
    is_str(buf, "0-1\n", "and nothing moved");

    is_int(vgt_colocate_irqs(root, "evtchn:vgt-worker-1", 2), a, "the CPU of the first IRQ");
    get("irq/46/smp_affinity_list", buf, sizeof(buf));
    snprintf(path, sizeof(path), "%d\n", a);
    is_str(buf, path, "the second IRQ moved there");
    get("irq/45/smp_affinity_list", buf, sizeof(buf));
    is_str(buf, "0-1\n", "the first, already there, left alone");
    sched_getaffinity(0, sizeof(now), &now);
    ok(CPU_COUNT(&now) == 1 && CPU_ISSET(a, &now), "the caller runs on that CPU only");
    sched_setaffinity(0, sizeof(saved), &saved);

    /* the first IRQ on a CPU the caller may not use: the first allowed CPU */
    irq_dir(45, CPU_SETSIZE - 1);
    irq_dir(46, CPU_SETSIZE - 1);
    CPU_ZERO(&now);
    CPU_SET(a, &now);
    sched_setaffinity(0, sizeof(now), &now);
    is_int(vgt_colocate_irqs(root, "evtchn:vgt-worker-1", 2), a, "an allowed CPU instead");
    get("irq/45/smp_affinity_list", buf, sizeof(buf));
    is_str(buf, path, "both IRQs moved to it");
    get("irq/46/smp_affinity_list", buf, sizeof(buf));
    is_str(buf, path, "(the second too)");
    sched_setaffinity(0, sizeof(saved), &saved);

    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    if (system(cmd)) { /* best effort */ }
    return tap_done();
}
