/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interrupts as on gen8+: each unit has ISR/IMR/IIR/IER; an event latches into
 * IIR unless IMR masks it; a unit is pending while IIR & IER; GEN8_MASTER_IRQ
 * shows the pending units and gates delivery with its enable bit 31.  The MSI is
 * sent on the rising edge of (enabled && pending && MSI deliverable), which is
 * how i915's handler (master off, clear IIRs, master on) sees a second event.
 */
#include "daemon/mediator/swmodel.h"

static const struct {
    uint32_t isr;
    uint32_t master_bits;
} units[SW_IRQ_MAX] = {
    [SW_IRQ_GT0] = { 0x44300, 0x3 },        /* RCS, BCS */
    [SW_IRQ_GT1] = { 0x44310, 0xC },        /* VCS1, VCS2 */
    [SW_IRQ_GT2] = { 0x44320, 1u << 4 },    /* PM/GuC */
    [SW_IRQ_GT3] = { 0x44330, 1u << 6 },    /* VECS */
    [SW_IRQ_PIPE_A] = { 0x44400, 1u << 16 },
    [SW_IRQ_PIPE_B] = { 0x44410, 1u << 17 },
    [SW_IRQ_PIPE_C] = { 0x44420, 1u << 18 },
    [SW_IRQ_DE_PORT] = { 0x44440, 1u << 20 },
    [SW_IRQ_DE_MISC] = { 0x44460, 1u << 22 },
    [SW_IRQ_PCU] = { 0x444E0, 1u << 30 },
    [SW_IRQ_PCH] = { 0xC4000, 1u << 23 },
};

static uint32_t pending_units(const struct vgt_vgpu *v)
{
    uint32_t bits = 0;

    for (unsigned u = 0; u < SW_IRQ_MAX; u++)
        if (sw_reg(v, units[u].isr + 8) & sw_reg(v, units[u].isr + 12))
            bits |= units[u].master_bits;
    return bits;
}

uint32_t sw_irq_master_read(struct vgt_vgpu *v)
{
    return (sw_reg(v, R_MASTER_IRQ) & MASTER_IRQ_ENABLE) | pending_units(v);
}

void sw_irq_update(struct vgt_vgpu *v)
{
    uint64_t addr;
    uint32_t data;
    bool msi = sw_pci_msi(v, &addr, &data);
    bool asserted = (sw_reg(v, R_MASTER_IRQ) & MASTER_IRQ_ENABLE) && pending_units(v);
    bool line = msi && asserted;
    bool intx = !msi && asserted && sw_pci_intx_enabled(v);

    if (line && !v->s->irq_line && v->host && v->host->raise_msi)
        v->host->raise_msi(v->host_opaque, addr, data);
    v->s->irq_line = line;
    /* INTx is a level: the host hears every change. */
    if (intx != v->s->intx_level) {
        v->s->intx_level = intx;
        sw_pci_set_intx_status(v, intx);
        if (v->host && v->host->set_intx)
            v->host->set_intx(v->host_opaque, intx);
    }
}

void sw_irq_latch(struct vgt_vgpu *v, enum sw_irq_unit u, uint32_t bits)
{
    uint32_t iir = units[u].isr + 8;

    sw_reg_set(v, iir, sw_reg(v, iir) | (bits & ~sw_reg(v, units[u].isr + 4)));
    sw_irq_update(v);
}

/* A predecessor's interrupt state: the line is raised anew from the registers,
 * so an enabled pending interrupt is delivered (the MSI may have been lost with
 * the predecessor), and the host hears the INTx level again. */
void sw_irq_resume(struct vgt_vgpu *v)
{
    bool was_intx = v->s->intx_level != 0;

    v->s->irq_line = 0;
    v->s->intx_level = 0;
    sw_irq_update(v);
    if (was_intx && !v->s->intx_level && v->host && v->host->set_intx)
        v->host->set_intx(v->host_opaque, false);
}
