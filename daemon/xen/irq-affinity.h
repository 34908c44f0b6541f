/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event delivery and its handler on one dom0 CPU.  Linux binds each port of
 * /dev/xen/evtchn to an IRQ named "evtchn:COMM" (COMM: the opener's name when it
 * opened the device) and spreads new ports over the CPUs round-robin; a
 * single-threaded device model woken on another CPU than the one its event
 * arrived on pays a cross-CPU wake-up (an IPI through Xen) on every access.
 */
#ifndef VGT_IRQ_AFFINITY_H
#define VGT_IRQ_AFFINITY_H

#include <stdio.h>

/* The IRQs of /proc/interrupts (as text in f) whose only action is name:
 * how many there are (up to max stored in irqs[]). */
int vgt_irqs_named(FILE *f, const char *name, unsigned *irqs, unsigned max);

/*
 * Move the IRQs named name (exactly expect of them, else -ESRCH: the name is not
 * ours alone) to one CPU and keep the calling thread there.  The CPU is the one
 * the first IRQ is delivered on, when the thread may run there, else the first
 * it may run on.  procroot is "/proc" (another tree in tests).  Moving an IRQ
 * needs root; without, the thread still follows the first IRQ's CPU.  Returns
 * the CPU or -errno.
 */
int vgt_colocate_irqs(const char *procroot, const char *name, unsigned expect);

#endif
