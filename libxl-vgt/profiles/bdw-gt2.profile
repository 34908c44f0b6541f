# Intel Broadwell GT2 (5th generation Core, HD Graphics 5500); gen8 has 2 GB of GGTT.
# Numbers of the original XenGT: 512 MB aperture, of which dom0 keeps 96 MB and
# 32 MB at the top stay reserved: 384 MB = 3 guests of 128 MB ("up to 3 guests").
name = "bdw-gt2"
description = "Intel Broadwell GT2 (HD Graphics 5500)"
generation = 8
device_id = 0x1616
aperture_mb = 512          # BAR2 (GMADR), set in the BIOS
ggtt_mb = 2048             # low + high global graphics memory
fences = 32
host_low_gm_mb = 96        # dom0's share at the bottom of the aperture
host_high_gm_mb = 384      # dom0's share at the bottom of high GM
host_fences = 4
reserved_top_mb = 32
max_instances = 15         # guests; with dom0 the original's 16 instances
high_gm_granule_mb = 64
