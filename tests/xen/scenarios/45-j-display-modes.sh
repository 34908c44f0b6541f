#!/bin/sh
# j. Display modes at boot (issue 9), with 2-vCPU guests; what each guest finds
# when it starts (vgt-probe ports: hot-plug state, the EDID over DP AUX or GMBUS):
#  - indirect: j1's vgt_monitor_config_file (HDMI on PORT_B, DP on PORT_D): both
#    connected at boot, each EDID the guest reads equals the file's bytes;
#  - direct default: j2, no monitor config, started while j1 runs: vgtd.conf's
#    default (DP_B, built-in 1920x1080 EDID), so the two guests have different
#    monitors on the same port B and each sees its own;
#  - display owner at boot: stock vgtd.conf ("dom0"): neither owns the display;
#    vgtd restarted with display_owner_at_boot = "guest" and another default
#    monitor (HDMI_C, an EDID file): the new guest j3 owns it and sees that monitor.
# vgtd runs with its unit's vgtd.conf again at the end.
# group: j
# needs: vgtd
# budget: 450
. "${P:-/payload}/dom0/lib.sh"
require_vgt "display modes"
export GUEST_VCPUS=2 GUEST_END=stay

XVT_HEX=$(tr -d ' \r\n' < "$P/dom0/xvt-1024x768.edid.hex")   # XVT TEST, 1024x768
# the setup guide's example monitor (xl-vgt.cfg(5)): ASUS PA238, 1920x1080
ASUS_HEX=00ffffffffffff000469b1232df800000f16010381331d782a5ea5a2554da026115054bfef00d1c095008140818081c0950fb300714f023a801871382d40582c4500fd1e1100001e000000ff0043344c4d54463036333533330a000000fd00324b185311000a202020202020000000fc00415355532050413233380a202000e0
# vgtd's built-in default (libxl-vgt/edid.c, vgt_edid_default_1080p): XEN 0x1080 "xen-vgt"
BUILTIN_HEX=00ffffffffffff0060ae80100000000001220104a0341d7807ee91a3544c99260f5054210800d1c081c08180a9c00101010101010101023a801871382d40582c450009252100001e000000fd00324b1e5310010a202020202020000000fc0078656e2d7667740a202020202000000010000000000000000000000000000000ca

# edid_desc HEX: what xl vgt-edid makes of an EDID the guest read
# ("MANUFACTURER product N "NAME" WxH@HZ")
edid_desc() {
	echo "$1" > "$W/j-desc.hex"
	vxl vgt-edid --json "$W/j-desc.hex" > "$W/j-desc.json" 2>&1 || { echo "invalid: $(head -n 3 "$W/j-desc.json" | xargs)"; return; }
	printf '%s product %s "%s" %sx%s@%s\n' "$(jget "$W/j-desc.json" '0\.manufacturer')" \
		"$(jget "$W/j-desc.json" '0\.product')" "$(jget "$W/j-desc.json" '0\.name')" \
		"$(jget "$W/j-desc.json" '0\.preferred\.width')" "$(jget "$W/j-desc.json" '0\.preferred\.height')" \
		"$(jget "$W/j-desc.json" '0\.preferred\.refresh')"
}
# mon_check GUEST PORT SINK WANT_HEX WHAT: the guest found PORT connected at boot,
# a SINK (DP: answers on AUX, DDC: GMBUS) there, and read exactly WANT_HEX
mon_check() {
	local g=$1 port=$2 sink=$3 want=$4 what=$5 got
	check_eq "$g: $port connected at boot" "$(guest_val "$g" "mon_$port")" connected
	got=$(guest_val "$g" "mon_${port}_sink")
	case "$got" in "$sink"*) pass "$g: $port has a $sink sink ($got)" ;; *) fail "$g: $port has a $sink sink" "got '$got'" ;; esac
	got=$(guest_val "$g" "mon_edid_$port")
	if [ "$got" = "$want" ]; then
		pass "$g: the EDID read on $port = $what, all 128 bytes ($(edid_desc "$got"))"
	else
		fail "$g: the EDID read on $port = $what" "got '$got' ($(edid_desc "$got")), want '$want'"
	fi
}
# only_ports GUEST PORT...: the guest found exactly these ports connected
only_ports() {
	local g=$1 p got="" want; shift; want="$*"
	for p in PORT_A PORT_B PORT_C PORT_D PORT_E; do
		[ "$(guest_val "$g" "mon_$p")" = connected ] && got="$got $p"
	done
	check_eq "$g: connected at boot, no other port" "$(echo $got)" "$want"
}
# list_ports FILE GUEST: the guest's connected ports in xl vgt-list --json, "PORT=TYPE ..."
list_ports() {
	local k=0 p out=""
	while p=$(vgt_guest_field "$1" "$2" "ports\\.$k\\.port") && [ -n "$p" ]; do
		[ "$(vgt_guest_field "$1" "$2" "ports\\.$k\\.connected")" = true ] &&
			out="$out $p=$(vgt_guest_field "$1" "$2" "ports\\.$k\\.type")"
		k=$((k+1))
	done
	echo $out
}
owner_checks() {   # owner_checks FILE WANT_DOMID GUEST...: top-level owner, and each guest's flag
	local f=$1 want=$2 g; shift 2
	check_eq "vgt-list: display owner" "$(jget "$f" display_owner)" "$want"
	for g in "$@"; do
		check_eq "vgt-list: $g's display_owner flag" "$(vgt_guest_field "$f" "$g" display_owner)" \
			"$([ "$(domid_of "$g")" = "$want" ] && echo true || echo false)"
	done
}

# ---- 1. indirect (j1) and the direct default (j2), at once, stock vgtd.conf ------------
MC=$W/j-monitor.config
{
	echo "# monitor.config (xl-vgt.cfg(5)): 2 items, text form"
	echo 12
	echo "# PORT_B as HDMI, for physical PORT_B: the 1024x768 test monitor (the guest reads it over GMBUS)"
	echo "01 01"
	echo "$XVT_HEX" | sed 's/.\{32\}/&\n/g'
	echo "# PORT_D as DisplayPort, for physical PORT_D: the guide's ASUS PA238 (over DP AUX)"
	echo "13 03"
	echo "$ASUS_HEX" | sed 's/.\{32\}/&\n/g'
} > "$MC"
vgt_guest j1 ports "vgt_monitor_config_file = \"$MC\"" || { fail "j1 created (indirect)" "$(tail -n 1 "$W/j1.create")"; exit 1; }
wait_done j1 "indirect: monitor config"
# j2 boots while j1 runs (one at a time: two 2-vCPU guests booting together on
# the 2 TCG CPUs once left the second without a line in 15 minutes)
vgt_guest j2 ports || { fail "j2 created (direct)" "$(tail -n 1 "$W/j2.create")"; exit 1; }
wait_done j2 "direct: default monitor, while j1 runs"
check_eq "j1: 2 vCPUs online" "$(guest_val j1 cpus)" 2
check_eq "j2: 2 vCPUs online" "$(guest_val j2 cpus)" 2
mon_check j1 PORT_B DDC "$XVT_HEX" "the monitor config's first EDID"
mon_check j1 PORT_D DP "$ASUS_HEX" "the monitor config's second EDID"
only_ports j1 PORT_B PORT_D
mon_check j2 PORT_B DP "$BUILTIN_HEX" "vgtd's built-in 1080p EDID"
check_eq "j2: the EDID decodes as the built-in 1080p" "$(edid_desc "$(guest_val j2 mon_edid_PORT_B)")" \
	'XEN product 4224 "xen-vgt" 1920x1080@60'
check_eq "j1 and j2: different monitors on PORT_B" \
	"$(edid_desc "$(guest_val j1 mon_edid_PORT_B)") / $(edid_desc "$(guest_val j2 mon_edid_PORT_B)")" \
	'XVT product 4660 "XVT TEST" 1024x768@60 / XEN product 4224 "xen-vgt" 1920x1080@60'
only_ports j2 PORT_B
vgt_list_json "$W/j-l1.json"
check_eq "vgt-list: j1's ports" "$(list_ports "$W/j-l1.json" j1)" "PORT_B=HDMI_B PORT_D=DP_D"
check_eq "vgt-list: j2's ports" "$(list_ports "$W/j-l1.json" j2)" "PORT_B=DP_B"
owner_checks "$W/j-l1.json" 0 j1 j2
guest_destroy j1; guest_destroy j2

# ---- 2. display_owner_at_boot = "guest", default monitor HDMI_C with an EDID file ------
unit_conf=$(sed -n 's/^ExecStart=.* -c \([^ ]*\).*/\1/p' "$(vgtd_unit)" | head -n 1)
[ -f "$unit_conf" ] || { fail "the unit's vgtd.conf" "'$unit_conf' not found"; exit 1; }
echo "$ASUS_HEX" > "$W/j-default.edid"
sed -E '/^[[:space:]]*(display_owner_at_boot|default_monitor|default_monitor_edid|host_monitors)[[:space:]]*=/d' \
	"$unit_conf" > "$W/j-vgtd.conf"
cat >> "$W/j-vgtd.conf" <<EOF
display_owner_at_boot = "guest"
default_monitor = "HDMI_C"
default_monitor_edid = "$W/j-default.edid"
EOF
# whatever happens below, the next scenario gets vgtd with the unit's configuration
trap 'destroy_all; vgtd_restart_with "" > /dev/null 2>&1 || echo "not ok - vgtd restarted with its unit'"'"'s vgtd.conf # it does not answer"' EXIT
trap 'exit 1' TERM INT HUP
vgtd_restart_with "$W/j-vgtd.conf" && pass "vgtd restarted with display_owner_at_boot = \"guest\", default_monitor = \"HDMI_C\"" ||
	{ fail "vgtd restarted with $W/j-vgtd.conf" "$(tail -n 3 "$VGTD_LOG" | xargs)"; exit 1; }
info_json "$W/j-i2.json"
check_eq "vgt-info: display owner before j3" "$(jget "$W/j-i2.json" display_owner)" 0
vgt_guest j3 ports || { fail "j3 created" "$(tail -n 1 "$W/j3.create")"; exit 1; }
wait_done j3 "display owner at boot"
check_eq "j3: 2 vCPUs online" "$(guest_val j3 cpus)" 2
mon_check j3 PORT_C DDC "$ASUS_HEX" "default_monitor_edid's file"
only_ports j3 PORT_C
vgt_list_json "$W/j-l2.json"
check_eq "vgt-list: j3's ports" "$(list_ports "$W/j-l2.json" j3)" "PORT_C=HDMI_C"
owner_checks "$W/j-l2.json" "$(domid_of j3)" j3
guest_destroy j3
vgt_list_json "$W/j-l3.json"
check_eq "j3 destroyed: display owner back to dom0" "$(jget "$W/j-l3.json" display_owner)" 0

# ---- back to the unit's configuration ------------------------------------------------
trap - EXIT TERM INT HUP
vgtd_restart_with "" && pass "vgtd restarted with its unit's vgtd.conf" || fail "vgtd restarted with its unit's vgtd.conf" "it does not answer"
