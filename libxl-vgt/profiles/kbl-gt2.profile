# Intel Kaby Lake GT2 (7th generation Core, HD Graphics 630).
# Numbers of the original XenGT: 512 MB aperture, of which dom0 keeps 96 MB and
# 32 MB at the top stay reserved: 384 MB = 3 guests of 128 MB ("up to 3 guests").
name = "kbl-gt2"
description = "Intel Kaby Lake GT2 (HD Graphics 630)"
generation = 9
device_id = 0x5912
aperture_mb = 512          # BAR2 (GMADR), set in the BIOS
ggtt_mb = 4096             # low + high global graphics memory
fences = 32
host_low_gm_mb = 96        # dom0's share at the bottom of the aperture
host_high_gm_mb = 384      # dom0's share at the bottom of high GM
host_fences = 4
reserved_top_mb = 32
max_instances = 15         # guests; with dom0 the original's 16 instances
high_gm_granule_mb = 64
