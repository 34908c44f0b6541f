/* The MMIO register file: boot values, register kinds, pcode, access shapes, PVINFO. */
#include "tests/unit/test-model.h"

static void boot_values(struct vgt_vgpu *v)
{
    is_int(rd32(v, 0xC6204), 24, "PCH_RAWCLK_FREQ 24 MHz");
    is_int(rd32(v, 0x9120), 0x02800000, "GEN8_FUSE2");
    is_int(rd32(v, 0x42000), 0x8E000000, "SKL_FUSE_STATUS: PG0-2 distributed");
    is_int(rd32(v, 0xC000) & 1, 1, "GUC_STATUS: MIA in reset");
    is_int(rd32(v, 0x41000), 0x80000000, "VGACNTRL: VGA plane off");
    is_int(rd32(v, 0x12345 & ~3u), 0, "an unlisted register boots 0");
    wr32(v, 0x9120, 0);
    is_int(rd32(v, 0x9120), 0x02800000, "fuses are read-only");
    wr32(v, 0x4094, 0x55);
    is_int(rd32(v, 0x4094), 0x55, "plain register reads back");
}

static void masked(struct vgt_vgpu *v)
{
    wr32(v, 0x20D0, 0x00010001);    /* RCS RESET_CTL: REQUEST_RESET */
    is_int(rd32(v, 0x20D0), 0x3, "RESET_CTL: READY_TO_RESET follows REQUEST_RESET, no mask half");
    wr32(v, 0x220D0, 0x00010001);
    is_int(rd32(v, 0x220D0), 0x3, "BCS RESET_CTL too");
    wr32(v, 0x20D0, 0x00010000);
    is_int(rd32(v, 0x20D0), 0, "request withdrawn: not ready");
    wr32(v, 0x20D0, 0x00000001);
    is_int(rd32(v, 0x20D0), 0, "a write without the mask half changes nothing");
    wr32(v, 0x20D0, 0x00020002);
    is_int(rd32(v, 0x20D0), 0, "READY_TO_RESET cannot be written");
    is_int(rd32(v, 0x209C), 0x200, "MI_MODE: MODE_IDLE at boot (the engine is idle)");
    wr32(v, 0x209C, 0x01000100);    /* MI_MODE STOP_RING */
    is_int(rd32(v, 0x209C), 0x300, "MI_MODE: stopped and idle");
    wr32(v, 0x209C, 0x02000000);
    is_int(rd32(v, 0x209C), 0x300, "MODE_IDLE cannot be cleared");
    wr32(v, 0x209C, 0x01000000);
    is_int(rd32(v, 0x209C), 0x200, "running again, still idle");
    wr32(v, 0x7004, 0x00030001);
    is_int(rd32(v, 0x7004), 1, "CACHE_MODE_1 masked");
    wr32(v, 0x7004, 0x00020002);
    is_int(rd32(v, 0x7004), 3, "other bits kept");
    wr(v, 0x7004, 2, 0xFFFF);
    is_int(rd32(v, 0x7004), 3, "a 2-byte write has no mask half");
}

static void w1c(struct vgt_vgpu *v)
{
    static const uint32_t iirs[] = { 0x44308, 0x44318, 0x44408, 0x44448, 0x44468, 0x444E8, 0xC4008,
                                     0x64838, 0x20B0, 0x120B0 };
    for (unsigned i = 0; i < sizeof(iirs) / sizeof(iirs[0]); i++) {
        wr32(v, iirs[i], 0xFFFFFFFF);
        is_int(rd32(v, iirs[i]), 0, "IIR/EIR 0x%x reads 0 after writing all ones", iirs[i]);
    }
    wr32(v, 0x44444, 0);            /* DE port IMR: unmask */
    /* AUX status bits 30/28/25 are write-1-to-clear, the rest plain */
    wr32(v, 0x64110, 0x52000000 | (5u << 20));
    is_int(rd32(v, 0x64110), 5u << 20, "AUX CTL: status bits clear, others written");
}

static void mirrors(struct vgt_vgpu *v)
{
    wr32(v, 0x45404, 0xA0000002);   /* PW_2 and PW_1 requests, MISC_IO */
    is_int(rd32(v, 0x45404), 0xF0000003, "power well state 2n follows request 2n+1");
    wr32(v, 0x45404, 0x80000000);
    is_int(rd32(v, 0x45404), 0xC0000000, "and goes down with it");
    wr32(v, 0x46010, 0x80000000);
    is_int(rd32(v, 0x46010), 0xC0000000, "LCPLL1 locks when enabled");
    wr32(v, 0x46060, 0x80000000);
    is_int(rd32(v, 0x46060), 0xC0000000, "WRPLL2 locks");
    wr32(v, 0x45008, 0x80000000);
    is_int(rd32(v, 0x45008), 0xC0000000, "DBUF power state follows request");
    wr32(v, 0x45008, 0x40000000);
    is_int(rd32(v, 0x45008), 0, "state cannot be written alone");
    is_int(rd32(v, 0x64100) & 0x80, 0x80, "DDI_BUF_CTL B idle while disabled");
    wr32(v, 0x64100, 0x80000000);
    is_int(rd32(v, 0x64100), 0x80000000, "not idle when enabled");
    wr32(v, 0x70008, 0x80000000);
    is_int(rd32(v, 0x70008), 0xC0000000, "PIPECONF A state follows enable");
    wr32(v, 0x70008, 0);
    wr32(v, 0x941C, 0x1);
    is_int(rd32(v, 0x941C), 0, "GDRST reads 0: reset done");
    for (uint32_t r = 0x4260; r <= 0x4270; r += 4) {
        wr32(v, r, 0x1);
        is_int(rd32(v, r), 0, "TLB invalidation 0x%x reads 0: done", r);
    }
    {
        uint32_t a = rd32(v, 0x70000), b = rd32(v, 0x70000);
        ok(a != b, "PIPEDSL moves");
    }
}

static void pcode(struct vgt_vgpu *v)
{
    wr32(v, 0x138128, 0);
    wr32(v, 0x13812C, 0);
    wr32(v, 0x138124, 0x80000006);
    is_int(rd32(v, 0x138124), 0, "mailbox: READY and error cleared");
    is_int(rd32(v, 0x138128), 0x1E1A1100, "memory latency set 0");
    wr32(v, 0x138128, 1);
    wr32(v, 0x138124, 0x80000006);
    is_int(rd32(v, 0x138128), 0x61514B3D, "memory latency set 1");
    wr32(v, 0x138128, 0);
    wr32(v, 0x138124, 0x80000007);
    is_int(rd32(v, 0x138128), 1, "CDCLK control: ready for change");
    wr32(v, 0x138124, 0x80000021);
    is_int(rd32(v, 0x138128), 1, "SAGV: disabled");
    wr32(v, 0x138128, 0x1234);
    wr32(v, 0x138124, 0x80000017);
    is_int(rd32(v, 0x138128), 0, "other commands answer 0");
    wr32(v, 0x138124, 0x00000006);
    is_int(rd32(v, 0x138124), 6, "no READY: no command");
}

static void shapes(struct vgt_vgpu *v)
{
    uint64_t val;
    wr32(v, 0x4000, 0x11223344);
    is_int(rd(v, 0x4000, 1), 0x44, "byte read");
    is_int(rd(v, 0x4001, 2), 0x2233, "unaligned 2-byte read");
    is_int(rd(v, 0x4003, 3), 0x000011, "3-byte read across the dword end");
    wr(v, 0x4002, 1, 0xAA);
    is_int(rd32(v, 0x4000), 0x11AA3344, "byte write");
    wr(v, 0x4006, 4, 0xCCDDEEFF);
    is_int(rd(v, 0x4000, 8), 0xEEFF000011AA3344ull, "unaligned 4-byte write spans two dwords");
    wr(v, 0x4001, 7, 0x01020304050607ull);
    is_int(rd(v, 0x4000, 8), 0x0102030405060744ull, "7-byte write");
    is_int(M->bar_read(v, VGT_BAR_MMIO, 0x200000, 4, &val), -ERANGE, "beyond the register file refused");
    is_int(val, ~0ull, "reads all ones");
    is_int(M->bar_read(v, VGT_BAR_MMIO, 0x1FFFFE, 4, &val), -ERANGE, "crossing its end refused");
    is_int(M->bar_read(v, VGT_BAR_MMIO, 16u << 20, 4, &val), -EINVAL, "beyond BAR0 refused");
    is_int(M->bar_read(v, VGT_BAR_MMIO, 0, 0, &val), -EINVAL, "size 0 refused");
    is_int(M->bar_read(v, VGT_BAR_MMIO, 0, 9, &val), -EINVAL, "size 9 refused");
    is_int(M->bar_read(v, 1, 0, 4, &val), -EINVAL, "no BAR1");
    is_int(M->bar_read(v, 7, 0, 4, &val), -EINVAL, "no BAR7");
    is_int(M->bar_read(v, -1, 0, 4, &val), -EINVAL, "no BAR -1");
    ok(stat(v, VGT_STAT_BAD_ACCESS) >= 7, "bad accesses counted");
    /* BAR4: MMIO_INDEX / MMIO_DATA */
    M->bar_write(v, VGT_BAR_IO, 0, 4, 0xC6204);
    M->bar_read(v, VGT_BAR_IO, 4, 4, &val);
    is_int(val, 24, "I/O BAR reaches the registers");
    M->bar_read(v, VGT_BAR_IO, 9, 1, &val);
    is_int(val, 0, "other I/O offsets read 0");
}

static void pvinfo(struct vgt_vgpu *v)
{
    is_int(rd(v, 0x78000, 8), 0x4776544776544776ull, "magic as one 8-byte read");
    is_int(rd(v, 0x78008, 2), 1, "version_major 1");
    is_int(rd(v, 0x7800A, 2), 0, "version_minor 0");
    is_int(rd32(v, 0x7800C), 1, "vgt_id");
    is_int(rd32(v, 0x78010), 0xC, "caps FULL_PPGTT|HWSP_EMULATION");
    is_int(rd32(v, 0x78040), 0x08000000, "mappable base");
    is_int(rd32(v, 0x78044), 128u << 20, "mappable size");
    is_int(rd32(v, 0x78048), 0x20000000, "non-mappable base");
    is_int(rd32(v, 0x7804C), 384u << 20, "non-mappable size");
    is_int(rd32(v, 0x78050), 4, "fence_num");
    is_int(rd32(v, 0x78830), 0xFFFFFFFF, "cursor_x_hot");
    is_int(rd32(v, 0x78834), 0xFFFFFFFF, "cursor_y_hot");
    wr32(v, 0x78040, 0);
    wr(v, 0x78000, 8, 0);
    is_int(rd32(v, 0x78040), 0x08000000, "GM ranges are read-only");
    is_int(rd(v, 0x78000, 8), 0x4776544776544776ull, "magic is read-only");
    {
        struct vgt_display_state d;
        M->get_display(v, &d);
        ok(!d.display_ready, "display not ready at boot");
        wr32(v, 0x78804, 1);
        M->get_display(v, &d);
        ok(d.display_ready, "display_ready as the guest wrote it");
    }
    wr32(v, 0x78838, 0x0206D000);
    wr32(v, 0x78818, 4);
    is_int(rd32(v, 0x78838), 0x0206D000, "pdp[0] stored");
    is_int(rd32(v, 0x78818), 4, "g2v_notify stored");
    M->reset(v);
    is_int(rd32(v, 0x78804), 0, "reset clears display_ready");
    is_int(rd(v, 0x78000, 8), 0x4776544776544776ull, "magic after reset");
}

/* Broadwell: the common table plus its own, SKL-only registers absent. */
static void gen8(void)
{
    struct vgt_profile bdw = test_profile;
    struct vgt_vgpu_params p = test_params();
    struct vgt_vgpu *v = NULL;
    struct vgt_fb fb;
    struct vgt_display_state d;

    bdw.gen = 8;
    bdw.device_id = 0x1616;
    bdw.ggtt_mb = 2048;
    p.profile = &bdw;
    p.part.high_size = 256u << 20;
    is_int(M->create(&p, NULL, NULL, &v), 0, "gen8 vGPU created");
    if (!v)
        return;
    is_int(rd32(v, 0x78000), 0x76544776, "gen8: PVINFO");
    is_int(rd32(v, 0x9120), 0x02000000, "gen8: its own GEN8_FUSE2");
    is_int(rd32(v, 0x42000), 0, "gen8: no SKL_FUSE_STATUS");
    is_int(rd32(v, 0x130040), 1u << 30, "gen8: LCPLL enabled and locked");
    wr32(v, 0x130040, 1u << 21);
    is_int(rd32(v, 0x130040), (1u << 30) | (1u << 21) | (1u << 19), "gen8: FCLK switch done follows the request");
    wr32(v, 0x130040, 0);
    is_int(rd32(v, 0x130040), 1u << 30, "gen8: and back; the lock bit stays");
    wr32(v, 0x20D0, 0x00010001);
    is_int(rd32(v, 0x20D0), 3, "gen8: reset handshake as on gen9");
    /* DSPCNTR: XRGB8888 (6 << 26), X tiled; stride in bytes; size from PIPESRC */
    wr32(v, 0x6001C, (1023u << 16) | 767);
    wr32(v, 0x70188, 4096);
    wr32(v, 0x7019C, 0x08000000);
    wr32(v, 0x70180, 0x80000000 | (6u << 26) | (1u << 10));
    M->get_display(v, &d);
    fb = d.primary;
    ok(fb.enabled && fb.width == 1024 && fb.height == 768 && fb.stride == 4096 &&
           fb.tiling == VGT_FB_X_TILED && fb.drm_format == 0x34325258,
       "gen8: primary plane decoded (1024x768 XR24, X tiled, stride 4096)");
    M->destroy(v);
    bdw.gen = 7;
    is_int(M->create(&p, NULL, NULL, &v), -EOPNOTSUPP, "gen7 has no register table");
}

int main(void)
{
    struct fake_host h;
    struct vgt_vgpu *v = test_vgpu(&h);

    boot_values(v);
    masked(v);
    w1c(v);
    mirrors(v);
    pcode(v);
    shapes(v);
    pvinfo(v);
    M->reset(v);
    is_int(rd32(v, 0x4094), 0, "reset restores boot values");
    is_int(rd32(v, 0x45404), 0, "and the power wells");
    test_vgpu_free(v, &h);
    gen8();
    return tap_done();
}
