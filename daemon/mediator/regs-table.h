/* SPDX-License-Identifier: GPL-2.0-only */
/* Shorthands for the register tables (regs-*.c): data only, see struct sw_reg_def. */
#ifndef VGT_REGS_TABLE_H
#define VGT_REGS_TABLE_H

#include "daemon/mediator/swmodel.h"

#define ALL 0xFFFFFFFFu
/* plain with a boot value; read-only (RO_N: the model may change it); constant (the
 * model sets it at reset only, or recomputes it: a resumed state gets it anew) */
#define RW(o, v) { .offset = (o), .init = (v), .wmask = ALL }
#define RO_N(o, n, s, v) { .offset = (o), .count = (n), .stride = (s), .init = (v) }
#define CONST_N(o, n, s, v) { .offset = (o), .count = (n), .stride = (s), .init = (v), .flags = SW_RF_CONST }
#define RO(o, v) CONST_N(o, 0, 0, v)
#define RW_N(o, n, s, v) { .offset = (o), .count = (n), .stride = (s), .init = (v), .wmask = ALL }
/* masked: the upper 16 bits of a write select the low bits it changes */
#define MASKED(o) { .offset = (o), .wmask = 0xFFFF, .flags = SW_RF_MASKED }
/* state bits (src >> shift) follow the request bits src */
#define FOLLOW_N(o, n, s, v, src, shift) { .offset = (o), .count = (n), .stride = (s), .init = (v), \
        .wmask = ALL, .mirror_src = (src), .mirror_shift = (shift) }
#define W1C_N(o, n, s, bits) { .offset = (o), .count = (n), .stride = (s), .wmask = ALL, .w1c = (bits) }
#define HANDLED_N(o, n, s, v, h) { .offset = (o), .count = (n), .stride = (s), .init = (v), .wmask = ALL, .handler = (h) }
/* an interrupt unit: ISR (read-only; live bits the model recomputes), IMR, IIR
 * (write-1-to-clear), IER */
#define IRQ_UNIT(isr, n, s) \
    { .offset = (isr), .count = (n), .stride = (s), .flags = SW_RF_CONST }, \
    { .offset = (isr) + 4, .count = (n), .stride = (s), .init = ALL, .wmask = ALL, .handler = SW_H_IRQ }, \
    { .offset = (isr) + 8, .count = (n), .stride = (s), .wmask = ALL, .w1c = ALL, .handler = SW_H_IRQ }, \
    { .offset = (isr) + 12, .count = (n), .stride = (s), .wmask = ALL, .handler = SW_H_IRQ }
/* per-engine registers, for RCS, VCS, VECS, VCS2, BCS */
#define ENGINES(off, ...) \
    { .offset = 0x2000 + (off), __VA_ARGS__ }, { .offset = 0x12000 + (off), __VA_ARGS__ }, \
    { .offset = 0x1A000 + (off), __VA_ARGS__ }, { .offset = 0x1C000 + (off), __VA_ARGS__ }, \
    { .offset = 0x22000 + (off), __VA_ARGS__ }

#define TABLE(name, arr) const struct sw_reg_table name = { arr, sizeof(arr) / sizeof(arr[0]) }

#endif
