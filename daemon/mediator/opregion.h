/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vGPU's ACPI OpRegion (IGD OpRegion spec 2.0) with a VBT that describes
 * exactly the vGPU's virtual ports.
 *
 * Why: hvmloader treats a class-0300 Intel device as a passed-through IGD, writes
 * ASLS (PCI config 0xFC) = 0xFDFFC000 and reserves 3 pages there (E820 ACPI NVS),
 * but nothing backs them.  The guest i915 (intel_opregion_setup) maps 8 KiB at
 * ASLS, finds "opregion signature mismatch", gets no VBT, and falls back to a
 * default VBT with an eDP panel on port A (about 1 s of AUX A retries) and DP +
 * HDMI on every other port.  With these bytes at ASLS it finds "Found valid VBT
 * in ACPI OpRegion (Mailbox #4)", registers connectors only on the given ports,
 * and logs "VBT says port A is not present" instead of probing an absent eDP.
 *
 * Pure logic: the caller (the worker) puts the bytes in the pages at ASLS.
 */
#ifndef VGT_OPREGION_H
#define VGT_OPREGION_H

#include <stddef.h>
#include <stdint.h>
#include "vgt/monitor.h"

#define VGT_OPREGION_SIZE 0x2000        /* what i915 maps at ASLS (OPREGION_SIZE) */
#define VGT_OPREGION_PAGES 2
#define VGT_OPREGION_HVMLOADER_PAGES 3  /* hvmloader reserves this many pages at ASLS */
#define VGT_OPREGION_VBT_OFFSET 0x400   /* mailbox 4, where i915 looks for the VBT */
#define VGT_OPREGION_VBT_MAX 0x1800     /* mailbox 4's size (6 KiB, up to mailbox 5) */

/*
 * Build the OpRegion for a vGPU whose virtual ports have the given types
 * (monitor.h; each type implies its port: DP_x and HDMI_x on DDI x, CRT on
 * port E).  Order does not matter: the output depends only on the set.  n = 0
 * gives a valid VBT with no output at all (i915 then registers no connector).
 *
 * device_id is the PCI device id shown to the guest: Broadwell (0x16xx),
 * Skylake (0x19xx) and Kaby Lake (0x59xx) are known; they share the VBT
 * encoding used here (GMBUS pin numbers as DDC pins, as on LPT/SPT PCHs).
 * Gen9 i915 never drives an analog output, so CRT only matters on Broadwell.
 *
 * All len bytes of buf are written (zero past the OpRegion): give it the whole
 * reservation.  Returns VGT_OPREGION_SIZE; -EINVAL for a NULL pointer or a type
 * out of range, -EEXIST for two types on one port, -EOPNOTSUPP for another
 * device id, -ENOSPC if len < VGT_OPREGION_SIZE.
 */
int vgt_opregion_build(const enum vgt_port_type *types, unsigned n, uint16_t device_id,
                       void *buf, size_t len);

#endif
