#!/bin/sh
# i915 (issue 8, the ladder; not in the default run until the model gets there):
# the guest loads Debian's unmodified i915 and its dependencies from its initramfs
# and we check the rungs: 1 vGPU detected, 2 ballooning leaves exactly the guest's
# own GM (as xl vgt-list shows it), 3 probe completes (Initialized i915,
# /dev/dri/card0, display_ready) in seconds, 4 a connector connected.
# The guest's kernel log is kept in results/ (KLOG lines of the serial log).
# group: i915
# default: no
# needs: vgtd i915
# budget: 900
. "${P:-/payload}/dom0/lib.sh"
require_vgt "guest i915"
GUEST_END=stay GUEST_INITRD=initrd-i915.gz GUEST_CMDLINE="i915.modeset=1 drm.debug=0x1e log_buf_len=4M" \
	vgt_guest i9 info,i915 || { fail "i9 created" "$(tail -n 1 $W/i9.create)"; exit 1; }
wait_done i9 "i915 loaded" || exit 1
log=/run/i9-serial.log
grep -q 'Virtual GPU for Intel GVT-g detected' $log && pass "rung 1: i915 detects the vGPU" || fail "rung 1: i915 detects the vGPU" "no 'Virtual GPU for Intel GVT-g detected'"
vgt_list_json $W/i9.json
lb=$(vgt_guest_field $W/i9.json i9 low_gm_base); ls=$(vgt_guest_field $W/i9.json i9 low_gm_size)
hb=$(vgt_guest_field $W/i9.json i9 high_gm_base); hs=$(vgt_guest_field $W/i9.json i9 high_gm_size)
grep -q 'VGT balloon successfully' $log && pass "rung 2: ballooning succeeded" || fail "rung 2: ballooning" "no 'VGT balloon successfully'"
# i915 logs the reserved (ballooned) ranges; the guest's own must not be among them
own_lo=$(printf '0x%x' "$lb"); own_hi=$(printf '0x%x' "$hb")
grep -i 'balloon space' $log | sed 's/^/# /'
grep -qiE "balloon space: range \[ *$own_lo " $log && fail "rung 2: own low GM not ballooned" "$own_lo reserved" || pass "rung 2: own low GM ($own_lo+$ls) not ballooned"
grep -qiE "balloon space: range \[ *$own_hi " $log && fail "rung 2: own high GM not ballooned" "$own_hi reserved" || pass "rung 2: own high GM ($own_hi+$hs) not ballooned"
grep -q 'Initialized i915' $log && pass "rung 3: Initialized i915" || fail "rung 3: Initialized i915" "not in the guest log"
guest_vals i9 dri | grep -q card0 && pass "rung 3: /dev/dri/card0" || fail "rung 3: /dev/dri/card0" "dri: $(guest_vals i9 dri | xargs)"
t=$(guest_val i9 i915_insmod); diag "insmod ok,start,end (guest clock): $t"
check_eq "rung 3: display_ready in vgt-list" "$(vgt_guest_field $W/i9.json i9 display_ready)" true
guest_vals i9 drm_connector | grep -q ',connected$' && pass "rung 4: a connector is connected" || fail "rung 4: a connector is connected" "$(guest_vals i9 drm_connector | xargs)"
