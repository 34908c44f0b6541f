#!/bin/sh
# demo (make demo; not part of check-xen): vgtd runs, a vGPU guest draws a pattern,
# xl vgt-list shows it, xl vgt-screenshot saves its screen.  As far as the installed
# parts allow: without vgtd it shows a plain HVM guest and says so.
# group: demo
# default: no
# budget: 400
. "${P:-/payload}/dom0/lib.sh"
show() { echo "# \$ $*"; "$@" 2>&1 | sed 's/^/#   /'; }
show $REAL_XL info | grep -E 'xen_version|virt_caps|free_memory|total_memory'
if [ -z "$(vxl_path)" ] || ! have_vgtd || { vxl vgt-info > $W/demo.out 2>&1; not_implemented $W/demo.out; }; then
	skip "vGPU demo" "vgtd / xl vgt-* are not installed by this tree yet: showing a plain HVM guest"
	cfg=$(guest_cfg demo1 info)
	guest_create demo1 "$cfg" real && pass "plain HVM guest created" || { fail "plain HVM guest created" "$(tail -n 1 $W/demo1.create)"; exit 1; }
	wait_done demo1 "plain guest"
	grep VGTCHECK /run/demo1-serial.log | sed 's/^/# guest: /'
	exit 0
fi
require_vgt "vGPU demo"
show vxl vgt-info
GUEST_END=stay vgt_guest demo1 info,fb && pass "vGPU guest demo1 created" || { fail "vGPU guest created" "$(tail -n 2 $W/demo1.create | tr '\n' ' ')"; exit 1; }
guest_wait demo1 'VGTCHECK fb_done=' && pass "guest found its vGPU and drew a 640x480 framebuffer" ||
	fail "guest drew its framebuffer" "$(tail -n 2 /run/demo1-serial.log | tr '\n' ' ')"
guest_keep demo1
grep VGTCHECK /run/demo1-serial.log | grep -E 'gpu_|pv_|fb_' | sed 's/^/# guest: /'
show vxl vgt-list
if vxl vgt-screenshot demo1 $R/demo-screenshot.png > $W/demo-shot.out 2>&1; then
	pass "xl vgt-screenshot demo1 demo-screenshot.png ($($P/bin/xvt-pngstat $R/demo-screenshot.png))"
else
	fail "xl vgt-screenshot" "$(head -n 1 $W/demo-shot.out)"
fi
guest_destroy demo1
