#!/bin/sh
# e. xl vgt-switch between guests and back to dom0; xl vgt-hotplug disconnect/connect:
# the guest sees the port's state change (SDEISR, latched interrupt in SDEIIR) and
# reads the EDID over GMBUS.
# group: 3
# needs: vgtd
# budget: 400
. "${P:-/payload}/dom0/lib.sh"
require_vgt "switch and hotplug"
EDID=$P/dom0/xvt-1024x768.edid
GUEST_END=stay GUEST_CMDLINE="vgt.hp_secs=500" vgt_guest e1 info,hotplug || { fail "e1 created" "$(tail -n 1 $W/e1.create)"; exit 1; }
GUEST_END=stay vgt_guest e2 info || { fail "e2 created" "$(tail -n 1 $W/e2.create)"; exit 1; }
guest_wait e1 'VGTCHECK hp_sdeisr=' || { guest_keep e1; fail "e1 watches its ports" "no hp_sdeisr line"; exit 1; }
wait_done e2 "second guest"
d1=$(domid_of e1); d2=$(domid_of e2)
owner() { vgt_list_json $W/e-l.json; jget $W/e-l.json display_owner; }
for to in e1 e2 0; do
	want=$to; [ "$to" = 0 ] || want=$(domid_of $to)
	vxl vgt-switch --force $to > $W/e-sw.out 2>&1; rc=$?
	[ $rc = 0 ] && check_eq "vgt-switch to $to: display owner" "$(owner)" "$want" || fail "vgt-switch --force $to" "exit $rc: $(head -n 1 $W/e-sw.out)"
done
# hot-plug on e1's PORT_B
vxl vgt-hotplug e1 PORT_B disconnect > $W/e-hp.out 2>&1 && pass "vgt-hotplug disconnect" || fail "vgt-hotplug disconnect" "$(head -n 1 $W/e-hp.out)"
guest_wait e1 'VGTCHECK hp_PORT_B=disconnected' 60 && pass "guest sees PORT_B disconnected" || fail "guest sees PORT_B disconnected" "$(guest_vals e1 hp_PORT_B | xargs)"
vxl vgt-hotplug e1 PORT_B connect --edid $EDID --type HDMI_B > $W/e-hp.out 2>&1 && pass "vgt-hotplug connect --edid" || fail "vgt-hotplug connect" "$(head -n 1 $W/e-hp.out)"
guest_wait e1 'VGTCHECK hp_PORT_B=connected' 60 && pass "guest sees PORT_B connected" || fail "guest sees PORT_B connected" "$(guest_vals e1 hp_PORT_B | xargs)"
guest_wait e1 'VGTCHECK hp_iir=' 10 && pass "hot-plug interrupt latched ($(guest_val e1 hp_iir))" || fail "hot-plug interrupt latched (SDEIIR)" "none seen"
# the boot-time read of the DP default monitor over GMBUS is 'none' (DP: AUX); wait for the read after the connect
guest_wait e1 'VGTCHECK edid_PORT_B=header' 60
e=$(guest_val e1 edid_PORT_B)
# bytes 8..23 of the EDID we plugged in
want_id=$(cut -c17-48 $P/dom0/xvt-1024x768.edid.hex)
check_eq "guest reads the plugged EDID over GMBUS" "$e" "header_ok=1,sum_ok=1,id=$want_id"
guest_keep e1
