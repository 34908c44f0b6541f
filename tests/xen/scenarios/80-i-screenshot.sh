#!/bin/sh
# i. xl vgt-screenshot of a guest that drew a known pattern in its framebuffer (a
# 640x480 XRGB8888 surface in its own memory, bound through its GGTT range, plane 1
# of pipe A) gives a PNG with that pattern.
# group: 3
# needs: vgtd
# budget: 300
. "${P:-/payload}/dom0/lib.sh"
require_vgt "screenshot"
GUEST_END=stay vgt_guest i1 fb || { fail "i1 created" "$(tail -n 1 $W/i1.create)"; exit 1; }
guest_wait i1 'VGTCHECK fb_done=' && pass "guest drew its framebuffer" || { guest_keep i1; fail "guest drew its framebuffer" "$(tail -n 2 /run/i1-serial.log | tr '\n' ' ')"; exit 1; }
guest_keep i1
png=$R/i-screenshot.png
vxl vgt-screenshot i1 $png > $W/i.out 2>&1 && pass "xl vgt-screenshot" || { fail "xl vgt-screenshot" "$(head -n 1 $W/i.out)"; exit 1; }
st=$($P/bin/xvt-pngstat $png 2>&1)
diag "pngstat: $st"
check_eq "PNG size" "$(echo "$st" | sed -n 's/.*size=\([^ ]*\).*/\1/p')" 640x480
check_eq "every pixel has the guest's colour" "$(echo "$st" | sed -n 's/.*uniform=\([^ ]*\).*/\1/p')" "$(guest_val i1 fb_rgb)"
