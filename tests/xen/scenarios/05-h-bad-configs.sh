#!/bin/sh
# h. Bad configs through xl create (the front, xl-vgt): each is refused before any
# domain is built, with an error that names the file, the line and the key, exit
# status 3 (invalid config); no domain is left behind and (with vgtd) the free GPU
# resources are unchanged.  The same configs under -N (dry run) are refused too, and
# a valid vgt config passes the dry run.
# group: 1
# budget: 120
. "${P:-/payload}/dom0/lib.sh"
if [ -z "$(vxl_path)" ]; then skip "bad configs refused" "xl-vgt is not installed by make install of this tree"; exit 0; fi
free0=
if have_vgtd && vgtd_ready 5; then free0=$(free_line); fi

# bad NAME KEY LINE...: a config with vgt=1 and the given lines; KEY must be named
bad() {
	local name=$1 key=$2 cfg err rc; shift 2
	cfg=$(guest_cfg "h-$name" info 'vgt = 1' "$@")
	err=$W/h-$name.err
	vxl create "$cfg" > "$err" 2>&1; rc=$?
	if not_implemented "$err"; then skip "bad config ($name) refused" "xl-vgt create is not implemented yet"; return; fi
	if [ $rc = 3 ] && grep -q "$cfg:[0-9]*:.*$key" "$err"; then
		pass "bad config ($name) refused: $(grep -m 1 "$key" "$err")"
	else
		fail "bad config ($name) refused with exit 3 and FILE:LINE: $key" "exit $rc: $(head -n 2 "$err" | tr '\n' ' ')"
	fi
	check_eq "no domain left after the bad config ($name)" "$(domains_left)" 0
	vxl -N create "$cfg" > "$err.N" 2>&1; rc=$?
	if [ $rc = 3 ] && grep -q "$key" "$err.N"; then pass "dry run (-N) refuses it too ($name)"
	else fail "dry run (-N) refuses the bad config ($name)" "exit $rc: $(head -n 1 "$err.N")"; fi
}
bad low0 vgt_low_gm_sz 'vgt_low_gm_sz = 0'
bad lowneg vgt_low_gm_sz 'vgt_low_gm_sz = "-64"'
bad high0 vgt_high_gm_sz 'vgt_high_gm_sz = 0'
bad fence0 vgt_fence_sz 'vgt_fence_sz = 0'
bad fence99 vgt_fence_sz 'vgt_fence_sz = 99'
bad primary2 vgt_primary 'vgt_primary = 2'
bad cap101 vgt_cap 'vgt_cap = 101'
bad lowtext vgt_low_gm_sz 'vgt_low_gm_sz = "lots"'
bad monitor vgt_monitor_config_file 'vgt_monitor_config_file = "/nonexistent/monitor.config"'
bad pod maxmem 'maxmem = 2048'

cfg=$(guest_cfg h-good info 'vgt = 1')
vxl -N create "$cfg" > "$W/h-good.err" 2>&1; rc=$?
if not_implemented "$W/h-good.err"; then skip "valid vgt config passes the dry run" "xl-vgt create is not implemented yet"
else check_eq "valid vgt config passes the dry run (-N)" "$rc" 0; fi
check_eq "no domain left at the end" "$(domains_left)" 0
[ -z "$free0" ] || check_eq "free GPU resources unchanged" "$(free_line)" "$free0"
